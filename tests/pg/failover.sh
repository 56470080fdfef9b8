#!/usr/bin/env bash
# tests/pg/failover.sh — a failover under a running server (docs/postgresql-ha.md):
# a primary cluster a and its streaming standby b (pg_basebackup -R,
# synchronous: the primary's synchronous_standby_names names b and
# synchronous_commit is on, so a COMMIT returns once b has the transaction's
# WAL on disk), one `mamori serve` on the URL that names both with
# target_session_attrs=read-write.  Decisions are logged and records reported
# through it, before, during and after: a is stopped with -m immediate (as a
# machine fails), b promoted.  The server connects to b by itself (no
# restart) and accepts writes again; every change it acknowledged (a 2xx),
# before or during the failover, is on b; `log verify` passes there and the
# trail's seq runs 1 … N without a gap.
#
# The test makes its two clusters itself (in $TMP), whatever $MAMORI_TEST_PG
# names; tests/pg/run.sh runs it like the other tests of tests/pg.
. "$(dirname "$0")/../cli/lib.sh"

F="$(dirname "$MAMORI")/mamori-full"
CLUSTER="$SRCDIR/tests/pg/cluster.sh"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ]; then
	echo "SKIP: no PostgreSQL server (apt-get install postgresql-15)"
	exit 77
fi
chmod 755 "$TMP"	# the clusters run as postgres when this runs as root
A="$TMP/a" B="$TMP/b"
server=
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null
	[ -n "$loops" ] && kill $loops 2>/dev/null
	wait 2>/dev/null
	"$CLUSTER" stop "$B" 2>/dev/null
	"$CLUSTER" stop "$A" 2>/dev/null
	[ -n "${MAMORI_TEST_KEEP:-}" ] && echo "kept $TMP" >&2 || rm -rf "$TMP"
}
loops=
trap cleanup EXIT
sql() { local d=$1; shift; "$bin/psql" -X -q -At -h "$d" -U mamori -d mamori_test "$@"; }
as=()
[ "$(id -u)" = 0 ] && as=(runuser -u postgres --)

# --- the primary and its synchronous standby ----------------------------------
"$CLUSTER" start "$A" >/dev/null && ok || { not_ok "primary"; finish; exit; }
"$CLUSTER" replica "$A" "$B" >/dev/null && ok || { not_ok "standby"; finish; exit; }
# synchronous once b streams: set before, the primary's own CREATE DATABASE would wait for it
sql "$A" -c "ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (b)'" -c "SELECT pg_reload_conf()" >/dev/null
for _ in $(seq 100); do
	[ "$(sql "$A" -c "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'b'")" = sync ] && break
	sleep 0.1
done
[ "$(sql "$A" -c "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'b'")" = sync ] && ok ||
    not_ok "b is the primary's synchronous standby"
[ "$(sql "$A" -c "SHOW synchronous_commit")" = on ] && ok || not_ok "synchronous_commit is on"
[ "$(sql "$B" -c "SELECT pg_is_in_recovery()")" = t ] && ok || not_ok "b is a standby"

# --- the store and its server, on the URL that names both ---------------------
export MAMORI_DB="postgresql:///mamori_test?host=$A,$B&user=mamori&target_session_attrs=read-write&connect_timeout=5&schema=failover&files=$TMP/store"
export MAMORI_ACTOR=test:admin
sed 's/^decision_log: .*/decision_log: all/' "$SRCDIR/policies/mic-standard.yaml" >"$TMP/all.yaml"
expect_exit 0 "init" -- "$F" init --policy "$TMP/all.yaml"
expect_exit 0 "user gateway" -- "$F" user add gateway --role staff --department soumu
expect_exit 0 "user tanaka" -- "$F" user add tanaka --role staff --department soumu
gtok=$("$F" user token gateway --scope gateway) && ok || not_ok "gateway token"
wtok=$("$F" user token tanaka --scope write) && ok || not_ok "write token"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
U="http://127.0.0.1:$port"
"$F" serve --listen "127.0.0.1:$port" --rate off >"$TMP/serve.out" 2>"$TMP/serve.err" &
server=$!
for _ in $(seq 100); do curl -s -o /dev/null "$U/api/health" && break; sleep 0.1; done
curl -s -o /dev/null "$U/api/health" && ok || { not_ok "server"; cat "$TMP/serve.err" >&2; finish; exit; }

# write TAG: a decision about subject d-TAG and a record "r-TAG", each answer's status as "d TAG CODE" / "r TAG CODE"
allow='{"subject":{"id":"d-%s","roles":["staff"],"department":"soumu","mfa":true,"terminal":{"segment":"lgwan","issued":true}},"action":"read","resource":{"classification":{"confidentiality":1},"department":"soumu","segment":"lgwan"}}'
write() {
	local body
	body=$(printf "$allow" "$1")
	echo "d $1 $(curl -s -m 60 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $gtok" --data-binary "$body" "$U/api/decide")"
	echo "r $1 $(curl -s -m 60 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $wtok" \
	    --data-binary "{\"fields\":{\"summary\":\"r-$1\"}}" "$U/api/records/incident")"
}

# before: every write acknowledged
for n in $(seq 20); do write "before-$n"; done >"$TMP/before"
[ "$(grep -c ' \(200\|201\)$' "$TMP/before")" = 40 ] && ok || not_ok "before: $(sort -k3 "$TMP/before" | awk '{print $3}' | uniq -c | tr '\n' ' ')"

# in doubt: the standby away, a COMMIT waits for it (synchronous_commit); its
# connection ended meanwhile, the server cannot know whether it committed (it
# did, on a, and b gets it when it comes back): the answer is an error, never
# an acknowledgement
"${as[@]}" "$bin/pg_ctl" -D "$B/data" -m fast -w stop >/dev/null && ok || not_ok "b stopped"
write "doubt-1" >"$TMP/doubt" &
doubt=$!
# each COMMIT of the write (its decision's, then its record's) waits in turn: end them
waited=0
for _ in $(seq 300); do
	kill -0 "$doubt" 2>/dev/null || break
	for pid in $(sql "$A" -c "SELECT pid FROM pg_stat_activity WHERE wait_event = 'SyncRep'"); do
		sql "$A" -c "SELECT pg_terminate_backend($pid, 10000)" >/dev/null
		waited=$((waited + 1))
	done
	sleep 0.1
done
[ "$waited" = 2 ] && ok || not_ok "two COMMITs waited for the standby, $waited seen"
"$CLUSTER" restart "$B" && ok || not_ok "b again"
wait "$doubt"
[ "$(cat "$TMP/doubt")" = "$(printf 'd doubt-1 500\nr doubt-1 500')" ] && ok ||
    not_ok "a COMMIT in doubt is answered 500: $(cat "$TMP/doubt")"
expect_grep "$TMP/serve.err" "lost at COMMIT" "the server says why"
for _ in $(seq 100); do
	[ "$(sql "$A" -c "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'b'")" = sync ] && break
	sleep 0.1
done
[ "$(sql "$A" -c "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'b'")" = sync ] && ok ||
    not_ok "b is synchronous again"

# during: two writers go on while a fails and b is promoted
for l in 1 2; do
	( n=0; while [ ! -e "$TMP/stop" ]; do n=$((n + 1)); write "during-$l-$n"; done >"$TMP/during$l" ) &
	loops="$loops $!"
done
sleep 2
"${as[@]}" "$bin/pg_ctl" -D "$A/data" -m immediate -w stop >/dev/null && ok || not_ok "a stopped"
failed_at=$(date +%s)
sleep 2	# the writers meet no primary meanwhile: the server tries again
"${as[@]}" "$bin/pg_ctl" -D "$B/data" -w promote >/dev/null && ok || not_ok "b promoted"
[ "$(sql "$B" -c "SELECT pg_is_in_recovery()")" = f ] && ok || not_ok "b is the primary"
sleep 3
touch "$TMP/stop"
wait $loops
loops=
cat "$TMP"/during* >"$TMP/during"
echo "during: $(awk '{print $3}' "$TMP/during" | sort | uniq -c | tr '\n' ' ')" >&2

# after: the same server, every write acknowledged again
kill -0 "$server" && ok || not_ok "the server still runs"
for n in $(seq 20); do write "after-$n"; done >"$TMP/after"
[ "$(grep -c ' \(200\|201\)$' "$TMP/after")" = 40 ] && ok || not_ok "after: $(awk '{print $3}' "$TMP/after" | sort | uniq -c | tr '\n' ' ') $(tail -3 "$TMP/serve.err")"
echo "back $(($(date +%s) - failed_at)) s after the primary stopped" >&2
kill -0 "$server" && ok || not_ok "the same server, not restarted"

# every acknowledged change is on b, and the trail there is whole
expect_exit 0 "log verify on b" -- "$F" log verify
expect_grep "$TMP/out" "^ok: " "log verify: ok"
"$F" log show --json >"$TMP/events.json" && ok || not_ok "log show"
cat "$TMP/before" "$TMP/doubt" "$TMP/during" "$TMP/after" >"$TMP/answers"
/usr/bin/python3 - "$TMP/events.json" "$TMP/answers" <<'PY' && ok || not_ok "every acknowledged change on b"
import json, re, sys
events = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
seqs = [e["seq"] for e in events]
bad = []
if seqs != list(range(1, len(seqs) + 1)):
    bad.append("seq not 1 … %d without a gap or a number twice" % len(seqs))
text = {e["seq"]: json.dumps(e["body"], ensure_ascii=False) for e in events}
decided = {e["seq"] for e in events if e["action"].startswith("decide.")}
created = {e["seq"] for e in events if e["action"] == "record.create"}
have_d = set()
have_r = set()
for s in decided:
    for tag in re.findall(r'd-((?:before|doubt|during|after)-[0-9-]*[0-9])', text[s]):
        have_d.add(tag)
for s in created:
    for tag in re.findall(r'r-((?:before|doubt|during|after)-[0-9-]*[0-9])', text[s]):
        have_r.add(tag)
acked = failed = doubt = 0
for line in open(sys.argv[2]):
    kind, tag, code = line.split()
    have = (have_d if kind == "d" else have_r)
    if code in ("200", "201"):
        acked += 1
        if tag not in have:
            bad.append("acknowledged, not on b: %s %s" % (kind, tag))
    else:
        failed += 1
        doubt += tag in have
# the write in doubt committed on a before its connection ended: b has it, though it was answered 500
if "doubt-1" not in have_d or "doubt-1" not in have_r:
    bad.append("the write in doubt is not on b")
print("%d acknowledged, all on b; %d failed (%d of them committed all the same: "
      "their answer lost with the connection); %d events" % (acked, failed, doubt, len(events)), file=sys.stderr)
print("\n".join(bad[:20]), file=sys.stderr)
sys.exit(1 if bad else 0)
PY
finish
