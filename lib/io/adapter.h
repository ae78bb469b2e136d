/*
 * adapter.h - what the adapter's files share: the instance, the dial and
 * its parts, and the functions one file calls in another.
 *
 * The adapter runs the pure engine (core/engine.c) on libevent:
 *
 *	instance.c  hecat_new/free, the resolver and store, the network state
 *	dial.c      a dial's life: inbox, kick, timer, perform, entry points
 *	query.c     its queries: ask, abandon, take an answer to the engine
 *	attempt.c   its attempts: the stages run on each socket
 *	histdial.c  what history knows and learns of a dial's addresses
 *	follow.c    the losers of a won race, watched (follow_losers_ms)
 *	emit.c      its trace events, one function per kind
 *	sync.c      hecat_dial_sync()
 */
#ifndef HECAT_ADAPTER_H
#define HECAT_ADAPTER_H

#include <sys/queue.h>
#include <sys/socket.h>

#include <stdbool.h>
#include <stdint.h>

#include "coalesce.h"
#include "engine.h"
#include "hecat.h"
#include "hostname.h"
#include "nat64.h"
#include "report.h"
#include "stage.h"

struct event;
struct event_base;

#define HECAT__MAXSTAGES	4	/* connect, and the stages after it */
#define HECAT__NQUERIES		3	/* AAAA, A, the NAT64 prefix's */

/* The host's network as the instance last read it. */
struct hecat__netstate {
	uint64_t		 conn_at;	/* connectivity read then */
	bool			 v6, v4;
	uint64_t		 id_at;		/* the network id read then */
	uint64_t		 id;
	struct hecat__prefix64	 pref64;	/* discovered; len 0: none */
};

struct hecat {
	struct event_base		*base;
	struct hecat_opts		 defaults;
	struct hecat__cq_table		 cq;		/* the resolver, and
							   queries in flight */
	bool				 builtin;	/* cq.res is getdns */
	struct hecat__netstate		 net;
	const struct hecat_store	*store;		/* the caller's, or ours */
	void				*store_arg;
	TAILQ_HEAD(, hecat_dial)	 dials;
	TAILQ_HEAD(, hecat__follow)	 follows;	/* losers watched */
};

/*
 * What happened to a dial, waiting for the next kick.  An item lives in
 * the attempt slot or the query it comes from, so the inbox is bounded
 * by them and never allocates: the kick takes the queued items in the
 * order they were posted.
 */
struct hecat__inbox_item {
	enum {
		HECAT__IN_ANSWER,
		HECAT__IN_RESULT
	}			 kind;
	bool			 queued;
	uint64_t		 seq;		/* posting order */
	int			 family;	/* ANSWER */
	unsigned		 gen;
	int			 status;
	int			 dnssec;	/* enum hecat_dnssec */
	struct sockaddr_storage	*addrs;		/* allocated */
	size_t			 naddrs;
	unsigned		 id;		/* RESULT: 0 connected, or */
	int			 err;		/* the errno it failed with */
	int			 why;		/* enum hecat_why */
	int			 stage;		/* in that stage */
	char			 detail[HECAT__STAGE_DETAILLEN];
};

/* One attempt in flight: a slot, keyed by the engine's id, never by fd. */
struct hecat__attempt {
	struct hecat_dial	*d;
	unsigned		 id;		/* 0: a free slot */
	int			 fd;
	struct event		*ev;		/* the running stage's wait */
	struct event		*timer;		/* its timeout */
	short			 ev_what;	/* what ev waits for */
	int			 ev_fd;		/* on which descriptor */
	uint64_t		 started;
	uint64_t		 stage_started;
	struct sockaddr_storage	 sa;
	socklen_t		 salen;
	struct sockaddr_storage	 orig;		/* NAT64: sa stands for it */
	socklen_t		 origlen;	/* 0: not synthesized */
	uint64_t		 delay;		/* before the next attempt */
	bool			 learned;	/* from history */
	size_t			 nstages, cur;	/* the plan, and its step */
	size_t			 count;		/* the engine hears of it once
						   plan[0..count) passed */
	bool			 post;		/* the winner, running the
						   stages after count */
	bool			 parked;	/* its TLS stage waits for
						   DANE's answer */
	const struct hecat__stage_ops *plan[HECAT__MAXSTAGES];
	struct hecat__stage	 st;		/* the running stage */
	uint32_t		 rtt_us;	/* the connect's round trip */
	struct hecat__proxy_req	 preq;		/* through a proxy: the target */
	struct sockaddr_storage	 bound;		/* what the proxy said it */
	socklen_t		 boundlen;	/* connected from; 0: nothing */
	struct hecat__inbox_item in;		/* its outcome, once known */
};

/* One of a dial's queries. */
struct hecat__dquery {
	struct hecat_dial	*d;
	int			 family;	/* or HECAT__PREF64 */
	struct hecat__cq_member	 m;		/* its place in a query */
	unsigned		 gen;		/* which send an answer is for */
	bool			 active;	/* sent, no answer yet */
	uint64_t		 sent;
	struct hecat__inbox_item in;		/* its answer, once come */
};

struct hecat_dial {
	struct hecat		*h;		/* NULL once it is over */
	TAILQ_ENTRY(hecat_dial)	 entry;
	struct hecat_opts	 opts;
	struct sockaddr_storage	 source;	/* opts.source's copy */
	struct hecat__engine	*e;
	char			*given;		/* the host as given */
	char			 host[HECAT__HOSTLEN];	/* as queried; "" for
							   literals */
	uint16_t		*ports;
	size_t			 nports;
	struct sockaddr_storage	*eps;		/* hecat_connect_ip()'s */
	size_t			 neps;
	hecat_dial_cb		 cb;
	void			*arg;
	uint64_t		 t0;
	bool			 started;
	bool			 cancelling;	/* no callback at DONE */
	int			 fail_err;	/* end at the next kick with it */
	const char		*fail_why;	/* a static reason */
	struct event		*timer;
	struct event		*kick;
	struct hecat__attempt	*att;		/* [natt] */
	size_t			 natt;
	struct hecat__dquery	 q[HECAT__NQUERIES];
	int			 nat64;		/* enum hecat__nat64_mode */
	int			 nat64_why;	/* KNOWN: enum hecat_why */
	struct hecat__prefix64	 pref64;	/* known, or the WKP stand-in */
	bool			 net6, net4;	/* connectivity at the start */
	uint64_t		 seq;		/* inbox items posted */
	struct hecat__inbox_item orphan;	/* an attempt no slot held
						   (the engine keeps to
						   max_inflight: not used) */
	struct hecat__report	 report;	/* failed attempts */
	bool			 hist;		/* history read and written */
	uint64_t		 net;		/* its network */
	struct hecat_hist	*hpending;	/* literals' records, traced
						   at the start */
	size_t			 nhpending;
	struct hecat_hist_obs	*obs;		/* outcomes to record */
	size_t			 nobs, obscap;
	uint64_t		 won_started;	/* the winner's start, or 0 */
	struct hecat__tls	*tls;		/* opts.tls: the setup */
	void			*tlsa_q;	/* DANE's query in flight */
	bool			 tlsa_done;	/* ... answered */
	uint64_t		 tlsa_sent;
	char			*tlsa_name;	/* "_443._tcp.host" */
	bool			 finishing;	/* the race is won; the
						   winner's last stages run */
	struct hecat__action	 done;		/* ... then the engine's
						   DONE */
	bool			 running;	/* the engine was started */

	/*
	 * Through a proxy (opts.proxy): remotely, the engine races the
	 * proxy's addresses and each attempt asks for ptarget (or the
	 * literal in preq.addr); locally, the engine races the host's
	 * addresses and every attempt goes to the proxy's address that won
	 * the race to it (pchild, run first).
	 */
	bool			 plocal;
	struct hecat__proxy_req	 preq;		/* the target, as the proxy
						   is asked for it */
	char			*ptarget;	/* its name (A-label), remote */
	char			*phost;		/* the proxy, as given */
	char			*puser, *ppass;
	uint16_t		 pport;
	struct hecat_dial	*pchild;	/* local: the race to the proxy */
	struct hecat_dial	*pparent;	/* that race's dial: its parent */
	int			 opts_nat64;	/* local: the options' own, for */
	int			 opts_history;	/* the race to the proxy */
	int			 pfd;		/* its winner, for the first
						   attempt; -1: none */
	struct sockaddr_storage	 paddr;		/* local: the proxy's address */
	socklen_t		 paddrlen;
	char			*pwhy;		/* local: why the proxy could
						   not be reached */
	struct hecat_failure	*pfail;		/* and how each of its */
	size_t			 npfail;	/* addresses failed */
	struct hecat__follow	*follow;	/* losers to watch, once won */
};

/* ---- instance.c ---- */
/*
 * Fill d's connectivity, NAT64 mode and (with history) network id from
 * the instance's reading, read again unless one was taken within 10 ms.
 * v4_possible: the dial may get an IPv4 address (NAT64 may be needed).
 */
void	hecat__net_setup(struct hecat_dial *d, bool v4_possible);
/* The prefix query settled (a->plen 0: no prefix). */
void	hecat__net_prefix_found(struct hecat_dial *d,
	    const struct hecat__action *a);

/* ---- dial.c ---- */
/*
 * Queue *it into its place (an attempt's or a query's in, replacing what
 * was queued there) for the next kick.
 */
void	hecat__inbox_post(struct hecat_dial *d, struct hecat__inbox_item *place,
	    const struct hecat__inbox_item *it);
/* Forget what is queued in place. */
void	hecat__inbox_drop(struct hecat__inbox_item *place);

/* ---- query.c ---- */
void	hecat__query_init(struct hecat_dial *d);
void	hecat__query_send(struct hecat_dial *d, int family, unsigned tries);
void	hecat__query_cancel(struct hecat_dial *d, int family);
void	hecat__query_answer(struct hecat_dial *d,
	    struct hecat__inbox_item *it);
void	hecat__query_free(struct hecat_dial *d);
/* What a query asks: the host's AAAA or A, or RFC 7050's AAAA. */
const char *hecat__query_name(const struct hecat_dial *d, int family);
int	hecat__query_type(int family);
/* The source the kernel would use for dst (NAT64 understood). */
void	hecat__probe_dst(struct hecat_dial *d, const struct hecat__ip *dst,
	    struct hecat__ip *src);

/* ---- attempt.c ---- */
bool	hecat__attempts_new(struct hecat_dial *d);
void	hecat__attempts_free(struct hecat_dial *d);
void	hecat__attempt_start(struct hecat_dial *d,
	    const struct hecat__action *a);
void	hecat__attempt_cancel(struct hecat_dial *d,
	    const struct hecat__action *a);
void	hecat__attempt_result(struct hecat_dial *d,
	    const struct hecat__inbox_item *it);
struct hecat__attempt *hecat__attempt_find(struct hecat_dial *d,
	    unsigned id);
/* The winner's socket, and its TLS session in *tls, taken from its slot. */
int	hecat__attempt_take(struct hecat__attempt *at, void **tls);
/*
 * Whether the winner has stages the race did not count; if so, run them
 * (their outcome comes through the inbox, for hecat__attempt_post()).
 */
bool	hecat__attempt_finish(struct hecat__attempt *at);
/* The attempts whose TLS stage waited for DANE's answer go on. */
void	hecat__attempts_resume(struct hecat_dial *d);
/* The outcome of those stages: false (and the ledger told) if one failed. */
bool	hecat__attempt_post(struct hecat_dial *d,
	    const struct hecat__inbox_item *it);

/* ---- proxy.c ---- */
/*
 * A dial through the options' proxy to host (NULL: to d->eps, from
 * hecat_connect_ip()): its engine, or the race to the proxy first.
 */
struct hecat_dial *hecat__proxy_dial(struct hecat_dial *d, const char *host);
/*
 * Local: whether d's engine is there; if the proxy is not reached yet,
 * start racing to it (false: d is kicked again when that is over).
 */
bool	hecat__proxy_ready(struct hecat_dial *d);
void	hecat__proxy_free(struct hecat_dial *d);
/* What attempt at asks the proxy for (ip:port the engine's address). */
void	hecat__proxy_attempt(struct hecat_dial *d, struct hecat__attempt *at,
	    const struct hecat__ip *ip, uint16_t port);
/* The proxy stage of d's type. */
const struct hecat__stage_ops *hecat__proxy_stage(const struct hecat_dial *d);
/* ---- dial.c, for proxy.c ---- */
/* Kick d (an engine waiting on the proxy may start). */
void	hecat__dial_kick(struct hecat_dial *d);
/* Make d end at its next kick with err and why (kept, not copied). */
void	hecat__dial_fail(struct hecat_dial *d, int err, const char *why);
/* Engines for d: to d->host on d->ports, to endpoints; NULL: errno. */
struct hecat__engine *hecat__dial_engine_host(struct hecat_dial *d);
struct hecat__engine *hecat__dial_engine_ip(struct hecat_dial *d,
	    const struct sockaddr_storage *addrs, size_t n);
/* Give d its engine (NULL: it could not be made, d fails). */
struct hecat_dial *hecat__dial_engine(struct hecat_dial *d,
	    struct hecat__engine *e);

/* ---- histdial.c ---- */
void	hecat__hist_lookup(struct hecat_dial *d, struct hecat__dst *dsts,
	    size_t n, bool trace_now);
void	hecat__hist_trace_pending(struct hecat_dial *d);
void	hecat__hist_note(struct hecat_dial *d, const struct hecat__attempt *at,
	    int event, uint32_t rtt_us, int err);
/*
 * An outcome of an attempt to sa as history keeps it: under orig too,
 * the IPv4 address a NAT64 attempt stands for (NULL: none); how many.
 */
size_t	hecat__hist_obs_of(const struct sockaddr_storage *sa,
	    const struct sockaddr_storage *orig, int event, uint32_t rtt_us,
	    int err, struct hecat_hist_obs obs[2]);
/* Whether err says something about the path (not about this host). */
bool	hecat__hist_path_error(int err);
/* Hand the dial's outcomes to the store. */
void	hecat__hist_record(struct hecat_dial *d);

/* ---- follow.c ---- */
/*
 * A loser of the race: keep its socket to watch once the dial ends (it
 * must still be in its TCP connect, direct).  True: at's slot no longer
 * holds it.
 */
bool	hecat__follow_take(struct hecat_dial *d, struct hecat__attempt *at);
/* The dial ended with a winner: watch its losers; how many are. */
unsigned hecat__follow_start(struct hecat_dial *d);
/* The dial ended without one, or is freed: close them untold. */
void	hecat__follow_drop(struct hecat_dial *d);
/* hecat_free(): every watch ends, untold. */
void	hecat__follow_free_all(struct hecat *h);

/* ---- emit.c: one function per trace kind ---- */
void	hecat__emit_dial_start(struct hecat_dial *d);
void	hecat__emit_network(struct hecat_dial *d);
void	hecat__emit_history(struct hecat_dial *d, const struct hecat_hist *rec,
	    int64_t now);
void	hecat__emit_nat64_prefix(struct hecat_dial *d,
	    const struct hecat__prefix64 *p, int why);
void	hecat__emit_resolve_start(struct hecat_dial *d, int family,
	    unsigned tries, bool shared);
void	hecat__emit_resolve_done(struct hecat_dial *d, int family,
	    const struct hecat__inbox_item *it, uint64_t elapsed);
void	hecat__emit_resolve_cancel(struct hecat_dial *d, int family);
void	hecat__emit_desynthesize(struct hecat_dial *d,
	    const struct hecat__action *a);
void	hecat__emit_resolution_delay(struct hecat_dial *d,
	    const struct hecat__action *a);
void	hecat__emit_candidates(struct hecat_dial *d);
void	hecat__emit_attempt_start(struct hecat_dial *d,
	    const struct hecat__attempt *at, int why);
void	hecat__emit_stage_start(struct hecat_dial *d,
	    const struct hecat__attempt *at);
void	hecat__emit_stage_step(struct hecat_dial *d,
	    const struct hecat__attempt *at, const char *step);
void	hecat__emit_stage_done(struct hecat_dial *d,
	    const struct hecat__attempt *at);
void	hecat__emit_attempt_end(struct hecat_dial *d,
	    const struct hecat__attempt *at, int result, int why, int stage,
	    int error, const char *detail);
/* A loser's end at the win: cancelled, or handed to the watch. */
void	hecat__emit_lost(struct hecat_dial *d, const struct hecat__attempt *at,
	    int stage, bool followed);
void	hecat__emit_winner(struct hecat_dial *d,
	    const struct hecat__attempt *at, int fd, unsigned following);
void	hecat__emit_dial_failed(struct hecat_dial *d, int status,
	    const char *message);
void	hecat__emit_resolver(struct hecat_dial *d, const char *name,
	    uint64_t load_ns, uint64_t setup_ns);
void	hecat__emit_tlsa(struct hecat_dial *d, const char *name, int status,
	    int dnssec, uint64_t elapsed_ns, const char *records);

/* ---- tlsdial.c ---- */
/*
 * A TLS dial's setup (d->tls), and through the built-in resolver
 * validating DNSSEC, to a name on one port, its TLSA records (DANE): the
 * TLS stages wait for them.  prepare: OpenSSL's context, once the first
 * packets are out.  free: the query, the setup.
 */
void	hecat__tlsdial_start(struct hecat_dial *d);
void	hecat__tlsdial_prepare(struct hecat_dial *d);
void	hecat__tlsdial_free(struct hecat_dial *d);

#endif /* HECAT_ADAPTER_H */
