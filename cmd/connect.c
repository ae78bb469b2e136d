/*
 * connect.c - the dial, with libhecat on a libevent base of its own, and
 * what the outcome means as an exit status (cli-conventions section 4).
 */
#include "config.h"

#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <event2/event.h>

#include "connect.h"

struct dial_state {
	struct event_base	*base;
	struct hecat		*h;
	struct out		*out;
	const struct options	*opts;
	bool			 done;
	int			 fd;
	void			*tls;
	int			 status;
	const char		*outcome;
	int			 signal;
	unsigned		 following;	/* losers still watched */
};

/*
 * The losers of the race, watched (--follow-losers) while the relay runs:
 * the event base goes on in a thread of its own, which alone touches the
 * base and the instance from then on, and says on an eventfd when the
 * last loser has ended.
 */
struct follow {
	struct dial_state	*st;
	pthread_t		 thread;
	int			 donefd;
};

/*
 * The exit status of a failed dial.  Mixed reasons: a timeout outranks
 * the rest (75 beats 1); 76 (TLS), 77 and 71 only when every attempt
 * failed for that kind of reason.
 */
static int
failure_status(const struct hecat_result *r, const char **outcome)
{
	bool timeout = false, all_perm = true, all_os = true, all_tls = true;
	size_t i, n = 0;
	int e;

	switch (r->err) {
	case HECAT_E_NOHOST:
	case HECAT_E_NOADDR:
		*outcome = "no_host";
		return EX_NOHOST;
	case HECAT_E_DNS:
		*outcome = "dns_failure";
		return EX_TEMPFAIL;
	case HECAT_E_DNSSEC:
		*outcome = "dnssec_failure";
		return EX_DATAERR;
	case HECAT_E_TIMEOUT:
		*outcome = "timeout";
		return EX_TEMPFAIL;
	case HECAT_E_INVAL:
		*outcome = "usage";
		return EX_USAGE;
	case HECAT_E_SYSTEM:
		*outcome = "os_error";
		return EX_OSERR;
	default:
		break;
	}
	for (i = 0; i < r->nfailures; i++) {
		if ((e = r->failures[i].error) == 0)
			continue;
		n++;
		timeout |= e == ETIMEDOUT;
		all_perm &= e == EACCES || e == EPERM;
		all_os &= e == EMFILE || e == ENFILE || e == ENOBUFS ||
		    e == ENOMEM;
		all_tls &= r->failures[i].stage == HECAT_STAGE_TLS;
	}
	if (timeout) {
		*outcome = "timeout";
		return EX_TEMPFAIL;
	}
	if (n > 0 && all_tls) {
		*outcome = "tls_failure";
		return EX_PROTOCOL;
	}
	if (n > 0 && all_perm) {
		*outcome = "no_permission";
		return EX_NOPERM;
	}
	if (n > 0 && all_os) {
		*outcome = "os_error";
		return EX_OSERR;
	}
	*outcome = "all_failed";
	return 1;
}

static void
dial_cb(const struct hecat_result *r, void *arg)
{
	struct dial_state *st = arg;
	struct hecat_result tls;
	char msg[1024];

	st->done = true;
	st->fd = r->fd;
	st->tls = r->tls;
	/*
	 * getdns reports a failed TLS session (refused, handshake, or a
	 * certificate not valid for the name) as a bare error: say what it
	 * most likely was.
	 */
	if (r->err == HECAT_E_DNS && st->opts->cfg.dns_tls != NULL &&
	    (r->aaaa_status == HECAT_DNS_ERROR ||
	    r->a_status == HECAT_DNS_ERROR)) {
		tls = *r;
		snprintf(msg, sizeof(msg), "%s; no DNS-over-TLS answer: the "
		    "TLS connection or its certificate authentication failed",
		    r->message);
		tls.message = msg;
		r = &tls;
	}
	out_dial_result(st->out, r);
	if (r->err == HECAT_OK) {
		st->status = EX_OK;
		st->outcome = "connected";
	} else
		st->status = failure_status(r, &st->outcome);
	event_base_loopbreak(st->base);
}

/* Every trace event goes to the output; the dial keeps count of losers. */
static void
trace_cb(const struct hecat_trace *t, void *arg)
{
	struct dial_state *st = arg;

	if ((t->kind == HECAT_TRACE_WINNER && !t->proxy_race) ||
	    t->kind == HECAT_TRACE_LOSER)
		st->following = t->following;
	out_dial_event(t, st->out);
}

static void
signal_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dial_state *st = arg;
	struct signalfd_siginfo si;

	(void)what;
	if (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		st->signal = (int)si.ssi_signo;
		event_base_loopbreak(st->base);
	}
}

/*
 * Where history is kept: $XDG_CACHE_HOME/hecat/history, else
 * $HOME/.cache/hecat/history (the XDG Base Directory rules: a relative
 * path is ignored); NULL when neither is set.  Every hecat process of
 * the user shares the file.
 */
static const char *
history_path(char *buf, size_t len)
{
	const char *dir;
	int n;

	if ((dir = getenv("XDG_CACHE_HOME")) != NULL && dir[0] == '/')
		n = snprintf(buf, len, "%s/hecat/history", dir);
	else if ((dir = getenv("HOME")) != NULL && dir[0] == '/')
		n = snprintf(buf, len, "%s/.cache/hecat/history", dir);
	else
		return NULL;
	return n > 0 && (size_t)n < len ? buf : NULL;
}

static void *
follow_thread(void *arg)
{
	struct follow *f = arg;
	uint64_t one = 1;

	/* Bounded: each loser ends by the time asked, at the latest. */
	while (f->st->following > 0)
		if (event_base_loop(f->st->base, EVLOOP_ONCE) != 0)
			break;
	while (write(f->donefd, &one, sizeof(one)) == -1 && errno == EINTR)
		;
	return NULL;
}

static void
state_free(struct dial_state *st)
{
	hecat_free(st->h);
	if (st->base != NULL)
		event_base_free(st->base);
	free(st);
}

/* The watch, in a thread, if the winner left losers to watch. */
static struct follow *
follow_start(struct dial_state *st)
{
	struct follow *f;

	if (st->following == 0 || (f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->st = st;
	if ((f->donefd = eventfd(0, EFD_CLOEXEC)) == -1) {
		free(f);
		return NULL;
	}
	if ((errno = pthread_create(&f->thread, NULL, follow_thread, f)) != 0) {
		close(f->donefd);
		free(f);
		return NULL;
	}
	return f;
}

int
connect_follow_end(struct connect_result *cr, int sigfd)
{
	struct follow *f = cr->follow;
	struct signalfd_siginfo si;
	struct pollfd p[2];
	int nul;

	if (f == NULL)
		return 0;
	/* Whoever reads stdout is not kept waiting for the watch. */
	if ((nul = open("/dev/null", O_WRONLY | O_CLOEXEC)) != -1) {
		dup2(nul, STDOUT_FILENO);
		close(nul);
	}
	p[0].fd = f->donefd;
	p[0].events = POLLIN;
	p[1].fd = sigfd;
	p[1].events = POLLIN;
	for (;;) {
		if (poll(p, sigfd != -1 ? 2 : 1, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents != 0)
			break;
		if ((p[1].revents & POLLIN) != 0 && read(sigfd, &si,
		    sizeof(si)) == (ssize_t)sizeof(si))
			return (int)si.ssi_signo;	/* the thread dies with
							   the process */
	}
	pthread_join(f->thread, NULL);
	close(f->donefd);
	state_free(f->st);
	free(f);
	cr->follow = NULL;
	return 0;
}

int
connect_run(const struct options *o, struct out *out, int sigfd,
    struct connect_result *cr)
{
	struct dial_state *st;
	struct event_config *ecfg;
	struct hecat_config cfg;
	struct hecat_opts ho;
	struct hecat_dial *d;
	struct event *sigev = NULL;
	char hpath[PATH_MAX];
	int fd;

	memset(cr, 0, sizeof(*cr));
	cr->status = EX_OSERR;
	cr->outcome = "os_error";
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		out_error(out, "cannot dial: %s", strerror(errno));
		return -1;
	}
	st->fd = -1;
	st->out = out;
	st->opts = o;
	st->status = EX_OSERR;
	st->outcome = "os_error";

	/* A precise clock: the delays to keep are tens of milliseconds. */
	if ((ecfg = event_config_new()) != NULL) {
		event_config_set_flag(ecfg, EVENT_BASE_FLAG_PRECISE_TIMER);
		/* libevent's EVENT_NO* variables must not change hecat. */
		event_config_set_flag(ecfg, EVENT_BASE_FLAG_IGNORE_ENV);
		st->base = event_base_new_with_config(ecfg);
		event_config_free(ecfg);
	}
	if (st->base == NULL) {
		out_error(out, "cannot create an event base: %s",
		    strerror(errno));
		goto out;
	}

	cfg = o->cfg;
	ho = o->dial;
	if (ho.history != HECAT_HISTORY_OFF)
		cfg.history_file = history_path(hpath, sizeof(hpath));
	if (cfg.history_file == NULL)
		ho.history = HECAT_HISTORY_OFF;
	if ((st->h = hecat_new(st->base, &cfg)) == NULL) {
		out_error(out, "cannot set up the resolver: %s",
		    strerror(errno));
		goto out;
	}
	ho.trace = trace_cb;
	ho.trace_arg = st;

	if (sigfd != -1) {
		sigev = event_new(st->base, sigfd, EV_READ | EV_PERSIST,
		    signal_cb, st);
		if (sigev == NULL || event_add(sigev, NULL) == -1) {
			out_error(out, "cannot watch signals: %s",
			    strerror(errno));
			goto out;
		}
	}
	if ((d = hecat_connect(st->h, o->host, o->ports, o->nports, &ho,
	    dial_cb, st)) == NULL) {
		out_error(out, "cannot dial: %s", strerror(errno));
		goto out;
	}
	while (!st->done && st->signal == 0)
		if (event_base_loop(st->base, EVLOOP_ONCE) == -1)
			break;
	if (!st->done) {
		hecat_dial_cancel(d);
		if (st->signal != 0)
			st->outcome = "signal";
	}
out:
	if (sigev != NULL)
		event_free(sigev);
	cr->status = st->status;
	cr->outcome = st->outcome;
	cr->signal = st->signal;
	cr->tls = st->tls;
	fd = st->fd;
	/* The signals are the relay's now; the losers, the thread's. */
	if (fd == -1 || (cr->follow = follow_start(st)) == NULL)
		state_free(st);
	return fd;
}

bool
is_unix_socket(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	return getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
	    ss.ss_family == AF_UNIX;
}

int
fd_pass(int channel, int fd)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cmsg;
	struct cmsghdr *c;
	struct msghdr msg;
	struct iovec iov;
	char byte = '\0';
	ssize_t n;

	memset(&msg, 0, sizeof(msg));
	memset(&cmsg, 0, sizeof(cmsg));
	iov.iov_base = &byte;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cmsg.buf;
	msg.msg_controllen = sizeof(cmsg.buf);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_len = CMSG_LEN(sizeof(int));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	while ((n = sendmsg(channel, &msg, MSG_NOSIGNAL)) == -1 &&
	    errno == EINTR)
		;
	return n == 1 ? 0 : -1;
}
