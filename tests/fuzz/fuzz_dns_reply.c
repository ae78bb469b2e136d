/*
 * fuzz_dns_reply.c - DNS replies from the network, as the resolver reads
 * them: wire format, turned into a getdns dict by getdns (as it does for
 * replies_tree), then hecat__dns_response_status() and
 * hecat__dns_reply_addresses() (lib/dnsreply.c).
 *
 * The input: one control byte, then the DNS message.
 *
 *	bit 0		the question's family: 1 AAAA, 0 A
 *	bits 1-2	the callback: 0, 1 COMPLETE; 2 TIMEOUT; 3 ERROR
 *	bit 3		the response's status: ALL_TIMEOUT instead of GOOD
 *	bits 4-7	addresses wanted at most: 0 means 64
 *
 * getdns 1.6 reads past the end of some malformed messages (a heap
 * over-read in getdns_wire2msg_dict(), reported by AddressSanitizer from
 * its memcpy(); corpus/dns_reply/getdns-overread is one).  On the network
 * getdns parses a reply inside its larger receive buffer; here the message
 * is likewise copied into a buffer with PAD zero bytes after it, so that
 * the target tests hecat's code, not that bug.
 *
 * Checked: the status follows the callback, the status and the rcode;
 * every address returned is of the family and is the data of an answer
 * record of the question's type, owned by the question's name or a name
 * a CNAME of the answer points to; every good record owned by the
 * question's name itself is returned (up to the maximum); asking for
 * fewer gives the first of the same addresses.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* getdns is linked: its plain names, not getdns_dl.h's pointers. */
#define HECAT__GETDNS_DL_IMPL
#include "getdns_dl.h"

#include "dnsreply.h"
#include "fuzz.h"
#include "hecat.h"

#define MAXADDR		64
#define PAD		(65536 + 512)	/* past any length a record claims */
#define MAXNAMES	64	/* names reachable through CNAMEs, modelled */

static bool
name_eq(const getdns_bindata *a, const getdns_bindata *b)
{
	size_t i;
	uint8_t x, y;

	if (a->size != b->size)
		return false;
	for (i = 0; i < a->size; i++) {
		x = a->data[i];
		y = b->data[i];
		if (x >= 'A' && x <= 'Z')
			x = (uint8_t)(x | 0x20);
		if (y >= 'A' && y <= 'Z')
			y = (uint8_t)(y | 0x20);
		if (x != y)
			return false;
	}
	return true;
}

/* Field access that may fail: the record is then not one we want. */
static bool
rr_type(getdns_list *answer, size_t i, getdns_dict **rr, uint32_t *type)
{
	return getdns_list_get_dict(answer, i, rr) == GETDNS_RETURN_GOOD &&
	    getdns_dict_get_int(*rr, "type", type) == GETDNS_RETURN_GOOD;
}

struct names {
	const getdns_bindata	*name[MAXNAMES];
	size_t			 n;
	bool			 full;
};

static bool
names_has(const struct names *ns, const getdns_bindata *b)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		if (name_eq(ns->name[i], b))
			return true;
	return false;
}

/*
 * Every name reachable from qname through the answer's CNAMEs, in any
 * order and number: a superset of the single chain the resolver follows.
 */
static void
reachable(getdns_list *answer, size_t nrr, getdns_bindata *qname,
    struct names *ns)
{
	getdns_bindata *owner, *target;
	getdns_dict *rr;
	uint32_t type;
	size_t i;
	bool grew;

	ns->n = 0;
	ns->full = false;
	ns->name[ns->n++] = qname;
	do {
		grew = false;
		for (i = 0; i < nrr; i++) {
			if (!rr_type(answer, i, &rr, &type) || type != 5 ||
			    getdns_dict_get_bindata(rr, "name", &owner) !=
			    GETDNS_RETURN_GOOD ||
			    getdns_dict_get_bindata(rr, "/rdata/cname",
			    &target) != GETDNS_RETURN_GOOD ||
			    !names_has(ns, owner) || names_has(ns, target))
				continue;
			if (ns->n == MAXNAMES) {
				ns->full = true;
				return;
			}
			ns->name[ns->n++] = target;
			grew = true;
		}
	} while (grew);
}

/* Whether addr is the data of a record of type owned by a name of ns. */
static bool
has_record(getdns_list *answer, size_t nrr, uint32_t want, size_t alen,
    const uint8_t *addr, const struct names *ns, bool owner_check)
{
	getdns_bindata *owner, *data;
	getdns_dict *rr;
	uint32_t type;
	size_t i;

	for (i = 0; i < nrr; i++)
		if (rr_type(answer, i, &rr, &type) && type == want &&
		    getdns_dict_get_bindata(rr, "name", &owner) ==
		    GETDNS_RETURN_GOOD &&
		    getdns_dict_get_bindata(rr, alen == 16 ?
		    "/rdata/ipv6_address" : "/rdata/ipv4_address", &data) ==
		    GETDNS_RETURN_GOOD && data->size == alen &&
		    memcmp(data->data, addr, alen) == 0 &&
		    (!owner_check || names_has(ns, owner)))
			return true;
	return false;
}

/* Good records of type want owned by qname itself. */
static size_t
direct_records(getdns_list *answer, size_t nrr, uint32_t want, size_t alen,
    const getdns_bindata *qname)
{
	getdns_bindata *owner, *data;
	getdns_dict *rr;
	uint32_t type;
	size_t i, n = 0;

	for (i = 0; i < nrr; i++)
		if (rr_type(answer, i, &rr, &type) && type == want &&
		    getdns_dict_get_bindata(rr, "name", &owner) ==
		    GETDNS_RETURN_GOOD && name_eq(owner, qname) &&
		    getdns_dict_get_bindata(rr, alen == 16 ?
		    "/rdata/ipv6_address" : "/rdata/ipv4_address", &data) ==
		    GETDNS_RETURN_GOOD && data->size == alen)
			n++;
	return n;
}

static const uint8_t *
sa_addr(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return (const uint8_t *)
		    &((const struct sockaddr_in6 *)ss)->sin6_addr;
	return (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr;
}

static void
check_addresses(getdns_dict *msg, int family, size_t max)
{
	struct sockaddr_storage out[MAXADDR], few[MAXADDR];
	uint32_t want = family == AF_INET6 ? GETDNS_RRTYPE_AAAA :
	    GETDNS_RRTYPE_A;
	size_t alen = family == AF_INET6 ? 16 : 4, n, k, i, nrr;
	getdns_bindata *qname;
	getdns_list *answer;
	struct names ns;

	n = hecat__dns_reply_addresses(msg, family, out, max);
	FUZZ_ASSERT(n <= max);
	if (getdns_dict_get_bindata(msg, "/question/qname", &qname) !=
	    GETDNS_RETURN_GOOD ||
	    getdns_dict_get_list(msg, "answer", &answer) !=
	    GETDNS_RETURN_GOOD ||
	    getdns_list_get_length(answer, &nrr) != GETDNS_RETURN_GOOD) {
		FUZZ_ASSERT(n == 0);
		return;
	}
	FUZZ_ASSERT(n <= nrr);
	reachable(answer, nrr, qname, &ns);
	for (i = 0; i < n; i++) {
		FUZZ_ASSERT(out[i].ss_family == family);
		FUZZ_ASSERT(has_record(answer, nrr, want, alen,
		    sa_addr(&out[i]), &ns, !ns.full));
	}
	k = direct_records(answer, nrr, want, alen, qname);
	FUZZ_ASSERT(n >= (k < max ? k : max));

	/* Fewer: the first of the same. */
	if (n > 1) {
		k = n / 2;
		FUZZ_ASSERT(hecat__dns_reply_addresses(msg, family, few, k) ==
		    k);
		for (i = 0; i < k; i++)
			FUZZ_ASSERT(memcmp(&few[i], &out[i], sizeof(out[i])) ==
			    0);
	}
}

static getdns_dict	*response(getdns_dict *, uint32_t);

/* Whether t is the data of a TLSA record owned by a name of ns. */
static bool
has_tlsa(getdns_list *answer, size_t nrr, const struct hecat__tlsa *t,
    const struct names *ns, bool owner_check)
{
	getdns_bindata *owner, *data;
	getdns_dict *rr;
	uint32_t type, u, sel, m;
	size_t i;

	for (i = 0; i < nrr; i++)
		if (rr_type(answer, i, &rr, &type) && type == 52 &&
		    getdns_dict_get_bindata(rr, "name", &owner) ==
		    GETDNS_RETURN_GOOD &&
		    getdns_dict_get_int(rr, "/rdata/certificate_usage", &u) ==
		    GETDNS_RETURN_GOOD &&
		    getdns_dict_get_int(rr, "/rdata/selector", &sel) ==
		    GETDNS_RETURN_GOOD &&
		    getdns_dict_get_int(rr, "/rdata/matching_type", &m) ==
		    GETDNS_RETURN_GOOD &&
		    getdns_dict_get_bindata(rr,
		    "/rdata/certificate_association_data", &data) ==
		    GETDNS_RETURN_GOOD && u == t->usage && sel == t->selector &&
		    m == t->mtype && data->size == t->len &&
		    memcmp(data->data, t->data, t->len) == 0 &&
		    (!owner_check || names_has(ns, owner)))
			return true;
	return false;
}

/* TLSA records: owned ones only, byte for byte, never more than max. */
static void
check_tlsa(getdns_dict *msg, size_t max)
{
	static struct hecat__tlsa out[HECAT__TLSA_MAX];
	getdns_bindata *qname;
	getdns_list *answer;
	getdns_dict *resp;
	struct names ns;
	size_t n, i, nrr;
	int st;

	if (max > HECAT__TLSA_MAX)
		max = HECAT__TLSA_MAX;
	n = hecat__dns_reply_tlsa(msg, out, max);
	FUZZ_ASSERT(n <= max);
	if (getdns_dict_get_bindata(msg, "/question/qname", &qname) !=
	    GETDNS_RETURN_GOOD ||
	    getdns_dict_get_list(msg, "answer", &answer) !=
	    GETDNS_RETURN_GOOD ||
	    getdns_list_get_length(answer, &nrr) != GETDNS_RETURN_GOOD) {
		FUZZ_ASSERT(n == 0);
		return;
	}
	reachable(answer, nrr, qname, &ns);
	for (i = 0; i < n; i++) {
		FUZZ_ASSERT(out[i].len > 0 && out[i].len <= HECAT__TLSA_MAXDATA);
		FUZZ_ASSERT(has_tlsa(answer, nrr, &out[i], &ns, !ns.full));
	}
	if ((resp = response(msg, GETDNS_RESPSTATUS_GOOD)) == NULL)
		return;
	st = hecat__dns_response_tlsa(GETDNS_CALLBACK_COMPLETE, resp, out, max,
	    &i);
	FUZZ_ASSERT((st == HECAT_DNS_OK) == (i > 0));
	FUZZ_ASSERT(i <= max);
	getdns_dict_destroy(resp);
}

/* The response getdns would give the callback, around the reply msg. */
static getdns_dict *
response(getdns_dict *msg, uint32_t status)
{
	getdns_dict *resp;
	getdns_list *replies;

	if ((resp = getdns_dict_create()) == NULL)
		return NULL;
	if ((replies = getdns_list_create()) == NULL ||
	    getdns_list_set_dict(replies, 0, msg) != GETDNS_RETURN_GOOD ||
	    getdns_dict_set_list(resp, "replies_tree", replies) !=
	    GETDNS_RETURN_GOOD ||
	    getdns_dict_set_int(resp, "status", status) !=
	    GETDNS_RETURN_GOOD) {
		getdns_list_destroy(replies);
		getdns_dict_destroy(resp);
		return NULL;
	}
	getdns_list_destroy(replies);
	return resp;
}

static void
check_status(getdns_dict *msg, unsigned ctl, int family, size_t max)
{
	static const getdns_callback_type_t cbts[] = {
		GETDNS_CALLBACK_COMPLETE, GETDNS_CALLBACK_COMPLETE,
		GETDNS_CALLBACK_TIMEOUT, GETDNS_CALLBACK_ERROR
	};
	struct sockaddr_storage out[MAXADDR], direct[MAXADDR];
	getdns_callback_type_t cbt = cbts[ctl >> 1 & 3];
	bool all_timeout = ctl & 8;
	getdns_dict *resp;
	uint32_t rcode;
	size_t n = MAXADDR + 1, i;
	int st, want;

	if ((resp = response(msg, all_timeout ?
	    GETDNS_RESPSTATUS_ALL_TIMEOUT : GETDNS_RESPSTATUS_GOOD)) == NULL)
		return;
	st = hecat__dns_response_status(cbt, resp, family, out, max, &n);
	FUZZ_ASSERT(n <= max);

	if (cbt == GETDNS_CALLBACK_TIMEOUT)
		want = HECAT_DNS_TIMEOUT;
	else if (cbt != GETDNS_CALLBACK_COMPLETE)
		want = HECAT_DNS_ERROR;
	else if (all_timeout)
		want = HECAT_DNS_TIMEOUT;
	else if (getdns_dict_get_int(msg, "/header/rcode", &rcode) !=
	    GETDNS_RETURN_GOOD)
		want = HECAT_DNS_ERROR;
	else if (rcode == GETDNS_RCODE_NOERROR)
		want = hecat__dns_reply_addresses(msg, family, direct, max) > 0 ?
		    HECAT_DNS_OK : HECAT_DNS_NODATA;
	else if (rcode == GETDNS_RCODE_NXDOMAIN)
		want = HECAT_DNS_NXDOMAIN;
	else if (rcode == GETDNS_RCODE_SERVFAIL)
		want = HECAT_DNS_SERVFAIL;
	else
		want = HECAT_DNS_ERROR;
	FUZZ_ASSERT(st == want);
	FUZZ_ASSERT((st == HECAT_DNS_OK) == (n > 0));
	if (st == HECAT_DNS_OK) {
		/* The same addresses as from the reply alone. */
		FUZZ_ASSERT(hecat__dns_reply_addresses(msg, family, direct,
		    max) == n);
		for (i = 0; i < n; i++)
			FUZZ_ASSERT(memcmp(&direct[i], &out[i],
			    sizeof(out[i])) == 0);
	}
	getdns_dict_destroy(resp);

	/* No response at all is an error, or a timeout if it says so. */
	st = hecat__dns_response_status(cbt, NULL, family, out, max, &n);
	FUZZ_ASSERT(n == 0);
	FUZZ_ASSERT(st == (cbt == GETDNS_CALLBACK_TIMEOUT ?
	    HECAT_DNS_TIMEOUT : HECAT_DNS_ERROR));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool loaded;
	static uint8_t *wire;
	static size_t wire_cap;
	getdns_dict *msg = NULL;
	unsigned ctl;
	size_t max;
	int family;

	if (!loaded) {
		/* libhecat's own pointers: lib/dnsreply.c calls through them. */
		FUZZ_ASSERT(hecat__getdns_load() == 0);
		loaded = true;
	}
	if (size < 1)
		return 0;
	ctl = data[0];
	family = ctl & 1 ? AF_INET6 : AF_INET;
	max = ctl >> 4 == 0 ? MAXADDR : ctl >> 4;
	if (size - 1 + PAD > wire_cap) {
		free(wire);
		wire_cap = size - 1 + PAD;
		if ((wire = malloc(wire_cap)) == NULL) {
			wire_cap = 0;
			return 0;
		}
	}
	memcpy(wire, data + 1, size - 1);
	memset(wire + size - 1, 0, PAD);
	if (getdns_wire2msg_dict(wire, size - 1, &msg) != GETDNS_RETURN_GOOD ||
	    msg == NULL)
		return 0;
	check_addresses(msg, family, max);
	check_status(msg, ctl, family, max);
	check_tlsa(msg, max);
	getdns_dict_destroy(msg);
	return 0;
}
