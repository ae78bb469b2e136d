/*
 * sysfiles.c - reading the system's files: bounded, never blocking on a
 * FIFO, and the hosts file and resolv.conf loaded through their parsers
 * (core/hosts.c, core/resolvconf.c).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "sysfiles.h"

#define HOSTS_MAXFILE	(64UL << 20)	/* bytes of a hosts file read */
#define RESOLV_MAXFILE	(1UL << 20)	/* bytes of resolv.conf read */

int
hecat__read_file(const char *path, size_t cap, char **bufp, size_t *lenp)
{
	char *buf = NULL, *nbuf;
	size_t len = 0, alloc = 0, nalloc;
	struct stat st;
	ssize_t r;
	int fd, serrno;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) ==
	    -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	for (;;) {
		if (len == alloc) {
			if (alloc > cap)
				break;		/* cap + 1 bytes: too long */
			nalloc = alloc == 0 ? 4096 : alloc * 2;
			if (nalloc > cap + 1)
				nalloc = cap + 1;
			if ((nbuf = realloc(buf, nalloc)) == NULL)
				goto fail;
			buf = nbuf;
			alloc = nalloc;
		}
		r = read(fd, buf + len, alloc - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 && errno == EAGAIN)
			break;			/* a FIFO with nothing yet */
		if (r == -1)
			goto fail;
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > cap)
		for (len = cap; len > 0 && buf[len - 1] != '\n'; len--)
			continue;
	close(fd);
	*bufp = buf;
	*lenp = len;
	return 0;
fail:
	serrno = errno;
	free(buf);
	close(fd);
	errno = serrno;
	return -1;
}

struct hecat__hosts *
hecat__hosts_load(const char *path)
{
	struct hecat__hosts *h;
	char *buf;
	size_t len;

	if (path == NULL)
		return hecat__hosts_parse(NULL, 0);
	if (hecat__read_file(path, HOSTS_MAXFILE, &buf, &len) == -1) {
		if (errno == ENOMEM)
			return NULL;
		return hecat__hosts_parse(NULL, 0);
	}
	h = hecat__hosts_parse(buf, len);
	free(buf);
	return h;
}

/*
 * Returns 0 (the file parsed, or the defaults when it does not exist), or
 * -1 with errno when it exists but cannot be read; rc holds the defaults
 * then too.
 */
int
hecat__resolvconf_load(struct hecat__resolvconf *rc, const char *path)
{
	char *buf;
	size_t len;

	if (hecat__read_file(path, RESOLV_MAXFILE, &buf, &len) == -1) {
		int serrno = errno;

		hecat__resolvconf_parse(rc, NULL, 0);
		if (serrno == ENOENT || serrno == ENOTDIR)
			return 0;
		errno = serrno;
		return -1;
	}
	hecat__resolvconf_parse(rc, buf, len);
	free(buf);
	return 0;
}
