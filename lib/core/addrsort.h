/*
 * addrsort.h - RFC 6724 destination address ordering and RFC 8305 family
 * interleaving.  Pure functions: no sockets, no allocation.  The source
 * address of each destination (what the kernel would pick) is supplied by
 * the caller; lib/dial.c finds it with a UDP connect() probe.
 */
#ifndef HECAT_ADDRSORT_H
#define HECAT_ADDRSORT_H

#include <stddef.h>
#include <stdint.h>

#include "ip.h"

/* One row of an RFC 6724 section 2.1 policy table. */
struct hecat__policy_row {
	uint8_t		prefix[16];
	uint8_t		plen;
	uint8_t		precedence;
	uint8_t		label;
};

struct hecat__policy {
	const struct hecat__policy_row	*rows;
	size_t				 nrows;
};

/* The RFC 6724 default table (not RFC 3484's: IPv4 is 35, ULA 3). */
extern const struct hecat__policy hecat__policy_rfc6724;

/* A destination to sort. */
struct hecat__sortent {
	struct hecat__ip	dst;
	struct hecat__ip	src;	/* src.family 0: no usable source */
	uint32_t		seq;	/* original order, for Rule 10 */
	uint64_t		rtt;	/* ns from history; 0: unknown */
};

/*
 * The rule RFC 8305 section 4 adds between RFC 6724 rules 8 and 9: of two
 * destinations whose RTTs history knows, prefer the lower, when they
 * fall in different bands (below 4 ms, then doubling: 4-8 ms, 8-16 ms,
 * ...), so that jitter does not reorder like addresses.  Reported as
 * rule number 11 (it is no rule of RFC 6724's).
 */
#define HECAT__RULE_RTT		11

/*
 * The rule it adds after that one: an address used before (one
 * whose RTT history knows) before one that was not.  Rule number 12.
 */
#define HECAT__RULE_USED	12

/* RFC 6724 section 3.1 scope values. */
enum {
	HECAT__SCOPE_INTERFACE = 0x1,
	HECAT__SCOPE_LINK = 0x2,
	HECAT__SCOPE_ADMIN = 0x4,
	HECAT__SCOPE_SITE = 0x5,
	HECAT__SCOPE_ORG = 0x8,
	HECAT__SCOPE_GLOBAL = 0xe
};

unsigned	hecat__ip_scope(const struct hecat__ip *);
const struct hecat__policy_row *
		hecat__policy_lookup(const struct hecat__policy *,
		    const struct hecat__ip *);
unsigned	hecat__common_prefix(const struct hecat__ip *,
		    const struct hecat__ip *);

/*
 * Compare two destinations by RFC 6724 section 6.  Returns < 0 when a goes
 * first, > 0 when b does; never 0 for distinct seq values.  If rule is not
 * NULL it receives the number of the rule that decided (1..10,
 * HECAT__RULE_RTT or HECAT__RULE_USED).  A NULL policy means the RFC 6724
 * default table.
 */
int	hecat__addrsort_cmp(const struct hecat__sortent *,
	    const struct hecat__sortent *, const struct hecat__policy *,
	    int *rule);

/*
 * Sort idx[0..n) (indexes into ents) by hecat__addrsort_cmp.  Stable and
 * allocation-free; n is small (a few dozen) so insertion sort is right.
 */
void	hecat__addrsort(const struct hecat__sortent *ents, size_t *idx,
	    size_t n, const struct hecat__policy *);

/*
 * RFC 8305 section 4 interleaving of an already sorted idx[0..n): first
 * (AF_INET6 or AF_INET; 0 = the family of the first sorted entry) gets fafc
 * entries (First Address Family Count, at least 1), then the families
 * alternate; when one runs out the rest of the other follows.  Writes the
 * new order to out[0..n), which must not overlap idx.
 */
void	hecat__interleave(const struct hecat__sortent *ents, const size_t *idx,
	    size_t n, int first, unsigned fafc, size_t *out);

#endif /* HECAT_ADDRSORT_H */
