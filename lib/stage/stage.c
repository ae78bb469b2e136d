/*
 * stage.c - what the stages share: failing with a reason, noting a
 * protocol step for the trace, and sending a message or receiving an
 * exact number of bytes on a non-blocking socket.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "stage.h"

enum hecat__stage_rc
hecat__stage_fail(struct hecat__stage *st, int error, const char *detail)
{
	st->error = error;
	if (detail != NULL)
		snprintf(st->detail, sizeof(st->detail), "%s", detail);
	return HECAT__STAGE_FAILED;
}

void
hecat__stage_step(struct hecat__stage *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->step, sizeof(st->step), fmt, ap);
	va_end(ap);
	st->nsteps++;
	if (st->on_step != NULL)
		st->on_step(st, st->step_arg);
}

enum hecat__stage_rc
hecat__stage_send(struct hecat__stage *st, const void *out, size_t len,
    size_t *off)
{
	ssize_t n;

	while (*off < len) {
		n = send(st->fd, (const char *)out + *off, len - *off,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			*off += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return HECAT__STAGE_WANT_WRITE;
		return hecat__stage_fail(st, n == -1 ? errno : EIO, NULL);
	}
	return HECAT__STAGE_DONE;
}

enum hecat__stage_rc
hecat__stage_recv(struct hecat__stage *st, void *in, size_t want,
    size_t *have)
{
	ssize_t n;

	while (*have < want) {
		n = recv(st->fd, (char *)in + *have, want - *have,
		    MSG_DONTWAIT);
		if (n > 0) {
			*have += (size_t)n;
			continue;
		}
		if (n == 0)
			return hecat__stage_fail(st, ECONNRESET,
			    "the proxy closed the connection");
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return HECAT__STAGE_WANT_READ;
		return hecat__stage_fail(st, errno, NULL);
	}
	return HECAT__STAGE_DONE;
}
