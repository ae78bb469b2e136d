/*
 * dial.c - a dial's life: created by the hecat_connect*() entry points,
 * driven by its inbox, its kick and its timer, ended by the engine's
 * DONE or by hecat_dial_cancel().
 *
 * Everything that happens to a dial (a resolver's answer, an attempt
 * that passed or failed, at once or later) is posted to its inbox and
 * handed to the engine from the kick event, never from inside the code
 * that performs the engine's actions: the engine is never re-entered,
 * and the caller's callback never runs inside hecat_connect*().
 *
 *	event (answer, stage, timer) -> inbox -> kick -> engine -> actions
 *	actions: QUERY, QUERY_CANCEL -> query.c; ATTEMPT, CANCEL ->
 *	         attempt.c; notes -> emit.c; DONE -> result, callback, free
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "adapter.h"
#include "clock.h"
#include "opts.h"

#define MSGLEN		4096

/* ---- the inbox ----------------------------------------------------------- */

void
hecat__inbox_post(struct hecat_dial *d, struct hecat__inbox_item *place,
    const struct hecat__inbox_item *it)
{
	hecat__inbox_drop(place);
	*place = *it;
	place->queued = true;
	place->seq = ++d->seq;
	event_active(d->kick, EV_TIMEOUT, 0);
}

void
hecat__inbox_drop(struct hecat__inbox_item *place)
{
	if (place->queued)
		free(place->addrs);
	place->addrs = NULL;
	place->queued = false;
}

/* The item posted first, taken from its place; false when none is. */
static bool
inbox_take(struct hecat_dial *d, struct hecat__inbox_item *out)
{
	struct hecat__inbox_item *first = NULL, *p;
	size_t i;

	for (i = 0; i < d->natt + HECAT__NQUERIES + 1; i++) {
		p = i < d->natt ? &d->att[i].in : i < d->natt +
		    HECAT__NQUERIES ? &d->q[i - d->natt].in : &d->orphan;
		if (p->queued && (first == NULL || p->seq < first->seq))
			first = p;
	}
	if (first == NULL)
		return false;
	*out = *first;
	first->queued = false;
	first->addrs = NULL;		/* out's now */
	return true;
}

/* ---- the end ------------------------------------------------------------- */

static void
report_ctx(const struct hecat_dial *d, struct hecat__report_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->given = d->given;
	c->early = d->fail_why;
	c->literal = d->host[0] == '\0';
	c->endpoints = d->eps != NULL;
	c->eps = d->eps;
	c->neps = d->neps;
	c->ports = d->ports;
	c->nports = d->nports;
	c->family = d->opts.family;
	c->timeout_ms = d->opts.timeout_ms;
	c->e = d->e;
	if (d->opts.proxy != HECAT_PROXY_NONE) {
		snprintf(c->via, sizeof(c->via), "%s proxy %s%s%s:%u",
		    d->opts.proxy == HECAT_PROXY_SOCKS5 ? "socks5" :
		    d->opts.proxy == HECAT_PROXY_SOCKS4 ? "socks4" : "http",
		    strchr(d->phost, ':') != NULL ? "[" : "", d->phost,
		    strchr(d->phost, ':') != NULL ? "]" : "", d->pport);
		c->dns_proxy = !d->plocal;
		c->literal = d->plocal ? d->host[0] == '\0' :
		    d->host[0] == '\0';
		c->endpoints = false;
	}
}

static int
dns_status_of(const struct hecat_dial *d, int family)
{
	enum hecat_dns_status st;

	if (d->e != NULL &&
	    hecat__engine_query(d->e, family, &st) == HECAT__Q_DONE)
		return (int)st;
	return -1;
}

static void	dial_free(struct hecat_dial *);

/*
 * The dial is over (a: the engine's DONE; NULL: it never ran): the
 * result, history's record, the last trace event, the callback, free.
 * Returns false, and the dial goes on, when the winner has stages the
 * race did not count: they run first.
 */
static bool
dial_done(struct hecat_dial *d, const struct hecat__action *a)
{
	struct hecat__report_ctx c;
	struct hecat__attempt *at = NULL;
	struct hecat_result r;
	struct hecat_failure *f = NULL;
	char *msg = NULL;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.err = d->fail_err != 0 ? d->fail_err : a->status;
	r.fd = -1;
	r.host = d->given;
	if (r.err == HECAT_OK && (at = hecat__attempt_find(d, a->id)) != NULL) {
		if (!d->finishing && hecat__attempt_finish(at)) {
			d->finishing = true;
			d->done = *a;
			return false;
		}
		r.fd = hecat__attempt_take(at, &r.tls);
		r.addr = (const struct sockaddr *)&at->sa;
		r.addrlen = at->salen;
		if (d->opts.proxy != HECAT_PROXY_NONE &&
		    at->preq.name == NULL) {
			r.target = (const struct sockaddr *)&at->preq.addr;
			r.targetlen = at->preq.addr.ss_family == AF_INET6 ?
			    sizeof(struct sockaddr_in6) :
			    sizeof(struct sockaddr_in);
		}
		if (at->boundlen > 0) {
			r.bound = (const struct sockaddr *)&at->bound;
			r.boundlen = at->boundlen;
		}
	}
	r.nfailures = hecat__report_failures(&d->report, d->e, d->ports[0],
	    &f);
	r.failures = f;
	if (r.nfailures == 0 && d->npfail > 0) {	/* the proxy's race's */
		r.failures = d->pfail;
		r.nfailures = d->npfail;
	}
	for (i = 0; i < r.nfailures; i++)
		r.attempts += r.failures[i].attempts;
	r.aaaa_status = dns_status_of(d, AF_INET6);
	r.a_status = dns_status_of(d, AF_INET);
	if (r.err != HECAT_OK) {
		report_ctx(d, &c);
		if ((msg = malloc(MSGLEN)) != NULL) {
			hecat__report_message(&d->report, &c, r.err, msg,
			    MSGLEN);
			r.message = msg;
		} else
			r.message = hecat_strerror(r.err);
	}
	r.elapsed_ns = hecat__now() - d->t0;
	hecat__hist_record(d);
	if (at != NULL)
		hecat__emit_winner(d, at, r.fd, hecat__follow_start(d));
	else {
		hecat__follow_drop(d);
		hecat__emit_dial_failed(d, r.err, r.message);
	}

	/* Detach first: the callback may free the instance. */
	TAILQ_REMOVE(&d->h->dials, d, entry);
	d->h = NULL;
	if (!d->cancelling)
		d->cb(&r, d->arg);
	free(msg);
	free(f);
	dial_free(d);
	return true;
}

/* ---- the loop -------------------------------------------------------------- */

/*
 * Carry out the engine's actions.  Returns false when the dial ended (and
 * was freed), true otherwise, with the timer armed at the next deadline.
 * A failure no engine event can say (getdns cannot be loaded) aborts
 * the engine, and the dial ends with it.
 */
static bool
perform(struct hecat_dial *d)
{
	struct hecat__action a;
	uint64_t deadline, now;
	bool aborted = false;

	for (;;) {
		if (d->fail_err != 0 && !aborted) {
			aborted = true;
			hecat__engine_abort(d->e, hecat__now());
		}
		if (!hecat__engine_next_action(d->e, &a))
			break;
		switch (a.kind) {
		case HECAT__ACT_QUERY:
			hecat__query_send(d, a.family, a.tries);
			break;
		case HECAT__ACT_QUERY_CANCEL:
			hecat__query_cancel(d, a.family);
			break;
		case HECAT__ACT_RD_WAIT:
			hecat__emit_resolution_delay(d, &a);
			break;
		case HECAT__ACT_ORDER:
			hecat__emit_candidates(d);
			break;
		case HECAT__ACT_ATTEMPT:
			hecat__attempt_start(d, &a);
			break;
		case HECAT__ACT_CANCEL:
			hecat__attempt_cancel(d, &a);
			break;
		case HECAT__ACT_DONE:
			if (dial_done(d, &a))
				return false;
			break;
		case HECAT__ACT_NAT64:
			hecat__net_prefix_found(d, &a);
			break;
		case HECAT__ACT_DESYNTH:
			hecat__emit_desynthesize(d, &a);
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
	hecat__event_add_ns(d->timer, deadline > now ? deadline - now : 0);
	return true;
}

/*
 * Hand the engine what the inbox holds, in the order it came.  Returns
 * false when the dial ended (and was freed).
 */
static bool
drain(struct hecat_dial *d)
{
	struct hecat__inbox_item it;

	while (inbox_take(d, &it)) {
		if (d->finishing && it.kind == HECAT__IN_RESULT) {
			/* The winner's last stages: the dial ends with them. */
			if (!hecat__attempt_post(d, &it))
				hecat__dial_fail(d, HECAT_E_CONNECT, NULL);
			dial_done(d, &d->done);
			return false;
		}
		if (it.kind == HECAT__IN_ANSWER)
			hecat__query_answer(d, &it);
		else
			hecat__attempt_result(d, &it);
		free(it.addrs);
		if (!perform(d))
			return false;
	}
	return true;
}

/*
 * The engine's deadline.  What came before it in the same turn of the
 * loop (an attempt that connected, its event handled just before this
 * timer's) goes to the engine first: a timer must not start an attempt
 * after the race was won.
 */
static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hecat_dial *d = arg;

	(void)fd;
	(void)what;
	if (!drain(d))
		return;
	/* Early (a coarse event-loop clock): perform() re-arms for the rest. */
	hecat__engine_on_timeout(d->e, hecat__now());
	perform(d);
}

/* The dial's first kick starts it; every kick empties the inbox. */
static void
kick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hecat_dial *d = arg;

	(void)fd;
	(void)what;
	if (!d->started) {
		d->started = true;
		hecat__emit_dial_start(d);
		if (d->fail_err == 0) {
			hecat__emit_network(d);
			hecat__hist_trace_pending(d);
			if (d->nat64 == HECAT__NAT64_KNOWN)
				hecat__emit_nat64_prefix(d, &d->pref64,
				    d->nat64_why);
		}
	}
	if (!d->running) {
		if (d->fail_err == 0 && d->opts.tls && d->tls == NULL)
			hecat__tlsdial_start(d);
		if (d->fail_err != 0) {		/* it never ran */
			dial_done(d, NULL);
			return;
		}
		if (d->e == NULL && !hecat__proxy_ready(d))
			return;			/* racing to the proxy */
		d->running = true;
		hecat__engine_start(d->e, hecat__now());
		if (!perform(d))
			return;
		hecat__tlsdial_prepare(d);
	}
	drain(d);
}

/* ---- dials -------------------------------------------------------------------- */

static void
dial_free(struct hecat_dial *d)
{
	hecat__follow_drop(d);
	hecat__proxy_free(d);
	hecat__query_free(d);		/* the engine cancelled them */
	hecat__attempts_free(d);
	hecat__inbox_drop(&d->orphan);
	if (d->timer != NULL)
		event_free(d->timer);
	if (d->kick != NULL)
		event_free(d->kick);
	hecat__engine_free(d->e);
	hecat__tlsdial_free(d);
	hecat__report_free(&d->report);
	free(d->hpending);
	free(d->obs);
	free(d->eps);
	free(d->ports);
	free(d->given);
	free(d);
}

void
hecat__dial_fail(struct hecat_dial *d, int err, const char *why)
{
	if (d->fail_err == 0) {
		d->fail_err = err;
		d->fail_why = why;
	}
}

void
hecat__dial_kick(struct hecat_dial *d)
{
	event_active(d->kick, EV_TIMEOUT, 0);
}

/*
 * The source address the options name, checked and copied (the caller's
 * memory may go); it decides the family.  Returns false with a reason.
 */
static bool
take_source(struct hecat_dial *d, const char **why)
{
	const struct sockaddr *sa = d->opts.source;
	socklen_t need;

	if (sa == NULL)
		return true;
	need = sa->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
	    sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : 0;
	d->opts.source = NULL;
	if (need == 0 || d->opts.source_len < need) {
		*why = "source address is not IPv4 or IPv6";
		return false;
	}
	memcpy(&d->source, sa, need);
	d->opts.source = (const struct sockaddr *)&d->source;
	d->opts.source_len = need;
	if (d->opts.family == AF_UNSPEC)
		d->opts.family = sa->sa_family;
	else if (d->opts.family != sa->sa_family) {
		*why = "source address of the other family";
		return false;
	}
	return true;
}

/*
 * A dial with its events and slots, started at the next kick; the engine
 * comes later.  NULL with errno ENOMEM or EINVAL (bad options).
 */
static struct hecat_dial *
dial_new(struct hecat *h, const char *given, const uint16_t *ports,
    size_t nports, const struct hecat_opts *opts, hecat_dial_cb cb,
    void *arg)
{
	struct hecat_dial *d;
	const char *why;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	if (hecat__opts_take(&d->opts, &h->defaults, opts) == -1) {
		free(d);
		errno = EINVAL;
		return NULL;
	}
	d->h = h;
	d->cb = cb;
	d->arg = arg;
	d->t0 = hecat__now();
	d->nports = nports;
	d->pfd = -1;
	hecat__query_init(d);
	d->given = strdup(given);
	d->ports = calloc(nports, sizeof(*d->ports));
	d->timer = evtimer_new(h->base, timer_cb, d);
	d->kick = event_new(h->base, -1, 0, kick_cb, d);
	if (d->given == NULL || d->ports == NULL || d->timer == NULL ||
	    d->kick == NULL || !hecat__attempts_new(d)) {
		dial_free(d);
		errno = ENOMEM;
		return NULL;
	}
	memcpy(d->ports, ports, nports * sizeof(*ports));
	if (!take_source(d, &why))
		hecat__dial_fail(d, HECAT_E_INVAL, why);
	TAILQ_INSERT_TAIL(&h->dials, d, entry);
	hecat__dial_kick(d);
	return d;
}

struct hecat_dial *
hecat__dial_engine(struct hecat_dial *d, struct hecat__engine *e)
{
	if (e == NULL && d->fail_err == 0)
		hecat__dial_fail(d, errno == ENOMEM ? HECAT_E_SYSTEM :
		    HECAT_E_INVAL, errno == ENOMEM ? "out of memory" :
		    "invalid options");
	if (d->fail_err != 0 && e != NULL) {
		hecat__engine_free(e);
		e = NULL;
	}
	d->e = e;
	return d;
}

/*
 * The engine's configuration for d, NAT64 included; its deadline counts
 * from the dial's start (a race to a proxy may have come first).
 */
static void
engine_cfg(const struct hecat_dial *d, struct hecat__engine_cfg *c)
{
	uint64_t spent = hecat__now() - d->t0;

	hecat__opts_engine_cfg(&d->opts, c);
	c->nat64 = d->nat64;
	if (d->nat64 == HECAT__NAT64_KNOWN)
		c->prefix64 = d->pref64;
	if (c->deadline != 0)
		c->deadline = spent < c->deadline ? c->deadline - spent : 1;
}

struct hecat__engine *
hecat__dial_engine_host(struct hecat_dial *d)
{
	struct hecat__engine_cfg cfg;

	engine_cfg(d, &cfg);
	return hecat__engine_new_host(&cfg, d->ports, d->nports);
}

struct hecat__engine *
hecat__dial_engine_ip(struct hecat_dial *d,
    const struct sockaddr_storage *addrs, size_t n)
{
	struct hecat__engine_cfg cfg;
	struct hecat__endpoint *eps;
	struct hecat__engine *e;
	size_t i;

	if ((eps = calloc(n, sizeof(*eps))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		hecat__ip_from_sa(&eps[i].dst.ip,
		    (const struct sockaddr *)&addrs[i]);
		eps[i].port = hecat__sa_port((const struct sockaddr *)&addrs[i]);
		hecat__probe_dst(d, &eps[i].dst.ip, &eps[i].dst.src);
		hecat__hist_lookup(d, &eps[i].dst, 1, false);
	}
	engine_cfg(d, &cfg);
	e = hecat__engine_new_ip(&cfg, eps, n);
	free(eps);
	return e;
}

/* An endpoint hecat_connect_ip() may dial: IPv4 or IPv6, and a port. */
static bool
endpoint_ok(const struct sockaddr_storage *ss)
{
	return (ss->ss_family == AF_INET || ss->ss_family == AF_INET6) &&
	    hecat__sa_port((const struct sockaddr *)ss) != 0;
}

/* d dials the endpoints addrs[0..n) directly. */
static struct hecat_dial *
start_ip(struct hecat_dial *d, const struct sockaddr_storage *addrs, size_t n)
{
	size_t i;

	for (i = 0; i < n && addrs[i].ss_family != AF_INET; i++)
		;
	hecat__net_setup(d, i < n);
	return hecat__dial_engine(d, d->fail_err ? NULL :
	    hecat__dial_engine_ip(d, addrs, n));
}

/* d dials the host name host directly. */
static struct hecat_dial *
start_host(struct hecat_dial *d, const char *host)
{
	const char *why;

	hecat__net_setup(d, true);
	if (d->fail_err == 0 &&
	    hecat__host_normalize(host, d->host, &why) == -1)
		hecat__dial_fail(d, HECAT_E_INVAL, why);
	return hecat__dial_engine(d, d->fail_err ? NULL :
	    hecat__dial_engine_host(d));
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

/* The arguments of a dial to a host on ports, none of them 0. */
static bool
host_args_ok(struct hecat *h, const char *host, const uint16_t *ports,
    size_t nports, hecat_dial_cb cb)
{
	size_t i;

	if (!args_ok(h, ports, nports, cb))
		return false;
	for (i = 0; i < nports && ports[i] != 0; i++)
		;
	if (host == NULL || i < nports) {
		errno = EINVAL;
		return false;
	}
	return true;
}

struct hecat_dial *
hecat_connect_ip(struct hecat *h, const struct sockaddr_storage *addrs,
    size_t n, const struct hecat_opts *opts, hecat_dial_cb cb, void *arg)
{
	char name[HECAT__IP_FMTLEN];
	struct hecat_dial *d;
	struct hecat__ip ip;
	uint16_t *ports;
	size_t i;

	if (!args_ok(h, addrs, n, cb))
		return NULL;
	for (i = 0; i < n; i++)
		if (!endpoint_ok(&addrs[i])) {
			errno = EINVAL;
			return NULL;
		}
	if ((ports = calloc(n, sizeof(*ports))) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		ports[i] = hecat__sa_port((const struct sockaddr *)&addrs[i]);
	hecat__ip_from_sa(&ip, (const struct sockaddr *)&addrs[0]);
	hecat__ip_fmt(&ip, name, sizeof(name));
	d = dial_new(h, name, ports, n, opts, cb, arg);
	free(ports);
	if (d == NULL)
		return NULL;
	/* The message names the endpoints. */
	if ((d->eps = calloc(n, sizeof(*d->eps))) == NULL) {
		hecat__dial_fail(d, HECAT_E_SYSTEM, "out of memory");
		return hecat__dial_engine(d, NULL);
	}
	memcpy(d->eps, addrs, n * sizeof(*addrs));
	d->neps = n;
	if (d->opts.proxy != HECAT_PROXY_NONE)
		return hecat__proxy_dial(d, NULL);
	return start_ip(d, addrs, n);
}

struct hecat_dial *
hecat_connect_host(struct hecat *h, const char *host, const uint16_t *ports,
    size_t nports, const struct hecat_opts *opts, hecat_dial_cb cb,
    void *arg)
{
	struct hecat_dial *d;

	if (!host_args_ok(h, host, ports, nports, cb) ||
	    (d = dial_new(h, host, ports, nports, opts, cb, arg)) == NULL)
		return NULL;
	if (d->opts.proxy != HECAT_PROXY_NONE)
		return hecat__proxy_dial(d, host);
	return start_host(d, host);
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

	if (!host_args_ok(h, host, ports, nports, cb) ||
	    (d = dial_new(h, host, ports, nports, opts, cb, arg)) == NULL)
		return NULL;
	if (d->opts.proxy != HECAT_PROXY_NONE)
		return hecat__proxy_dial(d, host);
	if (hecat__ip_parse(&ip, host) == -1) {
		if (errno != ENODEV)
			return start_host(d, host);
		/* An IPv6 literal whose %zone names no interface. */
		hecat__dial_fail(d, HECAT_E_INVAL,
		    "no such interface for the IPv6 zone");
		return hecat__dial_engine(d, NULL);
	}
	if ((addrs = calloc(nports, sizeof(*addrs))) == NULL) {
		hecat__dial_fail(d, HECAT_E_SYSTEM, "out of memory");
		return hecat__dial_engine(d, NULL);
	}
	for (i = 0; i < nports; i++)
		hecat__ip_to_sa(&ip, ports[i], &addrs[i]);
	d = start_ip(d, addrs, nports);
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
	if (!d->running || d->finishing) {	/* nothing for the engine */
		TAILQ_REMOVE(&d->h->dials, d, entry);
		dial_free(d);
		return;
	}
	/* Through the engine, so the trace tells what was abandoned. */
	hecat__engine_abort(d->e, hecat__now());
	perform(d);
}
