/*
 * test_hashbatch.c — a batch's digests are SHA-256 of its messages, whatever
 * the engine (SHA instructions interleaved, SIMD lanes, nettle): every length
 * from 0 to 1,100 bytes (every padding case, messages of one to eighteen
 * blocks) in one batch and in batches of 1 to 9, against nettle one message at
 * a time and the FIPS 180-2 vectors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hashbatch.h"

enum { MAX_LEN = 1100 };

static void
sha256_alone(const unsigned char *msg, size_t len, unsigned char out[MAMORI_HASH_LEN])
{
	struct sha256_ctx st;

	sha256_init(&st);
	sha256_update(&st, len, msg);
	sha256_digest(&st, MAMORI_HASH_LEN, out);
}

static void
test_vectors(void **state)
{
	static const char *const msg[] = { "abc", "",
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq" };
	static const char *const want[] = {
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	};
	unsigned char out[3][MAMORI_HASH_LEN];
	struct hashbatch *b = hashbatch_new();
	char hex[65];

	(void)state;
	assert_non_null(b);
	printf("hashbatch engine: %s\n", hashbatch_engine(b));
	for (int i = 0; i < 3; i++)
		hashbatch_add(b, msg[i], strlen(msg[i]), out[i]);
	hashbatch_finish(b);
	for (int i = 0; i < 3; i++) {
		for (int k = 0; k < MAMORI_HASH_LEN; k++)
			snprintf(hex + 2 * k, 3, "%02x", out[i][k]);
		assert_string_equal(hex, want[i]);
	}
	hashbatch_free(b);
}

static void
every_length(struct hashbatch *b)
{
	unsigned char *msg = malloc(MAX_LEN), (*got)[MAMORI_HASH_LEN] = calloc(MAX_LEN + 1, MAMORI_HASH_LEN);
	unsigned char want[MAMORI_HASH_LEN];

	assert_non_null(msg);
	assert_non_null(got);
	assert_non_null(b);
	for (size_t i = 0; i < MAX_LEN; i++)
		msg[i] = (unsigned char)(i * 131 + 7);
	/* one batch of all lengths, then batches of 1..9 reusing the batch */
	for (int per = 0; per <= 9; per++) {
		memset(got, 0, (size_t)(MAX_LEN + 1) * MAMORI_HASH_LEN);
		for (size_t len = 0; len <= MAX_LEN; len++) {
			hashbatch_add(b, msg, len, got[len]);
			if (per > 0 && (len + 1) % (size_t)per == 0)
				hashbatch_finish(b);
		}
		hashbatch_finish(b);
		for (size_t len = 0; len <= MAX_LEN; len++) {
			sha256_alone(msg, len, want);
			if (memcmp(got[len], want, MAMORI_HASH_LEN) != 0)
				fail_msg("%s: length %zu, batches of %d: wrong digest", hashbatch_engine(b), len, per);
		}
	}
	hashbatch_free(b);
	free(got);
	free(msg);
}

static void
test_every_length(void **state)
{
	(void)state;
	every_length(hashbatch_new());
}

/* the SIMD lanes a CPU without SHA instructions gets (up to 16 jobs in flight) */
static void
test_every_length_simd(void **state)
{
	struct hashbatch *b = hashbatch_new_simd();

	(void)state;
	assert_non_null(b);
	printf("hashbatch engine without SHA instructions: %s\n", hashbatch_engine(b));
	every_length(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_every_length),
		cmocka_unit_test(test_every_length_simd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
