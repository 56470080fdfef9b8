/* store_pg_tick.c — PostgreSQL's operations of this domain (store_ops_tick.h): not yet written. */
#include "store_backend.h"
#include "store_ops_tick.h"
#include "store_pg.h"

const struct store_tick_ops store_pg_tick_ops = { 0 };
