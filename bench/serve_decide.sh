#!/usr/bin/env bash
# HTTP throughput of the decision point, with and without decision logging:
# mamori serve (release build) on a policy file (no store, no login, no log),
# then on stores whose policy logs none / denials / all, asked with a bearer
# token by wrk.  Requests: bench/gen_requests.py (mic-standard, ~89 % denials).
# Usage: bench/serve_decide.sh [SECONDS]   (from the source tree; needs wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${B:-build-rel}
W=${BENCH_DIR:-/tmp/mamori-bench}/serve-decide
D=${1:-10}
mkdir -p "$W"
command -v wrk >/dev/null || { echo "wrk not found: skipping the HTTP decision benchmark"; exit 0; }
/usr/bin/python3 bench/gen_requests.py 10000 >"$W/req.jsonl"
export DECIDE_REQUESTS="$W/req.jsonl" MAMORI_ACTOR=bench:admin
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# run LABEL ARGS...: start the server with ARGS, run wrk (single and batch), stop
run() {
	local label=$1; shift
	$B/mamori serve --listen "127.0.0.1:$port" --threads 2 --rate off "$@" >"$W/serve.out" 2>"$W/serve.err" &
	local pid=$!
	for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/api/health" && break; sleep 0.05; done
	printf '%-34s ' "$label, /api/decide:"
	DECIDE_BATCH=0 wrk -t2 -c32 -d"${D}s" --latency -s bench/decide_post.lua "http://127.0.0.1:$port" |
	    awk '/Requests\/sec/ {r=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF}
		END {printf "%8.0f decisions/s, p50 %s, p99 %s%s\n", r, p50, p99, bad ? ", non-2xx " bad : ""}'
	printf '%-34s ' "$label, /api/decide/batch (100):"
	DECIDE_BATCH=100 wrk -t2 -c8 -d"${D}s" -s bench/decide_post.lua "http://127.0.0.1:$port" |
	    awk '/Requests\/sec/ {printf "%8.0f decisions/s\n", $2 * 100}'
	kill -TERM "$pid"; wait "$pid" || true
}

unset DECIDE_TOKEN
run "policy file (no store, no log)" --policy policies/mic-standard.yaml
for mode in none denials all; do
	sed "s/^decision_log: .*/decision_log: $mode/" policies/mic-standard.yaml >"$W/$mode.yaml"
	rm -f "$W/$mode.db" "$W/$mode.db".* "$W/$mode.db"-*
	export MAMORI_DB="$W/$mode.db"
	$B/mamori init --policy "$W/$mode.yaml" >/dev/null
	$B/mamori user add gateway --role staff --department 税務課 --password-stdin <<<'pw-gateway-1' >/dev/null
	export DECIDE_TOKEN=$($B/mamori user token gateway --scope gateway)
	run "store, decision_log: $mode" --db "$W/$mode.db"
	events=$($B/mamori log show --json | grep -c '"action":"decide\.' || true)
	echo "    $events decisions in the trail; log verify: $($B/mamori log verify >/dev/null 2>&1 && echo ok || echo FAILED)"
done
