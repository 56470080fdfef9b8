#!/usr/bin/env bash
# Records over HTTP (docs/api.md, "Records"): every account reports; who sees
# and who moves a record is the declaration's rule, the same as the CLI's; a
# second person approves; a field problem names the field; a take-out
# approved through the API counts in POST /api/decide; notices per account.
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
j 'assert [k["id"] for k in d["kinds"]] == ["incident", "take-out", "exception"], d' && ok || not_ok "the policy's kinds"
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

kill "$pid"; wait "$pid" 2>/dev/null
"$MAMORI" log verify >/dev/null && ok || not_ok "the trail verifies"
finish
