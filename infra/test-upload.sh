#!/usr/bin/env bash
# Runs the site-upload tests (unit + end-to-end against a local moto S3).
# Usage: infra/test-upload.sh   (first run installs .venv-moto from PyPI)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/moto.sh
. "$ROOT/scripts/lib/moto.sh"
moto_start
trap moto_stop EXIT
cd "$ROOT"
REQUIRE_MOTO=1 cargo test -p site-upload
