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
#include "store_ops_check.h"
#include "store_ops_mail.h"

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

/*
 * Whether the evidence v of kind k (0 files, 1 assets, 2 seq) is there: a
 * value of the wrong type (an asset given as a number) is not.
 */
static int
evidence_found(struct mamori_store *s, const char *record, size_t k, const cJSON *v, bool *found,
    struct mamori_error *err)
{
	const struct store_check_ops *ops = s->backend->check;

	*found = false;
	if (k == 1)
		return cJSON_IsString(v) ? ops->asset_exists(s, v->valuestring, found, err) : 0;
	if (!cJSON_IsNumber(v))
		return 0;
	return k == 0 ? ops->file_exists(s, record, (int64_t)v->valuedouble, found, err) :
	    ops->event_exists(s, (int64_t)v->valuedouble, found, err);
}

/* Evidence: {files: [n], assets: [id], seq: [n]}, each checked to exist. */
static int
check_evidence(struct mamori_store *s, const char *record, const cJSON *ev, struct mamori_error *err)
{
	const char *keys[] = { "files", "assets", "seq" };
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
			bool found;
			int rc = evidence_found(s, record, k, v, &found, err);
			if (rc != 0)
				return rc;
			if (!found) {
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

/* An answer as JSON, into *(cJSON **)arg. */
static int
answer_json(const struct store_check_answer *a, void *arg)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "answer", a->answer);
	if (a->comment != NULL)
		cJSON_AddStringToObject(o, "comment", a->comment);
	if (a->evidence != NULL)
		cJSON_AddItemToObject(o, "evidence", cJSON_Parse(a->evidence));
	cJSON_AddStringToObject(o, "by", a->by);
	cJSON_AddStringToObject(o, "at", a->at);
	*(cJSON **)arg = o;
	return 0;
}

/* The answer stored for (record, department, item) as JSON, or NULL (none, or not readable). */
static cJSON *
stored_answer(struct mamori_store *s, const char *record, const char *department, const char *item)
{
	cJSON *o = NULL;

	/* no err: most items of a 課 are unanswered, and each would format a message */
	(void)s->backend->check->answer(s, record, department, item, answer_json, &o, NULL);
	return o;
}

static int
answer_tx(struct mamori_store_tx *tx, void *arg)
{
	struct answer_ctx *c = arg;
	struct mamori_store *s = tx->store;
	cJSON *before = stored_answer(s, c->record, c->department, c->item), *after = cJSON_CreateObject();
	char now[32], *ev = c->evidence ? cJSON_PrintUnformatted(c->evidence) : NULL;
	int rc;

	store_tx_now(tx, now);
	struct store_check_answer a = { .record = c->record, .department = c->department, .item = c->item,
		.answer = c->answer, .comment = c->comment && c->comment[0] ? c->comment : NULL, .evidence = ev,
		.by = c->by, .at = now };
	if ((rc = s->backend->check->answer_put(s, &a, c->err)) != 0)
		goto out;
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

/* restriction.AXIS.LEVEL.RID split; false for another item. */
static bool
split_restriction(const char *id, char axis[65], int *level, char rid[65])
{
	return sscanf(id, "restriction.%64[a-z0-9-].%d.%64[a-z0-9-]", axis, level, rid) == 3;
}

/* An asset id with a gap, added to the array arg (cut to 64 bytes, as a sheet shows it). */
static int
add_gap(const char *id, void *arg)
{
	char one[65];

	snprintf(one, sizeof(one), "%s", id);
	cJSON_AddItemToArray(arg, cJSON_CreateString(one));
	return 0;
}

/* The sentence of a prefill: how many assets of level name, and whether any lacks what storage asks. */
static void
prefill_text(char text[300], const char *name, bool storage, int64_t total, bool ok)
{
	if (storage)
		snprintf(text, 300, ok ? "%s の情報資産 %lld 件すべてに保管場所が記録されている" :
		    "%s の情報資産 %lld 件のうち保管場所のないものがある", name, (long long)total);
	else
		snprintf(text, 300, ok ? "%s の廃棄済み情報資産 %lld 件すべてに廃棄方法が記録されている" :
		    "%s の廃棄済み情報資産 %lld 件のうち廃棄方法のないものがある", name, (long long)total);
}

static cJSON *
prefill(struct mamori_store *s, const char *department, const char *item)
{
	char axis[65], rid[65], text[300], name[160];
	int level;
	bool storage;
	int64_t total = 0;
	struct mamori_error err = { 0 };
	cJSON *o, *ids;

	if (!split_restriction(item, axis, &level, rid))
		return NULL;
	storage = strcmp(rid, "restricted-storage") == 0 || strcmp(rid, "locked-media-storage") == 0;
	if (!storage && strcmp(rid, "irreversible-disposal") != 0)
		return NULL;
	o = cJSON_CreateObject();
	ids = cJSON_AddArrayToObject(o, "assets");
	/* an axis the register does not rate has no prefill */
	if (s->backend->check->register_gaps(s, department, axis, level, storage ? STORE_CHECK_NO_LOCATION :
	    STORE_CHECK_NO_DISPOSAL, 20, &total, add_gap, ids, &err) != 0) {
		cJSON_Delete(o);
		return NULL;
	}
	int bad = cJSON_GetArraySize(ids);
	const struct mamori_axis *ax = mamori_policy_axis(mamori_store_policy(s), axis);
	const struct mamori_level *lv = ax ? mamori_policy_level(ax, level) : NULL;
	/* the level as the policy names it (機密性3); the ids only when it has no title */
	if (lv != NULL && lv->title)
		snprintf(name, sizeof(name), "%s", lv->title);
	else
		snprintf(name, sizeof(name), "%s%d", axis, level);
	prefill_text(text, name, storage, total, bad == 0);
	cJSON_AddStringToObject(o, "text", text);
	cJSON_AddBoolToObject(o, "ok", bad == 0);
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

struct orphans {
	const struct mamori_checklist *cl;
	cJSON *into;
};

static int
add_orphan(const char *item, const char *answer, void *arg)
{
	struct orphans *o = arg;

	if (mamori_checklist_find(o->cl, item) == NULL) {
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "id", item);
		cJSON_AddStringToObject(x, "answer", answer);
		cJSON_AddItemToArray(o->into, x);
	}
	return 0;
}

/* The answers of record for department not among the items of cl, into orphans (none when unreadable). */
static void
add_orphans(struct mamori_store *s, const char *record, const char *department, const struct mamori_checklist *cl,
    cJSON *orphans)
{
	struct orphans o = { .cl = cl, .into = orphans };
	struct mamori_error err = { 0 };

	(void)s->backend->check->answers_of(s, record, department, add_orphan, &o, &err);
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

/* Whether record has a notice for reason to recipient (NULL: to anyone). */
static bool
notice_exists(struct mamori_store *s, const char *record, const char *recipient, const char *reason)
{
	struct mamori_error err = { 0 };
	bool yes = false;

	if (s->backend->mail->notice_exists(s, record, recipient, reason, NULL, &yes, &err) != 0)
		return true;	/* not knowing, tell no one twice */
	return yes;
}

static int
remind_holder(const struct mamori_user *u, void *arg)
{
	struct remind_ctx *c = arg;
	struct mamori_store *s = c->tx->store;
	char now[32];

	if (u->disabled || strcmp(u->role, "security-manager") != 0 || strcmp(u->department, c->department) != 0 ||
	    notice_exists(s, c->record, u->name, c->reason))
		return 0;
	store_tx_now(c->tx, now);
	if ((c->rc = s->backend->mail->notice_put(c->tx, c->record, u->name, c->reason, now, c->err)) != 0)
		return 1;
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

/* A walk of the reminders: the transaction, today's local date, the notices written so far. */
struct remind_walk {
	struct mamori_store_tx *tx;
	const char *today;
	size_t *n;
	struct mamori_error *err;
};

/*
 * The follow-up of one finding (id), not yet corrected: when its due date
 * (是正期限) has passed, it is told, once, to the 課's 情報セキュリティ管理者
 * and the auditor who raised it (finding.overdue), with an event on the finding.
 */
static int
remind_finding(const char *id, void *arg)
{
	static const char *const whom[] = { "security-manager", "reporter" };
	struct remind_walk *w = arg;
	struct mamori_store *s = w->tx->store;
	cJSON *rec = NULL;
	size_t told = 0;
	int rc;

	if ((rc = record_read(s, id, &rec, w->err)) != 0)
		return rc;
	const char *due = str(cJSON_GetObjectItem(rec, "fields"), "due");
	if (due != NULL && strcmp(due, w->today) < 0 && !notice_exists(s, id, NULL, "finding.overdue") &&
	    (rc = record_notify(w->tx, rec, whom, 2, "finding.overdue", &told)) == 0 && told > 0) {
		cJSON *after = cJSON_CreateObject();
		cJSON_AddStringToObject(after, "reason", "finding.overdue");
		cJSON_AddStringToObject(after, "due", due);
		cJSON_AddNumberToObject(after, "notices", (double)told);
		rc = mamori_store_tx_event(w->tx, "check.remind", "record", id, NULL, after);
		cJSON_Delete(after);
		*w->n += told;
	}
	cJSON_Delete(rec);
	return rc;
}

/*
 * The reminders of one running campaign (id): each 課 that has not answered
 * every item is told it started, and when it is due within a week or
 * overdue, once per reason.
 */
static int
remind_campaign(const char *id, void *arg)
{
	struct remind_walk *w = arg;
	struct mamori_store *s = w->tx->store;
	cJSON *prog = NULL, *rec = NULL;
	int rc;

	if ((rc = mamori_check_progress(s, id, &prog, w->err)) != 0 || (rc = record_read(s, id, &rec, w->err)) != 0) {
		cJSON_Delete(prog);
		return rc;
	}
	const char *due = str(cJSON_GetObjectItem(rec, "fields"), "due");
	long days = due ? days_until(w->today, due) : 1000;
	const cJSON *d;
	cJSON_ArrayForEach(d, cJSON_GetObjectItem(prog, "departments")) {
		if (cJSON_GetNumberValue(cJSON_GetObjectItem(d, "answered")) >= cJSON_GetNumberValue(cJSON_GetObjectItem(d, "items")))
			continue;
		const char *reasons[3] = { "check.start", days < 0 ? "check.overdue" : days <= 7 ? "check.due-soon" : NULL, NULL };
		for (size_t k = 0; rc == 0 && k < 2 && reasons[k]; k++) {
			struct remind_ctx c = { .tx = w->tx, .record = id, .department = str(d, "department"),
			    .reason = reasons[k], .err = w->err };
			if (mamori_user_list(s, remind_holder, &c, w->err) != 0 && c.rc == 0)
				rc = MAMORI_E_STORE;
			if (rc == 0)
				rc = c.rc;
			if (rc == 0 && c.n > 0)
				rc = remind_event(w->tx, &c);
			*w->n += c.n;
		}
	}
	cJSON_Delete(prog);
	cJSON_Delete(rec);
	return rc;
}

static int
remind_tx(struct mamori_store_tx *tx, void *arg)
{
	static const char *const running[] = { "running" }, *const open_findings[] = { "raised", "planned" };
	struct remind_all *ra = arg;
	struct mamori_store *s = tx->store;
	char today[11];
	struct remind_walk w = { .tx = tx, .today = today, .n = &ra->n, .err = ra->err };
	int rc;

	record_local_date(mamori_store_policy(s), ra->now, today);
	rc = s->backend->check->records(s, "self-check", running, 1, remind_campaign, &w, ra->err);
	if (rc == 0)
		rc = s->backend->check->records(s, "finding", open_findings, 2, remind_finding, &w, ra->err);
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
