/*
 * mamori/merkle.h — the RFC 9162 (Certificate Transparency v2) Merkle tree over
 * SHA-256: tree heads, inclusion proofs and consistency proofs, computed and
 * verified.  Leaves are given as their leaf hashes (SHA-256(0x00 || data)),
 * fetched through a callback so that a store can serve them without loading
 * the whole log.
 */
#ifndef MAMORI_MERKLE_H
#define MAMORI_MERKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAMORI_HASH_LEN 32
#define MAMORI_PROOF_MAX 64	/* a proof of a tree below 2^63 leaves has fewer nodes */

/* Fetches leaf hash i (0-based) into out; returns 0 or a negative MAMORI_E_* code. */
typedef int (*mamori_leaf_fn)(void *ctx, uint64_t i, unsigned char out[MAMORI_HASH_LEN]);

/* SHA-256(data), with the CPU's SHA instructions where it has them. */
void mamori_sha256(const void *data, size_t len, unsigned char out[MAMORI_HASH_LEN]);

/* SHA-256(0x00 || data): the leaf hash of an entry. */
void mamori_merkle_leaf(const void *data, size_t len, unsigned char out[MAMORI_HASH_LEN]);

/* SHA-256(0x01 || left || right): an interior node. */
void mamori_merkle_node(const unsigned char left[MAMORI_HASH_LEN],
    const unsigned char right[MAMORI_HASH_LEN], unsigned char out[MAMORI_HASH_LEN]);

/*
 * The root of leaves [0, n) — MTH(D[n]); for n == 0 the hash of the empty string.
 * Streams the leaves once with O(log n) memory.  Returns 0 or the callback's error.
 */
int mamori_merkle_root(mamori_leaf_fn leaf, void *ctx, uint64_t n, unsigned char out[MAMORI_HASH_LEN]);

/*
 * An incremental root: push leaves one by one; mamori_merkle_acc_root gives the
 * root of what was pushed so far without disturbing it (used by the verifier to
 * check every stored head in one pass).
 */
struct mamori_merkle_acc {
	unsigned char stack[64][MAMORI_HASH_LEN];	/* roots of perfect subtrees */
	uint64_t size;
};
void mamori_merkle_acc_push(struct mamori_merkle_acc *acc, const unsigned char leaf[MAMORI_HASH_LEN]);
/*
 * Pushes the root of a perfect subtree of 2^height leaves at once, as if its
 * leaves had been pushed one by one.  acc->size must be a multiple of
 * 2^height (the subtree starts on its own boundary; RFC 9162 trees are made of
 * such subtrees, so independent workers can hash aligned chunks in parallel).
 */
void mamori_merkle_acc_push_subtree(struct mamori_merkle_acc *acc, const unsigned char root[MAMORI_HASH_LEN],
    int height);
void mamori_merkle_acc_root(const struct mamori_merkle_acc *acc, unsigned char out[MAMORI_HASH_LEN]);

struct mamori_proof {
	unsigned char nodes[MAMORI_PROOF_MAX][MAMORI_HASH_LEN];
	size_t n;
};

/* The inclusion proof of leaf index in a tree of size leaves (RFC 9162 2.1.3.1). */
int mamori_merkle_inclusion(mamori_leaf_fn leaf, void *ctx, uint64_t index, uint64_t size,
    struct mamori_proof *proof);

/* Verifies an inclusion proof against root (RFC 9162 2.1.3.2). */
bool mamori_merkle_verify_inclusion(const unsigned char leaf_hash[MAMORI_HASH_LEN], uint64_t index,
    uint64_t size, const struct mamori_proof *proof, const unsigned char root[MAMORI_HASH_LEN]);

/* The consistency proof between sizes old_size <= new_size (RFC 9162 2.1.4.1). */
int mamori_merkle_consistency(mamori_leaf_fn leaf, void *ctx, uint64_t old_size, uint64_t new_size,
    struct mamori_proof *proof);

/* Verifies a consistency proof between two roots (RFC 9162 2.1.4.2). */
bool mamori_merkle_verify_consistency(uint64_t old_size, uint64_t new_size,
    const unsigned char old_root[MAMORI_HASH_LEN], const unsigned char new_root[MAMORI_HASH_LEN],
    const struct mamori_proof *proof);

#endif
