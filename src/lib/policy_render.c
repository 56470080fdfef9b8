/*
 * policy_render.c — the policy document as Markdown or HTML, in the structure
 * the sources use.  One emitter with a format switch in a few primitives
 * (heading, paragraph, list, table); one function per part of the model.
 */
#include "mamori/policy.h"

#include <string.h>

struct emit {
	FILE *out;
	enum mamori_render_format fmt;
};

static void
text_escaped(struct emit *e, const char *s)
{
	if (e->fmt == MAMORI_RENDER_MARKDOWN) {
		fputs(s, e->out);
		return;
	}
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", e->out); break;
		case '<': fputs("&lt;", e->out); break;
		case '>': fputs("&gt;", e->out); break;
		case '"': fputs("&quot;", e->out); break;
		case '\'': fputs("&#39;", e->out); break;
		default: fputc(*s, e->out);
		}
	}
}

/* A table cell: Markdown tables cannot hold '|' or newlines. */
static void
cell_escaped(struct emit *e, const char *s)
{
	if (e->fmt == MAMORI_RENDER_HTML) {
		text_escaped(e, s);
		return;
	}
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", e->out);
		else if (*s == '\n')
			fputs("<br>", e->out);
		else
			fputc(*s, e->out);
	}
}

/* "第1条" + "趣旨" → 第1条（趣旨）; "1" + "目的" → 1 目的. */
static void
heading(struct emit *e, int depth, const char *number, const char *title)
{
	bool article = number && strncmp(number, "第", strlen("第")) == 0 &&
	    strlen(number) >= strlen("条") &&
	    strcmp(number + strlen(number) - strlen("条"), "条") == 0;

	if (depth > 6)
		depth = 6;
	if (e->fmt == MAMORI_RENDER_MARKDOWN)
		fprintf(e->out, "\n%.*s ", depth, "######");
	else
		fprintf(e->out, "<h%d>", depth);
	if (number && *number) {
		text_escaped(e, number);
		if (title && *title)
			fputs(article ? "（" : " ", e->out);
	}
	if (title)
		text_escaped(e, title);
	if (article && title && *title)
		fputs("）", e->out);
	if (e->fmt == MAMORI_RENDER_MARKDOWN)
		fputs("\n\n", e->out);
	else
		fprintf(e->out, "</h%d>\n", depth);
}

/* Paragraphs are separated by blank lines; single newlines stay line breaks. */
static void
paragraphs(struct emit *e, const char *text)
{
	const char *p = text;

	if (text == NULL)
		return;
	while (*p) {
		const char *end = strstr(p, "\n\n");
		size_t n = end ? (size_t)(end - p) : strlen(p);
		while (n > 0 && p[n - 1] == '\n')
			n--;
		if (n > 0) {
			char buf[8192];
			size_t k = n < sizeof(buf) - 1 ? n : sizeof(buf) - 1;
			memcpy(buf, p, k);
			buf[k] = '\0';
			if (e->fmt == MAMORI_RENDER_HTML) {
				fputs("<p>", e->out);
				text_escaped(e, buf);
				fputs("</p>\n", e->out);
			} else {
				fprintf(e->out, "%s\n\n", buf);
			}
		}
		if (end == NULL)
			break;
		p = end + 2;
		while (*p == '\n')
			p++;
	}
}

static void
list_begin(struct emit *e)
{
	if (e->fmt == MAMORI_RENDER_HTML)
		fputs("<ul>\n", e->out);
}

static void
list_item(struct emit *e, const char *number, const char *title, const char *text)
{
	fputs(e->fmt == MAMORI_RENDER_HTML ? "<li>" : "- ", e->out);
	if (number && *number) {
		text_escaped(e, number);
		fputs(" ", e->out);
	}
	if (title && *title) {
		text_escaped(e, title);
		fputs("　", e->out);
	}
	if (text)
		text_escaped(e, text);
	fputs(e->fmt == MAMORI_RENDER_HTML ? "</li>\n" : "\n", e->out);
}

static void
list_end(struct emit *e)
{
	fputs(e->fmt == MAMORI_RENDER_HTML ? "</ul>\n" : "\n", e->out);
}

static void
table_row(struct emit *e, const char *const *cells, size_t n, bool head)
{
	if (e->fmt == MAMORI_RENDER_HTML) {
		fputs("<tr>", e->out);
		for (size_t i = 0; i < n; i++) {
			fputs(head ? "<th>" : "<td>", e->out);
			cell_escaped(e, cells[i] ? cells[i] : "");
			fputs(head ? "</th>" : "</td>", e->out);
		}
		fputs("</tr>\n", e->out);
		return;
	}
	fputs("|", e->out);
	for (size_t i = 0; i < n; i++) {
		fputs(" ", e->out);
		cell_escaped(e, cells[i] ? cells[i] : "");
		fputs(" |", e->out);
	}
	fputs("\n", e->out);
	if (head) {
		fputs("|", e->out);
		for (size_t i = 0; i < n; i++)
			fputs("---|", e->out);
		fputs("\n", e->out);
	}
}

static void
table_begin(struct emit *e)
{
	fputs(e->fmt == MAMORI_RENDER_HTML ? "<table>\n" : "\n", e->out);
}

static void
table_end(struct emit *e)
{
	fputs(e->fmt == MAMORI_RENDER_HTML ? "</table>\n" : "\n", e->out);
}

/* ---- the parts of the model ------------------------------------------- */

static void
items(struct emit *e, const struct mamori_item *it, size_t n)
{
	if (n == 0)
		return;
	list_begin(e);
	for (size_t i = 0; i < n; i++)
		list_item(e, it[i].number, it[i].term, it[i].text);
	list_end(e);
}

static void
render_definitions(struct emit *e, const struct mamori_policy *p, int depth)
{
	for (size_t i = 0; i < p->ndefinitions; i++) {
		const struct mamori_definition *d = &p->definitions[i];
		heading(e, depth, d->number, d->term);
		paragraphs(e, d->text);
		items(e, d->items, d->nitems);
	}
}

static void
render_threats(struct emit *e, const struct mamori_policy *p, int depth)
{
	(void)depth;
	list_begin(e);
	for (size_t i = 0; i < p->nthreats; i++)
		list_item(e, p->threats[i].number, p->threats[i].title, p->threats[i].text);
	list_end(e);
}

static void
render_measures(struct emit *e, const struct mamori_policy *p, int depth)
{
	for (size_t i = 0; i < p->nmeasures; i++) {
		const struct mamori_measure *m = &p->measures[i];
		heading(e, depth, m->number, m->title);
		paragraphs(e, m->text);
		items(e, m->items, m->nitems);
	}
}

static void
render_roles(struct emit *e, const struct mamori_policy *p, int depth)
{
	for (size_t i = 0; i < p->nroles; i++) {
		const struct mamori_role *r = &p->roles[i];
		const struct mamori_role *up = r->reports_to ? mamori_policy_role(p, r->reports_to) : NULL;
		char line[512];

		heading(e, depth, NULL, r->title);
		list_begin(e);
		if (r->holder) {
			snprintf(line, sizeof(line), "充て職: %s", r->holder);
			list_item(e, NULL, NULL, line);
		}
		if (up) {
			snprintf(line, sizeof(line), "報告先: %s", up->title);
			list_item(e, NULL, NULL, line);
		}
		for (size_t k = 0; k < r->nduties; k++)
			list_item(e, NULL, NULL, r->duties[k]);
		list_end(e);
	}
}

static void
render_classification(struct emit *e, const struct mamori_policy *p, int depth)
{
	static const char *const head[] = { "分類", "分類基準", "取扱制限" };

	for (size_t i = 0; i < p->classification.naxes; i++) {
		const struct mamori_axis *a = &p->classification.axes[i];
		char title[256];

		snprintf(title, sizeof(title), "%sによる情報資産の分類", a->title);
		heading(e, depth, NULL, title);
		table_begin(e);
		table_row(e, head, 3, true);
		for (size_t j = 0; j < a->nlevels; j++) {
			const struct mamori_level *l = &a->levels[j];
			char restr[4096] = "";
			size_t used = 0;
			for (size_t k = 0; k < l->nrestrictions && used < sizeof(restr); k++)
				used += (size_t)snprintf(restr + used, sizeof(restr) - used, "%s・%s",
				    k ? "\n" : "", l->restrictions[k].text);
			const char *cells[] = { l->title, l->criteria, restr };
			table_row(e, cells, 3, false);
		}
		table_end(e);
	}
}

static void
render_asset_kinds(struct emit *e, const struct mamori_policy *p, int depth)
{
	(void)depth;
	list_begin(e);
	for (size_t i = 0; i < p->nasset_kinds; i++)
		list_item(e, NULL, p->asset_kinds[i].title, p->asset_kinds[i].text);
	list_end(e);
}

static void
render_segments(struct emit *e, const struct mamori_policy *p, int depth)
{
	for (size_t i = 0; i < p->nsegments; i++) {
		const struct mamori_segment *s = &p->segments[i];
		heading(e, depth, NULL, s->title);
		paragraphs(e, s->definition);
		if (s->nrequirements == 0)
			continue;
		list_begin(e);
		for (size_t k = 0; k < s->nrequirements; k++)
			list_item(e, NULL, NULL, s->requirements[k].text);
		list_end(e);
	}
}

static const char *
segment_title(const struct mamori_policy *p, const char *id)
{
	const struct mamori_segment *s = mamori_policy_segment(p, id);
	return s ? s->title : id;
}

static void
render_flows(struct emit *e, const struct mamori_policy *p, int depth)
{
	static const char *const head[] = { "送信元", "送信先", "経路", "無害化", "条項" };

	(void)depth;
	if (p->nflows == 0) {
		paragraphs(e, "セグメント間で許可される通信はない（すべて拒否）。");
		return;
	}
	table_begin(e);
	table_row(e, head, 5, true);
	for (size_t i = 0; i < p->nflows; i++) {
		const struct mamori_flow *f = &p->flows[i];
		const char *cells[] = { segment_title(p, f->from), segment_title(p, f->to),
			f->channel, f->sanitization, f->clause };
		table_row(e, cells, 5, false);
	}
	table_end(e);
}

static void
render_bodies(struct emit *e, const struct mamori_policy *p, int depth)
{
	(void)depth;
	list_begin(e);
	for (size_t i = 0; i < p->organisation.nbodies; i++) {
		const struct mamori_body *b = &p->organisation.bodies[i];
		list_item(e, NULL, b->title, b->excluded ? "（適用除外）" : b->text);
	}
	list_end(e);
}

static const struct {
	const char *name;
	void (*render)(struct emit *, const struct mamori_policy *, int);
} includes[] = {
	{ "definitions", render_definitions }, { "threats", render_threats },
	{ "measures", render_measures }, { "roles", render_roles },
	{ "classification", render_classification }, { "asset_kinds", render_asset_kinds },
	{ "segments", render_segments }, { "flows", render_flows }, { "bodies", render_bodies },
};

static void
render_include(struct emit *e, const struct mamori_policy *p, const char *name, int depth)
{
	for (size_t i = 0; i < sizeof(includes) / sizeof(includes[0]); i++)
		if (strcmp(includes[i].name, name) == 0)
			includes[i].render(e, p, depth);
}

static void
render_sections(struct emit *e, const struct mamori_policy *p, const struct mamori_section *s,
    size_t n, int depth)
{
	for (size_t i = 0; i < n; i++) {
		const struct mamori_section *sec = &s[i];
		if ((sec->number && *sec->number) || (sec->title && *sec->title))
			heading(e, depth, sec->number, sec->title);
		paragraphs(e, sec->text);
		if (sec->nitems) {
			list_begin(e);
			for (size_t k = 0; k < sec->nitems; k++)
				list_item(e, NULL, NULL, sec->items[k]);
			list_end(e);
		}
		if (sec->include)
			render_include(e, p, sec->include, depth + 1);
		render_sections(e, p, sec->sections, sec->nsections, depth + 1);
	}
}

/* Without a `document:`, the guideline's standard 基本方針 structure. */
static void
render_standard(struct emit *e, const struct mamori_policy *p)
{
	char purpose[512];
	const struct mamori_review *r = &p->review;

	snprintf(purpose, sizeof(purpose), "本基本方針は、%sが保有する情報資産の機密性、完全性及び可用性を維持するため、"
	    "実施する情報セキュリティ対策について基本的な事項を定めることを目的とする。",
	    p->organisation.name ? p->organisation.name : "本団体");
	heading(e, 2, "1", "目的");
	paragraphs(e, purpose);
	heading(e, 2, "2", "定義");
	render_definitions(e, p, 3);
	heading(e, 2, "3", "対象とする脅威");
	render_threats(e, p, 3);
	heading(e, 2, "4", "適用範囲");
	heading(e, 3, "(1)", "適用機関の範囲");
	render_bodies(e, p, 4);
	heading(e, 3, "(2)", "情報資産の範囲");
	render_asset_kinds(e, p, 4);
	heading(e, 2, "5", "遵守義務");
	paragraphs(e, "職員等は、情報セキュリティの重要性について共通の認識を持ち、業務の遂行に当たって"
	    "情報セキュリティポリシー及び情報セキュリティ実施手順を遵守しなければならない。");
	heading(e, 2, "6", "情報セキュリティ対策");
	render_measures(e, p, 3);
	heading(e, 2, "7", "情報セキュリティ監査及び自己点検の実施");
	paragraphs(e, r->audit.text);
	paragraphs(e, r->self_check.text);
	heading(e, 2, "8", "情報セキュリティポリシーの見直し");
	paragraphs(e, r->policy_review.text);
	heading(e, 2, NULL, "情報セキュリティ対策基準");
	heading(e, 3, NULL, "組織体制");
	render_roles(e, p, 4);
	heading(e, 3, NULL, "情報資産の分類");
	render_classification(e, p, 4);
	heading(e, 3, NULL, "ネットワークの分離");
	render_segments(e, p, 4);
	render_flows(e, p, 4);
}

int
mamori_policy_render(const struct mamori_policy *p, enum mamori_render_format fmt, FILE *out)
{
	struct emit e = { out, fmt };
	const char *title = p->document.title ? p->document.title : p->title;

	if (fmt == MAMORI_RENDER_HTML) {
		fputs("<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n<title>", out);
		text_escaped(&e, title);
		fputs("</title>\n<style>\nbody{font-family:\"Noto Sans CJK JP\",\"Hiragino Sans\",sans-serif;"
		    "max-width:50em;margin:2em auto;line-height:1.7;padding:0 1em}\n"
		    "table{border-collapse:collapse;margin:1em 0}\n"
		    "th,td{border:1px solid #555;padding:.3em .6em;vertical-align:top;white-space:pre-line}\n"
		    ".footer{margin-top:3em;font-size:.8em;color:#555}\n</style>\n</head>\n<body>\n", out);
	}
	heading(&e, 1, NULL, title);
	if (p->document.date)
		paragraphs(&e, p->document.date);
	if (p->document.pos.file != NULL)
		render_sections(&e, p, p->document.sections, p->document.nsections, 2);
	else
		render_standard(&e, p);

	char hash[65];
	for (size_t i = 0; i < 32; i++)
		snprintf(hash + 2 * i, 3, "%02x", p->sha256[i]);
	if (fmt == MAMORI_RENDER_HTML) {
		fputs("<p class=\"footer\">", out);
		text_escaped(&e, p->id);
		fputs(" · ", out);
		text_escaped(&e, p->version);
		fprintf(out, " · SHA-256 %s</p>\n</body>\n</html>\n", hash);
	} else {
		fprintf(out, "\n---\n\n%s · %s · SHA-256 %s\n", p->id, p->version, hash);
	}
	return ferror(out) ? MAMORI_E_IO : 0;
}
