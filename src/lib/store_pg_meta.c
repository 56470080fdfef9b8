/*
 * store_pg_meta.c — PostgreSQL's operations of the store itself
 * (store_ops_meta.h): the store's URL and the connection, the schema, the
 * meta, config and policy tables and the read snapshot.
 *
 * A store on PostgreSQL is named by a URL, libpq's with two parameters of
 * mamori's own, taken out before libpq sees it:
 *
 *   postgresql://[user@]host[:port]/dbname?files=PREFIX[&schema=NAME][&…libpq's]
 *
 * files=PREFIX (required) is where what SQLite keeps beside its file is kept
 * on this machine: PREFIX.key and PREFIX.pub (the signing key), PREFIX.totp-key,
 * PREFIX.files/ (files of records), PREFIX.mail-lock.  schema=NAME (default
 * "mamori") is the PostgreSQL schema the tables are in, so that one database
 * may hold several stores (the tests make one per store).
 */
#include "store_ops_meta.h"
#include "store_internal.h"
#include "store_pg.h"
#include "mamori/location.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the URL ---- */

/* %XX decoded in place (a URL's query value). */
static void
url_decode(char *v)
{
	char *o = v;

	for (; *v; v++) {
		unsigned hi, lo;
		if (*v == '%' && sscanf(v + 1, "%1x%1x", &hi, &lo) == 2) {
			*o++ = (char)(hi << 4 | lo);
			v += 2;
		} else
			*o++ = *v == '+' ? ' ' : *v;
	}
	*o = '\0';
}

/* A schema name mamori may put into SQL as it is: [a-z_][a-z0-9_]*, at most 63 bytes. */
static bool
schema_name_ok(const char *n)
{
	size_t len = strlen(n);

	if (len == 0 || len > 63 || !((*n >= 'a' && *n <= 'z') || *n == '_'))
		return false;
	return strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789_") == len;
}

/*
 * Splits s->location into libpq's URL (pg->conninfo), the schema and the
 * files prefix (s->path).  Returns 0 or MAMORI_E_USAGE with err saying what
 * the URL lacks.
 */
static int
url_split(struct mamori_store *s, struct store_pg *pg, struct mamori_error *err)
{
	const char *loc = s->location, *q = strchr(loc, '?');
	char *conninfo = malloc(strlen(loc) + 1), *query = NULL, *files = NULL, *schema = NULL, *tok, *save;
	char shown[4096];
	size_t n;
	int rc = 0;

	if (conninfo == NULL)
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	n = q ? (size_t)(q - loc) : strlen(loc);
	memcpy(conninfo, loc, n);
	conninfo[n] = '\0';
	if (q != NULL && (query = strdup(q + 1)) == NULL) {
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		goto out;
	}
	for (tok = query ? strtok_r(query, "&", &save) : NULL; tok; tok = strtok_r(NULL, "&", &save)) {
		if (strncmp(tok, "files=", 6) == 0) {
			files = tok + 6;
			url_decode(files);
		} else if (strncmp(tok, "schema=", 7) == 0) {
			schema = tok + 7;
			url_decode(schema);
		} else {	/* libpq's own, passed on as written (it fits: it was in loc) */
			n += (size_t)snprintf(conninfo + n, strlen(loc) + 1 - n, "%s%s",
			    strchr(conninfo, '?') ? "&" : "?", tok);
		}
	}
	mamori_location_masked(loc, shown, sizeof(shown));
	if (files == NULL || *files == '\0') {
		rc = mamori_error_set(err, MAMORI_E_USAGE, "%s: a PostgreSQL store needs files=PREFIX in its URL: "
		    "where this machine keeps the store's signing key, TOTP key and files of records "
		    "(e.g. postgresql:///mamori?files=/var/lib/mamori/store; docs/store.md, \"PostgreSQL\")", shown);
		goto out;
	}
	if (schema != NULL && !schema_name_ok(schema)) {
		rc = mamori_error_set(err, MAMORI_E_USAGE, "%s: schema=%s is not a schema name mamori uses: "
		    "lower-case letters, digits and _, starting with a letter or _, at most 63", shown, schema);
		goto out;
	}
	free(s->path);
	if ((s->path = strdup(files)) == NULL || (pg->schema = strdup(schema ? schema : "mamori")) == NULL) {
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		goto out;
	}
	pg->conninfo = conninfo;
	conninfo = NULL;
out:
	free(conninfo);
	free(query);
	return rc;
}

/* ---- the connection ---- */

static int
meta_open(struct mamori_store *s, enum store_open_mode mode, struct mamori_error *err)
{
	struct store_pg *pg = calloc(1, sizeof(*pg));
	char sql[256], shown[4096];
	int rc;

	if (pg == NULL)
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	s->pg = pg;
	/* recursive: a statement writes the audit events kept back first, by a
	 * statement of its own (store_pg_audit_flush) */
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&pg->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	pg->shared = mode == STORE_OPEN_SHARED;
	if ((rc = url_split(s, pg, err)) != 0)
		return rc;
	pg->conn = PQconnectdb(pg->conninfo);
	if (pg->conn == NULL || PQstatus(pg->conn) != CONNECTION_OK) {
		char msg[512];
		snprintf(msg, sizeof(msg), "%s", pg->conn ? PQerrorMessage(pg->conn) : "out of memory");
		msg[strcspn(msg, "\n")] = '\0';
		return mamori_error_set(err, MAMORI_E_IO, "cannot connect to the store %s: %s",
		    mamori_location_masked(s->location, shown, sizeof(shown)), msg);
	}
	/* the tables in the store's schema; the client's encoding UTF-8 whatever
	 * the environment says; a writer waits for another as long as SQLite's
	 * busy timeout lets it (store_sqlite_meta.c); kept, for a new connection
	 * after a lost one (store_pg.c) */
	if (mode == STORE_OPEN_CREATE) {
		/* quiet: no NOTICE that the schema exists (the check below says what matters) */
		snprintf(sql, sizeof(sql), "SET client_min_messages TO warning; CREATE SCHEMA IF NOT EXISTS %s",
		    pg->schema);
		if ((rc = store_pg_exec(s, sql, err)) != 0)
			return rc;
	}
	/* synchronous_commit on whatever the server's default: an acknowledged
	 * change is on disk (and on a synchronous standby's), as SQLite's
	 * synchronous=FULL makes it (docs/postgresql-ha.md) */
	snprintf(pg->session, sizeof(pg->session), "SET search_path TO %s; SET client_encoding TO 'UTF8'; "
	    "SET lock_timeout TO '5s'; SET client_min_messages TO warning; SET synchronous_commit TO on%s",
	    pg->schema,
	    mode == STORE_OPEN_READER ? "; SET default_transaction_read_only TO on" : "");
	if ((rc = store_pg_exec(s, pg->session, err)) != 0)
		return rc;
	if (mode == STORE_OPEN_CREATE) {
		int v = 0;
		if ((rc = s->backend->meta->schema_version(s, &v, err)) != 0)
			return rc;
		if (v != 0)
			return mamori_error_set(err, MAMORI_E_CONFLICT, "%s exists already (schema %s of that "
			    "database holds a store); mamori init makes a new store and never overwrites one",
			    mamori_location_masked(s->location, shown, sizeof(shown)), pg->schema);
	}
	return 0;
}

static void
meta_close(struct mamori_store *s)
{
	struct store_pg *pg = s->pg;

	if (pg == NULL)
		return;
	if (pg->conn != NULL)
		PQfinish(pg->conn);
	store_pg_audit_free(pg);
	pthread_mutex_destroy(&pg->lock);
	free(pg->conninfo);
	free(pg->schema);
	free(pg);
	s->pg = NULL;
}

/* ---- the schema ---- */

static int
meta_schema_version(struct mamori_store *s, int *version, struct mamori_error *err)
{
	static const char sql[] = "SELECT to_regclass('schema_version') IS NOT NULL";
	static const char ver[] = "SELECT max(version) FROM schema_version";
	PGresult *r = NULL;
	int rc;

	*version = 0;
	if ((rc = store_pg_run(s, sql, NULL, &r, err)) != 0)
		return rc;
	if (PQntuples(r) == 1 && strcmp(store_pg_get(r, 0, 0), "t") == 0) {
		PQclear(r);
		if ((rc = store_pg_run(s, ver, NULL, &r, err)) != 0)
			return rc;
		*version = PQntuples(r) == 1 ? (int)store_pg_int64(r, 0, 0) : 0;
	}
	PQclear(r);
	return 0;
}

static int
meta_migrate(struct mamori_store *s, int from, struct mamori_error *err)
{
	unsigned char key[32];
	char sql[64], shown[4096];
	int rc;

	/* PostgreSQL's stores begin at this schema (store_pg_schema.c) */
	if (from != 0)
		return mamori_error_set(err, MAMORI_E_VERSION, "%s: schema version %d has no migration on "
		    "PostgreSQL", mamori_location_masked(s->location, shown, sizeof(shown)), from);
	snprintf(sql, sizeof(sql), "INSERT INTO schema_version VALUES (%d)", MAMORI_STORE_SCHEMA);
	/* the key that seals TOTP secrets, PREFIX.totp-key: made as SQLite's
	 * migration 5 → 6 makes it (store_sqlite_schema.c) */
	if ((rc = store_secret_key(s, true, key, err)) != 0)
		return rc;
	sodium_memzero(key, sizeof(key));
	if ((rc = store_pg_exec(s, "BEGIN", err)) != 0)
		return rc;
	if ((rc = store_pg_exec(s, store_pg_schema_sql, err)) != 0 || (rc = store_pg_exec(s, sql, err)) != 0 ||
	    (rc = store_pg_exec(s, "COMMIT", err)) != 0) {
		store_pg_exec(s, "ROLLBACK", NULL);
		return rc;
	}
	return 0;
}

static int
meta_snapshot(struct mamori_store *s, const char *to, struct mamori_error *err)
{
	(void)s;
	(void)to;
	/* never asked: no PostgreSQL store is older than its schema (meta_migrate) */
	return mamori_error_set(err, MAMORI_E_STORE, "a PostgreSQL store is copied by pg_dump or "
	    "'mamori store copy', not into a file");
}

/* ---- the write transaction and the read snapshot ---- */

static int64_t
meta_changes(struct mamori_store *s)
{
	return s->pg->changes;
}

static int64_t
meta_data_version(struct mamori_store *s)
{
	static const char sql[] = "SELECT version FROM clock WHERE id = 1";
	struct mamori_error err;
	PGresult *r = NULL;
	int64_t v = -1;

	if (store_pg_run(s, sql, NULL, &r, &err) == 0 && PQntuples(r) == 1)
		v = store_pg_int64(r, 0, 0);
	PQclear(r);
	return v;
}

static void
meta_read_end(struct mamori_store *s)
{
	if (!s->pg->in_read)
		return;
	if (store_pg_exec(s, "COMMIT", NULL) != 0)
		store_pg_exec(s, "ROLLBACK", NULL);
	s->pg->in_read = false;
}

static int64_t
meta_read_begin(struct mamori_store *s)
{
	struct mamori_error err;
	int64_t v;

	/* not inside another transaction, as SQLite's BEGIN fails there: PostgreSQL's
	 * only warns, and read_end's COMMIT would then end a write transaction */
	if (PQtransactionStatus(s->pg->conn) != PQTRANS_IDLE)
		return -1;
	/* one snapshot for every statement until read_end, as SQLite's read
	 * transaction; the clock's version is read in it */
	if (store_pg_exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", &err) != 0)
		return -1;
	s->pg->in_read = true;
	/* a snapshot whose version cannot be read is ended here: the caller
	 * ends only a snapshot it was given (-1 tells it none is open) */
	if ((v = meta_data_version(s)) < 0)
		meta_read_end(s);
	return v;
}

/* ---- meta and config ---- */

static int
put2(struct mamori_store *s, const char *sql, const char *a, const char *b, struct mamori_error *err)
{
	struct store_pg_params p = { 0 };

	store_pg_text(&p, a);
	store_pg_text(&p, b);
	return store_pg_run(s, sql, &p, NULL, err);
}

/* The text of the one row of sql, which takes key, to fn (MAMORI_E_NOTFOUND: no row). */
static int
get1(struct mamori_store *s, const char *sql, const char *key, int (*fn)(const char *value, void *ctx),
    void *ctx, struct mamori_error *err)
{
	struct store_pg_params p = { 0 };
	PGresult *r = NULL;
	int rc;

	store_pg_text(&p, key);
	if ((rc = store_pg_run(s, sql, &p, &r, err)) != 0)
		return rc;
	rc = PQntuples(r) > 0 ? fn(store_pg_get(r, 0, 0), ctx) : MAMORI_E_NOTFOUND;
	PQclear(r);
	return rc;
}

static int
meta_put(struct mamori_store *s, const char *key, const char *value, struct mamori_error *err)
{
	static const char sql[] = "INSERT INTO meta (key, value) VALUES ($1, $2)";

	return put2(s, sql, key, value, err);
}

static int
meta_get(struct mamori_store *s, const char *key, int (*fn)(const char *value, void *ctx), void *ctx,
    struct mamori_error *err)
{
	static const char sql[] = "SELECT value FROM meta WHERE key = $1";

	return get1(s, sql, key, fn, ctx, err);
}

static int
meta_config_set(struct mamori_store *s, const char *key, const char *value, struct mamori_error *err)
{
	static const char sql[] = "INSERT INTO config (key, value) VALUES ($1, $2) "
	    "ON CONFLICT (key) DO UPDATE SET value = excluded.value";

	return put2(s, sql, key, value, err);
}

static int
meta_config_get(struct mamori_store *s, const char *key, int (*fn)(const char *value, void *ctx), void *ctx,
    struct mamori_error *err)
{
	static const char sql[] = "SELECT value FROM config WHERE key = $1";

	return get1(s, sql, key, fn, ctx, err);
}

/* ---- the policy table ---- */

static int
meta_policy_put(struct mamori_store *s, const char *id, const char *sha256, const char *json,
    const char *loaded_at, int64_t *version, struct mamori_error *err)
{
	/* numbered after the largest, as SQLite's AUTOINCREMENT: writers take
	 * turns (pg_begin), so no two take the same number, and a rolled back
	 * load leaves no gap */
	static const char sql[] = "INSERT INTO policy (version, id, sha256, json, loaded_at) "
	    "SELECT coalesce(max(version), 0) + 1, $1, $2, $3, $4 FROM policy RETURNING version";
	struct store_pg_params p = { 0 };
	PGresult *r = NULL;
	int rc;

	store_pg_text(&p, id);
	store_pg_text(&p, sha256);
	store_pg_text(&p, json);
	store_pg_text(&p, loaded_at);
	if ((rc = store_pg_run(s, sql, &p, &r, err)) != 0)
		return rc;
	*version = store_pg_int64(r, 0, 0);
	PQclear(r);
	return 0;
}

static int
meta_policy_version(struct mamori_store *s, int64_t *version, struct mamori_error *err)
{
	static const char sql[] = "SELECT coalesce(max(version), 0) FROM policy";
	PGresult *r = NULL;
	int rc;

	*version = 0;
	if ((rc = store_pg_run(s, sql, NULL, &r, err)) != 0)
		return rc;
	*version = store_pg_int64(r, 0, 0);
	PQclear(r);
	return 0;
}

static int
meta_policy_latest(struct mamori_store *s, int (*fn)(int64_t version, const char *json, void *ctx), void *ctx,
    struct mamori_error *err)
{
	static const char sql[] = "SELECT version, json FROM policy ORDER BY version DESC LIMIT 1";
	PGresult *r = NULL;
	int rc;

	if ((rc = store_pg_run(s, sql, NULL, &r, err)) != 0)
		return rc;
	rc = PQntuples(r) > 0 ? fn(store_pg_int64(r, 0, 0), store_pg_get(r, 0, 1), ctx) : MAMORI_E_NOTFOUND;
	PQclear(r);
	return rc;
}

const struct store_meta_ops store_pg_meta_ops = {
	.open = meta_open,
	.close = meta_close,
	.schema_version = meta_schema_version,
	.migrate = meta_migrate,
	.snapshot = meta_snapshot,
	.copy = NULL,		/* a file's copy (backup.c): a PostgreSQL store has pg_dump */
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
