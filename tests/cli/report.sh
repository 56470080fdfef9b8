#!/usr/bin/env bash
# `mamori report` and GET /api/reports/…: each report as PDF, turned into text
# with pdftotext and checked (title, 和暦 date, the organisation, page numbers,
# a 課's assets, Japanese text intact), and into PNGs under
# build/tests/report-shots/ for a reviewer to look at; XLSX read back by
# tests/unit/test_report.c (the project's reader) and here by its sheets' names.
. "$(dirname "$0")/lib.sh"

if ! command -v pdftotext >/dev/null || ! command -v pdftoppm >/dev/null; then
	echo "SKIP: poppler-utils (pdftotext, pdftoppm) are not installed"
	exit 77
fi
SHOTS=${MAMORI_REPORT_SHOTS:-$(dirname "$MAMORI")/tests/report-shots}
mkdir -p "$SHOTS"

export MAMORI_DB="$TMP/r.db" MAMORI_ACTOR=test:admin
"$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml" >/dev/null && ok || not_ok "init"
"$MAMORI" asset import "$SRCDIR/examples/assets.csv" >/dev/null && ok || not_ok "import"

# text of the PDF at $1 into $TMP/$2.txt (layout kept: a row stays one line)
pdf_text() { pdftotext -layout "$1" "$TMP/$2.txt" && ok || not_ok "pdftotext $1"; }
# PNGs of the PDF at $1 as $SHOTS/$2-N.png
shots() { pdftoppm -png -r 70 "$1" "$SHOTS/$2" && ok || not_ok "pdftoppm $1"; }

# --- the register (情報資産管理台帳 by 課), in Japanese ---------------------------
expect_exit 0 "report register pdf" -- env LANG=ja_JP.UTF-8 LANGUAGE=ja "$MAMORI" report register --format pdf \
	--out "$TMP/register.pdf" --date 2026-12-06
[ "$(stat -c %a "$TMP/register.pdf")" = 600 ] && ok || not_ok "the report is mode 0600"
head -c 5 "$TMP/register.pdf" | grep -q '%PDF-' && ok || not_ok "a PDF"
pdf_text "$TMP/register.pdf" register
shots "$TMP/register.pdf" register
t="$TMP/register.txt"
expect_grep "$t" "情報資産管理台帳" "title"
expect_grep "$t" "令和8年12月6日" "the date in 和暦"
expect_grep "$t" "（標準）地方公共団体" "the organisation"
pages=$(grep -Ec "[0-9]+ / [0-9]+ ページ" "$t")
expect_grep "$t" "1 / $pages ページ" "page numbers n / N"
[ "$pages" -ge 8 ] && ok || not_ok "a page per 課 and the summary: $pages pages"
# the summary: 課 × 機密性 with totals
grep -E "^ *総務課 +1 +3 +2 +6" "$t" >/dev/null && ok || not_ok "summary row of 総務課"; grep -n "総務課" "$t" | head -3 >&2
grep -E "合計 +8 +9 +3 +20" "$t" >/dev/null && ok || not_ok "summary's totals"
# a 課's section with its assets, Japanese text intact (no tofu: pdftotext gives the characters back)
expect_grep "$t" "A-000003 *個人住民税課税台帳 *情報 *情報セキュリティ管理者" "税務課's asset row"
expect_grep "$t" "資産番号 *資産名 *種別 *管理責任者" "the ledger's header"
expect_grep "$t" "機密性3: 2" "the 課's counts by 機密性"
awk '/^ *税務課$/,/[0-9] \/ [0-9]+ ページ/' "$t" >"$TMP/zeimu.txt"
expect_grep "$TMP/zeimu.txt" "A-000004 *固定資産課税台帳" "税務課's page holds its assets"
grep -q "A-000001" "$TMP/zeimu.txt" && not_ok "税務課's page holds 市民課's asset" || ok
pdffonts "$TMP/register.pdf" >"$TMP/fonts" 2>&1
grep -Eq "IPAex|NotoSansCJK|Noto Sans CJK" "$TMP/fonts" && ok || { not_ok "a Japanese font embedded"; cat "$TMP/fonts" >&2; }

# the filters of the register list; the subtitle names them
expect_exit 0 "report register --department --c" -- env LANG=ja_JP.UTF-8 LANGUAGE=ja "$MAMORI" report register \
	--format pdf --out "$TMP/zeimu.pdf" --department 税務課 --c '>=2' --date R8.4.1
pdf_text "$TMP/zeimu.pdf" zeimu-only
expect_grep "$TMP/zeimu-only.txt" "令和8年4月1日" "--date in any office form"
expect_grep "$TMP/zeimu-only.txt" "所管課: 税務課" "the subtitle names the filter"
grep -q "市民課" "$TMP/zeimu-only.txt" && not_ok "a filtered report holds another 課" || ok

# in English under LANG=C (the ledger's values stay the policy's Japanese)
expect_exit 0 "report register in English" -- env LANG=C "$MAMORI" report register --format pdf --out "$TMP/en.pdf"
pdf_text "$TMP/en.pdf" en
expect_grep "$TMP/en.txt" "Information asset register" "English title"
expect_grep "$TMP/en.txt" "1 / [0-9]* pages" "English page numbers"
expect_grep "$TMP/en.txt" "令和[0-9元]*年[0-9]*月[0-9]*日" "today in 和暦"

# a large ledger runs over pages, the header row repeated on each
for i in $(seq 1 150); do echo "台帳その$i,情報,税務課,2,2,2,本庁舎の書庫の奥にある施錠されたキャビネットの上から${i}段目"; done |
	sed '1i 資産名,種別,所管課,機密性,完全性,可用性,保管場所' >"$TMP/many.csv"
"$MAMORI" asset import "$TMP/many.csv" >/dev/null && ok || not_ok "import 150 more"
expect_exit 0 "report of 170 assets" -- "$MAMORI" report register --format pdf --out "$TMP/many.pdf" --department zeimu
pdf_text "$TMP/many.pdf" many
shots "$TMP/many.pdf" register-many
headers=$(grep -c "資産番号 *資産名" "$TMP/many.txt")
npages=$(grep -Ec "[0-9]+ / [0-9]+ pages" "$TMP/many.txt")
[ "$npages" -ge 4 ] && [ "$headers" -eq $((npages - 1)) ] && ok ||
	not_ok "the header row on every page of the table: $headers headers on $npages pages"
expect_grep "$TMP/many.txt" "台帳その150" "the last row is there"

# XLSX: a workbook with a sheet per 課 (its cells are checked by tests/unit/test_report.c)
expect_exit 0 "report register xlsx" -- "$MAMORI" report register --format xlsx --out "$TMP/register.xlsx"
unzip -p "$TMP/register.xlsx" xl/workbook.xml >"$TMP/wb.xml" 2>/dev/null || /usr/bin/python3 -c '
import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read("xl/workbook.xml").decode())' \
	"$TMP/register.xlsx" >"$TMP/wb.xml"
expect_grep "$TMP/wb.xml" 'name="税務課"' "a sheet per 課"
expect_grep "$TMP/wb.xml" 'name="消防本部総務課"' "every 課 with assets"

# refusals
expect_exit 1 "an existing file is not replaced" -- "$MAMORI" report register --format pdf --out "$TMP/register.pdf"
expect_grep "$TMP/err" "exists already; give --force" "says --force"
expect_exit 0 "--force replaces it" -- "$MAMORI" report register --format pdf --out "$TMP/register.pdf" --force
expect_exit 2 "no format" -- "$MAMORI" report register --out "$TMP/x.pdf"
expect_exit 2 "a format it lacks" -- "$MAMORI" report register --format docx --out "$TMP/x.docx"
expect_exit 2 "no --out" -- "$MAMORI" report register --format pdf
expect_exit 2 "an unknown kind" -- "$MAMORI" report nonsense --format pdf --out "$TMP/x.pdf"
expect_exit 2 "a bad --date" -- "$MAMORI" report register --format pdf --out "$TMP/x.pdf" --date 2026-02-30
expect_exit 2 "a bad level filter" -- "$MAMORI" report register --format pdf --out "$TMP/x.pdf" --c '>>2'
expect_exit 3 "an unwritable path" -- "$MAMORI" report register --format pdf --out "$TMP/no/such/dir.pdf"
[ ! -e "$TMP/x.pdf" ] && ok || not_ok "nothing left behind"
# without a font that has Japanese characters, no report of boxes (tofu): an error saying what to install
cat >"$TMP/fonts.conf" <<EOF
<?xml version="1.0"?>
<fontconfig><dir>$TMP/no-fonts</dir><cachedir>$TMP/fc-cache</cachedir></fontconfig>
EOF
expect_exit 3 "no Japanese font" -- env FONTCONFIG_FILE="$TMP/fonts.conf" "$MAMORI" report register --format pdf \
	--out "$TMP/x.pdf"
expect_grep "$TMP/err" "install fonts-ipaexfont" "says which font to install"
[ ! -e "$TMP/x.pdf" ] && ok || not_ok "no PDF without a font"

# --- over HTTP: what the role may read, in the request's language ----------------
add_user() { "$MAMORI" user add "$1" --role "$2" ${3:+--department "$3"} --password-stdin <<<"pw-$1" >/dev/null || not_ok "user $1"; }
add_user kansa auditor
add_user tanaka staff zeimu
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$MAMORI" serve --listen "127.0.0.1:$port" >"$TMP/serve.out" 2>"$TMP/serve.err" &
pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/api/health" && break; sleep 0.1; done
login() { curl -s -c "$TMP/$1.jar" -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"pw-$1\"}" \
	"http://127.0.0.1:$port/api/login" >/dev/null; }
get() { # get USER PATH OUT: the status on stdout, the body into OUT, the headers into OUT.h
	curl -s -b "$TMP/$1.jar" -H 'Accept-Language: ja' -D "$3.h" -o "$3" -w '%{http_code}' "http://127.0.0.1:$port$2"; }
login kansa
login tanaka
[ "$(get kansa /api/reports/register "$TMP/h-all.pdf")" = 200 ] && ok || not_ok "GET /api/reports/register"
expect_grep "$TMP/h-all.pdf.h" "Content-Type: application/pdf" "a PDF"
expect_grep "$TMP/h-all.pdf.h" 'filename="mamori-register.pdf"' "offered as a download"
pdf_text "$TMP/h-all.pdf" h-all
expect_grep "$TMP/h-all.txt" "情報資産管理台帳" "in the request's language"
expect_grep "$TMP/h-all.txt" "A-000001" "an auditor reads every 課"
[ "$(get tanaka '/api/reports/register?format=pdf' "$TMP/h-zeimu.pdf")" = 200 ] && ok || not_ok "staff's report"
pdf_text "$TMP/h-zeimu.pdf" h-zeimu
expect_grep "$TMP/h-zeimu.txt" "A-000003" "staff's own 課"
grep -q "A-000001\|市民課" "$TMP/h-zeimu.txt" && not_ok "staff's report holds another 課's assets" || ok
[ "$(get tanaka '/api/reports/register?format=xlsx&c=3' "$TMP/h.xlsx")" = 200 ] && ok || not_ok "XLSX download"
expect_grep "$TMP/h.xlsx.h" "spreadsheetml" "an XLSX"
[ "$(get tanaka '/api/reports/register?format=docx' "$TMP/h.bad")" = 400 ] && ok || not_ok "a format it lacks: 400"
[ "$(get tanaka '/api/reports/register?c=x' "$TMP/h.bad")" = 400 ] && ok || not_ok "a bad filter: 400"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/reports/register")" = 401 ] && ok ||
	not_ok "no session: 401"
kill -TERM "$pid"; wait "$pid" && ok || not_ok "server stops cleanly"

echo "report PNGs: $SHOTS"
finish
