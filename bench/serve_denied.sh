#!/usr/bin/env bash
# The refusal path under a flood: wrk with a wrong Bearer token (every request
# a 401, each an "http.denied" event in the audit trail), 64 connections, on a
# store (release build).  Prints requests/s, latency and the events written.
# Usage: bench/serve_denied.sh [SECONDS]   (from the source tree; needs wrk)
#        B=other-build-dir bench/serve_denied.sh   to compare two builds
set -euo pipefail
cd "$(dirname "$0")/.."
B=${B:-build-rel}
W=${BENCH_DIR:-/tmp/mamori-bench}/serve-denied
D=${1:-10}
mkdir -p "$W"
command -v wrk >/dev/null || { echo "wrk not found: skipping the HTTP refusal benchmark"; exit 0; }
export MAMORI_ACTOR=bench:admin MAMORI_DB="$W/d.db"
rm -f "$W"/d.db*
$B/mamori init --policy policies/mic-standard.yaml >/dev/null
$B/mamori user add bench --role auditor >/dev/null
TOKEN=$($B/mamori user token bench --scope read)
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$B/mamori serve --listen "127.0.0.1:$port" --threads 2 --rate off >"$W/serve.out" 2>"$W/serve.err" &
pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/api/health" && break; sleep 0.05; done
count() { /usr/bin/python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from audit_event").fetchone()[0])' "$W/d.db"; }
# flood LABEL WRK-ARGS...: wrk against the server, then the events it wrote
flood() {
	local label=$1; shift
	local before; before=$(count)
	printf '%-36s ' "$label"
	wrk -t2 -c64 -d"${D}s" --latency "$@" |
	    awk '/Requests\/sec/ {r=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /requests in/ {n=$1}
		END {printf "%8.0f requests/s, p50 %s, p99 %s, %s requests", r, p50, p99, n}'
	sleep 1	# posted denials are written after their answers
	echo ", $(( $(count) - before )) events"
}
flood "401, wrong Bearer token, 64 conns:" -H "Authorization: Bearer $(printf '0%.0s' $(seq 64))" \
    "http://127.0.0.1:$port/api/assets"
flood "403, read token POSTs, 64 conns:" -H "Authorization: Bearer $TOKEN" -s bench/post_empty.lua \
    "http://127.0.0.1:$port/api/assets"
kill -TERM "$pid"; wait "$pid" || true
