/*
 * net.c — the policy's network as an nftables ruleset (docs/network.md).
 * The model (net_internal.h) is built once from the policy; the renderer
 * writes it, net_check.c compares a loaded ruleset with it.
 */
#include "mamori/net.h"
#include "mamori/i18n.h"
#include "net_internal.h"
#include "netaddr.h"

#include <stdlib.h>
#include <string.h>

/* ---- text helpers --------------------------------------------------- */

/* Copies s into dst (n bytes) for an nft string: no quotes, backslashes or
 * control characters, at most NET_TEXT_MAX bytes, cut at a UTF-8 boundary. */
static void
nft_text(char *dst, size_t n, const char *s)
{
	size_t o = 0, max = n - 1 < NET_TEXT_MAX ? n - 1 : NET_TEXT_MAX;

	for (; *s && o < max; s++) {
		unsigned char c = (unsigned char)*s;
		dst[o++] = (c < 0x20 || c == '"' || c == '\\' || c == 0x7f) ? ' ' : (char)c;
	}
	/* a cut inside a multi-byte character: drop its leading bytes */
	if (*s && ((unsigned char)*s & 0xc0) == 0x80)
		while (o > 0 && ((unsigned char)dst[o - 1] & 0xc0) == 0x80)
			o--;
	if (*s && o > 0 && ((unsigned char)dst[o - 1] & 0xc0) == 0xc0)
		o--;
	dst[o] = '\0';
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Joins the n strings sorted, ", " between, into buf; "{ … }" around when braces. */
static void
join_sorted(const char **v, size_t n, bool braces, char *buf, size_t size)
{
	size_t o = 0;

	qsort(v, n, sizeof(*v), cmp_str);
	buf[0] = '\0';
	if (braces)
		o += (size_t)snprintf(buf, size, "{ ");
	for (size_t i = 0; i < n && o < size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? ", " : "", v[i]);
	if (braces && o < size)
		snprintf(buf + o, size - o, " }");
}

static int
cmp_port(const void *a, const void *b)
{
	int la, ha, lb, hb;

	netaddr_ports(*(const char *const *)a, &la, &ha);
	netaddr_ports(*(const char *const *)b, &lb, &hb);
	return la != lb ? (la < lb ? -1 : 1) : (ha < hb ? -1 : ha > hb);
}

/* "{ 25, 587 }" from port specs (numeric order), or "" when there are none. */
static void
port_list(const char *const *ports, size_t n, char *buf, size_t size)
{
	const char *v[64];
	size_t k = 0, o = 0;

	for (size_t i = 0; i < n && k < 64; i++) {
		int lo, hi;
		if (netaddr_ports(ports[i], &lo, &hi))
			v[k++] = ports[i];
	}
	buf[0] = '\0';
	if (k == 0)
		return;
	qsort(v, k, sizeof(*v), cmp_port);
	o += (size_t)snprintf(buf, size, "{ ");
	for (size_t i = 0; i < k && o < size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? ", " : "", v[i]);
	if (o < size)
		snprintf(buf + o, size - o, " }");
}

/* ---- the model ------------------------------------------------------ */

static const char *
set_name(const struct net_model *m, const struct mamori_segment *s, int family)
{
	for (size_t i = 0; i < m->nsets; i++)
		if (m->sets[i].segment == s && m->sets[i].family == family)
			return m->sets[i].name;
	return NULL;
}

static void
add_sets(struct net_model *m, const struct mamori_segment *s)
{
	for (int family = 4; family <= 6; family += 2) {
		char text[NET_LIST_MAX / 16][64];
		const char *v[NET_LIST_MAX / 16];
		size_t k = 0;
		struct net_set *set = &m->sets[m->nsets];

		for (size_t i = 0; i < s->nnetworks && k < NET_LIST_MAX / 16; i++) {
			struct netaddr a;
			if (netaddr_parse(s->networks[i], true, &a) != NETADDR_OK || a.family != family)
				continue;
			netaddr_format(&a, true, text[k], sizeof(text[k]));
			v[k] = text[k];
			k++;
		}
		if (k == 0)
			continue;
		snprintf(set->name, sizeof(set->name), "seg_%s_v%d", s->id, family);
		for (char *c = set->name; *c; c++)
			if (*c == '-')
				*c = '_';
		set->family = family;
		set->segment = s;
		join_sorted(v, k, false, set->elements, sizeof(set->elements));
		m->nsets++;
	}
}

/* The gateway's addresses of one family as "{ a, b }", or "" when it has none. */
static void
gateway_addresses(const struct mamori_gateway *g, int family, char *buf, size_t size)
{
	char text[32][64];
	const char *v[32];
	size_t k = 0;

	for (size_t i = 0; i < g->naddresses && k < 32; i++) {
		struct netaddr a;
		if (netaddr_parse(g->addresses[i], false, &a) != NETADDR_OK || a.family != family)
			continue;
		netaddr_format(&a, false, text[k], sizeof(text[k]));
		v[k] = text[k];
		k++;
	}
	buf[0] = '\0';
	if (k > 0)
		join_sorted(v, k, true, buf, size);
}

static const struct mamori_gateway *
find_gateway(const struct mamori_policy *p, const char *id, const struct mamori_segment **seg)
{
	for (size_t i = 0; id && i < p->nsegments; i++)
		for (size_t j = 0; j < p->segments[i].ngateways; j++)
			if (strcmp(p->segments[i].gateways[j].id, id) == 0) {
				*seg = &p->segments[i];
				return &p->segments[i].gateways[j];
			}
	return NULL;
}

/* The accept rules of one flow, one per family both its ends have. */
static void
add_flow(struct net_model *m, const struct mamori_policy *p, const struct mamori_flow *f)
{
	const struct mamori_segment *from = mamori_policy_segment(p, f->from);
	const struct mamori_segment *to = mamori_policy_segment(p, f->to);
	const struct mamori_segment *gs = NULL, *src = from;
	const struct mamori_gateway *g = find_gateway(p, f->via, &gs);
	char label[256];

	if (from == NULL || to == NULL || (f->via && g == NULL))
		return;
	if (g && gs == from)
		src = to;	/* connections go to the gateway from the other segment */
	if (g)
		snprintf(label, sizeof(label), "flow %s>%s %s via %s: %s", f->from, f->to, f->channel, f->via,
		    f->clause ? f->clause : "");
	else
		snprintf(label, sizeof(label), "flow %s>%s %s: %s", f->from, f->to, f->channel,
		    f->clause ? f->clause : "");
	for (int family = 4; family <= 6; family += 2) {
		struct net_rule *r = &m->rules[m->nrules];
		const char *sset = set_name(m, src, family);
		const char *dset = set_name(m, g ? gs : to, family);

		if (sset == NULL || dset == NULL)
			continue;
		memset(r, 0, sizeof(*r));
		r->family = family;
		snprintf(r->saddr, sizeof(r->saddr), "@%s", sset);
		if (g)
			gateway_addresses(g, family, r->daddr, sizeof(r->daddr));
		else
			snprintf(r->daddr, sizeof(r->daddr), "@%s", dset);
		if (r->daddr[0] == '\0')
			continue;
		if (g && f->nports == 0)
			port_list(g->ports, g->nports, r->dport, sizeof(r->dport));
		else
			port_list(f->ports, f->nports, r->dport, sizeof(r->dport));
		r->accept = true;
		r->clause = f->clause;
		nft_text(r->comment, sizeof(r->comment), label);
		m->nrules++;
	}
}

/* The clause a drop between a and b rests on: an isolated end's, else a
 * separated path's (通信経路の分割), else the destination segment's own. */
static const char *
drop_clause(const struct mamori_segment *a, const struct mamori_segment *b)
{
	const char *const reqs[] = { "isolated", "path-separation" };

	for (size_t k = 0; k < 2; k++) {
		const struct mamori_segment *both[2] = { b, a };
		for (size_t i = 0; i < 2; i++)
			for (size_t j = 0; j < both[i]->nrequirements; j++)
				if (strcmp(both[i]->requirements[j].id, reqs[k]) == 0)
					return both[i]->requirements[j].clause;
	}
	return b->clause;
}

static void
add_drop(struct net_model *m, int family, const char *saddr, const char *daddr, const char *what,
    const char *clause)
{
	struct net_rule *r = &m->rules[m->nrules++];
	char text[256];

	memset(r, 0, sizeof(*r));
	r->family = family;
	snprintf(r->saddr, sizeof(r->saddr), "%s", saddr);
	snprintf(r->daddr, sizeof(r->daddr), "%s", daddr);
	r->clause = clause;
	snprintf(text, sizeof(text), "deny %s: %s", what, clause ? clause : "");
	nft_text(r->comment, sizeof(r->comment), text);
	snprintf(text, sizeof(text), "mamori deny %s %s: ", what, clause ? clause : "");
	nft_text(r->log, sizeof(r->log), text);
}

static void
add_drops(struct net_model *m, const struct mamori_policy *p)
{
	for (size_t i = 0; i < p->nsegments; i++)
		for (size_t j = 0; j < p->nsegments; j++) {
			const struct mamori_segment *a = &p->segments[i], *b = &p->segments[j];
			char what[160], sa[96], da[96];
			for (int family = 4; i != j && family <= 6; family += 2) {
				const char *x = set_name(m, a, family), *y = set_name(m, b, family);
				if (x == NULL || y == NULL)
					continue;
				snprintf(what, sizeof(what), "%s>%s", a->id, b->id);
				snprintf(sa, sizeof(sa), "@%s", x);
				snprintf(da, sizeof(da), "@%s", y);
				add_drop(m, family, sa, da, what, drop_clause(a, b));
			}
		}
	/* an isolated segment talks to nothing, inside the organisation or out */
	for (size_t i = 0; i < p->nsegments; i++) {
		const struct mamori_segment *s = &p->segments[i];
		char what[160], x[96];
		const char *clause = NULL;
		for (size_t j = 0; j < s->nrequirements; j++)
			if (strcmp(s->requirements[j].id, "isolated") == 0)
				clause = s->requirements[j].clause;
		for (int family = 4; clause && family <= 6; family += 2) {
			const char *n = set_name(m, s, family);
			if (n == NULL)
				continue;
			snprintf(x, sizeof(x), "@%s", n);
			snprintf(what, sizeof(what), "%s>any", s->id);
			add_drop(m, family, x, "", what, clause);
			snprintf(what, sizeof(what), "any>%s", s->id);
			add_drop(m, family, "", x, what, clause);
		}
	}
}

int
net_model_build(const struct mamori_policy *p, struct net_model *m)
{
	size_t ns = p->nsegments;

	memset(m, 0, sizeof(*m));
	m->sets = calloc(2 * ns + 1, sizeof(*m->sets));
	m->rules = calloc(2 * p->nflows + 2 * ns * ns + 4 * ns + 1, sizeof(*m->rules));
	if (m->sets == NULL || m->rules == NULL) {
		net_model_free(m);
		return MAMORI_E_NOMEM;
	}
	for (size_t i = 0; i < ns; i++)
		add_sets(m, &p->segments[i]);
	if (m->nsets == 0) {
		net_model_free(m);
		return MAMORI_E_INVALID;
	}
	for (size_t i = 0; i < p->nflows; i++)
		add_flow(m, p, &p->flows[i]);
	add_drops(m, p);
	return 0;
}

void
net_model_free(struct net_model *m)
{
	free(m->sets);
	free(m->rules);
	memset(m, 0, sizeof(*m));
}

void
net_rule_key(const struct net_rule *r, char *buf, size_t n)
{
	const char *ip = r->family == 4 ? "ip" : "ip6";
	size_t o = 0;

	buf[0] = '\0';
	if (r->saddr[0])
		o += (size_t)snprintf(buf + o, n - o, "%s saddr %s ", ip, r->saddr);
	if (r->daddr[0] && o < n)
		o += (size_t)snprintf(buf + o, n - o, "%s daddr %s ", ip, r->daddr);
	if (r->dport[0] && o < n)
		o += (size_t)snprintf(buf + o, n - o, "tcp dport %s ", r->dport);
	if (o < n)
		snprintf(buf + o, n - o, "%s", r->accept ? "accept" : "drop");
}

/* ---- nft ------------------------------------------------------------- */

static void
write_nft(const struct mamori_policy *p, const struct net_model *m, FILE *out)
{
	char hex[65], key[3 * NET_LIST_MAX];

	for (size_t i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", p->sha256[i]);
	fprintf(out, "#!/usr/sbin/nft -f\n"
	    "# 三層分離 of policy %s, rendered by `mamori net render` from the policy whose\n"
	    "# files hash to sha256 %s.  Do not edit: change the policy and render again;\n"
	    "# `mamori net check` reports what differs from it.\n\n"
	    "# make the load replace an earlier table atomically\n"
	    "table inet mamori\ndelete table inet mamori\n\n"
	    "table inet mamori {\n", p->id ? p->id : "?", hex);
	for (size_t i = 0; i < m->nsets; i++) {
		char c[NET_TEXT_MAX + 8], text[256];
		const struct net_set *s = &m->sets[i];
		snprintf(text, sizeof(text), "%s: %s", s->segment->title ? s->segment->title : "",
		    s->segment->clause ? s->segment->clause : "");
		nft_text(c, sizeof(c), text);
		fprintf(out, "\tset %s {\n\t\ttype %s\n\t\tflags interval\n\t\tcomment \"%s\"\n"
		    "\t\telements = { %s }\n\t}\n\n", s->name, s->family == 4 ? "ipv4_addr" : "ipv6_addr",
		    c, s->elements);
	}
	fprintf(out, "\tchain forward {\n"
	    "\t\ttype filter hook forward priority filter; policy accept;\n"
	    "\t\tct state established,related accept\n"
	    "\t\tct state invalid drop\n");
	for (size_t i = 0; i < m->nrules; i++) {
		const struct net_rule *r = &m->rules[i];
		net_rule_key(r, key, sizeof(key));
		/* the verdict last, after the counter and the log */
		key[strlen(key) - (r->accept ? strlen("accept") : strlen("drop"))] = '\0';
		if (r->accept)
			fprintf(out, "\t\t%scounter accept comment \"%s\"\n", key, r->comment);
		else
			fprintf(out, "\t\t%scounter log prefix \"%s\" drop comment \"%s\"\n", key, r->log, r->comment);
	}
	fprintf(out, "\t}\n}\n");
}

int
mamori_net_render(const struct mamori_policy *p, enum mamori_net_format fmt, FILE *out,
    struct mamori_error *err)
{
	struct net_model m;
	int rc = net_model_build(p, &m);

	if (rc == MAMORI_E_INVALID)
		return mamori_error_set(err, rc, "policy '%s' gives no segment 'networks:'; there is no network to render",
		    p->id ? p->id : "?");
	if (rc != 0)
		return mamori_error_set(err, rc, "out of memory");
	if (fmt == MAMORI_NET_DOT)
		net_write_dot(p, &m, out);
	else
		write_nft(p, &m, out);
	net_model_free(&m);
	if (fflush(out) != 0 || ferror(out))
		return mamori_error_set(err, MAMORI_E_IO, "cannot write the ruleset");
	return 0;
}
