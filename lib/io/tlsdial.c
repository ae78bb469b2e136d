/*
 * tlsdial.c - a dial's TLS: its setup (the name to prove, the options;
 * lib/stage/tls.c), OpenSSL's context made once the first packets are
 * out, and DANE (RFC 6698, RFC 7671): the name's TLSA records asked
 * alongside its AAAA and A, through the built-in resolver when it
 * validates DNSSEC.  The TLS stages of attempts that connect before the
 * answer wait for it (lib/io/attempt.c parks them); the answer goes to
 * the TLS setup, which lets secure, usable records verify the server
 * instead of the CA store, and to the trace.
 *
 * DANE for one port only: the records are per port, and a dial to
 * several ports would need one question each.  An IP literal has no
 * TLSA name.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "clock.h"
#include "resolver.h"
#include "tls.h"
#include "tlsa.h"

/* "3 1 1 5e2fa0c1...; 2 0 1 ...": the records, in a few words. */
static void
records_text(const struct hecat__tlsa *recs, size_t n, char *buf,
    size_t len)
{
	size_t i, j, off = 0;
	int k;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++) {
		k = snprintf(buf + off, len - off, "%s%u %u %u ",
		    i > 0 ? "; " : "", recs[i].usage, recs[i].selector,
		    recs[i].mtype);
		if (k < 0)
			return;
		off += (size_t)k;
		for (j = 0; j < recs[i].len && j < 8 && off < len; j++) {
			k = snprintf(buf + off, len - off, "%02x",
			    recs[i].data[j]);
			off += k > 0 ? (size_t)k : 0;
		}
		if (recs[i].len > 8 && off < len) {
			k = snprintf(buf + off, len - off, "...");
			off += k > 0 ? (size_t)k : 0;
		}
	}
}

static void
tlsa_cb(int status, const struct hecat__tlsa *recs, size_t n, void *arg)
{
	struct hecat_dial *d = arg;
	char text[256];

	d->tlsa_q = NULL;
	d->tlsa_done = true;
	records_text(recs, n, text, sizeof(text));
	hecat__emit_tlsa(d, d->tlsa_name, HECAT_DNS_STATUS_OF(status),
	    HECAT_DNS_DNSSEC_OF(status), hecat__now() - d->tlsa_sent,
	    n > 0 ? text : NULL);
	hecat__tls_dane(d->tls, HECAT_DNS_STATUS_OF(status), recs, n);
	hecat__attempts_resume(d);
}

void
hecat__tlsdial_start(struct hecat_dial *d)
{
	const char *name;
	void *q;
	int len;

	/* The name to prove: the host as the proxy or the resolver gets it. */
	if ((d->tls = hecat__tls_new(&d->opts, d->ptarget != NULL ?
	    d->ptarget : d->host[0] != '\0' ? d->host : d->given)) == NULL) {
		hecat__dial_fail(d, HECAT_E_SYSTEM, "out of memory");
		return;
	}
	name = hecat__tls_name(d->tls);
	if (!d->h->builtin || d->nports != 1 || name == NULL ||
	    d->opts.tls_no_verify)
		return;
	len = snprintf(NULL, 0, "_%u._tcp.%s", d->ports[0], name);
	if (len < 0 || (d->tlsa_name = malloc((size_t)len + 1)) == NULL)
		return;
	snprintf(d->tlsa_name, (size_t)len + 1, "_%u._tcp.%s", d->ports[0],
	    name);
	hecat__tls_await_dane(d->tls, d->tlsa_name);
	d->tlsa_sent = hecat__now();
	q = hecat__getdns_tlsa(d->h->cq.rarg, d->tlsa_name, tlsa_cb, d);
	if (q == NULL)				/* no DNSSEC: no DANE */
		hecat__tls_await_dane(d->tls, NULL);
	else if (!d->tlsa_done)
		d->tlsa_q = q;
}

void
hecat__tlsdial_prepare(struct hecat_dial *d)
{
	if (d->tls != NULL)
		hecat__tls_prepare(d->tls);
}

void
hecat__tlsdial_free(struct hecat_dial *d)
{
	if (d->tlsa_q != NULL)
		hecat__getdns_tlsa_cancel(d->h != NULL ? d->h->cq.rarg : NULL,
		    d->tlsa_q);
	d->tlsa_q = NULL;
	free(d->tlsa_name);
	d->tlsa_name = NULL;
	hecat__tls_free(d->tls);
	d->tls = NULL;
}
