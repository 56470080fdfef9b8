/* test_ratelimit.c — the server's per-account token buckets (issue 15 §16). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "ratelimit.h"

static void
test_bucket(void **state)
{
	struct rate_table *t = calloc(1, sizeof(*t));
	bool first;

	(void)state;
	rate_init(t, 10, 100);		/* 10 a second, bursts of 100 */
	for (int i = 0; i < 100; i++)
		assert_int_equal(rate_take(t, "user:a", 1, 1000.0, NULL), 0);
	assert_int_equal(rate_take(t, "user:a", 1, 1000.0, &first), 1);	/* empty: wait 1 s */
	assert_true(first);
	assert_int_equal(rate_take(t, "user:a", 1, 1000.0, &first), 1);
	assert_false(first);						/* the same run of refusals */
	assert_int_equal(rate_take(t, "user:b", 1, 1000.0, NULL), 0);	/* another account */
	assert_int_equal(rate_take(t, "user:a", 1, 1000.2, NULL), 0);	/* 2 units refilled */
	assert_int_equal(rate_take(t, "user:a", 50, 1000.2, NULL), 5);	/* 49 short: 4.9 s, rounded up */
	free(t);
}

/* A request dearer than the whole bucket passes once when the bucket is full
 * and leaves a debt that takes its time to pay. */
static void
test_dear_request(void **state)
{
	struct rate_table *t = calloc(1, sizeof(*t));

	(void)state;
	rate_init(t, 1000, 20000);
	assert_int_equal(rate_take(t, "user:f", 200000, 50.0, NULL), 0);
	assert_int_equal(rate_take(t, "user:f", 1, 50.0, NULL), 181);
	assert_int_equal(rate_take(t, "user:f", 1, 50.0 + 181, NULL), 0);
	free(t);
}

/* A full table gives way where a bucket is fullest; the limit still holds. */
static void
test_table_full(void **state)
{
	struct rate_table *t = calloc(1, sizeof(*t));
	char key[32];

	(void)state;
	rate_init(t, 1, 10);
	for (int i = 0; i < 10; i++)
		assert_int_equal(rate_take(t, "user:hot", 1, 0.0, NULL), 0);
	for (int i = 0; i < 2 * RATE_KEYS; i++) {
		snprintf(key, sizeof(key), "addr:%d", i);
		assert_int_equal(rate_take(t, key, 1, 0.0, NULL), 0);
	}
	assert_int_not_equal(rate_take(t, "user:hot", 1, 0.0, NULL), 0);	/* its empty bucket stayed */
	assert_int_equal(rate_take(t, "user:new", 1, 0.0, NULL), 0);
	free(t);
}

static void
test_off(void **state)
{
	struct rate_table *t = calloc(1, sizeof(*t));

	(void)state;
	rate_init(t, 0, 1);
	for (int i = 0; i < 100000; i++)
		assert_int_equal(rate_take(t, "user:a", 1, 0.0, NULL), 0);
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket),
		cmocka_unit_test(test_dear_request),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_off),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
