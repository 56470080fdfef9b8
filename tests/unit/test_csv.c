/* test_csv.c — the strict RFC 4180 reader and the decoding of imported text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

static void
open_text(struct csv_reader *r, const char *text)
{
	csv_open(r, strdup(text), strlen(text));
}

/* Reads every record and joins them as "a|b/c|d/" for comparison; NULL on error. */
static char *
read_all(const char *text, char *out, size_t n, int *lines, struct csv_reader *r)
{
	struct csv_record rec;
	size_t o = 0;
	int got, k = 0;

	open_text(r, text);
	out[0] = '\0';
	while ((got = csv_next(r, &rec)) == 1) {
		if (lines)
			lines[k++] = rec.line;
		for (size_t i = 0; i < rec.nfields; i++)
			o += (size_t)snprintf(out + o, n - o, "%s%s", i ? "|" : "", rec.fields[i]);
		o += (size_t)snprintf(out + o, n - o, "/");
	}
	return got < 0 ? NULL : out;
}

static void
test_plain(void **state)
{
	struct csv_reader r;
	char out[256];

	(void)state;
	assert_string_equal(read_all("a,b,c\n1,2,3\n", out, sizeof(out), NULL, &r), "a|b|c/1|2|3/");
	csv_free(&r);
	/* CRLF as Excel writes it, no line end at the end, empty fields */
	assert_string_equal(read_all("a,,c\r\n,2,\r\nx", out, sizeof(out), NULL, &r), "a||c/|2|/x/");
	csv_free(&r);
	assert_string_equal(read_all("", out, sizeof(out), NULL, &r), "");
	csv_free(&r);
}

static void
test_quoted(void **state)
{
	struct csv_reader r;
	char out[256];
	int lines[4];

	(void)state;
	assert_string_equal(read_all("\"課税台帳, 原本\",\"彼は\"\"はい\"\"と\",\"\"\n", out, sizeof(out), NULL, &r),
	    "課税台帳, 原本|彼は\"はい\"と|/");
	csv_free(&r);
	/* a line break inside quotes stays in the field; records know their first line */
	assert_string_equal(read_all("h1,h2\r\n\"一行目\n二行目\",x\r\nlast,y\r\n", out, sizeof(out), lines, &r),
	    "h1|h2/一行目\n二行目|x/last|y/");
	assert_int_equal(lines[0], 1);
	assert_int_equal(lines[1], 2);
	assert_int_equal(lines[2], 4);
	csv_free(&r);
	assert_string_equal(read_all("\"a\r\nb\"\r\n", out, sizeof(out), NULL, &r), "a\r\nb/");
	csv_free(&r);
}

static void
test_malformed(void **state)
{
	struct csv_reader r;
	char out[256];

	(void)state;
	assert_null(read_all("a,b\n\"unclosed,x\n", out, sizeof(out), NULL, &r));
	assert_non_null(strstr(r.error, "not closed"));
	csv_free(&r);
	assert_null(read_all("a\n\"q\"x,b\n", out, sizeof(out), NULL, &r));
	assert_non_null(strstr(r.error, "after a closing quote"));
	assert_int_equal(r.error_line, 2);
	csv_free(&r);
	assert_null(read_all("a\nab\"c\n", out, sizeof(out), NULL, &r));
	assert_non_null(strstr(r.error, "unquoted field"));
	assert_int_equal(r.error_line, 2);
	csv_free(&r);
}

static void
test_too_many_fields(void **state)
{
	struct csv_reader r;
	struct csv_record rec;
	size_t n = 5000;
	char *text = malloc(n + 1);

	(void)state;
	memset(text, ',', n);
	text[n] = '\0';
	csv_open(&r, text, n);
	assert_int_equal(csv_next(&r, &rec), -1);
	assert_non_null(strstr(r.error, "too many fields"));
	csv_free(&r);
}

static void
test_decode(void **state)
{
	char err[160];
	size_t n;
	char *t;

	(void)state;
	/* the BOM goes, UTF-8 stays */
	t = text_decode("\xEF\xBB\xBF資産名\n", strlen("\xEF\xBB\xBF資産名\n"), NULL, &n, err, sizeof(err));
	assert_string_equal(t, "資産名\n");
	assert_int_equal(n, strlen("資産名\n"));
	free(t);
	/* CP932 is detected: 資産名 in Shift_JIS */
	t = text_decode("\x8E\x91\x8E\x59\x96\xBC", 6, NULL, &n, err, sizeof(err));
	assert_string_equal(t, "資産名");
	free(t);
	/* forced UTF-8 on CP932 bytes: an error that suggests the fix */
	assert_null(text_decode("\x8E\x91\x8E\x59\x96\xBC", 6, "utf-8", &n, err, sizeof(err)));
	assert_non_null(strstr(err, "--encoding cp932"));
	/* bytes that are neither */
	assert_null(text_decode("a\n\xFF\xFF", 4, NULL, &n, err, sizeof(err)));
	assert_non_null(strstr(err, "line 2"));
	assert_null(text_decode("a", 1, "latin-9", &n, err, sizeof(err)));
	assert_non_null(strstr(err, "unknown encoding"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_quoted),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_too_many_fields),
		cmocka_unit_test(test_decode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
