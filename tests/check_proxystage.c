/*
 * check_proxystage.c - the proxy stages (lib/stage/socks5.c, socks4.c,
 * http_connect.c) on one end of a non-blocking AF_UNIX socket pair, the
 * test playing the proxy on the other: what they send, byte for byte;
 * that a reply followed at once by the target's first bytes leaves those
 * bytes in the socket; every failure's errno and detail; and replies
 * that come a byte at a time.
 *
 * The stages are driven as the adapter (lib/io/attempt.c) drives them:
 * start(), then ready() whenever they asked for the socket; here the
 * test calls ready() right after it wrote (or closed), with no loop.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "hecat.h"
#include "proxyproto.h"
#include "stage.h"

#define APP	"SSH-2.0-x\r\n"		/* the target's first bytes */

/* A stage on sv[0], the proxy (the test) on sv[1]. */
struct rig {
	int			 sv[2];
	struct hecat__stage	 st;
	struct hecat__proxy_req	 req;
	char			 steps[512];	/* every step, '|' between */
};

static const char *
rc_name(enum hecat__stage_rc rc)
{
	switch (rc) {
	case HECAT__STAGE_DONE:
		return "DONE";
	case HECAT__STAGE_WANT_READ:
		return "WANT_READ";
	case HECAT__STAGE_WANT_WRITE:
		return "WANT_WRITE";
	case HECAT__STAGE_FAILED:
		return "FAILED";
	}
	return "?";
}

#define ASSERT_RC(r, got, want) do {					\
	enum hecat__stage_rc got_ = (got);				\
	ck_assert_msg(got_ == (want), "%s: %s, not %s (error %d, "	\
	    "detail \"%s\")", #got, rc_name(got_), rc_name(want),	\
	    (r)->st.error, (r)->st.detail);				\
} while (0)

static void
on_step(struct hecat__stage *st, void *arg)
{
	struct rig *r = arg;
	size_t n = strlen(r->steps);

	snprintf(r->steps + n, sizeof(r->steps) - n, "%s%s", n > 0 ? "|" : "",
	    st->step);
}

/*
 * A rig for ops asking for name (or, when NULL, the address addr) on
 * port, with user and password (NULL: none).
 */
static void
rig_up(struct rig *r, const struct hecat__stage_ops *ops, const char *name,
    const char *addr, uint16_t port, const char *user, const char *pass)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&r->req.addr;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&r->req.addr;

	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0, r->sv), 0);
	r->req.type = ops == &hecat__stage_socks5 ? HECAT_PROXY_SOCKS5 :
	    ops == &hecat__stage_socks4 ? HECAT_PROXY_SOCKS4 :
	    HECAT_PROXY_HTTP;
	r->req.name = name;
	if (addr != NULL && inet_pton(AF_INET, addr, &sin->sin_addr) == 1)
		sin->sin_family = AF_INET;
	else if (addr != NULL) {
		ck_assert_int_eq(inet_pton(AF_INET6, addr, &sin6->sin6_addr),
		    1);
		sin6->sin6_family = AF_INET6;
	}
	r->req.port = port;
	r->req.user = user;
	r->req.password = pass;
	r->st.ops = ops;
	r->st.fd = r->sv[0];
	r->st.req = &r->req;
	r->st.code = -2;
	r->st.on_step = on_step;
	r->st.step_arg = r;
}

static void
rig_down(struct rig *r)
{
	if (r->st.ops->cleanup != NULL)
		r->st.ops->cleanup(&r->st);
	ck_assert_ptr_null(r->st.priv);
	close(r->sv[0]);
	if (r->sv[1] != -1)
		close(r->sv[1]);
}

static enum hecat__stage_rc
start(struct rig *r)
{
	return r->st.ops->start(&r->st);
}

static enum hecat__stage_rc
ready(struct rig *r)
{
	return r->st.ops->ready(&r->st);
}

/* The proxy reads exactly what the stage should have sent, and no more. */
static void
expect_bytes(struct rig *r, const void *want, size_t len)
{
	char got[2048];
	struct pollfd pfd = { r->sv[1], POLLIN, 0 };
	size_t have = 0;
	ssize_t n;

	ck_assert_uint_le(len, sizeof(got));
	while (have < len) {
		ck_assert_int_eq(poll(&pfd, 1, 2000), 1);
		n = recv(r->sv[1], got + have, len - have, 0);
		ck_assert_int_gt(n, 0);
		have += (size_t)n;
	}
	ck_assert_mem_eq(got, want, len);
	ck_assert_int_eq(recv(r->sv[1], got, 1, MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);
}

static void
expect_text(struct rig *r, const char *want)
{
	expect_bytes(r, want, strlen(want));
}

/* The proxy says b[0..len) in one write. */
static void
say(struct rig *r, const void *b, size_t len)
{
	ck_assert_int_eq(send(r->sv[1], b, len, MSG_NOSIGNAL), (ssize_t)len);
}

static void
say_text(struct rig *r, const char *s)
{
	say(r, s, strlen(s));
}

/* The proxy reads what it was sent, then hangs up. */
static void
hang_up(struct rig *r)
{
	char buf[1024];

	while (recv(r->sv[1], buf, sizeof(buf), MSG_DONTWAIT) > 0)
		continue;
	close(r->sv[1]);
	r->sv[1] = -1;
}

/*
 * The proxy hangs up with bytes unread, which resets the connection (as
 * a TCP close does): the errno says it all.
 */
static void
reset(struct rig *r)
{
	close(r->sv[1]);
	r->sv[1] = -1;
}

/* What is left in the stage's socket is exactly want. */
static void
assert_left(struct rig *r, const char *want)
{
	char got[256];
	ssize_t n;

	n = recv(r->sv[0], got, sizeof(got), MSG_DONTWAIT);
	if (*want == '\0') {
		ck_assert_int_eq(n, -1);
		ck_assert_int_eq(errno, EAGAIN);
		return;
	}
	ck_assert_int_eq(n, (ssize_t)strlen(want));
	ck_assert_mem_eq(got, want, strlen(want));
}

static void
assert_failed(struct rig *r, enum hecat__stage_rc rc, int error,
    const char *detail)
{
	ASSERT_RC(r, rc, HECAT__STAGE_FAILED);
	ck_assert_msg(r->st.error == error, "error %d (%s), not %d (%s)",
	    r->st.error, strerror(r->st.error), error, strerror(error));
	ck_assert_str_eq(r->st.detail, detail);
}

/* ---- SOCKS5 -------------------------------------------------------------- */

/* Greeting and "no authentication", the stage then sending CONNECT. */
static void
s5_no_auth(struct rig *r)
{
	ASSERT_RC(r, start(r), HECAT__STAGE_WANT_READ);
	expect_bytes(r, "\x05\x01\x00", 3);
	say(r, "\x05\x00", 2);
	ASSERT_RC(r, ready(r), HECAT__STAGE_WANT_READ);
}

/*
 * A reply with the target's first bytes after it in the same write: the
 * stage takes the reply and leaves them, whatever the reply's length.
 */
START_TEST(s5_reply_then_data)
{
	static const struct {
		const char	*reply;
		size_t		 len;
		socklen_t	 boundlen;
	} t[] = {
		{ "\x05\x00\x00\x01\xc0\x00\x02\x07\x04\x38", 10,
		    sizeof(struct sockaddr_in) },
		{ "\x05\x00\x00\x03\x01x\x00\x50", 8, 0 },
		{ "\x05\x00\x00\x03\x02xy\x00\x50", 9, 0 },
		{ "\x05\x00\x00\x04"
		    "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		    "\x00\x07\x01\xbb", 22, sizeof(struct sockaddr_in6) },
		{ "\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00", 10, 0 }
	};
	struct sockaddr_in *sin;
	struct rig r;
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		rig_up(&r, &hecat__stage_socks5, NULL, "192.0.2.1", 22, NULL,
		    NULL);
		s5_no_auth(&r);
		expect_bytes(&r, "\x05\x01\x00\x01\xc0\x00\x02\x01\x00\x16",
		    10);
		memcpy(buf, t[i].reply, t[i].len);
		memcpy(buf + t[i].len, APP, strlen(APP));
		say(&r, buf, t[i].len + strlen(APP));
		ASSERT_RC(&r, ready(&r), HECAT__STAGE_DONE);
		assert_left(&r, APP);
		ck_assert_int_eq(r.st.code, 0);
		ck_assert_uint_eq(r.st.boundlen, t[i].boundlen);
		ck_assert_str_eq(r.steps, "greeting: methods none|method none|"
		    "CONNECT sent|reply 0: succeeded");
		if (i == 0) {
			sin = (struct sockaddr_in *)&r.st.bound;
			ck_assert_int_eq(sin->sin_family, AF_INET);
			ck_assert_uint_eq(ntohs(sin->sin_port), 1080);
			ck_assert_uint_eq(ntohl(sin->sin_addr.s_addr),
			    0xc0000207);
		}
		rig_down(&r);
	}
}
END_TEST

/* A name to the proxy, and an IPv6 address: the requests on the wire. */
START_TEST(s5_requests)
{
	struct rig r;

	rig_up(&r, &hecat__stage_socks5, "example.com", NULL, 443, NULL, NULL);
	s5_no_auth(&r);
	expect_bytes(&r, "\x05\x01\x00\x03\x0b" "example.com\x01\xbb", 18);
	say(&r, "\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00", 10);
	ASSERT_RC(&r, ready(&r), HECAT__STAGE_DONE);
	assert_left(&r, "");
	rig_down(&r);

	rig_up(&r, &hecat__stage_socks5, NULL, "2001:db8::1", 0x1234, NULL,
	    NULL);
	s5_no_auth(&r);
	expect_bytes(&r, "\x05\x01\x00\x04"
	    "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01"
	    "\x12\x34", 22);
	rig_down(&r);
}
END_TEST

/* Username and password (RFC 1929): offered, sent when chosen. */
START_TEST(s5_credentials)
{
	struct rig r;

	rig_up(&r, &hecat__stage_socks5, "h", NULL, 80, "alice", "s3cret");
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	expect_bytes(&r, "\x05\x02\x00\x02", 4);
	say(&r, "\x05\x02", 2);
	ASSERT_RC(&r, ready(&r), HECAT__STAGE_WANT_READ);
	expect_bytes(&r, "\x01\x05" "alice\x06s3cret", 14);
	say(&r, "\x01\x00", 2);
	ASSERT_RC(&r, ready(&r), HECAT__STAGE_WANT_READ);
	expect_bytes(&r, "\x05\x01\x00\x03\x01h\x00\x50", 8);
	say(&r, "\x05\x00\x00\x03\x01x\x00\x50" APP, 8 + strlen(APP));
	ASSERT_RC(&r, ready(&r), HECAT__STAGE_DONE);
	assert_left(&r, APP);
	ck_assert_str_eq(r.steps, "greeting: methods none, username/password|"
	    "method username/password|username/password accepted|"
	    "CONNECT sent|reply 0: succeeded");
	rig_down(&r);

	/* Offered, but the proxy needs none: none sent. */
	rig_up(&r, &hecat__stage_socks5, "h", NULL, 80, "alice", "s3cret");
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	expect_bytes(&r, "\x05\x02\x00\x02", 4);
	say(&r, "\x05\x00", 2);
	ASSERT_RC(&r, ready(&r), HECAT__STAGE_WANT_READ);
	expect_bytes(&r, "\x05\x01\x00\x03\x01h\x00\x50", 8);
	rig_down(&r);

	/* A user without a password is no credentials. */
	rig_up(&r, &hecat__stage_socks5, "h", NULL, 80, "alice", NULL);
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	expect_bytes(&r, "\x05\x01\x00", 3);
	rig_down(&r);
}
END_TEST

START_TEST(s5_refused)
{
	struct rig r;

	rig_up(&r, &hecat__stage_socks5, NULL, "192.0.2.1", 22, NULL, NULL);
	s5_no_auth(&r);
	expect_bytes(&r, "\x05\x01\x00\x01\xc0\x00\x02\x01\x00\x16", 10);
	say(&r, "\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00", 10);
	assert_failed(&r, ready(&r), ECONNREFUSED,
	    "reply 5: connection refused");
	ck_assert_int_eq(r.st.code, 5);
	rig_down(&r);

	/* Every REP, its errno; one the RFC does not assign. */
	rig_up(&r, &hecat__stage_socks5, "h", NULL, 1, NULL, NULL);
	s5_no_auth(&r);
	say(&r, "\x05\x04\x00\x03\x01x\x00\x00" APP, 8 + strlen(APP));
	assert_failed(&r, ready(&r), EHOSTUNREACH,
	    "reply 4: host unreachable");
	assert_left(&r, APP);
	rig_down(&r);

	rig_up(&r, &hecat__stage_socks5, "h", NULL, 1, NULL, NULL);
	s5_no_auth(&r);
	say(&r, "\x05\x2a\x00\x01\x00\x00\x00\x00\x00\x00", 10);
	assert_failed(&r, ready(&r), EPROTO, "reply 42: unassigned reply");
	ck_assert_int_eq(r.st.code, 42);
	rig_down(&r);
}
END_TEST

START_TEST(s5_methods_refused)
{
	struct rig r;

	/* No acceptable method, with no credentials to offer. */
	rig_up(&r, &hecat__stage_socks5, "h", NULL, 1, NULL, NULL);
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	say(&r, "\x05\xff", 2);
	assert_failed(&r, ready(&r), EACCES, "no acceptable authentication "
	    "method (the proxy may want a username and password)");
	ck_assert_int_eq(r.st.code, -1);
	rig_down(&r);

	/* ... and with them. */
	rig_up(&r, &hecat__stage_socks5, "h", NULL, 1, "u", "p");
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	say(&r, "\x05\xff", 2);
	assert_failed(&r, ready(&r), EACCES,
	    "no acceptable authentication method");
	rig_down(&r);

	/* Username/password chosen, though not offered. */
	rig_up(&r, &hecat__stage_socks5, "h", NULL, 1, NULL, NULL);
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	say(&r, "\x05\x02", 2);
	assert_failed(&r, ready(&r), EACCES,
	    "the proxy wants a username and password");
	rig_down(&r);

	/* GSSAPI chosen: never offered. */
	rig_up(&r, &hecat__stage_socks5, "h", NULL, 1, "u", "p");
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	say(&r, "\x05\x01", 2);
	assert_failed(&r, ready(&r), EPROTO,
	    "the proxy chose a method that was not offered");
	rig_down(&r);

	/* The credentials refused. */
	rig_up(&r, &hecat__stage_socks5, "h", NULL, 1, "u", "p");
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	expect_bytes(&r, "\x05\x02\x00\x02", 4);
	say(&r, "\x05\x02", 2);
	ASSERT_RC(&r, ready(&r), HECAT__STAGE_WANT_READ);
	expect_bytes(&r, "\x01\x01u\x01p", 5);
	say(&r, "\x01\x01", 2);
	assert_failed(&r, ready(&r), EACCES, "username/password refused");
	rig_down(&r);

	/* An answer that is not RFC 1929's: not a refusal. */
	rig_up(&r, &hecat__stage_socks5, "h", NULL, 1, "u", "p");
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	say(&r, "\x05\x02", 2);
	ASSERT_RC(&r, ready(&r), HECAT__STAGE_WANT_READ);
	say(&r, "\x05\x00", 2);
	assert_failed(&r, ready(&r), EPROTO,
	    "malformed username/password reply");
	rig_down(&r);
}
END_TEST

/* Garbage, and proxies that hang up. */
START_TEST(s5_broken_proxies)
{
	struct rig r;

	/* An HTTP server. */
	rig_up(&r, &hecat__stage_socks5, "h", NULL, 1, NULL, NULL);
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	say_text(&r, "HTTP/1.1 400 Bad Request\r\n\r\n");
	assert_failed(&r, ready(&r), EPROTO, "not a SOCKS5 proxy");
	rig_down(&r);

	/* A reply of another version, reserved byte or address type. */
	rig_up(&r, &hecat__stage_socks5, "h", NULL, 1, NULL, NULL);
	s5_no_auth(&r);
	say(&r, "\x04\x00\x00\x01\x00\x00\x00\x00\x00\x00", 10);
	assert_failed(&r, ready(&r), EPROTO, "malformed SOCKS5 reply");
	rig_down(&r);
	rig_up(&r, &hecat__stage_socks5, "h", NULL, 1, NULL, NULL);
	s5_no_auth(&r);
	say(&r, "\x05\x00\x00\x03\x00\x00\x00", 7);
	assert_failed(&r, ready(&r), EPROTO, "malformed SOCKS5 reply");
	rig_down(&r);
	rig_up(&r, &hecat__stage_socks5, "h", NULL, 1, NULL, NULL);
	s5_no_auth(&r);
	say(&r, "\x05\x00\x00\x02\x00\x00\x00\x00\x00\x00", 10);
	assert_failed(&r, ready(&r), EPROTO, "malformed SOCKS5 reply");
	rig_down(&r);

	/* Closed before its method, in its reply's head, in its address. */
	rig_up(&r, &hecat__stage_socks5, "h", NULL, 1, NULL, NULL);
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	say(&r, "\x05", 1);
	ASSERT_RC(&r, ready(&r), HECAT__STAGE_WANT_READ);
	hang_up(&r);
	assert_failed(&r, ready(&r), ECONNRESET,
	    "the proxy closed the connection");
	rig_down(&r);
	rig_up(&r, &hecat__stage_socks5, "h", NULL, 1, NULL, NULL);
	s5_no_auth(&r);
	say(&r, "\x05\x00\x00", 3);
	hang_up(&r);
	assert_failed(&r, ready(&r), ECONNRESET,
	    "the proxy closed the connection");
	rig_down(&r);
	rig_up(&r, &hecat__stage_socks5, "h", NULL, 1, NULL, NULL);
	s5_no_auth(&r);
	say(&r, "\x05\x00\x00\x04\x20\x01\x0d", 7);
	ASSERT_RC(&r, ready(&r), HECAT__STAGE_WANT_READ);
	hang_up(&r);
	assert_failed(&r, ready(&r), ECONNRESET,
	    "the proxy closed the connection");
	ck_assert_int_eq(r.st.code, -1);
	rig_down(&r);

	/* Reset in its reply. */
	rig_up(&r, &hecat__stage_socks5, "h", NULL, 1, NULL, NULL);
	s5_no_auth(&r);
	say(&r, "\x05\x00\x00", 3);
	reset(&r);
	assert_failed(&r, ready(&r), ECONNRESET, "");
	rig_down(&r);
}
END_TEST

/* What cannot be asked fails the stage with EINVAL. */
START_TEST(s5_bad_requests)
{
	char name[300];
	struct rig r;

	memset(name, 'n', 256);
	name[256] = '\0';
	rig_up(&r, &hecat__stage_socks5, name, NULL, 1, NULL, NULL);
	/* Refused at once: nothing is sent for it. */
	assert_failed(&r, start(&r), EINVAL,
	    "target name empty or longer than 255 bytes");
	rig_down(&r);

	memset(name, 'u', 256);
	rig_up(&r, &hecat__stage_socks5, "h", NULL, 1, name, "p");
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	say(&r, "\x05\x02", 2);
	assert_failed(&r, ready(&r), EINVAL,
	    "username or password empty or longer than 255 bytes");
	rig_down(&r);
}
END_TEST

/*
 * Every answer a byte at a time, the stage called after each: it waits
 * (WANT_READ) until the last, and sends each message only once the
 * answer before it is whole.
 */
START_TEST(s5_bytewise)
{
	static const char *const replies[] = {
		"\x05\x00\x00\x01\xc0\x00\x02\x07\x04\x38",
		"\x05\x00\x00\x03\x01x\x00\x50",
		"\x05\x00\x00\x04"
		    "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		    "\x00\x07\x01\xbb"
	};
	static const size_t lens[] = { 10, 8, 22 };
	struct rig r;
	size_t i, k;

	for (i = 0; i < 3; i++) {
		rig_up(&r, &hecat__stage_socks5, "h", NULL, 1, "u", "p");
		ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
		expect_bytes(&r, "\x05\x02\x00\x02", 4);
		say(&r, "\x05", 1);
		ASSERT_RC(&r, ready(&r), HECAT__STAGE_WANT_READ);
		assert_left(&r, "");	/* the byte taken, */
		expect_bytes(&r, "", 0);	/* nothing sent yet */
		say(&r, "\x02", 1);
		ASSERT_RC(&r, ready(&r), HECAT__STAGE_WANT_READ);
		expect_bytes(&r, "\x01\x01u\x01p", 5);
		say(&r, "\x01", 1);
		ASSERT_RC(&r, ready(&r), HECAT__STAGE_WANT_READ);
		expect_bytes(&r, "", 0);
		say(&r, "\x00", 1);
		ASSERT_RC(&r, ready(&r), HECAT__STAGE_WANT_READ);
		expect_bytes(&r, "\x05\x01\x00\x03\x01h\x00\x01", 8);
		for (k = 0; k < lens[i]; k++) {
			say(&r, replies[i] + k, 1);
			ASSERT_RC(&r, ready(&r), k + 1 < lens[i] ?
			    HECAT__STAGE_WANT_READ : HECAT__STAGE_DONE);
			ck_assert_int_eq(r.st.code, k + 1 < lens[i] ? -1 : 0);
		}
		say_text(&r, APP);
		assert_left(&r, APP);
		rig_down(&r);
	}
}
END_TEST

/* ---- SOCKS4 and SOCKS4a -------------------------------------------------- */

START_TEST(s4_reply_then_data)
{
	struct sockaddr_in *sin;
	struct rig r;

	rig_up(&r, &hecat__stage_socks4, NULL, "192.0.2.1", 22, "bob", NULL);
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	expect_bytes(&r, "\x04\x01\x00\x16\xc0\x00\x02\x01" "bob\x00", 12);
	say(&r, "\x00\x5a\x1f\x90\xc0\x00\x02\x09" APP, 8 + strlen(APP));
	ASSERT_RC(&r, ready(&r), HECAT__STAGE_DONE);
	assert_left(&r, APP);
	ck_assert_int_eq(r.st.code, 90);
	sin = (struct sockaddr_in *)&r.st.bound;
	ck_assert_uint_eq(r.st.boundlen, sizeof(*sin));
	ck_assert_uint_eq(ntohs(sin->sin_port), 8080);
	ck_assert_str_eq(r.steps, "CONNECT sent (SOCKS4)|reply 90: request "
	    "granted");
	rig_down(&r);

	/* 4a, a byte at a time. */
	rig_up(&r, &hecat__stage_socks4, "example.com", NULL, 443, NULL, NULL);
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	expect_bytes(&r, "\x04\x01\x01\xbb\x00\x00\x00\x01\x00"
	    "example.com\x00", 21);
	{
		static const char reply[] = "\x00\x5a\x00\x00\x00\x00\x00\x00";
		size_t k;

		for (k = 0; k < 8; k++) {
			say(&r, reply + k, 1);
			ASSERT_RC(&r, ready(&r), k < 7 ?
			    HECAT__STAGE_WANT_READ : HECAT__STAGE_DONE);
		}
	}
	ck_assert_uint_eq(r.st.boundlen, 0);
	ck_assert_str_eq(r.steps, "CONNECT sent (SOCKS4a)|reply 90: request "
	    "granted");
	assert_left(&r, "");
	rig_down(&r);
}
END_TEST

START_TEST(s4_failures)
{
	char user[300];
	struct rig r;

	rig_up(&r, &hecat__stage_socks4, NULL, "192.0.2.1", 22, NULL, NULL);
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	say(&r, "\x00\x5b\x00\x00\x00\x00\x00\x00", 8);
	assert_failed(&r, ready(&r), ECONNREFUSED,
	    "reply 91: request rejected or failed");
	ck_assert_int_eq(r.st.code, 91);
	rig_down(&r);

	rig_up(&r, &hecat__stage_socks4, NULL, "192.0.2.1", 22, NULL, NULL);
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	say(&r, "\x00\x5d\x00\x00\x00\x00\x00\x00", 8);
	assert_failed(&r, ready(&r), EACCES,
	    "reply 93: request rejected: identd reports another user");
	rig_down(&r);

	/* VN 4: a SOCKS4 reply has 0. */
	rig_up(&r, &hecat__stage_socks4, NULL, "192.0.2.1", 22, NULL, NULL);
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	say(&r, "\x04\x5a\x00\x00\x00\x00\x00\x00", 8);
	assert_failed(&r, ready(&r), EPROTO, "not a SOCKS4 reply");
	rig_down(&r);

	rig_up(&r, &hecat__stage_socks4, NULL, "192.0.2.1", 22, NULL, NULL);
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	say(&r, "\x00\x5a\x00", 3);
	hang_up(&r);
	assert_failed(&r, ready(&r), ECONNRESET,
	    "the proxy closed the connection");
	rig_down(&r);

	/* Not asked at all. */
	rig_up(&r, &hecat__stage_socks4, NULL, "2001:db8::1", 22, NULL, NULL);
	assert_failed(&r, start(&r), EINVAL,
	    "SOCKS4 reaches IPv4 addresses only");
	expect_bytes(&r, "", 0);
	rig_down(&r);
	memset(user, 'u', 256);
	user[256] = '\0';
	rig_up(&r, &hecat__stage_socks4, "example.com", NULL, 22, user, NULL);
	assert_failed(&r, start(&r), EINVAL,
	    "target or user name longer than 255 bytes");
	rig_down(&r);
	/* The user too long for an IPv4 address is not about IPv4. */
	rig_up(&r, &hecat__stage_socks4, NULL, "192.0.2.1", 22, user, NULL);
	assert_failed(&r, start(&r), EINVAL,
	    "target or user name longer than 255 bytes");
	expect_bytes(&r, "", 0);
	rig_down(&r);
}
END_TEST

/* ---- HTTP CONNECT -------------------------------------------------------- */

#define REQ_H22	"CONNECT h:22 HTTP/1.1\r\nHost: h:22\r\n\r\n"

/* The reply with the target's first bytes after it, in one write. */
START_TEST(http_reply_then_data)
{
	struct rig r;

	rig_up(&r, &hecat__stage_http_connect, "h", NULL, 22, NULL, NULL);
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	expect_text(&r, REQ_H22);
	say_text(&r, "HTTP/1.0 200 OK\r\n\r\n" APP);
	ASSERT_RC(&r, ready(&r), HECAT__STAGE_DONE);
	assert_left(&r, APP);
	ck_assert_int_eq(r.st.code, 200);
	ck_assert_str_eq(r.steps, "CONNECT sent|reply HTTP/1.0 200 OK");
	rig_down(&r);

	/* Headers, bare newlines, and a body that looks like a head. */
	rig_up(&r, &hecat__stage_http_connect, NULL, "2001:db8::1", 22, NULL,
	    NULL);
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	expect_text(&r, "CONNECT [2001:db8::1]:22 HTTP/1.1\r\n"
	    "Host: [2001:db8::1]:22\r\n\r\n");
	say_text(&r, "HTTP/1.1 200 Connection established\nVia: p\n\n"
	    "\r\n\r\nHTTP/1.1 500 x\r\n\r\n");
	ASSERT_RC(&r, ready(&r), HECAT__STAGE_DONE);
	assert_left(&r, "\r\n\r\nHTTP/1.1 500 x\r\n\r\n");
	rig_down(&r);
}
END_TEST

/*
 * The same reply in one-byte writes: all of them before the stage looks,
 * then the stage called after each.
 */
START_TEST(http_bytewise)
{
	static const char reply[] = "HTTP/1.0 200 OK\r\n\r\n" APP;
	size_t k, hlen = strlen("HTTP/1.0 200 OK\r\n\r\n");
	struct rig r;

	rig_up(&r, &hecat__stage_http_connect, "h", NULL, 22, NULL, NULL);
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	for (k = 0; k < strlen(reply); k++)
		say(&r, reply + k, 1);
	ASSERT_RC(&r, ready(&r), HECAT__STAGE_DONE);
	assert_left(&r, APP);
	rig_down(&r);

	rig_up(&r, &hecat__stage_http_connect, "h", NULL, 22, NULL, NULL);
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	expect_text(&r, REQ_H22);
	for (k = 0; k < strlen(reply); k++) {
		say(&r, reply + k, 1);
		if (k < hlen)
			ASSERT_RC(&r, ready(&r), k + 1 < hlen ?
			    HECAT__STAGE_WANT_READ : HECAT__STAGE_DONE);
	}
	ck_assert_int_eq(r.st.code, 200);
	assert_left(&r, APP);
	rig_down(&r);
}
END_TEST

START_TEST(http_credentials)
{
	struct rig r;

	rig_up(&r, &hecat__stage_http_connect, "h", NULL, 22, "Aladdin",
	    "open sesame");
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	expect_text(&r, "CONNECT h:22 HTTP/1.1\r\nHost: h:22\r\n"
	    "Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n");
	say_text(&r, "HTTP/1.1 200 OK\r\n\r\n");
	ASSERT_RC(&r, ready(&r), HECAT__STAGE_DONE);
	ck_assert_str_eq(r.steps, "CONNECT sent with Basic credentials|"
	    "reply HTTP/1.1 200 OK");
	rig_down(&r);

	/* A user without a password: "user:". */
	rig_up(&r, &hecat__stage_http_connect, "h", NULL, 22, "u", NULL);
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	expect_text(&r, "CONNECT h:22 HTTP/1.1\r\nHost: h:22\r\n"
	    "Proxy-Authorization: Basic dTo=\r\n\r\n");
	rig_down(&r);
}
END_TEST

START_TEST(http_failures)
{
	struct rig r;

	/* 407: the status line as it came, its errno. */
	rig_up(&r, &hecat__stage_http_connect, "h", NULL, 22, NULL, NULL);
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	say_text(&r, "HTTP/1.1 407 Proxy Authentication Required\r\n"
	    "Proxy-Authenticate: Basic realm=\"proxy\"\r\nContent-Length: 0"
	    "\r\n\r\n");
	assert_failed(&r, ready(&r), EACCES,
	    "HTTP/1.1 407 Proxy Authentication Required");
	ck_assert_int_eq(r.st.code, 407);
	rig_down(&r);

	rig_up(&r, &hecat__stage_http_connect, "h", NULL, 22, NULL, NULL);
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	say_text(&r, "HTTP/1.0 502 Bad Gateway\n\n<html>");
	assert_failed(&r, ready(&r), EHOSTUNREACH, "HTTP/1.0 502 Bad Gateway");
	assert_left(&r, "<html>");
	rig_down(&r);

	/* Not HTTP. */
	rig_up(&r, &hecat__stage_http_connect, "h", NULL, 22, NULL, NULL);
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	say(&r, "\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00\n\n", 12);
	assert_failed(&r, ready(&r), EPROTO, "not an HTTP reply");
	rig_down(&r);

	/* Closed before a byte, and in the head. */
	rig_up(&r, &hecat__stage_http_connect, "h", NULL, 22, NULL, NULL);
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	hang_up(&r);
	assert_failed(&r, ready(&r), ECONNRESET,
	    "the proxy closed the connection");
	rig_down(&r);
	rig_up(&r, &hecat__stage_http_connect, "h", NULL, 22, NULL, NULL);
	ASSERT_RC(&r, start(&r), HECAT__STAGE_WANT_READ);
	say_text(&r, "HTTP/1.1 200 OK\r\n\r");
	ASSERT_RC(&r, ready(&r), HECAT__STAGE_WANT_READ);
	hang_up(&r);
	assert_failed(&r, ready(&r), ECONNRESET,
	    "the proxy closed the connection in its reply");
	rig_down(&r);

	/* Not asked at all. */
	rig_up(&r, &hecat__stage_http_connect, "a b", NULL, 22, NULL, NULL);
	assert_failed(&r, start(&r), EINVAL,
	    "target or user name not fit for an HTTP request");
	rig_down(&r);
	rig_up(&r, &hecat__stage_http_connect, "h", NULL, 22, "a:b", "c");
	assert_failed(&r, start(&r), EINVAL,
	    "target or user name not fit for an HTTP request");
	expect_bytes(&r, "", 0);
	rig_down(&r);
}
END_TEST

/*
 * A head of filler lines, len bytes, ended by an empty line when end:
 * the stage takes at most HECAT__HTTP_MAXHEAD of them.
 */
static enum hecat__stage_rc
long_head(struct rig *r, size_t len, bool end)
{
	char *s;
	size_t i;
	enum hecat__stage_rc rc;

	ck_assert_ptr_nonnull(s = malloc(len));
	memset(s, 'x', len);
	memcpy(s, "HTTP/1.1 200 OK\r\n", 17);
	for (i = 17 + 62; i + 2 < len - 4; i += 64)
		memcpy(s + i, "\r\n", 2);
	memcpy(s + len - 4, end ? "\r\n\r\n" : "xxxx", 4);
	ASSERT_RC(r, start(r), HECAT__STAGE_WANT_READ);
	expect_text(r, REQ_H22);
	say(r, s, len);
	rc = ready(r);
	free(s);
	return rc;
}

START_TEST(http_head_cap)
{
	char c;
	struct rig r;

	/* No end: read up to 16 KiB, then failed. */
	rig_up(&r, &hecat__stage_http_connect, "h", NULL, 22, NULL, NULL);
	ASSERT_RC(&r, long_head(&r, HECAT__HTTP_MAXHEAD, false),
	    HECAT__STAGE_WANT_READ);
	say_text(&r, "x");
	assert_failed(&r, ready(&r), EPROTO,
	    "the proxy's reply head is longer than 16 KiB");
	/* It never took the byte past the cap. */
	ck_assert_int_eq(recv(r.sv[0], &c, 1, MSG_DONTWAIT), 1);
	ck_assert_int_eq(c, 'x');
	rig_down(&r);

	/* A head of 16 KiB exactly passes. */
	rig_up(&r, &hecat__stage_http_connect, "h", NULL, 22, NULL, NULL);
	ASSERT_RC(&r, long_head(&r, HECAT__HTTP_MAXHEAD, true),
	    HECAT__STAGE_DONE);
	assert_left(&r, "");
	rig_down(&r);

	/*
	 * One byte longer, its end in the piece that crosses the cap: as
	 * long as one with no end.
	 */
	rig_up(&r, &hecat__stage_http_connect, "h", NULL, 22, NULL, NULL);
	assert_failed(&r, long_head(&r, HECAT__HTTP_MAXHEAD + 1, true), EPROTO,
	    "the proxy's reply head is longer than 16 KiB");
	rig_down(&r);
}
END_TEST

static Suite *
proxystage_suite(void)
{
	Suite *s = suite_create("proxystage");
	TCase *tc;

	tc = tcase_create("socks5");
	tcase_add_test(tc, s5_reply_then_data);
	tcase_add_test(tc, s5_requests);
	tcase_add_test(tc, s5_credentials);
	tcase_add_test(tc, s5_refused);
	tcase_add_test(tc, s5_methods_refused);
	tcase_add_test(tc, s5_broken_proxies);
	tcase_add_test(tc, s5_bad_requests);
	tcase_add_test(tc, s5_bytewise);
	suite_add_tcase(s, tc);

	tc = tcase_create("socks4");
	tcase_add_test(tc, s4_reply_then_data);
	tcase_add_test(tc, s4_failures);
	suite_add_tcase(s, tc);

	tc = tcase_create("http");
	tcase_add_test(tc, http_reply_then_data);
	tcase_add_test(tc, http_bytewise);
	tcase_add_test(tc, http_credentials);
	tcase_add_test(tc, http_failures);
	tcase_add_test(tc, http_head_cap);
	suite_add_tcase(s, tc);

	return s;
}

const struct check_def check_def = { proxystage_suite, check_ignore_sigpipe };
