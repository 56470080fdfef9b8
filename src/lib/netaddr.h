/* netaddr.h — IPv4/IPv6 networks (CIDRs) and TCP port specs, as policy files write them. (internal) */
#ifndef MAMORI_NETADDR_H
#define MAMORI_NETADDR_H

#include <stdbool.h>
#include <stddef.h>

/* A network or a single address (prefix 32 / 128). */
struct netaddr {
	int family;		/* 4 or 6 */
	unsigned char addr[16];	/* network byte order; IPv4 in the first 4 bytes */
	int prefix;
};

enum {
	NETADDR_OK = 0,
	NETADDR_BAD = -1,	/* not an address or a CIDR at all */
	NETADDR_HOSTBITS = -2,	/* a CIDR with bits set beyond its prefix (out is masked) */
	NETADDR_NOPREFIX = -3,	/* a plain address where a CIDR was asked for (out is the /32 or /128) */
};

/*
 * Parses "10.20.0.0/16", "fd00:20::/48" (cidr true) or a plain address "10.20.0.25"
 * (cidr false; a prefix is then refused as NETADDR_BAD).  Returns NETADDR_OK or
 * one of the codes above; for HOSTBITS and NOPREFIX out holds what was probably
 * meant, for the "did you mean" of a message.
 */
int netaddr_parse(const char *s, bool cidr, struct netaddr *out);

/* Whether net (a network) holds addr (an address or a smaller network of its family). */
bool netaddr_contains(const struct netaddr *net, const struct netaddr *addr);

/* Whether two networks share an address. */
bool netaddr_overlap(const struct netaddr *a, const struct netaddr *b);

/* Writes the canonical text ("10.20.0.0/16", "fd00:20::/48"; a full-length
 * prefix is written only when with_prefix) into buf of n bytes (64 is enough). */
void netaddr_format(const struct netaddr *a, bool with_prefix, char *buf, size_t n);

/* Parses a port spec "25" or "3000-3010" (1–65535, lo ≤ hi).  Returns true when well formed. */
bool netaddr_ports(const char *s, int *lo, int *hi);

#endif
