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
"$MAMORI" user add flood --role staff --department 税務課 && ok || not_ok "add flood"
ftok=$("$MAMORI" user token flood --scope read)

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

# ---- §16: field limits, one event for a batch's bad lines, a rate per account ---------
desc() { /usr/bin/python3 -c 'import json,sys; print(json.dumps({"name":"長い説明","kind":"情報","department":"税務課","confidentiality":1,"integrity":1,"availability":1,"description":"あ"*int(sys.argv[1])}, ensure_ascii=False))' "$1" >"$TMP/asset.json"; }
desc 4000; [ "$(c b -X POST -H "X-CSRF-Token: $bcsrf" --data-binary "@$TMP/asset.json" "$B/api/assets")" = 201 ] && ok || not_ok "a description of 4000 characters"
desc 4001; [ "$(c b -X POST -H "X-CSRF-Token: $bcsrf" --data-binary "@$TMP/asset.json" "$B/api/assets")" = 422 ] && ok || not_ok "a description of 4001 characters: 422"
expect_grep "$TMP/body" '説明 (description): longer than 4000 characters' "the field and its limit named"
desc 5000000; [ "$(c b -X POST -H "X-CSRF-Token: $bcsrf" --data-binary "@$TMP/asset.json" "$B/api/assets")" = 422 ] && ok || not_ok "a 15 MB description: 422"
printf '資産名,種別,所管課,機密性,完全性,可用性,説明\n長い,情報,税務課,1,1,1,%s\n' "$(head -c 5000 /dev/zero | tr '\0' a)" >"$TMP/long.csv"
"$MAMORI" asset import "$TMP/long.csv" >"$TMP/out" 2>&1 && not_ok "CSV import of a 5000-character description accepted" || ok
expect_grep "$TMP/out" 'longer than 4000 characters' "CSV import: limit named"
[ "$(c b -X POST -H "X-CSRF-Token: $bcsrf" -d "{\"method\":\"shred\",\"by\":\"$(head -c 300 /dev/zero | tr '\0' a)\",\"date\":\"2026-11-22\"}" "$B/api/assets/A-000001/dispose")" = 400 ] && ok || not_ok "dispose: a 300-character 'by'"
expect_grep "$TMP/body" '"field":"by"' "dispose: field named"
[ "$(c x -X POST -d "{\"username\":\"$(head -c 65 /dev/zero | tr '\0' a)\",\"password\":\"x\"}" "$B/api/login")" = 400 ] && ok || not_ok "login: a 65-byte user name"
expect_grep "$TMP/body" '"field":"username"' "login: field named"

# 200,000 lines that are not requests: answered line by line, logged as one event
/usr/bin/python3 -c 'import sys; sys.stdout.write("x\n" * 200000)' >"$TMP/flood"
st=$(c n -H "Authorization: Bearer $ftok" --data-binary "@$TMP/flood" "$B/api/decide/batch")
[ "$st" = 200 ] && ok || not_ok "the flood is answered: $st"
[ "$(grep -c '"code":"malformed"' "$TMP/body")" = 200000 ] && ok || not_ok "one answer per line"
# the batch spent the account's rate: its next requests wait, other accounts do not
st=$(curl -s -D "$TMP/hdr" -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $ftok" "$B/api/me")
[ "$st" = 429 ] && ok || not_ok "after 200,000 lines the account waits: $st"
grep -qi '^Retry-After: [1-9]' "$TMP/hdr" && ok || not_ok "Retry-After given"
expect_grep "$TMP/body" '"code":"rate-limited"' "429 shape"
for _ in 1 2 3; do c n -H "Authorization: Bearer $ftok" "$B/api/me" >/dev/null; done
[ "$(c n -H "Authorization: Bearer $gtok" "$B/api/me")" = 200 ] && ok || not_ok "another account is not limited"

# ---- issue 14 §4: an import from a browser form (multipart/form-data) -------------------
mkdir -p "$TMP/books" && /usr/bin/python3 "$SRCDIR/tests/cli/make_xlsx.py" "$TMP/books" >/dev/null
printf '資産名,種別,所管課,機密性,完全性,可用性\n様式から,情報,税務課,1,1,1\n様式から2,情報,税務課,2,1,1\n' >"$TMP/form.csv"
imp() { c b -X POST -H "X-CSRF-Token: $bcsrf" "$@" "$B/api/assets/import"; }
[ "$(imp -F "file=@$TMP/form.csv;type=text/csv" -F dry_run=1)" = 200 ] && ok || not_ok "form: dry run"
expect_grep "$TMP/body" '"rows":2' "form: rows counted"
expect_grep "$TMP/body" '"dry_run":true' "form: dry_run field read"
[ "$(imp -F "file=@$TMP/form.csv")" = 201 ] && ok || not_ok "form: CSV imported"
expect_grep "$TMP/body" '"imported":2' "form: imported"
[ "$(imp -F "file=@$TMP/books/ledger.xlsx" -F 'sheet=記入例' -F dry_run=true)" = 200 ] && ok || not_ok "form: workbook with a sheet"
expect_grep "$TMP/body" '"rows":1' "form: the named sheet read"
[ "$(imp -F "file=@$TMP/form.csv" -F 'owner=x')" = 400 ] && ok || not_ok "form: unknown field"
expect_grep "$TMP/body" 'unknown form field' "form: unknown field named"
[ "$(imp -F 'dry_run=1')" = 400 ] && ok || not_ok "form: no file"
expect_grep "$TMP/body" '"field":"file"' "form: file field named"
[ "$(imp -H 'Content-Type: text/csv' --data-binary "@$TMP/form.csv")" = 201 ] && ok || not_ok "a raw body still imports"

kill "$pid"; wait "$pid"
"$MAMORI" log show --json >"$TMP/log"
/usr/bin/python3 - "$TMP/log" <<'PY' && ok || not_ok "the flood: one decide.error event with the count, one rate-limit refusal"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
mine = [e for e in ev if e["actor"].startswith("token:flood@")]
errors = [e for e in mine if e["action"] == "decide.error"]
limited = [e for e in mine if e["action"] == "http.denied" and "rate limit" in json.dumps(e)]
assert len(errors) == 1 and '"invalid_lines":200000' in json.dumps(errors[0], separators=(",", ":")), errors
assert len(limited) == 1, len(limited)
PY
finish
