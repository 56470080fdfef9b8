/* test_store.c — the store: creation, durability settings, the single write
 * path (commit with its event, rollback leaving nothing), canonical event
 * bodies, schema versions (refusal of a newer store, migration from schema 1
 * in one transaction).  On PostgreSQL (fixture.h) as on SQLite, except what
 * is SQLite's alone: its file's settings and modes, and the migrations from
 * earlier schemas (a PostgreSQL store begins at the newest). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mamori/auth.h"
#include "mamori/store.h"
#include "mamori/user.h"
#include "canon.h"
#include <sqlite3.h>

/* the store's internals this test checks (store_now, store_tx_now), none of its SQL */
#include "store_internal.h"
#include "store_ops_meta.h"
#include "store_sqlite.h"	/* store_migration_sql: stores of every earlier schema */
#include "fixture.h"

#define POLICY SRCDIR "/tests/store/policy.yaml"

/* The first column of the first row of sql, as a malloc'd string. */
static char *
query_text(struct mamori_store *s, const char *sql)
{
	return fixture_query_text(s, sql);
}

/* The schema version as stored: SQLite's user_version, PostgreSQL's table of its own. */
static int64_t
stored_schema(struct mamori_store *s)
{
	return fixture_query_int(s, fixture_pg() ? "SELECT max(version) FROM schema_version" : "PRAGMA user_version");
}

static void
test_create_and_settings(void **state)
{
	struct mamori_store *s = fixture_store("a.db", POLICY);
	char *mode, *body;

	(void)state;
	if (!fixture_pg()) {
		mode = query_text(s, "PRAGMA journal_mode");
		assert_string_equal(mode, "wal");
		free(mode);
		/* the settings of each connection: test_meta_ops.c */
		assert_int_equal(fixture_query_int(s, "PRAGMA page_size"), 16384);	/* new stores only */
	}
	assert_int_equal(stored_schema(s), MAMORI_STORE_SCHEMA);
	assert_string_equal(mamori_store_policy(s)->id, "test-store");
	/* the policy is kept with its hash, and its load is the first event */
	assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM policy WHERE id = 'test-store' AND length(sha256) = 64"), 1);
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
	if (fixture_pg()) {
		/* a schema that holds a store already */
		struct mamori_store *first = fixture_store("exists.db", POLICY);
		assert_int_equal(mamori_store_create(mamori_store_location(first), POLICY, "test", &d, &s, &err),
		    MAMORI_E_CONFLICT);
		assert_null(s);
		assert_non_null(strstr(err.message, "exists already"));
		mamori_store_close(&first);
		mamori_diags_clear(&d);
		return;
	}
	fixture_path(db, sizeof(db), "exists.db");
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
	char db[1024], yaml[128], cmd[300];

	(void)state;
	fixture_path(yaml, sizeof(yaml), "copy.yaml");
	fixture_location(db, sizeof(db), "nyaml.db");
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
	char db[1024], path[128];

	(void)state;
	fixture_location(db, sizeof(db), "none.db");
	fixture_path(path, sizeof(path), "none.db");
	assert_int_equal(mamori_store_open(db, &s, &err), MAMORI_E_IO);
	assert_non_null(strstr(err.message, "mamori init --policy"));
	assert_int_equal(access(path, F_OK), -1);	/* opening never creates */
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

	struct mamori_store *s = mamori_store_tx_store(tx);

	/* a row changed through the backend, beside the audit trail */
	if ((rc = s->backend->meta->config_set(s, "t", "x", &err)) != 0)
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
	struct mamori_store *s = fixture_store("w.db", POLICY);
	struct mamori_error err = { 0 };
	struct change c = { 1 };
	int64_t events = 0;
	char *row;

	(void)state;
	events = fixture_query_int(s, "SELECT count(*) FROM audit_event");
	/* a failing change leaves nothing: neither the change nor its event */
	assert_int_equal(mamori_store_write(s, "test:unit", change_tx, &c, &err), MAMORI_E_DENIED);
	assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM config WHERE key = 't'"), 0);
	assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM audit_event"), events);
	/* a change without its event is refused and rolled back */
	c.fail = 2;
	assert_int_equal(mamori_store_write(s, "test:unit", change_tx, &c, &err), MAMORI_E_STORE);
	assert_non_null(strstr(err.message, "without its audit event"));
	assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM config WHERE key = 't'"), 0);
	/* no actor, no change */
	c.fail = 0;
	assert_int_equal(mamori_store_write(s, "", change_tx, &c, &err), MAMORI_E_USAGE);
	/* a good change commits with its event, in canonical JSON, with the actor and a UTC time */
	assert_int_equal(mamori_store_write(s, "test:unit", change_tx, &c, &err), 0);
	assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM config WHERE key = 't'"), 1);
	assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM audit_event"), events + 1);
	row = query_text(s, "SELECT actor || '|' || action || '|' || object_type || '|' || object_id || '|' || body "
	    "FROM audit_event ORDER BY seq DESC LIMIT 1");
	assert_string_equal(row, "test:unit|test.change|config|t|{\"after\":{\"a\":1,\"z\":\"最後\"},\"before\":null}");
	free(row);
	row = query_text(s, "SELECT time FROM audit_event ORDER BY seq DESC LIMIT 1");
	assert_int_equal(strlen(row), 27);	/* 2026-11-22T18:00:00.123456Z */
	assert_true(row[10] == 'T' && row[19] == '.' && row[26] == 'Z');
	free(row);
	/* seq has no gaps: the failed writes took no numbers */
	assert_int_equal(fixture_query_int(s, "SELECT max(seq) - count(*) FROM audit_event"), 0);
	mamori_store_close(&s);
}

static void
test_config(void **state)
{
	struct mamori_store *s = fixture_store("c.db", POLICY);
	struct mamori_error err = { 0 };

	(void)state;
	assert_int_equal(mamori_store_config_int(s, "head.every_events", 1000), 1000);
	assert_int_equal(mamori_store_config_set(s, "test:unit", "head.every_events", "50", &err), 0);
	assert_int_equal(mamori_store_config_int(s, "head.every_events", 1000), 50);
	assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM audit_event WHERE action = 'config.set'"), 1);
	mamori_store_close(&s);
}

static void
test_newer_store_refused(void **state)
{
	struct mamori_store *s = fixture_store("n.db", POLICY);
	struct mamori_error err = { 0 };
	char db[1024], want[200];

	(void)state;
	fixture_exec(s, fixture_pg() ? "UPDATE schema_version SET version = 99" : "PRAGMA user_version = 99");
	snprintf(db, sizeof(db), "%s", mamori_store_location(s));
	mamori_store_close(&s);
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

	fixture_path(db, n, name);
	snprintf(cmd, sizeof(cmd), "cp %s/tests/store/v1.db %s && chmod 600 %s && cp %s/tests/store/v1.db.pub %s.pub", SRCDIR, db,
	    db, SRCDIR, db);
	assert_int_equal(system(cmd), 0);
}

static void
test_migration_from_v1(void **state)
{
	struct mamori_store *fresh = NULL, *s = NULL;
	struct mamori_error err = { 0 };
	char db[128], *a, *b, *name;

	(void)state;
	mamori_store_close(&fresh);
	if (fixture_pg())
		skip();		/* a file of SQLite's first schema */
	fresh = fixture_store("fresh.db", POLICY);
	copy_v1("v1.db", db, sizeof(db));
	assert_int_equal(mamori_store_open(db, &s, &err), 0);
	assert_int_equal(stored_schema(s), MAMORI_STORE_SCHEMA);
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
	if (fixture_pg())
		skip();		/* SQLite's migrations, on a file of its first schema */
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

/*
 * A store at schema version v as that version's mamori left it: migrations
 * 0 … v - 1 of this source (the same SQL the mamori of version v ran), the
 * meta rows, the policy of fresh and one asset.
 */
static void
store_at_version(const char *db, int v, struct mamori_store *fresh)
{
	char *json = query_text(fresh, "SELECT json FROM policy"), *id = query_text(fresh, "SELECT id FROM policy");
	sqlite3_stmt *st;
	sqlite3 *raw;
	FILE *f;

	assert_non_null(f = fopen(db, "wx"));
	fclose(f);
	assert_int_equal(chmod(db, 0600), 0);
	assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
	for (int i = 0; i < v; i++)
		assert_int_equal(sqlite3_exec(raw, store_migration_sql(i), NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "INSERT INTO meta VALUES ('log_id', 'old'), ('created', '2024-04-01');"
	    "INSERT INTO asset (id, name, kind, department, c, i, a, created, updated) "
	    "VALUES ('A-000001', '旧台帳', 'data', 'soumu', 2, 2, 2, '2024-04-01', '2024-04-01')", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(raw, "INSERT INTO policy (id, sha256, json, loaded_at) "
	    "VALUES (?1, 'x', ?2, '2024-04-01')", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, json, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	{
		char sql[64];
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v);
		assert_int_equal(sqlite3_exec(raw, sql, NULL, NULL, NULL), SQLITE_OK);
	}
	sqlite3_close(raw);
	free(json);
	free(id);
}

/*
 * Every earlier schema version opens with this mamori (the package's
 * upgrade path, docs/service.md): the schema becomes a new store's, the data
 * stays, and a copy of the store as it was is left beside it first.
 */
static void
test_migration_from_every_version(void **state)
{
	struct mamori_store *fresh, *s;
	struct mamori_error err = { 0 };
	char db[128], name[64], bak[200], *a, *b;
	struct stat sb;
	sqlite3 *raw;

	(void)state;
	if (fixture_pg())
		skip();		/* SQLite's files of every earlier schema */
	fresh = fixture_store("every-fresh.db", POLICY);
	b = schema_of(fresh);
	assert_null(store_migration_sql(MAMORI_STORE_SCHEMA));
	for (int v = 1; v < MAMORI_STORE_SCHEMA; v++) {
		snprintf(name, sizeof(name), "every-v%d.db", v);
		fixture_path(db, sizeof(db), name);
		store_at_version(db, v, fresh);
		s = NULL;
		if (mamori_store_open(db, &s, &err) != 0)
			fail_msg("schema %d: %s", v, err.message);
		assert_int_equal(stored_schema(s), MAMORI_STORE_SCHEMA);
		a = schema_of(s);
		assert_string_equal(a, b);
		free(a);
		a = query_text(s, "SELECT name FROM asset WHERE id = 'A-000001'");
		assert_string_equal(a, "旧台帳");
		free(a);
		mamori_store_close(&s);
		/* the copy made before the upgrade: private, at the old version */
		snprintf(bak, sizeof(bak), "%s.schema-%d.bak", db, v);
		assert_int_equal(stat(bak, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0600);
		assert_int_equal(sqlite3_open(bak, &raw), SQLITE_OK);
		{
			sqlite3_stmt *st;
			assert_int_equal(sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
			assert_int_equal(sqlite3_step(st), SQLITE_ROW);
			assert_int_equal(sqlite3_column_int(st, 0), v);
			sqlite3_finalize(st);
		}
		sqlite3_close(raw);
	}
	free(b);
	mamori_store_close(&fresh);
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
	struct mamori_store *s = fixture_store("now.db", POLICY);
	struct mamori_error err = { 0 };

	(void)state;
	assert_int_equal(mamori_store_write(s, "test:unit", check_now, NULL, &err), 0);
	mamori_store_close(&s);
}

/* ---- files at rest ---------------------------------------------------- */

static unsigned
mode_of(const char *path)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		fail_msg("%s: missing", path);
	return (unsigned)(sb.st_mode & 07777);
}

static void
expect_mode(const char *base, const char *suffix, unsigned want)
{
	char path[256];

	snprintf(path, sizeof(path), "%s%s", base, suffix);
	if (mode_of(path) != want)
		fail_msg("%s: mode %04o, expected %04o", path, mode_of(path), want);
}

/* Every file mamori makes for a store is its owner's alone, whatever the umask. */
static void
test_files_private_whatever_umask(void **state)
{
	static const mode_t masks[] = { 022, 000, 002, 077 };
	char name[32], db[128], heads[160], published[256];

	(void)state;
	for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		struct mamori_error err = { 0 };
		struct mamori_store *s;
		mode_t old = umask(masks[i]);

		snprintf(name, sizeof(name), "umask%03o.db", (unsigned)masks[i]);
		fixture_path(db, sizeof(db), name);
		snprintf(heads, sizeof(heads), "%s.heads", db);
		assert_int_equal(mkdir(heads, 0700), 0);
		assert_int_equal(setenv("MAMORI_HEADS_OUT", heads, 1), 0);
		s = fixture_store(name, POLICY);
		unsetenv("MAMORI_HEADS_OUT");
		/* a write keeps the -wal and -shm while the store is open */
		assert_int_equal(mamori_user_add(s, "test:unit", "sato", "ciso", NULL, "正しい馬", false, &err), 0);
		if (!fixture_pg()) {	/* SQLite's file; PostgreSQL's files are the keys alone */
			expect_mode(db, "", 0600);
			expect_mode(db, "-wal", 0600);
			expect_mode(db, "-shm", 0600);
		}
		expect_mode(db, ".key", 0600);
		expect_mode(db, ".totp-key", 0600);
		snprintf(published, sizeof(published), "%s/%s.heads", heads, mamori_store_log_id(s));
		assert_int_equal(mode_of(published), 0640);
		mamori_store_close(&s);
		umask(old);
	}
}

struct sunk {
	char lines[4][MAMORI_HEAD_LINE_MAX];
	int n;
};

static void
sink(const char *line, void *data)
{
	struct sunk *k = data;

	if (k->n < 4)
		snprintf(k->lines[k->n], sizeof(k->lines[0]), "%s", line);
	k->n++;
}

/*
 * Heads reach the sink (syslog's, mamori_head_syslog, in a server) as they are
 * signed, committed, one line each: the line is the head the store keeps.
 */
static void
test_head_sink(void **state)
{
	struct mamori_error err = { 0 };
	struct mamori_store *s = fixture_store("sink.db", POLICY);
	struct mamori_head signed_head, latest, *back = NULL;
	struct sunk k = { .n = 0 };
	char path[160];
	size_t n = 0;
	FILE *f;

	(void)state;
	mamori_store_head_sink(s, sink, &k);
	assert_int_equal(mamori_user_add(s, "test:unit", "sato", "ciso", NULL, "正しい馬", false, &err), 0);
	assert_int_equal(k.n, 0);	/* not due by the schedule */
	assert_int_equal(mamori_audit_sign_head(s, &signed_head, &err), 0);
	assert_int_equal(k.n, 1);
	assert_int_equal(mamori_audit_sign_head(s, &signed_head, &err), 0);
	assert_int_equal(k.n, 1);	/* nothing new: the same head, not sent again */
	assert_int_equal(mamori_audit_latest_head(s, &latest, &err), 0);
	fixture_path(path, sizeof(path), "sink.log");
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", k.lines[0]);
	fclose(f);
	assert_int_equal(mamori_heads_read_file(path, &back, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(back[0].seq, latest.seq);
	assert_int_equal(back[0].size, latest.size);
	assert_memory_equal(back[0].root, latest.root, 32);
	assert_memory_equal(back[0].signature, latest.signature, 64);
	free(back);
	mamori_store_head_sink(s, NULL, NULL);
	assert_int_equal(mamori_user_add(s, "test:unit", "suzuki", "ciso", NULL, "正しい馬", false, &err), 0);
	assert_int_equal(mamori_audit_sign_head(s, &signed_head, &err), 0);
	assert_int_equal(k.n, 1);	/* no sink, nothing sent */
	mamori_store_close(&s);
}

/* A store that others may read (or its group change) is refused, with the chmod to run. */
static void
test_readable_store_refused(void **state)
{
	static const struct {
		unsigned mode;
		bool ok;
	} cases[] = { { 0644, false }, { 0604, false }, { 0660, false }, { 0666, false }, { 0640, true }, { 0600, true } };
	struct mamori_store *s;
	char db[128], side[160], want[512];

	(void)state;
	if (fixture_pg())
		skip();		/* the modes of SQLite's file */
	s = fixture_store("readable.db", POLICY);
	fixture_path(db, sizeof(db), "readable.db");
	mamori_store_close(&s);
	snprintf(want, sizeof(want), "chmod 600 %s %s-wal %s-shm", db, db, db);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mamori_error err = { 0 };
		assert_int_equal(chmod(db, cases[i].mode), 0);
		int rc = mamori_store_open(db, &s, &err);
		if (cases[i].ok) {
			assert_int_equal(rc, 0);
			mamori_store_close(&s);
			continue;
		}
		assert_int_equal(rc, MAMORI_E_IO);
		assert_null(s);
		if (strstr(err.message, want) == NULL)
			fail_msg("mode %04o: no '%s' in: %s", cases[i].mode, want, err.message);
	}
	/* a -wal others may read is refused too */
	assert_int_equal(chmod(db, 0600), 0);
	snprintf(side, sizeof(side), "%s-wal", db);
	fclose(fopen(side, "a"));
	assert_int_equal(chmod(side, 0644), 0);
	{
		struct mamori_error err = { 0 };
		assert_int_equal(mamori_store_open(db, &s, &err), MAMORI_E_IO);
		assert_non_null(strstr(err.message, "-wal"));
	}
	unlink(side);
}

/* Whether the file holds the bytes of needle anywhere. */
static bool
file_holds(const char *path, const char *needle)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 20, n = 0, got;
	char *buf = malloc(cap);
	bool found = false;

	assert_non_null(buf);
	if (f == NULL) {
		free(buf);
		return false;
	}
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap)
			assert_non_null(buf = realloc(buf, cap *= 2));
	}
	fclose(f);
	found = memmem(buf, n, needle, strlen(needle)) != NULL;
	free(buf);
	return found;
}

static bool
store_files_hold(const char *db, const char *needle)
{
	char side[160];

	snprintf(side, sizeof(side), "%s-wal", db);
	return file_holds(db, needle) || file_holds(side, needle);
}

static int
login(struct mamori_store *s, const char *name, const char *secret, time_t now)
{
	struct mamori_error err = { 0 };
	char code[7];

	assert_true(mamori_auth_totp_code(secret, now, code));
	return mamori_user_login(s, name, "正しい馬", code, "test", now, NULL, &err);
}

/* TOTP secrets are sealed at rest; logging in with a code still works. */
static void
test_totp_sealed(void **state)
{
	struct mamori_store *s = fixture_store("totp.db", POLICY);
	struct mamori_error err = { 0 };
	char db[128], secret[MAMORI_TOTP_SECRET_LEN], key[160], loc[1024], *stored;
	time_t now = time(NULL);

	(void)state;
	fixture_path(db, sizeof(db), "totp.db");	/* SQLite's file; PostgreSQL's files= prefix */
	snprintf(loc, sizeof(loc), "%s", mamori_store_location(s));
	assert_int_equal(mamori_user_add(s, "test:unit", "suzuki", "ciso", NULL, "正しい馬", false, &err), 0);
	assert_int_equal(mamori_user_add(s, "test:unit", "kato", "ciso", NULL, "正しい馬", false, &err), 0);
	assert_int_equal(mamori_user_mfa_enroll(s, "test:unit", "suzuki", secret, &err), 0);
	assert_int_equal(strlen(secret), 32);
	assert_false(store_files_hold(db, secret));
	stored = query_text(s, "SELECT totp_secret FROM \"user\" WHERE name = 'suzuki'");
	assert_true(mamori_auth_totp_is_sealed(stored));
	free(stored);
	assert_int_equal(login(s, "suzuki", secret, now), 0);
	assert_int_equal(login(s, "suzuki", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", now + 60), MAMORI_E_DENIED);
	mamori_store_close(&s);
	assert_false(store_files_hold(db, secret));
	/* reopened: the secret opens with the key beside the store */
	assert_int_equal(mamori_store_open(loc, &s, &err), 0);
	assert_int_equal(login(s, "suzuki", secret, now + 60), 0);
	/* a sealed secret copied into another account's row does not open there */
	fixture_exec(s, "UPDATE \"user\" SET totp_secret = (SELECT totp_secret FROM \"user\" "
	    "WHERE name = 'suzuki') WHERE name = 'kato'");
	assert_int_equal(login(s, "kato", secret, now + 90), MAMORI_E_DENIED);
	/* a secret written in clear behind mamori's back is refused, not used */
	fixture_exec(s, "UPDATE \"user\" SET totp_secret = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' "
	    "WHERE name = 'kato'");
	assert_int_equal(login(s, "kato", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", now + 120), MAMORI_E_DENIED);
	mamori_store_close(&s);
	/* without its key no secret opens */
	snprintf(key, sizeof(key), "%s.totp-key", db);
	{
		char moved[192];
		snprintf(moved, sizeof(moved), "%s.moved", key);
		assert_int_equal(rename(key, moved), 0);
		assert_int_equal(mamori_store_open(loc, &s, &err), 0);
		assert_int_equal(login(s, "suzuki", secret, now + 150), MAMORI_E_DENIED);
		mamori_store_close(&s);
		assert_int_equal(rename(moved, key), 0);
	}
}

/*
 * A store of schema 5 (its TOTP secrets in clear, no key to seal them, heads
 * without numbers) is upgraded on open: the key is made, every secret sealed
 * in the same transaction as the schema change, and logins go on working.
 */
static void
test_migration_seals_totp(void **state)
{
	struct mamori_store *s;
	struct mamori_error err = { 0 };
	char db[128], secret[MAMORI_TOTP_SECRET_LEN], key[160], sql[256], *stored;
	time_t now = time(NULL);

	(void)state;
	if (fixture_pg())
		skip();		/* SQLite's migration from schema 5 */
	s = fixture_store("v5.db", POLICY);
	fixture_path(db, sizeof(db), "v5.db");
	snprintf(key, sizeof(key), "%s.totp-key", db);
	assert_int_equal(mamori_user_add(s, "test:unit", "suzuki", "ciso", NULL, "正しい馬", false, &err), 0);
	assert_int_equal(mamori_user_add(s, "test:unit", "kato", "ciso", NULL, "正しい馬", false, &err), 0);
	/* back to schema 5 as that mamori left it */
	mamori_auth_totp_secret(secret);
	snprintf(sql, sizeof(sql), "UPDATE user SET totp_secret = '%s' WHERE name = 'suzuki'", secret);
	fixture_exec(s, sql);
	fixture_exec(s, "DELETE FROM tree_head; DROP INDEX tree_head_seq; "
	    "ALTER TABLE tree_head DROP COLUMN seq; ALTER TABLE user DROP COLUMN password_temporary; "
	    "DROP TABLE record; DROP TABLE record_notice; DROP INDEX asset_name; DROP INDEX asset_updated; "
	    "DROP INDEX asset_without_owner; DROP TABLE record_file; ALTER TABLE user DROP COLUMN email; DROP TABLE check_answer; "
	    "PRAGMA user_version = 5");
	mamori_store_close(&s);
	assert_int_equal(unlink(key), 0);
	assert_true(store_files_hold(db, secret));
	assert_int_equal(mamori_store_open(db, &s, &err), 0);
	assert_int_equal(stored_schema(s), MAMORI_STORE_SCHEMA);
	assert_int_equal(mode_of(key), 0600);
	stored = query_text(s, "SELECT totp_secret FROM user WHERE name = 'suzuki'");
	assert_true(mamori_auth_totp_is_sealed(stored));
	free(stored);
	assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM user WHERE totp_secret IS NULL"), 1);
	assert_int_equal(login(s, "suzuki", secret, now), 0);
	/* the first numbered head after the upgrade is #1 */
	{
		struct mamori_head h;
		assert_int_equal(mamori_audit_sign_head(s, &h, &err), 0);
		assert_int_equal(h.seq, 1);
	}
	mamori_store_close(&s);
	/* the bytes in clear are overwritten, not merely freed (secure_delete) */
	assert_false(store_files_hold(db, secret));
}

/*
 * tests/store/v5.db was made by the mamori of schema 5 (commit e198e1c): init
 * with tests/store/policy.yaml, an asset, accounts suzuki (password 正しい馬,
 * TOTP enrolled with the secret below) and kato, and a head; its secret
 * key is not shipped.  Opened here, it is upgraded: the secret sealed, the
 * trail intact under its own public key, and suzuki logs in with a code.
 */
static void
test_migration_from_v5(void **state)
{
	static const char secret[] = "UTXENWV4SRSYVKYCUMF23MAAETHQQHAR";
	struct mamori_store *s = NULL;
	struct mamori_error err = { 0 };
	char db[128], cmd[600], pub[160], summary[512], *stored;
	unsigned char pk[32];

	(void)state;
	if (fixture_pg())
		skip();		/* a file of SQLite's schema 5 */
	fixture_path(db, sizeof(db), "v5.db");
	snprintf(cmd, sizeof(cmd), "cp %s/tests/store/v5.db %s && chmod 600 %s && cp %s/tests/store/v5.db.pub %s.pub",
	    SRCDIR, db, db, SRCDIR, db);
	assert_int_equal(system(cmd), 0);
	assert_true(store_files_hold(db, secret));
	assert_int_equal(mamori_store_open(db, &s, &err), 0);
	assert_int_equal(stored_schema(s), MAMORI_STORE_SCHEMA);
	stored = query_text(s, "SELECT totp_secret FROM user WHERE name = 'suzuki'");
	assert_true(mamori_auth_totp_is_sealed(stored));
	free(stored);
	assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM user WHERE name = 'kato' AND totp_secret IS NULL"), 1);
	snprintf(pub, sizeof(pub), "%s.pub", db);
	assert_int_equal(mamori_audit_read_pubkey(pub, pk, &err), 0);
	if (mamori_audit_verify(s, pk, NULL, 0, summary, sizeof(summary), &err) != 0)
		fail_msg("the migrated trail: %s", err.message);
	assert_non_null(strstr(summary, "ok: 5 events"));
	assert_int_equal(login(s, "suzuki", secret, time(NULL)), 0);
	mamori_store_close(&s);
	assert_false(store_files_hold(db, secret));
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
		cmocka_unit_test(test_tx_now),
		cmocka_unit_test(test_files_private_whatever_umask),
		cmocka_unit_test(test_head_sink),
		cmocka_unit_test(test_readable_store_refused),
		cmocka_unit_test(test_totp_sealed),
		cmocka_unit_test(test_migration_seals_totp),
		cmocka_unit_test(test_migration_from_v5),
		cmocka_unit_test(test_migration_from_every_version),
	};
	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
