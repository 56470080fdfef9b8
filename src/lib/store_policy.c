/*
 * store_policy.c — replacing the store's policy: validated, checked against
 * every asset and account the store holds, and recorded with its audit event
 * in one transaction of the single write path.
 */
#include "store_internal.h"
#include "mamori/asset.h"
#include "mamori/user.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct replace_arg {
	const struct mamori_policy *p;
	struct mamori_diags *conflicts;
	struct mamori_error *err;
	int64_t version;		/* the version stored, after the insert */
};

/* Every problem of one asset under the new policy, each prefixed with its id. */
static int
check_asset(const struct mamori_asset *a, void *ctx)
{
	struct replace_arg *x = ctx;
	struct mamori_asset copy = { 0 };
	struct mamori_diags d = { 0 };

	for (int k = 0; k < MAMORI_AF_COUNT; k++)
		if (a->f[k] && mamori_asset_set(&copy, (enum mamori_asset_field)k, a->f[k]) != 0) {
			mamori_asset_clear(&copy);
			return MAMORI_E_NOMEM;
		}
	mamori_asset_check(x->p, &copy, NULL, 0, &d);
	for (size_t i = 0; i < d.count; i++)
		mamori_diags_add(x->conflicts, MAMORI_SEV_ERROR, a->f[MAMORI_AF_ID], 0, 0, "asset %s: %s",
		    a->f[MAMORI_AF_ID], d.items[i].message);
	mamori_diags_clear(&d);
	mamori_asset_clear(&copy);
	return 0;
}

static int
check_user(const struct mamori_user *u, void *ctx)
{
	struct replace_arg *x = ctx;

	if (mamori_policy_role(x->p, u->role) == NULL)
		mamori_diags_add(x->conflicts, MAMORI_SEV_ERROR, u->name, 0, 0, "user %s: role '%s' is not "
		    "in policy %s", u->name, u->role, x->p->id);
	if (u->department[0] && mamori_policy_department(x->p, u->department) == NULL)
		mamori_diags_add(x->conflicts, MAMORI_SEV_ERROR, u->name, 0, 0, "user %s: department '%s' is "
		    "not in policy %s", u->name, u->department, x->p->id);
	return 0;
}

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
	sqlite3_stmt *st = NULL;
	cJSON *before = NULL, *after = NULL;
	int rc;

	/* inside the transaction: nothing can be added between the check and the swap */
	if ((rc = mamori_asset_list(s, NULL, check_asset, x, x->err)) != 0 ||
	    (rc = mamori_user_list(s, check_user, x, x->err)) != 0)
		return rc;
	if (x->conflicts->errors > 0)
		return mamori_error_set(x->err, MAMORI_E_CONFLICT, "%zu problems of assets or accounts "
		    "under the new policy %s", x->conflicts->errors, x->p->id);
	if ((json = mamori_policy_to_json(x->p, false)) == NULL)
		return mamori_error_set(x->err, MAMORI_E_NOMEM, "out of memory");
	sodium_bin2hex(hash, sizeof(hash), x->p->sha256, 32);
	store_now(now);
	rc = MAMORI_E_STORE;
	st = store_prepare(s, "INSERT INTO policy (id, sha256, json, loaded_at) VALUES (?1, ?2, ?3, ?4)", x->err);
	if (st == NULL)
		goto out;
	sqlite3_bind_text(st, 1, x->p->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, json, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		store_error(s, x->err, "cannot store the policy");
		goto out;
	}
	x->version = sqlite3_last_insert_rowid(s->db);
	before = policy_summary(s->policy);
	after = policy_summary(x->p);
	rc = mamori_store_tx_event(tx, "policy.replace", "policy", x->p->id, before, after);
out:
	sqlite3_finalize(st);
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
	struct mamori_policy *p = NULL;
	struct replace_arg x = { .conflicts = conflicts, .err = err };
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
