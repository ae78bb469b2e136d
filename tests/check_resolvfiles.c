/*
 * check_resolvfiles.c - the hosts(5) and resolv.conf(5) parsers: the
 * formats, glibc's search-list order (res_search and ndots), the
 * name-server syntax, hostile input (long lines, NUL bytes, CRLF, no
 * final newline, random bytes) and loading real files.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <net/if.h>

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "hosts.h"
#include "resolvconf.h"
#include "sysfiles.h"

/* ---- helpers ----------------------------------------------------------- */

static struct hecat__hosts *
hosts_n(const char *buf, size_t len)
{
	struct hecat__hosts *h = hecat__hosts_parse(buf, len);

	ck_assert_ptr_nonnull(h);
	return h;
}

static struct hecat__hosts *
hosts(const char *text)
{
	return hosts_n(text, strlen(text));
}

/*
 * Look name up and compare with want: NULL = not in the file (-1), else
 * the addresses found, space-separated ("" = known, none of family).
 */
static void
want_find(const struct hecat__hosts *h, const char *name, int family,
    const char *want)
{
	struct hecat__ip out[64];
	char got[64 * HECAT__IP_FMTLEN] = "", a[HECAT__IP_FMTLEN];
	ssize_t n, i;

	n = hecat__hosts_find(h, name, family, out, 64);
	if (want == NULL) {
		ck_assert_msg(n == -1, "%s: found %zd addresses, want none",
		    name, n);
		return;
	}
	ck_assert_msg(n >= 0, "%s: not found, want \"%s\"", name, want);
	for (i = 0; i < n; i++) {
		strcat(got, i ? " " : "");
		strcat(got, hecat__ip_fmt(&out[i], a, sizeof(a)));
	}
	ck_assert_msg(strcmp(got, want) == 0, "%s: got \"%s\", want \"%s\"",
	    name, got, want);
}

static void
rc_parse(struct hecat__resolvconf *rc, const char *text)
{
	hecat__resolvconf_parse(rc, text, strlen(text));
}

/* The name servers, "addr:port" space-separated. */
static const char *
ns_list(const struct hecat__resolvconf *rc)
{
	static char buf[HECAT__RESOLV_MAXNS * (HECAT__IP_FMTLEN + 8)];
	char a[HECAT__IP_FMTLEN + 8];
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < rc->nns; i++) {
		strcat(buf, i ? " " : "");
		strcat(buf, hecat__ip_fmt_port(&rc->ns[i].ip, rc->ns[i].port, a,
		    sizeof(a)));
	}
	return buf;
}

/* The search list, space-separated. */
static const char *
search_list(const struct hecat__resolvconf *rc)
{
	static char buf[HECAT__RESOLV_MAXSEARCH * HECAT__NAMELEN];
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < rc->nsearch; i++) {
		strcat(buf, i ? " " : "");
		strcat(buf, rc->search[i]);
	}
	return buf;
}

/* The candidates for name, at most max, space-separated. */
static void
want_cands(const struct hecat__resolvconf *rc, const char *name, size_t max,
    const char *want)
{
	char out[16][HECAT__NAMELEN];
	char got[16 * HECAT__NAMELEN] = "";
	size_t n, i;

	ck_assert_uint_le(max, 16);
	memset(out, 'X', sizeof(out));
	n = hecat__resolvconf_candidates(rc, name, out, max);
	ck_assert_uint_le(n, max);
	for (i = 0; i < n; i++) {
		ck_assert_ptr_nonnull(memchr(out[i], '\0', HECAT__NAMELEN));
		strcat(got, i ? " " : "");
		strcat(got, out[i]);
	}
	ck_assert_msg(strcmp(got, want) == 0, "%s: got \"%s\", want \"%s\"",
	    name, got, want);
	/* Nothing beyond the count was written. */
	if (n < max)
		ck_assert_int_eq(out[n][0], 'X');
}

static void
resolv_with_search(struct hecat__resolvconf *rc, unsigned ndots)
{
	char text[128];

	snprintf(text, sizeof(text),
	    "search a.example b.example\noptions ndots:%u\n", ndots);
	rc_parse(rc, text);
	ck_assert_uint_eq(rc->ndots, ndots);
	ck_assert_str_eq(search_list(rc), "a.example b.example");
}

/* A temporary file holding data[0..len); its name goes to path. */
static void
temp_file(char path[64], const char *data, size_t len)
{
	int fd;

	strcpy(path, "/tmp/hecat-resolvfiles-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	ck_assert_int_eq(close(fd), 0);
}

/* Deterministic bytes for the garbage tests. */
static uint32_t
xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Random bytes biased toward the characters the parsers care about. */
static char *
garbage(size_t len, uint32_t seed)
{
	static const char alphabet[] = "0123456789abcdef.:%[]#; \t\r\n\0"
	    "nameserversearchdomainoptionsndots:timeout:attempts:";
	char *buf = malloc(len);
	size_t i;
	uint32_t r;

	ck_assert_ptr_nonnull(buf);
	for (i = 0; i < len; i++) {
		r = xorshift(&seed);
		if (r & 0x100)
			buf[i] = alphabet[(r >> 9) % (sizeof(alphabet) - 1)];
		else
			buf[i] = (char)(r & 0xff);
	}
	return buf;
}

/* ---- hosts: the format --------------------------------------------------- */

START_TEST(hosts_finds_both_families)
{
	struct hecat__hosts *h = hosts(
	    "127.0.0.1 localhost\n"
	    "::1 localhost ip6-localhost\n");

	want_find(h, "localhost", AF_INET, "127.0.0.1");
	want_find(h, "localhost", AF_INET6, "::1");
	want_find(h, "ip6-localhost", AF_INET6, "::1");
	hecat__hosts_free(h);
}
END_TEST

START_TEST(hosts_other_family_only_gives_zero)
{
	struct hecat__hosts *h = hosts("::1 ip6-localhost\n");

	want_find(h, "ip6-localhost", AF_INET, "");
	want_find(h, "unknown", AF_INET, NULL);
	want_find(h, "unknown", AF_INET6, NULL);
	hecat__hosts_free(h);
}
END_TEST

START_TEST(hosts_unspec_gives_both_in_file_order)
{
	struct hecat__hosts *h = hosts(
	    "192.0.2.1 dual\n2001:db8::1 dual\n192.0.2.2 dual\n");

	want_find(h, "dual", AF_UNSPEC, "192.0.2.1 2001:db8::1 192.0.2.2");
	hecat__hosts_free(h);
}
END_TEST

START_TEST(hosts_aliases_all_found)
{
	struct hecat__hosts *h = hosts("192.0.2.7 canon alias1 alias2\n");

	want_find(h, "canon", AF_INET, "192.0.2.7");
	want_find(h, "alias1", AF_INET, "192.0.2.7");
	want_find(h, "alias2", AF_INET, "192.0.2.7");
	want_find(h, "alias3", AF_INET, NULL);
	hecat__hosts_free(h);
}
END_TEST

START_TEST(hosts_case_insensitive)
{
	struct hecat__hosts *h = hosts("192.0.2.1 MixedCase.Example\n");

	want_find(h, "mixedcase.example", AF_INET, "192.0.2.1");
	want_find(h, "MIXEDCASE.EXAMPLE", AF_INET, "192.0.2.1");
	want_find(h, "MixedCase.Example", AF_INET, "192.0.2.1");
	hecat__hosts_free(h);
}
END_TEST

START_TEST(hosts_one_trailing_dot_ignored_both_sides)
{
	struct hecat__hosts *h = hosts(
	    "192.0.2.1 dotted.example.\n192.0.2.2 plain.example\n");

	want_find(h, "dotted.example", AF_INET, "192.0.2.1");
	want_find(h, "dotted.example.", AF_INET, "192.0.2.1");
	want_find(h, "plain.example.", AF_INET, "192.0.2.2");
	/* One dot only. */
	want_find(h, "plain.example..", AF_INET, NULL);
	want_find(h, ".", AF_INET, NULL);
	want_find(h, "", AF_INET, NULL);
	hecat__hosts_free(h);
}
END_TEST

START_TEST(hosts_file_order_kept)
{
	struct hecat__hosts *h = hosts(
	    "192.0.2.3 multi\n"
	    "192.0.2.1 other multi\n"
	    "192.0.2.2 multi\n");

	want_find(h, "multi", AF_INET, "192.0.2.3 192.0.2.1 192.0.2.2");
	hecat__hosts_free(h);
}
END_TEST

START_TEST(hosts_duplicates_dropped)
{
	struct hecat__hosts *h = hosts(
	    "192.0.2.2 dup dup\n"
	    "192.0.2.1 dup\n"
	    "192.0.2.2 DUP.\n"
	    "2001:db8::1 dup\n"
	    "2001:db8:0::1 dup\n");

	want_find(h, "dup", AF_INET, "192.0.2.2 192.0.2.1");
	want_find(h, "dup", AF_INET6, "2001:db8::1");
	hecat__hosts_free(h);
}
END_TEST

START_TEST(hosts_same_address_many_names)
{
	struct hecat__hosts *h = hosts("192.0.2.1 a\n192.0.2.1 b\n");

	want_find(h, "a", AF_INET, "192.0.2.1");
	want_find(h, "b", AF_INET, "192.0.2.1");
	hecat__hosts_free(h);
}
END_TEST

START_TEST(hosts_max_bounds_output)
{
	struct hecat__hosts *h = hosts(
	    "192.0.2.1 m\n192.0.2.2 m\n192.0.2.3 m\n");
	struct hecat__ip out[3];
	char a[HECAT__IP_FMTLEN];

	memset(out, 0xa5, sizeof(out));
	ck_assert_int_eq(hecat__hosts_find(h, "m", AF_INET, out, 2), 2);
	ck_assert_str_eq(hecat__ip_fmt(&out[0], a, sizeof(a)), "192.0.2.1");
	ck_assert_str_eq(hecat__ip_fmt(&out[1], a, sizeof(a)), "192.0.2.2");
	ck_assert_int_eq(out[2].family, (int)0xa5a5a5a5);
	/* Known name, no room: 0, not -1. */
	ck_assert_int_eq(hecat__hosts_find(h, "m", AF_INET, NULL, 0), 0);
	hecat__hosts_free(h);
}
END_TEST

START_TEST(hosts_v4mapped_is_ipv6)
{
	struct hecat__hosts *h = hosts("::ffff:192.0.2.1 mapped\n");
	struct hecat__ip out[1];

	want_find(h, "mapped", AF_INET, "");
	ck_assert_int_eq(hecat__hosts_find(h, "mapped", AF_INET6, out, 1), 1);
	ck_assert_int_eq(out[0].family, AF_INET6);
	hecat__hosts_free(h);
}
END_TEST

START_TEST(hosts_numeric_zone_kept)
{
	struct hecat__hosts *h = hosts("fe80::1%1 linklocal\n");

	want_find(h, "linklocal", AF_INET6, "fe80::1%1");
	hecat__hosts_free(h);
}
END_TEST

START_TEST(hosts_unknown_zone_line_skipped)
{
	struct hecat__hosts *h = hosts(
	    "fe80::1%nosuchif0 linklocal\nfe80::2% empty\n");

	want_find(h, "linklocal", AF_INET6, NULL);
	want_find(h, "empty", AF_INET6, NULL);
	hecat__hosts_free(h);
}
END_TEST

START_TEST(hosts_comments_anywhere)
{
	struct hecat__hosts *h = hosts(
	    "# 192.0.2.9 commented\n"
	    "192.0.2.1 before # after\n"
	    "192.0.2.2 glued#tail\n"
	    "#192.0.2.3 hidden\n"
	    "   # 192.0.2.4 indented\n");

	want_find(h, "commented", AF_INET, NULL);
	want_find(h, "before", AF_INET, "192.0.2.1");
	want_find(h, "after", AF_INET, NULL);
	want_find(h, "glued", AF_INET, "192.0.2.2");
	want_find(h, "tail", AF_INET, NULL);
	want_find(h, "glued#tail", AF_INET, NULL);
	want_find(h, "hidden", AF_INET, NULL);
	want_find(h, "indented", AF_INET, NULL);
	hecat__hosts_free(h);
}
END_TEST

START_TEST(hosts_tabs_and_spaces_separate)
{
	struct hecat__hosts *h = hosts(
	    "\t 192.0.2.1\t\ta \t b\t\n192.0.2.2    c\n");

	want_find(h, "a", AF_INET, "192.0.2.1");
	want_find(h, "b", AF_INET, "192.0.2.1");
	want_find(h, "c", AF_INET, "192.0.2.2");
	hecat__hosts_free(h);
}
END_TEST

START_TEST(hosts_crlf_accepted)
{
	struct hecat__hosts *h = hosts(
	    "192.0.2.1 a\r\n192.0.2.2 b c\r\n::1\r\n");

	want_find(h, "a", AF_INET, "192.0.2.1");
	want_find(h, "b", AF_INET, "192.0.2.2");
	want_find(h, "c", AF_INET, "192.0.2.2");
	want_find(h, "c\r", AF_INET, NULL);
	hecat__hosts_free(h);
}
END_TEST

START_TEST(hosts_no_trailing_newline)
{
	struct hecat__hosts *h = hosts("192.0.2.1 first\n192.0.2.2 last");

	want_find(h, "last", AF_INET, "192.0.2.2");
	hecat__hosts_free(h);
}
END_TEST

/* The buffer ends where len says, not at a NUL: nothing past it is read. */
START_TEST(hosts_length_not_nul_bounds_input)
{
	static const char text[] = "192.0.2.1 short192.0.2.2 beyond\n";
	struct hecat__hosts *h = hosts_n(text, strlen("192.0.2.1 short"));

	want_find(h, "short", AF_INET, "192.0.2.1");
	want_find(h, "short192.0.2.2", AF_INET, NULL);
	want_find(h, "beyond", AF_INET, NULL);
	hecat__hosts_free(h);
}
END_TEST

START_TEST(hosts_nul_byte_ends_line)
{
	static const char text[] =
	    "192.0.2.1 a\0b\n"
	    "\0\0\0\n"
	    "192.0.2.2\0 lost\n"
	    "192.0.\0002.3 cut\n"
	    "192.0.2.4 c\n"
	    "192.0.2.5 d\0";
	struct hecat__hosts *h = hosts_n(text, sizeof(text) - 1);

	want_find(h, "a", AF_INET, "192.0.2.1");
	want_find(h, "b", AF_INET, NULL);
	want_find(h, "lost", AF_INET, NULL);
	want_find(h, "cut", AF_INET, NULL);
	want_find(h, "c", AF_INET, "192.0.2.4");
	want_find(h, "d", AF_INET, "192.0.2.5");
	hecat__hosts_free(h);
}
END_TEST

START_TEST(hosts_bad_lines_skipped)
{
	struct hecat__hosts *h = hosts(
	    "not-an-address x1\n"
	    "300.1.1.1 x2\n"
	    "192.0.2.1\n"
	    "[::1] x3\n"
	    "192.0.2 x4\n"
	    "192.0.2.1/24 x5\n"
	    "2001:db8:::1 x6\n"
	    "0x7f.0.0.1 x7\n"
	    ":: good\n");

	want_find(h, "x1", AF_UNSPEC, NULL);
	want_find(h, "x2", AF_UNSPEC, NULL);
	want_find(h, "x3", AF_UNSPEC, NULL);
	want_find(h, "x4", AF_UNSPEC, NULL);
	want_find(h, "x5", AF_UNSPEC, NULL);
	want_find(h, "x6", AF_UNSPEC, NULL);
	want_find(h, "x7", AF_UNSPEC, NULL);
	want_find(h, "good", AF_INET6, "::");
	hecat__hosts_free(h);
}
END_TEST

START_TEST(hosts_control_characters_in_name_skipped)
{
	struct hecat__hosts *h = hosts(
	    "192.0.2.1 bad\001name good\n192.0.2.2 del\177 fine\n");

	want_find(h, "bad\001name", AF_INET, NULL);
	want_find(h, "good", AF_INET, "192.0.2.1");
	want_find(h, "del\177", AF_INET, NULL);
	want_find(h, "fine", AF_INET, "192.0.2.2");
	hecat__hosts_free(h);
}
END_TEST

START_TEST(hosts_name_length_limit_253)
{
	char name253[254], name254[255], text[1024];
	struct hecat__hosts *h;

	memset(name253, 'a', 253);
	name253[253] = '\0';
	memset(name254, 'b', 254);
	name254[254] = '\0';
	snprintf(text, sizeof(text),
	    "192.0.2.1 %s\n192.0.2.2 %s\n192.0.2.3 %s. ok\n",
	    name253, name254, name253);
	h = hosts(text);
	want_find(h, name253, AF_INET, "192.0.2.1 192.0.2.3");
	want_find(h, name254, AF_INET, NULL);
	want_find(h, "ok", AF_INET, "192.0.2.3");
	hecat__hosts_free(h);
}
END_TEST

START_TEST(hosts_lookup_of_overlong_name_misses)
{
	struct hecat__hosts *h = hosts("192.0.2.1 x\n");
	char name[1000];

	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	want_find(h, name, AF_INET, NULL);
	ck_assert_int_eq(hecat__hosts_find(h, NULL, AF_INET, NULL, 0), -1);
	hecat__hosts_free(h);
}
END_TEST

START_TEST(hosts_very_long_line_fields_skipped)
{
	size_t big = 1 << 20, off;
	char *text = malloc(2 * big + 256);
	struct hecat__hosts *h;

	ck_assert_ptr_nonnull(text);
	/* A name field of a megabyte between two good names. */
	off = (size_t)sprintf(text, "192.0.2.1 before ");
	memset(text + off, 'n', big);
	off += big;
	off += (size_t)sprintf(text + off, " after\n");
	/* An address field of a megabyte: the whole line goes. */
	memset(text + off, '1', big / 2);
	off += big / 2;
	off += (size_t)sprintf(text + off, " lost\n192.0.2.2 next");
	h = hosts_n(text, off);
	want_find(h, "before", AF_INET, "192.0.2.1");
	want_find(h, "after", AF_INET, "192.0.2.1");
	want_find(h, "lost", AF_INET, NULL);
	want_find(h, "next", AF_INET, "192.0.2.2");
	hecat__hosts_free(h);
	free(text);
}
END_TEST

START_TEST(hosts_empty_input_is_empty_table)
{
	struct hecat__hosts *h;

	h = hosts_n(NULL, 0);
	want_find(h, "localhost", AF_INET, NULL);
	hecat__hosts_free(h);
	h = hosts("");
	want_find(h, "localhost", AF_INET, NULL);
	hecat__hosts_free(h);
	h = hosts("\n\n# nothing\n   \n");
	want_find(h, "localhost", AF_INET, NULL);
	hecat__hosts_free(h);
	hecat__hosts_free(NULL);
}
END_TEST

START_TEST(hosts_many_names_all_found)
{
	size_t n = 5000, i, off = 0;
	char *text = malloc(n * 48), name[32], want[32];
	struct hecat__hosts *h;

	ck_assert_ptr_nonnull(text);
	for (i = 0; i < n; i++)
		off += (size_t)sprintf(text + off, "10.%zu.%zu.%zu host%zu\n",
		    i >> 16, (i >> 8) & 0xff, i & 0xff, n - i);
	h = hosts_n(text, off);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "HOST%zu", n - i);
		snprintf(want, sizeof(want), "10.%zu.%zu.%zu", i >> 16,
		    (i >> 8) & 0xff, i & 0xff);
		want_find(h, name, AF_INET, want);
	}
	want_find(h, "host0", AF_INET, NULL);
	want_find(h, "host5001", AF_INET, NULL);
	hecat__hosts_free(h);
	free(text);
}
END_TEST

START_TEST(hosts_many_addresses_one_name_ordered_deduplicated)
{
	size_t n = 3000, i, off = 0;
	char *text = malloc(2 * n * 40);
	struct hecat__ip *out = calloc(2 * n, sizeof(*out));
	struct hecat__hosts *h;

	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(out);
	/* Descending addresses, then all of them again. */
	for (i = 0; i < 2 * n; i++)
		off += (size_t)sprintf(text + off, "2001:db8::%zx big\n",
		    n - i % n);
	h = hosts_n(text, off);
	ck_assert_int_eq(hecat__hosts_find(h, "big", AF_INET6, out, 2 * n),
	    (ssize_t)n);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(out[i].a[14], ((n - i) >> 8) & 0xff);
		ck_assert_uint_eq(out[i].a[15], (n - i) & 0xff);
	}
	hecat__hosts_free(h);
	free(out);
	free(text);
}
END_TEST

START_TEST(hosts_random_bytes_survive)
{
	static const char tail[] = "\n192.0.2.99 sentinel-name\n";
	size_t len = 1 << 18;
	uint32_t seed;
	struct hecat__hosts *h;
	char *buf;

	for (seed = 1; seed <= 8; seed++) {
		buf = garbage(len + sizeof(tail), seed);
		memcpy(buf + len, tail, sizeof(tail) - 1);
		h = hosts_n(buf, len + sizeof(tail) - 1);
		/* Whatever came before, the last line still parses. */
		want_find(h, "sentinel-name", AF_INET, "192.0.2.99");
		hecat__hosts_free(h);
		free(buf);
	}
}
END_TEST

/* ---- hosts: files ------------------------------------------------------ */

START_TEST(hosts_load_reads_file)
{
	static const char text[] =
	    "# test file\r\n127.0.0.1 localhost\n::1 localhost\n"
	    "192.0.2.5 filehost.example filehost";
	struct hecat__hosts *h;
	char path[64];

	temp_file(path, text, sizeof(text) - 1);
	h = hecat__hosts_load(path);
	unlink(path);
	ck_assert_ptr_nonnull(h);
	want_find(h, "localhost", AF_INET6, "::1");
	want_find(h, "filehost", AF_INET, "192.0.2.5");
	want_find(h, "FILEHOST.EXAMPLE.", AF_INET, "192.0.2.5");
	hecat__hosts_free(h);
}
END_TEST

START_TEST(hosts_load_missing_file_is_empty_table)
{
	struct hecat__hosts *h;

	h = hecat__hosts_load("/nonexistent/hecat/hosts");
	ck_assert_ptr_nonnull(h);
	want_find(h, "localhost", AF_INET, NULL);
	hecat__hosts_free(h);
	h = hecat__hosts_load(NULL);
	ck_assert_ptr_nonnull(h);
	hecat__hosts_free(h);
}
END_TEST

START_TEST(hosts_load_directory_is_empty_table)
{
	struct hecat__hosts *h = hecat__hosts_load("/tmp");

	ck_assert_ptr_nonnull(h);
	want_find(h, "localhost", AF_INET, NULL);
	hecat__hosts_free(h);
}
END_TEST

/* ---- resolv.conf: the format --------------------------------------------- */

START_TEST(resolv_defaults_without_file_content)
{
	struct hecat__resolvconf rc;

	memset(&rc, 0xa5, sizeof(rc));
	rc_parse(&rc, "");
	ck_assert_str_eq(ns_list(&rc), "127.0.0.1:53");
	ck_assert_uint_eq(rc.nsearch, 0);
	ck_assert_uint_eq(rc.ndots, 1);
	ck_assert_uint_eq(rc.timeout, 5);
	ck_assert_uint_eq(rc.attempts, 2);
	hecat__resolvconf_parse(&rc, NULL, 0);
	ck_assert_str_eq(ns_list(&rc), "127.0.0.1:53");
}
END_TEST

START_TEST(resolv_nameservers_in_order_port_53)
{
	struct hecat__resolvconf rc;

	rc_parse(&rc,
	    "nameserver 192.0.2.53\n"
	    "nameserver 2001:db8::53\n"
	    "nameserver fe80::53%1\n"
	    "nameserver ::ffff:192.0.2.1\n");
	ck_assert_str_eq(ns_list(&rc), "192.0.2.53:53 [2001:db8::53]:53 "
	    "[fe80::53%1]:53 [::ffff:192.0.2.1]:53");
	ck_assert_int_eq(rc.ns[2].ip.scope_id, 1);
}
END_TEST

START_TEST(resolv_nameserver_zone_by_interface_name)
{
	struct hecat__resolvconf rc;
	unsigned idx = if_nametoindex("lo");

	if (idx == 0)
		return;		/* no "lo" here */
	rc_parse(&rc, "nameserver fe80::53%lo\n");
	ck_assert_uint_eq(rc.nns, 1);
	ck_assert_uint_eq(rc.ns[0].ip.scope_id, idx);
}
END_TEST

START_TEST(resolv_nameservers_capped_at_max)
{
	struct hecat__resolvconf rc;
	char text[2048];
	size_t i, off = 0;

	for (i = 1; i <= HECAT__RESOLV_MAXNS + 4; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    "nameserver 192.0.2.%zu\n", i);
	rc_parse(&rc, text);
	ck_assert_uint_eq(rc.nns, HECAT__RESOLV_MAXNS);
	ck_assert_uint_eq(rc.ns[0].ip.a[3], 1);
	ck_assert_uint_eq(rc.ns[HECAT__RESOLV_MAXNS - 1].ip.a[3],
	    HECAT__RESOLV_MAXNS);
}
END_TEST

START_TEST(resolv_bad_nameservers_skipped)
{
	struct hecat__resolvconf rc;

	rc_parse(&rc,
	    "nameserver 192.0.2.1:5353\n"
	    "nameserver [2001:db8::1]\n"
	    "nameserver [2001:db8::1]:53\n"
	    "nameserver dns.example\n"
	    "nameserver\n"
	    "nameserver \n"
	    "nameserver 300.0.0.1\n"
	    "nameserver 127.1\n"
	    "nameserver fe80::1%nosuchif0\n");
	ck_assert_str_eq(ns_list(&rc), "127.0.0.1:53");
	rc_parse(&rc, "nameserver bad\nnameserver 192.0.2.9\n");
	ck_assert_str_eq(ns_list(&rc), "192.0.2.9:53");
}
END_TEST

START_TEST(resolv_nameserver_trailing_fields_ignored)
{
	struct hecat__resolvconf rc;

	rc_parse(&rc, "nameserver 192.0.2.1 192.0.2.2 junk\n");
	ck_assert_str_eq(ns_list(&rc), "192.0.2.1:53");
}
END_TEST

START_TEST(resolv_keyword_at_line_start_only)
{
	struct hecat__resolvconf rc;

	rc_parse(&rc,
	    " nameserver 192.0.2.1\n"
	    "\tsearch indented.example\n"
	    "nameserver192.0.2.2\n"
	    "NAMESERVER 192.0.2.3\n"
	    "nameservers 192.0.2.4\n"
	    "xnameserver 192.0.2.5\n"
	    "searchx a.example\n");
	ck_assert_str_eq(ns_list(&rc), "127.0.0.1:53");
	ck_assert_uint_eq(rc.nsearch, 0);
}
END_TEST

START_TEST(resolv_comments_hash_and_semicolon_anywhere)
{
	struct hecat__resolvconf rc;

	rc_parse(&rc,
	    "# nameserver 192.0.2.100\n"
	    "; nameserver 192.0.2.101\n"
	    "nameserver 192.0.2.1 # comment\n"
	    "nameserver 192.0.2.2;comment\n"
	    "nameserver 192.0.2.3#comment\n"
	    "search a.example # b.example\n"
	    "options ndots:3 ;ndots:4\n"
	    "options #ndots:5\n");
	ck_assert_str_eq(ns_list(&rc),
	    "192.0.2.1:53 192.0.2.2:53 192.0.2.3:53");
	ck_assert_str_eq(search_list(&rc), "a.example");
	ck_assert_uint_eq(rc.ndots, 3);
}
END_TEST

START_TEST(resolv_search_list_dots_stripped)
{
	struct hecat__resolvconf rc;

	rc_parse(&rc, "search a.example b.example. c.example..\n");
	ck_assert_str_eq(search_list(&rc), "a.example b.example c.example");
}
END_TEST

START_TEST(resolv_search_list_capped_at_max)
{
	struct hecat__resolvconf rc;

	rc_parse(&rc, "search d1 d2 d3 d4 d5 d6 d7 d8 d9 d10\n");
	ck_assert_uint_eq(rc.nsearch, HECAT__RESOLV_MAXSEARCH);
	ck_assert_str_eq(search_list(&rc), "d1 d2 d3 d4 d5 d6 d7 d8");
}
END_TEST

START_TEST(resolv_last_of_search_and_domain_wins)
{
	struct hecat__resolvconf rc;

	rc_parse(&rc, "search a.example b.example\ndomain c.example\n");
	ck_assert_str_eq(search_list(&rc), "c.example");
	rc_parse(&rc, "domain c.example\nsearch a.example b.example\n");
	ck_assert_str_eq(search_list(&rc), "a.example b.example");
	rc_parse(&rc, "search a.example\nsearch b.example\n");
	ck_assert_str_eq(search_list(&rc), "b.example");
}
END_TEST

START_TEST(resolv_domain_takes_first_field)
{
	struct hecat__resolvconf rc;

	rc_parse(&rc, "domain c.example. d.example\n");
	ck_assert_str_eq(search_list(&rc), "c.example");
}
END_TEST

START_TEST(resolv_bad_search_domains_skipped)
{
	struct hecat__resolvconf rc;
	char text[512], label64[65];

	memset(label64, 'l', 64);
	label64[64] = '\0';
	snprintf(text, sizeof(text),
	    "search . a..example .lead ok.example %s.example c\001d good\n",
	    label64);
	rc_parse(&rc, text);
	ck_assert_str_eq(search_list(&rc), "ok.example good");
}
END_TEST

START_TEST(resolv_empty_or_bad_search_line_keeps_list)
{
	struct hecat__resolvconf rc;

	rc_parse(&rc, "search a.example\nsearch\nsearch   \nsearch . ..\n"
	    "domain\ndomain .\n");
	ck_assert_str_eq(search_list(&rc), "a.example");
}
END_TEST

START_TEST(resolv_search_domain_length_limit)
{
	struct hecat__resolvconf rc;
	char d253[254], d254[255], text[1024];
	size_t i;

	/* 63-character labels joined by dots: 253 and 254 characters. */
	memset(d253, 'a', 253);
	for (i = 63; i < 253; i += 64)
		d253[i] = '.';
	d253[253] = '\0';
	memcpy(d254, d253, 253);
	d254[252] = 'b';
	d254[253] = 'b';
	d254[254] = '\0';
	snprintf(text, sizeof(text), "search %s %s.\n", d254, d253);
	rc_parse(&rc, text);
	ck_assert_uint_eq(rc.nsearch, 1);
	ck_assert_str_eq(rc.search[0], d253);
}
END_TEST

START_TEST(resolv_options_read)
{
	struct hecat__resolvconf rc;

	rc_parse(&rc,
	    "options rotate ndots:3 edns0 timeout:7\n"
	    "options attempts:4 trust-ad\n");
	ck_assert_uint_eq(rc.ndots, 3);
	ck_assert_uint_eq(rc.timeout, 7);
	ck_assert_uint_eq(rc.attempts, 4);
	rc_parse(&rc, "options ndots:0\noptions ndots:2 ndots:4\n");
	ck_assert_uint_eq(rc.ndots, 4);
}
END_TEST

START_TEST(resolv_options_clamped)
{
	struct hecat__resolvconf rc;

	rc_parse(&rc, "options ndots:16 timeout:31 attempts:6\n");
	ck_assert_uint_eq(rc.ndots, 15);
	ck_assert_uint_eq(rc.timeout, 30);
	ck_assert_uint_eq(rc.attempts, 5);
	rc_parse(&rc, "options ndots:15 timeout:0 attempts:0\n");
	ck_assert_uint_eq(rc.ndots, 15);
	ck_assert_uint_eq(rc.timeout, 1);
	ck_assert_uint_eq(rc.attempts, 1);
	rc_parse(&rc, "options ndots:99999999999999999999999 "
	    "timeout:4294967297 attempts:18446744073709551617\n");
	ck_assert_uint_eq(rc.ndots, 15);
	ck_assert_uint_eq(rc.timeout, 30);
	ck_assert_uint_eq(rc.attempts, 5);
}
END_TEST

START_TEST(resolv_options_bad_values_ignored)
{
	struct hecat__resolvconf rc;

	rc_parse(&rc,
	    "options ndots: ndots:x ndots:-1 ndots:2x ndots:+3 NDOTS:4\n"
	    "options timeout: timeout:1.5 attempts:0x3 ndots :5\n");
	ck_assert_uint_eq(rc.ndots, 1);
	ck_assert_uint_eq(rc.timeout, 5);
	ck_assert_uint_eq(rc.attempts, 2);
}
END_TEST

START_TEST(resolv_crlf_accepted)
{
	struct hecat__resolvconf rc;

	rc_parse(&rc,
	    "nameserver 192.0.2.1\r\n"
	    "search a.example b.example\r\n"
	    "options ndots:2\r\n"
	    "nameserver\r\n");
	ck_assert_str_eq(ns_list(&rc), "192.0.2.1:53");
	ck_assert_str_eq(search_list(&rc), "a.example b.example");
	ck_assert_uint_eq(rc.ndots, 2);
}
END_TEST

START_TEST(resolv_tabs_separate)
{
	struct hecat__resolvconf rc;

	rc_parse(&rc, "nameserver\t192.0.2.1\t\nsearch\ta.example \t b.example"
	    "\noptions\tndots:2\ttimeout:3\n");
	ck_assert_str_eq(ns_list(&rc), "192.0.2.1:53");
	ck_assert_str_eq(search_list(&rc), "a.example b.example");
	ck_assert_uint_eq(rc.ndots, 2);
	ck_assert_uint_eq(rc.timeout, 3);
}
END_TEST

START_TEST(resolv_no_trailing_newline)
{
	struct hecat__resolvconf rc;

	rc_parse(&rc, "search a.example\nnameserver 192.0.2.1");
	ck_assert_str_eq(ns_list(&rc), "192.0.2.1:53");
	rc_parse(&rc, "options ndots:3");
	ck_assert_uint_eq(rc.ndots, 3);
}
END_TEST

START_TEST(resolv_nul_byte_ends_line)
{
	static const char text[] =
	    "nameserver 192.0.2.1\0garbage\n"
	    "\0nameserver 192.0.2.2\n"
	    "nameserver 192.0\0.2.3\n"
	    "search a.example\0b.example\n"
	    "nameserver 192.0.2.4\0";
	struct hecat__resolvconf rc;

	hecat__resolvconf_parse(&rc, text, sizeof(text) - 1);
	ck_assert_str_eq(ns_list(&rc), "192.0.2.1:53 192.0.2.4:53");
	ck_assert_str_eq(search_list(&rc), "a.example");
}
END_TEST

START_TEST(resolv_length_not_nul_bounds_input)
{
	static const char text[] = "nameserver 192.0.2.1nameserver 192.0.2.2";
	struct hecat__resolvconf rc;

	hecat__resolvconf_parse(&rc, text, strlen("nameserver 192.0.2.1"));
	ck_assert_str_eq(ns_list(&rc), "192.0.2.1:53");
	hecat__resolvconf_parse(&rc, text, strlen("nameserver 192.0.2"));
	ck_assert_str_eq(ns_list(&rc), "127.0.0.1:53");
}
END_TEST

START_TEST(resolv_very_long_lines_survive)
{
	size_t big = 1 << 20, off;
	char *text = malloc(3 * big + 256);
	struct hecat__resolvconf rc;

	ck_assert_ptr_nonnull(text);
	off = (size_t)sprintf(text, "search ");
	memset(text + off, 'x', big);		/* one over-long domain */
	off += big;
	off += (size_t)sprintf(text + off, " ok.example\nnameserver ");
	memset(text + off, '1', big);		/* one over-long address */
	off += big;
	off += (size_t)sprintf(text + off, "\noptions ");
	memset(text + off, ' ', big);		/* a megabyte of blanks */
	off += big;
	off += (size_t)sprintf(text + off, "ndots:4\nnameserver 192.0.2.1\n");
	hecat__resolvconf_parse(&rc, text, off);
	ck_assert_str_eq(search_list(&rc), "ok.example");
	ck_assert_str_eq(ns_list(&rc), "192.0.2.1:53");
	ck_assert_uint_eq(rc.ndots, 4);
	free(text);
}
END_TEST

START_TEST(resolv_random_bytes_keep_invariants)
{
	size_t len = 1 << 16, i, n;
	struct hecat__resolvconf rc;
	uint32_t seed;
	char *buf;

	for (seed = 1; seed <= 64; seed++) {
		buf = garbage(len, seed);
		hecat__resolvconf_parse(&rc, buf, len);
		ck_assert_uint_ge(rc.nns, 1);
		ck_assert_uint_le(rc.nns, HECAT__RESOLV_MAXNS);
		ck_assert_uint_le(rc.nsearch, HECAT__RESOLV_MAXSEARCH);
		for (i = 0; i < rc.nns; i++) {
			ck_assert(rc.ns[i].ip.family == AF_INET ||
			    rc.ns[i].ip.family == AF_INET6);
			ck_assert_uint_eq(rc.ns[i].port, 53);
		}
		for (i = 0; i < rc.nsearch; i++) {
			n = strnlen(rc.search[i], HECAT__NAMELEN);
			ck_assert_uint_ge(n, 1);
			ck_assert_uint_le(n, 253);
		}
		ck_assert_uint_le(rc.ndots, 15);
		ck_assert(rc.timeout >= 1 && rc.timeout <= 30);
		ck_assert(rc.attempts >= 1 && rc.attempts <= 5);
		free(buf);
	}
}
END_TEST

/* ---- resolv.conf: files ------------------------------------------------ */

START_TEST(resolv_load_reads_file)
{
	static const char text[] =
	    "# generated\nnameserver 192.0.2.1\nnameserver 2001:db8::1\n"
	    "search corp.example\noptions ndots:2 timeout:2 attempts:3\n";
	struct hecat__resolvconf rc;
	char path[64];

	temp_file(path, text, sizeof(text) - 1);
	ck_assert_int_eq(hecat__resolvconf_load(&rc, path), 0);
	unlink(path);
	ck_assert_str_eq(ns_list(&rc), "192.0.2.1:53 [2001:db8::1]:53");
	ck_assert_str_eq(search_list(&rc), "corp.example");
	ck_assert_uint_eq(rc.ndots, 2);
	ck_assert_uint_eq(rc.timeout, 2);
	ck_assert_uint_eq(rc.attempts, 3);
}
END_TEST

START_TEST(resolv_load_missing_file_gives_defaults)
{
	struct hecat__resolvconf rc;

	memset(&rc, 0xa5, sizeof(rc));
	ck_assert_int_eq(hecat__resolvconf_load(&rc,
	    "/nonexistent/hecat/resolv.conf"), 0);
	ck_assert_str_eq(ns_list(&rc), "127.0.0.1:53");
	ck_assert_uint_eq(rc.nsearch, 0);
	ck_assert_uint_eq(rc.ndots, 1);
}
END_TEST

START_TEST(resolv_load_unreadable_file_fails_with_defaults)
{
	struct hecat__resolvconf rc;

	memset(&rc, 0xa5, sizeof(rc));
	errno = 0;
	ck_assert_int_eq(hecat__resolvconf_load(&rc, "/tmp"), -1);
	ck_assert_int_eq(errno, EISDIR);
	ck_assert_str_eq(ns_list(&rc), "127.0.0.1:53");
	ck_assert_uint_eq(rc.timeout, 5);
}
END_TEST

/* A file beyond 1 MiB is read to its last whole line within 1 MiB. */
START_TEST(resolv_load_oversized_file_cut_at_line)
{
	static const char across[] = "nameserver 192.0.2.23\n";
	size_t cap = 1 << 20, off, r, line = 64, head = 20;
	char *text = malloc(cap + 4096), path[64];
	struct hecat__resolvconf rc;

	ck_assert_ptr_nonnull(text);
	off = (size_t)sprintf(text, "nameserver 192.0.2.1\n");
	while (off + line + 2 <= cap - head) {
		memset(text + off, '#', line - 1);
		text[off + line - 1] = '\n';
		off += line;
	}
	r = cap - head - off;
	memset(text + off, '#', r - 1);
	text[off + r - 1] = '\n';
	off += r;
	/* Across the limit; cut there, it would read "...192.0.2.2". */
	ck_assert_uint_eq(off, cap - head);
	memcpy(text + off, across, sizeof(across) - 1);
	ck_assert_int_eq(memcmp(text + cap - 9, "192.0.2.2", 9), 0);
	off += sizeof(across) - 1;
	off += (size_t)sprintf(text + off, "nameserver 192.0.2.3\n");
	temp_file(path, text, off);
	ck_assert_int_eq(hecat__resolvconf_load(&rc, path), 0);
	unlink(path);
	ck_assert_str_eq(ns_list(&rc), "192.0.2.1:53");
	free(text);
}
END_TEST

/* ---- search candidates ------------------------------------------------- */

START_TEST(cand_glibc_short_name_searched_first)
{
	struct hecat__resolvconf rc;

	resolv_with_search(&rc, 1);
	want_cands(&rc, "host", 16, "host.a.example host.b.example host");
}
END_TEST

START_TEST(cand_glibc_dotted_name_as_is_first)
{
	struct hecat__resolvconf rc;

	resolv_with_search(&rc, 1);
	want_cands(&rc, "www.x", 16,
	    "www.x www.x.a.example www.x.b.example");
}
END_TEST

START_TEST(cand_glibc_absolute_name_alone)
{
	struct hecat__resolvconf rc;

	resolv_with_search(&rc, 1);
	want_cands(&rc, "abs.", 16, "abs");
	want_cands(&rc, "www.example.", 16, "www.example");
}
END_TEST

START_TEST(cand_ndots_threshold)
{
	struct hecat__resolvconf rc;

	resolv_with_search(&rc, 2);
	want_cands(&rc, "www.x", 16, "www.x.a.example www.x.b.example www.x");
	want_cands(&rc, "a.b.c", 16, "a.b.c a.b.c.a.example a.b.c.b.example");
	resolv_with_search(&rc, 0);
	want_cands(&rc, "host", 16, "host host.a.example host.b.example");
	resolv_with_search(&rc, 15);
	want_cands(&rc, "a.b.c.d", 16,
	    "a.b.c.d.a.example a.b.c.d.b.example a.b.c.d");
}
END_TEST

START_TEST(cand_no_search_list_name_as_is)
{
	struct hecat__resolvconf rc;

	rc_parse(&rc, "");
	want_cands(&rc, "host", 16, "host");
	want_cands(&rc, "www.example", 16, "www.example");
	want_cands(&rc, "www.example.", 16, "www.example");
}
END_TEST

START_TEST(cand_empty_or_root_name_none)
{
	struct hecat__resolvconf rc;

	resolv_with_search(&rc, 1);
	want_cands(&rc, "", 16, "");
	want_cands(&rc, ".", 16, "");
	ck_assert_uint_eq(hecat__resolvconf_candidates(&rc, NULL, NULL, 0),
	    0);
}
END_TEST

START_TEST(cand_malformed_name_none)
{
	struct hecat__resolvconf rc;
	char name[80], want[512];

	resolv_with_search(&rc, 1);
	want_cands(&rc, "a..b", 16, "");
	want_cands(&rc, ".a", 16, "");
	want_cands(&rc, "a..", 16, "");
	want_cands(&rc, "a\nb", 16, "");
	/* A label of 64 characters is too long; of 63, fine. */
	memset(name, 'l', 64);
	strcpy(name + 64, ".example");
	want_cands(&rc, name, 16, "");
	strcpy(name + 63, ".example");
	snprintf(want, sizeof(want), "%s %s.a.example %s.b.example", name,
	    name, name);
	want_cands(&rc, name, 16, want);
}
END_TEST

START_TEST(cand_max_bounds_output)
{
	struct hecat__resolvconf rc;

	resolv_with_search(&rc, 1);
	want_cands(&rc, "host", 2, "host.a.example host.b.example");
	want_cands(&rc, "host", 1, "host.a.example");
	want_cands(&rc, "host", 0, "");
}
END_TEST

/* 63-character labels and a last one of 61: 253 characters. */
static void
name253(char name[300])
{
	size_t i;

	memset(name, 'n', 253);
	for (i = 63; i < 253; i += 64)
		name[i] = '.';
	name[253] = '\0';
}

START_TEST(cand_over_253_skipped)
{
	struct hecat__resolvconf rc;
	char name[300], want[300];

	resolv_with_search(&rc, 1);
	name253(name);
	/* 253: as is; with a search domain, too long. */
	want_cands(&rc, name, 16, name);
	/* 254: nothing at all. */
	strcat(name, "n");
	want_cands(&rc, name, 16, "");
	/* 253 and a final dot: the name alone, without the dot. */
	name253(name);
	strcpy(want, name);
	strcat(name, ".");
	ck_assert_uint_eq(strlen(name), 254);
	want_cands(&rc, name, 16, want);
	/* Two final dots: an empty label, nothing. */
	strcat(name, ".");
	want_cands(&rc, name, 16, "");
}
END_TEST

START_TEST(cand_search_joined_at_253_boundary)
{
	struct hecat__resolvconf rc;
	char name[300], want[1024];

	/* "a.example" is 9 characters: names of 243 and 244 with dots. */
	rc_parse(&rc, "search a.example\n");
	memset(name, 'n', 243);
	name[60] = name[121] = name[182] = '.';
	name[243] = '\0';
	snprintf(want, sizeof(want), "%s %s.a.example", name, name);
	want_cands(&rc, name, 16, want);		/* 253: kept */
	name[243] = 'n';
	name[244] = '\0';
	want_cands(&rc, name, 16, name);		/* 254: skipped */
}
END_TEST

START_TEST(cand_duplicates_once)
{
	struct hecat__resolvconf rc;

	rc_parse(&rc, "search a.example A.EXAMPLE a.example. b.example\n");
	ck_assert_uint_eq(rc.nsearch, 4);
	want_cands(&rc, "host", 16, "host.a.example host.b.example host");
}
END_TEST

START_TEST(cand_full_search_list)
{
	struct hecat__resolvconf rc;

	rc_parse(&rc, "search d1 d2 d3 d4 d5 d6 d7 d8\noptions ndots:1\n");
	want_cands(&rc, "h", 16, "h.d1 h.d2 h.d3 h.d4 h.d5 h.d6 h.d7 h.d8 h");
	want_cands(&rc, "h", 9, "h.d1 h.d2 h.d3 h.d4 h.d5 h.d6 h.d7 h.d8 h");
	want_cands(&rc, "h", 8, "h.d1 h.d2 h.d3 h.d4 h.d5 h.d6 h.d7 h.d8");
}
END_TEST

/* ---- name-server syntax ------------------------------------------------ */

static void
want_ns(const char *s, const char *want)
{
	struct hecat__nameserver ns;
	char got[HECAT__IP_FMTLEN + 8];

	memset(&ns, 0xa5, sizeof(ns));
	ck_assert_msg(hecat__nameserver_parse(&ns, s) == 0, "%s rejected", s);
	hecat__ip_fmt_port(&ns.ip, ns.port, got, sizeof(got));
	ck_assert_msg(strcmp(got, want) == 0, "%s: got %s, want %s", s, got,
	    want);
}

START_TEST(ns_ipv4_default_port)
{
	want_ns("192.0.2.1", "192.0.2.1:53");
}
END_TEST

START_TEST(ns_ipv4_with_port)
{
	want_ns("192.0.2.1:5353", "192.0.2.1:5353");
	want_ns("192.0.2.1:1", "192.0.2.1:1");
	want_ns("192.0.2.1:65535", "192.0.2.1:65535");
	want_ns("192.0.2.1:053", "192.0.2.1:53");
}
END_TEST

/* Another default port (DNS over TLS's 853): only where none is given. */
START_TEST(ns_other_default_port)
{
	struct hecat__nameserver ns;
	const char *s[] = { "192.0.2.1", "192.0.2.1:5353", "::1", "[::1]",
	    "[::1]:53" };
	const uint16_t want[] = { 853, 5353, 853, 853, 53 };
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		ck_assert_int_eq(hecat__nameserver_parse_port(&ns, s[i], 853),
		    0);
		ck_assert_msg(ns.port == want[i], "%s: port %u, want %u", s[i],
		    ns.port, want[i]);
	}
}
END_TEST

START_TEST(ns_bare_ipv6_default_port)
{
	want_ns("2001:db8::1", "[2001:db8::1]:53");
	want_ns("::1", "[::1]:53");
	/* Bare, the last group is address, never port. */
	want_ns("2001:db8::1:5353", "[2001:db8::1:5353]:53");
	want_ns("fe80::1%1", "[fe80::1%1]:53");
}
END_TEST

START_TEST(ns_bracketed_ipv6)
{
	want_ns("[2001:db8::1]:5353", "[2001:db8::1]:5353");
	want_ns("[2001:db8::1]", "[2001:db8::1]:53");
	want_ns("[::ffff:192.0.2.1]:53", "[::ffff:192.0.2.1]:53");
}
END_TEST

START_TEST(ns_bracketed_ipv6_with_zone)
{
	char want[64];
	unsigned idx = if_nametoindex("lo");

	want_ns("[fe80::1%1]:53", "[fe80::1%1]:53");
	if (idx == 0)
		return;		/* no "lo" here */
	snprintf(want, sizeof(want), "[fe80::1%%%u]:53", idx);
	want_ns("[fe80::1%lo]:53", want);
}
END_TEST

START_TEST(ns_invalid_rejected_einval)
{
	static const char *const bad[] = {
		"", "1.2.3.4:", ":53", "[::1", "::1]", "host.name",
		"host.name:53", "1.2.3.4:0", "1.2.3.4:70000", "1.2.3.4:65536",
		"1.2.3.4:000053", "1.2.3.4:53x", "1.2.3.4:+53", "1.2.3.4: 53",
		"1.2.3.4:-1", " 1.2.3.4", "1.2.3.4 ", "1.2.3.4:53:53",
		"[::1]:", "[::1]:0", "[::1]:53x", "[::1]x", "[::1]]:53",
		"[]", "[]:53", "[192.0.2.1]:53", "[192.0.2.1]", "[[::1]]:53",
		"[fe80::1%nosuchif0]:53", "fe80::1%", "[::1]:53:53", "1.2.3",
		"300.1.1.1", "2001:db8:::1", "[2001:db8::1]:5353 ", "::1:",
		"1.2.3.4:0x35", "localhost",
	};
	struct hecat__nameserver ns, orig;
	size_t i;

	memset(&orig, 0x5a, sizeof(orig));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ns = orig;
		errno = 0;
		ck_assert_msg(hecat__nameserver_parse(&ns, bad[i]) == -1 &&
		    errno == EINVAL, "\"%s\" accepted (errno %d)", bad[i],
		    errno);
		ck_assert_msg(memcmp(&ns, &orig, sizeof(ns)) == 0,
		    "\"%s\" wrote the result", bad[i]);
	}
	errno = 0;
	ck_assert_int_eq(hecat__nameserver_parse(&ns, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(ns_overlong_rejected)
{
	struct hecat__nameserver ns;
	char s[4096];

	memset(s, '1', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	ck_assert_int_eq(hecat__nameserver_parse(&ns, s), -1);
	ck_assert_int_eq(errno, EINVAL);
	s[0] = '[';
	ck_assert_int_eq(hecat__nameserver_parse(&ns, s), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* ---- registration ------------------------------------------------------ */

static Suite *
resolvfiles_suite(void)
{
	Suite *s = suite_create("resolvfiles");
	TCase *tc;

	tc = tcase_create("hosts");
	tcase_add_test(tc, hosts_finds_both_families);
	tcase_add_test(tc, hosts_other_family_only_gives_zero);
	tcase_add_test(tc, hosts_unspec_gives_both_in_file_order);
	tcase_add_test(tc, hosts_aliases_all_found);
	tcase_add_test(tc, hosts_case_insensitive);
	tcase_add_test(tc, hosts_one_trailing_dot_ignored_both_sides);
	tcase_add_test(tc, hosts_file_order_kept);
	tcase_add_test(tc, hosts_duplicates_dropped);
	tcase_add_test(tc, hosts_same_address_many_names);
	tcase_add_test(tc, hosts_max_bounds_output);
	tcase_add_test(tc, hosts_v4mapped_is_ipv6);
	tcase_add_test(tc, hosts_numeric_zone_kept);
	tcase_add_test(tc, hosts_unknown_zone_line_skipped);
	tcase_add_test(tc, hosts_comments_anywhere);
	tcase_add_test(tc, hosts_tabs_and_spaces_separate);
	tcase_add_test(tc, hosts_crlf_accepted);
	tcase_add_test(tc, hosts_no_trailing_newline);
	tcase_add_test(tc, hosts_length_not_nul_bounds_input);
	tcase_add_test(tc, hosts_nul_byte_ends_line);
	tcase_add_test(tc, hosts_bad_lines_skipped);
	tcase_add_test(tc, hosts_control_characters_in_name_skipped);
	tcase_add_test(tc, hosts_name_length_limit_253);
	tcase_add_test(tc, hosts_lookup_of_overlong_name_misses);
	tcase_add_test(tc, hosts_very_long_line_fields_skipped);
	tcase_add_test(tc, hosts_empty_input_is_empty_table);
	tcase_add_test(tc, hosts_many_names_all_found);
	tcase_add_test(tc, hosts_many_addresses_one_name_ordered_deduplicated);
	tcase_add_test(tc, hosts_random_bytes_survive);
	suite_add_tcase(s, tc);

	tc = tcase_create("hosts-files");
	tcase_add_test(tc, hosts_load_reads_file);
	tcase_add_test(tc, hosts_load_missing_file_is_empty_table);
	tcase_add_test(tc, hosts_load_directory_is_empty_table);
	suite_add_tcase(s, tc);

	tc = tcase_create("resolv");
	tcase_add_test(tc, resolv_defaults_without_file_content);
	tcase_add_test(tc, resolv_nameservers_in_order_port_53);
	tcase_add_test(tc, resolv_nameserver_zone_by_interface_name);
	tcase_add_test(tc, resolv_nameservers_capped_at_max);
	tcase_add_test(tc, resolv_bad_nameservers_skipped);
	tcase_add_test(tc, resolv_nameserver_trailing_fields_ignored);
	tcase_add_test(tc, resolv_keyword_at_line_start_only);
	tcase_add_test(tc, resolv_comments_hash_and_semicolon_anywhere);
	tcase_add_test(tc, resolv_search_list_dots_stripped);
	tcase_add_test(tc, resolv_search_list_capped_at_max);
	tcase_add_test(tc, resolv_last_of_search_and_domain_wins);
	tcase_add_test(tc, resolv_domain_takes_first_field);
	tcase_add_test(tc, resolv_bad_search_domains_skipped);
	tcase_add_test(tc, resolv_empty_or_bad_search_line_keeps_list);
	tcase_add_test(tc, resolv_search_domain_length_limit);
	tcase_add_test(tc, resolv_options_read);
	tcase_add_test(tc, resolv_options_clamped);
	tcase_add_test(tc, resolv_options_bad_values_ignored);
	tcase_add_test(tc, resolv_crlf_accepted);
	tcase_add_test(tc, resolv_tabs_separate);
	tcase_add_test(tc, resolv_no_trailing_newline);
	tcase_add_test(tc, resolv_nul_byte_ends_line);
	tcase_add_test(tc, resolv_length_not_nul_bounds_input);
	tcase_add_test(tc, resolv_very_long_lines_survive);
	tcase_add_test(tc, resolv_random_bytes_keep_invariants);
	suite_add_tcase(s, tc);

	tc = tcase_create("resolv-files");
	tcase_add_test(tc, resolv_load_reads_file);
	tcase_add_test(tc, resolv_load_missing_file_gives_defaults);
	tcase_add_test(tc, resolv_load_unreadable_file_fails_with_defaults);
	tcase_add_test(tc, resolv_load_oversized_file_cut_at_line);
	suite_add_tcase(s, tc);

	tc = tcase_create("candidates");
	tcase_add_test(tc, cand_glibc_short_name_searched_first);
	tcase_add_test(tc, cand_glibc_dotted_name_as_is_first);
	tcase_add_test(tc, cand_glibc_absolute_name_alone);
	tcase_add_test(tc, cand_ndots_threshold);
	tcase_add_test(tc, cand_no_search_list_name_as_is);
	tcase_add_test(tc, cand_empty_or_root_name_none);
	tcase_add_test(tc, cand_malformed_name_none);
	tcase_add_test(tc, cand_max_bounds_output);
	tcase_add_test(tc, cand_over_253_skipped);
	tcase_add_test(tc, cand_search_joined_at_253_boundary);
	tcase_add_test(tc, cand_duplicates_once);
	tcase_add_test(tc, cand_full_search_list);
	suite_add_tcase(s, tc);

	tc = tcase_create("nameserver");
	tcase_add_test(tc, ns_ipv4_default_port);
	tcase_add_test(tc, ns_ipv4_with_port);
	tcase_add_test(tc, ns_other_default_port);
	tcase_add_test(tc, ns_bare_ipv6_default_port);
	tcase_add_test(tc, ns_bracketed_ipv6);
	tcase_add_test(tc, ns_bracketed_ipv6_with_zone);
	tcase_add_test(tc, ns_invalid_rejected_einval);
	tcase_add_test(tc, ns_overlong_rejected);
	suite_add_tcase(s, tc);

	return s;
}

const struct check_def check_def = { resolvfiles_suite, NULL };
