/*
 * check_dnsd.c - the test DNS server (dnsd.c, hecat-dnsd) over real
 * sockets on loopback.
 *
 * Queries are built and answers parsed here by hand, independently of the
 * server's code.  Every wait runs the event base the server lives on until
 * the client socket is readable or a deadline passes: no sleeping.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/util.h>

#include "check_main.h"
#include "dnsd.h"

#define T_A		1
#define T_CNAME		5
#define T_MX		15
#define T_TXT		16
#define T_AAAA		28
#define T_OPT		41

#define RC_NOERROR	0
#define RC_FORMERR	1
#define RC_SERVFAIL	2
#define RC_NXDOMAIN	3
#define RC_NOTIMP	4
#define RC_REFUSED	5

#define WAIT_MS		2000	/* for an answer that must come */
#define QUIET_MS	300	/* for an answer that must not */
#define MAXRR		80

/* ---- a tiny DNS client --------------------------------------------------- */

struct rr {
	char		name[256];
	uint16_t	type;
	uint16_t	class;
	uint32_t	ttl;
	uint16_t	rdlen;
	uint8_t		rdata[16];	/* A and AAAA */
	char		target[256];	/* CNAME */
};

struct reply {
	uint16_t	id;
	bool		qr, aa, tc, rd, ra;
	int		opcode;
	int		rcode;
	uint16_t	qdcount, ancount, nscount, arcount;
	char		qname[256];
	uint16_t	qtype, qclass;
	struct rr	an[MAXRR];
	bool		opt;
	uint16_t	opt_size;
};

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * A query for name (trailing dot optional) and type, RD as asked, with an
 * EDNS0 OPT of size 4096 if edns.  Returns its length in buf[512].
 */
static size_t
query_build(uint8_t *buf, uint16_t id, const char *name, uint16_t type,
    bool rd, bool edns)
{
	size_t n = 12, l;
	const char *p = name, *dot;

	memset(buf, 0, 12);
	put16(buf, id);
	buf[2] = rd ? 0x01 : 0x00;
	put16(buf + 4, 1);
	put16(buf + 10, edns ? 1 : 0);
	while (*p != '\0') {
		dot = strchr(p, '.');
		l = dot != NULL ? (size_t)(dot - p) : strlen(p);
		ck_assert_uint_le(l, 63);
		ck_assert_uint_lt(n + l + 2, 400);
		buf[n++] = (uint8_t)l;
		memcpy(buf + n, p, l);
		n += l;
		p += l;
		if (*p == '.')
			p++;
	}
	buf[n++] = 0;
	put16(buf + n, type);
	put16(buf + n + 2, 1);
	n += 4;
	if (edns) {
		buf[n] = 0;
		put16(buf + n + 1, T_OPT);
		put16(buf + n + 3, 4096);
		memset(buf + n + 5, 0, 6);
		n += 11;
	}
	return n;
}

/* Read a possibly compressed name at m[*off] into out[256]; 0 or -1. */
static int
name_read(const uint8_t *m, size_t len, size_t *off, char *out)
{
	size_t pos = *off, end = 0, n = 0;
	int hops = 0;
	uint8_t c;

	for (;;) {
		if (pos >= len)
			return -1;
		c = m[pos];
		if ((c & 0xc0) == 0xc0) {
			if (pos + 1 >= len || ++hops > 32)
				return -1;
			if (end == 0)
				end = pos + 2;
			pos = (size_t)(c & 0x3f) << 8 | m[pos + 1];
			continue;
		}
		if ((c & 0xc0) != 0)
			return -1;
		if (c == 0) {
			pos++;
			break;
		}
		if (pos + 1 + c > len || n + c + 2 > 256)
			return -1;
		if (n > 0)
			out[n++] = '.';
		memcpy(out + n, m + pos + 1, c);
		n += c;
		pos += 1 + c;
	}
	out[n] = '\0';
	*off = end != 0 ? end : pos;
	return 0;
}

/* Parse a whole answer; 0, or -1 when it is malformed. */
static int
reply_parse(const uint8_t *m, size_t len, struct reply *r)
{
	size_t off = 12, i;
	char name[256];
	struct rr *rr;

	memset(r, 0, sizeof(*r));
	if (len < 12)
		return -1;
	r->id = get16(m);
	r->qr = (m[2] & 0x80) != 0;
	r->opcode = (m[2] >> 3) & 0x0f;
	r->aa = (m[2] & 0x04) != 0;
	r->tc = (m[2] & 0x02) != 0;
	r->rd = (m[2] & 0x01) != 0;
	r->ra = (m[3] & 0x80) != 0;
	r->rcode = m[3] & 0x0f;
	r->qdcount = get16(m + 4);
	r->ancount = get16(m + 6);
	r->nscount = get16(m + 8);
	r->arcount = get16(m + 10);
	if (r->qdcount > 1 || r->ancount > MAXRR)
		return -1;
	if (r->qdcount == 1) {
		if (name_read(m, len, &off, r->qname) == -1 || off + 4 > len)
			return -1;
		r->qtype = get16(m + off);
		r->qclass = get16(m + off + 2);
		off += 4;
	}
	for (i = 0; i < (size_t)r->ancount + r->nscount + r->arcount; i++) {
		rr = i < r->ancount ? &r->an[i] : NULL;
		if (name_read(m, len, &off, name) == -1 || off + 10 > len)
			return -1;
		if (off + 10 + get16(m + off + 8) > len)
			return -1;
		if (rr == NULL) {
			if (get16(m + off) == T_OPT) {
				r->opt = true;
				r->opt_size = get16(m + off + 2);
			}
			off += 10 + get16(m + off + 8);
			continue;
		}
		memcpy(rr->name, name, sizeof(name));
		rr->type = get16(m + off);
		rr->class = get16(m + off + 2);
		rr->ttl = (uint32_t)get16(m + off + 4) << 16 |
		    get16(m + off + 6);
		rr->rdlen = get16(m + off + 8);
		off += 10;
		if (rr->type == T_CNAME) {
			size_t t = off;

			if (name_read(m, len, &t, rr->target) == -1 ||
			    t != off + rr->rdlen)
				return -1;
		} else if (rr->rdlen <= sizeof(rr->rdata))
			memcpy(rr->rdata, m + off, rr->rdlen);
		off += rr->rdlen;
	}
	return off == len ? 0 : -1;
}

/* The text of an A or AAAA record's address. */
static const char *
rr_addr(const struct rr *rr, char *buf, size_t len)
{
	if (inet_ntop(rr->type == T_A ? AF_INET : AF_INET6, rr->rdata, buf,
	    (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

/* ---- the server under test, and waiting on its event base ---------------- */

static struct event_base *base;
static struct dnsd *d;
static const char *server_host = "127.0.0.1";
static uint16_t server_port;	/* when not 0: not d's port, but this */

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
setup(void)
{
	signal(SIGPIPE, SIG_IGN);
	server_host = "127.0.0.1";
	server_port = 0;
	ck_assert_ptr_nonnull(base = event_base_new());
	d = dnsd_new(base, server_host, 0);
	ck_assert_msg(d != NULL, "dnsd_new: %s", strerror(errno));
	ck_assert_uint_ne(dnsd_port(d), 0);
}

static void
teardown(void)
{
	dnsd_free(d);
	d = NULL;
	event_base_free(base);
	base = NULL;
}

/* Add the rules of text, one per line; every one must be accepted. */
static void
rules(const char *text)
{
	char line[2048];
	const char *p = text, *nl;
	size_t l;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		l = nl != NULL ? (size_t)(nl - p) : strlen(p);
		ck_assert_uint_lt(l, sizeof(line));
		memcpy(line, p, l);
		line[l] = '\0';
		ck_assert_msg(dnsd_rule(d, line) == 0, "rule \"%s\"", line);
		p += l;
		if (*p == '\n')
			p++;
	}
}

struct waitstate {
	bool	readable;
	bool	fired;
};

static void
wait_cb(evutil_socket_t fd, short what, void *arg)
{
	struct waitstate *w = arg;

	(void)fd;
	w->fired = true;
	w->readable = (what & EV_READ) != 0;
	event_base_loopbreak(base);
}

/*
 * Run the event loop until fd is readable (true) or ms milliseconds pass
 * (false).
 */
static bool
wait_readable(int fd, long ms)
{
	struct waitstate w = { false, false };
	struct timeval tv;
	struct event *ev;
	int spins;

	if (ms < 0)
		ms = 0;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = ms % 1000 * 1000;
	ck_assert_ptr_nonnull(ev = event_new(base, fd, EV_READ, wait_cb, &w));
	ck_assert_int_eq(event_add(ev, &tv), 0);
	/* The timeout makes wait_cb run, and break the loop, within ms. */
	for (spins = 0; !w.fired && spins < 1000; spins++)
		ck_assert_int_ne(event_base_loop(base, EVLOOP_ONCE), -1);
	event_free(ev);
	ck_assert(w.fired);
	return w.readable;
}

/* The server's address. */
static socklen_t
server_addr(struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	uint16_t port = server_port != 0 ? server_port : dnsd_port(d);

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, server_host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		return sizeof(*sin);
	}
	ck_assert_int_eq(inet_pton(AF_INET6, server_host, &sin6->sin6_addr),
	    1);
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	return sizeof(*sin6);
}

/* A connected, non-blocking UDP socket to the server. */
static int
udp_open(void)
{
	struct sockaddr_storage ss;
	socklen_t len = server_addr(&ss);
	int fd;

	ck_assert_int_ne(fd = socket(ss.ss_family, SOCK_DGRAM, 0), -1);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&ss, len), 0);
	ck_assert_int_eq(evutil_make_socket_nonblocking(fd), 0);
	return fd;
}

static void
udp_send(int fd, const uint8_t *q, size_t len)
{
	ck_assert_int_eq(send(fd, q, len, 0), (ssize_t)len);
}

/*
 * Wait up to ms for a datagram on fd into buf[cap]; its length, or -1
 * when none came.
 */
static ssize_t
udp_recv(int fd, uint8_t *buf, size_t cap, long ms)
{
	uint64_t end = now_ns() + (uint64_t)ms * 1000000;
	ssize_t n;
	int spins;

	for (spins = 0; spins < 100; spins++) {
		n = recv(fd, buf, cap, 0);
		if (n >= 0)
			return n;
		ck_assert_msg(errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR, "recv: %s", strerror(errno));
		if (now_ns() >= end)
			return -1;
		(void)wait_readable(fd, (long)((end - now_ns()) / 1000000) + 1);
	}
	return -1;
}

/* Ask (name, type) over UDP and parse the answer into r; false if none. */
static bool
ask_udp(const char *name, uint16_t type, struct reply *r, long ms)
{
	uint8_t q[512], a[65536];
	size_t qlen;
	ssize_t n;
	int fd = udp_open();

	qlen = query_build(q, 0x1234, name, type, true, false);
	udp_send(fd, q, qlen);
	n = udp_recv(fd, a, sizeof(a), ms);
	close(fd);
	if (n < 0)
		return false;
	ck_assert_int_eq(reply_parse(a, (size_t)n, r), 0);
	ck_assert_uint_eq(r->id, 0x1234);
	return true;
}

/* A TCP connection to the server, with what it has read so far. */
struct tcpc {
	int		fd;
	size_t		len;
	uint8_t		buf[2 * 65540];
};

static struct tcpc *
tcp_open(void)
{
	struct sockaddr_storage ss;
	socklen_t len = server_addr(&ss);
	struct tcpc *c;

	ck_assert_ptr_nonnull(c = calloc(1, sizeof(*c)));
	ck_assert_int_ne(c->fd = socket(ss.ss_family, SOCK_STREAM, 0), -1);
	/* Loopback: the kernel completes the handshake before accept. */
	ck_assert_int_eq(connect(c->fd, (struct sockaddr *)&ss, len), 0);
	ck_assert_int_eq(evutil_make_socket_nonblocking(c->fd), 0);
	return c;
}

static void
tcp_close(struct tcpc *c)
{
	close(c->fd);
	free(c);
}

/* Send raw bytes (the caller adds the length prefix). */
static void
tcp_send_raw(struct tcpc *c, const uint8_t *p, size_t len)
{
	ck_assert_int_eq(send(c->fd, p, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* Send one message with its length prefix. */
static void
tcp_send(struct tcpc *c, const uint8_t *q, size_t len)
{
	uint8_t buf[600];

	ck_assert_uint_le(len, sizeof(buf) - 2);
	put16(buf, (uint16_t)len);
	memcpy(buf + 2, q, len);
	tcp_send_raw(c, buf, len + 2);
}

/*
 * Wait up to ms for one whole message on c into msg[65535].  Returns its
 * length, -1 when none came in time, -2 at end of stream.
 */
static long
tcp_recv(struct tcpc *c, uint8_t *msg, long ms)
{
	uint64_t end = now_ns() + (uint64_t)ms * 1000000;
	size_t mlen;
	ssize_t n;
	int spins;

	for (spins = 0; spins < 1000; spins++) {
		if (c->len >= 2 && c->len >= 2 + (size_t)get16(c->buf)) {
			mlen = get16(c->buf);
			memcpy(msg, c->buf + 2, mlen);
			memmove(c->buf, c->buf + 2 + mlen, c->len - 2 - mlen);
			c->len -= 2 + mlen;
			return (long)mlen;
		}
		n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
		if (n == 0)
			return -2;
		if (n > 0) {
			c->len += (size_t)n;
			continue;
		}
		ck_assert_msg(errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR, "recv: %s", strerror(errno));
		if (now_ns() >= end)
			return -1;
		(void)wait_readable(c->fd,
		    (long)((end - now_ns()) / 1000000) + 1);
	}
	return -1;
}

/* Receive one answer on c and parse it; false if none came in ms. */
static bool
tcp_reply(struct tcpc *c, struct reply *r, long ms)
{
	static uint8_t a[65536];
	long n = tcp_recv(c, a, ms);

	if (n < 0)
		return false;
	ck_assert_int_eq(reply_parse(a, (size_t)n, r), 0);
	return true;
}

/* Ask (name, type) over a new TCP connection. */
static bool
ask_tcp(const char *name, uint16_t type, struct reply *r, long ms)
{
	struct tcpc *c = tcp_open();
	uint8_t q[512];
	size_t qlen;
	bool ok;

	qlen = query_build(q, 0x4321, name, type, true, false);
	tcp_send(c, q, qlen);
	ok = tcp_reply(c, r, ms);
	tcp_close(c);
	if (ok)
		ck_assert_uint_eq(r->id, 0x4321);
	return ok;
}

/* Ask over UDP or TCP; an answer must come. */
static void
ask(bool tcp, const char *name, uint16_t type, struct reply *r)
{
	bool ok = tcp ? ask_tcp(name, type, r, WAIT_MS) :
	    ask_udp(name, type, r, WAIT_MS);

	ck_assert_msg(ok, "no answer to %s type %u over %s", name,
	    (unsigned)type, tcp ? "TCP" : "UDP");
}

/* Assert that r holds, from i on, address records for owner: addrs. */
static void
assert_addrs(const struct reply *r, size_t i, const char *owner,
    uint16_t type, const char *const *addrs, size_t n)
{
	char buf[64];
	size_t k;

	ck_assert_uint_eq(r->ancount, i + n);
	for (k = 0; k < n; k++) {
		ck_assert_str_eq(r->an[i + k].name, owner);
		ck_assert_uint_eq(r->an[i + k].type, type);
		ck_assert_uint_eq(r->an[i + k].class, 1);
		ck_assert_uint_eq(r->an[i + k].rdlen, type == T_A ? 4 : 16);
		ck_assert_str_eq(rr_addr(&r->an[i + k], buf, sizeof(buf)),
		    addrs[k]);
	}
}

static void
assert_cname(const struct reply *r, size_t i, const char *owner,
    const char *target)
{
	ck_assert_uint_gt(r->ancount, i);
	ck_assert_str_eq(r->an[i].name, owner);
	ck_assert_uint_eq(r->an[i].type, T_CNAME);
	ck_assert_uint_eq(r->an[i].class, 1);
	ck_assert_str_eq(r->an[i].target, target);
}

static uint64_t
ms_since(uint64_t t0)
{
	return (now_ns() - t0) / 1000000;
}

/* ---- answers ------------------------------------------------------------- */

static const char *const a3[] = { "192.0.2.1", "192.0.2.2", "192.0.2.3" };
static const char *const aaaa2[] = { "2001:db8::1", "2001:db8::2" };

/* Three A records in rule order, TTL 60, owner the question's name. */
START_TEST(a_several_addresses_udp)
{
	struct reply r;

	rules("www.example.test A 192.0.2.1 192.0.2.2 192.0.2.3");
	ask(false, "www.example.test", T_A, &r);
	ck_assert_int_eq(r.rcode, RC_NOERROR);
	ck_assert_str_eq(r.qname, "www.example.test");
	ck_assert_uint_eq(r.qtype, T_A);
	ck_assert_uint_eq(r.qclass, 1);
	assert_addrs(&r, 0, "www.example.test", T_A, a3, 3);
	ck_assert_uint_eq(r.an[0].ttl, 60);
	ck_assert(!r.tc);
}
END_TEST

START_TEST(a_several_addresses_tcp)
{
	struct reply r;

	rules("www.example.test A 192.0.2.1 192.0.2.2 192.0.2.3");
	ask(true, "www.example.test", T_A, &r);
	ck_assert_int_eq(r.rcode, RC_NOERROR);
	assert_addrs(&r, 0, "www.example.test", T_A, a3, 3);
}
END_TEST

/* Two AAAA records, with ttl=; A and AAAA rules side by side. */
START_TEST(aaaa_several_addresses_ttl)
{
	static const char *const a1[] = { "192.0.2.7" };
	struct reply r;
	int tcp;

	rules("dual.test AAAA 2001:db8::1 2001:db8::2 ttl=300\n"
	    "dual.test A 192.0.2.7");
	for (tcp = 0; tcp <= 1; tcp++) {
		ask(tcp, "dual.test", T_AAAA, &r);
		ck_assert_int_eq(r.rcode, RC_NOERROR);
		assert_addrs(&r, 0, "dual.test", T_AAAA, aaaa2, 2);
		ck_assert_uint_eq(r.an[0].ttl, 300);
		ck_assert_uint_eq(r.an[1].ttl, 300);
		ask(tcp, "dual.test", T_A, &r);
		assert_addrs(&r, 0, "dual.test", T_A, a1, 1);
	}
}
END_TEST

/* ID copied; QR, AA, RA set; RD copied, both ways. */
START_TEST(header_flags)
{
	uint8_t q[512], a[4096];
	struct reply r;
	size_t qlen;
	ssize_t n;
	int fd, rd;

	rules("h.test A 192.0.2.1");
	fd = udp_open();
	for (rd = 0; rd <= 1; rd++) {
		qlen = query_build(q, (uint16_t)(0xbeef + rd), "h.test", T_A,
		    rd, false);
		udp_send(fd, q, qlen);
		ck_assert_int_gt(n = udp_recv(fd, a, sizeof(a), WAIT_MS), 0);
		ck_assert_int_eq(reply_parse(a, (size_t)n, &r), 0);
		ck_assert_uint_eq(r.id, 0xbeef + rd);
		ck_assert(r.qr);
		ck_assert(r.aa);
		ck_assert(r.ra);
		ck_assert_int_eq(r.rd, rd);
		ck_assert_int_eq(r.opcode, 0);
		ck_assert_uint_eq(r.qdcount, 1);
		ck_assert_uint_eq(r.ancount, 1);
		ck_assert(!r.opt);
	}
	close(fd);
}
END_TEST

/* A name with rules, but none for the type: NOERROR and no records. */
START_TEST(nodata_for_other_type)
{
	struct reply r;
	int tcp;

	rules("v4only.test A 192.0.2.1");
	for (tcp = 0; tcp <= 1; tcp++) {
		ask(tcp, "v4only.test", T_AAAA, &r);
		ck_assert_int_eq(r.rcode, RC_NOERROR);
		ck_assert_uint_eq(r.ancount, 0);
		ck_assert_str_eq(r.qname, "v4only.test");
	}
}
END_TEST

/* The nodata keyword, for a type that has no other rule. */
START_TEST(nodata_rule)
{
	struct reply r;

	rules("n.test AAAA nodata");
	ask(false, "n.test", T_AAAA, &r);
	ck_assert_int_eq(r.rcode, RC_NOERROR);
	ck_assert_uint_eq(r.ancount, 0);
}
END_TEST

/* A name no rule mentions: NXDOMAIN, for every type. */
START_TEST(nxdomain_for_unknown_name)
{
	struct reply r;

	rules("known.test A 192.0.2.1");
	ask(false, "unknown.test", T_A, &r);
	ck_assert_int_eq(r.rcode, RC_NXDOMAIN);
	ck_assert_uint_eq(r.ancount, 0);
	ask(true, "unknown.test", T_AAAA, &r);
	ck_assert_int_eq(r.rcode, RC_NXDOMAIN);
	/* A subdomain of a known name is unknown too. */
	ask(false, "sub.known.test", T_A, &r);
	ck_assert_int_eq(r.rcode, RC_NXDOMAIN);
}
END_TEST

/* nxdomain, servfail and refused rules, over both transports. */
START_TEST(error_rcodes)
{
	struct reply r;
	int tcp;

	rules("nx.test A nxdomain\n"
	    "sf.test AAAA servfail\n"
	    "rf.test A refused");
	for (tcp = 0; tcp <= 1; tcp++) {
		ask(tcp, "nx.test", T_A, &r);
		ck_assert_int_eq(r.rcode, RC_NXDOMAIN);
		ck_assert_uint_eq(r.ancount, 0);
		ask(tcp, "sf.test", T_AAAA, &r);
		ck_assert_int_eq(r.rcode, RC_SERVFAIL);
		ck_assert_uint_eq(r.ancount, 0);
		ask(tcp, "rf.test", T_A, &r);
		ck_assert_int_eq(r.rcode, RC_REFUSED);
		ck_assert_uint_eq(r.ancount, 0);
		ck_assert(r.qr);
		ck_assert_uint_eq(r.id, tcp ? 0x4321 : 0x1234);
	}
}
END_TEST

/* "*" answers the types without a rule of their own. */
START_TEST(star_rule_for_other_types)
{
	static const char *const a1[] = { "192.0.2.9" };
	struct reply r;

	rules("s.test * servfail\n"
	    "s.test A 192.0.2.9");
	ask(false, "s.test", T_A, &r);
	ck_assert_int_eq(r.rcode, RC_NOERROR);
	assert_addrs(&r, 0, "s.test", T_A, a1, 1);
	ask(false, "s.test", T_AAAA, &r);
	ck_assert_int_eq(r.rcode, RC_SERVFAIL);
	ask(false, "s.test", T_MX, &r);
	ck_assert_int_eq(r.rcode, RC_SERVFAIL);
}
END_TEST

/* A second rule for the same name and type replaces the first. */
START_TEST(last_rule_wins)
{
	static const char *const a1[] = { "192.0.2.2" };
	struct reply r;

	rules("lw.test A 192.0.2.1 delay=5000\n"
	    "LW.test. A 192.0.2.2");
	ask(false, "lw.test", T_A, &r);
	assert_addrs(&r, 0, "lw.test", T_A, a1, 1);
}
END_TEST

/* Names match in any case; the question comes back in the asker's case. */
START_TEST(case_insensitive_names)
{
	static const char *const a1[] = { "192.0.2.1" };
	struct reply r;
	int tcp;

	rules("WwW.Example.TEST A 192.0.2.1");
	for (tcp = 0; tcp <= 1; tcp++) {
		ask(tcp, "www.EXAMPLE.test", T_A, &r);
		ck_assert_int_eq(r.rcode, RC_NOERROR);
		ck_assert_str_eq(r.qname, "www.EXAMPLE.test");
		assert_addrs(&r, 0, "www.EXAMPLE.test", T_A, a1, 1);
	}
	ck_assert_uint_eq(dnsd_count(d, "WWW.example.test", T_A), 2);
	ck_assert_str_eq(dnsd_query(d, 0)->name, "www.example.test");
}
END_TEST

/* A trailing dot in a rule, a question or dnsd_count() changes nothing. */
START_TEST(trailing_dot)
{
	static const char *const a1[] = { "192.0.2.4" };
	static const char *const a2[] = { "192.0.2.5" };
	struct reply r;

	rules("dot.test. A 192.0.2.4\n"
	    "nodot.test A 192.0.2.5");
	ask(false, "dot.test", T_A, &r);
	assert_addrs(&r, 0, "dot.test", T_A, a1, 1);
	ask(false, "nodot.test.", T_A, &r);
	assert_addrs(&r, 0, "nodot.test", T_A, a2, 1);
	ck_assert_uint_eq(dnsd_count(d, "dot.test.", T_A), 1);
	ck_assert_uint_eq(dnsd_count(d, "dot.test", T_A), 1);
	ck_assert_uint_eq(dnsd_count(d, "nodot.test.", T_A), 1);
	ck_assert_str_eq(dnsd_query(d, 1)->name, "nodot.test");
}
END_TEST

/* An EDNS0 OPT in the question is answered with an OPT of size 1232. */
START_TEST(edns_opt_echoed)
{
	uint8_t q[512], a[4096];
	struct reply r;
	size_t qlen;
	ssize_t n;
	int fd;

	rules("e.test AAAA 2001:db8::1 2001:db8::2");
	fd = udp_open();
	qlen = query_build(q, 7, "e.test", T_AAAA, true, true);
	udp_send(fd, q, qlen);
	ck_assert_int_gt(n = udp_recv(fd, a, sizeof(a), WAIT_MS), 0);
	close(fd);
	ck_assert_int_eq(reply_parse(a, (size_t)n, &r), 0);
	ck_assert(r.opt);
	ck_assert_uint_eq(r.opt_size, 1232);
	ck_assert_uint_eq(r.arcount, 1);
	assert_addrs(&r, 0, "e.test", T_AAAA, aaaa2, 2);
}
END_TEST

/* Another class than IN is refused. */
START_TEST(class_chaos_refused)
{
	uint8_t q[512], a[4096];
	struct reply r;
	size_t qlen;
	ssize_t n;
	int fd;

	rules("version.bind TXT nodata");
	fd = udp_open();
	qlen = query_build(q, 8, "version.bind", T_TXT, true, false);
	put16(q + qlen - 2, 3);			/* CH */
	udp_send(fd, q, qlen);
	ck_assert_int_gt(n = udp_recv(fd, a, sizeof(a), WAIT_MS), 0);
	close(fd);
	ck_assert_int_eq(reply_parse(a, (size_t)n, &r), 0);
	ck_assert_int_eq(r.rcode, RC_REFUSED);
	ck_assert_uint_eq(r.qclass, 3);
}
END_TEST

/* ---- drops, delays, truncation ------------------------------------------- */

/* drop: no answer at all, yet the query is logged; others still answered. */
START_TEST(drop_never_answers)
{
	struct reply r;
	uint64_t t0 = now_ns();

	rules("gone.test A drop\n"
	    "here.test A 192.0.2.1");
	ck_assert(!ask_udp("gone.test", T_A, &r, QUIET_MS));
	ck_assert_uint_ge(ms_since(t0), QUIET_MS);
	ck_assert(!ask_tcp("gone.test", T_A, &r, QUIET_MS));
	ck_assert_uint_eq(dnsd_count(d, "gone.test", T_A), 2);
	ask(false, "here.test", T_A, &r);
	ck_assert_int_eq(r.rcode, RC_NOERROR);
}
END_TEST

/* delay=: the answer comes no earlier than asked, and not much later. */
START_TEST(delay_udp)
{
	struct reply r;
	uint64_t t0, ms;

	rules("slow.test A 192.0.2.1 delay=200");
	t0 = now_ns();
	ask(false, "slow.test", T_A, &r);
	ms = ms_since(t0);
	ck_assert_uint_ge(ms, 200);
	ck_assert_uint_lt(ms, 1500);
	ck_assert_uint_eq(r.ancount, 1);
}
END_TEST

START_TEST(delay_tcp)
{
	struct reply r;
	uint64_t t0, ms;

	rules("slow.test AAAA 2001:db8::1 delay=150");
	t0 = now_ns();
	ask(true, "slow.test", T_AAAA, &r);
	ms = ms_since(t0);
	ck_assert_uint_ge(ms, 150);
	ck_assert_uint_lt(ms, 1500);
	ck_assert_uint_eq(r.ancount, 1);
}
END_TEST

/* The delay is per rule: AAAA slow, A at once. */
START_TEST(delay_per_type)
{
	struct reply r;
	uint64_t t0;

	rules("mixed.test AAAA 2001:db8::1 delay=400\n"
	    "mixed.test A 192.0.2.1");
	t0 = now_ns();
	ask(false, "mixed.test", T_A, &r);
	ck_assert_uint_lt(ms_since(t0), 300);
	ask(false, "mixed.test", T_AAAA, &r);
	ck_assert_uint_ge(ms_since(t0), 400);
}
END_TEST

/* Over TCP a slow answer does not hold back a fast one behind it. */
START_TEST(tcp_answers_out_of_order)
{
	uint8_t q[1024];
	struct tcpc *c;
	struct reply r;
	size_t n;
	uint64_t t0;

	rules("mixed.test A 192.0.2.1 delay=300\n"
	    "mixed.test AAAA 2001:db8::1");
	c = tcp_open();
	n = query_build(q + 2, 1, "mixed.test", T_A, true, false);
	put16(q, (uint16_t)n);
	n += 2;
	put16(q + n, (uint16_t)query_build(q + n + 2, 2, "mixed.test",
	    T_AAAA, true, false));
	n += 2 + get16(q + n);
	t0 = now_ns();
	tcp_send_raw(c, q, n);
	ck_assert(tcp_reply(c, &r, WAIT_MS));
	ck_assert_uint_eq(r.id, 2);
	ck_assert_uint_eq(r.an[0].type, T_AAAA);
	ck_assert_uint_lt(ms_since(t0), 300);
	ck_assert(tcp_reply(c, &r, WAIT_MS));
	ck_assert_uint_eq(r.id, 1);
	ck_assert_uint_eq(r.an[0].type, T_A);
	ck_assert_uint_ge(ms_since(t0), 300);
	tcp_close(c);
}
END_TEST

/* tc: over UDP TC=1 and no records; over TCP the records. */
START_TEST(tc_udp_truncated_tcp_full)
{
	struct reply r;

	rules("big.test A 192.0.2.1 192.0.2.2 192.0.2.3 tc");
	ask(false, "big.test", T_A, &r);
	ck_assert(r.tc);
	ck_assert_int_eq(r.rcode, RC_NOERROR);
	ck_assert_uint_eq(r.ancount, 0);
	ck_assert_str_eq(r.qname, "big.test");
	ask(true, "big.test", T_A, &r);
	ck_assert(!r.tc);
	assert_addrs(&r, 0, "big.test", T_A, a3, 3);
}
END_TEST

/* An answer over 512 octets is truncated over UDP without EDNS. */
START_TEST(udp_size_truncates)
{
	char line[2048];
	size_t i, len;
	struct reply r;

	len = (size_t)snprintf(line, sizeof(line), "many.test AAAA");
	for (i = 1; i <= 40; i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len,
		    " 2001:db8::%zx", i);
	rules(line);
	ask(false, "many.test", T_AAAA, &r);
	ck_assert(r.tc);
	ck_assert_uint_eq(r.ancount, 0);
	ask(true, "many.test", T_AAAA, &r);
	ck_assert(!r.tc);
	ck_assert_uint_eq(r.ancount, 40);
	ck_assert_uint_eq(r.an[39].rdata[15], 40);
}
END_TEST

/* ---- CNAME --------------------------------------------------------------- */

/* A chain of three: the CNAMEs in order, then the final A records. */
START_TEST(cname_chain)
{
	static const char *const a2[] = { "192.0.2.1", "192.0.2.2" };
	struct reply r;
	int tcp;

	rules("alias.test CNAME mid.test\n"
	    "mid.test CNAME Real.Test.\n"
	    "real.test A 192.0.2.1 192.0.2.2\n"
	    "real.test AAAA 2001:db8::1");
	for (tcp = 0; tcp <= 1; tcp++) {
		ask(tcp, "alias.test", T_A, &r);
		ck_assert_int_eq(r.rcode, RC_NOERROR);
		ck_assert_uint_eq(r.ancount, 4);
		assert_cname(&r, 0, "alias.test", "mid.test");
		assert_cname(&r, 1, "mid.test", "real.test");
		assert_addrs(&r, 2, "real.test", T_A, a2, 2);
	}
	/* Each name of the chain for other types too. */
	ask(false, "mid.test", T_AAAA, &r);
	ck_assert_uint_eq(r.ancount, 2);
	assert_cname(&r, 0, "mid.test", "real.test");
	ck_assert_uint_eq(r.an[1].type, T_AAAA);
	/* Only the queried name is logged: the chain is followed inside. */
	ck_assert_uint_eq(dnsd_count(d, "real.test", T_A), 0);
}
END_TEST

/* A CNAME question gets the CNAME record alone, not followed. */
START_TEST(cname_question)
{
	struct reply r;

	rules("alias.test CNAME real.test\n"
	    "real.test A 192.0.2.1");
	ask(false, "alias.test", T_CNAME, &r);
	ck_assert_int_eq(r.rcode, RC_NOERROR);
	ck_assert_uint_eq(r.ancount, 1);
	assert_cname(&r, 0, "alias.test", "real.test");
}
END_TEST

/* A target without records of the type: the CNAME alone, NOERROR. */
START_TEST(cname_target_nodata)
{
	struct reply r;

	rules("alias.test CNAME v6.test\n"
	    "v6.test AAAA 2001:db8::1");
	ask(false, "alias.test", T_A, &r);
	ck_assert_int_eq(r.rcode, RC_NOERROR);
	ck_assert_uint_eq(r.ancount, 1);
	assert_cname(&r, 0, "alias.test", "v6.test");
}
END_TEST

/* An unknown target: the CNAME with NXDOMAIN. */
START_TEST(cname_target_nxdomain)
{
	struct reply r;

	rules("alias.test CNAME nowhere.test");
	ask(true, "alias.test", T_AAAA, &r);
	ck_assert_int_eq(r.rcode, RC_NXDOMAIN);
	ck_assert_uint_eq(r.ancount, 1);
	assert_cname(&r, 0, "alias.test", "nowhere.test");
}
END_TEST

/* A loop ends in SERVFAIL, at once. */
START_TEST(cname_loop_bounded)
{
	struct reply r;
	uint64_t t0 = now_ns();

	rules("ping.test CNAME pong.test\n"
	    "pong.test CNAME ping.test\n"
	    "self.test CNAME self.test");
	ask(false, "ping.test", T_A, &r);
	ck_assert_int_eq(r.rcode, RC_SERVFAIL);
	ck_assert_uint_eq(r.ancount, 0);
	ask(true, "self.test", T_AAAA, &r);
	ck_assert_int_eq(r.rcode, RC_SERVFAIL);
	ck_assert_uint_lt(ms_since(t0), 1000);
}
END_TEST

/* 32 links are followed; the 33rd is too many. */
START_TEST(cname_chain_limit)
{
	char line[128];
	struct reply r;
	int i;

	for (i = 0; i < 33; i++) {
		snprintf(line, sizeof(line), "c%d.test CNAME c%d.test", i,
		    i + 1);
		rules(line);
	}
	rules("c33.test A 192.0.2.9");
	ask(true, "c1.test", T_A, &r);		/* 32 links */
	ck_assert_int_eq(r.rcode, RC_NOERROR);
	ck_assert_uint_eq(r.ancount, 33);
	assert_cname(&r, 31, "c32.test", "c33.test");
	ck_assert_str_eq(r.an[32].name, "c33.test");
	ask(true, "c0.test", T_A, &r);		/* 33 links */
	ck_assert_int_eq(r.rcode, RC_SERVFAIL);
}
END_TEST

/* Delays add up along a chain; tc on a link truncates. */
START_TEST(cname_delay_and_tc_follow_chain)
{
	struct reply r;
	uint64_t t0 = now_ns();

	rules("alias.test CNAME real.test delay=100\n"
	    "real.test A 192.0.2.1 delay=100 tc");
	ask(false, "alias.test", T_A, &r);
	ck_assert_uint_ge(ms_since(t0), 200);
	ck_assert(r.tc);
	ck_assert_uint_eq(r.ancount, 0);
	ask(true, "alias.test", T_A, &r);
	ck_assert_uint_eq(r.ancount, 2);
}
END_TEST

/* ---- the query log ------------------------------------------------------- */

/* Name (lower case, no dot), type, transport, rising times, counts. */
START_TEST(query_log)
{
	const struct dnsd_query *q;
	struct reply r;
	uint64_t t0 = now_ns();
	size_t i;

	rules("log.test A 192.0.2.1\n"
	    "quiet.test A drop");
	ck_assert_uint_eq(dnsd_nqueries(d), 0);
	ck_assert_ptr_null(dnsd_query(d, 0));
	ask(false, "Log.Test.", T_A, &r);
	ask(true, "log.test", T_AAAA, &r);
	ask(false, "nowhere.test", T_A, &r);
	(void)ask_udp("quiet.test", T_A, &r, 50);
	ask(true, "LOG.test", T_A, &r);

	ck_assert_uint_eq(dnsd_nqueries(d), 5);
	ck_assert_ptr_null(dnsd_query(d, 5));
	q = dnsd_query(d, 0);
	ck_assert_str_eq(q->name, "log.test");
	ck_assert_uint_eq(q->type, T_A);
	ck_assert(!q->tcp);
	q = dnsd_query(d, 1);
	ck_assert_str_eq(q->name, "log.test");
	ck_assert_uint_eq(q->type, T_AAAA);
	ck_assert(q->tcp);
	ck_assert_str_eq(dnsd_query(d, 2)->name, "nowhere.test");
	ck_assert_str_eq(dnsd_query(d, 3)->name, "quiet.test");
	ck_assert(dnsd_query(d, 4)->tcp);
	ck_assert_uint_ge(dnsd_query(d, 0)->t_ns, t0);
	for (i = 1; i < 5; i++)
		ck_assert_uint_gt(dnsd_query(d, i)->t_ns,
		    dnsd_query(d, i - 1)->t_ns);
	ck_assert_uint_le(dnsd_query(d, 4)->t_ns, now_ns());

	ck_assert_uint_eq(dnsd_count(d, "log.test", T_A), 2);
	ck_assert_uint_eq(dnsd_count(d, "LOG.TEST.", T_AAAA), 1);
	ck_assert_uint_eq(dnsd_count(d, "log.test", T_CNAME), 0);
	ck_assert_uint_eq(dnsd_count(d, "quiet.test", T_A), 1);
	ck_assert_uint_eq(dnsd_count(d, "other.test", T_A), 0);
}
END_TEST

/* A delayed query is logged when it arrives, not when it is answered. */
START_TEST(query_log_on_arrival)
{
	uint8_t q[512];
	size_t qlen;
	int fd;

	rules("slow.test A 192.0.2.1 delay=300");
	fd = udp_open();
	qlen = query_build(q, 1, "slow.test", T_A, true, false);
	udp_send(fd, q, qlen);
	/* Waiting 100 ms gets no answer, but the query is in the log. */
	ck_assert(!wait_readable(fd, 100));
	ck_assert_uint_eq(dnsd_count(d, "slow.test", T_A), 1);
	close(fd);
}
END_TEST

static void
count_cb(const struct dnsd_query *q, void *arg)
{
	size_t *n = arg;

	ck_assert_str_eq(q->name, "cb.test");
	(*n)++;
}

/* dnsd_on_query() calls back for each query; NULL stops it. */
START_TEST(query_callback)
{
	struct reply r;
	size_t n = 0;

	rules("cb.test A 192.0.2.1");
	dnsd_on_query(d, count_cb, &n);
	ask(false, "cb.test", T_A, &r);
	ask(true, "cb.test", T_AAAA, &r);
	ck_assert_uint_eq(n, 2);
	dnsd_on_query(d, NULL, NULL);
	ask(false, "cb.test", T_A, &r);
	ck_assert_uint_eq(n, 2);
}
END_TEST

START_TEST(type_names)
{
	char buf[16];

	ck_assert_str_eq(dnsd_type_name(1, buf, sizeof(buf)), "A");
	ck_assert_str_eq(dnsd_type_name(28, buf, sizeof(buf)), "AAAA");
	ck_assert_str_eq(dnsd_type_name(5, buf, sizeof(buf)), "CNAME");
	ck_assert_str_eq(dnsd_type_name(65, buf, sizeof(buf)), "HTTPS");
	ck_assert_str_eq(dnsd_type_name(999, buf, sizeof(buf)), "TYPE999");
}
END_TEST

/* ---- TCP connections ----------------------------------------------------- */

/* Two queries in one write on one connection: two answers. */
START_TEST(tcp_pipelined_queries)
{
	static const char *const a1[] = { "192.0.2.1" };
	uint8_t q[1024];
	struct tcpc *c;
	struct reply r;
	size_t n, m;
	bool seen1 = false, seen2 = false;
	int i;

	rules("p1.test A 192.0.2.1\n"
	    "p2.test AAAA 2001:db8::1 2001:db8::2");
	c = tcp_open();
	n = query_build(q + 2, 11, "p1.test", T_A, true, false);
	put16(q, (uint16_t)n);
	n += 2;
	m = query_build(q + n + 2, 22, "p2.test", T_AAAA, true, true);
	put16(q + n, (uint16_t)m);
	n += 2 + m;
	tcp_send_raw(c, q, n);
	for (i = 0; i < 2; i++) {
		ck_assert(tcp_reply(c, &r, WAIT_MS));
		if (r.id == 11) {
			assert_addrs(&r, 0, "p1.test", T_A, a1, 1);
			seen1 = true;
		} else {
			ck_assert_uint_eq(r.id, 22);
			assert_addrs(&r, 0, "p2.test", T_AAAA, aaaa2, 2);
			ck_assert(r.opt);
			seen2 = true;
		}
	}
	ck_assert(seen1 && seen2);
	/* And a third one later on the same connection. */
	n = query_build(q, 33, "p1.test", T_A, true, false);
	tcp_send(c, q, n);
	ck_assert(tcp_reply(c, &r, WAIT_MS));
	ck_assert_uint_eq(r.id, 33);
	ck_assert_uint_eq(dnsd_nqueries(d), 3);
	tcp_close(c);
}
END_TEST

/* A query split over several writes is put back together. */
START_TEST(tcp_query_in_pieces)
{
	uint8_t q[512], buf[600];
	struct tcpc *c;
	struct reply r;
	size_t n, i;

	rules("split.test A 192.0.2.1");
	c = tcp_open();
	n = query_build(q, 5, "split.test", T_A, true, false);
	put16(buf, (uint16_t)n);
	memcpy(buf + 2, q, n);
	for (i = 0; i < n + 2; i++) {
		tcp_send_raw(c, buf + i, 1);
		/* Let the server read each byte on its own. */
		(void)wait_readable(c->fd, i + 1 < n + 2 ? 1 : 0);
	}
	ck_assert(tcp_reply(c, &r, WAIT_MS));
	ck_assert_uint_eq(r.id, 5);
	ck_assert_uint_eq(r.ancount, 1);
	tcp_close(c);
}
END_TEST

/* After a half close the pending answer still comes, then the end. */
START_TEST(tcp_half_close_gets_answer)
{
	uint8_t q[512], a[65536];
	struct tcpc *c;
	struct reply r;
	size_t n;

	rules("slow.test A 192.0.2.1 delay=100");
	c = tcp_open();
	n = query_build(q, 9, "slow.test", T_A, true, false);
	tcp_send(c, q, n);
	ck_assert_int_eq(shutdown(c->fd, SHUT_WR), 0);
	ck_assert(tcp_reply(c, &r, WAIT_MS));
	ck_assert_uint_eq(r.id, 9);
	ck_assert_int_eq(tcp_recv(c, a, WAIT_MS), -2);
	tcp_close(c);
}
END_TEST

/* A client gone with an answer pending: the server goes on. */
START_TEST(tcp_close_with_answer_pending)
{
	uint8_t q[512];
	struct tcpc *c;
	struct reply r;
	size_t n;

	rules("slow.test A 192.0.2.1 delay=100\n"
	    "fast.test A 192.0.2.2");
	c = tcp_open();
	n = query_build(q, 9, "slow.test", T_A, true, false);
	tcp_send(c, q, n);
	/* Let the server read it, then hang up. */
	ck_assert(!wait_readable(c->fd, 30));
	tcp_close(c);
	ask(true, "fast.test", T_A, &r);
	ask(false, "slow.test", T_A, &r);
	ck_assert_uint_eq(dnsd_count(d, "slow.test", T_A), 2);
}
END_TEST

/* dnsd_free with answers pending and a connection open: all let go. */
START_TEST(free_with_answers_pending)
{
	uint8_t q[512], a[65536];
	struct tcpc *c;
	size_t n;
	int fd;

	rules("slow.test A 192.0.2.1 delay=5000");
	c = tcp_open();
	n = query_build(q, 1, "slow.test", T_A, true, false);
	tcp_send(c, q, n);
	fd = udp_open();
	udp_send(fd, q, n);
	ck_assert(!wait_readable(c->fd, 50));
	ck_assert_uint_eq(dnsd_nqueries(d), 2);
	dnsd_free(d);
	d = NULL;
	/* The connection is closed, the timers are gone. */
	ck_assert_int_eq(tcp_recv(c, a, WAIT_MS), -2);
	ck_assert_int_eq(event_base_get_num_events(base,
	    EVENT_BASE_COUNT_ADDED), 0);
	tcp_close(c);
	close(fd);
}
END_TEST

/* ---- malformed messages -------------------------------------------------- */

/* Expect over UDP: raw message in, FORMERR (or another rcode) out. */
static void
expect_rcode_udp(const uint8_t *msg, size_t len, int rcode)
{
	uint8_t a[4096];
	struct reply r;
	ssize_t n;
	int fd = udp_open();

	udp_send(fd, msg, len);
	ck_assert_int_gt(n = udp_recv(fd, a, sizeof(a), WAIT_MS), 0);
	close(fd);
	ck_assert_int_eq(reply_parse(a, (size_t)n, &r), 0);
	ck_assert(r.qr);
	ck_assert_uint_eq(r.id, get16(msg));
	ck_assert_int_eq(r.rcode, rcode);
}

/* The server still answers a good query afterwards. */
static void
still_alive(void)
{
	static const char *const a1[] = { "192.0.2.1" };
	struct reply r;

	ask(false, "ok.test", T_A, &r);
	assert_addrs(&r, 0, "ok.test", T_A, a1, 1);
	ask(true, "ok.test", T_A, &r);
	assert_addrs(&r, 0, "ok.test", T_A, a1, 1);
}

/* Shorter than a header, or an answer: ignored. */
START_TEST(short_packet_ignored)
{
	static const uint8_t shortq[5] = { 0x12, 0x34, 0x01, 0x00, 0x00 };
	uint8_t q[512], a[512];
	size_t n;
	int fd;

	rules("ok.test A 192.0.2.1");
	fd = udp_open();
	udp_send(fd, shortq, sizeof(shortq));
	ck_assert_int_eq(udp_recv(fd, a, sizeof(a), QUIET_MS), -1);
	n = query_build(q, 3, "ok.test", T_A, true, false);
	q[2] |= 0x80;				/* QR: a response */
	udp_send(fd, q, n);
	ck_assert_int_eq(udp_recv(fd, a, sizeof(a), QUIET_MS), -1);
	close(fd);
	ck_assert_uint_eq(dnsd_nqueries(d), 0);
	still_alive();
}
END_TEST

/* No question, a name running off the end, a pointer loop: FORMERR. */
START_TEST(bad_question_formerr)
{
	static const uint8_t noq[12] = { 0xab, 0xcd, 0x01, 0x00 };
	/* Question count 1, name "www" then the message ends. */
	static const uint8_t cut[16] = { 0xab, 0xce, 0x01, 0x00, 0, 1,
	    0, 0, 0, 0, 0, 0, 3, 'w', 'w', 'w' };
	/* A name that is a pointer to itself. */
	static const uint8_t loop[18] = { 0xab, 0xcf, 0x01, 0x00, 0, 1,
	    0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1 };
	/* A pointer forwards, into the type. */
	static const uint8_t fwd[18] = { 0xab, 0xd0, 0x01, 0x00, 0, 1,
	    0, 0, 0, 0, 0, 0, 0xc0, 14, 0, 1, 0, 1 };
	/* A label with a NUL octet in it. */
	static const uint8_t nul[19] = { 0xab, 0xd1, 0x01, 0x00, 0, 1,
	    0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1 };
	uint8_t q[512];
	size_t n;

	rules("ok.test A 192.0.2.1");
	expect_rcode_udp(noq, sizeof(noq), RC_FORMERR);
	expect_rcode_udp(cut, sizeof(cut), RC_FORMERR);
	expect_rcode_udp(loop, sizeof(loop), RC_FORMERR);
	expect_rcode_udp(fwd, sizeof(fwd), RC_FORMERR);
	expect_rcode_udp(nul, sizeof(nul), RC_FORMERR);
	/* No type and class after the name. */
	n = query_build(q, 0xabd2, "ok.test", T_A, true, false);
	expect_rcode_udp(q, n - 3, RC_FORMERR);
	/* Two questions. */
	put16(q + 4, 2);
	expect_rcode_udp(q, n, RC_FORMERR);
	ck_assert_uint_eq(dnsd_nqueries(d), 0);
	still_alive();
}
END_TEST

/*
 * A compression pointer in the question, back into the header: "ok" then
 * a pointer to offset 11, ARCOUNT's low octet, 0: the root.
 */
START_TEST(compressed_question_name)
{
	static const char *const a1[] = { "192.0.2.1" };
	static const uint8_t q[21] = { 0x77, 0x01, 0x01, 0x00, 0, 1,
	    0, 0, 0, 0, 0, 0, 2, 'O', 'k', 0xc0, 11, 0, 1, 0, 1 };
	uint8_t a[4096];
	struct reply r;
	ssize_t n;
	int fd;

	rules("ok A 192.0.2.1");
	fd = udp_open();
	udp_send(fd, q, sizeof(q));
	ck_assert_int_gt(n = udp_recv(fd, a, sizeof(a), WAIT_MS), 0);
	close(fd);
	ck_assert_int_eq(reply_parse(a, (size_t)n, &r), 0);
	ck_assert_int_eq(r.rcode, RC_NOERROR);
	ck_assert_str_eq(r.qname, "Ok");
	assert_addrs(&r, 0, "Ok", T_A, a1, 1);
	ck_assert_str_eq(dnsd_query(d, 0)->name, "ok");
}
END_TEST

/* Records in the additional section other than OPT are skipped. */
START_TEST(additional_section_ignored)
{
	static const char *const a1[] = { "192.0.2.1" };
	uint8_t q[64], a[4096];
	struct reply r;
	ssize_t n;
	size_t len;
	int fd;

	rules("ok.test A 192.0.2.1");
	len = query_build(q, 0x77, "ok.test", T_A, true, false);
	/* An A record whose owner is a pointer to the question's name. */
	put16(q + 10, 1);
	q[len] = 0xc0;
	q[len + 1] = 12;
	put16(q + len + 2, T_A);
	put16(q + len + 4, 1);
	memset(q + len + 6, 0, 4);
	put16(q + len + 10, 4);
	memset(q + len + 12, 0, 4);
	len += 16;
	fd = udp_open();
	udp_send(fd, q, len);
	ck_assert_int_gt(n = udp_recv(fd, a, sizeof(a), WAIT_MS), 0);
	close(fd);
	ck_assert_int_eq(reply_parse(a, (size_t)n, &r), 0);
	ck_assert_int_eq(r.rcode, RC_NOERROR);
	ck_assert(!r.opt);
	ck_assert_uint_eq(r.arcount, 0);
	assert_addrs(&r, 0, "ok.test", T_A, a1, 1);
}
END_TEST

/* Opcodes other than QUERY: NOTIMP. */
START_TEST(opcode_notimp)
{
	uint8_t q[512];
	size_t n;

	rules("ok.test A 192.0.2.1");
	n = query_build(q, 0x5151, "ok.test", T_A, true, false);
	q[2] |= 2 << 3;				/* STATUS */
	expect_rcode_udp(q, n, RC_NOTIMP);
	still_alive();
}
END_TEST

/* Over TCP: a short message is skipped, the next one answered. */
START_TEST(tcp_short_message_skipped)
{
	static const uint8_t junk[5] = { 0, 3, 1, 2, 3 };
	static const uint8_t empty[2] = { 0, 0 };
	uint8_t q[512];
	struct tcpc *c;
	struct reply r;
	size_t n;

	rules("ok.test A 192.0.2.1");
	c = tcp_open();
	tcp_send_raw(c, junk, sizeof(junk));
	tcp_send_raw(c, empty, sizeof(empty));
	n = query_build(q, 0x6161, "ok.test", T_A, true, false);
	tcp_send(c, q, n);
	ck_assert(tcp_reply(c, &r, WAIT_MS));
	ck_assert_uint_eq(r.id, 0x6161);
	ck_assert_uint_eq(r.ancount, 1);
	tcp_close(c);
	still_alive();
}
END_TEST

/* ---- rules --------------------------------------------------------------- */

START_TEST(bad_rules_rejected)
{
	static const char *const bad[] = {
		"x.test",				/* no type */
		"x.test A",				/* no action */
		"x.test MX2 nodata",			/* type */
		"x.test TYPE0 nodata",
		"x.test TYPE65536 nodata",
		"x.test A 2001:db8::1",			/* family */
		"x.test AAAA 192.0.2.1",
		"x.test A 192.0.2.300",
		"x.test A 192.0.2.1 nodata",		/* mixed */
		"x.test A nodata 192.0.2.1",
		"x.test CNAME a.test b.test",		/* two targets */
		"x.test CNAME a..test",
		"x.test MX mail.test",			/* data for MX */
		"x.test * 192.0.2.1",
		"x.test A 192.0.2.1 delay=",		/* options */
		"x.test A 192.0.2.1 delay=-1",
		"x.test A 192.0.2.1 delay=1x",
		"x.test A 192.0.2.1 ttl=4294967296",
		"a..test A 192.0.2.1",			/* names */
		".x.test A 192.0.2.1",
		"x.test.. A 192.0.2.1",
		("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxx.test A 192.0.2.1"),		/* label of 64 */
	};
	struct reply r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(dnsd_rule(d, bad[i]) == -1, "accepted \"%s\"",
		    bad[i]);
	/* Comments and blank lines are no rules, and no errors. */
	ck_assert_int_eq(dnsd_rule(d, ""), 0);
	ck_assert_int_eq(dnsd_rule(d, "   # a comment"), 0);
	ck_assert_int_eq(dnsd_rule(d, "ok.test A 192.0.2.1 # the one"), 0);
	/* Nothing of the bad ones got in. */
	ask(false, "x.test", T_A, &r);
	ck_assert_int_eq(r.rcode, RC_NXDOMAIN);
	ask(false, "ok.test", T_A, &r);
	ck_assert_uint_eq(r.ancount, 1);
}
END_TEST

/* Other types' names, TYPEnn, options anywhere, case of keywords. */
START_TEST(good_rules_accepted)
{
	struct reply r;

	ck_assert_int_eq(dnsd_rule(d, "t.test TXT servfail"), 0);
	ck_assert_int_eq(dnsd_rule(d, "t.test type65 REFUSED"), 0);
	ck_assert_int_eq(dnsd_rule(d, "t.test\tA\tttl=5 192.0.2.1 tc"), 0);
	ck_assert_int_eq(dnsd_rule(d, ". A 192.0.2.1"), 0);
	ask(false, "t.test", T_TXT, &r);
	ck_assert_int_eq(r.rcode, RC_SERVFAIL);
	ask(false, "t.test", 65, &r);
	ck_assert_int_eq(r.rcode, RC_REFUSED);
	ask(true, "t.test", T_A, &r);
	ck_assert_uint_eq(r.an[0].ttl, 5);
	ask(false, "", T_A, &r);
	ck_assert_uint_eq(r.ancount, 1);
	ck_assert_str_eq(r.an[0].name, "");
	ck_assert_str_eq(dnsd_query(d, 3)->name, "");
}
END_TEST

/* Write text to a new temporary file; its path in path[64]. */
static void
temp_file(char *path, const char *text)
{
	int fd;

	snprintf(path, 64, "/tmp/check_dnsd.XXXXXX");
	ck_assert_int_ne(fd = mkstemp(path), -1);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

START_TEST(load_rule_file)
{
	static const char *const a2[] = { "192.0.2.1", "192.0.2.2" };
	char path[64];
	struct reply r;

	temp_file(path, "# test rules\n"
	    "\n"
	    "f.test A 192.0.2.1 192.0.2.2   # two\n"
	    "   \t\n"
	    "g.test CNAME f.test\n"
	    "h.test AAAA servfail");		/* no newline at the end */
	ck_assert_int_eq(dnsd_load(d, path), 0);
	unlink(path);
	ask(false, "g.test", T_A, &r);
	assert_cname(&r, 0, "g.test", "f.test");
	assert_addrs(&r, 1, "f.test", T_A, a2, 2);
	ask(false, "h.test", T_AAAA, &r);
	ck_assert_int_eq(r.rcode, RC_SERVFAIL);

	temp_file(path, "ok.test A 192.0.2.1\nbad.test A nowhere\n");
	ck_assert_int_eq(dnsd_load(d, path), -1);
	unlink(path);
	ck_assert_int_eq(dnsd_load(d, "/nonexistent/rules"), -1);
}
END_TEST

/* ---- listeners ----------------------------------------------------------- */

/* IPv6 on ::1, UDP and TCP, when the host has ::1. */
START_TEST(ipv6_listener)
{
	static const char *const a1[] = { "192.0.2.1" };
	struct dnsd *d6;
	struct reply r;

	d6 = dnsd_new(base, "::1", 0);
	if (d6 == NULL) {
		ck_assert_msg(errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT,
		    "dnsd_new ::1: %s", strerror(errno));
		fprintf(stderr, "ipv6_listener: skipped, no ::1 (%s)\n",
		    strerror(errno));
		return;
	}
	/* The IPv4 server of the fixture waits aside. */
	dnsd_free(d);
	d = d6;
	server_host = "::1";
	rules("six.test A 192.0.2.1\n"
	    "six.test AAAA 2001:db8::1 2001:db8::2");
	ask(false, "six.test", T_AAAA, &r);
	assert_addrs(&r, 0, "six.test", T_AAAA, aaaa2, 2);
	ask(true, "six.test", T_A, &r);
	assert_addrs(&r, 0, "six.test", T_A, a1, 1);
	ck_assert_uint_eq(dnsd_nqueries(d), 2);
}
END_TEST

/* A fixed port: UDP and TCP both on it; a bad address is refused. */
START_TEST(fixed_port_and_bad_address)
{
	static const char *const a1[] = { "192.0.2.1" };
	struct dnsd *d2;
	struct reply r;
	uint16_t port = 0;
	int i;

	/* Take a port the fixture's server just freed. */
	for (i = 0; i < 8 && port == 0; i++) {
		port = dnsd_port(d);
		dnsd_free(d);
		d = dnsd_new(base, "127.0.0.1", port);
		if (d == NULL) {
			ck_assert_msg(errno == EADDRINUSE, "%s",
			    strerror(errno));
			d = dnsd_new(base, "127.0.0.1", 0);
			ck_assert_ptr_nonnull(d);
			port = 0;
		}
	}
	ck_assert_uint_eq(dnsd_port(d), port);
	rules("p.test A 192.0.2.1");
	ask(false, "p.test", T_A, &r);
	assert_addrs(&r, 0, "p.test", T_A, a1, 1);
	ask(true, "p.test", T_A, &r);
	assert_addrs(&r, 0, "p.test", T_A, a1, 1);
	/* The port is taken now. */
	ck_assert_ptr_null(d2 = dnsd_new(base, "127.0.0.1", port));
	ck_assert_int_eq(errno, EADDRINUSE);
	ck_assert_ptr_null(d2 = dnsd_new(base, "localhost", 0));
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* ---- the hecat-dnsd program ---------------------------------------------- */

struct child {
	pid_t	pid;
	int	out;		/* its stdout */
	int	err;		/* its stderr */
};

/*
 * Where the program is: $HECAT_DNSD, else tests/hecat-dnsd from the build
 * directory (where make check runs).  NULL when it is not there.
 */
static const char *
program(void)
{
	const char *p = getenv("HECAT_DNSD");

	if (p == NULL)
		p = "tests/hecat-dnsd";
	if (access(p, X_OK) == -1) {
		fprintf(stderr, "%s: not found, program tests skipped\n", p);
		return NULL;
	}
	return p;
}

/* Start path with argv; its stdout and stderr on pipes. */
static void
spawn(struct child *ch, char *const argv[])
{
	int out[2], err[2];

	ck_assert_int_eq(pipe(out), 0);
	ck_assert_int_eq(pipe(err), 0);
	ck_assert_int_ne(ch->pid = fork(), -1);
	if (ch->pid == 0) {
#ifdef __linux__
		/* Go when the test does, even if it fails half-way. */
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(out[1]);
		close(err[0]);
		close(err[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	ch->out = out[0];
	ch->err = err[0];
	ck_assert_int_eq(evutil_make_socket_nonblocking(ch->out), 0);
	ck_assert_int_eq(evutil_make_socket_nonblocking(ch->err), 0);
}

/*
 * Read fd into buf[cap] (NUL-terminated) until stop appears in it, or end
 * of file, or ms pass.  Returns true if it reached end of file.
 */
static bool
read_until(int fd, char *buf, size_t cap, const char *stop, long ms)
{
	uint64_t end = now_ns() + (uint64_t)ms * 1000000;
	size_t len = strlen(buf);
	ssize_t n;
	int spins;

	for (spins = 0; spins < 1000 && len + 1 < cap; spins++) {
		n = read(fd, buf + len, cap - 1 - len);
		if (n == 0)
			return true;
		if (n > 0) {
			len += (size_t)n;
			buf[len] = '\0';
			if (stop != NULL && strstr(buf, stop) != NULL)
				return false;
			continue;
		}
		ck_assert_int_eq(errno, EAGAIN);
		if (now_ns() >= end)
			return false;
		(void)wait_readable(fd, (long)((end - now_ns()) / 1000000) + 1);
	}
	return false;
}

/* Wait for the child to end (it has closed its stdout); its status. */
static int
reap(struct child *ch, long ms)
{
	char buf[256] = "";
	int status;

	if (!read_until(ch->out, buf, sizeof(buf), NULL, ms)) {
		kill(ch->pid, SIGKILL);
		ck_abort_msg("hecat-dnsd did not end in %ld ms", ms);
	}
	ck_assert_int_eq(waitpid(ch->pid, &status, 0), ch->pid);
	close(ch->out);
	close(ch->err);
	return status;
}

/* Serves, prints its port, logs each query, ends on SIGTERM with 0. */
START_TEST(program_serves_logs_and_stops)
{
	static const char *const a1[] = { "192.0.2.1" };
	char rulefile[64], logfile[64], buf[512] = "", *argv[8], *nl;
	unsigned port = 0;
	const char *prog;
	struct child ch;
	struct reply r, r2;
	bool ok, ok2;
	int status;
	FILE *f;
	double t1, t2;
	char n1[64], n2[64], ty1[16], ty2[16], tr1[8], tr2[8];

	if ((prog = program()) == NULL)
		return;
	temp_file(rulefile, "prog.test A 192.0.2.1\n");
	temp_file(logfile, "");
	argv[0] = (char *)(uintptr_t)prog;
	argv[1] = (char *)(uintptr_t)"-l";
	argv[2] = logfile;
	argv[3] = (char *)(uintptr_t)"-a";
	argv[4] = (char *)(uintptr_t)"127.0.0.1";
	argv[5] = rulefile;
	argv[6] = NULL;
	spawn(&ch, argv);
	(void)read_until(ch.out, buf, sizeof(buf), "\n", 5000);
	nl = strchr(buf, '\n');
	if (nl == NULL || sscanf(buf, "port %u", &port) != 1 || port == 0 ||
	    port > 65535) {
		kill(ch.pid, SIGKILL);
		(void)reap(&ch, 5000);
		ck_abort_msg("hecat-dnsd said \"%s\"", buf);
	}
	ck_assert_uint_eq((size_t)(nl - buf) + 1, strlen(buf));

	/* Ask it, with the fixture's server out of the way. */
	server_port = (uint16_t)port;
	ok = ask_udp("Prog.Test", T_A, &r, WAIT_MS);
	ok2 = ask_tcp("none.test", T_AAAA, &r2, WAIT_MS);
	ck_assert_uint_eq(dnsd_nqueries(d), 0);
	kill(ch.pid, SIGTERM);
	status = reap(&ch, 5000);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "status %#x", (unsigned)status);
	ck_assert(ok);
	assert_addrs(&r, 0, "Prog.Test", T_A, a1, 1);
	ck_assert_uint_eq(r.id, 0x1234);
	ck_assert(ok2);
	ck_assert_int_eq(r2.rcode, RC_NXDOMAIN);

	ck_assert_ptr_nonnull(f = fopen(logfile, "r"));
	ck_assert_int_eq(fscanf(f, "%lf %63s %15s %7s %lf %63s %15s %7s", &t1,
	    n1, ty1, tr1, &t2, n2, ty2, tr2), 8);
	fclose(f);
	unlink(logfile);
	unlink(rulefile);
	ck_assert_str_eq(n1, "prog.test");
	ck_assert_str_eq(ty1, "A");
	ck_assert_str_eq(tr1, "udp");
	ck_assert_str_eq(n2, "none.test");
	ck_assert_str_eq(ty2, "AAAA");
	ck_assert_str_eq(tr2, "tcp");
	ck_assert(t1 >= 0.0 && t1 <= t2 && t2 < 60000.0);
}
END_TEST

/* Bad usage: 64; a bad rule file: 65 with file and line named. */
START_TEST(program_errors)
{
	char rulefile[64], buf[1024], line[128], *argv[6];
	const char *prog;
	struct child ch;
	int status;

	if ((prog = program()) == NULL)
		return;
	argv[0] = (char *)(uintptr_t)prog;
	argv[1] = NULL;
	spawn(&ch, argv);
	buf[0] = '\0';
	(void)read_until(ch.err, buf, sizeof(buf), "\n", 5000);
	status = reap(&ch, 5000);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 64);
	ck_assert_ptr_nonnull(strstr(buf, "usage"));

	argv[1] = (char *)(uintptr_t)"-p";
	argv[2] = (char *)(uintptr_t)"70000";
	argv[3] = (char *)(uintptr_t)"/dev/null";
	argv[4] = NULL;
	spawn(&ch, argv);
	status = reap(&ch, 5000);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 64);

	temp_file(rulefile, "ok.test A 192.0.2.1\n\nbad.test AAAA 192.0.2.1\n");
	argv[1] = rulefile;
	argv[2] = NULL;
	spawn(&ch, argv);
	buf[0] = '\0';
	(void)read_until(ch.err, buf, sizeof(buf), "\n", 5000);
	status = reap(&ch, 5000);
	unlink(rulefile);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 65);
	snprintf(line, sizeof(line), "%s:3: ", rulefile);
	ck_assert_msg(strstr(buf, line) != NULL, "stderr: %s", buf);
	ck_assert_ptr_nonnull(strstr(buf, "192.0.2.1"));
	ck_assert_ptr_eq(strchr(buf, '\n'), buf + strlen(buf) - 1);
}
END_TEST

/* ---- hostile answers ------------------------------------------------------ */

/* owner=: the records belong to another name than the question's. */
START_TEST(owner_other_name)
{
	static const char *const a2[] = { "192.0.2.1", "192.0.2.2" };
	struct reply r;
	int tcp;

	rules("q.test A 192.0.2.1 192.0.2.2 owner=elsewhere.test");
	for (tcp = 0; tcp <= 1; tcp++) {
		ask(tcp, "q.test", T_A, &r);
		ck_assert_int_eq(r.rcode, RC_NOERROR);
		ck_assert_str_eq(r.qname, "q.test");
		assert_addrs(&r, 0, "elsewhere.test", T_A, a2, 2);
	}
}
END_TEST

/* wrongtype: an AAAA answer that carries an A record too. */
START_TEST(wrongtype_records)
{
	char buf[64];
	struct reply r;

	rules("w.test AAAA 2001:db8::1 192.0.2.9 wrongtype\n"
	    "w.test A 2001:db8::2 wrongtype");
	ask(false, "w.test", T_AAAA, &r);
	ck_assert_uint_eq(r.ancount, 2);
	ck_assert_uint_eq(r.an[0].type, T_AAAA);
	ck_assert_str_eq(rr_addr(&r.an[0], buf, sizeof(buf)), "2001:db8::1");
	ck_assert_uint_eq(r.an[1].type, T_A);
	ck_assert_uint_eq(r.an[1].rdlen, 4);
	ck_assert_str_eq(rr_addr(&r.an[1], buf, sizeof(buf)), "192.0.2.9");
	ask(false, "w.test", T_A, &r);
	ck_assert_uint_eq(r.qtype, T_A);
	ck_assert_uint_eq(r.ancount, 1);
	ck_assert_uint_eq(r.an[0].type, T_AAAA);
	ck_assert_uint_eq(r.an[0].rdlen, 16);
	/* Without the flag, the other family is a bad rule. */
	ck_assert_int_eq(dnsd_rule(d, "x.test AAAA 192.0.2.9"), -1);
}
END_TEST

/* TTLs from 0 to 2^32-1, as written. */
START_TEST(ttl_extremes)
{
	struct reply r;

	rules("t0.test A 192.0.2.1 ttl=0\n"
	    "tmax.test A 192.0.2.1 ttl=2147483647\n"
	    "thi.test A 192.0.2.1 ttl=4294967295");
	ask(false, "t0.test", T_A, &r);
	ck_assert_uint_eq(r.an[0].ttl, 0);
	ask(false, "tmax.test", T_A, &r);
	ck_assert_uint_eq(r.an[0].ttl, 2147483647u);
	ask(false, "thi.test", T_A, &r);
	ck_assert_uint_eq(r.an[0].ttl, 4294967295u);
}
END_TEST

/*
 * Walk the answer section of m[0..len) (one question, records owned by
 * 2-octet pointers): the type and rdata of record i into *type and
 * addr[16].  Returns the record count walked, all well formed.
 */
static size_t
walk_records(const uint8_t *m, size_t len, size_t want, uint16_t *type,
    uint8_t *addr)
{
	size_t off = 12, n;
	char name[256];

	ck_assert_int_eq(name_read(m, len, &off, name), 0);
	off += 4;
	for (n = 0; n < get16(m + 6) && off + 12 <= len; n++) {
		ck_assert_uint_eq(m[off] & 0xc0, 0xc0);
		if (off + 12 + get16(m + off + 10) > len)
			break;
		if (n == want) {
			*type = get16(m + off + 2);
			memcpy(addr, m + off + 12, get16(m + off + 10));
		}
		off += 12 + get16(m + off + 10);
	}
	return n;
}

/* count=: 300 records counting up; UDP truncates, TCP has them all. */
START_TEST(count_many_records)
{
	static uint8_t a[65536];
	struct tcpc *c;
	struct reply r;
	uint8_t q[512], addr[16];
	char buf[64];
	uint16_t type = 0;
	long n;

	rules("m.test A 10.0.0.254 count=300");
	ask(false, "m.test", T_A, &r);
	ck_assert(r.tc);
	ck_assert_uint_eq(r.ancount, 0);
	c = tcp_open();
	tcp_send(c, q, query_build(q, 7, "m.test", T_A, true, false));
	ck_assert_int_gt(n = tcp_recv(c, a, WAIT_MS), 0);
	tcp_close(c);
	ck_assert_uint_eq(get16(a + 6), 300);
	ck_assert_uint_eq(walk_records(a, (size_t)n, 0, &type, addr), 300);
	ck_assert_str_eq(inet_ntop(AF_INET, addr, buf, sizeof(buf)),
	    "10.0.0.254");
	walk_records(a, (size_t)n, 2, &type, addr);
	ck_assert_str_eq(inet_ntop(AF_INET, addr, buf, sizeof(buf)),
	    "10.0.1.0");
	walk_records(a, (size_t)n, 299, &type, addr);
	ck_assert_uint_eq(type, T_A);
	ck_assert_str_eq(inet_ntop(AF_INET, addr, buf, sizeof(buf)),
	    "10.0.2.41");			/* 254 + 299 = 2 * 256 + 41 */
}
END_TEST

/* count= beyond what a message holds: as many as fit in 64 KiB. */
START_TEST(count_caps_at_64k)
{
	static uint8_t a[65536];
	struct tcpc *c;
	uint8_t q[512], addr[16];
	uint16_t type = 0;
	size_t an;
	long n;

	rules("h.test AAAA 2001:db8:: count=4096");
	c = tcp_open();
	tcp_send(c, q, query_build(q, 8, "h.test", T_AAAA, true, false));
	ck_assert_int_gt(n = tcp_recv(c, a, WAIT_MS), 0);
	tcp_close(c);
	an = get16(a + 6);
	ck_assert_uint_gt(an, 2000);
	ck_assert_uint_lt(an, 4096);
	ck_assert_uint_gt((size_t)n, 65535 - 30 - 11);
	ck_assert_uint_eq(walk_records(a, (size_t)n, an - 1, &type, addr),
	    an);
	ck_assert_uint_eq(type, T_AAAA);
}
END_TEST

/* loop: the first record's owner is "x" and a pointer back to the "x". */
START_TEST(loop_owner)
{
	uint8_t q[512], a[4096];
	struct reply r;
	size_t qlen, off = 12;
	char name[256];
	ssize_t n;
	int fd = udp_open();

	rules("l.test A 192.0.2.1 loop");
	qlen = query_build(q, 9, "l.test", T_A, true, false);
	udp_send(fd, q, qlen);
	ck_assert_int_gt(n = udp_recv(fd, a, sizeof(a), WAIT_MS), 0);
	close(fd);
	ck_assert_uint_eq(get16(a + 6), 1);
	ck_assert_int_eq(name_read(a, (size_t)n, &off, name), 0);
	off += 4;
	ck_assert_uint_eq(a[off], 1);
	ck_assert_uint_eq(a[off + 1], 'x');
	ck_assert_uint_eq(a[off + 2], 0xc0 | off >> 8);
	ck_assert_uint_eq(a[off + 3], off & 0xff);
	/* A reader with a bound on pointers gives up on it. */
	ck_assert_int_eq(reply_parse(a, (size_t)n, &r), -1);
}
END_TEST

/* garbage=: short, counts, cut. */
START_TEST(garbage_kinds)
{
	uint8_t q[512], a[4096], b[4096];
	size_t qlen;
	ssize_t n, m;
	int fd = udp_open();

	rules("g1.test A 192.0.2.1\n"
	    "g2.test * servfail garbage=short\n"
	    "g3.test A 192.0.2.1 garbage=counts\n"
	    "g4.test A 192.0.2.1 garbage=cut");
	qlen = query_build(q, 10, "g1.test", T_A, true, false);
	udp_send(fd, q, qlen);
	ck_assert_int_gt(n = udp_recv(fd, a, sizeof(a), WAIT_MS), 0);
	/* short: 7 octets, the ID still right. */
	qlen = query_build(q, 11, "g2.test", T_A, true, false);
	udp_send(fd, q, qlen);
	ck_assert_int_eq(m = udp_recv(fd, b, sizeof(b), WAIT_MS), 7);
	ck_assert_uint_eq(get16(b), 11);
	/* counts: the records of g1, ANCOUNT 65535. */
	qlen = query_build(q, 12, "g3.test", T_A, true, false);
	udp_send(fd, q, qlen);
	ck_assert_int_eq(m = udp_recv(fd, b, sizeof(b), WAIT_MS), n);
	ck_assert_uint_eq(get16(b + 6), 65535);
	ck_assert_int_eq(memcmp(b + 12, "\x02g3", 3), 0);
	/* cut: 2 octets short of g1's (same length of name). */
	qlen = query_build(q, 13, "g4.test", T_A, true, false);
	udp_send(fd, q, qlen);
	ck_assert_int_eq(m = udp_recv(fd, b, sizeof(b), WAIT_MS), n - 2);
	ck_assert_uint_eq(get16(b + 6), 1);
	close(fd);
}
END_TEST

/* An unconnected UDP socket, to see where datagrams come from. */
static int
udp_open_any(struct sockaddr_storage *ss, socklen_t *len)
{
	int fd;

	*len = server_addr(ss);
	ck_assert_int_ne(fd = socket(ss->ss_family, SOCK_DGRAM, 0), -1);
	ck_assert_int_eq(evutil_make_socket_nonblocking(fd), 0);
	return fd;
}

/* The next datagram on fd within ms, its source port in *port. */
static ssize_t
udp_recv_from(int fd, uint8_t *buf, size_t cap, long ms, uint16_t *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	ssize_t n;

	if (!wait_readable(fd, ms))
		return -1;
	n = recvfrom(fd, buf, cap, 0, (struct sockaddr *)&sin, &len);
	*port = ntohs(sin.sin_port);
	return n;
}

/* badid: a forged answer with another ID at once, the real one later. */
START_TEST(badid_forged_first)
{
	static const char *const forged[] = { "192.0.2.66" };
	static const char *const real[] = { "192.0.2.1" };
	struct sockaddr_storage ss;
	socklen_t sslen;
	uint8_t q[512], a[4096];
	struct reply r;
	uint64_t t0 = now_ns();
	uint16_t port;
	ssize_t n;
	int fd = udp_open_any(&ss, &sslen);

	rules("b.test A 192.0.2.1 badid forge=192.0.2.66 delay=100");
	n = (ssize_t)query_build(q, 0x1111, "b.test", T_A, true, false);
	ck_assert_int_eq(sendto(fd, q, (size_t)n, 0, (struct sockaddr *)&ss,
	    sslen), n);
	ck_assert_int_gt(n = udp_recv_from(fd, a, sizeof(a), WAIT_MS, &port),
	    0);
	ck_assert_int_eq(reply_parse(a, (size_t)n, &r), 0);
	ck_assert_uint_ne(r.id, 0x1111);
	ck_assert_uint_eq(port, dnsd_port(d));
	assert_addrs(&r, 0, "b.test", T_A, forged, 1);
	ck_assert_uint_lt(ms_since(t0), 90);
	ck_assert_int_gt(n = udp_recv_from(fd, a, sizeof(a), WAIT_MS, &port),
	    0);
	ck_assert_int_eq(reply_parse(a, (size_t)n, &r), 0);
	ck_assert_uint_eq(r.id, 0x1111);
	assert_addrs(&r, 0, "b.test", T_A, real, 1);
	ck_assert_uint_ge(ms_since(t0), 100);
	close(fd);
}
END_TEST

/* fromport: the forged answer (right ID) comes from another port. */
START_TEST(fromport_forged_first)
{
	static const char *const forged[] = { "192.0.2.77" };
	static const char *const real[] = { "192.0.2.1" };
	struct sockaddr_storage ss;
	socklen_t sslen;
	uint8_t q[512], a[4096];
	struct reply r;
	uint16_t port;
	ssize_t n;
	int fd = udp_open_any(&ss, &sslen);

	rules("f.test A 192.0.2.1 fromport forge=192.0.2.77 delay=50");
	n = (ssize_t)query_build(q, 0x2222, "f.test", T_A, true, false);
	ck_assert_int_eq(sendto(fd, q, (size_t)n, 0, (struct sockaddr *)&ss,
	    sslen), n);
	ck_assert_int_gt(n = udp_recv_from(fd, a, sizeof(a), WAIT_MS, &port),
	    0);
	ck_assert_int_eq(reply_parse(a, (size_t)n, &r), 0);
	ck_assert_uint_eq(r.id, 0x2222);
	ck_assert_uint_ne(port, dnsd_port(d));
	assert_addrs(&r, 0, "f.test", T_A, forged, 1);
	ck_assert_int_gt(n = udp_recv_from(fd, a, sizeof(a), WAIT_MS, &port),
	    0);
	ck_assert_int_eq(reply_parse(a, (size_t)n, &r), 0);
	ck_assert_uint_eq(port, dnsd_port(d));
	assert_addrs(&r, 0, "f.test", T_A, real, 1);
	close(fd);
}
END_TEST

/* With drop, the forged answer is all there is; TCP never gets one. */
START_TEST(forged_only_and_not_tcp)
{
	static const char *const real[] = { "192.0.2.1" };
	uint8_t q[512], a[4096];
	struct reply r;
	size_t qlen;
	int fd = udp_open();

	rules("x.test A drop badid\n"
	    "y.test A 192.0.2.1 badid forge=192.0.2.66");
	qlen = query_build(q, 0x3333, "x.test", T_A, true, false);
	udp_send(fd, q, qlen);
	/* A connected socket still sees it: same address and port. */
	ck_assert_int_gt(udp_recv(fd, a, sizeof(a), WAIT_MS), 0);
	ck_assert_uint_ne(get16(a), 0x3333);
	ck_assert_uint_eq(get16(a + 6), 0);
	ck_assert_int_eq(udp_recv(fd, a, sizeof(a), QUIET_MS), -1);
	close(fd);
	ask(true, "y.test", T_A, &r);
	assert_addrs(&r, 0, "y.test", T_A, real, 1);
}
END_TEST

START_TEST(hostile_rules_rejected)
{
	static const char *const bad[] = {
		"x.test A 192.0.2.1 forge=192.0.2.2",	/* no badid */
		"x.test A 192.0.2.1 badid forge=",
		"x.test A 192.0.2.1 badid forge=bogus",
		"x.test A 192.0.2.1 count=0",
		"x.test A 192.0.2.1 count=4097",
		"x.test A 192.0.2.1 garbage=nonsense",
		"x.test A 192.0.2.1 owner=a..b",
		"x.test A nodata owner=y.test",
		"x.test A nodata loop",
		"x.test A nodata count=2",
		"x.test A nodata wrongtype",
		"x.test A 192.0.2.1 ttl=4294967296",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(dnsd_rule(d, bad[i]) == -1, "accepted \"%s\"",
		    bad[i]);
	ck_assert_int_eq(dnsd_rule(d, "x.test A drop badid fromport "
	    "forge=192.0.2.1,2001:db8::1"), 0);
}
END_TEST

/* ---- the suite ----------------------------------------------------------- */

static Suite *
dnsd_suite(void)
{
	Suite *s = suite_create("dnsd");
	TCase *tc;

	tc = tcase_create("answers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, a_several_addresses_udp);
	tcase_add_test(tc, a_several_addresses_tcp);
	tcase_add_test(tc, aaaa_several_addresses_ttl);
	tcase_add_test(tc, header_flags);
	tcase_add_test(tc, nodata_for_other_type);
	tcase_add_test(tc, nodata_rule);
	tcase_add_test(tc, nxdomain_for_unknown_name);
	tcase_add_test(tc, error_rcodes);
	tcase_add_test(tc, star_rule_for_other_types);
	tcase_add_test(tc, last_rule_wins);
	tcase_add_test(tc, case_insensitive_names);
	tcase_add_test(tc, trailing_dot);
	tcase_add_test(tc, edns_opt_echoed);
	tcase_add_test(tc, class_chaos_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("timing");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, drop_never_answers);
	tcase_add_test(tc, delay_udp);
	tcase_add_test(tc, delay_tcp);
	tcase_add_test(tc, delay_per_type);
	tcase_add_test(tc, tcp_answers_out_of_order);
	tcase_add_test(tc, tc_udp_truncated_tcp_full);
	tcase_add_test(tc, udp_size_truncates);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, owner_other_name);
	tcase_add_test(tc, wrongtype_records);
	tcase_add_test(tc, ttl_extremes);
	tcase_add_test(tc, count_many_records);
	tcase_add_test(tc, count_caps_at_64k);
	tcase_add_test(tc, loop_owner);
	tcase_add_test(tc, garbage_kinds);
	tcase_add_test(tc, badid_forged_first);
	tcase_add_test(tc, fromport_forged_first);
	tcase_add_test(tc, forged_only_and_not_tcp);
	tcase_add_test(tc, hostile_rules_rejected);
	suite_add_tcase(s, tc);

	tc = tcase_create("cname");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, cname_chain);
	tcase_add_test(tc, cname_question);
	tcase_add_test(tc, cname_target_nodata);
	tcase_add_test(tc, cname_target_nxdomain);
	tcase_add_test(tc, cname_loop_bounded);
	tcase_add_test(tc, cname_chain_limit);
	tcase_add_test(tc, cname_delay_and_tc_follow_chain);
	suite_add_tcase(s, tc);

	tc = tcase_create("log");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, query_log);
	tcase_add_test(tc, query_log_on_arrival);
	tcase_add_test(tc, query_callback);
	tcase_add_test(tc, type_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("tcp");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, tcp_pipelined_queries);
	tcase_add_test(tc, tcp_query_in_pieces);
	tcase_add_test(tc, tcp_half_close_gets_answer);
	tcase_add_test(tc, tcp_close_with_answer_pending);
	tcase_add_test(tc, free_with_answers_pending);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, short_packet_ignored);
	tcase_add_test(tc, bad_question_formerr);
	tcase_add_test(tc, compressed_question_name);
	tcase_add_test(tc, additional_section_ignored);
	tcase_add_test(tc, opcode_notimp);
	tcase_add_test(tc, tcp_short_message_skipped);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, bad_rules_rejected);
	tcase_add_test(tc, good_rules_accepted);
	tcase_add_test(tc, load_rule_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("listen");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ipv6_listener);
	tcase_add_test(tc, fixed_port_and_bad_address);
	suite_add_tcase(s, tc);

	tc = tcase_create("program");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, program_serves_logs_and_stops);
	tcase_add_test(tc, program_errors);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);

	return s;
}

const struct check_def check_def = { dnsd_suite, NULL };
