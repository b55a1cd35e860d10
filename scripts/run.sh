#!/usr/bin/env bash
# Starts the action server, the Rasa server (REST, socket.io, and Telegram / WeChat when configured) and the web
# chat page in the foreground; Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
ACTION_PORT=${ACTION_PORT:-5055}
RASA_PORT=${RASA_PORT:-5005}
WEB_PORT=${WEB_PORT:-8080}
export RASA_PORT WEB_PORT
MODEL=${MODEL:-models/kvisa.tar.gz}
mkdir -p var

api_flags=()
# The HTTP API can read and change any conversation: only with a token.
if [ -n "${RASA_API_TOKEN:-}" ]; then api_flags=(--enable-api --auth-token "$RASA_API_TOKEN"); fi

.venv/bin/rasa run actions --actions actions --port "$ACTION_PORT" &
action_pid=$!
.venv/bin/rasa run --model "$MODEL" --port "$RASA_PORT" --credentials credentials.yml \
  --endpoints endpoints.yml --cors "${RASA_CORS:-*}" "${api_flags[@]}" &
rasa_pid=$!
.venv/bin/python scripts/serve_web.py &
web_pid=$!

stop() { kill "$action_pid" "$rasa_pid" "$web_pid" 2>/dev/null || true; wait 2>/dev/null || true; }
trap 'stop; exit 130' INT TERM
echo "Starting: action server on :$ACTION_PORT, Rasa server on :$RASA_PORT (about a minute to load), chat page on http://localhost:$WEB_PORT/. Ctrl-C stops all."
# If any of them dies, stop the others and report its exit code.
set +e
wait -n "$action_pid" "$rasa_pid" "$web_pid"
code=$?
stop
exit "$code"
