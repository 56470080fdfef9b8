/*
 * test_utf8.c — mamori_utf8_valid against an independent decoder (RFC 3629,
 * written here from the standard's table), on every position of a bad byte
 * around the eight-byte ASCII fast path and on random byte strings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "utf8.h"

/* Decodes and checks the code point: the reference, slow and plain. */
static bool
ref_valid(const unsigned char *s, size_t n, size_t *bad)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], len, cp;
		if (c < 0x80) { i++; continue; }
		else if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
		else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
		else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
		else goto fail;
		if (i + len > n)
			goto fail;
		for (unsigned k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				goto fail;
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			goto fail;
		i += len;
	}
	return true;
fail:
	*bad = i;
	return false;
}

static void
bad_byte_everywhere(void **state)
{
	(void)state;
	char buf[40];
	size_t bad;

	for (size_t len = 1; len <= sizeof(buf); len++)
		for (size_t p = 0; p < len; p++) {
			memset(buf, 'a', sizeof(buf));
			buf[p] = (char)0xFF;
			assert_false(mamori_utf8_valid(buf, len, &bad));
			assert_int_equal(bad, p);
			memset(buf, 'a', sizeof(buf));
			assert_true(mamori_utf8_valid(buf, len, NULL));
		}
	/* a valid three-byte sequence after every ASCII prefix, then a truncated one */
	for (size_t p = 0; p + 3 <= sizeof(buf); p++) {
		memset(buf, 'a', sizeof(buf));
		memcpy(buf + p, "\xE6\x97\xA5", 3);
		assert_true(mamori_utf8_valid(buf, sizeof(buf), NULL));
		assert_false(mamori_utf8_valid(buf, p + 2, &bad));
		assert_int_equal(bad, p);
	}
}

static void
known_sequences(void **state)
{
	(void)state;
	static const struct { const char *s; bool ok; size_t bad; } cases[] = {
		{ "住民票", true, 0 }, { "\xC0\xAF", false, 0 }, { "ab\xE0\x80\xAF", false, 2 },
		{ "\xED\xA0\x80", false, 0 }, { "\xF4\x90\x80\x80", false, 0 }, { "\xF0\x9F\x98\x80", true, 0 },
		{ "abcdefgh\x80", false, 8 }, { "abcdefghijklmnop\xC3", false, 16 },
	};
	size_t bad;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bad = 999;
		assert_int_equal(mamori_utf8_valid(cases[i].s, strlen(cases[i].s), &bad), cases[i].ok);
		if (!cases[i].ok)
			assert_int_equal(bad, cases[i].bad);
	}
}

static void
random_against_reference(void **state)
{
	(void)state;
	unsigned seed = 5;
	unsigned char buf[64];

	for (int round = 0; round < 200000; round++) {
		size_t n = (size_t)(rand_r(&seed) % sizeof(buf)), b1 = 0, b2 = 0;
		for (size_t i = 0; i < n; i++) {
			int r = rand_r(&seed) % 10;
			/* mostly ASCII, some lead and continuation bytes, some anything */
			buf[i] = (unsigned char)(r < 6 ? 'a' + r : r < 8 ? 0x80 + rand_r(&seed) % 64 :
			    r < 9 ? 0xC0 + rand_r(&seed) % 64 : rand_r(&seed) % 256);
		}
		bool want = ref_valid(buf, n, &b1);
		assert_int_equal(mamori_utf8_valid((const char *)buf, n, &b2), want);
		if (!want)
			assert_int_equal(b2, b1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_byte_everywhere),
		cmocka_unit_test(known_sequences),
		cmocka_unit_test(random_against_reference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
