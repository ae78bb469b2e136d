/*
 * resolvconf.c - resolv.conf(5) and the name-server syntax (see
 * resolvconf.h).
 *
 * The parser follows glibc's res_init.c: a keyword ("nameserver",
 * "domain", "search", "options") counts only at the start of a line and
 * followed by a blank, and is case-sensitive; a name-server line takes its
 * first field only; "search" and "domain" replace the list, so the last
 * one wins.  Where hecat is stricter or more tolerant than glibc:
 *   - '#' and ';' start a comment anywhere on a line, not only at its
 *     start; a NUL byte ends the line too; CR, VT and FF are blanks, so
 *     CRLF files work;
 *   - an IPv4 name server is a dotted quad (inet_pton, not inet_aton);
 *     an IPv6 zone must name an existing interface, or the line is
 *     skipped (glibc keeps the server with no zone);
 *   - a search domain is checked (253 characters at most, labels of 1 to
 *     63, no control characters) and skipped when bad, the root "."
 *     included; a search or domain line without a good domain is skipped
 *     and does not clear the list;
 *   - option values are decimal digits only (glibc's atoi takes "2x" as
 *     2 and "x" as 0): anything else leaves the option unchanged;
 *   - the search list is not derived from the host name when the file
 *     has none, and LOCALDOMAIN and RES_OPTIONS are not read.
 * io/sysfiles.c reads the file up to 1 MiB, cut at a line boundary.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hecat.h"
#include "resolvconf.h"
#include "textfile.h"

#define RESOLV_MAXNAME	253		/* longest name, final dot excluded */
#define RESOLV_ADDRLEN	64		/* longest address token, with NUL */
#define RESOLV_MAXNDOTS	15
#define RESOLV_MAXTIMEOUT 30
#define RESOLV_MAXATTEMPTS 5
#define NS_TEXTLEN	80		/* "[addr%zone]:port", with NUL */

/*
 * Whether s[0..n) is a usable domain name without a final dot: 1 to 253
 * characters, labels of 1 to 63, no control characters.
 */
static bool
name_ok(const char *s, size_t n)
{
	size_t i, label = 0;

	if (n == 0 || n > RESOLV_MAXNAME)
		return false;
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
		if (s[i] == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (++label > 63)
			return false;
	}
	return label > 0;
}

/*
 * Whether the line [p, end) starts with keyword kw and a blank; if so,
 * *rest is set to what follows the keyword.
 */
static bool
keyword(const char *p, const char *end, const char *kw, const char **rest)
{
	size_t n = strlen(kw);

	if ((size_t)(end - p) <= n || memcmp(p, kw, n) != 0 ||
	    !hecat__is_blank(p[n]))
		return false;
	*rest = p + n;
	return true;
}

/*
 * Parse the decimal number t[0..n) into *v, saturating at a value larger
 * than any limit here.  Returns 0, or -1 unless t is all digits.
 */
static int
parse_uint(const char *t, size_t n, unsigned *v)
{
	unsigned x = 0;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (t[i] < '0' || t[i] > '9')
			return -1;
		if (x < 100000)
			x = x * 10 + (unsigned)(t[i] - '0');
	}
	*v = x;
	return 0;
}

static unsigned
clamp(unsigned v, unsigned lo, unsigned hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static void
parse_nameserver(struct hecat__resolvconf *rc, const char *p,
    const char *end)
{
	char a[RESOLV_ADDRLEN];
	struct hecat__ip ip;
	const char *t;
	size_t n;

	if ((t = hecat__next_token(&p, end, &n)) == NULL || n >= sizeof(a) ||
	    *t == '[' || rc->nns == HECAT__RESOLV_MAXNS)
		return;
	memcpy(a, t, n);
	a[n] = '\0';
	if (hecat__ip_parse(&ip, a) == -1)
		return;
	rc->ns[rc->nns].ip = ip;
	rc->ns[rc->nns].port = 53;
	rc->nns++;
}

/*
 * A "search" line (all = true) or a "domain" line (its first field only):
 * the good domains, trailing dots stripped, replace the search list.
 */
static void
parse_search(struct hecat__resolvconf *rc, const char *p, const char *end,
    bool all)
{
	char list[HECAT__RESOLV_MAXSEARCH][HECAT__NAMELEN];
	const char *t;
	size_t n, cnt = 0;

	while (cnt < HECAT__RESOLV_MAXSEARCH &&
	    (t = hecat__next_token(&p, end, &n)) != NULL) {
		while (n > 0 && t[n - 1] == '.')
			n--;
		if (name_ok(t, n)) {
			memcpy(list[cnt], t, n);
			list[cnt][n] = '\0';
			cnt++;
		}
		if (!all)
			break;
	}
	if (cnt == 0)
		return;
	memset(rc->search, 0, sizeof(rc->search));
	memcpy(rc->search, list, cnt * sizeof(list[0]));
	rc->nsearch = cnt;
}

static void
parse_options(struct hecat__resolvconf *rc, const char *p, const char *end)
{
	static const char ndots[] = "ndots:", timeout[] = "timeout:";
	static const char attempts[] = "attempts:";
	const char *t;
	size_t n;
	unsigned v;

#define OPTION(name)	(n >= sizeof(name) - 1 && \
	    memcmp(t, name, sizeof(name) - 1) == 0 && \
	    parse_uint(t + sizeof(name) - 1, n - (sizeof(name) - 1), &v) == 0)
	while ((t = hecat__next_token(&p, end, &n)) != NULL) {
		if (OPTION(ndots))
			rc->ndots = clamp(v, 0, RESOLV_MAXNDOTS);
		else if (OPTION(timeout))
			rc->timeout = clamp(v, 1, RESOLV_MAXTIMEOUT);
		else if (OPTION(attempts))
			rc->attempts = clamp(v, 1, RESOLV_MAXATTEMPTS);
	}
#undef OPTION
}

void
hecat__resolvconf_parse(struct hecat__resolvconf *rc, const char *buf,
    size_t len)
{
	const char *p, *end, *eol, *next, *rest;

	memset(rc, 0, sizeof(*rc));
	rc->ndots = 1;
	rc->timeout = 5;
	rc->attempts = 2;
	if (buf == NULL) {
		buf = "";
		len = 0;
	}
	next = buf;
	end = buf + len;
	while ((p = hecat__next_line(&next, end, &eol)) != NULL) {
		eol = hecat__content_end(p, eol, "#;");
		if (keyword(p, eol, "nameserver", &rest))
			parse_nameserver(rc, rest, eol);
		else if (keyword(p, eol, "search", &rest))
			parse_search(rc, rest, eol, true);
		else if (keyword(p, eol, "domain", &rest))
			parse_search(rc, rest, eol, false);
		else if (keyword(p, eol, "options", &rest))
			parse_options(rc, rest, eol);
	}
	if (rc->nns == 0) {
		rc->ns[0].ip.family = AF_INET;
		rc->ns[0].ip.a[0] = 127;
		rc->ns[0].ip.a[3] = 1;
		rc->ns[0].port = 53;
		rc->nns = 1;
	}
}

/* Whether a equals b[0..n) and ends there, ignoring ASCII case. */
static bool
same_name(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] == '\0' || hecat__lower(a[i]) != hecat__lower(b[i]))
			return false;
	return a[n] == '\0';
}

/*
 * Append name[0..n), with ".domain" when domain is not NULL, to out[0..
 * *cnt) unless it is too long, already there or out is full.
 */
static void
add_candidate(char (*out)[HECAT__NAMELEN], size_t *cnt, size_t max,
    const char *name, size_t n, const char *domain)
{
	char c[HECAT__NAMELEN];
	size_t d = domain == NULL ? 0 : strlen(domain), len, i;

	if (*cnt >= max || d > RESOLV_MAXNAME ||
	    n + (d > 0 ? d + 1 : 0) > RESOLV_MAXNAME)
		return;
	memcpy(c, name, n);
	len = n;
	if (d > 0) {
		c[len++] = '.';
		memcpy(c + len, domain, d);
		len += d;
	}
	c[len] = '\0';
	for (i = 0; i < *cnt; i++)
		if (same_name(out[i], c, len))
			return;
	memcpy(out[*cnt], c, len + 1);
	(*cnt)++;
}

/*
 * Returns the number of candidates written to out[0..max): glibc's
 * res_search order, each at most 253 characters, none twice (ASCII case
 * ignored).  A name that is empty, over-long, or has an empty or over-long
 * label gives none.
 */
size_t
hecat__resolvconf_candidates(const struct hecat__resolvconf *rc,
    const char *name, char (*out)[HECAT__NAMELEN], size_t max)
{
	size_t n, i, dots = 0, cnt = 0, nsearch;
	bool absolute = false;

	if (name == NULL)
		return 0;
	n = strnlen(name, HECAT__NAMELEN);
	if (n > 0 && name[n - 1] == '.') {
		absolute = true;
		n--;
	}
	if (!name_ok(name, n))
		return 0;
	if (absolute) {
		add_candidate(out, &cnt, max, name, n, NULL);
		return cnt;
	}
	for (i = 0; i < n; i++)
		if (name[i] == '.')
			dots++;
	nsearch = rc->nsearch < HECAT__RESOLV_MAXSEARCH ? rc->nsearch :
	    HECAT__RESOLV_MAXSEARCH;

	if (dots >= rc->ndots)
		add_candidate(out, &cnt, max, name, n, NULL);
	for (i = 0; i < nsearch; i++)
		if (memchr(rc->search[i], '\0', HECAT__NAMELEN) != NULL &&
		    rc->search[i][0] != '\0')
			add_candidate(out, &cnt, max, name, n, rc->search[i]);
	if (dots < rc->ndots)
		add_candidate(out, &cnt, max, name, n, NULL);
	return cnt;
}

/*
 * Parse the port text s: 1 to 5 decimal digits, value 1..65535.  Returns
 * 0, or -1.
 */
static int
parse_port(const char *s, uint16_t *port)
{
	size_t n = strlen(s);
	unsigned v;

	if (n > 5 || parse_uint(s, n, &v) == -1 || v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/*
 * Returns 0 with *ns set, or -1 with errno EINVAL (*ns untouched).  An
 * unbracketed text with one colon is "IPv4:port"; with more it is a bare
 * IPv6 address and cannot carry a port.
 */
int
hecat__nameserver_parse(struct hecat__nameserver *ns, const char *s)
{
	return hecat__nameserver_parse_port(ns, s, 53);
}

int
hecat__nameserver_parse_port(struct hecat__nameserver *ns, const char *s,
    uint16_t defport)
{
	char a[NS_TEXTLEN];
	struct hecat__nameserver r;
	const char *port = NULL, *rb, *colon;
	size_t n, alen;

	if (s == NULL)
		goto inval;
	n = strnlen(s, sizeof(a));
	if (n == 0 || n == sizeof(a))
		goto inval;
	if (s[0] == '[') {
		if ((rb = memchr(s, ']', n)) == NULL)
			goto inval;
		alen = (size_t)(rb - s) + 1;
		if (rb[1] == ':')
			port = rb + 2;
		else if (rb[1] != '\0')
			goto inval;
	} else if ((colon = strchr(s, ':')) != NULL &&
	    strchr(colon + 1, ':') == NULL) {
		alen = (size_t)(colon - s);
		port = colon + 1;
	} else
		alen = n;
	memcpy(a, s, alen);
	a[alen] = '\0';

	memset(&r, 0, sizeof(r));
	if (hecat__ip_parse(&r.ip, a) == -1)
		goto inval;
	r.port = defport;
	if (port != NULL && parse_port(port, &r.port) == -1)
		goto inval;
	*ns = r;
	return 0;
inval:
	errno = EINVAL;
	return -1;
}

int
hecat__nameservers_parse(const char *spec, int tls,
    struct hecat__nameserver *ns, char (*names)[HECAT__NAMELEN], size_t max,
    const char **why)
{
	char buf[1024], *tok, *save, *name;
	size_t n = 0;

	if (spec == NULL || strlen(spec) >= sizeof(buf)) {
		*why = "too long";
		return -1;
	}
	strcpy(buf, spec);
	for (tok = strtok_r(buf, " ,\t", &save); tok != NULL;
	    tok = strtok_r(NULL, " ,\t", &save)) {
		if (n == max) {
			*why = "too many name servers";
			return -1;
		}
		name = NULL;
		if (tls && (name = strchr(tok, '#')) != NULL) {
			*name++ = '\0';
			if (*name == '\0' || strlen(name) >= HECAT__NAMELEN) {
				*why = "an empty or too long #NAME";
				return -1;
			}
		}
		if (hecat__nameserver_parse_port(&ns[n], tok, tls ? 853 : 53) ==
		    -1) {
			*why = tls ? "not ADDRESS[:PORT][#NAME]" :
			    "not ADDRESS[:PORT]";
			return -1;
		}
		if (tls)
			snprintf(names[n], HECAT__NAMELEN, "%s",
			    name != NULL ? name : "");
		n++;
	}
	if (n == 0) {
		*why = "no name server";
		return -1;
	}
	return (int)n;
}

int
hecat_nameservers_check(const char *spec, int tls, const char **why)
{
	struct hecat__nameserver ns[HECAT__RESOLV_MAXNS];
	char names[HECAT__RESOLV_MAXNS][HECAT__NAMELEN];

	return hecat__nameservers_parse(spec, tls, ns, names,
	    HECAT__RESOLV_MAXNS, why) == -1 ? -1 : 0;
}
