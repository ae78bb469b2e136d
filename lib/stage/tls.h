/*
 * tls.h - a dial's TLS setup (OpenSSL): the options copied, the name the
 * server must prove, and the context every attempt's session comes from,
 * made once the dial's first queries (or SYN) are out: loading a CA
 * store costs milliseconds, better spent while the network answers.
 */
#ifndef HECAT_TLS_H
#define HECAT_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include "hecat.h"
#include "stage.h"

struct hecat__tls;

/*
 * The setup for o (o->tls set) and name, the host as dialled (a DNS name
 * or an IP literal, bracketed or with a %zone) unless o->tls_name says
 * otherwise.  NULL: out of memory.
 */
struct hecat__tls *hecat__tls_new(const struct hecat_opts *o,
	    const char *name);
void	hecat__tls_free(struct hecat__tls *);

/*
 * Make the OpenSSL context now (CA store, client certificate), rather
 * than at the first TLS stage: called once the dial's first packets are
 * out, so that the milliseconds it takes overlap the network's.
 */
void	hecat__tls_prepare(struct hecat__tls *);

/*
 * Why the setup cannot be used (a file that would not load), once an
 * attempt tried; NULL while it can.  hecat__tls_broken_err() says whose
 * fault: HECAT_E_INVAL (the options') or HECAT_E_SYSTEM (OpenSSL could
 * not be loaded).
 */
const char *hecat__tls_broken(const struct hecat__tls *);
int	hecat__tls_broken_err(const struct hecat__tls *);

/* The banner stage's look through st->tls for the first byte of data. */
enum hecat__stage_rc hecat__tls_peek(struct hecat__stage *st);

/*
 * DANE (RFC 6698, 7671): the dial asked for the name's TLSA records;
 * until hecat__tls_dane() has their answer, hecat__tls_waiting() and the
 * TLS stages wait.  status: an enum hecat_dns_status (OK only when
 * secure; BOGUS fails every handshake); the usable records replace the
 * CA store as the verifier of record.
 */
struct hecat__tlsa;
/* qname NULL: DANE is off after all. */
void	hecat__tls_await_dane(struct hecat__tls *, const char *qname);
/* The name the server must prove, or NULL when it is an IP address. */
const char *hecat__tls_name(const struct hecat__tls *);
void	hecat__tls_dane(struct hecat__tls *, int status,
	    const struct hecat__tlsa *recs, size_t n);
bool	hecat__tls_waiting(const struct hecat__tls *);

/* An attempt's session (SSL *), when it is not handed on. */
void	hecat__tls_session_free(void *ssl);

#endif /* HECAT_TLS_H */
