/*
 * store_pg_check.c — the 自己点検, audits, risks and 見直し in PostgreSQL,
 * behind store_check_ops (store_ops_check.h): the table check_answer, and
 * what selfcheck.c, review.c and risk.c read of record, record_file, asset,
 * audit_event and policy (their schema is store_pg_schema.c's).  The same
 * statements as store_sqlite_check.c; each result is read whole before the
 * first callback, so a callback may read and write the store.
 */
#include "store_backend.h"
#include "store_internal.h"
#include "store_ops_check.h"
#include "store_pg.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* At most this many states in a filter of records (the modules ask for two), as SQLite's. */
enum { STATES_MAX = 8 };

/* Runs sql with p: *found, whether it has a row; column 0 of it into out (n bytes) when out is not NULL. */
static int
run_found(struct mamori_store *s, const char *sql, const struct store_pg_params *p, bool *found, char *out,
    size_t n, struct mamori_error *err)
{
	PGresult *r = NULL;
	int rc;

	*found = false;
	if ((rc = store_pg_run(s, sql, p, &r, err)) != 0)
		return rc;
	*found = PQntuples(r) > 0;
	if (*found && out != NULL)
		snprintf(out, n, "%s", store_pg_get(r, 0, 0));
	PQclear(r);
	return 0;
}

/* ---- answers ---------------------------------------------------------- */

/* Column col of row 0, NULL when NULL (an answer's comment and evidence). */
static const char *
nullable(const PGresult *r, int col)
{
	return store_pg_null(r, 0, col) ? NULL : store_pg_get(r, 0, col);
}

static int
pg_answer(struct mamori_store *s, const char *record, const char *department, const char *item,
    int (*fn)(const struct store_check_answer *a, void *ctx), void *ctx, struct mamori_error *err)
{
	static const char sql[] = "SELECT answer, comment, evidence, by, at FROM check_answer "
	    "WHERE record = $1 AND department = $2 AND item = $3";
	struct store_pg_params p = { 0 };
	PGresult *r = NULL;
	int rc;

	store_pg_text(&p, record);
	store_pg_text(&p, department);
	store_pg_text(&p, item);
	if ((rc = store_pg_run(s, sql, &p, &r, err)) != 0)
		return rc;
	if (PQntuples(r) > 0) {
		struct store_check_answer a = {
			.record = record, .department = department, .item = item,
			.answer = store_pg_get(r, 0, 0),
			.comment = nullable(r, 1),
			.evidence = nullable(r, 2),
			.by = store_pg_get(r, 0, 3), .at = store_pg_get(r, 0, 4),
		};
		rc = fn(&a, ctx);
	} else {
		rc = mamori_error_set(err, MAMORI_E_NOTFOUND, "%s: %s", "no answer stored", item);
	}
	PQclear(r);
	return rc;
}

static int
pg_answer_put(struct mamori_store *s, const struct store_check_answer *a, struct mamori_error *err)
{
	/* SQLite's INSERT OR REPLACE: the key is the table's only unique one */
	static const char sql[] = "INSERT INTO check_answer (record, department, item, answer, comment, evidence, by, at) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (record, department, item) DO UPDATE SET "
	    "answer = excluded.answer, comment = excluded.comment, evidence = excluded.evidence, by = excluded.by, "
	    "at = excluded.at";
	struct store_pg_params p = { 0 };

	store_pg_text(&p, a->record);
	store_pg_text(&p, a->department);
	store_pg_text(&p, a->item);
	store_pg_text(&p, a->answer);
	store_pg_text(&p, a->comment);
	store_pg_text(&p, a->evidence);
	store_pg_text(&p, a->by);
	store_pg_text(&p, a->at);
	return store_pg_run(s, sql, &p, NULL, err);
}

static int
pg_answers_of(struct mamori_store *s, const char *record, const char *department,
    int (*fn)(const char *item, const char *answer, void *ctx), void *ctx, struct mamori_error *err)
{
	/* item is COLLATE "C": bytewise, as SQLite's BINARY */
	static const char sql[] = "SELECT item, answer FROM check_answer WHERE record = $1 AND department = $2 "
	    "ORDER BY item";
	struct store_pg_params p = { 0 };
	PGresult *r = NULL;
	int rc;

	store_pg_text(&p, record);
	store_pg_text(&p, department);
	if ((rc = store_pg_run(s, sql, &p, &r, err)) != 0)
		return rc;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++)
		rc = fn(store_pg_get(r, i, 0), store_pg_get(r, i, 1), ctx);
	PQclear(r);
	return rc;
}

/* ---- evidence ----------------------------------------------------------- */

static int
pg_file_exists(struct mamori_store *s, const char *record, int64_t num, bool *found, struct mamori_error *err)
{
	static const char sql[] = "SELECT 1 FROM record_file WHERE record = $1 AND num = $2";
	struct store_pg_params p = { 0 };

	store_pg_text(&p, record);
	store_pg_int(&p, num);
	return run_found(s, sql, &p, found, NULL, 0, err);
}

static int
pg_asset_exists(struct mamori_store *s, const char *id, bool *found, struct mamori_error *err)
{
	static const char sql[] = "SELECT 1 FROM asset WHERE id = $1";
	struct store_pg_params p = { 0 };

	store_pg_text(&p, id);
	return run_found(s, sql, &p, found, NULL, 0, err);
}

static int
pg_event_exists(struct mamori_store *s, int64_t seq, bool *found, struct mamori_error *err)
{
	static const char sql[] = "SELECT 1 FROM audit_event WHERE seq = $1";
	struct store_pg_params p = { 0 };

	store_pg_int(&p, seq);
	return run_found(s, sql, &p, found, NULL, 0, err);
}

/* The asset table's column of an axis id, NULL for another. */
static const char *
axis_column(const char *axis)
{
	return strcmp(axis, "confidentiality") == 0 ? "c" : strcmp(axis, "integrity") == 0 ? "i" :
	    strcmp(axis, "availability") == 0 ? "a" : NULL;
}

/* The count (ids false) or the first ids (ids true) of register_gaps' assets, as SQL into sql. */
static void
gaps_sql(char sql[300], const char *col, enum store_check_gap gap, bool ids)
{
	bool storage = gap == STORE_CHECK_NO_LOCATION;
	const char *what = storage ? "status = 'active'" : "status = 'disposed'";
	const char *cond = storage ? " AND location = ''" : " AND COALESCE(disposed_method, '') = ''";

	/* col is one of three fixed names, never input; the count takes no $3
	 * (PostgreSQL cannot type a parameter a statement does not use) */
	snprintf(sql, 300, "SELECT %s FROM asset WHERE department = $1 AND %s = $2 AND %s%s%s",
	    ids ? "id" : "count(*)", col, what, ids ? cond : "", ids ? " ORDER BY id LIMIT $3" : "");
}

static int
pg_register_gaps(struct mamori_store *s, const char *department, const char *axis, int level,
    enum store_check_gap gap, size_t max, int64_t *total, int (*fn)(const char *id, void *ctx), void *ctx,
    struct mamori_error *err)
{
	const char *col = axis ? axis_column(axis) : NULL;
	char sql[300];
	int rc = 0;

	*total = 0;
	if (col == NULL)
		return mamori_error_set(err, MAMORI_E_INVALID, "%s: %s", "the register rates no such axis", axis ? axis : "");
	for (int ids = 0; rc == 0 && ids < 2; ids++) {
		struct store_pg_params p = { 0 };
		PGresult *r = NULL;

		gaps_sql(sql, col, gap, ids);
		store_pg_text(&p, department);
		store_pg_int(&p, level);
		if (ids)
			store_pg_int(&p, max > (size_t)INT64_MAX ? INT64_MAX : (int64_t)max);
		if ((rc = store_pg_run_built(s, sql, &p, &r, err)) != 0)
			return rc;
		for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
			if (!ids)
				*total = store_pg_int64(r, i, 0);
			else
				rc = fn(store_pg_get(r, i, 0), ctx);
		}
		PQclear(r);
	}
	return rc;
}

/* ---- records, files, policies ----------------------------------------------- */

/* "head WHERE kind = $1 AND state IN ($2, …)tail" for n states (none: no state term), into sql. */
static int
kind_states_sql(char *sql, size_t n, const char *head, size_t nstates, const char *tail, struct mamori_error *err)
{
	size_t used;

	if (nstates > STATES_MAX)
		return mamori_error_set(err, MAMORI_E_INVALID, "%s: %s", "too many states in a filter of records", head);
	used = (size_t)snprintf(sql, n, "%s WHERE kind = $1", head);
	for (size_t i = 0; i < nstates; i++)
		used += (size_t)snprintf(sql + used, n - used, "%s$%zu", i == 0 ? " AND state IN (" : ", ", i + 2);
	snprintf(sql + used, n - used, "%s%s", nstates ? ")" : "", tail);
	return 0;
}

/* Runs head … tail (kind_states_sql) for kind and states: 0 with *r, or an error. */
static int
run_kind_states(struct mamori_store *s, const char *head, const char *tail, const char *kind,
    const char *const *states, size_t nstates, PGresult **r, struct mamori_error *err)
{
	struct store_pg_params p = { 0 };
	char sql[256];
	int rc;

	if ((rc = kind_states_sql(sql, sizeof(sql), head, nstates, tail, err)) != 0)
		return rc;
	store_pg_text(&p, kind);
	for (size_t i = 0; i < nstates; i++)
		store_pg_text(&p, states[i]);
	return store_pg_run_built(s, sql, &p, r, err);
}

static int
pg_records(struct mamori_store *s, const char *kind, const char *const *states, size_t nstates,
    int (*fn)(const char *id, void *ctx), void *ctx, struct mamori_error *err)
{
	PGresult *r = NULL;
	int rc;

	/* the result is read whole before fn is first called: fn may write the store */
	if ((rc = run_kind_states(s, "SELECT id FROM record", " ORDER BY num", kind, states, nstates, &r, err)) != 0)
		return rc;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++)
		rc = fn(store_pg_get(r, i, 0), ctx);
	PQclear(r);
	return rc;
}

static int
pg_records_updated(struct mamori_store *s, const char *kind, const char *const *states, size_t nstates,
    char out[STORE_CHECK_TIME_MAX], struct mamori_error *err)
{
	PGresult *r = NULL;
	int rc;

	out[0] = '\0';
	/* updated is RFC 3339 text in the "C" collation: its max is the latest */
	if ((rc = run_kind_states(s, "SELECT max(updated) FROM record", "", kind, states, nstates, &r, err)) != 0)
		return rc;
	if (PQntuples(r) > 0 && !store_pg_null(r, 0, 0))
		snprintf(out, STORE_CHECK_TIME_MAX, "%s", store_pg_get(r, 0, 0));
	PQclear(r);
	return 0;
}

static int
pg_policy_loaded(struct mamori_store *s, char out[STORE_CHECK_TIME_MAX], struct mamori_error *err)
{
	static const char sql[] = "SELECT loaded_at FROM policy ORDER BY version DESC LIMIT 1";
	bool found;

	out[0] = '\0';
	return run_found(s, sql, NULL, &found, out, STORE_CHECK_TIME_MAX, err);
}

static int
pg_file_sha256(struct mamori_store *s, const char *record, int64_t num, char hex[65], bool *found,
    struct mamori_error *err)
{
	static const char sql[] = "SELECT sha256 FROM record_file WHERE record = $1 AND num = $2";
	struct store_pg_params p = { 0 };

	hex[0] = '\0';
	store_pg_text(&p, record);
	store_pg_int(&p, num);
	return run_found(s, sql, &p, found, hex, 65, err);
}

const struct store_check_ops store_pg_check_ops = {
	.answer = pg_answer,
	.answer_put = pg_answer_put,
	.answers_of = pg_answers_of,
	.file_exists = pg_file_exists,
	.asset_exists = pg_asset_exists,
	.event_exists = pg_event_exists,
	.register_gaps = pg_register_gaps,
	.records = pg_records,
	.records_updated = pg_records_updated,
	.policy_loaded = pg_policy_loaded,
	.file_sha256 = pg_file_sha256,
};
