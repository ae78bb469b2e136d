/*
 * engine.c - the RFC 8305 Happy Eyeballs state machine (see engine.h).
 *
 * A dial goes through these states:
 *
 *   RESOLVING   queries sent, no usable address yet
 *   WAIT_RD     addresses of the other family only: wait the Resolution
 *               Delay for the preferred family (RFC 8305 section 3)
 *   CONNECTING  attempts are started from the planned order, one at a
 *               time (section 5); late answers are merged into it
 *   DONE        a winner, or a failure; nothing happens any more
 *
 * The planned order (e->order) holds the addresses that still have ports
 * to try.  It is recomputed whenever addresses arrive: every address known
 * is sorted by RFC 6724 and interleaved by family (section 4), and the
 * untried ones are taken in that order (HEv3: a late family goes next).
 *
 * When the next attempt may start (next_start):
 *   - with no attempt in flight (none yet, or every earlier one failed),
 *     at once: there is nothing for a new attempt to burst against
 *     (checklist and T2, as revised);
 *   - while attempts are in flight, never within HECAT__MIN_ATTEMPT_GAP
 *     (10 ms) of the previous start, and not before the newest of them
 *     has run for the Connection Attempt Delay.  A failed attempt is no
 *     longer in flight, so a failure starts the next attempt at once
 *     (keeping the 10 ms floor while another still runs), and a new
 *     attempt never stops an earlier one (T1).
 *
 * The dial fails only when no address is left to try, no attempt is in
 * flight and no query is pending (T3), or when its deadline passes.
 *
 * NAT64 (cfg.nat64): on an IPv6-only network an IPv4 address is kept as
 * IPv4 for sorting (HEv3) and connected to through its synthesized IPv6
 * address; DNS64 answers inside the prefix are de-synthesized.  While the
 * prefix query (RFC 7050) is pending, IPv4 addresses stay out of the
 * order; it is a query like the others for timeouts and retries, but for
 * T3 it counts only while an IPv4 address waits for it or the A query is
 * pending (prefix_awaited()).  Otherwise it delays nothing: a dial with
 * nothing else left ends, cancelling it.
 */
#include "config.h"

#include <sys/socket.h>

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

enum state {
	ST_IDLE,
	ST_RESOLVING,
	ST_WAIT_RD,
	ST_CONNECTING,
	ST_DONE
};

/* What the engine keeps per address, beside its hecat__sortent. */
struct eaddr {
	size_t		port_off;	/* its ports: e->ports[off, off+cnt) */
	size_t		port_cnt;
	size_t		port_next;	/* ports started so far */
	unsigned	attempts;
	unsigned	failures;
	int		error;
	uint16_t	error_port;
	uint64_t	rto;		/* history: see hecat__dst */
	bool		failed;
};

struct attempt {
	unsigned	id;		/* 0: free slot */
	size_t		addr;
	uint16_t	port;
	uint64_t	started;
	uint64_t	delay;		/* before the next attempt */
};

struct query {
	enum hecat__query_state	state;
	enum hecat_dns_status	status;
	unsigned		tries;
	uint64_t		sent;
};

struct hecat__engine {
	struct hecat__engine_cfg cfg;
	enum state		 state;
	bool			 host;		/* resolves a name */
	int			 pref;		/* family the RD waits for */
	int			 why;		/* enum hecat__start_why */

	uint64_t		 t_start;
	uint64_t		 rd_until;
	uint64_t		 last_start;
	unsigned		 started;	/* attempts so far = last id */
	unsigned		 inflight;

	struct query		 q[3];		/* [0] AAAA, [1] A, [2] PREF64 */

	size_t			 naddrs, cap;
	struct hecat__sortent	*ents;		/* [cap]: dst, src, seq */
	struct eaddr		*addrs;		/* [cap] */
	size_t			*plan;		/* [cap] all, sorted, mixed */
	size_t			 nplan;		/* addresses in the plan */
	size_t			*order;		/* [cap] with ports to try */
	size_t			 norder;
	size_t			*tmp;		/* [2 * cap]: sort scratch */

	uint16_t		*ports;
	size_t			 nports;

	struct attempt		*att;		/* [cfg.max_inflight] */

	struct hecat__action	*queue;		/* ring of actions */
	size_t			 qhead, qlen, qcap;
};

static void	progress(struct hecat__engine *, uint64_t);

void
hecat__engine_cfg_default(struct hecat__engine_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->resolution_delay = 50 * HECAT__NS_PER_MS;
	cfg->attempt_delay = 250 * HECAT__NS_PER_MS;
	cfg->attempt_timeout = 10000 * HECAT__NS_PER_MS;
	cfg->deadline = 0;
	cfg->resolve_timeout = 1000 * HECAT__NS_PER_MS;
	cfg->resolve_retries = 3;
	cfg->first_family_count = 1;
	cfg->max_inflight = 8;
	cfg->max_addrs = 64;
	cfg->family = AF_UNSPEC;
	cfg->prefer = AF_UNSPEC;
	cfg->attempt_delay_min = 100 * HECAT__NS_PER_MS;
	cfg->attempt_delay_max = HECAT__MAX_ATTEMPT_DELAY;
}

static int
qidx(int family)
{
	return family == AF_INET6 ? 0 : family == AF_INET ? 1 : 2;
}

static int
qfamily(int i)
{
	return i == 0 ? AF_INET6 : i == 1 ? AF_INET : HECAT__PREF64;
}

static int
other_family(int family)
{
	return family == AF_INET6 ? AF_INET : AF_INET6;
}

static bool
family_ok(int family)
{
	return family == AF_UNSPEC || family == AF_INET || family == AF_INET6;
}

static bool
transient(enum hecat_dns_status st)
{
	return st == HECAT_DNS_SERVFAIL || st == HECAT_DNS_TIMEOUT ||
	    st == HECAT_DNS_ERROR;
}

/* DNSSEC was required and the answer did not validate: final. */
static bool
unvalidated(enum hecat_dns_status st)
{
	return st == HECAT_DNS_BOGUS || st == HECAT_DNS_INSECURE ||
	    st == HECAT_DNS_INDETERMINATE;
}

/* ---- actions ------------------------------------------------------------ */

static struct hecat__action *
emit(struct hecat__engine *e, enum hecat__act_kind kind)
{
	struct hecat__action *a;

	/* The queue is sized for the most one entry point can emit. */
	assert(e->qlen < e->qcap);
	a = &e->queue[(e->qhead + e->qlen++) % e->qcap];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	return a;
}

bool
hecat__engine_next_action(struct hecat__engine *e, struct hecat__action *a)
{
	if (e->qlen == 0)
		return false;
	*a = e->queue[e->qhead];
	e->qhead = (e->qhead + 1) % e->qcap;
	e->qlen--;
	return true;
}

/* ---- construction ------------------------------------------------------- */

static int
check_cfg(struct hecat__engine_cfg *cfg)
{
	if (!family_ok(cfg->family) || !family_ok(cfg->prefer))
		return -1;
	if (cfg->attempt_delay < HECAT__MIN_ATTEMPT_GAP)
		cfg->attempt_delay = HECAT__MIN_ATTEMPT_GAP;
	if (cfg->attempt_delay > HECAT__MAX_ATTEMPT_DELAY)
		cfg->attempt_delay = HECAT__MAX_ATTEMPT_DELAY;
	if (cfg->attempt_delay_max > HECAT__MAX_ATTEMPT_DELAY)
		cfg->attempt_delay_max = HECAT__MAX_ATTEMPT_DELAY;
	if (cfg->attempt_delay_max < HECAT__MIN_ATTEMPT_GAP)
		cfg->attempt_delay_max = HECAT__MIN_ATTEMPT_GAP;
	if (cfg->attempt_delay_min < HECAT__MIN_ATTEMPT_GAP)
		cfg->attempt_delay_min = HECAT__MIN_ATTEMPT_GAP;
	if (cfg->attempt_delay_min > cfg->attempt_delay_max)
		cfg->attempt_delay_min = cfg->attempt_delay_max;
	if (cfg->first_family_count == 0)
		cfg->first_family_count = 1;
	if (cfg->max_inflight == 0)
		cfg->max_inflight = 1;
	if (cfg->max_addrs == 0)
		cfg->max_addrs = 1;
	if (cfg->nat64 == HECAT__NAT64_KNOWN &&
	    !hecat__nat64_len_ok(cfg->prefix64.len))
		return -1;
	/* -6 asks for IPv6 alone; NAT64 would reach IPv4 behind it. */
	if (cfg->family == AF_INET6)
		cfg->nat64 = HECAT__NAT64_OFF;
	return 0;
}

static struct hecat__engine *
engine_alloc(const struct hecat__engine_cfg *cfg, size_t cap, size_t nports)
{
	struct hecat__engine *e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->cfg = *cfg;
	e->cap = cap;
	e->nports = 0;
	e->qcap = 2 * (size_t)cfg->max_inflight + 16;
	if (cfg->nat64 != HECAT__NAT64_OFF)	/* DESYNTH notes */
		e->qcap += 2 * cap;
	e->ents = calloc(cap, sizeof(*e->ents));
	e->addrs = calloc(cap, sizeof(*e->addrs));
	e->plan = calloc(cap, sizeof(*e->plan));
	e->order = calloc(cap, sizeof(*e->order));
	e->tmp = calloc(2 * cap, sizeof(*e->tmp));
	e->ports = calloc(nports, sizeof(*e->ports));
	e->att = calloc(cfg->max_inflight, sizeof(*e->att));
	e->queue = calloc(e->qcap, sizeof(*e->queue));
	if (e->ents == NULL || e->addrs == NULL || e->plan == NULL ||
	    e->order == NULL || e->tmp == NULL || e->ports == NULL ||
	    e->att == NULL || e->queue == NULL) {
		hecat__engine_free(e);
		errno = ENOMEM;
		return NULL;
	}
	e->pref = cfg->prefer != AF_UNSPEC ? cfg->prefer : AF_INET6;
	if (cfg->family != AF_UNSPEC)
		e->pref = cfg->family;
	e->state = ST_IDLE;
	return e;
}

/* The index of the known address ip, or e->naddrs when it is new. */
static size_t
find_addr(const struct hecat__engine *e, const struct hecat__ip *ip)
{
	size_t j;

	for (j = 0; j < e->naddrs; j++)
		if (hecat__ip_equal(&e->ents[j].dst, ip))
			break;
	return j;
}

/* A bitmap of the 65536 ports, to drop duplicates in O(1). */
struct portset {
	uint8_t		bits[65536 / 8];
};

static bool
portset_add(struct portset *ps, uint16_t port)
{
	uint8_t bit = (uint8_t)(1u << (port & 7));

	if (ps->bits[port >> 3] & bit)
		return false;
	ps->bits[port >> 3] |= bit;
	return true;
}

struct hecat__engine *
hecat__engine_new_host(const struct hecat__engine_cfg *cfg0,
    const uint16_t *ports, size_t nports)
{
	struct hecat__engine_cfg cfg = *cfg0;
	struct hecat__engine *e;
	struct portset *ps;
	size_t i;

	if (nports == 0 || check_cfg(&cfg) == -1) {
		errno = EINVAL;
		return NULL;
	}
	if ((ps = calloc(1, sizeof(*ps))) == NULL)
		return NULL;
	if ((e = engine_alloc(&cfg, 2 * (size_t)cfg.max_addrs, nports)) ==
	    NULL) {
		free(ps);
		return NULL;
	}
	e->host = true;
	for (i = 0; i < nports; i++)
		if (portset_add(ps, ports[i]))
			e->ports[e->nports++] = ports[i];
	free(ps);
	return e;
}

/* Address j is ip (the sort key), with dst's source and history. */
static void
set_addr(struct hecat__engine *e, size_t j, const struct hecat__ip *ip,
    const struct hecat__dst *dst)
{
	struct eaddr *ea = &e->addrs[j];

	e->ents[j].dst = *ip;
	e->ents[j].src = dst->src;
	e->ents[j].seq = (uint32_t)j;
	e->ents[j].rtt = dst->rtt;
	memset(ea, 0, sizeof(*ea));
	ea->rto = dst->rto;
	ea->failed = dst->failed;
}

struct hecat__engine *
hecat__engine_new_ip(const struct hecat__engine_cfg *cfg0,
    const struct hecat__endpoint *eps, size_t n)
{
	struct hecat__engine_cfg cfg = *cfg0;
	struct hecat__engine *e;
	struct portset *ps;
	struct eaddr *ea;
	size_t i, j, k;

	if (n == 0 || check_cfg(&cfg) == -1) {
		errno = EINVAL;
		return NULL;
	}
	if ((ps = calloc(1, sizeof(*ps))) == NULL)
		return NULL;
	if ((e = engine_alloc(&cfg, n, n)) == NULL) {
		free(ps);
		return NULL;
	}

	/* The distinct addresses, in the order given. */
	for (i = 0; i < n; i++) {
		if (cfg.family != AF_UNSPEC &&
		    eps[i].dst.ip.family != cfg.family)
			continue;
		if ((j = find_addr(e, &eps[i].dst.ip)) < e->naddrs)
			continue;
		set_addr(e, j, &eps[i].dst.ip, &eps[i].dst);
		e->naddrs++;
	}

	/* Then each address's ports, in the order given, duplicates out. */
	for (j = 0; j < e->naddrs; j++) {
		ea = &e->addrs[j];
		ea->port_off = e->nports;
		memset(ps, 0, sizeof(*ps));
		for (k = 0; k < n; k++)
			if (hecat__ip_equal(&e->ents[j].dst, &eps[k].dst.ip) &&
			    portset_add(ps, eps[k].port))
				e->ports[e->nports++] = eps[k].port;
		ea->port_cnt = e->nports - ea->port_off;
	}
	free(ps);
	return e;
}

void
hecat__engine_free(struct hecat__engine *e)
{
	if (e == NULL)
		return;
	free(e->ents);
	free(e->addrs);
	free(e->plan);
	free(e->order);
	free(e->tmp);
	free(e->ports);
	free(e->att);
	free(e->queue);
	free(e);
}

/* ---- the planned order --------------------------------------------------- */

/*
 * Recompute the plan.  Every known address is sorted (RFC 6724) and
 * interleaved (RFC 8305 section 4) into e->plan; the addresses with ports
 * still untried are then taken in that order, so a late family falls where
 * the full interleaving puts it (HEv3) instead of at the end.  An address
 * with some ports started keeps the head: all the ports of an address go
 * before the next address.  Emits ORDER.
 */
/* Is the NAT64 prefix still being looked for (IPv4 waits)? */
static bool
v4_blocked(const struct hecat__engine *e)
{
	return e->cfg.nat64 == HECAT__NAT64_DISCOVER;
}

/*
 * RFC 8305 section 4 and HEv3: addresses that history says failed (or
 * lost a race they started first) recently go after all the others, in
 * their planned order.
 */
static void
move_failed_back(struct hecat__engine *e)
{
	size_t *back = e->tmp, i, n = 0, nback = 0;

	for (i = 0; i < e->nplan; i++) {
		if (e->addrs[e->plan[i]].failed)
			back[nback++] = e->plan[i];
		else
			e->plan[n++] = e->plan[i];
	}
	memcpy(e->plan + n, back, nback * sizeof(*back));
}

static void
replan(struct hecat__engine *e)
{
	size_t *idx = e->tmp, *next = e->tmp + e->cap;
	size_t i, n = 0, partial = SIZE_MAX;

	if (e->naddrs == 0)
		return;
	for (i = 0; i < e->naddrs; i++)
		idx[i] = i;
	hecat__addrsort(e->ents, idx, e->naddrs, e->cfg.policy);
	hecat__interleave(e->ents, idx, e->naddrs, e->cfg.prefer,
	    e->cfg.first_family_count, e->plan);
	e->nplan = e->naddrs;
	move_failed_back(e);

	/* (One whose ports are all done is no head: see prefix_settled().) */
	if (e->norder > 0 && e->addrs[e->order[0]].port_next > 0 &&
	    e->addrs[e->order[0]].port_next < e->addrs[e->order[0]].port_cnt)
		partial = e->order[0];
	if (partial != SIZE_MAX)
		next[n++] = partial;
	for (i = 0; i < e->naddrs; i++)
		if (e->plan[i] != partial &&
		    e->addrs[e->plan[i]].port_next == 0 &&
		    !(v4_blocked(e) &&
		      e->ents[e->plan[i]].dst.family == AF_INET))
			next[n++] = e->plan[i];
	memcpy(e->order, next, n * sizeof(*next));
	e->norder = n;
	emit(e, HECAT__ACT_ORDER);
}

/*
 * Add the addresses of an answer to the query of family; returns how many
 * were new.  Addresses of the other family, duplicates and those beyond
 * max_addrs are dropped.
 */
/*
 * With a known NAT64 prefix, the IPv4 address a DNS64-synthesized v6
 * stands for (HEv3: de-synthesize before sorting); emits DESYNTH.
 */
static struct hecat__ip
desynth(struct hecat__engine *e, const struct hecat__ip *ip)
{
	struct hecat__ip v4;
	struct hecat__action *a;

	if (e->cfg.nat64 != HECAT__NAT64_KNOWN ||
	    !hecat__nat64_extract(&e->cfg.prefix64, ip, &v4) ||
	    !hecat__nat64_synthesizable(&e->cfg.prefix64, &v4))
		return *ip;
	a = emit(e, HECAT__ACT_DESYNTH);
	a->ip = *ip;
	a->orig = v4;
	return v4;
}

static size_t
merge(struct hecat__engine *e, int family, const struct hecat__dst *dsts,
    size_t n)
{
	size_t i, j, added = 0;
	struct eaddr *ea;
	struct hecat__ip ip;

	/* A family's query is final once, so its addresses all arrive here. */
	for (i = 0; i < n && added < e->cfg.max_addrs; i++) {
		if (dsts[i].ip.family != family)
			continue;
		ip = family == AF_INET6 ? desynth(e, &dsts[i].ip) : dsts[i].ip;
		if ((j = find_addr(e, &ip)) < e->naddrs)
			continue;
		set_addr(e, j, &ip, &dsts[i]);
		ea = &e->addrs[j];
		ea->port_off = 0;
		ea->port_cnt = e->nports;
		e->naddrs++;
		added++;
	}
	return added;
}

/* ---- queries ------------------------------------------------------------- */

static void
query_send(struct hecat__engine *e, uint64_t now, int family)
{
	struct query *q = &e->q[qidx(family)];
	struct hecat__action *a;

	q->state = HECAT__Q_PENDING;
	q->tries++;
	q->sent = now;
	a = emit(e, HECAT__ACT_QUERY);
	a->family = family;
	a->tries = q->tries;
}

static void
query_cancel(struct hecat__engine *e, int family)
{
	emit(e, HECAT__ACT_QUERY_CANCEL)->family = family;
}

static void
query_finish(struct hecat__engine *e, int family, enum hecat_dns_status st)
{
	struct query *q = &e->q[qidx(family)];

	q->state = HECAT__Q_DONE;
	q->status = st;
}

/*
 * Does the pending prefix query still matter?  It only holds IPv4 back:
 * while an IPv4 address waits for it, or the A query may bring one.
 * Otherwise (an IPv6 literal, A final without an address) it must not
 * keep the dial alive.
 */
static bool
prefix_awaited(const struct hecat__engine *e)
{
	size_t i;

	if (e->q[2].state != HECAT__Q_PENDING)
		return false;
	if (e->q[1].state == HECAT__Q_PENDING)
		return true;
	for (i = 0; i < e->naddrs; i++)
		if (e->ents[i].dst.family == AF_INET &&
		    e->addrs[i].port_next < e->addrs[i].port_cnt)
			return true;
	return false;
}

/* Can a pending query still bring something to try (T3)? */
static bool
query_pending(const struct hecat__engine *e)
{
	return e->q[0].state == HECAT__Q_PENDING ||
	    e->q[1].state == HECAT__Q_PENDING || prefix_awaited(e);
}

/* ---- NAT64 ---------------------------------------------------------------- */

/*
 * The address an attempt to dst connects to: dst, or on an IPv6-only
 * network with a known prefix, the IPv6 address synthesized from an IPv4
 * dst (RFC 6052), with *orig set to dst.  An IPv4 address that must not
 * be synthesized (127/8 ...) is connected to as it is.
 */
static struct hecat__ip
connect_ip(const struct hecat__engine *e, size_t addr, struct hecat__ip *orig)
{
	const struct hecat__ip *dst = &e->ents[addr].dst;
	struct hecat__ip v6;

	memset(orig, 0, sizeof(*orig));
	if (e->cfg.nat64 != HECAT__NAT64_KNOWN || dst->family != AF_INET ||
	    !hecat__nat64_synthesizable(&e->cfg.prefix64, dst))
		return *dst;
	hecat__nat64_synthesize(&e->cfg.prefix64, dst, &v6);
	*orig = *dst;
	return v6;
}

/*
 * The prefix query ended: with a prefix found, the IPv6 addresses known
 * and not yet tried that lie in it are de-synthesized (a duplicate of an
 * IPv4 address already known is dropped from the order); without one,
 * IPv4 addresses are tried as they are.  Either way they may go now.
 */
static void
prefix_settled(struct hecat__engine *e, enum hecat_dns_status st,
    const struct hecat__dst *dsts, size_t n)
{
	struct hecat__action *a;
	struct hecat__ip v4;
	size_t i, j;

	/* RFC 7050: the first address that embeds 192.0.0.170/171. */
	e->cfg.nat64 = HECAT__NAT64_OFF;
	for (i = 0; st == HECAT_DNS_OK && i < n; i++)
		if (hecat__nat64_discover(&dsts[i].ip, 1,
		    &e->cfg.prefix64) > 0) {
			e->cfg.nat64 = HECAT__NAT64_KNOWN;
			break;
		}
	a = emit(e, HECAT__ACT_NAT64);
	if (e->cfg.nat64 == HECAT__NAT64_KNOWN) {
		a->ip = e->cfg.prefix64.ip;
		a->plen = e->cfg.prefix64.len;
	}
	for (i = 0; i < e->naddrs; i++) {
		if (e->ents[i].dst.family != AF_INET6 ||
		    e->addrs[i].port_next != 0)
			continue;
		v4 = desynth(e, &e->ents[i].dst);
		if (v4.family != AF_INET)
			continue;
		if ((j = find_addr(e, &v4)) < e->naddrs)
			e->addrs[i].port_next = e->addrs[i].port_cnt;
		else
			e->ents[i].dst = v4;
	}
	if (e->state == ST_CONNECTING)
		replan(e);
}

/* ---- the end ------------------------------------------------------------- */

static void
cancel_attempt(struct hecat__engine *e, struct attempt *at, int why)
{
	struct hecat__action *a = emit(e, HECAT__ACT_CANCEL);

	a->id = at->id;
	a->addr = at->addr;
	a->ip = connect_ip(e, at->addr, &a->orig);
	a->port = at->port;
	a->why = why;
	at->id = 0;
	e->inflight--;
}

static void
record_failure(struct hecat__engine *e, const struct attempt *at, int err)
{
	struct eaddr *ea = &e->addrs[at->addr];

	ea->failures++;
	ea->error = err;
	ea->error_port = at->port;
}

/*
 * Finish the dial: cancel what is still in flight (with why), abandon the
 * pending queries, and emit DONE.  winner is the winning slot or NULL.
 */
static void
finish(struct hecat__engine *e, int status, const struct attempt *winner,
    int why)
{
	struct hecat__action *a;
	unsigned i;
	int f;

	for (i = 0; i < e->cfg.max_inflight; i++) {
		if (e->att[i].id == 0 || &e->att[i] == winner)
			continue;
		if (why == HECAT__CANCEL_DEADLINE)
			record_failure(e, &e->att[i], ETIMEDOUT);
		cancel_attempt(e, &e->att[i], why);
	}
	for (f = 0; f < 3; f++)
		if (e->q[f].state == HECAT__Q_PENDING) {
			query_cancel(e, qfamily(f));
			e->q[f].state = HECAT__Q_CANCELLED;
		}
	e->state = ST_DONE;
	a = emit(e, HECAT__ACT_DONE);
	a->status = status;
	if (winner != NULL) {
		a->id = winner->id;
		a->addr = winner->addr;
		a->ip = connect_ip(e, winner->addr, &a->orig);
		a->port = winner->port;
	}
}

/* Why a dial that ran out of addresses, attempts and queries failed. */
static int
failure_status(const struct hecat__engine *e)
{
	bool nx = false, temp = false, sec = false;
	int f;

	if (e->started > 0)
		return HECAT_E_CONNECT;
	if (!e->host)
		return HECAT_E_NOADDR;
	for (f = 0; f < 2; f++) {
		if (e->q[f].state != HECAT__Q_DONE)
			continue;
		nx |= e->q[f].status == HECAT_DNS_NXDOMAIN;
		temp |= transient(e->q[f].status);
		sec |= unvalidated(e->q[f].status);
	}
	/* An answer refused by validation says more than the other's. */
	if (sec)
		return HECAT_E_DNSSEC;
	/* NXDOMAIN is authoritative: the name does not exist. */
	if (nx)
		return HECAT_E_NOHOST;
	return temp ? HECAT_E_DNS : HECAT_E_NOHOST;
}

/* ---- attempts ------------------------------------------------------------ */

/*
 * The earliest time the next attempt may start (see the top of the file),
 * and whether the Connection Attempt Delay rather than the 10 ms floor is
 * what holds it back.
 */
static uint64_t
next_start(const struct hecat__engine *e, bool *by_delay)
{
	uint64_t floor, newest = 0, delay = 0, t;
	unsigned i;

	*by_delay = false;
	if (e->started == 0)
		return 0;
	/* Nothing in flight to burst against (R-5.10, T2): at once. */
	if (e->inflight == 0)
		return 0;
	floor = e->last_start + HECAT__MIN_ATTEMPT_GAP;
	for (i = 0; i < e->cfg.max_inflight; i++)
		if (e->att[i].id != 0 && e->att[i].started >= newest) {
			newest = e->att[i].started;
			delay = e->att[i].delay;
		}
	t = newest + delay;
	if (t >= floor) {
		*by_delay = true;
		return t;
	}
	return floor;
}

static bool
can_start(const struct hecat__engine *e)
{
	return e->state == ST_CONNECTING && e->norder > 0 &&
	    e->inflight < e->cfg.max_inflight;
}

static void
start_attempt(struct hecat__engine *e, uint64_t now)
{
	size_t ai = e->order[0];
	struct eaddr *ea = &e->addrs[ai];
	struct hecat__action *a;
	struct attempt *at = NULL;
	unsigned i;

	for (i = 0; i < e->cfg.max_inflight; i++)
		if (e->att[i].id == 0) {
			at = &e->att[i];
			break;
		}
	assert(at != NULL);

	at->id = ++e->started;
	at->addr = ai;
	at->port = e->ports[ea->port_off + ea->port_next++];
	at->started = now;
	/* RFC 8305 section 5: the first SYN retransmit, from history. */
	at->delay = e->cfg.attempt_delay;
	if (ea->rto != 0)
		at->delay = ea->rto < e->cfg.attempt_delay_min ?
		    e->cfg.attempt_delay_min : ea->rto >
		    e->cfg.attempt_delay_max ? e->cfg.attempt_delay_max :
		    ea->rto;
	ea->attempts++;
	e->inflight++;
	e->last_start = now;
	if (ea->port_next == ea->port_cnt)
		memmove(e->order, e->order + 1,
		    --e->norder * sizeof(*e->order));

	a = emit(e, HECAT__ACT_ATTEMPT);
	a->id = at->id;
	a->addr = ai;
	a->ip = connect_ip(e, ai, &a->orig);
	a->port = at->port;
	a->why = at->id == 1 ? HECAT__WHY_FIRST : e->why;
	a->wait = at->delay;
	a->learned = ea->rto != 0;
	e->why = HECAT__WHY_DELAY;
}

static void
start_attempts(struct hecat__engine *e, uint64_t now)
{
	bool by_delay;

	while (can_start(e)) {
		if (now < next_start(e, &by_delay)) {
			/*
			 * Held back by the attempt delay: when it runs out,
			 * that is the reason.  Held back by the 10 ms floor
			 * only: the event that wanted a start keeps its name.
			 */
			if (by_delay)
				e->why = HECAT__WHY_DELAY;
			return;
		}
		start_attempt(e, now);
	}
}

/* ---- the state machine --------------------------------------------------- */

/* Addresses of family that history does not say failed recently. */
static size_t
count_good(const struct hecat__engine *e, int family)
{
	size_t i, n = 0;

	for (i = 0; i < e->naddrs; i++)
		if (e->ents[i].dst.family == family && !e->addrs[i].failed)
			n++;
	return n;
}

static void
begin_connecting(struct hecat__engine *e)
{
	e->state = ST_CONNECTING;
	replan(e);
}

/*
 * RESOLVING or WAIT_RD: connect at once when the preferred family has
 * addresses or has answered; with only the other family, wait the
 * Resolution Delay (RFC 8305 section 3).  The delay gates connecting,
 * never querying (T4).
 */
static void
resolve_progress(struct hecat__engine *e, uint64_t now)
{
	struct hecat__action *a;
	int other = other_family(e->pref), waitfor;
	bool pend_pref = e->q[qidx(e->pref)].state == HECAT__Q_PENDING;
	bool pend_other = e->q[qidx(other)].state == HECAT__Q_PENDING;

	if (e->naddrs == 0)
		return;
	if (count_good(e, e->pref) > 0 ||
	    (!pend_pref && (count_good(e, other) > 0 || !pend_other))) {
		begin_connecting(e);
		return;
	}
	/*
	 * Waiting for the preferred family (RFC 8305 section 3), or, when
	 * history says every address known so far failed recently, for
	 * the other family (a blackholed IPv6 is not tried first again
	 * while A is a moment away).
	 */
	waitfor = pend_pref ? e->pref : other;
	if (e->state == ST_RESOLVING) {
		e->state = ST_WAIT_RD;
		e->rd_until = now + e->cfg.resolution_delay;
		a = emit(e, HECAT__ACT_RD_WAIT);
		a->family = waitfor;
		a->wait = e->cfg.resolution_delay;
		a->learned = count_good(e, e->pref) + count_good(e, other) == 0;
	}
	if (now >= e->rd_until)
		begin_connecting(e);
}

static void
progress(struct hecat__engine *e, uint64_t now)
{
	if (e->state == ST_RESOLVING || e->state == ST_WAIT_RD)
		resolve_progress(e, now);
	if (e->state == ST_CONNECTING)
		start_attempts(e, now);
	if (e->state != ST_DONE && e->norder == 0 && e->inflight == 0 &&
	    !query_pending(e) &&
	    (e->state == ST_CONNECTING || e->state == ST_RESOLVING))
		finish(e, failure_status(e), NULL, HECAT__CANCEL_ABORT);
}

void
hecat__engine_start(struct hecat__engine *e, uint64_t now)
{
	int f;

	assert(e->state == ST_IDLE);
	e->t_start = now;
	e->why = HECAT__WHY_FIRST;
	/* The prefix query goes first: its answer gates IPv4. */
	if (e->cfg.nat64 == HECAT__NAT64_DISCOVER)
		query_send(e, now, HECAT__PREF64);
	if (!e->host) {
		begin_connecting(e);
		progress(e, now);
		return;
	}
	e->state = ST_RESOLVING;
	/* RFC 8305 section 3: both queries back to back, preferred first. */
	for (f = e->pref; ; f = other_family(f)) {
		if (e->cfg.family == AF_UNSPEC || e->cfg.family == f)
			query_send(e, now, f);
		if (f != e->pref)
			break;
	}
}

void
hecat__engine_on_answer(struct hecat__engine *e, uint64_t now, int family,
    enum hecat_dns_status status, const struct hecat__dst *dsts, size_t n)
{
	struct query *q;

	if (e->state == ST_DONE || e->state == ST_IDLE ||
	    (family != AF_INET && family != AF_INET6 &&
	     family != HECAT__PREF64))
		return;
	q = &e->q[qidx(family)];
	if (q->state != HECAT__Q_PENDING)
		return;
	if (status == HECAT_DNS_OK && n == 0)
		status = HECAT_DNS_NODATA;
	if (transient(status) && q->tries <= e->cfg.resolve_retries) {
		query_send(e, now, family);
		return;
	}
	query_finish(e, family, status);
	if (family == HECAT__PREF64) {
		prefix_settled(e, status, dsts, n);
		e->why = HECAT__WHY_ANSWER;
		progress(e, now);
		return;
	}
	if (status == HECAT_DNS_OK && merge(e, family, dsts, n) > 0 &&
	    e->state == ST_CONNECTING)
		replan(e);
	e->why = HECAT__WHY_ANSWER;
	progress(e, now);
}

bool
hecat__engine_on_attempt(struct hecat__engine *e, uint64_t now, unsigned id,
    int err)
{
	struct attempt *at = NULL;
	unsigned i;

	if (e->state == ST_DONE || id == 0)
		return false;
	for (i = 0; i < e->cfg.max_inflight; i++)
		if (e->att[i].id == id) {
			at = &e->att[i];
			break;
		}
	if (at == NULL)
		return false;
	if (err == 0) {
		/* RFC 8305 section 5: the first to connect wins (T5). */
		finish(e, HECAT_OK, at, HECAT__CANCEL_LOST);
		at->id = 0;
		e->inflight--;
		return true;
	}
	record_failure(e, at, err);
	at->id = 0;
	e->inflight--;
	e->why = HECAT__WHY_FAILED;
	progress(e, now);
	return true;
}

void
hecat__engine_on_timeout(struct hecat__engine *e, uint64_t now)
{
	struct query *q;
	unsigned i;
	int f;

	if (e->state == ST_DONE || e->state == ST_IDLE)
		return;
	if (e->cfg.deadline != 0 && now - e->t_start >= e->cfg.deadline) {
		finish(e, HECAT_E_TIMEOUT, NULL, HECAT__CANCEL_DEADLINE);
		return;
	}
	for (i = 0; i < e->cfg.max_inflight; i++) {
		struct attempt *at = &e->att[i];

		if (at->id != 0 && e->cfg.attempt_timeout != 0 &&
		    now - at->started >= e->cfg.attempt_timeout) {
			record_failure(e, at, ETIMEDOUT);
			cancel_attempt(e, at, HECAT__CANCEL_TIMEOUT);
			e->why = HECAT__WHY_FAILED;
		}
	}
	for (f = 0; f < 3; f++) {
		q = &e->q[f];
		if (q->state != HECAT__Q_PENDING ||
		    e->cfg.resolve_timeout == 0 ||
		    now - q->sent < e->cfg.resolve_timeout)
			continue;
		query_cancel(e, qfamily(f));
		if (q->tries <= e->cfg.resolve_retries)
			query_send(e, now, qfamily(f));
		else {
			query_finish(e, qfamily(f), HECAT_DNS_TIMEOUT);
			if (f == 2)
				prefix_settled(e, HECAT_DNS_TIMEOUT, NULL, 0);
		}
	}
	progress(e, now);
}

void
hecat__engine_abort(struct hecat__engine *e, uint64_t now)
{
	(void)now;
	if (e->state == ST_DONE)
		return;
	finish(e, HECAT_E_CANCELLED, NULL, HECAT__CANCEL_ABORT);
}

uint64_t
hecat__engine_next_deadline(const struct hecat__engine *e)
{
	uint64_t d = HECAT__NEVER, t;
	bool by_delay;
	unsigned i;
	int f;

#define EARLIER(x)	do { t = (x); if (t < d) d = t; } while (0)
	if (e->state == ST_DONE || e->state == ST_IDLE)
		return HECAT__NEVER;
	if (e->cfg.deadline != 0)
		EARLIER(e->t_start + e->cfg.deadline);
	if (e->state == ST_WAIT_RD)
		EARLIER(e->rd_until);
	if (can_start(e))
		EARLIER(next_start(e, &by_delay));
	if (e->cfg.attempt_timeout != 0)
		for (i = 0; i < e->cfg.max_inflight; i++)
			if (e->att[i].id != 0)
				EARLIER(e->att[i].started +
				    e->cfg.attempt_timeout);
	if (e->cfg.resolve_timeout != 0)
		for (f = 0; f < 3; f++)
			if (e->q[f].state == HECAT__Q_PENDING)
				EARLIER(e->q[f].sent + e->cfg.resolve_timeout);
#undef EARLIER
	return d;
}

bool
hecat__engine_done(const struct hecat__engine *e)
{
	return e->state == ST_DONE;
}

size_t
hecat__engine_naddrs(const struct hecat__engine *e)
{
	return e->naddrs;
}

void
hecat__engine_addr(const struct hecat__engine *e, size_t i,
    struct hecat__addr_info *info)
{
	const struct eaddr *ea = &e->addrs[i];

	assert(i < e->naddrs);
	memset(info, 0, sizeof(*info));
	info->dst.ip = e->ents[i].dst;
	info->dst.src = e->ents[i].src;
	info->attempts = ea->attempts;
	info->failures = ea->failures;
	info->error = ea->error;
	info->error_port = ea->error_port;
}

size_t
hecat__engine_order(const struct hecat__engine *e, size_t *out, size_t max)
{
	size_t i;

	/*
	 * The plan holds the first nplan addresses (by arrival); any that
	 * came after it (the dial ended before planning them) follow.
	 */
	for (i = 0; i < e->naddrs && i < max; i++)
		out[i] = i < e->nplan ? e->plan[i] : i;
	return e->naddrs;
}

enum hecat__query_state
hecat__engine_query(const struct hecat__engine *e, int family,
    enum hecat_dns_status *status)
{
	const struct query *q = &e->q[qidx(family)];

	if (status != NULL)
		*status = q->status;
	return q->state;
}
