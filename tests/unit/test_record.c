/* test_record.c — the records engine: every kind of field checked and
 * normalised, the two-person rule, deadlines and escalation across a month's
 * end, automatic expiry by the organisation's calendar day, and a refused
 * step leaving nothing behind; the decision point following exceptions
 * approved and revoked on another connection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mamori/audit.h"
#include "mamori/record.h"
#include "mamori/user.h"
#include "fixture.h"
#include "record_internal.h"

#define POLICY SRCDIR "/policies/mic-standard.yaml"

struct fixture {
	struct mamori_store *s;
};

static int
setup(void **state)
{
	static int n;
	struct fixture *f = calloc(1, sizeof(*f));
	struct mamori_error err = { 0 };
	char name[32];
	static const char *const users[][3] = {
		{ "tanaka", "staff", "soumu" }, { "kanri", "security-manager", "soumu" },
		{ "kanri2", "security-manager", "soumu" }, { "zkanri", "security-manager", "zeimu" },
		{ "ciso1", "ciso", NULL },
	};

	snprintf(name, sizeof(name), "r%d.db", n++);
	f->s = fixture_store(name, POLICY);
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		if (mamori_user_add(f->s, "test:unit", users[i][0], users[i][1], users[i][2], NULL, false, &err) != 0)
			return -1;
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

/* A time given as Tokyo local time (UTC+9, no DST). */
static time_t
jst(int y, int mo, int d, int h, int mi)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi };

	return timegm(&tm) - 9 * 3600;
}

static cJSON *
check(struct fixture *f, const char *kind, const char *json, struct mamori_diags *problems)
{
	struct mamori_error err = { 0 };
	cJSON *in = cJSON_Parse(json);
	cJSON *out = mamori_record_check_fields(f->s, mamori_record_kind_find(mamori_store_policy(f->s), kind), in,
	    true, problems, &err);

	cJSON_Delete(in);
	return out;
}

static const char *
str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static void
test_deadline_seconds(void **state)
{
	(void)state;
	assert_int_equal(record_deadline_seconds("30m"), 1800);
	assert_int_equal(record_deadline_seconds("4h"), 14400);
	assert_int_equal(record_deadline_seconds("3d"), 259200);
	assert_int_equal(record_deadline_seconds("3"), 0);
	assert_int_equal(record_deadline_seconds("0d"), 0);
	assert_int_equal(record_deadline_seconds("3dd"), 0);
	assert_int_equal(record_deadline_seconds(NULL), 0);
}

static void
test_fields_normalised(void **state)
{
	struct fixture *f = *state;
	struct mamori_diags p = { 0 };
	cJSON *out;

	/* titles for ids, 和暦, Tokyo time to UTC, full-width brackets of a choice */
	out = check(f, "incident", "{\"概要\": \"漏えいの疑い\", \"noticed_at\": \"2026-02-01 08:00\","
	    " \"threat\": \"unintentional\", \"severity\": \"中(一部の業務に影響)\"}", &p);
	assert_non_null(out);
	assert_string_equal(str(out, "summary"), "漏えいの疑い");
	assert_string_equal(str(out, "noticed_at"), "2026-01-31T23:00:00Z");
	assert_string_equal(str(out, "severity"), "medium");
	cJSON_Delete(out);
	out = check(f, "exception", "{\"justification\": \"x\", \"until\": \"R8.1.31\", \"action\": \"publish\","
	    " \"accounts\": \"  tanaka ,kanri 、 \", \"department\": \"総務課\"}", &p);
	assert_non_null(out);
	assert_string_equal(str(out, "until"), "2026-01-31");
	assert_string_equal(str(out, "department"), "soumu");
	/* spaces around the items, and before a separator (found by fuzz_record) */
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(out, "accounts")), 2);
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(out, "accounts"), 1)->valuestring, "kanri");
	cJSON_Delete(out);
	assert_int_equal(p.count, 0);
	mamori_diags_clear(&p);
}

static void
test_fields_refused(void **state)
{
	struct fixture *f = *state;
	struct mamori_diags p = { 0 };
	char longtext[1100];

	memset(longtext, 'a', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = '\0';
	/* one problem per field, each naming it */
	static const char *const bad[][2] = {
		{ "{\"summary\": \"x\", \"noticed_at\": \"2026-02-30 10:00\"}", "noticed_at" },
		{ "{\"summary\": \"x\", \"threat\": \"meteor\"}", "threat" },
		{ "{\"summary\": \"x\", \"severity\": \"huge\"}", "severity" },
		{ "{\"summary\": \"x\", \"assets\": [\"A-999999\"]}", "assets" },
		{ "{\"summary\": \"a\\u0001b\"}", "summary" },
		{ "{\"summary\": 3}", "summary" },
		{ "{\"summery\": \"x\"}", "summery" },
		{ "{}", "summary" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(check(f, "incident", bad[i][0], &p));
		assert_true(record_has_problem(&p, 0, bad[i][1]));
		mamori_diags_clear(&p);
	}
	char json[1200];
	snprintf(json, sizeof(json), "{\"destination\": \"%s\", \"assets\": \"\", \"purpose\": \"x\"}", longtext);
	assert_null(check(f, "take-out", json, &p));
	assert_true(record_has_problem(&p, 0, "destination"));	/* longer than 1,000 bytes */
	assert_true(record_has_problem(&p, 0, "assets"));	/* required; empty is absent */
	mamori_diags_clear(&p);
	assert_null(check(f, "exception", "{\"justification\": \"x\", \"until\": \"2026-01-01\", \"action\": \"fly\"}", &p));
	assert_true(record_has_problem(&p, 0, "action"));
	mamori_diags_clear(&p);
}

static int64_t
events(struct fixture *f)
{
	struct mamori_error err = { 0 };
	int64_t n = 0;

	assert_int_equal(mamori_audit_size(f->s, &n, &err), 0);
	return n;
}

static void
test_second_person(void **state)
{
	struct fixture *f = *state;
	struct mamori_diags p = { 0 };
	struct mamori_error err = { 0 };
	char id[MAMORI_RECORD_ID_MAX];
	cJSON *fields = cJSON_Parse("{\"justification\": \"x\", \"until\": \"2026-03-31\"}");
	cJSON *set = cJSON_Parse("{\"measures\": \"y\", \"action\": \"send\"}");
	int64_t before;

	assert_int_equal(mamori_record_create(f->s, "test:unit", "ciso1", "exception", fields, jst(2026, 1, 5, 9, 0),
	    id, &p, &err), 0);
	assert_string_equal(id, "E-000001");
	before = events(f);
	/* the CISO requested it: another CISO would have to approve — there is none here */
	assert_int_equal(mamori_record_move(f->s, "test:unit", "ciso1", id, "approved", NULL, set, jst(2026, 1, 5, 10, 0),
	    &p, &err), MAMORI_E_DENIED);
	assert_non_null(strstr(err.message, "二人制"));
	assert_int_equal(events(f), before);			/* nothing written */
	assert_int_equal(mamori_record_move(f->s, "test:unit", "kanri", id, "approved", NULL, set, jst(2026, 1, 5, 10, 0),
	    &p, &err), MAMORI_E_DENIED);			/* not a role the step names */
	assert_int_equal(mamori_record_move(f->s, "test:unit", "ciso1", id, "expired", NULL, NULL, jst(2026, 1, 5, 10, 0),
	    &p, &err), MAMORI_E_INVALID);			/* no step from 申請 to 期限切れ */
	cJSON_Delete(fields);
	cJSON_Delete(set);
	mamori_diags_clear(&p);
}

static void
test_deadline_month_end(void **state)
{
	struct fixture *f = *state;
	struct mamori_diags p = { 0 };
	struct mamori_error err = { 0 };
	struct mamori_record_tick t;
	char id[MAMORI_RECORD_ID_MAX];
	cJSON *rec = NULL;

	/* 30 minutes after 23:50 on 31 January is 00:20 on 1 February */
	cJSON *inc = cJSON_Parse("{\"summary\": \"月末の報告\"}");
	assert_int_equal(mamori_record_create(f->s, "test:unit", "tanaka", "incident", inc, jst(2026, 1, 31, 23, 50),
	    id, &p, &err), 0);
	assert_int_equal(mamori_record_get(f->s, id, false, NULL, &rec, &err), 0);
	assert_string_equal(str(rec, "deadline"), "2026-01-31T15:20:00Z");
	cJSON_Delete(rec);
	assert_int_equal(mamori_record_tick(f->s, "test:unit", jst(2026, 2, 1, 0, 19), &t, &err), 0);
	assert_int_equal(t.escalated, 0);
	assert_int_equal(mamori_record_tick(f->s, "test:unit", jst(2026, 2, 1, 0, 20), &t, &err), 0);
	assert_int_equal(t.escalated, 1);
	/* missed twice more by 01:20: two more levels at once, then the chain ends at the CISO */
	assert_int_equal(mamori_record_tick(f->s, "test:unit", jst(2026, 2, 1, 1, 20), &t, &err), 0);
	assert_int_equal(t.escalated, 2);
	assert_int_equal(mamori_record_tick(f->s, "test:unit", jst(2026, 2, 9, 0, 0), &t, &err), 0);
	assert_int_equal(t.escalated, 0);
	cJSON_Delete(inc);
	mamori_diags_clear(&p);
}

static void
test_expiry_by_local_day(void **state)
{
	struct fixture *f = *state;
	struct mamori_diags p = { 0 };
	struct mamori_error err = { 0 };
	struct mamori_record_tick t;
	char id[MAMORI_RECORD_ID_MAX];
	cJSON *fields = cJSON_Parse("{\"justification\": \"x\", \"until\": \"2026-01-31\"}");
	cJSON *set = cJSON_Parse("{\"measures\": \"y\", \"action\": \"send\"}"), *rec = NULL;

	assert_int_equal(mamori_record_create(f->s, "test:unit", "tanaka", "exception", fields, jst(2026, 1, 5, 9, 0),
	    id, &p, &err), 0);
	assert_int_equal(mamori_record_move(f->s, "test:unit", "ciso1", id, "approved", "ok", set, jst(2026, 1, 6, 9, 0),
	    &p, &err), 0);
	/* 23:59 on the last day in Tokyo is already 1 February nowhere that matters */
	assert_int_equal(mamori_record_tick(f->s, "test:unit", jst(2026, 1, 31, 23, 59), &t, &err), 0);
	assert_int_equal(t.automatic, 0);
	assert_int_equal(mamori_record_tick(f->s, "test:unit", jst(2026, 2, 1, 0, 0), &t, &err), 0);
	assert_int_equal(t.automatic, 1);
	assert_int_equal(mamori_record_get(f->s, id, true, NULL, &rec, &err), 0);
	assert_string_equal(str(rec, "state"), "expired");
	assert_string_equal(str(rec, "approver"), "ciso1");
	cJSON_Delete(rec);
	cJSON_Delete(fields);
	cJSON_Delete(set);
	mamori_diags_clear(&p);
}

/* A denied send, run through the hook on its own connection. */
static bool
exception_allows(struct mamori_record_decide *c)
{
	struct mamori_decide_request req = { .subject_id = "tanaka", .action = MAMORI_ACT_SEND,
	    .resource_department = "soumu" };
	struct mamori_decision dec = { .allow = false };

	mamori_record_decide_hook(c, &req, &dec);
	return dec.allow;
}

/* The decision point reads the exceptions in force once per snapshot: a batch
 * on one connection sees another connection's approval and revocation at once. */
static void
test_exception_in_force_follows_commits(void **state)
{
	struct fixture *f = *state;
	struct mamori_diags p = { 0 };
	struct mamori_error err = { 0 };
	struct mamori_store *reader = NULL;
	char id[MAMORI_RECORD_ID_MAX];
	cJSON *fields = cJSON_Parse("{\"justification\": \"x\", \"until\": \"2026-03-31\"}");
	cJSON *set = cJSON_Parse("{\"measures\": \"y\", \"action\": \"send\"}");

	assert_int_equal(mamori_store_open(mamori_store_location(f->s), &reader, &err), 0);
	struct mamori_record_decide c = { .s = reader, .now = jst(2026, 2, 1, 9, 0) };
	assert_false(exception_allows(&c));
	assert_int_equal(mamori_record_create(f->s, "test:unit", "tanaka", "exception", fields, jst(2026, 1, 5, 9, 0),
	    id, &p, &err), 0);
	assert_false(exception_allows(&c));	/* requested, not in force */
	assert_int_equal(mamori_record_move(f->s, "test:unit", "ciso1", id, "approved", "ok", set, jst(2026, 1, 6, 9, 0),
	    &p, &err), 0);
	assert_true(exception_allows(&c));
	assert_true(exception_allows(&c));	/* from what was read */
	assert_int_equal(mamori_record_move(f->s, "test:unit", "tanaka", id, "revoked", "done", NULL,
	    jst(2026, 1, 7, 9, 0), &p, &err), 0);
	assert_false(exception_allows(&c));
	mamori_record_decide_clear(&c);
	mamori_store_close(&reader);
	cJSON_Delete(fields);
	cJSON_Delete(set);
	mamori_diags_clear(&p);
}

/*
 * SQLite's plan of a page: a range of an index (SEARCH or SCAN … USING
 * INDEX), never SCAN record alone (every record read); a sort (TEMP B-TREE)
 * only where sorted is allowed.
 */
static void
assert_sqlite_plan(const char *plan, bool sorted)
{
	assert_non_null(strstr(plan, "INDEX record_"));
	for (const char *l = plan; (l = strstr(l, "SCAN record")) != NULL; l++)
		assert_true(strncmp(l, "SCAN record USING", 17) == 0 && strstr(l, "INDEX") < strchr(l, '\n'));
	if (!sorted)
		assert_null(strstr(plan, "TEMP B-TREE"));
}

/*
 * PostgreSQL's (EXPLAIN (COSTS OFF), store_pg_record.c): index scans
 * ("Index Scan Backward using record_…"), no Seq Scan, and no Sort node for
 * anyone: an asker's ranges come each in num order and are merged (Merge
 * Append), not sorted.
 */
static void
assert_pg_plan(const char *plan)
{
	assert_non_null(strstr(plan, " using record_"));
	assert_null(strstr(plan, "Seq Scan"));
	assert_null(strstr(plan, "Sort\n"));
}

/*
 * A page of the list reads a range of an index, whoever asks and whatever the
 * filter: never the whole table, never a sort of every match (only of the
 * page's few candidates, for those who see some records).
 */
static void
test_list_plan(void **state)
{
	struct fixture *f = *state;
	struct mamori_error err = { 0 };
	static const char *const askers[] = { NULL, "ciso1", "tanaka", "kanri" };
	static const char *const states[] = { NULL, "reported", "open" };
	char plan[4096];

	for (size_t a = 0; a < sizeof(askers) / sizeof(askers[0]); a++)
		for (size_t st = 0; st < sizeof(states) / sizeof(states[0]); st++)
			for (int64_t before = 0; before <= 100; before += 100) {
				struct mamori_record_filter fl = { .kind = "incident", .state = states[st],
				    .visible_to = askers[a], .before = before };
				assert_int_equal(record_list_plan(f->s, &fl, plan, sizeof(plan), &err), 0);
				if (getenv("MAMORI_SHOW_PLAN"))
					printf("%s %s %lld:\n%s\n", askers[a] ? askers[a] : "-", states[st] ? states[st] : "-",
					    (long long)before, plan);
				if (fixture_pg())
					assert_pg_plan(plan);
				else
					assert_sqlite_plan(plan, askers[a] != NULL && strcmp(askers[a], "ciso1") != 0);
			}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deadline_seconds),
		cmocka_unit_test_setup_teardown(test_fields_normalised, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fields_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_person, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deadline_month_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expiry_by_local_day, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exception_in_force_follows_commits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_plan, setup, teardown),
	};

	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
