/*
 * server.c — the HTTP server: libmicrohttpd with a thread pool, a route table,
 * bounded bodies, static files for the web UI, graceful shutdown.
 */
#include "server.h"
#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "mamori/record_file.h"
#include "mamori/user.h"
#include "mamori/xlsx.h"
#include "utf8.h"

enum {
	CONNECTION_TIMEOUT_S = 30,	/* idle connections close (--client-timeout) */
	BODY_DEADLINE_FACTOR = 4,	/* a body must arrive within 4 × that, however slowly it trickles */
	/* headers and buffers per connection: larger headers get 431 (64 KiB cost 4 %
	 * more CPU per request: libmicrohttpd clears the pool between requests) */
	CONNECTION_MEMORY = 32 * 1024,
	CONNECTIONS_MAX = 1000,		/* at once, all clients */
	CONNECTIONS_PER_CLIENT = 64,	/* at once, one client address */
	/* from half the connections on, the server is under pressure: headers
	 * must come within PRESSURE_HEADER_S and an address may open no more
	 * once it holds PRESSURE_PER_CLIENT, so the other half stays for new
	 * clients (header_watch.h) */
	PRESSURE_AT = CONNECTIONS_MAX / 2,
	PRESSURE_HEADER_S = 5,
	PRESSURE_PER_CLIENT = 8,
	OPEN_FILES = 4 * CONNECTIONS_MAX,	/* descriptors wanted: connections, store, files */
	SHUTDOWN_GRACE_S = 10,
	STATIC_MAX = 8 * 1024 * 1024,
};

const struct route server_routes[] = {
	{ "GET", "/api/health", route_health, ROUTE_PUBLIC, ACCESS_ANY, "liveness" },
	{ "POST", "/api/login", route_login, ROUTE_PUBLIC | ROUTE_STORE, ACCESS_ANY,
	    "log in: session cookie and CSRF token" },
	{ "POST", "/api/logout", route_logout, ROUTE_MUTATES | ROUTE_STORE, ACCESS_ANY, "end the session" },
	{ "GET", "/api/me", route_me, ROUTE_STORE, ACCESS_ANY, "who is logged in" },
	{ "GET", "/api/policy", route_policy_show, 0, ACCESS_ANY, "the resolved policy (JSON)" },
	{ "PUT", "/api/policy", route_policy_replace, ROUTE_MUTATES | ROUTE_STORE, ACCESS_POLICY,
	    "replace the store's policy" },
	{ "GET", "/api/policy/render", route_policy_render, 0, ACCESS_ANY,
	    "the policy document (?format=html|markdown)" },
	{ "POST", "/api/policy/validate", route_policy_validate, 0, ACCESS_ANY, "validate an uploaded policy" },
	{ "POST", "/api/decide", route_decide, 0, ACCESS_ANY, "one decision" },
	{ "POST", "/api/decide/batch", route_decide_batch, ROUTE_PER_LINE, ACCESS_ANY, "decisions for JSON lines" },
	{ "GET", "/api/assets", route_assets_list, ROUTE_STORE, ACCESS_ANY, "the register, filtered" },
	{ "POST", "/api/assets", route_assets_add, ROUTE_MUTATES | ROUTE_STORE, ACCESS_ANY, "add an asset" },
	/* before /api/assets/{id}: the first pattern that matches wins */
	{ "POST", "/api/assets/import", route_assets_import, ROUTE_MUTATES | ROUTE_STORE, ACCESS_ASSETS_WRITE,
	    "import a CSV file, all or nothing" },
	{ "GET", "/api/assets/export", route_assets_export, ROUTE_STORE, ACCESS_ANY,
	    "download the register (CSV or XLSX)" },
	{ "GET", "/api/reports/register", route_reports_register, ROUTE_STORE, ACCESS_ANY,
	    "the register by 課 as a report (PDF or XLSX), of the assets the role may read" },
	{ "GET", "/api/reports/self-check/{id}", route_reports_self_check, ROUTE_STORE, ACCESS_TRAIL,
	    "自己点検結果報告書 of a campaign (PDF or XLSX)" },
	{ "GET", "/api/reports/audit/{id}", route_reports_audit, ROUTE_STORE, ACCESS_TRAIL,
	    "監査報告書 of an audit (PDF or XLSX)" },
	{ "GET", "/api/reports/risks", route_reports_risks, ROUTE_STORE, ACCESS_TRAIL,
	    "リスク評価表 with its heat maps (PDF or XLSX)" },
	{ "GET", "/api/assets/{id}", route_asset_get, ROUTE_STORE, ACCESS_ANY, "one asset with its 取扱制限" },
	{ "PATCH", "/api/assets/{id}", route_asset_edit, ROUTE_MUTATES | ROUTE_STORE, ACCESS_ANY,
	    "change fields of an asset" },
	{ "POST", "/api/assets/{id}/dispose", route_asset_dispose, ROUTE_MUTATES | ROUTE_STORE, ACCESS_ANY,
	    "record a disposal" },
	{ "GET", "/api/stats", route_stats, ROUTE_STORE, ACCESS_ANY, "the figures of the home screen" },
	{ "GET", "/api/quarantine", route_quarantine_list, ROUTE_STORE, ACCESS_QUARANTINE, "the originals 無害化 kept" },
	{ "GET", "/api/quarantine/{id}", route_quarantine_get, ROUTE_STORE, ACCESS_QUARANTINE,
	    "one original, its state and history" },
	{ "POST", "/api/quarantine/{id}/request", route_quarantine_request, ROUTE_MUTATES | ROUTE_STORE, ACCESS_ANY,
	    "ask for an original" },
	{ "POST", "/api/quarantine/{id}/release", route_quarantine_release, ROUTE_MUTATES | ROUTE_STORE, ACCESS_ANY,
	    "approve the open request (a second person)" },
	{ "GET", "/api/quarantine/{id}/original", route_quarantine_original, ROUTE_STORE, ACCESS_ANY,
	    "the released original, to its requester" },
	{ "GET", "/api/records", route_record_kinds, ROUTE_STORE, ACCESS_ANY, "the record kinds the policy declares" },
	{ "GET", "/api/records/{kind}", route_record_list, ROUTE_STORE, ACCESS_ANY, "records of a kind the user may see" },
	{ "POST", "/api/records/{kind}", route_record_create, ROUTE_MUTATES | ROUTE_STORE, ACCESS_ANY,
	    "report or request: a new record" },
	{ "GET", "/api/records/{kind}/{id}", route_record_get, ROUTE_STORE, ACCESS_ANY, "one record, its history and moves" },
	{ "POST", "/api/records/{kind}/{id}/moves", route_record_move, ROUTE_MUTATES | ROUTE_STORE, ACCESS_ANY,
	    "a step of the record's workflow" },
	{ "POST", "/api/records/{kind}/{id}/comments", route_record_comment, ROUTE_MUTATES | ROUTE_STORE, ACCESS_ANY,
	    "a comment in the record's history" },
	{ "GET", "/api/records/{kind}/{id}/files", route_record_files, ROUTE_STORE, ACCESS_ANY, "the record's files" },
	{ "POST", "/api/records/{kind}/{id}/files", route_record_file_add, ROUTE_MUTATES | ROUTE_STORE, ACCESS_ANY,
	    "add a file (the body; ?name=) to the record" },
	{ "GET", "/api/records/{kind}/{id}/files/{num}", route_record_file_get, ROUTE_STORE, ACCESS_ANY,
	    "one of the record's files (a download)" },
	{ "GET", "/api/notices", route_notices, ROUTE_STORE, ACCESS_ANY, "the user's notices (records)" },
	{ "GET", "/api/check/items", route_check_items, 0, ACCESS_ANY, "the checklist of the policy in force" },
	{ "GET", "/api/check/{id}/progress", route_check_progress, ROUTE_STORE, ACCESS_ANY,
	    "a self-check's or audit's progress per 課" },
	{ "GET", "/api/check/{id}/sheet", route_check_sheet, ROUTE_STORE, ACCESS_ANY,
	    "a 課's items with their answers (?department=)" },
	{ "POST", "/api/check/{id}/answers", route_check_answer, ROUTE_MUTATES | ROUTE_STORE, ACCESS_ANY,
	    "answer an item for a 課" },
	{ "GET", "/api/risks", route_risks, ROUTE_STORE, ACCESS_ANY, "the risk heat map (risks the user may see)" },
	{ "GET", "/api/reviews/{id}", route_review_gather, ROUTE_STORE, ACCESS_ANY,
	    "what a 見直し gathers for its period" },
	{ "GET", "/api/log", route_log_events, ROUTE_STORE, ACCESS_TRAIL, "audit events, filtered" },
	{ "GET", "/api/log/head", route_log_head, ROUTE_STORE, ACCESS_ANY, "sign and return the current tree head" },
	{ "GET", "/api/log/verify", route_log_verify, ROUTE_STORE, ACCESS_ANY, "verify the whole audit trail" },
	{ "GET", "/api/log/proof", route_log_proof, ROUTE_STORE, ACCESS_TRAIL, "an inclusion or consistency proof" },
	{ "GET", "/api/users", route_users_list, ROUTE_STORE, ACCESS_USERS, "the accounts the user administers" },
	{ "POST", "/api/users", route_users_add, ROUTE_MUTATES | ROUTE_STORE, ACCESS_ANY, "create an account" },
	{ "GET", "/api/users/{name}", route_user_get, ROUTE_STORE, ACCESS_ANY, "one account" },
	{ "POST", "/api/users/{name}/disable", route_user_disable, ROUTE_MUTATES | ROUTE_STORE, ACCESS_ANY,
	    "disable an account" },
	{ "POST", "/api/users/{name}/enable", route_user_enable, ROUTE_MUTATES | ROUTE_STORE, ACCESS_ANY,
	    "enable an account" },
	{ "POST", "/api/users/{name}/email", route_user_email, ROUTE_MUTATES | ROUTE_STORE, ACCESS_ANY,
	    "set or clear the account's mail address" },
	{ "POST", "/api/users/{name}/password", route_user_password, ROUTE_MUTATES | ROUTE_STORE, ACCESS_ANY,
	    "set a new password" },
	{ "POST", "/api/users/{name}/mfa/enroll", route_user_mfa_enroll, ROUTE_MUTATES | ROUTE_STORE, ACCESS_ANY,
	    "new TOTP secret" },
	{ "POST", "/api/users/{name}/mfa/reset", route_user_mfa_reset, ROUTE_MUTATES | ROUTE_STORE, ACCESS_ANY,
	    "remove the TOTP secret" },
	{ "GET", "/api/users/{name}/tokens", route_user_tokens_list, ROUTE_STORE, ACCESS_ANY,
	    "the account's API tokens" },
	{ "POST", "/api/users/{name}/tokens", route_user_token_create, ROUTE_MUTATES | ROUTE_STORE, ACCESS_ANY,
	    "issue an API token" },
	{ "DELETE", "/api/users/{name}/tokens/{id}", route_user_token_revoke, ROUTE_MUTATES | ROUTE_STORE, ACCESS_ANY,
	    "revoke an API token" },
	{ "POST", "/api/users/{name}/move", route_user_move, ROUTE_MUTATES | ROUTE_STORE, ACCESS_USERS,
	    "異動: another department or role; what the account held" },
	{ "POST", "/api/users/{name}/retire", route_user_retire, ROUTE_MUTATES | ROUTE_STORE, ACCESS_USERS,
	    "退職: disable, revoke tokens; what the account still held" },
	{ "GET", "/api/users/{name}/holdings", route_user_holdings, ROUTE_STORE, ACCESS_USERS,
	    "what the account holds (to hand over)" },
	{ "GET", "/api/training", route_training, ROUTE_STORE, ACCESS_ANY,
	    "教育・研修: completion per course, 課 and person, as the user may see it" },
	{ "POST", "/api/training/reminders", route_training_remind, ROUTE_MUTATES | ROUTE_STORE, ACCESS_POLICY,
	    "notices to whoever is overdue on a course" },
};
const size_t server_nroutes = sizeof(server_routes) / sizeof(server_routes[0]);

/* Matches path against a pattern with {name} segments, filling params. */
static bool
route_match(const char *pattern, const char *path, const char **params, char *store, size_t n)
{
	size_t np = 0, used = 0;

	while (*pattern && *path) {
		if (*pattern == '{') {
			const char *end = strchr(path, '/');
			size_t len = end ? (size_t)(end - path) : strlen(path);
			if (len == 0 || np >= 4 || used + len + 1 > n)
				return false;
			memcpy(store + used, path, len);
			store[used + len] = '\0';
			params[np++] = store + used;
			used += len + 1;
			path += len;
			pattern = strchr(pattern, '}') + 1;
			continue;
		}
		if (*pattern++ != *path++)
			return false;
	}
	return *pattern == '\0' && *path == '\0';
}

/* Per-connection state across libmicrohttpd's calls for one request. */
struct pending {
	char *body;
	size_t len, cap;
	bool too_large;
	size_t max;		/* the body's limit: body_max, or a record file's for its upload */
	time_t started;		/* when the headers were in: the body's deadline counts from here */
};

static bool
utf8_ok(const char *s)
{
	return s == NULL || mamori_utf8_valid(s, strlen(s), NULL);
}

/* MHD_KeyValueIterator: clears *ok at the first name or value that is not UTF-8. */
static enum MHD_Result
argument_utf8(void *ok, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	if (!utf8_ok(key) || !utf8_ok(value)) {
		*(bool *)ok = false;
		return MHD_NO;
	}
	return MHD_YES;
}

static enum MHD_Result
send_response(struct MHD_Connection *conn, struct response *res)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(res->len, res->body,
	    MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (r == NULL) {
		free(res->body);
		return MHD_NO;
	}
	res->body = NULL;
	MHD_add_response_header(r, "Content-Type", res->content_type ? res->content_type :
	    "application/json; charset=utf-8");
	/* JSON answers speak the request's language (lang.h); files and documents their own */
	if (res->language != NULL && (res->content_type == NULL ||
	    strncmp(res->content_type, "application/json", 16) == 0)) {
		MHD_add_response_header(r, "Content-Language", res->language);
		MHD_add_response_header(r, "Vary", "Accept-Language");
	}
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "Content-Security-Policy", res->csp ? res->csp :
	    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'");
	if (res->extra_header[0] != NULL)
		MHD_add_response_header(r, res->extra_header[0], res->extra_value);
	if (res->disposition != NULL)
		MHD_add_response_header(r, "Content-Disposition", res->disposition);
	ret = MHD_queue_response(conn, res->status, r);
	MHD_destroy_response(r);
	return ret;
}

static const char *
mime_type(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".html", "text/html; charset=utf-8" }, { ".css", "text/css; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" }, { ".json", "application/json" },
		{ ".svg", "image/svg+xml" }, { ".png", "image/png" }, { ".ico", "image/x-icon" },
	};
	const char *dot = strrchr(path, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

/*
 * Opens rel (no leading '/') below the directory root without following any
 * symbolic link on the way, nor letting ".." leave it: openat2 with
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS; where the kernel has no openat2 (or a
 * sandbox forbids it), one component at a time with O_NOFOLLOW.  -1 when not.
 */
static int
open_beneath(int root, const char *rel)
{
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
	char part[NAME_MAX + 1];
	int fd = (int)syscall(SYS_openat2, root, rel, &how, sizeof(how));

	if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
		return fd;
	fd = dup(root);
	while (fd >= 0) {
		const char *slash = strchr(rel, '/');
		size_t n = slash ? (size_t)(slash - rel) : strlen(rel);
		int next;
		if (n == 0 || n > NAME_MAX || (n == 1 && rel[0] == '.') || (n == 2 && rel[0] == '.' && rel[1] == '.')) {
			close(fd);
			return -1;
		}
		memcpy(part, rel, n);
		part[n] = '\0';
		next = openat(fd, part, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | (slash ? O_DIRECTORY : 0));
		close(fd);
		fd = next;
		if (slash == NULL)
			break;
		rel = slash + 1;
	}
	return fd;
}

/* Serves a file below the web directory; refuses anything that could escape it,
 * by name ("..") or by a symbolic link anywhere on the path (open_beneath). */
static void
serve_static(struct server *srv, const char *path, struct response *res)
{
	struct stat st;
	int root, fd = -1;

	if (strcmp(path, "/") == 0)
		path = "/index.html";
	if (strstr(path, "..") != NULL || strchr(path, '\\') != NULL || path[1] == '.') {
		http_error(res, 404, "not-found", NULL, "no such page");
		return;
	}
	root = open(srv->cfg.web_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root >= 0) {
		fd = open_beneath(root, path + 1);
		close(root);
	}
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > STATIC_MAX) {
		if (fd >= 0)
			close(fd);
		http_error(res, 404, "not-found", NULL, "no such page: %s", path);
		return;
	}
	res->body = malloc((size_t)st.st_size + 1);
	if (res->body != NULL && read(fd, res->body, (size_t)st.st_size) == st.st_size) {
		res->status = 200;
		res->len = (size_t)st.st_size;
		res->content_type = mime_type(path);
	} else {
		free(res->body);
		res->body = NULL;
		http_error(res, 500, "internal", NULL, "cannot read %s", path);
	}
	close(fd);
}

static void
client_address(struct MHD_Connection *conn, char *buf, size_t n)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(buf, n, "unknown");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf, (socklen_t)n);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf, (socklen_t)n);
}

/* The value of cookie name in the Cookie header, into buf. */
static bool
cookie_value(struct MHD_Connection *conn, const char *name, char *buf, size_t n)
{
	const char *v = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, name);

	if (v == NULL || strlen(v) >= n)
		return false;
	snprintf(buf, n, "%s", v);
	return true;
}

/*
 * Login and CSRF checks before the handler.  With a store every route but the
 * public ones needs a session; state-changing ones also need the session's CSRF
 * token in X-CSRF-Token.  Without a store (a policy file only) there are no
 * accounts: the read-only policy and decision routes are open, on loopback.
 */
/* What a session with a temporary password may do: see who it is, log out,
 * and change its own password (docs/auth.md, "Temporary passwords"). */
static bool
password_change_route(const struct route *rt, const struct request *req)
{
	return strcmp(rt->pattern, "/api/me") == 0 || strcmp(rt->pattern, "/api/logout") == 0 ||
	    (strcmp(rt->pattern, "/api/users/{name}/password") == 0 && req->session != NULL &&
	    strcmp(req->params[0], req->session->user) == 0);
}

/*
 * The answer when the store cannot say who is asking (PostgreSQL out of
 * reach, a failover under way): 503, nobody logged out, no event (there is
 * no store to write it to).
 */
static void
store_unreachable(struct response *res)
{
	http_error(res, 503, "store-unavailable", NULL, "the store cannot be reached; try again shortly");
}

static bool
authorise(struct server *srv, const struct route *rt, struct request *req, struct response *res,
    struct session *sess)
{
	char cookie[MAMORI_TOKEN_LEN + 1];
	const char *csrf;
	time_t now = time(NULL);

	if ((rt->flags & ROUTE_STORE) && srv->store == NULL) {
		http_error(res, 404, "not-found", NULL, "this server has no store (start it with --db)");
		return false;
	}
	if (srv->store == NULL || (rt->flags & ROUTE_PUBLIC))
		return true;
	/* the caches answer for the store as it is now (worker.h) */
	worker_refresh(req->worker);
	/* systems: Authorization: Bearer TOKEN, no cookie and so no CSRF */
	const char *authz = http_header(req, "Authorization");
	if (authz != NULL && strncmp(authz, "Bearer ", 7) == 0) {
		struct mamori_user u;
		char scope[8];
		int rc = worker_token_check(req->worker, authz + 7, now, &u, scope);
		if (rc == MAMORI_E_STORE) {
			store_unreachable(res);
			return false;
		}
		if (rc != 0) {
			http_error(res, 401, "unauthorized", NULL, "invalid or expired token");
			server_audit_denied(req, 401, "invalid or expired token");
			return false;
		}
		memset(sess, 0, sizeof(*sess));
		snprintf(sess->user, sizeof(sess->user), "%s", u.name);
		snprintf(sess->role, sizeof(sess->role), "%s", u.role);
		snprintf(sess->department, sizeof(sess->department), "%s", u.department);
		req->session = sess;
		req->decide_for_others = strcmp(scope, "gateway") == 0;
		snprintf(req->actor, sizeof(req->actor), "token:%s@%s", u.name, req->client);
		if ((rt->flags & ROUTE_MUTATES) && strcmp(scope, "write") != 0) {
			http_error(res, 403, "forbidden", NULL, "this token's scope is read");
			server_audit_denied(req, 403, "token scope");
			return false;
		}
		return true;
	}
	if (!cookie_value(req->conn, "mamori_session", cookie, sizeof(cookie))) {
		http_error(res, 401, "unauthorized", NULL, "log in first (POST /api/login)");
		server_audit_denied(req, 401, "no session");
		return false;
	}
	/* a cookie that names no live session: expired, ended, or made up */
	if (!sessions_find(&srv->sessions, cookie, now, sess)) {
		http_error(res, 401, "unauthorized", NULL, "log in first (POST /api/login)");
		server_audit_denied(req, 401, "unknown or expired session");
		return false;
	}
	/* the account as it is now: a disabled one's sessions end at once, a
	 * changed role or department applies from the next request */
	struct mamori_user u;
	int rc = worker_user_get(req->worker, sess->user, now, &u);
	if (rc == MAMORI_E_STORE) {	/* the session stays: the store is out of reach, not the account */
		store_unreachable(res);
		return false;
	}
	if (rc != 0 || u.disabled) {
		sessions_close(&srv->sessions, cookie);
		http_error(res, 401, "unauthorized", NULL, "the account is disabled; log in again");
		server_audit_denied(req, 401, "account disabled");
		return false;
	}
	/* a new password or a reset MFA (here or by `mamori user` in another
	 * process) ends the sessions opened with the old ones */
	if (strcmp(u.credential, sess->credential) != 0) {
		sessions_close(&srv->sessions, cookie);
		http_error(res, 401, "unauthorized", NULL, "the account's password or MFA has changed; log in again");
		server_audit_denied(req, 401, "credentials changed");
		return false;
	}
	snprintf(sess->role, sizeof(sess->role), "%s", u.role);
	snprintf(sess->department, sizeof(sess->department), "%s", u.department);
	req->session = sess;
	req->password_temporary = u.password_temporary;
	snprintf(req->actor, sizeof(req->actor), "web:%s@%s", sess->user, req->client);
	if (u.password_temporary && !password_change_route(rt, req)) {
		http_error(res, 403, "password-change-required", "password", "the account's password is temporary: "
		    "change it first (POST /api/users/%s/password with current_password)", sess->user);
		server_audit_denied(req, 403, "temporary password");
		return false;
	}
	if (rt->flags & ROUTE_MUTATES) {
		csrf = http_header(req, "X-CSRF-Token");
		if (csrf == NULL || !mamori_auth_equal(csrf, sess->csrf)) {
			http_error(res, 403, "forbidden", "X-CSRF-Token", "missing or wrong CSRF token");
			server_audit_denied(req, 403, "csrf");
			return false;
		}
	}
	return true;
}

/* Lines of the request body, each a decision of a batch: its cost against the rate. */
static double
body_lines(const struct request *req)
{
	size_t n = 0;

	for (const char *p = req->body, *end = p + req->body_len; p != NULL && p < end; n++) {
		p = memchr(p, '\n', (size_t)(end - p));
		p = p ? p + 1 : NULL;
	}
	return n > 0 ? (double)n : 1;
}

bool
server_rate_take(struct request *req, struct response *res, double cost)
{
	char key[80];
	struct timespec ts;
	bool first;
	unsigned wait;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (req->session != NULL)
		snprintf(key, sizeof(key), "user:%s", req->session->user);
	else
		snprintf(key, sizeof(key), "addr:%s", req->client);
	wait = rate_take(&req->srv->rates, key, cost, (double)ts.tv_sec + ts.tv_nsec / 1e9, &first);
	if (wait == 0)
		return true;
	http_error(res, 429, "rate-limited", NULL, "more than %ld requests a second from %s; wait %u s",
	    (long)req->srv->rates.rate, req->session ? req->session->user : req->client, wait);
	snprintf(res->extra_value, sizeof(res->extra_value), "%u", wait);
	res->extra_header[0] = "Retry-After";
	/* one event per run of refusals: a flood must not become a flood of events */
	if (first && req->srv->audit_queue != NULL)
		server_audit_denied(req, 429, "rate limit");
	return false;
}

static void
dispatch(struct server *srv, struct request *req, struct response *res)
{
	char params[512];
	bool path_known = false;
	struct session sess;

	for (size_t i = 0; i < server_nroutes; i++) {
		const struct route *rt = &server_routes[i];
		if (!route_match(rt->pattern, req->path, req->params, params, sizeof(params)))
			continue;
		path_known = true;
		if (strcmp(rt->method, req->method) != 0)
			continue;
		if (authorise(srv, rt, req, res, &sess) && ((rt->flags & ROUTE_PUBLIC) ||
		    server_rate_take(req, res, (rt->flags & ROUTE_PER_LINE) ? body_lines(req) : 1))) {
			server_policy_snapshot(srv, req);
			if (req->worker != NULL)	/* its reads too, under the policy of this request */
				mamori_store_reader_use_policy(req->worker->db, req->view);
			if (access_permits(req, rt->need))
				rt->handler(req, res);
			else
				server_forbid(req, res, access_need_what(rt->need));
		}
		return;
	}
	if (path_known)
		http_error(res, 405, "method-not-allowed", NULL, "%s is not allowed on %s",
		    req->method, req->path);
	else if (strncmp(req->path, "/api/", 5) == 0 || strcmp(req->path, "/api") == 0)
		http_error(res, 404, "not-found", NULL, "no such resource: %s", req->path);
	else if ((strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0) && srv->cfg.web_dir == NULL)
		http_error(res, 404, "not-found", NULL, "this server has no web UI (start it with --web DIR)");
	else if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)
		serve_static(srv, req->path, res);
	else
		http_error(res, 405, "method-not-allowed", NULL, "%s is not allowed on %s",
		    req->method, req->path);
}

/* This thread's worker (its read connection), made on its first request; NULL with err filled if not. */
static struct worker *
thread_worker(struct server *srv, struct mamori_error *err)
{
	struct worker *w = pthread_getspecific(srv->worker_key);

	if (w == NULL) {
		w = worker_new(srv->store, err);
		if (w == NULL || pthread_setspecific(srv->worker_key, w) != 0) {
			worker_free(w);
			return NULL;
		}
	}
	return w;
}

/*
 * The body limit of a request, known from its method and path before its body
 * is read: a record's file (the body is the file) may be as large as the
 * store's record.file_max_bytes, read here from this thread's connection;
 * everything else body_max.
 */
static size_t
body_limit(struct server *srv, const char *method, const char *url)
{
	const char *params[4];
	char buf[512];
	struct mamori_error err = { 0 };
	struct worker *w;

	if (srv->store == NULL || strcmp(method, "POST") != 0 ||
	    !route_match("/api/records/{kind}/{id}/files", url, params, buf, sizeof(buf)))
		return srv->cfg.body_max;
	w = thread_worker(srv, &err);
	return (size_t)(w ? mamori_record_file_max(w->db) : MAMORI_RECORD_FILE_MAX_DEFAULT);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct server *srv = cls;
	struct pending *p = *con_cls;
	struct request req;
	struct response res = { 0 };
	enum MHD_Result ret;
	enum lang_id language;
	locale_t previous;

	(void)version;
	if (p == NULL) {
		p = calloc(1, sizeof(*p));
		if (p == NULL)
			return MHD_NO;
		p->started = time(NULL);
		p->max = body_limit(srv, method, url);
		*con_cls = p;
		header_watch_in(srv->header_watch, conn);
		return MHD_YES;
	}
	if (*upload_size != 0) {
		/* a client that trickles its body byte by byte never goes idle: bound the whole */
		if (time(NULL) - p->started > (time_t)srv->cfg.client_timeout * BODY_DEADLINE_FACTOR)
			return MHD_NO;	/* closes the connection */
		/* keep reading what is too large, but keep none of it: answer 413 at the end */
		if (!p->too_large && p->len + *upload_size > p->max) {
			p->too_large = true;
			free(p->body);
			p->body = NULL;
			p->len = p->cap = 0;
		}
		if (!p->too_large) {
			if (p->len + *upload_size + 1 > p->cap) {
				size_t cap = p->cap ? p->cap : 4096;
				while (cap < p->len + *upload_size + 1)
					cap *= 2;
				char *b = realloc(p->body, cap);
				if (b == NULL)
					return MHD_NO;
				p->body = b;
				p->cap = cap;
			}
			memcpy(p->body + p->len, upload, *upload_size);
			p->len += *upload_size;
			p->body[p->len] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}

	/* every message of this request in the language it asks for, on this
	 * thread only, until its answer is queued (lang.h) */
	language = lang_of_request(&srv->lang, MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "Accept-Language"));
	previous = lang_enter(&srv->lang, language);
	res.language = lang_tag(language);
	memset(&req, 0, sizeof(req));
	if (srv->store != NULL) {
		struct mamori_error err = { 0 };
		if ((req.worker = thread_worker(srv, &err)) == NULL) {
			http_error(&res, 503, "busy", NULL, "cannot open the store for this request: %s", err.message);
			ret = send_response(conn, &res);
			lang_leave(previous);
			return ret;
		}
		req.db = req.worker->db;
	}
	req.srv = srv;
	req.conn = conn;
	req.method = method;
	req.path = url;
	req.body = p->body;
	req.body_len = p->len;
	req.body_too_large = p->too_large;
	client_address(conn, req.client, sizeof(req.client));
	bool args_ok = true;
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, argument_utf8, &args_ok);
	if (p->too_large)
		http_error(&res, 413, "too-large", NULL, "request body larger than %zu bytes", p->max);
	else if (!utf8_ok(url) || !args_ok)
		http_error(&res, 400, "malformed", NULL, "the path or a query argument is not valid UTF-8 "
		    "(after %%-decoding)");
	else
		dispatch(srv, &req, &res);
	worker_done(req.worker);	/* before the answer goes out: no snapshot held across the send */
	ret = send_response(conn, &res);
	lang_leave(previous);
	return ret;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct server *srv = cls;
	struct pending *p = *con_cls;

	(void)toe;
	header_watch_done(srv->header_watch, conn);
	if (p != NULL) {
		free(p->body);
		free(p);
		*con_cls = NULL;
	}
}

/* Parses "HOST:PORT" ("127.0.0.1:8080", "[::1]:8080", ":8080") into addr. */
static bool
parse_listen(const char *listen, struct sockaddr_storage *addr)
{
	char host[128];
	const char *colon = strrchr(listen, ':');
	long port;
	char *end;

	memset(addr, 0, sizeof(*addr));
	if (colon == NULL || (size_t)(colon - listen) >= sizeof(host))
		return false;
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || port < 1 || port > 65535)
		return false;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	if (host[0] == '[') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)addr;
		size_t hl = strlen(host);
		if (hl < 2 || host[hl - 1] != ']')
			return false;
		host[hl - 1] = '\0';
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		return inet_pton(AF_INET6, host + 1, &a6->sin6_addr) == 1;
	}
	struct sockaddr_in *a4 = (struct sockaddr_in *)addr;
	a4->sin_family = AF_INET;
	a4->sin_port = htons((uint16_t)port);
	if (host[0] == '\0' || strcmp(host, "localhost") == 0)
		return inet_pton(AF_INET, "127.0.0.1", &a4->sin_addr) == 1;
	return inet_pton(AF_INET, host, &a4->sin_addr) == 1;
}

/*
 * The listening socket, made here rather than by libmicrohttpd so that a port
 * in use is an error that says so: SO_REUSEADDR (a restart need not wait for
 * TIME_WAIT) but never SO_REUSEPORT, which let a second server share the port
 * in silence.  Returns the socket, or -1 with errno set.
 */
static int
listen_socket(const struct sockaddr_storage *addr)
{
	socklen_t len = addr->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	int one = 1, fd = socket(addr->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, (const struct sockaddr *)addr, len) != 0 || listen(fd, SOMAXCONN) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* A thousand connections need more descriptors than the usual soft limit of
 * 1024: raise it towards the hard limit (best effort). */
static void
raise_open_files(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= OPEN_FILES)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > OPEN_FILES ? OPEN_FILES : rl.rlim_max;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
}

/* A worker thread ends: its connection and caches go with it. */
static void
worker_destroy(void *w)
{
	worker_free(w);
}

int
server_start(struct server *srv)
{
	struct sockaddr_storage addr;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
	    MHD_USE_ERROR_LOG;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned threads = srv->cfg.threads ? srv->cfg.threads : (unsigned)(ncpu > 0 ? ncpu : 1);

	lang_open(&srv->lang, NULL);	/* first: it sets the environment, which no thread may read meanwhile */
	if (srv->cfg.client_timeout == 0)
		srv->cfg.client_timeout = CONNECTION_TIMEOUT_S;
	if (srv->cfg.rate == 0)
		srv->cfg.rate = SERVER_RATE;
	rate_init(&srv->rates, srv->cfg.rate > 0 ? (double)srv->cfg.rate : 0,
	    srv->cfg.rate > 0 ? (double)srv->cfg.rate * SERVER_RATE_BURST : 1);
	if (srv->store != NULL && !srv->have_worker_key) {
		if (pthread_key_create(&srv->worker_key, worker_destroy) != 0) {
			fprintf(stderr, "mamori: serve: cannot make thread-local storage\n");
			return 3;
		}
		srv->have_worker_key = true;
	}
	pthread_rwlock_init(&srv->policy_lock, NULL);
	mamori_xlsx_init();	/* before the worker threads: uploads may be workbooks */
	if (!parse_listen(srv->cfg.listen, &addr)) {
		fprintf(stderr, "mamori: serve: --listen '%s' is not HOST:PORT (e.g. 127.0.0.1:8080)\n",
		    srv->cfg.listen);
		return 2;
	}
	if ((srv->cfg.tls_cert != NULL) != (srv->cfg.tls_key != NULL)) {
		fprintf(stderr, "mamori: serve: TLS needs both --tls-cert and --tls-key\n");
		return 2;
	}
	if (srv->cfg.tls_cert != NULL) {
		/* through tls.c, so that SIGHUP can put a renewed pair in force (server_reload_tls) */
		char why[512];
		if (server_tls_load(srv->cfg.tls_cert, srv->cfg.tls_key, why, sizeof(why)) != 0) {
			fprintf(stderr, "mamori: serve: cannot read the TLS certificate or key: %s\n", why);
			return 3;
		}
		flags |= MHD_USE_TLS;
	}
	/* headers, like a body, must arrive within 4 × the client timeout however slowly they trickle */
	struct header_watch_limits hl = { (time_t)srv->cfg.client_timeout * BODY_DEADLINE_FACTOR, PRESSURE_AT,
		PRESSURE_HEADER_S, PRESSURE_PER_CLIENT };
	if (hl.pressure_deadline > hl.deadline)
		hl.pressure_deadline = hl.deadline;
	raise_open_files();
	srv->header_watch = header_watch_start(&hl);
	if (srv->header_watch == NULL || audit_queue_open(srv) != 0) {
		header_watch_stop(srv->header_watch);
		srv->header_watch = NULL;
		fprintf(stderr, "mamori: serve: out of memory\n");
		return 3;
	}
	if ((srv->listen_fd = listen_socket(&addr)) < 0) {
		fprintf(stderr, "mamori: serve: cannot listen on %s: %s%s\n", srv->cfg.listen, strerror(errno),
		    errno == EADDRINUSE ? " (another server runs on that port: stop it or choose another "
		    "with --listen HOST:PORT)" : "");
		audit_queue_close(srv);
		header_watch_stop(srv->header_watch);
		srv->header_watch = NULL;
		return 3;
	}
	srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv,
	    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)srv->listen_fd,
	    MHD_OPTION_THREAD_POOL_SIZE, threads,
	    MHD_OPTION_CONNECTION_TIMEOUT, srv->cfg.client_timeout,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTIONS_MAX,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)CONNECTIONS_PER_CLIENT,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
	    MHD_OPTION_NOTIFY_CONNECTION, header_watch_notify, srv->header_watch,
	    srv->cfg.tls_cert ? MHD_OPTION_HTTPS_CERT_CALLBACK : MHD_OPTION_END, server_tls_callback(),
	    MHD_OPTION_END);
	if (srv->daemon == NULL) {
		fprintf(stderr, "mamori: serve: cannot listen on %s: %s\n", srv->cfg.listen, strerror(errno));
		close(srv->listen_fd);
		srv->listen_fd = -1;
		audit_queue_close(srv);
		header_watch_stop(srv->header_watch);
		srv->header_watch = NULL;
		return 3;
	}
	return 0;
}

void
server_stop(struct server *srv)
{
	time_t deadline = time(NULL) + SHUTDOWN_GRACE_S;

	if (srv->daemon == NULL)
		goto out;
	/* stop accepting; let the requests in flight finish, then stop */
	/* the listening socket is ours again (and was ours from the start) */
	MHD_quiesce_daemon(srv->daemon);
	while (time(NULL) < deadline) {
		const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon,
		    MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
		if (info == NULL || info->num_connections == 0)
			break;
		usleep(20 * 1000);
	}
	MHD_stop_daemon(srv->daemon);	/* joins the workers: their connections close */
	srv->daemon = NULL;
	close(srv->listen_fd);
	srv->listen_fd = -1;
out:
	audit_queue_close(srv);
	header_watch_stop(srv->header_watch);	/* after the daemon: no connection is left */
	srv->header_watch = NULL;
	if (srv->have_worker_key) {
		pthread_key_delete(srv->worker_key);
		srv->have_worker_key = false;
	}
	lang_close(&srv->lang);	/* after the daemon: no request uses them */
	free(srv->tls_cert_pem);
	free(srv->tls_key_pem);
	srv->tls_cert_pem = srv->tls_key_pem = NULL;
	server_tls_free();
	for (size_t i = 0; i < srv->nretired; i++)
		mamori_decider_free(&srv->retired[i]);
	free(srv->retired);
	srv->retired = NULL;
	srv->nretired = 0;
}
