#!/usr/bin/env bash
# Signed heads sent to syslog as they are made (MAMORI_HEADS_SYSLOG=1, log head
# --heads-syslog): read from a syslog socket of our own (a private /dev/log in a
# user and mount namespace), each head is one line with ident mamori-heads and
# facility auth, and the lines saved as a log keeps them are what `log verify
# --heads` checks the store against.  The line format itself is unit-tested
# (tests/unit/test_audit.c).
. "$(dirname "$0")/lib.sh"

P="$SRCDIR/policies/mic-standard.yaml"
export MAMORI_ACTOR=test:admin
DB="$TMP/s.db"

expect_exit 3 "MAMORI_HEADS_SYSLOG other than 1 or 0" -- env MAMORI_HEADS_SYSLOG=yes "$MAMORI" init --policy "$P" --db "$DB"
expect_grep "$TMP/err" "MAMORI_HEADS_SYSLOG must be 1 (send signed heads to syslog) or 0, not 'yes'" "the value named"

if ! unshare -Urm true 2>/dev/null; then
	echo "no user namespaces here: the syslog socket part is skipped" >&2
	finish
	exit $?
fi

# inside the namespace: /dev is a tmpfs of ours with null/zero/urandom and a
# datagram socket at /dev/log whose messages go to $TMP/syslog.txt, a line each
cat >"$TMP/inside.sh" <<'IN'
set -e
mkdir "$TMP/dev"
mount -t tmpfs tmpfs "$TMP/dev"
for d in null zero urandom random; do touch "$TMP/dev/$d"; mount --bind "/dev/$d" "$TMP/dev/$d"; done
mount --bind "$TMP/dev" /dev
/usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
open(sys.argv[1] + ".ready", "w").close()
with open(sys.argv[1], "a") as f:
    while True:
        m = s.recv(65536).decode()
        if m == "stop":
            break
        f.write(m.rstrip("\n") + "\n")
        f.flush()
' "$TMP/syslog.txt" &
while [ ! -e "$TMP/syslog.txt.ready" ]; do sleep 0.05; done
add() { "$MAMORI" asset add --db "$DB" --name "$1" --kind information --department soumu --c 1 --i 1 --a 1 >/dev/null; }
MAMORI_HEADS_SYSLOG=1 "$MAMORI" init --policy "$P" --db "$DB" >/dev/null     # head 1
MAMORI_HEADS_SYSLOG=1 "$MAMORI" log schedule --db "$DB" --every-events 2 >/dev/null   # head 2, signed at once
MAMORI_HEADS_SYSLOG=1 add a1
MAMORI_HEADS_SYSLOG=1 add a2                                                 # head 3, by the schedule
add a3
"$MAMORI" log head --db "$DB" --heads-syslog >/dev/null                      # head 4
add a4
"$MAMORI" log head --db "$DB" >/dev/null                                      # head 5: not sent
/usr/bin/python3 -c 'import socket; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"stop", "/dev/log")'
wait
IN
TMP="$TMP" DB="$DB" P="$P" unshare -Urm bash "$TMP/inside.sh" && ok || not_ok "heads sent to a syslog socket"

[ "$(wc -l <"$TMP/syslog.txt")" = 4 ] && ok || not_ok "four heads sent, the one signed without syslog not: $(cat "$TMP/syslog.txt")"
# <37>: facility auth (4 × 8) + notice (5); the ident with the process id
[ "$(grep -c '^<37>.* mamori-heads\[[0-9]*\]: mamori tree head v2 log=[0-9a-f]* seq=[1-4] size=[0-9]* root=[0-9a-f]\{64\} time=[^ ]*Z key=[^ ]* signature=[^ ]*$' "$TMP/syslog.txt")" = 4 ] \
	&& ok || not_ok "one line per head, auth.notice from mamori-heads: $(cat "$TMP/syslog.txt")"
expect_exit 0 "log verify against the heads saved from syslog" -- "$MAMORI" log verify --db "$DB" --pubkey "$DB.pub" --heads "$TMP/syslog.txt"
expect_grep "$TMP/out" "(4 given)" "the four syslog heads checked"
# as `journalctl -t mamori-heads -o cat` saves them: the message alone
sed 's/^.*mamori-heads\[[0-9]*\]: //' "$TMP/syslog.txt" >"$TMP/journal.txt"
expect_exit 0 "log verify against the journal's messages" -- "$MAMORI" log verify --db "$DB" --pubkey "$DB.pub" --heads "$TMP/journal.txt"
# a head deleted from the store is seen from the syslog copy (a copy of
# SQLite's file, changed with Python's sqlite3: no file to copy on PostgreSQL)
if [ "${MAMORI_TEST_BACKEND:-}" != postgresql ]; then
cp "$DB" "$TMP/d.db"
/usr/bin/python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("DELETE FROM tree_head WHERE seq = 3"); c.commit()' "$TMP/d.db"
expect_exit 1 "a head deleted from the store, seen from syslog" -- "$MAMORI" log verify --db "$TMP/d.db" --pubkey "$DB.pub" --heads "$TMP/syslog.txt"
expect_grep "$TMP/err" "TAMPERED.*signed head #3" "the deleted head named"
fi
# a line changed in the log is refused, naming its line
sed '2s/ size=\([0-9]*\) / size=9\1 /' "$TMP/syslog.txt" >"$TMP/changed.txt"
expect_exit 1 "a head changed in the saved log" -- "$MAMORI" log verify --db "$DB" --pubkey "$DB.pub" --heads "$TMP/changed.txt"
finish
