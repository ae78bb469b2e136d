/*
 * netinfo.c - which families this host can reach the world with, as
 * HEv3 defines connectivity: a non-loopback, non-link-local address of
 * the family and a route that is not link-local (nor a loopback, reject
 * or multicast route).  Read per dial: networks change.
 *
 * Addresses come from getifaddrs(3); routes from /proc/net/route and
 * /proc/net/ipv6_route (Linux).  Where those cannot be read, a family
 * with an address counts as connected: NAT64 handling then stays off
 * unless IPv4 really is absent.
 */
#include "config.h"

#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>

#include <ifaddrs.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "ip.h"

/* RTF_UP and RTF_REJECT, as the kernel's route flags say them. */
#define ROUTE_UP	0x0001
#define ROUTE_REJECT	0x0200

static bool
v4_global(const uint8_t *a)
{
	return a[0] != 127 && a[0] != 0 && !(a[0] == 169 && a[1] == 254);
}

static bool
v6_global(const uint8_t *a)
{
	static const uint8_t loop[16] = { [15] = 1 };
	static const uint8_t any[16];

	if (memcmp(a, loop, 16) == 0 || memcmp(a, any, 16) == 0)
		return false;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)	/* fe80::/10 */
		return false;
	if (a[0] == 0xff)				/* multicast */
		return false;
	return true;
}

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
			*v4 |= v4_global(ip.a);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			hecat__ip_from_sa(&ip, i->ifa_addr);
			*v6 |= v6_global(ip.a);
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
		if (strncmp(dst, "fe8", 3) == 0 ||
		    strncmp(dst, "fe9", 3) == 0 ||
		    strncmp(dst, "fea", 3) == 0 ||
		    strncmp(dst, "feb", 3) == 0 ||
		    strncmp(dst, "ff", 2) == 0)
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
	int r;

	/*
	 * As far as the question needs: NAT64 matters only with IPv6 and
	 * no IPv4, so IPv6's routes are read only when IPv4 has none.
	 */
	addresses(v6, v4);
	if (*v4 && (r = routes4()) != -1)
		*v4 = r == 1;
	if (*v6 && !*v4 && (r = routes6()) != -1)
		*v6 = r == 1;
}
