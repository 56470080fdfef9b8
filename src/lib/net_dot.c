/*
 * net_dot.c — the policy's network as a Graphviz digraph: a cluster per
 * segment (its title, networks, gateways), an edge per allowed flow from the
 * segment that connects to where it connects, labelled with the channel, the
 * 無害化 and the clause.  Nothing else crosses: what has no edge is denied.
 */
#include "net_internal.h"

#include <string.h>

/* s as the inside of a DOT string: quotes and backslashes escaped. */
static void
dot_str(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s == '\n' ? ' ' : *s, out);
	}
}

static void
write_segment(const struct mamori_segment *s, FILE *out)
{
	bool isolated = mamori_segment_requires(s, "isolated");

	fprintf(out, "  subgraph \"cluster_%s\" {\n    label=\"", s->id);
	dot_str(out, s->title);
	fprintf(out, " (%s)", s->id);
	for (size_t i = 0; i < s->nnetworks; i++) {
		fputs("\\n", out);
		dot_str(out, s->networks[i]);
	}
	fprintf(out, "\";\n    style=rounded; color=\"%s\";\n", isolated ? "red" : "gray40");
	fprintf(out, "    \"seg:%s\" [label=\"", s->id);
	dot_str(out, isolated ? "端末・サーバ (isolated)" : "端末・サーバ");
	fprintf(out, "\", shape=box];\n");
	for (size_t i = 0; i < s->ngateways; i++) {
		const struct mamori_gateway *g = &s->gateways[i];
		fprintf(out, "    \"gw:%s\" [shape=component, style=filled, fillcolor=lightyellow, label=\"", g->id);
		dot_str(out, g->title ? g->title : g->id);
		fprintf(out, "\\n%s (%s)", g->id, g->channel);
		for (size_t j = 0; j < g->naddresses; j++) {
			fputs("\\n", out);
			dot_str(out, g->addresses[j]);
		}
		fputs("\\nTCP ", out);
		for (size_t j = 0; j < g->nports; j++)
			fprintf(out, "%s%s", j ? ", " : "", g->ports[j]);
		fputs("\"];\n", out);
	}
	fputs("  }\n", out);
}

static const struct mamori_segment *
gateway_segment(const struct mamori_policy *p, const char *id)
{
	for (size_t i = 0; id && i < p->nsegments; i++)
		for (size_t j = 0; j < p->segments[i].ngateways; j++)
			if (strcmp(p->segments[i].gateways[j].id, id) == 0)
				return &p->segments[i];
	return NULL;
}

static void
write_flow(const struct mamori_policy *p, const struct mamori_flow *f, FILE *out)
{
	const struct mamori_segment *gs = gateway_segment(p, f->via);
	const char *src = gs && strcmp(gs->id, f->from) == 0 ? f->to : f->from;

	if (gs)
		fprintf(out, "  \"seg:%s\" -> \"gw:%s\"", src, f->via);
	else
		fprintf(out, "  \"seg:%s\" -> \"seg:%s\"", f->from, f->to);
	fprintf(out, " [label=\"%s → %s\\n%s (%s)", f->from, f->to, f->channel, f->sanitization);
	for (size_t i = 0; i < f->nports; i++)
		fprintf(out, "%s%s", i ? ", " : " TCP ", f->ports[i]);
	fputs("\\n", out);
	dot_str(out, f->clause);
	fprintf(out, "\"%s];\n", gs && src != f->from ? ", dir=back, arrowtail=normal, style=dashed" : "");
}

void
net_write_dot(const struct mamori_policy *p, const struct net_model *m, FILE *out)
{
	(void)m;
	fputs("digraph mamori {\n  graph [rankdir=LR, fontname=\"Noto Sans CJK JP\", label=\"", out);
	dot_str(out, p->title);
	fputs(" — 三層分離 (mamori net render)\"];\n"
	    "  node [fontname=\"Noto Sans CJK JP\", fontsize=10];\n"
	    "  edge [fontname=\"Noto Sans CJK JP\", fontsize=9];\n", out);
	for (size_t i = 0; i < p->nsegments; i++)
		if (p->segments[i].nnetworks > 0)
			write_segment(&p->segments[i], out);
	for (size_t i = 0; i < p->nflows; i++) {
		const struct mamori_segment *a = mamori_policy_segment(p, p->flows[i].from);
		const struct mamori_segment *b = mamori_policy_segment(p, p->flows[i].to);
		if (a && b && a->nnetworks > 0 && b->nnetworks > 0)
			write_flow(p, &p->flows[i], out);
	}
	fputs("}\n", out);
}
