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

/* The number of the asset after which a page starts (0: from the first). */
static int
page_start(struct mamori_store *s, const char *after, int64_t *num, struct mamori_error *err)
{
	static const char sql[] = "SELECT num FROM asset WHERE id = ?1";
	sqlite3_stmt *st;
	int rc;

	*num = 0;
	if (after == NULL)
		return 0;
	if ((st = store_cached(s, sql, err)) == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, after, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*num = sqlite3_column_int64(st, 0);
	rc = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? mamori_error_set(err, MAMORI_E_NOTFOUND,
	    "no asset %s to start the page after", after) : store_error(s, err, "cannot list assets");
	store_release(s, st);
	return rc;
}

/*
 * How a page of limit assets out of `matching` is read.  Walking the register
 * in id order reads about limit × last / matching rows before the page is
 * full (the matching assets spread over the ids); collecting the matching
 * numbers from the index first costs one entry each and is then ordered.
 * The cheaper one wins: a filter matching 143,000 of a million assets walks
 * about 700 rows, one matching 3,500 collects those.
 */
static bool
page_walks(int64_t limit, int64_t matching, int64_t last)
{
	return limit > 0 && matching > 0 && (double)limit * (double)last / (double)matching < (double)matching;
}

static int
list_run(struct mamori_store *s, const struct mamori_asset_filter *f,
    int (*fn)(const struct mamori_asset *a, void *ctx), void *ctx, struct mamori_asset_page *page,
    struct mamori_error *err)
{
	struct list_sql terms, q = { .used = 0 };
	int64_t after, matching = -1, last = 0, limit = f->limit > 0 ? (int64_t)f->limit : 0;
	const char *tail;
	sqlite3_stmt *st;
	size_t n = 0;
	int rc;

	filter_terms(f, &terms);
	if ((rc = page_start(s, f->after, &after, err)) != 0)
		return rc;
	/* the count for the page's total, and for choosing how a filtered page is read */
	if ((page != NULL || (limit > 0 && terms.used > 0)) &&
	    (rc = count_matching(s, f, &terms, &matching, err)) != 0)
		return rc;
	if (limit > 0 && terms.used > 0 &&
	    (rc = query_int64(s, "SELECT coalesce(max(num), 0) FROM asset", f, &last, err)) != 0)
		return rc;
	/* one more than the page: whether more follow */
	tail = limit > 0 ? " ORDER BY num LIMIT :limit + 1" : " ORDER BY num";
	if (terms.used == 0)
		sql_add(&q, "%s WHERE num > :after%s", SELECT_ALL, tail);
	else if (page_walks(limit, matching, last))
		sql_add(&q, "%s NOT INDEXED WHERE %s AND num > :after%s", SELECT_ALL, terms.text, tail);
	else
		sql_add(&q, "%s WHERE num IN (SELECT num FROM asset WHERE %s AND num > :after)%s", SELECT_ALL,
		    terms.text, tail);
	if ((st = store_built(s, q.text, err)) == NULL)
		return MAMORI_E_STORE;
	bind_filter(s, st, f, after, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* the row's strings are lent to fn until the next step, never copied */
		struct mamori_asset a;
		if (limit > 0 && (int64_t)n == limit) {
			if (page)
				page->more = true;
			rc = SQLITE_DONE;
			break;
		}
		for (int c = 0; c < MAMORI_AF_COUNT; c++)
			a.f[c] = row_text(st, c);
		n++;
		if ((rc = fn(&a, ctx)) != 0)
			break;
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)	/* SQLite's codes are positive, fn's MAMORI_E_* negative */
		rc = store_error(s, err, "cannot list assets");
	if (rc == 0 && page)
		page->total = matching;
	store_release(s, st);
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

