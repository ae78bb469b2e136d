/*
 * fuzz_engine.c - the Happy Eyeballs engine (lib/engine.c) driven by event
 * sequences decoded from the input, with the invariants of
 * tests/check_engine_random.c asserted after every entry point:
 *
 *   - no two attempts start within 10 ms of each other (RFC 8305 5);
 *   - an attempt goes only to an address the engine was given, of an
 *     allowed family, on a port it was given, never twice to the same
 *     address and port, all the ports of an address before the next;
 *   - no more attempts in flight than the cap;
 *   - exactly one DONE and no action after it; a success names the
 *     attempt that connected; other failures come only when nothing is
 *     left in flight or pending (but a prefix query with no IPv4 left to
 *     wait for it), unless a timeout or an abort;
 *   - every attempt started is reported or cancelled, exactly once;
 *   - the next deadline is never in the past, and the dial ends once the
 *     network stops answering;
 *   - what the engine reports about its addresses (order, attempts,
 *     failures) agrees with what it did;
 *   - NAT64 (when the configuration turns it on): the prefix query is
 *     asked only when discovering, IPv4 is not attempted while it is
 *     pending, an attempt to IPv4 connects to its RFC 6052 synthesis
 *     with the prefix announced (never for 127/8 and the like), and
 *     DNS64 answers come back de-synthesized;
 *   - connection history (RFC 8305 sections 4 and 5): the delay after an
 *     attempt is its address's RTO clamped to the configured bounds, else
 *     the attempt delay, never under 10 ms nor over 2 s, and the next
 *     attempt for that reason waits it out; an address that failed
 *     recently is begun only when every other one the engine holds (and
 *     may try now) is done.
 *
 * The input: a configuration (CFG_BYTES bytes), the history (HIST_BYTES,
 * see history()), the host's ports or the endpoints, then events of one
 * opcode byte and its arguments (see step()).  When the input runs out
 * the network goes quiet: pending queries get NODATA, attempts fail,
 * timers fire, until DONE.  Missing bytes read as zero, so every input is
 * valid.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "fuzz.h"

#define MS		HECAT__NS_PER_MS
#define RFC_MIN_GAP	(10 * MS)	/* RFC 8305 section 5, written out */
#define POOL		18		/* 2001:db8::1..6, 192.0.2.1..6,
					   64:ff9b::192.0.2.1..6 (DNS64) */
#define MAXPORTS	4
#define MAXEPS		16
#define MAXATT		(POOL * MAXPORTS)	/* each address and port once */

/* ---- the input ----------------------------------------------------------------- */

struct in {
	const uint8_t	*p;
	size_t		 n;
};

static unsigned
u8(struct in *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

static unsigned
u16(struct in *in)
{
	unsigned hi = u8(in);

	return hi << 8 | u8(in);
}

/* ---- the model ----------------------------------------------------------------- */

enum astate {
	A_FREE,
	A_INFLIGHT,
	A_REPORTED,
	A_CANCELLED
};

struct run {
	struct hecat__engine_cfg cfg;
	struct hecat__engine	*e;
	uint64_t		 now;

	bool			 known[POOL];	/* addresses handed in */
	uint16_t		 ports[MAXPORTS];
	size_t			 nports;
	bool			 ip_mode;
	uint16_t		 ep_port[POOL][MAXEPS];
	size_t			 ep_nports[POOL];

	bool			 qpending[2];	/* [0] AAAA, [1] A */
	bool			 qpref;		/* the NAT64 prefix query */
	int			 nat64;		/* enum hecat__nat64_mode */
	struct hecat__prefix64	 prefix;	/* announced or configured */
	enum astate		 att[MAXATT + 1];
	unsigned		 att_addr[MAXATT + 1];
	unsigned		 nstarted, inflight;
	uint64_t		 last_start;
	uint16_t		 tried_port[POOL][MAXEPS];
	size_t			 ntried_port[POOL];
	unsigned		 addr_attempts[POOL];
	int			 cur_addr;	/* address with ports left */
	unsigned		 connected_id;	/* reported success */
	uint64_t		 last_delay;	/* after the newest attempt */
	/* History, per pool address; a DNS64 one's is its IPv4's. */
	uint64_t		 rtt[POOL], rto[POOL];
	bool			 failed[POOL];
	unsigned		 ndone;
	int			 end_cancel;	/* why of an ending CANCEL */
};

static struct hecat__dst
pool(unsigned i, bool usable)
{
	struct hecat__dst d;

	memset(&d, 0, sizeof(d));
	i %= POOL;
	if (i < 6) {
		d.ip.family = AF_INET6;
		d.ip.a[0] = 0x20;
		d.ip.a[1] = 0x01;
		d.ip.a[2] = 0x0d;
		d.ip.a[3] = 0xb8;
		d.ip.a[15] = (uint8_t)(i + 1);
	} else if (i < 12) {
		d.ip.family = AF_INET;
		d.ip.a[0] = 192;
		d.ip.a[2] = 2;
		d.ip.a[3] = (uint8_t)(i - 6 + 1);
	} else {
		/* 192.0.2.N through the Well-Known Prefix, as DNS64 says. */
		d.ip.family = AF_INET6;
		d.ip.a[1] = 0x64;
		d.ip.a[2] = 0xff;
		d.ip.a[3] = 0x9b;
		d.ip.a[12] = 192;
		d.ip.a[14] = 2;
		d.ip.a[15] = (uint8_t)(i - 12 + 1);
	}
	if (usable)
		d.src = d.ip;
	return d;
}

static int
pool_index(const struct hecat__ip *ip)
{
	unsigned i;

	for (i = 0; i < POOL; i++) {
		struct hecat__dst d = pool(i, true);

		if (hecat__ip_equal(&d.ip, ip))
			return (int)i;
	}
	return -1;
}

/* Pool address i as a store would hand it over: with its history. */
static struct hecat__dst
pool_dst(const struct run *rn, unsigned i, bool usable)
{
	struct hecat__dst d = pool(i, usable);

	i %= POOL;
	d.rtt = rn->rtt[i];
	d.rto = rn->rto[i];
	d.failed = rn->failed[i];
	return d;
}

/*
 * The Connection Attempt Delay after an attempt to pool address ai, from
 * RFC 8305 section 5 and the configuration (an oracle apart from the
 * engine's arithmetic): the address's RTO within [attempt_delay_min,
 * attempt_delay_max] when it has one, else attempt_delay; never under
 * 10 ms, never over 2 s.
 */
static uint64_t
expected_delay(const struct run *rn, int ai)
{
	uint64_t lo = rn->cfg.attempt_delay_min, hi = rn->cfg.attempt_delay_max;
	uint64_t d = rn->cfg.attempt_delay;

	if (hi > 2000 * MS)
		hi = 2000 * MS;
	if (hi < RFC_MIN_GAP)
		hi = RFC_MIN_GAP;
	if (lo < RFC_MIN_GAP)
		lo = RFC_MIN_GAP;
	if (lo > hi)
		lo = hi;
	if (rn->rto[ai] != 0) {
		d = rn->rto[ai];
		return d < lo ? lo : d > hi ? hi : d;
	}
	return d < RFC_MIN_GAP ? RFC_MIN_GAP : d > 2000 * MS ? 2000 * MS : d;
}

static bool
port_allowed(const struct run *rn, unsigned ai, uint16_t port)
{
	const uint16_t *p = rn->ip_mode ? rn->ep_port[ai] : rn->ports;
	size_t np = rn->ip_mode ? rn->ep_nports[ai] : rn->nports, i;

	for (i = 0; i < np; i++)
		if (p[i] == port)
			return true;
	return false;
}

/* The distinct ports an address has. */
static size_t
nports_of(const struct run *rn, unsigned ai)
{
	const uint16_t *p = rn->ip_mode ? rn->ep_port[ai] : rn->ports;
	size_t np = rn->ip_mode ? rn->ep_nports[ai] : rn->nports;
	size_t i, j, n = 0;

	for (i = 0; i < np; i++) {
		for (j = 0; j < i; j++)
			if (p[j] == p[i])
				break;
		n += j == i;
	}
	return n;
}

/*
 * Whether the engine holds ip as the DNS64 form of an IPv4 address it
 * also holds: a duplicate, never attempted.
 */
static bool
dns64_duplicate(const struct run *rn, const struct hecat__ip *ip)
{
	struct hecat__addr_info o;
	struct hecat__ip v4;
	size_t i;

	if (rn->nat64 != HECAT__NAT64_KNOWN || ip->family != AF_INET6 ||
	    !hecat__nat64_extract(&rn->prefix, ip, &v4))
		return false;
	for (i = 0; i < hecat__engine_naddrs(rn->e); i++) {
		hecat__engine_addr(rn->e, i, &o);
		if (hecat__ip_equal(&o.dst.ip, &v4))
			return true;
	}
	return false;
}

static void
on_attempt_action(struct run *rn, const struct hecat__action *a)
{
	struct hecat__addr_info info;
	/* Through NAT64 the address is orig; ip its synthesis. */
	const struct hecat__ip *dst = a->orig.family != 0 ? &a->orig : &a->ip;
	int ai = pool_index(dst);
	size_t i;

	FUZZ_ASSERT(a->id == rn->nstarted + 1);
	FUZZ_ASSERT(rn->nstarted == 0 ||
	    rn->now >= rn->last_start + RFC_MIN_GAP);
	FUZZ_ASSERT(a->why != HECAT__WHY_DELAY ||
	    rn->now >= rn->last_start + rn->last_delay);
	FUZZ_ASSERT(ai >= 0 && rn->known[ai]);
	FUZZ_ASSERT(rn->cfg.family == AF_UNSPEC ||
	    dst->family == rn->cfg.family);
	/* No IPv4 while the prefix is looked for (it would fail). */
	FUZZ_ASSERT(dst->family != AF_INET || !rn->qpref);
	if (a->orig.family != 0) {
		struct hecat__ip want;

		FUZZ_ASSERT(rn->nat64 == HECAT__NAT64_KNOWN);
		FUZZ_ASSERT(a->orig.family == AF_INET);
		FUZZ_ASSERT(hecat__nat64_synthesizable(&rn->prefix, &a->orig));
		hecat__nat64_synthesize(&rn->prefix, &a->orig, &want);
		FUZZ_ASSERT(hecat__ip_equal(&want, &a->ip));
	} else
		FUZZ_ASSERT(a->ip.family != AF_INET ||
		    rn->nat64 != HECAT__NAT64_KNOWN ||
		    !hecat__nat64_synthesizable(&rn->prefix, &a->ip));
	FUZZ_ASSERT(port_allowed(rn, (unsigned)ai, a->port));
	for (i = 0; i < rn->ntried_port[ai]; i++)
		FUZZ_ASSERT(rn->tried_port[ai][i] != a->port);
	FUZZ_ASSERT(rn->cur_addr == -1 || rn->cur_addr == ai);
	FUZZ_ASSERT(a->id <= MAXATT);
	FUZZ_ASSERT(a->why >= HECAT__WHY_FIRST && a->why <= HECAT__WHY_ANSWER);
	FUZZ_ASSERT((a->id == 1) == (a->why == HECAT__WHY_FIRST));

	/* The engine's index of the address names the same address. */
	FUZZ_ASSERT(a->addr < hecat__engine_naddrs(rn->e));
	hecat__engine_addr(rn->e, a->addr, &info);
	FUZZ_ASSERT(hecat__ip_equal(&info.dst.ip, dst));

	/* History: the delay it sets, and failed addresses last. */
	FUZZ_ASSERT(a->wait == expected_delay(rn, ai));
	FUZZ_ASSERT(a->learned == (rn->rto[ai] != 0));
	if (rn->failed[ai] && rn->ntried_port[ai] == 0)
		for (i = 0; i < hecat__engine_naddrs(rn->e); i++) {
			int pi;

			hecat__engine_addr(rn->e, i, &info);
			pi = pool_index(&info.dst.ip);
			FUZZ_ASSERT(pi >= 0);
			if (pi == ai || rn->failed[pi] ||
			    (info.dst.ip.family == AF_INET && rn->qpref) ||
			    dns64_duplicate(rn, &info.dst.ip))
				continue;
			FUZZ_ASSERT(rn->ntried_port[pi] >=
			    nports_of(rn, (unsigned)pi));
		}

	rn->tried_port[ai][rn->ntried_port[ai]++] = a->port;
	rn->cur_addr = rn->ntried_port[ai] < nports_of(rn, (unsigned)ai) ?
	    ai : -1;
	rn->nstarted = a->id;
	rn->att[a->id] = A_INFLIGHT;
	rn->att_addr[a->id] = (unsigned)ai;
	rn->addr_attempts[ai]++;
	rn->inflight++;
	rn->last_start = rn->now;
	rn->last_delay = a->wait;
	FUZZ_ASSERT(rn->inflight <= rn->cfg.max_inflight);
}

static void
check_end(const struct run *rn, int status)
{
	struct hecat__addr_info info;
	size_t i;
	int want;

	switch (status) {
	case HECAT_OK:
		want = HECAT__CANCEL_LOST;
		break;
	case HECAT_E_TIMEOUT:
		want = HECAT__CANCEL_DEADLINE;
		break;
	case HECAT_E_CANCELLED:
		want = HECAT__CANCEL_ABORT;
		break;
	default:
		/* Nothing was left: no attempt cancelled, no query pending. */
		FUZZ_ASSERT(status == HECAT_E_CONNECT ||
		    status == HECAT_E_NOADDR || status == HECAT_E_NOHOST ||
		    status == HECAT_E_DNS);
		FUZZ_ASSERT(rn->end_cancel == -1);
		FUZZ_ASSERT(hecat__engine_query(rn->e, AF_INET6, NULL) !=
		    HECAT__Q_CANCELLED);
		FUZZ_ASSERT(hecat__engine_query(rn->e, AF_INET, NULL) !=
		    HECAT__Q_CANCELLED);
		/*
		 * The prefix query is cancelled only when it held nothing
		 * back: IPv4 waits for it, so none may be left untried.
		 */
		if (hecat__engine_query(rn->e, HECAT__PREF64, NULL) ==
		    HECAT__Q_CANCELLED)
			for (i = 0; i < hecat__engine_naddrs(rn->e); i++) {
				hecat__engine_addr(rn->e, i, &info);
				FUZZ_ASSERT(info.dst.ip.family != AF_INET ||
				    info.attempts > 0);
			}
		FUZZ_ASSERT(status != HECAT_E_CONNECT || rn->nstarted > 0);
		FUZZ_ASSERT(status == HECAT_E_CONNECT || rn->nstarted == 0);
		return;
	}
	FUZZ_ASSERT(rn->end_cancel == -1 || rn->end_cancel == want);
}

/* What hecat__engine_order() and _addr() say agrees with the run. */
static void
check_report(const struct run *rn)
{
	struct hecat__addr_info info;
	size_t order[POOL], n, i, j;
	bool seen[POOL];
	int ai;

	n = hecat__engine_naddrs(rn->e);
	FUZZ_ASSERT(n <= POOL);
	FUZZ_ASSERT(hecat__engine_order(rn->e, order, n) == n);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < n; i++) {
		FUZZ_ASSERT(order[i] < n && !seen[order[i]]);
		seen[order[i]] = true;
		hecat__engine_addr(rn->e, i, &info);
		ai = pool_index(&info.dst.ip);
		FUZZ_ASSERT(ai >= 0 && rn->known[ai]);
		for (j = 0; j < i; j++) {
			struct hecat__addr_info other;

			hecat__engine_addr(rn->e, j, &other);
			FUZZ_ASSERT(!hecat__ip_equal(&other.dst.ip,
			    &info.dst.ip));
		}
		FUZZ_ASSERT(info.attempts == rn->addr_attempts[ai]);
		FUZZ_ASSERT(info.failures <= info.attempts);
	}
}

/* Take every action queued, checking each; then the deadline. */
static void
drain(struct run *rn)
{
	struct hecat__action a;
	uint64_t d;
	unsigned i;

	rn->end_cancel = -1;
	while (hecat__engine_next_action(rn->e, &a)) {
		FUZZ_ASSERT(rn->ndone == 0);
		switch (a.kind) {
		case HECAT__ACT_QUERY:
			if (a.family == HECAT__PREF64) {
				FUZZ_ASSERT(rn->nat64 ==
				    HECAT__NAT64_DISCOVER && !rn->qpref);
				FUZZ_ASSERT(rn->cfg.family != AF_INET6);
				rn->qpref = true;
				break;
			}
			FUZZ_ASSERT(!rn->ip_mode);
			FUZZ_ASSERT(a.family == AF_INET6 ||
			    a.family == AF_INET);
			FUZZ_ASSERT(rn->cfg.family == AF_UNSPEC ||
			    a.family == rn->cfg.family);
			FUZZ_ASSERT(a.tries >= 1 &&
			    a.tries <= rn->cfg.resolve_retries + 1);
			rn->qpending[a.family == AF_INET6 ? 0 : 1] = true;
			break;
		case HECAT__ACT_QUERY_CANCEL:
			if (a.family == HECAT__PREF64) {
				FUZZ_ASSERT(rn->qpref);
				rn->qpref = false;
				break;
			}
			FUZZ_ASSERT(rn->qpending[a.family == AF_INET6 ? 0 : 1]);
			rn->qpending[a.family == AF_INET6 ? 0 : 1] = false;
			break;
		case HECAT__ACT_RD_WAIT:
			FUZZ_ASSERT(!rn->ip_mode);
			break;
		case HECAT__ACT_ORDER:
			break;
		case HECAT__ACT_NAT64:
			/* Once, when the prefix query ended. */
			FUZZ_ASSERT(rn->nat64 == HECAT__NAT64_DISCOVER &&
			    !rn->qpref);
			if (a.plen == 0)
				rn->nat64 = HECAT__NAT64_OFF;
			else {
				FUZZ_ASSERT(hecat__nat64_len_ok(a.plen));
				rn->nat64 = HECAT__NAT64_KNOWN;
				rn->prefix.ip = a.ip;
				rn->prefix.len = a.plen;
			}
			break;
		case HECAT__ACT_DESYNTH: {
			struct hecat__ip v4;
			int ai = pool_index(&a.orig);

			FUZZ_ASSERT(rn->nat64 == HECAT__NAT64_KNOWN);
			FUZZ_ASSERT(hecat__nat64_extract(&rn->prefix, &a.ip,
			    &v4) && hecat__ip_equal(&v4, &a.orig));
			FUZZ_ASSERT(ai >= 0 && rn->known[pool_index(&a.ip)]);
			rn->known[ai] = true;
			/* A literal de-synthesized keeps its ports. */
			if (rn->ip_mode && rn->ep_nports[ai] == 0) {
				int vi = pool_index(&a.ip);

				memcpy(rn->ep_port[ai], rn->ep_port[vi],
				    sizeof(rn->ep_port[ai]));
				rn->ep_nports[ai] = rn->ep_nports[vi];
			}
			break;
		}
		case HECAT__ACT_ATTEMPT:
			on_attempt_action(rn, &a);
			break;
		case HECAT__ACT_CANCEL:
			FUZZ_ASSERT(a.id > 0 && a.id <= rn->nstarted);
			FUZZ_ASSERT(rn->att[a.id] == A_INFLIGHT);
			rn->att[a.id] = A_CANCELLED;
			rn->inflight--;
			/* Only a per-attempt timeout cancels mid-dial. */
			if (a.why != HECAT__CANCEL_TIMEOUT)
				rn->end_cancel = a.why;
			break;
		case HECAT__ACT_DONE:
			rn->ndone++;
			if (a.status == HECAT_OK) {
				FUZZ_ASSERT(a.id == rn->connected_id);
				/* Through NAT64, the address is orig. */
				FUZZ_ASSERT(rn->att_addr[a.id] ==
				    (unsigned)pool_index(a.orig.family != 0 ?
				    &a.orig : &a.ip));
			} else
				FUZZ_ASSERT(rn->connected_id == 0);
			check_end(rn, a.status);
			for (i = 1; i <= rn->nstarted; i++)
				FUZZ_ASSERT(rn->att[i] != A_INFLIGHT ||
				    i == rn->connected_id);
			FUZZ_ASSERT(!rn->qpending[0] && !rn->qpending[1] &&
			    !rn->qpref);
			break;
		default:
			FUZZ_ASSERT(!"an unknown action");
		}
	}
	FUZZ_ASSERT(rn->end_cancel == -1 || rn->ndone == 1);
	d = hecat__engine_next_deadline(rn->e);
	FUZZ_ASSERT(d == HECAT__NEVER || d > rn->now);
	FUZZ_ASSERT(hecat__engine_done(rn->e) == (rn->ndone == 1));
	FUZZ_ASSERT(!hecat__engine_done(rn->e) || d == HECAT__NEVER);
	check_report(rn);
}

/* ---- events --------------------------------------------------------------------- */

/* Fire the timers due by t, each at its time. */
static void
advance(struct run *rn, uint64_t t)
{
	uint64_t d;
	int guard = 0;

	while ((d = hecat__engine_next_deadline(rn->e)) <= t) {
		FUZZ_ASSERT(++guard < 10000);
		rn->now = d;
		hecat__engine_on_timeout(rn->e, d);
		drain(rn);
	}
	rn->now = t;
}

/* Time jumps to t, and the timers due fire late, all at once. */
static void
advance_late(struct run *rn, uint64_t t)
{
	rn->now = t;
	if (hecat__engine_next_deadline(rn->e) <= t) {
		hecat__engine_on_timeout(rn->e, t);
		drain(rn);
	}
}

static void
answer(struct run *rn, struct in *in, int family)
{
	static const enum hecat_dns_status errs[] = {
		HECAT_DNS_NODATA, HECAT_DNS_NXDOMAIN, HECAT_DNS_SERVFAIL,
		HECAT_DNS_TIMEOUT, HECAT_DNS_ERROR
	};
	struct hecat__dst d[8];
	bool pending = rn->qpending[family == AF_INET6 ? 0 : 1];
	unsigned st = u8(in), b, ai;
	size_t n = 0, k, i;

	if (st % 8 < 3) {
		k = u8(in) % 9;
		for (i = 0; i < k; i++) {
			b = u8(in);
			ai = b % POOL;
			d[n++] = pool_dst(rn, ai, (b & 0x80) == 0);
			if (pending && d[n - 1].ip.family == family &&
			    (rn->cfg.family == AF_UNSPEC ||
			    rn->cfg.family == family))
				rn->known[ai] = true;
		}
		hecat__engine_on_answer(rn->e, rn->now, family, HECAT_DNS_OK,
		    d, n);
	} else
		hecat__engine_on_answer(rn->e, rn->now, family,
		    errs[st % 8 - 3], NULL, 0);
	/* Answered; a query sent again shows as a QUERY in drain(). */
	if (pending)
		rn->qpending[family == AF_INET6 ? 0 : 1] = false;
	drain(rn);
}

/*
 * The answer to the prefix query (RFC 7050): addresses that embed
 * 192.0.0.170/171 with the Well-Known Prefix or a /96 or /48 of the
 * documentation range, one that embeds nothing, or an error.
 */
static void
answer_prefix(struct run *rn, struct in *in)
{
	static const char *const cand[] = {
		"64:ff9b::c000:aa", "64:ff9b::c000:ab",
		"2001:db8:122:344::c000:aa", "2001:db8:122:c000:0:aa00::",
		"2001:db8::1", "192.0.0.170"
	};
	struct hecat__dst d[4];
	unsigned st = u8(in);
	size_t n = 0, k, i;
	bool pending = rn->qpref;

	if (st % 4 < 2) {
		k = u8(in) % 5;
		for (i = 0; i < k; i++) {
			memset(&d[n], 0, sizeof(d[n]));
			if (hecat__ip_parse(&d[n].ip,
			    cand[u8(in) % 6]) == 0)
				n++;
		}
		hecat__engine_on_answer(rn->e, rn->now, HECAT__PREF64,
		    HECAT_DNS_OK, d, n);
	} else
		hecat__engine_on_answer(rn->e, rn->now, HECAT__PREF64,
		    st % 4 == 2 ? HECAT_DNS_SERVFAIL : HECAT_DNS_NXDOMAIN,
		    NULL, 0);
	if (pending)
		rn->qpref = false;
	drain(rn);
}

static void
report(struct run *rn, unsigned id, unsigned e)
{
	static const int errs[] = { ECONNREFUSED, ENETUNREACH, EHOSTUNREACH,
	    ECONNRESET, EACCES, ETIMEDOUT, EADDRNOTAVAIL };
	bool inflight, accepted;
	int err = e % 8 == 0 ? 0 : errs[e % 7];

	inflight = id >= 1 && id <= rn->nstarted && id <= MAXATT &&
	    rn->att[id] == A_INFLIGHT;
	if (err == 0 && inflight && rn->connected_id == 0 && rn->ndone == 0)
		rn->connected_id = id;
	accepted = hecat__engine_on_attempt(rn->e, rn->now, id, err);
	FUZZ_ASSERT(accepted == (inflight && rn->ndone == 0));
	if (accepted) {
		rn->att[id] = A_REPORTED;
		rn->inflight--;
	}
	drain(rn);
}

/* The in-flight attempt number i (modulo their count), or 0. */
static unsigned
inflight_id(const struct run *rn, unsigned i)
{
	unsigned ids[MAXATT], n = 0, id;

	for (id = 1; id <= rn->nstarted; id++)
		if (rn->att[id] == A_INFLIGHT)
			ids[n++] = id;
	return n == 0 ? 0 : ids[i % n];
}

/* One event; returns false when the input is used up. */
static bool
step(struct run *rn, struct in *in)
{
	unsigned op, id;
	uint64_t d;

	if (in->n == 0)
		return false;
	op = u8(in);
	switch (op % 10) {
	case 0:			/* a little time, 0 to 127.5 ms */
		advance(rn, rn->now + (uint64_t)u8(in) * MS / 2 + op);
		break;
	case 1:			/* up to a minute */
		advance(rn, rn->now + (uint64_t)u16(in) * MS);
		break;
	case 2:			/* to the next deadline, or just before it */
		if ((d = hecat__engine_next_deadline(rn->e)) != HECAT__NEVER)
			advance(rn, op & 0x80 ? d - 1 : d);
		break;
	case 3:			/* a late timer */
		advance_late(rn, rn->now + (uint64_t)u16(in) * MS);
		break;
	case 4:
		answer(rn, in, AF_INET6);
		break;
	case 5:
		answer(rn, in, AF_INET);
		break;
	case 6:			/* an attempt in flight finishes */
		if ((id = inflight_id(rn, u8(in))) != 0)
			report(rn, id, u8(in));
		break;
	case 7:			/* any id: unknown, finished, cancelled */
		id = u8(in) % (MAXATT + 2);
		report(rn, id, u8(in));
		break;
	case 8:
		if (op & 0x80) {
			hecat__engine_abort(rn->e, rn->now);
			drain(rn);
		} else if (op & 0x40)
			answer_prefix(rn, in);
		break;
	default:		/* the caller drains with nothing new */
		drain(rn);
		break;
	}
	return true;
}

/* ---- a run -------------------------------------------------------------------- */

#define CFG_BYTES	15
#define HIST_BYTES	4

static void
config(struct run *rn, struct in *in)
{
	static const int fam[] = { AF_UNSPEC, AF_UNSPEC, AF_INET, AF_INET6 };
	struct hecat__engine_cfg *c = &rn->cfg;
	unsigned flags, b;

	hecat__engine_cfg_default(c);
	flags = u8(in);
	rn->ip_mode = flags & 1;
	c->family = fam[flags >> 1 & 3];
	c->prefer = fam[flags >> 3 & 3];
	c->resolution_delay = (uint64_t)(u16(in) % 1000) * MS;
	c->attempt_delay = (uint64_t)(u16(in) % 3000) * MS;
	c->attempt_timeout = (uint64_t)(1 + u16(in) % 10000) * MS;
	c->deadline = (uint64_t)(1 + u16(in)) * MS;
	c->resolve_timeout = (uint64_t)(1 + u16(in) % 5000) * MS;
	if (flags & 0x20)
		c->attempt_timeout = 0;
	if (flags & 0x40)
		c->deadline = 0;
	if (flags & 0x80)
		c->resolve_timeout = 0;
	b = u8(in);
	c->resolve_retries = b % 5;
	c->first_family_count = (b >> 4) % 4;
	/* Bits 6-7: NAT64 off (0, 1), the WKP known (2), discovered (3). */
	if (b >> 6 == 2) {
		c->nat64 = HECAT__NAT64_KNOWN;
		hecat__nat64_wkp(&c->prefix64);
	} else if (b >> 6 == 3)
		c->nat64 = HECAT__NAT64_DISCOVER;
	rn->nat64 = c->family == AF_INET6 ? HECAT__NAT64_OFF : c->nat64;
	rn->prefix = c->prefix64;
	b = u8(in);
	c->max_inflight = b % 10;
	c->max_addrs = (b >> 4) % 8;
	if (b & 0x80)
		c->family = 99;		/* bad: the engine must refuse it */
	rn->now = (uint64_t)u16(in) << 24;
}

/*
 * Connection history: the attempt delay's bounds (0: the defaults), then
 * three addresses' records, a byte each: the address (the low five bits,
 * modulo POOL), an RTT (bits 5-6: none, 2, 40 or 700 ms; the RTO three
 * times that) and failed recently (bit 7).  A DNS64 address and the
 * IPv4 one it stands for share a record, as libhecat keeps NAT64
 * outcomes under both.  Zeros are no history.
 */
static void
history(struct run *rn, struct in *in)
{
	static const uint64_t rtts[] = { 0, 2 * MS, 40 * MS, 700 * MS };
	unsigned b = u8(in), i, ai, k;

	if (b != 0) {
		rn->cfg.attempt_delay_min = (uint64_t)(b & 15) * 25 * MS;
		rn->cfg.attempt_delay_max = (uint64_t)((b >> 4) + 1) * 150 * MS;
	}
	for (i = 1; i < HIST_BYTES; i++) {
		b = u8(in);
		ai = (b & 0x1f) % POOL;
		for (k = 0; k < 2; k++) {
			rn->rtt[ai] = rtts[b >> 5 & 3];
			rn->rto[ai] = 3 * rn->rtt[ai];
			rn->failed[ai] = (b & 0x80) != 0;
			if (ai < 6)
				break;
			ai = ai < 12 ? ai + 6 : ai - 6;	/* the twin */
		}
	}
}

static struct hecat__engine *
create(struct run *rn, struct in *in)
{
	struct hecat__endpoint eps[MAXEPS];
	size_t n, i, ai;
	unsigned b;

	if (!rn->ip_mode) {
		rn->nports = 1 + u8(in) % MAXPORTS;
		for (i = 0; i < rn->nports; i++) {
			b = u8(in);
			rn->ports[i] = b == 255 ? 0 : (uint16_t)(80 + b % 4);
		}
		return hecat__engine_new_host(&rn->cfg, rn->ports, rn->nports);
	}
	n = 1 + u8(in) % MAXEPS;
	for (i = 0; i < n; i++) {
		b = u8(in);
		ai = b % POOL;
		eps[i].dst = pool_dst(rn, (unsigned)ai, (b & 0x80) == 0);
		eps[i].port = (uint16_t)(80 + u8(in) % 4);
		if (rn->cfg.family != AF_UNSPEC &&
		    eps[i].dst.ip.family != rn->cfg.family)
			continue;
		rn->known[ai] = true;
		if (!port_allowed(rn, (unsigned)ai, eps[i].port))
			rn->ep_port[ai][rn->ep_nports[ai]++] = eps[i].port;
	}
	return hecat__engine_new_ip(&rn->cfg, eps, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	struct run *rn;
	unsigned id;
	int guard;

	if ((rn = calloc(1, sizeof(*rn))) == NULL)
		return 0;
	rn->cur_addr = -1;
	config(rn, &in);
	history(rn, &in);
	errno = 0;
	rn->e = create(rn, &in);
	if (rn->cfg.family == 99) {
		FUZZ_ASSERT(rn->e == NULL && errno == EINVAL);
		free(rn);
		return 0;
	}
	FUZZ_ASSERT(rn->e != NULL);
	/* The engine clamps these; the checks use what it does. */
	if (rn->cfg.max_inflight == 0)
		rn->cfg.max_inflight = 1;
	FUZZ_ASSERT(hecat__engine_next_deadline(rn->e) == HECAT__NEVER);
	hecat__engine_start(rn->e, rn->now);
	drain(rn);

	/* Phase 1: the events of the input, even after the end. */
	while (step(rn, &in))
		continue;

	/* Phase 2: the network goes quiet; every result is a failure. */
	for (guard = 0; rn->ndone == 0; guard++) {
		FUZZ_ASSERT(guard < 100000);
		if (rn->qpref) {
			hecat__engine_on_answer(rn->e, rn->now, HECAT__PREF64,
			    HECAT_DNS_NODATA, NULL, 0);
			rn->qpref = false;
			drain(rn);
		} else if (rn->qpending[0] || rn->qpending[1]) {
			hecat__engine_on_answer(rn->e, rn->now,
			    rn->qpending[0] ? AF_INET6 : AF_INET,
			    HECAT_DNS_NODATA, NULL, 0);
			rn->qpending[rn->qpending[0] ? 0 : 1] = false;
			drain(rn);
		} else if ((id = inflight_id(rn, 0)) != 0)
			report(rn, id, 1);
		else if (hecat__engine_next_deadline(rn->e) != HECAT__NEVER)
			advance(rn, hecat__engine_next_deadline(rn->e));
		else
			break;
	}
	FUZZ_ASSERT(rn->ndone == 1);
	for (id = 1; id <= rn->nstarted; id++)
		FUZZ_ASSERT(rn->att[id] == A_REPORTED ||
		    rn->att[id] == A_CANCELLED);
	FUZZ_ASSERT(hecat__engine_next_deadline(rn->e) == HECAT__NEVER);

	hecat__engine_free(rn->e);
	free(rn);
	return 0;
}
