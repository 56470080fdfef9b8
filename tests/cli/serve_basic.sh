#!/usr/bin/env bash
# `mamori serve` on a loopback port: routes, error shapes and limits, static
# files, and a graceful stop on SIGTERM.
. "$(dirname "$0")/lib.sh"

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$MAMORI" serve --policy "$SRCDIR/tests/decide/fixture.yaml" --listen "127.0.0.1:$port" \
	--web "$SRCDIR/web" >"$TMP/serve.out" 2>"$TMP/serve.err" &
pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "$base/api/health" && break; sleep 0.1; done

code() { curl -s -o "$TMP/body" -w '%{http_code}' "$@"; }

[ "$(code "$base/api/health")" = 200 ] && ok || not_ok "health"
expect_grep "$TMP/body" '"status":"ok"' "health body"
[ "$(code "$base/api/policy")" = 200 ] && ok || not_ok "policy"
expect_grep "$TMP/body" '"mamori-policy":1' "policy json"
[ "$(code "$base/api/policy/render?format=bogus")" = 400 ] && ok || not_ok "render bad format"
expect_grep "$TMP/body" '"field":"format"' "render error names the field"
[ "$(code -X POST --data-binary "@$SRCDIR/tests/decide/fixture.yaml" "$base/api/policy/validate")" = 200 ] && ok || not_ok "validate good"
expect_grep "$TMP/body" '"valid":true' "validate good body"
printf 'mamori-policy: 1\nid: x\ntitel: y\n' >"$TMP/bad.yaml"
[ "$(code -X POST --data-binary "@$TMP/bad.yaml" "$base/api/policy/validate")" = 422 ] && ok || not_ok "validate bad"
expect_grep "$TMP/body" "did you mean 'title'" "validate bad body"
req='{"subject":{"roles":["staff"],"department":"soumu","terminal":{"segment":"lgwan","issued":true}},"action":"read","resource":{"classification":{"confidentiality":2},"department":"soumu","segment":"lgwan"}}'
[ "$(code -X POST -d "$req" "$base/api/decide")" = 200 ] && ok || not_ok "decide"
expect_grep "$TMP/body" '"decision":"allow"' "decide body"
[ "$(code -X POST -d '{"subject":{"roles":["x"]},"action":"read","resource":{}}' "$base/api/decide")" = 400 ] && ok || not_ok "decide unknown role"
printf '%s\n%s\n' "$req" 'nope' >"$TMP/batch"
[ "$(code -X POST --data-binary "@$TMP/batch" "$base/api/decide/batch")" = 200 ] && ok || not_ok "batch"
[ "$(wc -l <"$TMP/body")" -eq 2 ] && ok || not_ok "batch lines"
expect_grep "$TMP/body" '"line":2' "batch error line"
head -c 17000000 /dev/zero >"$TMP/big"
[ "$(code -X POST --data-binary "@$TMP/big" "$base/api/policy/validate")" = 413 ] && ok || not_ok "413"
[ "$(code "$base/api/nothing")" = 404 ] && ok || not_ok "404 api"
expect_grep "$TMP/body" '"code":"not-found"' "404 shape"
[ "$(code -X DELETE "$base/api/health")" = 405 ] && ok || not_ok "405"
[ "$(code "$base/")" = 200 ] && ok || not_ok "index"
expect_grep "$TMP/body" 'lang="ja"' "index is Japanese"
[ "$(code --path-as-is "$base/../etc/passwd")" = 404 ] && ok || not_ok "no escape from web/"

kill -TERM "$pid"
wait "$pid"
[ $? -eq 0 ] && ok || not_ok "SIGTERM exit status"
expect_grep "$TMP/serve.err" 'finishing requests in flight' "graceful stop"

# `mamori` runs mamori-full from its own directory for serve, sanitize, milter
# and quarantine, and loads none of their libraries itself
expect_exit 0 "serve through mamori-full" -- "$MAMORI" serve --routes
expect_grep "$TMP/out" 'GET /api/assets' "the routes listed by mamori-full"
mkdir -p "$TMP/alone" && cp "$MAMORI" "$TMP/alone/mamori"
expect_exit 3 "without mamori-full beside it" -- "$TMP/alone/mamori" sanitize mail --help
expect_grep "$TMP/err" "alone/mamori-full, which cannot be started: No such file or directory (install mamori-full beside mamori)" "says what is missing"
expect_exit 0 "the other commands need no mamori-full" -- "$TMP/alone/mamori" policy check "$SRCDIR/policies/mic-standard.yaml"
if command -v ldd >/dev/null; then
	ldd "$MAMORI" | grep -Eq 'libgmime|libpoppler|libcairo|libmicrohttpd|libmilter|libglib' &&
		not_ok "mamori itself loads the mail, PDF or HTTP libraries" || ok
fi
finish
