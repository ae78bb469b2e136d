/*
 * proxy.c - a dial through a proxy (hecat_opts.proxy): what each attempt
 * asks the proxy for, and which race the engine runs.
 *
 *   remote  (the proxy resolves the host; the default): the engine races
 *           the proxy's addresses (its name resolved here, or a literal),
 *           every attempt a TCP connect to one of them on the proxy's
 *           port and the proxy stage asking for the host by name (or the
 *           literal given).
 *   local   (proxy_resolve LOCAL, or hecat_connect_ip()): first a race to
 *           the proxy (a dial of the instance's own, its trace events
 *           passed on marked proxy_race), then the engine races the
 *           host's addresses, every attempt a TCP connect to the proxy's
 *           address that won (the first reuses that connection) and the
 *           proxy stage asking for one of them: Happy Eyeballs through
 *           the proxy.  No history (the round trips are the proxy's) and
 *           no NAT64 (the proxy reaches IPv4 itself).
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adapter.h"
#include "clock.h"
#include "opts.h"

static char *
dup_or_null(const char *s, bool *ok)
{
	char *p;

	if (s == NULL)
		return NULL;
	if ((p = strdup(s)) == NULL)
		*ok = false;
	return p;
}

void
hecat__proxy_free(struct hecat_dial *d)
{
	if (d->pchild != NULL) {
		d->pchild->pparent = NULL;
		hecat_dial_cancel(d->pchild);
		d->pchild = NULL;
	}
	if (d->pparent != NULL)
		d->pparent->pchild = NULL;
	if (d->pfd != -1)
		close(d->pfd);
	free(d->ptarget);
	free(d->phost);
	free(d->puser);
	if (d->ppass != NULL)
		explicit_bzero(d->ppass, strlen(d->ppass));
	free(d->ppass);
	free(d->pwhy);
	free(d->pfail);
}

/* The proxy's settings copied: the caller's strings may go. */
static bool
setup(struct hecat_dial *d)
{
	bool ok = true;

	d->phost = dup_or_null(d->opts.proxy_host, &ok);
	d->puser = dup_or_null(d->opts.proxy_user, &ok);
	d->ppass = dup_or_null(d->opts.proxy_password, &ok);
	d->pport = hecat__proxy_port(&d->opts);
	d->opts.proxy_host = d->phost;
	d->opts.proxy_user = d->puser;
	d->opts.proxy_password = d->ppass;
	d->preq.type = d->opts.proxy;
	d->preq.user = d->puser;
	d->preq.password = d->ppass;
	return ok;
}

const struct hecat__stage_ops *
hecat__proxy_stage(const struct hecat_dial *d)
{
	switch (d->opts.proxy) {
	case HECAT_PROXY_SOCKS5:
		return &hecat__stage_socks5;
	case HECAT_PROXY_SOCKS4:
		return &hecat__stage_socks4;
	case HECAT_PROXY_HTTP:
		return &hecat__stage_http_connect;
	default:
		return NULL;
	}
}

void
hecat__proxy_attempt(struct hecat_dial *d, struct hecat__attempt *at,
    const struct hecat__ip *ip, uint16_t port)
{
	struct hecat__ip target;

	at->preq = d->preq;
	if (d->plocal) {		/* to one of the host's addresses */
		hecat__ip_to_sa(ip, port, &at->preq.addr);
		at->preq.name = NULL;
		memcpy(&at->sa, &d->paddr, d->paddrlen);
		at->salen = d->paddrlen;
	} else {			/* the proxy's address; the host */
		at->salen = hecat__ip_to_sa(ip, d->pport, &at->sa);
		if (at->preq.name == NULL) {	/* a literal: its port */
			hecat__ip_from_sa(&target,
			    (const struct sockaddr *)&d->preq.addr);
			hecat__ip_to_sa(&target, port, &at->preq.addr);
		}
	}
	at->preq.port = port;
}

/* ---- the race to the proxy (local) --------------------------------------- */

/* The proxy race's trace events, passed on to the dial's, marked. */
static void
child_trace(const struct hecat_trace *t, void *arg)
{
	struct hecat_dial *d = arg;
	struct hecat_trace c = *t;

	c.proxy_race = 1;
	c.dial = d;
	c.since_ns = c.t_ns - d->t0;
	d->opts.trace(&c, d->opts.trace_arg);
}

static void
child_done(const struct hecat_result *r, void *arg)
{
	struct hecat_dial *d = arg;

	d->pchild = NULL;
	if (r->err != HECAT_OK) {
		if (asprintf(&d->pwhy, "the proxy: %s", r->message) == -1)
			d->pwhy = NULL;
		/* Its failures are the dial's: their errors say the status. */
		if (r->nfailures > 0 && (d->pfail = calloc(r->nfailures,
		    sizeof(*d->pfail))) != NULL) {
			memcpy(d->pfail, r->failures,
			    r->nfailures * sizeof(*d->pfail));
			d->npfail = r->nfailures;
		}
		hecat__dial_fail(d, r->err, d->pwhy != NULL ? d->pwhy :
		    "the proxy cannot be reached");
	} else {
		memcpy(&d->paddr, r->addr, r->addrlen);
		d->paddrlen = r->addrlen;
		d->pfd = r->fd;
	}
	hecat__dial_kick(d);
}

static void
proxy_race(struct hecat_dial *d)
{
	struct hecat_opts o = d->opts;

	o.proxy = HECAT_PROXY_NONE;
	o.proxy_host = o.proxy_user = o.proxy_password = NULL;
	o.race_until = HECAT_STAGE_TCP;
	o.tls = 0;		/* TLS is with the host, past the proxy */
	o.family = d->opts.source != NULL ? d->opts.source->sa_family :
	    AF_UNSPEC;
	o.prefer = AF_UNSPEC;
	o.nat64 = d->opts_nat64;
	o.history = d->opts_history;
	o.trace = d->opts.trace != NULL ? child_trace : NULL;
	o.trace_arg = d;
	if ((d->pchild = hecat_connect(d->h, d->phost, &d->pport, 1, &o,
	    child_done, d)) == NULL) {
		hecat__dial_fail(d, errno == ENOMEM ? HECAT_E_SYSTEM :
		    HECAT_E_INVAL, "the proxy cannot be dialed");
		hecat__dial_kick(d);
		return;
	}
	d->pchild->pparent = d;
}

/* ---- what the engine races ------------------------------------------------ */

/*
 * The host for a dial through the proxy: a literal is asked for as it
 * is; a name goes to the proxy (remote) or is resolved here (local).
 * Returns false with a static reason.
 */
static bool
target(struct hecat_dial *d, const char *host, const char **why)
{
	struct hecat__ip ip;

	if (hecat__ip_parse(&ip, host) == 0) {
		hecat__ip_to_sa(&ip, 0, &d->preq.addr);
		if (d->opts.proxy == HECAT_PROXY_SOCKS4 &&
		    ip.family != AF_INET) {
			*why = "SOCKS4 reaches IPv4 addresses only";
			return false;
		}
		return true;
	}
	if (hecat__host_normalize(host, d->host, why) == -1 ||
	    (d->ptarget = strdup(d->host)) == NULL)
		return false;
	if (d->opts.proxy_resolve == HECAT_PROXY_RESOLVE_LOCAL) {
		d->plocal = true;	/* d->host is queried */
		if (d->opts.proxy == HECAT_PROXY_SOCKS4) {
			if (d->opts.family == AF_INET6) {
				*why = "SOCKS4 reaches IPv4 addresses only";
				return false;
			}
			d->opts.family = AF_INET;
		}
	} else
		d->preq.name = d->ptarget;
	return true;
}

/* Remotely: the engine races the proxy's addresses (d->host: its name). */
static struct hecat_dial *
race_proxy(struct hecat_dial *d)
{
	struct sockaddr_storage *eps;
	struct hecat__ip ip;
	const char *why;
	size_t i;

	d->host[0] = '\0';
	if (hecat__ip_parse(&ip, d->phost) == 0) {
		/* Its one address, with each of the host's ports. */
		if ((eps = calloc(d->nports, sizeof(*eps))) == NULL)
			return hecat__dial_engine(d, NULL);
		for (i = 0; i < d->nports; i++)
			hecat__ip_to_sa(&ip, d->ports[i], &eps[i]);
		hecat__net_setup(d, ip.family == AF_INET);
		d = hecat__dial_engine(d, d->fail_err ? NULL :
		    hecat__dial_engine_ip(d, eps, d->nports));
		free(eps);
		return d;
	}
	if (hecat__host_normalize(d->phost, d->host, &why) == -1) {
		hecat__dial_fail(d, HECAT_E_INVAL, "invalid proxy host name");
		return hecat__dial_engine(d, NULL);
	}
	hecat__net_setup(d, true);
	return hecat__dial_engine(d, d->fail_err ? NULL :
	    hecat__dial_engine_host(d));
}

struct hecat_dial *
hecat__proxy_dial(struct hecat_dial *d, const char *host)
{
	const char *why = "out of memory";
	size_t i;

	if (!setup(d)) {
		hecat__dial_fail(d, HECAT_E_SYSTEM, why);
		return hecat__dial_engine(d, NULL);
	}
	if (d->fail_err != 0)
		return hecat__dial_engine(d, NULL);
	if (d->eps != NULL) {		/* hecat_connect_ip(): local */
		d->plocal = true;
		for (i = 0; i < d->neps; i++)
			if (d->opts.proxy == HECAT_PROXY_SOCKS4 &&
			    d->eps[i].ss_family != AF_INET) {
				hecat__dial_fail(d, HECAT_E_INVAL,
				    "SOCKS4 reaches IPv4 addresses only");
				return hecat__dial_engine(d, NULL);
			}
	} else if (!target(d, host, &why)) {
		hecat__dial_fail(d, errno == ENOMEM ? HECAT_E_SYSTEM :
		    HECAT_E_INVAL, why);
		return hecat__dial_engine(d, NULL);
	}
	if (!d->plocal)
		return race_proxy(d);
	if (d->opts.source_port != 0) {
		/* Every attempt goes to one address of the proxy. */
		hecat__dial_fail(d, HECAT_E_INVAL, "a fixed source port cannot "
		    "race several connections to one proxy address");
		return hecat__dial_engine(d, NULL);
	}
	/* The engine comes when the proxy is reached: hecat__proxy_ready(). */
	d->opts_nat64 = d->opts.nat64;
	d->opts_history = d->opts.history;
	d->opts.nat64 = HECAT_NAT64_OFF;
	d->opts.history = HECAT_HISTORY_OFF;
	hecat__net_setup(d, false);
	return d;
}

bool
hecat__proxy_ready(struct hecat_dial *d)
{
	if (d->paddrlen == 0) {
		if (d->pchild == NULL)
			proxy_race(d);
		return false;
	}
	hecat__dial_engine(d, d->eps != NULL ?
	    hecat__dial_engine_ip(d, d->eps, d->neps) :
	    hecat__dial_engine_host(d));
	if (d->e != NULL)
		return true;
	hecat__dial_kick(d);		/* to end it */
	return false;
}
