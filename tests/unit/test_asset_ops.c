/*
 * test_asset_ops.c — the register's storage operations (store_ops_asset.h)
 * of the store's backend, SQLite's or PostgreSQL's (the same tests run on
 * both), called directly: rows inserted, read, counted and paged in each
 * order, numbers looked up, and a bulk insert between bulk_begin and
 * bulk_end after which the register answers as before.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "mamori/asset.h"
#include "mamori/store.h"
#include "store_internal.h"
#include "store_ops_asset.h"
#include "store_pg.h"		/* each backend's connection: its settings for a bulk write */
#include "store_sqlite.h"

#define POLICY SRCDIR "/tests/store/policy.yaml"

/* The rows every test starts from: number, name, department, segment, c, role, updated. */
static const struct {
	int64_t num;
	const char *name, *dep, *seg, *c, *role, *updated;
} rows[] = {
	{ 1, "住民台帳", "soumu", "lgwan", "1", "ciso", "2026-12-01T00:00:03Z" },
	{ 2, "課税台帳", "zeimu", "lgwan", "3", NULL, "2026-12-01T00:00:01Z" },
	{ 3, "あ名簿", "zeimu", "internet", "2", NULL, "2026-12-01T00:00:05Z" },
	{ 4, "納税記録", "zeimu", "lgwan", "3", "ciso", "2026-12-01T00:00:02Z" },
	{ 7, "い文書", "soumu", NULL, "2", NULL, "2026-12-01T00:00:04Z" },
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

/* The fields of row r (id into id). */
static void
row_fields(size_t r, const char *f[MAMORI_AF_COUNT], char id[24])
{
	memset(f, 0, sizeof(const char *) * MAMORI_AF_COUNT);
	snprintf(id, 24, "A-%06lld", (long long)rows[r].num);
	f[MAMORI_AF_ID] = id;
	f[MAMORI_AF_NAME] = rows[r].name;
	f[MAMORI_AF_KIND] = r % 2 ? "media" : "information";
	f[MAMORI_AF_DESCRIPTION] = "";
	f[MAMORI_AF_DEPARTMENT] = rows[r].dep;
	f[MAMORI_AF_ROLE] = rows[r].role;
	f[MAMORI_AF_SEGMENT] = rows[r].seg;
	f[MAMORI_AF_LOCATION] = "書庫";
	f[MAMORI_AF_CONFIDENTIALITY] = rows[r].c;
	f[MAMORI_AF_INTEGRITY] = "1";
	f[MAMORI_AF_AVAILABILITY] = "1";
	f[MAMORI_AF_RETENTION] = "";
	f[MAMORI_AF_STATUS] = "active";
	f[MAMORI_AF_CREATED] = "2026-12-01T00:00:00Z";
	f[MAMORI_AF_UPDATED] = rows[r].updated;
}

struct insert_arg {
	size_t from, to;	/* rows[from .. to) */
	bool bulk;		/* between bulk_begin and bulk_end */
	int conflict;		/* what inserting rows[0] again returned */
};

static int
insert_rows(struct mamori_store_tx *tx, void *arg)
{
	const struct store_asset_ops *ops = tx->store->backend->asset;
	struct insert_arg *x = arg;
	struct store_asset_insert *ins = NULL;
	struct mamori_error err = { 0 };
	const char *f[MAMORI_AF_COUNT];
	char id[24];
	int rc;

	if (x->bulk)
		assert_int_equal(ops->bulk_begin(tx, &err), 0);
	assert_int_equal(ops->insert_open(tx, &ins, &err), 0);
	for (size_t r = x->from; r < x->to; r++) {
		row_fields(r, f, id);
		assert_int_equal(ops->insert(ins, f, rows[r].num, &err), 0);
	}
	row_fields(0, f, id);
	x->conflict = ops->insert(ins, f, rows[0].num, &err);
	ops->insert_close(&ins);
	assert_null(ins);
	ops->insert_close(&ins);	/* NULL is accepted */
	rc = x->bulk ? ops->bulk_end(tx, &err) : 0;
	/* the store commits no change without its event */
	return rc == 0 ? store_tx_event_body(tx, "test.insert", "asset", "-", "{}") : rc;
}

/* A store holding rows, inserted through the ops. */
static struct mamori_store *
store_with_rows(const char *name)
{
	struct mamori_store *s = fixture_store(name, POLICY);
	struct mamori_error err = { 0 };
	struct insert_arg x = { 0, NROWS, false, 0 };

	assert_int_equal(mamori_store_write(s, "test:unit", insert_rows, &x, &err), 0);
	assert_int_equal(x.conflict, MAMORI_E_CONFLICT);
	return s;
}

/* ---- single assets ---- */

struct update_arg {
	const char *const *f;
	int rc;
};

static int
update_row(struct mamori_store_tx *tx, void *arg)
{
	struct update_arg *x = arg;
	struct mamori_error err = { 0 };

	x->rc = tx->store->backend->asset->update(tx, x->f, &err);
	return store_tx_event_body(tx, "test.update", "asset", x->f[MAMORI_AF_ID], "{}");
}

static void
test_single(void **state)
{
	struct mamori_store *s = store_with_rows("single.db");
	const struct store_asset_ops *ops = s->backend->asset;
	struct mamori_error err = { 0 };
	struct mamori_asset a = { 0 };
	struct update_arg u;
	const char *f[MAMORI_AF_COUNT];
	int64_t n = -1;
	char id[24];

	(void)state;
	assert_int_equal(ops->get(s, "A-000002", &a, &err), 0);
	assert_string_equal(a.f[MAMORI_AF_NAME], "課税台帳");
	assert_string_equal(a.f[MAMORI_AF_DEPARTMENT], "zeimu");
	assert_string_equal(a.f[MAMORI_AF_CONFIDENTIALITY], "3");
	assert_string_equal(a.f[MAMORI_AF_UPDATED], "2026-12-01T00:00:01Z");
	assert_true(a.f[MAMORI_AF_ROLE] == NULL || a.f[MAMORI_AF_ROLE][0] == '\0');
	mamori_asset_clear(&a);
	assert_int_equal(ops->get(s, "A-000005", &a, &err), MAMORI_E_NOTFOUND);

	assert_int_equal(ops->max_num(s, &n, &err), 0);
	assert_int_equal(n, 7);		/* the largest number, not the count */
	assert_int_equal(ops->total(s, &n, &err), 0);
	assert_int_equal(n, NROWS);

	row_fields(3, f, id);
	f[MAMORI_AF_NAME] = "納税記録（改）";
	f[MAMORI_AF_CONFIDENTIALITY] = "1";
	u = (struct update_arg){ f, -1 };
	assert_int_equal(mamori_store_write(s, "test:unit", update_row, &u, &err), 0);
	assert_int_equal(u.rc, 0);
	assert_int_equal(ops->get(s, "A-000004", &a, &err), 0);
	assert_string_equal(a.f[MAMORI_AF_NAME], "納税記録（改）");
	assert_string_equal(a.f[MAMORI_AF_CONFIDENTIALITY], "1");
	mamori_asset_clear(&a);
	f[MAMORI_AF_ID] = "A-000099";	/* no such asset: nothing changes */
	u = (struct update_arg){ f, 0 };
	assert_int_equal(mamori_store_write(s, "test:unit", update_row, &u, &err), 0);
	assert_int_not_equal(u.rc, 0);
	assert_int_equal(ops->total(s, &n, &err), 0);
	assert_int_equal(n, NROWS);
	mamori_store_close(&s);
}

/* ---- the list ---- */

struct seen {
	int64_t num[16];
	char name[16][64];
	size_t n;
	size_t stop_at;		/* non-zero: return 42 at this asset */
};

static int
see(const struct mamori_asset *a, void *ctx)
{
	struct seen *x = ctx;

	assert_true(x->n < 16);
	x->num[x->n] = strtoll(a->f[MAMORI_AF_ID] + 2, NULL, 10);
	snprintf(x->name[x->n], sizeof(x->name[0]), "%s", a->f[MAMORI_AF_NAME]);
	assert_non_null(a->f[MAMORI_AF_CONFIDENTIALITY]);
	return ++x->n == x->stop_at ? 42 : 0;
}

/* Reads the page q into x; returns the op's code. */
static int
read_page(struct mamori_store *s, const struct store_asset_query *q, struct seen *x)
{
	struct mamori_error err = { 0 };
	size_t stop = x->stop_at;

	memset(x, 0, sizeof(*x));
	x->stop_at = stop;
	return s->backend->asset->page(s, q, see, x, &err);
}

static void
assert_nums(const struct seen *x, const int64_t *want, size_t n)
{
	assert_int_equal(x->n, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(x->num[i], want[i]);
}

struct by_dep {
	int64_t zeimu3, sum;
	int calls;
};

static int
count_cell(const char *department, int level, int64_t n, void *ctx)
{
	struct by_dep *x = ctx;

	x->calls++;
	x->sum += n;
	if (strcmp(department, "zeimu") == 0 && level == 3)
		x->zeimu3 = n;
	return 0;
}

static int
stop_counting(const char *department, int level, int64_t n, void *ctx)
{
	(void)department, (void)level, (void)n, (void)ctx;
	return 7;
}

static void
test_counts(void **state)
{
	struct mamori_store *s = store_with_rows("counts.db");
	const struct store_asset_ops *ops = s->backend->asset;
	struct mamori_asset_filter f = { 0 };
	struct mamori_error err = { 0 };
	struct by_dep x = { 0 };
	int64_t n = -1;

	(void)state;
	assert_int_equal(ops->count(s, &f, &n, &err), 0);
	assert_int_equal(n, NROWS);
	f.department = "zeimu";
	assert_int_equal(ops->count(s, &f, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_true(mamori_asset_filter_level(&f, 0, ">=3"));
	assert_int_equal(ops->count(s, &f, &n, &err), 0);
	assert_int_equal(n, 2);
	f = (struct mamori_asset_filter){ .segment = "lgwan", .without_owner = true };
	assert_int_equal(ops->count(s, &f, &n, &err), 0);
	assert_int_equal(n, 1);		/* A-000002 */
	f = (struct mamori_asset_filter){ .text = "台帳" };
	assert_int_equal(ops->count(s, &f, &n, &err), 0);
	assert_int_equal(n, 2);
	f = (struct mamori_asset_filter){ .text = "%" };	/* a LIKE wildcard is a character */
	assert_int_equal(ops->count(s, &f, &n, &err), 0);
	assert_int_equal(n, 0);
	f = (struct mamori_asset_filter){ .department = "税務課" };	/* a title is not what is stored */
	assert_int_equal(ops->count(s, &f, &n, &err), 0);
	assert_int_equal(n, 0);

	f = (struct mamori_asset_filter){ 0 };
	assert_int_equal(ops->count_by(s, &f, 0, count_cell, &x, &err), 0);
	assert_int_equal(x.sum, NROWS);
	assert_int_equal(x.zeimu3, 2);
	assert_int_equal(x.calls, 4);	/* soumu 1, soumu 2, zeimu 2, zeimu 3 */
	assert_int_equal(ops->count_by(s, &f, 0, stop_counting, NULL, &err), 7);
	mamori_store_close(&s);
}

static void
test_pages(void **state)
{
	struct mamori_store *s = store_with_rows("pages.db");
	const struct store_asset_ops *ops = s->backend->asset;
	struct mamori_asset_filter none = { 0 }, zeimu = { .department = "zeimu" };
	struct store_asset_query q = { .filter = &none, .order = MAMORI_AF_ID, .limit = -1 };
	struct mamori_error err = { 0 };
	struct seen x = { 0 };
	int64_t num = 0;
	char key[64];

	(void)state;
	assert_int_equal(read_page(s, &q, &x), 0);
	assert_nums(&x, (const int64_t[]){ 1, 2, 3, 4, 7 }, 5);
	q.desc = true;
	assert_int_equal(read_page(s, &q, &x), 0);
	assert_nums(&x, (const int64_t[]){ 7, 4, 3, 2, 1 }, 5);
	q.after = 4;		/* after A-000004, backwards */
	assert_int_equal(read_page(s, &q, &x), 0);
	assert_nums(&x, (const int64_t[]){ 3, 2, 1 }, 3);
	q = (struct store_asset_query){ .filter = &none, .order = MAMORI_AF_ID, .after = 2, .limit = 2 };
	assert_int_equal(read_page(s, &q, &x), 0);
	assert_nums(&x, (const int64_t[]){ 3, 4, 7 }, 3);	/* the page and one more */
	q.limit = 0;
	assert_int_equal(read_page(s, &q, &x), 0);
	assert_nums(&x, (const int64_t[]){ 3 }, 1);		/* only: whether more follow */
	q = (struct store_asset_query){ .filter = &zeimu, .order = MAMORI_AF_ID, .limit = 1 };
	assert_int_equal(read_page(s, &q, &x), 0);
	assert_nums(&x, (const int64_t[]){ 2, 3 }, 2);
	q.limit = -1;
	x.stop_at = 2;
	assert_int_equal(read_page(s, &q, &x), 42);	/* fn's non-zero as is */
	x.stop_at = 0;

	/* by name: あ名簿, い文書, 住民台帳, 納税記録, 課税台帳 (code point order) */
	q = (struct store_asset_query){ .filter = &none, .order = MAMORI_AF_NAME, .limit = -1 };
	assert_int_equal(read_page(s, &q, &x), 0);
	assert_nums(&x, (const int64_t[]){ 3, 7, 1, 4, 2 }, 5);
	assert_int_equal(ops->start(s, "A-000001", MAMORI_AF_NAME, &num, key, sizeof(key), &err), 0);
	assert_int_equal(num, 1);
	assert_string_equal(key, "住民台帳");
	q.after = num;
	q.key = key;
	assert_int_equal(read_page(s, &q, &x), 0);
	assert_nums(&x, (const int64_t[]){ 4, 2 }, 2);
	q.desc = true;
	assert_int_equal(read_page(s, &q, &x), 0);
	assert_nums(&x, (const int64_t[]){ 7, 3 }, 2);
	q = (struct store_asset_query){ .filter = &zeimu, .order = MAMORI_AF_NAME, .limit = 1 };
	assert_int_equal(read_page(s, &q, &x), 0);
	assert_nums(&x, (const int64_t[]){ 3, 4 }, 2);

	q.order = MAMORI_AF_KIND;	/* read by asset_list.c value after value, never by the backend */
	assert_int_not_equal(read_page(s, &q, &x), 0);

	/* by the time of change, newest first */
	q = (struct store_asset_query){ .filter = &none, .order = MAMORI_AF_UPDATED, .desc = true, .limit = 2 };
	assert_int_equal(read_page(s, &q, &x), 0);
	assert_nums(&x, (const int64_t[]){ 3, 7, 1 }, 3);
	assert_int_equal(ops->start(s, "A-000007", MAMORI_AF_UPDATED, &num, key, sizeof(key), &err), 0);
	assert_string_equal(key, "2026-12-01T00:00:04Z");
	q.after = num;
	q.key = key;
	assert_int_equal(read_page(s, &q, &x), 0);
	assert_nums(&x, (const int64_t[]){ 1, 4, 2 }, 3);

	/* a level as its digits; an id's start has no key */
	assert_int_equal(ops->start(s, "A-000003", MAMORI_AF_CONFIDENTIALITY, &num, key, sizeof(key), &err), 0);
	assert_int_equal(num, 3);
	assert_string_equal(key, "2");
	strcpy(key, "untouched");
	assert_int_equal(ops->start(s, "A-000004", MAMORI_AF_ID, &num, key, sizeof(key), &err), 0);
	assert_int_equal(num, 4);
	assert_string_equal(key, "untouched");
	assert_int_equal(ops->start(s, "A-000005", MAMORI_AF_ID, &num, key, sizeof(key), &err), MAMORI_E_NOTFOUND);

	assert_false(ops->in_transaction(s));
	assert_true(mamori_store_read_begin(s) >= 0);
	assert_true(ops->in_transaction(s));
	mamori_store_read_end(s);
	assert_false(ops->in_transaction(s));
	mamori_store_close(&s);
}

/* ---- the import ---- */

struct session {
	struct mamori_store *s;
	int calls;
	int64_t cache_inside;
};

/* The page cache of s's own connection (a setting of that connection, not of the file). */
static int64_t
cache_size(struct mamori_store *s)
{
	sqlite3_stmt *st = NULL;
	int64_t v = 0;

	assert_int_equal(sqlite3_prepare_v2(s->db, "PRAGMA cache_size", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* PostgreSQL's: the memory an index is built in, in kB, on s's own connection. */
static int64_t
work_mem(struct mamori_store *s)
{
	PGresult *r = PQexec(s->pg->conn, "SELECT pg_size_bytes(current_setting('maintenance_work_mem')) / 1024");
	int64_t v;

	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

static int
in_session(void *ctx)
{
	struct session *x = ctx;

	x->calls++;
	x->cache_inside = x->s->db ? cache_size(x->s) : work_mem(x->s);
	return 42;
}

static void
test_import_ops(void **state)
{
	struct mamori_store *s = store_with_rows("import.db");
	const struct store_asset_ops *ops = s->backend->asset;
	struct mamori_asset_filter f = { .department = "zeimu" };
	struct store_asset_query q = { .filter = &f, .order = MAMORI_AF_NAME, .limit = -1 };
	struct mamori_error err = { 0 };
	struct store_asset_taken *t = NULL;
	struct session ss = { s, 0, 0 };
	struct insert_arg x = { 0 };
	struct seen seen = { 0 };
	bool taken = false, sqlite = strcmp(s->backend->name, "sqlite") == 0;
	int64_t n = 0, cache = sqlite ? cache_size(s) : work_mem(s);

	(void)state;
	assert_int_equal(ops->taken_open(s, &t, &err), 0);
	assert_int_equal(ops->taken(t, 7, &taken, &err), 0);
	assert_true(taken);
	assert_int_equal(ops->taken(t, 5, &taken, &err), 0);
	assert_false(taken);
	for (int64_t num = 1; num <= 9; num++) {	/* each number as asked, in any order */
		assert_int_equal(ops->taken(t, num, &taken, &err), 0);
		assert_int_equal(taken, num <= 4 || num == 7);
	}
	assert_int_equal(ops->taken(t, 3, &taken, &err), 0);
	assert_true(taken);
	assert_int_equal(ops->taken(t, INT64_MAX, &taken, &err), 0);
	assert_false(taken);
	ops->taken_close(&t);
	assert_null(t);
	ops->taken_close(&t);

	assert_int_equal(ops->bulk_session(s, in_session, &ss), 42);
	assert_int_equal(ss.calls, 1);
	if (sqlite) {	/* a page cache of its own for the bulk write, the connection's after */
		assert_int_not_equal(ss.cache_inside, cache);
		assert_int_equal(cache_size(s), cache);
	} else {	/* room to build an index in, the connection's setting after */
		assert_true(ss.cache_inside >= 256 * 1024);
		assert_int_equal(work_mem(s), cache);
	}

	/* a bulk insert into a store of its own: the register answers as before after bulk_end */
	mamori_store_close(&s);
	s = fixture_store("bulk.db", POLICY);
	x = (struct insert_arg){ 0, NROWS, true, 0 };
	n = sqlite ? fixture_query_int(s, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'asset'") : 0;
	assert_int_equal(mamori_store_write(s, "test:unit", insert_rows, &x, &err), 0);
	assert_int_equal(x.conflict, MAMORI_E_CONFLICT);	/* the primary key stays */
	if (sqlite)
		assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
		    "tbl_name = 'asset'"), n);
	else	/* the primary key, the id's and the four of the schema */
		assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM pg_indexes WHERE schemaname = "
		    "current_schema() AND tablename = 'asset'"), 6);
	assert_int_equal(ops->count(s, &f, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(read_page(s, &q, &seen), 0);	/* by name: through its index again */
	assert_nums(&seen, (const int64_t[]){ 3, 4, 2 }, 3);
	q.limit = 1;
	assert_int_equal(read_page(s, &q, &seen), 0);
	assert_nums(&seen, (const int64_t[]){ 3, 4 }, 2);
	mamori_store_close(&s);
}

/* ---- many rows ---- */

/* more rows than one batch of a backend that sends them in batches, and than one chunk it reads */
enum { MANY = 10500 };

/* What the many rows' inserts answered. */
struct many_arg {
	int rc;			/* the first failing insert's code among those that should succeed */
	int conflict;		/* a number inserted again, after many */
	int again;		/* a new number after that conflict */
};

/* The fields of the many rows' row num: a description with what a text format must escape. */
static void
many_fields(int64_t num, const char *f[MAMORI_AF_COUNT], char id[24], char desc[64])
{
	memset(f, 0, sizeof(const char *) * MAMORI_AF_COUNT);
	snprintf(id, 24, "A-%06lld", (long long)num);
	snprintf(desc, 64, "第%lld号\t\\N\r\n\\%s", (long long)num, num % 2 ? "" : "\x01");
	f[MAMORI_AF_ID] = id;
	f[MAMORI_AF_NAME] = num % 3 ? "台帳" : "名簿";
	f[MAMORI_AF_KIND] = "information";
	f[MAMORI_AF_DESCRIPTION] = desc;
	f[MAMORI_AF_DEPARTMENT] = num % 2 ? "soumu" : "zeimu";
	f[MAMORI_AF_ROLE] = num % 5 ? NULL : "ciso";
	f[MAMORI_AF_CONFIDENTIALITY] = num % 4 ? "2" : NULL;
	f[MAMORI_AF_STATUS] = "active";
	f[MAMORI_AF_CREATED] = "2026-12-01T00:00:00Z";
	f[MAMORI_AF_UPDATED] = "2026-12-01T00:00:00Z";
}

static int
insert_many(struct mamori_store_tx *tx, void *arg)
{
	const struct store_asset_ops *ops = tx->store->backend->asset;
	struct many_arg *x = arg;
	struct store_asset_insert *ins = NULL;
	struct mamori_error err = { 0 };
	const char *f[MAMORI_AF_COUNT];
	char id[24], desc[64];

	assert_int_equal(ops->insert_open(tx, &ins, &err), 0);
	for (int64_t num = 10; num < 10 + MANY && x->rc == 0; num++) {
		many_fields(num, f, id, desc);
		x->rc = ops->insert(ins, f, num, &err);
	}
	many_fields(100, f, id, desc);		/* taken, by a row of this handle */
	x->conflict = ops->insert(ins, f, 100, &err);
	many_fields(5, f, id, desc);		/* free, below the rows */
	x->again = ops->insert(ins, f, 5, &err);
	many_fields(20000, f, id, desc);	/* free, above them */
	if (x->again == 0)
		x->again = ops->insert(ins, f, 20000, &err);
	ops->insert_close(&ins);
	return store_tx_event_body(tx, "test.insert", "asset", "-", "{}");
}

/* A walk that checks each asset comes after the one before in its order. */
struct in_order {
	enum mamori_asset_field order;
	bool desc;
	int64_t n, num;
	char key[64];
};

static int
follows(const struct mamori_asset *a, void *ctx)
{
	struct in_order *w = ctx;
	int64_t num = strtoll(a->f[MAMORI_AF_ID] + 2, NULL, 10);
	const char *key = w->order == MAMORI_AF_ID ? "" : a->f[w->order];
	int c = strcmp(key, w->key);

	if (w->n > 0) {
		c = c != 0 ? c : num < w->num ? -1 : num > w->num;
		assert_true(w->desc ? c < 0 : c > 0);
	}
	w->n++;
	w->num = num;
	snprintf(w->key, sizeof(w->key), "%s", key);
	return 0;
}

/* Many rows through one insert handle: each insert's answer, then every row as it was given. */
static void
test_insert_many(void **state)
{
	struct mamori_store *s = fixture_store("many.db", POLICY);
	const struct store_asset_ops *ops = s->backend->asset;
	struct mamori_asset_filter none = { 0 }, soumu = { .department = "soumu" };
	struct store_asset_query q = { .filter = &none, .order = MAMORI_AF_ID, .after = 4000, .limit = 3 };
	struct mamori_error err = { 0 };
	struct mamori_asset a = { 0 };
	struct many_arg x = { 0 };
	struct seen seen = { 0 };
	const char *f[MAMORI_AF_COUNT];
	char id[24], desc[64];
	int64_t n = 0;

	(void)state;
	assert_int_equal(mamori_store_write(s, "test:unit", insert_many, &x, &err), 0);
	assert_int_equal(x.rc, 0);
	assert_int_equal(x.conflict, MAMORI_E_CONFLICT);
	assert_int_equal(x.again, 0);		/* the transaction goes on after a conflict */
	assert_int_equal(ops->total(s, &n, &err), 0);
	assert_int_equal(n, MANY + 2);
	assert_int_equal(ops->max_num(s, &n, &err), 0);
	assert_int_equal(n, 20000);
	for (int64_t num = 10; num < 10 + MANY; num += 997) {
		many_fields(num, f, id, desc);
		assert_int_equal(ops->get(s, id, &a, &err), 0);
		assert_string_equal(a.f[MAMORI_AF_DESCRIPTION], desc);
		assert_string_equal(a.f[MAMORI_AF_CONFIDENTIALITY], num % 4 ? "2" : "1");
		if (num % 5)
			assert_true(a.f[MAMORI_AF_ROLE] == NULL);
		else
			assert_string_equal(a.f[MAMORI_AF_ROLE], "ciso");
		assert_true(a.f[MAMORI_AF_SEGMENT] == NULL);
		mamori_asset_clear(&a);
	}
	assert_int_equal(ops->get(s, "A-000005", &a, &err), 0);
	mamori_asset_clear(&a);
	assert_int_equal(ops->count(s, &soumu, &n, &err), 0);
	assert_int_equal(n, MANY / 2 + 1);	/* the odd numbers from 11, and 5 */
	assert_int_equal(read_page(s, &q, &seen), 0);
	assert_nums(&seen, (const int64_t[]){ 4001, 4002, 4003, 4004 }, 4);
	q = (struct store_asset_query){ .filter = &soumu, .order = MAMORI_AF_NAME, .desc = true, .limit = 2 };
	assert_int_equal(read_page(s, &q, &seen), 0);	/* 名簿 (U+540D) after 台帳 (U+53F0), largest number first */
	assert_nums(&seen, (const int64_t[]){ 10509, 10503, 10497 }, 3);
	/* every asset in each order, each after the one before */
	for (int o = 0; o < 6; o++) {
		struct in_order w = { .n = 0 };
		w.desc = o % 2;
		w.order = o < 2 ? MAMORI_AF_ID : o < 4 ? MAMORI_AF_NAME : MAMORI_AF_UPDATED;
		q = (struct store_asset_query){ .filter = &none, .order = w.order, .desc = w.desc, .limit = -1 };
		assert_int_equal(ops->page(s, &q, follows, &w, &err), 0);
		assert_int_equal(w.n, MANY + 2);
	}
	mamori_store_close(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_pages),
		cmocka_unit_test(test_import_ops),
		cmocka_unit_test(test_insert_many),
	};

	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
