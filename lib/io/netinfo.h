/*
 * netinfo.h - what the host's network looks like, read from /proc.
 */
#ifndef HECAT_NETINFO_H
#define HECAT_NETINFO_H

#include <stdbool.h>
#include <stdint.h>

/*
 * HEv3 connectivity per family (a non-loopback, non-link-local address
 * and a route off the loopback), read now.
 */
void		hecat__connectivity(bool *v6, bool *v4);

/*
 * The network history belongs to (RFC 8305 ), as a hash of the
 * default routes' interfaces and gateways and the on-link prefixes of
 * those interfaces.  No default route is a network too.
 */
uint64_t	hecat__network_id(void);

#endif /* HECAT_NETINFO_H */
