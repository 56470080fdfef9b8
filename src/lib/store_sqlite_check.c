/*
 * store_sqlite_check.c — the 自己点検, audits, risks and 見直し in SQLite,
 * behind store_check_ops (store_ops_check.h): the table check_answer, and
 * what selfcheck.c, review.c and risk.c read of record, record_notice,
 * record_file, asset, audit_event and policy (their schema is store.c's
 * migrations).
 */
#include "store_ops_check.h"
#include "store_internal.h"
#include "buf.h"
#include "store_sqlite.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/*
 * At most this many states in a filter of records (the modules ask for two).
 * The messages of this file are the store's, as store_error's: "%s: %s" with
 * an English what, never shown to someone who could act on it.
 */
enum { STATES_MAX = 8 };



/* Steps a statement that has a row or not: *found, or a store error. */
static int
step_found(struct mamori_store *s, sqlite3_stmt *st, bool *found, struct mamori_error *err, const char *what)
{
	int step = sqlite3_step(st);

	*found = step == SQLITE_ROW;
	return step == SQLITE_ROW || step == SQLITE_DONE ? 0 : store_error(s, err, what);
}

/* ---- answers ---------------------------------------------------------- */

static int
answer(struct mamori_store *s, const char *record, const char *department, const char *item,
    int (*fn)(const struct store_check_answer *a, void *ctx), void *ctx, struct mamori_error *err)
{
	static const char sql[] = "SELECT answer, comment, evidence, by, at FROM check_answer "
	    "WHERE record = ? AND department = ? AND item = ?";
	/* cached: the sheet and the progress ask once per item and 課 */
	sqlite3_stmt *st = store_cached(s, sql, err);
	int rc, step;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, record, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, department, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, item, -1, SQLITE_TRANSIENT);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		struct store_check_answer a = {
			.record = record, .department = department, .item = item,
			.answer = store_text(st, 0),
			.comment = (const char *)sqlite3_column_text(st, 1),
			.evidence = (const char *)sqlite3_column_text(st, 2),
			.by = store_text(st, 3), .at = store_text(st, 4),
		};
		rc = fn(&a, ctx);
	} else if (step == SQLITE_DONE) {
		rc = mamori_error_set(err, MAMORI_E_NOTFOUND, "%s: %s", "no answer stored", item);
	} else {
		rc = store_error(s, err, "cannot read the answer");
	}
	store_release(s, st);
	return rc;
}

static int
answer_put(struct mamori_store *s, const struct store_check_answer *a, struct mamori_error *err)
{
	static const char sql[] = "INSERT OR REPLACE INTO check_answer (record, department, item, answer, comment, "
	    "evidence, by, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st = store_cached(s, sql, err);
	int step;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, a->record, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, a->department, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, a->item, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, a->answer, -1, SQLITE_TRANSIENT);
	if (a->comment != NULL)
		sqlite3_bind_text(st, 5, a->comment, -1, SQLITE_TRANSIENT);
	if (a->evidence != NULL)
		sqlite3_bind_text(st, 6, a->evidence, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, a->by, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 8, a->at, -1, SQLITE_TRANSIENT);
	step = sqlite3_step(st);
	store_release(s, st);
	return step == SQLITE_DONE ? 0 : store_error(s, err, "cannot write the answer");
}

static int
answers_of(struct mamori_store *s, const char *record, const char *department,
    int (*fn)(const char *item, const char *answer, void *ctx), void *ctx, struct mamori_error *err)
{
	static const char sql[] = "SELECT item, answer FROM check_answer WHERE record = ? AND department = ? ORDER BY item";
	sqlite3_stmt *st = store_prepare(s, sql, err);
	int rc = 0, step;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, record, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, department, -1, SQLITE_TRANSIENT);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = fn(store_text(st, 0), store_text(st, 1), ctx);
	rc = store_walk_end(s, rc, step, err, "cannot read the answers");
	sqlite3_finalize(st);
	return rc;
}

/* ---- evidence ----------------------------------------------------------- */

static int
file_exists(struct mamori_store *s, const char *record, int64_t num, bool *found, struct mamori_error *err)
{
	static const char sql[] = "SELECT 1 FROM record_file WHERE record = ? AND num = ?";
	sqlite3_stmt *st = store_cached(s, sql, err);
	int rc;

	*found = false;
	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, record, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, num);
	rc = step_found(s, st, found, err, "cannot read the record's files");
	store_release(s, st);
	return rc;
}

static int
asset_exists(struct mamori_store *s, const char *id, bool *found, struct mamori_error *err)
{
	static const char sql[] = "SELECT 1 FROM asset WHERE id = ?";
	sqlite3_stmt *st = store_cached(s, sql, err);
	int rc;

	*found = false;
	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	rc = step_found(s, st, found, err, "cannot read the register");
	store_release(s, st);
	return rc;
}

static int
event_exists(struct mamori_store *s, int64_t seq, bool *found, struct mamori_error *err)
{
	static const char sql[] = "SELECT 1 FROM audit_event WHERE seq = ?";
	sqlite3_stmt *st = store_cached(s, sql, err);
	int rc;

	*found = false;
	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_int64(st, 1, seq);
	rc = step_found(s, st, found, err, "cannot read the audit trail");
	store_release(s, st);
	return rc;
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

	/* col is one of three fixed names, never input */
	snprintf(sql, 300, "SELECT %s FROM asset WHERE department = ?1 AND %s = ?2 AND %s%s%s", ids ? "id" : "COUNT(*)",
	    col, what, ids ? cond : "", ids ? " ORDER BY id LIMIT ?3" : "");
}

static int
register_gaps(struct mamori_store *s, const char *department, const char *axis, int level,
    enum store_check_gap gap, size_t max, int64_t *total, int (*fn)(const char *id, void *ctx), void *ctx,
    struct mamori_error *err)
{
	const char *col = axis ? axis_column(axis) : NULL;
	char sql[300];
	sqlite3_stmt *st = NULL;
	int rc = 0, step = SQLITE_DONE;

	*total = 0;
	if (col == NULL)
		return mamori_error_set(err, MAMORI_E_INVALID, "%s: %s", "the register rates no such axis", axis ? axis : "");
	for (int ids = 0; rc == 0 && ids < 2; ids++) {
		gaps_sql(sql, col, gap, ids);
		if ((st = store_prepare(s, sql, err)) == NULL)
			return MAMORI_E_STORE;
		sqlite3_bind_text(st, 1, department, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 2, level);
		if (ids)
			sqlite3_bind_int64(st, 3, (sqlite3_int64)(max > (size_t)INT64_MAX ? INT64_MAX : (int64_t)max));
		while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
			if (!ids)
				*total = sqlite3_column_int64(st, 0);
			else
				rc = fn(store_text(st, 0), ctx);
		}
		rc = store_walk_end(s, rc, step, err, "cannot read the register");
		sqlite3_finalize(st);
	}
	return rc;
}

/* ---- records, notices, files, policies ------------------------------------ */

/* "kind = ?1 AND state IN (?2, …)" for n states (none: no state term), into sql. */
static int
kind_states_sql(char *sql, size_t n, const char *head, size_t nstates, const char *tail, struct mamori_error *err)
{
	size_t used;

	if (nstates > STATES_MAX)
		return mamori_error_set(err, MAMORI_E_INVALID, "%s: %s", "too many states in a filter of records", head);
	used = (size_t)snprintf(sql, n, "%s WHERE kind = ?1", head);
	for (size_t i = 0; i < nstates; i++)
		used += (size_t)snprintf(sql + used, n - used, "%s?%zu", i == 0 ? " AND state IN (" : ", ", i + 2);
	snprintf(sql + used, n - used, "%s%s", nstates ? ")" : "", tail);
	return 0;
}

static void
bind_kind_states(sqlite3_stmt *st, const char *kind, const char *const *states, size_t nstates)
{
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
	for (size_t i = 0; i < nstates; i++)
		sqlite3_bind_text(st, (int)i + 2, states[i], -1, SQLITE_TRANSIENT);
}

static int
records(struct mamori_store *s, const char *kind, const char *const *states, size_t nstates,
    int (*fn)(const char *id, void *ctx), void *ctx, struct mamori_error *err)
{
	char sql[256];
	sqlite3_stmt *st;
	int rc, step;

	struct buf ids = { 0 };		/* the ids, each with its NUL */

	if ((rc = kind_states_sql(sql, sizeof(sql), "SELECT id FROM record", nstates, " ORDER BY num", err)) != 0)
		return rc;
	if ((st = store_prepare(s, sql, err)) == NULL)
		return MAMORI_E_STORE;
	bind_kind_states(st, kind, states, nstates);
	/* gathered first, the statement ended, then handed over: fn writes the
	 * store (a reminder's notices and events), which no backend need allow
	 * while a walk is open */
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		buf_add(&ids, store_text(st, 0), strlen(store_text(st, 0)) + 1);
	rc = store_walk_end(s, 0, step, err, "cannot read the records");
	sqlite3_finalize(st);
	if (rc == 0 && ids.fail)
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "%s: %s", "cannot read the records", "out of memory");
	for (size_t at = 0; rc == 0 && at < ids.len; at += strlen(ids.p + at) + 1)
		rc = fn(ids.p + at, ctx);
	buf_free(&ids);
	return rc;
}

static int
records_updated(struct mamori_store *s, const char *kind, const char *const *states, size_t nstates,
    char out[STORE_CHECK_TIME_MAX], struct mamori_error *err)
{
	char sql[256];
	sqlite3_stmt *st;
	int rc, step;

	out[0] = '\0';
	if ((rc = kind_states_sql(sql, sizeof(sql), "SELECT MAX(updated) FROM record", nstates, "", err)) != 0)
		return rc;
	if ((st = store_prepare(s, sql, err)) == NULL)
		return MAMORI_E_STORE;
	bind_kind_states(st, kind, states, nstates);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		snprintf(out, STORE_CHECK_TIME_MAX, "%s", store_text(st, 0));
	rc = step == SQLITE_ROW || step == SQLITE_DONE ? 0 : store_error(s, err, "cannot read the records");
	sqlite3_finalize(st);
	return rc;
}

static int
policy_loaded(struct mamori_store *s, char out[STORE_CHECK_TIME_MAX], struct mamori_error *err)
{
	static const char sql[] = "SELECT loaded_at FROM policy ORDER BY version DESC LIMIT 1";
	sqlite3_stmt *st = store_prepare(s, sql, err);
	int step;

	out[0] = '\0';
	if (st == NULL)
		return MAMORI_E_STORE;
	step = sqlite3_step(st);
	if (step == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		snprintf(out, STORE_CHECK_TIME_MAX, "%s", store_text(st, 0));
	sqlite3_finalize(st);
	return step == SQLITE_ROW || step == SQLITE_DONE ? 0 : store_error(s, err, "cannot read the policies");
}

static int
file_sha256(struct mamori_store *s, const char *record, int64_t num, char hex[65], bool *found,
    struct mamori_error *err)
{
	static const char sql[] = "SELECT sha256 FROM record_file WHERE record = ? AND num = ?";
	sqlite3_stmt *st = store_prepare(s, sql, err);
	int rc;

	hex[0] = '\0';
	*found = false;
	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, record, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, num);
	if ((rc = step_found(s, st, found, err, "cannot read the record's files")) == 0 && *found)
		snprintf(hex, 65, "%s", store_text(st, 0));
	sqlite3_finalize(st);
	return rc;
}

const struct store_check_ops store_sqlite_check_ops = {
	.answer = answer,
	.answer_put = answer_put,
	.answers_of = answers_of,
	.file_exists = file_exists,
	.asset_exists = asset_exists,
	.event_exists = event_exists,
	.register_gaps = register_gaps,
	.records = records,
	.records_updated = records_updated,
	.policy_loaded = policy_loaded,
	.file_sha256 = file_sha256,
};
