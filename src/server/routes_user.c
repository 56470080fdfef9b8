/*
 * routes_user.c — accounts over HTTP, for administrators.  Who administers
 * accounts is the policy's access.manage: users (inherited up the hierarchy);
 * a manager of scope department administers only its own department's
 * accounts, and every manager only accounts of its own role or the roles that
 * report to it — nobody hands out a role above their own.  Every change is the
 * library's, audit-logged with the web actor and client address.
 */
#include "server.h"
#include "access.h"
#include "mamori/decide.h"
#include "mamori/i18n.h"
#include "mamori/mail.h"
#include "mamori/personnel.h"
#include "mamori/user.h"
#include "json_strict.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { TOKEN_DAYS_DEFAULT = 90, TOKEN_DAYS_MAX = 3650 };

/* Whether the session may administer an account of role and department (NULL: none). */
static bool
manages(struct request *req, const char *role, const char *department)
{
	const struct session *s = req->session;

	return s != NULL && mamori_decider_role_manages(req->decider, s->role, "users",
	    s->department[0] ? s->department : NULL, department && department[0] ? department : NULL) &&
	    mamori_decider_role_covers(req->decider, s->role, role);
}

static cJSON *
user_json(const struct mamori_user *u)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "name", u->name);
	cJSON_AddStringToObject(o, "role", u->role);
	if (u->department[0])
		cJSON_AddStringToObject(o, "department", u->department);
	if (u->email[0])
		cJSON_AddStringToObject(o, "email", u->email);
	else
		cJSON_AddNullToObject(o, "email");
	cJSON_AddBoolToObject(o, "password", u->has_password);
	cJSON_AddBoolToObject(o, "password_temporary", u->password_temporary);
	cJSON_AddBoolToObject(o, "mfa", u->has_totp);
	cJSON_AddBoolToObject(o, "disabled", u->disabled);
	cJSON_AddNumberToObject(o, "failures", u->failures);
	cJSON_AddStringToObject(o, "created", u->created);
	return o;
}

/* Reads the account named in the path; false after a 404 (or a store error). */
static bool
path_account(struct request *req, struct response *res, struct mamori_user *u)
{
	struct mamori_error err = { 0 };
	int rc;

	rc = mamori_user_get(server_store_begin(req), req->params[0], u, &err);
	return server_store_end(req, res, rc, &err, NULL);
}

/*
 * Reads the account named in the path and checks the session may administer
 * it.  Returns true with *u filled; false after a 404 or a 403 (audit-logged).
 * A manager learns nothing about accounts it may not administer beyond that
 * they exist (the 403).
 */
static bool
target(struct request *req, struct response *res, struct mamori_user *u)
{
	if (!path_account(req, res, u))
		return false;
	if (!manages(req, u->role, u->department)) {
		server_forbid(req, res, "administer this account (the policy's access.manage: users, "
		    "own department and lower roles)");
		return false;
	}
	return true;
}

struct list_ctx {
	struct request *req;
	cJSON *items;
};

static int
list_user(const struct mamori_user *u, void *arg)
{
	struct list_ctx *c = arg;

	if (manages(c->req, u->role, u->department))
		cJSON_AddItemToArray(c->items, user_json(u));
	return 0;
}

/* GET /api/users: the accounts the session administers. */
void
route_users_list(struct request *req, struct response *res)
{
	struct list_ctx c = { .req = req };
	struct mamori_error err = { 0 };
	cJSON *root;
	int rc;

	/* a manager of any department may list (the route's need: ACCESS_USERS);
	 * which accounts it sees is per account */
	root = cJSON_CreateObject();
	c.items = cJSON_AddArrayToObject(root, "users");
	rc = mamori_user_list(req->db, list_user, &c, &err);
	if (rc != 0) {
		cJSON_Delete(root);
		http_error(res, 500, "internal", NULL, "%s", err.message);
		return;
	}
	cJSON_AddNumberToObject(root, "count", cJSON_GetArraySize(c.items));
	http_json(res, 200, root);
}

/* A string member or NULL; false after a 400 when it is there and not a string. */
static bool
string_member(const cJSON *body, const char *name, const char **out, struct response *res)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, name);

	*out = NULL;
	if (v == NULL || cJSON_IsNull(v))
		return true;
	if (!cJSON_IsString(v)) {
		http_error(res, 400, "invalid", name, "'%s' must be a string", name);
		return false;
	}
	*out = v->valuestring;
	return true;
}

/* POST /api/users {"name", "role", "department"?, "email"?, "password"?} */
void
route_users_add(struct request *req, struct response *res)
{
	cJSON *body = http_body_json(req, res);
	const char *name, *role, *dept, *password, *email;
	const struct mamori_role *r;
	const struct mamori_department *d = NULL;
	struct mamori_user u;
	struct mamori_store *s;
	struct mamori_error err = { 0 };
	int rc;

	if (body == NULL)
		return;
	for (const cJSON *it = body->child; it; it = it->next)
		if (strcmp(it->string, "name") != 0 && strcmp(it->string, "role") != 0 &&
		    strcmp(it->string, "department") != 0 && strcmp(it->string, "password") != 0 &&
		    strcmp(it->string, "email") != 0) {
			http_error(res, 400, "invalid", it->string, "unknown field '%s' (name, role, department, email, "
			    "password)", it->string);
			goto out;
		}
	if (!string_member(body, "name", &name, res) || !string_member(body, "role", &role, res) ||
	    !string_member(body, "department", &dept, res) || !string_member(body, "password", &password, res) ||
	    !string_member(body, "email", &email, res))
		goto out;
	if (name == NULL || role == NULL) {
		http_error(res, 400, "invalid", name == NULL ? "name" : "role", "name and role are required");
		goto out;
	}
	/* titles are accepted (「職員等」, 「税務課」): resolve them before deciding who may */
	if ((r = mamori_policy_find_role(req->view, role)) == NULL) {
		http_error(res, 422, "invalid", "role", "unknown role '%s' in policy %s", role, req->view->id);
		goto out;
	}
	if (dept != NULL && (d = mamori_policy_find_department(req->view, dept)) == NULL) {
		http_error(res, 422, "invalid", "department", "unknown department '%s' in policy %s", dept,
		    req->view->id);
		goto out;
	}
	if (!manages(req, r->id, d ? d->id : NULL)) {
		server_forbid(req, res, "create accounts of this role or department (own department and lower roles only)");
		goto out;
	}
	if (email != NULL && email[0] != '\0' && mamori_mail_address_check(email) != NULL) {
		http_error(res, 422, "invalid", "email", "'%s': %s", email, _(mamori_mail_address_check(email)));
		goto out;
	}
	s = server_store_begin(req);
	/* a password chosen by an administrator is temporary: its holder replaces it first */
	rc = mamori_user_add_with_email(s, req->actor, name, r->id, d ? d->id : NULL, email, password, true, &err);
	if (rc == 0)
		rc = mamori_user_get(s, name, &u, &err);
	if (server_store_end(req, res, rc, &err, rc == MAMORI_E_INVALID && password ? "password" : "name"))
		http_json(res, 201, user_json(&u));
out:
	cJSON_Delete(body);
}

/* GET /api/users/{name} */
void
route_user_get(struct request *req, struct response *res)
{
	struct mamori_user u;

	if (target(req, res, &u))
		http_json(res, 200, user_json(&u));
}

static void
set_disabled(struct request *req, struct response *res, bool disabled)
{
	struct mamori_user u;
	struct mamori_store *s;
	struct mamori_error err = { 0 };
	int rc;

	if (!target(req, res, &u))
		return;
	s = server_store_begin(req);
	rc = mamori_user_disable(s, req->actor, u.name, disabled, &err);
	if (rc == 0)
		rc = mamori_user_get(s, u.name, &u, &err);
	if (!server_store_end(req, res, rc, &err, NULL))
		return;
	/* a disabled account's sessions end now, not at their idle timeout */
	if (disabled)
		sessions_close_user(&req->srv->sessions, u.name);
	http_json(res, 200, user_json(&u));
}

void
route_user_disable(struct request *req, struct response *res)
{
	set_disabled(req, res, true);
}

void
route_user_enable(struct request *req, struct response *res)
{
	set_disabled(req, res, false);
}

/* POST /api/users/{name}/email {"email": ADDRESS or null}: where the account's notices go by mail. */
void
route_user_email(struct request *req, struct response *res)
{
	cJSON *body = http_body_json(req, res);
	const cJSON *v;
	struct mamori_user u;
	struct mamori_store *s;
	struct mamori_error err = { 0 };
	int rc;

	if (body == NULL)
		return;
	v = cJSON_GetObjectItemCaseSensitive(body, "email");
	if (!cJSON_IsObject(body) || cJSON_GetArraySize(body) != 1 || v == NULL || !(cJSON_IsString(v) || cJSON_IsNull(v))) {
		http_error(res, 400, "invalid", "email", "the body is {\"email\": ADDRESS} or {\"email\": null}");
		goto out;
	}
	if (!target(req, res, &u))
		goto out;
	s = server_store_begin(req);
	rc = mamori_user_set_email(s, req->actor, u.name, cJSON_IsString(v) ? v->valuestring : NULL, &err);
	if (rc == 0)
		rc = mamori_user_get(s, u.name, &u, &err);
	if (server_store_end(req, res, rc, &err, "email"))
		http_json(res, 200, user_json(&u));
out:
	cJSON_Delete(body);
}

/*
 * After a change of name's password or MFA: when name is the session's own
 * account, this session takes the new credential generation and stays (the
 * account's other sessions end at their next request: server.c, authorise).
 * Called under store_lock.
 */
static void
keep_own_session(struct request *req, const char *name)
{
	const char *cookie = req->conn ? MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND,
	    "mamori_session") : NULL;
	struct mamori_user u;
	struct mamori_error err = { 0 };

	if (req->session == NULL || cookie == NULL || strcmp(req->session->user, name) != 0 ||
	    mamori_user_get(req->srv->store, name, &u, &err) != 0)
		return;
	sessions_set_credential(&req->srv->sessions, cookie, u.credential);
}

/* One's own password: {"current_password", "password"}; not temporary. */
static void
change_own_password(struct request *req, struct response *res, const char *current, const char *password)
{
	struct mamori_error err = { 0 };
	int rc;

	if (current == NULL) {
		http_error(res, 400, "invalid", "current_password", "current_password is required to change "
		    "one's own password");
		return;
	}
	rc = mamori_user_change_password(server_store_begin(req), req->actor, req->session->user, current, password,
	    &err);
	if (rc == 0)
		keep_own_session(req, req->session->user);
	if (rc == MAMORI_E_DENIED) {
		/* the wrong current password: a 403 naming it */
		server_store_end(req, res, 0, &err, NULL);
		http_error(res, 403, "forbidden", "current_password", "%s", err.message);
	} else if (server_store_end(req, res, rc, &err, "password")) {
		http_json(res, 200, cJSON_CreateObject());
	}
}

/* POST /api/users/{name}/password: one's own change {"current_password",
 * "password"}, or an administrator's reset {"password"} — a temporary password
 * its holder must replace at the next login.  Either way the account's tokens
 * are revoked and its other sessions end. */
void
route_user_password(struct request *req, struct response *res)
{
	cJSON *body = http_body_json(req, res);
	const char *password, *current;
	struct mamori_user u;
	struct mamori_error err = { 0 };
	int rc;

	if (body == NULL)
		return;
	if (!string_member(body, "password", &password, res) || !string_member(body, "current_password", &current, res))
		goto out;
	if (password == NULL) {
		http_error(res, 400, "invalid", "password", "password is required");
		goto out;
	}
	if (req->session != NULL && strcmp(req->params[0], req->session->user) == 0) {
		change_own_password(req, res, current, password);
		goto out;
	}
	if (!target(req, res, &u))
		goto out;
	rc = mamori_user_passwd(server_store_begin(req), req->actor, u.name, password, true, &err);
	if (server_store_end(req, res, rc, &err, "password"))
		http_json(res, 200, cJSON_CreateObject());
out:
	cJSON_Delete(body);
}

/*
 * Whose TOTP a session may enrol: an account it administers, or its own when
 * it has none yet — replacing one's own second factor would let whoever holds
 * a stolen session lock its owner out, so a lost phone goes through an
 * administrator's reset.
 */
static bool
enrol_target(struct request *req, struct response *res, struct mamori_user *u)
{
	if (req->session == NULL || strcmp(req->params[0], req->session->user) != 0)
		return target(req, res, u);
	if (!path_account(req, res, u))
		return false;
	if (u->has_totp) {
		http_error(res, 409, "conflict", NULL, "the account has a one-time code already; to replace it "
		    "(a new phone), ask an administrator to reset it first");
		return false;
	}
	return true;
}

/* POST /api/users/{name}/mfa/enroll: a new TOTP secret, shown once. */
void
route_user_mfa_enroll(struct request *req, struct response *res)
{
	char secret[MAMORI_TOTP_SECRET_LEN], *uri;
	struct mamori_user u;
	struct mamori_error err = { 0 };
	cJSON *root;
	int rc;

	if (!enrol_target(req, res, &u))
		return;
	rc = mamori_user_mfa_enroll(server_store_begin(req), req->actor, u.name, secret, &err);
	if (rc == 0)
		keep_own_session(req, u.name);
	if (!server_store_end(req, res, rc, &err, NULL))
		return;
	uri = mamori_auth_totp_uri("mamori", u.name, secret);
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "secret", secret);
	if (uri != NULL) {
		int width = 0;
		char *modules = mamori_auth_qr_modules(uri, &width);
		cJSON_AddStringToObject(root, "uri", uri);
		/* the QR code for the authenticator app, drawn by the web UI */
		if (modules != NULL) {
			cJSON *qr = cJSON_AddObjectToObject(root, "qr");
			cJSON_AddNumberToObject(qr, "width", width);
			cJSON_AddStringToObject(qr, "modules", modules);
			sodium_memzero(modules, strlen(modules));
		}
		free(modules);
	}
	free(uri);
	sodium_memzero(secret, sizeof(secret));
	http_json(res, 200, root);
}

/* POST /api/users/{name}/mfa/reset: a lost phone. */
void
route_user_mfa_reset(struct request *req, struct response *res)
{
	struct mamori_user u;
	struct mamori_error err = { 0 };
	int rc;

	if (!target(req, res, &u))
		return;
	rc = mamori_user_mfa_reset(server_store_begin(req), req->actor, u.name, &err);
	if (rc == 0)
		keep_own_session(req, u.name);
	if (server_store_end(req, res, rc, &err, NULL))
		http_json(res, 200, cJSON_CreateObject());
}

static int
list_token(const struct mamori_token_info *t, void *ctx)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", t->prefix);
	cJSON_AddStringToObject(o, "scope", t->scope);
	cJSON_AddNumberToObject(o, "expires", (double)t->expires);
	cJSON_AddBoolToObject(o, "expired", t->expires <= (int64_t)time(NULL));
	cJSON_AddStringToObject(o, "created", t->created);
	cJSON_AddItemToArray(ctx, o);
	return 0;
}

/* GET /api/users/{name}/tokens: the account's API tokens (never the tokens themselves). */
void
route_user_tokens_list(struct request *req, struct response *res)
{
	struct mamori_user u;
	struct mamori_error err = { 0 };
	cJSON *root, *list;
	int rc;

	if (!target(req, res, &u))
		return;
	root = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(root, "tokens");
	rc = mamori_user_token_list(req->db, u.name, list_token, list, &err);
	if (rc != 0) {
		cJSON_Delete(root);
		http_error(res, 500, "internal", NULL, "%s", err.message);
		return;
	}
	http_json(res, 200, root);
}

/* POST /api/users/{name}/tokens {"scope": "read"|"write", "days"?}: the token, shown once. */
void
route_user_token_create(struct request *req, struct response *res)
{
	cJSON *body = http_body_json(req, res), *root;
	const cJSON *days;
	const char *scope;
	char token[MAMORI_TOKEN_LEN], hash[MAMORI_TOKEN_LEN];
	struct mamori_user u;
	struct mamori_error err = { 0 };
	int64_t expires;
	long ndays = TOKEN_DAYS_DEFAULT;
	int rc;

	if (body == NULL)
		return;
	if (!string_member(body, "scope", &scope, res))
		goto out;
	days = cJSON_GetObjectItemCaseSensitive(body, "days");
	if (scope == NULL || (strcmp(scope, "read") != 0 && strcmp(scope, "write") != 0 &&
	    strcmp(scope, "gateway") != 0)) {
		http_error(res, 400, "invalid", "scope", "scope is read, write or gateway");
		goto out;
	}
	/* a gateway token answers for anyone: only who manages the policy hands one out */
	if (strcmp(scope, "gateway") == 0 && !mamori_decider_role_manages(req->decider, req->session->role,
	    "policy", req->session->department[0] ? req->session->department : NULL, NULL)) {
		server_forbid(req, res, "issue gateway tokens (the policy's access.manage: policy)");
		goto out;
	}
	if (days != NULL && !json_strict_int(days, 1, TOKEN_DAYS_MAX, &ndays)) {
		http_error(res, 400, "invalid", "days", "days is a whole number from 1 to %d", TOKEN_DAYS_MAX);
		goto out;
	}
	if (!target(req, res, &u))
		goto out;
	expires = (int64_t)time(NULL) + (int64_t)ndays * 86400;
	rc = mamori_user_token_create(server_store_begin(req), req->actor, u.name, scope, expires, token, &err);
	if (!server_store_end(req, res, rc, &err, "scope"))
		goto out;
	mamori_auth_token_hash(token, hash);
	hash[16] = '\0';
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "token", token);
	cJSON_AddStringToObject(root, "id", hash);
	cJSON_AddStringToObject(root, "scope", scope);
	cJSON_AddNumberToObject(root, "expires", (double)expires);
	http_json(res, 201, root);
out:
	cJSON_Delete(body);
}

/* DELETE /api/users/{name}/tokens/{id}: id is the start of the token's SHA-256 as listed. */
void
route_user_token_revoke(struct request *req, struct response *res)
{
	struct mamori_user u;
	struct mamori_error err = { 0 };
	int rc;

	if (!target(req, res, &u))
		return;
	rc = mamori_user_token_revoke(server_store_begin(req), req->actor, u.name, req->params[1], &err);
	if (server_store_end(req, res, rc, &err, "id"))
		http_json(res, 200, cJSON_CreateObject());
}

/* ---- 異動・退職 (mamori/personnel.h) ---- */

/* {"user": the account as it is now, "holdings": what it held} */
static void
personnel_answer(struct response *res, const struct mamori_user *u, cJSON *holdings)
{
	cJSON *root = cJSON_CreateObject();

	cJSON_AddItemToObject(root, "user", user_json(u));
	cJSON_AddItemToObject(root, "holdings", holdings);
	http_json(res, 200, root);
}

/* POST /api/users/{name}/move {"department", "role"?}: the session must administer the account before and after. */
void
route_user_move(struct request *req, struct response *res)
{
	cJSON *body = http_body_json(req, res), *holdings = NULL;
	const char *dept, *role;
	const struct mamori_department *d;
	const struct mamori_role *r = NULL;
	struct mamori_user u;
	struct mamori_store *s;
	struct mamori_error err = { 0 };
	int rc;

	if (body == NULL)
		return;
	if (!cJSON_IsObject(body) || !string_member(body, "department", &dept, res) ||
	    !string_member(body, "role", &role, res))
		goto out;
	if (dept == NULL) {
		http_error(res, 400, "invalid", "department", "the body is {\"department\": D, \"role\": R (optional)}");
		goto out;
	}
	if ((d = mamori_policy_find_department(req->view, dept)) == NULL ||
	    (role != NULL && (r = mamori_policy_find_role(req->view, role)) == NULL)) {
		http_error(res, 422, "invalid", d == NULL ? "department" : "role", "unknown %s '%s' in policy %s",
		    d == NULL ? "department" : "role", d == NULL ? dept : role, req->view->id);
		goto out;
	}
	if (!target(req, res, &u))
		goto out;
	if (!manages(req, r ? r->id : u.role, d->id)) {
		server_forbid(req, res, "move accounts to this role or department (own department and lower roles only)");
		goto out;
	}
	s = server_store_begin(req);
	rc = mamori_user_move(s, req->actor, u.name, d->id, r ? r->id : NULL, &holdings, &err);
	if (rc == 0)
		rc = mamori_user_get(s, u.name, &u, &err);	/* as it is now: the worker's reader may lag */
	if (server_store_end(req, res, rc, &err, "department"))
		personnel_answer(res, &u, holdings);
	else
		cJSON_Delete(holdings);
out:
	cJSON_Delete(body);
}

/* POST /api/users/{name}/retire {"reason"}: disabled, tokens revoked, sessions ended; what it held. */
void
route_user_retire(struct request *req, struct response *res)
{
	cJSON *body = http_body_json(req, res), *holdings = NULL;
	const char *reason;
	struct mamori_user u;
	struct mamori_store *s;
	struct mamori_error err = { 0 };
	int rc;

	if (body == NULL)
		return;
	if (!cJSON_IsObject(body) || !string_member(body, "reason", &reason, res))
		goto out;
	if (reason == NULL || reason[0] == '\0') {
		http_error(res, 400, "invalid", "reason", "the body is {\"reason\": TEXT}");
		goto out;
	}
	if (!target(req, res, &u))
		goto out;
	s = server_store_begin(req);
	rc = mamori_user_retire(s, req->actor, u.name, reason, &holdings, &err);
	if (rc == 0)
		rc = mamori_user_get(s, u.name, &u, &err);
	if (server_store_end(req, res, rc, &err, "reason")) {
		sessions_close_user(&req->srv->sessions, u.name);
		personnel_answer(res, &u, holdings);
	} else {
		cJSON_Delete(holdings);
	}
out:
	cJSON_Delete(body);
}

/* GET /api/users/{name}/holdings: what the account holds now (to hand over). */
void
route_user_holdings(struct request *req, struct response *res)
{
	struct mamori_user u;
	struct mamori_error err = { 0 };
	cJSON *h = NULL;
	int rc;

	if (!target(req, res, &u))
		return;
	rc = mamori_user_holdings(req->db, u.name, &h, &err);
	if (rc != 0) {
		http_error(res, 500, "internal", NULL, "%s", err.message);
		return;
	}
	http_json(res, 200, h);
}
