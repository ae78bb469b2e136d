/*
 * check_robust.c - libhecat and the relay against hostile input, the
 * library half of docs/robustness.md.
 *
 *   dns     answers that lie or are broken, from the suite's DNS server
 *           (tests/dnsd.c, its hostile rule options): another owner, the
 *           other type, extreme TTLs, 500 and 4,000 addresses, a
 *           compression loop, garbage, forged answers (wrong ID, wrong
 *           port), long CNAME chains, addresses that must not be dialed;
 *   fds     descriptors running out in the middle of a race;
 *   relay   a peer that resets after N bytes, either way;
 *   leaks   each of those, repeated: descriptors and heap as before.
 *
 * Every wait is bounded (the event loop runs until a flag or a deadline;
 * threads are joined with a deadline); nothing sleeps.  Times are judged
 * from the trace's stamps, from the first query sent rather than the
 * dial's start (which includes setting getdns up); upper bounds stretch
 * with HECAT_TEST_SLOWDOWN (tu_upper()), lower bounds do not.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define UNDER_VALGRIND()	(RUNNING_ON_VALGRIND != 0)
#endif
#endif
#ifndef UNDER_VALGRIND
#define UNDER_VALGRIND()	0
#endif
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "check_main.h"
#include "dnsd.h"
#include "hecat.h"
#include "relay.h"
#include "testutil.h"

#define DNS_A		1
#define DNS_AAAA	28
/* The most a dial here may take. */
#define WAIT_MS		(5000u * (unsigned)tu_slowdown())
#define MAXANS		80	/* answer addresses recorded */

/* ---- the environment: DNS server, instance, listeners ------------------- */

static struct tu_env E;

static void
env_up(const char *const *rules, const char *hosts)
{
	tu_env_up(&E, rules, hosts, NULL, true, true);
}

static void
env_down(void)
{
	tu_env_down(&E);
}

/* A dial's result and trace, and the addresses of its answers. */
struct rdial {
	struct tu_dial	td;
	char		ans[2][MAXANS][48];	/* [0] AAAA, [1] A */
	size_t		nans[2];
	int		status[2];		/* -1: no answer */
};

static void
rtrace_cb(const struct hecat_trace *t, void *arg)
{
	struct rdial *rd = arg;
	size_t i, k;

	tu_trace_cb(t, &rd->td);
	if (t->kind != HECAT_TRACE_RESOLVE_DONE)
		return;
	k = t->family == AF_INET6 ? 0 : 1;
	rd->status[k] = t->status;
	rd->nans[k] = t->naddrs;
	for (i = 0; i < t->naddrs && i < MAXANS; i++) {
		const struct sockaddr_storage *ss = &t->addrs[i];

		inet_ntop(ss->ss_family, ss->ss_family == AF_INET6 ?
		    (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr
		    : (const void *)&((const struct sockaddr_in *)ss)->sin_addr,
		    rd->ans[k][i], sizeof(rd->ans[k][i]));
	}
}

static void
ropts(struct hecat_opts *o, struct rdial *rd)
{
	tu_opts(o, &rd->td);
	memset(rd->ans, 0, sizeof(rd->ans));
	rd->nans[0] = rd->nans[1] = 0;
	rd->status[0] = rd->status[1] = -1;
	o->trace = rtrace_cb;
	o->trace_arg = rd;
	/* Failures come quickly here: a bad answer is not worth 4 s. */
	o->resolve_timeout_ms = 200;
	o->resolve_retries = 1;
}

/* Dial host on port (0: the listeners') and wait for the end. */
static void
rdial_port(struct rdial *rd, struct hecat_opts *o, const char *host,
    uint16_t port)
{
	if (port == 0)
		port = E.port;
	ck_assert_ptr_nonnull(hecat_connect(E.h, host, &port, 1, o,
	    tu_dial_cb, &rd->td));
	if (!tu_run_until(E.base, &rd->td.done, WAIT_MS)) {
		tu_dump(&rd->td);
		ck_abort_msg("dial to %s did not end", host);
	}
	fprintf(stderr, "  %-14s %-6s %-24s %7.1f ms, %u attempts\n", host,
	    rd->td.err == HECAT_OK ? "ok" : "error", rd->td.err == HECAT_OK ?
	    rd->td.addr : hecat_strerror(rd->td.err), rd->td.elapsed_ms,
	    rd->td.attempts);
}

static void
rdial(struct rdial *rd, struct hecat_opts *o, const char *host)
{
	rdial_port(rd, o, host, 0);
}

/* Connected to want ("127.0.0.1:PORT" with PORT the listeners'). */
static void
assert_won(struct rdial *rd, const char *addr)
{
	char want[64];

	if (rd->td.err != HECAT_OK)
		tu_dump(&rd->td);
	ck_assert_int_eq(rd->td.err, HECAT_OK);
	snprintf(want, sizeof(want), "%s:%u", addr, E.port);
	ck_assert_str_eq(rd->td.addr, want);
	ck_assert_int_ge(rd->td.fd, 0);
	close(rd->td.fd);
}

static bool
answered(const struct rdial *rd, int family, const char *addr)
{
	size_t k = family == AF_INET6 ? 0 : 1, i;

	for (i = 0; i < rd->nans[k] && i < MAXANS; i++)
		if (strcmp(rd->ans[k][i], addr) == 0)
			return true;
	return false;
}

/* ---- dns: answers that lie or are broken ---------------------------------- */

/* Records owned by another name than the question's count for nothing. */
START_TEST(dns_owner_mismatch_ignored)
{
	static const char *const rules[] = {
	    "own.test A 127.0.0.1 owner=other.test",
	    "own.test AAAA ::1 owner=other.test", NULL };
	struct hecat_opts o;
	struct rdial rd;

	env_up(rules, NULL);
	ropts(&o, &rd);
	rdial(&rd, &o, "own.test");
	ck_assert_int_eq(rd.td.err, HECAT_E_NOHOST);
	ck_assert_int_eq(rd.td.a_status, HECAT_DNS_NODATA);
	ck_assert_int_eq(rd.td.aaaa_status, HECAT_DNS_NODATA);
	ck_assert_uint_eq(rd.td.attempts, 0);
	env_down();
}
END_TEST

/* An AAAA record in the A answer and an A record in the AAAA answer. */
START_TEST(dns_wrong_type_ignored)
{
	static const char *const rules[] = {
	    "wt.test A 127.0.0.1 ::1 wrongtype",
	    "wt.test AAAA 127.0.0.2 wrongtype", NULL };
	struct hecat_opts o;
	struct rdial rd;

	env_up(rules, NULL);
	ropts(&o, &rd);
	rdial(&rd, &o, "wt.test");
	assert_won(&rd, "127.0.0.1");
	ck_assert_uint_eq(rd.nans[1], 1);
	ck_assert(answered(&rd, AF_INET, "127.0.0.1"));
	ck_assert_int_eq(rd.status[0], HECAT_DNS_NODATA);
	ck_assert_uint_eq(rd.td.attempts, 1);
	env_down();
}
END_TEST

/* TTL 0, 2^31-1 and 2^32-1 (RFC 2181 says: as 0): all fine, unused. */
START_TEST(dns_ttl_extremes)
{
	static const char *const rules[] = {
	    "t0.test A 127.0.0.1 ttl=0", "t0.test AAAA nodata",
	    "tmax.test A 127.0.0.1 ttl=2147483647", "tmax.test AAAA nodata",
	    "thi.test A 127.0.0.1 ttl=4294967295", "thi.test AAAA nodata",
	    NULL };
	static const char *const names[] = { "t0.test", "tmax.test",
	    "thi.test" };
	struct hecat_opts o;
	struct rdial rd;
	size_t i;

	env_up(rules, NULL);
	for (i = 0; i < 3; i++) {
		ropts(&o, &rd);
		rdial(&rd, &o, names[i]);
		assert_won(&rd, "127.0.0.1");
	}
	env_down();
}
END_TEST

/* 500 A records: truncated over UDP, asked again over TCP; 64 kept. */
START_TEST(dns_500_addresses_over_tcp)
{
	static const char *const rules[] = {
	    "many.test A 127.0.0.1 count=500", "many.test AAAA nodata", NULL };
	struct hecat_opts o;
	struct rdial rd;

	env_up(rules, NULL);
	ropts(&o, &rd);
	rdial(&rd, &o, "many.test");
	assert_won(&rd, "127.0.0.1");
	ck_assert_uint_eq(rd.nans[1], 64);
	ck_assert(answered(&rd, AF_INET, "127.0.0.64"));
	ck_assert(!answered(&rd, AF_INET, "127.0.0.65"));
	ck_assert_uint_eq(tu_find(&rd.td, HECAT_TRACE_CANDIDATES, 0)->naddrs, 64);
	ck_assert_msg(dnsd_count_tcp(E.dns, "many.test", DNS_A) > 0,
	    "no A query over TCP");
	env_down();
}
END_TEST

/*
 * The 64 per family are the first 64 of the answer: a listener on the
 * 191st address is never reached (64 attempts, all refused), one on the
 * 51st is, by the 51st attempt.  More may start, one attempt delay
 * (10 ms) apart, before a loaded machine sees that one connect.
 */
START_TEST(dns_64_per_family_cap)
{
	static const char *const rules[] = {
	    "far.test A 127.0.0.10 count=500", "far.test AAAA nodata",
	    "near.test A 127.0.0.150 count=500", "near.test AAAA nodata",
	    NULL };
	struct hecat_opts o;
	struct rdial rd;
	uint16_t port;
	char want[64];
	int lfd;

	env_up(rules, NULL);
	ck_assert_int_ne(lfd = tu_listen("127.0.0.200", 0, &port), -1);
	ropts(&o, &rd);
	o.attempt_delay_ms = 10;
	rdial_port(&rd, &o, "far.test", port);
	ck_assert_int_eq(rd.td.err, HECAT_E_CONNECT);
	ck_assert_uint_eq(rd.td.attempts, 64);
	ck_assert_uint_eq(rd.td.nfailures, 64);
	ck_assert_int_eq(rd.td.errors[15], ECONNREFUSED);
	ck_assert_msg(strstr(rd.td.message, "all 64 attempts failed") != NULL,
	    "%s", rd.td.message);
	ropts(&o, &rd);
	o.attempt_delay_ms = 10;
	rdial_port(&rd, &o, "near.test", port);
	ck_assert_int_eq(rd.td.err, HECAT_OK);
	snprintf(want, sizeof(want), "127.0.0.200:%u", port);
	ck_assert_str_eq(rd.td.addr, want);
	ck_assert_str_eq(tu_find(&rd.td, HECAT_TRACE_ATTEMPT_START, 50)->addr, want);
	ck_assert_uint_ge(rd.td.attempts, 51);
	close(rd.td.fd);
	close(lfd);
	env_down();
}
END_TEST

/* A 64 KiB answer over TCP (4,000 AAAA records): 64 kept, connects. */
START_TEST(dns_64k_answer)
{
	static const char *const rules[] = {
	    "huge.test A 127.0.0.1 count=4096", "huge.test AAAA nodata",
	    NULL };
	struct hecat_opts o;
	struct rdial rd;

	env_up(rules, NULL);
	ropts(&o, &rd);
	rdial(&rd, &o, "huge.test");
	assert_won(&rd, "127.0.0.1");
	ck_assert_uint_eq(rd.nans[1], 64);
	env_down();
}
END_TEST

/*
 * A compression pointer loop in the owner of the only record: no hang;
 * the record cannot be read, the answer has no address (NODATA).
 */
START_TEST(dns_compression_loop)
{
	static const char *const rules[] = {
	    "loop.test A 127.0.0.1 loop", "loop.test AAAA ::1 loop", NULL };
	struct hecat_opts o;
	struct rdial rd;

	env_up(rules, NULL);
	ropts(&o, &rd);
	rdial(&rd, &o, "loop.test");
	ck_assert_int_eq(rd.td.err, HECAT_E_NOHOST);
	ck_assert_int_eq(rd.td.a_status, HECAT_DNS_NODATA);
	ck_assert_int_eq(rd.td.aaaa_status, HECAT_DNS_NODATA);
	/* At once, not after a timeout: within 1 s of the first query. */
	ck_assert_double_lt(tu_done_ms(&rd.td) -
	    tu_ms(&rd.td, HECAT_TRACE_RESOLVE_START, 0, 0), tu_upper(0, 1000));
	env_down();
}
END_TEST

/* 7 octets, less than a header: not an answer; the tries time out. */
START_TEST(dns_garbage_short)
{
	static const char *const rules[] = {
	    "short.test * servfail garbage=short", NULL };
	struct hecat_opts o;
	struct rdial rd;

	env_up(rules, NULL);
	ropts(&o, &rd);
	rdial(&rd, &o, "short.test");
	ck_assert_int_eq(rd.td.err, HECAT_E_DNS);
	ck_assert_int_eq(rd.td.a_status, HECAT_DNS_TIMEOUT);
	ck_assert_int_eq(rd.td.aaaa_status, HECAT_DNS_TIMEOUT);
	/* Two tries of 200 ms each, and no more. */
	ck_assert_uint_eq(dnsd_count(E.dns, "short.test", DNS_A), 2);
	env_down();
}
END_TEST

/* ANCOUNT 65535 with one record: the record there is used. */
START_TEST(dns_garbage_counts)
{
	static const char *const rules[] = {
	    "counts.test A 127.0.0.1 garbage=counts",
	    "counts.test AAAA nodata", NULL };
	struct hecat_opts o;
	struct rdial rd;

	env_up(rules, NULL);
	ropts(&o, &rd);
	rdial(&rd, &o, "counts.test");
	assert_won(&rd, "127.0.0.1");
	ck_assert_uint_eq(rd.nans[1], 1);
	env_down();
}
END_TEST

/* An answer cut inside its record: the record is not used (NODATA). */
START_TEST(dns_garbage_cut)
{
	static const char *const rules[] = {
	    "cut.test A 127.0.0.1 garbage=cut", "cut.test AAAA nodata", NULL };
	struct hecat_opts o;
	struct rdial rd;

	env_up(rules, NULL);
	ropts(&o, &rd);
	rdial(&rd, &o, "cut.test");
	ck_assert_int_eq(rd.td.err, HECAT_E_NOHOST);
	ck_assert_int_eq(rd.td.a_status, HECAT_DNS_NODATA);
	ck_assert_uint_eq(rd.td.attempts, 0);
	env_down();
}
END_TEST

/*
 * A forged answer with the wrong ID first (127.0.0.2), the real one
 * 100 ms later (127.0.0.1): the real one wins, the forged one is never
 * seen.
 */
START_TEST(dns_badid_ignored)
{
	static const char *const rules[] = {
	    "bid.test A 127.0.0.1 badid forge=127.0.0.2 delay=100",
	    "bid.test AAAA nodata", NULL };
	struct hecat_opts o;
	struct rdial rd;

	env_up(rules, NULL);
	ropts(&o, &rd);
	rdial(&rd, &o, "bid.test");
	assert_won(&rd, "127.0.0.1");
	ck_assert_uint_eq(rd.nans[1], 1);
	ck_assert(!answered(&rd, AF_INET, "127.0.0.2"));
	/* The real answer's 100 ms, from the A query. */
	ck_assert_double_ge(tu_done_ms(&rd.td) -
	    tu_ms(&rd.td, HECAT_TRACE_RESOLVE_START, AF_INET, 0), 99.0);
	env_down();
}
END_TEST

/* Only forged answers with the wrong ID: every try times out. */
START_TEST(dns_badid_only_times_out)
{
	static const char *const rules[] = {
	    "bido.test A drop badid forge=127.0.0.1",
	    "bido.test AAAA drop badid forge=::1", NULL };
	struct hecat_opts o;
	struct rdial rd;

	env_up(rules, NULL);
	ropts(&o, &rd);
	rdial(&rd, &o, "bido.test");
	ck_assert_int_eq(rd.td.err, HECAT_E_DNS);
	ck_assert_int_eq(rd.td.a_status, HECAT_DNS_TIMEOUT);
	ck_assert_uint_eq(rd.td.attempts, 0);
	env_down();
}
END_TEST

/*
 * A forged answer from another port (right ID, 127.0.0.3) first, the
 * real one 100 ms later.  getdns reads its UDP answers from anywhere; the
 * event adapter drops what does not come from the name server
 * (lib/getdns_event.c).  Without that, the forged address was dialed.
 */
START_TEST(dns_wrong_port_ignored)
{
	static const char *const rules[] = {
	    "fp.test A 127.0.0.1 fromport forge=127.0.0.3 delay=100",
	    "fp.test AAAA nodata", NULL };
	struct hecat_opts o;
	struct rdial rd;

	env_up(rules, NULL);
	ropts(&o, &rd);
	rdial(&rd, &o, "fp.test");
	assert_won(&rd, "127.0.0.1");
	ck_assert_uint_eq(rd.nans[1], 1);
	ck_assert(!answered(&rd, AF_INET, "127.0.0.3"));
	ck_assert_uint_eq(rd.td.attempts, 1);
	env_down();
}
END_TEST

/* Only answers from the wrong port: the tries time out (no answer). */
START_TEST(dns_wrong_port_only_times_out)
{
	static const char *const rules[] = {
	    "fpo.test A drop fromport forge=127.0.0.1",
	    "fpo.test AAAA drop fromport forge=::1", NULL };
	struct hecat_opts o;
	struct rdial rd;

	env_up(rules, NULL);
	ropts(&o, &rd);
	rdial(&rd, &o, "fpo.test");
	ck_assert_int_eq(rd.td.err, HECAT_E_DNS);
	ck_assert_int_eq(rd.td.a_status, HECAT_DNS_TIMEOUT);
	ck_assert_int_eq(rd.td.aaaa_status, HECAT_DNS_TIMEOUT);
	ck_assert_uint_eq(rd.td.attempts, 0);
	env_down();
}
END_TEST

/* A chain of n CNAMEs c<n>.test -> ... -> c0.test, c0.test A 127.0.0.1. */
static void
chain_rules(int n)
{
	char line[128];
	int i;

	for (i = 1; i <= n; i++) {
		snprintf(line, sizeof(line), "c%d.test CNAME c%d.test", i,
		    i - 1);
		ck_assert_int_eq(dnsd_rule(E.dns, line), 0);
	}
	ck_assert_int_eq(dnsd_rule(E.dns, "c0.test A 127.0.0.1"), 0);
	ck_assert_int_eq(dnsd_rule(E.dns, "c0.test AAAA nodata"), 0);
}

/*
 * CNAME chains in one answer: 16 links are followed; the addresses of a
 * 17th link, or of a 20th, are not the question's (NODATA).
 */
START_TEST(dns_cname_chain_limit)
{
	static const struct {
		const char	*name;
		bool		 ok;
	} cases[] = { { "c16.test", true }, { "c17.test", false },
	    { "c20.test", false } };
	struct hecat_opts o;
	struct rdial rd;
	size_t i;

	env_up(NULL, NULL);
	chain_rules(20);
	for (i = 0; i < 3; i++) {
		ropts(&o, &rd);
		rdial(&rd, &o, cases[i].name);
		if (cases[i].ok)
			assert_won(&rd, "127.0.0.1");
		else {
			ck_assert_int_eq(rd.td.err, HECAT_E_NOHOST);
			ck_assert_int_eq(rd.td.a_status, HECAT_DNS_NODATA);
		}
	}
	env_down();
}
END_TEST

/*
 * Addresses that must not be dialed are left out of answers: 0.0.0.0/8
 * and :: (Linux dials them as the local host), multicast, the broadcast
 * address, IPv4-mapped IPv6.  Before lib/dial.c dropped them, "::" in an
 * answer connected to a local listener.
 */
START_TEST(dns_unusable_addresses_ignored)
{
	static const char *const rules[] = {
	    "zero.test A 0.0.0.0", "zero.test AAAA ::",
	    "odd.test A 0.1.2.3 224.0.0.1 239.255.255.250 255.255.255.255",
	    "odd.test AAAA ::ffff:127.0.0.1 ff02::1 ff05::2 ::",
	    "mix.test A 0.0.0.0 255.255.255.255 127.0.0.1 224.0.0.1",
	    "mix.test AAAA :: ::ffff:127.0.0.1", NULL };
	struct hecat_opts o;
	struct rdial rd;

	env_up(rules, NULL);
	ropts(&o, &rd);
	rdial(&rd, &o, "zero.test");
	ck_assert_int_eq(rd.td.err, HECAT_E_NOHOST);
	ck_assert_int_eq(rd.td.a_status, HECAT_DNS_NODATA);
	ck_assert_int_eq(rd.td.aaaa_status, HECAT_DNS_NODATA);
	ck_assert_uint_eq(rd.td.attempts, 0);
	ropts(&o, &rd);
	rdial(&rd, &o, "odd.test");
	ck_assert_int_eq(rd.td.err, HECAT_E_NOHOST);
	ck_assert_uint_eq(rd.td.attempts, 0);
	ropts(&o, &rd);
	rdial(&rd, &o, "mix.test");
	assert_won(&rd, "127.0.0.1");
	ck_assert_uint_eq(rd.nans[1], 1);
	ck_assert_int_eq(rd.status[0], HECAT_DNS_NODATA);
	ck_assert_uint_eq(rd.td.attempts, 1);
	/* -6 cannot be turned into IPv4 by a mapped address. */
	ropts(&o, &rd);
	o.family = AF_INET6;
	rdial(&rd, &o, "mix.test");
	ck_assert_int_eq(rd.td.err, HECAT_E_NOHOST);
	env_down();
}
END_TEST

/* The same from the hosts file ("0.0.0.0 name" blocks a name there). */
START_TEST(hosts_unusable_addresses_ignored)
{
	struct hecat_opts o;
	struct rdial rd;

	env_up(NULL, "0.0.0.0 blocked.test\n:: blocked.test\n"
	    "0.0.0.0 half.test\n127.0.0.1 half.test\n");
	ropts(&o, &rd);
	rdial(&rd, &o, "blocked.test");
	ck_assert_int_eq(rd.td.err, HECAT_E_NOHOST);
	ck_assert_uint_eq(rd.td.attempts, 0);
	ropts(&o, &rd);
	rdial(&rd, &o, "half.test");
	assert_won(&rd, "127.0.0.1");
	ck_assert_uint_eq(dnsd_nqueries(E.dns), 0);
	env_down();
}
END_TEST

/* A literal the caller gives is dialed as given, 0.0.0.0 included. */
START_TEST(literal_unspecified_dialed_as_given)
{
	struct hecat_opts o;
	struct rdial rd;
	char want[64];

	env_up(NULL, NULL);
	ropts(&o, &rd);
	rdial(&rd, &o, "0.0.0.0");
	ck_assert_int_eq(rd.td.err, HECAT_OK);
	snprintf(want, sizeof(want), "0.0.0.0:%u", E.port);
	ck_assert_str_eq(rd.td.addr, want);
	close(rd.td.fd);
	env_down();
}
END_TEST

/*
 * Every hostile answer above, 30 times each, on one instance: the
 * descriptors and the heap are what they were (a block leaked per dial
 * would be 180 blocks).  The DNS server runs as a process of its own, so
 * that its query log does not count in our heap.
 */
START_TEST(leak_hostile_dns)
{
	static const char rules[] =
	    "own.test A 127.0.0.1 owner=other.test\nown.test AAAA nodata\n"
	    "wt.test A 127.0.0.1 ::1 wrongtype\nwt.test AAAA nodata\n"
	    "many.test A 127.0.0.1 count=500\nmany.test AAAA nodata\n"
	    "loop.test A 127.0.0.1 loop\nloop.test AAAA nodata\n"
	    "counts.test A 127.0.0.1 garbage=counts\n"
	    "counts.test AAAA nodata\n"
	    "cut.test A 127.0.0.1 garbage=cut\ncut.test AAAA nodata\n"
	    "fp.test A 127.0.0.1 fromport forge=127.0.0.3\n"
	    "fp.test AAAA nodata\n"
	    "zero.test A 0.0.0.0 127.0.0.1\nzero.test AAAA ::\n";
	static const char *const names[] = { "fp.test", "own.test", "wt.test",
	    "many.test", "loop.test", "counts.test", "cut.test", "fp.test",
	    "zero.test" };
	struct hecat_config cfg;
	struct hecat_opts o;
	struct rdial rd;
	size_t heap = 0, i;
	int fds = 0, round, c;
	uint16_t dport;
	pid_t pid;

	env_up(NULL, NULL);
	ck_assert_uint_ne(dport = tu_spawn_dnsd(rules, &pid), 0);
	snprintf(E.ns, sizeof(E.ns), "127.0.0.1:%u", dport);
	hecat_free(E.h);
	hecat_config_init(&cfg);
	cfg.nameservers = E.ns;
	cfg.hosts = E.hosts;
	cfg.resolv_conf = E.resolv;
	ck_assert_ptr_nonnull(E.h = hecat_new(E.base, &cfg));
	/*
	 * getdns and libevent keep pools that grow for the first hundred
	 * dials or so, then stay: measure from round 10 to round 30, and
	 * accept (then close) what the listener queued, so that its queue
	 * never fills.
	 */
	ck_assert_int_eq(fcntl(E.fd4, F_SETFL, O_NONBLOCK), 0);
	for (round = 0; round < 30; round++) {
		if (round == 10) {
			fds = tu_count_fds();
			heap = tu_heap_in_use();
		}
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			ropts(&o, &rd);
			o.trace = NULL;
			rdial(&rd, &o, names[i]);
			if (rd.td.fd != -1)
				close(rd.td.fd);
			while ((c = accept4(E.fd4, NULL, NULL, SOCK_CLOEXEC)) !=
			    -1)
				close(c);
		}
	}
	fprintf(stderr, "leak_hostile_dns: fds %d -> %d, heap %zu -> %zu\n",
	    fds, tu_count_fds(), heap, tu_heap_in_use());
	ck_assert_int_eq(tu_count_fds(), fds);
	ck_assert_msg(tu_heap_in_use() <= heap + 8192, "heap %zu -> %zu%s",
	    heap, tu_heap_in_use(), tu_tcache_hint());
	tu_stop_process(pid);
	env_down();
}
END_TEST

/* ---- fds: descriptors running out in the middle of a race ---------------- */

/* The highest open descriptor. */
static int
highest_fd(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	int hi = -1, fd;

	ck_assert_ptr_nonnull(dir);
	while ((de = readdir(dir)) != NULL)
		if (de->d_name[0] != '.' && (fd = atoi(de->d_name)) > hi &&
		    fd != dirfd(dir))
			hi = fd;
	closedir(dir);
	return hi;
}

/*
 * Fill the holes below the highest open descriptor with /dev/null, so
 * that a limit of highest + 1 + k leaves exactly k.  Returns how many
 * were opened, their descriptors in fds[].
 */
static size_t
fill_holes(int *fds, size_t max)
{
	int hi = highest_fd(), fd;
	size_t n = 0;

	while (n < max && (fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) != -1) {
		if (fd > hi) {
			close(fd);
			break;
		}
		fds[n++] = fd;
	}
	return n;
}

static void
unfill(const int *fds, size_t n)
{
	while (n-- > 0)
		close(fds[n]);
}

/*
 * Can this process lower its descriptor limit and raise it again?  Not
 * under valgrind, which keeps descriptors of its own at the top and
 * refuses the raise; the EMFILE cases then say so and pass (the sanitizer
 * pass runs them).
 */
static bool
nofile_settable(void)
{
	if (UNDER_VALGRIND()) {
		fprintf(stderr, "%s: under valgrind, RLIMIT_NOFILE cannot be "
		    "raised again: not run here\n", tcase_name());
		return false;
	}
	return true;
}

static void
set_nofile(rlim_t soft)
{
	struct rlimit rl;

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = soft;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
}

/*
 * A listener on 0.0.0.0 (every 127/8 address) whose queue is full: the
 * kernel drops the SYNs, connects hang.  Returns the port; the two
 * descriptors go to fds[2].
 */
static uint16_t
listen_full(int fds[2])
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	ck_assert_int_ne(fds[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC,
	    0), -1);
	ck_assert_int_eq(bind(fds[0], (struct sockaddr *)&sin, sizeof(sin)),
	    0);
	ck_assert_int_eq(listen(fds[0], 0), 0);
	ck_assert_int_eq(getsockname(fds[0], (struct sockaddr *)&sin, &len),
	    0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ne(fds[1] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC,
	    0), -1);
	ck_assert_int_eq(connect(fds[1], (struct sockaddr *)&sin, sizeof(sin)),
	    0);
	return ntohs(sin.sin_port);
}

/*
 * 20 addresses whose connects hang, 3 descriptors to spare: a few
 * attempts get a socket, the others fail with EMFILE at once, mid-race.
 * The dial ends (the attempts in flight time out), names both reasons,
 * and leaves descriptors and heap as they were.
 */
START_TEST(emfile_mid_race_no_leak)
{
	static const char *const rules[] = {
	    "em.test A 127.0.0.10 count=20", "em.test AAAA nodata",
	    "ok.test A 127.0.0.1", "ok.test AAAA nodata", NULL };
	struct hecat_opts o;
	struct rdial rd;
	struct rlimit rl;
	size_t heap = 0, nholes;
	uint16_t port;
	int full[2], fds = 0, round, i, emfile, timedout, holes[1024];

	if (!nofile_settable())
		return;
	env_up(rules, NULL);
	port = listen_full(full);
	/* getdns set up without a limit. */
	ropts(&o, &rd);
	rdial(&rd, &o, "ok.test");
	assert_won(&rd, "127.0.0.1");
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	/* Pools in getdns and libevent grow in the first rounds, then stay. */
	for (round = 0; round < 12; round++) {
		ropts(&o, &rd);
		o.trace = NULL;
		o.attempt_delay_ms = 10;
		o.attempt_timeout_ms = 200;
		if (round == 6) {
			fds = tu_count_fds();
			heap = tu_heap_in_use();
		}
		/* The DNS queries need 2, then 3 are left for attempts. */
		nholes = fill_holes(holes, 1024);
		set_nofile((rlim_t)highest_fd() + 1 + 3);
		rdial_port(&rd, &o, "em.test", port);
		set_nofile(rl.rlim_cur);
		unfill(holes, nholes);
		ck_assert_int_eq(rd.td.err, HECAT_E_CONNECT);
		ck_assert_uint_eq(rd.td.nfailures, 20);
		for (i = 0, emfile = timedout = 0; i < 16; i++) {
			emfile += rd.td.errors[i] == EMFILE;
			timedout += rd.td.errors[i] == ETIMEDOUT;
		}
		ck_assert_msg(emfile > 0 && timedout > 0, "%s",
		    rd.td.message);
		ck_assert_msg(strstr(rd.td.message, strerror(EMFILE)) != NULL,
		    "%s", rd.td.message);
		/*
		 * Untraced (the heap is measured), so timed whole; getdns
		 * was set up by the first dial, so its queries leave at the
		 * dial's start.
		 */
		ck_assert_double_lt(rd.td.elapsed_ms, tu_upper(0, 2000));
	}
	fprintf(stderr, "emfile_mid_race: fds %d -> %d, heap %zu -> %zu\n",
	    fds, tu_count_fds(), heap, tu_heap_in_use());
	ck_assert_int_eq(tu_count_fds(), fds);
	ck_assert_msg(tu_heap_in_use() <= heap + 8192, "heap %zu -> %zu",
	    heap, tu_heap_in_use());
	close(full[0]);
	close(full[1]);
	env_down();
}
END_TEST

/* No descriptor at all: every attempt fails with EMFILE, and says so. */
START_TEST(emfile_every_attempt)
{
	struct sockaddr_storage addrs[20];
	struct tu_dial td;
	struct hecat_opts o;
	struct rlimit rl;
	char a[32];
	size_t i, nholes;
	int holes[1024];

	if (!nofile_settable())
		return;
	env_up(NULL, NULL);
	for (i = 0; i < 20; i++) {
		snprintf(a, sizeof(a), "127.0.0.%zu", 10 + i);
		ck_assert_uint_ne(hecat_sockaddr_parse(a, E.port, &addrs[i]),
		    0);
	}
	tu_opts(&o, &td);
	o.attempt_delay_ms = 10;
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	nholes = fill_holes(holes, 1024);
	set_nofile((rlim_t)highest_fd() + 1);
	ck_assert_ptr_nonnull(hecat_connect_ip(E.h, addrs, 20, &o,
	    tu_dial_cb, &td));
	ck_assert(tu_run_until(E.base, &td.done, WAIT_MS));
	set_nofile(rl.rlim_cur);
	unfill(holes, nholes);
	ck_assert_int_eq(td.err, HECAT_E_CONNECT);
	ck_assert_uint_eq(td.nfailures, 20);
	for (i = 0; i < 16; i++)
		ck_assert_msg(td.errors[i] == EMFILE, "%s", td.message);
	ck_assert_msg(strstr(td.message, "all 20 attempts failed") != NULL,
	    "%s", td.message);
	env_down();
}
END_TEST

/* ---- relay: a peer that resets after N bytes --------------------------- */

struct rrun {
	int			 sock, in, out;
	struct relay_opts	 o;
	struct relay_result	 res;
	int			 status;
	volatile bool		 done;
	pthread_t		 th;
};

static void *
relay_thread(void *arg)
{
	struct rrun *rr = arg;

	rr->status = relay(rr->sock, rr->in, rr->out, &rr->o, &rr->res);
	rr->done = true;
	return NULL;
}

/* A connected loopback pair: *sock (the relay's), *peer. */
static void
tcp_pair(int *sock, int *peer)
{
	uint16_t port;
	struct sockaddr_in sin;
	int lfd;

	ck_assert_int_ne(lfd = tu_listen("127.0.0.1", 0, &port), -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ne(*sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC,
	    0), -1);
	ck_assert_int_eq(connect(*sock, (struct sockaddr *)&sin, sizeof(sin)),
	    0);
	ck_assert_int_ne(*peer = accept4(lfd, NULL, NULL, SOCK_CLOEXEC), -1);
	close(lfd);
	ck_assert_int_eq(fcntl(*sock, F_SETFL, O_NONBLOCK), 0);
	ck_assert_int_eq(fcntl(*peer, F_SETFL, O_NONBLOCK), 0);
}

static void
reset_close(int fd)
{
	struct linger lg = { 1, 0 };

	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg,
	    sizeof(lg)), 0);
	close(fd);
}

/*
 * One relay against a peer that resets after n bytes: up (the peer reads
 * n bytes of stdin's, then resets) or down (it sends n bytes, then
 * resets).  The test feeds stdin and drains stdout meanwhile, with polls
 * and a deadline.  Returns the relay's status.
 */
static int
reset_run(bool up, size_t n, bool no_splice, struct relay_result *res)
{
	static char buf[65536];
	struct rrun rr;
	struct pollfd p[3];
	int inp[2], outp[2], peer, i;
	size_t moved = 0;
	double end = tu_now_ms() + 5000.0 * tu_slowdown();
	ssize_t k;

	memset(&rr, 0, sizeof(rr));
	memset(buf, 'u', sizeof(buf));
	ck_assert_int_eq(pipe2(inp, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(outp, O_CLOEXEC), 0);
	ck_assert_int_eq(fcntl(inp[1], F_SETFL, O_NONBLOCK), 0);
	ck_assert_int_eq(fcntl(outp[0], F_SETFL, O_NONBLOCK), 0);
	tcp_pair(&rr.sock, &peer);
	rr.in = inp[0];
	rr.out = outp[1];
	rr.o.quit_ms = rr.o.idle_ms = rr.o.sigfd = -1;
	rr.o.no_splice = no_splice;
	ck_assert_int_eq(pthread_create(&rr.th, NULL, relay_thread, &rr), 0);

	while (!rr.done && tu_now_ms() < end) {
		p[0].fd = up ? inp[1] : -1;
		p[0].events = POLLOUT;
		p[1].fd = peer;
		p[1].events = up ? POLLIN : (moved < n ? POLLOUT : 0);
		p[2].fd = outp[0];
		p[2].events = POLLIN;
		for (i = 0; i < 3; i++)
			p[i].revents = 0;
		(void)poll(p, 3, 20);
		if (up && (p[0].revents & POLLOUT) &&
		    write(inp[1], buf, sizeof(buf)) == -1 && errno != EAGAIN)
			ck_abort_msg("write to the relay: %s", strerror(errno));
		if (p[2].revents & POLLIN)
			while (read(outp[0], buf, sizeof(buf)) > 0)
				;
		if (peer == -1)
			continue;
		if (up && (p[1].revents & POLLIN)) {
			k = read(peer, buf, n - moved < sizeof(buf) ?
			    n - moved : sizeof(buf));
			if (k > 0)
				moved += (size_t)k;
		} else if (!up && (p[1].revents & POLLOUT)) {
			k = write(peer, buf, n - moved < sizeof(buf) ?
			    n - moved : sizeof(buf));
			if (k > 0)
				moved += (size_t)k;
		}
		if (moved >= n) {
			reset_close(peer);
			peer = -1;
		}
	}
	ck_assert_msg(rr.done, "the relay did not end after the reset "
	    "(%zu of %zu bytes moved)", moved, n);
	ck_assert_int_eq(pthread_join(rr.th, NULL), 0);
	*res = rr.res;
	if (peer != -1)
		close(peer);
	close(rr.sock);
	close(inp[0]);
	close(inp[1]);
	close(outp[0]);
	/* The relay closes stdout at the peer's EOF only: not here. */
	ck_assert_int_ne(fcntl(outp[1], F_GETFD), -1);
	close(outp[1]);
	return rr.status;
}

/*
 * Resets after 1, 64 KiB + 1 and 1 MiB bytes, up and down, spliced and
 * copied: status 74, ECONNRESET (or EPIPE) on the socket, descriptors
 * and heap as before, 40 relays later.
 */
static void
reset_loop(bool up)
{
	static const size_t sizes[] = { 1, 65537, 1 << 20 };
	struct relay_result res;
	size_t heap = 0, i;
	int fds = 0, round, ns;

	for (round = 0; round < 8; round++) {
		if (round == 1) {
			fds = tu_count_fds();
			heap = tu_heap_in_use();
		}
		for (i = 0; i < 3; i++)
			for (ns = 0; ns <= 1; ns++) {
				ck_assert_int_eq(reset_run(up, sizes[i], ns,
				    &res), 74);
				ck_assert_str_eq(res.where, "socket");
				/*
				 * Writing up, the reset may be seen by a
				 * write that follows the one it failed:
				 * EPIPE then.
				 */
				ck_assert_msg(res.error == ECONNRESET ||
				    (up && res.error == EPIPE), "%s",
				    strerror(res.error));
				ck_assert_int_eq(res.signal, 0);
				if (up)
					ck_assert_uint_ge(res.sent, sizes[i]);
				else
					ck_assert_uint_le(res.received,
					    sizes[i]);
			}
	}
	fprintf(stderr, "reset %s: fds %d -> %d, heap %zu -> %zu\n",
	    up ? "up" : "down", fds, tu_count_fds(), heap, tu_heap_in_use());
	ck_assert_int_eq(tu_count_fds(), fds);
	ck_assert_msg(tu_heap_in_use() <= heap + 4096, "heap %zu -> %zu",
	    heap, tu_heap_in_use());
}

START_TEST(relay_reset_after_n_up)
{
	reset_loop(true);
}
END_TEST

START_TEST(relay_reset_after_n_down)
{
	reset_loop(false);
}
END_TEST

static Suite *
robust_suite(void)
{
	Suite *s = suite_create("robust");
	TCase *tc;

	tc = tcase_create("dns");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, dns_owner_mismatch_ignored);
	tcase_add_test(tc, dns_wrong_type_ignored);
	tcase_add_test(tc, dns_ttl_extremes);
	tcase_add_test(tc, dns_500_addresses_over_tcp);
	tcase_add_test(tc, dns_64_per_family_cap);
	tcase_add_test(tc, dns_64k_answer);
	tcase_add_test(tc, dns_compression_loop);
	tcase_add_test(tc, dns_garbage_short);
	tcase_add_test(tc, dns_garbage_counts);
	tcase_add_test(tc, dns_garbage_cut);
	tcase_add_test(tc, dns_badid_ignored);
	tcase_add_test(tc, dns_badid_only_times_out);
	tcase_add_test(tc, dns_wrong_port_ignored);
	tcase_add_test(tc, dns_wrong_port_only_times_out);
	tcase_add_test(tc, dns_cname_chain_limit);
	tcase_add_test(tc, dns_unusable_addresses_ignored);
	tcase_add_test(tc, hosts_unusable_addresses_ignored);
	tcase_add_test(tc, literal_unspecified_dialed_as_given);
	tcase_add_test(tc, leak_hostile_dns);
	suite_add_tcase(s, tc);

	tc = tcase_create("fds");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, emfile_mid_race_no_leak);
	tcase_add_test(tc, emfile_every_attempt);
	suite_add_tcase(s, tc);

	tc = tcase_create("relay");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, relay_reset_after_n_up);
	tcase_add_test(tc, relay_reset_after_n_down);
	suite_add_tcase(s, tc);

	return s;
}

const struct check_def check_def = { robust_suite, check_ignore_sigpipe };
