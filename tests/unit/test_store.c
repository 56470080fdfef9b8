/* test_store.c — the store: creation, durability settings, the single write
 * path (commit with its event, rollback leaving nothing), canonical event
 * bodies, schema versions (refusal of a newer store, migration from schema 1
 * in one transaction). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mamori/store.h"
#include "canon.h"
#include "store_internal.h"

#define POLICY SRCDIR "/tests/store/policy.yaml"

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/mamori-store-XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
path_in(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static struct mamori_store *
new_store(const char *name)
{
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	struct mamori_store *s = NULL;
	char db[128];

	path_in(db, sizeof(db), name);
	if (mamori_store_create(db, POLICY, "test:unit", &d, &s, &err) != 0)
		fail_msg("create %s: %s", db, err.message);
	mamori_diags_clear(&d);
	return s;
}

/* The first column of the first row of sql, as an integer. */
static int64_t
query_int(struct mamori_store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(s->db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The first column of the first row of sql, as a malloc'd string. */
static char *
query_text(struct mamori_store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	char *v = NULL;

	assert_int_equal(sqlite3_prepare_v2(s->db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

static void
test_create_and_settings(void **state)
{
	struct mamori_store *s = new_store("a.db");
	char *mode, *body;

	(void)state;
	mode = query_text(s, "PRAGMA journal_mode");
	assert_string_equal(mode, "wal");
	free(mode);
	assert_int_equal(query_int(s, "PRAGMA synchronous"), 2);	/* FULL */
	assert_int_equal(query_int(s, "PRAGMA foreign_keys"), 1);
	assert_int_equal(query_int(s, "PRAGMA page_size"), 16384);	/* new stores only */
	assert_int_equal(query_int(s, "PRAGMA mmap_size"), 2147418112);
	assert_int_equal(query_int(s, "PRAGMA user_version"), MAMORI_STORE_SCHEMA);
	assert_string_equal(mamori_store_policy(s)->id, "test-store");
	/* the policy is kept with its hash, and its load is the first event */
	assert_int_equal(query_int(s, "SELECT count(*) FROM policy WHERE id = 'test-store' AND length(sha256) = 64"), 1);
	body = query_text(s, "SELECT action || ' ' || object_id FROM audit_event WHERE seq = 1");
	assert_string_equal(body, "policy.load test-store");
	free(body);
	mamori_store_close(&s);
	assert_null(s);
	mamori_store_close(&s);	/* accepts NULL */
}

static void
test_create_refuses_existing_file(void **state)
{
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	struct mamori_store *s = NULL;
	char db[128];
	FILE *f;

	(void)state;
	path_in(db, sizeof(db), "exists.db");
	f = fopen(db, "w");
	assert_non_null(f);
	fputs("not a store", f);
	fclose(f);
	assert_int_equal(mamori_store_create(db, POLICY, "test", &d, &s, &err), MAMORI_E_CONFLICT);
	assert_null(s);
	assert_non_null(strstr(err.message, "exists already"));
	mamori_diags_clear(&d);
}

static void
test_opens_without_the_yaml(void **state)
{
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	struct mamori_store *s = NULL;
	char db[128], yaml[128], cmd[300];

	(void)state;
	path_in(yaml, sizeof(yaml), "copy.yaml");
	path_in(db, sizeof(db), "nyaml.db");
	snprintf(cmd, sizeof(cmd), "cp %s %s", POLICY, yaml);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(mamori_store_create(db, yaml, "test", &d, &s, &err), 0);
	mamori_store_close(&s);
	assert_int_equal(unlink(yaml), 0);
	assert_int_equal(mamori_store_open(db, &s, &err), 0);
	assert_string_equal(mamori_store_policy(s)->id, "test-store");
	assert_non_null(mamori_policy_find_department(mamori_store_policy(s), "税務課"));
	mamori_store_close(&s);
	mamori_diags_clear(&d);
}

static void
test_open_missing(void **state)
{
	struct mamori_error err = { 0 };
	struct mamori_store *s = NULL;
	char db[128];

	(void)state;
	path_in(db, sizeof(db), "none.db");
	assert_int_equal(mamori_store_open(db, &s, &err), MAMORI_E_IO);
	assert_non_null(strstr(err.message, "mamori init --policy"));
	assert_int_equal(access(db, F_OK), -1);	/* opening never creates */
}

/* A change and its event; fail = 1 fails after both, fail = 2 changes without an event. */
struct change {
	int fail;
};

static int
change_tx(struct mamori_store_tx *tx, void *arg)
{
	struct change *c = arg;
	struct mamori_error err;
	cJSON *after;
	int rc;

	if ((rc = store_exec(mamori_store_tx_store(tx), "INSERT INTO config (key, value) VALUES ('t', 'x')", &err)) != 0)
		return rc;
	if (c->fail == 2)
		return 0;
	after = cJSON_CreateObject();
	cJSON_AddStringToObject(after, "z", "最後");
	cJSON_AddNumberToObject(after, "a", 1);
	rc = mamori_store_tx_event(tx, "test.change", "config", "t", NULL, after);
	cJSON_Delete(after);
	return c->fail == 1 ? MAMORI_E_DENIED : rc;
}

static void
test_write_path(void **state)
{
	struct mamori_store *s = new_store("w.db");
	struct mamori_error err = { 0 };
	struct change c = { 1 };
	int64_t events = 0;
	char *row;

	(void)state;
	events = query_int(s, "SELECT count(*) FROM audit_event");
	/* a failing change leaves nothing: neither the change nor its event */
	assert_int_equal(mamori_store_write(s, "test:unit", change_tx, &c, &err), MAMORI_E_DENIED);
	assert_int_equal(query_int(s, "SELECT count(*) FROM config WHERE key = 't'"), 0);
	assert_int_equal(query_int(s, "SELECT count(*) FROM audit_event"), events);
	/* a change without its event is refused and rolled back */
	c.fail = 2;
	assert_int_equal(mamori_store_write(s, "test:unit", change_tx, &c, &err), MAMORI_E_STORE);
	assert_non_null(strstr(err.message, "without its audit event"));
	assert_int_equal(query_int(s, "SELECT count(*) FROM config WHERE key = 't'"), 0);
	/* no actor, no change */
	c.fail = 0;
	assert_int_equal(mamori_store_write(s, "", change_tx, &c, &err), MAMORI_E_USAGE);
	/* a good change commits with its event, in canonical JSON, with the actor and a UTC time */
	assert_int_equal(mamori_store_write(s, "test:unit", change_tx, &c, &err), 0);
	assert_int_equal(query_int(s, "SELECT count(*) FROM config WHERE key = 't'"), 1);
	assert_int_equal(query_int(s, "SELECT count(*) FROM audit_event"), events + 1);
	row = query_text(s, "SELECT actor || '|' || action || '|' || object_type || '|' || object_id || '|' || body "
	    "FROM audit_event ORDER BY seq DESC LIMIT 1");
	assert_string_equal(row, "test:unit|test.change|config|t|{\"after\":{\"a\":1,\"z\":\"最後\"},\"before\":null}");
	free(row);
	row = query_text(s, "SELECT time FROM audit_event ORDER BY seq DESC LIMIT 1");
	assert_int_equal(strlen(row), 27);	/* 2026-11-22T18:00:00.123456Z */
	assert_true(row[10] == 'T' && row[19] == '.' && row[26] == 'Z');
	free(row);
	/* seq has no gaps: the failed writes took no numbers */
	assert_int_equal(query_int(s, "SELECT max(seq) - count(*) FROM audit_event"), 0);
	mamori_store_close(&s);
}

static void
test_config(void **state)
{
	struct mamori_store *s = new_store("c.db");
	struct mamori_error err = { 0 };

	(void)state;
	assert_int_equal(mamori_store_config_int(s, "head.every_events", 1000), 1000);
	assert_int_equal(mamori_store_config_set(s, "test:unit", "head.every_events", "50", &err), 0);
	assert_int_equal(mamori_store_config_int(s, "head.every_events", 1000), 50);
	assert_int_equal(query_int(s, "SELECT count(*) FROM audit_event WHERE action = 'config.set'"), 1);
	mamori_store_close(&s);
}

static void
test_newer_store_refused(void **state)
{
	struct mamori_store *s = new_store("n.db");
	struct mamori_error err = { 0 };
	char db[128], want[200];

	(void)state;
	assert_int_equal(store_exec(s, "PRAGMA user_version = 99", &err), 0);
	mamori_store_close(&s);
	path_in(db, sizeof(db), "n.db");
	assert_int_equal(mamori_store_open(db, &s, &err), MAMORI_E_VERSION);
	assert_null(s);
	snprintf(want, sizeof(want), "store schema version 99 is newer than this mamori (%d); upgrade mamori",
	    MAMORI_STORE_SCHEMA);
	assert_non_null(strstr(err.message, want));
}

/* The schema as SQL text, for comparing two stores (tables and indexes). */
static char *
schema_of(struct mamori_store *s)
{
	return query_text(s, "SELECT group_concat(sql, ';') FROM (SELECT sql FROM sqlite_master "
	    "WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY name)");
}

static void
copy_v1(const char *name, char *db, size_t n)
{
	char cmd[400];

	path_in(db, n, name);
	snprintf(cmd, sizeof(cmd), "cp %s/tests/store/v1.db %s && cp %s/tests/store/v1.db.pub %s.pub", SRCDIR, db,
	    SRCDIR, db);
	assert_int_equal(system(cmd), 0);
}

static void
test_migration_from_v1(void **state)
{
	struct mamori_store *fresh = new_store("fresh.db"), *s = NULL;
	struct mamori_error err = { 0 };
	char db[128], *a, *b, *name;

	(void)state;
	copy_v1("v1.db", db, sizeof(db));
	assert_int_equal(mamori_store_open(db, &s, &err), 0);
	assert_int_equal(query_int(s, "PRAGMA user_version"), MAMORI_STORE_SCHEMA);
	/* the upgraded store has exactly the schema of a new one */
	a = schema_of(s);
	b = schema_of(fresh);
	assert_string_equal(a, b);
	free(a);
	free(b);
	/* and keeps its data */
	name = query_text(s, "SELECT name FROM asset WHERE id = 'A-000001'");
	assert_string_equal(name, "旧台帳");
	free(name);
	mamori_store_close(&s);
	mamori_store_close(&fresh);
}

static void
test_failed_migration_changes_nothing(void **state)
{
	struct mamori_store *s = NULL;
	struct mamori_error err = { 0 };
	sqlite3 *raw;
	char db[128];

	(void)state;
	copy_v1("broken.db", db, sizeof(db));
	/* a table in the way of migration 1 → 2: the upgrade must fail as a whole */
	assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "CREATE TABLE api_token (x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	assert_int_equal(mamori_store_open(db, &s, &err), MAMORI_E_STORE);
	assert_non_null(strstr(err.message, "api_token"));
	assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
	{
		sqlite3_stmt *st;
		assert_int_equal(sqlite3_prepare_v2(raw, "SELECT (SELECT user_version FROM pragma_user_version), "
		    "(SELECT count(*) FROM sqlite_master WHERE name IN ('user', 'asset_status'))", -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0), 1);	/* still schema 1 */
		assert_int_equal(sqlite3_column_int(st, 1), 0);	/* nothing of migrations 2 and 3 */
		sqlite3_finalize(st);
	}
	sqlite3_close(raw);
}

/* The reference: a sorted deep copy printed by cJSON (what canon.c must equal). */
static int
ref_cmp(const void *a, const void *b)
{
	return strcmp((*(cJSON *const *)a)->string, (*(cJSON *const *)b)->string);
}

static cJSON *
ref_sorted(const cJSON *v)
{
	cJSON *out, *kids[64];
	size_t n = 0;

	if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
		return cJSON_Duplicate(v, 0);
	out = cJSON_IsObject(v) ? cJSON_CreateObject() : cJSON_CreateArray();
	for (cJSON *c = v->child; c && n < 64; c = c->next)
		kids[n++] = c;
	if (cJSON_IsObject(v))
		qsort(kids, n, sizeof(*kids), ref_cmp);
	for (size_t i = 0; i < n; i++) {
		if (cJSON_IsObject(v))
			cJSON_AddItemToObject(out, kids[i]->string, ref_sorted(kids[i]));
		else
			cJSON_AddItemToArray(out, ref_sorted(kids[i]));
	}
	return out;
}

static void
test_canonical_json(void **state)
{
	static const char *const inputs[] = {
		"{}", "[]", "null", "\"x\"", "1.5", "[1,2.25,-3e-7,1e300,true,false,null]",
		"{\"z\":1,\"a\":{\"y\":[{\"b\":2,\"a\":1}],\"x\":\"改行\\n\\\"引用\\\" \\t\\u0001\"},\"m\":[]}",
		"{\"\\\"key\\\"\":\"v\",\"日本語\":\"値\",\"A\":0,\"a\":-0.0,\"big\":12345678901234567890}",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		cJSON *v = cJSON_Parse(inputs[i]), *sorted;
		char *got, *want;
		assert_non_null(v);
		sorted = ref_sorted(v);
		want = cJSON_PrintUnformatted(sorted);
		got = mamori_canon_json(v);
		assert_string_equal(got, want);
		free(got);
		free(want);
		/* the body wraps both sides in the same way */
		got = mamori_canon_body(v, NULL);
		assert_non_null(got);
		want = cJSON_PrintUnformatted(sorted);
		assert_true(strncmp(got, "{\"after\":null,\"before\":", 23) == 0);
		assert_true(strncmp(got + 23, want, strlen(want)) == 0);
		assert_string_equal(got + 23 + strlen(want), "}");
		free(got);
		free(want);
		cJSON_Delete(sorted);
		cJSON_Delete(v);
	}
}

/* Writing strings without a tree escapes every byte exactly as cJSON prints it. */
static void
test_canon_string(void **state)
{
	static const char *const samples[] = {
		"", "plain", "日本語の値", "\"quoted\" \\ back", "tab\there\nnew\r\b\f",
		"\x01\x1f\x7f end", "ＡＢＣ　全角", "mixed \x05日本\"\\",
	};
	struct canon_buf b = { 0 };
	char one[2] = { 0, 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]) + 255; i++) {
		const char *in = samples[0];
		cJSON *v;
		char *want;
		if (i < sizeof(samples) / sizeof(samples[0]))
			in = samples[i];
		else {
			one[0] = (char)(i - sizeof(samples) / sizeof(samples[0]) + 1);	/* every byte 1 … 255 */
			in = one;
		}
		v = cJSON_CreateString(in);
		want = cJSON_PrintUnformatted(v);
		canon_buf_reset(&b);
		canon_put_raw(&b, "x", 1);	/* appends after what is there */
		canon_put_string(&b, in);
		assert_false(b.fail);
		assert_int_equal(b.buf[0], 'x');
		assert_string_equal(b.buf + 1, want);
		assert_int_equal(b.len, strlen(want) + 1);
		free(want);
		cJSON_Delete(v);
	}
	canon_buf_free(&b);
	assert_null(b.buf);
}

/* The transaction's clock prints what store_now prints: RFC 3339, microseconds, UTC. */
static int
check_now(struct mamori_store_tx *tx, void *arg)
{
	char a[32], b[32], c[32];

	(void)arg;
	store_now(a);
	store_tx_now(tx, b);
	store_tx_now(tx, c);	/* the second call reuses the formatted second */
	assert_int_equal(strlen(b), 27);
	assert_int_equal(b[10], 'T');
	assert_int_equal(b[19], '.');
	assert_int_equal(b[26], 'Z');
	assert_true(strcmp(a, b) <= 0 && strcmp(b, c) <= 0);
	for (int i = 0; i < 26; i++)	/* digits where store_now has digits */
		assert_int_equal(a[i] >= '0' && a[i] <= '9', b[i] >= '0' && b[i] <= '9');
	return mamori_store_tx_event(tx, "test.now", "test", "t", NULL, NULL);
}

static void
test_tx_now(void **state)
{
	struct mamori_store *s = new_store("now.db");
	struct mamori_error err = { 0 };

	(void)state;
	assert_int_equal(mamori_store_write(s, "test:unit", check_now, NULL, &err), 0);
	mamori_store_close(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_and_settings),
		cmocka_unit_test(test_create_refuses_existing_file),
		cmocka_unit_test(test_opens_without_the_yaml),
		cmocka_unit_test(test_open_missing),
		cmocka_unit_test(test_write_path),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_newer_store_refused),
		cmocka_unit_test(test_migration_from_v1),
		cmocka_unit_test(test_failed_migration_changes_nothing),
		cmocka_unit_test(test_canonical_json),
		cmocka_unit_test(test_canon_string),
		cmocka_unit_test(test_tx_now),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
