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
#include "store_ops_record.h"

struct check_ctx {
	const struct mamori_policy *p;
	struct mamori_diags *conflicts;
};

/* One diagnostic per kind and state, naming the first record: a store may hold
 * thousands of closed incidents, and one line says what is wrong with all of them. */
static int
check_group(const char *kind, const char *state, int64_t count, const char *first, void *arg)
{
	struct check_ctx *c = arg;
	const struct mamori_record_kind *k = mamori_record_kind_find(c->p, kind);
	long long n = count;

	if (k == NULL)
		mamori_diags_add(c->conflicts, MAMORI_SEV_ERROR, first, 0, 0, "%lld records of kind '%s' "
		    "(the first %s): the kind is not in policy %s; keep its declaration under records:",
		    n, kind, first, c->p->id);
	else if (record_state_find(k, state) == NULL)
		mamori_diags_add(c->conflicts, MAMORI_SEV_ERROR, first, 0, 0, "%lld records of kind '%s' "
		    "in state '%s' (the first %s): the state is not in the kind's workflow in policy %s; "
		    "keep the state, or move the records out of it first", n, kind, state, first, c->p->id);
	return 0;
}

int
record_policy_check(struct mamori_store *s, const struct mamori_policy *p, struct mamori_diags *conflicts,
    struct mamori_error *err)
{
	struct check_ctx c = { .p = p, .conflicts = conflicts };

	return s->backend->record->groups(s, check_group, &c, err);
}
