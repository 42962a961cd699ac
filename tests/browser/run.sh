#!/usr/bin/env bash
# Runs the browser tests (after setup.sh): builds the binaries once, builds
# the site into a temp folder, then runs with Node's test runner the
# scenarios (tests/browser/scenarios/, each file with its own `site-gen
# serve` and fresh data dir) and the whole-site checks (tests/browser/checks/:
# axe on every page, the Nu HTML checker on the site and on the pages the
# scenarios saved from the form function, lychee).
#
# Extra arguments go to `node --test`, e.g. `--test-name-pattern=doble`.
# TEST_CONCURRENCY sets how many test files run at once (default 2).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
started=$SECONDS

cd "$root"
# ayuda-staff: the staff CLI, with which the scenarios read stored tickets back.
packages=(-p site-gen -p form-function -p ayuda-staff)
echo "[run] cargo build ${packages[*]} --bins"
cargo build --quiet "${packages[@]}" --bins

site_dir="$(mktemp -d "${TMPDIR:-/tmp}/ayuda-sitio.XXXXXX")"
trap 'rm -rf "$site_dir"' EXIT
"$target/debug/site-gen" --root "$root" build --out "$site_dir"

cd "$here"
# The scenarios save here the pages the form function renders; the checks
# validate what this run saved, never a previous run's.
rm -rf artifacts/paginas-de-la-funcion
mkdir -p artifacts
node_test() {
  SITE_DIR="$site_dir" node --test \
    --test-reporter=spec \
    --test-concurrency="${TEST_CONCURRENCY:-2}" \
    --test-timeout=180000 \
    "$@"
}
status=0
echo "[run] escenarios en Chromium"
node_test "$@" scenarios/*.test.js || status=1
echo "[run] comprobaciones de todo el sitio: axe, Nu HTML Checker, lychee"
node_test "$@" checks/*.test.js || status=1

echo "[run] pruebas del navegador: $((SECONDS - started)) s (capturas en tests/browser/artifacts/)"
exit "$status"
