/* test_asset.c — the register on a temporary store with the small policy of
 * tests/store/policy.yaml: checking and normalising, add / edit / get / list
 * with filters, disposal under 取扱制限, restrictions per axis, import (all or
 * nothing, ids, the bulk path) and export → import. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mamori/asset.h"
#include "mamori/audit.h"
#include "canon.h"
#include <sqlite3.h>
#include "fixture.h"

#define POLICY SRCDIR "/tests/store/policy.yaml"

/* The store's audit trail verifies: leaves, chain, tree, heads. */
static void
verify_trail(struct mamori_store *s)
{
	struct mamori_error err = { 0 };
	unsigned char pk[32];
	char pub[200], summary[256];

	snprintf(pub, sizeof(pub), "%s.pub", mamori_store_path(s));
	assert_int_equal(mamori_audit_read_pubkey(pub, pk, &err), 0);
	if (mamori_audit_verify(s, pk, NULL, 0, summary, sizeof(summary), &err) != 0)
		fail_msg("log verify: %s", err.message);
}

/* An asset from "name", kind, department, c, i, a (+ segment). */
static void
make(struct mamori_asset *a, const char *name, const char *kind, const char *dep, const char *c,
    const char *i, const char *av, const char *seg)
{
	memset(a, 0, sizeof(*a));
	mamori_asset_set(a, MAMORI_AF_NAME, name);
	mamori_asset_set(a, MAMORI_AF_KIND, kind);
	mamori_asset_set(a, MAMORI_AF_DEPARTMENT, dep);
	mamori_asset_set(a, MAMORI_AF_CONFIDENTIALITY, c);
	mamori_asset_set(a, MAMORI_AF_INTEGRITY, i);
	mamori_asset_set(a, MAMORI_AF_AVAILABILITY, av);
	mamori_asset_set(a, MAMORI_AF_SEGMENT, seg);
}

static bool
has_diag(const struct mamori_diags *d, const char *text)
{
	for (size_t i = 0; i < d->count; i++)
		if (strstr(d->items[i].message, text))
			return true;
	return false;
}

static void
test_check_normalises(void **state)
{
	struct mamori_store *s = fixture_store("check.db", POLICY);
	const struct mamori_policy *p = mamori_store_policy(s);
	struct mamori_diags d = { 0 };
	struct mamori_asset a;

	(void)state;
	make(&a, "課税台帳", "情報", "税務課", "機密性3", "２", "1", "情報系");
	mamori_asset_set(&a, MAMORI_AF_ROLE, "CISO");
	mamori_asset_set(&a, MAMORI_AF_ID, "A-12");
	mamori_asset_set(&a, MAMORI_AF_STATUS, "使用中");
	assert_int_equal(mamori_asset_check(p, &a, NULL, 0, &d), 0);
	assert_string_equal(a.f[MAMORI_AF_KIND], "information");
	assert_string_equal(a.f[MAMORI_AF_DEPARTMENT], "zeimu");
	assert_string_equal(a.f[MAMORI_AF_SEGMENT], "lgwan");
	assert_string_equal(a.f[MAMORI_AF_ROLE], "ciso");
	assert_string_equal(a.f[MAMORI_AF_CONFIDENTIALITY], "3");
	assert_string_equal(a.f[MAMORI_AF_INTEGRITY], "2");
	assert_string_equal(a.f[MAMORI_AF_ID], "A-000012");
	assert_string_equal(a.f[MAMORI_AF_STATUS], "active");
	mamori_asset_clear(&a);

	/* every problem, each with its row and column */
	make(&a, NULL, "disk", "秘書課", "4", "0", "x", "外部");
	mamori_asset_set(&a, MAMORI_AF_ID, "B-1");
	mamori_asset_set(&a, MAMORI_AF_STATUS, "lost");
	assert_int_equal(mamori_asset_check(p, &a, "f.csv", 7, &d), 9);
	assert_true(has_diag(&d, "f.csv: row 7, column 資産名: missing"));
	assert_true(has_diag(&d, "f.csv: row 7, column 種別: unknown kind 'disk'"));
	assert_true(has_diag(&d, "f.csv: row 7, column 所管課: unknown department '秘書課'"));
	assert_true(has_diag(&d, "f.csv: row 7, column 機密性: level '4' of 機密性 is out of range: use 1–3"));
	assert_true(has_diag(&d, "f.csv: row 7, column 完全性: level '0' of 完全性 is out of range: use 1–2"));
	assert_true(has_diag(&d, "f.csv: row 7, column 可用性: level 'x' of 可用性: use 1–2"));
	assert_true(has_diag(&d, "f.csv: row 7, column ネットワーク区分: unknown segment '外部'"));
	assert_true(has_diag(&d, "f.csv: row 7, column 資産番号: 'B-1' is not an asset id"));
	assert_true(has_diag(&d, "f.csv: row 7, column 状態: status 'lost'"));
	mamori_asset_clear(&a);
	mamori_diags_clear(&d);
	mamori_store_close(&s);
}

/*
 * Every field has its declared limit (issue 15 §16: a 15 MiB description was
 * taken): for each, a value one character over it is refused naming the column
 * and the limit, and one at the limit is not refused for its length.
 */
static void
test_every_field_limited(void **state)
{
	struct mamori_store *s = fixture_store("limits.db", POLICY);
	const struct mamori_policy *p = mamori_store_policy(s);

	(void)state;
	for (int k = 0; k < MAMORI_AF_COUNT; k++) {
		unsigned max = mamori_asset_field_max[k];
		char want[200], *v;
		struct mamori_diags d = { 0 };
		struct mamori_asset a;

		if (max == 0 || max > 100000)
			fail_msg("field %s has no limit", mamori_asset_columns[k].id);
		for (unsigned n = max; n <= max + 1; n++) {
			assert_non_null(v = malloc(3 * (size_t)n + 1));
			for (unsigned i = 0; i < n; i++)
				memcpy(v + 3 * i, "あ", 3);	/* characters, not bytes, are counted */
			v[3 * n] = '\0';
			make(&a, "課税台帳", "情報", "税務課", "2", "1", "1", "情報系");
			mamori_asset_set(&a, (enum mamori_asset_field)k, v);
			free(v);
			mamori_asset_check(p, &a, NULL, 0, &d);
			snprintf(want, sizeof(want), "%s (%s): longer than %u characters", mamori_asset_columns[k].ja,
			    mamori_asset_columns[k].id, max);
			if (has_diag(&d, want) != (n > max))
				fail_msg("field %s, %u characters: '%s' %s", mamori_asset_columns[k].id, n, want,
				    n > max ? "not said" : "said");
			mamori_asset_clear(&a);
			mamori_diags_clear(&d);
		}
	}
	mamori_store_close(&s);
}

static int
collect_ids(const struct mamori_asset *a, void *ctx)
{
	char *out = ctx;
	size_t n = strlen(out);

	snprintf(out + n, 512 - n, "%s%s", n ? "," : "", a->f[MAMORI_AF_ID]);
	return 0;
}

static char ids[512];

static const char *
list(struct mamori_store *s, const struct mamori_asset_filter *f)
{
	struct mamori_error err = { 0 };

	ids[0] = '\0';
	assert_int_equal(mamori_asset_list(s, f, collect_ids, ids, &err), 0);
	return ids;
}

static void
add(struct mamori_store *s, const char *name, const char *kind, const char *dep, const char *c,
    const char *i, const char *av, const char *seg, const char *location)
{
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	struct mamori_asset a;

	make(&a, name, kind, dep, c, i, av, seg);
	mamori_asset_set(&a, MAMORI_AF_LOCATION, location);
	if (mamori_asset_add(s, "test:unit", &a, &d, &err) != 0)
		fail_msg("add %s: %s", name, err.message);
	mamori_asset_clear(&a);
	mamori_diags_clear(&d);
}

static void
test_add_edit_list(void **state)
{
	struct mamori_store *s = fixture_store("list.db", POLICY);
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	struct mamori_asset a = { 0 }, ch = { 0 };
	struct mamori_asset_filter f;

	(void)state;
	add(s, "住民税台帳", "information", "zeimu", "3", "2", "2", "lgwan", "書庫");
	add(s, "例規集", "情報", "総務課", "1", "1", "1", "internet", "共有フォルダ");
	add(s, "100%_確認", "media", "soumu", "2", "1", "2", NULL, "金庫");
	assert_int_equal(mamori_asset_get(s, "A-000002", &a, &err), 0);
	assert_string_equal(a.f[MAMORI_AF_NAME], "例規集");
	assert_string_equal(a.f[MAMORI_AF_STATUS], "active");
	assert_non_null(a.f[MAMORI_AF_CREATED]);
	mamori_asset_clear(&a);
	assert_int_equal(mamori_asset_get(s, "A-000009", &a, &err), MAMORI_E_NOTFOUND);

	assert_string_equal(list(s, NULL), "A-000001,A-000002,A-000003");
	f = (struct mamori_asset_filter){ .department = "総務課" };
	assert_string_equal(list(s, &f), "A-000002,A-000003");
	f = (struct mamori_asset_filter){ .segment = "情報系" };
	assert_string_equal(list(s, &f), "A-000001");
	f = (struct mamori_asset_filter){ .kind = "電磁的記録媒体" };
	assert_string_equal(list(s, &f), "A-000003");
	f = (struct mamori_asset_filter){ 0 };
	assert_true(mamori_asset_filter_level(&f, 0, ">=2"));
	assert_string_equal(list(s, &f), "A-000001,A-000003");
	assert_true(mamori_asset_filter_level(&f, 2, "2"));
	f.department = "soumu";
	assert_string_equal(list(s, &f), "A-000003");
	f = (struct mamori_asset_filter){ 0 };
	assert_true(mamori_asset_filter_level(&f, 1, "<2"));
	assert_string_equal(list(s, &f), "A-000002,A-000003");
	assert_false(mamori_asset_filter_level(&f, 0, ">>2"));
	assert_false(mamori_asset_filter_level(&f, 0, "=0"));
	assert_false(mamori_asset_filter_level(&f, 0, ">=2; DROP TABLE asset"));
	/* text search on name, description and location; % and _ are literal */
	f = (struct mamori_asset_filter){ .text = "書庫" };
	assert_string_equal(list(s, &f), "A-000001");
	f = (struct mamori_asset_filter){ .text = "0%_" };
	assert_string_equal(list(s, &f), "A-000003");
	f = (struct mamori_asset_filter){ .text = "%" , .department = "zeimu" };
	assert_string_equal(list(s, &f), "");
	f = (struct mamori_asset_filter){ .department = "存在しない課" };
	assert_string_equal(list(s, &f), "");

	/* edit: titles accepted, checked, the id never changes, one event with before and after */
	mamori_asset_set(&ch, MAMORI_AF_CONFIDENTIALITY, "機密性2");
	mamori_asset_set(&ch, MAMORI_AF_DEPARTMENT, "税務課");
	assert_int_equal(mamori_asset_edit(s, "test:unit", "A-000002", &ch, &d, &err), 0);
	assert_int_equal(mamori_asset_get(s, "A-000002", &a, &err), 0);
	assert_string_equal(a.f[MAMORI_AF_CONFIDENTIALITY], "2");
	assert_string_equal(a.f[MAMORI_AF_DEPARTMENT], "zeimu");
	mamori_asset_clear(&a);
	assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM audit_event WHERE action = 'asset.edit' AND object_id = "
	    "'A-000002' AND body LIKE '{\"after\":{%\"confidentiality\":\"2\"%},\"before\":{%\"confidentiality\":\"1\"%}}'"), 1);
	mamori_asset_set(&ch, MAMORI_AF_CONFIDENTIALITY, "5");
	assert_int_equal(mamori_asset_edit(s, "test:unit", "A-000002", &ch, &d, &err), MAMORI_E_INVALID);
	mamori_asset_clear(&ch);
	mamori_asset_set(&ch, MAMORI_AF_ID, "A-000007");
	assert_int_equal(mamori_asset_edit(s, "test:unit", "A-000002", &ch, &d, &err), MAMORI_E_USAGE);
	assert_int_equal(mamori_asset_edit(s, "test:unit", "A-000099", &ch, &d, &err), MAMORI_E_NOTFOUND);
	mamori_asset_clear(&ch);

	/* a given id is kept; the next free one follows it; a taken id is refused */
	make(&a, "指定番号", "information", "soumu", "1", "1", "1", NULL);
	mamori_asset_set(&a, MAMORI_AF_ID, "A-40");
	assert_int_equal(mamori_asset_add(s, "test:unit", &a, &d, &err), 0);
	assert_string_equal(a.f[MAMORI_AF_ID], "A-000040");
	mamori_asset_clear(&a);
	make(&a, "次", "information", "soumu", "1", "1", "1", NULL);
	assert_int_equal(mamori_asset_add(s, "test:unit", &a, &d, &err), 0);
	assert_string_equal(a.f[MAMORI_AF_ID], "A-000041");
	mamori_asset_clear(&a);
	make(&a, "重複", "information", "soumu", "1", "1", "1", NULL);
	mamori_asset_set(&a, MAMORI_AF_ID, "A-000041");
	assert_int_equal(mamori_asset_add(s, "test:unit", &a, &d, &err), MAMORI_E_CONFLICT);
	mamori_asset_clear(&a);
	/* every add is one event */
	assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM audit_event WHERE action = 'asset.add'"), 5);
	mamori_diags_clear(&d);
	mamori_store_close(&s);
}

struct restr {
	char text[1024];
	size_t n;
};

static void
collect_restr(const struct mamori_axis *axis, const struct mamori_restriction *r, void *ctx)
{
	struct restr *x = ctx;

	x->n += (size_t)snprintf(x->text + x->n, sizeof(x->text) - x->n, "%s:%s[%s];", axis->id, r->id, r->clause);
}

static void
test_restrictions(void **state)
{
	struct mamori_store *s = fixture_store("restr.db", POLICY);
	struct mamori_asset a;
	struct restr x = { .n = 0 };

	(void)state;
	make(&a, "n", "information", "soumu", "3", "2", "2", NULL);
	mamori_asset_restrictions(mamori_store_policy(s), &a, collect_restr, &x);
	assert_string_equal(x.text, "confidentiality:no-excess-copies[対策基準 2(3)];confidentiality:irreversible-disposal"
	    "[対策基準 2(3)];integrity:backup[対策基準 2(5)];availability:timely-recovery[対策基準 2(7)];");
	mamori_asset_clear(&a);
	x.n = 0;
	x.text[0] = '\0';
	make(&a, "n", "information", "soumu", "1", "1", "1", NULL);
	mamori_asset_restrictions(mamori_store_policy(s), &a, collect_restr, &x);
	assert_string_equal(x.text, "");
	mamori_asset_clear(&a);
	mamori_store_close(&s);
}

static void
test_dispose(void **state)
{
	struct mamori_store *s = fixture_store("dispose.db", POLICY);
	struct mamori_error err = { 0 };
	struct mamori_asset a = { 0 };

	(void)state;
	add(s, "機密", "information", "soumu", "2", "1", "1", NULL, NULL);
	add(s, "公開", "information", "soumu", "1", "1", "1", NULL, NULL);
	/* 機密性2 carries irreversible-disposal: deletion is refused with the clause and wording */
	assert_int_equal(mamori_asset_dispose(s, "test:unit", "A-000001", "2026-11-01", "delete", "山田", NULL, &err),
	    MAMORI_E_DENIED);
	assert_non_null(strstr(err.message, "復元不可能な処理を施しての廃棄"));
	assert_non_null(strstr(err.message, "対策基準 2(2)"));
	assert_string_equal(err.clause, "対策基準 2(2)");
	assert_int_equal(mamori_asset_dispose(s, "test:unit", "A-000001", "2026-11-01", "discard", "山田", NULL, &err),
	    MAMORI_E_DENIED);
	assert_int_equal(mamori_asset_dispose(s, "test:unit", "A-000001", "2026-11-01", "melt", "山田", NULL, &err),
	    MAMORI_E_USAGE);
	assert_int_equal(mamori_asset_dispose(s, "test:unit", "A-000001", "2026-11-01", "shred", NULL, NULL, &err),
	    MAMORI_E_USAGE);
	assert_int_equal(mamori_asset_dispose(s, "test:unit", "A-000009", "2026-11-01", "shred", "山田", NULL, &err),
	    MAMORI_E_NOTFOUND);
	/* irreversible methods, by id or by their Japanese name */
	assert_int_equal(mamori_asset_dispose(s, "test:unit", "A-000001", "2026-11-01", "磁気消去", "山田", "佐藤", &err), 0);
	assert_int_equal(mamori_asset_get(s, "A-000001", &a, &err), 0);
	assert_string_equal(a.f[MAMORI_AF_STATUS], "disposed");
	assert_string_equal(a.f[MAMORI_AF_DISPOSED_METHOD], "degauss");
	assert_string_equal(a.f[MAMORI_AF_DISPOSED_DATE], "2026-11-01");
	assert_string_equal(a.f[MAMORI_AF_DISPOSED_BY], "山田");
	assert_string_equal(a.f[MAMORI_AF_DISPOSED_WITNESS], "佐藤");
	mamori_asset_clear(&a);
	assert_int_equal(mamori_asset_dispose(s, "test:unit", "A-000001", "2026-11-02", "shred", "山田", NULL, &err),
	    MAMORI_E_CONFLICT);
	/* 機密性1: nothing binds, deletion is fine */
	assert_int_equal(mamori_asset_dispose(s, "test:unit", "A-000002", "2026-11-01", "delete", "山田", NULL, &err), 0);
	assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM audit_event WHERE action = 'asset.dispose'"), 2);
	/* the vocabulary: every method is named in Japanese too, both kinds exist */
	size_t irreversible = 0;
	for (size_t i = 0; i < mamori_ndisposal_methods; i++) {
		assert_true(strlen(mamori_disposal_methods[i].ja) > 0);
		irreversible += mamori_disposal_methods[i].irreversible;
	}
	assert_true(irreversible > 0 && irreversible < mamori_ndisposal_methods);
	mamori_store_close(&s);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_import_all_or_nothing(void **state)
{
	struct mamori_store *s = fixture_store("imp.db", POLICY);
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	const struct mamori_import_opts dry = { .dry_run = true };
	char path[128];
	size_t n = 99;
	int64_t events;

	(void)state;
	add(s, "既存", "information", "soumu", "1", "1", "1", NULL, NULL);
	events = fixture_query_int(s, "SELECT count(*) FROM audit_event");
	snprintf(path, sizeof(path), "%s/bad.csv", fixture_dir);
	write_file(path, "資産番号,資産名,種別,所管課,機密性,完全性,可用性\n"
	    ",正しい行,情報,総務課,1,1,1\n"
	    ",悪い課,情報,秘書課,1,1,1\n"
	    "A-7,重複1,情報,総務課,1,1,1\n"
	    "A-000007,重複2,情報,総務課,1,1,1\n"
	    "A-1,既存と同じ,情報,総務課,1,1,1\n"
	    ",短い行,情報\n");
	assert_int_equal(mamori_asset_import(s, "test:unit", path, NULL, &d, &n, &err), MAMORI_E_INVALID);
	assert_int_equal(n, 0);
	assert_true(has_diag(&d, "bad.csv: row 3, column 所管課: unknown department"));
	assert_true(has_diag(&d, "bad.csv: row 5, column 資産番号: duplicate id A-000007 (row 4 has it too)"));
	assert_true(has_diag(&d, "bad.csv: row 6, column 資産番号: A-000001 is in the register already"));
	assert_true(has_diag(&d, "bad.csv: row 7: 3 fields where the header has 7"));
	assert_non_null(strstr(err.message, "nothing was imported"));
	assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM asset"), 1);
	assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM audit_event"), events);
	mamori_diags_clear(&d);

	/* a dry run reports the same and writes nothing either way */
	assert_int_equal(mamori_asset_import(s, "test:unit", path, &dry, &d, &n, &err), MAMORI_E_INVALID);
	assert_true(has_diag(&d, "A-000001 is in the register already"));
	mamori_diags_clear(&d);
	snprintf(path, sizeof(path), "%s/good.csv", fixture_dir);
	write_file(path, "name,kind,department,confidentiality,integrity,availability,description\n"
	    "一,information,soumu,1,1,1,\"改行\n入り\"\n二,information,zeimu,2,2,2,\n");
	assert_int_equal(mamori_asset_import(s, "test:unit", path, &dry, &d, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM asset"), 1);
	assert_int_equal(mamori_asset_import(s, "test:unit", path, NULL, &d, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(fixture_query_int(s, fixture_pg() ? "SELECT count(*) FROM asset WHERE description = '改行' || "
	    "chr(10) || '入り'" : "SELECT count(*) FROM asset WHERE description = '改行' || char(10) || '入り'"), 1);
	/* one event per asset, in the import's one transaction */
	assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM audit_event"), events + 2);
	/* headers: unknown, twice, required missing */
	snprintf(path, sizeof(path), "%s/hdr.csv", fixture_dir);
	write_file(path, "name,name,colour\nx,y,z\n");
	assert_int_equal(mamori_asset_import(s, "test:unit", path, NULL, &d, &n, &err), MAMORI_E_INVALID);
	assert_true(has_diag(&d, "row 1, column 2: 'name' appears twice"));
	assert_true(has_diag(&d, "row 1: not in the register, not imported: 'colour'"));
	assert_true(has_diag(&d, "the required column 所管課 (department) is missing"));
	mamori_diags_clear(&d);
	snprintf(path, sizeof(path), "%s/missing.csv", fixture_dir);
	assert_int_equal(mamori_asset_import(s, "test:unit", path, NULL, &d, &n, &err), MAMORI_E_IO);
	mamori_store_close(&s);
}

/* A scope for one department: what the server passes for a 税務課 member. */
static bool
zeimu_only(const char *department, void *ctx)
{
	(void)ctx;
	return department != NULL && strcmp(department, "zeimu") == 0;
}

static void
test_scoped_import_and_export(void **state)
{
	struct mamori_store *s = fixture_store("scope.db", POLICY);
	struct mamori_asset_scope scope = { zeimu_only, NULL };
	struct mamori_import_opts scoped = { .scope = &scope };
	struct mamori_asset_filter f = { .department = "zeimu" };
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	const char *mixed = "資産名,種別,所管課,機密性,完全性,可用性\n自課,情報,税務課,1,1,1\n他課,情報,総務課,1,1,1\n";
	const char *bad = "資産名,種別,所管課,機密性,完全性,可用性\n他課,情報,総務課,1,1,1\n壊れ,情報,税務課,9,1,1\n";
	char *buf = NULL;
	size_t n = 99, len = 0;
	FILE *out;

	(void)state;
	/* a row the scope refuses: DENIED, named by its row, nothing written */
	assert_int_equal(mamori_asset_import_buffer(s, "test:unit", "up.csv", mixed, strlen(mixed), &scoped,
	    &d, &n, &err), MAMORI_E_DENIED);
	assert_int_equal(n, 0);
	assert_int_equal(d.count, 1);
	assert_int_equal(d.items[0].line, 3);
	assert_true(has_diag(&d, "up.csv: row 3: you may not write assets of department 'soumu'"));
	assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM asset"), 0);
	mamori_diags_clear(&d);
	/* refused and invalid rows together: INVALID, both reported with their rows */
	assert_int_equal(mamori_asset_import_buffer(s, "test:unit", "up.csv", bad, strlen(bad), &scoped,
	    &d, &n, &err), MAMORI_E_INVALID);
	assert_int_equal(d.count, 2);
	assert_true(d.items[0].line == 2 && d.items[1].line == 3);
	mamori_diags_clear(&d);
	/* without a scope the same file imports */
	assert_int_equal(mamori_asset_import_buffer(s, "test:unit", "up.csv", mixed, strlen(mixed), NULL,
	    &d, &n, &err), 0);
	assert_int_equal(n, 2);
	/* the export shows only what the scope allows, and takes the list's filter */
	out = open_memstream(&buf, &len);
	assert_int_equal(mamori_asset_export_csv(s, out, &(struct mamori_export_opts){ .scope = &scope }, &err), 0);
	fclose(out);
	assert_non_null(strstr(buf, "自課"));
	assert_null(strstr(buf, "他課"));
	free(buf);
	buf = NULL;
	f.department = "soumu";
	out = open_memstream(&buf, &len);
	assert_int_equal(mamori_asset_export_csv(s, out, &(struct mamori_export_opts){ .filter = &f }, &err), 0);
	fclose(out);
	assert_null(strstr(buf, "自課"));
	assert_non_null(strstr(buf, "他課"));
	free(buf);
	mamori_store_close(&s);
}

static const char *const depts[] = { "総務課", "税務課" };

/* A register of n rows, CSV with Japanese headers. */
static void
write_register(const char *path, int n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	fputs("資産名,種別,所管課,ネットワーク区分,機密性,完全性,可用性,説明\r\n", f);
	for (int i = 0; i < n; i++)
		fprintf(f, "台帳%d,%s,%s,%s,%d,%d,%d,\"第%d号, \"\"写し\"\"\"\r\n", i, i % 2 ? "情報" : "media",
		    depts[i % 2], i % 3 ? "lgwan" : "", i % 3 + 1, i % 2 + 1, (i / 2) % 2 + 1, i);
	fclose(f);
}

/*
 * A connection of the test's own on s's file, read only: what only SQLite
 * can say (the schema, a plan) is read beside the store, not through it.
 */
static sqlite3 *
own_db(struct mamori_store *s)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open_v2(mamori_store_path(s), &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	return db;
}

static char *
schema_of(struct mamori_store *s)
{
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	char *v = NULL;

	if (fixture_pg()) {
		/* the store's index definitions, as a number (fixture_query_int reads numbers) */
		char buf[32];
		snprintf(buf, sizeof(buf), "%lld", (long long)fixture_query_int(s, "SELECT ('x' || substr(md5("
		    "string_agg(indexdef, ';' ORDER BY indexname)), 1, 15))::bit(60)::bigint FROM pg_indexes "
		    "WHERE schemaname = current_schema()"));
		return strdup(buf);
	}
	db = own_db(s);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT group_concat(sql, ';') FROM (SELECT sql FROM sqlite_master "
	    "WHERE type = 'index' AND sql IS NOT NULL ORDER BY name)", -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* The query plan of the list's inner query for a filter, as one line. */
static char *
query_plan(struct mamori_store *s, const char *where)
{
	sqlite3 *db = own_db(s);
	sqlite3_stmt *st = NULL;
	char sql[256], *plan = calloc(1, 1024);
	size_t n = 0;

	snprintf(sql, sizeof(sql), "EXPLAIN QUERY PLAN SELECT num FROM asset WHERE %s", where);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW && n < 1000)
		n += (size_t)snprintf(plan + n, 1024 - n, "%s;", (const char *)sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return plan;
}

static int
count_rows(const struct mamori_asset *a, void *ctx)
{
	(void)a;
	++*(size_t *)ctx;
	return 0;
}

static void
test_bulk_import_and_round_trip(void **state)
{
	struct mamori_store *s = fixture_store("bulk.db", POLICY), *t = fixture_store("copy.db", POLICY);
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	struct mamori_asset_filter f = { .department = "税務課" };
	char path[128], out1[128], out2[128], cmd[400];
	char *before = schema_of(s), *after;
	size_t n = 0;
	FILE *o;

	(void)state;
	snprintf(path, sizeof(path), "%s/bulk.csv", fixture_dir);
	write_register(path, 12000);	/* above the bulk threshold: indexes dropped and rebuilt */
	assert_int_equal(mamori_asset_import(s, "test:unit", path, NULL, &d, &n, &err), 0);
	assert_int_equal(n, 12000);
	after = schema_of(s);
	assert_string_equal(before, after);	/* the same indexes as a new store */
	free(before);
	free(after);
	assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM audit_event WHERE action = 'asset.add'"), 12000);
	verify_trail(s);	/* the leaves and chain hashed on the import's second thread */
	/* with the statistics the import gathered, a selective filter that does not
	 * name the department is answered from the one index too, skipping through
	 * the departments (ANY(department)), not by reading the table (with a
	 * sampled statistic SQLite scans the table here) */
	{
		static const char *const filters[] = {
			"department = 'zeimu' AND c >= 2", "segment = 'lgwan' AND c = 3",
			"segment = 'lgwan' AND c = 1 AND i = 2 AND a = 1",
		};
		/* SQLite's planner and its plans: PostgreSQL's planner chooses its own */
		for (size_t q = 0; q < sizeof(filters) / sizeof(filters[0]) && !fixture_pg(); q++) {
			char *plan = query_plan(s, filters[q]);
			if (strstr(plan, "SEARCH asset USING COVERING INDEX asset_department (") == NULL ||
			    (q > 0 && strstr(plan, "(ANY(department)") == NULL))
				fail_msg("%s: %s", filters[q], plan);
			free(plan);
		}
	}
	assert_true(mamori_asset_filter_level(&f, 0, ">=3"));
	n = 0;
	assert_int_equal(mamori_asset_list(s, &f, count_rows, &n, &err), 0);
	assert_int_equal(n, (size_t)fixture_query_int(s, "SELECT count(*) FROM asset WHERE department = 'zeimu' AND c >= 3"));
	assert_true(n > 1000);
	mamori_asset_dispose(s, "test:unit", "A-000002", "2026-11-01", "shred", "山田", "佐藤", &err);

	/* export → import into a new store → export: the same bytes */
	snprintf(out1, sizeof(out1), "%s/out1.csv", fixture_dir);
	snprintf(out2, sizeof(out2), "%s/out2.csv", fixture_dir);
	o = fopen(out1, "wb");
	assert_int_equal(mamori_asset_export_csv(s, o, NULL, &err), 0);
	fclose(o);
	assert_int_equal(mamori_asset_import(t, "test:unit", out1, NULL, &d, &n, &err), 0);
	assert_int_equal(n, 12000);
	o = fopen(out2, "wb");
	assert_int_equal(mamori_asset_export_csv(t, o, NULL, &err), 0);
	fclose(o);
	snprintf(cmd, sizeof(cmd), "cmp -s %s %s", out1, out2);
	assert_int_equal(system(cmd), 0);
	mamori_diags_clear(&d);
	mamori_store_close(&s);
	mamori_store_close(&t);
}

/* The ids a list gives, joined by spaces. */
struct id_list {
	char *text;
	size_t len, n;
};

static int
collect_id(const struct mamori_asset *a, void *ctx)
{
	struct id_list *l = ctx;
	size_t add = strlen(a->f[MAMORI_AF_ID]) + 1;

	l->text = realloc(l->text, l->len + add + 1);
	assert_non_null(l->text);
	snprintf(l->text + l->len, add + 1, "%s ", a->f[MAMORI_AF_ID]);
	l->len += add;
	l->n++;
	return 0;
}

/* The cells mamori_asset_count_by reports: [department 0 / 1][level 0–3]. */
struct cells {
	int64_t n[2][4];
	int calls;
};

static int
add_cell(const char *department, int level, int64_t n, void *arg)
{
	struct cells *c = arg;
	int d = strcmp(department, "zeimu") == 0 ? 0 : strcmp(department, "soumu") == 0 ? 1 : -1;

	assert_true(d >= 0 && level >= 0 && level <= 3);
	assert_int_equal(c->n[d][level], 0);	/* each pair once */
	c->n[d][level] = n;
	c->calls++;
	return 0;
}

/*
 * The counts of 課 × level in one query agree with a count of each cell;
 * a filter narrows them; by department alone the level is 0.
 */
static void
test_count_by(void **state)
{
	struct mamori_store *s = fixture_store("countby.db", POLICY);
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	struct cells all = { 0 }, some = { 0 }, deps = { 0 };
	struct mamori_asset_filter f = { 0 }, active = { .kind = "情報" };
	char path[128];
	size_t n = 0;

	(void)state;
	fixture_path(path, sizeof(path), "countby.csv");
	write_register(path, 600);
	assert_int_equal(mamori_asset_import(s, "test:unit", path, NULL, &d, &n, &err), 0);
	assert_int_equal(mamori_asset_count_by(s, &f, 0, add_cell, &all, &err), 0);
	assert_int_equal(all.calls, 6);		/* two departments × three levels */
	for (int k = 0; k < 2; k++)
		for (int l = 1; l <= 3; l++) {
			struct mamori_asset_filter cell = { .department = k ? "soumu" : "zeimu" };
			char level[2] = { (char)('0' + l), '\0' };
			int64_t want = -1;
			assert_true(mamori_asset_filter_level(&cell, 0, level));
			assert_int_equal(mamori_asset_count(s, &cell, &want, &err), 0);
			assert_int_equal(all.n[k][l], want);
		}
	/* 完全性, of the 種別 情報 only: the odd rows, all of 完全性 2 */
	assert_int_equal(mamori_asset_count_by(s, &active, 1, add_cell, &some, &err), 0);
	assert_int_equal(some.n[0][2] + some.n[1][2], 300);
	assert_int_equal(some.n[0][1] + some.n[1][1], 0);
	assert_int_equal(mamori_asset_count_by(s, &f, -1, add_cell, &deps, &err), 0);
	assert_int_equal(deps.calls, 2);
	assert_int_equal(deps.n[0][0] + deps.n[1][0], 600);
	mamori_store_close(&s);
	mamori_diags_clear(&d);
}

/*
 * Keyset pages, walked page by page with `after`, give exactly the whole
 * list, in order, with the same total on every page — for page sizes that
 * read the register in id order (many matches, small pages) and that collect
 * the ids from the index (few matches, large pages), with and without a
 * filter, and for a filter that matches nothing.
 */
static void
test_list_pages(void **state)
{
	struct mamori_store *s = fixture_store("pages.db", POLICY);
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	struct mamori_asset_filter filters[4] = { { .department = "税務課" }, { .department = "総務課" }, { 0 },
		{ .department = "情報政策課" } };
	char path[128];
	size_t n = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/pages.csv", fixture_dir);
	write_register(path, 12000);
	assert_int_equal(mamori_asset_import(s, "test:unit", path, NULL, &d, &n, &err), 0);
	assert_true(mamori_asset_filter_level(&filters[1], 0, "3"));	/* 総務課, 機密性 3: 2,000 assets */
	assert_true(mamori_asset_filter_level(&filters[1], 1, "2"));
	for (size_t k = 0; k < 4; k++) {
		static const size_t sizes[] = { 7, 1000, 5000 };
		struct id_list whole = { 0 };
		assert_int_equal(mamori_asset_list(s, &filters[k], collect_id, &whole, &err), 0);
		for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
			struct mamori_asset_filter f = filters[k];
			struct mamori_asset_page page;
			struct id_list pages = { 0 };
			char last[32] = "";
			size_t npages = 0;
			f.limit = sizes[z];
			do {
				size_t before = pages.n;
				f.after = last[0] ? last : NULL;
				assert_int_equal(mamori_asset_page(s, &f, collect_id, &pages, &page, &err), 0);
				assert_int_equal(page.total, (int64_t)whole.n);
				assert_true(pages.n - before <= sizes[z]);
				assert_true(!page.more || pages.n - before == sizes[z]);
				if (pages.n > before)	/* the last id of this page */
					sscanf(strrchr(pages.text, ' ') - 8, "%8s", last);
				npages++;
			} while (page.more);
			assert_int_equal(pages.n, whole.n);
			assert_int_equal(npages, whole.n == 0 ? 1 : (whole.n + sizes[z] - 1) / sizes[z]);
			if (whole.n > 0)
				assert_string_equal(pages.text, whole.text);
			free(pages.text);
		}
		if (k == 3)
			assert_int_equal(whole.n, 0);
		free(whole.text);
	}
	/* a page after an id the register does not hold */
	filters[0].limit = 10;
	filters[0].after = "A-999999";
	{
		struct mamori_asset_page page;
		assert_int_equal(mamori_asset_page(s, &filters[0], count_rows, &n, &page, &err), MAMORI_E_NOTFOUND);
		assert_non_null(strstr(err.message, "A-999999"));
	}
	mamori_store_close(&s);
	mamori_diags_clear(&d);
}

/*
 * The head signed after a bulk import comes from the frontier the import's
 * second thread built (no event is read back): it must be the head of the
 * whole trail — events before the import that no head covered included —
 * and verify against the tree recomputed from every event.  A store whose
 * key cannot be read still imports; its head is then left unsigned.
 */
static void
test_bulk_import_head(void **state)
{
	struct mamori_store *s = fixture_store("bulkhead.db", POLICY);
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	struct mamori_head h;
	struct mamori_asset a;
	char path[128], key[160], moved[170];
	size_t n = 0;

	(void)state;
	for (int k = 0; k < 3; k++) {	/* events 2–4, after the head of size 1 made at init */
		make(&a, "前の資産", "information", "zeimu", "2", "2", "2", NULL);
		assert_int_equal(mamori_asset_add(s, "test:unit", &a, &d, &err), 0);
		mamori_asset_clear(&a);
	}
	snprintf(path, sizeof(path), "%s/bulkhead.csv", fixture_dir);
	write_register(path, 12000);
	assert_int_equal(mamori_asset_import(s, "test:unit", path, NULL, &d, &n, &err), 0);
	assert_int_equal(mamori_audit_latest_head(s, &h, &err), 0);
	assert_int_equal(h.size, 12004);
	verify_trail(s);

	mamori_store_close(&s);

	/* without the key: imported all the same, the head left for later */
	s = fixture_store("nokey.db", POLICY);
	snprintf(key, sizeof(key), "%s.key", mamori_store_path(s));
	snprintf(moved, sizeof(moved), "%s.away", key);
	assert_int_equal(rename(key, moved), 0);
	assert_int_equal(mamori_asset_import(s, "test:unit", path, NULL, &d, &n, &err), 0);
	assert_int_equal(n, 12000);
	assert_int_equal(mamori_audit_latest_head(s, &h, &err), 0);
	assert_int_equal(h.size, 1);
	assert_int_equal(rename(moved, key), 0);
	assert_int_equal(mamori_audit_sign_head(s, &h, &err), 0);
	assert_int_equal(h.size, 12001);
	verify_trail(s);
	mamori_store_close(&s);
	mamori_diags_clear(&d);
}

/* The store whose events check_body reads, and how many bodies it checked. */
struct bodies {
	struct mamori_store *s;
	size_t n;
};

/*
 * An asset's event: its body is canonical JSON, and the asset as it is now
 * equals the after of its last event.
 */
static int
check_body(const struct mamori_event *ev, void *ctx)
{
	struct bodies *x = ctx;
	struct mamori_error err = { 0 };
	struct mamori_asset a = { 0 };
	const char *id = ev->object_id, *body = ev->body;
	cJSON *v, *after;
	char *again;

	if (strcmp(ev->object_type, "asset") != 0)
		return 0;
	v = cJSON_Parse(body);
	assert_non_null(v);
	again = mamori_canon_json(v);
	assert_string_equal(again, body);
	free(again);
	after = cJSON_GetObjectItemCaseSensitive(v, "after");
	assert_int_equal(mamori_asset_get(x->s, id, &a, &err), 0);
	for (int k = 0; k < MAMORI_AF_COUNT; k++) {
		cJSON *f = cJSON_GetObjectItemCaseSensitive(after, mamori_asset_columns[k].id);
		const char *now = a.f[k] && a.f[k][0] ? a.f[k] : NULL;
		if (strcmp(id, "A-000005") == 0 && strstr(body, "\"before\":null") != NULL)
			continue;	/* edited later */
		if (strcmp(id, "A-000006") == 0 && strstr(body, "\"before\":null") != NULL)
			continue;	/* disposed later */
		if (now == NULL)
			assert_null(f);
		else
			assert_string_equal(cJSON_GetStringValue(f), now);
	}
	mamori_asset_clear(&a);
	cJSON_Delete(v);
	x->n++;
	return 0;
}

/*
 * Every body the register writes (import, add, edit, dispose) is canonical
 * JSON — re-printing its parsed self canonically gives the same bytes — and
 * its last "after" is exactly the stored asset.  Values carry what JSON must
 * escape: quotes, backslashes, controls, line breaks.
 */
static void
test_audit_bodies(void **state)
{
	struct mamori_store *s = fixture_store("bodies.db", POLICY);
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	struct mamori_asset a = { 0 }, ch = { 0 };
	struct bodies bodies = { s, 0 };
	char path[128];
	size_t n = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/esc.csv", fixture_dir);
	write_file(path, "資産番号,資産名,種別,所管課,機密性,完全性,可用性,説明,保管場所,保存期間\n"
	    "A-5,\"引用\"\"符\"\" \\ 逆斜線\",情報,総務課,2,1,1,\"タブ\t改行\r\n制御\x01\x1f終わり\",\"棚, 3段目\",5年\n"
	    ",Ｚ全角　名前,media,soumu,1,1,1,,,\n");
	assert_int_equal(mamori_asset_import(s, "test:unit", path, NULL, &d, &n, &err), 0);
	assert_int_equal(n, 2);
	make(&a, "追加/\\", "information", "zeimu", "3", "2", "2", "lgwan");
	assert_int_equal(mamori_asset_add(s, "test:unit", &a, &d, &err), 0);
	assert_string_equal(a.f[MAMORI_AF_ID], "A-000007");	/* after the imported A-000005, A-000006 */
	mamori_asset_clear(&a);
	mamori_asset_set(&ch, MAMORI_AF_LOCATION, "新しい\"場所\"");
	assert_int_equal(mamori_asset_edit(s, "test:unit", "A-000005", &ch, &d, &err), 0);
	mamori_asset_clear(&ch);
	assert_int_equal(mamori_asset_dispose(s, "test:unit", "A-000006", "2026-11-01", "delete", "山田\t", NULL, &err), 0);

	assert_int_equal(mamori_audit_events(s, NULL, check_body, &bodies, &err), 0);
	assert_int_equal(bodies.n, 5);
	verify_trail(s);
	/* the status filter, in English or Japanese */
	{
		struct mamori_asset_filter f = { .status = "disposed" };
		assert_string_equal(list(s, &f), "A-000006");
		f.status = "廃棄済";
		assert_string_equal(list(s, &f), "A-000006");
		f.status = "使用中";
		assert_string_equal(list(s, &f), "A-000005,A-000007");
		f.status = "lost";
		assert_string_equal(list(s, &f), "");
	}
	/* a given id lower than the register's highest: the next free id is still max + 1 */
	snprintf(path, sizeof(path), "%s/low.csv", fixture_dir);
	write_file(path, "資産番号,資産名,種別,所管課,機密性,完全性,可用性\nA-3,低い番号,情報,総務課,1,1,1\n,次,情報,総務課,1,1,1\n");
	assert_int_equal(mamori_asset_import(s, "test:unit", path, NULL, &d, &n, &err), 0);
	assert_int_equal(fixture_query_int(s, "SELECT num FROM asset WHERE name = '次'"), 8);
	verify_trail(s);
	/* the imported values arrived intact */
	assert_int_equal(mamori_asset_get(s, "A-000005", &a, &err), 0);
	assert_string_equal(a.f[MAMORI_AF_NAME], "引用\"符\" \\ 逆斜線");
	assert_string_equal(a.f[MAMORI_AF_DESCRIPTION], "タブ\t改行\r\n制御\x01\x1f終わり");
	mamori_asset_clear(&a);
	mamori_diags_clear(&d);
	mamori_store_close(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_normalises),
		cmocka_unit_test(test_every_field_limited),
		cmocka_unit_test(test_add_edit_list),
		cmocka_unit_test(test_restrictions),
		cmocka_unit_test(test_dispose),
		cmocka_unit_test(test_import_all_or_nothing),
		cmocka_unit_test(test_scoped_import_and_export),
		cmocka_unit_test(test_bulk_import_and_round_trip),
		cmocka_unit_test(test_bulk_import_head),
		cmocka_unit_test(test_list_pages),
		cmocka_unit_test(test_count_by),
		cmocka_unit_test(test_audit_bodies),
	};
	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
