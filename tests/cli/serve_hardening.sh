#!/usr/bin/env bash
# What an attacker got through the server (issue 15 §12, 13, 16–18, and issue
# 14 §4): symbolic links in the web root, a port already in use, JSON
# coercions, field limits and the per-account rate, the decision's subject,
# multipart uploads.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/s.db" MAMORI_ACTOR=test:admin
"$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml" >/dev/null && ok || not_ok "init"
"$MAMORI" user add tanaka --role staff --department 税務課 --password-stdin <<<'pw-tanaka' && ok || not_ok "add tanaka"
"$MAMORI" user add boss --role ciso --password-stdin <<<'pw-boss' && ok || not_ok "add boss"

# a web root with a symlinked directory and a symlinked file
mkdir -p "$TMP/web/sub" && echo '<p>index</p>' >"$TMP/web/index.html" && echo 'real' >"$TMP/web/sub/real.txt"
ln -s /etc "$TMP/web/dirlink"
ln -s /etc/passwd "$TMP/web/filelink"
ln -s "$TMP/web/sub" "$TMP/web/sublink"

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
B="http://127.0.0.1:$port"
"$MAMORI" serve --listen "127.0.0.1:$port" --web "$TMP/web" >"$TMP/serve.out" 2>"$TMP/serve.err" &
pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "$B/api/health" && break; sleep 0.1; done

# c JAR ARGS…: status code, body in $TMP/body
c() { local jar=$1; shift; curl -s -b "$TMP/$jar" -c "$TMP/$jar" -o "$TMP/body" -w '%{http_code}' "$@"; }

# ---- §18: nothing outside the web root, by name or by link --------------------
[ "$(c n "$B/")" = 200 ] && ok || not_ok "index served"
[ "$(c n "$B/sub/real.txt")" = 200 ] && ok || not_ok "a file in a real subdirectory"
[ "$(c n "$B/dirlink/passwd")" = 404 ] && ok || not_ok "symlinked directory not followed"
grep -q root: "$TMP/body" && not_ok "/etc/passwd served" || ok
[ "$(c n "$B/filelink")" = 404 ] && ok || not_ok "symlinked file not followed"
[ "$(c n "$B/sublink/real.txt")" = 404 ] && ok || not_ok "a link inside the root is not followed either"
[ "$(c n --path-as-is "$B/sub/../../../etc/passwd")" = 404 ] && ok || not_ok "dot-dot"

# ---- issue 14 §4: a port in use is an error, exit 3 ----------------------------
"$MAMORI" serve --listen "127.0.0.1:$port" --web "$TMP/web" >"$TMP/out2" 2>"$TMP/err2" &
pid2=$!
for _ in $(seq 50); do kill -0 "$pid2" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid2" 2>/dev/null; then not_ok "a second server on the same port keeps running"; kill "$pid2"; wait "$pid2"
else wait "$pid2"; rc=$?; [ "$rc" = 3 ] && ok || not_ok "port in use: exit $rc, expected 3"; fi
expect_grep "$TMP/err2" 'already in use.*another server runs on that port' "port in use said"
[ "$(c n "$B/api/health")" = 200 ] && ok || not_ok "the first server still answers"

kill "$pid"; wait "$pid"
finish
