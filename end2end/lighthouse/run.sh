#!/usr/bin/env bash
# make lighthouse (after `make release`: precompressed, hashed files): a
# server on a fresh SQLite database, a signed-in user for /profile, then
# Lighthouse's mobile preset in Debian's Chromium. Prints a table of pages.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"

data="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
LATCHKEY_ADDR="127.0.0.1:$port" LATCHKEY_DATA_DIR="$data" LATCHKEY_PUBLIC_URL="$base" \
  LATCHKEY_EMAIL_VERIFICATION=none LEPTOS_SITE_ROOT="$root/target/site" LEPTOS_HASH_FILES=true RUST_LOG=warn \
  "$root/target/release/latchkey" > "$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -fs "$base/health" > /dev/null && break; sleep 0.1; done

# a user, signed in through the login page's plain form (as a browser without wasm)
password='Lighthouse-Latch-77'
curl -fs -o /dev/null -H 'Content-Type: application/json' \
  -d "{\"username\":\"lh\",\"email\":\"lh@example.com\",\"password1\":\"$password\",\"password2\":\"$password\"}" \
  "$base/api/auth/registration/"
jar="$data/cookies"
curl -fs -o /dev/null -c "$jar" -H 'Content-Type: application/json' -H "Origin: $base" \
  -d "{\"username\":\"lh\",\"password\":\"$password\"}" "$base/api/auth/login/"
session="$(awk '$6 == "latchkey_session" { print $6 "=" $7 }' "$jar")"
[ -n "$session" ] || { echo "no session cookie from login" >&2; exit 1; }

echo "wasm, JS and CSS as served (bytes: raw / brotli / gzip):"
for f in "$root"/target/site/pkg/*.{wasm,js,css}; do
  printf '  %-40s %9d %9d %9d\n' "$(basename "$f")" "$(stat -c %s "$f")" "$(stat -c %s "$f.br")" "$(stat -c %s "$f.gz")"
done
node "$here/report.mjs" "$base" "$session"
