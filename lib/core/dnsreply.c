/*
 * dnsreply.c - the addresses, TLSA records and status of a getdns
 * response (see dnsreply.h).
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

/*
 * The answer section of reply and the names that own the question's
 * records: its name and, through CNAMEs, its aliases.  False when the
 * reply has no question or no answer.
 */
struct owners {
	getdns_list		*answer;
	size_t			 nrr;
	const getdns_bindata	*chain[MAXCHAIN + 1];
	size_t			 nchain;
};

static bool
owners_of(getdns_dict *reply, struct owners *o)
{
	getdns_bindata *qname, *owner, *target;
	getdns_dict *rr;
	uint32_t type;
	size_t i, j;
	bool grew;

	if (getdns_dict_get_bindata(reply, "/question/qname", &qname) !=
	    GETDNS_RETURN_GOOD ||
	    getdns_dict_get_list(reply, "answer", &o->answer) !=
	    GETDNS_RETURN_GOOD ||
	    getdns_list_get_length(o->answer, &o->nrr) != GETDNS_RETURN_GOOD)
		return false;
	o->chain[0] = qname;
	o->nchain = 1;

	/* Follow the CNAME chain, whatever order the records came in. */
	do {
		grew = false;
		for (i = 0; i < o->nrr && o->nchain <= MAXCHAIN; i++) {
			if (getdns_list_get_dict(o->answer, i, &rr) !=
			    GETDNS_RETURN_GOOD ||
			    getdns_dict_get_int(rr, "type", &type) !=
			    GETDNS_RETURN_GOOD || type != DNS_TYPE_CNAME ||
			    getdns_dict_get_bindata(rr, "name", &owner) !=
			    GETDNS_RETURN_GOOD ||
			    !wire_name_eq(owner, o->chain[o->nchain - 1]) ||
			    getdns_dict_get_bindata(rr, "/rdata/cname",
			    &target) != GETDNS_RETURN_GOOD)
				continue;
			for (j = 0; j < o->nchain; j++)
				if (wire_name_eq(target, o->chain[j]))
					break;
			if (j < o->nchain)
				continue;		/* a loop */
			o->chain[o->nchain++] = target;
			grew = true;
		}
	} while (grew && o->nchain <= MAXCHAIN);
	return true;
}

/* The i-th record of the answer if it is of type want and owned. */
static getdns_dict *
owned_rr(const struct owners *o, size_t i, uint32_t want)
{
	getdns_bindata *owner;
	getdns_dict *rr;
	uint32_t type;
	size_t j;

	if (getdns_list_get_dict(o->answer, i, &rr) != GETDNS_RETURN_GOOD ||
	    getdns_dict_get_int(rr, "type", &type) != GETDNS_RETURN_GOOD ||
	    type != want ||
	    getdns_dict_get_bindata(rr, "name", &owner) != GETDNS_RETURN_GOOD)
		return NULL;
	for (j = 0; j < o->nchain; j++)
		if (wire_name_eq(owner, o->chain[j]))
			return rr;
	return NULL;
}

size_t
hecat__dns_reply_addresses(getdns_dict *reply, int family,
    struct sockaddr_storage *out, size_t max)
{
	struct owners o;
	getdns_bindata *addr;
	getdns_dict *rr;
	uint32_t want = family == AF_INET6 ? GETDNS_RRTYPE_AAAA :
	    GETDNS_RRTYPE_A;
	size_t i, n = 0;

	if (!owners_of(reply, &o))
		return 0;
	for (i = 0; i < o.nrr && n < max; i++) {
		if ((rr = owned_rr(&o, i, want)) == NULL ||
		    getdns_dict_get_bindata(rr, family == AF_INET6 ?
		    "/rdata/ipv6_address" : "/rdata/ipv4_address", &addr) !=
		    GETDNS_RETURN_GOOD ||
		    addr->size != (family == AF_INET6 ? 16u : 4u))
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

size_t
hecat__dns_reply_tlsa(getdns_dict *reply, struct hecat__tlsa *out,
    size_t max)
{
	struct owners o;
	getdns_bindata *data;
	getdns_dict *rr;
	uint32_t usage, selector, mtype;
	size_t i, n = 0;

	if (!owners_of(reply, &o))
		return 0;
	for (i = 0; i < o.nrr && n < max; i++) {
		if ((rr = owned_rr(&o, i, GETDNS_RRTYPE_TLSA)) == NULL ||
		    getdns_dict_get_int(rr, "/rdata/certificate_usage",
		    &usage) != GETDNS_RETURN_GOOD ||
		    getdns_dict_get_int(rr, "/rdata/selector", &selector) !=
		    GETDNS_RETURN_GOOD ||
		    getdns_dict_get_int(rr, "/rdata/matching_type", &mtype) !=
		    GETDNS_RETURN_GOOD ||
		    getdns_dict_get_bindata(rr,
		    "/rdata/certificate_association_data", &data) !=
		    GETDNS_RETURN_GOOD || usage > 255 || selector > 255 ||
		    mtype > 255 || data->size == 0 ||
		    data->size > HECAT__TLSA_MAXDATA)
			continue;
		out[n].usage = (uint8_t)usage;
		out[n].selector = (uint8_t)selector;
		out[n].mtype = (uint8_t)mtype;
		out[n].len = (uint16_t)data->size;
		memcpy(out[n].data, data->data, data->size);
		n++;
	}
	return n;
}

/*
 * The first reply of a response, or the status that says there is none
 * to read (TIMEOUT, ERROR), or that the name is not there (NXDOMAIN,
 * SERVFAIL, ...): -1 with *reply set for a NOERROR reply.
 */
static int
first_reply(getdns_callback_type_t cbt, getdns_dict *resp,
    getdns_dict **reply)
{
	getdns_list *replies;
	uint32_t status, rcode;

	if (cbt == GETDNS_CALLBACK_TIMEOUT)
		return HECAT_DNS_TIMEOUT;
	if (cbt != GETDNS_CALLBACK_COMPLETE || resp == NULL)
		return HECAT_DNS_ERROR;
	if (getdns_dict_get_int(resp, "status", &status) == GETDNS_RETURN_GOOD &&
	    status == GETDNS_RESPSTATUS_ALL_TIMEOUT)
		return HECAT_DNS_TIMEOUT;
	if (getdns_dict_get_list(resp, "replies_tree", &replies) !=
	    GETDNS_RETURN_GOOD ||
	    getdns_list_get_dict(replies, 0, reply) != GETDNS_RETURN_GOOD ||
	    getdns_dict_get_int(*reply, "/header/rcode", &rcode) !=
	    GETDNS_RETURN_GOOD)
		return HECAT_DNS_ERROR;
	switch (rcode) {
	case GETDNS_RCODE_NOERROR:
		return -1;
	case GETDNS_RCODE_NXDOMAIN:
		return HECAT_DNS_NXDOMAIN;
	case GETDNS_RCODE_SERVFAIL:
		return HECAT_DNS_SERVFAIL;
	default:
		return HECAT_DNS_ERROR;		/* REFUSED, FORMERR, ... */
	}
}

int
hecat__dns_response_status(getdns_callback_type_t cbt, getdns_dict *resp,
    int family, struct sockaddr_storage *out, size_t max, size_t *n)
{
	getdns_dict *reply;
	int st;

	*n = 0;
	if ((st = first_reply(cbt, resp, &reply)) != -1)
		return st;
	*n = hecat__dns_reply_addresses(reply, family, out, max);
	return *n > 0 ? HECAT_DNS_OK : HECAT_DNS_NODATA;
}

int
hecat__dns_response_tlsa(getdns_callback_type_t cbt, getdns_dict *resp,
    struct hecat__tlsa *out, size_t max, size_t *n)
{
	getdns_dict *reply;
	int st;

	*n = 0;
	if ((st = first_reply(cbt, resp, &reply)) != -1)
		return st;
	*n = hecat__dns_reply_tlsa(reply, out, max);
	return *n > 0 ? HECAT_DNS_OK : HECAT_DNS_NODATA;
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
