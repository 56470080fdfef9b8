#!/usr/bin/env bash
# What records in force cost the decision point: `decide --batch` on a store
# whose policy logs no decisions (so that only the deciding is timed), with no
# 例外措置, then with N of them of which 10 are approved (in force) and the rest
# expired or rejected — the case of a town after some years.  Every denied
# request asks whether an exception in force lifts it (record_decide.c).
#
#   bash bench/decide_records.sh [N] [REQUESTS]      (default 20000 and 200000)
#   B=OTHER-BUILD bash bench/decide_records.sh       (default build-rel: a release build)
#
# The records are written straight into the store with SQL (the bench measures
# the decision point, not how records are made): the rows a store holds after
# `record new exception` and its moves, without their events.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-$src/build-rel}
n=${1:-20000} reqs=${2:-200000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$src/policies/mic-standard.yaml" "$tmp/"
cat >"$tmp/quiet.yaml" <<'Y'
mamori-policy: 1
id: quiet
title: 判定を記録しない町
version: "1"
extends: mic-standard
decision_log: none
Y
export MAMORI_DB="$tmp/m.db" MAMORI_ACTOR=bench
"$B/mamori" init --policy "$tmp/quiet.yaml" >/dev/null
"$B/mamori" asset import "$src/examples/assets.csv" >/dev/null
/usr/bin/python3 "$src/bench/gen_requests.py" "$reqs" >"$tmp/req.jsonl"

run() {
	local t0 t1
	t0=$(date +%s.%N)
	"$B/mamori" decide --batch --now 2026-12-10 <"$tmp/req.jsonl" >"$tmp/out.jsonl"
	t1=$(date +%s.%N)
	/usr/bin/python3 - "$1" "$t0" "$t1" "$tmp/out.jsonl" <<'PY'
import json, sys
what, t0, t1, out = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
n = allow = exc = 0
for l in open(out):
    d = json.loads(l); n += 1; allow += d.get("decision") == "allow"
    exc += any(r.get("id") == "exception" for r in d.get("reasons", []))
print(f"{what}: {n} decisions in {t1 - t0:.2f} s = {n / (t1 - t0):,.0f}/s; {allow} allowed, {exc} by an exception")
PY
}

run "no 例外措置"
/usr/bin/python3 - "$tmp/m.db" "$n" <<'PY'
import json, random, sqlite3, sys
db, n = sys.argv[1], int(sys.argv[2])
random.seed(1205)
c = sqlite3.connect(db)
rows = []
for i in range(1, n + 1):
    state = "approved" if i > n - 10 else random.choice(["expired", "rejected", "revoked"])
    f = {"justification": "業務上必要", "measures": "課長が確認する", "action": random.choice(["send", "copy", "print"]),
         "department": random.choice(["soumu", "zeimu", "shimin"]), "until": "2027-03-31",
         "accounts": [f"u{random.randrange(1000)}"]}
    rows.append((f"E-{i:06d}", "exception", i, state, "tanaka", "soumu", json.dumps(f, ensure_ascii=False),
                 0, "ciso1", "ciso1", "2026-04-01T00:00:00Z", "2026-04-01T00:00:00Z"))
c.executemany("INSERT INTO record (id, kind, seq, state, reporter, department, fields, state_since, last_by, "
              "approver, created, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
c.commit()
PY
run "$n 例外措置 (10 in force)"
