/*
 * review.c — the 見直し (records of kind review): what a review gathers for
 * its period from the findings, incidents, risks, self-checks and audits;
 * when the next one is due; and the check that a policy replacement is the
 * proposal its review approved.  docs/review.md.
 */
#include "mamori/i18n.h"
#include "mamori/review.h"
#include "record_internal.h"
#include "store_internal.h"
#include "store_ops_check.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *
str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* The local date (YYYY-MM-DD) of a stored UTC time such as 2026-12-05T10:40:00.123Z. */
static void
local_date(const struct mamori_policy *p, const char *utc, char out[11])
{
	struct tm tm = { 0 };
	int y, mo, d, h, mi, sec;

	snprintf(out, 11, "%.10s", utc ? utc : "");
	if (utc == NULL || sscanf(utc, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &sec) != 6)
		return;
	tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d, tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = sec;
	record_local_date(p, timegm(&tm), out);
}

static void
count(cJSON *by, const char *key)
{
	cJSON *n;

	if (key == NULL)
		key = "";
	n = cJSON_GetObjectItemCaseSensitive(by, key);
	if (n == NULL)
		cJSON_AddNumberToObject(by, key, 1);
	else
		cJSON_SetNumberValue(n, n->valuedouble + 1);
}

struct period {
	const struct mamori_policy *p;
	const char *from, *until;
};

/* Whether rec was made or changed within the period (local dates, both ends included). */
static bool
in_period(const struct period *pd, const cJSON *rec, const char *key)
{
	char d[11];

	local_date(pd->p, str(rec, key), d);
	return strcmp(d, pd->from) >= 0 && strcmp(d, pd->until) <= 0;
}

struct each {
	struct mamori_store *s;
	void (*fn)(const cJSON *rec, void *arg);
	void *arg;
	struct mamori_error *err;
};

static int
each_one(const char *id, void *arg)
{
	struct each *e = arg;
	cJSON *rec = NULL;
	int rc = record_read(e->s, id, &rec, e->err);

	if (rc == 0)
		e->fn(rec, e->arg);
	cJSON_Delete(rec);
	return rc;
}

/* Every record of kind, each JSON given to fn (which keeps nothing). */
static int
each_record(struct mamori_store *s, const char *kind, void (*fn)(const cJSON *rec, void *arg), void *arg,
    struct mamori_error *err)
{
	struct each e = { .s = s, .fn = fn, .arg = arg, .err = err };

	return s->backend->check->records(s, kind, NULL, 0, each_one, &e, err);
}

struct gather {
	struct mamori_store *s;
	struct period pd;
	cJSON *findings, *incidents, *risks, *self_checks, *audits;
	struct mamori_error *err;
};

static cJSON *
summary_of(const cJSON *rec, const char *const *keys, size_t n)
{
	cJSON *o = cJSON_CreateObject(), *f = cJSON_GetObjectItemCaseSensitive(rec, "fields");

	cJSON_AddStringToObject(o, "id", str(rec, "id"));
	cJSON_AddStringToObject(o, "state", str(rec, "state"));
	cJSON_AddStringToObject(o, "state_title", str(rec, "state_title") ? str(rec, "state_title") : "");
	cJSON_AddBoolToObject(o, "final", cJSON_IsTrue(cJSON_GetObjectItem(rec, "final")));
	cJSON_AddStringToObject(o, "created", str(rec, "created"));
	for (size_t i = 0; i < n; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, keys[i]);
		cJSON_AddItemToObject(o, keys[i], v ? cJSON_Duplicate(v, true) : cJSON_CreateNull());
	}
	return o;
}

static void
tally(cJSON *group, const cJSON *rec, const char *by_field, const char *const *keys, size_t n)
{
	cJSON *f = cJSON_GetObjectItemCaseSensitive(rec, "fields");

	cJSON_SetNumberValue(cJSON_GetObjectItem(group, "count"), cJSON_GetNumberValue(cJSON_GetObjectItem(group, "count")) + 1);
	count(cJSON_GetObjectItem(group, "by_state"), str(rec, "state"));
	if (by_field)
		count(cJSON_GetObjectItem(group, "by_severity"), str(f, by_field));
	if (!cJSON_IsTrue(cJSON_GetObjectItem(rec, "final")))
		cJSON_SetNumberValue(cJSON_GetObjectItem(group, "open"), cJSON_GetNumberValue(cJSON_GetObjectItem(group, "open")) + 1);
	cJSON_AddItemToArray(cJSON_GetObjectItem(group, "records"), summary_of(rec, keys, n));
}

static void
on_finding(const cJSON *rec, void *arg)
{
	static const char *const keys[] = { "department", "severity", "item", "clause", "audit", "risk", "incident",
	    "due", "description" };
	struct gather *g = arg;

	/* a finding made in the period, or still open at its end */
	if (in_period(&g->pd, rec, "created") || (!cJSON_IsTrue(cJSON_GetObjectItem(rec, "final")) &&
	    strcmp(str(rec, "created"), g->pd.from) < 0))
		tally(g->findings, rec, "severity", keys, sizeof(keys) / sizeof(keys[0]));
}

static void
on_incident(const cJSON *rec, void *arg)
{
	static const char *const keys[] = { "summary", "severity", "threat" };
	struct gather *g = arg;

	if (in_period(&g->pd, rec, "created"))
		tally(g->incidents, rec, "severity", keys, sizeof(keys) / sizeof(keys[0]));
}

static void
on_risk(const cJSON *rec, void *arg)
{
	static const char *const keys[] = { "threat", "asset_kind", "department", "segment", "likelihood", "impact",
	    "treatment", "residual_likelihood", "residual_impact", "owner" };
	struct gather *g = arg;

	if (in_period(&g->pd, rec, "updated"))
		tally(g->risks, rec, NULL, keys, sizeof(keys) / sizeof(keys[0]));
}

static void
on_campaign(const cJSON *rec, void *arg, cJSON *into)
{
	static const char *const keys[] = { "year", "departments", "due", "auditors", "summary" };
	struct gather *g = arg;
	cJSON *prog = NULL;
	struct mamori_error err = { 0 };

	if (!in_period(&g->pd, rec, "created"))
		return;
	cJSON *o = summary_of(rec, keys, sizeof(keys) / sizeof(keys[0]));
	if (mamori_check_progress(g->s, str(rec, "id"), &prog, &err) == 0)
		cJSON_AddItemToObject(o, "progress", prog);
	cJSON_AddItemToArray(into, o);
}

static void
on_self_check(const cJSON *rec, void *arg)
{
	on_campaign(rec, arg, ((struct gather *)arg)->self_checks);
}

static void
on_audit(const cJSON *rec, void *arg)
{
	on_campaign(rec, arg, ((struct gather *)arg)->audits);
}

static cJSON *
group(cJSON *o, const char *name, bool severity)
{
	cJSON *g = cJSON_AddObjectToObject(o, name);

	cJSON_AddNumberToObject(g, "count", 0);
	cJSON_AddNumberToObject(g, "open", 0);
	cJSON_AddObjectToObject(g, "by_state");
	if (severity)
		cJSON_AddObjectToObject(g, "by_severity");
	cJSON_AddArrayToObject(g, "records");
	return g;
}

int
mamori_review_gather(struct mamori_store *s, const char *id, cJSON **out, struct mamori_error *err)
{
	const struct mamori_policy *p = mamori_store_policy(s);
	cJSON *rec = NULL, *o = NULL, *f;
	struct gather g = { .s = s, .err = err };
	char next[11];
	int rc;

	*out = NULL;
	if ((rc = record_read(s, id, &rec, err)) != 0)
		return rc;
	if (strcmp(str(rec, "kind"), "review") != 0) {
		cJSON_Delete(rec);
		return mamori_error_set(err, MAMORI_E_INVALID, "%s is not a review (見直し)", id);
	}
	f = cJSON_GetObjectItemCaseSensitive(rec, "fields");
	g.pd = (struct period){ .p = p, .from = str(f, "period_from"), .until = str(f, "period_until") };
	if (g.pd.from == NULL || g.pd.until == NULL) {
		cJSON_Delete(rec);
		return mamori_error_set(err, MAMORI_E_INVALID, "%s has no period (period_from, period_until)", id);
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "review", id);
	cJSON_AddStringToObject(o, "state", str(rec, "state"));
	cJSON_AddStringToObject(o, "period_from", g.pd.from);
	cJSON_AddStringToObject(o, "period_until", g.pd.until);
	g.findings = group(o, "findings", true);
	g.incidents = group(o, "incidents", true);
	g.risks = group(o, "risks", false);
	g.self_checks = cJSON_AddArrayToObject(o, "self_checks");
	g.audits = cJSON_AddArrayToObject(o, "audits");
	if ((rc = each_record(s, "finding", on_finding, &g, err)) != 0 ||
	    (rc = each_record(s, "incident", on_incident, &g, err)) != 0 ||
	    (rc = each_record(s, "risk", on_risk, &g, err)) != 0 ||
	    (rc = each_record(s, "self-check", on_self_check, &g, err)) != 0 ||
	    (rc = each_record(s, "audit", on_audit, &g, err)) != 0 ||
	    (rc = mamori_review_next(s, next, err)) != 0)
		goto out;
	cJSON *pol = cJSON_AddObjectToObject(o, "policy");
	cJSON_AddStringToObject(pol, "id", p->id);
	cJSON_AddStringToObject(pol, "version", p->version ? p->version : "");
	cJSON_AddStringToObject(o, "next_review", next);
	*out = o;
	o = NULL;
out:
	cJSON_Delete(o);
	cJSON_Delete(rec);
	return rc;
}

/* date (YYYY-MM-DD) plus months, into out. */
static void
add_months(const char *date, int months, char out[11])
{
	int y, m, d;

	if (sscanf(date, "%d-%d-%d", &y, &m, &d) != 3) {
		snprintf(out, 11, "%s", date);
		return;
	}
	m += months;
	y += (m - 1) / 12;
	m = (m - 1) % 12 + 1;
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int last = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	char full[40];
	snprintf(full, sizeof(full), "%04d-%02d-%02d", y % 10000, m, d > last ? last : d);
	snprintf(out, 11, "%.10s", full);
}

int
mamori_review_next(struct mamori_store *s, char out[11], struct mamori_error *err)
{
	static const char *const done[] = { "applied", "unchanged" };
	const struct store_check_ops *ops = s->backend->check;
	const struct mamori_policy *p = mamori_store_policy(s);
	int months = p->review.policy_review.interval_months > 0 ? p->review.policy_review.interval_months : 12;
	char when[STORE_CHECK_TIME_MAX], since[11] = "";
	int rc;

	/* from the last review done, else from when the policy was loaded */
	if ((rc = ops->records_updated(s, "review", done, 2, when, err)) != 0 ||
	    (when[0] == '\0' && (rc = ops->policy_loaded(s, when, err)) != 0))
		return rc;
	if (when[0] != '\0')
		local_date(p, when, since);
	if (since[0] == '\0')
		return mamori_error_set(err, MAMORI_E_STORE, "the store has no policy");
	add_months(since, months, out);
	return 0;
}

int
mamori_review_check_proposal(struct mamori_store *s, const char *id, const char *buf, size_t len,
    struct mamori_error *err)
{
	unsigned char hash[32];
	char hex[65], stored[65];
	cJSON *rec = NULL;
	const cJSON *proposal;
	bool found;
	int rc;

	if ((rc = record_read(s, id, &rec, err)) != 0)
		return rc;
	if (strcmp(str(rec, "kind"), "review") != 0) {
		rc = mamori_error_set(err, MAMORI_E_INVALID, "%s is not a review (見直し)", id);
		goto out;
	}
	if (strcmp(str(rec, "state"), "approved") != 0) {
		rc = mamori_error_set(err, MAMORI_E_INVALID, "review %s is %s, not approved by the CISO: a policy is "
		    "replaced under a review once it is approved", id, str(rec, "state_title"));
		goto out;
	}
	proposal = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "fields"), "proposal");
	if (!cJSON_IsNumber(proposal)) {
		rc = mamori_error_set(err, MAMORI_E_INVALID, "review %s has no proposal file", id);
		goto out;
	}
	crypto_hash_sha256(hash, (const unsigned char *)buf, len);
	sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
	if ((rc = s->backend->check->file_sha256(s, id, (int64_t)proposal->valuedouble, stored, &found, err)) != 0)
		goto out;
	if (!found || strcmp(stored, hex) != 0)
		rc = mamori_error_set(err, MAMORI_E_INVALID, "the file is not the proposal review %s approved "
		    "(its SHA-256 differs): replace the policy with the approved file", id);
out:
	cJSON_Delete(rec);
	return rc;
}
