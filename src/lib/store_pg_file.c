/*
 * store_pg_file.c — a record's files in PostgreSQL: the table record_file
 * (store_pg_schema.c) and the file field of the record a file fills, behind
 * store_file_ops (store_ops_file.h), with the same results as SQLite's
 * (store_sqlite_file.c).
 */
#include "store_backend.h"
#include "store_internal.h"
#include "store_ops_file.h"
#include "store_pg.h"

#include <stdio.h>
#include <string.h>

/* The columns row_file reads, in its order. */
#define FILE_COLUMNS "num, record, sha256, name, type, size, by, created"

/* Row i of r (FILE_COLUMNS) into f. */
static void
row_file(const PGresult *r, int i, struct mamori_record_file *f)
{
	memset(f, 0, sizeof(*f));
	f->num = store_pg_int64(r, i, 0);
	snprintf(f->record, sizeof(f->record), "%s", store_pg_get(r, i, 1));
	snprintf(f->sha256, sizeof(f->sha256), "%s", store_pg_get(r, i, 2));
	snprintf(f->name, sizeof(f->name), "%s", store_pg_get(r, i, 3));
	snprintf(f->type, sizeof(f->type), "%s", store_pg_null(r, i, 4) ? "application/octet-stream" :
	    store_pg_get(r, i, 4));
	f->size = store_pg_int64(r, i, 5);
	snprintf(f->by, sizeof(f->by), "%s", store_pg_get(r, i, 6));
	snprintf(f->created, sizeof(f->created), "%s", store_pg_get(r, i, 7));
}

/*
 * The number is the largest plus one, as SQLite's rowid: writers take turns
 * (pg_begin), and a rolled back attachment leaves no gap in the numbers the
 * record shows (an identity column's sequence would).
 */
static int
pg_add(struct mamori_store_tx *tx, const struct mamori_record_file *f, int64_t *num, struct mamori_error *err)
{
	static const char sql[] = "INSERT INTO record_file (num, record, sha256, name, type, size, by, created) "
	    "SELECT coalesce(max(num), 0) + 1, $1, $2, $3, $4, $5, $6, $7 FROM record_file RETURNING num";
	struct store_pg_params p = { 0 };
	PGresult *r;
	int rc;

	store_pg_text(&p, f->record);
	store_pg_text(&p, f->sha256);
	store_pg_text(&p, f->name);
	store_pg_text(&p, f->type);
	store_pg_int(&p, f->size);
	store_pg_text(&p, f->by);
	store_pg_text(&p, f->created);
	if ((rc = store_pg_run(tx->store, sql, &p, &r, err)) != 0)
		return rc;
	*num = store_pg_int64(r, 0, 0);
	PQclear(r);
	return 0;
}

static int
pg_list(struct mamori_store *s, const char *id,
    int (*fn)(const struct mamori_record_file *f, void *ctx), void *ctx, struct mamori_error *err)
{
	static const char sql[] = "SELECT " FILE_COLUMNS " FROM record_file WHERE record = $1 ORDER BY num";
	struct store_pg_params p = { 0 };
	struct mamori_record_file f;
	PGresult *r;
	int rc;

	store_pg_text(&p, id);
	if ((rc = store_pg_run(s, sql, &p, &r, err)) != 0)
		return rc;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		row_file(r, i, &f);
		rc = fn(&f, ctx);
	}
	PQclear(r);
	return rc;
}

static int
pg_get(struct mamori_store *s, const char *id, int64_t num, struct mamori_record_file *f,
    struct mamori_error *err)
{
	static const char sql[] = "SELECT " FILE_COLUMNS " FROM record_file WHERE num = $1 AND record = $2";
	struct store_pg_params p = { 0 };
	PGresult *r;
	int rc;

	store_pg_int(&p, num);
	store_pg_text(&p, id);
	if ((rc = store_pg_run(s, sql, &p, &r, err)) != 0)
		return rc;
	if (PQntuples(r) > 0)
		row_file(r, 0, f);
	else
		rc = MAMORI_E_NOTFOUND;		/* err not filled: the caller says what is missing */
	PQclear(r);
	return rc;
}

static int
pg_set_fields(struct mamori_store_tx *tx, const char *id, const char *fields, const char *updated,
    struct mamori_error *err)
{
	static const char sql[] = "UPDATE record SET fields = $1, updated = $2 WHERE id = $3";
	struct store_pg_params p = { 0 };

	store_pg_text(&p, fields);
	store_pg_text(&p, updated);
	store_pg_text(&p, id);
	return store_pg_run(tx->store, sql, &p, NULL, err);
}

const struct store_file_ops store_pg_file_ops = {
	.add = pg_add,
	.list = pg_list,
	.get = pg_get,
	.set_fields = pg_set_fields,
};
