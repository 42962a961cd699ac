#!/usr/bin/env bash
# Deploys the help center to AWS in one command:
#   sam build + sam deploy (infra/template.yaml, infra/samconfig.toml)
#   -> stack outputs -> site-gen build with the API URL -> site-upload (only
#   changed files) -> CloudFront invalidation of the changed paths.
#
# Usage: infra/deploy.sh [--stack-name NAME] [--dry-run]
#   --stack-name NAME  stack to deploy (also STACK_NAME=...; default from samconfig.toml)
#   --dry-run          no sam build/deploy, no upload, no invalidation: the stack
#                      must exist; builds the site and prints site-upload's plan
# Environment:
#   AWS_PROFILE / AWS_REGION  the usual AWS CLI settings
#   SITE_ORIGIN        origin allowed by CORS (e.g. https://ayuda.example.com).
#                      Empty: the CloudFront domain. On a new stack that takes two
#                      deploys (see the note at the top of template.yaml); this
#                      script does both.
#   EXTRA_PARAMETERS   more "Key=Value" parameter overrides, e.g. "RustLog=debug"
# Needs: aws (CLI), sam (pip install aws-sam-cli), cargo-lambda (pip install
# cargo-lambda, brings zig), cargo. No Docker: cargo-lambda cross-compiles for arm64.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INFRA="$ROOT/infra"
CONFIG="$INFRA/samconfig.toml"
BUILD_DIR="$ROOT/target/sam"
SITE_DIR="$ROOT/public"
DRY_RUN=0
STACK="${STACK_NAME:-}"

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }
die() { echo "ERROR: $*" >&2; exit 1; }
step() { printf '\n==> %s\n' "$*"; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --stack-name) STACK="${2:?--stack-name necesita un nombre}"; shift 2 ;;
    --stack-name=*) STACK="${1#*=}"; shift ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "opción desconocida: $1" ;;
  esac
done
if [[ -z "$STACK" ]]; then
  STACK="$(sed -n 's/^stack_name *= *"\(.*\)"/\1/p' "$CONFIG" | head -n1)"
fi
[[ -n "$STACK" ]] || die "sin nombre de stack (--stack-name o STACK_NAME)"

step "Herramientas"
need() { command -v "$1" >/dev/null 2>&1 || die "falta '$1': $2"; }
need aws "instale AWS CLI (https://docs.aws.amazon.com/cli/) o: pip install awscli"
need cargo "instale Rust con rustup"
if [[ $DRY_RUN -eq 0 ]]; then
  need sam "pip install aws-sam-cli"
  cargo lambda --version >/dev/null 2>&1 || die "falta cargo-lambda: pip install cargo-lambda"
  echo "  $(sam --version), $(cargo lambda --version)"
fi
echo "  $(aws --version 2>&1 | cut -d' ' -f1), $(cargo --version)"
aws sts get-caller-identity --query Account --output text >/dev/null \
  || die "AWS CLI sin credenciales válidas (aws configure, o AWS_PROFILE)"

stack_exists() { aws cloudformation describe-stacks --stack-name "$STACK" >/dev/null 2>&1; }
output() {
  aws cloudformation describe-stacks --stack-name "$STACK" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}

sam_deploy() { # $1: SiteOrigin
  local params=("SiteOrigin=\"$1\"") # quoted: sam rejects an empty unquoted value
  if [[ -n "${EXTRA_PARAMETERS:-}" ]]; then
    read -r -a extra <<< "$EXTRA_PARAMETERS"
    params+=("${extra[@]}")
  fi
  sam deploy --config-file "$CONFIG" --template-file "$BUILD_DIR/template.yaml" \
    --stack-name "$STACK" --parameter-overrides "${params[@]}"
}

ORIGIN="${SITE_ORIGIN:-}"
if [[ -z "$ORIGIN" ]] && stack_exists; then
  ORIGIN="$(output SiteUrl)" # CloudFront domain of the existing distribution
fi

if [[ $DRY_RUN -eq 1 ]]; then
  stack_exists || die "el stack '$STACK' no existe todavía: ejecute infra/deploy.sh sin --dry-run"
  step "Simulación: sin sam build ni sam deploy (stack '$STACK', SiteOrigin=${ORIGIN:-<vacío>})"
else
  step "sam build ($BUILD_DIR)"
  export SAM_CLI_BETA_RUST_CARGO_LAMBDA=1 SAM_CLI_TELEMETRY=0
  sam build --config-file "$CONFIG" --template-file "$INFRA/template.yaml" --build-dir "$BUILD_DIR"

  step "sam deploy (stack '$STACK', SiteOrigin=${ORIGIN:-<vacío>})"
  sam_deploy "$ORIGIN"
  if [[ -z "$ORIGIN" ]]; then
    # First deploy without SITE_ORIGIN: only now is the CloudFront domain known.
    ORIGIN="$(output SiteUrl)"
    step "sam deploy, segunda pasada: CORS y SITE_ORIGIN = $ORIGIN"
    sam_deploy "$ORIGIN"
  fi
fi

step "Salidas del stack"
SITE_URL="$(output SiteUrl)"
API_URL="$(output ApiUrl)"
SITE_BUCKET="$(output SiteBucketName)"
DISTRIBUTION="$(output DistributionId)"
for name in SITE_URL API_URL SITE_BUCKET DISTRIBUTION; do
  [[ -n "${!name}" && "${!name}" != "None" ]] || die "el stack '$STACK' no tiene la salida para $name"
  printf '  %-12s %s\n' "$name" "${!name}"
done
# A custom SITE_ORIGIN is where visitors see the site: use it for absolute links.
BASE_URL="${SITE_ORIGIN:-$SITE_URL}"

step "site-gen build -> $SITE_DIR"
(cd "$ROOT" && cargo run --release -p site-gen -- build --out public --api-url "$API_URL" --base-url "$BASE_URL")

step "site-upload -> s3://$SITE_BUCKET"
INVALIDATIONS="$(mktemp)"
trap 'rm -f "$INVALIDATIONS"' EXIT
upload_args=("$SITE_DIR" --bucket "$SITE_BUCKET" --invalidations "$INVALIDATIONS")
[[ $DRY_RUN -eq 1 ]] && upload_args+=(--dry-run)
(cd "$ROOT" && cargo run --release -p site-upload -- "${upload_args[@]}")

mapfile -t paths < "$INVALIDATIONS"
if [[ ${#paths[@]} -eq 0 ]]; then
  step "Sin cambios en el sitio: no hace falta invalidar CloudFront"
elif [[ $DRY_RUN -eq 1 ]]; then
  step "Simulación: se invalidarían ${#paths[@]} rutas en $DISTRIBUTION"
  printf '  %s\n' "${paths[@]}"
else
  if [[ ${#paths[@]} -gt 1000 ]]; then
    paths=("/*") # one wildcard costs one path; 3000 explicit paths is the in-flight limit
  fi
  step "Invalidación de CloudFront ($DISTRIBUTION): ${#paths[@]} rutas"
  aws cloudfront create-invalidation --distribution-id "$DISTRIBUTION" --paths "${paths[@]}" \
    --query 'Invalidation.[Id,Status]' --output text
fi

step "Listo: $SITE_URL (API: $API_URL)"
