/*
 * mamori/report.h — the reports an organisation hands to its CISO, its
 * council or its 監査委員 (情報資産管理台帳 by 課, 自己点検結果報告書, 監査報告書,
 * リスク評価表): a small document model — a title, the organisation, a date
 * in 和暦, then headings, paragraphs, key/value lines and tables (a table's
 * cells may carry a heat, for a heat map) — built by the report builders
 * (mamori_report_register …) and written as PDF (mamori_report_pdf, in
 * mamori-full only: cairo and pango) or XLSX (mamori_report_xlsx).
 */
#ifndef MAMORI_REPORT_H
#define MAMORI_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "mamori/error.h"

struct mamori_store;
struct mamori_asset_filter;
struct mamori_asset_scope;

enum mamori_report_block_type {
	MAMORI_RB_HEADING,	/* level 1: a new page (PDF) and a new sheet (XLSX) named by it; level 2: a heading */
	MAMORI_RB_PARAGRAPH,
	MAMORI_RB_KV,		/* key/value lines, one pair per row */
	MAMORI_RB_TABLE,
};

/* A table: ncols columns, each with a header, a relative width and whether it holds numbers. */
struct mamori_report_table {
	size_t ncols, nrows, cap;
	const char **headers;
	double *widths;
	bool *numeric;		/* right-aligned; a number cell in XLSX */
	const char **cells;	/* nrows × ncols, row by row; never NULL ("" for empty) */
	float *heat;		/* NULL, or nrows × ncols: 0–1 colours a cell (heat map), < 0 leaves it white */
};

struct mamori_report_block {
	enum mamori_report_block_type type;
	int level;		/* a heading's: 1 or 2 */
	const char *text;	/* a heading's or a paragraph's */
	struct mamori_report_table table;	/* a table's; a KV block's two columns */
};

/*
 * A report.  Everything it holds (strings included) belongs to it; build with
 * the functions below, release with mamori_report_free.  nomem is set when
 * an allocation failed: the builders then return MAMORI_E_NOMEM.
 */
struct mamori_report {
	const char *title, *organisation, *date;	/* date: 和暦, 令和8年12月6日 */
	const char *subtitle;	/* NULL, or what the report covers (its filters) */
	bool landscape;		/* A4 landscape (a wide ledger), else portrait */
	struct mamori_report_block *blocks;
	size_t nblocks, cap;
	bool nomem;
	struct mamori_report_mem *mem;	/* the report's own strings */
};

/* A new empty report (title, organisation and date copied), or NULL without memory. */
struct mamori_report *mamori_report_new(const char *title, const char *organisation, const char *date,
    bool landscape);

/* Frees the report and everything it holds, and sets *r to NULL.  Accepts NULL. */
void mamori_report_free(struct mamori_report **r);

/* Sets the subtitle (copied). */
void mamori_report_subtitle(struct mamori_report *r, const char *text);

/* Appends a heading of level 1 or 2, or a paragraph (text copied). */
void mamori_report_heading(struct mamori_report *r, int level, const char *text);
void mamori_report_paragraph(struct mamori_report *r, const char *text);

/* Appends a key/value line, to the KV block that ends the report or a new one (copied). */
void mamori_report_kv(struct mamori_report *r, const char *key, const char *value);

/*
 * Appends a table of ncols columns (headers copied; widths relative, e.g. the
 * characters a column usually holds; numeric NULL: none) and returns its
 * block's index, to which mamori_report_row adds rows (ncols cells, copied;
 * NULL is empty) and mamori_report_row_heat rows with their heat (heat[c] in
 * 0–1 colours cell c, < 0 leaves it white).
 */
size_t mamori_report_table(struct mamori_report *r, size_t ncols, const char *const *headers,
    const double *widths, const bool *numeric);
void mamori_report_row(struct mamori_report *r, size_t table, const char *const *cells);
void mamori_report_row_heat(struct mamori_report *r, size_t table, const char *const *cells, const float *heat);

/*
 * Writes the report as a PDF to path: A4 (landscape when r->landscape), the
 * title, organisation and date at the top, tables whose text wraps and whose
 * header row is repeated on every page they run onto, a level-1 heading on a
 * new page, and on every page a footer with the organisation, 「n / N ページ」
 * and the date.  Japanese text in IPAexゴシック (fonts-ipaexfont), else Noto Sans
 * CJK JP.  Only mamori-full links it (report_pdf.c: cairo and pango).
 */
int mamori_report_pdf(const struct mamori_report *r, const char *path, struct mamori_error *err);

/*
 * Writes the report as an XLSX workbook to path: the title, organisation and
 * date at the top of the first sheet, a new sheet for each level-1 heading
 * (named by it), tables with a bold header row and borders, number cells as
 * numbers, heat cells coloured.
 */
int mamori_report_xlsx(const struct mamori_report *r, const char *path, struct mamori_error *err);

/* The report's date: the day of now in the organisation's zone (tz name), in 和暦. */
char *mamori_report_today(const char *tz, time_t now, char *out, size_t n);

/*
 * The register report (情報資産管理台帳 by 課): a summary of the assets filter
 * matches (NULL: all) that scope allows (NULL: all) by 課 and 機密性, then a
 * section per 課 in the policy's order with its counts by 機密性 and its
 * assets as a ledger keeps them (資産番号, 資産名, 種別, 管理責任者, ネットワーク区分,
 * 保管場所, 機密性, 完全性, 可用性, 保存期間, 状態), titles as a person reads them.
 * date is the report's date in 和暦 (mamori_report_today).  *out receives the
 * report (free with mamori_report_free).
 */
int mamori_report_register(struct mamori_store *s, const struct mamori_asset_filter *filter,
    const struct mamori_asset_scope *scope, const char *date, struct mamori_report **out,
    struct mamori_error *err);

/*
 * 自己点検結果報告書 of self-check campaign id (SC-…; docs/review.md): the
 * campaign (年度, state, due date, 課), the answers per 課 (items, answered,
 * 適合 / 一部適合 / 不適合 / 該当なし, the rate) with their totals, the items
 * answered 不適合 or 一部適合 with their comments, and the summary.
 * MAMORI_E_NOTFOUND for no such record, MAMORI_E_INVALID for a record of
 * another kind.
 */
int mamori_report_self_check(struct mamori_store *s, const char *id, const char *date, struct mamori_report **out,
    struct mamori_error *err);

/*
 * 監査報告書 of audit id (AUD-…): its scope (年度, period, 課 audited,
 * auditors, state), its findings (counts by severity, those not yet
 * verified, a row each with 課, severity, text, clause, due date and state),
 * the checklist's results per 課, the items not conforming, the summary.
 */
int mamori_report_audit(struct mamori_store *s, const char *id, const char *date, struct mamori_report **out,
    struct mamori_error *err);

/*
 * リスク評価表: every risk not retired with its threat, 課, segment,
 * likelihood, impact, inherent rating, treatment and residual rating (the
 * ratings coloured by the heat map's scale), those accepted above the
 * policy's level, and two heat maps (inherent, residual): likelihood down,
 * impact across, the count of risks in each cell.  A4 landscape.
 */
int mamori_report_risks(struct mamori_store *s, const char *date, struct mamori_report **out,
    struct mamori_error *err);

#endif
