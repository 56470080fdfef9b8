/*
 * store_sqlite_file.c — a record's files in SQLite: the table record_file
 * (its schema is store.c's migrations) and the file field of the record a
 * file fills, behind store_file_ops (store_ops_file.h).  Every statement of
 * record_file.c is here.
 */
#include "store_ops_file.h"
#include "store_internal.h"
#include "store_sqlite.h"

#include <stdio.h>
#include <string.h>

/* The columns row_file reads, in its order. */
#define FILE_COLUMNS "num, record, sha256, name, type, size, by, created"

static void
row_file(sqlite3_stmt *st, struct mamori_record_file *f)
{
	const char *type = (const char *)sqlite3_column_text(st, 4);

	memset(f, 0, sizeof(*f));
	f->num = sqlite3_column_int64(st, 0);
	snprintf(f->record, sizeof(f->record), "%s", (const char *)sqlite3_column_text(st, 1));
	snprintf(f->sha256, sizeof(f->sha256), "%s", (const char *)sqlite3_column_text(st, 2));
	snprintf(f->name, sizeof(f->name), "%s", (const char *)sqlite3_column_text(st, 3));
	snprintf(f->type, sizeof(f->type), "%s", type ? type : "application/octet-stream");
	f->size = sqlite3_column_int64(st, 5);
	snprintf(f->by, sizeof(f->by), "%s", (const char *)sqlite3_column_text(st, 6));
	snprintf(f->created, sizeof(f->created), "%s", (const char *)sqlite3_column_text(st, 7));
}

/* The number is the row's: record_file.num is its INTEGER PRIMARY KEY. */
static int
sqlite_add(struct mamori_store_tx *tx, const struct mamori_record_file *f, int64_t *num, struct mamori_error *err)
{
	static const char sql[] = "INSERT INTO record_file (record, sha256, name, type, size, by, created) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?)";
	struct mamori_store *s = tx->store;
	sqlite3_stmt *st = store_cached(s, sql, err);
	int rc;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, f->record, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, f->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, f->type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, f->size);
	sqlite3_bind_text(st, 6, f->by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, f->created, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_error(s, err, "cannot write the file's row");
	store_release(s, st);
	if (rc == 0)
		*num = sqlite3_last_insert_rowid(s->db);
	return rc;
}

static int
sqlite_list(struct mamori_store *s, const char *id,
    int (*fn)(const struct mamori_record_file *f, void *ctx), void *ctx, struct mamori_error *err)
{
	static const char sql[] = "SELECT " FILE_COLUMNS " FROM record_file WHERE record = ? ORDER BY num";
	sqlite3_stmt *st = store_cached(s, sql, err);
	struct mamori_record_file f;
	int rc = 0, step = SQLITE_DONE;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		row_file(st, &f);
		rc = fn(&f, ctx);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_error(s, err, "cannot read the record's files");
	store_release(s, st);
	return rc;
}

static int
sqlite_get(struct mamori_store *s, const char *id, int64_t num, struct mamori_record_file *f,
    struct mamori_error *err)
{
	static const char sql[] = "SELECT " FILE_COLUMNS " FROM record_file WHERE num = ? AND record = ?";
	sqlite3_stmt *st = store_cached(s, sql, err);
	int rc;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_int64(st, 1, num);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row_file(st, f);
	rc = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? MAMORI_E_NOTFOUND :
	    store_error(s, err, "cannot read the record's file");
	store_release(s, st);
	return rc;
}

static int
sqlite_set_fields(struct mamori_store_tx *tx, const char *id, const char *fields, const char *updated,
    struct mamori_error *err)
{
	static const char sql[] = "UPDATE record SET fields = ?, updated = ? WHERE id = ?";
	struct mamori_store *s = tx->store;
	sqlite3_stmt *st = store_cached(s, sql, err);
	int rc;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, fields, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, updated, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_error(s, err, "cannot fill the file field");
	store_release(s, st);
	return rc;
}

const struct store_file_ops store_sqlite_file_ops = {
	.add = sqlite_add,
	.list = sqlite_list,
	.get = sqlite_get,
	.set_fields = sqlite_set_fields,
};
