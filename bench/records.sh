#!/usr/bin/env bash
# Records (issue 18; figures in bench/README.md): 100,000 incidents made
# through the import, list pages as accounts that see all, their 課's or their
# own (in process: bench_records; over HTTP: curl, best of 20), and moves —
# one transaction each in process and over HTTP (wrk, keep-alive, several
# connections), and in one transaction through `record move --batch`.
#
# Usage: bench/records.sh [BUILD-DIR] [N]   (defaults: build-rel, 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build-rel}
N=${2:-100000}
W=${BENCH_DIR:-/tmp/mamori-bench}/records
rm -rf "$W"
mkdir -p "$W"
uptime
"$B/bench/bench_records" policies/mic-standard.yaml "$W" "$N" 10000
[ -n "${SKIP_HTTP:-}" ] && exit 0
export MAMORI_DB="$W/records.db" MAMORI_ACTOR=bench:admin

# the CLI batch: the next 10,000 records still 報告, into 受付 in one transaction (process start included)
"$B/mamori" record list incident --state reported --limit 1000 --json --by ciso1 >/dev/null
/usr/bin/python3 - "$B/mamori" "$W" <<'PY'
import json, subprocess, sys
mamori, w = sys.argv[1], sys.argv[2]
ids, before = [], 0
while len(ids) < 30000:
    args = [mamori, "record", "list", "incident", "--state", "reported", "--limit", "1000", "--json"]
    if before:
        args += ["--before", str(before)]
    page = json.loads(subprocess.run(args, check=True, capture_output=True).stdout)
    ids += [r["id"] for r in page["records"]]
    before = page["next"]
    if not before:
        break
open(f"{w}/batch.txt", "w").write("".join(f"{i} accepted\n" for i in ids[:10000]))
open(f"{w}/http.txt", "w").write("".join(f"{i}\n" for i in ids[10000:]))
PY
start=$(date +%s.%N)
"$B/mamori" record move --batch "$W/batch.txt" --by ciso1
end=$(date +%s.%N)
echo "record move --batch: 10,000 steps in $(echo "$end - $start" | bc) s"

# over HTTP
TOKEN_ALL=$("$B/mamori" user token ciso1 --scope write)
TOKEN_OWN=$("$B/mamori" user token s00 --scope read)
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$B/mamori" serve --listen "127.0.0.1:$port" --threads 2 --rate off >"$W/serve.out" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/api/health" && break; sleep 0.1; done
deep=$((N / 2))
for who in ALL OWN; do
	tok=TOKEN_$who
	for q in "limit=50" "state=reported&limit=50" "state=reported&limit=50&before=$deep" "state=accepted&limit=50&before=$deep"; do
		best=$(for _ in $(seq 20); do
			curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer ${!tok}" \
			    "http://127.0.0.1:$port/api/records/incident?$q"
		done | sort -n | head -1)
		printf 'GET /api/records/incident?%-40s as %s: best of 20 %.2f ms\n' "$q" "$who" "$(echo "$best * 1000" | bc)"
	done
done
if command -v wrk >/dev/null; then
	for c in 1 4 16; do
		t=$((c < 2 ? c : 2))
		MOVE_IDS="$W/http.txt" MOVE_KIND=incident MOVE_TO=accepted MOVE_TOKEN=$TOKEN_ALL MOVE_THREADS=$t \
		    wrk -t"$t" -c"$c" -d5s --latency -s bench/move_post.lua "http://127.0.0.1:$port" |
		    awk -v c="$c" '/Requests\/sec/ {r=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF}
			END {printf "POST …/moves, %2d connections: %6.0f moves/s, p50 %s, p99 %s%s\n", c, r, p50, p99, bad ? ", non-2xx " bad : ""}'
		# the next run takes records not moved yet
		/usr/bin/python3 - "$W/http.txt" <<'PY'
import sys
p = sys.argv[1]; ids = open(p).read().split()
open(p, "w").write("".join(f"{i}\n" for i in ids[4000:]))
PY
	done
fi
uptime
