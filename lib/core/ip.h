/*
 * ip.h - the address value the pure parts of libhecat (engine, addrsort)
 * work on.  It carries no port and no socket baggage: a family, sixteen
 * bytes (an IPv4 address uses the first four) and an IPv6 zone.
 */
#ifndef HECAT_IP_H
#define HECAT_IP_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct hecat__ip {
	int		family;		/* AF_INET, AF_INET6; 0 = none */
	uint32_t	scope_id;	/* IPv6 zone index, 0 otherwise */
	uint8_t		a[16];		/* network byte order */
};

/* Longest text hecat__ip_fmt() writes, brackets and zone included. */
#define HECAT__IP_FMTLEN	64

static inline bool
hecat__ip_equal(const struct hecat__ip *x, const struct hecat__ip *y)
{
	size_t len = x->family == AF_INET6 ? 16 : 4;

	return x->family == y->family && x->scope_id == y->scope_id &&
	    memcmp(x->a, y->a, len) == 0;
}

struct sockaddr_storage;

/*
 * Whether a resolver's address may be dialed: not one that names no
 * host or every host (0.0.0.0/8, ::, which Linux dials as this host),
 * nor multicast, the IPv4 broadcast address, or an IPv4-mapped IPv6
 * address (an IPv6 socket dials it over IPv4, behind the back of -6 and
 * of the family interleaving).  A literal the caller gives is dialed as
 * given: this applies to answers only.
 */
bool	 hecat__ip_answer_ok(const struct hecat__ip *);

int	 hecat__ip_parse(struct hecat__ip *, const char *);

/* sockaddr_in/sockaddr_in6 <-> struct hecat__ip (and the port). */
void	 hecat__ip_from_sa(struct hecat__ip *, const struct sockaddr *);
socklen_t hecat__ip_to_sa(const struct hecat__ip *, uint16_t port,
	    struct sockaddr_storage *);
uint16_t hecat__sa_port(const struct sockaddr *);
char	*hecat__ip_fmt(const struct hecat__ip *, char *, size_t);
char	*hecat__ip_fmt_port(const struct hecat__ip *, unsigned, char *, size_t);

#endif /* HECAT_IP_H */
