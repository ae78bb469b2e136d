/* hosts.c - STUB, to be written (see hosts.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "hosts.h"

struct hecat__hosts {
	int	unused;
};

struct hecat__hosts *
hecat__hosts_parse(const char *buf, size_t len)
{
	(void)buf;
	(void)len;
	return calloc(1, sizeof(struct hecat__hosts));
}

struct hecat__hosts *
hecat__hosts_load(const char *path)
{
	(void)path;
	return calloc(1, sizeof(struct hecat__hosts));
}

void
hecat__hosts_free(struct hecat__hosts *h)
{
	free(h);
}

ssize_t
hecat__hosts_find(const struct hecat__hosts *h, const char *name, int family,
    struct hecat__ip *out, size_t max)
{
	(void)h;
	(void)name;
	(void)family;
	(void)out;
	(void)max;
	return -1;
}
