/* dnsd.c - STUB, to be written (see dnsd.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "dnsd.h"

struct dnsd *
dnsd_new(struct event_base *base, const char *addr, uint16_t port)
{
	(void)base;
	(void)addr;
	(void)port;
	errno = ENOSYS;
	return NULL;
}

uint16_t
dnsd_port(const struct dnsd *d)
{
	(void)d;
	return 0;
}

int
dnsd_rule(struct dnsd *d, const char *line)
{
	(void)d;
	(void)line;
	return -1;
}

int
dnsd_load(struct dnsd *d, const char *path)
{
	(void)d;
	(void)path;
	return -1;
}

size_t
dnsd_nqueries(const struct dnsd *d)
{
	(void)d;
	return 0;
}

const struct dnsd_query *
dnsd_query(const struct dnsd *d, size_t i)
{
	(void)d;
	(void)i;
	return NULL;
}

size_t
dnsd_count(const struct dnsd *d, const char *name, uint16_t type)
{
	(void)d;
	(void)name;
	(void)type;
	return 0;
}

void
dnsd_free(struct dnsd *d)
{
	(void)d;
}
