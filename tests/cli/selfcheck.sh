#!/usr/bin/env bash
# 自己点検 campaigns (docs/review.md): a campaign for two 課, its items sent to
# each 課's 情報セキュリティ管理者 (notices at the start, before and after the due
# date, once each), answers with comment and evidence (files of the campaign,
# asset ids, trail sequence numbers, each checked), evidence mamori fills in from
# the register, who may answer for which 課, progress per 課, answers in the trail.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/m.db" MAMORI_ACTOR="cli:operator" LANG=C.UTF-8
expect_exit 0 "init" -- "$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml"
expect_exit 0 "assets" -- "$MAMORI" asset import "$SRCDIR/examples/assets.csv"
expect_exit 0 "an asset with no storage place" -- "$MAMORI" asset add --name 滞納整理メモ --kind 情報 --department zeimu --c 3 --i 1 --a 1
expect_exit 0 "user chief" -- "$MAMORI" user add chief --role chief-officer --department johoseisaku
expect_exit 0 "user kanri" -- "$MAMORI" user add kanri --role security-manager --department soumu
expect_exit 0 "user zkanri" -- "$MAMORI" user add zkanri --role security-manager --department zeimu
expect_exit 0 "user skanri" -- "$MAMORI" user add skanri --role security-manager --department shimin
expect_exit 0 "user tanaka" -- "$MAMORI" user add tanaka --role staff --department soumu
expect_exit 0 "user kansa" -- "$MAMORI" user add kansa --role auditor

# ---- the campaign
expect_exit 0 "campaign" -- "$MAMORI" record new self-check --by chief --now "2026-12-01 09:00" \
	--set year=2026 --set departments=総務課、税務課 --set due=2026-12-20 --set note="各課で回答すること"
expect_exit 1 "answers wait for the start" -- "$MAMORI" check answer SC-000001 --department soumu \
	--item restriction.confidentiality.2.restricted-storage --answer conform --by kanri
expect_grep "$TMP/err" "answers are taken while it is running" "not yet running"
expect_exit 0 "no reminder before the start" -- "$MAMORI" check remind --now "2026-12-01 09:00" --json
expect_grep "$TMP/out" '"notices": 0' "nothing to remind of"
expect_exit 0 "start" -- "$MAMORI" record move SC-000001 running --by chief --now "2026-12-01 09:05"
expect_exit 0 "remind: start" -- "$MAMORI" check remind --now "2026-12-01 09:10" --json
expect_grep "$TMP/out" '"notices": 2' "each 課's 管理者 told once"
expect_exit 0 "remind again" -- "$MAMORI" check remind --now "2026-12-01 09:11" --json
expect_grep "$TMP/out" '"notices": 0' "idempotent"
expect_exit 0 "notices" -- "$MAMORI" record notices --json
/usr/bin/python3 - "$TMP/out" <<'PY' && ok || not_ok "check.start notices for kanri and zkanri, not shimin's"
import json, sys
n = sorted((x["recipient"], x["reason"]) for x in json.load(open(sys.argv[1])) if x["record"] == "SC-000001")
assert n == [("kanri", "check.start"), ("zkanri", "check.start")], n
PY

# ---- the sheet: the 課's items, with what the register says
expect_exit 0 "sheet zeimu" -- "$MAMORI" check sheet SC-000001 --department 税務課 --json
cp "$TMP/out" "$TMP/sheet.json"
expect_exit 0 "items" -- "$MAMORI" check items --json
/usr/bin/python3 - "$TMP/sheet.json" "$TMP/out" <<'PY' && ok || not_ok "the sheet: the items asked of a 課, a prefill from the register"
import json, sys
sheet = json.load(open(sys.argv[1])); items = json.load(open(sys.argv[2]))
asked = [i["id"] for i in items if i["department"]]
assert [i["id"] for i in sheet["items"]] == asked, "the items asked of each 課"
assert "measure.physical" not in asked and "role.ciso.duty.1" not in asked
by = {i["id"]: i for i in sheet["items"]}
pf = by["restriction.confidentiality.3.restricted-storage"]["prefill"]
assert pf["ok"] is False and pf["assets"] == ["A-000021"], pf
assert by["restriction.confidentiality.2.restricted-storage"]["prefill"]["ok"] is True
assert by["role.staff.duty.1"]["prefill"] is None and by["role.staff.duty.1"]["answer"] is None
PY
expect_exit 0 "sheet soumu" -- "$MAMORI" check sheet SC-000001 --department soumu
expect_grep "$TMP/out" "mamori: 機密性3 の情報資産 1 件すべてに保管場所が記録されている" "soumu's 機密性3 assets all have a place"

# ---- answers
expect_exit 0 "evidence file" -- "$MAMORI" record attach SC-000001 "$SRCDIR/examples/assets.csv" --by kanri --name 台帳.csv
seq=$("$MAMORI" log show --json | /usr/bin/python3 -c 'import json,sys; print([e for e in json.load(sys.stdin) if e["action"]=="record.file"][0]["seq"])' 2>/dev/null \
	|| "$MAMORI" log show --json | /usr/bin/python3 -c 'import json,sys; print([json.loads(l) for l in sys.stdin if l.strip()][-1]["seq"])')
expect_exit 0 "answer with evidence" -- "$MAMORI" check answer SC-000001 --department 総務課 \
	--item restriction.confidentiality.3.restricted-storage --answer 適合 --by kanri \
	--comment "サーバ室に保管" --file 1 --asset A-000008 --seq "$seq"
expect_exit 0 "partial" -- "$MAMORI" check answer SC-000001 --department soumu \
	--item restriction.confidentiality.2.encrypt-in-transit --answer partial --by kanri --comment "一部の送信で未暗号化"
expect_exit 0 "nonconform by the 統括 for the 課" -- "$MAMORI" check answer SC-000001 --department soumu \
	--item role.staff.duty.3 --answer nonconform --by chief
expect_exit 0 "na" -- "$MAMORI" check answer SC-000001 --department soumu --item segment.mynumber.mfa --answer na --by kanri
expect_exit 0 "zeimu answers one" -- "$MAMORI" check answer SC-000001 --department zeimu \
	--item restriction.confidentiality.3.restricted-storage --answer nonconform --by zkanri --asset A-000021
expect_exit 0 "an answer replaced" -- "$MAMORI" check answer SC-000001 --department soumu --item segment.mynumber.mfa --answer conform --by kanri
# refusals
expect_exit 1 "another 課's 管理者" -- "$MAMORI" check answer SC-000001 --department soumu --item segment.mynumber.mfa --answer conform --by zkanri
expect_grep "$TMP/err" "zkanri may not answer for soumu" "another 課 refused"
expect_exit 1 "the auditor" -- "$MAMORI" check answer SC-000001 --department soumu --item segment.mynumber.mfa --answer conform --by kansa
expect_exit 1 "a 課 out of scope" -- "$MAMORI" check answer SC-000001 --department shimin --item segment.mynumber.mfa --answer conform --by skanri
expect_grep "$TMP/err" "市民課 is not in the scope of SC-000001" "scope"
expect_exit 1 "an organisation item" -- "$MAMORI" check answer SC-000001 --department soumu --item measure.physical --answer conform --by kanri
expect_grep "$TMP/err" "measure.physical is not an item SC-000001 asks of 総務課" "item not asked of a 課"
expect_exit 2 "a bad answer" -- "$MAMORI" check answer SC-000001 --department soumu --item segment.mynumber.mfa --answer maybe --by kanri
expect_exit 1 "unknown asset" -- "$MAMORI" check answer SC-000001 --department soumu --item segment.mynumber.mfa --answer conform --by kanri --asset A-999999
expect_grep "$TMP/err" "no asset A-999999" "evidence asset checked"
expect_exit 1 "unknown file" -- "$MAMORI" check answer SC-000001 --department soumu --item segment.mynumber.mfa --answer conform --by kanri --file 9
expect_exit 1 "unknown event" -- "$MAMORI" check answer SC-000001 --department soumu --item segment.mynumber.mfa --answer conform --by kanri --seq 999999

# ---- progress
expect_exit 0 "progress" -- "$MAMORI" check progress SC-000001 --json
/usr/bin/python3 - "$TMP/out" <<'PY' && ok || not_ok "progress per 課"
import json, sys
p = json.load(open(sys.argv[1]))
d = {x["department"]: x for x in p["departments"]}
assert p["due"] == "2026-12-20" and p["state"] == "running", p
s, z = d["soumu"], d["zeimu"]
assert (s["answered"], s["conform"], s["partial"], s["nonconform"], s["na"]) == (4, 2, 1, 1, 0), s
assert (z["answered"], z["nonconform"]) == (1, 1), z
assert s["items"] == z["items"] and s["items"] > 20 and p["answered"] == 5, p
PY
expect_exit 0 "sheet soumu json" -- "$MAMORI" check sheet SC-000001 --department soumu --json
/usr/bin/python3 - "$TMP/out" <<'PY' && ok || not_ok "an answer keeps its comment, evidence, who and when"
import json, sys
by = {i["id"]: i for i in json.load(open(sys.argv[1]))["items"]}
a = by["restriction.confidentiality.3.restricted-storage"]
assert a["answer"] == "conform" and a["answer_title"] == "適合" and a["comment"] == "サーバ室に保管", a
assert a["evidence"]["files"] == [1] and a["evidence"]["assets"] == ["A-000008"] and len(a["evidence"]["seq"]) == 1, a
assert a["by"] == "kanri" and a["at"], a
assert by["role.staff.duty.3"]["by"] == "chief"
PY

# ---- reminders before and after the due date
expect_exit 0 "remind: 10 days before" -- "$MAMORI" check remind --now "2026-12-10 09:00" --json
expect_grep "$TMP/out" '"notices": 0' "not yet due soon"
expect_exit 0 "tick reminds: 5 days before" -- "$MAMORI" record tick --now "2026-12-15 09:00" --json
expect_grep "$TMP/out" '"notices": *2' "due soon, both 課 (record tick runs the reminders)"
expect_exit 0 "remind: overdue" -- "$MAMORI" check remind --now "2026-12-21 09:00" --json
expect_grep "$TMP/out" '"notices": 2' "overdue, both 課"
expect_exit 0 "remind: overdue again" -- "$MAMORI" check remind --now "2026-12-22 09:00" --json
expect_grep "$TMP/out" '"notices": 0' "once each"

# ---- the trail
expect_exit 0 "history" -- "$MAMORI" log show --json
/usr/bin/python3 - "$TMP/out" <<'PY' && ok || not_ok "each answer an event check.answer on the campaign, the replaced one with its before"
import json, sys
text = open(sys.argv[1]).read()
try:
    ev = json.loads(text)
except ValueError:
    ev = [json.loads(l) for l in text.splitlines() if l.strip()]
ans = [e for e in ev if e["action"] == "check.answer"]
assert len(ans) == 6, len(ans)
assert all(e["object_id"] == "SC-000001" for e in ans)
last = ans[-1]["body"]
assert last["before"]["answer"] == "na" and last["after"]["answer"] == "conform", last
PY
expect_exit 0 "verify" -- "$MAMORI" log verify

# ---- answers survive a policy replacement that keeps their element
grep -v '職員等は、情報セキュリティインシデントを認知した場合には、速やかに報告しなければならない' \
	"$SRCDIR/policies/mic-standard.yaml" >"$TMP/mic2.yaml"
expect_exit 0 "replace: staff's third duty gone" -- "$MAMORI" policy replace "$TMP/mic2.yaml"
expect_exit 0 "sheet after replace" -- "$MAMORI" check sheet SC-000001 --department soumu --json
/usr/bin/python3 - "$TMP/out" <<'PY' && ok || not_ok "surviving items keep their answers; the removed one is an orphan"
import json, sys
s = json.load(open(sys.argv[1]))
by = {i["id"]: i for i in s["items"]}
assert by["restriction.confidentiality.3.restricted-storage"]["answer"] == "conform"
assert by["segment.mynumber.mfa"]["answer"] == "conform"
assert "role.staff.duty.3" not in by
assert s["orphans"] == [{"id": "role.staff.duty.3", "answer": "nonconform"}], s["orphans"]
PY
expect_exit 1 "close needs a summary" -- "$MAMORI" record move SC-000001 closed --by chief
expect_exit 0 "close" -- "$MAMORI" record move SC-000001 closed --by chief --set summary="総務課は概ね適合、税務課は保管場所の記録に不備"
expect_exit 1 "no answers once closed" -- "$MAMORI" check answer SC-000001 --department soumu --item segment.mynumber.mfa --answer conform --by kanri
finish
