/*
 * relay.c - the data pump after the dial (see relay.h): its poll(2) loop.
 *
 * Two flows share one poll(2) loop, in the spirit of OpenBSD nc's
 * readwrite(): "up" moves stdin to the socket, "down" the socket to
 * stdout.  Each flow has a source end and a sink end, and each end
 * latches what poll last said about it (ready); the latch is cleared by
 * EAGAIN, or after every operation on a descriptor left blocking (a tty,
 * a regular file), so an end is polled only while it is not known to be
 * ready and the loop never spins on a level-triggered event.
 *
 * A flow moves its data one of three ways: splice (relay_splice.c) when
 * its other end is a pipe, copy through a buffer (relay_copy.c)
 * otherwise, or discard (the down flow of send_only, relay_copy.c).
 * What the session does at each EOF, timer, signal or error is in
 * relay_state.c.  This file sets the relay up, decides what each
 * descriptor waits for, turns poll's answer into latches, runs one round
 * of transfers and checks, and puts the descriptors back at the end.
 *
 * Over TLS (opts->tls) the socket's two ends read and write through
 * relay_tls.c, and each waits for what OpenSSL wants (e->ev): SSL_read
 * may wait for POLLOUT and SSL_write for POLLIN.  Nothing splices then.
 *
 * Memory is bounded: a flow reads its source only while its buffer has
 * room, so a peer or a consumer that stops reading stops the relay from
 * reading the other side (backpressure), whatever the peer does.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay_int.h"

/* The pollfd slots, named as in nc. */
enum {
	POLL_STDIN,
	POLL_NETOUT,
	POLL_NETIN,
	POLL_STDOUT,
	POLL_SIG,
	POLL_MAX
};

/* Whether f has an operation it can do without waiting. */
static bool
flow_can_move(const struct flow *f)
{
	if (!rl_flow_active(f))
		return false;
	if (f->mode == M_SPLICE)
		return !f->eof && f->src.ready && f->dst.ready;
	if (f->mode == M_COPY && f->dst.ready && (f->off < f->len ||
	    f->notify || f->flush))
		return true;
	return !f->eof && f->src.ready && rl_flow_room(f);
}

/* The events f waits for on its source and its sink. */
static short
flow_src_events(const struct flow *f)
{
	if (!rl_flow_active(f) || f->eof || f->src.ready)
		return 0;
	if (f->mode != M_SPLICE && !rl_flow_room(f))
		return 0;		/* full: backpressure */
	return f->src.ev;
}

static short
flow_dst_events(const struct flow *f)
{
	if (!rl_flow_active(f) || f->dst.ready || f->dst.fd == -1)
		return 0;
	if (f->mode == M_SPLICE)
		return f->eof ? 0 : f->dst.ev;
	if (f->mode == M_COPY && (f->off < f->len || f->notify || f->flush))
		return f->dst.ev;
	return 0;
}

/*
 * Latch what poll said about one end: the event it waits for (e->ev).
 * POLLHUP and POLLERR make a source readable (the read returns what is
 * left, then 0 or the error).
 */
static void
latch_src(struct end *e, short revents)
{
	if (revents & (e->ev | POLLHUP | POLLERR))
		e->ready = true;
}

static void
latch_dst(struct end *e, short revents)
{
	if (revents & e->ev)
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
		rl_fail(r, "socket", EBADF);
		return;
	}
	if ((revents & POLLERR) &&
	    !(rl_flow_active(&r->down) && !r->down.done) &&
	    getsockopt(r->sock, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
	    err != 0) {
		rl_fail(r, "socket", err);
		return;
	}
	r->sock_hup = true;
	/* Reading gives the rest, then EOF or the error; writing, EPIPE. */
	if (rl_flow_active(&r->down) && !r->down.eof)
		r->down.src.ready = true;
	if (rl_flow_active(&r->up))
		r->up.dst.ready = true;
}

/* The poll timeout: 0 if a flow can move, else up to the next timer. */
static int
poll_timeout(const struct relay *r, int64_t now)
{
	if (flow_can_move(&r->up) || flow_can_move(&r->down))
		return 0;
	return rl_timer_timeout(r, now);
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
	if (ev != 0 || (!r->sock_hup && rl_flow_active(&r->down))) {
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
		rl_on_signal(r);
		if (r->ended)
			return;
	}
	rev = pfd[POLL_STDOUT].revents;
	if (rev & POLLNVAL) {
		rl_stdout_gone(r, "POLLNVAL");
		return;
	}
	if (rev & (POLLERR | POLLHUP)) {
		rl_stdout_gone(r, rev & POLLERR ? "POLLERR" : "POLLHUP");
		return;
	}
	latch_dst(&r->down.dst, rev);

	rev = pfd[POLL_STDIN].revents;
	if (rev & POLLNVAL) {
		rl_fail(r, "stdin", EBADF);
		return;
	}
	latch_src(&r->up.src, rev);

	rev = pfd[POLL_NETIN].revents | pfd[POLL_NETOUT].revents;
	if (rev & (POLLERR | POLLHUP | POLLNVAL)) {
		sock_trouble(r, rev);
		if (r->ended)
			return;
	}
	latch_src(&r->down.src, pfd[POLL_NETIN].revents & r->down.src.ev);
	latch_dst(&r->up.dst, pfd[POLL_NETOUT].revents);
}

/* One round of transfers for f, the way its mode moves data. */
static void
flow_move(struct relay *r, struct flow *f)
{
	if (r->ended || !rl_flow_active(f))
		return;
	if (f->mode == M_SPLICE)
		rl_flow_splice(r, f);
	else
		rl_flow_copy(r, f);
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
	bool blocking, splice_ok;

	memset(r, 0, sizeof(*r));
	memset(res, 0, sizeof(*res));
	r->o = o;
	r->res = res;
	r->sock = sock;
	r->in = in;
	r->out = out;
	r->sigfd = o->sigfd;
	r->in_flags = r->out_flags = -1;
	r->in_pipe_sz = r->out_pipe_sz = -1;
	r->out_open = true;
	r->t_active = r->t_down = rl_now_ns();
	r->t_sent = -1;
	/* The socket should be non-blocking already; make sure. */
	r->sock_flags = rl_make_nonblock(sock, &blocking);

	r->tls = o->tls;
	r->up.src = (struct end){ in, "stdin", false, false, false, POLLIN };
	r->up.dst = (struct end){ sock, "socket", false, false,
	    r->tls != NULL, POLLOUT };
	r->up.count = &res->sent;
	r->down.src = (struct end){ sock, "socket", false, false,
	    r->tls != NULL, POLLIN };
	r->down.dst = (struct end){ out, "stdout", false, false, false,
	    POLLOUT };
	r->down.count = &res->received;
	r->down.count_src = true;

	if (r->tls != NULL && rl_tls_setup(r) == -1)
		return -1;
	/* Over TLS the socket's data passes through user space anyway. */
	splice_ok = !o->no_splice && r->tls == NULL;
	if (o->no_stdin)
		r->up.mode = M_OFF;
	else if (splice_ok && rl_is_fifo(in))
		r->up.mode = M_SPLICE;
	else
		r->up.mode = M_COPY;
	if (o->send_only)
		r->down.mode = M_DISCARD;
	else if (splice_ok && rl_is_fifo(out))
		r->down.mode = M_SPLICE;
	else
		r->down.mode = M_COPY;
	/* Pipes grow where it was measured to pay (relay_copy.c). */
	if ((r->up.mode == M_SPLICE || (r->up.mode == M_COPY &&
	    r->tls != NULL)) && rl_is_fifo(in))
		r->in_pipe_sz = rl_grow_pipe(in);
	if (r->down.mode == M_COPY && r->tls != NULL && rl_is_fifo(out))
		r->out_pipe_sz = rl_grow_pipe(out);
	res->spliced_up = r->up.mode == M_SPLICE;
	res->spliced_down = r->down.mode == M_SPLICE;

	if ((r->up.mode == M_COPY && rl_copy_setup(r, &r->up) == -1) ||
	    (r->down.mode != M_SPLICE && rl_copy_setup(r, &r->down) == -1))
		return -1;
	return 0;
}

/* Put stdin, stdout and the socket back as they were; free the buffers. */
static void
teardown(struct relay *r)
{
	rl_restore_flags(r->in, &r->in_flags);
	rl_restore_pipe(r->in, &r->in_pipe_sz);
	if (r->out_open) {
		rl_restore_flags(r->out, &r->out_flags);
		rl_restore_pipe(r->out, &r->out_pipe_sz);
	}
	rl_restore_flags(r->sock, &r->sock_flags);
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
		rl_fail(&r, NULL, errno);
		teardown(&r);
		return res->status;
	}
	snprintf(detail, sizeof(detail), "up=%s down=%s%s",
	    mode_name(r.up.mode), mode_name(r.down.mode),
	    r.tls != NULL ? " socket=tls" : "");
	rl_emit(&r, RELAY_START, detail);
	if (o->no_stdin && o->send_only) {
		/* Nothing to send and nothing to receive. */
		rl_emit(&r, RELAY_SEND_DONE, "");
		rl_finish(&r, 0);
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
		timeout = poll_timeout(&r, rl_now_ns());
		if (used == 0 && timeout == -1) {
			/* Nothing can happen any more. */
			rl_finish(&r, 0);
			break;
		}
		n = poll(pfd, POLL_MAX, timeout);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			rl_fail(&r, NULL, errno);
			break;
		}
		handle_revents(&r, pfd);
		flow_move(&r, &r.down);
		flow_move(&r, &r.up);
		if (!r.ended && r.tls != NULL)
			(void)rl_tls_flush(&r);	/* the records of the round */
		rl_check_down_done(&r);
		rl_check_up_done(&r);
		rl_check_timers(&r);
	}
	rl_tls_end(&r);
	teardown(&r);
	return res->status;
}
