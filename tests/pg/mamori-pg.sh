#!/usr/bin/env bash
# tests/pg/mamori-pg.sh — `mamori` for the CLI tests on PostgreSQL (suite
# cli-pg): given to tests/cli/*.sh as $MAMORI, it runs the real binary
# ($MAMORI_REAL) with every store the test names by a file moved into the test
# cluster ($MAMORI_TEST_PG):
#
#   --db PATH, --db=PATH, $MAMORI_DB=PATH
#     -> $MAMORI_TEST_PG&schema=<a name made from PATH>&files=PATH
#
# so a test runs unchanged: the same PATH is the same store, and its keys,
# files of records and mail lock stay beside PATH, where the test looks for
# them (url.sh).  The real binary is `mamori`, which runs mamori-full for such
# a store (src/cli/main.c): the tests go through that too.
set -u
: "${MAMORI_REAL:?MAMORI_REAL must name the real mamori binary}"
: "${MAMORI_TEST_PG:?MAMORI_TEST_PG must name the test cluster (tests/pg/run.sh)}"
. "$(dirname "$0")/url.sh"

args=()
while [ $# -gt 0 ]; do
	case $1 in
	--db)
		args+=("$1")
		shift
		[ $# -gt 0 ] && args+=("$(pg_url "$1")")
		;;
	--db=*) args+=("--db=$(pg_url "${1#--db=}")") ;;
	*) args+=("$1") ;;
	esac
	[ $# -gt 0 ] && shift
done
if [ -n "${MAMORI_DB:-}" ]; then
	MAMORI_DB=$(pg_url "$MAMORI_DB")
	export MAMORI_DB
fi
exec "$MAMORI_REAL" "${args[@]}"
