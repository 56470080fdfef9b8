/*
 * test_meta_ops.c — the store's own operations (store_ops_meta.h), called
 * directly, on the backend the tests run on (fixture.h): a connection opened
 * and migrated from nothing, meta, config and the policy table read back,
 * the read snapshot isolated from another connection's commit, and the
 * copies of a store (SQLite's files).  Each connection's settings are read
 * the backend's way: SQLite's pragmas, PostgreSQL's SHOW.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "mamori/store.h"
#include "store_backend.h"
#include "store_internal.h"
#include "store_sqlite.h"	/* SQLite's settings, read on the store's own connection */
#include "store_pg.h"		/* PostgreSQL's */
#include "store_ops_meta.h"

#define POLICY SRCDIR "/tests/store/policy.yaml"

static const struct store_backend *
backend(void)
{
	return fixture_pg() ? &store_backend_pg : &store_backend_sqlite;
}

static const struct store_meta_ops *
ops(void)
{
	return backend()->meta;
}

/* A value handed to a callback, copied. */
static int
keep(const char *value, void *ctx)
{
	snprintf(ctx, 256, "%s", value);
	return 0;
}

struct policy_seen {
	int64_t version;
	char *json;
};

static int
keep_policy(int64_t version, const char *json, void *ctx)
{
	struct policy_seen *p = ctx;

	p->version = version;
	free(p->json);
	p->json = strdup(json);
	return 0;
}

static int
stop(const char *value, void *ctx)
{
	(void)value;
	(void)ctx;
	return 42;
}

/* An empty file at fixture_dir/name, its path into out. */
static void
empty_file(char *out, size_t n, const char *name)
{
	int fd;

	fixture_path(out, n, name);
	fd = open(out, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
}

/*
 * A bare store struct on location (a file, or a PostgreSQL URL, whose
 * backend's open sets the path), connected in mode by the op alone.
 */
static struct mamori_store *
bare(const char *location, enum store_open_mode mode)
{
	struct mamori_store *s = calloc(1, sizeof(*s));
	struct mamori_error err = { 0 };

	assert_non_null(s);
	s->location = strdup(location);
	s->path = strdup(location);
	s->backend = backend();
	if (ops()->open(s, mode, &err) != 0)
		fail_msg("open %s: %s", location, err.message);
	return s;
}

static void
bare_close(struct mamori_store *s)
{
	ops()->close(s);
	assert_null(s->db);
	assert_null(s->pg);
	free(s->location);
	free(s->path);
	free(s);
}

/* A pragma's value on s's own connection (SQLite's settings are per connection). */
static int64_t
pragma(struct mamori_store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(s->db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* A setting's value on s's own PostgreSQL connection (SHOW name), compared with want. */
static void
setting_is(struct mamori_store *s, const char *name, const char *want)
{
	char sql[96];
	PGresult *r;

	snprintf(sql, sizeof(sql), "SHOW %s", name);
	r = PQexec(s->pg->conn, sql);
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	if (strcmp(PQgetvalue(r, 0, 0), want) != 0)
		fail_msg("%s is %s, not %s", name, PQgetvalue(r, 0, 0), want);
	PQclear(r);
}

/* ---- a store made from nothing ---- */

static void
test_open_and_migrate(void **state)
{
	struct mamori_error err = { 0 };
	struct policy_seen seen = { 0 };
	char path[4096], value[256];
	struct mamori_store *s;
	int64_t v = -1;
	int version = -1;

	(void)state;
	if (fixture_pg()) {
		/* a schema of its own, made by the open; the tables by the migration */
		fixture_location(path, sizeof(path), "fresh.db");
		s = bare(path, STORE_OPEN_CREATE);
		setting_is(s, "client_encoding", "UTF8");
		setting_is(s, "default_transaction_read_only", "off");
	} else {
		empty_file(path, sizeof(path), "fresh.db");
		s = bare(path, STORE_OPEN_CREATE);
		/* durable commits, concurrent readers, foreign keys, reads through a map */
		assert_int_equal(pragma(s, "PRAGMA synchronous"), 2);	/* FULL */
		assert_int_equal(pragma(s, "PRAGMA foreign_keys"), 1);
		assert_int_equal(pragma(s, "PRAGMA mmap_size"), 2147418112);
		assert_int_equal(pragma(s, "PRAGMA page_size"), 16384);
	}
	assert_int_equal(ops()->schema_version(s, &version, &err), 0);
	assert_int_equal(version, 0);
	assert_int_equal(ops()->migrate(s, 0, &err), 0);
	assert_int_equal(ops()->schema_version(s, &version, &err), 0);
	assert_int_equal(version, MAMORI_STORE_SCHEMA);
	/* migrated, and empty: no meta, no policy */
	assert_int_equal(ops()->meta_get(s, "log_id", keep, value, &err), MAMORI_E_NOTFOUND);
	assert_int_equal(ops()->policy_version(s, &v, &err), 0);
	assert_int_equal(v, 0);
	assert_int_equal(ops()->policy_latest(s, keep_policy, &seen, &err), MAMORI_E_NOTFOUND);
	assert_null(seen.json);
	/* migrating again from 0 fails (the tables exist) and changes nothing */
	assert_int_not_equal(ops()->migrate(s, 0, &err), 0);
	assert_int_equal(ops()->schema_version(s, &version, &err), 0);
	assert_int_equal(version, MAMORI_STORE_SCHEMA);
	bare_close(s);
}

/* A reader's connection reads the store and never writes. */
static void
test_reader(void **state)
{
	struct mamori_store *s = fixture_store("reader.db", POLICY), *r;
	struct mamori_error err = { 0 };
	char value[256] = "";
	int version = -1;

	(void)state;
	r = bare(mamori_store_location(s), STORE_OPEN_READER);
	if (fixture_pg()) {
		setting_is(r, "default_transaction_read_only", "on");
		setting_is(s, "default_transaction_read_only", "off");
	} else {
		assert_int_equal(pragma(r, "PRAGMA query_only"), 1);
		assert_int_equal(pragma(r, "PRAGMA mmap_size"), 1073741824);
		assert_int_equal(pragma(r, "PRAGMA synchronous"), 2);
		assert_int_equal(pragma(s, "PRAGMA query_only"), 0);
	}
	assert_int_equal(ops()->schema_version(r, &version, &err), 0);
	assert_int_equal(version, MAMORI_STORE_SCHEMA);
	assert_int_equal(ops()->meta_get(r, "log_id", keep, value, &err), 0);
	assert_string_equal(value, mamori_store_log_id(s));
	assert_int_not_equal(ops()->config_set(r, "t", "1", &err), 0);
	assert_int_equal(ops()->config_get(s, "t", keep, value, &err), MAMORI_E_NOTFOUND);
	bare_close(r);
	mamori_store_close(&s);
}

/* ---- meta, config, the policy table ---- */

static void
test_meta_and_config(void **state)
{
	struct mamori_store *s = fixture_store("meta.db", POLICY);
	struct mamori_error err = { 0 };
	char value[256] = "";
	int64_t before;

	(void)state;
	assert_int_equal(ops()->meta_get(s, "log_id", keep, value, &err), 0);
	assert_string_equal(value, mamori_store_log_id(s));
	assert_int_equal(strlen(value), 32);
	assert_int_equal(ops()->meta_get(s, "created", keep, value, &err), 0);
	assert_int_equal(strncmp(value, "20", 2), 0);
	assert_int_equal(ops()->meta_get(s, "nothing", keep, value, &err), MAMORI_E_NOTFOUND);
	assert_int_equal(ops()->meta_put(s, "extra", "値", &err), 0);
	assert_int_equal(ops()->meta_get(s, "extra", keep, value, &err), 0);
	assert_string_equal(value, "値");
	assert_int_equal(ops()->meta_put(s, "extra", "again", &err), MAMORI_E_CONFLICT);	/* a key is put once */
	assert_int_equal(ops()->meta_get(s, "extra", stop, NULL, &err), 42);	/* the callback's answer */

	assert_int_equal(ops()->config_get(s, "head.every_events", keep, value, &err), MAMORI_E_NOTFOUND);
	before = ops()->changes(s);
	assert_int_equal(ops()->config_set(s, "head.every_events", "7", &err), 0);
	assert_true(ops()->changes(s) > before);
	assert_int_equal(ops()->config_get(s, "head.every_events", keep, value, &err), 0);
	assert_string_equal(value, "7");
	assert_int_equal(mamori_store_config_int(s, "head.every_events", 1000), 7);
	assert_int_equal(ops()->config_set(s, "head.every_events", "9", &err), 0);	/* replaced */
	assert_int_equal(ops()->config_get(s, "head.every_events", keep, value, &err), 0);
	assert_string_equal(value, "9");
	mamori_store_close(&s);
}

static void
test_policy_table(void **state)
{
	struct mamori_store *s = fixture_store("policy.db", POLICY);
	struct mamori_error err = { 0 };
	struct policy_seen seen = { 0 };
	int64_t v = -1, put = -1;

	(void)state;
	assert_int_equal(ops()->policy_version(s, &v, &err), 0);
	assert_int_equal(v, 1);
	assert_int_equal(ops()->policy_latest(s, keep_policy, &seen, &err), 0);
	assert_int_equal(seen.version, 1);
	assert_non_null(strstr(seen.json, mamori_store_policy(s)->id));
	assert_int_equal(ops()->policy_put(s, "next", "00", "{\"id\":\"next\"}", "2026-12-06T00:00:00.000000Z",
	    &put, &err), 0);
	assert_int_equal(put, 2);
	assert_int_equal(ops()->policy_version(s, &v, &err), 0);
	assert_int_equal(v, 2);
	assert_int_equal(ops()->policy_latest(s, keep_policy, &seen, &err), 0);
	assert_int_equal(seen.version, 2);
	assert_string_equal(seen.json, "{\"id\":\"next\"}");
	free(seen.json);
	mamori_store_close(&s);
}

/* ---- the read snapshot ---- */

static void
test_read_snapshot(void **state)
{
	struct mamori_store *s = fixture_store("snap.db", POLICY), *w = NULL;
	struct mamori_error err = { 0 };
	char value[256] = "";
	int64_t v;

	(void)state;
	assert_int_equal(mamori_store_config_set(s, "test:unit", "t", "1", &err), 0);
	assert_int_equal(mamori_store_open(mamori_store_location(s), &w, &err), 0);
	v = ops()->read_begin(s);
	assert_true(v >= 0);
	assert_int_equal(ops()->read_begin(s), -1);	/* one at a time: the first goes on */
	assert_int_equal(ops()->data_version(s), v);
	/* another connection commits: the snapshot does not see it */
	assert_int_equal(mamori_store_config_set(w, "test:unit", "t", "2", &err), 0);
	assert_int_equal(ops()->config_get(s, "t", keep, value, &err), 0);
	assert_string_equal(value, "1");
	ops()->read_end(s);
	ops()->read_end(s);	/* no transaction: nothing to end */
	assert_int_equal(ops()->config_get(s, "t", keep, value, &err), 0);
	assert_string_equal(value, "2");
	assert_true(ops()->data_version(s) != v);
	mamori_store_close(&w);
	mamori_store_close(&s);
}

/* A read snapshot cannot start inside a write transaction (whose end it would take over). */
static int
read_in_write(struct mamori_store_tx *tx, void *arg)
{
	struct mamori_store *s = mamori_store_tx_store(tx);

	(void)arg;
	assert_int_equal(ops()->read_begin(s), -1);
	return mamori_store_tx_event(tx, "test.read", "test", "t", NULL, NULL);
}

static void
test_read_in_write(void **state)
{
	struct mamori_store *s = fixture_store("readwrite.db", POLICY);
	struct mamori_error err = { 0 };
	uint64_t before, after;

	(void)state;
	assert_int_equal(s->backend->audit->size(s, &before, &err), 0);
	assert_int_equal(mamori_store_write(s, "test:unit", read_in_write, NULL, &err), 0);
	assert_int_equal(s->backend->audit->size(s, &after, &err), 0);
	assert_int_equal(after, before + 1);	/* committed by the write, as written */
	assert_true(ops()->read_begin(s) >= 0);
	ops()->read_end(s);
	mamori_store_close(&s);
}

/* ---- copies ---- */

static void
test_copies(void **state)
{
	struct mamori_store *s = fixture_store("orig.db", POLICY);
	struct store_meta_summary sum = { .events = -1 };
	struct mamori_error err = { 0 };
	char snap[4096], copy[4096], bad[4096];
	uint64_t size;
	FILE *f;

	(void)state;
	if (ops()->copy == NULL) {
		/* PostgreSQL's: a store in a database is copied by pg_dump, not into a
		 * file, and is never older than its schema (nothing to snapshot) */
		assert_int_not_equal(ops()->snapshot(s, "/nonexistent", &err), 0);
		mamori_store_close(&s);
		skip();
	}
	assert_int_equal(mamori_store_config_set(s, "test:unit", "t", "1", &err), 0);
	assert_int_equal(s->backend->audit->size(s, &size, &err), 0);
	assert_true(size >= 2);
	/* the store as s sees it, into a file; and that file copied by path */
	empty_file(snap, sizeof(snap), "orig.snap");
	assert_int_equal(ops()->snapshot(s, snap, &err), 0);
	empty_file(copy, sizeof(copy), "orig.copy");
	assert_int_equal(ops()->copy(snap, copy, &sum, &err), 0);
	assert_string_equal(sum.log_id, mamori_store_log_id(s));
	assert_int_equal(sum.events, (int64_t)size);
	assert_int_equal(sum.schema, MAMORI_STORE_SCHEMA);
	/* a file that is no store is refused */
	fixture_path(bad, sizeof(bad), "not-a-store");
	assert_non_null(f = fopen(bad, "w"));
	fputs("this is not a database, only text of some length to fill a page or so\n", f);
	fclose(f);
	empty_file(copy, sizeof(copy), "bad.copy");
	assert_int_not_equal(ops()->copy(bad, copy, &sum, &err), 0);
	mamori_store_close(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_and_migrate),
		cmocka_unit_test(test_reader),
		cmocka_unit_test(test_meta_and_config),
		cmocka_unit_test(test_policy_table),
		cmocka_unit_test(test_read_snapshot),
		cmocka_unit_test(test_read_in_write),
		cmocka_unit_test(test_copies),
	};

	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
