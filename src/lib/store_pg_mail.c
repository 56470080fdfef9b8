/*
 * store_pg_mail.c — mail's storage in PostgreSQL, behind store_mail_ops
 * (store_ops_mail.h): the outbox, the table record_notice (its schema is
 * store_pg_schema.c's).  The same statements as store_sqlite_mail.c.
 */
#include "store_backend.h"
#include "store_internal.h"
#include "store_ops_mail.h"
#include "store_pg.h"

static int
pg_due(struct mamori_store *s, time_t now, int (*fn)(const struct store_mail_notice *n, void *ctx), void *ctx,
    struct mamori_error *err)
{
	/* a range of the partial index record_notice_unsent */
	static const char sql[] = "SELECT num, record, recipient, reason, created, attempts FROM record_notice "
	    "WHERE sent IS NULL AND next_attempt <= $1 ORDER BY next_attempt, num LIMIT 1";
	struct store_pg_params p = { 0 };
	PGresult *r = NULL;
	int rc;

	store_pg_int(&p, (int64_t)now);
	if ((rc = store_pg_run(s, sql, &p, &r, err)) != 0)
		return rc;
	if (PQntuples(r) > 0) {
		struct store_mail_notice n = {
			.num = store_pg_int64(r, 0, 0),
			.record = store_pg_get(r, 0, 1), .recipient = store_pg_get(r, 0, 2),
			.reason = store_pg_get(r, 0, 3), .created = store_pg_get(r, 0, 4),
			.attempts = (int)store_pg_int64(r, 0, 5),
		};
		rc = fn(&n, ctx);
	}
	PQclear(r);
	return rc;
}

static int
pg_put_off(struct mamori_store *s, int64_t num, time_t next, const char *error, bool attempt,
    struct mamori_error *err)
{
	static const char sql[] = "UPDATE record_notice SET next_attempt = $1, error = $2, attempts = attempts + $3 "
	    "WHERE num = $4";
	struct store_pg_params p = { 0 };

	store_pg_int(&p, (int64_t)next);
	store_pg_text(&p, error);
	store_pg_int(&p, attempt ? 1 : 0);
	store_pg_int(&p, num);
	return store_pg_run(s, sql, &p, NULL, err);
}

static int
pg_sent(struct mamori_store *s, int64_t num, const char *when, struct mamori_error *err)
{
	static const char sql[] = "UPDATE record_notice SET sent = $1, attempts = attempts + 1, error = NULL "
	    "WHERE num = $2";
	struct store_pg_params p = { 0 };

	store_pg_text(&p, when);
	store_pg_int(&p, num);
	return store_pg_run(s, sql, &p, NULL, err);
}

static int
pg_notice_put(struct mamori_store_tx *tx, const char *record, const char *recipient, const char *reason,
    const char *created, struct mamori_error *err)
{
	/* numbered as SQLite's rowid, the largest plus one (writers take turns) */
	static const char sql[] = "INSERT INTO record_notice (num, record, recipient, reason, created) "
	    "SELECT coalesce(max(num), 0) + 1, $1, $2, $3, $4 FROM record_notice";
	struct store_pg_params p = { 0 };

	store_pg_text(&p, record);
	store_pg_text(&p, recipient);
	store_pg_text(&p, reason);
	store_pg_text(&p, created);
	return store_pg_run(tx->store, sql, &p, NULL, err);
}

static int
pg_notice_exists(struct mamori_store *s, const char *record, const char *recipient, const char *reason,
    const char *since, bool *yes, struct mamori_error *err)
{
	/* a notice's time is never "" (every RFC 3339 time sorts after it in
	 * the column's "C" collation): no since, every notice */
	static const char to_sql[] = "SELECT 1 FROM record_notice WHERE record = $1 AND reason = $2 AND created > $3 "
	    "AND recipient = $4 LIMIT 1";
	static const char any_sql[] = "SELECT 1 FROM record_notice WHERE record = $1 AND reason = $2 AND created > $3 "
	    "LIMIT 1";
	struct store_pg_params p = { 0 };
	PGresult *r = NULL;
	int rc;

	*yes = false;
	store_pg_text(&p, record);
	store_pg_text(&p, reason);
	store_pg_text(&p, since ? since : "");
	if (recipient != NULL)
		store_pg_text(&p, recipient);
	if ((rc = store_pg_run(s, recipient ? to_sql : any_sql, &p, &r, err)) != 0)
		return rc;
	*yes = PQntuples(r) > 0;
	PQclear(r);
	return 0;
}

const struct store_mail_ops store_pg_mail_ops = {
	.due = pg_due,
	.put_off = pg_put_off,
	.sent = pg_sent,
	.notice_put = pg_notice_put,
	.notice_exists = pg_notice_exists,
};
