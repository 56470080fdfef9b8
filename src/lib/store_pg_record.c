/* store_pg_record.c — PostgreSQL's operations of this domain (store_ops_record.h): not yet written. */
#include "store_backend.h"
#include "store_ops_record.h"
#include "store_pg.h"

const struct store_record_ops store_pg_record_ops = { 0 };
