/*
 * hecat - a Happy Eyeballs (RFC 8305) netcat-style dialer.
 *
 * main: parse, dial, then report (-z), pass the socket on (-F) or relay
 * stdin and stdout over it; the exit status says how it went.  Nothing
 * else lives here: options.c, connect.c, relay.c and trace.c do the work.
 */
#include "config.h"

#include <sys/signalfd.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <event2/event.h>

#include "connect.h"
#include "hecat.h"
#include "options.h"
#include "relay.h"
#include "ssl_dl.h"	/* the session the library made (OpenSSL loaded) */
#include "trace.h"

/*
 * SIGHUP (ssh leaving), SIGTERM and SIGINT end hecat at once.  They are
 * blocked and read from a signalfd, so that the dial and the relay notice
 * them in their loops, write the trace's summary, and then die of the same
 * signal: the exit status still says "killed by signal N".
 */
static int
signals_setup(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	if (sigprocmask(SIG_BLOCK, set, NULL) == -1)
		return -1;
	return signalfd(-1, set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/*
 * libevent's own messages: errors always, the rest at -vvv; its fatal
 * errors (it cannot go on, e.g. no descriptor for its signal pipe) exit
 * as an OS error instead of libevent's default exit(1).
 */
static int event_verbosity;

static void
libevent_log_cb(int severity, const char *msg)
{
	if (severity >= EVENT_LOG_ERR || event_verbosity >= 3)
		fprintf(stderr, "hecat: libevent: %s\n", msg);
}

static void
libevent_fatal_cb(int err)
{
	(void)err;		/* libevent logged the reason already */
	_exit(EX_OSERR);
}

/*
 * Descriptors 0, 1 and 2 that were left closed (hecat <&- >&- 2>&-) are
 * opened on /dev/null before anything else, so that no descriptor hecat
 * opens lands there: the signalfd as "stdout", the connected socket as
 * "stderr" (the error lines would go to the peer).  Each is opened the
 * other way round (stdin write-only, stdout and stderr read-only), so
 * that using it fails with EBADF as the closed descriptor would have.
 * Returns 0, or -1 when /dev/null cannot be opened.
 */
static int
stdio_reserve(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY) != fd)
			return -1;
	}
	return 0;
}

static void
die_of(int sig, const sigset_t *set)
{
	signal(sig, SIG_DFL);
	sigprocmask(SIG_UNBLOCK, set, NULL);
	raise(sig);
	_exit(128 + sig);
}

/*
 * The watch of the race's losers, if any, to its end (stdout let go
 * first); a signal during it ends the run as it would the relay.
 */
static void
follow_end(struct connect_result *cr, int sigfd, struct out *out,
    const sigset_t *sigs)
{
	int sig;

	if ((sig = connect_follow_end(cr, sigfd)) == 0)
		return;
	out_summary(out, 128 + sig, "signal", NULL);
	out_free(out);
	die_of(sig, sigs);
}

/* -z with --tls: say goodbye (close_notify) if that needs no waiting. */
static void
tls_close(void *tls)
{
	if (tls == NULL)
		return;
	ERR_clear_error();
	(void)SSL_shutdown(tls);
	SSL_free(tls);
}

int
main(int argc, char *argv[])
{
	struct options opts;
	struct connect_result cr;
	struct relay_opts ro;
	struct relay_result rr;
	struct out *out = NULL;
	sigset_t sigs;
	char err[512];
	int fd, sigfd, status, flags;
	const char *outcome;

	if (stdio_reserve() == -1)
		return EX_OSERR;
	if (options_parse(&opts, argc, argv, err, sizeof(err)) == -1) {
		out_error(NULL, "%s (see hecat --help)", err);
		options_free(&opts);
		return EX_USAGE;
	}
	if (opts.help) {
		fputs(options_usage(), stdout);
		return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
	}
	if (opts.version) {
		printf("hecat %s (libhecat %s)\n", PACKAGE_VERSION,
		    hecat_version());
		return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
	}
	event_verbosity = opts.verbose;
	event_set_log_callback(libevent_log_cb);
	event_set_fatal_callback(libevent_fatal_cb);
	if (opts.fdpass && !is_unix_socket(STDOUT_FILENO)) {
		fprintf(stderr, "hecat: -F: stdout is not a unix-domain socket "
		    "(use it as an ssh ProxyCommand with ProxyUseFdpass yes)\n");
		options_free(&opts);
		return EX_USAGE;
	}
	if ((out = out_new(&opts, argc, argv, err, sizeof(err))) == NULL) {
		out_error(NULL, "%s", err);
		options_free(&opts);
		return EX_USAGE;
	}
	if (opts.attempt_delay_clamped && opts.verbose > 0)
		out_error(out, "--attempt-delay clamped to %ums (RFC 8305: "
		    "10ms to 2s)", opts.dial.attempt_delay_ms);
	/* EPIPE is handled where it happens; SIGPIPE would kill us. */
	signal(SIGPIPE, SIG_IGN);
	if ((sigfd = signals_setup(&sigs)) == -1) {
		out_error(out, "cannot watch signals: %s", strerror(errno));
		status = EX_OSERR;
		out_summary(out, status, "os_error", NULL);
		goto done;
	}

	fd = connect_run(&opts, out, sigfd, &cr);
	if (fd == -1) {
		status = cr.status;
		out_summary(out, cr.signal ? 128 + cr.signal : status,
		    cr.outcome, NULL);
		if (cr.signal != 0) {
			out_free(out);
			die_of(cr.signal, &sigs);
		}
		goto done;
	}

	if (opts.zero) {
		tls_close(cr.tls);
		close(fd);
		status = EX_OK;
		follow_end(&cr, sigfd, out, &sigs);
		out_summary(out, status, "connected", NULL);
		goto done;
	}
	if (opts.fdpass) {
		/* A socket as socket(2) makes them: blocking. */
		if ((flags = fcntl(fd, F_GETFL)) != -1)
			fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
		if (fd_pass(STDOUT_FILENO, fd) == -1) {
			out_error(out, "-F: cannot pass the socket: %s",
			    strerror(errno));
			status = EX_OSERR;
			outcome = "os_error";
		} else {
			status = EX_OK;
			outcome = "connected";
		}
		close(fd);
		follow_end(&cr, sigfd, out, &sigs);
		out_summary(out, status, outcome, NULL);
		goto done;
	}

	memset(&ro, 0, sizeof(ro));
	ro.no_stdin = opts.no_stdin;
	ro.send_only = opts.send_only;
	ro.no_shutdown = opts.no_shutdown;
	ro.quit_ms = opts.quit_ms == OPT_NONE ? -1 : (int)opts.quit_ms;
	ro.idle_ms = opts.idle_timeout_ms == OPT_NONE ? -1 :
	    (int)opts.idle_timeout_ms;
	ro.sigfd = sigfd;
	ro.tls = cr.tls;
	ro.event = out_relay_event;
	ro.arg = out;
	status = relay(fd, STDIN_FILENO, STDOUT_FILENO, &ro, &rr);
	if (cr.tls != NULL)	/* the relay said goodbye (close_notify) */
		SSL_free(cr.tls);
	close(fd);
	if (rr.signal != 0) {
		out_summary(out, 128 + rr.signal, "signal", &rr);
		out_free(out);
		die_of(rr.signal, &sigs);
	}
	if (status != EX_OK)
		out_error(out, "%s: %s", rr.where != NULL ? rr.where : "relay",
		    rr.reason);
	follow_end(&cr, sigfd, out, &sigs);
	out_summary(out, status, status == EX_OK ? "connected" : "io_error",
	    &rr);
done:
	out_free(out);
	options_free(&opts);
	return status;
}
