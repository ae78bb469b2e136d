/*
 * libdial.c - hecat-libdial, one dial through libhecat's public API with
 * the secure-DNS fields of struct hecat_config set from the command line,
 * for tests/cli_dnssec.sh: the library's own contract (its error codes,
 * its RESOLVE_DONE trace events' status and dnssec values), not the command's
 * rendering of them.
 *
 *	hecat-libdial [-d] [-r] [-a ANCHOR] [-c CA] [-h HINTS] [-s SERVERS]
 *		      [-t TLS] host port
 *
 *	-d	 config.dnssec = 1		-a	config.trust_anchor
 *	-r	 config.recursive = 1		-h	config.root_hints
 *	-s	 config.nameservers		-t	config.dns_tls
 *	-c	 config.dns_tls_ca
 *
 * Prints one line per ANSWER event, "answer inet6|inet STATUS DNSSEC"
 * (hecat_dns_status_name, hecat_dnssec_name), then "result ERR NAME"
 * (the enum hecat_err value and the HECAT_E_ name).  Exits 0 when the
 * dial connected, 1 when it did not, 2 on a usage or set-up error.
 */
#include "config.h"

#include <sys/socket.h>

#include <event2/event.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hecat.h"

static const struct {
	int		 err;
	const char	*name;
} errs[] = {
	{ HECAT_OK, "HECAT_OK" },
	{ HECAT_E_NOHOST, "HECAT_E_NOHOST" },
	{ HECAT_E_NOADDR, "HECAT_E_NOADDR" },
	{ HECAT_E_DNS, "HECAT_E_DNS" },
	{ HECAT_E_CONNECT, "HECAT_E_CONNECT" },
	{ HECAT_E_TIMEOUT, "HECAT_E_TIMEOUT" },
	{ HECAT_E_CANCELLED, "HECAT_E_CANCELLED" },
	{ HECAT_E_SYSTEM, "HECAT_E_SYSTEM" },
	{ HECAT_E_INVAL, "HECAT_E_INVAL" },
	{ HECAT_E_DNSSEC, "HECAT_E_DNSSEC" },
};

struct outcome {
	bool	done;
	int	err;
};

static void
on_trace(const struct hecat_trace *t, void *arg)
{
	(void)arg;
	if (t->kind == HECAT_TRACE_RESOLVE_DONE)
		printf("answer %s %s %s\n",
		    t->family == AF_INET6 ? "inet6" : "inet",
		    hecat_dns_status_name(t->status),
		    hecat_dnssec_name(t->dnssec));
}

static void
on_result(const struct hecat_result *r, void *arg)
{
	struct outcome *o = arg;

	o->done = true;
	o->err = r->err;
	if (r->fd != -1)
		close(r->fd);
}

static const char *
err_name(int err)
{
	size_t i;

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		if (errs[i].err == err)
			return errs[i].name;
	return "other";
}

static void
usage(void)
{
	fprintf(stderr, "usage: hecat-libdial [-dr] [-a anchor] [-c ca] "
	    "[-h hints] [-s servers] [-t tls] host port\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct hecat_config cfg;
	struct hecat_opts opts;
	struct outcome o = { false, 0 };
	struct event_base *base;
	struct hecat *h;
	uint16_t port;
	int ch;

	hecat_config_init(&cfg);
	while ((ch = getopt(argc, argv, "a:c:dh:rs:t:")) != -1) {
		switch (ch) {
		case 'a':
			cfg.trust_anchor = optarg;
			break;
		case 'c':
			cfg.dns_tls_ca = optarg;
			break;
		case 'd':
			cfg.dnssec = 1;
			break;
		case 'h':
			cfg.root_hints = optarg;
			break;
		case 'r':
			cfg.recursive = 1;
			break;
		case 's':
			cfg.nameservers = optarg;
			break;
		case 't':
			cfg.dns_tls = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2 ||
	    (port = (uint16_t)atoi(argv[optind + 1])) == 0)
		usage();
	hecat_opts_init(&opts);
	opts.trace = on_trace;
	opts.timeout_ms = 20000;
	opts.history = HECAT_HISTORY_OFF;
	if ((base = event_base_new()) == NULL ||
	    (h = hecat_new(base, &cfg)) == NULL) {
		perror("hecat-libdial: set-up");
		return 2;
	}
	if (hecat_connect(h, argv[optind], &port, 1, &opts, on_result,
	    &o) == NULL) {
		perror("hecat-libdial: hecat_connect");
		return 2;
	}
	while (!o.done && event_base_loop(base, EVLOOP_ONCE) == 0)
		;
	printf("result %d %s\n", o.err, err_name(o.err));
	hecat_free(h);
	event_base_free(base);
	return o.done && o.err == HECAT_OK ? 0 : 1;
}
