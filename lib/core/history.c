/*
 * history.c - connection history without I/O: records, what one means
 * for a dial now, the table the stores keep them in and the history
 * file's text.  The stores that read and write it are io/histstore.c's.
 *
 * A record per network and address: the smoothed RTT of its connects
 * (RFC 6298's estimator, so srtt + 4 rttvar is when a SYN to it would be
 * retransmitted) and its failures since the last connect.  A dial reads
 * the records of its addresses when answers arrive and writes its
 * outcomes once, when it ends.
 */
#include "config.h"

#include <netinet/in.h>

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "textfile.h"

#define MAGIC	"hecat-history 1"

/* ---- records -------------------------------------------------------------- */

static uint32_t
sat_inc(uint32_t x)
{
	return x == UINT32_MAX ? x : x + 1;
}

void
hecat_hist_apply(struct hecat_hist *h, const struct hecat_hist_obs *o)
{
	uint64_t r, srtt, var, delta;

	switch (o->event) {
	case HECAT_HIST_CONNECTED:
		/* RFC 6298 section 2, alpha 1/8 and beta 1/4. */
		r = o->rtt_us != 0 ? o->rtt_us : 1;
		if (h->srtt_us == 0) {
			srtt = r;
			var = r / 2;
		} else {
			srtt = h->srtt_us;
			delta = srtt > r ? srtt - r : r - srtt;
			var = (3 * (uint64_t)h->rttvar_us + delta) / 4;
			srtt = (7 * srtt + r) / 8;
		}
		h->srtt_us = srtt > UINT32_MAX ? UINT32_MAX : (uint32_t)srtt;
		h->rttvar_us = var > UINT32_MAX ? UINT32_MAX : (uint32_t)var;
		h->successes = sat_inc(h->successes);
		h->failures = 0;
		h->t_success = o->t;
		break;
	case HECAT_HIST_FAILED:
	case HECAT_HIST_LOST:
		h->failures = sat_inc(h->failures);
		h->t_failure = o->t;
		h->error = o->event == HECAT_HIST_FAILED ? o->error : 0;
		break;
	}
}

void
hecat__hist_view(const struct hecat_hist *h, int64_t now,
    struct hecat__hview *v)
{
	int64_t age;

	memset(v, 0, sizeof(*v));
	if (h->failures > 0 && h->t_failure > 0) {
		age = now > h->t_failure ? now - h->t_failure : 0;
		if (age < HECAT__HIST_FAIL_TTL) {
			v->failed = true;
			v->age = age;
		}
	}
	if (h->srtt_us > 0 && h->t_success > 0 &&
	    now - h->t_success < HECAT__HIST_RTT_TTL) {
		uint64_t var4 = 4 * (uint64_t)h->rttvar_us;

		v->rtt = (uint64_t)h->srtt_us * 1000;
		/* RFC 6298's G: a clock tick, 1 ms at most on Linux. */
		v->rto = ((uint64_t)h->srtt_us + (var4 > 1000 ? var4 : 1000)) *
		    1000;
	}
}

/* ---- tables ---------------------------------------------------------------- */

void
hecat__htab_clear(struct hecat__htab *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

struct hecat__hent *
hecat__htab_find(struct hecat__htab *t, uint64_t net,
    const struct hecat__ip *ip)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].net == net && hecat__ip_equal(&t->v[i].ip, ip))
			return &t->v[i];
	return NULL;
}

static struct hecat__hent *
htab_add(struct hecat__htab *t, uint64_t net, const struct hecat__ip *ip)
{
	struct hecat__hent *v;

	if (t->n == t->cap) {
		size_t cap = t->cap == 0 ? 16 : t->cap * 2;

		if ((v = realloc(t->v, cap * sizeof(*v))) == NULL)
			return NULL;
		t->v = v;
		t->cap = cap;
	}
	v = &t->v[t->n++];
	memset(v, 0, sizeof(*v));
	v->net = net;
	v->ip = *ip;
	hecat__ip_to_sa(ip, 0, &v->h.addr);
	return v;
}

/*
 * Addresses history is kept for: IPv4 and IPv6 without a zone (a
 * link-local address means something else on another link).
 */
static bool
keepable(const struct hecat__ip *ip)
{
	return (ip->family == AF_INET || ip->family == AF_INET6) &&
	    ip->scope_id == 0;
}

int
hecat__htab_apply(struct hecat__htab *t, uint64_t net,
    const struct hecat_hist_obs *obs, size_t n)
{
	struct hecat__hent *e;
	struct hecat__ip ip;
	size_t i;

	for (i = 0; i < n; i++) {
		hecat__ip_from_sa(&ip, (const struct sockaddr *)&obs[i].addr);
		if (!keepable(&ip))
			continue;
		if ((e = hecat__htab_find(t, net, &ip)) == NULL &&
		    (e = htab_add(t, net, &ip)) == NULL)
			return -1;
		hecat_hist_apply(&e->h, &obs[i]);
	}
	return 0;
}

static int64_t
touched(const struct hecat__hent *e)
{
	return e->h.t_success > e->h.t_failure ? e->h.t_success :
	    e->h.t_failure;
}

/* Most recently touched first. */
static int
by_touched(const void *a, const void *b)
{
	int64_t ta = touched(a), tb = touched(b);

	return ta > tb ? -1 : ta < tb ? 1 : 0;
}

void
hecat__htab_prune(struct hecat__htab *t, int64_t now)
{
	size_t i, n = 0;

	for (i = 0; i < t->n; i++)
		if (now - touched(&t->v[i]) < HECAT__HIST_MAX_AGE)
			t->v[n++] = t->v[i];
	t->n = n;
	if (t->n > HECAT__HIST_MAX) {
		qsort(t->v, t->n, sizeof(*t->v), by_touched);
		t->n = HECAT__HIST_MAX;
	}
}

void
hecat__htab_lookup(struct hecat__htab *t, uint64_t net,
    struct hecat_hist *recs, size_t n)
{
	struct hecat__hent *e;
	struct hecat__ip ip;
	size_t i;

	for (i = 0; i < n; i++) {
		hecat__ip_from_sa(&ip, (const struct sockaddr *)&recs[i].addr);
		if ((e = hecat__htab_find(t, net, &ip)) != NULL)
			recs[i] = e->h;
	}
}

void
hecat__hist_fold(struct hecat_hist *recs, size_t n, uint64_t net,
    const struct hecat__hobs *obs, size_t nobs)
{
	struct hecat__ip ip, oip;
	size_t i, j;

	for (i = 0; i < n; i++) {
		hecat__ip_from_sa(&ip, (const struct sockaddr *)&recs[i].addr);
		if (!keepable(&ip))
			continue;
		for (j = 0; j < nobs; j++) {
			if (obs[j].net != net)
				continue;
			hecat__ip_from_sa(&oip,
			    (const struct sockaddr *)&obs[j].o.addr);
			if (hecat__ip_equal(&ip, &oip))
				hecat_hist_apply(&recs[i], &obs[j].o);
		}
	}
}

/* ---- the file format ------------------------------------------------------- */

/* A token as an unsigned decimal (or hex) number no larger than max. */
static bool
tok_num(const char *p, size_t len, int base, uint64_t max, uint64_t *out)
{
	uint64_t v = 0, d;
	size_t i;

	if (len == 0 || len > 20)
		return false;
	for (i = 0; i < len; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			d = (uint64_t)(p[i] - '0');
		else if (base == 16 && p[i] >= 'a' && p[i] <= 'f')
			d = (uint64_t)(p[i] - 'a' + 10);
		else
			return false;
		if (v > (max - d) / (uint64_t)base)
			return false;
		v = v * (uint64_t)base + d;
	}
	*out = v;
	return true;
}

static bool
parse_record(struct hecat__htab *t, const char *p, const char *end)
{
	const char *tok[9];
	size_t len[9], extra, i;
	uint64_t v[9];
	char a[INET6_ADDRSTRLEN];
	struct hecat__hent *e;
	struct hecat__ip ip;

	for (i = 0; i < 9; i++)
		if ((tok[i] = hecat__next_token(&p, end, &len[i])) == NULL)
			return false;
	if (hecat__next_token(&p, end, &extra) != NULL)
		return false;
	if (len[0] != 16 || !tok_num(tok[0], 16, 16, UINT64_MAX, &v[0]))
		return false;
	if (len[1] >= sizeof(a) || memchr(tok[1], '%', len[1]) != NULL)
		return false;
	memcpy(a, tok[1], len[1]);
	a[len[1]] = '\0';
	if (hecat__ip_parse(&ip, a) == -1 || !keepable(&ip))
		return false;
	for (i = 2; i < 6; i++)
		if (!tok_num(tok[i], len[i], 10, UINT32_MAX, &v[i]))
			return false;
	for (i = 6; i < 8; i++)
		if (!tok_num(tok[i], len[i], 10, INT64_MAX, &v[i]))
			return false;
	if (!tok_num(tok[8], len[8], 10, INT_MAX, &v[8]))
		return false;
	if (hecat__htab_find(t, v[0], &ip) != NULL)
		return false;			/* a duplicate: not ours */
	if ((e = htab_add(t, v[0], &ip)) == NULL)
		return false;
	e->h.srtt_us = (uint32_t)v[2];
	e->h.rttvar_us = (uint32_t)v[3];
	e->h.successes = (uint32_t)v[4];
	e->h.failures = (uint32_t)v[5];
	e->h.t_success = (int64_t)v[6];
	e->h.t_failure = (int64_t)v[7];
	e->h.error = (int)v[8];
	return true;
}

int
hecat__htab_parse(struct hecat__htab *t, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *line, *eol;
	size_t n = 0;

	t->n = 0;
	if ((line = hecat__next_line(&p, end, &eol)) == NULL ||
	    (size_t)(eol - line) != strlen(MAGIC) ||
	    memcmp(line, MAGIC, strlen(MAGIC)) != 0)
		goto bad;
	while ((line = hecat__next_line(&p, end, &eol)) != NULL) {
		if (++n > HECAT__HIST_MAX || !parse_record(t, line, eol))
			goto bad;
	}
	return 0;
bad:
	t->n = 0;
	return -1;
}

char *
hecat__htab_format(const struct hecat__htab *t, size_t *lenp)
{
	/* A record: 16 + 39 + 4 * 10 + 2 * 19 + 10 and 9 separators. */
	size_t cap = sizeof(MAGIC) + 1 + t->n * 160, off = 0, i;
	char a[HECAT__IP_FMTLEN], *s;
	int w;

	if ((s = malloc(cap)) == NULL)
		return NULL;
	off = (size_t)snprintf(s, cap, "%s\n", MAGIC);
	for (i = 0; i < t->n; i++) {
		const struct hecat__hent *e = &t->v[i];

		hecat__ip_fmt(&e->ip, a, sizeof(a));
		w = snprintf(s + off, cap - off,
		    "%016" PRIx64 " %s %" PRIu32 " %" PRIu32 " %" PRIu32
		    " %" PRIu32 " %" PRId64 " %" PRId64 " %d\n", e->net, a,
		    e->h.srtt_us, e->h.rttvar_us, e->h.successes,
		    e->h.failures, e->h.t_success < 0 ? 0 : e->h.t_success,
		    e->h.t_failure < 0 ? 0 : e->h.t_failure,
		    e->h.error < 0 ? 0 : e->h.error);
		if (w < 0 || (size_t)w >= cap - off) {
			free(s);
			errno = ENOMEM;
			return NULL;
		}
		off += (size_t)w;
	}
	*lenp = off;
	return s;
}
