/*
 * test_copy_ops.c — the copy's operations (store_ops_copy.h) of the store's
 * backend, called directly, the same tests for SQLite's and PostgreSQL's
 * (fixture.h): the tables and their columns; values of every kind written
 * and read back as they were (text with COPY's special characters, bytes
 * with NUL and backslash, an empty blob, NULL, the largest integer); numbers
 * that rows take next moved past the copied ones; a refused row named by its
 * table; abandoned rows not written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "mamori/store.h"
#include "store_backend.h"
#include "store_internal.h"
#include "store_ops_copy.h"
#include "store_ops_meta.h"

#define POLICY SRCDIR "/policies/mic-standard.yaml"

static const char *const head_cols[] = { "size", "root", "time", "pubkey", "signature", "frontier", "seq" };
#define NHEAD (sizeof(head_cols) / sizeof(head_cols[0]))

/* ---- tables ---- */

struct listing {
	char names[32][32];
	size_t n, user_cols;
	bool user_email;
};

static int
list_table(const char *table, size_t ncols, const char *const *names, void *ctx)
{
	struct listing *l = ctx;

	assert_true(l->n < 32);
	snprintf(l->names[l->n++], sizeof(l->names[0]), "%s", table);
	if (strcmp(table, "user") == 0) {
		l->user_cols = ncols;
		for (size_t i = 0; i < ncols; i++)
			l->user_email |= strcmp(names[i], "email") == 0;
	}
	return 0;
}

static void
test_tables(void **state)
{
	static const char *const want[] = { "api_token", "asset", "audit_event", "check_answer", "config", "meta",
		"policy", "record", "record_file", "record_notice", "tree_head", "user" };
	struct mamori_store *s = fixture_store("t.db", POLICY);
	struct mamori_error err = { 0 };
	struct listing l = { 0 };

	(void)state;
	assert_int_equal(s->backend->copy->tables(s, list_table, &l, &err), 0);
	/* the store's tables, in order of name; the backend's own left out */
	assert_int_equal(l.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < l.n; i++)
		assert_string_equal(l.names[i], want[i]);
	assert_int_equal(l.user_cols, 13);
	assert_true(l.user_email);
	mamori_store_close(&s);
}

/* ---- values ---- */

static const unsigned char root[32] = { 0, '\\', '\n', '\t', '\r', 0xff, 'x', 0, 0x80, 0x7f };
static const char odd_time[] = "tab\there, line\nthere, back\\slash\\N and \r 漢字";

/* Writes rows into table in a transaction of its own: committed with keep, else abandoned and rolled back. */
static int
write_rows(struct mamori_store *s, const char *table, size_t ncols, const char *const *names,
    const struct store_copy_value *rows, size_t nrows, bool keep, struct mamori_error *err)
{
	const struct store_copy_ops *c = s->backend->copy;
	struct store_copy_writer *w = NULL;
	int rc;

	assert_int_equal(s->backend->begin(s, err), 0);
	rc = c->writer_open(s, table, ncols, names, &w, err);
	for (size_t i = 0; rc == 0 && i < nrows; i++)
		rc = c->write(w, rows + i * ncols, err);
	if (w != NULL) {
		int closed = c->writer_close(&w, keep && rc == 0, rc == 0 ? err : NULL);
		if (rc == 0)
			rc = closed;
	}
	assert_null(w);
	if (rc == 0 && keep && (rc = c->finish(s, err)) == 0 && (rc = s->backend->commit(s, err)) == 0)
		return 0;
	s->backend->rollback(s);
	return rc;
}

/* The rows of tree_head as read back: kinds and bytes copied. */
struct read_heads {
	size_t n;
	struct {
		enum store_copy_kind kind[NHEAD];
		int64_t i[NHEAD];
		unsigned char bytes[NHEAD][128];
		size_t len[NHEAD];
	} row[8];
};

static int
read_head(const struct store_copy_value *vals, void *ctx)
{
	struct read_heads *r = ctx;

	assert_true(r->n < 8);
	for (size_t i = 0; i < NHEAD; i++) {
		r->row[r->n].kind[i] = vals[i].kind;
		r->row[r->n].i[i] = vals[i].i;
		r->row[r->n].len[i] = vals[i].len;
		if (vals[i].kind == STORE_COPY_TEXT || vals[i].kind == STORE_COPY_BYTES) {
			assert_true(vals[i].len <= sizeof(r->row[0].bytes[0]));
			memcpy(r->row[r->n].bytes[i], vals[i].p, vals[i].len);
			if (vals[i].kind == STORE_COPY_TEXT)	/* a text has its NUL after it */
				assert_int_equal(((const char *)vals[i].p)[vals[i].len], '\0');
		}
	}
	r->n++;
	return 0;
}

#define TEXT(s) { .kind = STORE_COPY_TEXT, .p = (s), .len = strlen(s) }
#define BYTES(b, n) { .kind = STORE_COPY_BYTES, .p = (b), .len = (n) }
#define INT(v) { .kind = STORE_COPY_INT, .i = (v) }
#define NUL { .kind = STORE_COPY_NULL }

static void
test_values(void **state)
{
	struct mamori_store *s = fixture_store("v.db", POLICY);
	struct mamori_error err = { 0 };
	struct read_heads *r = calloc(1, sizeof(*r));
	unsigned char sig[64], frontier[96];
	const struct store_copy_value rows[2 * NHEAD] = {
		INT(1000001), BYTES(root, 32), TEXT(odd_time), BYTES(root, 32), BYTES(sig, 64), BYTES(frontier, 0), NUL,
		INT(INT64_MAX), BYTES(root, 32), TEXT(""), BYTES(root, 32), BYTES(sig, 64), BYTES(frontier, 96), INT(-5),
	};

	(void)state;
	for (size_t i = 0; i < sizeof(sig); i++)
		sig[i] = (unsigned char)(255 - i);
	for (size_t i = 0; i < sizeof(frontier); i++)
		frontier[i] = (unsigned char)(i * 7);
	assert_int_equal(write_rows(s, "tree_head", NHEAD, head_cols, rows, 2, true, &err), 0);
	assert_true(s->backend->meta->read_begin(s) >= 0);
	assert_int_equal(s->backend->copy->rows(s, "tree_head", NHEAD, head_cols, read_head, r, &err), 0);
	s->backend->meta->read_end(s);
	/* init's head (size 1) first: the order of the first column */
	assert_int_equal(r->n, 3);
	assert_int_equal(r->row[0].i[0], 1);
	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0; i < NHEAD; i++) {
			const struct store_copy_value *want = &rows[k * NHEAD + i];
			assert_int_equal(r->row[k + 1].kind[i], want->kind);
			if (want->kind == STORE_COPY_INT)
				assert_true(r->row[k + 1].i[i] == want->i);
			if (want->kind == STORE_COPY_TEXT || want->kind == STORE_COPY_BYTES) {
				assert_int_equal(r->row[k + 1].len[i], want->len);
				if (want->len > 0)
					assert_memory_equal(r->row[k + 1].bytes[i], want->p, want->len);
			}
		}
	}
	free(r);
	mamori_store_close(&s);
}

/* ---- numbers, refusals, abandoned rows ---- */

static void
test_numbers_move_past(void **state)
{
	static const char *const cols[] = { "num", "record", "sha256", "name", "type", "size", "by", "created" };
	const struct store_copy_value row[] = { INT(41), TEXT("INC-000001"), TEXT("ab"), TEXT("f.txt"), NUL, INT(3),
		TEXT("tanaka"), TEXT("2026-12-01T00:00:00Z") };
	struct mamori_store *s = fixture_store("n.db", POLICY);
	struct mamori_error err = { 0 };

	(void)state;
	assert_int_equal(write_rows(s, "record_file", 8, cols, row, 1, true, &err), 0);
	/* a row numbered by the store takes the number after the copied one */
	fixture_exec(s, "INSERT INTO record_file (record, sha256, name, size, by, created) "
	    "VALUES ('INC-000001', 'cd', 'g.txt', 1, 'tanaka', '2026-12-01T00:00:01Z')");
	assert_int_equal(fixture_query_int(s, "SELECT max(num) FROM record_file"), 42);
	mamori_store_close(&s);
}

static void
test_refused_and_abandoned(void **state)
{
	static const char *const cols[] = { "key", "value" };
	const struct store_copy_value taken[] = { TEXT("log_id"), TEXT("again") };
	const struct store_copy_value fresh[] = { TEXT("fresh"), TEXT("x"), TEXT("log_id"), TEXT("again") };
	const struct store_copy_value one[] = { TEXT("abandoned"), TEXT("x") };
	struct mamori_store *s = fixture_store("r.db", POLICY);
	struct mamori_error err = { 0 };

	(void)state;
	/* a key the store holds already: refused, the table and row named, nothing written */
	assert_int_not_equal(write_rows(s, "meta", 2, cols, taken, 1, true, &err), 0);
	assert_non_null(strstr(err.message, "meta"));
	assert_non_null(strstr(err.message, fixture_pg() ? "line 1" : "row 1"));
	memset(&err, 0, sizeof(err));
	assert_int_not_equal(write_rows(s, "meta", 2, cols, fresh, 2, true, &err), 0);
	assert_non_null(strstr(err.message, fixture_pg() ? "line 2" : "row 2"));
	assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM meta WHERE key = 'fresh'"), 0);
	/* rows abandoned (the copy failed elsewhere) are not written */
	assert_int_equal(write_rows(s, "meta", 2, cols, one, 1, false, &err), 0);
	assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM meta WHERE key = 'abandoned'"), 0);
	/* and a name the copy cannot quote is refused before any SQL */
	memset(&err, 0, sizeof(err));
	assert_int_not_equal(write_rows(s, "meta\"; DROP TABLE meta; --", 2, cols, one, 1, true, &err), 0);
	assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM meta WHERE key = 'log_id'"), 1);
	mamori_store_close(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_numbers_move_past),
		cmocka_unit_test(test_refused_and_abandoned),
	};

	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
