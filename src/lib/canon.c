/* canon.c — canonical JSON: the same value always prints the same bytes. */
#include "canon.h"

#include <stdlib.h>
#include <string.h>

static int
key_cmp(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	return strcmp(x->string, y->string);
}

/* A deep copy with every object's members in key order. */
static cJSON *
sorted_copy(const cJSON *v, int depth)
{
	cJSON *out, **kids = NULL;
	size_t n = 0;

	if (depth > 64)
		return NULL;
	if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
		return cJSON_Duplicate(v, 0);
	out = cJSON_IsObject(v) ? cJSON_CreateObject() : cJSON_CreateArray();
	for (const cJSON *c = v->child; c; c = c->next)
		n++;
	if (out == NULL || (n && (kids = malloc(n * sizeof(*kids))) == NULL))
		goto fail;
	n = 0;
	for (cJSON *c = v->child; c; c = c->next)
		kids[n++] = c;
	if (cJSON_IsObject(v))
		qsort(kids, n, sizeof(*kids), key_cmp);
	for (size_t i = 0; i < n; i++) {
		cJSON *k = sorted_copy(kids[i], depth + 1);
		if (k == NULL)
			goto fail;
		if (cJSON_IsObject(v))
			cJSON_AddItemToObject(out, kids[i]->string, k);
		else
			cJSON_AddItemToArray(out, k);
	}
	free(kids);
	return out;
fail:
	free(kids);
	cJSON_Delete(out);
	return NULL;
}

char *
mamori_canon_json(const cJSON *v)
{
	cJSON *c = sorted_copy(v, 0);
	char *s = c ? cJSON_PrintUnformatted(c) : NULL;

	cJSON_Delete(c);
	return s;
}

char *
mamori_canon_body(const cJSON *before, const cJSON *after)
{
	cJSON *body = cJSON_CreateObject();
	char *s;

	if (body == NULL)
		return NULL;
	cJSON_AddItemToObject(body, "after", after ? cJSON_Duplicate(after, 1) : cJSON_CreateNull());
	cJSON_AddItemToObject(body, "before", before ? cJSON_Duplicate(before, 1) : cJSON_CreateNull());
	s = mamori_canon_json(body);
	cJSON_Delete(body);
	return s;
}
