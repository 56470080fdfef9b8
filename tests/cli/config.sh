#!/usr/bin/env bash
# The configuration file (docs/service.md, "Configuration"): `config show`
# with where each value came from; every error of a file at once with its
# line; $MAMORI_DB and options over the file; the CLI's store and serve's
# settings from it; the file's mail relay written into the store as an audited
# change; readiness by sd_notify; SIGHUP rereads a policy replaced meanwhile.
. "$(dirname "$0")/lib.sh"

unset MAMORI_DB
export MAMORI_ACTOR=cli:operator
expect_exit 0 "show without a file" -- "$MAMORI" config show
expect_grep "$TMP/out" "^listen = 127.0.0.1:8080.*# default" "the default listen"
expect_exit 0 "keys" -- "$MAMORI" config keys
expect_grep "$TMP/out" "^mail.relay" "keys lists mail.relay"

# every error of a file at once, each with its line
cat >"$TMP/bad.conf" <<'CONF'
# a comment
store = /tmp/x.db
lisen = 127.0.0.1:9
threads = 0
store = /tmp/y.db
no equals sign
CONF
expect_exit 2 "a bad file is refused" -- "$MAMORI" config show --config "$TMP/bad.conf"
expect_grep "$TMP/err" "bad.conf:3:1: error: unknown key 'lisen'; did you mean 'listen'?" "unknown key, line 3"
expect_grep "$TMP/err" "bad.conf:4:11: error: 'threads' is a number from 1 to 256" "bounds, line 4"
expect_grep "$TMP/err" "bad.conf:5:1: error: 'store' is set twice (first on line 2)" "twice, line 5"
expect_grep "$TMP/err" "bad.conf:6:1: error: expected 'key = value'" "no =, line 6"
expect_exit 2 "every command refuses it" -- env MAMORI_CONFIG="$TMP/bad.conf" "$MAMORI" asset list
expect_exit 2 "a named file must exist" -- "$MAMORI" config show --config "$TMP/none.conf"

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$TMP/m.conf" <<CONF
# mamori.conf for the test
store = $TMP/m.db
listen = 127.0.0.1:$port
mail.relay = smtp://127.0.0.1:2525
mail.from = mamori@example.lg.jp
session_idle = 600
CONF
export MAMORI_CONFIG="$TMP/m.conf"
expect_exit 0 "show a file" -- "$MAMORI" config show
expect_grep "$TMP/out" "^store = $TMP/m.db.*# $TMP/m.conf:2" "store from line 2"
expect_grep "$TMP/out" "^session_idle = 600.*m.conf:6" "session_idle from line 6"
expect_exit 0 "json" -- "$MAMORI" config show --json
expect_grep "$TMP/out" '"from":[[:space:]]*"file"' "json says from file"
expect_exit 0 "MAMORI_DB over the file" -- env MAMORI_DB=/tmp/other.db "$MAMORI" config show
expect_grep "$TMP/out" '^store = /tmp/other.db.*# \$MAMORI_DB' "store from the environment"

# the CLI's store is the configured one
expect_exit 0 "init into the configured store" -- "$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml"
[ -f "$TMP/m.db" ] && ok || not_ok "the store made where the file says"

# serve: store and listen from the file; readiness by sd_notify; SIGHUP
listen_notify "$TMP/notify.sock" "$TMP/notify.log"
NOTIFY_SOCKET="$TMP/notify.sock" "$MAMORI" serve >"$TMP/serve.out" 2>"$TMP/serve.err" &
pid=$!
for _ in $(seq 100); do grep -q READY=1 "$TMP/notify.log" && break; sleep 0.1; done
grep -q "READY=1" "$TMP/notify.log" && ok || not_ok "READY=1 by sd_notify"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/health")" = 200 ] && ok || not_ok "serve on the configured port"
expect_grep "$TMP/serve.err" "serve: started on http://127.0.0.1:$port/ .*configuration $TMP/m.conf" "the start in the log"
expect_grep "$TMP/serve.err" "mail.relay set from $TMP/m.conf (audited)" "the file's relay written into the store"
expect_exit 0 "log show" -- "$MAMORI" log show --json
expect_grep "$TMP/out" "\"actor\":\"config:$TMP/m.conf\".*smtp://127.0.0.1:2525" "an audited config.set by the file"
curl -s -o /dev/null -H 'Content-Type: application/json' -d '{"username":"nobody","password":"wrong-password"}' \
	"http://127.0.0.1:$port/api/login"
expect_grep "$TMP/serve.err" "serve: login refused from 127.0.0.1" "a refused login in the operator's log"
expect_exit 0 "replace the policy meanwhile" -- "$MAMORI" policy replace "$SRCDIR/policies/manazuru.yaml"
kill -HUP "$pid"
for _ in $(seq 50); do grep -q "reloaded" "$TMP/serve.err" && break; sleep 0.1; done
expect_grep "$TMP/serve.err" "reloaded (policy manazuru.*replaced)" "SIGHUP rereads the replaced policy"
grep -q "RELOADING=1" "$TMP/notify.log" && ok || not_ok "RELOADING=1 by sd_notify"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/health")" = 200 ] && ok || not_ok "still serving after SIGHUP"
# a file broken meanwhile: SIGHUP says so and the server goes on with what it had
cp "$TMP/m.conf" "$TMP/m.conf.good"
printf 'listen = 127.0.0.1:1\nbogus = 1\n' >>"$TMP/m.conf"
kill -HUP "$pid"
for _ in $(seq 50); do grep -q "keeping the old one" "$TMP/serve.err" && break; sleep 0.1; done
expect_grep "$TMP/serve.err" "m.conf:8:1: error: unknown key 'bogus'" "a broken file at SIGHUP: its errors"
expect_grep "$TMP/serve.err" "the configuration is refused; keeping the old one" "and the old settings kept"
kill -0 "$pid" 2>/dev/null && ok || not_ok "the server survives a broken file at SIGHUP"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/health")" = 200 ] && ok || not_ok "still serving"
cp "$TMP/m.conf.good" "$TMP/m.conf"
kill -TERM "$pid"
wait "$pid" && ok || not_ok "serve stops cleanly"
grep -q "STOPPING=1" "$TMP/notify.log" && ok || not_ok "STOPPING=1 by sd_notify"
kill "$npid" 2>/dev/null
# an option wins over the file
port2=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$MAMORI" serve --listen "127.0.0.1:$port2" >"$TMP/serve2.out" 2>"$TMP/serve2.err" &
pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port2/api/health" && break; sleep 0.1; done
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port2/api/health")" = 200 ] && ok || not_ok "--listen over the file"
kill -TERM "$pid"; wait "$pid"
finish
