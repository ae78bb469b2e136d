/*
 * qlog_int.h - what the qlog writer's two files share (qlog.c: records,
 * sessions, the API; qlog_events.c: the hev3 events of each trace kind).
 */
#ifndef HECAT_QLOG_INT_H
#define HECAT_QLOG_INT_H

#include <sys/socket.h>
#include <netinet/in.h>

#include <stdbool.h>
#include <stdint.h>

#include "hecat.h"
#include "ip.h"
#include "qlog_json.h"

#define SCHEMA		"urn:ietf:params:qlog:events:hev3-00"
#define MAXSESSIONS	8	/* a dial and its proxy race, and more */
#define MAXSEEN		64	/* addresses told of, per session */

struct qlog_attempt {
	unsigned	 id;
	bool		 ended;
	bool		 success;
};

struct qlog_session {
	const struct hecat_dial	*dial;
	bool			 proxy_race;
	unsigned		 num;		/* he_session_id */
	uint64_t		 t_start;
	bool			 sorted;	/* candidates_sorted told */
	bool			 timer;		/* the attempt timer is set */
	bool			 over;		/* selected or aborted */
	bool			 done;		/* metrics told */
	uint64_t		 t_over;
	uint64_t		 t_success;	/* the winner's */
	int			 success_family;
	unsigned		 following;	/* outcomes still to come */
	uint64_t		 query_sent[3];	/* AAAA, A, the prefix's */
	unsigned		 query_try[3];
	uint16_t		 port;		/* the first port dialed */
	struct hecat__ip	 seen[MAXSEEN];
	size_t			 nseen;
	struct qlog_attempt	*att;		/* every one started */
	size_t			 natt, attcap;
};

struct hecat_qlog {
	hecat_qlog_write_cb	 write;
	void			*arg;
	char			*title, *description;
	bool			 started;	/* the header is out */
	uint64_t		 t0;		/* time 0: the first event */
	struct qlog_session		 s[MAXSESSIONS];
	unsigned		 nsessions;
	unsigned		 nums;		/* he_session_ids given */
	struct hecat__json	 b;
};

/* ---- qlog.c ---- */
/* Nanoseconds as whole milliseconds (the draft's uint32 _ms fields). */
uint64_t	 hecat__qlog_ms(uint64_t ns);
/* Begin an event of s at t (its time, name, he_session_id); end it. */
struct hecat__json *hecat__qlog_event(struct hecat_qlog *,
		    const struct qlog_session *s, uint64_t t,
		    const char *name);
void		 hecat__qlog_event_end(struct hecat_qlog *);
/* "ipv6" or "ipv4". */
const char	*hecat__qlog_family(int af);
/* Member k: sa's address as text. */
void		 hecat__qlog_kaddr(struct hecat__json *, const char *k,
		    const struct sockaddr *sa);
/* An HEAttemptTarget member k (NULL: an element); port 0: sa's. */
void		 hecat__qlog_target(struct hecat__json *, const char *k,
		    const struct sockaddr *sa, uint16_t port);
/* An errno's name ("ECONNREFUSED") as member k. */
void		 hecat__qlog_kerrno(struct hecat__json *, const char *k,
		    int err);
struct qlog_attempt *hecat__qlog_attempt(struct qlog_session *, unsigned id);
/* Whether sa's address was told of already; if not, it is now. */
bool		 hecat__qlog_seen(struct qlog_session *,
		    const struct sockaddr *sa);

/* ---- qlog_events.c ---- */
/* The hev3 events of trace event t, in session s. */
void		 hecat__qlog_on(struct hecat_qlog *, struct qlog_session *s,
		    const struct hecat_trace *t);
/* An attempt's one outcome; metrics; the selection or the abort. */
void		 hecat__qlog_outcome(struct hecat_qlog *,
		    struct qlog_session *s, const struct hecat_trace *t);
void		 hecat__qlog_metrics(struct hecat_qlog *,
		    struct qlog_session *s, uint64_t when);
void		 hecat__qlog_end(struct hecat_qlog *, struct qlog_session *s,
		    const struct hecat_trace *t);

#endif /* HECAT_QLOG_INT_H */
