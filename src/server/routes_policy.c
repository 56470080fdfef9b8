/* routes_policy.c — /api/health and /api/policy*. */
#include "server.h"
#include "access.h"
#include "mamori/i18n.h"
#include "mamori/decide.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
route_health(struct request *req, struct response *res)
{
	cJSON *root = cJSON_CreateObject();

	cJSON_AddStringToObject(root, "status", "ok");
	cJSON_AddStringToObject(root, "policy", req->view->id);
	cJSON_AddStringToObject(root, "version", MAMORI_VERSION);
	http_json(res, 200, root);
}

void
route_policy_show(struct request *req, struct response *res)
{
	char *json = mamori_policy_to_json(req->view, false);

	if (json == NULL) {
		http_error(res, 500, "internal", NULL, "out of memory");
		return;
	}
	res->status = 200;
	res->content_type = "application/json; charset=utf-8";
	res->body = json;
	res->len = strlen(json);
}

void
route_policy_render(struct request *req, struct response *res)
{
	const char *format = http_query(req, "format");
	enum mamori_render_format fmt = MAMORI_RENDER_HTML;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (format != NULL && strcmp(format, "markdown") == 0)
		fmt = MAMORI_RENDER_MARKDOWN;
	else if (format != NULL && strcmp(format, "html") != 0) {
		http_error(res, 400, "invalid", "format", "format is html or markdown, not '%.40s'", format);
		return;
	}
	f = open_memstream(&buf, &len);
	if (f == NULL || mamori_policy_render(req->view, fmt, f) != 0) {
		if (f)
			fclose(f);
		free(buf);
		http_error(res, 500, "internal", NULL, "cannot render the policy");
		return;
	}
	fclose(f);
	res->status = 200;
	res->content_type = fmt == MAMORI_RENDER_HTML ? "text/html; charset=utf-8" :
	    "text/markdown; charset=utf-8";
	res->body = buf;
	res->len = len;
}

/* The body is a policy file (YAML or JSON); the answer lists its diagnostics. */
void
route_policy_validate(struct request *req, struct response *res)
{
	struct mamori_diags diags = { 0 };
	struct mamori_policy *p = NULL;
	cJSON *root, *list;
	int rc;

	if (req->body_too_large) {
		http_error(res, 413, "too-large", NULL, "policy larger than the body limit");
		return;
	}
	/* "upload.yaml": relative extends resolve against the server's policy directory */
	rc = mamori_policy_load_buffer("upload.yaml", req->body ? req->body : "", req->body_len,
	    &diags, &p);
	mamori_diags_sort(&diags);
	root = cJSON_CreateObject();
	cJSON_AddBoolToObject(root, "valid", rc == 0);
	if (p != NULL)
		cJSON_AddStringToObject(root, "id", p->id);
	list = cJSON_AddArrayToObject(root, "diagnostics");
	for (size_t i = 0; i < diags.count; i++) {
		const struct mamori_diag *d = &diags.items[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "severity", d->severity == MAMORI_SEV_ERROR ? "error" : "warning");
		cJSON_AddNumberToObject(o, "line", d->line);
		cJSON_AddNumberToObject(o, "column", d->column);
		cJSON_AddStringToObject(o, "message", d->message);
		cJSON_AddItemToArray(list, o);
	}
	mamori_diags_clear(&diags);
	mamori_policy_free(&p);
	http_json(res, rc == 0 ? 200 : 422, root);
}

/* PUT /api/policy: the body is the new policy file (YAML or JSON). */
void
route_policy_replace(struct request *req, struct response *res)
{
	struct server *srv = req->srv;
	struct mamori_diags diags = { 0 }, conflicts = { 0 };
	struct mamori_error err = { 0 };
	cJSON *root, *list;
	int rc;

	if (req->body == NULL || req->body_len == 0) {
		http_error(res, 400, "malformed", NULL, "the body must be a policy file (YAML or JSON)");
		return;
	}
	pthread_mutex_lock(&srv->store_lock);
	rc = mamori_store_policy_replace_review(srv->store, req->actor, "upload.yaml", req->body, req->body_len,
	    http_query(req, "review"), &diags, &conflicts, &err);
	if (rc == 0 && server_policy_swap(srv, &err) != 0)
		rc = MAMORI_E_NOMEM;
	pthread_mutex_unlock(&srv->store_lock);
	if ((rc == MAMORI_E_INVALID || rc == MAMORI_E_IO) && diags.count > 0) {
		server_error_diags(res, 422, "invalid", "the policy is invalid; nothing was changed", &diags, "line");
		server_audit_denied(req, 422, "invalid policy");
	} else if (rc == MAMORI_E_CONFLICT && conflicts.count > 0) {
		char msg[600];
		snprintf(msg, sizeof(msg), _("%s; nothing was changed"), err.message);
		server_error_diags(res, 409, "conflict", msg, &conflicts, "object");
		server_audit_denied(req, 409, "assets or accounts invalid under the new policy");
	} else if (rc == MAMORI_E_CONFLICT) {
		http_error(res, 409, "conflict", NULL, "%s", err.message);
	} else if (rc == MAMORI_E_INVALID || rc == MAMORI_E_NOTFOUND) {
		/* ?review= names no approved review whose proposal this is */
		http_error(res, rc == MAMORI_E_INVALID ? 422 : 404, rc == MAMORI_E_INVALID ? "invalid" : "not-found",
		    "review", "%s", err.message);
	} else if (rc != 0) {
		http_error(res, 500, "internal", NULL, "%s", err.message);
	} else {
		const struct mamori_policy *p = mamori_store_policy(srv->store);
		root = cJSON_CreateObject();
		cJSON_AddStringToObject(root, "id", p->id);
		if (p->version)
			cJSON_AddStringToObject(root, "version", p->version);
		list = cJSON_AddArrayToObject(root, "diagnostics");
		for (size_t i = 0; i < diags.count; i++) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "severity", "warning");
			cJSON_AddNumberToObject(o, "line", diags.items[i].line);
			cJSON_AddNumberToObject(o, "column", diags.items[i].column);
			cJSON_AddStringToObject(o, "message", diags.items[i].message);
			cJSON_AddItemToArray(list, o);
		}
		http_json(res, 200, root);
	}
	mamori_diags_clear(&diags);
	mamori_diags_clear(&conflicts);
}
