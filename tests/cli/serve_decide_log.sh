#!/usr/bin/env bash
# The server's decision log: POST /api/decide and /api/decide/batch on a store
# write decisions to the audit trail as the policy's decision_log says (all,
# denials, none), each with the asker as actor, group-committed across
# concurrent requests; `mamori log show` has them and `log verify` passes.
. "$(dirname "$0")/lib.sh"

export MAMORI_ACTOR=test:admin
allow='{"subject":{"id":"u1","roles":["staff"],"department":"zeimu","mfa":true,"terminal":{"segment":"lgwan","issued":true}},"action":"read","resource":{"classification":{"confidentiality":2},"department":"zeimu","segment":"lgwan"}}'
deny='{"subject":{"id":"u2","roles":["auditor"],"mfa":true,"terminal":{"segment":"lgwan","issued":true}},"action":"write","resource":{"asset":"A-000001"}}'
bad='{"subject":{"roles":["staf"]},"action":"read","resource":{}}'

# serve_store MODE: a store whose policy logs MODE, a token, a server; sets B, pid, tok
serve_store() {
	sed "s/^decision_log: .*/decision_log: $1/" "$SRCDIR/policies/mic-standard.yaml" >"$TMP/$1.yaml"
	export MAMORI_DB="$TMP/$1.db"
	"$MAMORI" init --policy "$TMP/$1.yaml" >/dev/null && ok || not_ok "$1: init"
	"$MAMORI" asset import "$SRCDIR/examples/assets.csv" >/dev/null && ok || not_ok "$1: import"
	"$MAMORI" user add gateway --role staff --department 税務課 --password-stdin <<<'pw-gateway-1' && ok || not_ok "$1: user"
	tok=$("$MAMORI" user token gateway --scope gateway)
	local port
	port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	B="http://127.0.0.1:$port"
	"$MAMORI" serve --listen "127.0.0.1:$port" --web "$SRCDIR/web" >"$TMP/serve.out" 2>"$TMP/serve.err" &
	pid=$!
	for _ in $(seq 50); do curl -s -o /dev/null "$B/api/health" && break; sleep 0.1; done
}
# post PATH BODY: status code, body in $TMP/body
post() { curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $tok" --data-binary "$2" "$B$1"; }
# events ACTION: how many events of ACTION by the gateway's token are in the trail
events() { /usr/bin/python3 - "$TMP/log" "$1" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["action"] == sys.argv[2] and e["actor"] == "token:gateway@127.0.0.1":
        assert e["object_type"] == "decision" and "before" in e["body"] and "after" in e["body"], e
        n += 1
print(n)
PY
}

# --- decision_log: all -------------------------------------------------------
serve_store all
[ "$(post /api/decide "$allow")" = 200 ] && ok || not_ok "all: allow answered"
expect_grep "$TMP/body" '"decision":"allow"' "all: allow body"
[ "$(post /api/decide "$deny")" = 200 ] && ok || not_ok "all: deny answered"
expect_grep "$TMP/body" '"id":"role-not-permitted"' "all: deny body"
[ "$(post /api/decide "$bad")" = 400 ] && ok || not_ok "all: unknown role is 400"
printf '%s\n%s\n\nnot json\n%s\n' "$allow" "$deny" "$allow" >"$TMP/batch"
[ "$(post /api/decide/batch "@$TMP/batch")" = 200 ] && ok || not_ok "all: batch answered"
[ "$(wc -l <"$TMP/body")" = 4 ] && ok || not_ok "all: one answer per non-blank line"
expect_grep "$TMP/body" '"line":4' "all: the malformed line has its number"
# 24 concurrent askers: their decisions share transactions (group commit)
for i in $(seq 24); do
	curl -s -o "$TMP/par$i" -w '%{http_code}\n' -H "Authorization: Bearer $tok" --data-binary "$deny" "$B/api/decide" >"$TMP/code$i" &
done
wait $(jobs -p | grep -v "^$pid$")
[ "$(cat "$TMP"/code* | sort -u)" = 200 ] && ok || not_ok "all: concurrent askers answered 200"
[ "$(cat "$TMP"/par* | grep -o '"decision":"deny"' | wc -l)" = 24 ] && ok || not_ok "all: concurrent answers"
kill -TERM "$pid"; wait "$pid"
"$MAMORI" log show --json >"$TMP/log"
[ "$(events decide.allow)" = 3 ] && ok || not_ok "all: 3 allows logged, got $(events decide.allow)"
[ "$(events decide.deny)" = 26 ] && ok || not_ok "all: 26 denials logged, got $(events decide.deny)"
[ "$(events decide.error)" = 2 ] && ok || not_ok "all: 2 undecidable requests logged, got $(events decide.error)"
grep -q '"object_id":"A-000001"' "$TMP/log" && ok || not_ok "all: the asset is the event's object"
grep -q '"request":"not json"' "$TMP/log" && ok || not_ok "all: a line that is not JSON is recorded as a string"
grep -q '"invalid_lines":1' "$TMP/log" && ok || not_ok "all: a batch's undecidable lines are one event with their count"
expect_exit 0 "all: log verify" -- "$MAMORI" log verify

# --- decision_log: denials (mic-standard's own setting) ----------------------
serve_store denials
[ "$(post /api/decide "$allow")" = 200 ] && ok || not_ok "denials: allow answered"
[ "$(post /api/decide "$deny")" = 200 ] && ok || not_ok "denials: deny answered"
[ "$(post /api/decide/batch "@$TMP/batch")" = 200 ] && ok || not_ok "denials: batch answered"
kill -TERM "$pid"; wait "$pid"
"$MAMORI" log show --json >"$TMP/log"
[ "$(events decide.allow)" = 0 ] && ok || not_ok "denials: no allow logged"
[ "$(events decide.deny)" = 2 ] && ok || not_ok "denials: 2 denials logged, got $(events decide.deny)"
[ "$(events decide.error)" = 1 ] && ok || not_ok "denials: the malformed line logged"
expect_exit 0 "denials: log verify" -- "$MAMORI" log verify

# --- decision_log: none ------------------------------------------------------
serve_store none
[ "$(post /api/decide "$deny")" = 200 ] && ok || not_ok "none: deny answered"
[ "$(post /api/decide/batch "@$TMP/batch")" = 200 ] && ok || not_ok "none: batch answered"
kill -TERM "$pid"; wait "$pid"
"$MAMORI" log show --json >"$TMP/log"
[ "$(grep -c '"action":"decide\.' "$TMP/log")" = 0 ] && ok || not_ok "none: nothing logged"
expect_exit 0 "none: log verify" -- "$MAMORI" log verify
finish
