/*
 * sync.c - hecat_dial_sync(): a dial on a private event base, for
 * programs without an event loop of their own.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "hecat.h"

struct sync_state {
	bool	 done;
	int	 fd;
	int	 err;
	char	*errbuf;
	size_t	 errlen;
};

static void
sync_cb(const struct hecat_result *r, void *arg)
{
	struct sync_state *st = arg;

	st->done = true;
	st->fd = r->fd;
	st->err = r->err;
	if (r->err != HECAT_OK && st->errlen > 0)
		snprintf(st->errbuf, st->errlen, "%s", r->message);
}

int
hecat_dial_sync(const char *host, const uint16_t *ports, size_t nports,
    const struct hecat_config *config, const struct hecat_opts *opts,
    char *errbuf, size_t errlen)
{
	struct sync_state st = { false, -1, HECAT_E_SYSTEM, errbuf, errlen };
	struct event_config *ecfg;
	struct event_base *base = NULL;
	struct hecat *h = NULL;
	int flags;

	if (errlen > 0)
		errbuf[0] = '\0';
	/* A precise clock: the attempt delays are tens of milliseconds. */
	if ((ecfg = event_config_new()) != NULL) {
		event_config_set_flag(ecfg, EVENT_BASE_FLAG_PRECISE_TIMER);
		event_config_set_flag(ecfg, EVENT_BASE_FLAG_IGNORE_ENV);
		base = event_base_new_with_config(ecfg);
		event_config_free(ecfg);
	}
	if (base == NULL || (h = hecat_new(base, config)) == NULL) {
		st.err = errno == EINVAL ? HECAT_E_INVAL : HECAT_E_SYSTEM;
		if (errlen > 0)
			snprintf(errbuf, errlen, "cannot set up: %s",
			    strerror(errno));
		goto out;
	}
	if (hecat_connect(h, host, ports, nports, opts, sync_cb, &st) ==
	    NULL) {
		st.err = errno == EINVAL ? HECAT_E_INVAL : HECAT_E_SYSTEM;
		if (errlen > 0)
			snprintf(errbuf, errlen, "cannot dial: %s",
			    strerror(errno));
		goto out;
	}
	while (!st.done && event_base_loop(base, EVLOOP_ONCE) == 0)
		;
	if (st.fd != -1 && (flags = fcntl(st.fd, F_GETFL)) != -1)
		fcntl(st.fd, F_SETFL, flags & ~O_NONBLOCK);
out:
	hecat_free(h);
	if (base != NULL)
		event_base_free(base);
	return st.fd != -1 ? st.fd : st.err;
}
