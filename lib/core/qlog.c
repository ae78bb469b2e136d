/*
 * qlog.c - the race as qlog (hecat_qlog_new(), hecat.h): the trace events
 * of one or more dials turned into the Happy Eyeballs events of
 * draft-kuehlewind-happy-qlog, in the qlog main schema's JSON-SEQ
 * serialization (RFC 7464: 0x1E, a JSON object, a newline per record).
 *
 * Built from the trace alone, as any caller could: each dial (and each
 * race to a proxy) is a session with its own he_session_id, its queries
 * dns_query_started/_finished, its addresses candidate_discovered and
 * candidates_sorted/_resorted, its attempts attempt_started and exactly
 * one attempt_outcome each, the Connection Attempt Delay
 * next_attempt_timer_set/_fired/_canceled, and connection_selected or
 * connection_aborted, then metrics.  What the draft has no event for (the
 * Resolution Delay, stages after TCP, TLSA) is left out; docs/qlog.md has
 * the mapping and what the draft leaves unclear.
 *
 * This file: the records (the header, an event's frame), the values
 * events share, the sessions, and the API; qlog_events.c: the events of
 * each trace kind.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qlog_int.h"

uint64_t
hecat__qlog_ms(uint64_t ns)
{
	uint64_t v = (ns + 500000) / 1000000;

	return v > UINT32_MAX ? UINT32_MAX : v;
}

/* ---- records ------------------------------------------------------------- */

static void
emit(struct hecat_qlog *q)
{
	hecat__json_put(&q->b, "\n", 1);
	if (!q->b.oom)
		q->write(q->b.p, q->b.len, q->arg);
	hecat__json_reset(&q->b);
}

/* The file's first record: what it is, and its clock (time 0 at t). */
static void
header(struct hecat_qlog *q, uint64_t t)
{
	struct hecat__json *b = &q->b;
	struct timespec now;
	struct tm tm;
	uint64_t back;
	char when[64];

	q->started = true;
	q->t0 = t;
	/* The wall clock when time was 0: now, less what passed since. */
	clock_gettime(CLOCK_REALTIME, &now);
	back = hecat_clock_ns() - t;
	now.tv_sec -= (time_t)(back / 1000000000u);
	now.tv_nsec -= (long)(back % 1000000000u);
	if (now.tv_nsec < 0) {
		now.tv_nsec += 1000000000L;
		now.tv_sec--;
	}
	gmtime_r(&now.tv_sec, &tm);
	snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, now.tv_nsec / 1000000);

	hecat__json_put(b, "\x1e", 1);
	hecat__json_open(b, NULL, '{');
	hecat__json_kstr(b, "file_schema",
	    "urn:ietf:params:qlog:file:sequential");
	hecat__json_kstr(b, "serialization_format",
	    "application/qlog+json-seq");
	if (q->title != NULL)
		hecat__json_kstr(b, "title", q->title);
	if (q->description != NULL)
		hecat__json_kstr(b, "description", q->description);
	hecat__json_open(b, "trace", '{');
	if (q->title != NULL)
		hecat__json_kstr(b, "title", q->title);
	hecat__json_open(b, "vantage_point", '{');
	hecat__json_kstr(b, "name", "libhecat " PACKAGE_VERSION);
	hecat__json_kstr(b, "type", "client");
	hecat__json_close(b, '}');
	hecat__json_open(b, "common_fields", '{');
	hecat__json_kstr(b, "time_format", "relative_to_epoch");
	hecat__json_open(b, "reference_time", '{');
	hecat__json_kstr(b, "clock_type", "monotonic");
	hecat__json_kstr(b, "epoch", "unknown");
	hecat__json_kstr(b, "wall_clock_time", when);
	hecat__json_close(b, '}');
	hecat__json_close(b, '}');
	hecat__json_open(b, "event_schemas", '[');
	hecat__json_key(b, NULL);
	hecat__json_str(b, SCHEMA);
	hecat__json_close(b, ']');
	hecat__json_close(b, '}');
	hecat__json_close(b, '}');
	emit(q);
}

/* Begin an event: time, name, and data's he_session_id. */
struct hecat__json *
hecat__qlog_event(struct hecat_qlog *q, const struct qlog_session *s,
    uint64_t t,
    const char *name)
{
	struct hecat__json *b = &q->b;
	uint64_t rel = t > q->t0 ? t - q->t0 : 0;

	hecat__json_put(b, "\x1e", 1);
	hecat__json_open(b, NULL, '{');
	hecat__json_key(b, "time");
	hecat__json_putf(b, "%llu.%03llu", (unsigned long long)(rel / 1000000),
	    (unsigned long long)(rel % 1000000 / 1000));
	hecat__json_key(b, "name");
	hecat__json_putf(b, "\"hev3:%s\"", name);
	hecat__json_open(b, "data", '{');
	hecat__json_key(b, "he_session_id");
	hecat__json_putf(b, "\"%u\"", s->num);
	return b;
}

void
hecat__qlog_event_end(struct hecat_qlog *q)
{
	hecat__json_close(&q->b, '}');
	hecat__json_close(&q->b, '}');
	emit(q);
}

/* ---- values -------------------------------------------------------------- */

const char *
hecat__qlog_family(int af)
{
	return af == AF_INET6 ? "ipv6" : "ipv4";
}

void
hecat__qlog_kaddr(struct hecat__json *b, const char *k,
    const struct sockaddr *sa)
{
	char a[HECAT__IP_FMTLEN];
	struct hecat__ip ip;

	hecat__ip_from_sa(&ip, sa);
	hecat__json_kstr(b, k, hecat__ip_fmt(&ip, a, sizeof(a)));
}

void
hecat__qlog_target(struct hecat__json *b, const char *k,
    const struct sockaddr *sa, uint16_t port)
{
	hecat__json_open(b, k, '{');
	hecat__qlog_kaddr(b, "address", sa);
	hecat__json_kuint(b, "port", port != 0 ? port : hecat__sa_port(sa));
	hecat__json_kstr(b, "family", hecat__qlog_family(sa->sa_family));
	hecat__json_kstr(b, "transport", "tcp");
	hecat__json_close(b, '}');
}

/* "ECONNREFUSED"; the number when glibc has no name for it. */
void
hecat__qlog_kerrno(struct hecat__json *b, const char *k, int err)
{
	const char *n = strerrorname_np(err);

	hecat__json_key(b, k);
	if (n != NULL)
		hecat__json_str(b, n);
	else
		hecat__json_putf(b, "\"errno %d\"", err);
}

/* ---- sessions ------------------------------------------------------------ */

/*
 * The session an event belongs to: its dial's newest one not done.  A
 * dial's start always opens a new one (a later dial may have the address
 * an ended one had, while that one still waits for its losers); a loser
 * goes to its dial's session that is over.  NULL: none to tell.
 */
static struct qlog_session *
session(struct hecat_qlog *q, const struct hecat_trace *t)
{
	struct qlog_session *s;
	bool race = t->proxy_race != 0;
	unsigned i;

	for (i = q->nsessions; i-- > 0;) {
		s = &q->s[i];
		if (s->dial != t->dial || s->proxy_race != race || s->done)
			continue;
		if (t->kind == HECAT_TRACE_LOSER ? s->over :
		    t->kind != HECAT_TRACE_DIAL_START || !s->over)
			return s;
	}
	if (t->kind == HECAT_TRACE_LOSER)
		return NULL;
	if (q->nsessions == MAXSESSIONS) {
		/* The oldest that is done makes room; else none is told. */
		for (i = 0; i < q->nsessions && !q->s[i].done; i++)
			;
		if (i == q->nsessions)
			return NULL;
		free(q->s[i].att);
		memmove(&q->s[i], &q->s[i + 1],
		    (q->nsessions - i - 1) * sizeof(q->s[0]));
		q->nsessions--;
	}
	s = &q->s[q->nsessions];
	memset(s, 0, sizeof(*s));
	s->dial = t->dial;
	s->proxy_race = race;
	s->num = ++q->nums;
	s->t_start = t->t_ns;
	q->nsessions++;
	return s;
}

struct qlog_attempt *
hecat__qlog_attempt(struct qlog_session *s, unsigned id)
{
	size_t i;

	for (i = 0; i < s->natt; i++)
		if (s->att[i].id == id)
			return &s->att[i];
	return NULL;
}

/* Whether sa's address is told of already; if not, it is now. */
bool
hecat__qlog_seen(struct qlog_session *s, const struct sockaddr *sa)
{
	struct hecat__ip ip;
	size_t i;

	hecat__ip_from_sa(&ip, sa);
	for (i = 0; i < s->nseen; i++)
		if (hecat__ip_equal(&s->seen[i], &ip))
			return true;
	if (s->nseen < MAXSEEN)
		s->seen[s->nseen++] = ip;
	return false;
}


void
hecat_qlog_trace(const struct hecat_trace *t, void *arg)
{
	struct hecat_qlog *q = arg;
	struct qlog_session *s;

	if (q == NULL || t == NULL)
		return;
	if (!q->started)
		header(q, t->t_ns);
	if ((s = session(q, t)) == NULL || s->done)
		return;
	hecat__qlog_on(q, s, t);
}

struct hecat_qlog *
hecat_qlog_new(hecat_qlog_write_cb write, void *arg, const char *title,
    const char *description)
{
	struct hecat_qlog *q;

	if (write == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->write = write;
	q->arg = arg;
	if ((title != NULL && (q->title = strdup(title)) == NULL) ||
	    (description != NULL &&
	    (q->description = strdup(description)) == NULL)) {
		free(q->title);
		free(q);
		return NULL;
	}
	return q;
}

void
hecat_qlog_free(struct hecat_qlog *q)
{
	uint64_t now;
	unsigned i;
	size_t j;

	if (q == NULL)
		return;
	now = hecat_clock_ns();
	if (!q->started)		/* no event: an empty trace */
		header(q, now);
	/* Sessions cut short: what was still open ends here. */
	for (i = 0; i < q->nsessions; i++) {
		struct qlog_session *s = &q->s[i];
		struct hecat_trace t;

		if (s->done)
			continue;
		memset(&t, 0, sizeof(t));
		t.t_ns = now;
		for (j = 0; j < s->natt; j++)
			if (!s->att[j].ended) {
				t.kind = HECAT_TRACE_ATTEMPT_END;
				t.id = s->att[j].id;
				t.result = HECAT_ATTEMPT_CANCELLED;
				t.why = HECAT_WHY_CANCELLED;
				hecat__qlog_outcome(q, s, &t);
			}
		if (!s->over) {
			t.kind = HECAT_TRACE_DIAL_FAILED;
			t.status = HECAT_E_CANCELLED;
			hecat__qlog_end(q, s, &t);
		}
		hecat__qlog_metrics(q, s, now);
	}
	for (i = 0; i < q->nsessions; i++)
		free(q->s[i].att);
	free(q->b.p);
	free(q->title);
	free(q->description);
	free(q);
}
