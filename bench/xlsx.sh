#!/usr/bin/env bash
# The register's XLSX import against its CSV import, on the same register:
# ROWS assets of bench/gen_assets.py imported, exported as XLSX (mamori's own
# export, with its 取扱制限 column) and as CSV, then each imported into a fresh
# store (dry run, then for real) under /usr/bin/time.
#
# Usage: bench/xlsx.sh [ROWS] [MAMORI]   (defaults: 50000, build-rel/mamori)
set -euo pipefail
cd "$(dirname "$0")/.."
W=${BENCH_DIR:-/tmp/mamori-bench}
rows=${1:-50000}
M=${2:-build-rel/mamori}
P=policies/mic-standard.yaml
mkdir -p "$W"
/usr/bin/python3 bench/gen_assets.py "$rows" >"$W/x-src.csv"
rm -f "$W"/x-src.db* "$W"/x-dst.db*
"$M" init --policy "$P" --db "$W/x-src.db" >/dev/null
"$M" asset import --db "$W/x-src.db" "$W/x-src.csv" >/dev/null
/usr/bin/time -f "export xlsx: %e s wall, %U s user, %S s sys, %M KB max RSS" \
	"$M" asset export --db "$W/x-src.db" --format xlsx --force --out "$W/x.xlsx"
"$M" asset export --db "$W/x-src.db" --format csv --force --out "$W/x.csv"
ls -l "$W/x.xlsx" "$W/x.csv" | awk '{print $5, $9}'
uptime
"$M" init --policy "$P" --db "$W/x-dst.db" >/dev/null
for f in x.xlsx x.csv; do
	/usr/bin/time -f "import --dry-run $f: %e s wall, %U s user, %S s sys, %M KB max RSS" \
		"$M" asset import --dry-run --db "$W/x-dst.db" "$W/$f" >/dev/null
done
/usr/bin/time -f "import x.xlsx: %e s wall, %U s user, %S s sys, %M KB max RSS" \
	"$M" asset import --db "$W/x-dst.db" "$W/x.xlsx" >/dev/null
