/*
 * trace_impl.h - what the files behind trace.h share: the output state,
 * the renderers of each trace kind (the table in trace.c picks them), and
 * the formatting they have in common.
 *
 *	trace.c       the state, the per-kind table, the dial's result, the
 *	              relay's events, the summary
 *	trace_text.c  -v lines and the -vv timeline
 *	trace_json.c  JSON Lines (schema version 1)
 *	trace_fmt.c   addresses, families, errno names, escaping
 */
#ifndef HECAT_TRACE_IMPL_H
#define HECAT_TRACE_IMPL_H

#include <sys/socket.h>

#include <netdb.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hecat.h"
#include "options.h"
#include "trace.h"

#define ADDRLEN		(NI_MAXHOST + 16)

struct waterfall;

/* What the watched losers of one family showed (--follow-losers). */
struct verdict {
	unsigned		 n;		/* losers watched */
	bool			 connected;	/* one of them did, */
	uint64_t		 connect_after;	/* this long after the winner */
	bool			 silent;	/* one heard nothing */
	int			 error;		/* else: the last one's */
	uint64_t		 error_after;
};

struct out {
	/*
	 * Held by every entry point of trace.h: after the race, losers
	 * being watched report from the event loop's thread while the
	 * relay reports from the main one.
	 */
	pthread_mutex_t		 lock;
	int			 verbose;
	FILE			*json;		/* NULL: no --trace */
	bool			 json_close;	/* fclose it at the end */
	FILE			*qlog_file;	/* NULL: no --qlog */
	bool			 qlog_close;
	struct hecat_qlog	*qlog;
	uint64_t		 t0;		/* hecat_clock_ns() at start */

	/* For the summary. */
	double			 resolve_ms;	/* first usable answer; -1 */
	double			 connect_ms;	/* -1 until a winner */
	unsigned		 attempts;
	char			 win_addr[NI_MAXHOST];
	unsigned		 win_port;
	int			 win_family;
	char			 local_addr[NI_MAXHOST];
	unsigned		 local_port;
	struct hecat_failure	*failures;	/* the result's, copied */
	size_t			 nfailures;
	int			 via;		/* enum hecat_proxy */
	const char		*prefix;	/* before a -vv line's text */
	unsigned		 target_port;	/* through a proxy */
	struct waterfall	*wf;		/* --waterfall, -vvv; or NULL */
	bool			 wf_drawn;
	unsigned		 following;	/* losers still watched */
	unsigned		 follow_ms;	/* for this long at most */
	struct verdict		 verdict[2];	/* [0] IPv6, [1] IPv4 */
};

/* One kind's renderers; NULL: nothing in that output. */
struct render {
	void	(*v)(const struct out *, const struct hecat_trace *);
	void	(*vv)(const struct out *, const struct hecat_trace *);
	void	(*json)(const struct out *, FILE *,
		    const struct hecat_trace *);
};

/* ---- trace_text.c ---- */
/* trace_tls.c: -v's line about the TLS session (an SSL *). */
void	out_tls_line(const struct out *, void *tls);

void	text_dial_start(const struct out *, const struct hecat_trace *);
void	text_tlsa(const struct out *, const struct hecat_trace *);
void	text_resolver(const struct out *, const struct hecat_trace *);
void	text_network(const struct out *, const struct hecat_trace *);
void	text_history(const struct out *, const struct hecat_trace *);
void	text_nat64_prefix(const struct out *, const struct hecat_trace *);
void	text_resolve_start(const struct out *, const struct hecat_trace *);
void	text_resolve_done(const struct out *, const struct hecat_trace *);
void	text_resolve_cancel(const struct out *, const struct hecat_trace *);
void	text_desynthesize(const struct out *, const struct hecat_trace *);
void	text_resolution_delay(const struct out *,
	    const struct hecat_trace *);
void	text_candidates(const struct out *, const struct hecat_trace *);
void	text_attempt_start(const struct out *, const struct hecat_trace *);
void	text_stage_start(const struct out *, const struct hecat_trace *);
void	text_stage_step(const struct out *, const struct hecat_trace *);
void	text_stage_done(const struct out *, const struct hecat_trace *);
void	text_attempt_end(const struct out *, const struct hecat_trace *);
void	text_attempt_failed_v(const struct out *, const struct hecat_trace *);
void	text_winner(const struct out *, const struct hecat_trace *);
void	text_dial_failed(const struct out *, const struct hecat_trace *);
void	text_loser(const struct out *, const struct hecat_trace *);
/* The watch is over: a line per family that had losers watched. */
void	text_verdicts(const struct out *, uint64_t t);
/* A -vv line: "hecat: +12.3ms ...". */
void	vv_line(const struct out *, uint64_t t, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* ---- trace_json.c ---- */
void	json_dial_start(const struct out *, FILE *, const struct hecat_trace *);
void	json_network(const struct out *, FILE *, const struct hecat_trace *);
void	json_history(const struct out *, FILE *, const struct hecat_trace *);
void	json_nat64_prefix(const struct out *, FILE *,
	    const struct hecat_trace *);
void	json_resolve_start(const struct out *, FILE *,
	    const struct hecat_trace *);
void	json_resolve_done(const struct out *, FILE *,
	    const struct hecat_trace *);
void	json_resolve_cancel(const struct out *, FILE *,
	    const struct hecat_trace *);
void	json_desynthesize(const struct out *, FILE *,
	    const struct hecat_trace *);
void	json_resolution_delay(const struct out *, FILE *,
	    const struct hecat_trace *);
void	json_candidates(const struct out *, FILE *,
	    const struct hecat_trace *);
void	json_attempt_start(const struct out *, FILE *,
	    const struct hecat_trace *);
void	json_stage(const struct out *, FILE *, const struct hecat_trace *);
void	json_attempt_end(const struct out *, FILE *,
	    const struct hecat_trace *);
void	json_winner(const struct out *, FILE *, const struct hecat_trace *);
void	json_dial_failed(const struct out *, FILE *,
	    const struct hecat_trace *);
void	json_tlsa(const struct out *, FILE *, const struct hecat_trace *);
void	json_resolver(const struct out *, FILE *, const struct hecat_trace *);
void	json_loser(const struct out *, FILE *, const struct hecat_trace *);
/* An object {"v":1,"ev":ev,"t_ms":...; its fields; then json_end(). */
FILE	*json_begin(const struct out *, const char *ev, uint64_t t);
void	json_end(FILE *);
void	json_str(FILE *, const char *);
void	json_key_str(FILE *, const char *key, const char *val);
/* The "start" object: the run's command line and parameters. */
void	json_start(const struct out *, const struct options *, int argc,
	    char *argv[]);
/* The "summary" object. */
void	json_summary(const struct out *, uint64_t t, int status,
	    const char *outcome, unsigned long long sent,
	    unsigned long long received);

/* ---- trace_fmt.c ---- */
double		 since_ms(const struct out *, uint64_t t);
/* "2001:db8::1" and its port, numerically; false (and "?") if not IP. */
bool		 sa_text(const struct sockaddr *, socklen_t, char *host,
		    size_t hlen, unsigned *port);
socklen_t	 sa_len(const struct sockaddr *);
/* "[2001:db8::1]:443" or "192.0.2.1:443"; "-" for NULL. */
const char	*endpoint(const struct sockaddr *, char *buf, size_t len);
/* "2001:db8::1,192.0.2.1". */
const char	*addr_list(const struct sockaddr_storage *, size_t n,
		    char *buf, size_t len);
/* "443,8443". */
const char	*port_list(const uint16_t *, size_t n, char *buf, size_t len);
/* How an attempt ended, in a word: "connected", "refused",
   "unreachable", "timeout", "reset", "error", "cancelled". */
const char	*attempt_word(const struct hecat_trace *);
/* "inet6", "inet", "any". */
const char	*famname(int family);
/* The families dialed, first first: inet6,inet or "inet6","inet". */
const char	*families(int family, int prefer, const char *q,
		    const char *sep, char *buf, size_t len);
/* "ECONNREFUSED"; "E?" for one glibc does not name. */
const char	*errname(int err);
/* s with control bytes and invalid UTF-8 as \xNN (one line, no ESC). */
void		 put_escaped(FILE *, const char *s);

#endif /* HECAT_TRACE_IMPL_H */
