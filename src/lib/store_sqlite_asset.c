/*
 * store_sqlite_asset.c — the register in SQLite: the table asset and its
 * indexes (their schema is store.c's migrations), behind store_asset_ops
 * (store_ops_asset.h).  Every statement about the register is here: a filter
 * as SQL, keyset pages and the plan of each, the totals kept per snapshot,
 * the rows of an add, an edit and an import, and the bulk import's indexes.
 */
#include "asset_internal.h"
#include "store_ops_asset.h"
#include "store_sqlite.h"
#include "store_sqltext.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The columns in enum mamori_asset_field order. */
#define SELECT_ALL "SELECT id, name, kind, description, department, role, segment, location, " \
	"c, i, a, retention, status, created, updated, disposed_date, disposed_method, disposed_by, " \
	"disposed_witness FROM asset"

/* The columns in enum mamori_asset_field order, then the number. */
#define INSERT_SQL "INSERT INTO asset (id, name, kind, description, department, role, segment, " \
	"location, c, i, a, retention, status, created, updated, disposed_date, disposed_method, " \
	"disposed_by, disposed_witness, num) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, " \
	"?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)"

/* Each field's column, in enum mamori_asset_field order. */
static const char *const columns[MAMORI_AF_COUNT] = {
	"id", "name", "kind", "description", "department", "role", "segment", "location", "c", "i", "a",
	"retention", "status", "created", "updated", "disposed_date", "disposed_method", "disposed_by",
	"disposed_witness",
};

/* ---- rows ------------------------------------------------------------- */

/* Reads a row of SELECT_ALL into a (copies). */
static void
asset_from_row(sqlite3_stmt *st, struct mamori_asset *a)
{
	for (int k = 0; k < MAMORI_AF_COUNT; k++) {
		const char *v = (const char *)sqlite3_column_text(st, k);
		mamori_asset_set(a, (enum mamori_asset_field)k, v);
	}
}

/* Binds the fields as ?1 … ?19; the strings are lent to the statement until its next reset. */
static void
bind_fields(sqlite3_stmt *st, const char *const *f)
{
	for (int k = 0; k < MAMORI_AF_COUNT; k++) {
		const char *v = f[k];
		if (k >= MAMORI_AF_CONFIDENTIALITY && k <= MAMORI_AF_AVAILABILITY)
			sqlite3_bind_int(st, k + 1, v ? (int)asset_to_int(v) : 1);
		else if (v == NULL && (k == MAMORI_AF_ROLE || k == MAMORI_AF_SEGMENT || k >= MAMORI_AF_DISPOSED_DATE))
			sqlite3_bind_null(st, k + 1);
		else
			sqlite3_bind_text(st, k + 1, v ? v : "", -1, SQLITE_STATIC);
	}
}

static int
sqlite_get(struct mamori_store *s, const char *id, struct mamori_asset *out, struct mamori_error *err)
{
	static const char sql[] = SELECT_ALL " WHERE id = ?1";
	sqlite3_stmt *st = store_cached(s, sql, err);
	int rc = 0, step;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((step = sqlite3_step(st)) == SQLITE_ROW)
		asset_from_row(st, out);
	else
		rc = step == SQLITE_DONE ? MAMORI_E_NOTFOUND : store_error(s, err, "cannot read the asset");
	store_release(s, st);
	return rc;
}

/* One integer of a statement without parameters (0 when there is no row). */
static int
one_int64(struct mamori_store *s, const char *sql, int64_t *out, struct mamori_error *err, const char *what)
{
	sqlite3_stmt *st = store_prepare(s, sql, err);
	int step;

	*out = 0;
	if (st == NULL)
		return MAMORI_E_STORE;
	if ((step = sqlite3_step(st)) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return step == SQLITE_ROW || step == SQLITE_DONE ? 0 : store_error(s, err, what);
}

static int
sqlite_max_num(struct mamori_store *s, int64_t *max, struct mamori_error *err)
{
	return one_int64(s, "SELECT coalesce(max(num), 0) FROM asset", max, err, "cannot number the asset");
}

static int
sqlite_total(struct mamori_store *s, int64_t *n, struct mamori_error *err)
{
	return one_int64(s, "SELECT count(*) FROM asset", n, err, "cannot count assets");
}

struct store_asset_insert {
	struct mamori_store *s;
	sqlite3_stmt *st;
};

static int
sqlite_insert_open(struct mamori_store_tx *tx, struct store_asset_insert **out, struct mamori_error *err)
{
	struct store_asset_insert *ins = calloc(1, sizeof(*ins));

	*out = NULL;
	if (ins == NULL)
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	ins->s = tx->store;
	if ((ins->st = store_prepare(tx->store, INSERT_SQL, err)) == NULL) {
		free(ins);
		return MAMORI_E_STORE;
	}
	*out = ins;
	return 0;
}

static int
sqlite_insert(struct store_asset_insert *ins, const char *const f[MAMORI_AF_COUNT], int64_t num,
    struct mamori_error *err)
{
	int rc;

	sqlite3_reset(ins->st);
	bind_fields(ins->st, f);
	sqlite3_bind_int64(ins->st, MAMORI_AF_COUNT + 1, num);
	rc = sqlite3_step(ins->st);
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc == SQLITE_CONSTRAINT)
		rc = MAMORI_E_CONFLICT;
	else
		rc = store_error(ins->s, err, "cannot insert the asset");
	sqlite3_reset(ins->st);	/* the bound strings are not kept past this call */
	return rc;
}

static void
sqlite_insert_close(struct store_asset_insert **ins)
{
	if (*ins == NULL)
		return;
	sqlite3_finalize((*ins)->st);
	free(*ins);
	*ins = NULL;
}

static int
sqlite_update(struct mamori_store_tx *tx, const char *const f[MAMORI_AF_COUNT], struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(tx->store, "UPDATE asset SET id = ?1, name = ?2, kind = ?3, "
	    "description = ?4, department = ?5, role = ?6, segment = ?7, location = ?8, c = ?9, i = ?10, "
	    "a = ?11, retention = ?12, status = ?13, created = ?14, updated = ?15, disposed_date = ?16, "
	    "disposed_method = ?17, disposed_by = ?18, disposed_witness = ?19 WHERE id = ?1", err);
	int rc;

	if (st == NULL)
		return MAMORI_E_STORE;
	bind_fields(st, f);
	rc = sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(tx->store->db) == 1 ? 0 : MAMORI_E_STORE;
	if (rc != 0)
		store_error(tx->store, err, "cannot update the asset");
	sqlite3_finalize(st);
	return rc;
}

/* ---- a filter as SQL -------------------------------------------------- */

/*
 * The list queries are built from the filters that are present, so that
 * SQLite's planner sees plain `department = :department` terms and uses the
 * index (a term like `(?1 IS NULL OR department = ?1)` makes it scan the whole
 * register).  Column names and operators come from fixed tables, never from
 * input; every value is bound by name.  The text is built with store_sqltext.h.
 */

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
	const char *op;

	terms->used = 0;
	terms->text[0] = '\0';
	for (size_t k = 0; k < sizeof(named) / sizeof(named[0]); k++)
		if (*(const char *const *)((const char *)f + named[k].off) != NULL)
			sql_add(terms, "%s%s", terms->used ? " AND " : "", named[k].term);
	if (f->without_owner)
		sql_add(terms, "%s(role IS NULL OR role = '')", terms->used ? " AND " : "");
	for (int ax = 0; ax < 3; ax++)
		if (f->level_op[ax][0] != '\0' && (op = level_op(f->level_op[ax])) != NULL)
			sql_add(terms, "%s%s %s %d", terms->used ? " AND " : "", level_cols[ax], op, f->level[ax]);
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
bind_filter(sqlite3_stmt *st, const struct mamori_asset_filter *f, int64_t after, int64_t limit)
{
	char like[512];
	int i;

	if (f->department)
		bind_named(st, ":department", f->department);
	if (f->segment)
		bind_named(st, ":segment", f->segment);
	if (f->kind)
		bind_named(st, ":kind", f->kind);
	if (f->status)
		bind_named(st, ":status", f->status);
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
	bind_filter(st, f, 0, 0);
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_error(s, err, "cannot count assets");
	store_release(s, st);
	return rc;
}

/* ---- counts ----------------------------------------------------------- */

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
 * (bench/README.md, "List pages").  The policy is part of the key: the
 * caller resolved the filter's names through it.
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

static int
sqlite_count(struct mamori_store *s, const struct mamori_asset_filter *f, int64_t *n, struct mamori_error *err)
{
	struct list_sql terms;

	filter_terms(f, &terms);
	return count_matching(s, f, &terms, n, err);
}

static int
sqlite_count_by(struct mamori_store *s, const struct mamori_asset_filter *f, int axis,
    int (*fn)(const char *department, int level, int64_t n, void *ctx), void *ctx, struct mamori_error *err)
{
	static const char *const level_cols[3] = { "c", "i", "a" };
	const char *level = axis >= 0 && axis < 3 ? level_cols[axis] : "0";
	struct list_sql terms, q = { .used = 0 };
	sqlite3_stmt *st;
	int rc = 0, step = SQLITE_DONE;

	filter_terms(f, &terms);
	sql_add(&q, "SELECT department, %s, count(*) FROM asset%s%s GROUP BY 1, 2", level,
	    terms.used ? " WHERE " : "", terms.text);
	if ((st = store_built(s, q.text, err)) == NULL)
		return MAMORI_E_STORE;
	bind_filter(st, f, 0, 0);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 0);
		rc = fn(d ? d : "", sqlite3_column_int(st, 1), sqlite3_column_int64(st, 2), ctx);
	}
	rc = store_walk_end(s, rc, step, err, "cannot count assets");
	store_release(s, st);
	return rc;
}

/* ---- pages ------------------------------------------------------------ */

/*
 * The orders a page can be read in.  By id it walks the table (num is its
 * key).  A column with many values (name, updated) has an index of its own,
 * whose entries end in num: a page is a range of it from the cursor's (key,
 * num).  (A sort by a column the policy enumerates is read by asset_list.c
 * as one filter per value, each in id order.)
 */
static const struct {
	enum mamori_asset_field field;
	const char *column, *index;
} orders[] = {
	{ MAMORI_AF_ID, "num", NULL },
	{ MAMORI_AF_NAME, "name", "asset_name" },
	{ MAMORI_AF_UPDATED, "updated", "asset_updated" },
};

static int
sqlite_start(struct mamori_store *s, const char *id, enum mamori_asset_field field, int64_t *num, char *key,
    size_t size, struct mamori_error *err)
{
	const char *column = field == MAMORI_AF_ID || field >= MAMORI_AF_COUNT ? "num" : columns[field];
	char sql[96];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT num, %s FROM asset WHERE id = ?1", column);
	if ((st = store_built(s, sql, err)) == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 1);
		*num = sqlite3_column_int64(st, 0);
		if (field != MAMORI_AF_ID && size > 0)
			snprintf(key, size, "%s", v ? v : "");
	}
	rc = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? MAMORI_E_NOTFOUND : store_error(s, err, "cannot list assets");
	store_release(s, st);
	return rc;
}

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

/*
 * The query of a page: filter terms, the start (a keyset term), the order.
 * by_id: in number order; otherwise by column through its index.
 */
static void
page_sql(struct list_sql *q, const struct list_sql *terms, const char *column, const char *index, bool desc,
    bool has_key, bool walks, bool paged)
{
	const char *dir = desc ? "DESC" : "ASC", *cmp = desc ? "<" : ">";
	bool by_id = index == NULL;
	char start[96], order[96];

	if (by_id) {
		snprintf(start, sizeof(start), "num %s :after", cmp);
		snprintf(order, sizeof(order), " ORDER BY num %s", dir);
	} else {
		if (has_key)
			snprintf(start, sizeof(start), "(%s, num) %s (:key, :after)", column, cmp);
		else
			snprintf(start, sizeof(start), "1");
		snprintf(order, sizeof(order), " ORDER BY %s %s, num %s", column, dir, dir);
	}
	if (terms->used == 0 && by_id)
		sql_add(q, "%s WHERE %s", SELECT_ALL, start);
	else if (terms->used == 0)
		sql_add(q, "%s INDEXED BY %s WHERE %s", SELECT_ALL, index, start);
	else if (walks && by_id)
		sql_add(q, "%s NOT INDEXED WHERE %s AND %s", SELECT_ALL, terms->text, start);
	else if (walks)
		sql_add(q, "%s INDEXED BY %s WHERE %s AND %s", SELECT_ALL, index, terms->text, start);
	else if (by_id)
		sql_add(q, "%s WHERE num IN (SELECT num FROM asset WHERE %s AND %s)", SELECT_ALL, terms->text, start);
	else	/* the matching numbers from the filter's index, their rows by number, then ordered */
		sql_add(q, "%s NOT INDEXED WHERE num IN (SELECT num FROM asset WHERE %s) AND %s", SELECT_ALL,
		    terms->text, start);
	/* one more than the page: whether more follow */
	sql_add(q, "%s%s", order, paged ? " LIMIT :limit + 1" : "");
}

static int
sqlite_page(struct mamori_store *s, const struct store_asset_query *qy,
    int (*fn)(const struct mamori_asset *a, void *ctx), void *ctx, struct mamori_error *err)
{
	const struct mamori_asset_filter *f = qy->filter;
	struct list_sql terms, q = { .used = 0 };
	int64_t matching = 0, last = 0;
	int64_t after = qy->after > 0 ? qy->after : qy->desc ? INT64_MAX : 0;
	bool has_key = qy->key != NULL && qy->after > 0, paged = qy->limit >= 0;
	size_t o = 0;
	double walk_cost;
	sqlite3_stmt *st;
	int rc = 0, step = SQLITE_DONE, i;

	while (o + 1 < sizeof(orders) / sizeof(orders[0]) && orders[o].field != qy->order)
		o++;
	if (orders[o].field != qy->order)
		return mamori_error_set(err, MAMORI_E_USAGE, "%s", mamori_strerror(MAMORI_E_USAGE));	/* the caller's mistake */
	filter_terms(f, &terms);
	/* the count chooses how a filtered page is read */
	if (paged && terms.used > 0 &&
	    ((rc = count_matching(s, f, &terms, &matching, err)) != 0 ||
	    (rc = query_int64(s, "SELECT coalesce(max(num), 0) FROM asset", f, &last, err)) != 0))
		return rc;
	if (paged && terms.used > 0 && matching == 0)
		return 0;
	walk_cost = qy->order == MAMORI_AF_ID || f->text || f->without_owner ? 1.0 : 1.0 / 20;
	page_sql(&q, &terms, orders[o].column, orders[o].index, qy->desc, has_key,
	    page_walks(paged ? qy->limit + 1 : 0, matching, last, walk_cost), paged);
	if ((st = store_built(s, q.text, err)) == NULL)
		return MAMORI_E_STORE;
	bind_filter(st, f, after, paged ? qy->limit : 0);
	if (has_key && (i = sqlite3_bind_parameter_index(st, ":key")) > 0)
		sqlite3_bind_text(st, i, qy->key, -1, SQLITE_TRANSIENT);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		/* the row's strings are lent to fn until the next step, never copied */
		struct mamori_asset a;
		for (int c = 0; c < MAMORI_AF_COUNT; c++)
			a.f[c] = row_text(st, c);
		rc = fn(&a, ctx);
	}
	rc = store_walk_end(s, rc, step, err, "cannot list assets");
	store_release(s, st);
	return rc;
}

static bool
sqlite_in_transaction(struct mamori_store *s)
{
	return !sqlite3_get_autocommit(s->db);
}

/* ---- the import ------------------------------------------------------- */

struct store_asset_taken {
	struct mamori_store *s;
	sqlite3_stmt *st;
};

static int
sqlite_taken_open(struct mamori_store *s, struct store_asset_taken **out, struct mamori_error *err)
{
	struct store_asset_taken *t = calloc(1, sizeof(*t));

	*out = NULL;
	if (t == NULL)
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	t->s = s;
	if ((t->st = store_prepare(s, "SELECT 1 FROM asset WHERE num = ?1", err)) == NULL) {
		free(t);
		return MAMORI_E_STORE;
	}
	*out = t;
	return 0;
}

static int
sqlite_taken(struct store_asset_taken *t, int64_t num, bool *taken, struct mamori_error *err)
{
	int step;

	sqlite3_reset(t->st);
	sqlite3_bind_int64(t->st, 1, num);
	step = sqlite3_step(t->st);
	*taken = step == SQLITE_ROW;
	return step == SQLITE_ROW || step == SQLITE_DONE ? 0 : store_error(t->s, err, "cannot check the ids");
}

static void
sqlite_taken_close(struct store_asset_taken **t)
{
	if (*t == NULL)
		return;
	sqlite3_finalize((*t)->st);
	free(*t);
	*t = NULL;
}

/* The value of an integer pragma (e.g. cache_size). */
static int64_t
config_pragma(struct mamori_store *s, const char *name)
{
	struct mamori_error err;
	char sql[64];
	sqlite3_stmt *st;
	int64_t v = 0;

	snprintf(sql, sizeof(sql), "PRAGMA %s", name);
	if ((st = store_prepare(s, sql, &err)) != NULL && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/*
 * The rows and events of a bulk import are appended in key order, so a page
 * is written once and not read again: a cache of 64 MiB is enough, and every
 * page more is a page the kernel must fault in and clear (a 1 GiB cache cost
 * 3 s more of system time per million rows).  No memory map either:
 * building the index reads the table once, and faulting 750 MB of mapped
 * file in costs more than reading it.
 */
static int
sqlite_bulk_session(struct mamori_store *s, int (*fn)(void *ctx), void *ctx)
{
	int64_t cache = config_pragma(s, "cache_size"), map = config_pragma(s, "mmap_size");
	char restore[96];
	int rc;

	store_exec(s, "PRAGMA cache_size = -65536; PRAGMA mmap_size = 0", NULL);
	rc = fn(ctx);
	snprintf(restore, sizeof(restore), "PRAGMA cache_size = %lld; PRAGMA mmap_size = %lld",
	    (long long)cache, (long long)map);
	store_exec(s, restore, NULL);
	return rc;
}

/*
 * The register's secondary index, exactly as the current schema makes it
 * (store.c, migrations 2 → 3 → 4, 8 → 9).  A bulk import into a register smaller than
 * the file drops it, inserts, and builds it again in the same transaction:
 * building an index once from all its keys is cheaper than keeping it up to
 * date row by row.  test_asset checks that a bulk import leaves the same
 * indexes as a new store has.
 */
static const char *const asset_indexes[][2] = {
	{ "asset_department", "CREATE INDEX asset_department ON asset (department, segment, c, i, a, kind, status)" },
	{ "asset_name", "CREATE INDEX asset_name ON asset (name, department, segment, c, i, a, kind, status)" },
	{ "asset_updated", "CREATE INDEX asset_updated ON asset (updated, department, segment, c, i, a, kind, status)" },
	{ "asset_without_owner", "CREATE INDEX asset_without_owner ON asset (department, status) WHERE role IS NULL OR role = ''" },
};
#define NASSET_INDEXES (sizeof(asset_indexes) / sizeof(asset_indexes[0]))

static int
sqlite_bulk_begin(struct mamori_store_tx *tx, struct mamori_error *err)
{
	char sql[160];
	int rc = 0;

	for (size_t i = 0; i < NASSET_INDEXES && rc == 0; i++) {
		snprintf(sql, sizeof(sql), "DROP INDEX %s", asset_indexes[i][0]);
		rc = store_exec(tx->store, sql, err);
	}
	return rc;
}

static int
sqlite_bulk_end(struct mamori_store_tx *tx, struct mamori_error *err)
{
	int rc;

	/* SQLite sorts the keys in runs the size of the page cache and hands
	 * the runs to helper threads; with a cache of 4 MiB and one helper per
	 * core the build of a million keys takes half the time it takes in one
	 * run on one thread (bench/README.md) */
	if ((rc = store_exec(tx->store, "PRAGMA cache_size = -4096; PRAGMA threads = 2", err)) != 0)
		return rc;
	for (size_t i = 0; i < NASSET_INDEXES && rc == 0; i++)
		rc = store_exec(tx->store, asset_indexes[i][1], err);
	store_exec(tx->store, "PRAGMA threads = 0", NULL);
	/* exact statistics (a sample misjudges how many rows share a department,
	 * and the planner then scans instead of skipping): with them a filter
	 * without the department skips through the index (0.3 s per million) */
	if (rc == 0)
		rc = store_exec(tx->store, "PRAGMA analysis_limit = 0; ANALYZE asset", err);
	return rc;
}

const struct store_asset_ops store_sqlite_asset_ops = {
	.get = sqlite_get,
	.max_num = sqlite_max_num,
	.total = sqlite_total,
	.insert_open = sqlite_insert_open,
	.insert = sqlite_insert,
	.insert_close = sqlite_insert_close,
	.update = sqlite_update,
	.count = sqlite_count,
	.count_by = sqlite_count_by,
	.start = sqlite_start,
	.page = sqlite_page,
	.in_transaction = sqlite_in_transaction,
	.taken_open = sqlite_taken_open,
	.taken = sqlite_taken,
	.taken_close = sqlite_taken_close,
	.bulk_session = sqlite_bulk_session,
	.bulk_begin = sqlite_bulk_begin,
	.bulk_end = sqlite_bulk_end,
};
