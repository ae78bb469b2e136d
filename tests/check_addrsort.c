/*
 * check_addrsort.c - RFC 6724 destination ordering and RFC 8305
 * interleaving: the worked examples of the checklist (section 3.5), each
 * rule in isolation, the policy table, scopes and the interleave.
 */
#include "config.h"

#include <sys/socket.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addrsort.h"
#include "check_main.h"

static struct hecat__ip
ip(const char *s)
{
	struct hecat__ip a;

	ck_assert_msg(hecat__ip_parse(&a, s) == 0, "bad literal %s", s);
	return a;
}

/* A destination; src NULL = no usable source, "" = the address itself. */
static struct hecat__sortent
ent(const char *dst, const char *src, uint32_t seq)
{
	struct hecat__sortent e;

	memset(&e, 0, sizeof(e));
	e.dst = ip(dst);
	if (src != NULL)
		e.src = *src == '\0' ? e.dst : ip(src);
	e.seq = seq;
	return e;
}

/* a goes before b, decided by rule; and the comparison is antisymmetric. */
static void
assert_first(struct hecat__sortent a, struct hecat__sortent b, int rule)
{
	char x[HECAT__IP_FMTLEN], y[HECAT__IP_FMTLEN];
	int r1, r2, c1, c2;

	hecat__ip_fmt(&a.dst, x, sizeof(x));
	hecat__ip_fmt(&b.dst, y, sizeof(y));
	c1 = hecat__addrsort_cmp(&a, &b, NULL, &r1);
	c2 = hecat__addrsort_cmp(&b, &a, NULL, &r2);
	ck_assert_msg(c1 < 0 && r1 == rule,
	    "%s before %s by rule %d; got cmp %d by rule %d", x, y, rule, c1,
	    r1);
	ck_assert_msg(c2 > 0 && r2 == rule,
	    "reversed: %s after %s by rule %d; got cmp %d by rule %d", y, x,
	    rule, c2, r2);
}

/* ---- checklist section 3.5: worked examples ------------------------------ */

START_TEST(example_loopback)
{
	/* ::1 (50) before 127.0.0.1 (35) ... */
	assert_first(ent("::1", "", 1), ent("127.0.0.1", "", 0), 6);
	/* ... unless the host has no IPv6: Rule 1. */
	assert_first(ent("127.0.0.1", "", 1), ent("::1", NULL, 0), 1);
}
END_TEST

START_TEST(example_no_ipv6_route)
{
	struct hecat__sortent e[4] = {
		ent("2001:db8::1", NULL, 0), ent("2001:db8::2", NULL, 1),
		ent("192.0.2.1", "192.0.2.99", 2),
		ent("192.0.2.2", "192.0.2.99", 3),
	};
	size_t idx[4] = { 0, 1, 2, 3 }, out[4];

	assert_first(e[2], e[0], 1);
	hecat__addrsort(e, idx, 4, NULL);
	hecat__interleave(e, idx, 4, 0, 1, out);
	/* The interleave starts with IPv4, the family that sorted first. */
	ck_assert_uint_eq(out[0], 2);
	ck_assert_uint_eq(out[1], 0);
	ck_assert_uint_eq(out[2], 3);
	ck_assert_uint_eq(out[3], 1);
}
END_TEST

START_TEST(example_ula_vs_private_ipv4)
{
	assert_first(ent("10.0.0.1", "10.0.0.99", 1),
	    ent("fd00::1", "fd00::99", 0), 6);
}
END_TEST

START_TEST(example_nat64_vs_native)
{
	/* Why HEv3 de-synthesizes: 64:ff9b::/96 falls in ::/0 (40). */
	assert_first(ent("64:ff9b::c000:201", "2001:db8::99", 1),
	    ent("192.0.2.1", "192.0.2.99", 0), 6);
}
END_TEST

/* ---- each rule in isolation ---------------------------------------------- */

START_TEST(rule1_unusable)
{
	assert_first(ent("2001:db8::2", "", 1), ent("2001:db8::1", NULL, 0),
	    1);
}
END_TEST

START_TEST(rule2_scope_match)
{
	/* A global destination reached from a link-local source loses. */
	assert_first(ent("2001:db8::2", "2001:db8::99", 1),
	    ent("2001:db8::1", "fe80::99", 0), 2);
}
END_TEST

START_TEST(rule5_label_match)
{
	/* 6to4 to a 6to4 source beats a native address from that source. */
	assert_first(ent("2002:c000:202::1", "2002:c000:201::99", 1),
	    ent("2001:db8::1", "2002:c000:201::99", 0), 5);
}
END_TEST

START_TEST(rule6_precedence)
{
	assert_first(ent("2001:db8::1", "", 1), ent("2002:c000:201::1", "", 0),
	    6);
	assert_first(ent("192.0.2.1", "", 1), ent("2001::1", "", 0), 6);
}
END_TEST

START_TEST(rule8_smaller_scope)
{
	assert_first(ent("fe80::1", "fe80::99", 1),
	    ent("2001:db8::1", "2001:db8::99", 0), 8);
	assert_first(ent("169.254.1.1", "169.254.1.99", 1),
	    ent("192.0.2.1", "192.0.2.99", 0), 8);
}
END_TEST

START_TEST(rule9_longest_prefix)
{
	assert_first(ent("2001:db8:1::1", "2001:db8:1::99", 1),
	    ent("2001:db8:2::1", "2001:db8:1::99", 0), 9);
}
END_TEST

/* Only the first 64 bits count: the interface identifier never does. */
START_TEST(rule9_capped_at_64)
{
	assert_first(ent("2001:db8::1", "2001:db8::1", 0),
	    ent("2001:db8::ffff", "2001:db8::1", 1), 10);
	ck_assert_uint_eq(hecat__common_prefix(&(struct hecat__ip){ 0 },
	    &(struct hecat__ip){ 0 }), 0);
}
END_TEST

/* Rule 9 is not applied to IPv4 (Go's choice): DNS order stands. */
START_TEST(rule9_not_for_ipv4)
{
	assert_first(ent("198.51.100.1", "192.0.2.99", 0),
	    ent("192.0.2.1", "192.0.2.99", 1), 10);
}
END_TEST

/*
 * RFC 8305's rules between 8 and 9: the lower RTT band, then an
 * address used before, each beating the longer prefix of rule 9.
 */
START_TEST(R_4_3_rtt_before_rule9)
{
	struct hecat__sortent a = ent("2001:db8:2::1", "2001:db8:1::99", 1),
	    b = ent("2001:db8:1::1", "2001:db8:1::99", 0);

	a.rtt = 3000000;			/* 3 ms: band 0 */
	b.rtt = 30000000;			/* 30 ms: band 3 */
	assert_first(a, b, HECAT__RULE_RTT);
}
END_TEST

START_TEST(R_4_4_used_before_rule9)
{
	struct hecat__sortent a = ent("2001:db8:2::1", "2001:db8:1::99", 1),
	    b = ent("2001:db8:1::1", "2001:db8:1::99", 0);

	a.rtt = 900000000;			/* slow, but used */
	assert_first(a, b, HECAT__RULE_USED);
	b.rtt = 950000000;			/* same band: rule 9 decides */
	assert_first(b, a, 9);
}
END_TEST

START_TEST(rule10_original_order)
{
	assert_first(ent("2001:db8::2", "", 3), ent("2001:db8::1", "", 7),
	    10);
}
END_TEST

/* Insertion sort is stable: twenty equal entries keep their order. */
START_TEST(sort_stable)
{
	struct hecat__sortent e[20];
	size_t idx[20], i;
	char a[32];

	for (i = 0; i < 20; i++) {
		snprintf(a, sizeof(a), "192.0.2.%zu", 20 - i);
		e[i] = ent(a, "", (uint32_t)i);
		idx[i] = 19 - i;
	}
	/* Hand it in reverse; Rule 10 restores the original order. */
	hecat__addrsort(e, idx, 20, NULL);
	for (i = 0; i < 20; i++)
		ck_assert_uint_eq(idx[i], i);
}
END_TEST

/* ---- the policy table and scopes ----------------------------------------- */

START_TEST(policy_rfc6724)
{
	static const struct {
		const char	*addr;
		unsigned	 prec, label;
	} want[] = {
		{ "::1", 50, 0 },
		{ "2001:db8::1", 40, 1 },
		{ "64:ff9b::c000:201", 40, 1 },
		{ "192.0.2.1", 35, 4 },		/* as ::ffff:192.0.2.1 */
		{ "::ffff:192.0.2.1", 35, 4 },
		{ "2002:c000:201::1", 30, 2 },
		{ "2001::1", 5, 5 },		/* Teredo */
		{ "fd00::1", 3, 13 },
		{ "fc00::1", 3, 13 },
		{ "::192.0.2.1", 1, 3 },	/* IPv4-compatible */
		{ "fec0::1", 1, 11 },
		{ "3ffe::1", 1, 12 },
	};
	const struct hecat__policy_row *r;
	struct hecat__ip a;
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		a = ip(want[i].addr);
		r = hecat__policy_lookup(&hecat__policy_rfc6724, &a);
		ck_assert_ptr_nonnull(r);
		ck_assert_msg(r->precedence == want[i].prec &&
		    r->label == want[i].label, "%s: precedence %u label %u",
		    want[i].addr, r->precedence, r->label);
	}
}
END_TEST

/* The table is replaceable, as RFC 6724 asks (gai.conf's role). */
START_TEST(policy_custom)
{
	static const struct hecat__policy_row rows[] = {
		{ { 0 }, 0, 40, 1 },
		{ { 0,0,0,0, 0,0,0,0, 0,0,0xff,0xff }, 96, 100, 4 },
	};
	static const struct hecat__policy prefer_v4 = { rows, 2 };
	struct hecat__sortent a = ent("192.0.2.1", "", 1);
	struct hecat__sortent b = ent("2001:db8::1", "", 0);
	int rule;

	ck_assert_int_lt(hecat__addrsort_cmp(&a, &b, &prefer_v4, &rule), 0);
	ck_assert_int_eq(rule, 6);
}
END_TEST

START_TEST(scopes)
{
	static const struct {
		const char	*addr;
		unsigned	 scope;
	} want[] = {
		{ "127.0.0.1", HECAT__SCOPE_LINK },
		{ "169.254.3.4", HECAT__SCOPE_LINK },
		{ "10.1.2.3", HECAT__SCOPE_GLOBAL },	/* RFC 1918 is global */
		{ "100.64.0.1", HECAT__SCOPE_GLOBAL },
		{ "192.0.2.1", HECAT__SCOPE_GLOBAL },
		{ "::1", HECAT__SCOPE_LINK },
		{ "fe80::1", HECAT__SCOPE_LINK },
		{ "febf::1", HECAT__SCOPE_LINK },
		{ "fec0::1", HECAT__SCOPE_SITE },
		{ "ff02::1", HECAT__SCOPE_LINK },
		{ "ff05::2", HECAT__SCOPE_SITE },
		{ "ff0e::3", HECAT__SCOPE_GLOBAL },
		{ "::ffff:127.0.0.1", HECAT__SCOPE_LINK },
		{ "2001:db8::1", HECAT__SCOPE_GLOBAL },
	};
	struct hecat__ip a;
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		a = ip(want[i].addr);
		ck_assert_msg(hecat__ip_scope(&a) == want[i].scope,
		    "%s: scope %u", want[i].addr, hecat__ip_scope(&a));
	}
}
END_TEST

START_TEST(common_prefix)
{
	struct hecat__ip a = ip("2001:db8:1:2::1"), b = ip("2001:db8:1:3::1");
	struct hecat__ip c = ip("192.0.2.1");

	ck_assert_uint_eq(hecat__common_prefix(&a, &b), 63);
	ck_assert_uint_eq(hecat__common_prefix(&a, &a), 64);
	ck_assert_uint_eq(hecat__common_prefix(&a, &c), 0);
}
END_TEST

/* ---- interleaving -------------------------------------------------------- */

static void
interleave(const char *const *addrs, size_t n, int first, unsigned fafc,
    const char *want)
{
	struct hecat__sortent e[16] = { 0 };
	size_t idx[16] = { 0 }, out[16], i;
	char got[512] = "", a[HECAT__IP_FMTLEN];

	for (i = 0; i < n; i++) {
		e[i] = ent(addrs[i], "", (uint32_t)i);
		idx[i] = i;
	}
	hecat__interleave(e, idx, n, first, fafc, out);
	for (i = 0; i < n; i++) {
		strcat(got, i ? " " : "");
		strcat(got, hecat__ip_fmt(&e[out[i]].dst, a, sizeof(a)));
	}
	ck_assert_str_eq(got, want);
}

START_TEST(interleave_rfc8305)
{
	static const char *const v[] = { "2001:db8::1", "2001:db8::2",
	    "2001:db8::3", "192.0.2.1", "192.0.2.2" };

	interleave(v, 5, 0, 1,
	    "2001:db8::1 192.0.2.1 2001:db8::2 192.0.2.2 2001:db8::3");
	interleave(v, 5, 0, 2,
	    "2001:db8::1 2001:db8::2 192.0.2.1 2001:db8::3 192.0.2.2");
	interleave(v, 5, AF_INET, 1,
	    "192.0.2.1 2001:db8::1 192.0.2.2 2001:db8::2 2001:db8::3");
	interleave(v, 5, 0, 0,	/* 0 counts as 1 */
	    "2001:db8::1 192.0.2.1 2001:db8::2 192.0.2.2 2001:db8::3");
}
END_TEST

START_TEST(interleave_one_family)
{
	static const char *const v[] = { "192.0.2.1", "192.0.2.2" };

	interleave(v, 2, 0, 1, "192.0.2.1 192.0.2.2");
	interleave(v, 2, AF_INET6, 1, "192.0.2.1 192.0.2.2");
	interleave(v, 0, 0, 1, "");
}
END_TEST

static Suite *
addrsort_suite(void)
{
	Suite *s = suite_create("addrsort");
	TCase *tc;

	tc = tcase_create("worked-examples");
	tcase_add_test(tc, example_loopback);
	tcase_add_test(tc, example_no_ipv6_route);
	tcase_add_test(tc, example_ula_vs_private_ipv4);
	tcase_add_test(tc, example_nat64_vs_native);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules");
	tcase_add_test(tc, rule1_unusable);
	tcase_add_test(tc, rule2_scope_match);
	tcase_add_test(tc, rule5_label_match);
	tcase_add_test(tc, rule6_precedence);
	tcase_add_test(tc, rule8_smaller_scope);
	tcase_add_test(tc, rule9_longest_prefix);
	tcase_add_test(tc, rule9_capped_at_64);
	tcase_add_test(tc, rule9_not_for_ipv4);
	tcase_add_test(tc, R_4_3_rtt_before_rule9);
	tcase_add_test(tc, R_4_4_used_before_rule9);
	tcase_add_test(tc, rule10_original_order);
	tcase_add_test(tc, sort_stable);
	suite_add_tcase(s, tc);

	tc = tcase_create("tables");
	tcase_add_test(tc, policy_rfc6724);
	tcase_add_test(tc, policy_custom);
	tcase_add_test(tc, scopes);
	tcase_add_test(tc, common_prefix);
	suite_add_tcase(s, tc);

	tc = tcase_create("interleave");
	tcase_add_test(tc, interleave_rfc8305);
	tcase_add_test(tc, interleave_one_family);
	suite_add_tcase(s, tc);

	return s;
}

const struct check_def check_def = { addrsort_suite, NULL };
