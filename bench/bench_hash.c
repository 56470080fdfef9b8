/*
 * bench_hash.c — SHA-256 of many independent messages: nettle one at a time
 * against hashbatch (ipsec-mb's lanes where built in) and against its SIMD lanes
 * (what a CPU without SHA instructions gets), for the audit trail's leaves
 * (418 bytes, the register's events) and its chain hashes (64 bytes).
 * Usage: bench_hash [COUNT]   (default 1,000,000 messages of each size)
 */
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hashbatch.h"

enum { BATCH = 64 };

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double
time_nettle(const unsigned char *msg, size_t len, size_t count, unsigned char *out)
{
	double t = now();

	for (size_t i = 0; i < count; i++) {
		struct sha256_ctx st;
		sha256_init(&st);
		sha256_update(&st, len, msg + i * len);
		sha256_digest(&st, MAMORI_HASH_LEN, out + i * MAMORI_HASH_LEN);
	}
	return now() - t;
}

static double
time_batch(struct hashbatch *b, const unsigned char *msg, size_t len, size_t count, unsigned char *out)
{
	double t = now();

	for (size_t i = 0; i < count; i++) {
		hashbatch_add(b, msg + i * len, len, out + i * MAMORI_HASH_LEN);
		if ((i + 1) % BATCH == 0)
			hashbatch_finish(b);
	}
	hashbatch_finish(b);
	return now() - t;
}

int
main(int argc, char **argv)
{
	static const size_t lens[] = { 418, 64 };
	size_t count = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	struct hashbatch *b = hashbatch_new(), *simd = hashbatch_new_simd();
	int rc = 0;

	if (count == 0 || b == NULL || simd == NULL)
		return 2;
	printf("hashbatch engine: %s (simd: %s), %zu messages each, batches of %d\n", hashbatch_engine(b),
	    hashbatch_engine(simd), count, BATCH);
	for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
		size_t len = lens[l];
		unsigned char *msg = malloc(count * len), *a = malloc(count * MAMORI_HASH_LEN),
		    *z = malloc(count * MAMORI_HASH_LEN);
		double tn = 0, tb = 0, ts = 0;

		if (msg == NULL || a == NULL || z == NULL)
			return 2;
		for (size_t i = 0; i < count * len; i++)
			msg[i] = (unsigned char)(i * 131 + 7);
		/* every buffer touched once before timing: fresh pages cost more than hashing here */
		memset(a, 0, count * MAMORI_HASH_LEN);
		memset(z, 1, count * MAMORI_HASH_LEN);
		for (int run = 0; run < 3; run++) {
			double n = time_nettle(msg, len, count, a), h = time_batch(b, msg, len, count, z);
			tn = run == 0 || n < tn ? n : tn;
			tb = run == 0 || h < tb ? h : tb;
			if (memcmp(a, z, count * MAMORI_HASH_LEN) != 0)
				break;
			memset(z, 1, count * MAMORI_HASH_LEN);
			h = time_batch(simd, msg, len, count, z);
			ts = run == 0 || h < ts ? h : ts;
		}
		if (memcmp(a, z, count * MAMORI_HASH_LEN) != 0) {
			fprintf(stderr, "bench_hash: digests of %zu-byte messages differ\n", len);
			rc = 1;
		}
		printf("%4zu-byte messages: nettle %.1f ns each (%.0f MB/s), hashbatch %.1f ns (%.0f MB/s, %.2f×), "
		    "simd lanes %.1f ns (%.0f MB/s, %.2f×)\n", len, tn / (double)count * 1e9,
		    (double)(count * len) / tn / 1e6, tb / (double)count * 1e9, (double)(count * len) / tb / 1e6,
		    tn / tb, ts / (double)count * 1e9, (double)(count * len) / ts / 1e6, tn / ts);
		free(msg);
		free(a);
		free(z);
	}
	hashbatch_free(b);
	hashbatch_free(simd);
	return rc;
}
