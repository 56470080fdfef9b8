/* test_store_policy.c — replacing the store's policy: refused when invalid (with
 * line and column) or when assets or accounts would become invalid (each
 * named); otherwise stored with its event, in force at once and after
 * reopening; earlier policy pointers stay valid; a change another connection
 * prepared under the old policy is refused once, then succeeds.  On either
 * backend (fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mamori/asset.h"
#include "mamori/audit.h"
#include "mamori/store.h"
#include "mamori/user.h"
#include "fixture.h"

#define POLICY SRCDIR "/tests/store/policy.yaml"

/* the last store made: its file, or its PostgreSQL URL */
static char db[1024];
static char *yaml;
static size_t yaml_len;

static int
setup(void **state)
{
	FILE *f;

	if (fixture_setup(state) != 0 || (f = fopen(POLICY, "rb")) == NULL)
		return -1;
	fseek(f, 0, SEEK_END);
	yaml_len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	yaml = calloc(1, yaml_len + 1);
	if (yaml == NULL || fread(yaml, 1, yaml_len, f) != yaml_len) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static int
teardown(void **state)
{
	free(yaml);
	return fixture_teardown(state);
}

/* The test policy with one substitution (from → to), as a new buffer. */
static char *
variant(const char *from, const char *to)
{
	const char *at = strstr(yaml, from);
	size_t n;
	char *out;

	assert_non_null(at);
	n = yaml_len - strlen(from) + strlen(to);
	out = malloc(n + 1);
	assert_non_null(out);
	snprintf(out, n + 1, "%.*s%s%s", (int)(at - yaml), yaml, to, at + strlen(from));
	return out;
}

static struct mamori_store *
store_with_asset(const char *name)
{
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	struct mamori_store *s = NULL;
	struct mamori_asset a = { 0 };

	fixture_location(db, sizeof(db), name);
	if (mamori_store_create(db, POLICY, "test:unit", &d, &s, &err) != 0)
		fail_msg("create: %s", err.message);
	mamori_asset_set(&a, MAMORI_AF_NAME, "課税台帳");
	mamori_asset_set(&a, MAMORI_AF_KIND, "information");
	mamori_asset_set(&a, MAMORI_AF_DEPARTMENT, "zeimu");
	mamori_asset_set(&a, MAMORI_AF_CONFIDENTIALITY, "3");
	mamori_asset_set(&a, MAMORI_AF_INTEGRITY, "1");
	mamori_asset_set(&a, MAMORI_AF_AVAILABILITY, "1");
	if (mamori_asset_add(s, "test:unit", &a, &d, &err) != 0)
		fail_msg("add: %s", err.message);
	if (mamori_user_add(s, "test:unit", "tanaka", "ciso", "zeimu", NULL, false, &err) != 0)
		fail_msg("user: %s", err.message);
	mamori_asset_clear(&a);
	mamori_diags_clear(&d);
	return s;
}

static int
count_event(const struct mamori_event *ev, void *ctx)
{
	if (strcmp(ev->action, "policy.replace") == 0) {
		assert_string_equal(ev->actor, "web:admin@127.0.0.1");
		assert_non_null(strstr(ev->body, "\"version\":\"2\""));
		(*(int *)ctx)++;
	}
	return 0;
}

static void
test_invalid_refused_with_positions(void **state)
{
	struct mamori_store *s = store_with_asset("invalid.db");
	struct mamori_diags d = { 0 }, c = { 0 };
	struct mamori_error err = { 0 };
	const char *bad = "mamori-policy: 1\nid: x\ntitle: [unclosed\n";

	(void)state;
	assert_int_equal(mamori_store_policy_replace(s, "test:unit", "new.yaml", bad, strlen(bad), &d, &c, &err),
	    MAMORI_E_INVALID);
	assert_true(d.errors > 0);
	assert_true(d.items[0].line > 0 && d.items[0].column > 0);
	assert_string_equal(mamori_store_policy(s)->id, "test-store");
	mamori_diags_clear(&d);
	mamori_store_close(&s);
}

static void
test_conflicts_named(void **state)
{
	struct mamori_store *s = store_with_asset("conflict.db");
	struct mamori_diags d = { 0 }, c = { 0 };
	struct mamori_error err = { 0 };
	char *p = variant("{ id: zeimu, title: 税務課, body: internal }", "{ id: zeisei, title: 税政課, body: internal }");
	bool asset = false, user = false;

	(void)state;
	assert_int_equal(mamori_store_policy_replace(s, "test:unit", "new.yaml", p, strlen(p), &d, &c, &err),
	    MAMORI_E_CONFLICT);
	for (size_t i = 0; i < c.count; i++) {
		asset = asset || (strcmp(c.items[i].file, "A-000001") == 0 && strstr(c.items[i].message, "zeimu"));
		user = user || (strcmp(c.items[i].file, "tanaka") == 0 && strstr(c.items[i].message, "department"));
	}
	assert_true(asset);
	assert_true(user);
	assert_string_equal(mamori_store_policy(s)->organisation.departments[1].id, "zeimu");
	free(p);
	mamori_diags_clear(&c);
	mamori_diags_clear(&d);
	/* a level that no longer exists is a conflict too: drop 機密性3 */
	const char *from = strstr(yaml, "        - level: 3\n"), *to = strstr(yaml, "        - level: 2\n");
	assert_true(from != NULL && to != NULL && to > from);
	p = calloc(1, yaml_len + 1);
	assert_non_null(p);
	snprintf(p, yaml_len + 1, "%.*s%s", (int)(from - yaml), yaml, to);
	assert_int_equal(mamori_store_policy_replace(s, "test:unit", "new.yaml", p, strlen(p), &d, &c, &err),
	    MAMORI_E_CONFLICT);
	assert_int_equal(c.count, 1);
	assert_non_null(strstr(c.items[0].message, "out of range"));
	free(p);
	mamori_diags_clear(&c);
	mamori_diags_clear(&d);
	mamori_store_close(&s);
}

static void
test_replace_in_force_and_stored(void **state)
{
	struct mamori_store *s = store_with_asset("replace.db"), *s2 = NULL;
	struct mamori_diags d = { 0 }, c = { 0 };
	struct mamori_error err = { 0 };
	const struct mamori_policy *old = mamori_store_policy(s);
	char *p = variant("version: \"1\"", "version: \"2\"");
	int n = 0;

	(void)state;
	assert_int_equal(mamori_store_policy_replace(s, "web:admin@127.0.0.1", "new.yaml", p, strlen(p), &d, &c, &err), 0);
	assert_string_equal(mamori_store_policy(s)->version, "2");
	assert_string_equal(old->version, "1");	/* the old pointer is still valid */
	assert_int_equal(mamori_audit_events(s, NULL, count_event, &n, &err), 0);
	assert_int_equal(n, 1);
	mamori_store_close(&s);
	assert_int_equal(mamori_store_open(db, &s2, &err), 0);
	assert_string_equal(mamori_store_policy(s2)->version, "2");
	mamori_store_close(&s2);
	free(p);
	mamori_diags_clear(&d);
	mamori_diags_clear(&c);
}

static void
test_other_connection_refused_once(void **state)
{
	struct mamori_store *a = store_with_asset("two.db"), *b = NULL;
	struct mamori_diags d = { 0 }, c = { 0 };
	struct mamori_error err = { 0 };
	char *p = variant("version: \"1\"", "version: \"3\"");

	(void)state;
	assert_int_equal(mamori_store_open(db, &b, &err), 0);
	assert_int_equal(mamori_store_policy_replace(a, "test:unit", "new.yaml", p, strlen(p), &d, &c, &err), 0);
	assert_string_equal(mamori_store_policy(b)->version, "1");
	/* b prepared its change under version 1: refused, and b now holds version 3 */
	assert_int_equal(mamori_user_disable(b, "test:unit", "tanaka", true, &err), MAMORI_E_CONFLICT);
	assert_non_null(strstr(err.message, "replaced"));
	assert_string_equal(mamori_store_policy(b)->version, "3");
	assert_int_equal(mamori_user_disable(b, "test:unit", "tanaka", true, &err), 0);
	mamori_store_close(&b);
	mamori_store_close(&a);
	free(p);
	mamori_diags_clear(&d);
	mamori_diags_clear(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invalid_refused_with_positions),
		cmocka_unit_test(test_conflicts_named),
		cmocka_unit_test(test_replace_in_force_and_stored),
		cmocka_unit_test(test_other_connection_refused_once),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
