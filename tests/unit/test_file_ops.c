/*
 * test_file_ops.c — a record's files' storage operations (store_ops_file.h)
 * of the backend the tests run on (SQLite's, or PostgreSQL's with
 * MAMORI_TEST_BACKEND=postgresql), called directly: rows added and numbered
 * in one sequence, listed per record in order, read one by one (and not
 * through another record), a walk stopped by its callback, and a record's
 * fields set for a file field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"
#include "mamori/record.h"
#include "mamori/record_file.h"
#include "mamori/store.h"
#include "mamori/user.h"
#include "record_internal.h"
#include "store_backend.h"
#include "store_internal.h"
#include "store_ops_file.h"

#define POLICY SRCDIR "/policies/mic-standard.yaml"

static const struct store_file_ops *
ops(void)
{
	return (fixture_pg() ? &store_backend_pg : &store_backend_sqlite)->file;
}

struct fixture {
	struct mamori_store *s;
	char id[2][MAMORI_RECORD_ID_MAX];
	struct mamori_record_file f[3];	/* two files of id[0], one of id[1], numbered by setup */
};

/* A file's row as record_file.c would make it. */
static void
file_row(struct mamori_record_file *f, const char *record, const char *name, const char *type, int64_t size,
    char hexdigit)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->record, sizeof(f->record), "%s", record);
	memset(f->sha256, hexdigit, 64);
	snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(f->type, sizeof(f->type), "%s", type);
	f->size = size;
	snprintf(f->by, sizeof(f->by), "tanaka");
	snprintf(f->created, sizeof(f->created), "2026-12-06T01:02:03.000004Z");
}

static int
add_tx(struct mamori_store_tx *tx, void *arg)
{
	struct fixture *x = arg;
	struct mamori_error err = { 0 };
	int rc = 0;

	for (int i = 0; rc == 0 && i < 3; i++)
		rc = ops()->add(tx, &x->f[i], &x->f[i].num, &err);
	/* every change has its event (mamori_store_write refuses one without) */
	return rc ? rc : mamori_store_tx_event(tx, "test.files", "record", x->id[0], NULL, NULL);
}

static int
setup(void **state)
{
	static int n;
	struct fixture *x = calloc(1, sizeof(*x));
	struct mamori_error err = { 0 };
	struct mamori_diags problems = { 0 };
	char name[32];

	snprintf(name, sizeof(name), "f%d.db", n++);
	x->s = fixture_store(name, POLICY);
	if (mamori_user_add(x->s, "test:unit", "tanaka", "staff", "soumu", NULL, false, &err) != 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		cJSON *fields = cJSON_Parse("{\"summary\": \"USBメモリの紛失\"}");
		int rc = mamori_record_create(x->s, "test:unit", "tanaka", "incident", fields, time(NULL), x->id[i],
		    &problems, &err);
		cJSON_Delete(fields);
		mamori_diags_clear(&problems);
		if (rc != 0) {
			fprintf(stderr, "create: %s\n", err.message);
			return -1;
		}
	}
	file_row(&x->f[0], x->id[0], "報告書.pdf", "application/pdf", 1234, 'a');
	file_row(&x->f[1], x->id[1], "log.txt", "text/plain", 5, 'b');
	file_row(&x->f[2], x->id[0], "写真.jpg", "image/jpeg", 99, 'c');
	if (mamori_store_write(x->s, "test:unit", add_tx, x, &err) != 0) {
		fprintf(stderr, "add: %s\n", err.message);
		return -1;
	}
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *x = *state;

	mamori_store_close(&x->s);
	free(x);
	return 0;
}

static void
assert_same_file(const struct mamori_record_file *a, const struct mamori_record_file *b)
{
	assert_int_equal(a->num, b->num);
	assert_string_equal(a->record, b->record);
	assert_string_equal(a->sha256, b->sha256);
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->type, b->type);
	assert_int_equal(a->size, b->size);
	assert_string_equal(a->by, b->by);
	assert_string_equal(a->created, b->created);
}

static void
test_add_numbers(void **state)
{
	struct fixture *x = *state;

	/* one sequence for every record's files, ever growing */
	assert_true(x->f[0].num > 0);
	assert_true(x->f[1].num > x->f[0].num);
	assert_true(x->f[2].num > x->f[1].num);
}

struct seen {
	int n, stop_at;
	struct mamori_record_file f[4];
};

static int
seen_file(const struct mamori_record_file *f, void *ctx)
{
	struct seen *v = ctx;

	if (v->n < 4)
		v->f[v->n] = *f;
	return ++v->n == v->stop_at ? 7 : 0;
}

static void
test_list(void **state)
{
	struct fixture *x = *state;
	struct mamori_error err = { 0 };
	struct seen v = { 0 };

	assert_int_equal(ops()->list(x->s, x->id[0], seen_file, &v, &err), 0);
	assert_int_equal(v.n, 2);
	assert_same_file(&v.f[0], &x->f[0]);	/* in order of their number */
	assert_same_file(&v.f[1], &x->f[2]);
	v = (struct seen){ 0 };
	assert_int_equal(ops()->list(x->s, x->id[1], seen_file, &v, &err), 0);
	assert_int_equal(v.n, 1);
	assert_same_file(&v.f[0], &x->f[1]);
	v = (struct seen){ 0 };
	assert_int_equal(ops()->list(x->s, "INC-999999", seen_file, &v, &err), 0);
	assert_int_equal(v.n, 0);
	v = (struct seen){ .stop_at = 1 };
	assert_int_equal(ops()->list(x->s, x->id[0], seen_file, &v, &err), 7);
	assert_int_equal(v.n, 1);
}

static void
test_get(void **state)
{
	struct fixture *x = *state;
	struct mamori_error err = { 0 };
	struct mamori_record_file f;

	for (int i = 0; i < 3; i++) {
		memset(&f, 0, sizeof(f));
		assert_int_equal(ops()->get(x->s, x->f[i].record, x->f[i].num, &f, &err), 0);
		assert_same_file(&f, &x->f[i]);
	}
	/* a file is read only through its own record */
	assert_int_equal(ops()->get(x->s, x->id[1], x->f[0].num, &f, &err), MAMORI_E_NOTFOUND);
	assert_int_equal(ops()->get(x->s, x->id[0], x->f[2].num + 100, &f, &err), MAMORI_E_NOTFOUND);
}

struct fields_arg {
	const char *id, *fields, *updated;
};

static int
fields_tx(struct mamori_store_tx *tx, void *arg)
{
	struct fields_arg *a = arg;
	struct mamori_error err = { 0 };

	int rc = ops()->set_fields(tx, a->id, a->fields, a->updated, &err);

	return rc ? rc : mamori_store_tx_event(tx, "test.fields", "record", a->id, NULL, NULL);
}

static void
test_set_fields(void **state)
{
	struct fixture *x = *state;
	struct mamori_error err = { 0 };
	char fields[160];
	struct fields_arg a = { .id = x->id[0], .fields = fields, .updated = "2026-12-06T05:06:07.000008Z" };
	cJSON *rec = NULL, *other = NULL, *evidence;

	snprintf(fields, sizeof(fields), "{\"summary\":\"USBメモリの紛失\",\"evidence\":[%lld]}",
	    (long long)x->f[0].num);
	assert_int_equal(mamori_store_write(x->s, "test:unit", fields_tx, &a, &err), 0);
	assert_int_equal(record_read(x->s, x->id[0], &rec, &err), 0);
	evidence = cJSON_GetObjectItem(cJSON_GetObjectItem(rec, "fields"), "evidence");
	assert_int_equal(cJSON_GetArraySize(evidence), 1);
	assert_int_equal((int64_t)cJSON_GetNumberValue(cJSON_GetArrayItem(evidence, 0)), x->f[0].num);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(rec, "updated")), a.updated);
	/* the other record is as it was */
	assert_int_equal(record_read(x->s, x->id[1], &other, &err), 0);
	assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(other, "fields"), "evidence"));
	assert_string_not_equal(cJSON_GetStringValue(cJSON_GetObjectItem(other, "updated")), a.updated);
	cJSON_Delete(rec);
	cJSON_Delete(other);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_fields, setup, teardown),
	};

	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
