#!/usr/bin/env bash
# 見直し end to end (docs/review.md): a review gathers its period's findings,
# incidents, risk changes and self-check results; a proposed policy is diffed,
# attached, approved by the CISO (a second person); `policy replace --review`
# refuses another file and an unapproved review, then replaces the policy with
# the review's id in the policy.replace event; the next review falls due
# review.policy_review.interval_months later.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/m.db" MAMORI_ACTOR="cli:operator" LANG=C.UTF-8
today=$(date -u +%F)
from=$(date -u -d "$today - 30 days" +%F)
until=$(date -u -d "$today + 30 days" +%F)
expect_exit 0 "init" -- "$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml"
expect_exit 0 "user chief" -- "$MAMORI" user add chief --role chief-officer --department johoseisaku
expect_exit 0 "user ciso1" -- "$MAMORI" user add ciso1 --role ciso
expect_exit 0 "user kanri" -- "$MAMORI" user add kanri --role security-manager --department soumu
expect_exit 0 "user tanaka" -- "$MAMORI" user add tanaka --role staff --department soumu
expect_exit 0 "user kansa" -- "$MAMORI" user add kansa --role auditor
next0=$(date -u -d "$today + 12 months" +%F)
expect_exit 0 "next review from the policy's loading" -- "$MAMORI" check next-review
expect_grep "$TMP/out" "^$next0$" "12 months after the policy was loaded"

# ---- the period's material
expect_exit 0 "incident" -- "$MAMORI" incident report --by tanaka --set summary="メール誤送信" --set severity=medium
expect_exit 0 "finding" -- "$MAMORI" record new finding --by kansa --set department=soumu --set severity=high \
	--set description="誤送信対策が定められていない" --set incident=INC-000001 --set item=measure.human
expect_exit 0 "risk" -- "$MAMORI" record new risk --by chief --set threat=unintentional --set department=soumu \
	--set description="メール誤送信による漏えい" --set likelihood=4 --set impact=3 --set related=F-000001
expect_exit 0 "campaign" -- "$MAMORI" record new self-check --by chief --set year=2026 --set departments=soumu --set due="$until"
expect_exit 0 "campaign runs" -- "$MAMORI" record move SC-000001 running --by chief
expect_exit 0 "an answer" -- "$MAMORI" check answer SC-000001 --department soumu --item role.staff.duty.1 --answer partial --by kanri

# ---- the review
expect_exit 0 "review" -- "$MAMORI" record new review --by chief --set period_from="$from" --set period_until="$until"
expect_exit 0 "gather" -- "$MAMORI" check gather RV-000001 --json
/usr/bin/python3 - "$TMP/out" "$next0" <<'PY' && ok || not_ok "the review gathers findings, incidents, risks and self-checks"
import json, sys
g = json.load(open(sys.argv[1]))
assert g["review"] == "RV-000001" and g["policy"]["id"] == "mic-standard", g
assert g["findings"]["count"] == 1 and g["findings"]["open"] == 1 and g["findings"]["by_severity"] == {"high": 1}, g["findings"]
assert g["findings"]["records"][0]["incident"] == "INC-000001"
assert g["incidents"]["count"] == 1 and g["incidents"]["by_state"] == {"reported": 1}, g["incidents"]
assert g["risks"]["count"] == 1 and g["risks"]["records"][0]["likelihood"] == 4, g["risks"]
sc = g["self_checks"]
assert len(sc) == 1 and sc[0]["progress"]["answered"] == 1 and sc[0]["progress"]["departments"][0]["partial"] == 1, sc
assert g["next_review"] == sys.argv[2], g["next_review"]
PY
expect_exit 0 "gather text" -- "$MAMORI" check gather RV-000001
expect_grep "$TMP/out" "^findings: 1 (open 1)$" "the findings counted"

# ---- the proposal: what it changes
sed -e 's/{ id: reported, title: 報告, initial: true, deadline: 30m,/{ id: reported, title: 報告, initial: true, deadline: 15m,/' \
    -e 's/^version: 令和7年3月版ガイドライン準拠$/version: 令和8年改定案/' \
    "$SRCDIR/policies/mic-standard.yaml" >"$TMP/proposal.yaml"
cp "$TMP/proposal.yaml" "$TMP/other.yaml"; echo "# another file" >>"$TMP/other.yaml"
expect_exit 1 "policy diff" -- "$MAMORI" policy diff "$SRCDIR/policies/mic-standard.yaml" "$TMP/proposal.yaml"
expect_grep "$TMP/out" 'deadline: "30m" → "15m"' "the diff names the change"
expect_exit 1 "proposed needs the file and the reason" -- "$MAMORI" record move RV-000001 proposed --by chief
expect_exit 0 "attach the proposal" -- "$MAMORI" record attach RV-000001 "$TMP/proposal.yaml" --field proposal --by chief
expect_exit 0 "proposed" -- "$MAMORI" record move RV-000001 proposed --by chief \
	--set reason="誤送信インシデントと指摘を受け、報告期限を短縮する" --set summary="指摘1件、インシデント1件、リスク1件"
expect_exit 1 "not yet approved" -- "$MAMORI" policy replace "$TMP/proposal.yaml" --review RV-000001
expect_grep "$TMP/err" "review RV-000001 is 改定案, not approved by the CISO" "an unapproved review refused"
expect_exit 1 "the 統括 cannot approve" -- "$MAMORI" record move RV-000001 approved --by chief
expect_exit 0 "the CISO approves" -- "$MAMORI" record move RV-000001 approved --by ciso1 --set decision="承認する"
expect_exit 1 "another file" -- "$MAMORI" policy replace "$TMP/other.yaml" --review RV-000001
expect_grep "$TMP/err" "the file is not the proposal review RV-000001 approved" "only the approved file"
expect_exit 1 "not a review" -- "$MAMORI" policy replace "$TMP/proposal.yaml" --review INC-000001
expect_exit 0 "replace under the review" -- "$MAMORI" policy replace "$TMP/proposal.yaml" --review RV-000001
expect_exit 0 "the event" -- "$MAMORI" log show --json
/usr/bin/python3 - "$TMP/out" <<'PY' && ok || not_ok "policy.replace names the review"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rep = [e for e in ev if e["action"] == "policy.replace"]
assert len(rep) == 1, rep
a = rep[0]["body"]["after"]
assert a["review"] == "RV-000001" and a["version"] == "令和8年改定案", a
PY
expect_exit 0 "applied" -- "$MAMORI" record move RV-000001 applied --by chief
expect_exit 0 "next review from the applied one" -- "$MAMORI" check next-review
expect_grep "$TMP/out" "^$next0$" "12 months after the review ended"
expect_exit 0 "the store holds the proposal" -- "$MAMORI" policy diff "$TMP/proposal.yaml"
expect_exit 0 "verify" -- "$MAMORI" log verify
finish
