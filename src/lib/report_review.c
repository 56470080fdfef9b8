/*
 * report_review.c — the reports of 評価・見直し (mamori/report.h) from the
 * records and figures of mamori/review.h (docs/review.md): 自己点検結果報告書
 * (a self-check campaign: progress per 課, the items not conforming),
 * 監査報告書 (an audit: its scope, auditors, checklist results and findings)
 * and リスク評価表 (the risk register with its ratings and heat maps).
 * What they read is the contract review.h states: the kinds' ids, fields and
 * states, and the JSON of mamori_check_progress, mamori_check_sheet and
 * mamori_risk_matrix.
 */
#include "mamori/report.h"
#include "mamori/date.h"
#include "mamori/i18n.h"
#include "mamori/policy.h"
#include "mamori/record.h"
#include "mamori/review.h"
#include "mamori/store.h"
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

/* A string member of o, or "" (a number as its digits). */
static const char *
str(const cJSON *o, const char *key)
{
	static __thread char num[32];
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsNumber(v)) {
		snprintf(num, sizeof(num), "%.0f", v->valuedouble);
		return num;
	}
	return "";
}

static long
num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? (long)v->valuedouble : 0;
}

/* A field of record rec (its "fields"). */
static const cJSON *
field(const cJSON *rec, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "fields"), key);
}

static const char *
field_str(const cJSON *rec, const char *key)
{
	return str(cJSON_GetObjectItemCaseSensitive(rec, "fields"), key);
}

/* The 課 id as its title (the id when the policy lacks it). */
static const char *
dept_title(const struct mamori_policy *p, const char *id)
{
	const struct mamori_department *d = id && *id ? mamori_policy_department(p, id) : NULL;

	return d ? d->title : id ? id : "";
}

/* A list field (or a comma-separated string) into b joined with 「、」, 課 as titles when depts. */
static void
join(const struct mamori_policy *p, const cJSON *v, bool depts, struct buf *b)
{
	const cJSON *e;
	char *copy, *save = NULL;

	if (cJSON_IsArray(v)) {
		cJSON_ArrayForEach(e, v) {
			if (!cJSON_IsString(e))
				continue;
			if (b->len)
				buf_adds(b, "、");
			buf_adds(b, depts ? dept_title(p, e->valuestring) : e->valuestring);
		}
	} else if (cJSON_IsString(v) && (copy = strdup(v->valuestring)) != NULL) {
		for (char *t = strtok_r(copy, ",、", &save); t; t = strtok_r(NULL, ",、", &save)) {
			if (b->len)
				buf_adds(b, "、");
			buf_adds(b, depts ? dept_title(p, t) : t);
		}
		free(copy);
	}
	buf_addc(b, '\0');
	b->len--;
}

/* A date (YYYY-MM-DD, or a time) in 和暦 into out. */
static const char *
wareki(const char *ymd, char *out, size_t n)
{
	char day[11];	/* the date of a datetime: YYYY-MM-DD */
	size_t len;

	if (ymd == NULL || *ymd == '\0')
		return "";
	len = strnlen(ymd, sizeof(day) - 1);
	memcpy(day, ymd, len);
	day[len] = '\0';
	return mamori_date_wareki(day, out, n);
}

/* The 年度 of a year (2026 → 令和8年度): the era of its 1 April. */
static const char *
nendo(const char *year, char *out, size_t n)
{
	char ymd[16], w[64], *nen;

	if (year == NULL || strlen(year) != 4)
		return year ? year : "";
	snprintf(ymd, sizeof(ymd), "%s-04-01", year);
	mamori_date_wareki(ymd, w, sizeof(w));
	if ((nen = strstr(w, "年")) == NULL)
		return year;
	*nen = '\0';
	if ((size_t)snprintf(out, n, "%.40s年度", w) >= n)
		return year;
	return out;
}

/* The title of choice id of field fid of record kind kid, or id. */
static const char *
choice_title(const struct mamori_policy *p, const char *kid, const char *fid, const char *id)
{
	const struct mamori_record_kind *k = mamori_record_kind_find(p, kid);

	for (size_t f = 0; k && f < k->nfields; f++)
		if (strcmp(k->fields[f].id, fid) == 0)
			for (size_t c = 0; c < k->fields[f].nchoices; c++)
				if (strcmp(k->fields[f].choices[c].id, id) == 0)
					return k->fields[f].choices[c].title;
	return id;
}

/* The title of state id of record kind kid, or id. */
static const char *
state_title(const struct mamori_policy *p, const char *kid, const char *id)
{
	const struct mamori_record_kind *k = mamori_record_kind_find(p, kid);

	for (size_t i = 0; k && i < k->nstates; i++)
		if (strcmp(k->states[i].id, id) == 0)
			return k->states[i].title;
	return id;
}

/* Record id, which must be of kind; MAMORI_E_INVALID naming what it is else. */
static int
record_of(struct mamori_store *s, const char *id, const char *kind, cJSON **rec, struct mamori_error *err)
{
	int rc = mamori_record_get(s, id, false, NULL, rec, err);

	if (rc == 0 && strcmp(str(*rec, "kind"), kind) != 0) {
		rc = mamori_error_set(err, MAMORI_E_INVALID, "%s is a %s, not a %s", id, str(*rec, "kind_title"), kind);
		cJSON_Delete(*rec);
		*rec = NULL;
	}
	return rc;
}

/* The report's frame: title, organisation, date, and the record named as subtitle. */
static struct mamori_report *
report_for(const struct mamori_policy *p, const char *title, const char *date, bool landscape)
{
	return mamori_report_new(title, p->organisation.name ? p->organisation.name : "", date, landscape);
}

/* The table of progress per 課: items, answered, each answer and the rate; the totals last. */
static void
progress_table(struct mamori_report *r, const cJSON *progress)
{
	const char *headers[8] = { _("Department"), _("Items"), _("Answered"), _("Conform"), _("Partly conform"),
		_("Not conform"), _("Not applicable"), _("Answered (%)") };
	static const double widths[8] = { 12, 5, 5, 5, 6, 5, 6, 6 };
	static const bool numeric[8] = { false, true, true, true, true, true, true, true };
	static const char *const keys[6] = { "items", "answered", "conform", "partial", "nonconform", "na" };
	long total[6] = { 0 };
	char cell[8][32];
	const char *cells[8];
	const cJSON *d;
	size_t t = mamori_report_table(r, 8, headers, widths, numeric);

	for (int k = 0; k < 8; k++)
		cells[k] = cell[k];
	cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(progress, "departments")) {
		cells[0] = str(d, "title")[0] ? str(d, "title") : str(d, "department");
		for (int k = 0; k < 6; k++) {
			snprintf(cell[1 + k], sizeof(cell[0]), "%ld", num(d, keys[k]));
			total[k] += num(d, keys[k]);
		}
		snprintf(cell[7], sizeof(cell[7]), "%ld", num(d, "items") ? num(d, "answered") * 100 / num(d, "items") : 0);
		mamori_report_row(r, t, cells);
	}
	cells[0] = _("Total");
	for (int k = 0; k < 6; k++)
		snprintf(cell[1 + k], sizeof(cell[0]), "%ld", total[k]);
	snprintf(cell[7], sizeof(cell[7]), "%ld", total[0] ? total[1] * 100 / total[0] : 0);
	mamori_report_row(r, t, cells);
}

/*
 * The items answered 不適合 or 一部適合, per 課 of progress, with the comments:
 * what a CISO reads first.  Returns how many there were.
 */
static int
nonconforming(struct mamori_report *r, struct mamori_store *s, const char *id, const cJSON *progress, size_t *count,
    struct mamori_error *err)
{
	const char *headers[5] = { _("Department"), _("Item"), _("Clause"), _("Answer"), _("Comment") };
	static const double widths[5] = { 9, 26, 8, 6, 20 };
	const cJSON *d, *it;
	size_t t = (size_t)-1;
	int rc = 0;

	*count = 0;
	cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(progress, "departments")) {
		cJSON *sheet = NULL;
		if ((rc = mamori_check_sheet(s, id, str(d, "department"), &sheet, err)) != 0)
			return rc;
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(sheet, "items")) {
			const char *a = str(it, "answer");
			const char *cells[5] = { str(d, "title"), str(it, "text"), str(it, "clause"),
				str(it, "answer_title")[0] ? str(it, "answer_title") : a, str(it, "comment") };
			if (strcmp(a, "nonconform") != 0 && strcmp(a, "partial") != 0)
				continue;
			if (t == (size_t)-1)
				t = mamori_report_table(r, 5, headers, widths, NULL);
			mamori_report_row(r, t, cells);
			++*count;
		}
		cJSON_Delete(sheet);
	}
	return rc;
}

/* 「回答 12 / 40 項目」 */
static void
answered_kv(struct mamori_report *r, const cJSON *progress)
{
	char line[128];

	snprintf(line, sizeof(line), _("%ld of %ld items"), num(progress, "answered"), num(progress, "items"));
	mamori_report_kv(r, _("Answered"), line);
}

static int
finish(struct mamori_report *r, struct mamori_report **out, int rc, struct mamori_error *err)
{
	if (rc == 0 && r == NULL)
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	if (rc == 0 && r->nomem)
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	if (rc == 0)
		*out = r;
	else
		mamori_report_free(&r);
	return rc;
}

int
mamori_report_self_check(struct mamori_store *s, const char *id, const char *date, struct mamori_report **out,
    struct mamori_error *err)
{
	const struct mamori_policy *p = mamori_store_policy(s);
	cJSON *rec = NULL, *progress = NULL;
	struct mamori_report *r = NULL;
	struct buf b = { 0 };
	char w[64], line[256];
	size_t bad = 0;
	int rc;

	*out = NULL;
	if ((rc = record_of(s, id, "self-check", &rec, err)) != 0 ||
	    (rc = mamori_check_progress(s, id, &progress, err)) != 0)
		goto out;
	if ((r = report_for(p, _("Self-check report"), date, false)) == NULL)
		goto out;
	snprintf(line, sizeof(line), "%s　%s", id, nendo(field_str(rec, "year"), w, sizeof(w)));
	mamori_report_subtitle(r, line);
	mamori_report_kv(r, _("Self-check"), id);
	mamori_report_kv(r, _("Year"), nendo(field_str(rec, "year"), w, sizeof(w)));
	mamori_report_kv(r, _("State"), str(rec, "state_title"));
	mamori_report_kv(r, _("Due"), wareki(field_str(rec, "due"), w, sizeof(w)));
	join(p, field(rec, "departments"), true, &b);
	mamori_report_kv(r, _("Departments"), b.p ? b.p : "");
	answered_kv(r, progress);
	mamori_report_heading(r, 2, _("Answers by department"));
	progress_table(r, progress);
	mamori_report_heading(r, 2, _("Items not or partly conforming"));
	if ((rc = nonconforming(r, s, id, progress, &bad, err)) != 0)
		goto out;
	if (bad == 0)
		mamori_report_paragraph(r, _("No item was answered as not or partly conforming."));
	if (field_str(rec, "summary")[0]) {
		mamori_report_heading(r, 2, _("Summary"));
		mamori_report_paragraph(r, field_str(rec, "summary"));
	}
out:
	buf_free(&b);
	cJSON_Delete(rec);
	cJSON_Delete(progress);
	return finish(r, out, rc, err);
}

/* Every finding whose audit field names id, oldest first (the list is newest first). */
static int
findings_of(struct mamori_store *s, const char *id, cJSON **found, struct mamori_error *err)
{
	struct mamori_record_filter f = { .kind = "finding", .limit = 1000 };
	cJSON *page = NULL, *rec, *next;
	int rc = 0;

	*found = cJSON_CreateArray();
	do {
		if ((rc = mamori_record_list(s, &f, &page, err)) != 0)
			break;
		cJSON_ArrayForEach(rec, cJSON_GetObjectItemCaseSensitive(page, "records"))
			if (strcmp(field_str(rec, "audit"), id) == 0)
				cJSON_InsertItemInArray(*found, 0, cJSON_Duplicate(rec, true));
		next = cJSON_GetObjectItemCaseSensitive(page, "next");
		f.before = cJSON_IsNumber(next) ? (int64_t)next->valuedouble : 0;
		cJSON_Delete(page);
		page = NULL;
	} while (f.before > 0);
	return rc;
}

/* The findings: counts by severity and open ones, then a row each. */
static void
findings_table(struct mamori_report *r, const struct mamori_policy *p, const cJSON *found)
{
	const char *headers[7] = { _("No."), _("Department"), _("Severity"), _("Finding"), _("Clause"), _("Due"),
		_("State") };
	static const double widths[7] = { 7, 9, 5, 26, 8, 9, 7 };
	static const char *const sev[3] = { "high", "medium", "low" };
	long by[3] = { 0 }, open = 0;
	const cJSON *rec;
	struct buf b = { 0 };
	char w[64], one[160];
	size_t t;

	cJSON_ArrayForEach(rec, found) {
		for (int i = 0; i < 3; i++)
			by[i] += strcmp(field_str(rec, "severity"), sev[i]) == 0;
		open += !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "final")) &&
		    strcmp(str(rec, "state"), "verified") != 0;
	}
	for (int i = 0; i < 3; i++) {
		snprintf(one, sizeof(one), _("%s%s: %ld"), b.len ? "　" : "", choice_title(p, "finding", "severity", sev[i]),
		    by[i]);
		buf_adds(&b, one);
	}
	mamori_report_kv(r, _("By severity"), b.p ? b.p : "");
	snprintf(one, sizeof(one), "%ld", open);
	mamori_report_kv(r, _("Not yet verified"), one);
	buf_free(&b);
	if (cJSON_GetArraySize(found) == 0) {
		mamori_report_paragraph(r, _("The audit raised no finding."));
		return;
	}
	t = mamori_report_table(r, 7, headers, widths, NULL);
	cJSON_ArrayForEach(rec, found) {
		const char *cells[7] = { str(rec, "id"), dept_title(p, field_str(rec, "department")),
			choice_title(p, "finding", "severity", field_str(rec, "severity")), field_str(rec, "description"),
			field_str(rec, "clause"), wareki(field_str(rec, "due"), w, sizeof(w)), str(rec, "state_title") };
		mamori_report_row(r, t, cells);
	}
}

int
mamori_report_audit(struct mamori_store *s, const char *id, const char *date, struct mamori_report **out,
    struct mamori_error *err)
{
	const struct mamori_policy *p = mamori_store_policy(s);
	cJSON *rec = NULL, *progress = NULL, *found = NULL;
	struct mamori_report *r = NULL;
	struct buf b = { 0 };
	char w[64], w2[64], line[256];
	size_t bad = 0;
	int rc;

	*out = NULL;
	if ((rc = record_of(s, id, "audit", &rec, err)) != 0 || (rc = mamori_check_progress(s, id, &progress, err)) != 0 ||
	    (rc = findings_of(s, id, &found, err)) != 0)
		goto out;
	if ((r = report_for(p, _("Audit report"), date, false)) == NULL)
		goto out;
	snprintf(line, sizeof(line), "%s　%s", id, nendo(field_str(rec, "year"), w, sizeof(w)));
	mamori_report_subtitle(r, line);
	mamori_report_heading(r, 2, _("Scope"));
	mamori_report_kv(r, _("Audit"), id);
	mamori_report_kv(r, _("Year"), nendo(field_str(rec, "year"), w, sizeof(w)));
	snprintf(line, sizeof(line), "%s〜%s", wareki(field_str(rec, "period_from"), w, sizeof(w)),
	    wareki(field_str(rec, "period_until"), w2, sizeof(w2)));
	mamori_report_kv(r, _("Period"), line);
	join(p, field(rec, "departments"), true, &b);
	mamori_report_kv(r, _("Departments audited"), b.p ? b.p : "");
	buf_reset(&b);
	join(p, field(rec, "auditors"), false, &b);
	mamori_report_kv(r, _("Auditors"), b.p ? b.p : "");
	mamori_report_kv(r, _("State"), str(rec, "state_title"));
	mamori_report_heading(r, 2, _("Findings"));
	findings_table(r, p, found);
	mamori_report_heading(r, 2, _("Checklist results by department"));
	answered_kv(r, progress);
	progress_table(r, progress);
	mamori_report_heading(r, 2, _("Items not or partly conforming"));
	if ((rc = nonconforming(r, s, id, progress, &bad, err)) != 0)
		goto out;
	if (bad == 0)
		mamori_report_paragraph(r, _("No item was answered as not or partly conforming."));
	if (field_str(rec, "summary")[0]) {
		mamori_report_heading(r, 2, _("Summary"));
		mamori_report_paragraph(r, field_str(rec, "summary"));
	}
out:
	buf_free(&b);
	cJSON_Delete(rec);
	cJSON_Delete(progress);
	cJSON_Delete(found);
	return finish(r, out, rc, err);
}

/* 「3 中」: a step of a scale with its title. */
static const char *
step(const cJSON *scale, long level, char *out, size_t n)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, scale)
		if (num(e, "level") == level) {
			/* a title longer than the cell's buffer is cut, as the cell would cut it */
			if (snprintf(out, n, "%ld %s", level, str(e, "title")) >= (int)n && n > 0)
				out[n - 1] = '\0';
			return out;
		}
	snprintf(out, n, "%ld", level);
	return out;
}

static long
scale_max(const cJSON *scale)
{
	const cJSON *e;
	long m = 1;

	cJSON_ArrayForEach(e, scale)
		if (num(e, "level") > m)
			m = num(e, "level");
	return m;
}

/*
 * The heat of a score, in the bands the web's リスクマップ colours (risks.js):
 * within what the policy accepts (review.risk.accept) green, then thirds of
 * the rest up to the scale's top — so a report and the screen agree.
 */
static float
band(long score, long accept, long max)
{
	double rest;

	if (accept > 0 && score <= accept)
		return 0.0f;
	rest = (double)(score - accept) / (double)(max - accept > 1 ? max - accept : 1);
	return rest <= 1.0 / 3 ? 0.45f : rest <= 2.0 / 3 ? 0.75f : 1.0f;
}

/* A heat map: likelihood down (highest first), impact across; each cell the count of key in it. */
static void
heat_map(struct mamori_report *r, const cJSON *m, const char *key)
{
	const cJSON *lik = cJSON_GetObjectItemCaseSensitive(m, "likelihood");
	const cJSON *imp = cJSON_GetObjectItemCaseSensitive(m, "impact"), *c;
	long nl = scale_max(lik), ni = scale_max(imp);
	const char *headers[16], *cells[16];
	char text[16][48];
	double widths[16];
	float heat[16];
	size_t t;

	if (ni > 14)
		ni = 14;
	headers[0] = _("Likelihood \\ impact");
	widths[0] = 10;
	for (long i = 1; i <= ni; i++) {
		headers[i] = step(imp, i, text[i], sizeof(text[i]));
		widths[i] = 6;
	}
	t = mamori_report_table(r, (size_t)ni + 1, headers, widths, NULL);
	for (long l = nl; l >= 1; l--) {
		char label[48];
		cells[0] = step(lik, l, label, sizeof(label));
		heat[0] = -1;
		for (long i = 1; i <= ni; i++) {
			long n = 0;
			cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(m, "cells"))
				if (num(c, "likelihood") == l && num(c, "impact") == i)
					n += num(c, key);
			if (n > 0)
				snprintf(text[i], sizeof(text[i]), "%ld", n);
			else
				text[i][0] = '\0';
			cells[i] = text[i];
			heat[i] = band(l * i, num(m, "accept"), nl * ni);
		}
		mamori_report_row_heat(r, t, cells, heat);
	}
}

/* The risks, one row each with their ratings; the ratings' cells coloured as the heat map. */
static void
risks_table(struct mamori_report *r, const struct mamori_policy *p, const cJSON *m)
{
	const char *headers[13] = { _("No."), _("Threat"), _("Risk"), _("Department"), _("Segment"), _("Likelihood"),
		_("Impact"), _("Inherent"), _("Treatment"), _("Residual likelihood"), _("Residual impact"), _("Residual"),
		_("State") };
	static const double widths[13] = { 7, 12, 18, 8, 9, 5, 5, 5, 5, 5, 5, 5, 6 };
	static const bool numeric[13] = { [5] = true, [6] = true, [7] = true, [9] = true, [10] = true, [11] = true };
	static const char *const keys[6] = { "likelihood", "impact", "inherent", "residual_likelihood",
		"residual_impact", "residual" };
	long max = scale_max(cJSON_GetObjectItemCaseSensitive(m, "likelihood")) *
	    scale_max(cJSON_GetObjectItemCaseSensitive(m, "impact")), accept = num(m, "accept");
	const cJSON *k;
	size_t t = mamori_report_table(r, 13, headers, widths, numeric);

	cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(m, "risks")) {
		const struct mamori_segment *seg = mamori_policy_segment(p, str(k, "segment"));
		const char *cells[13];
		char v[6][24];
		float heat[13];

		for (int i = 0; i < 6; i++)	/* a level's text: a few digits, cut if ever longer */
			if (snprintf(v[i], sizeof(v[i]), "%s", num(k, keys[i]) ? str(k, keys[i]) : "") >= (int)sizeof(v[i]))
				v[i][sizeof(v[i]) - 1] = '\0';
		cells[0] = str(k, "id");
		cells[1] = str(k, "threat_title")[0] ? str(k, "threat_title") : str(k, "threat");
		cells[2] = str(k, "description");
		cells[3] = dept_title(p, str(k, "department"));
		cells[4] = seg ? seg->title : str(k, "segment");
		cells[5] = v[0];
		cells[6] = v[1];
		cells[7] = v[2];
		cells[8] = str(k, "treatment")[0] ? choice_title(p, "risk", "treatment", str(k, "treatment")) : "";
		cells[9] = v[3];
		cells[10] = v[4];
		cells[11] = v[5];
		cells[12] = str(k, "state_title")[0] ? str(k, "state_title") : state_title(p, "risk", str(k, "state"));
		for (int i = 0; i < 13; i++)
			heat[i] = -1;
		heat[7] = num(k, "inherent") ? band(num(k, "inherent"), accept, max) : -1;
		heat[11] = num(k, "residual") ? band(num(k, "residual"), accept, max) : -1;
		mamori_report_row_heat(r, t, cells, heat);
	}
}

int
mamori_report_risks(struct mamori_store *s, const char *date, struct mamori_report **out, struct mamori_error *err)
{
	const struct mamori_policy *p = mamori_store_policy(s);
	cJSON *m = NULL;
	const cJSON *k;
	struct mamori_report *r = NULL;
	struct buf over = { 0 };
	char line[64];
	int rc;

	*out = NULL;
	if ((rc = mamori_risk_matrix(s, &m, err)) != 0)
		goto out;
	if ((r = report_for(p, _("Risk assessment"), date, true)) == NULL)
		goto out;
	snprintf(line, sizeof(line), "%d", cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(m, "risks")));
	mamori_report_kv(r, _("Risks"), line);
	mamori_report_kv(r, _("Accepted up to"), str(m, "accept"));
	cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(m, "risks"))
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(k, "over_accept"))) {
			if (over.len)
				buf_adds(&over, "、");
			buf_adds(&over, str(k, "id"));
		}
	mamori_report_kv(r, _("Accepted above the level"), over.len && !over.fail ? over.p : _("none"));
	mamori_report_heading(r, 2, _("Risks and their ratings"));
	if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(m, "risks")) == 0)
		mamori_report_paragraph(r, _("The risk register holds no risk."));
	else
		risks_table(r, p, m);
	mamori_report_heading(r, 2, _("Heat map: inherent risk"));
	heat_map(r, m, "inherent");
	mamori_report_heading(r, 2, _("Heat map: residual risk"));
	heat_map(r, m, "residual");
out:
	buf_free(&over);
	cJSON_Delete(m);
	return finish(r, out, rc, err);
}
