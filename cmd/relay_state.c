/*
 * relay_state.c - the relay's session state: the events it reports, the
 * EOF of each flow, the half-close, closing stdout, the quit and idle
 * timers, a signal, and how the relay ends (status 0 or 74).
 *
 * The quit timer (-q) waits for the peer's answer.  Debian's nc starts it
 * only once the network's read side is finished, so -q 0 loses nothing;
 * here the peer's EOF ends the relay at once anyway, so the timer counts
 * the peer's silence instead: it runs once stdin's end is all on the
 * socket and the peer has sent something since stdin's EOF (its answer),
 * from the later of the two, restarts whenever the down flow moves data,
 * and is held while the relay still has some of the answer to write.  A
 * peer that never answers is left to the idle timer, a signal or its
 * EOF; quit_ms 0, as in Debian, waits for the EOF.
 *
 * Choices relay.h leaves open:
 *   - send_only: a peer EOF closes stdout (nothing was written there)
 *     but the relay goes on sending stdin, since the peer may still be
 *     reading; it ends at stdin EOF and the half-close.  With no_stdin
 *     too there is nothing to do: it ends at once (RELAY_SEND_DONE).
 *   - A signal ends it with status 0 and res->signal set; the caller
 *     re-raises the signal to die by it (exit status 128+n).
 *   - At the idle timeout, what the down flow holds is written if stdout
 *     takes it without waiting (the quit timer runs only when it holds
 *     nothing); a signal writes nothing more.
 *   - When stdin and stdout are one descriptor (a socket, inetd style),
 *     "closing stdout" at peer EOF is shutdown(SHUT_WR) on it, not
 *     close(): stdin is not the relay's to close.
 *   - The detail given to opts->event is never NULL ("" if nothing).
 *   - Over TLS the half-close is close_notify, then SHUT_WR; while the
 *     socket does not take close_notify the up flow is not done (it waits
 *     for the socket like a flow with data), so -q's timer and send_only's
 *     end wait for it too.  RELAY_SHUTDOWN_WR's detail is then
 *     "close_notify".  OpenSSL's unread records hold the quit timer as
 *     unread socket data does.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "relay_int.h"

/* The monotonic clock, in nanoseconds. */
int64_t
rl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Report ev to the caller's callback, if it gave one. */
void
rl_emit(struct relay *r, enum relay_event ev, const char *detail)
{
	if (r->o->event != NULL)
		r->o->event(ev, detail, r->o->arg);
}

/* End the relay with status (0 or 74). */
void
rl_finish(struct relay *r, int status)
{
	r->ended = true;
	r->res->status = status;
}

/*
 * End the relay with status 74 for an error on where.  EPROTO on the
 * socket over TLS is a TLS failure: relay_tls.c said why in tls_why.
 */
void
rl_fail(struct relay *r, const char *where, int error)
{
	char detail[192];
	const char *why = strerror(error);

	if (error == EPROTO && r->tls_why[0] != '\0' && where != NULL &&
	    strcmp(where, "socket") == 0)
		why = r->tls_why;
	r->res->error = error;
	r->res->where = where;
	snprintf(r->res->reason, sizeof(r->res->reason), "%s", why);
	snprintf(detail, sizeof(detail), "%s: %s",
	    where != NULL ? where : "relay", why);
	rl_emit(r, RELAY_ERROR, detail);
	rl_finish(r, 74);
}

/* The consumer of stdout has gone (how: "EPIPE", "POLLERR", ...). */
void
rl_stdout_gone(struct relay *r, const char *how)
{
	rl_emit(r, RELAY_STDOUT_CLOSED, how);
	rl_flush_up_nowait(r);
	rl_finish(r, 0);
}

/* Whether f still has work: relayed at all, and not finished. */
bool
rl_flow_active(const struct flow *f)
{
	return f->mode != M_OFF && !f->done;
}

/* f moved data just now: the idle timer, and -q's silence, restart. */
void
rl_active(struct relay *r, struct flow *f)
{
	r->t_active = rl_now_ns();
	if (f == &r->down)
		r->t_down = r->t_active;
}

/*
 * Account n bytes moved by f.  Bytes the down flow takes from the socket
 * after stdin's EOF are the peer's answer, which -q waits for.
 */
void
rl_moved(struct relay *r, struct flow *f, size_t n)
{
	*f->count += n;
	rl_active(r, f);
	if (f == &r->down && r->up.eof)
		r->replied = true;
}

/* The source of f has ended (read or splice returned 0). */
void
rl_on_eof(struct relay *r, struct flow *f)
{
	f->eof = true;
	f->src.ready = false;
	if (f == &r->up)
		rl_emit(r, RELAY_STDIN_EOF, "");
	else
		rl_emit(r, RELAY_PEER_EOF, "");
}

/* Close stdout (after the peer's EOF), its flags put back first. */
static void
close_out(struct relay *r)
{
	struct stat st;

	if (!r->out_open)
		return;
	rl_restore_flags(r->out, &r->out_flags);
	rl_restore_pipe(r->out, &r->out_pipe_sz);
	/* A socket as stdout sees EOF even where fd 1 was duplicated. */
	if (fstat(r->out, &st) == 0 && S_ISSOCK(st.st_mode))
		(void)shutdown(r->out, SHUT_WR);
	if (r->out != r->in)
		(void)close(r->out);
	r->out_open = false;
	r->down.dst.fd = -1;
}

/*
 * The relay ends early (a signal, stdout gone): hand the socket what stdin
 * already holds, without waiting for anything, at most FLUSH_MAX bytes.
 * ssh writes its last message, closes its pipes and sends SIGHUP in the
 * same instant; that message must still reach the server.  Ttys and files
 * are not read here: only what can come without blocking.
 */
void
rl_flush_up_nowait(struct relay *r)
{
	struct flow *f = &r->up;

	if (!rl_flow_active(f) || r->sock_hup)
		return;
	if (f->mode == M_SPLICE)
		rl_splice_flush_up(r, FLUSH_MAX);
	else if (f->mode == M_COPY)
		rl_copy_flush_up(r, FLUSH_MAX);
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
void
rl_check_up_done(struct relay *r)
{
	struct flow *f = &r->up;

	if (r->ended || !rl_flow_active(f) || !f->eof || f->off < f->len ||
	    f->flush)
		return;
	if (f->src_err != 0) {
		rl_fail(r, f->src.name, f->src_err);
		return;
	}
	/* Over TLS, close_notify first: the socket may have to wait. */
	if (r->tls != NULL && !r->o->no_shutdown && !r->tls_notified) {
		if (f->notify && !f->dst.ready)
			return;
		if (rl_tls_notify(r) != 1)
			return;
	}
	f->done = true;
	r->t_sent = rl_now_ns();
	if (!r->o->no_shutdown) {
		/*
		 * A socket the peer reset says ENOTCONN: if its data is
		 * still being read, the reads end with the reset.
		 */
		if (shutdown(r->sock, SHUT_WR) == 0)
			rl_emit(r, RELAY_SHUTDOWN_WR, r->tls != NULL ?
			    "close_notify" : "");
		else if (errno != ENOTCONN || !rl_flow_active(&r->down) ||
		    r->down.done) {
			rl_fail(r, "socket", sock_error(r, errno));
			return;
		}
	}
	if (r->o->send_only) {
		rl_emit(r, RELAY_SEND_DONE, "");
		rl_finish(r, 0);
	}
}

/* After the transfers: the peer's EOF, once all of it is on stdout. */
void
rl_check_down_done(struct relay *r)
{
	struct flow *f = &r->down;

	if (r->ended || !rl_flow_active(f) || !f->eof ||
	    (f->mode == M_COPY && f->off < f->len))
		return;
	if (f->src_err != 0) {
		rl_fail(r, f->src.name, f->src_err);
		return;
	}
	f->done = true;
	if (r->out_open) {
		close_out(r);
		rl_emit(r, RELAY_STDOUT_CLOSED, "peer eof");
	}
	/* With send_only what stdin holds still goes to the peer. */
	if (!r->o->send_only)
		rl_finish(r, 0);
}

/* sigfd is readable: end at once if it holds a signal. */
void
rl_on_signal(struct relay *r)
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
	rl_emit(r, RELAY_SIGNAL, name);
	rl_flush_up_nowait(r);
	rl_finish(r, 0);
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

/*
 * When the quit timer (-q) expires, in ns, or -1 while it does not run:
 * not before stdin's end is all sent and the peer has answered since
 * stdin's EOF, and not while the relay holds some of the answer, in the
 * down flow's buffer or unread on the socket because stdout does not
 * take it (the peer is not silent, the consumer is slow).  Otherwise
 * quit_ms after the later of the end of the sending and the last data
 * the down flow moved.
 */
static int64_t
quit_deadline(const struct relay *r)
{
	const struct flow *f = &r->down;
	int64_t from;
	int unread;

	if (r->o->quit_ms <= 0 || !r->up.done || !r->replied)
		return -1;
	if (f->mode == M_COPY && f->off < f->len)
		return -1;
	if (ioctl(r->sock, FIONREAD, &unread) == 0 && unread > 0)
		return -1;
	if (rl_tls_pending(r))
		return -1;
	from = r->t_down > r->t_sent ? r->t_down : r->t_sent;
	return from + r->o->quit_ms * NS_PER_MS;
}

/* How long poll may wait for the next timer: ms, or -1 if none runs. */
int
rl_timer_timeout(const struct relay *r, int64_t now)
{
	int64_t quit = quit_deadline(r);
	int timeout = -1, t;

	if (r->o->idle_ms >= 0)
		timeout = ms_until(r->t_active + r->o->idle_ms * NS_PER_MS,
		    now);
	if (quit != -1) {
		t = ms_until(quit, now);
		if (timeout == -1 || t < timeout)
			timeout = t;
	}
	return timeout;
}

/* The timers, after the transfers. */
void
rl_check_timers(struct relay *r)
{
	int64_t now = rl_now_ns(), quit;
	char detail[64];

	if (r->ended)
		return;
	quit = quit_deadline(r);
	if (quit != -1 && now >= quit) {
		/* The down flow holds nothing: quit_deadline() says so. */
		snprintf(detail, sizeof(detail), "%d ms without data from the "
		    "peer", r->o->quit_ms);
		rl_emit(r, RELAY_QUIT_TIMER, detail);
		rl_finish(r, 0);
	} else if (r->o->idle_ms >= 0 &&
	    now >= r->t_active + r->o->idle_ms * NS_PER_MS) {
		snprintf(detail, sizeof(detail), "%d ms without data",
		    r->o->idle_ms);
		rl_emit(r, RELAY_IDLE_TIMEOUT, detail);
		rl_copy_flush_down(r);
		rl_finish(r, 0);
	}
}
