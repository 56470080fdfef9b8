#!/usr/bin/env bash
# Crash test: writers killed with SIGKILL at random moments, 200 times.  After
# each kill the store opens, `log verify` passes, and every change that was
# acknowledged (the writer exited 0 and printed the id) is there with its event.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/c.db" MAMORI_ACTOR=test:crash
"$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml" >/dev/null && ok || not_ok "init"
/usr/bin/python3 - "$MAMORI" <<'PY' && ok || not_ok "crash test"
import random, subprocess, sys, time, json, os
mamori = sys.argv[1]
random.seed(20261122)
acked = []
kills = 0
for round in range(200):
    # a few writes run to completion, then one is killed at a random moment
    for _ in range(random.randint(0, 2)):
        r = subprocess.run([mamori, "asset", "add", "--name", f"r{round}", "--kind", "information",
                            "--department", "soumu", "--c", "2", "--i", "2", "--a", "1"], capture_output=True)
        if r.returncode == 0:
            acked.append(r.stdout.decode().strip())
        else:
            print("a write failed:", r.stderr.decode()); sys.exit(1)
    p = subprocess.Popen([mamori, "asset", "add", "--name", f"k{round}", "--kind", "information",
                          "--department", "soumu", "--c", "1", "--i", "1", "--a", "1"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(random.uniform(0, 0.02))
    p.kill()
    out, _ = p.communicate()
    kills += 1
    if p.returncode == 0 and out.strip():
        acked.append(out.decode().strip())   # it finished before the kill: acknowledged
    v = subprocess.run([mamori, "log", "verify"], capture_output=True)
    if v.returncode != 0:
        print(f"round {round}: verify failed after SIGKILL:", v.stderr.decode()); sys.exit(1)
ids = {a["id"] for a in json.loads(subprocess.run([mamori, "asset", "list", "--json"], capture_output=True).stdout)}
events = subprocess.run([mamori, "log", "show", "--json"], capture_output=True).stdout.decode().splitlines()
evids = {json.loads(e)["object_id"] for e in events}
missing = [a for a in acked if a not in ids or a not in evids]
print(f"SIGKILLs: {kills}, acknowledged changes: {len(acked)}, missing after crashes: {len(missing)}")
sys.exit(1 if missing or kills < 200 else 0)
PY
finish
