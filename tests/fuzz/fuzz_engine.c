/*
 * fuzz_engine.c - the Happy Eyeballs engine (lib/engine.c) driven by event
 * sequences decoded from the input, through the model of
 * tests/engine_model.c, which asserts the engine's invariants after every
 * entry point (the list is at its top): RFC 8305's timing and order, one
 * DONE, every attempt accounted for, NAT64 and connection history.
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
#include <stdlib.h>
#include <string.h>

#include "engine_model.h"
#include "fuzz.h"

#define MS		EM_MS

/* ---- the input ----------------------------------------------------------- */

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

/* A broken invariant of the model: a crash, for libFuzzer. */
void
em_fail(const struct em_run *rn, const char *file, int line,
    const char *what)
{
	(void)rn;
	fuzz_fail(file, line, what);
}

/* ---- events -------------------------------------------------------------- */

/* An answer: its status, then its addresses (a byte each). */
static void
answer(struct em_run *rn, struct in *in, int family)
{
	static const enum hecat_dns_status errs[] = {
		HECAT_DNS_NODATA, HECAT_DNS_NXDOMAIN, HECAT_DNS_SERVFAIL,
		HECAT_DNS_TIMEOUT, HECAT_DNS_ERROR
	};
	struct hecat__dst d[8];
	unsigned st = u8(in), b;
	size_t n = 0, k, i;

	if (st % 8 < 3) {
		k = u8(in) % 9;
		for (i = 0; i < k; i++) {
			b = u8(in);
			d[n++] = em_pool_dst(rn, b % EM_POOL, (b & 0x80) == 0);
		}
		em_answer(rn, family, HECAT_DNS_OK, d, n);
	} else
		em_answer(rn, family, errs[st % 8 - 3], NULL, 0);
}

/*
 * The answer to the prefix query (RFC 7050): addresses that embed
 * 192.0.0.170/171 with the Well-Known Prefix or a /96 or /48 of the
 * documentation range, one that embeds nothing, or an error.
 */
static void
answer_prefix(struct em_run *rn, struct in *in)
{
	static const char *const cand[] = {
		"64:ff9b::c000:aa", "64:ff9b::c000:ab",
		"2001:db8:122:344::c000:aa", "2001:db8:122:c000:0:aa00::",
		"2001:db8::1", "192.0.0.170"
	};
	struct hecat__dst d[4];
	unsigned st = u8(in);
	size_t n = 0, k, i;

	if (st % 4 < 2) {
		k = u8(in) % 5;
		for (i = 0; i < k; i++) {
			memset(&d[n], 0, sizeof(d[n]));
			if (hecat__ip_parse(&d[n].ip,
			    cand[u8(in) % 6]) == 0)
				n++;
		}
		em_answer(rn, HECAT__PREF64, HECAT_DNS_OK, d, n);
	} else
		em_answer(rn, HECAT__PREF64,
		    st % 4 == 2 ? HECAT_DNS_SERVFAIL : HECAT_DNS_NXDOMAIN,
		    NULL, 0);
}

/* A result for attempt id: e % 8 == 0 connected, else an error. */
static void
report(struct em_run *rn, unsigned id, unsigned e)
{
	static const int errs[] = { ECONNREFUSED, ENETUNREACH, EHOSTUNREACH,
	    ECONNRESET, EACCES, ETIMEDOUT, EADDRNOTAVAIL };

	em_report(rn, id, e % 8 == 0 ? 0 : errs[e % 7]);
}

/* One event; returns false when the input is used up. */
static bool
step(struct em_run *rn, struct in *in)
{
	unsigned op, id;
	uint64_t d;

	if (in->n == 0)
		return false;
	op = u8(in);
	switch (op % 10) {
	case 0:			/* a little time, 0 to 127.5 ms */
		em_advance(rn, rn->now + (uint64_t)u8(in) * MS / 2 + op);
		break;
	case 1:			/* up to a minute */
		em_advance(rn, rn->now + (uint64_t)u16(in) * MS);
		break;
	case 2:			/* to the next deadline, or just before it */
		if ((d = hecat__engine_next_deadline(rn->e)) != HECAT__NEVER)
			em_advance(rn, op & 0x80 ? d - 1 : d);
		break;
	case 3:			/* a late timer */
		em_advance_late(rn, rn->now + (uint64_t)u16(in) * MS);
		break;
	case 4:
		answer(rn, in, AF_INET6);
		break;
	case 5:
		answer(rn, in, AF_INET);
		break;
	case 6:			/* an attempt in flight finishes */
		if ((id = em_inflight_id(rn, u8(in))) != 0)
			report(rn, id, u8(in));
		break;
	case 7:			/* any id: unknown, finished, cancelled */
		id = u8(in) % (EM_MAXATT + 2);
		report(rn, id, u8(in));
		break;
	case 8:
		if (op & 0x80) {
			hecat__engine_abort(rn->e, rn->now);
			em_drain(rn);
		} else if (op & 0x40)
			answer_prefix(rn, in);
		break;
	default:		/* the caller drains with nothing new */
		em_drain(rn);
		break;
	}
	return true;
}

/* ---- a run --------------------------------------------------------------- */

#define CFG_BYTES	15
#define HIST_BYTES	4

/* The configuration: CFG_BYTES bytes. */
static void
config(struct em_run *rn, struct in *in)
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
 * modulo EM_POOL), an RTT (bits 5-6: none, 2, 40 or 700 ms; the RTO three
 * times that) and failed recently (bit 7).  A DNS64 address and the
 * IPv4 one it stands for share a record, as libhecat keeps NAT64
 * outcomes under both.  Zeros are no history.
 */
static void
history(struct em_run *rn, struct in *in)
{
	static const uint64_t rtts[] = { 0, 2 * MS, 40 * MS, 700 * MS };
	unsigned b = u8(in), i, ai, k;

	if (b != 0) {
		rn->cfg.attempt_delay_min = (uint64_t)(b & 15) * 25 * MS;
		rn->cfg.attempt_delay_max = (uint64_t)((b >> 4) + 1) * 150 * MS;
	}
	for (i = 1; i < HIST_BYTES; i++) {
		b = u8(in);
		ai = (b & 0x1f) % EM_POOL;
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

/* The engine, for the host's ports or for endpoints. */
static struct hecat__engine *
create(struct em_run *rn, struct in *in)
{
	struct hecat__endpoint eps[EM_MAXEPS];
	size_t n, i;
	unsigned b;

	if (!rn->ip_mode) {
		rn->nports = 1 + u8(in) % EM_MAXPORTS;
		for (i = 0; i < rn->nports; i++) {
			b = u8(in);
			rn->ports[i] = b == 255 ? 0 : (uint16_t)(80 + b % 4);
		}
		return hecat__engine_new_host(&rn->cfg, rn->ports, rn->nports);
	}
	n = 1 + u8(in) % EM_MAXEPS;
	for (i = 0; i < n; i++) {
		b = u8(in);
		eps[i].dst = em_pool_dst(rn, b % EM_POOL, (b & 0x80) == 0);
		eps[i].port = (uint16_t)(80 + u8(in) % 4);
		em_endpoint(rn, &eps[i]);
	}
	return hecat__engine_new_ip(&rn->cfg, eps, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	struct em_run *rn;

	if ((rn = malloc(sizeof(*rn))) == NULL)
		return 0;
	em_init(rn);
	config(rn, &in);
	history(rn, &in);
	errno = 0;
	rn->e = create(rn, &in);
	if (rn->cfg.family == 99) {
		FUZZ_ASSERT(rn->e == NULL && errno == EINVAL);
		free(rn);
		return 0;
	}
	em_start(rn);

	/* Phase 1: the events of the input, even after the end. */
	while (step(rn, &in))
		continue;

	/* Phase 2: the network goes quiet; every result is a failure. */
	em_finish(rn, ENETUNREACH);
	free(rn);
	return 0;
}
