/*
 * risk.c — the risk register (records of kind risk) read as a heat map on the
 * scales of review.risk (docs/review.md), and the checks the records engine
 * makes of a risk's ratings and an audit's independence (record_fields.c).
 */
#include "mamori/i18n.h"
#include "mamori/review.h"
#include "mamori/user.h"
#include "record_internal.h"
#include "review_internal.h"
#include "store_internal.h"
#include "store_ops_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SCALE_DEFAULT = 5, SCALE_MAX = 9 };

static const char *
str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* A rating field: its whole number, or 0 when absent. */
static int
rating(const cJSON *fields, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(fields, key);

	return cJSON_IsNumber(v) ? (int)v->valuedouble : 0;
}

static size_t
scale_size(const struct mamori_policy *p, bool impact)
{
	const struct mamori_risk_scales *r = &p->review.risk;

	size_t n = impact ? r->nimpact : r->nlikelihood;

	if (r->pos.file == NULL)
		return SCALE_DEFAULT;
	return n < SCALE_MAX ? n : SCALE_MAX;
}

void
review_check_record_fields(struct mamori_store *s, const struct mamori_record_kind *kind, const cJSON *out,
    struct mamori_diags *problems)
{
	const struct mamori_policy *p = mamori_store_policy(s);

	if (strcmp(kind->id, "risk") == 0) {
		static const char *const keys[] = { "likelihood", "impact", "residual_likelihood", "residual_impact" };
		for (size_t i = 0; i < 4; i++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(out, keys[i]);
			size_t max = scale_size(p, i % 2 == 1);
			if (cJSON_IsNumber(v) && (v->valuedouble < 1 || v->valuedouble > (double)max))
				mamori_diags_add(problems, MAMORI_SEV_ERROR, keys[i], 0, 0, "%s: %.0f is not a step of the "
				    "scale (1 to %zu, review.risk)", keys[i], v->valuedouble, max);
		}
	}
	if (strcmp(kind->id, "audit") == 0) {
		const cJSON *auditors = cJSON_GetObjectItemCaseSensitive(out, "auditors");
		const cJSON *depts = cJSON_GetObjectItemCaseSensitive(out, "departments"), *a, *d;
		cJSON_ArrayForEach(a, (cJSON_IsArray(auditors) ? auditors : NULL)) {
			struct mamori_user u;
			struct mamori_error err = { 0 };
			if (!cJSON_IsString(a) || mamori_user_get(s, a->valuestring, &u, &err) != 0 || !u.department[0])
				continue;
			cJSON_ArrayForEach(d, (cJSON_IsArray(depts) ? depts : NULL))
				if (cJSON_IsString(d) && strcmp(d->valuestring, u.department) == 0)
					mamori_diags_add(problems, MAMORI_SEV_ERROR, "auditors", 0, 0, "auditors: %s belongs to "
					    "%s, which the audit covers: an auditor may not audit their own 課 (監査人の独立性)",
					    u.name, d->valuestring);
		}
	}
}

/* {level, title, criteria} per step; the standard 1–5 without titles when the policy has no scale. */
static cJSON *
scale_json(const struct mamori_policy *p, bool impact)
{
	const struct mamori_risk_scales *r = &p->review.risk;
	const struct mamori_risk_step *v = impact ? r->impact : r->likelihood;
	size_t n = scale_size(p, impact);
	cJSON *a = cJSON_CreateArray();

	for (size_t lv = 1; lv <= n; lv++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "level", (double)lv);
		for (size_t i = 0; r->pos.file != NULL && i < n; i++)
			if (v[i].level == (int)lv) {
				cJSON_AddStringToObject(o, "title", v[i].title);
				if (v[i].criteria)
					cJSON_AddStringToObject(o, "criteria", v[i].criteria);
			}
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static cJSON *
risk_json(const struct mamori_policy *p, const cJSON *rec, int accept)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(rec, "fields");
	cJSON *o = cJSON_CreateObject();
	int l = rating(f, "likelihood"), i = rating(f, "impact");
	int rl = rating(f, "residual_likelihood"), ri = rating(f, "residual_impact");
	const struct mamori_threat *t = str(f, "threat") ? mamori_policy_threat(p, str(f, "threat")) : NULL;
	const char *keys[] = { "asset_kind", "department", "segment", "treatment", "owner", "related", "description",
	    "measures" };

	cJSON_AddStringToObject(o, "id", str(rec, "id"));
	cJSON_AddStringToObject(o, "state", str(rec, "state"));
	cJSON_AddStringToObject(o, "state_title", str(rec, "state_title") ? str(rec, "state_title") : "");
	cJSON_AddStringToObject(o, "threat", str(f, "threat") ? str(f, "threat") : "");
	cJSON_AddStringToObject(o, "threat_title", t ? (t->title ? t->title : t->text) : "");
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (str(f, keys[k]))
			cJSON_AddStringToObject(o, keys[k], str(f, keys[k]));
		else
			cJSON_AddNullToObject(o, keys[k]);
	cJSON_AddNumberToObject(o, "likelihood", l);
	cJSON_AddNumberToObject(o, "impact", i);
	cJSON_AddNumberToObject(o, "inherent", l * i);
	if (rl && ri) {
		cJSON_AddNumberToObject(o, "residual_likelihood", rl);
		cJSON_AddNumberToObject(o, "residual_impact", ri);
		cJSON_AddNumberToObject(o, "residual", rl * ri);
	} else {
		cJSON_AddNullToObject(o, "residual_likelihood");
		cJSON_AddNullToObject(o, "residual_impact");
		cJSON_AddNullToObject(o, "residual");
	}
	bool accepted = str(f, "treatment") && strcmp(str(f, "treatment"), "accept") == 0;
	cJSON_AddBoolToObject(o, "over_accept", accepted && accept > 0 && (rl && ri ? rl * ri : l * i) > accept);
	return o;
}

static int matrix(struct mamori_store *s, const char *by, cJSON **out, struct mamori_error *err);

int
mamori_risk_matrix(struct mamori_store *s, cJSON **out, struct mamori_error *err)
{
	return matrix(s, NULL, out, err);
}

int
mamori_risk_matrix_for(struct mamori_store *s, const char *by, cJSON **out, struct mamori_error *err)
{
	return matrix(s, by, out, err);
}

/* The walk of the heat map: the risks so far and the counts of their cells. */
struct heat {
	struct mamori_store *s;
	const struct mamori_policy *p;
	const char *by;
	size_t nl, ni;
	long inherent[SCALE_MAX + 1][SCALE_MAX + 1], residual[SCALE_MAX + 1][SCALE_MAX + 1];
	cJSON *risks;
	struct mamori_error *err;
};

/* One risk (id) into the map, when by may see it; a retired one is listed but not counted. */
static int
heat_risk(const char *id, void *arg)
{
	struct heat *h = arg;
	cJSON *rec = NULL;
	int rc;

	if ((rc = record_read(h->s, id, &rec, h->err)) != 0)
		return rc;
	if (h->by != NULL && !mamori_record_may_see(h->s, h->by, rec)) {
		cJSON_Delete(rec);
		return 0;
	}
	cJSON *r = risk_json(h->p, rec, h->p->review.risk.accept);
	int l = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(r, "likelihood"));
	int i = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(r, "impact"));
	const cJSON *rl = cJSON_GetObjectItem(r, "residual_likelihood"), *ri = cJSON_GetObjectItem(r, "residual_impact");
	if (strcmp(str(rec, "state"), "retired") != 0) {
		if (l >= 1 && l <= (int)h->nl && i >= 1 && i <= (int)h->ni)
			h->inherent[l][i]++;
		if (cJSON_IsNumber(rl) && cJSON_IsNumber(ri) && rl->valueint >= 1 && rl->valueint <= (int)h->nl &&
		    ri->valueint >= 1 && ri->valueint <= (int)h->ni)
			h->residual[rl->valueint][ri->valueint]++;
	}
	cJSON_AddItemToArray(h->risks, r);
	cJSON_Delete(rec);
	return 0;
}

/* The heat map of the risks by may see (NULL: all). */
static int
matrix(struct mamori_store *s, const char *by, cJSON **out, struct mamori_error *err)
{
	const struct mamori_policy *p = mamori_store_policy(s);
	struct heat h = { .s = s, .p = p, .by = by, .nl = scale_size(p, false), .ni = scale_size(p, true), .err = err };
	size_t nl = h.nl, ni = h.ni;
	cJSON *o, *cells;
	int rc;

	*out = NULL;
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "likelihood", scale_json(p, false));
	cJSON_AddItemToObject(o, "impact", scale_json(p, true));
	cJSON_AddNumberToObject(o, "accept", p->review.risk.pos.file ? p->review.risk.accept : 0);
	h.risks = cJSON_AddArrayToObject(o, "risks");
	rc = s->backend->check->records(s, "risk", NULL, 0, heat_risk, &h, err);
	cells = cJSON_AddArrayToObject(o, "cells");
	for (size_t l = 1; l <= nl; l++)
		for (size_t i = 1; i <= ni; i++) {
			cJSON *c = cJSON_CreateObject();
			cJSON_AddNumberToObject(c, "likelihood", (double)l);
			cJSON_AddNumberToObject(c, "impact", (double)i);
			cJSON_AddNumberToObject(c, "score", (double)(l * i));
			cJSON_AddNumberToObject(c, "inherent", (double)h.inherent[l][i]);
			cJSON_AddNumberToObject(c, "residual", (double)h.residual[l][i]);
			cJSON_AddItemToArray(cells, c);
		}
	if (rc != 0) {
		cJSON_Delete(o);
		return rc;
	}
	*out = o;
	return 0;
}
