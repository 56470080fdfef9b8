/*
 * test_record_ops.c — the records engine's storage operations
 * (store_ops_record.h) of the backend the tests run on (SQLite's, or
 * PostgreSQL's with MAMORI_TEST_BACKEND=postgresql), called directly: rows
 * written through the ops and read back whole, a step that keeps or sets the
 * approver, the numbering per kind, the list's filters (kind, state, open,
 * reporter, cursor, what an asker may see), the records the decision point
 * reads, and the groups a new policy is checked by.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "mamori/record.h"
#include "record_internal.h"
#include "store_backend.h"
#include "store_internal.h"
#include "store_ops_record.h"
#include "store_ops_mail.h"

#define POLICY SRCDIR "/policies/mic-standard.yaml"
#define NOW "2026-12-06T01:02:03.000004Z"

static const struct store_record_ops *
ops(void)
{
	return (fixture_pg() ? &store_backend_pg : &store_backend_sqlite)->record;
}

/* ---- a store of known records ---- */

/* The event every write of the store must carry (mamori_store_write refuses a change without one). */
static int
event(struct mamori_store_tx *tx)
{
	cJSON *after = cJSON_CreateObject();
	int rc = mamori_store_tx_event(tx, "test.records", "record", "-", NULL, after);

	cJSON_Delete(after);
	return rc;
}

/* The records every test starts from, made in this order (num 1..6 of the table). */
static const struct {
	const char *id, *kind, *state, *reporter, *department, *fields;
} seed[] = {
	{ "I-000001", "incident", "reported", "tanaka", "soumu", "{\"n\":1}" },
	{ "I-000002", "incident", "closed", "tanaka", NULL, "{\"n\":2}" },
	{ "I-000003", "incident", "accepted", "suzuki", "zeimu", "{\"n\":3}" },
	{ "E-000001", "exception", "approved", "tanaka", "soumu", "{\"n\":4}" },
	{ "E-000002", "exception", "expired", "suzuki", "soumu", "{\"n\":5}" },
	{ "X-000001", "gone", "somewhere", "suzuki", NULL, "{\"n\":6}" },
};
enum { NSEED = sizeof(seed) / sizeof(seed[0]) };

static int
put_seed(struct mamori_store_tx *tx, void *arg)
{
	struct mamori_error *err = arg;
	int rc = event(tx);

	for (size_t i = 0; rc == 0 && i < NSEED; i++) {
		int64_t seq;
		if ((rc = ops()->next_seq(tx, seed[i].kind, &seq, err)) != 0)
			break;
		struct store_record_new r = { .id = seed[i].id, .kind = seed[i].kind, .seq = seq,
			.state = seed[i].state, .reporter = seed[i].reporter, .department = seed[i].department,
			.fields = seed[i].fields, .state_since = 1000 + (int64_t)i, .last_by = seed[i].reporter,
			.now = NOW };
		rc = ops()->insert(tx, &r, err);
	}
	return rc;
}

static struct mamori_store *
seeded(const char *name)
{
	struct mamori_store *s = fixture_store(name, POLICY);
	struct mamori_error err = { 0 };

	assert_int_equal(mamori_store_write(s, "test:unit", put_seed, &err, &err), 0);
	return s;
}

/* ---- reading rows back ---- */

struct copy {
	int calls;
	char id[32], kind[32], state[32], reporter[32], department[32], fields[64];
	char last_by[32], approver[32], created[40], updated[40];
	bool no_department, no_approver;
	int64_t seq, num, state_since, escalations;
};

static void
cp(char *to, size_t n, const char *from)
{
	snprintf(to, n, "%s", from ? from : "");
}

static int
copy_row(const struct store_record_row *r, void *arg)
{
	struct copy *c = arg;

	c->calls++;
	cp(c->id, sizeof(c->id), r->id);
	cp(c->kind, sizeof(c->kind), r->kind);
	cp(c->state, sizeof(c->state), r->state);
	cp(c->reporter, sizeof(c->reporter), r->reporter);
	cp(c->department, sizeof(c->department), r->department);
	cp(c->fields, sizeof(c->fields), r->fields);
	cp(c->last_by, sizeof(c->last_by), r->last_by);
	cp(c->approver, sizeof(c->approver), r->approver);
	cp(c->created, sizeof(c->created), r->created);
	cp(c->updated, sizeof(c->updated), r->updated);
	c->no_department = r->department == NULL;
	c->no_approver = r->approver == NULL;
	c->seq = r->seq;
	c->num = r->num;
	c->state_since = r->state_since;
	c->escalations = r->escalations;
	return 0;
}

static void
test_insert_get(void **state)
{
	(void)state;
	struct mamori_store *s = seeded("get.db");
	struct mamori_error err = { 0 };
	struct copy c = { 0 };

	assert_int_equal(ops()->get(s, "I-000003", copy_row, &c, &err), 0);
	assert_int_equal(c.calls, 1);
	assert_string_equal(c.id, "I-000003");
	assert_string_equal(c.kind, "incident");
	assert_int_equal(c.seq, 3);	/* the third incident, though the first made of no other kind */
	assert_int_equal(c.num, 3);
	assert_string_equal(c.state, "accepted");
	assert_string_equal(c.reporter, "suzuki");
	assert_string_equal(c.department, "zeimu");
	assert_string_equal(c.fields, "{\"n\":3}");
	assert_int_equal(c.state_since, 1002);
	assert_int_equal(c.escalations, 0);
	assert_string_equal(c.last_by, "suzuki");
	assert_true(c.no_approver);
	assert_string_equal(c.created, NOW);
	assert_string_equal(c.updated, NOW);

	memset(&c, 0, sizeof(c));
	assert_int_equal(ops()->get(s, "I-000002", copy_row, &c, &err), 0);
	assert_true(c.no_department);
	assert_int_equal(ops()->get(s, "E-000002", copy_row, &c, &err), 0);
	assert_int_equal(c.seq, 2);	/* numbered within its kind */

	memset(&c, 0, sizeof(c));
	assert_int_equal(ops()->get(s, "I-999999", copy_row, &c, &err), MAMORI_E_NOTFOUND);
	assert_int_equal(c.calls, 0);
	mamori_store_close(&s);
}

static int
stop_at_once(const struct store_record_row *r, void *arg)
{
	(void)r;
	(void)arg;
	return 7;
}

/* next_seq after the seed: one more than the kind's largest, 1 for a kind without records. */
static int
seqs(struct mamori_store_tx *tx, void *arg)
{
	int64_t *seq = arg;
	int rc;

	if ((rc = ops()->next_seq(tx, "incident", &seq[0], NULL)) == 0)
		rc = ops()->next_seq(tx, "cloud-service", &seq[1], NULL);
	return rc;
}

static void
test_next_seq(void **state)
{
	(void)state;
	struct mamori_store *s = seeded("seq.db");
	struct mamori_error err = { 0 };
	int64_t seq[2] = { 0, 0 };

	assert_int_equal(mamori_store_write(s, "test:unit", seqs, seq, &err), 0);
	assert_int_equal(seq[0], 4);
	assert_int_equal(seq[1], 1);
	/* a callback's non-zero is returned as is */
	assert_int_equal(ops()->get(s, "I-000001", stop_at_once, NULL, &err), 7);
	mamori_store_close(&s);
}

/* ---- a step and a notice ---- */

struct step {
	const char *approver;
	const char *now;
};

static int
step_tx(struct mamori_store_tx *tx, void *arg)
{
	struct step *st = arg;
	struct store_record_change c = { .id = "I-000001", .state = "accepted", .fields = "{\"n\":10}",
		.state_since = 5000, .last_by = "kanri", .approver = st->approver, .now = st->now };
	int rc = event(tx);

	if (rc == 0)
		rc = ops()->update(tx, &c, NULL);

	if (rc == 0)
		rc = tx->store->backend->mail->notice_put(tx, "I-000001", "kanri2", "record.move", st->now, NULL);
	return rc;
}

static void
test_update_notice(void **state)
{
	(void)state;
	struct mamori_store *s = seeded("update.db");
	struct mamori_error err = { 0 };
	struct step st = { .approver = "kanri", .now = "2026-12-07T00:00:00.000000Z" };
	struct copy c = { 0 };

	assert_int_equal(mamori_store_write(s, "test:unit", step_tx, &st, &err), 0);
	assert_int_equal(ops()->get(s, "I-000001", copy_row, &c, &err), 0);
	assert_string_equal(c.state, "accepted");
	assert_string_equal(c.fields, "{\"n\":10}");
	assert_int_equal(c.state_since, 5000);
	assert_string_equal(c.last_by, "kanri");
	assert_string_equal(c.approver, "kanri");
	assert_string_equal(c.updated, "2026-12-07T00:00:00.000000Z");
	assert_string_equal(c.created, NOW);

	/* no approver given: the one stored stays */
	st = (struct step){ .approver = NULL, .now = "2026-12-08T00:00:00.000000Z" };
	assert_int_equal(mamori_store_write(s, "test:unit", step_tx, &st, &err), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(ops()->get(s, "I-000001", copy_row, &c, &err), 0);
	assert_string_equal(c.approver, "kanri");
	assert_string_equal(c.updated, "2026-12-08T00:00:00.000000Z");
	/* the other records are untouched */
	memset(&c, 0, sizeof(c));
	assert_int_equal(ops()->get(s, "I-000002", copy_row, &c, &err), 0);
	assert_string_equal(c.state, "closed");

	/* the notices, read as the outbox reads them */
	assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM record_notice WHERE record = 'I-000001' AND "
	    "recipient = 'kanri2' AND reason = 'record.move'"), 2);
	mamori_store_close(&s);
}

/* ---- the list ---- */

struct ids {
	char v[16][32];
	size_t n;
};

static int
collect(const struct store_record_row *r, void *arg)
{
	struct ids *x = arg;

	if (x->n < 16)
		cp(x->v[x->n++], sizeof(x->v[0]), r->id);
	return 0;
}

/* The ids q lists, joined by spaces. */
static const char *
listed(struct mamori_store *s, const struct store_record_query *q, char *out, size_t n)
{
	struct ids x = { 0 };
	struct mamori_error err = { 0 };
	size_t used = 0;

	assert_int_equal(ops()->list(s, q, collect, &x, &err), 0);
	out[0] = '\0';
	for (size_t i = 0; i < x.n && used < n; i++)
		used += (size_t)snprintf(out + used, n - used, "%s%s", i ? " " : "", x.v[i]);
	return out;
}

static void
test_list(void **state)
{
	(void)state;
	struct mamori_store *s = seeded("list.db");
	const struct mamori_policy *p = mamori_store_policy(s);
	const struct mamori_record_kind *inc = mamori_record_kind_find(p, "incident");
	const struct mamori_record_kind *exc = mamori_record_kind_find(p, "exception");
	char out[256];
	enum record_vis own = RECORD_VIS_OWN, dept = RECORD_VIS_DEPARTMENT, all = RECORD_VIS_ALL;
	enum record_vis vis[64];

	assert_non_null(inc);
	assert_non_null(exc);
	assert_true(p->nrecords <= 64);
	struct store_record_query q = { .policy = p, .kind = inc, .limit = 10 };
	assert_string_equal(listed(s, &q, out, sizeof(out)), "I-000003 I-000002 I-000001");
	q.limit = 2;
	assert_string_equal(listed(s, &q, out, sizeof(out)), "I-000003 I-000002");
	q.limit = 10;
	q.before = 3;
	assert_string_equal(listed(s, &q, out, sizeof(out)), "I-000002 I-000001");
	q.before = 0;
	q.open = true;
	assert_string_equal(listed(s, &q, out, sizeof(out)), "I-000003 I-000001");
	q.open = false;
	q.state = record_state_find(inc, "closed");
	assert_string_equal(listed(s, &q, out, sizeof(out)), "I-000002");
	q.state = NULL;
	q.reporter = "suzuki";
	assert_string_equal(listed(s, &q, out, sizeof(out)), "I-000003");
	q.reporter = NULL;

	/* an asker: its own, those of its 課, or all, as vis says */
	q.asker = "tanaka";
	q.asker_department = "zeimu";
	q.vis = &own;
	assert_string_equal(listed(s, &q, out, sizeof(out)), "I-000002 I-000001");
	q.vis = &dept;
	assert_string_equal(listed(s, &q, out, sizeof(out)), "I-000003 I-000002 I-000001");
	q.asker = "nobody";
	assert_string_equal(listed(s, &q, out, sizeof(out)), "I-000003");
	q.vis = &all;
	assert_string_equal(listed(s, &q, out, sizeof(out)), "I-000003 I-000002 I-000001");

	/* every kind: without an asker, a kind the policy lacks too; with one, by each kind's vis */
	q = (struct store_record_query){ .policy = p, .limit = 10 };
	assert_string_equal(listed(s, &q, out, sizeof(out)), "X-000001 E-000002 E-000001 I-000003 I-000002 I-000001");
	q.open = true;
	assert_string_equal(listed(s, &q, out, sizeof(out)), "X-000001 E-000001 I-000003 I-000001");
	q.open = false;
	q.before = 4;
	assert_string_equal(listed(s, &q, out, sizeof(out)), "I-000003 I-000002 I-000001");
	q.before = 0;
	q.limit = 2;
	assert_string_equal(listed(s, &q, out, sizeof(out)), "X-000001 E-000002");
	q.limit = 10;
	for (size_t i = 0; i < p->nrecords; i++)
		vis[i] = &p->records[i] == exc ? RECORD_VIS_DEPARTMENT : RECORD_VIS_OWN;
	q.asker = "suzuki";
	q.asker_department = "soumu";
	q.vis = vis;
	assert_string_equal(listed(s, &q, out, sizeof(out)), "E-000002 E-000001 I-000003");
	q.open = true;		/* the asker's, in states that are not final */
	assert_string_equal(listed(s, &q, out, sizeof(out)), "E-000001 I-000003");
	q.open = false;
	q.reporter = "tanaka";
	assert_string_equal(listed(s, &q, out, sizeof(out)), "E-000001");

	/* the records an asker approved are its own to see */
	struct step st = { .approver = "kanri", .now = NOW };
	struct mamori_error err = { 0 };
	assert_int_equal(mamori_store_write(s, "test:unit", step_tx, &st, &err), 0);
	q = (struct store_record_query){ .policy = p, .kind = inc, .limit = 10, .asker = "kanri",
		.asker_department = "somewhere", .vis = &own };
	assert_string_equal(listed(s, &q, out, sizeof(out)), "I-000001");
	q.vis = &dept;		/* approved by the asker and of its 課: listed once */
	q.asker_department = "soumu";
	assert_string_equal(listed(s, &q, out, sizeof(out)), "I-000001");
	q.asker_department = "somewhere";
	q.kind = NULL;
	q.vis = vis;
	assert_string_equal(listed(s, &q, out, sizeof(out)), "I-000001");
	mamori_store_close(&s);
}

static void
test_list_plan(void **state)
{
	(void)state;
	struct mamori_store *s = seeded("plan.db");
	const struct mamori_policy *p = mamori_store_policy(s);
	struct store_record_query q = { .policy = p, .kind = mamori_record_kind_find(p, "incident"), .limit = 51 };
	struct mamori_error err = { 0 };
	char plan[1024];

	assert_int_equal(ops()->list_plan(s, &q, plan, sizeof(plan), &err), 0);
	/* a range of the kind's index, newest first, no sorting: in SQLite's
	 * words, and in PostgreSQL's ("Index Scan Backward using
	 * record_kind_num", no Sort node: a line of its own under COSTS OFF) */
	assert_non_null(strstr(plan, "record_kind_num"));
	assert_null(strstr(plan, fixture_pg() ? "Sort\n" : "TEMP B-TREE"));
	mamori_store_close(&s);
}

/* ---- the decision point's records and the policy's groups ---- */

struct briefs {
	char line[256];
	size_t used;
};

static int
brief(const struct store_record_brief *r, void *arg)
{
	struct briefs *b = arg;

	b->used += (size_t)snprintf(b->line + b->used, sizeof(b->line) - b->used, "%s%s/%s/%s/%s",
	    b->used ? " " : "", r->id, r->state, r->reporter, r->fields);
	return 0;
}

static void
test_of_kind(void **state)
{
	(void)state;
	struct mamori_store *s = seeded("kind.db");
	struct mamori_error err = { 0 };
	struct briefs b = { 0 };

	assert_int_equal(ops()->of_kind(s, "exception", "approved", brief, &b, &err), 0);
	assert_string_equal(b.line, "E-000001/approved/tanaka/{\"n\":4}");
	b = (struct briefs){ 0 };
	assert_int_equal(ops()->of_kind(s, "exception", NULL, brief, &b, &err), 0);
	assert_string_equal(b.line, "E-000001/approved/tanaka/{\"n\":4} E-000002/expired/suzuki/{\"n\":5}");
	b = (struct briefs){ 0 };
	assert_int_equal(ops()->of_kind(s, "cloud-service", NULL, brief, &b, &err), 0);
	assert_string_equal(b.line, "");
	mamori_store_close(&s);
}

static int
group(const char *kind, const char *st, int64_t n, const char *first, void *arg)
{
	struct briefs *b = arg;

	b->used += (size_t)snprintf(b->line + b->used, sizeof(b->line) - b->used, "%s%s/%s/%lld/%s",
	    b->used ? " " : "", kind, st, (long long)n, first);
	return 0;
}

static int
second_reported(struct mamori_store_tx *tx, void *arg)
{
	(void)arg;
	struct store_record_new r = { .id = "I-000000", .kind = "incident", .seq = 99, .state = "reported",
		.reporter = "tanaka", .fields = "{}", .last_by = "tanaka", .now = NOW };

	return event(tx) == 0 ? ops()->insert(tx, &r, NULL) : MAMORI_E_STORE;
}

static void
test_groups(void **state)
{
	(void)state;
	struct mamori_store *s = seeded("groups.db");
	struct mamori_error err = { 0 };
	struct briefs b = { 0 };

	assert_int_equal(mamori_store_write(s, "test:unit", second_reported, NULL, &err), 0);
	assert_int_equal(ops()->groups(s, group, &b, &err), 0);
	assert_string_equal(b.line, "exception/approved/1/E-000001 exception/expired/1/E-000002 "
	    "gone/somewhere/1/X-000001 incident/accepted/1/I-000003 incident/closed/1/I-000002 "
	    "incident/reported/2/I-000000");
	mamori_store_close(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_get),
		cmocka_unit_test(test_next_seq),
		cmocka_unit_test(test_update_notice),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_list_plan),
		cmocka_unit_test(test_of_kind),
		cmocka_unit_test(test_groups),
	};

	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
