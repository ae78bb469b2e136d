/*
 * dnsd_main.c - hecat-dnsd, the test DNS server as a program for the shell
 * tests:
 *
 *	hecat-dnsd [-a ADDR] [-p PORT] [-l LOGFILE] RULEFILE...
 *
 * Listens on ADDR (127.0.0.1) port PORT (0: ephemeral, UDP and TCP on the
 * same port) with the rules of every RULEFILE (syntax in dnsd.h), prints
 * "port N" on stdout once it is listening, and runs until SIGTERM or
 * SIGINT (exit 0).  With -l it appends a line per query to LOGFILE as the
 * query arrives:
 *
 *	T_MS NAME TYPE udp|tcp
 *
 * T_MS is the milliseconds since the server started with 3 decimals, NAME
 * lower case without trailing dot ("." for the root), TYPE "A", "AAAA", ...
 * or "TYPEnn".
 *
 * Exit status: 0 after a signal, 64 bad usage, 65 bad rule file, 71 the
 * server could not start, 73 LOGFILE could not be opened.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "dnsd.h"

#define EX_OK		0
#define EX_USAGE	64
#define EX_DATAERR	65
#define EX_OSERR	71
#define EX_CANTCREAT	73

struct logger {
	FILE		*f;
	uint64_t	start_ns;
};

static void
usage(void)
{
	fprintf(stderr, "usage: hecat-dnsd [-a addr] [-p port] [-l logfile] "
	    "rulefile ...\n");
	exit(EX_USAGE);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Log one query: "T_MS NAME TYPE udp|tcp". */
static void
log_cb(const struct dnsd_query *q, void *arg)
{
	struct logger *lg = arg;
	uint64_t us;
	char type[16];

	us = q->t_ns >= lg->start_ns ? (q->t_ns - lg->start_ns) / 1000 : 0;
	fprintf(lg->f, "%llu.%03u %s %s %s\n",
	    (unsigned long long)(us / 1000), (unsigned)(us % 1000),
	    q->name[0] != '\0' ? q->name : ".",
	    dnsd_type_name(q->type, type, sizeof(type)),
	    q->tcp ? "tcp" : "udp");
	fflush(lg->f);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct event_base *base = arg;

	(void)sig;
	(void)what;
	event_base_loopbreak(base);
}

int
main(int argc, char *argv[])
{
	struct event_base *base;
	struct event *sigterm, *sigint;
	struct dnsd *d;
	struct logger lg = { NULL, 0 };
	const char *addr = "127.0.0.1", *logpath = NULL;
	unsigned long port = 0;
	char *end;
	int ch, i, rc = EX_OK;

	while ((ch = getopt(argc, argv, "a:p:l:")) != -1) {
		switch (ch) {
		case 'a':
			addr = optarg;
			break;
		case 'p':
			errno = 0;
			port = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || errno != 0 ||
			    port > 65535) {
				fprintf(stderr, "hecat-dnsd: bad port \"%s\"\n",
				    optarg);
				usage();
			}
			break;
		case 'l':
			logpath = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();

	/* A client hanging up must not kill the server. */
	signal(SIGPIPE, SIG_IGN);
	lg.start_ns = now_ns();
	if ((base = event_base_new()) == NULL) {
		fprintf(stderr, "hecat-dnsd: event_base_new failed\n");
		return EX_OSERR;
	}
	if ((d = dnsd_new(base, addr, (uint16_t)port)) == NULL) {
		fprintf(stderr, "hecat-dnsd: listen on %s port %lu: %s\n",
		    addr, port, strerror(errno));
		event_base_free(base);
		return EX_OSERR;
	}
	for (i = 0; i < argc; i++)
		if (dnsd_load(d, argv[i]) == -1) {
			rc = EX_DATAERR;
			goto out;
		}
	if (logpath != NULL) {
		if ((lg.f = fopen(logpath, "a")) == NULL) {
			fprintf(stderr, "hecat-dnsd: %s: %s\n", logpath,
			    strerror(errno));
			rc = EX_CANTCREAT;
			goto out;
		}
		dnsd_on_query(d, log_cb, &lg);
	}

	sigterm = evsignal_new(base, SIGTERM, signal_cb, base);
	sigint = evsignal_new(base, SIGINT, signal_cb, base);
	if (sigterm == NULL || sigint == NULL ||
	    evsignal_add(sigterm, NULL) == -1 ||
	    evsignal_add(sigint, NULL) == -1) {
		fprintf(stderr, "hecat-dnsd: cannot catch signals\n");
		rc = EX_OSERR;
	} else {
		printf("port %u\n", (unsigned)dnsd_port(d));
		fflush(stdout);
		if (event_base_dispatch(base) == -1) {
			fprintf(stderr, "hecat-dnsd: event loop failed\n");
			rc = EX_OSERR;
		}
	}
	if (sigterm != NULL)
		event_free(sigterm);
	if (sigint != NULL)
		event_free(sigint);
out:
	dnsd_free(d);
	if (lg.f != NULL)
		fclose(lg.f);
	event_base_free(base);
	return rc;
}
