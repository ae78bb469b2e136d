/*
 * ip.c - parsing and printing of struct hecat__ip.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <net/if.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hecat.h"
#include "ip.h"

/*
 * Parse an IPv4 or IPv6 literal, optionally in brackets, an IPv6 one
 * optionally with a "%zone" (interface name or number).  Returns 0, or -1
 * with errno EINVAL when the text is not a literal, ENODEV when the zone
 * names no interface.
 */
int
hecat__ip_parse(struct hecat__ip *ip, const char *s)
{
	char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 2], *zone, *end;
	size_t len = strlen(s);
	unsigned long idx;
	bool bracketed = false;

	memset(ip, 0, sizeof(*ip));
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		bracketed = true;
		s++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof(buf))
		goto inval;
	memcpy(buf, s, len);
	buf[len] = '\0';

	/* Brackets are for IPv6 only, as in URIs. */
	if (!bracketed && inet_pton(AF_INET, buf, ip->a) == 1) {
		ip->family = AF_INET;
		return 0;
	}
	if ((zone = strchr(buf, '%')) != NULL)
		*zone++ = '\0';
	if (inet_pton(AF_INET6, buf, ip->a) != 1)
		goto inval;
	ip->family = AF_INET6;
	if (zone == NULL)
		return 0;
	if (*zone == '\0')
		goto inval;
	errno = 0;
	idx = strtoul(zone, &end, 10);
	if (*end != '\0' || errno != 0 || idx > UINT32_MAX)
		idx = if_nametoindex(zone);
	if (idx == 0) {
		memset(ip, 0, sizeof(*ip));
		errno = ENODEV;
		return -1;
	}
	ip->scope_id = (uint32_t)idx;
	return 0;
inval:
	memset(ip, 0, sizeof(*ip));
	errno = EINVAL;
	return -1;
}

/* The address alone: "192.0.2.1", "2001:db8::1", "fe80::1%3". */
char *
hecat__ip_fmt(const struct hecat__ip *ip, char *buf, size_t len)
{
	char zone[16];

	if (inet_ntop(ip->family, ip->a, buf, (socklen_t)len) == NULL) {
		snprintf(buf, len, "?");
		return buf;
	}
	if (ip->family == AF_INET6 && ip->scope_id != 0) {
		snprintf(zone, sizeof(zone), "%%%u", (unsigned)ip->scope_id);
		if (strlen(buf) + strlen(zone) < len)
			strcat(buf, zone);
	}
	return buf;
}

/* Address and port, IPv6 in brackets: "192.0.2.1:80", "[::1]:80". */
char *
hecat__ip_fmt_port(const struct hecat__ip *ip, unsigned port, char *buf,
    size_t len)
{
	char a[HECAT__IP_FMTLEN];

	hecat__ip_fmt(ip, a, sizeof(a));
	if (ip->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, port);
	else
		snprintf(buf, len, "%s:%u", a, port);
	return buf;
}

/* An AF_INET or AF_INET6 sockaddr's address; family 0 for anything else. */
void
hecat__ip_from_sa(struct hecat__ip *ip, const struct sockaddr *sa)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

	memset(ip, 0, sizeof(*ip));
	if (sa->sa_family == AF_INET) {
		ip->family = AF_INET;
		memcpy(ip->a, &sin->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		ip->family = AF_INET6;
		memcpy(ip->a, &sin6->sin6_addr, 16);
		ip->scope_id = sin6->sin6_scope_id;
	}
}

/* Fill ss from ip and port (host order); returns the sockaddr's length. */
socklen_t
hecat__ip_to_sa(const struct hecat__ip *ip, uint16_t port,
    struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (ip->family == AF_INET6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, ip->a, 16);
		sin6->sin6_scope_id = ip->scope_id;
		return sizeof(*sin6);
	}
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	memcpy(&sin->sin_addr, ip->a, 4);
	return sizeof(*sin);
}

uint16_t
hecat__sa_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	return 0;
}

socklen_t
hecat_sockaddr_parse(const char *text, uint16_t port,
    struct sockaddr_storage *ss)
{
	struct hecat__ip ip;

	memset(ss, 0, sizeof(*ss));
	if (text == NULL || hecat__ip_parse(&ip, text) == -1)
		return 0;
	return hecat__ip_to_sa(&ip, port, ss);
}

bool
hecat__ip_answer_ok(const struct hecat__ip *ip)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };
	static const uint8_t zero[16];
	const uint8_t *a = ip->a;

	if (ip->family == AF_INET)
		return a[0] != 0 && (a[0] & 0xf0) != 0xe0 &&
		    !(a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255);
	if (ip->family == AF_INET6)
		return memcmp(a, zero, 16) != 0 && a[0] != 0xff &&
		    memcmp(a, mapped, sizeof(mapped)) != 0;
	return false;
}
