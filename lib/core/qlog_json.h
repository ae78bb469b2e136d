/*
 * qlog_json.h - JSON text built in a growing buffer, for qlog's records
 * (qlog.c): members and array elements with their commas, strings
 * escaped.  Memory that cannot be had marks the buffer (oom), and the
 * record is dropped rather than written half.
 */
#ifndef HECAT_QLOG_JSON_H
#define HECAT_QLOG_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HECAT__JSON_DEPTH	8

struct hecat__json {
	char	*p;
	size_t	 len, cap;
	bool	 oom;
	int	 depth;
	bool	 comma[HECAT__JSON_DEPTH];	/* one is due at this depth */
};

/* Raw text. */
void	hecat__json_put(struct hecat__json *, const char *s, size_t n);
void	hecat__json_putf(struct hecat__json *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* A JSON string: quoted, escaped, control bytes as \u00XX. */
void	hecat__json_str(struct hecat__json *, const char *s);
/* The next member's key (NULL: an array element), after a comma if due. */
void	hecat__json_key(struct hecat__json *, const char *k);
/* Open ('{' or '[') a member k (NULL: an element); close it. */
void	hecat__json_open(struct hecat__json *, const char *k, char brace);
void	hecat__json_close(struct hecat__json *, char brace);
/* Members: a string, an unsigned number, a boolean. */
void	hecat__json_kstr(struct hecat__json *, const char *k, const char *v);
void	hecat__json_kuint(struct hecat__json *, const char *k, uint64_t v);
void	hecat__json_kbool(struct hecat__json *, const char *k, bool v);
/* Empty it for the next record. */
void	hecat__json_reset(struct hecat__json *);

#endif /* HECAT_QLOG_JSON_H */
