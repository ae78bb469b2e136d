/*
 * dnsd.h - the test suite's own DNS server: UDP and TCP on one loopback
 * port, answers from rules, with delays, drops, errors, truncation, CNAME
 * chains and a query log.  Runs on the caller's libevent base, so a check
 * test can host it in-process; tests/hecat-dnsd wraps it as a program for
 * the shell tests.
 *
 * A rule is one line:  NAME TYPE ACTION [delay=MS] [tc] [ttl=N] [hostile...]
 *
 *   NAME     a domain name, case-insensitive, trailing dot optional
 *   TYPE     A, AAAA, CNAME, or * (any type)
 *   ACTION   for A/AAAA: one or more addresses; for CNAME: the target;
 *            or one of nodata, nxdomain, servfail, refused, drop
 *   delay=MS answer MS milliseconds late (per rule, hence per type)
 *   tc       over UDP answer with TC set and no records (forces TCP)
 *   ttl=N    TTL of the records (default 60; 0 to 4294967295)
 *
 * Options for hostile answers (docs/robustness.md):
 *
 *   owner=NAME  the address records are owned by NAME, not by the question
 *               (or the last CNAME's target)
 *   wrongtype   the address list may hold the other family's addresses too;
 *               each is written as a record of its own type (an A record in
 *               an AAAA answer)
 *   count=N     N address records (1 to 4096): the rule's, then each the
 *               previous plus one (127.0.0.1 count=500 ends at 127.0.1.244);
 *               as many as fit in a 64 KiB message
 *   loop        the first address record's owner is a label and a
 *               compression pointer back to that label: a name without end
 *   garbage=K   spoil the answer: short (7 octets, less than a header),
 *               counts (ANCOUNT 65535), cut (2 octets short of the end of
 *               its last record, the OPT dropped)
 *   badid       over UDP, first send at once a forged answer with another
 *               ID; the real answer follows as usual (never, with drop)
 *   fromport    the same, the forged answer from another UDP port (with the
 *               right ID)
 *   forge=A,... the forged answer carries these addresses (IPv4 or IPv6)
 *               instead of the real answer's records; needs badid or
 *               fromport
 *
 * owner=, wrongtype, count= and loop need addresses; garbage= applies to
 * any answer (the first rule on a CNAME chain that has one); badid and
 * fromport are the question name's rule's, and UDP only.
 *
 * Names with no rule at all get NXDOMAIN; a name with rules but none for
 * the asked type gets NODATA (NOERROR, empty answer).  A CNAME rule makes
 * the server answer the CNAME and follow it through its own rules (at most
 * 32 links), as an authoritative server for every name would.
 *
 * The details:
 *
 *   - TYPE may also be another type's name (NS, SOA, PTR, MX, TXT, SRV,
 *     SVCB, HTTPS, ANY) or TYPEnn, with a keyword ACTION only.  A lone "*"
 *     rule takes a keyword ACTION only as well.  '#' starts a comment.
 *   - A second rule for the same NAME and TYPE replaces the first: the last
 *     one wins.
 *   - The rule for a question is, in this order: the rule of its exact
 *     type; the name's CNAME rule with a target (unless the question is for
 *     CNAME itself, which gets the CNAME record alone); the name's "*" rule.
 *     A CNAME rule with a keyword ACTION answers CNAME questions only.
 *   - Following a chain, each link is answered by the rule of its name in
 *     the same way: the answer holds the CNAMEs, then the final records.  A
 *     target with no rule at all ends in NXDOMAIN, one with rules but none
 *     for the type in NODATA (both keep the CNAMEs); nxdomain and nodata
 *     keep them too; servfail and refused answer no records; drop drops
 *     the whole answer.  A chain longer than 32 (a loop) gets SERVFAIL.
 *   - delay= of every rule used on the chain adds up; tc on any of them
 *     truncates.  A UDP answer bigger than 512 octets (or the client's EDNS
 *     size, at most 1232) is truncated too.  An EDNS0 OPT in the question
 *     is answered with an OPT of size 1232.
 *   - A question whose class is not IN gets REFUSED, an opcode other than
 *     QUERY NOTIMP, a malformed message (no question, a bad name) FORMERR;
 *     a message shorter than the header, or a response, is ignored.  Names
 *     with octets outside printable ASCII, or '.' inside a label, are
 *     malformed here.
 *   - At most 64 addresses per rule, 64 TCP connections, 4096 delayed
 *     answers pending (more are dropped).
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

/*
 * The query log, in arrival order: every query with a well-formed question,
 * answered, delayed or dropped.  dnsd_query returns NULL past the end.
 */
size_t		 dnsd_nqueries(const struct dnsd *);
const struct dnsd_query *dnsd_query(const struct dnsd *, size_t);
/* How many queries for name (any case, dot optional) and type arrived. */
size_t		 dnsd_count(const struct dnsd *, const char *name,
		    uint16_t type);
/* The same, over TCP only. */
size_t		 dnsd_count_tcp(const struct dnsd *, const char *name,
		    uint16_t type);

/*
 * Call cb for every query as it is logged (from the event loop, before it
 * is answered); NULL stops it.
 */
void		 dnsd_on_query(struct dnsd *,
		    void (*cb)(const struct dnsd_query *, void *), void *arg);

/* "A", "AAAA", ..., or "TYPEnn" into buf; returns buf. */
const char	*dnsd_type_name(uint16_t type, char *buf, size_t len);

/* Stop listening, drop pending answers, free everything. */
void		 dnsd_free(struct dnsd *);

#endif /* DNSD_H */
