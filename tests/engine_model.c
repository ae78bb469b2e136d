/*
 * engine_model.c - the model of the engine that check_engine_random.c and
 * fuzz/fuzz_engine.c drive: it keeps what the engine was told and did,
 * and after every entry point asserts that
 *
 *   - no attempt starts within 10 ms of the previous one while any
 *     earlier attempt is in flight (RFC 8305 5 MUST); with none in
 *     flight it may start at once (checklist as revised);
 *   - an attempt goes only to an address the engine was given, of an
 *     allowed family, on a port it was given, never twice to the same
 *     address and port, all the ports of an address before the next;
 *     attempt ids count up from 1, the first is WHY_FIRST and no other;
 *   - no more attempts in flight than the cap;
 *   - queries: only with a name, of an allowed family, within the tries
 *     configured; only a pending query is cancelled;
 *   - exactly one DONE and no action after it; a success names the
 *     attempt that connected, and its address; a failure comes only when
 *     no attempt is in flight and no query is pending, but a prefix query
 *     with no IPv4 left to wait for it (and is "connect"
 *     exactly when an attempt was made), unless it is a timeout or an
 *     abort, whose cancels say so; nothing is left in flight or pending;
 *   - every attempt started is reported or cancelled, exactly once, and
 *     a result is accepted exactly when its attempt is in flight;
 *   - the next deadline is never in the past, there is none after DONE,
 *     and the dial ends once the network stops answering;
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
 */
#include "config.h"

#include <sys/socket.h>

#include <string.h>

#include "engine_model.h"

/* RFC 8305 section 5, written out: the engine's own constant is tested. */
#define RFC_MIN_GAP	(10 * EM_MS)

void
em_init(struct em_run *rn)
{
	memset(rn, 0, sizeof(*rn));
	rn->cur_addr = -1;
}

/* Pool address i: 2001:db8::1..6, 192.0.2.1..6, 64:ff9b::192.0.2.1..6. */
struct hecat__dst
em_pool(unsigned i, bool usable)
{
	struct hecat__dst d;

	memset(&d, 0, sizeof(d));
	i %= EM_POOL;
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

/* Which pool address ip is, or -1. */
int
em_pool_index(const struct hecat__ip *ip)
{
	unsigned i;

	for (i = 0; i < EM_POOL; i++) {
		struct hecat__dst d = em_pool(i, true);

		if (hecat__ip_equal(&d.ip, ip))
			return (int)i;
	}
	return -1;
}

/* Pool address i as a store would hand it over: with its history. */
struct hecat__dst
em_pool_dst(const struct em_run *rn, unsigned i, bool usable)
{
	struct hecat__dst d = em_pool(i, usable);

	i %= EM_POOL;
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
expected_delay(const struct em_run *rn, int ai)
{
	uint64_t lo = rn->cfg.attempt_delay_min, hi = rn->cfg.attempt_delay_max;
	uint64_t d = rn->cfg.attempt_delay;

	if (hi > 2000 * EM_MS)
		hi = 2000 * EM_MS;
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
	return d < RFC_MIN_GAP ? RFC_MIN_GAP : d > 2000 * EM_MS ?
	    2000 * EM_MS : d;
}

/* Whether address ai was given port (in ip mode: with that port). */
static bool
port_allowed(const struct em_run *rn, unsigned ai, uint16_t port)
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
nports_of(const struct em_run *rn, unsigned ai)
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
 * An endpoint handed to the engine: its address is known and its port
 * allowed, unless the configuration bans its family.
 */
void
em_endpoint(struct em_run *rn, const struct hecat__endpoint *ep)
{
	int ai = em_pool_index(&ep->dst.ip);

	EM_CHECK(rn, ai >= 0);
	if (rn->cfg.family != AF_UNSPEC && ep->dst.ip.family != rn->cfg.family)
		return;
	rn->known[ai] = true;
	if (!port_allowed(rn, (unsigned)ai, ep->port) &&
	    rn->ep_nports[ai] < EM_MAXEPS)
		rn->ep_port[ai][rn->ep_nports[ai]++] = ep->port;
}

/*
 * Whether the engine holds ip as the DNS64 form of an IPv4 address it
 * also holds: a duplicate, never attempted.
 */
static bool
dns64_duplicate(const struct em_run *rn, const struct hecat__ip *ip)
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

/*
 * A recently failed address ai is begun: every other address the engine
 * holds must be done, unless it failed too or may not be tried now.
 */
static void
check_failed_last(const struct em_run *rn, int ai)
{
	struct hecat__addr_info info;
	size_t i;
	int pi;

	for (i = 0; i < hecat__engine_naddrs(rn->e); i++) {
		hecat__engine_addr(rn->e, i, &info);
		pi = em_pool_index(&info.dst.ip);
		EM_CHECK(rn, pi >= 0);
		if (pi == ai || rn->failed[pi] ||
		    (info.dst.ip.family == AF_INET && rn->qpref) ||
		    dns64_duplicate(rn, &info.dst.ip))
			continue;
		EM_CHECK(rn, rn->ntried_port[pi] >= nports_of(rn,
		    (unsigned)pi));
	}
}

/* An ATTEMPT action: where, when, why, and what it sets. */
static void
on_attempt(struct em_run *rn, const struct hecat__action *a)
{
	struct hecat__addr_info info;
	/* Through NAT64 the address is orig; ip its synthesis. */
	const struct hecat__ip *dst = a->orig.family != 0 ? &a->orig : &a->ip;
	int ai = em_pool_index(dst);
	size_t i;

	EM_CHECK(rn, a->id == rn->nstarted + 1);
	EM_CHECK(rn, a->id <= EM_MAXATT);
	EM_CHECK(rn, rn->nstarted == 0 || rn->inflight == 0 ||
	    rn->now >= rn->last_start + RFC_MIN_GAP);
	EM_CHECK(rn, a->why != HECAT__WHY_DELAY ||
	    rn->now >= rn->last_start + rn->last_delay);
	EM_CHECK(rn, ai >= 0 && rn->known[ai]);
	EM_CHECK(rn, rn->cfg.family == AF_UNSPEC ||
	    dst->family == rn->cfg.family);
	/* No IPv4 while the prefix is looked for (it would fail). */
	EM_CHECK(rn, dst->family != AF_INET || !rn->qpref);
	if (a->orig.family != 0) {
		struct hecat__ip want;

		EM_CHECK(rn, rn->nat64 == HECAT__NAT64_KNOWN);
		EM_CHECK(rn, a->orig.family == AF_INET);
		EM_CHECK(rn, hecat__nat64_synthesizable(&rn->prefix,
		    &a->orig));
		hecat__nat64_synthesize(&rn->prefix, &a->orig, &want);
		EM_CHECK(rn, hecat__ip_equal(&want, &a->ip));
	} else
		EM_CHECK(rn, a->ip.family != AF_INET ||
		    rn->nat64 != HECAT__NAT64_KNOWN ||
		    !hecat__nat64_synthesizable(&rn->prefix, &a->ip));
	EM_CHECK(rn, port_allowed(rn, (unsigned)ai, a->port));
	for (i = 0; i < rn->ntried_port[ai]; i++)
		EM_CHECK(rn, rn->tried_port[ai][i] != a->port);
	EM_CHECK(rn, rn->cur_addr == -1 || rn->cur_addr == ai);
	EM_CHECK(rn, a->why >= HECAT__WHY_FIRST &&
	    a->why <= HECAT__WHY_ANSWER);
	EM_CHECK(rn, (a->id == 1) == (a->why == HECAT__WHY_FIRST));

	/* The engine's index of the address names the same address. */
	EM_CHECK(rn, a->addr < hecat__engine_naddrs(rn->e));
	hecat__engine_addr(rn->e, a->addr, &info);
	EM_CHECK(rn, hecat__ip_equal(&info.dst.ip, dst));

	/* History: the delay it sets, and failed addresses last. */
	EM_CHECK(rn, a->wait == expected_delay(rn, ai));
	EM_CHECK(rn, a->learned == (rn->rto[ai] != 0));
	if (rn->failed[ai] && rn->ntried_port[ai] == 0)
		check_failed_last(rn, ai);

	rn->tried_port[ai][rn->ntried_port[ai]++] = a->port;
	rn->cur_addr = rn->ntried_port[ai] < nports_of(rn, (unsigned)ai) ?
	    ai : -1;
	rn->nstarted = a->id;
	rn->att[a->id] = EM_INFLIGHT;
	rn->att_addr[a->id] = (unsigned)ai;
	rn->addr_attempts[ai]++;
	rn->inflight++;
	rn->last_start = rn->now;
	rn->last_delay = a->wait;
	EM_CHECK(rn, rn->inflight <= rn->cfg.max_inflight);
}

/*
 * A dial ends early only by a success, its deadline or an abort, and the
 * attempts it cancels say which.  Any other failure comes when nothing was
 * left: no attempt to cancel, no query still pending, but a prefix query
 * that held nothing back (IPv4 waits for it: none may be left untried).
 */
static void
check_end(const struct em_run *rn, int status)
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
		EM_CHECK(rn, status == HECAT_E_CONNECT ||
		    status == HECAT_E_NOADDR || status == HECAT_E_NOHOST ||
		    status == HECAT_E_DNS);
		EM_CHECK(rn, rn->end_cancel == -1);
		EM_CHECK(rn, hecat__engine_query(rn->e, AF_INET6, NULL) !=
		    HECAT__Q_CANCELLED);
		EM_CHECK(rn, hecat__engine_query(rn->e, AF_INET, NULL) !=
		    HECAT__Q_CANCELLED);
		if (hecat__engine_query(rn->e, HECAT__PREF64, NULL) ==
		    HECAT__Q_CANCELLED)
			for (i = 0; i < hecat__engine_naddrs(rn->e); i++) {
				hecat__engine_addr(rn->e, i, &info);
				EM_CHECK(rn, info.dst.ip.family != AF_INET ||
				    info.attempts > 0);
			}
		EM_CHECK(rn, status != HECAT_E_CONNECT || rn->nstarted > 0);
		EM_CHECK(rn, status == HECAT_E_CONNECT || rn->nstarted == 0);
		return;
	}
	EM_CHECK(rn, rn->end_cancel == -1 || rn->end_cancel == want);
}

/* What hecat__engine_order() and _addr() say agrees with the run. */
static void
check_report(const struct em_run *rn)
{
	struct hecat__addr_info info, other;
	size_t order[EM_POOL], n, i, j;
	bool seen[EM_POOL];
	int ai;

	n = hecat__engine_naddrs(rn->e);
	EM_CHECK(rn, n <= EM_POOL);
	EM_CHECK(rn, hecat__engine_order(rn->e, order, n) == n);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < n; i++) {
		EM_CHECK(rn, order[i] < n && !seen[order[i]]);
		seen[order[i]] = true;
		hecat__engine_addr(rn->e, i, &info);
		ai = em_pool_index(&info.dst.ip);
		EM_CHECK(rn, ai >= 0 && rn->known[ai]);
		for (j = 0; j < i; j++) {
			hecat__engine_addr(rn->e, j, &other);
			EM_CHECK(rn, !hecat__ip_equal(&other.dst.ip,
			    &info.dst.ip));
		}
		EM_CHECK(rn, info.attempts == rn->addr_attempts[ai]);
		EM_CHECK(rn, info.failures <= info.attempts);
	}
}

/* A QUERY or QUERY_CANCEL action. */
static void
on_query(struct em_run *rn, const struct hecat__action *a)
{
	bool *pending;

	if (a->family == HECAT__PREF64) {
		if (a->kind == HECAT__ACT_QUERY) {
			EM_CHECK(rn, rn->nat64 == HECAT__NAT64_DISCOVER &&
			    !rn->qpref);
			EM_CHECK(rn, rn->cfg.family != AF_INET6);
		} else
			EM_CHECK(rn, rn->qpref);
		rn->qpref = a->kind == HECAT__ACT_QUERY;
		return;
	}
	EM_CHECK(rn, a->family == AF_INET6 || a->family == AF_INET);
	pending = &rn->qpending[a->family == AF_INET6 ? 0 : 1];
	if (a->kind == HECAT__ACT_QUERY_CANCEL) {
		EM_CHECK(rn, *pending);
		*pending = false;
		return;
	}
	EM_CHECK(rn, !rn->ip_mode);
	EM_CHECK(rn, rn->cfg.family == AF_UNSPEC ||
	    a->family == rn->cfg.family);
	EM_CHECK(rn, a->tries >= 1 && a->tries <= rn->cfg.resolve_retries + 1);
	*pending = true;
}

/* A NAT64 or DESYNTH note. */
static void
on_nat64(struct em_run *rn, const struct hecat__action *a)
{
	struct hecat__ip v4;
	int ai, vi;

	if (a->kind == HECAT__ACT_NAT64) {
		/* Once, when the prefix query ended. */
		EM_CHECK(rn, rn->nat64 == HECAT__NAT64_DISCOVER && !rn->qpref);
		if (a->plen == 0)
			rn->nat64 = HECAT__NAT64_OFF;
		else {
			EM_CHECK(rn, hecat__nat64_len_ok(a->plen));
			rn->nat64 = HECAT__NAT64_KNOWN;
			rn->prefix.ip = a->ip;
			rn->prefix.len = a->plen;
		}
		return;
	}
	ai = em_pool_index(&a->orig);
	vi = em_pool_index(&a->ip);
	EM_CHECK(rn, rn->nat64 == HECAT__NAT64_KNOWN);
	EM_CHECK(rn, hecat__nat64_extract(&rn->prefix, &a->ip, &v4) &&
	    hecat__ip_equal(&v4, &a->orig));
	EM_CHECK(rn, ai >= 0 && vi >= 0 && rn->known[vi]);
	rn->known[ai] = true;
	/* A literal de-synthesized keeps its ports. */
	if (rn->ip_mode && rn->ep_nports[ai] == 0) {
		memcpy(rn->ep_port[ai], rn->ep_port[vi],
		    sizeof(rn->ep_port[ai]));
		rn->ep_nports[ai] = rn->ep_nports[vi];
	}
}

/* The DONE action: the one end of the dial. */
static void
on_done(struct em_run *rn, const struct hecat__action *a)
{
	unsigned i;

	rn->ndone++;
	if (a->status == HECAT_OK) {
		EM_CHECK(rn, a->id == rn->connected_id);
		/* Through NAT64, the address is orig. */
		EM_CHECK(rn, rn->att_addr[a->id] ==
		    (unsigned)em_pool_index(a->orig.family != 0 ?
		    &a->orig : &a->ip));
	} else
		EM_CHECK(rn, rn->connected_id == 0);
	check_end(rn, a->status);
	/* Nothing may be left in flight or pending after DONE. */
	for (i = 1; i <= rn->nstarted; i++)
		EM_CHECK(rn, rn->att[i] != EM_INFLIGHT ||
		    i == rn->connected_id);
	EM_CHECK(rn, !rn->qpending[0] && !rn->qpending[1] && !rn->qpref);
}

/*
 * Take every action queued, checking each; then what must hold between
 * entry points: a cancel that ends the dial came with its DONE, the next
 * deadline, and the address report.
 */
void
em_drain(struct em_run *rn)
{
	struct hecat__action a;
	uint64_t d;

	rn->end_cancel = -1;
	while (hecat__engine_next_action(rn->e, &a)) {
		EM_CHECK(rn, rn->ndone == 0);
		switch (a.kind) {
		case HECAT__ACT_QUERY:
		case HECAT__ACT_QUERY_CANCEL:
			on_query(rn, &a);
			break;
		case HECAT__ACT_RD_WAIT:
			EM_CHECK(rn, !rn->ip_mode);
			break;
		case HECAT__ACT_ORDER:
			break;
		case HECAT__ACT_NAT64:
		case HECAT__ACT_DESYNTH:
			on_nat64(rn, &a);
			break;
		case HECAT__ACT_ATTEMPT:
			on_attempt(rn, &a);
			break;
		case HECAT__ACT_CANCEL:
			EM_CHECK(rn, a.id > 0 && a.id <= rn->nstarted);
			EM_CHECK(rn, rn->att[a.id] == EM_INFLIGHT);
			rn->att[a.id] = EM_CANCELLED;
			rn->inflight--;
			/* Only a per-attempt timeout cancels mid-dial. */
			if (a.why != HECAT__CANCEL_TIMEOUT)
				rn->end_cancel = a.why;
			break;
		case HECAT__ACT_DONE:
			on_done(rn, &a);
			break;
		default:
			EM_CHECK(rn, !"an unknown action");
		}
	}
	EM_CHECK(rn, rn->end_cancel == -1 || rn->ndone == 1);
	d = hecat__engine_next_deadline(rn->e);
	EM_CHECK(rn, d == HECAT__NEVER || d > rn->now);
	EM_CHECK(rn, hecat__engine_done(rn->e) == (rn->ndone == 1));
	EM_CHECK(rn, !hecat__engine_done(rn->e) || d == HECAT__NEVER);
	check_report(rn);
}

/*
 * Start the engine the driver made from rn->cfg; the model takes the
 * engine's clamps and the NAT64 mode from the same configuration.
 */
void
em_start(struct em_run *rn)
{
	EM_CHECK(rn, rn->e != NULL);
	/* The engine clamps this; the checks use what it does. */
	if (rn->cfg.max_inflight == 0)
		rn->cfg.max_inflight = 1;
	rn->nat64 = rn->cfg.family == AF_INET6 ? HECAT__NAT64_OFF :
	    rn->cfg.nat64;
	rn->prefix = rn->cfg.prefix64;
	rn->t0 = rn->now;
	EM_CHECK(rn, hecat__engine_next_deadline(rn->e) == HECAT__NEVER);
	hecat__engine_start(rn->e, rn->now);
	em_drain(rn);
}

/* Fire the timers due by t, each at its time. */
void
em_advance(struct em_run *rn, uint64_t t)
{
	uint64_t d;
	int guard = 0;

	while ((d = hecat__engine_next_deadline(rn->e)) <= t) {
		EM_CHECK(rn, ++guard < 10000);
		rn->now = d;
		hecat__engine_on_timeout(rn->e, d);
		em_drain(rn);
	}
	rn->now = t;
}

/* Time jumps to t, and the timers due fire late, all at once. */
void
em_advance_late(struct em_run *rn, uint64_t t)
{
	rn->now = t;
	if (hecat__engine_next_deadline(rn->e) <= t) {
		hecat__engine_on_timeout(rn->e, t);
		em_drain(rn);
	}
}

/*
 * An answer: the addresses of the family asked become known (those of a
 * query not pending were not asked for); a query sent again shows as a
 * QUERY in em_drain().
 */
void
em_answer(struct em_run *rn, int family, enum hecat_dns_status status,
    const struct hecat__dst *d, size_t n)
{
	bool *pending = family == HECAT__PREF64 ? &rn->qpref :
	    &rn->qpending[family == AF_INET6 ? 0 : 1];
	bool asked = *pending;
	size_t i;
	int ai;

	for (i = 0; status == HECAT_DNS_OK && asked && i < n; i++) {
		ai = em_pool_index(&d[i].ip);
		if (ai >= 0 && d[i].ip.family == family &&
		    (rn->cfg.family == AF_UNSPEC || rn->cfg.family == family))
			rn->known[ai] = true;
	}
	hecat__engine_on_answer(rn->e, rn->now, family, status, d, n);
	if (asked)
		*pending = false;
	em_drain(rn);
}

/*
 * The result of attempt id, any number: the engine takes it exactly when
 * the attempt is in flight and the dial not over.
 */
void
em_report(struct em_run *rn, unsigned id, int err)
{
	bool inflight, accepted;

	inflight = id >= 1 && id <= rn->nstarted && id <= EM_MAXATT &&
	    rn->att[id] == EM_INFLIGHT;
	if (err == 0 && inflight && rn->connected_id == 0 && rn->ndone == 0)
		rn->connected_id = id;
	accepted = hecat__engine_on_attempt(rn->e, rn->now, id, err);
	EM_CHECK(rn, accepted == (inflight && rn->ndone == 0));
	if (accepted) {
		rn->att[id] = EM_REPORTED;
		rn->inflight--;
	}
	em_drain(rn);
}

/* In-flight attempt number i, modulo their count, or 0 if none. */
unsigned
em_inflight_id(const struct em_run *rn, unsigned i)
{
	unsigned ids[EM_MAXATT], n = 0, id;

	for (id = 1; id <= rn->nstarted; id++)
		if (rn->att[id] == EM_INFLIGHT)
			ids[n++] = id;
	EM_CHECK(rn, n == rn->inflight);
	return n == 0 ? 0 : ids[i % n];
}

/*
 * The network goes quiet until the dial ends, which it must: then every
 * attempt was reported or cancelled, and no timer is left.
 */
void
em_finish(struct em_run *rn, int err)
{
	unsigned id;
	int guard;

	for (guard = 0; rn->ndone == 0; guard++) {
		EM_CHECK(rn, guard < 100000);
		if (rn->qpref)
			em_answer(rn, HECAT__PREF64, HECAT_DNS_NODATA, NULL, 0);
		else if (rn->qpending[0] || rn->qpending[1])
			em_answer(rn, rn->qpending[0] ? AF_INET6 : AF_INET,
			    HECAT_DNS_NODATA, NULL, 0);
		else if ((id = em_inflight_id(rn, 0)) != 0)
			em_report(rn, id, err);
		else if (hecat__engine_next_deadline(rn->e) != HECAT__NEVER)
			em_advance(rn, hecat__engine_next_deadline(rn->e));
		else
			break;
	}
	EM_CHECK(rn, rn->ndone == 1);
	for (id = 1; id <= rn->nstarted; id++)
		EM_CHECK(rn, rn->att[id] == EM_REPORTED ||
		    rn->att[id] == EM_CANCELLED);
	EM_CHECK(rn, hecat__engine_next_deadline(rn->e) == HECAT__NEVER);
	hecat__engine_free(rn->e);
	rn->e = NULL;
}
