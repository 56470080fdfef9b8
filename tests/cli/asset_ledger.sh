#!/usr/bin/env bash
# A ledger as a 課 keeps it in Excel (tests/cli/make_ledger.py), imported as
# it is: CP932 CSV, UTF-8 CSV and XLSX; title rows skipped, unknown columns
# named once (or mapped, or refused with --strict), names matched after NFKC
# (ｼｽﾃﾑ, ③, Ⅱ, １, 税務 課), level words and aliases, trailing spaces trimmed.
. "$(dirname "$0")/lib.sh"

P="$SRCDIR/policies/mic-standard.yaml"
L="$TMP/ledgers"
mkdir -p "$L"
/usr/bin/python3 "$SRCDIR/tests/cli/make_ledger.py" "$L" && ok || not_ok "make the ledgers"

fresh() { rm -f "$TMP"/l.db*; "$MAMORI" init --policy "$P" --db "$TMP/l.db" >/dev/null; }
list() { "$MAMORI" asset list --json --db "$TMP/l.db" >"$TMP/list.json"; }
field() { /usr/bin/python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); print(",".join(x.get(sys.argv[2],"") for x in a))' "$TMP/list.json" "$1"; }
expect_field() { local got; got=$(field "$1"); [ "$got" = "$2" ] && ok || not_ok "$3: $1 is '$got', expected '$2'"; }

for f in ledger-cp932.csv ledger-utf8.csv ledger.xlsx; do
	fresh
	expect_exit 0 "$f: imports as kept" -- "$MAMORI" asset import "$L/$f" --db "$TMP/l.db"
	expect_grep "$TMP/out" "$f: 3 assets imported" "$f: 3 rows"
	expect_grep "$TMP/err" "the header is row 4; rows 1–3 above it (a title) are not imported" "$f: title rows skipped, said"
	expect_grep "$TMP/err" "not imported: 'No.', '取扱者', '更新日', '備考'" "$f: unknown columns named once"
	list
	expect_field name "課税台帳,納税通知書控え,滞納整理端末" "$f: names trimmed"
	expect_field kind "system,printed,equipment" "$f: kinds by alias after NFKC (ｼｽﾃﾑ, 紙, 端末)"
	expect_field department "zeimu,zeimu,zeimu" "$f: 税務課 with U+3000 and 税務 課"
	expect_field segment "lgwan,,internet" "$f: segments by alias (LGWAN系, インターネット系)"
	expect_field confidentiality "3,2,3" "$f: ③, 中, 機密性３"
	expect_field integrity "2,1,2" "$f: Ⅱ, 低, 2"
	expect_field availability "2,1,1" "$f: 高, １ , 低"
done

fresh
expect_exit 0 "--map 備考=説明" -- "$MAMORI" asset import "$L/ledger-cp932.csv" --map 備考=説明 --db "$TMP/l.db"
list
expect_field description "年1回見直し,,貸与" "--map reads 備考 as 説明"
if grep -q "'備考'" "$TMP/err"; then not_ok "a mapped column is not named as unknown"; else ok; fi

fresh
expect_exit 1 "--strict refuses unknown columns" -- "$MAMORI" asset import "$L/ledger-cp932.csv" --strict --db "$TMP/l.db"
expect_grep "$TMP/err" "row 4, column 1: 'No.' is not a column of the register (--strict)" "--strict names the column"
list
expect_field name "" "--strict: nothing imported"

expect_exit 0 "--header-row 4" -- "$MAMORI" asset import "$L/ledger-cp932.csv" --header-row 4 --dry-run --db "$TMP/l.db"
if grep -q "above it" "$TMP/err"; then not_ok "--header-row: no title warning"; else ok; fi
expect_exit 1 "--header-row 2: not the header" -- "$MAMORI" asset import "$L/ledger-cp932.csv" --header-row 2 --db "$TMP/l.db"
expect_grep "$TMP/err" "row 2: the required column 資産名 (name) is missing" "--header-row 2 judged as the header"
expect_exit 1 "--header-row past the end" -- "$MAMORI" asset import "$L/ledger-cp932.csv" --header-row 99 --db "$TMP/l.db"
expect_grep "$TMP/err" "header-row 99: the file has 7 rows" "--header-row past the end says so"
expect_exit 2 "--header-row 0" -- "$MAMORI" asset import "$L/ledger-cp932.csv" --header-row 0 --db "$TMP/l.db"
expect_exit 1 "--map to a column the register lacks" -- "$MAMORI" asset import "$L/ledger-cp932.csv" --map 備考=メモ --db "$TMP/l.db"
expect_grep "$TMP/err" "'メモ' is not a column of the register" "--map target checked"
expect_exit 1 "--map from a column the file lacks" -- "$MAMORI" asset import "$L/ledger-cp932.csv" --map 摘要=説明 --db "$TMP/l.db"
expect_grep "$TMP/err" "the header has no column '摘要'" "--map source checked"

expect_exit 1 "an unknown level word" -- "$MAMORI" asset import "$L/ledger-badlevel.csv" --db "$TMP/l.db"
expect_grep "$TMP/err" "ledger-badlevel.csv: row 5, column 機密性: level '特' of 機密性: use 1–3 or one of 高、秘、中、低" "the level word error offers the words"
LANG=ja_JP.UTF-8 LANGUAGE=ja "$MAMORI" asset import "$L/ledger-badlevel.csv" --db "$TMP/l.db" 2>"$TMP/err.ja"
expect_grep "$TMP/err.ja" "機密性 のレベル '特' はありません: 1〜3 または 高、秘、中、低 のいずれかを使ってください" "in Japanese too"
expect_exit 1 "unknown kind lists every title" -- "$MAMORI" asset add --name x --kind 車両 --department 税務課 --c 1 --i 1 --a 1 --db "$TMP/l.db"
expect_grep "$TMP/err" "unknown kind '車両': use one of ネットワーク、情報システム、設備、電磁的記録媒体、情報、印刷した文書、システム関連文書" "kinds by Japanese title, all of them"
finish
