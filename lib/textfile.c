/*
 * textfile.c - bounded reads and tokens for configuration files.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "textfile.h"

const char *
hecat__next_line(const char **pp, const char *end, const char **eolp)
{
	const char *p = *pp, *eol;

	if (p >= end)
		return NULL;
	if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL) {
		*pp = end;
		*eolp = end;
	} else {
		*pp = eol + 1;
		*eolp = eol;
	}
	return p;
}

const char *
hecat__content_end(const char *p, const char *eol, const char *comments)
{
	for (; p < eol; p++)
		if (*p == '\0' || strchr(comments, *p) != NULL)
			break;
	return p;
}

const char *
hecat__next_token(const char **pp, const char *end, size_t *lenp)
{
	const char *p = *pp, *t;

	while (p < end && hecat__is_blank(*p))
		p++;
	t = p;
	while (p < end && !hecat__is_blank(*p))
		p++;
	*pp = p;
	*lenp = (size_t)(p - t);
	return *lenp > 0 ? t : NULL;
}

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
