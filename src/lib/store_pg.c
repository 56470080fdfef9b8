/*
 * store_pg.c — PostgreSQL's backend: the struct that gathers its operations,
 * one struct per domain, each in its own store_pg_DOMAIN.c, the write
 * transaction, and the helpers every one of them uses (store_pg.h).  A store
 * named by a postgresql:// URL gets it at open (store.c).
 */
#include "store_backend.h"
#include "store_internal.h"
#include "store_pg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

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

/*
 * Whether a statement's error (SQLSTATE state) is the connection's: libpq's
 * own (no SQLSTATE: "server closed the connection unexpectedly" — which
 * libpq may report before its status says CONNECTION_BAD), a connection
 * exception (08…), or the server ending the session (57P…: shut down,
 * crashed, still starting, idle_session_timeout).
 */
static bool
connection_error(const struct store_pg *pg, const char *state)
{
	return PQstatus(pg->conn) == CONNECTION_BAD || state == NULL || strncmp(state, "08", 2) == 0 ||
	    strncmp(state, "57P", 3) == 0;
}

/*
 * 0 when r is a statement's success; otherwise err from it, CONFLICT for a
 * key taken; pg->dropped tells whether the error was the connection's.
 */
static int
pg_check(struct mamori_store *s, PGresult *r, struct mamori_error *err)
{
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	const char *state, *n;
	char msg[512];

	s->pg->dropped = false;
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
		/* a SELECT's row count is told the same way: only writes count */
		if (wrote(PQcmdStatus(r)) && (n = PQcmdTuples(r)) != NULL && *n)
			s->pg->changes += strtoll(n, NULL, 10);
		return 0;
	}
	state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	s->pg->dropped = connection_error(s->pg, state);
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

/*
 * How a statement is sent: prepared once per connection (store_pg_run), with
 * its parameters but prepared for this call only (store_pg_run_built), or as
 * a script of one or more statements without parameters (store_pg_exec).
 * Every one of them writes the audit events kept back first
 * (store_pg_audit_flush).
 */
enum how { HOW_PREPARED, HOW_BUILT, HOW_SCRIPT };

/* A statement's parameters as libpq takes them. */
struct stmt_params {
	int n;
	const char *const *val;
	const int *len, *fmt;
};

/* One try of a statement on the connection as it is. */
static int
attempt(struct mamori_store *s, enum how how, const char *sql, const struct stmt_params *p, PGresult **res,
    struct mamori_error *err)
{
	struct store_pg *pg = s->pg;
	const char *name = NULL;
	PGresult *r;
	int rc = 0;

	if (how == HOW_PREPARED && (name = prepared(s, sql, p->n, err, &rc)) == NULL && rc != 0)
		return rc;
	if (how == HOW_SCRIPT)
		r = PQexec(pg->conn, sql);
	else if (name != NULL)
		r = PQexecPrepared(pg->conn, name, p->n, p->val, p->len, p->fmt, 0);
	else
		r = PQexecParams(pg->conn, sql, p->n, NULL, p->val, p->len, p->fmt, 0);
	if ((rc = pg_check(s, r, err)) != 0 || res == NULL)
		PQclear(r);
	else
		*res = r;
	return rc;
}

/* ---- a lost connection ---- */

/*
 * The server may go away under a connection that lives as long as the
 * process: restarted, or a primary that failed, its standby promoted.  A
 * statement that finds the connection gone between transactions connects
 * again and runs once more.  libpq tries every host of the URL again, so
 * `host=a,b&target_session_attrs=read-write` finds the new primary; it tries
 * for RECONNECT_SECONDS, pausing longer each time, so that a failover of a
 * few seconds is ridden through (after a wait in vain, once a statement,
 * until a try succeeds).  Inside a transaction (a write's, begun by
 * pg_begin, or a read snapshot) the statement fails: the transaction died
 * with the connection, the caller's change is not made and not acknowledged,
 * and the next transaction connects again.  A COMMIT whose answer was lost
 * may or may not have committed (PostgreSQL cannot say which); it fails too,
 * so that nothing is acknowledged that might be lost, though something
 * reported failed may stand (docs/postgresql-ha.md).
 */
enum { RECONNECT_SECONDS = 30, RECONNECT_PAUSE_MS = 100, RECONNECT_PAUSE_MAX_MS = 2000 };

static bool
lost(const struct store_pg *pg)
{
	return pg->dropped || PQstatus(pg->conn) == CONNECTION_BAD;
}

/* A statement that ends a transaction: on a new connection there is nothing for it to end. */
static bool
ends_transaction(const char *sql)
{
	return strcmp(sql, "COMMIT") == 0 || strcmp(sql, "ROLLBACK") == 0;
}

/* Whether sql writes by itself (its first word INSERT, UPDATE, DELETE or COPY). */
static bool
writes_alone(const char *sql)
{
	static const char *const verbs[] = { "INSERT", "UPDATE", "DELETE", "COPY" };

	sql += strspn(sql, " \t\n(");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strncasecmp(sql, verbs[i], strlen(verbs[i])) == 0)
			return true;
	return false;
}

/*
 * Whether sql may be run again on a new connection should this one be lost
 * under it: no transaction is open, so it either ran alone or not at all, and
 * running it twice changes nothing a first run did not.  Most of the
 * backend's writes run in pg_begin's transaction; one outside it (the
 * outbox's attempts + 1) may have run before its answer was lost, so it fails
 * instead, and its caller tries again later, as after any failure.
 */
static bool
may_run_again(const struct store_pg *pg, const char *sql)
{
	return !pg->in_write && !pg->in_read && PQtransactionStatus(pg->conn) == PQTRANS_IDLE &&
	    !ends_transaction(sql) && !writes_alone(sql);
}

static double
seconds_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void
pause_ms(long ms)
{
	struct timespec t = { ms / 1000, ms % 1000 * 1000000L };

	while (nanosleep(&t, &t) != 0 && errno == EINTR)
		;
}

/* The session's settings (meta_open's) on a new connection; true when they took. */
static bool
session_set(struct store_pg *pg, char *msg, size_t n)
{
	PGresult *r;
	bool ok;

	if (pg->session[0] == '\0')	/* lost while meta_open was still connecting */
		return true;
	r = PQexec(pg->conn, pg->session);
	ok = r != NULL && PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		pg_message(r, pg->conn, msg, n);
	PQclear(r);
	return ok;
}

/*
 * Connects again, to whichever host of the URL takes it, with the session's
 * settings; the statements prepared on the old connection are gone with it.
 * Tries for RECONNECT_SECONDS, or once when the last such wait ended without
 * a connection (the database is still down: the requests queued behind this
 * one get their error now, not one full wait after another).  Called with
 * the connection's lock held (the threads of a shared store wait meanwhile,
 * as they would for the answer).
 */
static int
reconnect(struct mamori_store *s, struct mamori_error *err)
{
	struct store_pg *pg = s->pg;
	double start = seconds_now();
	long ms = RECONNECT_PAUSE_MS;
	char msg[512];

	pg->nprepared = 0;
	for (;;) {
		PQreset(pg->conn);
		if (PQstatus(pg->conn) == CONNECTION_OK && session_set(pg, msg, sizeof(msg))) {
			pg->dropped = pg->unreachable = false;
			return 0;
		}
		if (PQstatus(pg->conn) != CONNECTION_OK)
			pg_message(NULL, pg->conn, msg, sizeof(msg));
		if (pg->unreachable || seconds_now() - start >= RECONNECT_SECONDS)
			break;
		pause_ms(ms);
		ms = ms * 2 > RECONNECT_PAUSE_MAX_MS ? RECONNECT_PAUSE_MAX_MS : ms * 2;
	}
	pg->unreachable = true;
	return mamori_error_set(err, MAMORI_E_STORE, "store: the connection to PostgreSQL was lost and could not "
	    "be made again in %d s: %s", RECONNECT_SECONDS, msg);
}

/*
 * The error of a statement whose transaction was lost with the connection:
 * found lost before it was sent, or under it (sent: a COMMIT then may have
 * committed).
 */
static int
lost_in_transaction(struct mamori_store *s, const char *sql, bool sent, struct mamori_error *err)
{
	char msg[512];

	pg_message(NULL, s->pg->conn, msg, sizeof(msg));
	if (sent && strcmp(sql, "COMMIT") == 0)
		return mamori_error_set(err, MAMORI_E_STORE, "store: the connection to PostgreSQL was lost at "
		    "COMMIT (%s): whether the transaction was committed is not known, so it is reported as failed",
		    msg);
	return mamori_error_set(err, MAMORI_E_STORE, "store: the connection to PostgreSQL was lost during a "
	    "transaction (%s): the transaction is void; the next one connects again", msg);
}

/*
 * Runs sql once, or twice around a new connection when the connection was
 * found lost where that is safe (may_run_again): before the statement (lost
 * since the last one), or under it.
 */
static int
run(struct mamori_store *s, enum how how, const char *sql, const struct stmt_params *p, PGresult **res,
    struct mamori_error *err)
{
	struct store_pg *pg = s->pg;
	bool again;
	int rc;

	if (res != NULL)
		*res = NULL;
	if (pg->shared)
		pthread_mutex_lock(&pg->lock);
	if (lost(pg)) {
		rc = pg->in_write || pg->in_read || ends_transaction(sql) ? lost_in_transaction(s, sql, false, err) :
		    reconnect(s, err);
		if (rc != 0)
			goto out;
	}
	/* the events kept back go first, by a statement of their own: lost
	 * there, its error says so (a write's, never this statement's) */
	if ((rc = store_pg_audit_flush(s, err)) != 0)
		goto out;
	again = may_run_again(pg, sql);
	if ((rc = attempt(s, how, sql, p, res, err)) != 0 && lost(pg)) {
		if (!again)
			rc = lost_in_transaction(s, sql, true, err);
		else if ((rc = reconnect(s, err)) == 0)
			rc = attempt(s, how, sql, p, res, err);
	}
out:
	if (pg->shared)
		pthread_mutex_unlock(&pg->lock);
	return rc;
}

int
store_pg_run_raw(struct mamori_store *s, const char *sql, bool cache, int n, const char *const *val,
    const int *len, const int *fmt, PGresult **res, struct mamori_error *err)
{
	struct stmt_params p = { n, val, len, fmt };

	return run(s, cache ? HOW_PREPARED : HOW_BUILT, sql, &p, res, err);
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
	struct stmt_params none = { 0, NULL, NULL, NULL };

	return run(s, HOW_SCRIPT, sql, &none, NULL, err);
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
