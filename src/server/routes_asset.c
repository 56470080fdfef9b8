/*
 * routes_asset.c — the register over HTTP.  Who may do what comes from the
 * policy's role access (the decision point's rule): a 職員 sees and changes only
 * their department's assets, an auditor reads everything and changes nothing.
 */
#include "server.h"
#include "mamori/asset.h"
#include "mamori/decide.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
permits(struct request *req, enum mamori_action action, const char *department)
{
	const struct session *s = req->session;

	if (s == NULL)		/* a store always has sessions; this is defence in depth */
		return false;
	return mamori_decider_role_permits(req->srv->decider, s->role, action,
	    s->department[0] ? s->department : NULL, department);
}

static void
forbid(struct request *req, struct response *res, const char *what)
{
	http_error(res, 403, "forbidden", NULL, "role '%s' may not %s", req->session ? req->session->role : "?", what);
	server_audit_denied(req, 403, what);
}

static cJSON *
asset_json(const struct mamori_asset *a)
{
	cJSON *o = cJSON_CreateObject();

	for (int k = 0; k < MAMORI_AF_COUNT; k++)
		if (a->f[k])
			cJSON_AddStringToObject(o, mamori_asset_columns[k].id, a->f[k]);
	return o;
}

/* The asset's fields as JSON members, written straight out (what asset_json makes). */
static void
asset_write(struct jbuf *b, const struct mamori_asset *a)
{
	bool first = true;

	for (int k = 0; k < MAMORI_AF_COUNT; k++) {
		if (a->f[k] == NULL)
			continue;
		if (!first)
			JBUF_LIT(b, ",");
		first = false;
		jbuf_key(b, mamori_asset_columns[k].id);
		jbuf_str(b, a->f[k]);
	}
}

/* The list is written row by row as SQLite returns them: no tree of thousands of objects. */
struct list_ctx {
	struct request *req;
	struct jbuf out;
	size_t count, hidden;
};

static int
list_row(const struct mamori_asset *a, void *arg)
{
	struct list_ctx *c = arg;

	if (!permits(c->req, MAMORI_ACT_READ, a->f[MAMORI_AF_DEPARTMENT])) {
		c->hidden++;
		return 0;
	}
	if (c->count > 0)
		JBUF_LIT(&c->out, ",");
	JBUF_LIT(&c->out, "{");
	asset_write(&c->out, a);
	JBUF_LIT(&c->out, "}");
	c->count++;
	return c->out.failed ? MAMORI_E_NOMEM : 0;
}

void
route_assets_list(struct request *req, struct response *res)
{
	struct mamori_asset_filter f = {
		.department = http_query(req, "department"), .segment = http_query(req, "segment"),
		.kind = http_query(req, "kind"), .status = http_query(req, "status"), .text = http_query(req, "q"),
	};
	static const char *const axes[3] = { "c", "i", "a" };
	struct list_ctx c = { .req = req };
	struct mamori_error err = { 0 };
	char count[32];
	int rc;

	for (int ax = 0; ax < 3; ax++) {
		const char *v = http_query(req, axes[ax]);
		if (v && !mamori_asset_filter_level(&f, ax, v)) {
			http_error(res, 400, "invalid", axes[ax], "'%s' is not a level or a comparison like >=2", v);
			return;
		}
	}
	JBUF_LIT(&c.out, "{\"assets\":[");
	rc = mamori_asset_list(req->db, &f, list_row, &c, &err);
	if (rc != 0) {
		free(c.out.p);
		http_error(res, 500, "internal", NULL, "%s", rc == MAMORI_E_NOMEM ? "out of memory" : err.message);
		return;
	}
	snprintf(count, sizeof(count), "],\"count\":%zu}", c.count);
	jbuf_raw(&c.out, count, strlen(count));
	http_jbuf(res, 200, &c.out);
}

struct restriction_ctx {
	struct jbuf *out;
	size_t n;
};

static void
add_restriction(const struct mamori_axis *axis, const struct mamori_restriction *r, void *arg)
{
	struct restriction_ctx *c = arg;

	if (c->n++ > 0)
		JBUF_LIT(c->out, ",");
	JBUF_LIT(c->out, "{");
	jbuf_key(c->out, "axis");
	jbuf_str(c->out, axis->id);
	JBUF_LIT(c->out, ",");
	jbuf_key(c->out, "id");
	jbuf_str(c->out, r->id);
	JBUF_LIT(c->out, ",");
	jbuf_key(c->out, "text");
	jbuf_str(c->out, r->text);
	JBUF_LIT(c->out, ",");
	jbuf_key(c->out, "clause");
	jbuf_str(c->out, r->clause);
	JBUF_LIT(c->out, "}");
}

void
route_asset_get(struct request *req, struct response *res)
{
	struct mamori_asset a = { 0 };
	struct mamori_error err = { 0 };
	struct jbuf out = { 0 };
	struct restriction_ctx rc_ctx = { &out, 0 };
	int rc;

	rc = mamori_asset_get(req->db, req->params[0], &a, &err);
	if (rc != 0) {
		http_error(res, 404, "not-found", NULL, "no asset %s", req->params[0]);
	} else if (!permits(req, MAMORI_ACT_READ, a.f[MAMORI_AF_DEPARTMENT])) {
		forbid(req, res, "read this department's assets");
	} else {
		JBUF_LIT(&out, "{");
		asset_write(&out, &a);
		JBUF_LIT(&out, ",\"restrictions\":[");
		mamori_asset_restrictions(req->srv->view, &a, add_restriction, &rc_ctx);
		JBUF_LIT(&out, "]}");
		http_jbuf(res, 200, &out);
	}
	mamori_asset_clear(&a);
}

void
route_assets_add(struct request *req, struct response *res)
{
	cJSON *body = http_body_json(req, res), *root, *list;
	struct mamori_asset a = { 0 };
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	const struct mamori_department *dep;
	int rc;

	if (body == NULL)
		return;
	for (const cJSON *it = body->child; it; it = it->next) {
		int k = mamori_asset_column_find(it->string);
		char num[16];
		if (k < 0 || !mamori_asset_columns[k].importable) {
			http_error(res, 400, "invalid", it->string, "unknown field '%s'", it->string);
			goto out;
		}
		if (cJSON_IsNumber(it)) {
			snprintf(num, sizeof(num), "%d", it->valueint);
			mamori_asset_set(&a, (enum mamori_asset_field)k, num);
		} else if (cJSON_IsString(it)) {
			mamori_asset_set(&a, (enum mamori_asset_field)k, it->valuestring);
		} else {
			http_error(res, 400, "invalid", it->string, "'%s' must be a string or a number", it->string);
			goto out;
		}
	}
	dep = a.f[MAMORI_AF_DEPARTMENT] ? mamori_policy_find_department(req->srv->view, a.f[MAMORI_AF_DEPARTMENT]) : NULL;
	if (!permits(req, MAMORI_ACT_WRITE, dep ? dep->id : a.f[MAMORI_AF_DEPARTMENT])) {
		forbid(req, res, "add assets of this department");
		goto out;
	}
	pthread_mutex_lock(&req->srv->store_lock);
	rc = mamori_asset_add(req->srv->store, req->actor, &a, &d, &err);
	pthread_mutex_unlock(&req->srv->store_lock);
	if (rc == MAMORI_E_INVALID) {
		root = cJSON_CreateObject();
		cJSON *e = cJSON_AddObjectToObject(root, "error");
		cJSON_AddStringToObject(e, "code", "invalid");
		cJSON_AddStringToObject(e, "message", err.message);
		cJSON_AddNullToObject(e, "field");
		list = cJSON_AddArrayToObject(e, "problems");
		for (size_t i = 0; i < d.count; i++)
			cJSON_AddItemToArray(list, cJSON_CreateString(d.items[i].message));
		http_json(res, 422, root);
	} else if (rc == MAMORI_E_CONFLICT) {
		http_error(res, 409, "conflict", "id", "%s", err.message);
	} else if (rc != 0) {
		http_error(res, 500, "internal", NULL, "%s", err.message);
	} else {
		http_json(res, 201, asset_json(&a));
	}
out:
	mamori_diags_clear(&d);
	mamori_asset_clear(&a);
	cJSON_Delete(body);
}

void
route_asset_dispose(struct request *req, struct response *res)
{
	cJSON *body = http_body_json(req, res);
	struct mamori_asset a = { 0 };
	struct mamori_error err = { 0 };
	const cJSON *m, *by, *w, *date;
	int rc;

	if (body == NULL)
		return;
	m = cJSON_GetObjectItemCaseSensitive(body, "method");
	by = cJSON_GetObjectItemCaseSensitive(body, "by");
	w = cJSON_GetObjectItemCaseSensitive(body, "witness");
	date = cJSON_GetObjectItemCaseSensitive(body, "date");
	if (!cJSON_IsString(m) || !cJSON_IsString(by) || !cJSON_IsString(date)) {
		http_error(res, 400, "invalid", !cJSON_IsString(m) ? "method" : !cJSON_IsString(by) ? "by" : "date",
		    "method, by and date are required strings");
		goto out;
	}
	pthread_mutex_lock(&req->srv->store_lock);
	rc = mamori_asset_get(req->srv->store, req->params[0], &a, &err);
	if (rc == 0 && !permits(req, MAMORI_ACT_DISPOSE, a.f[MAMORI_AF_DEPARTMENT])) {
		pthread_mutex_unlock(&req->srv->store_lock);
		forbid(req, res, "dispose of this department's assets");
		goto out;
	}
	if (rc == 0)
		rc = mamori_asset_dispose(req->srv->store, req->actor, req->params[0], date->valuestring,
		    m->valuestring, by->valuestring, cJSON_IsString(w) ? w->valuestring : NULL, &err);
	pthread_mutex_unlock(&req->srv->store_lock);
	if (rc == MAMORI_E_NOTFOUND)
		http_error(res, 404, "not-found", NULL, "%s", err.message);
	else if (rc == MAMORI_E_DENIED)
		http_error(res, 422, "invalid", "method", "%s", err.message);
	else if (rc == MAMORI_E_CONFLICT)
		http_error(res, 409, "conflict", NULL, "%s", err.message);
	else if (rc == MAMORI_E_USAGE)
		http_error(res, 400, "invalid", "method", "%s", err.message);
	else if (rc != 0)
		http_error(res, 500, "internal", NULL, "%s", err.message);
	else
		http_json(res, 200, cJSON_CreateObject());
out:
	mamori_asset_clear(&a);
	cJSON_Delete(body);
}
