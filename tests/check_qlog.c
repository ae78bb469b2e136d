/*
 * check_qlog.c - the qlog writer (lib/core/qlog.c) fed fixed traces: every
 * record whole (0x1E, one JSON object, a newline), the header first and
 * once, a session per dial, the attempt timer's events, one outcome per
 * attempt (a watched loser's after the selection, with its real result),
 * metrics last; sessions cut short by hecat_qlog_free() ended; strings
 * escaped.  tests/netns/qlog.sh validates real races against the schema.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "hecat.h"

#define T0	1000000000ULL

struct sink {
	char	**rec;
	size_t	  n;
};

static void
collect(const char *rec, size_t len, void *arg)
{
	struct sink *s = arg;

	s->rec = realloc(s->rec, (s->n + 1) * sizeof(*s->rec));
	ck_assert_ptr_nonnull(s->rec);
	s->rec[s->n] = strndup(rec, len);
	ck_assert_ptr_nonnull(s->rec[s->n]);
	/* Whole: the separator, one object, the newline, and nothing else. */
	ck_assert_int_eq(rec[0], 0x1e);
	ck_assert_int_eq(rec[1], '{');
	ck_assert_int_eq(rec[len - 2], '}');
	ck_assert_int_eq(rec[len - 1], '\n');
	ck_assert_ptr_null(memchr(rec + 1, 0x1e, len - 1));
	ck_assert_ptr_null(memchr(rec, '\n', len - 1));
	s->n++;
}

static void
sink_free(struct sink *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->rec[i]);
	free(s->rec);
}

/* The index of the first record naming ev after from, or -1. */
static long
find(const struct sink *s, size_t from, const char *ev)
{
	char pat[64];
	size_t i;

	snprintf(pat, sizeof(pat), "\"name\":\"hev3:%s\"", ev);
	for (i = from; i < s->n; i++)
		if (strstr(s->rec[i], pat) != NULL)
			return (long)i;
	return -1;
}

static size_t
count(const struct sink *s, const char *ev)
{
	size_t n = 0;
	long i = -1;

	while ((i = find(s, (size_t)(i + 1), ev)) != -1)
		n++;
	return n;
}

static struct sockaddr_in6 v6;
static struct sockaddr_in v4;

static void
addrs(void)
{
	memset(&v6, 0, sizeof(v6));
	v6.sin6_family = AF_INET6;
	v6.sin6_port = htons(443);
	inet_pton(AF_INET6, "2001:db8::1", &v6.sin6_addr);
	memset(&v4, 0, sizeof(v4));
	v4.sin_family = AF_INET;
	v4.sin_port = htons(443);
	inet_pton(AF_INET, "192.0.2.1", &v4.sin_addr);
}

static void
feed(struct hecat_qlog *q, struct hecat_trace *t, enum hecat_trace_kind k,
    const void *dial, double ms)
{
	t->kind = k;
	t->dial = dial;
	t->t_ns = T0 + (uint64_t)(ms * 1e6);
	t->host = "example.test";
	hecat_qlog_trace(t, q);
	memset(t, 0, sizeof(*t));
}

static void
attempt(struct hecat_qlog *q, const void *dial, unsigned id, int why,
    double ms)
{
	struct hecat_trace t;

	memset(&t, 0, sizeof(t));
	t.id = id;
	t.why = why;
	t.addr = id == 1 ? (struct sockaddr *)&v6 : (struct sockaddr *)&v4;
	t.addrlen = id == 1 ? sizeof(v6) : sizeof(v4);
	t.delay_ns = 250000000;
	feed(q, &t, HECAT_TRACE_ATTEMPT_START, dial, ms);
}

/*
 * IPv6 first, IPv4 at 251 ms connects at 252 and wins; the IPv6 attempt,
 * lost, is watched (following 1).
 */
static void
race_won_watched(struct hecat_qlog *q, const void *dial)
{
	struct hecat_trace t;

	attempt(q, dial, 1, HECAT_WHY_FIRST, 1);
	attempt(q, dial, 2, HECAT_WHY_ATTEMPT_DELAY, 251);
	memset(&t, 0, sizeof(t));
	t.id = 2;
	t.result = HECAT_ATTEMPT_CONNECTED;
	t.elapsed_ns = 1000000;
	feed(q, &t, HECAT_TRACE_ATTEMPT_END, dial, 252);
	t.id = 1;
	t.result = HECAT_ATTEMPT_CANCELLED;
	t.why = HECAT_WHY_LOST;
	t.following = 1;
	feed(q, &t, HECAT_TRACE_ATTEMPT_END, dial, 252);
	t.id = 2;
	t.addr = (struct sockaddr *)&v4;
	t.following = 1;
	feed(q, &t, HECAT_TRACE_WINNER, dial, 252);
}

/* IPv6 blackholed, IPv4 wins at 250 ms, IPv6 watched until 550 ms. */
START_TEST(watched_loser)
{
	struct sink s = { NULL, 0 };
	struct hecat_qlog *q;
	struct hecat_trace t;
	struct hecat_opts o;
	static const int dial;
	uint16_t port = 443;

	addrs();
	hecat_opts_init(&o);
	o.follow_losers_ms = 300;
	ck_assert_ptr_nonnull(q = hecat_qlog_new(collect, &s, "t", NULL));
	memset(&t, 0, sizeof(t));
	t.opts = &o;
	t.ports = &port;
	t.nports = 1;
	feed(q, &t, HECAT_TRACE_DIAL_START, &dial, 0);
	race_won_watched(q, &dial);
	ck_assert_uint_eq(count(&s, "metrics"), 0);	/* not yet */
	t.id = 1;
	t.result = HECAT_ATTEMPT_FAILED;
	t.why = HECAT_WHY_TIMEOUT;
	t.error = ETIMEDOUT;
	t.elapsed_ns = 551000000;
	t.after_ns = 300000000;
	feed(q, &t, HECAT_TRACE_LOSER, &dial, 552);
	hecat_qlog_free(q);

	ck_assert_ptr_nonnull(strstr(s.rec[0], "\"file_schema\":"
	    "\"urn:ietf:params:qlog:file:sequential\""));
	ck_assert_ptr_nonnull(strstr(s.rec[0],
	    "\"event_schemas\":[\"urn:ietf:params:qlog:events:hev3-00\"]"));
	ck_assert_ptr_nonnull(strstr(s.rec[1], "\"time\":0.000,"));
	ck_assert_ptr_nonnull(strstr(s.rec[1], "\"follow_losers_ms\":300"));
	ck_assert_uint_eq(count(&s, "next_attempt_timer_set"), 2);
	ck_assert_uint_eq(count(&s, "next_attempt_timer_fired"), 1);
	ck_assert_uint_eq(count(&s, "next_attempt_timer_canceled"), 1);
	ck_assert_uint_eq(count(&s, "attempt_outcome"), 2);
	/* The loser's one outcome: after the selection, what it did. */
	ck_assert_int_lt(find(&s, 0, "connection_selected"),
	    (long)s.n - 2);
	ck_assert_ptr_nonnull(strstr(s.rec[s.n - 2], "\"attempt_id\":\"1\","
	    "\"result\":\"timeout\",\"error_code\":\"ETIMEDOUT\""));
	ck_assert_ptr_nonnull(strstr(s.rec[s.n - 2],
	    "\"watched\":true,\"after_selected_ms\":300"));
	ck_assert_ptr_nonnull(strstr(s.rec[s.n - 1], "\"name\":\"hev3:metrics\""));
	ck_assert_ptr_nonnull(strstr(s.rec[s.n - 1], "\"attempts_total\":2,"
	    "\"attempts_success\":1,\"attempts_failure\":1"));
	ck_assert_ptr_nonnull(strstr(s.rec[s.n - 1],
	    "\"first_success_family\":\"ipv4\""));
	sink_free(&s);
}
END_TEST

/* Two dials, one cut short: two sessions, each ended by free. */
START_TEST(sessions_cut_short)
{
	struct sink s = { NULL, 0 };
	struct hecat_qlog *q;
	struct hecat_trace t;
	static const int d1, d2;

	addrs();
	ck_assert_ptr_nonnull(q = hecat_qlog_new(collect, &s, NULL, NULL));
	memset(&t, 0, sizeof(t));
	feed(q, &t, HECAT_TRACE_DIAL_START, &d1, 0);
	feed(q, &t, HECAT_TRACE_DIAL_START, &d2, 1);
	attempt(q, &d2, 1, HECAT_WHY_FIRST, 2);
	t.status = HECAT_E_NOHOST;
	t.detail = "example.test: \"no\"\tsuch\nhost";
	feed(q, &t, HECAT_TRACE_DIAL_FAILED, &d1, 3);
	hecat_qlog_free(q);

	ck_assert_uint_eq(count(&s, "config_set"), 2);
	ck_assert_uint_eq(count(&s, "metrics"), 2);
	ck_assert_uint_eq(count(&s, "connection_aborted"), 2);
	ck_assert_ptr_nonnull(strstr(s.rec[1], "\"he_session_id\":\"1\""));
	ck_assert_ptr_nonnull(strstr(s.rec[2], "\"he_session_id\":\"2\""));
	/* Escaped: quotes, a tab, a newline; the record stays one line. */
	ck_assert_ptr_nonnull(strstr(s.rec[find(&s, 0,
	    "connection_aborted")], "\"reason\":\"example.test: \\\"no\\\""
	    "\\u0009such\\u000ahost\""));
	/* Session 2's attempt, still in flight, ends as canceled. */
	ck_assert_ptr_nonnull(strstr(s.rec[find(&s, 0, "attempt_outcome")],
	    "\"result\":\"canceled\""));
	ck_assert_ptr_nonnull(strstr(s.rec[s.n - 1], "\"outcome\":\"aborted\""));
	sink_free(&s);
}
END_TEST

/*
 * A dial's address used again by the next dial while the first still
 * waits for its loser: the new dial is a session of its own, and the
 * loser goes to the old one.
 */
START_TEST(address_reused)
{
	struct sink s = { NULL, 0 };
	struct hecat_qlog *q;
	struct hecat_trace t;
	static const int dial;
	long sel;

	addrs();
	ck_assert_ptr_nonnull(q = hecat_qlog_new(collect, &s, NULL, NULL));
	memset(&t, 0, sizeof(t));
	feed(q, &t, HECAT_TRACE_DIAL_START, &dial, 0);
	race_won_watched(q, &dial);
	feed(q, &t, HECAT_TRACE_DIAL_START, &dial, 300);	/* the next */
	t.id = 1;
	t.result = HECAT_ATTEMPT_CONNECTED;
	t.after_ns = 100000000;
	feed(q, &t, HECAT_TRACE_LOSER, &dial, 352);
	hecat_qlog_free(q);

	ck_assert_uint_eq(count(&s, "config_set"), 2);
	ck_assert_uint_eq(count(&s, "metrics"), 2);
	sel = find(&s, 0, "connection_selected");
	ck_assert_int_ge(sel, 0);
	/* Session 1: the loser's outcome, a success, then its metrics. */
	ck_assert_ptr_nonnull(strstr(s.rec[find(&s, (size_t)sel,
	    "attempt_outcome")], "\"he_session_id\":\"1\",\"attempt_id\":"
	    "\"1\",\"result\":\"success\""));
	ck_assert_ptr_nonnull(strstr(s.rec[find(&s, 0, "metrics")],
	    "\"he_session_id\":\"1\",\"outcome\":\"success\""));
	/* Session 2, cut short by free: aborted, without attempts. */
	ck_assert_ptr_nonnull(strstr(s.rec[s.n - 1],
	    "\"he_session_id\":\"2\",\"outcome\":\"aborted\""));
	sink_free(&s);
}
END_TEST

START_TEST(bad_and_empty)
{
	struct sink s = { NULL, 0 };

	errno = 0;
	ck_assert_ptr_null(hecat_qlog_new(NULL, NULL, NULL, NULL));
	ck_assert_int_eq(errno, EINVAL);
	hecat_qlog_trace(NULL, NULL);
	hecat_qlog_free(NULL);
	/* No event: the header alone, a valid empty trace. */
	hecat_qlog_free(hecat_qlog_new(collect, &s, NULL, NULL));
	ck_assert_uint_eq(s.n, 1);
	ck_assert_ptr_nonnull(strstr(s.rec[0], "\"file_schema\""));
	sink_free(&s);
}
END_TEST

static Suite *
qlog_suite(void)
{
	Suite *s = suite_create("qlog");
	TCase *tc = tcase_create("records");

	tcase_add_test(tc, watched_loser);
	tcase_add_test(tc, sessions_cut_short);
	tcase_add_test(tc, address_reused);
	tcase_add_test(tc, bad_and_empty);
	suite_add_tcase(s, tc);
	return s;
}

const struct check_def check_def = { qlog_suite, NULL };
