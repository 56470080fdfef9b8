#!/usr/bin/env bash
# tests/pg/drop.sh PATH — removes the store that mamori-pg.sh made for the file
# path PATH on the test cluster (its schema), as `rm PATH` removes a SQLite
# store: for a CLI test that makes a new store at the same path.
set -euo pipefail
: "${MAMORI_TEST_PG:?MAMORI_TEST_PG must name the test cluster (tests/pg/run.sh)}"
. "$(dirname "$0")/url.sh"
exec psql -X -q -v ON_ERROR_STOP=1 -d "$MAMORI_TEST_PG" -c "SET client_min_messages TO warning" \
    -c "DROP SCHEMA IF EXISTS $(pg_schema "${1:?the file path of the store}") CASCADE"
