/*
 * store_pg_copy.c — PostgreSQL's side of `mamori store copy`
 * (store_ops_copy.h): the tables of the store's schema with their columns,
 * their rows read through a cursor (a page at a time, in the snapshot of
 * the copy's REPEATABLE READ transaction), and COPY FROM STDIN into a new
 * store, whose identity sequences then move past the copied numbers.
 *
 * The copy's connections are one thread's (store_create_empty, a private
 * open): statements go to libpq directly, as COPY must.
 */
#include "store_ops_copy.h"
#include "store_internal.h"
#include "store_pg.h"
#include "buf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows a FETCH brings (memory stays bounded), bytes of COPY data sent at once. */
enum { PAGE_ROWS = 10000, SEND_BYTES = 1 << 16 };

/* The types of the store's columns (pg_type.h's OIDs, stable since PostgreSQL 7). */
enum { OID_BYTEA = 17, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_TEXT = 25, OID_VARCHAR = 1043 };

/* An identifier the copy puts into SQL as it is, quoted: [a-z_][a-z0-9_]*. */
static bool
name_ok(const char *n)
{
	size_t len = strlen(n);

	if (len == 0 || len > 63 || !((*n >= 'a' && *n <= 'z') || *n == '_'))
		return false;
	return strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789_") == len;
}

/* The server's message of r, with where it was (a COPY's line: the row), into err. */
static int
pg_failed(struct mamori_store *s, const PGresult *r, const char *what, struct mamori_error *err)
{
	const char *m = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *where = r ? PQresultErrorField(r, PG_DIAG_CONTEXT) : NULL;
	char msg[512];

	snprintf(msg, sizeof(msg), "%s", m ? m : PQerrorMessage(s->pg->conn));
	msg[strcspn(msg, "\n")] = '\0';
	return mamori_error_set(err, MAMORI_E_STORE, "copy: %s: %s%s%.200s", what, msg, where ? " (" : "",
	    where ? where : "");
}

/* Appends "a", "b", … (names checked) to b; MAMORI_E_STORE naming a name that is not one. */
static int
add_names(struct buf *b, const char *table, size_t ncols, const char *const *names, struct mamori_error *err)
{
	if (!name_ok(table) || ncols == 0 || ncols > STORE_COPY_COLS_MAX)
		return mamori_error_set(err, MAMORI_E_STORE, "copy: table '%s' is not one the copy can name", table);
	for (size_t i = 0; i < ncols; i++) {
		if (!name_ok(names[i]))
			return mamori_error_set(err, MAMORI_E_STORE, "copy: column '%s' of %s is not one the copy "
			    "can name", names[i], table);
		buf_adds(b, i ? ", \"" : "\"");
		buf_adds(b, names[i]);
		buf_addc(b, '"');
	}
	return 0;
}

/* ---- the tables ---- */

/* The tables of the store (the backend's own left out) and their columns, in order. */
static const char tables_sql[] =
	"SELECT c.relname, a.attname FROM pg_class c "
	"JOIN pg_namespace n ON n.oid = c.relnamespace "
	"JOIN pg_attribute a ON a.attrelid = c.oid "
	"WHERE n.nspname = $1 AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped "
	"AND c.relname NOT IN ('schema_version', 'clock') "
	"ORDER BY c.relname, a.attnum";

static int
copy_tables(struct mamori_store *s, int (*fn)(const char *table, size_t ncols, const char *const *names, void *ctx),
    void *ctx, struct mamori_error *err)
{
	struct store_pg_params p = { 0 };
	const char *names[STORE_COPY_COLS_MAX];
	PGresult *r = NULL;
	int rc, rows, first = 0;

	store_pg_text(&p, s->pg->schema);
	if ((rc = store_pg_run(s, tables_sql, &p, &r, err)) != 0)
		return rc;
	rows = PQntuples(r);
	/* a table's columns are rows first .. i - 1 */
	for (int i = 1; rc == 0 && i <= rows; i++) {
		if (i < rows && strcmp(PQgetvalue(r, i, 0), PQgetvalue(r, first, 0)) == 0)
			continue;
		if (i - first > STORE_COPY_COLS_MAX) {
			rc = mamori_error_set(err, MAMORI_E_STORE, "copy: table %s has more than %d columns",
			    PQgetvalue(r, first, 0), STORE_COPY_COLS_MAX);
			break;
		}
		for (int j = first; j < i; j++)
			names[j - first] = PQgetvalue(r, j, 1);
		rc = fn(PQgetvalue(r, first, 0), (size_t)(i - first), names, ctx);
		first = i;
	}
	PQclear(r);
	return rc;
}

/* ---- reading ---- */

/* Bytes decoded from bytea's hex text (\x0a1b…), kept per column between rows. */
struct scratch {
	unsigned char *p;
	size_t cap;
};

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes hex text into sc; false when it is not \x and pairs of hex digits, or memory runs out. */
static bool
bytea_decode(const char *t, size_t tlen, struct scratch *sc, size_t *len)
{
	size_t n;

	if (tlen < 2 || t[0] != '\\' || t[1] != 'x' || (tlen - 2) % 2 != 0)
		return false;
	n = (tlen - 2) / 2;
	if (n + 1 > sc->cap) {
		unsigned char *np = realloc(sc->p, n + 1);
		if (np == NULL)
			return false;
		sc->p = np;
		sc->cap = n + 1;
	}
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(t[2 + 2 * i]), lo = hexval(t[3 + 2 * i]);
		if (hi < 0 || lo < 0)
			return false;
		sc->p[i] = (unsigned char)(hi << 4 | lo);
	}
	*len = n;
	return true;
}

/* Column i of row as a value, as its type says. */
static bool
column_value(const PGresult *r, int row, int i, struct scratch *sc, struct store_copy_value *v)
{
	const char *t = PQgetvalue(r, row, i);
	size_t tlen = (size_t)PQgetlength(r, row, i);
	char *end;

	*v = (struct store_copy_value){ .kind = STORE_COPY_NULL };
	if (PQgetisnull(r, row, i))
		return true;
	switch (PQftype(r, i)) {
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
		v->kind = STORE_COPY_INT;
		v->i = strtoll(t, &end, 10);
		return *end == '\0';
	case OID_TEXT:
	case OID_VARCHAR:
		v->kind = STORE_COPY_TEXT;
		v->p = t;
		v->len = tlen;
		return true;
	case OID_BYTEA:
		v->kind = STORE_COPY_BYTES;
		v->p = sc->p;
		return bytea_decode(t, tlen, sc, &v->len) && (v->p = sc->p) != NULL;
	default:
		return false;
	}
}

/* Hands each row of one page to fn. */
static int
page_rows(const PGresult *r, const char *table, size_t ncols, const char *const *names, struct scratch *sc,
    int (*fn)(const struct store_copy_value *vals, void *ctx), void *ctx, struct mamori_error *err)
{
	struct store_copy_value vals[STORE_COPY_COLS_MAX];
	int rc = 0;

	for (int row = 0; rc == 0 && row < PQntuples(r); row++) {
		for (size_t i = 0; rc == 0 && i < ncols; i++)
			if (!column_value(r, row, (int)i, &sc[i], &vals[i]))
				rc = mamori_error_set(err, MAMORI_E_STORE, "copy: %s, the row of %s %s: column %s holds "
				    "a value the copy cannot read (type %u)", table, names[0], PQgetvalue(r, row, 0),
				    names[i], (unsigned)PQftype(r, (int)i));
		if (rc == 0)
			rc = fn(vals, ctx);
	}
	return rc;
}

static int
copy_rows(struct mamori_store *s, const char *table, size_t ncols, const char *const *names,
    int (*fn)(const struct store_copy_value *vals, void *ctx), void *ctx, struct mamori_error *err)
{
	static const char fetch[] = "FETCH 10000 FROM mamori_copy";
	struct scratch sc[STORE_COPY_COLS_MAX] = { { 0 } };
	struct buf b = { 0 };
	PGresult *r = NULL;
	bool open = false;
	int rc;

	_Static_assert(PAGE_ROWS == 10000, "the FETCH's count");
	/* a cursor needs a transaction: the copy's snapshot (meta->read_begin) */
	BUF_LIT(&b, "DECLARE mamori_copy NO SCROLL CURSOR FOR SELECT ");
	if ((rc = add_names(&b, table, ncols, names, err)) != 0)
		goto out;
	BUF_LIT(&b, " FROM \"");
	buf_adds(&b, table);
	BUF_LIT(&b, "\" ORDER BY 1");
	if (b.fail) {
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = store_pg_exec(s, b.p, err)) != 0)
		goto out;
	open = true;
	do {
		PQclear(r);
		r = NULL;
		if ((rc = store_pg_run(s, fetch, NULL, &r, err)) == 0)
			rc = page_rows(r, table, ncols, names, sc, fn, ctx, err);
	} while (rc == 0 && PQntuples(r) == PAGE_ROWS);
out:
	PQclear(r);
	if (open) {
		int closed = store_pg_exec(s, "CLOSE mamori_copy", rc == 0 ? err : NULL);
		if (rc == 0)
			rc = closed;
	}
	for (size_t i = 0; i < STORE_COPY_COLS_MAX; i++)
		free(sc[i].p);
	buf_free(&b);
	return rc;
}

/* ---- writing: COPY FROM STDIN, text format ---- */

struct store_copy_writer {
	struct mamori_store *s;
	size_t ncols;
	struct buf data;	/* rows not sent yet */
	char table[64];
};

/* Sends what is queued; MAMORI_E_STORE when the connection refuses it. */
static int
send_data(struct store_copy_writer *w, struct mamori_error *err)
{
	if (w->data.fail)
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	if (w->data.len > 0 && PQputCopyData(w->s->pg->conn, w->data.p, (int)w->data.len) != 1)
		return pg_failed(w->s, NULL, w->table, err);
	buf_reset(&w->data);
	return 0;
}

static int
copy_writer_open(struct mamori_store *s, const char *table, size_t ncols, const char *const *names,
    struct store_copy_writer **out, struct mamori_error *err)
{
	struct store_copy_writer *w;
	struct buf b = { 0 };
	PGresult *r = NULL;
	int rc;

	*out = NULL;
	BUF_LIT(&b, "COPY \"");
	buf_adds(&b, table);
	BUF_LIT(&b, "\" (");
	if ((rc = add_names(&b, table, ncols, names, err)) != 0)
		goto out;
	BUF_LIT(&b, ") FROM STDIN");
	if (b.fail || (w = calloc(1, sizeof(*w))) == NULL) {
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		goto out;
	}
	/* as every statement of the connection runs after the events kept back */
	if ((rc = store_pg_audit_flush(s, err)) != 0) {
		free(w);
		goto out;
	}
	r = PQexec(s->pg->conn, b.p);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		rc = pg_failed(s, r, table, err);
		free(w);
		goto out;
	}
	w->s = s;
	w->ncols = ncols;
	snprintf(w->table, sizeof(w->table), "%s", table);
	*out = w;
out:
	PQclear(r);
	buf_free(&b);
	return rc;
}

/* Text as COPY's text format has it: backslash, tab, newline and return escaped. */
static void
add_text(struct buf *b, const char *t, size_t n)
{
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		const char *esc = t[i] == '\\' ? "\\\\" : t[i] == '\t' ? "\\t" : t[i] == '\n' ? "\\n" :
		    t[i] == '\r' ? "\\r" : NULL;
		if (esc == NULL)
			continue;
		buf_add(b, t + run, i - run);
		buf_adds(b, esc);
		run = i + 1;
	}
	buf_add(b, t + run, n - run);
}

static int
copy_write(struct store_copy_writer *w, const struct store_copy_value *vals, struct mamori_error *err)
{
	static const char hex[] = "0123456789abcdef";
	struct buf *b = &w->data;
	char num[24];

	for (size_t i = 0; i < w->ncols; i++) {
		const struct store_copy_value *v = &vals[i];
		const unsigned char *p = v->p;
		if (i > 0)
			buf_addc(b, '\t');
		switch (v->kind) {
		case STORE_COPY_NULL:
			BUF_LIT(b, "\\N");
			break;
		case STORE_COPY_INT:
			snprintf(num, sizeof(num), "%" PRId64, v->i);
			buf_adds(b, num);
			break;
		case STORE_COPY_TEXT:
			add_text(b, v->p, v->len);
			break;
		case STORE_COPY_BYTES:	/* bytea's hex input, its backslash escaped for COPY */
			BUF_LIT(b, "\\\\x");
			if (buf_reserve(b, 2 * v->len))
				for (size_t k = 0; k < v->len; k++) {
					b->p[b->len++] = hex[p[k] >> 4];
					b->p[b->len++] = hex[p[k] & 15];
				}
			break;
		}
	}
	buf_addc(b, '\n');
	return b->len >= SEND_BYTES || b->fail ? send_data(w, err) : 0;
}

static int
copy_writer_close(struct store_copy_writer **wp, bool keep, struct mamori_error *err)
{
	struct store_copy_writer *w = *wp;
	PGconn *c;
	PGresult *r;
	int rc = 0;

	if (w == NULL)
		return 0;
	c = w->s->pg->conn;
	if (keep)
		rc = send_data(w, err);
	/* the server says how the COPY went once it has every row (a refused
	 * one is named by its line, which is its row) */
	if (PQputCopyEnd(c, keep && rc == 0 ? NULL : "the copy was abandoned") != 1 && rc == 0)
		rc = pg_failed(w->s, NULL, w->table, err);
	while ((r = PQgetResult(c)) != NULL) {
		if (keep && rc == 0 && PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = pg_failed(w->s, r, w->table, err);
		PQclear(r);
	}
	buf_free(&w->data);
	free(w);
	*wp = NULL;
	return rc;
}

/* The planner's statistics of the store's tables now, not when autovacuum comes by. */
static int
analyze(struct mamori_store *s, struct mamori_error *err)
{
	static const char sql[] = "SELECT string_agg(quote_ident(relname), ', ' ORDER BY relname) FROM pg_class c "
	    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'";
	struct store_pg_params p = { 0 };
	PGresult *r = NULL;
	char *stmt = NULL;
	int rc;

	store_pg_text(&p, s->pg->schema);
	if ((rc = store_pg_run(s, sql, &p, &r, err)) != 0)
		return rc;
	if (!store_pg_null(r, 0, 0)) {
		if (asprintf(&stmt, "ANALYZE %s", PQgetvalue(r, 0, 0)) < 0) {
			stmt = NULL;
			rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		}
		else
			rc = store_pg_exec(s, stmt, err);
	}
	free(stmt);
	PQclear(r);
	return rc;
}

/* The identity columns of the store's tables (policy.version, record.num …). */
static const char identities_sql[] =
	"SELECT c.relname, a.attname FROM pg_class c "
	"JOIN pg_namespace n ON n.oid = c.relnamespace "
	"JOIN pg_attribute a ON a.attrelid = c.oid "
	"WHERE n.nspname = $1 AND c.relkind = 'r' AND a.attidentity <> '' ORDER BY 1, 2";

static int
copy_finish(struct mamori_store *s, struct mamori_error *err)
{
	struct store_pg_params p = { 0 };
	PGresult *r = NULL;
	char sql[512];
	int rc;

	store_pg_text(&p, s->pg->schema);
	if ((rc = store_pg_run(s, identities_sql, &p, &r, err)) != 0)
		return rc;
	/* the next number a row takes is one past the largest copied */
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		const char *t = PQgetvalue(r, i, 0), *col = PQgetvalue(r, i, 1);
		if (!name_ok(t) || !name_ok(col)) {
			rc = mamori_error_set(err, MAMORI_E_STORE, "copy: %s.%s is not a name the copy can use", t, col);
			break;
		}
		snprintf(sql, sizeof(sql), "SELECT setval(pg_get_serial_sequence('\"%s\"', '%s'), "
		    "coalesce(max(\"%s\"), 0) + 1, false) FROM \"%s\"", t, col, col, t);
		rc = store_pg_exec(s, sql, err);
	}
	PQclear(r);
	return rc == 0 ? analyze(s, err) : rc;
}

static int
copy_discard(struct mamori_store *s, size_t ntables, const char *const *tables, struct mamori_error *err)
{
	struct buf b = { 0 };
	int rc;

	BUF_LIT(&b, "DROP TABLE IF EXISTS schema_version, clock");
	for (size_t i = 0; i < ntables; i++) {
		if (!name_ok(tables[i]))
			continue;
		BUF_LIT(&b, ", \"");
		buf_adds(&b, tables[i]);
		buf_addc(&b, '"');
	}
	rc = b.fail ? mamori_error_set(err, MAMORI_E_NOMEM, "out of memory") : store_pg_exec(s, b.p, err);
	buf_free(&b);
	return rc;
}

const struct store_copy_ops store_pg_copy_ops = {
	.tables = copy_tables,
	.rows = copy_rows,
	.writer_open = copy_writer_open,
	.write = copy_write,
	.writer_close = copy_writer_close,
	.finish = copy_finish,
	.discard = copy_discard,
};
