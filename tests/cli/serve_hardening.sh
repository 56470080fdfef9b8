#!/usr/bin/env bash
# What an attacker got through the server (issue 15 §12, 13, 16–18, and issue
# 14 §4): symbolic links in the web root, a port already in use, JSON
# coercions, field limits and the per-account rate, the decision's subject,
# multipart uploads.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/s.db" MAMORI_ACTOR=test:admin
"$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml" >/dev/null && ok || not_ok "init"
"$MAMORI" user add tanaka --role staff --department 税務課 --password-stdin <<<'pw-tanaka' && ok || not_ok "add tanaka"
"$MAMORI" user add boss --role ciso --password-stdin <<<'pw-boss' && ok || not_ok "add boss"
"$MAMORI" user add sysman --role system-manager --department 税務課 --password-stdin <<<'pw-sysman' && ok || not_ok "add sysman"
rtok=$("$MAMORI" user token tanaka --scope read)
gtok=$("$MAMORI" user token tanaka --scope gateway)

# a web root with a symlinked directory and a symlinked file
mkdir -p "$TMP/web/sub" && echo '<p>index</p>' >"$TMP/web/index.html" && echo 'real' >"$TMP/web/sub/real.txt"
ln -s /etc "$TMP/web/dirlink"
ln -s /etc/passwd "$TMP/web/filelink"
ln -s "$TMP/web/sub" "$TMP/web/sublink"

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
B="http://127.0.0.1:$port"
"$MAMORI" serve --listen "127.0.0.1:$port" --web "$TMP/web" >"$TMP/serve.out" 2>"$TMP/serve.err" &
pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "$B/api/health" && break; sleep 0.1; done

# c JAR ARGS…: status code, body in $TMP/body
c() { local jar=$1; shift; curl -s -b "$TMP/$jar" -c "$TMP/$jar" -o "$TMP/body" -w '%{http_code}' "$@"; }

# ---- §18: nothing outside the web root, by name or by link --------------------
[ "$(c n "$B/")" = 200 ] && ok || not_ok "index served"
[ "$(c n "$B/sub/real.txt")" = 200 ] && ok || not_ok "a file in a real subdirectory"
[ "$(c n "$B/dirlink/passwd")" = 404 ] && ok || not_ok "symlinked directory not followed"
grep -q root: "$TMP/body" && not_ok "/etc/passwd served" || ok
[ "$(c n "$B/filelink")" = 404 ] && ok || not_ok "symlinked file not followed"
[ "$(c n "$B/sublink/real.txt")" = 404 ] && ok || not_ok "a link inside the root is not followed either"
[ "$(c n --path-as-is "$B/sub/../../../etc/passwd")" = 404 ] && ok || not_ok "dot-dot"

# ---- issue 14 §4: a port in use is an error, exit 3 ----------------------------
"$MAMORI" serve --listen "127.0.0.1:$port" --web "$TMP/web" >"$TMP/out2" 2>"$TMP/err2" &
pid2=$!
for _ in $(seq 50); do kill -0 "$pid2" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid2" 2>/dev/null; then not_ok "a second server on the same port keeps running"; kill "$pid2"; wait "$pid2"
else wait "$pid2"; rc=$?; [ "$rc" = 3 ] && ok || not_ok "port in use: exit $rc, expected 3"; fi
expect_grep "$TMP/err2" 'already in use.*another server runs on that port' "port in use said"
[ "$(c n "$B/api/health")" = 200 ] && ok || not_ok "the first server still answers"

# ---- §13: a session or a personal token asks only for its own account ---------------
login() { c "$1" -X POST -d "{\"username\":\"$2\",\"password\":\"$3\"}" "$B/api/login"; }
csrf() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf"])' "$TMP/body"; }
[ "$(login t tanaka pw-tanaka)" = 200 ] && ok || not_ok "tanaka logs in"
ask() { printf '{"subject":{%s"terminal":{"segment":"lgwan","issued":true}},"action":"read","resource":{"classification":{"confidentiality":2},"department":"shimin","segment":"lgwan"}}' "$1"; }
[ "$(c t -X POST -d "$(ask '"roles":["ciso"],')" "$B/api/decide")" = 403 ] && ok || not_ok "session claiming ciso: 403"
expect_grep "$TMP/body" '"field":"subject.roles\[0\]"' "the role named"
[ "$(c t -X POST -d "$(ask '"roles":["情報セキュリティ統括責任者"],')" "$B/api/decide")" = 403 ] && ok || not_ok "ciso by title: 403"
[ "$(c t -X POST -d "$(ask '"id":"boss",')" "$B/api/decide")" = 403 ] && ok || not_ok "session naming another id: 403"
expect_grep "$TMP/body" '"field":"subject.id"' "the id named"
[ "$(c t -X POST -d "$(ask '"department":"市民課",')" "$B/api/decide")" = 403 ] && ok || not_ok "another department: 403"
[ "$(c t -X POST -d "$(ask '"mfa":true,')" "$B/api/decide")" = 403 ] && ok || not_ok "mfa claimed without MFA: 403"
expect_grep "$TMP/body" '"field":"subject.mfa"' "mfa named"
[ "$(c t -X POST -d "$(ask '')" "$B/api/decide")" = 200 ] && ok || not_ok "no subject fields: decided as tanaka"
expect_grep "$TMP/body" '"decision":"deny"' "as staff: deny"
[ "$(c t -X POST -d "$(ask '"roles":["職員等"],"department":"税務課",')" "$B/api/decide")" = 200 ] && ok || not_ok "own role and department by title"
[ "$(c n -H "Authorization: Bearer $rtok" -X POST -d "$(ask '"roles":["ciso"],')" "$B/api/decide")" = 403 ] && ok || not_ok "read token claiming ciso: 403"
[ "$(c n -H "Authorization: Bearer $rtok" -X POST --data-binary "$(ask '"roles":["ciso"],')" "$B/api/decide/batch")" = 200 ] && ok || not_ok "batch answers"
expect_grep "$TMP/body" '"code":"forbidden","field":"subject.roles\[0\]"' "batch line refused"
[ "$(c n -H "Authorization: Bearer $gtok" -X POST -d "$(ask '"roles":["ciso"],"mfa":false,')" "$B/api/decide")" = 200 ] && ok || not_ok "gateway token names ciso"
expect_grep "$TMP/body" '"decision":"allow"' "as ciso: allow"
[ "$(c n -H "Authorization: Bearer $gtok" -X POST -d '{"name":"x","kind":"情報","department":"税務課","confidentiality":1,"integrity":1,"availability":1}' "$B/api/assets")" = 403 ] && ok || not_ok "gateway token may not write"
# who may issue one: who manages the policy (boss), not a manager of accounts only (sysman)
[ "$(login s sysman pw-sysman)" = 200 ] && ok || not_ok "sysman logs in"
scsrf=$(csrf)
[ "$(c s -X POST -H "X-CSRF-Token: $scsrf" -d '{"scope":"gateway"}' "$B/api/users/tanaka/tokens")" = 403 ] && ok || not_ok "sysman may not issue a gateway token"
[ "$(c s -X POST -H "X-CSRF-Token: $scsrf" -d '{"scope":"read"}' "$B/api/users/tanaka/tokens")" = 201 ] && ok || not_ok "sysman issues a read token"
[ "$(login b boss pw-boss)" = 200 ] && ok || not_ok "boss logs in"
bcsrf=$(csrf)
[ "$(c b -X POST -H "X-CSRF-Token: $bcsrf" -d '{"scope":"gateway"}' "$B/api/users/tanaka/tokens")" = 201 ] && ok || not_ok "boss issues a gateway token"

# ---- §17: no coercions: NUL, trailing text, fractions, out of range --------------------
T=(-H "Authorization: Bearer $gtok")
dec() { c n "${T[@]}" -X POST --data-binary "$1" "$B/api/decide"; }
[ "$(dec '{"subject":{"id":"ab\u0000cd"},"action":"read","resource":{}}')" = 400 ] && ok || not_ok "decide: NUL in subject.id"
expect_grep "$TMP/body" '"field":"subject.id"' "NUL: field named"
[ "$(dec '{"subject":{"roles":["staff","st\u0000aff"]},"action":"read","resource":{}}')" = 400 ] && ok || not_ok "decide: NUL in a role"
expect_grep "$TMP/body" '"field":"subject.roles\[1\]"' "NUL in roles[1] named"
[ "$(dec '{"subject":{"a\u0000":1},"action":"read","resource":{}}')" = 400 ] && ok || not_ok "decide: NUL in a key"
[ "$(dec '{"subject":{"id":"a\\u0000"},"action":"read","resource":{}}')" = 200 ] && ok || not_ok "decide: an escaped backslash before u0000 is no NUL"
[ "$(dec '{"subject":{},"action":"read","resource":{}} trailing')" = 400 ] && ok || not_ok "decide: trailing text"
expect_grep "$TMP/body" 'text after the JSON value' "trailing named"
[ "$(dec '{"subject":{},"action":"read","resource":{}}{}')" = 400 ] && ok || not_ok "decide: a second value"
[ "$(dec '{"subject":{},"action":"read","resource":{}}  ')" = 200 ] && ok || not_ok "decide: trailing white space is fine"
for v in -1 2.9 0 1e300 10 1e-300; do
	[ "$(dec "{\"subject\":{},\"action\":\"read\",\"resource\":{\"classification\":{\"confidentiality\":$v}}}")" = 400 ] && ok || not_ok "decide: level $v"
	expect_grep "$TMP/body" '"field":"resource.classification.confidentiality"' "level $v: field named"
done
[ "$(dec '{"subject":{},"action":"read","resource":{"classification":{"confidentiality":2.0}}}')" = 200 ] && ok || not_ok "decide: 2.0 is the whole number 2"
# bodies of the other routes
[ "$(c x -X POST --data-binary '{"username":"tanaka","password":"pw-tanaka"} x' "$B/api/login")" = 400 ] && ok || not_ok "login: trailing text"
[ "$(c x -X POST --data-binary '{"username":"tan\u0000aka","password":"pw-tanaka"}' "$B/api/login")" = 400 ] && ok || not_ok "login: NUL in the name"
expect_grep "$TMP/body" '"field":"username"' "login NUL: field named"
asset() { c b -X POST -H "X-CSRF-Token: $bcsrf" --data-binary "$1" "$B/api/assets"; }
for v in -1 2.9 1e300; do
	[ "$(asset "{\"name\":\"x\",\"kind\":\"情報\",\"department\":\"税務課\",\"confidentiality\":$v,\"integrity\":1,\"availability\":1}")" = 400 ] && ok || not_ok "asset: level $v"
	expect_grep "$TMP/body" '"field":"confidentiality"' "asset level $v: field named"
done
[ "$(asset '{"name":"x\u0000y","kind":"情報","department":"税務課","confidentiality":1,"integrity":1,"availability":1}')" = 400 ] && ok || not_ok "asset: NUL in the name"
expect_grep "$TMP/body" '"field":"name"' "asset NUL: field named"
[ "$(c b -X POST -H "X-CSRF-Token: $bcsrf" --data-binary '{"name":"x\u0000","role":"staff"}' "$B/api/users")" = 400 ] && ok || not_ok "users: NUL in the name"
for v in 2.5 -1 1e300; do
	[ "$(c b -X POST -H "X-CSRF-Token: $bcsrf" --data-binary "{\"scope\":\"read\",\"days\":$v}" "$B/api/users/tanaka/tokens")" = 400 ] && ok || not_ok "token days $v"
	expect_grep "$TMP/body" '"field":"days"' "days $v: field named"
done

kill "$pid"; wait "$pid"
finish
