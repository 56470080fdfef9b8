#!/usr/bin/env bash
# tests/pg/run.sh COMMAND... — runs COMMAND with MAMORI_TEST_BACKEND=postgresql
# against the test cluster named by $MAMORI_TEST_PG (.ci/run starts one for
# the whole run); without it, against a cluster of its own, started here and
# stopped after (two seconds more per test, but `meson test` needs no setup).
set -uo pipefail
export MAMORI_TEST_BACKEND=postgresql
if [ -n "${MAMORI_TEST_PG:-}" ]; then
	exec "$@"
fi
here=$(dirname "$0")
dir=$(mktemp -d "${TMPDIR:-/tmp}/mamori-pg.XXXXXX")
chmod 755 "$dir"	# the cluster runs as postgres when this runs as root
if ! MAMORI_TEST_PG=$("$here/cluster.sh" start "$dir/c"); then
	rm -rf "$dir"
	echo "run.sh: cannot start a PostgreSQL cluster" >&2
	exit 1
fi
export MAMORI_TEST_PG
"$@"
rc=$?
"$here/cluster.sh" stop "$dir/c"
rm -rf "$dir"
exit $rc
