/*
 * record.c — records of the policy's kinds: made, moved along their workflow,
 * commented, read back with their history (mamori/record.h).  Every change is
 * one transaction of the store's write path with its audit event.
 */
#include "store_internal.h"
#include "mamori/asset.h"
#include "mamori/i18n.h"
#include "mamori/record.h"
#include "mamori/record_file.h"
#include "mamori/user.h"
#include "mamori/vocab.h"
#include "record_internal.h"
#include "store_ops_record.h"
#include "store_ops_mail.h"
#include "user_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long
record_deadline_seconds(const char *deadline)
{
	char *end;
	long n;

	if (deadline == NULL)
		return 0;
	n = strtol(deadline, &end, 10);
	if (n <= 0 || end[0] == '\0' || end[1] != '\0')
		return 0;
	switch (end[0]) {
	case 'm': return n * 60;
	case 'h': return n * 3600;
	case 'd': return n * 86400;
	default: return 0;
	}
}

/* ---- reading ---- */

static void
add_titles(const struct mamori_policy *p, cJSON *rec, time_t since, long escalations)
{
	const char *kind = cJSON_GetStringValue(cJSON_GetObjectItem(rec, "kind"));
	const char *state = cJSON_GetStringValue(cJSON_GetObjectItem(rec, "state"));
	const struct mamori_record_kind *k = mamori_record_kind_find(p, kind);
	const struct mamori_record_state *st = k ? record_state_find(k, state) : NULL;
	char buf[32];
	long secs;

	cJSON_AddStringToObject(rec, "kind_title", k && k->title ? k->title : kind);
	cJSON_AddStringToObject(rec, "state_title", st ? st->title : state);
	cJSON_AddBoolToObject(rec, "final", st != NULL && st->final);
	cJSON_AddStringToObject(rec, "state_since", record_utc(since, buf));
	secs = st ? record_deadline_seconds(st->deadline) : 0;
	if (secs > 0)
		cJSON_AddStringToObject(rec, "deadline", record_utc(since + secs * (escalations + 1), buf));
	else
		cJSON_AddNullToObject(rec, "deadline");
}

cJSON *
record_row_json(struct mamori_store *s, const struct store_record_row *row)
{
	cJSON *rec = cJSON_CreateObject();
	cJSON *fields = cJSON_Parse(row->fields);

	cJSON_AddStringToObject(rec, "id", row->id);
	cJSON_AddStringToObject(rec, "kind", row->kind);
	cJSON_AddNumberToObject(rec, "num", (double)row->num);
	cJSON_AddStringToObject(rec, "state", row->state);
	cJSON_AddStringToObject(rec, "reporter", row->reporter);
	if (row->department)
		cJSON_AddStringToObject(rec, "department", row->department);
	else
		cJSON_AddNullToObject(rec, "department");
	cJSON_AddItemToObject(rec, "fields", fields ? fields : cJSON_CreateObject());
	cJSON_AddStringToObject(rec, "created", row->created);
	cJSON_AddStringToObject(rec, "updated", row->updated);
	cJSON_AddNumberToObject(rec, "escalations", (double)row->escalations);
	cJSON_AddStringToObject(rec, "last_by", row->last_by);
	if (row->approver)
		cJSON_AddStringToObject(rec, "approver", row->approver);
	else
		cJSON_AddNullToObject(rec, "approver");
	add_titles(mamori_store_policy(s), rec, (time_t)row->state_since, (long)row->escalations);
	return rec;
}

struct read_ctx {
	struct mamori_store *s;
	cJSON *rec;
};

static int
read_row(const struct store_record_row *row, void *arg)
{
	struct read_ctx *c = arg;

	c->rec = record_row_json(c->s, row);
	return 0;
}

int
record_read(struct mamori_store *s, const char *id, cJSON **out, struct mamori_error *err)
{
	struct read_ctx c = { .s = s };
	int rc = s->backend->record->get(s, id, read_row, &c, err);

	if (rc != 0) {
		cJSON_Delete(c.rec);
		*out = NULL;
		return rc;
	}
	*out = c.rec;
	return *out ? 0 : mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
}

/* ---- who may ---- */

static const char *
rec_str(const cJSON *rec, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, key));
}

/* Whether account u is the 管理責任者 (role and 課) of asset id. */
static bool
owns_asset(struct mamori_store *s, const char *id, const struct mamori_user *u)
{
	struct mamori_asset a = { 0 };
	struct mamori_error err = { 0 };
	bool owner = mamori_asset_get(s, id, &a, &err) == 0 && a.f[MAMORI_AF_ROLE] &&
	    strcmp(a.f[MAMORI_AF_ROLE], u->role) == 0 && a.f[MAMORI_AF_DEPARTMENT] &&
	    strcmp(a.f[MAMORI_AF_DEPARTMENT], u->department) == 0;

	mamori_asset_clear(&a);
	return owner;
}

/* Whether account u is the owner of an asset some asset field of the record names. */
static bool
is_owner(struct mamori_store *s, const cJSON *rec, const struct mamori_user *u)
{
	const struct mamori_record_kind *k = mamori_record_kind_find(mamori_store_policy(s), rec_str(rec, "kind"));
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(rec, "fields"), *it;

	for (size_t i = 0; k != NULL && i < k->nfields; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(fields, k->fields[i].id);
		if (strcmp(k->fields[i].type, "asset") != 0 || v == NULL)
			continue;
		if (cJSON_IsString(v) && owns_asset(s, v->valuestring, u))
			return true;
		cJSON_ArrayForEach(it, (cJSON_IsArray(v) ? v : NULL))
			if (cJSON_IsString(it) && owns_asset(s, it->valuestring, u))
				return true;
	}
	return false;
}

/* Whether a role of scope department is outside the record's 課. */
static bool
other_department(const struct mamori_policy *p, const struct mamori_user *u, const cJSON *rec)
{
	const struct mamori_role *r = mamori_policy_find_role(p, u->role);
	const char *dept = rec_str(rec, "department");

	return r != NULL && r->access.scope != NULL && strcmp(r->access.scope, "department") == 0 &&
	    (dept == NULL || strcmp(dept, u->department) != 0);
}

/* Whether u may take transition t of record rec by the transition's by. */
static bool
may_take(struct mamori_store *s, const struct mamori_record_transition *t, const cJSON *rec,
    const struct mamori_user *u)
{
	const char *approver = rec_str(rec, "approver");

	for (size_t i = 0; i < t->nby; i++) {
		if (strcmp(t->by[i], "reporter") == 0 && strcmp(rec_str(rec, "reporter"), u->name) == 0)
			return true;
		if (strcmp(t->by[i], "approver") == 0 && approver && strcmp(approver, u->name) == 0)
			return true;
		if (strcmp(t->by[i], "owner") == 0 && is_owner(s, rec, u))
			return true;
		if (strcmp(t->by[i], u->role) == 0 && !other_department(mamori_store_policy(s), u, rec))
			return true;
	}
	return false;
}

/* Why u may not take t now, or NULL when it may (second person checked too). */
static const char *
refusal(struct mamori_store *s, const struct mamori_record_transition *t, const cJSON *rec,
    const struct mamori_user *u)
{
	if (t->automatic != NULL)
		return N_("this step is taken by mamori itself when its date has passed, not by");
	if (!may_take(s, t, rec, u))
		return N_("this step is not for this account's role (or its 課); it is for");
	if (t->second_person && strcmp(rec_str(rec, "last_by"), u->name) == 0)
		return N_("this step needs a second person (二人制): someone other than who took the step before; it is for");
	return NULL;
}

/* The people a transition names, in words: "情報セキュリティ管理者、申請者". */
static void
by_words(const struct mamori_policy *p, const struct mamori_record_transition *t, char *out, size_t n)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < t->nby && used < n; i++) {
		const struct mamori_role *r = mamori_policy_find_role(p, t->by[i]);
		const struct mamori_vocab_entry *e = mamori_vocab_find(&mamori_record_relations, t->by[i]);
		const char *w = r ? r->title : e ? e->title : t->by[i];
		used += (size_t)snprintf(out + used, n - used, "%s%s", i ? "、" : "", w);
	}
}

enum record_vis
record_visibility(const struct mamori_policy *p, const struct mamori_record_kind *k, const struct mamori_user *u)
{
	const struct mamori_role *mine = mamori_policy_find_role(p, u->role);
	bool department = mine != NULL && mine->access.scope != NULL && strcmp(mine->access.scope, "department") == 0;

	/* a role a step names, or one those roles report up to */
	for (size_t i = 0; i < k->ntransitions; i++)
		for (size_t j = 0; j < k->transitions[i].nby; j++) {
			const char *r = k->transitions[i].by[j];
			for (const struct mamori_role *up = mamori_policy_find_role(p, r); up != NULL;
			    up = up->reports_to ? mamori_policy_find_role(p, up->reports_to) : NULL) {
				if (strcmp(up->id, u->role) == 0)
					return department ? RECORD_VIS_DEPARTMENT : RECORD_VIS_ALL;
				if (up->reports_to && strcmp(up->reports_to, up->id) == 0)
					break;
			}
		}
	/* those who read every 課's assets (the auditors, the trail's readers) */
	if (mine == NULL || mine->access.scope == NULL || strcmp(mine->access.scope, "all") != 0)
		return RECORD_VIS_OWN;
	for (size_t i = 0; i < mine->access.nactions; i++)
		if (strcmp(mine->access.actions[i], "read") == 0 || strcmp(mine->access.actions[i], "all") == 0)
			return RECORD_VIS_ALL;
	return RECORD_VIS_OWN;
}

bool
mamori_record_may_see(struct mamori_store *s, const char *by, const cJSON *rec)
{
	const struct mamori_policy *p = mamori_store_policy(s);
	const struct mamori_record_kind *k = mamori_record_kind_find(p, rec_str(rec, "kind"));
	const char *dept = rec_str(rec, "department");
	struct mamori_error err = { 0 };
	struct mamori_user u;
	enum record_vis vis;

	if (k == NULL || by == NULL || mamori_user_get(s, by, &u, &err) != 0 || u.disabled)
		return false;
	if (strcmp(rec_str(rec, "reporter"), by) == 0 || (rec_str(rec, "approver") &&
	    strcmp(rec_str(rec, "approver"), by) == 0))
		return true;
	vis = record_visibility(p, k, &u);
	return vis == RECORD_VIS_ALL || (vis == RECORD_VIS_DEPARTMENT && dept != NULL && strcmp(dept, u.department) == 0);
}

/* ---- notices ---- */

struct notify_ctx {
	struct mamori_store_tx *tx;
	const cJSON *rec;
	const char *role;
	const char *department;
	bool same_department_only;
	const char *reason;
	size_t n;
	int rc;
	struct mamori_error *err;
};

static int
put_notice(struct mamori_store_tx *tx, const cJSON *rec, const char *recipient, const char *reason,
    struct mamori_error *err)
{
	char now[32];

	store_tx_now(tx, now);
	return tx->store->backend->mail->notice_put(tx, rec_str(rec, "id"), recipient, reason, now, err);
}

static int
notify_holder(const struct mamori_user *u, void *arg)
{
	struct notify_ctx *c = arg;

	if (u->disabled || strcmp(u->role, c->role) != 0)
		return 0;
	if (c->same_department_only && (c->department == NULL || strcmp(u->department, c->department) != 0))
		return 0;
	if ((c->rc = put_notice(c->tx, c->rec, u->name, c->reason, c->err)) != 0)
		return 1;
	c->n++;
	return 0;
}

/* Notices for the holders of role: those of the record's 課 when there are any, else all. */
static int
notify_role(struct notify_ctx *c)
{
	struct mamori_store *s = c->tx->store;
	size_t before = c->n;

	c->same_department_only = true;
	if (mamori_user_list(s, notify_holder, c, c->err) != 0 && c->rc == 0)
		return MAMORI_E_STORE;
	if (c->rc == 0 && c->n == before) {
		c->same_department_only = false;
		if (mamori_user_list(s, notify_holder, c, c->err) != 0 && c->rc == 0)
			return MAMORI_E_STORE;
	}
	return c->rc;
}

int
record_notify(struct mamori_store_tx *tx, const cJSON *rec, const char *const *names, size_t nnames,
    const char *reason, size_t *n)
{
	struct mamori_error err = { 0 };
	struct notify_ctx c = { .tx = tx, .rec = rec, .department = rec_str(rec, "department"), .reason = reason,
	    .err = &err };
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < nnames; i++) {
		const char *who = strcmp(names[i], "reporter") == 0 ? rec_str(rec, "reporter") :
		    strcmp(names[i], "approver") == 0 ? rec_str(rec, "approver") : NULL;
		if (who != NULL) {
			if ((rc = put_notice(tx, rec, who, reason, &err)) == 0)
				c.n++;
		} else if (strcmp(names[i], "owner") != 0 && strcmp(names[i], "approver") != 0) {
			c.role = names[i];
			rc = notify_role(&c);
		}
	}
	if (n != NULL)
		*n += c.n;
	return rc;
}

/* ---- making ---- */

const char *
record_department_of(const struct mamori_record_kind *k, const cJSON *fields, const char *reporter_department)
{
	const cJSON *v = k->department_field ? cJSON_GetObjectItemCaseSensitive(fields, k->department_field) : NULL;

	return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : reporter_department;
}

struct create_ctx {
	const struct mamori_record_kind *k;
	const struct mamori_user *u;
	const cJSON *fields;
	const char *source;	/* the file an import read the record from, or NULL */
	time_t now;
	char *id;
	struct mamori_error *err;
};

static int
create_tx(struct mamori_store_tx *tx, void *arg)
{
	struct create_ctx *c = arg;
	struct mamori_store *s = tx->store;
	const struct store_record_ops *ops = s->backend->record;
	const struct mamori_record_state *initial = NULL;
	char now[32], *text = NULL, prefix[16];
	cJSON *rec = NULL;
	int64_t seq;
	int rc;

	for (size_t i = 0; i < c->k->nstates; i++)
		if (c->k->states[i].initial)
			initial = &c->k->states[i];
	if ((rc = ops->next_seq(tx, c->k->id, &seq, c->err)) != 0)
		return rc;
	snprintf(prefix, sizeof(prefix), "%s", c->k->prefix ? c->k->prefix : c->k->id);
	snprintf(c->id, MAMORI_RECORD_ID_MAX, "%s-%06lld", prefix, (long long)seq);
	if ((text = cJSON_PrintUnformatted(c->fields)) == NULL)
		return mamori_error_set(c->err, MAMORI_E_NOMEM, "out of memory");
	store_tx_now(tx, now);
	const char *dept = record_department_of(c->k, c->fields, c->u->department);
	struct store_record_new r = { .id = c->id, .kind = c->k->id, .seq = seq, .state = initial->id,
		.reporter = c->u->name, .department = dept != NULL && dept[0] ? dept : NULL, .fields = text,
		.state_since = (int64_t)c->now, .last_by = c->u->name, .now = now };
	rc = ops->insert(tx, &r, c->err);
	free(text);
	if (rc != 0)
		return rc;
	if ((rc = record_read(s, c->id, &rec, c->err)) != 0)
		return rc;
	cJSON *after = cJSON_CreateObject();
	cJSON_AddStringToObject(after, "kind", c->k->id);
	cJSON_AddStringToObject(after, "state", initial->id);
	cJSON_AddStringToObject(after, "reporter", c->u->name);
	cJSON_AddStringToObject(after, "by", c->u->name);
	cJSON_AddItemToObject(after, "fields", cJSON_Duplicate(c->fields, true));
	if (c->source != NULL)
		cJSON_AddStringToObject(after, "imported", c->source);
	rc = mamori_store_tx_event(tx, "record.create", "record", c->id, NULL, after);
	cJSON_Delete(after);
	if (rc == 0 && initial->nnotify > 0)
		rc = record_notify(tx, rec, initial->notify, initial->nnotify, "record.create", NULL);
	cJSON_Delete(rec);
	return rc;
}

int
record_create_in(struct mamori_store_tx *tx, const struct mamori_record_kind *k, const struct mamori_user *u,
    const cJSON *fields, const char *source, time_t now, char id[MAMORI_RECORD_ID_MAX], struct mamori_error *err)
{
	struct create_ctx c = { .k = k, .u = u, .fields = fields, .source = source, .now = now, .id = id, .err = err };

	return create_tx(tx, &c);
}

/* The account by, enabled, or an error. */
int
record_acting_account(struct mamori_store *s, const char *by, struct mamori_user *u, struct mamori_error *err)
{
	int rc;

	if (by == NULL || by[0] == '\0')
		return mamori_error_set(err, MAMORI_E_USAGE, "say which account acts (--by USER)");
	if ((rc = mamori_user_get(s, by, u, err)) == MAMORI_E_NOTFOUND)
		return mamori_error_set(err, MAMORI_E_NOTFOUND, "no account %s", by);
	if (rc != 0)
		return rc;
	if (u->disabled)
		return mamori_error_set(err, MAMORI_E_DENIED, "account %s is disabled", by);
	return 0;
}

int
mamori_record_create(struct mamori_store *s, const char *actor, const char *by, const char *kind, const cJSON *fields,
    time_t now, char id[MAMORI_RECORD_ID_MAX], struct mamori_diags *problems, struct mamori_error *err)
{
	const struct mamori_record_kind *k = mamori_record_kind_find(mamori_store_policy(s), kind);
	struct mamori_user u;
	struct create_ctx c = { .k = k, .u = &u, .now = now, .id = id, .err = err };
	int rc;

	id[0] = '\0';
	if (k == NULL)
		return mamori_error_set(err, MAMORI_E_NOTFOUND, "the policy has no record kind '%s' "
		    "(mamori record kinds lists them)", kind ? kind : "");
	if ((rc = record_acting_account(s, by, &u, err)) != 0)
		return rc;
	cJSON *checked = mamori_record_check_fields(s, k, fields, true, problems, err);
	if (checked == NULL)
		return err->code ? err->code : MAMORI_E_INVALID;
	c.fields = checked;
	rc = mamori_store_write(s, actor, create_tx, &c, err);
	cJSON_Delete(checked);
	if (rc != 0)
		id[0] = '\0';
	return rc;
}

/* ---- moving ---- */

struct move_ctx {
	const char *id, *to, *note;
	const struct mamori_user *u;
	const cJSON *set;
	time_t now;
	struct mamori_diags *problems;
	struct mamori_error *err;
};

/* The transition of k from state `from` into `to` (id or title), or NULL with the possible ones listed. */
static const struct mamori_record_transition *
find_transition(const struct mamori_record_kind *k, const char *from, const char *to, struct mamori_error *err)
{
	const struct mamori_record_state *target = record_state_find(k, to);
	const struct mamori_record_state *cur = record_state_find(k, from);
	char list[600] = "";
	size_t used = 0;

	for (size_t i = 0; i < k->ntransitions; i++) {
		const struct mamori_record_transition *t = &k->transitions[i];
		if (strcmp(t->from, from) != 0)
			continue;
		if (target != NULL && strcmp(t->to, target->id) == 0)
			return t;
		if (strcmp(t->id, to) == 0 || strcmp(t->title, to) == 0)
			return t;
		const struct mamori_record_state *ts = record_state_find(k, t->to);
		if (used < sizeof(list))
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s (%s)", used ? "、" : "",
			    ts ? ts->title : t->to, t->to);
	}
	mamori_error_set(err, MAMORI_E_INVALID, "no step from %s to %s; from here: %s", cur ? cur->title : from,
	    to, used ? list : _("none (the record is closed)"));
	return NULL;
}

/* Sets the fields of set over rec's fields (checked already). */
static void
merge_fields(cJSON *fields, const cJSON *set)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, set) {
		cJSON_DeleteItemFromObjectCaseSensitive(fields, v->string);
		cJSON_AddItemToObject(fields, v->string, cJSON_Duplicate(v, true));
	}
}

/* The 機密性 level a disposal's level field gives: its number, or the place of its choice; 0 when unset. */
static int
disposal_level(const struct mamori_record_kind *k, const char *name, const cJSON *fields)
{
	const struct mamori_record_field *f = record_field_find(k, name);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(fields, name);

	if (f == NULL || v == NULL)
		return 0;
	if (cJSON_IsNumber(v))
		return (int)v->valuedouble;
	if (!cJSON_IsString(v))
		return 0;
	for (size_t i = 0; i < f->nchoices; i++)
		if (strcmp(f->choices[i].id, v->valuestring) == 0)
			return (int)i + 1;
	return (int)strtol(v->valuestring, NULL, 10);
}

/*
 * A state that disposes of something (disposal_method): where the 機密性
 * level it held asks for irreversible-disposal (its 取扱制限), a method that
 * can be restored is refused with the restriction's clause, as for an asset.
 */
static int
check_disposal(const struct mamori_policy *p, const struct mamori_record_kind *k,
    const struct mamori_record_state *target, const cJSON *fields, struct mamori_error *err)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(fields, target->disposal_method ? target->disposal_method : "");
	const struct mamori_level *l;

	if (target->disposal_method == NULL || !cJSON_IsString(m))
		return 0;
	l = mamori_policy_level(mamori_policy_axis(p, "confidentiality"), disposal_level(k, target->disposal_level, fields));
	for (size_t i = 0; l != NULL && i < l->nrestrictions; i++) {
		const struct mamori_restriction *r = &l->restrictions[i];
		const struct mamori_disposal_method *method = mamori_disposal_method_find(m->valuestring);
		if (strcmp(r->id, "irreversible-disposal") != 0)
			continue;
		if (method != NULL && method->irreversible)
			return 0;
		mamori_error_set(err, MAMORI_E_DENIED, "%s: what held 機密性%d must be disposed of irreversibly: 「%s」 "
		    "(%s); '%s' can be restored — choose a method that cannot", target->title, l->level, r->text,
		    r->clause ? r->clause : "", m->valuestring);
		if (err && r->clause)
			snprintf(err->clause, sizeof(err->clause), "%s", r->clause);
		return MAMORI_E_DENIED;
	}
	return 0;
}

static int
check_requires(const struct mamori_record_kind *k, const struct mamori_record_state *target, const cJSON *fields,
    struct mamori_diags *problems, struct mamori_error *err)
{
	size_t before = problems->count;

	for (size_t i = 0; i < target->nrequires; i++) {
		const struct mamori_record_field *f = record_field_find(k, target->requires[i]);
		if (f != NULL && cJSON_GetObjectItemCaseSensitive(fields, f->id) == NULL)
			mamori_diags_add(problems, MAMORI_SEV_ERROR, f->id, 0, 0, "%s (%s): required to enter %s",
			    f->title ? f->title : f->id, f->id, target->title);
	}
	if (problems->count > before)
		return mamori_error_set(err, MAMORI_E_INVALID, "fill in what %s requires first", target->title);
	return 0;
}

/* The fields a step asks for must come with it (set), not from before: a check's own result. */
static int
check_step_requires(const struct mamori_record_kind *k, const struct mamori_record_transition *t, const cJSON *set,
    struct mamori_diags *problems, struct mamori_error *err)
{
	size_t before = problems->count;

	for (size_t i = 0; i < t->nrequires; i++) {
		const struct mamori_record_field *f = record_field_find(k, t->requires[i]);
		if (f != NULL && cJSON_GetObjectItemCaseSensitive(set, f->id) == NULL)
			mamori_diags_add(problems, MAMORI_SEV_ERROR, f->id, 0, 0, "%s (%s): required with the step %s",
			    f->title ? f->title : f->id, f->id, t->title);
	}
	if (problems->count > before)
		return mamori_error_set(err, MAMORI_E_INVALID, "give what %s records with it", t->title);
	return 0;
}

/* One account of disable_accounts; one removed since the record named it has nothing to disable. */
static int
disable_one(struct mamori_store_tx *tx, const char *name, const cJSON *why, struct mamori_error *err)
{
	int rc = user_disable_in(tx, name, why, NULL, err);

	if (rc == MAMORI_E_NOTFOUND) {
		if (err != NULL)
			memset(err, 0, sizeof(*err));
		rc = 0;
	}
	return rc;
}

/*
 * The state's disable_accounts: every account the record's field names is
 * disabled and loses its API tokens, each a user.disable event naming the
 * record (a contract that ends ends its contractor's access).
 */
static int
disable_accounts(struct mamori_store_tx *tx, const cJSON *rec, const char *field, struct mamori_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "fields"), field);
	cJSON *why = cJSON_CreateObject(), *one = cJSON_IsString(v) ? cJSON_CreateStringReference(v->valuestring) : NULL;
	const cJSON *it, *list = cJSON_IsArray(v) ? v : NULL;
	int rc = 0;

	cJSON_AddStringToObject(why, "record", rec_str(rec, "id"));
	cJSON_AddStringToObject(why, "field", field);
	cJSON_ArrayForEach(it, list) {
		if (rc == 0 && cJSON_IsString(it))
			rc = disable_one(tx, it->valuestring, why, err);
	}
	if (one != NULL)
		rc = disable_one(tx, one->valuestring, why, err);
	cJSON_Delete(one);
	cJSON_Delete(why);
	return rc;
}

static int
update_row(struct mamori_store_tx *tx, const char *id, const char *state, const cJSON *fields, time_t since,
    const char *last_by, const char *approver, struct mamori_error *err)
{
	char now[32], *text = cJSON_PrintUnformatted(fields);
	int rc;

	if (text == NULL)
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	store_tx_now(tx, now);
	struct store_record_change c = { .id = id, .state = state, .fields = text, .state_since = (int64_t)since,
		.last_by = last_by, .approver = approver, .now = now };
	rc = tx->store->backend->record->update(tx, &c, err);
	free(text);
	return rc;
}

int
record_take(struct mamori_store_tx *tx, const struct mamori_record_kind *k, cJSON *rec,
    const struct mamori_record_transition *t, const char *actor, const char *note, const cJSON *set,
    time_t now, struct mamori_diags *problems, struct mamori_error *err)
{
	const struct mamori_record_state *target = record_state_find(k, t->to);
	cJSON *fields = cJSON_GetObjectItemCaseSensitive(rec, "fields");
	char from[80];
	int rc;

	snprintf(from, sizeof(from), "%s", rec_str(rec, "state"));
	if ((rc = check_step_requires(k, t, set, problems, err)) != 0)
		return rc;
	if (set != NULL)
		merge_fields(fields, set);
	if ((rc = check_requires(k, target, fields, problems, err)) != 0)
		return rc;
	if ((rc = check_disposal(mamori_store_policy(tx->store), k, target, fields, err)) != 0)
		return rc;
	if (t->second_person && actor != NULL) {
		cJSON_DeleteItemFromObjectCaseSensitive(rec, "approver");
		cJSON_AddStringToObject(rec, "approver", actor);
	}
	if ((rc = update_row(tx, rec_str(rec, "id"), target->id, fields, now, actor ? actor : "mamori",
	    t->second_person ? actor : NULL, err)) != 0)
		return rc;
	cJSON *before = cJSON_CreateObject(), *after = cJSON_CreateObject();
	cJSON_AddStringToObject(before, "state", from);
	cJSON_AddStringToObject(after, "state", target->id);
	cJSON_AddStringToObject(after, "transition", t->id);
	cJSON_AddStringToObject(after, "by", actor ? actor : "mamori");
	if (note != NULL && note[0] != '\0')
		cJSON_AddStringToObject(after, "note", note);
	if (set != NULL && cJSON_GetArraySize(set) > 0)
		cJSON_AddItemToObject(after, "fields", cJSON_Duplicate(set, true));
	if (actor == NULL)
		cJSON_AddBoolToObject(after, "automatic", true);
	rc = mamori_store_tx_event(tx, "record.move", "record", rec_str(rec, "id"), before, after);
	cJSON_Delete(before);
	cJSON_Delete(after);
	if (rc == 0 && target->nnotify > 0)
		rc = record_notify(tx, rec, target->notify, target->nnotify, "record.move", NULL);
	if (rc == 0 && target->disable_accounts != NULL)
		rc = disable_accounts(tx, rec, target->disable_accounts, err);
	return rc;
}

static int
move_tx(struct mamori_store_tx *tx, void *arg)
{
	struct move_ctx *c = arg;
	struct mamori_store *s = tx->store;
	const struct mamori_policy *p = mamori_store_policy(s);
	const struct mamori_record_kind *k;
	const struct mamori_record_transition *t;
	cJSON *rec = NULL, *set = NULL;
	const char *why;
	char who[300];
	int rc;

	if ((rc = record_read(s, c->id, &rec, c->err)) != 0)
		return rc;
	k = mamori_record_kind_find(p, rec_str(rec, "kind"));
	if (k == NULL) {
		rc = mamori_error_set(c->err, MAMORI_E_INVALID, "record %s is of kind %s, which the policy no longer "
		    "declares", c->id, rec_str(rec, "kind"));
	} else if ((t = find_transition(k, rec_str(rec, "state"), c->to, c->err)) == NULL) {
		rc = MAMORI_E_INVALID;
	} else if ((why = refusal(s, t, rec, c->u)) != NULL) {
		by_words(p, t, who, sizeof(who));
		rc = mamori_error_set(c->err, MAMORI_E_DENIED, "%s: %s: %s", t->title, _(why), who);
	} else if (c->set != NULL &&
	    (set = mamori_record_check_fields(s, k, c->set, false, c->problems, c->err)) == NULL) {
		rc = c->err->code ? c->err->code : MAMORI_E_INVALID;
	} else {
		rc = record_take(tx, k, rec, t, c->u->name, c->note, set, c->now, c->problems, c->err);
	}
	cJSON_Delete(set);
	cJSON_Delete(rec);
	return rc;
}

int
mamori_record_move(struct mamori_store *s, const char *actor, const char *by, const char *id, const char *to,
    const char *note, const cJSON *set, time_t now, struct mamori_diags *problems, struct mamori_error *err)
{
	struct mamori_user u;
	struct move_ctx c = { .id = id, .to = to, .note = note, .u = &u, .set = set, .now = now,
	    .problems = problems, .err = err };
	int rc;

	if (id == NULL || to == NULL)
		return mamori_error_set(err, MAMORI_E_USAGE, "say which record and into which state");
	if (note != NULL && strlen(note) > 4000)
		return mamori_error_set(err, MAMORI_E_INVALID, "the note is longer than 4,000 bytes");
	if ((rc = record_acting_account(s, by, &u, err)) != 0)
		return rc;
	return mamori_store_write(s, actor, move_tx, &c, err);
}

struct batch_ctx {
	const struct mamori_record_step *steps;
	size_t n, *failed_at;
	struct move_ctx move;
};

static int
batch_tx(struct mamori_store_tx *tx, void *arg)
{
	struct batch_ctx *b = arg;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < b->n; i++) {
		b->move.id = b->steps[i].id;
		b->move.to = b->steps[i].to;
		b->move.note = b->steps[i].note;
		if ((rc = move_tx(tx, &b->move)) != 0 && b->failed_at != NULL)
			*b->failed_at = i;
	}
	return rc;
}

int
mamori_record_move_many(struct mamori_store *s, const char *actor, const char *by,
    const struct mamori_record_step *steps, size_t n, time_t now, struct mamori_diags *problems, size_t *failed_at,
    struct mamori_error *err)
{
	struct mamori_user u;
	struct batch_ctx b = { .steps = steps, .n = n, .failed_at = failed_at,
	    .move = { .u = &u, .now = now, .problems = problems, .err = err } };
	int rc;

	for (size_t i = 0; i < n; i++) {
		if (steps[i].id == NULL || steps[i].to == NULL || (steps[i].note && strlen(steps[i].note) > 4000)) {
			if (failed_at != NULL)
				*failed_at = i;
			return mamori_error_set(err, MAMORI_E_USAGE, "each step names a record and a state (a note of "
			    "at most 4,000 bytes)");
		}
	}
	if ((rc = record_acting_account(s, by, &u, err)) != 0)
		return rc;
	return n == 0 ? 0 : mamori_store_write(s, actor, batch_tx, &b, err);
}

/* ---- comments ---- */

struct comment_ctx {
	const char *id, *by, *text;
	struct mamori_error *err;
};

static int
comment_tx(struct mamori_store_tx *tx, void *arg)
{
	struct comment_ctx *c = arg;
	cJSON *rec = NULL, *after;
	int rc;

	if ((rc = record_read(tx->store, c->id, &rec, c->err)) != 0)
		return rc;
	cJSON_Delete(rec);
	after = cJSON_CreateObject();
	cJSON_AddStringToObject(after, "by", c->by);
	cJSON_AddStringToObject(after, "note", c->text);
	rc = mamori_store_tx_event(tx, "record.comment", "record", c->id, NULL, after);
	cJSON_Delete(after);
	return rc;
}

int
mamori_record_comment(struct mamori_store *s, const char *actor, const char *by, const char *id, const char *text,
    struct mamori_error *err)
{
	struct mamori_user u;
	struct comment_ctx c = { .id = id, .by = by, .text = text, .err = err };
	int rc;

	if (text == NULL || text[0] == '\0' || strlen(text) > 4000)
		return mamori_error_set(err, MAMORI_E_INVALID, "a comment has 1 to 4,000 bytes");
	if ((rc = record_acting_account(s, by, &u, err)) != 0)
		return rc;
	return mamori_store_write(s, actor, comment_tx, &c, err);
}

/* ---- reading with history and moves ---- */

static int
history_event(const struct mamori_event *ev, void *arg)
{
	cJSON *list = arg, *e = cJSON_CreateObject(), *body = cJSON_Parse(ev->body);
	const cJSON *after = cJSON_GetObjectItem(body, "after"), *before = cJSON_GetObjectItem(body, "before");
	static const char *const keys[] = { "by", "transition", "note", "level", "role", "notified", "automatic",
		"file", "name", "size", "sha256", "field", NULL };

	cJSON_AddNumberToObject(e, "seq", (double)ev->seq);
	cJSON_AddStringToObject(e, "time", ev->time);
	cJSON_AddStringToObject(e, "actor", ev->actor);
	cJSON_AddStringToObject(e, "action", ev->action);
	if (cJSON_GetStringValue(cJSON_GetObjectItem(before, "state")))
		cJSON_AddStringToObject(e, "from", cJSON_GetStringValue(cJSON_GetObjectItem(before, "state")));
	if (cJSON_GetStringValue(cJSON_GetObjectItem(after, "state")))
		cJSON_AddStringToObject(e, "to", cJSON_GetStringValue(cJSON_GetObjectItem(after, "state")));
	for (size_t i = 0; keys[i] != NULL; i++) {
		const cJSON *v = cJSON_GetObjectItem(after, keys[i]);
		if (v != NULL)
			cJSON_AddItemToObject(e, keys[i], cJSON_Duplicate(v, true));
	}
	if (cJSON_GetObjectItem(after, "fields") != NULL)
		cJSON_AddItemToObject(e, "fields", cJSON_Duplicate(cJSON_GetObjectItem(after, "fields"), true));
	cJSON_AddItemToArray(list, e);
	cJSON_Delete(body);
	return 0;
}

static void
add_moves(struct mamori_store *s, cJSON *rec, const char *asker)
{
	const struct mamori_record_kind *k = mamori_record_kind_find(mamori_store_policy(s), rec_str(rec, "kind"));
	cJSON *moves = cJSON_AddArrayToObject(rec, "moves");
	struct mamori_error err = { 0 };
	struct mamori_user u;

	if (k == NULL || mamori_user_get(s, asker, &u, &err) != 0 || u.disabled)
		return;
	for (size_t i = 0; i < k->ntransitions; i++) {
		const struct mamori_record_transition *t = &k->transitions[i];
		const struct mamori_record_state *to = record_state_find(k, t->to);
		if (strcmp(t->from, rec_str(rec, "state")) != 0 || refusal(s, t, rec, &u) != NULL)
			continue;
		cJSON *m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "id", t->id);
		cJSON_AddStringToObject(m, "title", t->title);
		cJSON_AddStringToObject(m, "to", t->to);
		cJSON_AddStringToObject(m, "to_title", to ? to->title : t->to);
		cJSON *req = cJSON_AddArrayToObject(m, "requires");
		for (size_t j = 0; to != NULL && j < to->nrequires; j++)
			cJSON_AddItemToArray(req, cJSON_CreateString(to->requires[j]));
		for (size_t j = 0; j < t->nrequires; j++)
			cJSON_AddItemToArray(req, cJSON_CreateString(t->requires[j]));
		cJSON_AddItemToArray(moves, m);
	}
}

int
mamori_record_get(struct mamori_store *s, const char *id, bool history, const char *asker,
    cJSON **out, struct mamori_error *err)
{
	int rc;

	if ((rc = record_read(s, id, out, err)) != 0)
		return rc;
	/* its files (record_file.c): what the record carries, beside its history */
	cJSON *files = NULL;
	if ((rc = mamori_record_files(s, id, &files, err)) != 0) {
		cJSON_Delete(*out);
		*out = NULL;
		return rc;
	}
	cJSON_AddItemToObject(*out, "files", files);
	if (history) {
		cJSON *list = cJSON_AddArrayToObject(*out, "history");
		if ((rc = mamori_audit_events_of(s, "record", id, history_event, list, err)) != 0) {
			cJSON_Delete(*out);
			*out = NULL;
			return rc;
		}
	}
	if (asker != NULL)
		add_moves(s, *out, asker);
	return 0;
}
