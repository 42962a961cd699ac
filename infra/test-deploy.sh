#!/usr/bin/env bash
# Offline test of infra/deploy.sh --dry-run, with fake `aws` and `sam` on PATH
# (they log their arguments and answer like a stack that does not exist, or
# one that does) and a `cargo` that runs the debug builds instead of --release.
#   - new stack: sam build, one `sam deploy --no-execute-changeset`, the site
#     built and every file planned as new, no S3 call, no invalidation;
#   - existing stack (needs moto: MOTO_URL, see scripts/lib/moto.sh; skipped
#     without it unless REQUIRE_MOTO=1): SiteOrigin from the stack's SiteUrl,
#     site-upload --dry-run against the bucket, nothing uploaded, the paths
#     listed but not invalidated.
# Usage: infra/test-deploy.sh   (writes public/ and target/test-deploy/)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$ROOT/target/test-deploy"
rm -rf "$WORK"
mkdir -p "$WORK/bin"
REAL_CARGO="$(command -v cargo)"
export TEST_LOG="$WORK/calls.log" TEST_STACK_STATE TEST_BUCKET=""

cat > "$WORK/bin/aws" <<'EOF'
#!/usr/bin/env bash
echo "aws $*" >> "$TEST_LOG"
case "$1 $2" in
  "--version "*) echo "aws-cli/2.0.0-fake" ;;
  "sts get-caller-identity") echo "123456789012" ;;
  "cloudformation describe-stacks")
    if [[ "$TEST_STACK_STATE" == missing ]]; then
      echo "An error occurred (ValidationError): Stack with id x does not exist" >&2
      exit 254
    fi
    case "$*" in
      *StackStatus*) echo "UPDATE_COMPLETE" ;;
      *"'SiteUrl'"*) echo "https://d111111abcdef8.cloudfront.net" ;;
      *"'ApiUrl'"*) echo "https://abc123.execute-api.us-east-1.amazonaws.com/api" ;;
      *"'SiteBucketName'"*) echo "$TEST_BUCKET" ;;
      *"'DistributionId'"*) echo "E2FAKEDIST" ;;
      *) exit 1 ;;
    esac ;;
  *) echo "fake aws: unexpected call: $*" >&2; exit 1 ;;
esac
EOF
cat > "$WORK/bin/sam" <<'EOF'
#!/usr/bin/env bash
echo "sam $*" >> "$TEST_LOG"
[[ "${1:-}" == --version ]] && echo "SAM CLI, version 1.0.0-fake"
exit 0
EOF
cat > "$WORK/bin/cargo" <<EOF
#!/usr/bin/env bash
if [[ "\${1:-}" == lambda ]]; then echo "cargo-lambda 1.0.0-fake"; exit 0; fi
args=()
for arg in "\$@"; do [[ "\$arg" == --release ]] || args+=("\$arg"); done
exec "$REAL_CARGO" "\${args[@]}"
EOF
chmod +x "$WORK/bin/"*

fail() { echo "FAIL: $*" >&2; exit 1; }
calls() { grep -c -- "$1" "$TEST_LOG" || true; }

run_dry() { # $1: missing | existing; output in $WORK/$1.out
  TEST_STACK_STATE="$1"
  : > "$TEST_LOG"
  PATH="$WORK/bin:$PATH" "$ROOT/infra/deploy.sh" --stack-name prueba --dry-run \
    > "$WORK/$1.out" 2>&1 || { cat "$WORK/$1.out" >&2; fail "$1: deploy.sh --dry-run failed"; }
  [[ "$(calls '^sam build')" == 1 ]] || fail "$1: sam build not run once"
  [[ "$(calls '^sam deploy')" == 1 ]] || fail "$1: expected exactly one sam deploy"
  grep -q -- '^sam deploy .*--no-execute-changeset' "$TEST_LOG" || fail "$1: sam deploy without --no-execute-changeset"
  [[ "$(calls 'create-invalidation')" == 0 ]] || fail "$1: invalidated CloudFront"
  grep -q 'Simulación terminada' "$WORK/$1.out" || fail "$1: no closing line"
}

# Any S3 call that escaped the fakes would fail here (nothing listens on port 9).
export AWS_ENDPOINT_URL="${MOTO_URL:-http://127.0.0.1:9}"

echo "==> deploy.sh --dry-run, stack nuevo"
run_dry missing
grep -q 'SiteOrigin="" ' "$TEST_LOG" || fail "missing: first pass must have an empty SiteOrigin"
files="$(find "$ROOT/public" -type f | wc -l)"
planned="$(grep -c '^subiría ' "$WORK/missing.out" || true)"
[[ "$files" -gt 10 && "$planned" == "$files" ]] || fail "missing: planned $planned of $files files"
grep -q 'bucket nuevo, vacío' "$WORK/missing.out" || fail "missing: plan not for an empty bucket"
grep -q 'REVIEW_IN_PROGRESS' "$WORK/missing.out" || fail "missing: no word about the new stack's state"
echo "  OK: conjunto de cambios sin ejecutar, $planned archivos en el plan, sin S3 ni invalidación"

echo "==> deploy.sh --dry-run, stack existente (moto)"
if [[ -z "${MOTO_URL:-}" ]]; then
  [[ -z "${REQUIRE_MOTO:-}" ]] || fail "REQUIRE_MOTO=1 but MOTO_URL is not set"
  echo "  omitido: MOTO_URL no está definido (scripts/lib/moto.sh)"
  exit 0
fi
TEST_BUCKET="test-deploy-$$-$(date +%s)"
"$ROOT/.venv-moto/bin/python" -c 'import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(f"{sys.argv[1]}/{sys.argv[2]}", method="PUT"), timeout=5).read()' \
  "$MOTO_URL" "$TEST_BUCKET"
run_dry existing
grep -q 'SiteOrigin="https://d111111abcdef8.cloudfront.net"' "$TEST_LOG" \
  || fail "existing: SiteOrigin is not the stack's SiteUrl"
grep -q "s3://$TEST_BUCKET: .* 0 objetos en el bucket \[simulación" "$WORK/existing.out" \
  || fail "existing: site-upload did not plan against the bucket"
grep -q 'se invalidarían' "$WORK/existing.out" || fail "existing: invalidation paths not listed"
listing="$("$ROOT/.venv-moto/bin/python" -c 'import sys, urllib.request
print(urllib.request.urlopen(f"{sys.argv[1]}/{sys.argv[2]}?list-type=2", timeout=5).read().decode())' \
  "$MOTO_URL" "$TEST_BUCKET")"
[[ "$listing" != *"<Key>"* ]] || fail "existing: the dry run uploaded files"
echo "  OK: SiteOrigin del stack, plan contra el bucket, nada subido ni invalidado"
