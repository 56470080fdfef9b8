/*
 * store_sqlite_copy.c — SQLite's side of `mamori store copy`
 * (store_ops_copy.h): the tables of the file's schema with their columns,
 * their rows as neutral values, and an insert per row into a new store.
 */
#include "store_ops_copy.h"
#include "store_internal.h"
#include "store_sqlite.h"
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An identifier the copy puts into SQL as it is, quoted: [a-z_][a-z0-9_]*. */
static bool
name_ok(const char *n)
{
	size_t len = strlen(n);

	if (len == 0 || len > 63 || !((*n >= 'a' && *n <= 'z') || *n == '_'))
		return false;
	return strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789_") == len;
}

/*
 * The SQL that reads table's columns in the order of the first, or (insert)
 * writes them: "SELECT "a", "b" FROM "t" ORDER BY 1", "INSERT INTO "t"
 * ("a", "b") VALUES (?1, ?2)".  The caller frees *sql.
 */
static int
build_sql(char **sql, bool insert, const char *table, size_t ncols, const char *const *names,
    struct mamori_error *err)
{
	struct buf b = { 0 };
	char num[32];

	*sql = NULL;
	if (!name_ok(table) || ncols == 0 || ncols > STORE_COPY_COLS_MAX)
		return mamori_error_set(err, MAMORI_E_STORE, "copy: table '%s' is not one the copy can name", table);
	buf_adds(&b, insert ? "INSERT INTO \"" : "SELECT ");
	if (insert) {
		buf_adds(&b, table);
		BUF_LIT(&b, "\" (");
	}
	for (size_t i = 0; i < ncols; i++) {
		if (!name_ok(names[i])) {
			buf_free(&b);
			return mamori_error_set(err, MAMORI_E_STORE, "copy: column '%s' of %s is not one the copy "
			    "can name", names[i], table);
		}
		buf_adds(&b, i ? ", \"" : "\"");
		buf_adds(&b, names[i]);
		buf_addc(&b, '"');
	}
	if (insert) {
		BUF_LIT(&b, ") VALUES (");
		for (size_t i = 0; i < ncols; i++) {
			snprintf(num, sizeof(num), "%s?%zu", i ? ", " : "", i + 1);
			buf_adds(&b, num);
		}
		buf_addc(&b, ')');
	} else {
		BUF_LIT(&b, " FROM \"");
		buf_adds(&b, table);
		BUF_LIT(&b, "\" ORDER BY 1");
	}
	if ((*sql = buf_take(&b, NULL)) == NULL)
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	return 0;
}

/* ---- the tables ---- */

static int
copy_tables(struct mamori_store *s, int (*fn)(const char *table, size_t ncols, const char *const *names, void *ctx),
    void *ctx, struct mamori_error *err)
{
	sqlite3_stmt *tables = store_prepare(s, "SELECT name FROM sqlite_schema WHERE type = 'table' AND "
	    "name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name", err);
	sqlite3_stmt *cols = store_prepare(s, "SELECT name FROM pragma_table_info(?1) ORDER BY cid", err);
	char *names[STORE_COPY_COLS_MAX] = { 0 };
	size_t n = 0;
	int rc = 0, step = SQLITE_DONE, cstep;

	if (tables == NULL || cols == NULL) {
		rc = MAMORI_E_STORE;
		goto out;
	}
	while (rc == 0 && (step = sqlite3_step(tables)) == SQLITE_ROW) {
		const char *table = store_text(tables, 0);
		sqlite3_reset(cols);
		sqlite3_bind_text(cols, 1, table, -1, SQLITE_STATIC);
		for (n = 0; rc == 0 && (cstep = sqlite3_step(cols)) == SQLITE_ROW; n++)
			if (n == STORE_COPY_COLS_MAX)
				rc = mamori_error_set(err, MAMORI_E_STORE, "copy: table %s has more than %d columns",
				    table, STORE_COPY_COLS_MAX);
			else if ((names[n] = strdup(store_text(cols, 0))) == NULL)
				rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		if (rc == 0 && cstep != SQLITE_DONE)
			rc = store_error(s, err, "copy: the columns of a table");
		if (rc == 0)
			rc = fn(table, n, (const char *const *)names, ctx);
		for (size_t i = 0; i < STORE_COPY_COLS_MAX; i++) {
			free(names[i]);
			names[i] = NULL;
		}
	}
	rc = store_walk_end(s, rc, step, err, "copy: the tables");
out:
	sqlite3_finalize(tables);
	sqlite3_finalize(cols);
	return rc;
}

/* ---- reading ---- */

/* Column i of the current row as a value; false for a REAL, which no column of the store holds. */
static bool
column_value(sqlite3_stmt *st, int i, struct store_copy_value *v)
{
	*v = (struct store_copy_value){ .kind = STORE_COPY_NULL };
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		return true;
	case SQLITE_INTEGER:
		v->kind = STORE_COPY_INT;
		v->i = sqlite3_column_int64(st, i);
		return true;
	case SQLITE_TEXT:
		v->kind = STORE_COPY_TEXT;
		v->p = sqlite3_column_text(st, i);
		v->len = (size_t)sqlite3_column_bytes(st, i);
		return v->p != NULL;
	case SQLITE_BLOB:
		v->kind = STORE_COPY_BYTES;
		v->p = sqlite3_column_blob(st, i);
		v->len = (size_t)sqlite3_column_bytes(st, i);
		if (v->p == NULL)	/* an empty blob */
			v->p = "";
		return true;
	default:
		return false;
	}
}

static int
copy_rows(struct mamori_store *s, const char *table, size_t ncols, const char *const *names,
    int (*fn)(const struct store_copy_value *vals, void *ctx), void *ctx, struct mamori_error *err)
{
	struct store_copy_value vals[STORE_COPY_COLS_MAX];
	sqlite3_stmt *st;
	char *sql;
	int rc, step = SQLITE_DONE;

	if ((rc = build_sql(&sql, false, table, ncols, names, err)) != 0)
		return rc;
	st = store_prepare(s, sql, err);
	free(sql);
	if (st == NULL)
		return MAMORI_E_STORE;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		for (size_t i = 0; rc == 0 && i < ncols; i++)
			if (!column_value(st, (int)i, &vals[i]))
				rc = mamori_error_set(err, MAMORI_E_STORE, "copy: %s, the row of %s %s: column %s holds "
				    "a value of no type the store keeps (a number with a fraction)", table, names[0],
				    store_text(st, 0), names[i]);
		if (rc == 0)
			rc = fn(vals, ctx);
	}
	rc = store_walk_end(s, rc, step, err, "copy: reading a table");
	sqlite3_finalize(st);
	return rc;
}

/* ---- writing ---- */

struct store_copy_writer {
	struct mamori_store *s;
	sqlite3_stmt *st;
	size_t ncols;
	int64_t row;		/* rows written, for the message of a refused one */
	char table[64];
};

static int
copy_writer_open(struct mamori_store *s, const char *table, size_t ncols, const char *const *names,
    struct store_copy_writer **out, struct mamori_error *err)
{
	struct store_copy_writer *w;
	char *sql;
	int rc;

	*out = NULL;
	if ((rc = build_sql(&sql, true, table, ncols, names, err)) != 0)
		return rc;
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		free(sql);
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	}
	w->st = store_prepare(s, sql, err);
	free(sql);
	if (w->st == NULL) {
		free(w);
		return MAMORI_E_STORE;
	}
	w->s = s;
	w->ncols = ncols;
	snprintf(w->table, sizeof(w->table), "%s", table);
	*out = w;
	return 0;
}

static int
copy_write(struct store_copy_writer *w, const struct store_copy_value *vals, struct mamori_error *err)
{
	sqlite3_stmt *st = w->st;

	w->row++;
	sqlite3_reset(st);
	for (size_t i = 0; i < w->ncols; i++) {
		const struct store_copy_value *v = &vals[i];
		int col = (int)i + 1;
		switch (v->kind) {
		case STORE_COPY_NULL: sqlite3_bind_null(st, col); break;
		case STORE_COPY_INT: sqlite3_bind_int64(st, col, v->i); break;
		case STORE_COPY_TEXT: sqlite3_bind_text64(st, col, v->p, v->len, SQLITE_STATIC, SQLITE_UTF8); break;
		case STORE_COPY_BYTES: sqlite3_bind_blob64(st, col, v->p, v->len, SQLITE_STATIC); break;
		}
	}
	if (sqlite3_step(st) != SQLITE_DONE) {
		int rc = mamori_error_set(err, MAMORI_E_STORE, "copy: %s, row %lld: %s", w->table, (long long)w->row,
		    sqlite3_errmsg(w->s->db));
		sqlite3_reset(st);
		return rc;
	}
	return 0;
}

static int
copy_writer_close(struct store_copy_writer **wp, bool keep, struct mamori_error *err)
{
	(void)keep;	/* every row was written as it came */
	(void)err;
	if (*wp != NULL) {
		sqlite3_finalize((*wp)->st);
		free(*wp);
		*wp = NULL;
	}
	return 0;
}

/* The statistics a bulk import gathers (store_sqlite_asset.c): the register's list plans by them. */
static int
copy_finish(struct mamori_store *s, struct mamori_error *err)
{
	return store_exec(s, "PRAGMA analysis_limit = 0; ANALYZE asset", err);
}

const struct store_copy_ops store_sqlite_copy_ops = {
	.tables = copy_tables,
	.rows = copy_rows,
	.writer_open = copy_writer_open,
	.write = copy_write,
	.writer_close = copy_writer_close,
	.finish = copy_finish,
	.discard = NULL,	/* the file is removed */
};
