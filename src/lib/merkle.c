/*
 * merkle.c — RFC 9162 Merkle tree hashes and proofs over SHA-256.
 *
 * SHA-256 comes from nettle, not libsodium: nettle uses the CPU's SHA
 * instructions where there are any (libsodium's portable code hashes at about
 * a sixth of the speed here), and verifying a long audit trail is hashing.
 */
#include "mamori/merkle.h"
#include "mamori/error.h"

#include <nettle/sha2.h>
#include <sodium.h>
#include <string.h>

void
mamori_sha256(const void *data, size_t len, unsigned char out[MAMORI_HASH_LEN])
{
	struct sha256_ctx st;

	sha256_init(&st);
	sha256_update(&st, len, data);
	sha256_digest(&st, MAMORI_HASH_LEN, out);
}

void
mamori_merkle_leaf(const void *data, size_t len, unsigned char out[MAMORI_HASH_LEN])
{
	struct sha256_ctx st;
	const unsigned char prefix = 0x00;

	sha256_init(&st);
	sha256_update(&st, 1, &prefix);
	sha256_update(&st, len, data);
	sha256_digest(&st, MAMORI_HASH_LEN, out);
}

void
mamori_merkle_node(const unsigned char left[MAMORI_HASH_LEN], const unsigned char right[MAMORI_HASH_LEN],
    unsigned char out[MAMORI_HASH_LEN])
{
	unsigned char buf[1 + 2 * MAMORI_HASH_LEN];

	buf[0] = 0x01;
	memcpy(buf + 1, left, MAMORI_HASH_LEN);
	memcpy(buf + 1 + MAMORI_HASH_LEN, right, MAMORI_HASH_LEN);
	mamori_sha256(buf, sizeof(buf), out);
}

/* The largest power of two smaller than n (n > 1). */
static uint64_t
split(uint64_t n)
{
	uint64_t k = 1;

	while (k << 1 < n)
		k <<= 1;
	return k;
}

void
mamori_merkle_acc_push_subtree(struct mamori_merkle_acc *acc, const unsigned char root[MAMORI_HASH_LEN],
    int height)
{
	unsigned char h[MAMORI_HASH_LEN];
	uint64_t size = acc->size >> height;
	int level = height;

	memcpy(h, root, MAMORI_HASH_LEN);
	/* merge equal-sized perfect subtrees, as a binary counter carries */
	while (size & 1) {
		mamori_merkle_node(acc->stack[level], h, h);
		size >>= 1;
		level++;
	}
	memcpy(acc->stack[level], h, MAMORI_HASH_LEN);
	acc->size += (uint64_t)1 << height;
}

void
mamori_merkle_acc_push(struct mamori_merkle_acc *acc, const unsigned char leaf[MAMORI_HASH_LEN])
{
	mamori_merkle_acc_push_subtree(acc, leaf, 0);
}

void
mamori_merkle_acc_root(const struct mamori_merkle_acc *acc, unsigned char out[MAMORI_HASH_LEN])
{
	unsigned char h[MAMORI_HASH_LEN];
	bool have = false;

	if (acc->size == 0) {
		mamori_sha256("", 0, out);
		return;
	}
	/* fold the perfect subtrees from the smallest (rightmost) up */
	for (int level = 0; level < 64; level++) {
		if (!(acc->size >> level & 1))
			continue;
		if (!have) {
			memcpy(h, acc->stack[level], MAMORI_HASH_LEN);
			have = true;
		} else {
			mamori_merkle_node(acc->stack[level], h, h);
		}
	}
	memcpy(out, h, MAMORI_HASH_LEN);
}

/* MTH of leaves [lo, lo + n), streamed once; n == 0 gives the empty tree's hash. */
static int
subtree(mamori_leaf_fn leaf, void *ctx, uint64_t lo, uint64_t n, unsigned char out[MAMORI_HASH_LEN])
{
	struct mamori_merkle_acc acc;
	unsigned char h[MAMORI_HASH_LEN];

	memset(&acc, 0, sizeof(acc));
	for (uint64_t i = 0; i < n; i++) {
		int rc = leaf(ctx, lo + i, h);
		if (rc != 0)
			return rc;
		mamori_merkle_acc_push(&acc, h);
	}
	mamori_merkle_acc_root(&acc, out);
	return 0;
}

int
mamori_merkle_root(mamori_leaf_fn leaf, void *ctx, uint64_t n, unsigned char out[MAMORI_HASH_LEN])
{
	return subtree(leaf, ctx, 0, n, out);
}

static int
proof_add(struct mamori_proof *p, const unsigned char h[MAMORI_HASH_LEN])
{
	if (p->n >= MAMORI_PROOF_MAX)
		return MAMORI_E_INVALID;
	memcpy(p->nodes[p->n++], h, MAMORI_HASH_LEN);
	return 0;
}

/* PATH(m, D[lo:lo+n]) of RFC 9162 2.1.3.1, nodes appended bottom-up. */
static int
path(mamori_leaf_fn leaf, void *ctx, uint64_t m, uint64_t lo, uint64_t n, struct mamori_proof *p)
{
	unsigned char h[MAMORI_HASH_LEN];
	uint64_t k;
	int rc;

	if (n <= 1)
		return 0;
	k = split(n);
	if (m < k) {
		if ((rc = path(leaf, ctx, m, lo, k, p)) != 0 || (rc = subtree(leaf, ctx, lo + k, n - k, h)) != 0)
			return rc;
	} else {
		if ((rc = path(leaf, ctx, m - k, lo + k, n - k, p)) != 0 || (rc = subtree(leaf, ctx, lo, k, h)) != 0)
			return rc;
	}
	return proof_add(p, h);
}

int
mamori_merkle_inclusion(mamori_leaf_fn leaf, void *ctx, uint64_t index, uint64_t size,
    struct mamori_proof *proof)
{
	proof->n = 0;
	if (index >= size)
		return MAMORI_E_INVALID;
	return path(leaf, ctx, index, 0, size, proof);
}

bool
mamori_merkle_verify_inclusion(const unsigned char leaf_hash[MAMORI_HASH_LEN], uint64_t index,
    uint64_t size, const struct mamori_proof *proof, const unsigned char root[MAMORI_HASH_LEN])
{
	unsigned char r[MAMORI_HASH_LEN];
	uint64_t fn = index, sn = size - 1;

	if (index >= size)
		return false;
	memcpy(r, leaf_hash, MAMORI_HASH_LEN);
	for (size_t i = 0; i < proof->n; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) || fn == sn) {
			mamori_merkle_node(proof->nodes[i], r, r);
			if (!(fn & 1))
				while (fn != 0 && !(fn & 1)) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			mamori_merkle_node(r, proof->nodes[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && sodium_memcmp(r, root, MAMORI_HASH_LEN) == 0;
}

/* SUBPROOF(m, D[lo:lo+n], b) of RFC 9162 2.1.4.1. */
static int
subproof(mamori_leaf_fn leaf, void *ctx, uint64_t m, uint64_t lo, uint64_t n, bool b,
    struct mamori_proof *p)
{
	unsigned char h[MAMORI_HASH_LEN];
	uint64_t k;
	int rc;

	if (m == n) {
		if (b)
			return 0;
		if ((rc = subtree(leaf, ctx, lo, n, h)) != 0)
			return rc;
		return proof_add(p, h);
	}
	k = split(n);
	if (m <= k) {
		if ((rc = subproof(leaf, ctx, m, lo, k, b, p)) != 0 ||
		    (rc = subtree(leaf, ctx, lo + k, n - k, h)) != 0)
			return rc;
	} else {
		if ((rc = subproof(leaf, ctx, m - k, lo + k, n - k, false, p)) != 0 ||
		    (rc = subtree(leaf, ctx, lo, k, h)) != 0)
			return rc;
	}
	return proof_add(p, h);
}

int
mamori_merkle_consistency(mamori_leaf_fn leaf, void *ctx, uint64_t old_size, uint64_t new_size,
    struct mamori_proof *proof)
{
	proof->n = 0;
	if (old_size > new_size)
		return MAMORI_E_INVALID;
	if (old_size == 0 || old_size == new_size)
		return 0;
	return subproof(leaf, ctx, old_size, 0, new_size, true, proof);
}

bool
mamori_merkle_verify_consistency(uint64_t old_size, uint64_t new_size,
    const unsigned char old_root[MAMORI_HASH_LEN], const unsigned char new_root[MAMORI_HASH_LEN],
    const struct mamori_proof *proof)
{
	unsigned char fr[MAMORI_HASH_LEN], sr[MAMORI_HASH_LEN];
	uint64_t fn, sn;
	size_t i = 0;

	if (old_size > new_size)
		return false;
	if (old_size == new_size)
		return proof->n == 0 && sodium_memcmp(old_root, new_root, MAMORI_HASH_LEN) == 0;
	if (old_size == 0)
		return proof->n == 0;	/* the empty tree is consistent with any tree */
	if (proof->n == 0)
		return false;
	fn = old_size - 1;
	sn = new_size - 1;
	/* when old_size is a power of two, old_root itself starts the path */
	if ((old_size & (old_size - 1)) == 0) {
		memcpy(fr, old_root, MAMORI_HASH_LEN);
		memcpy(sr, old_root, MAMORI_HASH_LEN);
	} else {
		memcpy(fr, proof->nodes[0], MAMORI_HASH_LEN);
		memcpy(sr, proof->nodes[0], MAMORI_HASH_LEN);
		i = 1;
	}
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < proof->n; i++) {
		const unsigned char *c = proof->nodes[i];
		if (sn == 0)
			return false;
		if ((fn & 1) || fn == sn) {
			mamori_merkle_node(c, fr, fr);
			mamori_merkle_node(c, sr, sr);
			if (!(fn & 1))
				while (fn != 0 && !(fn & 1)) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			mamori_merkle_node(sr, c, sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && sodium_memcmp(fr, old_root, MAMORI_HASH_LEN) == 0 &&
	    sodium_memcmp(sr, new_root, MAMORI_HASH_LEN) == 0;
}
