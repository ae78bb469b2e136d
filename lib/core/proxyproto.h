/*
 * proxyproto.h - the proxy protocols' messages, built and parsed on
 * buffers: SOCKS5 (RFC 1928) with username/password (RFC 1929), SOCKS4
 * and SOCKS4a, HTTP CONNECT (RFC 9110 section 9.3.6) with Basic
 * credentials (RFC 7617).  No I/O: the stages in lib/stage/ send and
 * receive; the parsers are fuzzed (tests/fuzz/fuzz_proxy.c).
 *
 * Every reply is read exactly: a SOCKS reply's length is known from its
 * first bytes, an HTTP reply's head ends at its empty line.  A byte past
 * the reply belongs to the application.
 */
#ifndef HECAT_PROXYPROTO_H
#define HECAT_PROXYPROTO_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HECAT__SOCKS5_MAXMSG	(4 + 1 + 255 + 2)	/* a request */
#define HECAT__SOCKS5_MAXREPLY	(4 + 1 + 255 + 2)	/* a reply */
#define HECAT__SOCKS_AUTH_MAX	(3 + 255 + 255)		/* RFC 1929 */
#define HECAT__SOCKS4_MAXMSG	(8 + 256 + 256)		/* user, name */
#define HECAT__HTTP_MAXHEAD	16384	/* a reply's head, at most */
#define HECAT__HTTP_MAXREQ	1024	/* a request, at most */
#define HECAT__HTTP_LINELEN	256	/* the status line kept */

/* ---- SOCKS5 ------------------------------------------------------------ */

#define HECAT__SOCKS5_NOAUTH	0x00
#define HECAT__SOCKS5_USERPASS	0x02
#define HECAT__SOCKS5_NONE	0xff	/* no acceptable method */

/* The greeting: the methods offered (username/password too if auth). */
size_t	hecat__socks5_greeting(uint8_t buf[4], bool auth);

/* The method the server chose (2 bytes), or -1 if it is not SOCKS5. */
int	hecat__socks5_method(const uint8_t b[2]);

/*
 * RFC 1929's request into buf (HECAT__SOCKS_AUTH_MAX); 0 when the user
 * or the password is empty or longer than 255 bytes.
 */
size_t	hecat__socks5_auth(uint8_t *buf, const char *user, const char *pass);

/* RFC 1929's answer (2 bytes): 0 accepted, 1 refused, -1 malformed. */
int	hecat__socks5_auth_status(const uint8_t b[2]);

/*
 * CONNECT to name (a domain name, 1 to 255 bytes), or to the IPv4 or
 * IPv6 address sa when name is NULL, on port; into buf
 * (HECAT__SOCKS5_MAXMSG).  0 when the name does not fit.
 */
size_t	hecat__socks5_request(uint8_t *buf, const char *name,
	    const struct sockaddr *sa, uint16_t port);

/*
 * A reply's whole length from its first n bytes: 0 while fewer than 5
 * are there, else 10, 22 or 7 + the name's length; -1 when it is not a
 * SOCKS5 reply (version, reserved byte, address type).
 */
int	hecat__socks5_reply_len(const uint8_t *b, size_t n);

/*
 * A whole reply (n bytes, as hecat__socks5_reply_len() said): its REP in
 * *rep and the bound address, when it is an address, in *bound (port
 * included; *boundlen 0 for a name or none).  0, or -1 if malformed.
 */
int	hecat__socks5_reply(const uint8_t *b, size_t n, int *rep,
	    struct sockaddr_storage *bound, socklen_t *boundlen);

/* RFC 1928's name of a REP ("connection refused"), and its errno. */
const char *hecat__socks5_rep_name(int rep);
int	hecat__socks5_rep_errno(int rep);

/* ---- SOCKS4 and SOCKS4a ------------------------------------------------ */

#define HECAT__SOCKS4_REPLY	8

/*
 * CONNECT to the IPv4 address sin, or (SOCKS4a) to name when it is not
 * NULL, on port, as user (NULL: none); into buf (HECAT__SOCKS4_MAXMSG).
 * 0 when the name or user is too long.
 */
size_t	hecat__socks4_request(uint8_t *buf, const char *name,
	    const struct sockaddr *sin, uint16_t port, const char *user);

/*
 * The 8-byte reply: its code in *cd (90 granted, 91-93 refused) and the
 * address it names in *bound (*boundlen 0 when 0.0.0.0).  0, or -1 when
 * it is not a SOCKS4 reply.
 */
int	hecat__socks4_reply(const uint8_t b[HECAT__SOCKS4_REPLY], int *cd,
	    struct sockaddr_storage *bound, socklen_t *boundlen);
const char *hecat__socks4_cd_name(int cd);
int	hecat__socks4_cd_errno(int cd);

/* ---- HTTP CONNECT ------------------------------------------------------- */

/*
 * "CONNECT host:port HTTP/1.1", Host, and Proxy-Authorization: Basic
 * when user is not NULL; host is name, else the address sa (IPv6 in
 * brackets).  Into buf of len; returns its length, or 0 when it does not
 * fit or name holds a byte no authority may (control characters, space,
 * brackets, '@', '/').
 */
size_t	hecat__http_request(char *buf, size_t len, const char *name,
	    const struct sockaddr *sa, uint16_t port, const char *user,
	    const char *pass);

/*
 * The end of a reply's head, found across the pieces it comes in.  Start
 * zeroed.  The status line is kept (first HECAT__HTTP_LINELEN - 1 bytes)
 * for the report.
 */
struct hecat__http_scan {
	int	state;			/* where in "\r\n\r\n" */
	size_t	total;			/* head bytes seen */
	bool	line_done;		/* the status line is over */
	size_t	linelen;
	char	line[HECAT__HTTP_LINELEN];
};

/*
 * Look at n more bytes of the reply: returns how many of them belong to
 * the head (all n while it goes on, fewer when it ends in them), with
 * *done set when it ended; -1 when the head is longer than
 * HECAT__HTTP_MAXHEAD (its next byte would be one too many, however the
 * pieces were cut).  An empty line ends it, "\r\n" or a bare "\n".
 */
ssize_t	hecat__http_scan(struct hecat__http_scan *, const char *b, size_t n,
	    bool *done);

/*
 * The status line's code ("HTTP/1.1 200 ..." -> 200), or -1 when it is
 * not an HTTP/1.x status line.
 */
int	hecat__http_status(const struct hecat__http_scan *);

/* What a status says for the attempt: 0 for 2xx, else an errno. */
int	hecat__http_errno(int status);

#endif /* HECAT_PROXYPROTO_H */
