#!/usr/bin/env bash
# Reruns the benchmarks of bench/README.md on this machine.  Needs a release
# build: meson setup build-rel --buildtype=release -Dtests=false && ninja -C build-rel
set -euo pipefail
cd "$(dirname "$0")/.."
B=build-rel
W=${BENCH_DIR:-/tmp/mamori-bench}
mkdir -p "$W"
nproc; grep -m1 'model name' /proc/cpuinfo || true

echo "== decision point, in process (1,000 users, 10,000 assets, 1,000,000 requests)"
$B/bench/bench_decide policies/mic-standard.yaml

echo "== decision point, end to end: mamori decide --batch, 1,000,000 lines"
/usr/bin/python3 bench/gen_requests.py 1000000 >"$W/req.jsonl"
/usr/bin/time -f "%e s wall, %M KB max RSS" $B/mamori decide --policy policies/mic-standard.yaml --batch <"$W/req.jsonl" >"$W/out.jsonl"
wc -l <"$W/out.jsonl"

echo "== register: import of 1,000,000 assets (one transaction, one audit event per asset)"
/usr/bin/python3 bench/gen_assets.py 1000000 >"$W/assets.csv"
rm -f "$W/b.db" "$W"/b.db.*
$B/mamori init --policy policies/mic-standard.yaml --db "$W/b.db" >/dev/null
/usr/bin/time -f "%e s wall, %M KB max RSS" $B/mamori asset import --db "$W/b.db" "$W/assets.csv"
time $B/mamori asset export --db "$W/b.db" --format csv --out "$W/export.csv"

echo "== register queries, audit appends, verification"
$B/bench/bench_store "$W/b.db"
echo "== raw SHA-256 on this machine, for the verification ratio"
openssl speed -evp sha256 -seconds 2 -bytes 1024 2>/dev/null | tail -1

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
