#!/usr/bin/env bash
# Deploys the help center to AWS in one command:
#   sam build + sam deploy (infra/template.yaml, infra/samconfig.toml)
#   -> stack outputs -> site-gen build with the API URL -> site-upload (only
#   changed files) -> CloudFront invalidation of the changed paths.
#
# Usage: infra/deploy.sh [--stack-name NAME] [--dry-run]
#   --stack-name NAME  stack to deploy (also STACK_NAME=...; default from samconfig.toml)
#   --dry-run          changes nothing that serves the site: sam build, then
#                      sam deploy --no-execute-changeset (prints the template
#                      changes as a CloudFormation change set, left unexecuted),
#                      builds the site and prints site-upload's plan and the
#                      paths it would invalidate. Works for a stack not yet
#                      created: the plan is then "upload every file", and
#                      CloudFormation keeps the new stack in REVIEW_IN_PROGRESS
#                      (no resources) until a real deploy or delete-stack.
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
need sam "pip install aws-sam-cli"
cargo lambda --version >/dev/null 2>&1 || die "falta cargo-lambda: pip install cargo-lambda"
echo "  $(sam --version), $(cargo lambda --version)"
echo "  $(aws --version 2>&1 | cut -d' ' -f1), $(cargo --version)"
aws sts get-caller-identity --query Account --output text >/dev/null \
  || die "AWS CLI sin credenciales válidas (aws configure, o AWS_PROFILE)"

# A stack in REVIEW_IN_PROGRESS (left by a dry run of a new stack) has no
# resources and no outputs yet: it counts as not created.
stack_exists() {
  local status
  status="$(aws cloudformation describe-stacks --stack-name "$STACK" \
    --query 'Stacks[0].StackStatus' --output text 2>/dev/null)" || return 1
  [[ -n "$status" && "$status" != "REVIEW_IN_PROGRESS" ]]
}
output() {
  aws cloudformation describe-stacks --stack-name "$STACK" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}

sam_deploy() { # $1: SiteOrigin; more arguments go to sam deploy
  local params=("SiteOrigin=\"$1\"") # quoted: sam rejects an empty unquoted value
  shift
  if [[ -n "${EXTRA_PARAMETERS:-}" ]]; then
    read -r -a extra <<< "$EXTRA_PARAMETERS"
    params+=("${extra[@]}")
  fi
  sam deploy --config-file "$CONFIG" --template-file "$BUILD_DIR/template.yaml" \
    --stack-name "$STACK" --parameter-overrides "${params[@]}" "$@"
}

ORIGIN="${SITE_ORIGIN:-}"
EXISTS=0
if stack_exists; then
  EXISTS=1
  [[ -n "$ORIGIN" ]] || ORIGIN="$(output SiteUrl)" # CloudFront domain of the existing distribution
fi

step "sam build ($BUILD_DIR)"
export SAM_CLI_BETA_RUST_CARGO_LAMBDA=1 SAM_CLI_TELEMETRY=0
sam build --config-file "$CONFIG" --template-file "$INFRA/template.yaml" --build-dir "$BUILD_DIR"

if [[ $DRY_RUN -eq 1 ]]; then
  step "Simulación: cambios de la plantilla (stack '$STACK', SiteOrigin=${ORIGIN:-<vacío>}), sin ejecutarlos"
  sam_deploy "$ORIGIN" --no-execute-changeset
  echo "  El conjunto de cambios queda sin ejecutar: revíselo en la consola de CloudFormation"
  echo "  o bórrelo (aws cloudformation delete-change-set). Nada del sitio ha cambiado."
  if [[ $EXISTS -eq 0 ]]; then
    echo "  Stack nuevo: queda en REVIEW_IN_PROGRESS, sin recursos; el primer despliegue real lo"
    echo "  crea (y hace una segunda pasada con SiteOrigin = el dominio de CloudFront)."
    echo "  Para descartarlo: aws cloudformation delete-stack --stack-name $STACK"
  fi
else
  step "sam deploy (stack '$STACK', SiteOrigin=${ORIGIN:-<vacío>})"
  sam_deploy "$ORIGIN"
  if [[ -z "$ORIGIN" ]]; then
    # First deploy without SITE_ORIGIN: only now is the CloudFront domain known.
    ORIGIN="$(output SiteUrl)"
    step "sam deploy, segunda pasada: CORS y SITE_ORIGIN = $ORIGIN"
    sam_deploy "$ORIGIN"
  fi
fi

if [[ $DRY_RUN -eq 1 && $EXISTS -eq 0 ]]; then
  # No outputs yet: the file names of the site do not depend on these URLs.
  step "Stack nuevo: el sitio se genera con URL provisionales (no se sube)"
  SITE_URL="https://sitio-nuevo.invalid"
  API_URL="https://api-nueva.invalid/api"
  SITE_BUCKET=""
  DISTRIBUTION=""
else
  step "Salidas del stack"
  SITE_URL="$(output SiteUrl)"
  API_URL="$(output ApiUrl)"
  SITE_BUCKET="$(output SiteBucketName)"
  DISTRIBUTION="$(output DistributionId)"
  for name in SITE_URL API_URL SITE_BUCKET DISTRIBUTION; do
    [[ -n "${!name}" && "${!name}" != "None" ]] || die "el stack '$STACK' no tiene la salida para $name"
    printf '  %-12s %s\n' "$name" "${!name}"
  done
fi
# A custom SITE_ORIGIN is where visitors see the site: use it for absolute links.
BASE_URL="${SITE_ORIGIN:-$SITE_URL}"

step "site-gen build -> $SITE_DIR"
(cd "$ROOT" && cargo run --release -p site-gen -- build --out public --api-url "$API_URL" --base-url "$BASE_URL")

step "site-upload -> s3://${SITE_BUCKET:-<bucket nuevo>}"
INVALIDATIONS="$(mktemp)"
trap 'rm -f "$INVALIDATIONS"' EXIT
upload_args=("$SITE_DIR" --invalidations "$INVALIDATIONS")
[[ -n "$SITE_BUCKET" ]] && upload_args+=(--bucket "$SITE_BUCKET")
[[ $DRY_RUN -eq 1 ]] && upload_args+=(--dry-run)
(cd "$ROOT" && cargo run --release -p site-upload -- "${upload_args[@]}")

mapfile -t paths < "$INVALIDATIONS"
if [[ -z "$DISTRIBUTION" ]]; then
  step "Simulación de un stack nuevo: la distribución no existe, no habría nada que invalidar"
elif [[ ${#paths[@]} -eq 0 ]]; then
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

if [[ $DRY_RUN -eq 1 ]]; then
  step "Simulación terminada: sin despliegue, sin subida, sin invalidación"
else
  step "Listo: $SITE_URL (API: $API_URL)"
fi
