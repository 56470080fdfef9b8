#!/usr/bin/env bash
# The register's XLSX import end to end: workbooks made the way Excel writes
# them (tests/cli/make_xlsx.py: ふりがな, date formats, empty rows and cells left
# out, rich text, _xHHHH_ escapes, several sheets), the errors of bad rows with
# Excel's row numbers, workbooks that are not usable, and export → import of
# mamori's own XLSX reproducing the register exactly.  `mamori` hands a
# workbook to mamori-full; both are driven.
. "$(dirname "$0")/lib.sh"

P="$SRCDIR/policies/mic-standard.yaml"
export MAMORI_DB="$TMP/x.db"
W="$TMP/books"
mkdir -p "$W"
/usr/bin/python3 "$SRCDIR/tests/cli/make_xlsx.py" "$W" && ok || not_ok "make the workbooks"
"$MAMORI" init --policy "$P" >/dev/null

expect_exit 0 "dry run of a ledger" -- "$MAMORI" asset import --dry-run "$W/ledger.xlsx"
expect_grep "$TMP/out" 'ledger.xlsx: 4 assets would be imported' "dry run counts the rows of the first sheet"
expect_exit 0 "import a ledger" -- "$MAMORI" asset import "$W/ledger.xlsx"
expect_exit 0 "import a 1904 workbook" -- "$MAMORI" asset import "$W/date1904.xlsx"
"$MAMORI" asset list --csv >"$TMP/list.csv"
/usr/bin/python3 - "$TMP/list.csv" <<'PY' && ok || not_ok "what the workbooks hold, as imported"
import csv, sys
rows = {r['id']: r for r in csv.DictReader(open(sys.argv[1], encoding='utf-8', newline=''))}
bad = []
def want(id, field, value):
    got = rows.get(id, {}).get(field)
    if got != value:
        bad.append(f'{id} {field}: {got!r}, expected {value!r}')
want('A-000001', 'name', '住民基本台帳')                      # without its ふりがな
want('A-000001', 'description', '一行目\r\n二行目, "引用"')     # _x000D_ and a line break
want('A-000001', 'segment', 'mynumber')
want('A-000001', 'confidentiality', '3')
want('A-000001', 'retention', '永年')
want('A-000002', 'name', '例規集 原稿')                        # rich text runs, no ふりがな
want('A-000002', 'segment', 'lgwan')
want('A-000003', 'status', 'disposed')
want('A-000003', 'disposed_date', '2026-11-01')                # a date cell (format 14)
want('A-000003', 'retention', '2026-11-02')                    # a date in 「yyyy年m月d日」
want('A-000003', 'disposed_by', '山田')
want('A-000004', 'name', '計算_x0041_結果')                    # _x005F_ is an underscore
want('A-000004', 'retention', '2026-11-01 18:00:00')           # date and time (format 22)
want('A-000005', 'retention', '1904-01-01')                    # day 0 of the 1904 system
if len(rows) != 5:
    bad.append(f'{len(rows)} assets, expected 5')
for b in bad:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY

# another sheet by name; a sheet that does not exist names the ones that do
expect_exit 0 "--sheet" -- "$MAMORI" asset import --dry-run --sheet 記入例 "$W/ledger.xlsx"
expect_grep "$TMP/out" '1 asset would be imported' "the named sheet is read"
expect_exit 1 "--sheet unknown" -- "$MAMORI" asset import --sheet 無い "$W/ledger.xlsx"
expect_grep "$TMP/err" "no sheet named '無い' (its sheets: 台帳, 記入例)" "unknown sheet: the sheets are named"

# bad rows: Excel's row numbers (row 3, 4 and 6 are empty and left out), nothing written
n_before=$("$MAMORI" asset list --count)
expect_exit 1 "three bad rows" -- "$MAMORI" asset import "$W/bad.xlsx"
expect_grep "$TMP/err" "bad.xlsx: row 5, column 所管課: unknown department '秘書課'" "row 5 reported"
expect_grep "$TMP/err" "bad.xlsx: row 7, column 機密性: level '4' of 機密性 is out of range" "row 7 reported"
expect_grep "$TMP/err" "bad.xlsx: row 8, column 資産名: missing" "row 8 reported"
expect_grep "$TMP/err" 'nothing was imported' "all or nothing said"
[ "$("$MAMORI" asset list --count)" = "$n_before" ] && ok || not_ok "the good row of bad.xlsx was not imported"

# files that are not usable workbooks, each with what to do
expect_exit 1 ".xls" -- "$MAMORI" asset import "$W/old.xls"
expect_grep "$TMP/err" 'Excel 97-2003 workbook (.xls) or a password-protected one: save it from Excel as .xlsx' ".xls: what to do"
expect_exit 1 "a Word package" -- "$MAMORI" asset import "$W/word.xlsx"
expect_grep "$TMP/err" 'not an XLSX workbook: no workbook in the package' "docx named .xlsx"
expect_exit 1 "a zip cut short" -- "$MAMORI" asset import "$W/truncated.xlsx"
expect_grep "$TMP/err" 'the zip archive cannot be opened' "truncated zip"
expect_exit 1 "a DOCTYPE" -- "$MAMORI" asset import "$W/doctype.xlsx"
expect_grep "$TMP/err" 'xl/worksheets/sheet1.xml: has a DOCTYPE' "DOCTYPE refused"
expect_exit 1 "a shared string that is not there" -- "$MAMORI" asset import "$W/badref.xlsx"
expect_grep "$TMP/err" "sheet 台帳, cell A2: shared string '99' does not exist" "cell named"
expect_exit 2 "--encoding with a workbook" -- "$MAMORI" asset import --encoding cp932 "$W/ledger.xlsx"
expect_grep "$TMP/err" '--encoding is for CSV files' "--encoding refused for a workbook"
printf 'name,kind,department,confidentiality,integrity,availability\nx,information,soumu,1,1,1\n' >"$TMP/a.csv"
expect_exit 2 "--sheet with CSV" -- "$MAMORI" asset import --sheet 台帳 "$TMP/a.csv"
expect_grep "$TMP/err" '--sheet is for workbooks' "--sheet refused for CSV"

# mamori's own XLSX (its 取扱制限 column read past) → a fresh store → the same register
expect_exit 0 "export xlsx" -- "$MAMORI" asset export --format xlsx --out "$TMP/r.xlsx"
expect_exit 0 "export csv" -- "$MAMORI" asset export --format csv --out "$TMP/r.csv"
"$MAMORI" init --policy "$P" --db "$TMP/copy.db" >/dev/null
expect_exit 0 "import the XLSX export" -- "$MAMORI" asset import --db "$TMP/copy.db" "$TMP/r.xlsx"
expect_exit 0 "export the copy" -- "$MAMORI" asset export --db "$TMP/copy.db" --format csv --out "$TMP/copy.csv"
cmp -s "$TMP/r.csv" "$TMP/copy.csv" && ok || not_ok "XLSX export → import reproduces the register exactly"
# and a CSV with the 取扱制限 column is taken too
printf 'name,kind,department,confidentiality,integrity,availability,取扱制限\nx,information,soumu,1,1,1,何でも\n' >"$TMP/r2.csv"
expect_exit 0 "CSV with a 取扱制限 column" -- "$MAMORI" asset import --dry-run "$TMP/r2.csv"

# a large sheet: its reading shown on a terminal (then the import's own), never on a file
/usr/bin/python3 -c '
print("資産名,種別,所管課,機密性,完全性,可用性")
for i in range(10500): print(f"大量{i},情報,総務課,1,1,1")' >"$TMP/many.csv"
"$MAMORI" init --policy "$P" --db "$TMP/many.db" >/dev/null
"$MAMORI" asset import --db "$TMP/many.db" "$TMP/many.csv" >/dev/null
"$MAMORI" asset export --db "$TMP/many.db" --format xlsx --out "$TMP/many.xlsx"
"$MAMORI" init --policy "$P" --db "$TMP/many2.db" >/dev/null
expect_exit 0 "a large sheet, stderr to a file" -- "$MAMORI" asset import --dry-run --db "$TMP/many2.db" "$TMP/many.xlsx"
[ ! -s "$TMP/err" ] && ok || not_ok "no progress on a redirected stderr"
expect_exit 0 "a large sheet on a terminal" -- script -qec "\"$MAMORI\" asset import --db \"$TMP/many2.db\" \"$TMP/many.xlsx\"" /dev/null
expect_grep "$TMP/out" 'reading the sheet: 10000 rows' "reading progress shown on a terminal"
expect_grep "$TMP/out" '10500 / 10500 assets' "then the import's progress to the total"
expect_grep "$TMP/out" 'many.xlsx: 10500 assets imported' "a large sheet imported"

# the audit trail holds the import, and verifies
expect_exit 0 "log verify" -- "$MAMORI" log verify
finish
