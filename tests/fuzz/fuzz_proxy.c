/*
 * fuzz_proxy.c - the proxies' replies, as the stages read them
 * (lib/core/proxyproto.c): a SOCKS5 reply's length and the reply, the
 * SOCKS5 method and RFC 1929 answers, the SOCKS4 reply, and an HTTP
 * CONNECT reply's head scanned in pieces, then its status line.  Also
 * the requests built for a target name taken from the input.
 *
 * The input: a control byte, the piece lengths it counts, then the
 * reply.
 *
 *	bits 0-2	where the SOCKS buffers start past an aligned address
 *	bit 3		long: the HTTP reply comes after LONG_PAD bytes of a
 *			head (a status line and header lines), so that
 *			its bytes meet the 16 KiB cap
 *	bits 4-7	how many piece lengths follow (0: one piece)
 *
 * A piece length byte L is L bytes when below 0xf0 (0: an empty piece),
 * else (L - 0xef) KiB; the lengths are used in turn, over and over.
 *
 * Checked, against models written here: the SOCKS5 reply's length is 0
 * with fewer than 5 bytes, then the same for every n: -1, 10, 22 or 7 +
 * the name's length; the reply parses only when whole, and what it says
 * (REP, the bound address and port, none for 0.0.0.0, :: or a name) is
 * in its bytes; each parser reads only its bytes (exactly sized heap
 * copies, at any alignment).  The HTTP scan never takes more than it was
 * given, takes all of a piece until the head ends in it, stops exactly
 * after the first empty line, fails exactly when the head would pass
 * HECAT__HTTP_MAXHEAD bytes, keeps the status line as it came (CRs
 * dropped, cut at HECAT__HTTP_LINELEN - 1); the status is the model's
 * and its errno 0 only for 2xx.  A name is accepted by the HTTP builder
 * only when fit for an authority, and the request is then exactly the
 * model's; by the SOCKS builders when 1 to 255 bytes.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proxyproto.h"

#define MAXCUTS		15
#define LONG_PAD	(HECAT__HTTP_MAXHEAD - 256)
#define MAXNAME		300		/* of the names tried */

/* b[0..n) in a heap buffer of exactly off + n bytes, at b + off. */
static uint8_t *
exact_copy(const uint8_t *b, size_t n, size_t off, uint8_t **base)
{
	*base = malloc(off + n > 0 ? off + n : 1);
	FUZZ_ASSERT(*base != NULL);
	if (n > 0)
		memcpy(*base + off, b, n);
	return *base + off;
}

static bool
zeros(const uint8_t *b, size_t n)
{
	while (n-- > 0)
		if (*b++ != 0)
			return false;
	return true;
}

/* ---- SOCKS --------------------------------------------------------------- */

/* RFC 1928's reply length from its head, or -1. */
static int
model_s5_len(const uint8_t *b)
{
	if (b[0] != 5 || b[2] != 0)
		return -1;
	if (b[3] == 1)
		return 10;
	if (b[3] == 4)
		return 22;
	if (b[3] == 3 && b[4] > 0)
		return 7 + b[4];
	return -1;
}

static void
check_socks5(const uint8_t *r, size_t rlen, size_t align)
{
	struct sockaddr_storage bound;
	struct sockaddr_in *sin = (struct sockaddr_in *)&bound;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&bound;
	uint8_t *base, *b;
	socklen_t blen;
	size_t n, max;
	int len, want, rep, rc;

	want = rlen >= 5 ? model_s5_len(r) : 0;
	max = rlen < HECAT__SOCKS5_MAXREPLY + 2 ? rlen :
	    HECAT__SOCKS5_MAXREPLY + 2;
	for (n = 0; n <= max; n++) {
		b = exact_copy(r, n, align, &base);
		len = hecat__socks5_reply_len(b, n);
		if (n < 5)
			FUZZ_ASSERT(len == 0);
		else
			FUZZ_ASSERT(len == want);
		FUZZ_ASSERT(len == -1 || len == 0 || len == 10 || len == 22 ||
		    (len >= 8 && len <= 7 + 255));
		FUZZ_ASSERT(len <= HECAT__SOCKS5_MAXREPLY);

		rep = -1000;
		blen = 12345;
		rc = hecat__socks5_reply(b, n, &rep, &bound, &blen);
		FUZZ_ASSERT(rc == 0 || rc == -1);
		FUZZ_ASSERT((rc == 0) == (len > 0 && (size_t)len == n));
		if (rc == -1) {
			FUZZ_ASSERT(rep == -1000);
			free(base);
			continue;
		}
		FUZZ_ASSERT(rep == b[1]);
		FUZZ_ASSERT(hecat__socks5_rep_name(rep) != NULL);
		FUZZ_ASSERT((hecat__socks5_rep_errno(rep) == 0) == (rep == 0));
		if (b[3] == 1 && !zeros(b + 4, 4)) {
			FUZZ_ASSERT(blen == sizeof(*sin));
			FUZZ_ASSERT(sin->sin_family == AF_INET);
			FUZZ_ASSERT(memcmp(&sin->sin_addr, b + 4, 4) == 0);
			FUZZ_ASSERT(memcmp(&sin->sin_port, b + 8, 2) == 0);
		} else if (b[3] == 4 && !zeros(b + 4, 16)) {
			FUZZ_ASSERT(blen == sizeof(*sin6));
			FUZZ_ASSERT(sin6->sin6_family == AF_INET6);
			FUZZ_ASSERT(memcmp(&sin6->sin6_addr, b + 4, 16) == 0);
			FUZZ_ASSERT(memcmp(&sin6->sin6_port, b + 20, 2) == 0);
		} else
			FUZZ_ASSERT(blen == 0);
		free(base);
	}

	/* The two-byte answers before it. */
	if (rlen >= 2) {
		b = exact_copy(r, 2, align, &base);
		FUZZ_ASSERT(hecat__socks5_method(b) == (b[0] == 5 ? b[1] : -1));
		FUZZ_ASSERT(hecat__socks5_auth_status(b) == (b[0] != 1 ? -1 :
		    b[1] == 0 ? 0 : 1));
		free(base);
	}
}

static void
check_socks4(const uint8_t *r, size_t rlen, size_t align)
{
	struct sockaddr_storage bound;
	struct sockaddr_in *sin = (struct sockaddr_in *)&bound;
	uint8_t *base, *b;
	socklen_t blen = 12345;
	int cd = -1000, rc;

	if (rlen < HECAT__SOCKS4_REPLY)
		return;
	b = exact_copy(r, HECAT__SOCKS4_REPLY, align, &base);
	rc = hecat__socks4_reply(b, &cd, &bound, &blen);
	FUZZ_ASSERT(rc == (b[0] == 0 ? 0 : -1));
	if (rc == 0) {
		FUZZ_ASSERT(cd == b[1]);
		FUZZ_ASSERT(hecat__socks4_cd_name(cd) != NULL);
		FUZZ_ASSERT((hecat__socks4_cd_errno(cd) == 0) == (cd == 90));
		if (zeros(b + 4, 4))
			FUZZ_ASSERT(blen == 0);
		else {
			FUZZ_ASSERT(blen == sizeof(*sin));
			FUZZ_ASSERT(sin->sin_family == AF_INET);
			FUZZ_ASSERT(memcmp(&sin->sin_port, b + 2, 2) == 0);
			FUZZ_ASSERT(memcmp(&sin->sin_addr, b + 4, 4) == 0);
		}
	} else
		FUZZ_ASSERT(cd == -1000);
	free(base);
}

/* ---- HTTP: the reply's head ---------------------------------------------- */

/*
 * Where the head of s[0..len) ends: just after the first empty line (a
 * line of nothing but CRs, after the status line), or 0 when none does.
 */
static size_t
model_head_end(const uint8_t *s, size_t len)
{
	size_t i, line = 0;
	bool empty = true;

	for (i = 0; i < len; i++) {
		if (s[i] == '\n') {
			if (line > 0 && empty)
				return i + 1;
			line++;
			empty = true;
		} else if (s[i] != '\r')
			empty = false;
	}
	return 0;
}

/* The status line of s[0..n): its bytes before '\n', CRs dropped, cut. */
static size_t
model_line(const uint8_t *s, size_t n, char *out)
{
	size_t i, k = 0;

	for (i = 0; i < n && s[i] != '\n'; i++)
		if (s[i] != '\r' && k < HECAT__HTTP_LINELEN - 1)
			out[k++] = (char)s[i];
	out[k] = '\0';
	return k;
}

static bool
digit(char c)
{
	return c >= '0' && c <= '9';
}

/* RFC 9112's status-line, HTTP/1.x: "HTTP/1.D NNN[ reason]". */
static int
model_status(const char *l)
{
	char code[4];
	size_t n = strlen(l);

	if (n < 12 || strncmp(l, "HTTP/1.", 7) != 0 || !digit(l[7]) ||
	    l[8] != ' ' || !digit(l[9]) || !digit(l[10]) || !digit(l[11]) ||
	    l[9] == '0' || l[9] > '5' || (n > 12 && l[12] != ' '))
		return -1;
	memcpy(code, l + 9, 3);
	code[3] = '\0';
	return atoi(code);
}

/* The scan of s[0..len) in the pieces the input says. */
static void
check_scan(const uint8_t *s, size_t len, const size_t *cuts, size_t ncuts)
{
	struct hecat__http_scan sc;
	char line[HECAT__HTTP_LINELEN];
	size_t end = model_head_end(s, len), off = 0, k, i = 0, linelen;
	uint8_t *base, *p;
	ssize_t r;
	bool done = false, failed = false;
	int status;

	memset(&sc, 0, sizeof(sc));
	while (off < len) {
		k = ncuts == 0 ? len : cuts[i++ % ncuts];
		if (k > len - off)
			k = len - off;
		p = exact_copy(s + off, k, 0, &base);
		done = true;
		r = hecat__http_scan(&sc, (const char *)p, k, &done);
		free(base);
		if (r == -1) {
			/* Only when its bytes pass the cap with no end. */
			FUZZ_ASSERT(off + k > HECAT__HTTP_MAXHEAD);
			FUZZ_ASSERT(end == 0 || end > HECAT__HTTP_MAXHEAD);
			failed = true;
			break;
		}
		FUZZ_ASSERT(r >= 0 && (size_t)r <= k);
		if (done) {
			FUZZ_ASSERT(end > 0 && end <= HECAT__HTTP_MAXHEAD);
			FUZZ_ASSERT(off + (size_t)r == end);
			FUZZ_ASSERT(sc.total == end);
			off += (size_t)r;
			break;
		}
		FUZZ_ASSERT((size_t)r == k);
		FUZZ_ASSERT(end == 0 || end > off + k);
		FUZZ_ASSERT(off + k <= HECAT__HTTP_MAXHEAD);
		off += k;
		FUZZ_ASSERT(sc.total == off);
	}
	if (!done && !failed) {
		/* All of it taken, no end in it, not past the cap. */
		FUZZ_ASSERT(off == len);
		FUZZ_ASSERT(end == 0 && len <= HECAT__HTTP_MAXHEAD);
		/* And once more with nothing: nothing taken. */
		FUZZ_ASSERT(hecat__http_scan(&sc, "", 0, &done) == 0 && !done);
	}
	if (failed)
		return;

	/* The status line, as far as it came. */
	linelen = model_line(s, off, line);
	FUZZ_ASSERT(sc.linelen == linelen);
	FUZZ_ASSERT(memcmp(sc.line, line, linelen + 1) == 0);
	FUZZ_ASSERT(sc.line_done == (memchr(s, '\n', off) != NULL));
	if (!done)
		return;
	status = hecat__http_status(&sc);
	FUZZ_ASSERT(status == model_status(sc.line));
	FUZZ_ASSERT(status == -1 || (status >= 100 && status <= 599));
	if (status != -1)
		FUZZ_ASSERT((hecat__http_errno(status) == 0) ==
		    (status >= 200 && status <= 299));
}

/* ---- the requests, for a name from the input ----------------------------- */

static bool
model_authority_ok(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;
	size_t n = strlen(name);

	if (n == 0 || n > 255)
		return false;
	for (; *p != '\0'; p++)
		if (*p <= ' ' || *p == 0x7f || *p == '[' || *p == ']' ||
		    *p == '@' || *p == '/' || *p == '?' || *p == '#' ||
		    *p == '\\')
			return false;
	return true;
}

static void
check_requests(const uint8_t *r, size_t rlen)
{
	char name[MAXNAME + 1], out[HECAT__HTTP_MAXREQ];
	char want[HECAT__HTTP_MAXREQ];
	uint8_t s5[HECAT__SOCKS5_MAXMSG], s4[HECAT__SOCKS4_MAXMSG];
	struct sockaddr_in sin;
	uint16_t port = rlen >= 2 ? (uint16_t)(r[0] << 8 | r[1]) : 80;
	size_t n, len;

	n = rlen < MAXNAME ? rlen : MAXNAME;
	memcpy(name, r, n);
	name[n] = '\0';
	n = strlen(name);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;

	len = hecat__http_request(out, sizeof(out), name, NULL, port, NULL,
	    NULL);
	if (model_authority_ok(name)) {
		snprintf(want, sizeof(want), "CONNECT %s:%u HTTP/1.1\r\n"
		    "Host: %s:%u\r\n\r\n", name, port, name, port);
		FUZZ_ASSERT(len == strlen(want));
		FUZZ_ASSERT(strcmp(out, want) == 0);
	} else
		FUZZ_ASSERT(len == 0);

	len = hecat__socks5_request(s5, name, (struct sockaddr *)&sin, port);
	if (n >= 1 && n <= 255) {
		FUZZ_ASSERT(len == 4 + 1 + n + 2);
		FUZZ_ASSERT((size_t)s5[4] == n && memcmp(s5 + 5, name, n) == 0);
		FUZZ_ASSERT(s5[5 + n] == port >> 8 && s5[6 + n] == (port & 255));
	} else
		FUZZ_ASSERT(len == 0);

	len = hecat__socks4_request(s4, name, (struct sockaddr *)&sin, port,
	    NULL);
	if (n >= 1 && n <= 255) {
		FUZZ_ASSERT(len == 8 + 1 + n + 1);
		FUZZ_ASSERT(memcmp(s4 + 9, name, n + 1) == 0);
	} else
		FUZZ_ASSERT(len == 0);
}

/* ---- the input ----------------------------------------------------------- */

/* What comes before the reply in the long case: a head LONG_PAD long. */
static const uint8_t *
long_pad(void)
{
	static uint8_t pad[LONG_PAD];
	static bool made;
	size_t off, k;

	if (made)
		return pad;
	off = (size_t)snprintf((char *)pad, sizeof(pad),
	    "HTTP/1.1 200 OK\r\n");
	while (off < LONG_PAD) {
		k = LONG_PAD - off < 64 ? LONG_PAD - off : 64;
		memset(pad + off, 'x', k);
		memcpy(pad + off, "X: ", k < 3 ? k : 3);
		if (k >= 5)
			memcpy(pad + off + k - 2, "\r\n", 2);
		off += k;
	}
	FUZZ_ASSERT(memcmp(pad + LONG_PAD - 2, "\r\n", 2) == 0);
	made = true;
	return pad;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cuts[MAXCUTS], ncuts, i, rlen, align, sum = 0, len;
	const uint8_t *r;
	uint8_t *s;
	bool longhead;

	if (size < 1)
		return 0;
	align = data[0] & 7;
	longhead = (data[0] & 8) != 0;
	ncuts = data[0] >> 4;
	if (size < 1 + ncuts)
		return 0;
	for (i = 0; i < ncuts; i++) {
		cuts[i] = data[1 + i] < 0xf0 ? data[1 + i] :
		    (size_t)(data[1 + i] - 0xef) * 1024;
		sum += cuts[i];
	}
	if (sum == 0)
		ncuts = 0;		/* one piece */
	r = data + 1 + ncuts;
	rlen = size - 1 - ncuts;

	check_socks5(r, rlen, align);
	check_socks4(r, rlen, align);
	check_requests(r, rlen);

	if (!longhead) {
		check_scan(r, rlen, cuts, ncuts);
		return 0;
	}
	/* The pad, checked to be a head that goes on, then the reply. */
	len = LONG_PAD + rlen;
	s = malloc(len);
	FUZZ_ASSERT(s != NULL);
	memcpy(s, long_pad(), LONG_PAD);
	FUZZ_ASSERT(model_head_end(s, LONG_PAD) == 0);
	if (rlen > 0)
		memcpy(s + LONG_PAD, r, rlen);
	check_scan(s, len, cuts, ncuts);
	free(s);
	return 0;
}
