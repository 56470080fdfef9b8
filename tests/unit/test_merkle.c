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

static unsigned char roots[N + 1][MAMORI_HASH_LEN];	/* roots[n]: MTH of the first n, by mth() */

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
	for (int n = 1; n <= N; n++)
		mth(0, (uint64_t)n, roots[n]);
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

/*
 * The reference vectors of RFC 6962's implementation (certificate-transparency,
 * merkle_tree_test): eight leaves of raw data and the roots of their first n,
 * an inclusion path and a consistency proof — recomputed with Python's hashlib
 * by tests/vectors/audit_vectors.py, which prints them.
 */
static const char *const ct_data[8] = { "", "00", "10", "2021", "3031", "40414243",
	"5051525354555657", "606162636465666768696a6b6c6d6e6f" };
static const char *const ct_root[8] = {
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};
static unsigned char ct_leaves[8][MAMORI_HASH_LEN];

static int
get_ct_leaf(void *ctx, uint64_t i, unsigned char out[MAMORI_HASH_LEN])
{
	(void)ctx;
	memcpy(out, ct_leaves[i], MAMORI_HASH_LEN);
	return 0;
}

static void
test_rfc6962_vectors(void **state)
{
	static const char *const path2of8[] = {
		"07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
		"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
		"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
	};
	static const char *const cons3to7[] = {
		"0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
		"07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
		"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
		"837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e",
	};
	unsigned char h[MAMORI_HASH_LEN], old_root[MAMORI_HASH_LEN], new_root[MAMORI_HASH_LEN];
	struct mamori_proof p;
	char x[65];

	(void)state;
	for (int i = 0; i < 8; i++) {
		unsigned char data[16];
		size_t len = 0;
		assert_int_equal(sodium_hex2bin(data, sizeof(data), ct_data[i], strlen(ct_data[i]), NULL, &len, NULL), 0);
		mamori_merkle_leaf(data, len, ct_leaves[i]);
	}
	for (uint64_t n = 1; n <= 8; n++) {
		assert_int_equal(mamori_merkle_root(get_ct_leaf, NULL, n, h), 0);
		hex(h, x);
		assert_string_equal(x, ct_root[n - 1]);
	}
	assert_int_equal(mamori_merkle_inclusion(get_ct_leaf, NULL, 2, 8, &p), 0);
	assert_int_equal(p.n, 3);
	for (size_t i = 0; i < p.n; i++) {
		hex(p.nodes[i], x);
		assert_string_equal(x, path2of8[i]);
	}
	mamori_merkle_root(get_ct_leaf, NULL, 8, new_root);
	assert_true(mamori_merkle_verify_inclusion(ct_leaves[2], 2, 8, &p, new_root));
	assert_int_equal(mamori_merkle_consistency(get_ct_leaf, NULL, 3, 7, &p), 0);
	assert_int_equal(p.n, 4);
	for (size_t i = 0; i < p.n; i++) {
		hex(p.nodes[i], x);
		assert_string_equal(x, cons3to7[i]);
	}
	mamori_merkle_root(get_ct_leaf, NULL, 3, old_root);
	mamori_merkle_root(get_ct_leaf, NULL, 7, new_root);
	assert_true(mamori_merkle_verify_consistency(3, 7, old_root, new_root, &p));
}

/* Roots of test_merkle's own leaves ("leaf 0" …), also from audit_vectors.py. */
static void
test_leaf_i_vectors(void **state)
{
	static const struct {
		uint64_t n;
		const char *root;
	} v[] = {
		{ 1, "1bb97dcc21635d47e2663efdfd0a174686d98dd701352dd2cd06e8b43fd3d305" },
		{ 2, "fc5f6b88ff8554f75bb2f9e6f39c31b1936d44b69276edf7b1205a955b9761e3" },
		{ 3, "d4f92c8fbb89720eb3b55677c7d7efaddfeb10d11a1a84a0ba8f1a23337faa95" },
		{ 5, "341515982d650e23520dbd54d7fcf0afa1b70cc3a16a411d464dc9c1ac96c301" },
		{ 100, "13f88915c560dc911a1da0fb209d84a20971051f294ebeb428fb3fc293af2743" },
		{ 256, "cf5effdb11d0927a2edf53b0e73c7837f659414e00537da5d90eb5c4c49ff274" },
		{ 257, "855b936aa00cb98b5114484249ad39d78a6be93623e26c01e8e487dc02184a5a" },
	};
	unsigned char h[MAMORI_HASH_LEN];
	char x[65];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(mamori_merkle_root(get_leaf, NULL, v[i].n, h), 0);
		hex(h, x);
		assert_string_equal(x, v[i].root);
	}
}

/* The incremental root after every push equals the definition. */
static void
test_incremental(void **state)
{
	struct mamori_merkle_acc acc;
	unsigned char a[MAMORI_HASH_LEN], b[MAMORI_HASH_LEN];

	(void)state;
	memset(&acc, 0, sizeof(acc));
	for (uint64_t n = 1; n <= N; n++) {
		mamori_merkle_acc_push(&acc, leaves[n - 1]);
		mamori_merkle_acc_root(&acc, a);
		mth(0, n, b);
		assert_memory_equal(a, b, MAMORI_HASH_LEN);
	}
}

/*
 * Every single-bit change of every node is refused.  Exhaustive (every byte,
 * every bit) up to EXHAUSTIVE leaves; beyond, one byte per node, rotating.
 */
enum { EXHAUSTIVE = 32 };

static unsigned long
flips_inclusion(struct mamori_proof *p, uint64_t i, uint64_t n, const unsigned char *root)
{
	unsigned long c = 0;

	for (size_t k = 0; k < p->n; k++)
		for (size_t b = 0; b < MAMORI_HASH_LEN; b++) {
			if (n > EXHAUSTIVE && b != (i + k) % MAMORI_HASH_LEN)
				continue;
			for (int bit = n > EXHAUSTIVE ? (int)(k % 8) : 0; bit < 8; bit += n > EXHAUSTIVE ? 8 : 1) {
				p->nodes[k][b] ^= (unsigned char)(1u << bit);
				if (mamori_merkle_verify_inclusion(leaves[i], i, n, p, root))
					fail_msg("size %llu index %llu: node %zu byte %zu bit %d flipped and accepted",
					    (unsigned long long)n, (unsigned long long)i, k, b, bit);
				p->nodes[k][b] ^= (unsigned char)(1u << bit);
				c++;
			}
		}
	return c;
}

static unsigned long
flips_consistency(struct mamori_proof *p, uint64_t m, uint64_t n, const unsigned char *o, const unsigned char *r)
{
	unsigned long c = 0;

	for (size_t k = 0; k < p->n; k++)
		for (size_t b = 0; b < MAMORI_HASH_LEN; b++) {
			if (n > EXHAUSTIVE && b != (m + k) % MAMORI_HASH_LEN)
				continue;
			for (int bit = n > EXHAUSTIVE ? (int)(k % 8) : 0; bit < 8; bit += n > EXHAUSTIVE ? 8 : 1) {
				p->nodes[k][b] ^= (unsigned char)(1u << bit);
				if (mamori_merkle_verify_consistency(m, n, o, r, p))
					fail_msg("%llu → %llu: node %zu byte %zu bit %d flipped and accepted",
					    (unsigned long long)m, (unsigned long long)n, k, b, bit);
				p->nodes[k][b] ^= (unsigned char)(1u << bit);
				c++;
			}
		}
	return c;
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
	unsigned long checked = 0, flips = 0;

	(void)state;
	for (uint64_t n = 1; n <= N; n++) {
		unsigned char root[MAMORI_HASH_LEN];
		memcpy(root, roots[n], MAMORI_HASH_LEN);
		for (uint64_t i = 0; i < n; i++) {
			struct mamori_proof p;
			assert_int_equal(mamori_merkle_inclusion(get_leaf, NULL, i, n, &p), 0);
			assert_true(mamori_merkle_verify_inclusion(leaves[i], i, n, &p, root));
			/* the wrong index, the wrong leaf, a flipped byte: all refused */
			if (n > 1) {
				assert_false(mamori_merkle_verify_inclusion(leaves[i], (i + 1) % n, n, &p, root));
				assert_false(mamori_merkle_verify_inclusion(leaves[(i + 1) % n], i, n, &p, root));
			}
			/*
			 * the proof of i is no proof of another index (its neighbours, its
			 * sibling, its mirror; every index in small trees).  The size is not
			 * bound by the proof but by the signed head, so it is not tried here.
			 */
			for (uint64_t j = 0; j < n; j++) {
				if (j == i || (n > EXHAUSTIVE && j + 1 != i && j != i + 1 && j != (i ^ 1) &&
				    j != n - 1 - i))
					continue;
				if (mamori_merkle_verify_inclusion(leaves[i], j, n, &p, root))
					fail_msg("size %llu: the proof of %llu passes for index %llu",
					    (unsigned long long)n, (unsigned long long)i, (unsigned long long)j);
			}
			if (p.n > 0) {
				p.n--;	/* a node dropped */
				assert_false(mamori_merkle_verify_inclusion(leaves[i], i, n, &p, root));
				p.n++;
			}
			memcpy(p.nodes[p.n], root, MAMORI_HASH_LEN);	/* a node added */
			p.n++;
			assert_false(mamori_merkle_verify_inclusion(leaves[i], i, n, &p, root));
			p.n--;
			flips += flips_inclusion(&p, i, n, root);
			checked++;
		}
	}
	printf("inclusion proofs checked: %lu (%lu single-bit changes refused)\n", checked, flips);
	assert_int_equal(checked, (unsigned long)N * (N + 1) / 2);
}

static void
test_consistency_all(void **state)
{
	unsigned long checked = 0, flips = 0;

	(void)state;
	for (uint64_t n = 1; n <= N; n++) {
		unsigned char new_root[MAMORI_HASH_LEN];
		memcpy(new_root, roots[n], MAMORI_HASH_LEN);
		for (uint64_t m = 1; m <= n; m++) {
			unsigned char old_root[MAMORI_HASH_LEN];
			struct mamori_proof p;
			memcpy(old_root, roots[m], MAMORI_HASH_LEN);
			assert_int_equal(mamori_merkle_consistency(get_leaf, NULL, m, n, &p), 0);
			assert_true(mamori_merkle_verify_consistency(m, n, old_root, new_root, &p));
			if (m < n) {
				unsigned char bad[MAMORI_HASH_LEN];
				memcpy(bad, old_root, sizeof(bad));
				bad[0] ^= 0x80;
				assert_false(mamori_merkle_verify_consistency(m, n, bad, new_root, &p));
				assert_false(mamori_merkle_verify_consistency(m, n, old_root, bad, &p));
				/* the proof for m → n is no proof for another old size */
				for (uint64_t k = 1; k < n; k++) {
					if (k == m || (n > EXHAUSTIVE && k + 1 != m && k != m + 1 && k != n - m))
						continue;
					if (mamori_merkle_verify_consistency(k, n, roots[k], new_root, &p))
						fail_msg("the proof %llu → %llu passes for %llu → %llu", (unsigned long long)m,
						    (unsigned long long)n, (unsigned long long)k, (unsigned long long)n);
				}
				flips += flips_consistency(&p, m, n, old_root, new_root);
			}
			checked++;
		}
	}
	printf("consistency proofs checked: %lu (%lu single-bit changes refused)\n", checked, flips);
	assert_int_equal(checked, (unsigned long)N * (N + 1) / 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answers),
		cmocka_unit_test(test_rfc6962_vectors),
		cmocka_unit_test(test_leaf_i_vectors),
		cmocka_unit_test(test_incremental),
		cmocka_unit_test(test_roots_match_definition),
		cmocka_unit_test(test_inclusion_all),
		cmocka_unit_test(test_consistency_all),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
