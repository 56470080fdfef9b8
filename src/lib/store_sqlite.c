/*
 * store_sqlite.c — SQLite's backend: the struct that gathers its operations,
 * one struct per domain, each in its own store_sqlite_DOMAIN.c, and the write
 * transaction of a head's signing.  Every store gets it at open (store.c).
 */
#include "store_backend.h"
#include "store_internal.h"

/*
 * The operations of each domain, defined in store_sqlite_DOMAIN.c (their
 * structs in store_ops_DOMAIN.h; an object of a type incomplete here may be
 * named, and is taken by address only).
 */
extern const struct store_asset_ops store_sqlite_asset_ops;
extern const struct store_user_ops store_sqlite_user_ops;
extern const struct store_record_ops store_sqlite_record_ops;
extern const struct store_file_ops store_sqlite_file_ops;
extern const struct store_tick_ops store_sqlite_tick_ops;
extern const struct store_check_ops store_sqlite_check_ops;
extern const struct store_mail_ops store_sqlite_mail_ops;
extern const struct store_meta_ops store_sqlite_meta_ops;

static int
sqlite_begin(struct mamori_store *s, struct mamori_error *err)
{
	return store_exec(s, "BEGIN IMMEDIATE", err);
}

static int
sqlite_commit(struct mamori_store *s, struct mamori_error *err)
{
	return store_exec(s, "COMMIT", err);
}

static void
sqlite_rollback(struct mamori_store *s)
{
	store_exec(s, "ROLLBACK", NULL);
}

/*
 * One line per domain, a blank line between them: the domains move behind the
 * backend one at a time, each filling its own line.
 */
const struct store_backend store_backend_sqlite = {
	.name = "sqlite",
	.begin = sqlite_begin,
	.commit = sqlite_commit,
	.rollback = sqlite_rollback,

	.audit = &store_sqlite_audit_ops,

	.asset = NULL,

	.user = NULL,

	.record = &store_sqlite_record_ops,

	.file = NULL,

	.tick = NULL,

	.check = NULL,

	.mail = NULL,

	.meta = NULL,
};
