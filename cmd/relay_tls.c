/*
 * relay_tls.c - the relay's socket I/O over TLS (opts->tls, see relay.h):
 * SSL_read_ex and SSL_write_ex in place of read(2) and write(2) on the
 * socket, the close_notify of the half-close, and the one sent at a
 * clean end.  This is the only file of the relay that knows OpenSSL.
 *
 * OpenSSL's wants map onto the readiness latches of relay.c: WANT_READ
 * makes the end wait for POLLIN, WANT_WRITE for POLLOUT, whichever of the
 * two flows asked (SSL_read may need to write, SSL_write to read), and
 * EAGAIN is returned so that the copy path clears the latch.  A call on
 * one side can satisfy what the other side waits for (SSL_read takes in
 * the record SSL_write wanted to read, SSL_write flushes what SSL_read
 * wanted written), so after each call the other side, if it waits for
 * that cross condition, is tried once more.  A successful SSL_read leaves
 * the source ready, and SSL_has_pending() keeps it so: poll(2) cannot see
 * what OpenSSL already holds.
 *
 * With SSL_MODE_ENABLE_PARTIAL_WRITE, SSL_write_ex returns after each
 * record: a short write does not mean the socket is full.  A write that
 * wanted the socket is retried with the same bytes (more may follow them:
 * the buffer only grows at its end, and may move, which
 * SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER allows).
 *
 * Records do not go to the socket one write(2) each: a BIO_f_buffer of
 * TLS_WBUF bytes sits between the SSL and the socket, and the relay
 * flushes it at the end of each round (rl_tls_flush).  On loopback that
 * halves the relay's CPU per byte sent: each write(2) to a TCP socket
 * runs the receiver's side too, and wakes it.  What the buffer holds
 * counts as written to the socket only once it is flushed: the up flow
 * waits for POLLOUT while it is not (flow->flush), and close_notify, the
 * half-close and the end of stdin wait for it.  Reading, the SSL gets
 * TLS_RBUF bytes of read-ahead: many records per read(2).
 *
 * Errors come back as errno: a reset or EPIPE as itself; a TLS failure,
 * a truncation included, as EPROTO with r->tls_why saying what it was
 * (rl_fail() shows that).  The OpenSSL error queue is cleared before each
 * SSL_* call, as SSL_get_error() requires, and after a failure is read.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "relay_int.h"
#include "ssl_dl.h"

/*
 * Set the SSL up for the relay's non-blocking, partial writes; to read
 * ahead, TLS_RBUF bytes at a time (what it holds beyond a call is
 * SSL_has_pending(), which keeps the socket ready); and to write through
 * a buffer.  The larger read buffer takes effect only if the SSL has
 * none yet or can free the one it has (it holds nothing unread); the
 * write buffer only if it can be made.  Without either the relay works
 * as well, with more system calls.  Returns 0, or -1 with errno ELIBACC
 * if OpenSSL's functions cannot be had (the SSL came from elsewhere).
 */
int
rl_tls_setup(struct relay *r)
{
	BIO *sock, *buf;

	/* Loaded already if the library made the SSL; a test may not have. */
	if (hecat__ssl_load() == -1) {
		errno = ELIBACC;
		return -1;
	}
	sock = SSL_get_wbio(r->tls);
	SSL_set_mode(r->tls, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_set_read_ahead(r->tls, 1);
	SSL_set_default_read_buffer_len(r->tls, TLS_RBUF);
	(void)SSL_free_buffers(r->tls);

	/* Under kernel TLS the kernel makes the records: no buffer. */
	if (sock == NULL || BIO_get_ktls_send(sock) ||
	    (buf = BIO_new(BIO_f_buffer())) == NULL)
		return 0;
	if (BIO_set_write_buffer_size(buf, TLS_WBUF) != 1 ||
	    BIO_up_ref(sock) != 1) {
		BIO_free(buf);
		return 0;
	}
	/* buf holds the reference taken; the SSL holds buf. */
	(void)BIO_push(buf, sock);
	SSL_set0_wbio(r->tls, buf);
	r->tls_wbuf = buf;
	ERR_clear_error();
	return 0;
}

/*
 * A call on one side may have done what the other waits for: let the
 * other try again (want: the condition it waits for, POLLIN or POLLOUT).
 */
static void
wake_cross(struct end *other, short want)
{
	if (other->tls && !other->ready && other->ev == want)
		other->ready = true;
}

/* Say why in r->tls_why: "TLS: " and the first error of the queue. */
static void
tls_why(struct relay *r, const char *fallback)
{
	unsigned long e = ERR_peek_error();
	const char *reason = e != 0 ? ERR_reason_error_string(e) : NULL;
	char buf[128];

	if (e != 0 && reason == NULL) {
		ERR_error_string_n(e, buf, sizeof(buf));
		reason = buf;
	}
	snprintf(r->tls_why, sizeof(r->tls_why), "TLS: %.90s",
	    reason != NULL ? reason : fallback);
	ERR_clear_error();
}

/*
 * After a failed SSL_* call on e (rc, and the errno it left): EAGAIN
 * with what e now waits for, 0 for the peer's close_notify (reading), or
 * -1 and errno for a failure.
 */
static ssize_t
tls_failed(struct relay *r, struct end *e, int rc, int saved, bool reading)
{
	int err = SSL_get_error(r->tls, rc);

	switch (err) {
	case SSL_ERROR_WANT_READ:
		e->ev = POLLIN;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_WANT_WRITE:
		e->ev = POLLOUT;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_ZERO_RETURN:
		if (reading)
			return 0;
		ERR_clear_error();
		errno = EPIPE;		/* not expected of a write */
		return -1;
	case SSL_ERROR_SYSCALL:
		r->tls_dead = true;
		if (saved != 0 && ERR_peek_error() == 0) {
			errno = saved;
			return -1;
		}
		/* OpenSSL 1.1's truncation: EOF, errno 0, nothing queued. */
		tls_why(r, reading ? "connection closed without close_notify "
		    "(truncated)" : "write failed");
		errno = EPROTO;
		return -1;
	default:
		r->tls_dead = true;
		if (ERR_GET_REASON(ERR_peek_error()) ==
		    SSL_R_UNEXPECTED_EOF_WHILE_READING) {
			ERR_clear_error();
			snprintf(r->tls_why, sizeof(r->tls_why), "TLS: "
			    "connection closed without close_notify "
			    "(truncated)");
		} else
			tls_why(r, "protocol error");
		errno = EPROTO;
		return -1;
	}
}

/*
 * Read up to len bytes of plaintext from the socket's end e.  Returns
 * them, 0 at the peer's close_notify, or -1 with errno (EAGAIN: e->ev
 * says what to wait for).
 */
ssize_t
rl_tls_read(struct relay *r, struct end *e, void *buf, size_t len)
{
	size_t n = 0;
	int rc, saved;

	ERR_clear_error();
	errno = 0;
	rc = SSL_read_ex(r->tls, buf, len, &n);
	saved = errno;
	wake_cross(&r->up.dst, POLLIN);
	if (rc == 1) {
		e->ev = POLLIN;
		/* Records OpenSSL holds: poll would not say so. */
		if (SSL_has_pending(r->tls))
			e->ready = true;
		return (ssize_t)n;
	}
	return tls_failed(r, e, rc, saved, true);
}

/*
 * Write up to len bytes of plaintext to the socket's end e (at least one
 * record's worth when it is taken).  Returns how many were taken, or -1
 * with errno (EAGAIN: e->ev says what to wait for; retry with the same
 * bytes first).
 */
ssize_t
rl_tls_write(struct relay *r, struct end *e, const void *buf, size_t len)
{
	size_t n = 0;
	int rc, saved;

	if (len == 0)
		return 0;
	ERR_clear_error();
	errno = 0;
	rc = SSL_write_ex(r->tls, buf, len, &n);
	saved = errno;
	wake_cross(&r->down.src, POLLOUT);
	if (rc == 1) {
		e->ev = POLLOUT;
		return (ssize_t)n;
	}
	return tls_failed(r, e, rc, saved, false);
}

/*
 * The half-close's close_notify (SSL_shutdown, sending only).  Returns 1
 * once it is on the socket, 0 while it waits for the socket (up.dst.ev
 * says for what; call again then), -1 on failure (the relay failed).
 */
int
rl_tls_notify(struct relay *r)
{
	struct end *e = &r->up.dst;
	int rc, saved;

	ERR_clear_error();
	errno = 0;
	rc = SSL_shutdown(r->tls);
	saved = errno;
	wake_cross(&r->down.src, POLLOUT);
	if (rc >= 0) {
		/* 0: ours is sent; 1: the peer's had come too. */
		r->tls_notified = true;
		r->up.notify = false;
		e->ev = POLLOUT;
		/* Sent to the buffer: on the socket once it is flushed. */
		return rl_tls_flush(r);
	}
	if (tls_failed(r, e, rc, saved, false) == -1 && errno == EAGAIN) {
		r->up.notify = true;
		e->ready = false;
		return 0;
	}
	rl_fail(r, "socket", errno);
	return -1;
}

/*
 * One try, without waiting, to write what the write buffer holds to the
 * socket.  Returns 1 once it is empty, 0 while the socket is full, or -1
 * with errno.
 */
int
rl_tls_push(struct relay *r)
{
	BIO *b = r->tls_wbuf;

	if (b == NULL || BIO_wpending(b) == 0)
		return 1;
	ERR_clear_error();
	errno = 0;
	if (BIO_flush(b) == 1)
		return 1;
	if (BIO_should_retry(b))
		return 0;
	if (errno == 0)
		errno = EIO;
	ERR_clear_error();
	return -1;
}

/*
 * Flush the write buffer at the end of a round, or after close_notify:
 * returns 1 once it is empty; 0 while the socket is full (flow->flush
 * set: the up flow waits for POLLOUT and tries again); -1 on failure (the
 * relay failed).
 */
int
rl_tls_flush(struct relay *r)
{
	struct end *e = &r->up.dst;
	int rc = rl_tls_push(r);

	r->up.flush = rc == 0;
	if (rc == 0) {
		e->ev = POLLOUT;
		e->ready = false;
	} else if (rc == -1) {
		r->tls_dead = true;
		rl_fail(r, "socket", errno);
	}
	return rc;
}

/* Whether OpenSSL holds data read from the socket and not yet returned. */
bool
rl_tls_pending(const struct relay *r)
{
	return r->tls != NULL && SSL_has_pending(r->tls);
}

/*
 * The relay ends with status 0: send close_notify if it was not sent,
 * one attempt, without waiting (see relay.h).  Not after an error.
 */
void
rl_tls_end(struct relay *r)
{
	if (r->tls == NULL || r->tls_dead || r->res->status != 0)
		return;
	if (!r->tls_notified) {
		ERR_clear_error();
		if (SSL_shutdown(r->tls) >= 0)
			r->tls_notified = true;
		ERR_clear_error();
	}
	(void)rl_tls_push(r);
}
