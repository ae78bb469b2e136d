/*
 * trace_fmt.c - the formatting hecat's stderr lines and JSON trace share:
 * addresses and ports, families, errno names, and escaping of text that
 * came from the user or the network.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_impl.h"

double
since_ms(const struct out *o, uint64_t t)
{
	return t > o->t0 ? (double)(t - o->t0) / 1e6 : 0.0;
}

bool
sa_text(const struct sockaddr *sa, socklen_t len, char *host, size_t hlen,
    unsigned *port)
{
	char serv[NI_MAXSERV];

	if (sa == NULL || getnameinfo(sa, len, host, (socklen_t)hlen, serv,
	    sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(host, hlen, "?");
		*port = 0;
		return false;
	}
	*port = (unsigned)strtoul(serv, NULL, 10);
	return true;
}

socklen_t
sa_len(const struct sockaddr *sa)
{
	return sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
}

const char *
endpoint(const struct sockaddr *sa, char *buf, size_t len)
{
	char h[NI_MAXHOST];
	unsigned port;

	if (sa == NULL) {
		snprintf(buf, len, "-");
		return buf;
	}
	sa_text(sa, sa_len(sa), h, sizeof(h), &port);
	snprintf(buf, len, sa->sa_family == AF_INET6 ? "[%s]:%u" : "%s:%u",
	    h, port);
	return buf;
}

const char *
addr_list(const struct sockaddr_storage *ss, size_t n, char *buf, size_t len)
{
	char h[NI_MAXHOST];
	unsigned port;
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++) {
		sa_text((const struct sockaddr *)&ss[i],
		    sa_len((const struct sockaddr *)&ss[i]), h, sizeof(h),
		    &port);
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    i ? "," : "", h);
	}
	return buf;
}

const char *
port_list(const uint16_t *ports, size_t n, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%u",
		    i ? "," : "", ports[i]);
	return buf;
}

const char *
famname(int family)
{
	return family == AF_INET6 ? "inet6" : family == AF_INET ? "inet" :
	    "any";
}

const char *
families(int family, int prefer, const char *q, const char *sep, char *buf,
    size_t len)
{
	int first = family != AF_UNSPEC ? family :
	    prefer == AF_INET ? AF_INET : AF_INET6;

	if (family != AF_UNSPEC)
		snprintf(buf, len, "%s%s%s", q, famname(first), q);
	else
		snprintf(buf, len, "%s%s%s%s%s%s%s", q, famname(first), q, sep,
		    q, famname(first == AF_INET ? AF_INET6 : AF_INET), q);
	return buf;
}

const char *
errname(int err)
{
	const char *n = strerrorname_np(err);

	return n != NULL ? n : "E?";
}

/*
 * Every byte that is not printable ASCII or part of well-formed UTF-8 is
 * written as \xNN: control characters (a newline, an escape sequence),
 * C1 controls and stray bytes.  What the user or the network put in a
 * host, a port or a path cannot break the line in two or talk to the
 * terminal.
 */
void
put_escaped(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, i;

	while (*p != '\0') {
		if (*p >= 0x20 && *p < 0x7f) {
			fputc(*p++, f);
			continue;
		}
		n = *p >= 0xc2 && *p <= 0xdf ? 2 : (*p & 0xf0) == 0xe0 ? 3 :
		    *p >= 0xf0 && *p <= 0xf4 ? 4 : 0;
		for (i = 1; i < n && (p[i] & 0xc0) == 0x80; i++)
			;
		if (n > 0 && i == n && !(p[0] == 0xc2 && p[1] < 0xa0)) {
			fwrite(p, 1, n, f);
			p += n;
			continue;
		}
		fprintf(f, "\\x%02x", *p++);
	}
}

const char *
attempt_word(const struct hecat_trace *t)
{
	if (t->result != HECAT_ATTEMPT_FAILED)
		return hecat_attempt_result_name(t->result);
	switch (t->error) {
	case ECONNREFUSED:
		return "refused";
	case ENETUNREACH:
	case EHOSTUNREACH:
		return "unreachable";
	case ETIMEDOUT:
		return "timeout";
	case ECONNRESET:
		return "reset";
	default:
		return "error";
	}
}
