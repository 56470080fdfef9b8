#!/usr/bin/env bash
# tests/pg/writers.sh — several writers on several processes, one store on
# PostgreSQL (docs/postgresql-ha.md): two `mamori serve` and two `mamori
# milter` under load at once — records reported and decisions logged through
# both servers, mails sanitized through both milters — and after it one
# audit trail, gapless and totally ordered: `log verify` passes, seq runs
# 1 … N with no number twice, and every change acknowledged (a 2xx answer, a
# mail the milter let through) has its event, no more and no fewer.
#
# Run by tests/pg/run.sh (suite cli, test pg-writers), which names the
# cluster in $MAMORI_TEST_PG; the store is a schema of its own there.
# Without MAMORI_TEST_PG (bash tests/pg/writers.sh), the same load runs on
# one SQLite file, for comparison.
. "$(dirname "$0")/../cli/lib.sh"

F="$(dirname "$MAMORI")/mamori-full"	# serve and milter, and every PostgreSQL store
SEND="$SRCDIR/tests/pg/milter_send.py"
LOOPS=${WRITERS_LOOPS:-4}	# curl loops per server
ROUNDS=${WRITERS_ROUNDS:-25}	# a record and a decision each
MAILS=${WRITERS_MAILS:-100}	# per milter, 4 at a time

if [ -n "${MAMORI_TEST_PG:-}" ]; then
	schema=w$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
	case $MAMORI_TEST_PG in *\?*) sep='&' ;; *) sep='?' ;; esac
	DB="$MAMORI_TEST_PG${sep}schema=$schema&files=$TMP/store"
else
	DB="$TMP/store.db"
fi
export MAMORI_DB=$DB MAMORI_ACTOR=test:admin

pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "${MAMORI_TEST_KEEP:-}" ] && echo "kept $TMP" >&2 || rm -rf "$TMP"
}
trap cleanup EXIT
port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# a policy that logs every decision, so that each 200 of /api/decide is one event
sed 's/^decision_log: .*/decision_log: all/' "$SRCDIR/policies/mic-standard.yaml" >"$TMP/all.yaml"
expect_exit 0 "init" -- "$F" init --policy "$TMP/all.yaml"
# a head signed every 50 events: by whichever writer passes the mark, servers and milters alike
expect_exit 0 "head schedule" -- "$F" log schedule --every-events 50
for u in tanaka suzuki; do
	expect_exit 0 "user $u" -- "$F" user add "$u" --role staff --department soumu
done
wtok_tanaka=$("$F" user token tanaka --scope write) && ok || not_ok "token tanaka"
wtok_suzuki=$("$F" user token suzuki --scope write) && ok || not_ok "token suzuki"

# two servers, two milters, every one with its own connections to the store
for i in 1 2; do
	p=$(port)
	eval "B$i=http://127.0.0.1:$p"
	"$F" serve --listen "127.0.0.1:$p" --rate off >"$TMP/serve$i.out" 2>"$TMP/serve$i.err" &
	pids+=($!)
	m=$(port)
	eval "M$i=$m"
	mkdir -p "$TMP/q$i"
	"$F" milter --socket "inet:$m@127.0.0.1" --from-segment internet --quarantine "$TMP/q$i" \
	    >"$TMP/milter$i.log" 2>&1 &
	pids+=($!)
done
for i in 1 2; do
	eval "b=\$B$i m=\$M$i"
	for _ in $(seq 100); do curl -s -o /dev/null "$b/api/health" && break; sleep 0.1; done
	curl -s -o /dev/null "$b/api/health" && ok || { not_ok "server $i did not start"; cat "$TMP/serve$i.err" >&2; }
	for _ in $(seq 100); do grep -q listening "$TMP/milter$i.log" && break; sleep 0.1; done
	expect_grep "$TMP/milter$i.log" "verdicts recorded in the store's audit trail" "milter $i on the store"
done

# load LOOP SERVER USER: ROUNDS records and decisions, each answer's status on a line of its own
allow='{"subject":{"id":"%s"},"action":"read","resource":{"classification":{"confidentiality":1},"department":"soumu","segment":"lgwan"}}'
load() {
	local n=$1 b=$2 u=$3 tok body
	eval "tok=\$wtok_$u"
	body=$(printf "$allow" "$u")
	for r in $(seq "$ROUNDS"); do
		curl -s -o /dev/null -w 'record %{http_code}\n' -H "Authorization: Bearer $tok" \
		    --data-binary "{\"fields\":{\"summary\":\"load $n/$r\"}}" "$b/api/records/incident"
		curl -s -o /dev/null -w 'decide %{http_code}\n' -H "Authorization: Bearer $tok" \
		    --data-binary "$body" "$b/api/decide"
	done >"$TMP/load$n"
}
start=$(date +%s)
jobs_=()
for l in $(seq "$LOOPS"); do
	load "1-$l" "$B1" tanaka &
	jobs_+=($!)
	load "2-$l" "$B2" suzuki &
	jobs_+=($!)
done
for i in 1 2; do
	eval "m=\$M$i"
	/usr/bin/python3 "$SEND" "$m" "$MAILS" 4 soumu@city.example.lgwan.jp >"$TMP/mails$i" 2>"$TMP/mails$i.err" &
	jobs_+=($!)
done
wait "${jobs_[@]}"
echo "load: $(($(date +%s) - start)) s" >&2

records=$(cat "$TMP"/load* | grep -c '^record 201$')
decisions=$(cat "$TMP"/load* | grep -c '^decide 200$')
mails=$(cat "$TMP"/mails1 "$TMP"/mails2 | awk '{ n += $2 + $4 } END { print n + 0 }')
want=$((LOOPS * 2 * ROUNDS))
[ "$records" = "$want" ] && ok || not_ok "records acknowledged: $records of $want ($(cat "$TMP"/load* | sort | uniq -c | tr '\n' ' '))"
[ "$decisions" = "$want" ] && ok || not_ok "decisions acknowledged: $decisions of $want"
[ "$mails" = $((2 * MAILS)) ] && ok || not_ok "mails with a final verdict: $mails of $((2 * MAILS)) ($(cat "$TMP"/mails1 "$TMP"/mails2 "$TMP"/mails*.err))"
for i in 1 2; do
	! grep -q "cannot" "$TMP/serve$i.err" && ok || not_ok "server $i: $(grep cannot "$TMP/serve$i.err" | head -3)"
	! grep -q "cannot be recorded" "$TMP/milter$i.log" && ok || not_ok "milter $i: $(grep cannot "$TMP/milter$i.log" | head -3)"
done

# the servers and milters stop; the trail they wrote together
for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
wait "${pids[@]}" 2>/dev/null
pids=()
expect_exit 0 "log verify" -- "$F" log verify
expect_grep "$TMP/out" "^ok: " "log verify: ok"
heads=$(sed -n 's/.* heads numbered 1 to \([0-9]*\) without a gap.*/\1/p' "$TMP/out")
[ "${heads:-0}" -ge 10 ] && ok || not_ok "heads signed along the way: ${heads:-none} ($(cat "$TMP/out"))"
"$F" log show --json >"$TMP/events.json" && ok || not_ok "log show"
/usr/bin/python3 - "$TMP/events.json" "$records" "$decisions" "$mails" <<'PY' && ok || not_ok "events: one per acknowledged change, seq 1 … N"
import json, sys
from collections import Counter
events = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
records, decisions, mails = map(int, sys.argv[2:5])
seqs = [e["seq"] for e in events]
bad = []
if len(set(seqs)) != len(seqs):
    bad.append("a seq twice: %s" % [s for s, n in Counter(seqs).items() if n > 1][:5])
if sorted(seqs) != list(range(1, len(seqs) + 1)):
    bad.append("seq not 1 … %d without a gap" % len(seqs))
if seqs != sorted(seqs):
    bad.append("log show not in seq order")
a = Counter(e["action"] for e in events)
if a["record.create"] != records:
    bad.append("record.create: %d events, %d acknowledged" % (a["record.create"], records))
if a["decide.allow"] + a["decide.deny"] + a["decide.invalid"] != decisions:
    bad.append("decisions: %d events, %d acknowledged (%s)" % (a["decide.allow"] + a["decide.deny"], decisions, a))
if a["mail.sanitize"] != mails:
    bad.append("mail.sanitize: %d events, %d verdicts given" % (a["mail.sanitize"], mails))
# by both servers and both milters: the writers took turns, not one after the other
for who in ("token:tanaka@127.0.0.1", "token:suzuki@127.0.0.1", "milter"):
    if not any(e["actor"] == who for e in events):
        bad.append("no event by %s" % who)
print("\n".join(bad), file=sys.stderr)
print("%d events: %s" % (len(events), dict(a)), file=sys.stderr)
sys.exit(1 if bad else 0)
PY
finish
