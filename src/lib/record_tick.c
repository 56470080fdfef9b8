/*
 * record_tick.c — what time does to records: deadlines missed and escalated
 * up the roles' reports_to, automatic steps taken once their date has passed,
 * and the outbox of notices (mamori/record.h).
 */
#include "store_internal.h"
#include "mamori/record.h"
#include "mamori/tz.h"
#include "mamori/user.h"
#include "mamori/review.h"
#include "mamori/training.h"
#include "record_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Escalations at most per record and tick: a chain of roles is never longer. */
enum { ESCALATIONS_MAX = 16 };

struct tick_ctx {
	time_t now;
	char today[11];		/* in the organisation's zone */
	struct mamori_record_tick *out;
	struct mamori_error *err;
};

void
record_local_date(const struct mamori_policy *p, time_t now, char out[11])
{
	struct mamori_tz tz = { 0 };
	struct tm tm;
	time_t local;

	(void)mamori_tz_load(&tz, mamori_policy_timezone(p), NULL);
	local = now + mamori_tz_offset(&tz, now, NULL);
	mamori_tz_free(&tz);
	gmtime_r(&local, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/*
 * The role a record in state st is escalated to at level (1, 2 …): up the
 * reports_to of the first role that may take it on from st (or of the role
 * the state names), or NULL when the chain has ended.
 */
static const struct mamori_role *
escalation_role(const struct mamori_policy *p, const struct mamori_record_kind *k,
    const struct mamori_record_state *st, const char *reporter_role, long level)
{
	const struct mamori_role *r = NULL;
	long steps = level;

	if (strcmp(st->escalate, "reports_to") != 0) {
		r = mamori_policy_find_role(p, st->escalate);
		steps = level - 1;
	}
	for (size_t i = 0; r == NULL && i < k->ntransitions; i++)
		for (size_t j = 0; r == NULL && strcmp(k->transitions[i].from, st->id) == 0 && j < k->transitions[i].nby; j++)
			r = mamori_policy_find_role(p, k->transitions[i].by[j]);
	if (r == NULL)
		r = mamori_policy_find_role(p, reporter_role);
	for (long i = 0; r != NULL && i < steps; i++)
		r = r->reports_to ? mamori_policy_find_role(p, r->reports_to) : NULL;
	return r;
}

static int
set_escalations(struct mamori_store_tx *tx, const char *id, long n, struct mamori_error *err)
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
escalate(struct mamori_store_tx *tx, struct tick_ctx *c, const struct mamori_record_kind *k,
    const struct mamori_record_state *st, cJSON *rec)
{
	const struct mamori_policy *p = mamori_store_policy(tx->store);
	long secs = record_deadline_seconds(st->deadline), level;
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(rec, "id"));
	time_t since;
	struct tm tm = { 0 };
	int rc = 0;

	if (secs <= 0 || st->escalate == NULL)
		return 0;
	if (sscanf(cJSON_GetStringValue(cJSON_GetObjectItem(rec, "state_since")), "%d-%d-%dT%d:%d:%dZ", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return mamori_error_set(c->err, MAMORI_E_STORE, "record %s: unreadable state time", id);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	since = timegm(&tm);
	level = (long)cJSON_GetNumberValue(cJSON_GetObjectItem(rec, "escalations"));
	for (int i = 0; rc == 0 && i < ESCALATIONS_MAX && c->now >= since + secs * (level + 1); i++) {
		struct mamori_user u = { 0 };
		struct mamori_error uerr = { 0 };
		(void)mamori_user_get(tx->store, cJSON_GetStringValue(cJSON_GetObjectItem(rec, "reporter")), &u, &uerr);
		const struct mamori_role *r = escalation_role(p, k, st, u.role, level + 1);
		if (r == NULL)
			break;		/* the top of the chain has been told already */
		const char *names[1] = { r->id };
		size_t n = 0;
		char due[32];
		if ((rc = record_notify(tx, rec, names, 1, "record.escalate", &n)) != 0)
			break;
		cJSON *after = cJSON_CreateObject();
		cJSON_AddNumberToObject(after, "level", (double)(level + 1));
		cJSON_AddStringToObject(after, "role", r->id);
		cJSON_AddStringToObject(after, "deadline", record_utc(since + secs * (level + 1), due));
		cJSON_AddNumberToObject(after, "notified", (double)n);
		rc = mamori_store_tx_event(tx, "record.escalate", "record", id, NULL, after);
		cJSON_Delete(after);
		if (rc == 0)
			rc = set_escalations(tx, id, ++level, c->err);
		c->out->escalated++;
		c->out->notices += n;
	}
	return rc;
}

static int
automatic(struct mamori_store_tx *tx, struct tick_ctx *c, const struct mamori_record_kind *k, cJSON *rec)
{
	const cJSON *fields = cJSON_GetObjectItem(rec, "fields");
	const char *state = cJSON_GetStringValue(cJSON_GetObjectItem(rec, "state"));

	for (size_t i = 0; i < k->ntransitions; i++) {
		const struct mamori_record_transition *t = &k->transitions[i];
		const char *date = cJSON_GetStringValue(cJSON_GetObjectItem(fields, t->automatic ? t->automatic : ""));
		if (t->automatic == NULL || strcmp(t->from, state) != 0 || date == NULL || strncmp(date, c->today, 10) >= 0)
			continue;
		struct mamori_diags problems = { 0 };
		int rc = record_take(tx, k, rec, t, NULL, NULL, NULL, c->now, &problems, c->err);
		mamori_diags_clear(&problems);
		if (rc == 0)
			c->out->automatic++;
		return rc;
	}
	return 0;
}

/* The records of kind k in state st, each read as JSON, handed to escalate and automatic. */
static int
tick_state(struct mamori_store_tx *tx, struct tick_ctx *c, const struct mamori_record_kind *k,
    const struct mamori_record_state *st)
{
	static const char sql[] = "SELECT id FROM record WHERE kind = ? AND state = ? ORDER BY num";
	sqlite3_stmt *q = store_prepare(tx->store, sql, c->err);
	char **ids = NULL;
	size_t n = 0;
	int rc = 0, step;

	if (q == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(q, 1, k->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, st->id, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		char **grown = realloc(ids, (n + 1) * sizeof(*ids));
		if (grown == NULL || (grown[n] = strdup((const char *)sqlite3_column_text(q, 0))) == NULL) {
			ids = grown ? grown : ids;
			rc = mamori_error_set(c->err, MAMORI_E_NOMEM, "out of memory");
			break;
		}
		ids = grown;
		n++;
	}
	sqlite3_finalize(q);
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_error(tx->store, c->err, "cannot list the records");
	for (size_t i = 0; rc == 0 && i < n; i++) {
		cJSON *rec = NULL;
		if ((rc = record_read(tx->store, ids[i], &rec, c->err)) == 0 &&
		    (rc = escalate(tx, c, k, st, rec)) == 0)
			rc = automatic(tx, c, k, rec);
		cJSON_Delete(rec);
	}
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	return rc;
}

static bool
has_automatic(const struct mamori_record_kind *k, const char *state)
{
	for (size_t i = 0; i < k->ntransitions; i++)
		if (k->transitions[i].automatic && strcmp(k->transitions[i].from, state) == 0)
			return true;
	return false;
}

/* Whether the trail has told of account's being disabled for record id already. */
static int
told_inactive(struct mamori_store *s, const char *id, const char *account, bool *told, struct mamori_error *err)
{
	static const char sql[] = "SELECT body FROM audit_event WHERE object_id = ? AND action = 'record.account-inactive'";
	sqlite3_stmt *st = store_cached(s, sql, err);
	int rc;

	*told = false;
	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	while (!*told && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *body = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
		const cJSON *after = cJSON_GetObjectItem(body, "after");
		const char *a = cJSON_GetStringValue(cJSON_GetObjectItem(after ? after : body, "account"));
		*told = a != NULL && strcmp(a, account) == 0;
		cJSON_Delete(body);
	}
	store_release(s, st);
	return 0;
}

/* One account of field of rec: when disabled (or gone) and not told of yet, tell. */
static int
check_account(struct mamori_store_tx *tx, struct tick_ctx *c, const struct mamori_record_kind *k, const cJSON *rec,
    const char *field, const char *account)
{
	const struct mamori_record_active *a = &k->active_accounts;
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(rec, "id"));
	struct mamori_user u = { 0 };
	struct mamori_error uerr = { 0 };
	bool told, gone = mamori_user_get(tx->store, account, &u, &uerr) != 0;
	size_t n = 0;
	int rc;

	if (!gone && !u.disabled)
		return 0;
	if ((rc = told_inactive(tx->store, id, account, &told, c->err)) != 0 || told)
		return rc;
	if ((rc = record_notify(tx, rec, a->notify, a->nnotify, "record.account-inactive", &n)) != 0)
		return rc;
	cJSON *after = cJSON_CreateObject();
	cJSON_AddStringToObject(after, "field", field);
	cJSON_AddStringToObject(after, "account", account);
	cJSON_AddStringToObject(after, "account_state", gone ? "removed" : "disabled");
	cJSON_AddNumberToObject(after, "notified", (double)n);
	rc = mamori_store_tx_event(tx, "record.account-inactive", "record", id, NULL, after);
	cJSON_Delete(after);
	c->out->inactive++;
	c->out->notices += n;
	return rc;
}

static bool
active_state(const struct mamori_record_kind *k, const struct mamori_record_state *st)
{
	const struct mamori_record_active *a = &k->active_accounts;

	if (a->nstates == 0)
		return !st->final;
	for (size_t i = 0; i < a->nstates; i++)
		if (strcmp(a->states[i], st->id) == 0)
			return true;
	return false;
}

/* The records of kind k whose accounts must stay enabled (active_accounts), each checked. */
static int
tick_accounts(struct mamori_store_tx *tx, struct tick_ctx *c, const struct mamori_record_kind *k)
{
	static const char sql[] = "SELECT id, state FROM record WHERE kind = ? ORDER BY num";
	sqlite3_stmt *q = store_prepare(tx->store, sql, c->err);
	cJSON *ids = cJSON_CreateArray(), *it;
	int rc = 0, step;

	if (q == NULL || ids == NULL) {
		sqlite3_finalize(q);
		cJSON_Delete(ids);
		return q == NULL ? MAMORI_E_STORE : mamori_error_set(c->err, MAMORI_E_NOMEM, "out of memory");
	}
	sqlite3_bind_text(q, 1, k->id, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		const struct mamori_record_state *st = record_state_find(k, (const char *)sqlite3_column_text(q, 1));
		if (st != NULL && active_state(k, st))
			cJSON_AddItemToArray(ids, cJSON_CreateString((const char *)sqlite3_column_text(q, 0)));
	}
	sqlite3_finalize(q);
	if (step != SQLITE_DONE)
		rc = store_error(tx->store, c->err, "cannot list the records");
	cJSON_ArrayForEach(it, ids) {
		cJSON *rec = NULL;
		if (rc != 0 || (rc = record_read(tx->store, it->valuestring, &rec, c->err)) != 0)
			break;
		const cJSON *fields = cJSON_GetObjectItem(rec, "fields");
		for (size_t i = 0; rc == 0 && i < k->active_accounts.nfields; i++) {
			const char *f = k->active_accounts.fields[i];
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(fields, f), *one;
			const cJSON *list = cJSON_IsArray(v) ? v : NULL;
			if (cJSON_IsString(v))
				rc = check_account(tx, c, k, rec, f, v->valuestring);
			cJSON_ArrayForEach(one, list)
				if (rc == 0 && cJSON_IsString(one))
					rc = check_account(tx, c, k, rec, f, one->valuestring);
		}
		cJSON_Delete(rec);
	}
	cJSON_Delete(ids);
	return rc;
}

static int
tick_tx(struct mamori_store_tx *tx, void *arg)
{
	struct tick_ctx *c = arg;
	const struct mamori_policy *p = mamori_store_policy(tx->store);
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < p->nrecords; i++) {
		const struct mamori_record_kind *k = &p->records[i];
		for (size_t j = 0; rc == 0 && j < k->nstates; j++)
			if (k->states[j].deadline != NULL || has_automatic(k, k->states[j].id))
				rc = tick_state(tx, c, k, &k->states[j]);
		if (rc == 0 && k->active_accounts.pos.file != NULL)
			rc = tick_accounts(tx, c, k);
	}
	return rc;
}

int
mamori_record_tick(struct mamori_store *s, const char *actor, time_t now, struct mamori_record_tick *out,
    struct mamori_error *err)
{
	struct tick_ctx c = { .now = now, .out = out, .err = err };

	size_t reminders = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	record_local_date(mamori_store_policy(s), now, c.today);
	if ((rc = mamori_store_write(s, actor, tick_tx, &c, err)) != 0)
		return rc;
	/* the 自己点検 reminders run on the same clock (docs/review.md), and the
	 * 教育・研修 ones: a person overdue on a course is told at most once a
	 * week (docs/records.md) */
	if ((rc = mamori_check_remind(s, actor, now, &reminders, err)) == 0)
		out->notices += reminders;
	if (rc == 0 && (rc = mamori_training_remind(s, actor, now, &reminders, err)) == 0)
		out->notices += reminders;
	return rc;
}

/* The kind and the state the notice's record is in now, with their titles (null when gone). */
static void
notice_titles(const struct mamori_policy *p, cJSON *n, const char *kind, const char *state)
{
	const struct mamori_record_kind *k = kind ? mamori_record_kind_find(p, kind) : NULL;
	const struct mamori_record_state *st = k && state ? record_state_find(k, state) : NULL;

	if (kind == NULL) {
		cJSON_AddNullToObject(n, "kind");
		cJSON_AddNullToObject(n, "kind_title");
		cJSON_AddNullToObject(n, "state");
		cJSON_AddNullToObject(n, "state_title");
		return;
	}
	cJSON_AddStringToObject(n, "kind", kind);
	cJSON_AddStringToObject(n, "kind_title", k && k->title ? k->title : kind);
	cJSON_AddStringToObject(n, "state", state);
	cJSON_AddStringToObject(n, "state_title", st && st->title ? st->title : state);
}

int
mamori_record_notices(struct mamori_store *s, const char *account, size_t limit, cJSON **out,
    struct mamori_error *err)
{
	char sql[320];
	sqlite3_stmt *st;
	int rc;

	/* with the record's kind and state now, for people (titles) and the web UI's link */
	snprintf(sql, sizeof(sql), "SELECT n.num, n.record, n.recipient, n.reason, n.created, n.sent, n.error, "
	    "n.attempts, n.next_attempt, r.kind, r.state FROM record_notice n LEFT JOIN record r ON r.id = n.record"
	    "%s ORDER BY n.num DESC LIMIT ?", account ? " WHERE n.recipient = ?" : "");
	if ((st = store_prepare(s, sql, err)) == NULL)
		return MAMORI_E_STORE;
	if (account)
		sqlite3_bind_text(st, 1, account, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, account ? 2 : 1, limit == 0 ? 50 : (int64_t)limit);
	*out = cJSON_CreateArray();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *n = cJSON_CreateObject();
		char next[32];
		cJSON_AddNumberToObject(n, "id", (double)sqlite3_column_int64(st, 0));
		for (int i = 1; i <= 6; i++) {
			static const char *const keys[] = { "", "record", "recipient", "reason", "created", "sent", "error" };
			const char *v = (const char *)sqlite3_column_text(st, i);
			if (v)
				cJSON_AddStringToObject(n, keys[i], v);
			else
				cJSON_AddNullToObject(n, keys[i]);
		}
		/* by mail (mail_outbox.c): attempts made, and when the next is due while unsent */
		cJSON_AddNumberToObject(n, "attempts", sqlite3_column_int(st, 7));
		if (sqlite3_column_type(st, 5) == SQLITE_NULL && sqlite3_column_int64(st, 8) > 0)
			cJSON_AddStringToObject(n, "next_attempt", record_utc((time_t)sqlite3_column_int64(st, 8), next));
		else
			cJSON_AddNullToObject(n, "next_attempt");
		notice_titles(mamori_store_policy(s), n, (const char *)sqlite3_column_text(st, 9),
		    (const char *)sqlite3_column_text(st, 10));
		cJSON_AddItemToArray(*out, n);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		cJSON_Delete(*out);
		*out = NULL;
		return store_error(s, err, "cannot list the notices");
	}
	return 0;
}
