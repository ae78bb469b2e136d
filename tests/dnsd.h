/*
 * dnsd.h - the test suite's own DNS server: UDP and TCP on one loopback
 * port, answers from rules, with delays, drops, errors, truncation, CNAME
 * chains and a query log.  Runs on the caller's libevent base, so a check
 * test can host it in-process; tests/hecat-dnsd wraps it as a program for
 * the shell tests.
 *
 * A rule is one line:  NAME TYPE ACTION [delay=MS] [tc] [ttl=N]
 *
 *   NAME     a domain name, case-insensitive, trailing dot optional
 *   TYPE     A, AAAA, CNAME, or * (any type)
 *   ACTION   for A/AAAA: one or more addresses; for CNAME: the target;
 *            or one of nodata, nxdomain, servfail, refused, drop
 *   delay=MS answer MS milliseconds late (per rule, hence per type)
 *   tc       over UDP answer with TC set and no records (forces TCP)
 *   ttl=N    TTL of the records (default 60)
 *
 * Names with no rule at all get NXDOMAIN; a name with rules but none for
 * the asked type gets NODATA (NOERROR, empty answer).  A CNAME rule makes
 * the server answer the CNAME and follow it through its own rules (at most
 * 8 links), as an authoritative server for every name would.
 */
#ifndef DNSD_H
#define DNSD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct dnsd;

struct dnsd_query {
	uint64_t	t_ns;		/* CLOCK_MONOTONIC when received */
	char		name[256];	/* lower case, without trailing dot */
	uint16_t	type;		/* 1 = A, 28 = AAAA, ... */
	bool		tcp;
};

/*
 * Listen on addr ("127.0.0.1", "::1") port (0 = ephemeral; UDP and TCP
 * share the port).  Returns NULL with errno on failure.
 */
struct dnsd	*dnsd_new(struct event_base *, const char *addr, uint16_t port);
uint16_t	 dnsd_port(const struct dnsd *);

/* Add one rule (see above); 0, or -1 with a message on stderr. */
int		 dnsd_rule(struct dnsd *, const char *line);
/* Add every rule of a file ('#' comments, blank lines); 0 or -1. */
int		 dnsd_load(struct dnsd *, const char *path);

/* The query log, in arrival order. */
size_t		 dnsd_nqueries(const struct dnsd *);
const struct dnsd_query *dnsd_query(const struct dnsd *, size_t);
/* How many queries for name (any case, dot optional) and type arrived. */
size_t		 dnsd_count(const struct dnsd *, const char *name,
		    uint16_t type);

/* Stop listening, drop pending answers, free everything. */
void		 dnsd_free(struct dnsd *);

#endif /* DNSD_H */
