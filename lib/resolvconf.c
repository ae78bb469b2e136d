/* resolvconf.c - STUB, to be written (see resolvconf.h). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "resolvconf.h"

void
hecat__resolvconf_parse(struct hecat__resolvconf *rc, const char *buf,
    size_t len)
{
	(void)buf;
	(void)len;
	memset(rc, 0, sizeof(*rc));
}

int
hecat__resolvconf_load(struct hecat__resolvconf *rc, const char *path)
{
	(void)path;
	memset(rc, 0, sizeof(*rc));
	return 0;
}

size_t
hecat__resolvconf_candidates(const struct hecat__resolvconf *rc,
    const char *name, char (*out)[HECAT__NAMELEN], size_t max)
{
	(void)rc;
	if (max == 0)
		return 0;
	strncpy(out[0], name, HECAT__NAMELEN - 1);
	out[0][HECAT__NAMELEN - 1] = '\0';
	return 1;
}

int
hecat__nameserver_parse(struct hecat__nameserver *ns, const char *s)
{
	(void)ns;
	(void)s;
	errno = EINVAL;
	return -1;
}
