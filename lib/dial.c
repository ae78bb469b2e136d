/*
 * dial.c - libhecat's instances and dials: the adapter that runs the pure
 * engine (engine.c) on libevent.
 *
 * A dial owns an engine, one timer armed at the engine's next deadline, a
 * slot per attempt in flight (socket, write event), its two queries, and
 * an inbox.  Everything that happens to it — a resolver's answer, a
 * connect that finished at once or later — is put in the inbox and handed
 * to the engine from the "kick" event, never from inside the code that
 * performs the engine's actions: the engine is never re-entered, and the
 * user's callback never runs inside hecat_connect*().
 *
 *	event (answer, writable, timer) -> inbox -> kick -> engine -> actions
 *	actions: QUERY, QUERY_CANCEL -> resolver; ATTEMPT, CANCEL -> sockets;
 *	         RD_WAIT, ORDER -> trace; DONE -> result, callback, free
 *
 * Attempts are keyed by the engine's attempt id, never by descriptor (T17).
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "coalesce.h"
#include "engine.h"
#include "history.h"
#include "internal.h"

#define MSGLEN		4096
#define MAXFAILLOG	64	/* failed attempts a message names */
#define NET_REUSE	(10 * HECAT__NS_PER_MS)	/* see nat64_setup() */
#define MAXMSGPORTS	16	/* ports a message names */

struct hecat {
	struct event_base		*base;
	struct hecat_opts		 defaults;
	struct hecat__cq_table		 cq;		/* the resolver, and
							   queries in flight */
	struct hecat__prefix64		 pref64;	/* discovered, or len 0 */
	uint64_t			 net_at;	/* connectivity read then */
	bool				 net6, net4;
	const struct hecat_store	*store;		/* the caller's, or ours */
	void				*store_arg;
	uint64_t			 netid;		/* history's network */
	uint64_t			 netid_at;	/* read then */
	TAILQ_HEAD(, hecat_dial)	 dials;
};

struct attempt {
	struct hecat_dial	*d;
	unsigned		 id;		/* 0: a free slot */
	int			 fd;
	struct event		*ev;		/* EV_WRITE while connecting */
	uint64_t		 started;
	struct sockaddr_storage	 sa;
	socklen_t		 salen;
	struct sockaddr_storage	 orig;		/* NAT64: sa stands for it */
	socklen_t		 origlen;	/* 0: not synthesized */
	uint64_t		 delay;		/* before the next attempt */
	bool			 learned;	/* from history */
};

struct dquery {
	struct hecat_dial	*d;
	int			 family;
	struct hecat__cq_member	 m;		/* its place in a query */
	unsigned		 gen;		/* which send an answer is for */
	bool			 active;	/* sent, no answer yet */
	uint64_t		 sent;
};

enum inbox_kind {
	INBOX_ANSWER,
	INBOX_RESULT
};

struct inbox_item {
	enum inbox_kind		 kind;
	int			 family;	/* ANSWER */
	unsigned		 gen;
	int			 status;
	int			 dnssec;	/* enum hecat_dnssec */
	struct sockaddr_storage	*addrs;
	size_t			 naddrs;
	unsigned		 id;		/* RESULT */
	int			 err;
};

struct hecat_dial {
	struct hecat		*h;
	TAILQ_ENTRY(hecat_dial)	 entry;
	struct hecat_opts	 opts;
	struct sockaddr_storage	 source;
	struct hecat__engine	*e;
	char			*given;		/* the host as given */
	char			 host[HECAT__HOSTLEN];	/* as queried */
	uint16_t		*ports;
	size_t			 nports;
	hecat_dial_cb		 cb;
	void			*arg;
	uint64_t		 t0;
	bool			 started;
	bool			 cancelling;	/* no callback at DONE */
	int			 early_err;	/* fail at the first kick */
	const char		*early_why;
	struct event		*timer;
	struct event		*kick;
	struct attempt		*att;		/* [natt] */
	size_t			 natt;
	struct dquery		 q[3];		/* [0] AAAA, [1] A, [2] PREF64 */
	int			 nat64;		/* enum hecat__nat64_mode */
	const char		*nat64_why;	/* KNOWN: "option", "cached" */
	struct hecat__prefix64	 pref64;	/* known, or the WKP stand-in */
	bool			 net6, net4;	/* connectivity at the start */
	struct inbox_item	*inbox;		/* ring of [icap] */
	size_t			 ihead, ilen, icap;
	struct failed_attempt {
		struct hecat__ip	ip;
		uint16_t		port;
		int			err;
	}			 failed[MAXFAILLOG];	/* for the message */
	size_t			 nfailed;	/* all, even beyond the log */
	bool			 hist;		/* history read and written */
	uint64_t		 net;		/* its network */
	struct hecat_hist	*hpending;	/* literals' records, traced
						   at the start */
	size_t			 nhpending;
	struct hecat_hist_obs	*obs;		/* outcomes to record */
	size_t			 nobs, obscap;
	uint64_t		 won_started;	/* the winner's start, or 0 */
};

uint64_t
hecat__now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * UINT64_C(1000000000) +
	    (uint64_t)ts.tv_nsec;
}

static uint64_t
ms_to_ns(unsigned ms)
{
	return (uint64_t)ms * HECAT__NS_PER_MS;
}

/* ---- options ------------------------------------------------------------- */

static void
opts_defaults(struct hecat_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->size = sizeof(*o);
	o->resolution_delay_ms = 50;
	o->attempt_delay_ms = 250;
	o->attempt_timeout_ms = 10000;
	o->timeout_ms = 0;
	o->resolve_timeout_ms = 1000;
	o->resolve_retries = 3;
	o->first_family_count = 1;
	o->max_inflight = 8;
	o->family = AF_UNSPEC;
	o->prefer = AF_UNSPEC;
	o->history = HECAT_HISTORY_ON;
	o->attempt_delay_min_ms = 100;
	o->attempt_delay_max_ms = 2000;
}

void
hecat_opts_init_(struct hecat_opts *o, size_t size)
{
	struct hecat_opts def;

	opts_defaults(&def);
	if (size > sizeof(def)) {
		memset(o, 0, size);
		size = sizeof(def);
	}
	memcpy(o, &def, size);
	o->size = (uint32_t)size;
}

/* Options as the library knows them: defaults, then the caller's part. */
static void
opts_merge(struct hecat_opts *out, const struct hecat_opts *base,
    const struct hecat_opts *in)
{
	*out = *base;
	if (in != NULL && in->size >= sizeof(in->size))
		memcpy(out, in, in->size < sizeof(*out) ? in->size :
		    sizeof(*out));
	out->size = sizeof(*out);
}

void
hecat_config_init_(struct hecat_config *c, size_t size)
{
	struct hecat_config def;

	memset(&def, 0, sizeof(def));
	def.size = sizeof(def);
	if (size > sizeof(def)) {
		memset(c, 0, size);
		size = sizeof(def);
	}
	memcpy(c, &def, size);
	c->size = (uint32_t)size;
}

static void
engine_cfg(const struct hecat_opts *o, struct hecat__engine_cfg *c)
{
	hecat__engine_cfg_default(c);
	c->resolution_delay = ms_to_ns(o->resolution_delay_ms);
	c->attempt_delay = ms_to_ns(o->attempt_delay_ms);
	c->attempt_timeout = ms_to_ns(o->attempt_timeout_ms);
	c->deadline = ms_to_ns(o->timeout_ms);
	c->resolve_timeout = ms_to_ns(o->resolve_timeout_ms);
	c->resolve_retries = o->resolve_retries;
	c->first_family_count = o->first_family_count;
	c->max_inflight = o->max_inflight;
	c->family = o->family;
	c->prefer = o->prefer;
	c->attempt_delay_min = ms_to_ns(o->attempt_delay_min_ms);
	c->attempt_delay_max = ms_to_ns(o->attempt_delay_max_ms);
}

/* The engine's configuration for dial d, NAT64 included. */
static void
dial_engine_cfg(const struct hecat_dial *d, struct hecat__engine_cfg *c)
{
	engine_cfg(&d->opts, c);
	c->nat64 = d->nat64;
	if (d->nat64 == HECAT__NAT64_KNOWN)
		c->prefix64 = d->pref64;
}

/* ---- tracing ------------------------------------------------------------- */

static void
trace(struct hecat_dial *d, struct hecat_trace *t)
{
	if (d->opts.trace == NULL)
		return;
	t->t_ns = hecat__now();
	t->since_ns = t->t_ns - d->t0;
	t->dial = d;
	t->host = d->given;
	d->opts.trace(t, d->opts.trace_arg);
}

static void
trace_attempt(struct hecat_dial *d, enum hecat_trace_kind kind,
    const struct attempt *at, const char *reason, int error)
{
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);
	struct hecat_trace t;

	if (d->opts.trace == NULL)
		return;
	memset(&t, 0, sizeof(t));
	t.kind = kind;
	t.id = at->id;
	t.family = at->sa.ss_family;
	t.addr = (const struct sockaddr *)&at->sa;
	t.addrlen = at->salen;
	t.reason = reason;
	t.error = error;
	t.elapsed_ns = hecat__now() - at->started;
	if (at->origlen > 0) {
		t.orig = (const struct sockaddr *)&at->orig;
		t.origlen = at->origlen;
	}
	if (kind == HECAT_TRACE_ATTEMPT) {
		t.delay_ns = at->delay;
		t.delay_learned = at->learned;
	}
	if (kind == HECAT_TRACE_CONNECTED && at->fd != -1 &&
	    getsockname(at->fd, (struct sockaddr *)&local, &len) == 0) {
		t.local = (const struct sockaddr *)&local;
		t.locallen = len;
	}
	trace(d, &t);
}

static void
trace_order(struct hecat_dial *d)
{
	struct hecat__addr_info info;
	struct sockaddr_storage *ss;
	struct hecat_trace t;
	size_t *idx, n, i;

	if (d->opts.trace == NULL)
		return;
	n = hecat__engine_naddrs(d->e);
	idx = calloc(n + 1, sizeof(*idx));
	ss = calloc(n + 1, sizeof(*ss));
	if (idx != NULL && ss != NULL) {
		n = hecat__engine_order(d->e, idx, n);
		for (i = 0; i < n; i++) {
			hecat__engine_addr(d->e, idx[i], &info);
			hecat__ip_to_sa(&info.dst.ip, 0, &ss[i]);
		}
		memset(&t, 0, sizeof(t));
		t.kind = HECAT_TRACE_ORDER;
		t.addrs = ss;
		t.naddrs = n;
		trace(d, &t);
	}
	free(idx);
	free(ss);
}

/* ---- the inbox ----------------------------------------------------------- */

static void
kick(struct hecat_dial *d)
{
	event_active(d->kick, EV_TIMEOUT, 0);
}

/* Queue an item; false only when out of memory. */
static bool
inbox_push(struct hecat_dial *d, const struct inbox_item *it)
{
	struct inbox_item *grown;
	size_t i;

	if (d->ilen == d->icap) {
		grown = calloc(d->icap * 2, sizeof(*grown));
		if (grown == NULL)
			return false;
		for (i = 0; i < d->ilen; i++)
			grown[i] = d->inbox[(d->ihead + i) % d->icap];
		free(d->inbox);
		d->inbox = grown;
		d->ihead = 0;
		d->icap *= 2;
	}
	d->inbox[(d->ihead + d->ilen++) % d->icap] = *it;
	kick(d);
	return true;
}

static void
push_result(struct hecat_dial *d, unsigned id, int err)
{
	struct inbox_item it;

	memset(&it, 0, sizeof(it));
	it.kind = INBOX_RESULT;
	it.id = id;
	it.err = err;
	if (!inbox_push(d, &it))
		abort();	/* cannot lose an attempt's outcome */
}

/* ---- queries --------------------------------------------------------------- */

static struct dquery *
dquery(struct hecat_dial *d, int family)
{
	return &d->q[family == AF_INET6 ? 0 : family == AF_INET ? 1 : 2];
}

/* What a query asks: the host's AAAA or A, or RFC 7050's AAAA. */
static const char *
qname(const struct hecat_dial *d, int family)
{
	return family == HECAT__PREF64 ? HECAT__NAT64_DISCOVERY_NAME : d->host;
}

static int
qtype(int family)
{
	return family == HECAT__PREF64 ? AF_INET6 : family;
}

/* The resolver answered (maybe from inside its start function). */
static void
resolved_cb(int status, const struct sockaddr_storage *addrs, size_t n,
    void *arg)
{
	struct dquery *dq = arg;
	struct inbox_item it;

	dq->active = false;
	memset(&it, 0, sizeof(it));
	it.kind = INBOX_ANSWER;
	it.family = dq->family;
	it.gen = dq->gen;
	it.status = HECAT_DNS_STATUS_OF(status);
	it.dnssec = HECAT_DNS_DNSSEC_OF(status);
	status = it.status;
	if (status == HECAT_DNS_OK && n > 0) {
		if ((it.addrs = calloc(n, sizeof(*addrs))) == NULL) {
			it.status = HECAT_DNS_ERROR;
			n = 0;
		} else
			memcpy(it.addrs, addrs, n * sizeof(*addrs));
		it.naddrs = n;
	}
	if (!inbox_push(dq->d, &it)) {
		free(it.addrs);
		abort();
	}
}

/*
 * Ask, or join the same question another dial of the instance asked less
 * than half a try ago (coalesce.c).
 */
static void
query_send(struct hecat_dial *d, int family, unsigned tries)
{
	struct dquery *dq = dquery(d, family);
	struct hecat_trace t;
	uint64_t window = d->opts.resolve_timeout_ms > 0 ?
	    ms_to_ns(d->opts.resolve_timeout_ms) / 2 : UINT64_MAX;
	int rc;

	dq->gen++;
	dq->active = true;
	dq->m.done = resolved_cb;
	dq->m.arg = dq;
	rc = hecat__cq_ask(&d->h->cq, &dq->m, qtype(family),
	    qname(d, family), window);
	/* Traced once sent: the first start may set the resolver up. */
	dq->sent = hecat__now();
	memset(&t, 0, sizeof(t));
	t.kind = HECAT_TRACE_QUERY;
	t.family = qtype(family);
	t.name = qname(d, family);
	t.tries = tries;
	t.shared = rc == 1;
	trace(d, &t);
	if (rc == -1 && dq->active)
		resolved_cb(HECAT_DNS_ERROR, NULL, 0, dq);
}

static void
query_cancel(struct hecat_dial *d, int family)
{
	struct dquery *dq = dquery(d, family);
	struct hecat_trace t;

	hecat__cq_leave(&dq->m);
	dq->active = false;
	dq->gen++;		/* an answer already queued is stale now */
	memset(&t, 0, sizeof(t));
	t.kind = HECAT_TRACE_QUERY_CANCEL;
	t.family = qtype(family);
	t.name = qname(d, family);
	trace(d, &t);
}

/*
 * The source address the kernel would use for dst (RFC 6724 Source(D)): a
 * UDP connect() on a fresh socket, bound like the real attempts.  No
 * packet is sent.  Leaves src zeroed (unusable) when there is none.
 */
static void
probe_source(struct hecat_dial *d, const struct hecat__ip *dst,
    struct hecat__ip *src)
{
	struct sockaddr_storage sa, local;
	socklen_t len;
	int fd;

	memset(src, 0, sizeof(*src));
	len = hecat__ip_to_sa(dst, d->ports[0] != 0 ? d->ports[0] : 9, &sa);
	if ((fd = socket(dst->family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return;
	if (d->opts.source != NULL) {
		/* The source address, not its port: the probe is UDP. */
		struct hecat__ip sip;

		hecat__ip_from_sa(&sip, d->opts.source);
		len = hecat__ip_to_sa(&sip, 0, &local);
		if (sip.family != dst->family ||
		    bind(fd, (struct sockaddr *)&local, len) == -1)
			goto out;
		len = hecat__ip_to_sa(dst, d->ports[0] != 0 ? d->ports[0] : 9,
		    &sa);
	}
	if (connect(fd, (struct sockaddr *)&sa, len) == -1)
		goto out;
	len = sizeof(local);
	if (getsockname(fd, (struct sockaddr *)&local, &len) == 0)
		hecat__ip_from_sa(src, (struct sockaddr *)&local);
out:
	close(fd);
}

/*
 * probe_source() for a destination of the engine: on an IPv6-only network
 * an IPv4 address is reached through NAT64, so the source is the one for
 * its synthesized address (with the Well-Known Prefix standing in while
 * the prefix is not known yet).
 */
static void
probe_dst(struct hecat_dial *d, const struct hecat__ip *dst,
    struct hecat__ip *src)
{
	struct hecat__ip v6;

	if (d->nat64 != HECAT__NAT64_OFF && dst->family == AF_INET &&
	    hecat__nat64_synthesizable(&d->pref64, dst)) {
		hecat__nat64_synthesize(&d->pref64, dst, &v6);
		probe_source(d, &v6, src);
	} else
		probe_source(d, dst, src);
}

/*
 * Whether a resolver's address may be dialed.  Not those that name no
 * host, or every host: the unspecified address (0.0.0.0/8, ::), which
 * Linux dials as the local host, so a hostile answer would reach local
 * services; multicast and the IPv4 broadcast address; and IPv4-mapped
 * IPv6 addresses (::ffff:0:0/96), which an IPv6 socket dials over IPv4,
 * behind the back of -6 and of the family interleaving.  A literal the
 * caller gives is dialed as given: this applies to answers only.
 */
static bool
answer_addr_usable(const struct sockaddr_storage *ss)
{
	const uint8_t *a;

	if (ss->ss_family == AF_INET) {
		a = (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr;
		return a[0] != 0 && (a[0] & 0xf0) != 0xe0 &&
		    !(a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255);
	}
	if (ss->ss_family == AF_INET6) {
		const struct in6_addr *a6 =
		    &((const struct sockaddr_in6 *)ss)->sin6_addr;

		return !IN6_IS_ADDR_UNSPECIFIED(a6) &&
		    !IN6_IS_ADDR_MULTICAST(a6) && !IN6_IS_ADDR_V4MAPPED(a6);
	}
	return false;
}

/* ---- connection history ------------------------------------------------- */

/* HISTORY: what history knows of one address. */
static void
trace_hist(struct hecat_dial *d, const struct hecat_hist *rec, int64_t now)
{
	struct hecat__hview v;
	struct hecat_trace t;

	hecat__hist_view(rec, now, &v);
	if (d->opts.trace == NULL || (v.rtt == 0 && !v.failed))
		return;
	memset(&t, 0, sizeof(t));
	t.kind = HECAT_TRACE_HISTORY;
	t.addr = (const struct sockaddr *)&rec->addr;
	t.addrlen = rec->addr.ss_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	t.family = rec->addr.ss_family;
	t.rtt_ns = v.rtt;
	t.reason = v.failed ? "failed" : "rtt";
	t.error = v.failed ? rec->error : 0;
	t.age_s = v.age;
	t.net_id = d->net;
	trace(d, &t);
}

/*
 * What history knows of dsts[0..n), for the engine, in one lookup.  The
 * records are traced now, or kept for the start of the dial when
 * trace_now is false (literals are looked up before the dial starts).
 */
static void
hist_lookup(struct hecat_dial *d, struct hecat__dst *dsts, size_t n,
    bool trace_now)
{
	struct hecat_hist *recs, *p;
	struct hecat__hview v;
	int64_t now = time(NULL);
	size_t i;

	if (!d->hist || n == 0 || (recs = calloc(n, sizeof(*recs))) == NULL)
		return;
	for (i = 0; i < n; i++)
		hecat__ip_to_sa(&dsts[i].ip, 0, &recs[i].addr);
	d->h->store->lookup(d->h->store_arg, d->net, recs, n);
	for (i = 0; i < n; i++) {
		hecat__hist_view(&recs[i], now, &v);
		dsts[i].rtt = v.rtt;
		dsts[i].rto = v.rto;
		dsts[i].failed = v.failed;
		if (v.rtt == 0 && !v.failed)
			continue;
		if (trace_now)
			trace_hist(d, &recs[i], now);
		else if ((p = reallocarray(d->hpending, d->nhpending + 1,
		    sizeof(*p))) != NULL) {
			d->hpending = p;
			d->hpending[d->nhpending++] = recs[i];
		}
	}
	free(recs);
}

/*
 * Errors that say something about the path to an address; not those of
 * this host (descriptors, memory, permissions, a busy source port).
 */
static bool
path_error(int err)
{
	switch (err) {
	case ECONNREFUSED:
	case ECONNRESET:
	case ECONNABORTED:
	case ETIMEDOUT:
	case EHOSTUNREACH:
	case EHOSTDOWN:
	case ENETUNREACH:
	case ENETDOWN:
		return true;
	default:
		return false;
	}
}

/* One observation of the address of sa, kept until the dial ends. */
static void
obs_push(struct hecat_dial *d, const struct sockaddr_storage *sa, int event,
    uint32_t rtt_us, int err)
{
	struct hecat_hist_obs *o;
	struct hecat__ip ip;

	if (d->nobs == d->obscap) {
		size_t cap = d->obscap == 0 ? 4 : d->obscap * 2;

		if ((o = reallocarray(d->obs, cap, sizeof(*o))) == NULL)
			return;
		d->obs = o;
		d->obscap = cap;
	}
	o = &d->obs[d->nobs++];
	memset(o, 0, sizeof(*o));
	hecat__ip_from_sa(&ip, (const struct sockaddr *)sa);
	hecat__ip_to_sa(&ip, 0, &o->addr);
	o->event = event;
	o->rtt_us = rtt_us;
	o->error = err;
	o->t = time(NULL);
}

/*
 * An outcome of attempt at, recorded when the dial ends.  A NAT64
 * attempt is kept under the IPv4 address it stands for, as the engine
 * sorts it, and under the IPv6 one it dialed: a DNS64 answer is looked
 * up by that before it is de-synthesized (and a prefix learned late
 * leaves it so).
 */
static void
hist_note(struct hecat_dial *d, const struct attempt *at, int event,
    uint32_t rtt_us, int err)
{
	if (!d->hist)
		return;
	obs_push(d, at->origlen > 0 ? &at->orig : &at->sa, event, rtt_us,
	    err);
	if (at->origlen > 0)
		obs_push(d, &at->sa, event, rtt_us, err);
}

/* The handshake's round trip: the kernel's measure, else the wait. */
static uint32_t
connect_rtt_us(const struct attempt *at)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	uint64_t us;

	memset(&ti, 0, sizeof(ti));
	if (at->fd != -1 &&
	    getsockopt(at->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 &&
	    ti.tcpi_rtt != 0)
		return ti.tcpi_rtt;
	us = (hecat__now() - at->started) / 1000;
	return us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

/*
 * Whether a reading of the host's network state taken at *at is too old
 * for a dial started at now (see nat64_setup()); if so, *at becomes now
 * for the reading the caller takes.
 */
static bool
reading_due(uint64_t *at, uint64_t now)
{
	if (*at != 0 && now - *at < NET_REUSE)
		return false;
	*at = now;
	return true;
}

/* The network history is kept for: read per dial, reused like nat64's. */
static void
hist_setup(struct hecat_dial *d)
{
	d->hist = d->opts.history != HECAT_HISTORY_OFF;
	if (!d->hist)
		return;
	if (reading_due(&d->h->netid_at, d->t0))
		d->h->netid = hecat__network_id();
	d->net = d->h->netid;
}

static void
process_answer(struct hecat_dial *d, struct inbox_item *it)
{
	struct dquery *dq = dquery(d, it->family);
	struct hecat__dst *dsts = NULL;
	struct hecat_trace t;
	size_t i, n = 0;

	if (it->gen != dq->gen)
		return;			/* for a query since abandoned */
	/* Unusable addresses are left out, as if not in the answer. */
	for (i = 0; i < it->naddrs; i++)
		if (answer_addr_usable(&it->addrs[i]))
			it->addrs[n++] = it->addrs[i];
	it->naddrs = n;
	n = 0;
	if (it->status == HECAT_DNS_OK && it->naddrs == 0)
		it->status = HECAT_DNS_NODATA;
	memset(&t, 0, sizeof(t));
	t.kind = HECAT_TRACE_ANSWER;
	t.family = qtype(it->family);
	t.name = qname(d, it->family);
	t.status = it->status;
	t.addrs = it->addrs;
	t.naddrs = it->naddrs;
	t.elapsed_ns = hecat__now() - dq->sent;
	t.dnssec = it->dnssec;
	trace(d, &t);
	if (it->naddrs > 0 &&
	    (dsts = calloc(it->naddrs, sizeof(*dsts))) != NULL) {
		for (i = 0; i < it->naddrs; i++) {
			hecat__ip_from_sa(&dsts[n].ip,
			    (struct sockaddr *)&it->addrs[i]);
			if (dsts[n].ip.family != qtype(it->family))
				continue;
			if (it->family != HECAT__PREF64)
				probe_dst(d, &dsts[n].ip, &dsts[n].src);
			n++;
		}
		if (it->family != HECAT__PREF64)
			hist_lookup(d, dsts, n, true);
	}
	hecat__engine_on_answer(d->e, hecat__now(), it->family,
	    it->naddrs > 0 && dsts == NULL ? HECAT_DNS_ERROR : it->status,
	    dsts, n);
	free(dsts);
}

/* ---- attempts -------------------------------------------------------------- */

static struct attempt *
attempt_find(struct hecat_dial *d, unsigned id)
{
	size_t i;

	for (i = 0; i < d->natt; i++)
		if (d->att[i].id == id && id != 0)
			return &d->att[i];
	return NULL;
}

/* Close an attempt's socket and free its slot. */
static void
attempt_close(struct attempt *at)
{
	if (at->ev != NULL) {
		event_free(at->ev);
		at->ev = NULL;
	}
	if (at->fd != -1) {
		close(at->fd);
		at->fd = -1;
	}
	at->id = 0;
}

static void
attempt_writable_cb(evutil_socket_t fd, short what, void *arg)
{
	struct attempt *at = arg;
	socklen_t len = sizeof(int);
	int err = 0;

	(void)what;
	/* Writable is not success: SO_ERROR says how the connect ended. */
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	push_result(at->d, at->id, err);
}

/*
 * Bind an attempt's socket to the source address and port asked for, if
 * any.  A fixed port is shared by the attempts of one family (they go to
 * different destinations), hence SO_REUSEADDR.  Returns 0 or -1 (errno).
 */
static int
attempt_bind(struct hecat_dial *d, int fd, int family)
{
	struct sockaddr_storage ss;
	struct hecat__ip ip;
	socklen_t len;
	uint16_t port;
	int one = 1;

	if (d->opts.source == NULL && d->opts.source_port == 0)
		return 0;
	memset(&ip, 0, sizeof(ip));
	ip.family = family;		/* the wildcard address */
	port = d->opts.source_port;
	if (d->opts.source != NULL) {
		hecat__ip_from_sa(&ip, d->opts.source);
		if (port == 0)
			port = hecat__sa_port(d->opts.source);
	}
	len = hecat__ip_to_sa(&ip, port, &ss);
	if (port != 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1)
		return -1;
	return bind(fd, (struct sockaddr *)&ss, len);
}

static const char *
start_reason(int why)
{
	switch (why) {
	case HECAT__WHY_FIRST:
		return "first";
	case HECAT__WHY_DELAY:
		return "attempt_delay";
	case HECAT__WHY_FAILED:
		return "previous_failed";
	default:
		return "answer";
	}
}

/*
 * Start attempt a->id: a non-blocking connect.  Whether it completes or
 * fails at once or later, the outcome reaches the engine the same way,
 * through the inbox.
 */
static void
attempt_start(struct hecat_dial *d, const struct hecat__action *a)
{
	struct attempt *at = NULL;
	size_t i;
	int fd;

	for (i = 0; at == NULL && i < d->natt; i++)
		if (d->att[i].id == 0)
			at = &d->att[i];
	if (at == NULL)
		abort();		/* the engine keeps to max_inflight */
	at->id = a->id;
	at->fd = -1;
	at->started = hecat__now();
	at->salen = hecat__ip_to_sa(&a->ip, a->port, &at->sa);
	at->origlen = a->orig.family == 0 ? 0 :
	    hecat__ip_to_sa(&a->orig, a->port, &at->orig);
	at->delay = a->wait;
	at->learned = a->learned;
	trace_attempt(d, HECAT_TRACE_ATTEMPT, at, start_reason(a->why), 0);

	fd = socket(a->ip.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_TCP);
	if (fd == -1) {
		push_result(d, at->id, errno);
		return;
	}
	at->fd = fd;
	if (attempt_bind(d, fd, a->ip.family) == -1) {
		push_result(d, at->id, errno);
		return;
	}
	if (connect(fd, (struct sockaddr *)&at->sa, at->salen) == 0) {
		push_result(d, at->id, 0);
		return;
	}
	if (errno != EINPROGRESS) {
		push_result(d, at->id, errno);
		return;
	}
	at->ev = event_new(d->h->base, fd, EV_WRITE, attempt_writable_cb, at);
	if (at->ev == NULL || event_add(at->ev, NULL) == -1)
		push_result(d, at->id, ENOMEM);
}

/* Note a failed attempt for the message (each one, in order). */
static void
log_failure(struct hecat_dial *d, const struct attempt *at, int err)
{
	if (d->nfailed < MAXFAILLOG) {
		struct failed_attempt *fa = &d->failed[d->nfailed];

		hecat__ip_from_sa(&fa->ip, (const struct sockaddr *)&at->sa);
		fa->port = hecat__sa_port((const struct sockaddr *)&at->sa);
		fa->err = err;
	}
	d->nfailed++;
}

static void
attempt_cancel(struct hecat_dial *d, const struct hecat__action *a)
{
	struct attempt *at = attempt_find(d, a->id);

	if (at == NULL)
		return;
	switch (a->why) {
	case HECAT__CANCEL_TIMEOUT:
		trace_attempt(d, HECAT_TRACE_ATTEMPT_FAILED, at, "timeout",
		    ETIMEDOUT);
		log_failure(d, at, ETIMEDOUT);
		hist_note(d, at, HECAT_HIST_FAILED, 0, ETIMEDOUT);
		break;
	case HECAT__CANCEL_DEADLINE:
		trace_attempt(d, HECAT_TRACE_ATTEMPT_FAILED, at, "deadline",
		    ETIMEDOUT);
		log_failure(d, at, ETIMEDOUT);
		break;
	case HECAT__CANCEL_LOST:
		trace_attempt(d, HECAT_TRACE_ATTEMPT_CANCELLED, at, "lost", 0);
		/* It had a head start and still lost: slower, or dead. */
		if (at->started < d->won_started)
			hist_note(d, at, HECAT_HIST_LOST, 0, 0);
		break;
	default:
		trace_attempt(d, HECAT_TRACE_ATTEMPT_CANCELLED, at,
		    "cancelled", 0);
		break;
	}
	attempt_close(at);
}

static void
process_result(struct hecat_dial *d, const struct inbox_item *it)
{
	struct attempt *at = attempt_find(d, it->id);

	if (at == NULL)
		return;			/* cancelled since: already closed */
	if (it->err != 0) {
		trace_attempt(d, HECAT_TRACE_ATTEMPT_FAILED, at, "error",
		    it->err);
		log_failure(d, at, it->err);
		if (path_error(it->err))
			hist_note(d, at, HECAT_HIST_FAILED, 0, it->err);
		attempt_close(at);
		hecat__engine_on_attempt(d->e, hecat__now(), it->id, it->err);
		return;
	}
	trace_attempt(d, HECAT_TRACE_CONNECTED, at, NULL, 0);
	hist_note(d, at, HECAT_HIST_CONNECTED, connect_rtt_us(at), 0);
	if (!hecat__engine_on_attempt(d->e, hecat__now(), it->id, 0))
		attempt_close(at);
	else if (d->won_started == 0)
		d->won_started = at->started;
}

/* ---- the end of a dial ------------------------------------------------------ */

struct strbuf {
	char	*s;
	size_t	 len, off;
};

static void
sb_printf(struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (sb->off >= sb->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(sb->s + sb->off, sb->len - sb->off, fmt, ap);
	va_end(ap);
	if (n > 0)
		sb->off += (size_t)n;
}

/*
 * The ports, the first MAXMSGPORTS of them: 1,024 five-digit ports would
 * fill the message before it says what went wrong.
 */
static void
sb_ports(struct strbuf *sb, const struct hecat_dial *d)
{
	size_t i;

	sb_printf(sb, " port%s ", d->nports > 1 ? "s" : "");
	for (i = 0; i < d->nports && i < MAXMSGPORTS; i++)
		sb_printf(sb, "%s%u", i ? "," : "", d->ports[i]);
	if (d->nports > MAXMSGPORTS)
		sb_printf(sb, " and %zu more", d->nports - MAXMSGPORTS);
}

static const char *
dns_answer_text(const struct hecat_dial *d, int family)
{
	enum hecat_dns_status st;

	switch (hecat__engine_query(d->e, family, &st)) {
	case HECAT__Q_DONE:
		return hecat_dns_status_name(st);
	case HECAT__Q_UNUSED:
		return "not asked";
	default:
		return "no answer";
	}
}

static int
dns_status_of(const struct hecat_dial *d, int family)
{
	enum hecat_dns_status st;

	if (hecat__engine_query(d->e, family, &st) == HECAT__Q_DONE)
		return (int)st;
	return -1;
}

/*
 * The failures of a dial, in the order tried, and the one-line message
 * naming each address and its reason.
 */
static size_t
collect_failures(struct hecat_dial *d, struct hecat_failure **out)
{
	struct hecat__addr_info info;
	struct hecat_failure *f;
	size_t *idx, n, i;

	*out = NULL;
	n = hecat__engine_naddrs(d->e);
	if (n == 0)
		return 0;
	idx = calloc(n, sizeof(*idx));
	f = calloc(n, sizeof(*f));
	if (idx == NULL || f == NULL) {
		free(idx);
		free(f);
		return 0;
	}
	n = hecat__engine_order(d->e, idx, n);
	for (i = 0; i < n; i++) {
		hecat__engine_addr(d->e, idx[i], &info);
		hecat__ip_to_sa(&info.dst.ip,
		    info.error != 0 ? info.error_port : d->ports[0],
		    &f[i].addr);
		f[i].attempts = info.attempts;
		f[i].error = info.error;
	}
	free(idx);
	*out = f;
	return n;
}

static void
build_message(struct hecat_dial *d, int status,
    const struct hecat_failure *f, size_t nf, char *buf, size_t len)
{
	struct strbuf sb = { buf, len, 0 };
	char a[HECAT__IP_FMTLEN + 8];
	size_t i, tried = 0;

	buf[0] = '\0';
	if (d->early_err != 0) {
		sb_printf(&sb, "'%s': %s", d->given, d->early_why);
		return;
	}
	for (i = 0; i < nf; i++)
		tried += f[i].attempts > 0;
	sb_printf(&sb, "%s", d->given);
	sb_ports(&sb, d);
	switch (status) {
	case HECAT_E_NOHOST:
	case HECAT_E_DNS:
		sb_printf(&sb, ": %s (AAAA: %s, A: %s)",
		    status == HECAT_E_NOHOST ? "no address associated with name"
		    : "name resolution failed", dns_answer_text(d, AF_INET6),
		    dns_answer_text(d, AF_INET));
		return;
	case HECAT_E_DNSSEC:
		sb_printf(&sb, ": DNSSEC validation failed (AAAA: %s, A: %s)",
		    dns_answer_text(d, AF_INET6), dns_answer_text(d, AF_INET));
		return;
	case HECAT_E_NOADDR:
		sb_printf(&sb, ": no %s address", d->opts.family == AF_INET ?
		    "IPv4" : d->opts.family == AF_INET6 ? "IPv6" : "usable");
		return;
	case HECAT_E_TIMEOUT:
		sb_printf(&sb, ": timed out after %u ms", d->opts.timeout_ms);
		if (tried == 0 && d->host[0] != '\0')
			sb_printf(&sb, " (AAAA: %s, A: %s)",
			    dns_answer_text(d, AF_INET6),
			    dns_answer_text(d, AF_INET));
		break;
	case HECAT_E_CANCELLED:
		sb_printf(&sb, ": cancelled");
		return;
	default:
		if (d->nfailed == 1)
			sb_printf(&sb, ": connect failed");
		else
			sb_printf(&sb, ": all %zu attempts failed",
			    d->nfailed);
		break;
	}
	/* Each failed attempt, in order, with its reason. */
	for (i = 0; i < d->nfailed && i < MAXFAILLOG; i++) {
		const struct failed_attempt *fa = &d->failed[i];

		hecat__ip_fmt_port(&fa->ip, fa->port, a, sizeof(a));
		sb_printf(&sb, "%s %s (%s)", i ? "," : ":", a,
		    fa->err == ETIMEDOUT ? "timed out" : strerror(fa->err));
	}
	if (d->nfailed > MAXFAILLOG)
		sb_printf(&sb, ", and %zu more", d->nfailed - MAXFAILLOG);
	if (tried < nf && status == HECAT_E_TIMEOUT)
		sb_printf(&sb, "; %zu address%s not tried", nf - tried,
		    nf - tried == 1 ? "" : "es");
	if (sb.off >= len && len > 4)
		strcpy(buf + len - 4, "...");
}

static void	dial_free(struct hecat_dial *);

/* DONE: close what is left, tell the caller, free the dial. */
static void
dial_done(struct hecat_dial *d, const struct hecat__action *a)
{
	struct hecat_result r;
	struct hecat_failure *f = NULL;
	struct attempt *at;
	struct hecat_trace t;
	char *msg = NULL;
	size_t nf = 0, i;

	memset(&r, 0, sizeof(r));
	r.err = a != NULL ? a->status : d->early_err;
	r.fd = -1;
	r.host = d->given;
	if (a != NULL && a->status == HECAT_OK &&
	    (at = attempt_find(d, a->id)) != NULL) {
		r.fd = at->fd;
		r.addr = (const struct sockaddr *)&at->sa;
		r.addrlen = at->salen;
		at->fd = -1;		/* the caller's now */
	}
	r.aaaa_status = r.a_status = -1;
	if (d->e != NULL) {
		nf = collect_failures(d, &f);
		for (i = 0; i < nf; i++)
			r.attempts += f[i].attempts;
		r.aaaa_status = dns_status_of(d, AF_INET6);
		r.a_status = dns_status_of(d, AF_INET);
	}
	r.failures = f;
	r.nfailures = nf;
	if (r.err != HECAT_OK && (msg = malloc(MSGLEN)) != NULL) {
		build_message(d, r.err, f, nf, msg, MSGLEN);
		r.message = msg;
	} else if (r.err != HECAT_OK)
		r.message = hecat_strerror(r.err);
	r.elapsed_ns = hecat__now() - d->t0;

	if (d->nobs > 0)
		d->h->store->record(d->h->store_arg, d->net, d->obs, d->nobs);

	memset(&t, 0, sizeof(t));
	t.kind = HECAT_TRACE_DONE;
	t.status = r.err;
	t.id = a != NULL ? a->id : 0;
	t.addr = r.addr;
	t.addrlen = r.addrlen;
	trace(d, &t);

	/* Detach first: the callback may free the instance. */
	TAILQ_REMOVE(&d->h->dials, d, entry);
	d->h = NULL;
	if (!d->cancelling)
		d->cb(&r, d->arg);
	free(msg);
	free(f);
	dial_free(d);
}

/* ---- NAT64 -------------------------------------------------------------------- */

static void
trace_nat64(struct hecat_dial *d, const struct hecat__prefix64 *p,
    const char *why)
{
	char buf[HECAT__IP_FMTLEN + 8];
	struct hecat_trace t;

	memset(&t, 0, sizeof(t));
	t.kind = HECAT_TRACE_NAT64;
	t.prefix = p != NULL ? hecat__nat64_prefix_fmt(p, buf, sizeof(buf)) :
	    NULL;
	t.reason = why;
	trace(d, &t);
}

/* The prefix query settled: keep what it found for the next dials. */
static void
nat64_found(struct hecat_dial *d, const struct hecat__action *a)
{
	if (a->plen == 0) {
		d->nat64 = HECAT__NAT64_OFF;
		trace_nat64(d, NULL, "none");
		return;
	}
	d->nat64 = HECAT__NAT64_KNOWN;
	d->pref64.ip = a->ip;
	d->pref64.len = a->plen;
	d->h->pref64 = d->pref64;
	trace_nat64(d, &d->pref64, "discovered");
}

static void
trace_desynth(struct hecat_dial *d, const struct hecat__action *a)
{
	struct sockaddr_storage v6, v4;
	struct hecat_trace t;

	memset(&t, 0, sizeof(t));
	t.kind = HECAT_TRACE_DESYNTH;
	t.addrlen = hecat__ip_to_sa(&a->ip, 0, &v6);
	t.addr = (const struct sockaddr *)&v6;
	t.origlen = hecat__ip_to_sa(&a->orig, 0, &v4);
	t.orig = (const struct sockaddr *)&v4;
	t.family = AF_INET6;
	trace(d, &t);
}

/*
 * Per dial: is this an IPv6-only network (HEv3 connectivity), and is the
 * NAT64 prefix known (the option, or an earlier dial's discovery)?
 */
static void
nat64_setup(struct hecat_dial *d)
{
	const char *why;

	d->nat64 = HECAT__NAT64_OFF;
	hecat__nat64_wkp(&d->pref64);
	if (d->opts.nat64 == HECAT_NAT64_OFF) {
		d->net6 = d->net4 = true;	/* not looked at */
		return;
	}
	/*
	 * Read per dial; only dials started within NET_REUSE of the last
	 * reading share it (a burst, a tight loop: the reading costs about
	 * as much as a dial on loopback).
	 */
	if (reading_due(&d->h->net_at, d->t0))
		hecat__connectivity(&d->h->net6, &d->h->net4);
	d->net6 = d->h->net6;
	d->net4 = d->h->net4;
	if (d->opts.nat64_prefix != NULL &&
	    hecat__nat64_prefix_parse(&d->pref64, d->opts.nat64_prefix,
	    &why) == -1) {
		if (d->early_err == 0) {
			d->early_err = HECAT_E_INVAL;
			d->early_why = "invalid NAT64 prefix";
		}
		hecat__nat64_wkp(&d->pref64);
		return;
	}
	if (!d->net6 || d->net4 || d->opts.family == AF_INET6)
		return;
	if (d->opts.nat64_prefix != NULL) {
		d->nat64 = HECAT__NAT64_KNOWN;
		d->nat64_why = "option";
	} else if (d->h->pref64.len != 0) {
		d->pref64 = d->h->pref64;
		d->nat64 = HECAT__NAT64_KNOWN;
		d->nat64_why = "cached";
	} else
		d->nat64 = HECAT__NAT64_DISCOVER;
}

/*
 * Carry out the engine's actions.  Returns false when the dial ended (and
 * was freed), true otherwise, with the timer armed at the next deadline.
 */
static bool
perform(struct hecat_dial *d)
{
	struct hecat__action a;
	struct timeval tv;
	uint64_t deadline, now, us;

	while (hecat__engine_next_action(d->e, &a)) {
		switch (a.kind) {
		case HECAT__ACT_QUERY:
			query_send(d, a.family, a.tries);
			break;
		case HECAT__ACT_QUERY_CANCEL:
			query_cancel(d, a.family);
			break;
		case HECAT__ACT_RD_WAIT: {
			struct hecat_trace t;

			memset(&t, 0, sizeof(t));
			t.kind = HECAT_TRACE_RD_WAIT;
			t.family = a.family;
			t.wait_ns = a.wait;
			t.reason = a.learned ? "history" : "first_answer";
			trace(d, &t);
			break;
		}
		case HECAT__ACT_ORDER:
			trace_order(d);
			break;
		case HECAT__ACT_ATTEMPT:
			attempt_start(d, &a);
			break;
		case HECAT__ACT_CANCEL:
			attempt_cancel(d, &a);
			break;
		case HECAT__ACT_DONE:
			dial_done(d, &a);
			return false;
		case HECAT__ACT_NAT64:
			nat64_found(d, &a);
			break;
		case HECAT__ACT_DESYNTH:
			trace_desynth(d, &a);
			break;
		}
	}

	/* One timer, at the engine's next deadline; never a periodic tick. */
	deadline = hecat__engine_next_deadline(d->e);
	if (deadline == HECAT__NEVER) {
		evtimer_del(d->timer);
		return true;
	}
	now = hecat__now();
	us = deadline > now ? (deadline - now + 999) / 1000 : 0;
	tv.tv_sec = (time_t)(us / 1000000);
	tv.tv_usec = (suseconds_t)(us % 1000000);
	evtimer_add(d->timer, &tv);
	return true;
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hecat_dial *d = arg;

	(void)fd;
	(void)what;
	/* Early (a coarse event-loop clock): perform() re-arms for the rest. */
	hecat__engine_on_timeout(d->e, hecat__now());
	perform(d);
}

static void
kick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hecat_dial *d = arg;
	struct inbox_item it;
	struct hecat_trace t;
	size_t i;

	(void)fd;
	(void)what;
	if (d->early_err != 0) {
		dial_done(d, NULL);
		return;
	}
	if (!d->started) {
		d->started = true;
		memset(&t, 0, sizeof(t));
		t.kind = HECAT_TRACE_START;
		trace(d, &t);
		memset(&t, 0, sizeof(t));
		t.kind = HECAT_TRACE_NETWORK;
		t.net_inet6 = d->net6;
		t.net_inet = d->net4;
		t.reason = d->nat64 != HECAT__NAT64_OFF ? "nat64" : "native";
		t.net_id = d->net;
		trace(d, &t);
		for (i = 0; i < d->nhpending; i++)
			trace_hist(d, &d->hpending[i], time(NULL));
		if (d->nat64 == HECAT__NAT64_KNOWN)
			trace_nat64(d, &d->pref64, d->nat64_why);
		hecat__engine_start(d->e, hecat__now());
		if (!perform(d))
			return;
	}
	while (d->ilen > 0) {
		it = d->inbox[d->ihead];
		d->ihead = (d->ihead + 1) % d->icap;
		d->ilen--;
		if (it.kind == INBOX_ANSWER)
			process_answer(d, &it);
		else
			process_result(d, &it);
		free(it.addrs);
		if (!perform(d))
			return;
	}
}

/* ---- dials ------------------------------------------------------------------- */

static void
dial_free(struct hecat_dial *d)
{
	size_t i;

	for (i = 0; i < 3; i++)		/* the engine cancelled them */
		hecat__cq_leave(&d->q[i].m);
	for (i = 0; i < d->natt; i++)
		if (d->att[i].id != 0 || d->att[i].fd != -1)
			attempt_close(&d->att[i]);
	for (i = 0; i < d->ilen; i++)
		free(d->inbox[(d->ihead + i) % d->icap].addrs);
	if (d->timer != NULL)
		event_free(d->timer);
	if (d->kick != NULL)
		event_free(d->kick);
	hecat__engine_free(d->e);
	free(d->hpending);
	free(d->obs);
	free(d->att);
	free(d->inbox);
	free(d->ports);
	free(d->given);
	free(d);
}

/* A dial with its events and slots; the engine comes later. */
static struct hecat_dial *
dial_new(struct hecat *h, const char *given, const uint16_t *ports,
    size_t nports, const struct hecat_opts *opts, hecat_dial_cb cb,
    void *arg)
{
	struct hecat_dial *d;
	size_t i;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->h = h;
	d->cb = cb;
	d->arg = arg;
	d->t0 = hecat__now();
	opts_merge(&d->opts, &h->defaults, opts);
	if (d->opts.max_inflight == 0)
		d->opts.max_inflight = 1;
	d->natt = d->opts.max_inflight;
	d->icap = d->natt * 2 + 4;
	d->nports = nports;
	for (i = 0; i < 3; i++) {
		d->q[i].d = d;
		d->q[i].family = i == 0 ? AF_INET6 : i == 1 ? AF_INET :
		    HECAT__PREF64;
	}
	d->given = strdup(given);
	d->ports = calloc(nports, sizeof(*d->ports));
	d->att = calloc(d->natt, sizeof(*d->att));
	d->inbox = calloc(d->icap, sizeof(*d->inbox));
	d->timer = evtimer_new(h->base, timer_cb, d);
	d->kick = event_new(h->base, -1, 0, kick_cb, d);
	if (d->given == NULL || d->ports == NULL || d->att == NULL ||
	    d->inbox == NULL || d->timer == NULL || d->kick == NULL) {
		dial_free(d);
		errno = ENOMEM;
		return NULL;
	}
	memcpy(d->ports, ports, nports * sizeof(*ports));
	for (i = 0; i < d->natt; i++) {
		d->att[i].d = d;
		d->att[i].fd = -1;
	}
	if (d->opts.source != NULL) {
		int sfam = d->opts.source->sa_family;

		if ((sfam != AF_INET || d->opts.source_len <
		    sizeof(struct sockaddr_in)) && (sfam != AF_INET6 ||
		    d->opts.source_len < sizeof(struct sockaddr_in6))) {
			d->early_err = HECAT_E_INVAL;
			d->early_why = "source address is not IPv4 or IPv6";
			d->opts.source = NULL;
		} else {
			d->opts.source_len = sfam == AF_INET ?
			    sizeof(struct sockaddr_in) :
			    sizeof(struct sockaddr_in6);
			memcpy(&d->source, d->opts.source, d->opts.source_len);
			/* The caller's memory may go: use our copy. */
			d->opts.source = (const struct sockaddr *)&d->source;
			/* A source decides the family. */
			if (d->opts.family == AF_UNSPEC)
				d->opts.family = d->source.ss_family;
			else if (d->opts.family != d->source.ss_family) {
				d->early_err = HECAT_E_INVAL;
				d->early_why = "source address of the other "
				    "family";
			}
		}
	}
	nat64_setup(d);
	hist_setup(d);
	TAILQ_INSERT_TAIL(&h->dials, d, entry);
	kick(d);
	return d;
}

/* Start the engine for d, or fail it at the first kick. */
static struct hecat_dial *
dial_engine(struct hecat_dial *d, struct hecat__engine *e)
{
	if (e == NULL && d->early_err == 0) {
		d->early_err = errno == ENOMEM ? HECAT_E_SYSTEM : HECAT_E_INVAL;
		d->early_why = errno == ENOMEM ? "out of memory" :
		    "invalid options";
	}
	d->e = e;
	return d;
}

static bool
args_ok(struct hecat *h, const void *what, size_t n, hecat_dial_cb cb)
{
	if (h == NULL || what == NULL || n == 0 || cb == NULL) {
		errno = EINVAL;
		return false;
	}
	return true;
}

/* connect_ip with a display name for messages and traces. */
static struct hecat_dial *
connect_endpoints(struct hecat *h, const char *given,
    const struct sockaddr_storage *addrs, size_t n,
    const struct hecat_opts *opts, hecat_dial_cb cb, void *arg)
{
	struct hecat__engine_cfg cfg;
	struct hecat__endpoint *eps;
	struct hecat_dial *d;
	uint16_t *ports;
	size_t i;
	bool v4 = false;

	if ((eps = calloc(n, sizeof(*eps))) == NULL ||
	    (ports = calloc(n, sizeof(*ports))) == NULL) {
		free(eps);
		return NULL;
	}
	for (i = 0; i < n; i++)
		ports[i] = hecat__sa_port((const struct sockaddr *)&addrs[i]);
	d = dial_new(h, given, ports, n, opts, cb, arg);
	free(ports);
	if (d == NULL) {
		free(eps);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		hecat__ip_from_sa(&eps[i].dst.ip,
		    (const struct sockaddr *)&addrs[i]);
		eps[i].port = hecat__sa_port((const struct sockaddr *)&addrs[i]);
		if (eps[i].dst.ip.family != 0) {
			probe_dst(d, &eps[i].dst.ip, &eps[i].dst.src);
			hist_lookup(d, &eps[i].dst, 1, false);
		}
		if (eps[i].dst.ip.family == AF_INET)
			v4 = true;
	}
	dial_engine_cfg(d, &cfg);
	/* No IPv4 endpoint, nothing to synthesize: no prefix discovery. */
	if (!v4 && cfg.nat64 == HECAT__NAT64_DISCOVER)
		cfg.nat64 = HECAT__NAT64_OFF;
	d = dial_engine(d, d->early_err ? NULL : hecat__engine_new_ip(&cfg,
	    eps, n));
	free(eps);
	return d;
}

struct hecat_dial *
hecat_connect_ip(struct hecat *h, const struct sockaddr_storage *addrs,
    size_t n, const struct hecat_opts *opts, hecat_dial_cb cb, void *arg)
{
	struct hecat__ip ip;
	char name[HECAT__IP_FMTLEN];

	if (!args_ok(h, addrs, n, cb))
		return NULL;
	hecat__ip_from_sa(&ip, (const struct sockaddr *)&addrs[0]);
	hecat__ip_fmt(&ip, name, sizeof(name));
	return connect_endpoints(h, name, addrs, n, opts, cb, arg);
}

struct hecat_dial *
hecat_connect_host(struct hecat *h, const char *host, const uint16_t *ports,
    size_t nports, const struct hecat_opts *opts, hecat_dial_cb cb,
    void *arg)
{
	struct hecat__engine_cfg cfg;
	struct hecat_dial *d;

	if (!args_ok(h, ports, nports, cb) || host == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if ((d = dial_new(h, host, ports, nports, opts, cb, arg)) == NULL)
		return NULL;
	if (d->early_err == 0 &&
	    hecat__host_normalize(host, d->host, &d->early_why) == -1)
		d->early_err = HECAT_E_INVAL;
	dial_engine_cfg(d, &cfg);
	return dial_engine(d, d->early_err ? NULL :
	    hecat__engine_new_host(&cfg, ports, nports));
}

struct hecat_dial *
hecat_connect(struct hecat *h, const char *host, const uint16_t *ports,
    size_t nports, const struct hecat_opts *opts, hecat_dial_cb cb,
    void *arg)
{
	struct sockaddr_storage *addrs;
	struct hecat_dial *d;
	struct hecat__ip ip;
	size_t i;

	if (!args_ok(h, ports, nports, cb) || host == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if (hecat__ip_parse(&ip, host) == -1) {
		if (errno != ENODEV)
			return hecat_connect_host(h, host, ports, nports,
			    opts, cb, arg);
		/* An IPv6 literal whose %zone names no interface. */
		if ((d = dial_new(h, host, ports, nports, opts, cb, arg)) ==
		    NULL)
			return NULL;
		if (d->early_err == 0) {
			d->early_err = HECAT_E_INVAL;
			d->early_why = "no such interface for the IPv6 zone";
		}
		return dial_engine(d, NULL);
	}
	if ((addrs = calloc(nports, sizeof(*addrs))) == NULL)
		return NULL;
	for (i = 0; i < nports; i++)
		hecat__ip_to_sa(&ip, ports[i], &addrs[i]);
	d = connect_endpoints(h, host, addrs, nports, opts, cb, arg);
	free(addrs);
	return d;
}

void
hecat_dial_cancel(struct hecat_dial *d)
{
	/* NULL, or inside its own callback: nothing left to cancel. */
	if (d == NULL || d->h == NULL)
		return;
	d->cancelling = true;
	if (d->e == NULL || !d->started) {
		TAILQ_REMOVE(&d->h->dials, d, entry);
		dial_free(d);
		return;
	}
	/* Through the engine, so the trace tells what was abandoned. */
	hecat__engine_abort(d->e, hecat__now());
	perform(d);
}

/* ---- instances ---------------------------------------------------------------- */

static void
store_free(struct hecat *h)
{
	if (h->store->free != NULL)
		h->store->free(h->store_arg);
}

struct hecat *
hecat_new(struct event_base *base, const struct hecat_config *cfg0)
{
	struct hecat_config cfg;
	struct hecat *h;
	void *rarg;

	if (base == NULL) {
		errno = EINVAL;
		return NULL;
	}
	hecat_config_init(&cfg);
	if (cfg0 != NULL && cfg0->size >= sizeof(cfg0->size))
		memcpy(&cfg, cfg0, cfg0->size < sizeof(cfg) ? cfg0->size :
		    sizeof(cfg));
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->base = base;
	TAILQ_INIT(&h->dials);
	opts_defaults(&h->defaults);
	opts_merge(&h->defaults, &h->defaults, cfg.defaults);
	if (cfg.store != NULL) {
		if (cfg.store->lookup == NULL || cfg.store->record == NULL) {
			free(h);
			errno = EINVAL;
			return NULL;
		}
		h->store = cfg.store;
		h->store_arg = cfg.store_arg;
	} else {
		h->store = cfg.history_file != NULL ? &hecat__store_file :
		    &hecat__store_mem;
		h->store_arg = cfg.history_file != NULL ?
		    hecat__store_file_new(cfg.history_file) :
		    hecat__store_mem_new();
		if (h->store_arg == NULL) {
			free(h);
			errno = ENOMEM;
			return NULL;
		}
	}
	if (cfg.resolver != NULL) {
		if (cfg.resolver->start == NULL || cfg.resolver->cancel ==
		    NULL) {
			store_free(h);
			free(h);
			errno = EINVAL;
			return NULL;
		}
		hecat__cq_init(&h->cq, cfg.resolver, cfg.resolver_arg);
		return h;
	}
	if ((rarg = hecat__getdns_new(base, &cfg)) == NULL) {
		int saved = errno;

		store_free(h);
		free(h);
		errno = saved;
		return NULL;
	}
	hecat__cq_init(&h->cq, &hecat__getdns_resolver, rarg);
	return h;
}

void
hecat_free(struct hecat *h)
{
	struct hecat_dial *d;

	if (h == NULL)
		return;
	while ((d = TAILQ_FIRST(&h->dials)) != NULL)
		hecat_dial_cancel(d);
	if (h->cq.res->free != NULL)
		h->cq.res->free(h->cq.rarg);
	store_free(h);
	free(h);
}

/* ---- hecat_dial_sync ------------------------------------------------------------- */

struct sync_state {
	bool	 done;
	int	 fd;
	int	 err;
	char	*errbuf;
	size_t	 errlen;
};

static void
sync_cb(const struct hecat_result *r, void *arg)
{
	struct sync_state *st = arg;

	st->done = true;
	st->fd = r->fd;
	st->err = r->err;
	if (r->err != HECAT_OK && st->errlen > 0)
		snprintf(st->errbuf, st->errlen, "%s", r->message);
}

int
hecat_dial_sync(const char *host, const uint16_t *ports, size_t nports,
    const struct hecat_config *config, const struct hecat_opts *opts,
    char *errbuf, size_t errlen)
{
	struct sync_state st = { false, -1, HECAT_E_SYSTEM, errbuf, errlen };
	struct event_config *ecfg;
	struct event_base *base = NULL;
	struct hecat *h = NULL;
	int flags;

	if (errlen > 0)
		errbuf[0] = '\0';
	/* A precise clock: the attempt delays are tens of milliseconds. */
	if ((ecfg = event_config_new()) != NULL) {
		event_config_set_flag(ecfg, EVENT_BASE_FLAG_PRECISE_TIMER);
		event_config_set_flag(ecfg, EVENT_BASE_FLAG_IGNORE_ENV);
		base = event_base_new_with_config(ecfg);
		event_config_free(ecfg);
	}
	if (base == NULL || (h = hecat_new(base, config)) == NULL) {
		st.err = errno == EINVAL ? HECAT_E_INVAL : HECAT_E_SYSTEM;
		if (errlen > 0)
			snprintf(errbuf, errlen, "cannot set up: %s",
			    strerror(errno));
		goto out;
	}
	if (hecat_connect(h, host, ports, nports, opts, sync_cb, &st) ==
	    NULL) {
		st.err = errno == EINVAL ? HECAT_E_INVAL : HECAT_E_SYSTEM;
		if (errlen > 0)
			snprintf(errbuf, errlen, "cannot dial: %s",
			    strerror(errno));
		goto out;
	}
	while (!st.done && event_base_loop(base, EVLOOP_ONCE) == 0)
		;
	if (st.fd != -1 && (flags = fcntl(st.fd, F_GETFL)) != -1)
		fcntl(st.fd, F_SETFL, flags & ~O_NONBLOCK);
out:
	hecat_free(h);
	if (base != NULL)
		event_base_free(base);
	return st.fd != -1 ? st.fd : st.err;
}
