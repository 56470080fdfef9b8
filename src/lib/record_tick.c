/*
 * record_tick.c — what time does to records: deadlines missed and escalated
 * up the roles' reports_to, automatic steps taken once their date has passed,
 * and the outbox of notices (mamori/record.h).
 */
#include "store_internal.h"
#include "store_ops_tick.h"
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
			rc = tx->store->backend->tick->set_escalations(tx, id, ++level, c->err);
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

/* The ids of a walk, copied: the records are changed once the walk has ended. */
struct ids {
	char **id;
	size_t n;
};

static int
add_id(const char *id, void *arg)
{
	struct ids *l = arg;
	char **grown = realloc(l->id, (l->n + 1) * sizeof(*l->id));

	if (grown == NULL)
		return MAMORI_E_NOMEM;
	l->id = grown;
	if ((l->id[l->n] = strdup(id)) == NULL)
		return MAMORI_E_NOMEM;
	l->n++;
	return 0;
}

static void
ids_free(struct ids *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->id[i]);
	free(l->id);
	l->id = NULL;
	l->n = 0;
}

/* The records of kind k in state st, each read as JSON, handed to escalate and automatic. */
static int
tick_state(struct mamori_store_tx *tx, struct tick_ctx *c, const struct mamori_record_kind *k,
    const struct mamori_record_state *st)
{
	struct ids ids = { 0 };
	int rc = tx->store->backend->tick->in_state(tx->store, k->id, st->id, add_id, &ids, c->err);

	if (rc == MAMORI_E_NOMEM)
		rc = mamori_error_set(c->err, MAMORI_E_NOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < ids.n; i++) {
		cJSON *rec = NULL;
		if ((rc = record_read(tx->store, ids.id[i], &rec, c->err)) == 0 &&
		    (rc = escalate(tx, c, k, st, rec)) == 0)
			rc = automatic(tx, c, k, rec);
		cJSON_Delete(rec);
	}
	ids_free(&ids);
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

struct told {
	const char *account;
	bool yes;
};

/* Whether the body of a record.account-inactive event names the account (a non-zero stops the walk). */
static int
told_of(const char *text, void *arg)
{
	struct told *t = arg;
	cJSON *body = cJSON_Parse(text);
	const cJSON *after = cJSON_GetObjectItem(body, "after");
	const char *a = cJSON_GetStringValue(cJSON_GetObjectItem(after ? after : body, "account"));

	t->yes = a != NULL && strcmp(a, t->account) == 0;
	cJSON_Delete(body);
	return t->yes ? 1 : 0;
}

/* Whether the trail has told of account's being disabled for record id already. */
static int
told_inactive(struct mamori_store *s, const char *id, const char *account, bool *told, struct mamori_error *err)
{
	struct told t = { .account = account };
	int rc = s->backend->tick->event_bodies(s, id, "record.account-inactive", told_of, &t, err);

	*told = t.yes;
	return rc == 1 ? 0 : rc;
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

struct active_walk {
	const struct mamori_record_kind *k;
	struct ids ids;
};

/* A record of the walk whose accounts must stay enabled in its state: its id kept. */
static int
add_active(const char *id, const char *state, void *arg)
{
	struct active_walk *w = arg;
	const struct mamori_record_state *st = record_state_find(w->k, state);

	return st != NULL && active_state(w->k, st) ? add_id(id, &w->ids) : 0;
}

/* The records of kind k whose accounts must stay enabled (active_accounts), each checked. */
static int
tick_accounts(struct mamori_store_tx *tx, struct tick_ctx *c, const struct mamori_record_kind *k)
{
	struct active_walk w = { .k = k };
	int rc = tx->store->backend->tick->of_kind(tx->store, k->id, add_active, &w, c->err);

	if (rc == MAMORI_E_NOMEM)
		rc = mamori_error_set(c->err, MAMORI_E_NOMEM, "out of memory");
	for (size_t r = 0; rc == 0 && r < w.ids.n; r++) {
		cJSON *rec = NULL;
		if ((rc = record_read(tx->store, w.ids.id[r], &rec, c->err)) != 0)
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
	ids_free(&w.ids);
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

struct notices_ctx {
	const struct mamori_policy *p;
	cJSON *list;
};

/* One notice of the walk as JSON, appended to the list. */
static int
add_notice(const struct store_notice_row *r, void *arg)
{
	struct notices_ctx *c = arg;
	const char *const v[] = { r->record, r->recipient, r->reason, r->created, r->sent, r->error };
	static const char *const keys[] = { "record", "recipient", "reason", "created", "sent", "error" };
	cJSON *n = cJSON_CreateObject();
	char next[32];

	cJSON_AddNumberToObject(n, "id", (double)r->num);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (v[i])
			cJSON_AddStringToObject(n, keys[i], v[i]);
		else
			cJSON_AddNullToObject(n, keys[i]);
	/* by mail (mail_outbox.c): attempts made, and when the next is due while unsent */
	cJSON_AddNumberToObject(n, "attempts", r->attempts);
	if (r->sent == NULL && r->next_attempt > 0)
		cJSON_AddStringToObject(n, "next_attempt", record_utc((time_t)r->next_attempt, next));
	else
		cJSON_AddNullToObject(n, "next_attempt");
	notice_titles(c->p, n, r->kind, r->state);
	cJSON_AddItemToArray(c->list, n);
	return 0;
}

int
mamori_record_notices(struct mamori_store *s, const char *account, size_t limit, cJSON **out,
    struct mamori_error *err)
{
	struct notices_ctx c = { mamori_store_policy(s), cJSON_CreateArray() };
	/* with the record's kind and state now, for people (titles) and the web UI's link */
	int rc = s->backend->tick->notices(s, account, limit == 0 ? 50 : (int64_t)limit, add_notice, &c, err);

	if (rc != 0) {
		cJSON_Delete(c.list);
		c.list = NULL;
	}
	*out = c.list;
	return rc;
}
