/*
 * trace_tls.c - -v's line about the TLS session the dial won: what was
 * agreed, and whether the server was verified (loudly, when it was not).
 */
#include "config.h"

#include <stdio.h>

#include "ssl_dl.h"
#include "trace_impl.h"

void
out_tls_line(const struct out *o, void *tls)
{
	SSL *ssl = tls;
	const unsigned char *alpn;
	const char *peer = SSL_get0_peername(ssl);
	unsigned alen;

	if (o->verbose < 1)
		return;
	SSL_get0_alpn_selected(ssl, &alpn, &alen);
	fprintf(stderr, "hecat: TLS %s %s, ALPN %.*s: ", SSL_get_version(ssl),
	    SSL_get_cipher_name(ssl), alen > 0 ? (int)alen : 4,
	    alen > 0 ? (const char *)alpn : "none");
	if (SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER)
		fprintf(stderr, "the server is verified for %s\n",
		    peer != NULL ? peer : "its IP address");
	else if (SSL_get_verify_result(ssl) != X509_V_OK)
		fprintf(stderr, "WARNING: the server is NOT verified "
		    "(--tls-no-verify); it would have failed: %s\n",
		    X509_verify_cert_error_string(SSL_get_verify_result(ssl)));
	else
		fprintf(stderr, "WARNING: the server is NOT verified "
		    "(--tls-no-verify)\n");
}
