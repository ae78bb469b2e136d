/*
 * socks5.c - the SOCKS5 stage (RFC 1928, username/password RFC 1929):
 * greeting, method, credentials when asked, CONNECT, reply.  One message
 * at a time, each answer awaited before the next is sent (some servers
 * read one message per segment), every answer read exactly, so that the
 * first byte of the target's stream stays in the socket.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxyproto.h"
#include "stage.h"

enum phase {
	GREET,		/* sending the greeting */
	METHOD,		/* reading the method chosen */
	AUTH,		/* sending the credentials */
	AUTH_REPLY,	/* reading their verdict */
	REQUEST,	/* sending CONNECT */
	REPLY		/* reading the reply: its head, then the rest */
};

struct s5 {
	enum phase	 phase;
	uint8_t		 out[HECAT__SOCKS_AUTH_MAX];
	size_t		 outlen, outoff;
	uint8_t		 in[HECAT__SOCKS5_MAXREPLY];
	size_t		 want, have;
};

static void
say(struct s5 *s, enum phase phase, size_t len)
{
	s->phase = phase;
	s->outlen = len;
	s->outoff = 0;
}

static void
expect(struct s5 *s, enum phase phase, size_t want)
{
	s->phase = phase;
	s->want = want;
	s->have = 0;
}

static bool
have_creds(const struct hecat__stage *st)
{
	return st->req->user != NULL && st->req->password != NULL;
}

/* The method the proxy chose: go on with it, or say why not. */
static enum hecat__stage_rc
method(struct hecat__stage *st, struct s5 *s)
{
	int m = hecat__socks5_method(s->in);

	if (m == -1)
		return hecat__stage_fail(st, EPROTO, "not a SOCKS5 proxy");
	if (m == HECAT__SOCKS5_NONE)
		return hecat__stage_fail(st, EACCES, have_creds(st) ?
		    "no acceptable authentication method" :
		    "no acceptable authentication method (the proxy may "
		    "want a username and password)");
	if (m == HECAT__SOCKS5_USERPASS && have_creds(st)) {
		hecat__stage_step(st, "method username/password");
		say(s, AUTH, hecat__socks5_auth(s->out, st->req->user,
		    st->req->password));
		if (s->outlen == 0)
			return hecat__stage_fail(st, EINVAL, "username or "
			    "password empty or longer than 255 bytes");
		return HECAT__STAGE_DONE;
	}
	if (m == HECAT__SOCKS5_USERPASS)
		return hecat__stage_fail(st, EACCES, "the proxy wants a "
		    "username and password");
	if (m != HECAT__SOCKS5_NOAUTH)
		return hecat__stage_fail(st, EPROTO, "the proxy chose a method "
		    "that was not offered");
	hecat__stage_step(st, "method none");
	return HECAT__STAGE_DONE;
}

/* RFC 1929's verdict: a refusal, or not an answer at all. */
static enum hecat__stage_rc
auth_reply(struct hecat__stage *st, struct s5 *s)
{
	switch (hecat__socks5_auth_status(s->in)) {
	case 0:
		return HECAT__STAGE_DONE;
	case 1:
		return hecat__stage_fail(st, EACCES,
		    "username/password refused");
	default:
		return hecat__stage_fail(st, EPROTO,
		    "malformed username/password reply");
	}
}

/* Put the CONNECT request in the out buffer. */
static enum hecat__stage_rc
request(struct hecat__stage *st, struct s5 *s)
{
	uint8_t req[HECAT__SOCKS5_MAXMSG];
	size_t len;

	len = hecat__socks5_request(req, st->req->name,
	    (const struct sockaddr *)&st->req->addr, st->req->port);
	if (len == 0)
		return hecat__stage_fail(st, EINVAL, "target name longer "
		    "than 255 bytes");
	memcpy(s->out, req, len);
	say(s, REQUEST, len);
	return HECAT__STAGE_DONE;
}

/* The reply, whole: the verdict. */
static enum hecat__stage_rc
reply(struct hecat__stage *st, struct s5 *s)
{
	char why[HECAT__STAGE_DETAILLEN];
	int rep;

	if (hecat__socks5_reply(s->in, s->have, &rep, &st->bound,
	    &st->boundlen) == -1)
		return hecat__stage_fail(st, EPROTO, "malformed SOCKS5 reply");
	st->code = rep;
	hecat__stage_step(st, "reply %d: %s", rep, hecat__socks5_rep_name(rep));
	if (rep == 0)
		return HECAT__STAGE_DONE;
	snprintf(why, sizeof(why), "reply %d: %s", rep,
	    hecat__socks5_rep_name(rep));
	return hecat__stage_fail(st, hecat__socks5_rep_errno(rep), why);
}

static enum hecat__stage_rc
s5_run(struct hecat__stage *st)
{
	struct s5 *s = st->priv;
	enum hecat__stage_rc rc;
	int len;

	for (;;) {
		if (s->phase == GREET || s->phase == AUTH ||
		    s->phase == REQUEST) {
			if ((rc = hecat__stage_send(st, s->out, s->outlen,
			    &s->outoff)) != HECAT__STAGE_DONE)
				return rc;
			if (s->phase == REQUEST) {
				hecat__stage_step(st, "CONNECT sent");
				expect(s, REPLY, 5);
			} else
				expect(s, s->phase == GREET ? METHOD :
				    AUTH_REPLY, 2);
			continue;
		}
		if ((rc = hecat__stage_recv(st, s->in, s->want, &s->have)) !=
		    HECAT__STAGE_DONE)
			return rc;
		switch (s->phase) {
		case METHOD:
			if ((rc = method(st, s)) != HECAT__STAGE_DONE)
				return rc;
			if (s->phase == METHOD && (rc = request(st, s)) !=
			    HECAT__STAGE_DONE)
				return rc;
			break;
		case AUTH_REPLY:
			if ((rc = auth_reply(st, s)) != HECAT__STAGE_DONE)
				return rc;
			hecat__stage_step(st, "username/password accepted");
			if ((rc = request(st, s)) != HECAT__STAGE_DONE)
				return rc;
			break;
		default:			/* REPLY */
			if ((len = hecat__socks5_reply_len(s->in, s->have)) ==
			    -1)
				return hecat__stage_fail(st, EPROTO,
				    "malformed SOCKS5 reply");
			if ((size_t)len > s->have) {
				s->want = (size_t)len;	/* the rest */
				continue;
			}
			return reply(st, s);
		}
	}
}

static enum hecat__stage_rc
s5_start(struct hecat__stage *st)
{
	struct s5 *s;

	if (st->req->name != NULL && (st->req->name[0] == '\0' ||
	    strlen(st->req->name) > 255))	/* before a word is sent */
		return hecat__stage_fail(st, EINVAL, "target name empty or "
		    "longer than 255 bytes");
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return hecat__stage_fail(st, ENOMEM, NULL);
	st->priv = s;
	st->code = -1;
	say(s, GREET, hecat__socks5_greeting(s->out, have_creds(st)));
	hecat__stage_step(st, "greeting: methods none%s",
	    have_creds(st) ? ", username/password" : "");
	return s5_run(st);
}

static void
s5_cleanup(struct hecat__stage *st)
{
	free(st->priv);
	st->priv = NULL;
}

const struct hecat__stage_ops hecat__stage_socks5 = {
	HECAT_STAGE_SOCKS5,
	s5_start,
	s5_run,
	s5_cleanup
};
