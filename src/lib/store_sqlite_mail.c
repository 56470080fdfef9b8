/*
 * store_sqlite_mail.c — mail's storage in SQLite, behind store_mail_ops
 * (store_ops_mail.h): the outbox, the table record_notice (its schema is
 * store_sqlite_schema.c's migrations).
 */
#include "store_ops_mail.h"
#include "store_internal.h"
#include "store_sqlite.h"

#include <stdio.h>


static int
due(struct mamori_store *s, time_t now, int (*fn)(const struct store_mail_notice *n, void *ctx), void *ctx,
    struct mamori_error *err)
{
	/* a range of the partial index record_notice_unsent */
	static const char sql[] = "SELECT num, record, recipient, reason, created, attempts FROM record_notice "
	    "WHERE sent IS NULL AND next_attempt <= ? ORDER BY next_attempt, num LIMIT 1";
	sqlite3_stmt *st = store_cached(s, sql, err);
	int rc = 0, step;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_int64(st, 1, (int64_t)now);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		struct store_mail_notice n = {
			.num = sqlite3_column_int64(st, 0),
			.record = store_text(st, 1), .recipient = store_text(st, 2), .reason = store_text(st, 3), .created = store_text(st, 4),
			.attempts = sqlite3_column_int(st, 5),
		};
		rc = fn(&n, ctx);
	} else if (step != SQLITE_DONE) {
		rc = store_error(s, err, "cannot read the outbox");
	}
	store_release(s, st);
	return rc;
}

static int
put_off(struct mamori_store *s, int64_t num, time_t next, const char *error, bool attempt, struct mamori_error *err)
{
	static const char sql[] = "UPDATE record_notice SET next_attempt = ?, error = ?, attempts = attempts + ? "
	    "WHERE num = ?";
	sqlite3_stmt *st = store_cached(s, sql, err);
	int step;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_int64(st, 1, (int64_t)next);
	sqlite3_bind_text(st, 2, error, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 3, attempt ? 1 : 0);
	sqlite3_bind_int64(st, 4, num);
	step = sqlite3_step(st);
	store_release(s, st);
	return step == SQLITE_DONE ? 0 : store_error(s, err, "cannot update the outbox");
}

static int
sent(struct mamori_store *s, int64_t num, const char *when, struct mamori_error *err)
{
	static const char sql[] = "UPDATE record_notice SET sent = ?, attempts = attempts + 1, error = NULL "
	    "WHERE num = ?";
	sqlite3_stmt *st = store_cached(s, sql, err);
	int step;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, when, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, num);
	step = sqlite3_step(st);
	store_release(s, st);
	return step == SQLITE_DONE ? 0 : store_error(s, err, "cannot update the outbox");
}

static int
sqlite_notice_put(struct mamori_store_tx *tx, const char *record, const char *recipient, const char *reason,
    const char *created, struct mamori_error *err)
{
	static const char sql[] = "INSERT INTO record_notice (record, recipient, reason, created) VALUES (?, ?, ?, ?)";
	struct mamori_store *s = tx->store;
	sqlite3_stmt *st = store_cached(s, sql, err);
	int step;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, record, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, recipient, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, created, -1, SQLITE_TRANSIENT);
	step = sqlite3_step(st);
	store_release(s, st);
	return step == SQLITE_DONE ? 0 : store_error(s, err, "cannot write the notice");
}

static int
sqlite_notice_exists(struct mamori_store *s, const char *record, const char *recipient, const char *reason,
    const char *since, bool *yes, struct mamori_error *err)
{
	/* a notice's time is never "" (every RFC 3339 time sorts after it): no since, every notice */
	static const char to_sql[] = "SELECT 1 FROM record_notice WHERE record = ?1 AND reason = ?2 AND created > ?3 "
	    "AND recipient = ?4";
	static const char any_sql[] = "SELECT 1 FROM record_notice WHERE record = ?1 AND reason = ?2 AND created > ?3";
	sqlite3_stmt *st = store_cached(s, recipient ? to_sql : any_sql, err);
	int step;

	*yes = false;
	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, record, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, since ? since : "", -1, SQLITE_TRANSIENT);
	if (recipient != NULL)
		sqlite3_bind_text(st, 4, recipient, -1, SQLITE_TRANSIENT);
	step = sqlite3_step(st);
	*yes = step == SQLITE_ROW;
	store_release(s, st);
	return step == SQLITE_ROW || step == SQLITE_DONE ? 0 : store_error(s, err, "cannot read the notices");
}

const struct store_mail_ops store_sqlite_mail_ops = {
	.due = due,
	.put_off = put_off,
	.notice_put = sqlite_notice_put,
	.notice_exists = sqlite_notice_exists,
	.sent = sent,
};
