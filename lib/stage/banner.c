/*
 * banner.c - the banner stage: an attempt counts once the server has
 * sent its first byte (ssh, SMTP, POP and IMAP servers speak first).
 *
 * The byte is peeked (MSG_PEEK, or SSL_peek() through TLS), never read:
 * the winner's socket (or TLS session) still holds everything the
 * server sent, for the relay or for -F.  A server that closes or resets
 * before sending anything fails the attempt, and so does one that stays
 * silent past the stage's timeout (the adapter's).
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>

#include "stage.h"
#include "tls.h"

static enum hecat__stage_rc
banner_ready(struct hecat__stage *st)
{
	char c;
	ssize_t n;

	if (st->tls != NULL)	/* data comes through TLS */
		return hecat__tls_peek(st);
	while ((n = recv(st->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT)) == -1 &&
	    errno == EINTR)
		;
	if (n == 1)
		return HECAT__STAGE_DONE;
	if (n == 0)
		return hecat__stage_fail(st, ECONNABORTED,
		    "closed before sending a byte");
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return HECAT__STAGE_WANT_READ;
	return hecat__stage_fail(st, errno, NULL);
}

/* The byte may be there already: look before waiting. */
static enum hecat__stage_rc
banner_start(struct hecat__stage *st)
{
	return banner_ready(st);
}

const struct hecat__stage_ops hecat__stage_banner = {
	HECAT_STAGE_BANNER,
	banner_start,
	banner_ready,
	NULL
};
