/*
 * decide_terminals.c — the terminals of the register for the decision point
 * (mamori/decide.h): one hash lookup per request that names a terminal, so
 * that the register, not the caller, says where a terminal stands, whether it
 * was issued and whether it has MFA — at the speed of a prepared decision.
 */
#include "mamori/decide.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * One slot of the open-addressing table (linear probing), 16 bytes: all a
 * prepared decision needs is in the slot, so that a look-up touches the slot
 * and the key's bytes and nothing else — four slots to a cache line.
 */
struct slot {
	uint32_t hash;		/* the high half of the key's FNV-1a */
	uint32_t key;		/* offset of the key in chars, plus 1; 0: an empty slot */
	uint32_t entry;		/* index into v */
	short segment;		/* index for the decider, -1: none */
	bool issued, mfa;
};

struct mamori_terminal_table {
	struct slot *slots;
	size_t mask;
	struct mamori_decide_terminal *v;	/* strings into chars */
	size_t n;
	char *chars;
};

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h;
}

/* s copied to chars at *at, which moves past it; returns its offset, or -1 for NULL. */
static long
copy_to(char *chars, size_t *at, const char *s)
{
	size_t len, off = *at;

	if (s == NULL)
		return -1;
	len = strlen(s) + 1;
	memcpy(chars + off, s, len);
	*at += len;
	return (long)off;
}

/* The slot of id, or NULL. */
static const struct slot *
lookup(const struct mamori_terminal_table *t, const char *id)
{
	uint64_t h;
	uint32_t h32;

	if (t == NULL || id == NULL)
		return NULL;
	h = fnv1a(id);
	h32 = (uint32_t)(h >> 32);
	for (size_t i = h & t->mask;; i = (i + 1) & t->mask) {
		const struct slot *sl = &t->slots[i];
		if (sl->key == 0)
			return NULL;
		if (sl->hash == h32 && strcmp(t->chars + sl->key - 1, id) == 0)
			return sl;
	}
}

/* Puts entry i into its slot; the first of two with one id keeps the slot. */
static void
place(struct mamori_terminal_table *t, uint32_t i, long key, short segment)
{
	const struct mamori_decide_terminal *e = &t->v[i];
	uint64_t h = fnv1a(e->id);
	size_t at;

	for (at = h & t->mask; t->slots[at].key != 0; at = (at + 1) & t->mask)
		if (strcmp(t->chars + t->slots[at].key - 1, e->id) == 0)
			return;
	t->slots[at] = (struct slot){ (uint32_t)(h >> 32), (uint32_t)key + 1, i, segment, e->issued, e->mfa };
}

int
mamori_terminal_table_new(const struct mamori_decider *d, const struct mamori_decide_terminal *t, size_t n,
    struct mamori_terminal_table **out, struct mamori_error *err)
{
	struct mamori_terminal_table *tab = calloc(1, sizeof(*tab));
	size_t bytes = 1, slots = 16, at = 0;

	*out = NULL;
	for (size_t i = 0; i < n; i++)
		bytes += strlen(t[i].id) + 1 + (t[i].segment ? strlen(t[i].segment) + 1 : 0);
	while (slots < 2 * n && slots < SIZE_MAX / 4)
		slots *= 2;		/* at most half full: short probes */
	if (tab == NULL || n > UINT32_MAX / 2 || bytes > UINT32_MAX - 1 ||
	    (tab->v = calloc(n ? n : 1, sizeof(*tab->v))) == NULL || (tab->chars = malloc(bytes)) == NULL ||
	    (tab->slots = calloc(slots, sizeof(*tab->slots))) == NULL) {
		mamori_terminal_table_free(&tab);
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	}
	tab->mask = slots - 1;
	for (size_t i = 0; i < n; i++) {
		long key = copy_to(tab->chars, &at, t[i].id), seg = copy_to(tab->chars, &at, t[i].segment);
		tab->v[i] = t[i];
		tab->v[i].id = tab->chars + key;
		tab->v[i].segment = seg < 0 ? NULL : tab->chars + seg;
		place(tab, (uint32_t)i, key, (short)(t[i].segment ? mamori_decider_segment(d, t[i].segment) : -1));
	}
	tab->n = n;
	*out = tab;
	return 0;
}

const struct mamori_decide_terminal *
mamori_terminal_table_find(const struct mamori_terminal_table *t, const char *id)
{
	const struct slot *sl = lookup(t, id);

	return sl == NULL ? NULL : &t->v[sl->entry];
}

bool
mamori_terminal_table_apply(const struct mamori_terminal_table *t, const char *id,
    struct mamori_decide_subject *subject)
{
	const struct slot *sl = lookup(t, id);

	if (sl == NULL)
		return false;
	subject->terminal = sl->segment;
	subject->issued = sl->issued;
	subject->mfa = sl->mfa;
	return true;
}

void
mamori_terminal_table_free(struct mamori_terminal_table **tp)
{
	struct mamori_terminal_table *t;

	if (tp == NULL || *tp == NULL)
		return;
	t = *tp;
	free(t->slots);
	free(t->v);
	free(t->chars);
	free(t);
	*tp = NULL;
}
