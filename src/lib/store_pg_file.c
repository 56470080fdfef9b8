/* store_pg_file.c — PostgreSQL's operations of this domain (store_ops_file.h): not yet written. */
#include "store_backend.h"
#include "store_ops_file.h"
#include "store_pg.h"

const struct store_file_ops store_pg_file_ops = { 0 };
