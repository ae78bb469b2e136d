/*
 * dnsreply.c - the addresses and status of a getdns response (see
 * dnsreply.h).
 *
 * Answers are checked: only the records of the question's name, following
 * its CNAME chain, count.  The reply comes from the network: any field may
 * be missing or of another type, and every lookup is checked.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dnsreply.h"
#include "getdns_dl.h"
#include "hecat.h"

#define MAXCHAIN	16	/* CNAME links followed */
#define DNS_TYPE_CNAME	5

/* Wire-format names, compared as DNS does: ASCII case-insensitively. */
static bool
wire_name_eq(const getdns_bindata *a, const getdns_bindata *b)
{
	size_t i;
	uint8_t x, y;

	if (a->size != b->size)
		return false;
	for (i = 0; i < a->size; i++) {
		x = a->data[i];
		y = b->data[i];
		if (x >= 'A' && x <= 'Z')
			x = (uint8_t)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (uint8_t)(y + 32);
		if (x != y)
			return false;
	}
	return true;
}

size_t
hecat__dns_reply_addresses(getdns_dict *reply, int family,
    struct sockaddr_storage *out, size_t max)
{
	const getdns_bindata *chain[MAXCHAIN + 1];
	getdns_bindata *qname, *owner, *target, *addr;
	uint32_t want = family == AF_INET6 ? GETDNS_RRTYPE_AAAA :
	    GETDNS_RRTYPE_A, type;
	getdns_list *answer;
	getdns_dict *rr;
	size_t nrr, i, j, nchain = 1, n = 0;
	bool grew, owned;

	if (getdns_dict_get_bindata(reply, "/question/qname", &qname) !=
	    GETDNS_RETURN_GOOD ||
	    getdns_dict_get_list(reply, "answer", &answer) !=
	    GETDNS_RETURN_GOOD ||
	    getdns_list_get_length(answer, &nrr) != GETDNS_RETURN_GOOD)
		return 0;
	chain[0] = qname;

	/* Follow the CNAME chain, whatever order the records came in. */
	do {
		grew = false;
		for (i = 0; i < nrr && nchain <= MAXCHAIN; i++) {
			if (getdns_list_get_dict(answer, i, &rr) !=
			    GETDNS_RETURN_GOOD ||
			    getdns_dict_get_int(rr, "type", &type) !=
			    GETDNS_RETURN_GOOD || type != DNS_TYPE_CNAME ||
			    getdns_dict_get_bindata(rr, "name", &owner) !=
			    GETDNS_RETURN_GOOD ||
			    !wire_name_eq(owner, chain[nchain - 1]) ||
			    getdns_dict_get_bindata(rr, "/rdata/cname",
			    &target) != GETDNS_RETURN_GOOD)
				continue;
			for (j = 0; j < nchain; j++)
				if (wire_name_eq(target, chain[j]))
					break;
			if (j < nchain)
				continue;		/* a loop */
			chain[nchain++] = target;
			grew = true;
		}
	} while (grew && nchain <= MAXCHAIN);

	for (i = 0; i < nrr && n < max; i++) {
		if (getdns_list_get_dict(answer, i, &rr) != GETDNS_RETURN_GOOD ||
		    getdns_dict_get_int(rr, "type", &type) !=
		    GETDNS_RETURN_GOOD || type != want ||
		    getdns_dict_get_bindata(rr, "name", &owner) !=
		    GETDNS_RETURN_GOOD ||
		    getdns_dict_get_bindata(rr, family == AF_INET6 ?
		    "/rdata/ipv6_address" : "/rdata/ipv4_address", &addr) !=
		    GETDNS_RETURN_GOOD ||
		    addr->size != (family == AF_INET6 ? 16u : 4u))
			continue;
		for (owned = false, j = 0; j < nchain && !owned; j++)
			owned = wire_name_eq(owner, chain[j]);
		if (!owned)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		if (family == AF_INET6) {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out[n];

			sin6->sin6_family = AF_INET6;
			memcpy(&sin6->sin6_addr, addr->data, 16);
		} else {
			struct sockaddr_in *sin = (struct sockaddr_in *)&out[n];

			sin->sin_family = AF_INET;
			memcpy(&sin->sin_addr, addr->data, 4);
		}
		n++;
	}
	return n;
}

int
hecat__dns_response_status(getdns_callback_type_t cbt, getdns_dict *resp,
    int family, struct sockaddr_storage *out, size_t max, size_t *n)
{
	getdns_list *replies;
	getdns_dict *reply;
	uint32_t status, rcode;

	*n = 0;
	if (cbt == GETDNS_CALLBACK_TIMEOUT)
		return HECAT_DNS_TIMEOUT;
	if (cbt != GETDNS_CALLBACK_COMPLETE || resp == NULL)
		return HECAT_DNS_ERROR;
	if (getdns_dict_get_int(resp, "status", &status) == GETDNS_RETURN_GOOD &&
	    status == GETDNS_RESPSTATUS_ALL_TIMEOUT)
		return HECAT_DNS_TIMEOUT;
	if (getdns_dict_get_list(resp, "replies_tree", &replies) !=
	    GETDNS_RETURN_GOOD ||
	    getdns_list_get_dict(replies, 0, &reply) != GETDNS_RETURN_GOOD ||
	    getdns_dict_get_int(reply, "/header/rcode", &rcode) !=
	    GETDNS_RETURN_GOOD)
		return HECAT_DNS_ERROR;
	switch (rcode) {
	case GETDNS_RCODE_NOERROR:
		*n = hecat__dns_reply_addresses(reply, family, out, max);
		return *n > 0 ? HECAT_DNS_OK : HECAT_DNS_NODATA;
	case GETDNS_RCODE_NXDOMAIN:
		return HECAT_DNS_NXDOMAIN;
	case GETDNS_RCODE_SERVFAIL:
		return HECAT_DNS_SERVFAIL;
	default:
		return HECAT_DNS_ERROR;		/* REFUSED, FORMERR, ... */
	}
}

int
hecat__dns_response_dnssec(getdns_callback_type_t cbt, getdns_dict *resp)
{
	getdns_list *replies;
	getdns_dict *reply;
	uint32_t status, sec;

	if (cbt != GETDNS_CALLBACK_COMPLETE || resp == NULL)
		return HECAT_DNSSEC_NONE;
	if (getdns_dict_get_list(resp, "replies_tree", &replies) ==
	    GETDNS_RETURN_GOOD &&
	    getdns_list_get_dict(replies, 0, &reply) == GETDNS_RETURN_GOOD &&
	    getdns_dict_get_int(reply, "dnssec_status", &sec) ==
	    GETDNS_RETURN_GOOD) {
		switch (sec) {
		case GETDNS_DNSSEC_SECURE:
			return HECAT_DNSSEC_SECURE;
		case GETDNS_DNSSEC_BOGUS:
			return HECAT_DNSSEC_BOGUS;
		case GETDNS_DNSSEC_INSECURE:
			return HECAT_DNSSEC_INSECURE;
		case GETDNS_DNSSEC_INDETERMINATE:
			return HECAT_DNSSEC_INDETERMINATE;
		default:
			return HECAT_DNSSEC_NONE;
		}
	}
	/* getdns drops the replies that failed when asked for secure ones. */
	if (getdns_dict_get_int(resp, "status", &status) == GETDNS_RETURN_GOOD) {
		if (status == GETDNS_RESPSTATUS_ALL_BOGUS_ANSWERS)
			return HECAT_DNSSEC_BOGUS;
		if (status == GETDNS_RESPSTATUS_NO_SECURE_ANSWERS)
			return HECAT_DNSSEC_INSECURE;
	}
	return HECAT_DNSSEC_NONE;
}
