#!/usr/bin/env bash
# The audit trail: verify, heads, proofs checked without the store, and the
# tamper suite — every byte of every stored event flipped in turn, each row
# deleted, adjacent rows swapped, truncation, truncation then appending, a
# rollback to an older copy: every case must be detected (counted and printed).
. "$(dirname "$0")/lib.sh"

P="$SRCDIR/policies/mic-standard.yaml"
DB="$TMP/a.db"
export MAMORI_DB="$DB" MAMORI_ACTOR=test:auditor

"$MAMORI" init --policy "$P" >/dev/null && ok || not_ok "init"
for n in 1 2 3; do
	"$MAMORI" asset add --name "資産$n" --kind information --department soumu --c 2 --i 1 --a 1 >/dev/null || not_ok "add $n"
done
expect_exit 0 "verify a fresh trail" -- "$MAMORI" log verify
expect_grep "$TMP/out" '^ok: 4 events' "summary line"
expect_exit 0 "head" -- "$MAMORI" log head --out "$TMP/head4"
expect_grep "$TMP/head4" '^size: 4$' "head size"
cp "$DB.pub" "$TMP/pub"
# an older copy of SQLite's file, rolled back to below (PostgreSQL's store has no file to copy)
[ "${MAMORI_TEST_BACKEND:-}" = postgresql ] || cp "$DB" "$TMP/old.db"
"$MAMORI" asset add --name 資産4 --kind information --department soumu --c 1 --i 1 --a 1 >/dev/null
"$MAMORI" log head --out "$TMP/head5" >/dev/null
expect_exit 0 "verify with saved heads" -- "$MAMORI" log verify --head "$TMP/head4" --head "$TMP/head5" --pubkey "$TMP/pub"
expect_grep "$TMP/out" '(2 given)' "given heads counted"

# proofs an auditor checks alone: public key, head and proof, no store
expect_exit 0 "inclusion proof" -- "$MAMORI" log proof --inclusion 3 --head "$TMP/head5"
cp "$TMP/out" "$TMP/incl"
expect_exit 0 "check inclusion" -- "$MAMORI" log check-proof --pubkey "$TMP/pub" --head "$TMP/head5" "$TMP/incl"
expect_grep "$TMP/out" 'event 3 .* is in the signed tree of 5 events' "inclusion summary"
# the first node's first hex digit changed (to 1 if it was 0, else to 0)
awk '!done && /^node: / { c = substr($2, 1, 1); $2 = (c == "0" ? "1" : "0") substr($2, 2); done = 1 } 1' \
    "$TMP/incl" >"$TMP/incl.bad"
cmp -s "$TMP/incl" "$TMP/incl.bad" && not_ok "could not alter the proof" || ok
expect_exit 1 "altered inclusion proof" -- "$MAMORI" log check-proof --pubkey "$TMP/pub" --head "$TMP/head5" "$TMP/incl.bad"
expect_exit 0 "consistency proof" -- "$MAMORI" log proof --consistency 4 5
cp "$TMP/out" "$TMP/cons"
expect_exit 0 "check consistency" -- "$MAMORI" log check-proof --pubkey "$TMP/pub" --head "$TMP/head5" --old-head "$TMP/head4" "$TMP/cons"
expect_grep "$TMP/out" 'extends the signed tree of 4 events' "consistency summary"
# the signature's first character changed (to B if it was A, else to A: a fixed
# replacement left the head as it was whenever it already began with A)
awk '/^signature: / { c = substr($2, 1, 1); $2 = (c == "A" ? "B" : "A") substr($2, 2) } 1' \
    "$TMP/head5" >"$TMP/head5.forged"
cmp -s "$TMP/head5" "$TMP/head5.forged" && not_ok "could not forge the head" || ok
expect_exit 1 "forged head" -- "$MAMORI" log check-proof --pubkey "$TMP/pub" --head "$TMP/head5.forged" --old-head "$TMP/head4" "$TMP/cons"
expect_exit 2 "malformed head file" -- "$MAMORI" log verify --head "$TMP/pub"
expect_grep "$TMP/err" "^$TMP/pub:1: error: not a mamori tree head" "malformed head: FILE:LINE named"
sed 's/^size: 5$/size: 05/' "$TMP/head5" >"$TMP/head5.bad"
expect_exit 2 "head with a malformed size" -- "$MAMORI" log check-proof --pubkey "$TMP/pub" --head "$TMP/head5.bad" "$TMP/incl"
expect_grep "$TMP/err" "head5.bad:4: error: 'size:'" "malformed size: line 4 named"
# the inclusion proof carries its event; changing the event's text is caught
expect_grep "$TMP/incl" '^event: {"seq":3,' "the proof carries the event"
expect_grep "$TMP/incl" '資産2' "the event's Japanese text in the proof"
sed 's/資産2/資産9/' "$TMP/incl" >"$TMP/incl.event"
expect_exit 1 "changed event in the proof" -- "$MAMORI" log check-proof --pubkey "$TMP/pub" --head "$TMP/head5" "$TMP/incl.event"
expect_grep "$TMP/err" 'incl.event:6: error: the event in the proof does not hash' "changed event named"
printf 'node: 00\n' >>"$TMP/incl.event"
expect_exit 1 "junk line in a proof" -- "$MAMORI" log check-proof --pubkey "$TMP/pub" --head "$TMP/head5" "$TMP/incl.event"
expect_grep "$TMP/err" "expected 'node: <64 hex digits>'" "junk line named"
expect_exit 0 "proof from stdin" -- sh -c "\"\$0\" log check-proof --pubkey \"\$1\" --head \"\$2\" - <\"\$3\"" "$MAMORI" "$TMP/pub" "$TMP/head5" "$TMP/incl"
# a secret key that others may read is refused, with the fix named
chmod 644 "$DB.key"
expect_exit 3 "readable secret key refused" -- "$MAMORI" log head
expect_grep "$TMP/err" 'chmod 600' "fix named"
chmod 600 "$DB.key"

# heads published outside the store as they are made (MAMORI_HEADS_OUT, --heads-out)
# and checked against the store with --heads: a head deleted from the store is seen
mkdir "$TMP/pub-heads"
PDB="$TMP/p.db"
MAMORI_HEADS_OUT="$TMP/pub-heads" "$MAMORI" init --policy "$P" --db "$PDB" >/dev/null && ok || not_ok "init publishing heads"
"$MAMORI" asset add --db "$PDB" --name 公開 --kind information --department soumu --c 1 --i 1 --a 1 >/dev/null
expect_exit 0 "log head --heads-out" -- "$MAMORI" log head --db "$PDB" --heads-out "$TMP/pub-heads"
LOGID=$(sed -n 's/^log: //p' "$TMP/out")
expect_grep "$TMP/out" '^seq: 2$' "the second head is numbered 2"
[ "$(grep -c '^mamori tree head v2$' "$TMP/pub-heads/$LOGID.heads")" = 2 ] && ok || not_ok "both heads published"
[ "$(stat -c %a "$TMP/pub-heads/$LOGID.heads")" = 640 ] && ok || not_ok "published heads file mode 0640"
expect_exit 0 "log head with nothing new repeats the newest head" -- "$MAMORI" log head --db "$PDB"
expect_grep "$TMP/out" '^seq: 2$' "no new number without new events"
expect_exit 0 "verify against the published heads" -- "$MAMORI" log verify --db "$PDB" --heads "$TMP/pub-heads"
expect_grep "$TMP/out" '(2 given); heads numbered 1 to 2 without a gap' "published heads counted"
# a head deleted from a copy of SQLite's file (PostgreSQL's store has no file to copy)
if [ "${MAMORI_TEST_BACKEND:-}" != postgresql ]; then
cp "$PDB" "$TMP/p2.db"
/usr/bin/python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("DELETE FROM tree_head WHERE seq = 2"); c.commit()' "$TMP/p2.db"
expect_exit 1 "a published head deleted from the store" -- "$MAMORI" log verify --db "$TMP/p2.db" --pubkey "$PDB.pub" --heads "$TMP/pub-heads/$LOGID.heads"
expect_grep "$TMP/err" 'no longer holds signed head #2, which was published' "deleted head named"
fi
expect_exit 3 "--heads naming nothing" -- "$MAMORI" log verify --db "$PDB" --heads "$TMP/nowhere"
# the schedule heads are signed on; deleting the newest heads shows without any published head
expect_exit 0 "log schedule shows the defaults" -- "$MAMORI" log schedule --db "$PDB"
expect_grep "$TMP/out" '^head.every_events = 1000$' "default every_events"
expect_exit 2 "log schedule refuses a non-number" -- "$MAMORI" log schedule --db "$PDB" --every-events 0x10
expect_exit 0 "log schedule sets" -- "$MAMORI" log schedule --db "$PDB" --every-events 3 --every-seconds 600
expect_grep "$TMP/out" '^head.every_seconds = 600$' "every_seconds set"
for n in 1 2 3 4 5 6 7; do
	"$MAMORI" asset add --db "$PDB" --name "予定$n" --kind information --department soumu --c 1 --i 1 --a 1 >/dev/null || not_ok "add $n"
done
expect_exit 0 "verify on the schedule" -- "$MAMORI" log verify --db "$PDB" --heads "$TMP/pub-heads"
# the newest head deleted from a copy of SQLite's file (PostgreSQL's store has no file to copy)
if [ "${MAMORI_TEST_BACKEND:-}" != postgresql ]; then
cp "$PDB" "$TMP/p3.db"
/usr/bin/python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("DELETE FROM tree_head WHERE seq = (SELECT max(seq) FROM tree_head)"); c.commit()' "$TMP/p3.db"
expect_exit 1 "the newest head deleted: seen by the store alone" -- "$MAMORI" log verify --db "$TMP/p3.db" --pubkey "$PDB.pub"
expect_grep "$TMP/err" 'though one is signed every 3 events: heads deleted' "schedule named"
expect_exit 1 "the newest head deleted: seen with the published heads" -- "$MAMORI" log verify --db "$TMP/p3.db" --pubkey "$PDB.pub" --heads "$TMP/pub-heads"
expect_exit 1 "the same, --json" -- "$MAMORI" log verify --json --db "$TMP/p3.db" --pubkey "$PDB.pub" --heads "$TMP/pub-heads"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["ok"] is False and d["tampered"] is True and d["message"], d' "$TMP/out" && ok || not_ok "verify --json names the tampering"
fi
expect_exit 0 "verify --json" -- "$MAMORI" log verify --json --db "$PDB" --heads "$TMP/pub-heads"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["ok"] is True and "intact" in d["summary"], d' "$TMP/out" && ok || not_ok "verify --json ok"

# the older copy of SQLite's file (above; none on PostgreSQL)
if [ "${MAMORI_TEST_BACKEND:-}" != postgresql ]; then
# a proof in a tree larger than the trail is a wrong request, not tampering
expect_exit 2 "inclusion proof past the end: a usage error" -- "$MAMORI" log proof --db "$TMP/old.db" --inclusion 1 --head "$TMP/head5"
expect_grep "$TMP/err" 'size 5 is past the end of the trail, which holds 4 events' "past the end named"
expect_exit 2 "consistency proof past the end: a usage error" -- "$MAMORI" log proof --db "$TMP/old.db" --consistency 1 5

# rollback: an older copy of the store against a newer head
expect_exit 1 "rollback detected" -- "$MAMORI" log verify --db "$TMP/old.db" --head "$TMP/head5" --pubkey "$TMP/pub"
expect_grep "$TMP/err" 'truncated or rolled back' "rollback named"
fi

# the tamper suite: SQLite's file copied and changed with Python's sqlite3 for each case
if [ "${MAMORI_TEST_BACKEND:-}" != postgresql ]; then
/usr/bin/python3 - "$MAMORI" "$DB" "$TMP" <<'PY' && ok || not_ok "tamper suite: some tampering went undetected"
import os, shutil, sqlite3, subprocess, sys
mamori, db, tmp = sys.argv[1:4]
os.umask(0o077)	# mamori refuses a store that others may read
head, pub = os.path.join(tmp, "head5"), os.path.join(tmp, "pub")
work = os.path.join(tmp, "t.db")
cols = ["time", "actor", "action", "object_type", "object_id", "body", "leaf", "chain"]

def fresh():
    for ext in ("", "-wal", "-shm"):
        if os.path.exists(work + ext):
            os.remove(work + ext)
    src = sqlite3.connect(db)
    dst = sqlite3.connect(work)
    src.backup(dst)
    src.close()
    return dst

def detected():
    r = subprocess.run([mamori, "log", "verify", "--db", work, "--head", head, "--pubkey", pub],
                       capture_output=True)
    if r.returncode not in (0, 1):
        print("verify crashed or failed oddly:", r.returncode, r.stderr.decode()[:300])
        return False
    return r.returncode == 1

cases = hits = 0
def case(name, mutate):
    global cases, hits
    con = fresh()
    try:
        applied = mutate(con)
        con.commit()
    except sqlite3.IntegrityError:
        applied = False
    con.close()
    if applied is False:
        return
    cases += 1
    if detected():
        hits += 1
    else:
        print("NOT DETECTED:", name)

src = sqlite3.connect(db)
rows = src.execute("SELECT seq, " + ", ".join(cols) + " FROM audit_event ORDER BY seq").fetchall()
src.close()
for row in rows:
    seq = row[0]
    for ci, col in enumerate(cols):
        value = row[ci + 1]
        data = value if isinstance(value, bytes) else value.encode()
        for i in range(len(data)):
            flipped = bytearray(data); flipped[i] ^= 0x01
            newval = bytes(flipped) if isinstance(value, bytes) else bytes(flipped).decode("utf-8", "surrogateescape").encode("utf-8", "surrogateescape")
            def m(con, col=col, newval=bytes(flipped), seq=seq):
                con.execute(f"UPDATE audit_event SET {col} = CAST(? AS {'BLOB' if col in ('leaf','chain') else 'TEXT'}) WHERE seq = ?", (newval, seq))
            case(f"flip {col}[{i}] of event {seq}", m)
    for bit in range(0, 64, 8):
        case(f"renumber event {seq} (bit {bit})",
             lambda con, seq=seq, bit=bit: con.execute("UPDATE audit_event SET seq = ? WHERE seq = ?", (seq ^ (1 << bit), seq)))
    case(f"delete event {seq}", lambda con, seq=seq: con.execute("DELETE FROM audit_event WHERE seq = ?", (seq,)))
for a, b in zip(rows, rows[1:]):
    def swap(con, a=a, b=b):
        sets = ", ".join(f"{c} = ?" for c in cols)
        con.execute(f"UPDATE audit_event SET {sets} WHERE seq = ?", (*b[1:], a[0]))
        con.execute(f"UPDATE audit_event SET {sets} WHERE seq = ?", (*a[1:], b[0]))
    case(f"swap events {a[0]} and {b[0]}", swap)
for k in range(1, len(rows)):
    case(f"truncate to {len(rows) - k}", lambda con, k=k: con.execute("DELETE FROM audit_event WHERE seq > ?", (len(rows) - k,)))
# truncate, then append new events through mamori itself: a valid chain, a different history
for k in (1, 2):
    con = fresh()
    con.execute("DELETE FROM audit_event WHERE seq > ?", (len(rows) - k,))
    con.execute("DELETE FROM tree_head")
    con.commit(); con.close()
    for n in range(k):
        subprocess.run([mamori, "asset", "add", "--db", work, "--name", f"偽{n}", "--kind", "information",
                        "--department", "soumu", "--c", "1", "--i", "1", "--a", "1"], capture_output=True, check=True)
    cases += 1
    if detected(): hits += 1
    else: print(f"NOT DETECTED: truncate {k} then append {k}")
print(f"tamper cases: {cases}, detected: {hits} ({100.0 * hits / cases:.1f}%)")
sys.exit(0 if cases > 1000 and hits == cases else 1)
PY
fi
finish
