/*
 * check_stage.c - the connector seam on real loopback sockets: attempts
 * that hang or are slow (the connect stage replaced, no root needed), the
 * banner stage (--race-until banner), a connection accepted and reset
 * before its connect was handled, and what the library refuses or says
 * at the edges of a dial (its input, its first and last trace events,
 * its messages, its version).
 *
 * Schedules are judged from the trace's own timestamps, relative to the
 * event that starts them; upper bounds stretch with HECAT_TEST_SLOWDOWN.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <netinet/in.h>

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "check_main.h"
#include "hecat.h"
#include "stage.h"
#include "testutil.h"

#define WAIT_MS		5000	/* the most any dial here may take */
#define BANNER		"SSH-2.0-check_stage\r\n"

static struct tu_env E;

#define SKIP_WITHOUT_IPV6() do {					\
	if (!tu_have_ipv6()) {						\
		fprintf(stderr, "SKIP %s: ::1 unavailable\n", __func__);\
		return;							\
	}								\
} while (0)

static const char *const dual_rules[] = { "dual.test AAAA ::1",
    "dual.test A 127.0.0.1", NULL };

static void
dial(struct tu_dial *td, struct hecat_opts *o, const char *host)
{
	uint16_t port = E.port;

	ck_assert_ptr_nonnull(hecat_connect(E.h, host, &port, 1, o,
	    tu_dial_cb, td));
	ck_assert_msg(tu_run_until(E.base, &td->done, WAIT_MS),
	    "dial to %s did not end", host);
}

static const struct tu_event *
start_of(const struct tu_dial *td, size_t n)
{
	const struct tu_event *ev = tu_find(td, HECAT_TRACE_ATTEMPT_START, n);

	ck_assert_msg(ev != NULL, "no attempt %zu", n + 1);
	return ev;
}

/* ---- connect stages of the tests' own ------------------------------------ */

/*
 * IPv6 attempts hang: they wait on one end of a socket pair nobody
 * writes to, as a connect to a blackholed address waits for its SYN-ACK.
 * IPv4 attempts connect for real.
 */
static enum hecat__stage_rc
hang6_start(struct hecat__stage *st)
{
	int sv[2];

	if (st->addr->sa_family != AF_INET6)
		return hecat__stage_tcp.start(st);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sv) == -1)
		return hecat__stage_fail(st, errno, NULL);
	st->fd = sv[0];
	st->priv = (void *)(intptr_t)(sv[1] + 1);
	return HECAT__STAGE_WANT_READ;
}

static enum hecat__stage_rc
hang6_ready(struct hecat__stage *st)
{
	return hecat__stage_tcp.ready(st);	/* IPv4 only: IPv6 hangs */
}

static void
hang6_cleanup(struct hecat__stage *st)
{
	if (st->priv != NULL)
		close((int)(intptr_t)st->priv - 1);
	st->priv = NULL;
}

static const struct hecat__stage_ops hang6 = {
	HECAT_STAGE_TCP, hang6_start, hang6_ready, hang6_cleanup
};

/*
 * IPv6 attempts are slow: a timer descriptor stands in for the socket
 * until SLOW_MS have passed, then the real connect starts.
 */
#define SLOW_MS	120

static enum hecat__stage_rc
slow6_start(struct hecat__stage *st)
{
	struct itimerspec its;
	int tfd;

	if (st->addr->sa_family != AF_INET6)
		return hecat__stage_tcp.start(st);
	if ((tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK |
	    TFD_CLOEXEC)) == -1)
		return hecat__stage_fail(st, errno, NULL);
	memset(&its, 0, sizeof(its));
	its.it_value.tv_nsec = SLOW_MS * 1000000L;
	timerfd_settime(tfd, 0, &its, NULL);
	st->fd = tfd;
	st->priv = st;			/* waiting for the timer */
	return HECAT__STAGE_WANT_READ;
}

static enum hecat__stage_rc
slow6_ready(struct hecat__stage *st)
{
	if (st->priv == NULL)
		return hecat__stage_tcp.ready(st);
	close(st->fd);
	st->fd = -1;
	st->priv = NULL;
	return hecat__stage_tcp.start(st);
}

static const struct hecat__stage_ops slow6 = {
	HECAT_STAGE_TCP, slow6_start, slow6_ready, NULL
};

/*
 * The server accepts, sends "hello" and resets before the client has
 * looked at its connect: the real connect, then, when it is writable,
 * the listener (rst_listener) does all that and the stage waits until
 * the reset has arrived before it lets the real stage look.
 */
static int rst_listener = -1;

static enum hecat__stage_rc
rst_start(struct hecat__stage *st)
{
	enum hecat__stage_rc rc = hecat__stage_tcp.start(st);

	return rc == HECAT__STAGE_DONE ? HECAT__STAGE_WANT_WRITE : rc;
}

static enum hecat__stage_rc
rst_ready(struct hecat__stage *st)
{
	struct linger lg = { 1, 0 };
	struct pollfd p;
	int c;

	p.fd = rst_listener;
	p.events = POLLIN;
	ck_assert_int_eq(poll(&p, 1, WAIT_MS), 1);
	ck_assert_int_ne(c = accept(rst_listener, NULL, NULL), -1);
	ck_assert_int_eq(write(c, "hello", 5), 5);
	ck_assert_int_eq(setsockopt(c, SOL_SOCKET, SO_LINGER, &lg,
	    sizeof(lg)), 0);
	close(c);
	/* The reset is there once the socket reports a hang-up. */
	p.fd = st->fd;
	p.events = POLLIN | POLLRDHUP;
	p.revents = 0;
	ck_assert_int_eq(poll(&p, 1, WAIT_MS), 1);
	ck_assert_msg(p.revents & (POLLHUP | POLLERR), "no reset: %#x",
	    p.revents);
	return hecat__stage_tcp.ready(st);
}

static const struct hecat__stage_ops rst = {
	HECAT_STAGE_TCP, rst_start, rst_ready, NULL
};

static void
override_off(void)
{
	hecat__stage_connect_override = NULL;
}

/* ---- a server that speaks first (or does not) ------------------------------- */

enum greet {
	GREET_BANNER,		/* send BANNER, keep the connection */
	GREET_CLOSE		/* close without a word */
};

struct greeter {
	struct event	*ev;
	enum greet	 how;
	int		 conns[8];
	size_t		 nconns;
};

static void
greeter_cb(evutil_socket_t fd, short what, void *arg)
{
	struct greeter *g = arg;
	int c;

	(void)what;
	if ((c = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) == -1)
		return;
	if (g->how == GREET_CLOSE) {
		close(c);
		return;
	}
	ck_assert_int_eq(write(c, BANNER, strlen(BANNER)),
	    (ssize_t)strlen(BANNER));
	if (g->nconns < 8)
		g->conns[g->nconns++] = c;
	else
		close(c);
}

static void
greeter_up(struct greeter *g, int lfd, enum greet how)
{
	memset(g, 0, sizeof(*g));
	g->how = how;
	ck_assert_ptr_nonnull(g->ev = event_new(E.base, lfd,
	    EV_READ | EV_PERSIST, greeter_cb, g));
	ck_assert_int_eq(event_add(g->ev, NULL), 0);
}

static void
greeter_down(struct greeter *g)
{
	size_t i;

	event_free(g->ev);
	for (i = 0; i < g->nconns; i++)
		close(g->conns[i]);
}

/* ---- hanging and slow attempts, without root ----------------------------------- */

/* IPv6 hangs: IPv4 starts one attempt delay after it, and wins. */
START_TEST(seam_hanging_attempt)
{
	struct hecat_opts o;
	struct tu_dial td;
	double gap;

	SKIP_WITHOUT_IPV6();
	hecat__stage_connect_override = &hang6;
	tu_env_up(&E, dual_rules, NULL, NULL, true, true);
	tu_opts(&o, &td);
	dial(&td, &o, "dual.test");
	ck_assert_int_eq(td.err, HECAT_OK);
	ck_assert_int_eq(td.family, AF_INET);
	close(td.fd);
	ck_assert_int_eq(start_of(&td, 0)->family, AF_INET6);
	ck_assert_str_eq(start_of(&td, 1)->reason, "attempt_delay");
	/* From the AAAA answer that started the first attempt: stamped
	   before it, where the first attempt's own stamp may come late. */
	gap = start_of(&td, 1)->ms - tu_ms(&td, HECAT_TRACE_RESOLVE_DONE,
	    AF_INET6, 0);
	ASSERT_BETWEEN(gap, 249, 400, &td);
	/* The hanging one is abandoned, not failed. */
	ck_assert_ptr_nonnull(tu_find_end(&td, HECAT_ATTEMPT_CANCELLED, 0));
	ck_assert_str_eq(tu_find_end(&td, HECAT_ATTEMPT_CANCELLED, 0)->reason,
	    "lost");
	tu_env_down(&E);
	override_off();
}
END_TEST

/* IPv6 slow (120 ms) but within the attempt delay: it wins, alone. */
START_TEST(seam_slow_attempt)
{
	const struct tu_event *tcp;
	struct hecat_opts o;
	struct tu_dial td;

	SKIP_WITHOUT_IPV6();
	hecat__stage_connect_override = &slow6;
	tu_env_up(&E, dual_rules, NULL, NULL, true, true);
	tu_opts(&o, &td);
	dial(&td, &o, "dual.test");
	ck_assert_int_eq(td.err, HECAT_OK);
	ck_assert_int_eq(td.family, AF_INET6);
	close(td.fd);
	ck_assert_uint_eq(tu_count(&td, HECAT_TRACE_ATTEMPT_START), 1);
	ck_assert_ptr_nonnull(tcp = tu_find(&td, HECAT_TRACE_STAGE_DONE, 0));
	ASSERT_BETWEEN(tcp->ms - start_of(&td, 0)->ms, SLOW_MS, 230, &td);
	tu_env_down(&E);
	override_off();
}
END_TEST

/* ---- the banner stage ------------------------------------------------------------ */

/*
 * IPv6 accepts and says nothing; IPv4 speaks first.  Racing until the
 * banner, IPv4 starts one attempt delay after IPv6 and wins, and its
 * socket still holds the whole banner: the stage peeked, never read.
 */
START_TEST(banner_speaker_wins)
{
	struct greeter g;
	struct hecat_opts o;
	struct tu_dial td;
	char buf[64];
	double gap;
	ssize_t n;

	SKIP_WITHOUT_IPV6();
	tu_env_up(&E, dual_rules, NULL, NULL, true, true);
	greeter_up(&g, E.fd4, GREET_BANNER);
	tu_opts(&o, &td);
	o.race_until = HECAT_STAGE_BANNER;
	dial(&td, &o, "dual.test");
	ck_assert_int_eq(td.err, HECAT_OK);
	ck_assert_int_eq(td.family, AF_INET);
	n = recv(td.fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	ck_assert_int_eq(n, (ssize_t)strlen(BANNER));
	buf[n] = '\0';
	ck_assert_str_eq(buf, BANNER);
	close(td.fd);
	/* IPv6 connected, started its banner stage, and lost. */
	ck_assert_int_eq(start_of(&td, 0)->family, AF_INET6);
	ck_assert_uint_eq(tu_count(&td, HECAT_TRACE_STAGE_START), 2);
	ck_assert_str_eq(start_of(&td, 1)->reason, "attempt_delay");
	/* From the AAAA answer that started the first attempt: stamped
	   before it, where the first attempt's own stamp may come late. */
	gap = start_of(&td, 1)->ms - tu_ms(&td, HECAT_TRACE_RESOLVE_DONE,
	    AF_INET6, 0);
	ASSERT_BETWEEN(gap, 249, 400, &td);
	ck_assert_str_eq(tu_find_end(&td, HECAT_ATTEMPT_CANCELLED, 0)->reason,
	    "lost");
	ck_assert_int_eq(tu_find_end(&td, HECAT_ATTEMPT_CANCELLED, 0)->stage,
	    HECAT_STAGE_BANNER);
	greeter_down(&g);
	tu_env_down(&E);
}
END_TEST

/* Racing until TCP, the silent IPv6 server wins at once. */
START_TEST(banner_off_tcp_wins)
{
	struct greeter g;
	struct hecat_opts o;
	struct tu_dial td;

	SKIP_WITHOUT_IPV6();
	tu_env_up(&E, dual_rules, NULL, NULL, true, true);
	greeter_up(&g, E.fd4, GREET_BANNER);
	tu_opts(&o, &td);
	dial(&td, &o, "dual.test");
	ck_assert_int_eq(td.err, HECAT_OK);
	ck_assert_int_eq(td.family, AF_INET6);
	close(td.fd);
	ck_assert_uint_eq(tu_count(&td, HECAT_TRACE_STAGE_START), 0);
	greeter_down(&g);
	tu_env_down(&E);
}
END_TEST

/*
 * A server that closes without a word fails the attempt in the banner
 * stage, with its reason, and the next attempt starts at once.
 */
START_TEST(banner_closed_fails)
{
	const struct tu_event *end;
	struct greeter g6, g4;
	struct hecat_opts o;
	struct tu_dial td;
	double gap;

	SKIP_WITHOUT_IPV6();
	tu_env_up(&E, dual_rules, NULL, NULL, true, true);
	greeter_up(&g6, E.fd6, GREET_CLOSE);
	greeter_up(&g4, E.fd4, GREET_BANNER);
	tu_opts(&o, &td);
	o.race_until = HECAT_STAGE_BANNER;
	dial(&td, &o, "dual.test");
	ck_assert_int_eq(td.err, HECAT_OK);
	ck_assert_int_eq(td.family, AF_INET);
	close(td.fd);
	ck_assert_ptr_nonnull(end = tu_find_end(&td, HECAT_ATTEMPT_FAILED, 0));
	ck_assert_int_eq(end->stage, HECAT_STAGE_BANNER);
	ck_assert_int_eq(end->error, ECONNABORTED);
	ck_assert_str_eq(end->detail, "closed before sending a byte");
	ck_assert_str_eq(start_of(&td, 1)->reason, "previous_failed");
	gap = start_of(&td, 1)->ms - end->ms;
	ASSERT_BETWEEN(gap, 0, 50, &td);
	greeter_down(&g4);
	greeter_down(&g6);
	tu_env_down(&E);
}
END_TEST

/* A silent server alone: the stage's own timeout fails the dial. */
START_TEST(banner_stage_timeout)
{
	const struct tu_event *end, *stage;
	struct hecat_opts o;
	struct tu_dial td;

	tu_env_up(&E, NULL, NULL, NULL, true, false);
	tu_opts(&o, &td);
	o.race_until = HECAT_STAGE_BANNER;
	o.stage_timeout_ms = 100;
	dial(&td, &o, "127.0.0.1");
	ck_assert_int_eq(td.err, HECAT_E_CONNECT);
	ck_assert_ptr_nonnull(end = tu_find_end(&td, HECAT_ATTEMPT_FAILED, 0));
	ck_assert_int_eq(end->stage, HECAT_STAGE_BANNER);
	ck_assert_int_eq(end->error, ETIMEDOUT);
	ck_assert_str_eq(end->reason, "timeout");
	ck_assert_ptr_nonnull(stage = tu_find(&td, HECAT_TRACE_STAGE_START, 0));
	ASSERT_BETWEEN(end->ms - stage->ms, 99, 250, &td);
	ck_assert_msg(strstr(td.message, "(banner: timed out)") != NULL,
	    "message: %s", td.message);
	tu_env_down(&E);
}
END_TEST

/* ---- accept, then reset --------------------------------------------------------- */

/*
 * A connection the server accepted is connected, even when its reset
 * came before the connect was handled: what it sent is delivered, then
 * the reset.  (Reading SO_ERROR first took the reset for a failed
 * connect, and the dial failed.)
 */
START_TEST(accept_then_reset)
{
	struct hecat_opts o;
	struct tu_dial td;
	char buf[16];

	tu_env_up(&E, NULL, NULL, NULL, true, false);
	rst_listener = E.fd4;
	hecat__stage_connect_override = &rst;
	tu_opts(&o, &td);
	dial(&td, &o, "127.0.0.1");
	if (td.err != HECAT_OK)
		tu_dump(&td);
	ck_assert_int_eq(td.err, HECAT_OK);
	ck_assert_int_eq(recv(td.fd, buf, sizeof(buf), 0), 5);
	ck_assert_int_eq(memcmp(buf, "hello", 5), 0);
	ck_assert_int_eq(recv(td.fd, buf, sizeof(buf), 0), -1);
	ck_assert_int_eq(errno, ECONNRESET);
	close(td.fd);
	tu_env_down(&E);
	override_off();
}
END_TEST

/* ---- the edges of a dial --------------------------------------------------------- */

static void
never_cb(const struct hecat_result *r, void *arg)
{
	(void)r;
	(void)arg;
	ck_abort_msg("callback of a refused dial");
}

/* What hecat_connect*() and hecat_new() refuse: NULL with EINVAL. */
START_TEST(input_refused)
{
	static const struct hecat_resolver sizeless = { 0, NULL, NULL, NULL };
	struct sockaddr_storage ss[2];
	struct sockaddr_un *un = (struct sockaddr_un *)&ss[0];
	struct hecat_config cfg;
	struct hecat_opts o;
	uint16_t port = 9, zero = 0;

	tu_env_up(&E, NULL, NULL, NULL, true, false);
	memset(ss, 0, sizeof(ss));
	un->sun_family = AF_UNIX;
	errno = 0;
	ck_assert_ptr_null(hecat_connect_ip(E.h, ss, 1, NULL, never_cb, NULL));
	ck_assert_int_eq(errno, EINVAL);
	/* Port 0 is no port to dial. */
	ck_assert_uint_ne(hecat_sockaddr_parse("127.0.0.1", 0, &ss[0]), 0);
	errno = 0;
	ck_assert_ptr_null(hecat_connect_ip(E.h, ss, 1, NULL, never_cb, NULL));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(hecat_connect(E.h, "127.0.0.1", &zero, 1, NULL,
	    never_cb, NULL));
	ck_assert_int_eq(errno, EINVAL);
	/* Options nobody initialised. */
	memset(&o, 0, sizeof(o));
	o.timeout_ms = 300;
	errno = 0;
	ck_assert_ptr_null(hecat_connect(E.h, "127.0.0.1", &port, 1, &o,
	    never_cb, NULL));
	ck_assert_int_eq(errno, EINVAL);
	hecat_opts_init(&o);
	o.race_until = 42;
	errno = 0;
	ck_assert_ptr_null(hecat_connect(E.h, "127.0.0.1", &port, 1, &o,
	    never_cb, NULL));
	ck_assert_int_eq(errno, EINVAL);
	memset(&cfg, 0, sizeof(cfg));
	errno = 0;
	ck_assert_ptr_null(hecat_new(E.base, &cfg));
	ck_assert_int_eq(errno, EINVAL);
	hecat_config_init(&cfg);
	cfg.resolver = &sizeless;
	errno = 0;
	ck_assert_ptr_null(hecat_new(E.base, &cfg));
	ck_assert_int_eq(errno, EINVAL);
	tu_run_for(E.base, 20);		/* no callback comes */
	tu_env_down(&E);
}
END_TEST

/* A dial that fails before it runs still starts, then fails. */
START_TEST(early_error_traced)
{
	struct hecat_opts o;
	struct tu_dial td;

	tu_env_up(&E, NULL, NULL, NULL, true, false);
	tu_opts(&o, &td);
	dial(&td, &o, "bad name");
	ck_assert_int_eq(td.err, HECAT_E_INVAL);
	ck_assert_uint_eq(td.nev, 2);
	ck_assert_int_eq(td.ev[0].kind, HECAT_TRACE_DIAL_START);
	ck_assert_int_eq(td.ev[1].kind, HECAT_TRACE_DIAL_FAILED);
	ck_assert_int_eq(td.ev[1].status, HECAT_E_INVAL);
	tu_env_down(&E);
}
END_TEST

/* hecat_connect_ip()'s message names the endpoints, each once. */
START_TEST(endpoints_named)
{
	struct sockaddr_storage ss[3];
	struct hecat_opts o;
	struct tu_dial td;
	char want[128];

	SKIP_WITHOUT_IPV6();
	tu_env_up(&E, NULL, NULL, NULL, false, false);	/* both refuse */
	ck_assert_uint_ne(hecat_sockaddr_parse("::1", E.port, &ss[0]), 0);
	ck_assert_uint_ne(hecat_sockaddr_parse("127.0.0.1", E.port, &ss[1]),
	    0);
	ss[2] = ss[0];
	tu_opts(&o, &td);
	ck_assert_ptr_nonnull(hecat_connect_ip(E.h, ss, 3, &o, tu_dial_cb,
	    &td));
	ck_assert(tu_run_until(E.base, &td.done, WAIT_MS));
	ck_assert_int_eq(td.err, HECAT_E_CONNECT);
	snprintf(want, sizeof(want), "[::1]:%u, 127.0.0.1:%u: all 2 attempts "
	    "failed: ", E.port, E.port);
	ck_assert_msg(strncmp(td.message, want, strlen(want)) == 0,
	    "message: %s", td.message);
	tu_env_down(&E);
}
END_TEST

START_TEST(version_number)
{
	unsigned maj, min, pat;

	ck_assert_int_eq(sscanf(hecat_version(), "%u.%u.%u", &maj, &min,
	    &pat), 3);
	ck_assert_uint_eq(hecat_version_number(), HECAT_VERSION_NUMBER);
	ck_assert_uint_eq(HECAT_VERSION_NUMBER,
	    ((unsigned long)maj << 16) | (min << 8) | pat);
}
END_TEST

/* Every kind and reason has its one name. */
START_TEST(names)
{
	int k;

	for (k = 0; k < HECAT_TRACE_NKINDS; k++)
		ck_assert_str_ne(hecat_trace_name(k), "?");
	ck_assert_str_eq(hecat_trace_name(HECAT_TRACE_NKINDS), "?");
	ck_assert_str_eq(hecat_trace_name(HECAT_TRACE_ATTEMPT_END),
	    "attempt_end");
	ck_assert_str_eq(hecat_why_name(HECAT_WHY_PREVIOUS_FAILED),
	    "previous_failed");
	ck_assert_str_eq(hecat_why_name(HECAT_WHY_NO_PREFIX), "none");
	ck_assert_str_eq(hecat_why_name(HECAT_WHY_NONE), "");
	ck_assert_str_eq(hecat_stage_name(HECAT_STAGE_BANNER), "banner");
	ck_assert_str_eq(hecat_attempt_result_name(HECAT_ATTEMPT_CANCELLED),
	    "cancelled");
}
END_TEST

/* The checks a program runs on its input before it dials. */
START_TEST(input_checks)
{
	char list[512];
	const char *why;
	size_t off = 0;
	int i;

	ck_assert_int_eq(hecat_nameservers_check("192.0.2.1:53, [2001:db8::1]"
	    ":5353", 0, &why), 0);
	ck_assert_int_eq(hecat_nameservers_check("bogus", 0, &why), -1);
	ck_assert_str_eq(why, "not ADDRESS[:PORT]");
	ck_assert_int_eq(hecat_nameservers_check("192.0.2.1#dns.example", 1,
	    &why), 0);
	ck_assert_int_eq(hecat_nameservers_check("192.0.2.1#", 1, &why), -1);
	for (i = 0; i < 17; i++)
		off += (size_t)snprintf(list + off, sizeof(list) - off,
		    "192.0.2.%d ", i + 1);
	ck_assert_int_eq(hecat_nameservers_check(list, 0, &why), -1);
	ck_assert_str_eq(why, "too many name servers");
	list[strlen(list) - strlen("192.0.2.17 ")] = '\0';
	ck_assert_int_eq(hecat_nameservers_check(list, 0, &why), 0);
	ck_assert_int_eq(hecat_nat64_prefix_check("64:ff9b::/96", &why), 0);
	ck_assert_int_eq(hecat_nat64_prefix_check("64:ff9b::/95", &why), -1);
	ck_assert_int_eq(hecat_nat64_prefix_check("192.0.2.0/24", &why), -1);
}
END_TEST

static Suite *
stage_suite(void)
{
	Suite *s = suite_create("stage");
	TCase *tc;

	tc = tcase_create("seam");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, seam_hanging_attempt);
	tcase_add_test(tc, seam_slow_attempt);
	tcase_add_test(tc, accept_then_reset);
	suite_add_tcase(s, tc);

	tc = tcase_create("banner");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, banner_speaker_wins);
	tcase_add_test(tc, banner_off_tcp_wins);
	tcase_add_test(tc, banner_closed_fails);
	tcase_add_test(tc, banner_stage_timeout);
	suite_add_tcase(s, tc);

	tc = tcase_create("edges");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, input_refused);
	tcase_add_test(tc, early_error_traced);
	tcase_add_test(tc, endpoints_named);
	tcase_add_test(tc, version_number);
	tcase_add_test(tc, names);
	tcase_add_test(tc, input_checks);
	suite_add_tcase(s, tc);

	return s;
}

const struct check_def check_def = { stage_suite, NULL };
