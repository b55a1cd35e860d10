#!/usr/bin/env bash
# Starts the action server, the Rasa server (REST, socket.io, and Telegram / WeChat when configured) and the web
# chat page in the foreground; Ctrl-C stops all three. The action server is started again, with back-off, when
# it stops; if Rasa or the page server stops, everything stops.
# All three listen on 127.0.0.1 unless RASA_HOST, ACTION_HOST, WEB_HOST say otherwise (README, "Security").
#
# RASA_INSTANCES=N (N > 1) starts N Rasa servers on RASA_PORT, RASA_PORT+1, ... behind nginx
# (deploy/nginx.conf) on PUBLIC_PORT (default 8000), which then serves the page, socket.io and the webhooks;
# it needs TRACKER_URL=postgresql://... and REDIS_URL (README, "Several instances").
set -euo pipefail
cd "$(dirname "$0")/.."
ACTION_PORT=${ACTION_PORT:-5055}
RASA_PORT=${RASA_PORT:-5005}
WEB_PORT=${WEB_PORT:-8080}
RASA_HOST=${RASA_HOST:-127.0.0.1}
ACTION_HOST=${ACTION_HOST:-127.0.0.1}
WEB_HOST=${WEB_HOST:-127.0.0.1}
# The REST channel reads RASA_HOST to know whether it is reachable from other machines (then REST_TOKEN is
# required); the page server reads WEB_HOST and RASA_PORT.
export RASA_PORT WEB_PORT RASA_HOST WEB_HOST
# Browsers may call Rasa only from the chat page's own origin(s); space-separated, e.g. https://chat.example.org
RASA_CORS=${RASA_CORS:-"http://localhost:$WEB_PORT http://127.0.0.1:$WEB_PORT"}
read -r -a cors_origins <<< "$RASA_CORS"
MODEL=${MODEL:-models/kvisa.tar.gz}
RASA_INSTANCES=${RASA_INSTANCES:-1}
PUBLIC_PORT=${PUBLIC_PORT:-8000}
if ! [[ "$RASA_INSTANCES" =~ ^[1-9][0-9]?$ ]]; then
  echo "RASA_INSTANCES must be a whole number from 1 to 99, not '$RASA_INSTANCES'." >&2; exit 2
fi
if (( RASA_INSTANCES > 1 )); then
  # every instance must see the same conversations, locks and channel memory
  if [[ "${TRACKER_URL:-}" != postgresql* ]] || [ -z "${REDIS_URL:-}" ]; then
    echo "RASA_INSTANCES=$RASA_INSTANCES needs a shared tracker store and Redis: set TRACKER_URL=postgresql://..." \
         "and REDIS_URL=redis://... (README, 'Several instances')." >&2
    exit 2
  fi
  scripts/install-debian-package.sh nginx-light /usr/sbin/nginx "Several Rasa instances (RASA_INSTANCES)"
  # the page tells browsers to reach socket.io through the proxy; the instances believe its X-Forwarded-For
  export RASA_PUBLIC_URL=${RASA_PUBLIC_URL:-http://localhost:$PUBLIC_PORT}
  export TRUSTED_PROXIES=${TRUSTED_PROXIES:-127.0.0.1}
  RASA_CORS="$RASA_CORS http://localhost:$PUBLIC_PORT http://127.0.0.1:$PUBLIC_PORT"
  read -r -a cors_origins <<< "$RASA_CORS"
fi
# One turn runs at a time in each process: OpenBLAS's own threads (numpy) would only spin against the servers
# for the two cores (a third more CPU per turn measured under load, issue "Fast and light").
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
# Files the servers make (the SQLite tracker store, its journal) are readable by this user only.
umask 077
mkdir -p var
chmod 700 var

# Web chat sessions are signed with this key; kept in var/ so that conversations survive a restart.
if [ -z "${WEB_SESSION_SECRET:-}" ]; then
  if [ ! -s var/web-session-secret ]; then
    (umask 077 && .venv/bin/python -c 'import secrets; print(secrets.token_hex(32))' > var/web-session-secret)
  fi
  WEB_SESSION_SECRET=$(cat var/web-session-secret)
fi
export WEB_SESSION_SECRET

api_flags=()
# The HTTP API can read and change any conversation: only with a token.
if [ -n "${RASA_API_TOKEN:-}" ]; then api_flags=(--enable-api --auth-token "$RASA_API_TOKEN"); fi

# rasa-sdk reads the address to listen on from SANIC_HOST; the wrapper keeps personal data out of its log.
# Meanwhile Rasa tells users "please try again in a minute" (channels/action_faults.py); the back-off doubles
# from 1 s to 30 s and starts again at 1 s once the action server has run for a minute.
supervise_action_server() {
  local delay=1 child started code
  set +e  # an exit code of the action server is a reason to restart it, not to stop
  trap 'kill "$child" 2>/dev/null; exit 0' INT TERM
  while true; do
    started=$SECONDS
    SANIC_HOST="$ACTION_HOST" .venv/bin/python scripts/action_server.py --actions actions --port "$ACTION_PORT" &
    child=$!
    wait "$child"
    code=$?
    if (( SECONDS - started >= 60 )); then delay=1; fi
    echo "The action server stopped (exit code $code); starting it again in ${delay} s." >&2
    sleep "$delay"
    delay=$(( delay * 2 > 30 ? 30 : delay * 2 ))
  done
}
supervise_action_server &
action_pid=$!
# Sanic refuses a request body over 1 MiB before reading it (413); real messages are a few kilobytes.
rasa_pids=()
rasa_addresses=()
for (( i = 0; i < RASA_INSTANCES; i++ )); do
  port=$(( RASA_PORT + i ))
  SANIC_REQUEST_MAX_SIZE=${SANIC_REQUEST_MAX_SIZE:-1048576} \
    .venv/bin/rasa run --model "$MODEL" --interface "$RASA_HOST" --port "$port" --credentials credentials.yml \
    --endpoints endpoints.yml --cors "${cors_origins[@]}" "${api_flags[@]}" &
  rasa_pids+=($!)
  rasa_addresses+=("127.0.0.1:$port")
done
.venv/bin/python scripts/serve_web.py &
web_pid=$!
proxy_pids=()
if (( RASA_INSTANCES > 1 )); then
  run_dir=$(mktemp -d "${TMPDIR:-/tmp}/kvisa-nginx.XXXXXX")
  .venv/bin/python scripts/render_nginx.py "$run_dir/nginx.conf" "$run_dir" "127.0.0.1:$PUBLIC_PORT" \
    "127.0.0.1:$WEB_PORT" "${rasa_addresses[@]}"
  nginx -e "$run_dir/nginx-error.log" -c "$run_dir/nginx.conf" -g 'daemon off;' &
  proxy_pids+=($!)
fi

stop() { kill "$action_pid" "${rasa_pids[@]}" "$web_pid" "${proxy_pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap 'stop; exit 130' INT TERM
echo "Starting: action server on $ACTION_HOST:$ACTION_PORT, $RASA_INSTANCES Rasa server(s) from $RASA_HOST:$RASA_PORT (about a minute to load), chat page on http://$WEB_HOST:$WEB_PORT/. Ctrl-C stops all."
if (( RASA_INSTANCES > 1 )); then echo "Behind nginx on http://127.0.0.1:$PUBLIC_PORT/ (page, socket.io, webhooks)."; fi
# If a Rasa server, the page server or the proxy dies, stop the others and report its exit code.
set +e
wait -n "${rasa_pids[@]}" "$web_pid" "${proxy_pids[@]}"
code=$?
stop
exit "$code"
