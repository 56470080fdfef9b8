/*
 * store_ops_copy.h — a whole store's rows in a form both backends speak, for
 * `mamori store copy` (store_copy.c).  SQLite's in store_sqlite_copy.c,
 * PostgreSQL's in store_pg_copy.c.  (internal)
 *
 * The copy reads every table of one store and writes it into another, maybe
 * of the other backend: a value is NULL, an integer, text or bytes, as both
 * schemas store it (store_sqlite_schema.c, store_pg_schema.c: the same
 * tables and columns), so that hashes, keys and signatures come over byte for
 * byte and numbers as they were.  Tables and columns are named by the source
 * and checked against the destination by the copy; the ops quote them in
 * their SQL.
 *
 * Common rules as in store_backend.h: 0 or a negative MAMORI_E_* code with
 * err filled; what a callback is handed is lent for that call only; a
 * callback's non-zero return stops the walk and is returned as is.
 */
#ifndef MAMORI_STORE_OPS_COPY_H
#define MAMORI_STORE_OPS_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store_backend.h"

/* One value of a row. */
enum store_copy_kind {
	STORE_COPY_NULL,
	STORE_COPY_INT,
	STORE_COPY_TEXT,
	STORE_COPY_BYTES,
};

struct store_copy_value {
	enum store_copy_kind kind;
	int64_t i;		/* STORE_COPY_INT */
	const void *p;		/* STORE_COPY_TEXT, STORE_COPY_BYTES: len bytes (a text has a NUL after them) */
	size_t len;
};

/* A writer of one table's rows (the backend's). */
struct store_copy_writer;

/* The most columns a table of the store has (record has 13). */
enum { STORE_COPY_COLS_MAX = 32 };

struct store_copy_ops {
	/*
	 * Every table of the store's schema, with its columns in their order,
	 * to fn: the backend's own tables (PostgreSQL's schema_version and
	 * clock, SQLite's sqlite_*) are left out.
	 */
	int (*tables)(struct mamori_store *s,
	    int (*fn)(const char *table, size_t ncols, const char *const *names, void *ctx), void *ctx,
	    struct mamori_error *err);

	/*
	 * Every row of table, to fn with its ncols values in the order of
	 * names, in the order of the first column (which leads every table's
	 * primary key).  Reads as the store's snapshot stands (meta->read_begin
	 * makes one of the whole copy); memory stays bounded however many rows.
	 * A value neither backend stores (SQLite's REAL) is MAMORI_E_STORE,
	 * naming the table, the row's first column and the column.
	 */
	int (*rows)(struct mamori_store *s, const char *table, size_t ncols, const char *const *names,
	    int (*fn)(const struct store_copy_value *vals, void *ctx), void *ctx, struct mamori_error *err);

	/*
	 * Writes rows into table, inside the store's write transaction (begin):
	 * writer_open names the columns, write hands one row's values in that
	 * order (it may only queue them), writer_close ends the table: with
	 * keep, every row is written or the first refused one is told in err
	 * (its table and row); without, the rows are abandoned (the
	 * transaction is being rolled back).  *w is freed and NULLed either way.
	 */
	int (*writer_open)(struct mamori_store *s, const char *table, size_t ncols, const char *const *names,
	    struct store_copy_writer **w, struct mamori_error *err);
	int (*write)(struct store_copy_writer *w, const struct store_copy_value *vals, struct mamori_error *err);
	int (*writer_close)(struct store_copy_writer **w, bool keep, struct mamori_error *err);

	/*
	 * After every table, in the same transaction: what numbers rows next
	 * moves past the copied numbers (PostgreSQL's identity sequences; SQLite's
	 * AUTOINCREMENT follows by itself), and the planner's statistics.
	 */
	int (*finish)(struct mamori_store *s, struct mamori_error *err);

	/*
	 * Removes what a failed copy made in the store: the tables named and
	 * the backend's own (NULL where removing the file is enough: SQLite's).
	 */
	int (*discard)(struct mamori_store *s, size_t ntables, const char *const *tables, struct mamori_error *err);
};

/*
 * A new store at location with the schema and nothing in it — no policy, no
 * log id, no keys (store.c): the copy's destination.  A file that exists is
 * refused (MAMORI_E_CONFLICT), as is a PostgreSQL schema that holds a store.
 * prepare (may be NULL) runs once the store is connected, before its schema
 * is made, with s's path known: the copy lays the source's keys there first,
 * since SQLite's migrations read the secrets key (and would make one).
 */
int store_create_empty(const char *location, int (*prepare)(struct mamori_store *s, void *ctx, struct mamori_error *err),
    void *ctx, struct mamori_store **out, struct mamori_error *err);

#endif
