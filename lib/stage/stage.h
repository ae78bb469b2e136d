/*
 * stage.h - the connector seam: what one step of an attempt is.
 *
 * An attempt is a TCP connect followed by zero or more stages, each run
 * on the attempt's socket once the one before it passed:
 *
 *	tcp (connect) -> [banner] -> ... -> the engine hears "connected"
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

#include <stdint.h>

#include "hecat.h"

#define HECAT__STAGE_DETAILLEN	96

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

/* The stages. */
extern const struct hecat__stage_ops hecat__stage_tcp;
extern const struct hecat__stage_ops hecat__stage_banner;

/*
 * Tests only: a stage that takes the TCP connect's place (NULL: the
 * real one), so that hanging and slow attempts can be had on loopback
 * without root.
 */
extern const struct hecat__stage_ops *hecat__stage_connect_override;

#endif /* HECAT_STAGE_H */
