/*
 * policy_render.c — the policy document as Markdown or HTML, in the structure
 * the sources use.
 *
 * One emitter: a table of what each format writes around a block (struct
 * format), and four primitives that every part goes through — heading,
 * paragraphs, list (item_begin / piece / item_end) and table (row / cell).  One
 * function per part of the model (`include:`), looked up in a table by name.
 * Output goes straight to the FILE*; the caller checks one status at the end
 * (ferror), so the primitives do not check each write.
 *
 * Markdown is written as the sources are (nothing escaped) except inside table
 * cells, where '|' and newlines would break the table.  HTML escapes every text.
 * Every block ends with one blank line in Markdown, so that headings, lists and
 * tables never run into each other.
 */
#include "mamori/policy.h"

#include <string.h>

#include "mamori/vocab.h"

/* Where text is written decides what a newline inside it becomes. */
enum ctx { CTX_TEXT, CTX_HEADING, CTX_ITEM, CTX_CELL, CTX_N };

struct format {
	const char *newline[CTX_N];	/* what "\n" in a text becomes, per context */
	const char *p_open, *p_close;
	const char *ul_open, *ul_close, *li_open, *li_close;
	const char *table_open, *table_close, *row_open, *row_close;
	const char *th_open, *th_close, *td_open, *td_close;
	bool escape_html;
};

static const struct format formats[] = {
	[MAMORI_RENDER_MARKDOWN] = {
		/* A backslash before the newline is CommonMark's visible hard break;
		 * list continuation lines are indented to stay in the item. */
		.newline = { "\\\n", " ", "\\\n  ", "<br>" },
		.p_open = "", .p_close = "\n\n",
		.ul_open = "", .ul_close = "\n", .li_open = "- ", .li_close = "\n",
		.table_open = "", .table_close = "\n", .row_open = "|", .row_close = "\n",
		.th_open = " ", .th_close = " |", .td_open = " ", .td_close = " |",
		.escape_html = false,
	},
	[MAMORI_RENDER_HTML] = {
		.newline = { "<br>\n", " ", "<br>\n", "<br>" },
		.p_open = "<p>", .p_close = "</p>\n",
		.ul_open = "<ul>\n", .ul_close = "</ul>\n", .li_open = "<li>", .li_close = "</li>\n",
		.table_open = "<table>\n", .table_close = "</table>\n",
		.row_open = "<tr>", .row_close = "</tr>\n",
		.th_open = "<th>", .th_close = "</th>", .td_open = "<td>", .td_close = "</td>",
		.escape_html = true,
	},
};

struct emit {
	FILE *out;
	enum mamori_render_format fmt;
	const struct format *f;
};

static const char *const html_entities[256] = {
	['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;", ['\''] = "&#39;",
};

static const char *
nz(const char *s)
{
	return s ? s : "";
}

/* Writes n bytes of s in context ctx: newlines per the format, HTML escaped,
 * '|' escaped in Markdown cells.  Bytes of UTF-8 sequences pass unchanged. */
static void
put_n(struct emit *e, const char *s, size_t n, enum ctx ctx)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\r')
			continue;
		if (c == '\n')
			fputs(e->f->newline[ctx], e->out);
		else if (e->f->escape_html && html_entities[c])
			fputs(html_entities[c], e->out);
		else if (!e->f->escape_html && ctx == CTX_CELL && c == '|')
			fputs("\\|", e->out);
		else
			fputc(c, e->out);
	}
}

static void
put(struct emit *e, const char *s, enum ctx ctx)
{
	put_n(e, nz(s), strlen(nz(s)), ctx);
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int
heading_open(struct emit *e, int depth)
{
	depth = depth < 1 ? 1 : depth > 6 ? 6 : depth;
	if (e->fmt == MAMORI_RENDER_MARKDOWN)
		fprintf(e->out, "%.*s ", depth, "######");
	else
		fprintf(e->out, "<h%d>", depth);
	return depth;
}

static void
heading_close(struct emit *e, int depth)
{
	if (e->fmt == MAMORI_RENDER_MARKDOWN)
		fputs("\n\n", e->out);
	else
		fprintf(e->out, "</h%d>\n", depth);
}

/*
 * "1" + "目的" → 1 目的; "第1条" + "趣旨" → 第1条（趣旨）, as statutes write an
 * article's caption; an empty number → the title alone.  Depth is capped at 6
 * (HTML has no <h7>).
 */
static void
heading(struct emit *e, int depth, const char *number, const char *title)
{
	const char *num = nz(number), *tit = nz(title);
	bool article = strncmp(num, "第", strlen("第")) == 0 && ends_with(num, "条") &&
	    strncmp(tit, "（", strlen("（")) != 0;

	if (*num == '\0' && *tit == '\0')
		return;
	depth = heading_open(e, depth);
	put(e, num, CTX_HEADING);
	if (*num && *tit)
		fputs(article ? "（" : " ", e->out);
	put(e, tit, CTX_HEADING);
	if (*num && *tit && article)
		fputs("）", e->out);
	heading_close(e, depth);
}

/* Paragraphs are separated by blank lines; a single newline stays a line break. */
static void
paragraphs(struct emit *e, const char *text)
{
	const char *p = nz(text);

	while (*p) {
		while (*p == '\n' || *p == '\r')
			p++;
		const char *end = strstr(p, "\n\n");
		size_t n = end ? (size_t)(end - p) : strlen(p);
		while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == ' '))
			n--;
		if (n > 0) {
			fputs(e->f->p_open, e->out);
			put_n(e, p, n, CTX_TEXT);
			fputs(e->f->p_close, e->out);
		}
		p += end ? (size_t)(end - p) : strlen(p);
	}
}

static void
list_begin(struct emit *e)
{
	fputs(e->f->ul_open, e->out);
}

static void
list_end(struct emit *e)
{
	fputs(e->f->ul_close, e->out);
}

static void
item_begin(struct emit *e)
{
	fputs(e->f->li_open, e->out);
}

/* One piece of an item and, when the piece is not empty, its separator. */
static void
piece(struct emit *e, const char *s, const char *sep)
{
	if (s == NULL || *s == '\0')
		return;
	put(e, s, CTX_ITEM);
	fputs(sep, e->out);
}

static void
item_end(struct emit *e)
{
	fputs(e->f->li_close, e->out);
}

/* number, title and text of an item: "(1) 不正アクセス等　text", "① text". */
static void
item(struct emit *e, const char *number, const char *title, const char *text)
{
	item_begin(e);
	piece(e, number, *nz(title) || *nz(text) ? " " : "");
	piece(e, title, *nz(text) ? "　" : "");
	piece(e, text, "");
	item_end(e);
}

static void
cell_begin(struct emit *e, bool head)
{
	fputs(head ? e->f->th_open : e->f->td_open, e->out);
}

static void
cell_end(struct emit *e, bool head)
{
	fputs(head ? e->f->th_close : e->f->td_close, e->out);
}

static void
cell(struct emit *e, const char *text, bool head)
{
	cell_begin(e, head);
	put(e, text, CTX_CELL);
	cell_end(e, head);
}

static void
row_begin(struct emit *e)
{
	fputs(e->f->row_open, e->out);
}

/* Ends a row; after the head row Markdown needs its |---| line. */
static void
row_end(struct emit *e, bool head, size_t ncols)
{
	fputs(e->f->row_close, e->out);
	if (!head || e->fmt != MAMORI_RENDER_MARKDOWN)
		return;
	fputs("|", e->out);
	for (size_t i = 0; i < ncols; i++)
		fputs("---|", e->out);
	fputs("\n", e->out);
}

static void
table_begin(struct emit *e, const char *const *head, size_t ncols)
{
	fputs(e->f->table_open, e->out);
	row_begin(e);
	for (size_t i = 0; i < ncols; i++)
		cell(e, head[i], true);
	row_end(e, true, ncols);
}

static void
table_end(struct emit *e)
{
	fputs(e->f->table_close, e->out);
}

/* ---- the parts of the model ------------------------------------------- */

static void
items(struct emit *e, const struct mamori_item *it, size_t n)
{
	if (n == 0)
		return;
	list_begin(e);
	for (size_t i = 0; i < n; i++)
		item(e, it[i].number, it[i].term, it[i].text);
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
	if (p->nthreats == 0)
		return;
	list_begin(e);
	for (size_t i = 0; i < p->nthreats; i++)
		item(e, p->threats[i].number, p->threats[i].title, p->threats[i].text);
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

/* A role: its title, then who holds it, whom it reports to and its duties. */
static void
render_role(struct emit *e, const struct mamori_policy *p, const struct mamori_role *r, int depth)
{
	const struct mamori_role *up = r->reports_to ? mamori_policy_role(p, r->reports_to) : NULL;

	heading(e, depth, NULL, r->title);
	if (r->holder == NULL && up == NULL && r->nduties == 0)
		return;
	list_begin(e);
	if (r->holder) {
		item_begin(e);
		piece(e, "充て職", "：");
		piece(e, r->holder, "");
		item_end(e);
	}
	if (up) {
		item_begin(e);
		piece(e, "報告先", "：");
		piece(e, up->title, "");
		item_end(e);
	}
	for (size_t k = 0; k < r->nduties; k++)
		item(e, NULL, NULL, r->duties[k]);
	list_end(e);
}

static void
render_roles(struct emit *e, const struct mamori_policy *p, int depth)
{
	for (size_t i = 0; i < p->nroles; i++)
		render_role(e, p, &p->roles[i], depth);
}

/*
 * The 取扱制限 of a level in one cell, one "・text" per line as the sources print
 * them: the level's published wording when it has one (the table as the source
 * prints it), else its restrictions' texts.
 */
static void
restrictions_cell(struct emit *e, const struct mamori_level *l)
{
	size_t n = l->npublished ? l->npublished : l->nrestrictions;

	cell_begin(e, false);
	for (size_t k = 0; k < n; k++) {
		if (k > 0)
			fputs(e->f->newline[CTX_CELL], e->out);
		fputs("・", e->out);
		put(e, l->npublished ? l->published[k] : l->restrictions[k].text, CTX_CELL);
	}
	cell_end(e, false);
}

/*
 * A clause in a table cell.  A clause inherited through `extends` names the
 * policy it comes from ("ガイドライン 対策基準 2.1"), so that it cannot be read
 * as a clause of the organisation's own document next to its own ("第2条第12号").
 */
static void
clause_cell(struct emit *e, const struct mamori_policy *p, const struct mamori_srcpos *pos,
    const char *clause)
{
	const char *from = clause ? mamori_policy_cited_as(p, pos) : NULL;

	cell_begin(e, false);
	if (from) {
		put(e, from, CTX_CELL);
		fputs(" ", e->out);
	}
	put(e, clause, CTX_CELL);
	cell_end(e, false);
}

static void
render_axis(struct emit *e, const struct mamori_axis *a, int depth)
{
	static const char *const head[] = { "分類", "分類基準", "取扱制限" };

	depth = heading_open(e, depth);
	put(e, a->title, CTX_HEADING);
	fputs("による情報資産の分類", e->out);
	heading_close(e, depth);
	paragraphs(e, a->definition);
	table_begin(e, head, 3);
	for (size_t j = 0; j < a->nlevels; j++) {
		const struct mamori_level *l = &a->levels[j];
		row_begin(e);
		cell(e, l->title, false);
		cell(e, l->criteria, false);
		restrictions_cell(e, l);
		row_end(e, false, 3);
	}
	table_end(e);
}

static void
render_classification(struct emit *e, const struct mamori_policy *p, int depth)
{
	for (size_t i = 0; i < p->classification.naxes; i++)
		render_axis(e, &p->classification.axes[i], depth);
}

static void
render_asset_kinds(struct emit *e, const struct mamori_policy *p, int depth)
{
	(void)depth;
	if (p->nasset_kinds == 0)
		return;
	list_begin(e);
	for (size_t i = 0; i < p->nasset_kinds; i++)
		item(e, NULL, p->asset_kinds[i].title, p->asset_kinds[i].text);
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
			item(e, NULL, NULL, s->requirements[k].text);
		list_end(e);
	}
}

static const char *
segment_title(const struct mamori_policy *p, const char *id)
{
	const struct mamori_segment *s = id ? mamori_policy_segment(p, id) : NULL;
	return s ? s->title : id;
}

static const char *
vocab_title(const struct mamori_vocab *v, const char *id)
{
	const struct mamori_vocab_entry *w = id ? mamori_vocab_find(v, id) : NULL;
	return w ? w->title : id;
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
	table_begin(e, head, 5);
	for (size_t i = 0; i < p->nflows; i++) {
		const struct mamori_flow *f = &p->flows[i];
		row_begin(e);
		cell(e, segment_title(p, f->from), false);
		cell(e, segment_title(p, f->to), false);
		cell(e, vocab_title(&mamori_channels, f->channel), false);
		cell(e, vocab_title(&mamori_sanitizations, f->sanitization), false);
		clause_cell(e, p, &f->pos, f->clause);
		row_end(e, false, 5);
	}
	table_end(e);
}

/* One row of the decision point's reading: a level, a restriction, its clause. */
static void
restriction_row(struct emit *e, const struct mamori_policy *p, const struct mamori_level *l,
    const struct mamori_restriction *r)
{
	char hours[48] = "";

	row_begin(e);
	cell(e, l->title, false);
	cell(e, r ? r->id : "", false);
	cell_begin(e, false);
	put(e, r ? vocab_title(&mamori_restrictions, r->id) : "（なし）", CTX_CELL);
	if (r && r->hours > 0)
		snprintf(hours, sizeof(hours), "（%d時間）", r->hours);
	put(e, hours, CTX_CELL);
	cell_end(e, false);
	if (r)
		clause_cell(e, p, &r->pos, r->clause);
	else
		cell(e, "", false);
	row_end(e, false, 4);
}

/*
 * The restrictions the decision point applies, per level: their vocabulary ids
 * and standard titles, and the clause each rests on.  Kept apart from the
 * classification tables, which print the source's wording; a level without
 * restrictions shows （なし）.
 */
static void
render_restrictions(struct emit *e, const struct mamori_policy *p, int depth)
{
	static const char *const head[] = { "分類", "ID", "取扱制限", "根拠" };

	(void)depth;
	if (p->classification.naxes == 0)
		return;
	table_begin(e, head, 4);
	for (size_t i = 0; i < p->classification.naxes; i++) {
		const struct mamori_axis *a = &p->classification.axes[i];
		for (size_t j = 0; j < a->nlevels; j++) {
			const struct mamori_level *l = &a->levels[j];
			for (size_t k = 0; k < l->nrestrictions; k++)
				restriction_row(e, p, l, &l->restrictions[k]);
			if (l->nrestrictions == 0)
				restriction_row(e, p, l, NULL);
		}
	}
	table_end(e);
}

/* Who may take a transition, in words: roles by title, the record's people by name; 二人制 noted. */
static void
by_cell(struct emit *e, const struct mamori_policy *p, const struct mamori_record_transition *t)
{
	cell_begin(e, false);
	if (t->automatic != NULL)
		put(e, "（期日を過ぎると自動）", CTX_CELL);
	for (size_t i = 0; i < t->nby; i++) {
		const struct mamori_role *r = mamori_policy_find_role(p, t->by[i]);
		put(e, i ? "、" : "", CTX_CELL);
		put(e, r ? r->title : vocab_title(&mamori_record_relations, t->by[i]), CTX_CELL);
	}
	if (t->second_person)
		put(e, "（申請者・直前の手続者以外）", CTX_CELL);
	cell_end(e, false);
}

static const char *
state_title(const struct mamori_record_kind *k, const char *id)
{
	for (size_t i = 0; i < k->nstates; i++)
		if (strcmp(k->states[i].id, id) == 0)
			return k->states[i].title;
	return id;
}

/*
 * The records the policy asks people to keep (records:): per kind, its purpose
 * and the steps of its workflow with who takes them and the clause; the
 * deadlines and whom a missed one goes to.
 */
static void
render_records(struct emit *e, const struct mamori_policy *p, int depth)
{
	static const char *const head[] = { "手続", "状態", "次の状態", "行う者", "根拠" };

	for (size_t i = 0; i < p->nrecords; i++) {
		const struct mamori_record_kind *k = &p->records[i];
		heading(e, depth, NULL, k->title);
		paragraphs(e, k->text);
		table_begin(e, head, 5);
		for (size_t j = 0; j < k->ntransitions; j++) {
			const struct mamori_record_transition *t = &k->transitions[j];
			row_begin(e);
			cell(e, t->title, false);
			cell(e, state_title(k, t->from), false);
			cell(e, state_title(k, t->to), false);
			by_cell(e, p, t);
			clause_cell(e, p, &t->pos, t->clause ? t->clause : k->clause);
			row_end(e, false, 5);
		}
		table_end(e);
		for (size_t j = 0; j < k->nstates; j++) {
			const struct mamori_record_state *st = &k->states[j];
			char line[300];
			size_t n;
			if (st->deadline == NULL)
				continue;
			n = strspn(st->deadline, "0123456789");
			snprintf(line, sizeof(line), "「%s」から%.*s%s以内に次の手続を行う。過ぎたときは%sに通知する。",
			    st->title, (int)n, st->deadline, st->deadline[n] == 'm' ? "分" : st->deadline[n] == 'h' ?
			    "時間" : "日", st->escalate && strcmp(st->escalate, "reports_to") == 0 ?
			    "上位の役割" : (mamori_policy_find_role(p, st->escalate) ?
			    mamori_policy_find_role(p, st->escalate)->title : "上位の役割"));
			paragraphs(e, line);
		}
	}
}

static void
render_bodies(struct emit *e, const struct mamori_policy *p, int depth)
{
	(void)depth;
	if (p->organisation.nbodies == 0)
		return;
	list_begin(e);
	for (size_t i = 0; i < p->organisation.nbodies; i++) {
		const struct mamori_body *b = &p->organisation.bodies[i];
		item(e, NULL, b->title, b->excluded ? "（適用除外）" : b->text);
	}
	list_end(e);
}

/* The names `include:` accepts; policy_check.c validates them against its copy of this list. */
static const struct {
	const char *name;
	void (*render)(struct emit *, const struct mamori_policy *, int);
} includes[] = {
	{ "definitions", render_definitions },
	{ "threats", render_threats },
	{ "measures", render_measures },
	{ "roles", render_roles },
	{ "classification", render_classification },
	{ "asset_kinds", render_asset_kinds },
	{ "segments", render_segments },
	{ "flows", render_flows },
	{ "bodies", render_bodies },
	{ "restrictions", render_restrictions },
	{ "records", render_records },
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
		heading(e, depth, sec->number, sec->title);
		paragraphs(e, sec->text);
		if (sec->nitems) {
			list_begin(e);
			for (size_t k = 0; k < sec->nitems; k++)
				item(e, NULL, NULL, sec->items[k]);
			list_end(e);
		}
		if (sec->include)
			render_include(e, p, sec->include, depth + 1);
		render_sections(e, p, sec->sections, sec->nsections, depth + 1);
	}
}

static bool
sections_include(const struct mamori_section *s, size_t n, const char *name, int depth)
{
	for (size_t i = 0; i < n && depth < 32; i++)
		if ((s[i].include && strcmp(s[i].include, name) == 0) ||
		    sections_include(s[i].sections, s[i].nsections, name, depth + 1))
			return true;
	return false;
}

static bool
uses_published(const struct mamori_policy *p)
{
	for (size_t i = 0; i < p->classification.naxes; i++)
		for (size_t j = 0; j < p->classification.axes[i].nlevels; j++)
			if (p->classification.axes[i].levels[j].npublished)
				return true;
	return false;
}

/*
 * When the tables print the source's wording (`published`), what the decision
 * point applies is no longer in them: unless the document places it itself
 * (`include: restrictions`), it follows the document as an appendix.
 */
static void
render_appendix(struct emit *e, const struct mamori_policy *p)
{
	if (!uses_published(p) ||
	    sections_include(p->document.sections, p->document.nsections, "restrictions", 0))
		return;
	heading(e, 2, "付録", "判定に用いる取扱制限");
	paragraphs(e, "本文の分類表は公表された文言のとおりである。"
	    "mamori の判定は、各分類の情報資産に次の取扱制限を適用する。");
	render_restrictions(e, p, 3);
}

/* 1 目的 in the guideline's words, with the organisation's name. */
static void
standard_purpose(struct emit *e, const struct mamori_policy *p)
{
	const char *org = p->organisation.name ? p->organisation.name : "本団体";

	fputs(e->f->p_open, e->out);
	fputs("本基本方針は、", e->out);
	put(e, org, CTX_TEXT);
	fputs("が保有する情報資産の機密性、完全性及び可用性を維持するため、", e->out);
	put(e, org, CTX_TEXT);
	fputs("が実施する情報セキュリティ対策について基本的な事項を定めることを目的とする。", e->out);
	fputs(e->f->p_close, e->out);
}

/* The 対策基準 parts of the model, under the headings the guideline uses. */
static void
render_standard_criteria(struct emit *e, const struct mamori_policy *p)
{
	heading(e, 2, NULL, "情報セキュリティ対策基準");
	if (p->nroles) {
		heading(e, 3, NULL, "組織体制");
		render_roles(e, p, 4);
	}
	if (p->classification.naxes) {
		heading(e, 3, NULL, "情報資産の分類");
		render_classification(e, p, 4);
	}
	if (p->nsegments) {
		heading(e, 3, NULL, "情報システム全体の強靱性の向上");
		render_segments(e, p, 4);
		render_flows(e, p, 4);
	}
}

/* Without a `document:`, the guideline's standard 基本方針 structure. */
static void
render_standard(struct emit *e, const struct mamori_policy *p)
{
	const struct mamori_review *r = &p->review;

	heading(e, 2, "1", "目的");
	standard_purpose(e, p);
	heading(e, 2, "2", "定義");
	render_definitions(e, p, 3);
	heading(e, 2, "3", "対象とする脅威");
	paragraphs(e, "情報資産に対する脅威として、以下の脅威を想定し、情報セキュリティ対策を実施する。");
	render_threats(e, p, 3);
	heading(e, 2, "4", "適用範囲");
	heading(e, 3, "(1)", "行政機関の範囲");
	render_bodies(e, p, 4);
	heading(e, 3, "(2)", "情報資産の範囲");
	render_asset_kinds(e, p, 4);
	heading(e, 2, "5", "職員等の遵守義務");
	paragraphs(e, "職員等は、情報セキュリティの重要性について共通の認識を持ち、業務の遂行に当たって"
	    "情報セキュリティポリシー及び情報セキュリティ実施手順を遵守しなければならない。");
	heading(e, 2, "6", "情報セキュリティ対策");
	paragraphs(e, "上記3の脅威から情報資産を保護するために、以下の情報セキュリティ対策を講じる。");
	render_measures(e, p, 3);
	heading(e, 2, "7", "情報セキュリティ監査及び自己点検の実施");
	paragraphs(e, r->audit.text);
	paragraphs(e, r->self_check.text);
	heading(e, 2, "8", "情報セキュリティポリシーの見直し");
	paragraphs(e, r->policy_review.text);
	render_standard_criteria(e, p);
	if (p->nrecords > 0) {
		heading(e, 2, "付録", "記録と手続");
		paragraphs(e, "情報セキュリティポリシーが職員等に求める報告及び申請は、次の手続により記録する。");
		render_records(e, p, 3);
	}
}

static const char html_head[] =
    "<style>\n"
    "body{font-family:\"Noto Serif CJK JP\",\"Hiragino Mincho ProN\",\"Yu Mincho\",serif;"
    "max-width:48em;margin:2em auto;padding:0 1em;line-height:1.8}\n"
    "h1{text-align:center;font-size:1.5em}\n"
    "h2{font-size:1.25em;margin-top:2em}\n"
    "h3,h4,h5,h6{font-size:1em}\n"
    "p{text-indent:1em}\n"
    "ul{list-style:none;padding-left:1em}\n"
    "table{border-collapse:collapse;margin:1em 0;width:100%}\n"
    "th,td{border:1px solid #000;padding:.3em .6em;vertical-align:top;text-align:left}\n"
    "th{background:#eee}\n"
    "p.footer{margin-top:3em;font-size:.8em;text-indent:0;color:#444}\n"
    "@media print{body{margin:0;max-width:none}h2,h3{break-after:avoid}tr{break-inside:avoid}}\n"
    "</style>\n"
    "</head>\n<body>\n";

static void
begin_document(struct emit *e, const char *title)
{
	if (e->fmt != MAMORI_RENDER_HTML)
		return;
	fputs("<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n<title>", e->out);
	put(e, title, CTX_HEADING);
	fputs("</title>\n", e->out);
	fputs(html_head, e->out);
}

/* id, version and SHA-256 of the policy files, so a printed copy can be matched to them. */
static void
end_document(struct emit *e, const struct mamori_policy *p)
{
	char hash[2 * sizeof(p->sha256) + 1];

	for (size_t i = 0; i < sizeof(p->sha256); i++)
		snprintf(hash + 2 * i, 3, "%02x", p->sha256[i]);
	fputs(e->fmt == MAMORI_RENDER_HTML ? "<p class=\"footer\">" : "---\n\n", e->out);
	put(e, p->id, CTX_HEADING);
	fputs(" · ", e->out);
	put(e, p->version, CTX_HEADING);
	fprintf(e->out, " · SHA-256 %s", hash);
	fputs(e->fmt == MAMORI_RENDER_HTML ? "</p>\n</body>\n</html>\n" : "\n", e->out);
}

int
mamori_policy_render(const struct mamori_policy *p, enum mamori_render_format fmt, FILE *out)
{
	enum mamori_render_format f = fmt == MAMORI_RENDER_HTML ? fmt : MAMORI_RENDER_MARKDOWN;
	struct emit e = { out, f, &formats[f] };
	const char *title = p->document.title ? p->document.title : p->title;

	begin_document(&e, title);
	heading(&e, 1, NULL, title);
	paragraphs(&e, p->document.date);
	if (p->document.pos.file != NULL)
		render_sections(&e, p, p->document.sections, p->document.nsections, 2);
	else
		render_standard(&e, p);
	render_appendix(&e, p);
	end_document(&e, p);
	return ferror(out) ? MAMORI_E_IO : 0;
}
