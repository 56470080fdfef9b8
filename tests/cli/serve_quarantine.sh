#!/usr/bin/env bash
# 隔離 over HTTP: who sees the originals, a request by a 職員, the release by
# a second person (the requester is refused), the download by the requester
# only, and a server started without a quarantine saying so.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/q.db" MAMORI_ACTOR=test:admin
Q="$TMP/quarantine"
"$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml" >/dev/null && ok || not_ok "init"
"$MAMORI" user add tanaka --role staff --department 税務課 --password-stdin <<<'pw-tanaka' >/dev/null
"$MAMORI" user add kanri --role security-manager --department 税務課 --password-stdin <<<'pw-kanri' >/dev/null
"$MAMORI" sanitize mail --quarantine "$Q" --policy "$SRCDIR/policies/mic-standard.yaml" \
	<"$SRCDIR/examples/mail-html.eml" >/dev/null && ok || not_ok "sanitize into the quarantine"
id=$(ls "$Q" | sed -n 's/\.eml$//p' | head -1)

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
B="http://127.0.0.1:$port"
"$MAMORI" serve --listen "127.0.0.1:$port" --quarantine "$Q" >"$TMP/serve.out" 2>"$TMP/serve.err" &
pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "$B/api/health" && break; sleep 0.1; done

c() { local jar=$1; shift; curl -s -b "$TMP/$jar" -c "$TMP/$jar" -o "$TMP/body" -w '%{http_code}' "$@"; }
csrf() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf"])' "$TMP/body"; }
c t -X POST -d '{"username":"tanaka","password":"pw-tanaka"}' "$B/api/login" >/dev/null; tc=$(csrf)
c k -X POST -d '{"username":"kanri","password":"pw-kanri"}' "$B/api/login" >/dev/null; kc=$(csrf)

[ "$(c t "$B/api/quarantine")" = 403 ] && ok || not_ok "a 職員 does not see everyone's mail"
c t "$B/api/me" >/dev/null
expect_grep "$TMP/body" '"quarantine_read":false,"quarantine_release":false,"quarantine_request":true' "/api/me says so"
c k "$B/api/me" >/dev/null
expect_grep "$TMP/body" '"quarantine_read":true,"quarantine_release":true' "the manager may see and approve"
[ "$(c k "$B/api/quarantine")" = 200 ] && ok || not_ok "the manager lists the originals"
expect_grep "$TMP/body" "\"id\":\"$id\"" "the original is listed"
expect_grep "$TMP/body" '"state":"held"' "held, nothing asked yet"
c k "$B/api/stats" >/dev/null
expect_grep "$TMP/body" '"quarantine":{"held":1,"requested":0,"released":0}' "ホーム counts the held original"
c t "$B/api/stats" >/dev/null
expect_grep "$TMP/body" '"quarantine":null' "but not for a 職員"
[ "$(c t -X POST -H "X-CSRF-Token: $tc" -d '{}' "$B/api/quarantine/$id/request")" = 400 ] && ok || not_ok "a request needs its reason"
[ "$(c t -X POST -H "X-CSRF-Token: $tc" -d '{"reason":"原本の書式が必要"}' "$B/api/quarantine/${id:0:12}/request")" = 201 ] && ok || not_ok "the 職員 asks, by the id's first digits"
[ "$(c t -X POST -H "X-CSRF-Token: $tc" "$B/api/quarantine/$id/release")" = 403 ] && ok || not_ok "the requester cannot release (二人制)"
[ "$(c t "$B/api/quarantine/$id/original")" = 403 ] && ok || not_ok "nothing to download before the release"
[ "$(c k "$B/api/quarantine/$id")" = 200 ] && ok || not_ok "the manager reads the original's details"
expect_grep "$TMP/body" '"state":"requested"' "requested"
expect_grep "$TMP/body" '"request_reason":"原本の書式が必要"' "with the reason"
expect_grep "$TMP/body" '"action":"quarantine.request"' "and its history"
c k "$B/api/stats" >/dev/null
expect_grep "$TMP/body" '"quarantine":{"held":0,"requested":1,"released":0}' "ホーム counts the request"
[ "$(c k -X POST -H "X-CSRF-Token: $kc" "$B/api/quarantine/$id/release")" = 200 ] && ok || not_ok "a second person releases"
[ "$(c k -X POST -H "X-CSRF-Token: $kc" "$B/api/quarantine/$id/release")" = 409 ] && ok || not_ok "no open request any more"
[ "$(c k "$B/api/quarantine/$id/original")" = 403 ] && ok || not_ok "the approver does not download it"
[ "$(c t "$B/api/quarantine/$id/original")" = 200 ] && ok || not_ok "the requester downloads it"
cmp -s "$TMP/body" "$SRCDIR/examples/mail-html.eml" && ok || not_ok "byte for byte what arrived"
c k "$B/api/stats" >/dev/null
expect_grep "$TMP/body" '"quarantine":{"held":0,"requested":0,"released":1}' "ホーム counts the release"
[ "$(c k "$B/api/quarantine/0000000000000000")" = 404 ] && ok || not_ok "unknown id"
kill -TERM "$pid"; wait "$pid"

"$MAMORI" serve --listen "127.0.0.1:$port" >"$TMP/serve2.out" 2>"$TMP/serve2.err" &
pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "$B/api/health" && break; sleep 0.1; done
c k -X POST -d '{"username":"kanri","password":"pw-kanri"}' "$B/api/login" >/dev/null
[ "$(c k "$B/api/quarantine")" = 404 ] && ok || not_ok "without a quarantine: 404"
expect_grep "$TMP/body" 'start it with --quarantine DIR' "404 says how"
kill -TERM "$pid"; wait "$pid"
"$MAMORI" log verify >/dev/null && ok || not_ok "the trail verifies"
finish
