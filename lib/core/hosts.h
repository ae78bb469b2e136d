/*
 * hosts.h - a hosts(5) file, consulted before DNS as the system resolver
 * does (so "localhost" and hosts-file names work without a DNS server).
 */
#ifndef HECAT_HOSTS_H
#define HECAT_HOSTS_H

#include <stddef.h>
#include <sys/types.h>

#include "ip.h"

struct hecat__hosts;

/*
 * Parse a hosts file held in buf[0..len) (not NUL-terminated).  Lines are
 * "ADDRESS NAME [ALIAS...]" with '#' comments; malformed lines and fields
 * are skipped, never fatal.  Returns NULL only with errno ENOMEM.
 */
struct hecat__hosts *hecat__hosts_parse(const char *buf, size_t len);

void	hecat__hosts_free(struct hecat__hosts *);

/*
 * Look name up: ASCII case-insensitive, one trailing dot ignored.  Returns
 * -1 when the name is not in the file at all.  Otherwise writes the
 * addresses of family (AF_INET6 or AF_INET) to out[0..max), in file order
 * without duplicates, and returns how many it wrote: 0 when the file knows
 * the name with the other family only.
 */
ssize_t	hecat__hosts_find(const struct hecat__hosts *, const char *name,
	    int family, struct hecat__ip *out, size_t max);

#endif /* HECAT_HOSTS_H */
