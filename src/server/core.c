/*
 * core.c — the server's core, which every route file shares: refusals and
 * their audit events, the one mapping of a library status to an HTTP error,
 * the one error shape for validation problems (diagnostics), the one way a
 * route changes the store (server_store_begin / server_store_end), and the
 * policy in force.  The route table and the dispatcher are in server.c; what a
 * role may do, in access.c.
 */
#include "server.h"
#include "mamori/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- refusals ----------------------------------------------------------- */

struct denied_arg {
	const char *actor, *path, *method, *client, *why;
	unsigned status;
};

static int
denied_write(struct mamori_store_tx *tx, void *arg)
{
	struct denied_arg *a = arg;
	cJSON *after = cJSON_CreateObject();
	int rc;

	cJSON_AddStringToObject(after, "method", a->method);
	cJSON_AddStringToObject(after, "path", a->path);
	cJSON_AddStringToObject(after, "client", a->client);
	cJSON_AddNumberToObject(after, "status", a->status);
	cJSON_AddStringToObject(after, "why", a->why);
	mamori_store_tx_actor(tx, a->actor);
	rc = mamori_store_tx_event(tx, "http.denied", "request", a->path, NULL, after);
	cJSON_Delete(after);
	return rc;
}

void
server_audit_denied(struct request *req, unsigned status, const char *why)
{
	struct denied_arg a = { req->actor[0] ? req->actor : "web:anonymous", req->path, req->method,
		req->client, why, status };
	struct audit_entry e = { .write = denied_write, .arg = &a };

	/* a flood of refused requests costs one fsync per group, not one each */
	audit_queue_write(req->srv, &e);
}

void
server_forbid(struct request *req, struct response *res, const char *what)
{
	/* the answer in the request's language, the trail in the msgid's English */
	http_error(res, 403, "forbidden", NULL, "role '%s' may not %s", req->session ? req->session->role : "?", _(what));
	server_audit_denied(req, 403, what);
}

/* ---- library statuses as HTTP ------------------------------------------- */

/* The one mapping, in the terms of docs/api.md's table of errors: a request
 * the library found malformed (USAGE) is a 400, one invalid against the
 * policy a 422. */
static const struct {
	int rc;
	struct server_status st;
} statuses[] = {
	{ MAMORI_E_USAGE, { 400, "invalid" } },
	{ MAMORI_E_DENIED, { 403, "forbidden" } },
	{ MAMORI_E_NOTFOUND, { 404, "not-found" } },
	{ MAMORI_E_CONFLICT, { 409, "conflict" } },
	{ MAMORI_E_INVALID, { 422, "invalid" } },
	{ MAMORI_E_TAMPERED, { 500, "tampered" } },
};

struct server_status
server_status_of(int rc)
{
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (statuses[i].rc == rc)
			return statuses[i].st;
	return (struct server_status){ 500, "internal" };
}

void
server_error(struct response *res, int rc, const char *field, const struct mamori_error *err)
{
	struct server_status st = server_status_of(rc);

	/* a field names the part of the request at fault: in a malformed, a
	 * conflicting or an invalid request */
	http_error(res, st.status, st.code, st.status == 400 || st.status == 409 || st.status == 422 ? field : NULL,
	    "%s",
	    err->message[0] ? err->message : rc == MAMORI_E_NOMEM ? "out of memory" : "internal error");
}

/* ---- the one write path ------------------------------------------------- */

struct mamori_store *
server_store_begin(struct request *req)
{
	pthread_mutex_lock(&req->srv->store_lock);
	return req->srv->store;
}

bool
server_store_end(struct request *req, struct response *res, int rc, const struct mamori_error *err,
    const char *field)
{
	pthread_mutex_unlock(&req->srv->store_lock);
	if (rc != 0)
		server_error(res, rc, field, err);
	return rc == 0;
}

bool
server_store_end_diags(struct request *req, struct response *res, int rc, const struct mamori_error *err,
    const char *field, const struct mamori_diags *d, const char *key)
{
	if (rc != MAMORI_E_INVALID)
		return server_store_end(req, res, rc, err, field);
	pthread_mutex_unlock(&req->srv->store_lock);
	server_error_diags(res, 422, "invalid", err->message, d, key);
	return false;
}

/* ---- validation problems: diagnostics ----------------------------------- */

void
server_error_diags(struct response *res, unsigned status, const char *code, const char *message,
    const struct mamori_diags *d, const char *key)
{
	cJSON *root = cJSON_CreateObject(), *e;

	e = cJSON_AddObjectToObject(root, "error");
	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", _(message));	/* a msgid, or a message translated already */
	cJSON_AddNullToObject(e, "field");
	cJSON_AddItemToObject(e, "diagnostics", server_diags_json(d, key));
	if (d != NULL && d->dropped)
		cJSON_AddNumberToObject(e, "not_shown", (double)d->dropped);
	http_json(res, status, root);
}

cJSON *
server_diags_json(const struct mamori_diags *d, const char *key)
{
	cJSON *list = cJSON_CreateArray();

	for (size_t i = 0; d != NULL && i < d->count; i++) {
		const struct mamori_diag *g = &d->items[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "severity", g->severity == MAMORI_SEV_ERROR ? "error" : "warning");
		if (key == NULL) {
			/* a single object's problems: the message names its field */
		} else if (strcmp(key, "object") == 0 || strcmp(key, "field") == 0) {
			cJSON_AddStringToObject(o, key, g->file ? g->file : "");
		} else {
			cJSON_AddNumberToObject(o, key, g->line);
			cJSON_AddNumberToObject(o, "column", g->column);
		}
		cJSON_AddStringToObject(o, "message", g->message);
		cJSON_AddItemToArray(list, o);
	}
	return list;
}

void
server_policy_snapshot(struct server *srv, struct request *req)
{
	pthread_rwlock_rdlock(&srv->policy_lock);
	req->view = srv->view;
	req->decider = srv->decider;
	pthread_rwlock_unlock(&srv->policy_lock);
}

int
server_policy_swap(struct server *srv, struct mamori_error *err)
{
	const struct mamori_policy *p = mamori_store_policy(srv->store);
	struct mamori_decider *d = NULL, **r;
	int rc;

	if ((rc = mamori_decider_new(p, &d, err)) != 0 ||
	    (rc = mamori_decider_load_assets(d, srv->store, err)) != 0) {
		mamori_decider_free(&d);
		return rc;
	}
	pthread_rwlock_wrlock(&srv->policy_lock);
	r = realloc(srv->retired, (srv->nretired + 1) * sizeof(*r));
	if (r == NULL) {
		pthread_rwlock_unlock(&srv->policy_lock);
		mamori_decider_free(&d);
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	}
	srv->retired = r;
	srv->retired[srv->nretired++] = srv->decider;
	srv->decider = d;
	srv->view = p;
	pthread_rwlock_unlock(&srv->policy_lock);
	return 0;
}

/* ---- file downloads --------------------------------------------------- */

/* Reads the whole file at path into res's body; false when it cannot. */
static bool
file_body(const char *path, struct response *res)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (f == NULL)
		return false;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (res->body = malloc((size_t)n + 1)) == NULL || fread(res->body, 1, (size_t)n, f) != (size_t)n) {
		free(res->body);
		res->body = NULL;
		fclose(f);
		return false;
	}
	fclose(f);
	res->len = (size_t)n;
	return true;
}

void
server_xlsx_response(struct response *res, const char *disposition,
    int (*write)(const char *path, void *arg, struct mamori_error *err), void *arg)
{
	server_file_response(res, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", disposition,
	    write, arg);
}

void
server_file_response(struct response *res, const char *content_type, const char *disposition,
    int (*write)(const char *path, void *arg, struct mamori_error *err), void *arg)
{
	const char *dir = getenv("TMPDIR");
	struct mamori_error err = { 0 };
	char tmp[4096];
	int fd, rc;

	/* the workbook writer opens its file by name: a private name it may fill */
	snprintf(tmp, sizeof(tmp), "%s/mamori-export-XXXXXX", dir && dir[0] ? dir : "/tmp");
	if ((fd = mkstemp(tmp)) < 0) {
		http_error(res, 500, "internal", NULL, "cannot make a temporary file");
		return;
	}
	close(fd);
	rc = write(tmp, arg, &err);
	if (rc != 0 || !file_body(tmp, res)) {
		unlink(tmp);
		http_error(res, 500, "internal", NULL, "%s", rc ? err.message : "cannot read the export");
		return;
	}
	unlink(tmp);
	res->status = 200;
	res->content_type = content_type;
	res->disposition = disposition;
}
