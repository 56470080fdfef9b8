#!/usr/bin/env bash
# The register's list over HTTP on a million assets, the way the web UI pages
# it (limit 50, keyset `after`): wrk, 2 threads, 64 connections, a read token.
# Give several build directories to compare them in alternating rounds (the
# machine is shared; alternating keeps it fair).
#
# Usage: bench/serve_list.sh [SECONDS] [BUILD-DIR…]   (defaults: 10, build-rel)
# Needs wrk; makes $BENCH_DIR/list.db from $BENCH_DIR/assets.csv (bench/gen_assets.py 1000000).
set -euo pipefail
cd "$(dirname "$0")/.."
W=${BENCH_DIR:-/tmp/mamori-bench}
D=${1:-10}
shift || true
dirs=("$@")
[ "${#dirs[@]}" -gt 0 ] || dirs=(build-rel)
command -v wrk >/dev/null || { echo "wrk not found: skipping the list benchmark"; exit 0; }
mkdir -p "$W"
[ -f "$W/assets.csv" ] || /usr/bin/python3 bench/gen_assets.py 1000000 >"$W/assets.csv"
export MAMORI_DB="$W/list.db" MAMORI_ACTOR=bench:admin
if [ ! -f "$W/list.db" ]; then
	"${dirs[0]}/mamori" init --policy policies/mic-standard.yaml >/dev/null
	"${dirs[0]}/mamori" asset import "$W/assets.csv" >/dev/null
	"${dirs[0]}/mamori" user add bench --role auditor --password-stdin <<<'pw-bench-list' >/dev/null
fi
TOKEN=$("${dirs[0]}/mamori" user token bench --scope read)
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
queries=(
	"department=zeimu&c=3&status=active&limit=50"		# 28,530 match: the page walks ~1,750 rows
	"segment=lgwan&c=%3E%3D2&limit=50"			# 187,768 match
	"department=zeimu&c=3&status=active&limit=50&after=A-500000"	# a page deep in the list
	"limit=50"						# no filter
	"department=zeimu&c=3&status=active"			# the default page: 1,000 assets, 0.34 MB
	# sorted (sort=…, schema 9): a range of the name or updated index, or one page per value
	"sort=name&limit=50"
	"sort=-updated&limit=50"
	"sort=name&limit=50&after=A-500000"			# a page from the middle of the names
	"department=zeimu&c=3&status=active&sort=name&limit=50"	# walks the name index (~1,750 rows)
	"department=zeimu&segment=lgwan&c=3&i=2&sort=name&limit=50"	# 3,516 match: collected, ordered
	"sort=-c&limit=50"						# the level-3 assets first
	"department=zeimu&sort=department&limit=50&after=A-500000"	# 課 order, deep in one 課
	"department=zeimu&sort=-c&limit=50&after=A-500000"		# 機密性 from the highest, deep in one 課
)
uptime
for d in "${dirs[@]}"; do
	"$d/mamori" serve --listen "127.0.0.1:$port" --threads 2 --rate off >"$W/list-serve.out" 2>&1 &
	pid=$!
	for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/api/health" && break; sleep 0.1; done
	for q in "${queries[@]}"; do
		curl -s -m 30 -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port/api/assets?$q" || true
		printf '%-12s %-66s ' "$d" "$q"
		wrk -t2 -c64 -d"${D}s" --latency -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port/api/assets?$q" |
		    awk '/Requests\/sec/ {r=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF}
			END {printf "%8.0f req/s, p50 %s, p99 %s%s\n", r, p50, p99, bad ? ", non-2xx " bad : ""}' || true
	done
	kill -TERM "$pid"; wait "$pid" || true
done
uptime
