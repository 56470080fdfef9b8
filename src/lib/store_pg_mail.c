/* store_pg_mail.c — PostgreSQL's operations of this domain (store_ops_mail.h): not yet written. */
#include "store_backend.h"
#include "store_ops_mail.h"
#include "store_pg.h"

const struct store_mail_ops store_pg_mail_ops = { 0 };
