/*
 * dnsreply.h - what a getdns response says: its status for hecat, and
 * the addresses its answer section gives for the question's name.
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

/*
 * What DNSSEC validation said about the response resp (an enum
 * hecat_dnssec): the dnssec_status of its first reply, or, when getdns
 * left no reply, what its overall status implies.  HECAT_DNSSEC_NONE when
 * nothing was validated.
 */
int	hecat__dns_response_dnssec(getdns_callback_type_t cbt,
	    getdns_dict *resp);

#endif /* HECAT_DNSREPLY_H */
