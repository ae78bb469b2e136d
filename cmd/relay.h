/*
 * relay.h - the data pump after the dial: stdin -> socket and socket ->
 * stdout until both directions are done, with netcat's EOF rules fixed
 * (see ../shared/docs/ref/cli-conventions.md sections 3 and 5):
 *
 *   - stdin EOF: flush what is buffered, then shutdown(SHUT_WR) (unless
 *     no_shutdown), and keep reading the peer, however long its answer
 *     takes to come;
 *   - quit_ms > 0 (-q): once stdin's end is all sent and the peer has
 *     answered since stdin's EOF, quit_ms without data from the peer, and
 *     with all of its answer on stdout, ends it (status 0): a peer that
 *     never closes still ends the session, and an answer is not cut for
 *     being slow to start.  0 (Debian nc's -q 0) and -1 count no
 *     silence: only the peer's EOF ends it;
 *   - peer EOF: flush to stdout, close stdout at once, and end (status 0),
 *     whether or not stdin is still open;
 *   - stdout gone (EPIPE): stop, status 0 (the consumer left);
 *   - socket reset or read/write error, stdin read error: status 74;
 *   - idle_ms without a byte either way: end, status 0 (nc's -w);
 *   - a signal (sigfd readable): end at once, no lingering flush; what
 *     stdin already holds goes to the socket if that needs no waiting
 *     (ssh writes its goodbye, closes its pipes and sends SIGHUP at once),
 *     and likewise when stdout's reader has gone.
 *
 * Where stdin (or stdout) is a pipe, that direction moves data with
 * splice(2), without copying through user space; otherwise with read(2)
 * and write(2) through a buffer.  Partial writes, EINTR and EAGAIN are
 * handled; SIGPIPE must be ignored by the caller.
 *
 * With opts->tls (an OpenSSL SSL * whose client handshake is complete,
 * its BIO on sock) the same rules hold over the TLS session, decided so:
 *   - the socket is read with SSL_read_ex and written with SSL_write_ex;
 *     nothing is spliced (stdin and stdout use the buffered copy); the
 *     relay sets SSL_MODE_ENABLE_PARTIAL_WRITE and
 *     SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER on it; res->sent and
 *     res->received count plaintext;
 *   - stdin EOF: close_notify (SSL_shutdown, once), then SHUT_WR, and
 *     the peer is still read (neither with no_shutdown);
 *   - the peer's close_notify is its EOF; a TCP EOF without close_notify
 *     is a truncation, an error of the socket (74, EPROTO, reason "TLS:
 *     connection closed without close_notify (truncated)"): the end of
 *     what was received cannot be told from an attacker's cut.  Other
 *     TLS failures are 74 too, EPROTO, "TLS: " and OpenSSL's reason; a
 *     reset is ECONNRESET as without TLS;
 *   - when the relay ends with status 0 (peer EOF, timers, a signal,
 *     stdout gone, send_only done) and close_notify was not sent yet,
 *     it is sent then, without waiting, as close() ends a TCP stream in
 *     order; after an error (74) it is not: the peer sees a truncation,
 *     which is what it was.  The caller must not SSL_shutdown again; it
 *     SSL_free()s the SSL and closes sock.
 */
#ifndef HECAT_RELAY_H
#define HECAT_RELAY_H

#include <stdbool.h>
#include <stdint.h>

enum relay_event {
	RELAY_START,		/* detail: how each direction copies */
	RELAY_STDIN_EOF,
	RELAY_SHUTDOWN_WR,	/* the half-close was sent */
	RELAY_SEND_DONE,	/* send-only: stdin done, the relay ends */
	RELAY_PEER_EOF,
	RELAY_STDOUT_CLOSED,	/* after peer EOF, or EPIPE on stdout */
	RELAY_IDLE_TIMEOUT,
	RELAY_QUIT_TIMER,
	RELAY_SIGNAL,		/* detail: the signal's name */
	RELAY_ERROR		/* detail: where and why */
};

struct relay_opts {
	bool	 no_stdin;	/* -d, --recv-only: never read stdin */
	bool	 send_only;	/* --send-only: discard what the peer sends;
				   end after stdin EOF and the half-close */
	bool	 no_shutdown;	/* --no-shutdown: no SHUT_WR at stdin EOF */
	int	 quit_ms;	/* -q: end after this long of the peer's
				   silence once it answered stdin's EOF;
				   0 or -1: never */
	int	 idle_ms;	/* -w/--idle-timeout; -1 never */
	bool	 no_splice;	/* force the buffered copy (tests, bench) */
	int	 sigfd;		/* readable when a signal asks to stop (a
				   signalfd), or -1 */
	void	*tls;		/* an SSL * (OpenSSL, handshake done) to
				   relay over, or NULL: plain TCP */
	/* Called at each event above, if not NULL. */
	void	(*event)(enum relay_event, const char *detail, void *arg);
	void	*arg;
};

struct relay_result {
	int		 status;	/* exit status: 0, or 74 (EX_IOERR) */
	int		 error;		/* errno of the I/O error, or 0 */
	const char	*where;		/* "socket", "stdin", "stdout", or NULL */
	uint64_t	 sent;		/* bytes to the socket */
	uint64_t	 received;	/* bytes from the socket */
	int		 signal;	/* the signal that ended it, or 0 */
	bool		 spliced_up;	/* stdin -> socket used splice */
	bool		 spliced_down;	/* socket -> stdout used splice */
	char		 reason[128];	/* the error in one line for the
					   user: strerror(error), or a TLS
					   failure's reason; "" if none */
};

/*
 * Relay between sock (connected, non-blocking) and in/out (normally 0
 * and 1), over opts->tls if not NULL.  Closes neither sock nor in (nor
 * frees opts->tls); closes out at peer EOF.  Returns res->status.
 */
int	relay(int sock, int in, int out, const struct relay_opts *,
	    struct relay_result *res);

#endif /* HECAT_RELAY_H */
