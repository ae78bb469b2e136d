/*
 * resolvconf.h - resolv.conf(5): name servers, search domains, ndots; and
 * the "ADDRESS[:PORT]" name-server syntax of hecat's own configuration.
 */
#ifndef HECAT_RESOLVCONF_H
#define HECAT_RESOLVCONF_H

#include <stddef.h>
#include <stdint.h>

#include "ip.h"

#define HECAT__RESOLV_MAXNS	16	/* name servers kept */
#define HECAT__RESOLV_MAXSEARCH	8	/* search domains kept */
#define HECAT__NAMELEN		256	/* a domain name in text, with NUL */

struct hecat__nameserver {
	struct hecat__ip	ip;
	uint16_t		port;		/* 53 unless given */
};

struct hecat__resolvconf {
	struct hecat__nameserver ns[HECAT__RESOLV_MAXNS];
	size_t			 nns;
	char			 search[HECAT__RESOLV_MAXSEARCH][HECAT__NAMELEN];
	size_t			 nsearch;
	unsigned		 ndots;		/* options ndots:N, default 1 */
	unsigned		 timeout;	/* options timeout:N (s), 5 */
	unsigned		 attempts;	/* options attempts:N, 2 */
};

/*
 * Parse resolv.conf text in buf[0..len) (not NUL-terminated) as glibc
 * does: "nameserver ADDR" (IPv4, IPv6, IPv6%zone), "search D..." and
 * "domain D" (the last of the two wins), "options ndots:N timeout:N
 * attempts:N" (others ignored); '#' and ';' start comments.  Without any
 * nameserver line the server is 127.0.0.1.  Never fails: bad lines are
 * skipped, values clamped (ndots <= 15, timeout 1..30, attempts 1..5).
 */
void	hecat__resolvconf_parse(struct hecat__resolvconf *, const char *buf,
	    size_t len);

/*
 * The names to query for name, in order, by glibc's rule: a name ending in
 * '.' is absolute and tried alone (without the dot); a name with at least
 * ndots dots is tried as is first, then with each search domain; a name
 * with fewer is tried with each search domain first, then as is.  Writes
 * up to max names to out and returns how many.
 */
size_t	hecat__resolvconf_candidates(const struct hecat__resolvconf *,
	    const char *name, char (*out)[HECAT__NAMELEN], size_t max);

/*
 * Parse one name server: "192.0.2.1", "192.0.2.1:5353", "2001:db8::1",
 * "[2001:db8::1]:5353", "[fe80::1%eth0]:53".  The port defaults to 53
 * (to defport with hecat__nameserver_parse_port()).  Returns 0, or -1
 * with errno EINVAL.
 */
int	hecat__nameserver_parse(struct hecat__nameserver *, const char *);
int	hecat__nameserver_parse_port(struct hecat__nameserver *, const char *,
	    uint16_t defport);

/*
 * A list of name servers as hecat_config gives them: "ADDR[:PORT] ..."
 * separated by spaces or commas; with tls "ADDR[:PORT][#NAME] ...", the
 * port 853 by default and each NAME (the name its certificate must be
 * valid for; "" when not given) in names[i].  Fills ns[0..max) and
 * returns how many, at least one; or -1 with a static reason in *why
 * (more than max is "too many name servers").
 */
int	hecat__nameservers_parse(const char *spec, int tls,
	    struct hecat__nameserver *ns, char (*names)[HECAT__NAMELEN],
	    size_t max, const char **why);

#endif /* HECAT_RESOLVCONF_H */
