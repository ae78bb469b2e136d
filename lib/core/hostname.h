/*
 * hostname.h - a host name checked and brought to its ASCII (A-label)
 * form, as it goes into queries.
 */
#ifndef HECAT_HOSTNAME_H
#define HECAT_HOSTNAME_H

#define HECAT__HOSTLEN	256

/*
 * Check in and write its A-label form to out, without a trailing dot
 * unless it had one.  Returns 0, or -1 with a reason in why (a static
 * string).
 */
int	hecat__host_normalize(const char *in, char out[HECAT__HOSTLEN],
	    const char **why);

#endif /* HECAT_HOSTNAME_H */
