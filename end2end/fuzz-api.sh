#!/usr/bin/env bash
# `make fuzz-api`: schemathesis generates requests from /api/openapi.json and
# sends them to a release `latchkey`, once on a fresh SQLite file and once on
# a fresh PostgreSQL database (127.0.0.1:5432, or FUZZ_POSTGRES_URL); any 5xx
# or undocumented answer fails. Stateful links are followed with a real token
# (logout and DELETE are left out so the token survives the run). The public
# URL is a host name so that passkeys are on.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=target/release/latchkey
PORT=${FUZZ_PORT:-3990}
PG_BASE=${FUZZ_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}
DATA=$(mktemp -d)
PID=
PG_DB=
cleanup() {
  kill "$PID" 2>/dev/null || true
  rm -rf "$DATA"
  if [ -n "$PG_DB" ]; then psql "$PG_BASE/postgres" -qc "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
command -v schemathesis >/dev/null || python3 -m pip install --quiet "schemathesis==4.32.5"

run_against() {
  local label=$1 db_url=$2 dir=$DATA/$1
  mkdir -p "$dir"
  echo "== schemathesis against $label"
  DATABASE_URL=$db_url LATCHKEY_ADDR=127.0.0.1:$PORT LATCHKEY_DATA_DIR=$dir \
    LATCHKEY_PUBLIC_URL=http://localhost:$PORT \
    LATCHKEY_SECRET_KEY=fuzz-secret-key-that-is-long-enough-0123 \
    LATCHKEY_EMAIL_VERIFICATION=none LATCHKEY_RATE_LOGIN_IP=off LATCHKEY_RATE_LOGIN_FAILURES=off \
    LATCHKEY_RATE_SIGNUP_IP=off LATCHKEY_RATE_EMAIL_IP=off LATCHKEY_RATE_EMAIL_ACCOUNT=off \
    RUST_LOG=warn "$BIN" >"$dir/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/api/openapi.json" >/dev/null && break; sleep 0.2; done
  local key
  key=$(curl -sf -X POST -H 'Content-Type: application/json' \
    -d '{"username":"fuzz","email":"fuzz@example.com","password1":"Fuzz-Latch-77x","password2":"Fuzz-Latch-77x"}' \
    "http://127.0.0.1:$PORT/api/auth/registration/" | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
  (cd "$dir" && schemathesis run "http://127.0.0.1:$PORT/api/openapi.json" --url "http://127.0.0.1:$PORT" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    -H "Authorization: Token $key" --max-examples "${FUZZ_EXAMPLES:-100}" \
    --exclude-method DELETE --exclude-path /api/auth/logout/ --exclude-path /auth/token/logout/ \
    --exclude-path /api/v1/accounts/logout/)
  kill "$PID"; wait "$PID" 2>/dev/null || true
  if grep -qi "panicked" "$dir/server.log"; then
    echo "the server panicked ($label):"; grep -i -A5 "panicked" "$dir/server.log"; exit 1
  fi
}

run_against sqlite "sqlite://$DATA/fuzz.db?mode=rwc"
PG_DB=lk_fuzz_$$_$RANDOM
psql "$PG_BASE/postgres" -qc "CREATE DATABASE $PG_DB" >/dev/null
run_against postgres "$PG_BASE/$PG_DB"
