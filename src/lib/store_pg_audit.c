/* store_pg_audit.c — PostgreSQL's operations of this domain (store_ops_audit.h): not yet written. */
#include "store_backend.h"
#include "store_pg.h"

const struct store_audit_ops store_pg_audit_ops = { 0 };
