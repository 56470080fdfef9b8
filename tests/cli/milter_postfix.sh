#!/usr/bin/env bash
# `mamori milter` end to end with a real Postfix (Debian's) on loopback: a private
# Postfix instance (postfix -c DIR) with two SMTP listeners, one for each side of
# the boundary (milter_macro_daemon_name=internet / lgwan), relays everything to a
# small SMTP sink (tests/milter/smtp_tool.py), so that what staff would receive is
# checked byte for byte.  Skips (exit 77) only when Postfix is not installed or
# the test cannot run as root, which a Postfix instance needs.
. "$(dirname "$0")/lib.sh"

TOOL="$SRCDIR/tests/milter/smtp_tool.py"
if ! [ -x /usr/sbin/postfix ] || ! id postfix >/dev/null 2>&1; then
	echo "SKIP: Postfix is not installed (scripts/install-deps.sh --tests installs it)"
	exit 77
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: a private Postfix instance must be started as root"
	exit 77
fi

PF="$TMP/pf" SINK="$TMP/sink" Q="$TMP/q" C="$TMP/corpus"
mkdir -p "$PF/queue" "$PF/data" "$SINK" "$C"
# Postfix's daemons (user postfix) work below $TMP; the quarantine inside stays 0700
chmod 755 "$TMP" "$PF"
chown postfix "$PF/data"
chmod 700 "$PF/data"
milter_pid= sink_pid= postfix_up=
cleanup() {
	[ -n "$postfix_up" ] && postfix -c "$PF" stop >/dev/null 2>&1
	[ -n "$milter_pid" ] && kill "$milter_pid" 2>/dev/null
	[ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null
	wait 2>/dev/null
	[ -n "${MAMORI_TEST_KEEP:-}" ] && echo "kept $TMP" >&2 || rm -rf "$TMP"
}
trap cleanup EXIT

# The policy: mic-standard (lgwan.jp is LGWAN接続系, everything else the internet)
# and a マイナンバー利用事務系 domain that no flow reaches.
cp "$SRCDIR/policies/mic-standard.yaml" "$TMP/"
cat >"$TMP/gateway.yaml" <<'EOF'
mamori-policy: 1
id: gateway-test
title: テスト市情報セキュリティポリシー
version: "1"
extends: mic-standard
segments:
  - id: mynumber
    title: マイナンバー利用事務系
    clause: 基本方針 2(8)
    mail_domains: [kikan.city.example.lgwan.jp]
    requirements:
      - { id: isolated, text: 原則として、他の領域との通信をできないようにした上で, clause: 基本方針 6(3)① }
EOF
expect_exit 0 "test policy valid" -- "$MAMORI" policy check "$TMP/gateway.yaml"
# the milter runs on a store: its policy rules, and every verdict is in its audit trail
DB="$TMP/gateway.db"
expect_exit 0 "store with the test policy" -- "$MAMORI" init --policy "$TMP/gateway.yaml" --db "$DB"

/usr/bin/python3 "$SRCDIR/tests/sanitize/make_corpus.py" "$C" && ok || not_ok "corpus"
# an HTML mail with an attachment, as an internet sender writes it
/usr/bin/python3 - "$C" <<'PY' && ok || not_ok "html mail"
import sys
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
m = MIMEMultipart("mixed")
m["Subject"] = Header("請求書の送付", "utf-8")
m["From"] = "Sender <sender@example.com>"
m["To"] = "soumu@city.example.lgwan.jp"
m["Date"] = "Sun, 22 Nov 2026 10:00:00 +0900"
m["Message-ID"] = "<html-attach@example.com>"
m["X-Mailer"] = "evil/1.0"
m.attach(MIMEText('<html><body><p>請求書を<b>添付</b>します。</p><script>alert(1)</script>'
                  '<a href="https://evil.example.com/pay">支払い</a></body></html>', "html", "utf-8"))
a = MIMEApplication(b"%PDF-1.4\n%invoice\n", "pdf")
a.add_header("Content-Disposition", "attachment", filename=("utf-8", "", "請求書.pdf"))
m.attach(a)
open(f"{sys.argv[1]}/html-attach.eml", "wb").write(m.as_bytes())
PY

port() { /usr/bin/python3 "$TOOL" freeport; }
P_INTERNET=$(port) P_LGWAN=$(port) P_MILTER=$(port)

/usr/bin/python3 "$TOOL" sink "$SINK" "$TMP/sinkport" >"$TMP/sink.log" 2>&1 &
sink_pid=$!
for _ in $(seq 50); do [ -s "$TMP/sinkport" ] && break; sleep 0.1; done
P_SINK=$(cat "$TMP/sinkport" 2>/dev/null)
[ -n "$P_SINK" ] && ok || { not_ok "the SMTP sink did not start"; cat "$TMP/sink.log" >&2; finish; exit; }

# the Postfix configuration that docs/sanitize.md describes, on loopback
cat >"$PF/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $PF/queue
data_directory = $PF/data
meta_directory = /etc/postfix
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = $PF/maillog
maillog_file_prefixes = $PF
myhostname = gateway.mamori.test
mydestination =
relayhost = [127.0.0.1]:$P_SINK
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
alias_maps =
alias_database =
smtputf8_enable = no
message_size_limit = 10240000
smtpd_milters = inet:127.0.0.1:$P_MILTER
non_smtpd_milters = \$smtpd_milters
milter_default_action = tempfail
milter_protocol = 6
EOF
cat >"$PF/master.cf" <<EOF
127.0.0.1:$P_INTERNET inet n - n - - smtpd
  -o milter_macro_daemon_name=internet
127.0.0.1:$P_LGWAN inet n - n - - smtpd
  -o milter_macro_daemon_name=lgwan
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n -  0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n -  - trivial-rewrite
bounce    unix  - - n -  0 bounce
defer     unix  - - n -  0 bounce
trace     unix  - - n -  0 bounce
verify    unix  - - n -  1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -  - proxymap
smtp      unix  - - n -  - smtp
relay     unix  - - n -  - smtp
showq     unix  n - n -  - showq
error     unix  - - n -  - error
retry     unix  - - n -  - error
discard   unix  - - n -  - discard
anvil     unix  - - n -  1 anvil
scache    unix  - - n -  1 scache
postlog   unix-dgram n - n - 1 postlogd
EOF

"$MAMORI" milter --socket "inet:$P_MILTER@127.0.0.1" --db "$DB" \
	--quarantine "$Q" --max-size 64K >"$TMP/milter.log" 2>&1 &
milter_pid=$!
for _ in $(seq 50); do grep -q listening "$TMP/milter.log" && break; sleep 0.1; done
expect_grep "$TMP/milter.log" "listening on inet:$P_MILTER@127.0.0.1, policy gateway-test" "milter started"
expect_grep "$TMP/milter.log" "verdicts recorded in the store's audit trail" "milter says where verdicts go"

if postfix -c "$PF" start >"$TMP/pf.out" 2>&1; then postfix_up=1; ok; else
	not_ok "postfix did not start"; cat "$TMP/pf.out" "$PF/maillog" >&2; finish; exit
fi
for _ in $(seq 100); do
	/usr/bin/python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $P_LGWAN), 1)" 2>/dev/null && break
	sleep 0.1
done

# send NAME PORT FROM RCPT... < message: the client's view goes to $TMP/NAME.reply
send() {
	local name=$1
	shift
	/usr/bin/python3 "$TOOL" send "$@" >"$TMP/$name.reply" 2>&1
}
# delivered N: waits until the sink holds N messages
delivered() {
	for _ in $(seq 300); do
		[ -e "$SINK/$1.eml" ] && return 0
		sleep 0.1
	done
	return 1
}

# 1. internet → LGWAN: HTML + attachment arrives as text/plain with the notice
send html-lgwan "$P_INTERNET" sender@example.com soumu@city.example.lgwan.jp <"$C/html-attach.eml" && ok ||
	not_ok "internet → lgwan accepted: $(cat "$TMP/html-lgwan.reply")"
delivered 1 && ok || not_ok "internet → lgwan delivered"
# 2. internet → internet: untouched
send html-internet "$P_INTERNET" sender@example.com partner@example.org <"$C/html-attach.eml" && ok ||
	not_ok "internet → internet accepted: $(cat "$TMP/html-internet.reply")"
delivered 2 && ok || not_ok "internet → internet delivered"
# 3. LGWAN → LGWAN (the other listener): untouched
send lgwan-lgwan "$P_LGWAN" staff@city.example.lgwan.jp jinji@city.example.lgwan.jp <"$C/with-pdf.eml" && ok ||
	not_ok "lgwan → lgwan accepted: $(cat "$TMP/lgwan-lgwan.reply")"
delivered 3 && ok || not_ok "lgwan → lgwan delivered"
# 4. LGWAN → internet: the flow requires mail-text as well
send lgwan-internet "$P_LGWAN" staff@city.example.lgwan.jp partner@example.org <"$C/docm-macro.eml" && ok ||
	not_ok "lgwan → internet accepted: $(cat "$TMP/lgwan-internet.reply")"
delivered 4 && ok || not_ok "lgwan → internet delivered"
# 5. recipients on both sides: one message, sanitized for both
send mixed "$P_INTERNET" sender@example.com soumu@city.example.lgwan.jp partner@example.org <"$C/zip.eml" && ok ||
	not_ok "mixed recipients accepted: $(cat "$TMP/mixed.reply")"
delivered 5 && ok || not_ok "mixed recipients delivered"

/usr/bin/python3 - "$SINK" "$C" "$Q" <<'PY' && ok || not_ok "delivered messages"
import email, email.policy, hashlib, os, re, stat, sys
sink, corpus, q = sys.argv[1:4]
bad = []
def check(cond, what):
    if not cond:
        bad.append(what)
def load(n):
    raw = open(f"{sink}/{n}.eml", "rb").read()
    rcpts = open(f"{sink}/{n}.rcpt").read().split()
    return raw, email.message_from_bytes(raw, policy=email.policy.default), rcpts
def crlf(b):
    """The message as SMTP carries it: CRLF line ends, and a last line that ends."""
    b = b.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return b if b.endswith(b"\r\n") else b + b"\r\n"
def after_received(raw):
    """The message without the Received field Postfix prepended."""
    m = re.match(rb"Received:.*?\r\n(?![ \t])", raw, re.S)
    return raw[m.end():] if m else raw

def sanitized(n, name, sent_name):
    raw, m, rcpts = load(n)
    body = m.get_content() if m.get_content_type() == "text/plain" else ""
    check(m.get_content_type() == "text/plain" and not m.is_multipart(), f"{name}: single text/plain")
    check(m.get_content_charset() == "utf-8", f"{name}: UTF-8")
    check(body.startswith("【無害化済み / sanitized by mamori】"), f"{name}: the notice at the top")
    check("X-Mailer" not in m, f"{name}: other header fields dropped")
    check(raw.startswith(b"Received: from client.test"), f"{name}: Postfix's Received kept first")
    xs = str(m["X-Mamori-Sanitized"]).replace("\n", "")
    check("gateway-test 基本方針 2(12), 6(3)②" in xs, f"{name}: X-Mamori-Sanitized cites the flow: {xs}")
    h = re.search(r"original-sha256=([0-9a-f]{64})", xs.replace(" ", ""))
    check(h is not None, f"{name}: X-Mamori-Sanitized has the original's SHA-256")
    if h:
        qp = f"{q}/{h.group(1)}.eml"
        check(os.path.exists(qp), f"{name}: original quarantined")
        if os.path.exists(qp):
            orig = open(qp, "rb").read()
            check(hashlib.sha256(orig).hexdigest() == h.group(1), f"{name}: quarantine name is its SHA-256")
            check(orig == crlf(open(f"{corpus}/{sent_name}.eml", "rb").read()),
                  f"{name}: quarantined original is the message as sent")
            check(stat.S_IMODE(os.stat(qp).st_mode) == 0o600, f"{name}: quarantine file 0600")
    return raw, m, body, rcpts

raw, m, b, rcpts = sanitized(1, "internet→lgwan", "html-attach")
check(rcpts == ["soumu@city.example.lgwan.jp"], "internet→lgwan: envelope recipient")
check(str(m["Subject"]) == "請求書の送付" and str(m["From"]) == "Sender <sender@example.com>",
      "internet→lgwan: Subject and From kept")
check("請求書を添付します。" in b, "internet→lgwan: the HTML text, readable")
check("<" not in b.replace("<hxxps", "") and "alert" not in b, "internet→lgwan: no HTML or script left")
check("hxxps://evil[.]example[.]com/pay" in b and "https://" not in b, "internet→lgwan: link defanged")
check("請求書.pdf" in b and "application/pdf" in b and
      hashlib.sha256(b"%PDF-1.4\n%invoice\n").hexdigest() in b, "internet→lgwan: attachment listed")

for n, name, sent in ((2, "internet→internet", "html-attach"), (3, "lgwan→lgwan", "with-pdf")):
    raw, m, rcpts = load(n)
    check("X-Mamori-Sanitized" not in m, f"{name}: not sanitized")
    check(after_received(raw) == crlf(open(f"{corpus}/{sent}.eml", "rb").read()),
          f"{name}: delivered byte for byte as sent")

raw, m, b, rcpts = sanitized(4, "lgwan→internet", "docm-macro")
check("請求書.docm" in b and "マクロ付きです。" in b, "lgwan→internet: macro document removed and listed")

raw, m, b, rcpts = sanitized(5, "mixed", "zip")
check(sorted(rcpts) == ["partner@example.org", "soumu@city.example.lgwan.jp"], "mixed: both recipients, one message")
check("files.zip" in b, "mixed: zip listed")
check(stat.S_IMODE(os.stat(q).st_mode) == 0o700, "quarantine directory 0700")
for x in bad:
    print("  " + x, file=sys.stderr)
sys.exit(1 if bad else 0)
PY

# 6. too large for sanitization: refused with the documented reply, whether the
# client declares SIZE (refused at RCPT) or not (refused at the end of DATA) ...
/usr/bin/python3 -c "import sys; sys.stdout.buffer.write(open(sys.argv[1], 'rb').read() + b'X' * 100000 + b'\n')" \
	"$C/zip.eml" >"$C/big.eml"
send big-size "$P_INTERNET" sender@example.com soumu@city.example.lgwan.jp <"$C/big.eml" &&
	not_ok "oversized mail (SIZE) was accepted" || ok
expect_grep "$TMP/big-size.reply" "^552 5.3.4 message too large for sanitization: the limit at the LGWAN boundary is 65536 bytes" "oversized (SIZE): 552 5.3.4"
send big-nosize --no-size "$P_INTERNET" sender@example.com soumu@city.example.lgwan.jp <"$C/big.eml" &&
	not_ok "oversized mail (no SIZE) was accepted" || ok
expect_grep "$TMP/big-nosize.reply" "^552 5.3.4 message too large for sanitization: the limit at the LGWAN boundary is 65536 bytes" "oversized (no SIZE): 552 5.3.4"
# ... while the same mail within one side needs no sanitization and no limit
send big-internet --no-size "$P_INTERNET" sender@example.com partner@example.org <"$C/big.eml" && ok ||
	not_ok "oversized mail within the internet side refused: $(cat "$TMP/big-internet.reply")"
delivered 6 && ok || not_ok "oversized mail within one side delivered"

# 7. no flow into マイナンバー利用事務系: that recipient is refused, the other gets the mail
send deny "$P_INTERNET" sender@example.com juki@kikan.city.example.lgwan.jp <"$C/jis-plain.eml" &&
	not_ok "mail into mynumber accepted" || ok
expect_grep "$TMP/deny.reply" "^550 5.7.1 policy gateway-test allows no mail from segment internet to segment mynumber" "no flow: 550 5.7.1"

# 8. local submission (non_smtpd_milters): the MTA names no side, so it is sanitized (fail closed)
printf 'From: batch@city.example.lgwan.jp\nTo: partner@example.org\nSubject: local\n\n<b>hello</b>\n' |
	sendmail -C "$PF" -f batch@city.example.lgwan.jp partner@example.org && ok || not_ok "sendmail"
delivered 7 && ok || not_ok "local submission delivered"
grep -q '^X-Mamori-Sanitized:' "$SINK/7.eml" && ok || not_ok "local submission with no known side: sanitized"
expect_grep "$TMP/milter.log" "from-segment=? to-segment=internet rcpts=1+0 action=sanitized" "log: unknown side sanitized"
expect_grep "$TMP/milter.log" "from-segment=internet to-segment=lgwan rcpts=1+0 action=sanitized" "log: one line per sanitized message"
expect_grep "$TMP/milter.log" "from-segment=lgwan rcpts=1 action=pass" "log: passed message"

# 9. eight messages at once, each in its own milter thread: every one sanitized
# from its own original (the SHA-256 in its header is that of the message sent)
par=(jis-plain html-only alternative with-pdf docm-macro nested-rfc822 lying-charset html-attach)
pids=()
for i in "${!par[@]}"; do
	send "par$i" "$P_INTERNET" sender@example.com "p$i@city.example.lgwan.jp" <"$C/${par[$i]}.eml" &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || not_ok "concurrent send $p"; done
delivered 15 && ok || not_ok "eight concurrent messages delivered"
/usr/bin/python3 - "$SINK" "$C" "${par[@]}" <<'PY' && ok || not_ok "concurrent messages each sanitized from its own original"
import email, email.policy, hashlib, re, sys
sink, corpus, names = sys.argv[1], sys.argv[2], sys.argv[3:]
bad = []
for n in range(8, 16):
    rcpt = open(f"{sink}/{n}.rcpt").read().split()
    i = int(re.match(r"p(\d+)@", rcpt[0]).group(1))
    m = email.message_from_bytes(open(f"{sink}/{n}.eml", "rb").read(), policy=email.policy.default)
    sent = open(f"{corpus}/{names[i]}.eml", "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    sent += b"" if sent.endswith(b"\r\n") else b"\r\n"	# SMTP ends the last line
    want = hashlib.sha256(sent).hexdigest()
    if want not in str(m["X-Mamori-Sanitized"]).replace("\n", "").replace(" ", "") or m.is_multipart():
        bad.append(f"{n}.eml ({names[i]})")
print(*bad, file=sys.stderr)
sys.exit(1 if bad else 0)
PY

# 10. the audit trail: one event per final verdict on mail that crossed segments, each
# with its details, none for mail that stayed on one side; the trail verifies
"$MAMORI" log show --json --db "$DB" >"$TMP/events.json"
/usr/bin/python3 - "$TMP/events.json" "$SINK" <<'PY' && ok || not_ok "verdicts in the audit trail"
import email, email.policy, json, re, sys
events = [json.loads(l) for l in open(sys.argv[1])]
mail = [e for e in events if e["action"].startswith("mail.")]
san = [e["body"]["after"] for e in mail if e["action"] == "mail.sanitize"]
rej = [e["body"]["after"] for e in mail if e["action"] == "mail.reject"]
bad = []
def check(cond, what):
    if not cond:
        bad.append(what)
check(all(e["actor"] == "milter" and e["object_type"] == "mail" for e in mail), "actor milter, object mail")
ok_san = [a for a in san if a["verdict"] == "sanitized"]
# messages 1, 4, 5, 7 and the eight concurrent ones were sanitized
check(len(ok_san) == 12, f"{len(ok_san)} sanitized verdicts, expected 12")
shas = set()
for n in (1, 4, 5, 7) + tuple(range(8, 16)):
    m = email.message_from_bytes(open(f"{sys.argv[2]}/{n}.eml", "rb").read(), policy=email.policy.default)
    h = re.search(r"original-sha256=([0-9a-f]{64})", str(m["X-Mamori-Sanitized"]).replace("\n", "").replace(" ", ""))
    shas.add(h.group(1) if h else None)
check(shas == {a["sha256"] for a in ok_san}, "each sanitized verdict names its original's SHA-256")
check(all(e["object_id"] == e["body"]["after"]["sha256"] for e in mail
          if e["action"] == "mail.sanitize" and e["body"]["after"]["verdict"] == "sanitized"), "object: the original")
first = next((a for a in ok_san if a.get("from_segment") == "internet" and a.get("to_segment") == "lgwan"), None)
check(first is not None and first["clause"].startswith("gateway-test 基本方針") and first["queue_id"]
      and first["recipients_sanitized"] == 1 and first["size"] > 0, f"details of a verdict: {first}")
check(any(a["recipients_sanitized"] == 1 and a["recipients_passed"] == 0 and a.get("from_segment") is None
          for a in ok_san), "the local submission: no sending segment")
big = [a for a in san if a["verdict"] == "rejected"]
check(len(big) == 1 and big[0]["reason"] == "over 65536 bytes", f"the oversized message without SIZE: {big}")
check(sorted(a["recipient"] for a in rej) == ["juki@kikan.city.example.lgwan.jp", "soumu@city.example.lgwan.jp"],
      f"refused recipients: {[a['recipient'] for a in rej]}")
check(any("SIZE=" in a["reason"] for a in rej) and any("allows no mail from segment internet to segment mynumber"
      in a["reason"] for a in rej), "refusals give their reasons")
check(len(mail) == 12 + 1 + 2, f"{len(mail)} mail events: nothing for mail that stayed on one side")
for x in bad:
    print("  " + x, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
expect_exit 0 "the trail verifies" -- "$MAMORI" log verify --db "$DB"

# 11. a verdict that cannot be recorded is not given: while another process holds the
# store's write lock (past the 5 s the store waits), the mail is deferred, not delivered
/usr/bin/python3 -c '
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
time.sleep(9)
c.execute("ROLLBACK")' "$DB" "$TMP/locked" &
lock_pid=$!
for _ in $(seq 50); do [ -e "$TMP/locked" ] && break; sleep 0.1; done
send unrecorded "$P_INTERNET" sender@example.com soumu@city.example.lgwan.jp <"$C/jis-plain.eml" &&
	not_ok "mail accepted while its verdict could not be recorded" || ok
expect_grep "$TMP/unrecorded.reply" "^451 4.3.0 mamori milter: the verdict cannot be recorded in the audit trail" "unrecordable verdict: 451 (tempfail)"
expect_grep "$TMP/milter.log" "cannot be recorded in the audit trail" "unrecordable verdict logged"
wait "$lock_pid"
[ ! -e "$SINK/16.eml" ] && ok || not_ok "a message was delivered without its verdict recorded"

# 12. SIGTERM: the milter stops by itself; Postfix then defers (milter_default_action = tempfail)
kill -TERM "$milter_pid"
stopped=
for _ in $(seq 300); do kill -0 "$milter_pid" 2>/dev/null || { stopped=1; break; }; sleep 0.1; done
if [ -n "$stopped" ]; then
	wait "$milter_pid"
	rc=$?
	[ "$rc" -eq 0 ] && ok || not_ok "milter exit status $rc after SIGTERM"
	milter_pid=
	# the operator's log: the verdicts in summary (docs/service.md, "Logging")
	expect_grep "$TMP/milter.log" "milter: stopped: [1-9][0-9]* verdicts ([1-9][0-9]* sanitized, [1-9][0-9]* rejected" "verdicts in summary at the stop"
else
	not_ok "milter still running 30 s after SIGTERM"
fi
expect_grep "$TMP/milter.log" "stopped (0 message(s) still in flight)" "graceful stop logged"
send down "$P_INTERNET" sender@example.com soumu@city.example.lgwan.jp <"$C/html-attach.eml" &&
	not_ok "mail accepted with the milter down" || ok
expect_grep "$TMP/down.reply" "^451 4.7.1" "milter down: 451 (tempfail), never delivered unsanitized"
sleep 1
[ ! -e "$SINK/16.eml" ] && ok || not_ok "a message was delivered with the milter down"
expect_exit 0 "the trail verifies after all that" -- "$MAMORI" log verify --db "$DB"

if [ "$fail" -ne 0 ]; then
	echo "--- milter log" >&2; cat "$TMP/milter.log" >&2
	echo "--- postfix log" >&2; tail -30 "$PF/maillog" >&2
fi
finish
