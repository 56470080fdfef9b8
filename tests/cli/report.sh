#!/usr/bin/env bash
# `mamori report` and GET /api/reports/…: each report (the register, a
# self-check campaign, an audit, the risks) as PDF, turned into text
# with pdftotext and checked (title, 和暦 date, the organisation, page numbers,
# a 課's assets, Japanese text intact), and into PNGs under
# build/tests/report-shots/ for a reviewer to look at; XLSX read back by
# tests/unit/test_report.c (the project's reader) and here by its sheets' names.
. "$(dirname "$0")/lib.sh"

if ! command -v pdftotext >/dev/null || ! command -v pdftoppm >/dev/null; then
	echo "SKIP: poppler-utils (pdftotext, pdftoppm) are not installed"
	exit 77
fi
# fontconfig (under pango) keeps its configuration and font patterns for the
# process's life: LeakSanitizer's reports of them are not ours (tests/sanitize/lsan.supp)
export LSAN_OPTIONS="suppressions=$SRCDIR/tests/sanitize/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
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

# --- 評価・見直し: a campaign, an audit with findings, risks (docs/review.md) ---------
add_user() { "$MAMORI" user add "$1" --role "$2" ${3:+--department "$3"} --password-stdin <<<"pw-$1" >/dev/null || not_ok "user $1"; }
add_user kansa auditor
add_user tanaka staff zeimu
add_user chief chief-officer johoseisaku
add_user kanri security-manager soumu
add_user zkanri security-manager zeimu
run() { "$MAMORI" "$@" >"$TMP/out" 2>"$TMP/err" && ok || { not_ok "$*"; cat "$TMP/err" >&2; }; }
jp() { env LANG=ja_JP.UTF-8 LANGUAGE=ja "$MAMORI" "$@"; }
C3=restriction.confidentiality.3.restricted-storage
C2=restriction.confidentiality.2.restricted-storage

# the reports of a record need one of its kind
expect_exit 2 "report self-check without its record" -- "$MAMORI" report self-check --format pdf --out "$TMP/x.pdf"
expect_exit 1 "no such record" -- "$MAMORI" report self-check SC-000099 --format pdf --out "$TMP/x.pdf"
expect_grep "$TMP/err" "no record SC-000099" "names the record"
run record new self-check --by chief --now "2026-12-01 09:00" --set year=2026 --set departments=総務課、税務課 \
	--set due=2026-12-20
run record move SC-000001 running --by chief --now "2026-12-01 09:05"
run check answer SC-000001 --department soumu --item $C2 --answer conform --by kanri
run check answer SC-000001 --department soumu --item $C3 --answer nonconform --by kanri --comment "書庫の施錠記録がない"
run check answer SC-000001 --department zeimu --item $C3 --answer partial --by zkanri --comment "一部の台帳に保管場所の記載漏れ"
run check answer SC-000001 --department zeimu --item $C2 --answer na --by zkanri
expect_exit 1 "a self-check report of an audit's kind" -- "$MAMORI" report audit SC-000001 --format pdf --out "$TMP/x.pdf"
expect_exit 2 "the register's filters are the register's" -- "$MAMORI" report self-check SC-000001 --format pdf \
	--out "$TMP/x.pdf" --department soumu
expect_exit 0 "自己点検結果報告書" -- jp report self-check SC-000001 --format pdf --out "$TMP/sc.pdf" --date 2026-12-06
pdf_text "$TMP/sc.pdf" sc
shots "$TMP/sc.pdf" self-check
t="$TMP/sc.txt"
expect_grep "$t" "自己点検結果報告書" "self-check: title"
expect_grep "$t" "令和8年12月6日" "self-check: date"
expect_grep "$t" "SC-000001 *令和8年度" "self-check: the campaign and its 年度"
expect_grep "$t" "期限 *令和8年12月20日" "self-check: due date in 和暦"
expect_grep "$t" "対象課 *総務課、税務課" "self-check: the 課"
expect_grep "$t" "適合 *一部適合 *不適合 *該当なし" "self-check: the answers' columns"
grep -E "^ *総務課 +50 +2 +1 +0 +1 +0" "$t" >/dev/null && ok || not_ok "self-check: 総務課's counts"
grep -E "^ *税務課 +50 +2 +0 +1 +0 +1" "$t" >/dev/null && ok || not_ok "self-check: 税務課's counts"
expect_grep "$t" "総務課 .*不適合 *書庫の施錠記録がない" "self-check: a non-conforming item with its comment"
expect_grep "$t" "一部適合 *一部の台帳に保管場所の記載漏れ" "self-check: a partly conforming item"
expect_grep "$t" "1 / 1 ページ" "self-check: page numbers"
expect_exit 0 "自己点検結果報告書 XLSX" -- "$MAMORI" report self-check SC-000001 --format xlsx --out "$TMP/sc.xlsx"

run record new audit --by chief --set year=2026 --set departments=soumu,zeimu --set auditors=kansa \
	--set period_from=2026-12-01 --set period_until=2026-12-15
run record move AUD-000001 fieldwork --by kansa
run check answer AUD-000001 --department zeimu --item $C3 --answer nonconform --by kansa --comment "保管場所の記録なし"
run record new finding --by kansa --set department=税務課 --set severity=中 --set audit=AUD-000001 --set item=$C3 \
	--set clause="対策基準 2.1" --set description="機密性3の情報資産に保管場所が記録されていない"
run record new finding --by kansa --set department=総務課 --set severity=high --set audit=AUD-000001 \
	--set description="退職者のアカウントが削除されていない"
run record new finding --by chief --set department=総務課 --set severity=low --set description="別の監査の指摘"
expect_exit 0 "監査報告書" -- jp report audit AUD-000001 --format pdf --out "$TMP/aud.pdf" --date 2026-12-16
pdf_text "$TMP/aud.pdf" aud
shots "$TMP/aud.pdf" audit
t="$TMP/aud.txt"
expect_grep "$t" "監査報告書" "audit: title"
expect_grep "$t" "監査期間 *令和8年12月1日〜令和8年12月15日" "audit: the period"
expect_grep "$t" "監査対象課 *総務課、税務課" "audit: the scope"
expect_grep "$t" "監査人 *kansa" "audit: the auditors"
expect_grep "$t" "重大: 1件 *中: 1件 *軽微: 0件" "audit: findings by severity"
expect_grep "$t" "F-000001 *税務課 *中 *機密性3の情報資産に保管場所が記録されていない" "audit: a finding with 課 and severity"
expect_grep "$t" "F-000002 *総務課 *重大" "audit: the other finding"
grep -q "F-000003" "$t" && not_ok "audit: another audit's finding" || ok
expect_grep "$t" "指摘" "audit: the findings' state"
expect_grep "$t" "保管場所の記録なし" "audit: the non-conforming item's comment"

run record new risk --by chief --set threat=intentional --set asset_kind=情報 --set department=税務課 --set segment=mynumber \
	--set description="課税台帳への不正アクセス" --set likelihood=4 --set impact=5
run record new risk --by chief --set threat=disaster --set asset_kind=equipment --set description="庁舎の浸水によるサーバ停止" \
	--set likelihood=2 --set impact=2
run record move R-000001 treating --by zkanri --set treatment=低減 --set owner=zkanri --set measures="多要素認証"
run record move R-000001 treated --by zkanri --set residual_likelihood=2 --set residual_impact=4
run record new risk --by chief --set threat=infrastructure --set description="停電" --set likelihood=3 --set impact=3 \
	--set treatment=accept
expect_exit 0 "リスク評価表" -- jp report risks --format pdf --out "$TMP/risks.pdf" --date 2026-12-06
pdf_text "$TMP/risks.pdf" risks
shots "$TMP/risks.pdf" risks
t="$TMP/risks.txt"
expect_grep "$t" "リスク評価表" "risks: title"
expect_grep "$t" "基準を超えて受容したリスク *R-000003" "risks: accepted above the level"
expect_grep "$t" "R-000001 .*課税台帳への不正アクセス *税務課 *マイナンバー利用.* 4 *5 *20 *低減 *2 *4 *8 *対応済" \
	"risks: a risk with its ratings, treatment and residual"
expect_grep "$t" "ヒートマップ（固有リスク）" "risks: the inherent heat map"
expect_grep "$t" "ヒートマップ（残留リスク）" "risks: the residual heat map"
awk '/ヒートマップ（固有リスク）/,/ヒートマップ（残留リスク）/' "$t" >"$TMP/inherent.txt"
grep -E "^ *4 高い +1 *$" "$TMP/inherent.txt" >/dev/null && ok || { not_ok "risks: the 4 × 5 cell holds one risk"; cat "$TMP/inherent.txt" >&2; }
expect_exit 0 "リスク評価表 XLSX" -- "$MAMORI" report risks --format xlsx --out "$TMP/risks.xlsx"

# --- over HTTP: what the role may read, in the request's language ----------------
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
# the reports of 評価・見直し: roles that read every 課
[ "$(get kansa /api/reports/self-check/SC-000001 "$TMP/h-sc.pdf")" = 200 ] && ok || not_ok "GET self-check report"
pdf_text "$TMP/h-sc.pdf" h-sc
expect_grep "$TMP/h-sc.txt" "自己点検結果報告書" "self-check over HTTP"
[ "$(get kansa '/api/reports/audit/AUD-000001?format=xlsx' "$TMP/h-aud.xlsx")" = 200 ] && ok || not_ok "GET audit report"
expect_grep "$TMP/h-aud.xlsx.h" 'filename="mamori-audit.xlsx"' "audit report offered as XLSX"
[ "$(get kansa /api/reports/risks "$TMP/h-risks.pdf")" = 200 ] && ok || not_ok "GET risks report"
expect_grep "$TMP/h-risks.pdf.h" 'filename="mamori-risks.pdf"' "risks report offered as PDF"
[ "$(get kansa /api/reports/audit/SC-000001 "$TMP/h.bad")" = 422 ] && ok || not_ok "an audit report of a campaign: 422"
[ "$(get kansa /api/reports/audit/AUD-000099 "$TMP/h.bad")" = 404 ] && ok || not_ok "no such audit: 404"
for path in /api/reports/self-check/SC-000001 /api/reports/audit/AUD-000001 /api/reports/risks; do
	[ "$(get tanaka "$path" "$TMP/h.bad")" = 403 ] && ok || not_ok "staff may not have $path"
done

kill -TERM "$pid"; wait "$pid" && ok || not_ok "server stops cleanly"

echo "report PNGs: $SHOTS"
finish
