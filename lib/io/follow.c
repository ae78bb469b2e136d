/*
 * follow.c - the losers of a won race, watched (hecat_opts.follow_losers_ms).
 *
 * When an attempt wins, the others still in their TCP connect keep their
 * sockets instead of being closed: nothing is sent on them, and each is
 * watched until it connects, fails, or the time asked has passed since
 * the winner connected.  That answers a diagnosis's question, "is the
 * other family broken here, or just slower?", which the race throws away.
 *
 * The watch outlives the dial: the dial hands its losers over when it
 * ends (hecat__follow_start()), and they belong to the instance from then
 * on, which closes them in hecat_free().  Each ends in a LOSER trace
 * event and, with history on, in what it showed: a late connect is an
 * RTT, not a failure; silence until the end of the watch counts as the
 * lost race it was.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "adapter.h"
#include "clock.h"
#include "tcp.h"

struct loser {
	struct hecat__follow	*f;
	struct event		*ev;
	struct hecat__stage	 st;		/* the connect, on st.fd */
	unsigned		 id;
	uint64_t		 started;
	struct sockaddr_storage	 sa, orig;
	socklen_t		 salen, origlen;
	bool			 headstart;	/* started before the winner */
};

struct hecat__follow {
	TAILQ_ENTRY(hecat__follow) entry;
	struct hecat		*h;
	const struct hecat_dial	*dial;		/* for the trace: identity
						   only, the dial is over */
	char			*host;
	hecat_trace_cb		 trace;
	void			*trace_arg;
	uint64_t		 t0;		/* the dial's start */
	uint64_t		 won;		/* the winner connected */
	uint64_t		 watch;		/* for this long after it */
	bool			 hist;
	uint64_t		 net;
	size_t			 n, cap, left;
	struct loser		*l;
};

/* Whether at may be watched: a direct connect, still under way. */
static bool
followable(const struct hecat_dial *d, const struct hecat__attempt *at)
{
	return d->opts.follow_losers_ms != 0 &&
	    d->opts.proxy == HECAT_PROXY_NONE && d->pparent == NULL &&
	    at->cur == 0 && at->nstages > 0 &&
	    at->plan[0]->kind == HECAT_STAGE_TCP && at->fd != -1 &&
	    !at->in.queued;
}

static struct hecat__follow *
follow_new(struct hecat_dial *d)
{
	struct hecat__follow *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	if ((f->host = strdup(d->given)) == NULL ||
	    (f->l = calloc(d->natt, sizeof(*f->l))) == NULL) {
		free(f->host);
		free(f);
		return NULL;
	}
	f->cap = d->natt;
	f->dial = d;
	f->trace = d->opts.trace;
	f->trace_arg = d->opts.trace_arg;
	f->t0 = d->t0;
	f->won = hecat__now();
	f->watch = (uint64_t)d->opts.follow_losers_ms * HECAT__NS_PER_MS;
	f->hist = d->hist;
	f->net = d->net;
	return f;
}

bool
hecat__follow_take(struct hecat_dial *d, struct hecat__attempt *at)
{
	struct loser *l;

	if (!followable(d, at))
		return false;
	if (d->follow == NULL && (d->follow = follow_new(d)) == NULL)
		return false;
	if (d->follow->n == d->follow->cap)
		return false;
	l = &d->follow->l[d->follow->n++];
	l->f = d->follow;
	l->st = at->st;
	l->st.fd = at->fd;
	l->id = at->id;
	l->started = at->started;
	l->sa = at->sa;
	l->salen = at->salen;
	l->orig = at->orig;
	l->origlen = at->origlen;
	l->headstart = at->started < d->won_started;
	/* The slot forgets the socket: it is the watch's now. */
	if (at->ev != NULL) {
		event_free(at->ev);
		at->ev = NULL;
	}
	at->fd = -1;
	at->st.fd = -1;
	return true;
}

static void
loser_close(struct loser *l)
{
	if (l->ev != NULL) {
		event_free(l->ev);
		l->ev = NULL;
	}
	if (l->st.fd != -1) {
		close(l->st.fd);
		l->st.fd = -1;
	}
}

static void
follow_free(struct hecat__follow *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n; i++)
		loser_close(&f->l[i]);
	free(f->l);
	free(f->host);
	free(f);
}

/* What history learns from a loser's end (the winner's was noted). */
static void
loser_record(struct loser *l, int result, int err, uint32_t rtt_us)
{
	struct hecat__follow *f = l->f;
	struct hecat_hist_obs o[2];
	int event;

	if (!f->hist || f->h == NULL)
		return;
	if (result == HECAT_ATTEMPT_CONNECTED)
		event = HECAT_HIST_CONNECTED;
	else if (err != ETIMEDOUT && hecat__hist_path_error(err))
		event = HECAT_HIST_FAILED;
	else if (l->headstart)
		event = HECAT_HIST_LOST;	/* as a closed loser would */
	else
		return;
	f->h->store->record(f->h->store_arg, f->net, o,
	    hecat__hist_obs_of(&l->sa, l->origlen > 0 ? &l->orig : NULL,
	    event, rtt_us, event == HECAT_HIST_FAILED ? err : 0, o));
}

static void
loser_emit(struct loser *l, int result, int err, uint64_t now)
{
	struct hecat__follow *f = l->f;
	struct hecat_trace t;

	if (f->trace == NULL)
		return;
	memset(&t, 0, sizeof(t));
	t.kind = HECAT_TRACE_LOSER;
	t.t_ns = now;
	t.since_ns = now - f->t0;
	t.dial = f->dial;
	t.host = f->host;
	t.id = l->id;
	t.family = l->sa.ss_family;
	t.addr = (const struct sockaddr *)&l->sa;
	t.addrlen = l->salen;
	if (l->origlen > 0) {
		t.orig = (const struct sockaddr *)&l->orig;
		t.origlen = l->origlen;
	}
	t.stage = HECAT_STAGE_TCP;
	t.result = result;
	t.error = err;
	t.why = result == HECAT_ATTEMPT_CONNECTED ? HECAT_WHY_NONE :
	    err == ETIMEDOUT ? HECAT_WHY_TIMEOUT : HECAT_WHY_ERROR;
	t.elapsed_ns = now - l->started;
	t.after_ns = now - f->won;
	t.following = (unsigned)f->left;
	f->trace(&t, f->trace_arg);
}

/* A loser's end: history, the trace, and the watch's when it was the last. */
static void
loser_end(struct loser *l, int result, int err)
{
	struct hecat__follow *f = l->f;
	uint64_t now = hecat__now();
	uint32_t rtt = 0;
	bool last;

	if (result == HECAT_ATTEMPT_CONNECTED) {
		rtt = hecat__tcp_rtt_us(l->st.fd);
		if (rtt == 0)
			rtt = (uint32_t)((now - l->started) / 1000);
	}
	loser_close(l);
	loser_record(l, result, err, rtt);
	/*
	 * The last one leaves the instance before its event is told; after
	 * the event, f is not touched unless it was the last (the callback
	 * may have freed the instance, and with it the rest of the watch).
	 */
	if ((last = --f->left == 0))
		TAILQ_REMOVE(&f->h->follows, f, entry);
	loser_emit(l, result, err, now);
	if (last)
		follow_free(f);
}

static int	loser_wait(struct loser *l);

static void
loser_cb(evutil_socket_t fd, short what, void *arg)
{
	struct loser *l = arg;

	(void)fd;
	if (what & EV_TIMEOUT) {
		/* Rounded to microseconds, it may come a hair early. */
		if (hecat__now() - l->f->won < l->f->watch &&
		    loser_wait(l) == 0)
			return;
		loser_end(l, HECAT_ATTEMPT_FAILED, ETIMEDOUT);
		return;
	}
	l->st.error = 0;
	switch (hecat__stage_tcp.ready(&l->st)) {
	case HECAT__STAGE_DONE:
		loser_end(l, HECAT_ATTEMPT_CONNECTED, 0);
		break;
	case HECAT__STAGE_WANT_WRITE:		/* woken early */
		if (loser_wait(l) == -1)
			loser_end(l, HECAT_ATTEMPT_FAILED, errno);
		break;
	default:
		loser_end(l, HECAT_ATTEMPT_FAILED,
		    l->st.error != 0 ? l->st.error : EPROTO);
		break;
	}
}

/* Wait for the connect's end, until the watch's. */
static int
loser_wait(struct loser *l)
{
	struct hecat__follow *f = l->f;
	uint64_t spent = hecat__now() - f->won;

	if (l->ev == NULL && (l->ev = event_new(f->h->base, l->st.fd,
	    EV_WRITE, loser_cb, l)) == NULL)
		return -1;
	return hecat__event_add_ns(l->ev, spent < f->watch ?
	    f->watch - spent : 0);
}

unsigned
hecat__follow_start(struct hecat_dial *d)
{
	struct hecat__follow *f = d->follow;
	size_t i;

	d->follow = NULL;
	if (f == NULL || f->n == 0 || d->h == NULL) {
		follow_free(f);
		return 0;
	}
	f->h = d->h;
	for (i = 0; i < f->n; i++)
		if (loser_wait(&f->l[i]) == -1) {
			follow_free(f);
			return 0;
		}
	f->left = f->n;
	TAILQ_INSERT_TAIL(&f->h->follows, f, entry);
	return (unsigned)f->n;
}

void
hecat__follow_drop(struct hecat_dial *d)
{
	follow_free(d->follow);
	d->follow = NULL;
}

void
hecat__follow_free_all(struct hecat *h)
{
	struct hecat__follow *f;

	while ((f = TAILQ_FIRST(&h->follows)) != NULL) {
		TAILQ_REMOVE(&h->follows, f, entry);
		follow_free(f);
	}
}
