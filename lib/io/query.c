/*
 * query.c - a dial's DNS queries: asked through the instance's shared
 * query table (coalesce.c), abandoned, and their answers taken to the
 * engine: addresses that must not be dialed left out, each with the
 * source the kernel would use and what history knows of it.
 */
#include "config.h"

#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "clock.h"
#include "resolver.h"
#include "stage.h"
#include "tcp.h"

static struct hecat__dquery *
dquery(struct hecat_dial *d, int family)
{
	return &d->q[family == AF_INET6 ? 0 : family == AF_INET ? 1 : 2];
}

void
hecat__query_init(struct hecat_dial *d)
{
	static const int fam[HECAT__NQUERIES] = {
		AF_INET6, AF_INET, HECAT__PREF64
	};
	size_t i;

	for (i = 0; i < HECAT__NQUERIES; i++) {
		d->q[i].d = d;
		d->q[i].family = fam[i];
	}
}

void
hecat__query_free(struct hecat_dial *d)
{
	size_t i;

	for (i = 0; i < HECAT__NQUERIES; i++) {
		hecat__cq_leave(&d->q[i].m);
		hecat__inbox_drop(&d->q[i].in);
	}
}

const char *
hecat__query_name(const struct hecat_dial *d, int family)
{
	return family == HECAT__PREF64 ? HECAT__NAT64_DISCOVERY_NAME : d->host;
}

int
hecat__query_type(int family)
{
	return family == HECAT__PREF64 ? AF_INET6 : family;
}

/* The resolver answered (maybe from inside its start function). */
static void
resolved_cb(int status, const struct sockaddr_storage *addrs, size_t n,
    void *arg)
{
	struct hecat__dquery *dq = arg;
	struct hecat__inbox_item it;

	dq->active = false;
	memset(&it, 0, sizeof(it));
	it.kind = HECAT__IN_ANSWER;
	it.family = dq->family;
	it.gen = dq->gen;
	it.status = HECAT_DNS_STATUS_OF(status);
	it.dnssec = HECAT_DNS_DNSSEC_OF(status);
	if (it.status == HECAT_DNS_OK && n > 0) {
		if ((it.addrs = calloc(n, sizeof(*addrs))) == NULL)
			it.status = HECAT_DNS_ERROR;	/* and tried again */
		else {
			memcpy(it.addrs, addrs, n * sizeof(*addrs));
			it.naddrs = n;
		}
	}
	hecat__inbox_post(dq->d, &dq->in, &it);
}

/*
 * Ask, or join the same question another dial of the instance asked less
 * than half a try ago (coalesce.c).  A query the built-in resolver
 * cannot start because getdns cannot be loaded or set up ends the dial:
 * no try would go better, and the reason is the message.
 */
void
hecat__query_send(struct hecat_dial *d, int family, unsigned tries)
{
	struct hecat__dquery *dq = dquery(d, family);
	uint64_t window = d->opts.resolve_timeout_ms > 0 ?
	    hecat__ms(d->opts.resolve_timeout_ms) / 2 : UINT64_MAX;
	const char *why;
	uint64_t load_ns, setup_ns;
	int rc;

	dq->gen++;
	dq->active = true;
	dq->m.done = resolved_cb;
	dq->m.arg = dq;
	rc = hecat__cq_ask(&d->h->cq, &dq->m, hecat__query_type(family),
	    hecat__query_name(d, family), window);
	/* Traced once sent: the first start may set the resolver up. */
	dq->sent = hecat__now();
	if (d->h->builtin &&
	    hecat__getdns_made(d->h->cq.rarg, &load_ns, &setup_ns))
		hecat__emit_resolver(d, "getdns", load_ns, setup_ns);
	hecat__emit_resolve_start(d, family, tries, rc == 1);
	if (rc != -1 || !dq->active)
		return;
	if (d->h->builtin &&
	    (why = hecat__getdns_failure(d->h->cq.rarg)) != NULL) {
		/* perform() ends the dial with it. */
		dq->active = false;
		if (d->fail_err == 0) {
			d->fail_err = HECAT_E_SYSTEM;
			d->fail_why = why;
		}
		return;
	}
	resolved_cb(HECAT_DNS_ERROR, NULL, 0, dq);
}

void
hecat__query_cancel(struct hecat_dial *d, int family)
{
	struct hecat__dquery *dq = dquery(d, family);

	hecat__cq_leave(&dq->m);
	hecat__inbox_drop(&dq->in);
	dq->active = false;
	dq->gen++;
	hecat__emit_resolve_cancel(d, family);
}

void
hecat__probe_dst(struct hecat_dial *d, const struct hecat__ip *dst,
    struct hecat__ip *src)
{
	struct hecat__ip v6;

	/* Through a proxy, any address may be asked for: usable. */
	if (d->plocal) {
		*src = *dst;
		return;
	}
	/*
	 * On an IPv6-only network an IPv4 address is reached through
	 * NAT64: its source is the one for its synthesized address (the
	 * Well-Known Prefix standing in while the prefix is not known).
	 */
	if (d->nat64 != HECAT__NAT64_OFF && dst->family == AF_INET &&
	    hecat__nat64_synthesizable(&d->pref64, dst)) {
		hecat__nat64_synthesize(&d->pref64, dst, &v6);
		dst = &v6;
	}
	hecat__tcp_probe_source(dst, d->ports[0], d->opts.source, src);
}

void
hecat__query_answer(struct hecat_dial *d, struct hecat__inbox_item *it)
{
	struct hecat__dquery *dq = dquery(d, it->family);
	struct hecat__dst *dsts = NULL;
	struct hecat__ip ip;
	size_t i, n = 0;
	int type = hecat__query_type(it->family);

	if (it->gen != dq->gen)
		return;			/* for a query since abandoned */
	/* Addresses that must not be dialed are left out of the answer. */
	for (i = 0; i < it->naddrs; i++) {
		hecat__ip_from_sa(&ip, (const struct sockaddr *)&it->addrs[i]);
		if (ip.family == type && hecat__ip_answer_ok(&ip))
			it->addrs[n++] = it->addrs[i];
	}
	it->naddrs = n;
	if (it->status == HECAT_DNS_OK && it->naddrs == 0)
		it->status = HECAT_DNS_NODATA;
	hecat__emit_resolve_done(d, it->family, it, hecat__now() - dq->sent);
	if (it->naddrs > 0 &&
	    (dsts = calloc(it->naddrs, sizeof(*dsts))) == NULL)
		it->status = HECAT_DNS_ERROR;	/* asked again */
	for (i = 0; dsts != NULL && i < it->naddrs; i++) {
		hecat__ip_from_sa(&dsts[i].ip,
		    (const struct sockaddr *)&it->addrs[i]);
		if (it->family != HECAT__PREF64)
			hecat__probe_dst(d, &dsts[i].ip, &dsts[i].src);
	}
	n = dsts != NULL ? it->naddrs : 0;
	if (it->family != HECAT__PREF64)
		hecat__hist_lookup(d, dsts, n, true);
	hecat__engine_on_answer(d->e, hecat__now(), it->family, it->status,
	    dsts, n);
	free(dsts);
}
