#!/usr/bin/env bash
# `mamori store copy` (docs/store.md, "Copying a store between backends"): a
# SQLite store with assets, records with files, accounts with TOTP and tokens
# and several signed heads goes into PostgreSQL and back; each copy's
# `log verify` passes with the same events, root and heads, and saved heads of
# the source verify against it; the rows come back byte for byte, the keys and
# files too; its inclusion and consistency proofs are SQLite's, byte for byte.
# A destination that holds a store is refused, and a damaged
# source is named by the copy's verification, which leaves nothing behind.
# Runs under tests/pg/run.sh: $MAMORI_TEST_PG names a PostgreSQL cluster.
. "$(dirname "$0")/lib.sh"

[ -n "${MAMORI_TEST_PG:-}" ] || { echo "no PostgreSQL cluster (run through tests/pg/run.sh)"; exit 77; }
FULL="$(dirname "$MAMORI")/mamori-full"	# PostgreSQL's backend is there
id=$(basename "$TMP" | tr 'A-Z.' 'a-z_' | tr -cd 'a-z0-9_')
pg() { printf '%s&schema=%s&files=%s' "$MAMORI_TEST_PG" "$1_$id" "$TMP/$1"; }
export MAMORI_DB="$TMP/a.db" MAMORI_ACTOR="cli:operator"

# the source: a bit of everything, and three signed heads
expect_exit 0 "init" -- "$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml"
expect_exit 0 "user tanaka" -- "$MAMORI" user add tanaka --role staff --department soumu --password-stdin <<<'秘密のパスワード'
expect_exit 0 "mfa enroll" -- "$MAMORI" user mfa enroll tanaka
expect_exit 0 "user kansa" -- "$MAMORI" user add kansa --role auditor
expect_exit 0 "token" -- "$MAMORI" user token tanaka --scope read
for n in 1 2 3; do
	expect_exit 0 "asset $n" -- "$MAMORI" asset add --name "端末$n" --kind information --department soumu --c 2 --i 1 --a 1
done
expect_exit 0 "head 1" -- "$MAMORI" log head --out "$TMP/head1"
expect_exit 0 "incident" -- "$MAMORI" incident report --by tanaka --set summary="USBメモリを紛失した"
rec=$(cat "$TMP/out")
head -c 70000 /dev/urandom >"$TMP/photo.png"
printf 'a\ttab, a new\nline and a back\\slash\r\n' >"$TMP/note.txt"
expect_exit 0 "attach" -- "$MAMORI" record attach "$rec" "$TMP/photo.png" --by tanaka
expect_exit 0 "attach text" -- "$MAMORI" record attach "$rec" "$TMP/note.txt" --by tanaka
expect_exit 0 "head 2" -- "$MAMORI" log head --out "$TMP/head2"
expect_exit 0 "asset 4" -- "$MAMORI" asset add --name "台帳	タブ" --kind information --department soumu --c 1 --i 1 --a 1
expect_exit 0 "head 3" -- "$MAMORI" log head --out "$TMP/head3"

# verify DB LABEL: log verify passes, the source's saved heads given, with the source's events, root and heads
summary() {
	expect_exit 0 "$2: log verify" -- "$FULL" log verify --db "$1" --head "$TMP/head1" --head "$TMP/head2" \
		--head "$TMP/head3"
	sed -n 's/^\(ok: [0-9]* events\).*\(root [0-9a-f]*, [0-9]* signed heads\).*/\1 \2/p' "$TMP/out" >"$3"
}
verify() {
	summary "$1" "$2" "$TMP/got"
	cmp -s "$TMP/want" "$TMP/got" && ok || not_ok "$2: '$(cat "$TMP/got")', the source '$(cat "$TMP/want")'"
}
summary "$TMP/a.db" "the source" "$TMP/want"
grep -q '^ok: 12 events root [0-9a-f]\{64\}, 7 signed heads' "$TMP/want" && ok ||
	not_ok "the source: four heads stored and three given: $(cat "$TMP/want")"

# SQLite -> PostgreSQL
P=$(pg p)
expect_exit 0 "copy into PostgreSQL" -- "$MAMORI" store copy --from "$TMP/a.db" --to "$P"
expect_grep "$TMP/out" "^copied 12 tables (.* rows) and 5 files: 12 events, 4 signed heads" "the copy's summary"
expect_grep "$TMP/out" "^verified: ok: " "the copy says it verified"
verify "$P" "PostgreSQL"
for f in key pub totp-key; do
	cmp -s "$TMP/a.db.$f" "$TMP/p.$f" && ok || not_ok "the .$f came over"
	[ "$(stat -c %a "$TMP/a.db.$f")" = "$(stat -c %a "$TMP/p.$f")" ] && ok || not_ok "the .$f keeps its mode"
done
diff -r "$TMP/a.db.files" "$TMP/p.files" >/dev/null && ok || not_ok "the records' files came over"
# the proofs are the same on either backend, and check against the source's key and heads
"$FULL" log proof --inclusion 5 --head "$TMP/head3" --db "$TMP/a.db" >"$TMP/incl-sqlite" 2>/dev/null
"$FULL" log proof --inclusion 5 --head "$TMP/head3" --db "$P" >"$TMP/incl-pg" 2>/dev/null
[ -s "$TMP/incl-sqlite" ] && cmp -s "$TMP/incl-sqlite" "$TMP/incl-pg" && ok ||
	not_ok "log proof --inclusion: PostgreSQL's differs from SQLite's"
expect_exit 0 "PostgreSQL's inclusion proof checks against the source's head" -- "$FULL" log check-proof \
	--pubkey "$TMP/a.db.pub" --head "$TMP/head3" "$TMP/incl-pg"
"$FULL" log proof --db "$TMP/a.db" --consistency 3 12 >"$TMP/cons-sqlite" 2>/dev/null
"$FULL" log proof --db "$P" --consistency 3 12 >"$TMP/cons-pg" 2>/dev/null
[ -s "$TMP/cons-sqlite" ] && cmp -s "$TMP/cons-sqlite" "$TMP/cons-pg" && ok ||
	not_ok "log proof --consistency: PostgreSQL's differs from SQLite's"

# a second copy to the same destination is refused, and leaves it as it was
expect_exit 1 "PostgreSQL destination that holds a store" -- "$MAMORI" store copy --from "$TMP/a.db" --to "$P"
expect_grep "$TMP/err" "exists already" "says the schema holds a store"
expect_exit 1 "files prefix with keys" -- "$MAMORI" store copy --from "$TMP/a.db" \
	--to "$(printf '%s&schema=other_%s&files=%s' "$MAMORI_TEST_PG" "$id" "$TMP/p")"
expect_grep "$TMP/err" "exists; the copy never writes over" "says the keys are there"
verify "$P" "PostgreSQL after the refusals"

# PostgreSQL -> SQLite: the same rows, byte for byte
expect_exit 0 "copy back into SQLite" -- "$MAMORI" store copy --from "$P" --to "$TMP/b.db" --json
/usr/bin/python3 - "$TMP/out" <<'PY' && ok || not_ok "--json: the copy's numbers"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["tables"] == 12 and r["heads"] == 4 and r["files"] == 5 and r["verified"].startswith("ok: "), r
PY
verify "$TMP/b.db" "back in SQLite"
[ "$(stat -c %a "$TMP/b.db")" = 600 ] && ok || not_ok "the new store file is private"
dump() { sqlite3 "$1" .dump | grep -v -e sqlite_stat -e '^ANALYZE' | sort; }
if command -v sqlite3 >/dev/null; then
	diff <(dump "$TMP/a.db") <(dump "$TMP/b.db") >"$TMP/diff" && ok || { not_ok "rows differ after the round trip"; head "$TMP/diff" >&2; }
fi
diff -r "$TMP/a.db.files" "$TMP/b.db.files" >/dev/null && ok || not_ok "the records' files came back"
expect_exit 0 "SQLite to SQLite" -- "$MAMORI" store copy --from "sqlite:$TMP/b.db" --to "$TMP/c.db"
verify "$TMP/c.db" "SQLite to SQLite"
expect_exit 1 "an existing file" -- "$MAMORI" store copy --from "$TMP/a.db" --to "$TMP/b.db"
expect_grep "$TMP/err" "b.db exists already" "says the file exists"
expect_exit 2 "no --to" -- "$MAMORI" store copy --from "$TMP/a.db"
expect_exit 0 "--help" -- "$MAMORI" store copy --help
expect_grep "$TMP/out" "usage: mamori store copy --from LOCATION --to LOCATION" "the usage"

# a damaged source: the copy's verification names the event, and nothing is left
cp "$TMP/a.db" "$TMP/d.db"
for f in key pub totp-key; do cp -p "$TMP/a.db.$f" "$TMP/d.db.$f"; done
sqlite3 "$TMP/d.db" "UPDATE audit_event SET body = replace(body, '端末2', '端末9') WHERE action = 'asset.add' AND body LIKE '%端末2%'"
seq=$(sqlite3 "$TMP/d.db" "SELECT seq FROM audit_event WHERE body LIKE '%端末9%'")
E=$(pg e)
expect_exit 1 "a damaged source into PostgreSQL" -- "$MAMORI" store copy --from "$TMP/d.db" --to "$E"
expect_grep "$TMP/err" "the source's audit trail is damaged.*TAMPERED at seq $seq" "names the damaged event"
ls "$TMP"/e.* >/dev/null 2>&1 && not_ok "a failed copy left files at $TMP/e" || ok
expect_exit 1 "a damaged source into SQLite" -- "$MAMORI" store copy --from "$TMP/d.db" --to "$TMP/e.db"
expect_grep "$TMP/err" "TAMPERED at seq $seq" "names the damaged event"
ls "$TMP"/e.db* >/dev/null 2>&1 && not_ok "a failed copy left $TMP/e.db" || ok
# the failed copy left no store in its schema: a good one goes there now
expect_exit 0 "the same destination, a good source" -- "$MAMORI" store copy --from "$TMP/a.db" --to "$E"
verify "$E" "after a failed copy"
# and the copy goes on from where the source ended: its files read back as
# they were, new records and files numbered after the copied ones
expect_exit 0 "a copied file read on PostgreSQL" -- "$FULL" record file "$rec" 1 --out "$TMP/got.png" --by tanaka --db "$E"
cmp -s "$TMP/photo.png" "$TMP/got.png" && ok || not_ok "the file read on PostgreSQL is not the one attached"
expect_exit 0 "accounts on PostgreSQL" -- "$FULL" user list --db "$E"
expect_grep "$TMP/out" 'tanaka .*password totp  *active' "tanaka keeps password and TOTP"
expect_exit 0 "a change on the copy" -- "$FULL" log schedule --every-events 500 --db "$E"
expect_exit 0 "a new incident on the copy" -- "$FULL" incident report --by tanaka --set summary="鍵の紛失" --db "$E"
rec2=$(cat "$TMP/out")
[ "$rec2" != "$rec" ] && ok || not_ok "the new record took the copied one's id: $rec2"
expect_exit 0 "a new file on the copy" -- "$FULL" record attach "$rec2" "$TMP/note.txt" --by tanaka --db "$E"
expect_grep "$TMP/out" "file 3:" "the new file is numbered after the copied ones"
expect_exit 0 "its trail verifies" -- "$FULL" log verify --db "$E"
finish
