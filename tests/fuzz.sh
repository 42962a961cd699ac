#!/usr/bin/env bash
# A longer, bounded fuzzing session of request parsing and validation
# (tests/tests/fuzz.rs): PROPTEST_CASES cases per property (default 2000),
# each property stopping after FUZZ_SECONDS/6 seconds (default 60 in all),
# so the run lasts about a minute after the build whatever the machine.
#
#   tests/fuzz.sh                     # 2000 cases per property, ~1 minute at most
#   PROPTEST_CASES=20000 FUZZ_SECONDS=300 tests/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."

cases="${PROPTEST_CASES:-2000}"
total="${FUZZ_SECONDS:-60}"
properties=6
per_property=$(( total / properties > 0 ? total / properties : 1 ))

cargo test -p e2e --test fuzz --no-run
echo "fuzz: ${cases} casos por propiedad, como máximo ${per_property} s cada una (${total} s en total)"
started=$(date +%s)
PROPTEST_CASES="$cases" FUZZ_SECONDS="$per_property" \
  cargo test -p e2e --test fuzz -- --test-threads=1 --nocapture
echo "fuzz: terminado en $(( $(date +%s) - started )) s"
