/*
 * emit.c - a dial's trace events, one function per kind: each fills the
 * fields its kind carries (hecat.h) and hands the event to the caller's
 * trace callback.  Nothing is built when there is no callback.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "clock.h"
#include "history.h"

static bool
tracing(const struct hecat_dial *d)
{
	return d->opts.trace != NULL;
}

static void
emit(struct hecat_dial *d, struct hecat_trace *t)
{
	t->t_ns = hecat__now();
	t->since_ns = t->t_ns - d->t0;
	t->dial = d;
	t->host = d->given;
	d->opts.trace(t, d->opts.trace_arg);
}

static void
init(struct hecat_trace *t, enum hecat_trace_kind kind)
{
	memset(t, 0, sizeof(*t));
	t->kind = kind;
}

/* The fields that name an attempt. */
static void
init_attempt(struct hecat_trace *t, enum hecat_trace_kind kind,
    const struct hecat__attempt *at)
{
	init(t, kind);
	t->id = at->id;
	t->family = at->sa.ss_family;
	t->addr = (const struct sockaddr *)&at->sa;
	t->addrlen = at->salen;
	t->elapsed_ns = hecat__now() - at->started;
	if (at->origlen > 0) {
		t->orig = (const struct sockaddr *)&at->orig;
		t->origlen = at->origlen;
	}
	if (at->d->opts.proxy != HECAT_PROXY_NONE && at->preq.name == NULL) {
		t->target = (const struct sockaddr *)&at->preq.addr;
		t->targetlen = at->preq.addr.ss_family == AF_INET6 ?
		    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	}
	if (at->boundlen > 0) {
		t->bound = (const struct sockaddr *)&at->bound;
		t->boundlen = at->boundlen;
	}
	t->via = at->d->opts.proxy;
	if (t->via != HECAT_PROXY_NONE)
		t->target_port = at->preq.port;
}

void
hecat__emit_dial_start(struct hecat_dial *d)
{
	struct hecat_trace t;

	if (!tracing(d))
		return;
	init(&t, HECAT_TRACE_DIAL_START);
	t.opts = &d->opts;
	t.ports = d->ports;
	t.nports = d->nports;
	t.family = d->opts.family;
	t.prefer = d->opts.prefer;
	emit(d, &t);
}

void
hecat__emit_network(struct hecat_dial *d)
{
	struct hecat_trace t;

	if (!tracing(d))
		return;
	init(&t, HECAT_TRACE_NETWORK);
	t.net_inet6 = d->net6;
	t.net_inet = d->net4;
	t.why = d->nat64 != HECAT__NAT64_OFF ? HECAT_WHY_NAT64 :
	    HECAT_WHY_NATIVE;
	t.net_id = d->net;
	emit(d, &t);
}

void
hecat__emit_history(struct hecat_dial *d, const struct hecat_hist *rec,
    int64_t now)
{
	struct hecat__hview v;
	struct hecat_trace t;

	if (!tracing(d))
		return;
	hecat__hist_view(rec, now, &v);
	if (v.rtt == 0 && !v.failed)
		return;
	init(&t, HECAT_TRACE_HISTORY);
	t.addr = (const struct sockaddr *)&rec->addr;
	t.addrlen = rec->addr.ss_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	t.family = rec->addr.ss_family;
	t.rtt_ns = v.rtt;
	t.why = v.failed ? HECAT_WHY_FAILED : HECAT_WHY_RTT;
	t.error = v.failed ? rec->error : 0;
	t.age_s = v.age;
	t.net_id = d->net;
	emit(d, &t);
}

void
hecat__emit_nat64_prefix(struct hecat_dial *d, const struct hecat__prefix64 *p,
    int why)
{
	char buf[HECAT__IP_FMTLEN + 8];
	struct hecat_trace t;

	if (!tracing(d))
		return;
	init(&t, HECAT_TRACE_NAT64_PREFIX);
	t.prefix = p != NULL ? hecat__nat64_prefix_fmt(p, buf, sizeof(buf)) :
	    NULL;
	t.why = why;
	emit(d, &t);
}

void
hecat__emit_resolve_start(struct hecat_dial *d, int family, unsigned tries,
    bool shared)
{
	struct hecat_trace t;

	if (!tracing(d))
		return;
	init(&t, HECAT_TRACE_RESOLVE_START);
	t.family = hecat__query_type(family);
	t.name = hecat__query_name(d, family);
	t.tries = tries;
	t.shared = shared;
	emit(d, &t);
}

void
hecat__emit_resolve_done(struct hecat_dial *d, int family,
    const struct hecat__inbox_item *it, uint64_t elapsed)
{
	struct hecat_trace t;

	if (!tracing(d))
		return;
	init(&t, HECAT_TRACE_RESOLVE_DONE);
	t.family = hecat__query_type(family);
	t.name = hecat__query_name(d, family);
	t.status = it->status;
	t.dnssec = it->dnssec;
	t.addrs = it->addrs;
	t.naddrs = it->naddrs;
	t.elapsed_ns = elapsed;
	emit(d, &t);
}

void
hecat__emit_resolve_cancel(struct hecat_dial *d, int family)
{
	struct hecat_trace t;

	if (!tracing(d))
		return;
	init(&t, HECAT_TRACE_RESOLVE_CANCEL);
	t.family = hecat__query_type(family);
	t.name = hecat__query_name(d, family);
	emit(d, &t);
}

void
hecat__emit_desynthesize(struct hecat_dial *d, const struct hecat__action *a)
{
	struct sockaddr_storage v6, v4;
	struct hecat_trace t;

	if (!tracing(d))
		return;
	init(&t, HECAT_TRACE_DESYNTHESIZE);
	t.addrlen = hecat__ip_to_sa(&a->ip, 0, &v6);
	t.addr = (const struct sockaddr *)&v6;
	t.origlen = hecat__ip_to_sa(&a->orig, 0, &v4);
	t.orig = (const struct sockaddr *)&v4;
	t.family = AF_INET6;
	emit(d, &t);
}

void
hecat__emit_resolution_delay(struct hecat_dial *d,
    const struct hecat__action *a)
{
	struct hecat_trace t;

	if (!tracing(d))
		return;
	init(&t, HECAT_TRACE_RESOLUTION_DELAY);
	t.family = a->family;
	t.wait_ns = a->wait;
	t.why = a->learned ? HECAT_WHY_HISTORY : HECAT_WHY_FIRST_ANSWER;
	emit(d, &t);
}

void
hecat__emit_candidates(struct hecat_dial *d)
{
	struct hecat__addr_info info;
	struct sockaddr_storage *ss;
	struct hecat_trace t;
	size_t *idx, n, i;

	if (!tracing(d))
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
		init(&t, HECAT_TRACE_CANDIDATES);
		t.addrs = ss;
		t.naddrs = n;
		t.ports = d->ports;
		t.nports = d->nports;
		if (d->opts.proxy != HECAT_PROXY_NONE && !d->plocal) {
			t.ports = &d->pport;	/* the proxy's addresses */
			t.nports = 1;
		}
		emit(d, &t);
	}
	free(idx);
	free(ss);
}

void
hecat__emit_attempt_start(struct hecat_dial *d,
    const struct hecat__attempt *at, int why)
{
	struct hecat_trace t;

	if (!tracing(d))
		return;
	init_attempt(&t, HECAT_TRACE_ATTEMPT_START, at);
	t.why = why;
	t.delay_ns = at->delay;
	t.delay_learned = at->learned;
	t.source = d->opts.source;
	t.sourcelen = d->opts.source_len;
	emit(d, &t);
}

void
hecat__emit_stage_start(struct hecat_dial *d, const struct hecat__attempt *at)
{
	struct hecat_trace t;

	if (!tracing(d))
		return;
	init_attempt(&t, HECAT_TRACE_STAGE_START, at);
	t.stage = at->plan[at->cur]->kind;
	emit(d, &t);
}

void
hecat__emit_stage_step(struct hecat_dial *d, const struct hecat__attempt *at,
    const char *step)
{
	struct hecat_trace t;

	if (!tracing(d))
		return;
	init_attempt(&t, HECAT_TRACE_STAGE_STEP, at);
	t.stage = at->plan[at->cur]->kind;
	t.elapsed_ns = hecat__now() - at->stage_started;
	t.detail = step;
	emit(d, &t);
}

void
hecat__emit_stage_done(struct hecat_dial *d, const struct hecat__attempt *at)
{
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);
	struct hecat_trace t;

	if (!tracing(d))
		return;
	init_attempt(&t, HECAT_TRACE_STAGE_DONE, at);
	t.stage = at->plan[at->cur]->kind;
	t.status = at->st.code;
	if (at->cur > 0)
		t.elapsed_ns = hecat__now() - at->stage_started;
	else if (at->fd != -1 &&
	    getsockname(at->fd, (struct sockaddr *)&local, &len) == 0) {
		t.local = (const struct sockaddr *)&local;
		t.locallen = len;
	}
	emit(d, &t);
}

static void
attempt_end(struct hecat_dial *d, const struct hecat__attempt *at,
    int result, int why, int stage, int error, const char *detail,
    unsigned following)
{
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);
	struct hecat_trace t;

	if (!tracing(d))
		return;
	init_attempt(&t, HECAT_TRACE_ATTEMPT_END, at);
	if (result == HECAT_ATTEMPT_CONNECTED && at->fd != -1 &&
	    getsockname(at->fd, (struct sockaddr *)&local, &len) == 0) {
		t.local = (const struct sockaddr *)&local;
		t.locallen = len;
	}
	t.result = result;
	t.why = why;
	t.stage = stage;
	t.error = error;
	t.detail = detail != NULL && detail[0] != '\0' ? detail : NULL;
	t.following = following;
	emit(d, &t);
}

void
hecat__emit_attempt_end(struct hecat_dial *d, const struct hecat__attempt *at,
    int result, int why, int stage, int error, const char *detail)
{
	attempt_end(d, at, result, why, stage, error, detail, 0);
}

void
hecat__emit_lost(struct hecat_dial *d, const struct hecat__attempt *at,
    int stage, bool followed)
{
	attempt_end(d, at, HECAT_ATTEMPT_CANCELLED, HECAT_WHY_LOST, stage, 0,
	    NULL, followed);
}

void
hecat__emit_winner(struct hecat_dial *d, const struct hecat__attempt *at,
    int fd, unsigned following)
{
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);
	struct hecat_trace t;

	if (!tracing(d))
		return;
	init_attempt(&t, HECAT_TRACE_WINNER, at);
	if (getsockname(fd, (struct sockaddr *)&local, &len) == 0) {
		t.local = (const struct sockaddr *)&local;
		t.locallen = len;
	}
	t.following = following;
	emit(d, &t);
}

void
hecat__emit_dial_failed(struct hecat_dial *d, int status, const char *message)
{
	struct hecat_trace t;

	if (!tracing(d))
		return;
	init(&t, HECAT_TRACE_DIAL_FAILED);
	t.status = status;
	t.detail = message;
	emit(d, &t);
}

void
hecat__emit_tlsa(struct hecat_dial *d, const char *name, int status,
    int dnssec, uint64_t elapsed_ns, const char *records)
{
	struct hecat_trace t;

	if (!tracing(d))
		return;
	init(&t, HECAT_TRACE_TLSA);
	t.name = name;
	t.status = status;
	t.dnssec = dnssec;
	t.elapsed_ns = elapsed_ns;
	t.detail = records;
	emit(d, &t);
}

void
hecat__emit_resolver(struct hecat_dial *d, const char *name,
    uint64_t load_ns, uint64_t setup_ns)
{
	struct hecat_trace t;

	if (!tracing(d))
		return;
	init(&t, HECAT_TRACE_RESOLVER);
	t.name = name;
	t.load_ns = load_ns;
	t.elapsed_ns = setup_ns;
	emit(d, &t);
}
