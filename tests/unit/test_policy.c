/* test_policy.c — unit tests for the policy loader and its validation rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mamori/policy.h"

/* A minimal valid policy; tests append or replace parts of it. */
static const char minimal[] =
    "mamori-policy: 1\n"
    "id: t\n"
    "title: テスト\n"
    "version: \"1\"\n"
    "organisation:\n"
    "  name: テスト市\n"
    "  clause: 基本方針 4\n"
    "  bodies: [{id: internal, title: 内部部局, clause: 基本方針 4(1)}]\n"
    "  departments: [{id: soumu, title: 総務課}]\n"
    "roles:\n"
    "  - {id: ciso, title: 最高情報セキュリティ責任者, clause: c}\n"
    "  - {id: staff, title: 職員等, reports_to: ciso, clause: c}\n"
    "classification:\n"
    "  axes:\n"
    "    - id: confidentiality\n"
    "      title: 機密性\n"
    "      clause: c\n"
    "      levels:\n"
    "        - {level: 2, title: 機密性2, criteria: x, clause: c,\n"
    "           restrictions: [{id: encrypt-in-transit, text: 暗号化, clause: c}]}\n"
    "        - {level: 1, title: 機密性1, criteria: y, clause: c}\n"
    "asset_kinds: [{id: media, title: 電磁的記録媒体, clause: c}]\n"
    "segments:\n"
    "  - {id: lgwan, title: LGWAN接続系, aliases: [情報系], clause: c}\n"
    "  - {id: internet, title: インターネット接続系, clause: c}\n"
    "flows:\n"
    "  - {from: internet, to: lgwan, channel: mail, sanitization: mail-text, clause: c}\n"
    "threats: [{id: intentional, text: x, clause: c}]\n"
    "measures: [{id: organisation, title: 組織体制, clause: c}]\n";

static int
load(const char *yaml, struct mamori_diags *d, struct mamori_policy **p)
{
	return mamori_policy_load_buffer("t.yaml", yaml, strlen(yaml), d, p);
}

static bool
has_diag(const struct mamori_diags *d, int line, const char *needle)
{
	for (size_t i = 0; i < d->count; i++)
		if ((line == 0 || d->items[i].line == line) && strstr(d->items[i].message, needle))
			return true;
	for (size_t i = 0; i < d->count; i++)
		fprintf(stderr, "  diag %d:%d %s\n", d->items[i].line, d->items[i].column,
		    d->items[i].message);
	return false;
}

static void
test_minimal_loads(void **state)
{
	struct mamori_diags d = { 0 };
	struct mamori_policy *p = NULL;

	(void)state;
	assert_int_equal(load(minimal, &d, &p), 0);
	assert_non_null(p);
	assert_int_equal(d.errors, 0);
	assert_string_equal(p->id, "t");
	assert_int_equal(p->nroles, 2);
	assert_non_null(mamori_policy_role(p, "staff"));
	assert_null(mamori_policy_role(p, "nobody"));
	const struct mamori_axis *c = mamori_policy_axis(p, "confidentiality");
	assert_non_null(c);
	assert_int_equal(mamori_policy_level(c, 2)->nrestrictions, 1);
	assert_non_null(mamori_policy_flow(p, "internet", "lgwan", "mail"));
	assert_null(mamori_policy_flow(p, "lgwan", "internet", "mail"));
	mamori_policy_free(&p);
	assert_null(p);
	mamori_diags_clear(&d);
}

static void
test_find_by_title(void **state)
{
	struct mamori_diags d = { 0 };
	struct mamori_policy *p = NULL;

	(void)state;
	assert_int_equal(load(minimal, &d, &p), 0);
	assert_string_equal(mamori_policy_find_segment(p, "ＬＧＷＡＮ接続系")->id, "lgwan");
	assert_string_equal(mamori_policy_find_segment(p, "情報系")->id, "lgwan");
	assert_string_equal(mamori_policy_find_segment(p, "LGWAN 接続系")->id, "lgwan");
	assert_string_equal(mamori_policy_find_department(p, "総務課")->id, "soumu");
	assert_string_equal(mamori_policy_find_department(p, "SOUMU")->id, "soumu");
	assert_null(mamori_policy_find_department(p, "市民課"));
	mamori_policy_free(&p);
	mamori_diags_clear(&d);
}

/* Replaces the first occurrence of from in minimal by to, then loads. */
static int load_edit(const char *from, const char *to, struct mamori_diags *d, struct mamori_policy **p);

/* mail_domains: the longest matching parent domain wins, "*" takes the rest. */
static void
test_mail_segment(void **state)
{
	struct mamori_diags d = { 0 };
	struct mamori_policy *p = NULL;

	(void)state;
	assert_int_equal(load_edit("aliases: [情報系], clause: c}",
	    "aliases: [情報系], clause: c, mail_domains: [lgwan.jp, lgwan.city.example.lg.jp]}\n"
	    "  - {id: dmz, title: DMZ, clause: c, mail_domains: [city.example.lg.jp]}\n"
	    "  - {id: other, title: 他, clause: c, mail_domains: [\"*\"]}", &d, &p), 0);
	assert_string_equal(mamori_policy_mail_segment(p, "lgwan.jp")->id, "lgwan");
	assert_string_equal(mamori_policy_mail_segment(p, "City.Mutsu.Aomori.LGWAN.jp.")->id, "lgwan");
	assert_string_equal(mamori_policy_mail_segment(p, "city.example.lg.jp")->id, "dmz");
	assert_string_equal(mamori_policy_mail_segment(p, "mail.city.example.lg.jp")->id, "dmz");
	/* the longer entry under the shorter one's domain */
	assert_string_equal(mamori_policy_mail_segment(p, "lgwan.city.example.lg.jp")->id, "lgwan");
	assert_string_equal(mamori_policy_mail_segment(p, "x.lgwan.city.example.lg.jp")->id, "lgwan");
	/* a label boundary, not a string suffix */
	assert_string_equal(mamori_policy_mail_segment(p, "notlgwan.jp")->id, "other");
	assert_string_equal(mamori_policy_mail_segment(p, "example.com")->id, "other");
	assert_null(mamori_policy_mail_segment(p, ""));
	mamori_policy_free(&p);
	mamori_diags_clear(&d);
	/* without "*", an unnamed domain is in no segment */
	assert_int_equal(load_edit("aliases: [情報系], clause: c}",
	    "aliases: [情報系], clause: c, mail_domains: [lgwan.jp]}", &d, &p), 0);
	assert_null(mamori_policy_mail_segment(p, "example.com"));
	assert_null(mamori_policy_mail_segment(p, "jp"));
	mamori_policy_free(&p);
	mamori_diags_clear(&d);
}

static int
load_edit(const char *from, const char *to, struct mamori_diags *d, struct mamori_policy **p)
{
	char buf[8192];
	const char *at = strstr(minimal, from);

	assert_non_null(at);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - minimal), minimal, to, at + strlen(from));
	return load(buf, d, p);
}

struct rule_case {
	const char *from, *to;
	int line;
	const char *message;
};

static void
test_rules(void **state)
{
	static const struct rule_case cases[] = {
		{ "title: テスト\n", "titel: テスト\n", 3, "did you mean 'title'" },
		{ "title: テスト\n", "", 1, "missing required key 'title'" },
		{ "mamori-policy: 1", "mamori-policy: 2", 1, "unsupported format version" },
		{ "mamori-policy: 1", "mamori-policy: one", 1, "must be an integer" },
		{ "id: t\n", "id: T_x\n", 2, "must be an id" },
		{ "reports_to: ciso", "reports_to: cisco", 12, "unknown role 'cisco'; did you mean 'ciso'" },
		{ "reports_to: ciso", "reports_to: staff", 12, "reports to itself" },
		{ "{id: staff,", "{id: ciso,", 12, "duplicate role 'ciso'" },
		{ "level: 1,", "level: 3,", 21, "levels are out of order" },
		{ "id: encrypt-in-transit", "id: encrypt", 20, "unknown restriction id 'encrypt'" },
		{ "to: lgwan", "to: lgwam", 27, "unknown segment 'lgwam'; did you mean 'lgwan'" },
		{ "from: internet, to: lgwan", "from: lgwan, to: lgwan", 27, "two different segments" },
		{ "channel: mail", "channel: email", 27, "unknown channel id 'email'" },
		{ "sanitization: mail-text", "sanitization: text", 27, "unknown sanitization id" },
		{ "asset_kinds: [{id: media, title: 電磁的記録媒体, clause: c}]\n", "", 0, "has no 'asset_kinds'" },
		{ "roles:\n", "roles: 5\nx:\n", 10, "'roles' must be a list" },
		{ "threats: [{id: intentional, text: x, clause: c}]",
		  "threats: [{id: intentional, text: x, clause: c}, {id: intentional, text: y, clause: c}]",
		  28, "duplicate threat 'intentional'" },
		{ "  departments: [{id: soumu, title: 総務課}]", "  departments: [{id: soumu, title: 総務課, body: nobody}]",
		  9, "unknown body 'nobody'" },
		{ "aliases: [情報系]", "aliases: 情報系", 24, "'aliases' must be a list" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mamori_diags d = { 0 };
		struct mamori_policy *p = NULL;
		int rc = load_edit(cases[i].from, cases[i].to, &d, &p);
		if (rc != MAMORI_E_INVALID || !has_diag(&d, cases[i].line, cases[i].message))
			fail_msg("case %zu: rc %d, expected diagnostic at line %d: %s", i, rc,
			    cases[i].line, cases[i].message);
		assert_null(p);
		mamori_diags_clear(&d);
	}
}

static void
test_reports_to_cycle(void **state)
{
	struct mamori_diags d = { 0 };
	struct mamori_policy *p = NULL;

	(void)state;
	assert_int_equal(load_edit("{id: ciso, title: 最高情報セキュリティ責任者, clause: c}",
	    "{id: ciso, title: 最高情報セキュリティ責任者, reports_to: staff, clause: c}", &d, &p),
	    MAMORI_E_INVALID);
	assert_true(has_diag(&d, 0, "'reports_to' makes a cycle: ciso → staff → ciso"));
	mamori_diags_clear(&d);
}

static void
test_syntax_and_utf8(void **state)
{
	struct mamori_diags d = { 0 };
	struct mamori_policy *p = NULL;

	(void)state;
	assert_int_equal(load("a: [1\nb: 2\n", &d, &p), MAMORI_E_INVALID);
	assert_true(has_diag(&d, 3, "YAML syntax"));
	assert_int_equal(d.errors, 1);
	mamori_diags_clear(&d);
	assert_int_equal(load("id: x\ntitle: \x93\xfa\x96\x7b\n", &d, &p), MAMORI_E_INVALID);
	assert_true(has_diag(&d, 2, "invalid UTF-8"));
	assert_int_equal(d.items[0].column, 8);
	mamori_diags_clear(&d);
	assert_int_equal(load("", &d, &p), MAMORI_E_INVALID);
	assert_true(has_diag(&d, 1, "empty"));
	mamori_diags_clear(&d);
	assert_int_equal(load("- a\n- b\n", &d, &p), MAMORI_E_INVALID);
	assert_true(has_diag(&d, 1, "must be a mapping"));
	mamori_diags_clear(&d);
	assert_int_equal(load("id: &x t\ntitle: *x\n", &d, &p), MAMORI_E_INVALID);
	assert_true(has_diag(&d, 2, "aliases are not allowed"));
	mamori_diags_clear(&d);
}

static void
test_json_round_trip(void **state)
{
	struct mamori_diags d = { 0 };
	struct mamori_policy *p = NULL, *q = NULL;
	char *a, *b;

	(void)state;
	assert_int_equal(load(minimal, &d, &p), 0);
	a = mamori_policy_to_json(p, false);
	assert_non_null(a);
	assert_int_equal(mamori_policy_load_buffer("t.json", a, strlen(a), &d, &q), 0);
	b = mamori_policy_to_json(q, false);
	assert_string_equal(a, b);
	free(a);
	free(b);
	mamori_policy_free(&p);
	mamori_policy_free(&q);
	mamori_diags_clear(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_loads),
		cmocka_unit_test(test_find_by_title),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_reports_to_cycle),
		cmocka_unit_test(test_syntax_and_utf8),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_mail_segment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
