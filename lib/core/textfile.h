/*
 * textfile.h - lines and tokens of configuration files (hosts,
 * resolv.conf, history) held in buffers that are not NUL-terminated and
 * may hold anything.  Reading the files is io/sysfiles.c's.
 */
#ifndef HECAT_TEXTFILE_H
#define HECAT_TEXTFILE_H

#include <stdbool.h>
#include <stddef.h>

static inline bool
hecat__is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static inline char
hecat__lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/*
 * The next line of [*pp, end): returns its start, stores its end (its
 * '\n', or end) in *eolp and moves *pp past it; NULL when none is left.
 */
const char	*hecat__next_line(const char **pp, const char *end,
		    const char **eolp);

/*
 * The end of the useful part of the line [p, eol): the first byte of
 * comments (e.g. "#" or "#;") or NUL byte (the line read as a C string
 * would end there), or eol.
 */
const char	*hecat__content_end(const char *p, const char *eol,
		    const char *comments);

/*
 * The next blank-separated token in [*pp, end): returns its start and
 * stores its length in *lenp and the position after it in *pp, or returns
 * NULL when only blanks are left.
 */
const char	*hecat__next_token(const char **pp, const char *end,
		    size_t *lenp);

#endif /* HECAT_TEXTFILE_H */
