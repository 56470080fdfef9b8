/*
 * test_mail_ops.c — mail's storage operations (store_ops_mail.h) of the
 * store's backend, called directly, the same tests for SQLite's and
 * PostgreSQL's (fixture.h): the outbox's order, put-offs, attempts and sent
 * notices; the notices the workflows put, and whether one was put already (to
 * a recipient or anyone, since a time or ever).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fixture.h"
#include "mamori/store.h"
#include "store_backend.h"
#include "store_internal.h"
#include "store_ops_mail.h"

#define POLICY SRCDIR "/policies/mic-standard.yaml"
#define NOW 1796000000	/* 2026-11-30, seconds since the epoch */

struct put {
	const char *record, *recipient, *reason, *created;
};

static int
put_tx(struct mamori_store_tx *tx, void *arg)
{
	const struct put *p = arg;
	cJSON *body = cJSON_CreateObject();
	int rc = tx->store->backend->mail->notice_put(tx, p->record, p->recipient, p->reason, p->created, NULL);

	/* the store takes no change without its event */
	if (rc == 0)
		rc = mamori_store_tx_event(tx, "test.notice", "record", p->record, NULL, body);
	cJSON_Delete(body);
	return rc;
}

/* Puts a notice through notice_put, in a write transaction of its own, as the workflows do. */
static void
put_notice(struct mamori_store *s, const char *record, const char *recipient, const char *reason, const char *created)
{
	struct put p = { record, recipient, reason, created };
	struct mamori_error err = { 0 };

	assert_int_equal(mamori_store_write(s, "test:unit", put_tx, &p, &err), 0);
}

struct due {
	int n, stop;
	int64_t num;
	int attempts;
	char record[32], recipient[32], reason[32], created[40];
};

static int
got_due(const struct store_mail_notice *n, void *ctx)
{
	struct due *d = ctx;

	d->n++;
	d->num = n->num;
	d->attempts = n->attempts;
	snprintf(d->record, sizeof(d->record), "%s", n->record);
	snprintf(d->recipient, sizeof(d->recipient), "%s", n->recipient);
	snprintf(d->reason, sizeof(d->reason), "%s", n->reason);
	snprintf(d->created, sizeof(d->created), "%s", n->created);
	return d->stop;
}

/* The notice due first at now into *d (d->n 0: none). */
static void
due_at(struct mamori_store *s, time_t now, struct due *d)
{
	struct mamori_error err = { 0 };

	memset(d, 0, sizeof(*d));
	assert_int_equal(s->backend->mail->due(s, now, got_due, d, &err), 0);
}

static void
test_outbox(void **state)
{
	struct mamori_store *s = fixture_store("outbox.db", POLICY);
	const struct store_mail_ops *ops = s->backend->mail;
	struct mamori_error err = { 0 };
	struct due d, first;

	(void)state;
	due_at(s, NOW, &d);
	assert_int_equal(d.n, 0);
	put_notice(s, "INC-1", "kanri", "record.create", "2026-11-30T00:00:00.000001Z");
	put_notice(s, "INC-2", "sato", "record.move", "2026-11-30T00:00:00.000002Z");

	/* both due (never tried): the lower number first, as stored */
	due_at(s, NOW, &first);
	assert_int_equal(first.n, 1);
	assert_string_equal(first.record, "INC-1");
	assert_string_equal(first.recipient, "kanri");
	assert_string_equal(first.reason, "record.create");
	assert_string_equal(first.created, "2026-11-30T00:00:00.000001Z");
	assert_int_equal(first.attempts, 0);

	/* a failed attempt puts it off: the other is due now, it at NOW + 60 after the other */
	assert_int_equal(ops->put_off(s, first.num, NOW + 60, "relay down", true, &err), 0);
	due_at(s, NOW, &d);
	assert_string_equal(d.record, "INC-2");
	int64_t second = d.num;
	due_at(s, NOW + 60, &d);
	assert_int_equal(d.num, second);	/* an earlier next attempt comes first */
	assert_int_equal(ops->sent(s, second, "2026-11-30T00:00:01.000000Z", &err), 0);
	due_at(s, NOW, &d);
	assert_int_equal(d.n, 0);		/* sent, and the other not yet due */
	due_at(s, NOW + 60, &d);
	assert_int_equal(d.num, first.num);
	assert_int_equal(d.attempts, 1);

	/* a wait without an attempt counts none */
	assert_int_equal(ops->put_off(s, first.num, NOW + 86400, "no address", false, &err), 0);
	due_at(s, NOW + 86399, &d);
	assert_int_equal(d.n, 0);
	due_at(s, NOW + 86400, &d);
	assert_int_equal(d.num, first.num);
	assert_int_equal(d.attempts, 1);

	/* a callback's non-zero comes back */
	memset(&d, 0, sizeof(d));
	d.stop = 5;
	assert_int_equal(ops->due(s, NOW + 86400, got_due, &d, &err), 5);

	/* sent: never due again */
	assert_int_equal(ops->sent(s, first.num, "2026-12-01T00:00:00.000000Z", &err), 0);
	due_at(s, NOW + 10 * 86400, &d);
	assert_int_equal(d.n, 0);
	mamori_store_close(&s);
}

static void
test_notices(void **state)
{
	struct mamori_store *s = fixture_store("notices.db", POLICY);
	const struct store_mail_ops *ops = s->backend->mail;
	struct mamori_error err = { 0 };
	bool yes = true;

	(void)state;
	assert_int_equal(ops->notice_exists(s, "SC-1", NULL, "check.start", NULL, &yes, &err), 0);
	assert_false(yes);
	put_notice(s, "SC-1", "kanri", "check.start", "2026-12-06T00:00:00.000000Z");
	assert_int_equal(ops->notice_exists(s, "SC-1", "kanri", "check.start", NULL, &yes, &err), 0);
	assert_true(yes);
	assert_int_equal(ops->notice_exists(s, "SC-1", NULL, "check.start", NULL, &yes, &err), 0);
	assert_true(yes);	/* to anyone */
	assert_int_equal(ops->notice_exists(s, "SC-1", "suzuki", "check.start", NULL, &yes, &err), 0);
	assert_false(yes);	/* another recipient */
	assert_int_equal(ops->notice_exists(s, "SC-1", NULL, "check.overdue", NULL, &yes, &err), 0);
	assert_false(yes);	/* another reason */
	assert_int_equal(ops->notice_exists(s, "SC-2", "kanri", "check.start", NULL, &yes, &err), 0);
	assert_false(yes);	/* another record */
	/* since: made after it, not at or before */
	assert_int_equal(ops->notice_exists(s, "SC-1", "kanri", "check.start", "2026-12-05T23:59:59Z", &yes, &err), 0);
	assert_true(yes);
	assert_int_equal(ops->notice_exists(s, "SC-1", "kanri", "check.start", "2026-12-06T00:00:00.000000Z", &yes,
	    &err), 0);
	assert_false(yes);
	assert_int_equal(ops->notice_exists(s, "SC-1", NULL, "check.start", "2026-12-07T00:00:00Z", &yes, &err), 0);
	assert_false(yes);
	mamori_store_close(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outbox),
		cmocka_unit_test(test_notices),
	};
	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
