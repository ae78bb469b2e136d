/*
 * check_engine_random.c - thousands of random event sequences through the
 * engine, with its invariants asserted on every action:
 *
 *   - no two attempts start within 10 ms of each other (RFC 8305 5 MUST);
 *   - an attempt only goes to an address the engine was given, of an
 *     allowed family, on a port it was given, and never twice to the same
 *     address and port; all the ports of an address go before the next;
 *   - no more attempts in flight than the cap;
 *   - exactly one DONE, and no action after it; a success names the
 *     attempt that connected; a failure comes only when no attempt is in
 *     flight and no query is pending, unless it is a timeout or an abort;
 *   - every attempt started is either reported or cancelled, exactly once;
 *   - the next deadline is never in the past, and the dial always ends
 *     once the network stops answering (given a timeout to end it).
 *
 * Runs are reproducible: a failure names its seed.
 */
#include "config.h"

#include <sys/socket.h>

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "engine.h"

#define MS		HECAT__NS_PER_MS
/* RFC 8305 section 5, written out: the engine's own constant is under test. */
#define RFC_MIN_GAP	(10 * MS)
#define POOL		12
#define MAXATT		512

struct rng {
	uint64_t	s;
};

static uint64_t
rnd(struct rng *r)
{
	/* xorshift64* */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * UINT64_C(2685821657736338717);
}

static unsigned
below(struct rng *r, unsigned n)
{
	return (unsigned)(rnd(r) % n);
}

static bool
chance(struct rng *r, unsigned percent)
{
	return below(r, 100) < percent;
}

/* The address pool: 2001:db8::1..6 and 192.0.2.1..6. */
static struct hecat__dst
pool(unsigned i, bool usable)
{
	struct hecat__dst d;
	char s[32];

	if (i < POOL / 2)
		snprintf(s, sizeof(s), "2001:db8::%u", i + 1);
	else
		snprintf(s, sizeof(s), "192.0.2.%u", i - POOL / 2 + 1);
	memset(&d, 0, sizeof(d));
	ck_assert(hecat__ip_parse(&d.ip, s) == 0);
	if (usable)
		d.src = d.ip;
	return d;
}

enum astate {
	A_FREE,
	A_INFLIGHT,
	A_REPORTED,
	A_CANCELLED
};

struct run {
	unsigned long		 seed;
	struct rng		 r;
	struct hecat__engine_cfg cfg;
	struct hecat__engine	*e;
	uint64_t		 now, t0;

	bool			 known[POOL];	/* addresses handed in */
	uint16_t		 ports[4];
	size_t			 nports;
	bool			 ip_mode;
	uint16_t		 ep_port[POOL][4];	/* ip mode: ports */
	size_t			 ep_nports[POOL];

	bool			 qpending[2];	/* [0] AAAA, [1] A */
	enum astate		 att[MAXATT];
	unsigned		 att_addr[MAXATT];
	uint16_t		 att_port[MAXATT];
	unsigned		 nstarted, inflight;
	uint64_t		 last_start;
	uint16_t		 tried_port[POOL][8];
	size_t			 ntried_port[POOL];
	int			 cur_addr;	/* address with ports left */
	unsigned		 connected_id;	/* reported success */
	unsigned		 ndone;
	int			 status;
	int			 end_cancel;	/* why of an ending CANCEL */
};

#define CHECK(run, cond, ...) do {					\
	if (!(cond)) {							\
		char m_[512];						\
		snprintf(m_, sizeof(m_), __VA_ARGS__);			\
		ck_abort_msg("seed %lu at %.3fms: %s", (run)->seed,	\
		    (double)((run)->now - (run)->t0) / 1e6, m_);	\
	}								\
} while (0)

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

static bool
port_allowed(struct run *rn, unsigned ai, uint16_t port)
{
	size_t i;

	if (rn->ip_mode) {
		for (i = 0; i < rn->ep_nports[ai]; i++)
			if (rn->ep_port[ai][i] == port)
				return true;
		return false;
	}
	for (i = 0; i < rn->nports; i++)
		if (rn->ports[i] == port)
			return true;
	return false;
}

static size_t
nports_of(struct run *rn, unsigned ai)
{
	size_t i, j, n = 0;
	const uint16_t *p = rn->ip_mode ? rn->ep_port[ai] : rn->ports;
	size_t np = rn->ip_mode ? rn->ep_nports[ai] : rn->nports;

	/* distinct ports */
	for (i = 0; i < np; i++) {
		for (j = 0; j < i; j++)
			if (p[j] == p[i])
				break;
		if (j == i)
			n++;
	}
	return n;
}

static void
on_attempt_action(struct run *rn, const struct hecat__action *a)
{
	int ai = pool_index(&a->ip);
	size_t i;

	CHECK(rn, a->id == rn->nstarted + 1, "attempt id %u after %u", a->id,
	    rn->nstarted);
	CHECK(rn, a->id < MAXATT, "too many attempts");
	CHECK(rn, rn->nstarted == 0 ||
	    rn->now >= rn->last_start + RFC_MIN_GAP,
	    "attempt %u %.3fms after the previous one", a->id,
	    (double)(rn->now - rn->last_start) / 1e6);
	CHECK(rn, ai >= 0 && rn->known[ai], "attempt %u to an unknown address",
	    a->id);
	CHECK(rn, rn->cfg.family == AF_UNSPEC || a->ip.family == rn->cfg.family,
	    "attempt %u to a banned family", a->id);
	CHECK(rn, port_allowed(rn, (unsigned)ai, a->port),
	    "attempt %u to port %u, not given", a->id, a->port);
	for (i = 0; i < rn->ntried_port[ai]; i++)
		CHECK(rn, rn->tried_port[ai][i] != a->port,
		    "attempt %u repeats address %d port %u", a->id, ai,
		    a->port);
	CHECK(rn, rn->cur_addr == -1 || rn->cur_addr == ai,
	    "attempt %u leaves address %d with ports untried", a->id,
	    rn->cur_addr);
	rn->tried_port[ai][rn->ntried_port[ai]++] = a->port;
	rn->cur_addr = rn->ntried_port[ai] < nports_of(rn, (unsigned)ai) ?
	    ai : -1;

	rn->nstarted = a->id;
	rn->att[a->id] = A_INFLIGHT;
	rn->att_addr[a->id] = (unsigned)ai;
	rn->att_port[a->id] = a->port;
	rn->inflight++;
	rn->last_start = rn->now;
	CHECK(rn, rn->inflight <= rn->cfg.max_inflight ||
	    rn->inflight <= 1, "%u attempts in flight, cap %u", rn->inflight,
	    rn->cfg.max_inflight);
}

/*
 * A dial ends early only by a success, its deadline or an abort, and the
 * attempts it cancels say which.  Any other failure comes when nothing was
 * left: no attempt to cancel, no query still pending.
 */
static void
check_end(struct run *rn, int status)
{
	enum hecat__query_state qs6, qs4;
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
		qs6 = hecat__engine_query(rn->e, AF_INET6, NULL);
		qs4 = hecat__engine_query(rn->e, AF_INET, NULL);
		CHECK(rn, rn->end_cancel == -1,
		    "failure %d cancelled attempts", status);
		CHECK(rn, qs6 != HECAT__Q_CANCELLED &&
		    qs4 != HECAT__Q_CANCELLED,
		    "failure %d with a query pending", status);
		return;
	}
	CHECK(rn, rn->end_cancel == -1 || rn->end_cancel == want,
	    "done %d cancelled attempts for reason %d", status,
	    rn->end_cancel);
}

static void
drain(struct run *rn)
{
	struct hecat__action a;
	uint64_t d;
	unsigned i;

	rn->end_cancel = -1;
	while (hecat__engine_next_action(rn->e, &a)) {
		CHECK(rn, rn->ndone == 0, "action %d after done", (int)a.kind);
		switch (a.kind) {
		case HECAT__ACT_QUERY:
			CHECK(rn, rn->cfg.family == AF_UNSPEC ||
			    a.family == rn->cfg.family,
			    "query of banned family");
			CHECK(rn, !rn->ip_mode, "query without a name");
			rn->qpending[a.family == AF_INET6 ? 0 : 1] = true;
			break;
		case HECAT__ACT_QUERY_CANCEL:
			CHECK(rn, rn->qpending[a.family == AF_INET6 ? 0 : 1],
			    "cancel of a query not pending");
			rn->qpending[a.family == AF_INET6 ? 0 : 1] = false;
			break;
		case HECAT__ACT_RD_WAIT:
		case HECAT__ACT_ORDER:
		case HECAT__ACT_NAT64:
		case HECAT__ACT_DESYNTH:
			break;
		case HECAT__ACT_ATTEMPT:
			on_attempt_action(rn, &a);
			break;
		case HECAT__ACT_CANCEL:
			CHECK(rn, a.id > 0 && a.id <= rn->nstarted &&
			    rn->att[a.id] == A_INFLIGHT,
			    "cancel of attempt %u not in flight", a.id);
			rn->att[a.id] = A_CANCELLED;
			rn->inflight--;
			/* Only a per-attempt timeout cancels mid-dial. */
			if (a.why != HECAT__CANCEL_TIMEOUT)
				rn->end_cancel = a.why;
			break;
		case HECAT__ACT_DONE:
			rn->ndone++;
			rn->status = a.status;
			if (a.status == HECAT_OK)
				CHECK(rn, a.id == rn->connected_id,
				    "winner %u, but %u connected", a.id,
				    rn->connected_id);
			else
				CHECK(rn, rn->connected_id == 0,
				    "failure %d after a success", a.status);
			check_end(rn, a.status);
			/* Nothing may be left in flight after DONE. */
			for (i = 1; i <= rn->nstarted; i++)
				CHECK(rn, rn->att[i] != A_INFLIGHT ||
				    i == rn->connected_id,
				    "attempt %u left in flight", i);
			CHECK(rn, !rn->qpending[0] && !rn->qpending[1],
			    "query left pending at done");
			break;
		}
	}
	CHECK(rn, rn->end_cancel == -1 || rn->ndone == 1,
	    "attempts cancelled (%d) without the dial ending", rn->end_cancel);
	d = hecat__engine_next_deadline(rn->e);
	CHECK(rn, d == HECAT__NEVER || d > rn->now,
	    "deadline %.3fms not in the future", (double)(d - rn->t0) / 1e6);
	CHECK(rn, !hecat__engine_done(rn->e) || d == HECAT__NEVER,
	    "a deadline after done");
}

/* Fire the timers due by t, in order. */
static void
advance(struct run *rn, uint64_t t)
{
	uint64_t d;
	int guard = 0;

	while ((d = hecat__engine_next_deadline(rn->e)) <= t) {
		CHECK(rn, ++guard < 10000, "timers loop");
		rn->now = d;
		hecat__engine_on_timeout(rn->e, d);
		drain(rn);
	}
	rn->now = t;
}

static void
answer(struct run *rn, int family, bool spurious)
{
	static const enum hecat_dns_status st[] = {
		HECAT_DNS_NODATA, HECAT_DNS_NXDOMAIN, HECAT_DNS_SERVFAIL,
		HECAT_DNS_TIMEOUT, HECAT_DNS_ERROR
	};
	struct hecat__dst d[8];
	size_t n = 0, k, i;
	unsigned ai;

	if (chance(&rn->r, 60)) {
		k = 1 + below(&rn->r, 6);
		for (i = 0; i < k; i++) {
			/* Mostly the right family; sometimes not. */
			if (chance(&rn->r, 90))
				ai = (family == AF_INET6 ? 0 : POOL / 2) +
				    below(&rn->r, POOL / 2);
			else
				ai = below(&rn->r, POOL);
			d[n++] = pool(ai, chance(&rn->r, 85));
			if (!spurious && d[n - 1].ip.family == family &&
			    (rn->cfg.family == AF_UNSPEC ||
			    rn->cfg.family == family))
				rn->known[ai] = true;
		}
		hecat__engine_on_answer(rn->e, rn->now, family, HECAT_DNS_OK,
		    d, n);
	} else
		hecat__engine_on_answer(rn->e, rn->now, family,
		    st[below(&rn->r, 5)], NULL, 0);
	if (!spurious)
		rn->qpending[family == AF_INET6 ? 0 : 1] = false;
	drain(rn);
}

static void
report(struct run *rn, unsigned id, int err)
{
	static const int errs[] = { ECONNREFUSED, ENETUNREACH, EHOSTUNREACH,
	    ECONNRESET, EACCES, ETIMEDOUT };
	bool accepted;

	if (err == -1)
		err = errs[below(&rn->r, 6)];
	if (err == 0 && rn->connected_id == 0 && rn->att[id] == A_INFLIGHT)
		rn->connected_id = id;
	accepted = hecat__engine_on_attempt(rn->e, rn->now, id, err);
	CHECK(rn, accepted == (rn->att[id] == A_INFLIGHT && rn->ndone == 0),
	    "result for attempt %u %s", id,
	    accepted ? "accepted, not in flight" : "ignored, in flight");
	if (accepted) {
		rn->att[id] = A_REPORTED;
		rn->inflight--;
	}
	drain(rn);
}

static unsigned
random_inflight(struct run *rn)
{
	unsigned ids[MAXATT], n = 0, i;

	for (i = 1; i <= rn->nstarted; i++)
		if (rn->att[i] == A_INFLIGHT)
			ids[n++] = i;
	return n == 0 ? 0 : ids[below(&rn->r, n)];
}

static void
random_cfg(struct run *rn, int flavour)
{
	struct hecat__engine_cfg *c = &rn->cfg;
	static const int fam[] = { AF_UNSPEC, AF_UNSPEC, AF_INET, AF_INET6 };

	hecat__engine_cfg_default(c);
	c->resolution_delay = below(&rn->r, 4) == 0 ? 0 :
	    (uint64_t)below(&rn->r, 300) * MS;
	c->attempt_delay = (uint64_t)below(&rn->r, 3000) * MS;
	c->attempt_timeout = chance(&rn->r, 20) ? 0 :
	    (uint64_t)(1 + below(&rn->r, 5000)) * MS;
	c->deadline = chance(&rn->r, 50) ? 0 :
	    (uint64_t)(1 + below(&rn->r, 20000)) * MS;
	c->resolve_timeout = chance(&rn->r, 20) ? 0 :
	    (uint64_t)(1 + below(&rn->r, 2000)) * MS;
	c->resolve_retries = below(&rn->r, 4);
	c->first_family_count = 1 + below(&rn->r, 3);
	c->max_inflight = 1 + below(&rn->r, 8);
	c->max_addrs = 1 + below(&rn->r, 8);
	c->family = fam[below(&rn->r, 4)];
	c->prefer = fam[below(&rn->r, 4)];
	if (flavour == 2) {		/* tight: everything small */
		c->attempt_delay = (uint64_t)below(&rn->r, 20) * MS;
		c->max_inflight = 1 + below(&rn->r, 2);
		c->max_addrs = 1 + below(&rn->r, 2);
	}
}

static void
one_run(unsigned long seed, int flavour)
{
	struct hecat__endpoint eps[16];
	struct run *rn;
	unsigned i, steps, id, ai;
	size_t n = 0;
	int guard;

	rn = calloc(1, sizeof(*rn));
	ck_assert_ptr_nonnull(rn);
	rn->seed = seed;
	rn->r.s = seed * UINT64_C(0x9e3779b97f4a7c15) + 1;
	rn->cur_addr = -1;
	random_cfg(rn, flavour);
	rn->t0 = rn->now = (uint64_t)below(&rn->r, 1000000) * MS;
	rn->ip_mode = flavour == 1 || (flavour == 3 && chance(&rn->r, 50));

	if (rn->ip_mode) {
		n = 1 + below(&rn->r, 10);
		for (i = 0; i < n; i++) {
			ai = below(&rn->r, POOL);
			eps[i].dst = pool(ai, chance(&rn->r, 85));
			eps[i].port = (uint16_t)(80 + below(&rn->r, 3));
			if (rn->cfg.family == AF_UNSPEC ||
			    eps[i].dst.ip.family == rn->cfg.family) {
				rn->known[ai] = true;
				if (!port_allowed(rn, ai, eps[i].port))
					rn->ep_port[ai][rn->ep_nports[ai]++] =
					    eps[i].port;
			}
		}
		rn->e = hecat__engine_new_ip(&rn->cfg, eps, n);
	} else {
		rn->nports = 1 + below(&rn->r, 3);
		for (i = 0; i < rn->nports; i++)
			rn->ports[i] = (uint16_t)(80 + below(&rn->r, 3));
		rn->e = hecat__engine_new_host(&rn->cfg, rn->ports,
		    rn->nports);
	}
	ck_assert_ptr_nonnull(rn->e);
	/* The engine clamps; the checks below use what it really does. */
	if (rn->cfg.max_inflight == 0)
		rn->cfg.max_inflight = 1;
	hecat__engine_start(rn->e, rn->now);
	drain(rn);

	/* Phase 1: random events at random times. */
	for (steps = 0; steps < 120 && rn->ndone == 0; steps++) {
		advance(rn, rn->now + (uint64_t)below(&rn->r, 400) * MS +
		    below(&rn->r, 1000));
		if (rn->ndone != 0)
			break;
		switch (below(&rn->r, 10)) {
		case 0: case 1: case 2:
			if (rn->qpending[0] && chance(&rn->r, 50))
				answer(rn, AF_INET6, false);
			else if (rn->qpending[1])
				answer(rn, AF_INET, false);
			break;
		case 3: case 4: case 5: case 6:
			if ((id = random_inflight(rn)) != 0)
				report(rn, id, chance(&rn->r, 12) ? 0 : -1);
			break;
		case 7:
			/* Spurious: unknown ids, answers nobody asked for. */
			report(rn, rn->nstarted + 1 + below(&rn->r, 3),
			    chance(&rn->r, 50) ? 0 : -1);
			if (!rn->qpending[0] && chance(&rn->r, 50))
				answer(rn, AF_INET6, true);
			if (!rn->qpending[1] && chance(&rn->r, 50))
				answer(rn, AF_INET, true);
			if (rn->nstarted > 0 && chance(&rn->r, 30))
				report(rn, 1 + below(&rn->r, rn->nstarted), -1);
			break;
		case 8:
			if (chance(&rn->r, 3)) {
				hecat__engine_abort(rn->e, rn->now);
				drain(rn);
			}
			break;
		default:
			break;	/* just time passing */
		}
	}

	/* Phase 2: the network goes quiet; every result is a failure. */
	for (guard = 0; rn->ndone == 0 && guard < 100000; guard++) {
		if (rn->qpending[0] || rn->qpending[1]) {
			hecat__engine_on_answer(rn->e, rn->now,
			    rn->qpending[0] ? AF_INET6 : AF_INET,
			    HECAT_DNS_NODATA, NULL, 0);
			rn->qpending[rn->qpending[0] ? 0 : 1] = false;
			drain(rn);
		} else if ((id = random_inflight(rn)) != 0)
			report(rn, id, ECONNREFUSED);
		else if (hecat__engine_next_deadline(rn->e) != HECAT__NEVER)
			advance(rn, hecat__engine_next_deadline(rn->e));
		else
			break;
	}
	CHECK(rn, rn->ndone == 1, "the dial did not end (%u done)", rn->ndone);
	for (i = 1; i <= rn->nstarted; i++)
		CHECK(rn, rn->att[i] == A_REPORTED || rn->att[i] == A_CANCELLED,
		    "attempt %u neither reported nor cancelled", i);
	CHECK(rn, hecat__engine_next_deadline(rn->e) == HECAT__NEVER,
	    "a deadline after done");

	hecat__engine_free(rn->e);
	free(rn);
}

#define RUNS	25000

START_TEST(random_host)
{
	unsigned long s;

	for (s = 1; s <= RUNS; s++)
		one_run(s, 0);
}
END_TEST

START_TEST(random_endpoints)
{
	unsigned long s;

	for (s = 1; s <= RUNS; s++)
		one_run(100000 + s, 1);
}
END_TEST

START_TEST(random_tight_limits)
{
	unsigned long s;

	for (s = 1; s <= RUNS; s++)
		one_run(200000 + s, 2);
}
END_TEST

START_TEST(random_mixed)
{
	unsigned long s;

	for (s = 1; s <= RUNS; s++)
		one_run(300000 + s, 3);
}
END_TEST

static Suite *
random_suite(void)
{
	Suite *s = suite_create("engine-random");
	TCase *tc = tcase_create("invariants");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, random_host);
	tcase_add_test(tc, random_endpoints);
	tcase_add_test(tc, random_tight_limits);
	tcase_add_test(tc, random_mixed);
	suite_add_tcase(s, tc);
	return s;
}

const struct check_def check_def = { random_suite, NULL };
