#!/usr/bin/env bash
# Records out to CSV / XLSX and back in (docs/records.md "Import and
# export"): an export round-trips through the import (CSV and XLSX); a CP932
# file with a title above its header and a 備考 column comes in with the
# column named as not imported; a bad row stores nothing and names FILE:row
# and the column; a dry run stores nothing; a later step in the 状態 column is
# refused; the list still shows each account what it showed before.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/m.db" MAMORI_ACTOR="cli:operator" LANG=C.UTF-8
expect_exit 0 "init" -- "$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml"
expect_exit 0 "assets" -- "$MAMORI" asset import "$SRCDIR/examples/assets.csv"
expect_exit 0 "user tanaka" -- "$MAMORI" user add tanaka --role staff --department soumu
expect_exit 0 "user suzuki" -- "$MAMORI" user add suzuki --role staff --department zeimu
expect_exit 0 "user kanri" -- "$MAMORI" user add kanri --role security-manager --department soumu
expect_exit 0 "user ciso" -- "$MAMORI" user add ciso1 --role ciso

count() { "$MAMORI" record list incident --limit 1000 --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["records"]))'; }

expect_exit 0 "report 1" -- "$MAMORI" incident report --by tanaka --set 'summary=PC紛失, 駅で' \
    --set assets=A-000001,A-000002 --set 'noticed_at=2026-12-05 09:30' --set severity=high
expect_exit 0 "report 2" -- "$MAMORI" incident report --by suzuki --set 'summary==SUM(A1) 誤送信' --set threat=intentional

# ---- export ----
expect_exit 0 "export csv" -- "$MAMORI" record export incident --out "$TMP/all.csv"
head -c 3 "$TMP/all.csv" | od -An -tx1 | grep -q 'ef bb bf' && ok || not_ok "the CSV starts with a BOM"
expect_grep "$TMP/all.csv" '^﻿番号,状態,報告者,作成日時,更新日時,概要,認知した日時,関係する情報資産,脅威の区分,影響の程度' "header by titles"
expect_grep "$TMP/all.csv" '^INC-000001,報告,tanaka,2026-.*+09:00,.*"PC紛失, 駅で",2026-12-05T09:30:00+09:00,A-000001、A-000002,,大（住民情報の漏えい・業務の停止）' "a row as a person reads it"
expect_grep "$TMP/all.csv" "\"'=SUM(A1) 誤送信\"" "a formula is written as text"
expect_exit 1 "an existing file is kept" -- "$MAMORI" record export incident --out "$TMP/all.csv"
[ "$(stat -c %a "$TMP/all.csv")" = 600 ] && ok || not_ok "the export is mode 0600"
expect_exit 0 "export cp932" -- "$MAMORI" record export incident --encoding cp932
iconv -f CP932 -t UTF-8 "$TMP/out" >"$TMP/cp.txt" && ok || not_ok "the CP932 export is CP932"
expect_grep "$TMP/cp.txt" '^INC-000001,報告,tanaka' "the CP932 export's row"
expect_exit 0 "export filtered" -- "$MAMORI" record export incident --by tanaka
grep -c '^INC-' "$TMP/out" | grep -qx 1 && ok || not_ok "the export shows only what --by sees"
expect_exit 0 "export xlsx" -- "$MAMORI" record export incident --format xlsx --out "$TMP/all.xlsx"
head -c 2 "$TMP/all.xlsx" | grep -q PK && ok || not_ok "the XLSX is a zip"
expect_exit 2 "xlsx needs --out" -- "$MAMORI" record export incident --format xlsx
expect_exit 1 "unknown kind" -- "$MAMORI" record export nothing

# ---- round trips ----
expect_exit 0 "import the CSV export" -- "$MAMORI" record import incident "$TMP/all.csv" --by kanri
expect_grep "$TMP/out" 'all.csv: 2 records imported' "two imported"
expect_grep "$TMP/err" "not imported: '番号', '報告者', '作成日時', '更新日時'" "the export's own columns are named"
expect_exit 0 "show imported" -- "$MAMORI" record show INC-000004 --json
python3 - "$TMP/out" <<'PY' && ok || not_ok "the imported record has the fields of the exported one"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["reporter"] == "kanri" and r["state"] == "reported", r
assert r["fields"]["summary"] == "PC紛失, 駅で", r["fields"]
assert r["fields"]["assets"] == ["A-000001", "A-000002"], r["fields"]
assert r["fields"]["noticed_at"] == "2026-12-05T00:30:00Z", r["fields"]
assert r["fields"]["severity"] == "high", r["fields"]
PY
expect_exit 0 "show the formula one" -- "$MAMORI" record show INC-000003 --json
expect_grep "$TMP/out" '"summary":.*"=SUM(A1) 誤送信"' "the formula guard is taken off on import"
expect_exit 0 "import the XLSX export" -- "$MAMORI" record import incident "$TMP/all.xlsx" --by kanri
expect_grep "$TMP/out" 'all.xlsx: 2 records imported' "two from the workbook"
[ "$(count)" = 6 ] && ok || not_ok "six records now"
expect_exit 0 "the import is in the trail" -- "$MAMORI" log show --json
expect_grep "$TMP/out" '"imported":.*"all.xlsx"' "the event names the file"

# ---- CP932 with a title row and 備考 ----
cat >"$TMP/u.csv" <<'CSV'
令和8年度 情報セキュリティインシデント（総務課）,,
,,
概要,影響の程度,備考
ＵＳＢメモリ紛失,中（一部の業務に影響）,庁舎内で捜索中
不審メール受信,low,
CSV
iconv -f UTF-8 -t CP932 "$TMP/u.csv" >"$TMP/sjis.csv" && ok || not_ok "make CP932 file"
expect_exit 0 "CP932 dry run" -- "$MAMORI" record import incident "$TMP/sjis.csv" --by tanaka --dry-run
expect_grep "$TMP/out" 'sjis.csv: 2 records would be imported (dry run; nothing written)' "dry run counts"
[ "$(count)" = 6 ] && ok || not_ok "the dry run stored nothing"
expect_exit 0 "CP932 import" -- "$MAMORI" record import incident "$TMP/sjis.csv" --by tanaka
expect_grep "$TMP/err" 'the header is row 3' "the title rows are skipped"
expect_grep "$TMP/err" "not imported: '備考'" "備考 is named as not imported"
[ "$(count)" = 8 ] && ok || not_ok "two more"
expect_exit 0 "show CP932 one" -- "$MAMORI" record show INC-000007 --json
expect_grep "$TMP/out" '"severity":.*"medium"' "a choice by its title"

# ---- all or nothing ----
cat >"$TMP/bad.csv" <<'CSV'
概要,認知した日時,関係する情報資産
一件目,2026-12-01 10:00,A-000001
二件目,きのう,A-000001
,2026-12-01 10:00,
四件目,,A-999999
CSV
expect_exit 1 "a bad file" -- "$MAMORI" record import incident "$TMP/bad.csv" --by tanaka
expect_grep "$TMP/err" 'bad.csv: row 3, column 2 (認知した日時): .*きのう' "FILE:row and the column named"
expect_grep "$TMP/err" 'bad.csv: row 4, column 1 (概要): .*required' "a missing required field"
expect_grep "$TMP/err" 'bad.csv: row 5, column 3 (関係する情報資産): .*A-999999' "an unknown asset"
expect_grep "$TMP/err" 'nothing was imported' "nothing imported"
[ "$(count)" = 8 ] && ok || not_ok "no record stored from the bad file"
printf '概要,状態\n途中から,受付\n' >"$TMP/state.csv"
expect_exit 1 "a later state" -- "$MAMORI" record import incident "$TMP/state.csv" --by ciso1
expect_grep "$TMP/err" "state.csv: row 2, column 2 (状態): '受付': a record comes in at its start" "a later state refused"
printf '概要,状態\n最初から,報告\n' >"$TMP/state0.csv"
expect_exit 0 "the initial state" -- "$MAMORI" record import incident "$TMP/state0.csv" --by tanaka
printf '影響の程度\n大\n' >"$TMP/nohead.csv"
expect_exit 1 "no required column" -- "$MAMORI" record import incident "$TMP/nohead.csv" --by tanaka
expect_grep "$TMP/err" 'the required column 概要 (summary) is missing' "the missing column named"
expect_exit 2 "import needs --by" -- "$MAMORI" record import incident "$TMP/state0.csv"
expect_exit 1 "unknown account" -- "$MAMORI" record import incident "$TMP/state0.csv" --by nobody

# ---- the list shows each account what it showed before ----
# tanaka (staff, 総務課): their own; suzuki (staff, 税務課): their own; kanri
# (情報セキュリティ管理者, scope department): 総務課's; ciso1: all
ids() { "$MAMORI" record list incident --by "$1" --limit 1000 --json | python3 -c 'import json,sys; print(" ".join(r["id"] for r in json.load(sys.stdin)["records"]))'; }
[ "$(ids tanaka)" = "INC-000009 INC-000008 INC-000007 INC-000001" ] && ok || not_ok "tanaka sees their own: $(ids tanaka)"
[ "$(ids suzuki)" = "INC-000002" ] && ok || not_ok "suzuki sees their own: $(ids suzuki)"
[ "$(ids ciso1)" = "INC-000009 INC-000008 INC-000007 INC-000006 INC-000005 INC-000004 INC-000003 INC-000002 INC-000001" ] && ok || not_ok "ciso sees all: $(ids ciso1)"
[ "$(ids nobody)" = "" ] && ok || not_ok "an unknown account sees nothing"
# pages: two at a time, newest first, the same records as one page
pages() {
	local before=0 out=""
	while :; do
		page=$("$MAMORI" record list incident --by "$1" --limit 2 --before "$before" --json)
		out="$out $(printf '%s' "$page" | python3 -c 'import json,sys; print(" ".join(r["id"] for r in json.load(sys.stdin)["records"]))')"
		before=$(printf '%s' "$page" | python3 -c 'import json,sys; n=json.load(sys.stdin)["next"]; print(n if n else 0)')
		[ "$before" = 0 ] && break
	done
	echo $out
}
[ "$(pages kanri)" = "$(ids kanri)" ] && ok || not_ok "kanri's pages: $(pages kanri) vs $(ids kanri)"
[ "$(pages tanaka)" = "$(ids tanaka)" ] && ok || not_ok "tanaka's pages"
expect_exit 0 "move one on" -- "$MAMORI" record move INC-000001 accepted --by kanri
[ "$("$MAMORI" record list incident --by tanaka --state open --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["records"]))')" = 4 ] && ok || not_ok "open"
[ "$("$MAMORI" record list incident --by tanaka --state 受付 --json | python3 -c 'import json,sys; print(" ".join(r["id"] for r in json.load(sys.stdin)["records"]))')" = INC-000001 ] && ok || not_ok "by state"


# ---- many moves in one transaction ----
printf '# 受付\nINC-000002 accepted まとめて受付\n\nINC-000003\t受付\nINC-000001 responding\n' >"$TMP/moves.txt"
expect_exit 0 "a batch of moves" -- "$MAMORI" record move --batch "$TMP/moves.txt" --by ciso1
expect_grep "$TMP/out" '^3 steps taken' "three steps"
expect_exit 0 "show a batch-moved one" -- "$MAMORI" record show INC-000002 --json
expect_grep "$TMP/out" '"note":.*"まとめて受付"' "the note is kept"
printf 'INC-000004 accepted\nINC-000005 closed\n' >"$TMP/bad_moves.txt"
expect_exit 1 "a batch with a bad step" -- "$MAMORI" record move --batch "$TMP/bad_moves.txt" --by ciso1
expect_grep "$TMP/err" 'bad_moves.txt:2: INC-000005: no step from 報告 to closed.*no step was taken' "FILE:line named"
expect_exit 0 "show INC-000004" -- "$MAMORI" record show INC-000004 --json
expect_grep "$TMP/out" '"state":.*"reported"' "the good step before it was not taken either"
printf 'INC-000004 accepted\n' >"$TMP/staff_moves.txt"
expect_exit 1 "a batch by who may not" -- "$MAMORI" record move --batch "$TMP/staff_moves.txt" --by tanaka
expect_exit 2 "a batch needs --by" -- "$MAMORI" record move --batch "$TMP/staff_moves.txt"

finish
