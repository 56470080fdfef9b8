/*
 * policy_diff.c — what a new policy changes, element by element, for the
 * 見直し (policy review): "機密性2 gains restriction X", "role Y's access loses
 * dispose", each with the clause of the element it is in.
 *
 * Both policies are compared in their resolved JSON (mamori_policy_to_json:
 * `extends` already applied), so a change made in a parent shows in every
 * child.  Lists of elements are matched by their key — id, or level, term,
 * number, or from/to/channel for a flow — not by position: reordering the
 * roles changes nothing, renaming one is a removal and an addition.  Lists of
 * words (actions, aliases, duties) are compared as sets.
 */
#include "mamori/policy.h"

#include <cjson/cJSON.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Japanese names of the lists of elements, for the path people read. */
static const struct {
	const char *key, *title;
} list_titles[] = {
	{ "roles", "役割" }, { "departments", "課" }, { "bodies", "組織" }, { "families", "系統" },
	{ "axes", "分類" }, { "levels", "区分" }, { "restrictions", "取扱制限" },
	{ "asset_kinds", "情報資産の種別" }, { "segments", "ネットワーク" }, { "requirements", "要件" },
	{ "flows", "通信" }, { "threats", "脅威" }, { "measures", "対策" }, { "records", "記録の種類" },
	{ "fields", "項目" }, { "states", "状態" }, { "transitions", "手続" }, { "definitions", "用語" },
	{ "sections", "節" }, { "choices", "選択肢" },
};

struct diff {
	cJSON *changes;
};

/* Where a change is: the JSON path (stable, for tools) and the words (for people). */
struct where {
	char path[512];
	char words[1024];
	const char *clause;	/* of the innermost element that has one */
};

/* Formats into out, cut at n bytes: a path longer than its buffer is cut, not refused. */
static void set_text(char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
set_text(char *out, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, n, fmt, ap);
	va_end(ap);
}

static const char *
list_title(const char *key)
{
	for (size_t i = 0; i < sizeof(list_titles) / sizeof(list_titles[0]); i++)
		if (strcmp(list_titles[i].key, key) == 0)
			return list_titles[i].title;
	return NULL;
}

/* An element's key within its list, in out; false when it has none. */
static bool
element_key(const cJSON *e, char *out, size_t n)
{
	static const char *const names[] = { "id", "term", "number" };
	const cJSON *v;

	if (!cJSON_IsObject(e))
		return false;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(e, names[i]))) {
			snprintf(out, n, "%s", v->valuestring);
			return true;
		}
	if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(e, "level"))) {
		snprintf(out, n, "%d", v->valueint);
		return true;
	}
	const char *from = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "from"));
	const char *to = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "to"));
	const char *channel = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "channel"));
	if (from && to) {
		snprintf(out, n, "%s→%s%s%s", from, to, channel ? " " : "", channel ? channel : "");
		return true;
	}
	return false;
}

/* Whether every element of list a has a key (an empty list counts). */
static bool
keyed_list(const cJSON *a)
{
	const cJSON *e;
	char k[160];

	cJSON_ArrayForEach(e, a)
		if (!element_key(e, k, sizeof(k)))
			return false;
	return true;
}

static const cJSON *
find_by_key(const cJSON *list, const char *key)
{
	const cJSON *e;
	char k[160];

	cJSON_ArrayForEach(e, list)
		if (element_key(e, k, sizeof(k)) && strcmp(k, key) == 0)
			return e;
	return NULL;
}

static void
where_field(struct where *w, const struct where *parent, const char *key)
{
	*w = *parent;
	set_text(w->path, sizeof(w->path), "%s%s%s", parent->path, parent->path[0] ? "." : "", key);
	set_text(w->words, sizeof(w->words), "%s%s%s", parent->words, parent->words[0] ? " " : "", key);
}

/* Into element e (keyed key) of the list named list_key. */
static void
where_element(struct where *w, const struct where *list, const char *list_key, const char *key, const cJSON *e)
{
	const char *title = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "title"));
	const char *term = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "term"));
	const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "text"));
	const char *clause = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "clause"));
	const char *kind = list_title(list_key);
	char name[300];

	*w = *list;
	set_text(w->path, sizeof(w->path), "%s[%s]", list->path, key);
	if (title || term)
		set_text(name, sizeof(name), "%s（%s）", title ? title : term, key);
	else if (text != NULL && strcmp(list_key, "restrictions") == 0)	/* a 取扱制限 is its text */
		set_text(name, sizeof(name), "%s「%s」", key, text);
	else
		snprintf(name, sizeof(name), "%s", key);
	/* the list's own words are replaced by its Japanese name: 役割 情報セキュリティ責任者（security-officer） */
	if (kind != NULL) {
		size_t cut = strlen(list->words) >= strlen(list_key) ? strlen(list->words) - strlen(list_key) : 0;
		set_text(w->words, sizeof(w->words), "%.*s%s %s", (int)cut, list->words, kind, name);
	} else {
		set_text(w->words, sizeof(w->words), "%s %s", list->words, name);
	}
	if (clause != NULL)
		w->clause = clause;
}

static void
add_change(struct diff *d, const char *op, const struct where *w, const cJSON *before, const cJSON *after)
{
	cJSON *c = cJSON_CreateObject();

	cJSON_AddStringToObject(c, "op", op);
	cJSON_AddStringToObject(c, "path", w->path);
	cJSON_AddStringToObject(c, "where", w->words);
	if (before != NULL)
		cJSON_AddItemToObject(c, "before", cJSON_Duplicate(before, true));
	if (after != NULL)
		cJSON_AddItemToObject(c, "after", cJSON_Duplicate(after, true));
	if (w->clause != NULL)
		cJSON_AddStringToObject(c, "clause", w->clause);
	cJSON_AddItemToArray(d->changes, c);
}

static void diff_value(struct diff *d, const struct where *w, const char *key, const cJSON *a, const cJSON *b);

static void
diff_object(struct diff *d, const struct where *parent, const cJSON *a, const cJSON *b)
{
	const char *clause = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "clause"));
	struct where here = *parent, f;
	const struct where *w = &here;
	const cJSON *x;

	/* an object with its own clause (a role's access) is cited by it */
	if (clause != NULL)
		here.clause = clause;

	cJSON_ArrayForEach(x, a) {
		const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, x->string);
		where_field(&f, w, x->string);
		if (y == NULL)
			add_change(d, "removed", &f, x, NULL);
		else
			diff_value(d, &f, x->string, x, y);
	}
	cJSON_ArrayForEach(x, b)
		if (cJSON_GetObjectItemCaseSensitive(a, x->string) == NULL) {
			where_field(&f, w, x->string);
			add_change(d, "added", &f, NULL, x);
		}
}

/* Lists of elements: matched by key; each side's extra elements added or removed whole. */
static void
diff_keyed(struct diff *d, const struct where *w, const char *key, const cJSON *a, const cJSON *b)
{
	const cJSON *x;
	struct where e;
	char k[160];

	cJSON_ArrayForEach(x, a) {
		element_key(x, k, sizeof(k));
		const cJSON *y = find_by_key(b, k);
		where_element(&e, w, key, k, y ? y : x);
		if (y == NULL)
			add_change(d, "removed", &e, x, NULL);
		else
			diff_object(d, &e, x, y);
	}
	cJSON_ArrayForEach(x, b) {
		element_key(x, k, sizeof(k));
		if (find_by_key(a, k) == NULL) {
			where_element(&e, w, key, k, x);
			add_change(d, "added", &e, NULL, x);
		}
	}
}

static bool
list_holds(const cJSON *list, const cJSON *v)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, list)
		if (cJSON_Compare(e, v, true))
			return true;
	return false;
}

/* Lists of words: a set each side; what one has and the other lacks. */
static void
diff_set(struct diff *d, const struct where *w, const cJSON *a, const cJSON *b)
{
	const cJSON *x;

	cJSON_ArrayForEach(x, a)
		if (!list_holds(b, x))
			add_change(d, "removed", w, x, NULL);
	cJSON_ArrayForEach(x, b)
		if (!list_holds(a, x))
			add_change(d, "added", w, NULL, x);
}

static void
diff_value(struct diff *d, const struct where *w, const char *key, const cJSON *a, const cJSON *b)
{
	if (cJSON_Compare(a, b, true))
		return;
	if (cJSON_IsObject(a) && cJSON_IsObject(b))
		diff_object(d, w, a, b);
	else if (cJSON_IsArray(a) && cJSON_IsArray(b) && keyed_list(a) && keyed_list(b) &&
	    (cJSON_GetArraySize(a) > 0 || cJSON_GetArraySize(b) > 0) &&
	    cJSON_IsObject(cJSON_GetArrayItem(cJSON_GetArraySize(a) ? a : b, 0)))
		diff_keyed(d, w, key, a, b);
	else if (cJSON_IsArray(a) && cJSON_IsArray(b))
		diff_set(d, w, a, b);
	else
		add_change(d, "changed", w, a, b);
}

struct cJSON *
mamori_policy_diff(const struct mamori_policy *old, const struct mamori_policy *new)
{
	char *ja = mamori_policy_to_json(old, false), *jb = mamori_policy_to_json(new, false);
	cJSON *a = ja ? cJSON_Parse(ja) : NULL, *b = jb ? cJSON_Parse(jb) : NULL;
	struct diff d = { cJSON_CreateArray() };
	struct where top = { "", "", NULL };

	if (a == NULL || b == NULL || d.changes == NULL) {
		cJSON_Delete(d.changes);
		d.changes = NULL;
	} else {
		diff_object(&d, &top, a, b);
	}
	cJSON_Delete(a);
	cJSON_Delete(b);
	free(ja);
	free(jb);
	return d.changes;
}
