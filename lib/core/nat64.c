/*
 * nat64.c - NAT64 prefixes: RFC 6052 encoding, RFC 7050 discovery, and
 * the addresses that must not be synthesized.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hecat.h"
#include "nat64.h"

/*
 * RFC 6052 section 2.2: where the four IPv4 bytes go in the IPv6 address
 * for each prefix length.  Byte 8 (bits 64-71, the "u" octet) is always
 * skipped and zero; so is every byte past the IPv4 address.
 */
static const struct layout {
	unsigned	len;
	unsigned char	at[4];
} layouts[] = {
	{ 96, { 12, 13, 14, 15 } },	/* longest first: see discover() */
	{ 64, {  9, 10, 11, 12 } },
	{ 56, {  7,  9, 10, 11 } },
	{ 48, {  6,  7,  9, 10 } },
	{ 40, {  5,  6,  7,  9 } },
	{ 32, {  4,  5,  6,  7 } },
};

static const struct layout *
layout_of(unsigned len)
{
	size_t i;

	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		if (layouts[i].len == len)
			return &layouts[i];
	return NULL;
}

bool
hecat__nat64_len_ok(unsigned len)
{
	return layout_of(len) != NULL;
}

void
hecat__nat64_wkp(struct hecat__prefix64 *p)
{
	memset(p, 0, sizeof(*p));
	p->ip.family = AF_INET6;
	p->ip.a[0] = 0x00;
	p->ip.a[1] = 0x64;
	p->ip.a[2] = 0xff;
	p->ip.a[3] = 0x9b;
	p->len = 96;
}

bool
hecat__nat64_is_wkp(const struct hecat__prefix64 *p)
{
	struct hecat__prefix64 wkp;

	hecat__nat64_wkp(&wkp);
	return p->len == 96 && memcmp(p->ip.a, wkp.ip.a, 12) == 0;
}

/* Are the bits of a from bit `from` on all zero? */
static bool
zero_from(const uint8_t a[16], unsigned from)
{
	unsigned i;

	if (from % 8 != 0 && (a[from / 8] & (0xff >> (from % 8))) != 0)
		return false;
	for (i = (from + 7) / 8; i < 16; i++)
		if (a[i] != 0)
			return false;
	return true;
}

int
hecat__nat64_prefix_parse(struct hecat__prefix64 *p, const char *s,
    const char **why)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash;
	char *end;
	unsigned long len;
	size_t alen;

	memset(p, 0, sizeof(*p));
	slash = strchr(s, '/');
	if (slash == NULL) {
		*why = "expected PREFIX/LEN, e.g. 64:ff9b::/96";
		return -1;
	}
	alen = (size_t)(slash - s);
	if (alen == 0 || alen >= sizeof(buf)) {
		*why = "not an IPv6 prefix";
		return -1;
	}
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || errno != 0 ||
	    !hecat__nat64_len_ok((unsigned)len) || len > 96) {
		*why = "the length must be 32, 40, 48, 56, 64 or 96 "
		    "(RFC 6052)";
		return -1;
	}
	if (hecat__ip_parse(&p->ip, buf) != 0 || p->ip.family != AF_INET6 ||
	    p->ip.scope_id != 0) {
		*why = "not an IPv6 address";
		return -1;
	}
	if (!zero_from(p->ip.a, (unsigned)len)) {
		*why = "bits set past the prefix length";
		return -1;
	}
	if (p->ip.a[8] != 0) {
		*why = "bits 64-71 must be zero (RFC 6052)";
		return -1;
	}
	p->len = (unsigned)len;
	return 0;
}

char *
hecat__nat64_prefix_fmt(const struct hecat__prefix64 *p, char *buf,
    size_t size)
{
	char a[HECAT__IP_FMTLEN];

	snprintf(buf, size, "%s/%u", hecat__ip_fmt(&p->ip, a, sizeof(a)),
	    p->len);
	return buf;
}

void
hecat__nat64_synthesize(const struct hecat__prefix64 *p,
    const struct hecat__ip *v4, struct hecat__ip *v6)
{
	const struct layout *l = layout_of(p->len);
	unsigned i;

	memset(v6, 0, sizeof(*v6));
	v6->family = AF_INET6;
	if (l == NULL)
		return;
	memcpy(v6->a, p->ip.a, (p->len + 7) / 8);
	for (i = 0; i < 4; i++)
		v6->a[l->at[i]] = v4->a[i];
}

/* Does v6 lie in the prefix and have zero u octet and suffix? */
static bool
extract(const struct hecat__ip *pip, const struct layout *l,
    const struct hecat__ip *v6, struct hecat__ip *v4, bool check_prefix)
{
	struct hecat__ip probe;
	unsigned i;

	if (v6->family != AF_INET6 || v6->a[8] != 0)
		return false;
	if (check_prefix && memcmp(v6->a, pip->a, l->len / 8) != 0)
		return false;
	/* Everything that is not prefix or IPv4 must be zero. */
	probe = *v6;
	memset(probe.a, 0, l->len / 8);
	for (i = 0; i < 4; i++)
		probe.a[l->at[i]] = 0;
	if (!zero_from(probe.a, 0))
		return false;
	memset(v4, 0, sizeof(*v4));
	v4->family = AF_INET;
	for (i = 0; i < 4; i++)
		v4->a[i] = v6->a[l->at[i]];
	return true;
}

bool
hecat__nat64_extract(const struct hecat__prefix64 *p,
    const struct hecat__ip *v6, struct hecat__ip *v4)
{
	const struct layout *l = layout_of(p->len);

	return l != NULL && extract(&p->ip, l, v6, v4, true);
}

bool
hecat__nat64_synthesizable(const struct hecat__prefix64 *p,
    const struct hecat__ip *v4)
{
	const uint8_t *a = v4->a;

	if (v4->family != AF_INET)
		return false;
	/* Host- and link-scoped: never (HEv3, RFC 6052 section 3.1). */
	if (a[0] == 0 || a[0] == 127 || (a[0] == 169 && a[1] == 254) ||
	    (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255))
		return false;
	/* The Well-Known Prefix carries global IPv4 only: no RFC 1918. */
	if (p != NULL && hecat__nat64_is_wkp(p) &&
	    (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
	     (a[0] == 192 && a[1] == 168)))
		return false;
	return true;
}

size_t
hecat__nat64_discover(const struct hecat__ip *aaaa, size_t n,
    struct hecat__prefix64 *out)
{
	struct hecat__prefix64 found[8];
	struct hecat__prefix64 cand;
	struct hecat__ip v4;
	size_t i, j, k, nfound = 0;

	for (i = 0; i < n; i++) {
		/*
		 * Longest first: the /96 position is the rightmost, and a
		 * shorter layout only matches an address whose low bytes
		 * are zero, which a /96 synthesis of 192.0.0.170 is not.
		 */
		for (j = 0; j < sizeof(layouts) / sizeof(layouts[0]); j++) {
			if (!extract(NULL, &layouts[j], &aaaa[i], &v4, false))
				continue;
			if (v4.a[0] != 192 || v4.a[1] != 0 || v4.a[2] != 0 ||
			    (v4.a[3] != 170 && v4.a[3] != 171))
				continue;
			memset(&cand, 0, sizeof(cand));
			cand.ip.family = AF_INET6;
			memcpy(cand.ip.a, aaaa[i].a, layouts[j].len / 8);
			cand.len = layouts[j].len;
			for (k = 0; k < nfound; k++)
				if (found[k].len == cand.len &&
				    memcmp(found[k].ip.a, cand.ip.a, 16) == 0)
					break;
			if (k == nfound &&
			    nfound < sizeof(found) / sizeof(found[0]))
				found[nfound++] = cand;
			break;
		}
	}
	if (nfound > 0)
		*out = found[0];
	return nfound;
}

int
hecat_nat64_prefix_check(const char *prefix, const char **why)
{
	struct hecat__prefix64 p;

	return hecat__nat64_prefix_parse(&p, prefix, why);
}
