#!/usr/bin/env bash
# The register import, the way bench/README.md measures it: for each run a fresh
# store, the page cache written back (sync), then `mamori asset import` of the
# million-row file under /usr/bin/time.  Give several binaries to compare them
# in alternating runs (a shared machine drifts; alternating keeps it fair).
#
# Usage: bench/import.sh [RUNS] [MAMORI…]   (defaults: 3, build-rel/mamori)
# Needs $BENCH_DIR/assets.csv (bench/run.sh makes it: bench/gen_assets.py 1000000).
set -euo pipefail
cd "$(dirname "$0")/.."
W=${BENCH_DIR:-/tmp/mamori-bench}
runs=${1:-3}
shift || true
bins=("$@")
[ "${#bins[@]}" -gt 0 ] || bins=(build-rel/mamori)
[ -f "$W/assets.csv" ] || { mkdir -p "$W"; /usr/bin/python3 bench/gen_assets.py 1000000 >"$W/assets.csv"; }
uptime
for _ in $(seq "$runs"); do
	for b in "${bins[@]}"; do
		rm -f "$W/imp.db" "$W"/imp.db.* "$W"/imp.db-*
		"$b" init --policy policies/mic-standard.yaml --db "$W/imp.db" >/dev/null
		sync
		sleep 3
		/usr/bin/time -f "$b: %e s wall, %U s user, %S s sys, %M KB max RSS" \
			"$b" asset import --db "$W/imp.db" "$W/assets.csv" 2>&1 >/dev/null | grep wall
	done
done
