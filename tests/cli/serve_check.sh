#!/usr/bin/env bash
# 評価・見直し over HTTP (docs/review.md, docs/openapi.yaml): the checklist; a
# campaign's sheet, answers and progress to the 課 it covers (and 404 to the
# others); the risk heat map of the risks a user may see; a review's gathering;
# PUT /api/policy?review= only with the approved proposal, the review named in
# the event.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/r.db" MAMORI_ACTOR=test:admin LANG=C.UTF-8
"$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml" >/dev/null && ok || not_ok "init"
for u in "chief chief-officer johoseisaku" "kanri security-manager soumu" "zkanri security-manager zeimu" "ciso1 ciso -"; do
	set -- $u
	if [ "$3" = - ]; then d=(); else d=(--department "$3"); fi
	"$MAMORI" user add "$1" --role "$2" "${d[@]}" --password-stdin <<<"pw-$1" >/dev/null
done
today=$(date -u +%F)
"$MAMORI" record new self-check --by chief --set year=2026 --set departments=soumu --set due="$today" >/dev/null && ok || not_ok "campaign"
"$MAMORI" record move SC-000001 running --by chief >/dev/null && ok || not_ok "campaign runs"
"$MAMORI" record new risk --by chief --set threat=disaster --set department=soumu --set description=浸水 \
	--set likelihood=2 --set impact=5 >/dev/null && ok || not_ok "a soumu risk"
"$MAMORI" record new risk --by chief --set threat=disaster --set department=zeimu --set description=浸水 \
	--set likelihood=3 --set impact=3 >/dev/null && ok || not_ok "a zeimu risk"

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
B="http://127.0.0.1:$port"
"$MAMORI" serve --listen "127.0.0.1:$port" >"$TMP/serve.out" 2>"$TMP/serve.err" &
pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "$B/api/health" && break; sleep 0.1; done

c() { local jar=$1; shift; curl -s -b "$TMP/$jar" -c "$TMP/$jar" -o "$TMP/body" -w '%{http_code}' "$@"; }
csrf() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf"])' "$TMP/body"; }
j() { /usr/bin/python3 -c "import json,sys; d=json.load(open('$TMP/body')); $1"; }
for u in chief kanri zkanri ciso1; do
	c "$u" -X POST -d "{\"username\":\"$u\",\"password\":\"pw-$u\"}" "$B/api/login" >/dev/null
	eval "csrf_$u=\$(csrf)"
done
post() { local u=$1 path=$2 body=$3 t; eval "t=\$csrf_$u"; c "$u" -X POST -H "X-CSRF-Token: $t" -d "$body" "$B$path"; }

[ "$(c kanri "$B/api/check/items")" = 200 ] && ok || not_ok "items"
j 'assert len(d["items"]) == 71 and d["items"][0]["id"] == "restriction.confidentiality.3.issued-terminal-only", d["items"][0]' && ok || not_ok "the policy's checklist"
[ "$(c kanri "$B/api/check/SC-000001/sheet?department=soumu")" = 200 ] && ok || not_ok "the covered 課 reads its sheet"
j 'assert d["department_title"] == "総務課" and all(i["answer"] is None for i in d["items"]), d' && ok || not_ok "an empty sheet"
[ "$(c zkanri "$B/api/check/SC-000001/sheet?department=soumu")" = 404 ] && ok || not_ok "another 課: 404"
[ "$(c kanri "$B/api/check/SC-000001/sheet")" = 400 ] && ok || not_ok "no department: 400"
[ "$(post kanri /api/check/SC-000001/answers '{"department":"soumu","item":"role.staff.duty.1","answer":"一部適合","comment":"研修未受講者あり"}')" = 201 ] && ok || not_ok "answer"
[ "$(post zkanri /api/check/SC-000001/answers '{"department":"soumu","item":"role.staff.duty.1","answer":"conform"}')" = 403 ] && ok || not_ok "another 課 may not answer: 403"
[ "$(post kanri /api/check/SC-000001/answers '{"department":"soumu","item":"measure.physical","answer":"conform"}')" = 404 ] && ok || not_ok "an item not asked: 404"
[ "$(post kanri /api/check/SC-000001/answers '{"department":"soumu","item":"role.staff.duty.1","answer":"maybe"}')" = 400 ] && ok || not_ok "a bad answer: 400"
[ "$(c kanri "$B/api/check/SC-000001/progress")" = 200 ] && ok || not_ok "progress"
j 'p = d["departments"][0]; assert (p["department"], p["answered"], p["partial"]) == ("soumu", 1, 1), d' && ok || not_ok "progress counts the answer"
[ "$(c chief "$B/api/risks")" = 200 ] && ok || not_ok "risks"
j 'assert len(d["risks"]) == 2 and len(d["cells"]) == 25 and sum(c["inherent"] for c in d["cells"]) == 2, d' && ok || not_ok "the 統括 sees every risk"
[ "$(c kanri "$B/api/risks")" = 200 ] && ok || not_ok "risks for a 課"
j 'assert [r["id"] for r in d["risks"]] == ["R-000001"] and sum(c["inherent"] for c in d["cells"]) == 1, d' && ok || not_ok "a 課 sees its own risks"

# ---- a review over HTTP
from=$(date -u -d "$today - 10 days" +%F)
[ "$(post chief /api/records/review "{\"fields\":{\"period_from\":\"$from\",\"period_until\":\"$today\"}}")" = 201 ] && ok || not_ok "review"
[ "$(c chief "$B/api/reviews/RV-000001")" = 200 ] && ok || not_ok "gather"
j 'assert d["review"] == "RV-000001" and len(d["self_checks"]) == 1 and d["risks"]["count"] == 2, d' && ok || not_ok "the gathering"
[ "$(c kanri "$B/api/reviews/RV-000001")" = 404 ] && ok || not_ok "a 課 does not see the review"
sed -e 's/^version: 令和7年3月版ガイドライン準拠$/version: 令和8年改定/' "$SRCDIR/policies/mic-standard.yaml" >"$TMP/new.yaml"
t=$csrf_chief
[ "$(c chief -X POST -H "X-CSRF-Token: $t" --data-binary @"$TMP/new.yaml" "$B/api/records/review/RV-000001/files?name=new.yaml&field=proposal")" = 201 ] && ok || not_ok "attach the proposal"
[ "$(post chief /api/records/review/RV-000001/moves '{"to":"proposed","fields":{"reason":"版の更新"}}')" = 200 ] && ok || not_ok "proposed"
[ "$(post ciso1 /api/records/review/RV-000001/moves '{"to":"approved"}')" = 200 ] && ok || not_ok "approved by the CISO"
t=$csrf_chief
[ "$(c chief -X PUT -H "X-CSRF-Token: $t" --data-binary @"$SRCDIR/policies/mic-standard.yaml" "$B/api/policy?review=RV-000001")" = 422 ] && ok || not_ok "another file: 422"
j 'assert d["error"]["field"] == "review" and "not the proposal" in d["error"]["message"], d' && ok || not_ok "the refusal names the review"
[ "$(c chief -X PUT -H "X-CSRF-Token: $t" --data-binary @"$TMP/new.yaml" "$B/api/policy?review=NOPE-000001")" = 404 ] && ok || not_ok "no such review: 404"
[ "$(c chief -X PUT -H "X-CSRF-Token: $t" --data-binary @"$TMP/new.yaml" "$B/api/policy?review=RV-000001")" = 200 ] && ok || not_ok "replaced under the review"
j 'assert d["version"] == "令和8年改定", d' && ok || not_ok "the new version in force"
kill "$pid"; wait "$pid" 2>/dev/null
"$MAMORI" log show --json >"$TMP/log"
/usr/bin/python3 - "$TMP/log" <<'PY' && ok || not_ok "policy.replace names the review; the answer is an event"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rep = [e for e in ev if e["action"] == "policy.replace"]
assert len(rep) == 1 and rep[0]["body"]["after"]["review"] == "RV-000001", rep
ans = [e for e in ev if e["action"] == "check.answer"]
assert len(ans) == 1 and ans[0]["body"]["after"]["answer"] == "partial" and ans[0]["body"]["after"]["by"] == "kanri", ans
PY
finish
