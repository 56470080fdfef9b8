#!/usr/bin/env bash
# The register report (情報資産管理台帳 by 課) of ROWS assets of
# bench/gen_assets.py, as PDF and as XLSX, each timed under /usr/bin/time;
# the PDF's pages counted with pdfinfo when it is there.
#
# Usage: bench/report.sh [ROWS] [MAMORI]   (defaults: 10000, build/mamori)
set -euo pipefail
cd "$(dirname "$0")/.."
W=${BENCH_DIR:-/tmp/mamori-bench}
rows=${1:-10000}
M=${2:-build/mamori}
mkdir -p "$W"
/usr/bin/python3 bench/gen_assets.py "$rows" >"$W/r-src.csv"
rm -f "$W"/r.db*
"$M" init --policy policies/mic-standard.yaml --db "$W/r.db" >/dev/null
"$M" asset import --db "$W/r.db" "$W/r-src.csv" >/dev/null
for f in pdf xlsx; do
	/usr/bin/time -f "report register --format $f ($rows assets): %e s wall, %U s user, %S s sys, %M KB max RSS" \
		"$M" report register --db "$W/r.db" --format "$f" --force --out "$W/r.$f"
done
ls -l "$W/r.pdf" "$W/r.xlsx" | awk '{print $5, $9}'
if command -v pdfinfo >/dev/null; then
	pdfinfo "$W/r.pdf" | grep '^Pages'
fi
uptime
