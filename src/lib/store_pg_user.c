/* store_pg_user.c — PostgreSQL's operations of this domain (store_ops_user.h): not yet written. */
#include "store_backend.h"
#include "store_ops_user.h"
#include "store_pg.h"

const struct store_user_ops store_pg_user_ops = { 0 };
