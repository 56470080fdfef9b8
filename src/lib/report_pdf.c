/*
 * report_pdf.c — a report (mamori/report.h) as a PDF: cairo's PDF surface,
 * text laid out by pango in IPAexゴシック (fonts-ipaexfont) or Noto Sans CJK
 * JP.  The document is flowed twice: the first flow measures every row and
 * counts the pages (the footer says 「n / N ページ」, and a PDF page cannot
 * be gone back to), the second draws with the heights the first kept.
 * Linked into mamori-full only: cairo and pango bring some thirty libraries
 * that no other command loads (src/cli/main.c says why).
 */
#include "mamori/report.h"
#include "mamori/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#define MM (72.0 / 25.4)
#define A4_W (210 * MM)
#define A4_H (297 * MM)
#define MARGIN (14 * MM)
#define FOOTER (9 * MM)		/* the footer's band above the bottom margin */
#define HEADER (7 * MM)		/* the running header's band below the top margin */
#define PAD_X 2.5
#define PAD_Y 1.8
#define CELL_LINES 12		/* a cell taller than this is cut with … (a 保管場所 of 400 characters) */
#define FONT_FAMILY "IPAexGothic, Noto Sans CJK JP, sans-serif"

struct font {
	PangoFontDescription *desc;
	double size, line;	/* points; the height of one line */
};

/*
 * Laid-out cells of one table, per column: a register repeats its kinds, 課,
 * roles, segments and levels on every row, and a layout drawn again costs
 * nothing to shape again (pango and harfbuzz were half the time of a report
 * of 10,000 assets).  A column of values that do not repeat (ids, names)
 * fills its few slots and is then laid out cell by cell.
 */
#define CACHE_COLS 32
#define CACHE_SLOTS 48
struct cell_cache {
	char *text[CACHE_SLOTS];
	PangoLayout *lay[CACHE_SLOTS];
	size_t n;
};

struct pdf {
	const struct mamori_report *r;
	cairo_surface_t *surface;
	cairo_t *cr;
	PangoLayout *lay;
	struct font body, cell, small, h1, h2, title;
	double w, h, left, right, top, bottom, y;
	int page, npages;
	bool draw;
	bool page_used;		/* something below the header on this page */
	const char *section;	/* the level-1 heading in force: the running header */
	float **heights;	/* [block][row]: the rows' heights, from the first flow */
	const struct mamori_report_table *cached;	/* the table whose cells cache holds */
	struct cell_cache cache[CACHE_COLS];
};

static void
cache_clear(struct pdf *p)
{
	for (size_t c = 0; c < CACHE_COLS; c++) {
		for (size_t i = 0; i < p->cache[c].n; i++) {
			free(p->cache[c].text[i]);
			g_object_unref(p->cache[c].lay[i]);
		}
		p->cache[c].n = 0;
	}
	p->cached = NULL;
}

static void
font_init(struct pdf *p, struct font *f, double size, bool bold)
{
	PangoRectangle ink, logical;

	f->desc = pango_font_description_from_string(FONT_FAMILY);
	pango_font_description_set_absolute_size(f->desc, size * PANGO_SCALE);
	if (bold)
		pango_font_description_set_weight(f->desc, PANGO_WEIGHT_BOLD);
	f->size = size;
	pango_layout_set_font_description(p->lay, f->desc);
	pango_layout_set_width(p->lay, -1);
	pango_layout_set_text(p->lay, "あAg", -1);
	pango_layout_get_extents(p->lay, &ink, &logical);
	f->line = (double)logical.height / PANGO_SCALE;
}

/* Lays text out in f, width points wide (≤ 0: one line), at most lines lines (0: any). */
static void
set_text(struct pdf *p, const struct font *f, const char *text, double width, PangoAlignment align, int lines)
{
	pango_layout_set_font_description(p->lay, f->desc);
	pango_layout_set_width(p->lay, width > 0 ? (int)(width * PANGO_SCALE) : -1);
	pango_layout_set_wrap(p->lay, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(p->lay, align);
	pango_layout_set_height(p->lay, lines > 0 ? -lines : -1);
	pango_layout_set_ellipsize(p->lay, lines > 0 ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE);
	pango_layout_set_text(p->lay, text, -1);
}

/* Whether text surely fits on one line width points wide: every character is at most 1 em wide. */
static bool
one_line(const struct font *f, const char *text, double width)
{
	size_t chars = 0;

	for (const unsigned char *s = (const unsigned char *)text; *s; s++) {
		if (*s == '\n')
			return false;
		chars += (*s & 0xC0) != 0x80;
	}
	return chars * f->size <= width;
}

/* The height of text in f, width points wide, at most lines lines. */
static double
text_height(struct pdf *p, const struct font *f, const char *text, double width, int lines)
{
	int w, h;

	if (one_line(f, text, width))
		return f->line;
	set_text(p, f, text, width, PANGO_ALIGN_LEFT, lines);
	pango_layout_get_size(p->lay, &w, &h);
	return (double)h / PANGO_SCALE;
}

/* Draws text at (x, y) in f, width points wide (when drawing). */
static void
show(struct pdf *p, const struct font *f, const char *text, double x, double y, double width,
    PangoAlignment align, int lines)
{
	if (!p->draw)
		return;
	set_text(p, f, text, width, align, lines);
	cairo_move_to(p->cr, x, y);
	pango_cairo_show_layout(p->cr, p->lay);
}

static void
footer(struct pdf *p)
{
	char num[64];
	double y = p->h - MARGIN - p->small.line;
	double w = p->right - p->left;

	if (!p->draw)
		return;
	cairo_set_source_rgb(p->cr, 0.5, 0.5, 0.5);
	cairo_set_line_width(p->cr, 0.4);
	cairo_move_to(p->cr, p->left, y - 3);
	cairo_line_to(p->cr, p->right, y - 3);
	cairo_stroke(p->cr);
	cairo_set_source_rgb(p->cr, 0.2, 0.2, 0.2);
	snprintf(num, sizeof(num), _("%d / %d pages"), p->page, p->npages);
	show(p, &p->small, p->r->organisation, p->left, y, w / 3, PANGO_ALIGN_LEFT, 1);
	show(p, &p->small, num, p->left + w / 3, y, w / 3, PANGO_ALIGN_CENTER, 1);
	show(p, &p->small, p->r->date, p->right - w / 3, y, w / 3, PANGO_ALIGN_RIGHT, 1);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
}

/* The running header of a page after the first: the title and the section in force. */
static void
running_header(struct pdf *p)
{
	char line[512];

	snprintf(line, sizeof(line), "%s%s%s", p->r->title, p->section ? "　" : "", p->section ? p->section : "");
	if (p->draw) {
		cairo_set_source_rgb(p->cr, 0.35, 0.35, 0.35);
		show(p, &p->small, line, p->left, MARGIN, p->right - p->left, PANGO_ALIGN_LEFT, 1);
		cairo_set_source_rgb(p->cr, 0, 0, 0);
	}
	p->y = MARGIN + HEADER;
}

static void
new_page(struct pdf *p)
{
	footer(p);
	if (p->draw)
		cairo_show_page(p->cr);
	p->page++;
	p->page_used = false;
	running_header(p);
}

/* Starts a new page unless need points fit below y. */
static void
room(struct pdf *p, double need)
{
	if (p->y + need > p->bottom && p->page_used)
		new_page(p);
}

/* The first page's head: date and organisation on the right, the title, the subtitle. */
static void
title_block(struct pdf *p)
{
	double w = p->right - p->left;

	p->y = MARGIN;
	show(p, &p->body, p->r->date, p->left, p->y, w, PANGO_ALIGN_RIGHT, 1);
	p->y += p->body.line;
	show(p, &p->body, p->r->organisation, p->left, p->y, w, PANGO_ALIGN_RIGHT, 1);
	p->y += p->body.line + 4 * MM;
	show(p, &p->title, p->r->title, p->left, p->y, w, PANGO_ALIGN_CENTER, 0);
	p->y += text_height(p, &p->title, p->r->title, w, 0) + 2 * MM;
	if (p->r->subtitle) {
		show(p, &p->body, p->r->subtitle, p->left, p->y, w, PANGO_ALIGN_CENTER, 0);
		p->y += text_height(p, &p->body, p->r->subtitle, w, 0);
	}
	p->y += 5 * MM;
}

static void
heading(struct pdf *p, const struct mamori_report_block *b)
{
	const struct font *f = b->level == 1 ? &p->h1 : &p->h2;
	double w = p->right - p->left, h = text_height(p, f, b->text, w, 0);

	if (b->level == 1) {
		p->section = b->text;
		if (p->page_used)
			new_page(p);
	} else {
		room(p, h + 12 * MM);	/* a heading stays with what follows it */
	}
	show(p, f, b->text, p->left, p->y, w, PANGO_ALIGN_LEFT, 0);
	p->y += h + 1;
	if (b->level == 1 && p->draw) {
		cairo_set_line_width(p->cr, 0.8);
		cairo_move_to(p->cr, p->left, p->y);
		cairo_line_to(p->cr, p->right, p->y);
		cairo_stroke(p->cr);
	}
	p->y += b->level == 1 ? 3 * MM : 1.5 * MM;
	p->page_used = true;
}

static void
paragraph(struct pdf *p, const char *text)
{
	double w = p->right - p->left, h = text_height(p, &p->body, text, w, 0);

	room(p, h);
	show(p, &p->body, text, p->left, p->y, w, PANGO_ALIGN_LEFT, 0);
	p->y += h + 3 * MM;
	p->page_used = true;
}

/* Key/value lines: the key in the first quarter, the value beside it. */
static void
kv(struct pdf *p, const struct mamori_report_table *t)
{
	double w = p->right - p->left, kw = w / 5;

	for (size_t r = 0; r < t->nrows; r++) {
		const char *k = t->cells[2 * r], *v = t->cells[2 * r + 1];
		double h = text_height(p, &p->body, v, w - kw, 0);
		room(p, h);
		cairo_set_source_rgb(p->cr, 0.3, 0.3, 0.3);
		show(p, &p->body, k, p->left, p->y, kw - PAD_X, PANGO_ALIGN_LEFT, 1);
		cairo_set_source_rgb(p->cr, 0, 0, 0);
		show(p, &p->body, v, p->left + kw, p->y, w - kw, PANGO_ALIGN_LEFT, 0);
		p->y += h + 1;
		p->page_used = true;
	}
	p->y += 2 * MM;
}

/* The colour of a heat from 0 (green) through yellow to 1 (red). */
static void
heat_colour(cairo_t *cr, float heat)
{
	double h = heat < 0 ? 0 : heat > 1 ? 1 : heat;

	if (h < 0.5)
		cairo_set_source_rgb(cr, 0.55 + 0.9 * h, 0.85, 0.55);
	else
		cairo_set_source_rgb(cr, 1.0, 0.85 - 0.9 * (h - 0.5), 0.55 - 0.5 * (h - 0.5));
}

/* Draws cell c of a body row of t at (x, y): its layout from the column's cache when it repeats. */
static void
show_cell(struct pdf *p, const struct mamori_report_table *t, size_t c, const char *text, double x, double y,
    double width, PangoAlignment align)
{
	struct cell_cache *cc = c < CACHE_COLS ? &p->cache[c] : NULL;
	PangoLayout *lay = NULL;

	if (p->cached != t)
		cache_clear(p);
	p->cached = t;
	for (size_t i = 0; cc && i < cc->n && lay == NULL; i++)
		if (strcmp(cc->text[i], text) == 0 && pango_layout_get_alignment(cc->lay[i]) == align)
			lay = cc->lay[i];
	if (lay == NULL) {
		set_text(p, &p->cell, text, width, align, CELL_LINES);
		lay = p->lay;
		if (cc && cc->n < CACHE_SLOTS && (cc->text[cc->n] = strdup(text)) != NULL) {
			cc->lay[cc->n] = pango_layout_copy(p->lay);
			lay = cc->lay[cc->n++];
		}
	}
	cairo_move_to(p->cr, x, y);
	pango_cairo_show_layout(p->cr, lay);
}

/* The grid of a row: its outline and the lines between its cells, stroked at once. */
static void
grid(struct pdf *p, const struct mamori_report_table *t, const double *cw, double h)
{
	double x = p->left;

	cairo_rectangle(p->cr, p->left, p->y, p->right - p->left, h);
	for (size_t c = 0; c + 1 < t->ncols; c++) {
		x += cw[c];
		cairo_move_to(p->cr, x, p->y);
		cairo_line_to(p->cr, x, p->y + h);
	}
	cairo_stroke(p->cr);
}

/* One row of cells at y, h high; header rows are shaded and bold. */
static void
row(struct pdf *p, const struct mamori_report_table *t, const double *cw, const char *const *cells,
    const float *heat, double h, bool header)
{
	double x = p->left;

	if (!p->draw)
		return;
	for (size_t c = 0; c < t->ncols; c++, x += cw[c - 1]) {
		bool hot = heat != NULL && heat[c] >= 0;
		PangoAlignment align = header || hot ? PANGO_ALIGN_CENTER :
		    t->numeric[c] ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT;
		if (header || hot) {
			if (hot)
				heat_colour(p->cr, heat[c]);
			else
				cairo_set_source_rgb(p->cr, 0.88, 0.88, 0.88);
			cairo_rectangle(p->cr, x, p->y, cw[c], h);
			cairo_fill(p->cr);
			cairo_set_source_rgb(p->cr, 0, 0, 0);
		}
		if (header)
			show(p, &p->small, cells[c], x + PAD_X, p->y + PAD_Y, cw[c] - 2 * PAD_X, align, CELL_LINES);
		else if (cells[c][0] != '\0')
			show_cell(p, t, c, cells[c], x + PAD_X, p->y + PAD_Y, cw[c] - 2 * PAD_X, align);
	}
	grid(p, t, cw, h);
}

/* The height of a row of cells in columns cw wide. */
static double
row_height(struct pdf *p, const struct mamori_report_table *t, const double *cw, const char *const *cells,
    const struct font *f)
{
	double h = f->line;

	for (size_t c = 0; c < t->ncols; c++) {
		double ch = text_height(p, f, cells[c], cw[c] - 2 * PAD_X, CELL_LINES);
		if (ch > h)
			h = ch;
	}
	return h + 2 * PAD_Y;
}

/* A table: its header row again at the top of every page it runs onto. */
static void
table(struct pdf *p, const struct mamori_report_table *t, float *heights)
{
	double cw[64], sum = 0, w = p->right - p->left, hh;
	size_t n = t->ncols;

	if (n == 0 || n > 64)	/* no report has a table that wide; it would not fit A4 */
		return;
	for (size_t c = 0; c < n; c++)
		sum += t->widths[c];
	for (size_t c = 0; c < n; c++)
		cw[c] = w * t->widths[c] / sum;
	hh = row_height(p, t, cw, t->headers, &p->small);
	if (p->draw)
		cairo_set_line_width(p->cr, 0.4);
	for (size_t r = 0; r < t->nrows; r++) {
		const char *const *cells = t->cells + r * t->ncols;
		double h = p->draw ? heights[r] : (heights[r] = (float)row_height(p, t, cw, cells, &p->cell));
		if (r == 0 || p->y + h > p->bottom) {
			room(p, hh + h);
			row(p, t, cw, t->headers, NULL, hh, true);
			p->y += hh;
		}
		row(p, t, cw, cells, t->heat ? t->heat + r * t->ncols : NULL, h, false);
		p->y += h;
		p->page_used = true;
	}
	p->y += 4 * MM;
}

/* One flow of the whole document: measures (p->draw false) or draws. */
static void
flow(struct pdf *p)
{
	p->page = 1;
	p->section = NULL;
	p->page_used = false;
	title_block(p);
	for (size_t i = 0; i < p->r->nblocks; i++) {
		const struct mamori_report_block *b = &p->r->blocks[i];
		switch (b->type) {
		case MAMORI_RB_HEADING: heading(p, b); break;
		case MAMORI_RB_PARAGRAPH: paragraph(p, b->text); break;
		case MAMORI_RB_KV: kv(p, &b->table); break;
		case MAMORI_RB_TABLE: table(p, &b->table, p->heights[i]); break;
		}
	}
	footer(p);
	p->npages = p->page;
}

static bool
pdf_open(struct pdf *p, const struct mamori_report *r, const char *path)
{
	p->r = r;
	p->w = r->landscape ? A4_H : A4_W;
	p->h = r->landscape ? A4_W : A4_H;
	p->left = MARGIN;
	p->right = p->w - MARGIN;
	p->top = MARGIN + HEADER;
	p->bottom = p->h - MARGIN - FOOTER;
	p->surface = cairo_pdf_surface_create(path, p->w, p->h);
	if (cairo_surface_status(p->surface) != CAIRO_STATUS_SUCCESS)
		return false;
	cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_TITLE, r->title);
	cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_AUTHOR, r->organisation);
	cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATOR, "mamori " MAMORI_VERSION);
	p->cr = cairo_create(p->surface);
	p->lay = pango_cairo_create_layout(p->cr);
	font_init(p, &p->body, 9.5, false);
	font_init(p, &p->cell, 8, false);
	font_init(p, &p->small, 7.5, false);
	font_init(p, &p->h1, 14, true);
	font_init(p, &p->h2, 11, true);
	font_init(p, &p->title, 18, true);
	p->heights = calloc(r->nblocks ? r->nblocks : 1, sizeof(*p->heights));
	if (p->heights == NULL)
		return false;
	for (size_t i = 0; i < r->nblocks; i++)
		if (r->blocks[i].type == MAMORI_RB_TABLE && r->blocks[i].table.nrows > 0 &&
		    (p->heights[i] = malloc(r->blocks[i].table.nrows * sizeof(float))) == NULL)
			return false;
	return true;
}

/*
 * Whether a font with Japanese glyphs was found: without one pango draws
 * boxes (tofu) for every kanji, and a report of boxes is worse than none.
 */
static bool
japanese_font(struct pdf *p)
{
	set_text(p, &p->body, "情報資産管理台帳 令和", -1, PANGO_ALIGN_LEFT, 0);
	return pango_layout_get_unknown_glyphs_count(p->lay) == 0;
}

static void
pdf_close(struct pdf *p)
{
	struct font *fonts[] = { &p->body, &p->cell, &p->small, &p->h1, &p->h2, &p->title };

	cache_clear(p);
	for (size_t i = 0; p->heights && i < p->r->nblocks; i++)
		free(p->heights[i]);
	free(p->heights);
	for (size_t i = 0; i < sizeof(fonts) / sizeof(fonts[0]); i++)
		if (fonts[i]->desc)
			pango_font_description_free(fonts[i]->desc);
	if (p->lay)
		g_object_unref(p->lay);
	if (p->cr)
		cairo_destroy(p->cr);
	if (p->surface)
		cairo_surface_destroy(p->surface);
}

int
mamori_report_pdf(const struct mamori_report *r, const char *path, struct mamori_error *err)
{
	struct pdf p = { 0 };
	cairo_status_t st;
	int rc = 0;

	if (!pdf_open(&p, r, path)) {
		rc = p.surface && cairo_surface_status(p.surface) != CAIRO_STATUS_SUCCESS ?
		    mamori_error_set(err, MAMORI_E_IO, "cannot write %s: %s", path,
			cairo_status_to_string(cairo_surface_status(p.surface))) :
		    mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		goto out;
	}
	if (!japanese_font(&p)) {
		rc = mamori_error_set(err, MAMORI_E_IO, "no font with Japanese characters: install fonts-ipaexfont "
		    "(or fonts-noto-cjk)");
		goto out;
	}
	p.draw = false;
	flow(&p);
	p.draw = true;
	flow(&p);
	cairo_surface_finish(p.surface);
	if ((st = cairo_surface_status(p.surface)) != CAIRO_STATUS_SUCCESS)
		rc = mamori_error_set(err, MAMORI_E_IO, "cannot write %s: %s", path, cairo_status_to_string(st));
out:
	pdf_close(&p);
	return rc;
}
