/*
 * mamori/net.h — the policy's 三層分離 on the network: the firewall ruleset
 * (nftables) and the picture (Graphviz) that the segments' networks and
 * gateways and the flows' paths say, and the check of a loaded ruleset against
 * them (docs/network.md).
 */
#ifndef MAMORI_NET_H
#define MAMORI_NET_H

#include <stddef.h>
#include <stdio.h>

#include "mamori/error.h"
#include "mamori/policy.h"

enum mamori_net_format {
	MAMORI_NET_NFT,		/* an nftables ruleset for `nft -f` */
	MAMORI_NET_DOT,		/* a Graphviz digraph of segments, gateways and flows */
};

/*
 * Writes the policy's network as fmt to out.  The nft ruleset is one table,
 * `inet mamori`: a named set of networks per segment and family, and a forward
 * chain that accepts each allowed flow (one rule per flow and family, with a
 * counter and a comment citing its clause), drops with a counter and a log
 * prefix every other connection between two segments, and drops everything to
 * or from an `isolated` segment.  Returns 0; MAMORI_E_INVALID (err says why)
 * when no segment has networks; MAMORI_E_IO when out fails; MAMORI_E_NOMEM.
 */
int mamori_net_render(const struct mamori_policy *p, enum mamori_net_format fmt, FILE *out,
    struct mamori_error *err);

/* One difference between a loaded ruleset and the policy. */
struct mamori_net_drift {
	char what[512];		/* e.g. "missing: flow internet>lgwan mail via mail-gw (ip)" */
	char clause[128];	/* the clause the policy states it in; "" when none */
};

/*
 * Compares a ruleset as `nft -j list ruleset` prints it (json, len bytes) with
 * what mamori_net_render would load, and stores each drift in a malloc'd array
 * (*drifts, *ndrifts; the caller frees it; NULL and 0 when none): a segment's
 * set whose elements differ, a rule of the policy that is missing or changed,
 * a rule the policy does not have, a chain or a table that is missing or has
 * another hook or policy.  Rules are compared by what they match and do, not
 * by their handles, counters or order among the accepts.  Returns 0 (drifts or
 * none), MAMORI_E_INVALID when json is not such a ruleset, MAMORI_E_NOMEM.
 */
int mamori_net_check(const struct mamori_policy *p, const char *json, size_t len,
    struct mamori_net_drift **drifts, size_t *ndrifts, struct mamori_error *err);

#endif
