/*
 * test_verify.c — verification in parallel chunks gives exactly the answer of
 * one pass: the same summary on an intact log, and the same first bad sequence
 * number and message on every tampered copy.  Chunks of 2, 4 and 8 events on
 * one and three threads, and batches of 2, 3, 5, 7 and 64 events hashed side by
 * side, put chunk and batch edges, heads inside chunks and at their ends, and
 * failures in every position on a log of 45 events.  On PostgreSQL (fixture.h)
 * the same changes are made by SQL of its own to the one store, the trail
 * and its heads put back as they were before each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mamori/audit.h"
#include "mamori/store.h"
#include "audit_internal.h"
#include "fixture.h"

#define POLICY SRCDIR "/tests/store/policy.yaml"
#define EVENTS 45

/* the store: a file copied for each case, or a PostgreSQL URL whose trail is put back */
static char pristine[1024];
static unsigned char pk[32];

struct answer {
	int rc;
	int line;
	char text[512];
};

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

static int64_t
next_seq(struct mamori_store *s)
{
	return fixture_query_int(s, "SELECT coalesce(max(seq), 0) + 1 FROM audit_event");
}

/* A store of EVENTS events with signed heads at sizes 1, 7, 8, 9, 16, 30 and at the end. */
static int
setup(void **state)
{
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	struct mamori_store *s = NULL;
	char pub[160];
	int rc = -1;

	if (fixture_setup(state) != 0)
		return -1;
	fixture_location(pristine, sizeof(pristine), "p.db");
	fixture_path(pub, sizeof(pub), "p.db.pub");	/* PostgreSQL's too: files=fixture_dir/p.db */
	if (mamori_store_create(pristine, POLICY, "test:unit", &d, &s, &err) != 0 ||
	    mamori_store_config_set(s, "test:unit", "head.every_events", "1000000", &err) != 0)
		goto out;
	for (int i = (int)next_seq(s); i <= EVENTS; i++) {
		if (mamori_store_write(s, "test:unit", add_event, &i, &err) != 0)
			goto out;
		if ((i == 7 || i == 8 || i == 9 || i == 16 || i == 30 || i == EVENTS) &&
		    mamori_audit_sign_head(s, NULL, &err) != 0)
			goto out;
	}
	rc = mamori_audit_read_pubkey(pub, pk, &err);
	/* PostgreSQL's: the trail and heads as they are now, to put back before each case */
	if (rc == 0 && fixture_pg())
		fixture_exec(s, "CREATE TABLE pristine_event AS TABLE audit_event; "
		    "CREATE TABLE pristine_head AS TABLE tree_head");
out:
	if (rc != 0)
		fprintf(stderr, "setup: %s\n", err.message);
	mamori_diags_clear(&d);
	mamori_store_close(&s);
	return rc;
}

static int
teardown(void **state)
{
	return fixture_teardown(state);
}

static void
copy_file(const char *from, const char *to)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "cp %s %s 2>/dev/null; rm -f %s-wal %s-shm", from, to, to, to);
	assert_int_equal(system(cmd), 0);
}

/*
 * The store of a case, opened: on SQLite a copy of the pristine file with
 * sql applied to it; on PostgreSQL the pristine store, its trail and heads
 * put back, then sql applied behind the open store's back.
 */
static struct mamori_store *
case_store(const char *sql)
{
	struct mamori_error err = { 0 };
	struct mamori_store *s = NULL;
	sqlite3 *raw = NULL;
	char db[128], *all = NULL;

	if (fixture_pg()) {
		assert_int_equal(mamori_store_open(pristine, &s, &err), 0);
		assert_true(asprintf(&all, "DELETE FROM audit_event; INSERT INTO audit_event SELECT * FROM "
		    "pristine_event; DELETE FROM tree_head; INSERT INTO tree_head SELECT * FROM pristine_head; %s",
		    sql ? sql : "") > 0);
		fixture_exec(s, all);
		free(all);
		return s;
	}
	fixture_path(db, sizeof(db), "c.db");
	copy_file(pristine, db);
	assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
	if (sql && sqlite3_exec(raw, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(raw));
	sqlite3_close(raw);
	assert_int_equal(mamori_store_open(db, &s, &err), 0);
	return s;
}

static void
verify_as(struct mamori_store *s, int bits, int threads, int batch, struct answer *a)
{
	struct audit_verify_shape shape = { bits, threads, batch };
	struct mamori_error err = { 0 };
	char summary[512] = "";

	a->rc = audit_verify_chunked(s, pk, NULL, 0, &shape, summary, sizeof(summary), &err);
	a->line = a->rc ? err.line : 0;
	snprintf(a->text, sizeof(a->text), "%s", a->rc ? err.message : summary);
}

/* Applies sql to a copy of the pristine store; every chunking and batching
 * must agree with one pass of one event at a time. */
static int
check_case(const char *sql)
{
	struct mamori_store *s = case_store(sql);
	struct answer one, many;
	static const int bits[] = { 1, 2, 3, 16 };
	static const struct audit_verify_shape batched[] = { { 16, 1, 2 }, { 16, 1, 5 }, { 2, 3, 3 },
	    { 40, 1, 7 } };

	verify_as(s, 40, 1, 1, &one);
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		for (int threads = 1; threads <= 3; threads += 2) {
			verify_as(s, bits[i], threads, AUDIT_BATCH_MAX, &many);
			if (many.rc != one.rc || many.line != one.line || strcmp(many.text, one.text) != 0)
				fail_msg("%s\n  one pass:  %d %d %s\n  2^%d/%d:   %d %d %s", sql ? sql : "(intact)",
				    one.rc, one.line, one.text, bits[i], threads, many.rc, many.line, many.text);
		}
	for (size_t i = 0; i < sizeof(batched) / sizeof(batched[0]); i++) {
		const struct audit_verify_shape *b = &batched[i];
		verify_as(s, b->chunk_bits, b->threads, b->batch, &many);
		if (many.rc != one.rc || many.line != one.line || strcmp(many.text, one.text) != 0)
			fail_msg("%s\n  one pass:  %d %d %s\n  2^%d/%d/batch %d:   %d %d %s", sql ? sql : "(intact)",
			    one.rc, one.line, one.text, b->chunk_bits, b->threads, b->batch, many.rc, many.line,
			    many.text);
	}
	mamori_store_close(&s);
	return one.rc;
}

static void
test_intact(void **state)
{
	(void)state;
	assert_int_equal(check_case(NULL), 0);
}

static void
test_every_change_same_answer(void **state)
{
	static const char *const cols[] = { "time", "actor", "body", "leaf", "chain" };
	char sql[300];
	int agreed = 0, cases = 0;

	(void)state;
	for (int seq = 1; seq <= EVENTS; seq++) {
		for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
			/* one byte more; PostgreSQL's text holds no NUL: a space there */
			if (fixture_pg())
				snprintf(sql, sizeof(sql), "UPDATE audit_event SET %s = %s || %s WHERE seq = %d",
				    cols[c], cols[c], c < 3 ? "' '" : "'\\x00'::bytea", seq);
			else
				snprintf(sql, sizeof(sql), "UPDATE audit_event SET %s = CAST(%s AS BLOB) || x'00' "
				    "WHERE seq = %d", cols[c], cols[c], seq);
			agreed += check_case(sql) == MAMORI_E_TAMPERED;
			cases++;
		}
		snprintf(sql, sizeof(sql), "DELETE FROM audit_event WHERE seq = %d", seq);
		agreed += check_case(sql) == MAMORI_E_TAMPERED;
		snprintf(sql, sizeof(sql), "UPDATE audit_event SET seq = %d WHERE seq = %d", seq + 1000000, seq);
		agreed += check_case(sql) == MAMORI_E_TAMPERED;
		snprintf(sql, sizeof(sql), "UPDATE audit_event SET seq = -%d WHERE seq = %d", seq, seq);
		agreed += check_case(sql) == MAMORI_E_TAMPERED;
		snprintf(sql, sizeof(sql), "DELETE FROM audit_event WHERE seq >= %d", seq);
		agreed += check_case(sql) == MAMORI_E_TAMPERED;
		cases += 4;
		if (seq < EVENTS) {
			snprintf(sql, sizeof(sql), "UPDATE audit_event SET seq = -1 WHERE seq = %d;"
			    "UPDATE audit_event SET seq = %d WHERE seq = %d;"
			    "UPDATE audit_event SET seq = %d WHERE seq = -1", seq, seq, seq + 1, seq + 1);
			agreed += check_case(sql) == MAMORI_E_TAMPERED;
			cases++;
		}
	}
	/* a rolled-back log: the stored heads of sizes 30 and 45 go with it, the one at 16 stays */
	agreed += check_case("DELETE FROM audit_event WHERE seq > 16; DELETE FROM tree_head WHERE size > 16") == 0;
	cases++;
	printf("verify chunked: %d of %d cases detected (or, rolled back, passed) alike in every chunking\n",
	    agreed, cases);
	assert_int_equal(agreed, cases);
}

/* What each kind of change is called, at the event changed: a chain hash of
 * the wrong length is a broken chain, not a modified event. */
static void
test_messages(void **state)
{
	/* each change as SQLite's SQL and PostgreSQL's (its text holds text alone: a body changed) */
	static const struct {
		const char *sql, *pg, *says;
		int seq;
	} cases[] = {
		{ "UPDATE audit_event SET chain = CAST(chain AS BLOB) || x'00' WHERE seq = 20",
		  "UPDATE audit_event SET chain = chain || '\\x00'::bytea WHERE seq = 20", "hash chain breaks", 20 },
		{ "UPDATE audit_event SET chain = leaf WHERE seq = 33", NULL, "hash chain breaks", 33 },
		{ "UPDATE audit_event SET leaf = x'00' WHERE seq = 20",
		  "UPDATE audit_event SET leaf = '\\x00'::bytea WHERE seq = 20", "does not match its leaf hash", 20 },
		{ "UPDATE audit_event SET body = CAST(body AS BLOB) WHERE seq = 40",
		  "UPDATE audit_event SET body = replace(body, '住民票', '戸籍') WHERE seq = 40",
		  "does not match its leaf hash", 40 },
		{ "DELETE FROM audit_event WHERE seq = 12", NULL, "missing or out of order", 12 },
		/* a numbered head taken away: the one at 16, between those at 9 and 30 */
		{ "DELETE FROM tree_head WHERE size = 16", NULL, "is missing between the heads of sizes 9 and 30", 10 },
	};
	struct mamori_error err = { 0 };
	struct mamori_store *s = NULL;
	struct answer a;
	char db[1024];

	(void)state;
	if (fixture_pg())
		snprintf(db, sizeof(db), "%s", pristine);
	else
		fixture_path(db, sizeof(db), "c.db");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *sql = fixture_pg() && cases[i].pg ? cases[i].pg : cases[i].sql;

		assert_int_equal(check_case(sql), MAMORI_E_TAMPERED);
		assert_int_equal(mamori_store_open(db, &s, &err), 0);
		verify_as(s, 16, 1, AUDIT_BATCH_MAX, &a);
		mamori_store_close(&s);
		if (a.line != cases[i].seq || strstr(a.text, cases[i].says) == NULL)
			fail_msg("%s: %d %s", sql, a.line, a.text);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intact),
		cmocka_unit_test(test_every_change_same_answer),
		cmocka_unit_test(test_messages),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
