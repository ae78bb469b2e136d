/*
 * relay_splice.c - the relay's zero-copy path: a flow whose other end is
 * a pipe moves its data with splice(2), straight between the pipe and
 * the socket; nothing passes through user space.
 *
 * The pipe side is made non-blocking by SPLICE_F_NONBLOCK, so its flags
 * are left alone.  EAGAIN cannot say which side was not ready: both
 * latches are cleared and both polled again (the ready one answers at
 * once and is not polled again until the next EAGAIN).  stdin's pipe
 * grows while the relay runs (relay_copy.c says why).  A splice(2) that
 * cannot work here turns the flow into a copying one (relay_copy.c).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "relay_int.h"

/*
 * The splicing flow f: up to MAX_OPS splice(2) calls while both ends are
 * ready.  A splice(2) that cannot work here (EINVAL) turns f into a
 * copying flow.
 */
void
rl_flow_splice(struct relay *r, struct flow *f)
{
	ssize_t n;
	int i;

	for (i = 0; i < MAX_OPS && !r->ended; i++) {
		if (f->eof || !f->src.ready || !f->dst.ready)
			return;
		n = splice(f->src.fd, NULL, f->dst.fd, NULL, SPLICE_MAX,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n > 0)
			rl_moved(r, f, (size_t)n);
		else if (n == 0)
			rl_on_eof(r, f);
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
			if (rl_copy_setup(r, f) == -1)
				rl_fail(r, NULL, errno);
			return;
		} else if (f == &r->down && errno == EPIPE)
			rl_stdout_gone(r, "EPIPE");
		else
			rl_fail(r, "socket", errno);
	}
}

/*
 * The relay ends early: splice to the socket what stdin's pipe already
 * holds, without waiting, at most budget bytes (see rl_flush_up_nowait).
 */
void
rl_splice_flush_up(struct relay *r, size_t budget)
{
	struct flow *f = &r->up;
	ssize_t n;

	while (budget > 0 && !f->eof) {
		n = splice(f->src.fd, NULL, r->sock, NULL, budget,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		rl_moved(r, f, (size_t)n);
		budget -= (size_t)n;
	}
}
