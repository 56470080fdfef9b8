#!/usr/bin/env bash
# Records and workflows declared in the policy (docs/records.md): an incident
# from report to close with a refused move and an escalation by tick; a take-out
# request approved by a second person and honoured by the decision point only
# while it is in force; an exception that lifts a denial until it expires
# (clock set with --now); every change in the trail, and the trail intact.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/m.db" MAMORI_ACTOR="cli:operator" LANG=C.UTF-8
expect_exit 0 "init" -- "$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml"
expect_exit 0 "assets" -- "$MAMORI" asset import "$SRCDIR/examples/assets.csv"
expect_exit 0 "user tanaka" -- "$MAMORI" user add tanaka --role staff --department soumu
expect_exit 0 "user suzuki" -- "$MAMORI" user add suzuki --role staff --department soumu
expect_exit 0 "user kanri" -- "$MAMORI" user add kanri --role security-manager --department soumu
expect_exit 0 "user zkanri" -- "$MAMORI" user add zkanri --role security-manager --department zeimu
expect_exit 0 "user touk" -- "$MAMORI" user add touk --role chief-officer
expect_exit 0 "user ciso" -- "$MAMORI" user add ciso1 --role ciso
expect_exit 0 "user ciso2" -- "$MAMORI" user add ciso2 --role ciso

# ---- the declarations
expect_exit 0 "kinds" -- "$MAMORI" record kinds --json
/usr/bin/python3 - "$TMP/out" <<'PY' && ok || not_ok "kinds: the contract's ids and states"
import json, sys
k = {x["id"]: x["states"] for x in json.load(open(sys.argv[1]))}
assert k["incident"] == ["reported", "accepted", "responding", "prevention", "closed", "withdrawn"], k
assert k["take-out"] == ["requested", "approved", "rejected", "out", "returned"], k
assert k["exception"] == ["requested", "approved", "rejected", "expired", "revoked"], k
PY

# ---- incident: report, refusals, escalation, close
expect_exit 1 "report without summary" -- "$MAMORI" record new incident --by tanaka --set summery=x
expect_grep "$TMP/err" "did you mean 'summary'" "unknown field suggests"
expect_grep "$TMP/err" "summary): is required" "required field named"
expect_exit 1 "unknown asset" -- "$MAMORI" incident report --by tanaka --set summary=x --set assets=A-999999
expect_grep "$TMP/err" "A-999999' is not an asset" "asset checked against the register"
expect_exit 1 "bad date-time" -- "$MAMORI" incident report --by tanaka --set summary=x --set noticed_at=2026-02-30
expect_grep "$TMP/err" "noticed_at): '2026-02-30' is not a date and time" "datetime checked"
expect_exit 1 "unknown account" -- "$MAMORI" incident report --by nobody --set summary=x
expect_exit 0 "report" -- "$MAMORI" incident report --by tanaka --json --now "2026-12-05 10:00" \
	--set summary="USBメモリを紛失した" --set 認知した日時="２０２６－１２－０５　０９：３０" \
	--set assets="A-000006、A-000007" --set threat=unintentional --set severity=大（住民情報の漏えい・業務の停止）
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d=={"id":"INC-000001","state":"reported"}, d' "$TMP/out" && ok || not_ok "new --json: id and state"
expect_exit 0 "show --json" -- "$MAMORI" record show INC-000001 --json
/usr/bin/python3 - "$TMP/out" <<'PY' && ok || not_ok "show: fields normalised"
import json, sys
r = json.load(open(sys.argv[1]))
f = r["fields"]
assert r["kind"] == "incident" and r["state"] == "reported" and r["reporter"] == "tanaka", r
assert r["department"] == "soumu", r
assert f["noticed_at"] == "2026-12-05T00:30:00Z", f          # IME full-width, Tokyo time
assert f["assets"] == ["A-000006", "A-000007"], f             # 、 splits a list
assert f["severity"] == "high", f                               # a choice by its title
assert r["deadline"] == "2026-12-05T01:30:00Z", r               # 30m after the report
assert [h["action"] for h in r["history"]] == ["record.create"], r["history"]
PY
expect_exit 0 "notices at once" -- "$MAMORI" record notices --json
/usr/bin/python3 -c 'import json,sys; n=sorted(x["recipient"] for x in json.load(open(sys.argv[1]))); assert n==["kanri","touk"], n' "$TMP/out" && ok || not_ok "reporter's 管理者 and the 統括 told at once"
/usr/bin/python3 -c 'import json,sys; n=json.load(open(sys.argv[1]))[0]; assert (n["kind"], n["kind_title"], n["state"], n["state_title"], n["reason"]) == ("incident", "情報セキュリティインシデント報告", "reported", "報告", "record.create"), n' "$TMP/out" \
	&& ok || not_ok "a notice names its record's kind and state now, with their titles"

expect_exit 1 "reporter may not accept" -- "$MAMORI" record move INC-000001 accepted --by tanaka
expect_grep "$TMP/err" "情報セキュリティ管理者" "refusal names who may"
expect_exit 1 "another 課's manager may not" -- "$MAMORI" record move INC-000001 accepted --by zkanri
expect_exit 1 "no such step" -- "$MAMORI" record move INC-000001 closed --by kanri
expect_grep "$TMP/err" "from here: 受付 (accepted)" "possible steps listed"
expect_exit 0 "tick before the deadline" -- "$MAMORI" record tick --now "2026-12-05 10:29" --json
expect_grep "$TMP/out" '"escalated": 0' "nothing escalated before 30m"
expect_exit 0 "tick past the deadline" -- "$MAMORI" record tick --now "2026-12-05 10:31" --json
expect_grep "$TMP/out" '"escalated": 1' "escalated once"
expect_exit 0 "tick again, same time" -- "$MAMORI" record tick --now "2026-12-05 10:31" --json
expect_grep "$TMP/out" '"escalated": 0' "tick is idempotent"
expect_exit 0 "tick an hour later" -- "$MAMORI" record tick --now "2026-12-05 11:01" --json
expect_grep "$TMP/out" '"escalated": 1' "escalated again up the chain"
expect_exit 0 "escalations in the history" -- "$MAMORI" record show INC-000001 --json
/usr/bin/python3 - "$TMP/out" <<'PY' && ok || not_ok "escalations: security-officer then chief-officer"
import json, sys
r = json.load(open(sys.argv[1]))
esc = [h["role"] for h in r["history"] if h["action"] == "record.escalate"]
assert esc == ["security-officer", "chief-officer"], esc
assert r["escalations"] == 2, r
PY
expect_exit 0 "accept" -- "$MAMORI" record move INC-000001 受付 --by kanri --note 受け付けました
expect_exit 0 "respond" -- "$MAMORI" record move INC-000001 responding --by kanri
expect_exit 0 "prevention" -- "$MAMORI" record move INC-000001 prevention --by kanri
expect_exit 1 "close without 再発防止策" -- "$MAMORI" record move INC-000001 closed --by touk
expect_grep "$TMP/err" "再発防止策 (prevention): required to enter 終結" "closure needs prevention"
expect_exit 1 "manager may not close" -- "$MAMORI" record move INC-000001 closed --by kanri --set prevention=x
expect_exit 0 "close" -- "$MAMORI" record move INC-000001 closed --by touk --set prevention="暗号化USBメモリに限る"
expect_exit 0 "comment" -- "$MAMORI" record comment INC-000001 --by touk --note "全庁に周知"
expect_exit 0 "show closed" -- "$MAMORI" record show INC-000001
expect_grep "$TMP/out" "状態 state: 終結 (closed)" "closed"
expect_grep "$TMP/out" "認知した日時: 2026-12-05 09:30:00 JST" "time shown in Tokyo"
expect_grep "$TMP/out" "影響の程度: 大（住民情報の漏えい・業務の停止）" "choice shown by title"
expect_exit 1 "closed is final" -- "$MAMORI" record move INC-000001 withdrawn --by tanaka
expect_grep "$TMP/err" "none (the record is closed)" "no step from a final state"

# ---- take-out: a second person approves; the decision point honours it while in force
cat >"$TMP/take.json" <<'EOF'
{"subject": {"id": "tanaka", "roles": ["staff"], "department": "soumu"}, "action": "take_out",
 "resource": {"asset": "A-000006"}, "context": {"approval": "T-000001"}}
EOF
cat >"$TMP/take-none.json" <<'EOF'
{"subject": {"id": "tanaka", "roles": ["staff"], "department": "soumu"}, "action": "take_out",
 "resource": {"asset": "A-000006"}}
EOF
expect_exit 1 "take out without approval" -- "$MAMORI" decide --now 2026-12-08 "$TMP/take-none.json"
expect_grep "$TMP/out" '"approval-required"' "denied: approval needed, with the clause"
expect_exit 0 "request" -- "$MAMORI" record new take-out --by tanaka --set assets=A-000006 \
	--set purpose="出張先での説明" --set destination=県庁 --now 2026-12-05
expect_exit 1 "requester may not approve" -- "$MAMORI" record move T-000001 approved --by tanaka \
	--set from=2026-12-07 --set until=2026-12-09
expect_exit 1 "approve needs the dates" -- "$MAMORI" record move T-000001 approved --by kanri
expect_grep "$TMP/err" "持ち出し日 (from): required to enter 承認" "from required"
expect_exit 1 "take out while requested" -- "$MAMORI" decide --now 2026-12-08 "$TMP/take.json"
expect_grep "$TMP/out" "is not approved" "a request not yet approved does not count"
expect_exit 0 "approve" -- "$MAMORI" record move T-000001 approved --by kanri --set from=2026-12-07 --set until=R8.12.9
expect_exit 1 "before its first day" -- "$MAMORI" decide --now 2026-12-06 "$TMP/take.json"
expect_grep "$TMP/out" "not in force yet" "before from"
expect_exit 0 "within the dates" -- "$MAMORI" decide --now "2026-12-08 10:00" "$TMP/take.json"
expect_grep "$TMP/out" '"id":"approval"' "allowed, naming the approval"
expect_grep "$TMP/out" '"encrypt-in-transit"' "with the asset's obligations"
expect_exit 1 "after its last day" -- "$MAMORI" decide --now 2026-12-10 "$TMP/take.json"
expect_grep "$TMP/out" "has expired" "after until"
sed 's/"tanaka"/"suzuki"/' "$TMP/take.json" >"$TMP/take-other.json"
expect_exit 1 "another person's approval" -- "$MAMORI" decide --now 2026-12-08 "$TMP/take-other.json"
expect_grep "$TMP/out" "made by another person" "approval is personal"
sed 's/A-000006/A-000007/' "$TMP/take.json" >"$TMP/take-asset.json"
expect_exit 1 "another asset" -- "$MAMORI" decide --now 2026-12-08 "$TMP/take-asset.json"
expect_grep "$TMP/out" "does not name this asset" "approval covers its assets only"
expect_exit 0 "take" -- "$MAMORI" record move T-000001 out --by tanaka
expect_exit 0 "still in force while out" -- "$MAMORI" decide --now "2026-12-08 10:00" "$TMP/take.json"
expect_exit 0 "return" -- "$MAMORI" record move T-000001 returned --by tanaka
expect_exit 1 "returned: no longer in force" -- "$MAMORI" decide --now "2026-12-08 10:00" "$TMP/take.json"

# ---- exception: approved by the CISO, lifts a denial, ends by itself
cat >"$TMP/send.json" <<'EOF'
{"subject": {"id": "tanaka", "roles": ["staff"], "department": "soumu"}, "action": "publish",
 "resource": {"asset": "A-000006"}}
EOF
expect_exit 1 "denied before" -- "$MAMORI" decide --now 2026-12-08 "$TMP/send.json"
expect_exit 0 "request exception" -- "$MAMORI" record new exception --by tanaka --set justification="広報のため" \
	--set action=publish --set assets=A-000006 --set until=2026-12-31 --now 2026-12-05
expect_exit 1 "approve without measures" -- "$MAMORI" record move E-000001 approved --by ciso1
expect_exit 0 "approve" -- "$MAMORI" record move E-000001 approved --by ciso1 --set measures="公開前に課長が確認する"
expect_exit 0 "allowed by the exception" -- "$MAMORI" decide --now 2026-12-08 "$TMP/send.json"
expect_grep "$TMP/out" '"id":"exception","text":"exception E-000001' "the exception named in the reasons"
expect_grep "$TMP/out" '公開前に課長が確認する' "its measures are the obligation"
sed 's/"tanaka"/"suzuki"/' "$TMP/send.json" >"$TMP/send-other.json"
expect_exit 1 "not for another person" -- "$MAMORI" decide --now 2026-12-08 "$TMP/send-other.json"
expect_exit 1 "expired without anyone acting" -- "$MAMORI" decide --now 2027-01-01 "$TMP/send.json"
expect_exit 0 "tick takes the automatic step" -- "$MAMORI" record tick --now 2027-01-01 --json
expect_grep "$TMP/out" '"automatic": 1' "期限切れ taken by tick"
expect_exit 0 "show expired" -- "$MAMORI" record show E-000001 --json
/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["state"]=="expired" and r["history"][-1].get("automatic") is True, r' "$TMP/out" && ok || not_ok "expired by mamori itself"

# ---- lists, visibility, the trail
expect_exit 0 "list open" -- "$MAMORI" record list --state open --json
/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["records"]==[], r' "$TMP/out" && ok || not_ok "nothing open"
expect_exit 0 "list as suzuki" -- "$MAMORI" record list --by suzuki --json
/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["records"]==[], r' "$TMP/out" && ok || not_ok "a 職員 sees none of others' records"
expect_exit 0 "list as tanaka" -- "$MAMORI" record list --by tanaka --json
/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert [x["id"] for x in r["records"]]==["E-000001","T-000001","INC-000001"], r' "$TMP/out" && ok || not_ok "the reporter sees their own, newest first"
expect_exit 0 "list paged" -- "$MAMORI" record list --limit 2 --json
/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert len(r["records"])==2 and r["next"]==2, r' "$TMP/out" && ok || not_ok "keyset page"
expect_exit 0 "list next page" -- "$MAMORI" record list --limit 2 --before 2 --json
/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert [x["id"] for x in r["records"]]==["INC-000001"] and r["next"] is None, r' "$TMP/out" && ok || not_ok "last page"
expect_exit 1 "show refused to another 職員" -- "$MAMORI" record show T-000001 --by suzuki
expect_exit 0 "log verify" -- "$MAMORI" log verify
# SQL behind mamori's back: sqlite3 on SQLite's file, psql on PostgreSQL's store (tests/pg/sql.sh)
store_sql=sqlite3; [ "${MAMORI_TEST_BACKEND:-}" = postgresql ] && store_sql=$SRCDIR/tests/pg/sql.sh
n=$("$store_sql" "$MAMORI_DB" "SELECT count(*) FROM audit_event WHERE object_type = 'record'")
# 8 of the incident (create, 2 escalations, 4 moves, a comment), 4 of the take-out, 3 of the exception
[ "$n" -eq 15 ] && ok || not_ok "every record change in the trail ($n events, expected 15)"

# ---- a new policy must still declare what the records are: their kind and state
/usr/bin/python3 - "$SRCDIR/policies/mic-standard.yaml" "$TMP/no-exception.yaml" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
start = lines.index("  - id: exception")
end = next(i for i in range(start, len(lines)) if lines[i].startswith("definitions:"))
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(lines[:start] + lines[end:]))
PY
expect_exit 1 "replace: a kind records are of is gone" -- "$MAMORI" policy replace "$TMP/no-exception.yaml"
expect_grep "$TMP/err" "1 records of kind 'exception' (the first E-000001): the kind is not in policy mic-standard" \
	"the conflict names the kind, how many and the first record"
expect_grep "$TMP/err" "the store's policy stays mic-standard" "the old policy stays"
"$store_sql" "$MAMORI_DB" "UPDATE record SET state = 'lost' WHERE id = 'T-000001'"
expect_exit 1 "replace: a state a record is in is gone" -- "$MAMORI" policy replace "$SRCDIR/policies/mic-standard.yaml"
expect_grep "$TMP/err" "records of kind 'take-out' in state 'lost' (the first T-000001)" "the conflict names the state"
"$store_sql" "$MAMORI_DB" "UPDATE record SET state = 'returned' WHERE id = 'T-000001'"
expect_exit 0 "replace: the same kinds and states" -- "$MAMORI" policy replace "$SRCDIR/policies/mic-standard.yaml"

# ---- `by: [owner]`: the 管理責任者 (role and 課) of an asset the record names
cp "$SRCDIR/policies/mic-standard.yaml" "$TMP/"
cat >"$TMP/owner.yaml" <<'EOF2'
mamori-policy: 1
id: owner-town
title: 貸出の町
version: "1"
extends: mic-standard
records:
  - id: loan
    title: 情報資産の貸出
    prefix: L
    clause: 対策基準 5.1
    fields: [{ id: assets, title: 貸し出す情報資産, type: asset, multiple: true, required: true }]
    states:
      - { id: requested, title: 申請, initial: true }
      - { id: lent, title: 貸出中, final: true }
    transitions:
      - { id: lend, title: 貸し出す, from: requested, to: lent, by: [owner], clause: 対策基準 5.1 }
EOF2
export MAMORI_DB="$TMP/owner.db"
expect_exit 0 "owner: init" -- "$MAMORI" init --policy "$TMP/owner.yaml"
expect_exit 0 "owner: assets" -- "$MAMORI" asset import "$SRCDIR/examples/assets.csv"
"$MAMORI" user add tanaka --role staff --department soumu >/dev/null
"$MAMORI" user add skanri --role security-manager --department shimin >/dev/null
"$MAMORI" user add zkanri --role security-manager --department zeimu >/dev/null
# A-000001 住民基本台帳システム: 市民課 / 情報システム管理者; A-000002 住民基本台帳データ: 市民課 / 情報セキュリティ管理者
expect_exit 0 "owner: a loan of another 管理責任者's asset" -- "$MAMORI" record new loan --by tanaka --set assets=A-000001
expect_exit 1 "owner: the 課's 情報セキュリティ管理者 does not hold A-000001" -- "$MAMORI" record move L-000001 lent --by skanri
expect_exit 0 "owner: a loan of A-000002" -- "$MAMORI" record new loan --by tanaka --set assets=A-000002
expect_exit 1 "owner: the same role in another 課 is not its owner" -- "$MAMORI" record move L-000002 lent --by zkanri
expect_grep "$TMP/err" "not for this account's role (or its 課); it is for: 情報資産の管理責任者" "owner: the refusal says why, naming the 管理責任者"
expect_exit 0 "owner: its 管理責任者 lends it" -- "$MAMORI" record move L-000002 lent --by skanri
finish
