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

# a new store at the same path: SQLite's file removed, or on PostgreSQL its schema (tests/pg/drop.sh)
fresh() {
	rm -f "$TMP"/l.db*
	[ "${MAMORI_TEST_BACKEND:-}" != postgresql ] || "$SRCDIR/tests/pg/drop.sh" "$TMP/l.db"
	"$MAMORI" init --policy "$P" --db "$TMP/l.db" >/dev/null
}
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

# ---- dates: 和暦, slashes, Excel serials in the date column; a bad one named ----
fresh
printf '資産名,種別,所管課,機密性,完全性,可用性,状態,廃棄日,廃棄方法,廃棄実施者\r\n' >"$TMP/dates.csv"
printf 'a,情報,総務課,1,1,1,廃棄済,R7.4.1,裁断（シュレッダー）,山田\r\nb,情報,総務課,1,1,1,廃棄済,令和元年5月1日,delete,山田\r\n' >>"$TMP/dates.csv"
printf 'c,情報,総務課,1,1,1,廃棄済,2025/4/1,delete,山田\r\nd,情報,総務課,1,1,1,廃棄済,45748,delete,山田\r\n' >>"$TMP/dates.csv"
expect_exit 0 "dates as written" -- "$MAMORI" asset import "$TMP/dates.csv" --db "$TMP/l.db"
list
expect_field disposed_date "2025-04-01,2019-05-01,2025-04-01,2025-04-01" "dates become YYYY-MM-DD"
expect_field disposed_method "shred,delete,delete,delete" "a disposal method by its Japanese name"
printf '資産名,種別,所管課,機密性,完全性,可用性,廃棄日\r\nx,情報,総務課,1,1,1,平成31年5月1日\r\n' >"$TMP/baddate.csv"
expect_exit 1 "a day that never was" -- "$MAMORI" asset import "$TMP/baddate.csv" --db "$TMP/l.db"
expect_grep "$TMP/err" "baddate.csv: row 2, column 廃棄日: '平成31年5月1日' is not a date: write 2025-04-01" "row and column of a bad date"
"$MAMORI" asset add --name e --kind 情報 --department 総務課 --c 1 --i 1 --a 1 --db "$TMP/l.db" >/dev/null
expect_exit 0 "dispose with a 和暦 date" -- "$MAMORI" asset dispose A-000005 --method shred --by 山田 --date 令和7年4月1日 --db "$TMP/l.db"
"$MAMORI" asset show A-000005 --json --db "$TMP/l.db" >"$TMP/a5.json"
expect_grep "$TMP/a5.json" '"disposed_date":[[:space:]]*"2025-04-01"' "dispose --date in 和暦"
expect_exit 2 "dispose with a word for a date" -- "$MAMORI" asset dispose A-000004 --method shred --by 山田 --date きのう --db "$TMP/l.db"

# ---- what a person reads: titles and Tokyo time; exports that come back the same ----
fresh
"$MAMORI" asset import "$L/ledger-cp932.csv" --map 備考=説明 --db "$TMP/l.db" >/dev/null 2>&1
"$MAMORI" asset add --name '=cmd|'"'"' /C calc'"'"'!A0' --kind 情報 --department 総務課 --c 1 --i 1 --a 1 \
	--description '@SUM(1+1)' --db "$TMP/l.db" >/dev/null
expect_exit 0 "list" -- "$MAMORI" asset list --db "$TMP/l.db"
expect_grep "$TMP/out" "課税台帳 .*情報システム .*税務課 .*LGWAN接続系 .*3  2  2  使用中" "list: Japanese titles"
expect_exit 0 "show" -- "$MAMORI" asset show A-000001 --db "$TMP/l.db"
expect_grep "$TMP/out" "^所管課 *税務課$" "show: the 課's title"
expect_grep "$TMP/out" "^登録日時 *20[0-9-]* [0-9:]* JST$" "show: Tokyo time"
expect_exit 0 "show --json keeps ids and UTC" -- "$MAMORI" asset show A-000001 --json --db "$TMP/l.db"
expect_grep "$TMP/out" '"department":[[:space:]]*"zeimu"' "--json: the id"
expect_grep "$TMP/out" '"created":[[:space:]]*"20[0-9T:.-]*Z"' "--json: UTC"
expect_exit 0 "export csv" -- "$MAMORI" asset export --format csv --out "$TMP/e1.csv" --db "$TMP/l.db"
expect_grep "$TMP/e1.csv" "A-000001,課税台帳,情報システム,年1回見直し,税務課,,LGWAN接続系,,3,2,2,,使用中,20[0-9-]*T[0-9:.]*+09:00," "export: titles and times with the zone's offset"
expect_grep "$TMP/e1.csv" "A-000004,\"'=cmd|' /C calc'!A0\",情報,\"'@SUM(1+1)\"" "export: formulas neutralised with '"
rm -f "$TMP"/r.db*
"$MAMORI" init --policy "$P" --db "$TMP/r.db" >/dev/null
expect_exit 0 "the export imports" -- "$MAMORI" asset import "$TMP/e1.csv" --db "$TMP/r.db"
expect_exit 0 "export again" -- "$MAMORI" asset export --format csv --out "$TMP/e2.csv" --db "$TMP/r.db"
cmp -s "$TMP/e1.csv" "$TMP/e2.csv" && ok || not_ok "export → import → export is the same file"
"$MAMORI" asset show A-000004 --json --db "$TMP/r.db" >"$TMP/a4.json"
expect_grep "$TMP/a4.json" '"name":[[:space:]]*"=cmd|'"'"' /C calc'"'"'!A0"' "the ' is taken off on import"
# every start OWASP names (=, +, -, @; a tab or CR is trimmed on entry), on every field,
# neutralised on export and taken off on import; a ' that neutralises nothing stays
"$MAMORI" init --policy "$P" --db "$TMP/f.db" >/dev/null
n=0
for v in '=1+1' '+1' '-1' '@SUM(A1)' "'plain" "''+two"; do
	"$MAMORI" asset add --db "$TMP/f.db" --name "$v" --kind 情報 --department 総務課 --c 1 --i 1 --a 1 \
		--description "$v" --location "$v" >/dev/null && n=$((n + 1))
done
[ "$n" = 6 ] && ok || not_ok "six assets with formula-like values"
expect_exit 0 "export of formula-like values" -- "$MAMORI" asset export --format csv --out "$TMP/f1.csv" --db "$TMP/f.db"
for v in "'=1+1" "'+1" "'-1" "'@SUM(A1)"; do
	[ "$(grep -o -F -- "\"$v\"" "$TMP/f1.csv" | wc -l)" = 3 ] && ok || not_ok "export: $v in the name, description and location"
done
/usr/bin/python3 - "$TMP/f1.csv" <<'PY' && ok || not_ok "export: no cell of the file starts a formula"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
bad = [c for r in rows for c in r if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
print(bad, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
"$MAMORI" init --policy "$P" --db "$TMP/f2.db" >/dev/null
expect_exit 0 "formula-like values import" -- "$MAMORI" asset import "$TMP/f1.csv" --db "$TMP/f2.db"
for db in f f2; do
	"$MAMORI" asset list --json --db "$TMP/$db.db" | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin); d = d.get("assets", d) if isinstance(d, dict) else d
print("\n".join("%s|%s|%s" % (a["name"], a.get("description"), a.get("location")) for a in d))' >"$TMP/$db.values"
done
cmp -s "$TMP/f.values" "$TMP/f2.values" && ok || not_ok "import gives back every value as it was: $(diff "$TMP/f.values" "$TMP/f2.values")"
grep -q -F "''+two|''+two|''+two" "$TMP/f2.values" && ok || not_ok "a ' that neutralised nothing stays"
expect_exit 0 "export cp932" -- "$MAMORI" asset export --format csv --encoding cp932 --out "$TMP/e.sjis.csv" --db "$TMP/l.db"
iconv -f CP932 -t UTF-8 "$TMP/e.sjis.csv" >"$TMP/e.sjis.utf8" && ok || not_ok "the CP932 export is CP932"
expect_grep "$TMP/e.sjis.utf8" "^資産番号,資産名,種別" "CP932 export: the header"
expect_grep "$TMP/e.sjis.utf8" "課税台帳,情報システム" "CP932 export: the rows"
"$MAMORI" asset add --name '𠮷野家の契約書' --kind 情報 --department 総務課 --c 1 --i 1 --a 1 --db "$TMP/l.db" >/dev/null
expect_exit 1 "a character CP932 lacks" -- "$MAMORI" asset export --format csv --encoding cp932 --out "$TMP/bad.csv" --db "$TMP/l.db"
expect_grep "$TMP/err" "asset A-000005 holds a character that CP932 cannot write" "names the asset"
[ ! -e "$TMP/bad.csv" ] && ok || not_ok "nothing half-written is left"
expect_exit 2 "--encoding for xlsx" -- "$MAMORI" asset export --format xlsx --encoding cp932 --out "$TMP/x.xlsx" --db "$TMP/l.db"

# the organisation's zone: organisation.timezone, checked
cat >"$TMP/utc.yaml" <<'YAML'
mamori-policy: 1
id: utc-town
title: UTC町情報セキュリティポリシー
version: test
extends: mic-standard
organisation:
  name: UTC町
  timezone: Etc/UTC
  clause: 基本方針 4(1)
  bodies: [{ id: internal, title: 内部部局, clause: 第1条 }]
YAML
cp "$P" "$TMP/mic-standard.yaml"
if "$MAMORI" policy check "$TMP/utc.yaml" >"$TMP/pc" 2>&1; then
	rm -f "$TMP"/u.db*
	"$MAMORI" init --policy "$TMP/utc.yaml" --db "$TMP/u.db" >/dev/null
	"$MAMORI" asset add --name x --kind 情報 --department 総務課 --c 1 --i 1 --a 1 --db "$TMP/u.db" >/dev/null
	"$MAMORI" asset show A-000001 --db "$TMP/u.db" >"$TMP/out"
	expect_grep "$TMP/out" "^登録日時 *20[0-9-]* [0-9:]* UTC$" "organisation.timezone: Etc/UTC"
else
	not_ok "a policy with organisation.timezone checks: $(cat "$TMP/pc")"
fi
sed 's|Etc/UTC|Asia/Tokio|' "$TMP/utc.yaml" >"$TMP/bad-tz.yaml"
expect_exit 1 "an unknown zone" -- "$MAMORI" policy check "$TMP/bad-tz.yaml"
expect_grep "$TMP/err" "bad-tz.yaml:8:.*organisation.timezone 'Asia/Tokio' is not a time zone" "the zone's line"
finish
