/* routes_stats.c — GET /api/stats: the figures of the web UI's ホーム. */
#include "server.h"
#include "access.h"
#include "mamori/asset.h"
#include "mamori/audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The counts of the register, by department (the policy's order) and 機密性 level. */
struct counts {
	const struct mamori_policy *p;
	const struct mamori_axis *c;
	int64_t *n;		/* ndepartments × nlevels, then ndepartments without an owner */
};

/* The index of department id in the policy, or -1. */
static int
department_index(const struct mamori_policy *p, const char *id)
{
	for (size_t i = 0; i < p->organisation.ndepartments; i++)
		if (strcmp(p->organisation.departments[i].id, id) == 0)
			return (int)i;
	return -1;
}

static int
count_level(const char *department, int level, int64_t n, void *arg)
{
	struct counts *k = arg;
	int d = department_index(k->p, department);

	for (size_t l = 0; d >= 0 && l < k->c->nlevels; l++)
		if (k->c->levels[l].level == level)
			k->n[(size_t)d * k->c->nlevels + l] += n;
	return 0;
}

static int
count_without_owner(const char *department, int level, int64_t n, void *arg)
{
	struct counts *k = arg;
	int d = department_index(k->p, department);

	(void)level;
	if (d >= 0)
		k->n[k->p->organisation.ndepartments * k->c->nlevels + (size_t)d] += n;
	return 0;
}

/* The 機密性 levels with their titles, for the keys of "levels". */
static void
level_titles(cJSON *root, const struct mamori_axis *c)
{
	cJSON *list = cJSON_AddArrayToObject(root, "levels");

	for (size_t i = 0; c != NULL && i < c->nlevels; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "level", c->levels[i].level);
		cJSON_AddStringToObject(o, "title", c->levels[i].title ? c->levels[i].title : "");
		cJSON_AddItemToArray(list, o);
	}
}

/*
 * One department's active assets by 機密性 level, as {"department", "title",
 * "levels": {"1": n, …}, "total"}.
 */
static cJSON *
department_json(const struct counts *k, size_t d)
{
	const struct mamori_department *dep = &k->p->organisation.departments[d];
	cJSON *o = cJSON_CreateObject(), *levels;
	int64_t total = 0;
	char key[16];

	cJSON_AddStringToObject(o, "department", dep->id);
	cJSON_AddStringToObject(o, "title", dep->title ? dep->title : dep->id);
	levels = cJSON_AddObjectToObject(o, "levels");
	for (size_t l = 0; l < k->c->nlevels; l++) {
		int64_t n = k->n[d * k->c->nlevels + l];
		snprintf(key, sizeof(key), "%d", k->c->levels[l].level);
		cJSON_AddNumberToObject(levels, key, (double)n);
		total += n;
	}
	cJSON_AddNumberToObject(o, "total", (double)total);
	return o;
}

/*
 * The register's figures the role may see, per department it reads: two
 * GROUP BY queries (課 × 機密性, and assets without an owner by 課) instead
 * of a count per cell.  A role that reads one department counts only it.
 */
static bool
register_stats(struct request *req, cJSON *root, struct mamori_error *err)
{
	const struct mamori_policy *p = req->view;
	struct counts k = { .p = p };
	struct mamori_asset_filter f = { .status = "active" };
	cJSON *list = cJSON_AddArrayToObject(root, "departments");
	size_t nd = p->organisation.ndepartments;
	int64_t without_owner = 0;
	bool ok = false;

	k.c = mamori_policy_axis(p, "confidentiality");
	level_titles(root, k.c);
	if (k.c == NULL || req->session == NULL) {
		cJSON_AddNumberToObject(root, "without_owner", 0);
		return true;
	}
	switch (mamori_decider_role_reach(req->decider, req->session->role, MAMORI_ACT_READ)) {
	case MAMORI_REACH_ALL:
		break;
	case MAMORI_REACH_DEPARTMENT:
		f.department = req->session->department;
		break;
	default:
		cJSON_AddNumberToObject(root, "without_owner", 0);
		return true;
	}
	if ((k.n = calloc(nd * k.c->nlevels + nd, sizeof(*k.n))) == NULL) {
		mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		return false;
	}
	if (mamori_asset_count_by(req->db, &f, 0, count_level, &k, err) != 0)
		goto out;
	f.without_owner = true;
	if (mamori_asset_count_by(req->db, &f, -1, count_without_owner, &k, err) != 0)
		goto out;
	for (size_t d = 0; d < nd; d++) {
		if (!access_assets(req, MAMORI_ACT_READ, p->organisation.departments[d].id))
			continue;
		cJSON_AddItemToArray(list, department_json(&k, d));
		without_owner += k.n[nd * k.c->nlevels + d];
	}
	cJSON_AddNumberToObject(root, "without_owner", (double)without_owner);
	ok = true;
out:
	free(k.n);
	return ok;
}

/* The audit trail: its size and the newest signed head, its signature checked. */
static bool
trail_stats(struct request *req, cJSON *root, struct mamori_error *err)
{
	cJSON *t = cJSON_AddObjectToObject(root, "trail");
	struct mamori_head h;
	unsigned char pk[32];
	char pub[4096];
	int64_t n = 0;
	int rc;

	if (mamori_audit_size(req->db, &n, err) != 0)
		return false;
	cJSON_AddNumberToObject(t, "events", (double)n);
	rc = mamori_audit_latest_head(req->db, &h, err);
	if (rc == MAMORI_E_NOTFOUND) {
		cJSON_AddNullToObject(t, "head");
		return true;
	}
	if (rc != 0)
		return false;
	cJSON *o = cJSON_AddObjectToObject(t, "head");
	cJSON_AddNumberToObject(o, "seq", (double)h.seq);
	cJSON_AddNumberToObject(o, "size", (double)h.size);
	cJSON_AddStringToObject(o, "time", h.time);
	snprintf(pub, sizeof(pub), "%s.pub", mamori_store_path(req->srv->store));
	cJSON_AddBoolToObject(o, "signature_ok", mamori_audit_read_pubkey(pub, pk, err) == 0 && mamori_head_verify(&h, pk));
	cJSON_AddNumberToObject(o, "events_since", (double)(n - (int64_t)h.size));
	return true;
}

void
route_stats(struct request *req, struct response *res)
{
	cJSON *root = cJSON_CreateObject();
	struct mamori_error err = { 0 };

	if (!register_stats(req, root, &err) || !trail_stats(req, root, &err) ||
	    !quarantine_stats(req, root, &err)) {
		cJSON_Delete(root);
		http_error(res, 500, "internal", NULL, "%s", err.message);
		return;
	}
	http_json(res, 200, root);
}
