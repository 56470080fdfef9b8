/*
 * test_check_ops.c — the storage operations of the 自己点検, audits, risks and
 * 見直し (store_ops_check.h) of the store's backend, called directly, the
 * same tests for SQLite's and PostgreSQL's (fixture.h): the answers written
 * and read back, the evidence found or not, the register's gaps, the records
 * of a kind by state, the notices, a file's hash and the policy's load time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fixture.h"
#include "mamori/asset.h"
#include "mamori/record.h"
#include "mamori/record_file.h"
#include "mamori/store.h"
#include "mamori/user.h"
#include "store_backend.h"
#include "store_internal.h"
#include "store_ops_check.h"

#define POLICY SRCDIR "/policies/mic-standard.yaml"

/* ---- answers ---- */

struct got {
	int n;
	char answer[32], comment[64], evidence[64], by[32], at[40];
	bool comment_null, evidence_null;
	char items[4][32];
};

static int
got_answer(const struct store_check_answer *a, void *ctx)
{
	struct got *g = ctx;

	g->n++;
	snprintf(g->answer, sizeof(g->answer), "%s", a->answer);
	g->comment_null = a->comment == NULL;
	g->evidence_null = a->evidence == NULL;
	snprintf(g->comment, sizeof(g->comment), "%s", a->comment ? a->comment : "");
	snprintf(g->evidence, sizeof(g->evidence), "%s", a->evidence ? a->evidence : "");
	snprintf(g->by, sizeof(g->by), "%s", a->by);
	snprintf(g->at, sizeof(g->at), "%s", a->at);
	return 0;
}

static int
got_item(const char *item, const char *answer, void *ctx)
{
	struct got *g = ctx;

	if (g->n < 4)
		snprintf(g->items[g->n], sizeof(g->items[0]), "%s=%s", item, answer);
	g->n++;
	return 0;
}

static void
test_answers(void **state)
{
	struct mamori_store *s = fixture_store("answers.db", POLICY);
	const struct store_check_ops *ops = s->backend->check;
	struct mamori_error err = { 0 };
	struct store_check_answer b = { .record = "SC-1", .department = "soumu", .item = "b.item", .answer = "conform",
		.evidence = "{\"seq\":[1]}", .by = "kanri", .at = "2026-12-06T01:02:03.000004Z" };
	struct store_check_answer a = { .record = "SC-1", .department = "soumu", .item = "a.item", .answer = "na",
		.comment = "書庫なし", .by = "kanri", .at = "2026-12-06T01:02:04.000000Z" };
	struct store_check_answer other = { .record = "SC-1", .department = "zeimu", .item = "a.item",
		.answer = "partial", .by = "zei", .at = "2026-12-06T01:02:05.000000Z" };
	struct got g = { 0 };

	(void)state;
	assert_int_equal(ops->answer_put(s, &b, &err), 0);
	assert_int_equal(ops->answer_put(s, &a, &err), 0);
	assert_int_equal(ops->answer_put(s, &other, &err), 0);

	assert_int_equal(ops->answer(s, "SC-1", "soumu", "b.item", got_answer, &g, &err), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.answer, "conform");
	assert_true(g.comment_null);
	assert_false(g.evidence_null);
	assert_string_equal(g.evidence, "{\"seq\":[1]}");
	assert_string_equal(g.by, "kanri");
	assert_string_equal(g.at, "2026-12-06T01:02:03.000004Z");
	memset(&g, 0, sizeof(g));
	assert_int_equal(ops->answer(s, "SC-1", "soumu", "a.item", got_answer, &g, &err), 0);
	assert_string_equal(g.comment, "書庫なし");
	assert_true(g.evidence_null);
	/* none stored: NOTFOUND, fn not called; another 課's answer is its own */
	memset(&g, 0, sizeof(g));
	assert_int_equal(ops->answer(s, "SC-1", "soumu", "c.item", got_answer, &g, &err), MAMORI_E_NOTFOUND);
	assert_int_equal(ops->answer(s, "SC-2", "soumu", "a.item", got_answer, &g, &err), MAMORI_E_NOTFOUND);
	assert_int_equal(g.n, 0);
	assert_int_equal(ops->answer(s, "SC-1", "zeimu", "a.item", got_answer, &g, &err), 0);
	assert_string_equal(g.answer, "partial");

	/* a second answer to the same item replaces the first */
	b.answer = "nonconform";
	b.evidence = NULL;
	assert_int_equal(ops->answer_put(s, &b, &err), 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(ops->answer(s, "SC-1", "soumu", "b.item", got_answer, &g, &err), 0);
	assert_string_equal(g.answer, "nonconform");
	assert_true(g.evidence_null);

	/* the 課's answers in order of item, the other 課's left out */
	memset(&g, 0, sizeof(g));
	assert_int_equal(ops->answers_of(s, "SC-1", "soumu", got_item, &g, &err), 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.items[0], "a.item=na");
	assert_string_equal(g.items[1], "b.item=nonconform");
	memset(&g, 0, sizeof(g));
	assert_int_equal(ops->answers_of(s, "SC-9", "soumu", got_item, &g, &err), 0);
	assert_int_equal(g.n, 0);
	mamori_store_close(&s);
}

/* ---- records, files, assets, notices ---- */

/* Asset id of 総務課, rated c for confidentiality and 2 for the others, checked and added. */
static void
add_asset(struct mamori_store *s, const char *id, const char *name, const char *c, const char *location,
    const char *status)
{
	struct mamori_asset a;
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };

	memset(&a, 0, sizeof(a));
	mamori_asset_set(&a, MAMORI_AF_NAME, name);
	mamori_asset_set(&a, MAMORI_AF_KIND, "情報");
	mamori_asset_set(&a, MAMORI_AF_DEPARTMENT, "総務課");
	mamori_asset_set(&a, MAMORI_AF_CONFIDENTIALITY, c);
	mamori_asset_set(&a, MAMORI_AF_INTEGRITY, "2");
	mamori_asset_set(&a, MAMORI_AF_AVAILABILITY, "2");
	mamori_asset_set(&a, MAMORI_AF_SEGMENT, "情報系");
	if (location != NULL)
		mamori_asset_set(&a, MAMORI_AF_LOCATION, location);
	if (status != NULL)
		mamori_asset_set(&a, MAMORI_AF_STATUS, status);
	mamori_asset_set(&a, MAMORI_AF_ID, id);
	if (mamori_asset_check(mamori_store_policy(s), &a, NULL, 0, &d) != 0 ||
	    mamori_asset_add(s, "test:unit", &a, &d, &err) != 0)
		fail_msg("asset %s: %s %s", name, err.message, d.count ? d.items[0].message : "");
	mamori_asset_clear(&a);
	mamori_diags_clear(&d);
}

struct ids {
	int n, stop_at;
	char id[8][MAMORI_RECORD_ID_MAX];
};

static int
got_id(const char *id, void *ctx)
{
	struct ids *x = ctx;

	if (x->n < 8)
		snprintf(x->id[x->n], sizeof(x->id[0]), "%s", id);
	return ++x->n == x->stop_at ? 7 : 0;
}

static void
test_register(void **state)
{
	struct mamori_store *s = fixture_store("register.db", POLICY);
	const struct store_check_ops *ops = s->backend->check;
	struct mamori_error err = { 0 };
	const char *bare = "A-000001", *kept = "A-000002", *low = "A-000003", *gone = "A-000004";
	struct ids x = { 0 };
	int64_t total = -1;
	bool found = true;

	(void)state;
	add_asset(s, bare, "住民票データ", "3", NULL, NULL);
	add_asset(s, kept, "課税台帳", "3", "書庫A", NULL);
	add_asset(s, low, "庁内報", "1", NULL, NULL);
	/* disposed: one with its method recorded, one (imported so) without */
	assert_int_equal(mamori_asset_dispose(s, "test:unit", low, "2026-12-01", mamori_disposal_methods[0].id,
	    "tanaka", NULL, &err), 0);
	add_asset(s, gone, "旧台帳", "1", NULL, "廃棄済");

	assert_int_equal(ops->asset_exists(s, kept, &found, &err), 0);
	assert_true(found);
	assert_int_equal(ops->asset_exists(s, "A-99999", &found, &err), 0);
	assert_false(found);
	/* seq 1 is init's policy.load */
	assert_int_equal(ops->event_exists(s, 1, &found, &err), 0);
	assert_true(found);
	assert_int_equal(ops->event_exists(s, 1000000, &found, &err), 0);
	assert_false(found);

	/* 機密性3 in soumu: two active, one without a location */
	assert_int_equal(ops->register_gaps(s, "soumu", "confidentiality", 3, STORE_CHECK_NO_LOCATION, 20, &total,
	    got_id, &x, &err), 0);
	assert_int_equal(total, 2);
	assert_int_equal(x.n, 1);
	assert_string_equal(x.id[0], bare);
	/* max bounds the ids, not the count */
	memset(&x, 0, sizeof(x));
	assert_int_equal(ops->register_gaps(s, "soumu", "confidentiality", 3, STORE_CHECK_NO_LOCATION, 0, &total,
	    got_id, &x, &err), 0);
	assert_int_equal(total, 2);
	assert_int_equal(x.n, 0);
	/* 機密性1: both disposed, so none active; one disposed without its method */
	assert_int_equal(ops->register_gaps(s, "soumu", "confidentiality", 1, STORE_CHECK_NO_LOCATION, 20, &total,
	    got_id, &x, &err), 0);
	assert_int_equal(total, 0);
	assert_int_equal(x.n, 0);
	assert_int_equal(ops->register_gaps(s, "soumu", "confidentiality", 1, STORE_CHECK_NO_DISPOSAL, 20, &total,
	    got_id, &x, &err), 0);
	assert_int_equal(total, 2);
	assert_int_equal(x.n, 1);
	assert_string_equal(x.id[0], gone);
	memset(&x, 0, sizeof(x));
	/* integrity 2 covers all four: two active, both without a location, in order of id */
	assert_int_equal(ops->register_gaps(s, "soumu", "integrity", 2, STORE_CHECK_NO_LOCATION, 20, &total, got_id,
	    &x, &err), 0);
	assert_int_equal(total, 2);
	assert_int_equal(x.n, 1);
	assert_string_equal(x.id[0], bare);
	memset(&x, 0, sizeof(x));
	assert_int_equal(ops->register_gaps(s, "soumu", "availability", 2, STORE_CHECK_NO_DISPOSAL, 1, &total, got_id,
	    &x, &err), 0);
	assert_int_equal(total, 2);
	assert_int_equal(x.n, 1);
	assert_string_equal(x.id[0], gone);
	assert_int_equal(ops->register_gaps(s, "zeimu", "confidentiality", 3, STORE_CHECK_NO_LOCATION, 20, &total,
	    got_id, &x, &err), 0);
	assert_int_equal(total, 0);
	assert_int_equal(ops->register_gaps(s, "soumu", "secrecy", 3, STORE_CHECK_NO_LOCATION, 20, &total, got_id, &x,
	    &err), MAMORI_E_INVALID);
	mamori_store_close(&s);
}

static void
test_records(void **state)
{
	struct mamori_store *s = fixture_store("records.db", POLICY);
	const struct store_check_ops *ops = s->backend->check;
	struct mamori_error err = { 0 };
	struct mamori_diags problems = { 0 };
	struct mamori_record_file file;
	static const char *const reported[] = { "reported" }, *const both[] = { "reported", "withdrawn" };
	static const char *const withdrawn[] = { "withdrawn" }, *const closed[] = { "closed" };
	char first[MAMORI_RECORD_ID_MAX], second[MAMORI_RECORD_ID_MAX], hex[65];
	char t_withdrawn[STORE_CHECK_TIME_MAX], t_reported[STORE_CHECK_TIME_MAX], t_both[STORE_CHECK_TIME_MAX];
	cJSON *fields = cJSON_Parse("{\"summary\": \"USBメモリの紛失\"}");
	struct ids x = { 0 };
	bool found = false;

	(void)state;
	assert_int_equal(mamori_user_add(s, "test:unit", "tanaka", "staff", "soumu", NULL, false, &err), 0);
	assert_int_equal(mamori_record_create(s, "test:unit", "tanaka", "incident", fields, time(NULL), first,
	    &problems, &err), 0);
	assert_int_equal(mamori_record_create(s, "test:unit", "tanaka", "incident", fields, time(NULL), second,
	    &problems, &err), 0);
	cJSON_Delete(fields);
	assert_int_equal(mamori_record_move(s, "test:unit", "tanaka", first, "withdrawn", NULL, NULL, time(NULL),
	    &problems, &err), 0);

	/* any state, in order of number; then by state */
	assert_int_equal(ops->records(s, "incident", NULL, 0, got_id, &x, &err), 0);
	assert_int_equal(x.n, 2);
	assert_string_equal(x.id[0], first);
	assert_string_equal(x.id[1], second);
	memset(&x, 0, sizeof(x));
	assert_int_equal(ops->records(s, "incident", reported, 1, got_id, &x, &err), 0);
	assert_int_equal(x.n, 1);
	assert_string_equal(x.id[0], second);
	memset(&x, 0, sizeof(x));
	assert_int_equal(ops->records(s, "incident", both, 2, got_id, &x, &err), 0);
	assert_int_equal(x.n, 2);
	memset(&x, 0, sizeof(x));
	assert_int_equal(ops->records(s, "incident", closed, 1, got_id, &x, &err), 0);
	assert_int_equal(ops->records(s, "risk", NULL, 0, got_id, &x, &err), 0);
	assert_int_equal(x.n, 0);
	/* a callback's non-zero stops the walk and comes back */
	x.stop_at = 1;
	assert_int_equal(ops->records(s, "incident", NULL, 0, got_id, &x, &err), 7);
	assert_int_equal(x.n, 1);

	/* the latest change among the states: the withdrawal came last */
	assert_int_equal(ops->records_updated(s, "incident", withdrawn, 1, t_withdrawn, &err), 0);
	assert_int_equal(ops->records_updated(s, "incident", reported, 1, t_reported, &err), 0);
	assert_int_equal(ops->records_updated(s, "incident", both, 2, t_both, &err), 0);
	assert_int_equal(strncmp(t_withdrawn, "20", 2), 0);
	assert_true(strcmp(t_reported, t_withdrawn) < 0);
	assert_string_equal(t_both, t_withdrawn);
	assert_int_equal(ops->records_updated(s, "incident", closed, 1, t_both, &err), 0);
	assert_string_equal(t_both, "");

	assert_int_equal(ops->policy_loaded(s, t_both, &err), 0);
	assert_int_equal(strncmp(t_both, "20", 2), 0);

	/* a file of the second record: there by its number, with its hash */
	assert_int_equal(mamori_record_attach(s, "test:unit", "tanaka", second, "a.txt", "text/plain", "hello", 5,
	    &file, &err), 0);
	assert_int_equal(ops->file_exists(s, second, file.num, &found, &err), 0);
	assert_true(found);
	assert_int_equal(ops->file_exists(s, first, file.num, &found, &err), 0);
	assert_false(found);
	assert_int_equal(ops->file_exists(s, second, file.num + 1, &found, &err), 0);
	assert_false(found);
	assert_int_equal(ops->file_sha256(s, second, file.num, hex, &found, &err), 0);
	assert_true(found);
	assert_string_equal(hex, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");	/* sha256("hello") */
	assert_int_equal(ops->file_sha256(s, first, file.num, hex, &found, &err), 0);
	assert_false(found);
	mamori_diags_clear(&problems);
	mamori_store_close(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_register),
		cmocka_unit_test(test_records),
	};
	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
