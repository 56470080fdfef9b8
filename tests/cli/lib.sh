# lib.sh — helpers for the CLI end-to-end tests.  Source it; it sets
# MAMORI (the binary), SRCDIR (the source tree) and a fresh TMP directory that is
# removed on exit.  Each check counts as one; the script exits non-zero when any
# failed and prints `N passed, N failed`.
set -u
: "${MAMORI:?MAMORI must name the mamori binary}"
: "${SRCDIR:?SRCDIR must name the source tree}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mamori-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
not_ok() { fail=$((fail + 1)); printf 'FAIL: %s\n' "$*" >&2; }

# expect_exit CODE DESCRIPTION -- COMMAND...: runs COMMAND, output to $TMP/out and $TMP/err.
expect_exit() {
	local want=$1 desc=$2
	shift 3
	"$@" >"$TMP/out" 2>"$TMP/err"
	local got=$?
	if [ "$got" -eq "$want" ]; then ok; else
		not_ok "$desc: exit $got, expected $want"
		sed 's/^/  stderr: /' "$TMP/err" | head -20 >&2
	fi
}

# expect_grep FILE PATTERN DESCRIPTION
expect_grep() {
	if grep -q -- "$2" "$1"; then ok; else not_ok "$3: '$2' not in $(basename "$1")"; sed 's/^/  | /' "$1" | head -20 >&2; fi
}

# A NOTIFY_SOCKET of the test's at $1, what arrives on it appended to $2 (a
# line per datagram), for 60 s at most; the listener's pid in $npid.
listen_notify() {
	/usr/bin/python3 - "$1" >"$2" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(60)
try:
    while True:
        print(s.recv(4096).decode(), flush=True)
except socket.timeout:
    pass
PY
	npid=$!
	for _ in $(seq 50); do [ -S "$1" ] && break; sleep 0.1; done
}

finish() {
	printf '%d passed, %d failed\n' "$pass" "$fail"
	[ "$fail" -eq 0 ]
}
