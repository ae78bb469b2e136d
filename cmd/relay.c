/*
 * relay.c - the data pump after the dial (see relay.h).
 *
 * Two flows share one poll(2) loop, in the spirit of OpenBSD nc's
 * readwrite(): "up" moves stdin to the socket, "down" the socket to
 * stdout.  Each flow has a source end and a sink end, and each end
 * latches what poll last said about it (ready); the latch is cleared by
 * EAGAIN, or after every operation on a descriptor left blocking (a tty,
 * a regular file), so an end is polled only while it is not known to be
 * ready and the loop never spins on a level-triggered event.
 *
 * A flow moves its data one of three ways:
 *
 *   splice   the other end is a pipe: splice(2) straight between the
 *            pipe and the socket, nothing passes through user space.
 *            The pipe side is made non-blocking by SPLICE_F_NONBLOCK,
 *            so its flags are left alone.  EAGAIN cannot say which side
 *            was not ready: both latches are cleared and both polled
 *            again (the ready one answers at once and is not polled
 *            again until the next EAGAIN).  stdin's pipe is grown to
 *            1 MiB while the relay runs: a writer fills a pipe a page
 *            per slot, so at 64 KiB it is the only buffer between the
 *            writer and the socket, and upload throughput suffered
 *            from it (see bench/README.md).
 *   copy     read(2) into a 64 KiB buffer, write(2) from it.  A pipe or
 *            socket is made O_NONBLOCK for the relay (its flags are put
 *            back before returning, or before stdout is closed); a tty
 *            or a regular file keeps its flags and is read or written
 *            once per poll readiness.
 *   discard  (the down flow with send_only) read and drop.  What is
 *            dropped still counts in res->received: it did come from
 *            the socket.
 *
 * Memory is bounded: a flow reads its source only while its buffer has
 * room, so a peer or a consumer that stops reading stops the relay from
 * reading the other side (backpressure), whatever the peer does.
 *
 * Choices relay.h leaves open:
 *   - send_only: a peer EOF closes stdout (nothing was written there)
 *     but the relay goes on sending stdin, since the peer may still be
 *     reading; it ends at stdin EOF and the half-close.  With no_stdin
 *     too there is nothing to do: it ends at once (RELAY_SEND_DONE).
 *   - A signal ends it with status 0 and res->signal set; the caller
 *     re-raises the signal to die by it (exit status 128+n).
 *   - At the quit timer or the idle timeout, what the down flow holds is
 *     written if stdout takes it without waiting; a signal writes
 *     nothing more.
 *   - When stdin and stdout are one descriptor (a socket, inetd style),
 *     "closing stdout" at peer EOF is shutdown(SHUT_WR) on it, not
 *     close(): stdin is not the relay's to close.
 *   - The detail given to opts->event is never NULL ("" if nothing).
 */
#include "config.h"

#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "relay.h"

#define RELAY_BUFSZ	(64 * 1024)	/* per copying flow */
#define SPLICE_MAX	(1024 * 1024)	/* asked of one splice(2) call */
#define SPLICE_PIPE_SZ	(1024 * 1024)	/* stdin's pipe, when spliced */
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
};

/* The pollfd slots, named as in nc. */
enum {
	POLL_STDIN,
	POLL_NETOUT,
	POLL_NETIN,
	POLL_STDOUT,
	POLL_SIG,
	POLL_MAX
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
	bool			 out_open;
	bool			 sock_hup;	/* POLLHUP seen on sock */
	bool			 ended;
	int64_t			 t_active;	/* last byte moved */
	int64_t			 t_quit;	/* quit deadline, or -1 */
};

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
emit(struct relay *r, enum relay_event ev, const char *detail)
{
	if (r->o->event != NULL)
		r->o->event(ev, detail, r->o->arg);
}

/* End the relay with status (0 or 74). */
static void
finish(struct relay *r, int status)
{
	r->ended = true;
	r->res->status = status;
}

/* End the relay with status 74 for an error on where. */
static void
fail(struct relay *r, const char *where, int error)
{
	char detail[128];

	r->res->error = error;
	r->res->where = where;
	snprintf(detail, sizeof(detail), "%s: %s",
	    where != NULL ? where : "relay", strerror(error));
	emit(r, RELAY_ERROR, detail);
	finish(r, 74);
}

static void	flush_up_nowait(struct relay *);
static bool	flow_active(const struct flow *);
static void	moved(struct relay *, struct flow *, size_t);

/* The consumer of stdout has gone (how: "EPIPE", "POLLERR", ...). */
static void
stdout_gone(struct relay *r, const char *how)
{
	emit(r, RELAY_STDOUT_CLOSED, how);
	flush_up_nowait(r);
	finish(r, 0);
}

/*
 * Make fd non-blocking if it is a pipe or a socket and not already so.
 * Returns its original flags when they were changed (to restore), or -1.
 * Sets *blocking when fd is left blocking (a tty, a regular file).
 */
static int
make_nonblock(int fd, bool *blocking)
{
	struct stat st;
	int fl;

	*blocking = false;
	if ((fl = fcntl(fd, F_GETFL)) == -1)
		return -1;
	if (fl & O_NONBLOCK)
		return -1;
	if (fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) ||
	    S_ISSOCK(st.st_mode)) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0)
		return fl;
	*blocking = true;
	return -1;
}

static void
restore_flags(int fd, int *flags)
{
	if (*flags != -1)
		(void)fcntl(fd, F_SETFL, *flags);
	*flags = -1;
}

/*
 * Grow the pipe fd to SPLICE_PIPE_SZ if it is smaller and the limits
 * allow.  Returns its former size (to restore), or -1 if unchanged.
 */
static int
grow_pipe(int fd)
{
	int sz = fcntl(fd, F_GETPIPE_SZ);

	if (sz == -1 || sz >= SPLICE_PIPE_SZ ||
	    fcntl(fd, F_SETPIPE_SZ, SPLICE_PIPE_SZ) == -1)
		return -1;
	return sz;
}

static bool
is_fifo(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

/*
 * Set flow f up for the buffered copy: its buffer, and non-blocking ends
 * where that may be done.  Returns 0, or -1 with errno (no memory).
 */
static int
copy_setup(struct relay *r, struct flow *f)
{
	bool blocking;
	int fl;

	if (f->buf == NULL && (f->buf = malloc(RELAY_BUFSZ)) == NULL)
		return -1;
	if (f->src.fd == r->in && r->in_flags == -1) {
		fl = make_nonblock(r->in, &blocking);
		r->in_flags = fl;
		f->src.blocking = blocking;
	}
	if (f->mode != M_DISCARD && f->dst.fd == r->out &&
	    r->out_flags == -1) {
		fl = make_nonblock(r->out, &blocking);
		r->out_flags = fl;
		f->dst.blocking = blocking;
	}
	return 0;
}

/* Close stdout (after the peer's EOF), its flags put back first. */
static void
close_out(struct relay *r)
{
	struct stat st;

	if (!r->out_open)
		return;
	restore_flags(r->out, &r->out_flags);
	/* A socket as stdout sees EOF even where fd 1 was duplicated. */
	if (fstat(r->out, &st) == 0 && S_ISSOCK(st.st_mode))
		(void)shutdown(r->out, SHUT_WR);
	if (r->out != r->in)
		(void)close(r->out);
	r->out_open = false;
	r->down.dst.fd = -1;
}

/*
 * Write what the down flow still holds to stdout, without waiting: at
 * the quit timer or the idle timeout, what was read from the socket is
 * not thrown away if stdout can take it at once.
 */
static void
flush_down_nowait(struct relay *r)
{
	struct flow *f = &r->down;
	struct pollfd p;
	ssize_t n;

	while (f->mode == M_COPY && r->out_open && f->off < f->len) {
		p.fd = r->out;
		p.events = POLLOUT;
		p.revents = 0;
		if (poll(&p, 1, 0) != 1 || (p.revents & POLLOUT) == 0 ||
		    (p.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0)
			return;
		n = write(r->out, f->buf + f->off, f->len - f->off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		f->off += (size_t)n;
	}
}

/*
 * The relay ends early (a signal, stdout gone): hand the socket what stdin
 * already holds, without waiting for anything, at most FLUSH_MAX bytes.
 * ssh writes its last message, closes its pipes and sends SIGHUP in the
 * same instant; that message must still reach the server.  Ttys and files
 * are not read here: only what can come without blocking.
 */
static void
flush_up_nowait(struct relay *r)
{
	struct flow *f = &r->up;
	size_t budget = FLUSH_MAX;
	ssize_t n;

	if (!flow_active(f) || r->sock_hup)
		return;
	if (f->mode == M_SPLICE) {
		while (budget > 0 && !f->eof) {
			n = splice(f->src.fd, NULL, r->sock, NULL, budget,
			    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n == -1 && errno == EINTR)
				continue;
			if (n <= 0)
				return;
			moved(r, f, (size_t)n);
			budget -= (size_t)n;
		}
		return;
	}
	while (f->mode == M_COPY) {
		while (f->off < f->len) {
			n = send(r->sock, f->buf + f->off, f->len - f->off,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n == -1 && errno == EINTR)
				continue;
			if (n <= 0)
				return;
			f->off += (size_t)n;
			moved(r, f, (size_t)n);
		}
		if (f->eof || f->src.blocking || budget == 0)
			return;
		do
			n = read(f->src.fd, f->buf, budget < RELAY_BUFSZ ?
			    budget : RELAY_BUFSZ);
		while (n == -1 && errno == EINTR);
		if (n <= 0)
			return;
		f->off = 0;
		f->len = (size_t)n;
		budget -= (size_t)n;
	}
}

/* The source of f has ended (read or splice returned 0). */
static void
on_eof(struct relay *r, struct flow *f)
{
	f->eof = true;
	f->src.ready = false;
	if (f == &r->up) {
		emit(r, RELAY_STDIN_EOF, "");
		if (r->o->quit_ms > 0)
			r->t_quit = now_ns() + r->o->quit_ms * NS_PER_MS;
	} else
		emit(r, RELAY_PEER_EOF, "");
}

/* Account n bytes moved by f. */
static void
moved(struct relay *r, struct flow *f, size_t n)
{
	*f->count += n;
	r->t_active = now_ns();
}

/*
 * A write error on the sink of f: the consumer gone (EPIPE or ECONNRESET
 * on stdout, status 0) or an I/O error (74).
 */
static void
write_error(struct relay *r, struct flow *f, int error)
{
	if (f == &r->down && (error == EPIPE || error == ECONNRESET))
		stdout_gone(r, "EPIPE");
	else
		fail(r, f->dst.name, error);
}

/*
 * One read into the buffer of f.  Returns true if it did something
 * (moved bytes, or saw EOF, EAGAIN or an error).
 */
static bool
copy_read(struct relay *r, struct flow *f)
{
	ssize_t n;

	if (f->eof || !f->src.ready)
		return false;
	if (f->off == f->len)
		f->off = f->len = 0;
	else if (f->len == RELAY_BUFSZ && f->off > 0) {
		memmove(f->buf, f->buf + f->off, f->len - f->off);
		f->len -= f->off;
		f->off = 0;
	}
	if (f->len == RELAY_BUFSZ)
		return false;
	do
		n = read(f->src.fd, f->buf + f->len, RELAY_BUFSZ - f->len);
	while (n == -1 && errno == EINTR);
	if (n > 0) {
		if (f->mode == M_DISCARD)
			f->off = f->len = 0;
		else
			f->len += (size_t)n;
		if (f->src.blocking)
			f->src.ready = false;
		if (f->count_src)
			moved(r, f, (size_t)n);
		else
			r->t_active = now_ns();
	} else if (n == 0)
		on_eof(r, f);
	else if (errno == EAGAIN || errno == EWOULDBLOCK)
		f->src.ready = false;
	else if (f->off < f->len) {
		/* What came before the error (a reset) goes out first. */
		f->src_err = errno;
		f->eof = true;
		f->src.ready = false;
	} else
		fail(r, f->src.name, errno);
	return true;
}

/*
 * One write from the buffer of f.  Returns true if it did something.
 */
static bool
copy_write(struct relay *r, struct flow *f)
{
	size_t want = f->len - f->off;
	ssize_t n;

	if (f->mode != M_COPY || !f->dst.ready || want == 0 || f->dst.fd == -1)
		return false;
	do
		n = write(f->dst.fd, f->buf + f->off, want);
	while (n == -1 && errno == EINTR);
	if (n > 0) {
		f->off += (size_t)n;
		if ((size_t)n < want || f->dst.blocking)
			f->dst.ready = false;
		if (f->count_src)
			r->t_active = now_ns();
		else
			moved(r, f, (size_t)n);
	} else if (n == 0 || errno == EAGAIN || errno == EWOULDBLOCK)
		f->dst.ready = false;
	else
		write_error(r, f, errno);
	return true;
}

/* The copying flow f: up to MAX_OPS reads and writes. */
static void
flow_copy(struct relay *r, struct flow *f)
{
	int i;
	bool did;

	for (i = 0; i < MAX_OPS && !r->ended; i++) {
		did = copy_read(r, f);
		/* The read counted the source; a write counts the sink. */
		if (!r->ended)
			did |= copy_write(r, f);
		if (!did)
			break;
	}
}

/*
 * The splicing flow f: up to MAX_OPS splice(2) calls while both ends are
 * ready.  A splice(2) that cannot work here (EINVAL) turns f into a
 * copying flow.
 */
static void
flow_splice(struct relay *r, struct flow *f)
{
	ssize_t n;
	int i;

	for (i = 0; i < MAX_OPS && !r->ended; i++) {
		if (f->eof || !f->src.ready || !f->dst.ready)
			return;
		n = splice(f->src.fd, NULL, f->dst.fd, NULL, SPLICE_MAX,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n > 0)
			moved(r, f, (size_t)n);
		else if (n == 0)
			on_eof(r, f);
		else if (errno == EINTR)
			continue;
		else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			f->src.ready = f->dst.ready = false;
			return;
		} else if (errno == EINVAL || errno == ENOSYS) {
			if (f == &r->up)
				r->res->spliced_up = false;
			else
				r->res->spliced_down = false;
			f->mode = M_COPY;
			if (copy_setup(r, f) == -1)
				fail(r, NULL, errno);
			return;
		} else if (f == &r->down && errno == EPIPE)
			stdout_gone(r, "EPIPE");
		else
			fail(r, "socket", errno);
	}
}

static bool
flow_active(const struct flow *f)
{
	return f->mode != M_OFF && !f->done;
}

/* Whether f has an operation it can do without waiting. */
static bool
flow_can_move(const struct flow *f)
{
	if (!flow_active(f))
		return false;
	if (f->mode == M_SPLICE)
		return !f->eof && f->src.ready && f->dst.ready;
	if (f->mode == M_COPY && f->dst.ready && f->off < f->len)
		return true;
	return !f->eof && f->src.ready && (f->len < RELAY_BUFSZ ||
	    f->off > 0);
}

/* The events f waits for on its source and its sink. */
static short
flow_src_events(const struct flow *f)
{
	if (!flow_active(f) || f->eof || f->src.ready)
		return 0;
	if (f->mode != M_SPLICE && f->len == RELAY_BUFSZ && f->off == 0)
		return 0;		/* full: backpressure */
	return POLLIN;
}

static short
flow_dst_events(const struct flow *f)
{
	if (!flow_active(f) || f->dst.ready || f->dst.fd == -1)
		return 0;
	if (f->mode == M_SPLICE)
		return f->eof ? 0 : POLLOUT;
	if (f->mode == M_COPY && f->off < f->len)
		return POLLOUT;
	return 0;
}

/*
 * Why the socket failed: its pending error if it has one, else err.  A
 * connected socket that says ENOTCONN was torn down by the peer: reset.
 */
static int
sock_error(struct relay *r, int err)
{
	socklen_t len = sizeof(int);
	int soerr = 0;

	if (getsockopt(r->sock, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 &&
	    soerr != 0)
		return soerr;
	return err == ENOTCONN ? ECONNRESET : err;
}

/* After the transfers: stdin's EOF, once all of it is on the socket. */
static void
check_up_done(struct relay *r)
{
	struct flow *f = &r->up;
	char detail[64];

	if (r->ended || !flow_active(f) || !f->eof || f->off < f->len)
		return;
	if (f->src_err != 0) {
		fail(r, f->src.name, f->src_err);
		return;
	}
	f->done = true;
	if (!r->o->no_shutdown) {
		/*
		 * A socket the peer reset says ENOTCONN: if its data is
		 * still being read, the reads end with the reset.
		 */
		if (shutdown(r->sock, SHUT_WR) == 0)
			emit(r, RELAY_SHUTDOWN_WR, "");
		else if (errno != ENOTCONN || !flow_active(&r->down) ||
		    r->down.done) {
			fail(r, "socket", sock_error(r, errno));
			return;
		}
	}
	if (r->o->send_only) {
		emit(r, RELAY_SEND_DONE, "");
		finish(r, 0);
	} else if (r->o->quit_ms == 0) {
		snprintf(detail, sizeof(detail), "0 ms after stdin eof");
		emit(r, RELAY_QUIT_TIMER, detail);
		flush_down_nowait(r);
		finish(r, 0);
	}
}

/* After the transfers: the peer's EOF, once all of it is on stdout. */
static void
check_down_done(struct relay *r)
{
	struct flow *f = &r->down;

	if (r->ended || !flow_active(f) || !f->eof ||
	    (f->mode == M_COPY && f->off < f->len))
		return;
	if (f->src_err != 0) {
		fail(r, f->src.name, f->src_err);
		return;
	}
	f->done = true;
	if (r->out_open) {
		close_out(r);
		emit(r, RELAY_STDOUT_CLOSED, "peer eof");
	}
	/* With send_only what stdin holds still goes to the peer. */
	if (!r->o->send_only)
		finish(r, 0);
}

/* sigfd is readable: end at once if it holds a signal. */
static void
on_signal(struct relay *r)
{
	struct signalfd_siginfo si;
	char name[32];
	const char *abbrev = NULL;
	ssize_t n;

	n = read(r->sigfd, &si, sizeof(si));
	if (n == -1 && (errno == EINTR || errno == EAGAIN ||
	    errno == EWOULDBLOCK))
		return;
	if (n != (ssize_t)sizeof(si)) {
		r->sigfd = -1;		/* not a signalfd after all */
		return;
	}
	r->res->signal = (int)si.ssi_signo;
#if defined(__GLIBC__) && defined(__GLIBC_MINOR__)
#if __GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32)
	abbrev = sigabbrev_np((int)si.ssi_signo);
#endif
#endif
	if (abbrev != NULL)
		snprintf(name, sizeof(name), "SIG%s", abbrev);
	else
		snprintf(name, sizeof(name), "%s",
		    strsignal((int)si.ssi_signo));
	emit(r, RELAY_SIGNAL, name);
	flush_up_nowait(r);
	finish(r, 0);
}

/*
 * Latch what poll said about one end.  POLLHUP and POLLERR make a source
 * readable (the read returns what is left, then 0 or the error).
 */
static void
latch_src(struct end *e, short revents)
{
	if (revents & (POLLIN | POLLHUP | POLLERR))
		e->ready = true;
}

static void
latch_dst(struct end *e, short revents)
{
	if (revents & POLLOUT)
		e->ready = true;
}

/*
 * POLLERR or POLLHUP on the socket: remember the hang-up (the socket is
 * then polled only when it is waited for, so the level-triggered POLLHUP
 * cannot make poll spin).  While the peer's data is still being read,
 * a pending error (a reset) waits for the reads: they give what arrived
 * before it, then the error.  Otherwise it is fetched now.
 */
static void
sock_trouble(struct relay *r, short revents)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (revents & POLLNVAL) {
		fail(r, "socket", EBADF);
		return;
	}
	if ((revents & POLLERR) && !(flow_active(&r->down) && !r->down.done) &&
	    getsockopt(r->sock, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
	    err != 0) {
		fail(r, "socket", err);
		return;
	}
	r->sock_hup = true;
	/* Reading gives the rest, then EOF or the error; writing, EPIPE. */
	if (flow_active(&r->down) && !r->down.eof)
		r->down.src.ready = true;
	if (flow_active(&r->up))
		r->up.dst.ready = true;
}

/* Milliseconds for poll until deadline (ns), at least 0, rounded up. */
static int
ms_until(int64_t deadline, int64_t now)
{
	int64_t ms;

	if (deadline <= now)
		return 0;
	ms = (deadline - now + NS_PER_MS - 1) / NS_PER_MS;
	return ms > 86400000 ? 86400000 : (int)ms;
}

/* The poll timeout: 0 if a flow can move, else up to the next timer. */
static int
poll_timeout(const struct relay *r, int64_t now)
{
	int timeout = -1, t;

	if (flow_can_move(&r->up) || flow_can_move(&r->down))
		return 0;
	if (r->o->idle_ms >= 0)
		timeout = ms_until(r->t_active + r->o->idle_ms * NS_PER_MS,
		    now);
	if (r->t_quit != -1) {
		t = ms_until(r->t_quit, now);
		if (timeout == -1 || t < timeout)
			timeout = t;
	}
	return timeout;
}

/* The timers, after the transfers. */
static void
check_timers(struct relay *r)
{
	int64_t now = now_ns();
	char detail[64];

	if (r->ended)
		return;
	if (r->t_quit != -1 && now >= r->t_quit) {
		snprintf(detail, sizeof(detail), "%d ms after stdin eof",
		    r->o->quit_ms);
		emit(r, RELAY_QUIT_TIMER, detail);
		flush_down_nowait(r);
		finish(r, 0);
	} else if (r->o->idle_ms >= 0 &&
	    now >= r->t_active + r->o->idle_ms * NS_PER_MS) {
		snprintf(detail, sizeof(detail), "%d ms without data",
		    r->o->idle_ms);
		emit(r, RELAY_IDLE_TIMEOUT, detail);
		flush_down_nowait(r);
		finish(r, 0);
	}
}

/*
 * Fill the pollfd slots.  Returns how many are in use (fd != -1).
 */
static int
fill_pollfds(struct relay *r, struct pollfd *pfd)
{
	int i, used = 0;
	short ev;

	for (i = 0; i < POLL_MAX; i++) {
		pfd[i].fd = -1;
		pfd[i].events = pfd[i].revents = 0;
	}
	/* stdin: only while waited for (a hung-up pipe stays POLLHUP). */
	if ((ev = flow_src_events(&r->up)) != 0) {
		pfd[POLL_STDIN].fd = r->in;
		pfd[POLL_STDIN].events = ev;
	}
	if ((ev = flow_dst_events(&r->up)) != 0) {
		pfd[POLL_NETOUT].fd = r->sock;
		pfd[POLL_NETOUT].events = ev;
	}
	/* The socket, also to see a reset while nothing is waited for. */
	ev = flow_src_events(&r->down);
	if (ev != 0 || (!r->sock_hup && flow_active(&r->down))) {
		pfd[POLL_NETIN].fd = r->sock;
		pfd[POLL_NETIN].events = ev;
	}
	/* stdout: always, to see its consumer leave (POLLERR, POLLHUP). */
	if (r->out_open && r->down.mode != M_DISCARD &&
	    r->down.mode != M_OFF) {
		pfd[POLL_STDOUT].fd = r->out;
		pfd[POLL_STDOUT].events = flow_dst_events(&r->down);
	}
	if (r->sigfd != -1) {
		pfd[POLL_SIG].fd = r->sigfd;
		pfd[POLL_SIG].events = POLLIN;
	}
	for (i = 0; i < POLL_MAX; i++)
		used += pfd[i].fd != -1;
	return used;
}

/* Act on what poll returned, before any transfer. */
static void
handle_revents(struct relay *r, const struct pollfd *pfd)
{
	short rev;

	if (pfd[POLL_SIG].revents & POLLNVAL)
		r->sigfd = -1;
	else if (pfd[POLL_SIG].revents != 0) {
		on_signal(r);
		if (r->ended)
			return;
	}
	rev = pfd[POLL_STDOUT].revents;
	if (rev & POLLNVAL) {
		stdout_gone(r, "POLLNVAL");
		return;
	}
	if (rev & (POLLERR | POLLHUP)) {
		stdout_gone(r, rev & POLLERR ? "POLLERR" : "POLLHUP");
		return;
	}
	latch_dst(&r->down.dst, rev);

	rev = pfd[POLL_STDIN].revents;
	if (rev & POLLNVAL) {
		fail(r, "stdin", EBADF);
		return;
	}
	latch_src(&r->up.src, rev);

	rev = pfd[POLL_NETIN].revents | pfd[POLL_NETOUT].revents;
	if (rev & (POLLERR | POLLHUP | POLLNVAL)) {
		sock_trouble(r, rev);
		if (r->ended)
			return;
	}
	latch_src(&r->down.src, pfd[POLL_NETIN].revents & POLLIN);
	latch_dst(&r->up.dst, pfd[POLL_NETOUT].revents);
}

static void
flow_move(struct relay *r, struct flow *f)
{
	if (r->ended || !flow_active(f))
		return;
	if (f->mode == M_SPLICE)
		flow_splice(r, f);
	else
		flow_copy(r, f);
}

static const char *
mode_name(enum mode m)
{
	switch (m) {
	case M_OFF:
		return "none";
	case M_COPY:
		return "copy";
	case M_SPLICE:
		return "splice";
	case M_DISCARD:
		return "discard";
	}
	return "?";
}

/* Set r up; returns -1 (with errno) if out of memory. */
static int
setup(struct relay *r, int sock, int in, int out, const struct relay_opts *o,
    struct relay_result *res)
{
	bool blocking;

	memset(r, 0, sizeof(*r));
	memset(res, 0, sizeof(*res));
	r->o = o;
	r->res = res;
	r->sock = sock;
	r->in = in;
	r->out = out;
	r->sigfd = o->sigfd;
	r->in_flags = r->out_flags = -1;
	r->in_pipe_sz = -1;
	r->out_open = true;
	r->t_active = now_ns();
	r->t_quit = -1;
	/* The socket should be non-blocking already; make sure. */
	r->sock_flags = make_nonblock(sock, &blocking);

	r->up.src = (struct end){ in, "stdin", false, false };
	r->up.dst = (struct end){ sock, "socket", false, false };
	r->up.count = &res->sent;
	r->down.src = (struct end){ sock, "socket", false, false };
	r->down.dst = (struct end){ out, "stdout", false, false };
	r->down.count = &res->received;
	r->down.count_src = true;

	if (o->no_stdin)
		r->up.mode = M_OFF;
	else if (!o->no_splice && is_fifo(in))
		r->up.mode = M_SPLICE;
	else
		r->up.mode = M_COPY;
	if (o->send_only)
		r->down.mode = M_DISCARD;
	else if (!o->no_splice && is_fifo(out))
		r->down.mode = M_SPLICE;
	else
		r->down.mode = M_COPY;
	if (r->up.mode == M_SPLICE)
		r->in_pipe_sz = grow_pipe(in);
	res->spliced_up = r->up.mode == M_SPLICE;
	res->spliced_down = r->down.mode == M_SPLICE;

	if ((r->up.mode == M_COPY && copy_setup(r, &r->up) == -1) ||
	    (r->down.mode != M_SPLICE && copy_setup(r, &r->down) == -1))
		return -1;
	return 0;
}

static void
teardown(struct relay *r)
{
	restore_flags(r->in, &r->in_flags);
	/* Fails (EBUSY) if more than that is buffered: then it stays. */
	if (r->in_pipe_sz != -1)
		(void)fcntl(r->in, F_SETPIPE_SZ, r->in_pipe_sz);
	if (r->out_open)
		restore_flags(r->out, &r->out_flags);
	restore_flags(r->sock, &r->sock_flags);
	free(r->up.buf);
	free(r->down.buf);
}

/*
 * Relay until one of the ending rules below holds.  Returns res->status:
 * 0, or 74 with res->error and res->where set.
 */
int
relay(int sock, int in, int out, const struct relay_opts *o,
    struct relay_result *res)
{
	struct relay r;
	struct pollfd pfd[POLL_MAX];
	char detail[64];
	int n, used, timeout;

	if (setup(&r, sock, in, out, o, res) == -1) {
		fail(&r, NULL, errno);
		teardown(&r);
		return res->status;
	}
	snprintf(detail, sizeof(detail), "up=%s down=%s",
	    mode_name(r.up.mode), mode_name(r.down.mode));
	emit(&r, RELAY_START, detail);
	if (o->no_stdin && o->send_only) {
		/* Nothing to send and nothing to receive. */
		emit(&r, RELAY_SEND_DONE, "");
		finish(&r, 0);
	}

	while (!r.ended) {
		/*
		 * The relay ends, in this order of precedence, when:
		 *  1. sigfd holds a signal: at once, nothing more is
		 *     written (status 0, res->signal);
		 *  2. stdout's consumer has gone: EPIPE, POLLERR or POLLHUP
		 *     on stdout (status 0); the socket fails, or reading
		 *     stdin does (74);
		 *  3. the peer's EOF was read and all it sent is on stdout:
		 *     stdout is closed and the relay ends (0), stdin open or
		 *     not -- except with send_only, which goes on sending;
		 *  4. stdin's EOF was read and all of it is on the socket:
		 *     shutdown(SHUT_WR) unless no_shutdown, and the relay
		 *     ends if send_only or quit_ms == 0 (0);
		 *  5. the quit timer (quit_ms after stdin's EOF) or the idle
		 *     timer (idle_ms without a byte moved) expires (0).
		 * Otherwise poll waits for what each flow lacks: a readable
		 * source while its buffer has room, a writable sink while
		 * it has data; without timeout when a flow can move now.
		 */
		used = fill_pollfds(&r, pfd);
		timeout = poll_timeout(&r, now_ns());
		if (used == 0 && timeout == -1) {
			finish(&r, 0);	/* nothing can happen any more */
			break;
		}
		n = poll(pfd, POLL_MAX, timeout);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			fail(&r, NULL, errno);
			break;
		}
		handle_revents(&r, pfd);
		flow_move(&r, &r.down);
		flow_move(&r, &r.up);
		check_down_done(&r);
		check_up_done(&r);
		check_timers(&r);
	}
	teardown(&r);
	return res->status;
}
