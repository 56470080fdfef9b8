#!/usr/bin/env bash
# The register end to end on temporary stores: init, add/edit/show/list/dispose
# and their error paths; CSV import in UTF-8 and CP932 with Japanese headers, a
# quoted newline, all-or-nothing on bad rows, dry run; export → import exactly.
. "$(dirname "$0")/lib.sh"

P="$SRCDIR/policies/mic-standard.yaml"
DB="$TMP/r.db"
export MAMORI_ACTOR=test:clerk

expect_exit 0 "init" -- "$MAMORI" init --policy "$P" --db "$DB"
expect_grep "$TMP/out" 'mamori-ed25519-public' "init prints the public key"
[ "$(stat -c %a "$DB.key")" = 600 ] && ok || not_ok "signing key mode 0600"
expect_exit 1 "init refuses an existing store" -- "$MAMORI" init --policy "$P" --db "$DB"
expect_grep "$TMP/err" 'exists already' "init refusal says why"
expect_exit 1 "init refuses an invalid policy" -- "$MAMORI" init --policy "$SRCDIR/tests/policy-invalid/unknown-channel.yaml" --db "$TMP/bad.db"
[ ! -e "$TMP/bad.db" ] && [ ! -e "$TMP/bad.db.key" ] && ok || not_ok "nothing half-made after a failed init"
expect_exit 3 "no store" -- "$MAMORI" asset list --db "$TMP/none.db"
expect_grep "$TMP/err" "mamori init" "missing store message says what to do"

export MAMORI_DB="$DB"
expect_exit 0 "add by titles" -- "$MAMORI" asset add --name 住民基本台帳 --kind 情報 --department 市民課 \
	--segment マイナンバー利用事務系 --c 3 --i 2 --a 2 --location サーバ室
expect_grep "$TMP/out" '^A-000001$' "first id"
expect_exit 0 "add by ids" -- "$MAMORI" asset add --name 例規集原稿 --kind information --department soumu --segment lgwan --c 1 --i 1 --a 1
expect_exit 1 "add: bad values" -- "$MAMORI" asset add --name x --kind disk --department 秘書課 --c 4 --i 1 --a 1
expect_grep "$TMP/err" "unknown kind 'disk'" "bad kind"
expect_grep "$TMP/err" "unknown department '秘書課'" "bad department"
expect_grep "$TMP/err" "level '4' of 機密性 is out of range: use 1–3 or one of 高、秘、中、低" "bad level"
expect_exit 1 "add: missing name" -- "$MAMORI" asset add --kind information --department soumu --c 1 --i 1 --a 1
expect_grep "$TMP/err" '資産名 (name): missing' "missing name"
expect_exit 1 "add: duplicate id" -- "$MAMORI" asset add --id A-000001 --name y --kind information --department soumu --c 1 --i 1 --a 1
expect_grep "$TMP/err" 'exists already' "duplicate id"

expect_exit 0 "show" -- "$MAMORI" asset show A-000001
expect_grep "$TMP/out" '取扱制限' "show lists restrictions"
expect_grep "$TMP/out" 'issued-terminal-only.*支給以外の端末での作業の原則禁止.*\[対策基準 2.1\]' "restriction with wording and clause"
expect_grep "$TMP/out" 'timely-recovery' "availability restriction shown"
expect_exit 1 "show unknown" -- "$MAMORI" asset show A-999999

expect_exit 0 "edit" -- "$MAMORI" asset edit A-000002 --location 書庫 --c 2
expect_exit 1 "edit: bad level" -- "$MAMORI" asset edit A-000002 --c 9
expect_exit 0 "list filter" -- "$MAMORI" asset list --c '>=2' --department 市民課
expect_grep "$TMP/out" 'A-000001' "filtered list has A-000001"
grep -q 'A-000002' "$TMP/out" && not_ok "filter by department" || ok
expect_exit 0 "list json" -- "$MAMORI" asset list --json --segment LGWAN接続系
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d)==1 and d[0]["location"]=="書庫"' "$TMP/out" && ok || not_ok "list json content"
expect_exit 2 "list: bad level expression" -- "$MAMORI" asset list --c '>>2'

expect_exit 1 "dispose refuses a reversible method" -- "$MAMORI" asset dispose A-000001 --method delete --by 山田
expect_grep "$TMP/err" '復元不可能な処理を施しての廃棄.*対策基準 2.1' "refusal cites the clause"
expect_exit 0 "dispose irreversibly" -- "$MAMORI" asset dispose A-000001 --method shred --by 山田 --witness 佐藤 --date 2026-11-01
expect_exit 1 "dispose twice" -- "$MAMORI" asset dispose A-000001 --method shred --by 山田
expect_exit 0 "dispose level 1 by deletion" -- "$MAMORI" asset add --name メモ --kind information --department soumu --c 1 --i 1 --a 1
expect_exit 0 "…is allowed" -- "$MAMORI" asset dispose A-000003 --method delete --by 山田
expect_exit 0 "list by status" -- "$MAMORI" asset list --csv --status disposed
expect_grep "$TMP/out" '^A-000001,' "disposed A-000001 listed"
expect_grep "$TMP/out" '^A-000003,' "disposed A-000003 listed"
grep -q '^A-000002,' "$TMP/out" && not_ok "an active asset is not listed as disposed" || ok
expect_exit 0 "list by status in Japanese, kind by title, text" -- "$MAMORI" asset list --csv --status 廃棄済 --kind 情報 --search メモ
[ "$(grep -c '^A-' "$TMP/out")" = 1 ] && grep -q '^A-000003,' "$TMP/out" && ok || not_ok "status 廃棄済 + kind 情報 + text メモ: only A-000003"

# CP932 (what Japanese Excel writes), Japanese headers in another order, a quoted newline
# (Excel ends records with CRLF and writes a bare LF for a line break inside a cell)
printf '所管課,資産名,種別,機密性,完全性,可用性,ネットワーク区分,説明\r\n税務課,課税台帳,情報,2,2,1,LGWAN接続系,"一行目\n二行目"\r\n福祉課,"支援記録, 令和8年度",情報,3,2,2,マイナンバー利用事務系,\r\n' >"$TMP/utf8.csv"
iconv -f UTF-8 -t CP932 "$TMP/utf8.csv" >"$TMP/sjis.csv" && ok || not_ok "make CP932 file"
expect_exit 0 "import CP932 dry run" -- "$MAMORI" asset import --dry-run "$TMP/sjis.csv"
expect_grep "$TMP/out" '2 assets would be imported' "dry run counts"
expect_exit 0 "import CP932" -- "$MAMORI" asset import "$TMP/sjis.csv"
"$MAMORI" asset list --json --department zeimu >"$TMP/z.json"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d[0]["description"]=="一行目\n二行目", d' "$TMP/z.json" && ok || not_ok "quoted newline kept, Japanese intact"
expect_exit 0 "import with BOM, UTF-8" -- "$MAMORI" asset import <(printf '\xef\xbb\xbfname,kind,department,confidentiality,integrity,availability\nBOM台帳,information,soumu,1,1,1\n')

# three bad rows: nothing at all is imported
before=$("$MAMORI" asset list --csv | wc -l)
printf '%s\n' '資産名,種別,所管課,機密性,完全性,可用性' '正しい行,情報,総務課,1,1,1' \
	'悪い行1,情報,存在しない課,1,1,1' ',情報,総務課,1,1,1' '悪い行3,情報,総務課,5,1,1' >"$TMP/bad.csv"
expect_exit 1 "import with 3 bad rows" -- "$MAMORI" asset import "$TMP/bad.csv"
expect_grep "$TMP/err" 'bad.csv: row 3, column 所管課: unknown department' "row 3 reported"
expect_grep "$TMP/err" 'bad.csv: row 4, column 資産名: missing' "row 4 reported"
expect_grep "$TMP/err" 'bad.csv: row 5, column 機密性: level' "row 5 reported"
expect_grep "$TMP/err" 'nothing was imported' "all or nothing said"
[ "$("$MAMORI" asset list --csv | wc -l)" = "$before" ] && ok || not_ok "a bad file wrote nothing"
printf 'name,kind\n"unclosed,x\n' >"$TMP/q.csv"
expect_exit 1 "unterminated quote" -- "$MAMORI" asset import "$TMP/q.csv"
# a ledger as kept in Excel (CP932): a title, a date and a blank row above the
# header, columns the register does not keep; its rows numbered as in Excel
printf '令和7年度 情報資産管理台帳（税務課）,,,,,,,,\n作成日 令和7年4月1日,,,,,,,,\n,,,,,,,,\nNo.,資産名,種別,所管課,機密性,完全性,可用性,取扱者,備考\n1,固定資産税課税台帳,information,zeimu,3,2,2,山田,年1回更新\n2,申告書スキャン,information,zeimu,2,2,1,佐藤,\n' |
	iconv -f UTF-8 -t CP932 >"$TMP/ledger.csv"
expect_exit 0 "a ledger with a title above its header" -- "$MAMORI" asset import --dry-run "$TMP/ledger.csv"
expect_grep "$TMP/err" "the header is row 4; rows 1–3 above it (a title) are not imported" "the title rows are said to be skipped"
expect_grep "$TMP/err" "row 4: not in the register, not imported: 'No.', '取扱者', '備考'" "the other columns named once"
expect_grep "$TMP/out" "2 assets would be imported" "both rows read"
printf '7,年金台帳,information,zeimu,4,2,2,山田,\n' | iconv -f UTF-8 -t CP932 >>"$TMP/ledger.csv"
expect_exit 1 "a bad row of that ledger" -- "$MAMORI" asset import --dry-run "$TMP/ledger.csv"
expect_grep "$TMP/err" "ledger.csv: row 7, column 機密性" "the bad row named by its Excel row"
printf 'name,colour\n' >"$TMP/h.csv"
expect_exit 1 "unknown header and missing columns" -- "$MAMORI" asset import "$TMP/h.csv"
expect_grep "$TMP/err" "not in the register, not imported: 'colour'" "unknown header named"
expect_grep "$TMP/err" 'required column 所管課' "missing column named"

# export → import into a fresh store reproduces the register exactly
expect_exit 0 "export csv" -- "$MAMORI" asset export --format csv --out "$TMP/export.csv"
head -c 3 "$TMP/export.csv" | od -An -tx1 | grep -q 'ef bb bf' && ok || not_ok "CSV starts with a BOM"
"$MAMORI" init --policy "$P" --db "$TMP/copy.db" >/dev/null && ok || not_ok "second store"
expect_exit 0 "import the export" -- "$MAMORI" asset import --db "$TMP/copy.db" "$TMP/export.csv"
"$MAMORI" asset export --db "$TMP/copy.db" --format csv --out "$TMP/export2.csv"
cmp -s "$TMP/export.csv" "$TMP/export2.csv" && ok || { not_ok "export → import → export differs"; diff "$TMP/export.csv" "$TMP/export2.csv" | head >&2; }
expect_exit 0 "export xlsx" -- "$MAMORI" asset export --format xlsx --out "$TMP/r.xlsx"
cp "$TMP/export.csv" "$TMP/kept.csv"
expect_exit 1 "export refuses to overwrite" -- "$MAMORI" asset export --format csv --out "$TMP/export.csv"
expect_grep "$TMP/err" "export.csv exists already; give --force to replace it" "the refusal says what to do"
cmp -s "$TMP/export.csv" "$TMP/kept.csv" && ok || not_ok "the refused export left the file as it was"
expect_exit 1 "xlsx export refuses to overwrite" -- "$MAMORI" asset export --format xlsx --out "$TMP/r.xlsx"
expect_exit 0 "export --force replaces" -- "$MAMORI" asset export --format csv --force --out "$TMP/export.csv"
cmp -s "$TMP/export.csv" "$TMP/kept.csv" && ok || not_ok "the forced export writes the same register"
/usr/bin/python3 - "$TMP/r.xlsx" <<'PY' && ok || not_ok "xlsx content"
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
sheet = z.read("xl/worksheets/sheet1.xml").decode()
# strings are inline (constant-memory mode) or shared: look in both
strings = sheet + (z.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in z.namelist() else "")
assert "<pane" in sheet and "frozen" in sheet, "frozen panes"
assert "<autoFilter" in sheet, "autofilter"
assert "取扱制限" in strings and "課税台帳" in strings and "復元不可能な処理を施しての廃棄" in strings
PY

# every change is in the audit trail, with the actor
"$MAMORI" log show --json >"$TMP/log.jsonl"
/usr/bin/python3 - "$TMP/log.jsonl" <<'PY' && ok || not_ok "audit events for every change"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
actions = [e["action"] for e in ev]
assert actions[0] == "policy.load", actions
assert actions.count("asset.dispose") == 2 and actions.count("asset.edit") == 1, actions
assert actions.count("asset.add") == 3 + 2 + 1, actions
assert all(e["actor"] == "test:clerk" for e in ev), "actor"
PY
expect_exit 0 "log verify after all that" -- "$MAMORI" log verify

# more of every command and its error paths
expect_exit 0 "show --json" -- "$MAMORI" asset show --json A-000002
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["id"]=="A-000002" and d["department"]=="soumu" and d["confidentiality"]=="2", d' "$TMP/out" && ok || not_ok "show --json content"
expect_exit 0 "list --csv" -- "$MAMORI" asset list --csv --search 支援記録
expect_grep "$TMP/out" '^id,name,kind,' "list --csv header"
expect_grep "$TMP/out" '"支援記録, 令和8年度"' "list --csv quotes a comma"
expect_exit 1 "edit: unknown id" -- "$MAMORI" asset edit A-999999 --location x
expect_grep "$TMP/err" 'no asset A-999999' "edit names the missing id"
expect_exit 2 "edit: no id" -- "$MAMORI" asset edit
expect_exit 2 "dispose: unknown method" -- "$MAMORI" asset dispose A-000002 --method melt --by 山田
expect_grep "$TMP/err" "unknown disposal method 'melt'" "unknown method named"
expect_exit 2 "dispose: --by missing" -- "$MAMORI" asset dispose A-000002 --method shred
expect_exit 2 "export: unknown format" -- "$MAMORI" asset export --format pdf
expect_exit 2 "export xlsx needs --out" -- "$MAMORI" asset export --format xlsx
expect_exit 3 "export: unwritable path" -- "$MAMORI" asset export --format csv --out "$TMP/no/such/dir/x.csv"
expect_grep "$TMP/err" 'cannot write' "unwritable export says so"
expect_exit 2 "unknown subcommand" -- "$MAMORI" asset frobnicate
expect_exit 1 "import: unknown encoding" -- "$MAMORI" asset import --encoding latin-9 "$TMP/sjis.csv"
expect_grep "$TMP/err" "unknown encoding 'latin-9'" "unknown encoding named"
expect_exit 1 "import: CP932 read as UTF-8" -- "$MAMORI" asset import --encoding utf-8 "$TMP/sjis.csv"
expect_grep "$TMP/err" 'invalid UTF-8 (try --encoding cp932)' "wrong encoding suggests the fix"
expect_exit 0 "import: CP932 forced" -- "$MAMORI" asset import --dry-run --encoding cp932 "$TMP/sjis.csv"
expect_exit 3 "import: missing file" -- "$MAMORI" asset import "$TMP/none.csv"
# ids: twice in the file, or already in the register — reported by a dry run too
printf '資産番号,資産名,種別,所管課,機密性,完全性,可用性\nA-000500,一,情報,総務課,1,1,1\nA-500,二,情報,総務課,1,1,1\nA-000002,三,情報,総務課,1,1,1\n' >"$TMP/ids.csv"
expect_exit 1 "dry run: duplicate ids" -- "$MAMORI" asset import --dry-run "$TMP/ids.csv"
expect_grep "$TMP/err" 'ids.csv: row 3, column 資産番号: duplicate id A-000500 (row 2 has it too)' "duplicate in the file"
expect_grep "$TMP/err" 'ids.csv: row 4, column 資産番号: A-000002 is in the register already' "id in the register"

# the table stays aligned whatever the width of the text (full-width = 2 columns)
expect_exit 0 "add a long name" -- "$MAMORI" asset add --name 'とても長い資産名の例：令和八年度住民税課税台帳の写しＡＢＣ' --kind information --department soumu --c 1 --i 1 --a 1
expect_exit 0 "list table" -- "$MAMORI" asset list
/usr/bin/python3 - "$TMP/out" <<'PY' && ok || not_ok "table columns aligned"
import re, sys, unicodedata
def w(s): return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
cols = set()
for l in lines[:-1]:
    m = re.search(r"機 完 可|\d  \d  \d ", l)
    assert m, l
    cols.add(w(l[:m.start()]))
assert len(cols) == 1, cols
assert any("…" in l for l in lines), "long name cut with an ellipsis"
assert any("総務課" in l and "情報" in l and "使用中" in l for l in lines), "titles, not ids"
PY

# progress: never on a redirected stderr, shown on a terminal
/usr/bin/python3 -c '
import sys
print("資産名,種別,所管課,機密性,完全性,可用性")
for i in range(10500): print(f"大量{i},情報,総務課,1,1,1")' >"$TMP/many.csv"
"$MAMORI" init --policy "$P" --db "$TMP/many.db" >/dev/null
expect_exit 0 "large import, stderr to a file" -- "$MAMORI" asset import --db "$TMP/many.db" "$TMP/many.csv"
[ ! -s "$TMP/err" ] && ok || not_ok "no progress on a redirected stderr"
"$MAMORI" init --policy "$P" --db "$TMP/many2.db" >/dev/null
expect_exit 0 "large import on a terminal" -- script -qec "\"$MAMORI\" asset import --db \"$TMP/many2.db\" \"$TMP/many.csv\"" /dev/null
expect_grep "$TMP/out" '10000 / 10500 assets' "import progress shown on a terminal"
expect_grep "$TMP/out" '10500 / 10500 assets' "import progress ends with the total"
expect_exit 0 "export on a terminal" -- script -qec "\"$MAMORI\" asset export --db \"$TMP/many.db\" --format csv --out \"$TMP/many-out.csv\"" /dev/null
expect_grep "$TMP/out" '10500 / 10500 assets' "progress shown on a terminal"
[ "$(wc -l <"$TMP/many-out.csv")" = 10501 ] && ok || not_ok "large export complete"

# pages: --limit N, then --after the page's last id, until no page follows;
# together they are the whole list; --count says how many match
expect_exit 0 "count" -- "$MAMORI" asset list --db "$TMP/many.db" --count
grep -qx 10500 "$TMP/out" && ok || not_ok "count of all assets"
expect_exit 0 "count filtered, json" -- "$MAMORI" asset list --db "$TMP/many.db" --department 総務課 --search 大量10 --count --json
grep -qx '{"count":611}' "$TMP/out" && ok || not_ok "count of a filter (大量10, 100–109, 1000–1099, 10000–10499)"
expect_exit 0 "first page" -- "$MAMORI" asset list --db "$TMP/many.db" --limit 4000
expect_grep "$TMP/out" '^(4000 of 10500 assets; next page: --after A-004000)$' "page footer names the next page"
after=""; pages=0; : >"$TMP/pages.csv"
while :; do
	"$MAMORI" asset list --db "$TMP/many.db" --csv --limit 4000 ${after:+--after "$after"} >"$TMP/page.csv" 2>"$TMP/page.err" || break
	tail -n +2 "$TMP/page.csv" >>"$TMP/pages.csv"
	pages=$((pages + 1))
	after=$(sed -n 's/.*next page: --after \(A-[0-9]*\)$/\1/p' "$TMP/page.err")
	[ -n "$after" ] || break
done
"$MAMORI" asset list --db "$TMP/many.db" --csv | tail -n +2 >"$TMP/whole.csv"
[ "$pages" = 3 ] && cmp -s "$TMP/pages.csv" "$TMP/whole.csv" && ok || not_ok "three pages make the whole list ($pages pages)"
expect_exit 2 "list: bad limit" -- "$MAMORI" asset list --db "$TMP/many.db" --limit 0
expect_grep "$TMP/err" "not a number of assets from 1 to 1000000" "bad limit says the range"
expect_exit 2 "list: --after without --limit" -- "$MAMORI" asset list --db "$TMP/many.db" --after A-000010
expect_exit 1 "list: after an unknown id" -- "$MAMORI" asset list --db "$TMP/many.db" --limit 10 --after A-999999
expect_grep "$TMP/err" 'no asset A-999999 to start the page after' "unknown page start named"

# schema versions: an older mamori refuses a newer store, with a clear message;
# a store without a version is migrated to the current schema.  SQLite's file
# (a copy with its user_version changed; tests/store/v1.db): PostgreSQL's
# stores begin at the current schema, with no older one to migrate from
if [ "${MAMORI_TEST_BACKEND:-}" != postgresql ]; then
cp "$DB" "$TMP/newer.db"
/usr/bin/python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA user_version = 99"); c.commit()' "$TMP/newer.db"
expect_exit 3 "newer store refused" -- "$MAMORI" asset list --db "$TMP/newer.db"
expect_grep "$TMP/err" 'store schema version 99 is newer than this mamori (12); upgrade mamori$' "refusal message"
/usr/bin/python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute("PRAGMA user_version").fetchone()[0])' "$DB" >"$TMP/v"
grep -qx 12 "$TMP/v" && ok || not_ok "schema version recorded"

# migration from the first schema version: tests/store/v1.db was made by the
# schema-1 mamori (one policy load, one asset); this mamori upgrades it in place
cp "$SRCDIR/tests/store/v1.db" "$SRCDIR/tests/store/v1.db.pub" "$TMP/"; chmod 600 "$TMP/v1.db"
expect_exit 0 "open a schema-1 store" -- "$MAMORI" asset show --db "$TMP/v1.db" A-000001
expect_grep "$TMP/out" '旧台帳' "the schema-1 asset is there"
/usr/bin/python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute("PRAGMA user_version").fetchone()[0]); print(c.execute("SELECT count(*) FROM user").fetchone()[0])' "$TMP/v1.db" >"$TMP/v1"
[ "$(head -1 "$TMP/v1")" = 12 ] && [ "$(tail -1 "$TMP/v1")" = 0 ] && ok || not_ok "migrated to schema 12 (user table, records, sort indexes, mail, files, record list indexes, check answers)"
expect_exit 0 "the migrated trail still verifies" -- "$MAMORI" log verify --db "$TMP/v1.db"
fi
finish
