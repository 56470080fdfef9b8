/*
 * store_sqlite.c — SQLite's backend: the struct that gathers its operations,
 * one struct per domain, each in its own store_sqlite_DOMAIN.c, and the write
 * transaction of a head's signing, and the SQL helpers every one of them uses
 * (store_sqlite.h).  Every store gets it at open (store.c).
 */
#include "store_backend.h"
#include "store_internal.h"
#include "store_sqlite.h"

#include <stdlib.h>
#include <string.h>

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

/* ---- the SQL helpers of every store_sqlite_*.c (store_sqlite.h) ---- */

int
store_error(struct mamori_store *s, struct mamori_error *err, const char *what)
{
	return mamori_error_set(err, MAMORI_E_STORE, "%s: %s", what, sqlite3_errmsg(s->db));
}

int
store_walk_end(struct mamori_store *s, int rc, int step, struct mamori_error *err, const char *what)
{
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_error(s, err, what);
	return rc;
}

const char *
store_text(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);

	return t ? t : "";
}

int
store_exec(struct mamori_store *s, const char *sql, struct mamori_error *err)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		mamori_error_set(err, MAMORI_E_STORE, "store: %s", msg ? msg : "error");
		sqlite3_free(msg);
		return MAMORI_E_STORE;
	}
	return 0;
}

sqlite3_stmt *
store_prepare(struct mamori_store *s, const char *sql, struct mamori_error *err)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_error(s, err, "store");
		return NULL;
	}
	return st;
}

sqlite3_stmt *
store_cached(struct mamori_store *s, const char *sql, struct mamori_error *err)
{
	size_t i;

	for (i = 0; i < STORE_CACHED_MAX && s->cached[i].sql != NULL; i++)
		if (s->cached[i].sql == sql)
			return s->cached[i].st;
	if (i == STORE_CACHED_MAX)
		return store_prepare(s, sql, err);
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->cached[i].st, NULL) != SQLITE_OK) {
		s->cached[i].st = NULL;
		store_error(s, err, "store");
		return NULL;
	}
	s->cached[i].sql = sql;
	return s->cached[i].st;
}

sqlite3_stmt *
store_built(struct mamori_store *s, const char *sql, struct mamori_error *err)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	char *copy;

	for (i = 0; i < STORE_BUILT_MAX; i++)
		if (s->built[i].sql != NULL && strcmp(s->built[i].sql, sql) == 0)
			return s->built[i].st;
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		store_error(s, err, "store");
		return NULL;
	}
	if ((copy = strdup(sql)) == NULL)	/* uncached: store_release finalizes it */
		return st;
	i = s->built_next++ % STORE_BUILT_MAX;
	sqlite3_finalize(s->built[i].st);
	free(s->built[i].sql);
	s->built[i].sql = copy;
	s->built[i].st = st;
	return st;
}

void
store_release(struct mamori_store *s, sqlite3_stmt *st)
{
	if (st == NULL)
		return;
	for (size_t i = 0; i < STORE_CACHED_MAX && s->cached[i].sql != NULL; i++) {
		if (s->cached[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return;
		}
	}
	for (size_t i = 0; i < STORE_BUILT_MAX; i++) {
		if (s->built[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return;
		}
	}
	sqlite3_finalize(st);
}

/* ---- a write transaction outside mamori_store_write ---- */

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

const struct store_backend store_backend_sqlite = {
	.name = "sqlite",
	.begin = sqlite_begin,
	.commit = sqlite_commit,
	.rollback = sqlite_rollback,

	.audit = &store_sqlite_audit_ops,

	.asset = &store_sqlite_asset_ops,

	.user = &store_sqlite_user_ops,

	.record = &store_sqlite_record_ops,

	.file = &store_sqlite_file_ops,

	.tick = &store_sqlite_tick_ops,

	.check = &store_sqlite_check_ops,

	.mail = &store_sqlite_mail_ops,

	.meta = &store_sqlite_meta_ops,

	.copy = &store_sqlite_copy_ops,
};
