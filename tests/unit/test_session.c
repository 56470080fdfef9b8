/* test_session.c — the server's session table: per-account and per-address
 * shares (issue 15 §9), the credential generation a session remembers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"

static struct session_table *
table(void)
{
	struct session_table *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	sessions_init(t, 0);
	return t;
}

static struct mamori_user
user(const char *name)
{
	struct mamori_user u = { 0 };

	snprintf(u.name, sizeof(u.name), "%s", name);
	snprintf(u.role, sizeof(u.role), "staff");
	snprintf(u.credential, sizeof(u.credential), "0123456789abcdef");
	return u;
}

static size_t
live(struct session_table *t, const char *name, time_t now)
{
	size_t n = 0;

	for (size_t i = 0; i < SESSION_MAX; i++)
		if (t->s[i].id_hash[0] && strcmp(t->s[i].user, name) == 0 && now - t->s[i].seen < t->idle_s)
			n++;
	return n;
}

/* One account logging in past the table's size keeps only its share; its
 * oldest sessions end, its newest work, and another account still gets in. */
static void
test_one_account_cannot_fill(void **state)
{
	struct session_table *t = table();
	struct mamori_user a = user("tanaka"), b = user("sato");
	struct session s;
	char first[MAMORI_TOKEN_LEN], c[MAMORI_TOKEN_LEN];
	time_t now = 1000000;

	(void)state;
	assert_true(sessions_open(t, &a, "127.0.0.1", now, first, &s));
	for (int i = 0; i < SESSION_MAX + 10; i++)
		assert_true(sessions_open(t, &a, "127.0.0.1", now + 1 + i / 100, c, &s));
	assert_int_equal(live(t, "tanaka", now + 100), SESSION_PER_USER);
	assert_false(sessions_find(t, first, now + 100, &s));	/* the oldest ended */
	assert_true(sessions_find(t, c, now + 100, &s));		/* the newest works */
	assert_true(sessions_open(t, &b, "127.0.0.1", now + 100, c, &s));
	assert_true(sessions_find(t, c, now + 100, &s));
	free(t);
}

/* One address with many accounts keeps at most a quarter of the table. */
static void
test_one_address_cannot_fill(void **state)
{
	struct session_table *t = table();
	struct session s;
	char c[MAMORI_TOKEN_LEN];
	time_t now = 1000000;
	size_t n = 0;

	(void)state;
	for (int i = 0; i < SESSION_MAX + 10; i++) {
		char name[32];
		snprintf(name, sizeof(name), "u%d", i);
		struct mamori_user u = user(name);
		assert_true(sessions_open(t, &u, "10.0.0.9", now, c, &s));
	}
	for (size_t i = 0; i < SESSION_MAX; i++)
		n += t->s[i].id_hash[0] != '\0';
	assert_int_equal(n, SESSION_PER_CLIENT);
	struct mamori_user other = user("sato");
	assert_true(sessions_open(t, &other, "10.0.0.10", now, c, &s));
	free(t);
}

/* A session keeps the credential generation of its login; set_credential
 * changes it for that session only. */
static void
test_credential(void **state)
{
	struct session_table *t = table();
	struct mamori_user a = user("tanaka");
	struct session s;
	char c1[MAMORI_TOKEN_LEN], c2[MAMORI_TOKEN_LEN];
	time_t now = 1000000;

	(void)state;
	assert_true(sessions_open(t, &a, "127.0.0.1", now, c1, &s));
	assert_true(sessions_open(t, &a, "127.0.0.1", now, c2, &s));
	assert_string_equal(s.credential, "0123456789abcdef");
	sessions_set_credential(t, c1, "fedcba9876543210");
	assert_true(sessions_find(t, c1, now, &s));
	assert_string_equal(s.credential, "fedcba9876543210");
	assert_true(sessions_find(t, c2, now, &s));
	assert_string_equal(s.credential, "0123456789abcdef");
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_account_cannot_fill),
		cmocka_unit_test(test_one_address_cannot_fill),
		cmocka_unit_test(test_credential),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
