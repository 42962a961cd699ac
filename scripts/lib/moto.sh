# shellcheck shell=bash
# Local S3 + DynamoDB for tests: a moto server on 127.0.0.1 (memory only).
#
# SOURCE this file, don't run it:
#
#   . scripts/lib/moto.sh
#   moto_start                 # venv .venv-moto (pinned), server on a free port
#   trap moto_stop EXIT        # the caller registers the cleanup
#   cargo test -p site-upload  # sees AWS_ENDPOINT_URL, MOTO_URL, ...
#
# moto_start exports:
#   AWS_ENDPOINT_URL=http://127.0.0.1:PORT   (the AWS SDKs read it)
#   MOTO_URL (same URL), MOTO_PID
#   AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
#   S3_FORCE_PATH_STYLE=1  (our own variable: the SDK has none for path-style)
# moto_reset clears every bucket and table (POST /moto-api/reset).
# moto_stop kills the server by its PID (safe to call twice).
# Server output goes to target/moto.log. Needs python3 (>= 3.9) and the PyPI
# registry the first time (about 20 s); later calls reuse the venv offline.

MOTO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MOTO_VENV="$MOTO_ROOT/.venv-moto"
MOTO_LOG="$MOTO_ROOT/target/moto.log"
# Exact pins: moto with the s3 and dynamodb extras, and the server's web stack.
MOTO_REQUIREMENTS=("moto[s3,dynamodb]==5.2.5" "flask==3.1.3" "flask-cors==6.0.5")

_moto_install() {
  local python="${PYTHON:-python3}" stamp="$MOTO_VENV/.requirements"
  if [[ ! -x "$MOTO_VENV/bin/python" ]]; then
    "$python" -m venv "$MOTO_VENV" || return 1
  fi
  if [[ "$(cat "$stamp" 2>/dev/null)" != "${MOTO_REQUIREMENTS[*]}" ]]; then
    echo "moto: instalando ${MOTO_REQUIREMENTS[*]} en $MOTO_VENV" >&2
    "$MOTO_VENV/bin/pip" install --quiet --disable-pip-version-check "${MOTO_REQUIREMENTS[@]}" || return 1
    printf '%s' "${MOTO_REQUIREMENTS[*]}" > "$stamp"
  fi
}

_moto_free_port() {
  "$MOTO_VENV/bin/python" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

_moto_ready() {
  "$MOTO_VENV/bin/python" -c 'import sys, urllib.request
urllib.request.urlopen(sys.argv[1] + "/moto-api/", timeout=1).read()' "$1" 2>/dev/null
}

moto_start() {
  if [[ -n "${MOTO_PID:-}" ]] && kill -0 "$MOTO_PID" 2>/dev/null; then
    return 0 # already running in this shell
  fi
  _moto_install || { echo "moto: no se pudo instalar moto" >&2; return 1; }
  mkdir -p "$(dirname "$MOTO_LOG")"

  local attempt port url pid i
  for attempt in 1 2 3; do # another process may grab the free port first
    port="$(_moto_free_port)" || return 1
    url="http://127.0.0.1:$port"
    echo "--- moto_server on $url ($(date -u +%FT%TZ))" >> "$MOTO_LOG"
    "$MOTO_VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >> "$MOTO_LOG" 2>&1 &
    pid=$!
    for ((i = 0; i < 100; i++)); do # 100 x 0.2 s = 20 s
      if ! kill -0 "$pid" 2>/dev/null; then
        break # died (port taken?): try another port
      fi
      if _moto_ready "$url"; then
        export MOTO_PID="$pid" MOTO_URL="$url" AWS_ENDPOINT_URL="$url"
        export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
        export AWS_DEFAULT_REGION=us-east-1 S3_FORCE_PATH_STYLE=1 AWS_EC2_METADATA_DISABLED=true
        unset AWS_PROFILE AWS_SESSION_TOKEN
        echo "moto: escuchando en $url (pid $pid, log $MOTO_LOG)" >&2
        return 0
      fi
      sleep 0.2
    done
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    echo "moto: intento $attempt fallido en el puerto $port" >&2
  done
  echo "moto: el servidor no respondió; ver $MOTO_LOG" >&2
  return 1
}

moto_reset() {
  "$MOTO_VENV/bin/python" -c 'import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/moto-api/reset", method="POST"), timeout=5).read()' \
    "${MOTO_URL:?moto_start first}"
}

moto_stop() {
  if [[ -n "${MOTO_PID:-}" ]]; then
    kill "$MOTO_PID" 2>/dev/null
    wait "$MOTO_PID" 2>/dev/null
    echo "moto: detenido (pid $MOTO_PID)" >&2
    unset MOTO_PID MOTO_URL AWS_ENDPOINT_URL
  fi
  return 0
}
