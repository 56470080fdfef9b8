#!/usr/bin/env bash
# `mamori serve` without --web: the installed UI, else ./web of a source tree,
# else the API alone with a message saying how to give the UI's directory.
. "$(dirname "$0")/lib.sh"

port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# serve_in DIR PORT: starts the server in DIR without --web; sets $pid
serve_in() {
	(cd "$1" && exec "$MAMORI" serve --policy "$SRCDIR/tests/decide/fixture.yaml" --listen "127.0.0.1:$2") \
		>"$TMP/serve.out" 2>"$TMP/serve.err" &
	pid=$!
	for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$2/api/health" && return; sleep 0.1; done
}
code() { curl -s -o "$TMP/body" -w '%{http_code}' "$@"; }

# a directory with a web/ of its own, as a source tree has: its index is served
mkdir -p "$TMP/tree/web"
echo '<!DOCTYPE html><title>tree-ui</title>' >"$TMP/tree/web/index.html"
p=$(port)
serve_in "$TMP/tree" "$p"
[ "$(code "http://127.0.0.1:$p/")" = 200 ] && ok || not_ok "./web served without --web"
expect_grep "$TMP/body" 'tree-ui' "the index of ./web"
kill "$pid"; wait "$pid" 2>/dev/null

# nowhere to find a UI (unless one is installed): the API works, / says why
mkdir -p "$TMP/empty"
p=$(port)
serve_in "$TMP/empty" "$p"
[ "$(code "http://127.0.0.1:$p/api/health")" = 200 ] && ok || not_ok "API without a UI"
installed=$(sed -n 's/.*neither \(.*\) nor .*/\1/p' "$TMP/serve.err")
if [ -n "$installed" ]; then
	expect_grep "$TMP/serve.err" 'give the UI.s directory with --web DIR' "the message says what to do"
	[ "$(code "http://127.0.0.1:$p/")" = 404 ] && ok || not_ok "/ without a UI is a 404"
	expect_grep "$TMP/body" 'no web UI' "the 404 says why"
else	# a UI is installed on this machine: it is the one served
	[ "$(code "http://127.0.0.1:$p/")" = 200 ] && ok || not_ok "installed UI served"
fi
kill "$pid"; wait "$pid" 2>/dev/null
finish
