/*
 * personnel.c — accounts through 異動・退職 (mamori/personnel.h): what a
 * person holds, a move to another 課 or role, a retirement, and a personnel
 * change list applied all or nothing.
 */
#include "mamori/personnel.h"
#include "store_internal.h"
#include "store_ops_user.h"
#include "csv.h"
#include "fold.h"
#include "mamori/i18n.h"
#include "mamori/record.h"
#include "mamori/user.h"
#include "user_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- what a person holds ------------------------------------------------ */

static int
add_asset(const char *id, const char *name, void *ctx)
{
	cJSON *a = cJSON_CreateObject();

	cJSON_AddStringToObject(a, "id", id);
	cJSON_AddStringToObject(a, "name", name);
	cJSON_AddItemToArray(ctx, a);
	return 0;
}

/* The assets in use that the account's role manages in its 課, and how many others hold that role there. */
static int
holdings_assets(struct mamori_store *s, const struct mamori_user *u, cJSON *out, struct mamori_error *err)
{
	const struct store_user_ops *ops = s->backend->user;
	cJSON *assets = cJSON_AddArrayToObject(out, "assets");
	int rc, others = 0;

	if (u->department[0] == '\0') {
		cJSON_AddNumberToObject(out, "others", 0);
		return 0;
	}
	if ((rc = ops->assets_held(s, u->department, u->role, add_asset, assets, err)) != 0)
		return rc;
	rc = ops->count_peers(s, u->role, u->department, u->name, &others, err);
	cJSON_AddNumberToObject(out, "others", others);
	return rc;
}

static bool
names(const cJSON *v, const char *name)
{
	const cJSON *it;

	if (cJSON_IsString(v))
		return strcmp(v->valuestring, name) == 0;
	cJSON_ArrayForEach(it, v) {
		if (cJSON_IsString(it) && strcmp(it->valuestring, name) == 0)
			return true;
	}
	return false;
}

/* Why the record is the account's (reporter, approver, its account fields), in a new array; NULL: it is not. */
static cJSON *
held_as(const struct mamori_record_kind *k, const struct store_user_record *rec, const char *name)
{
	const char *reporter = rec->reporter, *approver = rec->approver;
	cJSON *fields = cJSON_Parse(rec->fields), *as = cJSON_CreateArray();

	if (reporter && strcmp(reporter, name) == 0)
		cJSON_AddItemToArray(as, cJSON_CreateString("reporter"));
	if (approver && strcmp(approver, name) == 0)
		cJSON_AddItemToArray(as, cJSON_CreateString("approver"));
	/* by the field's type, not by kind: whatever kind names people (an SNS
	 * account's 責任者, a terminal's user) is handed over the same way */
	for (size_t i = 0; k != NULL && i < k->nfields; i++)
		if (k->fields[i].type && strcmp(k->fields[i].type, "account") == 0 &&
		    names(cJSON_GetObjectItemCaseSensitive(fields, k->fields[i].id), name))
			cJSON_AddItemToArray(as, cJSON_CreateString(k->fields[i].id));
	cJSON_Delete(fields);
	if (cJSON_GetArraySize(as) == 0) {
		cJSON_Delete(as);
		return NULL;
	}
	return as;
}

struct records_held {
	const struct mamori_policy *p;
	const char *name;
	cJSON *records;
};

/* Adds the record to the list when it is open and the person's. */
static int
add_record(const struct store_user_record *rec, void *ctx)
{
	struct records_held *h = ctx;
	const struct mamori_record_kind *k = mamori_record_kind_find(h->p, rec->kind);
	const struct mamori_record_state *rs = NULL;
	cJSON *as, *r;

	for (size_t i = 0; k != NULL && i < k->nstates; i++)
		if (strcmp(k->states[i].id, rec->state) == 0)
			rs = &k->states[i];
	if (rs != NULL && rs->final)
		return 0;
	if ((as = held_as(k, rec, h->name)) == NULL)
		return 0;
	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "id", rec->id);
	cJSON_AddStringToObject(r, "kind", rec->kind);
	cJSON_AddStringToObject(r, "kind_title", k && k->title ? k->title : rec->kind);
	cJSON_AddStringToObject(r, "state", rec->state);
	cJSON_AddStringToObject(r, "state_title", rs && rs->title ? rs->title : rec->state);
	cJSON_AddItemToObject(r, "as", as);
	cJSON_AddItemToArray(h->records, r);
	return 0;
}

static int
holdings_records(struct mamori_store *s, const char *name, cJSON *out, struct mamori_error *err)
{
	struct records_held h = { mamori_store_policy(s), name, cJSON_AddArrayToObject(out, "records") };

	return s->backend->user->records_naming(s, name, add_record, &h, err);
}

int
mamori_user_holdings(struct mamori_store *s, const char *name, cJSON **out, struct mamori_error *err)
{
	struct mamori_user u;
	int rc;

	*out = NULL;
	if ((rc = mamori_user_get(s, name, &u, err)) != 0)
		return rc;
	*out = cJSON_CreateObject();
	cJSON_AddStringToObject(*out, "user", u.name);
	cJSON_AddStringToObject(*out, "role", u.role);
	if (u.department[0])
		cJSON_AddStringToObject(*out, "department", u.department);
	else
		cJSON_AddNullToObject(*out, "department");
	cJSON_AddBoolToObject(*out, "disabled", u.disabled);
	if ((rc = holdings_assets(s, &u, *out, err)) == 0)
		rc = holdings_records(s, u.name, *out, err);
	if (rc != 0) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- move and retire, inside a transaction ------------------------------ */

struct change {
	const char *name, *department, *role, *reason;	/* department, role: ids */
	cJSON *holdings;	/* what the account held, as the change found it */
};

static int
move_in(struct mamori_store_tx *tx, struct change *c, struct mamori_error *err)
{
	struct mamori_user u;
	cJSON *before, *after;
	int rc;

	if ((rc = mamori_user_get(tx->store, c->name, &u, err)) != 0)
		return rc;
	if (u.disabled)
		return mamori_error_set(err, MAMORI_E_CONFLICT, "user %s is disabled: enable it before moving it", c->name);
	cJSON_Delete(c->holdings);	/* a transaction tried again reads them again */
	if ((rc = mamori_user_holdings(tx->store, c->name, &c->holdings, err)) != 0)
		return rc;
	if ((rc = tx->store->backend->user->set_place(tx, c->name, c->department, c->role ? c->role : u.role,
	    err)) != 0)
		return rc;
	before = cJSON_CreateObject();
	after = cJSON_CreateObject();
	cJSON_AddStringToObject(before, "role", u.role);
	if (u.department[0])
		cJSON_AddStringToObject(before, "department", u.department);
	else
		cJSON_AddNullToObject(before, "department");
	cJSON_AddStringToObject(after, "role", c->role ? c->role : u.role);
	cJSON_AddStringToObject(after, "department", c->department);
	cJSON_AddNumberToObject(after, "assets_left", cJSON_GetArraySize(cJSON_GetObjectItem(c->holdings, "assets")));
	cJSON_AddNumberToObject(after, "records_held", cJSON_GetArraySize(cJSON_GetObjectItem(c->holdings, "records")));
	rc = mamori_store_tx_event(tx, "user.move", "user", c->name, before, after);
	cJSON_Delete(before);
	cJSON_Delete(after);
	return rc;
}

/* The ids of the holdings' list key (assets, records), for the event. */
static cJSON *
ids_of(const cJSON *holdings, const char *key)
{
	cJSON *ids = cJSON_CreateArray();
	const cJSON *it;

	cJSON_ArrayForEach(it, cJSON_GetObjectItem(holdings, key)) {
		cJSON_AddItemToArray(ids, cJSON_CreateString(cJSON_GetStringValue(cJSON_GetObjectItem(it, "id"))));
	}
	return ids;
}

static int
retire_in(struct mamori_store_tx *tx, struct change *c, struct mamori_error *err)
{
	cJSON *why = cJSON_CreateObject(), *after;
	int rc;

	cJSON_Delete(c->holdings);
	if ((rc = mamori_user_holdings(tx->store, c->name, &c->holdings, err)) != 0) {
		cJSON_Delete(why);
		return rc;
	}
	cJSON_AddStringToObject(why, "reason", c->reason);
	rc = user_disable_in(tx, c->name, why, NULL, err);
	cJSON_Delete(why);
	if (rc != 0)
		return rc;
	cJSON_ReplaceItemInObjectCaseSensitive(c->holdings, "disabled", cJSON_CreateTrue());
	after = cJSON_CreateObject();
	cJSON_AddStringToObject(after, "reason", c->reason);
	cJSON_AddItemToObject(after, "assets", ids_of(c->holdings, "assets"));
	cJSON_AddItemToObject(after, "records", ids_of(c->holdings, "records"));
	rc = mamori_store_tx_event(tx, "user.retire", "user", c->name, NULL, after);
	cJSON_Delete(after);
	return rc;
}

struct one {
	struct change *c;
	bool retire;
	struct mamori_error *err;
};

static int
one_tx(struct mamori_store_tx *tx, void *arg)
{
	struct one *o = arg;

	return o->retire ? retire_in(tx, o->c, o->err) : move_in(tx, o->c, o->err);
}

/* The ids of department (required) and role (optional) under the store's policy. */
static int
resolve(const struct mamori_policy *p, const char *department, const char *role, struct change *c,
    struct mamori_error *err)
{
	const struct mamori_department *d = department ? mamori_policy_find_department(p, department) : NULL;
	const struct mamori_role *r = role ? mamori_policy_find_role(p, role) : NULL;

	if (department == NULL || department[0] == '\0')
		return mamori_error_set(err, MAMORI_E_USAGE, "say which department the person moves to");
	if (d == NULL)
		return mamori_error_set(err, MAMORI_E_INVALID, "unknown department '%s' in policy %s", department, p->id);
	if (role != NULL && r == NULL)
		return mamori_error_set(err, MAMORI_E_INVALID, "unknown role '%s' in policy %s", role, p->id);
	c->department = d->id;
	c->role = r ? r->id : NULL;
	return 0;
}

static bool
valid_reason(const char *reason)
{
	return reason != NULL && reason[0] != '\0' && strlen(reason) <= 1000;
}

int
mamori_user_move(struct mamori_store *s, const char *actor, const char *name, const char *department,
    const char *role, cJSON **holdings, struct mamori_error *err)
{
	struct change c = { .name = name };
	struct one o = { .c = &c, .err = err };
	int rc = resolve(mamori_store_policy(s), department, role, &c, err);

	if (rc == 0)
		rc = mamori_store_write(s, actor, one_tx, &o, err);
	if (rc == 0 && holdings != NULL)
		*holdings = c.holdings;
	else
		cJSON_Delete(c.holdings);
	return rc;
}

int
mamori_user_retire(struct mamori_store *s, const char *actor, const char *name, const char *reason,
    cJSON **holdings, struct mamori_error *err)
{
	struct change c = { .name = name, .reason = reason };
	struct one o = { .c = &c, .retire = true, .err = err };
	int rc;

	if (!valid_reason(reason))
		return mamori_error_set(err, MAMORI_E_USAGE, "say why the person leaves (--reason, 1 to 1,000 bytes)");
	rc = mamori_store_write(s, actor, one_tx, &o, err);
	if (rc == 0 && holdings != NULL)
		*holdings = c.holdings;
	else
		cJSON_Delete(c.holdings);
	return rc;
}

/* ---- a personnel change list -------------------------------------------- */

enum { COL_USER, COL_CHANGE, COL_DEPARTMENT, COL_ROLE, COL_REASON, COL_COUNT };

/* The headers each column is known by (compared after NFKC and without spaces). */
static const char *const col_names[COL_COUNT][6] = {
	{ "利用者", "利用者名", "利用者ID", "ユーザー", "user", "name" },
	{ "区分", "異動区分", "change", NULL, NULL, NULL },
	{ "課", "異動先", "所属", "department", NULL, NULL },
	{ "役割", "role", NULL, NULL, NULL, NULL },
	{ "理由", "reason", NULL, NULL, NULL, NULL },
};

static int
column_of(const char *header)
{
	char buf[200];

	if (!mamori_nfkc_trim(header, buf, sizeof(buf)))
		return -1;
	for (int c = 0; c < COL_COUNT; c++)
		for (int i = 0; i < 6 && col_names[c][i] != NULL; i++)
			if (strcasecmp(buf, col_names[c][i]) == 0)
				return c;
	return -1;
}

static bool
is_header(const struct csv_record *rec, void *ctx)
{
	bool user = false, change = false;

	(void)ctx;
	for (size_t i = 0; i < rec->nfields; i++) {
		int c = column_of(rec->fields[i]);
		user |= c == COL_USER;
		change |= c == COL_CHANGE;
	}
	return user && change;
}

struct planned {
	int row;
	bool retire;
	char *name, *department, *role, *reason;	/* as written; resolved again when applied */
	struct change c;
};

struct plan {
	struct planned *items;
	size_t n;
	struct mamori_error *err;
};

static const char *
cell(const struct csv_record *rec, const int *cols, int c)
{
	if (cols[c] < 0 || (size_t)cols[c] >= rec->nfields)
		return "";
	return rec->fields[cols[c]];
}

/* Checks one row and adds it to the plan; each problem to diags. */
static void
plan_row(struct mamori_store *s, struct plan *pl, const char *file, int row, const struct csv_record *rec,
    const int *cols, struct mamori_diags *diags)
{
	const struct mamori_policy *p = mamori_store_policy(s);
	const char *name = cell(rec, cols, COL_USER), *change = cell(rec, cols, COL_CHANGE);
	const char *dep = cell(rec, cols, COL_DEPARTMENT), *role = cell(rec, cols, COL_ROLE);
	const char *reason = cell(rec, cols, COL_REASON);
	struct mamori_user u;
	struct mamori_error uerr = { 0 };
	bool retire = strcmp(change, "退職") == 0 || strcasecmp(change, "retire") == 0;
	bool move = strcmp(change, "異動") == 0 || strcasecmp(change, "move") == 0;
	size_t before = diags->errors;

	if (mamori_user_get(s, name, &u, &uerr) != 0)
		mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, row, 0, "%s: row %d, column 利用者: '%s' is not an account",
		    file, row, name);
	if (!retire && !move)
		mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, row, 0, "%s: row %d, column 区分: '%s': write 異動 or 退職",
		    file, row, change);
	if (move && (dep[0] == '\0' || mamori_policy_find_department(p, dep) == NULL))
		mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, row, 0, "%s: row %d, column 課: '%s' is not a "
		    "department of the policy", file, row, dep);
	if (move && role[0] != '\0' && mamori_policy_find_role(p, role) == NULL)
		mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, row, 0, "%s: row %d, column 役割: '%s' is not a role of "
		    "the policy", file, row, role);
	if (retire && !valid_reason(reason))
		mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, row, 0, "%s: row %d, column 理由: say why the person "
		    "leaves", file, row);
	if (diags->errors > before)
		return;
	struct planned *grown = realloc(pl->items, (pl->n + 1) * sizeof(*grown));
	if (grown == NULL) {
		mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, row, 0, "%s: out of memory", file);
		return;
	}
	pl->items = grown;
	pl->items[pl->n++] = (struct planned){ .row = row, .retire = retire, .name = strdup(name),
	    .department = strdup(dep), .role = strdup(role), .reason = strdup(reason) };
}

static int
plan_tx(struct mamori_store_tx *tx, void *arg)
{
	struct plan *pl = arg;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < pl->n; i++) {
		struct planned *x = &pl->items[i];
		x->c.name = x->name;
		x->c.reason = x->reason;
		if (x->retire)
			rc = retire_in(tx, &x->c, pl->err);
		else if ((rc = resolve(mamori_store_policy(tx->store), x->department, x->role[0] ? x->role : NULL,
		    &x->c, pl->err)) == 0)
			rc = move_in(tx, &x->c, pl->err);
		if (rc != 0 && pl->err)
			snprintf(pl->err->message + strlen(pl->err->message), sizeof(pl->err->message) -
			    strlen(pl->err->message), " (row %d)", x->row);
	}
	return rc;
}

static cJSON *
plan_json(struct mamori_store *s, const struct plan *pl, bool dry_run)
{
	cJSON *out = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(out, "changes");
	const struct mamori_policy *p = mamori_store_policy(s);

	cJSON_AddBoolToObject(out, "dry_run", dry_run);
	for (size_t i = 0; i < pl->n; i++) {
		const struct planned *x = &pl->items[i];
		const struct mamori_department *d = mamori_policy_find_department(p, x->department);
		const struct mamori_role *r = x->role[0] ? mamori_policy_find_role(p, x->role) : NULL;
		cJSON *c = cJSON_CreateObject(), *h = NULL;
		struct mamori_error herr = { 0 };
		cJSON_AddNumberToObject(c, "row", x->row);
		cJSON_AddStringToObject(c, "user", x->name);
		cJSON_AddStringToObject(c, "change", x->retire ? "retire" : "move");
		if (!x->retire && d)
			cJSON_AddStringToObject(c, "department", d->id);
		if (!x->retire && r)
			cJSON_AddStringToObject(c, "role", r->id);
		if (x->retire)
			cJSON_AddStringToObject(c, "reason", x->reason);
		if (x->c.holdings != NULL)
			h = cJSON_Duplicate(x->c.holdings, true);
		else
			(void)mamori_user_holdings(s, x->name, &h, &herr);
		if (h != NULL)
			cJSON_AddItemToObject(c, "holdings", h);
		cJSON_AddItemToArray(list, c);
	}
	return out;
}

int
mamori_user_changes(struct mamori_store *s, const char *actor, const char *name, char *bytes, size_t len,
    const char *encoding, bool dry_run, cJSON **out, struct mamori_diags *diags, struct mamori_error *err)
{
	struct csv_reader r = { 0 };
	struct csv_record rec;
	struct plan pl = { .err = err };
	char why[160] = "", **saved = NULL;
	int cols[COL_COUNT], row = 1, got, rc = 0;
	size_t n;
	char *text = text_decode_owned(bytes, len, encoding, &n, why, sizeof(why));

	if (out)
		*out = NULL;
	if (text == NULL)
		return mamori_error_set(err, MAMORI_E_INVALID, "%s: %s", name, why);
	csv_open(&r, text, n);
	got = csv_find_header(&r, &rec, 0, is_header, NULL, &row, &saved);
	if (got <= 0 || !is_header(&rec, NULL)) {
		rc = mamori_error_set(err, MAMORI_E_INVALID, "%s: no header row naming 利用者 and 区分 in the first %d rows",
		    name, CSV_HEADER_SEARCH_ROWS);
		goto out;
	}
	for (int c = 0; c < COL_COUNT; c++)
		cols[c] = -1;
	for (size_t i = 0; i < rec.nfields; i++) {
		int c = column_of(rec.fields[i]);
		if (c >= 0 && cols[c] < 0)
			cols[c] = (int)i;
	}
	while ((got = csv_next(&r, &rec)) == 1) {
		bool blank = true;
		row++;
		for (size_t i = 0; i < rec.nfields && blank; i++)
			blank = rec.fields[i][0] == '\0';
		if (!blank)
			plan_row(s, &pl, name, row, &rec, cols, diags);
	}
	if (got < 0)
		mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, r.error_line, 0, "%s: line %d: %s", name, r.error_line, r.error);
	if (diags->errors > 0) {
		rc = mamori_error_set(err, MAMORI_E_INVALID, "%s: %zu problems; nothing was changed", name, diags->errors);
		goto out;
	}
	if (!dry_run)
		rc = mamori_store_write(s, actor, plan_tx, &pl, err);
	if (rc == 0 && out)
		*out = plan_json(s, &pl, dry_run);
out:
	for (size_t i = 0; i < pl.n; i++) {
		free(pl.items[i].name);
		free(pl.items[i].department);
		free(pl.items[i].role);
		free(pl.items[i].reason);
		cJSON_Delete(pl.items[i].c.holdings);
	}
	free(pl.items);
	free(saved);
	csv_free(&r);
	return rc;
}
