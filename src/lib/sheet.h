/*
 * sheet.h — writing a table for a person's spreadsheet, shared by the
 * register's export and the records' (asset_export.c, record_io.c): CSV cells
 * that Excel does not take for formulas, rows converted to CP932 on request,
 * and text made literal for an XLSX cell. (internal)
 */
#ifndef MAMORI_SHEET_H
#define MAMORI_SHEET_H

#include <iconv.h>
#include <stdbool.h>
#include <stdio.h>

#include "mamori/error.h"

/*
 * Where the rows of a CSV export go: out, as UTF-8, or through a row buffer
 * converted to CP932.  sheet_csv_open reads encoding (NULL, "utf-8", "cp932",
 * "shift_jis", "sjis"); false with err set for another one or when iconv
 * cannot be had.
 */
struct sheet_csv {
	FILE *out;
	iconv_t cd;		/* UTF-8 → CP932, or (iconv_t)-1: UTF-8 as it is */
	FILE *row;		/* a row before it is converted (cd only) */
	char *row_buf;
	size_t row_len;
};

bool sheet_csv_open(struct sheet_csv *c, FILE *out, const char *encoding, struct mamori_error *err);
void sheet_csv_close(struct sheet_csv *c);

/* The stream a row is written to (out, or the row buffer when converting); the BOM for UTF-8 first. */
FILE *sheet_csv_row(struct sheet_csv *c);
void sheet_csv_bom(struct sheet_csv *c);

/* Ends a row written to sheet_csv_row: converts it onto out; false when a character has no CP932 form. */
bool sheet_csv_end_row(struct sheet_csv *c);

/*
 * One CSV cell: quoted when it holds a comma, quote or line break; a value
 * Excel would take for a formula (= + - @ tab CR first) quoted with a ' before
 * it, which sheet_cell_clean takes off again on import.
 */
void sheet_csv_field(FILE *out, const char *v);

/* A cell read back: without the ' that sheet_csv_field put before a formula's first character (in place). */
char *sheet_cell_clean(char *v);

/*
 * v as an XLSX cell must hold it: _xHHHH_ written as _x005F_xHHHH_, since
 * Excel reads the escape (libxlsxwriter does not write it).  Returns v itself
 * when it holds none, else *buf (grown as needed; the caller frees it);
 * v when memory runs out (*nomem set).
 */
const char *sheet_xlsx_literal(const char *v, char **buf, size_t *cap, bool *nomem);

#endif
