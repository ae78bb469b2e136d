/*
 * instance.c - a libhecat instance: created with its configuration, its
 * resolver (the caller's or the built-in getdns one) and its history
 * store (the caller's, a shared file, or memory), freed with every dial
 * still in flight; and the one reading of the host's network its dials
 * share: connectivity, the network's identity, the NAT64 prefix.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "clock.h"
#include "histstore.h"
#include "netinfo.h"
#include "opts.h"
#include "resolver.h"

/*
 * Dials started within NET_REUSE of the instance's last reading share it
 * (a burst, a tight loop: a reading costs about as much as a dial on
 * loopback); others read again.
 */
#define NET_REUSE	(10 * HECAT__NS_PER_MS)

/* Whether the reading taken at *at is too old for now; if so, *at = now. */
static bool
reading_due(uint64_t *at, uint64_t now)
{
	if (*at != 0 && now - *at < NET_REUSE)
		return false;
	*at = now;
	return true;
}

void
hecat__net_setup(struct hecat_dial *d, bool v4_possible)
{
	struct hecat__netstate *ns = &d->h->net;
	const char *why;

	d->hist = d->opts.history != HECAT_HISTORY_OFF;
	if (d->hist) {
		if (reading_due(&ns->id_at, d->t0))
			ns->id = hecat__network_id();
		d->net = ns->id;
	}
	d->nat64 = HECAT__NAT64_OFF;
	hecat__nat64_wkp(&d->pref64);
	if (d->opts.nat64 == HECAT_NAT64_OFF) {
		d->net6 = d->net4 = true;	/* not looked at */
		return;
	}
	if (reading_due(&ns->conn_at, d->t0))
		hecat__connectivity(&ns->v6, &ns->v4);
	d->net6 = ns->v6;
	d->net4 = ns->v4;
	if (d->opts.nat64_prefix != NULL &&
	    hecat__nat64_prefix_parse(&d->pref64, d->opts.nat64_prefix,
	    &why) == -1) {
		hecat__nat64_wkp(&d->pref64);
		if (d->fail_err == 0) {
			d->fail_err = HECAT_E_INVAL;
			d->fail_why = "invalid NAT64 prefix";
		}
		return;
	}
	/*
	 * NAT64 only on an IPv6-only network, and only for a dial that
	 * may have an IPv4 address to reach: the prefix is never looked
	 * for to dial IPv6 literals.
	 */
	if (!d->net6 || d->net4 || d->opts.family == AF_INET6 || !v4_possible)
		return;
	if (d->opts.nat64_prefix != NULL) {
		d->nat64 = HECAT__NAT64_KNOWN;
		d->nat64_why = HECAT_WHY_OPTION;
	} else if (ns->pref64.len != 0) {
		d->pref64 = ns->pref64;
		d->nat64 = HECAT__NAT64_KNOWN;
		d->nat64_why = HECAT_WHY_CACHED;
	} else
		d->nat64 = HECAT__NAT64_DISCOVER;
}

void
hecat__net_prefix_found(struct hecat_dial *d, const struct hecat__action *a)
{
	if (a->plen == 0) {
		d->nat64 = HECAT__NAT64_OFF;
		hecat__emit_nat64_prefix(d, NULL, HECAT_WHY_NO_PREFIX);
		return;
	}
	d->nat64 = HECAT__NAT64_KNOWN;
	d->pref64.ip = a->ip;
	d->pref64.len = a->plen;
	if (d->h != NULL)
		d->h->net.pref64 = d->pref64;	/* for the next dials */
	hecat__emit_nat64_prefix(d, &d->pref64, HECAT_WHY_DISCOVERED);
}

/* ---- instances ------------------------------------------------------------- */

/* The caller's store, or the built-in one the configuration names. */
static int
store_setup(struct hecat *h, const struct hecat_config *cfg)
{
	const struct hecat_store *s = cfg->store;

	if (s != NULL) {
		if (s->size < sizeof(*s) || s->lookup == NULL ||
		    s->record == NULL) {
			errno = EINVAL;
			return -1;
		}
		h->store = s;
		h->store_arg = cfg->store_arg;
		return 0;
	}
	h->store = cfg->history_file != NULL ? &hecat__store_file :
	    &hecat__store_mem;
	h->store_arg = cfg->history_file != NULL ?
	    hecat__store_file_new(cfg->history_file) : hecat__store_mem_new();
	if (h->store_arg == NULL) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

static void
store_free(struct hecat *h)
{
	if (h->store != NULL && h->store->free != NULL)
		h->store->free(h->store_arg);
}

/* The caller's resolver, or getdns (loaded at its first query). */
static int
resolver_setup(struct hecat *h, const struct hecat_config *cfg)
{
	const struct hecat_resolver *r = cfg->resolver;
	void *rarg;

	if (r != NULL) {
		if (r->size < sizeof(*r) || r->start == NULL ||
		    r->cancel == NULL) {
			errno = EINVAL;
			return -1;
		}
		hecat__cq_init(&h->cq, r, cfg->resolver_arg);
		return 0;
	}
	if ((rarg = hecat__getdns_new(h->base, cfg)) == NULL)
		return -1;
	hecat__cq_init(&h->cq, &hecat__getdns_resolver, rarg);
	h->builtin = true;
	return 0;
}

struct hecat *
hecat_new(struct event_base *base, const struct hecat_config *cfg0)
{
	struct hecat_config cfg;
	struct hecat *h;
	int saved;

	if (base == NULL || hecat__config_take(&cfg, cfg0) == -1) {
		errno = EINVAL;
		return NULL;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->base = base;
	TAILQ_INIT(&h->dials);
	TAILQ_INIT(&h->follows);
	hecat__opts_defaults(&h->defaults);
	if (hecat__opts_take(&h->defaults, &h->defaults, cfg.defaults) == -1 ||
	    store_setup(h, &cfg) == -1 || resolver_setup(h, &cfg) == -1) {
		saved = errno;
		store_free(h);
		free(h);
		errno = saved;
		return NULL;
	}
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
	hecat__follow_free_all(h);
	if (h->cq.res->free != NULL)
		h->cq.res->free(h->cq.rarg);
	store_free(h);
	free(h);
}
