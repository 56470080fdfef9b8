/*
 * fixture.h — what the unit tests share instead of each keeping a copy: a
 * scratch directory for a group of tests, stores created in it, and a number
 * read from a store by SQL.  Link fixture.c (tests/meson.build does).
 */
#ifndef MAMORI_TEST_FIXTURE_H
#define MAMORI_TEST_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mamori_store;

/* The group's scratch directory, made by fixture_setup. */
extern char fixture_dir[64];

/* cmocka group setup: makes a fresh /tmp/mamori-unit-XXXXXX (and starts libsodium). */
int fixture_setup(void **state);

/* cmocka group teardown: removes the scratch directory and all in it. */
int fixture_teardown(void **state);

/* out = fixture_dir/name. */
void fixture_path(char *out, size_t n, const char *name);

/*
 * Whether the tests run on PostgreSQL (MAMORI_TEST_BACKEND=postgresql, with
 * MAMORI_TEST_PG the URL of the test cluster's database): the same tests
 * then make every store there, each in a schema of its own, its keys and
 * files at fixture_dir/name.
 */
bool fixture_pg(void);

/* Where a new store fixture_dir/name is made: the file, or a PostgreSQL URL. */
void fixture_location(char *out, size_t n, const char *name);

/* A new store fixture_dir/name with the policy at policy_path; fails the test when it cannot. */
struct mamori_store *fixture_store(const char *name, const char *policy_path);

/*
 * A connection of its own on s's file (SQLite's; the test closes it): what a
 * test reads or damages behind the store's back, as another process would.
 * On PostgreSQL the test is skipped.
 */
struct sqlite3 *fixture_raw(struct mamori_store *s);

/* Runs sql on a connection of its own on s's store (either backend); fails the test when it fails. */
void fixture_exec(struct mamori_store *s, const char *sql);

/* The first column of the first row of sql, read on a connection of its own on s's file, as an integer (-1: no row). */
int64_t fixture_query_int(struct mamori_store *s, const char *sql);

/* As fixture_query_int, the column as text: a malloc'd string the test frees (NULL: no row, or NULL). */
char *fixture_query_text(struct mamori_store *s, const char *sql);

/*
 * A connection of its own to s's PostgreSQL database, in s's schema (the
 * test PQfinishes it): what a test reads there that fixture_query_* do not
 * (bytea in binary).  On SQLite the test is skipped.
 */
struct pg_conn *fixture_pg_raw(struct mamori_store *s);

#endif
