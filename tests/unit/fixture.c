/* fixture.c — the unit tests' shared fixture (fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

#include "fixture.h"
#include "mamori/store.h"
#include "store_internal.h"

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

int64_t
fixture_query_int(struct mamori_store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(s->db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}
