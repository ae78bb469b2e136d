/*
 * hecat.h - libhecat, a Happy Eyeballs (RFC 8305) dialer on libevent.
 *
 * Give it a host and ports; it resolves AAAA and A in parallel, sorts the
 * addresses by RFC 6724, races staggered non-blocking connects across the
 * interleaved families, keeps the first connection that succeeds and closes
 * the rest.  The result is a connected socket that belongs to you.
 *
 *	struct hecat *h = hecat_new(base, NULL);
 *	uint16_t port = 443;
 *	hecat_connect(h, "example.com", &port, 1, NULL, on_dial, arg);
 *	event_base_dispatch(base);
 *
 * Programs without an event loop use hecat_dial_sync().
 *
 * Vocabulary: a dial is the whole race for one host; an attempt is one
 * connect() to one address and port; the winner is the attempt that
 * connected; a query is one DNS question (AAAA or A).  Durations are in
 * milliseconds.  Every callback's last argument is the caller's void *.
 *
 * This header includes no libevent or getdns header.  The library links
 * libevent_core (pkg-config libhecat) and loads getdns when a name first
 * needs DNS.
 */
#ifndef HECAT_H
#define HECAT_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct event_base;

/*
 * Error codes.  A dial's result carries one; hecat_strerror() describes
 * it.
 */
enum hecat_err {
	HECAT_OK = 0,
	HECAT_E_NOHOST = -1,	/* the name does not exist or has no address */
	HECAT_E_NOADDR = -2,	/* no address of the allowed family */
	HECAT_E_DNS = -3,	/* resolution failed (SERVFAIL, timeout, ...) */
	HECAT_E_CONNECT = -4,	/* every attempt failed */
	HECAT_E_TIMEOUT = -5,	/* the dial's deadline passed */
	HECAT_E_CANCELLED = -6,	/* the dial was cancelled */
	HECAT_E_SYSTEM = -7,	/* out of memory, or getdns cannot be loaded
				   or set up (an attempt that cannot get a
				   socket fails with its errno instead) */
	HECAT_E_INVAL = -8,	/* invalid argument, e.g. a malformed name */
	HECAT_E_DNSSEC = -9	/* DNSSEC required (hecat_config.dnssec),
				   and no answer validated: bogus, insecure
				   or indeterminate */
};

/*
 * The outcome of one DNS query, as a resolver reports it.  NODATA (the
 * name exists, without records of that type) and NXDOMAIN are final;
 * SERVFAIL, TIMEOUT and ERROR are transient and are retried.  BOGUS,
 * INSECURE and INDETERMINATE come only when DNSSEC is required: the
 * answer did not validate, and a new try would not change that, so they
 * are final.
 */
enum hecat_dns_status {
	HECAT_DNS_OK = 0,	/* one or more addresses */
	HECAT_DNS_NODATA,	/* no record of that type */
	HECAT_DNS_NXDOMAIN,	/* the name does not exist */
	HECAT_DNS_SERVFAIL,	/* the server failed */
	HECAT_DNS_TIMEOUT,	/* no answer in time */
	HECAT_DNS_ERROR,	/* anything else: network, malformed reply */
	HECAT_DNS_BOGUS,	/* DNSSEC: the signatures do not validate */
	HECAT_DNS_INSECURE,	/* DNSSEC: provably unsigned */
	HECAT_DNS_INDETERMINATE	/* DNSSEC: no chain of trust either way
				   (e.g. no trust anchor for it) */
};

/*
 * What DNSSEC validation said about an answer (RFC 4035 section 4.3).
 * NONE: not validated, because DNSSEC was not asked for.
 */
enum hecat_dnssec {
	HECAT_DNSSEC_NONE = 0,
	HECAT_DNSSEC_SECURE,
	HECAT_DNSSEC_BOGUS,
	HECAT_DNSSEC_INSECURE,
	HECAT_DNSSEC_INDETERMINATE
};

/* ---- tracing ---------------------------------------------------------- */

/*
 * What a trace event reports.  Each kind has one name, the same in the
 * library (hecat_trace_name()), in hecat's JSON Lines trace ("ev") and
 * in the manuals; the fields each kind fills are listed after it.
 */
enum hecat_trace_kind {
	HECAT_TRACE_DIAL_START,		/* "dial_start": host, ports, family
					   (AF_UNSPEC: both), prefer */
	HECAT_TRACE_NETWORK,		/* "network": net_inet6, net_inet,
					   why (NATIVE or NAT64), net_id (0:
					   no history) */
	HECAT_TRACE_HISTORY,		/* "history": addr, rtt_ns (0: no
					   connect yet), why (RTT or FAILED:
					   error, 0 for a lost race; age_s),
					   net_id */
	HECAT_TRACE_NAT64_PREFIX,	/* "nat64_prefix": prefix (NULL:
					   none), why (OPTION, CACHED,
					   DISCOVERED, NO_PREFIX) */
	HECAT_TRACE_RESOLVE_START,	/* "resolve_start": family, name,
					   tries, shared */
	HECAT_TRACE_RESOLVE_DONE,	/* "resolve_done": family, name,
					   status, dnssec, addrs, elapsed_ns */
	HECAT_TRACE_RESOLVE_CANCEL,	/* "resolve_cancel": family, name */
	HECAT_TRACE_DESYNTHESIZE,	/* "desynthesize": addr (a DNS64
					   answer) stands for orig (IPv4) */
	HECAT_TRACE_RESOLUTION_DELAY,	/* "resolution_delay": waiting
					   wait_ns for family; why
					   (FIRST_ANSWER: the other family
					   answered first; HISTORY: every
					   address so far failed recently) */
	HECAT_TRACE_CANDIDATES,		/* "candidates": addrs (port 0) in
					   the order they will be tried,
					   ports */
	HECAT_TRACE_ATTEMPT_START,	/* "attempt_start": id, addr, orig,
					   source, why (FIRST, ATTEMPT_DELAY,
					   PREVIOUS_FAILED, ANSWER), delay_ns,
					   delay_learned */
	HECAT_TRACE_STAGE_START,	/* "stage_start": id, addr, stage
					   (a stage after TCP's connect) */
	HECAT_TRACE_STAGE_STEP,		/* "stage_step": id, addr, stage,
					   detail: a step of a proxy's
					   protocol in words ("method
					   username/password", "reply 0:
					   succeeded") */
	HECAT_TRACE_STAGE_DONE,		/* "stage_done": id, addr, stage,
					   elapsed_ns (the stage's); for
					   HECAT_STAGE_TCP the connect:
					   local, elapsed_ns since the
					   attempt started; for a proxy
					   stage: status (its reply code),
					   and bound (what it said it
					   connected from), if any */
	HECAT_TRACE_ATTEMPT_END,	/* "attempt_end": id, addr, orig,
					   result; CONNECTED: local;
					   FAILED: stage, error
					   (ETIMEDOUT on a timeout), detail,
					   why (ERROR, TIMEOUT, DEADLINE);
					   CANCELLED: why (LOST, CANCELLED),
					   following 1 when a lost one is
					   watched (a LOSER event ends it);
					   elapsed_ns since it started */
	HECAT_TRACE_WINNER,		/* "winner": id, addr, orig, local,
					   following (losers watched, with
					   follow_losers_ms) */
	HECAT_TRACE_DIAL_FAILED,	/* "dial_failed": status (enum
					   hecat_err), detail (the message) */
	HECAT_TRACE_TLSA,		/* "tlsa": DANE's question answered
					   (tls with DNSSEC): name
					   ("_443._tcp.host"), status,
					   dnssec, elapsed_ns, detail (the
					   records: "3 1 1 5e2f...", NULL:
					   none) */
	HECAT_TRACE_RESOLVER,		/* "resolver": the built-in resolver
					   was set up for this dial's first
					   query: name ("getdns"), load_ns
					   (loading its libraries; about 0
					   when an earlier instance had),
					   elapsed_ns (making its context) */
	HECAT_TRACE_LOSER		/* "loser": with follow_losers_ms, a
					   losing attempt watched to its end:
					   id, addr, orig, result (CONNECTED:
					   it would have connected; FAILED:
					   error, why ERROR, or TIMEOUT with
					   ETIMEDOUT when nothing came in
					   time), elapsed_ns since it
					   started, after_ns since the winner
					   connected, following (losers still
					   watched; 0: the last) */
};
#define HECAT_TRACE_NKINDS	(HECAT_TRACE_LOSER + 1)

/*
 * Why an event happened: one list for every kind, each value with one
 * name (hecat_why_name(): the word in parentheses).
 */
enum hecat_why {
	HECAT_WHY_NONE = 0,		/* "": nothing to say */
	HECAT_WHY_FIRST,		/* "first": the dial's first attempt */
	HECAT_WHY_ATTEMPT_DELAY,	/* "attempt_delay": the Connection
					   Attempt Delay ran out */
	HECAT_WHY_PREVIOUS_FAILED,	/* "previous_failed" */
	HECAT_WHY_ANSWER,		/* "answer": new addresses while
					   nothing was in flight */
	HECAT_WHY_ERROR,		/* "error": it failed with an errno */
	HECAT_WHY_TIMEOUT,		/* "timeout": its own timeout */
	HECAT_WHY_DEADLINE,		/* "deadline": the dial's */
	HECAT_WHY_LOST,			/* "lost": another attempt won */
	HECAT_WHY_CANCELLED,		/* "cancelled": the dial was */
	HECAT_WHY_FIRST_ANSWER,		/* "first_answer" */
	HECAT_WHY_HISTORY,		/* "history" */
	HECAT_WHY_OPTION,		/* "option" */
	HECAT_WHY_CACHED,		/* "cached": an earlier dial's */
	HECAT_WHY_DISCOVERED,		/* "discovered" (RFC 7050) */
	HECAT_WHY_NO_PREFIX,		/* "none": no NAT64 prefix found */
	HECAT_WHY_RTT,			/* "rtt": a round trip is known */
	HECAT_WHY_FAILED,		/* "failed": failed, or lost, lately */
	HECAT_WHY_NATIVE,		/* "native": IPv4 here, or both */
	HECAT_WHY_NAT64			/* "nat64": IPv6 only, via NAT64 */
};

/* How an attempt ended (HECAT_TRACE_ATTEMPT_END). */
enum hecat_attempt_result {
	HECAT_ATTEMPT_CONNECTED,	/* "connected": every stage it races
					   through passed */
	HECAT_ATTEMPT_FAILED,		/* "failed" */
	HECAT_ATTEMPT_CANCELLED		/* "cancelled" */
};

/*
 * The steps of an attempt (see hecat_opts.race_until): the TCP connect,
 * then any stages on the connected socket, each of which must pass
 * before the attempt counts as connected.
 */
enum hecat_stage {
	HECAT_STAGE_TCP = 0,		/* "tcp": the connect itself */
	HECAT_STAGE_BANNER,		/* "banner": the server sent its
					   first byte (peeked, not read) */
	HECAT_STAGE_SOCKS5,		/* "socks5": the proxy connected */
	HECAT_STAGE_SOCKS4,		/* "socks4": SOCKS4 or SOCKS4a */
	HECAT_STAGE_HTTP_CONNECT,	/* "http_connect": a 2xx to CONNECT */
	HECAT_STAGE_TLS			/* "tls": the TLS handshake, and the
					   peer verified */
};

/*
 * One trace event.  Only the fields named for its kind are meaningful;
 * pointers are valid during the trace callback only.
 */
struct hecat_trace {
	enum hecat_trace_kind		 kind;
	uint64_t			 t_ns;		/* hecat_clock_ns() */
	uint64_t			 since_ns;	/* since the dial began */
	const struct hecat_dial		*dial;
	const char			*host;		/* as given */
	int				 why;		/* enum hecat_why */
	int				 family;	/* AF_INET6, AF_INET */
	int				 prefer;	/* DIAL_START */
	const uint16_t			*ports;		/* DIAL_START,
							   CANDIDATES */
	size_t				 nports;
	/* RESOLVE_*: the name asked (the host, or "ipv4only.arpa." for
	   the NAT64 prefix) */
	const char			*name;
	unsigned			 tries;		/* 1 for the first */
	int				 shared;	/* RESOLVE_START: 1 when it
							   joined the same question
							   another dial of the
							   instance had sent */
	int				 status;	/* RESOLVE_DONE: enum
							   hecat_dns_status;
							   DIAL_FAILED: enum
							   hecat_err */
	int				 dnssec;	/* enum hecat_dnssec */
	const struct sockaddr_storage	*addrs;
	size_t				 naddrs;
	unsigned			 id;		/* attempt, from 1 */
	const struct sockaddr		*addr;		/* address and port */
	socklen_t			 addrlen;
	/* ATTEMPT_*, STAGE_*, WINNER, DESYNTHESIZE: the IPv4 address
	   addr was synthesized from (NAT64); NULL otherwise. */
	const struct sockaddr		*orig;
	socklen_t			 origlen;
	const struct sockaddr		*source;	/* ATTEMPT_START: the
							   source asked for;
							   NULL: the kernel's */
	socklen_t			 sourcelen;
	const struct sockaddr		*local;		/* NULL if unknown */
	socklen_t			 locallen;
	/* STAGE_DONE, WINNER: what a proxy said it connected from; NULL:
	   nothing (or no proxy).  ATTEMPT_*, STAGE_*, WINNER with a proxy:
	   target, the address asked for through it (NULL: a name). */
	const struct sockaddr		*bound;
	socklen_t			 boundlen;
	const struct sockaddr		*target;
	socklen_t			 targetlen;
	int				 stage;		/* enum hecat_stage */
	int				 result;	/* enum
							   hecat_attempt_result */
	int				 error;		/* errno */
	const char			*detail;	/* a failed stage's reason
							   in words ("closed
							   before sending");
							   DIAL_FAILED: the
							   message; else NULL */
	uint64_t			 elapsed_ns;
	uint64_t			 wait_ns;	/* RESOLUTION_DELAY */
	/* ATTEMPT_START: the Connection Attempt Delay after it, and 1
	   when it comes from the address's RTT history. */
	uint64_t			 delay_ns;
	int				 delay_learned;
	int				 net_inet6;	/* NETWORK: 1 or 0 */
	int				 net_inet;
	const char			*prefix;	/* NAT64_PREFIX */
	uint64_t			 net_id;	/* NETWORK, HISTORY */
	uint64_t			 rtt_ns;	/* HISTORY */
	int64_t				 age_s;		/* HISTORY: since the
							   last failure */
	/*
	 * 1: an event of the race to the proxy's own addresses, which a
	 * dial with proxy_resolve LOCAL runs before the race through it
	 * (its attempts have ids of their own).
	 */
	int				 proxy_race;
	/* ATTEMPT_*, STAGE_*, WINNER: the proxy the attempt goes through
	   (enum hecat_proxy; HECAT_PROXY_NONE: none), and the host's port
	   it asks for. */
	int				 via;
	uint16_t			 target_port;
	uint64_t			 load_ns;	/* RESOLVER */
	/* WINNER, LOSER: losing attempts watched (still, for LOSER);
	   ATTEMPT_END: 1 for a lost one that is. */
	unsigned			 following;
	uint64_t			 after_ns;	/* LOSER */
	/* DIAL_START: the dial's options (for a policy's record). */
	const struct hecat_opts		*opts;
};

typedef void (*hecat_trace_cb)(const struct hecat_trace *, void *arg);

/* ---- options ----------------------------------------------------------- */

/*
 * Per-dial options.  Always initialise with hecat_opts_init(), then change
 * what you need: the struct records its own size, so a program built
 * against this header keeps working with a library that has added fields.
 * A struct whose size is not set (0, or too small for the first fields)
 * is refused with EINVAL.
 */
struct hecat_opts {
	uint32_t	 size;			/* set by hecat_opts_init() */
	unsigned	 resolution_delay_ms;	/* wait for AAAA after A: 50 */
	unsigned	 attempt_delay_ms;	/* between attempts: 250,
						   clamped to [10, 2000] */
	unsigned	 attempt_timeout_ms;	/* per attempt: 10000; 0 none */
	unsigned	 timeout_ms;		/* whole dial, DNS included:
						   0 = none */
	unsigned	 resolve_timeout_ms;	/* per query try: 1000; 0 none */
	unsigned	 resolve_retries;	/* tries after the first: 3 */
	unsigned	 first_family_count;	/* RFC 8305 section 4: 1 */
	unsigned	 max_inflight;		/* attempts at once: 8 */
	int		 family;		/* AF_UNSPEC, AF_INET, AF_INET6 */
	int		 prefer;		/* family tried first; AF_UNSPEC:
						   as RFC 6724 sorts (IPv6) */
	const struct sockaddr *source;		/* bind to it first (port 0 =
						   any), copied; it sets the
						   family; NULL: the kernel
						   picks */
	socklen_t	 source_len;
	hecat_trace_cb	 trace;			/* NULL: no tracing */
	void		*trace_arg;
	uint16_t	 source_port;		/* bind every attempt to this
						   local port (on source, or
						   the wildcard address);
						   0: the kernel picks */
	/*
	 * NAT64 (RFC 8305 section 7, HEv3).  HECAT_NAT64_AUTO: when the
	 * host has IPv6 connectivity and no IPv4 (looked at per dial;
	 * dials within 10 ms of a look share it),
	 * IPv4 addresses (literals, A answers, DNS64 answers de-synthesized)
	 * are reached through the NAT64 prefix; HECAT_NAT64_OFF: never.
	 * nat64_prefix: "PREFIX/LEN" (RFC 6052 lengths) instead of
	 * discovering it (RFC 7050, once per hecat instance); NULL:
	 * discover.  A family of AF_INET6 turns NAT64 off.
	 */
	int		 nat64;			/* enum hecat_nat64 */
	const char	*nat64_prefix;
	/*
	 * Connection history (RFC 8305 sections 4 and 5), kept per network
	 * by the instance's store (see hecat_config): addresses that
	 * failed, or lost a race they started first, in the last 10
	 * minutes go after the others; among addresses RFC 6724 rules 1-8
	 * cannot tell apart, the one with the lower smoothed RTT goes
	 * first, then one used before (with an RTT) before one never
	 * used; and the delay after an attempt to an address with an RTT
	 * known is the time its first SYN would be retransmitted (RFC 6298
	 * RTO), clamped to [attempt_delay_min_ms, attempt_delay_max_ms]
	 * and never below 10 ms.  HECAT_HISTORY_OFF: the dial neither
	 * reads nor writes history.
	 */
	int		 history;		/* enum hecat_history */
	unsigned	 attempt_delay_min_ms;	/* 100 */
	unsigned	 attempt_delay_max_ms;	/* 2000 */
	/*
	 * When an attempt counts as connected (enum hecat_stage): after
	 * the TCP connect (HECAT_STAGE_TCP, the default), or only once the
	 * server has sent its first byte (HECAT_STAGE_BANNER: for
	 * protocols where the server speaks first, ssh and SMTP; the byte
	 * is peeked, never read, so the winner's socket holds everything
	 * the server sent).  Until then the attempt is in flight for the
	 * RFC 8305 schedule; a stage that fails is a failed attempt, and
	 * the next one starts at once.  HECAT_STAGE_TLS (with tls): once
	 * the TLS handshake passed and the peer was verified; with
	 * HECAT_STAGE_BANNER and tls, the first byte is the first byte of
	 * data through TLS.
	 *
	 * With a proxy, its handshake always counts (HECAT_STAGE_TCP means
	 * "once the proxy said yes").  A stage the race does not count (TLS
	 * with HECAT_STAGE_TCP) runs on the winner alone, after the race;
	 * if it fails there, the dial fails.
	 */
	int		 race_until;
	/*
	 * Each stage after the TCP connect may take this long from its
	 * start before the attempt fails with ETIMEDOUT; 0: the attempt
	 * timeout.  The attempt timeout keeps covering the whole attempt.
	 */
	unsigned	 stage_timeout_ms;
	/*
	 * A proxy every attempt goes through (enum hecat_proxy; NONE:
	 * direct).  proxy_host is a name or a literal, raced like any host
	 * (its AAAA and A, every address in turn); proxy_port 0 is 1080
	 * for SOCKS, 3128 for HTTP.  An attempt is the TCP connect to one
	 * of the proxy's addresses and the proxy's handshake: it counts
	 * only once the proxy said yes, and a refusal fails it with the
	 * proxy's reason (a SOCKS reply, an HTTP status line).
	 *
	 * proxy_resolve REMOTE: the proxy resolves the host (SOCKS5 with a
	 * name, SOCKS4a, CONNECT host:port).  LOCAL: the library resolves
	 * it (AAAA and A) and races the host's addresses through the proxy,
	 * each attempt a CONNECT to one of them (the proxy reached at the
	 * address that won a race to it first).  SOCKS4 reaches IPv4 only.
	 *
	 * proxy_user and proxy_password: SOCKS5 username/password (RFC
	 * 1929), HTTP Basic (RFC 7617), SOCKS4's user id (no password);
	 * NULL: none.  Copied when the dial starts.
	 */
	int		 proxy;
	const char	*proxy_host;
	uint16_t	 proxy_port;
	int		 proxy_resolve;
	const char	*proxy_user;
	const char	*proxy_password;
	/*
	 * TLS (OpenSSL) over the connection, after the proxy's handshake if
	 * any: the result carries the session (hecat_result.tls).  The
	 * server's name for SNI and for verification is tls_name, or the
	 * host dialled (an IP literal is checked against the certificate's
	 * IP addresses, and sent no SNI).  The peer is verified against the
	 * system's CA store, or tls_ca_file's certificates (PEM) alone,
	 * unless tls_no_verify.  tls_cert_file and tls_key_file (PEM; the
	 * key in the certificate's file when NULL): a client certificate.
	 * tls_alpn: protocols to offer, comma-separated ("h2,http/1.1"), or
	 * NULL.  A file that cannot be used fails the dial (HECAT_E_INVAL)
	 * at the first connect.  Strings are copied when the dial starts.
	 */
	int		 tls;
	const char	*tls_name;
	const char	*tls_ca_file;
	const char	*tls_cert_file;
	const char	*tls_key_file;
	const char	*tls_alpn;
	int		 tls_no_verify;
	/*
	 * Diagnostics: when the race is won, the attempts still in their
	 * TCP connect are not closed but watched, without a byte sent, for
	 * up to this long after the winner connected (0: closed at once,
	 * the default): each ends in a HECAT_TRACE_LOSER event saying
	 * whether and when it would have connected, and with history on,
	 * that is what history learns of it (a late connect is not a
	 * failure).  The winner's callback is not delayed; the watch runs
	 * on the event base after it, and hecat_free() ends it.  Attempts
	 * through a proxy, or past their connect, are closed as before.
	 */
	unsigned	 follow_losers_ms;
};

enum hecat_proxy {
	HECAT_PROXY_NONE = 0,
	HECAT_PROXY_SOCKS5,
	HECAT_PROXY_SOCKS4,		/* SOCKS4a when the proxy resolves */
	HECAT_PROXY_HTTP		/* CONNECT */
};

enum hecat_proxy_resolve {
	HECAT_PROXY_RESOLVE_REMOTE = 0,
	HECAT_PROXY_RESOLVE_LOCAL
};

enum hecat_nat64 {
	HECAT_NAT64_AUTO = 0,
	HECAT_NAT64_OFF
};

enum hecat_history {
	HECAT_HISTORY_ON = 0,
	HECAT_HISTORY_OFF
};

/* Fill opts with the defaults above. */
#define hecat_opts_init(o)	hecat_opts_init_((o), sizeof(*(o)))
void	hecat_opts_init_(struct hecat_opts *, size_t);

/* ---- resolvers ------------------------------------------------------------ */

/*
 * A resolver's answer: status, and for HECAT_DNS_OK the addresses (ports
 * ignored).  Called exactly once per query that was not cancelled.  A
 * resolver that validates DNSSEC adds what it found to the status with
 * HECAT_DNS_WITH_DNSSEC(status, enum hecat_dnssec); a plain status means
 * HECAT_DNSSEC_NONE.
 */
#define HECAT_DNS_WITH_DNSSEC(st, sec)	((int)(st) | ((int)(sec) << 8))
#define HECAT_DNS_STATUS_OF(v)		((v) & 0xff)
#define HECAT_DNS_DNSSEC_OF(v)		(((v) >> 8) & 0xff)

typedef void (*hecat_resolve_cb)(int status,
    const struct sockaddr_storage *addrs, size_t n, void *arg);

/*
 * A pluggable resolver: the seed's getaddrinfo callback, asked once per
 * record type.  The built-in one uses getdns (see hecat_config).
 */
struct hecat_resolver {
	uint32_t size;		/* sizeof(struct hecat_resolver) */
	/*
	 * Start resolving host for family (AF_INET6: AAAA, AF_INET: A) and
	 * call done(..., done_arg) once when finished; done may be called
	 * before start returns, and then what start returns is ignored.
	 * Otherwise returns a handle for cancel, or NULL if the query could
	 * not start (done is then not called; the query counts as failed).
	 */
	void	*(*start)(void *rarg, int family, const char *host,
		    hecat_resolve_cb done, void *done_arg);
	/* Abandon a query: done must not be called for it afterwards. */
	void	 (*cancel)(void *rarg, void *query);
	/* hecat_free() calls it, if not NULL. */
	void	 (*free)(void *rarg);
};

/* ---- connection history ----------------------------------------------------- */

/*
 * What is known of one address on one network.  Times are wall-clock
 * seconds (time(NULL)); 0 means never.
 */
struct hecat_hist {
	struct sockaddr_storage	addr;		/* port 0 */
	uint32_t		srtt_us;	/* smoothed connect RTT */
	uint32_t		rttvar_us;	/* its variation (RFC 6298) */
	uint32_t		successes;	/* connects (saturates) */
	uint32_t		failures;	/* failed or lost since the
						   last connect */
	int64_t			t_success;
	int64_t			t_failure;
	int			error;		/* the last failure's errno;
						   0: it lost a race */
};

enum hecat_hist_event {
	HECAT_HIST_CONNECTED,	/* rtt_us: the handshake's round trip */
	HECAT_HIST_FAILED,	/* error: why (ETIMEDOUT for a timeout) */
	HECAT_HIST_LOST		/* it started first, another connected */
};

/* One outcome of an attempt, for a store to remember. */
struct hecat_hist_obs {
	struct sockaddr_storage	addr;		/* port 0 */
	int			event;		/* enum hecat_hist_event */
	uint32_t		rtt_us;
	int			error;
	int64_t			t;		/* time(NULL) */
};

/* Fold an outcome into what is known of its address. */
void	hecat_hist_apply(struct hecat_hist *, const struct hecat_hist_obs *);

/*
 * Where history lives.  net names the network (a hash of the default
 * routes' interfaces, gateways and on-link prefixes): history never
 * crosses networks.  The library calls lookup when answers arrive and
 * record once when a dial ends, both on the event loop.
 */
struct hecat_store {
	uint32_t size;		/* sizeof(struct hecat_store) */
	/*
	 * recs[0..n) come with addr set and the rest zero: fill in what is
	 * known of each on net.
	 */
	void	(*lookup)(void *sarg, uint64_t net, struct hecat_hist *recs,
		    size_t n);
	/* Remember outcomes (hecat_hist_apply() folds one in). */
	void	(*record)(void *sarg, uint64_t net,
		    const struct hecat_hist_obs *obs, size_t n);
	/* hecat_free() calls it, if not NULL. */
	void	(*free)(void *sarg);
};

/* ---- instances ----------------------------------------------------------- */

/* What hecat_new() needs beyond the event base; hecat_config_init() first. */
struct hecat_config {
	uint32_t		 size;		/* set by hecat_config_init() */
	/* A resolver of your own, or NULL for the built-in getdns one. */
	const struct hecat_resolver *resolver;
	void			*resolver_arg;
	/*
	 * The built-in resolver.  nameservers: "ADDR[:PORT] ..." (spaces or
	 * commas; IPv6 with a port in brackets) instead of resolv.conf's.
	 * resolv_conf: path, NULL for /etc/resolv.conf (name servers,
	 * search domains, ndots).  hosts: path, NULL for /etc/hosts, ""
	 * for none; a name found there is answered from it alone, as the
	 * system resolver does.
	 */
	const char		*nameservers;
	const char		*resolv_conf;
	const char		*hosts;
	/*
	 * Options for dials that pass NULL; NULL for the library's.  A dial
	 * that passes options uses those alone: start them from
	 * hecat_opts_init().
	 */
	const struct hecat_opts	*defaults;
	/*
	 * Connection history.  history_file: a file shared with other
	 * processes (written atomically under a lock, at most 512
	 * addresses, rewritten when it is not ours or is corrupt; the lock
	 * is never waited for: outcomes that find it held by another
	 * process wait for the instance's next write or hecat_free(), and
	 * are lost if it is held then too); NULL: kept in memory for the
	 * instance's life.  store: a store of your own instead of either.
	 */
	const char		*history_file;
	const struct hecat_store *store;
	void			*store_arg;
	/*
	 * Secure DNS, for the built-in resolver.  dnssec: 1 requires every
	 * answer used to validate (RFC 4035); others fail the query with
	 * HECAT_DNS_BOGUS, _INSECURE or _INDETERMINATE, and a dial left
	 * without addresses with HECAT_E_DNSSEC.  trust_anchor: a zone file
	 * of DS or DNSKEY records; NULL: /usr/share/dns/root.key if it
	 * exists, else getdns's built-in anchor.  getdns never fetches
	 * anchors from the network for libhecat.
	 */
	int			 dnssec;
	const char		*trust_anchor;
	/*
	 * dns_tls: "ADDR[:PORT][#NAME] ..." (spaces or commas; port 853 by
	 * default) asks these upstreams over TLS only (RFC 7858), instead of
	 * nameservers.  With a NAME the certificate must be valid for it
	 * (RFC 8310 strict profile): an upstream that fails authentication
	 * is not used.  dns_tls_ca: a PEM file of CA certificates to check
	 * them with; NULL: the system's.
	 */
	const char		*dns_tls;
	const char		*dns_tls_ca;
	/*
	 * recursive: 1 resolves from the root down (getdns's full
	 * recursion) instead of asking the name servers.  root_hints: a
	 * named.root-style zone file of the root servers' addresses; NULL:
	 * getdns's built-in list.
	 */
	int			 recursive;
	const char		*root_hints;
};

#define hecat_config_init(c)	hecat_config_init_((c), sizeof(*(c)))
void	hecat_config_init_(struct hecat_config *, size_t);

struct hecat;

/*
 * Create an instance on base (config NULL: the defaults).  Returns NULL
 * with errno: EINVAL for a bad configuration (an unparsable name server,
 * a struct whose size is not set, a resolver or store without its
 * functions), ENOMEM.  getdns is loaded and set up later, when the first
 * query needs it: a failure then fails that dial with HECAT_E_SYSTEM and
 * a message naming what could not be loaded and why.
 */
struct hecat	*hecat_new(struct event_base *base,
		    const struct hecat_config *config);

/*
 * Free the instance: every dial still in flight is cancelled (its callback
 * is not called) and its sockets closed.  Call it before freeing the base.
 */
void		 hecat_free(struct hecat *);

/* ---- dials ------------------------------------------------------------------ */

struct hecat_dial;

/* One address's part in a dial, for error reports. */
struct hecat_failure {
	struct sockaddr_storage	addr;		/* address, port last tried */
	unsigned		attempts;	/* 0: never tried */
	int			error;		/* last errno; 0: none */
	int			stage;		/* enum hecat_stage it last
						   failed in */
};

/*
 * The outcome of a dial, valid during the callback only.  On HECAT_OK, fd
 * is the connected, non-blocking socket and belongs to the callee (close
 * it); otherwise fd is -1 and message says why in one line, naming every
 * address tried and its reason.
 */
struct hecat_result {
	int				 err;		/* enum hecat_err */
	int				 fd;
	const struct sockaddr		*addr;		/* the winner's */
	socklen_t			 addrlen;
	const char			*host;		/* as given */
	const char			*message;	/* NULL on success */
	const struct hecat_failure	*failures;	/* every address known */
	size_t				 nfailures;
	int				 aaaa_status;	/* enum hecat_dns_status;
							   -1: not asked, or no
							   final answer */
	int				 a_status;
	unsigned			 attempts;	/* started */
	uint64_t			 elapsed_ns;
	/*
	 * With a proxy: addr is the proxy's address that won; target the
	 * host's address it was asked to connect to (NULL when it was
	 * asked for a name); bound what it said it connected from (NULL:
	 * it said nothing).
	 */
	const struct sockaddr		*target;
	socklen_t			 targetlen;
	const struct sockaddr		*bound;
	socklen_t			 boundlen;
	/*
	 * With hecat_opts.tls: the TLS session over fd, an OpenSSL SSL *
	 * (client side, handshake done, peer verified as asked).  It
	 * belongs to the callee with fd: SSL_shutdown() and SSL_free() it
	 * before closing fd.  NULL without TLS.
	 */
	void				*tls;
};

typedef void (*hecat_dial_cb)(const struct hecat_result *, void *arg);

/*
 * Dial n addresses (sockaddr_in or sockaddr_in6 with their ports, none
 * of them 0), without DNS; results and traces name the dial by its first
 * address.  They are sorted (RFC 6724) and interleaved; all ports of an
 * address are tried before the next address.  opts NULL: the instance's
 * defaults.  cb is called once, never from inside this call, unless the
 * dial is cancelled.  Returns the dial, or NULL with errno EINVAL (no
 * address, an address that is not IPv4 or IPv6, port 0, no callback,
 * options whose size is not set) or ENOMEM.
 */
struct hecat_dial *hecat_connect_ip(struct hecat *,
		    const struct sockaddr_storage *addrs, size_t n,
		    const struct hecat_opts *opts, hecat_dial_cb cb, void *arg);

/*
 * Dial a host name on nports ports: AAAA and A are resolved in parallel
 * (/etc/hosts first with the built-in resolver).  An internationalized
 * name is converted to its A-label form; a name that is not a valid DNS
 * name fails with HECAT_E_INVAL through the callback.  Returns as
 * hecat_connect_ip().
 */
struct hecat_dial *hecat_connect_host(struct hecat *, const char *host,
		    const uint16_t *ports, size_t nports,
		    const struct hecat_opts *opts, hecat_dial_cb cb, void *arg);

/*
 * Dial a string that is an IPv4 literal, an IPv6 literal (bracketed or
 * not, with an optional %zone), or a host name.  A literal skips DNS.
 */
struct hecat_dial *hecat_connect(struct hecat *, const char *host,
		    const uint16_t *ports, size_t nports,
		    const struct hecat_opts *opts, hecat_dial_cb cb, void *arg);

/*
 * Cancel a dial in flight: its sockets are closed, its queries abandoned,
 * its callback is not called.  Inside the dial's own callback it does
 * nothing; after the callback returned, or from a trace callback, it must
 * not be called.
 */
void		 hecat_dial_cancel(struct hecat_dial *);

/*
 * Dial and wait, on a private event base: for programs without one.
 * config and opts may be NULL.  Returns the connected socket (blocking
 * mode restored), or a negative enum hecat_err with the reason written
 * to errbuf (if errlen > 0).
 */
int		 hecat_dial_sync(const char *host, const uint16_t *ports,
		    size_t nports, const struct hecat_config *config,
		    const struct hecat_opts *opts, char *errbuf,
		    size_t errlen);

/*
 * Parse an IP literal as hecat_connect() takes it: IPv4, or IPv6 bracketed
 * or not, with an optional %zone (interface name or number).  Fills ss
 * with it and port (host order).  Returns the sockaddr's length, or 0
 * with errno EINVAL (not a literal) or ENODEV (no such zone).
 */
socklen_t	 hecat_sockaddr_parse(const char *text, uint16_t port,
		    struct sockaddr_storage *ss);

/*
 * Check what hecat_config.nameservers (tls 0) or .dns_tls (tls 1) would
 * be given, and a NAT64 prefix as hecat_opts.nat64_prefix: 0, or -1 with
 * a short reason in *why (a static string), for a program that checks
 * its input before it dials.
 */
int		 hecat_nameservers_check(const char *spec, int tls,
		    const char **why);
int		 hecat_nat64_prefix_check(const char *prefix, const char **why);

/* ---- qlog ------------------------------------------------------------------- */

/*
 * The race as qlog: the qlog main schema's JSON-SEQ serialization (RFC
 * 7464), with the Happy Eyeballs events of draft-kuehlewind-happy-qlog
 * (event schema urn:ietf:params:qlog:events:hev3-00), built from the
 * trace events alone.  Hand it every trace event (hecat_qlog_trace() is
 * a hecat_trace_cb; call it from your own callback to keep yours): it
 * gives write each record whole, 0x1E, a JSON object and a newline,
 * the file's header first.  Each dial is a session of its own
 * (he_session_id), as is the race to a proxy's addresses; a session
 * ends with its metrics event, after any losers watched
 * (follow_losers_ms).  hecat_qlog_free() ends the sessions still open
 * (their attempts "canceled") and frees it.  Not thread-safe; it never
 * blocks (write is yours).  title, description: the file's, or NULL.
 * Returns NULL with errno (EINVAL: no write; ENOMEM).
 */
typedef void (*hecat_qlog_write_cb)(const char *rec, size_t len, void *arg);
struct hecat_qlog;

struct hecat_qlog *hecat_qlog_new(hecat_qlog_write_cb write, void *arg,
		    const char *title, const char *description);
void		 hecat_qlog_trace(const struct hecat_trace *, void *qlog);
void		 hecat_qlog_free(struct hecat_qlog *);

/*
 * The clock of the trace's t_ns: CLOCK_MONOTONIC in nanoseconds, for
 * programs that put their own events on the same time line.
 */
uint64_t	 hecat_clock_ns(void);

/* ---- strings and versions --------------------------------------------------- */

/*
 * The version this header belongs to, and the library's at run time:
 * (major << 16) | (minor << 8) | patch.
 */
#define HECAT_VERSION_NUMBER	0x000200UL
unsigned long	 hecat_version_number(void);

/* The library's version, e.g. "0.2.0". */
const char	*hecat_version(void);

/* A static, human-readable description of an enum hecat_err value. */
const char	*hecat_strerror(int err);

/* A static name for an enum hecat_dns_status value, e.g. "NXDOMAIN". */
const char	*hecat_dns_status_name(int status);

/* A static name for an enum hecat_dnssec value: "secure", "bogus",
   "insecure", "indeterminate", or "none". */
const char	*hecat_dnssec_name(int dnssec);

/*
 * The one name of a trace kind ("attempt_start"), of an enum hecat_why
 * ("previous_failed"; "" for HECAT_WHY_NONE), of an enum hecat_stage
 * ("banner") and of an enum hecat_attempt_result ("connected"); "?" for
 * a value it does not know.
 */
const char	*hecat_trace_name(int kind);
const char	*hecat_why_name(int why);
const char	*hecat_stage_name(int stage);
const char	*hecat_attempt_result_name(int result);
/* An enum hecat_proxy's name: its stage's ("socks5", "socks4",
   "http_connect"); "none" for HECAT_PROXY_NONE. */
const char	*hecat_proxy_name(int proxy);

#ifdef __cplusplus
}
#endif

#endif /* HECAT_H */
