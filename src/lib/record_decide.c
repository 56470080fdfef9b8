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
#include "store_ops_record.h"

#include <stdio.h>
#include <stdlib.h>
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

/* Today in the organisation's zone, read once per context and only when a
 * record needs it (loading the zone reads a file: most decisions never get
 * here, and a batch asks for every denial). */
static const char *
local_day(struct mamori_record_decide *c)
{
	if (c->today[0] == '\0')
		record_local_date(mamori_store_policy(c->s), c->now, c->today);
	return c->today;
}

static void
apply_approval(struct mamori_record_decide *c, const struct mamori_record_kind *k,
    const struct mamori_decide_request *req, struct mamori_decision *dec)
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
		why = approval_problem(k, rec, req, local_day(c));
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
    const cJSON *fields, const struct mamori_decide_request *req)
{
	const struct mamori_record_effect *e = &k->effect;
	const char *until = field_str(fields, e->until), *action = field_str(fields, e->action_field);
	const char *dept = field_str(fields, e->department);
	char rdept[80];

	if (until != NULL && strncmp(local_day(c), until, 10) > 0)
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

/* dec allowed by exception id of kind k, its measures the obligation. */
static void
lift_denial(struct mamori_record_decide *c, const struct mamori_record_kind *k, const char *id,
    const cJSON *fields, struct mamori_decision *dec)
{
	const char *measures = field_str(fields, k->effect.measures), *until = field_str(fields, k->effect.until);

	snprintf(c->texts[1], sizeof(c->texts[1]), _("exception %s (%s, until %s)"), id, k->title,
	    until ? until : "-");
	snprintf(c->texts[2], sizeof(c->texts[2]), "%s", measures ? measures : "");
	dec->allow = true;
	dec->nreasons = 0;
	add_reason(dec, "exception", c->texts[1], effect_clause(k));
	if (measures != NULL && dec->nobligations < MAMORI_DECIDE_MAX_ITEMS)
		dec->obligations[dec->nobligations++] =
		    (struct mamori_decide_item){ "exception-measures", c->texts[2], effect_clause(k) };
}

/*
 * The exceptions in force, read once per snapshot of the store: every denied
 * decision asks, and a batch of them would otherwise read and parse the same
 * rows each time (bench/decide_records.sh).  The snapshot is PRAGMA
 * data_version, which changes when another connection commits; a context
 * lives for one request or one batch of reads (mamori/record.h).
 */
struct exception_in_force {
	char *id, *reporter;
	cJSON *fields;
};

struct record_in_force {
	int64_t version;
	const struct mamori_policy *policy;
	size_t n, cap;
	struct exception_in_force *v;
};

static void
in_force_free(struct record_in_force *f)
{
	for (size_t i = 0; f != NULL && i < f->n; i++) {
		free(f->v[i].id);
		free(f->v[i].reporter);
		cJSON_Delete(f->v[i].fields);
	}
	if (f != NULL)
		free(f->v);
	free(f);
}

/* One exception in force into f; 1 (stop) when out of memory. */
static int
in_force_add(const struct store_record_brief *b, void *arg)
{
	struct record_in_force *f = arg;
	struct exception_in_force *e;

	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct exception_in_force *v = realloc(f->v, cap * sizeof(*v));
		if (v == NULL)
			return 1;
		f->v = v;
		f->cap = cap;
	}
	e = &f->v[f->n];
	e->id = strdup(b->id);
	e->reporter = strdup(b->reporter);
	e->fields = cJSON_Parse(b->fields);
	f->n++;
	return e->id != NULL && e->reporter != NULL && e->fields != NULL ? 0 : 1;
}

/* The exceptions of kind k in a state of its effect, in record order (the
 * backend reads a state's records without those of other states: years of
 * expired ones are not read).  NULL when out of memory or the store cannot be
 * read. */
static struct record_in_force *
in_force_read(struct mamori_store *s, const struct mamori_record_kind *k, int64_t version)
{
	struct record_in_force *f = calloc(1, sizeof(*f));
	struct mamori_error err = { 0 };
	bool ok = f != NULL;

	for (size_t i = 0; ok && i < k->effect.nstates; i++)
		ok = s->backend->record->of_kind(s, k->id, k->effect.states[i], in_force_add, f, &err) == 0;
	if (!ok) {
		in_force_free(f);
		return NULL;
	}
	f->version = version;
	f->policy = mamori_store_policy(s);
	return f;
}

/* The exception of kind k in force that covers req, if any, applied to dec. */
static void
apply_exception(struct mamori_record_decide *c, const struct mamori_record_kind *k,
    const struct mamori_decide_request *req, struct mamori_decision *dec)
{
	int64_t version = mamori_store_data_version(c->s);
	struct record_in_force *f = c->in_force;

	if (f == NULL || f->version != version || version < 0 || f->policy != mamori_store_policy(c->s)) {
		in_force_free(f);
		f = c->in_force = in_force_read(c->s, k, version);
	}
	for (size_t i = 0; f != NULL && i < f->n; i++)
		if (exception_matches(c, k, f->v[i].reporter, f->v[i].fields, req)) {
			lift_denial(c, k, f->v[i].id, f->v[i].fields, dec);
			return;
		}
}

void
mamori_record_decide_clear(struct mamori_record_decide *c)
{
	in_force_free(c->in_force);
	c->in_force = NULL;
	record_registers_free(c->registers);
	c->registers = NULL;
}

void
mamori_record_decide_hook(void *ctx, const struct mamori_decide_request *req, struct mamori_decision *dec)
{
	struct mamori_record_decide *c = ctx;
	const struct mamori_policy *p = mamori_store_policy(c->s);
	const struct mamori_record_kind *approval = effect_kind(p, "approval", mamori_action_name(req->action));
	const struct mamori_record_kind *exception = effect_kind(p, "exception", NULL);

	if (dec->error != NULL)
		return;
	if (approval != NULL)
		apply_approval(c, approval, req, dec);
	if (exception != NULL && !dec->allow && dec->error == NULL)
		apply_exception(c, exception, req, dec);
	/* the registers' limits and the terminal's truth come last: no
	 * approval or exception lifts them */
	record_limits_apply(c, req, dec);
	record_mismatch_apply(c, dec);
}
