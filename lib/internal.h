/*
 * internal.h - what libhecat's files share and do not export.
 */
#ifndef HECAT_INTERNAL_H
#define HECAT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "hecat.h"
#include "ip.h"

struct event_base;
struct getdns_context;
struct hecat__resolvconf;

/* CLOCK_MONOTONIC in nanoseconds: the engine's clock. */
uint64_t	hecat__now(void);

/* getdns_event.c: getdns's event loop on a libevent base. */
struct hecat__getdns_loop;
struct hecat__getdns_loop *hecat__getdns_loop_attach(struct getdns_context *,
		    struct event_base *, const struct hecat__resolvconf *);
void		hecat__getdns_loop_free(struct hecat__getdns_loop *);

/*
 * hostname.c: check a host name and bring it to its ASCII (A-label) form,
 * without a trailing dot unless it had one.  Returns 0, or -1 with a
 * reason in why (a static string).
 */
#define HECAT__HOSTLEN	256
int		hecat__host_normalize(const char *in, char out[HECAT__HOSTLEN],
		    const char **why);

/*
 * resolve_getdns.c: the built-in resolver.  hecat__getdns_new() returns
 * the resolver argument for hecat__getdns_resolver's functions, or NULL
 * with errno (EINVAL: a bad name server in config).
 */
extern const struct hecat_resolver hecat__getdns_resolver;
void		*hecat__getdns_new(struct event_base *,
		    const struct hecat_config *);

/*
 * netinfo.c: HEv3 connectivity per family (a non-loopback, non-link-local
 * address and a route off the loopback), read now.
 */
void		hecat__connectivity(bool *v6, bool *v4);

/*
 * netinfo.c: the network history belongs to (RFC 8305 ), as a hash
 * of the default routes' interfaces and gateways and the on-link
 * prefixes of those interfaces.  No default route is a network too.
 */
uint64_t	hecat__network_id(void);

#endif /* HECAT_INTERNAL_H */
