#!/usr/bin/env bash
# The help center's benchmarks (issue 8): site-gen against Hugo on the same
# synthetic corpus, `site-gen serve` live reload, the form function (criterion
# benches, binary size, start-up, memory), the weight of the real site's
# pages and the search (index size, query time in Chromium). Prints a table
# of every figure next to its target and writes it to bench/REPORT.md. Not
# part of the test suite.
#
#   bench/run.sh            # N = 1,000 and 10,000, 5 interleaved runs each (10-20 min)
#   bench/run.sh --quick    # N = 1,000 only, 3 runs, shorter criterion runs
#
# Environment: BENCH_DIR (default /dev/shm/help-bench: keep it on tmpfs),
# BENCH_RUNS (runs per generator and size), BENCH_KEEP=1 keeps the corpora
# and outputs. Installs Hugo and GNU time from Debian when missing (root or
# sudo). Builds site-gen and form-function in release.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

QUICK=0
for arg in "$@"; do
    case $arg in
        --quick) QUICK=1 ;;
        -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "run.sh: argumento desconocido $arg (use --quick)" >&2; exit 2 ;;
    esac
done

if ((QUICK)); then
    SIZES=(1000)
    RUNS=${BENCH_RUNS:-3}
    RELOAD_RUNS=5
    STARTUP_RUNS=10
    CRITERION_ARGS=(--warm-up-time 1 --measurement-time 3)
else
    SIZES=(1000 10000)
    RUNS=${BENCH_RUNS:-5}
    RELOAD_RUNS=10
    STARTUP_RUNS=20
    CRITERION_ARGS=()
fi
SUBMISSIONS=1000
WORK=${BENCH_DIR:-/dev/shm/help-bench}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
REL=$TARGET/release
REPORT=$ROOT/bench/REPORT.md

log() { printf '\n== %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# ------------------------------------------------------------------ tools
missing=()
command -v hugo >/dev/null || missing+=(hugo)
[ -x /usr/bin/time ] || missing+=(time)
if ((${#missing[@]})); then
    log "Instalando ${missing[*]} (Debian)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

log "Chromium y playwright-core para medir la búsqueda (tests/browser/setup.sh)"
"$ROOT/tests/browser/setup.sh" >&2

log "Compilando en release: site-gen, form-function, corpus-gen, bench-probe"
cargo build --release --quiet -p site-gen -p form-function -p bench-corpus -p bench-probe
# Copies: the shared target/ may be rebuilt by someone else during the run.
mkdir -p "$WORK/bin"
for b in site-gen form-function corpus-gen bench-probe; do cp "$REL/$b" "$WORK/bin/$b"; done
SITE_GEN=$WORK/bin/site-gen
PROBE=$WORK/bin/bench-probe
FF=$WORK/bin/form-function
# (`|| true`: with a clean tree grep fails, which `set -e` would take for an error.)
REVISION="$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git status --porcelain -- site-gen functions forms content site.toml bench ':!bench/REPORT.md' Cargo.toml Cargo.lock 2>/dev/null | grep -q . && echo ' + uncommitted changes' || true)"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- helpers
median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
calc() { awk "BEGIN {printf \"$1\", $2}"; }
# status VALUE OP LIMIT: "met" or "MISSED"
status() { awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN {ok = (op=="<=") ? v<=l : v<l; print (v=="nan" ? "n/a" : ok ? "met" : "MISSED")}'; }
kv() { sed -n "s/^$1=//p" "$2" | head -n1; }

# timed LABEL FILE COMMAND…: appends "wall_s cpu_s maxrss_kib" to FILE.
timed() {
    local file=$1; shift
    local t0 t1 out
    out=$(mktemp)
    t0=$EPOCHREALTIME
    if ! /usr/bin/time -f '%U %S %M' -o "$out.time" "$@" >"$out" 2>&1; then
        cat "$out" >&2
        echo "run.sh: falló: $*" >&2
        exit 1
    fi
    t1=$EPOCHREALTIME
    read -r user sys rss <"$out.time"
    awk -v a="$t0" -v b="$t1" -v u="$user" -v s="$sys" -v m="$rss" \
        'BEGIN {printf "%.4f %.2f %d\n", b-a, u+s, m}' >>"$file"
    rm -f "$out" "$out.time"
}

build_sitegen() { rm -rf "$2"; timed "$3" "$SITE_GEN" --root "$1" build --out "$2"; }
build_hugo() { rm -rf "$2" "$WORK/hugo-cache"; timed "$3" hugo --source "$1" --destination "$2" --cacheDir "$WORK/hugo-cache" --quiet; }
check_sitegen() { timed "$2" "$SITE_GEN" --root "$1" check; }

col() { awk -v c="$1" '{print $c}' "$2" | median; }

# ------------------------------------------------------------- site builds
declare -A R
for N in "${SIZES[@]}"; do
    C=$WORK/corpus-$N
    log "Corpus de $N artículos en $C"
    "$WORK/bin/corpus-gen" --articles "$N" --out "$C" --site-toml "$ROOT/site.toml" --static "$ROOT/site-gen/static" | tee "$WORK/corpus-$N.txt" >&2
    OURS=$WORK/out-site-gen-$N
    THEIRS=$WORK/out-hugo-$N
    S=$WORK/times-site-gen-$N.txt H=$WORK/times-hugo-$N.txt K=$WORK/times-check-$N.txt
    rm -f "$S" "$H" "$K"
    log "N=$N: una compilación de calentamiento de cada uno"
    build_sitegen "$C/site-gen" "$OURS" /dev/null
    build_hugo "$C/hugo" "$THEIRS" /dev/null
    R[pages_ours_$N]=$(find "$OURS" -name '*.html' | wc -l)
    R[pages_hugo_$N]=$(find "$THEIRS" -name '*.html' | wc -l)
    R[words_$N]=$(sed -n 's/.*categorías, \([0-9]*\) palabras.*/\1/p' "$WORK/corpus-$N.txt")
    for ((i = 1; i <= RUNS; i++)); do
        log "N=$N: ronda $i de $RUNS"
        if ((i % 2)); then
            build_sitegen "$C/site-gen" "$OURS" "$S"
            build_hugo "$C/hugo" "$THEIRS" "$H"
        else
            build_hugo "$C/hugo" "$THEIRS" "$H"
            build_sitegen "$C/site-gen" "$OURS" "$S"
        fi
        check_sitegen "$C/site-gen" "$K"
    done
    # Paired ratios: run i of site-gen over run i of Hugo.
    R[wall_ratio_$N]=$(paste "$S" "$H" | awk '{print $1/$4}' | median)
    R[cpu_ratio_$N]=$(paste "$S" "$H" | awk '{print ($5>0) ? $2/$5 : "nan"}' | median)
    R[rss_ratio_$N]=$(paste "$S" "$H" | awk '{print $3/$6}' | median)
    for g in ours:"$S" hugo:"$H" check:"$K"; do
        name=${g%%:*} file=${g#*:}
        R[wall_${name}_$N]=$(col 1 "$file")
        R[cpu_${name}_$N]=$(col 2 "$file")
        R[rss_${name}_$N]=$(col 3 "$file")
    done
    R[out_mib_$N]=$(du -sm "$OURS" | cut -f1)
    "$PROBE" page-weight --dir "$OURS" --top 3 >"$WORK/weight-corpus-$N.txt"
    R[corpus_page_median_$N]=$(kv median_bytes "$WORK/weight-corpus-$N.txt")
    R[corpus_page_max_$N]=$(kv max_bytes "$WORK/weight-corpus-$N.txt")
    if [ "$N" = 1000 ]; then
        log "N=$N: búsqueda en Chromium (índice ya cargado, consulta → resultados en la página)"
        node "$ROOT/bench/search.mjs" "$OURS" 20 | tee "$WORK/search-$N.txt" >&2
    fi
    if [ "${BENCH_KEEP:-0}" != 1 ] && [ "$N" != "${SIZES[0]}" ]; then rm -rf "$OURS" "$THEIRS"; fi
done

BIG=${SIZES[-1]}
SMALL=${SIZES[0]}
# One single-threaded build at the largest size: how much of the wall time
# is parallel speed-up.
ONE=$WORK/times-one-thread.txt
rm -f "$ONE"
RAYON_NUM_THREADS=1 build_sitegen "$WORK/corpus-$BIG/site-gen" "$WORK/out-one-thread" "$ONE"
rm -rf "$WORK/out-one-thread"
R[wall_one_thread]=$(col 1 "$ONE")
R[cpu_one_thread]=$(col 2 "$ONE")

# ------------------------------------------------------------ live reload
log "site-gen serve: edición → evento reload en /__livereload (N=$SMALL, $RELOAD_RUNS ediciones)"
"$PROBE" live-reload --bin "$SITE_GEN" --root "$WORK/corpus-$SMALL/site-gen" \
    --data-dir "$WORK/serve-data" --runs "$RELOAD_RUNS" | tee "$WORK/live-reload.txt" >&2
rm -rf "$WORK/serve-data"
if [ "${BENCH_KEEP:-0}" != 1 ]; then rm -rf "$WORK/out-site-gen-$SMALL" "$WORK/out-hugo-$SMALL" "$WORK"/corpus-*/; fi

# ------------------------------------------------------------ form function
log "Criterion: form-api (parse + validate, ticket answer)"
cargo bench --quiet -p form-api --bench form -- "${CRITERION_ARGS[@]}" 2>&1 | tee "$WORK/criterion.txt" >&2
crit() {
    local file=$TARGET/criterion/$1/new/estimates.json
    "$PROBE" criterion --file "$file" | sed -n 's/^median_ns=//p'
}
R[parse_validate_ns]=$(crit submission/parse_validate_payment_1MiB_png)
R[validate_ns]=$(crit submission/validate_payment_1MiB_png)
R[ticket_html_ns]=$(crit ticket_answer/html_page)
R[ticket_json_ns]=$(crit ticket_answer/router_get_json)
R[ticket_router_html_ns]=$(crit ticket_answer/router_get_html)

R[ff_bytes]=$(stat -c %s "$FF")
R[ff_stripped]=$(if readelf -S "$FF" 2>/dev/null | grep -q '\.symtab'; then echo no; else echo yes; fi)
log "form-function: arranque hasta la primera respuesta ($STARTUP_RUNS veces)"
"$PROBE" startup --bin "$FF" --data-dir "$WORK/ff-data" --runs "$STARTUP_RUNS" | tee "$WORK/startup.txt" >&2
log "form-function: $SUBMISSIONS reportes de pago con un PNG de 1 MiB en el almacén local"
"$PROBE" submissions --bin "$FF" --data-dir "$WORK/ff-data" --count "$SUBMISSIONS" \
    --receipt-bytes 1048576 | tee "$WORK/submissions.txt" >&2
rm -rf "$WORK/ff-data"

# ------------------------------------------------------------ real site
log "Peso de las páginas del sitio real (HTML + CSS + JS, sin imágenes)"
rm -rf "$WORK/real-site"
"$SITE_GEN" --root "$ROOT" build --out "$WORK/real-site" >&2
"$PROBE" page-weight --dir "$WORK/real-site" --top 100000 >"$WORK/weight-real.txt"
R[real_pages]=$(kv pages "$WORK/weight-real.txt")
R[real_max]=$(kv max_bytes "$WORK/weight-real.txt")
R[real_over]=$(kv over_limit "$WORK/weight-real.txt")
# gz_total PAGE FILES: gzip -9 bytes of a page plus its comma-separated CSS/JS files.
gz_total() {
    local gz f
    gz=$(gzip -9c "$WORK/real-site/$1" | wc -c)
    for f in ${2//,/ }; do gz=$((gz + $(gzip -9c "$WORK/real-site/$f" | wc -c))); done
    echo "$gz"
}
read -r _ _ _ top_path top_files < <(sed -n 's/^page=//p' "$WORK/weight-real.txt" | head -n1)
R[real_max_gz]=$(gz_total "$top_path" "$top_files")
# The search code and its styles are linked by no page: the search box names
# them (data-codigo, data-estilo) and app.js loads them on first use, then the
# index (data-indice). Weighed apart from the pages.
search_attr() { sed -n "s/.* $1=\"\/\([^\"]*\)\".*/\1/p" "$WORK/real-site/index.html" | head -n1; }
SEARCH_FILES="$(search_attr data-codigo) $(search_attr data-estilo) $(search_attr data-indice)"
R[search_bytes]=0 R[search_gz]=0
for f in $SEARCH_FILES; do
    R[search_bytes]=$((R[search_bytes] + $(stat -c %s "$WORK/real-site/$f")))
    R[search_gz]=$((R[search_gz] + $(gzip -9c "$WORK/real-site/$f" | wc -c)))
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ------------------------------------------------------------------ report
ms_of_ns() { calc '%.3f' "$1/1000000"; }
us_of_ns() { calc '%.1f' "$1/1000"; }
mib() { calc '%.1f' "$1/1024"; }
per_article_ms() { calc '%.3f' "$1*1000/$2"; }

ev=$(kv event_median_ms "$WORK/live-reload.txt")
startup_ms=$(kv new_data_median_ms "$WORK/startup.txt")
rss_kib=$(kv rss_kib "$WORK/submissions.txt")
pv_ms=$(ms_of_ns "${R[parse_validate_ns]}")
ff_mib=$(calc '%.2f' "${R[ff_bytes]}/1048576")
# Page weights in kB of 1,000 bytes: the 30 KB target read strictly.
real_kb=$(calc '%.1f' "${R[real_max]}/1000")
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')

{
    echo "# Benchmark report"
    echo
    echo "Generated by \`bench/run.sh$( ((QUICK)) && echo ' --quick')\` on $(date -u '+%Y-%m-%d %H:%M UTC'):"
    echo "$(nproc) cores ($cpu), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM;"
    echo "load average $LOAD_BEFORE before, $LOAD_AFTER after (the cores are shared: CPU time and paired ratios are the robust figures)."
    echo "$(hugo version | cut -d' ' -f1-2), $(rustc --version | cut -d' ' -f1-2); sources at $REVISION. Builds write to tmpfs ($WORK)."
    echo
    echo "| Measure | Result | Target | |"
    echo "| --- | --- | --- | --- |"
    for N in "${SIZES[@]}"; do
        echo "| Build N=$N: site-gen wall · CPU · peak RSS (median of $RUNS) | $(calc '%.2f' "${R[wall_ours_$N]}") s · $(calc '%.2f' "${R[cpu_ours_$N]}") s · $(mib "${R[rss_ours_$N]}") MiB | | |"
        echo "| Build N=$N: Hugo wall · CPU · peak RSS | $(calc '%.2f' "${R[wall_hugo_$N]}") s · $(calc '%.2f' "${R[cpu_hugo_$N]}") s · $(mib "${R[rss_hugo_$N]}") MiB | | |"
        wall_target="" wall_status="" rss_target="" rss_status=""
        if [ "$N" = 10000 ]; then
            wall_target="≤ 0.2×"; wall_status=$(status "${R[wall_ratio_$N]}" "<=" 0.2)
            rss_target="≤ 0.25×"; rss_status=$(status "${R[rss_ratio_$N]}" "<=" 0.25)
        fi
        echo "| Build N=$N: wall site-gen / Hugo (median of paired runs) | $(calc '%.3f' "${R[wall_ratio_$N]}")× | $wall_target | $wall_status |"
        echo "| Build N=$N: CPU site-gen / Hugo | $(calc '%.3f' "${R[cpu_ratio_$N]}")× | | |"
        echo "| Build N=$N: peak memory site-gen / Hugo | $(calc '%.3f' "${R[rss_ratio_$N]}")× | $rss_target | $rss_status |"
    done
    if [ "$BIG" != "$SMALL" ]; then
        g_ours=$(calc '%.2f' "(${R[cpu_ours_$BIG]}/$BIG)/(${R[cpu_ours_$SMALL]}/$SMALL)")
        g_hugo=$(calc '%.2f' "(${R[cpu_hugo_$BIG]}/$BIG)/(${R[cpu_hugo_$SMALL]}/$SMALL)")
        echo "| Linear growth: site-gen CPU per article, N=$BIG over N=$SMALL ($(per_article_ms "${R[cpu_ours_$BIG]}" "$BIG") vs $(per_article_ms "${R[cpu_ours_$SMALL]}" "$SMALL") ms) | $g_ours× | ≤ 1.2× (linear) | $(status "$g_ours" "<=" 1.2) |"
        echo "| Linear growth: Hugo CPU per article ($(per_article_ms "${R[cpu_hugo_$BIG]}" "$BIG") vs $(per_article_ms "${R[cpu_hugo_$SMALL]}" "$SMALL") ms) | $g_hugo× | | |"
    fi
    echo "| \`site-gen serve\`, N=$SMALL: article written → \`reload\` event (median of $(kv runs "$WORK/live-reload.txt"); max $(kv event_max_ms "$WORK/live-reload.txt") ms) | $ev ms | < 100 ms | $(status "$ev" "<" 100) |"
    echo "| \`site-gen serve\`: article written → rebuilt page fetched | $(kv page_median_ms "$WORK/live-reload.txt") ms | | |"
    if [ -f "$WORK/search-1000.txt" ]; then
        SR=$WORK/search-1000.txt
        share=$(kv index_share_percent "$SR")
        slow=$(kv slowest_query_median_ms "$SR")
        echo "| Search N=1000: index / HTML of the site ($(calc '%.1f' "$(kv index_bytes "$SR")/1048576") MiB of $(calc '%.1f' "$(kv html_bytes "$SR")/1048576") MiB) | $share % | ≤ 15 % | $(status "$share" "<=" 15) |"
        echo "| Search N=1000, Chromium: query typed → results in the page, slowest query's median («$(kv slowest_query "$SR")», $(kv slowest_query_results "$SR") results; all $(kv queries "$SR") queries × $(kv repetitions "$SR"): median $(kv query_median_ms "$SR") ms, p95 $(kv query_p95_ms "$SR") ms) | $slow ms | < 10 ms | $(status "$slow" "<" 10) |"
        echo "| Search N=1000, Chromium: first query, index downloaded and prepared on first focus | $(kv first_results_ms "$SR") ms | | |"
    fi
    echo "| Form: parse + validate a payment report with a 1 MiB PNG (criterion median, wall ≥ CPU) | $pv_ms ms | < 2 ms CPU | $(status "$pv_ms" "<" 2) |"
    echo "| Form: validate alone | $(us_of_ns "${R[validate_ns]}") µs | | |"
    echo "| Form: ticket status page \`pages::ticket\` | $(us_of_ns "${R[ticket_html_ns]}") µs | | |"
    echo "| Form: status lookup through the router, JSON · HTML (local store) | $(us_of_ns "${R[ticket_json_ns]}") µs · $(us_of_ns "${R[ticket_router_html_ns]}") µs | | |"
    echo "| form-function release binary (stripped: ${R[ff_stripped]}) | $ff_mib MiB | < 12 MiB | $(status "$ff_mib" "<" 12) |"
    echo "| form-function: process start → first answered request (median of $(kv runs "$WORK/startup.txt"), new data folder; max $(kv new_data_max_ms "$WORK/startup.txt") ms) | $startup_ms ms | < 20 ms | $(status "$startup_ms" "<" 20) |"
    echo "| form-function: start → first answer, existing data folder | $(kv existing_data_median_ms "$WORK/startup.txt") ms | | |"
    echo "| form-function: RSS after $SUBMISSIONS payment reports with a 1 MiB PNG, local store (idle $(mib "$(kv idle_rss_kib "$WORK/submissions.txt")") MiB, peak $(mib "$(kv peak_rss_kib "$WORK/submissions.txt")") MiB) | $(mib "$rss_kib") MiB | < 32 MiB | $(status "$(mib "$rss_kib")" "<" 32) |"
    echo "| form-function: per submission, wall · CPU (whole process, 10 ms ticks) | $(kv per_submission_wall_ms "$WORK/submissions.txt") ms · $(kv per_submission_cpu_ms "$WORK/submissions.txt") ms | | |"
    echo "| Real site: heaviest page, HTML + CSS + JS ($(printf '%s' "${R[real_pages]}") pages, ${R[real_over]} over 30,000 bytes) | $real_kb kB ($(calc '%.1f' "${R[real_max_gz]}/1000") kB gzipped) | ≤ 30 kB (30,000 bytes) | $(status "${R[real_max]}" "<=" 30000) |"
    echo "| Real site: search, loaded on first use of the box (JS + CSS + index; not in the pages' weight) | $(calc '%.1f' "${R[search_bytes]}/1024") KB ($(calc '%.1f' "${R[search_gz]}/1024") KB gzipped) | | |"
    for N in "${SIZES[@]}"; do
        echo "| Synthetic N=$N: site-gen page HTML + CSS + JS, median · max | $(calc '%.1f' "${R[corpus_page_median_$N]}/1000") kB · $(calc '%.1f' "${R[corpus_page_max_$N]}/1000") kB | (≤ 30 kB) | |"
    done
    echo
    echo "## Details"
    echo
    echo "Corpus: $(for N in "${SIZES[@]}"; do printf '%s articles (%s words each on average; %s HTML pages from site-gen, %s from Hugo); ' "$N" "${R[words_$N]}" "${R[pages_ours_$N]}" "${R[pages_hugo_$N]}"; done)"
    echo "ten categories. In both generators an article page lists at most eight articles of its category around it"
    echo "(its own marked \`aria-current\`) and links to the category page, which lists them all, 40 per page; the home page lists"
    echo "the first five of each category. So pages do not grow with N: the output is linear in the number of articles."
    echo
    echo "Where site-gen's time goes at N=$BIG (medians): \`check\` (read + parse + render, nothing written or kept)"
    echo "$(calc '%.2f' "${R[wall_check_$BIG]}") s wall, $(calc '%.2f' "${R[cpu_check_$BIG]}") s CPU, $(mib "${R[rss_check_$BIG]}") MiB;"
    echo "\`build\` $(calc '%.2f' "${R[wall_ours_$BIG]}") s wall, $(calc '%.2f' "${R[cpu_ours_$BIG]}") s CPU, $(mib "${R[rss_ours_$BIG]}") MiB; so writing the"
    echo "${R[out_mib_$BIG]} MiB of output costs about $(calc '%.2f' "${R[cpu_ours_$BIG]}-${R[cpu_check_$BIG]}") s of CPU at N=$BIG (wall differences are within the noise of the shared cores)."
    echo "Single-threaded build (RAYON_NUM_THREADS=1): $(calc '%.2f' "${R[wall_one_thread]}") s wall, $(calc '%.2f' "${R[cpu_one_thread]}") s CPU."
    echo
    echo "Raw runs (wall s, CPU s, max RSS KiB), in order:"
    echo
    for N in "${SIZES[@]}"; do
        for g in site-gen hugo check; do
            echo "- N=$N $g: $(awk '{printf "%s%s/%s/%s", (NR>1?", ":""), $1, $2, $3}' "$WORK/times-$g-$N.txt")"
        done
    done
    echo "- serve reload events (ms): $(kv event_all_ms "$WORK/live-reload.txt"); serve's own build time (median): $(kv build_median_ms "$WORK/live-reload.txt") ms"
    echo
    echo "Heaviest pages of the real site, in bytes (total = the HTML plus the CSS and JS it links; gzip -9: what a"
    echo "compressing server sends):"
    echo
    echo "| Page | Total | HTML | CSS + JS | Total gzipped |"
    echo "| --- | --- | --- | --- | --- |"
    sed -n 's/^page=//p' "$WORK/weight-real.txt" | head -n 10 | while read -r total html assets path files; do
        gz=$(gz_total "$path" "$files")
        echo "| \`/$path\` | $total | $html | $assets | $gz |"
    done
    echo
    echo "The CSS and JS files the pages link, with how many of the ${R[real_pages]} pages link each: $(
        sed -n 's/^page=//p' "$WORK/weight-real.txt" | awk '{print $5}' | tr ',' '\n' | sort | uniq -c |
            while read -r count f; do
                printf '%s %s bytes (%s gzipped), %s pages; ' "$f" "$(stat -c %s "$WORK/real-site/$f")" "$(gzip -9c "$WORK/real-site/$f" | wc -c)" "$count"
            done)"
    echo
    echo "Loaded on first use of the search box, counted in no page: $(for f in $SEARCH_FILES; do printf '%s %s bytes (%s gzipped); ' "$f" "$(stat -c %s "$WORK/real-site/$f")" "$(gzip -9c "$WORK/real-site/$f" | wc -c)"; done)"
} >"$REPORT"

if [ "${BENCH_KEEP:-0}" != 1 ]; then rm -rf "$WORK/real-site" "$WORK/hugo-cache"; fi
echo
cat "$REPORT"
echo
echo "(escrito en ${REPORT#"$ROOT"/})"
