/*
 * coalesce.h - one DNS query for the dials of an instance that ask the
 * same question at the same time.
 */
#ifndef HECAT_COALESCE_H
#define HECAT_COALESCE_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stdint.h>

#include "hecat.h"

struct hecat__cq;

/* One asker: a dial's query.  Zero it before the first ask. */
struct hecat__cq_member {
	TAILQ_ENTRY(hecat__cq_member)	 entry;
	struct hecat__cq		*q;	/* NULL: not waiting */
	hecat_resolve_cb		 done;
	void				*arg;
};

/* The queries in flight, newest first, and the resolver they go to. */
struct hecat__cq_table {
	TAILQ_HEAD(, hecat__cq)		 qs;
	const struct hecat_resolver	*res;
	void				*rarg;
};

void	hecat__cq_init(struct hecat__cq_table *,
	    const struct hecat_resolver *, void *rarg);

/*
 * Ask the resolver family/name for m, whose done and arg are set.  Joins
 * the newest identical query in flight if it was sent less than window_ns
 * ago, otherwise starts one: a window shorter than the asker's per-try
 * timeout keeps a retry from joining the query it gave up on.  m->done is
 * called exactly once unless m leaves first, maybe before this returns.
 * Returns 1 if m joined a query, 0 if one was started for it, -1 if the
 * resolver could not start it (m->done is not called).
 */
int	hecat__cq_ask(struct hecat__cq_table *, struct hecat__cq_member *m,
	    int family, const char *name, uint64_t window_ns);

/*
 * m gives up (no call to m->done after this); the query is cancelled at
 * the resolver when its last member leaves.  Nothing if m is not waiting.
 */
void	hecat__cq_leave(struct hecat__cq_member *m);

#endif /* HECAT_COALESCE_H */
