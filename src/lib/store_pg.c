/*
 * store_pg.c — PostgreSQL's backend: the struct that gathers its operations,
 * one struct per domain, each in its own store_pg_DOMAIN.c, the write
 * transaction, and the helpers every one of them uses (store_pg.h).  A store
 * named by a postgresql:// URL gets it at open (store.c).
 */
#include "store_backend.h"
#include "store_internal.h"
#include "store_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct store_audit_ops store_pg_audit_ops;
extern const struct store_asset_ops store_pg_asset_ops;
extern const struct store_user_ops store_pg_user_ops;
extern const struct store_record_ops store_pg_record_ops;
extern const struct store_file_ops store_pg_file_ops;
extern const struct store_tick_ops store_pg_tick_ops;
extern const struct store_check_ops store_pg_check_ops;
extern const struct store_mail_ops store_pg_mail_ops;
extern const struct store_meta_ops store_pg_meta_ops;

/* ---- parameters ---- */

static void
param(struct store_pg_params *p, const char *v, int len, int fmt)
{
	if (p->n >= STORE_PG_PARAMS_MAX)
		abort();	/* a statement of this backend's with too many: a bug, caught by its tests */
	p->val[p->n] = v;
	p->len[p->n] = len;
	p->fmt[p->n] = fmt;
	p->n++;
}

void
store_pg_text(struct store_pg_params *p, const char *v)
{
	param(p, v, 0, 0);
}

void
store_pg_int(struct store_pg_params *p, int64_t v)
{
	if (p->n >= STORE_PG_PARAMS_MAX)
		abort();
	snprintf(p->num[p->n], sizeof(p->num[p->n]), "%lld", (long long)v);
	param(p, p->num[p->n], 0, 0);
}

void
store_pg_bytes(struct store_pg_params *p, const void *v, size_t n)
{
	/* a bytea sent as binary; an empty one still needs a non-NULL pointer */
	param(p, n ? (const char *)v : "", (int)n, 1);
}

/* ---- statements ---- */

/* The first line of the server's or libpq's message. */
static const char *
pg_message(const PGresult *r, PGconn *c, char *buf, size_t n)
{
	const char *m = r ? PQresultErrorMessage(r) : NULL;

	if (m == NULL || *m == '\0')
		m = PQerrorMessage(c);
	snprintf(buf, n, "%s", m && *m ? m : "error");
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* Whether a command's status ("INSERT 0 3", "UPDATE 1", "SELECT 5") is a write's. */
static bool
wrote(const char *status)
{
	return status != NULL && (strncmp(status, "INSERT ", 7) == 0 || strncmp(status, "UPDATE ", 7) == 0 ||
	    strncmp(status, "DELETE ", 7) == 0);
}

/* 0 when r is a statement's success; otherwise err from it, CONFLICT for a key taken. */
static int
pg_check(struct mamori_store *s, PGresult *r, struct mamori_error *err)
{
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	const char *state, *n;
	char msg[512];

	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
		/* a SELECT's row count is told the same way: only writes count */
		if (wrote(PQcmdStatus(r)) && (n = PQcmdTuples(r)) != NULL && *n)
			s->pg->changes += strtoll(n, NULL, 10);
		return 0;
	}
	state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	pg_message(r, s->pg->conn, msg, sizeof(msg));
	if (state != NULL && strcmp(state, "23505") == 0)
		return mamori_error_set(err, MAMORI_E_CONFLICT, "store: %s", msg);
	return mamori_error_set(err, MAMORI_E_STORE, "store: %s", msg);
}

/* The name of sql's prepared statement on this connection, preparing it first; NULL: none (full, or failed). */
static const char *
prepared(struct mamori_store *s, const char *sql, int nparams, struct mamori_error *err, int *rc)
{
	struct store_pg *pg = s->pg;
	PGresult *r;
	size_t i;

	*rc = 0;
	for (i = 0; i < pg->nprepared; i++)
		if (pg->prepared[i].sql == sql)
			return pg->prepared[i].name;
	if (i == STORE_PG_PREPARED_MAX)
		return NULL;
	snprintf(pg->prepared[i].name, sizeof(pg->prepared[i].name), "m%zu", i);
	r = PQprepare(pg->conn, pg->prepared[i].name, sql, nparams, NULL);
	if ((*rc = pg_check(s, r, err)) != 0) {
		PQclear(r);
		return NULL;
	}
	PQclear(r);
	pg->prepared[i].sql = sql;
	pg->nprepared++;
	return pg->prepared[i].name;
}

int
store_pg_run_raw(struct mamori_store *s, const char *sql, bool cache, int n, const char *const *val,
    const int *len, const int *fmt, PGresult **res, struct mamori_error *err)
{
	struct store_pg *pg = s->pg;
	const char *name = NULL;
	PGresult *r;
	int rc = 0;

	if (res != NULL)
		*res = NULL;
	if (pg->shared)
		pthread_mutex_lock(&pg->lock);
	if ((rc = store_pg_audit_flush(s, err)) != 0)
		goto out;
	if (cache && (name = prepared(s, sql, n, err, &rc)) == NULL && rc != 0)
		goto out;
	if (name != NULL)
		r = PQexecPrepared(pg->conn, name, n, val, len, fmt, 0);
	else
		r = PQexecParams(pg->conn, sql, n, NULL, val, len, fmt, 0);
	if ((rc = pg_check(s, r, err)) != 0 || res == NULL)
		PQclear(r);
	else
		*res = r;
out:
	if (pg->shared)
		pthread_mutex_unlock(&pg->lock);
	return rc;
}

int
store_pg_run(struct mamori_store *s, const char *sql, const struct store_pg_params *p, PGresult **res,
    struct mamori_error *err)
{
	return store_pg_run_raw(s, sql, true, p ? p->n : 0, p ? p->val : NULL, p ? p->len : NULL,
	    p ? p->fmt : NULL, res, err);
}

int
store_pg_run_built(struct mamori_store *s, const char *sql, const struct store_pg_params *p, PGresult **res,
    struct mamori_error *err)
{
	return store_pg_run_raw(s, sql, false, p ? p->n : 0, p ? p->val : NULL, p ? p->len : NULL,
	    p ? p->fmt : NULL, res, err);
}

int
store_pg_exec(struct mamori_store *s, const char *sql, struct mamori_error *err)
{
	struct store_pg *pg = s->pg;
	PGresult *r;
	int rc;

	if (pg->shared)
		pthread_mutex_lock(&pg->lock);
	if ((rc = store_pg_audit_flush(s, err)) == 0) {
		r = PQexec(pg->conn, sql);
		rc = pg_check(s, r, err);
		PQclear(r);
	}
	if (pg->shared)
		pthread_mutex_unlock(&pg->lock);
	return rc;
}

/* ---- columns ---- */

const char *
store_pg_get(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
}

bool
store_pg_null(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) != 0;
}

int64_t
store_pg_int64(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	    c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

size_t
store_pg_blob(const PGresult *r, int row, int col, unsigned char *out, size_t cap)
{
	/* bytea in text results is hex: \x0a1b… (bytea_output's default since 9.0) */
	const char *v;
	size_t len;

	if (PQgetisnull(r, row, col))
		return 0;
	v = PQgetvalue(r, row, col);
	if (v[0] != '\\' || v[1] != 'x')
		return 0;
	v += 2;
	len = strlen(v) / 2;
	if (len <= cap)
		for (size_t i = 0; i < len; i++) {
			int hi = hexval(v[2 * i]), lo = hexval(v[2 * i + 1]);
			if (hi < 0 || lo < 0)
				return 0;
			out[i] = (unsigned char)(hi << 4 | lo);
		}
	return len;
}

bool
store_pg_hash(const PGresult *r, int row, int col, unsigned char out[32])
{
	unsigned char h[32];

	if (store_pg_blob(r, row, col, h, sizeof(h)) != sizeof(h))
		return false;
	memcpy(out, h, sizeof(h));
	return true;
}

/* ---- the write transaction ---- */

/*
 * BEGIN, then the clock's row locked and moved: writers on every connection
 * and every machine take turns here, as SQLite's BEGIN IMMEDIATE makes them
 * (the ops that number things rely on it, store_backend.h), and readers see
 * the version move when this commits (data_version).  Read committed: once
 * the lock is held, every statement sees what the writers before committed.
 */
static int
pg_begin(struct mamori_store *s, struct mamori_error *err)
{
	int rc = store_pg_exec(s, "BEGIN; UPDATE clock SET version = version + 1 WHERE id = 1", err);

	if (rc == 0)
		s->pg->in_write = true;
	else
		store_pg_exec(s, "ROLLBACK", NULL);
	return rc;
}

/*
 * COMMIT of a transaction a failed statement aborted answers "ROLLBACK"
 * without an error: a write whose failure went unseen (a batch written at
 * the end, whose op returns nothing) must not be told it committed.
 */
static int
pg_commit(struct mamori_store *s, struct mamori_error *err)
{
	static const char sql[] = "COMMIT";
	PGresult *r = NULL;
	int rc = store_pg_run_built(s, sql, NULL, &r, err);

	if (rc == 0 && strncmp(PQcmdStatus(r), "COMMIT", 6) != 0)
		rc = mamori_error_set(err, MAMORI_E_STORE, "store: the transaction failed and was rolled back");
	PQclear(r);
	s->pg->in_write = false;
	return rc;
}

static void
pg_rollback(struct mamori_store *s)
{
	store_pg_audit_discard(s);
	store_pg_exec(s, "ROLLBACK", NULL);
	s->pg->in_write = false;
}

const struct store_backend store_backend_pg = {
	.name = "postgresql",
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,

	.audit = &store_pg_audit_ops,

	.asset = &store_pg_asset_ops,

	.user = &store_pg_user_ops,

	.record = &store_pg_record_ops,

	.file = &store_pg_file_ops,

	.tick = &store_pg_tick_ops,

	.check = &store_pg_check_ops,

	.mail = &store_pg_mail_ops,

	.meta = &store_pg_meta_ops,

	.copy = &store_pg_copy_ops,
};
