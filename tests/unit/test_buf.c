/* test_buf.c — the low-level tools (src/lib/buf.c): the growable buffer and
 * its cap, the JSON string escaper (byte for byte cJSON's: the audit trail's
 * canonical bodies rely on it), and the growable array. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* Appends grow the text, keep it NUL-terminated, and take hands it over. */
static void
test_grow_and_take(void **state)
{
	struct buf b = { 0 };
	size_t len = 0;
	char *t;

	(void)state;
	for (int i = 0; i < 1000; i++)
		buf_adds(&b, "0123456789");
	buf_addc(&b, '!');
	BUF_LIT(&b, "ok");
	assert_false(b.fail);
	assert_int_equal(b.len, 10003);
	assert_int_equal(b.p[b.len], '\0');
	assert_true(b.cap > b.len);
	t = buf_take(&b, &len);
	assert_non_null(t);
	assert_int_equal(len, 10003);
	assert_string_equal(t + 10000, "!ok");
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	free(t);
	/* an empty buffer gives an empty text, not NULL */
	t = buf_take(&b, &len);
	assert_non_null(t);
	assert_string_equal(t, "");
	assert_int_equal(len, 0);
	free(t);
}

/* The cap refuses what would exceed it, and the failure sticks until reset. */
static void
test_cap(void **state)
{
	struct buf b = { .max = 8 };

	(void)state;
	buf_adds(&b, "12345678");
	assert_false(b.fail);
	buf_addc(&b, '9');
	assert_true(b.fail);
	assert_int_equal(b.len, 8);
	buf_adds(&b, "");	/* nothing is appended once failed */
	assert_true(b.fail);
	assert_null(buf_take(&b, NULL));	/* a failed buffer gives nothing, and is freed */
	assert_null(b.p);
	assert_int_equal(b.max, 8);	/* the cap stays for the next text */
	buf_adds(&b, "abc");
	assert_false(b.fail);
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.p, "");
	buf_free(&b);
	assert_null(b.p);
}

/* A string escaped near the cap is measured exactly: it fits when its escaped form does. */
static void
test_cap_escaped(void **state)
{
	struct buf b = { .max = 6 };

	(void)state;
	buf_json_string(&b, "a\"b");	/* "a\"b" is 6 bytes, far below 6 × 3 + 2 */
	assert_false(b.fail);
	assert_string_equal(b.p, "\"a\\\"b\"");
	buf_json_string(&b, "");
	assert_true(b.fail);
	buf_free(&b);
}

/* Every byte is escaped exactly as cJSON prints it; appends go after what is there. */
static void
test_json_string(void **state)
{
	static const char *const samples[] = {
		"", "plain", "日本語の値", "\"quoted\" \\ back", "tab\there\nnew\r\b\f",
		"\x01\x1f\x7f end", "ＡＢＣ　全角", "mixed \x05日本\"\\",
	};
	enum { NSAMPLES = sizeof(samples) / sizeof(samples[0]) };
	struct buf b = { 0 };
	char one[2] = { 0, 0 };

	(void)state;
	for (size_t i = 0; i < NSAMPLES + 255; i++) {
		const char *in = samples[0];
		cJSON *v;
		char *want;
		if (i < NSAMPLES)
			in = samples[i];
		else {
			one[0] = (char)(i - NSAMPLES + 1);	/* every byte 1 … 255 */
			in = one;
		}
		v = cJSON_CreateString(in);
		want = cJSON_PrintUnformatted(v);
		buf_reset(&b);
		buf_add(&b, "x", 1);
		buf_json_string(&b, in);
		assert_false(b.fail);
		assert_int_equal(b.p[0], 'x');
		assert_string_equal(b.p + 1, want);
		assert_int_equal(b.len, strlen(want) + 1);
		free(want);
		cJSON_Delete(v);
	}
	buf_reset(&b);
	buf_json_string(&b, NULL);	/* NULL is the empty string */
	buf_json_key(&b, "id");
	assert_string_equal(b.p, "\"\"\"id\":");
	buf_free(&b);
	assert_null(b.p);
}

/* The array grows to what is needed, doubling, and refuses beyond its bound
 * without losing what it holds. */
static void
test_array(void **state)
{
	int *v = NULL;
	size_t cap = 0, n = 0;

	(void)state;
	for (int i = 0; i < 1000; i++) {
		assert_true(ARRAY_RESERVE(v, cap, n + 1, 0));
		v[n++] = i;
	}
	assert_true(cap >= 1000 && cap < 2048);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(v[i], i);
	assert_true(ARRAY_RESERVE(v, cap, 10, 0));	/* room already: nothing moves */
	free(v);

	v = NULL;
	cap = 0;
	assert_true(ARRAY_RESERVE(v, cap, 100, 100));
	assert_int_equal(cap, 100);	/* the bound caps the doubling */
	v[99] = 7;
	assert_false(ARRAY_RESERVE(v, cap, 101, 100));
	assert_int_equal(cap, 100);
	assert_int_equal(v[99], 7);
	assert_false(ARRAY_RESERVE(v, cap, SIZE_MAX / 2, 0));	/* no overflow into a small allocation */
	assert_int_equal(cap, 100);
	free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow_and_take),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_cap_escaped),
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_array),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
