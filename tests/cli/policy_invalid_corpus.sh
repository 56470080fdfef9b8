#!/usr/bin/env bash
# Every file in tests/policy-invalid/ must be rejected by `mamori policy check`
# with exactly the diagnostics in its .expected file (file:line:col: message),
# and exit 1.  A case whose .expected begins with "exit N" expects exit N.
. "$(dirname "$0")/lib.sh"

corpus="$SRCDIR/tests/policy-invalid"
cd "$corpus" || exit 1
count=0
for f in *.yaml *.json *.bin; do
	[ -e "$f" ] || continue
	count=$((count + 1))
	exp="${f%.*}.expected"
	if [ ! -f "$exp" ]; then not_ok "$f: no $exp"; continue; fi
	want_exit=1
	if head -1 "$exp" | grep -q '^exit '; then want_exit=$(head -1 "$exp" | cut -d' ' -f2); fi
	"$MAMORI" policy check "$f" >"$TMP/out" 2>"$TMP/err"
	got=$?
	grep -v '^exit ' "$exp" >"$TMP/want"
	grep -v ': invalid$' "$TMP/err" >"$TMP/got"
	if [ "$got" -ne "$want_exit" ]; then
		not_ok "$f: exit $got, expected $want_exit"
	elif ! diff -u "$TMP/want" "$TMP/got" >"$TMP/diff"; then
		not_ok "$f: diagnostics differ"; cat "$TMP/diff" >&2
	else
		ok
	fi
done
echo "corpus: $count files"
finish
