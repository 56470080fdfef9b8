#!/usr/bin/env bash
# The server's robustness list (issue 6): body and header limits, JSON depth,
# slow clients, UTF-8 in every string a request carries; and the per-thread
# read connections and credential caches: a write is seen by the next read, a
# disabled account or a new token takes effect on the next request.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/s.db" MAMORI_ACTOR=test:admin
"$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml" >/dev/null && ok || not_ok "init"
"$MAMORI" user add tanaka --role staff --department 税務課 --password-stdin <<<'pw-tanaka' && ok || not_ok "add tanaka"
"$MAMORI" user add boss --role ciso --password-stdin <<<'pw-boss' && ok || not_ok "add boss"
wtok=$("$MAMORI" user token boss --scope write)

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
B="http://127.0.0.1:$port"
"$MAMORI" serve --listen "127.0.0.1:$port" --web "$SRCDIR/web" --client-timeout 1 --threads 2 \
	>"$TMP/serve.out" 2>"$TMP/serve.err" &
pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "$B/api/health" && break; sleep 0.1; done

# c JAR ARGS…: status code, body in $TMP/body
c() { local jar=$1; shift; curl -s -b "$TMP/$jar" -c "$TMP/$jar" -o "$TMP/body" -w '%{http_code}' "$@"; }
W=(-H "Authorization: Bearer $wtok")

# ---- limits on size ------------------------------------------------------
head -c 17000000 /dev/zero | tr '\0' ' ' >"$TMP/big"
[ "$(c n -X POST --data-binary "@$TMP/big" "$B/api/login")" = 413 ] && ok || not_ok "body over 16 MiB: 413"
expect_grep "$TMP/body" '"code":"too-large"' "413 shape"
[ "$(c n -X POST -H 'Transfer-Encoding: chunked' --data-binary "@$TMP/big" "$B/api/login")" = 413 ] && ok || not_ok "chunked body over 16 MiB: 413"
long=$(head -c 40000 /dev/zero | tr '\0' a)
st=$(c n -H "X-Long: $long" "$B/api/health")
[ "$st" = 431 ] && ok || not_ok "header over 32 KiB: 431, got $st"
[ "$(c n "$B/api/health")" = 200 ] && ok || not_ok "still serving after the large header"
[ "$(c n -H "X-Long: ${long:0:16000}" "$B/api/health")" = 200 ] && ok || not_ok "a 16 KB header is fine"

# ---- JSON depth ------------------------------------------------------------
deep=$(/usr/bin/python3 -c 'print("{\"username\":" + "[" * 40 + "]" * 40 + ",\"password\":\"x\"}")')
[ "$(c n -X POST -d "$deep" "$B/api/login")" = 400 ] && ok || not_ok "login: JSON 40 deep: 400"
expect_grep "$TMP/body" 'nested deeper than 32' "depth named"
ok32=$(/usr/bin/python3 -c 'print("{\"username\":" + "[" * 30 + "]" * 30 + ",\"password\":\"x\"}")')
[ "$(c n -X POST -d "$ok32" "$B/api/login")" = 400 ] && ok || not_ok "login: JSON 31 deep parses, then a field error"
expect_grep "$TMP/body" '"field":"username"' "31 deep reaches the field check"
/usr/bin/python3 -c 'print("[" * 100000 + "]" * 100000)' >"$TMP/deep"
[ "$(c n -X POST --data-binary "@$TMP/deep" "${W[@]}" "$B/api/assets")" = 400 ] && ok || not_ok "asset add: JSON 100000 deep: 400"
deep=$(/usr/bin/python3 -c 'print("{\"subject\":" + "[" * 50 + "]" * 50 + "}")')
[ "$(c n -X POST -d "$deep" "${W[@]}" "$B/api/decide")" = 400 ] && ok || not_ok "decide: JSON 50 deep: 400"

# ---- UTF-8 ------------------------------------------------------------------
[ "$(c n -X POST --data-binary $'{"username":"\xff","password":"x"}' "$B/api/login")" = 400 ] && ok || not_ok "login body not UTF-8: 400"
expect_grep "$TMP/body" 'not valid UTF-8' "body UTF-8 named"
[ "$(c n "${W[@]}" "$B/api/assets/%FF%FE")" = 400 ] && ok || not_ok "path not UTF-8: 400"
expect_grep "$TMP/body" 'not valid UTF-8' "path UTF-8 named"
[ "$(c n "${W[@]}" "$B/api/assets?q=%C3%28")" = 400 ] && ok || not_ok "query value not UTF-8: 400"
[ "$(c n "${W[@]}" "$B/api/assets?%ED%A0%80=1")" = 400 ] && ok || not_ok "query name not UTF-8 (a surrogate): 400"
[ "$(c n "${W[@]}" "$B/api/assets?q=%E7%A8%8E")" = 200 ] && ok || not_ok "query in UTF-8 Japanese: 200"
[ "$(c n -X POST --data-binary $'{"subject":{"roles":["\xc0\xaf"]},"action":"read","resource":{}}' "${W[@]}" "$B/api/decide")" = 400 ] && ok || not_ok "decide overlong UTF-8: 400"

# ---- slow clients (--client-timeout 1) ---------------------------------------
# slow: SECONDS_BETWEEN_BYTES TOTAL_BYTES [headers] — sends a POST whose body trickles
# (or, with "headers", a GET whose headers trickle); prints how long until the server
# closed the connection, or "open" when all was sent (at most 20 s).
slow() { /usr/bin/python3 - "$port" "$1" "$2" "${3:-body}" <<'PY'
import socket, sys, time
port, gap, n, what = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
s = socket.create_connection(("127.0.0.1", port))
t0 = time.time()
if what == "headers":
    trickle = b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * n
else:
    s.sendall(b"POST /api/decide HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % n)
    trickle = b" " * n
try:
    for b in trickle:
        s.sendall(bytes([b]))
        time.sleep(gap)
        if time.time() - t0 > 20:
            break
        s.setblocking(False)
        try:
            if s.recv(1) == b"":
                raise ConnectionResetError
        except BlockingIOError:
            pass
        s.setblocking(True)
    print("open")
except (ConnectionResetError, BrokenPipeError):
    print("%.1f" % (time.time() - t0))
PY
}
# idle: the request line, then nothing; prints seconds until the server hung up
idle() { /usr/bin/python3 - "$port" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(10)
t0 = time.time()
s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")
try:
    data = s.recv(100)
except socket.timeout:
    data = b"timeout"
print("%.1f %s" % (time.time() - t0, "closed" if data == b"" else data[:20]))
PY
}
r=$(idle)
case "$r" in
	*closed) t=${r%% *}; [ "${t%.*}" -le 3 ] && ok || not_ok "idle client closed after $t s, want ~1 s" ;;
	*) not_ok "idle client not closed: $r" ;;
esac
r=$(slow 0.3 60)
case "$r" in
	open) not_ok "a body trickling for 18 s was never cut off" ;;
	*) [ "${r%.*}" -ge 3 ] && [ "${r%.*}" -le 7 ] && ok || not_ok "trickling body cut after $r s, want ~4-5 s" ;;
esac
# headers that trickle: a byte every 0.3 s never lets the connection go idle; the
# headers' deadline (4 x --client-timeout) must end it as it ends a trickling body
r=$(slow 0.3 60 headers)
case "$r" in
	open) not_ok "headers trickling for 20 s were never cut off" ;;
	*) [ "${r%.*}" -ge 3 ] && [ "${r%.*}" -le 7 ] && ok || not_ok "trickling headers cut after $r s, want ~4-5 s" ;;
esac
[ "$(c n "$B/api/health")" = 200 ] && ok || not_ok "still serving after the slow clients"

# ---- caches and connections ---------------------------------------------------
# a write through the write connection is seen by the very next read, on any thread
for i in $(seq 1 12); do
	body=$(printf '{"id":"A-90%04d","name":"文書%d","kind":"information","department":"zeimu","confidentiality":2,"integrity":1,"availability":1}' "$i" "$i")
	[ "$(c n -X POST -d "$body" "${W[@]}" "$B/api/assets")" = 201 ] || { not_ok "add A-90…$i"; continue; }
	[ "$(c n "${W[@]}" "$B/api/assets/A-90$(printf %04d "$i")")" = 200 ] && ok || not_ok "A-90…$i read right after its write"
done
[ "$(c n "${W[@]}" "$B/api/assets?department=zeimu")" = 200 ] && ok || not_ok "list"
expect_grep "$TMP/body" '"count":12' "list sees every write"
# strings that need escaping come back as the same strings (the list and the asset are written without cJSON)
body='{"id":"A-909999","name":"引用\"と\\と\ttab","kind":"information","department":"zeimu","confidentiality":1,"integrity":1,"availability":1,"location":"棚\u0001"}'
st=$(c n -X POST -d "$body" "${W[@]}" "$B/api/assets")
if [ "$st" = 201 ]; then
	c n "${W[@]}" "$B/api/assets/A-909999" >/dev/null
	/usr/bin/python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); sys.exit(0 if a["name"]=="引用\"と\\と\ttab" and a["location"]=="棚\x01" else 1)' "$TMP/body" && ok || not_ok "escaped strings round-trip (asset)"
	c n "${W[@]}" "$B/api/assets?q=%E5%BC%95%E7%94%A8" >/dev/null
	/usr/bin/python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["assets"]; sys.exit(0 if len(a)==1 and a[0]["name"]=="引用\"と\\と\ttab" else 1)' "$TMP/body" && ok || not_ok "escaped strings round-trip (list)"
else
	expect_grep "$TMP/body" '"code":"invalid"' "control characters refused as invalid, not a crash ($st)"
fi

# a token made while the server runs works at once; one of a disabled user stops at once
rtok=$("$MAMORI" user token tanaka --scope read)
[ "$(c n -H "Authorization: Bearer $rtok" "$B/api/assets")" = 200 ] && ok || not_ok "new token works at once"
for _ in 1 2 3 4; do c n -H "Authorization: Bearer $rtok" "$B/api/me" >/dev/null; done	# warm both threads' caches
[ "$(c t -X POST -d '{"username":"tanaka","password":"pw-tanaka"}' "$B/api/login")" = 200 ] && ok || not_ok "login"
for _ in 1 2 3 4; do c t "$B/api/me" >/dev/null; done
"$MAMORI" user disable tanaka >/dev/null
[ "$(c n -H "Authorization: Bearer $rtok" "$B/api/assets")" = 401 ] && ok || not_ok "disabled user's cached token refused at once"
[ "$(c t "$B/api/me")" = 401 ] && ok || not_ok "disabled user's session refused at once"
expect_grep "$TMP/body" 'disabled' "says why"
"$MAMORI" user enable tanaka >/dev/null
[ "$(c n -H "Authorization: Bearer $rtok" "$B/api/assets")" = 200 ] && ok || not_ok "enabled again: token works"
[ "$(c t "$B/api/me")" = 401 ] && ok || not_ok "the ended session stays ended"
# the data version moves on every commit; many threads, one cache each: 200 reads in a row all answer
n=0; for _ in $(seq 200); do [ "$(c n -H "Authorization: Bearer $rtok" "$B/api/assets/A-900001")" = 200 ] && n=$((n + 1)); done
[ "$n" = 200 ] && ok || not_ok "cached token: $n of 200 reads answered"

kill -TERM "$pid"; wait "$pid"
[ $? -eq 0 ] && ok || not_ok "SIGTERM exit status"
"$MAMORI" log verify >/dev/null && ok || not_ok "trail verifies after the server"
finish
