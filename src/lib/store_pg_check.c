/* store_pg_check.c — PostgreSQL's operations of this domain (store_ops_check.h): not yet written. */
#include "store_backend.h"
#include "store_ops_check.h"
#include "store_pg.h"

const struct store_check_ops store_pg_check_ops = { 0 };
