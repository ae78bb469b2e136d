/*
 * check_hostname.c - host names as DNS will take them
 * (hecat__host_normalize(), lib/core/hostname.c): names kept as given, the
 * trailing dot, IDN U-labels to A-labels (through getdns, loaded for it),
 * the limits (63 per label, 253 in all) on both sides, empty labels, the
 * characters allowed, and the reason given for each refusal.
 */
#include "config.h"

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "getdns_dl.h"
#include "hostname.h"

#define WHY_EMPTY	"empty host name"
#define WHY_LONG	"host name longer than 253 characters"
#define WHY_LABEL	"empty label in host name"
#define WHY_CHAR	"character not allowed in host name"
#define WHY_LABEL63	"label longer than 63 characters in host name"
#define WHY_IDN		"internationalized host name cannot be converted"

/* in must normalize to want. */
static void
good(const char *in, const char *want)
{
	char out[HECAT__HOSTLEN];
	const char *why = NULL;

	memset(out, 'x', sizeof(out));
	ck_assert_msg(hecat__host_normalize(in, out, &why) == 0,
	    "\"%s\" refused: %s", in, why);
	ck_assert_str_eq(out, want);
}

/* in must be refused, for reason want. */
static void
bad(const char *in, const char *want)
{
	char out[HECAT__HOSTLEN];
	const char *why = NULL;

	ck_assert_msg(hecat__host_normalize(in, out, &why) == -1,
	    "\"%s\" accepted", in);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strcmp(why, want) == 0, "\"%s\": \"%s\", not \"%s\"",
	    in, why, want);
}

/*
 * A name of labels of the given lengths ('a' to 'z' by label), joined
 * by dots, and a trailing dot if dot; 0 ends the list.
 */
static char *
name_of(char *buf, size_t len, const unsigned *labels, bool dot)
{
	size_t off = 0;
	unsigned i, j;

	for (i = 0; labels[i] != 0; i++) {
		ck_assert_uint_lt(off + labels[i] + 2, len);
		if (i > 0)
			buf[off++] = '.';
		for (j = 0; j < labels[i]; j++)
			buf[off++] = (char)('a' + i % 26);
	}
	if (dot)
		buf[off++] = '.';
	buf[off] = '\0';
	return buf;
}

START_TEST(names_kept_as_given)
{
	good("example.com", "example.com");
	good("a", "a");
	good("localhost", "localhost");
	good("Example.COM", "Example.COM");		/* no folding */
	good("a-1.b2.3c", "a-1.b2.3c");
	good("_sip._tcp.example.com", "_sip._tcp.example.com");
	good("xn--bcher-kva.example", "xn--bcher-kva.example");
}
END_TEST

START_TEST(trailing_dot)
{
	good("example.com.", "example.com.");
	good("a.", "a.");
	bad(".", WHY_EMPTY);
	bad("", WHY_EMPTY);
}
END_TEST

START_TEST(empty_labels)
{
	bad("a..b", WHY_LABEL);
	bad(".a", WHY_LABEL);
	bad("..", WHY_LABEL);
	bad("..a", WHY_LABEL);
	bad("a.b..c.", WHY_LABEL);
	bad("a..", WHY_LABEL);		/* the last label empty */
	bad("b\xc3\xbc..", WHY_LABEL);
}
END_TEST

START_TEST(characters)
{
	static const char *const refused[] = {
		"a b", " a", "a ", "a\tb", "http://example.com", "a/b",
		"a:80", "a@b", "*.example", "a,b", "a+b", "a%b", "[::1]",
		"a\\b", "a\"b", "a\nb", "a\177b",
	};
	size_t i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		bad(refused[i], WHY_CHAR);
}
END_TEST

START_TEST(label_length)
{
	static const unsigned l63[] = { 63, 0 }, l64[] = { 64, 0 };
	static const unsigned first64[] = { 64, 3, 0 };
	static const unsigned last64[] = { 3, 64, 0 };
	static const unsigned two63[] = { 63, 63, 63, 0 };
	char buf[512];

	good(name_of(buf, sizeof(buf), l63, false), buf);
	good(name_of(buf, sizeof(buf), l63, true), buf);
	/* Each label counts alone: three of 63 are fine. */
	good(name_of(buf, sizeof(buf), two63, false), buf);
	bad(name_of(buf, sizeof(buf), l64, false), WHY_LABEL63);
	bad(name_of(buf, sizeof(buf), l64, true), WHY_LABEL63);
	bad(name_of(buf, sizeof(buf), first64, false), WHY_LABEL63);
	bad(name_of(buf, sizeof(buf), last64, false), WHY_LABEL63);
}
END_TEST

/*
 * 253 characters (four labels: 63 + 63 + 63 + 61, with three dots) is
 * the longest name; with its trailing dot it is 254 and fine too.
 */
START_TEST(name_length)
{
	static const unsigned n253[] = { 63, 63, 63, 61, 0 };
	static const unsigned n254[] = { 63, 63, 63, 62, 0 };
	static const unsigned n255[] = { 63, 63, 63, 63, 0 };
	char buf[2048];

	good(name_of(buf, sizeof(buf), n253, false), buf);
	ck_assert_uint_eq(strlen(buf), 253);
	good(name_of(buf, sizeof(buf), n253, true), buf);
	ck_assert_uint_eq(strlen(buf), 254);
	bad(name_of(buf, sizeof(buf), n254, false), WHY_LONG);
	bad(name_of(buf, sizeof(buf), n254, true), WHY_LONG);
	bad(name_of(buf, sizeof(buf), n255, false), WHY_LONG);
	ck_assert_uint_eq(strlen(buf), 255);
	/* Far too long, at the early bound and past it. */
	memset(buf, 'a', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	bad(buf, WHY_LONG);
	buf[HECAT__HOSTLEN * 4] = '\0';
	bad(buf, WHY_LONG);
	buf[HECAT__HOSTLEN * 4 - 1] = '\0';
	bad(buf, WHY_LONG);
}
END_TEST

/* IDN: U-labels become A-labels (IDNA 2008), then the same checks. */
START_TEST(idn_to_alabels)
{
	ck_assert_msg(hecat__getdns_load() == 0, "getdns: %s",
	    hecat__getdns_error());
	good("b\xc3\xbc" "cher.example", "xn--bcher-kva.example");
	good("B\xc3\xbc" "cher.example", "xn--bcher-kva.example");
	good("b\xc3\xbc" "cher.example.", "xn--bcher-kva.example.");
	good("www.b\xc3\xbc" "cher.example", "www.xn--bcher-kva.example");
	good("\xe4\xbe\x8b\xe3\x81\x88.test", "xn--r8jz45g.test");
}
END_TEST

START_TEST(idn_refused)
{
	char buf[HECAT__HOSTLEN * 4 + 2];
	size_t i;

	ck_assert_int_eq(hecat__getdns_load(), 0);
	bad("\xff.example", WHY_IDN);			/* not UTF-8 */
	bad("b\xc3\xbc" "cher example", WHY_IDN);	/* not in a name */
	bad("b\xc3\xbc" "cher..example", WHY_LABEL);	/* converted first */
	/* 58 letters and a U-label one: an A-label over 63. */
	memset(buf, 'a', 58);
	memcpy(buf + 58, "\xc3\xbc", 3);
	bad(buf, WHY_IDN);
	/* Too long to be worth converting: refused before. */
	for (i = 0; i + 2 < sizeof(buf); i += 2)
		memcpy(buf + i, "\xc3\xbc", 2);
	buf[i] = '\0';
	bad(buf, WHY_LONG);
}
END_TEST

/*
 * The length that counts is the A-labels': three labels of u-umlaut and
 * 55 letters (57 bytes each, 63 characters as A-labels) and one of 61
 * make 253; one of 62 makes 254, too long whoever says so.
 */
START_TEST(idn_name_length)
{
	char a62[63], in[256], out[HECAT__HOSTLEN];
	const char *why = NULL, *u = "\xc3\xbc";

	ck_assert_int_eq(hecat__getdns_load(), 0);
	memset(a62, 'a', 62);
	a62[62] = '\0';
	snprintf(in, sizeof(in), "%s%.55s.%s%.55s.%s%.55s.%.61s", u, a62, u,
	    a62, u, a62, a62);
	ck_assert_uint_eq(strlen(in), 3 * 57 + 3 + 61);
	ck_assert_msg(hecat__host_normalize(in, out, &why) == 0,
	    "refused: %s", why);
	ck_assert_uint_eq(strlen(out), 253);
	ck_assert_int_eq(strncmp(out, "xn--", 4), 0);
	snprintf(in, sizeof(in), "%s%.55s.%s%.55s.%s%.55s.%s", u, a62, u,
	    a62, u, a62, a62);
	ck_assert_int_eq(hecat__host_normalize(in, out, &why), -1);
	ck_assert_msg(strcmp(why, WHY_IDN) == 0 || strcmp(why, WHY_LONG) == 0,
	    "why: %s", why);
}
END_TEST

static Suite *
hostname_suite(void)
{
	Suite *s = suite_create("hostname");
	TCase *tc;

	tc = tcase_create("ascii");
	tcase_add_test(tc, names_kept_as_given);
	tcase_add_test(tc, trailing_dot);
	tcase_add_test(tc, empty_labels);
	tcase_add_test(tc, characters);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, label_length);
	tcase_add_test(tc, name_length);
	suite_add_tcase(s, tc);

	tc = tcase_create("idn");
	tcase_add_test(tc, idn_to_alabels);
	tcase_add_test(tc, idn_refused);
	tcase_add_test(tc, idn_name_length);
	suite_add_tcase(s, tc);

	return s;
}

const struct check_def check_def = { hostname_suite, NULL };
