/*
 * getdns_event.c - getdns's event-loop abstraction on a libevent base.
 *
 * getdns drives its sockets and timers through a small virtual method table
 * (getdns_eventloop_vmt).  Upstream ships a libevent implementation as
 * libgetdns_ex_event, but Debian 12's shared object exports none of its
 * symbols, so we provide our own: each getdns_eventloop_event becomes one
 * libevent event on the caller's base.  We never own or run the base; the
 * application runs it, and getdns's callbacks fire from it.
 *
 * One check getdns lacks: its UDP sockets are not connected, and it reads
 * an answer with recvfrom() without looking at where it came from, so any
 * datagram with the right ID would do, from any address and port.  Before
 * a UDP socket's read callback runs, the datagrams at the head of its
 * queue that do not come from one of the configured name servers (address
 * and port) are dropped, as glibc's resolver does.  Stream sockets (TCP,
 * and DNS over TLS, whose handshake getdns runs on them) are connected to
 * their server and pass untouched.  Without name servers (full recursion,
 * where libunbound asks whichever server the delegations name and checks
 * the answers itself) nothing is dropped.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "getdns_dl.h"
#include "resolver.h"
#include "resolvconf.h"

/* getdns's "no timeout" (TIMEOUT_FOREVER in its private headers). */
#define GETDNS_NO_TIMEOUT	UINT64_MAX

struct hecat__getdns_loop {
	getdns_eventloop	 loop;		/* first: getdns casts to it */
	struct event_base	*base;
	const struct hecat__resolvconf *rc;	/* the name servers */
};

/* What gev->ev points to: the libevent event and what it is for. */
struct loop_ev {
	struct event			*ev;
	struct hecat__getdns_loop	*gl;
	getdns_eventloop_event		*gev;
	bool				 udp;	/* a datagram socket */
};

/* Whether ss (an answer's source) is one of the name servers. */
static bool
from_server(const struct hecat__resolvconf *rc,
    const struct sockaddr_storage *ss)
{
	struct hecat__ip ip;
	uint16_t port;
	size_t i;

	hecat__ip_from_sa(&ip, (const struct sockaddr *)ss);
	port = hecat__sa_port((const struct sockaddr *)ss);
	/* An IPv4 server seen through an IPv6 socket: ::ffff:a.b.c.d. */
	if (ip.family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(
	    (const struct in6_addr *)ip.a)) {
		memmove(ip.a, ip.a + 12, 4);
		ip.family = AF_INET;
	}
	for (i = 0; i < rc->nns; i++)
		if (rc->ns[i].ip.family == ip.family &&
		    rc->ns[i].port == port && memcmp(rc->ns[i].ip.a, ip.a,
		    ip.family == AF_INET6 ? 16 : 4) == 0)
			return true;
	return false;
}

/*
 * Drop the datagrams at the head of the UDP socket fd's queue that come
 * from anywhere but a name server.  Returns true when one from a name
 * server (or an error getdns should see) is next, false when the queue
 * is empty.
 */
static bool
udp_answer_next(const struct hecat__getdns_loop *gl, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len;
	uint8_t byte;
	ssize_t n;
	int i;

	for (i = 0; i < 64; i++) {
		len = sizeof(ss);
		memset(&ss, 0, sizeof(ss));
		n = recvfrom(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT,
		    (struct sockaddr *)&ss, &len);
		if (n == -1)
			return errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR;
		if (gl->rc == NULL || from_server(gl->rc, &ss))
			return true;
		(void)recv(fd, &byte, 1, MSG_DONTWAIT);	/* a stranger's */
	}
	return false;		/* more: the event fires again */
}

/* libevent fired: read, then write, then timeout, as getdns expects. */
static void
loop_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct loop_ev *le = arg;
	getdns_eventloop_event *gev = le->gev;

	if ((what & EV_READ) && gev->read_cb != NULL) {
		if (!le->udp || udp_answer_next(le->gl, fd))
			gev->read_cb(gev->userarg);
	} else if ((what & EV_WRITE) && gev->write_cb != NULL)
		gev->write_cb(gev->userarg);
	else if ((what & EV_TIMEOUT) && gev->timeout_cb != NULL)
		gev->timeout_cb(gev->userarg);
}

static getdns_return_t
loop_schedule(getdns_eventloop *loop, int fd, uint64_t timeout,
    getdns_eventloop_event *gev)
{
	struct hecat__getdns_loop *gl = (struct hecat__getdns_loop *)loop;
	struct timeval tv, *tvp = NULL;
	struct loop_ev *le;
	socklen_t len = sizeof(int);
	int type = 0;
	short what = 0;

	if (gev == NULL)
		return GETDNS_RETURN_INVALID_PARAMETER;
	if (fd >= 0 && gev->read_cb != NULL)
		what |= EV_READ | EV_PERSIST;
	if (fd >= 0 && gev->write_cb != NULL)
		what |= EV_WRITE | EV_PERSIST;
	if (gev->timeout_cb != NULL && timeout != GETDNS_NO_TIMEOUT) {
		tv.tv_sec = (time_t)(timeout / 1000);
		tv.tv_usec = (suseconds_t)((timeout % 1000) * 1000);
		tvp = &tv;
	}
	if ((le = calloc(1, sizeof(*le))) == NULL)
		return GETDNS_RETURN_MEMORY_ERROR;
	le->gl = gl;
	le->gev = gev;
	le->udp = fd >= 0 && gev->read_cb != NULL && getsockopt(fd,
	    SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_DGRAM;
	le->ev = event_new(gl->base, fd >= 0 ? fd : -1, what, loop_event_cb,
	    le);
	if (le->ev == NULL) {
		free(le);
		return GETDNS_RETURN_MEMORY_ERROR;
	}
	if (event_add(le->ev, tvp) == -1) {
		event_free(le->ev);
		free(le);
		return GETDNS_RETURN_GENERIC_ERROR;
	}
	gev->ev = le;
	return GETDNS_RETURN_GOOD;
}

static getdns_return_t
loop_clear(getdns_eventloop *loop, getdns_eventloop_event *gev)
{
	struct loop_ev *le;

	(void)loop;
	if (gev == NULL || (le = gev->ev) == NULL)
		return GETDNS_RETURN_INVALID_PARAMETER;
	event_free(le->ev);	/* event_free() deletes it first */
	free(le);
	gev->ev = NULL;
	return GETDNS_RETURN_GOOD;
}

/* The base belongs to the application: nothing to clean up. */
static void
loop_cleanup(getdns_eventloop *loop)
{
	(void)loop;
}

static void
loop_run(getdns_eventloop *loop)
{
	struct hecat__getdns_loop *gl = (struct hecat__getdns_loop *)loop;

	event_base_dispatch(gl->base);
}

static void
loop_run_once(getdns_eventloop *loop, int blocking)
{
	struct hecat__getdns_loop *gl = (struct hecat__getdns_loop *)loop;

	event_base_loop(gl->base, blocking ? EVLOOP_ONCE : EVLOOP_NONBLOCK);
}

static getdns_eventloop_vmt loop_vmt = {
	loop_cleanup,
	loop_schedule,
	loop_clear,
	loop_run,
	loop_run_once,
};

/*
 * Make ctx run its I/O on base, taking UDP answers from the name servers
 * of rc only (which must outlive the adapter).  Returns the adapter, to
 * free after the context, or NULL with errno.
 */
struct hecat__getdns_loop *
hecat__getdns_loop_attach(struct getdns_context *ctx, struct event_base *base,
    const struct hecat__resolvconf *rc)
{
	struct hecat__getdns_loop *gl;

	if ((gl = calloc(1, sizeof(*gl))) == NULL)
		return NULL;
	gl->loop.vmt = &loop_vmt;
	gl->base = base;
	gl->rc = rc;
	if (getdns_context_set_eventloop(ctx, &gl->loop) != GETDNS_RETURN_GOOD) {
		free(gl);
		errno = EINVAL;
		return NULL;
	}
	return gl;
}

void
hecat__getdns_loop_free(struct hecat__getdns_loop *gl)
{
	free(gl);
}
