/*
 * relay_copy.c - the relay's buffered path: a flow reads its source into
 * a 64 KiB buffer with read(2) and writes it to its sink with write(2);
 * and the descriptors' set-up for every path.
 *
 * A pipe or socket is made O_NONBLOCK for the relay (its flags are put
 * back before returning, or before stdout is closed); a tty or a regular
 * file keeps its flags and is read or written once per poll readiness.
 * A pipe at stdin, spliced or copied into TLS, and one at stdout copied
 * from TLS, grow to RELAY_PIPE_SZ while the relay runs, their sizes put
 * back after: a writer fills a pipe a page per slot, so at 64 KiB it is
 * the only buffer between the writer and the relay, and every few pages
 * cost a wake-up on both sides (upload throughput suffered from it, and
 * TLS both ways: see bench/README.md).  A plain copy keeps its pipes as
 * they are.
 * The down flow of send_only discards: it reads and drops, and what is
 * dropped still counts in res->received, since it did come from the
 * socket.  A flow reads its source only while its buffer has room, so
 * memory stays bounded whatever the peer or the consumer does.  Over TLS
 * the socket's end reads and writes through relay_tls.c instead; a short
 * write there is one record taken, not a full socket, and the flow into
 * TLS reads stdin only once less than a record is left (TLS_REFILL): one
 * read(2) then fills most of the buffer, and the records made of it go
 * out in one write(2).  The flow from TLS gathers the records that can be
 * read at once before it writes stdout: one write(2), not one a record.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "relay_int.h"

/*
 * Make fd non-blocking if it is a pipe or a socket and not already so.
 * Returns its original flags when they were changed (to restore), or -1.
 * Sets *blocking when fd is left blocking (a tty, a regular file).
 */
int
rl_make_nonblock(int fd, bool *blocking)
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

/* Put back the flags rl_make_nonblock() changed, once. */
void
rl_restore_flags(int fd, int *flags)
{
	if (*flags != -1)
		(void)fcntl(fd, F_SETFL, *flags);
	*flags = -1;
}

/* Whether fd is a pipe (or a FIFO): a flow to or from it splices. */
bool
rl_is_fifo(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

/*
 * Grow the pipe fd to RELAY_PIPE_SZ if it is smaller and the limits
 * allow.  Returns its former size (to restore), or -1 if unchanged.
 */
int
rl_grow_pipe(int fd)
{
	int sz = fcntl(fd, F_GETPIPE_SZ);

	if (sz == -1 || sz >= RELAY_PIPE_SZ ||
	    fcntl(fd, F_SETPIPE_SZ, RELAY_PIPE_SZ) == -1)
		return -1;
	return sz;
}

/*
 * Put back the size rl_grow_pipe() changed, once.  This fails (EBUSY) if
 * the pipe holds more than that: then it stays grown.
 */
void
rl_restore_pipe(int fd, int *sz)
{
	if (*sz != -1)
		(void)fcntl(fd, F_SETPIPE_SZ, *sz);
	*sz = -1;
}

/*
 * Whether the buffer of f takes a read now.  A flow into TLS waits until
 * less than a record is left (see above).
 */
bool
rl_flow_room(const struct flow *f)
{
	if (f->dst.tls)
		return f->len - f->off < TLS_REFILL;
	return f->len < RELAY_BUFSZ || f->off > 0;
}

/*
 * Set flow f up for the buffered copy: its buffer, and non-blocking ends
 * where that may be done.  Returns 0, or -1 with errno (no memory).
 */
int
rl_copy_setup(struct relay *r, struct flow *f)
{
	bool blocking;
	int fl;

	if (f->buf == NULL && (f->buf = malloc(RELAY_BUFSZ)) == NULL)
		return -1;
	if (f->src.fd == r->in && r->in_flags == -1) {
		fl = rl_make_nonblock(r->in, &blocking);
		r->in_flags = fl;
		f->src.blocking = blocking;
	}
	if (f->mode != M_DISCARD && f->dst.fd == r->out &&
	    r->out_flags == -1) {
		fl = rl_make_nonblock(r->out, &blocking);
		r->out_flags = fl;
		f->dst.blocking = blocking;
	}
	return 0;
}

/* read(2) from e, or SSL_read when e is the socket over TLS. */
static ssize_t
end_read(struct relay *r, struct end *e, void *buf, size_t len)
{
	if (e->tls)
		return rl_tls_read(r, e, buf, len);
	return read(e->fd, buf, len);
}

/* write(2) to e, or SSL_write when e is the socket over TLS. */
static ssize_t
end_write(struct relay *r, struct end *e, const void *buf, size_t len)
{
	if (e->tls)
		return rl_tls_write(r, e, buf, len);
	return write(e->fd, buf, len);
}

/*
 * Write what the down flow still holds to stdout, without waiting: at
 * the quit timer or the idle timeout, what was read from the socket is
 * not thrown away if stdout can take it at once.
 */
void
rl_copy_flush_down(struct relay *r)
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
 * The relay ends early: send the socket what the up flow holds, then what
 * stdin gives without blocking, at most budget bytes (see
 * rl_flush_up_nowait).  Ttys and files are not read here.
 */
void
rl_copy_flush_up(struct relay *r, size_t budget)
{
	struct flow *f = &r->up;
	ssize_t n;

	for (;;) {
		while (f->off < f->len) {
			if (f->dst.tls)
				n = rl_tls_write(r, &f->dst, f->buf + f->off,
				    f->len - f->off);
			else
				n = send(r->sock, f->buf + f->off,
				    f->len - f->off, MSG_DONTWAIT |
				    MSG_NOSIGNAL);
			if (n == -1 && errno == EINTR)
				continue;
			if (n <= 0)
				goto out;
			f->off += (size_t)n;
			rl_moved(r, f, (size_t)n);
		}
		if (f->eof || f->src.blocking || budget == 0)
			break;
		do
			n = read(f->src.fd, f->buf, budget < RELAY_BUFSZ ?
			    budget : RELAY_BUFSZ);
		while (n == -1 && errno == EINTR);
		if (n <= 0)
			break;
		f->off = 0;
		f->len = (size_t)n;
		budget -= (size_t)n;
	}
out:
	if (f->dst.tls)
		(void)rl_tls_push(r);
}

/*
 * A write error on the sink of f: the consumer gone (EPIPE or ECONNRESET
 * on stdout, status 0) or an I/O error (74).
 */
static void
write_error(struct relay *r, struct flow *f, int error)
{
	if (f == &r->down && (error == EPIPE || error == ECONNRESET))
		rl_stdout_gone(r, "EPIPE");
	else
		rl_fail(r, f->dst.name, error);
}

/*
 * One read into the buffer of f.  Returns true if it did something
 * (moved bytes, or saw EOF, EAGAIN or an error).
 */
static bool
copy_read(struct relay *r, struct flow *f)
{
	ssize_t n;

	if (f->eof || !f->src.ready || !rl_flow_room(f))
		return false;
	if (f->off == f->len)
		f->off = f->len = 0;
	else if (f->off > 0 && (f->len == RELAY_BUFSZ || f->dst.tls)) {
		/* Into TLS: less than a record, moved to the front. */
		memmove(f->buf, f->buf + f->off, f->len - f->off);
		f->len -= f->off;
		f->off = 0;
	}
	do
		n = end_read(r, &f->src, f->buf + f->len,
		    RELAY_BUFSZ - f->len);
	while (n == -1 && errno == EINTR);
	if (n > 0) {
		if (f->mode == M_DISCARD)
			f->off = f->len = 0;
		else
			f->len += (size_t)n;
		if (f->src.blocking)
			f->src.ready = false;
		if (f->count_src)
			rl_moved(r, f, (size_t)n);
		else
			rl_active(r, f);
	} else if (n == 0)
		rl_on_eof(r, f);
	else if (errno == EAGAIN || errno == EWOULDBLOCK)
		f->src.ready = false;
	else if (f->off < f->len) {
		/* What came before the error (a reset) goes out first. */
		f->src_err = errno;
		f->eof = true;
		f->src.ready = false;
	} else
		rl_fail(r, f->src.name, errno);
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
	/* From TLS: gather the records that are there, then write once. */
	if (f->src.tls && f->src.ready && !f->eof && f->len < RELAY_BUFSZ)
		return false;
	do
		n = end_write(r, &f->dst, f->buf + f->off, want);
	while (n == -1 && errno == EINTR);
	if (n > 0) {
		f->off += (size_t)n;
		if (((size_t)n < want && !f->dst.tls) || f->dst.blocking)
			f->dst.ready = false;
		if (f->count_src)
			rl_active(r, f);
		else
			rl_moved(r, f, (size_t)n);
	} else if (n == 0 || errno == EAGAIN || errno == EWOULDBLOCK)
		f->dst.ready = false;
	else
		write_error(r, f, errno);
	return true;
}

/* The copying flow f: up to MAX_OPS reads and writes. */
void
rl_flow_copy(struct relay *r, struct flow *f)
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
