/* yamlmap.c — table-driven YAML → struct reader and `extends` merge. */
#include "yamlmap.h"
#include "suggest.h"
#include "mamori/i18n.h"

#include <errno.h>
#include <libfyaml.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lists longer than this are refused: no policy is that long, and quadratic
 * duplicate checks must stay bounded on hostile input. */
enum { YM_LIST_MAX = 5000, YM_ID_MAX = 64 };

#define AT(base, off, type) ((type *)((char *)(base) + (off)))
#define CAT(base, off, type) ((type const *)((const char *)(base) + (off)))

void
ym_error(struct ym_ctx *ctx, const struct mamori_srcpos *pos, const char *fmt, ...)
{
	char buf[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), _(fmt), ap);	/* marked by xgettext's keyword */
	va_end(ap);
	if (mamori_diags_add(ctx->diags, MAMORI_SEV_ERROR, pos->file, pos->line,
	    pos->column, "%s", buf) != 0)
		ctx->nomem = true;
}

/* The position of a node: its own token for scalars, its first key or item for
 * collections (libfyaml keeps no marks on collection nodes), else fallback. */
static struct mamori_srcpos
node_pos(struct ym_ctx *ctx, struct fy_node *node, const struct mamori_srcpos *fallback)
{
	struct mamori_srcpos pos = *fallback;
	void *iter = NULL;

	for (int depth = 0; node != NULL && depth < 64; depth++) {
		if (fy_node_get_type(node) == FYNT_SCALAR) {
			struct fy_token *tok = fy_node_get_scalar_token(node);
			const struct fy_mark *m = tok ? fy_token_start_mark(tok) : NULL;
			if (m != NULL) {
				pos.file = ctx->file;
				pos.line = m->line + 1;
				pos.column = m->column + 1;
			}
			break;
		}
		iter = NULL;
		if (fy_node_get_type(node) == FYNT_MAPPING) {
			struct fy_node_pair *pair = fy_node_mapping_iterate(node, &iter);
			node = pair ? fy_node_pair_key(pair) : NULL;
		} else {
			node = fy_node_sequence_iterate(node, &iter);
		}
	}
	return pos;
}

static const char *
node_kind_name(struct fy_node *node)
{
	switch (fy_node_get_type(node)) {
	case FYNT_MAPPING:
		return "a mapping";
	case FYNT_SEQUENCE:
		return "a list";
	default:
		return "a scalar";
	}
}

const struct ym_field *
ym_field(const struct ym_schema *schema, const char *key)
{
	for (size_t i = 0; i < schema->nfields; i++)
		if (strcmp(schema->fields[i].key, key) == 0)
			return &schema->fields[i];
	return NULL;
}

static bool
is_null_scalar(struct fy_node *node)
{
	size_t len;
	const char *s;

	if (fy_node_get_type(node) != FYNT_SCALAR || fy_node_get_style(node) != FYNS_PLAIN)
		return false;
	s = fy_node_get_scalar(node, &len);
	return s == NULL || len == 0 || (len == 1 && s[0] == '~') ||
	    (len == 4 && (memcmp(s, "null", 4) == 0 || memcmp(s, "Null", 4) == 0 ||
	    memcmp(s, "NULL", 4) == 0));
}

static bool
valid_id(const char *s, size_t len, bool underscore)
{
	if (len == 0 || len > YM_ID_MAX || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 1; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || (underscore && c == '_')))
			return false;
	}
	return true;
}

/* Returns the scalar's text as an arena string, or NULL after reporting why not. */
static const char *
read_string(struct ym_ctx *ctx, struct fy_node *node, const struct ym_field *f,
    const struct mamori_srcpos *pos)
{
	size_t len;
	const char *s;
	char *copy;

	if (fy_node_get_type(node) != FYNT_SCALAR) {
		ym_error(ctx, pos, "'%s' must be a string, not %s", f->key, node_kind_name(node));
		return NULL;
	}
	s = fy_node_get_scalar(node, &len);
	if (s == NULL)
		s = "", len = 0;
	if (memchr(s, '\0', len) != NULL) {
		ym_error(ctx, pos, "'%s' contains a NUL character", f->key);
		return NULL;
	}
	if (f->kind == YM_ID && !valid_id(s, len, f->underscore)) {
		ym_error(ctx, pos, "'%s' must be an id: lowercase letters, digits and '%s', "
		    "starting with a letter, at most %d characters (got \"%.*s\")",
		    f->key, f->underscore ? "-_" : "-", YM_ID_MAX, (int)(len > 80 ? 80 : len), s);
		return NULL;
	}
	if (len == 0 && f->required) {
		ym_error(ctx, pos, "'%s' must not be empty", f->key);
		return NULL;
	}
	copy = mamori_arena_strndup(ctx->arena, s, len);
	if (copy == NULL)
		ctx->nomem = true;
	return copy;
}

static void
read_int(struct ym_ctx *ctx, struct fy_node *node, const struct ym_field *f,
    const struct mamori_srcpos *pos, int *out)
{
	size_t len;
	const char *s;
	char buf[32], *end;
	long v;

	if (fy_node_get_type(node) != FYNT_SCALAR || fy_node_get_style(node) != FYNS_PLAIN) {
		ym_error(ctx, pos, "'%s' must be an integer, not %s", f->key,
		    fy_node_get_type(node) == FYNT_SCALAR ? "a quoted string" : node_kind_name(node));
		return;
	}
	s = fy_node_get_scalar(node, &len);
	if (s == NULL || len == 0 || len >= sizeof(buf)) {
		ym_error(ctx, pos, "'%s' must be an integer from %d to %d", f->key, f->min, f->max);
		return;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno != 0 || *end != '\0' || end == buf) {
		ym_error(ctx, pos, "'%s' must be an integer, not \"%s\"", f->key, buf);
		return;
	}
	if (v < f->min || v > f->max) {
		ym_error(ctx, pos, "'%s' is %ld, out of range: it must be from %d to %d",
		    f->key, v, f->min, f->max);
		return;
	}
	*out = (int)v;
}

static void
read_bool(struct ym_ctx *ctx, struct fy_node *node, const struct ym_field *f,
    const struct mamori_srcpos *pos, bool *out)
{
	size_t len = 0;
	const char *s = NULL;

	if (fy_node_get_type(node) == FYNT_SCALAR && fy_node_get_style(node) == FYNS_PLAIN)
		s = fy_node_get_scalar(node, &len);
	if (s != NULL && len == 4 && memcmp(s, "true", 4) == 0)
		*out = true;
	else if (s != NULL && len == 5 && memcmp(s, "false", 5) == 0)
		*out = false;
	else
		ym_error(ctx, pos, "'%s' must be true or false", f->key);
}

static void read_value(struct ym_ctx *ctx, struct fy_node *node, const struct ym_field *f,
    const struct mamori_srcpos *keypos, void *out);

const char *
ym_describe(const struct ym_schema *schema, const void *elem, char *buf, size_t n)
{
	size_t used = (size_t)snprintf(buf, n, "%s", schema->name);

	for (int k = 0; k < 3 && schema->keys[k] && used < n; k++) {
		const struct ym_field *f = ym_field(schema, schema->keys[k]);
		if (f->kind == YM_INT)
			used += (size_t)snprintf(buf + used, n - used, " %d",
			    *CAT(elem, f->offset, int));
		else
			used += (size_t)snprintf(buf + used, n - used, "%s'%s'",
			    k ? ", " : " ", *CAT(elem, f->offset, const char *) ?
			    *CAT(elem, f->offset, const char *) : "");
	}
	return buf;
}

bool
ym_same_key(const struct ym_schema *schema, const void *a, const void *b)
{
	if (schema->keys[0] == NULL)
		return false;
	for (int k = 0; k < 3 && schema->keys[k]; k++) {
		const struct ym_field *f = ym_field(schema, schema->keys[k]);
		if (f->kind == YM_INT) {
			if (*CAT(a, f->offset, int) != *CAT(b, f->offset, int))
				return false;
		} else {
			const char *x = *CAT(a, f->offset, const char *);
			const char *y = *CAT(b, f->offset, const char *);
			if (x == NULL || y == NULL || strcmp(x, y) != 0)
				return false;
		}
	}
	return true;
}

static void
read_list(struct ym_ctx *ctx, struct fy_node *node, const struct ym_field *f,
    const struct mamori_srcpos *pos, void *out)
{
	int n;
	void *iter = NULL;
	struct fy_node *item;
	size_t i = 0, esize;
	char *elems;

	if (fy_node_get_type(node) != FYNT_SEQUENCE) {
		ym_error(ctx, pos, "'%s' must be a list, not %s", f->key, node_kind_name(node));
		return;
	}
	n = fy_node_sequence_item_count(node);
	if (n <= 0)
		return;
	if (n > YM_LIST_MAX) {
		ym_error(ctx, pos, "'%s' has %d entries; at most %d are allowed", f->key, n, YM_LIST_MAX);
		return;
	}
	esize = f->kind == YM_STRLIST ? sizeof(const char *) : f->schema->size;
	elems = mamori_arena_alloc(ctx->arena, esize * (size_t)n);
	if (elems == NULL) {
		ctx->nomem = true;
		return;
	}
	while ((item = fy_node_sequence_iterate(node, &iter)) != NULL) {
		struct mamori_srcpos ipos = node_pos(ctx, item, pos);
		void *elem = elems + i * esize;

		if (fy_node_is_alias(item)) {
			ym_error(ctx, &ipos, "YAML aliases are not allowed in policy files; write the value out");
			continue;
		}
		if (f->kind == YM_STRLIST) {
			struct ym_field sf = { .key = f->key, .kind = YM_STRING, .required = true };
			const char *s = read_string(ctx, item, &sf, &ipos);
			if (s == NULL)
				continue;
			*(const char **)elem = s;
		} else {
			if (fy_node_get_type(item) != FYNT_MAPPING) {
				ym_error(ctx, &ipos, "each entry of '%s' must be a mapping (a %s), not %s",
				    f->key, f->schema->name, node_kind_name(item));
				continue;
			}
			ym_read_map(ctx, item, f->schema, elem);
			for (size_t j = 0; j < i && f->schema->keys[0]; j++) {
				void *prev = elems + j * esize;
				char desc[256];
				const struct mamori_srcpos *pp = (const struct mamori_srcpos *)prev;
				if (!ym_same_key(f->schema, prev, elem))
					continue;
				ym_error(ctx, (const struct mamori_srcpos *)elem,
				    "duplicate %s in '%s': already defined at line %d",
				    ym_describe(f->schema, elem, desc, sizeof(desc)), f->key, pp->line);
				break;
			}
		}
		i++;
	}
	*AT(out, f->offset, void *) = elems;
	*AT(out, f->count_offset, size_t) = i;
}

static void
read_value(struct ym_ctx *ctx, struct fy_node *node, const struct ym_field *f,
    const struct mamori_srcpos *keypos, void *out)
{
	struct mamori_srcpos pos = node_pos(ctx, node, keypos);

	if (fy_node_is_alias(node)) {
		ym_error(ctx, &pos, "YAML aliases are not allowed in policy files; write the value out");
		return;
	}
	if (f->pos_offset != 0)
		*AT(out, f->pos_offset, struct mamori_srcpos) = pos;
	switch (f->kind) {
	case YM_STRING:
	case YM_ID: {
		const char *s = read_string(ctx, node, f, &pos);
		if (s != NULL)
			*AT(out, f->offset, const char *) = s;
		break;
	}
	case YM_INT:
		read_int(ctx, node, f, &pos, AT(out, f->offset, int));
		break;
	case YM_BOOL:
		read_bool(ctx, node, f, &pos, AT(out, f->offset, bool));
		break;
	case YM_STRLIST:
	case YM_LIST:
		read_list(ctx, node, f, &pos, out);
		break;
	case YM_MAP:
		if (fy_node_get_type(node) != FYNT_MAPPING) {
			ym_error(ctx, &pos, "'%s' must be a mapping, not %s", f->key, node_kind_name(node));
			/* it was given, if wrongly: no second "missing" error for it */
			*AT(out, f->offset, struct mamori_srcpos) = pos;
			break;
		}
		ym_read_map(ctx, node, f->schema, AT(out, f->offset, void));
		/* a mapping with no keys still counts as given */
		if (AT(out, f->offset, struct mamori_srcpos)->file == NULL)
			*AT(out, f->offset, struct mamori_srcpos) = pos;
		break;
	}
}

static void
report_unknown_key(struct ym_ctx *ctx, const struct ym_schema *schema, const char *key,
    const struct mamori_srcpos *pos)
{
	const char *names[64];
	size_t n = schema->nfields < 64 ? schema->nfields : 64;
	const char *hint;

	for (size_t i = 0; i < n; i++)
		names[i] = schema->fields[i].key;
	hint = mamori_suggest(key, names, n);
	if (hint != NULL)
		ym_error(ctx, pos, "unknown key '%s' in %s; did you mean '%s'?", key, schema->name, hint);
	else
		ym_error(ctx, pos, "unknown key '%s' in %s (known keys: see mamori-policy(5))",
		    key, schema->name);
}

void
ym_read_map(struct ym_ctx *ctx, struct fy_node *node, const struct ym_schema *schema, void *out)
{
	struct mamori_srcpos mpos = { 0 };
	struct fy_node_pair *pair;
	void *iter = NULL;
	bool seen[64] = { false };

	mpos = node_pos(ctx, node, &mpos);
	*(struct mamori_srcpos *)out = mpos;

	while ((pair = fy_node_mapping_iterate(node, &iter)) != NULL) {
		struct fy_node *k = fy_node_pair_key(pair), *v = fy_node_pair_value(pair);
		struct mamori_srcpos kpos = node_pos(ctx, k, &mpos);
		const struct ym_field *f;
		char key[128];
		size_t len = 0;
		const char *ks = NULL;

		if (k != NULL && fy_node_get_type(k) == FYNT_SCALAR)
			ks = fy_node_get_scalar(k, &len);
		if (ks == NULL || len == 0 || len >= sizeof(key) || memchr(ks, '\0', len)) {
			ym_error(ctx, &kpos, "keys in %s must be plain names", schema->name);
			continue;
		}
		memcpy(key, ks, len);
		key[len] = '\0';
		f = ym_field(schema, key);
		if (f == NULL && (v == NULL || is_null_scalar(v)) && fy_node_get_style(node) == FYNS_FLOW) {
			/* `{ clause: 対策基準 5, 6 }` — the comma ended the value */
			ym_error(ctx, &kpos, "unknown key '%s' in %s: inside { … } a comma separates "
			    "keys; if '%s' belongs to the value before it, quote that value "
			    "(e.g. clause: \"対策基準 5, 6\")", key, schema->name, key);
			continue;
		}
		if (f == NULL) {
			report_unknown_key(ctx, schema, key, &kpos);
			continue;
		}
		size_t idx = (size_t)(f - schema->fields);
		if (idx < 64 && seen[idx]) {
			ym_error(ctx, &kpos, "duplicate key '%s' in %s", key, schema->name);
			continue;
		}
		if (idx < 64)
			seen[idx] = true;
		if (v == NULL || is_null_scalar(v)) {
			if (f->required)
				ym_error(ctx, &kpos, "'%s' in %s must have a value", key, schema->name);
			continue;
		}
		read_value(ctx, v, f, &kpos, out);
	}

	for (size_t i = 0; i < schema->nfields && i < 64; i++) {
		const struct ym_field *f = &schema->fields[i];
		char desc[256];
		if (!f->required || seen[i])
			continue;
		ym_error(ctx, &mpos, "%s: missing required key '%s'",
		    ym_describe(schema, out, desc, sizeof(desc)), f->key);
	}
}

/* ---- merge ------------------------------------------------------------ */

/* The `inherit` fields elem was restated without take the parent's values. */
static void
inherit_fields(const struct ym_schema *schema, const void *parent, void *elem)
{
	for (size_t i = 0; i < schema->nfields; i++) {
		const struct ym_field *f = &schema->fields[i];
		bool given;

		if (!f->inherit)
			continue;
		if (f->kind == YM_STRLIST || f->kind == YM_LIST)
			given = *CAT(elem, f->count_offset, size_t) > 0;
		else if (f->kind == YM_STRING || f->kind == YM_ID)
			given = *CAT(elem, f->offset, const char *) != NULL;
		else
			continue;	/* only lists and strings are inherited */
		if (given)
			continue;
		*AT(elem, f->offset, const void *) = *CAT(parent, f->offset, const void *);
		if (f->kind == YM_STRLIST || f->kind == YM_LIST)
			*AT(elem, f->count_offset, size_t) = *CAT(parent, f->count_offset, size_t);
		if (f->pos_offset)
			*AT(elem, f->pos_offset, struct mamori_srcpos) =
			    *CAT(parent, f->pos_offset, struct mamori_srcpos);
	}
}

static bool
merge_list(struct mamori_arena *arena, const struct ym_field *f,
    const void *parent, const void *child, void *out)
{
	const char *pe = *CAT(parent, f->offset, const char *);
	const char *ce = *CAT(child, f->offset, const char *);
	size_t pn = *CAT(parent, f->count_offset, size_t);
	size_t cn = *CAT(child, f->count_offset, size_t);
	size_t es, n = 0;
	char *elems;
	bool *used;

	if (cn == 0 || pn == 0 || (f->merge != YM_MERGE_BY_KEY && f->merge != YM_MERGE_DEEP)) {
		*AT(out, f->offset, const void *) = cn ? ce : pe;
		*AT(out, f->count_offset, size_t) = cn ? cn : pn;
		return true;
	}
	es = f->schema->size;
	elems = mamori_arena_alloc(arena, es * (pn + cn));
	used = mamori_arena_alloc(arena, cn);
	if (elems == NULL || used == NULL)
		return false;
	for (size_t i = 0; i < pn; i++) {
		const char *src = pe + i * es;
		for (size_t j = 0; j < cn; j++) {
			if (!used[j] && ym_same_key(f->schema, pe + i * es, ce + j * es)) {
				src = ce + j * es;
				used[j] = true;
				break;
			}
		}
		if (f->merge == YM_MERGE_DEEP && src != pe + i * es) {
			if (!ym_merge(arena, f->schema, pe + i * es, src, elems + n++ * es))
				return false;
			continue;
		}
		memcpy(elems + n * es, src, es);
		if (src != pe + i * es)
			inherit_fields(f->schema, pe + i * es, elems + n * es);
		n++;
	}
	for (size_t j = 0; j < cn; j++)
		if (!used[j])
			memcpy(elems + n++ * es, ce + j * es, es);
	*AT(out, f->offset, void *) = elems;
	*AT(out, f->count_offset, size_t) = n;
	return true;
}

bool
ym_merge(struct mamori_arena *arena, const struct ym_schema *schema,
    const void *parent, const void *child, void *out)
{
	memcpy(out, child, schema->size);
	if (((const struct mamori_srcpos *)child)->file == NULL)
		*(struct mamori_srcpos *)out = *(const struct mamori_srcpos *)parent;

	for (size_t i = 0; i < schema->nfields; i++) {
		const struct ym_field *f = &schema->fields[i];
		bool given;

		switch (f->kind) {
		case YM_STRING:
		case YM_ID:
			given = *CAT(child, f->offset, const char *) != NULL;
			break;
		case YM_INT:
			given = *CAT(child, f->offset, int) != 0;
			break;
		case YM_BOOL:
			given = *CAT(child, f->offset, bool);
			break;
		case YM_STRLIST:
		case YM_LIST:
			if (!merge_list(arena, f, parent, child, out))
				return false;
			continue;
		case YM_MAP: {
			const struct mamori_srcpos *cp = CAT(child, f->offset, struct mamori_srcpos);
			const struct mamori_srcpos *pp = CAT(parent, f->offset, struct mamori_srcpos);
			if (cp->file != NULL && pp->file != NULL && f->merge == YM_MERGE_FIELDS) {
				if (!ym_merge(arena, f->schema, CAT(parent, f->offset, void),
				    CAT(child, f->offset, void), AT(out, f->offset, void)))
					return false;
				continue;
			}
			given = cp->file != NULL;
			break;
		}
		default:
			given = true;
		}
		if (!given) {
			size_t sz = f->kind == YM_INT ? sizeof(int) : f->kind == YM_BOOL ?
			    sizeof(bool) : f->kind == YM_MAP ? f->schema->size : sizeof(char *);
			memcpy(AT(out, f->offset, char), CAT(parent, f->offset, char), sz);
			if (f->pos_offset)
				*AT(out, f->pos_offset, struct mamori_srcpos) =
				    *CAT(parent, f->pos_offset, struct mamori_srcpos);
		}
	}
	return true;
}
