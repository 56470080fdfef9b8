#!/usr/bin/env bash
# The store's layers (docs/store.md, "Backends"): SQL and SQLite's API live in
# SQLite's backend alone (src/lib/store_sqlite*.c, store_sqlite.h); the modules
# ask s->backend for what they keep; nothing outside src/lib sees the store's
# insides.  A PostgreSQL backend is then new files, not edits everywhere.
. "$(dirname "$0")/lib.sh"

cd "$SRCDIR" || exit 1
files=$(git ls-files 'src/*.c' 'src/*.h' 'include/*.h' 2>/dev/null || find src include -name '*.[ch]')
for f in $files; do
	[ -f "$f" ] || continue
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
finish
