/* test_report.c — the reports' model, the register report, and its XLSX read back with the project's reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "mamori/asset.h"
#include "mamori/diag.h"
#include "mamori/report.h"
#include "mamori/store.h"
#include "mamori/xlsx.h"

static struct mamori_store *
register_store(const char *name)
{
	struct mamori_store *s = fixture_store(name, SRCDIR "/policies/mic-standard.yaml");
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	size_t n = 0;

	assert_int_equal(mamori_asset_import(s, "test", SRCDIR "/examples/assets.csv", &(struct mamori_import_opts){ 0 },
	    &d, &n, &err), 0);
	assert_int_equal(n, 20);
	mamori_diags_clear(&d);
	return s;
}

/* A table's rows keep their cells; heat follows rows added before and after the first hot one. */
static void
test_model(void **state)
{
	struct mamori_report *r = mamori_report_new("表題", "〇〇町", "令和8年12月6日", false);
	const char *hdr[2] = { "A", "B" }, *row1[2] = { "x", NULL }, *row2[2] = { "y", "z" };
	const float heat[2] = { -1, 0.5f };
	size_t t;

	(void)state;
	assert_non_null(r);
	mamori_report_kv(r, "k1", "v1");
	mamori_report_kv(r, "k2", "v2");	/* the same KV block */
	t = mamori_report_table(r, 2, hdr, NULL, NULL);
	for (int i = 0; i < 40; i++)
		mamori_report_row(r, t, row1);
	mamori_report_row_heat(r, t, row2, heat);
	assert_false(r->nomem);
	assert_int_equal(r->nblocks, 2);
	assert_int_equal(r->blocks[0].table.nrows, 2);
	assert_int_equal(r->blocks[1].table.nrows, 41);
	assert_string_equal(r->blocks[1].table.cells[1], "");	/* NULL is empty */
	assert_string_equal(r->blocks[1].table.cells[40 * 2 + 1], "z");
	assert_true(r->blocks[1].table.heat[0] < 0);
	assert_true(r->blocks[1].table.heat[40 * 2 + 1] > 0.4f);
	mamori_report_free(&r);
	assert_null(r);
	mamori_report_free(&r);	/* NULL is fine */
}

/* The sheet named of the workbook at path as CSV text (the caller frees it). */
static char *
sheet_csv(const char *path, const char *sheet)
{
	FILE *f = fopen(path, "rb");
	char *book, *csv, msg[256];
	size_t len, csv_len;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = (size_t)ftell(f);
	rewind(f);
	book = malloc(len);
	assert_int_equal(fread(book, 1, len, f), len);
	fclose(f);
	csv = mamori_xlsx_sheet_csv(book, len, sheet, NULL, NULL, &csv_len, msg, sizeof(msg));
	if (csv == NULL)
		fail_msg("%s: %s", sheet, msg);
	free(book);
	return csv;
}

/* The register report: the summary by 課 and 機密性, then a section per 課 — as XLSX, read back. */
static void
test_register_xlsx(void **state)
{
	struct mamori_store *s = register_store("reg.db");
	struct mamori_report *r = NULL;
	struct mamori_error err = { 0 };
	char path[256], *csv;

	(void)state;
	assert_int_equal(mamori_report_register(s, NULL, NULL, "令和8年12月6日", &r, &err), 0);
	assert_true(r->landscape);
	fixture_path(path, sizeof(path), "reg.xlsx");
	assert_int_equal(mamori_report_xlsx(r, path, &err), 0);
	csv = sheet_csv(path, "税務課");
	/* the 課's title row, then its counts, then its ledger with the two 税務課 assets */
	assert_non_null(strstr(csv, "資産番号,資産名,種別,管理責任者,ネットワーク区分,保管場所,機密性,完全性,可用性,保存期間,状態"));
	assert_non_null(strstr(csv, "A-000003,個人住民税課税台帳,情報,情報セキュリティ管理者,マイナンバー利用事務系,本庁舎サーバ室,3,2,2,5年,使用中"));
	assert_non_null(strstr(csv, "A-000004,固定資産課税台帳"));
	assert_null(strstr(csv, "A-000001"));	/* 市民課's */
	free(csv);
	csv = sheet_csv(path, NULL);	/* the first sheet: the title, organisation, date and summary */
	assert_non_null(strstr(csv, "（標準）地方公共団体"));
	assert_non_null(strstr(csv, "令和8年12月6日"));
	assert_non_null(strstr(csv, "税務課,2,0,0,2"));
	assert_non_null(strstr(csv, "総務課,1,3,2,6"));
	free(csv);
	mamori_report_free(&r);
	mamori_store_close(&s);
}

/* The list's filters narrow the report: its subtitle names them, and only matching 課 have sections. */
static void
test_register_filter(void **state)
{
	struct mamori_store *s = register_store("filter.db");
	struct mamori_asset_filter f = { .department = "税務課" };
	struct mamori_report *r = NULL;
	struct mamori_error err = { 0 };
	size_t sections = 0;

	(void)state;
	assert_true(mamori_asset_filter_level(&f, 0, ">=3"));
	assert_int_equal(mamori_report_register(s, &f, NULL, "令和8年12月6日", &r, &err), 0);
	assert_non_null(r->subtitle);
	assert_non_null(strstr(r->subtitle, "税務課"));
	assert_non_null(strstr(r->subtitle, ">= 3"));
	for (size_t i = 0; i < r->nblocks; i++)
		if (r->blocks[i].type == MAMORI_RB_HEADING && r->blocks[i].level == 1) {
			sections++;
			assert_string_equal(r->blocks[i].text, "税務課");
		}
	assert_int_equal(sections, 1);
	mamori_report_free(&r);
	/* nothing matches: a paragraph says so */
	f = (struct mamori_asset_filter){ .department = "no-such" };
	assert_int_equal(mamori_report_register(s, &f, NULL, "令和8年12月6日", &r, &err), 0);
	assert_int_equal(r->blocks[r->nblocks - 1].type, MAMORI_RB_PARAGRAPH);
	mamori_report_free(&r);
	mamori_store_close(&s);
}

static bool
only_zeimu(const char *department, void *ctx)
{
	(void)ctx;
	return department != NULL && strcmp(department, "zeimu") == 0;
}

/* A scope (the server's: what the role may read) leaves out what it does not allow, counts too. */
static void
test_register_scope(void **state)
{
	struct mamori_store *s = register_store("scope.db");
	struct mamori_asset_scope scope = { only_zeimu, NULL };
	struct mamori_report *r = NULL;
	struct mamori_error err = { 0 };
	const struct mamori_report_table *summary;

	(void)state;
	assert_int_equal(mamori_report_register(s, NULL, &scope, "令和8年12月6日", &r, &err), 0);
	summary = &r->blocks[1].table;	/* after the summary's heading */
	assert_int_equal(summary->nrows, 2);	/* 税務課 and the total */
	assert_string_equal(summary->cells[0], "税務課");
	assert_string_equal(summary->cells[summary->ncols * 2 - 1], "2");
	mamori_report_free(&r);
	mamori_store_close(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_register_xlsx),
		cmocka_unit_test(test_register_filter),
		cmocka_unit_test(test_register_scope),
	};

	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
