/*
 * engine.h - the RFC 8305 Happy Eyeballs state machine of one dial.
 *
 * Sans-IO: no sockets, no clock, no event loop, no callbacks, and no
 * allocation after hecat__engine_new().  Time is a uint64_t of monotonic
 * nanoseconds that the caller passes into every entry point.  The caller
 * feeds events in (answers, attempt results, timeouts), drains the actions
 * they cause with hecat__engine_next_action(), performs them, and comes
 * back no later than hecat__engine_next_deadline().
 *
 * Vocabulary: a dial is the whole race for one host; a query is one DNS
 * question (AAAA or A); an attempt is one connect() to one address and
 * port; the winner is the attempt that connected.
 */
#ifndef HECAT_ENGINE_H
#define HECAT_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addrsort.h"
#include "hecat.h"
#include "ip.h"
#include "nat64.h"

#define HECAT__NS_PER_MS	UINT64_C(1000000)
#define HECAT__NEVER		UINT64_MAX

/*
 * RFC 8305 section 5: no attempt may start within 10 ms of the previous
 * one (MUST), whatever made it start.
 */
#define HECAT__MIN_ATTEMPT_GAP	(10 * HECAT__NS_PER_MS)
/* Section 8: the Connection Attempt Delay is clamped to [10 ms, 2 s]. */
#define HECAT__MAX_ATTEMPT_DELAY	(2000 * HECAT__NS_PER_MS)

/*
 * The pseudo family of the NAT64 prefix query (RFC 7050: AAAA for
 * ipv4only.arpa) in QUERY and QUERY_CANCEL actions and on_answer().
 */
#define HECAT__PREF64		(-64)

/* NAT64 (RFC 8305 section 7, HEv3 "Handling NAT64 Networks"). */
enum hecat__nat64_mode {
	HECAT__NAT64_OFF,	/* the network has IPv4, or NAT64 is off */
	HECAT__NAT64_KNOWN,	/* IPv6 only; the prefix is cfg.prefix64 */
	HECAT__NAT64_DISCOVER	/* IPv6 only; ask with a PREF64 query */
};

struct hecat__engine_cfg {
	uint64_t	resolution_delay;	/* ns; RFC 8305 3: 50 ms */
	uint64_t	attempt_delay;		/* ns; RFC 8305 5: 250 ms */
	uint64_t	attempt_timeout;	/* ns per attempt; 0 = none */
	uint64_t	deadline;		/* ns, whole dial; 0 = none */
	uint64_t	resolve_timeout;	/* ns per query try; 0 = none */
	unsigned	resolve_retries;	/* tries after the first */
	unsigned	first_family_count;	/* RFC 8305 4: 1 */
	unsigned	max_inflight;		/* attempts at once */
	unsigned	max_addrs;		/* addresses kept per family */
	int		family;			/* AF_UNSPEC, _INET, _INET6 */
	int		prefer;			/* AF_UNSPEC: RFC 6724 says */
	const struct hecat__policy *policy;	/* NULL: RFC 6724 table */
	/*
	 * On an IPv6-only network (nat64 not OFF), IPv4 addresses are
	 * reached through NAT64: an attempt to one connects to the address
	 * synthesized with the prefix (RFC 6052), AAAA answers inside the
	 * prefix are de-synthesized to IPv4 before sorting, and while the
	 * prefix is being discovered no IPv4 address is attempted.
	 */
	int		nat64;			/* enum hecat__nat64_mode */
	struct hecat__prefix64 prefix64;	/* KNOWN: the prefix */
	/*
	 * The delay after an attempt to an address whose RTO history knows
	 * (hecat__dst.rto) is that RTO, clamped to these (RFC 8305 section
	 * 5: 100 ms and 2 s recommended; never below 10 ms).
	 */
	uint64_t	attempt_delay_min;	/* ns: 100 ms */
	uint64_t	attempt_delay_max;	/* ns: 2 s */
};

/*
 * A destination with the source address the kernel would use for it, and
 * what connection history says of it (zeros: nothing).
 */
struct hecat__dst {
	struct hecat__ip	ip;
	struct hecat__ip	src;	/* src.family 0: unusable (Rule 1) */
	uint64_t		rtt;	/* ns, smoothed; the RTT sort rule */
	uint64_t		rto;	/* ns: its SYN would be retransmitted */
	bool			failed;	/* failed recently: moved back */
};

/* For dials without DNS: one address and port. */
struct hecat__endpoint {
	struct hecat__dst	dst;
	uint16_t		port;
};

enum hecat__act_kind {
	HECAT__ACT_QUERY,		/* send a query: family, tries */
	HECAT__ACT_QUERY_CANCEL,	/* abandon the query of family */
	HECAT__ACT_RD_WAIT,		/* note: waiting wait ns for family */
	HECAT__ACT_ORDER,		/* note: a new plan, see _order() */
	HECAT__ACT_ATTEMPT,		/* start attempt id to ip:port */
	HECAT__ACT_CANCEL,		/* abandon attempt id, close it */
	HECAT__ACT_DONE,		/* the dial is over: status, id */
	HECAT__ACT_NAT64,		/* note: the prefix is ip/plen, or
					   plen 0: none was found */
	HECAT__ACT_DESYNTH		/* note: the answer's ip is orig
					   through NAT64 */
};

/* Why an attempt starts. */
enum hecat__start_why {
	HECAT__WHY_FIRST,		/* the first attempt of the dial */
	HECAT__WHY_DELAY,		/* the attempt delay ran out */
	HECAT__WHY_FAILED,		/* the previous attempt failed */
	HECAT__WHY_ANSWER		/* new addresses while idle */
};

/* Why an attempt is cancelled. */
enum hecat__cancel_why {
	HECAT__CANCEL_LOST,		/* another attempt won */
	HECAT__CANCEL_TIMEOUT,		/* the per-attempt timeout ran out */
	HECAT__CANCEL_DEADLINE,		/* the dial's deadline ran out */
	HECAT__CANCEL_ABORT		/* the caller cancelled the dial */
};

struct hecat__action {
	enum hecat__act_kind	kind;
	int			family;	/* QUERY, QUERY_CANCEL, RD_WAIT */
	unsigned		tries;	/* QUERY: 1 for the first send */
	uint64_t		wait;	/* RD_WAIT; ATTEMPT: the delay after
					   it, learned (from rto) or not */
	bool			learned;
	unsigned		id;	/* ATTEMPT, CANCEL, DONE (winner) */
	size_t			addr;	/* ATTEMPT, DONE: address index */
	struct hecat__ip	ip;	/* ATTEMPT, DONE */
	uint16_t		port;	/* ATTEMPT, DONE */
	int			why;	/* ATTEMPT, CANCEL: the enums above */
	int			status;	/* DONE: HECAT_OK or HECAT_E_* */
	/*
	 * ATTEMPT, CANCEL, DONE: the IPv4 address that ip (synthesized
	 * with the NAT64 prefix) stands for; family 0 when ip is not
	 * synthesized.  DESYNTH: the IPv4 address ip embeds.
	 */
	struct hecat__ip	orig;
	unsigned		plen;	/* NAT64 */
};

/* What the engine knows about one address, for reports and traces. */
struct hecat__addr_info {
	struct hecat__dst	dst;
	unsigned		attempts;	/* attempts started */
	unsigned		failures;	/* attempts that failed */
	int			error;		/* last errno, 0 = none */
	uint16_t		error_port;	/* port of that failure */
};

/* The state of a query. */
enum hecat__query_state {
	HECAT__Q_UNUSED,		/* family not wanted, or no DNS */
	HECAT__Q_PENDING,		/* sent, no final answer yet */
	HECAT__Q_DONE,			/* final answer in status */
	HECAT__Q_CANCELLED		/* abandoned when the dial ended */
};

struct hecat__engine;

void	hecat__engine_cfg_default(struct hecat__engine_cfg *);

/*
 * Create an engine for a dial to a host name on nports ports (nports >=
 * 1); hecat__engine_start() sends its queries.  Returns NULL with errno
 * ENOMEM or EINVAL.
 */
struct hecat__engine *hecat__engine_new_host(const struct hecat__engine_cfg *,
	    const uint16_t *ports, size_t nports);

/*
 * Create an engine for a dial to n given endpoints (n >= 1), without DNS.
 * Endpoints sharing an address are grouped: all the ports of an address
 * are tried before the next address; duplicates are dropped.  Returns NULL
 * with errno ENOMEM or EINVAL.
 */
struct hecat__engine *hecat__engine_new_ip(const struct hecat__engine_cfg *,
	    const struct hecat__endpoint *eps, size_t n);

void	hecat__engine_free(struct hecat__engine *);

/* Start the dial at now. */
void	hecat__engine_start(struct hecat__engine *, uint64_t now);

/*
 * The final answer to the query of family (AF_INET6, AF_INET, or
 * HECAT__PREF64 for the NAT64 prefix query): status HECAT_DNS_OK with
 * dsts[0..n) (n == 0 counts as NODATA), or an error status.  Transient
 * errors are retried as the configuration says.  Answers to a query that is
 * not pending are ignored.
 */
void	hecat__engine_on_answer(struct hecat__engine *, uint64_t now,
	    int family, enum hecat_dns_status status,
	    const struct hecat__dst *dsts, size_t n);

/*
 * Attempt id finished: err 0 means connected, anything else is the errno
 * it failed with.  Returns false when id is not in flight (already
 * cancelled or unknown); the result is then ignored.
 */
bool	hecat__engine_on_attempt(struct hecat__engine *, uint64_t now,
	    unsigned id, int err);

/* Timers: call at (or after) hecat__engine_next_deadline(). */
void	hecat__engine_on_timeout(struct hecat__engine *, uint64_t now);

/* The caller gives up: everything is cancelled, DONE(HECAT_E_CANCELLED). */
void	hecat__engine_abort(struct hecat__engine *, uint64_t now);

/* Pop the next queued action; false when there is none. */
bool	hecat__engine_next_action(struct hecat__engine *,
	    struct hecat__action *);

/* When to call hecat__engine_on_timeout(); HECAT__NEVER for never. */
uint64_t hecat__engine_next_deadline(const struct hecat__engine *);

bool	hecat__engine_done(const struct hecat__engine *);

/* Addresses known so far, in arrival order, and what became of them. */
size_t	hecat__engine_naddrs(const struct hecat__engine *);
void	hecat__engine_addr(const struct hecat__engine *, size_t,
	    struct hecat__addr_info *);

/*
 * Every known address, as indexes for hecat__engine_addr(): in the order
 * of the last plan (ORDER action: sorted and interleaved), then those that
 * arrived since, in arrival order.  Writes up to max and returns the
 * total.
 */
size_t	hecat__engine_order(const struct hecat__engine *, size_t *, size_t max);

/* A query's state, and its final status once HECAT__Q_DONE. */
enum hecat__query_state hecat__engine_query(const struct hecat__engine *,
	    int family, enum hecat_dns_status *);

#endif /* HECAT_ENGINE_H */
