/*
 * asset.c — the information asset register: check against the policy, add,
 * edit, list, dispose, import and export.  Every change goes through the
 * store's write path with its audit event.
 */
#include "mamori/asset.h"
#include "canon.h"
#include "csv.h"
#include "strmap.h"
#include "store_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <xlsxwriter.h>

const struct mamori_asset_column mamori_asset_columns[MAMORI_AF_COUNT] = {
	[MAMORI_AF_ID] = { "id", "資産番号", false, true },
	[MAMORI_AF_NAME] = { "name", "資産名", true, true },
	[MAMORI_AF_KIND] = { "kind", "種別", true, true },
	[MAMORI_AF_DESCRIPTION] = { "description", "説明", false, true },
	[MAMORI_AF_DEPARTMENT] = { "department", "所管課", true, true },
	[MAMORI_AF_ROLE] = { "role", "管理責任者", false, true },
	[MAMORI_AF_SEGMENT] = { "segment", "ネットワーク区分", false, true },
	[MAMORI_AF_LOCATION] = { "location", "保管場所", false, true },
	[MAMORI_AF_CONFIDENTIALITY] = { "confidentiality", "機密性", true, true },
	[MAMORI_AF_INTEGRITY] = { "integrity", "完全性", true, true },
	[MAMORI_AF_AVAILABILITY] = { "availability", "可用性", true, true },
	[MAMORI_AF_RETENTION] = { "retention", "保存期間", false, true },
	[MAMORI_AF_STATUS] = { "status", "状態", false, true },
	[MAMORI_AF_CREATED] = { "created", "登録日時", false, true },
	[MAMORI_AF_UPDATED] = { "updated", "更新日時", false, true },
	[MAMORI_AF_DISPOSED_DATE] = { "disposed_date", "廃棄日", false, true },
	[MAMORI_AF_DISPOSED_METHOD] = { "disposed_method", "廃棄方法", false, true },
	[MAMORI_AF_DISPOSED_BY] = { "disposed_by", "廃棄実施者", false, true },
	[MAMORI_AF_DISPOSED_WITNESS] = { "disposed_witness", "立会者", false, true },
};

/* The columns in enum mamori_asset_field order. */
#define SELECT_ALL "SELECT id, name, kind, description, department, role, segment, location, " \
	"c, i, a, retention, status, created, updated, disposed_date, disposed_method, disposed_by, " \
	"disposed_witness FROM asset"

const struct mamori_disposal_method mamori_disposal_methods[] = {
	{ "shred", "裁断（シュレッダー）", true },
	{ "incinerate", "焼却・溶解", true },
	{ "physical-destroy", "物理的破壊", true },
	{ "degauss", "磁気消去", true },
	{ "overwrite", "データ消去ソフトによる上書き消去", true },
	{ "crypto-erase", "暗号化消去", true },
	{ "delete", "削除（ごみ箱・初期化）", false },
	{ "discard", "そのまま廃棄", false },
	{ "return", "返却（リース等）", false },
};
const size_t mamori_ndisposal_methods = sizeof(mamori_disposal_methods) / sizeof(mamori_disposal_methods[0]);

static const char *const axis_ids[3] = { "confidentiality", "integrity", "availability" };

/* A stored number field ("2", "000123") as an integer; 0 when absent or not a number. */
static long long
to_int(const char *s)
{
	char *end;
	long long v;

	if (s == NULL)
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	return errno || end == s ? 0 : v;
}

void
mamori_asset_clear(struct mamori_asset *a)
{
	for (int k = 0; k < MAMORI_AF_COUNT; k++) {
		free(a->f[k]);
		a->f[k] = NULL;
	}
}

int
mamori_asset_set(struct mamori_asset *a, enum mamori_asset_field k, const char *value)
{
	char *copy = value ? strdup(value) : NULL;

	if (value && copy == NULL)
		return MAMORI_E_NOMEM;
	free(a->f[k]);
	a->f[k] = copy;
	return 0;
}

/* Folds a header for matching: ASCII lowercase, no spaces, "_" and "-" alike. */
static void
fold(const char *s, char *out, size_t n)
{
	size_t o = 0;

	for (; *s && o + 1 < n; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == ' ' || c == '\t')
			continue;
		out[o++] = c == '-' ? '_' : (char)tolower(c);
	}
	out[o] = '\0';
}

int
mamori_asset_column_find(const char *name)
{
	char a[128], b[128];

	fold(name, a, sizeof(a));
	for (int k = 0; k < MAMORI_AF_COUNT; k++) {
		fold(mamori_asset_columns[k].id, b, sizeof(b));
		if (strcmp(a, b) == 0 || strcmp(name, mamori_asset_columns[k].ja) == 0)
			return k;
	}
	return -1;
}

static bool
empty(const char *s)
{
	return s == NULL || s[0] == '\0';
}

static void
problem(struct mamori_diags *d, const char *file, int row, int k, const char *fmt, const char *v1,
    const char *v2)
{
	char msg[600];

	snprintf(msg, sizeof(msg), fmt, v1 ? v1 : "", v2 ? v2 : "");
	if (row > 0)
		mamori_diags_add(d, MAMORI_SEV_ERROR, NULL, row, 0, "%s: row %d, column %s: %s",
		    file ? file : "-", row, mamori_asset_columns[k].ja, msg);
	else
		mamori_diags_add(d, MAMORI_SEV_ERROR, NULL, 0, 0, "%s (%s): %s",
		    mamori_asset_columns[k].ja, mamori_asset_columns[k].id, msg);
}

/* Replaces a title with its id; NULL when the name is unknown. */
static bool
normalise(struct mamori_asset *a, int k, const char *id)
{
	if (id == NULL)
		return false;
	if (strcmp(a->f[k], id) != 0)
		mamori_asset_set(a, (enum mamori_asset_field)k, id);
	return true;
}

static int
parse_level(const char *s)
{
	char *end;
	long v;

	if (empty(s))
		return -1;
	/* accept "2", "機密性2", "機密性 2", full-width "２" */
	while (*s && !(*s >= '0' && *s <= '9') && !((unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBC))
		s++;
	if ((unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBC && (unsigned char)s[2] >= 0x90 &&
	    (unsigned char)s[2] <= 0x99 && s[3] == '\0')
		return (unsigned char)s[2] - 0x90;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < 0 || v > 99)
		return -1;
	return (int)v;
}

size_t
mamori_asset_check(const struct mamori_policy *p, struct mamori_asset *a, const char *file, int row,
    struct mamori_diags *d)
{
	size_t before = d->errors;

	for (int k = 0; k < MAMORI_AF_COUNT; k++)
		if (mamori_asset_columns[k].required && empty(a->f[k]))
			problem(d, file, row, k, "missing: %s is required%s", mamori_asset_columns[k].ja, NULL);
	if (!empty(a->f[MAMORI_AF_ID])) {
		const char *id = a->f[MAMORI_AF_ID];
		if (strncmp(id, "A-", 2) != 0 || strlen(id) < 3 || strlen(id) > 14 ||
		    strspn(id + 2, "0123456789") != strlen(id + 2) || to_int(id + 2) < 1) {
			problem(d, file, row, MAMORI_AF_ID, "'%s' is not an asset id (A- and a number from 1, "
			    "e.g. A-000123)%s", id, NULL);
		} else {
			/* one spelling per number: A-12 and A-000012 are the same asset */
			char norm[24];
			snprintf(norm, sizeof(norm), "A-%06lld", to_int(id + 2));
			mamori_asset_set(a, MAMORI_AF_ID, norm);
		}
	}
	if (!empty(a->f[MAMORI_AF_KIND]) && !normalise(a, MAMORI_AF_KIND,
	    mamori_policy_find_asset_kind(p, a->f[MAMORI_AF_KIND]) ? mamori_policy_find_asset_kind(p, a->f[MAMORI_AF_KIND])->id : NULL))
		problem(d, file, row, MAMORI_AF_KIND, "unknown kind '%s' (the policy's asset_kinds: %s)", a->f[MAMORI_AF_KIND], "network, system, information …");
	if (!empty(a->f[MAMORI_AF_DEPARTMENT])) {
		const struct mamori_department *dep = mamori_policy_find_department(p, a->f[MAMORI_AF_DEPARTMENT]);
		if (!normalise(a, MAMORI_AF_DEPARTMENT, dep ? dep->id : NULL))
			problem(d, file, row, MAMORI_AF_DEPARTMENT, "unknown department '%s'; add it to the policy's "
			    "organisation.departments or use one of its titles%s", a->f[MAMORI_AF_DEPARTMENT], NULL);
	}
	if (!empty(a->f[MAMORI_AF_ROLE])) {
		const struct mamori_role *r = mamori_policy_find_role(p, a->f[MAMORI_AF_ROLE]);
		if (!normalise(a, MAMORI_AF_ROLE, r ? r->id : NULL))
			problem(d, file, row, MAMORI_AF_ROLE, "unknown role '%s'%s", a->f[MAMORI_AF_ROLE], NULL);
	}
	if (!empty(a->f[MAMORI_AF_SEGMENT])) {
		const struct mamori_segment *sg = mamori_policy_find_segment(p, a->f[MAMORI_AF_SEGMENT]);
		if (!normalise(a, MAMORI_AF_SEGMENT, sg ? sg->id : NULL))
			problem(d, file, row, MAMORI_AF_SEGMENT, "unknown segment '%s' (e.g. マイナンバー利用事務系, "
			    "LGWAN接続系, インターネット接続系)%s", a->f[MAMORI_AF_SEGMENT], NULL);
	}
	for (int ax = 0; ax < 3; ax++) {
		int k = MAMORI_AF_CONFIDENTIALITY + ax;
		const struct mamori_axis *axis = mamori_policy_axis(p, axis_ids[ax]);
		int lv = parse_level(a->f[k]);
		char num[8];
		if (empty(a->f[k]))
			continue;
		if (axis == NULL || lv < 1 || lv > (int)axis->nlevels) {
			snprintf(num, sizeof(num), "%zu", axis ? axis->nlevels : 1);
			problem(d, file, row, k, "level '%s' is out of range: 1 to %s", a->f[k], num);
			continue;
		}
		snprintf(num, sizeof(num), "%d", lv);
		mamori_asset_set(a, (enum mamori_asset_field)k, num);
	}
	if (!empty(a->f[MAMORI_AF_STATUS])) {
		const char *st = a->f[MAMORI_AF_STATUS];
		if (strcmp(st, "active") == 0 || strcmp(st, "使用中") == 0 || strcmp(st, "有効") == 0)
			mamori_asset_set(a, MAMORI_AF_STATUS, "active");
		else if (strcmp(st, "disposed") == 0 || strcmp(st, "廃棄済") == 0 || strcmp(st, "廃棄") == 0)
			mamori_asset_set(a, MAMORI_AF_STATUS, "disposed");
		else
			problem(d, file, row, MAMORI_AF_STATUS, "status '%s' is neither active (使用中) nor disposed (廃棄済)%s", st, NULL);
	}
	return d->errors - before;
}

/* ---- rows ------------------------------------------------------------- */

static void
asset_from_row(sqlite3_stmt *st, struct mamori_asset *a)
{
	for (int k = 0; k < MAMORI_AF_COUNT; k++) {
		const char *v = (const char *)sqlite3_column_text(st, k);
		mamori_asset_set(a, (enum mamori_asset_field)k, v);
	}
}

static cJSON *
asset_json(const struct mamori_asset *a)
{
	cJSON *o = cJSON_CreateObject();

	for (int k = 0; k < MAMORI_AF_COUNT; k++)
		if (!empty(a->f[k]))
			cJSON_AddStringToObject(o, mamori_asset_columns[k].id, a->f[k]);
	return o;
}

static int
bind_asset(sqlite3_stmt *st, const struct mamori_asset *a)
{
	for (int k = 0; k < MAMORI_AF_COUNT; k++) {
		const char *v = a->f[k];
		if (k >= MAMORI_AF_CONFIDENTIALITY && k <= MAMORI_AF_AVAILABILITY)
			sqlite3_bind_int(st, k + 1, v ? (int)to_int(v) : 1);
		else if (v == NULL && (k == MAMORI_AF_ROLE || k == MAMORI_AF_SEGMENT || k >= MAMORI_AF_DISPOSED_DATE))
			sqlite3_bind_null(st, k + 1);
		else
			sqlite3_bind_text(st, k + 1, v ? v : "", -1, SQLITE_TRANSIENT);
	}
	return 0;
}

/* The next free asset number, read once per transaction and counted up after. */
static int
next_id(struct mamori_store_tx *tx, char out[16])
{
	struct mamori_error err;
	sqlite3_stmt *st;

	if (tx->next_asset == 0) {
		st = store_prepare(tx->store, "SELECT coalesce(max(num), 0) + 1 FROM asset", &err);
		if (st == NULL)
			return MAMORI_E_STORE;
		tx->next_asset = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 1;
		sqlite3_finalize(st);
	}
	snprintf(out, 16, "A-%06lld", (long long)tx->next_asset);
	return 0;
}

/* Inserts a checked asset and its event inside tx. */
static int
insert_asset(struct mamori_store_tx *tx, struct mamori_asset *a, sqlite3_stmt *ins)
{
	char now[32], id[16];
	cJSON *after;
	int rc;

	store_now(now);
	if (empty(a->f[MAMORI_AF_ID])) {
		if ((rc = next_id(tx, id)) != 0)
			return rc;
		mamori_asset_set(a, MAMORI_AF_ID, id);
	}
	if (empty(a->f[MAMORI_AF_STATUS]))
		mamori_asset_set(a, MAMORI_AF_STATUS, "active");
	/* an imported register keeps its own dates, so that export → import is exact */
	if (empty(a->f[MAMORI_AF_CREATED]))
		mamori_asset_set(a, MAMORI_AF_CREATED, now);
	if (empty(a->f[MAMORI_AF_UPDATED]))
		mamori_asset_set(a, MAMORI_AF_UPDATED, now);
	sqlite3_reset(ins);
	bind_asset(ins, a);
	sqlite3_bind_int64(ins, MAMORI_AF_COUNT + 1, to_int(a->f[MAMORI_AF_ID] + 2));
	rc = sqlite3_step(ins);
	if (rc == SQLITE_CONSTRAINT)
		return MAMORI_E_CONFLICT;
	if (rc != SQLITE_DONE)
		return MAMORI_E_STORE;
	{
		long long num = to_int(a->f[MAMORI_AF_ID] + 2);
		if (num >= tx->next_asset)
			tx->next_asset = num + 1;
	}
	after = asset_json(a);
	rc = mamori_store_tx_event(tx, "asset.add", "asset", a->f[MAMORI_AF_ID], NULL, after);
	cJSON_Delete(after);
	return rc;
}

#define INSERT_SQL "INSERT INTO asset (id, name, kind, description, department, role, segment, " \
	"location, c, i, a, retention, status, created, updated, disposed_date, disposed_method, " \
	"disposed_by, disposed_witness, num) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, " \
	"?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)"

struct add_arg {
	struct mamori_asset *a;
	struct mamori_error *err;
};

static int
add_tx(struct mamori_store_tx *tx, void *arg)
{
	struct add_arg *x = arg;
	sqlite3_stmt *ins = store_prepare(tx->store, INSERT_SQL, x->err);
	int rc;

	if (ins == NULL)
		return MAMORI_E_STORE;
	rc = insert_asset(tx, x->a, ins);
	if (rc == MAMORI_E_CONFLICT)
		mamori_error_set(x->err, rc, "asset %s exists already", x->a->f[MAMORI_AF_ID]);
	sqlite3_finalize(ins);
	return rc;
}

int
mamori_asset_add(struct mamori_store *s, const char *actor, struct mamori_asset *a,
    struct mamori_diags *diags, struct mamori_error *err)
{
	struct add_arg x = { a, err };

	if (mamori_asset_check(s->policy, a, NULL, 0, diags) > 0)
		return mamori_error_set(err, MAMORI_E_INVALID, "the asset is not valid under policy %s",
		    s->policy->id);
	return mamori_store_write(s, actor, add_tx, &x, err);
}

int
mamori_asset_get(struct mamori_store *s, const char *id, struct mamori_asset *out, struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, SELECT_ALL " WHERE id = ?1", err);
	int rc = 0;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		asset_from_row(st, out);
	else
		rc = mamori_error_set(err, MAMORI_E_NOTFOUND, "no asset %s", id);
	sqlite3_finalize(st);
	return rc;
}

/* ---- edit and dispose ---------------------------------------------------- */

struct update_arg {
	const struct mamori_asset *before;
	const struct mamori_asset *after;
	const char *action;
	struct mamori_error *err;
};

static int
update_tx(struct mamori_store_tx *tx, void *arg)
{
	struct update_arg *x = arg;
	sqlite3_stmt *st = store_prepare(tx->store, "UPDATE asset SET id = ?1, name = ?2, kind = ?3, "
	    "description = ?4, department = ?5, role = ?6, segment = ?7, location = ?8, c = ?9, i = ?10, "
	    "a = ?11, retention = ?12, status = ?13, created = ?14, updated = ?15, disposed_date = ?16, "
	    "disposed_method = ?17, disposed_by = ?18, disposed_witness = ?19 WHERE id = ?1", x->err);
	cJSON *b, *a;
	int rc;

	if (st == NULL)
		return MAMORI_E_STORE;
	bind_asset(st, x->after);
	rc = sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(tx->store->db) == 1 ? 0 : MAMORI_E_STORE;
	sqlite3_finalize(st);
	if (rc != 0)
		return store_error(tx->store, x->err, "cannot update the asset");
	b = asset_json(x->before);
	a = asset_json(x->after);
	rc = mamori_store_tx_event(tx, x->action, "asset", x->after->f[MAMORI_AF_ID], b, a);
	cJSON_Delete(b);
	cJSON_Delete(a);
	return rc;
}

int
mamori_asset_edit(struct mamori_store *s, const char *actor, const char *id,
    const struct mamori_asset *changes, struct mamori_diags *diags, struct mamori_error *err)
{
	struct mamori_asset before = { 0 }, after = { 0 };
	struct update_arg x;
	char now[32];
	int rc;

	if ((rc = mamori_asset_get(s, id, &before, err)) != 0)
		return rc;
	for (int k = 0; k < MAMORI_AF_COUNT; k++)
		mamori_asset_set(&after, (enum mamori_asset_field)k, changes->f[k] ? changes->f[k] : before.f[k]);
	if (changes->f[MAMORI_AF_ID] && strcmp(changes->f[MAMORI_AF_ID], id) != 0) {
		rc = mamori_error_set(err, MAMORI_E_USAGE, "an asset's id never changes");
		goto out;
	}
	if (mamori_asset_check(s->policy, &after, NULL, 0, diags) > 0) {
		rc = mamori_error_set(err, MAMORI_E_INVALID, "the change is not valid under policy %s", s->policy->id);
		goto out;
	}
	store_now(now);
	mamori_asset_set(&after, MAMORI_AF_UPDATED, now);
	x = (struct update_arg){ &before, &after, "asset.edit", err };
	rc = mamori_store_write(s, actor, update_tx, &x, err);
out:
	mamori_asset_clear(&before);
	mamori_asset_clear(&after);
	return rc;
}

static const struct mamori_disposal_method *
find_method(const char *m)
{
	for (size_t i = 0; i < mamori_ndisposal_methods; i++)
		if (strcmp(mamori_disposal_methods[i].id, m) == 0 || strcmp(mamori_disposal_methods[i].ja, m) == 0)
			return &mamori_disposal_methods[i];
	return NULL;
}

/* The first irreversible-disposal restriction that binds the asset, or NULL. */
static const struct mamori_restriction *
disposal_restriction(const struct mamori_policy *p, const struct mamori_asset *a)
{
	for (int ax = 0; ax < 3; ax++) {
		const struct mamori_level *l = mamori_policy_level(mamori_policy_axis(p, axis_ids[ax]),
		    a->f[MAMORI_AF_CONFIDENTIALITY + ax] ? (int)to_int(a->f[MAMORI_AF_CONFIDENTIALITY + ax]) : 1);
		for (size_t k = 0; l && k < l->nrestrictions; k++)
			if (strcmp(l->restrictions[k].id, "irreversible-disposal") == 0)
				return &l->restrictions[k];
	}
	return NULL;
}

int
mamori_asset_dispose(struct mamori_store *s, const char *actor, const char *id, const char *date,
    const char *method, const char *by, const char *witness, struct mamori_error *err)
{
	struct mamori_asset before = { 0 }, after = { 0 };
	const struct mamori_disposal_method *m = method ? find_method(method) : NULL;
	const struct mamori_restriction *r;
	struct update_arg x;
	char now[32];
	int rc;

	if (m == NULL)
		return mamori_error_set(err, MAMORI_E_USAGE, "unknown disposal method '%s': one of shred, "
		    "incinerate, physical-destroy, degauss, overwrite, crypto-erase, delete, discard, return",
		    method ? method : "");
	if (empty(date) || empty(by))
		return mamori_error_set(err, MAMORI_E_USAGE, "a disposal record needs the date and who disposed");
	if ((rc = mamori_asset_get(s, id, &before, err)) != 0)
		return rc;
	if (strcmp(before.f[MAMORI_AF_STATUS], "disposed") == 0) {
		rc = mamori_error_set(err, MAMORI_E_CONFLICT, "asset %s was disposed of already (%s)", id,
		    before.f[MAMORI_AF_DISPOSED_DATE] ? before.f[MAMORI_AF_DISPOSED_DATE] : "");
		goto out;
	}
	r = disposal_restriction(s->policy, &before);
	if (r != NULL && !m->irreversible) {
		rc = mamori_error_set(err, MAMORI_E_DENIED, "asset %s (機密性%s 完全性%s 可用性%s) must be "
		    "disposed of irreversibly: 「%s」 (%s); '%s' (%s) can be restored — use shred, incinerate, "
		    "physical-destroy, degauss, overwrite or crypto-erase", id, before.f[MAMORI_AF_CONFIDENTIALITY],
		    before.f[MAMORI_AF_INTEGRITY], before.f[MAMORI_AF_AVAILABILITY], r->text, r->clause, m->id, m->ja);
		if (err)
			snprintf(err->clause, sizeof(err->clause), "%s", r->clause);
		goto out;
	}
	for (int k = 0; k < MAMORI_AF_COUNT; k++)
		mamori_asset_set(&after, (enum mamori_asset_field)k, before.f[k]);
	store_now(now);
	mamori_asset_set(&after, MAMORI_AF_STATUS, "disposed");
	mamori_asset_set(&after, MAMORI_AF_UPDATED, now);
	mamori_asset_set(&after, MAMORI_AF_DISPOSED_DATE, date);
	mamori_asset_set(&after, MAMORI_AF_DISPOSED_METHOD, m->id);
	mamori_asset_set(&after, MAMORI_AF_DISPOSED_BY, by);
	mamori_asset_set(&after, MAMORI_AF_DISPOSED_WITNESS, witness);
	x = (struct update_arg){ &before, &after, "asset.dispose", err };
	rc = mamori_store_write(s, actor, update_tx, &x, err);
out:
	mamori_asset_clear(&before);
	mamori_asset_clear(&after);
	return rc;
}

void
mamori_asset_restrictions(const struct mamori_policy *p, const struct mamori_asset *a,
    void (*fn)(const struct mamori_axis *, const struct mamori_restriction *, void *), void *ctx)
{
	for (int ax = 0; ax < 3; ax++) {
		const struct mamori_axis *axis = mamori_policy_axis(p, axis_ids[ax]);
		const char *v = a->f[MAMORI_AF_CONFIDENTIALITY + ax];
		const struct mamori_level *l = mamori_policy_level(axis, v ? (int)to_int(v) : 1);
		for (size_t k = 0; l && k < l->nrestrictions; k++)
			fn(axis, &l->restrictions[k], ctx);
	}
}

/* ---- list --------------------------------------------------------------- */

bool
mamori_asset_filter_level(struct mamori_asset_filter *f, int axis, const char *expr)
{
	static const char *const ops[] = { ">=", "<=", "=", "<", ">" };
	char *end;
	long v;

	for (size_t i = 0; i < 5; i++) {
		size_t n = strlen(ops[i]);
		if (strncmp(expr, ops[i], n) == 0 || (i == 2 && expr[0] >= '0' && expr[0] <= '9')) {
			const char *num = strncmp(expr, ops[i], n) == 0 ? expr + n : expr;
			v = strtol(num, &end, 10);
			if (*end || end == num || v < 1 || v > 9)
				return false;
			snprintf(f->level_op[axis], 3, "%s", ops[i]);
			f->level[axis] = (int)v;
			return true;
		}
	}
	return false;
}

/*
 * The list query is built from the filters that are present, so that SQLite's
 * planner sees plain `department = :department` terms and uses the indexes (a
 * term like `(?1 IS NULL OR department = ?1)` makes it scan the whole register).
 * Column names and operators come from fixed tables, never from input; every
 * value is bound by name.
 */
struct list_sql {
	char text[1024];
	size_t used;
	bool where;
};

static void
add_term(struct list_sql *q, const char *fmt, const char *a, const char *b, int n)
{
	char term[256];

	snprintf(term, sizeof(term), fmt, a, b, n);
	q->used += (size_t)snprintf(q->text + q->used, sizeof(q->text) - q->used, "%s%s",
	    q->where ? " AND " : " WHERE num IN (SELECT num FROM asset WHERE ", term);
	q->where = true;
}

static void
bind_named(sqlite3_stmt *st, const char *name, const char *value)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (i > 0)
		sqlite3_bind_text(st, i, value, -1, SQLITE_TRANSIENT);
}

int
mamori_asset_list(struct mamori_store *s, const struct mamori_asset_filter *f,
    int (*fn)(const struct mamori_asset *a, void *ctx), void *ctx, struct mamori_error *err)
{
	static const char *const level_cols[3] = { "c", "i", "a" };
	struct mamori_asset_filter none = { 0 };
	struct list_sql q = { .used = 0 };
	const struct mamori_department *d;
	const struct mamori_segment *g;
	const struct mamori_asset_kind *k;
	char like[512];
	sqlite3_stmt *st;
	int rc = 0;

	if (f == NULL)
		f = &none;
	q.used = (size_t)snprintf(q.text, sizeof(q.text), "%s", SELECT_ALL);
	if (f->department)
		add_term(&q, "department = :department%s%s", "", "", 0);
	if (f->segment)
		add_term(&q, "segment = :segment%s%s", "", "", 0);
	if (f->kind)
		add_term(&q, "kind = :kind%s%s", "", "", 0);
	if (f->status)
		add_term(&q, "status = :status%s%s", "", "", 0);
	for (int ax = 0; ax < 3; ax++)
		if (f->level_op[ax][0] != '\0')	/* checked against a fixed table by mamori_asset_filter_level */
			add_term(&q, "%s %s %d", level_cols[ax], f->level_op[ax], f->level[ax]);
	if (f->text)
		add_term(&q, "(name LIKE :text ESCAPE '\\' OR description LIKE :text ESCAPE '\\' OR "
		    "location LIKE :text ESCAPE '\\')%s%s", "", "", 0);
	if (q.where)
		q.used += (size_t)snprintf(q.text + q.used, sizeof(q.text) - q.used, ")");
	snprintf(q.text + q.used, sizeof(q.text) - q.used, " ORDER BY num");
	if ((st = store_prepare(s, q.text, err)) == NULL)
		return MAMORI_E_STORE;
	/* a name the policy does not know is searched for as given: it matches nothing */
	if (f->department)
		bind_named(st, ":department", (d = mamori_policy_find_department(s->policy, f->department)) ? d->id : f->department);
	if (f->segment)
		bind_named(st, ":segment", (g = mamori_policy_find_segment(s->policy, f->segment)) ? g->id : f->segment);
	if (f->kind)
		bind_named(st, ":kind", (k = mamori_policy_find_asset_kind(s->policy, f->kind)) ? k->id : f->kind);
	if (f->status)
		bind_named(st, ":status", f->status);
	if (f->text) {
		size_t o = 0;
		like[o++] = '%';
		for (const char *t = f->text; *t && o + 3 < sizeof(like); t++) {
			if (*t == '%' || *t == '_' || *t == '\\')
				like[o++] = '\\';
			like[o++] = *t;
		}
		like[o++] = '%';
		like[o] = '\0';
		bind_named(st, ":text", like);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* the row's strings are lent to fn until the next step, never copied */
		struct mamori_asset a;
		for (int c = 0; c < MAMORI_AF_COUNT; c++)
			a.f[c] = (char *)sqlite3_column_text(st, c);
		if ((rc = fn(&a, ctx)) != 0)
			break;
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)	/* SQLite's codes are positive, fn's MAMORI_E_* negative */
		rc = store_error(s, err, "cannot list assets");
	sqlite3_finalize(st);
	return rc;
}

/* ---- import ------------------------------------------------------------- */

/*
 * The register's secondary indexes, exactly as the current schema makes them
 * (store.c, migration 2 → 3).  A bulk import into a register smaller than the
 * file drops them, inserts, and builds them again in the same transaction:
 * building an index once from all its keys is much cheaper than keeping it
 * up to date row by row.  test_asset checks that a bulk import leaves the same
 * indexes as a new store has.
 */
static const char *const asset_indexes[][2] = {
	{ "asset_department", "CREATE INDEX asset_department ON asset (department, segment, c, i, a, kind, status)" },
	{ "asset_segment", "CREATE INDEX asset_segment ON asset (segment, c, i, a, kind, status)" },
	{ "asset_levels", "CREATE INDEX asset_levels ON asset (c, i, a, kind, status)" },
	{ "asset_kind", "CREATE INDEX asset_kind ON asset (kind, status)" },
};
#define NASSET_INDEXES (sizeof(asset_indexes) / sizeof(asset_indexes[0]))

/* Below this many rows an import keeps the indexes: rebuilding them costs more. */
#define BULK_ROWS 10000

struct import_arg {
	struct mamori_asset *rows;
	int *rowno;		/* the file's row of each asset, for messages */
	size_t n;
	void (*progress)(size_t, size_t);
	struct mamori_error *err;
};

static int64_t
asset_count(struct mamori_store *s)
{
	struct mamori_error err;
	sqlite3_stmt *st = store_prepare(s, "SELECT count(*) FROM asset", &err);
	int64_t n = 0;

	if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Drops (create = false) or creates the register's secondary indexes inside tx. */
static int
bulk_indexes(struct mamori_store_tx *tx, bool create, struct mamori_error *err)
{
	char sql[160];
	int rc = 0;

	for (size_t i = 0; i < NASSET_INDEXES && rc == 0; i++) {
		snprintf(sql, sizeof(sql), "DROP INDEX %s", asset_indexes[i][0]);
		rc = store_exec(tx->store, create ? asset_indexes[i][1] : sql, err);
	}
	/* fresh statistics, sampled, so that the planner picks the right index */
	if (rc == 0 && create)
		rc = store_exec(tx->store, "PRAGMA analysis_limit = 1000; ANALYZE asset", err);
	return rc;
}

static int
import_tx(struct mamori_store_tx *tx, void *arg)
{
	struct import_arg *x = arg;
	bool bulk = x->n >= BULK_ROWS && (int64_t)x->n > asset_count(tx->store);
	sqlite3_stmt *ins = NULL;
	int rc = 0;

	if (bulk && (rc = bulk_indexes(tx, false, x->err)) != 0)
		return rc;
	if ((ins = store_prepare(tx->store, INSERT_SQL, x->err)) == NULL)
		return MAMORI_E_STORE;
	for (size_t i = 0; i < x->n && rc == 0; i++) {
		rc = insert_asset(tx, &x->rows[i], ins);
		if (rc == MAMORI_E_CONFLICT)	/* checked before; only a concurrent writer gets here */
			mamori_error_set(x->err, rc, "row %d: asset %s exists already in the register; "
			    "nothing was imported", x->rowno[i], x->rows[i].f[MAMORI_AF_ID]);
		if (x->progress && (i + 1) % 10000 == 0 && i + 1 < x->n)
			x->progress(i + 1, x->n);
	}
	if (x->progress && rc == 0 && x->n >= 10000)
		x->progress(x->n, x->n);	/* the last call says done */
	sqlite3_finalize(ins);
	if (rc == 0 && bulk)
		rc = bulk_indexes(tx, true, x->err);
	return rc;
}

/* The value of an integer pragma (e.g. cache_size). */
static int64_t
config_pragma(struct mamori_store *s, const char *name)
{
	struct mamori_error err;
	char sql[64];
	sqlite3_stmt *st;
	int64_t v = 0;

	snprintf(sql, sizeof(sql), "PRAGMA %s", name);
	if ((st = store_prepare(s, sql, &err)) != NULL && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/*
 * Every given id must be new: not twice in the file, not in the register.
 * Checked before writing so that every row is reported, and so that a dry run
 * says what the import would say.
 */
static void
check_ids(struct mamori_store *s, const struct import_arg *x, const char *name, struct mamori_diags *d)
{
	struct mamori_strmap seen;
	struct mamori_error err;
	sqlite3_stmt *st = store_prepare(s, "SELECT 1 FROM asset WHERE num = ?1", &err);

	if (st == NULL || !mamori_strmap_init(&seen, x->n ? x->n : 1)) {
		mamori_diags_add(d, MAMORI_SEV_ERROR, NULL, 0, 0, "%s: cannot check the ids (out of memory)", name);
		sqlite3_finalize(st);
		return;
	}
	for (size_t i = 0; i < x->n; i++) {
		const char *id = x->rows[i].f[MAMORI_AF_ID];
		int prev;
		if (empty(id))
			continue;
		if ((prev = mamori_strmap_get(&seen, id)) >= 0) {
			mamori_diags_add(d, MAMORI_SEV_ERROR, NULL, x->rowno[i], 0, "%s: row %d, column 資産番号: duplicate "
			    "id %s (row %d has it too)", name, x->rowno[i], id, x->rowno[prev]);
			continue;
		}
		mamori_strmap_put(&seen, id, (int)i);
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, to_int(id + 2));
		if (sqlite3_step(st) == SQLITE_ROW)
			mamori_diags_add(d, MAMORI_SEV_ERROR, NULL, x->rowno[i], 0, "%s: row %d, column 資産番号: %s is in "
			    "the register already; leave 資産番号 empty to get a new id, or edit the asset with "
			    "'mamori asset edit %s'", name, x->rowno[i], id, id);
	}
	sqlite3_finalize(st);
	mamori_strmap_free(&seen);
}

/* Reads a whole file, or a pipe, into a malloc'd buffer. */
static char *
slurp(const char *path, size_t *len, struct mamori_error *err)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0, r;
	char *b;

	if (f == NULL) {
		mamori_error_set(err, MAMORI_E_IO, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	b = malloc(cap + 1);
	while (b != NULL && (r = fread(b + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			char *nb = realloc(b, cap * 2 + 1);
			if (nb == NULL) {
				free(b);
				b = NULL;
				break;
			}
			b = nb;
			cap *= 2;
		}
	}
	if (b == NULL || ferror(f)) {
		free(b);
		b = NULL;
		mamori_error_set(err, MAMORI_E_IO, "cannot read %s", path);
	} else {
		*len = n;
	}
	fclose(f);
	return b;
}

/* The import of a file in memory: mamori_asset_import and mamori_asset_import_buffer. */
static int
import_bytes(struct mamori_store *s, const char *actor, const char *name, const char *bytes,
    size_t bytes_len, const char *encoding, bool dry_run, const struct mamori_asset_scope *scope,
    struct mamori_diags *diags, size_t *count, void (*progress)(size_t, size_t), struct mamori_error *err)
{
	struct csv_reader r;
	struct csv_record rec;
	struct import_arg x = { .progress = progress, .err = err };
	int colmap[4096];
	size_t ncols = 0, cap = 0, text_len, refused = 0;
	char *text, msg[256];
	bool seen[MAMORI_AF_COUNT] = { false };
	int rc = 0, got;

	*count = 0;
	text = text_decode(bytes, bytes_len, encoding, &text_len, msg, sizeof(msg));
	if (text == NULL) {
		mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, 0, 0, "%s: %s", name, msg);
		return mamori_error_set(err, MAMORI_E_INVALID, "%s: cannot decode the file", name);
	}
	csv_open(&r, text, text_len);
	got = csv_next(&r, &rec);
	if (got <= 0) {
		mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, 0, 0, "%s: %s", name,
		    got == 0 ? "the file is empty; the first row must be the header (資産名, 種別, 所管課 …)" : r.error);
		csv_free(&r);
		return mamori_error_set(err, MAMORI_E_INVALID, "%s: no header row", name);
	}
	ncols = rec.nfields;
	for (size_t i = 0; i < ncols; i++) {
		int k = mamori_asset_column_find(rec.fields[i]);
		colmap[i] = k;
		if (k < 0 && rec.fields[i][0] != '\0')
			mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, 1, (int)i + 1, "%s: row 1, column %zu: unknown "
			    "header '%s' (known: 資産番号/id, 資産名/name, 種別/kind, 説明/description, "
			    "所管課/department, 管理責任者/role, ネットワーク区分/segment, 保管場所/location, "
			    "機密性, 完全性, 可用性, 保存期間/retention, 状態/status)", name, i + 1, rec.fields[i]);
		else if (k >= 0 && seen[k])
			mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, 1, (int)i + 1, "%s: row 1, column %zu: '%s' "
			    "appears twice", name, i + 1, rec.fields[i]);
		else if (k >= 0)
			seen[k] = true;
	}
	for (int k = 0; k < MAMORI_AF_COUNT; k++)
		if (mamori_asset_columns[k].required && !seen[k])
			mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, 1, 0, "%s: row 1: the required column "
			    "%s (%s) is missing", name, mamori_asset_columns[k].ja, mamori_asset_columns[k].id);
	if (diags->errors > 0) {
		csv_free(&r);
		return mamori_error_set(err, MAMORI_E_INVALID, "%s: the header row is not usable", name);
	}
	int row = 1;
	while ((got = csv_next(&r, &rec)) == 1) {
		struct mamori_asset a = { 0 };
		bool blank = true;
		row++;
		for (size_t i = 0; i < rec.nfields; i++)
			blank = blank && rec.fields[i][0] == '\0';
		if (blank)
			continue;
		if (rec.nfields != ncols)
			mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, row, 0, "%s: row %d: %zu fields where the "
			    "header has %zu", name, row, rec.nfields, ncols);
		for (size_t i = 0; i < rec.nfields && i < ncols; i++)
			if (colmap[i] >= 0 && rec.fields[i][0] != '\0' && mamori_asset_columns[colmap[i]].importable)
				mamori_asset_set(&a, (enum mamori_asset_field)colmap[i], rec.fields[i]);
		if (mamori_asset_check(s->policy, &a, name, row, diags) == 0 && scope && scope->allows &&
		    !scope->allows(&a, scope->ctx)) {
			refused++;
			mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, row, 0, "%s: row %d: you may not write "
			    "assets of department '%s'", name, row, a.f[MAMORI_AF_DEPARTMENT] ? a.f[MAMORI_AF_DEPARTMENT] : "");
		}
		if (x.n == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			struct mamori_asset *nr = realloc(x.rows, ncap * sizeof(*nr));
			int *nn = nr ? realloc(x.rowno, ncap * sizeof(*nn)) : NULL;
			if (nr != NULL)
				x.rows = nr;
			if (nn == NULL) {
				mamori_asset_clear(&a);
				rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
				goto out;
			}
			x.rowno = nn;
			cap = ncap;
		}
		x.rowno[x.n] = row;
		x.rows[x.n++] = a;
	}
	if (got < 0)
		mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, 0, 0, "%s: line %d: %s", name, r.error_line, r.error);
	check_ids(s, &x, name, diags);
	if (diags->errors > 0) {
		rc = mamori_error_set(err, refused == diags->errors ? MAMORI_E_DENIED : MAMORI_E_INVALID,
		    "%s: %zu problems; nothing was imported", name, diags->errors);
		goto out;
	}
	*count = x.n;
	if (!dry_run && x.n > 0) {
		/* a cache that holds the whole transaction's pages: without it SQLite
		 * spills pages to the WAL and reads them back many times over */
		int64_t cache = config_pragma(s, "cache_size");
		store_exec(s, "PRAGMA cache_size = -1048576", NULL);	/* KiB: 1 GiB at most, used as needed */
		rc = mamori_store_write(s, actor, import_tx, &x, err);
		char restore[64];
		snprintf(restore, sizeof(restore), "PRAGMA cache_size = %lld", (long long)cache);
		store_exec(s, restore, NULL);
	}
	if (rc != 0)
		*count = 0;
out:
	for (size_t i = 0; i < x.n; i++)
		mamori_asset_clear(&x.rows[i]);
	free(x.rows);
	free(x.rowno);
	csv_free(&r);
	return rc;
}

int
mamori_asset_import(struct mamori_store *s, const char *actor, const char *path, const char *encoding,
    bool dry_run, struct mamori_diags *diags, size_t *count, void (*progress)(size_t, size_t),
    struct mamori_error *err)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t len;
	char *bytes;
	int rc;

	*count = 0;
	if ((bytes = slurp(path, &len, err)) == NULL)
		return MAMORI_E_IO;
	rc = import_bytes(s, actor, name, bytes, len, encoding, dry_run, NULL, diags, count, progress, err);
	free(bytes);
	return rc;
}

int
mamori_asset_import_buffer(struct mamori_store *s, const char *actor, const char *name, const char *buf,
    size_t len, const char *encoding, bool dry_run, const struct mamori_asset_scope *scope,
    struct mamori_diags *diags, size_t *count, struct mamori_error *err)
{
	return import_bytes(s, actor, name, buf, len, encoding, dry_run, scope, diags, count, NULL, err);
}

/* ---- export ------------------------------------------------------------- */

static void
csv_field(FILE *out, const char *v)
{
	if (v == NULL)
		v = "";
	if (strpbrk(v, ",\"\r\n") == NULL) {
		fputs(v, out);
		return;
	}
	fputc('"', out);
	for (; *v; v++) {
		if (*v == '"')
			fputc('"', out);
		fputc(*v, out);
	}
	fputc('"', out);
}

/* What an export walks with: the output, and progress now and then. */
struct export_ctx {
	FILE *out;
	size_t done, total;
	void (*progress)(size_t, size_t);
	const struct mamori_asset_scope *scope;	/* NULL: every asset */
};

static bool
export_hides(const struct export_ctx *e, const struct mamori_asset *a)
{
	return e->scope != NULL && e->scope->allows != NULL && !e->scope->allows(a, e->scope->ctx);
}

static void
export_step(struct export_ctx *e)
{
	if (e->progress && ++e->done % 10000 == 0 && e->done < e->total)
		e->progress(e->done, e->total);
}

static void
export_end(struct export_ctx *e)
{
	if (e->progress && e->total >= 10000)
		e->progress(e->total, e->total);
}

static int
csv_row(const struct mamori_asset *a, void *ctx)
{
	struct export_ctx *e = ctx;
	FILE *out = e->out;

	export_step(e);
	if (export_hides(e, a))
		return 0;

	for (int k = 0; k < MAMORI_AF_COUNT; k++) {
		if (k)
			fputc(',', out);
		csv_field(out, a->f[k]);
	}
	fputs("\r\n", out);
	return ferror(out) ? MAMORI_E_IO : 0;
}

static int
export_csv(struct mamori_store *s, const struct mamori_asset_filter *filter, const struct mamori_asset_scope *scope,
    FILE *out, void (*progress)(size_t done, size_t total), struct mamori_error *err)
{
	struct export_ctx e = { out, 0, progress ? (size_t)asset_count(s) : 0, progress, scope };
	int rc;

	fputs("\xEF\xBB\xBF", out);	/* the BOM tells Excel the file is UTF-8 */
	for (int k = 0; k < MAMORI_AF_COUNT; k++) {
		if (k)
			fputc(',', out);
		csv_field(out, mamori_asset_columns[k].ja);
	}
	fputs("\r\n", out);
	rc = mamori_asset_list(s, filter, csv_row, &e, err);
	if (rc == 0 && (fflush(out) != 0 || ferror(out)))
		rc = mamori_error_set(err, MAMORI_E_IO, "cannot write the export");
	if (rc == 0)
		export_end(&e);
	return rc;
}

int
mamori_asset_export_csv(struct mamori_store *s, FILE *out, void (*progress)(size_t done, size_t total),
    struct mamori_error *err)
{
	return export_csv(s, NULL, NULL, out, progress, err);
}

int
mamori_asset_export_csv_where(struct mamori_store *s, const struct mamori_asset_filter *filter,
    const struct mamori_asset_scope *scope, FILE *out, struct mamori_error *err)
{
	return export_csv(s, filter, scope, out, NULL, err);
}

struct xlsx_ctx {
	struct export_ctx e;
	lxw_worksheet *ws;
	const struct mamori_policy *p;
	lxw_row_t row;
	char restr[4096];
	size_t used;
};

static void
collect_restriction(const struct mamori_axis *axis, const struct mamori_restriction *r, void *ctx)
{
	struct xlsx_ctx *x = ctx;

	if (x->used < sizeof(x->restr))
		x->used += (size_t)snprintf(x->restr + x->used, sizeof(x->restr) - x->used, "%s%s: %s (%s)",
		    x->used ? "\n" : "", axis->title, r->text, r->clause);
}

static int
xlsx_row(const struct mamori_asset *a, void *ctx)
{
	struct xlsx_ctx *x = ctx;

	export_step(&x->e);
	if (export_hides(&x->e, a))
		return 0;
	x->row++;
	for (int k = 0; k < MAMORI_AF_COUNT; k++) {
		if (k >= MAMORI_AF_CONFIDENTIALITY && k <= MAMORI_AF_AVAILABILITY)
			worksheet_write_number(x->ws, x->row, (lxw_col_t)k, (int)to_int(a->f[k]), NULL);
		else if (a->f[k])
			worksheet_write_string(x->ws, x->row, (lxw_col_t)k, a->f[k], NULL);
	}
	x->used = 0;
	x->restr[0] = '\0';
	mamori_asset_restrictions(x->p, a, collect_restriction, x);
	worksheet_write_string(x->ws, x->row, MAMORI_AF_COUNT, x->restr, NULL);
	return 0;
}

static int
export_xlsx(struct mamori_store *s, const struct mamori_asset_filter *filter, const struct mamori_asset_scope *scope,
    const char *path, void (*progress)(size_t done, size_t total), struct mamori_error *err)
{
	/* constant memory: rows go to a temporary file as they are written (in
	 * order, as the list gives them) instead of a tree of the whole sheet, and
	 * strings are written inline; a 1,000,000-row register otherwise takes GBs */
	lxw_workbook_options opts = { .constant_memory = LXW_TRUE };
	lxw_workbook *wb = workbook_new_opt(path, &opts);
	struct xlsx_ctx x = { .e = { NULL, 0, progress ? (size_t)asset_count(s) : 0, progress, scope }, .p = s->policy };
	lxw_format *bold;
	int rc;

	if (wb == NULL)
		return mamori_error_set(err, MAMORI_E_IO, "cannot create %s", path);
	x.ws = workbook_add_worksheet(wb, "情報資産管理台帳");
	bold = workbook_add_format(wb);
	format_set_bold(bold);
	for (int k = 0; k < MAMORI_AF_COUNT; k++)
		worksheet_write_string(x.ws, 0, (lxw_col_t)k, mamori_asset_columns[k].ja, bold);
	worksheet_write_string(x.ws, 0, MAMORI_AF_COUNT, "取扱制限", bold);
	worksheet_freeze_panes(x.ws, 1, 2);
	worksheet_set_column(x.ws, 0, MAMORI_AF_COUNT - 1, 14, NULL);
	worksheet_set_column(x.ws, MAMORI_AF_COUNT, MAMORI_AF_COUNT, 60, NULL);
	rc = mamori_asset_list(s, filter, xlsx_row, &x, err);
	worksheet_autofilter(x.ws, 0, 0, x.row, MAMORI_AF_COUNT);
	if (workbook_close(wb) != LXW_NO_ERROR && rc == 0)
		rc = mamori_error_set(err, MAMORI_E_IO, "cannot write %s", path);
	if (rc == 0)
		export_end(&x.e);
	return rc;
}

int
mamori_asset_export_xlsx(struct mamori_store *s, const char *path, void (*progress)(size_t done, size_t total),
    struct mamori_error *err)
{
	return export_xlsx(s, NULL, NULL, path, progress, err);
}

int
mamori_asset_export_xlsx_where(struct mamori_store *s, const struct mamori_asset_filter *filter,
    const struct mamori_asset_scope *scope, const char *path, struct mamori_error *err)
{
	return export_xlsx(s, filter, scope, path, NULL, err);
}
