/*
 * options.c - hecat's command line.
 *
 * nc's client letters keep nc's meanings where they make sense (-4 -6 -d
 * -F -N -n -p -q -s -v -w -z); the Happy Eyeballs knobs are long options.
 * Options may follow operands (getopt_long permutes; "--" ends them).
 * Every value is checked here, so a bad one fails before any I/O with one
 * line that names it.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <getopt.h>
#include <unistd.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hecat.h"
#include "options.h"

#define MAX_DURATION_MS	(86400L * 1000)	/* a day */
#define MAX_PORTS	1024

enum {
	OPT_RESOLUTION_DELAY = 256,
	OPT_ATTEMPT_DELAY,
	OPT_ATTEMPT_TIMEOUT,
	OPT_CONNECT_TIMEOUT,
	OPT_IDLE_TIMEOUT,
	OPT_FIRST_FAMILY_COUNT,
	OPT_PREFER,
	OPT_RESOLVE_TIMEOUT,
	OPT_RESOLVE_RETRIES,
	OPT_DNS_SERVER,
	OPT_NO_SHUTDOWN,
	OPT_SEND_ONLY,
	OPT_RECV_ONLY,
	OPT_TRACE,
	OPT_VERSION,
	OPT_NAT64_PREFIX,
	OPT_NO_NAT64,
	OPT_NO_HISTORY,
	OPT_DNSSEC,
	OPT_TRUST_ANCHOR,
	OPT_DNS_TLS,
	OPT_DNS_TLS_CA,
	OPT_RECURSIVE,
	OPT_ROOT_HINTS,
	OPT_RACE_UNTIL,
	OPT_PROXY,
	OPT_PROXY_PASSWORD_FILE,
	OPT_PROXY_RESOLVE,
	OPT_TLS_NAME,
	OPT_TLS_CA,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_TLS_ALPN,
	OPT_TLS_NO_VERIFY,
	OPT_WATERFALL,
	OPT_FOLLOW_LOSERS,
	OPT_QLOG
};

static const struct option longopts[] = {
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, OPT_VERSION },
	{ "resolution-delay",	required_argument,	NULL,
	    OPT_RESOLUTION_DELAY },
	{ "attempt-delay",	required_argument,	NULL, OPT_ATTEMPT_DELAY },
	{ "attempt-timeout",	required_argument,	NULL,
	    OPT_ATTEMPT_TIMEOUT },
	{ "connect-timeout",	required_argument,	NULL,
	    OPT_CONNECT_TIMEOUT },
	{ "idle-timeout",	required_argument,	NULL, OPT_IDLE_TIMEOUT },
	{ "first-family-count",	required_argument,	NULL,
	    OPT_FIRST_FAMILY_COUNT },
	{ "prefer",		required_argument,	NULL, OPT_PREFER },
	{ "resolve-timeout",	required_argument,	NULL,
	    OPT_RESOLVE_TIMEOUT },
	{ "resolve-retries",	required_argument,	NULL,
	    OPT_RESOLVE_RETRIES },
	{ "dns-server",		required_argument,	NULL, OPT_DNS_SERVER },
	{ "no-shutdown",	no_argument,		NULL, OPT_NO_SHUTDOWN },
	{ "send-only",		no_argument,		NULL, OPT_SEND_ONLY },
	{ "recv-only",		no_argument,		NULL, OPT_RECV_ONLY },
	{ "trace",		required_argument,	NULL, OPT_TRACE },
	{ "nat64-prefix",	required_argument,	NULL, OPT_NAT64_PREFIX },
	{ "no-nat64",		no_argument,		NULL, OPT_NO_NAT64 },
	{ "no-history",		no_argument,		NULL, OPT_NO_HISTORY },
	{ "dnssec",		no_argument,		NULL, OPT_DNSSEC },
	{ "trust-anchor",	required_argument,	NULL, OPT_TRUST_ANCHOR },
	{ "dns-tls",		required_argument,	NULL, OPT_DNS_TLS },
	{ "dns-tls-ca",		required_argument,	NULL, OPT_DNS_TLS_CA },
	{ "recursive",		no_argument,		NULL, OPT_RECURSIVE },
	{ "root-hints",		required_argument,	NULL, OPT_ROOT_HINTS },
	{ "race-until",		required_argument,	NULL, OPT_RACE_UNTIL },
	{ "proxy",		required_argument,	NULL, OPT_PROXY },
	{ "proxy-password-file", required_argument,	NULL,
	    OPT_PROXY_PASSWORD_FILE },
	{ "proxy-resolve",	required_argument,	NULL, OPT_PROXY_RESOLVE },
	{ "tls",		no_argument,		NULL, 'c' },
	{ "tls-name",		required_argument,	NULL, OPT_TLS_NAME },
	{ "tls-ca",		required_argument,	NULL, OPT_TLS_CA },
	{ "tls-cert",		required_argument,	NULL, OPT_TLS_CERT },
	{ "tls-key",		required_argument,	NULL, OPT_TLS_KEY },
	{ "tls-alpn",		required_argument,	NULL, OPT_TLS_ALPN },
	{ "tls-no-verify",	no_argument,		NULL, OPT_TLS_NO_VERIFY },
	{ "waterfall",		no_argument,		NULL, OPT_WATERFALL },
	{ "follow-losers",	required_argument,	NULL,
	    OPT_FOLLOW_LOSERS },
	{ "qlog",		required_argument,	NULL, OPT_QLOG },
	{ NULL,			0,			NULL, 0 }
};

static const char usage_text[] =
"usage: hecat [-46cdFhNnvz] [-P proxy_username] [-p source_port]\n"
"             [-q seconds] [-s source] [-w timeout] [-X proxy_protocol]\n"
"             [-x proxy_address[:port]] [long options] host port [port ...]\n"
"\n"
"Connect to host, racing its IPv6 and IPv4 addresses (RFC 8305 Happy\n"
"Eyeballs; with several ports, every port of an address before the next\n"
"address), then relay stdin and stdout over the first connection made.\n"
"\n"
"  -4, -6              use IPv4 or IPv6 only\n"
"  -c, --tls           TLS over the connection, the server verified\n"
"  -d, --recv-only     do not read stdin\n"
"  -F                  pass the connected socket to stdout (ssh\n"
"                      ProxyUseFdpass) and exit\n"
"  -h, --help          print this help and exit\n"
"  -N                  accepted for nc; half-closing is the default\n"
"  -n                  numeric host and ports only: no DNS, no services\n"
"  -P proxy_username   the proxy's user (its password: HECAT_PROXY_PASSWORD\n"
"                      or --proxy-password-file)\n"
"  -p source_port      bind the local port\n"
"  -q seconds          after stdin EOF, exit once the peer has been silent\n"
"                      this long after answering (0: wait for its EOF)\n"
"  -s source           bind the local address (and dial its family only)\n"
"  -v                  verbose: -v nc-style lines, -vv the timeline,\n"
"                      -vvv the timeline and the waterfall\n"
"  -w timeout          deadline for the whole dial, and idle timeout\n"
"  -X 4|5|connect      the proxy's protocol: SOCKS4(a), SOCKS5 (the\n"
"                      default), HTTP CONNECT\n"
"  -x addr[:port]      go through this proxy (port 1080, connect 3128)\n"
"  -z                  connect, report, close, exit: no data\n"
"  --attempt-delay T   between attempts (250ms; 10ms to 2s)\n"
"  --attempt-timeout T for each attempt (10s)\n"
"  --connect-timeout T deadline for the whole dial, DNS included\n"
"  --dns-server ADDR[:PORT]  name server(s) instead of resolv.conf's\n"
"  --dns-tls ADDR[:PORT]#NAME  ask this server over TLS (port 853),\n"
"                      its certificate valid for NAME (repeatable)\n"
"  --dns-tls-ca FILE   CA certificates for --dns-tls (PEM)\n"
"  --dnssec            use only DNSSEC-validated answers\n"
"  --first-family-count N  addresses of the first family before the\n"
"                      other gets a turn (1)\n"
"  --follow-losers T   after the race, watch the losing connects up to T\n"
"                      and say how they would have ended (-vvv: 500ms)\n"
"  --idle-timeout T    end after T without data either way\n"
"  --nat64-prefix P/L  the NAT64 prefix on an IPv6-only network\n"
"                      (default: discovered, RFC 7050)\n"
"  --no-history        neither use nor keep connection history\n"
"  --no-nat64          never reach IPv4 through NAT64\n"
"  --no-shutdown       do not half-close the socket at stdin EOF\n"
"  --prefer 4|6        the family to try first\n"
"  --proxy URL         socks5h://, socks5://, socks4a://, socks4:// or\n"
"                      http://[user@]host[:port]: go through this proxy\n"
"  --proxy-password-file FILE  the proxy's password, on FILE's first line\n"
"  --proxy-resolve local|remote  who resolves host: the proxy (remote),\n"
"                      or hecat, racing its addresses through the proxy\n"
"  --qlog FILE         the race as qlog, HEv3 events (- for stderr, fd:N)\n"
"  --race-until tcp|proxy|tls|banner  an attempt wins when TCP connects\n"
"                      (tcp), the proxy said yes (proxy), TLS is up and\n"
"                      verified (tls, the default with --tls), or the\n"
"                      server has sent its first byte (banner)\n"
"  --recursive         resolve from the root servers down, not through\n"
"                      a name server\n"
"  --resolution-delay T  wait for AAAA after A (50ms)\n"
"  --resolve-retries N tries after the first, per query (3)\n"
"  --resolve-timeout T for each DNS try (1s)\n"
"  --root-hints FILE   the root servers for --recursive (named.root)\n"
"  --send-only         discard what the peer sends; end after stdin EOF\n"
"  --tls-alpn LIST     offer these protocols (ALPN): h2,http/1.1\n"
"  --tls-ca FILE       trust these CAs (PEM), not the system's\n"
"  --tls-cert FILE     a client certificate (PEM; its key too, unless\n"
"  --tls-key FILE      ... this file has it)\n"
"  --tls-name NAME     the name for SNI and verification (default: host)\n"
"  --tls-no-verify     do not verify the server (said loudly with -v)\n"
"  --trace FILE        JSON Lines trace to FILE (- for stderr, fd:N)\n"
"  --trust-anchor FILE DNSSEC trust anchors (DS or DNSKEY records)\n"
"  --version           print the version and exit\n"
"  --waterfall         draw the race on stderr when it ends\n"
"\n"
"Durations are seconds, or take a ms, s or m suffix: 2.5, 150ms, 1m.\n";

const char *
options_usage(void)
{
	return usage_text;
}

static int
fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int
parse_duration(const char *s, bool negative_ok, long *ms)
{
	unsigned long whole = 0, frac = 0, scale = 1;
	const char *p = s;
	unsigned long unit;
	double v;

	if (negative_ok && *p == '-') {
		/* Any negative number means "never" (nc's -q -1). */
		if (parse_duration(p + 1, false, ms) == -1)
			return -1;
		*ms = OPT_NONE;
		return 0;
	}
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (unsigned long)(*p - '0');
		if (whole > MAX_DURATION_MS)
			return -1;
	}
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -1;
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (scale < 1000000) {
				frac = frac * 10 + (unsigned long)(*p - '0');
				scale *= 10;
			}
	}
	if (strcmp(p, "ms") == 0)
		unit = 1;
	else if (*p == '\0' || strcmp(p, "s") == 0)
		unit = 1000;
	else if (strcmp(p, "m") == 0)
		unit = 60000;
	else
		return -1;
	v = ((double)whole + (double)frac / (double)scale) * (double)unit;
	if (v > (double)MAX_DURATION_MS)
		return -1;
	*ms = (long)(v + 0.5);
	return 0;
}

/* A whole number in [lo, hi]; 0 or -1. */
static int
parse_count(const char *s, unsigned long lo, unsigned long hi,
    unsigned *out)
{
	unsigned long v = 0;
	const char *p = s;

	if (*p == '\0')
		return -1;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > hi)
			return -1;
	}
	if (v < lo)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* A port: 1..65535, or (unless numeric) a TCP service name. */
static int
parse_port(const char *s, bool numeric, uint16_t *port, char *err,
    size_t errlen)
{
	struct servent *se;
	unsigned v;

	if (*s >= '0' && *s <= '9') {
		if (parse_count(s, 1, 65535, &v) == -1)
			return fail(err, errlen, "port '%s': not a number "
			    "from 1 to 65535", s);
		*port = (uint16_t)v;
		return 0;
	}
	if (*s == '\0')
		return fail(err, errlen, "empty port");
	if (numeric)
		return fail(err, errlen, "port '%s': not a number, and -n "
		    "forbids service names", s);
	if ((se = getservbyname(s, "tcp")) == NULL)
		return fail(err, errlen, "port '%s': no such TCP service", s);
	*port = ntohs((uint16_t)se->s_port);
	return 0;
}

static int
parse_ms(const char *opt, const char *arg, long lo, long *ms, char *err,
    size_t errlen)
{
	if (parse_duration(arg, false, ms) == -1)
		return fail(err, errlen, "%s: invalid duration '%s' (seconds, "
		    "or with ms, s or m)", opt, arg);
	if (*ms < lo)
		return fail(err, errlen, "%s: '%s' is too short", opt, arg);
	return 0;
}

/* A file the resolver will read: it must be readable now. */
static int
parse_file(const char *opt, const char *arg, const char **out, char *err,
    size_t errlen)
{
	if (*arg == '\0')
		return fail(err, errlen, "%s: empty file name", opt);
	if (access(arg, R_OK) == -1)
		return fail(err, errlen, "%s: '%s': %s", opt, arg,
		    strerror(errno));
	*out = arg;
	return 0;
}

/* One --dns-tls ADDR[:PORT]#NAME, added to o->dns_tls. */
static int
add_dns_tls(struct options *o, const char *arg, char *err, size_t errlen)
{
	const char *hash, *why;
	char *list;
	size_t old;

	if ((hash = strchr(arg, '#')) == NULL || hash[1] == '\0')
		return fail(err, errlen, "--dns-tls: '%s': no #NAME (the name "
		    "the server's certificate must be valid for)", arg);
	if (strpbrk(arg, " ,\t") != NULL ||
	    hecat_nameservers_check(arg, 1, &why) == -1)
		return fail(err, errlen, "--dns-tls: '%s': not "
		    "ADDRESS[:PORT]#NAME", arg);
	old = o->dns_tls != NULL ? strlen(o->dns_tls) : 0;
	if (old + strlen(arg) + 2 > 1000)
		return fail(err, errlen, "--dns-tls: too many servers");
	if ((list = realloc(o->dns_tls, old + strlen(arg) + 2)) == NULL)
		return fail(err, errlen, "%s", strerror(errno));
	if (old > 0)
		list[old++] = ' ';
	strcpy(list + old, arg);
	o->dns_tls = list;
	o->cfg.dns_tls = list;
	return 0;
}

/* Check the operands and how the options combine. */
static int
check(struct options *o, int argc, char *argv[], char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	int family = o->dial.family, prefer = o->dial.prefer;
	size_t i, len;

	if (argc < 2)
		return fail(err, errlen, argc == 0 ? "missing host and port" :
		    "missing port after host '%s'", argv[0]);
	o->host = argv[0];
	len = strlen(o->host);
	if (len > 0 && o->host[len - 1] == '.')
		len--;
	if (len == 0)
		return fail(err, errlen, "empty host");
	if (len > 253)
		return fail(err, errlen, "host '%.20s...': longer than 253 "
		    "characters", o->host);
	o->host_numeric = hecat_sockaddr_parse(o->host, 0, &ss) != 0;
	if (o->numeric && !o->host_numeric)
		return fail(err, errlen, "host '%s': not a numeric address, "
		    "and -n forbids DNS", o->host);
	if (o->numeric && o->dial.proxy_host != NULL &&
	    hecat_sockaddr_parse(o->dial.proxy_host, 0, &ss) == 0)
		return fail(err, errlen, "proxy '%s': not a numeric address, "
		    "and -n forbids DNS", o->dial.proxy_host);
	if (o->host_numeric && family != AF_UNSPEC && ss.ss_family != family)
		return fail(err, errlen, "host '%s': not an IPv%d address "
		    "(%s)", o->host, family == AF_INET ? 4 : 6,
		    o->dial.source != NULL ? "the family of -s" :
		    family == AF_INET ? "-4" : "-6");
	if (argc - 1 > MAX_PORTS)
		return fail(err, errlen, "%d ports: at most %d", argc - 1,
		    MAX_PORTS);
	if ((o->ports = calloc((size_t)argc - 1, sizeof(*o->ports))) == NULL)
		return fail(err, errlen, "%s", strerror(errno));
	for (i = 1; i < (size_t)argc; i++)
		if (parse_port(argv[i], o->numeric, &o->ports[o->nports++],
		    err, errlen) == -1)
			return -1;

	if (o->zero && o->fdpass)
		return fail(err, errlen, "-z and -F exclude each other");
	if (o->no_stdin && o->send_only)
		return fail(err, errlen, "-d (--recv-only) and --send-only "
		    "exclude each other");
	if (o->dial.source != NULL && prefer != AF_UNSPEC &&
	    o->source.ss_family != prefer)
		return fail(err, errlen, "--prefer contradicts the family of "
		    "-s");
	if (family != AF_UNSPEC && prefer != AF_UNSPEC && family != prefer)
		return fail(err, errlen, "--prefer %d contradicts -%d",
		    prefer == AF_INET ? 4 : 6, family == AF_INET ? 4 : 6);
	return 0;
}

int
options_parse(struct options *o, int argc, char *argv[], char *err,
    size_t errlen)
{
	struct hecat_opts *d = &o->dial;
	const char *source = NULL, *why;
	long ms, wait_ms = OPT_NONE, connect_ms = OPT_NONE;
	bool idle_set = false, no_nat64 = false, no_history = false,
	    follow_set = false;
	unsigned v;
	int ch;

	memset(o, 0, sizeof(*o));
	hecat_opts_init(d);
	hecat_config_init(&o->cfg);
	o->idle_timeout_ms = OPT_NONE;
	o->quit_ms = OPT_NONE;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":46cdFhNnP:p:q:s:vw:X:x:z", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case '4':
		case '6':
			if (d->family != AF_UNSPEC &&
			    d->family != (ch == '4' ? AF_INET : AF_INET6))
				return fail(err, errlen, "-4 and -6 exclude "
				    "each other");
			d->family = ch == '4' ? AF_INET : AF_INET6;
			break;
		case 'd':
		case OPT_RECV_ONLY:
			o->no_stdin = true;
			break;
		case 'F':
			o->fdpass = true;
			break;
		case 'h':
			o->help = true;
			return 0;
		case 'N':
			break;		/* half-closing is the default */
		case 'n':
			o->numeric = true;
			break;
		case 'P':
			if (*optarg == '\0')
				return fail(err, errlen, "-P: empty user name");
			free(o->proxy_user);
			if ((o->proxy_user = strdup(optarg)) == NULL)
				return fail(err, errlen, "%s", strerror(errno));
			break;
		case 'X':
			if (options_proxy_type(o, optarg, err, errlen) == -1)
				return -1;
			break;
		case 'x':
			if (options_proxy_addr(o, optarg, err, errlen) == -1)
				return -1;
			break;
		case OPT_PROXY:
			o->proxy_url = true;
			if (options_proxy_url(o, optarg, err, errlen) == -1)
				return -1;
			break;
		case OPT_PROXY_PASSWORD_FILE:
			if (parse_file("--proxy-password-file", optarg,
			    &o->proxy_password_file, err, errlen) == -1)
				return -1;
			break;
		case OPT_PROXY_RESOLVE:
			if (strcmp(optarg, "local") == 0)
				o->proxy_resolve = HECAT_PROXY_RESOLVE_LOCAL;
			else if (strcmp(optarg, "remote") == 0)
				o->proxy_resolve = HECAT_PROXY_RESOLVE_REMOTE;
			else
				return fail(err, errlen, "--proxy-resolve: "
				    "'%s': neither local nor remote", optarg);
			o->proxy_resolve_set = true;
			break;
		case 'p':
			if (parse_count(optarg, 1, 65535, &v) == -1)
				return fail(err, errlen, "-p: port '%s': not a "
				    "number from 1 to 65535", optarg);
			d->source_port = (uint16_t)v;
			break;
		case 'q':
			if (parse_duration(optarg, true, &o->quit_ms) == -1)
				return fail(err, errlen, "-q: invalid duration "
				    "'%s'", optarg);
			break;
		case 's':
			source = optarg;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'w':
			if (parse_ms("-w", optarg, 1, &wait_ms, err, errlen) ==
			    -1)
				return -1;
			break;
		case 'z':
			o->zero = true;
			break;
		case OPT_VERSION:
			o->version = true;
			return 0;
		case OPT_RESOLUTION_DELAY:
			if (parse_ms("--resolution-delay", optarg, 0, &ms, err,
			    errlen) == -1)
				return -1;
			d->resolution_delay_ms = (unsigned)ms;
			break;
		case OPT_ATTEMPT_DELAY:
			if (parse_ms("--attempt-delay", optarg, 0, &ms, err,
			    errlen) == -1)
				return -1;
			/* RFC 8305 section 8: never below 10 ms; at most 2 s.
			   Clamped here so the trace shows the value used. */
			if (ms < 10 || ms > 2000)
				o->attempt_delay_clamped = true;
			d->attempt_delay_ms = ms < 10 ? 10 : ms > 2000 ? 2000 :
			    (unsigned)ms;
			break;
		case OPT_ATTEMPT_TIMEOUT:
			if (parse_ms("--attempt-timeout", optarg, 1, &ms, err,
			    errlen) == -1)
				return -1;
			d->attempt_timeout_ms = (unsigned)ms;
			break;
		case OPT_CONNECT_TIMEOUT:
			if (parse_ms("--connect-timeout", optarg, 1,
			    &connect_ms, err, errlen) == -1)
				return -1;
			break;
		case OPT_IDLE_TIMEOUT:
			if (parse_ms("--idle-timeout", optarg, 1,
			    &o->idle_timeout_ms, err, errlen) == -1)
				return -1;
			idle_set = true;
			break;
		case OPT_RESOLVE_TIMEOUT:
			if (parse_ms("--resolve-timeout", optarg, 1, &ms, err,
			    errlen) == -1)
				return -1;
			d->resolve_timeout_ms = (unsigned)ms;
			break;
		case OPT_FIRST_FAMILY_COUNT:
			if (parse_count(optarg, 1, 64, &d->first_family_count)
			    == -1)
				return fail(err, errlen, "--first-family-count:"
				    " '%s': not a number from 1 to 64", optarg);
			break;
		case OPT_RESOLVE_RETRIES:
			if (parse_count(optarg, 0, 10, &d->resolve_retries) ==
			    -1)
				return fail(err, errlen, "--resolve-retries: "
				    "'%s': not a number from 0 to 10", optarg);
			break;
		case OPT_PREFER:
			if (strcmp(optarg, "4") == 0)
				d->prefer = AF_INET;
			else if (strcmp(optarg, "6") == 0)
				d->prefer = AF_INET6;
			else
				return fail(err, errlen, "--prefer: '%s': "
				    "neither 4 nor 6", optarg);
			break;
		case OPT_RACE_UNTIL:
			o->race_proxy = strcmp(optarg, "proxy") == 0;
			o->race_set = true;
			if (strcmp(optarg, "tcp") == 0 || o->race_proxy)
				d->race_until = HECAT_STAGE_TCP;
			else if (strcmp(optarg, "banner") == 0)
				d->race_until = HECAT_STAGE_BANNER;
			else if (strcmp(optarg, "tls") == 0)
				d->race_until = HECAT_STAGE_TLS;
			else
				return fail(err, errlen, "--race-until: '%s': "
				    "not tcp, proxy, tls or banner", optarg);
			break;
		case 'c':
			d->tls = 1;
			break;
		case OPT_TLS_NAME:
			d->tls_name = optarg;
			break;
		case OPT_TLS_CA:
			if (parse_file("--tls-ca", optarg, &d->tls_ca_file,
			    err, errlen) == -1)
				return -1;
			break;
		case OPT_TLS_CERT:
			if (parse_file("--tls-cert", optarg, &d->tls_cert_file,
			    err, errlen) == -1)
				return -1;
			break;
		case OPT_TLS_KEY:
			if (parse_file("--tls-key", optarg, &d->tls_key_file,
			    err, errlen) == -1)
				return -1;
			break;
		case OPT_TLS_ALPN:
			d->tls_alpn = optarg;
			break;
		case OPT_TLS_NO_VERIFY:
			d->tls_no_verify = 1;
			break;
		case OPT_WATERFALL:
			o->waterfall = true;
			break;
		case OPT_FOLLOW_LOSERS:
			if (parse_ms("--follow-losers", optarg, 0, &ms, err,
			    errlen) == -1)
				return -1;
			if (ms > 60000)
				return fail(err, errlen, "--follow-losers: "
				    "'%s' is too long (at most 60s)", optarg);
			d->follow_losers_ms = (unsigned)ms;
			follow_set = true;
			break;
		case OPT_QLOG:
			o->qlog_path = optarg;
			break;
		case OPT_DNS_SERVER:
			if (hecat_nameservers_check(optarg, 0, &why) == -1)
				return fail(err, errlen, "--dns-server '%s': "
				    "%s", optarg, why);
			o->cfg.nameservers = optarg;
			break;
		case OPT_NO_SHUTDOWN:
			o->no_shutdown = true;
			break;
		case OPT_SEND_ONLY:
			o->send_only = true;
			break;
		case OPT_TRACE:
			o->trace_path = optarg;
			break;
		case OPT_NAT64_PREFIX:
			if (hecat_nat64_prefix_check(optarg, &why) == -1)
				return fail(err, errlen, "--nat64-prefix: "
				    "'%s': %s", optarg, why);
			d->nat64_prefix = optarg;
			break;
		case OPT_NO_NAT64:
			no_nat64 = true;
			break;
		case OPT_NO_HISTORY:
			no_history = true;
			break;
		case OPT_DNSSEC:
			o->cfg.dnssec = 1;
			break;
		case OPT_TRUST_ANCHOR:
			if (parse_file("--trust-anchor", optarg,
			    &o->cfg.trust_anchor, err, errlen) == -1)
				return -1;
			break;
		case OPT_DNS_TLS:
			if (add_dns_tls(o, optarg, err, errlen) == -1)
				return -1;
			break;
		case OPT_DNS_TLS_CA:
			if (parse_file("--dns-tls-ca", optarg,
			    &o->cfg.dns_tls_ca, err, errlen) == -1)
				return -1;
			break;
		case OPT_RECURSIVE:
			o->cfg.recursive = 1;
			break;
		case OPT_ROOT_HINTS:
			if (parse_file("--root-hints", optarg,
			    &o->cfg.root_hints, err, errlen) == -1)
				return -1;
			break;
		case ':':
			if (optopt > 0 && optopt < 256)
				return fail(err, errlen, "option -%c needs a "
				    "value", optopt);
			return fail(err, errlen, "option %s needs a value",
			    argv[optind - 1]);
		default:
			if (optopt != 0)
				return fail(err, errlen, "unknown option -%c",
				    optopt);
			return fail(err, errlen, "unknown option %s",
			    argv[optind - 1]);
		}
	}

	/* -w is nc's: the dial's deadline and the idle timeout. */
	if (wait_ms != OPT_NONE) {
		if (connect_ms == OPT_NONE)
			connect_ms = wait_ms;
		if (!idle_set)
			o->idle_timeout_ms = wait_ms;
	}
	d->timeout_ms = connect_ms == OPT_NONE ? 0 : (unsigned)connect_ms;
	if (source != NULL) {
		d->source_len = hecat_sockaddr_parse(source, d->source_port,
		    &o->source);
		if (d->source_len == 0)
			return fail(err, errlen, "-s: '%s': not an IP address",
			    source);
		d->source = (const struct sockaddr *)&o->source;
		if (d->family != AF_UNSPEC && o->source.ss_family != d->family)
			return fail(err, errlen, "-s: the source is not an "
			    "IPv%d address (-%d)", d->family == AF_INET ?
			    4 : 6, d->family == AF_INET ? 4 : 6);
		/* A source address decides the family, as libhecat does. */
		d->family = o->source.ss_family;
	}
	if (no_nat64 && d->nat64_prefix != NULL)
		return fail(err, errlen, "--nat64-prefix and --no-nat64 "
		    "exclude each other");
	/* -n: no DNS, so no RFC 7050 discovery; a given prefix is used. */
	if (no_nat64 || (o->numeric && d->nat64_prefix == NULL))
		d->nat64 = HECAT_NAT64_OFF;
	if (no_history)
		d->history = HECAT_HISTORY_OFF;
	if (o->verbose >= 3 && !follow_set)	/* -vvv: a short look */
		d->follow_losers_ms = 500;
	if (o->cfg.dns_tls != NULL && o->cfg.nameservers != NULL)
		return fail(err, errlen, "--dns-tls and --dns-server exclude "
		    "each other");
	if (o->cfg.recursive && (o->cfg.dns_tls != NULL ||
	    o->cfg.nameservers != NULL))
		return fail(err, errlen, "--recursive asks no name server: "
		    "it excludes %s", o->cfg.dns_tls != NULL ? "--dns-tls" :
		    "--dns-server");
	if (o->cfg.trust_anchor != NULL && !o->cfg.dnssec)
		return fail(err, errlen, "--trust-anchor needs --dnssec");
	if (o->cfg.dns_tls_ca != NULL && o->cfg.dns_tls == NULL)
		return fail(err, errlen, "--dns-tls-ca needs --dns-tls");
	if (o->cfg.root_hints != NULL && !o->cfg.recursive)
		return fail(err, errlen, "--root-hints needs --recursive");
	if (options_proxy_check(o, err, errlen) == -1 ||
	    options_tls_check(o, err, errlen) == -1)
		return -1;
	return check(o, argc - optind, argv + optind, err, errlen);
}

void
options_free(struct options *o)
{
	free(o->ports);
	o->ports = NULL;
	free(o->dns_tls);
	o->dns_tls = NULL;
	free(o->proxy_host);
	free(o->proxy_user);
	if (o->proxy_password != NULL)
		explicit_bzero(o->proxy_password, strlen(o->proxy_password));
	free(o->proxy_password);
	o->proxy_host = o->proxy_user = o->proxy_password = NULL;
}
