/*
 * netinfo.c - which families this host can reach the world with, as
 * HEv3 defines connectivity: a non-loopback, non-link-local address of
 * the family and a route that is not link-local (nor a loopback, reject
 * or multicast route).  Read per dial: networks change.
 *
 * From /proc/net/route, /proc/net/if_inet6 and /proc/net/ipv6_route
 * (Linux).  Where those cannot be read, getifaddrs(3) alone decides: a
 * family with an address counts as connected.
 */
#include "config.h"

#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>

#include <ifaddrs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addrsort.h"
#include "netinfo.h"
#include "ip.h"

/* RTF_UP and RTF_REJECT, as the kernel's route flags say them. */
#define ROUTE_UP	0x0001
#define ROUTE_REJECT	0x0200

/*
 * Neither loopback nor link-local (nor a link-scoped multicast route):
 * RFC 6724's scopes, as address sorting has them.  The unspecified
 * address is global there, as the default route ::/0 must be.
 */
static bool
beyond_link(const struct hecat__ip *ip)
{
	return hecat__ip_scope(ip) > HECAT__SCOPE_LINK;
}

/* 32 hex digits, as /proc/net/if_inet6 and ipv6_route write addresses. */
static bool
hex_ip6(const char *hex, struct hecat__ip *ip)
{
	unsigned byte;
	int i;

	memset(ip, 0, sizeof(*ip));
	ip->family = AF_INET6;
	if (strlen(hex) != 32)
		return false;
	for (i = 0; i < 16; i++) {
		if (sscanf(hex + 2 * i, "%2x", &byte) != 1)
			return false;
		ip->a[i] = (uint8_t)byte;
	}
	return true;
}

/*
 * /proc/net/if_inet6: "addr ifindex plen scope flags ifname", one line per
 * IPv6 address.  Is there a global one off the loopback?  -1 when the
 * file cannot be read.
 */
static int
addresses6(void)
{
	char line[256], hex[33], ifname[64];
	unsigned idx, plen, scope, flags;
	struct hecat__ip ip;
	int found = 0;
	FILE *f;

	if ((f = fopen("/proc/net/if_inet6", "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%32s %x %x %x %x %63s", hex, &idx, &plen,
		    &scope, &flags, ifname) != 6 ||
		    strcmp(ifname, "lo") == 0 || !hex_ip6(hex, &ip))
			continue;
		if (beyond_link(&ip)) {
			found = 1;
			break;
		}
	}
	fclose(f);
	return found;
}

/* The same from getifaddrs(3), where /proc is not there: both families. */
static void
addresses(bool *v6, bool *v4)
{
	struct ifaddrs *ifa, *i;
	struct hecat__ip ip;

	*v6 = *v4 = false;
	if (getifaddrs(&ifa) == -1) {
		*v6 = *v4 = true;	/* unknown: assume both */
		return;
	}
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL || !(i->ifa_flags & IFF_UP) ||
		    (i->ifa_flags & IFF_LOOPBACK))
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			hecat__ip_from_sa(&ip, i->ifa_addr);
			*v4 |= beyond_link(&ip);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			hecat__ip_from_sa(&ip, i->ifa_addr);
			*v6 |= beyond_link(&ip);
		}
	}
	freeifaddrs(ifa);
}

/*
 * /proc/net/route: "Iface Destination Gateway Flags ..." in hex, the
 * main table only.  Any up, non-reject route off the loopback counts.
 * Returns -1 when the file cannot be read.
 */
static int
routes4(void)
{
	char line[512], ifname[64];
	unsigned dst, gw, flags;
	int found = 0;
	FILE *f;

	if ((f = fopen("/proc/net/route", "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%63s %x %x %x", ifname, &dst, &gw,
		    &flags) != 4)
			continue;	/* the header */
		if (strcmp(ifname, "lo") == 0 || !(flags & ROUTE_UP) ||
		    (flags & ROUTE_REJECT))
			continue;
		/* 169.254/16 is link-local; dst is in network order. */
		if ((dst & 0xffff) == 0xfea9)
			continue;
		found = 1;
		break;
	}
	fclose(f);
	return found;
}

/*
 * /proc/net/ipv6_route: "dst plen src plen nexthop metric ref use flags
 * iface", every table.  Loopback routes (the local table, unreachable
 * and prohibit routes), fe80::/10 and ff00::/8 do not count.
 */
static int
routes6(void)
{
	char line[512], dst[33], ifname[64];
	unsigned plen, flags;
	struct hecat__ip ip;
	int found = 0;
	FILE *f;

	if ((f = fopen("/proc/net/ipv6_route", "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%32s %x %*s %*s %*s %*s %*s %*s %x %63s",
		    dst, &plen, &flags, ifname) != 4)
			continue;
		if (strcmp(ifname, "lo") == 0 || !(flags & ROUTE_UP) ||
		    (flags & ROUTE_REJECT))
			continue;
		if (!hex_ip6(dst, &ip) || !beyond_link(&ip))
			continue;
		found = 1;
		break;
	}
	fclose(f);
	return found;
}

void
hecat__connectivity(bool *v6, bool *v4)
{
	int r4, a6, r6;

	/*
	 * As far as the question needs, from /proc (a few microseconds; a
	 * netlink dump through getifaddrs() costs several times more, and
	 * this runs for every dial).  IPv4: a route off the loopback (the
	 * kernel adds one for each address it has, so an address without
	 * one cannot be used anyway).  IPv6: a global address off the
	 * loopback, and its routes only when IPv4 is absent, the one case
	 * where the answer changes anything (NAT64).
	 */
	r4 = routes4();
	a6 = addresses6();
	if (r4 == -1 || a6 == -1) {
		addresses(v6, v4);
		return;
	}
	*v4 = r4 == 1;
	*v6 = a6 == 1;
	if (*v6 && !*v4 && (r6 = routes6()) != -1)
		*v6 = r6 == 1;
}

/* ---- the network's identity --------------------------------------------- */

#define NETLINES	64		/* routes that name a network */
#define NETLINE		112

struct netlines {
	char	line[NETLINES][NETLINE];
	size_t	n;
};

/* Add a formatted line to nl; nothing when it is full. */
static void
netline(struct netlines *nl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
netline(struct netlines *nl, const char *fmt, ...)
{
	va_list ap;

	if (nl->n == NETLINES)
		return;
	va_start(ap, fmt);
	vsnprintf(nl->line[nl->n++], NETLINE, fmt, ap);
	va_end(ap);
}

/* "F IFNAME via|on ...": does line name interface ifname? */
static bool
line_on(const char *line, const char *ifname)
{
	size_t len = strlen(ifname);

	return strncmp(line + 2, ifname, len) == 0 && line[2 + len] == ' ';
}

/*
 * Move into nl the on-link prefixes of links[] (family f) whose
 * interface carries one of nl's default routes of that family.
 */
static void
keep_onlink(struct netlines *nl, const struct netlines *links, char f)
{
	size_t i, j, ndef = nl->n;
	char ifname[64];

	for (i = 0; i < links->n; i++) {
		if (sscanf(links->line[i], "%*c %63s", ifname) != 1)
			continue;
		for (j = 0; j < ndef; j++)
			if (nl->line[j][0] == f && line_on(nl->line[j], ifname)) {
				netline(nl, "%s", links->line[i]);
				break;
			}
	}
}

/*
 * /proc/net/route: "Iface Destination Gateway Flags RefCnt Use Metric
 * Mask ...".  The default routes (interface and gateway), and the
 * on-link prefixes of their interfaces.
 */
static void
netid4(struct netlines *nl)
{
	char line[512], ifname[64];
	unsigned dst, gw, flags, mask;
	struct netlines links = { .n = 0 };
	FILE *f;

	if ((f = fopen("/proc/net/route", "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%63s %x %x %x %*s %*s %*s %x", ifname, &dst,
		    &gw, &flags, &mask) != 5 || !(flags & ROUTE_UP) ||
		    (flags & ROUTE_REJECT) || strcmp(ifname, "lo") == 0)
			continue;
		if (dst == 0 && mask == 0)
			netline(nl, "4 %s via %08x", ifname, gw);
		else if (mask != 0 && gw == 0)
			netline(&links, "4 %s on %08x/%08x", ifname, dst, mask);
	}
	fclose(f);
	keep_onlink(nl, &links, '4');
}

/*
 * /proc/net/ipv6_route: "dst plen src plen nexthop metric ref use flags
 * iface".  The same for IPv6: default routes, and the global on-link
 * prefixes of their interfaces (not host routes: temporary addresses
 * come and go on the same network).
 */
static void
netid6(struct netlines *nl)
{
	char line[512], dst[33], nh[33], ifname[64];
	unsigned plen, flags;
	struct netlines links = { .n = 0 };
	struct hecat__ip ip;
	FILE *f;

	if ((f = fopen("/proc/net/ipv6_route", "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%32s %x %*s %*s %32s %*s %*s %*s %x %63s",
		    dst, &plen, nh, &flags, ifname) != 5 ||
		    !(flags & ROUTE_UP) || (flags & ROUTE_REJECT) ||
		    strcmp(ifname, "lo") == 0 || !hex_ip6(dst, &ip))
			continue;
		if (plen == 0)
			netline(nl, "6 %s via %s", ifname, nh);
		else if (plen < 128 && strspn(nh, "0") == 32 &&
		    beyond_link(&ip) && ip.a[0] != 0xff)
			netline(&links, "6 %s on %s/%u", ifname, dst, plen);
	}
	fclose(f);
	keep_onlink(nl, &links, '6');
}

static int
cmp_line(const void *a, const void *b)
{
	return strcmp(a, b);
}

uint64_t
hecat__network_id(void)
{
	struct netlines nl;
	uint64_t h = UINT64_C(0xcbf29ce484222325);	/* FNV-1a */
	const char *p;
	size_t i;

	nl.n = 0;
	netid4(&nl);
	netid6(&nl);
	/* The kernel's order is not the network's: sort first. */
	qsort(nl.line, nl.n, NETLINE, cmp_line);
	for (i = 0; i < nl.n; i++)
		for (p = nl.line[i]; ; p++) {
			h ^= (uint8_t)*p;
			h *= UINT64_C(0x100000001b3);
			if (*p == '\0')
				break;
		}
	return h;
}
