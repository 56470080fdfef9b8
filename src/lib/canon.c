/*
 * canon.c — canonical JSON: the same value always prints the same bytes.
 *
 * Objects print their members sorted by key (bytes), with no whitespace; every
 * key and every leaf (string, number, true, false, null) is printed by cJSON
 * itself (cJSON_PrintPreallocated), so escaping and number formatting are
 * cJSON's — this file only orders and joins.  The output is what
 * cJSON_PrintUnformatted gives for a copy of the tree with sorted members, but
 * without copying the tree: every audit event is canonicalised, and a bulk
 * import canonicalises a million of them.
 *
 * A writer that knows its keys and their sorted order (the register's audit
 * bodies) writes canonical JSON without any tree with buf_add and
 * buf_json_string (buf.h), which escapes exactly as cJSON does.
 */
#include "canon.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Deeper values are refused: audit bodies are flat records, not recursion bombs. */
#define MAX_DEPTH 64

static void
put_leaf(struct buf *o, const cJSON *v)
{
	/* an escaped character takes at most 6 bytes (\u00XX); cJSON wants 5 spare */
	size_t need = (cJSON_IsString(v) || cJSON_IsRaw(v)) && v->valuestring ? strlen(v->valuestring) * 6 + 8 : 64;

	if (!buf_reserve(o, need) || need > (size_t)0x7fffffff)
		return;
	if (!cJSON_PrintPreallocated((cJSON *)v, o->p + o->len, (int)(o->cap - o->len), 0)) {
		o->fail = true;
		return;
	}
	o->len += strlen(o->p + o->len);
}

static int
key_cmp(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	return strcmp(x->string, y->string);
}

static void
put_value(struct buf *o, const cJSON *v, int depth)
{
	const cJSON **kids = NULL;
	bool object = cJSON_IsObject(v);
	size_t n = 0;

	if (depth > MAX_DEPTH) {
		o->fail = true;
		return;
	}
	if (!object && !cJSON_IsArray(v)) {
		put_leaf(o, v);
		return;
	}
	for (const cJSON *c = v->child; c; c = c->next)
		n++;
	if (n && (kids = malloc(n * sizeof(*kids))) == NULL) {
		o->fail = true;
		return;
	}
	n = 0;
	for (const cJSON *c = v->child; c; c = c->next)
		kids[n++] = c;
	if (object && n > 1)
		qsort(kids, n, sizeof(*kids), key_cmp);
	buf_add(o, object ? "{" : "[", 1);
	for (size_t i = 0; i < n && !o->fail; i++) {
		if (i)
			buf_add(o, ",", 1);
		if (object) {
			/* a key is printed as a string leaf: cJSON's escaping */
			cJSON key = { .type = cJSON_String, .valuestring = kids[i]->string };
			put_leaf(o, &key);
			buf_add(o, ":", 1);
		}
		put_value(o, kids[i], depth + 1);
	}
	buf_add(o, object ? "}" : "]", 1);
	if (n)
		free(kids);
}

static char *
finish(struct buf *o)
{
	if (o->fail) {
		free(o->p);
		return NULL;
	}
	return o->p;
}

char *
mamori_canon_json(const cJSON *v)
{
	struct buf o = { 0 };

	put_value(&o, v, 0);
	return finish(&o);
}

char *
mamori_canon_body(const cJSON *before, const cJSON *after)
{
	struct buf o = { 0 };

	/* {"after":…,"before":…}: the keys in their sorted order */
	buf_add(&o, "{\"after\":", 9);
	if (after)
		put_value(&o, after, 1);
	else
		buf_add(&o, "null", 4);
	buf_add(&o, ",\"before\":", 10);
	if (before)
		put_value(&o, before, 1);
	else
		buf_add(&o, "null", 4);
	buf_add(&o, "}", 1);
	return finish(&o);
}

/* ---- writing without a tree ---------------------------------------------- */
