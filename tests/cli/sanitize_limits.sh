#!/usr/bin/env bash
# Resource limits of mail text-ification: hostile messages that would make GMime
# build millions of objects are refused before parsing, quickly and with the
# reason; the original is still quarantined (status refused).  Messages just
# inside the limits are sanitized.
. "$(dirname "$0")/lib.sh"

C="$TMP/c"; Q="$TMP/q"; mkdir -p "$C"
/usr/bin/python3 - "$C" <<'PY' && ok || not_ok "make hostile mail"
import sys
d = sys.argv[1]
h = b"From: a@example.jp\nSubject: x\nMIME-Version: 1.0\n"
def w(name, b): open(f"{d}/{name}.eml", "wb").write(b)
# 5 million empty parts (GMime: 6.5 GB, 47 s without the limit)
w("many-parts", h + b"Content-Type: multipart/mixed; boundary=X\n\n" + b"--X\n\n" * 5000000 + b"--X--\n")
# 9 million one-letter header fields (4.5 GB)
w("many-fields", b"From: a@example.jp\n" + b"X: y\n" * 9000000 + b"\nbody\n")
# fields hidden in a nested message/rfc822 and after a boundary count too
w("fields-in-parts", h + b"Content-Type: multipart/mixed; boundary=X\n\n--X\nContent-Type: message/rfc822\n\n"
  + b"X-A: b\n" * 30000 + b"\nbody\n--X--\n")
# a To: of 10 million addresses (5.5 GB, 36 s)
w("long-field", b"From: a@example.jp\nTo: " + b"a@b," * 10000000 + b"c@d\nSubject: z\n\nbody\n")
# a folded field: the continuation lines count towards the field
w("folded-field", b"From: a@example.jp\nSubject: a\n" + b" =?utf-8?b?5bGx?=\n" * 5000 + b"\nbody\n")
# header bytes: many fields, each under the field limit, over 1 MiB together
w("header-bytes", b"From: a@example.jp\n" + (b"X-Long: " + b"v" * 60000 + b"\n") * 20 + b"\nbody\n")
# 600,000 nested multiparts
pre = b"".join(b"Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n" % (i, i) for i in range(600000))
w("deep", h + pre + b"Content-Type: text/plain\n\nhi\n")
# just inside: 999 parts, a To: of 3,000 addresses, 19,000 header fields, 10 MB of body
w("ok-parts", h + b"Content-Type: multipart/mixed; boundary=X\n\n"
  + b"".join(b"--X\nContent-Type: text/plain\n\npart %d\n" % i for i in range(999)) + b"--X--\n")
w("ok-addresses", b"From: a@example.jp\nTo: " + b", ".join(b"user%d@example.jp" % i for i in range(3000))
  + b"\nSubject: many\n\nbody\n")
w("ok-fields", b"From: a@example.jp\n" + b"X: y\n" * 19000 + b"Subject: ok\n\nbody\n")
w("ok-big", b"From: a@example.jp\nSubject: big\n\n" + (b"x" * 75 + b"\n") * 130000)
PY
refused() {	# NAME PATTERN
	local s=$SECONDS
	expect_exit 1 "$1 refused" -- "$MAMORI" sanitize mail --quarantine "$Q" <"$C/$1.eml"
	expect_grep "$TMP/err" "refused: $2" "$1: the reason"
	expect_grep "$TMP/err" "the original is quarantined" "$1: kept"
	[ $((SECONDS - s)) -le 10 ] && ok || not_ok "$1: took $((SECONDS - s)) s"
}
refused many-parts 'too many parts: more than 10000 lines begin with "--" (limit: 1000 MIME parts)'
refused many-fields 'more than 20000 header fields'
refused fields-in-parts 'more than 20000 header fields'
refused long-field 'a header field is longer than 65536 bytes'
refused folded-field 'a header field is longer than 65536 bytes'
refused header-bytes 'more than 1048576 bytes of header fields'
refused deep 'too many parts'
for f in ok-parts ok-addresses ok-fields ok-big; do
	expect_exit 0 "$f sanitized" -- "$MAMORI" sanitize mail <"$C/$f.eml"
done
"$MAMORI" sanitize mail <"$C/ok-addresses.eml" | /usr/bin/python3 -c '
import email, email.policy, sys
m = email.message_from_binary_file(sys.stdin.buffer, policy=email.policy.default)
assert len(m["To"].addresses) == 3000, len(m["To"].addresses)' && ok || not_ok "3,000 addresses kept"
# every refused original is listed with its reason
expect_exit 0 "list" -- "$MAMORI" quarantine list --quarantine "$Q"
[ "$(grep -c ' refused ' "$TMP/out")" -eq 7 ] && ok || not_ok "7 refused originals listed"
expect_exit 0 "list --json" -- "$MAMORI" quarantine list --json --quarantine "$Q"
expect_grep "$TMP/out" '"reason":	"more than 1048576 bytes of header fields"' "reason kept in the metadata"
# over the size limit: not even kept (the size is the one limit checked before storing)
head -c $((51 * 1024 * 1024)) /dev/zero | tr '\0' 'x' >"$C/huge.eml"
expect_exit 1 "over 50 MiB refused" -- "$MAMORI" sanitize mail --quarantine "$Q" <"$C/huge.eml"
expect_grep "$TMP/err" 'over the limit of 52428800 bytes' "size limit named"

# `sanitize file`: the run's CPU time is bounded (a page poppler takes long over cannot be
# stopped from inside); past it the run is refused and nothing of the output is left
/usr/bin/python3 "$SRCDIR/tests/sanitize/make_file_corpus.py" "$C" && ok || not_ok "file corpus"
mkdir -p "$TMP/o"
# fontconfig's one configuration per process is never freed (tests/sanitize/lsan.supp)
export LSAN_OPTIONS="suppressions=$SRCDIR/tests/sanitize/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
expect_exit 1 "CPU time limit" -- "$MAMORI" sanitize file --dpi 600 --max-seconds 1 "$C/pages40.pdf" "$TMP/o/out.pdf"
expect_grep "$TMP/err" 'limit hit: more than 1 s of CPU time (--max-seconds); nothing was written' "CPU limit: said why"
[ -z "$(ls -A "$TMP/o")" ] && ok || not_ok "CPU limit: nothing left in the output's directory: $(ls -A "$TMP/o")"
expect_exit 1 "CPU time limit, --json" -- "$MAMORI" sanitize file --json --dpi 600 --max-seconds 1 "$C/pages40.pdf" "$TMP/o/out.pdf"
/usr/bin/python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); assert "CPU time" in r["refused"], r' "$TMP/out" &&
	ok || not_ok "CPU limit: the JSON report says it"
expect_exit 2 "--max-seconds 0" -- "$MAMORI" sanitize file --max-seconds 0 "$C/pages40.pdf" "$TMP/o/out.pdf"
# within the limit: the output, and no temporary beside it
expect_exit 0 "a PDF within the limit" -- "$MAMORI" sanitize file --dpi 72 "$C/pages40.pdf" "$TMP/o/out.pdf"
[ "$(ls -A "$TMP/o")" = "out.pdf" ] && ok || not_ok "only the output is left: $(ls -A "$TMP/o")"
finish
