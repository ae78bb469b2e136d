/*
 * socks4.c - the SOCKS4 stage, SOCKS4a when the target is a name (the
 * proxy resolves it): one request, an 8-byte reply read exactly.  The
 * user name, if any, goes in the request's USERID.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxyproto.h"
#include "stage.h"

struct s4 {
	bool		 sent;
	uint8_t		 out[HECAT__SOCKS4_MAXMSG];
	size_t		 outlen, outoff;
	uint8_t		 in[HECAT__SOCKS4_REPLY];
	size_t		 have;
};

static enum hecat__stage_rc
s4_run(struct hecat__stage *st)
{
	char why[HECAT__STAGE_DETAILLEN];
	struct s4 *s = st->priv;
	enum hecat__stage_rc rc;
	int cd;

	if (!s->sent) {
		if ((rc = hecat__stage_send(st, s->out, s->outlen,
		    &s->outoff)) != HECAT__STAGE_DONE)
			return rc;
		s->sent = true;
		hecat__stage_step(st, "CONNECT sent (SOCKS4%s)",
		    st->req->name != NULL ? "a" : "");
	}
	if ((rc = hecat__stage_recv(st, s->in, sizeof(s->in), &s->have)) !=
	    HECAT__STAGE_DONE)
		return rc;
	if (hecat__socks4_reply(s->in, &cd, &st->bound, &st->boundlen) == -1)
		return hecat__stage_fail(st, EPROTO, "not a SOCKS4 reply");
	st->code = cd;
	hecat__stage_step(st, "reply %d: %s", cd, hecat__socks4_cd_name(cd));
	if (cd == 90)
		return HECAT__STAGE_DONE;
	snprintf(why, sizeof(why), "reply %d: %s", cd,
	    hecat__socks4_cd_name(cd));
	return hecat__stage_fail(st, hecat__socks4_cd_errno(cd), why);
}

static enum hecat__stage_rc
s4_start(struct hecat__stage *st)
{
	struct s4 *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return hecat__stage_fail(st, ENOMEM, NULL);
	st->priv = s;
	st->code = -1;
	s->outlen = hecat__socks4_request(s->out, st->req->name,
	    (const struct sockaddr *)&st->req->addr, st->req->port,
	    st->req->user);
	if (s->outlen == 0)
		return hecat__stage_fail(st, EINVAL, st->req->name == NULL &&
		    st->req->addr.ss_family != AF_INET ?
		    "SOCKS4 reaches IPv4 addresses only" :
		    "target or user name longer than 255 bytes");
	return s4_run(st);
}

static void
s4_cleanup(struct hecat__stage *st)
{
	free(st->priv);
	st->priv = NULL;
}

const struct hecat__stage_ops hecat__stage_socks4 = {
	HECAT_STAGE_SOCKS4,
	s4_start,
	s4_run,
	s4_cleanup
};
