/* routes_auth.c — POST /api/login, POST /api/logout, GET /api/me. */
#include "server.h"
#include "audit_queue.h"
#include "mamori/user.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static cJSON *
user_json(const struct session *s)
{
	cJSON *u = cJSON_CreateObject();

	cJSON_AddStringToObject(u, "name", s->user);
	cJSON_AddStringToObject(u, "role", s->role);
	if (s->department[0])
		cJSON_AddStringToObject(u, "department", s->department);
	return u;
}

/* A denial to record: the job and copies of what the request thread owns. */
struct denied {
	struct audit_job job;
	unsigned status;
	char *actor, *method, *path, *client, *why;
};

static void
denied_free(void *arg)
{
	struct denied *d = arg;

	free(d->actor);
	free(d->method);
	free(d->path);
	free(d->client);
	free(d->why);
	free(d);
}

static int
denied_write(struct mamori_store_tx *tx, void *arg)
{
	struct denied *d = arg;
	cJSON *after = cJSON_CreateObject();
	int rc;

	cJSON_AddStringToObject(after, "method", d->method);
	cJSON_AddStringToObject(after, "path", d->path);
	cJSON_AddStringToObject(after, "client", d->client);
	cJSON_AddNumberToObject(after, "status", d->status);
	cJSON_AddStringToObject(after, "why", d->why);
	mamori_store_tx_set_actor(tx, d->actor);
	rc = mamori_store_tx_event(tx, "http.denied", "request", d->path, NULL, after);
	cJSON_Delete(after);
	return rc;
}

void
server_audit_denied(struct request *req, unsigned status, const char *why)
{
	struct denied *d;

	if (req->srv->audit_queue == NULL)
		return;
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		goto nomem;
	d->status = status;
	d->actor = strdup(req->actor[0] ? req->actor : "web:anonymous");
	d->method = strdup(req->method);
	d->path = strdup(req->path);
	d->client = strdup(req->client);
	d->why = strdup(why);
	if (!d->actor || !d->method || !d->path || !d->client || !d->why) {
		denied_free(d);
		goto nomem;
	}
	d->job = (struct audit_job){ .write = denied_write, .arg = d, .release = denied_free };
	audit_queue_post(req->srv, &d->job);
	return;
nomem:
	fprintf(stderr, "mamori: serve: out of memory: a denied %s %s from %s is not in the audit trail\n",
	    req->method, req->path, req->client);
}

void
server_forbid(struct request *req, struct response *res, const char *what)
{
	http_error(res, 403, "forbidden", NULL, "role '%s' may not %s", req->session ? req->session->role : "?", what);
	server_audit_denied(req, 403, what);
}

void
route_login(struct request *req, struct response *res)
{
	struct server *srv = req->srv;
	cJSON *body = http_body_json(req, res), *root;
	const cJSON *u, *p, *t;
	struct mamori_user user;
	struct mamori_error err = { 0 };
	struct session sess;
	char cookie[MAMORI_TOKEN_LEN];
	time_t now = time(NULL);
	unsigned wait;
	int rc;

	if (body == NULL)
		return;
	u = cJSON_GetObjectItemCaseSensitive(body, "username");
	p = cJSON_GetObjectItemCaseSensitive(body, "password");
	t = cJSON_GetObjectItemCaseSensitive(body, "totp");
	if (!cJSON_IsString(u) || !cJSON_IsString(p) || (t && !cJSON_IsString(t) && !cJSON_IsNull(t))) {
		cJSON_Delete(body);
		http_error(res, 400, "invalid", !cJSON_IsString(u) ? "username" : !cJSON_IsString(p) ? "password" : "totp",
		    "username and password are strings; totp, when given, too");
		return;
	}
	if ((wait = sessions_client_wait(&srv->sessions, req->client, now)) > 0) {
		cJSON_Delete(body);
		http_error(res, 429, "rate-limited", NULL, "too many failed logins from %s; wait %u s", req->client, wait);
		snprintf(res->extra_value, sizeof(res->extra_value), "%u", wait);
		res->extra_header[0] = "Retry-After";
		/* the attempt never reached the account: no login.denied, so record it here */
		server_audit_denied(req, 429, "login rate limit");
		return;
	}
	pthread_mutex_lock(&srv->store_lock);
	rc = mamori_user_login(srv->store, u->valuestring, p->valuestring, cJSON_IsString(t) ? t->valuestring : NULL,
	    req->client, now, &user, &err);
	pthread_mutex_unlock(&srv->store_lock);
	cJSON_Delete(body);
	sessions_client_result(&srv->sessions, req->client, rc == 0, now);
	if (rc != 0) {
		http_error(res, rc == MAMORI_E_DENIED ? 401 : 500, rc == MAMORI_E_DENIED ? "unauthorized" : "internal",
		    NULL, "%s", err.message);
		return;
	}
	if (!sessions_open(&srv->sessions, user.name, user.role, user.department, now, cookie, &sess)) {
		http_error(res, 503, "busy", NULL, "too many sessions; try again later");
		return;
	}
	res->extra_header[0] = "Set-Cookie";
	snprintf(res->extra_value, sizeof(res->extra_value),
	    "mamori_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", cookie, SESSION_ABSOLUTE_S,
	    srv->cfg.tls_cert ? "; Secure" : "");
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "csrf", sess.csrf);
	cJSON_AddItemToObject(root, "user", user_json(&sess));
	http_json(res, 200, root);
}

void
route_logout(struct request *req, struct response *res)
{
	char cookie[MAMORI_TOKEN_LEN + 1];
	const char *v = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, "mamori_session");

	if (v != NULL && strlen(v) < sizeof(cookie)) {
		snprintf(cookie, sizeof(cookie), "%s", v);
		sessions_close(&req->srv->sessions, cookie);
	}
	res->extra_header[0] = "Set-Cookie";
	snprintf(res->extra_value, sizeof(res->extra_value),
	    "mamori_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	http_json(res, 200, cJSON_CreateObject());
}

void
route_me(struct request *req, struct response *res)
{
	cJSON *root = cJSON_CreateObject();

	cJSON_AddItemToObject(root, "user", user_json(req->session));
	cJSON_AddStringToObject(root, "policy", req->view->id);
	http_json(res, 200, root);
}
