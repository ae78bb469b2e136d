/*
 * dnsreply.h - what a getdns response says: its status for hecat, and
 * the addresses (or TLSA records) its answer section gives for the
 * question's name.
 *
 * Apart from the resolver (resolve_getdns.c) so that the fuzzers and
 * tests can feed it replies made from wire-format messages.  Needs getdns
 * loaded (hecat__getdns_load()).
 */
#ifndef HECAT_DNSREPLY_H
#define HECAT_DNSREPLY_H

#include <sys/socket.h>

#include <stddef.h>

#include <getdns/getdns.h>

#include "tlsa.h"

/*
 * The addresses of family (AF_INET6: AAAA, else A) in the answer section
 * of reply (a dict of a response's replies_tree): records owned by the
 * question's name or, through CNAMEs, by its aliases.  Writes up to max
 * to out (address and family only, port 0); returns how many.
 */
size_t	hecat__dns_reply_addresses(getdns_dict *reply, int family,
	    struct sockaddr_storage *out, size_t max);

/*
 * Classify the response resp of a callback of type cbt as an enum
 * hecat_dns_status; for HECAT_DNS_OK the addresses go to out[0..*n).
 */
int	hecat__dns_response_status(getdns_callback_type_t cbt,
	    getdns_dict *resp, int family, struct sockaddr_storage *out,
	    size_t max, size_t *n);

/* The TLSA records of reply's answer for its question's name. */
size_t	hecat__dns_reply_tlsa(getdns_dict *reply, struct hecat__tlsa *out,
	    size_t max);

/* As hecat__dns_response_status(), for a TLSA query. */
int	hecat__dns_response_tlsa(getdns_callback_type_t cbt,
	    getdns_dict *resp, struct hecat__tlsa *out, size_t max, size_t *n);

/*
 * What DNSSEC validation said about the response resp (an enum
 * hecat_dnssec): the dnssec_status of its first reply, or, when getdns
 * left no reply, what its overall status implies.  HECAT_DNSSEC_NONE when
 * nothing was validated.
 */
int	hecat__dns_response_dnssec(getdns_callback_type_t cbt,
	    getdns_dict *resp);

#endif /* HECAT_DNSREPLY_H */
