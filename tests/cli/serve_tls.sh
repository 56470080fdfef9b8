#!/usr/bin/env bash
# HTTPS, and a renewed certificate put in force by SIGHUP (docs/service.md,
# "Readiness and reload"): new handshakes present the new certificate, a
# connection opened before the reload goes on with its own, and a broken
# renewal leaves the certificate in force.
. "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || { echo "SKIPPED: openssl missing"; exit 77; }
cert() { openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=$1" \
	-keyout "$TMP/$1.key" -out "$TMP/$1.crt" 2>/dev/null; }
cert mamori-a && cert mamori-b && ok || not_ok "certificates"
cp "$TMP/mamori-a.crt" "$TMP/tls.crt"; cp "$TMP/mamori-a.key" "$TMP/tls.key"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$MAMORI" serve --policy "$SRCDIR/tests/decide/fixture.yaml" --listen "127.0.0.1:$port" \
	--tls-cert "$TMP/tls.crt" --tls-key "$TMP/tls.key" >"$TMP/serve.out" 2>"$TMP/serve.err" &
pid=$!
for _ in $(seq 100); do curl -sk -o /dev/null "https://127.0.0.1:$port/api/health" && break; sleep 0.1; done
subject() { curl -sk -v -o /dev/null "https://127.0.0.1:$port/api/health" 2>&1 | sed -n 's/.*subject: *//p'; }
[ "$(subject)" = "CN=mamori-a" ] && ok || not_ok "HTTPS with the first certificate: $(subject)"

# a connection opened before the reload, used after it
/usr/bin/python3 - "$port" "$TMP" <<'PY' >"$TMP/keep.out" 2>&1 &
import http.client, ssl, sys, time, os
ctx = ssl._create_unverified_context()
c = http.client.HTTPSConnection("127.0.0.1", int(sys.argv[1]), context=ctx, timeout=20)
c.request("GET", "/api/health"); r = c.getresponse(); r.read()
print("before", r.status, flush=True)
open(os.path.join(sys.argv[2], "opened"), "w").close()
for _ in range(100):
    if os.path.exists(os.path.join(sys.argv[2], "reloaded")): break
    time.sleep(0.1)
c.request("GET", "/api/health"); r = c.getresponse(); r.read()
print("after", r.status, flush=True)
PY
kpid=$!
for _ in $(seq 100); do [ -e "$TMP/opened" ] && break; sleep 0.1; done
cp "$TMP/mamori-b.crt" "$TMP/tls.crt"; cp "$TMP/mamori-b.key" "$TMP/tls.key"
kill -HUP "$pid"
for _ in $(seq 50); do grep -q "TLS certificate .* read again" "$TMP/serve.err" && break; sleep 0.1; done
touch "$TMP/reloaded"
wait "$kpid"
expect_grep "$TMP/keep.out" "after 200" "the connection opened before the reload goes on"
[ "$(subject)" = "CN=mamori-b" ] && ok || not_ok "new handshakes present the renewed certificate: $(subject)"

# a broken renewal: the certificate in force stays
printf 'not a certificate\n' >"$TMP/tls.crt"
kill -HUP "$pid"
for _ in $(seq 50); do grep -q "the certificate in force stays" "$TMP/serve.err" && break; sleep 0.1; done
expect_grep "$TMP/serve.err" "the certificate in force stays" "a broken renewal is said"
[ "$(subject)" = "CN=mamori-b" ] && ok || not_ok "and the certificate in force stays: $(subject)"
kill -TERM "$pid"; wait "$pid" && ok || not_ok "stops"
finish
