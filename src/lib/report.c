/*
 * report.c — the reports' document model (mamori/report.h): blocks appended
 * in order, strings in one arena, a table's cells in one growing array.
 */
#include "mamori/report.h"
#include "mamori/date.h"
#include "mamori/tz.h"
#include "arena.h"
#include "buf.h"

#include <stdlib.h>
#include <string.h>

struct mamori_report_mem {
	struct mamori_arena arena;
};

/* Most rows a table may hold: a register of a million assets is no report. */
#define TABLE_ROWS_MAX 2000000

static const char *
copy(struct mamori_report *r, const char *s)
{
	char *c = mamori_arena_strdup(&r->mem->arena, s ? s : "");

	if (c == NULL)
		r->nomem = true;
	return c ? c : "";
}

struct mamori_report *
mamori_report_new(const char *title, const char *organisation, const char *date, bool landscape)
{
	struct mamori_report *r = calloc(1, sizeof(*r));

	if (r == NULL || (r->mem = calloc(1, sizeof(*r->mem))) == NULL) {
		free(r);
		return NULL;
	}
	r->title = copy(r, title);
	r->organisation = copy(r, organisation);
	r->date = copy(r, date);
	r->landscape = landscape;
	return r;
}

void
mamori_report_free(struct mamori_report **rp)
{
	struct mamori_report *r = rp ? *rp : NULL;

	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nblocks; i++) {
		free(r->blocks[i].table.cells);
		free(r->blocks[i].table.heat);
	}
	free(r->blocks);
	mamori_arena_free(&r->mem->arena);
	free(r->mem);
	free(r);
	*rp = NULL;
}

void
mamori_report_subtitle(struct mamori_report *r, const char *text)
{
	r->subtitle = copy(r, text);
}

/* A new block at the end, or NULL (nomem set). */
static struct mamori_report_block *
block_add(struct mamori_report *r, enum mamori_report_block_type type)
{
	struct mamori_report_block *b;

	if (!ARRAY_RESERVE(r->blocks, r->cap, r->nblocks + 1, 1000000)) {
		r->nomem = true;
		return NULL;
	}
	b = &r->blocks[r->nblocks++];
	memset(b, 0, sizeof(*b));
	b->type = type;
	return b;
}

void
mamori_report_heading(struct mamori_report *r, int level, const char *text)
{
	struct mamori_report_block *b = block_add(r, MAMORI_RB_HEADING);

	if (b != NULL) {
		b->level = level == 1 ? 1 : 2;
		b->text = copy(r, text);
	}
}

void
mamori_report_paragraph(struct mamori_report *r, const char *text)
{
	struct mamori_report_block *b = block_add(r, MAMORI_RB_PARAGRAPH);

	if (b != NULL)
		b->text = copy(r, text);
}

/* Sets up b's table of ncols columns; false (nomem set) without memory. */
static bool
table_init(struct mamori_report *r, struct mamori_report_block *b, size_t ncols, const char *const *headers,
    const double *widths, const bool *numeric)
{
	struct mamori_report_table *t = &b->table;

	t->ncols = ncols;
	t->headers = mamori_arena_alloc(&r->mem->arena, ncols * sizeof(*t->headers));
	t->widths = mamori_arena_alloc(&r->mem->arena, ncols * sizeof(*t->widths));
	t->numeric = mamori_arena_alloc(&r->mem->arena, ncols * sizeof(*t->numeric));
	if (t->headers == NULL || t->widths == NULL || t->numeric == NULL) {
		r->nomem = true;
		t->ncols = 0;
		return false;
	}
	for (size_t c = 0; c < ncols; c++) {
		t->headers[c] = headers ? copy(r, headers[c]) : "";
		t->widths[c] = widths && widths[c] > 0 ? widths[c] : 1;
		t->numeric[c] = numeric && numeric[c];
	}
	return true;
}

void
mamori_report_kv(struct mamori_report *r, const char *key, const char *value)
{
	static const double widths[2] = { 1, 3 };
	struct mamori_report_block *b = r->nblocks ? &r->blocks[r->nblocks - 1] : NULL;
	const char *cells[2] = { key, value };

	if (b == NULL || b->type != MAMORI_RB_KV) {
		if ((b = block_add(r, MAMORI_RB_KV)) == NULL || !table_init(r, b, 2, NULL, widths, NULL))
			return;
	}
	mamori_report_row_heat(r, (size_t)(b - r->blocks), cells, NULL);
}

size_t
mamori_report_table(struct mamori_report *r, size_t ncols, const char *const *headers, const double *widths,
    const bool *numeric)
{
	struct mamori_report_block *b = block_add(r, MAMORI_RB_TABLE);

	if (b == NULL)
		return (size_t)-1;
	table_init(r, b, ncols, headers, widths, numeric);
	return (size_t)(b - r->blocks);
}

void
mamori_report_row(struct mamori_report *r, size_t table, const char *const *cells)
{
	mamori_report_row_heat(r, table, cells, NULL);
}

void
mamori_report_row_heat(struct mamori_report *r, size_t table, const char *const *cells, const float *heat)
{
	struct mamori_report_table *t;
	size_t cap;

	if (table >= r->nblocks || r->blocks[table].table.ncols == 0)
		return;
	t = &r->blocks[table].table;
	cap = t->cap;
	if (!ARRAY_RESERVE(t->cells, t->cap, (t->nrows + 1) * t->ncols, (size_t)TABLE_ROWS_MAX * t->ncols)) {
		r->nomem = true;
		return;
	}
	/* the heat array follows the cells' capacity once a row has heat */
	if ((heat != NULL || t->heat != NULL) && (t->heat == NULL || t->cap != cap)) {
		float *h = realloc(t->heat, t->cap * sizeof(*h));
		if (h == NULL) {
			r->nomem = true;
			return;
		}
		if (t->heat == NULL)
			for (size_t i = 0; i < t->nrows * t->ncols; i++)
				h[i] = -1;
		t->heat = h;
	}
	for (size_t c = 0; c < t->ncols; c++) {
		t->cells[t->nrows * t->ncols + c] = copy(r, cells[c]);
		if (t->heat != NULL)
			t->heat[t->nrows * t->ncols + c] = heat ? heat[c] : -1;
	}
	t->nrows++;
}

char *
mamori_report_today(const char *tzname, time_t now, char *out, size_t n)
{
	struct mamori_tz tz;
	struct tm tm;
	time_t local;
	char ymd[16];

	mamori_tz_load(&tz, tzname, NULL);	/* UTC when it cannot */
	local = now + mamori_tz_offset(&tz, now, NULL);
	mamori_tz_free(&tz);
	gmtime_r(&local, &tm);
	strftime(ymd, sizeof(ymd), "%Y-%m-%d", &tm);
	return mamori_date_wareki(ymd, out, n);
}
