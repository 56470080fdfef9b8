/* netaddr.c — parsing and comparing networks and ports (inet_pton does the addresses). */
#include "netaddr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static void
mask(struct netaddr *a)
{
	int bytes = a->family == 4 ? 4 : 16;

	for (int i = 0; i < bytes; i++) {
		int keep = a->prefix - i * 8;
		if (keep >= 8)
			continue;
		a->addr[i] &= keep <= 0 ? 0 : (unsigned char)(0xff << (8 - keep));
	}
}

/* A prefix length: 1 to 3 digits, at most max. */
static int
prefix_len(const char *s, int max)
{
	int v = 0;
	size_t n = strlen(s);

	if (n == 0 || n > 3 || strspn(s, "0123456789") != n || (n > 1 && s[0] == '0'))
		return -1;
	for (; *s; s++)
		v = v * 10 + (*s - '0');
	return v <= max ? v : -1;
}

int
netaddr_parse(const char *s, bool cidr, struct netaddr *out)
{
	char host[64];
	const char *slash = strchr(s, '/');
	size_t hl = slash ? (size_t)(slash - s) : strlen(s);
	struct netaddr copy;

	memset(out, 0, sizeof(*out));
	if (hl == 0 || hl >= sizeof(host))
		return NETADDR_BAD;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (inet_pton(AF_INET, host, out->addr) == 1)
		out->family = 4;
	else if (inet_pton(AF_INET6, host, out->addr) == 1)
		out->family = 6;
	else
		return NETADDR_BAD;
	out->prefix = out->family == 4 ? 32 : 128;
	if (slash == NULL)
		return cidr ? NETADDR_NOPREFIX : NETADDR_OK;
	if (!cidr)
		return NETADDR_BAD;
	out->prefix = prefix_len(slash + 1, out->prefix);
	if (out->prefix < 0)
		return NETADDR_BAD;
	copy = *out;
	mask(out);
	return memcmp(copy.addr, out->addr, sizeof(out->addr)) == 0 ? NETADDR_OK : NETADDR_HOSTBITS;
}

bool
netaddr_contains(const struct netaddr *net, const struct netaddr *addr)
{
	struct netaddr m = *addr;

	if (net->family != addr->family || addr->prefix < net->prefix)
		return false;
	m.prefix = net->prefix;
	mask(&m);
	return memcmp(m.addr, net->addr, sizeof(m.addr)) == 0;
}

bool
netaddr_overlap(const struct netaddr *a, const struct netaddr *b)
{
	return netaddr_contains(a, b) || netaddr_contains(b, a);
}

void
netaddr_format(const struct netaddr *a, bool with_prefix, char *buf, size_t n)
{
	char host[INET6_ADDRSTRLEN];
	int full = a->family == 4 ? 32 : 128;

	if (inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->addr, host, sizeof(host)) == NULL)
		host[0] = '\0';
	if (with_prefix || a->prefix != full)
		snprintf(buf, n, "%s/%d", host, a->prefix);
	else
		snprintf(buf, n, "%s", host);
}

static bool
port_number(const char *s, size_t n, int *out)
{
	int v = 0;

	if (n == 0 || n > 5 || s[0] == '0')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return v >= 1 && v <= 65535;
}

bool
netaddr_ports(const char *s, int *lo, int *hi)
{
	const char *dash = strchr(s, '-');

	if (dash == NULL)
		return port_number(s, strlen(s), lo) && (*hi = *lo, true);
	return port_number(s, (size_t)(dash - s), lo) &&
	    port_number(dash + 1, strlen(dash + 1), hi) && *lo <= *hi;
}
