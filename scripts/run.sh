#!/usr/bin/env bash
# Start the action server, the web app and the Rasa server (or `rasa shell`) with the given
# model. All stop together on Ctrl+C. Ports: RASA_PORT (5005), WEB_PORT (8000).
set -euo pipefail
model="$1" mode="${2:-server}"
bin=.venv/bin
rasa_port="${RASA_PORT:-5005}"

# The secrets between our own processes: Rasa -> action server (a bearer token) and web app ->
# Rasa's web channel (a signature). Made fresh for this start unless the environment sets
# them (it must when the processes run on different machines, docs/deploy.md).
new_secret() { "$bin/python" -c 'import secrets; print(secrets.token_hex(32))'; }
export ACTION_SERVER_TOKEN="${ACTION_SERVER_TOKEN:-$(new_secret)}"
export WEB_CHAT_SECRET="${WEB_CHAT_SECRET:-$(new_secret)}"

# Everything listens on 127.0.0.1 only: a reverse proxy is the public face (docs/deploy.md).
ACTION_SERVER_HOST=127.0.0.1 "$bin/python" -m actions.server --port 5055 &
actions_pid=$!
trap 'kill "$actions_pid" 2>/dev/null || true' EXIT INT TERM

if [ "$mode" = shell ]; then
    "$bin/rasa" shell --model "$model" --endpoints endpoints.yml
    exit
fi

web_port="${WEB_PORT:-8000}"
WEB_PORT="$web_port" RASA_URL="http://127.0.0.1:$rasa_port" "$bin/python" -m webapp &
web_pid=$!
trap 'kill "$actions_pid" "$web_pid" 2>/dev/null || true' EXIT INT TERM

cat <<MSG

  销售陪练 is starting (model: $model).
  When the log says "Rasa server is up and running", talk to it:

    - in a browser:   http://localhost:$web_port  (web app; first admin: make admin NAME=...)
    - in a terminal:  make shell
    - over HTTP (REST channel):
        curl -s localhost:$rasa_port/webhooks/rest/webhook \\
             -H 'Content-Type: application/json' \\
             -d '{"sender": "rep1", "message": "你好"}'
    - NLU only (HTTP API, on when RASA_AUTH_TOKEN is set):
        curl -s "localhost:$rasa_port/model/parse?token=\$RASA_AUTH_TOKEN" -d '{"text": "什么是SPIN"}'

  Conversations and role-play records: ${DATABASE_URL:-sqlite:///var/salescoach.db}
  (set DATABASE_URL=postgresql://user:password@host:5432/db to use PostgreSQL).

  Stop with Ctrl+C.

MSG
# A burst of WeCom callbacks opens many connections at once; Rasa's default listen backlog
# (100) made some wait a second for a retry (benchmarks/bench_wecom.py).
export SANIC_BACKLOG="${SANIC_BACKLOG:-1024}"
# Rasa's HTTP API reads and rewrites any conversation: off unless a token protects it.
api=()
if [ -n "${RASA_AUTH_TOKEN:-}" ]; then
    api=(--enable-api "--auth-token=$RASA_AUTH_TOKEN")  # one word: a token may start with "-"
fi
"$bin/rasa" run --model "$model" -i 127.0.0.1 --port "$rasa_port" "${api[@]}" \
    --endpoints endpoints.yml --credentials credentials.yml
