#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what it needs (moto in
# a venv, cfn-lint/checkov, Chromium, npm packages, the Nu checker, lychee),
# then runs the Rust tests (the AWS backend against moto on 127.0.0.1), the
# offline infrastructure checks and the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }

step "Rust: formato y lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "S3/DynamoDB de prueba (moto) en 127.0.0.1"
. scripts/lib/moto.sh
moto_start
trap moto_stop EXIT

step "Rust: pruebas unitarias, de integración y contra moto"
# The load tests run apart, with their output shown: they print p50/p99.
REQUIRE_MOTO=1 cargo test --workspace -- --skip concurrent_reports
REQUIRE_MOTO=1 cargo test -p e2e --test load -- --nocapture

step "Fuzzing acotado: análisis de solicitudes y validación"
PROPTEST_CASES=1000 FUZZ_SECONDS=60 tests/fuzz.sh

step "Infraestructura: SAM → CloudFormation, cfn-lint, checkov"
infra/validate.sh

step "Infraestructura: deploy.sh --dry-run con aws/sam simulados (sin AWS)"
REQUIRE_MOTO=1 infra/test-deploy.sh

step "Navegador: Chromium, accesibilidad, HTML válido, enlaces"
tests/browser/setup.sh
tests/browser/run.sh

step "Todo en verde"
