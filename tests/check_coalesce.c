/*
 * check_coalesce.c - shared DNS queries (lib/io/coalesce.c) against a fake
 * resolver: who joins a query in flight and who starts one, the join
 * window, the last member leaving cancels, a retry never rejoins the query
 * it gave up on, each member told exactly once, answers from inside the
 * resolver's start, and a start that fails.
 *
 * The fake resolver (struct hecat_resolver) records every start and
 * cancel and answers only when a test says so.  The join window is on
 * CLOCK_MONOTONIC (hecat__now()); the tests that need a query to age let
 * the window pass on that clock (pass_window()), nothing else waits.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "coalesce.h"
#include "clock.h"

#define MAXQ		8
#define ALWAYS		UINT64_MAX		/* a window never over */
/*
 * The joining window: 20 ms, times HECAT_TEST_SLOWDOWN, so that three
 * asks in a row fall inside it under valgrind too.
 */
#define WINDOW		window_ns()

static uint64_t
window_ns(void)
{
	const char *v = getenv("HECAT_TEST_SLOWDOWN");
	long k = v != NULL ? strtol(v, NULL, 10) : 1;

	return (uint64_t)(k >= 1 && k <= 100 ? k : 1) * 20 * UINT64_C(1000000);
}

/* A query the fake resolver was asked. */
struct fq {
	int			 family;
	char			 name[64];
	hecat_resolve_cb	 done;
	void			*arg;
	bool			 cancelled;
};

struct fake {
	struct fq		 q[MAXQ];
	size_t			 nstart, ncancel;
	bool			 fail;		/* start returns NULL */
	bool			 sync;		/* start answers at once */
	struct sockaddr_storage	 addrs[1];	/* what it answers */
};

/* The fake's start: record the query; answer or fail it if told to. */
static void *
fake_start(void *rarg, int family, const char *host, hecat_resolve_cb done,
    void *done_arg)
{
	struct fake *f = rarg;
	struct fq *q;

	ck_assert_uint_lt(f->nstart, MAXQ);
	q = &f->q[f->nstart++];
	q->family = family;
	snprintf(q->name, sizeof(q->name), "%s", host);
	q->done = done;
	q->arg = done_arg;
	if (f->sync) {
		done(HECAT_DNS_OK, f->addrs, 1, done_arg);
		return NULL;	/* ignored: it answered */
	}
	return f->fail ? NULL : q;
}

/* The fake's cancel: only a query it started, and only once. */
static void
fake_cancel(void *rarg, void *query)
{
	struct fake *f = rarg;
	struct fq *q = query;

	ck_assert_msg(q >= f->q && q < f->q + f->nstart,
	    "cancel of a handle start did not return");
	ck_assert_msg(!q->cancelled, "query %s cancelled twice", q->name);
	q->cancelled = true;
	f->ncancel++;
}

static const struct hecat_resolver fake_resolver = {
	sizeof(struct hecat_resolver), fake_start, fake_cancel, NULL
};

/* The fake resolver answers its query i (never one cancelled). */
static void
answer(struct fake *f, size_t i, int status)
{
	ck_assert_uint_lt(i, f->nstart);
	ck_assert_msg(!f->q[i].cancelled, "answer to a cancelled query");
	f->q[i].done(status, f->addrs, 1, f->q[i].arg);
}

struct world;

/* A member: what it heard, and what it does when told (then). */
struct asker {
	struct hecat__cq_member	 m;
	struct world		*w;
	unsigned		 ncalls;
	unsigned		 order;		/* 1: the first told */
	int			 status;
	const struct sockaddr_storage *addrs;
	size_t			 n;
	void			(*then)(struct asker *);
	struct asker		*other;		/* for then */
	int			 rc;		/* then's ask */
};

/*
 * A test's world: the table, its fake resolver, four members, and how
 * many answers members heard.
 */
struct world {
	struct fake		 f;
	struct hecat__cq_table	 t;
	unsigned		 heard;
	struct asker		 a, b, c, d;
};

/* The member's done: count, keep what it was told, then do then. */
static void
asker_done(int status, const struct sockaddr_storage *addrs, size_t n,
    void *arg)
{
	struct asker *a = arg;

	ck_assert_ptr_null(a->m.q);	/* no longer waiting when told */
	a->ncalls++;
	a->order = ++a->w->heard;
	a->status = status;
	a->addrs = addrs;
	a->n = n;
	if (a->then != NULL)
		a->then(a);
}

static void
asker_init(struct asker *a, struct world *w)
{
	memset(a, 0, sizeof(*a));
	a->w = w;
	a->m.done = asker_done;
	a->m.arg = a;
}

/* An empty table on the fake resolver, whose answer is [::1]. */
static void
world_init(struct world *w)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&w->f.addrs[0];

	memset(w, 0, sizeof(*w));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_addr = in6addr_loopback;
	hecat__cq_init(&w->t, &fake_resolver, &w->f);
	asker_init(&w->a, w);
	asker_init(&w->b, w);
	asker_init(&w->c, w);
	asker_init(&w->d, w);
}

static int
ask(struct asker *a, int family, const char *name, uint64_t window)
{
	return hecat__cq_ask(&a->w->t, &a->m, family, name, window);
}

/* Let a query asked before this call age past WINDOW. */
static void
pass_window(void)
{
	uint64_t t = hecat__now();

	while (hecat__now() - t < WINDOW)
		continue;
}

START_TEST(first_ask_starts_a_query)
{
	struct world w;

	world_init(&w);
	ck_assert_int_eq(ask(&w.a, AF_INET6, "a.test", ALWAYS), 0);
	ck_assert_uint_eq(w.f.nstart, 1);
	ck_assert_int_eq(w.f.q[0].family, AF_INET6);
	ck_assert_str_eq(w.f.q[0].name, "a.test");
	ck_assert_ptr_nonnull(w.a.m.q);
	ck_assert_uint_eq(w.a.ncalls, 0);

	answer(&w.f, 0, HECAT_DNS_OK);
	ck_assert_uint_eq(w.a.ncalls, 1);
	ck_assert_int_eq(w.a.status, HECAT_DNS_OK);
	ck_assert_ptr_eq(w.a.addrs, w.f.addrs);
	ck_assert_uint_eq(w.a.n, 1);
	/* Answered: leaving now cancels nothing. */
	hecat__cq_leave(&w.a.m);
	ck_assert_uint_eq(w.f.ncancel, 0);
}
END_TEST

START_TEST(same_question_joins)
{
	struct world w;

	world_init(&w);
	ck_assert_int_eq(ask(&w.a, AF_INET, "a.test", ALWAYS), 0);
	ck_assert_int_eq(ask(&w.b, AF_INET, "a.test", ALWAYS), 1);
	ck_assert_int_eq(ask(&w.c, AF_INET, "a.test", WINDOW), 1);
	ck_assert_uint_eq(w.f.nstart, 1);

	/* Each told once, in the order they came, the same answer. */
	answer(&w.f, 0, HECAT_DNS_NXDOMAIN);
	ck_assert_uint_eq(w.a.ncalls, 1);
	ck_assert_uint_eq(w.b.ncalls, 1);
	ck_assert_uint_eq(w.c.ncalls, 1);
	ck_assert_uint_eq(w.a.order, 1);
	ck_assert_uint_eq(w.b.order, 2);
	ck_assert_uint_eq(w.c.order, 3);
	ck_assert_int_eq(w.b.status, HECAT_DNS_NXDOMAIN);
	ck_assert_int_eq(w.c.status, HECAT_DNS_NXDOMAIN);
	ck_assert_ptr_eq(w.c.addrs, w.f.addrs);
	ck_assert_uint_eq(w.f.ncancel, 0);
}
END_TEST

/* Another type, another name (compared as given): a query of its own. */
START_TEST(other_questions_apart)
{
	static const struct {
		int		 family;
		const char	*name;
		int		 rc;
	} asks[] = {
		{ AF_INET6, "a.test", 0 },
		{ AF_INET, "a.test", 0 },
		{ AF_INET6, "b.test", 0 },
		{ AF_INET6, "A.test", 0 },
		{ AF_INET6, "a.test.", 0 },
		{ AF_INET6, "a.tes", 0 },
		{ AF_INET6, "a.test", 1 },	/* the first one's */
	};
	struct world w;
	struct asker k[7];
	size_t i;

	world_init(&w);
	for (i = 0; i < 7; i++) {
		asker_init(&k[i], &w);
		ck_assert_int_eq(ask(&k[i], asks[i].family, asks[i].name,
		    ALWAYS), asks[i].rc);
	}
	ck_assert_uint_eq(w.f.nstart, 6);
	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(w.f.q[i].family, asks[i].family);
		ck_assert_str_eq(w.f.q[i].name, asks[i].name);
	}
	/* The A query's answer goes to its asker alone. */
	answer(&w.f, 1, HECAT_DNS_OK);
	for (i = 0; i < 7; i++)
		ck_assert_uint_eq(k[i].ncalls, i == 1);
	answer(&w.f, 0, HECAT_DNS_OK);
	ck_assert_uint_eq(k[0].ncalls, 1);
	ck_assert_uint_eq(k[6].ncalls, 1);
	ck_assert_uint_eq(k[2].ncalls, 0);
	/* The four others are cancelled as their askers leave. */
	for (i = 0; i < 7; i++)
		hecat__cq_leave(&k[i].m);
	ck_assert_uint_eq(w.f.ncancel, 4);
	for (i = 2; i < 6; i++)
		ck_assert(w.f.q[i].cancelled);
}
END_TEST

/*
 * A query older than the window is not joined; of two identical
 * queries, only the newer may be.  A window of 0 never joins.
 */
START_TEST(join_window)
{
	struct world w;

	world_init(&w);
	ck_assert_int_eq(ask(&w.a, AF_INET6, "a.test", WINDOW), 0);
	pass_window();
	ck_assert_int_eq(ask(&w.b, AF_INET6, "a.test", WINDOW), 0);
	ck_assert_uint_eq(w.f.nstart, 2);
	ck_assert_int_eq(ask(&w.c, AF_INET6, "a.test", WINDOW), 1);
	ck_assert_int_eq(ask(&w.d, AF_INET6, "a.test", 0), 0);
	ck_assert_uint_eq(w.f.nstart, 3);

	answer(&w.f, 0, HECAT_DNS_OK);
	ck_assert_uint_eq(w.a.ncalls, 1);
	ck_assert_uint_eq(w.b.ncalls + w.c.ncalls + w.d.ncalls, 0);
	answer(&w.f, 1, HECAT_DNS_OK);
	ck_assert_uint_eq(w.b.ncalls, 1);
	ck_assert_uint_eq(w.c.ncalls, 1);
	ck_assert_uint_eq(w.d.ncalls, 0);
	answer(&w.f, 2, HECAT_DNS_OK);
	ck_assert_uint_eq(w.d.ncalls, 1);
	ck_assert_uint_eq(w.f.ncancel, 0);
}
END_TEST

/*
 * Two dials share a query that is lost.  The first to retry (a try is
 * longer than the window) sends a new one; the other's retry joins it,
 * and the old query, left by both, is cancelled.
 */
START_TEST(retry_never_rejoins)
{
	struct world w;

	world_init(&w);
	ck_assert_int_eq(ask(&w.a, AF_INET, "a.test", WINDOW), 0);
	ck_assert_int_eq(ask(&w.b, AF_INET, "a.test", WINDOW), 1);
	pass_window();
	ck_assert_int_eq(ask(&w.a, AF_INET, "a.test", WINDOW), 0);
	ck_assert_uint_eq(w.f.nstart, 2);
	ck_assert_uint_eq(w.f.ncancel, 0);	/* b still waits on it */
	ck_assert_int_eq(ask(&w.b, AF_INET, "a.test", WINDOW), 1);
	ck_assert_uint_eq(w.f.nstart, 2);
	ck_assert_uint_eq(w.f.ncancel, 1);
	ck_assert(w.f.q[0].cancelled);

	answer(&w.f, 1, HECAT_DNS_OK);
	ck_assert_uint_eq(w.a.ncalls, 1);
	ck_assert_uint_eq(w.b.ncalls, 1);
}
END_TEST

/* A member that asks again leaves its query first, even a young one. */
START_TEST(ask_again_leaves_first)
{
	struct world w;

	world_init(&w);
	ck_assert_int_eq(ask(&w.a, AF_INET6, "a.test", ALWAYS), 0);
	ck_assert_int_eq(ask(&w.a, AF_INET6, "a.test", ALWAYS), 0);
	ck_assert_uint_eq(w.f.nstart, 2);
	ck_assert_uint_eq(w.f.ncancel, 1);
	ck_assert(w.f.q[0].cancelled);
	answer(&w.f, 1, HECAT_DNS_OK);
	ck_assert_uint_eq(w.a.ncalls, 1);
}
END_TEST

START_TEST(last_member_leaving_cancels)
{
	struct world w;

	world_init(&w);
	ck_assert_int_eq(ask(&w.a, AF_INET6, "a.test", ALWAYS), 0);
	ck_assert_int_eq(ask(&w.b, AF_INET6, "a.test", ALWAYS), 1);
	ck_assert_int_eq(ask(&w.c, AF_INET6, "a.test", ALWAYS), 1);
	hecat__cq_leave(&w.b.m);
	ck_assert_ptr_null(w.b.m.q);
	hecat__cq_leave(&w.a.m);
	ck_assert_uint_eq(w.f.ncancel, 0);
	hecat__cq_leave(&w.c.m);
	ck_assert_uint_eq(w.f.ncancel, 1);
	ck_assert(w.f.q[0].cancelled);
	/* Leaving twice, or without asking, does nothing. */
	hecat__cq_leave(&w.c.m);
	hecat__cq_leave(&w.d.m);
	ck_assert_uint_eq(w.f.ncancel, 1);
	ck_assert_uint_eq(w.a.ncalls + w.b.ncalls + w.c.ncalls, 0);
	/* The cancelled query is no longer there to join. */
	ck_assert_int_eq(ask(&w.d, AF_INET6, "a.test", ALWAYS), 0);
	ck_assert_uint_eq(w.f.nstart, 2);
	answer(&w.f, 1, HECAT_DNS_OK);
	ck_assert_uint_eq(w.d.ncalls, 1);
	ck_assert_uint_eq(w.a.ncalls + w.b.ncalls + w.c.ncalls, 0);
}
END_TEST

/* then hooks: a told member makes another leave, or asks again. */
static void
then_other_leaves(struct asker *a)
{
	hecat__cq_leave(&a->other->m);
}

static void
then_ask_again(struct asker *a)
{
	a->then = NULL;
	a->rc = ask(a, AF_INET6, "a.test", ALWAYS);
}

/*
 * Members told of an answer may ask again (which starts a new query: the
 * answered one is gone) or make another leave, the last one even: that
 * one is not told, and nothing is cancelled.
 */
START_TEST(answer_callbacks_ask_and_leave)
{
	struct world w;

	world_init(&w);
	w.a.then = then_ask_again;
	w.a.rc = -2;
	w.b.then = then_other_leaves;
	w.b.other = &w.c;
	ck_assert_int_eq(ask(&w.a, AF_INET6, "a.test", ALWAYS), 0);
	ck_assert_int_eq(ask(&w.b, AF_INET6, "a.test", ALWAYS), 1);
	ck_assert_int_eq(ask(&w.c, AF_INET6, "a.test", ALWAYS), 1);
	answer(&w.f, 0, HECAT_DNS_OK);
	ck_assert_uint_eq(w.a.ncalls, 1);
	ck_assert_int_eq(w.a.rc, 0);
	ck_assert_uint_eq(w.f.nstart, 2);
	ck_assert_uint_eq(w.b.ncalls, 1);
	ck_assert_uint_eq(w.c.ncalls, 0);
	ck_assert_ptr_null(w.c.m.q);
	ck_assert_uint_eq(w.f.ncancel, 0);
	answer(&w.f, 1, HECAT_DNS_OK);
	ck_assert_uint_eq(w.a.ncalls, 2);
	ck_assert_uint_eq(w.b.ncalls, 1);
	ck_assert_uint_eq(w.c.ncalls, 0);
}
END_TEST

/*
 * The resolver may answer inside its start (what it returns is then
 * ignored): the asker is told once, and the query is not left to join.
 */
START_TEST(answer_inside_start)
{
	struct world w;

	world_init(&w);
	w.f.sync = true;
	ck_assert_int_eq(ask(&w.a, AF_INET, "a.test", ALWAYS), 0);
	ck_assert_uint_eq(w.a.ncalls, 1);
	ck_assert_ptr_null(w.a.m.q);
	ck_assert_int_eq(ask(&w.b, AF_INET, "a.test", ALWAYS), 0);
	ck_assert_uint_eq(w.f.nstart, 2);
	ck_assert_uint_eq(w.b.ncalls, 1);
	ck_assert_uint_eq(w.a.ncalls, 1);

	w.f.sync = false;
	ck_assert_int_eq(ask(&w.c, AF_INET, "a.test", ALWAYS), 0);
	ck_assert_int_eq(ask(&w.d, AF_INET, "a.test", ALWAYS), 1);
	hecat__cq_leave(&w.a.m);
	ck_assert_uint_eq(w.f.ncancel, 0);
	answer(&w.f, 2, HECAT_DNS_OK);
	ck_assert_uint_eq(w.c.ncalls, 1);
	ck_assert_uint_eq(w.d.ncalls, 1);
	ck_assert_uint_eq(w.a.ncalls + w.b.ncalls, 2);
}
END_TEST

/*
 * A start that fails: -1, the asker is never told and waits on nothing,
 * and the query is not left to join.
 */
START_TEST(start_fails)
{
	struct world w;

	world_init(&w);
	w.f.fail = true;
	ck_assert_int_eq(ask(&w.a, AF_INET6, "a.test", ALWAYS), -1);
	ck_assert_ptr_null(w.a.m.q);
	hecat__cq_leave(&w.a.m);
	ck_assert_uint_eq(w.f.ncancel, 0);

	w.f.fail = false;
	ck_assert_int_eq(ask(&w.b, AF_INET6, "a.test", ALWAYS), 0);
	ck_assert_uint_eq(w.f.nstart, 2);
	ck_assert_int_eq(ask(&w.c, AF_INET6, "a.test", ALWAYS), 1);
	answer(&w.f, 1, HECAT_DNS_OK);
	ck_assert_uint_eq(w.b.ncalls, 1);
	ck_assert_uint_eq(w.c.ncalls, 1);
	ck_assert_uint_eq(w.a.ncalls, 0);
}
END_TEST

static Suite *
coalesce_suite(void)
{
	Suite *s = suite_create("coalesce");
	TCase *tc;

	tc = tcase_create("join");
	tcase_add_test(tc, first_ask_starts_a_query);
	tcase_add_test(tc, same_question_joins);
	tcase_add_test(tc, other_questions_apart);
	tcase_add_test(tc, join_window);
	tcase_add_test(tc, retry_never_rejoins);
	tcase_add_test(tc, ask_again_leaves_first);
	suite_add_tcase(s, tc);

	tc = tcase_create("leave");
	tcase_add_test(tc, last_member_leaving_cancels);
	tcase_add_test(tc, answer_callbacks_ask_and_leave);
	suite_add_tcase(s, tc);

	tc = tcase_create("resolver");
	tcase_add_test(tc, answer_inside_start);
	tcase_add_test(tc, start_fails);
	suite_add_tcase(s, tc);

	return s;
}

const struct check_def check_def = { coalesce_suite, NULL };
