/*
 * decide_terminals.c — the terminals of the register for the decision point
 * (mamori/decide.h): one hash lookup per request that names a terminal, so
 * that the register, not the caller, says where a terminal stands, whether it
 * was issued and whether it has MFA — at the speed of a prepared decision.
 */
#include "mamori/decide.h"
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

struct terminal_entry {
	struct mamori_decide_terminal t;	/* strings into chars */
	short segment;				/* index for the decider, -1: none */
};

struct mamori_terminal_table {
	struct mamori_strmap map;
	struct terminal_entry *v;
	size_t n;
	char *chars;
};

/* s copied to *at, which moves past it; NULL stays NULL. */
static const char *
copy_to(char **at, const char *s)
{
	char *out = *at;
	size_t len;

	if (s == NULL)
		return NULL;
	len = strlen(s) + 1;
	memcpy(out, s, len);
	*at += len;
	return out;
}

int
mamori_terminal_table_new(const struct mamori_decider *d, const struct mamori_decide_terminal *t, size_t n,
    struct mamori_terminal_table **out, struct mamori_error *err)
{
	struct mamori_terminal_table *tab = calloc(1, sizeof(*tab));
	size_t bytes = 1;
	char *at;

	*out = NULL;
	for (size_t i = 0; i < n; i++)
		bytes += strlen(t[i].id) + 1 + (t[i].segment ? strlen(t[i].segment) + 1 : 0);
	if (tab == NULL || (tab->v = calloc(n ? n : 1, sizeof(*tab->v))) == NULL ||
	    (tab->chars = malloc(bytes)) == NULL || !mamori_strmap_init(&tab->map, n + 1)) {
		mamori_terminal_table_free(&tab);
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	}
	at = tab->chars;
	for (size_t i = 0; i < n; i++) {
		struct terminal_entry *e = &tab->v[i];
		e->t = t[i];
		e->t.id = copy_to(&at, t[i].id);
		e->t.segment = copy_to(&at, t[i].segment);
		e->segment = (short)(t[i].segment ? mamori_decider_segment(d, t[i].segment) : -1);
		mamori_strmap_put(&tab->map, e->t.id, (int)i);
	}
	tab->n = n;
	*out = tab;
	return 0;
}

const struct mamori_decide_terminal *
mamori_terminal_table_find(const struct mamori_terminal_table *t, const char *id)
{
	int i = t != NULL && id != NULL ? mamori_strmap_get(&t->map, id) : -1;

	return i < 0 ? NULL : &t->v[i].t;
}

bool
mamori_terminal_table_apply(const struct mamori_terminal_table *t, const char *id,
    struct mamori_decide_subject *subject)
{
	int i = t != NULL && id != NULL ? mamori_strmap_get(&t->map, id) : -1;

	if (i < 0)
		return false;
	subject->terminal = t->v[i].segment;
	subject->issued = t->v[i].t.issued;
	subject->mfa = t->v[i].t.mfa;
	return true;
}

void
mamori_terminal_table_free(struct mamori_terminal_table **tp)
{
	struct mamori_terminal_table *t;

	if (tp == NULL || *tp == NULL)
		return;
	t = *tp;
	mamori_strmap_free(&t->map);
	free(t->v);
	free(t->chars);
	free(t);
	*tp = NULL;
}
