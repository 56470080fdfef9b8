/*
 * store_pg_record.c — PostgreSQL's operations of the records engine
 * (store_ops_record.h): the table record and the list's filters written as
 * SQL, with the same results as SQLite's (store_sqlite_record.c).
 *
 * A record's fields are text, stored and returned as the module wrote them:
 * neither backend reads the JSON, so nothing is cast to jsonb here.
 *
 * A page of the list is the first rows of one query read from an index from
 * the cursor on.  An asker who sees only some of a kind's records gets the
 * merge of one index range per reason — reporter, approver, 課 — each cut at
 * the page's size and each already in num order, so PostgreSQL merges them
 * (Merge Append) instead of sorting: no join back to the table, which on a
 * small table it would read whole.  The list's values travel as parameters;
 * those that are lists (the kinds an asker sees in full, the states that
 * are not final) as one array each, so that a policy of many kinds and
 * states never outgrows the parameters of one statement (at most 11 of
 * STORE_PG_PARAMS_MAX).
 */
#include "store_backend.h"
#include "store_internal.h"
#include "store_ops_record.h"
#include "store_pg.h"
#include "buf.h"
#include "mamori/record.h"

#include <stdio.h>
#include <string.h>

/* The columns row_of reads, in its order (as SQLite's). */
#define RECORD_COLUMNS "id, kind, seq, state, reporter, department, fields, state_since, escalations, " \
	"last_by, approver, created, updated, num"

/* A column that may be NULL: NULL then, as SQLite's sqlite3_column_text says. */
static const char *
text_or_null(const PGresult *r, int row, int col)
{
	return store_pg_null(r, row, col) ? NULL : store_pg_get(r, row, col);
}

/* Row i of r (RECORD_COLUMNS), its strings lent until r is cleared. */
static void
row_of(const PGresult *r, int i, struct store_record_row *row)
{
	*row = (struct store_record_row){ .id = store_pg_get(r, i, 0), .kind = store_pg_get(r, i, 1),
		.seq = store_pg_int64(r, i, 2), .state = store_pg_get(r, i, 3), .reporter = store_pg_get(r, i, 4),
		.department = text_or_null(r, i, 5), .fields = store_pg_get(r, i, 6),
		.state_since = store_pg_int64(r, i, 7), .escalations = store_pg_int64(r, i, 8),
		.last_by = store_pg_get(r, i, 9), .approver = text_or_null(r, i, 10), .created = store_pg_get(r, i, 11),
		.updated = store_pg_get(r, i, 12), .num = store_pg_int64(r, i, 13) };
}

/* Hands every row of r (RECORD_COLUMNS) to fn until it returns non-zero. */
static int
walk_rows(const PGresult *r, int (*fn)(const struct store_record_row *row, void *ctx), void *ctx)
{
	struct store_record_row row;
	int stop = 0;

	for (int i = 0; stop == 0 && i < PQntuples(r); i++) {
		row_of(r, i, &row);
		stop = fn(&row, ctx);
	}
	return stop;
}

static int
pg_get(struct mamori_store *s, const char *id, int (*fn)(const struct store_record_row *row, void *ctx),
    void *ctx, struct mamori_error *err)
{
	static const char sql[] = "SELECT " RECORD_COLUMNS " FROM record WHERE id = $1";
	struct store_pg_params p = { 0 };
	PGresult *r;
	int rc;

	store_pg_text(&p, id);
	if ((rc = store_pg_run(s, sql, &p, &r, err)) != 0)
		return rc;
	if (PQntuples(r) == 0)
		rc = mamori_error_set(err, MAMORI_E_NOTFOUND, "no record %s", id);
	else
		rc = walk_rows(r, fn, ctx);
	PQclear(r);
	return rc;
}

/* ---- the write path ---- */

static int
pg_next_seq(struct mamori_store_tx *tx, const char *kind, int64_t *seq, struct mamori_error *err)
{
	static const char sql[] = "SELECT COALESCE(MAX(seq), 0) + 1 FROM record WHERE kind = $1";
	struct store_pg_params p = { 0 };
	PGresult *r;
	int rc;

	store_pg_text(&p, kind);
	if ((rc = store_pg_run(tx->store, sql, &p, &r, err)) != 0)
		return rc;
	*seq = store_pg_int64(r, 0, 0);
	PQclear(r);
	return 0;
}

static int
pg_insert(struct mamori_store_tx *tx, const struct store_record_new *n, struct mamori_error *err)
{
	/* numbered as SQLite's rowid, the largest plus one (writers take turns) */
	static const char sql[] = "INSERT INTO record (num, id, kind, seq, state, reporter, department, fields, "
	    "state_since, last_by, created, updated) SELECT coalesce(max(num), 0) + 1, $1, $2, $3, $4, $5, $6, "
	    "$7, $8, $9, $10, $10 FROM record";
	struct store_pg_params p = { 0 };

	store_pg_text(&p, n->id);
	store_pg_text(&p, n->kind);
	store_pg_int(&p, n->seq);
	store_pg_text(&p, n->state);
	store_pg_text(&p, n->reporter);
	store_pg_text(&p, n->department);
	store_pg_text(&p, n->fields);
	store_pg_int(&p, n->state_since);
	store_pg_text(&p, n->last_by);
	store_pg_text(&p, n->now);
	return store_pg_run(tx->store, sql, &p, NULL, err);
}

static int
pg_update(struct mamori_store_tx *tx, const struct store_record_change *c, struct mamori_error *err)
{
	static const char sql[] = "UPDATE record SET state = $1, fields = $2, state_since = $3, escalations = 0, "
	    "last_by = $4, approver = COALESCE($5, approver), updated = $6 WHERE id = $7";
	struct store_pg_params p = { 0 };

	store_pg_text(&p, c->state);
	store_pg_text(&p, c->fields);
	store_pg_int(&p, c->state_since);
	store_pg_text(&p, c->last_by);
	store_pg_text(&p, c->approver);
	store_pg_text(&p, c->now);
	store_pg_text(&p, c->id);
	return store_pg_run(tx->store, sql, &p, NULL, err);
}

/* ---- the list's query ---- */

/*
 * The values a query of the list may name, each bound once as $n the first
 * time the SQL names it and named again by the same $n: PostgreSQL learns a
 * parameter's type from the SQL, so one never named may not be sent.
 */
enum slot {
	SLOT_KIND, SLOT_STATE, SLOT_REPORTER, SLOT_BEFORE, SLOT_LIMIT, SLOT_ASKER, SLOT_DEPARTMENT,
	/* arrays: the text of each is built in query.array */
	SLOT_OPEN,		/* the states of the named kind that are not final */
	SLOT_ALL, SLOT_OWN, SLOT_DEPT,	/* every kind: those seen in full, by own, by 課 */
	SLOT_KNOWN,		/* every kind the policy declares */
	SLOT_OPEN_KIND, SLOT_OPEN_STATE,	/* every kind: the pairs (kind, state not final) */
	SLOT_N,
	SLOT_ARRAY0 = SLOT_OPEN
};

struct query {
	struct buf sql;
	struct store_pg_params p;
	int num[SLOT_N];			/* its $n; 0: not bound yet */
	struct buf array[SLOT_N - SLOT_ARRAY0];	/* an array's text, {"a","b"} */
	size_t narray[SLOT_N - SLOT_ARRAY0];
};

static void
add(struct query *q, const char *sql)
{
	buf_adds(&q->sql, sql);
}

/* Names slot's value in the SQL, as $n with its type; text is its value when first named. */
static void
name_slot(struct query *q, enum slot slot, const char *text, int64_t num, const char *type)
{
	char ref[32];

	if (q->num[slot] == 0) {
		if (strcmp(type, "bigint") == 0)
			store_pg_int(&q->p, num);
		else
			store_pg_text(&q->p, text);
		q->num[slot] = q->p.n;
	}
	snprintf(ref, sizeof(ref), "$%d::%s", q->num[slot], type);
	add(q, ref);
}

static void
name_text(struct query *q, enum slot slot, const char *v)
{
	name_slot(q, slot, v, 0, "text");
}

static void
name_num(struct query *q, enum slot slot, int64_t v)
{
	name_slot(q, slot, NULL, v, "bigint");
}

/* Adds v to array slot's text, {"v1","v2" so far: quoted, its quotes and backslashes escaped. */
static void
array_add(struct query *q, enum slot slot, const char *v)
{
	struct buf *b = &q->array[slot - SLOT_ARRAY0];

	buf_adds(b, q->narray[slot - SLOT_ARRAY0]++ ? ",\"" : "{\"");
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			buf_addc(b, '\\');
		buf_addc(b, *v);
	}
	buf_addc(b, '"');
}

/* Names array slot in the SQL, its text closed the first time ({} when empty: matching nothing). */
static void
name_array(struct query *q, enum slot slot)
{
	struct buf *b = &q->array[slot - SLOT_ARRAY0];

	if (q->num[slot] == 0) {
		if (q->narray[slot - SLOT_ARRAY0] == 0)
			buf_addc(b, '{');
		buf_addc(b, '}');
		if (b->fail)
			q->sql.fail = true;
	}
	name_slot(q, slot, b->fail ? "{}" : b->p, 0, "text[]");
}

/* What every range of the named kind's query asks of a row. */
static void
common_terms(struct query *q, const struct store_record_query *f)
{
	add(q, " WHERE kind = ");
	name_text(q, SLOT_KIND, f->kind->id);
	if (f->state != NULL) {
		add(q, " AND state = ");
		name_text(q, SLOT_STATE, f->state->id);
	} else if (f->open) {
		if (q->num[SLOT_OPEN] == 0)
			for (size_t i = 0; i < f->kind->nstates; i++)
				if (!f->kind->states[i].final)
					array_add(q, SLOT_OPEN, f->kind->states[i].id);
		add(q, " AND state = ANY (");
		name_array(q, SLOT_OPEN);
		add(q, ")");
	}
	if (f->reporter != NULL) {
		add(q, " AND reporter = ");
		name_text(q, SLOT_REPORTER, f->reporter);
	}
	if (f->before > 0) {
		add(q, " AND num < ");
		name_num(q, SLOT_BEFORE, f->before);
	}
}

/* " ORDER BY num DESC LIMIT $n": the page's end. */
static void
newest(struct query *q, const struct store_record_query *f)
{
	add(q, " ORDER BY num DESC LIMIT ");
	name_num(q, SLOT_LIMIT, (int64_t)f->limit);
}

/* One range: the newest f->limit records of f's kind with column = slot's value and the filter's terms. */
static void
range(struct query *q, const char *column, enum slot slot, const char *value, const struct store_record_query *f)
{
	add(q, "(SELECT " RECORD_COLUMNS " FROM record");
	common_terms(q, f);
	add(q, " AND ");
	add(q, column);
	add(q, " = ");
	name_text(q, slot, value);
	newest(q, f);
	add(q, ")");
}

/*
 * The query for one named kind: a range of one index for an asker who sees
 * all, else the merge of the ranges of what makes a record the asker's to
 * see, each record once (DISTINCT ON: one the asker reported and approved is
 * in two ranges).
 */
static void
kind_query(struct query *q, const struct store_record_query *f)
{
	enum record_vis vis = f->asker ? f->vis[0] : RECORD_VIS_ALL;

	if (vis == RECORD_VIS_ALL) {
		add(q, "SELECT " RECORD_COLUMNS " FROM record");
		common_terms(q, f);
	} else {
		add(q, "SELECT DISTINCT ON (num) " RECORD_COLUMNS " FROM (");
		range(q, "reporter", SLOT_ASKER, f->asker, f);
		add(q, " UNION ALL ");
		range(q, "approver", SLOT_ASKER, f->asker, f);
		if (vis == RECORD_VIS_DEPARTMENT) {
			add(q, " UNION ALL ");
			range(q, "department", SLOT_DEPARTMENT, f->asker_department, f);
		}
		add(q, ") AS mine");
	}
	newest(q, f);
}

/* " OR (kind = ANY (slot) AND …)": the kinds of slot, as what the asker sees of them says (none: nothing). */
static void
kinds_seen(struct query *q, enum slot slot, const struct store_record_query *f)
{
	if (q->narray[slot - SLOT_ARRAY0] == 0)
		return;
	add(q, " OR (kind = ANY (");
	name_array(q, slot);
	add(q, ")");
	if (slot != SLOT_ALL) {
		add(q, " AND (reporter = ");
		name_text(q, SLOT_ASKER, f->asker);
		add(q, " OR approver = ");
		name_text(q, SLOT_ASKER, f->asker);
		if (slot == SLOT_DEPT) {
			add(q, " OR department = ");
			name_text(q, SLOT_DEPARTMENT, f->asker_department);
		}
		add(q, ")");
	}
	add(q, ")");
}

/*
 * The query over every kind (no kind named): the kinds seen in full, those
 * seen by own and by 課, an array each; with open, only the pairs (kind,
 * state not final); without an asker, kinds the policy lacks too, in any
 * state.  The newest first.
 */
static void
all_kinds_query(struct query *q, const struct store_record_query *f)
{
	const struct mamori_policy *p = f->policy;

	for (size_t i = 0; i < p->nrecords; i++) {
		const struct mamori_record_kind *k = &p->records[i];
		enum record_vis vis = f->asker ? f->vis[i] : RECORD_VIS_ALL;
		array_add(q, vis == RECORD_VIS_ALL ? SLOT_ALL : vis == RECORD_VIS_DEPARTMENT ? SLOT_DEPT : SLOT_OWN,
		    k->id);
		array_add(q, SLOT_KNOWN, k->id);
		for (size_t j = 0; f->open && j < k->nstates; j++)
			if (!k->states[j].final) {
				array_add(q, SLOT_OPEN_KIND, k->id);
				array_add(q, SLOT_OPEN_STATE, k->states[j].id);
			}
	}
	add(q, "SELECT " RECORD_COLUMNS " FROM record WHERE (((false");
	kinds_seen(q, SLOT_ALL, f);
	kinds_seen(q, SLOT_OWN, f);
	kinds_seen(q, SLOT_DEPT, f);
	add(q, ")");
	if (f->open) {
		add(q, " AND (kind, state) IN (SELECT k, s FROM unnest(");
		name_array(q, SLOT_OPEN_KIND);
		add(q, ", ");
		name_array(q, SLOT_OPEN_STATE);
		add(q, ") AS o (k, s))");
	}
	add(q, ")");
	if (f->asker == NULL) {	/* a kind the policy no longer declares: in any state */
		add(q, " OR NOT kind = ANY (");
		name_array(q, SLOT_KNOWN);
		add(q, ")");
	}
	add(q, ")");
	if (f->reporter != NULL) {
		add(q, " AND reporter = ");
		name_text(q, SLOT_REPORTER, f->reporter);
	}
	if (f->before > 0) {
		add(q, " AND num < ");
		name_num(q, SLOT_BEFORE, f->before);
	}
	newest(q, f);
}

static void
query_free(struct query *q)
{
	buf_free(&q->sql);
	for (size_t i = 0; i < SLOT_N - SLOT_ARRAY0; i++)
		buf_free(&q->array[i]);
}

/* Runs list f with prefix before its SQL ("EXPLAIN (COSTS OFF) "), its rows in *res. */
static int
list_run(struct mamori_store *s, const struct store_record_query *f, const char *prefix, PGresult **res,
    struct mamori_error *err)
{
	struct query q = { 0 };
	int rc;

	*res = NULL;
	add(&q, prefix);
	if (f->kind != NULL)
		kind_query(&q, f);
	else
		all_kinds_query(&q, f);
	if (q.sql.fail)
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	else
		rc = store_pg_run_built(s, q.sql.p, &q.p, res, err);
	query_free(&q);
	return rc;
}

static int
pg_list(struct mamori_store *s, const struct store_record_query *f,
    int (*fn)(const struct store_record_row *row, void *ctx), void *ctx, struct mamori_error *err)
{
	PGresult *r;
	int rc = list_run(s, f, "", &r, err);

	if (rc != 0)
		return rc;
	rc = walk_rows(r, fn, ctx);
	PQclear(r);
	return rc;
}

/*
 * PostgreSQL's plan of list f, one node a line as EXPLAIN writes it (without
 * its costs, which say nothing of the shape): "Index Scan Backward using
 * record_kind_num on record", and no "Sort" node for a page read in order.
 */
static int
pg_list_plan(struct mamori_store *s, const struct store_record_query *f, char *plan, size_t n,
    struct mamori_error *err)
{
	PGresult *r;
	size_t used = 0;
	int rc = list_run(s, f, "EXPLAIN (COSTS OFF) ", &r, err);

	if (n > 0)
		plan[0] = '\0';
	if (rc != 0)
		return rc;
	for (int i = 0; i < PQntuples(r) && used < n; i++)
		used += (size_t)snprintf(plan + used, n - used, "%s\n", store_pg_get(r, i, 0));
	PQclear(r);
	return 0;
}

/* ---- the decision point's and the policy's ---- */

static int
pg_of_kind(struct mamori_store *s, const char *kind, const char *state,
    int (*fn)(const struct store_record_brief *r, void *ctx), void *ctx, struct mamori_error *err)
{
	/* through the index (kind, state, num) when a state is named: years of
	 * expired exceptions are not read */
	static const char in_state[] = "SELECT id, state, reporter, fields FROM record WHERE kind = $1 AND state = $2 "
	    "ORDER BY num";
	static const char any[] = "SELECT id, state, reporter, fields FROM record WHERE kind = $1 ORDER BY num";
	struct store_pg_params p = { 0 };
	struct store_record_brief b;
	PGresult *r;
	int rc;

	store_pg_text(&p, kind);
	if (state != NULL)
		store_pg_text(&p, state);
	if ((rc = store_pg_run(s, state ? in_state : any, &p, &r, err)) != 0)
		return rc;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		b = (struct store_record_brief){ .id = store_pg_get(r, i, 0), .state = store_pg_get(r, i, 1),
			.reporter = store_pg_get(r, i, 2), .fields = store_pg_get(r, i, 3) };
		rc = fn(&b, ctx);
	}
	PQclear(r);
	return rc;
}

static int
pg_groups(struct mamori_store *s, int (*fn)(const char *kind, const char *state, int64_t n, const char *first,
    void *ctx), void *ctx, struct mamori_error *err)
{
	/* COLLATE "C" columns: ordered and min()'d by bytes, as SQLite's BINARY */
	static const char sql[] =
	    "SELECT kind, state, count(*), min(id) FROM record GROUP BY kind, state ORDER BY kind, state";
	PGresult *r;
	int rc;

	if ((rc = store_pg_run(s, sql, NULL, &r, err)) != 0)
		return rc;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++)
		rc = fn(store_pg_get(r, i, 0), store_pg_get(r, i, 1), store_pg_int64(r, i, 2), store_pg_get(r, i, 3),
		    ctx);
	PQclear(r);
	return rc;
}

const struct store_record_ops store_pg_record_ops = {
	.get = pg_get,
	.next_seq = pg_next_seq,
	.insert = pg_insert,
	.update = pg_update,
	.list = pg_list,
	.list_plan = pg_list_plan,
	.of_kind = pg_of_kind,
	.groups = pg_groups,
};
