/* test_auth.c — unit tests for passwords, TOTP, tokens and back-off. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "mamori/auth.h"
#include "mamori/error.h"

static void
test_password(void **state)
{
	char h[MAMORI_PWHASH_LEN], h2[MAMORI_PWHASH_LEN];

	(void)state;
	assert_int_equal(mamori_auth_hash_password("正しいパスワード", h), 0);
	assert_non_null(strstr(h, "$argon2id$"));
	assert_true(mamori_auth_check_password(h, "正しいパスワード"));
	assert_false(mamori_auth_check_password(h, "正しいパスワーど"));
	assert_false(mamori_auth_check_password(h, ""));
	/* salted: the same password hashes differently */
	assert_int_equal(mamori_auth_hash_password("正しいパスワード", h2), 0);
	assert_string_not_equal(h, h2);
	assert_int_equal(mamori_auth_hash_password("", h), MAMORI_E_INVALID);
}

/* RFC 6238 Appendix B, SHA-1 secret "12345678901234567890" (base32 below):
 * at 59 s the 8-digit code is 94287082, so the 6-digit code is 287082. */
static void
test_totp_rfc6238(void **state)
{
	const char *secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
	char code[7];
	int64_t last = 0;

	(void)state;
	assert_true(mamori_auth_totp_code(secret, 59, code));
	assert_string_equal(code, "287082");
	assert_true(mamori_auth_totp_code(secret, 1111111109, code));
	assert_string_equal(code, "081804");
	assert_true(mamori_auth_totp_check(secret, "081804", 1111111109, &last));
	/* the same code again is a replay */
	assert_false(mamori_auth_totp_check(secret, "081804", 1111111109, &last));
	/* wrong code, malformed codes */
	assert_false(mamori_auth_totp_check(secret, "000000", 1111111200, &last));
	assert_false(mamori_auth_totp_check(secret, "12345", 1111111200, &last));
	assert_false(mamori_auth_totp_check(secret, "12345a", 1111111200, &last));
	assert_false(mamori_auth_totp_check(secret, NULL, 1111111200, &last));
	/* a code one step old is still accepted (clock skew), two steps old is not */
	last = 0;
	assert_true(mamori_auth_totp_code(secret, 1111111109 - 30, code));
	assert_true(mamori_auth_totp_check(secret, code, 1111111109, &last));
	last = 0;
	assert_true(mamori_auth_totp_code(secret, 1111111109 - 90, code));
	assert_false(mamori_auth_totp_check(secret, code, 1111111109, &last));
}

static void
test_totp_secret_and_uri(void **state)
{
	char s1[MAMORI_TOTP_SECRET_LEN], s2[MAMORI_TOTP_SECRET_LEN], code[7];
	char *uri;

	(void)state;
	mamori_auth_totp_secret(s1);
	mamori_auth_totp_secret(s2);
	assert_int_equal(strlen(s1), 32);
	assert_string_not_equal(s1, s2);
	assert_int_equal(strspn(s1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), 32);
	assert_true(mamori_auth_totp_code(s1, 1000000, code));
	uri = mamori_auth_totp_uri("mamori", "山田 太郎", s1);
	assert_non_null(uri);
	assert_non_null(strstr(uri, "otpauth://totp/mamori:%E5%B1%B1%E7%94%B0%20"));
	assert_non_null(strstr(uri, s1));
	free(uri);
}

static void
test_tokens(void **state)
{
	char a[MAMORI_TOKEN_LEN], b[MAMORI_TOKEN_LEN], ha[MAMORI_TOKEN_LEN];

	(void)state;
	mamori_auth_token(a);
	mamori_auth_token(b);
	assert_int_equal(strlen(a), 64);
	assert_false(mamori_auth_equal(a, b));
	assert_true(mamori_auth_equal(a, a));
	assert_false(mamori_auth_equal(a, "short"));
	mamori_auth_token_hash("abc", ha);
	assert_string_equal(ha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void
test_backoff(void **state)
{
	(void)state;
	assert_int_equal(mamori_auth_backoff(0), 0);
	assert_int_equal(mamori_auth_backoff(4), 0);
	assert_int_equal(mamori_auth_backoff(5), 2);
	assert_int_equal(mamori_auth_backoff(6), 4);
	assert_int_equal(mamori_auth_backoff(13), 512);
	assert_int_equal(mamori_auth_backoff(14), 900);
	assert_int_equal(mamori_auth_backoff(1000), 900);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_totp_rfc6238),
		cmocka_unit_test(test_totp_secret_and_uri),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_backoff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
