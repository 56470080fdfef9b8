/*
 * routes_quarantine.c — 隔離 over HTTP: the originals 無害化 kept, a request to
 * release one, its release by a second person (二人制), and the download of
 * a released original by whoever asked for it.
 *
 * Who may: the list and an original's details (senders and subjects of
 * everyone's mail) to roles that may approve a release (the action `release`)
 * or read the audit trail; a request to every account (a 職員 quotes the id
 * the notice in the sanitized mail gives); the release to roles the policy
 * permits `release` — the library checks it for the requester's department
 * and refuses the requester themself.
 */
#include "server.h"
#include "access.h"
#include "mamori/quarantine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The quarantine directory, or false after a 404 saying the server has none. */
static bool
quarantine_dir(struct request *req, struct response *res, const char **dir)
{
	*dir = req->srv->cfg.quarantine_dir;
	if (*dir == NULL)
		http_error(res, 404, "not-found", NULL, "this server keeps no quarantine (start it with "
		    "--quarantine DIR or $MAMORI_QUARANTINE)");
	return *dir != NULL;
}

/* Adds an event of the original's history to the array ctx. */
static int
add_history(const struct mamori_quarantine_event *ev, void *ctx)
{
	cJSON_AddItemToArray(ctx, mamori_quarantine_event_json(ev));
	return 0;
}

/* The original's JSON with its state; with_history adds its events. */
static cJSON *
original_json(struct request *req, const struct mamori_quarantine_meta *m, bool with_history,
    struct mamori_error *err)
{
	cJSON *o = mamori_quarantine_meta_json(m);
	cJSON *history = with_history ? cJSON_AddArrayToObject(o, "history") : NULL;
	struct mamori_quarantine_state st;

	if (mamori_quarantine_state(req->db, m->sha256, &st, history ? add_history : NULL, history, err) != 0) {
		cJSON_Delete(o);
		return NULL;
	}
	cJSON_AddStringToObject(o, "state", st.state);
	if (strcmp(st.state, "held") != 0) {
		cJSON_AddStringToObject(o, "requester", st.requester);
		cJSON_AddStringToObject(o, "request_reason", st.reason);
	}
	if (strcmp(st.state, "released") == 0)
		cJSON_AddStringToObject(o, "approver", st.approver);
	return o;
}

struct list_ctx {
	struct request *req;
	cJSON *items;
	struct mamori_error *err;
};

static int
list_one(const struct mamori_quarantine_meta *m, void *arg)
{
	struct list_ctx *c = arg;
	cJSON *o = original_json(c->req, m, false, c->err);

	if (o == NULL)
		return MAMORI_E_STORE;
	cJSON_AddItemToArray(c->items, o);
	return 0;
}

/* GET /api/quarantine: the originals, oldest first, each with its state. */
void
route_quarantine_list(struct request *req, struct response *res)
{
	struct mamori_error err = { 0 };
	cJSON *root;
	const char *dir;
	struct list_ctx c = { .req = req, .err = &err };

	if (!quarantine_dir(req, res, &dir))
		return;
	root = cJSON_CreateObject();
	c.items = cJSON_AddArrayToObject(root, "originals");
	if (mamori_quarantine_list(dir, list_one, &c, &err) != 0) {
		cJSON_Delete(root);
		http_error(res, 500, "internal", NULL, "%s", err.message);
		return;
	}
	http_json(res, 200, root);
}

/* The originals by state, for GET /api/stats. */
struct counts {
	struct request *req;
	struct mamori_error *err;
	int64_t held, requested, released;
};

static int
count_one(const struct mamori_quarantine_meta *m, void *arg)
{
	struct counts *c = arg;
	struct mamori_quarantine_state st;
	int rc = mamori_quarantine_state(c->req->db, m->sha256, &st, NULL, NULL, c->err);

	if (rc == 0)
		(*(strcmp(st.state, "held") == 0 ? &c->held :
		    strcmp(st.state, "requested") == 0 ? &c->requested : &c->released))++;
	return rc;
}

bool
quarantine_stats(struct request *req, cJSON *root, struct mamori_error *err)
{
	const char *dir = req->srv->cfg.quarantine_dir;
	struct counts c = { .req = req, .err = err };
	cJSON *o;

	/* the same people as the list: its senders and subjects are everyone's */
	if (dir == NULL || !access_quarantine(req)) {
		cJSON_AddNullToObject(root, "quarantine");
		return true;
	}
	if (mamori_quarantine_list(dir, count_one, &c, err) != 0)
		return false;
	o = cJSON_AddObjectToObject(root, "quarantine");
	cJSON_AddNumberToObject(o, "held", (double)c.held);
	cJSON_AddNumberToObject(o, "requested", (double)c.requested);
	cJSON_AddNumberToObject(o, "released", (double)c.released);
	return true;
}

/*
 * A library refusal as HTTP (server_error; the two-person rule and the role
 * are 403s).  The library's INVALID here is the id in the path — not hex, or a
 * prefix of more than one original — a malformed request (400) naming "id";
 * its USAGE is a missing reason.
 */
static void
quarantine_error(struct response *res, int rc, const struct mamori_error *err)
{
	if (rc == MAMORI_E_INVALID)
		server_error(res, MAMORI_E_USAGE, "id", err);
	else
		server_error(res, rc, rc == MAMORI_E_USAGE ? "reason" : NULL, err);
}

/* GET /api/quarantine/{id}: one original, its state and history. */
void
route_quarantine_get(struct request *req, struct response *res)
{
	struct mamori_quarantine_meta m = { 0 };
	struct mamori_error err = { 0 };
	const char *dir;
	cJSON *o;
	int rc;

	if (!quarantine_dir(req, res, &dir))
		return;
	if ((rc = mamori_quarantine_get(dir, req->params[0], &m, &err)) != 0) {
		quarantine_error(res, rc, &err);
		return;
	}
	if ((o = original_json(req, &m, true, &err)) == NULL)
		http_error(res, 500, "internal", NULL, "%s", err.message);
	else
		http_json(res, 200, o);
	mamori_quarantine_meta_clear(&m);
}

/* POST /api/quarantine/{id}/request {"reason"}: asks for the original. */
void
route_quarantine_request(struct request *req, struct response *res)
{
	cJSON *body = http_body_json(req, res), *root;
	const cJSON *reason;
	struct mamori_error err = { 0 };
	const char *dir;
	int64_t seq = 0;
	int rc;

	if (body == NULL)
		return;
	reason = cJSON_GetObjectItemCaseSensitive(body, "reason");
	if (!quarantine_dir(req, res, &dir))
		goto out;
	if (!cJSON_IsString(reason) || reason->valuestring[0] == '\0' || strlen(reason->valuestring) > 1000) {
		http_error(res, 400, "invalid", "reason", "reason is required: why the original is needed (at most 1000 bytes)");
		goto out;
	}
	pthread_mutex_lock(&req->srv->store_lock);
	rc = mamori_quarantine_request(req->srv->store, req->actor, dir, req->params[0], req->session->user,
	    reason->valuestring, &seq, &err);
	pthread_mutex_unlock(&req->srv->store_lock);
	if (rc != 0) {
		quarantine_error(res, rc, &err);
		goto out;
	}
	root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "seq", (double)seq);
	http_json(res, 201, root);
out:
	cJSON_Delete(body);
}

/* POST /api/quarantine/{id}/release: the session's account approves the open
 * request (not its own).  The original stays where it is; its requester
 * downloads it with GET …/original. */
void
route_quarantine_release(struct request *req, struct response *res)
{
	struct mamori_error err = { 0 };
	char sha256[65], *data = NULL;
	size_t len = 0;
	const char *dir;
	cJSON *root;
	int rc;

	if (!quarantine_dir(req, res, &dir))
		return;
	pthread_mutex_lock(&req->srv->store_lock);
	rc = mamori_quarantine_release(req->srv->store, req->actor, dir, req->params[0], req->session->user,
	    sha256, &data, &len, &err);
	pthread_mutex_unlock(&req->srv->store_lock);
	free(data);
	if (rc != 0) {
		if (rc == MAMORI_E_DENIED)
			server_audit_denied(req, 403, "quarantine release");
		quarantine_error(res, rc, &err);
		return;
	}
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "id", sha256);
	cJSON_AddStringToObject(root, "state", "released");
	http_json(res, 200, root);
}

/* GET /api/quarantine/{id}/original: the released original, to its requester. */
void
route_quarantine_original(struct request *req, struct response *res)
{
	struct mamori_quarantine_meta m = { 0 };
	struct mamori_error err = { 0 };
	struct mamori_quarantine_state st;
	const char *dir;
	size_t len = 0;
	char *data = NULL;
	int rc;

	if (!quarantine_dir(req, res, &dir))
		return;
	if ((rc = mamori_quarantine_get(dir, req->params[0], &m, &err)) != 0 ||
	    (rc = mamori_quarantine_state(req->db, m.sha256, &st, NULL, NULL, &err)) != 0) {
		quarantine_error(res, rc, &err);
		goto out;
	}
	if (strcmp(st.state, "released") != 0 || strcmp(st.requester, req->session->user) != 0) {
		server_forbid(req, res, "download this original (only its requester, after the release)");
		goto out;
	}
	if ((rc = mamori_quarantine_read(dir, m.sha256, &data, &len, &err)) != 0) {
		quarantine_error(res, rc, &err);
		goto out;
	}
	res->status = 200;
	res->body = data;
	res->len = len;
	res->content_type = "message/rfc822";
	res->disposition = "attachment; filename=\"original.eml\"";
out:
	mamori_quarantine_meta_clear(&m);
}
