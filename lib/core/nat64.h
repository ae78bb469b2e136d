/*
 * nat64.h - NAT64 prefixes: the RFC 6052 address encoding, RFC 7050
 * discovery from the AAAA answer for ipv4only.arpa, and which IPv4
 * addresses may be synthesized (RFC 6052 section 3.1, HEv3).
 *
 * Pure functions on struct hecat__ip; no sockets, no DNS.
 */
#ifndef HECAT_NAT64_H
#define HECAT_NAT64_H

#include <stdbool.h>
#include <stddef.h>

#include "ip.h"

/* A NAT64 prefix: an IPv6 address and one of the RFC 6052 lengths. */
struct hecat__prefix64 {
	struct hecat__ip	ip;	/* AF_INET6; bits past len are zero */
	unsigned		len;	/* 32, 40, 48, 56, 64 or 96; 0 = none */
};

/* The name RFC 7050 queries, and its two well-known IPv4 addresses. */
#define HECAT__NAT64_DISCOVERY_NAME	"ipv4only.arpa."

/* The Well-Known Prefix 64:ff9b::/96. */
void	hecat__nat64_wkp(struct hecat__prefix64 *);
bool	hecat__nat64_is_wkp(const struct hecat__prefix64 *);

/* Is len one of RFC 6052's (32, 40, 48, 56, 64, 96)? */
bool	hecat__nat64_len_ok(unsigned len);

/*
 * "PREFIX/LEN", e.g. "64:ff9b::/96".  Returns 0, or -1 with *why set to
 * a short reason (for "--nat64-prefix X: <why>").  Bits past LEN must be
 * zero, and so must bits 64-71 (RFC 6052's u octet).
 */
int	hecat__nat64_prefix_parse(struct hecat__prefix64 *, const char *,
	    const char **why);

/* "64:ff9b::/96"; buf of HECAT__IP_FMTLEN + 4 bytes is enough. */
char	*hecat__nat64_prefix_fmt(const struct hecat__prefix64 *, char *,
	    size_t);

/* RFC 6052 section 2.2: embed v4 (AF_INET) in the prefix, into *v6. */
void	hecat__nat64_synthesize(const struct hecat__prefix64 *,
	    const struct hecat__ip *v4, struct hecat__ip *v6);

/*
 * The reverse: if v6 lies in the prefix (and its u octet is zero), write
 * the IPv4 address it embeds into *v4 and return true.
 */
bool	hecat__nat64_extract(const struct hecat__prefix64 *,
	    const struct hecat__ip *v6, struct hecat__ip *v4);

/*
 * May v4 be synthesized with this prefix?  Never 0/8, 127/8, 169.254/16
 * or 255.255.255.255 (host- and link-scoped, HEv3); with the Well-Known
 * Prefix not the RFC 1918 ranges either (RFC 6052 section 3.1).
 */
bool	hecat__nat64_synthesizable(const struct hecat__prefix64 *,
	    const struct hecat__ip *v4);

/*
 * RFC 7050 section 3: find the prefix in the AAAA answer for
 * ipv4only.arpa.  Each address is tried at each RFC 6052 length, longest
 * first, for an embedded 192.0.0.170 or 192.0.0.171; the first match
 * wins.  Returns the number of distinct prefixes found (0: none, *out
 * untouched) and writes the first to *out.
 */
size_t	hecat__nat64_discover(const struct hecat__ip *aaaa, size_t n,
	    struct hecat__prefix64 *out);

#endif /* HECAT_NAT64_H */
