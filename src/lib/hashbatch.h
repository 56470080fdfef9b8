#ifndef MAMORI_HASHBATCH_H
#define MAMORI_HASHBATCH_H

/*
 * hashbatch — many independent SHA-256 hashes at once.  One message's blocks
 * must be compressed one after the other, and the CPU's SHA unit waits on
 * each round's result; two messages interleaved keep it busier (leaves of
 * 418 bytes hash 1.3–1.5 times as fast here, bench/bench_hash).  With
 * Intel's ipsec-mb library (Debian libipsec-mb-dev; amd64 only) the messages
 * of a batch are hashed in parallel lanes (SHA instructions interleaved, or
 * SIMD lanes on CPUs without them); without it, or on a CPU it does not serve,
 * each message is hashed with nettle as it is added.  Either way the
 * digests are the same; only when they are written differs.
 */

#include <stdbool.h>
#include <stddef.h>

#include "mamori/merkle.h"

struct hashbatch;

/* A batch of one thread's own (a batch is not thread-safe); NULL when out of
 * memory. */
struct hashbatch *hashbatch_new(void);

/* hashbatch_new as on a CPU without SHA instructions: ipsec-mb's SIMD lanes
 * even where SHA instructions exist (so that tests and benchmarks reach that
 * path here); nettle when ipsec-mb is not built in. */
struct hashbatch *hashbatch_new_simd(void);

/* Hashes len bytes of msg into out.  msg and out must stay valid and
 * untouched until hashbatch_finish; out may be written at any time before. */
void hashbatch_add(struct hashbatch *b, const void *msg, size_t len, unsigned char out[MAMORI_HASH_LEN]);

/* Writes every digest still pending; the batch is empty and reusable after. */
void hashbatch_finish(struct hashbatch *b);

/* What hashes: "ipsec-mb <arch>" or "nettle" (for benchmarks and --verbose). */
const char *hashbatch_engine(const struct hashbatch *b);

void hashbatch_free(struct hashbatch *b);

#endif
