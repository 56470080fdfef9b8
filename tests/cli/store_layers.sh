#!/usr/bin/env bash
# The store's layers (docs/store.md, "Backends"): SQL and SQLite's API live in
# SQLite's backend alone (src/lib/store_sqlite*.c, store_sqlite.h), libpq and
# its SQL in PostgreSQL's (src/lib/store_pg*.c, store_pg.h; the tests' fixture
# may use libpq too); the modules ask s->backend for what they keep; nothing
# outside src/lib sees the store's insides.  And each backend fills in every
# operation of every domain: PostgreSQL's the same ones as SQLite's (an op
# left NULL would crash the program that reaches it).
. "$(dirname "$0")/lib.sh"

cd "$SRCDIR" || exit 1
files=$(git ls-files 'src/*.c' 'src/*.h' 'include/*.h' 2>/dev/null || find src include -name '*.[ch]')
for f in $files; do
	[ -f "$f" ] || continue
	# a call into libpq, its header or types, or PostgreSQL's backend's helpers
	case "$f" in
	src/lib/store_pg*) ;;
	*)	if grep -nE '\bPQ[a-zA-Z_0-9]+[[:space:]]*\(|\bPG(conn|result)\b|#include[[:space:]]*[<"](libpq-fe|store_pg)\.h|\bstore_pg_[a-z_0-9]+[[:space:]]*\(' "$f" >"$TMP/hits"; then
			not_ok "$f uses PostgreSQL outside its backend (src/lib/store_pg*.c):"; cat "$TMP/hits" >&2
		else
			ok
		fi ;;
	esac
	case "$f" in
	src/lib/store_sqlite*) continue ;;
	esac
	# a call into SQLite, its header, or the backend's SQL helpers
	if grep -nE '\bsqlite3_[a-z_0-9]+[[:space:]]*\(|#include[[:space:]]*[<"](sqlite3|store_sqlite)\.h|\bstore_(exec|prepare|cached|built|release)[[:space:]]*\(' "$f" >"$TMP/hits"; then
		not_ok "$f uses SQLite outside its backend (src/lib/store_sqlite*.c):"; cat "$TMP/hits" >&2
	else
		ok
	fi
	case "$f" in
	src/lib/*) ;;
	*)	if grep -nE '#include[[:space:]]*"(store_internal|store_backend|store_ops_[a-z]+)\.h"' "$f" >"$TMP/hits"; then
			not_ok "$f reaches into the store's insides:"; cat "$TMP/hits" >&2
		else
			ok
		fi ;;
	esac
done
# and every domain the backend declares is filled in SQLite's
for d in audit asset user record file tick check mail meta; do
	grep -qE "^[[:space:]]*\.$d = &store_sqlite_${d}_ops," src/lib/store_sqlite.c && ok ||
		not_ok "store_sqlite.c: the domain $d is not SQLite's"
done

# The ops a backend's table of domain d fills in (.name = …), one a line, sorted.
ops_of() {	# BACKEND DOMAIN
	cat src/lib/store_"$1"*.c | sed -n "/^const struct store_$2_ops store_$1_$2_ops = {\$/,/^};/p" |
		sed -n 's/^[[:space:]]*\.\([a-z_0-9]*\)[[:space:]]*=.*/\1/p' | sort
}
# PostgreSQL's backend: every domain its own, with every op SQLite's has.
# (Until each domain's ops are written, its table is the empty { 0 } and
# this fails, naming the domain.)
for d in audit asset user record file tick check mail meta; do
	grep -qE "^[[:space:]]*\.$d = &store_pg_${d}_ops," src/lib/store_pg.c && ok ||
		not_ok "store_pg.c: the domain $d is not PostgreSQL's"
	ops_of sqlite "$d" >"$TMP/sqlite-ops"
	ops_of pg "$d" >"$TMP/pg-ops"
	if [ ! -s "$TMP/sqlite-ops" ]; then
		not_ok "store_sqlite_$d.c: no table of ops found (this check reads 'const struct store_${d}_ops store_sqlite_${d}_ops = {')"
	elif missing=$(comm -23 "$TMP/sqlite-ops" "$TMP/pg-ops") && [ -n "$missing" ]; then
		not_ok "store_pg_${d}_ops lacks $(echo $missing | wc -w) of SQLite's ops: $(echo $missing)"
	else
		ok
	fi
done
finish
