/*
 * http_connect.c - the HTTP CONNECT stage (RFC 9110 section 9.3.6):
 * the request, with Basic credentials (RFC 7617) when there are any,
 * then the reply's head read up to its empty line and not a byte past
 * it: each piece is peeked (MSG_PEEK), scanned, and only the head's
 * bytes are taken from the socket.  A 2xx status opens the tunnel; any
 * other fails the attempt with the status line as it came.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxyproto.h"
#include "stage.h"

#define PEEK	4096

struct hc {
	bool			 sent;
	char			 out[HECAT__HTTP_MAXREQ];
	size_t			 outlen, outoff;
	struct hecat__http_scan	 scan;
	char			 in[PEEK];
};

/* The head, taken from the socket piece by piece up to its end. */
static enum hecat__stage_rc
read_head(struct hecat__stage *st, struct hc *h)
{
	ssize_t n, k;
	bool done = false;

	while (!done) {
		n = recv(st->fd, h->in, sizeof(h->in), MSG_PEEK | MSG_DONTWAIT);
		if (n == 0)
			return hecat__stage_fail(st, ECONNRESET, h->scan.total ==
			    0 ? "the proxy closed the connection" :
			    "the proxy closed the connection in its reply");
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return HECAT__STAGE_WANT_READ;
		if (n == -1)
			return hecat__stage_fail(st, errno, NULL);
		if ((k = hecat__http_scan(&h->scan, h->in, (size_t)n, &done)) ==
		    -1)
			return hecat__stage_fail(st, EPROTO, "the proxy's reply "
			    "head is longer than 16 KiB");
		/* Take what was the head's; it was peeked, it is there. */
		while (recv(st->fd, h->in, (size_t)k, MSG_DONTWAIT) == -1 &&
		    errno == EINTR)
			;
	}
	return HECAT__STAGE_DONE;
}

static enum hecat__stage_rc
hc_run(struct hecat__stage *st)
{
	struct hc *h = st->priv;
	enum hecat__stage_rc rc;
	int status;

	if (!h->sent) {
		if ((rc = hecat__stage_send(st, h->out, h->outlen,
		    &h->outoff)) != HECAT__STAGE_DONE)
			return rc;
		h->sent = true;
		hecat__stage_step(st, "CONNECT sent%s", st->req->user != NULL ?
		    " with Basic credentials" : "");
	}
	if ((rc = read_head(st, h)) != HECAT__STAGE_DONE)
		return rc;
	if ((status = hecat__http_status(&h->scan)) == -1)
		return hecat__stage_fail(st, EPROTO, "not an HTTP reply");
	st->code = status;
	hecat__stage_step(st, "reply %s", h->scan.line);
	if (status >= 200 && status < 300)
		return HECAT__STAGE_DONE;
	return hecat__stage_fail(st, hecat__http_errno(status), h->scan.line);
}

static enum hecat__stage_rc
hc_start(struct hecat__stage *st)
{
	struct hc *h;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return hecat__stage_fail(st, ENOMEM, NULL);
	st->priv = h;
	st->code = -1;
	h->outlen = hecat__http_request(h->out, sizeof(h->out), st->req->name,
	    (const struct sockaddr *)&st->req->addr, st->req->port,
	    st->req->user, st->req->password != NULL ? st->req->password :
	    "");
	if (h->outlen == 0)
		return hecat__stage_fail(st, EINVAL, "target or user name not "
		    "fit for an HTTP request");
	return hc_run(st);
}

static void
hc_cleanup(struct hecat__stage *st)
{
	free(st->priv);
	st->priv = NULL;
}

const struct hecat__stage_ops hecat__stage_http_connect = {
	HECAT_STAGE_HTTP_CONNECT,
	hc_start,
	hc_run,
	hc_cleanup
};
