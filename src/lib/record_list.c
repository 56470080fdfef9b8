/*
 * record_list.c — a page of records (mamori_record_list), every filter in the
 * SQL: the kind, the state (or every state that is not final), the reporter,
 * who may see them (record_visibility, the rule of mamori_record_may_see) and
 * the keyset cursor.  A page is then the first `limit` rows of the query, read
 * from an index from the cursor on, whatever the size of the list.
 *
 * An account that sees only some of a kind's records (its own, those it
 * approved, its 課's) gets a union of one index range per reason — reporter,
 * approver, 課 — each cut at the page's size: an OR in one WHERE would make
 * SQLite gather every matching record before sorting them (figures in
 * bench/README.md).
 */
#include "store_internal.h"
#include "mamori/i18n.h"
#include "mamori/record.h"
#include "mamori/user.h"
#include "buf.h"
#include "record_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
common_terms(struct query *q, const struct mamori_record_kind *k, const struct mamori_record_state *state,
    bool open, const struct mamori_record_filter *f)
{
	add(q, " AND kind = ");
	bind_text(q, k->id);
	if (state != NULL) {
		add(q, " AND state = ");
		bind_text(q, state->id);
	} else if (open) {
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

/* One arm: the newest `limit` records of k with column = value and the filter's terms. */
static void
arm(struct query *q, const char *column, const char *value, const struct mamori_record_kind *k,
    const struct mamori_record_state *state, bool open, const struct mamori_record_filter *f, size_t limit)
{
	char text[160];

	/* named, not left to the planner: without statistics it may take
	 * record_kind_state for a filter by state and read every record of the
	 * kind in that state to find the asker's */
	snprintf(text, sizeof(text), "SELECT num FROM (SELECT num FROM record INDEXED BY %s WHERE %s = ",
	    strcmp(column, "reporter") == 0 ? "record_reporter_kind" : strcmp(column, "approver") == 0 ?
	    "record_approver" : "record_department", column);
	add(q, text);
	bind_text(q, value);
	common_terms(q, k, state, open, f);
	add(q, " ORDER BY num DESC LIMIT ");
	bind_num(q, (int64_t)limit);
	add(q, ")");
}

/*
 * The query for one named kind as account u sees it (u NULL: every record):
 * a range of one index for those who see all, else the union of the ranges of
 * what makes a record u's to see.
 */
static void
kind_query(struct query *q, const struct mamori_record_kind *k, const struct mamori_record_state *state,
    bool open, const struct mamori_record_filter *f, const struct mamori_user *u, enum record_vis vis,
    size_t limit)
{
	if (u == NULL || vis == RECORD_VIS_ALL) {
		/* a reporter: that account's range; a state: its range of
		 * record_kind_state; else the kind's range of record_kind_num, whose
		 * entries carry the state for "open" */
		add(q, "SELECT " RECORD_COLUMNS " FROM record INDEXED BY ");
		add(q, f->reporter ? "record_reporter_kind" : state ? "record_kind_state" : "record_kind_num");
		add(q, " WHERE 1");
		common_terms(q, k, state, open, f);
	} else {
		add(q, "SELECT " RECORD_COLUMNS " FROM record WHERE num IN (");
		arm(q, "reporter", u->name, k, state, open, f, limit);
		add(q, " UNION ");
		arm(q, "approver", u->name, k, state, open, f, limit);
		if (vis == RECORD_VIS_DEPARTMENT) {
			add(q, " UNION ");
			arm(q, "department", u->department, k, state, open, f, limit);
		}
		add(q, ")");
	}
	add(q, " ORDER BY num DESC LIMIT ");
	bind_num(q, (int64_t)limit);
}

/* The query over every kind (no kind named): each kind's terms, ORed; kinds the policy lacks only unseen. */
static void
all_kinds_query(struct query *q, const struct mamori_policy *p, bool open, const struct mamori_record_filter *f,
    const struct mamori_user *u, size_t limit)
{
	add(q, "SELECT " RECORD_COLUMNS " FROM record WHERE (0");
	for (size_t i = 0; i < p->nrecords; i++) {
		const struct mamori_record_kind *k = &p->records[i];
		enum record_vis vis = u ? record_visibility(p, k, u) : RECORD_VIS_ALL;
		add(q, " OR (kind = ");
		bind_text(q, k->id);
		if (open)
			open_states(q, k);
		if (vis != RECORD_VIS_ALL) {
			add(q, " AND (reporter = ");
			bind_text(q, u->name);
			add(q, " OR approver = ");
			bind_text(q, u->name);
			if (vis == RECORD_VIS_DEPARTMENT) {
				add(q, " OR department = ");
				bind_text(q, u->department);
			}
			add(q, ")");
		}
		add(q, ")");
	}
	if (u == NULL) {	/* a kind the policy no longer declares: in no state that is final */
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
	bind_num(q, (int64_t)limit);
}

/* Runs q and puts its rows, up to limit, in *out with the cursor of the next page. */
static int
run(struct mamori_store *s, struct query *q, size_t limit, cJSON **out, struct mamori_error *err)
{
	sqlite3_stmt *st;
	cJSON *list;
	int64_t last = 0;
	size_t n = 0;
	bool more = false;
	int rc;

	buf_add(&q->sql, "", 1);
	if (q->sql.fail || q->overflow)
		return mamori_error_set(err, MAMORI_E_NOMEM, "the list's query is too large");
	if ((st = store_prepare(s, q->sql.p, err)) == NULL)
		return MAMORI_E_STORE;
	for (size_t i = 0; i < q->n; i++)
		if (q->is_num[i])
			sqlite3_bind_int64(st, (int)i + 1, q->num[i]);
		else
			sqlite3_bind_text(st, (int)i + 1, q->text[i], -1, SQLITE_STATIC);
	*out = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(*out, "records");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == limit) {
			more = true;
			break;
		}
		last = sqlite3_column_int64(st, 13);
		cJSON_AddItemToArray(list, record_row_json(s, st));
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		cJSON_Delete(*out);
		*out = NULL;
		return store_error(s, err, "cannot list the records");
	}
	if (more)
		cJSON_AddNumberToObject(*out, "next", (double)last);
	else
		cJSON_AddNullToObject(*out, "next");
	return 0;
}

static cJSON *
empty_page(void)
{
	cJSON *out = cJSON_CreateObject();

	cJSON_AddArrayToObject(out, "records");
	cJSON_AddNullToObject(out, "next");
	return out;
}

/*
 * Builds the query of f into q (limit: the page's size); *none when the
 * asker sees nothing at all.  Refuses an unknown kind or state.  The asker's
 * account is read into u, which q's values point into.
 */
static int
build(struct mamori_store *s, const struct mamori_record_filter *f, struct query *q, struct mamori_user *u,
    size_t *limit, bool *none, struct mamori_error *err)
{
	const struct mamori_policy *p = mamori_store_policy(s);
	const struct mamori_record_kind *k = f->kind ? mamori_record_kind_find(p, f->kind) : NULL;
	const struct mamori_record_state *state = k && f->state ? record_state_find(k, f->state) : NULL;
	bool open = f->state != NULL && strcmp(f->state, "open") == 0;
	struct mamori_error uerr = { 0 };
	bool as_user = f->visible_to != NULL;

	*limit = f->limit == 0 ? 50 : f->limit > 1000 ? 1000 : f->limit;
	*none = false;
	if (f->kind != NULL && k == NULL)
		return mamori_error_set(err, MAMORI_E_NOTFOUND, "the policy has no record kind '%s'", f->kind);
	if (f->state != NULL && !open && state == NULL)
		return mamori_error_set(err, MAMORI_E_INVALID, "'%s' is not a state of %s", f->state,
		    k ? k->title : _("any kind (name the kind)"));
	/* an account that does not exist or is disabled sees nothing (mamori_record_may_see) */
	if (as_user && (mamori_user_get(s, f->visible_to, u, &uerr) != 0 || u->disabled)) {
		*none = true;
		return 0;
	}
	/* one row more than the page: whether there is a next one */
	if (k != NULL)
		kind_query(q, k, state, open, f, as_user ? u : NULL,
		    as_user ? record_visibility(p, k, u) : RECORD_VIS_ALL, *limit + 1);
	else
		all_kinds_query(q, p, open, f, as_user ? u : NULL, *limit + 1);
	return 0;
}

int
mamori_record_list(struct mamori_store *s, const struct mamori_record_filter *f, cJSON **out,
    struct mamori_error *err)
{
	struct query q = { 0 };
	struct mamori_user u;
	size_t limit;
	bool none;
	int rc;

	*out = NULL;
	if ((rc = build(s, f, &q, &u, &limit, &none, err)) == 0) {
		if (none)
			*out = empty_page();
		else
			rc = run(s, &q, limit, out, err);
	}
	buf_free(&q.sql);
	return rc;
}

int
record_list_plan(struct mamori_store *s, const struct mamori_record_filter *f, char *plan, size_t n,
    struct mamori_error *err)
{
	struct query q = { 0 };
	struct mamori_user u;
	sqlite3_stmt *st = NULL;
	size_t limit, used = 0;
	bool none;
	int rc;

	plan[0] = '\0';
	if ((rc = build(s, f, &q, &u, &limit, &none, err)) != 0 || none)
		goto out;
	buf_add(&q.sql, "", 1);
	if (q.sql.fail || q.overflow) {
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "the list's query is too large");
		goto out;
	}
	char *text = malloc(strlen(q.sql.p) + 32);
	if (text == NULL) {
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		goto out;
	}
	snprintf(text, strlen(q.sql.p) + 32, "EXPLAIN QUERY PLAN %s", q.sql.p);
	st = store_prepare(s, text, err);
	free(text);
	if (st == NULL) {
		rc = MAMORI_E_STORE;
		goto out;
	}
	for (size_t i = 0; i < q.n; i++)
		if (q.is_num[i])
			sqlite3_bind_int64(st, (int)i + 1, q.num[i]);
		else
			sqlite3_bind_text(st, (int)i + 1, q.text[i], -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW && used < n)
		used += (size_t)snprintf(plan + used, n - used, "%s\n", (const char *)sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
out:
	buf_free(&q.sql);
	return rc;
}
