#!/usr/bin/env bash
# The registers of Operations II (docs/records.md, "Registers"): 外部委託 — a
# contract concluded with its security requirements (a checklist of the
# policy), checked periodically (a step that records its result), and ended by
# tick the day after its 契約終了日: its contractor's accounts disabled and
# their API tokens refused, over HTTP too; 外部記録媒体 — lent and returned,
# disposed of with a method and a witness by a second person; 教育・研修 —
# courses, a sign-in sheet imported as attendance, completion per 課 and
# person, who is overdue, reminders once; CSV round trips; the policy checks
# of what the engine gained (disable_accounts, a step's requires, of:).
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/m.db" MAMORI_ACTOR="cli:operator" LANG=C.UTF-8
expect_exit 0 "init" -- "$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml"
expect_exit 0 "assets" -- "$MAMORI" asset import "$SRCDIR/examples/assets.csv"
for u in "kanri security-manager soumu" "kanri2 security-manager soumu" "ito staff soumu" "sato staff zeimu" \
	"kato staff zeimu" "vendor1 contractor soumu" "vendor2 contractor soumu" "touk chief-officer soumu"; do
	set -- $u
	"$MAMORI" user add "$1" --role "$2" --department "$3" --password-stdin <<<"pw-$1" >/dev/null || not_ok "user $1"
done
json() { /usr/bin/python3 -c "import json,sys; d=json.load(open('$TMP/out')); $1"; }

# ---- 外部委託: contract, checks, expiry
expect_exit 0 "kinds" -- "$MAMORI" record kinds --json
json 'k={x["id"]: x["states"] for x in d}; assert k["contractor"] == ["selecting", "active", "expired", "terminated", "cancelled"] and k["media"][:4] == ["registered", "stored", "lent", "disposed"] and "course" in k and "attendance" in k, k' \
	&& ok || not_ok "the contract's kind ids"
expect_exit 0 "a contract" -- "$MAMORI" record new contractor --by kanri --json --now "2026-03-20" \
	--set contractor="株式会社みなと情報" --set scope="住民情報システムの保守" --set 所管課=総務課 \
	--set accounts="vendor1、vendor2" --set assets=A-000008
expect_exit 1 "concluded without its requirements" -- "$MAMORI" record move K-000001 active --by kanri \
	--set start=2026-04-01 --set end=2026-12-31
expect_grep "$TMP/err" "requirements): required to enter 契約中" "the checklist is required to conclude"
expect_exit 1 "a requirement the policy does not list" -- "$MAMORI" record move K-000001 active --by kanri \
	--set start=2026-04-01 --set end=2026-12-31 --set requirements="守秘義務、秘密の呪文"
expect_grep "$TMP/err" "'秘密の呪文' is not one of the field's choices" "a checklist item is one of the policy's"
expect_exit 1 "staff may not conclude" -- "$MAMORI" record move K-000001 active --by ito \
	--set start=2026-04-01 --set end=2026-12-31 --set requirements=守秘義務
expect_exit 0 "concluded" -- "$MAMORI" record move K-000001 active --by kanri --set start=R8.4.1 --set end=2026-12-31 \
	--set requirements="再委託の制限、守秘義務、事故時の報告、監査・検査への協力、情報資産の返還・廃棄"
expect_exit 0 "show" -- "$MAMORI" record show K-000001 --json
json 'f=d["fields"]; assert f["requirements"] == ["subcontracting", "confidentiality", "incident-report", "audit", "return-disposal"] and f["start"] == "2026-04-01" and f["accounts"] == ["vendor1", "vendor2"], f' \
	&& ok || not_ok "the checklist kept as the policy's ids"
expect_exit 1 "a check without its result" -- "$MAMORI" record move K-000001 check --by kanri --note 現地確認
expect_grep "$TMP/err" "check_date): required with the step 確認結果を記録する" "a check records its date and result"
expect_exit 0 "a check" -- "$MAMORI" record move K-000001 check --by kanri --set check_date=2026-09-30 --set check_result=適合 \
	--set check_notes="入退室記録と持ち出し記録を確認"
expect_exit 1 "a second check may not reuse the first's result" -- "$MAMORI" record move K-000001 check --by kanri2
expect_exit 0 "a second check" -- "$MAMORI" record move K-000001 active --by kanri2 --set check_date=2026-11-30 \
	--set check_result="指摘あり（改善を求めた）"
expect_exit 0 "history" -- "$MAMORI" record show K-000001 --json
json 'h=[e for e in d["history"] if e.get("transition") == "check"]; assert [e["fields"]["check_date"] for e in h] == ["2026-09-30", "2026-11-30"] and d["fields"]["check_result"] == "findings", h' \
	&& ok || not_ok "every check in the history, the last on the record"
token=$("$MAMORI" user token vendor1 --scope read) && ok || not_ok "a token for vendor1"
# a contract of another contractor, still running, names vendor2 too: ending K-000001 disables both its accounts
expect_exit 0 "tick on the last day" -- "$MAMORI" record tick --now "2026-12-31 23:00" --json
json 'assert d["automatic"] == 0, d' && ok || not_ok "in force on its last day"
expect_exit 0 "users" -- "$MAMORI" user list --json
json 'assert not any(u["disabled"] for u in d), d' && ok || not_ok "the contractor's accounts in use until then"

# over HTTP: the contractor's token works while the contract runs, not after
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
B="http://127.0.0.1:$port"
"$MAMORI" serve --listen "127.0.0.1:$port" >"$TMP/serve.out" 2>"$TMP/serve.err" &
pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "$B/api/health" && break; sleep 0.1; done
st() { curl -s -o "$TMP/body" -w '%{http_code}' "$@"; }
[ "$(st -H "Authorization: Bearer $token" "$B/api/me")" = 200 ] && ok || not_ok "the contractor's token works"
[ "$(st -c "$TMP/v2" -X POST -d '{"username":"vendor2","password":"pw-vendor2"}' "$B/api/login")" = 200 ] && ok || not_ok "vendor2 logs in"
expect_exit 0 "tick the day after" -- "$MAMORI" record tick --now "2027-01-01 00:10" --json
json 'assert d["automatic"] == 1, d' && ok || not_ok "the contract expires by itself"
[ "$(st -H "Authorization: Bearer $token" "$B/api/me")" = 401 ] && ok || not_ok "the contractor's token refused after expiry"
[ "$(st -b "$TMP/v2" "$B/api/me")" = 401 ] && ok || not_ok "the contractor's session ended"
[ "$(st -X POST -d '{"username":"vendor1","password":"pw-vendor1"}' "$B/api/login")" = 401 ] && ok || not_ok "no login after expiry"
kill -TERM "$pid"; wait "$pid"
expect_exit 0 "show expired" -- "$MAMORI" record show K-000001 --json
json 'assert d["state"] == "expired" and d["history"][-1]["automatic"], d' && ok || not_ok "expired by mamori, in the history"
expect_exit 0 "users after" -- "$MAMORI" user list --json
json 'u={x["name"]: x["disabled"] for x in d}; assert u["vendor1"] and u["vendor2"] and not u["kanri"], u' \
	&& ok || not_ok "both accounts of the contract disabled, nobody else"
expect_exit 0 "trail" -- "$MAMORI" log show --object vendor1 --json
/usr/bin/python3 - "$TMP/out" <<'PY' && ok || not_ok "user.disable names the contract and the revoked token"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()] if not open(sys.argv[1]).read().lstrip().startswith("[") else json.load(open(sys.argv[1]))
d = [e for e in ev if e["action"] == "user.disable"]
assert len(d) == 1, ev
a = d[0]["body"]["after"] if "body" in d[0] else d[0]["after"]
assert a["record"] == "K-000001" and a["field"] == "accounts" and a["tokens_revoked"] == 1, a
PY
expect_exit 0 "tick again" -- "$MAMORI" record tick --now "2027-01-02" --json
json 'assert d["automatic"] == 0, d' && ok || not_ok "idempotent"
expect_exit 0 "notices" -- "$MAMORI" record notices --json
json 'assert {"kanri", "kanri2"} <= {n["recipient"] for n in d if n["record"] == "K-000001"}, d' \
	&& ok || not_ok "the reporter and the 管理者 told of the expiry"
# terminated: a contract ended early disables its accounts at once
"$MAMORI" user enable vendor2 >/dev/null
expect_exit 0 "a second contract" -- "$MAMORI" record new contractor --by kanri --set contractor=B社 --set scope=運用 \
	--set department=soumu --set accounts=vendor2
expect_exit 0 "concluded" -- "$MAMORI" record move K-000002 active --by kanri --set start=2027-01-01 --set end=2027-12-31 \
	--set requirements=守秘義務
expect_exit 0 "terminated" -- "$MAMORI" record move K-000002 terminated --by kanri --note 契約違反のため解除
expect_exit 0 "users" -- "$MAMORI" user list --json
json 'assert {x["name"]: x["disabled"] for x in d}["vendor2"], d' && ok || not_ok "termination disables at once"

# ---- 外部記録媒体
expect_exit 0 "a medium" -- "$MAMORI" record new media --by kanri --set label=USB-001 --set 種別=USBメモリ \
	--set department=soumu --set holder=kanri --set highest_class=機密性2 --set encrypted=yes
expect_exit 1 "stored needs its place" -- "$MAMORI" record move MD-000001 stored --by kanri
expect_exit 0 "stored" -- "$MAMORI" record move MD-000001 stored --by kanri --set location="総務課 施錠保管庫"
expect_exit 1 "lent without borrower" -- "$MAMORI" record move MD-000001 lent --by kanri --set lent_on=2026-12-01
expect_exit 1 "a staff member may not lend" -- "$MAMORI" record move MD-000001 lent --by ito \
	--set borrower=ito --set lent_on=2026-12-01 --set due=2026-12-03
expect_exit 0 "lent" -- "$MAMORI" record move MD-000001 lent --by kanri --set borrower=ito --set lent_on=2026-12-01 \
	--set due=2026-12-03 --set take_out=T-000001
expect_exit 0 "holdings of the borrower" -- "$MAMORI" user holdings ito --json
json 'assert [(r["id"], r["as"]) for r in d["records"]] == [("MD-000001", ["borrower"])], d' && ok || not_ok "a borrowed medium is the borrower's"
expect_exit 0 "returned" -- "$MAMORI" record move MD-000001 stored --by kanri
expect_exit 1 "disposed without a witness" -- "$MAMORI" record move MD-000001 disposed --by kanri2 \
	--set disposal_method=physical-destroy --set disposed_on=2026-12-05
expect_exit 1 "disposed by who lent it back (二人制)" -- "$MAMORI" record move MD-000001 disposed --by kanri \
	--set disposal_method=physical-destroy --set disposed_on=2026-12-05 --set witness=kanri2
expect_grep "$TMP/err" "second person" "the disposal needs a second person"
# 機密性2's 取扱制限 「復元不可能な処理を施しての廃棄」: a deletion that can be undone is refused, with its clause
expect_exit 1 "a medium of 機密性2 deleted only" -- "$MAMORI" record move MD-000001 disposed --by kanri2 \
	--set disposal_method=delete --set disposed_on=2026-12-05 --set witness=kanri
expect_grep "$TMP/err" "irreversibly" "the refusal says why"
expect_grep "$TMP/err" "対策基準 2.1" "and cites the clause"
expect_exit 0 "still stored" -- "$MAMORI" record show MD-000001 --json
json 'assert d["state"] == "stored", d' && ok || not_ok "the refused disposal changed nothing"
expect_exit 0 "disposed" -- "$MAMORI" record move MD-000001 disposed --by kanri2 \
	--set "廃棄の方法=物理的破壊（復元不可能）" --set disposed_on=2026-12-05 --set witness=kanri
expect_exit 0 "show" -- "$MAMORI" record show MD-000001 --json
json 'assert d["state"] == "disposed" and d["final"] and d["fields"]["witness"] == "kanri", d' && ok || not_ok "disposed, final, with its witness"
# 機密性1 asks no such thing: a deletion is recorded as it was done
expect_exit 0 "a medium of 機密性1" -- "$MAMORI" record new media --by kanri --set label=CD-009 --set 種別=CD \
	--set department=soumu --set holder=kanri --set highest_class=機密性1
id1=$(awk '{print $1; exit}' "$TMP/out")
expect_exit 0 "stored" -- "$MAMORI" record move "$id1" stored --by kanri --set location=書庫
expect_exit 0 "deleted only: allowed at 機密性1" -- "$MAMORI" record move "$id1" disposed --by kanri2 \
	--set disposal_method=delete --set disposed_on=2026-12-05 --set witness=kanri

# ---- 教育・研修
expect_exit 0 "a course" -- "$MAMORI" record new course --by touk --set name="情報セキュリティ研修（全職員）" \
	--set recurrence=毎年度 --set due=2026-11-30 --set audience_roles=職員等
expect_exit 0 "a course for 税務課" -- "$MAMORI" record new course --by touk --set name="標的型メール訓練" \
	--set recurrence=一度 --set audience_departments=税務課
expect_exit 0 "status before it runs" -- "$MAMORI" training status --json --now 2026-12-06
json 'assert d["courses"] == [], d' && ok || not_ok "a course being prepared counts for nobody"
expect_exit 0 "held" -- "$MAMORI" record move C-000001 active --by touk
expect_exit 0 "held" -- "$MAMORI" record move C-000002 active --by touk
# the sign-in sheet as the reception keeps it in Excel: a title row, CP932
printf '令和8年度 情報セキュリティ研修 受付名簿\n研修,受講者,受講日,回・会場\nC-000001,ito,2026/6/1,第1回 本庁舎\nC-000001,sato,R7.6.2,第2回 分庁舎\nC-000002,kato,2026-07-01,\n' \
	| iconv -f UTF-8 -t CP932 >"$TMP/sheet.csv"
printf '研修,受講者,受講日\nC-000009,ito,2026-06-01\nC-000001,nobody,2026-06-01\n' >"$TMP/bad.csv"
expect_exit 1 "a sheet with unknown course and account" -- "$MAMORI" record import attendance "$TMP/bad.csv" --by kanri
expect_grep "$TMP/err" "'C-000009' is not a record" "an unknown course named"
expect_grep "$TMP/err" "'nobody' is not an account" "an unknown account named"
printf '研修,受講者,受講日\nK-000001,ito,2026-06-01\n' >"$TMP/kind.csv"
expect_exit 1 "a record of another kind" -- "$MAMORI" record import attendance "$TMP/kind.csv" --by kanri
expect_grep "$TMP/err" "is a record of another kind" "a course field names courses only"
expect_exit 0 "the sheet" -- "$MAMORI" record import attendance "$TMP/sheet.csv" --by kanri
expect_grep "$TMP/out" "3 records imported" "three attendances"
expect_exit 0 "status" -- "$MAMORI" training status --json --now 2026-12-06
/usr/bin/python3 - "$TMP/out" <<'PY' && ok || not_ok "completion per 課 and person, overdue"
import json, sys
d = json.load(open(sys.argv[1]))
c = {x["id"]: x for x in d["courses"]}
a = c["C-000001"]
assert a["recurrence"] == "yearly" and a["from"] == "2026-04-01" and a["deadline"] == "2026-11-30", a
# sato attended on R7.6.2 = 2025-06-02: the last 年度, not this one
p = {x["user"]: (x["status"], x["last"]) for x in a["people"]}
assert p == {"ito": ("completed", "2026-06-01"), "sato": ("overdue", None), "kato": ("overdue", None)}, p
assert (a["audience"], a["completed"], a["overdue"]) == (3, 1, 2), a
deps = {x["department"]: (x["audience"], x["completed"], x["overdue"]) for x in a["departments"]}
assert deps == {"soumu": (1, 1, 0), "zeimu": (2, 0, 2)}, deps
b = c["C-000002"]
assert {x["user"]: x["status"] for x in b["people"]} == {"sato": "pending", "kato": "completed"}, b
PY
expect_exit 0 "status of 総務課's manager" -- "$MAMORI" training status C-000001 --department 税務課 --overdue --json --now 2026-12-06
json 'assert [p["user"] for p in d["courses"][0]["people"]] == ["kato", "sato"], d' && ok || not_ok "filtered by 課, overdue only"
expect_exit 0 "status in text" -- "$MAMORI" training status --now 2026-12-06
expect_grep "$TMP/out" "税務課: 0 of 2 completed, 2 overdue" "per 課 for people"
expect_exit 0 "next 年度" -- "$MAMORI" training status C-000001 --json --now 2027-04-01
json 'assert d["courses"][0]["completed"] == 0 and d["courses"][0]["overdue"] == 0 and d["courses"][0]["deadline"] == "2027-11-30", d' \
	&& ok || not_ok "a yearly course starts again each 年度"
# the tick (cron, the systemd timer, serve's minute) reminds who is overdue, once a week
expect_exit 0 "tick" -- "$MAMORI" record tick --now 2026-12-06 --json
json 'assert d["notices"] == 2, d' && ok || not_ok "the tick reminds each person overdue"
expect_exit 0 "tick again" -- "$MAMORI" record tick --now 2026-12-06 --json
json 'assert d["notices"] == 0, d' && ok || not_ok "not twice within a week"
expect_exit 0 "reminders by hand" -- "$MAMORI" training remind --now 2026-12-06 --json
json 'assert d["notices"] == 0, d' && ok || not_ok "training remind: those told this week are not told again"
expect_exit 0 "notices" -- "$MAMORI" record notices --for sato --json
json 'assert [(n["record"], n["reason"]) for n in d] == [("C-000001", "training.overdue")], d' && ok || not_ok "in the outbox"
expect_exit 0 "trail" -- "$MAMORI" log show --object C-000001 --json
expect_grep "$TMP/out" "training.remind" "the reminders in the trail"
expect_exit 1 "unknown course" -- "$MAMORI" training status C-999999

# ---- export and import round trips (a checklist of several choices, accounts, records):
# what is at its start comes back in (records further on are not imported as such)
expect_exit 0 "a contract being arranged" -- "$MAMORI" record new contractor --by kanri --set contractor=C社 \
	--set scope=開発 --set department=soumu --set accounts=vendor1 --set assets="A-000008、A-000009" \
	--set requirements="再委託の制限、守秘義務、事故時の報告、監査・検査への協力、情報資産の返還・廃棄"
expect_exit 0 "a medium registered" -- "$MAMORI" record new media --by kanri --set label=DVD-7 --set media_type=dvd \
	--set department=soumu --set holder=kanri2 --set highest_class=c1
for kind in contractor media attendance; do
	expect_exit 0 "export $kind" -- "$MAMORI" record export "$kind" --state open --out "$TMP/$kind.csv"
	expect_exit 0 "import $kind dry run" -- "$MAMORI" record import "$kind" "$TMP/$kind.csv" --by kanri --dry-run
done
expect_grep "$TMP/contractor.csv" "再委託の制限、守秘義務" "the checklist as people read it"
expect_exit 0 "re-import contractors" -- "$MAMORI" record import contractor "$TMP/contractor.csv" --by kanri
expect_exit 0 "show the copy" -- "$MAMORI" record show K-000004 --json
json 'assert d["fields"]["requirements"] == ["subcontracting", "confidentiality", "incident-report", "audit", "return-disposal"] and d["state"] == "selecting", d' \
	&& ok || not_ok "the checklist back as ids, the record at its start"
expect_exit 0 "xlsx" -- "$MAMORI" record export course --format xlsx --out "$TMP/course.xlsx"

# ---- the policy's checks of what the engine gained
cp "$SRCDIR/policies/mic-standard.yaml" "$TMP/"
cat >"$TMP/p.yaml" <<'YAML'
mamori-policy: 1
id: t
title: t
version: "1"
extends: mic-standard
records:
  - id: broken
    title: 壊れた台帳
    clause: 1
    fields:
      - { id: who, title: 担当, type: text }
      - { id: ref, title: 参照, type: record, of: nothing }
      - { id: ref2, title: 参照2, type: text, of: course }
    states:
      - { id: a, title: A, initial: true }
      - { id: b, title: B, final: true, disable_accounts: who }
    transitions:
      - { id: go, title: 進む, from: a, to: b, automatic: ref, requires: [who], clause: 1 }
YAML
expect_exit 1 "policy check" -- "$MAMORI" policy check "$TMP/p.yaml"
expect_grep "$TMP/err" "field 'who' is of type text; it must be account" "disable_accounts names an account field"
expect_grep "$TMP/err" "unknown kind nothing" "of names a kind"
expect_grep "$TMP/err" "of is for a field of type record" "of only on a record field"
expect_grep "$TMP/err" "is automatic: no one gives it fields" "an automatic step requires nothing"
expect_exit 0 "verify" -- "$MAMORI" log verify
finish
