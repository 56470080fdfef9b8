/*
 * store_sqlite_meta.c — SQLite's operations of the store itself
 * (store_ops_meta.h): the connection and its settings, the schema version,
 * the copies by SQLite's online backup, the meta, config and policy tables
 * and the read snapshot.  The migrations are in store_sqlite_schema.c.
 */
#include "store_ops_meta.h"
#include "store_internal.h"
#include "store_sqlite.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- the connection ---- */

static int
meta_open(struct mamori_store *s, enum store_open_mode mode, struct mamori_error *err)
{
	/* a connection shared by the server's threads needs SQLite's mutex; one
	 * thread's does not (a reader belongs to one thread, so the mutex is waste) */
	int flags = mode == STORE_OPEN_CREATE ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE :
	    mode == STORE_OPEN_SHARED ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	int rc;

	if (sqlite3_open_v2(s->path, &s->db, flags, NULL) != SQLITE_OK)
		return mamori_error_set(err, MAMORI_E_IO, "cannot open store %s: %s", s->path,
		    s->db ? sqlite3_errmsg(s->db) : "out of memory");
	sqlite3_busy_timeout(s->db, 5000);
	/* a new store gets 16 KiB pages (SQLite's default is 4 KiB): a quarter of
	 * the pages to find, fill and write for the same rows; a bulk import of a
	 * million assets takes an eighth less CPU (mostly the kernel's) and a
	 * quarter less time (bench/README.md).  It must be set before anything is
	 * written, so an existing store keeps its page size */
	if (mode == STORE_OPEN_CREATE && (rc = store_exec(s, "PRAGMA page_size = 16384", err)) != 0)
		return rc;
	/* WAL for concurrent readers; FULL so that a committed change survives power
	 * loss, not only a crash of the process (NORMAL would risk the last commits).
	 * Reads go through a memory map (up to 2 GB, this SQLite's limit): a page
	 * is not copied out of the OS cache first, which a list of tens of
	 * thousands of scattered rows notices; writes still go through the WAL. */
	if ((rc = store_exec(s, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
	    "PRAGMA foreign_keys = ON; PRAGMA mmap_size = 2147418112;", err)) != 0)
		return rc;
	/* reads map the file instead of copying each page through read(2): the list
	 * route touches thousands of scattered rows (bench/README.md, Server) */
	if (mode == STORE_OPEN_READER &&
	    (rc = store_exec(s, "PRAGMA query_only = ON; PRAGMA mmap_size = 1073741824", err)) != 0)
		return rc;
	return 0;
}

static void
meta_close(struct mamori_store *s)
{
	for (size_t i = 0; i < STORE_CACHED_MAX; i++) {
		sqlite3_finalize(s->cached[i].st);
		s->cached[i].st = NULL;
		s->cached[i].sql = NULL;
	}
	for (size_t i = 0; i < STORE_BUILT_MAX; i++) {
		sqlite3_finalize(s->built[i].st);
		free(s->built[i].sql);
		s->built[i].st = NULL;
		s->built[i].sql = NULL;
	}
	if (s->db != NULL)
		sqlite3_close(s->db);
	s->db = NULL;
}

/* ---- the schema and copies ---- */

static int
meta_schema_version(struct mamori_store *s, int *version, struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "PRAGMA user_version", err);

	if (st == NULL)
		return MAMORI_E_STORE;
	*version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return 0;
}

static int
meta_snapshot(struct mamori_store *s, const char *to, struct mamori_error *err)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	int rc = 0;

	if (sqlite3_open_v2(to, &dst, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    (b = sqlite3_backup_init(dst, "main", s->db, "main")) == NULL ||
	    (sqlite3_backup_step(b, -1), sqlite3_backup_finish(b)) != SQLITE_OK)
		rc = mamori_error_set(err, MAMORI_E_IO, "%s", dst ? sqlite3_errmsg(dst) : "out of memory");
	sqlite3_close(dst);
	return rc;
}

static int
meta_copy(const char *from, const char *to, struct store_meta_summary *sum, struct mamori_error *err)
{
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_backup *b;
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_open_v2(to, &dst, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		rc = mamori_error_set(err, MAMORI_E_IO, "backup: cannot open %s: %s", from,
		    src ? sqlite3_errmsg(src) : "out of memory");
		goto out;
	}
	sqlite3_busy_timeout(src, 5000);
	/* one step: one read transaction, so the copy is one committed state
	 * of the store however much is written meanwhile (WAL: writers go on) */
	if ((b = sqlite3_backup_init(dst, "main", src, "main")) == NULL ||
	    sqlite3_backup_step(b, -1) != SQLITE_DONE || sqlite3_backup_finish(b) != SQLITE_OK) {
		if (b != NULL)
			sqlite3_backup_finish(b);
		rc = mamori_error_set(err, MAMORI_E_STORE, "backup: cannot copy %s: %s", from, sqlite3_errmsg(dst));
		goto out;
	}
	if (sqlite3_prepare_v2(dst, "SELECT (SELECT value FROM meta WHERE key = 'log_id'), "
	    "(SELECT coalesce(max(seq), 0) FROM audit_event), (SELECT user_version FROM pragma_user_version)",
	    -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		rc = mamori_error_set(err, MAMORI_E_STORE, "backup: %s is not a mamori store: %s", from,
		    sqlite3_errmsg(dst));
		sqlite3_finalize(st);
		goto out;
	}
	snprintf(sum->log_id, sizeof(sum->log_id), "%s", store_text(st, 0));
	sum->events = sqlite3_column_int64(st, 1);
	sum->schema = sqlite3_column_int(st, 2);
	sqlite3_finalize(st);
out:
	sqlite3_close(src);
	sqlite3_close(dst);
	return rc;
}

/* ---- the write transaction and the read snapshot ---- */

static int64_t
meta_changes(struct mamori_store *s)
{
	return sqlite3_total_changes64(s->db);
}

static int64_t
meta_data_version(struct mamori_store *s)
{
	static const char sql[] = "PRAGMA data_version";
	struct mamori_error err;
	sqlite3_stmt *st = store_cached(s, sql, &err);
	int64_t v = -1;

	if (st == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	store_release(s, st);
	return v;
}

static int64_t
meta_read_begin(struct mamori_store *s)
{
	static const char begin[] = "BEGIN";
	struct mamori_error err;
	sqlite3_stmt *st = store_cached(s, begin, &err);
	int ok;

	if (st == NULL)
		return -1;
	ok = sqlite3_step(st) == SQLITE_DONE;
	store_release(s, st);
	/* the pragma reads the database, which starts the transaction's snapshot */
	return ok ? meta_data_version(s) : -1;
}

static void
meta_read_end(struct mamori_store *s)
{
	static const char commit[] = "COMMIT";
	struct mamori_error err;
	sqlite3_stmt *st;

	if (sqlite3_get_autocommit(s->db))
		return;
	if ((st = store_cached(s, commit, &err)) != NULL) {
		sqlite3_step(st);
		store_release(s, st);
	}
	if (!sqlite3_get_autocommit(s->db))	/* a read transaction cannot fail to end; still */
		store_exec(s, "ROLLBACK", NULL);
}

/* ---- meta and config ---- */

/* Runs a statement of SQL that binds two texts and returns no row. */
static int
put2(struct mamori_store *s, const char *sql, const char *a, const char *b, const char *what,
    struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, sql, err);
	int rc = 0;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	switch (sqlite3_step(st)) {
	case SQLITE_DONE:
		break;
	case SQLITE_CONSTRAINT:	/* a key stored already (meta_put's contract) */
		rc = mamori_error_set(err, MAMORI_E_CONFLICT, "%s: %s", what, sqlite3_errmsg(s->db));
		break;
	default:
		rc = store_error(s, err, what);
	}
	sqlite3_finalize(st);
	return rc;
}

/* The text of the one row of sql, which binds key, to fn (MAMORI_E_NOTFOUND: no row). */
static int
get1(struct mamori_store *s, const char *sql, const char *key, int (*fn)(const char *value, void *ctx),
    void *ctx, struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, sql, err);
	int rc, step;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		rc = fn(store_text(st, 0), ctx);
	else if (step == SQLITE_DONE)
		rc = MAMORI_E_NOTFOUND;
	else
		rc = store_error(s, err, "store");
	sqlite3_finalize(st);
	return rc;
}

static int
meta_put(struct mamori_store *s, const char *key, const char *value, struct mamori_error *err)
{
	return put2(s, "INSERT INTO meta (key, value) VALUES (?1, ?2)", key, value, "store", err);
}

static int
meta_get(struct mamori_store *s, const char *key, int (*fn)(const char *value, void *ctx), void *ctx,
    struct mamori_error *err)
{
	return get1(s, "SELECT value FROM meta WHERE key = ?1", key, fn, ctx, err);
}

static int
meta_config_set(struct mamori_store *s, const char *key, const char *value, struct mamori_error *err)
{
	return put2(s, "INSERT INTO config (key, value) VALUES (?1, ?2) "
	    "ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value, "store", err);
}

static int
meta_config_get(struct mamori_store *s, const char *key, int (*fn)(const char *value, void *ctx), void *ctx,
    struct mamori_error *err)
{
	return get1(s, "SELECT value FROM config WHERE key = ?1", key, fn, ctx, err);
}

/* ---- the policy table ---- */

static int
meta_policy_put(struct mamori_store *s, const char *id, const char *sha256, const char *json,
    const char *loaded_at, int64_t *version, struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "INSERT INTO policy (id, sha256, json, loaded_at) VALUES (?1, ?2, ?3, ?4)",
	    err);
	int rc = 0;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, json, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, loaded_at, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_error(s, err, "cannot store the policy");
	else
		*version = sqlite3_last_insert_rowid(s->db);
	sqlite3_finalize(st);
	return rc;
}

static int
meta_policy_version(struct mamori_store *s, int64_t *version, struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT coalesce(max(version), 0) FROM policy", err);
	int rc = 0;

	*version = 0;
	if (st == NULL)
		return MAMORI_E_STORE;
	if (sqlite3_step(st) == SQLITE_ROW)
		*version = sqlite3_column_int64(st, 0);
	else
		rc = store_error(s, err, "store");
	sqlite3_finalize(st);
	return rc;
}

static int
meta_policy_latest(struct mamori_store *s, int (*fn)(int64_t version, const char *json, void *ctx), void *ctx,
    struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT version, json FROM policy ORDER BY version DESC LIMIT 1", err);
	int rc, step;

	if (st == NULL)
		return MAMORI_E_STORE;
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		rc = fn(sqlite3_column_int64(st, 0), store_text(st, 1), ctx);
	else if (step == SQLITE_DONE)
		rc = MAMORI_E_NOTFOUND;
	else
		rc = store_error(s, err, "store");
	sqlite3_finalize(st);
	return rc;
}

const struct store_meta_ops store_sqlite_meta_ops = {
	.open = meta_open,
	.close = meta_close,
	.schema_version = meta_schema_version,
	.migrate = store_sqlite_migrate,
	.snapshot = meta_snapshot,
	.copy = meta_copy,
	.changes = meta_changes,
	.data_version = meta_data_version,
	.read_begin = meta_read_begin,
	.read_end = meta_read_end,
	.meta_put = meta_put,
	.meta_get = meta_get,
	.config_set = meta_config_set,
	.config_get = meta_config_get,
	.policy_put = meta_policy_put,
	.policy_version = meta_policy_version,
	.policy_latest = meta_policy_latest,
};
