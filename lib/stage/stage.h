/*
 * stage.h - the connector seam: what one step of an attempt is.
 *
 * An attempt is a TCP connect followed by zero or more stages, each run
 * on the attempt's socket once the one before it passed:
 *
 *	tcp (connect) -> [proxy] -> [tls] -> [banner] -> the engine hears
 *	"connected"
 *
 * A stage is a small vtable driven by the adapter (lib/io/attempt.c),
 * in the style of a non-blocking TLS library: start() and ready() do as
 * much as they can without blocking and say what they wait for next
 * (the socket readable or writable), or that they passed or failed.  A
 * stage never touches the event loop, the clock or the engine; the
 * adapter owns the socket's event and the stage's timeout.  It never
 * reads a byte that belongs to the application (byte-exact reads or
 * MSG_PEEK), so the relay and -F see everything the server sent.
 *
 * A new stage is a file in lib/stage/ with its ops, a value of enum
 * hecat_stage in hecat.h, and a line in attempt.c's plan.
 */
#ifndef HECAT_STAGE_H
#define HECAT_STAGE_H

#include <sys/socket.h>

#include <stdarg.h>
#include <stdint.h>

#include "hecat.h"

#define HECAT__STAGE_DETAILLEN	96
#define HECAT__STAGE_STEPLEN	256

enum hecat__stage_rc {
	HECAT__STAGE_DONE,		/* passed */
	HECAT__STAGE_WANT_READ,		/* call ready() when fd is readable */
	HECAT__STAGE_WANT_WRITE,	/* call ready() when fd is writable */
	HECAT__STAGE_FAILED		/* failed: error, and detail if any */
};

/* One stage of one attempt: what it works on, and what it found. */
struct hecat__stage {
	const struct hecat__stage_ops *ops;
	int			 fd;		/* the attempt's socket; the
						   connect stage opens it */
	const struct sockaddr	*addr;		/* where the attempt goes */
	socklen_t		 addrlen;
	const struct sockaddr	*source;	/* bind to it first, or NULL */
	socklen_t		 sourcelen;
	uint16_t		 source_port;	/* bind to this port, or 0 */
	int			 error;		/* FAILED: an errno */
	char			 detail[HECAT__STAGE_DETAILLEN];
						/* FAILED: the reason in
						   words, or "" (then the
						   errno says it) */
	void			*priv;		/* the stage's own, if any */

	/* Proxy stages: what they ask for, and what the proxy said. */
	const struct hecat__proxy_req *req;
	char			 step[HECAT__STAGE_STEPLEN];
						/* the last protocol step, in
						   words (for the trace) */
	unsigned		 nsteps;	/* steps so far */
	void			(*on_step)(struct hecat__stage *, void *);
	void			*step_arg;	/* told of each step, if set */
	int			 code;		/* the proxy's reply code (SOCKS
						   REP or CD, HTTP status); -1:
						   none yet */
	struct sockaddr_storage	 bound;		/* the address the proxy says
						   it connected from */
	socklen_t		 boundlen;	/* 0: it said none */

	/* TLS: the dial's setup, and the attempt's session (an SSL *). */
	struct hecat__tls	*tlsconf;
	void			*tls;		/* the slot owns it, from the
						   TLS stage's start on */
};

/* What a proxy stage asks its proxy to connect to. */
struct hecat__proxy_req {
	int			 type;		/* enum hecat_proxy */
	const char		*name;		/* the target's name, or NULL:
						   addr */
	struct sockaddr_storage	 addr;
	uint16_t		 port;
	const char		*user;		/* NULL: no credentials */
	const char		*password;
};

struct hecat__stage_ops {
	int	kind;			/* enum hecat_stage */
	/* Begin: st->fd is connected (the connect stage: -1). */
	enum hecat__stage_rc (*start)(struct hecat__stage *st);
	/* st->fd became readable or writable, as asked. */
	enum hecat__stage_rc (*ready)(struct hecat__stage *st);
	/*
	 * Release what the stage holds (not st->fd): called once when it
	 * passed, failed, timed out or was cancelled.  NULL: nothing to
	 * release.
	 */
	void	(*cleanup)(struct hecat__stage *st);
};

/* Set st's failure; returns HECAT__STAGE_FAILED. */
enum hecat__stage_rc hecat__stage_fail(struct hecat__stage *st, int error,
	    const char *detail);

/* Note a step of the stage's protocol, for the trace (printf-like). */
void	hecat__stage_step(struct hecat__stage *st, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * The stage's message out[0..len) sent from *off on, without blocking:
 * DONE once all of it is out (then *off = len), WANT_WRITE while the
 * socket takes no more, FAILED on an error.
 */
enum hecat__stage_rc hecat__stage_send(struct hecat__stage *st,
	    const void *out, size_t len, size_t *off);

/*
 * Exactly want bytes of the reply into in, *have of them there already,
 * without reading a byte more: DONE once *have == want, WANT_READ while
 * they are coming, FAILED on an error or when the proxy closes first.
 */
enum hecat__stage_rc hecat__stage_recv(struct hecat__stage *st, void *in,
	    size_t want, size_t *have);

/* The stages. */
extern const struct hecat__stage_ops hecat__stage_tcp;
extern const struct hecat__stage_ops hecat__stage_banner;
extern const struct hecat__stage_ops hecat__stage_socks5;
extern const struct hecat__stage_ops hecat__stage_socks4;
extern const struct hecat__stage_ops hecat__stage_http_connect;
extern const struct hecat__stage_ops hecat__stage_tls;

/*
 * Tests only: a stage that takes the TCP connect's place (NULL: the
 * real one), so that hanging and slow attempts can be had on loopback
 * without root.
 */
extern const struct hecat__stage_ops *hecat__stage_connect_override;

#endif /* HECAT_STAGE_H */
