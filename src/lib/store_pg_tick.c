/*
 * store_pg_tick.c — the scheduled work's questions in PostgreSQL, behind
 * store_tick_ops (store_ops_tick.h): the records a tick walks, the outbox of
 * notices, the attendance of training.c.  The same statements as
 * store_sqlite_tick.c; each result is read whole before the first callback,
 * so a callback may read the store on the same connection.
 */
#include "store_backend.h"
#include "store_internal.h"
#include "store_ops_tick.h"
#include "store_pg.h"

/* ---- records ---------------------------------------------------------- */

/* The rows of sql with two text parameters, column 0 to fn. */
static int
walk_column(struct mamori_store *s, const char *sql, const char *a, const char *b,
    int (*fn)(const char *id, void *ctx), void *ctx, struct mamori_error *err)
{
	struct store_pg_params p = { 0 };
	PGresult *r = NULL;
	int rc;

	store_pg_text(&p, a);
	store_pg_text(&p, b);
	if ((rc = store_pg_run(s, sql, &p, &r, err)) != 0)
		return rc;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++)
		rc = fn(store_pg_get(r, i, 0), ctx);
	PQclear(r);
	return rc;
}

/* The rows of sql with one text parameter, columns 0 and 1 to fn. */
static int
walk_pairs(struct mamori_store *s, const char *sql, const char *a,
    int (*fn)(const char *x, const char *y, void *ctx), void *ctx, struct mamori_error *err)
{
	struct store_pg_params p = { 0 };
	PGresult *r = NULL;
	int rc;

	store_pg_text(&p, a);
	if ((rc = store_pg_run(s, sql, &p, &r, err)) != 0)
		return rc;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++)
		rc = fn(store_pg_get(r, i, 0), store_pg_get(r, i, 1), ctx);
	PQclear(r);
	return rc;
}

static int
pg_in_state(struct mamori_store *s, const char *kind, const char *state,
    int (*fn)(const char *id, void *ctx), void *ctx, struct mamori_error *err)
{
	static const char sql[] = "SELECT id FROM record WHERE kind = $1 AND state = $2 ORDER BY num";

	return walk_column(s, sql, kind, state, fn, ctx, err);
}

static int
pg_of_kind(struct mamori_store *s, const char *kind,
    int (*fn)(const char *id, const char *state, void *ctx), void *ctx, struct mamori_error *err)
{
	static const char sql[] = "SELECT id, state FROM record WHERE kind = $1 ORDER BY num";

	return walk_pairs(s, sql, kind, fn, ctx, err);
}

static int
pg_fields_of_kind(struct mamori_store *s, const char *kind,
    int (*fn)(const char *state, const char *fields, void *ctx), void *ctx, struct mamori_error *err)
{
	static const char sql[] = "SELECT state, fields FROM record WHERE kind = $1";

	return walk_pairs(s, sql, kind, fn, ctx, err);
}

static int
pg_set_escalations(struct mamori_store_tx *tx, const char *id, int64_t n, struct mamori_error *err)
{
	static const char sql[] = "UPDATE record SET escalations = $1 WHERE id = $2";
	struct store_pg_params p = { 0 };

	store_pg_int(&p, n);
	store_pg_text(&p, id);
	return store_pg_run(tx->store, sql, &p, NULL, err);
}

static int
pg_event_bodies(struct mamori_store *s, const char *object_id, const char *action,
    int (*fn)(const char *body, void *ctx), void *ctx, struct mamori_error *err)
{
	/* one object's events (the index audit_event_object): few, read whole */
	static const char sql[] = "SELECT body FROM audit_event WHERE object_id = $1 AND action = $2";

	return walk_column(s, sql, object_id, action, fn, ctx, err);
}

/* ---- the outbox of notices -------------------------------------------- */

/* Column col of row i, NULL when NULL (the row's sent, error, kind, state). */
static const char *
nullable(const PGresult *r, int i, int col)
{
	return store_pg_null(r, i, col) ? NULL : store_pg_get(r, i, col);
}

static int
pg_notices(struct mamori_store *s, const char *account, int64_t limit,
    int (*fn)(const struct store_notice_row *n, void *ctx), void *ctx, struct mamori_error *err)
{
#define NOTICE_COLUMNS "SELECT n.num, n.record, n.recipient, n.reason, n.created, n.sent, n.error, " \
	"n.attempts, n.next_attempt, r.kind, r.state FROM record_notice n LEFT JOIN record r ON r.id = n.record"
	static const char all_sql[] = NOTICE_COLUMNS " ORDER BY n.num DESC LIMIT $1::bigint";
	static const char to_sql[] = NOTICE_COLUMNS " WHERE n.recipient = $1 ORDER BY n.num DESC LIMIT $2::bigint";
#undef NOTICE_COLUMNS
	struct store_pg_params p = { 0 };
	PGresult *r = NULL;
	int rc;

	if (account != NULL)
		store_pg_text(&p, account);
	/* SQLite's negative LIMIT is none; PostgreSQL's is LIMIT NULL */
	if (limit < 0)
		store_pg_text(&p, NULL);
	else
		store_pg_int(&p, limit);
	if ((rc = store_pg_run(s, account ? to_sql : all_sql, &p, &r, err)) != 0)
		return rc;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		struct store_notice_row n = {
			.num = store_pg_int64(r, i, 0),
			.record = store_pg_get(r, i, 1),
			.recipient = store_pg_get(r, i, 2),
			.reason = store_pg_get(r, i, 3),
			.created = store_pg_get(r, i, 4),
			.sent = nullable(r, i, 5),
			.error = nullable(r, i, 6),
			.attempts = (int)store_pg_int64(r, i, 7),
			.next_attempt = store_pg_int64(r, i, 8),
			.kind = nullable(r, i, 9),
			.state = nullable(r, i, 10),
		};
		rc = fn(&n, ctx);
	}
	PQclear(r);
	return rc;
}

const struct store_tick_ops store_pg_tick_ops = {
	.in_state = pg_in_state,
	.of_kind = pg_of_kind,
	.fields_of_kind = pg_fields_of_kind,
	.set_escalations = pg_set_escalations,
	.event_bodies = pg_event_bodies,
	.notices = pg_notices,
};
