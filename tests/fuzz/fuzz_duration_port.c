/*
 * fuzz_duration_port.c - the small text parsers: parse_duration()
 * (cmd/options.c), hecat_sockaddr_parse() (lib/ip.c) and
 * hecat__nameserver_parse() (lib/resolvconf.c), each on the input as a C
 * string (a NUL byte ends it).
 *
 * Beside the documented invariants, each result is compared with a
 * reference where one is simple: a duration with the value strtod()
 * gives, an address without brackets or zone with inet_pton(), and every
 * address or name server accepted is printed and parsed back to itself.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hecat.h"
#include "ip.h"
#include "options.h"
#include "resolvconf.h"

#define DAY_MS		(86400L * 1000)

/* ---- durations ---------------------------------------------------------------- */

static bool
digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * The syntax of options.h, written out: digits, an optional fraction of
 * at least one digit, an optional ms, s or m.  Returns the milliseconds
 * it means (by strtod) or -1 when s does not have that syntax.
 */
static double
reference_duration(const char *s)
{
	const char *p = s;
	double unit;

	if (!digit(*p))
		return -1;
	while (digit(*p))
		p++;
	if (*p == '.') {
		if (!digit(p[1]))
			return -1;
		for (p++; digit(*p); p++)
			continue;
	}
	if (strcmp(p, "ms") == 0)
		unit = 1;
	else if (*p == '\0' || strcmp(p, "s") == 0)
		unit = 1000;
	else if (strcmp(p, "m") == 0)
		unit = 60000;
	else
		return -1;
	return strtod(s, NULL) * unit;
}

static void
check_duration(const char *s)
{
	long ms = -2, ms_neg = -2, ms_rest = -2;
	double ref;
	int rc, rc_neg;

	rc = parse_duration(s, false, &ms);
	rc_neg = parse_duration(s, true, &ms_neg);
	FUZZ_ASSERT(rc == 0 || rc == -1);
	FUZZ_ASSERT(rc_neg == 0 || rc_neg == -1);
	if (rc == 0)
		FUZZ_ASSERT(ms >= 0 && ms <= DAY_MS);
	else
		FUZZ_ASSERT(ms == -2);

	if (*s == '-') {
		/* Never without negative_ok; with it, "never" if the rest is
		   a duration. */
		FUZZ_ASSERT(rc == -1);
		if (rc_neg == 0)
			FUZZ_ASSERT(ms_neg == OPT_NONE);
		FUZZ_ASSERT(rc_neg == parse_duration(s + 1, false, &ms_rest));
		return;
	}
	/* Otherwise negative_ok changes nothing. */
	FUZZ_ASSERT(rc_neg == rc);
	if (rc == 0)
		FUZZ_ASSERT(ms_neg == ms);

	ref = reference_duration(s);
	if (ref < 0) {
		FUZZ_ASSERT(rc == -1);
		return;
	}
	/* Fractions are cut after 6 digits, so allow 1 ms either way. */
	if (ref <= (double)DAY_MS - 1) {
		FUZZ_ASSERT(rc == 0);
		FUZZ_ASSERT((double)ms >= ref - 1 && (double)ms <= ref + 1);
	} else if (ref > (double)DAY_MS + 1)
		FUZZ_ASSERT(rc == -1);
}

/* ---- addresses ---------------------------------------------------------------- */

static socklen_t
sa_len(int family)
{
	return family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6);
}

static bool
all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n-- > 0)
		if (*b++ != 0)
			return false;
	return true;
}

/*
 * What inet_pton() says of s: AF_INET or AF_INET6 with the address in a,
 * or 0; -1 when it does not apply (brackets or a zone, or too long).
 */
static int
reference_address(const char *s, uint8_t a[16])
{
	char buf[64];
	size_t len = strlen(s);
	bool bracketed = false;

	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		bracketed = true;
		s++;
		len -= 2;
	}
	if (len >= sizeof(buf) || memchr(s, '%', len) != NULL)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (!bracketed && inet_pton(AF_INET, buf, a) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, buf, a) == 1)
		return AF_INET6;
	return 0;
}

static void
check_sockaddr(const char *s, uint16_t port)
{
	struct sockaddr_storage ss, again;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct hecat__ip ip;
	char text[HECAT__IP_FMTLEN];
	uint8_t a[16];
	socklen_t len;
	int ref;

	errno = 0;
	len = hecat_sockaddr_parse(s, port, &ss);
	ref = reference_address(s, a);
	if (len == 0) {
		FUZZ_ASSERT(errno == EINVAL || errno == ENODEV);
		FUZZ_ASSERT(all_zero(&ss, sizeof(ss)));
		FUZZ_ASSERT(ref <= 0);
		return;
	}
	FUZZ_ASSERT(ss.ss_family == AF_INET || ss.ss_family == AF_INET6);
	FUZZ_ASSERT(len == sa_len(ss.ss_family));
	FUZZ_ASSERT(hecat__sa_port((struct sockaddr *)&ss) == port);
	if (ref >= 0) {
		FUZZ_ASSERT(ref == ss.ss_family);
		if (ref == AF_INET)
			FUZZ_ASSERT(memcmp(&sin->sin_addr, a, 4) == 0);
		else {
			FUZZ_ASSERT(memcmp(&sin6->sin6_addr, a, 16) == 0);
			FUZZ_ASSERT(sin6->sin6_scope_id == 0);
		}
	}

	/* Printed and parsed again, it is the same sockaddr. */
	hecat__ip_from_sa(&ip, (struct sockaddr *)&ss);
	hecat__ip_fmt(&ip, text, sizeof(text));
	FUZZ_ASSERT(hecat_sockaddr_parse(text, port, &again) == len);
	FUZZ_ASSERT(memcmp(&ss, &again, len) == 0);
}

/* ---- name servers ------------------------------------------------------------- */

static void
check_nameserver(const char *s)
{
	struct hecat__nameserver ns, untouched, again;
	char text[HECAT__IP_FMTLEN + 8];
	int rc;

	memset(&ns, 0xa5, sizeof(ns));
	untouched = ns;
	errno = 0;
	rc = hecat__nameserver_parse(&ns, s);
	FUZZ_ASSERT(rc == 0 || rc == -1);
	if (rc == -1) {
		FUZZ_ASSERT(errno == EINVAL);
		FUZZ_ASSERT(memcmp(&ns, &untouched, sizeof(ns)) == 0);
		return;
	}
	FUZZ_ASSERT(ns.ip.family == AF_INET || ns.ip.family == AF_INET6);
	FUZZ_ASSERT(ns.port != 0);
	if (ns.ip.family == AF_INET)
		FUZZ_ASSERT(ns.ip.scope_id == 0);
	/* With no ':' it has no port: 53 then. */
	if (strchr(s, ':') == NULL)
		FUZZ_ASSERT(ns.port == 53);

	/* "[v6%zone]:port" or "v4:port", parsed again, is the same. */
	hecat__ip_fmt_port(&ns.ip, ns.port, text, sizeof(text));
	memset(&again, 0, sizeof(again));
	FUZZ_ASSERT(hecat__nameserver_parse(&again, text) == 0);
	FUZZ_ASSERT(hecat__ip_equal(&again.ip, &ns.ip));
	FUZZ_ASSERT(again.port == ns.port);
}

/* ---- the target --------------------------------------------------------------- */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t port;
	char *s;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	port = size == 0 ? 0 : (uint16_t)(data[0] << 8 | data[size - 1]);

	check_duration(s);
	check_sockaddr(s, port);
	check_nameserver(s);
	free(s);
	return 0;
}
