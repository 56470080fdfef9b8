#!/usr/bin/env bash
# The store's benchmarks of bench/run.sh for two builds, alternating rounds
# (the machine is shared; alternating keeps it fair): the import of N assets
# (CPU and wall), the register's queries and pages on that store
# (bench_store --queries), audit appends (bench_audit), and over HTTP one
# asset by id with a Bearer token (the accounts' token check on every request)
# and the UI's filtered page.  For a change behind the store (issue 16 item 2).
#
# Usage: bench/store_ab.sh BEFORE-BUILD AFTER-BUILD [ROUNDS] [ASSETS]  (defaults 2, 200000)
# POLICY: the policy both builds read (default policies/mic-standard.yaml; give
# the older build's, e.g. git show REV:policies/mic-standard.yaml, when the
# policy has gained keys it does not know).
# Release builds: meson setup DIR --buildtype=release -Dtests=disabled.
set -euo pipefail
cd "$(dirname "$0")/.."
W=${BENCH_DIR:-/tmp/mamori-bench}
A=$1 B=$2 R=${3:-2} N=${4:-200000}
P=${POLICY:-policies/mic-standard.yaml}
mkdir -p "$W"
[ -f "$W/assets-$N.csv" ] || /usr/bin/python3 bench/gen_assets.py "$N" >"$W/assets-$N.csv"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
uptime
for r in $(seq "$R"); do
	for d in "$A" "$B"; do
		db="$W/ab.db"
		rm -f "$db" "$db".*
		"$d/mamori" init --policy "$P" --db "$db" >/dev/null
		printf '%s round %s import %s: ' "$d" "$r" "$N"
		/usr/bin/time -f '%e s wall, %U+%S s CPU, %M KB' "$d/mamori" asset import --db "$db" "$W/assets-$N.csv" 2>&1 >/dev/null | tail -1
		printf '%s round %s queries (CPU ms, best of 5):\n' "$d" "$r"
		"$d/bench/bench_store" "$db" --queries 2>/dev/null | sed 's/^/    /'
		printf '%s round %s audit appends: ' "$d" "$r"
		"$d/bench/bench_audit" "$P" 100000 | tr '\n' ' '; echo
		"$d/mamori" user add bench --role auditor --db "$db" --password-stdin <<<'pw-bench-ab' >/dev/null
		token=$("$d/mamori" user token bench --scope read --db "$db")
		"$d/mamori" serve --db "$db" --listen "127.0.0.1:$port" --threads 2 --rate off >/dev/null 2>&1 &
		pid=$!
		for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/api/health" && break; sleep 0.1; done
		for q in "assets/A-050000" "assets?department=zeimu&c=3&status=active&limit=50"; do
			printf '%s round %s GET /api/%s: ' "$d" "$r" "$q"
			wrk -t2 -c64 -d8s --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/$q" |
			    awk '/Requests\/sec/ {r=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
				END {printf "%.0f req/s, p50 %s, p99 %s\n", r, p50, p99}'
		done
		kill -TERM "$pid"; wait "$pid" || true
	done
done
uptime
