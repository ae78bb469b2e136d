/*
 * check_engine_random.c - thousands of random event sequences through the
 * engine, each checked by the model of tests/engine_model.c on every
 * action (the invariants are listed at its top): no two attempts within
 * 10 ms, only addresses and ports it was given and each once, the cap on
 * attempts in flight, exactly one DONE that says the truth, every attempt
 * reported or cancelled, no deadline in the past, and the dial always
 * ending once the network stops answering (given a timeout to end it).
 *
 * Runs are reproducible: a failure names its seed.
 */
#include "config.h"

#include <sys/socket.h>

#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "check_main.h"
#include "engine_model.h"

#define MS		EM_MS
/* This suite's pool: the first EM_PLAIN addresses, half of each family. */
#define POOL		EM_PLAIN

struct rng {
	uint64_t	s;
};

/* A random run: the model, and the generator that drives it. */
struct rrun {
	struct em_run	m;
	struct rng	r;
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

/* A broken invariant fails the test, naming the seed and the time. */
void
em_fail(const struct em_run *rn, const char *file, int line,
    const char *what)
{
	ck_abort_msg("seed %lu at %.3fms: %s:%d: %s", rn->seed,
	    (double)(rn->now - rn->t0) / 1e6, file, line, what);
	abort();	/* not reached */
}

/*
 * An answer for family, asked for or not (spurious): addresses, mostly
 * of that family, or an error.
 */
static void
answer(struct rrun *rr, int family)
{
	static const enum hecat_dns_status st[] = {
		HECAT_DNS_NODATA, HECAT_DNS_NXDOMAIN, HECAT_DNS_SERVFAIL,
		HECAT_DNS_TIMEOUT, HECAT_DNS_ERROR
	};
	struct rng *r = &rr->r;
	struct hecat__dst d[8];
	size_t n = 0, k, i;
	unsigned ai;

	if (chance(r, 60)) {
		k = 1 + below(r, 6);
		for (i = 0; i < k; i++) {
			/* Mostly the right family; sometimes not. */
			if (chance(r, 90))
				ai = (family == AF_INET6 ? 0 : POOL / 2) +
				    below(r, POOL / 2);
			else
				ai = below(r, POOL);
			d[n++] = em_pool(ai, chance(r, 85));
		}
		em_answer(&rr->m, family, HECAT_DNS_OK, d, n);
	} else
		em_answer(&rr->m, family, st[below(r, 5)], NULL, 0);
}

/* A result for attempt id: err, or a random error if err is -1. */
static void
report(struct rrun *rr, unsigned id, int err)
{
	static const int errs[] = { ECONNREFUSED, ENETUNREACH, EHOSTUNREACH,
	    ECONNRESET, EACCES, ETIMEDOUT };

	if (err == -1)
		err = errs[below(&rr->r, 6)];
	em_report(&rr->m, id, err);
}

static unsigned
random_inflight(struct rrun *rr)
{
	unsigned n = rr->m.inflight;

	return n == 0 ? 0 : em_inflight_id(&rr->m, below(&rr->r, n));
}

static void
random_cfg(struct rrun *rr, int flavour)
{
	struct hecat__engine_cfg *c = &rr->m.cfg;
	struct rng *r = &rr->r;
	static const int fam[] = { AF_UNSPEC, AF_UNSPEC, AF_INET, AF_INET6 };

	hecat__engine_cfg_default(c);
	c->resolution_delay = below(r, 4) == 0 ? 0 :
	    (uint64_t)below(r, 300) * MS;
	c->attempt_delay = (uint64_t)below(r, 3000) * MS;
	c->attempt_timeout = chance(r, 20) ? 0 :
	    (uint64_t)(1 + below(r, 5000)) * MS;
	c->deadline = chance(r, 50) ? 0 :
	    (uint64_t)(1 + below(r, 20000)) * MS;
	c->resolve_timeout = chance(r, 20) ? 0 :
	    (uint64_t)(1 + below(r, 2000)) * MS;
	c->resolve_retries = below(r, 4);
	c->first_family_count = 1 + below(r, 3);
	c->max_inflight = 1 + below(r, 8);
	c->max_addrs = 1 + below(r, 8);
	c->family = fam[below(r, 4)];
	c->prefer = fam[below(r, 4)];
	if (flavour == 2) {		/* tight: everything small */
		c->attempt_delay = (uint64_t)below(r, 20) * MS;
		c->max_inflight = 1 + below(r, 2);
		c->max_addrs = 1 + below(r, 2);
	}
}

/*
 * One run: a random configuration (flavour 0 a host, 1 endpoints, 2 tight
 * limits, 3 either), random events at random times, then a quiet network
 * until the dial ends.
 */
static void
one_run(unsigned long seed, int flavour)
{
	struct hecat__endpoint eps[16];
	struct rrun *rr;
	struct em_run *rn;
	struct rng *r;
	unsigned i, steps, id, ai;
	size_t n = 0;

	rr = malloc(sizeof(*rr));
	ck_assert_ptr_nonnull(rr);
	rn = &rr->m;
	r = &rr->r;
	em_init(rn);
	rn->seed = seed;
	r->s = seed * UINT64_C(0x9e3779b97f4a7c15) + 1;
	random_cfg(rr, flavour);
	rn->now = (uint64_t)below(r, 1000000) * MS;
	rn->ip_mode = flavour == 1 || (flavour == 3 && chance(r, 50));

	if (rn->ip_mode) {
		n = 1 + below(r, 10);
		for (i = 0; i < n; i++) {
			ai = below(r, POOL);
			eps[i].dst = em_pool(ai, chance(r, 85));
			eps[i].port = (uint16_t)(80 + below(r, 3));
			em_endpoint(rn, &eps[i]);
		}
		rn->e = hecat__engine_new_ip(&rn->cfg, eps, n);
	} else {
		rn->nports = 1 + below(r, 3);
		for (i = 0; i < rn->nports; i++)
			rn->ports[i] = (uint16_t)(80 + below(r, 3));
		rn->e = hecat__engine_new_host(&rn->cfg, rn->ports,
		    rn->nports);
	}
	ck_assert_ptr_nonnull(rn->e);
	em_start(rn);

	/* Phase 1: random events at random times. */
	for (steps = 0; steps < 120 && rn->ndone == 0; steps++) {
		em_advance(rn, rn->now + (uint64_t)below(r, 400) * MS +
		    below(r, 1000));
		if (rn->ndone != 0)
			break;
		switch (below(r, 10)) {
		case 0: case 1: case 2:
			if (rn->qpending[0] && chance(r, 50))
				answer(rr, AF_INET6);
			else if (rn->qpending[1])
				answer(rr, AF_INET);
			break;
		case 3: case 4: case 5: case 6:
			if ((id = random_inflight(rr)) != 0)
				report(rr, id, chance(r, 12) ? 0 : -1);
			break;
		case 7:
			/* Spurious: unknown ids, answers nobody asked for. */
			report(rr, rn->nstarted + 1 + below(r, 3),
			    chance(r, 50) ? 0 : -1);
			if (!rn->qpending[0] && chance(r, 50))
				answer(rr, AF_INET6);
			if (!rn->qpending[1] && chance(r, 50))
				answer(rr, AF_INET);
			if (rn->nstarted > 0 && chance(r, 30))
				report(rr, 1 + below(r, rn->nstarted), -1);
			break;
		case 8:
			if (chance(r, 3)) {
				hecat__engine_abort(rn->e, rn->now);
				em_drain(rn);
			}
			break;
		default:
			break;	/* just time passing */
		}
	}

	/* Phase 2: the network goes quiet; every result is a failure. */
	em_finish(rn, ECONNREFUSED);
	free(rr);
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
