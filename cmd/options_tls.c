/*
 * options_tls.c - --tls (-c) and the options that go with it, checked
 * once every option is in: each needs --tls, -F cannot pass a session
 * whose state lives in this process, and the race ends at TLS unless
 * --race-until says otherwise.
 */
#include "config.h"

#include <string.h>

#include "options.h"

/* An ALPN list: protocol names of 1 to 255 bytes, comma-separated. */
static const char *
alpn_why(const char *list)
{
	const char *p = list, *comma;
	size_t n, total = 0;

	if (*p == '\0')
		return "empty";
	for (;;) {
		comma = strchr(p, ',');
		n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (n == 0)
			return "an empty protocol name";
		if (memchr(p, ' ', n) != NULL)
			return "a space in a protocol name";
		total += 1 + n;
		if (total > 255)
			return "longer than 255 bytes on the wire";
		if (comma == NULL)
			return NULL;
		p = comma + 1;
	}
}

int
options_tls_check(struct options *o, char *err, size_t errlen)
{
	struct hecat_opts *d = &o->dial;
	const char *why;
	const char *alone = d->tls_name != NULL ? "--tls-name" :
	    d->tls_ca_file != NULL ? "--tls-ca" :
	    d->tls_cert_file != NULL ? "--tls-cert" :
	    d->tls_key_file != NULL ? "--tls-key" :
	    d->tls_alpn != NULL ? "--tls-alpn" :
	    d->tls_no_verify ? "--tls-no-verify" :
	    d->race_until == HECAT_STAGE_TLS ? "--race-until tls" : NULL;

	if (!d->tls) {
		if (alone != NULL)
			return options_fail(err, errlen, "%s needs --tls (-c)", alone);
		return 0;
	}
	if (o->fdpass)
		return options_fail(err, errlen, "-F and --tls exclude each other: "
		    "the TLS session lives in hecat, it cannot be passed");
	if (d->tls_key_file != NULL && d->tls_cert_file == NULL)
		return options_fail(err, errlen, "--tls-key needs --tls-cert");
	if (d->tls_no_verify && d->tls_ca_file != NULL)
		return options_fail(err, errlen, "--tls-no-verify and --tls-ca "
		    "exclude each other");
	if (d->tls_name != NULL && d->tls_name[0] == '\0')
		return options_fail(err, errlen, "--tls-name: empty name");
	if (d->tls_alpn != NULL && (why = alpn_why(d->tls_alpn)) != NULL)
		return options_fail(err, errlen, "--tls-alpn: '%s': %s", d->tls_alpn,
		    why);
	if (!o->race_set)
		d->race_until = HECAT_STAGE_TLS;
	return 0;
}
