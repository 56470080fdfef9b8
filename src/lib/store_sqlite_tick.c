/*
 * store_sqlite_tick.c — the scheduled work's questions in SQLite, behind
 * store_tick_ops (store_ops_tick.h): the records a tick walks, the outbox of
 * notices, the attendance of training.c.  Every statement of record_tick.c and
 * training.c is here.
 */
#include "store_ops_tick.h"
#include "store_internal.h"
#include "store_sqlite.h"

#include <stdio.h>


/* ---- records ---------------------------------------------------------- */

static int
sqlite_in_state(struct mamori_store *s, const char *kind, const char *state,
    int (*fn)(const char *id, void *ctx), void *ctx, struct mamori_error *err)
{
	sqlite3_stmt *q = store_prepare(s, "SELECT id FROM record WHERE kind = ? AND state = ? ORDER BY num", err);
	int rc = 0, step = SQLITE_DONE;

	if (q == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, state, -1, SQLITE_STATIC);
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW)
		rc = fn((const char *)sqlite3_column_text(q, 0), ctx);
	rc = store_walk_end(s, rc, step, err, "cannot list the records");
	sqlite3_finalize(q);
	return rc;
}

static int
sqlite_of_kind(struct mamori_store *s, const char *kind,
    int (*fn)(const char *id, const char *state, void *ctx), void *ctx, struct mamori_error *err)
{
	sqlite3_stmt *q = store_prepare(s, "SELECT id, state FROM record WHERE kind = ? ORDER BY num", err);
	int rc = 0, step = SQLITE_DONE;

	if (q == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW)
		rc = fn((const char *)sqlite3_column_text(q, 0), (const char *)sqlite3_column_text(q, 1), ctx);
	rc = store_walk_end(s, rc, step, err, "cannot list the records");
	sqlite3_finalize(q);
	return rc;
}

static int
sqlite_fields_of_kind(struct mamori_store *s, const char *kind,
    int (*fn)(const char *state, const char *fields, void *ctx), void *ctx, struct mamori_error *err)
{
	sqlite3_stmt *q = store_prepare(s, "SELECT state, fields FROM record WHERE kind = ?", err);
	int rc = 0, step = SQLITE_DONE;

	if (q == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW)
		rc = fn((const char *)sqlite3_column_text(q, 0), (const char *)sqlite3_column_text(q, 1), ctx);
	rc = store_walk_end(s, rc, step, err, "cannot read the records");
	sqlite3_finalize(q);
	return rc;
}

static int
sqlite_set_escalations(struct mamori_store_tx *tx, const char *id, int64_t n, struct mamori_error *err)
{
	static const char sql[] = "UPDATE record SET escalations = ? WHERE id = ?";
	sqlite3_stmt *st = store_cached(tx->store, sql, err);
	int rc;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_int64(st, 1, n);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	store_release(tx->store, st);
	return rc == SQLITE_DONE ? 0 : store_error(tx->store, err, "cannot update the record");
}

static int
sqlite_event_bodies(struct mamori_store *s, const char *object_id, const char *action,
    int (*fn)(const char *body, void *ctx), void *ctx, struct mamori_error *err)
{
	static const char sql[] = "SELECT body FROM audit_event WHERE object_id = ? AND action = ?";
	sqlite3_stmt *st = store_cached(s, sql, err);
	int rc = 0, step = SQLITE_DONE;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, object_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, action, -1, SQLITE_TRANSIENT);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = fn((const char *)sqlite3_column_text(st, 0), ctx);
	rc = store_walk_end(s, rc, step, err, "cannot read the audit trail");
	store_release(s, st);
	return rc;
}

/* ---- the outbox of notices -------------------------------------------- */

static int
sqlite_notices(struct mamori_store *s, const char *account, int64_t limit,
    int (*fn)(const struct store_notice_row *n, void *ctx), void *ctx, struct mamori_error *err)
{
	char sql[320];
	sqlite3_stmt *st;
	int rc = 0, step = SQLITE_DONE;

	snprintf(sql, sizeof(sql), "SELECT n.num, n.record, n.recipient, n.reason, n.created, n.sent, n.error, "
	    "n.attempts, n.next_attempt, r.kind, r.state FROM record_notice n LEFT JOIN record r ON r.id = n.record"
	    "%s ORDER BY n.num DESC LIMIT ?", account ? " WHERE n.recipient = ?" : "");
	if ((st = store_prepare(s, sql, err)) == NULL)
		return MAMORI_E_STORE;
	if (account)
		sqlite3_bind_text(st, 1, account, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, account ? 2 : 1, limit);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_notice_row n = {
			.num = sqlite3_column_int64(st, 0),
			.record = (const char *)sqlite3_column_text(st, 1),
			.recipient = (const char *)sqlite3_column_text(st, 2),
			.reason = (const char *)sqlite3_column_text(st, 3),
			.created = (const char *)sqlite3_column_text(st, 4),
			.sent = (const char *)sqlite3_column_text(st, 5),
			.error = (const char *)sqlite3_column_text(st, 6),
			.attempts = sqlite3_column_int(st, 7),
			.next_attempt = sqlite3_column_int64(st, 8),
			.kind = (const char *)sqlite3_column_text(st, 9),
			.state = (const char *)sqlite3_column_text(st, 10),
		};
		rc = fn(&n, ctx);
	}
	rc = store_walk_end(s, rc, step, err, "cannot list the notices");
	sqlite3_finalize(st);
	return rc;
}

const struct store_tick_ops store_sqlite_tick_ops = {
	.in_state = sqlite_in_state,
	.of_kind = sqlite_of_kind,
	.fields_of_kind = sqlite_fields_of_kind,
	.set_escalations = sqlite_set_escalations,
	.event_bodies = sqlite_event_bodies,
	.notices = sqlite_notices,
};
