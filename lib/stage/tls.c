/*
 * tls.c - the TLS stage (OpenSSL): a client handshake on the attempt's
 * socket, the server's certificate verified for the name it must prove,
 * and what the handshake agreed on told to the trace as steps.
 *
 * The session (an SSL *) belongs to the attempt's slot from the stage's
 * start: the winner's goes out with its descriptor (hecat_result.tls), a
 * loser's is freed with its socket.  OpenSSL reads only TLS records from
 * the socket; what the server sends after the handshake stays in the
 * session's buffers or the socket, for the relay.
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ssl_dl.h"
#include "stage.h"
#include "tls.h"
#include "tlsa.h"

#define ERRLEN		256
#define ALPN_MAX	255	/* the wire list's length, in bytes */

static int	verify_cb(int, X509_STORE_CTX *);

/* An encrypted key cannot be used: there is no one to ask. */
static int
no_passphrase(char *buf, int size, int rwflag, void *arg)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)arg;
	return 0;
}

struct hecat__tls {
	SSL_CTX		*ctx;		/* made once the first packets
					   are out */
	char		 broken[ERRLEN];	/* why it could not be */
	bool		 no_openssl;	/* ... because OpenSSL would not load */
	char		*name;		/* to verify, and for SNI */
	bool		 name_ip;	/* an IP literal: no SNI */
	bool		 verify;
	char		*ca, *cert, *key;
	unsigned char	 alpn[ALPN_MAX];	/* the wire form */
	size_t		 alpnlen;
	/* DANE: asked (qname), answered, and what came. */
	char		*dane_qname;
	bool		 dane_waiting;
	bool		 dane_bogus;
	struct hecat__tlsa *dane;
	size_t		 ndane;
};

static char *
dup_or_null(const char *s, bool *ok)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*ok = false;
	return d;
}

/* The name without brackets or %zone, and whether it is an IP literal. */
static char *
bare_name(const char *name, bool *ip)
{
	unsigned char buf[sizeof(struct in6_addr)];
	size_t len = strlen(name);
	char *s;

	if (len >= 2 && name[0] == '[' && name[len - 1] == ']') {
		name++;
		len -= 2;
	}
	if ((s = strndup(name, len)) == NULL)
		return NULL;
	if (strchr(s, ':') != NULL && strchr(s, '%') != NULL)
		*strchr(s, '%') = '\0';
	*ip = inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
	return s;
}

/* "h2,http/1.1" in ALPN's wire form; false when it does not fit. */
static bool
alpn_wire(struct hecat__tls *c, const char *list)
{
	const char *p = list, *comma;
	size_t n;

	c->alpnlen = 0;
	while (*p != '\0') {
		comma = strchr(p, ',');
		n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (n == 0 || n > 255 || c->alpnlen + 1 + n > sizeof(c->alpn))
			return false;
		c->alpn[c->alpnlen++] = (unsigned char)n;
		memcpy(c->alpn + c->alpnlen, p, n);
		c->alpnlen += n;
		p += n + (comma != NULL);
		if (comma != NULL && *p == '\0')
			return false;
	}
	return c->alpnlen > 0;
}

struct hecat__tls *
hecat__tls_new(const struct hecat_opts *o, const char *name)
{
	struct hecat__tls *c;
	bool ok = true;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->verify = !o->tls_no_verify;
	c->name = bare_name(o->tls_name != NULL ? o->tls_name : name,
	    &c->name_ip);
	c->ca = dup_or_null(o->tls_ca_file, &ok);
	c->cert = dup_or_null(o->tls_cert_file, &ok);
	c->key = dup_or_null(o->tls_key_file, &ok);
	if (c->name == NULL || !ok) {
		hecat__tls_free(c);
		return NULL;
	}
	if (o->tls_alpn != NULL && !alpn_wire(c, o->tls_alpn))
		snprintf(c->broken, sizeof(c->broken), "TLS: ALPN list "
		    "\"%s\" is not comma-separated protocol names", o->tls_alpn);
	return c;
}

void
hecat__tls_free(struct hecat__tls *c)
{
	if (c == NULL)
		return;
	if (c->ctx != NULL)	/* else OpenSSL may not be loaded */
		SSL_CTX_free(c->ctx);
	free(c->dane_qname);
	free(c->dane);
	free(c->name);
	free(c->ca);
	free(c->cert);
	free(c->key);
	free(c);
}

const char *
hecat__tls_broken(const struct hecat__tls *c)
{
	return c->broken[0] != '\0' ? c->broken : NULL;
}

int
hecat__tls_broken_err(const struct hecat__tls *c)
{
	return c->no_openssl ? HECAT_E_SYSTEM : HECAT_E_INVAL;
}

void
hecat__tls_session_free(void *ssl)
{
	SSL_free(ssl);
}

/* OpenSSL's reason for the last failure, in words. */
static const char *
ssl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e != 0 ? ERR_reason_error_string(e) : NULL;

	return r != NULL ? r : "unknown error";
}

static bool
broken(struct hecat__tls *c, const char *what, const char *file)
{
	snprintf(c->broken, sizeof(c->broken), "TLS: cannot use %s %s: %s",
	    what, file, ssl_reason());
	return false;
}

/* The context, once: the CA store, a client certificate, ALPN. */
static bool
ctx_make(struct hecat__tls *c)
{
	const char *key = c->key != NULL ? c->key : c->cert;

	if (c->broken[0] != '\0')	/* even if ctx was half made */
		return false;
	if (c->ctx != NULL)
		return true;
	if (hecat__ssl_load() == -1) {
		snprintf(c->broken, sizeof(c->broken), "cannot load OpenSSL: "
		    "%s", hecat__ssl_error());
		c->no_openssl = true;
		return false;
	}
	ERR_clear_error();
	if ((c->ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		snprintf(c->broken, sizeof(c->broken), "TLS: %s",
		    ssl_reason());
		return false;
	}
	SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION);
	/* The kernel encrypts when it can (kTLS): SSL_read/write still work. */
	SSL_CTX_set_options(c->ctx, SSL_OP_ENABLE_KTLS);
	SSL_CTX_set_mode(c->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_verify(c->ctx, c->verify ? SSL_VERIFY_PEER :
	    SSL_VERIFY_NONE, c->verify ? verify_cb : NULL);
	/* No pass phrase prompt: under ssh, the terminal is the session's. */
	SSL_CTX_set_default_passwd_cb(c->ctx, no_passphrase);
	if (c->ca != NULL) {
		if (!SSL_CTX_load_verify_file(c->ctx, c->ca))
			return broken(c, "CA file", c->ca);
	} else if (!SSL_CTX_set_default_verify_paths(c->ctx))
		return broken(c, "the system's CA store", "");
	if (c->cert != NULL) {
		if (SSL_CTX_use_certificate_chain_file(c->ctx, c->cert) != 1)
			return broken(c, "certificate", c->cert);
		if (SSL_CTX_use_PrivateKey_file(c->ctx, key,
		    SSL_FILETYPE_PEM) != 1)
			return broken(c, "key", key);
		if (SSL_CTX_check_private_key(c->ctx) != 1)
			return broken(c, "key", key);
	}
	if (c->alpnlen > 0 &&
	    SSL_CTX_set_alpn_protos(c->ctx, c->alpn, (unsigned)c->alpnlen) != 0)
		return broken(c, "ALPN list", "");
	if (c->dane_qname != NULL && SSL_CTX_dane_enable(c->ctx) <= 0)
		return broken(c, "DANE", "");
	return true;
}

void
hecat__tls_prepare(struct hecat__tls *c)
{
	(void)ctx_make(c);	/* a failure is told at the first stage */
}

/* ---- DANE ------------------------------------------------------------------------ */

void
hecat__tls_await_dane(struct hecat__tls *c, const char *qname)
{
	free(c->dane_qname);
	c->dane_qname = NULL;
	c->dane_waiting = false;
	if (qname != NULL && (c->dane_qname = strdup(qname)) != NULL)
		c->dane_waiting = true;
}

const char *
hecat__tls_name(const struct hecat__tls *c)
{
	return c->name_ip ? NULL : c->name;
}

void
hecat__tls_dane(struct hecat__tls *c, int status,
    const struct hecat__tlsa *recs, size_t n)
{
	c->dane_waiting = false;
	c->dane_bogus = status == HECAT_DNS_BOGUS;
	if (status != HECAT_DNS_OK || n == 0 ||
	    (c->dane = calloc(n, sizeof(*c->dane))) == NULL)
		return;
	memcpy(c->dane, recs, n * sizeof(*recs));
	c->ndane = n;
}

bool
hecat__tls_waiting(const struct hecat__tls *c)
{
	return c->dane_waiting;
}

/*
 * The TLSA records OpenSSL can use, added to ssl's verification: then
 * they, not the CA store, say who the server is (DANE-EE: its key,
 * whatever its name).  Returns how many it took.
 */
static int
dane_add(struct hecat__tls *c, SSL *ssl)
{
	const struct hecat__tlsa *t;
	size_t i;
	int usable = 0;

	if (c->ndane == 0 || SSL_dane_enable(ssl, c->name) <= 0)
		return 0;
	SSL_dane_set_flags(ssl, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
	for (i = 0; i < c->ndane; i++) {
		t = &c->dane[i];
		if (SSL_dane_tlsa_add(ssl, t->usage, t->selector, t->mtype,
		    t->data, t->len) > 0)
			usable++;
	}
	return usable;
}

/* ---- what the handshake agreed on ------------------------------------------ */

static void
fmt_time(const ASN1_TIME *t, char *buf, size_t len)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1 ||
	    strftime(buf, len, "%Y-%m-%d", &tm) == 0)
		snprintf(buf, len, "?");
}

static void
fmt_name(const X509_NAME *name, char *buf, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	int n = 0;

	buf[0] = '\0';
	if (b == NULL)
		return;
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0 &&
	    (n = BIO_read(b, buf, (int)len - 1)) > 0)
		buf[n] = '\0';
	BIO_free(b);
}

/* "DNS:a,DNS:b,IP:192.0.2.1": the certificate's names, as many as fit. */
static void
fmt_sans(X509 *cert, char *buf, size_t len)
{
	GENERAL_NAMES *gens;
	const GENERAL_NAME *g;
	char ip[INET6_ADDRSTRLEN];
	size_t off = 0;
	int i, n;

	buf[0] = '\0';
	gens = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		n = 0;
		if (g->type == GEN_DNS)
			n = snprintf(buf + off, len - off, "%sDNS:%.*s",
			    off > 0 ? "," : "", ASN1_STRING_length(g->d.dNSName),
			    (const char *)ASN1_STRING_get0_data(g->d.dNSName));
		else if (g->type == GEN_IPADD &&
		    inet_ntop(ASN1_STRING_length(g->d.iPAddress) == 16 ?
		    AF_INET6 : AF_INET, ASN1_STRING_get0_data(g->d.iPAddress),
		    ip, sizeof(ip)) != NULL)
			n = snprintf(buf + off, len - off, "%sIP:%s",
			    off > 0 ? "," : "", ip);
		if (n < 0 || (size_t)n >= len - off) {
			buf[off] = '\0';
			break;
		}
		off += (size_t)n;
	}
	GENERAL_NAMES_free(gens);
}

/* The certificate of the chain that has expired: the server's, or above. */
static X509 *
expired_cert(SSL *ssl)
{
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
	X509 *x;
	int i;

	for (i = 0; chain != NULL && i < sk_X509_num(chain); i++) {
		x = sk_X509_value(chain, i);
		if (X509_cmp_current_time(X509_get0_notAfter(x)) < 0)
			return x;
	}
	return SSL_get0_peer_certificate(ssl);
}

/* Why verification failed, in words: notAfter for an expired one. */
static void
verify_reason(SSL *ssl, long vr, char *buf, size_t len)
{
	char when[32];

	if (vr == X509_V_ERR_CERT_HAS_EXPIRED) {
		fmt_time(X509_get0_notAfter(expired_cert(ssl)), when,
		    sizeof(when));
		snprintf(buf, len, "certificate has expired (notAfter %s)",
		    when);
	} else if (vr == X509_V_ERR_HOSTNAME_MISMATCH ||
	    vr == X509_V_ERR_IP_ADDRESS_MISMATCH)
		snprintf(buf, len, "certificate is not valid for %s",
		    SSL_get0_peername(ssl) != NULL ? SSL_get0_peername(ssl) :
		    "the name");
	else
		snprintf(buf, len, "certificate verify failed: %s",
		    X509_verify_cert_error_string(vr));
}

/*
 * OpenSSL's verdict on each certificate of the chain: the first that
 * fails says why in the stage's detail, while the certificate is there
 * to name (after the handshake failed, the session may hold none).
 */
static int
verify_cb(int ok, X509_STORE_CTX *x)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(x,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	struct hecat__stage *st = ssl != NULL ? SSL_get_app_data(ssl) : NULL;
	int err = X509_STORE_CTX_get_error(x);
	char when[32];

	if (ok || st == NULL || st->detail[0] != '\0')
		return ok;
	if (err == X509_V_ERR_CERT_HAS_EXPIRED) {
		fmt_time(X509_get0_notAfter(X509_STORE_CTX_get_current_cert(x)),
		    when, sizeof(when));
		snprintf(st->detail, sizeof(st->detail), "certificate has "
		    "expired (notAfter %s)", when);
	} else if (err == X509_V_ERR_HOSTNAME_MISMATCH ||
	    err == X509_V_ERR_IP_ADDRESS_MISMATCH)
		snprintf(st->detail, sizeof(st->detail), "certificate is not "
		    "valid for %s", st->tlsconf->name);
	else
		snprintf(st->detail, sizeof(st->detail), "certificate verify "
		    "failed: %s", X509_verify_cert_error_string(err));
	return ok;
}

/* The steps the trace gets once the handshake is done. */
static void
tell_done(struct hecat__stage *st, SSL *ssl)
{
	struct hecat__tls *c = st->tlsconf;
	const unsigned char *alpn;
	unsigned alpnlen;
	X509 *cert = SSL_get0_peer_certificate(ssl);
	char subj[96], iss[96], until[32], sans[128], why[96];
	long vr = SSL_get_verify_result(ssl);

	SSL_get0_alpn_selected(ssl, &alpn, &alpnlen);
	hecat__stage_step(st, "%s %s, ALPN %.*s, %s", SSL_get_version(ssl),
	    SSL_get_cipher_name(ssl), alpnlen > 0 ? (int)alpnlen : 4,
	    alpnlen > 0 ? (const char *)alpn : "none",
	    SSL_session_reused(ssl) ? "session resumed" : "new session");
	if (cert != NULL) {
		fmt_name(X509_get_subject_name(cert), subj, sizeof(subj));
		fmt_name(X509_get_issuer_name(cert), iss, sizeof(iss));
		fmt_time(X509_get0_notAfter(cert), until, sizeof(until));
		fmt_sans(cert, sans, sizeof(sans));
		hecat__stage_step(st, "certificate: subject %s, issuer %s, "
		    "notAfter %s%s%s", subj, iss, until,
		    sans[0] != '\0' ? ", SAN " : "", sans);
	}
	if (c->verify && SSL_get0_dane_authority(ssl, NULL, NULL) >= 0) {
		uint8_t u = 0, s = 0, m = 0;

		SSL_get0_dane_tlsa(ssl, &u, &s, &m, NULL, NULL);
		hecat__stage_step(st, "verified: DANE-%s (TLSA %u %u %u of %s)",
		    u == 3 ? "EE" : u == 2 ? "TA" : u == 1 ? "PKIX-EE" :
		    "PKIX-TA", u, s, m, c->dane_qname);
	} else if (c->verify)
		hecat__stage_step(st, "verified: CA (%s) for %s%s",
		    c->ca != NULL ? c->ca : "the system's store", c->name,
		    c->dane_qname == NULL ? "" : c->ndane > 0 ?
		    " (no TLSA record usable)" : " (no secure TLSA record)");
	else if (vr == X509_V_OK && cert != NULL)
		hecat__stage_step(st, "not verified (verification off); it "
		    "would have passed for %s", c->name);
	else {
		if (cert == NULL)
			snprintf(why, sizeof(why), "no certificate");
		else
			verify_reason(ssl, vr, why, sizeof(why));
		hecat__stage_step(st, "NOT verified (verification off): %s",
		    why);
	}
}

/* The handshake failed: why, in one line. */
static enum hecat__stage_rc
tls_failed(struct hecat__stage *st, SSL *ssl, int e)
{
	char buf[HECAT__STAGE_DETAILLEN];
	const char *r;
	long vr = SSL_get_verify_result(ssl);

	if (st->tlsconf->verify && vr != X509_V_OK) {
		if (st->detail[0] == '\0')	/* verify_cb said nothing */
			verify_reason(ssl, vr, st->detail, sizeof(st->detail));
		return hecat__stage_fail(st, EKEYREJECTED, NULL);
	}
	st->detail[0] = '\0';
	if (e == SSL_ERROR_SYSCALL && errno != 0)
		return hecat__stage_fail(st, errno, NULL);
	if (e == SSL_ERROR_SYSCALL || e == SSL_ERROR_ZERO_RETURN ||
	    ERR_GET_REASON(ERR_peek_last_error()) ==
	    SSL_R_UNEXPECTED_EOF_WHILE_READING)
		return hecat__stage_fail(st, ECONNABORTED,
		    "the server closed the connection in the handshake");
	r = ssl_reason();
	if (strncmp(r, "sslv3 alert ", 12) == 0 ||
	    strncmp(r, "tlsv1 alert ", 12) == 0)
		snprintf(buf, sizeof(buf), "the server refused: alert \"%s\"",
		    r + 12);
	else if (strncmp(r, "tlsv13 alert ", 13) == 0)
		snprintf(buf, sizeof(buf), "the server refused: alert \"%s\"",
		    r + 13);
	else if (ERR_GET_REASON(ERR_peek_last_error()) ==
	    SSL_R_WRONG_VERSION_NUMBER)
		snprintf(buf, sizeof(buf), "the server does not speak TLS "
		    "(%s)", r);
	else
		snprintf(buf, sizeof(buf), "handshake failed: %s", r);
	return hecat__stage_fail(st, EPROTO, buf);
}

/* One step of the handshake; the first sends the ClientHello. */
static enum hecat__stage_rc
handshake(struct hecat__stage *st, bool first)
{
	struct hecat__tls *c = st->tlsconf;
	SSL *ssl = st->tls;
	int r, e, saved;

	ERR_clear_error();
	errno = 0;
	r = SSL_do_handshake(ssl);
	if (first) {
		saved = errno;
		hecat__stage_step(st, "ClientHello sent%s%s%s%s",
		    c->name_ip ? "" : ", SNI ", c->name_ip ? "" : c->name,
		    c->alpnlen > 0 ? ", ALPN offered" : "",
		    c->verify ? "" : ", verification off");
		errno = saved;
	}
	if (r == 1) {
		SSL_set_app_data(ssl, NULL);	/* st is the slot's */
		tell_done(st, ssl);
		return HECAT__STAGE_DONE;
	}
	e = SSL_get_error(ssl, r);
	if (e == SSL_ERROR_WANT_READ)
		return HECAT__STAGE_WANT_READ;
	if (e == SSL_ERROR_WANT_WRITE)
		return HECAT__STAGE_WANT_WRITE;
	return tls_failed(st, ssl, e);
}

static enum hecat__stage_rc
tls_ready(struct hecat__stage *st)
{
	return handshake(st, false);
}

static enum hecat__stage_rc
tls_start(struct hecat__stage *st)
{
	struct hecat__tls *c = st->tlsconf;
	bool dane;
	SSL *ssl;

	if (!ctx_make(c))
		return hecat__stage_fail(st, EINVAL, "cannot be set up");
	if (c->dane_bogus)
		return hecat__stage_fail(st, EKEYREJECTED, "DANE: the TLSA "
		    "records did not validate (DNSSEC bogus)");
	ERR_clear_error();
	if ((ssl = SSL_new(c->ctx)) == NULL)
		return hecat__stage_fail(st, ENOMEM, NULL);
	st->tls = ssl;
	SSL_set_app_data(ssl, st);
	dane = c->verify && dane_add(c, ssl) > 0;
	if (SSL_set_fd(ssl, st->fd) != 1 ||
	    (!c->name_ip && SSL_set_tlsext_host_name(ssl, c->name) != 1) ||
	    (!dane && !c->name_ip && SSL_set1_host(ssl, c->name) != 1) ||
	    (c->name_ip && X509_VERIFY_PARAM_set1_ip_asc(
	    SSL_get0_param(ssl), c->name) != 1))
		return hecat__stage_fail(st, EINVAL, ssl_reason());
	SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	SSL_set_connect_state(ssl);
	return handshake(st, true);
}

const struct hecat__stage_ops hecat__stage_tls = {
	HECAT_STAGE_TLS,
	tls_start,
	tls_ready,
	NULL
};

/* The banner stage through TLS: the first byte of data, peeked. */
enum hecat__stage_rc
hecat__tls_peek(struct hecat__stage *st)
{
	char c;
	int r, e;

	ERR_clear_error();
	errno = 0;
	if ((r = SSL_peek(st->tls, &c, 1)) > 0)
		return HECAT__STAGE_DONE;
	e = SSL_get_error(st->tls, r);
	if (e == SSL_ERROR_WANT_READ)
		return HECAT__STAGE_WANT_READ;
	if (e == SSL_ERROR_WANT_WRITE)
		return HECAT__STAGE_WANT_WRITE;
	if (e == SSL_ERROR_SYSCALL && errno != 0)
		return hecat__stage_fail(st, errno, NULL);
	if (e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL ||
	    ERR_GET_REASON(ERR_peek_last_error()) ==
	    SSL_R_UNEXPECTED_EOF_WHILE_READING)
		return hecat__stage_fail(st, ECONNABORTED,
		    "closed before sending a byte");
	return hecat__stage_fail(st, EPROTO, ssl_reason());
}
