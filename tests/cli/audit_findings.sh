#!/usr/bin/env bash
# 監査 (docs/review.md): a plan whose auditors may not audit their own 課; the
# checklist answered by the auditors only, while the audit is in fieldwork; a
# finding raised by the auditor, of the audited 課 (which plans and corrects it,
# another 課 cannot), verified by the auditor — 指摘 → 是正計画 → 是正完了 → 確認済;
# the auditor reads everything and changes nothing else.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/m.db" MAMORI_ACTOR="cli:operator" LANG=C.UTF-8
expect_exit 0 "init" -- "$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml"
expect_exit 0 "assets" -- "$MAMORI" asset import "$SRCDIR/examples/assets.csv"
expect_exit 0 "user chief" -- "$MAMORI" user add chief --role chief-officer --department johoseisaku
expect_exit 0 "user ciso" -- "$MAMORI" user add ciso1 --role ciso
expect_exit 0 "user kanri" -- "$MAMORI" user add kanri --role security-manager --department soumu
expect_exit 0 "user zkanri" -- "$MAMORI" user add zkanri --role security-manager --department zeimu
expect_exit 0 "user kansa" -- "$MAMORI" user add kansa --role auditor
expect_exit 0 "user kansa2 (of 税務課)" -- "$MAMORI" user add kansa2 --role auditor --department zeimu

# ---- the plan
expect_exit 1 "an auditor of an audited 課" -- "$MAMORI" record new audit --by chief \
	--set year=2026 --set departments=soumu,zeimu --set auditors=kansa,kansa2
expect_grep "$TMP/err" "kansa2 belongs to zeimu, which the audit covers: an auditor may not audit their own 課" "independence"
expect_exit 0 "plan" -- "$MAMORI" record new audit --by chief --set year=2026 --set departments=soumu,zeimu \
	--set auditors=kansa --set period_from=2026-12-01 --set period_until=2026-12-15
expect_exit 0 "another plan: kansa2 audits soumu" -- "$MAMORI" record new audit --by chief --set year=2026 \
	--set departments=soumu --set auditors=kansa2
expect_exit 1 "answers wait for fieldwork" -- "$MAMORI" check answer AUD-000001 --department zeimu \
	--item measure.physical --answer conform --by kansa
expect_exit 0 "fieldwork" -- "$MAMORI" record move AUD-000001 fieldwork --by kansa

# ---- the checklist, from the same items
expect_exit 0 "an organisation item" -- "$MAMORI" check answer AUD-000001 --department zeimu \
	--item measure.physical --answer conform --by kansa
expect_exit 0 "a 課 item" -- "$MAMORI" check answer AUD-000001 --department zeimu \
	--item restriction.confidentiality.3.restricted-storage --answer nonconform --by kansa --comment "保管場所の記録なし"
expect_exit 1 "not this audit's auditor" -- "$MAMORI" check answer AUD-000001 --department soumu \
	--item measure.physical --answer conform --by kansa2
expect_grep "$TMP/err" "kansa2 is not an auditor of AUD-000001" "only its auditors"
expect_exit 1 "the 課 does not answer its audit" -- "$MAMORI" check answer AUD-000001 --department zeimu \
	--item measure.physical --answer conform --by zkanri
expect_exit 0 "audit progress" -- "$MAMORI" check progress AUD-000001 --json
/usr/bin/python3 - "$TMP/out" <<'PY' && ok || not_ok "an audit asks every item of each 課"
import json, sys
p = json.load(open(sys.argv[1]))
d = {x["department"]: x for x in p["departments"]}
assert p["kind"] == "audit" and d["zeimu"]["answered"] == 2 and d["zeimu"]["nonconform"] == 1, p
assert d["zeimu"]["items"] == 71, d
PY

# ---- a finding, raised and closed
expect_exit 0 "raise" -- "$MAMORI" record new finding --by kansa --json --set department=税務課 --set severity=中 \
	--set audit=AUD-000001 --set item=restriction.confidentiality.3.restricted-storage --set clause="対策基準 2.1" \
	--set description="機密性3の情報資産に保管場所が記録されていない"
expect_grep "$TMP/out" '"F-000001"' "the finding's id"
expect_exit 0 "show" -- "$MAMORI" record show F-000001 --json
/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["department"]=="zeimu" and r["state"]=="raised" and r["reporter"]=="kansa", r' "$TMP/out" \
	&& ok || not_ok "the finding is the audited 課's (department_field), raised"
expect_exit 0 "notices" -- "$MAMORI" record notices --json
/usr/bin/python3 -c 'import json,sys; n=[x["recipient"] for x in json.load(open(sys.argv[1])) if x["record"]=="F-000001"]; assert n==["zkanri"], n' "$TMP/out" \
	&& ok || not_ok "the audited 課's 管理者 told"
expect_exit 0 "zkanri sees it" -- "$MAMORI" record list finding --by zkanri --json
expect_grep "$TMP/out" "F-000001" "listed for the 課"
expect_exit 0 "kanri does not" -- "$MAMORI" record list finding --by kanri --json
if grep -q F-000001 "$TMP/out"; then not_ok "another 課 sees the finding"; else ok; fi
expect_exit 1 "another 課 cannot plan" -- "$MAMORI" record move F-000001 planned --by kanri \
	--set plan=x --set owner=kanri --set due=2027-01-31
expect_exit 1 "plan needs owner and due" -- "$MAMORI" record move F-000001 planned --by zkanri --set plan="台帳を整備する"
expect_exit 0 "plan" -- "$MAMORI" record move F-000001 planned --by zkanri --set plan="台帳を整備する" \
	--set owner=zkanri --set due=2027-01-31
expect_exit 0 "not yet overdue" -- "$MAMORI" check remind --now 2027-01-31 --json
expect_grep "$TMP/out" '"notices": 0' "nothing before the due date"
expect_exit 0 "overdue" -- "$MAMORI" check remind --now "2027-02-01 09:00" --json
expect_grep "$TMP/out" '"notices": 2' "the 課's 管理者 and the auditor told of the overdue correction"
expect_exit 0 "overdue again" -- "$MAMORI" check remind --now "2027-02-02 09:00" --json
expect_grep "$TMP/out" '"notices": 0' "once"
expect_exit 0 "notices" -- "$MAMORI" record notices --json
/usr/bin/python3 -c 'import json,sys; n=sorted(x["recipient"] for x in json.load(open(sys.argv[1])) if x["reason"]=="finding.overdue"); assert n==["kansa","zkanri"], n' "$TMP/out" \
	&& ok || not_ok "finding.overdue to zkanri and kansa"
expect_exit 1 "the auditor does not correct" -- "$MAMORI" record move F-000001 corrected --by kansa --set done=x
expect_exit 0 "corrected" -- "$MAMORI" record move F-000001 corrected --by zkanri --set done="保管場所を記録した"
expect_exit 0 "reopen" -- "$MAMORI" record move F-000001 planned --by kansa --note "一件残っている"
expect_exit 0 "corrected again" -- "$MAMORI" record move F-000001 corrected --by zkanri
expect_exit 1 "the 課 cannot verify itself" -- "$MAMORI" record move F-000001 verified --by zkanri
expect_exit 0 "verified" -- "$MAMORI" record move F-000001 verified --by kansa
expect_exit 0 "show closed" -- "$MAMORI" record show F-000001 --json
/usr/bin/python3 - "$TMP/out" <<'PY' && ok || not_ok "指摘 → 是正計画 → 是正完了 → 確認済 in the history"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["state"] == "verified" and r["final"] is True, r
moves = [h.get("to") for h in r["history"] if h["action"] == "record.move"]
assert moves == ["planned", "corrected", "planned", "corrected", "verified"], moves
PY

# ---- the report, and the auditor read-only elsewhere
expect_exit 1 "report needs the summary" -- "$MAMORI" record move AUD-000001 reported --by kansa
expect_exit 0 "report" -- "$MAMORI" record move AUD-000001 reported --by kansa --set summary="指摘1件（中）"
expect_exit 0 "close" -- "$MAMORI" record move AUD-000001 closed --by ciso1
cat >"$TMP/write.json" <<'J'
{"subject": {"id": "kansa", "roles": ["auditor"], "mfa": true, "terminal": {"segment": "mynumber", "issued": true}}, "action": "write", "resource": {"asset": "A-000003"}}
J
cat >"$TMP/read.json" <<'J'
{"subject": {"id": "kansa", "roles": ["auditor"], "mfa": true, "terminal": {"segment": "mynumber", "issued": true}}, "action": "read", "resource": {"asset": "A-000003"}}
J
expect_exit 0 "the auditor reads any 課's asset" -- "$MAMORI" decide "$TMP/read.json"
expect_exit 1 "the auditor writes none" -- "$MAMORI" decide "$TMP/write.json"
expect_exit 0 "the auditor sees every record" -- "$MAMORI" record list --by kansa --json
expect_exit 0 "verify" -- "$MAMORI" log verify
finish
