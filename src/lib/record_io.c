/*
 * record_io.c — a kind's records out to CSV or XLSX and in from a file
 * (mamori/record.h): the register's machinery (csv.c's reader and decoding,
 * its header search, sheet.c's cells) with the kind's declaration as the
 * columns.  An import checks every row as `record new` does and writes all of
 * them in one transaction, or none.
 */
#include "store_internal.h"
#include "mamori/i18n.h"
#include "mamori/record.h"
#include "mamori/tz.h"
#include "mamori/user.h"
#include "buf.h"
#include "csv.h"
#include "record_internal.h"
#include "sheet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

/* The columns before the kind's fields, as the export writes them. */
enum { COL_ID, COL_STATE, COL_REPORTER, COL_CREATED, COL_UPDATED, NFIXED };
static const char *const fixed_titles[NFIXED] = { "番号", "状態", "報告者", "作成日時", "更新日時" };
static const char *const fixed_ids[NFIXED] = { "id", "state", "reporter", "created", "updated" };

/* ---- export ---- */

struct rexport {
	const struct mamori_policy *p;
	const struct mamori_record_kind *k;
	struct mamori_tz tz;
	struct buf cell;	/* the cell being made */
	/* the writer's own */
	struct sheet_csv csv;
	lxw_worksheet *ws;
	lxw_row_t row;
	char *literal;
	size_t literal_cap;
	bool nomem;
	char bad[MAMORI_RECORD_ID_MAX];	/* the record CP932 could not write */
};

/* One stored value as a person reads it and the import reads it back. */
static void
value_words(struct rexport *e, const struct mamori_record_field *f, const cJSON *v)
{
	const char *s = cJSON_GetStringValue(v), *w = s;
	char buf[64];

	if (cJSON_IsNumber(v)) {
		snprintf(buf, sizeof(buf), "%.0f", v->valuedouble);
		buf_adds(&e->cell, buf);
		return;
	}
	if (s == NULL)
		return;
	if (strcmp(f->type, "datetime") == 0)
		w = mamori_tz_rfc3339(&e->tz, s, buf, sizeof(buf)) ? buf : s;
	else if (strcmp(f->type, "department") == 0 && mamori_policy_find_department(e->p, s))
		w = mamori_policy_find_department(e->p, s)->title;
	else if (strcmp(f->type, "role") == 0 && mamori_policy_find_role(e->p, s))
		w = mamori_policy_find_role(e->p, s)->title;
	else if (strcmp(f->type, "segment") == 0 && mamori_policy_find_segment(e->p, s))
		w = mamori_policy_find_segment(e->p, s)->title;
	for (size_t i = 0; strcmp(f->type, "threat") == 0 && i < e->p->nthreats; i++)
		if (strcmp(e->p->threats[i].id, s) == 0 && e->p->threats[i].title)
			w = e->p->threats[i].title;
	for (size_t i = 0; i < f->nchoices; i++)
		if (strcmp(f->choices[i].id, s) == 0)
			w = f->choices[i].title;
	buf_adds(&e->cell, w ? w : s);
}

/* Cell n (a fixed column, then the fields) of rec (NULL: the header) in e->cell. */
static const char *
cell(struct rexport *e, const cJSON *rec, size_t n)
{
	static const char *const keys[NFIXED] = { "id", "state_title", "reporter", "created", "updated" };
	const struct mamori_record_field *f = n >= NFIXED ? &e->k->fields[n - NFIXED] : NULL;
	const cJSON *v, *it;
	char buf[64];

	buf_reset(&e->cell);
	if (rec == NULL) {
		buf_adds(&e->cell, f ? (f->title ? f->title : f->id) : fixed_titles[n]);
	} else if (f == NULL) {
		const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, keys[n]));
		if (s && (n == COL_CREATED || n == COL_UPDATED))
			s = mamori_tz_rfc3339(&e->tz, s, buf, sizeof(buf)) ? buf : s;
		buf_adds(&e->cell, s ? s : "");
	} else {
		v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "fields"), f->id);
		if (cJSON_IsArray(v)) {
			cJSON_ArrayForEach(it, v) {
				if (it != v->child)
					buf_adds(&e->cell, "、");
				value_words(e, f, it);
			}
		} else if (v != NULL) {
			value_words(e, f, v);
		}
	}
	buf_add(&e->cell, "", 0);
	if (e->cell.fail)
		e->nomem = true;
	return e->cell.p ? e->cell.p : "";
}

/* Calls row for every record of f, newest first, a page of the list at a time. */
static int
each_record(struct mamori_store *s, const struct mamori_record_filter *f, int (*row)(struct rexport *, const cJSON *),
    struct rexport *e, struct mamori_error *err)
{
	struct mamori_record_filter page = *f;
	cJSON *out = NULL, *rec;
	int rc = 0;

	page.limit = 1000;
	page.before = 0;
	do {
		if ((rc = mamori_record_list(s, &page, &out, err)) != 0)
			break;
		cJSON_ArrayForEach(rec, cJSON_GetObjectItem(out, "records"))
			if (rc == 0)
				rc = row(e, rec);
		const cJSON *next = cJSON_GetObjectItem(out, "next");
		page.before = cJSON_IsNumber(next) ? (int64_t)next->valuedouble : 0;
		cJSON_Delete(out);
		out = NULL;
	} while (rc == 0 && page.before > 0);
	return rc;
}

static bool
export_init(struct rexport *e, struct mamori_store *s, const struct mamori_record_filter *f, struct mamori_error *err)
{
	memset(e, 0, sizeof(*e));
	e->p = mamori_store_policy(s);
	e->k = f->kind ? mamori_record_kind_find(e->p, f->kind) : NULL;
	e->csv.cd = (iconv_t)-1;
	if (e->k == NULL) {
		mamori_error_set(err, MAMORI_E_NOTFOUND, "the policy has no record kind '%s' (mamori record kinds "
		    "lists them)", f->kind ? f->kind : "");
		return false;
	}
	(void)mamori_tz_load(&e->tz, mamori_policy_timezone(e->p), NULL);	/* UTC when it cannot */
	return true;
}

static void
export_free(struct rexport *e)
{
	sheet_csv_close(&e->csv);
	mamori_tz_free(&e->tz);
	buf_free(&e->cell);
	free(e->literal);
}

static int
csv_row(struct rexport *e, const cJSON *rec)
{
	FILE *out = sheet_csv_row(&e->csv);

	for (size_t n = 0; n < NFIXED + e->k->nfields; n++) {
		if (n)
			fputc(',', out);
		sheet_csv_field(out, cell(e, rec, n));
	}
	fputs("\r\n", out);
	if (!sheet_csv_end_row(&e->csv)) {
		snprintf(e->bad, sizeof(e->bad), "%s", rec ? cJSON_GetStringValue(cJSON_GetObjectItem(rec, "id")) : "");
		return MAMORI_E_INVALID;
	}
	if (e->nomem)
		return MAMORI_E_NOMEM;
	return ferror(e->csv.out) ? MAMORI_E_IO : 0;
}

int
mamori_record_export_csv(struct mamori_store *s, const struct mamori_record_filter *f, const char *encoding,
    FILE *out, struct mamori_error *err)
{
	struct rexport e;
	int rc;

	if (!export_init(&e, s, f, err)) {
		export_free(&e);
		return err->code;
	}
	if (!sheet_csv_open(&e.csv, out, encoding, err)) {
		export_free(&e);
		return err->code;
	}
	sheet_csv_bom(&e.csv);
	rc = csv_row(&e, NULL);
	if (rc == 0)
		rc = each_record(s, f, csv_row, &e, err);
	if (rc == MAMORI_E_INVALID && e.bad[0])
		mamori_error_set(err, rc, "record %s holds a character that CP932 cannot write; export it as "
		    "UTF-8, which Excel 2016 and later read", e.bad);
	else if (rc == MAMORI_E_NOMEM)
		mamori_error_set(err, rc, "out of memory");
	else if (rc == MAMORI_E_IO || (rc == 0 && (fflush(out) != 0 || ferror(out))))
		rc = mamori_error_set(err, MAMORI_E_IO, "cannot write the export");
	export_free(&e);
	return rc;
}

static int
xlsx_row(struct rexport *e, const cJSON *rec)
{
	e->row++;
	for (size_t n = 0; n < NFIXED + e->k->nfields; n++) {
		const char *v = cell(e, rec, n);
		if (v[0] != '\0')
			worksheet_write_string(e->ws, e->row, (lxw_col_t)n,
			    sheet_xlsx_literal(v, &e->literal, &e->literal_cap, &e->nomem), NULL);
	}
	return e->nomem ? MAMORI_E_NOMEM : 0;
}

int
mamori_record_export_xlsx(struct mamori_store *s, const struct mamori_record_filter *f, const char *path,
    struct mamori_error *err)
{
	/* constant memory: rows go to a temporary file as they are written (asset_export.c) */
	lxw_workbook_options wo = { .constant_memory = LXW_TRUE };
	struct rexport e;
	lxw_workbook *wb;
	lxw_format *bold;
	int rc = 0;

	if (!export_init(&e, s, f, err)) {
		export_free(&e);
		return err->code;
	}
	if ((wb = workbook_new_opt(path, &wo)) == NULL) {
		export_free(&e);
		return mamori_error_set(err, MAMORI_E_IO, "cannot create %s", path);
	}
	e.ws = workbook_add_worksheet(wb, e.k->title && strlen(e.k->title) <= 31 ? e.k->title : e.k->id);
	bold = workbook_add_format(wb);
	format_set_bold(bold);
	for (size_t n = 0; n < NFIXED + e.k->nfields; n++)
		worksheet_write_string(e.ws, 0, (lxw_col_t)n, cell(&e, NULL, n), bold);
	worksheet_freeze_panes(e.ws, 1, 1);
	worksheet_set_column(e.ws, 0, (lxw_col_t)(NFIXED + e.k->nfields - 1), 16, NULL);
	rc = each_record(s, f, xlsx_row, &e, err);
	worksheet_autofilter(e.ws, 0, 0, e.row, (lxw_col_t)(NFIXED + e.k->nfields - 1));
	if (workbook_close(wb) != LXW_NO_ERROR && rc == 0)
		rc = mamori_error_set(err, MAMORI_E_IO, "cannot write %s", path);
	if (rc == MAMORI_E_NOMEM)
		mamori_error_set(err, rc, "out of memory");
	export_free(&e);
	return rc;
}

/* ---- import ---- */

/* What a column of the file is to the import. */
enum { IN_OTHER = -1, IN_STATE = -2, IN_EXPORT = -3, IN_BLANK = -4 };

/* text without the spaces (ASCII and 全角) around it, in place. */
static char *
trim(char *text)
{
	size_t n;

	for (;;) {
		if (*text == ' ' || *text == '\t')
			text++;
		else if (strncmp(text, "　", 3) == 0)
			text += 3;
		else
			break;
	}
	n = strlen(text);
	for (;;) {
		if (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t' || text[n - 1] == '\r'))
			n--;
		else if (n >= 3 && strncmp(text + n - 3, "　", 3) == 0)
			n -= 3;
		else
			break;
	}
	text[n] = '\0';
	return text;
}

/* What the header cell name is: a field's index, or one of IN_*. */
static int
column_of(const struct mamori_record_kind *k, const char *name)
{
	const struct mamori_record_field *f;
	char buf[256];

	snprintf(buf, sizeof(buf), "%s", name);
	name = trim(buf);
	if (name[0] == '\0')
		return IN_BLANK;
	if ((f = record_field_find(k, name)) != NULL)
		return (int)(f - k->fields);
	if (strcmp(name, fixed_titles[COL_STATE]) == 0 || strcmp(name, fixed_ids[COL_STATE]) == 0)
		return IN_STATE;
	for (size_t i = 0; i < NFIXED; i++)
		if (strcmp(name, fixed_titles[i]) == 0 || strcmp(name, fixed_ids[i]) == 0)
			return IN_EXPORT;
	return IN_OTHER;
}

/* Whether rec names every required field of the kind: its header row. */
static bool
is_kind_header(const struct csv_record *rec, void *ctx)
{
	const struct mamori_record_kind *k = ctx;
	size_t required = 0, seen = 0;

	for (size_t i = 0; i < k->nfields; i++)
		required += k->fields[i].required;
	for (size_t i = 0; i < rec->nfields; i++) {
		int c = column_of(k, rec->fields[i]);
		if (c >= 0 && k->fields[c].required)
			seen++;
	}
	/* a kind without required fields: the first row that names a field */
	return required > 0 ? seen >= required : (seen > 0 || rec->nfields > 0);
}

struct import {
	struct mamori_store *s;
	const struct mamori_record_kind *k;
	const struct mamori_record_state *initial;
	const char *name;
	struct mamori_diags *diags;
	int *colmap;
	size_t ncols;
	cJSON *rows;		/* the checked fields of every row, in order */
	struct mamori_user u;
	time_t now;
	void (*progress)(size_t, size_t);
	struct mamori_error *err;
};

/* Maps the header's columns; reports a field named twice, a required one missing, the columns left out. */
static void
read_header(struct import *x, const struct csv_record *rec, int row)
{
	char others[600] = "";
	size_t used = 0, nothers = 0;
	bool *seen = calloc(x->k->nfields + 1, sizeof(*seen));

	for (size_t i = 0; i < rec->nfields; i++) {
		int c = x->colmap[i] = column_of(x->k, rec->fields[i]);
		if (c >= 0 && seen != NULL && seen[c])
			mamori_diags_add(x->diags, MAMORI_SEV_ERROR, NULL, row, (int)i + 1, "%s: row %d, column %zu: "
			    "'%s' appears twice", x->name, row, i + 1, rec->fields[i]);
		else if (c >= 0 && seen != NULL)
			seen[c] = true;
		else if ((c == IN_OTHER || c == IN_EXPORT) && used < sizeof(others))
			used += (size_t)snprintf(others + used, sizeof(others) - used, "%s'%s'", nothers++ ? ", " : "",
			    rec->fields[i]);
	}
	if (nothers > 0)
		mamori_diags_add(x->diags, MAMORI_SEV_WARNING, NULL, row, 0, "%s: row %d: not fields of %s, not "
		    "imported: %s (an import makes new records: their 番号, 報告者 and times are mamori's)",
		    x->name, row, x->k->title, others);
	for (size_t f = 0; seen != NULL && f < x->k->nfields; f++)
		if (x->k->fields[f].required && !seen[f])
			mamori_diags_add(x->diags, MAMORI_SEV_ERROR, NULL, row, 0, "%s: row %d: the required column "
			    "%s (%s) is missing", x->name, row, x->k->fields[f].title, x->k->fields[f].id);
	if (seen == NULL)
		mamori_diags_add(x->diags, MAMORI_SEV_ERROR, NULL, row, 0, "%s: out of memory", x->name);
	free(seen);
}

/* The column number (1-based) of field id in the file, for messages; 0 when none. */
static size_t
column_number(const struct import *x, const char *id)
{
	for (size_t i = 0; i < x->ncols; i++)
		if (x->colmap[i] >= 0 && strcmp(x->k->fields[x->colmap[i]].id, id) == 0)
			return i + 1;
	return 0;
}

/* Row `row` of the file: its fields checked into x->rows, or its problems in x->diags. */
static void
read_row(struct import *x, const struct csv_record *rec, int row)
{
	struct mamori_diags problems = { 0 };
	struct mamori_error err = { 0 };
	cJSON *fields = cJSON_CreateObject(), *checked = NULL;

	if (rec->nfields != x->ncols)
		mamori_diags_add(x->diags, MAMORI_SEV_ERROR, NULL, row, 0, "%s: row %d: %zu fields where the header "
		    "has %zu", x->name, row, rec->nfields, x->ncols);
	for (size_t i = 0; i < rec->nfields && i < x->ncols; i++) {
		char *v = sheet_cell_clean(trim(rec->fields[i]));
		if (x->colmap[i] == IN_STATE && v[0] != '\0' && record_state_find(x->k, v) != x->initial)
			mamori_diags_add(x->diags, MAMORI_SEV_ERROR, NULL, row, (int)i + 1, "%s: row %d, column %zu "
			    "(状態): '%s': a record comes in at its start (%s); leave the column empty, and take the "
			    "later steps with 'mamori record move' once it is imported", x->name, row, i + 1, v,
			    x->initial->title);
		if (x->colmap[i] >= 0 && v[0] != '\0')
			cJSON_AddStringToObject(fields, x->k->fields[x->colmap[i]].id, v);
	}
	checked = mamori_record_check_fields(x->s, x->k, fields, true, &problems, &err);
	for (size_t i = 0; i < problems.count; i++) {
		const char *id = problems.items[i].file;
		const struct mamori_record_field *f = id ? record_field_find(x->k, id) : NULL;
		size_t col = id ? column_number(x, id) : 0;
		if (col > 0)
			mamori_diags_add(x->diags, MAMORI_SEV_ERROR, NULL, row, (int)col,
			    "%s: row %d, column %zu (%s): %s", x->name, row, col, f && f->title ? f->title : id,
			    problems.items[i].message);
		else
			mamori_diags_add(x->diags, MAMORI_SEV_ERROR, NULL, row, 0, "%s: row %d: %s (add the column)",
			    x->name, row, problems.items[i].message);
	}
	if (checked != NULL)
		cJSON_AddItemToArray(x->rows, checked);
	else if (problems.count == 0)
		mamori_diags_add(x->diags, MAMORI_SEV_ERROR, NULL, row, 0, "%s: row %d: %s", x->name, row, err.message);
	mamori_diags_clear(&problems);
	cJSON_Delete(fields);
}

static int
import_tx(struct mamori_store_tx *tx, void *arg)
{
	struct import *x = arg;
	size_t total = (size_t)cJSON_GetArraySize(x->rows), done = 0;
	char id[MAMORI_RECORD_ID_MAX];
	const cJSON *fields;
	int rc = 0;

	cJSON_ArrayForEach(fields, x->rows) {
		if ((rc = record_create_in(tx, x->k, &x->u, fields, x->name, x->now, id, x->err)) != 0)
			break;
		if (x->progress && ++done % 10000 == 0 && done < total)
			x->progress(done, total);
	}
	return rc;
}

/* Reads the decoded text: the header, then every row. */
static void
read_file(struct import *x, struct csv_reader *r)
{
	struct csv_record rec;
	char **first_row = NULL;
	int row = 1, got = csv_find_header(r, &rec, 0, is_kind_header, (void *)x->k, &row, &first_row);

	if (got <= 0) {
		mamori_diags_add(x->diags, MAMORI_SEV_ERROR, NULL, 0, 0, "%s: %s", x->name, got == 0 ?
		    _("the file is empty; its header names the kind's fields (by title or id)") : r->error);
		free(first_row);
		return;
	}
	if (row > 1)
		mamori_diags_add(x->diags, MAMORI_SEV_WARNING, NULL, row, 0, "%s: the header is row %d; the rows "
		    "above it (a title) are not imported", x->name, row);
	x->ncols = rec.nfields;
	if ((x->colmap = calloc(x->ncols + 1, sizeof(*x->colmap))) == NULL) {
		mamori_diags_add(x->diags, MAMORI_SEV_ERROR, NULL, 0, 0, "%s: out of memory", x->name);
		free(first_row);
		return;
	}
	read_header(x, &rec, row);
	free(first_row);
	if (x->diags->errors > 0)
		return;
	while ((got = csv_next(r, &rec)) == 1) {
		bool blank = true;
		row++;
		for (size_t i = 0; i < rec.nfields && blank; i++)
			blank = trim(rec.fields[i])[0] == '\0';
		if (!blank)
			read_row(x, &rec, row);
	}
	if (got < 0)
		mamori_diags_add(x->diags, MAMORI_SEV_ERROR, NULL, 0, 0, "%s: line %d: %s", x->name, r->error_line,
		    r->error);
}

int
mamori_record_import(struct mamori_store *s, const char *actor, const char *by, const char *kind,
    const char *name, char *bytes, size_t len, const struct mamori_record_import_opts *opts,
    struct mamori_diags *diags, size_t *count, struct mamori_error *err)
{
	static const struct mamori_record_import_opts none;
	const struct mamori_record_import_opts *o = opts ? opts : &none;
	struct import x = { .s = s, .name = name, .diags = diags, .now = o->now ? o->now : time(NULL),
	    .progress = o->progress, .err = err };
	struct csv_reader r;
	size_t text_len;
	char *text, msg[256];
	int rc;

	*count = 0;
	x.k = mamori_record_kind_find(mamori_store_policy(s), kind);
	if (x.k == NULL) {
		free(bytes);
		return mamori_error_set(err, MAMORI_E_NOTFOUND, "the policy has no record kind '%s' "
		    "(mamori record kinds lists them)", kind ? kind : "");
	}
	for (size_t i = 0; i < x.k->nstates; i++)
		if (x.k->states[i].initial)
			x.initial = &x.k->states[i];
	if ((rc = record_acting_account(s, by, &x.u, err)) != 0) {
		free(bytes);
		return rc;
	}
	if ((text = text_decode_owned(bytes, len, o->encoding, &text_len, msg, sizeof(msg))) == NULL) {
		mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, 0, 0, "%s: %s", name, msg);
		return mamori_error_set(err, MAMORI_E_INVALID, "%s: cannot decode the file", name);
	}
	x.rows = cJSON_CreateArray();
	csv_open(&r, text, text_len);
	read_file(&x, &r);
	if (diags->errors > 0) {
		rc = mamori_error_set(err, MAMORI_E_INVALID, "%s: %zu problems; nothing was imported", name,
		    diags->errors);
	} else if (!o->dry_run && cJSON_GetArraySize(x.rows) > 0) {
		rc = mamori_store_write(s, actor, import_tx, &x, err);
		if (rc == 0 && o->progress && cJSON_GetArraySize(x.rows) >= 10000)
			o->progress((size_t)cJSON_GetArraySize(x.rows), (size_t)cJSON_GetArraySize(x.rows));
	}
	if (rc == 0)
		*count = (size_t)cJSON_GetArraySize(x.rows);
	csv_free(&r);
	cJSON_Delete(x.rows);
	free(x.colmap);
	return rc;
}
