/*
 * coalesce.c - one DNS query for the dials of an instance that ask the
 * same question at the same time.
 *
 * Without it a burst of 1,000 dials of one name sends 2,000 identical
 * queries at once: the server's socket buffer drops most, and the dials
 * wait for their resolve timeout (bench/load.sh measured 867 dials/s and
 * a p99 of 1 s).  Here the first asker's query is shared by those who ask
 * the same type and name while it is young; each member keeps its own
 * timers and retries, so sharing changes how many packets leave, not how
 * long a dial may wait.  A retry never rejoins the query it gave up on:
 * the first to retry sends a new one, and the others join that, so a lost
 * query costs one retry, not one per dial.  Names are compared as given
 * (dials normalise them first).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "coalesce.h"
#include "clock.h"

struct hecat__cq {
	TAILQ_ENTRY(hecat__cq)		 entry;	/* in the table until answered */
	TAILQ_HEAD(, hecat__cq_member)	 members;
	struct hecat__cq_table		*t;
	void				*handle;
	uint64_t			 sent;
	uint32_t			 hash;
	int				 family;
	bool				 starting;	/* in the resolver's start */
	bool				 answered;
	char				 name[];
};

void
hecat__cq_init(struct hecat__cq_table *t, const struct hecat_resolver *res,
    void *rarg)
{
	memset(t, 0, sizeof(*t));
	TAILQ_INIT(&t->qs);
	t->res = res;
	t->rarg = rarg;
}

/* FNV-1a of the question: most comparisons stop at the hash. */
static uint32_t
question_hash(int family, const char *name)
{
	uint32_t h = 2166136261u ^ (uint32_t)family;

	for (; *name != '\0'; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return h;
}

/* The resolver answered: every member hears it, in the order they came. */
static void
answer_cb(int status, const struct sockaddr_storage *addrs, size_t n,
    void *arg)
{
	struct hecat__cq *q = arg;
	struct hecat__cq_member *m;

	TAILQ_REMOVE(&q->t->qs, q, entry);
	q->answered = true;
	/* Off the list before its call, so a member may leave another. */
	while ((m = TAILQ_FIRST(&q->members)) != NULL) {
		TAILQ_REMOVE(&q->members, m, entry);
		m->q = NULL;
		m->done(status, addrs, n, m->arg);
	}
	if (!q->starting)
		free(q);
}

int
hecat__cq_ask(struct hecat__cq_table *t, struct hecat__cq_member *m,
    int family, const char *name, uint64_t window_ns)
{
	struct hecat__cq *q;
	uint32_t hash = question_hash(family, name);
	size_t len = strlen(name);
	uint64_t now = hecat__now();
	void *handle;

	hecat__cq_leave(m);		/* a member asks once at a time */
	TAILQ_FOREACH(q, &t->qs, entry) {
		if (q->hash != hash || q->family != family ||
		    strcmp(q->name, name) != 0)
			continue;
		/*
		 * Only the newest may be joined: older ones were retried.  A
		 * retry never joins the query it gave up on, which is at
		 * least a try old.
		 */
		if (now - q->sent >= window_ns)
			break;
		TAILQ_INSERT_TAIL(&q->members, m, entry);
		m->q = q;
		return 1;
	}
	if ((q = malloc(sizeof(*q) + len + 1)) == NULL)
		return -1;
	memset(q, 0, sizeof(*q));
	memcpy(q->name, name, len + 1);
	TAILQ_INIT(&q->members);
	q->t = t;
	q->hash = hash;
	q->family = family;
	TAILQ_INSERT_HEAD(&t->qs, q, entry);
	TAILQ_INSERT_TAIL(&q->members, m, entry);
	m->q = q;
	q->starting = true;
	handle = t->res->start(t->rarg, family, q->name, answer_cb, q);
	q->starting = false;
	q->sent = hecat__now();	/* the first start sets the resolver up */
	if (q->answered) {		/* from inside start: all told */
		free(q);
		return 0;
	}
	if (handle == NULL) {
		TAILQ_REMOVE(&t->qs, q, entry);
		m->q = NULL;
		free(q);
		return -1;
	}
	q->handle = handle;
	return 0;
}

void
hecat__cq_leave(struct hecat__cq_member *m)
{
	struct hecat__cq *q = m->q;
	struct hecat__cq_table *t;

	if (q == NULL)
		return;
	TAILQ_REMOVE(&q->members, m, entry);
	m->q = NULL;
	if (!TAILQ_EMPTY(&q->members) || q->answered)
		return;
	t = q->t;
	TAILQ_REMOVE(&t->qs, q, entry);
	t->res->cancel(t->rarg, q->handle);
	free(q);
}
