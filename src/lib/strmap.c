/* strmap.c — open addressing with linear probing, FNV-1a hashes. */
#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h;
}

bool
mamori_strmap_init(struct mamori_strmap *m, size_t n)
{
	size_t slots = 8;

	memset(m, 0, sizeof(*m));
	while (slots < n * 2) {
		if (slots > SIZE_MAX / 4)
			return false;
		slots *= 2;
	}
	m->keys = calloc(slots, sizeof(*m->keys));
	m->values = calloc(slots, sizeof(*m->values));
	m->hashes = calloc(slots, sizeof(*m->hashes));
	if (m->keys == NULL || m->values == NULL || m->hashes == NULL) {
		mamori_strmap_free(m);
		return false;
	}
	m->mask = slots - 1;
	return true;
}

bool
mamori_strmap_put(struct mamori_strmap *m, const char *key, int value)
{
	size_t i;
	uint64_t h;

	if (m->keys == NULL || m->count + 1 > (m->mask + 1) / 2 + (m->mask + 1) / 4)
		return false;
	h = fnv1a(key);
	for (i = h & m->mask; m->keys[i] != NULL; i = (i + 1) & m->mask)
		if (m->hashes[i] == h && strcmp(m->keys[i], key) == 0)
			return true;
	m->keys[i] = key;
	m->hashes[i] = h;
	m->values[i] = value;
	m->count++;
	return true;
}

int
mamori_strmap_get(const struct mamori_strmap *m, const char *key)
{
	uint64_t h;

	if (m->keys == NULL || key == NULL)
		return -1;
	h = fnv1a(key);
	for (size_t i = h & m->mask; m->keys[i] != NULL; i = (i + 1) & m->mask)
		if (m->hashes[i] == h && strcmp(m->keys[i], key) == 0)
			return m->values[i];
	return -1;
}

void
mamori_strmap_free(struct mamori_strmap *m)
{
	free(m->keys);
	free(m->values);
	free(m->hashes);
	memset(m, 0, sizeof(*m));
}
