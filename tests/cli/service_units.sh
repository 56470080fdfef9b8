#!/usr/bin/env bash
# The systemd units (systemd/, docs/service.md) without booting systemd:
# `systemd-analyze verify` finds nothing to say; each service's hardening is
# there and `systemd-analyze security` scores it at most 2.5; the packaged
# mamori.conf is accepted; and each unit's ExecStart lines run directly (the
# installed paths replaced by the build's) do what the unit is for.
. "$(dirname "$0")/lib.sh"

if ! command -v systemd-analyze >/dev/null; then
	echo "SKIPPED: systemd-analyze is missing (apt-get install systemd)"; exit 77
fi
units="mamori.service mamori-milter.service mamori-tick.service mamori-tick.timer mamori-backup.service mamori-backup.timer"
mkdir -p "$TMP/units"
for u in $units; do
	sed "s|/usr/bin/mamori|$MAMORI|g" "$SRCDIR/systemd/$u" >"$TMP/units/$u"
done
(cd "$TMP/units" && systemd-analyze verify --man=no $units) >"$TMP/verify.out" 2>&1 && ok || not_ok "verify exits 0"
[ ! -s "$TMP/verify.out" ] && ok || { not_ok "verify has something to say"; cat "$TMP/verify.out" >&2; }
# the check can fail: an unknown key is reported
sed 's/^PrivateTmp=yes/PrivateTmp=yes\nProtectEverything=yes/' "$TMP/units/mamori.service" >"$TMP/units/bad.service"
(cd "$TMP/units" && systemd-analyze verify --man=no bad.service) >"$TMP/verify.out" 2>&1
grep -q "Unknown key" "$TMP/verify.out" && ok || not_ok "verify reports an unknown key"
rm "$TMP/units/bad.service"

for u in mamori.service mamori-milter.service mamori-tick.service mamori-backup.service; do
	for key in NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
	    ReadWritePaths=/var/lib/mamori SystemCallFilter=@system-service 'CapabilityBoundingSet=$' \
	    RestrictAddressFamilies=AF_UNIX User=_mamori; do
		grep -q "^$key" "$SRCDIR/systemd/$u" && ok || not_ok "$u: $key"
	done
	score=$(cd "$TMP/units" && systemd-analyze security --offline=true "./$u" 2>/dev/null |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	echo "$u: exposure $score"
	[ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.5) }' && ok || not_ok "$u: exposure '$score' > 2.5"
done

# the packaged configuration file is accepted as it is
expect_exit 0 "the packaged mamori.conf" -- "$MAMORI" config show --config "$SRCDIR/systemd/mamori.conf"
expect_grep "$TMP/out" "^store = /var/lib/mamori/mamori.db" "its store"

# the services started as their units start them, against a store of the test's
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed -e "s|/var/lib/mamori|$TMP/lib|g" -e "s|/run/mamori|$TMP/run|g" -e "s|127.0.0.1:8080|127.0.0.1:$port|" \
	"$SRCDIR/systemd/mamori.conf" >"$TMP/mamori.conf"
mkdir -p "$TMP/lib" "$TMP/run"
export MAMORI_CONFIG="$TMP/mamori.conf" MAMORI_ACTOR=cli:admin
expect_exit 0 "init the configured store" -- "$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml"
execstart() { sed -n "s|^ExecStart=||p" "$TMP/units/$1" | sed "s|/etc/mamori/mamori.conf|$TMP/mamori.conf|g"; }
( umask 0077; exec $(execstart mamori.service) ) >"$TMP/serve.out" 2>"$TMP/serve.err" &
pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/api/health" && break; sleep 0.1; done
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/health")" = 200 ] && ok || not_ok "mamori.service's ExecStart serves"
kill -HUP "$pid"	# ExecReload
for _ in $(seq 50); do grep -q reloaded "$TMP/serve.err" && break; sleep 0.1; done
expect_grep "$TMP/serve.err" "reloaded" "ExecReload (SIGHUP) reloads"
kill -TERM "$pid"; wait "$pid" && ok || not_ok "serve stops on SIGTERM"

# Type=notify: the milter says READY=1 once its socket listens, STOPPING=1 on its way out
listen_notify "$TMP/notify.sock" "$TMP/notify.log"
( umask 0007; NOTIFY_SOCKET="$TMP/notify.sock" exec $(execstart mamori-milter.service) ) >"$TMP/milter.out" 2>"$TMP/milter.err" &
pid=$!
for _ in $(seq 100); do grep -q READY=1 "$TMP/notify.log" && break; sleep 0.1; done
[ -S "$TMP/run/milter.sock" ] && ok || { not_ok "mamori-milter.service's ExecStart makes the socket"; cat "$TMP/milter.err" >&2; }
expect_grep "$TMP/notify.log" "READY=1" "the milter tells systemd it is ready (Type=notify)"
[ "$(stat -c %a "$TMP/run/milter.sock" 2>/dev/null)" = 770 ] && ok || not_ok "the socket is the group's (for postfix)"
kill -TERM "$pid"; wait "$pid"
for _ in $(seq 50); do grep -q STOPPING=1 "$TMP/notify.log" && break; sleep 0.1; done
expect_grep "$TMP/notify.log" "STOPPING=1" "and that it stops"
kill "$npid" 2>/dev/null; wait "$npid" 2>/dev/null

while read -r cmd; do
	$cmd >"$TMP/tick.out" 2>"$TMP/tick.err" && ok || { not_ok "mamori-tick.service: $cmd"; cat "$TMP/tick.err" >&2; }
done < <(execstart mamori-tick.service)
while read -r cmd; do
	$cmd >"$TMP/backup.out" 2>"$TMP/backup.err" && ok || { not_ok "mamori-backup.service: $cmd"; cat "$TMP/backup.err" >&2; }
done < <(execstart mamori-backup.service)
ls "$TMP/lib/backup"/mamori-*.tar >/dev/null 2>&1 && ok || not_ok "the backup in backup.dir"
finish
