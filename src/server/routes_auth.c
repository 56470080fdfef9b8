/* routes_auth.c — POST /api/login, POST /api/logout, GET /api/me. */
#include "server.h"
#include "access.h"
#include "mamori/i18n.h"
#include "mamori/oplog.h"
#include "mamori/user.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* the longest user name, password and one-time code an account can have */
enum { LOGIN_NAME_MAX = 64, LOGIN_PASSWORD_MAX = 1024, LOGIN_TOTP_MAX = 16 };

/* password_change_required: the account holds a temporary password, and
 * until it is changed every route but this one, logout and the change
 * itself answers 403 password-change-required (server.c, authorise). */
static cJSON *
user_json(const struct session *s, bool password_change_required)
{
	cJSON *u = cJSON_CreateObject();

	cJSON_AddStringToObject(u, "name", s->user);
	cJSON_AddStringToObject(u, "role", s->role);
	if (s->department[0])
		cJSON_AddStringToObject(u, "department", s->department);
	cJSON_AddBoolToObject(u, "password_change_required", password_change_required);
	cJSON_AddBoolToObject(u, "mfa", s->mfa);	/* the login passed a one-time code */
	return u;
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
	/* lengths no account has: refused before any work, whatever the name (no enumeration) */
	if (strlen(u->valuestring) > LOGIN_NAME_MAX || strlen(p->valuestring) > LOGIN_PASSWORD_MAX ||
	    (cJSON_IsString(t) && strlen(t->valuestring) > LOGIN_TOTP_MAX)) {
		const char *f = strlen(u->valuestring) > LOGIN_NAME_MAX ? "username" :
		    strlen(p->valuestring) > LOGIN_PASSWORD_MAX ? "password" : "totp";
		http_error(res, 400, "invalid", f, "%s is too long (username at most %d bytes, password %d, totp %d)",
		    f, LOGIN_NAME_MAX, LOGIN_PASSWORD_MAX, LOGIN_TOTP_MAX);
		cJSON_Delete(body);
		return;
	}
	if ((wait = sessions_client_wait(&srv->sessions, req->client, now)) > 0) {
		cJSON_Delete(body);
		http_error(res, 429, "rate-limited", NULL, "too many failed logins from %s; wait %u s", req->client, wait);
		snprintf(res->extra_value, sizeof(res->extra_value), "%u", wait);
		res->extra_header[0] = "Retry-After";
		/* the attempt never reached the account, so there is no login.denied: record it here */
		server_audit_denied(req, 429, "login rate limit");
		mamori_oplog(LOG_WARNING, "login.refused", "serve: login refused from %s: too many failed logins", req->client);
		return;
	}
	pthread_mutex_lock(&srv->store_lock);
	rc = mamori_user_login(srv->store, u->valuestring, p->valuestring, cJSON_IsString(t) ? t->valuestring : NULL,
	    req->client, now, &user, &err);
	pthread_mutex_unlock(&srv->store_lock);
	cJSON_Delete(body);
	sessions_client_result(&srv->sessions, req->client, rc == 0, now);
	if (rc != 0 && rc != MAMORI_E_MFA)	/* for the operator's log tools (the trail has login.denied) */
		mamori_oplog(rc == MAMORI_E_DENIED ? LOG_WARNING : LOG_ERR, "login.refused",
		    "serve: login refused from %s: %s", req->client, err.message);
	if (rc != 0) {
		/* the right password, the code missing: the UI asks for the code */
		http_error(res, rc == MAMORI_E_DENIED || rc == MAMORI_E_MFA ? 401 : 500,
		    rc == MAMORI_E_MFA ? "totp-required" : rc == MAMORI_E_DENIED ? "unauthorized" : "internal",
		    rc == MAMORI_E_MFA ? "totp" : NULL, "%s", err.message);
		return;
	}
	if (!sessions_open(&srv->sessions, &user, req->client, now, cookie, &sess)) {
		http_error(res, 503, "busy", NULL, "too many sessions; try again later");
		return;
	}
	res->extra_header[0] = "Set-Cookie";
	snprintf(res->extra_value, sizeof(res->extra_value),
	    "mamori_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", cookie, SESSION_ABSOLUTE_S,
	    srv->cfg.tls_cert ? "; Secure" : "");
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "csrf", sess.csrf);
	cJSON_AddItemToObject(root, "user", user_json(&sess, user.password_temporary));
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

/* What the session may do: each member is the check the routes behind it
 * apply (access.h), so the web UI offers nothing the API would refuse. */
static cJSON *
can_json(const struct request *req)
{
	cJSON *can = cJSON_CreateObject();

	cJSON_AddBoolToObject(can, "assets_read", access_assets(req, MAMORI_ACT_READ, NULL));
	cJSON_AddBoolToObject(can, "assets_write", access_assets(req, MAMORI_ACT_WRITE, NULL));
	cJSON_AddBoolToObject(can, "assets_import", access_assets(req, MAMORI_ACT_WRITE, NULL));
	cJSON_AddBoolToObject(can, "assets_dispose", access_assets(req, MAMORI_ACT_DISPOSE, NULL));
	cJSON_AddBoolToObject(can, "log_read", access_trail(req));
	cJSON_AddBoolToObject(can, "users_manage", access_manages(req, "users"));
	cJSON_AddBoolToObject(can, "policy_manage", access_manages(req, "policy"));
	/* the quarantine: see it (routes_quarantine.c), approve releases, ask for an original */
	cJSON_AddBoolToObject(can, "quarantine_read", access_quarantine(req));
	cJSON_AddBoolToObject(can, "quarantine_release", access_assets(req, MAMORI_ACT_RELEASE, NULL));
	cJSON_AddBoolToObject(can, "quarantine_request", true);
	/* every account may ask about itself (docs/decide.md, "Who the subject is") */
	cJSON_AddBoolToObject(can, "decide", true);
	return can;
}

void
route_me(struct request *req, struct response *res)
{
	cJSON *root = cJSON_CreateObject(), *user = user_json(req->session, req->password_temporary);
	const struct mamori_role *r = mamori_policy_find_role(req->view, req->session->role);
	const struct mamori_department *d = req->session->department[0] ?
	    mamori_policy_find_department(req->view, req->session->department) : NULL;

	/* people read titles: 情報セキュリティ管理者・税務課, not security-manager / zeimu */
	if (r != NULL && r->title != NULL)
		cJSON_AddStringToObject(user, "role_title", r->title);
	if (d != NULL && d->title != NULL)
		cJSON_AddStringToObject(user, "department_title", d->title);
	cJSON_AddItemToObject(root, "user", user);
	cJSON_AddItemToObject(root, "can", can_json(req));
	cJSON_AddStringToObject(root, "policy", req->view->id);
	/* a page reloaded (or a second tab) finds its CSRF token here: the
	 * answer is readable only by the session's own origin (SameSite=Strict) */
	if (req->session->csrf[0])
		cJSON_AddStringToObject(root, "csrf", req->session->csrf);
	http_json(res, 200, root);
}
