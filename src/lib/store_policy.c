/*
 * store_policy.c — replacing the store's policy: validated, checked against
 * every asset, account and record the store holds, and recorded with its audit event
 * in one transaction of the single write path.
 */
#include "mamori/review.h"
#include "store_internal.h"
#include "store_ops_meta.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct replace_arg {
	const struct mamori_policy *p;
	struct mamori_diags *conflicts;
	struct mamori_error *err;
	int64_t version;		/* the version stored, after the insert */
	const char *review;		/* the 見直し the replacement carries out, or NULL */
	const char *buf;		/* the file's bytes: the review's approved proposal */
	size_t len;
};

/*
 * What each module keeps in the store, checked under a new policy inside the
 * replacing transaction (nothing can be added between the check and the
 * swap).  A module whose records depend on the policy adds its checker here
 * (store_internal.h); the replacement knows no module's rules itself.
 */
static const struct store_policy_checker checkers[] = {
	{ "assets", asset_policy_check },
	{ "accounts", user_policy_check },
	{ "records", record_policy_check },
};

static cJSON *
policy_summary(const struct mamori_policy *p)
{
	cJSON *o = cJSON_CreateObject();
	char hash[65];

	sodium_bin2hex(hash, sizeof(hash), p->sha256, 32);
	cJSON_AddStringToObject(o, "id", p->id);
	if (p->version)
		cJSON_AddStringToObject(o, "version", p->version);
	cJSON_AddStringToObject(o, "sha256", hash);
	return o;
}

static int
replace_tx(struct mamori_store_tx *tx, void *arg)
{
	struct replace_arg *x = arg;
	struct mamori_store *s = tx->store;
	char *json = NULL, hash[65], now[32];
	cJSON *before = NULL, *after = NULL;
	int rc;

	/* inside the transaction: the review cannot change between the check and the swap */
	if (x->review != NULL && (rc = mamori_review_check_proposal(s, x->review, x->buf, x->len, x->err)) != 0)
		return rc;
	for (size_t i = 0; i < sizeof(checkers) / sizeof(checkers[0]); i++)
		if ((rc = checkers[i].check(s, x->p, x->conflicts, x->err)) != 0)
			return rc;
	if (x->conflicts->errors > 0)
		return mamori_error_set(x->err, MAMORI_E_CONFLICT, "%zu problems of assets, accounts or records "
		    "under the new policy %s", x->conflicts->errors, x->p->id);
	if ((json = mamori_policy_to_json(x->p, false)) == NULL)
		return mamori_error_set(x->err, MAMORI_E_NOMEM, "out of memory");
	sodium_bin2hex(hash, sizeof(hash), x->p->sha256, 32);
	store_now(now);
	if ((rc = s->backend->meta->policy_put(s, x->p->id, hash, json, now, &x->version, x->err)) != 0)
		goto out;
	before = policy_summary(s->policy);
	after = policy_summary(x->p);
	if (x->review != NULL)
		cJSON_AddStringToObject(after, "review", x->review);
	rc = mamori_store_tx_event(tx, "policy.replace", "policy", x->p->id, before, after);
out:
	cJSON_Delete(before);
	cJSON_Delete(after);
	free(json);
	return rc;
}

int
mamori_store_policy_replace(struct mamori_store *s, const char *actor, const char *name,
    const char *buf, size_t len, struct mamori_diags *diags, struct mamori_diags *conflicts,
    struct mamori_error *err)
{
	return mamori_store_policy_replace_review(s, actor, name, buf, len, NULL, diags, conflicts, err);
}

int
mamori_store_policy_replace_review(struct mamori_store *s, const char *actor, const char *name,
    const char *buf, size_t len, const char *review, struct mamori_diags *diags, struct mamori_diags *conflicts,
    struct mamori_error *err)
{
	struct mamori_policy *p = NULL;
	struct replace_arg x = { .conflicts = conflicts, .err = err, .review = review, .buf = buf, .len = len };
	int rc;

	rc = mamori_policy_load_buffer(name, buf, len, diags, &p);
	mamori_diags_sort(diags);
	if (rc != 0)
		return mamori_error_set(err, rc, "%s: the policy is %s", name,
		    rc == MAMORI_E_INVALID ? "invalid" : "unreadable");
	x.p = p;
	if ((rc = mamori_store_write(s, actor, replace_tx, &x, err)) != 0) {
		mamori_policy_free(&p);
		return rc;
	}
	/* the policy stored is the JSON of p; p itself carries the same content */
	return store_set_policy(s, p, x.version);
}
