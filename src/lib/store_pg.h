/*
 * store_pg.h — what PostgreSQL's backend files (store_pg*.c) share: the
 * connection's state, the statements run on it with their parameters, and
 * the reading of result columns.  (internal)
 *
 * Only PostgreSQL's backend files include it, as only SQLite's include
 * store_sqlite.h (tests/cli/store_layers.sh checks it).  The backend lives in
 * its own library (libmamori_pg, linked whole into mamori-full, the server
 * and the tests): `mamori` itself does not load libpq, and runs mamori-full
 * for a store named by a postgresql:// URL (main.c).
 */
#ifndef MAMORI_STORE_PG_H
#define MAMORI_STORE_PG_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mamori/error.h"

struct mamori_store;

enum { STORE_PG_PREPARED_MAX = 256, STORE_PG_PARAMS_MAX = 24, STORE_PG_BATCH = 256 };

struct store_pg_pending;

/*
 * A connection to PostgreSQL, s->pg: what SQLite keeps in s->db and the
 * statement caches.  Statements are prepared once per connection, named by
 * the address of their SQL text (a string literal), as store_cached does.
 */
struct store_pg {
	PGconn *conn;
	char *conninfo;		/* the URL libpq was given (without mamori's own parameters) */
	char *schema;		/* the schema the store's tables are in ("mamori") */
	char session[512];	/* the session's settings (SET search_path …), run on every connection */
	bool shared;		/* STORE_OPEN_SHARED: threads take lock around each statement */
	pthread_mutex_t lock;
	int64_t changes;	/* rows changed by this connection since it opened */
	bool in_read;		/* a read snapshot (read_begin) is open */
	bool in_write;		/* a write transaction (begin) is open */
	bool dropped;		/* the last statement failed with the connection (store_pg.c) */
	bool unreachable;	/* the last wait for a new connection ended without one (store_pg.c) */
	struct {
		const char *sql;
		char name[12];
	} prepared[STORE_PG_PREPARED_MAX];
	size_t nprepared;
	/* audit events appended and not yet written (store_pg_audit.c), and
	 * the INSERT of a full batch of them */
	struct store_pg_pending *pending;
	char *batch_sql;
};

/*
 * Parameters of one statement, $1 … $n in the order they are added: text
 * (NULL is SQL's NULL), integers (written as text) and bytes (sent as binary
 * bytea).  Lives on the caller's stack; the values are lent, not copied,
 * except the integers.
 */
struct store_pg_params {
	int n;
	const char *val[STORE_PG_PARAMS_MAX];
	int len[STORE_PG_PARAMS_MAX];
	int fmt[STORE_PG_PARAMS_MAX];
	char num[STORE_PG_PARAMS_MAX][24];
};

void store_pg_text(struct store_pg_params *p, const char *v);
void store_pg_int(struct store_pg_params *p, int64_t v);
void store_pg_bytes(struct store_pg_params *p, const void *v, size_t n);

/*
 * Runs sql (a string literal: prepared once per connection, by its address)
 * with p (NULL: no parameters).  Returns 0 with *res the result (the caller
 * PQclears it; res may be NULL when the rows are not wanted), or
 * MAMORI_E_CONFLICT (a unique or primary key already taken) or
 * MAMORI_E_STORE, with err filled.  Rows an INSERT, UPDATE or DELETE changed
 * count in the connection's changes.
 */
int store_pg_run(struct mamori_store *s, const char *sql, const struct store_pg_params *p, PGresult **res,
    struct mamori_error *err);

/* As store_pg_run, for SQL built at run time: prepared for this call only. */
int store_pg_run_built(struct mamori_store *s, const char *sql, const struct store_pg_params *p, PGresult **res,
    struct mamori_error *err);

/*
 * As store_pg_run with the parameters as libpq takes them (n values, their
 * lengths and formats), prepared once per connection by sql's address when
 * cache is true: for a statement with more parameters than
 * struct store_pg_params holds (the audit trail's batches).
 */
int store_pg_run_raw(struct mamori_store *s, const char *sql, bool cache, int n, const char *const *val,
    const int *len, const int *fmt, PGresult **res, struct mamori_error *err);

/* Runs one or more statements with no parameters and no rows wanted (BEGIN, DDL). */
int store_pg_exec(struct mamori_store *s, const char *sql, struct mamori_error *err);

/* A text column as a string: "" for NULL, never a NULL pointer. */
const char *store_pg_get(const PGresult *r, int row, int col);

/* Whether a column is NULL. */
bool store_pg_null(const PGresult *r, int row, int col);

/* An integer column (0 for NULL or a value that is not a number). */
int64_t store_pg_int64(const PGresult *r, int row, int col);

/*
 * A bytea column: its stored length, its bytes copied into out when they
 * fit in cap (a hash: cap 32; a hash of another length is told by the length).
 */
size_t store_pg_blob(const PGresult *r, int row, int col, unsigned char *out, size_t cap);

/* A bytea column of exactly 32 bytes into out; false (out untouched) otherwise. */
bool store_pg_hash(const PGresult *r, int row, int col, unsigned char out[32]);

/*
 * Writes the audit events appended and kept back (store_pg_audit.c): every
 * statement on the connection runs it first, so that nothing reads the
 * trail without them and COMMIT commits them.  0 or a MAMORI_E_* code.
 */
int store_pg_audit_flush(struct mamori_store *s, struct mamori_error *err);

/* Drops the events kept back (the transaction is rolled back). */
void store_pg_audit_discard(struct mamori_store *s);

/* Frees what the audit trail kept in s->pg (meta_close). */
void store_pg_audit_free(struct store_pg *pg);

/* The schema's DDL, version MAMORI_STORE_SCHEMA (store_pg_schema.c). */
extern const char store_pg_schema_sql[];

#endif
