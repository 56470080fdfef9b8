#!/usr/bin/env bash
# Notices by mail (docs/records.md, "Notices by mail"), against a local SMTP
# sink (smtp_sink.py, standard library only): a reported incident mails the
# reporter's 情報セキュリティ管理者 and the 統括情報セキュリティ責任者 (the
# Japanese subject decodes, the body names the record); with the relay down
# the notice is kept with one attempt, its error and a next attempt in the
# future; with the relay back and the clock past it, it is sent exactly once;
# an account without an address waits, and is mailed once it has one.  The
# settings and addresses are checked and audited, and the trail verifies.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/m.db" MAMORI_ACTOR="cli:operator" LANG=C.UTF-8
SINK_PIDS=()
trap 'for p in "${SINK_PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT

# start_sink DIR [ARGS…]: a sink keeping messages in DIR; its port in $PORT
start_sink() {
	local dir=$1
	shift
	mkdir -p "$dir"
	rm -f "$dir.port"
	/usr/bin/python3 "$SRCDIR/tests/cli/smtp_sink.py" "$dir" "$dir.port" "$@" &
	SINK_PIDS+=($!)
	for _ in $(seq 100); do [ -s "$dir.port" ] && break; sleep 0.05; done
	PORT=$(cat "$dir.port")
}

# A port nothing listens on: a relay that is down.
free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# notice FIELD RECIPIENT RECORD: a field of that notice from record notices --json
notice() {
	"$MAMORI" record notices --json >"$TMP/notices" 2>/dev/null
	/usr/bin/python3 -c 'import json,sys
n=[x for x in json.load(open(sys.argv[1])) if x["recipient"]==sys.argv[3] and x["record"]==sys.argv[4]]
print(n[0][sys.argv[2]] if n else "none")' "$TMP/notices" "$@"
}

expect_exit 0 "init" -- "$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml"
expect_exit 0 "user tanaka" -- "$MAMORI" user add tanaka --role staff --department soumu
expect_exit 0 "user kanri" -- "$MAMORI" user add kanri --role security-manager --department soumu --email kanri@example.lg.jp
expect_exit 0 "user touk" -- "$MAMORI" user add touk --role chief-officer
expect_exit 0 "user ciso" -- "$MAMORI" user add ciso1 --role ciso --email ciso@example.lg.jp

# ---- addresses: checked, shown, audited
expect_exit 1 "address without @" -- "$MAMORI" user add x1 --role staff --email kanri.example.lg.jp
expect_grep "$TMP/err" "has no '@'" "missing @ said"
expect_exit 1 "address in Japanese" -- "$MAMORI" user add x2 --role staff --email 山田@example.lg.jp
expect_grep "$TMP/err" "must be ASCII" "non-ASCII address refused with the reason"
expect_exit 1 "header injection" -- "$MAMORI" user email touk $'touk@example.lg.jp\r\nBcc: x@evil.example'
expect_exit 2 "email without an address" -- "$MAMORI" user email touk
expect_exit 1 "email of nobody" -- "$MAMORI" user email nobody n@example.lg.jp
expect_exit 0 "user list --json" -- "$MAMORI" user list --json
/usr/bin/python3 -c 'import json,sys
u={x["name"]: x["email"] for x in json.load(open(sys.argv[1]))}
assert u=={"ciso1":"ciso@example.lg.jp","kanri":"kanri@example.lg.jp","tanaka":None,"touk":None}, u' "$TMP/out" && ok || not_ok "user list --json: email"
expect_exit 0 "user list" -- "$MAMORI" user list
expect_grep "$TMP/out" "kanri@example.lg.jp" "user list shows the address"

# ---- settings
expect_exit 0 "mail settings, none" -- "$MAMORI" record mail
expect_grep "$TMP/out" "not sent by mail until" "unset settings said"
expect_exit 1 "relay with a password" -- "$MAMORI" record mail --relay smtp://u:secret@relay.example.lg.jp
expect_grep "$TMP/err" "user or password" "credentials in the relay refused"
expect_exit 1 "relay not smtp" -- "$MAMORI" record mail --relay http://relay.example.lg.jp
expect_exit 1 "sender not an address" -- "$MAMORI" record mail --from mamori
expect_exit 1 "send without a relay" -- "$MAMORI" record send
expect_grep "$TMP/err" "mail.relay is not set" "send says what is missing"
expect_exit 0 "tick without mail" -- "$MAMORI" record tick --now "2026-12-05 09:00" --json
expect_grep "$TMP/out" '^{"escalated": 0, "automatic": 0, "notices": 0}$' "tick without mail says nothing of mail"

start_sink "$TMP/sink1"
expect_exit 0 "mail settings" -- "$MAMORI" record mail --relay "smtp://127.0.0.1:$PORT" --from mamori@example.lg.jp \
	--url https://mamori.example.lg.jp/
expect_exit 0 "mail settings --json" -- "$MAMORI" record mail --json
/usr/bin/python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
assert d["relay"]=="smtp://127.0.0.1:"+sys.argv[2] and d["from"]=="mamori@example.lg.jp" and d["enabled"] is True, d
assert d["url"]=="https://mamori.example.lg.jp/", d' "$TMP/out" "$PORT" && ok || not_ok "settings stored"

# ---- a report: mailed to the 管理者 at once (touk has no address yet: waits)
expect_exit 0 "report" -- "$MAMORI" incident report --by tanaka --set summary="USBメモリを紛失した" --now "2026-12-05 10:00"
expect_exit 0 "tick mails" -- "$MAMORI" record tick --now "2026-12-05 10:00" --json
expect_grep "$TMP/out" '"mail": {"sent": 1, "failed": 0, "waiting": 1}' "one sent, one waiting for an address"
[ "$(ls "$TMP/sink1"/*.eml 2>/dev/null | wc -l)" -eq 1 ] && ok || not_ok "the sink got one message"
[ "$(notice attempts touk INC-000001)" = 0 ] && ok || not_ok "waiting: no attempt counted"
notice error touk INC-000001 | grep -q "no mail address" && ok || not_ok "waiting: why is kept"
[ "$(notice next_attempt touk INC-000001)" = "2026-12-06T01:00:00Z" ] && ok || not_ok "waiting: looked at again a day later"
expect_exit 0 "tick again" -- "$MAMORI" record tick --now "2026-12-05 10:01" --json
expect_grep "$TMP/out" '"mail": {"sent": 0, "failed": 0, "waiting": 0}' "waiting is not retried every minute"
expect_exit 0 "touk's address" -- "$MAMORI" user email touk touk@example.lg.jp
expect_exit 0 "send now" -- "$MAMORI" record send --now "2026-12-05 10:02" --json
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d=={"sent":1,"failed":0,"waiting":0}, d' "$TMP/out" \
	&& ok || not_ok "the address set: the waiting notice goes at once"
/usr/bin/python3 - "$TMP/sink1" <<'PY' && ok || not_ok "the 管理者 and the 統括 got the report, Japanese subject, body with the id"
import email, email.policy, glob, json, sys
got = {}
for f in sorted(glob.glob(sys.argv[1] + "/*.eml")):
    raw = open(f, "rb").read()
    env = json.load(open(f[:-4] + ".json"))
    m = email.message_from_bytes(raw, policy=email.policy.default)
    for line in raw.split(b"\r\n"):
        assert len(line) <= 78, line
    assert all(b < 0x80 for b in raw), "8-bit byte in the message"
    assert env["from"] == "mamori@example.lg.jp", env
    assert m["To"].addresses[0].addr_spec == env["to"][0], (m["To"], env)
    assert m["Message-ID"] and m["Date"], m
    body = m.get_content()
    assert "INC-000001" in body and "報告" in body, body
    assert "https://mamori.example.lg.jp/#/records/incident/INC-000001" in body, body
    assert "USBメモリ" not in body, "the record's fields stay out of the mail"
    got[env["to"][0]] = str(m["Subject"])
assert sorted(got) == ["kanri@example.lg.jp", "touk@example.lg.jp"], got
for s in got.values():
    assert s == "【mamori】情報セキュリティインシデント報告 INC-000001 報告", s
PY
[ "$(notice sent kanri INC-000001)" = "2026-12-05T01:00:00Z" ] && ok || not_ok "sent time kept"
expect_exit 0 "notices" -- "$MAMORI" record notices
expect_grep "$TMP/out" "kanri  INC-000001  record.create  mailed 2026-12-05T01:00:00Z" "notices show the mail"
# withdrawn, so that its deadline escalates nothing below (escalations notify as reports do)
expect_exit 0 "withdraw" -- "$MAMORI" record move INC-000001 withdrawn --by tanaka --now "2026-12-05 10:03"

# ---- the relay down: kept, counted, put off
expect_exit 0 "relay down" -- "$MAMORI" record mail --relay "smtp://127.0.0.1:$(free_port)"
expect_exit 0 "second report" -- "$MAMORI" incident report --by tanaka --set summary="不審なメール" --now "2026-12-05 11:00"
expect_exit 0 "withdraw" -- "$MAMORI" record move INC-000002 withdrawn --by tanaka --now "2026-12-05 11:00"
expect_exit 0 "tick, relay down" -- "$MAMORI" record tick --now "2026-12-05 11:00" --json
expect_grep "$TMP/out" '"failed": 1' "one attempt failed (the run ends at an unreachable relay)"
[ "$(notice attempts kanri INC-000002)" = 1 ] && ok || not_ok "relay down: attempts 1"
[ "$(notice sent kanri INC-000002)" = None ] && ok || not_ok "relay down: not sent"
[ "$(notice error kanri INC-000002)" != None ] && ok || not_ok "relay down: the error kept"
[ "$(notice next_attempt kanri INC-000002)" = "2026-12-05T02:01:00Z" ] && ok || not_ok "relay down: tried again a minute later"
expect_exit 0 "tick, relay still down" -- "$MAMORI" record tick --now "2026-12-05 11:00:30" --json
expect_grep "$TMP/out" '"failed": 1' "the next notice tried"
expect_exit 0 "tick before any is due" -- "$MAMORI" record tick --now "2026-12-05 11:00:40" --json
expect_grep "$TMP/out" '"mail": {"sent": 0, "failed": 0, "waiting": 0}' "nothing tried before its time"
expect_exit 0 "notices" -- "$MAMORI" record notices
expect_grep "$TMP/out" "kanri  INC-000002  record.create  not mailed (1 attempts: " "notices show the failure"

# ---- the relay back, time past the next attempt: each sent exactly once
start_sink "$TMP/sink2"
expect_exit 0 "relay back" -- "$MAMORI" record mail --relay "smtp://127.0.0.1:$PORT"
expect_exit 0 "tick, relay back" -- "$MAMORI" record tick --now "2026-12-05 11:02" --json
expect_grep "$TMP/out" '"mail": {"sent": 2, "failed": 0, "waiting": 0}' "both sent"
expect_exit 0 "tick once more" -- "$MAMORI" record tick --now "2026-12-05 12:00" --json
expect_grep "$TMP/out" '"mail": {"sent": 0, "failed": 0, "waiting": 0}' "nothing sent twice"
/usr/bin/python3 - "$TMP/sink2" <<'PY' && ok || not_ok "the relay got each notice exactly once"
import glob, json, sys
to = sorted(json.load(open(f))["to"][0] for f in glob.glob(sys.argv[1] + "/*.json"))
assert to == ["kanri@example.lg.jp", "touk@example.lg.jp"], to
PY
[ "$(notice attempts kanri INC-000002)" = 2 ] && ok || not_ok "attempts counted to the one that went"
[ "$(notice error kanri INC-000002)" = None ] && ok || not_ok "the error cleared once sent"

# ---- a relay that refuses one address: the others go
start_sink "$TMP/sink3" --refuse touk@example.lg.jp
expect_exit 0 "refusing relay" -- "$MAMORI" record mail --relay "smtp://127.0.0.1:$PORT"
expect_exit 0 "third report" -- "$MAMORI" incident report --by tanaka --set summary="誤送信" --now "2026-12-05 13:00"
expect_exit 0 "tick, one refused" -- "$MAMORI" record tick --now "2026-12-05 13:00" --json
expect_grep "$TMP/out" '"mail": {"sent": 1, "failed": 1, "waiting": 0}' "one refused, the other sent"
notice error touk INC-000003 | grep -q "550" && ok || not_ok "the relay's answer kept"

# ---- the trail: every change of the settings, the addresses and the outbox
expect_exit 0 "log" -- "$MAMORI" log show --json
/usr/bin/python3 - "$TMP/out" <<'PY' && ok || not_ok "settings, addresses and deliveries in the trail"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")] if not open(sys.argv[1]).read().lstrip().startswith("[") else json.load(open(sys.argv[1]))
acts = [e["action"] for e in ev]
assert acts.count("config.set") >= 6, acts
assert "user.email" in acts, acts
assert acts.count("notice.sent") == 5, acts.count("notice.sent")
assert acts.count("notice.failed") == 3, acts.count("notice.failed")
assert acts.count("notice.waiting") == 1, acts.count("notice.waiting")
PY
expect_exit 0 "log verify" -- "$MAMORI" log verify

# ---- mamori serve: its tick mails (once at start), the users API sets addresses,
# and a relay that never answers holds up no request
expect_exit 0 "touk's password" -- sh -c 'echo pw-touk | "$MAMORI" user passwd touk --password-stdin'
start_sink "$TMP/sink4"
expect_exit 0 "relay for serve" -- "$MAMORI" record mail --relay "smtp://127.0.0.1:$PORT"
expect_exit 0 "fourth report" -- "$MAMORI" incident report --by tanaka --set summary="画面の盗み見"
port=$(free_port)
B="http://127.0.0.1:$port"
"$MAMORI" serve --listen "127.0.0.1:$port" >"$TMP/serve.out" 2>"$TMP/serve.err" &
pid=$!
SINK_PIDS+=($pid)
for _ in $(seq 50); do curl -s -o /dev/null "$B/api/health" && break; sleep 0.1; done
for _ in $(seq 100); do [ "$(ls "$TMP/sink4"/*.eml 2>/dev/null | wc -l)" -ge 3 ] && break; sleep 0.1; done
/usr/bin/python3 - "$TMP/sink4" <<'PY' && ok || not_ok "serve's tick mailed the waiting notices"
import email, email.policy, glob, json, sys
got = sorted((json.load(open(f))["to"][0], email.message_from_bytes(open(f[:-5] + ".eml", "rb").read(),
    policy=email.policy.default)["Subject"].split()[1]) for f in glob.glob(sys.argv[1] + "/*.json"))
assert got == [("kanri@example.lg.jp", "INC-000004"), ("touk@example.lg.jp", "INC-000003"),
    ("touk@example.lg.jp", "INC-000004")], got
PY
c() { curl -s -b "$TMP/jar" -c "$TMP/jar" -o "$TMP/body" -w '%{http_code}' "$@"; }
j() { /usr/bin/python3 -c "import json,sys; d=json.load(open('$TMP/body')); $1"; }
[ "$(c -X POST -d '{"username":"touk","password":"pw-touk"}' "$B/api/login")" = 200 ] && ok || not_ok "login"
T=$(j 'print(d["csrf"])')
[ "$(c "$B/api/users/kanri")" = 200 ] && ok || not_ok "GET an account"
j 'assert d["email"] == "kanri@example.lg.jp", d' && ok || not_ok "the account's email in the API"
[ "$(c -X POST -H "X-CSRF-Token: $T" -d '{"email":"tanaka at example"}' "$B/api/users/tanaka/email")" = 422 ] \
	&& ok || not_ok "a bad address: 422"
j 'assert d["error"]["field"] == "email" and "@" in d["error"]["message"], d' && ok || not_ok "422 names the field and why"
[ "$(c -X POST -H "X-CSRF-Token: $T" -d '{"mail":"x"}' "$B/api/users/tanaka/email")" = 400 ] && ok || not_ok "a wrong body: 400"
[ "$(c -X POST -H "X-CSRF-Token: $T" -d '{"email":"tanaka@example.lg.jp"}' "$B/api/users/tanaka/email")" = 200 ] \
	&& ok || not_ok "set an address"
j 'assert d["email"] == "tanaka@example.lg.jp", d' && ok || not_ok "the account with its address"
[ "$(c -X POST -H "X-CSRF-Token: $T" -d '{"email":null}' "$B/api/users/tanaka/email")" = 200 ] && ok || not_ok "clear it"
j 'assert d["email"] is None, d' && ok || not_ok "cleared"
[ "$(c -X POST -H "X-CSRF-Token: $T" -d '{"name":"sato","role":"staff","department":"soumu","email":"sato@"}' \
	"$B/api/users")" = 422 ] && ok || not_ok "POST /api/users with a bad address: 422"
[ "$(c -X POST -H "X-CSRF-Token: $T" -d '{"name":"sato","role":"staff","department":"soumu","email":"sato@example.lg.jp","password":"pw-sato-1"}' \
	"$B/api/users")" = 201 ] && ok || not_ok "POST /api/users with an address"
j 'assert d["email"] == "sato@example.lg.jp", d' && ok || not_ok "the new account's address"
kill "$pid"; wait "$pid" 2>/dev/null

# a relay that takes the connection and never answers: the server still
# answers at once, and stops at once when told
/usr/bin/python3 -c 'import socket,sys,time
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(8)
open(sys.argv[1]+".tmp","w").write(str(s.getsockname()[1])); __import__("os").rename(sys.argv[1]+".tmp",sys.argv[1])
time.sleep(300)' "$TMP/mute.port" &
SINK_PIDS+=($!)
for _ in $(seq 100); do [ -s "$TMP/mute.port" ] && break; sleep 0.05; done
expect_exit 0 "mute relay" -- "$MAMORI" record mail --relay "smtp://127.0.0.1:$(cat "$TMP/mute.port")"
expect_exit 0 "fifth report" -- "$MAMORI" incident report --by tanaka --set summary="パスワードの貼り紙"
port=$(free_port)
B="http://127.0.0.1:$port"
"$MAMORI" serve --listen "127.0.0.1:$port" >"$TMP/serve.out" 2>"$TMP/serve.err" &
pid=$!
SINK_PIDS+=($pid)
for _ in $(seq 50); do curl -s -o /dev/null "$B/api/health" && break; sleep 0.1; done
sleep 1	# the start's tick is waiting for the relay now (curl gives up after 60 s)
start=$(date +%s)
[ "$(c -X POST -d '{"username":"touk","password":"pw-touk"}' "$B/api/login")" = 200 ] && ok || not_ok "login while the relay hangs"
T=$(j 'print(d["csrf"])')
[ "$(c -X POST -H "X-CSRF-Token: $T" -d '{"email":"tanaka@example.lg.jp"}' "$B/api/users/tanaka/email")" = 200 ] \
	&& ok || not_ok "a change while the relay hangs"
# both wrote to the store while the message was still under way: it holds no lock
! grep -q "mail:" "$TMP/serve.err" && [ $(($(date +%s) - start)) -lt 30 ] && ok \
	|| not_ok "requests answered while the relay hangs, not after it"
start=$(date +%s)
kill "$pid"; wait "$pid" 2>/dev/null
[ $(($(date +%s) - start)) -lt 20 ] && ok || not_ok "the server stops without waiting for the relay (60 s)"
expect_exit 0 "log verify after serve" -- "$MAMORI" log verify
finish
