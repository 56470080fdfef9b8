#!/usr/bin/env bash
# Reruns the benchmarks of bench/README.md on this machine.  Needs a release
# build: meson setup build-rel --buildtype=release -Dtests=disabled && ninja -C build-rel
set -euo pipefail
cd "$(dirname "$0")/.."
B=build-rel
W=${BENCH_DIR:-/tmp/mamori-bench}
mkdir -p "$W"
nproc; grep -m1 'model name' /proc/cpuinfo || true

echo "== decision point, in process (1,000 users, 10,000 assets, 1,000,000 requests)"
$B/bench/bench_decide policies/mic-standard.yaml "$W/decide-workload.jsonl" | tee "$W/mamori-decide.txt"

echo "== peers on equivalent policies, the same requests (bench/peers; PEER_REQUESTS, default 100000)"
if command -v node >/dev/null && command -v npm >/dev/null &&
    (cd bench/peers && npm ci --no-audit --no-fund --silent); then
	$B/mamori policy show --json policies/mic-standard.yaml >"$W/policy.json"
	node bench/peers/casbin.js "$W/policy.json" "$W/decide-workload.jsonl" "${PEER_REQUESTS:-100000}" | tee "$W/casbin.txt"
	node bench/peers/cedar.js "$W/policy.json" "$W/decide-workload.jsonl" "${PEER_REQUESTS:-100000}" | tee "$W/cedar.txt"
	prep=$(sed -n 's/.*mamori_decide_prepared.* = \([0-9.]*\) million.*/\1/p' "$W/mamori-decide.txt")
	ids=$(sed -n 's/.*ids resolved per call.* = \([0-9.]*\) million.*/\1/p' "$W/mamori-decide.txt")
	for peer in casbin cedar; do
		rate=$(sed -n 's/.* = \([0-9]*\) decisions\/s.*/\1/p' "$W/$peer.txt")
		awk -v p="$peer" -v m="$prep" -v s="$ids" -v r="$rate" 'BEGIN {
		    printf "ratio to %s: mamori_decide_prepared %.0f x, mamori_decide %.0f x\n", p, m * 1e6 / r, s * 1e6 / r }'
	done
else
	echo "node/npm not found or the npm registry not reachable: skipping node-casbin and Cedar"
fi

echo "== decision point, end to end: mamori decide --batch, 1,000,000 lines"
/usr/bin/python3 bench/gen_requests.py 1000000 >"$W/req.jsonl"
/usr/bin/time -f "%e s wall, %M KB max RSS" $B/mamori decide --policy policies/mic-standard.yaml --batch <"$W/req.jsonl" >"$W/out.jsonl"
wc -l <"$W/out.jsonl"

echo "== decision point, end to end with logging: decide --batch on a store (decision_log: denials), 200,000 lines"
head -200000 "$W/req.jsonl" >"$W/req200k.jsonl"
rm -f "$W/log.db" "$W/log.db".*
$B/mamori init --policy policies/mic-standard.yaml --db "$W/log.db" >/dev/null
/usr/bin/time -f "%e s wall (logging)" $B/mamori decide --db "$W/log.db" --batch <"$W/req200k.jsonl" >/dev/null
/usr/bin/time -f "%e s wall (same store, policy file: no logging)" $B/mamori decide --policy policies/mic-standard.yaml --batch <"$W/req200k.jsonl" >/dev/null
echo "$($B/mamori log show --db "$W/log.db" --json | grep -c '"action":"decide\.') decisions logged"

echo "== decision point over HTTP, with and without logging (wrk)"
bash bench/serve_decide.sh 10
echo "== refusals under a flood: every 401/403 audited (wrk)"
bash bench/serve_denied.sh 10

echo "== register: import of 1,000,000 assets (one transaction, one audit event per asset)"
/usr/bin/python3 bench/gen_assets.py 1000000 >"$W/assets.csv"
rm -f "$W/b.db" "$W"/b.db.*
$B/mamori init --policy policies/mic-standard.yaml --db "$W/b.db" >/dev/null
/usr/bin/time -f "%e s wall, %M KB max RSS" $B/mamori asset import --db "$W/b.db" "$W/assets.csv"
time $B/mamori asset export --db "$W/b.db" --format csv --force --out "$W/export.csv"

echo "== verification of the import's trail in process, five runs (compare with openssl below)"
$B/bench/bench_store "$W/b.db" --verify
echo "== register queries and pages, audit appends, verification"
$B/bench/bench_store "$W/b.db"
echo "== raw SHA-256 on this machine, for the verification ratio"
openssl speed -evp sha256 -seconds 2 -bytes 1024 2>/dev/null | tail -1
openssl speed -evp sha256 -seconds 2 -bytes 16384 2>/dev/null | tail -1
echo "== leaves and chain inputs: nettle one at a time against hashbatch"
$B/bench/bench_hash

echo "== server: wrk, 64 connections, 100,000 assets, a read token (the 10-minute soak: bench/soak.sh)"
rm -f "$W/serve.db" "$W"/serve.db.*
/usr/bin/python3 bench/gen_assets.py 100000 >"$W/assets100k.csv"
$B/mamori init --policy policies/mic-standard.yaml --db "$W/serve.db" >/dev/null
$B/mamori asset import --db "$W/serve.db" "$W/assets100k.csv" >/dev/null
$B/mamori user add bench --role auditor --db "$W/serve.db"
TOKEN=$($B/mamori user token bench --scope read --db "$W/serve.db")
$B/mamori serve --db "$W/serve.db" --listen 127.0.0.1:18181 --web web --rate off >/dev/null 2>&1 &
spid=$!
for _ in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:18181/api/health && break; sleep 0.1; done
uptime
wrk -t2 -c64 -d10s -H "Authorization: Bearer $TOKEN" --latency http://127.0.0.1:18181/api/assets/A-050000 |
	grep -E '50%|99%|Requests/sec'
sleep 2
wrk -t2 -c64 -d10s -H "Authorization: Bearer $TOKEN" --latency \
	"http://127.0.0.1:18181/api/assets?department=zeimu&c=3&status=active" | grep -E '50%|99%|Requests/sec'
grep -E 'VmRSS|RssAnon' "/proc/$spid/status"
kill -TERM "$spid"; wait "$spid" || true

echo "== sanitize file: PDF rasterisation at 150 dpi, 20 office-like A4 pages (bench/gen_pdf.py), 3 runs"
/usr/bin/python3 bench/gen_pdf.py 20 "$W/pages20.pdf"
for i in 1 2 3; do
	/usr/bin/time -f "%e s wall, %U s user, %M KB max RSS → %e/20 s per page" \
	    $B/mamori sanitize file --dpi 150 "$W/pages20.pdf" "$W/pages20-out.pdf" >/dev/null 2>"$W/pdf.time" || cat "$W/pdf.time"
	tail -1 "$W/pdf.time"
done
ls -l "$W/pages20-out.pdf"

echo "== mail text-ification (無害化), in process: bench/gen_mail.py, 1,000 messages (130 MB), 3 rounds"
rm -rf "$W/mail" "$W/mailq"
/usr/bin/python3 bench/gen_mail.py 1000 "$W/mail"
$B/bench/bench_mail "$W/mail" 3
echo "== mail text-ification, end to end: one 'mamori sanitize mail' process per message"
/usr/bin/time -f "%e s wall, %U s user, %S s sys" bash -c \
    'for f in "$1"/*.eml; do "$0" sanitize mail <"$f" >/dev/null || exit 1; done' "$B/mamori" "$W/mail"
echo "== the same with --quarantine (original and metadata written and fsync'ed per message)"
/usr/bin/time -f "%e s wall, %U s user, %S s sys" bash -c \
    'for f in "$1"/*.eml; do "$0" sanitize mail --quarantine "$2" <"$f" >/dev/null || exit 1; done' \
    "$B/mamori" "$W/mail" "$W/mailq"
