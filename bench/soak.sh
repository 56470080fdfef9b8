#!/usr/bin/env bash
# Soak test of `mamori serve` (bench/README.md, Server): RSS of the server before
# and after a long wrk run over a 100,000-asset store (default 10 minutes).  Run it
# under nice on a shared machine; it needs a release build:
#   meson setup build-rel --buildtype=release -Dtests=disabled && ninja -C build-rel
#   nice bench/soak.sh [SECONDS]
# VmRSS counts the store's pages mapped by the readers (mmap); RssAnon is the
# heap, where a leak would show.
set -euo pipefail
cd "$(dirname "$0")/.."
B=build-rel/mamori
W=${BENCH_DIR:-/tmp/mamori-soak}
SECS=${1:-600}
PORT=${PORT:-18183}
mkdir -p "$W"
if [ ! -f "$W/soak.db" ]; then
	/usr/bin/python3 bench/gen_assets.py 100000 >"$W/assets.csv"
	$B init --policy policies/mic-standard.yaml --db "$W/soak.db" >/dev/null
	$B asset import --db "$W/soak.db" "$W/assets.csv" >/dev/null
	$B user add soak --role auditor --db "$W/soak.db" 2>/dev/null
fi
TOKEN=$($B user token soak --scope read --days 2 --db "$W/soak.db")
export TOKEN
$B serve --db "$W/soak.db" --listen "127.0.0.1:$PORT" --web web --rate off >"$W/serve.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/api/health" && break; sleep 0.1; done
rss() { awk '/^(VmRSS|RssAnon|RssFile|VmHWM):/ { printf "%s %s kB  ", $1, $2 } END { print "" }' "/proc/$pid/status"; }
echo "load: $(uptime)"
echo "start:        $(rss)"
# warm up: the caches and the mapped pages fill; then the figure that counts
wrk -t2 -c64 -d30s -s bench/soak.lua "http://127.0.0.1:$PORT" >/dev/null
echo "after warm-up: $(rss)"
# every minute a sample, to tell a plateau from a slope
( for m in $(seq 1 $((SECS / 60))); do sleep 60; echo "minute $m:     $(rss)"; done ) &
sampler=$!
wrk -t2 -c64 -d"${SECS}s" -s bench/soak.lua --latency "http://127.0.0.1:$PORT" | \
	grep -E 'Requests/sec|Non-2xx|Latency|50%|99%|requests in|Socket errors'
wait "$sampler" 2>/dev/null || true
echo "after ${SECS} s: $(rss)"
sleep 2
echo "idle 2 s later: $(rss)"
echo "load: $(uptime)"
kill -TERM "$pid"; wait "$pid" || true
