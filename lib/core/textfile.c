/*
 * textfile.c - lines and tokens of configuration file buffers.
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

