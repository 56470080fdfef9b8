/* test_netaddr.c — networks, addresses and ports as policy files write them (src/lib/netaddr.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "netaddr.h"

static void
expect_net(const char *in, bool cidr, int rc, const char *canon)
{
	struct netaddr a;
	char buf[64];

	assert_int_equal(netaddr_parse(in, cidr, &a), rc);
	if (canon == NULL)
		return;
	netaddr_format(&a, cidr, buf, sizeof(buf));
	assert_string_equal(buf, canon);
}

static void
test_parse(void **state)
{
	(void)state;
	expect_net("10.20.0.0/16", true, NETADDR_OK, "10.20.0.0/16");
	expect_net("fd00:20::/48", true, NETADDR_OK, "fd00:20::/48");
	expect_net("FD00:0020:0000::/48", true, NETADDR_OK, "fd00:20::/48");
	expect_net("0.0.0.0/0", true, NETADDR_OK, "0.0.0.0/0");
	expect_net("10.20.0.1/16", true, NETADDR_HOSTBITS, "10.20.0.0/16");
	expect_net("fd00:20::1/48", true, NETADDR_HOSTBITS, "fd00:20::/48");
	expect_net("10.20.0.7/29", true, NETADDR_HOSTBITS, "10.20.0.0/29");
	expect_net("10.20.0.0", true, NETADDR_NOPREFIX, "10.20.0.0/32");
	expect_net("10.20.0.0/33", true, NETADDR_BAD, NULL);
	expect_net("fd00::/129", true, NETADDR_BAD, NULL);
	expect_net("10.20.0.0/016", true, NETADDR_BAD, NULL);
	expect_net("10.20.0.0/", true, NETADDR_BAD, NULL);
	expect_net("/16", true, NETADDR_BAD, NULL);
	expect_net("10.20.0/16", true, NETADDR_BAD, NULL);
	expect_net("lgwan.example", true, NETADDR_BAD, NULL);
	expect_net("", true, NETADDR_BAD, NULL);
	expect_net("10.20.0.25", false, NETADDR_OK, "10.20.0.25");
	expect_net("fd00:20::25", false, NETADDR_OK, "fd00:20::25");
	expect_net("10.20.0.25/32", false, NETADDR_BAD, NULL);
}

static bool
overlap(const char *a, const char *b)
{
	struct netaddr x, y;

	assert_int_equal(netaddr_parse(a, true, &x), NETADDR_OK);
	assert_int_equal(netaddr_parse(b, true, &y), NETADDR_OK);
	return netaddr_overlap(&x, &y);
}

static void
test_overlap_contains(void **state)
{
	struct netaddr n, a;

	(void)state;
	assert_true(overlap("10.0.0.0/8", "10.20.0.0/16"));
	assert_true(overlap("10.20.0.0/16", "10.0.0.0/8"));
	assert_true(overlap("10.20.0.0/16", "10.20.0.0/16"));
	assert_false(overlap("10.20.0.0/16", "10.21.0.0/16"));
	assert_false(overlap("10.20.0.0/15", "10.22.0.0/16"));
	assert_true(overlap("10.20.0.0/15", "10.21.128.0/17"));
	assert_true(overlap("fd00:20::/48", "fd00:20:0:1::/64"));
	assert_false(overlap("fd00:20::/48", "fd00:20:1::/64"));
	assert_false(overlap("10.0.0.0/8", "fd00::/8"));	/* families never overlap */
	assert_true(overlap("0.0.0.0/0", "192.0.2.0/24"));

	assert_int_equal(netaddr_parse("10.20.0.0/16", true, &n), NETADDR_OK);
	assert_int_equal(netaddr_parse("10.20.255.255", false, &a), NETADDR_OK);
	assert_true(netaddr_contains(&n, &a));
	assert_int_equal(netaddr_parse("10.21.0.0", false, &a), NETADDR_OK);
	assert_false(netaddr_contains(&n, &a));
	assert_int_equal(netaddr_parse("fd00:20::25", false, &a), NETADDR_OK);
	assert_false(netaddr_contains(&n, &a));
}

static void
test_ports(void **state)
{
	int lo = 0, hi = 0;

	(void)state;
	assert_true(netaddr_ports("25", &lo, &hi));
	assert_int_equal(lo, 25);
	assert_int_equal(hi, 25);
	assert_true(netaddr_ports("3000-3010", &lo, &hi));
	assert_int_equal(lo, 3000);
	assert_int_equal(hi, 3010);
	assert_true(netaddr_ports("65535", &lo, &hi));
	assert_true(netaddr_ports("1-65535", &lo, &hi));
	assert_false(netaddr_ports("0", &lo, &hi));
	assert_false(netaddr_ports("65536", &lo, &hi));
	assert_false(netaddr_ports("025", &lo, &hi));
	assert_false(netaddr_ports("30-20", &lo, &hi));
	assert_false(netaddr_ports("20-", &lo, &hi));
	assert_false(netaddr_ports("-20", &lo, &hi));
	assert_false(netaddr_ports("smtp", &lo, &hi));
	assert_false(netaddr_ports("", &lo, &hi));
	assert_false(netaddr_ports("999999", &lo, &hi));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_overlap_contains),
		cmocka_unit_test(test_ports),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
