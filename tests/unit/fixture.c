/* fixture.c — the unit tests' shared fixture (fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "mamori/store.h"

char fixture_dir[64];

int
fixture_setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	snprintf(fixture_dir, sizeof(fixture_dir), "/tmp/mamori-unit-XXXXXX");
	return mkdtemp(fixture_dir) == NULL ? -1 : 0;
}

int
fixture_teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fixture_dir);
	return system(cmd) == 0 ? 0 : -1;
}

void
fixture_path(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", fixture_dir, name);
}

bool
fixture_pg(void)
{
	const char *b = getenv("MAMORI_TEST_BACKEND");

	return b != NULL && strcmp(b, "postgresql") == 0;
}

/*
 * A PostgreSQL store's URL: the test cluster's ($MAMORI_TEST_PG, made by
 * tests/pg/cluster.sh), a schema of its own, the keys and files at path.
 */
static void
pg_location(char *out, size_t n, const char *path)
{
	const char *base = getenv("MAMORI_TEST_PG");
	unsigned char rnd[6];
	char hex[13];

	if (base == NULL || *base == '\0')
		fail_msg("MAMORI_TEST_BACKEND=postgresql needs MAMORI_TEST_PG, the URL of a test cluster's "
		    "database (tests/pg/cluster.sh start DIR prints it)");
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	snprintf(out, n, "%s%sschema=u%s&files=%s", base, strchr(base, '?') ? "&" : "?", hex, path);
}

void
fixture_location(char *out, size_t n, const char *name)
{
	char path[128];

	fixture_path(path, sizeof(path), name);
	if (fixture_pg())
		pg_location(out, n, path);
	else
		snprintf(out, n, "%s", path);
}

struct mamori_store *
fixture_store(const char *name, const char *policy_path)
{
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	struct mamori_store *s = NULL;
	char db[1024];

	fixture_location(db, sizeof(db), name);
	if (mamori_store_create(db, policy_path, "test:unit", &d, &s, &err) != 0)
		fail_msg("create %s: %s", db, err.message);
	mamori_diags_clear(&d);
	return s;
}

sqlite3 *
fixture_raw(struct mamori_store *s)
{
	sqlite3 *raw = NULL;

	if (fixture_pg())
		skip();		/* SQLite's file, read behind the store's back */
	if (sqlite3_open_v2(mamori_store_path(s), &raw, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		fail_msg("open %s: %s", mamori_store_path(s), raw ? sqlite3_errmsg(raw) : "out of memory");
	sqlite3_busy_timeout(raw, 5000);
	return raw;
}

/* A connection of its own to s's PostgreSQL database, in s's schema. */
PGconn *
fixture_pg_raw(struct mamori_store *s)
{
	const char *loc = mamori_store_location(s), *schema = strstr(loc, "schema=");
	char url[1024], sql[128];
	PGconn *c;
	PGresult *r;
	size_t n;

	if (!fixture_pg())
		skip();		/* PostgreSQL's connection */
	if (schema == NULL)
		fail_msg("%s: no schema", loc);
	n = strcspn(loc, "?");
	snprintf(url, sizeof(url), "%.*s%s", (int)n, loc, strstr(getenv("MAMORI_TEST_PG"), "?"));
	if ((c = PQconnectdb(url)) == NULL || PQstatus(c) != CONNECTION_OK)
		fail_msg("connect %s: %s", url, c ? PQerrorMessage(c) : "out of memory");
	snprintf(sql, sizeof(sql), "SET search_path TO %.*s", (int)strcspn(schema + 7, "&"), schema + 7);
	r = PQexec(c, sql);
	PQclear(r);
	return c;
}

void
fixture_exec(struct mamori_store *s, const char *sql)
{
	sqlite3 *raw;
	char *msg = NULL;

	if (fixture_pg()) {
		PGconn *c = fixture_pg_raw(s);
		PGresult *r = PQexec(c, sql);
		ExecStatusType st = PQresultStatus(r);
		char copy[512];
		snprintf(copy, sizeof(copy), "%s", PQresultErrorMessage(r));
		PQclear(r);
		PQfinish(c);
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
			fail_msg("%s: %s", sql, copy);
		return;
	}
	raw = fixture_raw(s);
	if (sqlite3_exec(raw, sql, NULL, NULL, &msg) != SQLITE_OK) {
		char copy[512];
		snprintf(copy, sizeof(copy), "%s", msg ? msg : "error");
		sqlite3_free(msg);
		sqlite3_close(raw);
		fail_msg("%s: %s", sql, copy);
	}
	sqlite3_close(raw);
}

int64_t
fixture_query_int(struct mamori_store *s, const char *sql)
{
	sqlite3 *raw;
	sqlite3_stmt *st = NULL;
	int64_t v = -1;
	int rc;

	if (fixture_pg()) {
		PGconn *c = fixture_pg_raw(s);
		PGresult *r = PQexec(c, sql);
		ExecStatusType status = PQresultStatus(r);
		char copy[512];
		snprintf(copy, sizeof(copy), "%s", PQresultErrorMessage(r));
		if (status == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
			v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
		PQfinish(c);
		if (status != PGRES_TUPLES_OK)
			fail_msg("%s: %s", sql, copy);
		return v;
	}
	raw = fixture_raw(s);
	rc = sqlite3_prepare_v2(raw, sql, -1, &st, NULL);
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(raw);
	assert_int_equal(rc, SQLITE_OK);
	return v;
}

char *
fixture_query_text(struct mamori_store *s, const char *sql)
{
	char *v = NULL;

	if (fixture_pg()) {
		PGconn *c = fixture_pg_raw(s);
		PGresult *r = PQexec(c, sql);
		ExecStatusType status = PQresultStatus(r);
		char copy[512];
		snprintf(copy, sizeof(copy), "%s", PQresultErrorMessage(r));
		if (status == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
			v = strdup(PQgetvalue(r, 0, 0));
		PQclear(r);
		PQfinish(c);
		if (status != PGRES_TUPLES_OK)
			fail_msg("%s: %s", sql, copy);
		return v;
	}
	sqlite3 *raw = fixture_raw(s);
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(raw, sql, -1, &st, NULL);

	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
		v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(raw);
	assert_int_equal(rc, SQLITE_OK);
	return v;
}
