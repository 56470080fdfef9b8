#!/usr/bin/env bash
# tests/pg/sql.sh PATH SQL — runs SQL (one statement) in the store that
# mamori-pg.sh made for the file path PATH on the test cluster, and prints the
# rows as sqlite3 does (columns joined by |, no header): for a CLI test that
# changes or reads the store behind mamori's back, where on SQLite it runs
# `sqlite3 PATH SQL`.  (PostgreSQL's names: the table "user" quoted.)
set -euo pipefail
: "${MAMORI_TEST_PG:?MAMORI_TEST_PG must name the test cluster (tests/pg/run.sh)}"
. "$(dirname "$0")/url.sh"
path=${1:?the file path of the store}
sql=${2:?the SQL}
exec psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$MAMORI_TEST_PG" \
    -c "SET search_path TO $(pg_schema "$path")" -c "$sql"
