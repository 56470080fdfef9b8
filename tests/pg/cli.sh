#!/usr/bin/env bash
# A store on PostgreSQL from the command line (suite cli-pg): `mamori`, linked
# without libpq, runs mamori-full for any command whose store is a
# postgresql:// URL — from --db, --db=, $MAMORI_DB or the configuration's
# `store` — and for nothing else; init names the URL and where the keys are;
# a password in the URL is never printed; an init never removes another
# store's keys; a backup of a store on PostgreSQL says what backs it up.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/url.sh"
: "${MAMORI_REAL:?MAMORI_REAL must name the real mamori binary}"
: "${MAMORI_TEST_PG:?MAMORI_TEST_PG must name the test cluster (tests/pg/run.sh)}"
M=$MAMORI_REAL
P="$SRCDIR/policies/mic-standard.yaml"
export MAMORI_ACTOR=test:pg
URL=$(pg_url "$TMP/s")

# which program runs: `mamori` alone, without mamori-full beside it, says so
mkdir "$TMP/alone" && cp "$M" "$TMP/alone/mamori"
A=$TMP/alone/mamori
full='mamori-full, which cannot be started'
expect_exit 3 "--db URL: mamori-full" -- "$A" asset list --db "$URL"
expect_grep "$TMP/err" "$full" "--db URL runs mamori-full"
expect_exit 3 "--db=URL: mamori-full" -- "$A" asset list "--db=$URL"
expect_grep "$TMP/err" "$full" "--db=URL runs mamori-full"
MAMORI_DB=$URL expect_exit 3 "\$MAMORI_DB: mamori-full" -- "$A" log verify
expect_grep "$TMP/err" "$full" "\$MAMORI_DB=URL runs mamori-full"
printf 'store = %s\n' "$URL" >"$TMP/pg.conf"
MAMORI_CONFIG=$TMP/pg.conf expect_exit 3 "the configuration's store: mamori-full" -- "$A" user list
expect_grep "$TMP/err" "$full" "store = URL runs mamori-full"
MAMORI_DB=$URL expect_exit 3 "--db PATH over \$MAMORI_DB=URL: mamori itself" -- "$A" asset list --db "$TMP/none.db"
expect_grep "$TMP/err" "no store at $TMP/none.db" "a file named by --db is opened by mamori"
expect_exit 3 "a file: mamori itself" -- "$A" asset list --db "$TMP/none.db"
expect_grep "$TMP/err" "no store at $TMP/none.db" "no mamori-full for a file"
printf 'no_such_setting = 1\n' >"$TMP/bad.conf"
MAMORI_CONFIG=$TMP/bad.conf expect_exit 0 "a refused configuration does not stop what reads none" -- \
    "$A" policy check "$P"
if command -v ldd >/dev/null; then
	ldd "$M" | grep -q 'libpq' && not_ok "mamori itself loads libpq" || ok
fi

# the password masked as libpq reads a URL: user:password@ before the first @ or /, password=
while IFS=' ' read -r url want; do
	MAMORI_DB=$url "$M" config show >"$TMP/out" 2>&1
	grep -qxF "store = $want	# \$MAMORI_DB" "$TMP/out" && ok || not_ok "masked: $url -> $(grep '^store' "$TMP/out")"
done <<'URLS'
postgresql://u:p%40ss@h/db?files=/x postgresql://u:***@h/db?files=/x
postgresql://u@h/db?files=/x&password=abc&schema=s postgresql://u@h/db?files=/x&password=***&schema=s
postgresql://h/db?files=/x postgresql://h/db?files=/x
postgresql://u:p?ss@h/db?password=z#frag postgresql://u:***@h/db?password=***#frag
postgres:///db?password= postgres:///db?password=***
/tmp/a:b@c.db /tmp/a:b@c.db
URLS

# init on a URL: the URL shown, the keys at files=
expect_exit 0 "init on PostgreSQL" -- "$M" init --policy "$P" --db "$URL"
expect_grep "$TMP/out" "^created store postgresql:///" "init names the URL"
expect_grep "$TMP/out" "^audit signing key: $TMP/s.key " "the signing key at files="
[ "$(stat -c %a "$TMP/s.key")" = 600 ] && [ -f "$TMP/s.pub" ] && [ "$(stat -c %a "$TMP/s.totp-key")" = 600 ] &&
	ok || not_ok "the keys at the files= prefix, the secret ones 0600"
expect_exit 1 "init refuses an existing store" -- "$M" init --policy "$P" --db "$URL"
MAMORI_DB=$URL expect_exit 0 "asset add through \$MAMORI_DB" -- "$M" asset add --name 課税台帳 --kind information \
    --department zeimu --c 2 --i 2 --a 1
MAMORI_CONFIG=$TMP/pg.conf expect_exit 0 "asset list through the configuration" -- "$M" asset list
expect_grep "$TMP/out" '課税台帳' "the asset is in the store on PostgreSQL"
expect_exit 0 "log verify --db=URL" -- "$M" log verify "--db=$URL"
expect_grep "$TMP/out" '^ok: 2 events' "the trail on PostgreSQL verifies"

# an init that finds another store's keys at its prefix leaves them, TOTP key and all
cp "$TMP/s.totp-key" "$TMP/totp-before"
other="$MAMORI_TEST_PG&schema=$(pg_schema "$TMP/other")&files=$TMP/s"
expect_exit 1 "init at a prefix that holds another store's keys" -- "$M" init --policy "$P" --db "$other"
expect_grep "$TMP/err" "s.key" "names the key that is there"
cmp -s "$TMP/s.totp-key" "$TMP/totp-before" && ok || not_ok "the other store's TOTP key is kept"
expect_exit 0 "and that store still verifies" -- "$M" log verify --db "$URL"
# the same on SQLite: a store moved away, its keys left, init at its old name
expect_exit 0 "init a SQLite store" -- "$M" init --policy "$P" --db "$TMP/f.db"
mv "$TMP/f.db" "$TMP/f.moved"
expect_exit 1 "init where the keys are left" -- "$M" init --policy "$P" --db "$TMP/f.db"
[ -e "$TMP/f.db.totp-key" ] && [ ! -e "$TMP/f.db" ] && ok || not_ok "the TOTP key kept, no store file left"

# a backup is SQLite's file's: a store on PostgreSQL is told what backs it up instead
expect_exit 2 "backup of a store on PostgreSQL" -- "$M" backup --db "$URL" --out "$TMP/b.tar"
expect_grep "$TMP/err" "pg_dump" "backup names PostgreSQL's own"
[ ! -e "$TMP/b.tar" ] && ok || not_ok "no backup file made"

# a password in the URL is never printed
dir=$(sed -n 's/.*[?&]host=\([^&]*\).*/\1/p' <<<"$MAMORI_TEST_PG")
user=$(sed -n 's/.*[?&]user=\([^&]*\).*/\1/p' <<<"$MAMORI_TEST_PG")
db=$(sed -n 's|^postgresql:///\([^?]*\).*|\1|p' <<<"$MAMORI_TEST_PG")
secret='hunter2-not-shown'
no_secret() { if grep -q -- "$secret" "$TMP/out" "$TMP/err"; then not_ok "$1: the password printed"; else ok; fi; }
PW="postgresql://$user:$secret@/$db?host=$dir&password=$secret&schema=$(pg_schema "$TMP/p")&files=$TMP/p"
expect_exit 0 "init with a password in the URL" -- "$M" init --policy "$P" --db "$PW"
expect_grep "$TMP/out" "^created store postgresql://$user:\*\*\*@/$db?host=$dir&password=\*\*\*&" "the password masked"
no_secret init
MAMORI_DB=$PW expect_exit 0 "config show" -- "$M" config show
expect_grep "$TMP/out" "^store = postgresql://$user:\*\*\*@/" "config show masks the password"
no_secret "config show"
MAMORI_DB=$PW expect_exit 0 "config show --json" -- "$M" config show --json
expect_grep "$TMP/out" "postgresql://$user:\*\*\*@/" "config show --json masks the password"
no_secret "config show --json"
none="postgresql://$user:$secret@/$db?host=$dir&password=$secret&schema=$(pg_schema "$TMP/q")&files=$TMP/q"
expect_exit 3 "no store at a URL" -- "$M" asset list --db "$none"
expect_grep "$TMP/err" "no store at postgresql://$user:\*\*\*@" "no store: the URL masked"
no_secret "no store"
# libpq decodes a parameter's name: pass%77ord= is its password too
enc="postgresql:///$db?host=$dir&user=$user&pass%77ord=$secret&schema=$(pg_schema "$TMP/r")&files=$TMP/r"
expect_exit 3 "no store, the password's name percent-encoded" -- "$M" asset list --db "$enc"
no_secret "pass%77ord="
gone="postgresql://$user:$secret@/nosuchdb?host=$dir&password=$secret&files=$TMP/q"
expect_exit 3 "a database that is not there" -- "$M" asset list --db "$gone"
no_secret "cannot connect"
finish
