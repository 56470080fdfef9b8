/*
 * store_sqlite.h — what SQLite's backend files (store_sqlite*.c) share: the
 * SQL helpers on a store's connection, and the schema's migrations for the
 * tests.  (internal)
 *
 * Only SQLite's backend files include it: the modules see the connection as
 * an opaque pointer (store_internal.h) and ask s->backend for what they keep.
 */
#ifndef MAMORI_STORE_SQLITE_H
#define MAMORI_STORE_SQLITE_H

#include <sqlite3.h>

#include "mamori/error.h"

struct mamori_store;

/* Runs SQL with no result rows; fills err with SQLite's message on failure. */
int store_exec(struct mamori_store *s, const char *sql, struct mamori_error *err);

/* A prepared statement; NULL with err filled on failure. */
sqlite3_stmt *store_prepare(struct mamori_store *s, const char *sql, struct mamori_error *err);

/*
 * A statement prepared once per connection and kept: sql must be a string
 * literal (it is looked up by address).  The statement comes back reset with
 * no bindings; the caller steps it and must end with store_release (never
 * sqlite3_finalize), so that no read transaction stays open between calls.
 * Falls back to an uncached statement when the cache is full (store_release
 * then finalizes it).  NULL with err filled on failure.
 */
sqlite3_stmt *store_cached(struct mamori_store *s, const char *sql, struct mamori_error *err);

/*
 * A statement of SQL built at run time (not a literal), kept by its text for
 * the next call with the same text: the list's queries take longer to
 * prepare than a page of an index takes to read.  Ends with store_release,
 * like store_cached; while it is being stepped, nothing may ask for the same
 * text again (it would be reset) nor for STORE_BUILT_MAX others (it would be
 * replaced): the list's callbacks read no assets.  NULL with err filled on
 * failure.
 */
sqlite3_stmt *store_built(struct mamori_store *s, const char *sql, struct mamori_error *err);

/* Resets (cached) or finalizes (uncached) a statement from store_cached or store_built. */
void store_release(struct mamori_store *s, sqlite3_stmt *st);

/* Fills err from the database's last error and returns MAMORI_E_STORE. */
int store_error(struct mamori_store *s, struct mamori_error *err, const char *what);

/*
 * The end of a walk over rows: rc (a callback's non-zero) as is; otherwise a
 * last step that is not SQLITE_DONE as store_error(what); otherwise 0.
 */
int store_walk_end(struct mamori_store *s, int rc, int step, struct mamori_error *err, const char *what);

/* A text column as a string: "" for NULL (a damaged row), never a NULL pointer. */
const char *store_text(sqlite3_stmt *st, int col);

/*
 * The SQL of migration i (schema i to i + 1), NULL beyond the last: for the
 * tests that build a store at every earlier schema version and open it.
 */
const char *store_migration_sql(int i);

/*
 * Takes s's database from schema `from` to MAMORI_STORE_SCHEMA in one
 * transaction, SQL and code (store_sqlite_schema.c).  Returns 0 or a
 * MAMORI_E_* code with err filled; nothing is changed then.
 */
int store_sqlite_migrate(struct mamori_store *s, int from, struct mamori_error *err);

#endif
