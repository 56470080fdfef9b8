/* test_render.c — mamori_policy_render: what the CLI test cannot see (the
 * library's own write-error status, formats given out of range). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mamori/policy.h"

static struct mamori_policy *
load_fixture(const char *name)
{
	struct mamori_diags d = { 0 };
	struct mamori_policy *p = NULL;
	char path[512];

	snprintf(path, sizeof(path), "%s/tests/render/%s", SRCDIR, name);
	assert_int_equal(mamori_policy_load(path, &d, &p), 0);
	mamori_diags_clear(&d);
	return p;
}

/* Renders into memory; the caller frees the text. */
static char *
render(const struct mamori_policy *p, enum mamori_render_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(mamori_policy_render(p, fmt, f), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void
test_html_is_a_document(void **state)
{
	struct mamori_policy *p = load_fixture("document.yaml");
	char *s = render(p, MAMORI_RENDER_HTML);

	(void)state;
	assert_true(strncmp(s, "<!DOCTYPE html>\n<html lang=\"ja\">", 31) == 0);
	assert_non_null(strstr(s, "<h2>第1条（趣旨）</h2>"));
	assert_non_null(strstr(s, "&lt;script&gt;"));
	assert_null(strstr(s, "<script"));
	assert_non_null(strstr(s, "</body>\n</html>\n"));
	free(s);
	mamori_policy_free(&p);
}

/* A format value outside the enum renders Markdown rather than reading past the table. */
static void
test_unknown_format_is_markdown(void **state)
{
	struct mamori_policy *p = load_fixture("document.yaml");
	char *md = render(p, MAMORI_RENDER_MARKDOWN);
	char *odd = render(p, (enum mamori_render_format)77);

	(void)state;
	assert_string_equal(md, odd);
	assert_true(strncmp(md, "# 表示テスト", strlen("# 表示テスト")) == 0);
	free(md);
	free(odd);
	mamori_policy_free(&p);
}

/* Unbuffered output to a full device fails on the first write: the status says so. */
static void
test_write_error_is_io(void **state)
{
	struct mamori_policy *p = load_fixture("escape.yaml");
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (f == NULL) {
		mamori_policy_free(&p);
		skip();
	}
	setvbuf(f, NULL, _IONBF, 0);
	assert_int_equal(mamori_policy_render(p, MAMORI_RENDER_HTML, f), MAMORI_E_IO);
	fclose(f);
	mamori_policy_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_is_a_document),
		cmocka_unit_test(test_unknown_format_is_markdown),
		cmocka_unit_test(test_write_error_is_io),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
