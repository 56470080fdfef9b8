/*
 * selfcheck.c — the answers of a 自己点検 campaign (record of kind self-check)
 * or an audit (kind audit) per checklist item and 課: who may answer, the
 * evidence checked, the row of check_answer and its event check.answer in
 * one transaction; the sheet, the progress and the reminders read from them.
 * docs/review.md.
 */
#include "mamori/i18n.h"
#include "mamori/review.h"
#include "mamori/user.h"
#include "record_internal.h"
#include "review_internal.h"
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *id, *title;
} answers[] = {
	{ "conform", "適合" },
	{ "partial", "一部適合" },
	{ "nonconform", "不適合" },
	{ "na", "該当なし" },
};
#define NANSWERS (sizeof(answers) / sizeof(answers[0]))

static const char *
answer_id(const char *word)
{
	for (size_t i = 0; word != NULL && i < NANSWERS; i++)
		if (strcmp(word, answers[i].id) == 0 || strcmp(word, answers[i].title) == 0)
			return answers[i].id;
	return NULL;
}

static const char *
answer_title(const char *id)
{
	for (size_t i = 0; id != NULL && i < NANSWERS; i++)
		if (strcmp(id, answers[i].id) == 0)
			return answers[i].title;
	return NULL;
}

static const char *
str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static bool
array_has(const cJSON *a, const char *s)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, (cJSON_IsArray(a) ? a : NULL))
		if (cJSON_IsString(it) && strcmp(it->valuestring, s) == 0)
			return true;
	return cJSON_IsString(a) && strcmp(a->valuestring, s) == 0;
}

/* The campaign or audit record id, of one of the two kinds; its JSON in *rec. */
static int
read_campaign(struct mamori_store *s, const char *id, cJSON **rec, struct mamori_error *err)
{
	int rc = record_read(s, id, rec, err);
	const char *kind;

	if (rc != 0)
		return rc;
	kind = str(*rec, "kind");
	if (kind == NULL || (strcmp(kind, "self-check") != 0 && strcmp(kind, "audit") != 0)) {
		cJSON_Delete(*rec);
		*rec = NULL;
		return mamori_error_set(err, MAMORI_E_INVALID, "%s is neither a self-check campaign nor an audit", id);
	}
	return 0;
}

static bool
is_audit(const cJSON *rec)
{
	return strcmp(str(rec, "kind"), "audit") == 0;
}

bool
review_may_attach(struct mamori_store *s, const char *by, const cJSON *rec)
{
	struct mamori_user u;
	struct mamori_error err = { 0 };
	const char *kind = str(rec, "kind"), *state = str(rec, "state");

	if (kind == NULL || state == NULL || strcmp(kind, "self-check") != 0 || strcmp(state, "running") != 0 ||
	    mamori_user_get(s, by, &u, &err) != 0 || !u.department[0])
		return false;
	return array_has(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "fields"), "departments"),
	    u.department);
}

bool
mamori_check_may_see(struct mamori_store *s, const char *by, const char *record)
{
	struct mamori_error err = { 0 };
	struct mamori_user u;
	cJSON *rec = NULL;
	bool yes = false;

	if (by == NULL || read_campaign(s, record, &rec, &err) != 0)
		return false;
	if (mamori_record_may_see(s, by, rec))
		yes = true;
	else if (mamori_user_get(s, by, &u, &err) == 0 && !u.disabled) {
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(rec, "fields");
		yes = is_audit(rec) ? array_has(cJSON_GetObjectItemCaseSensitive(f, "auditors"), u.name) :
		    u.department[0] && array_has(cJSON_GetObjectItemCaseSensitive(f, "departments"), u.department);
	}
	cJSON_Delete(rec);
	return yes;
}

/* ---- answering ---- */

struct answer_ctx {
	const char *by, *record, *department, *item, *answer, *comment;
	const cJSON *evidence;
	struct mamori_error *err;
};

/* Who may answer: an audit's auditor; a 課's own account; a role of scope all that may write. */
static int
may_answer(struct mamori_store *s, const cJSON *rec, const char *department, const struct mamori_user *u,
    struct mamori_error *err)
{
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(rec, "fields");
	const struct mamori_role *r = mamori_policy_role(mamori_store_policy(s), u->role);

	if (is_audit(rec)) {
		if (array_has(cJSON_GetObjectItemCaseSensitive(fields, "auditors"), u->name))
			return 0;
		return mamori_error_set(err, MAMORI_E_DENIED, "%s is not an auditor of %s: only its auditors answer "
		    "an audit's checklist", u->name, str(rec, "id"));
	}
	if (strcmp(u->department, department) == 0)
		return 0;
	if (r != NULL && r->access.scope != NULL && strcmp(r->access.scope, "all") == 0) {
		for (size_t i = 0; i < r->access.nactions; i++)
			if (strcmp(r->access.actions[i], "all") == 0 || strcmp(r->access.actions[i], "write") == 0)
				return 0;
	}
	return mamori_error_set(err, MAMORI_E_DENIED, "%s may not answer for %s: an account of that 課 answers "
	    "(or one whose role covers every 課 and may write)", u->name, department);
}

/* Evidence: {files: [n], assets: [id], seq: [n]}, each checked to exist. */
static int
check_evidence(struct mamori_store *s, const char *record, const cJSON *ev, struct mamori_error *err)
{
	static const char file_sql[] = "SELECT 1 FROM record_file WHERE record = ? AND num = ?";
	static const char asset_sql[] = "SELECT 1 FROM asset WHERE id = ?";
	static const char seq_sql[] = "SELECT 1 FROM audit_event WHERE seq = ?";
	const char *keys[] = { "files", "assets", "seq" };
	const char *sqls[] = { file_sql, asset_sql, seq_sql };
	const cJSON *it;

	if (ev == NULL)
		return 0;
	if (!cJSON_IsObject(ev))
		return mamori_error_set(err, MAMORI_E_INVALID, "the evidence must be an object of files, assets and seq");
	cJSON_ArrayForEach(it, ev) {
		bool known = false;
		for (size_t k = 0; k < 3; k++)
			known = known || strcmp(it->string, keys[k]) == 0;
		if (!known)
			return mamori_error_set(err, MAMORI_E_INVALID, "evidence: '%s' is not files, assets or seq", it->string);
	}
	for (size_t k = 0; k < 3; k++) {
		const cJSON *v;
		cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(ev, keys[k])) {
			sqlite3_stmt *st = store_cached(s, sqls[k], err);
			int rc;
			if (st == NULL)
				return MAMORI_E_STORE;
			if (k == 0)
				sqlite3_bind_text(st, 1, record, -1, SQLITE_TRANSIENT);
			if (k == 1 && cJSON_IsString(v))
				sqlite3_bind_text(st, 1, v->valuestring, -1, SQLITE_TRANSIENT);
			if (k != 1 && cJSON_IsNumber(v))
				sqlite3_bind_int64(st, k == 0 ? 2 : 1, (sqlite3_int64)v->valuedouble);
			rc = sqlite3_step(st);
			store_release(s, st);
			if (rc != SQLITE_ROW) {
				char what[80];
				if (cJSON_IsString(v))
					snprintf(what, sizeof(what), "%s", v->valuestring);
				else
					snprintf(what, sizeof(what), "%.0f", cJSON_IsNumber(v) ? v->valuedouble : -1.0);
				return mamori_error_set(err, MAMORI_E_INVALID, k == 0 ? "evidence: %s has no file %s" :
				    k == 1 ? "evidence: %s: no asset %s in the register" : "evidence: %s: no event %s in the trail",
				    k == 0 ? record : "", what);
			}
		}
	}
	return 0;
}

/* The answer stored for (record, department, item) as JSON, or NULL. */
static cJSON *
stored_answer(struct mamori_store *s, const char *record, const char *department, const char *item)
{
	static const char sql[] = "SELECT answer, comment, evidence, by, at FROM check_answer "
	    "WHERE record = ? AND department = ? AND item = ?";
	struct mamori_error err = { 0 };
	sqlite3_stmt *st = store_cached(s, sql, &err);
	cJSON *o = NULL;

	if (st == NULL)
		return NULL;
	sqlite3_bind_text(st, 1, record, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, department, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, item, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "answer", (const char *)sqlite3_column_text(st, 0));
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			cJSON_AddStringToObject(o, "comment", (const char *)sqlite3_column_text(st, 1));
		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			cJSON_AddItemToObject(o, "evidence", cJSON_Parse((const char *)sqlite3_column_text(st, 2)));
		cJSON_AddStringToObject(o, "by", (const char *)sqlite3_column_text(st, 3));
		cJSON_AddStringToObject(o, "at", (const char *)sqlite3_column_text(st, 4));
	}
	store_release(s, st);
	return o;
}

static int
answer_tx(struct mamori_store_tx *tx, void *arg)
{
	static const char sql[] = "INSERT OR REPLACE INTO check_answer (record, department, item, answer, comment, "
	    "evidence, by, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	struct answer_ctx *c = arg;
	struct mamori_store *s = tx->store;
	cJSON *before = stored_answer(s, c->record, c->department, c->item), *after = cJSON_CreateObject();
	char now[32], *ev = c->evidence ? cJSON_PrintUnformatted(c->evidence) : NULL;
	sqlite3_stmt *st = store_cached(s, sql, c->err);
	int rc = MAMORI_E_STORE;

	if (st == NULL)
		goto out;
	store_tx_now(tx, now);
	sqlite3_bind_text(st, 1, c->record, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, c->department, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, c->item, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, c->answer, -1, SQLITE_TRANSIENT);
	if (c->comment && c->comment[0])
		sqlite3_bind_text(st, 5, c->comment, -1, SQLITE_TRANSIENT);
	if (ev != NULL)
		sqlite3_bind_text(st, 6, ev, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, c->by, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 8, now, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	store_release(s, st);
	if (rc != SQLITE_DONE) {
		rc = store_error(s, c->err, "cannot write the answer");
		goto out;
	}
	cJSON_AddStringToObject(after, "department", c->department);
	cJSON_AddStringToObject(after, "item", c->item);
	cJSON_AddStringToObject(after, "answer", c->answer);
	cJSON_AddStringToObject(after, "by", c->by);
	if (c->comment && c->comment[0])
		cJSON_AddStringToObject(after, "comment", c->comment);
	if (c->evidence)
		cJSON_AddItemToObject(after, "evidence", cJSON_Duplicate(c->evidence, true));
	rc = mamori_store_tx_event(tx, "check.answer", "record", c->record, before, after);
out:
	free(ev);
	cJSON_Delete(before);
	cJSON_Delete(after);
	return rc;
}

int
mamori_check_answer(struct mamori_store *s, const char *actor, const char *by, const char *record,
    const char *department, const char *item, const char *answer, const char *comment, const cJSON *evidence,
    time_t now, struct mamori_error *err)
{
	const struct mamori_policy *p = mamori_store_policy(s);
	const struct mamori_department *d = department ? mamori_policy_find_department(p, department) : NULL;
	struct mamori_checklist *cl = NULL;
	const struct mamori_check_item *it;
	struct mamori_user u;
	cJSON *rec = NULL;
	const char *id = answer_id(answer), *want;
	int rc;

	(void)now;
	if (id == NULL)
		return mamori_error_set(err, MAMORI_E_USAGE, "answer '%s': write conform (適合), partial (一部適合), "
		    "nonconform (不適合) or na (該当なし)", answer ? answer : "");
	if (comment != NULL && strlen(comment) > 4000)
		return mamori_error_set(err, MAMORI_E_INVALID, "the comment is longer than 4000 bytes");
	if (d == NULL)
		return mamori_error_set(err, MAMORI_E_NOTFOUND, "no department '%s' in the policy",
		    department ? department : "");
	if ((rc = record_acting_account(s, by, &u, err)) != 0 || (rc = read_campaign(s, record, &rec, err)) != 0)
		return rc;
	want = is_audit(rec) ? "fieldwork" : "running";
	if (strcmp(str(rec, "state"), want) != 0) {
		rc = mamori_error_set(err, MAMORI_E_CONFLICT, "%s is %s: answers are taken while it is %s", record,
		    str(rec, "state_title") ? str(rec, "state_title") : str(rec, "state"), want);
		goto out;
	}
	if (!array_has(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "fields"), "departments"),
	    d->id)) {
		rc = mamori_error_set(err, MAMORI_E_INVALID, "%s is not in the scope of %s", d->title, record);
		goto out;
	}
	if ((rc = may_answer(s, rec, d->id, &u, err)) != 0 || (rc = mamori_checklist_build(p, &cl, err)) != 0)
		goto out;
	it = mamori_checklist_find(cl, item);
	if (it == NULL || (!is_audit(rec) && !mamori_checklist_asks(p, it, d->id))) {
		rc = mamori_error_set(err, MAMORI_E_NOTFOUND, "%s is not an item %s asks of %s (mamori check sheet "
		    "lists them)", item ? item : "", record, d->title);
		goto out;
	}
	if ((rc = check_evidence(s, record, evidence, err)) != 0)
		goto out;
	struct answer_ctx c = { .by = u.name, .record = record, .department = d->id, .item = it->id, .answer = id,
	    .comment = comment, .evidence = evidence, .err = err };
	rc = mamori_store_write(s, actor, answer_tx, &c, err);
out:
	mamori_checklist_free(&cl);
	cJSON_Delete(rec);
	return rc;
}

/* ---- pre-filled evidence: what the register says ---- */

/* The axis column of the asset table for an axis id. */
static const char *
axis_column(const char *axis)
{
	return strcmp(axis, "confidentiality") == 0 ? "c" : strcmp(axis, "integrity") == 0 ? "i" :
	    strcmp(axis, "availability") == 0 ? "a" : NULL;
}

/* restriction.AXIS.LEVEL.RID split; false for another item. */
static bool
split_restriction(const char *id, char axis[65], int *level, char rid[65])
{
	return sscanf(id, "restriction.%64[a-z0-9-].%d.%64[a-z0-9-]", axis, level, rid) == 3;
}

static cJSON *
prefill(struct mamori_store *s, const char *department, const char *item)
{
	char axis[65], rid[65], sql[300];
	int level;
	const char *col, *cond, *what;
	bool storage;

	if (!split_restriction(item, axis, &level, rid) || (col = axis_column(axis)) == NULL)
		return NULL;
	storage = strcmp(rid, "restricted-storage") == 0 || strcmp(rid, "locked-media-storage") == 0;
	if (!storage && strcmp(rid, "irreversible-disposal") != 0)
		return NULL;
	cond = storage ? "status = 'active' AND location = ''" : "status = 'disposed' AND COALESCE(disposed_method, '') = ''";
	what = storage ? "status = 'active'" : "status = 'disposed'";
	/* col is one of three fixed names, never input */
	snprintf(sql, sizeof(sql), "SELECT (SELECT COUNT(*) FROM asset WHERE department = ?1 AND %s = ?2 AND %s), "
	    "(SELECT group_concat(id, ',') FROM (SELECT id FROM asset WHERE department = ?1 AND %s = ?2 AND %s "
	    "ORDER BY id LIMIT 20))", col, what, col, cond);
	struct mamori_error err = { 0 };
	sqlite3_stmt *st = store_prepare(s, sql, &err);
	cJSON *o = NULL;
	if (st == NULL)
		return NULL;
	sqlite3_bind_text(st, 1, department, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, level);
	if (sqlite3_step(st) == SQLITE_ROW) {
		long long total = sqlite3_column_int64(st, 0);
		const char *missing = (const char *)sqlite3_column_text(st, 1);
		char text[300];
		o = cJSON_CreateObject();
		cJSON *ids = cJSON_AddArrayToObject(o, "assets");
		for (const char *p = missing; p != NULL && *p;) {
			const char *comma = strchr(p, ',');
			size_t n = comma ? (size_t)(comma - p) : strlen(p);
			char one[65];
			snprintf(one, sizeof(one), "%.*s", (int)n, p);
			cJSON_AddItemToArray(ids, cJSON_CreateString(one));
			p = comma ? comma + 1 : NULL;
		}
		int bad = cJSON_GetArraySize(ids);
		const struct mamori_axis *ax = mamori_policy_axis(mamori_store_policy(s), axis);
		const struct mamori_level *lv = ax ? mamori_policy_level(ax, level) : NULL;
		char name[160];
		/* the level as the policy names it (機密性3); the ids only when it has no title */
		if (lv != NULL && lv->title)
			snprintf(name, sizeof(name), "%s", lv->title);
		else
			snprintf(name, sizeof(name), "%s%d", axis, level);
		if (storage)
			snprintf(text, sizeof(text), bad == 0 ? "%s の情報資産 %lld 件すべてに保管場所が記録されている" :
			    "%s の情報資産 %lld 件のうち保管場所のないものがある", name, total);
		else
			snprintf(text, sizeof(text), bad == 0 ? "%s の廃棄済み情報資産 %lld 件すべてに廃棄方法が記録されている" :
			    "%s の廃棄済み情報資産 %lld 件のうち廃棄方法のないものがある", name, total);
		cJSON_AddStringToObject(o, "text", text);
		cJSON_AddBoolToObject(o, "ok", bad == 0);
	}
	sqlite3_finalize(st);
	return o;
}

/* ---- the sheet and the progress ---- */

static void
add_answer_fields(cJSON *o, cJSON *a)
{
	const char *ans = a ? str(a, "answer") : NULL;

	if (ans) {
		cJSON_AddStringToObject(o, "answer", ans);
		cJSON_AddStringToObject(o, "answer_title", answer_title(ans));
	} else {
		cJSON_AddNullToObject(o, "answer");
		cJSON_AddNullToObject(o, "answer_title");
	}
	const char *keys[] = { "comment", "evidence", "by", "at" };
	for (size_t k = 0; k < 4; k++) {
		cJSON *v = a ? cJSON_DetachItemFromObjectCaseSensitive(a, keys[k]) : NULL;
		cJSON_AddItemToObject(o, keys[k], v ? v : cJSON_CreateNull());
	}
}

/* The answers of record for department not among the items of cl, into orphans. */
static void
add_orphans(struct mamori_store *s, const char *record, const char *department, const struct mamori_checklist *cl,
    cJSON *orphans)
{
	static const char sql[] = "SELECT item, answer FROM check_answer WHERE record = ? AND department = ? ORDER BY item";
	struct mamori_error err = { 0 };
	sqlite3_stmt *st = store_prepare(s, sql, &err);

	if (st == NULL)
		return;
	sqlite3_bind_text(st, 1, record, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, department, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *item = (const char *)sqlite3_column_text(st, 0);
		if (mamori_checklist_find(cl, item) != NULL)
			continue;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", item);
		cJSON_AddStringToObject(o, "answer", (const char *)sqlite3_column_text(st, 1));
		cJSON_AddItemToArray(orphans, o);
	}
	sqlite3_finalize(st);
}

int
mamori_check_sheet(struct mamori_store *s, const char *record, const char *department, cJSON **out,
    struct mamori_error *err)
{
	const struct mamori_policy *p = mamori_store_policy(s);
	const struct mamori_department *d = department ? mamori_policy_find_department(p, department) : NULL;
	struct mamori_checklist *cl = NULL;
	cJSON *rec = NULL, *o, *items;
	int rc;

	*out = NULL;
	if (d == NULL)
		return mamori_error_set(err, MAMORI_E_NOTFOUND, "no department '%s' in the policy",
		    department ? department : "");
	if ((rc = read_campaign(s, record, &rec, err)) != 0)
		return rc;
	if ((rc = mamori_checklist_build(p, &cl, err)) != 0) {
		cJSON_Delete(rec);
		return rc;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "record", record);
	cJSON_AddStringToObject(o, "kind", str(rec, "kind"));
	cJSON_AddStringToObject(o, "department", d->id);
	cJSON_AddStringToObject(o, "department_title", d->title);
	items = cJSON_AddArrayToObject(o, "items");
	for (size_t i = 0; i < cl->n; i++) {
		const struct mamori_check_item *it = &cl->items[i];
		if (!is_audit(rec) && !mamori_checklist_asks(p, it, d->id))
			continue;
		cJSON *x = cJSON_CreateObject(), *a = stored_answer(s, record, d->id, it->id), *pf;
		cJSON_AddStringToObject(x, "id", it->id);
		cJSON_AddStringToObject(x, "text", it->text);
		cJSON_AddStringToObject(x, "clause", it->clause ? it->clause : "");
		add_answer_fields(x, a);
		cJSON_Delete(a);
		pf = prefill(s, d->id, it->id);
		cJSON_AddItemToObject(x, "prefill", pf ? pf : cJSON_CreateNull());
		cJSON_AddItemToArray(items, x);
	}
	add_orphans(s, record, d->id, cl, cJSON_AddArrayToObject(o, "orphans"));
	mamori_checklist_free(&cl);
	cJSON_Delete(rec);
	*out = o;
	return 0;
}

/* The counts of department's answers to the items asked of it. */
static cJSON *
department_progress(struct mamori_store *s, const struct mamori_policy *p, const cJSON *rec,
    const struct mamori_checklist *cl, const struct mamori_department *d)
{
	cJSON *o = cJSON_CreateObject();
	long counts[NANSWERS] = { 0 }, asked = 0, answered = 0;

	for (size_t i = 0; i < cl->n; i++) {
		if (!is_audit(rec) && !mamori_checklist_asks(p, &cl->items[i], d->id))
			continue;
		asked++;
		cJSON *a = stored_answer(s, str(rec, "id"), d->id, cl->items[i].id);
		const char *ans = a ? str(a, "answer") : NULL;
		for (size_t k = 0; ans != NULL && k < NANSWERS; k++)
			if (strcmp(ans, answers[k].id) == 0) {
				counts[k]++;
				answered++;
			}
		cJSON_Delete(a);
	}
	cJSON_AddStringToObject(o, "department", d->id);
	cJSON_AddStringToObject(o, "title", d->title);
	cJSON_AddNumberToObject(o, "items", (double)asked);
	cJSON_AddNumberToObject(o, "answered", (double)answered);
	for (size_t k = 0; k < NANSWERS; k++)
		cJSON_AddNumberToObject(o, answers[k].id, (double)counts[k]);
	return o;
}

int
mamori_check_progress(struct mamori_store *s, const char *record, cJSON **out, struct mamori_error *err)
{
	const struct mamori_policy *p = mamori_store_policy(s);
	struct mamori_checklist *cl = NULL;
	cJSON *rec = NULL, *o, *depts, *fields;
	const cJSON *d;
	double items = 0, answered = 0;
	int rc;

	*out = NULL;
	if ((rc = read_campaign(s, record, &rec, err)) != 0)
		return rc;
	if ((rc = mamori_checklist_build(p, &cl, err)) != 0) {
		cJSON_Delete(rec);
		return rc;
	}
	fields = cJSON_GetObjectItemCaseSensitive(rec, "fields");
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "record", record);
	cJSON_AddStringToObject(o, "kind", str(rec, "kind"));
	cJSON_AddStringToObject(o, "state", str(rec, "state"));
	if (str(fields, "due"))
		cJSON_AddStringToObject(o, "due", str(fields, "due"));
	else
		cJSON_AddNullToObject(o, "due");
	depts = cJSON_AddArrayToObject(o, "departments");
	cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(fields, "departments")) {
		const struct mamori_department *dd = cJSON_IsString(d) ? mamori_policy_department(p, d->valuestring) : NULL;
		if (dd == NULL)
			continue;
		cJSON *x = department_progress(s, p, rec, cl, dd);
		items += cJSON_GetNumberValue(cJSON_GetObjectItem(x, "items"));
		answered += cJSON_GetNumberValue(cJSON_GetObjectItem(x, "answered"));
		cJSON_AddItemToArray(depts, x);
	}
	cJSON_AddNumberToObject(o, "items", items);
	cJSON_AddNumberToObject(o, "answered", answered);
	mamori_checklist_free(&cl);
	cJSON_Delete(rec);
	*out = o;
	return 0;
}

/* ---- reminders ---- */

struct remind_ctx {
	struct mamori_store_tx *tx;
	const char *record, *department, *reason;
	size_t n;
	int rc;
	struct mamori_error *err;
};

static bool
notice_exists(struct mamori_store *s, const char *record, const char *recipient, const char *reason)
{
	static const char sql[] = "SELECT 1 FROM record_notice WHERE record = ? AND recipient = ? AND reason = ?";
	struct mamori_error err = { 0 };
	sqlite3_stmt *st = store_cached(s, sql, &err);
	bool yes;

	if (st == NULL)
		return true;	/* not knowing, tell no one twice */
	sqlite3_bind_text(st, 1, record, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, recipient, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, reason, -1, SQLITE_TRANSIENT);
	yes = sqlite3_step(st) == SQLITE_ROW;
	store_release(s, st);
	return yes;
}

static int
remind_holder(const struct mamori_user *u, void *arg)
{
	static const char sql[] = "INSERT INTO record_notice (record, recipient, reason, created) VALUES (?, ?, ?, ?)";
	struct remind_ctx *c = arg;
	struct mamori_store *s = c->tx->store;
	char now[32];

	if (u->disabled || strcmp(u->role, "security-manager") != 0 || strcmp(u->department, c->department) != 0 ||
	    notice_exists(s, c->record, u->name, c->reason))
		return 0;
	sqlite3_stmt *st = store_cached(s, sql, c->err);
	if (st == NULL) {
		c->rc = MAMORI_E_STORE;
		return 1;
	}
	store_tx_now(c->tx, now);
	sqlite3_bind_text(st, 1, c->record, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, u->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, c->reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	store_release(s, st);
	if (rc != SQLITE_DONE) {
		c->rc = store_error(s, c->err, "cannot write the notice");
		return 1;
	}
	c->n++;
	return 0;
}

/* The reminders written for one 課 and reason: an event on the campaign, so the trail shows who was told. */
static int
remind_event(struct mamori_store_tx *tx, const struct remind_ctx *c)
{
	cJSON *after = cJSON_CreateObject();
	int rc;

	cJSON_AddStringToObject(after, "department", c->department);
	cJSON_AddStringToObject(after, "reason", c->reason);
	cJSON_AddNumberToObject(after, "notices", (double)c->n);
	rc = mamori_store_tx_event(tx, "check.remind", "record", c->record, NULL, after);
	cJSON_Delete(after);
	return rc;
}

struct remind_all {
	time_t now;
	size_t n;
	struct mamori_error *err;
};

/* The days from today to due (negative: past), both YYYY-MM-DD. */
static long
days_until(const char *today, const char *due)
{
	struct tm a = { 0 }, b = { 0 };

	if (sscanf(today, "%d-%d-%d", &a.tm_year, &a.tm_mon, &a.tm_mday) != 3 ||
	    sscanf(due, "%d-%d-%d", &b.tm_year, &b.tm_mon, &b.tm_mday) != 3)
		return 1000;
	a.tm_year -= 1900, b.tm_year -= 1900, a.tm_mon--, b.tm_mon--;
	return (long)((timegm(&b) - timegm(&a)) / 86400);
}

/* Whether record has any notice for reason. */
static bool
noticed(struct mamori_store *s, const char *record, const char *reason)
{
	static const char sql[] = "SELECT 1 FROM record_notice WHERE record = ? AND reason = ?";
	struct mamori_error err = { 0 };
	sqlite3_stmt *st = store_cached(s, sql, &err);
	bool yes;

	if (st == NULL)
		return true;
	sqlite3_bind_text(st, 1, record, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, reason, -1, SQLITE_TRANSIENT);
	yes = sqlite3_step(st) == SQLITE_ROW;
	store_release(s, st);
	return yes;
}

/*
 * The follow-up of findings: one not yet corrected whose due date (是正期限)
 * has passed is told, once, to the 課's 情報セキュリティ管理者 and the auditor
 * who raised it (finding.overdue), with an event on the finding.
 */
static int
remind_findings(struct mamori_store_tx *tx, const char *today, size_t *n, struct mamori_error *err)
{
	static const char sql[] = "SELECT id FROM record WHERE kind = 'finding' AND state IN ('raised', 'planned') ORDER BY num";
	static const char *const whom[] = { "security-manager", "reporter" };
	struct mamori_store *s = tx->store;
	sqlite3_stmt *st = store_prepare(s, sql, err);
	int rc = 0;

	if (st == NULL)
		return MAMORI_E_STORE;
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		cJSON *rec = NULL;
		size_t told = 0;
		if ((rc = record_read(s, id, &rec, err)) != 0)
			break;
		const char *due = str(cJSON_GetObjectItem(rec, "fields"), "due");
		if (due != NULL && strcmp(due, today) < 0 && !noticed(s, id, "finding.overdue") &&
		    (rc = record_notify(tx, rec, whom, 2, "finding.overdue", &told)) == 0 && told > 0) {
			cJSON *after = cJSON_CreateObject();
			cJSON_AddStringToObject(after, "reason", "finding.overdue");
			cJSON_AddStringToObject(after, "due", due);
			cJSON_AddNumberToObject(after, "notices", (double)told);
			rc = mamori_store_tx_event(tx, "check.remind", "record", id, NULL, after);
			cJSON_Delete(after);
			*n += told;
		}
		cJSON_Delete(rec);
	}
	sqlite3_finalize(st);
	return rc;
}

static int
remind_tx(struct mamori_store_tx *tx, void *arg)
{
	static const char sql[] = "SELECT id FROM record WHERE kind = 'self-check' AND state = 'running' ORDER BY num";
	struct remind_all *ra = arg;
	struct mamori_store *s = tx->store;
	const struct mamori_policy *p = mamori_store_policy(s);
	sqlite3_stmt *st = store_prepare(s, sql, ra->err);
	char today[11];
	int rc = 0;

	if (st == NULL)
		return MAMORI_E_STORE;
	record_local_date(p, ra->now, today);
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		cJSON *prog = NULL, *rec = NULL;
		if ((rc = mamori_check_progress(s, id, &prog, ra->err)) != 0 || (rc = record_read(s, id, &rec, ra->err)) != 0) {
			cJSON_Delete(prog);
			break;
		}
		const char *due = str(cJSON_GetObjectItem(rec, "fields"), "due");
		long days = due ? days_until(today, due) : 1000;
		const cJSON *d;
		cJSON_ArrayForEach(d, cJSON_GetObjectItem(prog, "departments")) {
			if (cJSON_GetNumberValue(cJSON_GetObjectItem(d, "answered")) >= cJSON_GetNumberValue(cJSON_GetObjectItem(d, "items")))
				continue;
			const char *reasons[3] = { "check.start", days < 0 ? "check.overdue" : days <= 7 ? "check.due-soon" : NULL, NULL };
			for (size_t k = 0; rc == 0 && k < 2 && reasons[k]; k++) {
				struct remind_ctx c = { .tx = tx, .record = id, .department = str(d, "department"),
				    .reason = reasons[k], .err = ra->err };
				if (mamori_user_list(s, remind_holder, &c, ra->err) != 0 && c.rc == 0)
					rc = MAMORI_E_STORE;
				if (rc == 0)
					rc = c.rc;
				if (rc == 0 && c.n > 0)
					rc = remind_event(tx, &c);
				ra->n += c.n;
			}
		}
		cJSON_Delete(prog);
		cJSON_Delete(rec);
	}
	sqlite3_finalize(st);
	if (rc == 0)
		rc = remind_findings(tx, today, &ra->n, ra->err);
	return rc;
}

int
mamori_check_remind(struct mamori_store *s, const char *actor, time_t now, size_t *notices,
    struct mamori_error *err)
{
	struct remind_all ra = { .now = now, .err = err };
	int rc = mamori_store_write(s, actor, remind_tx, &ra, err);

	if (notices != NULL)
		*notices = rc == 0 ? ra.n : 0;
	return rc;
}
