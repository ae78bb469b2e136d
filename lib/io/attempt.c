/*
 * attempt.c - a dial's attempts: each a slot keyed by the engine's id,
 * never by descriptor (T17), running its plan of stages (lib/stage/):
 * the TCP connect, then whatever must pass before it counts
 * (hecat_opts.race_until).  The slot owns the socket, the one event the
 * running stage waits on and the stage's timeout.  The outcome, passed
 * or failed in some stage, reaches the engine through the inbox, the
 * same way whether it came at once or later.
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
#include "tls.h"

static void	run(struct hecat__attempt *, enum hecat__stage_rc);

static int	arm_timer(struct hecat__attempt *);

/*
 * Whether the stage next waits for DANE's answer: it then parks, the
 * stage's timeout running already (it fails as the stage would).
 */
static bool
parks(struct hecat__attempt *at)
{
	at->parked = at->plan[at->cur]->kind == HECAT_STAGE_TLS &&
	    hecat__tls_waiting(at->d->tls);
	if (at->parked)
		(void)arm_timer(at);
	return at->parked;
}

/* A proxy stage's protocol step, traced as it happens. */
static void
step_cb(struct hecat__stage *st, void *arg)
{
	struct hecat__attempt *at = arg;

	hecat__emit_stage_step(at->d, at, st->step);
}

bool
hecat__attempts_new(struct hecat_dial *d)
{
	size_t i;

	d->natt = d->opts.max_inflight;
	if ((d->att = calloc(d->natt, sizeof(*d->att))) == NULL)
		return false;
	for (i = 0; i < d->natt; i++) {
		d->att[i].d = d;
		d->att[i].fd = -1;
	}
	return true;
}

struct hecat__attempt *
hecat__attempt_find(struct hecat_dial *d, unsigned id)
{
	size_t i;

	for (i = 0; id != 0 && i < d->natt; i++)
		if (d->att[i].id == id)
			return &d->att[i];
	return NULL;
}

/* Stop waiting, and let the running stage release what it holds. */
static void
stage_stop(struct hecat__attempt *at)
{
	if (at->ev != NULL) {
		event_free(at->ev);
		at->ev = NULL;
	}
	if (at->timer != NULL)
		evtimer_del(at->timer);
	if (at->cur < at->nstages && at->plan[at->cur]->cleanup != NULL)
		at->plan[at->cur]->cleanup(&at->st);
	at->cur = at->nstages;
}

/* Close an attempt's socket, free its slot, forget its queued outcome. */
static void
slot_close(struct hecat__attempt *at)
{
	stage_stop(at);
	if (at->st.tls != NULL) {
		hecat__tls_session_free(at->st.tls);
		at->st.tls = NULL;
	}
	if (at->fd != -1) {
		close(at->fd);
		at->fd = -1;
	}
	hecat__inbox_drop(&at->in);
	at->id = 0;
	at->post = false;
	at->parked = false;
}

int
hecat__attempt_take(struct hecat__attempt *at, void **tls)
{
	int fd = at->fd;

	stage_stop(at);
	*tls = at->st.tls;
	at->st.tls = NULL;
	at->fd = -1;
	return fd;
}

void
hecat__attempts_free(struct hecat_dial *d)
{
	size_t i;

	for (i = 0; d->att != NULL && i < d->natt; i++) {
		if (d->att[i].id != 0 || d->att[i].fd != -1)
			slot_close(&d->att[i]);
		if (d->att[i].timer != NULL)
			event_free(d->att[i].timer);
	}
	free(d->att);
	d->att = NULL;
}

/* The attempt's outcome, for the next kick. */
static void
push(struct hecat__attempt *at, int err, int why)
{
	struct hecat__inbox_item it;

	memset(&it, 0, sizeof(it));
	it.kind = HECAT__IN_RESULT;
	it.id = at->id;
	it.err = err;
	it.why = why;
	if (err != 0) {
		it.stage = at->plan[at->cur]->kind;
		memcpy(it.detail, at->st.detail, sizeof(it.detail));
	}
	hecat__inbox_post(at->d, &at->in, &it);
}

static void
ready_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hecat__attempt *at = arg;

	(void)fd;
	(void)what;
	run(at, at->plan[at->cur]->ready(&at->st));
}

static void
timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hecat__attempt *at = arg;

	(void)fd;
	(void)what;
	push(at, ETIMEDOUT, HECAT_WHY_TIMEOUT);
	at->parked = false;		/* DANE's answer came too late */
	stage_stop(at);
}

/* Wait for the stage's descriptor to be readable or writable. */
static int
wait_for(struct hecat__attempt *at, short what)
{
	struct event_base *base = at->d->h->base;

	if (at->ev != NULL && (at->ev_fd != at->st.fd || at->ev_what != what)) {
		event_free(at->ev);
		at->ev = NULL;
	}
	if (at->ev == NULL &&
	    (at->ev = event_new(base, at->st.fd, what, ready_cb, at)) == NULL)
		return -1;
	at->ev_fd = at->st.fd;
	at->ev_what = what;
	return event_add(at->ev, NULL);
}

/*
 * A stage's time: its own timeout, or the attempt's; after the race, no
 * later than the dial's deadline either.
 */
static unsigned
stage_ms(const struct hecat__attempt *at)
{
	const struct hecat_dial *d = at->d;
	unsigned ms = d->opts.stage_timeout_ms != 0 ?
	    d->opts.stage_timeout_ms : d->opts.attempt_timeout_ms;
	uint64_t spent, left;

	if (at->post && d->opts.timeout_ms != 0) {
		spent = (hecat__now() - d->t0) / 1000000;
		left = spent < d->opts.timeout_ms ? d->opts.timeout_ms - spent :
		    1;
		if (ms == 0 || left < ms)
			ms = (unsigned)left;
	}
	return ms;
}

/* The running (or waiting) stage's timeout, from now; -1: no memory. */
static int
arm_timer(struct hecat__attempt *at)
{
	unsigned ms = stage_ms(at);

	if (ms == 0)
		return 0;
	if (at->timer == NULL && (at->timer = evtimer_new(at->d->h->base,
	    timeout_cb, at)) == NULL)
		return -1;
	return hecat__event_add_ns(at->timer, hecat__ms(ms));
}

/* A stage after the connect begins, under its own timeout. */
static enum hecat__stage_rc
stage_begin(struct hecat__attempt *at)
{
	at->stage_started = hecat__now();
	at->st.error = 0;
	at->st.detail[0] = '\0';
	at->st.priv = NULL;
	at->st.code = -1;
	at->st.boundlen = 0;
	hecat__emit_stage_start(at->d, at);
	if (arm_timer(at) == -1)
		return hecat__stage_fail(&at->st, ENOMEM, NULL);
	return at->plan[at->cur]->start(&at->st);
}

/* Carry on from what the running stage said, to the next wait or end. */
static void
run(struct hecat__attempt *at, enum hecat__stage_rc rc)
{
	for (;;) {
		at->fd = at->st.fd;	/* the connect stage opens it */
		switch (rc) {
		case HECAT__STAGE_WANT_READ:
		case HECAT__STAGE_WANT_WRITE:
			if (wait_for(at, rc == HECAT__STAGE_WANT_READ ?
			    EV_READ : EV_WRITE) == 0)
				return;
			rc = hecat__stage_fail(&at->st, errno, NULL);
			continue;
		case HECAT__STAGE_FAILED:
			if (at->plan[at->cur]->kind == HECAT_STAGE_TLS &&
			    hecat__tls_broken(at->d->tls) != NULL) {
				/* Not this attempt's fault: the dial's. */
				hecat__dial_fail(at->d,
				    hecat__tls_broken_err(at->d->tls),
				    hecat__tls_broken(at->d->tls));
				hecat__dial_kick(at->d);
			}
			push(at, at->st.error != 0 ? at->st.error : EPROTO,
			    HECAT_WHY_ERROR);
			stage_stop(at);
			return;
		case HECAT__STAGE_DONE:
			break;
		}
		if (at->cur == 0 && at->d->hist) {	/* history's RTT */
			at->rtt_us = hecat__tcp_rtt_us(at->fd);
			if (at->rtt_us == 0) {
				uint64_t us = (hecat__now() - at->started) /
				    1000;

				at->rtt_us = us > UINT32_MAX ? UINT32_MAX :
				    (uint32_t)us;
			}
		}
		if (at->st.boundlen > 0) {	/* a proxy said where from */
			at->bound = at->st.bound;
			at->boundlen = at->st.boundlen;
		}
		hecat__emit_stage_done(at->d, at);
		if (at->plan[at->cur]->cleanup != NULL)
			at->plan[at->cur]->cleanup(&at->st);
		if (at->timer != NULL)
			evtimer_del(at->timer);
		if (++at->cur == at->nstages ||
		    (at->cur == at->count && !at->post)) {
			if (at->ev != NULL) {
				event_free(at->ev);
				at->ev = NULL;
			}
			push(at, 0, HECAT_WHY_NONE);
			return;
		}
		if (parks(at))
			return;
		rc = stage_begin(at);
	}
}

static int
start_why(int why)
{
	switch (why) {
	case HECAT__WHY_FIRST:
		return HECAT_WHY_FIRST;
	case HECAT__WHY_DELAY:
		return HECAT_WHY_ATTEMPT_DELAY;
	case HECAT__WHY_FAILED:
		return HECAT_WHY_PREVIOUS_FAILED;
	default:
		return HECAT_WHY_ANSWER;
	}
}

void
hecat__attempt_start(struct hecat_dial *d, const struct hecat__action *a)
{
	struct hecat__attempt *at = NULL;
	size_t i;

	for (i = 0; at == NULL && i < d->natt; i++)
		if (d->att[i].id == 0)
			at = &d->att[i];
	if (at == NULL) {
		/* The engine keeps to max_inflight: this is not reached. */
		hecat__inbox_post(d, &d->orphan, &(struct hecat__inbox_item){
		    .kind = HECAT__IN_RESULT, .id = a->id, .err = ENOBUFS,
		    .why = HECAT_WHY_ERROR });
		return;
	}
	at->id = a->id;
	at->fd = -1;
	at->started = hecat__now();
	at->boundlen = 0;
	/* The port NAT64's orig and a proxy's target keep: the engine's. */
	at->origlen = a->orig.family == 0 ? 0 :
	    hecat__ip_to_sa(&a->orig, a->port, &at->orig);
	at->delay = a->wait;
	at->learned = a->learned;
	at->nstages = 0;
	at->plan[at->nstages++] = hecat__stage_connect_override != NULL ?
	    hecat__stage_connect_override : &hecat__stage_tcp;
	if (d->opts.proxy != HECAT_PROXY_NONE) {
		hecat__proxy_attempt(d, at, &a->ip, a->port);
		at->plan[at->nstages++] = hecat__proxy_stage(d);
	} else
		at->salen = hecat__ip_to_sa(&a->ip, a->port, &at->sa);
	at->count = at->nstages;	/* a proxy's yes always counts */
	if (d->opts.tls) {
		at->plan[at->nstages++] = &hecat__stage_tls;
		if (d->opts.race_until != HECAT_STAGE_TCP)
			at->count = at->nstages;
	}
	if (d->opts.race_until == HECAT_STAGE_BANNER)
		at->plan[at->nstages++] = &hecat__stage_banner;
	if (d->opts.race_until == HECAT_STAGE_BANNER)
		at->count = at->nstages;
	at->post = false;
	at->cur = 0;
	memset(&at->st, 0, sizeof(at->st));
	at->st.fd = -1;
	at->st.addr = (const struct sockaddr *)&at->sa;
	at->st.addrlen = at->salen;
	at->st.source = d->opts.source;
	at->st.sourcelen = d->opts.source_len;
	at->st.source_port = d->opts.source_port;
	at->st.req = &at->preq;
	at->st.on_step = step_cb;
	at->st.step_arg = at;
	at->st.tlsconf = d->tls;
	hecat__emit_attempt_start(d, at, start_why(a->why));
	if (d->pfd != -1) {
		/* The race to the proxy's connection: the first attempt's. */
		at->st.fd = d->pfd;
		d->pfd = -1;
		run(at, HECAT__STAGE_DONE);
	} else
		run(at, at->plan[0]->start(&at->st));
}

/*
 * The stage an attempt is in, or the last one it passed: all of them, or
 * those the race counts while the rest wait for it to be won.
 */
static int
stage_of(const struct hecat__attempt *at)
{
	size_t i = at->cur;

	if (i >= at->nstages || (i == at->count && !at->post))
		i--;
	return at->plan[i]->kind;
}

/* A failed attempt: the report's ledger, the trace, history. */
static void
failed(struct hecat_dial *d, struct hecat__attempt *at, int why, int stage,
    int err, const char *detail)
{
	/* Through a proxy, locally: the host's address it was asked for. */
	const struct sockaddr *sa = d->plocal ?
	    (const struct sockaddr *)&at->preq.addr :
	    (const struct sockaddr *)&at->sa;
	struct hecat__ip ip, orig;

	hecat__ip_from_sa(&ip, sa);
	if (at->origlen > 0)
		hecat__ip_from_sa(&orig, (const struct sockaddr *)&at->orig);
	hecat__report_fail(&d->report, &ip, at->origlen > 0 ? &orig : NULL,
	    hecat__sa_port(sa), stage, err, detail);
	hecat__emit_attempt_end(d, at, HECAT_ATTEMPT_FAILED, why, stage, err,
	    detail);
	/* What a proxy said is about the host beyond it, not its address. */
	if (why != HECAT_WHY_DEADLINE && hecat__hist_path_error(err) &&
	    (stage == HECAT_STAGE_TCP || (stage == HECAT_STAGE_BANNER &&
	    d->opts.proxy == HECAT_PROXY_NONE)))
		hecat__hist_note(d, at, HECAT_HIST_FAILED, 0, err);
}

void
hecat__attempt_cancel(struct hecat_dial *d, const struct hecat__action *a)
{
	struct hecat__attempt *at = hecat__attempt_find(d, a->id);
	bool followed;

	if (at == NULL)
		return;
	switch (a->why) {
	case HECAT__CANCEL_TIMEOUT:
		failed(d, at, HECAT_WHY_TIMEOUT, stage_of(at), ETIMEDOUT, NULL);
		break;
	case HECAT__CANCEL_DEADLINE:
		failed(d, at, HECAT_WHY_DEADLINE, stage_of(at), ETIMEDOUT,
		    NULL);
		break;
	case HECAT__CANCEL_LOST:
		/* Watched (follow_losers_ms): history hears how it ends. */
		followed = hecat__follow_take(d, at);
		hecat__emit_lost(d, at, stage_of(at), followed);
		/* It had a head start and still lost: slower, or dead. */
		if (!followed && at->started < d->won_started)
			hecat__hist_note(d, at, HECAT_HIST_LOST, 0, 0);
		break;
	default:
		hecat__emit_attempt_end(d, at, HECAT_ATTEMPT_CANCELLED,
		    HECAT_WHY_CANCELLED, stage_of(at), 0, NULL);
		break;
	}
	slot_close(at);
}

void
hecat__attempt_result(struct hecat_dial *d,
    const struct hecat__inbox_item *it)
{
	struct hecat__attempt *at = hecat__attempt_find(d, it->id);
	uint64_t now = hecat__now();

	if (at == NULL) {		/* no slot was free: not reached */
		hecat__engine_on_attempt(d->e, now, it->id, it->err);
		return;
	}
	if (it->err != 0) {
		failed(d, at, it->why, it->stage, it->err, it->detail);
		slot_close(at);
		hecat__engine_on_attempt(d->e, now, it->id, it->err);
		return;
	}
	hecat__emit_attempt_end(d, at, HECAT_ATTEMPT_CONNECTED, HECAT_WHY_NONE,
	    stage_of(at), 0, NULL);
	hecat__hist_note(d, at, HECAT_HIST_CONNECTED, at->rtt_us, 0);
	if (!hecat__engine_on_attempt(d->e, now, it->id, 0))
		slot_close(at);
	else if (d->won_started == 0)
		d->won_started = at->started;
}

bool
hecat__attempt_finish(struct hecat__attempt *at)
{
	if (at->cur >= at->nstages)
		return false;
	at->post = true;
	if (!parks(at))
		run(at, stage_begin(at));
	return true;
}

void
hecat__attempts_resume(struct hecat_dial *d)
{
	size_t i;

	for (i = 0; i < d->natt; i++)
		if (d->att[i].id != 0 && d->att[i].parked) {
			d->att[i].parked = false;
			run(&d->att[i], stage_begin(&d->att[i]));
		}
}

bool
hecat__attempt_post(struct hecat_dial *d, const struct hecat__inbox_item *it)
{
	struct hecat__attempt *at = hecat__attempt_find(d, it->id);

	if (at == NULL || it->err == 0)
		return at != NULL;
	failed(d, at, it->why, it->stage, it->err, it->detail);
	slot_close(at);
	return false;
}
