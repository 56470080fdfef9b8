/* net_internal.h — the ruleset model that net.c renders and net_check.c compares. (internal) */
#ifndef MAMORI_NET_INTERNAL_H
#define MAMORI_NET_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "mamori/policy.h"

enum {
	NET_TEXT_MAX = 120,	/* bytes of a comment or a log prefix (nft keeps 127) */
	NET_LIST_MAX = 1024,
};

/* A segment's networks of one family: set seg_<id>_v4 / _v6. */
struct net_set {
	char name[80];
	int family;			/* 4 or 6 */
	char elements[NET_LIST_MAX];	/* "10.20.0.0/16, 10.21.0.0/16", canonical and sorted */
	const struct mamori_segment *segment;
};

/*
 * A rule of the forward chain, each part in the canonical text that both the
 * renderer writes and the checker rebuilds from nft's JSON: saddr/daddr are
 * "@set" or "{ a, b }" (sorted), dport "{ 25, 587 }" (sorted) or "".
 */
struct net_rule {
	int family;
	char saddr[NET_LIST_MAX], daddr[NET_LIST_MAX], dport[256];
	bool accept;
	char comment[NET_TEXT_MAX + 8];
	char log[NET_TEXT_MAX + 8];	/* drops: the log prefix */
	const char *clause;
};

struct net_model {
	struct net_set *sets;
	size_t nsets;
	struct net_rule *rules;
	size_t nrules;
};

/* Builds the model of p's network.  Returns 0, MAMORI_E_INVALID (no segment
 * has networks) or MAMORI_E_NOMEM; free with net_model_free. */
int net_model_build(const struct mamori_policy *p, struct net_model *m);
void net_model_free(struct net_model *m);

/* The rule's match as one line, for messages and comparison: "ip saddr @x ip daddr { … } tcp dport { … } accept". */
void net_rule_key(const struct net_rule *r, char *buf, size_t n);

/* Writes the Graphviz picture of the policy's segments, gateways and flows (net_dot.c). */
void net_write_dot(const struct mamori_policy *p, const struct net_model *m, FILE *out);

#endif
