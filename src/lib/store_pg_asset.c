/*
 * store_pg_asset.c — the register in PostgreSQL: the table asset and its
 * indexes (store_pg_schema.c), behind store_asset_ops (store_ops_asset.h),
 * with the contract and the results of SQLite's (store_sqlite_asset.c): a
 * filter as SQL, keyset pages in chunks, the totals kept per snapshot, the
 * rows of an add, an edit and an import — an import's sent by COPY in
 * batches — and the bulk import's indexes.
 */
#include "asset_internal.h"
#include "store_ops_asset.h"
#include "store_pg.h"
#include "store_sqltext.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The columns in enum mamori_asset_field order. */
#define COLUMNS "id, name, kind, description, department, role, segment, location, " \
	"c, i, a, retention, status, created, updated, disposed_date, disposed_method, disposed_by, " \
	"disposed_witness"
#define SELECT_ALL "SELECT " COLUMNS " FROM asset"

/* The columns, then the number: a page's rows, whose last is where the next chunk starts. */
#define SELECT_PAGE "SELECT " COLUMNS ", num FROM asset"

/* Each field's column, in enum mamori_asset_field order. */
static const char *const columns[MAMORI_AF_COUNT] = {
	"id", "name", "kind", "description", "department", "role", "segment", "location", "c", "i", "a",
	"retention", "status", "created", "updated", "disposed_date", "disposed_method", "disposed_by",
	"disposed_witness",
};

/* ---- rows ------------------------------------------------------------- */

/* A column of r as the SQLite backend hands it: NULL for SQL's NULL. */
static const char *
value(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

/* Whether field k is stored as NULL when it is absent (the others as "" or level 1). */
static bool
nullable(int k)
{
	return k == MAMORI_AF_ROLE || k == MAMORI_AF_SEGMENT || k >= MAMORI_AF_DISPOSED_DATE;
}

static bool
is_level(int k)
{
	return k >= MAMORI_AF_CONFIDENTIALITY && k <= MAMORI_AF_AVAILABILITY;
}

/* The fields as $1 … $19, as SQLite's bind_fields binds them; the strings are lent. */
static void
param_fields(struct store_pg_params *p, const char *const *f)
{
	for (int k = 0; k < MAMORI_AF_COUNT; k++) {
		if (is_level(k))
			store_pg_int(p, f[k] ? asset_to_int(f[k]) : 1);
		else
			store_pg_text(p, f[k] == NULL && !nullable(k) ? "" : f[k]);
	}
}

static int
pg_get(struct mamori_store *s, const char *id, struct mamori_asset *out, struct mamori_error *err)
{
	static const char sql[] = SELECT_ALL " WHERE id = $1";
	struct store_pg_params p = { 0 };
	PGresult *r = NULL;
	int rc;

	store_pg_text(&p, id);
	if ((rc = store_pg_run(s, sql, &p, &r, err)) != 0)
		return rc;
	if (PQntuples(r) == 0)
		rc = MAMORI_E_NOTFOUND;
	for (int k = 0; rc == 0 && k < MAMORI_AF_COUNT; k++)
		if (mamori_asset_set(out, (enum mamori_asset_field)k, value(r, 0, k)) != 0)
			rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	PQclear(r);
	return rc;
}

/* One integer of a statement without parameters (0 when there is no row). */
static int
one_int64(struct mamori_store *s, const char *sql, int64_t *out, struct mamori_error *err)
{
	PGresult *r = NULL;
	int rc;

	*out = 0;
	if ((rc = store_pg_run(s, sql, NULL, &r, err)) == 0 && PQntuples(r) > 0)
		*out = store_pg_int64(r, 0, 0);
	PQclear(r);
	return rc;
}

static const char max_num_sql[] = "SELECT coalesce(max(num), 0) FROM asset";

static int
pg_max_num(struct mamori_store *s, int64_t *max, struct mamori_error *err)
{
	return one_int64(s, max_num_sql, max, err);
}

static int
pg_total(struct mamori_store *s, int64_t *n, struct mamori_error *err)
{
	static const char sql[] = "SELECT count(*) FROM asset";

	return one_int64(s, sql, n, err);
}

static int
pg_update(struct mamori_store_tx *tx, const char *const f[MAMORI_AF_COUNT], struct mamori_error *err)
{
	static const char sql[] = "UPDATE asset SET id = $1, name = $2, kind = $3, description = $4, "
	    "department = $5, role = $6, segment = $7, location = $8, c = $9, i = $10, a = $11, "
	    "retention = $12, status = $13, created = $14, updated = $15, disposed_date = $16, "
	    "disposed_method = $17, disposed_by = $18, disposed_witness = $19 WHERE id = $1";
	struct store_pg_params p = { 0 };
	PGresult *r = NULL;
	int rc;

	param_fields(&p, f);
	if ((rc = store_pg_run(tx->store, sql, &p, &r, err)) == 0 && strcmp(PQcmdTuples(r), "1") != 0)
		rc = mamori_error_set(err, MAMORI_E_STORE, "cannot update the asset %s: not one asset changed",
		    f[MAMORI_AF_ID] ? f[MAMORI_AF_ID] : "");
	PQclear(r);
	return rc;
}

/* ---- the inserts ------------------------------------------------------ */

/*
 * An import inserts up to a million rows, one insert call each, and wants
 * each call's answer: free, or its number taken.  A statement per row costs
 * a round trip per row; so the rows are sent by COPY in batches, and each
 * call is still answered exactly: inside the write transaction no other
 * writer inserts (store_pg.c's begin), so a number above the register's
 * largest (read at the second row) and every number inserted since (the
 * high-water mark) is free, and such a row joins the batch.  Any other row
 * — the first of the handle (an add's only row: no read of the largest)
 * and one whose number is not above the mark — goes alone, with ON
 * CONFLICT DO NOTHING, after the batch: a taken number is then told without
 * aborting the transaction, as SQLite's constraint failure does not.  An
 * import appends its numbers in order, so only its first row goes alone.
 *
 * What a batch cannot tell: in a damaged register, a row whose id is not
 * A- and its number (A-000005 at number 9) makes the batch holding a new
 * A-000005 fail, as a MAMORI_E_CONFLICT of the insert call that sent the
 * batch (not of the row's own), or at close, which has no answer.  The
 * transaction is aborted then: PostgreSQL answers its COMMIT with ROLLBACK
 * and writes nothing, which only a commit that reads that answer reports.
 */
enum { BATCH_ROWS = 2000, BATCH_BYTES = 1 << 20 };

struct store_asset_insert {
	struct mamori_store *s;
	int64_t high;		/* every number at or below it may be taken; above it none is */
	bool first_done;	/* the first row went alone */
	bool high_known;	/* high is read (after the first row: an add's one row needs none) */
	char *buf;		/* the batch, in COPY's text format */
	size_t len, cap;
	int rows;
	bool failed;		/* out of memory while batching: every later call fails */
};

/* The columns in enum mamori_asset_field order, then the number. */
#define INSERT_COLUMNS "(" COLUMNS ", num)"

static int
pg_insert_open(struct mamori_store_tx *tx, struct store_asset_insert **out, struct mamori_error *err)
{
	struct store_asset_insert *ins = calloc(1, sizeof(*ins));

	*out = NULL;
	if (ins == NULL)
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	ins->s = tx->store;
	*out = ins;
	return 0;
}

/* Appends n bytes to the batch; false when memory ran out. */
static bool
batch_add(struct store_asset_insert *ins, const char *p, size_t n)
{
	if (ins->len + n + 1 > ins->cap) {
		size_t cap = ins->cap ? ins->cap : 64 * 1024;
		char *b;
		while (cap < ins->len + n + 1)
			cap *= 2;
		if ((b = realloc(ins->buf, cap)) == NULL)
			return false;
		ins->buf = b;
		ins->cap = cap;
	}
	memcpy(ins->buf + ins->len, p, n);
	ins->len += n;
	return true;
}

/* A text value in COPY's text format: backslash, tab, newline and carriage return escaped. */
static bool
batch_text(struct store_asset_insert *ins, const char *v)
{
	bool ok = true;

	while (ok && *v) {
		size_t run = strcspn(v, "\\\t\n\r");
		ok = batch_add(ins, v, run);
		v += run;
		if (ok && *v) {
			const char *esc = *v == '\\' ? "\\\\" : *v == '\t' ? "\\t" : *v == '\n' ? "\\n" : "\\r";
			ok = batch_add(ins, esc, 2);
			v++;
		}
	}
	return ok;
}

/* One row into the batch, its columns as param_fields gives them. */
static bool
batch_row(struct store_asset_insert *ins, const char *const *f, int64_t num)
{
	char n[24];
	bool ok = true;

	for (int k = 0; ok && k < MAMORI_AF_COUNT; k++) {
		const char *v = f[k];
		if (is_level(k)) {
			snprintf(n, sizeof(n), "%lld", v ? asset_to_int(v) : 1LL);
			ok = batch_add(ins, n, strlen(n));
		} else if (v == NULL && nullable(k)) {
			ok = batch_add(ins, "\\N", 2);
		} else {
			ok = batch_text(ins, v ? v : "");
		}
		ok = ok && batch_add(ins, "\t", 1);
	}
	snprintf(n, sizeof(n), "%lld\n", (long long)num);
	return ok && batch_add(ins, n, strlen(n));
}

/* The first line of PostgreSQL's message about r. */
static void
pg_message(const PGresult *r, PGconn *c, char *buf, size_t n)
{
	const char *m = r ? PQresultErrorMessage(r) : NULL;

	if (m == NULL || *m == '\0')
		m = PQerrorMessage(c);
	snprintf(buf, n, "%s", m && *m ? m : "error");
	buf[strcspn(buf, "\n")] = '\0';
}

/*
 * Sends the batch by COPY and empties it.  store_pg.h has no COPY: the
 * connection's lock, the audit events kept back, the count of changed rows
 * and the key taken (23505 → MAMORI_E_CONFLICT) are done here as
 * store_pg.c's statements do them.
 */
static int
batch_flush(struct store_asset_insert *ins, struct mamori_error *err)
{
	static const char sql[] = "COPY asset " INSERT_COLUMNS " FROM STDIN";
	struct store_pg *pg = ins->s->pg;
	PGresult *r, *last = NULL;
	const char *state;
	char msg[512];
	int rc = 0;

	if (ins->rows == 0)
		return 0;
	if (pg->shared)
		pthread_mutex_lock(&pg->lock);
	/* the audit events kept back go first, as before every statement (store_pg.h) */
	if ((rc = store_pg_audit_flush(ins->s, err)) != 0)
		goto out;
	r = PQexec(pg->conn, sql);
	if (PQresultStatus(r) == PGRES_COPY_IN) {
		PQclear(r);
		if (PQputCopyData(pg->conn, ins->buf, (int)ins->len) == 1)
			PQputCopyEnd(pg->conn, NULL);
		else
			PQputCopyEnd(pg->conn, "mamori: cannot send the rows");
		/* the COPY's result, then NULL */
		while ((r = PQgetResult(pg->conn)) != NULL) {
			PQclear(last);
			last = r;
		}
		r = last;
	}
	if (r != NULL && PQresultStatus(r) == PGRES_COMMAND_OK) {
		pg->changes += strtoll(PQcmdTuples(r), NULL, 10);
	} else {
		state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
		pg_message(r, pg->conn, msg, sizeof(msg));
		rc = mamori_error_set(err, state && strcmp(state, "23505") == 0 ? MAMORI_E_CONFLICT : MAMORI_E_STORE,
		    "store: cannot insert %d assets: %s", ins->rows, msg);
	}
	PQclear(r);
out:
	if (pg->shared)
		pthread_mutex_unlock(&pg->lock);
	ins->len = 0;
	ins->rows = 0;
	return rc;
}

/* One row by itself: MAMORI_E_CONFLICT (err not filled) when its id or number is taken. */
static int
insert_alone(struct store_asset_insert *ins, const char *const *f, int64_t num, struct mamori_error *err)
{
	static const char sql[] = "INSERT INTO asset " INSERT_COLUMNS " VALUES ($1, $2, $3, $4, $5, $6, $7, "
	    "$8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) ON CONFLICT DO NOTHING";
	struct store_pg_params p = { 0 };
	PGresult *r = NULL;
	int rc;

	param_fields(&p, f);
	store_pg_int(&p, num);
	if ((rc = store_pg_run(ins->s, sql, &p, &r, err)) == 0 && strcmp(PQcmdTuples(r), "1") != 0)
		rc = MAMORI_E_CONFLICT;
	PQclear(r);
	return rc;
}

static int
pg_insert(struct store_asset_insert *ins, const char *const f[MAMORI_AF_COUNT], int64_t num,
    struct mamori_error *err)
{
	int rc;

	if (ins->failed)
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	/* the register's largest number, the rows of this transaction's among them */
	if (ins->first_done && !ins->high_known) {
		if ((rc = pg_max_num(ins->s, &ins->high, err)) != 0)
			return rc;
		ins->high_known = true;
	}
	if (ins->first_done && num > ins->high) {
		ins->high = num;
		if (!batch_row(ins, f, num)) {
			ins->failed = true;	/* a row half written: the batch is never sent */
			return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		}
		return ++ins->rows >= BATCH_ROWS || ins->len >= BATCH_BYTES ? batch_flush(ins, err) : 0;
	}
	ins->first_done = true;
	if ((rc = batch_flush(ins, err)) != 0 || (rc = insert_alone(ins, f, num, err)) != 0)
		return rc;
	if (ins->high_known && num > ins->high)
		ins->high = num;
	return 0;
}

static void
pg_insert_close(struct store_asset_insert **ins)
{
	struct mamori_error err;

	if (*ins == NULL)
		return;
	/* no answer here: a batch that fails leaves the transaction aborted (see above) */
	if (!(*ins)->failed)
		batch_flush(*ins, &err);
	free((*ins)->buf);
	free(*ins);
	*ins = NULL;
}

/* ---- a filter as SQL -------------------------------------------------- */

/*
 * The list's queries are built from the filters that are present; column
 * names and operators come from fixed tables, never from input, and every
 * value is a parameter, $1 … in the order the terms name them.  The text is
 * built with store_sqltext.h.
 */

/* A filter's values, $1 … in the order its terms name them. */
struct filter_params {
	struct store_pg_params p;
	char like[512];		/* the text filter as a LIKE pattern, lent to p */
};

/*
 * The text filter as a LIKE pattern: a substring, its %, _ and \ taken as
 * themselves (as SQLite's).  A text too long for like is cut before a whole
 * character, never inside one: PostgreSQL refuses a parameter that is not
 * UTF-8.
 */
static void
like_pattern(const char *text, char *like, size_t size)
{
	const char *t = text;
	size_t o = 0, whole = 1;

	like[o++] = '%';
	for (; *t && o + 3 < size; t++) {
		if ((*t & 0xC0) != 0x80)
			whole = o;	/* where the character that starts here begins in like */
		if (*t == '%' || *t == '_' || *t == '\\')
			like[o++] = '\\';
		like[o++] = *t;
	}
	if ((*t & 0xC0) == 0x80)	/* stopped inside a character: leave it out */
		o = whole;
	like[o++] = '%';
	like[o] = '\0';
}

/*
 * The filter's terms joined by AND into q (q->used 0: no filter), their
 * values into fp, $1 … in order.  The text is matched as SQLite's LIKE matches:
 * ASCII letters in either case (ILIKE under COLLATE "C" folds ASCII only).
 */
static void
filter_terms(const struct mamori_asset_filter *f, struct list_sql *q, struct filter_params *fp)
{
	static const char *const level_cols[3] = { "c", "i", "a" };
	const struct { const char *v, *column; } eq[] = {
		{ f->department, "department" }, { f->segment, "segment" }, { f->kind, "kind" },
		{ f->status, "status" },
	};
	const char *op;

	q->used = 0;
	q->text[0] = '\0';
	fp->p.n = 0;
	for (size_t k = 0; k < sizeof(eq) / sizeof(eq[0]); k++)
		if (eq[k].v != NULL) {
			store_pg_text(&fp->p, eq[k].v);
			sql_add(q, "%s%s = $%d", q->used ? " AND " : "", eq[k].column, fp->p.n);
		}
	if (f->text != NULL) {
		like_pattern(f->text, fp->like, sizeof(fp->like));
		store_pg_text(&fp->p, fp->like);
		sql_add(q, "%s(name ILIKE $%d OR description ILIKE $%d OR location ILIKE $%d)",
		    q->used ? " AND " : "", fp->p.n, fp->p.n, fp->p.n);
	}
	if (f->without_owner)
		sql_add(q, "%s(role IS NULL OR role = '')", q->used ? " AND " : "");
	for (int ax = 0; ax < 3; ax++)
		if (f->level_op[ax][0] != '\0' && (op = level_op(f->level_op[ax])) != NULL)
			sql_add(q, "%s%s %s %d", q->used ? " AND " : "", level_cols[ax], op, f->level[ax]);
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
 * the same data version (the clock's: nothing has changed since, the same
 * answer), else counted, as SQLite's count_matching: paging through one
 * filter counts it once.  The policy is part of the key: the caller resolved
 * the filter's names through it.
 */
static int
pg_count(struct mamori_store *s, const struct mamori_asset_filter *f, int64_t *n, struct mamori_error *err)
{
	struct list_sql terms, q = { .used = 0 };
	struct filter_params fp;
	bool cacheable = s->in_snapshot && PQtransactionStatus(s->pg->conn) == PQTRANS_INTRANS;
	char key[sizeof(s->totals[0].key)];
	PGresult *r = NULL;
	int rc;

	filter_terms(f, &terms, &fp);
	cacheable = cacheable && total_key(f, &terms, key, sizeof(key));
	for (size_t i = 0; cacheable && i < STORE_TOTALS_MAX; i++) {
		if (s->totals[i].version == s->snapshot_version && s->totals[i].policy == s->policy &&
		    strcmp(s->totals[i].key, key) == 0) {
			*n = s->totals[i].n;
			return 0;
		}
	}
	sql_add(&q, "SELECT count(*) FROM asset%s%s", terms.used ? " WHERE " : "", terms.text);
	*n = 0;
	if ((rc = store_pg_run_built(s, q.text, &fp.p, &r, err)) == 0 && PQntuples(r) > 0)
		*n = store_pg_int64(r, 0, 0);
	PQclear(r);
	if (rc == 0 && cacheable) {
		size_t i = s->totals_next++ % STORE_TOTALS_MAX;
		s->totals[i].version = s->snapshot_version;
		s->totals[i].policy = s->policy;
		s->totals[i].n = *n;
		memcpy(s->totals[i].key, key, sizeof(key));
	}
	return rc;
}

static int
pg_count_by(struct mamori_store *s, const struct mamori_asset_filter *f, int axis,
    int (*fn)(const char *department, int level, int64_t n, void *ctx), void *ctx, struct mamori_error *err)
{
	static const char *const level_cols[3] = { "c", "i", "a" };
	const char *level = axis >= 0 && axis < 3 ? level_cols[axis] : "0";
	struct list_sql terms, q = { .used = 0 };
	struct filter_params fp;
	PGresult *r = NULL;
	int rc;

	filter_terms(f, &terms, &fp);
	sql_add(&q, "SELECT department, %s, count(*) FROM asset%s%s GROUP BY 1, 2", level,
	    terms.used ? " WHERE " : "", terms.text);
	if ((rc = store_pg_run_built(s, q.text, &fp.p, &r, err)) != 0)
		return rc;
	/* read in full first: fn may ask the store for more */
	for (int i = 0; rc == 0 && i < PQntuples(r); i++)
		rc = fn(store_pg_get(r, i, 0), (int)store_pg_int64(r, i, 1), store_pg_int64(r, i, 2), ctx);
	PQclear(r);
	return rc;
}

/* ---- pages ------------------------------------------------------------ */

/* The orders a page can be read in: by number, or by a column then number. */
static const struct {
	enum mamori_asset_field field;
	const char *column;
} orders[] = {
	{ MAMORI_AF_ID, "num" },
	{ MAMORI_AF_NAME, "name" },
	{ MAMORI_AF_UPDATED, "updated" },
};

static int
pg_start(struct mamori_store *s, const char *id, enum mamori_asset_field field, int64_t *num, char *key,
    size_t size, struct mamori_error *err)
{
	const char *column = field == MAMORI_AF_ID || field >= MAMORI_AF_COUNT ? "num" : columns[field];
	struct store_pg_params p = { 0 };
	char sql[96];
	PGresult *r = NULL;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT num, %s FROM asset WHERE id = $1", column);
	store_pg_text(&p, id);
	if ((rc = store_pg_run_built(s, sql, &p, &r, err)) != 0)
		return rc;
	if (PQntuples(r) == 0) {
		rc = MAMORI_E_NOTFOUND;
	} else {
		*num = store_pg_int64(r, 0, 0);
		if (field != MAMORI_AF_ID && size > 0)
			snprintf(key, size, "%s", store_pg_get(r, 0, 1));
	}
	PQclear(r);
	return rc;
}

/*
 * A page is read in chunks of at most CHUNK rows, each a keyset query from
 * the last row of the one before, so that a walk of every asset (an export:
 * a million of them) holds one chunk in memory, not the register.
 */
enum { CHUNK = 10000 };

/* Where the next chunk starts: after (key, after) in the page's order. */
struct page_cursor {
	int64_t after;
	char *key;		/* NULL: from the first (an order by number has none) */
};

/* The query of one chunk of at most limit rows from cur, in order column (num: by number). */
static void
chunk_sql(struct list_sql *q, struct store_pg_params *p, const struct list_sql *terms, const char *column,
    bool desc, const struct page_cursor *cur, int64_t limit)
{
	const char *dir = desc ? "DESC" : "ASC", *cmp = desc ? "<" : ">", *cmpeq = desc ? "<=" : ">=";
	bool by_id = strcmp(column, "num") == 0;

	sql_add(q, "%s WHERE %s%s", SELECT_PAGE, terms->text, terms->used ? " AND " : "");
	if (by_id) {
		store_pg_int(p, cur->after);
		sql_add(q, "num %s $%d ORDER BY num %s", cmp, p->n, dir);
	} else {
		if (cur->key != NULL) {
			/* the column's own term lets its index find the start */
			store_pg_text(p, cur->key);
			store_pg_int(p, cur->after);
			sql_add(q, "%s %s $%d AND (%s, num) %s ($%d, $%d)", column, cmpeq, p->n - 1, column, cmp,
			    p->n - 1, p->n);
		} else {
			sql_add(q, "true");
		}
		sql_add(q, " ORDER BY %s %s, num %s", column, dir, dir);
	}
	store_pg_int(p, limit);
	sql_add(q, " LIMIT $%d", p->n);
}

/*
 * Hands the rows of r to fn and moves cur past the last (its key copied).
 * Returns fn's non-zero, or 0.
 */
static int
chunk_walk(PGresult *r, int key_col, struct page_cursor *cur, int (*fn)(const struct mamori_asset *a, void *ctx),
    void *ctx, struct mamori_error *err)
{
	int n = PQntuples(r), rc = 0;

	for (int i = 0; i < n && rc == 0; i++) {
		/* the row's strings are lent to fn until it returns */
		struct mamori_asset a;
		for (int c = 0; c < MAMORI_AF_COUNT; c++)
			a.f[c] = (char *)value(r, i, c);
		rc = fn(&a, ctx);
	}
	if (rc == 0 && n > 0) {
		cur->after = store_pg_int64(r, n - 1, MAMORI_AF_COUNT);
		if (key_col >= 0) {
			free(cur->key);
			if ((cur->key = strdup(store_pg_get(r, n - 1, key_col))) == NULL)
				rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		}
	}
	return rc;
}

/*
 * One snapshot for a walk of many chunks, as SQLite reads one statement in
 * one: opened when the connection is in no transaction (a reader's snapshot
 * or a write is the caller's own).  True when this call opened it.
 */
static bool
walk_snapshot(struct mamori_store *s)
{
	return PQtransactionStatus(s->pg->conn) == PQTRANS_IDLE &&
	    store_pg_exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", NULL) == 0;
}

static int
pg_page(struct mamori_store *s, const struct store_asset_query *qy,
    int (*fn)(const struct mamori_asset *a, void *ctx), void *ctx, struct mamori_error *err)
{
	struct list_sql terms, q;
	struct filter_params fp;
	struct page_cursor cur = { .after = qy->after > 0 ? qy->after : qy->desc ? INT64_MAX : 0 };
	int64_t want = qy->limit >= 0 ? qy->limit + 1 : -1;	/* one more than the page: whether more follow */
	size_t o = 0;
	int key_col, rc = 0;
	bool own = false, more = true;

	while (o + 1 < sizeof(orders) / sizeof(orders[0]) && orders[o].field != qy->order)
		o++;
	if (orders[o].field != qy->order)
		return mamori_error_set(err, MAMORI_E_USAGE, "%s", mamori_strerror(MAMORI_E_USAGE));	/* the caller's mistake */
	key_col = qy->order == MAMORI_AF_ID ? -1 : (int)qy->order;
	if (qy->key != NULL && qy->after > 0 && (cur.key = strdup(qy->key)) == NULL)
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	filter_terms(qy->filter, &terms, &fp);
	if (want < 0 || want > CHUNK)
		own = walk_snapshot(s);
	while (rc == 0 && more && want != 0) {
		int64_t limit = want < 0 || want > CHUNK ? CHUNK : want;
		struct store_pg_params p = fp.p;	/* the filter's values (lent), then the chunk's */
		PGresult *r = NULL;
		q.used = 0;
		chunk_sql(&q, &p, &terms, orders[o].column, qy->desc, &cur, limit);
		if ((rc = store_pg_run_built(s, q.text, &p, &r, err)) != 0)
			break;
		more = PQntuples(r) == limit;
		if (want > 0)
			want -= PQntuples(r);
		rc = chunk_walk(r, key_col, &cur, fn, ctx, err);
		PQclear(r);
	}
	if (own)
		store_pg_exec(s, "COMMIT", NULL);
	free(cur.key);
	return rc;
}

static bool
pg_in_transaction(struct mamori_store *s)
{
	return PQtransactionStatus(s->pg->conn) != PQTRANS_IDLE;
}

/* ---- the import ------------------------------------------------------- */

/*
 * The numbers an import gives are checked one by one, mostly in order: a
 * look-up fetches the taken numbers of a window of WINDOW from the one asked
 * and answers the numbers in it from a bitmap, one query per window instead
 * of one per number.
 */
enum { WINDOW = 4096 };

struct store_asset_taken {
	struct mamori_store *s;
	int64_t max;			/* the largest number at open: above it none is taken */
	int64_t lo;			/* the window: [lo, lo + WINDOW) */
	bool known;			/* bits answer the window (false: none read yet, or its query failed) */
	unsigned char bits[WINDOW / 8];
};

static int
pg_taken_open(struct mamori_store *s, struct store_asset_taken **out, struct mamori_error *err)
{
	struct store_asset_taken *t = calloc(1, sizeof(*t));
	int rc;

	*out = NULL;
	if (t == NULL)
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	t->s = s;
	if ((rc = pg_max_num(s, &t->max, err)) != 0) {
		free(t);
		return rc;
	}
	*out = t;
	return 0;
}

static int
pg_taken(struct store_asset_taken *t, int64_t num, bool *taken, struct mamori_error *err)
{
	static const char sql[] = "SELECT num FROM asset WHERE num >= $1 AND num <= $2";
	struct store_pg_params p = { 0 };
	PGresult *r = NULL;
	int rc;

	*taken = false;
	if (num > t->max)
		return 0;
	if (!t->known || num < t->lo || num - t->lo >= WINDOW) {
		store_pg_int(&p, num);
		store_pg_int(&p, num > INT64_MAX - (WINDOW - 1) ? INT64_MAX : num + (WINDOW - 1));
		if ((rc = store_pg_run(t->s, sql, &p, &r, err)) != 0) {
			t->known = false;
			return rc;
		}
		memset(t->bits, 0, sizeof(t->bits));
		t->lo = num;
		t->known = true;
		for (int i = 0; i < PQntuples(r); i++) {
			int64_t d = store_pg_int64(r, i, 0) - num;
			t->bits[d / 8] |= (unsigned char)(1u << (d % 8));
		}
		PQclear(r);
	}
	*taken = t->bits[(num - t->lo) / 8] >> ((num - t->lo) % 8) & 1;
	return 0;
}

static void
pg_taken_close(struct store_asset_taken **t)
{
	free(*t);
	*t = NULL;
}

/*
 * Building an index sorts its keys in maintenance_work_mem: the bulk
 * import's session gets at least 256 MB of it (a million assets' keys of
 * the name index fit), and the connection's setting back after.
 */
static int
pg_bulk_session(struct mamori_store *s, int (*fn)(void *ctx), void *ctx)
{
	static const char get[] = "SELECT current_setting('maintenance_work_mem')";
	static const char raise[] = "SELECT set_config('maintenance_work_mem', CASE WHEN "
	    "pg_size_bytes(current_setting('maintenance_work_mem')) < 268435456 THEN '256MB' ELSE "
	    "current_setting('maintenance_work_mem') END, false)";
	static const char restore[] = "SELECT set_config('maintenance_work_mem', $1, false)";
	struct store_pg_params p = { 0 };
	PGresult *r = NULL;
	char *before = NULL;
	int rc;

	if (store_pg_run(s, get, NULL, &r, NULL) == 0 && PQntuples(r) == 1)
		before = strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	if (before != NULL)
		store_pg_run(s, raise, NULL, NULL, NULL);
	rc = fn(ctx);
	if (before != NULL) {
		store_pg_text(&p, before);
		store_pg_run(s, restore, &p, NULL, NULL);
	}
	free(before);
	return rc;
}

/*
 * A bulk import keeps the register's indexes, where SQLite's drops and
 * rebuilds them: DROP INDEX would lock the table until commit, and every
 * reader of the register — the server's pages, the decision point's
 * assets, the milter — would fail after its lock_timeout for as long as the
 * import runs (minutes for a million rows), where on PostgreSQL as on SQLite
 * they should go on reading the register as it was.  Keeping the indexes
 * costs the server about a fifth more time on a million rows
 * (bench/README.md).  The planner's statistics of the new rows are taken at
 * the end, before autovacuum gets to them.
 */
static int
pg_bulk_begin(struct mamori_store_tx *tx, struct mamori_error *err)
{
	(void)tx;
	(void)err;
	return 0;
}

static int
pg_bulk_end(struct mamori_store_tx *tx, struct mamori_error *err)
{
	return store_pg_exec(tx->store, "ANALYZE asset", err);
}

const struct store_asset_ops store_pg_asset_ops = {
	.get = pg_get,
	.max_num = pg_max_num,
	.total = pg_total,
	.insert_open = pg_insert_open,
	.insert = pg_insert,
	.insert_close = pg_insert_close,
	.update = pg_update,
	.count = pg_count,
	.count_by = pg_count_by,
	.start = pg_start,
	.page = pg_page,
	.in_transaction = pg_in_transaction,
	.taken_open = pg_taken_open,
	.taken = pg_taken,
	.taken_close = pg_taken_close,
	.bulk_session = pg_bulk_session,
	.bulk_begin = pg_bulk_begin,
	.bulk_end = pg_bulk_end,
};
