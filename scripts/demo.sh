#!/usr/bin/env bash
# The main job: install what is needed, build, and show what mamori does on the
# example data.  Run from anywhere, as root on a fresh Debian 12 machine (or as a
# user with the packages already installed).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
meson setup build >/dev/null 2>&1 || meson setup --reconfigure build >/dev/null
ninja -C build >/dev/null
M=./build/mamori

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "ポリシーの検証 — every policy in policies/ validates"
$M policy check policies/*.yaml

step "総務省ガイドライン標準ポリシー (mic-standard), resolved"
$M policy show policies/mic-standard.yaml

step "むつ市議会 情報セキュリティポリシー, rendered back as a document (first 60 lines)"
$M policy render policies/mutsu-council.yaml | head -60

if $M 2>&1 | grep -q '^  init '; then
	demo=$(mktemp -d /tmp/mamori-demo.XXXXXX)
	step "情報資産管理台帳 — a demo store in $demo"
	$M init --policy policies/mic-standard.yaml --db "$demo/mamori.db"
	if [ -f examples/assets.csv ]; then
		$M asset import --db "$demo/mamori.db" examples/assets.csv
		$M asset list --db "$demo/mamori.db" | head -20
	fi
	echo "demo store: $demo/mamori.db"
fi
