/*
 * training.c — 教育・研修 (mamori/training.h): who has taken each course in
 * force, per 課 and per person, who is overdue, and reminders through the
 * outbox of notices.  Read from the records of kinds course and attendance;
 * their field ids are the policy's contract (mic-standard).
 */
#include "mamori/training.h"
#include "store_internal.h"
#include "store_ops_tick.h"
#include "store_ops_mail.h"
#include "mamori/record.h"
#include "mamori/user.h"
#include "record_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One attendance that counts: who took which course when. */
struct attended {
	char *course, *account;
	char date[11];
};

struct people {
	struct mamori_user *u;
	size_t n;
};

struct status {
	struct mamori_store *s;
	const struct mamori_policy *p;
	const struct mamori_record_kind *attendance;	/* the policy's kind, or NULL */
	struct attended *att;
	size_t natt;
	struct people people;
	char today[11];
	const char *department, *user;	/* filters (ids), or NULL */
	struct mamori_error *err;
};

static int
attended_cmp(const void *a, const void *b)
{
	const struct attended *x = a, *y = b;
	int c = strcmp(x->course, y->course);

	return c ? c : strcmp(x->account, y->account);
}

static bool
final_state(const struct mamori_record_kind *k, const char *state)
{
	const struct mamori_record_state *st = k ? record_state_find(k, state) : NULL;

	return st != NULL && st->final;
}

/* One attendance of the walk, kept unless cancelled (in a final state) or incomplete. */
static int
add_attendance(const char *state, const char *fields, void *arg)
{
	struct status *x = arg;
	struct attended *grown = NULL;
	cJSON *f;
	int rc = 0;

	if (final_state(x->attendance, state))
		return 0;
	f = cJSON_Parse(fields);
	const char *course = cJSON_GetStringValue(cJSON_GetObjectItem(f, "course"));
	const char *account = cJSON_GetStringValue(cJSON_GetObjectItem(f, "account"));
	const char *date = cJSON_GetStringValue(cJSON_GetObjectItem(f, "date"));
	if (course && account && date && (grown = realloc(x->att, (x->natt + 1) * sizeof(*grown))) != NULL) {
		x->att = grown;
		grown[x->natt].course = strdup(course);
		grown[x->natt].account = strdup(account);
		snprintf(grown[x->natt].date, sizeof(grown[x->natt].date), "%s", date);
		x->natt++;
		if (grown[x->natt - 1].course == NULL || grown[x->natt - 1].account == NULL)
			rc = mamori_error_set(x->err, MAMORI_E_NOMEM, "out of memory");
	}
	cJSON_Delete(f);
	return rc;
}

/* Every attendance not cancelled, sorted by course and account. */
static int
read_attendance(struct status *x)
{
	int rc;

	x->attendance = mamori_record_kind_find(x->p, "attendance");
	if ((rc = x->s->backend->tick->fields_of_kind(x->s, "attendance", add_attendance, x, x->err)) != 0)
		return rc;
	if (x->natt > 1)
		qsort(x->att, x->natt, sizeof(*x->att), attended_cmp);
	return 0;
}

static int
add_person(const struct mamori_user *u, void *arg)
{
	struct people *pp = arg;
	struct mamori_user *grown;

	if (u->disabled)
		return 0;
	if ((grown = realloc(pp->u, (pp->n + 1) * sizeof(*grown))) == NULL)
		return MAMORI_E_NOMEM;
	pp->u = grown;
	pp->u[pp->n++] = *u;
	return 0;
}

/* The last date account took course on or after from ("" for any), or NULL. */
static const char *
last_attended(const struct status *x, const char *course, const char *account, const char *from)
{
	struct attended key = { .course = (char *)course, .account = (char *)account };
	const struct attended *hit = x->natt ? bsearch(&key, x->att, x->natt, sizeof(*x->att), attended_cmp) : NULL;
	const char *best = NULL;

	if (hit == NULL)
		return NULL;
	/* bsearch finds one of the equal entries: look both ways */
	while (hit > x->att && attended_cmp(hit - 1, &key) == 0)
		hit--;
	for (; hit < x->att + x->natt && attended_cmp(hit, &key) == 0; hit++)
		if (strcmp(hit->date, from) >= 0 && (best == NULL || strcmp(hit->date, best) > 0))
			best = hit->date;
	return best;
}

static bool
listed(const cJSON *list, const char *v)
{
	const cJSON *it;

	if (cJSON_GetArraySize(list) == 0)
		return true;	/* none named: everyone */
	cJSON_ArrayForEach(it, list) {
		if (cJSON_IsString(it) && strcmp(it->valuestring, v) == 0)
			return true;
	}
	return false;
}

/* The 年度 of today (YYYY-MM-DD): its 1 April in from, and due's month and day within it in deadline. */
static void
fiscal_year(const char *today, const char *due, char from[11], char deadline[11])
{
	int y = 0, m = 0, dm = 0, dd = 0;

	(void)sscanf(today, "%d-%d", &y, &m);
	if (m < 4)
		y--;
	snprintf(from, 11, "%04d-04-01", y);
	deadline[0] = '\0';
	if (due != NULL && sscanf(due, "%*d-%d-%d", &dm, &dd) == 2)
		snprintf(deadline, 11, "%04d-%02d-%02d", dm >= 4 ? y : y + 1, dm, dd);
}

static cJSON *
department_entry(cJSON *deps, const struct mamori_policy *p, const char *id)
{
	cJSON *d;
	const struct mamori_department *dep = id[0] ? mamori_policy_department(p, id) : NULL;

	cJSON_ArrayForEach(d, deps) {
		if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(d, "department")), id) == 0)
			return d;
	}
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "department", id);
	cJSON_AddStringToObject(d, "title", dep && dep->title ? dep->title : id);
	cJSON_AddNumberToObject(d, "audience", 0);
	cJSON_AddNumberToObject(d, "completed", 0);
	cJSON_AddNumberToObject(d, "overdue", 0);
	cJSON_AddItemToArray(deps, d);
	return d;
}

static void
count(cJSON *o, const char *key)
{
	cJSON *n = cJSON_GetObjectItem(o, key);

	cJSON_SetNumberValue(n, cJSON_GetNumberValue(n) + 1);
}

/* One course's figures and people. */
static cJSON *
course_status(struct status *x, const cJSON *rec)
{
	const cJSON *f = cJSON_GetObjectItem(rec, "fields");
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(rec, "id"));
	const char *recurrence = cJSON_GetStringValue(cJSON_GetObjectItem(f, "recurrence"));
	const char *due = cJSON_GetStringValue(cJSON_GetObjectItem(f, "due"));
	bool yearly = recurrence && strcmp(recurrence, "yearly") == 0;
	cJSON *c = cJSON_CreateObject(), *deps, *people;
	char from[11] = "", deadline[11] = "";

	if (yearly)
		fiscal_year(x->today, due, from, deadline);
	else if (due != NULL)
		snprintf(deadline, sizeof(deadline), "%s", due);
	cJSON_AddStringToObject(c, "id", id);
	cJSON_AddStringToObject(c, "name", cJSON_GetStringValue(cJSON_GetObjectItem(f, "name")));
	cJSON_AddStringToObject(c, "recurrence", yearly ? "yearly" : "once");
	cJSON_AddStringToObject(c, "state", cJSON_GetStringValue(cJSON_GetObjectItem(rec, "state")));
	if (from[0])
		cJSON_AddStringToObject(c, "from", from);
	else
		cJSON_AddNullToObject(c, "from");
	if (deadline[0])
		cJSON_AddStringToObject(c, "deadline", deadline);
	else
		cJSON_AddNullToObject(c, "deadline");
	cJSON_AddNumberToObject(c, "audience", 0);
	cJSON_AddNumberToObject(c, "completed", 0);
	cJSON_AddNumberToObject(c, "overdue", 0);
	deps = cJSON_AddArrayToObject(c, "departments");
	people = cJSON_AddArrayToObject(c, "people");
	for (size_t i = 0; i < x->people.n; i++) {
		const struct mamori_user *u = &x->people.u[i];
		if (!listed(cJSON_GetObjectItem(f, "audience_roles"), u->role) ||
		    !listed(cJSON_GetObjectItem(f, "audience_departments"), u->department) ||
		    (x->department && strcmp(x->department, u->department) != 0) || (x->user && strcmp(x->user, u->name) != 0))
			continue;
		const char *last = last_attended(x, id, u->name, from);
		const char *status = last ? "completed" : deadline[0] && strcmp(x->today, deadline) > 0 ? "overdue" : "pending";
		cJSON *d = department_entry(deps, x->p, u->department), *pe = cJSON_CreateObject();
		cJSON_AddStringToObject(pe, "user", u->name);
		cJSON_AddStringToObject(pe, "department", u->department);
		cJSON_AddStringToObject(pe, "role", u->role);
		if (last)
			cJSON_AddStringToObject(pe, "last", last);
		else
			cJSON_AddNullToObject(pe, "last");
		cJSON_AddStringToObject(pe, "status", status);
		cJSON_AddItemToArray(people, pe);
		count(c, "audience");
		count(d, "audience");
		if (strcmp(status, "pending") != 0) {
			count(c, status);
			count(d, status);
		}
	}
	return c;
}

static void
status_free(struct status *x)
{
	for (size_t i = 0; i < x->natt; i++) {
		free(x->att[i].course);
		free(x->att[i].account);
	}
	free(x->att);
	free(x->people.u);
}

struct course_walk {
	struct status *x;
	const struct mamori_record_kind *k;
	const char *course;	/* the one named, or NULL */
	cJSON *list;
	int found;
};

/* One course of the walk: reported when named, or when in force (neither initial nor final). */
static int
add_course(const char *id, const char *state, void *arg)
{
	struct course_walk *w = arg;
	const struct mamori_record_state *rs = record_state_find(w->k, state);
	cJSON *rec = NULL;
	int rc;

	if (w->course ? strcmp(w->course, id) != 0 : (rs == NULL || rs->initial || rs->final))
		return 0;
	if ((rc = record_read(w->x->s, id, &rec, w->x->err)) != 0)
		return rc;
	cJSON_AddItemToArray(w->list, course_status(w->x, rec));
	cJSON_Delete(rec);
	w->found++;
	return 0;
}

/* The courses to report: the one named, or every one in force. */
static int
courses(struct status *x, const struct mamori_record_kind *k, const char *course, cJSON *list)
{
	struct course_walk w = { .x = x, .k = k, .course = course, .list = list };
	int rc = x->s->backend->tick->of_kind(x->s, "course", add_course, &w, x->err);

	if (rc != 0)
		return rc;
	if (course && w.found == 0)
		return mamori_error_set(x->err, MAMORI_E_NOTFOUND, "no course %s", course);
	return 0;
}

/* Narrows the filters to what asker may see of the kind's records. */
static int
asker_filter(struct status *x, const struct mamori_record_kind *k, const char *asker, struct mamori_user *u)
{
	int rc = mamori_user_get(x->s, asker, u, x->err);

	if (rc != 0)
		return rc;
	switch (record_visibility(x->p, k, u)) {
	case RECORD_VIS_ALL:
		break;
	case RECORD_VIS_DEPARTMENT:
		if (x->department != NULL && strcmp(x->department, u->department) != 0)
			x->user = "";	/* another 課: nobody */
		x->department = u->department;
		break;
	default:
		if (x->user != NULL && strcmp(x->user, u->name) != 0)
			x->user = "";
		else
			x->user = u->name;
	}
	return 0;
}

int
mamori_training_status(struct mamori_store *s, const char *course, const char *department, const char *user,
    const char *asker, time_t now, cJSON **out, struct mamori_error *err)
{
	struct mamori_user me;
	struct status x = { .s = s, .p = mamori_store_policy(s), .user = user, .err = err };
	const struct mamori_record_kind *k = mamori_record_kind_find(x.p, "course");
	int rc;

	*out = NULL;
	if (k == NULL)
		return mamori_error_set(err, MAMORI_E_INVALID, "policy %s declares no record kind course", x.p->id);
	if (department != NULL) {
		const struct mamori_department *d = mamori_policy_find_department(x.p, department);
		if (d == NULL)
			return mamori_error_set(err, MAMORI_E_INVALID, "unknown department '%s' in policy %s", department,
			    x.p->id);
		x.department = d->id;
	}
	if (asker != NULL && (rc = asker_filter(&x, k, asker, &me)) != 0)
		return rc;
	record_local_date(x.p, now, x.today);
	*out = cJSON_CreateObject();
	cJSON_AddStringToObject(*out, "today", x.today);
	if ((rc = read_attendance(&x)) == 0 &&
	    (rc = mamori_user_list(s, add_person, &x.people, err)) == 0)
		rc = courses(&x, k, course, cJSON_AddArrayToObject(*out, "courses"));
	status_free(&x);
	if (rc != 0) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- reminders ---------------------------------------------------------- */

struct remind {
	time_t now;
	size_t count;
	struct mamori_error *err;
};

/* Whether person was reminded of course in the last 7 days. */
static int
reminded(struct mamori_store_tx *tx, const char *course, const char *person, bool *yes, struct mamori_error *err)
{
	char since[32];

	record_utc(time(NULL) - 7 * 86400, since);	/* notices are made at the clock's time (store_tx_now) */
	return tx->store->backend->mail->notice_exists(tx->store, course, person, "training.overdue", since, yes, err);
}

static int
put_notice(struct mamori_store_tx *tx, const char *course, const char *person, struct mamori_error *err)
{
	char now[32];

	store_tx_now(tx, now);
	return tx->store->backend->mail->notice_put(tx, course, person, "training.overdue", now, err);
}

static int
remind_course(struct mamori_store_tx *tx, struct remind *r, const cJSON *c)
{
	const char *course = cJSON_GetStringValue(cJSON_GetObjectItem(c, "id"));
	cJSON *told = cJSON_CreateArray(), *after;
	const cJSON *pe;
	int rc = 0;

	cJSON_ArrayForEach(pe, cJSON_GetObjectItem(c, "people")) {
		const char *who = cJSON_GetStringValue(cJSON_GetObjectItem(pe, "user"));
		bool yes = false;
		if (rc != 0 || strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(pe, "status")), "overdue") != 0)
			continue;
		if ((rc = reminded(tx, course, who, &yes, r->err)) == 0 && !yes &&
		    (rc = put_notice(tx, course, who, r->err)) == 0)
			cJSON_AddItemToArray(told, cJSON_CreateString(who));
	}
	if (rc == 0 && cJSON_GetArraySize(told) > 0) {
		after = cJSON_CreateObject();
		cJSON_AddStringToObject(after, "reason", "training.overdue");
		cJSON_AddStringToObject(after, "deadline", cJSON_GetStringValue(cJSON_GetObjectItem(c, "deadline")));
		cJSON_AddItemToObject(after, "recipients", cJSON_Duplicate(told, true));
		rc = mamori_store_tx_event(tx, "training.remind", "record", course, NULL, after);
		cJSON_Delete(after);
		r->count += (size_t)cJSON_GetArraySize(told);
	}
	cJSON_Delete(told);
	return rc;
}

static int
remind_tx(struct mamori_store_tx *tx, void *arg)
{
	struct remind *r = arg;
	cJSON *status = NULL;
	const cJSON *c;
	int rc;

	r->count = 0;
	if ((rc = mamori_training_status(tx->store, NULL, NULL, NULL, NULL, r->now, &status, r->err)) != 0)
		return rc;
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(status, "courses")) {
		if (rc == 0)
			rc = remind_course(tx, r, c);
	}
	cJSON_Delete(status);
	return rc;
}

int
mamori_training_remind(struct mamori_store *s, const char *actor, time_t now, size_t *count,
    struct mamori_error *err)
{
	struct remind r = { .now = now, .err = err };
	int rc = mamori_store_write(s, actor, remind_tx, &r, err);

	*count = rc == 0 ? r.count : 0;
	return rc;
}
