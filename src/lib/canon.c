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
 * canon_put_string and canon_put_raw write canonical JSON without any tree, for
 * a writer that knows its keys and their sorted order (the register's audit
 * bodies); canon_put_string escapes exactly as cJSON does, which
 * tests/unit/test_store.c checks for every byte.
 */
#include "canon.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Deeper values are refused: audit bodies are flat records, not recursion bombs. */
#define MAX_DEPTH 64

static bool
reserve(struct canon_buf *o, size_t n)
{
	size_t cap = o->cap ? o->cap : 256;
	char *nb;

	if (o->fail)
		return false;
	if (o->len + n + 1 <= o->cap)
		return true;
	while (cap < o->len + n + 1)
		cap *= 2;
	if ((nb = realloc(o->buf, cap)) == NULL) {
		o->fail = true;
		return false;
	}
	o->buf = nb;
	o->cap = cap;
	return true;
}

static void
put_raw(struct canon_buf *o, const char *s, size_t n)
{
	if (!reserve(o, n))
		return;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

/* One leaf, printed by cJSON into the buffer. */
static void
put_leaf(struct canon_buf *o, const cJSON *v)
{
	/* an escaped character takes at most 6 bytes (\u00XX); cJSON wants 5 spare */
	size_t need = (cJSON_IsString(v) || cJSON_IsRaw(v)) && v->valuestring ? strlen(v->valuestring) * 6 + 8 : 64;

	if (!reserve(o, need) || need > (size_t)0x7fffffff)
		return;
	if (!cJSON_PrintPreallocated((cJSON *)v, o->buf + o->len, (int)(o->cap - o->len), 0)) {
		o->fail = true;
		return;
	}
	o->len += strlen(o->buf + o->len);
}

static int
key_cmp(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	return strcmp(x->string, y->string);
}

static void
put_value(struct canon_buf *o, const cJSON *v, int depth)
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
	put_raw(o, object ? "{" : "[", 1);
	for (size_t i = 0; i < n && !o->fail; i++) {
		if (i)
			put_raw(o, ",", 1);
		if (object) {
			/* a key is printed as a string leaf: cJSON's escaping */
			cJSON key = { .type = cJSON_String, .valuestring = kids[i]->string };
			put_leaf(o, &key);
			put_raw(o, ":", 1);
		}
		put_value(o, kids[i], depth + 1);
	}
	put_raw(o, object ? "}" : "]", 1);
	if (n)
		free(kids);
}

static char *
finish(struct canon_buf *o)
{
	if (o->fail) {
		free(o->buf);
		return NULL;
	}
	return o->buf;
}

char *
mamori_canon_json(const cJSON *v)
{
	struct canon_buf o = { 0 };

	put_value(&o, v, 0);
	return finish(&o);
}

char *
mamori_canon_body(const cJSON *before, const cJSON *after)
{
	struct canon_buf o = { 0 };

	/* {"after":…,"before":…}: the keys in their sorted order */
	put_raw(&o, "{\"after\":", 9);
	if (after)
		put_value(&o, after, 1);
	else
		put_raw(&o, "null", 4);
	put_raw(&o, ",\"before\":", 10);
	if (before)
		put_value(&o, before, 1);
	else
		put_raw(&o, "null", 4);
	put_raw(&o, "}", 1);
	return finish(&o);
}

/* ---- writing without a tree ---------------------------------------------- */

void
canon_buf_reset(struct canon_buf *b)
{
	b->len = 0;
	b->fail = false;
	if (b->buf != NULL)
		b->buf[0] = '\0';
}

void
canon_buf_free(struct canon_buf *b)
{
	free(b->buf);
	*b = (struct canon_buf){ 0 };
}

void
canon_put_raw(struct canon_buf *b, const char *s, size_t n)
{
	put_raw(b, s, n);
}

void
canon_put_string(struct canon_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	char *o;

	/* at most 6 bytes per input byte (\u00XX), 2 quotes */
	if (!reserve(b, n * 6 + 2))
		return;
	o = b->buf + b->len;
	*o++ = '"';
	for (; *p; p++) {
		/* cJSON 1.7 (print_string_ptr): '"', '\\' and the controls are
		 * escaped, the short forms where JSON has one, else \u00xx in
		 * lower case; every other byte, UTF-8 included, is copied */
		if (*p > 31 && *p != '"' && *p != '\\') {
			*o++ = (char)*p;
			continue;
		}
		*o++ = '\\';
		switch (*p) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\b': *o++ = 'b'; break;
		case '\f': *o++ = 'f'; break;
		case '\n': *o++ = 'n'; break;
		case '\r': *o++ = 'r'; break;
		case '\t': *o++ = 't'; break;
		default:
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o++ = '"';
	*o = '\0';
	b->len = (size_t)(o - b->buf);
}
