#!/usr/bin/env bash
# tests/pg/cluster.sh — a throwaway PostgreSQL cluster for the tests.
#
#   cluster.sh start DIR   makes a cluster in DIR (which must not hold one),
#                          starts it on a Unix socket in DIR (no TCP), makes
#                          the database mamori_test, and prints its URL
#   cluster.sh stop DIR    stops it and removes DIR
#
# The tests read the URL from $MAMORI_TEST_PG (tests/meson.build runs the
# suites `unit-pg` and `cli-pg` with it; .ci/run starts and stops the cluster).
# As root, the cluster runs as the account postgres (initdb refuses root).
# fsync is off (PG_FSYNC=on turns it on: bench/pg_ab.sh): the tests check what the store does, not the disk's
# durability, and a cluster that lives for one run loses nothing that matters.
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "cluster.sh: no PostgreSQL server (apt-get install postgresql-15)" >&2; exit 1; }
cmd=${1:?start or stop}
dir=${2:?the cluster directory}
as=()
if [ "$(id -u)" = 0 ]; then as=(runuser -u postgres --); fi

case $cmd in
start)
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown postgres: "$dir"
	"${as[@]}" "$bin/initdb" -D "$dir/data" -U mamori --auth=trust -E UTF8 --locale=C.UTF-8 \
	    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
	"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
	    -o "-k $dir -c listen_addresses= -c fsync=${PG_FSYNC:-off} -c max_connections=200 -c shared_buffers=256MB" \
	    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
	"${as[@]}" "$bin/createdb" -h "$dir" -U mamori mamori_test
	echo "postgresql:///mamori_test?host=$dir&user=mamori"
	;;
stop)
	[ -d "$dir/data" ] && "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	rm -rf "$dir"
	;;
*)
	echo "cluster.sh: start DIR or stop DIR" >&2
	exit 2
	;;
esac
