/* routes_stats.c — GET /api/stats: the figures of the web UI's ホーム. */
#include "server.h"
#include "access.h"
#include "mamori/asset.h"
#include "mamori/audit.h"

#include <stdio.h>
#include <string.h>

/*
 * Active assets of one department by 機密性 level, as {"department",
 * "title", "levels": {"1": n, …}, "total"}; NULL on a store error.  Counts
 * come from the register's index (mamori_asset_count), a few per department.
 */
static cJSON *
department_counts(struct request *req, const struct mamori_department *d, const struct mamori_axis *c,
    struct mamori_error *err)
{
	cJSON *o = cJSON_CreateObject(), *levels = cJSON_AddObjectToObject(o, "levels");
	int64_t total = 0, n;
	char key[8];

	cJSON_AddStringToObject(o, "department", d->id);
	cJSON_AddStringToObject(o, "title", d->title ? d->title : d->id);
	for (size_t i = 0; i < c->nlevels; i++) {
		struct mamori_asset_filter f = { .department = d->id, .status = "active" };
		snprintf(key, sizeof(key), "%d", c->levels[i].level);
		if (!mamori_asset_filter_level(&f, 0, key) || mamori_asset_count(req->db, &f, &n, err) != 0) {
			cJSON_Delete(o);
			return NULL;
		}
		cJSON_AddNumberToObject(levels, key, (double)n);
		total += n;
	}
	cJSON_AddNumberToObject(o, "total", (double)total);
	return o;
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

/* The register's figures the role may see: per department it reads. */
static bool
register_stats(struct request *req, cJSON *root, struct mamori_error *err)
{
	const struct mamori_policy *p = req->view;
	const struct mamori_axis *c = NULL;
	cJSON *list = cJSON_AddArrayToObject(root, "departments");
	int64_t without_owner = 0, n;

	for (size_t i = 0; i < p->classification.naxes; i++)
		if (strcmp(p->classification.axes[i].id, "confidentiality") == 0)
			c = &p->classification.axes[i];
	level_titles(root, c);
	for (size_t i = 0; c != NULL && i < p->organisation.ndepartments; i++) {
		const struct mamori_department *d = &p->organisation.departments[i];
		struct mamori_asset_filter f = { .department = d->id, .status = "active", .without_owner = true };
		cJSON *o;
		if (!access_assets(req, MAMORI_ACT_READ, d->id))
			continue;
		if ((o = department_counts(req, d, c, err)) == NULL || mamori_asset_count(req->db, &f, &n, err) != 0) {
			cJSON_Delete(o);
			return false;
		}
		cJSON_AddItemToArray(list, o);
		without_owner += n;
	}
	cJSON_AddNumberToObject(root, "without_owner", (double)without_owner);
	return true;
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
