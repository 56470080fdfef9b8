#!/usr/bin/env bash
# Crash test of the records engine: reports, moves (with the fields a state
# requires) and comments killed with SIGKILL at random moments, 100 times.
# After each kill the store opens, `log verify` passes, every record's row
# agrees with its last event in the trail (state, and the fields a move set:
# nothing half-written), every record has its record.create event and every
# event its record, and every step that was acknowledged (exit 0) is there.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/c.db" MAMORI_ACTOR=test:crash
"$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml" >/dev/null && ok || not_ok "init"
for u in "tanaka staff soumu" "kanri security-manager soumu" "touk chief-officer"; do
	set -- $u
	"$MAMORI" user add "$1" --role "$2" ${3:+--department "$3"} >/dev/null || not_ok "user $1"
done
/usr/bin/python3 - "$MAMORI" "$MAMORI_DB" <<'PY' && ok || not_ok "crash test"
import json, random, sqlite3, subprocess, sys, time
mamori, db = sys.argv[1], sys.argv[2]
random.seed(20261205)
# the incident's way from report to close, and who takes each step
steps = {"reported": ("accepted", "kanri", []), "accepted": ("responding", "kanri", []),
         "responding": ("prevention", "kanri", []),
         "prevention": ("closed", "touk", ["--set", "prevention=手順書を改め、研修で周知する"])}
acked = []          # (record id, state) of every step acknowledged
kills = 0

def state_of(rid):
    c = sqlite3.connect(db)
    try:
        row = c.execute("SELECT state FROM record WHERE id = ?", (rid,)).fetchone()
    finally:
        c.close()
    return row[0] if row else None

def command(round):
    """One step on a random open record, or a new report."""
    c = sqlite3.connect(db)
    open_ = [r for (r,) in c.execute("SELECT id FROM record WHERE state NOT IN ('closed', 'withdrawn')")]
    c.close()
    if not open_ or random.random() < 0.25:
        return [mamori, "incident", "report", "--by", "tanaka", "--set", f"summary=第{round}回 USBメモリ紛失",
                "--set", "severity=low"], None
    rid = random.choice(open_)
    if random.random() < 0.2:
        return [mamori, "record", "comment", rid, "--by", "kanri", "--note", f"確認中 {round}"], None
    to, by, extra = steps[state_of(rid)]
    return [mamori, "record", "move", rid, to, "--by", by] + extra, (rid, to)

def check(round):
    v = subprocess.run([mamori, "log", "verify"], capture_output=True)
    if v.returncode != 0:
        sys.exit(f"round {round}: log verify failed after SIGKILL: {v.stderr.decode()}")
    events = [json.loads(l) for l in subprocess.run([mamori, "log", "show", "--json"], capture_output=True,
              check=True).stdout.decode().splitlines()]
    last, created = {}, set()
    for e in events:
        if e["object_type"] != "record":
            continue
        after = (e.get("body") or {}).get("after") or {}
        if e["action"] == "record.create":
            created.add(e["object_id"])
        if "state" in after:
            last[e["object_id"]] = after
    c = sqlite3.connect(db)
    rows = {r: (s, json.loads(f)) for r, s, f in c.execute("SELECT id, state, fields FROM record")}
    c.close()
    if set(rows) != created:
        sys.exit(f"round {round}: records without their create event or events without their record: "
                 f"{sorted(set(rows) ^ created)}")
    for rid, (state, fields) in rows.items():
        if last[rid]["state"] != state:
            sys.exit(f"round {round}: {rid} is {state} in the store but {last[rid]['state']} in the trail")
        for k, v in (last[rid].get("fields") or {}).items():
            if fields.get(k) != v:
                sys.exit(f"round {round}: {rid}: field {k} is {fields.get(k)!r}, the trail says {v!r}")
    for rid, to in acked:
        if not any(e["object_id"] == rid and ((e.get("body") or {}).get("after") or {}).get("state") == to
                   for e in events):
            sys.exit(f"round {round}: the acknowledged step {rid} → {to} is missing")

for round in range(100):
    for _ in range(random.randint(0, 2)):
        argv, step = command(round)
        r = subprocess.run(argv, capture_output=True)
        if r.returncode != 0:
            sys.exit(f"a step failed: {argv}: {r.stderr.decode()}")
        if step:
            acked.append(step)
    argv, step = command(round)
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(random.uniform(0, 0.02))
    p.kill()
    p.communicate()
    kills += 1
    if p.returncode == 0 and step:
        acked.append(step)          # it finished before the kill: acknowledged
    check(round)
c = sqlite3.connect(db)
n = c.execute("SELECT count(*) FROM record").fetchone()[0]
closed = c.execute("SELECT count(*) FROM record WHERE state = 'closed'").fetchone()[0]
c.close()
print(f"SIGKILLs: {kills}, acknowledged steps: {len(acked)}, records: {n} ({closed} closed), "
      "each row as its trail says")
sys.exit(0 if kills == 100 and closed > 0 else 1)
PY
finish
