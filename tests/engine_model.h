/*
 * engine_model.h - a model of the Happy Eyeballs engine (lib/engine.c)
 * that checks every action the engine takes against what it was told.
 *
 * Two drivers feed it events: tests/check_engine_random.c (seeded random
 * runs) and tests/fuzz/fuzz_engine.c (runs decoded from fuzz input).  A
 * driver fills an em_run (configuration, ports or endpoints, history),
 * creates the engine into rn->e, calls em_start(), then sends events
 * through em_advance(), em_answer(), em_report() and the like, and ends
 * with em_finish().  engine_model.c lists the invariants.
 */
#ifndef ENGINE_MODEL_H
#define ENGINE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

#define EM_MS		HECAT__NS_PER_MS
/*
 * The address pool: 2001:db8::1..6 (0-5), 192.0.2.1..6 (6-11), and
 * 192.0.2.1..6 through the NAT64 Well-Known Prefix (12-17, DNS64).
 */
#define EM_POOL		18
#define EM_PLAIN	12		/* the first 12: no DNS64 */
#define EM_MAXPORTS	4		/* ports of a host */
#define EM_MAXEPS	16		/* endpoints of an address dial */
#define EM_MAXATT	(EM_POOL * EM_MAXPORTS)	/* each address+port once */

enum em_astate {
	EM_FREE,
	EM_INFLIGHT,
	EM_REPORTED,
	EM_CANCELLED
};

struct em_run {
	unsigned long		 seed;		/* names the run on failure */
	uint64_t		 t0;		/* when it began */
	struct hecat__engine_cfg cfg;
	struct hecat__engine	*e;
	uint64_t		 now;

	bool			 known[EM_POOL];	/* addresses given */
	uint16_t		 ports[EM_MAXPORTS];	/* the host's */
	size_t			 nports;
	bool			 ip_mode;	/* endpoints, no name */
	uint16_t		 ep_port[EM_POOL][EM_MAXEPS];	/* theirs */
	size_t			 ep_nports[EM_POOL];

	bool			 qpending[2];	/* [0] AAAA, [1] A */
	bool			 qpref;		/* the NAT64 prefix query */
	int			 nat64;		/* enum hecat__nat64_mode */
	struct hecat__prefix64	 prefix;	/* announced or configured */
	enum em_astate		 att[EM_MAXATT + 1];
	unsigned		 att_addr[EM_MAXATT + 1];
	unsigned		 nstarted, inflight;
	uint64_t		 last_start;
	uint16_t		 tried_port[EM_POOL][EM_MAXEPS];
	size_t			 ntried_port[EM_POOL];
	unsigned		 addr_attempts[EM_POOL];
	int			 cur_addr;	/* address with ports left */
	unsigned		 connected_id;	/* reported success */
	uint64_t		 last_delay;	/* after the newest attempt */
	/* History, per pool address; a DNS64 one's is its IPv4's. */
	uint64_t		 rtt[EM_POOL], rto[EM_POOL];
	bool			 failed[EM_POOL];
	unsigned		 ndone;
	int			 end_cancel;	/* why of an ending CANCEL */
};

/*
 * Each driver defines it: report that the invariant what (its text), at
 * file:line, does not hold in run rn, and do not return.
 */
void	em_fail(const struct em_run *rn, const char *file, int line,
	    const char *what) __attribute__((noreturn));

#define EM_CHECK(rn, cond) do {						\
	if (!(cond))							\
		em_fail((rn), __FILE__, __LINE__, #cond);		\
} while (0)

/* A run with nothing known: zeros, and no address with ports left. */
void	em_init(struct em_run *);

/* Pool address i (modulo EM_POOL), with itself as source if usable. */
struct hecat__dst em_pool(unsigned i, bool usable);
/* The same with its history, as a store would hand it over. */
struct hecat__dst em_pool_dst(const struct em_run *, unsigned i,
	    bool usable);
/* The pool index of ip, or -1. */
int	em_pool_index(const struct hecat__ip *);

/* An endpoint the driver passes to hecat__engine_new_ip(). */
void	em_endpoint(struct em_run *, const struct hecat__endpoint *);

/* rn->e was created from rn->cfg: start it. */
void	em_start(struct em_run *);

/* Take every action queued, checking each; then the next deadline. */
void	em_drain(struct em_run *);

/* Fire the timers due by t, each at its time; then it is t. */
void	em_advance(struct em_run *, uint64_t t);
/* Time jumps to t, and the timers due fire late, all at once. */
void	em_advance_late(struct em_run *, uint64_t t);

/*
 * The answer to the query of family (AF_INET6, AF_INET or HECAT__PREF64),
 * asked or not: status, and n addresses when HECAT_DNS_OK.
 */
void	em_answer(struct em_run *, int family, enum hecat_dns_status,
	    const struct hecat__dst *, size_t n);

/* The result of attempt id (any number): 0 or an errno. */
void	em_report(struct em_run *, unsigned id, int err);

/* In-flight attempt number i, modulo their count (rn->inflight), or 0. */
unsigned em_inflight_id(const struct em_run *, unsigned i);

/*
 * The network goes quiet: queries get NODATA, attempts in flight fail
 * with err, timers fire, until the dial ends; then the last checks, and
 * the engine is freed.
 */
void	em_finish(struct em_run *, int err);

#endif /* ENGINE_MODEL_H */
