/*
 * addrsort.c - RFC 6724 section 6 destination address selection and the
 * RFC 8305 section 4 family interleaving that follows it.
 *
 * Implemented rules: 1 (unusable destination), 2 (matching scope), 5
 * (matching label), 6 (precedence), 8 (smaller scope), 9 (longest matching
 * prefix, IPv6 only, capped at 64 bits) and 10 (original order), with
 * RFC 8305's RTT and "used before" rules from connection history between
 * 8 and 9.  Rule 3 needs deprecated-address flags (netlink), rule 4 Mobile
 * IPv6 state and rule 7 the encapsulation of the route; like Go, glibc's
 * common configuration and c-ares we skip them.  Rule 9 is limited to IPv6
 * as Go does (golang/go #13283, #18518): applied to IPv4 it defeats DNS
 * round robin for no benefit.
 */
#include "config.h"

#include <sys/socket.h>

#include <stdbool.h>
#include <string.h>

#include "addrsort.h"

#define V6(...)	{ __VA_ARGS__ }

/* RFC 6724 section 2.1. */
static const struct hecat__policy_row rfc6724_rows[] = {
	{ V6(0,0,0,0, 0,0,0,0, 0,0,0,0, 0,0,0,1),        128, 50,  0 },
	{ V6(0),                                           0, 40,  1 },
	{ V6(0,0,0,0, 0,0,0,0, 0,0,0xff,0xff, 0,0,0,0),   96, 35,  4 },
	{ V6(0x20,0x02),                                  16, 30,  2 },
	{ V6(0x20,0x01,0,0),                              32,  5,  5 },
	{ V6(0xfc),                                        7,  3, 13 },
	{ V6(0),                                          96,  1,  3 },
	{ V6(0xfe,0xc0),                                  10,  1, 11 },
	{ V6(0x3f,0xfe),                                  16,  1, 12 },
};

const struct hecat__policy hecat__policy_rfc6724 = {
	rfc6724_rows, sizeof(rfc6724_rows) / sizeof(rfc6724_rows[0])
};

/* The 16-byte key of an address: IPv4 as ::ffff:a.b.c.d (section 2.1). */
static void
ip_key(const struct hecat__ip *ip, uint8_t key[16])
{
	if (ip->family == AF_INET) {
		memset(key, 0, 10);
		key[10] = key[11] = 0xff;
		memcpy(key + 12, ip->a, 4);
	} else
		memcpy(key, ip->a, 16);
}

static bool
prefix_match(const uint8_t *a, const uint8_t *b, unsigned plen)
{
	unsigned bytes = plen / 8, bits = plen % 8;
	uint8_t mask;

	if (memcmp(a, b, bytes) != 0)
		return false;
	if (bits == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - bits));
	return (a[bytes] & mask) == (b[bytes] & mask);
}

static bool
is_v4mapped(const struct hecat__ip *ip)
{
	static const uint8_t pfx[12] = { 0,0,0,0, 0,0,0,0, 0,0,0xff,0xff };

	return ip->family == AF_INET6 && memcmp(ip->a, pfx, 12) == 0;
}

static unsigned
v4_scope(const uint8_t *a)
{
	/* Section 3.2: loopback and autoconfiguration are link-local. */
	if (a[0] == 127 || (a[0] == 169 && a[1] == 254))
		return HECAT__SCOPE_LINK;
	return HECAT__SCOPE_GLOBAL;
}

unsigned
hecat__ip_scope(const struct hecat__ip *ip)
{
	static const uint8_t loopback[16] = { [15] = 1 };
	const uint8_t *a = ip->a;

	if (ip->family == AF_INET)
		return v4_scope(a);
	if (is_v4mapped(ip))
		return v4_scope(a + 12);
	if (a[0] == 0xff)				/* multicast */
		return a[1] & 0x0f;
	if (memcmp(a, loopback, 16) == 0)		/* RFC 4291 2.5.3 */
		return HECAT__SCOPE_LINK;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)	/* fe80::/10 */
		return HECAT__SCOPE_LINK;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0)	/* fec0::/10 */
		return HECAT__SCOPE_SITE;
	return HECAT__SCOPE_GLOBAL;
}

/* Longest-prefix match; NULL only for a table without a ::/0 row. */
const struct hecat__policy_row *
hecat__policy_lookup(const struct hecat__policy *pol,
    const struct hecat__ip *ip)
{
	const struct hecat__policy_row *best = NULL;
	uint8_t key[16];
	size_t i;

	ip_key(ip, key);
	for (i = 0; i < pol->nrows; i++) {
		const struct hecat__policy_row *r = &pol->rows[i];

		if ((best == NULL || r->plen > best->plen) &&
		    prefix_match(key, r->prefix, r->plen))
			best = r;
	}
	return best;
}

/*
 * Section 2.2 CommonPrefixLen, counted only within the source's prefix.
 * We do not know that length, so like Go we stop at 64 bits: the
 * interface identifier never counts.
 */
unsigned
hecat__common_prefix(const struct hecat__ip *x, const struct hecat__ip *y)
{
	unsigned n = 0, i;
	uint8_t d;

	if (x->family != AF_INET6 || y->family != AF_INET6)
		return 0;
	for (i = 0; i < 8; i++) {
		d = x->a[i] ^ y->a[i];
		if (d != 0) {
			while ((d & 0x80) == 0) {
				n++;
				d <<= 1;
			}
			return n;
		}
		n += 8;
	}
	return n;
}

/* Below 4 ms: 0; then 1 + log2(rtt / 4 ms): bands that double. */
static unsigned
rtt_band(uint64_t rtt_ns)
{
	uint64_t q = rtt_ns / (4 * UINT64_C(1000000));
	unsigned b = 0;

	while (q != 0) {
		b++;
		q >>= 1;
	}
	return b;
}

/* Returns < 0 to prefer a, > 0 to prefer b, 0 to go on to the next rule. */
static int
prefer(bool a, bool b)
{
	return a == b ? 0 : a ? -1 : 1;
}

int
hecat__addrsort_cmp(const struct hecat__sortent *da,
    const struct hecat__sortent *db, const struct hecat__policy *pol,
    int *rule)
{
	const struct hecat__policy_row *pa, *pb, *sa, *sb;
	bool ua = da->src.family != 0, ub = db->src.family != 0;
	unsigned scope_a, scope_b;
	int c, r = 1;

	if (pol == NULL)
		pol = &hecat__policy_rfc6724;

	/* Rule 1: avoid unusable destinations. */
	if ((c = prefer(ua, ub)) != 0)
		goto out;

	scope_a = hecat__ip_scope(&da->dst);
	scope_b = hecat__ip_scope(&db->dst);

	/* Rule 2: prefer matching scope. */
	r = 2;
	if (ua && ub && (c = prefer(scope_a == hecat__ip_scope(&da->src),
	    scope_b == hecat__ip_scope(&db->src))) != 0)
		goto out;

	/* Rules 3 (deprecated) and 4 (home address): not implemented. */

	pa = hecat__policy_lookup(pol, &da->dst);
	pb = hecat__policy_lookup(pol, &db->dst);

	/* Rule 5: prefer matching label. */
	r = 5;
	if (ua && ub && pa != NULL && pb != NULL) {
		sa = hecat__policy_lookup(pol, &da->src);
		sb = hecat__policy_lookup(pol, &db->src);
		if ((c = prefer(sa != NULL && sa->label == pa->label,
		    sb != NULL && sb->label == pb->label)) != 0)
			goto out;
	}

	/* Rule 6: prefer higher precedence. */
	r = 6;
	if ((c = (pb ? pb->precedence : 0) - (pa ? pa->precedence : 0)) != 0)
		goto out;

	/* Rule 7 (native transport): not implemented. */

	/* Rule 8: prefer smaller scope. */
	r = 8;
	if ((c = (int)scope_a - (int)scope_b) != 0)
		goto out;

	/* RFC 8305 section 4: lower RTT, from history, between 8 and 9. */
	r = HECAT__RULE_RTT;
	if (da->rtt != 0 && db->rtt != 0 &&
	    (c = (int)rtt_band(da->rtt) - (int)rtt_band(db->rtt)) != 0)
		goto out;

	/*
	 * RFC 8305 section 4 again: an address used before (history knows
	 * its RTT, so it connected on this network) before one never used,
	 * for the TCP Fast Open cookies and TLS sessions it may hold.
	 */
	r = HECAT__RULE_USED;
	if ((c = prefer(da->rtt != 0, db->rtt != 0)) != 0)
		goto out;

	/* Rule 9: longest matching prefix, IPv6 only. */
	r = 9;
	if (ua && ub && da->dst.family == AF_INET6 &&
	    db->dst.family == AF_INET6 &&
	    (c = (int)hecat__common_prefix(&db->src, &db->dst) -
	    (int)hecat__common_prefix(&da->src, &da->dst)) != 0)
		goto out;

	/* Rule 10: otherwise, leave the order unchanged. */
	r = 10;
	c = da->seq < db->seq ? -1 : da->seq > db->seq ? 1 : 0;
out:
	if (rule != NULL)
		*rule = r;
	return c;
}

void
hecat__addrsort(const struct hecat__sortent *ents, size_t *idx, size_t n,
    const struct hecat__policy *pol)
{
	size_t i, j, v;

	for (i = 1; i < n; i++) {
		v = idx[i];
		for (j = i; j > 0 &&
		    hecat__addrsort_cmp(&ents[v], &ents[idx[j - 1]], pol,
		    NULL) < 0; j--)
			idx[j] = idx[j - 1];
		idx[j] = v;
	}
}

void
hecat__interleave(const struct hecat__sortent *ents, const size_t *idx,
    size_t n, int first, unsigned fafc, size_t *out)
{
	size_t fi = 0, oi = 0, k = 0, run = 0;
	bool take_first;

	if (n == 0)
		return;
	if (first == 0)
		first = ents[idx[0]].dst.family;
	if (fafc == 0)
		fafc = 1;

	/*
	 * fi and oi walk idx looking for the next entry of the first and of
	 * the other family; the output takes fafc from the first family, then
	 * alternates one by one.
	 */
	while (k < n) {
		while (fi < n && ents[idx[fi]].dst.family != first)
			fi++;
		while (oi < n && ents[idx[oi]].dst.family == first)
			oi++;
		if (fi == n)
			take_first = false;
		else if (oi == n)
			take_first = true;
		else
			take_first = run < fafc;
		if (take_first) {
			out[k++] = idx[fi++];
			run++;
		} else {
			out[k++] = idx[oi++];
			run = fafc - 1;	/* the first family's turn next */
		}
	}
}
