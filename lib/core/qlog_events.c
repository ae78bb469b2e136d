/*
 * qlog_events.c - the hev3 events each trace event becomes (qlog.c has
 * the records and the sessions; docs/qlog.md the mapping, and what the
 * draft leaves unclear).
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qlog_int.h"

static void
on_dial_start(struct hecat_qlog *q, struct qlog_session *s,
    const struct hecat_trace *t)
{
	const struct hecat_opts *o = t->opts;
	struct hecat__json *b;
	size_t i;

	if (t->nports > 0)
		s->port = t->ports[0];
	b = hecat__qlog_event(q, s, t->t_ns, "config_set");
	hecat__json_open(b, "policy", '{');
	if (o != NULL) {
		hecat__json_kuint(b, "resolution_delay_ms",
		    o->resolution_delay_ms);
		hecat__json_kuint(b, "preferred_address_family_count",
		    o->first_family_count);
		hecat__json_kuint(b, "connection_attempt_delay_ms",
		    o->attempt_delay_ms);
		hecat__json_kuint(b, "min_connection_attempt_delay_ms",
		    o->attempt_delay_min_ms);
		hecat__json_kuint(b, "max_connection_attempt_delay_ms",
		    o->attempt_delay_max_ms);
		hecat__json_kuint(b, "max_parallel_attempts", o->max_inflight);
		hecat__json_kstr(b, "preferred_family",
		    o->prefer == AF_INET6 ? "ipv6" :
		    o->prefer == AF_INET ? "ipv4" : "auto");
		if (o->proxy == HECAT_PROXY_NONE &&
		    o->race_until == HECAT_STAGE_TCP && !o->tls)
			hecat__json_kstr(b, "success_definition",
			    "tcp_connected");
		else if (o->proxy == HECAT_PROXY_NONE && o->tls &&
		    o->race_until == HECAT_STAGE_TLS)
			hecat__json_kstr(b, "success_definition",
			    "tls_handshake_complete");
		hecat__json_kbool(b, "use_historical_rtt",
		    o->history == HECAT_HISTORY_ON);
		/* hecat's own, beyond the draft's */
		hecat__json_kstr(b, "race_until",
		    hecat_stage_name(o->race_until));
		if (o->proxy != HECAT_PROXY_NONE)
			hecat__json_kstr(b, "proxy",
			    hecat_proxy_name(o->proxy));
		hecat__json_kuint(b, "attempt_timeout_ms",
		    o->attempt_timeout_ms);
		hecat__json_kuint(b, "dial_timeout_ms", o->timeout_ms);
		hecat__json_kstr(b, "nat64", o->nat64 == HECAT_NAT64_OFF ?
		    "off" : "auto");
		if (o->nat64_prefix != NULL)
			hecat__json_kstr(b, "nat64_prefix", o->nat64_prefix);
		hecat__json_kuint(b, "follow_losers_ms", o->follow_losers_ms);
	}
	hecat__json_close(b, '}');
	hecat__json_kstr(b, "reason", "app_config");
	hecat__json_kstr(b, "host", t->host);
	hecat__json_open(b, "ports", '[');
	for (i = 0; i < t->nports; i++) {
		hecat__json_key(b, NULL);
		hecat__json_putf(b, "%u", t->ports[i]);
	}
	hecat__json_close(b, ']');
	hecat__qlog_event_end(q);
}

static void
on_nat64_prefix(struct hecat_qlog *q, struct qlog_session *s,
    const struct hecat_trace *t)
{
	struct hecat__json *b;
	const char *slash;
	char p[INET6_ADDRSTRLEN + 8];

	if (t->prefix == NULL || (slash = strchr(t->prefix, '/')) == NULL)
		return;
	/* A prefix given as an option was not discovered: config_set's. */
	if (t->why != HECAT_WHY_DISCOVERED && t->why != HECAT_WHY_CACHED)
		return;
	snprintf(p, sizeof(p), "%.*s", (int)(slash - t->prefix), t->prefix);
	b = hecat__qlog_event(q, s, t->t_ns, "nat64_prefix_discovered");
	hecat__json_kstr(b, "prefix", p);
	hecat__json_kuint(b, "prefix_length", strtoul(slash + 1, NULL, 10));
	hecat__json_kstr(b, "source", "rfc7050_discovery");
	if (t->why == HECAT_WHY_CACHED)
		hecat__json_kbool(b, "cached", true);
	hecat__qlog_event_end(q);
}

/* The query's slot: AAAA, A, or RFC 7050's AAAA of ipv4only.arpa. */
static int
qslot(const struct hecat_trace *t)
{
	if (t->name != NULL && strcmp(t->name, "ipv4only.arpa.") == 0)
		return 2;
	return t->family == AF_INET6 ? 0 : 1;
}

static void
dns_id(struct hecat__json *b, const struct qlog_session *s, int slot)
{
	static const char *const tag[3] = { "AAAA", "A", "PREF64" };

	hecat__json_key(b, "dns_id");
	hecat__json_putf(b, "\"%s-%u\"", tag[slot], s->query_try[slot]);
}

static void
on_resolve_start(struct hecat_qlog *q, struct qlog_session *s,
    const struct hecat_trace *t)
{
	int slot = qslot(t);
	struct hecat__json *b;

	s->query_sent[slot] = t->t_ns;
	s->query_try[slot]++;
	b = hecat__qlog_event(q, s, t->t_ns, "dns_query_started");
	dns_id(b, s, slot);
	hecat__json_kstr(b, "hostname", t->name);
	hecat__json_open(b, "qtypes", '[');
	hecat__json_key(b, NULL);
	hecat__json_str(b, t->family == AF_INET6 ? "AAAA" : "A");
	hecat__json_close(b, ']');
	if (t->shared)
		hecat__json_kbool(b, "shared", true);
	hecat__qlog_event_end(q);
}

static void
discovered(struct hecat_qlog *q, struct qlog_session *s, uint64_t when,
    const struct sockaddr *sa, const char *source)
{
	struct hecat__json *b;

	if (hecat__qlog_seen(s, sa))
		return;
	b = hecat__qlog_event(q, s, when, "candidate_discovered");
	hecat__json_kstr(b, "source", source);
	hecat__qlog_target(b, "target", sa, s->port);
	hecat__qlog_event_end(q);
}

static void
on_resolve_end(struct hecat_qlog *q, struct qlog_session *s,
    const struct hecat_trace *t)
{
	int slot = qslot(t);
	const struct sockaddr *sa;
	struct hecat__json *b;
	size_t i;
	bool cancel = t->kind == HECAT_TRACE_RESOLVE_CANCEL;
	bool ok = !cancel && t->status == HECAT_DNS_OK && t->naddrs > 0;

	b = hecat__qlog_event(q, s, t->t_ns, "dns_query_finished");
	dns_id(b, s, slot);
	hecat__json_kstr(b, "hostname", t->name);
	hecat__json_open(b, "results", '[');
	for (i = 0; ok && i < t->naddrs; i++) {
		sa = (const struct sockaddr *)&t->addrs[i];
		hecat__json_open(b, NULL, '{');
		hecat__json_kstr(b, "type", "address");
		hecat__qlog_kaddr(b, "address", sa);
		hecat__json_kstr(b, "family",
		    hecat__qlog_family(sa->sa_family));
		hecat__json_close(b, '}');
	}
	hecat__json_close(b, ']');
	hecat__json_kstr(b, "answer_type", ok ? "positive" : !cancel &&
	    (t->status == HECAT_DNS_NODATA || t->status == HECAT_DNS_NXDOMAIN ||
	    t->status == HECAT_DNS_OK) ? "negative" : "error");
	if (cancel)
		hecat__json_kstr(b, "error_code", "cancelled");
	else if (t->status != HECAT_DNS_OK)
		hecat__json_kstr(b, "error_code",
		    hecat_dns_status_name(t->status));
	hecat__json_kuint(b, "duration_ms",
	    hecat__qlog_ms(t->t_ns - s->query_sent[slot]));
	if (!cancel && t->dnssec != HECAT_DNSSEC_NONE)
		hecat__json_kbool(b, "dnssec_validated",
		    t->dnssec == HECAT_DNSSEC_SECURE);
	hecat__qlog_event_end(q);
	for (i = 0; ok && slot != 2 && i < t->naddrs; i++)
		discovered(q, s, t->t_ns,
		    (const struct sockaddr *)&t->addrs[i], "dns");
}

static void
on_candidates(struct hecat_qlog *q, struct qlog_session *s,
    const struct hecat_trace *t)
{
	struct hecat__json *b;
	size_t i, j;

	b = hecat__qlog_event(q, s, t->t_ns, s->sorted ?
	    "candidates_resorted" : "candidates_sorted");
	if (s->sorted) {
		hecat__json_kstr(b, "reason", "new_addresses");
		hecat__json_open(b, "new_order", '[');
	} else {
		hecat__json_open(b, "groups", '[');
		hecat__json_open(b, NULL, '{');
		hecat__json_kstr(b, "group_id", "tcp");
		hecat__json_open(b, "candidates", '[');
	}
	for (i = 0; i < t->naddrs; i++)
		for (j = 0; j < (t->nports > 0 ? t->nports : 1); j++)
			hecat__qlog_target(b, NULL,
			    (const struct sockaddr *)&t->addrs[i],
			    t->nports > 0 ? t->ports[j] : s->port);
	hecat__json_close(b, ']');
	if (!s->sorted) {
		hecat__json_close(b, '}');
		hecat__json_close(b, ']');
	}
	s->sorted = true;
	hecat__qlog_event_end(q);
}

/* Keep count of an attempt started; false if there is no memory. */
static bool
track(struct qlog_session *s, unsigned id)
{
	struct qlog_attempt *a;
	size_t cap;

	if (s->natt == s->attcap) {
		cap = s->attcap == 0 ? 8 : s->attcap * 2;
		if ((a = reallocarray(s->att, cap, sizeof(*a))) == NULL)
			return false;
		s->att = a;
		s->attcap = cap;
	}
	memset(&s->att[s->natt], 0, sizeof(s->att[0]));
	s->att[s->natt++].id = id;
	return true;
}

static void
on_attempt_start(struct hecat_qlog *q, struct qlog_session *s,
    const struct hecat_trace *t)
{
	struct hecat__json *b;

	if (t->why == HECAT_WHY_ATTEMPT_DELAY && s->timer) {
		s->timer = false;
		hecat__qlog_event(q, s, t->t_ns, "next_attempt_timer_fired");
		hecat__qlog_event_end(q);
	}
	/* NAT64: the address the attempt synthesized from an IPv4 one. */
	if (t->orig != NULL)
		discovered(q, s, t->t_ns, t->addr, "nat64_synthesis");
	if (!track(s, t->id))
		return;		/* no memory: no start without its outcome */
	b = hecat__qlog_event(q, s, t->t_ns, "attempt_started");
	hecat__json_key(b, "attempt_id");
	hecat__json_putf(b, "\"%u\"", t->id);
	hecat__qlog_target(b, "target", t->addr, 0);
	if (t->why != HECAT_WHY_NONE)
		hecat__json_kstr(b, "reason", hecat_why_name(t->why));
	if (t->orig != NULL)
		hecat__qlog_kaddr(b, "synthesized_from", t->orig);
	if (t->via != HECAT_PROXY_NONE) {
		hecat__json_kstr(b, "via", hecat_proxy_name(t->via));
		if (t->target != NULL)
			hecat__qlog_kaddr(b, "proxy_target", t->target);
	}
	hecat__qlog_event_end(q);
	if (t->delay_ns > 0) {
		b = hecat__qlog_event(q, s, t->t_ns, "next_attempt_timer_set");
		hecat__json_kuint(b, "delay_ms", hecat__qlog_ms(t->delay_ns));
		hecat__json_kstr(b, "reason", t->delay_learned ? "rtt_based" :
		    "initial");
		hecat__qlog_event_end(q);
		s->timer = true;
	}
}

/* The one attempt_outcome of an attempt (a watched loser's comes last). */
void
hecat__qlog_outcome(struct hecat_qlog *q, struct qlog_session *s,
    const struct hecat_trace *t)
{
	struct qlog_attempt *a = hecat__qlog_attempt(s, t->id);
	const char *result;
	struct hecat__json *b;

	if (a == NULL || a->ended)
		return;
	if (t->kind == HECAT_TRACE_ATTEMPT_END && t->following)
		return;		/* watched: HECAT_TRACE_LOSER ends it */
	a->ended = true;
	result = t->result == HECAT_ATTEMPT_CONNECTED ? "success" :
	    t->result == HECAT_ATTEMPT_CANCELLED ? "canceled" :
	    t->why == HECAT_WHY_TIMEOUT || t->why == HECAT_WHY_DEADLINE ?
	    "timeout" : "failure";
	a->success = t->result == HECAT_ATTEMPT_CONNECTED;
	b = hecat__qlog_event(q, s, t->t_ns, "attempt_outcome");
	hecat__json_key(b, "attempt_id");
	hecat__json_putf(b, "\"%u\"", t->id);
	hecat__json_kstr(b, "result", result);
	if (t->error != 0)
		hecat__qlog_kerrno(b, "error_code", t->error);
	if (t->result != HECAT_ATTEMPT_CANCELLED)
		hecat__json_kuint(b, "connect_duration_ms",
		    hecat__qlog_ms(t->elapsed_ns));
	if (t->why != HECAT_WHY_NONE)
		hecat__json_kstr(b, "reason", hecat_why_name(t->why));
	if (t->stage != HECAT_STAGE_TCP)
		hecat__json_kstr(b, "stage", hecat_stage_name(t->stage));
	if (t->detail != NULL)
		hecat__json_kstr(b, "detail", t->detail);
	if (t->kind == HECAT_TRACE_LOSER) {
		hecat__json_kbool(b, "watched", true);
		hecat__json_kuint(b, "after_selected_ms",
		    hecat__qlog_ms(t->after_ns));
	}
	hecat__qlog_event_end(q);
}

void
hecat__qlog_metrics(struct hecat_qlog *q, struct qlog_session *s, uint64_t when)
{
	struct hecat__json *b;
	size_t i, ok = 0;
	bool won = s->t_success != 0;

	if (s->done)
		return;
	s->done = true;
	for (i = 0; i < s->natt; i++)
		ok += s->att[i].success;
	b = hecat__qlog_event(q, s, when, "metrics");
	hecat__json_kstr(b, "outcome", won ? "success" : "aborted");
	hecat__json_kuint(b, "total_duration_ms",
	    hecat__qlog_ms((s->over ? s->t_over : when) - s->t_start));
	if (won) {
		hecat__json_kuint(b, "tt_first_success_ms",
		    hecat__qlog_ms(s->t_success - s->t_start));
		hecat__json_kstr(b, "first_success_family",
		    hecat__qlog_family(s->success_family));
		hecat__json_kstr(b, "first_success_transport", "tcp");
	}
	hecat__json_kuint(b, "attempts_total", s->natt);
	hecat__json_kuint(b, "attempts_success", ok);
	hecat__json_kuint(b, "attempts_failure", s->natt - ok);
	hecat__qlog_event_end(q);
}

void
hecat__qlog_end(struct hecat_qlog *q, struct qlog_session *s,
    const struct hecat_trace *t)
{
	struct hecat__json *b;

	if (s->over)
		return;
	if (s->timer) {
		s->timer = false;
		b = hecat__qlog_event(q, s, t->t_ns,
		    "next_attempt_timer_canceled");
		hecat__json_kstr(b, "reason",
		    t->kind == HECAT_TRACE_WINNER ? "success" : "abort");
		hecat__qlog_event_end(q);
	}
	s->over = true;
	s->t_over = t->t_ns;
	if (t->kind == HECAT_TRACE_WINNER) {
		s->t_success = t->t_ns;
		s->success_family = t->addr->sa_family;
		s->following = t->following;
		b = hecat__qlog_event(q, s, t->t_ns, "connection_selected");
		hecat__json_key(b, "attempt_id");
		hecat__json_putf(b, "\"%u\"", t->id);
	} else {
		b = hecat__qlog_event(q, s, t->t_ns, "connection_aborted");
		hecat__json_kstr(b, "reason", t->detail != NULL ? t->detail :
		    hecat_strerror(t->status));
	}
	hecat__qlog_event_end(q);
	if (s->following == 0)
		hecat__qlog_metrics(q, s, t->t_ns);
}

void
hecat__qlog_on(struct hecat_qlog *q, struct qlog_session *s,
    const struct hecat_trace *t)
{
	switch (t->kind) {
	case HECAT_TRACE_DIAL_START:
		on_dial_start(q, s, t);
		break;
	case HECAT_TRACE_NAT64_PREFIX:
		on_nat64_prefix(q, s, t);
		break;
	case HECAT_TRACE_RESOLVE_START:
		on_resolve_start(q, s, t);
		break;
	case HECAT_TRACE_RESOLVE_DONE:
	case HECAT_TRACE_RESOLVE_CANCEL:
		on_resolve_end(q, s, t);
		break;
	case HECAT_TRACE_CANDIDATES:
		on_candidates(q, s, t);
		break;
	case HECAT_TRACE_ATTEMPT_START:
		on_attempt_start(q, s, t);
		break;
	case HECAT_TRACE_ATTEMPT_END:
		hecat__qlog_outcome(q, s, t);
		break;
	case HECAT_TRACE_WINNER:
	case HECAT_TRACE_DIAL_FAILED:
		hecat__qlog_end(q, s, t);
		break;
	case HECAT_TRACE_LOSER:
		hecat__qlog_outcome(q, s, t);
		if (t->following == 0)
			hecat__qlog_metrics(q, s, t->t_ns);
		break;
	default:	/* no hev3 event says it (docs/qlog.md) */
		break;
	}
}
