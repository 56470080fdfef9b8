/*
 * report_register.c — 情報資産管理台帳 by 課 as a report (mamori/report.h):
 * the counts by 課 and 機密性 first, then a section per 課 with its ledger.
 * Two walks of the register in the policy's order of 課: the first counts
 * (the summary comes first in the report), the second writes the rows.
 */
#include "mamori/report.h"
#include "mamori/asset.h"
#include "mamori/i18n.h"
#include "mamori/policy.h"
#include "mamori/store.h"
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The ledger's columns, in a ledger's order, and how wide each usually is. */
static const enum mamori_asset_field ledger_fields[] = {
	MAMORI_AF_ID, MAMORI_AF_NAME, MAMORI_AF_KIND, MAMORI_AF_ROLE, MAMORI_AF_SEGMENT, MAMORI_AF_LOCATION,
	MAMORI_AF_CONFIDENTIALITY, MAMORI_AF_INTEGRITY, MAMORI_AF_AVAILABILITY, MAMORI_AF_RETENTION, MAMORI_AF_STATUS,
};
#define NLEDGER (sizeof(ledger_fields) / sizeof(ledger_fields[0]))
static const double ledger_widths[NLEDGER] = { 7, 20, 10, 13, 13.5, 13, 5, 5, 5, 6.5, 6 };

/* Levels of 機密性 a report counts by (mic-standard has 3; a policy may have more). */
#define LEVELS_MAX 8

struct register_ctx {
	struct mamori_report *r;
	const struct mamori_policy *p;
	const struct mamori_asset_scope *scope;
	const struct mamori_axis *conf;	/* 機密性, or NULL */
	size_t ndept;			/* the policy's 課, and one more for a 課 it lacks */
	long (*counts)[LEVELS_MAX + 1];	/* [課][level]: level 0 holds the 課's total */
	size_t table;			/* the current section's table */
	const char *dept;		/* the current section's 課 (id), lent by the list */
	char dept_id[128];
	long matched;			/* assets in the report */
};

static size_t
dept_index(const struct register_ctx *c, const char *id)
{
	for (size_t i = 0; id != NULL && i + 1 < c->ndept; i++)
		if (strcmp(c->p->organisation.departments[i].id, id) == 0)
			return i;
	return c->ndept - 1;
}

static bool
hidden(const struct register_ctx *c, const struct mamori_asset *a)
{
	return c->scope != NULL && c->scope->allows != NULL &&
	    !c->scope->allows(a->f[MAMORI_AF_DEPARTMENT], c->scope->ctx);
}

static int
count_row(const struct mamori_asset *a, void *arg)
{
	struct register_ctx *c = arg;
	size_t d;
	int level;

	if (hidden(c, a))
		return 0;
	d = dept_index(c, a->f[MAMORI_AF_DEPARTMENT]);
	level = a->f[MAMORI_AF_CONFIDENTIALITY] ? (int)strtol(a->f[MAMORI_AF_CONFIDENTIALITY], NULL, 10) : 0;
	c->matched++;
	c->counts[d][0]++;
	if (level >= 1 && level <= LEVELS_MAX)
		c->counts[d][level]++;
	return 0;
}

/* The title of 課 d (index), or 「（所管課の不明な資産）」 for the one past the policy's. */
static const char *
dept_title(const struct register_ctx *c, size_t d)
{
	return d + 1 < c->ndept ? c->p->organisation.departments[d].title : _("(assets of no known department)");
}

/* The levels of 機密性 counted, highest first: their number (≤ LEVELS_MAX). */
static size_t
levels(const struct register_ctx *c)
{
	size_t n = c->conf ? c->conf->nlevels : 0;

	return n > LEVELS_MAX ? LEVELS_MAX : n;
}

/* 「機密性3: 2件　機密性2: 5件」 for 課 d into b. */
static void
level_counts(const struct register_ctx *c, size_t d, struct buf *b)
{
	char one[160];

	for (size_t i = 0; i < levels(c); i++) {
		const struct mamori_level *l = &c->conf->levels[i];
		snprintf(one, sizeof(one), _("%s%s: %ld"), b->len ? "　" : "", l->title,
		    l->level <= LEVELS_MAX ? c->counts[d][l->level] : 0L);
		buf_adds(b, one);
	}
}

/* The summary: a row per 課 with assets, its counts by 機密性 and its total, then the totals. */
static void
summary(struct register_ctx *c)
{
	const char *headers[LEVELS_MAX + 2], *cells[LEVELS_MAX + 2];
	double widths[LEVELS_MAX + 2];
	bool numeric[LEVELS_MAX + 2];
	char num[LEVELS_MAX + 2][24];
	long total[LEVELS_MAX + 1] = { 0 };
	size_t nl = levels(c), t;

	headers[0] = _("Department");
	widths[0] = 16;
	numeric[0] = false;
	for (size_t i = 0; i < nl; i++) {
		headers[1 + i] = c->conf->levels[i].title;
		widths[1 + i] = 6;
		numeric[1 + i] = true;
	}
	headers[1 + nl] = _("Total");
	widths[1 + nl] = 6;
	numeric[1 + nl] = true;
	mamori_report_heading(c->r, 2, _("Assets by department and confidentiality"));
	t = mamori_report_table(c->r, nl + 2, headers, widths, numeric);
	for (size_t d = 0; d <= c->ndept; d++) {
		const long *row = d < c->ndept ? c->counts[d] : total;
		if (d < c->ndept && row[0] == 0)
			continue;
		cells[0] = d < c->ndept ? dept_title(c, d) : _("Total");
		for (size_t i = 0; i < nl; i++) {
			int lv = c->conf->levels[i].level;
			snprintf(num[1 + i], sizeof(num[0]), "%ld", lv <= LEVELS_MAX ? row[lv] : 0L);
			cells[1 + i] = num[1 + i];
		}
		snprintf(num[1 + nl], sizeof(num[0]), "%ld", row[0]);
		cells[1 + nl] = num[1 + nl];
		mamori_report_row(c->r, t, cells);
		for (size_t k = 0; d < c->ndept && k <= LEVELS_MAX; k++)
			total[k] += row[k];
	}
}

/* A new section for the 課 of a: its heading, counts and the ledger's header. */
static void
section(struct register_ctx *c, const char *dept)
{
	const char *headers[NLEDGER];
	size_t d = dept_index(c, dept);
	struct buf b = { 0 };
	char n[64];

	snprintf(c->dept_id, sizeof(c->dept_id), "%s", dept ? dept : "");
	c->dept = c->dept_id;
	mamori_report_heading(c->r, 1, dept_title(c, d));
	snprintf(n, sizeof(n), "%ld", c->counts[d][0]);
	mamori_report_kv(c->r, _("Assets"), n);
	level_counts(c, d, &b);
	if (b.len > 0 && !b.fail)
		mamori_report_kv(c->r, c->conf->title, b.p);
	buf_free(&b);
	for (size_t i = 0; i < NLEDGER; i++)
		headers[i] = mamori_asset_columns[ledger_fields[i]].ja;
	c->table = mamori_report_table(c->r, NLEDGER, headers, ledger_widths,
	    (const bool[NLEDGER]){ [6] = true, [7] = true, [8] = true });
}

static int
ledger_row(const struct mamori_asset *a, void *arg)
{
	struct register_ctx *c = arg;
	const char *cells[NLEDGER];
	const char *dept = a->f[MAMORI_AF_DEPARTMENT] ? a->f[MAMORI_AF_DEPARTMENT] : "";

	if (hidden(c, a))
		return 0;
	if (c->dept == NULL || strcmp(c->dept, dept) != 0)
		section(c, dept);
	for (size_t i = 0; i < NLEDGER; i++)
		cells[i] = mamori_asset_display(c->p, ledger_fields[i], a->f[ledger_fields[i]]);
	mamori_report_row(c->r, c->table, cells);
	return c->r->nomem ? MAMORI_E_NOMEM : 0;
}

/* What the filter asks for, as a person reads it: 「所管課: 税務課、機密性 >=2」. */
static void
describe(const struct mamori_policy *p, const struct mamori_asset_filter *f, struct buf *b)
{
	static const char *const axes[3] = { "confidentiality", "integrity", "availability" };
	const struct {
		const char *label, *value;
		enum mamori_asset_field field;
	} named[] = {
		{ N_("department"), f->department, MAMORI_AF_DEPARTMENT },
		{ N_("segment"), f->segment, MAMORI_AF_SEGMENT },
		{ N_("kind"), f->kind, MAMORI_AF_KIND },
		{ N_("status"), f->status, MAMORI_AF_STATUS },
		{ N_("search"), f->text, MAMORI_AF_NAME },
	};
	const struct mamori_department *d;
	const struct mamori_segment *s;
	const struct mamori_asset_kind *k;
	const struct mamori_axis *ax;
	char one[400];

	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		const char *v = named[i].value;
		if (v == NULL)
			continue;
		if (named[i].field == MAMORI_AF_DEPARTMENT && (d = mamori_policy_find_department(p, v)) != NULL)
			v = d->title;
		else if (named[i].field == MAMORI_AF_SEGMENT && (s = mamori_policy_find_segment(p, v)) != NULL)
			v = s->title;
		else if (named[i].field == MAMORI_AF_KIND && (k = mamori_policy_find_asset_kind(p, v)) != NULL)
			v = k->title;
		else if (named[i].field == MAMORI_AF_STATUS)
			v = mamori_asset_display(p, MAMORI_AF_STATUS, v);
		snprintf(one, sizeof(one), "%s%s: %s", b->len ? "、" : "", _(named[i].label), v);
		buf_adds(b, one);
	}
	for (int a = 0; a < 3; a++) {
		if (f->level_op[a][0] == '\0')
			continue;
		ax = mamori_policy_axis(p, axes[a]);
		snprintf(one, sizeof(one), "%s%s %s %d", b->len ? "、" : "", ax ? ax->title : axes[a],
		    f->level_op[a], f->level[a]);
		buf_adds(b, one);
	}
	if (f->without_owner) {
		snprintf(one, sizeof(one), "%s%s", b->len ? "、" : "", _("no owner"));
		buf_adds(b, one);
	}
}

/* The report's frame: title, subtitle naming the filter, the summary. */
static int
register_begin(struct register_ctx *c, const struct mamori_asset_filter *f, const char *date)
{
	const char *org = c->p->organisation.name ? c->p->organisation.name : "";
	struct buf b = { 0 };
	char line[600];

	if ((c->r = mamori_report_new(_("Information asset register"), org, date, true)) == NULL)
		return MAMORI_E_NOMEM;
	describe(c->p, f, &b);
	if (b.len > 0 && !b.fail) {
		snprintf(line, sizeof(line), _("Assets where %s"), b.p);
		mamori_report_subtitle(c->r, line);
	}
	buf_free(&b);
	summary(c);
	return c->r->nomem ? MAMORI_E_NOMEM : 0;
}

int
mamori_report_register(struct mamori_store *s, const struct mamori_asset_filter *filter,
    const struct mamori_asset_scope *scope, const char *date, struct mamori_report **out,
    struct mamori_error *err)
{
	struct register_ctx c = { 0 };
	struct mamori_asset_filter f = filter ? *filter : (struct mamori_asset_filter){ 0 };
	int rc;

	*out = NULL;
	c.p = mamori_store_policy(s);
	c.scope = scope;
	c.conf = mamori_policy_axis(c.p, "confidentiality");
	c.ndept = c.p->organisation.ndepartments + 1;
	f.sort = "department";
	f.after = NULL;
	f.limit = 0;
	if ((c.counts = calloc(c.ndept, sizeof(*c.counts))) == NULL)
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	if ((rc = mamori_asset_list(s, &f, count_row, &c, err)) != 0)
		goto out;
	if ((rc = register_begin(&c, &f, date)) != 0) {
		mamori_error_set(err, rc, "out of memory");
		goto out;
	}
	if ((rc = mamori_asset_list(s, &f, ledger_row, &c, err)) != 0)
		goto out;
	if (c.matched == 0)	/* say so rather than hand over an empty table */
		mamori_report_paragraph(c.r, _("No asset matches."));
	if (c.r->nomem)
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
out:
	if (rc == 0)
		*out = c.r;
	else
		mamori_report_free(&c.r);
	free(c.counts);
	return rc;
}
