/*
 * relay_int.h - what the relay's files share; nothing outside the relay
 * includes it (relay.h is the interface).
 *
 *	relay.c		the poll(2) loop: setup, what each descriptor waits
 *			for, the readiness latches, one round of transfers
 *	relay_state.c	the session's state: events, EOFs, the half-close,
 *			closing stdout, the timers, a signal, ending
 *	relay_copy.c	the buffered path: read(2) and write(2) through a
 *			buffer, and the descriptors' O_NONBLOCK flags
 *	relay_splice.c	the zero-copy path: splice(2) between a pipe and
 *			the socket
 *	relay_tls.c	the socket's I/O over TLS (opts->tls): SSL_read,
 *			SSL_write, close_notify; the only file with OpenSSL
 */
#ifndef HECAT_RELAY_INT_H
#define HECAT_RELAY_INT_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relay.h"

#define RELAY_BUFSZ	(64 * 1024)	/* per copying flow */
#define SPLICE_MAX	(1024 * 1024)	/* asked of one splice(2) call */
#define RELAY_PIPE_SZ	(1024 * 1024)	/* a pipe the relay reads or fills */
#define TLS_REFILL	(16 * 1024)	/* a flow into TLS reads below this */
#define TLS_WBUF	(256 * 1024)	/* records gathered for one write(2) */
#define TLS_RBUF	(256 * 1024)	/* records read ahead by one read(2) */
#define MAX_OPS		16		/* transfers per flow per round */
#define FLUSH_MAX	(1024 * 1024)	/* stdin handed on when ending early */
#define NS_PER_MS	1000000LL

enum mode {
	M_OFF,			/* not relayed (no_stdin) */
	M_COPY,
	M_SPLICE,
	M_DISCARD		/* read and drop (send_only) */
};

/* One end of a flow. */
struct end {
	int		 fd;
	const char	*name;		/* "stdin", "socket", "stdout" */
	bool		 ready;		/* poll said so; EAGAIN clears it */
	bool		 blocking;	/* one operation per readiness */
	bool		 tls;		/* the socket, through opts->tls */
	short		 ev;		/* what poll waits for to set ready:
					   POLLIN for a source, POLLOUT for
					   a sink; TLS may want the other */
};

struct flow {
	enum mode	 mode;
	struct end	 src, dst;
	char		*buf;		/* [RELAY_BUFSZ], copy and discard */
	size_t		 off, len;	/* what is left to write: [off, len) */
	bool		 eof;		/* the source has ended */
	int		 src_err;	/* ... with this error, once what
					   it gave before is written */
	bool		 done;		/* ... and everything was written */
	uint64_t	*count;		/* res->sent or res->received */
	bool		 count_src;	/* count what is read, not written */
	bool		 notify;	/* up, TLS: close_notify waits for the
					   socket to take it */
	bool		 flush;		/* up, TLS: records in the write
					   buffer wait for the socket */
};

struct relay {
	const struct relay_opts	*o;
	struct relay_result	*res;
	int			 sock, in, out;
	int			 sigfd;		/* -1 once unusable */
	struct flow		 up, down;
	int			 in_flags;	/* to restore, or -1 */
	int			 out_flags;
	int			 sock_flags;
	int			 in_pipe_sz;	/* to restore, or -1 */
	int			 out_pipe_sz;
	bool			 out_open;
	bool			 sock_hup;	/* POLLHUP seen on sock */
	bool			 ended;
	int64_t			 t_active;	/* last byte moved */
	int64_t			 t_down;	/* ... by the down flow */
	int64_t			 t_sent;	/* all of stdin sent, or -1 */
	bool			 replied;	/* the peer sent data after
						   stdin's EOF */
	void			*tls;		/* SSL *, or NULL */
	void			*tls_wbuf;	/* BIO *, its write buffer */
	bool			 tls_notified;	/* close_notify sent */
	bool			 tls_dead;	/* a fatal TLS error: no
						   SSL_shutdown any more */
	char			 tls_why[96];	/* the last TLS failure */
};

/* relay_state.c */
int64_t	rl_now_ns(void);
void	rl_emit(struct relay *, enum relay_event, const char *);
void	rl_finish(struct relay *, int);
void	rl_fail(struct relay *, const char *, int);
void	rl_stdout_gone(struct relay *, const char *);
bool	rl_flow_active(const struct flow *);
void	rl_active(struct relay *, struct flow *);
void	rl_moved(struct relay *, struct flow *, size_t);
void	rl_on_eof(struct relay *, struct flow *);
void	rl_flush_up_nowait(struct relay *);
void	rl_check_up_done(struct relay *);
void	rl_check_down_done(struct relay *);
void	rl_on_signal(struct relay *);
int	rl_timer_timeout(const struct relay *, int64_t);
void	rl_check_timers(struct relay *);

/* relay_copy.c */
int	rl_make_nonblock(int, bool *);
void	rl_restore_flags(int, int *);
int	rl_copy_setup(struct relay *, struct flow *);
bool	rl_flow_room(const struct flow *);
void	rl_flow_copy(struct relay *, struct flow *);
void	rl_copy_flush_up(struct relay *, size_t);
void	rl_copy_flush_down(struct relay *);

/* relay_tls.c */
int	rl_tls_setup(struct relay *);
ssize_t	rl_tls_read(struct relay *, struct end *, void *, size_t);
ssize_t	rl_tls_write(struct relay *, struct end *, const void *, size_t);
int	rl_tls_notify(struct relay *);
int	rl_tls_push(struct relay *);
int	rl_tls_flush(struct relay *);
bool	rl_tls_pending(const struct relay *);
void	rl_tls_end(struct relay *);

/* relay_splice.c */
bool	rl_is_fifo(int);
int	rl_grow_pipe(int);
void	rl_restore_pipe(int, int *);
void	rl_flow_splice(struct relay *, struct flow *);
void	rl_splice_flush_up(struct relay *, size_t);

#endif /* HECAT_RELAY_INT_H */
