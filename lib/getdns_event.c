/*
 * getdns_event.c - getdns's event-loop abstraction on a libevent base.
 *
 * getdns drives its sockets and timers through a small virtual method table
 * (getdns_eventloop_vmt).  Upstream ships a libevent implementation as
 * libgetdns_ex_event, but Debian 12's shared object exports none of its
 * symbols, so we provide our own: each getdns_eventloop_event becomes one
 * libevent event on the caller's base.  We never own or run the base; the
 * application runs it, and getdns's callbacks fire from it.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include <event2/event.h>

#include "getdns_dl.h"
#include "internal.h"

/* getdns's "no timeout" (TIMEOUT_FOREVER in its private headers). */
#define GETDNS_NO_TIMEOUT	UINT64_MAX

struct hecat__getdns_loop {
	getdns_eventloop	 loop;		/* first: getdns casts to it */
	struct event_base	*base;
};

/* libevent fired: read, then write, then timeout, as getdns expects. */
static void
loop_event_cb(evutil_socket_t fd, short what, void *arg)
{
	getdns_eventloop_event *gev = arg;

	(void)fd;
	if ((what & EV_READ) && gev->read_cb != NULL)
		gev->read_cb(gev->userarg);
	else if ((what & EV_WRITE) && gev->write_cb != NULL)
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
	struct event *ev;
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
	ev = event_new(gl->base, fd >= 0 ? fd : -1, what, loop_event_cb, gev);
	if (ev == NULL)
		return GETDNS_RETURN_MEMORY_ERROR;
	if (event_add(ev, tvp) == -1) {
		event_free(ev);
		return GETDNS_RETURN_GENERIC_ERROR;
	}
	gev->ev = ev;
	return GETDNS_RETURN_GOOD;
}

static getdns_return_t
loop_clear(getdns_eventloop *loop, getdns_eventloop_event *gev)
{
	(void)loop;
	if (gev == NULL || gev->ev == NULL)
		return GETDNS_RETURN_INVALID_PARAMETER;
	event_free(gev->ev);	/* event_free() deletes it first */
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
 * Make ctx run its I/O on base.  Returns the adapter, to free after the
 * context, or NULL with errno.
 */
struct hecat__getdns_loop *
hecat__getdns_loop_attach(struct getdns_context *ctx, struct event_base *base)
{
	struct hecat__getdns_loop *gl;

	if ((gl = calloc(1, sizeof(*gl))) == NULL)
		return NULL;
	gl->loop.vmt = &loop_vmt;
	gl->base = base;
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
