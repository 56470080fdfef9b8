/*
 * test_head.c — signing tree heads incrementally from the stored frontier
 * gives exactly the root computed from every stored leaf: for every size up to
 * 300 with heads at irregular sizes, after a stored frontier was damaged or
 * removed (the whole trail is read then), and on a store migrated from the
 * first schema, whose heads have no frontier (SQLite's alone).  On PostgreSQL
 * (fixture.h) the leaves are read by SQL of its own and the damage is done in it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mamori/audit.h"
#include "mamori/merkle.h"
#include "mamori/store.h"
#include "fixture.h"

#define POLICY SRCDIR "/tests/store/policy.yaml"

static int
add_event(struct mamori_store_tx *tx, void *arg)
{
	cJSON *after = cJSON_CreateObject();
	char id[16];
	int rc;

	snprintf(id, sizeof(id), "T-%03d", *(int *)arg);
	cJSON_AddStringToObject(after, "name", "住民票データ");
	rc = mamori_store_tx_event(tx, "test.change", "asset", id, NULL, after);
	cJSON_Delete(after);
	return rc;
}

/* Leaf i of the stored log, read one by one: the reference, independent of the frontier. */
static int
leaf_at(void *ctx, uint64_t i, unsigned char out[MAMORI_HASH_LEN])
{
	sqlite3_stmt *st = ctx;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)i + 1);
	if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_bytes(st, 0) != MAMORI_HASH_LEN)
		return -1;
	memcpy(out, sqlite3_column_blob(st, 0), MAMORI_HASH_LEN);
	return 0;
}

/* Leaf i of PostgreSQL's stored log: row i of every seq from 1, its leaf in binary (NULL: none). */
static int
pg_leaf_at(void *ctx, uint64_t i, unsigned char out[MAMORI_HASH_LEN])
{
	PGresult *r = ctx;

	if (i >= (uint64_t)PQntuples(r) || PQgetisnull(r, (int)i, 0) || PQgetlength(r, (int)i, 0) != MAMORI_HASH_LEN)
		return -1;
	memcpy(out, PQgetvalue(r, (int)i, 0), MAMORI_HASH_LEN);
	return 0;
}

/* The root of the first size stored leaves, read on PostgreSQL. */
static void
pg_root(struct mamori_store *s, uint64_t size, unsigned char root[MAMORI_HASH_LEN])
{
	PGconn *c = fixture_pg_raw(s);
	char n[24];
	const char *v[1] = { n };
	PGresult *r;

	snprintf(n, sizeof(n), "%llu", (unsigned long long)size);
	r = PQexecParams(c, "SELECT leaf FROM generate_series(1, $1::bigint) AS g LEFT JOIN audit_event ON seq = g "
	    "ORDER BY g", 1, NULL, v, NULL, NULL, 1);
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	assert_int_equal(mamori_merkle_root(pg_leaf_at, r, size, root), 0);
	PQclear(r);
	PQfinish(c);
}

/* Signs a head and checks it against the root of every stored leaf. */
static void
sign_and_check(struct mamori_store *s, uint64_t want_size)
{
	struct mamori_error err = { 0 };
	struct mamori_head h;
	unsigned char root[MAMORI_HASH_LEN];
	sqlite3_stmt *st = NULL;
	sqlite3 *raw;

	assert_int_equal(mamori_audit_sign_head(s, &h, &err), 0);
	assert_int_equal(h.size, want_size);
	if (fixture_pg()) {
		pg_root(s, want_size, root);
		assert_memory_equal(root, h.root, MAMORI_HASH_LEN);
		return;
	}
	raw = fixture_raw(s);
	assert_int_equal(sqlite3_prepare_v2(raw, "SELECT leaf FROM audit_event WHERE seq = ?1", -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(mamori_merkle_root(leaf_at, st, want_size, root), 0);
	sqlite3_finalize(st);
	sqlite3_close(raw);
	assert_memory_equal(root, h.root, MAMORI_HASH_LEN);
}

static struct mamori_store *
new_store(const char *name)
{
	struct mamori_error err = { 0 };
	struct mamori_store *s = fixture_store(name, POLICY);

	/* heads only where the test signs them */
	assert_int_equal(mamori_store_config_set(s, "test:unit", "head.every_events", "1000000", &err), 0);
	return s;
}

static uint64_t
log_size(struct mamori_store *s)
{
	return (uint64_t)fixture_query_int(s, "SELECT coalesce(max(seq), 0) FROM audit_event");
}

static void
add_events(struct mamori_store *s, int n)
{
	struct mamori_error err = { 0 };

	for (int i = 0; i < n; i++)
		assert_int_equal(mamori_store_write(s, "test:unit", add_event, &i, &err), 0);
}

/* Heads after 1, 2, 3, … events, the gaps growing and shrinking, up to 300 and more. */
static void
test_incremental_equals_full(void **state)
{
	struct mamori_store *s = new_store("inc.db");
	int gap = 1, step = 1;

	(void)state;
	while (log_size(s) < 300) {
		add_events(s, gap);
		sign_and_check(s, log_size(s));
		/* 1, 2, 3 … 17, then back down: every frontier shape near the powers of two */
		gap += step;
		if (gap > 17 || gap < 1) {
			step = -step;
			gap += 2 * step;
		}
	}
	/* a head with no new events repeats the size and the root */
	sign_and_check(s, log_size(s));
	mamori_store_close(&s);
}

/* A damaged, mis-sized or missing frontier is not used: the whole trail is read. */
static void
test_bad_frontier_falls_back(void **state)
{
	static const char *const sqlite_damage[] = {
		"UPDATE tree_head SET frontier = randomblob(length(frontier)) WHERE size = (SELECT max(size) FROM tree_head)",
		"UPDATE tree_head SET frontier = substr(frontier, 1, length(frontier) - 1)",
		"UPDATE tree_head SET frontier = frontier || x'00'",
		"UPDATE tree_head SET frontier = NULL",
		/* a frontier that fits a root it does not belong to: the signature no longer matches */
		"UPDATE tree_head SET root = randomblob(32), frontier = randomblob(length(frontier))",
	};
	/* the same on PostgreSQL: bytes of its own for SQLite's random ones */
	static const char *const pg_damage[] = {
		"UPDATE tree_head SET frontier = decode(repeat('5a', length(frontier)), 'hex') "
		"WHERE size = (SELECT max(size) FROM tree_head)",
		"UPDATE tree_head SET frontier = substr(frontier, 1, length(frontier) - 1)",
		"UPDATE tree_head SET frontier = frontier || '\\x00'::bytea",
		"UPDATE tree_head SET frontier = NULL",
		"UPDATE tree_head SET root = decode(repeat('a5', 32), 'hex'), "
		"frontier = decode(repeat('5a', length(frontier)), 'hex')",
	};
	const char *const *damage = fixture_pg() ? pg_damage : sqlite_damage;
	struct mamori_store *s = new_store("bad.db");

	(void)state;
	add_events(s, 13);
	sign_and_check(s, log_size(s));
	for (size_t i = 0; i < sizeof(sqlite_damage) / sizeof(sqlite_damage[0]); i++) {
		fixture_exec(s, damage[i]);
		add_events(s, (int)i + 3);
		sign_and_check(s, log_size(s));
	}
	mamori_store_close(&s);
}

/* Events since the last head missing: signing refuses, naming the place. */
static void
test_damaged_trail_refused(void **state)
{
	struct mamori_error err = { 0 };
	struct mamori_store *s = new_store("gap.db");

	(void)state;
	add_events(s, 20);
	sign_and_check(s, log_size(s));
	/* the events since the last head are read; the ones before it are
	 * vouched for by its frontier (and checked by log verify) */
	uint64_t signed_size = log_size(s);
	char sql[96], near[32];
	add_events(s, 5);
	snprintf(sql, sizeof(sql), "DELETE FROM audit_event WHERE seq = %llu", (unsigned long long)signed_size + 2);
	snprintf(near, sizeof(near), "near event %llu", (unsigned long long)signed_size + 2);
	fixture_exec(s, sql);
	assert_int_equal(mamori_audit_sign_head(s, NULL, &err), MAMORI_E_TAMPERED);
	assert_non_null(strstr(err.message, near));
	mamori_store_close(&s);
}

/* A store of the first schema: its heads have no frontier; the next one is right. */
static void
test_migrated_store(void **state)
{
	struct mamori_error err = { 0 };
	struct mamori_store *s = NULL;
	char db[128], cmd[512];

	(void)state;
	if (fixture_pg())
		skip();		/* a file of SQLite's first schema: PostgreSQL's stores begin at the newest */
	snprintf(db, sizeof(db), "%s/v1.db", fixture_dir);
	snprintf(cmd, sizeof(cmd), "cp %s/tests/store/v1.db %s && chmod 600 %s && cp %s/tests/store/v1.db.pub %s.pub",
	    SRCDIR, db, db, SRCDIR, db);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(mamori_store_open(db, &s, &err), 0);
	/* the secret key is not shipped: a new pair signs from here on */
	{
		char key[160], pub[160];
		snprintf(key, sizeof(key), "%s.key", db);
		snprintf(pub, sizeof(pub), "%s.pub", db);
		unlink(pub);
		assert_int_equal(mamori_audit_keygen(key, pub, &err), 0);
	}
	sign_and_check(s, log_size(s));
	add_events(s, 9);
	sign_and_check(s, log_size(s));
	mamori_store_close(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_incremental_equals_full),
		cmocka_unit_test(test_bad_frontier_falls_back),
		cmocka_unit_test(test_damaged_trail_refused),
		cmocka_unit_test(test_migrated_store),
	};

	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
