#!/usr/bin/env bash
# The main job: install what is needed, build, make a demo store (mic-standard and
# the example register), show what mamori does with it, then serve it.
#   bash scripts/demo.sh              # … and `mamori serve` on http://127.0.0.1:8080/
#   bash scripts/demo.sh --no-serve   # only the walk-through
set -euo pipefail
cd "$(dirname "$0")/.."

# MAMORI_BUILD_DIR: where to build (default build/; CI uses a throwaway one).
build=${MAMORI_BUILD_DIR:-build}

# run_quiet WHAT CMD…: runs CMD with its output kept in a log, shown only if it fails
run_quiet() {
	local what=$1 log
	shift
	log=$(mktemp)
	if ! "$@" >"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$log"
		echo "demo: $what failed (the output above says why)" >&2
		exit 3
	fi
	rm -f "$log"
}

bash scripts/install-deps.sh
if [ -f "$build/build.ninja" ]; then
	run_quiet "meson setup --reconfigure $build" meson setup --reconfigure "$build"
else
	run_quiet "meson setup $build" meson setup "$build"
fi
run_quiet "building mamori (ninja -C $build)" ninja -C "$build"
# the walk-through speaks Japanese, as mamori does for its users (LANG=C: English)
M="env LC_ALL= LANGUAGE= LANG=${MAMORI_DEMO_LANG:-ja_JP.UTF-8} $PWD/$build/mamori"
demo=${MAMORI_DEMO_DIR:-$(mktemp -d /tmp/mamori-demo.XXXXXX)}
mkdir -p "$demo"
export MAMORI_DB="$demo/mamori.db" MAMORI_ACTOR="demo:情報政策課"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "ポリシーの検証 — every policy in policies/ validates"
$M policy check policies/*.yaml

step "むつ市議会 情報セキュリティポリシー, rendered back as a document (対策基準 5)"
$M policy render policies/mutsu-council.yaml | sed -n '/^### 5 情報資産の分類/,/^### 6/p'

step "情報資産管理台帳 — a demo store at $MAMORI_DB with the example register"
rm -f "$MAMORI_DB" "$MAMORI_DB".*
$M init --policy policies/mic-standard.yaml
$M asset import examples/assets.csv
$M asset list --c '>=3'

step "What the policy requires of A-000002 (住民基本台帳データ)"
$M asset show A-000002 | sed -n '/取扱制限/,$p'

step "Disposal: a 機密性3 asset cannot simply be deleted"
$M asset dispose A-000016 --method delete --by 山田 || true
$M asset dispose A-000016 --method degauss --by 山田 --witness 佐藤

step "Excel: the register out as a workbook (with each asset's 取扱制限), and a workbook in as it is kept"
$M asset export --format xlsx --force --out "$demo/台帳.xlsx"
$M init --policy policies/mic-standard.yaml --db "$demo/copy.db" >/dev/null
$M asset import --db "$demo/copy.db" "$demo/台帳.xlsx"

step "報告書: the register by 課 as a PDF to hand to the CISO (A4, 和暦, n / N ページ) and as XLSX"
$M report register --format pdf --force --out "$demo/情報資産管理台帳.pdf"
$M report register --format xlsx --force --out "$demo/情報資産管理台帳.xlsx"
ls -l "$demo/情報資産管理台帳.pdf" "$demo/情報資産管理台帳.xlsx"

step "判定: may 職員 of 市民課 send 住民基本台帳データ out of マイナンバー利用事務系 by mail?"
echo '{"subject":{"id":"u0042","roles":["staff"],"department":"shimin","mfa":true,"terminal":{"segment":"mynumber","issued":true}},"action":"send","resource":{"asset":"A-000002"},"context":{"channel":"mail","destination_segment":"lgwan"}}' |
	$M decide --explain - || true
step "判定: internet mail into LGWAN接続系 — allowed, with 無害化 (mail-text) as an obligation"
echo '{"subject":{"id":"u0007","roles":["staff"],"department":"johoseisaku","terminal":{"segment":"internet","issued":true}},"action":"send","resource":{"classification":{"confidentiality":2},"department":"johoseisaku","segment":"internet"},"context":{"channel":"mail","destination_segment":"lgwan"}}' |
	$M decide - || true

step "利用者: demo accounts (passwords for the demo only)"
$M user add kanri --role 情報セキュリティ管理者 --department 税務課 --password-stdin <<<'demo-kanri'
$M user add tanaka --role 職員等 --department 税務課 --password-stdin <<<'demo-tanaka'
$M user add kansa --role auditor --password-stdin <<<'demo-kansa'
$M user add ciso --role 最高情報セキュリティ責任者 --password-stdin <<<'demo-ciso'
$M user list

step "無害化: an HTML mail with a macro attachment, from the internet into LGWAN接続系"
q="$demo/quarantine"
$M sanitize mail --quarantine "$q" --policy policies/mic-standard.yaml <examples/mail-html.eml >"$demo/sanitized.eml"
grep -E '^Content-Type:' "$demo/sanitized.eml"
if command -v python3 >/dev/null; then	# as staff read it (headers encoded, the body UTF-8 base64)
	python3 -c 'import email, email.policy, sys
m = email.message_from_binary_file(sys.stdin.buffer, policy=email.policy.default)
for k in ("From", "Subject", "X-Mamori-Sanitized"): print(f"{k}: {m[k]}")
print(); print(m.get_content())' <"$demo/sanitized.eml"
fi
step "隔離: the original is kept; releasing it needs a request and another person's approval (二人制)"
$M quarantine list --quarantine "$q"
id=$(ls "$q" | sed -n 's/\.eml$//p' | head -1)
$M quarantine request "$id" --quarantine "$q" --by tanaka --reason "原本の書式が必要 (demo)"
$M quarantine release "$id" --quarantine "$q" --approver tanaka --out "$demo/original.eml" || true
$M quarantine release "$id" --quarantine "$q" --approver kanri --out "$demo/original.eml"
cmp -s examples/mail-html.eml "$demo/original.eml" && echo "the released original is byte for byte what arrived"

step "記録と手続: a 職員 reports an incident; the 管理者 is told at once and accepts it"
inc=$($M incident report --by tanaka --set summary="不審なメールの添付ファイルを開いた" \
	--set 認知した日時="$(date '+%Y-%m-%d %H:%M')" --set threat=intentional --set 影響の程度="中（一部の業務に影響）")
$M record move "$inc" accepted --by tanaka || true	# the reporter may not accept their own report
$M record move "$inc" 受付 --by kanri --note "端末をネットワークから切り離すよう指示"
$M record new take-out --by tanaka --set assets=A-000003 --set purpose="県庁での説明 (demo)" >/dev/null
$M record list

step "外部委託: a contract with its security requirements; the day after its term the contractor's account is disabled"
$M user add minato --role 委託事業者 --department 税務課
k=$($M record new contractor --by kanri --set 委託事業者=株式会社みなと情報 --set 委託する業務の範囲="税務システムの保守" \
	--set 所管課=税務課 --set 委託事業者の利用者=minato)
# a contract whose last day was yesterday: the next tick (serve's, or cron's) ends it
$M record move "$k" 契約中 --by kanri --set 契約開始日="$(date -d '1 year ago' +%F)" --set 契約終了日="$(date -d yesterday +%F)" \
	--set 契約に明記した情報セキュリティ要件="再委託の制限、守秘義務、事故時の報告、監査・検査への協力、情報資産の返還・廃棄"
$M record tick
$M record show "$k" | head -4
$M user list | grep minato

step "教育・研修: a course, a sign-in sheet imported as attendance, who has taken it per 課"
c=$($M record new course --by kanri --set 研修名="情報セキュリティ研修（全職員）" --set 受講の頻度=毎年度 --set 対象の役割=職員等)
$M record move "$c" 実施中 --by kanri
printf '研修,受講者,受講日\n%s,tanaka,%s\n' "$c" "$(date +%F)" >"$demo/sheet.csv"
$M record import attendance "$demo/sheet.csv" --by kanri
$M training status

step "監査証跡: every change above is in the tamper-evident trail"
$M log show | tail -6
$M log head --out "$demo/head.txt" >/dev/null
$M log verify --head "$demo/head.txt"

if [ "${1:-}" = "--no-serve" ]; then
	echo "demo store: $MAMORI_DB"
	exit 0
fi
step "mamori serve — the web UI and the JSON API (Ctrl-C stops it)"
cat <<EOT
URL: http://127.0.0.1:8080/   (ブラウザで開くとログイン画面 / the login page)

デモ用アカウント / demo accounts (for this demo only):
  利用者名   パスワード    役割
  tanaka     demo-tanaka   職員等（税務課）
  kanri      demo-kanri    情報セキュリティ管理者（税務課）
  kansa      demo-kansa    監査 (auditor)
  ciso       demo-ciso     最高情報セキュリティ責任者 (CISO)
EOT
exec $M serve --db "$MAMORI_DB" --listen 127.0.0.1:8080 --web web --quarantine "$q"
