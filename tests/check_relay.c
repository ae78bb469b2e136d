/*
 * check_relay.c - the relay (cmd/relay.c) with real descriptors.
 *
 * Each test wires relay() to real pipes, socketpairs, regular files and a
 * loopback TCP connection (127.0.0.1, port 0), runs it in a thread, and
 * drives the other ends from the test with poll(2) and deadlines; nothing
 * waits with sleep().  A wait that must time out (to show something did
 * NOT happen) is a bounded poll on the descriptor concerned.  That ground
 * (descriptors, TCP pairs, the relay in a thread) is relay_fx.c's.
 *
 * Loop tests run twice: _i == 0 with splice(2) where the relay may use it,
 * _i == 1 with no_splice (the buffered copy).
 *
 * HECAT_TEST_SLOWDOWN=N (.ci/run: 4 with the sanitizers, 20 under
 * valgrind) divides the bulk transfer sizes by N and multiplies the
 * timing windows' upper bounds by N (see tu_slowdown() in testutil.c);
 * lower bounds never move.  Each time is taken from the event that
 * starts what is timed, read before that event (the clock read before
 * the byte is written, the EOF made, the signal sent).
 *
 * SIGPIPE is ignored before the tests (check_def's hook), as hecat does:
 * a relay that wrote to a closed pipe and did not handle EPIPE would
 * fail, not kill the suite.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/sockios.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "relay.h"
#include "testutil.h"
#include "relay_fx.h"

#define RELAY_BUFSZ	(64 * 1024)	/* cmd/relay.c's copy buffer */

/* ---- SHA-256 (FIPS 180-4), small and self-contained --------------------- */

struct sha256 {
	uint32_t	h[8];
	uint64_t	len;
	unsigned char	buf[64];
	size_t		n;
};

static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b,
	0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
	0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7,
	0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152,
	0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
	0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
	0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
	0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

#define ROR(x, n)	(((x) >> (n)) | ((x) << (32 - (n))))

static void
sha256_block(struct sha256 *c, const unsigned char *p)
{
	uint32_t w[64], a, b, cc, d, e, f, g, h, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (; i < 64; i++)
		w[i] = (ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^
		    (w[i - 2] >> 10)) + w[i - 7] + (ROR(w[i - 15], 7) ^
		    ROR(w[i - 15], 18) ^ (w[i - 15] >> 3)) + w[i - 16];
	a = c->h[0]; b = c->h[1]; cc = c->h[2]; d = c->h[3];
	e = c->h[4]; f = c->h[5]; g = c->h[6]; h = c->h[7];
	for (i = 0; i < 64; i++) {
		t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +
		    ((e & f) ^ (~e & g)) + sha_k[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) +
		    ((a & b) ^ (a & cc) ^ (b & cc));
		h = g; g = f; f = e; e = d + t1;
		d = cc; cc = b; b = a; a = t1 + t2;
	}
	c->h[0] += a; c->h[1] += b; c->h[2] += cc; c->h[3] += d;
	c->h[4] += e; c->h[5] += f; c->h[6] += g; c->h[7] += h;
}

static void
sha256_init(struct sha256 *c)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372,
	    0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

	memcpy(c->h, iv, sizeof(iv));
	c->len = 0;
	c->n = 0;
}

static void
sha256_update(struct sha256 *c, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t k;

	c->len += len;
	while (len > 0) {
		if (c->n == 0 && len >= 64) {
			sha256_block(c, p);
			p += 64;
			len -= 64;
			continue;
		}
		k = 64 - c->n < len ? 64 - c->n : len;
		memcpy(c->buf + c->n, p, k);
		c->n += k;
		p += k;
		len -= k;
		if (c->n == 64) {
			sha256_block(c, c->buf);
			c->n = 0;
		}
	}
}

static void
sha256_final(struct sha256 *c, unsigned char out[32])
{
	uint64_t bits = c->len * 8;
	unsigned char pad[72] = { 0x80 };
	size_t padlen = (c->n < 56 ? 56 : 120) - c->n;
	int i;

	for (i = 0; i < 8; i++)
		pad[padlen + (size_t)i] = (unsigned char)(bits >> (56 - 8 * i));
	sha256_update(c, pad, padlen + 8);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(c->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)c->h[i];
	}
}

static void
sha256_hex(const void *data, size_t len, char hex[65])
{
	struct sha256 c;
	unsigned char d[32];
	int i;

	sha256_init(&c);
	sha256_update(&c, data, len);
	sha256_final(&c, d);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/* Read exactly strlen(want) bytes from fd within 2 s; they must be want. */
static void
expect(int fd, const char *want)
{
	char buf[256];
	size_t len = strlen(want);
	bool eof;

	ck_assert_uint_lt(len, sizeof(buf));
	ck_assert_uint_eq(get(fd, buf, len + 1, 2000, &eof), len);
	ck_assert_str_eq(buf, want);
}

/* Whether the peer fd shows EOF (or data) within ms: it must not. */
static bool
quiet_for(int fd, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, ms) == 0;
}

/* ---- roles: the test's side of a transfer, driven together by pump() ---- */

enum role_kind {
	SOURCE,		/* write len generated bytes, then close or shut */
	SINK,		/* read and hash to EOF (or len bytes, then close) */
	ECHO		/* write back what is read; shutdown at EOF */
};

struct role {
	enum role_kind		 kind;
	int			*fd;
	uint64_t		 len;
	bool			 shut;		/* SOURCE: SHUT_WR, no close */
	bool			 optional;	/* pump() need not finish it */
	const struct role	*after;		/* SOURCE: end after this one */
	uint64_t		 seed;
	struct sha256		 sha;
	unsigned char		 digest[32];
	unsigned char		 buf[65536];
	size_t			 off, n;
	uint64_t		 done;		/* bytes written or read */
	bool			 eof;
	bool			 finished;
	int			 err;
};

static void
role_init(struct role *r, enum role_kind kind, int *fd, uint64_t len,
    uint64_t seed)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->fd = fd;
	r->len = len;
	r->seed = seed;
	sha256_init(&r->sha);
}

static void
role_end(struct role *r)
{
	sha256_final(&r->sha, r->digest);
	r->finished = true;
}

/* One non-blocking step; returns true if bytes moved or r changed. */
static bool
role_step(struct role *r)
{
	ssize_t k;

	if (r->finished)
		return false;
	switch (r->kind) {
	case SOURCE:
		if (r->off == r->n && r->done < r->len) {
			r->n = r->len - r->done < sizeof(r->buf) ?
			    (size_t)(r->len - r->done) : sizeof(r->buf);
			r->off = 0;
			gen_fill(&r->seed, r->buf, r->n);
			sha256_update(&r->sha, r->buf, r->n);
		}
		if (r->off < r->n) {
			k = write(*r->fd, r->buf + r->off, r->n - r->off);
			if (k > 0) {
				r->off += (size_t)k;
				r->done += (uint64_t)k;
				return true;
			}
			if (k == -1 && errno != EAGAIN) {
				r->err = errno;
				role_end(r);
				return true;
			}
			return false;
		}
		if (r->after != NULL && !r->after->finished)
			return false;
		if (r->shut)
			shutdown(*r->fd, SHUT_WR);
		else
			xclose(r->fd);
		role_end(r);
		return true;
	case SINK:
		k = read(*r->fd, r->buf, sizeof(r->buf));
		if (k > 0) {
			sha256_update(&r->sha, r->buf, (size_t)k);
			r->done += (uint64_t)k;
			if (r->len > 0 && r->done >= r->len) {
				xclose(r->fd);
				role_end(r);
			}
			return true;
		}
		if (k == 0 || errno != EAGAIN) {
			r->eof = k == 0;
			r->err = k == 0 ? 0 : errno;
			role_end(r);
			return true;
		}
		return false;
	case ECHO:
		if (r->off < r->n) {
			k = write(*r->fd, r->buf + r->off, r->n - r->off);
			if (k > 0)
				r->off += (size_t)k;
			else if (errno != EAGAIN) {
				r->err = errno;
				role_end(r);
			}
			return k > 0 || r->finished;
		}
		if (r->eof) {
			shutdown(*r->fd, SHUT_WR);
			role_end(r);
			return true;
		}
		k = read(*r->fd, r->buf, sizeof(r->buf));
		if (k > 0) {
			r->off = 0;
			r->n = (size_t)k;
			r->done += (uint64_t)k;
			sha256_update(&r->sha, r->buf, (size_t)k);
		} else if (k == 0)
			r->eof = true;
		else if (errno != EAGAIN) {
			r->err = errno;
			role_end(r);
		}
		return k >= 0 || r->finished;
	}
	return false;
}

static short
role_events(const struct role *r)
{
	if (r->finished)
		return 0;
	switch (r->kind) {
	case SOURCE:
		return r->off < r->n || r->done < r->len ? POLLOUT : 0;
	case SINK:
		return POLLIN;
	case ECHO:
		return r->off < r->n ? POLLOUT : POLLIN;
	}
	return 0;
}

enum { PUMP_DEADLINE = -1, PUMP_STALLED = 0, PUMP_DONE = 1 };

/*
 * Drive roles until every one that is not optional has finished
 * (PUMP_DONE), nothing moved for stall_ms (PUMP_STALLED; 0: never), or
 * ms (times SLOW) passed (PUMP_DEADLINE).
 */
static int
pump(struct role **r, size_t nr, int ms, int stall_ms)
{
	struct pollfd pfd[8];
	double now = tu_now_ms(), end = now + ms * SLOW, last = now, until;
	size_t i, np;
	bool moved, all;

	ck_assert_uint_le(nr, 8);
	for (;;) {
		moved = false;
		for (i = 0; i < nr; i++)
			moved |= role_step(r[i]);
		all = true;
		for (i = 0; i < nr; i++)
			all &= r[i]->finished || r[i]->optional;
		if (all)
			return PUMP_DONE;
		now = tu_now_ms();
		if (moved) {
			last = now;
			continue;
		}
		if (now >= end)
			return PUMP_DEADLINE;
		if (stall_ms > 0 && now - last >= stall_ms * SLOW)
			return PUMP_STALLED;
		until = end;
		if (stall_ms > 0 && last + stall_ms * SLOW < until)
			until = last + stall_ms * SLOW;
		for (i = np = 0; i < nr; i++)
			if (role_events(r[i]) != 0) {
				pfd[np].fd = *r[i]->fd;
				pfd[np].events = role_events(r[i]);
				pfd[np++].revents = 0;
			}
		/* A SOURCE waiting for its 'after' is woken by the others. */
		(void)poll(pfd, np, (int)(until - now) + 1);
	}
}

/* ---- what the tests share ---------------------------------------------- */

static const char *
start_detail(bool up_splice, bool down_splice)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "up=%s down=%s",
	    up_splice ? "splice" : "copy", down_splice ? "splice" : "copy");
	return buf;
}

static const enum relay_event full_close[] = { RELAY_START,
    RELAY_STDIN_EOF, RELAY_SHUTDOWN_WR, RELAY_PEER_EOF,
    RELAY_STDOUT_CLOSED };

/* ---- the tests ---------------------------------------------------------- */

/* The SHA-256 used below gives the FIPS 180-4 answers. */
START_TEST(sha256_known_answers)
{
	char hex[65];

	sha256_hex("", 0, hex);
	ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, hex);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    56, hex);
	ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1");
}
END_TEST

/*
 * stdin and stdout pipes, a peer that echoes: what goes in comes back
 * out, whole; splice(2) both ways unless no_splice.  Then stdin EOF ->
 * half-close -> the echo ends -> peer EOF -> stdout closed.
 */
START_TEST(echo_round_trip_pipes)
{
	struct fx fx;
	struct role src, echo, sink, *r[] = { &src, &echo, &sink };
	bool splice = _i == 0;
	int in_flags, in_size;

	fx_init(&fx, K_PIPE, K_PIPE, 0);
	fx.rn.o.no_splice = !splice;
	in_flags = fcntl(fx.in, F_GETFL);
	in_size = fcntl(fx.in, F_GETPIPE_SZ);
	run_start(&fx.rn);
	role_init(&src, SOURCE, &fx.in_w, 300 * 1024 + 7, 1);
	role_init(&echo, ECHO, &fx.peer, 0, 0);
	role_init(&sink, SINK, &fx.out_r, 0, 0);
	ck_assert_int_eq(pump(r, 3, 5000, 0), PUMP_DONE);
	run_end(&fx.rn, 2000);

	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert(sink.eof);
	ck_assert_uint_eq(echo.done, src.len);
	ck_assert_uint_eq(sink.done, src.len);
	ck_assert_mem_eq(sink.digest, src.digest, 32);
	ck_assert_uint_eq(fx.rn.res.sent, src.len);
	ck_assert_uint_eq(fx.rn.res.received, src.len);
	ck_assert(fx.rn.res.spliced_up == splice);
	ck_assert(fx.rn.res.spliced_down == splice);
	ck_assert_str_eq(ev_detail(&fx.rn, RELAY_START),
	    start_detail(splice, splice));
	ev_order(&fx.rn, full_close, 5);
	ck_assert_int_eq(fx.rn.res.error, 0);
	ck_assert_ptr_null(fx.rn.res.where);
	/* A pipe it made non-blocking (or grew) is given back as it was. */
	ck_assert_int_eq(fcntl(fx.in, F_GETFL), in_flags);
	ck_assert_int_eq(fcntl(fx.in, F_GETPIPE_SZ), in_size);
	fx_free(&fx);
}
END_TEST

/* The same through socketpairs: the buffered copy both ways. */
START_TEST(echo_round_trip_socketpair)
{
	struct fx fx;
	struct role src, echo, sink, *r[] = { &src, &echo, &sink };
	int in_flags;

	fx_init(&fx, K_SOCKPAIR, K_SOCKPAIR, 0);
	in_flags = fcntl(fx.in, F_GETFL);
	run_start(&fx.rn);
	role_init(&src, SOURCE, &fx.in_w, 300 * 1024 + 7, 2);
	role_init(&echo, ECHO, &fx.peer, 0, 0);
	role_init(&sink, SINK, &fx.out_r, 0, 0);
	ck_assert_int_eq(pump(r, 3, 5000, 0), PUMP_DONE);
	run_end(&fx.rn, 2000);

	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert(sink.eof);
	ck_assert_uint_eq(sink.done, src.len);
	ck_assert_mem_eq(sink.digest, src.digest, 32);
	ck_assert_uint_eq(fx.rn.res.sent, src.len);
	ck_assert_uint_eq(fx.rn.res.received, src.len);
	ck_assert(!fx.rn.res.spliced_up && !fx.rn.res.spliced_down);
	ck_assert_str_eq(ev_detail(&fx.rn, RELAY_START), "up=copy down=copy");
	ev_order(&fx.rn, full_close, 5);
	ck_assert_int_eq(fcntl(fx.in, F_GETFL), in_flags);
	fx_free(&fx);
}
END_TEST

/* Regular files as stdin and stdout: no O_NONBLOCK, no poll wait. */
START_TEST(echo_round_trip_regular_files)
{
	struct fx fx;
	struct role echo, *r[] = { &echo };
	unsigned char *data, *back;
	size_t len = 200 * 1024 + 13;
	uint64_t seed = 3;
	int in_flags;

	fx_init(&fx, K_PIPE, K_PIPE, 0);
	fx_files(&fx, true, true);	/* the pipes swapped for files */
	data = malloc(len);
	back = malloc(len + 1);
	ck_assert(data != NULL && back != NULL);
	gen_fill(&seed, data, len);
	ck_assert_int_eq(write(fx.in_w, data, len), (ssize_t)len);
	in_flags = fcntl(fx.in, F_GETFL);
	run_start(&fx.rn);
	role_init(&echo, ECHO, &fx.peer, 0, 0);
	ck_assert_int_eq(pump(r, 1, 5000, 0), PUMP_DONE);
	run_end(&fx.rn, 2000);

	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert_uint_eq(echo.done, len);
	ck_assert_uint_eq(fx.rn.res.sent, len);
	ck_assert_uint_eq(fx.rn.res.received, len);
	ck_assert_str_eq(ev_detail(&fx.rn, RELAY_START), "up=copy down=copy");
	ev_order(&fx.rn, full_close, 5);
	/* A regular file's flags are never touched. */
	ck_assert_int_eq(fcntl(fx.in, F_GETFL), in_flags);
	ck_assert_int_eq(pread(fx.out_r, back, len + 1, 0), (ssize_t)len);
	ck_assert_mem_eq(back, data, len);
	free(data);
	free(back);
	fx_free(&fx);
}
END_TEST

/*
 * One socket as both stdin and stdout (inetd style): at peer EOF the
 * relay cannot close "stdout" without closing stdin, so it shuts down
 * its write side: the other end still sees EOF.
 */
START_TEST(stdin_and_stdout_one_socket)
{
	struct fx fx;
	char buf[64];
	bool eof;

	fx_init(&fx, K_SOCKPAIR, K_PIPE, 0);
	xclose(&fx.out);
	xclose(&fx.out_r);
	fx.rn.out = fx.in;
	run_start(&fx.rn);
	PUTS(fx.in_w, "question\n");
	expect(fx.peer, "question\n");
	PUTS(fx.peer, "answer\n");
	xclose(&fx.peer);
	get(fx.in_w, buf, sizeof(buf), 2000, &eof);
	ck_assert_str_eq(buf, "answer\n");
	ck_assert(eof);
	run_end(&fx.rn, 2000);
	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert_str_eq(ev_detail(&fx.rn, RELAY_START), "up=copy down=copy");
	ck_assert_str_eq(ev_detail(&fx.rn, RELAY_STDOUT_CLOSED), "peer eof");
	/* Still open: it is stdin too. */
	ck_assert_int_ne(fcntl(fx.in, F_GETFD), -1);
	ck_assert_int_eq(fcntl(fx.in, F_GETFL) & O_NONBLOCK, 0);
	fx_free(&fx);
}
END_TEST

/*
 * A terminal as stdin (a pty): read a line at a time when poll says so,
 * its flags never changed; ^D at the start of a line is stdin's EOF.
 */
START_TEST(tty_stdin_flags_untouched)
{
	struct fx fx;
	char buf[64];
	int master, flags;
	bool eof;

	fx_init(&fx, K_PIPE, K_PIPE, 0);
	xclose(&fx.in);
	xclose(&fx.in_w);
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	ck_assert_int_ge(master, 0);
	ck_assert_int_eq(grantpt(master), 0);
	ck_assert_int_eq(unlockpt(master), 0);
	fx.in = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	ck_assert_int_ge(fx.in, 0);
	fx.in_w = master;
	set_nonblock(fx.in_w);
	fx.rn.in = fx.in;
	flags = fcntl(fx.in, F_GETFL);
	run_start(&fx.rn);
	PUTS(fx.in_w, "typed line\n");
	expect(fx.peer, "typed line\n");
	/* While the relay waits on it, the tty is still blocking. */
	ck_assert_int_eq(fcntl(fx.in, F_GETFL), flags);
	PUTS(fx.in_w, "\004");		/* VEOF */
	get(fx.peer, buf, sizeof(buf), 2000, &eof);
	ck_assert_str_eq(buf, "");
	ck_assert_msg(eof, "no half-close after ^D");
	xclose(&fx.peer);
	run_end(&fx.rn, 2000);
	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert_str_eq(ev_detail(&fx.rn, RELAY_START),
	    "up=copy down=splice");
	ev_order(&fx.rn, full_close, 5);
	ck_assert_int_eq(fcntl(fx.in, F_GETFL), flags);
	fx_free(&fx);
}
END_TEST

/*
 * stdin EOF: the peer sees EOF (the half-close), and its reply, sent
 * after that, still reaches stdout; then peer EOF ends the relay, 0.
 */
START_TEST(stdin_eof_half_closes_and_reply_arrives)
{
	struct fx fx;
	char buf[256];
	bool eof;

	fx_init(&fx, K_PIPE, K_PIPE, 0);
	fx.rn.o.no_splice = _i == 1;
	run_start(&fx.rn);
	PUTS(fx.in_w, "request\n");
	xclose(&fx.in_w);
	ck_assert_uint_eq(get(fx.peer, buf, sizeof(buf), 2000, &eof), 8);
	ck_assert_str_eq(buf, "request\n");
	ck_assert_msg(eof, "the peer saw no EOF after stdin's");
	PUTS(fx.peer, "reply after eof\n");
	xclose(&fx.peer);
	get(fx.out_r, buf, sizeof(buf), 2000, &eof);
	ck_assert_str_eq(buf, "reply after eof\n");
	ck_assert(eof);
	run_end(&fx.rn, 2000);
	ck_assert_int_eq(fx.rn.status, 0);
	ev_order(&fx.rn, full_close, 5);
	ck_assert_uint_eq(fx.rn.res.sent, 8);
	ck_assert_uint_eq(fx.rn.res.received, 16);
	fx_free(&fx);
}
END_TEST

/* --no-shutdown: stdin EOF leaves the socket's write side open. */
START_TEST(no_shutdown_keeps_write_side_open)
{
	struct fx fx;
	bool eof;
	char buf[64];

	fx_init(&fx, K_PIPE, K_PIPE, 0);
	fx.rn.o.no_shutdown = true;
	run_start(&fx.rn);
	PUTS(fx.in_w, "x");
	xclose(&fx.in_w);
	expect(fx.peer, "x");
	/* No EOF for the peer (300 ms of silence), the relay still runs. */
	ck_assert_msg(quiet_for(fx.peer, 300), "the peer saw EOF or data");
	assert_waits_quietly(&fx.rn);
	PUTS(fx.peer, "still open\n");
	expect(fx.out_r, "still open\n");
	xclose(&fx.peer);
	get(fx.out_r, buf, sizeof(buf), 2000, &eof);
	ck_assert(eof);
	run_end(&fx.rn, 2000);
	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert(HAS(&fx.rn, RELAY_STDIN_EOF));
	ck_assert(!HAS(&fx.rn, RELAY_SHUTDOWN_WR));
	fx_free(&fx);
}
END_TEST

/*
 * The peer closes first while stdin stays open: stdout gets the rest and
 * EOF, and the relay returns promptly (< 1 s), status 0.
 */
START_TEST(peer_closes_first_stdin_open)
{
	struct fx fx;
	char buf[64];
	bool eof;
	double t0;

	fx_init(&fx, K_PIPE, K_PIPE, 0);
	fx.rn.o.no_splice = _i == 1;
	run_start(&fx.rn);
	PUTS(fx.peer, "bye\n");
	t0 = tu_now_ms();
	xclose(&fx.peer);
	get(fx.out_r, buf, sizeof(buf), 1000, &eof);
	ck_assert_str_eq(buf, "bye\n");
	ck_assert(eof);
	run_end(&fx.rn, 1000);
	ck_assert_double_lt(fx.rn.t_end - t0, 1000.0 * SLOW);
	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert(!HAS(&fx.rn, RELAY_STDIN_EOF));
	ck_assert_int_lt(ev_index(&fx.rn, RELAY_PEER_EOF),
	    ev_index(&fx.rn, RELAY_STDOUT_CLOSED));
	ck_assert_uint_eq(fx.rn.res.received, 4);
	/* stdin was not closed, nor read to its end: still writable. */
	PUTS(fx.in_w, "later");
	fx_free(&fx);
}
END_TEST

/*
 * Peer EOF while stdout is blocked: the peer sent 256 KiB and closed,
 * stdin is closed too, so the socket is shut both ways and polls POLLHUP
 * (checked), and nobody reads stdout (a one-page pipe) yet.  The relay
 * waits without spinning on that POLLHUP, then, once stdout is read,
 * delivers every byte before closing it.
 */
START_TEST(peer_eof_while_stdout_blocked)
{
	struct fx fx;
	struct role src, sink, *r[] = { &src, &sink };
	struct pollfd p;
	int rcvbuf = 1 << 20;

	fx_init(&fx, K_PIPE, K_PIPE, 0);
	fx.rn.o.no_splice = _i == 1;
	ck_assert_int_ge(fcntl(fx.out_r, F_SETPIPE_SZ, 4096), 4096);
	/* Room for what stdout does not take, and the FIN behind it. */
	ck_assert_int_eq(setsockopt(fx.sock, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
	    sizeof(rcvbuf)), 0);
	run_start(&fx.rn);
	role_init(&src, SOURCE, &fx.peer, 256 * 1024, 31);
	src.shut = true;
	ck_assert_int_eq(pump(r, 1, 5000, 0), PUMP_DONE);
	xclose(&fx.in_w);
	ck_assert_msg(wait_fd(fx.peer, POLLIN, 2000), "no half-close");
	p.fd = fx.sock;
	p.events = 0;
	ck_assert_int_eq(poll(&p, 1, 2000 * SLOW), 1);
	ck_assert_msg(p.revents & POLLHUP, "socket revents %#x", p.revents);
	assert_waits_quietly(&fx.rn);
	role_init(&sink, SINK, &fx.out_r, 0, 0);
	ck_assert_int_eq(pump(&r[1], 1, 5000, 0), PUMP_DONE);
	run_end(&fx.rn, 2000);
	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert(sink.eof);
	ck_assert_uint_eq(sink.done, src.len);
	ck_assert_mem_eq(sink.digest, src.digest, 32);
	ev_order(&fx.rn, full_close, 5);
	fx_free(&fx);
}
END_TEST

/*
 * -q 0: as with Debian's nc, no silence ends the session.  stdin's EOF
 * sends the half-close; the relay then waits for the peer, however late
 * it answers (300 ms here, quietly); the answer arrives whole and the
 * peer's EOF ends the relay, status 0.
 */
START_TEST(quit_zero_waits_for_peer_eof)
{
	struct fx fx;
	struct role src, sink, *r[] = { &src, &sink };
	char buf[64];
	bool eof;

	fx_init(&fx, K_PIPE, K_PIPE, 0);
	fx.rn.o.no_splice = _i == 1;
	fx.rn.o.quit_ms = 0;
	run_start(&fx.rn);
	role_init(&src, SOURCE, &fx.in_w, 512 * 1024, 4);
	role_init(&sink, SINK, &fx.peer, 0, 0);
	/* The sink ends at the half-close; the peer stays open. */
	ck_assert_int_eq(pump(r, 2, 5000, 0), PUMP_DONE);
	ck_assert(sink.eof);
	ck_assert_uint_eq(sink.done, src.len);
	ck_assert_mem_eq(sink.digest, src.digest, 32);
	ck_assert_msg(!run_wait(&fx.rn, 100),
	    "the relay ended before the peer answered");
	assert_waits_quietly(&fx.rn);
	PUTS(fx.peer, "late reply\n");
	xclose(&fx.peer);
	get(fx.out_r, buf, sizeof(buf), 2000, &eof);
	ck_assert_str_eq(buf, "late reply\n");
	ck_assert(eof);
	run_end(&fx.rn, 2000);
	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert_uint_eq(fx.rn.res.sent, src.len);
	ck_assert_uint_eq(fx.rn.res.received, 11);
	ck_assert(!HAS(&fx.rn, RELAY_QUIT_TIMER));
	ev_order(&fx.rn, full_close, 5);
	fx_free(&fx);
}
END_TEST

/*
 * -q N: nothing ends the relay before the peer answers (N + 200 ms after
 * stdin's EOF it still runs); then N after the answer's last byte, with
 * the peer still open, the quit timer ends it, status 0.
 */
START_TEST(quit_n_counts_from_the_reply)
{
	struct fx fx;
	char buf[64];
	int q = 300 * SLOW;
	double t_reply, took;
	bool eof;

	fx_init(&fx, K_PIPE, K_PIPE, 0);
	fx.rn.o.no_splice = _i == 1;
	fx.rn.o.quit_ms = q;
	run_start(&fx.rn);
	PUTS(fx.in_w, "x");
	xclose(&fx.in_w);
	get(fx.peer, buf, sizeof(buf), 2000, &eof);
	ck_assert_str_eq(buf, "x");
	ck_assert(eof);
	ck_assert_msg(!run_wait(&fx.rn, 300 + 200),
	    "the relay ended before the peer answered");
	t_reply = tu_now_ms();
	PUTS(fx.peer, "late reply\n");
	expect(fx.out_r, "late reply\n");
	run_end(&fx.rn, 300 + 2000);
	took = fx.rn.t_end - t_reply;
	ck_assert_msg(took >= q && took < q + 1000 * SLOW,
	    "ended %.1f ms after the reply, -q %d", took, q);
	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert(HAS(&fx.rn, RELAY_QUIT_TIMER));
	ck_assert(!HAS(&fx.rn, RELAY_PEER_EOF));
	/* Not a peer EOF: stdout was left open. */
	ck_assert_int_ne(fcntl(fx.out, F_GETFD), -1);
	fx_free(&fx);
}
END_TEST

/*
 * -q N counts the peer's silence: an answer in pieces 200 ms apart, less
 * than N, is not cut; the relay ends N after the last piece.
 */
START_TEST(quit_n_restarts_with_each_piece)
{
	struct fx fx;
	char buf[64];
	int q = 400 * SLOW, piece;
	double t_last = 0, took;
	bool eof;

	fx_init(&fx, K_PIPE, K_PIPE, 0);
	fx.rn.o.quit_ms = q;
	run_start(&fx.rn);
	xclose(&fx.in_w);
	get(fx.peer, buf, sizeof(buf), 2000, &eof);
	ck_assert(eof);
	for (piece = 0; piece < 4; piece++) {	/* 800 ms > q */
		t_last = tu_now_ms();
		PUTS(fx.peer, "piece\n");
		expect(fx.out_r, "piece\n");
		ck_assert_msg(!run_wait(&fx.rn, 200),
		    "the quit timer cut the answer (piece %d)", piece);
	}
	run_end(&fx.rn, 400 + 2000);
	took = fx.rn.t_end - t_last;
	ck_assert_msg(took >= q && took < q + 1000 * SLOW,
	    "ended %.1f ms after the last piece, -q %d", took, q);
	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert(HAS(&fx.rn, RELAY_QUIT_TIMER));
	ck_assert_uint_eq(fx.rn.res.received, 4 * 6);
	fx_free(&fx);
}
END_TEST

/*
 * -q N never cuts what the relay has received but not written: a 256 KiB
 * answer waits behind a stdout (a one-page pipe) that nobody reads for
 * longer than N, and the relay does not end; once stdout is read all of
 * it arrives, and then the quit timer ends the relay, status 0.
 */
START_TEST(quit_n_waits_for_stdout)
{
	struct fx fx;
	size_t len = 256 * 1024;
	unsigned char *data, *got;
	uint64_t seed = 77;
	int q = 300 * SLOW, rcvbuf = 1 << 20;
	char buf[64];
	bool eof;

	fx_init(&fx, K_PIPE, K_PIPE, 0);
	fx.rn.o.no_splice = _i == 1;
	fx.rn.o.quit_ms = q;
	ck_assert_int_ge(fcntl(fx.out_r, F_SETPIPE_SZ, 4096), 4096);
	ck_assert_int_eq(setsockopt(fx.sock, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
	    sizeof(rcvbuf)), 0);
	data = malloc(len);
	got = malloc(len + 1);
	ck_assert(data != NULL && got != NULL);
	gen_fill(&seed, data, len);
	run_start(&fx.rn);
	xclose(&fx.in_w);
	get(fx.peer, buf, sizeof(buf), 2000, &eof);
	ck_assert(eof);
	put(fx.peer, data, len);
	ck_assert_msg(!run_wait(&fx.rn, 300 + 300),
	    "the relay ended with the answer not yet on stdout");
	ck_assert_uint_eq(get(fx.out_r, (char *)got, len + 1, 5000, &eof),
	    len);
	ck_assert(memcmp(got, data, len) == 0);
	run_end(&fx.rn, 300 + 2000);
	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert(HAS(&fx.rn, RELAY_QUIT_TIMER));
	ck_assert(!HAS(&fx.rn, RELAY_PEER_EOF));
	ck_assert_uint_eq(fx.rn.res.received, len);
	free(data);
	free(got);
	fx_free(&fx);
}
END_TEST

/*
 * Idle timeout: a byte every 100 ms keeps the relay alive past idle_ms;
 * silence ends it idle_ms after the last byte, status 0.
 */
START_TEST(idle_timeout)
{
	struct fx fx;
	int idle = 400 * SLOW, beat;
	double t_last = 0, took;

	fx_init(&fx, K_PIPE, K_PIPE, 0);
	fx.rn.o.idle_ms = idle;
	run_start(&fx.rn);
	for (beat = 0; beat < 6; beat++) {	/* 600 ms > idle */
		/* Before the byte goes: the relay may move it at once. */
		t_last = tu_now_ms();
		PUTS(fx.in_w, ".");
		ck_assert_msg(!run_wait(&fx.rn, 100),
		    "idle timeout with data moving (beat %d)", beat);
	}
	run_end(&fx.rn, idle + 2000);
	took = fx.rn.t_end - t_last;
	ck_assert_msg(took >= idle && took < idle + 1000 * SLOW,
	    "ended %.1f ms after the last byte, idle %d", took, idle);
	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert(HAS(&fx.rn, RELAY_IDLE_TIMEOUT));
	ck_assert_uint_eq(fx.rn.res.sent, 6);
	expect(fx.peer, "......");
	fx_free(&fx);
}
END_TEST

/*
 * --send-only: what the peer sends is read (counted in received) but not
 * written to stdout; stdin EOF -> half-close -> the relay ends, without
 * waiting for the peer.
 */
START_TEST(send_only_discards_and_ends_at_stdin_eof)
{
	struct fx fx;
	char peer_data[1000], buf[64];
	bool eof;

	memset(peer_data, 'P', sizeof(peer_data));
	fx_init(&fx, K_PIPE, K_PIPE, 0);
	fx.rn.o.no_splice = _i == 1;
	fx.rn.o.send_only = true;
	/* Before the relay starts: it reads this in its first round. */
	put(fx.peer, peer_data, sizeof(peer_data));
	run_start(&fx.rn);
	PUTS(fx.in_w, "to peer\n");
	expect(fx.peer, "to peer\n");
	xclose(&fx.in_w);
	run_end(&fx.rn, 2000);
	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert(HAS(&fx.rn, RELAY_SEND_DONE));
	ck_assert_int_lt(ev_index(&fx.rn, RELAY_SHUTDOWN_WR),
	    ev_index(&fx.rn, RELAY_SEND_DONE));
	ck_assert(!HAS(&fx.rn, RELAY_PEER_EOF));
	ck_assert_str_eq(ev_detail(&fx.rn, RELAY_START),
	    _i == 0 ? "up=splice down=discard" : "up=copy down=discard");
	ck_assert_uint_eq(fx.rn.res.sent, 8);
	ck_assert_uint_eq(fx.rn.res.received, sizeof(peer_data));
	ck_assert(!fx.rn.res.spliced_down);
	/* The peer got the half-close; stdout got nothing, not even EOF. */
	ck_assert_uint_eq(get(fx.peer, buf, sizeof(buf), 2000, &eof), 0);
	ck_assert(eof);
	errno = 0;
	ck_assert(read(fx.out_r, buf, sizeof(buf)) == -1 && errno == EAGAIN);
	fx_free(&fx);
}
END_TEST

/* -d: stdin is never read and there is no half-close; peer EOF ends. */
START_TEST(no_stdin_never_reads_stdin)
{
	struct fx fx;
	char buf[64];
	bool eof;
	int inpipe = -1;

	fx_init(&fx, K_PIPE, K_PIPE, 0);
	fx.rn.o.no_stdin = true;
	PUTS(fx.in_w, "never read\n");
	run_start(&fx.rn);
	PUTS(fx.peer, "hello\n");
	expect(fx.out_r, "hello\n");
	ck_assert_msg(quiet_for(fx.peer, 200), "the peer got data or EOF");
	xclose(&fx.peer);
	get(fx.out_r, buf, sizeof(buf), 2000, &eof);
	ck_assert(eof);
	run_end(&fx.rn, 2000);
	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert_str_eq(ev_detail(&fx.rn, RELAY_START),
	    "up=none down=splice");
	ck_assert(!HAS(&fx.rn, RELAY_STDIN_EOF));
	ck_assert(!HAS(&fx.rn, RELAY_SHUTDOWN_WR));
	ck_assert_uint_eq(fx.rn.res.sent, 0);
	ck_assert_uint_eq(fx.rn.res.received, 6);
	ck_assert_int_eq(ioctl(fx.in, FIONREAD, &inpipe), 0);
	ck_assert_int_eq(inpipe, 11);
	fx_free(&fx);
}
END_TEST

/* stdout's reader leaves while nothing flows: seen at once, status 0. */
START_TEST(stdout_reader_gone_while_idle)
{
	struct fx fx;

	fx_init(&fx, K_PIPE, K_PIPE, 0);
	fx.rn.o.no_splice = _i == 1;
	run_start(&fx.rn);
	xclose(&fx.out_r);
	run_end(&fx.rn, 1000);
	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert_str_eq(ev_detail(&fx.rn, RELAY_STDOUT_CLOSED), "POLLERR");
	ck_assert_int_eq(fx.rn.res.error, 0);
	ck_assert_ptr_null(fx.rn.res.where);
	ck_assert(!HAS(&fx.rn, RELAY_ERROR));
	fx_free(&fx);
}
END_TEST

/*
 * stdout's reader leaves in the middle of a stream: EPIPE (SIGPIPE is
 * ignored, as in hecat) or POLLERR ends the relay with status 0.
 */
START_TEST(stdout_reader_gone_mid_stream)
{
	struct fx fx;
	struct role src, sink, *r[] = { &src, &sink };
	const char *how;

	fx_init(&fx, K_PIPE, K_PIPE, 0);
	fx.rn.o.no_splice = _i == 1;
	run_start(&fx.rn);
	role_init(&src, SOURCE, &fx.peer, 64 << 20, 5);
	src.optional = true;
	src.shut = true;
	role_init(&sink, SINK, &fx.out_r, 300 * 1024, 0);  /* then close */
	ck_assert_int_eq(pump(r, 2, 5000, 0), PUMP_DONE);
	run_end(&fx.rn, 2000);
	ck_assert_int_eq(fx.rn.status, 0);
	how = ev_detail(&fx.rn, RELAY_STDOUT_CLOSED);
	ck_assert_msg(strcmp(how, "EPIPE") == 0 || strcmp(how, "POLLERR") == 0,
	    "stdout closed: %s", how);
	ck_assert_ptr_null(fx.rn.res.where);
	ck_assert_uint_ge(fx.rn.res.received, 300 * 1024);
	ck_assert(!HAS(&fx.rn, RELAY_PEER_EOF));
	fx_free(&fx);
}
END_TEST

/*
 * EPIPE itself: a socketpair as stdout whose consumer shut its reading
 * side.  poll() shows no POLLERR or POLLHUP there, so the write is what
 * fails, with EPIPE (and SIGPIPE, ignored): status 0, not an error.
 */
START_TEST(stdout_epipe_on_write)
{
	struct fx fx;

	fx_init(&fx, K_PIPE, K_SOCKPAIR, 0);
	ck_assert_int_eq(shutdown(fx.out_r, SHUT_RD), 0);
	run_start(&fx.rn);
	PUTS(fx.peer, "nobody reads this\n");
	run_end(&fx.rn, 1000);
	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert_str_eq(ev_detail(&fx.rn, RELAY_STDOUT_CLOSED), "EPIPE");
	ck_assert_int_eq(fx.rn.res.error, 0);
	ck_assert_ptr_null(fx.rn.res.where);
	ck_assert_uint_eq(fx.rn.res.received, 18);
	ck_assert(!HAS(&fx.rn, RELAY_PEER_EOF));
	fx_free(&fx);
}
END_TEST

/* The peer resets the connection mid-relay: status 74, "socket". */
START_TEST(peer_reset_is_io_error)
{
	struct fx fx;
	struct linger lg = { 1, 0 };
	char want[128];

	fx_init(&fx, K_PIPE, K_PIPE, 0);
	fx.rn.o.no_splice = _i == 1;
	run_start(&fx.rn);
	PUTS(fx.in_w, "ping");
	expect(fx.peer, "ping");
	PUTS(fx.peer, "pong");
	expect(fx.out_r, "pong");
	ck_assert_int_eq(setsockopt(fx.peer, SOL_SOCKET, SO_LINGER, &lg,
	    sizeof(lg)), 0);
	xclose(&fx.peer);		/* RST */
	run_end(&fx.rn, 1000);
	ck_assert_int_eq(fx.rn.status, 74);
	ck_assert_int_eq(fx.rn.res.error, ECONNRESET);
	ck_assert_str_eq(fx.rn.res.where, "socket");
	snprintf(want, sizeof(want), "socket: %s", strerror(ECONNRESET));
	ck_assert_str_eq(ev_detail(&fx.rn, RELAY_ERROR), want);
	ck_assert(!HAS(&fx.rn, RELAY_STDOUT_CLOSED));
	fx_free(&fx);
}
END_TEST

/* A read error on stdin (a directory: EISDIR): status 74, "stdin". */
START_TEST(stdin_read_error_is_io_error)
{
	struct fx fx;

	fx_init(&fx, K_PIPE, K_PIPE, 0);
	xclose(&fx.in);
	fx.in = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fx.in, 0);
	fx.rn.in = fx.in;
	run_start(&fx.rn);
	run_end(&fx.rn, 1000);
	ck_assert_int_eq(fx.rn.status, 74);
	ck_assert_int_eq(fx.rn.res.error, EISDIR);
	ck_assert_str_eq(fx.rn.res.where, "stdin");
	ck_assert_msg(strncmp(ev_detail(&fx.rn, RELAY_ERROR), "stdin: ",
	    7) == 0, "detail: %s", ev_detail(&fx.rn, RELAY_ERROR));
	fx_free(&fx);
}
END_TEST

/*
 * A real signalfd: SIGUSR1 ends the relay at once, res->signal set.  The
 * signal is sent with kill(getpid()), not raise(): raise() would aim it
 * at this thread, and a signalfd only reports signals pending for the
 * process or for the thread that reads it (the relay's).
 */
START_TEST(signalfd_ends_relay)
{
	struct fx fx;
	sigset_t set, old, pending;
	int sfd;
	double t0;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	ck_assert_int_eq(pthread_sigmask(SIG_BLOCK, &set, &old), 0);
	fx_init(&fx, K_PIPE, K_PIPE, 0);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	ck_assert_int_ge(sfd, 0);
	fx.rn.o.sigfd = sfd;
	run_start(&fx.rn);		/* inherits the mask */
	PUTS(fx.in_w, "x");
	expect(fx.peer, "x");		/* it is running */
	t0 = tu_now_ms();
	ck_assert_int_eq(kill(getpid(), SIGUSR1), 0);
	run_end(&fx.rn, 1000);
	ck_assert_double_lt(fx.rn.t_end - t0, 1000.0 * SLOW);
	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert_int_eq(fx.rn.res.signal, SIGUSR1);
	ck_assert_str_eq(ev_detail(&fx.rn, RELAY_SIGNAL), "SIGUSR1");
	ck_assert(!HAS(&fx.rn, RELAY_PEER_EOF));
	ck_assert(!HAS(&fx.rn, RELAY_STDIN_EOF));
	/* The relay consumed it. */
	ck_assert_int_eq(sigpending(&pending), 0);
	ck_assert(!sigismember(&pending, SIGUSR1));
	close(sfd);
	ck_assert_int_eq(pthread_sigmask(SIG_SETMASK, &old, NULL), 0);
	fx_free(&fx);
}
END_TEST

/*
 * 64 MiB of random data up and 64 MiB down at the same time, SHA-256
 * compared at both ends.  The peer closes only after it has all of
 * stdin's data (peer EOF would otherwise end the relay early).
 */
START_TEST(bulk_64mib_both_ways)
{
	struct fx fx;
	struct role up_src, up_sink, down_src, down_sink;
	struct role *r[] = { &up_src, &up_sink, &down_src, &down_sink };
	uint64_t len = (uint64_t)(64 << 20) / (uint64_t)SLOW;
	bool splice = _i == 0;

	fx_init(&fx, K_PIPE, K_PIPE, 0);
	fx.rn.o.no_splice = !splice;
	run_start(&fx.rn);
	role_init(&up_src, SOURCE, &fx.in_w, len, 11);
	role_init(&up_sink, SINK, &fx.peer, 0, 0);
	role_init(&down_src, SOURCE, &fx.peer, len + 1, 12);
	down_src.shut = true;
	down_src.after = &up_sink;
	role_init(&down_sink, SINK, &fx.out_r, 0, 0);
	ck_assert_int_eq(pump(r, 4, 20000, 0), PUMP_DONE);
	run_end(&fx.rn, 2000);
	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert_int_eq(up_src.err, 0);
	ck_assert_int_eq(down_src.err, 0);
	ck_assert(up_sink.eof && down_sink.eof);
	ck_assert_uint_eq(up_sink.done, len);
	ck_assert_uint_eq(down_sink.done, len + 1);
	ck_assert_mem_eq(up_sink.digest, up_src.digest, 32);
	ck_assert_mem_eq(down_sink.digest, down_src.digest, 32);
	ck_assert_uint_eq(fx.rn.res.sent, len);
	ck_assert_uint_eq(fx.rn.res.received, len + 1);
	ck_assert(fx.rn.res.spliced_up == splice);
	ck_assert(fx.rn.res.spliced_down == splice);
	ev_order(&fx.rn, full_close, 5);
	fx_free(&fx);
}
END_TEST

/*
 * Backpressure: while the peer does not read, the relay stops taking
 * stdin.  What it took but the socket does not hold (its send queue and
 * the peer's receive queue) is at most its 64 KiB buffer (nothing with
 * splice).  Then the peer drains and everything arrives intact.
 */
START_TEST(backpressure_bounded)
{
	struct fx fx;
	struct role src, sink, *r[] = { &src, &sink };
	uint64_t len = 8 << 20;
	int inpipe = 0, inq = 0, outq = 0;
	int64_t held;

	fx_init(&fx, K_PIPE, K_PIPE, 128 * 1024);
	fx.rn.o.no_splice = _i == 1;
	run_start(&fx.rn);
	role_init(&src, SOURCE, &fx.in_w, len, 21);
	/* The peer reads nothing: stdin must stall. */
	ck_assert_int_eq(pump(r, 1, 10000, 300), PUMP_STALLED);
	ck_assert_uint_lt(src.done, len);
	/* Blocked on the socket, stdin readable: no spinning on it. */
	assert_waits_quietly(&fx.rn);
	if (_i == 0)	/* splicing: stdin's pipe grown to 1 MiB (relay.c) */
		ck_assert_int_eq(fcntl(fx.in, F_GETPIPE_SZ), 1 << 20);
	ck_assert_int_eq(ioctl(fx.in, FIONREAD, &inpipe), 0);
	ck_assert_int_eq(ioctl(fx.peer, SIOCINQ, &inq), 0);
	ck_assert_int_eq(ioctl(fx.sock, SIOCOUTQ, &outq), 0);
	held = (int64_t)src.done - inpipe - inq - outq;
	ck_assert_msg(held <= (_i == 0 ? 0 : RELAY_BUFSZ),
	    "the relay holds %lld bytes (written %llu, in the pipe %d, "
	    "peer inq %d, outq %d)", (long long)held,
	    (unsigned long long)src.done, inpipe, inq, outq);
	/* Now drain. */
	role_init(&sink, SINK, &fx.peer, 0, 0);
	ck_assert_int_eq(pump(r, 2, 10000, 0), PUMP_DONE);
	ck_assert(sink.eof);
	ck_assert_uint_eq(sink.done, len);
	ck_assert_mem_eq(sink.digest, src.digest, 32);
	xclose(&fx.peer);
	run_end(&fx.rn, 2000);
	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert_uint_eq(fx.rn.res.sent, len);
	fx_free(&fx);
}
END_TEST

static Suite *
relay_suite(void)
{
	Suite *s = suite_create("relay");
	TCase *tc;

	tc = tcase_create("echo");
	tcase_add_test(tc, sha256_known_answers);
	tcase_add_loop_test(tc, echo_round_trip_pipes, 0, 2);
	tcase_add_test(tc, echo_round_trip_socketpair);
	tcase_add_test(tc, echo_round_trip_regular_files);
	tcase_add_test(tc, stdin_and_stdout_one_socket);
	tcase_add_test(tc, tty_stdin_flags_untouched);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);

	tc = tcase_create("eof");
	tcase_add_loop_test(tc, stdin_eof_half_closes_and_reply_arrives, 0, 2);
	tcase_add_test(tc, no_shutdown_keeps_write_side_open);
	tcase_add_loop_test(tc, peer_closes_first_stdin_open, 0, 2);
	tcase_add_loop_test(tc, send_only_discards_and_ends_at_stdin_eof, 0,
	    2);
	tcase_add_test(tc, no_stdin_never_reads_stdin);
	tcase_add_loop_test(tc, peer_eof_while_stdout_blocked, 0, 2);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);

	tc = tcase_create("timers");
	tcase_add_loop_test(tc, quit_zero_waits_for_peer_eof, 0, 2);
	tcase_add_loop_test(tc, quit_n_counts_from_the_reply, 0, 2);
	tcase_add_test(tc, quit_n_restarts_with_each_piece);
	tcase_add_loop_test(tc, quit_n_waits_for_stdout, 0, 2);
	tcase_add_test(tc, idle_timeout);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, stdout_reader_gone_while_idle, 0, 2);
	tcase_add_loop_test(tc, stdout_reader_gone_mid_stream, 0, 2);
	tcase_add_test(tc, stdout_epipe_on_write);
	tcase_add_loop_test(tc, peer_reset_is_io_error, 0, 2);
	tcase_add_test(tc, stdin_read_error_is_io_error);
	tcase_add_test(tc, signalfd_ends_relay);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);

	tc = tcase_create("bulk");
	tcase_add_loop_test(tc, bulk_64mib_both_ways, 0, 2);
	tcase_add_loop_test(tc, backpressure_bounded, 0, 2);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

const struct check_def check_def = { relay_suite, check_ignore_sigpipe };
