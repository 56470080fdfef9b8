/*
 * store_sqlite_record.c — SQLite's operations of the records engine
 * (store_ops_record.h): the table record, the notices in record_notice, and
 * the list's filters written as SQL.
 *
 * A page of the list is the first rows of one query read from an index from
 * the cursor on, whatever the size of the list.  An asker who sees only some
 * of a kind's records (its own, those it approved, its 課's) gets a union of
 * one index range per reason — reporter, approver, 課 — each cut at the
 * page's size: an OR in one WHERE would make SQLite gather every matching
 * record before sorting them (figures in bench/README.md).
 */
#include "store_ops_record.h"
#include "store_internal.h"
#include "store_sqlite.h"
#include "buf.h"
#include "mamori/record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The columns row_of reads, in its order. */
#define RECORD_COLUMNS "id, kind, seq, state, reporter, department, fields, state_since, escalations, " \
	"last_by, approver, created, updated, num"

static const char *
text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* The row st stands on (RECORD_COLUMNS), its strings lent until st moves. */
static void
row_of(sqlite3_stmt *st, struct store_record_row *r)
{
	*r = (struct store_record_row){ .id = text(st, 0), .kind = text(st, 1), .seq = sqlite3_column_int64(st, 2),
		.state = text(st, 3), .reporter = text(st, 4), .department = text(st, 5), .fields = text(st, 6),
		.state_since = sqlite3_column_int64(st, 7), .escalations = sqlite3_column_int64(st, 8),
		.last_by = text(st, 9), .approver = text(st, 10), .created = text(st, 11), .updated = text(st, 12),
		.num = sqlite3_column_int64(st, 13) };
}

static void
bind_or_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v != NULL)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static int
sqlite_get(struct mamori_store *s, const char *id, int (*fn)(const struct store_record_row *row, void *ctx),
    void *ctx, struct mamori_error *err)
{
	static const char sql[] = "SELECT " RECORD_COLUMNS " FROM record WHERE id = ?";
	sqlite3_stmt *st = store_cached(s, sql, err);
	struct store_record_row row;
	int rc, stop = 0;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		row_of(st, &row);
		stop = fn(&row, ctx);
	}
	store_release(s, st);
	if (rc == SQLITE_DONE)
		return mamori_error_set(err, MAMORI_E_NOTFOUND, "no record %s", id);
	if (rc != SQLITE_ROW)
		return store_error(s, err, "cannot read the record");
	return stop;
}

/* ---- the write path ---- */

static int
sqlite_next_seq(struct mamori_store_tx *tx, const char *kind, int64_t *seq, struct mamori_error *err)
{
	static const char sql[] = "SELECT COALESCE(MAX(seq), 0) + 1 FROM record WHERE kind = ?";
	struct mamori_store *s = tx->store;
	sqlite3_stmt *st = store_cached(s, sql, err);
	int rc;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	*seq = sqlite3_column_int64(st, 0);
	store_release(s, st);
	return rc == SQLITE_ROW ? 0 : store_error(s, err, "cannot number the record");
}

static int
sqlite_insert(struct mamori_store_tx *tx, const struct store_record_new *r, struct mamori_error *err)
{
	static const char sql[] = "INSERT INTO record (id, kind, seq, state, reporter, department, fields, "
	    "state_since, last_by, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	struct mamori_store *s = tx->store;
	sqlite3_stmt *st = store_cached(s, sql, err);
	int rc;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, r->id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, r->seq);
	sqlite3_bind_text(st, 4, r->state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->reporter, -1, SQLITE_STATIC);
	bind_or_null(st, 6, r->department);
	sqlite3_bind_text(st, 7, r->fields, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 8, r->state_since);
	sqlite3_bind_text(st, 9, r->last_by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, r->now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 11, r->now, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	store_release(s, st);
	return rc == SQLITE_DONE ? 0 : store_error(s, err, "cannot write the record");
}

static int
sqlite_update(struct mamori_store_tx *tx, const struct store_record_change *c, struct mamori_error *err)
{
	static const char sql[] = "UPDATE record SET state = ?, fields = ?, state_since = ?, escalations = 0, "
	    "last_by = ?, approver = COALESCE(?, approver), updated = ? WHERE id = ?";
	struct mamori_store *s = tx->store;
	sqlite3_stmt *st = store_cached(s, sql, err);
	int rc;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, c->state, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, c->fields, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, c->state_since);
	sqlite3_bind_text(st, 4, c->last_by, -1, SQLITE_TRANSIENT);
	bind_or_null(st, 5, c->approver);
	sqlite3_bind_text(st, 6, c->now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, c->id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	store_release(s, st);
	return rc == SQLITE_DONE ? 0 : store_error(s, err, "cannot update the record");
}

/* ---- the list's query ---- */

/* Values bound in order to the ?s of the query being built. */
enum { BIND_MAX = 256 };
struct query {
	struct buf sql;
	const char *text[BIND_MAX];
	int64_t num[BIND_MAX];
	bool is_num[BIND_MAX];
	size_t n;
	bool overflow;
};

static void
add(struct query *q, const char *sql)
{
	buf_add(&q->sql, sql, strlen(sql));
}

static void
bind_text(struct query *q, const char *v)
{
	if (q->n == BIND_MAX) {
		q->overflow = true;
		return;
	}
	q->is_num[q->n] = false;
	q->text[q->n++] = v;
	add(q, "?");
}

static void
bind_num(struct query *q, int64_t v)
{
	if (q->n == BIND_MAX) {
		q->overflow = true;
		return;
	}
	q->is_num[q->n] = true;
	q->num[q->n++] = v;
	add(q, "?");
}

/* " AND state IN (…)": the states of k that are not final (no state at all: "AND 0"). */
static void
open_states(struct query *q, const struct mamori_record_kind *k)
{
	size_t n = 0;

	for (size_t i = 0; i < k->nstates; i++) {
		if (k->states[i].final)
			continue;
		add(q, n++ ? ", " : " AND state IN (");
		bind_text(q, k->states[i].id);
	}
	add(q, n ? ")" : " AND 0");
}

/* What every arm of the query asks of a row of kind k. */
static void
common_terms(struct query *q, const struct mamori_record_kind *k, const struct store_record_query *f)
{
	add(q, " AND kind = ");
	bind_text(q, k->id);
	if (f->state != NULL) {
		add(q, " AND state = ");
		bind_text(q, f->state->id);
	} else if (f->open) {
		open_states(q, k);
	}
	if (f->reporter != NULL) {
		add(q, " AND reporter = ");
		bind_text(q, f->reporter);
	}
	if (f->before > 0) {
		add(q, " AND num < ");
		bind_num(q, f->before);
	}
}

/* One arm: the newest f->limit records of f's kind with column = value and the filter's terms. */
static void
arm(struct query *q, const char *column, const char *value, const struct store_record_query *f)
{
	char sql[160];

	/* named, not left to the planner: without statistics it may take
	 * record_kind_state for a filter by state and read every record of the
	 * kind in that state to find the asker's */
	snprintf(sql, sizeof(sql), "SELECT num FROM (SELECT num FROM record INDEXED BY %s WHERE %s = ",
	    strcmp(column, "reporter") == 0 ? "record_reporter_kind" : strcmp(column, "approver") == 0 ?
	    "record_approver" : "record_department", column);
	add(q, sql);
	bind_text(q, value);
	common_terms(q, f->kind, f);
	add(q, " ORDER BY num DESC LIMIT ");
	bind_num(q, (int64_t)f->limit);
	add(q, ")");
}

/*
 * The query for one named kind: a range of one index for an asker who sees
 * all, else the union of the ranges of what makes a record the asker's to see.
 */
static void
kind_query(struct query *q, const struct store_record_query *f)
{
	enum record_vis vis = f->asker ? f->vis[0] : RECORD_VIS_ALL;

	if (vis == RECORD_VIS_ALL) {
		/* a reporter: that account's range; a state: its range of
		 * record_kind_state; else the kind's range of record_kind_num, whose
		 * entries carry the state for "open" */
		add(q, "SELECT " RECORD_COLUMNS " FROM record INDEXED BY ");
		add(q, f->reporter ? "record_reporter_kind" : f->state ? "record_kind_state" : "record_kind_num");
		add(q, " WHERE 1");
		common_terms(q, f->kind, f);
	} else {
		add(q, "SELECT " RECORD_COLUMNS " FROM record WHERE num IN (");
		arm(q, "reporter", f->asker, f);
		add(q, " UNION ");
		arm(q, "approver", f->asker, f);
		if (vis == RECORD_VIS_DEPARTMENT) {
			add(q, " UNION ");
			arm(q, "department", f->asker_department, f);
		}
		add(q, ")");
	}
	add(q, " ORDER BY num DESC LIMIT ");
	bind_num(q, (int64_t)f->limit);
}

/* The query over every kind (no kind named): each kind's terms, ORed; kinds the policy lacks only unseen. */
static void
all_kinds_query(struct query *q, const struct store_record_query *f)
{
	const struct mamori_policy *p = f->policy;

	add(q, "SELECT " RECORD_COLUMNS " FROM record WHERE (0");
	for (size_t i = 0; i < p->nrecords; i++) {
		const struct mamori_record_kind *k = &p->records[i];
		enum record_vis vis = f->asker ? f->vis[i] : RECORD_VIS_ALL;
		add(q, " OR (kind = ");
		bind_text(q, k->id);
		if (f->open)
			open_states(q, k);
		if (vis != RECORD_VIS_ALL) {
			add(q, " AND (reporter = ");
			bind_text(q, f->asker);
			add(q, " OR approver = ");
			bind_text(q, f->asker);
			if (vis == RECORD_VIS_DEPARTMENT) {
				add(q, " OR department = ");
				bind_text(q, f->asker_department);
			}
			add(q, ")");
		}
		add(q, ")");
	}
	if (f->asker == NULL) {	/* a kind the policy no longer declares: in no state that is final */
		add(q, " OR kind NOT IN (''");
		for (size_t i = 0; i < p->nrecords; i++) {
			add(q, ", ");
			bind_text(q, p->records[i].id);
		}
		add(q, ")");
	}
	add(q, ")");
	if (f->reporter != NULL) {
		add(q, " AND reporter = ");
		bind_text(q, f->reporter);
	}
	if (f->before > 0) {
		add(q, " AND num < ");
		bind_num(q, f->before);
	}
	add(q, " ORDER BY num DESC LIMIT ");
	bind_num(q, (int64_t)f->limit);
}

/* The statement of list f with prefix before its SQL ("EXPLAIN QUERY PLAN "), its values bound, in *out. */
static int
list_prepare(struct mamori_store *s, const struct store_record_query *f, const char *prefix, sqlite3_stmt **out,
    struct mamori_error *err)
{
	struct query q = { 0 };
	int rc = 0;

	*out = NULL;
	add(&q, prefix);
	if (f->kind != NULL)
		kind_query(&q, f);
	else
		all_kinds_query(&q, f);
	buf_add(&q.sql, "", 1);
	if (q.sql.fail || q.overflow) {
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "the list's query is too large");
		goto out;
	}
	if ((*out = store_prepare(s, q.sql.p, err)) == NULL) {
		rc = MAMORI_E_STORE;
		goto out;
	}
	for (size_t i = 0; i < q.n; i++)
		if (q.is_num[i])
			sqlite3_bind_int64(*out, (int)i + 1, q.num[i]);
		else
			sqlite3_bind_text(*out, (int)i + 1, q.text[i], -1, SQLITE_STATIC);
out:
	buf_free(&q.sql);
	return rc;
}

static int
sqlite_list(struct mamori_store *s, const struct store_record_query *f,
    int (*fn)(const struct store_record_row *row, void *ctx), void *ctx, struct mamori_error *err)
{
	struct store_record_row row;
	sqlite3_stmt *st;
	int rc = list_prepare(s, f, "", &st, err), stop = 0;

	if (rc != 0)
		return rc;
	while (stop == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_of(st, &row);
		stop = fn(&row, ctx);
	}
	sqlite3_finalize(st);
	if (stop != 0)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_error(s, err, "cannot list the records");
}

static int
sqlite_list_plan(struct mamori_store *s, const struct store_record_query *f, char *plan, size_t n,
    struct mamori_error *err)
{
	sqlite3_stmt *st;
	size_t used = 0;
	int rc = list_prepare(s, f, "EXPLAIN QUERY PLAN ", &st, err);

	if (n > 0)
		plan[0] = '\0';
	if (rc != 0)
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW && used < n)
		used += (size_t)snprintf(plan + used, n - used, "%s\n", text(st, 3));
	sqlite3_finalize(st);
	return 0;
}

/* ---- the decision point's and the policy's ---- */

static int
sqlite_of_kind(struct mamori_store *s, const char *kind, const char *state,
    int (*fn)(const struct store_record_brief *r, void *ctx), void *ctx, struct mamori_error *err)
{
	/* through the index (kind, state, num) when a state is named: years of
	 * expired exceptions are not read */
	static const char in_state[] = "SELECT id, state, reporter, fields FROM record WHERE kind = ? AND state = ? "
	    "ORDER BY num";
	static const char any[] = "SELECT id, state, reporter, fields FROM record WHERE kind = ? ORDER BY num";
	sqlite3_stmt *st = store_cached(s, state ? in_state : any, err);
	struct store_record_brief r;
	int rc = SQLITE_DONE, stop = 0;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	if (state != NULL)
		sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
	while (stop == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = (struct store_record_brief){ .id = text(st, 0), .state = text(st, 1), .reporter = text(st, 2),
			.fields = text(st, 3) };
		stop = fn(&r, ctx);
	}
	store_release(s, st);
	if (stop != 0)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_error(s, err, "cannot read the records");
}

static int
sqlite_groups(struct mamori_store *s, int (*fn)(const char *kind, const char *state, int64_t n, const char *first,
    void *ctx), void *ctx, struct mamori_error *err)
{
	static const char sql[] =
	    "SELECT kind, state, count(*), min(id) FROM record GROUP BY kind, state ORDER BY kind, state";
	sqlite3_stmt *st = store_prepare(s, sql, err);
	int rc = SQLITE_DONE, stop = 0;

	if (st == NULL)
		return MAMORI_E_STORE;
	while (stop == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
		stop = fn(text(st, 0), text(st, 1), sqlite3_column_int64(st, 2), text(st, 3), ctx);
	sqlite3_finalize(st);
	if (stop != 0)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_error(s, err, "records");
}

const struct store_record_ops store_sqlite_record_ops = {
	.get = sqlite_get,
	.next_seq = sqlite_next_seq,
	.insert = sqlite_insert,
	.update = sqlite_update,
	.list = sqlite_list,
	.list_plan = sqlite_list_plan,
	.of_kind = sqlite_of_kind,
	.groups = sqlite_groups,
};
