/*
 * report_xlsx.c — a report (mamori/report.h) as an XLSX workbook through
 * libxlsxwriter: what the PDF prints, in cells a person can sort and sum.
 * Written in constant-memory mode (row by row), so that a register of many
 * thousand assets needs no more memory than its report already holds.
 */
#include "mamori/report.h"
#include "mamori/i18n.h"
#include "sheet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xlsxwriter.h>

#define HEAT_STEPS 5

struct xctx {
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_row_t row;
	size_t nsheets;
	lxw_format *title, *bold, *head, *cell, *num, *heat[HEAT_STEPS];
	char *literal;		/* a value with its _xHHHH_ text escaped (sheet_xlsx_literal) */
	size_t literal_cap;
	bool nomem;
};

/* v as a cell must hold it, so that it reads back as written. */
static const char *
lit(struct xctx *x, const char *v)
{
	return sheet_xlsx_literal(v, &x->literal, &x->literal_cap, &x->nomem);
}

/* name as a sheet's name: at most 31 characters, none of []:*?/\, not used before. */
static void
sheet_name(const char *name, size_t nth, char *out, size_t n)
{
	size_t o = 0, chars = 0;
	char suffix[24] = "";

	if (nth > 1)
		snprintf(suffix, sizeof(suffix), "(%zu)", nth);
	for (const unsigned char *p = (const unsigned char *)name; *p && chars < 31 - strlen(suffix) && o + 5 < n;) {
		size_t len = *p < 0x80 ? 1 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;
		if (strchr("[]:*?/\\'", *p) != NULL && *p < 0x80) {
			out[o++] = '_';
			p++;
		} else {
			for (size_t i = 0; i < len && p[i]; i++)
				out[o++] = (char)p[i];
			p += len;
		}
		chars++;
	}
	out[o] = '\0';
	if (o == 0)
		snprintf(out, n, "Sheet");
	strncat(out, suffix, n - strlen(out) - 1);
}

static void
new_sheet(struct xctx *x, const char *name)
{
	char sn[160];

	x->nsheets++;
	sheet_name(name, 1, sn, sizeof(sn));
	if (workbook_validate_sheet_name(x->wb, sn) != LXW_NO_ERROR)
		sheet_name(name, x->nsheets, sn, sizeof(sn));
	x->ws = workbook_add_worksheet(x->wb, sn);
	x->row = 0;
	if (x->ws != NULL)
		worksheet_set_column(x->ws, 0, 0, 18, NULL);
}

static void
formats(struct xctx *x)
{
	static const uint32_t heat_colours[HEAT_STEPS] = { 0xC6EFCE, 0xE2F0B6, 0xFFEB9C, 0xF8CBAD, 0xFF9999 };

	x->title = workbook_add_format(x->wb);
	format_set_bold(x->title);
	format_set_font_size(x->title, 14);
	x->bold = workbook_add_format(x->wb);
	format_set_bold(x->bold);
	x->head = workbook_add_format(x->wb);
	format_set_bold(x->head);
	format_set_border(x->head, LXW_BORDER_THIN);
	format_set_bg_color(x->head, 0xDDDDDD);
	x->cell = workbook_add_format(x->wb);
	format_set_border(x->cell, LXW_BORDER_THIN);
	x->num = workbook_add_format(x->wb);
	format_set_border(x->num, LXW_BORDER_THIN);
	format_set_align(x->num, LXW_ALIGN_RIGHT);
	for (int i = 0; i < HEAT_STEPS; i++) {
		x->heat[i] = workbook_add_format(x->wb);
		format_set_border(x->heat[i], LXW_BORDER_THIN);
		format_set_align(x->heat[i], LXW_ALIGN_CENTER);
		format_set_bg_color(x->heat[i], heat_colours[i]);
	}
}

static lxw_format *
cell_format(const struct xctx *x, const struct mamori_report_table *t, size_t i, size_t c)
{
	if (t->heat != NULL && t->heat[i] >= 0) {
		int step = (int)(t->heat[i] * HEAT_STEPS);
		return x->heat[step < 0 ? 0 : step >= HEAT_STEPS ? HEAT_STEPS - 1 : step];
	}
	return t->numeric[c] ? x->num : x->cell;
}

/* A whole number written as one: the counts and levels a person sums. */
static bool
as_number(const char *s, double *v)
{
	char *end;

	if (*s == '\0')
		return false;
	*v = strtod(s, &end);
	return *end == '\0';
}

static void
table(struct xctx *x, const struct mamori_report_table *t, bool header)
{
	double v;

	for (size_t c = 0; c < t->ncols; c++) {
		double w = t->widths[c] * 2 + 2;
		if (header)
			worksheet_set_column(x->ws, (lxw_col_t)c, (lxw_col_t)c, w < 8 ? 8 : w > 60 ? 60 : w, NULL);
	}
	if (header) {
		for (size_t c = 0; c < t->ncols; c++)
			worksheet_write_string(x->ws, x->row, (lxw_col_t)c, lit(x, t->headers[c]), x->head);
		x->row++;
	}
	for (size_t r = 0; r < t->nrows; r++, x->row++) {
		for (size_t c = 0; c < t->ncols; c++) {
			size_t i = r * t->ncols + c;
			lxw_format *f = header ? cell_format(x, t, i, c) : c == 0 ? x->bold : NULL;
			if (t->numeric[c] && as_number(t->cells[i], &v))
				worksheet_write_number(x->ws, x->row, (lxw_col_t)c, v, f);
			else if (t->cells[i][0] != '\0' || f != NULL)
				worksheet_write_string(x->ws, x->row, (lxw_col_t)c, lit(x, t->cells[i]), f);
		}
	}
	if (header)
		worksheet_autofilter(x->ws, x->row - (lxw_row_t)t->nrows - 1, 0, x->row - 1, (lxw_col_t)(t->ncols - 1));
	x->row++;
}

static void
block(struct xctx *x, const struct mamori_report *r, const struct mamori_report_block *b)
{
	switch (b->type) {
	case MAMORI_RB_HEADING:
		if (b->level == 1) {
			new_sheet(x, b->text);
			if (x->ws == NULL)
				return;
			worksheet_write_string(x->ws, x->row++, 0, lit(x, r->title), x->bold);
		}
		worksheet_write_string(x->ws, x->row++, 0, lit(x, b->text), b->level == 1 ? x->title : x->bold);
		break;
	case MAMORI_RB_PARAGRAPH:
		worksheet_write_string(x->ws, x->row, 0, lit(x, b->text), NULL);
		x->row += 2;
		break;
	case MAMORI_RB_KV:
		table(x, &b->table, false);
		break;
	case MAMORI_RB_TABLE:
		table(x, &b->table, true);
		break;
	}
}

int
mamori_report_xlsx(const struct mamori_report *r, const char *path, struct mamori_error *err)
{
	lxw_workbook_options wo = { .constant_memory = LXW_TRUE };
	struct xctx x = { 0 };
	int rc = 0;

	if ((x.wb = workbook_new_opt(path, &wo)) == NULL)
		return mamori_error_set(err, MAMORI_E_IO, "cannot write %s", path);
	formats(&x);
	new_sheet(&x, r->title);
	if (x.ws != NULL) {
		worksheet_write_string(x.ws, x.row++, 0, lit(&x, r->title), x.title);
		worksheet_write_string(x.ws, x.row++, 0, lit(&x, r->organisation), NULL);
		worksheet_write_string(x.ws, x.row++, 0, lit(&x, r->date), NULL);
		if (r->subtitle)
			worksheet_write_string(x.ws, x.row++, 0, lit(&x, r->subtitle), NULL);
		x.row++;
	}
	for (size_t i = 0; i < r->nblocks && x.ws != NULL; i++)
		block(&x, r, &r->blocks[i]);
	if (x.ws == NULL)
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "cannot add a sheet to %s", path);
	else if (x.nomem)
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	if (workbook_close(x.wb) != LXW_NO_ERROR && rc == 0)
		rc = mamori_error_set(err, MAMORI_E_IO, "cannot write %s", path);
	free(x.literal);
	return rc;
}
