/*
 * record_decide.c — what records in force mean to the decision point: an
 * approval (持ち出し申請) lets its reporter act as the approver's role would,
 * an exception (例外措置) lifts a denial it covers (mamori/record.h).  The
 * decider stays pure; this runs after it, on the store.
 */
#include "store_internal.h"
#include "mamori/asset.h"
#include "mamori/i18n.h"
#include "mamori/record.h"
#include "mamori/user.h"
#include "record_internal.h"

#include <stdio.h>
#include <string.h>

static const struct mamori_record_kind *
effect_kind(const struct mamori_policy *p, const char *type, const char *action)
{
	for (size_t i = 0; i < p->nrecords; i++) {
		const struct mamori_record_effect *e = &p->records[i].effect;
		if (e->pos.file != NULL && e->type && strcmp(e->type, type) == 0 &&
		    (action == NULL || (e->action && strcmp(e->action, action) == 0)))
			return &p->records[i];
	}
	return NULL;
}

static const char *
effect_clause(const struct mamori_record_kind *k)
{
	return k->effect.clause ? k->effect.clause : k->clause;
}

static bool
in_force_state(const struct mamori_record_kind *k, const char *state)
{
	for (size_t i = 0; i < k->effect.nstates; i++)
		if (strcmp(k->effect.states[i], state) == 0)
			return true;
	return false;
}

/* Whether the field's value (a string or a list of strings) holds s. */
static bool
field_holds(const cJSON *fields, const char *field, const char *s)
{
	const cJSON *v = field ? cJSON_GetObjectItemCaseSensitive(fields, field) : NULL, *it;

	if (s == NULL)
		return false;
	if (cJSON_IsString(v))
		return strcmp(v->valuestring, s) == 0;
	cJSON_ArrayForEach(it, (cJSON_IsArray(v) ? v : NULL))
		if (cJSON_IsString(it) && strcmp(it->valuestring, s) == 0)
			return true;
	return false;
}

static const char *
field_str(const cJSON *fields, const char *field)
{
	return field ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(fields, field)) : NULL;
}

static void
add_reason(struct mamori_decision *dec, const char *id, const char *text, const char *clause)
{
	if (dec->nreasons < MAMORI_DECIDE_MAX_ITEMS)
		dec->reasons[dec->nreasons++] = (struct mamori_decide_item){ id, text, clause };
}

/* Why the approval does not hold for req today, or NULL when it does. */
static const char *
approval_problem(const struct mamori_record_kind *k, const cJSON *rec, const struct mamori_decide_request *req,
    const char *today)
{
	const cJSON *fields = cJSON_GetObjectItem(rec, "fields");
	const char *from = field_str(fields, k->effect.from), *until = field_str(fields, k->effect.until);

	if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(rec, "kind")), k->id) != 0)
		return N_("is not a request of the kind that permits this action");
	if (!in_force_state(k, cJSON_GetStringValue(cJSON_GetObjectItem(rec, "state"))))
		return N_("is not approved (or no longer in force)");
	if (req->subject_id == NULL || strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(rec, "reporter")),
	    req->subject_id) != 0)
		return N_("was made by another person");
	if (req->asset == NULL)
		return N_("covers named assets: give resource.asset");
	if (!field_holds(fields, k->effect.assets, req->asset))
		return N_("does not name this asset");
	if (from != NULL && strncmp(today, from, 10) < 0)
		return N_("is not in force yet (before its first day)");
	if (until != NULL && strncmp(today, until, 10) > 0)
		return N_("has expired (after its last day)");
	return NULL;
}

/* Today in the organisation's zone, read once and only when a record needs it
 * (loading the zone reads a file: most decisions never get here). */
static const char *
local_day(const struct mamori_record_decide *c, char today[11])
{
	if (today[0] == '\0')
		record_local_date(mamori_store_policy(c->s), c->now, today);
	return today;
}

static void
apply_approval(struct mamori_record_decide *c, const struct mamori_record_kind *k,
    const struct mamori_decide_request *req, struct mamori_decision *dec, char today[11])
{
	struct mamori_error err = { 0 };
	struct mamori_user approver;
	cJSON *rec = NULL;
	const char *why, *by;

	if (req->approval == NULL) {
		if (!dec->allow) {
			snprintf(c->texts[0], sizeof(c->texts[0]), _("%s: an approved request (%s) is needed"),
			    mamori_action_name(req->action), k->title);
			add_reason(dec, "approval-required", c->texts[0], effect_clause(k));
		}
		return;
	}
	if (record_read(c->s, req->approval, &rec, &err) != 0)
		why = N_("is not a record of the store");
	else
		why = approval_problem(k, rec, req, local_day(c, today));
	by = rec ? cJSON_GetStringValue(cJSON_GetObjectItem(rec, "approver")) : NULL;
	if (why == NULL && (by == NULL || mamori_user_get(c->s, by, &approver, &err) != 0))
		why = N_("names no approver the store knows");
	if (why != NULL) {
		snprintf(c->texts[0], sizeof(c->texts[0]), _("approval %s %s"), req->approval, _(why));
		dec->allow = false;
		add_reason(dec, "approval-invalid", c->texts[0], effect_clause(k));
	} else if (!dec->allow) {
		/* decided again as the approver's role would be, in the subject's place */
		struct mamori_decide_request as = *req;
		as.roles[0] = approver.role;
		as.nroles = 1;
		mamori_decide(c->d, &as, dec);
		snprintf(c->texts[0], sizeof(c->texts[0]), _("approval %s by %s (%s)"), req->approval, by, k->title);
		add_reason(dec, dec->allow ? "approval" : "approval-not-enough", c->texts[0], effect_clause(k));
	}
	cJSON_Delete(rec);
}

/* The 課 of the request's resource: the asset's, or the one it names. */
static bool
resource_department(struct mamori_store *s, const struct mamori_decide_request *req, char *out, size_t n)
{
	struct mamori_asset a = { 0 };
	struct mamori_error err = { 0 };
	bool ok = false;

	if (req->asset == NULL) {
		snprintf(out, n, "%s", req->resource_department ? req->resource_department : "");
		return req->resource_department != NULL;
	}
	if (mamori_asset_get(s, req->asset, &a, &err) == 0 && a.f[MAMORI_AF_DEPARTMENT] != NULL) {
		snprintf(out, n, "%s", a.f[MAMORI_AF_DEPARTMENT]);
		ok = true;
	}
	mamori_asset_clear(&a);
	return ok;
}

static bool
exception_matches(struct mamori_record_decide *c, const struct mamori_record_kind *k, const char *reporter,
    const cJSON *fields, const struct mamori_decide_request *req, char today[11])
{
	const struct mamori_record_effect *e = &k->effect;
	const char *until = field_str(fields, e->until), *action = field_str(fields, e->action_field);
	const char *dept = field_str(fields, e->department);
	char rdept[80];

	if (until != NULL && strncmp(local_day(c, today), until, 10) > 0)
		return false;
	if (action == NULL || strcmp(action, mamori_action_name(req->action)) != 0)
		return false;
	if (e->assets && cJSON_GetObjectItem(fields, e->assets) && !field_holds(fields, e->assets, req->asset))
		return false;
	if (dept != NULL && (!resource_department(c->s, req, rdept, sizeof(rdept)) || strcmp(rdept, dept) != 0))
		return false;
	if (e->accounts && cJSON_GetObjectItem(fields, e->accounts))
		return field_holds(fields, e->accounts, req->subject_id);
	return req->subject_id != NULL && strcmp(reporter, req->subject_id) == 0;
}

static void
apply_exception(struct mamori_record_decide *c, const struct mamori_record_kind *k,
    const struct mamori_decide_request *req, struct mamori_decision *dec, char today[11])
{
	static const char sql[] = "SELECT id, reporter, fields, state FROM record WHERE kind = ? ORDER BY num";
	struct mamori_error err = { 0 };
	sqlite3_stmt *st = store_cached(c->s, sql, &err);

	if (st == NULL)
		return;
	sqlite3_bind_text(st, 1, k->id, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (!in_force_state(k, (const char *)sqlite3_column_text(st, 3)))
			continue;
		cJSON *fields = cJSON_Parse((const char *)sqlite3_column_text(st, 2));
		bool match = exception_matches(c, k, (const char *)sqlite3_column_text(st, 1), fields, req, today);
		if (match) {
			const char *measures = field_str(fields, k->effect.measures), *until = field_str(fields, k->effect.until);
			snprintf(c->texts[1], sizeof(c->texts[1]), _("exception %s (%s, until %s)"),
			    (const char *)sqlite3_column_text(st, 0), k->title, until ? until : "-");
			snprintf(c->texts[2], sizeof(c->texts[2]), "%s", measures ? measures : "");
			dec->allow = true;
			dec->nreasons = 0;
			add_reason(dec, "exception", c->texts[1], effect_clause(k));
			if (measures != NULL && dec->nobligations < MAMORI_DECIDE_MAX_ITEMS)
				dec->obligations[dec->nobligations++] =
				    (struct mamori_decide_item){ "exception-measures", c->texts[2], effect_clause(k) };
		}
		cJSON_Delete(fields);
		if (match)
			break;
	}
	store_release(c->s, st);
}

void
mamori_record_decide_hook(void *ctx, const struct mamori_decide_request *req, struct mamori_decision *dec)
{
	struct mamori_record_decide *c = ctx;
	const struct mamori_policy *p = mamori_store_policy(c->s);
	const struct mamori_record_kind *approval = effect_kind(p, "approval", mamori_action_name(req->action));
	const struct mamori_record_kind *exception = effect_kind(p, "exception", NULL);
	char today[11] = "";

	if (dec->error != NULL || (approval == NULL && (exception == NULL || dec->allow)))
		return;
	if (approval != NULL)
		apply_approval(c, approval, req, dec, today);
	if (exception != NULL && !dec->allow && dec->error == NULL)
		apply_exception(c, exception, req, dec, today);
}
