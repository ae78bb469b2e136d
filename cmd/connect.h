/*
 * connect.h - hecat's dial (libhecat on a private event base), the exit
 * status of its outcome, and descriptor passing for -F.
 */
#ifndef HECAT_CONNECT_H
#define HECAT_CONNECT_H

#include <stdbool.h>

#include "options.h"
#include "trace.h"

struct connect_result {
	int		 status;	/* exit status if no socket came back */
	const char	*outcome;	/* for the summary */
	int		 signal;	/* a signal ended the dial, or 0 */
	void		*tls;		/* --tls: the session (SSL *) over the
					   socket returned; the caller frees
					   it */
	struct follow	*follow;	/* losers watched, or NULL */
};

/*
 * Dial as opts say, reporting through out; sigfd (a signalfd, or -1)
 * interrupts.  Returns the connected socket, or -1 with cr->status the
 * exit status (1, 64, 68, 71, 75, 77) and, for a total failure, the
 * reason already printed.
 */
int	connect_run(const struct options *opts, struct out *out, int sigfd,
	    struct connect_result *cr);

/*
 * With losers of the race watched (--follow-losers), wait for the watch
 * to end -- after the relay, or -F's or -z's work: stdout is let go
 * first -- then free the dial's instance and base.  Returns 0, or the
 * signal (from sigfd) that cut the wait short.
 */
int	connect_follow_end(struct connect_result *cr, int sigfd);

/* Whether fd is a unix-domain socket (what -F needs on stdout). */
bool	is_unix_socket(int fd);

/* Send fd over channel with SCM_RIGHTS (one byte of data); 0 or -1. */
int	fd_pass(int channel, int fd);

#endif /* HECAT_CONNECT_H */
