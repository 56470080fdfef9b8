/* json_strict.c — JSON from clients without silent coercions (json_strict.h). */
#include "json_strict.h"
#include "utf8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A byte that valid UTF-8 never holds: it stands for an escaped NUL in the copy parsed. */
#define NUL_MARK '\xff'

struct scan {
	bool too_deep;
	size_t nuls;		/* \u0000 escapes inside strings */
};

/* Depth of brackets outside strings, and escaped NULs inside them, in one pass. */
static struct scan
scan(const char *s, size_t n, int depth_max)
{
	struct scan r = { 0 };
	int depth = 0;
	bool str = false;

	for (size_t i = 0; i < n; i++) {
		if (str) {
			if (s[i] == '\\') {
				if (i + 5 < n && memcmp(s + i + 1, "u0000", 5) == 0)
					r.nuls++;
				i++;
			} else if (s[i] == '"') {
				str = false;
			}
		} else if (s[i] == '"') {
			str = true;
		} else if (s[i] == '{' || s[i] == '[') {
			if (++depth > depth_max) {
				r.too_deep = true;
				return r;
			}
		} else if (s[i] == '}' || s[i] == ']') {
			depth--;
		}
	}
	return r;
}

/* A copy of the text with every escaped NUL in a string made NUL_MARK (malloc'd). */
static char *
mark_nuls(const char *s, size_t n, size_t *out_len)
{
	char *c = malloc(n + 1);
	size_t j = 0;
	bool str = false;

	if (c == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (str && s[i] == '\\' && i + 5 < n && memcmp(s + i + 1, "u0000", 5) == 0) {
			c[j++] = NUL_MARK;
			i += 5;
			continue;
		}
		if (str && s[i] == '\\' && i + 1 < n) {
			c[j++] = s[i++];
		} else if (s[i] == '"') {
			str = !str;
		}
		c[j++] = s[i];
	}
	c[j] = '\0';
	*out_len = j;
	return c;
}

/* path.key into out, with a marked NUL in key written as the escape it was. */
static void
key_path(char *out, size_t n, const char *path, const char *key)
{
	size_t j = (size_t)snprintf(out, n, "%s%s", path, path[0] ? "." : "");

	for (; *key && j + 7 < n; key++) {
		if (*key == NUL_MARK) {
			memcpy(out + j, "\\u0000", 6);
			j += 6;
		} else {
			out[j++] = *key;
		}
	}
	out[j < n ? j : n - 1] = '\0';
}

/* Finds a key or string holding NUL_MARK below v; writes its path into e->field. */
static bool
find_mark(const cJSON *v, const char *path, struct json_strict_error *e)
{
	char sub[sizeof(e->field)];
	size_t i = 0;

	if (cJSON_IsString(v) && strchr(v->valuestring, NUL_MARK) != NULL) {
		snprintf(e->field, sizeof(e->field), "%s", path);
		return true;
	}
	for (const cJSON *it = v->child; it != NULL; it = it->next, i++) {
		if (cJSON_IsObject(v))
			key_path(sub, sizeof(sub), path, it->string);
		else
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
		if (cJSON_IsObject(v) && strchr(it->string, NUL_MARK) != NULL) {
			snprintf(e->field, sizeof(e->field), "%s", sub);
			return true;
		}
		if (find_mark(it, sub, e))
			return true;
	}
	return false;
}

static cJSON *
refuse(struct json_strict_error *e, const char *field, const char *message)
{
	snprintf(e->field, sizeof(e->field), "%s", field);
	snprintf(e->message, sizeof(e->message), "%s", message);
	return NULL;
}

cJSON *
json_strict_parse(const char *text, size_t len, int depth_max, struct json_strict_error *e)
{
	struct scan sc;
	const char *end = NULL;
	char *copy = NULL;
	cJSON *root;

	if (!mamori_utf8_valid(text, len, NULL))
		return refuse(e, "", "not valid UTF-8");
	sc = scan(text, len, depth_max);
	if (sc.too_deep) {
		char m[64];
		snprintf(m, sizeof(m), "JSON nested deeper than %d levels", depth_max);
		return refuse(e, "", m);
	}
	if (sc.nuls > 0) {
		if ((copy = mark_nuls(text, len, &len)) == NULL)
			return refuse(e, "", "out of memory");
		text = copy;
	}
	root = cJSON_ParseWithLengthOpts(text, len, &end, false);
	if (root == NULL) {
		free(copy);
		return refuse(e, "", "not valid JSON");
	}
	/* one value and nothing after it but white space */
	while (end < text + len && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
		end++;
	if (end < text + len && *end != '\0') {
		cJSON_Delete(root);
		free(copy);
		return refuse(e, "", "text after the JSON value");
	}
	free(copy);
	if (sc.nuls > 0) {
		if (!find_mark(root, "", e))
			snprintf(e->field, sizeof(e->field), "%s", "");
		snprintf(e->message, sizeof(e->message), "%s", "a string holds U+0000 (\\u0000)");
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

bool
json_strict_int(const cJSON *v, long min, long max, long *out)
{
	double d;

	if (!cJSON_IsNumber(v))
		return false;
	d = v->valuedouble;
	/* the range first: only then is the cast defined */
	if (!isfinite(d) || d < (double)min || d > (double)max || d != (double)(long)d)
		return false;
	*out = (long)d;
	return true;
}
