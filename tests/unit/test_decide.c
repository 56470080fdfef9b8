/* test_decide.c — unit tests for the decision point. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mamori/decide.h"

static struct mamori_policy *
load_fixture(const char *extra_restriction)
{
	char path[512], *buf, *text;
	FILE *f;
	long n;
	struct mamori_diags d = { 0 };
	struct mamori_policy *p = NULL;

	snprintf(path, sizeof(path), "%s/tests/decide/fixture.yaml", SRCDIR);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1024);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	text = buf;
	if (extra_restriction != NULL) {
		/* add a restriction to 機密性1, which has none in the fixture */
		char *at = strstr(buf, "criteria: y, clause: c1}");
		assert_non_null(at);
		char tail[4096];
		snprintf(tail, sizeof(tail), "%s", at + strlen("criteria: y, clause: c1}"));
		snprintf(at, 1024 + (size_t)(n - (at - buf)), "criteria: y, clause: c1, restrictions: "
		    "[{id: %s, text: 追加, clause: extra}]}%s", extra_restriction, tail);
	}
	assert_int_equal(mamori_policy_load_buffer(path, text, strlen(text), &d, &p), 0);
	mamori_diags_clear(&d);
	free(buf);
	return p;
}

static struct mamori_decide_request
base_request(void)
{
	struct mamori_decide_request r = { 0 };

	r.subject_id = "u1";
	r.roles[0] = "staff";
	r.nroles = 1;
	r.department = "soumu";
	r.terminal_segment = "lgwan";
	r.terminal_issued = true;
	r.action = MAMORI_ACT_READ;
	r.levels[0] = 2;
	r.resource_department = "soumu";
	r.resource_segment = "lgwan";
	return r;
}

static bool
has_item(const struct mamori_decide_item *items, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(items[i].id, id) == 0)
			return true;
	return false;
}

static void
test_basic_answers(void **state)
{
	struct mamori_policy *p = load_fixture(NULL);
	struct mamori_decider *d = NULL;
	struct mamori_decision out;
	struct mamori_decide_request r = base_request();

	(void)state;
	assert_int_equal(mamori_decider_new(p, &d, NULL), 0);

	mamori_decide(d, &r, &out);
	assert_true(out.allow);
	assert_null(out.error);

	/* another department's asset: staff's scope is its own department */
	r.resource_department = "shimin";
	mamori_decide(d, &r, &out);
	assert_false(out.allow);
	assert_true(has_item(out.reasons, out.nreasons, "role-not-permitted"));
	assert_string_equal(out.reasons[0].clause, "sc");

	/* auditor reads everything, changes nothing */
	r = base_request();
	r.roles[0] = "auditor";
	r.resource_department = "shimin";
	mamori_decide(d, &r, &out);
	assert_true(out.allow);
	r.action = MAMORI_ACT_WRITE;
	mamori_decide(d, &r, &out);
	assert_false(out.allow);

	/* ciso inherits nothing it lacks: it has all */
	r = base_request();
	r.roles[0] = "ciso";
	r.action = MAMORI_ACT_DISPOSE;
	mamori_decide(d, &r, &out);
	assert_true(out.allow);

	/* 機密性3 on a terminal that is not issued */
	r = base_request();
	r.levels[0] = 3;
	r.terminal_issued = false;
	mamori_decide(d, &r, &out);
	assert_false(out.allow);
	assert_true(has_item(out.reasons, out.nreasons, "issued-terminal-only"));
	assert_string_equal(out.reasons[0].clause, "対策基準 5");
	assert_int_equal(out.nobligations, 0);

	/* publish above 機密性1 */
	r = base_request();
	r.roles[0] = "ciso";
	r.action = MAMORI_ACT_PUBLISH;
	mamori_decide(d, &r, &out);
	assert_false(out.allow);
	assert_true(has_item(out.reasons, out.nreasons, "classified-not-public"));
	assert_string_equal(out.reasons[0].text, "公表を前提としない");

	mamori_decider_free(&d);
	assert_null(d);
	mamori_policy_free(&p);
}

static void
test_segments_and_flows(void **state)
{
	struct mamori_policy *p = load_fixture(NULL);
	struct mamori_decider *d = NULL;
	struct mamori_decision out;
	struct mamori_decide_request r = base_request();

	(void)state;
	assert_int_equal(mamori_decider_new(p, &d, NULL), 0);

	/* internet → lgwan by mail: allowed, text-ified */
	r.action = MAMORI_ACT_SEND;
	r.resource_segment = "internet";
	r.terminal_segment = "internet";
	r.destination_segment = "lgwan";
	r.channel = "mail";
	mamori_decide(d, &r, &out);
	assert_true(out.allow);
	assert_true(has_item(out.obligations, out.nobligations, "mail-text"));
	assert_true(has_item(out.obligations, out.nobligations, "encrypt-in-transit"));

	/* the reverse direction is not listed: default deny, citing 通信経路の分割 */
	r.resource_segment = "lgwan";
	r.terminal_segment = "lgwan";
	r.destination_segment = "internet";
	mamori_decide(d, &r, &out);
	assert_false(out.allow);
	assert_true(has_item(out.reasons, out.nreasons, "flow-denied"));
	assert_string_equal(out.reasons[0].clause, "6(3)②");

	/* no channel at all */
	r.channel = NULL;
	mamori_decide(d, &r, &out);
	assert_false(out.allow);

	/* out of mynumber: isolated, and mfa missing */
	r = base_request();
	r.action = MAMORI_ACT_SEND;
	r.terminal_segment = "mynumber";
	r.resource_segment = "mynumber";
	r.destination_segment = "lgwan";
	r.channel = "mail";
	mamori_decide(d, &r, &out);
	assert_false(out.allow);
	assert_true(has_item(out.reasons, out.nreasons, "mfa"));
	assert_true(has_item(out.reasons, out.nreasons, "flow-denied"));
	r.mfa = true;
	r.action = MAMORI_ACT_READ;
	r.destination_segment = NULL;
	mamori_decide(d, &r, &out);
	assert_true(out.allow);

	mamori_decider_free(&d);
	mamori_policy_free(&p);
}

static void
test_unknown_ids_are_errors(void **state)
{
	struct mamori_policy *p = load_fixture(NULL);
	struct mamori_decider *d = NULL;
	struct mamori_decision out;

	(void)state;
	assert_int_equal(mamori_decider_new(p, &d, NULL), 0);

	struct mamori_decide_request r = base_request();
	r.roles[0] = "staf";
	mamori_decide(d, &r, &out);
	assert_false(out.allow);
	assert_string_equal(out.error_field, "subject.roles[0]");
	assert_non_null(strstr(out.error_detail, "did you mean 'staff'"));

	r = base_request();
	r.terminal_segment = "lgwam";
	mamori_decide(d, &r, &out);
	assert_string_equal(out.error_field, "subject.terminal.segment");

	r = base_request();
	r.levels[0] = 4;
	mamori_decide(d, &r, &out);
	assert_string_equal(out.error_field, "resource.classification.confidentiality");

	r = base_request();
	r.asset = "A-999";
	r.resource_department = NULL;
	r.resource_segment = NULL;
	mamori_decide(d, &r, &out);
	assert_string_equal(out.error_field, "resource.asset");

	r = base_request();
	r.action = 42;
	mamori_decide(d, &r, &out);
	assert_string_equal(out.error_field, "action");

	mamori_decider_free(&d);
	mamori_policy_free(&p);
}

static void
test_assets(void **state)
{
	struct mamori_policy *p = load_fixture(NULL);
	struct mamori_decider *d = NULL;
	struct mamori_decision out;
	const struct mamori_decide_asset assets[] = {
		{ "A-000001", { 3, 1, 1 }, "soumu", "lgwan" },
		{ "A-000002", { 1, 1, 1 }, "shimin", "internet" },
	};
	struct mamori_decide_request r = base_request();

	(void)state;
	assert_int_equal(mamori_decider_new(p, &d, NULL), 0);
	assert_int_equal(mamori_decider_set_assets(d, assets, 2, NULL), 0);
	r.asset = "A-000001";
	r.levels[0] = 0;
	r.resource_department = NULL;
	r.resource_segment = NULL;
	r.terminal_issued = false;
	mamori_decide(d, &r, &out);
	assert_false(out.allow);
	assert_true(has_item(out.reasons, out.nreasons, "issued-terminal-only"));
	r.asset = "A-000002";
	mamori_decide(d, &r, &out);
	assert_false(out.allow);	/* shimin's asset, and in another segment */
	assert_true(has_item(out.reasons, out.nreasons, "role-not-permitted"));
	assert_true(has_item(out.reasons, out.nreasons, "flow-denied"));
	mamori_decider_free(&d);
	mamori_policy_free(&p);
}

/* Random requests over the fixture's vocabulary. */
static void
random_request(struct mamori_decide_request *r, unsigned *seed)
{
	static const char *roles[] = { "ciso", "staff", "auditor" };
	static const char *depts[] = { "soumu", "shimin", NULL };
	static const char *segs[] = { "mynumber", "lgwan", "internet", NULL };
	static const char *chans[] = { "mail", "web", "file-transfer", NULL };

	memset(r, 0, sizeof(*r));
	r->roles[0] = roles[rand_r(seed) % 3];
	r->nroles = 1 + (unsigned)rand_r(seed) % 2;
	r->roles[1] = roles[rand_r(seed) % 3];
	r->department = depts[rand_r(seed) % 3];
	r->mfa = rand_r(seed) % 2;
	r->terminal_segment = segs[rand_r(seed) % 4];
	r->terminal_issued = rand_r(seed) % 2;
	r->action = rand_r(seed) % MAMORI_ACT_COUNT;
	r->levels[0] = 1 + rand_r(seed) % 3;
	r->resource_department = depts[rand_r(seed) % 3];
	r->resource_segment = segs[rand_r(seed) % 4];
	r->channel = chans[rand_r(seed) % 4];
	r->destination_segment = segs[rand_r(seed) % 4];
}

/* Properties: every deny has a reason with a clause; adding a restriction never
 * turns a deny into an allow (for each restriction id of the vocabulary). */
static void
test_properties(void **state)
{
	static const char *extra[] = {
		"issued-terminal-only", "no-excess-copies", "restricted-storage",
		"encrypt-in-transit", "irreversible-disposal", "trusted-network",
		"external-processing-rules", "locked-media-storage", "backup",
		"electronic-signature", "timely-recovery",
	};
	struct mamori_policy *p = load_fixture(NULL);
	struct mamori_decider *d = NULL;

	(void)state;
	assert_int_equal(mamori_decider_new(p, &d, NULL), 0);
	for (size_t x = 0; x < sizeof(extra) / sizeof(extra[0]); x++) {
		struct mamori_policy *q = load_fixture(extra[x]);
		struct mamori_decider *e = NULL;
		unsigned seed = 12345 + (unsigned)x;
		assert_int_equal(mamori_decider_new(q, &e, NULL), 0);
		for (int i = 0; i < 20000; i++) {
			struct mamori_decide_request r;
			struct mamori_decision a, b;
			random_request(&r, &seed);
			mamori_decide(d, &r, &a);
			mamori_decide(e, &r, &b);
			if (!a.allow && a.error == NULL) {
				assert_true(a.nreasons >= 1);
				for (size_t k = 0; k < a.nreasons; k++) {
					assert_non_null(a.reasons[k].clause);
					assert_true(a.reasons[k].clause[0] != '\0');
				}
				if (b.allow)
					fail_msg("adding '%s' turned a deny into an allow", extra[x]);
			}
			if (a.allow)
				assert_int_equal(a.nreasons, 0);
		}
		mamori_decider_free(&e);
		mamori_policy_free(&q);
	}
	mamori_decider_free(&d);
	mamori_policy_free(&p);
}

/* Deciding allocates nothing: the heap in use is the same before and after. */
static void
test_no_allocation(void **state)
{
	struct mamori_policy *p = load_fixture(NULL);
	struct mamori_decider *d = NULL;
	struct mamori_decision out;
	unsigned seed = 7;
	size_t before, after;

	(void)state;
	assert_int_equal(mamori_decider_new(p, &d, NULL), 0);
	before = mallinfo2().uordblks;
	for (int i = 0; i < 10000; i++) {
		struct mamori_decide_request r;
		random_request(&r, &seed);
		mamori_decide(d, &r, &out);
	}
	after = mallinfo2().uordblks;
	assert_int_equal(before, after);
	mamori_decider_free(&d);
	mamori_policy_free(&p);
}

static void
assert_same_answer(const struct mamori_decision *a, const struct mamori_decision *b)
{
	assert_int_equal(a->allow, b->allow);
	assert_int_equal(a->error != NULL, b->error != NULL);
	if (a->error != NULL) {
		assert_string_equal(a->error_field, b->error_field);
		assert_string_equal(a->error_detail, b->error_detail);
		return;
	}
	assert_int_equal(a->nobligations, b->nobligations);
	assert_int_equal(a->nreasons, b->nreasons);
	for (size_t k = 0; k < a->nobligations; k++) {
		assert_string_equal(a->obligations[k].id, b->obligations[k].id);
		assert_ptr_equal(a->obligations[k].text, b->obligations[k].text);
		assert_ptr_equal(a->obligations[k].clause, b->obligations[k].clause);
	}
	for (size_t k = 0; k < a->nreasons; k++) {
		assert_string_equal(a->reasons[k].id, b->reasons[k].id);
		assert_ptr_equal(a->reasons[k].text, b->reasons[k].text);
		assert_ptr_equal(a->reasons[k].clause, b->reasons[k].clause);
	}
}

/* A prepared request gets the answer mamori_decide gives; a request that cannot
 * be prepared gets the same error; parts prepared one by one combine freely. */
static void
test_prepared_same_answers(void **state)
{
	struct mamori_policy *p = load_fixture(NULL);
	struct mamori_decider *d = NULL;
	unsigned seed = 4242;
	size_t nallow = 0, ndeny = 0, nerror = 0, nobliged = 0;
	const struct mamori_decide_asset assets[] = {
		{ "A-000001", { 3, 1, 1 }, "shimin", "mynumber" },
		{ "A-000002", { 1, 1, 1 }, NULL, "internet" },
	};

	(void)state;
	assert_int_equal(mamori_decider_new(p, &d, NULL), 0);
	assert_int_equal(mamori_decider_set_assets(d, assets, 2, NULL), 0);
	for (int i = 0; i < 50000; i++) {
		struct mamori_decide_request r;
		struct mamori_decide_subject s;
		struct mamori_decide_resource res;
		struct mamori_decide_context c;
		struct mamori_decision a, b;

		random_request(&r, &seed);
		if (i % 5 == 0) {	/* some name assets, one of them unknown */
			r.asset = (const char *[]){ "A-000001", "A-000002", "A-999999" }[rand_r(&seed) % 3];
			r.levels[0] = 0;
			r.resource_department = r.resource_segment = NULL;
		}
		if (i % 97 == 0)
			r.roles[0] = "stafff";
		mamori_decide(d, &r, &a);
		if (!mamori_decide_prepare(d, &r, &s, &res, &c, &b)) {
			assert_non_null(a.error);
			assert_same_answer(&a, &b);
			nerror++;
			continue;
		}
		mamori_decide_prepared(d, &s, &res, &c, &b);
		assert_same_answer(&a, &b);
		/* the same from parts prepared separately */
		memset(&s, 0x55, sizeof(s));
		memset(&res, 0x55, sizeof(res));
		memset(&c, 0x55, sizeof(c));
		assert_true(mamori_decide_prepare(d, &r, &s, NULL, NULL, &b));
		assert_true(mamori_decide_prepare(d, &r, NULL, &res, NULL, &b));
		assert_true(mamori_decide_prepare(d, &r, NULL, NULL, &c, &b));
		mamori_decide_prepared(d, &s, &res, &c, &b);
		assert_same_answer(&a, &b);
		nallow += a.allow;
		ndeny += !a.allow;
		nobliged += a.nobligations > 0;
	}
	/* the mix exercised every kind of answer */
	assert_true(nallow > 1000 && ndeny > 1000 && nerror > 100 && nobliged > 100);
	mamori_decider_free(&d);
	mamori_policy_free(&p);
}

/* Hand-filled parts with indexes out of range are errors naming the field,
 * never an allow; a resource prepared from an asset outlives the asset table. */
static void
test_prepared_ranges(void **state)
{
	struct mamori_policy *p = load_fixture(NULL);
	struct mamori_decider *d = NULL;
	struct mamori_decide_request r = base_request();
	struct mamori_decide_subject s;
	struct mamori_decide_resource res, good;
	struct mamori_decide_context c, goodc;
	struct mamori_decision out;
	const struct mamori_decide_asset assets[] = { { "A-1", { 1, 1, 1 }, "soumu", "lgwan" } };
	int lgwan, soumu;

	(void)state;
	assert_int_equal(mamori_decider_new(p, &d, NULL), 0);
	lgwan = mamori_decider_segment(d, "lgwan");
	soumu = mamori_decider_department(d, "soumu");
	assert_true(lgwan >= 0 && soumu >= 0);
	assert_int_equal(mamori_decider_segment(d, "lgwann"), -1);
	assert_int_equal(mamori_decider_department(d, NULL), -1);
	assert_int_equal(mamori_decide_channel("mail"), 0);
	assert_int_equal(mamori_decide_channel("pigeon"), -1);
	assert_true(mamori_decide_prepare(d, &r, &s, NULL, NULL, &out));
	good = (struct mamori_decide_resource){ { 2, 1, 1 }, (short)soumu, (short)lgwan };
	goodc = (struct mamori_decide_context){ MAMORI_ACT_READ, -1, -1 };
	mamori_decide_prepared(d, &s, &good, &goodc, &out);
	assert_true(out.allow);
	assert_null(out.error);

	static const struct {
		int field;	/* which value to break */
		int value;
		const char *name;
	} bad[] = {
		{ 0, 3, "resource.classification.integrity" },	/* the fixture has one axis */
		{ 1, 0, "resource.classification.confidentiality" },
		{ 1, 4, "resource.classification.confidentiality" },
		{ 2, 2, "resource.department" },
		{ 2, -2, "resource.department" },
		{ 3, 3, "resource.segment" },
		{ 4, MAMORI_ACT_COUNT, "action" },
		{ 4, -1, "action" },
		{ 5, 6, "context.channel" },
		{ 5, -2, "context.channel" },
		{ 6, 3, "context.destination_segment" },
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		res = good;
		c = goodc;
		switch (bad[k].field) {
		case 0: res.levels[1] = (unsigned char)bad[k].value; break;
		case 1: res.levels[0] = (unsigned char)bad[k].value; break;
		case 2: res.department = (short)bad[k].value; break;
		case 3: res.segment = (short)bad[k].value; break;
		case 4: c.action = bad[k].value; break;
		case 5: c.channel = bad[k].value; break;
		case 6: c.destination = bad[k].value; break;
		}
		mamori_decide_prepared(d, &s, &res, &c, &out);
		assert_false(out.allow);
		assert_non_null(out.error);
		assert_string_equal(out.error_field, bad[k].name);
	}
	struct mamori_decide_subject t = s;
	t.roles[0] = 3;
	mamori_decide_prepared(d, &t, &good, &goodc, &out);
	assert_non_null(out.error);
	assert_string_equal(out.error_field, "subject.roles");
	t = s;
	t.terminal = 7;
	mamori_decide_prepared(d, &t, &good, &goodc, &out);
	assert_string_equal(out.error_field, "subject.terminal.segment");

	/* an asset's resource is a copy */
	assert_int_equal(mamori_decider_set_assets(d, assets, 1, NULL), 0);
	struct mamori_decide_request ra = { .asset = "A-1" };
	assert_true(mamori_decide_prepare(d, &ra, NULL, &res, NULL, &out));
	assert_int_equal(mamori_decider_set_assets(d, NULL, 0, NULL), 0);
	mamori_decide_prepared(d, &s, &res, &goodc, &out);
	assert_true(out.allow);
	assert_false(mamori_decide_prepare(d, &ra, NULL, &res, NULL, &out));
	assert_string_equal(out.error_field, "resource.asset");
	mamori_decider_free(&d);
	mamori_policy_free(&p);
}

/* Deciding a prepared request allocates nothing either. */
static void
test_prepared_no_allocation(void **state)
{
	struct mamori_policy *p = load_fixture(NULL);
	struct mamori_decider *d = NULL;
	struct mamori_decision out;
	unsigned seed = 8;
	size_t before, after, decided = 0;

	(void)state;
	assert_int_equal(mamori_decider_new(p, &d, NULL), 0);
	before = mallinfo2().uordblks;
	for (int i = 0; i < 10000; i++) {
		struct mamori_decide_request r;
		struct mamori_decide_subject s;
		struct mamori_decide_resource res;
		struct mamori_decide_context c;
		random_request(&r, &seed);
		if (mamori_decide_prepare(d, &r, &s, &res, &c, &out)) {
			mamori_decide_prepared(d, &s, &res, &c, &out);
			decided++;
		}
	}
	after = mallinfo2().uordblks;
	assert_int_equal(before, after);
	assert_true(decided > 1000);
	mamori_decider_free(&d);
	mamori_policy_free(&p);
}

struct thread_arg {
	const struct mamori_decider *d;
	unsigned seed;
	unsigned long allows;
};

static void *
decide_many(void *arg)
{
	struct thread_arg *t = arg;
	struct mamori_decision out;

	for (int i = 0; i < 50000; i++) {
		struct mamori_decide_request r;
		random_request(&r, &t->seed);
		mamori_decide(t->d, &r, &out);
		t->allows += out.allow;
	}
	return NULL;
}

/* Two threads deciding at once get the same answers as one thread alone. */
static void
test_threads(void **state)
{
	struct mamori_policy *p = load_fixture(NULL);
	struct mamori_decider *d = NULL;
	struct thread_arg solo = { 0 }, a = { 0 }, b = { 0 };
	pthread_t ta, tb;

	(void)state;
	assert_int_equal(mamori_decider_new(p, &d, NULL), 0);
	solo = (struct thread_arg){ d, 99, 0 };
	decide_many(&solo);
	a = (struct thread_arg){ d, 99, 0 };
	b = (struct thread_arg){ d, 99, 0 };
	assert_int_equal(pthread_create(&ta, NULL, decide_many, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, decide_many, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(a.allows, solo.allows);
	assert_int_equal(b.allows, solo.allows);
	assert_true(solo.allows > 0);
	mamori_decider_free(&d);
	mamori_policy_free(&p);
}

static void
test_json(void **state)
{
	struct mamori_policy *p = load_fixture(NULL);
	struct mamori_decider *d = NULL;
	static const struct {
		const char *in, *prefix;
	} cases[] = {
		{ "{\"subject\":{\"roles\":[\"staff\"],\"department\":\"soumu\",\"terminal\":{\"segment\":\"lgwan\",\"issued\":true}},"
		  "\"action\":\"read\",\"resource\":{\"classification\":{\"confidentiality\":2},\"department\":\"soumu\",\"segment\":\"lgwan\"}}",
		  "{\"decision\":\"allow\",\"obligations\":[],\"reasons\":[]}" },
		{ "{\"subject\":{},\"action\":\"fly\",\"resource\":{}}", "{\"error\":{\"code\":\"invalid\",\"field\":\"action\"" },
		{ "{\"subject\":{\"roles\":[\"staff\"]},\"action\":\"read\",\"resource\":{},\"contxt\":{}}",
		  "{\"error\":{\"code\":\"invalid\",\"field\":\"contxt\"" },
		{ "{\"subject\":{\"mfa\":\"yes\"},\"action\":\"read\",\"resource\":{}}",
		  "{\"error\":{\"code\":\"invalid\",\"field\":\"subject.mfa\"" },
		{ "{\"subject\":{},\"action\":\"read\",\"resource\":{\"asset\":\"A-1\",\"segment\":\"lgwan\"}}",
		  "{\"error\":{\"code\":\"invalid\",\"field\":\"resource\"" },
		{ "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]", "{\"error\":{\"code\":\"malformed\"" },
		{ "{\"subject\":{\"id\":\"\xff\"},\"action\":\"read\",\"resource\":{}}", "{\"error\":{\"code\":\"malformed\"" },
		{ "{\"subject\":{},\"action\":\"read\",\"resource\":{\"classification\":{\"confidentiality\":2.5}}}",
		  "{\"error\":{\"code\":\"invalid\",\"field\":\"resource.classification.confidentiality\"" },
		{ "{\"subject\":{},\"action\":\"read\",\"resource\":{}}",
		  "{\"decision\":\"deny\",\"obligations\":[],\"reasons\":[{\"id\":\"no-role\"" },
	};

	(void)state;
	assert_int_equal(mamori_decider_new(p, &d, NULL), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = mamori_decide_json(d, cases[i].in, strlen(cases[i].in), 0, NULL);
		assert_non_null(s);
		if (strncmp(s, cases[i].prefix, strlen(cases[i].prefix)) != 0)
			fail_msg("case %zu: got %s", i, s);
		free(s);
	}
	char *s = mamori_decide_json(d, "nope", 4, 17, NULL);
	assert_non_null(strstr(s, "\"line\":17"));
	free(s);
	mamori_decider_free(&d);
	mamori_policy_free(&p);
}

/*
 * The terminal table: a look-up puts the register's segment, issued and MFA
 * into a prepared subject, and the answer is the one of the string path given
 * the same values; the first of two with one id wins; an unknown id changes
 * nothing; a request still naming a terminal id without a register is an
 * error naming subject.terminal.id.
 */
static void
test_terminal_table(void **state)
{
	struct mamori_policy *p = load_fixture(NULL);
	struct mamori_decider *d = NULL;
	struct mamori_terminal_table *t = NULL;
	struct mamori_decide_subject who, before;
	struct mamori_decide_resource res;
	struct mamori_decide_context ctx;
	struct mamori_decision a, b;
	char ids[200][16];
	struct mamori_decide_terminal terms[202];

	(void)state;
	assert_int_equal(mamori_decider_new(p, &d, NULL), 0);
	for (int i = 0; i < 200; i++) {
		snprintf(ids[i], sizeof(ids[i]), "PC-%04d", i);
		terms[i] = (struct mamori_decide_terminal){ ids[i], i % 3 == 0 ? "mynumber" : i % 3 == 1 ? "lgwan" :
			"internet", i % 2 == 0, i % 5 == 0 };
	}
	terms[200] = (struct mamori_decide_terminal){ "PC-0001", "internet", false, false };	/* a second PC-0001 */
	terms[201] = (struct mamori_decide_terminal){ "SRV-1", NULL, true, true };
	assert_int_equal(mamori_terminal_table_new(d, terms, 202, &t, NULL), 0);
	assert_null(mamori_terminal_table_find(t, "PC-9999"));
	assert_string_equal(mamori_terminal_table_find(t, "PC-0001")->segment, "lgwan");
	assert_null(mamori_terminal_table_find(t, "SRV-1")->segment);
	for (int i = 0; i < 200; i++) {
		struct mamori_decide_request r = base_request();
		r.action = MAMORI_ACT_READ;
		r.levels[0] = 3;
		r.resource_department = "soumu";
		r.resource_segment = "lgwan";
		assert_true(mamori_decide_prepare(d, &r, &who, &res, &ctx, &a));
		assert_true(mamori_terminal_table_apply(t, ids[i], &who));
		mamori_decide_prepared(d, &who, &res, &ctx, &a);
		r.terminal_segment = terms[i].segment;
		r.terminal_issued = terms[i].issued;
		r.mfa = terms[i].mfa;
		mamori_decide(d, &r, &b);
		assert_int_equal(a.allow, b.allow);
		assert_int_equal(a.nreasons, b.nreasons);
		assert_int_equal(a.nobligations, b.nobligations);
	}
	before = who;
	assert_false(mamori_terminal_table_apply(t, "PC-9999", &who));
	assert_memory_equal(&before, &who, sizeof(who));

	struct mamori_decide_request r = base_request();
	r.action = MAMORI_ACT_READ;
	r.terminal_id = "PC-0001";
	mamori_decide(d, &r, &a);
	assert_non_null(a.error);
	assert_string_equal(a.error_field, "subject.terminal.id");
	mamori_terminal_table_free(&t);
	assert_null(t);
	mamori_terminal_table_free(&t);
	mamori_decider_free(&d);
	mamori_policy_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_answers),
		cmocka_unit_test(test_segments_and_flows),
		cmocka_unit_test(test_unknown_ids_are_errors),
		cmocka_unit_test(test_assets),
		cmocka_unit_test(test_properties),
		cmocka_unit_test(test_no_allocation),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_prepared_same_answers),
		cmocka_unit_test(test_prepared_ranges),
		cmocka_unit_test(test_prepared_no_allocation),
		cmocka_unit_test(test_terminal_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
