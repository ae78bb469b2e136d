/*
 * resolver.h - the built-in resolver: /etc/hosts, then getdns on the
 * caller's libevent base through our own event-loop adapter.
 */
#ifndef HECAT_RESOLVER_H
#define HECAT_RESOLVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hecat.h"

struct event_base;
struct getdns_context;
struct hecat__resolvconf;

/*
 * hecat__getdns_new() returns the resolver argument for
 * hecat__getdns_resolver's functions, or NULL with errno (EINVAL: a bad
 * name server in config).  getdns itself is loaded and set up at the
 * first query that needs it; when that fails, the query cannot start
 * and hecat__getdns_failure() says why (NULL: the last start did not
 * fail for that).
 */
extern const struct hecat_resolver hecat__getdns_resolver;
void		*hecat__getdns_new(struct event_base *,
		    const struct hecat_config *);
const char	*hecat__getdns_failure(void *rarg);
/*
 * Whether getdns was set up by the last query started, and if so how
 * long loading its libraries and making its context took; true once.
 */
bool		 hecat__getdns_made(void *rarg, uint64_t *load_ns,
		    uint64_t *setup_ns);

/*
 * DANE: the TLSA records of name ("_443._tcp.example.com"), asked through
 * the built-in resolver when it validates DNSSEC.  done gets the status
 * (HECAT_DNS_WITH_DNSSEC: OK only when secure) and the records, exactly
 * once unless cancelled, maybe before this returns.  Returns a handle
 * for the cancel, or NULL with errno when no query started (ENOTSUP:
 * DNSSEC is not validated; done is not called).
 */
struct hecat__tlsa;
typedef void (*hecat__tlsa_cb)(int status, const struct hecat__tlsa *recs,
    size_t n, void *arg);
void		*hecat__getdns_tlsa(void *rarg, const char *name,
		    hecat__tlsa_cb done, void *arg);
void		 hecat__getdns_tlsa_cancel(void *rarg, void *query);

/* getdns_event.c: getdns's event loop on a libevent base. */
struct hecat__getdns_loop;
struct hecat__getdns_loop *hecat__getdns_loop_attach(struct getdns_context *,
		    struct event_base *, const struct hecat__resolvconf *);
void		hecat__getdns_loop_free(struct hecat__getdns_loop *);

#endif /* HECAT_RESOLVER_H */
