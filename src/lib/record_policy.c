/*
 * record_policy.c — the records a store holds, checked under the policy about
 * to replace its own (store_policy.c runs every module's checker inside the
 * replacing transaction).
 *
 * A record is read through its kind's declaration: its titles, who may move it
 * where, its deadlines.  A new policy that drops a kind, or a state some record
 * is in, would leave records nobody can show or move on, so the replacement is
 * refused and says which.  Fields are not checked: a field the new policy
 * drops stays in the record's JSON and its history, and a field it adds is
 * asked for only when a record is made or enters the state that requires it.
 */
#include "store_internal.h"
#include "mamori/diag.h"
#include "record_internal.h"

/* One diagnostic per kind and state, naming the first record: a store may hold
 * thousands of closed incidents, and one line says what is wrong with all of them. */
static const char groups_sql[] =
    "SELECT kind, state, count(*), min(id) FROM record GROUP BY kind, state ORDER BY kind, state";

int
record_policy_check(struct mamori_store *s, const struct mamori_policy *p, struct mamori_diags *conflicts,
    struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, groups_sql, err);
	int rc;

	if (st == NULL)
		return MAMORI_E_STORE;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 0);
		const char *state = (const char *)sqlite3_column_text(st, 1);
		long long n = sqlite3_column_int64(st, 2);
		const char *first = (const char *)sqlite3_column_text(st, 3);
		const struct mamori_record_kind *k = mamori_record_kind_find(p, kind);

		if (k == NULL)
			mamori_diags_add(conflicts, MAMORI_SEV_ERROR, first, 0, 0, "%lld records of kind '%s' "
			    "(the first %s): the kind is not in policy %s; keep its declaration under records:",
			    n, kind, first, p->id);
		else if (record_state_find(k, state) == NULL)
			mamori_diags_add(conflicts, MAMORI_SEV_ERROR, first, 0, 0, "%lld records of kind '%s' "
			    "in state '%s' (the first %s): the state is not in the kind's workflow in policy %s; "
			    "keep the state, or move the records out of it first", n, kind, state, first, p->id);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, err, "records");
	return 0;
}
