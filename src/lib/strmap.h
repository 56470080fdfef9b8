/* strmap.h — a fixed-size open-addressing map from strings to indexes. (internal) */
#ifndef MAMORI_STRMAP_H
#define MAMORI_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Built once, then read-only (safe to read from many threads).  Keys are
 * borrowed: they must outlive the map.  Capacity is fixed at creation.
 */
struct mamori_strmap {
	const char **keys;
	int *values;
	uint64_t *hashes;	/* compared before the keys: most misses never reach strcmp */
	size_t mask;		/* slots - 1; slots is a power of two */
	size_t count;
};

/* Prepares a map for up to n keys.  Returns false when memory runs out. */
bool mamori_strmap_init(struct mamori_strmap *m, size_t n);

/* Adds key → value; a key already present keeps its first value.  Returns false when full. */
bool mamori_strmap_put(struct mamori_strmap *m, const char *key, int value);

/* The value of key, or -1. */
int mamori_strmap_get(const struct mamori_strmap *m, const char *key);

/* Frees the map's storage and zeroes it. */
void mamori_strmap_free(struct mamori_strmap *m);

#endif
