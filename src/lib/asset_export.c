/*
 * asset_export.c — the register as CSV (UTF-8 with a BOM, or CP932) and XLSX,
 * in what a person reads: Japanese titles and the organisation's time.
 */
#include "asset_internal.h"
#include "mamori/i18n.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "mamori/tz.h"
#include "sheet.h"

#include <xlsxwriter.h>

/* ---- export ------------------------------------------------------------- */

/* What an export walks with: the output, the policy and zone to show values in, progress. */
struct export_ctx {
	FILE *out;
	size_t done, total;
	void (*progress)(size_t, size_t);
	const struct mamori_asset_scope *scope;	/* NULL: every asset */
	const struct mamori_policy *p;
	struct mamori_tz tz;
	struct sheet_csv csv;		/* the CSV's rows (UTF-8, or converted to CP932) */
	char bad[64];			/* the asset CP932 could not write */
};

static bool
export_init(struct export_ctx *e, struct mamori_store *s, const struct mamori_export_opts *o, FILE *out,
    struct mamori_error *err)
{
	memset(e, 0, sizeof(*e));
	e->out = out;
	e->progress = o->progress;
	e->total = o->progress ? (size_t)asset_total(s) : 0;
	e->scope = o->scope;
	e->p = s->policy;
	mamori_tz_load(&e->tz, mamori_policy_timezone(s->policy), NULL);	/* UTC when it cannot */
	return sheet_csv_open(&e->csv, out, o->encoding, err);
}

static void
export_free(struct export_ctx *e)
{
	sheet_csv_close(&e->csv);
	mamori_tz_free(&e->tz);
}

static bool
export_hides(const struct export_ctx *e, const struct mamori_asset *a)
{
	return e->scope != NULL && e->scope->allows != NULL &&
	    !e->scope->allows(a->f[MAMORI_AF_DEPARTMENT], e->scope->ctx);
}

static void
export_step(struct export_ctx *e)
{
	if (e->progress && ++e->done % 10000 == 0 && e->done < e->total)
		e->progress(e->done, e->total);
}

static void
export_end(struct export_ctx *e)
{
	if (e->progress && e->total >= 10000)
		e->progress(e->total, e->total);
}

/* What a person reads for field k of a (buf holds a time in the zone). */
static const char *
export_value(const struct export_ctx *e, const struct mamori_asset *a, int k, char *buf, size_t n)
{
	if (k == MAMORI_AF_CREATED || k == MAMORI_AF_UPDATED)
		return a->f[k] ? mamori_tz_rfc3339(&e->tz, a->f[k], buf, n) : "";
	return mamori_asset_display(e->p, (enum mamori_asset_field)k, a->f[k]);
}

static void
csv_cells(struct export_ctx *e, FILE *out, const struct mamori_asset *a)
{
	char buf[64];

	for (int k = 0; k < MAMORI_AF_COUNT; k++) {
		if (k)
			fputc(',', out);
		sheet_csv_field(out, a ? export_value(e, a, k, buf, sizeof(buf)) : mamori_asset_columns[k].ja);
	}
	fputs("\r\n", out);
}

static int
csv_row(const struct mamori_asset *a, void *ctx)
{
	struct export_ctx *e = ctx;

	export_step(e);
	if (export_hides(e, a))
		return 0;
	csv_cells(e, sheet_csv_row(&e->csv), a);
	if (!sheet_csv_end_row(&e->csv)) {
		snprintf(e->bad, sizeof(e->bad), "%s", a->f[MAMORI_AF_ID] ? a->f[MAMORI_AF_ID] : "?");
		return MAMORI_E_INVALID;
	}
	return ferror(e->out) ? MAMORI_E_IO : 0;
}

int
mamori_asset_export_csv(struct mamori_store *s, FILE *out, const struct mamori_export_opts *opts,
    struct mamori_error *err)
{
	static const struct mamori_export_opts none;
	struct export_ctx e;
	int rc = 0;

	if (!export_init(&e, s, opts ? opts : &none, out, err)) {
		rc = err->code ? err->code : MAMORI_E_USAGE;
		goto out;
	}
	sheet_csv_bom(&e.csv);
	csv_cells(&e, sheet_csv_row(&e.csv), NULL);
	sheet_csv_end_row(&e.csv);	/* the headers are CP932 */
	rc = mamori_asset_list(s, opts ? opts->filter : NULL, csv_row, &e, err);
	if (rc == MAMORI_E_INVALID && e.bad[0])
		mamori_error_set(err, rc, "asset %s holds a character that CP932 cannot write; export it "
		    "as UTF-8 (without --encoding), which Excel 2016 and later read", e.bad);
	if (rc == 0 && (fflush(out) != 0 || ferror(out)))
		rc = mamori_error_set(err, MAMORI_E_IO, "cannot write the export");
	if (rc == 0)
		export_end(&e);
out:
	export_free(&e);
	return rc;
}

struct xlsx_ctx {
	struct export_ctx e;
	lxw_worksheet *ws;
	lxw_format *date;
	lxw_row_t row;
	char restr[4096];
	size_t used;
	char *literal;		/* a value with its _xHHHH_ text escaped (xlsx_literal) */
	size_t literal_cap;
	bool nomem;
};

/* v as an XLSX cell must hold it (sheet_xlsx_literal). */
static const char *
xlsx_literal(struct xlsx_ctx *x, const char *v)
{
	return sheet_xlsx_literal(v, &x->literal, &x->literal_cap, &x->nomem);
}

static void
collect_restriction(const struct mamori_axis *axis, const struct mamori_restriction *r, void *ctx)
{
	struct xlsx_ctx *x = ctx;

	if (x->used < sizeof(x->restr))
		x->used += (size_t)snprintf(x->restr + x->used, sizeof(x->restr) - x->used, "%s%s: %s (%s)",
		    x->used ? "\n" : "", axis->title, r->text, r->clause);
}

/* A YYYY-MM-DD date as an Excel date cell; false when v is not one. */
static bool
xlsx_date(struct xlsx_ctx *x, lxw_col_t col, const char *v)
{
	lxw_datetime dt = { 0 };
	char end;

	if (sscanf(v, "%4d-%2d-%2d%c", &dt.year, &dt.month, &dt.day, &end) != 3 || strlen(v) != 10)
		return false;
	return worksheet_write_datetime(x->ws, x->row, col, &dt, x->date) == LXW_NO_ERROR;
}

static int
xlsx_row(const struct mamori_asset *a, void *ctx)
{
	struct xlsx_ctx *x = ctx;
	char buf[64];

	export_step(&x->e);
	if (export_hides(&x->e, a))
		return 0;
	x->row++;
	for (int k = 0; k < MAMORI_AF_COUNT; k++) {
		if (k >= MAMORI_AF_CONFIDENTIALITY && k <= MAMORI_AF_AVAILABILITY)
			worksheet_write_number(x->ws, x->row, (lxw_col_t)k, (int)asset_to_int(a->f[k]), NULL);
		else if (k == MAMORI_AF_DISPOSED_DATE && a->f[k] && xlsx_date(x, (lxw_col_t)k, a->f[k]))
			continue;
		else if (a->f[k])
			worksheet_write_string(x->ws, x->row, (lxw_col_t)k,
			    xlsx_literal(x, export_value(&x->e, a, k, buf, sizeof(buf))), NULL);
	}
	x->used = 0;
	x->restr[0] = '\0';
	mamori_asset_restrictions(x->e.p, a, collect_restriction, x);
	worksheet_write_string(x->ws, x->row, MAMORI_AF_COUNT, x->restr, NULL);
	return 0;
}

int
mamori_asset_export_xlsx(struct mamori_store *s, const char *path, const struct mamori_export_opts *opts,
    struct mamori_error *err)
{
	/* constant memory: rows go to a temporary file as they are written (in
	 * order, as the list gives them) instead of a tree of the whole sheet, and
	 * strings are written inline; a 1,000,000-row register otherwise takes GBs */
	static const struct mamori_export_opts none;
	lxw_workbook_options wo = { .constant_memory = LXW_TRUE };
	struct mamori_export_opts o = opts ? *opts : none;
	lxw_workbook *wb;
	struct xlsx_ctx x = { 0 };
	lxw_format *bold;
	int rc;

	o.encoding = NULL;
	if (!export_init(&x.e, s, &o, NULL, err))
		return err->code;
	if ((wb = workbook_new_opt(path, &wo)) == NULL) {
		export_free(&x.e);
		return mamori_error_set(err, MAMORI_E_IO, "cannot create %s", path);
	}
	x.ws = workbook_add_worksheet(wb, "情報資産管理台帳");
	bold = workbook_add_format(wb);
	format_set_bold(bold);
	x.date = workbook_add_format(wb);
	format_set_num_format(x.date, "yyyy-mm-dd");
	for (int k = 0; k < MAMORI_AF_COUNT; k++)
		worksheet_write_string(x.ws, 0, (lxw_col_t)k, mamori_asset_columns[k].ja, bold);
	worksheet_write_string(x.ws, 0, MAMORI_AF_COUNT, RESTRICTIONS_HEADER, bold);
	worksheet_freeze_panes(x.ws, 1, 2);
	worksheet_set_column(x.ws, 0, MAMORI_AF_COUNT - 1, 14, NULL);
	worksheet_set_column(x.ws, MAMORI_AF_COUNT, MAMORI_AF_COUNT, 60, NULL);
	rc = mamori_asset_list(s, o.filter, xlsx_row, &x, err);
	worksheet_autofilter(x.ws, 0, 0, x.row, MAMORI_AF_COUNT);
	if (workbook_close(wb) != LXW_NO_ERROR && rc == 0)
		rc = mamori_error_set(err, MAMORI_E_IO, "cannot write %s", path);
	if (x.nomem && rc == 0)
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	free(x.literal);
	if (rc == 0)
		export_end(&x.e);
	export_free(&x.e);
	return rc;
}
