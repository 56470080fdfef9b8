#!/usr/bin/env bash
# The server on a store: login with password and TOTP, sessions and CSRF, role
# access from the policy on the register routes, lock-out, logout; every
# mutation and every refusal in the audit trail.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/s.db" MAMORI_ACTOR=test:admin
"$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml" >/dev/null && ok || not_ok "init"
"$MAMORI" asset import "$SRCDIR/examples/assets.csv" >/dev/null && ok || not_ok "import"
"$MAMORI" user add tanaka --role staff --department 税務課 --password-stdin <<<'pw-tanaka' && ok || not_ok "add tanaka"
"$MAMORI" user add kansa --role auditor --password-stdin <<<'pw-kansa' && ok || not_ok "add auditor"
secret=$("$MAMORI" user mfa enroll kansa | sed -n 's/.*secret=\([A-Z2-7]*\).*/\1/p')
[ -n "$secret" ] && ok || not_ok "enrol auditor"

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
B="http://127.0.0.1:$port"
"$MAMORI" serve --listen "127.0.0.1:$port" --web "$SRCDIR/web" >"$TMP/serve.out" 2>"$TMP/serve.err" &
pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "$B/api/health" && break; sleep 0.1; done

# c JAR ARGS…: status code, body in $TMP/body
c() { local jar=$1; shift; curl -s -b "$TMP/$jar" -c "$TMP/$jar" -o "$TMP/body" -w '%{http_code}' "$@"; }
totp() { /usr/bin/python3 - "$1" <<'PY'
import base64, hmac, struct, sys, time
key = base64.b32decode(sys.argv[1]); n = int(time.time()) // 30
h = hmac.new(key, struct.pack(">Q", n), "sha1").digest(); o = h[-1] & 15
print("%06d" % ((struct.unpack(">I", h[o:o + 4])[0] & 0x7fffffff) % 1000000))
PY
}

[ "$(c anon "$B/api/assets")" = 401 ] && ok || not_ok "no session: 401"
[ "$(c anon "$B/api/health")" = 200 ] && ok || not_ok "health is public"
[ "$(curl -s -o /dev/null -w '%{http_code}' -b 'mamori_session=0000000000000000000000000000000000000000000000000000000000000000' "$B/api/assets")" = 401 ] && ok || not_ok "made-up session: 401"
[ "$(c t -X POST -d '{"username":"tanaka","password":"wrong"}' "$B/api/login")" = 401 ] && ok || not_ok "bad password"
expect_grep "$TMP/body" '"message":"login failed (' "no detail on failure"
[ "$(c t -X POST -d '{"username":"tanaka","password":"pw-tanaka"}' "$B/api/login")" = 200 ] && ok || not_ok "login"
expect_grep "$TMP/body" '"role":"staff"' "login returns the user"
csrf=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf"])' "$TMP/body")
grep -q 'HttpOnly' "$TMP/t" && ok || not_ok "cookie stored"
[ "$(c t "$B/api/me")" = 200 ] && ok || not_ok "me"
[ "$(c t "$B/api/assets")" = 200 ] && ok || not_ok "list"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["count"]==2 and {a["department"] for a in d["assets"]}=={"zeimu"}, d["count"]' "$TMP/body" && ok || not_ok "staff sees only 税務課's assets"
[ "$(c t "$B/api/assets/A-000003")" = 200 ] && ok || not_ok "own department's asset"
expect_grep "$TMP/body" '"id":"issued-terminal-only"' "asset carries its 取扱制限"
[ "$(c t "$B/api/assets/A-000001")" = 403 ] && ok || not_ok "another department's asset: 403"
new='{"name":"課税資料","kind":"情報","department":"税務課","confidentiality":2,"integrity":1,"availability":1}'
[ "$(c t -X POST -d "$new" "$B/api/assets")" = 403 ] && ok || not_ok "no CSRF token: 403"
[ "$(c t -X POST -H "X-CSRF-Token: $csrf" -d "$new" "$B/api/assets")" = 201 ] && ok || not_ok "add with CSRF"
[ "$(c t -X POST -H "X-CSRF-Token: $csrf" -d "${new/税務課/市民課}" "$B/api/assets")" = 403 ] && ok || not_ok "add for another department: 403"
[ "$(c t -X POST -H "X-CSRF-Token: $csrf" -d '{"name":"x","kind":"disk","department":"税務課","confidentiality":9,"integrity":1,"availability":1}' "$B/api/assets")" = 422 ] && ok || not_ok "invalid asset: 422"
expect_grep "$TMP/body" "unknown kind 'disk'" "422 lists the problems"
# the one shape of validation problems (docs/api.md): error.diagnostics, as a policy's and an import's
/usr/bin/python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["error"]; assert e["code"]=="invalid" and "problems" not in e, e; assert any("disk" in d["message"] and d["severity"]=="error" for d in e["diagnostics"]), e' "$TMP/body" && ok || not_ok "an invalid asset's problems are its diagnostics"
[ "$(c t -X POST -H "X-CSRF-Token: $csrf" -d '{"method":"shred","by":"田中","date":"2026-11-22"}' "$B/api/assets/A-000003/dispose")" = 403 ] && ok || not_ok "職員 may not dispose"

# the auditor needs the one-time code, reads everything, changes nothing
[ "$(c a -X POST -d '{"username":"kansa","password":"pw-kansa"}' "$B/api/login")" = 401 ] && ok || not_ok "auditor without TOTP"
expect_grep "$TMP/body" 'one-time code' "TOTP asked for"
[ "$(c a -X POST -d "{\"username\":\"kansa\",\"password\":\"pw-kansa\",\"totp\":\"$(totp "$secret")\"}" "$B/api/login")" = 200 ] && ok || not_ok "auditor with TOTP"
acsrf=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf"])' "$TMP/body")
[ "$(c a "$B/api/assets")" = 200 ] && ok || not_ok "auditor lists"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["count"]==21, d["count"]' "$TMP/body" && ok || not_ok "auditor sees every department"
[ "$(c a -X POST -H "X-CSRF-Token: $acsrf" -d "$new" "$B/api/assets")" = 403 ] && ok || not_ok "auditor may not add"
[ "$(c a "$B/api/log/verify")" = 200 ] && ok || not_ok "auditor verifies"
expect_grep "$TMP/body" '"intact":true' "trail intact"
[ "$(c a "$B/api/log/head")" = 200 ] && ok || not_ok "head"
expect_grep "$TMP/body" '^mamori tree head v2' "head text"

# logout ends the session
[ "$(c t -X POST -H "X-CSRF-Token: $csrf" "$B/api/logout")" = 200 ] && ok || not_ok "logout"
[ "$(c t "$B/api/me")" = 401 ] && ok || not_ok "after logout: 401"

# lock-out: repeated failures slow the account down, then the address
for i in 1 2 3 4 5; do c x -X POST -d '{"username":"tanaka","password":"no"}' "$B/api/login" >/dev/null; done
# the account's back-off (2–4 s after five failures) can be over before the next
# login on a loaded machine: the wait is made certain in the store, which the
# server reads at every login (the back-off itself: tests/unit/test_user.c)
# SQL behind mamori's back: sqlite3 on SQLite's file, psql on PostgreSQL's store (tests/pg/sql.sh)
store_sql=sqlite3; [ "${MAMORI_TEST_BACKEND:-}" = postgresql ] && store_sql=$SRCDIR/tests/pg/sql.sh
"$store_sql" "$MAMORI_DB" "UPDATE \"user\" SET locked_until = $(($(date +%s) + 600)) WHERE name = 'tanaka'"
[ "$(c x -X POST -d '{"username":"tanaka","password":"pw-tanaka"}' "$B/api/login")" = 401 ] && ok || not_ok "account backs off"
expect_grep "$TMP/body" '"message":"login failed (after repeated failures' "back-off: the one failure message"
for i in 1 2 3 4; do c x -X POST -d '{"username":"nobody","password":"no"}' "$B/api/login" >/dev/null; done
[ "$(c x -X POST -d '{"username":"kansa","password":"pw-kansa"}' "$B/api/login")" = 429 ] && ok || not_ok "address backs off: 429"
"$store_sql" "$MAMORI_DB" "UPDATE \"user\" SET locked_until = 0 WHERE name = 'tanaka'"

# systems: Bearer tokens, scoped, no CSRF
rtok=$("$MAMORI" user token tanaka --scope read --days 1)
wtok=$("$MAMORI" user token tanaka --scope write)
[ ${#rtok} -eq 64 ] && ok || not_ok "token printed"
[ "$(c n -H "Authorization: Bearer $rtok" "$B/api/assets")" = 200 ] && ok || not_ok "read token reads"
[ "$(c n -H "Authorization: Bearer $rtok" -X POST -d "$new" "$B/api/assets")" = 403 ] && ok || not_ok "read token may not write"
[ "$(c n -H "Authorization: Bearer $wtok" -X POST -d "${new/課税資料/課税資料2}" "$B/api/assets")" = 201 ] && ok || not_ok "write token writes without CSRF"
# a token with its last digit changed (to 1 when it was 0, else to 0)
wrong="${rtok%?}$([ "${rtok: -1}" = 0 ] && echo 1 || echo 0)"
[ "$(c n -H "Authorization: Bearer $wrong" "$B/api/assets")" = 401 ] && ok || not_ok "wrong token: 401"
# the store read behind mamori's back (PostgreSQL's: tests/pg/sql.sh)
if [ "${MAMORI_TEST_BACKEND:-}" = postgresql ]; then
	[ "$("$store_sql" "$MAMORI_DB" "SELECT count(*) FROM api_token WHERE hash = '$rtok'")" = 0 ] && ok ||
		not_ok "tokens are not stored in clear"
else
/usr/bin/python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); n=c.execute("select count(*) from api_token where hash=?",(sys.argv[2],)).fetchone()[0]; sys.exit(0 if n==0 else 1)' "$MAMORI_DB" "$rtok" && ok || not_ok "tokens are not stored in clear"
fi
"$MAMORI" user disable tanaka >/dev/null
[ "$(c n -H "Authorization: Bearer $wtok" "$B/api/assets")" = 401 ] && ok || not_ok "disabled user's token refused"

kill -TERM "$pid"; wait "$pid"

# an idle session expires (a second server with a 4-second idle timeout)
"$MAMORI" user enable tanaka >/dev/null
"$MAMORI" serve --listen "127.0.0.1:$port" --web "$SRCDIR/web" --session-idle 4 >/dev/null 2>&1 &
pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "$B/api/health" && break; sleep 0.1; done
[ "$(c e -X POST -d '{"username":"tanaka","password":"pw-tanaka"}' "$B/api/login")" = 200 ] && ok || not_ok "login for expiry"
[ "$(c e "$B/api/me")" = 200 ] && ok || not_ok "fresh session works"
sleep 5.5
[ "$(c e "$B/api/me")" = 401 ] && ok || not_ok "idle session expired"
kill -TERM "$pid"; wait "$pid"
"$MAMORI" log show --json >"$TMP/log"
# every refusal, 401 included, is an event with the client address and why;
# no credential (token, cookie, password) is in the trail
/usr/bin/python3 - "$TMP/log" "$wrong" "$rtok" <<'PY' && ok || not_ok "401s and 403s audited with address and reason, no secrets"
import json, sys
text = open(sys.argv[1]).read()
for secret in (sys.argv[2], sys.argv[3], "0000000000000000000000000000000000000000000000000000000000000000", "pw-tanaka"):
    assert secret not in text, "a credential is in the trail"
seen = set()
for line in text.splitlines():
    ev = json.loads(line)
    if ev["action"] != "http.denied":
        continue
    a = ev["body"]["after"]
    assert a["client"] == "127.0.0.1" and a["method"] and a["path"].startswith("/api/"), a
    seen.add((a["status"], a["why"]))
want = {(401, "no session"), (401, "unknown or expired session"), (401, "invalid or expired token"),
        (403, "csrf"),
        (403, "token scope"), (429, "login rate limit")}
missing = want - seen
assert not missing, (missing, seen)
PY
grep -q '"action":"asset.add".*"actor":"web:tanaka@127.0.0.1"\|"actor":"web:tanaka@127.0.0.1".*"action":"asset.add"' "$TMP/log" && ok || not_ok "mutation audited with actor and address"
grep -c '"action":"http.denied"' "$TMP/log" | grep -qv '^0$' && ok || not_ok "refusals audited"
grep -q '"action":"login.denied"' "$TMP/log" && ok || not_ok "failed logins audited"
# every 401 too: no session, a wrong token, a disabled account's token, an expired session
for why in 'no session' 'invalid or expired token'; do
	/usr/bin/python3 - "$TMP/log" "$why" <<'PY' && ok || not_ok "401 audited: $why"
import json, sys
events = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def body(e):
    b = e.get("body")
    return json.loads(b) if isinstance(b, str) else b
hits = [e for e in events if e.get("action") == "http.denied" and (body(e) or {}).get("after", {}).get("status") == 401
        and body(e)["after"].get("why") == sys.argv[2] and body(e)["after"].get("client") == "127.0.0.1"]
sys.exit(0 if hits else 1)
PY
done
"$MAMORI" log verify >/dev/null && ok || not_ok "trail verifies after the server"
finish
