/*
 * proxyproto.c - SOCKS5, SOCKS4(a) and HTTP CONNECT messages on buffers
 * (see proxyproto.h).
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "proxyproto.h"

/* ---- SOCKS5 ------------------------------------------------------------ */

size_t
hecat__socks5_greeting(uint8_t buf[4], bool auth)
{
	buf[0] = 5;
	buf[2] = HECAT__SOCKS5_NOAUTH;
	if (!auth) {
		buf[1] = 1;
		return 3;
	}
	buf[1] = 2;
	buf[3] = HECAT__SOCKS5_USERPASS;
	return 4;
}

int
hecat__socks5_method(const uint8_t b[2])
{
	return b[0] == 5 ? b[1] : -1;
}

size_t
hecat__socks5_auth(uint8_t *buf, const char *user, const char *pass)
{
	size_t ulen = strlen(user), plen = strlen(pass);

	if (ulen == 0 || ulen > 255 || plen == 0 || plen > 255)
		return 0;
	buf[0] = 1;
	buf[1] = (uint8_t)ulen;
	memcpy(buf + 2, user, ulen);
	buf[2 + ulen] = (uint8_t)plen;
	memcpy(buf + 3 + ulen, pass, plen);
	return 3 + ulen + plen;
}

int
hecat__socks5_auth_status(const uint8_t b[2])
{
	if (b[0] != 1)
		return -1;
	return b[1] == 0 ? 0 : 1;
}

size_t
hecat__socks5_request(uint8_t *buf, const char *name,
    const struct sockaddr *sa, uint16_t port)
{
	size_t len, off = 4;

	buf[0] = 5;
	buf[1] = 1;			/* CONNECT */
	buf[2] = 0;
	if (name != NULL) {
		if ((len = strlen(name)) == 0 || len > 255)
			return 0;
		buf[3] = 3;
		buf[off++] = (uint8_t)len;
		memcpy(buf + off, name, len);
		off += len;
	} else if (sa->sa_family == AF_INET) {
		buf[3] = 1;
		memcpy(buf + off, &((const struct sockaddr_in *)sa)->sin_addr,
		    4);
		off += 4;
	} else if (sa->sa_family == AF_INET6) {
		buf[3] = 4;
		memcpy(buf + off,
		    &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		off += 16;
	} else
		return 0;
	buf[off++] = (uint8_t)(port >> 8);
	buf[off++] = (uint8_t)port;
	return off;
}

int
hecat__socks5_reply_len(const uint8_t *b, size_t n)
{
	if (n < 5)
		return 0;
	if (b[0] != 5 || b[2] != 0)
		return -1;
	switch (b[3]) {
	case 1:
		return 4 + 4 + 2;
	case 4:
		return 4 + 16 + 2;
	case 3:
		return b[4] == 0 ? -1 : 4 + 1 + b[4] + 2;
	default:
		return -1;
	}
}

int
hecat__socks5_reply(const uint8_t *b, size_t n, int *rep,
    struct sockaddr_storage *bound, socklen_t *boundlen)
{
	static const uint8_t zero[16];
	struct sockaddr_in *sin = (struct sockaddr_in *)bound;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)bound;
	int len = hecat__socks5_reply_len(b, n);

	if (len <= 0 || (size_t)len != n)
		return -1;
	*rep = b[1];
	memset(bound, 0, sizeof(*bound));
	*boundlen = 0;
	/*
	 * Bytes compared, not IN6_IS_ADDR_UNSPECIFIED(), which loads words:
	 * b + 4 need not be aligned.
	 */
	if (b[3] == 1 && memcmp(b + 4, "\0\0\0\0", 4) != 0) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, b + 4, 4);
		memcpy(&sin->sin_port, b + 8, 2);
		*boundlen = sizeof(*sin);
	} else if (b[3] == 4 && memcmp(b + 4, zero, 16) != 0) {
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, b + 4, 16);
		memcpy(&sin6->sin6_port, b + 20, 2);
		*boundlen = sizeof(*sin6);
	}
	return 0;
}

const char *
hecat__socks5_rep_name(int rep)
{
	static const char *const names[] = {
		"succeeded",
		"general SOCKS server failure",
		"connection not allowed by ruleset",
		"network unreachable",
		"host unreachable",
		"connection refused",
		"TTL expired",
		"command not supported",
		"address type not supported"
	};

	return rep >= 0 && rep < 9 ? names[rep] : "unassigned reply";
}

int
hecat__socks5_rep_errno(int rep)
{
	switch (rep) {
	case 0:
		return 0;
	case 1:
		return ECONNABORTED;
	case 2:
		return EACCES;
	case 3:
		return ENETUNREACH;
	case 4:
		return EHOSTUNREACH;
	case 5:
		return ECONNREFUSED;
	case 6:
		return ETIMEDOUT;
	case 7:
		return EOPNOTSUPP;
	case 8:
		return EAFNOSUPPORT;
	default:
		return EPROTO;
	}
}

/* ---- SOCKS4 and SOCKS4a ------------------------------------------------ */

size_t
hecat__socks4_request(uint8_t *buf, const char *name,
    const struct sockaddr *sin, uint16_t port, const char *user)
{
	size_t ulen = user != NULL ? strlen(user) : 0, nlen = 0, off = 8;

	if (ulen > 255 || (name != NULL && ((nlen = strlen(name)) == 0 ||
	    nlen > 255)) || (name == NULL && sin->sa_family != AF_INET))
		return 0;
	buf[0] = 4;
	buf[1] = 1;			/* CONNECT */
	buf[2] = (uint8_t)(port >> 8);
	buf[3] = (uint8_t)port;
	if (name != NULL)		/* 4a: 0.0.0.1, the name after */
		memcpy(buf + 4, "\0\0\0\1", 4);
	else
		memcpy(buf + 4, &((const struct sockaddr_in *)sin)->sin_addr,
		    4);
	memcpy(buf + off, user != NULL ? user : "", ulen);
	off += ulen;
	buf[off++] = 0;
	if (name != NULL) {
		memcpy(buf + off, name, nlen);
		off += nlen;
		buf[off++] = 0;
	}
	return off;
}

int
hecat__socks4_reply(const uint8_t b[HECAT__SOCKS4_REPLY], int *cd,
    struct sockaddr_storage *bound, socklen_t *boundlen)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)bound;

	if (b[0] != 0)
		return -1;
	*cd = b[1];
	memset(bound, 0, sizeof(*bound));
	*boundlen = 0;
	if (memcmp(b + 4, "\0\0\0\0", 4) != 0) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_port, b + 2, 2);
		memcpy(&sin->sin_addr, b + 4, 4);
		*boundlen = sizeof(*sin);
	}
	return 0;
}

const char *
hecat__socks4_cd_name(int cd)
{
	switch (cd) {
	case 90:
		return "request granted";
	case 91:
		return "request rejected or failed";
	case 92:
		return "request rejected: the proxy cannot reach identd on this "
		    "host";
	case 93:
		return "request rejected: identd reports another user";
	default:
		return "unknown reply";
	}
}

int
hecat__socks4_cd_errno(int cd)
{
	switch (cd) {
	case 90:
		return 0;
	case 91:
		return ECONNREFUSED;
	case 92:
	case 93:
		return EACCES;
	default:
		return EPROTO;
	}
}

/* ---- HTTP CONNECT ------------------------------------------------------- */

/* RFC 4648 base64 of s[0..n) into out (4 * ((n + 2) / 3) + 1 bytes). */
static void
base64(const char *s, size_t n, char *out)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = (const unsigned char *)s;
	uint32_t v;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*out++ = tab[v >> 18];
		*out++ = tab[(v >> 12) & 63];
		*out++ = tab[(v >> 6) & 63];
		*out++ = tab[v & 63];
	}
	if (i < n) {
		v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 :
		    0);
		*out++ = tab[v >> 18];
		*out++ = tab[(v >> 12) & 63];
		*out++ = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		*out++ = '=';
	}
	*out = '\0';
}

/* Whether name may stand in an authority (RFC 3986 reg-name, loosely). */
static bool
authority_ok(const char *name)
{
	const unsigned char *p;

	if (*name == '\0')
		return false;
	for (p = (const unsigned char *)name; *p != '\0'; p++)
		if (*p <= 0x20 || *p == 0x7f || strchr("[]@/?#\\", *p) != NULL)
			return false;
	return true;
}

size_t
hecat__http_request(char *buf, size_t len, const char *name,
    const struct sockaddr *sa, uint16_t port, const char *user,
    const char *pass)
{
	char host[INET6_ADDRSTRLEN + 2], cred[2 * 256 + 2];
	char b64[4 * ((sizeof(cred) + 2) / 3) + 1];
	int n;

	if (name != NULL) {
		if (!authority_ok(name) || strlen(name) > 255)
			return 0;
	} else if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		    host, sizeof(host));
		name = host;
	} else if (sa->sa_family == AF_INET6) {
		host[0] = '[';
		inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)sa)->sin6_addr, host + 1,
		    sizeof(host) - 2);
		strcat(host, "]");
		name = host;
	} else
		return 0;
	n = snprintf(buf, len, "CONNECT %s:%u HTTP/1.1\r\nHost: %s:%u\r\n",
	    name, port, name, port);
	if (n < 0 || (size_t)n >= len)
		return 0;
	if (user != NULL) {
		/* RFC 7617: the user-id cannot hold a colon. */
		if (strchr(user, ':') != NULL || strlen(user) > 256 ||
		    strlen(pass) > 256)
			return 0;
		snprintf(cred, sizeof(cred), "%s:%s", user, pass);
		base64(cred, strlen(cred), b64);
		n += snprintf(buf + n, len - (size_t)n,
		    "Proxy-Authorization: Basic %s\r\n", b64);
		if ((size_t)n >= len)
			return 0;
	}
	n += snprintf(buf + n, len - (size_t)n, "\r\n");
	return (size_t)n < len ? (size_t)n : 0;
}

ssize_t
hecat__http_scan(struct hecat__http_scan *s, const char *b, size_t n,
    bool *done)
{
	size_t i;

	*done = false;
	for (i = 0; i < n; i++) {
		char c = b[i];

		/* A byte past the cap, wherever the pieces were cut. */
		if (s->total + i >= HECAT__HTTP_MAXHEAD)
			return -1;
		if (!s->line_done) {
			if (c == '\n')
				s->line_done = true;
			else if (c != '\r' && s->linelen + 1 < sizeof(s->line))
				s->line[s->linelen++] = c;
			s->line[s->linelen] = '\0';
		}
		/*
		 * state: 0 in a line, 1 after its CR, 2 at a line's start,
		 * 3 after a CR at a line's start.
		 */
		if (c == '\n') {
			if (s->state >= 2) {
				s->total += i + 1;
				*done = true;
				return (ssize_t)(i + 1);
			}
			s->state = 2;
		} else if (c == '\r')
			s->state = s->state >= 2 ? 3 : 1;
		else
			s->state = 0;
	}
	s->total += n;
	return (ssize_t)n;
}

int
hecat__http_status(const struct hecat__http_scan *s)
{
	const char *l = s->line;
	int code;

	if (strncmp(l, "HTTP/1.", 7) != 0 || l[7] < '0' || l[7] > '9' ||
	    l[8] != ' ' || l[9] < '1' || l[9] > '5' || l[10] < '0' ||
	    l[10] > '9' || l[11] < '0' || l[11] > '9' ||
	    (l[12] != ' ' && l[12] != '\0'))
		return -1;
	code = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
	return code;
}

int
hecat__http_errno(int status)
{
	if (status >= 200 && status < 300)
		return 0;
	switch (status) {
	case 401:
	case 403:
	case 407:
		return EACCES;
	case 504:
		return ETIMEDOUT;
	case 500:			/* tinyproxy: "Unable to connect" */
	case 502:
	case 503:			/* Squid: the target unreachable */
		return EHOSTUNREACH;
	default:
		return EPROTO;
	}
}
