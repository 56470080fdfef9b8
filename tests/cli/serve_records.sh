#!/usr/bin/env bash
# Records over HTTP (docs/api.md, "Records"): every account reports; who sees
# and who moves a record is the declaration's rule, the same as the CLI's; a
# second person approves; a field problem names the field; a take-out
# approved through the API counts in POST /api/decide; notices per account;
# a record's files added, listed and downloaded by who sees the record only.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/r.db" MAMORI_ACTOR=test:admin LANG=C.UTF-8
"$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml" >/dev/null && ok || not_ok "init"
"$MAMORI" asset import "$SRCDIR/examples/assets.csv" >/dev/null && ok || not_ok "assets"
for u in "tanaka staff soumu" "suzuki staff soumu" "kanri security-manager soumu" "zkanri security-manager zeimu"; do
	set -- $u
	"$MAMORI" user add "$1" --role "$2" --department "$3" --password-stdin <<<"pw-$1" >/dev/null
done

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
B="http://127.0.0.1:$port"
"$MAMORI" serve --listen "127.0.0.1:$port" >"$TMP/serve.out" 2>"$TMP/serve.err" &
pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "$B/api/health" && break; sleep 0.1; done

c() { local jar=$1; shift; curl -s -b "$TMP/$jar" -c "$TMP/$jar" -o "$TMP/body" -w '%{http_code}' "$@"; }
csrf() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf"])' "$TMP/body"; }
j() { /usr/bin/python3 -c "import json,sys; d=json.load(open('$TMP/body')); $1"; }
for u in tanaka suzuki kanri zkanri; do
	c "$u" -X POST -d "{\"username\":\"$u\",\"password\":\"pw-$u\"}" "$B/api/login" >/dev/null
	eval "csrf_$u=\$(csrf)"
done
post() { local u=$1 path=$2 body=$3 t; eval "t=\$csrf_$u"; c "$u" -X POST -H "X-CSRF-Token: $t" -d "$body" "$B$path"; }

[ "$(c tanaka "$B/api/records")" = 200 ] && ok || not_ok "kinds"
j 'ids = [k["id"] for k in d["kinds"]]; assert ids[:3] == ["incident", "take-out", "exception"] and {"cloud-service", "sns-account", "terminal", "contractor", "media", "course", "attendance", "self-check", "audit", "finding", "risk", "review"} <= set(ids), d' && ok || not_ok "the policy's kinds"
[ "$(c tanaka "$B/api/records/nothing")" = 404 ] && ok || not_ok "unknown kind: 404"
[ "$(post tanaka /api/records/incident '{"fields":{"summary":""}}')" = 422 ] && ok || not_ok "empty summary refused"
j 'assert d["error"]["diagnostics"][0]["field"] == "summary", d' && ok || not_ok "the problem names its field"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{}' "$B/api/records/incident")" = 401 ] && ok || not_ok "not logged in: 401"
[ "$(c tanaka -X POST -d '{"fields":{"summary":"x"}}' "$B/api/records/incident")" = 403 ] && ok || not_ok "no CSRF token: 403"
[ "$(post tanaka /api/records/incident '{"fields":{"summary":"不審なメールを開いた","threat":"intentional"}}')" = 201 ] && ok || not_ok "a 職員 reports"
j 'assert d["id"] == "INC-000001" and d["state"] == "reported" and d["moves"] == [{"id":"withdraw","title":"取り下げる","to":"withdrawn","to_title":"取下げ","requires":[]}], d' && ok || not_ok "the reporter may only withdraw"
[ "$(c suzuki "$B/api/records/incident/INC-000001")" = 404 ] && ok || not_ok "another 職員 does not see it"
[ "$(c zkanri "$B/api/records/incident/INC-000001")" = 404 ] && ok || not_ok "another 課's manager does not see it"
[ "$(c kanri "$B/api/records/incident/INC-000001")" = 200 ] && ok || not_ok "the 課's manager sees it"
j 'assert [m["to"] for m in d["moves"]] == ["accepted"], d' && ok || not_ok "the manager may accept"
[ "$(c kanri "$B/api/records/incident")" = 200 ] && ok || not_ok "list"
j 'assert [r["id"] for r in d["records"]] == ["INC-000001"], d' && ok || not_ok "the manager's list"
[ "$(c suzuki "$B/api/records/incident")" = 200 ] && ok || not_ok "list for another 職員"
j 'assert d["records"] == [], d' && ok || not_ok "empty for another 職員"
[ "$(post tanaka /api/records/incident/INC-000001/moves '{"to":"accepted"}')" = 403 ] && ok || not_ok "the reporter may not accept"
[ "$(post kanri /api/records/incident/INC-000001/moves '{"to":"closed"}')" = 400 ] && ok || not_ok "no such step: 400"
[ "$(post kanri /api/records/incident/INC-000001/moves '{"to":"受付","note":"確認中"}')" = 200 ] && ok || not_ok "accept by title"
j 'assert d["state"] == "accepted" and d["history"][-1]["by"] == "kanri" and d["history"][-1]["note"] == "確認中", d' && ok || not_ok "history from the trail"
[ "$(post kanri /api/records/incident/INC-000001/comments '{"text":"端末をネットワークから切り離した"}')" = 201 ] && ok || not_ok "comment"
[ "$(c tanaka "$B/api/notices")" = 200 ] && ok || not_ok "notices"
[ "$(c kanri "$B/api/notices")" = 200 ] && ok || not_ok "the manager's notices"
j 'assert [n["record"] for n in d["notices"]] == ["INC-000001"], d' && ok || not_ok "the manager was told of the report"

# the list as a file: what the asker may see, with the list's filter
[ "$(c kanri "$B/api/records/incident?format=csv")" = 200 ] && ok || not_ok "export csv"
grep -q '^INC-000001,受付,tanaka,.*不審なメールを開いた' "$TMP/body" && ok || not_ok "the manager's export has the record"
[ "$(c suzuki "$B/api/records/incident?format=csv")" = 200 ] && ok || not_ok "export csv for another 職員"
! grep -q 'INC-' "$TMP/body" && ok || not_ok "another 職員's export has no record"
[ "$(c kanri "$B/api/records/incident?format=csv&state=closed")" = 200 ] && ! grep -q 'INC-' "$TMP/body" && ok ||
    not_ok "the export keeps the state filter"
[ "$(c kanri "$B/api/records/incident?format=csv&encoding=cp932")" = 200 ] &&
    iconv -f CP932 -t UTF-8 "$TMP/body" | grep -q '^INC-000001,受付' && ok || not_ok "export in CP932"
[ "$(c kanri "$B/api/records/incident?format=xlsx")" = 200 ] && head -c 2 "$TMP/body" | grep -q PK && ok ||
    not_ok "export xlsx"
[ "$(c kanri "$B/api/records/incident?format=pdf")" = 400 ] && ok || not_ok "format is csv or xlsx"

# take-out through the API, honoured by POST /api/decide
[ "$(post tanaka /api/records/take-out '{"fields":{"assets":["A-000006"],"purpose":"説明","from":"2026-01-01","until":"2099-12-31"}}')" = 201 ] && ok || not_ok "request a take-out"
[ "$(post tanaka /api/records/take-out/T-000001/moves '{"to":"approved"}')" = 403 ] && ok || not_ok "the requester may not approve"
[ "$(post kanri /api/records/take-out/T-000001/moves '{"to":"approved"}')" = 200 ] && ok || not_ok "a second person approves"
req='{"subject":{"id":"tanaka"},"action":"take_out","resource":{"asset":"A-000006"},"context":{"approval":"T-000001"}}'
[ "$(post tanaka /api/decide "$req")" = 200 ] && ok || not_ok "decide"
j 'assert d["decision"] == "allow" and any(r["id"] == "approval" for r in d["reasons"]), d' && ok || not_ok "allowed with the approval"
[ "$(post suzuki /api/decide "${req/tanaka/suzuki}")" = 200 ] && ok || not_ok "decide for another"
j 'assert d["decision"] == "deny" and any(r["id"] == "approval-invalid" for r in d["reasons"]), d' && ok || not_ok "another's approval does not count"

# a record's files (docs/records.md, "Files"): the body is the file, ?name= its name
up() { local u=$1 path=$2 file=$3 t; shift 3; eval "t=\$csrf_$u"; c "$u" -X POST -H "X-CSRF-Token: $t" --data-binary "@$file" "$@" "$B$path"; }
printf '\x89PNG\r\n\x1a\n' >"$TMP/写真.png"; head -c 50000 /dev/urandom >>"$TMP/写真.png"
name=$(/usr/bin/python3 -c 'import urllib.parse; print(urllib.parse.quote("C:\\Users\\tanaka\\紛失届 写真.png"))')
[ "$(up tanaka "/api/records/incident/INC-000001/files?name=$name" "$TMP/写真.png" -H 'Content-Type: application/octet-stream')" = 201 ] && ok || not_ok "the reporter adds a file"
j 'import hashlib; data = open("'"$TMP"'/写真.png", "rb").read(); assert d["num"] == 1 and d["name"] == "紛失届 写真.png" and d["type"] == "image/png" and d["size"] == len(data) and d["sha256"] == hashlib.sha256(data).hexdigest() and d["by"] == "tanaka", d' && ok || not_ok "the file: a Windows path's directories dropped, its type recognised"
[ "$(up kanri "/api/records/incident/INC-000001/files?name=%E7%B5%8C%E7%B7%AF.txt" "$TMP/body" -H 'Content-Type: text/plain; charset=utf-8')" = 201 ] && ok || not_ok "the 課's manager adds one"
[ "$(c tanaka "$B/api/records/incident/INC-000001/files")" = 200 ] && ok || not_ok "the files"
j 'assert [(f["num"], f["name"], f["by"]) for f in d["files"]] == [(1, "紛失届 写真.png", "tanaka"), (2, "経緯.txt", "kanri")], d' && ok || not_ok "both, oldest first"
[ "$(c tanaka "$B/api/records/incident/INC-000001")" = 200 ] && ok || not_ok "the record"
j 'assert [f["num"] for f in d["files"]] == [1, 2] and [h["name"] for h in d["history"] if h["action"] == "record.file"] == ["紛失届 写真.png", "経緯.txt"], d' && ok || not_ok "the record carries its files and its history names them"
curl -s -b "$TMP/kanri" -D "$TMP/headers" -o "$TMP/back.png" -w '%{http_code}' "$B/api/records/incident/INC-000001/files/1" >"$TMP/code"
[ "$(cat "$TMP/code")" = 200 ] && ok || not_ok "download"
cmp -s "$TMP/back.png" "$TMP/写真.png" && ok || not_ok "downloaded back identical"
grep -qi "^content-disposition: attachment; filename=\"___ __.png\"; filename\*=UTF-8''%E7%B4%9B%E5%A4%B1%E5%B1%8A%20%E5%86%99%E7%9C%9F.png" "$TMP/headers" && ok || not_ok "attachment, its name in RFC 5987's filename*"
grep -qi "^x-content-type-options: nosniff" "$TMP/headers" && ok || not_ok "nosniff"
grep -qi "^content-security-policy: sandbox" "$TMP/headers" && ok || not_ok "a sandboxing CSP"
grep -qi "^content-type: image/png" "$TMP/headers" && ok || not_ok "its type"
# markup is never served as markup
printf '<html><script>alert(1)</script></html>' >"$TMP/x.html"
[ "$(up tanaka "/api/records/incident/INC-000001/files?name=x.html" "$TMP/x.html" -H 'Content-Type: text/html')" = 201 ] && ok || not_ok "an HTML file"
curl -s -b "$TMP/tanaka" -D "$TMP/headers" -o /dev/null "$B/api/records/incident/INC-000001/files/3"
grep -qi "^content-type: application/octet-stream" "$TMP/headers" && ok || not_ok "HTML goes out as bytes"
grep -qi "^content-disposition: attachment" "$TMP/headers" && ok || not_ok "and as an attachment"
# who may not, what may not
[ "$(up suzuki "/api/records/incident/INC-000001/files?name=a.txt" "$TMP/x.html")" = 404 ] && ok || not_ok "another 職員 may not add one (404)"
[ "$(up tanaka "/api/records/incident/INC-000001/files?name=a.txt&field=summary" "$TMP/x.html")" = 422 ] && \
	grep -q 'summary is not a file field' "$TMP/body" && ok || not_ok "?field= must name a file field (422)"
[ "$(c suzuki "$B/api/records/incident/INC-000001/files")" = 404 ] && ok || not_ok "nor list them"
[ "$(c suzuki "$B/api/records/incident/INC-000001/files/1")" = 404 ] && ok || not_ok "nor download one"
[ "$(c zkanri "$B/api/records/incident/INC-000001/files/1")" = 404 ] && ok || not_ok "nor another 課's manager"
[ "$(c tanaka "$B/api/records/incident/INC-000001/files/99")" = 404 ] && ok || not_ok "no such file: 404"
[ "$(c tanaka "$B/api/records/take-out/INC-000001/files/1")" = 404 ] && ok || not_ok "the record of another kind: 404"
[ "$(c tanaka "$B/api/records/incident/INC-000001/files/x")" = 404 ] && ok || not_ok "a number that is not: 404"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary x "$B/api/records/incident/INC-000001/files?name=a")" = 401 ] && ok || not_ok "not logged in: 401"
[ "$(c tanaka -X POST --data-binary x "$B/api/records/incident/INC-000001/files?name=a")" = 403 ] && ok || not_ok "no CSRF token: 403"
[ "$(up tanaka "/api/records/incident/INC-000001/files" "$TMP/x.html")" = 400 ] && ok || not_ok "no name: 400"
[ "$(up tanaka "/api/records/incident/INC-000001/files?name=a%0Ab.txt" "$TMP/x.html")" = 422 ] && ok || not_ok "a control character in the name: 422"
j 'assert d["error"]["field"] == "file" and "U+000A" in d["error"]["message"], d' && ok || not_ok "the problem said"
: >"$TMP/empty"
[ "$(up tanaka "/api/records/incident/INC-000001/files?name=e.txt" "$TMP/empty")" = 422 ] && ok || not_ok "an empty file: 422"
# the limit, read per request from the store's configuration, enforced while the body is read
"$MAMORI" record file-limit 10000 >/dev/null
[ "$(up tanaka "/api/records/incident/INC-000001/files?name=big.png" "$TMP/写真.png")" = 413 ] && ok || not_ok "a file over the limit: 413"
head -c 9000 /dev/urandom >"$TMP/small"
[ "$(up tanaka "/api/records/incident/INC-000001/files?name=small.bin" "$TMP/small")" = 201 ] && ok || not_ok "one under it"
"$MAMORI" record file-limit 20971520 >/dev/null
head -c $((17 * 1024 * 1024)) /dev/zero | tr '\0' 'a' >"$TMP/17m.txt"
[ "$(up tanaka "/api/records/incident/INC-000001/files?name=17m.txt" "$TMP/17m.txt")" = 201 ] && ok || not_ok "17 MiB: above the other routes' body limit, under a file's"
# a closed record: 409
[ "$(post tanaka /api/records/incident '{"fields":{"summary":"誤報"}}')" = 201 ] && ok || not_ok "report 2"
[ "$(post tanaka /api/records/incident/INC-000002/moves '{"to":"withdrawn"}')" = 200 ] && ok || not_ok "withdraw it"
[ "$(up tanaka "/api/records/incident/INC-000002/files?name=a.txt" "$TMP/x.html")" = 409 ] && ok || not_ok "no file for a closed record: 409"
# a copy changed beside the store: the download is refused, naming the file
sha=$(/usr/bin/python3 -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$TMP/写真.png")
# (byte 10 flipped, not set: a random file holds any one value 1 time in 256)
/usr/bin/python3 -c 'import sys; f=open(sys.argv[1],"r+b"); f.seek(10); b=f.read(1)[0]; f.seek(10); f.write(bytes([b ^ 0xff]))' \
    "$TMP/r.db.files/${sha:0:2}/$sha"
[ "$(c tanaka "$B/api/records/incident/INC-000001/files/1")" = 500 ] && ok || not_ok "a changed copy: 500"
j 'assert d["error"]["code"] == "tampered" and "紛失届 写真.png" in d["error"]["message"], d' && ok || not_ok "tampered, naming the file"

kill "$pid"; wait "$pid" 2>/dev/null
"$MAMORI" log verify >/dev/null && ok || not_ok "the trail verifies"
finish
