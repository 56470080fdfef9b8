/* test_record_file.c — a record's files: names cleaned, types recognised, the
 * size limit, one copy per content, a changed copy found on reading, and who
 * may not add one (an account that may not see the record; a closed record). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mamori/record.h"
#include "mamori/record_file.h"
#include "mamori/user.h"
#include "fixture.h"

#define POLICY SRCDIR "/policies/mic-standard.yaml"

struct fixture {
	struct mamori_store *s;
	char db[128];
	char id[MAMORI_RECORD_ID_MAX];
};

static int
setup(void **state)
{
	static int n;
	struct fixture *f = calloc(1, sizeof(*f));
	struct mamori_error err = { 0 };
	struct mamori_diags problems = { 0 };
	static const char *const users[][3] = {
		{ "tanaka", "staff", "soumu" }, { "suzuki", "staff", "soumu" }, { "kanri", "security-manager", "soumu" },
	};
	char name[32];
	cJSON *fields = cJSON_Parse("{\"summary\": \"USBメモリの紛失\"}");

	snprintf(name, sizeof(name), "f%d.db", n++);
	fixture_path(f->db, sizeof(f->db), name);
	f->s = fixture_store(name, POLICY);
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		if (mamori_user_add(f->s, "test:unit", users[i][0], users[i][1], users[i][2], NULL, false, &err) != 0)
			return -1;
	if (mamori_record_create(f->s, "test:unit", "tanaka", "incident", fields, time(NULL), f->id, &problems, &err) != 0)
		return -1;
	cJSON_Delete(fields);
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

static void
test_names(void **state)
{
	struct mamori_error err = { 0 };
	char out[MAMORI_RECORD_FILE_NAME_MAX + 1], longname[300];
	static const char *const kept[][2] = {
		{ "報告書.pdf", "報告書.pdf" },
		{ "C:\\Users\\tanaka\\デスクトップ\\紛失届 (写し).xlsx", "紛失届 (写し).xlsx" },
		{ "../../etc/passwd", "passwd" },
		{ "  空白 .txt", "  空白 .txt" },	/* kept as given */
	};
	static const char *const refused[] = {
		"", "dir/", "..", "a/..", ".", "a\nb.txt", "a\tb", "a\x7f" "b", "a\xc2\x85" "b",
		"invoice\xe2\x80\xae" "fdp.exe", "x\xe2\x81\xa6" "y", "\xff\xfe.txt", "\xe3\x81",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		assert_int_equal(mamori_record_file_name(kept[i][0], out, &err), 0);
		assert_string_equal(out, kept[i][1]);
	}
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		assert_int_equal(mamori_record_file_name(refused[i], out, &err), MAMORI_E_INVALID);
		assert_string_equal(out, "");
	}
	assert_int_equal(mamori_record_file_name(NULL, out, &err), MAMORI_E_INVALID);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(mamori_record_file_name(longname, out, &err), MAMORI_E_INVALID);
	longname[255] = '\0';
	assert_int_equal(mamori_record_file_name(longname, out, &err), 0);
}

static void
test_types(void **state)
{
	struct fixture *f = *state;
	struct mamori_record_file r;
	struct mamori_error err = { 0 };
	static const struct {
		const char *name, *data, *given, *want;
		size_t len;
	} cases[] = {
		{ "a.png", "\x89PNG\r\n\x1a\n....", NULL, "image/png", 12 },
		{ "a.bin", "%PDF-1.7\n", NULL, "application/pdf", 9 },
		{ "台帳.xlsx", "PK\x03\x04zzzz", NULL, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 8 },
		{ "a.zip", "PK\x03\x04zzzy", NULL, "application/zip", 8 },
		{ "メモ.txt", "経緯: 帰庁時に気づいた\n", NULL, "text/plain", 0 },
		{ "a.csv", "a,b\n1,2\n", "", "text/csv", 8 },
		{ "a.dat", "\x01\x02\x03", NULL, "application/octet-stream", 3 },
		{ "a.md", "# x\n", "Text/Markdown; charset=UTF-8", "text/markdown", 4 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].data);
		assert_int_equal(mamori_record_attach(f->s, "test:unit", "tanaka", f->id, cases[i].name, cases[i].given,
		    cases[i].data, len, &r, &err), 0);
		assert_string_equal(r.type, cases[i].want);
	}
	assert_int_equal(mamori_record_attach(f->s, "test:unit", "tanaka", f->id, "a", "text", "x", 1, &r, &err),
	    MAMORI_E_INVALID);
	assert_int_equal(mamori_record_attach(f->s, "test:unit", "tanaka", f->id, "a", "a/b/c", "x", 1, &r, &err),
	    MAMORI_E_INVALID);
	assert_int_equal(mamori_record_attach(f->s, "test:unit", "tanaka", f->id, "a", "a b/c", "x", 1, &r, &err),
	    MAMORI_E_INVALID);
}

/* The number of files below dir (recursively), temporary ones too. */
static int
count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];
	int n = 0;

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' && (e->d_name[1] == '\0' || (e->d_name[1] == '.' && e->d_name[2] == '\0')))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		n += e->d_type == DT_DIR ? count_files(path) : 1;
	}
	if (d != NULL)
		closedir(d);
	return n;
}

static void
test_dedupe_and_read(void **state)
{
	struct fixture *f = *state;
	struct mamori_record_file a, b, meta;
	struct mamori_error err = { 0 };
	char dir[160], path[300], *data = NULL;
	static const char content[] = "紛失の経緯\n";
	size_t len;
	cJSON *list = NULL;

	assert_int_equal(mamori_record_attach(f->s, "test:unit", "tanaka", f->id, "経緯.txt", NULL, content,
	    strlen(content), &a, &err), 0);
	assert_int_equal(mamori_record_attach(f->s, "test:unit", "kanri", f->id, "写し.txt", NULL, content,
	    strlen(content), &b, &err), 0);
	assert_true(b.num > a.num);
	assert_string_equal(a.sha256, b.sha256);
	snprintf(dir, sizeof(dir), "%s.files", f->db);
	assert_int_equal(count_files(dir), 1);	/* one copy for both */
	assert_int_equal(fixture_query_int(f->s, "SELECT count(*) FROM record_file"), 2);
	assert_int_equal(fixture_query_int(f->s, "SELECT count(*) FROM audit_event WHERE action = 'record.file'"), 2);

	assert_int_equal(mamori_record_files(f->s, f->id, &list, &err), 0);
	assert_int_equal(cJSON_GetArraySize(list), 2);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 1), "name")), "写し.txt");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 1), "by")), "kanri");
	cJSON_Delete(list);

	assert_int_equal(mamori_record_file_read(f->s, f->id, b.num, &meta, &data, &len, &err), 0);
	assert_int_equal(len, strlen(content));
	assert_memory_equal(data, content, len);
	assert_string_equal(meta.name, "写し.txt");
	free(data);
	/* a file of another record is not this record's */
	assert_int_equal(mamori_record_file_read(f->s, "INC-999999", b.num, &meta, &data, &len, &err),
	    MAMORI_E_NOTFOUND);
	assert_null(data);

	/* the copy changed beside the store: found, naming the file */
	snprintf(path, sizeof(path), "%s/%.2s/%s", dir, a.sha256, a.sha256);
	FILE *fp = fopen(path, "r+b");
	assert_non_null(fp);
	fputc('X', fp);
	fclose(fp);
	assert_int_equal(mamori_record_file_read(f->s, f->id, a.num, &meta, &data, &len, &err), MAMORI_E_TAMPERED);
	assert_null(data);
	assert_non_null(strstr(err.message, "経緯.txt"));
	assert_non_null(strstr(err.message, a.sha256));
	/* the same content added again replaces the damaged copy */
	assert_int_equal(mamori_record_attach(f->s, "test:unit", "tanaka", f->id, "再.txt", NULL, content,
	    strlen(content), NULL, &err), 0);
	assert_int_equal(mamori_record_file_read(f->s, f->id, a.num, &meta, &data, &len, &err), 0);
	free(data);
	/* and a copy of another size, or none */
	fp = fopen(path, "ab");
	fputc('X', fp);
	fclose(fp);
	assert_int_equal(mamori_record_file_read(f->s, f->id, a.num, &meta, &data, &len, &err), MAMORI_E_TAMPERED);
	remove(path);
	assert_int_equal(mamori_record_file_read(f->s, f->id, a.num, &meta, &data, &len, &err), MAMORI_E_TAMPERED);
	assert_null(data);
}

static void
test_limit(void **state)
{
	struct fixture *f = *state;
	struct mamori_error err = { 0 };
	char buf[64] = { 0 };

	assert_int_equal(mamori_record_file_max(f->s), MAMORI_RECORD_FILE_MAX_DEFAULT);
	assert_int_equal(mamori_store_config_set(f->s, "test:unit", "record.file_max_bytes", "10", &err), 0);
	assert_int_equal(mamori_record_file_max(f->s), 10);
	assert_int_equal(mamori_record_attach(f->s, "test:unit", "tanaka", f->id, "a.bin", NULL, buf, 11, NULL, &err),
	    MAMORI_E_INVALID);
	assert_non_null(strstr(err.message, "record.file_max_bytes"));
	assert_int_equal(mamori_record_attach(f->s, "test:unit", "tanaka", f->id, "a.bin", NULL, buf, 10, NULL, &err), 0);
	assert_int_equal(mamori_record_attach(f->s, "test:unit", "tanaka", f->id, "a.bin", NULL, buf, 0, NULL, &err),
	    MAMORI_E_INVALID);
	/* a limit that is no number of bytes: the default */
	assert_int_equal(mamori_store_config_set(f->s, "test:unit", "record.file_max_bytes", "0", &err), 0);
	assert_int_equal(mamori_record_file_max(f->s), MAMORI_RECORD_FILE_MAX_DEFAULT);
	assert_int_equal(fixture_query_int(f->s, "SELECT count(*) FROM record_file"), 1);
}

static void
test_who_may_not(void **state)
{
	struct fixture *f = *state;
	struct mamori_diags problems = { 0 };
	struct mamori_error err = { 0 };
	char dir[160];
	int64_t events = fixture_query_int(f->s, "SELECT count(*) FROM audit_event");

	snprintf(dir, sizeof(dir), "%s.files", f->db);
	/* another 職員 of the 課 does not see tanaka's report */
	assert_int_equal(mamori_record_attach(f->s, "test:unit", "suzuki", f->id, "a.txt", NULL, "x", 1, NULL, &err),
	    MAMORI_E_DENIED);
	assert_int_equal(mamori_record_attach(f->s, "test:unit", "nobody", f->id, "a.txt", NULL, "x", 1, NULL, &err),
	    MAMORI_E_NOTFOUND);
	assert_int_equal(mamori_record_attach(f->s, "test:unit", "tanaka", "INC-999999", "a.txt", NULL, "x", 1, NULL,
	    &err), MAMORI_E_NOTFOUND);
	/* refused before anything is written: no row, no event, no copy */
	assert_int_equal(fixture_query_int(f->s, "SELECT count(*) FROM record_file"), 0);
	assert_int_equal(fixture_query_int(f->s, "SELECT count(*) FROM audit_event"), events);
	assert_int_equal(count_files(dir), 0);
	/* a closed record's files no longer change */
	assert_int_equal(mamori_record_move(f->s, "test:unit", "tanaka", f->id, "withdrawn", NULL, NULL, time(NULL),
	    &problems, &err), 0);
	assert_int_equal(mamori_record_attach(f->s, "test:unit", "tanaka", f->id, "a.txt", NULL, "x", 1, NULL, &err),
	    MAMORI_E_CONFLICT);
	assert_non_null(strstr(err.message, "final"));
	mamori_diags_clear(&problems);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dedupe_and_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_who_may_not, setup, teardown),
	};

	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
