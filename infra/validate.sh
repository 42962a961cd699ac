#!/usr/bin/env bash
# Offline validation of the AWS SAM template (infra/template.yaml):
#   1. venv .venv-infra with the exact versions in infra/requirements.txt
#      (pip runs only when the venv is missing or the pins changed);
#   2. SAM -> CloudFormation with aws-sam-translator (infra/translate_sam.py, no AWS call);
#   3. cfn-lint on the SAM template and on the translated template (any error or
#      warning fails; informational messages are not shown);
#   4. checkov --skip-download on the translated template: 0 failures, every skip
#      carries a reason (skips live in the template: Metadata.checkov.skip), and the
#      least-privilege guard (infra/validate_report.py): no wildcard action, no
#      Resource "*" without a written reason, no NotAction/NotResource, no managed
#      policies, no SAM Policies on a function;
#   5. the HttpApi events of the template are exactly the routes of the router
#      (functions/api/src/app.rs; infra/check_routes.py);
#   6. self-tests of steps 4 and 5 (infra/tests): each guard passes on the real
#      files and fails on a broken copy or fixture.
# Output: target/infra/{translated.json,checkov.json}. Exit non-zero on any failure.
# Usage: infra/validate.sh [TEMPLATE]   (default infra/template.yaml; needs python3 >= 3.10)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INFRA="$ROOT/infra"
VENV="$ROOT/.venv-infra"
REQ="$INFRA/requirements.txt"
OUT="$ROOT/target/infra"
PYTHON="${PYTHON:-python3}"

step() { printf '\n==> %s\n' "$*"; }

step "Entorno .venv-infra ($(basename "$REQ"))"
if [[ ! -x "$VENV/bin/python" ]]; then
  "$PYTHON" -m venv "$VENV"
fi
STAMP="$VENV/.requirements.sha256"
WANT="$(sha256sum "$REQ" | cut -d' ' -f1)"
if [[ "$(cat "$STAMP" 2>/dev/null || true)" != "$WANT" ]]; then
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ"
  echo "$WANT" > "$STAMP"
else
  echo "  ya instalado: $(grep -v '^#' "$REQ" | tr '\n' ' ')"
fi

# Keep every tool offline and quiet: no update checks, no telemetry, no API key.
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"
export CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false
export BC_SKIP_MAPPING=TRUE
export PIP_DISABLE_PIP_VERSION_CHECK=1

mkdir -p "$OUT"
TEMPLATE="${1:-$INFRA/template.yaml}"
TRANSLATED="$OUT/translated.json"

step "SAM -> CloudFormation"
"$VENV/bin/python" "$INFRA/translate_sam.py" "$TEMPLATE" "$TRANSLATED"

step "cfn-lint"
"$VENV/bin/cfn-lint" --version
"$VENV/bin/cfn-lint" "$TEMPLATE" "$TRANSLATED"
echo "  cfn-lint: sin errores ni advertencias"

step "checkov (cloudformation, --skip-download)"
rc=0
# Run from $OUT with a relative file name: checkov's CKV_AWS_45 scans every string in
# Environment.Variables, including the `__file__` it adds itself, and an absolute path
# that happens to be 40 characters of [A-Za-z0-9/] reads as an AWS secret key.
(cd "$OUT" && "$VENV/bin/checkov" --skip-download --framework cloudformation \
  -f "$(basename "$TRANSLATED")" -o json > checkov.json 2> checkov.stderr) || rc=$?
if [[ ! -s "$OUT/checkov.json" ]]; then
  cat "$OUT/checkov.stderr" >&2
  echo "ERROR: checkov produced no report (exit $rc)" >&2
  exit 1
fi
"$VENV/bin/python" "$INFRA/validate_report.py" "$OUT/checkov.json" "$TRANSLATED" "$TEMPLATE"
if [[ $rc -ne 0 ]]; then
  echo "ERROR: checkov exited with $rc" >&2
  exit 1
fi

step "Rutas: router (functions/api/src/app.rs) = eventos HttpApi"
"$VENV/bin/python" "$INFRA/check_routes.py" "$ROOT/functions/api/src/app.rs" "$TEMPLATE"

step "Autopruebas de las comprobaciones (infra/tests)"
"$VENV/bin/python" -m unittest discover -q -s "$INFRA/tests"

step "infra/validate.sh: OK"
