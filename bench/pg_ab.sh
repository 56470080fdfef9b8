#!/usr/bin/env bash
# The store's benchmarks on SQLite and on PostgreSQL side by side, one build,
# alternating rounds (the machine is shared; alternating keeps it fair): the
# import of N assets (CPU and wall), the register's queries and pages on that
# store (bench_store --queries), audit appends one transaction each and in
# one group commit, `log verify` (bench_audit), and over HTTP one asset by id
# with a Bearer token and the UI's filtered page (wrk).  For issue 23.
#
# Usage: bench/pg_ab.sh BUILD [ROUNDS] [ASSETS]  (defaults 2, 200000)
# BUILD: a release build (meson setup DIR --buildtype=release -Dtests=disabled).
# PostgreSQL runs as a throwaway cluster on a Unix socket (tests/pg/cluster.sh)
# with fsync on, synchronous_commit on: an acknowledged commit is on disk, as
# SQLite's synchronous=FULL makes it.  Every command runs mamori-full (the
# program `mamori` runs for a postgresql:// store) on both backends.
set -euo pipefail
cd "$(dirname "$0")/.."
W=${BENCH_DIR:-/tmp/mamori-bench}
B=$1 R=${2:-2} N=${3:-200000}
P=${POLICY:-policies/mic-standard.yaml}
M="$B/mamori-full"
mkdir -p "$W"
chmod 755 "$W"
[ -f "$W/assets-$N.csv" ] || /usr/bin/python3 bench/gen_assets.py "$N" >"$W/assets-$N.csv"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
tests/pg/cluster.sh stop "$W/pg" 2>/dev/null || true
PG=$(PG_FSYNC=on tests/pg/cluster.sh start "$W/pg")
trap 'tests/pg/cluster.sh stop "$W/pg"' EXIT
uptime
for r in $(seq "$R"); do
	for backend in sqlite postgresql; do
		rm -rf "$W/ab.db" "$W"/ab.db.*
		if [ "$backend" = sqlite ]; then db="$W/ab.db"; audit=(); else
			db="$PG&schema=ab$r&files=$W/ab.db"
			audit=("$PG&schema=audit$r")
		fi
		"$M" init --policy "$P" --db "$db" >/dev/null
		printf '%s round %s import %s: ' "$backend" "$r" "$N"
		/usr/bin/time -f '%e s wall, %U+%S s CPU, %M KB' "$M" asset import --db "$db" "$W/assets-$N.csv" 2>&1 >/dev/null | tail -1
		printf '%s round %s queries (CPU ms, best of 5):\n' "$backend" "$r"
		"$B/bench/bench_store" "$db" --queries 2>/dev/null | sed 's/^/    /'
		printf '%s round %s audit: ' "$backend" "$r"
		"$B/bench/bench_audit" "$P" 100000 "${audit[@]}" | grep -E 'durable|verify from' | tr -s ' ' | tr '\n' ';'; echo
		"$M" user add bench --role auditor --db "$db" --password-stdin <<<'pw-bench-ab' >/dev/null
		token=$("$M" user token bench --scope read --db "$db")
		"$M" serve --db "$db" --listen "127.0.0.1:$port" --threads 2 --rate off >/dev/null 2>&1 &
		pid=$!
		for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/api/health" && break; sleep 0.1; done
		for q in "assets/A-050000" "assets?department=zeimu&c=3&status=active&limit=50"; do
			printf '%s round %s GET /api/%s: ' "$backend" "$r" "$q"
			wrk -t2 -c64 -d8s --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/$q" |
			    awk '/Requests\/sec/ {r=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
				END {printf "%.0f req/s, p50 %s, p99 %s\n", r, p50, p99}'
		done
		kill -TERM "$pid"; wait "$pid" || true
	done
done
uptime
