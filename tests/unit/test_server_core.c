/* test_server_core.c — the server's core (src/server/core.c, access.c and the
 * route table of server.c): the one mapping of library statuses to HTTP, and
 * the permission column — what each route needs and who has it under the
 * standard policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "server.h"
#include "mamori/policy.h"

#define POLICY SRCDIR "/policies/mic-standard.yaml"

static struct mamori_policy *policy;
static struct mamori_decider *decider;

static int
setup(void **state)
{
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };

	(void)state;
	if (mamori_policy_load(POLICY, &d, &policy) != 0 || mamori_decider_new(policy, &decider, &err) != 0)
		return -1;
	mamori_diags_clear(&d);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	mamori_decider_free(&decider);
	mamori_policy_free(&policy);
	return 0;
}

/* Each library status has one HTTP answer, docs/api.md's table of errors. */
static void
test_status_mapping(void **state)
{
	static const struct {
		int rc;
		unsigned status;
		const char *code;
	} want[] = {
		{ MAMORI_E_USAGE, 400, "invalid" },
		{ MAMORI_E_DENIED, 403, "forbidden" },
		{ MAMORI_E_NOTFOUND, 404, "not-found" },
		{ MAMORI_E_CONFLICT, 409, "conflict" },
		{ MAMORI_E_INVALID, 422, "invalid" },
		{ MAMORI_E_TAMPERED, 500, "tampered" },
		{ MAMORI_E_NOMEM, 500, "internal" },
		{ MAMORI_E_STORE, 500, "internal" },
		{ MAMORI_E_IO, 500, "internal" },
		{ -999, 500, "internal" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct server_status st = server_status_of(want[i].rc);
		assert_int_equal(st.status, want[i].status);
		assert_string_equal(st.code, want[i].code);
	}
}

/* server_error answers with the mapping, naming the field only where the
 * request's part is at fault. */
static void
test_server_error(void **state)
{
	struct mamori_error err = { 0 };
	struct response res = { 0 };

	(void)state;
	snprintf(err.message, sizeof(err.message), "no such thing");
	server_error(&res, MAMORI_E_CONFLICT, "id", &err);
	assert_int_equal(res.status, 409);
	assert_non_null(strstr(res.body, "\"code\":\"conflict\""));
	assert_non_null(strstr(res.body, "\"field\":\"id\""));
	assert_non_null(strstr(res.body, "no such thing"));
	server_error(&res, MAMORI_E_NOTFOUND, "id", &err);
	assert_int_equal(res.status, 404);
	assert_non_null(strstr(res.body, "\"field\":null"));
	server_error(&res, MAMORI_E_STORE, "id", &err);
	assert_int_equal(res.status, 500);
	assert_non_null(strstr(res.body, "\"field\":null"));
	free(res.body);
}

static const struct route *
find_route(const char *method, const char *pattern)
{
	for (size_t i = 0; i < server_nroutes; i++)
		if (strcmp(server_routes[i].method, method) == 0 && strcmp(server_routes[i].pattern, pattern) == 0)
			return &server_routes[i];
	fail_msg("no route %s %s", method, pattern);
	return NULL;
}

/* The column says what the handlers no longer check themselves. */
static void
test_route_needs(void **state)
{
	static const struct {
		const char *method, *pattern;
		enum access_need need;
	} want[] = {
		{ "GET", "/api/log", ACCESS_TRAIL },
		{ "GET", "/api/log/proof", ACCESS_TRAIL },
		{ "PUT", "/api/policy", ACCESS_POLICY },
		{ "GET", "/api/users", ACCESS_USERS },
		{ "POST", "/api/assets/import", ACCESS_ASSETS_WRITE },
		{ "GET", "/api/quarantine", ACCESS_QUARANTINE },
		{ "GET", "/api/quarantine/{id}", ACCESS_QUARANTINE },
		{ "GET", "/api/me", ACCESS_ANY },
		{ "GET", "/api/assets/{id}", ACCESS_ANY },	/* per department: the handler's */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_int_equal(find_route(want[i].method, want[i].pattern)->need, want[i].need);
	for (size_t i = 0; i < server_nroutes; i++) {
		const struct route *rt = &server_routes[i];
		/* a need is a role's: only where there is a store and a login */
		if (rt->need != ACCESS_ANY)
			assert_true((rt->flags & ROUTE_STORE) && !(rt->flags & ROUTE_PUBLIC));
		assert_true(rt->need < ACCESS_NEEDS);
	}
}

/* Whether a session of role (of department) has need. */
static bool
permits(const char *role, const char *department, enum access_need need)
{
	struct session s = { 0 };
	struct request req = { .session = &s, .view = policy, .decider = decider };

	snprintf(s.user, sizeof(s.user), "u");
	snprintf(s.role, sizeof(s.role), "%s", role);
	snprintf(s.department, sizeof(s.department), "%s", department ? department : "");
	return access_permits(&req, need);
}

/* Who has each need under the standard policy (its roles' access). */
static void
test_permissions(void **state)
{
	struct request nobody = { .view = policy, .decider = decider };

	(void)state;
	/* the auditor reads everything, changes nothing */
	assert_true(permits("auditor", NULL, ACCESS_TRAIL));
	assert_true(permits("auditor", NULL, ACCESS_QUARANTINE));
	assert_false(permits("auditor", NULL, ACCESS_ASSETS_WRITE));
	assert_false(permits("auditor", NULL, ACCESS_USERS));
	assert_false(permits("auditor", NULL, ACCESS_POLICY));
	/* staff write their department's assets and nothing else here */
	assert_true(permits("staff", "zeimu", ACCESS_ASSETS_WRITE));
	assert_false(permits("staff", "zeimu", ACCESS_TRAIL));
	assert_false(permits("staff", "zeimu", ACCESS_QUARANTINE));
	assert_false(permits("staff", "zeimu", ACCESS_USERS));
	assert_false(permits("staff", "zeimu", ACCESS_POLICY));
	/* a system manager administers accounts, not the policy */
	assert_true(permits("system-manager", "zeimu", ACCESS_USERS));
	assert_false(permits("system-manager", "zeimu", ACCESS_POLICY));
	/* the chief officer manages both */
	assert_true(permits("chief-officer", NULL, ACCESS_USERS));
	assert_true(permits("chief-officer", NULL, ACCESS_POLICY));
	assert_true(permits("chief-officer", NULL, ACCESS_TRAIL));
	/* anyone logged in has ACCESS_ANY; no rule, no access; no session, nothing */
	assert_true(permits("staff", "zeimu", ACCESS_ANY));
	assert_false(permits("chief-officer", NULL, ACCESS_NEEDS));
	assert_false(permits("no-such-role", NULL, ACCESS_TRAIL));
	assert_false(access_permits(&nobody, ACCESS_TRAIL));
	for (int n = 0; n < ACCESS_NEEDS; n++)
		assert_true(strlen(access_need_what((enum access_need)n)) > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_mapping),
		cmocka_unit_test(test_server_error),
		cmocka_unit_test(test_route_needs),
		cmocka_unit_test(test_permissions),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
