/*
 * asset_list.c — the register's listing: a filter as the register stores its
 * values, orders and cursors, keyset pages and the counts of a page, in one
 * snapshot.  The queries are the backend's (store_ops_asset.h).
 */
#include "asset_internal.h"
#include "store_ops_asset.h"
#include "mamori/i18n.h"

#include <stdlib.h>
#include <string.h>

/* ---- list --------------------------------------------------------------- */

bool
mamori_asset_filter_level(struct mamori_asset_filter *f, int axis, const char *expr)
{
	static const char *const ops[] = { ">=", "<=", "=", "<", ">" };
	char *end;
	long v;

	for (size_t i = 0; i < 5; i++) {
		size_t n = strlen(ops[i]);
		if (strncmp(expr, ops[i], n) == 0 || (i == 2 && expr[0] >= '0' && expr[0] <= '9')) {
			const char *num = strncmp(expr, ops[i], n) == 0 ? expr + n : expr;
			v = strtol(num, &end, 10);
			if (*end || end == num || v < 1 || v > 9)
				return false;
			snprintf(f->level_op[axis], 3, "%s", ops[i]);
			f->level[axis] = (int)v;
			return true;
		}
	}
	return false;
}

/*
 * f with what a person wrote as the register stores it (out): the policy's
 * ids of 課, 区分 and 種別, the words import accepts for the status (使用中 /
 * 廃棄済).  A name the policy does not know is searched for as given: it
 * matches nothing.  The strings are lent from f and the policy.
 */
static void
resolve_filter(const struct mamori_policy *p, const struct mamori_asset_filter *f, struct mamori_asset_filter *out)
{
	const struct mamori_department *d;
	const struct mamori_segment *g;
	const struct mamori_asset_kind *k;

	*out = *f;
	if (f->department && (d = mamori_policy_find_department(p, f->department)) != NULL)
		out->department = d->id;
	if (f->segment && (g = mamori_policy_find_segment(p, f->segment)) != NULL)
		out->segment = g->id;
	if (f->kind && (k = mamori_policy_find_asset_kind(p, f->kind)) != NULL)
		out->kind = k->id;
	if (f->status && asset_status_word(f->status) != NULL)
		out->status = asset_status_word(f->status);
}

int
mamori_asset_count(struct mamori_store *s, const struct mamori_asset_filter *f, int64_t *n,
    struct mamori_error *err)
{
	struct mamori_asset_filter g;

	resolve_filter(s->policy, f, &g);
	return s->backend->asset->count(s, &g, n, err);
}

int
mamori_asset_count_by(struct mamori_store *s, const struct mamori_asset_filter *f, int axis,
    int (*fn)(const char *department, int level, int64_t n, void *ctx), void *ctx, struct mamori_error *err)
{
	struct mamori_asset_filter g;

	resolve_filter(s->policy, f, &g);
	return s->backend->asset->count_by(s, &g, axis, fn, ctx, err);
}

/* ---- order ------------------------------------------------------------- */

/*
 * How a list can be ordered.  By id, or by a column with many values (name,
 * updated), the backend reads the page in that order from the cursor's
 * (key, number).  A column whose values the policy enumerates (課, 種別, the
 * levels) is read value after value, each in id order as a filter on that
 * value — a few pages of the kind the register has always answered fast.
 */
enum sort_how { SORT_ID, SORT_INDEXED, SORT_VALUES };

struct sort_spec {
	const char *id, *alias;
	enum sort_how how;
	int field;		/* enum mamori_asset_field: the key a cursor carries */
};

static const struct sort_spec sorts[] = {
	{ "id", NULL, SORT_ID, MAMORI_AF_ID },
	{ "name", NULL, SORT_INDEXED, MAMORI_AF_NAME },
	{ "updated", NULL, SORT_INDEXED, MAMORI_AF_UPDATED },
	{ "department", NULL, SORT_VALUES, MAMORI_AF_DEPARTMENT },
	{ "kind", NULL, SORT_VALUES, MAMORI_AF_KIND },
	{ "confidentiality", "c", SORT_VALUES, MAMORI_AF_CONFIDENTIALITY },
	{ "integrity", "i", SORT_VALUES, MAMORI_AF_INTEGRITY },
	{ "availability", "a", SORT_VALUES, MAMORI_AF_AVAILABILITY },
};

/* The order sort names ("-name": reversed); NULL when it names none. */
static const struct sort_spec *
sort_find(const char *sort, bool *desc)
{
	*desc = sort != NULL && sort[0] == '-';
	if (sort == NULL)
		return &sorts[0];
	sort += *desc;
	for (size_t i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++)
		if (strcmp(sort, sorts[i].id) == 0 || (sorts[i].alias && strcmp(sort, sorts[i].alias) == 0))
			return &sorts[i];
	return NULL;
}

bool
mamori_asset_sort_valid(const char *sort)
{
	bool desc;

	return sort_find(sort, &desc) != NULL;
}

/* Where a page starts: after the asset num (0: from the first), whose sort key is key. */
struct cursor {
	int64_t num;
	char key[MAMORI_ASSET_CURSOR_MAX];
	bool has_key;
};

/*
 * Reads the cursor after ("ID" or "ID:KEY"): the number of its asset and,
 * for a sort by a column, the key — the cursor's own (the value the asset had
 * when the page was read, so that an edit between pages skips nothing), or
 * the asset's value for a bare id.
 */
static int
page_start(struct mamori_store *s, const char *after, const struct sort_spec *by, struct cursor *cur,
    struct mamori_error *err)
{
	char id[32];
	const char *colon;
	int rc;

	*cur = (struct cursor){ 0 };
	if (after == NULL)
		return 0;
	colon = by->how != SORT_ID ? strchr(after, ':') : NULL;
	snprintf(id, sizeof(id), "%.*s", colon ? (int)(colon - after) : (int)strlen(after), after);
	rc = s->backend->asset->start(s, id, (enum mamori_asset_field)by->field, &cur->num, cur->key,
	    sizeof(cur->key), err);
	if (rc == MAMORI_E_NOTFOUND)
		return mamori_error_set(err, rc, "no asset %s to start the page after", id);
	if (rc != 0)
		return rc;
	cur->has_key = by->how != SORT_ID;
	if (colon)
		snprintf(cur->key, sizeof(cur->key), "%s", colon + 1);
	return 0;
}

/* ---- pages -------------------------------------------------------------- */

/* One page being read: possibly by several queries (a sort by values reads one per value). */
struct page_run {
	int (*fn)(const struct mamori_asset *a, void *ctx);
	void *ctx;
	const struct sort_spec *by;	/* the page's order: what its cursor carries */
	bool desc;
	int64_t limit;		/* the page's size; 0: all */
	int64_t n;		/* assets handed to fn so far */
	struct mamori_asset_page *page;	/* NULL: no cursor, no more */
	bool full;		/* page_row stopped the backend's walk: the page is full */
};

/* The cursor after the asset a, in the page's order, into run->page->next. */
static void
page_cursor(struct page_run *run, const struct mamori_asset *a)
{
	const char *id = a->f[MAMORI_AF_ID] ? a->f[MAMORI_AF_ID] : "";
	const char *key = a->f[run->by->field] ? a->f[run->by->field] : "";
	char *out = run->page->next;

	if (run->by->how == SORT_ID)
		snprintf(out, MAMORI_ASSET_CURSOR_MAX, "%s", id);
	else
		snprintf(out, MAMORI_ASSET_CURSOR_MAX, "%s:%s", id, key);
}

/* One asset of a page: to run->fn, or the one after a full page (more follow). */
static int
page_row(const struct mamori_asset *a, void *ctx)
{
	struct page_run *run = ctx;

	if (run->limit > 0 && run->n == run->limit) {
		if (run->page)
			run->page->more = true;
		run->full = true;
		return 1;	/* stops the walk; no MAMORI_E_* code */
	}
	run->n++;
	if (run->page)
		page_cursor(run, a);
	return run->fn(a, run->ctx);
}

/*
 * Reads the assets of f (resolved) after cur into run, in by's order (by id
 * or by a column), until the page is full.
 */
static int
page_read(struct mamori_store *s, const struct mamori_asset_filter *f, const struct sort_spec *by,
    const struct cursor *cur, struct page_run *run, struct mamori_error *err)
{
	struct store_asset_query q = {
		.filter = f,
		.order = (enum mamori_asset_field)by->field,
		.desc = run->desc,
		.after = cur->num,
		.key = cur->has_key ? cur->key : NULL,
		.limit = run->limit > 0 ? run->limit - run->n : -1,
	};
	int rc = s->backend->asset->page(s, &q, page_row, run, err);

	return rc == 1 && run->full ? 0 : rc;
}

/*
 * The values of an enumerated column in the policy's order (levels from the
 * lowest) into vals (at most max; levels as text in lv); returns how many.
 */
static size_t
sort_values(const struct mamori_policy *p, const struct sort_spec *by, const char **vals, size_t max,
    char lv[100][3])
{
	static const char *const axes[3] = { "confidentiality", "integrity", "availability" };
	const struct mamori_axis *axis;
	size_t n = 0;

	if (by->field == MAMORI_AF_DEPARTMENT)
		for (size_t i = 0; i < p->organisation.ndepartments && n < max; i++)
			vals[n++] = p->organisation.departments[i].id;
	else if (by->field == MAMORI_AF_KIND)
		for (size_t i = 0; i < p->nasset_kinds && n < max; i++)
			vals[n++] = p->asset_kinds[i].id;
	else if ((axis = mamori_policy_axis(p, axes[by->field - MAMORI_AF_CONFIDENTIALITY])) != NULL)
		for (int l = 0; l < 100 && n < max; l++)
			if (mamori_policy_level(axis, l) != NULL) {
				snprintf(lv[l], 3, "%d", l);
				vals[n++] = lv[l];
			}
	return n;
}

/*
 * Narrows g (a copy of the list's filter) to the value v of by's column;
 * false when the list's own filter on that column leaves v out.
 */
static bool
value_filter(const struct mamori_policy *p, struct mamori_asset_filter *g, const struct sort_spec *by,
    const char *v)
{
	const struct mamori_department *d;
	const struct mamori_asset_kind *k;
	int ax = by->field - MAMORI_AF_CONFIDENTIALITY, l = (int)asset_to_int(v);

	switch (by->field) {
	case MAMORI_AF_DEPARTMENT:
		if (g->department && ((d = mamori_policy_find_department(p, g->department)) == NULL || strcmp(d->id, v)))
			return false;
		g->department = v;
		return true;
	case MAMORI_AF_KIND:
		if (g->kind && ((k = mamori_policy_find_asset_kind(p, g->kind)) == NULL || strcmp(k->id, v)))
			return false;
		g->kind = v;
		return true;
	default:
		if (g->level_op[ax][0] != '\0') {
			const char *op = g->level_op[ax];
			int want = g->level[ax];
			if (!(strcmp(op, "=") == 0 ? l == want : strcmp(op, "<") == 0 ? l < want :
			    strcmp(op, "<=") == 0 ? l <= want : strcmp(op, ">") == 0 ? l > want : l >= want))
				return false;
		}
		snprintf(g->level_op[ax], sizeof(g->level_op[ax]), "=");
		g->level[ax] = l;
		return true;
	}
}

/* Reads a page sorted by an enumerated column: value after value, each in id order. */
static int
page_by_values(struct mamori_store *s, const struct mamori_asset_filter *f, const struct cursor *cur,
    struct page_run *run, struct mamori_error *err)
{
	const struct sort_spec *by_id = &sorts[0];
	const char *vals[256];
	char lv[100][3];
	size_t n = sort_values(s->policy, run->by, vals, 256, lv), start = 0;
	int rc = 0;

	if (cur->has_key) {
		for (start = 0; start < n && strcmp(vals[start], cur->key) != 0; start++)
			;
		if (start == n)
			return mamori_error_set(err, MAMORI_E_NOTFOUND, "no %s '%s' to start the page after",
			    run->by->id, cur->key);
		if (run->desc)
			start = n - 1 - start;
	}
	for (size_t j = start; j < n && rc == 0; j++) {
		const char *v = vals[run->desc ? n - 1 - j : j];
		struct mamori_asset_filter g = *f;
		struct cursor from = { 0 };
		if (!value_filter(s->policy, &g, run->by, v))
			continue;
		if (cur->has_key && strcmp(v, cur->key) == 0)
			from.num = cur->num;
		rc = page_read(s, &g, by_id, &from, run, err);
		if (run->page && run->page->more)
			break;
	}
	return rc;
}

static int
list_run(struct mamori_store *s, const struct mamori_asset_filter *given,
    int (*fn)(const struct mamori_asset *a, void *ctx), void *ctx, struct mamori_asset_page *page,
    struct mamori_error *err)
{
	struct page_run run = { .fn = fn, .ctx = ctx, .limit = given->limit > 0 ? (int64_t)given->limit : 0,
		.page = page };
	struct mamori_asset_filter f;
	struct cursor cur;
	int64_t matching = 0;
	int rc;

	if ((run.by = sort_find(given->sort, &run.desc)) == NULL)
		return mamori_error_set(err, MAMORI_E_INVALID, "'%s' is not an order of the list", given->sort);
	if ((rc = page_start(s, given->after, run.by, &cur, err)) != 0)
		return rc;
	resolve_filter(s->policy, given, &f);
	/* the count for the page's total */
	if (page != NULL && (rc = s->backend->asset->count(s, &f, &matching, err)) != 0)
		return rc;
	if (run.by->how == SORT_VALUES)
		rc = page_by_values(s, &f, &cur, &run, err);
	else
		rc = page_read(s, &f, run.by, &cur, &run, err);
	if (rc == 0 && page)
		page->total = matching;
	return rc;
}

int
mamori_asset_list(struct mamori_store *s, const struct mamori_asset_filter *f,
    int (*fn)(const struct mamori_asset *a, void *ctx), void *ctx, struct mamori_error *err)
{
	const struct mamori_asset_filter none = { 0 };

	return list_run(s, f ? f : &none, fn, ctx, NULL, err);
}

int
mamori_asset_page(struct mamori_store *s, const struct mamori_asset_filter *f,
    int (*fn)(const struct mamori_asset *a, void *ctx), void *ctx, struct mamori_asset_page *page,
    struct mamori_error *err)
{
	const struct mamori_asset_filter none = { 0 };
	/* the total and the page from one snapshot, so that a page never holds
	 * more than its total says (the server's requests are in one already) */
	bool own_snapshot = !s->backend->asset->in_transaction(s) && mamori_store_read_begin(s) >= 0;
	int rc;

	*page = (struct mamori_asset_page){ 0 };
	rc = list_run(s, f ? f : &none, fn, ctx, page, err);
	if (own_snapshot)
		mamori_store_read_end(s);
	return rc;
}
