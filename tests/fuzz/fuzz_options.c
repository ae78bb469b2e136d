/*
 * fuzz_options.c - hecat's command line (cmd/options.c).
 *
 * The input is split into words at NUL and newline bytes (empty words
 * kept: "" is an argument too), at most MAXARGS of them, and handed to
 * options_parse() after "hecat" as argv[0].  A success must satisfy what
 * the rest of the command relies on (a host, 1 to 1024 ports, durations
 * within a day, consistent families, ...); a failure must leave a
 * message.  Every parse is followed by options_free(), so a leak shows.
 *
 * getopt keeps state between calls: options_parse() sets optind = 1,
 * which in glibc does not reset its scanning position inside a cluster
 * ("-vz"), a pointer into the previous call's argv.  One process parses
 * once, so the command is fine; here a getopt() call with optind = 0 (a
 * full reset in glibc) before each parse makes the inputs independent.
 *
 * Service names are looked up in the small table below, not through NSS:
 * getservbyname() is replaced for this program, so runs are fast and the
 * same on every machine.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <getopt.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "hecat.h"
#include "ip.h"
#include "options.h"

#define MAXARGS		64
#define DAY_MS		(86400L * 1000)

/* ---- services ---------------------------------------------------------------- */

struct servent *
getservbyname(const char *name, const char *proto)
{
	static char names[][8] = { "domain", "http", "https", "smtp", "ssh" };
	static const int ports[] = { 53, 80, 443, 25, 22 };
	static char tcp[] = "tcp";
	static char *aliases[] = { NULL };
	static struct servent se;
	size_t i;

	if (proto == NULL || strcmp(proto, "tcp") != 0)
		return NULL;
	for (i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
		if (strcmp(name, names[i]) == 0) {
			se.s_name = names[i];
			se.s_aliases = aliases;
			se.s_port = (int)htons((uint16_t)ports[i]);
			se.s_proto = tcp;
			return &se;
		}
	return NULL;
}

/* ---- checks ------------------------------------------------------------------- */

static bool
family_ok(int f)
{
	return f == AF_UNSPEC || f == AF_INET || f == AF_INET6;
}

static bool
duration_ok(long ms, long lo)
{
	return ms == OPT_NONE || (ms >= lo && ms <= DAY_MS);
}

static void
check_success(const struct options *o, int argc, char *argv[])
{
	const struct hecat_opts *d = &o->dial;
	struct sockaddr_storage ss;
	const char *why;
	socklen_t len;
	size_t i, hlen;
	int k;
	bool from_argv = false;

	if (o->help || o->version)
		return;

	/* The operands: a host from argv, 1..1024 ports, none 0. */
	FUZZ_ASSERT(o->host != NULL);
	for (k = 1; k < argc; k++)
		from_argv |= o->host == argv[k];
	FUZZ_ASSERT(from_argv);
	hlen = strlen(o->host);
	if (hlen > 0 && o->host[hlen - 1] == '.')
		hlen--;
	FUZZ_ASSERT(hlen >= 1 && hlen <= 253);
	FUZZ_ASSERT(o->nports >= 1 && o->nports <= 1024);
	FUZZ_ASSERT(o->ports != NULL);
	for (i = 0; i < o->nports; i++)
		FUZZ_ASSERT(o->ports[i] != 0);

	/* Families: valid, and the host, -s, -4/-6 and --prefer agree. */
	FUZZ_ASSERT(family_ok(d->family) && family_ok(d->prefer));
	len = hecat_sockaddr_parse(o->host, 0, &ss);
	FUZZ_ASSERT(o->host_numeric == (len != 0));
	FUZZ_ASSERT(!o->numeric || o->host_numeric);
	if (o->host_numeric && d->family != AF_UNSPEC)
		FUZZ_ASSERT(ss.ss_family == d->family);
	if (d->family != AF_UNSPEC && d->prefer != AF_UNSPEC)
		FUZZ_ASSERT(d->family == d->prefer);
	if (d->source != NULL) {
		FUZZ_ASSERT(d->source == (const struct sockaddr *)&o->source);
		FUZZ_ASSERT(o->source.ss_family == AF_INET ||
		    o->source.ss_family == AF_INET6);
		FUZZ_ASSERT(o->source.ss_family == d->family);
		FUZZ_ASSERT(d->source_len == (d->family == AF_INET ?
		    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)));
		FUZZ_ASSERT(d->prefer == AF_UNSPEC || d->prefer == d->family);
		FUZZ_ASSERT(hecat__sa_port(d->source) == d->source_port);
	} else
		FUZZ_ASSERT(d->source_len == 0);

	/* The knobs, within their documented ranges. */
	FUZZ_ASSERT(d->size == sizeof(*d));
	FUZZ_ASSERT(d->attempt_delay_ms >= 10 && d->attempt_delay_ms <= 2000);
	FUZZ_ASSERT(d->resolution_delay_ms <= DAY_MS);
	FUZZ_ASSERT(d->attempt_timeout_ms >= 1 &&
	    d->attempt_timeout_ms <= DAY_MS);
	FUZZ_ASSERT(d->resolve_timeout_ms >= 1 &&
	    d->resolve_timeout_ms <= DAY_MS);
	FUZZ_ASSERT(d->resolve_retries <= 10);
	FUZZ_ASSERT(d->first_family_count >= 1 &&
	    d->first_family_count <= 64);
	FUZZ_ASSERT(d->timeout_ms <= DAY_MS);
	FUZZ_ASSERT(d->race_until == HECAT_STAGE_TCP ||
	    d->race_until == HECAT_STAGE_BANNER);
	FUZZ_ASSERT(d->nat64_prefix == NULL ||
	    hecat_nat64_prefix_check(d->nat64_prefix, &why) == 0);
	FUZZ_ASSERT(o->cfg.nameservers == NULL ||
	    hecat_nameservers_check(o->cfg.nameservers, 0, &why) == 0);
	FUZZ_ASSERT(o->cfg.dns_tls == o->dns_tls);
	FUZZ_ASSERT(duration_ok(o->idle_timeout_ms, 1));
	FUZZ_ASSERT(duration_ok(o->quit_ms, 0));
	FUZZ_ASSERT(o->verbose >= 0);

	/* Modes that exclude each other. */
	FUZZ_ASSERT(!(o->zero && o->fdpass));
	FUZZ_ASSERT(!(o->no_stdin && o->send_only));
}

static void
check_failure(const char *err, size_t errlen)
{
	FUZZ_ASSERT(memchr(err, '\0', errlen) != NULL);
	FUZZ_ASSERT(err[0] != '\0');
}

/* ---- the target ----------------------------------------------------------------- */

/* Forget what getopt remembers of the previous argv (glibc, and others). */
static void
getopt_reset(void)
{
	static char name[] = "hecat";
	char *argv[] = { name, NULL };

	opterr = 0;
	optind = 0;
	while (getopt(1, argv, "") != -1)
		continue;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char name[] = "hecat";
	char *argv[MAXARGS + 2], err[256], *buf;
	struct options o;
	size_t i;
	int argc = 1, rc;

	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = name;
	argv[argc++] = buf;
	for (i = 0; i < size && argc <= MAXARGS; i++)
		if (buf[i] == '\0' || buf[i] == '\n') {
			buf[i] = '\0';
			argv[argc++] = buf + i + 1;
		}
	/* A final separator (or an empty input) starts no word. */
	if (argv[argc - 1] == buf + size)
		argc--;
	argv[argc] = NULL;

	getopt_reset();
	memset(err, 0, sizeof(err));
	rc = options_parse(&o, argc, argv, err, sizeof(err));
	FUZZ_ASSERT(rc == 0 || rc == -1);
	if (rc == 0)
		check_success(&o, argc, argv);
	else
		check_failure(err, sizeof(err));
	options_free(&o);
	FUZZ_ASSERT(o.ports == NULL);
	free(buf);
	return 0;
}
