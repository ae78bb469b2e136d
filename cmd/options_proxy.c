/*
 * options_proxy.c - the proxy's options: OpenBSD nc's -x, -X and -P,
 * the --proxy URL, --proxy-resolve, and where the password comes from
 * (HECAT_PROXY_PASSWORD or --proxy-password-file, never the command
 * line and never a prompt: under ssh, stdin is the session).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

int
options_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* A port, 1 to 65535, digits only; 0 if not. */
static uint16_t
port_of(const char *s)
{
	unsigned long v = 0;

	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || (v = v * 10 + (unsigned long)(*s -
		    '0')) > 65535)
			return 0;
	}
	return (uint16_t)v;
}

/*
 * "host", "host:port", "[v6]:port", "[v6]" or a bare IPv6 address (more
 * than one colon: no port) into o->proxy_host (allocated) and port.
 */
static int
host_port(struct options *o, const char *what, const char *s, char *err,
    size_t errlen)
{
	const char *colon, *end;
	size_t len;

	if (*s == '[') {
		if ((end = strchr(s, ']')) == NULL || end == s + 1 ||
		    (end[1] != '\0' && end[1] != ':'))
			return options_fail(err, errlen, "%s: '%s': not "
			    "[ADDRESS]:PORT", what, s);
		len = (size_t)(end - s - 1);
		s++;
		colon = end[1] == ':' ? end + 1 : NULL;
	} else if ((colon = strchr(s, ':')) != NULL &&
	    strchr(colon + 1, ':') != NULL) {
		len = strlen(s);	/* IPv6 without brackets */
		colon = NULL;
	} else
		len = colon != NULL ? (size_t)(colon - s) : strlen(s);
	if (len == 0 || len > 253)
		return options_fail(err, errlen, "%s: '%s': no proxy host", what, s);
	free(o->proxy_host);
	if ((o->proxy_host = strndup(s, len)) == NULL)
		return options_fail(err, errlen, "%s", strerror(errno));
	o->dial.proxy_host = o->proxy_host;
	if (colon != NULL && (o->dial.proxy_port = port_of(colon + 1)) == 0)
		return options_fail(err, errlen, "%s: port '%s': not a number from 1 "
		    "to 65535", what, colon + 1);
	return 0;
}

int
options_proxy_type(struct options *o, const char *arg, char *err,
    size_t errlen)
{
	if (strcmp(arg, "5") == 0)
		o->dial.proxy = HECAT_PROXY_SOCKS5;
	else if (strcmp(arg, "4") == 0)
		o->dial.proxy = HECAT_PROXY_SOCKS4;
	else if (strcmp(arg, "connect") == 0)
		o->dial.proxy = HECAT_PROXY_HTTP;
	else
		return options_fail(err, errlen, "-X: '%s': not 4, 5 or connect", arg);
	o->proxy_letters = true;
	return 0;
}

int
options_proxy_addr(struct options *o, const char *arg, char *err,
    size_t errlen)
{
	o->proxy_letters = true;
	return host_port(o, "-x", arg, err, errlen);
}

/* %XX in a URL's user name. */
static int
unescape(char *s)
{
	char *w = s, hex[3] = { 0, 0, 0 };

	for (; *s != '\0'; s++) {
		if (*s != '%') {
			*w++ = *s;
			continue;
		}
		if ((hex[0] = s[1]) == '\0' || (hex[1] = s[2]) == '\0' ||
		    strspn(hex, "0123456789abcdefABCDEF") != 2)
			return -1;
		*w++ = (char)strtol(hex, NULL, 16);
		s += 2;
	}
	*w = '\0';
	return 0;
}

int
options_proxy_url(struct options *o, const char *url, char *err,
    size_t errlen)
{
	static const struct {
		const char	*scheme;
		int		 type, resolve;
	} schemes[] = {
		{ "socks5h://", HECAT_PROXY_SOCKS5, HECAT_PROXY_RESOLVE_REMOTE },
		{ "socks5://", HECAT_PROXY_SOCKS5, HECAT_PROXY_RESOLVE_LOCAL },
		{ "socks4a://", HECAT_PROXY_SOCKS4, HECAT_PROXY_RESOLVE_REMOTE },
		{ "socks4://", HECAT_PROXY_SOCKS4, HECAT_PROXY_RESOLVE_LOCAL },
		{ "http://", HECAT_PROXY_HTTP, HECAT_PROXY_RESOLVE_REMOTE }
	};
	const char *rest = NULL, *at;
	char *auth = NULL, hostport[300];
	size_t i, len;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strncasecmp(url, schemes[i].scheme,
		    strlen(schemes[i].scheme)) == 0) {
			rest = url + strlen(schemes[i].scheme);
			break;
		}
	if (rest == NULL)
		return options_fail(err, errlen, "--proxy: '%s': not socks5h://, "
		    "socks5://, socks4a://, socks4:// or http://", url);
	o->dial.proxy = schemes[i].type;
	o->dial.proxy_resolve = schemes[i].resolve;
	len = strcspn(rest, "/");
	if (rest[len] != '\0' && strcmp(rest + len, "/") != 0)
		return options_fail(err, errlen, "--proxy: '%s': a path, query or "
		    "fragment is not for a proxy", url);
	if ((at = memchr(rest, '@', len)) != NULL) {
		if ((auth = strndup(rest, (size_t)(at - rest))) == NULL)
			return options_fail(err, errlen, "%s", strerror(errno));
		if (strchr(auth, ':') != NULL) {
			free(auth);
			return options_fail(err, errlen, "--proxy: no password in the "
			    "URL: HECAT_PROXY_PASSWORD or --proxy-password-file");
		}
		if (*auth == '\0' || unescape(auth) == -1) {
			free(auth);
			return options_fail(err, errlen, "--proxy: '%s': bad user "
			    "name", url);
		}
		free(o->proxy_user);
		o->proxy_user = auth;
		o->dial.proxy_user = auth;
		len -= (size_t)(at + 1 - rest);
		rest = at + 1;
	}
	if (len >= sizeof(hostport))
		return options_fail(err, errlen, "--proxy: '%s': host too long", url);
	memcpy(hostport, rest, len);
	hostport[len] = '\0';
	return host_port(o, "--proxy", hostport, err, errlen);
}

/* The first line of file, the password. */
static int
password_file(struct options *o, char *err, size_t errlen)
{
	char line[1024];
	FILE *f;

	if ((f = fopen(o->proxy_password_file, "re")) == NULL)
		return options_fail(err, errlen, "--proxy-password-file: '%s': %s",
		    o->proxy_password_file, strerror(errno));
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	if (strlen(line) == sizeof(line) - 1 && line[sizeof(line) - 2] != '\n')
		return options_fail(err, errlen, "--proxy-password-file: '%s': its "
		    "first line is longer than %zu bytes",
		    o->proxy_password_file, sizeof(line) - 2);
	line[strcspn(line, "\r\n")] = '\0';
	if (line[0] == '\0')
		return options_fail(err, errlen, "--proxy-password-file: '%s': no "
		    "password on its first line", o->proxy_password_file);
	if ((o->proxy_password = strdup(line)) == NULL)
		return options_fail(err, errlen, "%s", strerror(errno));
	explicit_bzero(line, sizeof(line));
	return 0;
}

int
options_proxy_check(struct options *o, char *err, size_t errlen)
{
	struct hecat_opts *d = &o->dial;
	const char *env;

	if (o->proxy_letters && o->proxy_url)
		return options_fail(err, errlen, "--proxy and -x/-X exclude each "
		    "other");
	if (o->proxy_letters && d->proxy_host == NULL)
		return options_fail(err, errlen, "-X needs -x (the proxy's address)");
	if (o->proxy_letters && d->proxy == HECAT_PROXY_NONE)
		d->proxy = HECAT_PROXY_SOCKS5;	/* nc's default */
	if (d->proxy == HECAT_PROXY_NONE) {
		if (o->proxy_user != NULL || o->proxy_password_file != NULL ||
		    o->proxy_resolve_set)
			return options_fail(err, errlen, "%s needs a proxy (-x or "
			    "--proxy)", o->proxy_user != NULL ? "-P" :
			    o->proxy_resolve_set ? "--proxy-resolve" :
			    "--proxy-password-file");
		if (d->race_until == HECAT_STAGE_TCP && o->race_proxy)
			return options_fail(err, errlen, "--race-until proxy needs a "
			    "proxy (-x or --proxy)");
		return 0;
	}
	if (o->proxy_resolve_set)
		d->proxy_resolve = o->proxy_resolve;
	if (d->source_port != 0 &&
	    d->proxy_resolve == HECAT_PROXY_RESOLVE_LOCAL)
		return options_fail(err, errlen, "-p with a proxy that hecat resolves "
		    "through (socks5://, socks4://, --proxy-resolve local): "
		    "every attempt would go from one port to one address");
	if (o->proxy_password_file != NULL && o->proxy_user == NULL)
		return options_fail(err, errlen, "--proxy-password-file needs a user "
		    "(-P, or user@ in --proxy)");
	if (o->proxy_user != NULL) {
		if (o->proxy_password_file != NULL) {
			if (password_file(o, err, errlen) == -1)
				return -1;
		} else if ((env = getenv("HECAT_PROXY_PASSWORD")) != NULL &&
		    *env != '\0' && (o->proxy_password = strdup(env)) == NULL)
			return options_fail(err, errlen, "%s", strerror(errno));
		if (o->proxy_password == NULL &&
		    d->proxy != HECAT_PROXY_SOCKS4)
			return options_fail(err, errlen, "proxy user '%s': no password "
			    "(HECAT_PROXY_PASSWORD or --proxy-password-file)",
			    o->proxy_user);
		d->proxy_user = o->proxy_user;
		d->proxy_password = o->proxy_password;
		/* What no proxy of the kind would take (RFC 1929, 7617). */
		if (d->proxy == HECAT_PROXY_HTTP &&
		    strchr(o->proxy_user, ':') != NULL)
			return options_fail(err, errlen, "proxy user '%s': a colon "
			    "cannot be in an HTTP Basic user name",
			    o->proxy_user);
		if (strlen(o->proxy_user) > 255 || (o->proxy_password != NULL &&
		    strlen(o->proxy_password) > 255))
			return options_fail(err, errlen, "proxy user '%.20s...': the user "
			    "or the password is longer than 255 bytes",
			    o->proxy_user);
	}
	return 0;
}
