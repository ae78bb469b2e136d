/*
 * check_nat64.c - NAT64 prefixes (lib/nat64.c): the RFC 6052 section 2.4
 * examples both ways at every prefix length, RFC 7050 discovery at every
 * length, the prefix syntax, and the addresses never synthesized (T15).
 */
#include "config.h"

#include <sys/socket.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "nat64.h"

static struct hecat__ip
ip(const char *s)
{
	struct hecat__ip a;

	ck_assert_msg(hecat__ip_parse(&a, s) == 0, "bad literal %s", s);
	return a;
}

static struct hecat__prefix64
prefix(const char *s)
{
	struct hecat__prefix64 p;
	const char *why = NULL;

	ck_assert_msg(hecat__nat64_prefix_parse(&p, s, &why) == 0,
	    "prefix %s: %s", s, why);
	return p;
}

/* RFC 6052 section 2.4, the table of examples: 192.0.2.33 everywhere. */
static const struct {
	const char	*prefix;
	const char	*v6;
} rfc6052[] = {
	{ "2001:db8::/32",		"2001:db8:c000:221::" },
	{ "2001:db8:100::/40",		"2001:db8:1c0:2:21::" },
	{ "2001:db8:122::/48",		"2001:db8:122:c000:2:2100::" },
	{ "2001:db8:122:300::/56",	"2001:db8:122:3c0:0:221::" },
	{ "2001:db8:122:344::/64",	"2001:db8:122:344:c0:2:2100:0" },
	{ "2001:db8:122:344::/96",	"2001:db8:122:344::c000:221" },
	{ "64:ff9b::/96",		"64:ff9b::c000:221" },
};

START_TEST(R_7_1_rfc6052_synthesize)
{
	struct hecat__prefix64 p = prefix(rfc6052[_i].prefix);
	struct hecat__ip v4 = ip("192.0.2.33"), v6, want = ip(rfc6052[_i].v6);
	char a[HECAT__IP_FMTLEN], b[HECAT__IP_FMTLEN];

	hecat__nat64_synthesize(&p, &v4, &v6);
	ck_assert_msg(hecat__ip_equal(&v6, &want), "%s: %s, not %s",
	    rfc6052[_i].prefix, hecat__ip_fmt(&v6, a, sizeof(a)),
	    hecat__ip_fmt(&want, b, sizeof(b)));
}
END_TEST

START_TEST(V14_rfc6052_extract)
{
	struct hecat__prefix64 p = prefix(rfc6052[_i].prefix);
	struct hecat__ip v6 = ip(rfc6052[_i].v6), v4, want = ip("192.0.2.33");

	ck_assert(hecat__nat64_extract(&p, &v6, &v4));
	ck_assert(hecat__ip_equal(&v4, &want));
}
END_TEST

/* Outside the prefix, a set u octet, a set suffix: not synthesized. */
START_TEST(V14_extract_rejects)
{
	struct hecat__prefix64 wkp, p48 = prefix("2001:db8:122::/48");
	struct hecat__ip v4;
	struct hecat__ip v6;

	hecat__nat64_wkp(&wkp);
	v6 = ip("64:ff9a::c000:221");
	ck_assert(!hecat__nat64_extract(&wkp, &v6, &v4));
	v6 = ip("2001:db8::c000:221");
	ck_assert(!hecat__nat64_extract(&wkp, &v6, &v4));
	/* The u octet (bits 64-71) is set. */
	v6 = ip("2001:db8:122:c000:2ff:2100::");
	ck_assert(!hecat__nat64_extract(&p48, &v6, &v4));
	/* Bits past the IPv4 address are set. */
	v6 = ip("2001:db8:122:c000:2:2100:0:1");
	ck_assert(!hecat__nat64_extract(&p48, &v6, &v4));
	v4 = ip("192.0.2.1");
	ck_assert(!hecat__nat64_extract(&wkp, &v4, &v6));
}
END_TEST

/* RFC 7050: the prefix at each length from an answer with 192.0.0.170. */
START_TEST(R_7_1_rfc7050_discover)
{
	struct hecat__prefix64 p = prefix(rfc6052[_i].prefix), found;
	struct hecat__ip wka = ip(_i % 2 ? "192.0.0.170" : "192.0.0.171");
	struct hecat__ip ans[2];
	char a[HECAT__IP_FMTLEN + 8], b[HECAT__IP_FMTLEN + 8];

	ans[0] = ip("2001:db8:ffff::1");	/* no WKA in it */
	hecat__nat64_synthesize(&p, &wka, &ans[1]);
	memset(&found, 0, sizeof(found));
	ck_assert_uint_eq(hecat__nat64_discover(ans, 2, &found), 1);
	ck_assert_msg(found.len == p.len &&
	    memcmp(found.ip.a, p.ip.a, 16) == 0, "found %s, not %s",
	    hecat__nat64_prefix_fmt(&found, a, sizeof(a)),
	    hecat__nat64_prefix_fmt(&p, b, sizeof(b)));
}
END_TEST

START_TEST(R_7_1_rfc7050_none)
{
	struct hecat__prefix64 found;
	struct hecat__ip ans[2];

	memset(&found, 0, sizeof(found));
	ans[0] = ip("2001:db8::1");
	ans[1] = ip("64:ff9b::c000:2ac");	/* 192.0.2.172 */
	ck_assert_uint_eq(hecat__nat64_discover(ans, 2, &found), 0);
	ck_assert_uint_eq(found.len, 0);
	ck_assert_uint_eq(hecat__nat64_discover(ans, 0, &found), 0);
}
END_TEST

/* Two prefixes in the answer: both counted, the first kept. */
START_TEST(R_7_1_rfc7050_two)
{
	struct hecat__prefix64 found;
	struct hecat__ip ans[3];

	ans[0] = ip("2001:db8:122:344::c000:aa");
	ans[1] = ip("64:ff9b::c000:ab");
	ans[2] = ip("64:ff9b::c000:aa");
	ck_assert_uint_eq(hecat__nat64_discover(ans, 3, &found), 2);
	ck_assert(!hecat__nat64_is_wkp(&found));
	ck_assert_uint_eq(found.len, 96);
}
END_TEST

START_TEST(prefix_syntax)
{
	static const char *const bad[] = {
		"64:ff9b::", "64:ff9b::/", "64:ff9b::/95", "64:ff9b::/128",
		"64:ff9b::/0", "64:ff9b::/96x", "64:ff9b::/-96", "/96",
		"192.0.2.0/96", "64:ff9b::1/96", "2001:db8::ff:0:0:0/32",
		"2001:db8:0:0:ff00::/64", "fe80::%1/64", "nonsense/64",
	};
	struct hecat__prefix64 p;
	const char *why;
	char buf[HECAT__IP_FMTLEN + 8];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		ck_assert_msg(hecat__nat64_prefix_parse(&p, bad[i], &why) ==
		    -1 && why != NULL, "%s accepted", bad[i]);
	}
	p = prefix("64:ff9b::/96");
	ck_assert(hecat__nat64_is_wkp(&p));
	ck_assert_str_eq(hecat__nat64_prefix_fmt(&p, buf, sizeof(buf)),
	    "64:ff9b::/96");
	p = prefix("2001:db8:100::/40");
	ck_assert(!hecat__nat64_is_wkp(&p));
	ck_assert_str_eq(hecat__nat64_prefix_fmt(&p, buf, sizeof(buf)),
	    "2001:db8:100::/40");
}
END_TEST

/* T15: host- and link-scoped never; RFC 1918 not with the WKP. */
START_TEST(T15_synthesizable)
{
	struct hecat__prefix64 wkp, nsp = prefix("2001:db8:64::/96");
	struct hecat__ip a;

	hecat__nat64_wkp(&wkp);
#define YES(p, s)	(a = ip(s), ck_assert_msg( \
	hecat__nat64_synthesizable(&(p), &a), "%s refused", s))
#define NO(p, s)	(a = ip(s), ck_assert_msg( \
	!hecat__nat64_synthesizable(&(p), &a), "%s synthesized", s))
	NO(wkp, "0.0.0.0");
	NO(wkp, "0.1.2.3");
	NO(wkp, "127.0.0.1");
	NO(wkp, "127.255.0.1");
	NO(wkp, "169.254.1.1");
	NO(wkp, "255.255.255.255");
	NO(nsp, "127.0.0.1");
	NO(nsp, "169.254.0.1");
	NO(wkp, "10.0.0.1");
	NO(wkp, "172.16.0.1");
	NO(wkp, "172.31.255.255");
	NO(wkp, "192.168.0.1");
	YES(nsp, "10.0.0.1");
	YES(nsp, "192.168.0.1");
	YES(wkp, "172.32.0.1");
	YES(wkp, "172.15.0.1");
	YES(wkp, "192.0.2.1");
	YES(wkp, "198.51.100.1");
	YES(wkp, "8.8.8.8");
	a = ip("2001:db8::1");
	ck_assert(!hecat__nat64_synthesizable(&wkp, &a));
#undef YES
#undef NO
}
END_TEST

static Suite *
nat64_suite(void)
{
	Suite *s = suite_create("nat64");
	TCase *tc = tcase_create("rfc6052");
	int n = (int)(sizeof(rfc6052) / sizeof(rfc6052[0]));

	tcase_add_loop_test(tc, R_7_1_rfc6052_synthesize, 0, n);
	tcase_add_loop_test(tc, V14_rfc6052_extract, 0, n);
	tcase_add_test(tc, V14_extract_rejects);
	tcase_add_test(tc, prefix_syntax);
	tcase_add_test(tc, T15_synthesizable);
	suite_add_tcase(s, tc);
	tc = tcase_create("rfc7050");
	tcase_add_loop_test(tc, R_7_1_rfc7050_discover, 0, n);
	tcase_add_test(tc, R_7_1_rfc7050_none);
	tcase_add_test(tc, R_7_1_rfc7050_two);
	suite_add_tcase(s, tc);
	return s;
}

const struct check_def check_def = { nat64_suite, NULL };
