/*
 * histdial.c - connection history in a dial: what the store knows of the
 * addresses it gets (looked up as answers arrive, for the engine's sort
 * and delays), and what its attempts taught (recorded once it ends).
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adapter.h"
#include "clock.h"
#include "history.h"

/*
 * What history knows of dsts[0..n), for the engine, in one lookup.  The
 * records are traced now, or kept for the start of the dial when
 * trace_now is false (literals are looked up before the dial starts).
 */
void
hecat__hist_lookup(struct hecat_dial *d, struct hecat__dst *dsts, size_t n,
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
			hecat__emit_history(d, &recs[i], now);
		else if ((p = reallocarray(d->hpending, d->nhpending + 1,
		    sizeof(*p))) != NULL) {
			d->hpending = p;
			d->hpending[d->nhpending++] = recs[i];
		}
	}
	free(recs);
}

void
hecat__hist_trace_pending(struct hecat_dial *d)
{
	size_t i;

	for (i = 0; i < d->nhpending; i++)
		hecat__emit_history(d, &d->hpending[i], time(NULL));
}

bool
hecat__hist_path_error(int err)
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

/* One observation of an address, port 0. */
static void
obs_set(struct hecat_hist_obs *o, const struct sockaddr_storage *sa,
    int event, uint32_t rtt_us, int err)
{
	struct hecat__ip ip;

	memset(o, 0, sizeof(*o));
	hecat__ip_from_sa(&ip, (const struct sockaddr *)sa);
	hecat__ip_to_sa(&ip, 0, &o->addr);
	o->event = event;
	o->rtt_us = rtt_us;
	o->error = err;
	o->t = time(NULL);
}

/*
 * A NAT64 attempt is kept under the IPv4 address it stands for, as the
 * engine sorts it, and under the IPv6 one it dialed: a DNS64 answer is
 * looked up by that before it is de-synthesized (and a prefix learned
 * late leaves it so).
 */
size_t
hecat__hist_obs_of(const struct sockaddr_storage *sa,
    const struct sockaddr_storage *orig, int event, uint32_t rtt_us, int err,
    struct hecat_hist_obs obs[2])
{
	obs_set(&obs[0], orig != NULL ? orig : sa, event, rtt_us, err);
	if (orig == NULL)
		return 1;
	obs_set(&obs[1], sa, event, rtt_us, err);
	return 2;
}

/* An outcome of attempt at, recorded when the dial ends. */
void
hecat__hist_note(struct hecat_dial *d, const struct hecat__attempt *at,
    int event, uint32_t rtt_us, int err)
{
	struct hecat_hist_obs o[2], *p;
	size_t i, n;

	if (!d->hist)
		return;
	n = hecat__hist_obs_of(&at->sa, at->origlen > 0 ? &at->orig : NULL,
	    event, rtt_us, err, o);
	for (i = 0; i < n; i++) {
		if (d->nobs == d->obscap) {
			size_t cap = d->obscap == 0 ? 4 : d->obscap * 2;

			if ((p = reallocarray(d->obs, cap, sizeof(*p))) ==
			    NULL)
				return;
			d->obs = p;
			d->obscap = cap;
		}
		d->obs[d->nobs++] = o[i];
	}
}

void
hecat__hist_record(struct hecat_dial *d)
{
	if (d->nobs > 0)
		d->h->store->record(d->h->store_arg, d->net, d->obs, d->nobs);
}
