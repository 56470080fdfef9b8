/* fixture.c — the unit tests' shared fixture (fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

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

struct mamori_store *
fixture_store(const char *name, const char *policy_path)
{
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	struct mamori_store *s = NULL;
	char db[128];

	fixture_path(db, sizeof(db), name);
	if (mamori_store_create(db, policy_path, "test:unit", &d, &s, &err) != 0)
		fail_msg("create %s: %s", db, err.message);
	mamori_diags_clear(&d);
	return s;
}

sqlite3 *
fixture_raw(struct mamori_store *s)
{
	sqlite3 *raw = NULL;

	if (sqlite3_open_v2(mamori_store_path(s), &raw, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		fail_msg("open %s: %s", mamori_store_path(s), raw ? sqlite3_errmsg(raw) : "out of memory");
	sqlite3_busy_timeout(raw, 5000);
	return raw;
}

void
fixture_exec(struct mamori_store *s, const char *sql)
{
	sqlite3 *raw = fixture_raw(s);
	char *msg = NULL;

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
	sqlite3 *raw = fixture_raw(s);
	sqlite3_stmt *st = NULL;
	int64_t v = -1;
	int rc = sqlite3_prepare_v2(raw, sql, -1, &st, NULL);

	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(raw);
	assert_int_equal(rc, SQLITE_OK);
	return v;
}
