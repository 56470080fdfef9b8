#!/usr/bin/env bash
# Slow connections (issue 15 §12): 1,000 connections trickling header bytes
# from 20 loopback addresses must not keep /api/health from answering
# (tests/cli/serve_slow.py).
. "$(dirname "$0")/lib.sh"

/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.21",0))' 2>/dev/null || { echo "no 127.0.0.x loopback addresses"; exit 77; }
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$MAMORI" serve --listen "127.0.0.1:$port" --policy "$SRCDIR/policies/mic-standard.yaml" \
	>"$TMP/serve.out" 2>"$TMP/serve.err" &
pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/api/health" && break; sleep 0.1; done

timeout 60 /usr/bin/python3 "$SRCDIR/tests/cli/serve_slow.py" 127.0.0.1 "$port" && ok || not_ok "health did not answer under 1,000 slow connections"
kill -0 "$pid" 2>/dev/null && ok || not_ok "the server is still running"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/health")" = 200 ] && ok || not_ok "health after the attack"
kill "$pid"; wait "$pid"
finish
