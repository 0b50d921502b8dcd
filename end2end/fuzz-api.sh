#!/usr/bin/env bash
# `make fuzz-api`: schemathesis generates requests from /api/openapi.json and
# sends them to a release `latchkey` on a fresh SQLite file; any 5xx fails.
# Stateful links are followed with a real token (logout and DELETE are left
# out so the token survives the run).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=target/release/latchkey
PORT=${FUZZ_PORT:-3990}
DATA=$(mktemp -d)
PID=
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$DATA"' EXIT
command -v schemathesis >/dev/null || python3 -m pip install --quiet "schemathesis==4.32.5"
LATCHKEY_ADDR=127.0.0.1:$PORT LATCHKEY_DATA_DIR=$DATA LATCHKEY_SECRET_KEY=fuzz-secret-key-that-is-long-enough-0123 \
  LATCHKEY_EMAIL_VERIFICATION=none LATCHKEY_RATE_LOGIN_IP=off LATCHKEY_RATE_LOGIN_FAILURES=off \
  LATCHKEY_RATE_SIGNUP_IP=off LATCHKEY_RATE_EMAIL_IP=off RUST_LOG=warn "$BIN" >"$DATA/server.log" 2>&1 &
PID=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/api/openapi.json" >/dev/null && break; sleep 0.2; done
KEY=$(curl -sf -X POST -H 'Content-Type: application/json' \
  -d '{"username":"fuzz","email":"fuzz@example.com","password1":"Fuzz-Latch-77x","password2":"Fuzz-Latch-77x"}' \
  "http://127.0.0.1:$PORT/api/auth/registration/" | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
(cd "$DATA" && schemathesis run "http://127.0.0.1:$PORT/api/openapi.json" --url "http://127.0.0.1:$PORT" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  -H "Authorization: Token $KEY" --max-examples "${FUZZ_EXAMPLES:-100}" \
  --exclude-method DELETE --exclude-path /api/auth/logout/)
if grep -qi "panicked" "$DATA/server.log"; then
  echo "the server panicked:"; grep -i -A5 "panicked" "$DATA/server.log"; exit 1
fi
