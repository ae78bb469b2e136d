/*
 * check_proxyproto.c - the proxy protocols' messages (lib/core/
 * proxyproto.c), byte for byte: SOCKS5 (RFC 1928) and its
 * username/password (RFC 1929), SOCKS4 and SOCKS4a, HTTP CONNECT with
 * Basic credentials (RFC 7617), and the reply parsers at their edges.
 * The stages that send and read these on a socket are
 * check_proxystage.c's.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "proxyproto.h"

/* ---- helpers ------------------------------------------------------------- */

static const struct sockaddr *
sa_of(struct sockaddr_storage *ss, const char *addr, uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
	} else {
		ck_assert_int_eq(inet_pton(AF_INET6, addr, &sin6->sin6_addr),
		    1);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
	}
	return (const struct sockaddr *)ss;
}

/* A string of n times c (n < 1024). */
static const char *
rep_char(char *buf, char c, size_t n)
{
	ck_assert_uint_lt(n, 1024);
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

/* RFC 4648 base64, bit by bit: the reference for the Basic credentials. */
static void
ref_base64(const unsigned char *s, size_t n, char *out)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t bit, nbits = n * 8, o = 0;
	unsigned v;
	int k;

	for (bit = 0; bit < nbits; bit += 6) {
		v = 0;
		for (k = 0; k < 6; k++) {
			size_t b = bit + (size_t)k;

			v <<= 1;
			if (b < nbits)
				v |= (s[b / 8] >> (7 - b % 8)) & 1;
		}
		out[o++] = tab[v];
	}
	while (o % 4 != 0)
		out[o++] = '=';
	out[o] = '\0';
}

/* ---- SOCKS5 -------------------------------------------------------------- */

START_TEST(s5_greeting)
{
	uint8_t b[4];

	memset(b, 0xee, sizeof(b));
	ck_assert_uint_eq(hecat__socks5_greeting(b, false), 3);
	ck_assert_mem_eq(b, "\x05\x01\x00", 3);
	ck_assert_uint_eq(b[3], 0xee);		/* untouched */
	ck_assert_uint_eq(hecat__socks5_greeting(b, true), 4);
	ck_assert_mem_eq(b, "\x05\x02\x00\x02", 4);
}
END_TEST

START_TEST(s5_method)
{
	ck_assert_int_eq(hecat__socks5_method((const uint8_t *)"\x05\x00"),
	    HECAT__SOCKS5_NOAUTH);
	ck_assert_int_eq(hecat__socks5_method((const uint8_t *)"\x05\x02"),
	    HECAT__SOCKS5_USERPASS);
	ck_assert_int_eq(hecat__socks5_method((const uint8_t *)"\x05\xff"),
	    HECAT__SOCKS5_NONE);
	ck_assert_int_eq(hecat__socks5_method((const uint8_t *)"\x05\x80"),
	    0x80);
	ck_assert_int_eq(hecat__socks5_method((const uint8_t *)"\x04\x00"),
	    -1);
	ck_assert_int_eq(hecat__socks5_method((const uint8_t *)"HT"), -1);
	ck_assert_int_eq(hecat__socks5_method((const uint8_t *)"\x00\x5a"),
	    -1);
}
END_TEST

START_TEST(s5_auth_request)
{
	uint8_t b[HECAT__SOCKS_AUTH_MAX + 8];
	char u[1024], p[1024];

	ck_assert_uint_eq(HECAT__SOCKS_AUTH_MAX, 513);
	ck_assert_uint_eq(hecat__socks5_auth(b, "u", "p"), 5);
	ck_assert_mem_eq(b, "\x01\x01u\x01p", 5);
	ck_assert_uint_eq(hecat__socks5_auth(b, "alice", "s3cret"), 14);
	ck_assert_mem_eq(b, "\x01\x05" "alice\x06s3cret", 14);

	/* 255 bytes each: the most, filling the buffer exactly. */
	memset(b, 0xee, sizeof(b));
	rep_char(u, 'u', 255);
	rep_char(p, 'p', 255);
	ck_assert_uint_eq(hecat__socks5_auth(b, u, p), HECAT__SOCKS_AUTH_MAX);
	ck_assert_uint_eq(b[0], 1);
	ck_assert_uint_eq(b[1], 255);
	ck_assert_mem_eq(b + 2, u, 255);
	ck_assert_uint_eq(b[257], 255);
	ck_assert_mem_eq(b + 258, p, 255);
	ck_assert_uint_eq(b[HECAT__SOCKS_AUTH_MAX], 0xee);

	/* Refused: empty, or 256 bytes. */
	ck_assert_uint_eq(hecat__socks5_auth(b, "", "p"), 0);
	ck_assert_uint_eq(hecat__socks5_auth(b, "u", ""), 0);
	ck_assert_uint_eq(hecat__socks5_auth(b, rep_char(u, 'u', 256), "p"),
	    0);
	ck_assert_uint_eq(hecat__socks5_auth(b, "u", rep_char(p, 'p', 256)),
	    0);
}
END_TEST

START_TEST(s5_auth_status)
{
	ck_assert_int_eq(hecat__socks5_auth_status((const uint8_t *)"\x01\x00"),
	    0);
	ck_assert_int_eq(hecat__socks5_auth_status((const uint8_t *)"\x01\x01"),
	    1);
	ck_assert_int_eq(hecat__socks5_auth_status((const uint8_t *)"\x01\xff"),
	    1);
	ck_assert_int_eq(hecat__socks5_auth_status((const uint8_t *)"\x05\x00"),
	    -1);
	ck_assert_int_eq(hecat__socks5_auth_status((const uint8_t *)"\x00\x00"),
	    -1);
}
END_TEST

START_TEST(s5_request_addresses)
{
	struct sockaddr_storage ss;
	uint8_t b[HECAT__SOCKS5_MAXMSG];
	struct sockaddr_un sun;

	ck_assert_uint_eq(hecat__socks5_request(b, NULL,
	    sa_of(&ss, "192.0.2.1", 0), 443), 10);
	ck_assert_mem_eq(b, "\x05\x01\x00\x01\xc0\x00\x02\x01\x01\xbb", 10);

	/* The port in network order, whatever the host's. */
	ck_assert_uint_eq(hecat__socks5_request(b, NULL,
	    sa_of(&ss, "198.51.100.7", 0), 0x1234), 10);
	ck_assert_mem_eq(b, "\x05\x01\x00\x01\xc6\x33\x64\x07\x12\x34", 10);

	ck_assert_uint_eq(hecat__socks5_request(b, NULL,
	    sa_of(&ss, "2001:db8::1", 0), 22), 22);
	ck_assert_mem_eq(b, "\x05\x01\x00\x04"
	    "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01"
	    "\x00\x16", 22);
	ck_assert_uint_eq(hecat__socks5_request(b, NULL,
	    sa_of(&ss, "::ffff:192.0.2.1", 0), 65535), 22);
	ck_assert_mem_eq(b + 4, "\0\0\0\0\0\0\0\0\0\0\xff\xff\xc0\x00\x02\x01"
	    "\xff\xff", 18);

	/* The port comes from the argument, not from the address. */
	ck_assert_uint_eq(hecat__socks5_request(b, NULL,
	    sa_of(&ss, "192.0.2.1", 9999), 80), 10);
	ck_assert_mem_eq(b + 8, "\x00\x50", 2);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ck_assert_uint_eq(hecat__socks5_request(b, NULL,
	    (const struct sockaddr *)&sun, 80), 0);
}
END_TEST

START_TEST(s5_request_names)
{
	struct sockaddr_storage ss;
	uint8_t b[HECAT__SOCKS5_MAXMSG + 8];
	char name[1024];

	sa_of(&ss, "192.0.2.1", 0);	/* ignored when there is a name */
	ck_assert_uint_eq(hecat__socks5_request(b, "a",
	    (const struct sockaddr *)&ss, 0x0102), 8);
	ck_assert_mem_eq(b, "\x05\x01\x00\x03\x01" "a\x01\x02", 8);
	ck_assert_uint_eq(hecat__socks5_request(b, "example.com",
	    (const struct sockaddr *)&ss, 443), 18);
	ck_assert_mem_eq(b, "\x05\x01\x00\x03\x0b" "example.com\x01\xbb", 18);

	memset(b, 0xee, sizeof(b));
	rep_char(name, 'n', 255);
	ck_assert_uint_eq(hecat__socks5_request(b, name,
	    (const struct sockaddr *)&ss, 80), HECAT__SOCKS5_MAXMSG);
	ck_assert_uint_eq(HECAT__SOCKS5_MAXMSG, 262);
	ck_assert_mem_eq(b, "\x05\x01\x00\x03\xff", 5);
	ck_assert_mem_eq(b + 5, name, 255);
	ck_assert_mem_eq(b + 260, "\x00\x50", 2);
	ck_assert_uint_eq(b[262], 0xee);

	ck_assert_uint_eq(hecat__socks5_request(b, "",
	    (const struct sockaddr *)&ss, 80), 0);
	ck_assert_uint_eq(hecat__socks5_request(b, rep_char(name, 'n', 256),
	    (const struct sockaddr *)&ss, 80), 0);
}
END_TEST

START_TEST(s5_reply_len)
{
	uint8_t b[8];
	size_t n;
	int t;

	/* Fewer than 5 bytes: not known yet, whatever they are. */
	memcpy(b, "\x05\x00\x00\x01\x7f", 5);
	for (n = 0; n < 5; n++)
		ck_assert_int_eq(hecat__socks5_reply_len(b, n), 0);
	ck_assert_int_eq(hecat__socks5_reply_len((const uint8_t *)"XXXX", 4),
	    0);

	ck_assert_int_eq(hecat__socks5_reply_len(
	    (const uint8_t *)"\x05\x00\x00\x01\x7f", 5), 10);
	ck_assert_int_eq(hecat__socks5_reply_len(
	    (const uint8_t *)"\x05\x05\x00\x01\x00", 5), 10);
	ck_assert_int_eq(hecat__socks5_reply_len(
	    (const uint8_t *)"\x05\x00\x00\x04\x20", 5), 22);
	/* A name's: 7 + its length, shorter than 10 for 1 and 2. */
	ck_assert_int_eq(hecat__socks5_reply_len(
	    (const uint8_t *)"\x05\x00\x00\x03\x01", 5), 8);
	ck_assert_int_eq(hecat__socks5_reply_len(
	    (const uint8_t *)"\x05\x00\x00\x03\x02", 5), 9);
	ck_assert_int_eq(hecat__socks5_reply_len(
	    (const uint8_t *)"\x05\x00\x00\x03\x03", 5), 10);
	ck_assert_int_eq(hecat__socks5_reply_len(
	    (const uint8_t *)"\x05\x00\x00\x03\xff", 5), 262);
	ck_assert_int_eq(HECAT__SOCKS5_MAXREPLY, 262);
	/* More bytes change nothing. */
	ck_assert_int_eq(hecat__socks5_reply_len(
	    (const uint8_t *)"\x05\x00\x00\x03\x01zPP", 8), 8);

	/* Not a SOCKS5 reply. */
	ck_assert_int_eq(hecat__socks5_reply_len(
	    (const uint8_t *)"\x05\x00\x00\x03\x00", 5), -1);
	ck_assert_int_eq(hecat__socks5_reply_len(
	    (const uint8_t *)"\x04\x00\x00\x01\x00", 5), -1);
	ck_assert_int_eq(hecat__socks5_reply_len(
	    (const uint8_t *)"\x00\x5a\x00\x01\x00", 5), -1);
	ck_assert_int_eq(hecat__socks5_reply_len(
	    (const uint8_t *)"\x05\x00\x01\x01\x00", 5), -1);
	ck_assert_int_eq(hecat__socks5_reply_len(
	    (const uint8_t *)"\x05\x00\xff\x01\x00", 5), -1);
	ck_assert_int_eq(hecat__socks5_reply_len(
	    (const uint8_t *)"HTTP/1.1 200", 12), -1);
	for (t = 0; t < 256; t++) {
		memcpy(b, "\x05\x00\x00\x00\x01", 5);
		b[3] = (uint8_t)t;
		if (t == 1 || t == 3 || t == 4)
			ck_assert_int_gt(hecat__socks5_reply_len(b, 5), 0);
		else
			ck_assert_int_eq(hecat__socks5_reply_len(b, 5), -1);
	}
}
END_TEST

START_TEST(s5_reply_ipv4)
{
	struct sockaddr_storage bound;
	struct sockaddr_in *sin = (struct sockaddr_in *)&bound;
	socklen_t blen = 12345;
	char a[INET_ADDRSTRLEN];
	int rep = -2;

	ck_assert_int_eq(hecat__socks5_reply((const uint8_t *)
	    "\x05\x00\x00\x01\xc0\x00\x02\x07\x04\x38", 10, &rep, &bound,
	    &blen), 0);
	ck_assert_int_eq(rep, 0);
	ck_assert_uint_eq(blen, sizeof(struct sockaddr_in));
	ck_assert_int_eq(sin->sin_family, AF_INET);
	ck_assert_uint_eq(ntohs(sin->sin_port), 1080);
	inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
	ck_assert_str_eq(a, "192.0.2.7");

	/* 0.0.0.0: no address said. */
	memset(&bound, 0xee, sizeof(bound));
	ck_assert_int_eq(hecat__socks5_reply((const uint8_t *)
	    "\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00", 10, &rep, &bound,
	    &blen), 0);
	ck_assert_int_eq(rep, 5);
	ck_assert_uint_eq(blen, 0);
	ck_assert_int_eq(bound.ss_family, 0);
}
END_TEST

START_TEST(s5_reply_ipv6)
{
	struct sockaddr_storage bound;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&bound;
	socklen_t blen = 0;
	char a[INET6_ADDRSTRLEN];
	int rep = -2;

	ck_assert_int_eq(hecat__socks5_reply((const uint8_t *)
	    "\x05\x00\x00\x04"
	    "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x07"
	    "\xab\xcd", 22, &rep, &bound, &blen), 0);
	ck_assert_int_eq(rep, 0);
	ck_assert_uint_eq(blen, sizeof(struct sockaddr_in6));
	ck_assert_int_eq(sin6->sin6_family, AF_INET6);
	ck_assert_uint_eq(ntohs(sin6->sin6_port), 0xabcd);
	inet_ntop(AF_INET6, &sin6->sin6_addr, a, sizeof(a));
	ck_assert_str_eq(a, "2001:db8::7");

	/* :: is none; a port alone does not make an address. */
	ck_assert_int_eq(hecat__socks5_reply((const uint8_t *)
	    "\x05\x00\x00\x04"
	    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	    "\x00\x50", 22, &rep, &bound, &blen), 0);
	ck_assert_uint_eq(blen, 0);
	/* ::1 is one (only its last byte set). */
	ck_assert_int_eq(hecat__socks5_reply((const uint8_t *)
	    "\x05\x00\x00\x04"
	    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01"
	    "\x00\x50", 22, &rep, &bound, &blen), 0);
	ck_assert_uint_eq(blen, sizeof(struct sockaddr_in6));
}
END_TEST

START_TEST(s5_reply_name)
{
	struct sockaddr_storage bound;
	socklen_t blen = 99;
	int rep = -2;

	ck_assert_int_eq(hecat__socks5_reply((const uint8_t *)
	    "\x05\x00\x00\x03\x01x\x00\x50", 8, &rep, &bound, &blen), 0);
	ck_assert_int_eq(rep, 0);
	ck_assert_uint_eq(blen, 0);
	ck_assert_int_eq(hecat__socks5_reply((const uint8_t *)
	    "\x05\x04\x00\x03\x0dproxy.example\x00\x50", 20, &rep, &bound,
	    &blen), 0);
	ck_assert_int_eq(rep, 4);
	ck_assert_uint_eq(blen, 0);
}
END_TEST

/* Only a whole reply, of the length its head says, is parsed. */
START_TEST(s5_reply_malformed)
{
	static const uint8_t v4[] = "\x05\x00\x00\x01\xc0\x00\x02\x07\x04\x38";
	static const uint8_t nm[] = "\x05\x00\x00\x03\x02xy\x00\x50";
	struct sockaddr_storage bound;
	socklen_t blen;
	size_t n;
	int rep = -2;

	for (n = 0; n <= 11; n++)
		ck_assert_int_eq(hecat__socks5_reply(v4, n, &rep, &bound,
		    &blen), n == 10 ? 0 : -1);
	for (n = 0; n <= 10; n++)
		ck_assert_int_eq(hecat__socks5_reply(nm, n, &rep, &bound,
		    &blen), n == 9 ? 0 : -1);
	rep = -2;
	ck_assert_int_eq(hecat__socks5_reply((const uint8_t *)
	    "\x04\x00\x00\x01\xc0\x00\x02\x07\x04\x38", 10, &rep, &bound,
	    &blen), -1);
	ck_assert_int_eq(hecat__socks5_reply((const uint8_t *)
	    "\x05\x00\x01\x01\xc0\x00\x02\x07\x04\x38", 10, &rep, &bound,
	    &blen), -1);
	ck_assert_int_eq(hecat__socks5_reply((const uint8_t *)
	    "\x05\x00\x00\x02\xc0\x00\x02\x07\x04\x38", 10, &rep, &bound,
	    &blen), -1);
	ck_assert_int_eq(hecat__socks5_reply((const uint8_t *)
	    "\x05\x00\x00\x03\x00\x00\x50", 7, &rep, &bound, &blen), -1);
	ck_assert_int_eq(rep, -2);		/* never set */
}
END_TEST

/*
 * A reply parsed wherever it lies in memory: the stages' buffers are
 * byte arrays, with no alignment promised for the address in them.
 * (Under --enable-sanitizers a misaligned load fails this test.)
 */
START_TEST(s5_reply_any_alignment)
{
	static const uint8_t v6[] = "\x05\x00\x00\x04"
	    "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x07"
	    "\x01\xbb";
	static const uint8_t v4[] = "\x05\x00\x00\x01\xc0\x00\x02\x07\x04\x38";
	_Alignas(16) uint8_t buf[64];
	struct sockaddr_storage bound;
	socklen_t blen;
	size_t off;
	int rep;

	for (off = 0; off < 16; off++) {
		memcpy(buf + off, v6, 22);
		ck_assert_int_eq(hecat__socks5_reply(buf + off, 22, &rep,
		    &bound, &blen), 0);
		ck_assert_uint_eq(blen, sizeof(struct sockaddr_in6));
		memset(buf + off + 4, 0, 16);
		ck_assert_int_eq(hecat__socks5_reply(buf + off, 22, &rep,
		    &bound, &blen), 0);
		ck_assert_uint_eq(blen, 0);
		memcpy(buf + off, v4, 10);
		ck_assert_int_eq(hecat__socks5_reply(buf + off, 10, &rep,
		    &bound, &blen), 0);
		ck_assert_uint_eq(blen, sizeof(struct sockaddr_in));
	}
}
END_TEST

START_TEST(s5_rep_names)
{
	static const struct {
		int		 rep;
		const char	*name;
		int		 error;
	} t[] = {
		{ 0, "succeeded", 0 },
		{ 1, "general SOCKS server failure", ECONNABORTED },
		{ 2, "connection not allowed by ruleset", EACCES },
		{ 3, "network unreachable", ENETUNREACH },
		{ 4, "host unreachable", EHOSTUNREACH },
		{ 5, "connection refused", ECONNREFUSED },
		{ 6, "TTL expired", ETIMEDOUT },
		{ 7, "command not supported", EOPNOTSUPP },
		{ 8, "address type not supported", EAFNOSUPPORT },
		{ 9, "unassigned reply", EPROTO },
		{ 0x80, "unassigned reply", EPROTO },
		{ 255, "unassigned reply", EPROTO },
		{ -1, "unassigned reply", EPROTO }
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_str_eq(hecat__socks5_rep_name(t[i].rep), t[i].name);
		ck_assert_int_eq(hecat__socks5_rep_errno(t[i].rep), t[i].error);
	}
}
END_TEST

/* ---- SOCKS4 and SOCKS4a -------------------------------------------------- */

START_TEST(s4_request)
{
	struct sockaddr_storage ss;
	uint8_t b[HECAT__SOCKS4_MAXMSG + 8];

	ck_assert_uint_eq(hecat__socks4_request(b, NULL,
	    sa_of(&ss, "192.0.2.1", 0), 80, NULL), 9);
	ck_assert_mem_eq(b, "\x04\x01\x00\x50\xc0\x00\x02\x01\x00", 9);
	ck_assert_uint_eq(hecat__socks4_request(b, NULL,
	    sa_of(&ss, "192.0.2.1", 0), 0x1234, "bob"), 12);
	ck_assert_mem_eq(b, "\x04\x01\x12\x34\xc0\x00\x02\x01" "bob\x00", 12);
	ck_assert_uint_eq(hecat__socks4_request(b, NULL,
	    sa_of(&ss, "192.0.2.1", 0), 22, ""), 9);
	ck_assert_mem_eq(b, "\x04\x01\x00\x16\xc0\x00\x02\x01\x00", 9);

	/* 4a: 0.0.0.1, then the user, then the name. */
	ck_assert_uint_eq(hecat__socks4_request(b, "example.com",
	    sa_of(&ss, "2001:db8::1", 0), 443, NULL), 21);
	ck_assert_mem_eq(b, "\x04\x01\x01\xbb\x00\x00\x00\x01\x00"
	    "example.com\x00", 21);
	ck_assert_uint_eq(hecat__socks4_request(b, "h",
	    sa_of(&ss, "192.0.2.1", 0), 443, "u"), 12);
	ck_assert_mem_eq(b, "\x04\x01\x01\xbb\x00\x00\x00\x01u\x00h\x00", 12);

	/* SOCKS4 has no IPv6. */
	ck_assert_uint_eq(hecat__socks4_request(b, NULL,
	    sa_of(&ss, "2001:db8::1", 0), 80, NULL), 0);
	ck_assert_uint_eq(hecat__socks4_request(b, NULL,
	    sa_of(&ss, "::ffff:192.0.2.1", 0), 80, NULL), 0);
}
END_TEST

START_TEST(s4_request_limits)
{
	struct sockaddr_storage ss;
	uint8_t b[HECAT__SOCKS4_MAXMSG + 8];
	char user[1024], name[1024];

	sa_of(&ss, "192.0.2.1", 0);
	rep_char(user, 'u', 255);
	rep_char(name, 'n', 255);
	ck_assert_uint_eq(hecat__socks4_request(b, NULL,
	    (const struct sockaddr *)&ss, 80, user), 8 + 256);
	ck_assert_mem_eq(b + 8, user, 255);
	ck_assert_uint_eq(b[263], 0);

	memset(b, 0xee, sizeof(b));
	ck_assert_uint_eq(hecat__socks4_request(b, name,
	    (const struct sockaddr *)&ss, 80, user), HECAT__SOCKS4_MAXMSG);
	ck_assert_mem_eq(b + 8, user, 255);
	ck_assert_uint_eq(b[263], 0);
	ck_assert_mem_eq(b + 264, name, 255);
	ck_assert_uint_eq(b[519], 0);
	ck_assert_uint_eq(b[520], 0xee);

	ck_assert_uint_eq(hecat__socks4_request(b, NULL,
	    (const struct sockaddr *)&ss, 80, rep_char(user, 'u', 256)), 0);
	ck_assert_uint_eq(hecat__socks4_request(b, rep_char(name, 'n', 256),
	    (const struct sockaddr *)&ss, 80, NULL), 0);
	ck_assert_uint_eq(hecat__socks4_request(b, "",
	    (const struct sockaddr *)&ss, 80, NULL), 0);
}
END_TEST

START_TEST(s4_reply)
{
	struct sockaddr_storage bound;
	struct sockaddr_in *sin = (struct sockaddr_in *)&bound;
	socklen_t blen = 0;
	char a[INET_ADDRSTRLEN];
	int cd = -2;

	ck_assert_int_eq(hecat__socks4_reply((const uint8_t *)
	    "\x00\x5a\x1f\x90\xc0\x00\x02\x09", &cd, &bound, &blen), 0);
	ck_assert_int_eq(cd, 90);
	ck_assert_uint_eq(blen, sizeof(struct sockaddr_in));
	ck_assert_int_eq(sin->sin_family, AF_INET);
	ck_assert_uint_eq(ntohs(sin->sin_port), 8080);
	inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
	ck_assert_str_eq(a, "192.0.2.9");

	/* 0.0.0.0 (most servers): none, whatever the port. */
	ck_assert_int_eq(hecat__socks4_reply((const uint8_t *)
	    "\x00\x5a\x1f\x90\x00\x00\x00\x00", &cd, &bound, &blen), 0);
	ck_assert_uint_eq(blen, 0);
	ck_assert_int_eq(hecat__socks4_reply((const uint8_t *)
	    "\x00\x5b\x00\x00\x00\x00\x00\x00", &cd, &bound, &blen), 0);
	ck_assert_int_eq(cd, 91);

	/* VN is 0 (not 4). */
	cd = -2;
	ck_assert_int_eq(hecat__socks4_reply((const uint8_t *)
	    "\x04\x5a\x00\x00\x00\x00\x00\x00", &cd, &bound, &blen), -1);
	ck_assert_int_eq(hecat__socks4_reply((const uint8_t *)
	    "\x05\x00\x00\x01\x00\x00\x00\x00", &cd, &bound, &blen), -1);
	ck_assert_int_eq(hecat__socks4_reply((const uint8_t *)
	    "HTTP/1.1", &cd, &bound, &blen), -1);
	ck_assert_int_eq(cd, -2);
}
END_TEST

START_TEST(s4_cd_names)
{
	ck_assert_str_eq(hecat__socks4_cd_name(90), "request granted");
	ck_assert_int_eq(hecat__socks4_cd_errno(90), 0);
	ck_assert_str_eq(hecat__socks4_cd_name(91),
	    "request rejected or failed");
	ck_assert_int_eq(hecat__socks4_cd_errno(91), ECONNREFUSED);
	ck_assert_str_eq(hecat__socks4_cd_name(92), "request rejected: the "
	    "proxy cannot reach identd on this host");
	ck_assert_int_eq(hecat__socks4_cd_errno(92), EACCES);
	ck_assert_str_eq(hecat__socks4_cd_name(93),
	    "request rejected: identd reports another user");
	ck_assert_int_eq(hecat__socks4_cd_errno(93), EACCES);
	ck_assert_str_eq(hecat__socks4_cd_name(94), "unknown reply");
	ck_assert_int_eq(hecat__socks4_cd_errno(94), EPROTO);
	ck_assert_str_eq(hecat__socks4_cd_name(0), "unknown reply");
	ck_assert_int_eq(hecat__socks4_cd_errno(0), EPROTO);
	ck_assert_int_eq(hecat__socks4_cd_errno(89), EPROTO);
}
END_TEST

/* ---- HTTP CONNECT: the request ------------------------------------------- */

START_TEST(http_request_targets)
{
	struct sockaddr_storage ss;
	struct sockaddr_un sun;
	char b[HECAT__HTTP_MAXREQ];
	const char *want;

	want = "CONNECT example.com:443 HTTP/1.1\r\n"
	    "Host: example.com:443\r\n\r\n";
	ck_assert_uint_eq(hecat__http_request(b, sizeof(b), "example.com",
	    NULL, 443, NULL, NULL), strlen(want));
	ck_assert_str_eq(b, want);

	want = "CONNECT 192.0.2.1:80 HTTP/1.1\r\nHost: 192.0.2.1:80\r\n\r\n";
	ck_assert_uint_eq(hecat__http_request(b, sizeof(b), NULL,
	    sa_of(&ss, "192.0.2.1", 1), 80, NULL, NULL), strlen(want));
	ck_assert_str_eq(b, want);

	want = "CONNECT [2001:db8::1]:22 HTTP/1.1\r\n"
	    "Host: [2001:db8::1]:22\r\n\r\n";
	ck_assert_uint_eq(hecat__http_request(b, sizeof(b), NULL,
	    sa_of(&ss, "2001:db8::1", 1), 22, NULL, NULL), strlen(want));
	ck_assert_str_eq(b, want);

	/* The longest IPv6 text, and the largest port. */
	want = "CONNECT [ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535 "
	    "HTTP/1.1\r\nHost: [ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]"
	    ":65535\r\n\r\n";
	ck_assert_uint_eq(hecat__http_request(b, sizeof(b), NULL,
	    sa_of(&ss, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1), 65535,
	    NULL, NULL), strlen(want));
	ck_assert_str_eq(b, want);
	want = "CONNECT [::ffff:192.0.2.1]:0 HTTP/1.1\r\n"
	    "Host: [::ffff:192.0.2.1]:0\r\n\r\n";
	ck_assert_uint_eq(hecat__http_request(b, sizeof(b), NULL,
	    sa_of(&ss, "::ffff:192.0.2.1", 1), 0, NULL, NULL), strlen(want));
	ck_assert_str_eq(b, want);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ck_assert_uint_eq(hecat__http_request(b, sizeof(b), NULL,
	    (const struct sockaddr *)&sun, 80, NULL, NULL), 0);
}
END_TEST

/* Basic credentials: RFC 7617's examples, and each padding of base64. */
START_TEST(http_request_basic)
{
	static const struct {
		const char	*user, *pass, *b64;
	} t[] = {
		{ "Aladdin", "open sesame", "QWxhZGRpbjpvcGVuIHNlc2FtZQ==" },
		{ "test", "123\xc2\xa3", "dGVzdDoxMjPCow==" },	/* RFC 7617 */
		{ "a", "b", "YTpi" },			/* 3 bytes: no '=' */
		{ "ab", "c", "YWI6Yw==" },		/* 4: two */
		{ "a", "", "YTo=" },			/* 2: one */
		{ "", "", "Og==" },
		{ "user", "pw", "dXNlcjpwdw==" },
		{ "u", "\xfb\xff", "dTr7/w==" },	/* '+' and '/' */
		{ "\xff", "\xfe\xff", "/zr+/w==" }
	};
	char b[HECAT__HTTP_MAXREQ], want[HECAT__HTTP_MAXREQ];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(want, sizeof(want), "CONNECT h:1 HTTP/1.1\r\n"
		    "Host: h:1\r\nProxy-Authorization: Basic %s\r\n\r\n",
		    t[i].b64);
		ck_assert_uint_eq(hecat__http_request(b, sizeof(b), "h", NULL,
		    1, t[i].user, t[i].pass), strlen(want));
		ck_assert_str_eq(b, want);
	}
}
END_TEST

/* Every length of credentials up to the most, against a reference. */
START_TEST(http_request_basic_lengths)
{
	char b[HECAT__HTTP_MAXREQ], want[HECAT__HTTP_MAXREQ];
	char user[300], pass[300], cred[700], b64[940];
	size_t ul, pl, i;

	for (ul = 0; ul <= 256; ul += (ul < 8 ? 1 : 31)) {
		for (pl = 0; pl <= 256; pl += (pl < 8 ? 1 : 37)) {
			for (i = 0; i < ul; i++)
				user[i] = (char)(0x21 + (i * 7 + pl) % 0x5e);
			user[ul] = '\0';
			for (i = 0; i < ul; i++)
				if (user[i] == ':')
					user[i] = ';';
			for (i = 0; i < pl; i++)
				pass[i] = (char)(1 + (i * 13 + ul) % 255);
			pass[pl] = '\0';
			snprintf(cred, sizeof(cred), "%s:%s", user, pass);
			ref_base64((const unsigned char *)cred, strlen(cred),
			    b64);
			snprintf(want, sizeof(want), "CONNECT h:1 HTTP/1.1\r\n"
			    "Host: h:1\r\nProxy-Authorization: Basic %s\r\n"
			    "\r\n", b64);
			ck_assert_uint_eq(hecat__http_request(b, sizeof(b),
			    "h", NULL, 1, user, pass), strlen(want));
			ck_assert_str_eq(b, want);
		}
	}
	/* 256 bytes each at most; a colon is never in the user. */
	ck_assert_uint_eq(hecat__http_request(b, sizeof(b), "h", NULL, 1,
	    rep_char(user, 'u', 256), rep_char(pass, 'p', 256)) > 0, 1);
	ck_assert_uint_eq(hecat__http_request(b, sizeof(b), "h", NULL, 1,
	    rep_char(user, 'u', 257), "p"), 0);
	ck_assert_uint_eq(hecat__http_request(b, sizeof(b), "h", NULL, 1,
	    "u", rep_char(pass, 'p', 257)), 0);
	ck_assert_uint_eq(hecat__http_request(b, sizeof(b), "h", NULL, 1,
	    "a:b", "p"), 0);
	ck_assert_uint_eq(hecat__http_request(b, sizeof(b), "h", NULL, 1,
	    ":", "p"), 0);
	/* The password may hold one. */
	ck_assert_uint_gt(hecat__http_request(b, sizeof(b), "h", NULL, 1,
	    "u", "p:q"), 0);
}
END_TEST

/* A name goes in the request line and Host: only a plain one. */
START_TEST(http_request_bad_names)
{
	static const char *const bad[] = {
		"", "a b", "a\tb", "a\r\nX-Evil: 1", "a\rb", "a\nb", "\x7f",
		"a\x01", " a", "a ", "user@host", "a/b", "[::1]", "a]", "[a",
		"a?b", "a#b", "a\\b"
	};
	char b[HECAT__HTTP_MAXREQ], name[1024];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(b, 0, sizeof(b));
		ck_assert_msg(hecat__http_request(b, sizeof(b), bad[i], NULL,
		    80, NULL, NULL) == 0, "name %zu accepted: \"%s\"", i, b);
	}
	ck_assert_uint_gt(hecat__http_request(b, sizeof(b),
	    rep_char(name, 'n', 255), NULL, 80, NULL, NULL), 0);
	ck_assert_ptr_nonnull(strstr(b, "Host: nnn"));
	ck_assert_uint_eq(hecat__http_request(b, sizeof(b),
	    rep_char(name, 'n', 256), NULL, 80, NULL, NULL), 0);
	ck_assert_uint_gt(hecat__http_request(b, sizeof(b), "xn--bcher-kva.ex",
	    NULL, 80, NULL, NULL), 0);
}
END_TEST

/* The request fits its buffer with its NUL, or is refused. */
START_TEST(http_request_buffer)
{
	char b[HECAT__HTTP_MAXREQ], whole[HECAT__HTTP_MAXREQ];
	size_t len, n;

	len = hecat__http_request(whole, sizeof(whole), "example.com", NULL,
	    443, "Aladdin", "open sesame");
	ck_assert_uint_eq(len, strlen(whole));
	for (n = 0; n <= len + 1; n++) {
		memset(b, 0xee, sizeof(b));
		ck_assert_uint_eq(hecat__http_request(b, n, "example.com",
		    NULL, 443, "Aladdin", "open sesame"), n > len ? len : 0);
		ck_assert_uint_eq((unsigned char)b[n], 0xee);
	}
	ck_assert_str_eq(b, whole);
}
END_TEST

/* ---- HTTP CONNECT: the reply's head -------------------------------------- */

#define OK_HEAD	"HTTP/1.1 200 Connection established\r\nVia: x\r\n\r\n"

/* The scan of s in pieces of at most step bytes; its total count. */
static ssize_t
scan_pieces(struct hecat__http_scan *sc, const char *s, size_t len,
    size_t step, bool *done)
{
	size_t off = 0, k;
	ssize_t n, sum = 0;

	memset(sc, 0, sizeof(*sc));
	*done = false;
	while (off < len && !*done) {
		k = len - off < step ? len - off : step;
		if ((n = hecat__http_scan(sc, s + off, k, done)) == -1)
			return -1;
		ck_assert_int_le(n, (ssize_t)k);
		ck_assert_msg(*done || (size_t)n == k, "stopped early");
		off += (size_t)n;
		sum += n;
	}
	return sum;
}

START_TEST(http_scan_whole)
{
	struct hecat__http_scan sc;
	bool done;

	memset(&sc, 0, sizeof(sc));
	ck_assert_int_eq(hecat__http_scan(&sc, OK_HEAD, 0, &done), 0);
	ck_assert(!done);
	ck_assert_int_eq(hecat__http_scan(&sc, OK_HEAD, strlen(OK_HEAD),
	    &done), (ssize_t)strlen(OK_HEAD));
	ck_assert(done);
	ck_assert_uint_eq(sc.total, strlen(OK_HEAD));
	ck_assert_str_eq(sc.line, "HTTP/1.1 200 Connection established");
	ck_assert_int_eq(hecat__http_status(&sc), 200);
}
END_TEST

/* One byte at a time: each is the head's until the last. */
START_TEST(http_scan_bytewise)
{
	struct hecat__http_scan sc;
	size_t i, len = strlen(OK_HEAD);
	bool done;

	memset(&sc, 0, sizeof(sc));
	for (i = 0; i < len; i++) {
		ck_assert_int_eq(hecat__http_scan(&sc, &OK_HEAD[i], 1, &done),
		    1);
		ck_assert_msg(done == (i == len - 1), "done at %zu", i);
	}
	ck_assert_str_eq(sc.line, "HTTP/1.1 200 Connection established");
	ck_assert_uint_eq(sc.total, len);
}
END_TEST

/*
 * Two pieces split at every point, the head with application bytes
 * after it: the count stops exactly at the head's end, wherever the
 * split falls in "\r\n\r\n".
 */
START_TEST(http_scan_split)
{
	static const char *const heads[] = {
		OK_HEAD,
		"HTTP/1.0 200 OK\r\n\r\n",
		"HTTP/1.1 200 OK\n\n",
		"HTTP/1.1 200 OK\r\n\n",
		"HTTP/1.1 200 OK\nA: b\n\r\n",
		("HTTP/1.1 407 Proxy Authentication Required\r\n"
		    "Proxy-Authenticate: Basic realm=\"x\"\r\n\r\n"),
	};
	static const char *const tails[] = { "", "SSH-2.0-x\r\n", "\r\n\r\n",
	    "\n" };
	struct hecat__http_scan sc;
	char s[512];
	size_t h, t, k, len, hlen;
	ssize_t n1, n2;
	bool done;

	for (h = 0; h < sizeof(heads) / sizeof(heads[0]); h++)
	for (t = 0; t < sizeof(tails) / sizeof(tails[0]); t++) {
		hlen = strlen(heads[h]);
		len = (size_t)snprintf(s, sizeof(s), "%s%s", heads[h],
		    tails[t]);
		for (k = 0; k <= len; k++) {
			memset(&sc, 0, sizeof(sc));
			n1 = hecat__http_scan(&sc, s, k, &done);
			if (k >= hlen) {
				ck_assert_int_eq(n1, (ssize_t)hlen);
				ck_assert(done);
				continue;
			}
			ck_assert_int_eq(n1, (ssize_t)k);
			ck_assert(!done);
			n2 = hecat__http_scan(&sc, s + k, len - k, &done);
			ck_assert_msg(n2 == (ssize_t)(hlen - k) && done,
			    "head %zu tail %zu split %zu: %zd", h, t, k, n2);
			ck_assert_uint_eq(sc.total, hlen);
		}
		/* And one byte at a time. */
		ck_assert_int_eq(scan_pieces(&sc, s, len, 1, &done),
		    (ssize_t)hlen);
		ck_assert(done);
	}
}
END_TEST

/* What does not end a head: a CR alone, CRs inside lines. */
START_TEST(http_scan_not_ends)
{
	static const char *const open[] = {
		"HTTP/1.1 200 OK\r\n",
		"HTTP/1.1 200 OK\r\n\r",
		"HTTP/1.1 200 OK\r\nA: b\r",
		"HTTP/1.1 200 OK\r\n\rX\r\n",
		"HTTP/1.1 200 OK\r\r",
		"HTTP/1.1 200 OK\r\nA: \r\r\n",
		"\r"
	};
	struct hecat__http_scan sc;
	size_t i;
	bool done;

	for (i = 0; i < sizeof(open) / sizeof(open[0]); i++) {
		ck_assert_int_eq(scan_pieces(&sc, open[i], strlen(open[i]),
		    1, &done), (ssize_t)strlen(open[i]));
		ck_assert_msg(!done, "head %zu ended", i);
		memset(&sc, 0, sizeof(sc));
		ck_assert_int_eq(hecat__http_scan(&sc, open[i],
		    strlen(open[i]), &done), (ssize_t)strlen(open[i]));
		ck_assert(!done);
	}
	/*
	 * A bare newline first is an empty status line, not the end; a
	 * second one ends the head there.
	 */
	ck_assert_int_eq(scan_pieces(&sc, "\nHTTP/1.1 200 OK\r\n\r\n", 20, 64,
	    &done), 20);
	ck_assert(done);
	ck_assert_str_eq(sc.line, "");
	ck_assert_int_eq(scan_pieces(&sc, "\n\nHTTP/1.1", 10, 64, &done), 2);
	ck_assert(done);
	ck_assert_str_eq(sc.line, "");
	ck_assert_int_eq(hecat__http_status(&sc), -1);
}
END_TEST

/* The status line, as it came (CRs dropped), cut at its buffer. */
START_TEST(http_scan_line)
{
	struct hecat__http_scan sc;
	char s[HECAT__HTTP_LINELEN * 2 + 16];
	size_t len;
	bool done;

	ck_assert_int_eq(scan_pieces(&sc, "HTTP/1.1 200 OK\r\nX: y\r\n\r\n",
	    25, 3, &done), 25);
	ck_assert(done);
	ck_assert_str_eq(sc.line, "HTTP/1.1 200 OK");
	ck_assert_uint_eq(sc.linelen, 15);
	ck_assert(sc.line_done);

	/* Before its end: what came so far. */
	memset(&sc, 0, sizeof(sc));
	ck_assert_int_eq(hecat__http_scan(&sc, "HTTP/1.1 2", 10, &done), 10);
	ck_assert_str_eq(sc.line, "HTTP/1.1 2");
	ck_assert(!sc.line_done);

	/* 2 * LINELEN bytes: the first LINELEN - 1 kept. */
	memset(s, 'x', sizeof(s));
	memcpy(s, "HTTP/1.1 200 ", 13);
	len = HECAT__HTTP_LINELEN * 2;
	memcpy(s + len, "\r\n\r\n", 4);
	len += 4;
	ck_assert_int_eq(scan_pieces(&sc, s, len, 7, &done), (ssize_t)len);
	ck_assert(done);
	ck_assert_uint_eq(sc.linelen, HECAT__HTTP_LINELEN - 1);
	ck_assert_uint_eq(strlen(sc.line), HECAT__HTTP_LINELEN - 1);
	ck_assert_mem_eq(sc.line, s, HECAT__HTTP_LINELEN - 1);
	ck_assert_int_eq(hecat__http_status(&sc), 200);
}
END_TEST

/*
 * 16 KiB of head at most, wherever the pieces are cut: a head of exactly
 * HECAT__HTTP_MAXHEAD bytes passes, one byte more fails, however it
 * comes.
 */
START_TEST(http_scan_cap)
{
	static const size_t steps[] = { 1, 7, 1000, 4096, 16384, 16385, 20000,
	    1 << 20 };
	struct hecat__http_scan sc;
	char *s;
	size_t i, max = HECAT__HTTP_MAXHEAD, len = max + 4096;
	bool done;

	ck_assert_int_eq(HECAT__HTTP_MAXHEAD, 16384);
	ck_assert_ptr_nonnull(s = malloc(len));
	memset(s, 'x', len);
	memcpy(s, "HTTP/1.1 200 OK\r\n", 17);
	for (i = 17; i + 40 < len; i += 40)
		memcpy(s + i + 38, "\r\n", 2);

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		/* No end: all of it up to the cap, then -1. */
		memset(&sc, 0, sizeof(sc));
		ck_assert_int_eq(scan_pieces(&sc, s, max, steps[i], &done),
		    (ssize_t)max);
		ck_assert(!done);
		ck_assert_int_eq(hecat__http_scan(&sc, s + max, 1, &done), -1);
		ck_assert_int_eq(scan_pieces(&sc, s, len, steps[i], &done),
		    -1);

		/* The end at the cap: passes. */
		memcpy(s + max - 4, "\r\n\r\n", 4);
		ck_assert_int_eq(scan_pieces(&sc, s, len, steps[i], &done),
		    (ssize_t)max);
		ck_assert(done);
		memcpy(s + max - 4, "xxxx", 4);

		/* The end a byte past it: fails. */
		memcpy(s + max - 3, "\r\n\r\n", 4);
		ck_assert_msg(scan_pieces(&sc, s, len, steps[i], &done) == -1,
		    "a head of %zu bytes passed in pieces of %zu", max + 1,
		    steps[i]);
		memcpy(s + max - 3, "xxxx", 4);
	}
	free(s);
}
END_TEST

static int
status_of(const char *line)
{
	struct hecat__http_scan sc;
	char s[HECAT__HTTP_LINELEN + 8];
	bool done;
	int n;

	n = snprintf(s, sizeof(s), "%s\r\n\r\n", line);
	ck_assert_int_lt(n, (int)sizeof(s));
	ck_assert_int_eq(scan_pieces(&sc, s, (size_t)n, 5, &done), n);
	ck_assert(done);
	return hecat__http_status(&sc);
}

START_TEST(http_status)
{
	static const struct {
		const char	*line;
		int		 status;
	} t[] = {
		{ "HTTP/1.1 200 Connection established", 200 },
		{ "HTTP/1.0 200 OK", 200 },
		{ "HTTP/1.1 200", 200 },
		{ "HTTP/1.1 200 ", 200 },
		{ "HTTP/1.0 204 No Content", 204 },
		{ "HTTP/1.1 407 Proxy Authentication Required", 407 },
		{ "HTTP/1.1 100 Continue", 100 },
		{ "HTTP/1.1 599 x", 599 },
		{ "HTTP/1.9 502 Bad Gateway", 502 },
		{ "", -1 },
		{ "HTTP/1.1", -1 },
		{ "HTTP/1.1 ", -1 },
		{ "HTTP/1.1 2", -1 },
		{ "HTTP/1.1 20", -1 },
		{ "HTTP/1.1 2000", -1 },
		{ "HTTP/1.1 20x OK", -1 },
		{ "HTTP/1.1 2x0 OK", -1 },
		{ "HTTP/1.1 200OK", -1 },
		{ "HTTP/1.1  200 OK", -1 },
		{ "HTTP/1.1\t200 OK", -1 },
		{ "HTTP/1.1 099 x", -1 },
		{ "HTTP/1.1 600 x", -1 },
		{ "HTTP/1.1 -20 x", -1 },
		{ "HTTP/1.x 200 OK", -1 },
		{ "HTTP/1. 200 OK", -1 },
		{ "HTTP/1.10 200 OK", -1 },
		{ "HTTP/2 200", -1 },
		{ "HTTP/2.0 200 OK", -1 },
		{ "HTTP/0.9 200 OK", -1 },
		{ "http/1.1 200 OK", -1 },
		{ " HTTP/1.1 200 OK", -1 },
		{ "SSH-2.0-OpenSSH_9.2", -1 },
		{ "ICY 200 OK", -1 }
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ck_assert_msg(status_of(t[i].line) == t[i].status,
		    "\"%s\": %d, not %d", t[i].line, status_of(t[i].line),
		    t[i].status);
}
END_TEST

START_TEST(http_errno)
{
	static const struct {
		int	status, error;
	} t[] = {
		{ 200, 0 }, { 201, 0 }, { 299, 0 },
		{ 100, EPROTO }, { 199, EPROTO }, { 300, EPROTO },
		{ 301, EPROTO }, { 400, EPROTO }, { 404, EPROTO },
		{ 401, EACCES }, { 403, EACCES }, { 407, EACCES },
		{ 500, EHOSTUNREACH }, { 502, EHOSTUNREACH },
		{ 503, EHOSTUNREACH }, { 504, ETIMEDOUT }, { 599, EPROTO },
		{ -1, EPROTO }
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ck_assert_msg(hecat__http_errno(t[i].status) == t[i].error,
		    "status %d", t[i].status);
}
END_TEST

static Suite *
proxyproto_suite(void)
{
	Suite *s = suite_create("proxyproto");
	TCase *tc;

	tc = tcase_create("socks5");
	tcase_add_test(tc, s5_greeting);
	tcase_add_test(tc, s5_method);
	tcase_add_test(tc, s5_auth_request);
	tcase_add_test(tc, s5_auth_status);
	tcase_add_test(tc, s5_request_addresses);
	tcase_add_test(tc, s5_request_names);
	tcase_add_test(tc, s5_reply_len);
	tcase_add_test(tc, s5_reply_ipv4);
	tcase_add_test(tc, s5_reply_ipv6);
	tcase_add_test(tc, s5_reply_name);
	tcase_add_test(tc, s5_reply_malformed);
	tcase_add_test(tc, s5_reply_any_alignment);
	tcase_add_test(tc, s5_rep_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("socks4");
	tcase_add_test(tc, s4_request);
	tcase_add_test(tc, s4_request_limits);
	tcase_add_test(tc, s4_reply);
	tcase_add_test(tc, s4_cd_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("http");
	tcase_add_test(tc, http_request_targets);
	tcase_add_test(tc, http_request_basic);
	tcase_add_test(tc, http_request_basic_lengths);
	tcase_add_test(tc, http_request_bad_names);
	tcase_add_test(tc, http_request_buffer);
	tcase_add_test(tc, http_scan_whole);
	tcase_add_test(tc, http_scan_bytewise);
	tcase_add_test(tc, http_scan_split);
	tcase_add_test(tc, http_scan_not_ends);
	tcase_add_test(tc, http_scan_line);
	tcase_add_test(tc, http_scan_cap);
	tcase_add_test(tc, http_status);
	tcase_add_test(tc, http_errno);
	suite_add_tcase(s, tc);

	return s;
}

const struct check_def check_def = { proxyproto_suite, NULL };
