/*
 * fuzz_request.c — libFuzzer target for the server's request bodies: the route
 * handlers that parse a body (login, asset add, disposal, decide, decide batch,
 * policy validate) are called on an in-memory request, without a network,
 * against a real store in a temporary directory (on /dev/shm when there is one:
 * every change is fsync'd).
 *
 * Input: byte 0 picks the route, byte 1 the caller's role and department, the
 * rest is the body.  After every input the store is put back as it was (the
 * events, heads and assets the input added are deleted), so that each input
 * meets the same store and a crash replays from its file alone.  Every answer
 * must be well-formed: a status the API documents and a body that parses as JSON
 * (JSON lines for the batch, the policy route's JSON too).
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server.h"
#include "mamori/asset.h"
#include "mamori/user.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct server srv;
static sqlite3 *reset_db;		/* a second connection: deletes what an input added */
static int64_t base_seq, base_head;

static const struct {
	void (*handler)(struct request *, struct response *);
	const char *method, *path, *param;
	bool ndjson;			/* the answer is JSON lines */
} routes[] = {
	{ route_login, "POST", "/api/login", NULL, false },
	{ route_assets_add, "POST", "/api/assets", NULL, false },
	{ route_asset_dispose, "POST", "/api/assets/A-000001/dispose", "A-000001", false },
	{ route_asset_dispose, "POST", "/api/assets/A-999999/dispose", "A-999999", false },
	{ route_decide, "POST", "/api/decide", NULL, false },
	{ route_decide_batch, "POST", "/api/decide/batch", NULL, true },
	{ route_policy_validate, "POST", "/api/policy/validate", NULL, false },
	{ route_asset_edit, "PATCH", "/api/assets/A-000001", "A-000001", false },
	{ route_asset_edit, "PATCH", "/api/assets/A-999999", "A-999999", false },
	{ route_assets_import, "POST", "/api/assets/import", NULL, false },
	{ route_users_add, "POST", "/api/users", NULL, false },
	{ route_user_password, "POST", "/api/users/kanri/password", "kanri", false },
	{ route_user_token_create, "POST", "/api/users/kanri/tokens", "kanri", false },
	{ route_user_disable, "POST", "/api/users/kanri/disable", "kanri", false },
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static const struct {
	const char *role, *department;
} callers[] = {
	{ "ciso", "" }, { "staff", "soumu" }, { "staff", "zeimu" }, { "auditor", "" },
	{ "contractor", "soumu" }, { "no-such-role", "" }, { "chief-officer", "" },
};
#define NCALLERS (sizeof(callers) / sizeof(callers[0]))

static int64_t
one_int(const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = 0;

	if (sqlite3_prepare_v2(reset_db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
setup(void)
{
	char dir[] = "/dev/shm/mamori-fuzz-XXXXXX", path[128];
	char dir2[] = "/tmp/mamori-fuzz-XXXXXX";
	const char *d = mkdtemp(dir);
	struct mamori_diags diags = { 0 };
	struct mamori_error err = { 0 };
	struct mamori_asset a = { 0 };

	if (d == NULL)
		d = mkdtemp(dir2);
	if (d == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/fuzz.db", d);
	if (mamori_store_create(path, FUZZ_POLICY, "fuzz", &diags, &srv.store, &err) != 0) {
		fprintf(stderr, "fuzz_request: cannot create the store: %s\n", err.message);
		abort();
	}
	mamori_diags_clear(&diags);
	/* one asset of 総務課 to dispose of */
	mamori_asset_set(&a, MAMORI_AF_NAME, "文書");
	mamori_asset_set(&a, MAMORI_AF_KIND, "information");
	mamori_asset_set(&a, MAMORI_AF_DEPARTMENT, "soumu");
	mamori_asset_set(&a, MAMORI_AF_CONFIDENTIALITY, "2");
	mamori_asset_set(&a, MAMORI_AF_INTEGRITY, "2");
	mamori_asset_set(&a, MAMORI_AF_AVAILABILITY, "2");
	if (mamori_asset_add(srv.store, "fuzz", &a, &diags, &err) != 0) {
		fprintf(stderr, "fuzz_request: cannot add the asset: %s\n", err.message);
		abort();
	}
	mamori_asset_clear(&a);
	mamori_diags_clear(&diags);
	/* an account of 総務課 for the account routes to act on */
	if (mamori_user_add(srv.store, "fuzz", "kanri", "security-manager", "soumu", "pw-kanri-fuzz", false, &err) != 0) {
		fprintf(stderr, "fuzz_request: cannot add the account: %s\n", err.message);
		abort();
	}
	srv.view = mamori_store_policy(srv.store);
	if (mamori_decider_new(srv.view, &srv.decider, &err) != 0) {
		fprintf(stderr, "fuzz_request: %s\n", err.message);
		abort();
	}
	srv.cfg.body_max = 1 << 20;
	pthread_mutex_init(&srv.store_lock, NULL);
	pthread_rwlock_init(&srv.policy_lock, NULL);
	if (audit_queue_open(&srv) != 0)	/* refusals and decisions logged as the server does */
		abort();
	sessions_init(&srv.sessions, 0);
	if (sqlite3_open(path, &reset_db) != SQLITE_OK)
		abort();
	sqlite3_busy_timeout(reset_db, 5000);
	base_seq = one_int("SELECT max(seq) FROM audit_event");
	base_head = one_int("SELECT max(size) FROM tree_head");
	/* copies of what the routes change in place, put back after every input */
	if (sqlite3_exec(reset_db, "CREATE TABLE fuzz_asset AS SELECT * FROM asset; "
	    "CREATE TABLE fuzz_user AS SELECT * FROM user", NULL, NULL, NULL) != SQLITE_OK)
		abort();
}

/* Puts the store back as setup left it. */
static void
reset(void)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "BEGIN IMMEDIATE; DELETE FROM audit_event WHERE seq > %lld; "
	    "DELETE FROM tree_head WHERE size > %lld; DELETE FROM asset; INSERT INTO asset SELECT * FROM fuzz_asset; "
	    "DELETE FROM api_token; DELETE FROM user; INSERT INTO user SELECT * FROM fuzz_user; COMMIT",
	    (long long)base_seq, (long long)base_head);
	if (sqlite3_exec(reset_db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "fuzz_request: cannot reset the store: %s\n", sqlite3_errmsg(reset_db));
		abort();
	}
	/* the back-off of failed logins would turn every later login into a 429 */
	memset(srv.sessions.clients, 0, sizeof(srv.sessions.clients));
}

static bool
status_documented(unsigned s)
{
	static const unsigned ok[] = { 200, 201, 400, 401, 403, 404, 409, 413, 422, 429, 503 };

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (s == ok[i])
			return true;
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct request req;
	struct response res = { 0 };
	struct session sess;
	size_t r, c;

	if (srv.store == NULL)
		setup();
	if (size < 2)
		return 0;
	r = data[0] % NROUTES;
	c = data[1] % NCALLERS;
	memset(&req, 0, sizeof(req));
	memset(&sess, 0, sizeof(sess));
	snprintf(sess.user, sizeof(sess.user), "fuzzer");
	snprintf(sess.role, sizeof(sess.role), "%s", callers[c].role);
	snprintf(sess.department, sizeof(sess.department), "%s", callers[c].department);
	req.srv = &srv;
	req.method = routes[r].method;
	req.path = routes[r].path;
	req.params[0] = routes[r].param;
	req.session = &sess;
	req.db = srv.store;
	snprintf(req.client, sizeof(req.client), "192.0.2.%zu", c);
	snprintf(req.actor, sizeof(req.actor), "web:fuzzer@%s", req.client);
	/* the body as the server keeps it: a NUL-terminated copy, NULL when empty */
	if (size > 2) {
		req.body = malloc(size - 2 + 1);
		if (req.body == NULL)
			return 0;
		memcpy(req.body, data + 2, size - 2);
		req.body[size - 2] = '\0';
		req.body_len = size - 2;
	}
	server_policy_snapshot(&srv, &req);	/* as dispatch does before every handler */
	routes[r].handler(&req, &res);

	if (!status_documented(res.status) || res.body == NULL) {
		fprintf(stderr, "route %s answered status %u%s\n", routes[r].path, res.status,
		    res.body ? "" : " without a body");
		abort();
	}
	/* the answer, or each of its lines, is JSON */
	for (const char *line = res.body; line < res.body + res.len;) {
		const char *nl = routes[r].ndjson ? memchr(line, '\n', (size_t)(res.body + res.len - line)) : NULL;
		size_t n = nl ? (size_t)(nl - line) : (size_t)(res.body + res.len - line);
		cJSON *j = cJSON_ParseWithLength(line, n);
		if (j == NULL) {
			fprintf(stderr, "route %s answered %u with a body that is not JSON: %.*s\n",
			    routes[r].path, res.status, (int)(n > 400 ? 400 : n), line);
			abort();
		}
		cJSON_Delete(j);
		line += n + 1;
	}
	free(res.body);
	free(req.body);
	reset();
	return 0;
}
