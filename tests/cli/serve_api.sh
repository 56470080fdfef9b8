#!/usr/bin/env bash
# The API routes beyond login: replacing the policy, editing, importing and
# exporting assets, administering accounts, reading the audit trail and its
# proofs — each with its error cases, and every mutation and refusal in the
# audit trail with the web actor and client address.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/a.db" MAMORI_ACTOR=test:admin
"$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml" >/dev/null && ok || not_ok "init"
"$MAMORI" asset import "$SRCDIR/examples/assets.csv" >/dev/null && ok || not_ok "import"
add_user() { "$MAMORI" user add "$1" --role "$2" ${3:+--department "$3"} --password-stdin <<<"pw-$1" || not_ok "user $1"; }
add_user admin chief-officer johoseisaku
add_user sysmgr system-manager zeimu
add_user tanaka staff zeimu
add_user sato staff shimin
add_user kansa auditor

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$MAMORI" serve --listen "127.0.0.1:$port" --web "$SRCDIR/web" >"$TMP/serve.out" 2>"$TMP/serve.err" &
pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/api/health" && break; sleep 0.1; done

# The checks run in Python (tests/cli/serve_api.py): one line per failed check.
if /usr/bin/python3 "$SRCDIR/tests/cli/serve_api.py" "$port" "$TMP" "$SRCDIR" >"$TMP/py.out" 2>&1; then ok; else
	not_ok "API checks"; cat "$TMP/py.out" >&2
fi
grep '^checks:' "$TMP/py.out"

kill -TERM "$pid"; wait "$pid" && ok || not_ok "server stops cleanly"

# an auditor checks the proof fetched over HTTP on their own, with the public key
"$MAMORI" log check-proof --pubkey "$MAMORI_DB.pub" --head "$TMP/head.txt" "$TMP/inclusion.txt" >"$TMP/check" 2>&1 &&
	ok || { not_ok "proof from /api/log/proof checks"; cat "$TMP/check" >&2; }

# the replaced policy is the store's: a new process reads it back
"$MAMORI" serve --routes >/dev/null
# SQLite's file read with Python's sqlite3 (PostgreSQL's store has no file to read)
if [ "${MAMORI_TEST_BACKEND:-}" != postgresql ]; then
/usr/bin/python3 - "$MAMORI_DB" <<'PY' && ok || not_ok "policy versions stored"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
rows = c.execute("select id, json from policy order by version").fetchall()
assert len(rows) == 13, len(rows)   # init, two replacements, ten more while requests were served
assert '"version":"API 改訂 2"' in rows[-1][1], rows[-1][1][:200]
PY
fi
"$MAMORI" log verify >/dev/null && ok || not_ok "trail verifies after the API run"

# the same replacement from the command line
sed 's/id: zeimu, title: 税務課/id: zeisei, title: 税政課/' "$SRCDIR/policies/mic-standard.yaml" >"$TMP/conflict.yaml"
expect_exit 1 "policy replace refuses conflicts" -- "$MAMORI" policy replace "$TMP/conflict.yaml"
expect_grep "$TMP/err" "asset A-000003: 所管課 (department): unknown department 'zeimu'" "conflicts named"
expect_grep "$TMP/err" "user tanaka: department 'zeimu' is not in policy" "accounts named"
printf 'mamori-policy: 1\nid: [x\n' >"$TMP/inv.yaml"
expect_exit 1 "policy replace refuses an invalid policy" -- "$MAMORI" policy replace "$TMP/inv.yaml"
expect_grep "$TMP/err" "inv.yaml:3:1: error:" "FILE:LINE:COL"
sed 's/^version: .*/version: CLI 改訂/' "$SRCDIR/policies/mic-standard.yaml" >"$TMP/v3.yaml"
expect_exit 0 "policy replace" -- "$MAMORI" policy replace "$TMP/v3.yaml"
expect_grep "$TMP/out" "CLI 改訂" "the new version named"
expect_exit 3 "policy replace: unreadable file" -- "$MAMORI" policy replace "$TMP/none.yaml"
"$MAMORI" log show --json >"$TMP/log"
for a in policy.replace asset.edit asset.add user.add user.disable user.enable user.passwd user.mfa-enroll \
	user.mfa-reset user.token user.token-revoke; do
	grep -q "\"action\":\"$a\".*\"actor\":\"web:[a-z]*@127.0.0.1\"\|\"actor\":\"web:[a-z]*@127.0.0.1\".*\"action\":\"$a\"" "$TMP/log" &&
		ok || not_ok "$a audited with the web actor and address"
done
for p in /api/policy /api/users /api/assets/import /api/log /api/assets/A-000001; do
	grep -q "\"action\":\"http.denied\".*\"object_id\":\"$p\"\|\"object_id\":\"$p\".*\"action\":\"http.denied\"" "$TMP/log" &&
		ok || not_ok "refusal on $p audited"
done
finish
