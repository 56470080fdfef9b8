#!/usr/bin/env bash
# `mamori milter` without an MTA: its arguments, and the per-recipient routing
# (--route) that the milter applies, for each rule of mamori_milter_route.
. "$(dirname "$0")/lib.sh"

P="$SRCDIR/policies/mic-standard.yaml"
expect_exit 2 "no policy" -- "$MAMORI" milter --socket inet:1@127.0.0.1
expect_grep "$TMP/err" "policy FILE is required" "no policy: says what is missing"
expect_exit 2 "--db and --policy" -- "$MAMORI" milter --db "$TMP/m.db" --policy "$P" --route a@b.jp
expect_grep "$TMP/err" "give --db PATH or --policy FILE, not both" "--db and --policy: one of them"
expect_exit 3 "--db: no store" -- "$MAMORI" milter --db "$TMP/none.db" --route a@b.jp
expect_grep "$TMP/err" "mamori init" "--db: no store says what to do"
"$MAMORI" init --policy "$P" --db "$TMP/m.db" >/dev/null
expect_exit 0 "--db: the store's policy routes" -- "$MAMORI" milter --db "$TMP/m.db" --from-segment internet --route soumu@city.example.lgwan.jp
expect_grep "$TMP/out" "internet -> lgwan	sanitize" "--db: routes by the store's policy"
MAMORI_DB="$TMP/m.db" expect_exit 0 "MAMORI_DB names the store" -- "$MAMORI" milter --from-segment internet --route partner@example.org
expect_exit 2 "no socket" -- "$MAMORI" milter --policy "$P"
expect_grep "$TMP/err" "socket is required" "no socket: says what is missing"
expect_exit 2 "bad socket" -- "$MAMORI" milter --policy "$P" --socket 127.0.0.1:25
expect_grep "$TMP/err" "write unix:/path or inet:PORT@127.0.0.1" "bad socket: says the form"
expect_exit 2 "unknown segment" -- "$MAMORI" milter --policy "$P" --from-segment dmz --route a@b.jp
expect_grep "$TMP/err" "'dmz' is not a segment of policy mic-standard" "unknown segment named"
expect_exit 2 "bad size" -- "$MAMORI" milter --policy "$P" --socket unix:/x --max-size 10X
expect_exit 2 "route without recipient" -- "$MAMORI" milter --policy "$P" --route
expect_exit 0 "help" -- "$MAMORI" milter --help
expect_grep "$TMP/out" "usage: mamori milter --socket" "help text"
expect_exit 3 "socket in a missing directory" -- "$MAMORI" milter --policy "$P" --socket "unix:$TMP/no/such/dir/sock"
expect_grep "$TMP/err" "cannot listen on unix:$TMP/no/such/dir/sock" "socket error says where"

# a Unix socket: listening, then SIGTERM stops it cleanly and removes the socket
"$MAMORI" milter --socket "unix:$TMP/milter.sock" --policy "$P" --from-segment internet 2>"$TMP/log" &
pid=$!
for _ in $(seq 50); do [ -S "$TMP/milter.sock" ] && break; sleep 0.1; done
[ -S "$TMP/milter.sock" ] && ok || not_ok "unix socket created"
start=$(date +%s%N)
kill -TERM "$pid"
wait "$pid" && ok || not_ok "exit status after SIGTERM"
# libmilter alone noticed a stop at its next 5-second poll; the milter wakes it at once
ms=$((($(date +%s%N) - start) / 1000000))
[ "$ms" -lt 2000 ] && ok || not_ok "SIGTERM took $ms ms to stop the milter (under 2 s expected)"
[ ! -e "$TMP/milter.sock" ] && ok || not_ok "unix socket removed on exit"
expect_grep "$TMP/log" "listening on unix:$TMP/milter.sock, policy mic-standard, from-segment internet" "log: listening"
expect_grep "$TMP/log" "SIGTERM: stopping" "log: the signal"
expect_grep "$TMP/log" "verdicts in this log only (no --db)" "log: verdicts not recorded without a store"
expect_grep "$TMP/log" "stopped (0 message(s) still in flight)" "log: stopped"
expect_grep "$TMP/log" "milter: stopped: 0 verdicts (0 sanitized, 0 rejected, 0 other)" "log: the verdicts in summary"

# a stop sent the moment the socket appears, while libmilter is still starting,
# is a clean stop too (libmilter alone reported it as a failure, 1 time in 25)
bad=0
for sig in TERM HUP INT TERM HUP INT TERM HUP INT TERM HUP INT; do
	"$MAMORI" milter --socket "unix:$TMP/quick.sock" --policy "$P" 2>"$TMP/quick.log" &
	pid=$!
	for _ in $(seq 500); do [ -S "$TMP/quick.sock" ] && break; sleep 0.01; done
	kill -"$sig" "$pid"
	wait "$pid" && [ ! -e "$TMP/quick.sock" ] || { bad=$((bad + 1)); cat "$TMP/quick.log" >&2; }
done
[ "$bad" = 0 ] && ok || not_ok "$bad of 12 stops at start-up ended with an error"

# one line per recipient: RCPT <TAB> from -> to <TAB> action <TAB> reason
route() { "$MAMORI" milter --policy "$P" "$@" | cut -f1-3; }
cat >"$TMP/want" <<'W'
<soumu@city.example.lgwan.jp>	internet -> lgwan	sanitize
partner@example.org	internet -> internet	pass
X@LGWAN.JP.	internet -> lgwan	sanitize
a@notlgwan.jp	internet -> internet	pass
postmaster	internet -> ?	reject
W
route --from-segment internet --route '<soumu@city.example.lgwan.jp>' partner@example.org X@LGWAN.JP. a@notlgwan.jp postmaster >"$TMP/got" && ok || not_ok "route internet"
diff -u "$TMP/want" "$TMP/got" >&2 && ok || not_ok "routes from the internet"
printf 'a@example.org\tlgwan -> internet\tsanitize\nb@x.lgwan.jp\tlgwan -> lgwan\tpass\n' >"$TMP/want"
route --from-segment lgwan --route a@example.org b@x.lgwan.jp >"$TMP/got"
diff -u "$TMP/want" "$TMP/got" >&2 && ok || not_ok "routes from LGWAN"
# the sending side unknown: fail closed
printf 'a@example.org\t? -> internet\tsanitize\n' >"$TMP/want"
route --route a@example.org >"$TMP/got"
diff -u "$TMP/want" "$TMP/got" >&2 && ok || not_ok "unknown side sanitized"
# マイナンバー利用事務系 has no flows: default deny
printf 'a@lgwan.jp\tmynumber -> lgwan\treject\n' >"$TMP/want"
route --from-segment mynumber --route a@lgwan.jp >"$TMP/got"
diff -u "$TMP/want" "$TMP/got" >&2 && ok || not_ok "no flow: rejected"
expect_exit 0 "route reason" -- "$MAMORI" milter --policy "$P" --from-segment internet --route a@lgwan.jp
expect_grep "$TMP/out" "flow internet -> lgwan requires mail-text; 基本方針 2(12), 6(3)②" "route cites the flow's clause"

# flows with none, screen-only, file-disarm; a policy without "*"
cp "$P" "$TMP/mic-standard.yaml"
cat >"$TMP/t.yaml" <<'Y'
mamori-policy: 1
id: t
title: t
version: "1"
extends: mic-standard
segments:
  - { id: internet, title: インターネット接続系, clause: c, mail_domains: [example.org] }
  - { id: mynumber, title: マイナンバー利用事務系, clause: c, mail_domains: [kikan.lgwan.jp] }
flows:
  - { from: lgwan, to: internet, channel: mail, sanitization: none, clause: c }
  - { from: internet, to: lgwan, channel: mail, sanitization: screen-only, clause: c }
  - { from: lgwan, to: mynumber, channel: mail, sanitization: file-disarm, clause: c, ports: [25] }
Y
"$MAMORI" milter --policy "$TMP/t.yaml" --from-segment lgwan --route a@example.org a@kikan.lgwan.jp a@example.com >"$TMP/got" 2>"$TMP/err" && ok || not_ok "route t"
"$MAMORI" milter --policy "$TMP/t.yaml" --from-segment internet --route a@lgwan.jp >>"$TMP/got" 2>>"$TMP/err" && ok || not_ok "route t 2"
expect_grep "$TMP/got" "^a@example.org	lgwan -> internet	pass	flow lgwan -> internet needs no sanitization" "sanitization none: passes"
expect_grep "$TMP/got" "^a@kikan.lgwan.jp	lgwan -> mynumber	sanitize	flow lgwan -> mynumber requires file-disarm" "file-disarm: text-ified"
expect_grep "$TMP/got" "^a@example.com	lgwan -> ?	reject	recipient domain 'example.com' is in no segment" "no \"*\": unknown domain refused"
expect_grep "$TMP/got" "^a@lgwan.jp	internet -> lgwan	reject	policy t requires screen-only" "screen-only: refused"
finish
