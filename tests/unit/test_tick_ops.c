/*
 * test_tick_ops.c — the scheduled work's storage operations of the store's
 * backend (store_ops_tick.h), called directly, the same tests for SQLite's
 * and PostgreSQL's (MAMORI_TEST_BACKEND, fixture.h): which records each walk hands out and in what order,
 * that a callback's non-zero stops a walk, an escalation count written and
 * read back, the trail's bodies of one action, and the outbox of notices —
 * written, listed newest first with their record's kind and state, and
 * asked for since a time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"
#include "mamori/record.h"
#include "mamori/store.h"
#include "mamori/user.h"
#include "record_internal.h"
#include "store_internal.h"
#include "store_ops_tick.h"
#include "store_ops_mail.h"

#define POLICY SRCDIR "/policies/mic-standard.yaml"

/* A store with two incidents, a course and an attendance of it, and its backend's ops. */
struct fixture {
	struct mamori_store *s;
	const struct store_tick_ops *ops;
	char inc[2][MAMORI_RECORD_ID_MAX], course[MAMORI_RECORD_ID_MAX], att[MAMORI_RECORD_ID_MAX];
};

static void
create(struct mamori_store *s, const char *by, const char *kind, const char *json, char id[MAMORI_RECORD_ID_MAX])
{
	struct mamori_error err = { 0 };
	struct mamori_diags problems = { 0 };
	cJSON *fields = cJSON_Parse(json);

	assert_non_null(fields);
	assert_int_equal(mamori_record_create(s, "test:unit", by, kind, fields, time(NULL), id, &problems, &err), 0);
	mamori_diags_clear(&problems);
	cJSON_Delete(fields);
}

static int
setup(void **state)
{
	static int n;
	struct fixture *f = calloc(1, sizeof(*f));
	struct mamori_error err = { 0 };
	char name[32], json[160];

	snprintf(name, sizeof(name), "t%d.db", n++);
	f->s = fixture_store(name, POLICY);
	f->ops = f->s->backend->tick;
	if (mamori_user_add(f->s, "test:unit", "tanaka", "staff", "soumu", NULL, false, &err) != 0 ||
	    mamori_user_add(f->s, "test:unit", "kanri", "security-manager", "soumu", NULL, false, &err) != 0)
		return -1;
	create(f->s, "tanaka", "incident", "{\"summary\": \"USBメモリの紛失\"}", f->inc[0]);
	create(f->s, "tanaka", "incident", "{\"summary\": \"誤送信\"}", f->inc[1]);
	create(f->s, "kanri", "course", "{\"name\": \"情報セキュリティ研修\", \"recurrence\": \"once\"}", f->course);
	snprintf(json, sizeof(json), "{\"course\": \"%s\", \"account\": \"tanaka\", \"date\": \"2026-11-02\"}",
	    f->course);
	create(f->s, "kanri", "attendance", json, f->att);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	mamori_store_close(&f->s);
	free(f);
	return 0;
}

/* ---- walks of records ---- */

struct rows {
	int n, stop_at;			/* stop_at: the row whose callback returns 7 (0: none) */
	char id[4][MAMORI_RECORD_ID_MAX], state[4][32];
	char fields[512];
};

static void
keep(struct rows *r, const char *id, const char *state)
{
	if (r->n < 4) {
		snprintf(r->id[r->n], sizeof(r->id[r->n]), "%s", id ? id : "");
		snprintf(r->state[r->n], sizeof(r->state[r->n]), "%s", state ? state : "");
	}
	r->n++;
}

static int
one_id(const char *id, void *ctx)
{
	struct rows *r = ctx;

	keep(r, id, NULL);
	return r->n == r->stop_at ? 7 : 0;
}

static int
id_state(const char *id, const char *state, void *ctx)
{
	struct rows *r = ctx;

	keep(r, id, state);
	return r->n == r->stop_at ? 7 : 0;
}

static int
state_fields(const char *state, const char *fields, void *ctx)
{
	struct rows *r = ctx;

	keep(r, NULL, state);
	snprintf(r->fields, sizeof(r->fields), "%s", fields);
	return r->n == r->stop_at ? 7 : 0;
}

static void
test_in_state(void **state)
{
	struct fixture *f = *state;
	struct mamori_error err = { 0 };
	struct rows r = { 0 };

	assert_int_equal(f->ops->in_state(f->s, "incident", "reported", one_id, &r, &err), 0);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.id[0], f->inc[0]);	/* in order of their number */
	assert_string_equal(r.id[1], f->inc[1]);
	r = (struct rows){ 0 };
	assert_int_equal(f->ops->in_state(f->s, "incident", "accepted", one_id, &r, &err), 0);
	assert_int_equal(r.n, 0);
	r = (struct rows){ 0 };
	assert_int_equal(f->ops->in_state(f->s, "course", "planned", one_id, &r, &err), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.id[0], f->course);
	r = (struct rows){ .stop_at = 1 };
	assert_int_equal(f->ops->in_state(f->s, "incident", "reported", one_id, &r, &err), 7);
	assert_int_equal(r.n, 1);
}

static void
test_of_kind(void **state)
{
	struct fixture *f = *state;
	struct mamori_error err = { 0 };
	struct rows r = { 0 };

	assert_int_equal(f->ops->of_kind(f->s, "incident", id_state, &r, &err), 0);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.id[0], f->inc[0]);
	assert_string_equal(r.id[1], f->inc[1]);
	assert_string_equal(r.state[0], "reported");
	r = (struct rows){ 0 };
	assert_int_equal(f->ops->of_kind(f->s, "course", id_state, &r, &err), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.id[0], f->course);
	assert_string_equal(r.state[0], "planned");
	r = (struct rows){ 0 };
	assert_int_equal(f->ops->of_kind(f->s, "no-such-kind", id_state, &r, &err), 0);
	assert_int_equal(r.n, 0);
	r = (struct rows){ .stop_at = 1 };
	assert_int_equal(f->ops->of_kind(f->s, "incident", id_state, &r, &err), 7);
	assert_int_equal(r.n, 1);
}

static void
test_fields_of_kind(void **state)
{
	struct fixture *f = *state;
	struct mamori_error err = { 0 };
	struct rows r = { 0 };
	cJSON *fields;

	assert_int_equal(f->ops->fields_of_kind(f->s, "attendance", state_fields, &r, &err), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.state[0], "attended");
	assert_non_null(fields = cJSON_Parse(r.fields));
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(fields, "account")), "tanaka");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(fields, "course")), f->course);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(fields, "date")), "2026-11-02");
	cJSON_Delete(fields);
	r = (struct rows){ .stop_at = 1 };
	assert_int_equal(f->ops->fields_of_kind(f->s, "incident", state_fields, &r, &err), 7);
	assert_int_equal(r.n, 1);
}

/* ---- writes inside a transaction ---- */

struct put {
	const struct fixture *f;
	int64_t escalations;
	const char *created[2];		/* notices to tanaka about the course */
};

static int
put_tx(struct mamori_store_tx *tx, void *arg)
{
	struct put *p = arg;
	struct mamori_error err = { 0 };
	cJSON *after = cJSON_CreateObject();
	int rc;

	cJSON_AddStringToObject(after, "field", "reporter");
	cJSON_AddStringToObject(after, "account", "suzuki");
	rc = mamori_store_tx_event(tx, "record.account-inactive", "record", p->f->inc[0], NULL, after);
	cJSON_Delete(after);
	if (rc == 0 && p->escalations > 0)
		rc = p->f->ops->set_escalations(tx, p->f->inc[0], p->escalations, &err);
	for (int i = 0; rc == 0 && i < 2 && p->created[i]; i++)
		rc = tx->store->backend->mail->notice_put(tx, p->f->course, "tanaka", "training.overdue", p->created[i], &err);
	return rc;
}

static int64_t
escalations_of(struct mamori_store *s, const char *id)
{
	struct mamori_error err = { 0 };
	cJSON *rec = NULL;
	int64_t n;

	assert_int_equal(record_read(s, id, &rec, &err), 0);
	n = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(rec, "escalations"));
	cJSON_Delete(rec);
	return n;
}

static void
test_set_escalations(void **state)
{
	struct fixture *f = *state;
	struct mamori_error err = { 0 };
	struct put p = { .f = f, .escalations = 3 };

	assert_int_equal(escalations_of(f->s, f->inc[0]), 0);
	assert_int_equal(mamori_store_write(f->s, "test:unit", put_tx, &p, &err), 0);
	assert_int_equal(escalations_of(f->s, f->inc[0]), 3);
	assert_int_equal(escalations_of(f->s, f->inc[1]), 0);	/* only the one named */
}

struct bodies {
	int n;
	char account[32];
};

static int
body(const char *text, void *ctx)
{
	struct bodies *b = ctx;
	cJSON *j = cJSON_Parse(text);
	const char *a = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "after"), "account"));

	snprintf(b->account, sizeof(b->account), "%s", a ? a : "");
	cJSON_Delete(j);
	return ++b->n == 2 ? 7 : 0;
}

static void
test_event_bodies(void **state)
{
	struct fixture *f = *state;
	struct mamori_error err = { 0 };
	struct put p = { .f = f };
	struct bodies b = { 0 };

	assert_int_equal(f->ops->event_bodies(f->s, f->inc[0], "record.account-inactive", body, &b, &err), 0);
	assert_int_equal(b.n, 0);
	assert_int_equal(mamori_store_write(f->s, "test:unit", put_tx, &p, &err), 0);
	assert_int_equal(f->ops->event_bodies(f->s, f->inc[0], "record.account-inactive", body, &b, &err), 0);
	assert_int_equal(b.n, 1);
	assert_string_equal(b.account, "suzuki");
	b = (struct bodies){ 0 };
	assert_int_equal(f->ops->event_bodies(f->s, f->inc[1], "record.account-inactive", body, &b, &err), 0);
	assert_int_equal(b.n, 0);	/* another record's */
	assert_int_equal(f->ops->event_bodies(f->s, f->inc[0], "record.escalate", body, &b, &err), 0);
	assert_int_equal(b.n, 0);	/* another action */
	assert_int_equal(mamori_store_write(f->s, "test:unit", put_tx, &p, &err), 0);
	assert_int_equal(f->ops->event_bodies(f->s, f->inc[0], "record.account-inactive", body, &b, &err), 7);
	assert_int_equal(b.n, 2);	/* stopped at the second */
}

/* ---- the outbox of notices ---- */

struct notices {
	int n;
	int64_t num[8];
	char record[8][MAMORI_RECORD_ID_MAX], recipient[8][32], reason[8][40], created[8][32], kind[8][32],
	    state[8][32];
	bool sent_null[8];
};

static int
notice(const struct store_notice_row *r, void *ctx)
{
	struct notices *l = ctx;

	if (l->n < 8) {
		l->num[l->n] = r->num;
		snprintf(l->record[l->n], sizeof(l->record[0]), "%s", r->record);
		snprintf(l->recipient[l->n], sizeof(l->recipient[0]), "%s", r->recipient);
		snprintf(l->reason[l->n], sizeof(l->reason[0]), "%s", r->reason);
		snprintf(l->created[l->n], sizeof(l->created[0]), "%s", r->created);
		snprintf(l->kind[l->n], sizeof(l->kind[0]), "%s", r->kind ? r->kind : "(gone)");
		snprintf(l->state[l->n], sizeof(l->state[0]), "%s", r->state ? r->state : "(gone)");
		l->sent_null[l->n] = r->sent == NULL;
	}
	l->n++;
	return 0;
}

static void
test_notices(void **state)
{
	struct fixture *f = *state;
	struct mamori_error err = { 0 };
	struct put p = { .f = f, .created = { "2026-12-01T09:00:00.000000Z", "2026-12-03T09:00:00.000000Z" } };
	struct notices all = { 0 }, mine = { 0 }, one = { 0 };

	assert_int_equal(f->ops->notices(f->s, "tanaka", 50, notice, &mine, &err), 0);
	assert_int_equal(mine.n, 0);
	assert_int_equal(mamori_store_write(f->s, "test:unit", put_tx, &p, &err), 0);
	assert_int_equal(f->ops->notices(f->s, "tanaka", 50, notice, &mine, &err), 0);
	assert_int_equal(mine.n, 2);
	assert_true(mine.num[0] > mine.num[1]);		/* newest first */
	assert_string_equal(mine.created[0], p.created[1]);
	assert_string_equal(mine.created[1], p.created[0]);
	assert_string_equal(mine.record[0], f->course);
	assert_string_equal(mine.recipient[0], "tanaka");
	assert_string_equal(mine.reason[0], "training.overdue");
	assert_string_equal(mine.kind[0], "course");	/* the record's kind and state now */
	assert_string_equal(mine.state[0], "planned");
	assert_true(mine.sent_null[0]);
	/* everyone's: the incidents' notices to the managers too, the newest first */
	assert_int_equal(f->ops->notices(f->s, NULL, 50, notice, &all, &err), 0);
	assert_true(all.n > 2);
	assert_int_equal(all.num[0], mine.num[0]);
	for (int i = 1; i < all.n && i < 8; i++)
		assert_true(all.num[i] < all.num[i - 1]);
	assert_int_equal(f->ops->notices(f->s, NULL, 1, notice, &one, &err), 0);
	assert_int_equal(one.n, 1);
	assert_int_equal(one.num[0], mine.num[0]);
	/* a negative limit is none (mamori_record_notices hands a size_t on) */
	one = (struct notices){ 0 };
	assert_int_equal(f->ops->notices(f->s, NULL, -1, notice, &one, &err), 0);
	assert_int_equal(one.n, all.n);
}

static void
test_notice_since(void **state)
{
	struct fixture *f = *state;
	struct mamori_error err = { 0 };
	struct put p = { .f = f, .created = { "2026-12-03T09:00:00.000000Z" } };
	bool yes = true;

	assert_int_equal(f->s->backend->mail->notice_exists(f->s, f->course, "tanaka", "training.overdue", "2026-11-01T00:00:00Z", &yes,
	    &err), 0);
	assert_false(yes);
	assert_int_equal(mamori_store_write(f->s, "test:unit", put_tx, &p, &err), 0);
	assert_int_equal(f->s->backend->mail->notice_exists(f->s, f->course, "tanaka", "training.overdue", "2026-11-01T00:00:00Z", &yes,
	    &err), 0);
	assert_true(yes);
	/* made before since, to another, about another record, for another reason: no */
	assert_int_equal(f->s->backend->mail->notice_exists(f->s, f->course, "tanaka", "training.overdue", "2026-12-04T00:00:00Z", &yes,
	    &err), 0);
	assert_false(yes);
	assert_int_equal(f->s->backend->mail->notice_exists(f->s, f->course, "kanri", "training.overdue", "2026-11-01T00:00:00Z", &yes,
	    &err), 0);
	assert_false(yes);
	assert_int_equal(f->s->backend->mail->notice_exists(f->s, f->inc[0], "tanaka", "training.overdue", "2026-11-01T00:00:00Z", &yes,
	    &err), 0);
	assert_false(yes);
	assert_int_equal(f->s->backend->mail->notice_exists(f->s, f->course, "tanaka", "record.escalate", "2026-11-01T00:00:00Z", &yes,
	    &err), 0);
	assert_false(yes);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_in_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_of_kind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fields_of_kind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_escalations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_bodies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notice_since, setup, teardown),
	};

	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
