/* test_merkle.c — RFC 9162 tree heads and proofs: every tree size 1 to 257. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "mamori/merkle.h"

enum { N = 257 };
static unsigned char leaves[N][MAMORI_HASH_LEN];

static int
get_leaf(void *ctx, uint64_t i, unsigned char out[MAMORI_HASH_LEN])
{
	(void)ctx;
	memcpy(out, leaves[i], MAMORI_HASH_LEN);
	return 0;
}

/* The definition of RFC 9162 2.1.1, recursively: an independent MTH. */
static void
mth(uint64_t lo, uint64_t n, unsigned char out[MAMORI_HASH_LEN])
{
	unsigned char l[MAMORI_HASH_LEN], r[MAMORI_HASH_LEN];
	uint64_t k = 1;

	if (n == 1) {
		memcpy(out, leaves[lo], MAMORI_HASH_LEN);
		return;
	}
	while (k * 2 < n)
		k *= 2;
	mth(lo, k, l);
	mth(lo + k, n - k, r);
	mamori_merkle_node(l, r, out);
}

static void
hex(const unsigned char *h, char *out)
{
	sodium_bin2hex(out, 65, h, MAMORI_HASH_LEN);
}

static int
setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	for (int i = 0; i < N; i++) {
		char data[32];
		snprintf(data, sizeof(data), "leaf %d", i);
		mamori_merkle_leaf(data, strlen(data), leaves[i]);
	}
	return 0;
}

static void
test_known_answers(void **state)
{
	unsigned char h[MAMORI_HASH_LEN];
	char x[65];

	(void)state;
	/* RFC 6962/9162: the empty tree is SHA-256(""), the empty leaf SHA-256(0x00) */
	mamori_merkle_root(get_leaf, NULL, 0, h);
	hex(h, x);
	assert_string_equal(x, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	mamori_merkle_leaf("", 0, h);
	hex(h, x);
	assert_string_equal(x, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
}

static void
test_roots_match_definition(void **state)
{
	(void)state;
	for (uint64_t n = 1; n <= N; n++) {
		unsigned char a[MAMORI_HASH_LEN], b[MAMORI_HASH_LEN];
		assert_int_equal(mamori_merkle_root(get_leaf, NULL, n, a), 0);
		mth(0, n, b);
		assert_memory_equal(a, b, MAMORI_HASH_LEN);
	}
}

static void
test_inclusion_all(void **state)
{
	unsigned long checked = 0;

	(void)state;
	for (uint64_t n = 1; n <= N; n++) {
		unsigned char root[MAMORI_HASH_LEN];
		mth(0, n, root);
		for (uint64_t i = 0; i < n; i++) {
			struct mamori_proof p;
			assert_int_equal(mamori_merkle_inclusion(get_leaf, NULL, i, n, &p), 0);
			assert_true(mamori_merkle_verify_inclusion(leaves[i], i, n, &p, root));
			/* the wrong index, the wrong leaf, a flipped byte: all refused */
			if (n > 1) {
				assert_false(mamori_merkle_verify_inclusion(leaves[i], (i + 1) % n, n, &p, root));
				assert_false(mamori_merkle_verify_inclusion(leaves[(i + 1) % n], i, n, &p, root));
			}
			if (p.n > 0) {
				p.nodes[p.n / 2][i % MAMORI_HASH_LEN] ^= 0x01;
				assert_false(mamori_merkle_verify_inclusion(leaves[i], i, n, &p, root));
			}
			checked++;
		}
	}
	printf("inclusion proofs checked: %lu\n", checked);
	assert_int_equal(checked, (unsigned long)N * (N + 1) / 2);
}

static void
test_consistency_all(void **state)
{
	unsigned long checked = 0;

	(void)state;
	for (uint64_t n = 1; n <= N; n++) {
		unsigned char new_root[MAMORI_HASH_LEN];
		mth(0, n, new_root);
		for (uint64_t m = 1; m <= n; m++) {
			unsigned char old_root[MAMORI_HASH_LEN];
			struct mamori_proof p;
			mth(0, m, old_root);
			assert_int_equal(mamori_merkle_consistency(get_leaf, NULL, m, n, &p), 0);
			assert_true(mamori_merkle_verify_consistency(m, n, old_root, new_root, &p));
			if (m < n) {
				unsigned char bad[MAMORI_HASH_LEN];
				memcpy(bad, old_root, sizeof(bad));
				bad[0] ^= 0x80;
				assert_false(mamori_merkle_verify_consistency(m, n, bad, new_root, &p));
				assert_false(mamori_merkle_verify_consistency(m, n, old_root, bad, &p));
				if (p.n > 0) {
					p.nodes[p.n - 1][m % MAMORI_HASH_LEN] ^= 0x01;
					assert_false(mamori_merkle_verify_consistency(m, n, old_root, new_root, &p));
				}
			}
			checked++;
		}
	}
	printf("consistency proofs checked: %lu\n", checked);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answers),
		cmocka_unit_test(test_roots_match_definition),
		cmocka_unit_test(test_inclusion_all),
		cmocka_unit_test(test_consistency_all),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
