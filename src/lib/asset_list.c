/*
 * asset_list.c — the register's listing: a filter as SQL, keyset pages and
 * the counts of a page, in one snapshot.
 */
#include "asset_internal.h"
#include "mamori/i18n.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>

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
 * The list queries are built from the filters that are present, so that
 * SQLite's planner sees plain `department = :department` terms and uses the
 * index (a term like `(?1 IS NULL OR department = ?1)` makes it scan the whole
 * register).  Column names and operators come from fixed tables, never from
 * input; every value is bound by name.
 */
struct list_sql {
	char text[1536];
	size_t used;
};

static void
sql_add(struct list_sql *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
sql_add(struct list_sql *q, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(q->text + q->used, sizeof(q->text) - q->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		q->used += (size_t)n < sizeof(q->text) - q->used ? (size_t)n : sizeof(q->text) - q->used - 1;
}

/* The filter's terms joined by AND into terms (empty: no filter). */
static void
filter_terms(const struct mamori_asset_filter *f, struct list_sql *terms)
{
	static const char *const level_cols[3] = { "c", "i", "a" };
	static const struct { size_t off; const char *term; } named[] = {
		{ offsetof(struct mamori_asset_filter, department), "department = :department" },
		{ offsetof(struct mamori_asset_filter, segment), "segment = :segment" },
		{ offsetof(struct mamori_asset_filter, kind), "kind = :kind" },
		{ offsetof(struct mamori_asset_filter, status), "status = :status" },
		{ offsetof(struct mamori_asset_filter, text), "(name LIKE :text ESCAPE '\\' OR description "
		    "LIKE :text ESCAPE '\\' OR location LIKE :text ESCAPE '\\')" },
	};

	terms->used = 0;
	terms->text[0] = '\0';
	for (size_t k = 0; k < sizeof(named) / sizeof(named[0]); k++)
		if (*(const char *const *)((const char *)f + named[k].off) != NULL)
			sql_add(terms, "%s%s", terms->used ? " AND " : "", named[k].term);
	if (f->without_owner)
		sql_add(terms, "%s(role IS NULL OR role = '')", terms->used ? " AND " : "");
	for (int ax = 0; ax < 3; ax++)
		if (f->level_op[ax][0] != '\0')	/* checked against a fixed table by mamori_asset_filter_level */
			sql_add(terms, "%s%s %s %d", terms->used ? " AND " : "", level_cols[ax], f->level_op[ax],
			    f->level[ax]);
}

static void
bind_named(sqlite3_stmt *st, const char *name, const char *value)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (i > 0)
		sqlite3_bind_text(st, i, value, -1, SQLITE_TRANSIENT);
}

/* Binds the filter's values (those of filter_terms) and :after, :limit where the statement has them. */
static void
bind_filter(struct mamori_store *s, sqlite3_stmt *st, const struct mamori_asset_filter *f, int64_t after,
    int64_t limit)
{
	const struct mamori_department *d;
	const struct mamori_segment *g;
	const struct mamori_asset_kind *k;
	char like[512];
	int i;

	/* a name the policy does not know is searched for as given: it matches nothing */
	if (f->department)
		bind_named(st, ":department", (d = mamori_policy_find_department(s->policy, f->department)) ? d->id : f->department);
	if (f->segment)
		bind_named(st, ":segment", (g = mamori_policy_find_segment(s->policy, f->segment)) ? g->id : f->segment);
	if (f->kind)
		bind_named(st, ":kind", (k = mamori_policy_find_asset_kind(s->policy, f->kind)) ? k->id : f->kind);
	if (f->status)	/* the words import accepts: 使用中 / 廃棄済 */
		bind_named(st, ":status", asset_status_word(f->status) ? asset_status_word(f->status) : f->status);
	if (f->text) {
		size_t o = 0;
		like[o++] = '%';
		for (const char *t = f->text; *t && o + 3 < sizeof(like); t++) {
			if (*t == '%' || *t == '_' || *t == '\\')
				like[o++] = '\\';
			like[o++] = *t;
		}
		like[o++] = '%';
		like[o] = '\0';
		bind_named(st, ":text", like);
	}
	if ((i = sqlite3_bind_parameter_index(st, ":after")) > 0)
		sqlite3_bind_int64(st, i, after);
	if ((i = sqlite3_bind_parameter_index(st, ":limit")) > 0)
		sqlite3_bind_int64(st, i, limit);
}

/*
 * A column of a list row as text.  The levels are integers in the table:
 * SQLite would turn each into text in a fresh allocation, three per row, so
 * they are lent from a table of the digits instead.
 */
static char *
row_text(sqlite3_stmt *st, int k)
{
	static const char digits[10][2] = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" };

	if (k >= MAMORI_AF_CONFIDENTIALITY && k <= MAMORI_AF_AVAILABILITY &&
	    sqlite3_column_type(st, k) == SQLITE_INTEGER) {
		sqlite3_int64 v = sqlite3_column_int64(st, k);
		if (v >= 0 && v <= 9)
			return (char *)digits[v];
	}
	return (char *)sqlite3_column_text(st, k);
}

/* One integer from sql (count, max): 0 when there is no row. */
static int
query_int64(struct mamori_store *s, const char *sql, const struct mamori_asset_filter *f, int64_t *out,
    struct mamori_error *err)
{
	sqlite3_stmt *st = store_built(s, sql, err);
	int rc;

	if (st == NULL)
		return MAMORI_E_STORE;
	bind_filter(s, st, f, 0, 0);
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_error(s, err, "cannot count assets");
	store_release(s, st);
	return rc;
}

/*
 * The key of a filter's total: its SQL terms (the levels are in them) and
 * its values, each with its length.  False when it does not fit: such a
 * filter is counted every time.
 */
static bool
total_key(const struct mamori_asset_filter *f, const struct list_sql *terms, char *key, size_t size)
{
	const char *v[] = { f->department, f->segment, f->kind, f->status, f->text };
	size_t o = 0;
	int n = snprintf(key, size, "%s", terms->text);

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (n < 0 || (o += (size_t)n) >= size)
			return false;
		n = v[i] ? snprintf(key + o, size - o, "\n%zu:%s", strlen(v[i]), v[i]) : snprintf(key + o, size - o, "\n-");
	}
	return n >= 0 && o + (size_t)n < size;
}

/*
 * The total of a filter, from the totals a reader counted in a snapshot of
 * the same data_version (nothing has changed since: the same answer), else
 * counted.  Counting walks every matching entry of the index — 5 to 25 ms
 * for a department of a million-asset register — and a page of 50 costs a
 * fraction of that, so paging through one filter counts it once
 * (bench/README.md, "List pages").
 */
static int
count_matching(struct mamori_store *s, const struct mamori_asset_filter *f, const struct list_sql *terms,
    int64_t *n, struct mamori_error *err)
{
	struct list_sql q = { .used = 0 };
	bool cacheable = s->in_snapshot && !sqlite3_get_autocommit(s->db);
	char key[sizeof(s->totals[0].key)];
	int rc;

	cacheable = cacheable && total_key(f, terms, key, sizeof(key));
	for (size_t i = 0; cacheable && i < STORE_TOTALS_MAX; i++) {
		if (s->totals[i].version == s->snapshot_version && s->totals[i].policy == s->policy &&
		    strcmp(s->totals[i].key, key) == 0) {
			*n = s->totals[i].n;
			return 0;
		}
	}
	sql_add(&q, "SELECT count(*) FROM asset%s%s", terms->used ? " WHERE " : "", terms->text);
	if ((rc = query_int64(s, q.text, f, n, err)) == 0 && cacheable) {
		size_t i = s->totals_next++ % STORE_TOTALS_MAX;
		s->totals[i].version = s->snapshot_version;
		s->totals[i].policy = s->policy;
		s->totals[i].n = *n;
		memcpy(s->totals[i].key, key, sizeof(key));
	}
	return rc;
}

int
mamori_asset_count(struct mamori_store *s, const struct mamori_asset_filter *f, int64_t *n,
    struct mamori_error *err)
{
	struct list_sql terms;

	filter_terms(f, &terms);
	return count_matching(s, f, &terms, n, err);
}

int
mamori_asset_count_by(struct mamori_store *s, const struct mamori_asset_filter *f, int axis,
    int (*fn)(const char *department, int level, int64_t n, void *ctx), void *ctx, struct mamori_error *err)
{
	static const char *const level_cols[3] = { "c", "i", "a" };
	const char *level = axis >= 0 && axis < 3 ? level_cols[axis] : "0";
	struct list_sql terms, q = { .used = 0 };
	sqlite3_stmt *st;
	int rc;

	filter_terms(f, &terms);
	sql_add(&q, "SELECT department, %s, count(*) FROM asset%s%s GROUP BY 1, 2", level,
	    terms.used ? " WHERE " : "", terms.text);
	if ((st = store_built(s, q.text, err)) == NULL)
		return MAMORI_E_STORE;
	bind_filter(s, st, f, 0, 0);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 0);
		if ((rc = fn(d ? d : "", sqlite3_column_int(st, 1), sqlite3_column_int64(st, 2), ctx)) != 0)
			break;
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)
		rc = store_error(s, err, "cannot count assets");
	store_release(s, st);
	return rc;
}

/* ---- order ------------------------------------------------------------- */

/*
 * How a list can be ordered.  By id it walks the table (num is its key).  A
 * column with many values (name, updated) has an index of its own, whose
 * entries end in num: a page is a range of it from the cursor's (key, num).
 * A column whose values the policy enumerates (課, 種別, the levels) needs
 * no index: its order is the values', one after another, each read in id
 * order as a filter on that value — a few pages of the kind the register has
 * always answered fast.
 */
enum sort_how { SORT_ID, SORT_INDEXED, SORT_VALUES };

struct sort_spec {
	const char *id, *alias;
	enum sort_how how;
	int field;		/* enum mamori_asset_field: the key a cursor carries */
	const char *column, *index;
};

static const struct sort_spec sorts[] = {
	{ "id", NULL, SORT_ID, MAMORI_AF_ID, "num", NULL },
	{ "name", NULL, SORT_INDEXED, MAMORI_AF_NAME, "name", "asset_name" },
	{ "updated", NULL, SORT_INDEXED, MAMORI_AF_UPDATED, "updated", "asset_updated" },
	{ "department", NULL, SORT_VALUES, MAMORI_AF_DEPARTMENT, "department", NULL },
	{ "kind", NULL, SORT_VALUES, MAMORI_AF_KIND, "kind", NULL },
	{ "confidentiality", "c", SORT_VALUES, MAMORI_AF_CONFIDENTIALITY, "c", NULL },
	{ "integrity", "i", SORT_VALUES, MAMORI_AF_INTEGRITY, "i", NULL },
	{ "availability", "a", SORT_VALUES, MAMORI_AF_AVAILABILITY, "a", NULL },
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
	char sql[96], id[32];
	const char *colon;
	sqlite3_stmt *st;
	int rc;

	*cur = (struct cursor){ 0 };
	if (after == NULL)
		return 0;
	colon = by->how != SORT_ID ? strchr(after, ':') : NULL;
	snprintf(id, sizeof(id), "%.*s", colon ? (int)(colon - after) : (int)strlen(after), after);
	snprintf(sql, sizeof(sql), "SELECT num, %s FROM asset WHERE id = ?1", by->column);
	if ((st = store_built(s, sql, err)) == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *key = colon ? colon + 1 : (const char *)sqlite3_column_text(st, 1);
		cur->num = sqlite3_column_int64(st, 0);
		cur->has_key = by->how != SORT_ID;
		snprintf(cur->key, sizeof(cur->key), "%s", key ? key : "");
	}
	rc = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? mamori_error_set(err, MAMORI_E_NOTFOUND,
	    "no asset %s to start the page after", id) : store_error(s, err, "cannot list assets");
	store_release(s, st);
	return rc;
}

/* ---- pages -------------------------------------------------------------- */

/*
 * How a page of limit assets out of `matching` is read.  Walking the register
 * in id order reads about limit × last / matching rows before the page is
 * full (the matching assets spread over the ids); collecting the matching
 * numbers from the index first costs one entry each and is then ordered.
 * The cheaper one wins: a filter matching 143,000 of a million assets walks
 * about 700 rows, one matching 3,500 collects those.  A sort's index holds
 * the filter's columns: walking it reads index entries, not rows, and an
 * entry costs about a twentieth of the row a collected number is looked up
 * in (bench/README.md) — unless the filter has terms only rows answer (the
 * text, the owner), when walk_cost is 1.
 */
static bool
page_walks(int64_t limit, int64_t matching, int64_t last, double walk_cost)
{
	return limit > 0 && matching > 0 &&
	    (double)limit * (double)last / (double)matching * walk_cost < (double)matching;
}

/* One page being read: possibly by several queries (a sort by values reads one per value). */
struct page_run {
	int (*fn)(const struct mamori_asset *a, void *ctx);
	void *ctx;
	const struct sort_spec *by;	/* the page's order: what its cursor carries */
	bool desc;
	int64_t limit;		/* the page's size; 0: all */
	int64_t n;		/* assets handed to fn so far */
	struct mamori_asset_page *page;	/* NULL: no cursor, no more */
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

/*
 * The query of a page: filter terms, the start (a keyset term), the order.
 * by is the order of the rows of this query: by id, or a sort's index.
 */
static void
page_sql(struct list_sql *q, const struct list_sql *terms, const struct sort_spec *by, bool desc,
    bool has_key, bool walks, int64_t limit)
{
	const char *dir = desc ? "DESC" : "ASC", *cmp = desc ? "<" : ">";
	char start[96], order[96];

	if (by->how == SORT_ID) {
		snprintf(start, sizeof(start), "num %s :after", cmp);
		snprintf(order, sizeof(order), " ORDER BY num %s", dir);
	} else {
		if (has_key)
			snprintf(start, sizeof(start), "(%s, num) %s (:key, :after)", by->column, cmp);
		else
			snprintf(start, sizeof(start), "1");
		snprintf(order, sizeof(order), " ORDER BY %s %s, num %s", by->column, dir, dir);
	}
	if (terms->used == 0 && by->how == SORT_ID)
		sql_add(q, "%s WHERE %s", SELECT_ALL, start);
	else if (terms->used == 0)
		sql_add(q, "%s INDEXED BY %s WHERE %s", SELECT_ALL, by->index, start);
	else if (walks && by->how == SORT_ID)
		sql_add(q, "%s NOT INDEXED WHERE %s AND %s", SELECT_ALL, terms->text, start);
	else if (walks)
		sql_add(q, "%s INDEXED BY %s WHERE %s AND %s", SELECT_ALL, by->index, terms->text, start);
	else if (by->how == SORT_ID)
		sql_add(q, "%s WHERE num IN (SELECT num FROM asset WHERE %s AND %s)", SELECT_ALL, terms->text, start);
	else	/* the matching numbers from the filter's index, their rows by number, then ordered */
		sql_add(q, "%s NOT INDEXED WHERE num IN (SELECT num FROM asset WHERE %s) AND %s", SELECT_ALL,
		    terms->text, start);
	/* one more than the page: whether more follow */
	sql_add(q, "%s%s", order, limit > 0 ? " LIMIT :limit + 1" : "");
}

/*
 * Reads the assets of f after cur into run, in by's order (by id or by an
 * indexed column), until the page is full.
 */
static int
page_read(struct mamori_store *s, const struct mamori_asset_filter *f, const struct sort_spec *by,
    const struct cursor *cur, struct page_run *run, struct mamori_error *err)
{
	struct list_sql terms, q = { .used = 0 };
	int64_t matching = 0, last = 0, left = run->limit > 0 ? run->limit - run->n : 0;
	int64_t after = cur->num > 0 ? cur->num : run->desc ? INT64_MAX : 0;
	double walk_cost;
	sqlite3_stmt *st;
	int rc, i;

	filter_terms(f, &terms);
	/* the count chooses how a filtered page is read */
	if (run->limit > 0 && terms.used > 0 &&
	    ((rc = count_matching(s, f, &terms, &matching, err)) != 0 ||
	    (rc = query_int64(s, "SELECT coalesce(max(num), 0) FROM asset", f, &last, err)) != 0))
		return rc;
	if (terms.used > 0 && run->limit > 0 && matching == 0)
		return 0;
	walk_cost = by->how == SORT_ID || f->text || f->without_owner ? 1.0 : 1.0 / 20;
	page_sql(&q, &terms, by, run->desc, cur->has_key && cur->num > 0,
	    page_walks(left + 1, matching, last, walk_cost), run->limit);
	if ((st = store_built(s, q.text, err)) == NULL)
		return MAMORI_E_STORE;
	bind_filter(s, st, f, after, left);
	if (cur->has_key && (i = sqlite3_bind_parameter_index(st, ":key")) > 0)
		sqlite3_bind_text(st, i, cur->key, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* the row's strings are lent to fn until the next step, never copied */
		struct mamori_asset a;
		if (run->limit > 0 && run->n == run->limit) {
			if (run->page)
				run->page->more = true;
			rc = SQLITE_DONE;
			break;
		}
		for (int c = 0; c < MAMORI_AF_COUNT; c++)
			a.f[c] = row_text(st, c);
		run->n++;
		if (run->page)
			page_cursor(run, &a);
		if ((rc = run->fn(&a, run->ctx)) != 0)
			break;
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)	/* SQLite's codes are positive, fn's MAMORI_E_* negative */
		rc = store_error(s, err, "cannot list assets");
	store_release(s, st);
	return rc;
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
list_run(struct mamori_store *s, const struct mamori_asset_filter *f,
    int (*fn)(const struct mamori_asset *a, void *ctx), void *ctx, struct mamori_asset_page *page,
    struct mamori_error *err)
{
	struct page_run run = { .fn = fn, .ctx = ctx, .limit = f->limit > 0 ? (int64_t)f->limit : 0, .page = page };
	struct cursor cur;
	struct list_sql terms;
	int64_t matching = 0;
	int rc;

	if ((run.by = sort_find(f->sort, &run.desc)) == NULL)
		return mamori_error_set(err, MAMORI_E_INVALID, "'%s' is not an order of the list", f->sort);
	if ((rc = page_start(s, f->after, run.by, &cur, err)) != 0)
		return rc;
	/* the count for the page's total */
	filter_terms(f, &terms);
	if (page != NULL && (rc = count_matching(s, f, &terms, &matching, err)) != 0)
		return rc;
	if (run.by->how == SORT_VALUES)
		rc = page_by_values(s, f, &cur, &run, err);
	else
		rc = page_read(s, f, run.by, &cur, &run, err);
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
	bool own_snapshot = sqlite3_get_autocommit(s->db) && mamori_store_read_begin(s) >= 0;
	int rc;

	*page = (struct mamori_asset_page){ 0 };
	rc = list_run(s, f ? f : &none, fn, ctx, page, err);
	if (own_snapshot)
		mamori_store_read_end(s);
	return rc;
}
