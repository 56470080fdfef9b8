/*
 * policy_net.c — the meaning of a policy's network layer: segments' networks
 * and gateways, and the path each flow takes (docs/network.md).  The loader
 * has read their shape; this checks the addresses, that no two segments share
 * one, that a gateway lies in its segment, and that a flow can be enforced.
 */
#include "mamori/i18n.h"
#include "mamori/vocab.h"
#include "netaddr.h"
#include "policy_internal.h"
#include "suggest.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum { GW_MAX = 256 };

struct ncheck {
	const struct mamori_policy *p;
	struct mamori_diags *diags;
};

static void
check_report(struct ncheck *c, enum mamori_severity sev, const struct mamori_srcpos *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
check_report(struct ncheck *c, enum mamori_severity sev, const struct mamori_srcpos *pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	policy_report(c->diags, sev, pos, &c->p->pos, "", fmt, ap);
	va_end(ap);
}

static const char *
sid(const struct mamori_segment *s)
{
	return s->id ? s->id : "?";
}

/* One network of a segment; false (and reported) when it is not a CIDR. */
static bool
network_ok(struct ncheck *c, const struct mamori_segment *s, const char *text, struct netaddr *out)
{
	char meant[64];
	int rc = netaddr_parse(text, true, out);

	if (rc == NETADDR_OK)
		return true;
	netaddr_format(out, true, meant, sizeof(meant));
	if (rc == NETADDR_HOSTBITS)
		check_report(c, MAMORI_SEV_ERROR, &s->networks_pos,
		    "segment '%s': network '%s' has bits set after its prefix; did you mean '%s'?",
		    sid(s), text, meant);
	else if (rc == NETADDR_NOPREFIX)
		check_report(c, MAMORI_SEV_ERROR, &s->networks_pos,
		    "segment '%s': network '%s' has no prefix length; did you mean '%s'?", sid(s), text, meant);
	else
		check_report(c, MAMORI_SEV_ERROR, &s->networks_pos,
		    "segment '%s': '%s' is not a network; write an IPv4 or IPv6 CIDR such as "
		    "10.20.0.0/16 or fd00:20::/48", sid(s), text);
	return false;
}

/* No address belongs to two segments, nor is written twice in one. */
static void
check_overlaps(struct ncheck *c, size_t i, size_t j, const struct netaddr *a)
{
	const struct mamori_segment *s = &c->p->segments[i];

	for (size_t k = 0; k <= i; k++) {
		const struct mamori_segment *o = &c->p->segments[k];
		for (size_t m = 0; m < (k == i ? j : o->nnetworks); m++) {
			struct netaddr b;
			if (netaddr_parse(o->networks[m], true, &b) != NETADDR_OK || !netaddr_overlap(a, &b))
				continue;
			if (k == i)
				check_report(c, MAMORI_SEV_ERROR, &s->networks_pos,
				    "segment '%s': network '%s' overlaps its network '%s'", sid(s),
				    s->networks[j], o->networks[m]);
			else
				check_report(c, MAMORI_SEV_ERROR, &s->networks_pos,
				    "segment '%s': network '%s' overlaps network '%s' of segment '%s'; "
				    "an address belongs to one segment only", sid(s), s->networks[j],
				    o->networks[m], sid(o));
		}
	}
}

/* Whether the address lies in one of the segment's (well-formed) networks. */
static bool
in_segment(const struct mamori_segment *s, const struct netaddr *a)
{
	for (size_t i = 0; i < s->nnetworks; i++) {
		struct netaddr n;
		if (netaddr_parse(s->networks[i], true, &n) == NETADDR_OK && netaddr_contains(&n, a))
			return true;
	}
	return false;
}

static void
check_ports(struct ncheck *c, const char *const *ports, size_t n, const struct mamori_srcpos *pos,
    const char *where)
{
	for (size_t i = 0; i < n; i++) {
		int lo, hi;
		if (!netaddr_ports(ports[i], &lo, &hi))
			check_report(c, MAMORI_SEV_ERROR, pos,
			    "%s: port '%s' is not a TCP port (1–65535) or a range such as 3000-3010",
			    where, ports[i]);
	}
}

static void
check_gateway(struct ncheck *c, const struct mamori_segment *s, const struct mamori_gateway *g)
{
	char where[200];
	const char *v;

	snprintf(where, sizeof(where), _("gateway '%s' of segment '%s'"), g->id ? g->id : "?", sid(s));
	if (g->channel && mamori_vocab_find(&mamori_channels, g->channel) == NULL) {
		v = mamori_vocab_suggest(&mamori_channels, g->channel);
		check_report(c, MAMORI_SEV_ERROR, &g->channel_pos, "%s: unknown channel id '%s'%s%s%s", where,
		    g->channel, v ? _("; did you mean '") : "", v ? v : "", v ? _("'?") : "");
	}
	check_ports(c, g->ports, g->nports, &g->ports_pos, where);
	for (size_t i = 0; i < g->naddresses; i++) {
		struct netaddr a;
		if (netaddr_parse(g->addresses[i], false, &a) != NETADDR_OK) {
			check_report(c, MAMORI_SEV_ERROR, &g->addresses_pos,
			    "%s: '%s' is not an IPv4 or IPv6 address (a gateway's address has no prefix length)",
			    where, g->addresses[i]);
			continue;
		}
		if (!in_segment(s, &a))
			check_report(c, MAMORI_SEV_ERROR, &g->addresses_pos,
			    "%s: address '%s' is outside the segment's networks (%s%s)", where,
			    g->addresses[i], s->nnetworks ? s->networks[0] : _("it has none"),
			    s->nnetworks > 1 ? " …" : "");
	}
}

static void
check_segment_networks(struct ncheck *c)
{
	const struct mamori_policy *p = c->p;
	const char *ids[GW_MAX];
	const struct mamori_segment *owner[GW_MAX];
	size_t ngw = 0;

	for (size_t i = 0; i < p->nsegments; i++) {
		const struct mamori_segment *s = &p->segments[i];
		for (size_t j = 0; j < s->nnetworks; j++) {
			struct netaddr a;
			if (network_ok(c, s, s->networks[j], &a))
				check_overlaps(c, i, j, &a);
		}
		for (size_t j = 0; j < s->ngateways; j++) {
			const struct mamori_gateway *g = &s->gateways[j];
			for (size_t k = 0; g->id && k < ngw; k++)
				if (strcmp(ids[k], g->id) == 0)
					check_report(c, MAMORI_SEV_ERROR, &g->pos,
					    "gateway '%s' of segment '%s': the id is already a gateway of segment '%s'; "
					    "a gateway id names one gateway in the policy", g->id, sid(s), sid(owner[k]));
			if (g->id && ngw < GW_MAX) {
				ids[ngw] = g->id;
				owner[ngw++] = s;
			}
			check_gateway(c, s, g);
		}
	}
}

/* The gateway with this id and its segment, or NULL. */
static const struct mamori_gateway *
find_gateway(const struct mamori_policy *p, const char *id, const struct mamori_segment **seg)
{
	for (size_t i = 0; id && i < p->nsegments; i++)
		for (size_t j = 0; j < p->segments[i].ngateways; j++)
			if (p->segments[i].gateways[j].id && strcmp(p->segments[i].gateways[j].id, id) == 0) {
				*seg = &p->segments[i];
				return &p->segments[i].gateways[j];
			}
	return NULL;
}

/* A gateway of from or to for the flow's channel, to suggest when a flow has no path. */
static const char *
gateway_for(const struct mamori_segment *from, const struct mamori_segment *to, const char *channel)
{
	const struct mamori_segment *both[2] = { to, from };

	for (size_t i = 0; i < 2; i++)
		for (size_t j = 0; both[i] && channel && j < both[i]->ngateways; j++)
			if (both[i]->gateways[j].channel && strcmp(both[i]->gateways[j].channel, channel) == 0)
				return both[i]->gateways[j].id;
	return NULL;
}

static void
check_via(struct ncheck *c, const struct mamori_flow *f, const char *where)
{
	const struct mamori_policy *p = c->p;
	const struct mamori_segment *gs = NULL;
	const struct mamori_gateway *g = find_gateway(p, f->via, &gs);
	const char *cands[GW_MAX];
	size_t n = 0;
	char h[160] = "";

	if (g == NULL) {
		for (size_t i = 0; i < p->nsegments; i++)
			for (size_t j = 0; j < p->segments[i].ngateways && n < GW_MAX; j++)
				cands[n++] = p->segments[i].gateways[j].id;
		const char *s = mamori_suggest(f->via, cands, n);
		if (s)
			snprintf(h, sizeof(h), _("; did you mean '%s'?"), s);
		check_report(c, MAMORI_SEV_ERROR, &f->via_pos, "%s refers to unknown gateway '%s'%s", where, f->via, h);
		return;
	}
	if (f->from && f->to && strcmp(sid(gs), f->from) != 0 && strcmp(sid(gs), f->to) != 0)
		check_report(c, MAMORI_SEV_ERROR, &f->via_pos,
		    "%s: gateway '%s' is in segment '%s'; a flow passes through a gateway of its own "
		    "two segments", where, f->via, sid(gs));
	if (f->channel && g->channel && strcmp(f->channel, g->channel) != 0)
		check_report(c, MAMORI_SEV_ERROR, &f->via_pos,
		    "%s: gateway '%s' relays %s, not %s", where, f->via, g->channel, f->channel);
	for (size_t i = 0; i < f->nports; i++) {
		int lo, hi, glo, ghi;
		bool found = false;
		if (!netaddr_ports(f->ports[i], &lo, &hi))
			continue;
		for (size_t j = 0; j < g->nports && !found; j++)
			found = netaddr_ports(g->ports[j], &glo, &ghi) && glo <= lo && hi <= ghi;
		if (!found)
			check_report(c, MAMORI_SEV_ERROR, &f->ports_pos,
			    "%s: port '%s' is not one gateway '%s' listens on", where, f->ports[i], f->via);
	}
}

static void
check_flow_paths(struct ncheck *c)
{
	const struct mamori_policy *p = c->p;

	for (size_t i = 0; i < p->nflows; i++) {
		const struct mamori_flow *f = &p->flows[i];
		const struct mamori_segment *from = f->from ? mamori_policy_segment(p, f->from) : NULL;
		const struct mamori_segment *to = f->to ? mamori_policy_segment(p, f->to) : NULL;
		char where[200];
		const char *gw;

		if (from == NULL || to == NULL)
			continue;	/* reported by check_segments */
		snprintf(where, sizeof(where), _("flow %s → %s (%s)"), f->from, f->to,
		    f->channel ? f->channel : "?");
		check_ports(c, f->ports, f->nports, &f->ports_pos, where);
		if (f->via != NULL)
			check_via(c, f, where);
		if (f->via == NULL && f->nports == 0 && (from->nnetworks > 0 || to->nnetworks > 0)) {
			gw = gateway_for(from, to, f->channel);
			if (gw)
				check_report(c, MAMORI_SEV_ERROR, &f->pos,
				    "%s has no path on the network: name the gateway it passes through; "
				    "did you mean 'via: %s'?", where, gw);
			else
				check_report(c, MAMORI_SEV_ERROR, &f->pos,
				    "%s has no path on the network: name the gateway it passes through "
				    "('via:', a gateway of segment '%s' or '%s') or its 'ports:'", where, f->from, f->to);
			continue;
		}
		if ((f->via != NULL || f->nports > 0) && (from->nnetworks == 0 || to->nnetworks == 0))
			check_report(c, MAMORI_SEV_ERROR, &f->pos,
			    "%s has no path on the network: segment '%s' has no networks", where,
			    from->nnetworks == 0 ? f->from : f->to);
	}
}

void
policy_check_network(const struct mamori_policy *p, struct mamori_diags *diags)
{
	struct ncheck c = { .p = p, .diags = diags };

	check_segment_networks(&c);
	check_flow_paths(&c);
}
