/*
 * test_reconnect.c — PostgreSQL's connection lost under the store
 * (store_pg.c, "a lost connection"): between transactions a statement
 * connects again, with the session's settings and its statements prepared
 * anew, and runs; inside a write or a read snapshot the statement fails, the
 * change is not made, and the next transaction connects again.  The
 * connection is lost by pg_terminate_backend from a connection of the test's
 * own, as a restart or a failover loses it, or ended by the server when idle.  PostgreSQL's only (skipped on
 * SQLite); tests/pg/failover.sh loses the whole server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mamori/audit.h"
#include "mamori/store.h"
#include "store_internal.h"
#include "store_pg.h"
#include "../unit/fixture.h"

#define POLICY SRCDIR "/tests/store/policy.yaml"

/* Ends the backend of s's connection, and waits until it has gone. */
static void
kill_backend(struct mamori_store *s)
{
	char sql[96];

	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%d, 10000)", PQbackendPID(s->pg->conn));
	fixture_exec(s, sql);
}

static int
one_event(struct mamori_store_tx *tx, void *arg)
{
	return mamori_store_tx_event(tx, "test.event", "test", arg, NULL, NULL);
}

/* An event whose connection is lost before its transaction commits. */
static int
event_then_lost(struct mamori_store_tx *tx, void *arg)
{
	int rc = mamori_store_tx_event(tx, "test.event", "test", arg, NULL, NULL);

	kill_backend(mamori_store_tx_store(tx));
	return rc;
}

/* A read in a write whose connection is lost: its error, in *arg. */
static int
read_then_lost(struct mamori_store_tx *tx, void *arg)
{
	struct mamori_head h;

	kill_backend(mamori_store_tx_store(tx));
	return mamori_audit_latest_head(mamori_store_tx_store(tx), &h, arg);
}

/* A read of the store's own (the clock's version), -1 when it failed. */
static int64_t
read_something(struct mamori_store *s)
{
	return mamori_store_data_version(s);
}

static int
setup(void **state)
{
	if (!fixture_pg())
		return 0;
	return fixture_setup(state);
}

static int
teardown(void **state)
{
	if (!fixture_pg())
		return 0;
	return fixture_teardown(state);
}

static void
test_between_transactions(void **state)
{
	struct mamori_error err = { 0 };
	struct mamori_store *s;
	int before;

	(void)state;
	if (!fixture_pg())
		skip();
	s = fixture_store("between", POLICY);
	/* statements prepared on the first connection: they are gone with it */
	assert_true(read_something(s) > 0);
	assert_int_equal(mamori_store_write(s, "test:unit", one_event, "a", &err), 0);
	before = PQbackendPID(s->pg->conn);
	kill_backend(s);
	/* a read connects again and runs once more: the session's search_path is set again */
	assert_true(read_something(s) > 0);
	assert_int_not_equal(PQbackendPID(s->pg->conn), before);
	/* and so does the BEGIN of a write, its statements prepared anew */
	kill_backend(s);
	assert_int_equal(mamori_store_write(s, "test:unit", one_event, "b", &err), 0);
	assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM audit_event"), 3);
	assert_int_equal(fixture_query_int(s, "SELECT max(seq) FROM audit_event"), 3);
	mamori_store_close(&s);
}

static void
test_inside_a_write(void **state)
{
	struct mamori_error err = { 0 }, lost = { 0 };
	struct mamori_store *s;

	(void)state;
	if (!fixture_pg())
		skip();
	s = fixture_store("write", POLICY);
	/* the statement fails and says why; the write fails and leaves nothing */
	assert_int_equal(mamori_store_write(s, "test:unit", read_then_lost, &lost, &err), MAMORI_E_STORE);
	if (strstr(lost.message, "the connection to PostgreSQL was lost during a transaction") == NULL)
		fail_msg("%s", lost.message);
	assert_false(s->pg->in_write);
	/* events kept back, lost at their flush before COMMIT */
	assert_int_equal(mamori_store_write(s, "test:unit", event_then_lost, "lost", &err), MAMORI_E_STORE);
	assert_false(s->pg->in_write);
	assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM audit_event"), 1);
	/* the next write connects again, and its event follows without a gap */
	assert_int_equal(mamori_store_write(s, "test:unit", one_event, "next", &err), 0);
	assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM audit_event WHERE object_id = 'next'"), 1);
	assert_int_equal(fixture_query_int(s, "SELECT max(seq) FROM audit_event"), 2);
	mamori_store_close(&s);
}

static void
test_inside_a_snapshot(void **state)
{
	struct mamori_store *s;

	(void)state;
	if (!fixture_pg())
		skip();
	s = fixture_store("snapshot", POLICY);
	assert_true(mamori_store_read_begin(s) > 0);
	kill_backend(s);
	/* the snapshot is gone: its reads fail rather than read another */
	assert_int_equal(read_something(s), -1);
	mamori_store_read_end(s);
	assert_false(s->pg->in_read);
	assert_true(read_something(s) > 0);
	mamori_store_close(&s);
}

/* The server ends an idle session itself (57P05, as idle_session_timeout or a pooler does). */
static void
test_idle_session_ended(void **state)
{
	struct mamori_error err = { 0 };
	struct mamori_store *s;
	PGresult *res;

	(void)state;
	if (!fixture_pg())
		skip();
	s = fixture_store("idle", POLICY);
	res = PQexec(s->pg->conn, "SET idle_session_timeout = 50");
	assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	usleep(300000);
	assert_int_equal(mamori_store_write(s, "test:unit", one_event, "after-idle", &err), 0);
	assert_int_equal(fixture_query_int(s, "SELECT max(seq) FROM audit_event"), 2);
	mamori_store_close(&s);
}

static void
test_reader_stays_read_only(void **state)
{
	struct mamori_error err = { 0 };
	struct mamori_store *s, *r = NULL;
	PGresult *res;

	(void)state;
	if (!fixture_pg())
		skip();
	s = fixture_store("reader", POLICY);
	assert_int_equal(mamori_store_open_reader(s, &r, &err), 0);
	kill_backend(r);
	assert_true(read_something(r) > 0);
	/* the reader's session settings came back with its connection */
	res = PQexec(r->pg->conn, "SHOW default_transaction_read_only");
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	assert_string_equal(PQgetvalue(res, 0, 0), "on");
	PQclear(res);
	mamori_store_close(&r);
	mamori_store_close(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_between_transactions),
		cmocka_unit_test(test_inside_a_write),
		cmocka_unit_test(test_inside_a_snapshot),
		cmocka_unit_test(test_idle_session_ended),
		cmocka_unit_test(test_reader_stays_read_only),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
