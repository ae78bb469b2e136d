/*
 * hostname.c - host names as DNS will take them.
 *
 * A name is turned into its ASCII form before any resolver sees it: a name
 * with non-ASCII characters is converted to A-labels (IDNA 2008, through
 * getdns and its libidn2), and the result must be a valid DNS name: labels
 * of 1 to 63 characters, 253 in all.  Letters, digits, '-' and '_' (used
 * by SRV-style names) are allowed; anything else is rejected, so a stray
 * space or a URL ("http://...") gets a clear error instead of a query.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "getdns_dl.h"
#include "hostname.h"

static bool
ascii_only(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

static bool
label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Check an ASCII name; returns NULL if valid, else the reason. */
static const char *
check_ascii(const char *s)
{
	size_t len = strlen(s), label = 0, i;

	if (len > 0 && s[len - 1] == '.')
		len--;				/* absolute name */
	if (len == 0)
		return "empty host name";
	if (len > 253)
		return "host name longer than 253 characters";
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return "empty label in host name";
			label = 0;
			continue;
		}
		if (!label_char(s[i]))
			return "character not allowed in host name";
		if (++label > 63)
			return "label longer than 63 characters in host name";
	}
	if (label == 0)			/* "a..": the last label is empty */
		return "empty label in host name";
	return NULL;
}

int
hecat__host_normalize(const char *in, char out[HECAT__HOSTLEN],
    const char **why)
{
	const char *reason;
	char *alabel = NULL;

	if (strlen(in) >= HECAT__HOSTLEN * 4) {
		*why = "host name longer than 253 characters";
		return -1;
	}
	if (!ascii_only(in)) {
		/* IDNA: getdns converts through libidn2. */
		if (hecat__getdns_load() == -1 ||
		    (alabel = getdns_convert_ulabel_to_alabel(in)) == NULL) {
			*why = "internationalized host name cannot be converted";
			return -1;
		}
		in = alabel;
	}
	if ((reason = check_ascii(in)) != NULL) {
		free(alabel);
		*why = reason;
		return -1;
	}
	strncpy(out, in, HECAT__HOSTLEN - 1);
	out[HECAT__HOSTLEN - 1] = '\0';
	free(alabel);
	return 0;
}
