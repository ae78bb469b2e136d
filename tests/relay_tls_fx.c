/*
 * relay_tls_fx.c - the ground check_relay_tls.c's tests stand on (see
 * relay_tls_fx.h): the TLS parts, on top of relay_fx.c's descriptors
 * and relay thread.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "relay.h"
#include "testutil.h"
#include "relay_fx.h"
#include "relay_tls_fx.h"

/* ---- data: gen_fill's stream, made and checked a block at a time ------ */

void
stream_init(struct stream *s, uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	s->seed = seed;
	s->pos = BLOCK;
}

/* The next n bytes of the stream (n <= BLOCK), at *p. */
size_t
stream_next(struct stream *s, const unsigned char **p, size_t n)
{
	if (s->pos == BLOCK) {
		gen_fill(&s->seed, s->blk, BLOCK);
		s->pos = 0;
	}
	if (n > BLOCK - s->pos)
		n = BLOCK - s->pos;
	*p = s->blk + s->pos;
	return n;
}

void
stream_skip(struct stream *s, size_t n)
{
	s->pos += n;
	s->done += n;
}

/* Whether data[0..len) is what the stream has next (and take it). */
bool
stream_check(struct stream *s, const unsigned char *data, size_t len)
{
	const unsigned char *p;
	size_t k;

	while (len > 0) {
		k = stream_next(s, &p, len);
		if (memcmp(p, data, k) != 0)
			return false;
		stream_skip(s, k);
		data += k;
		len -= k;
	}
	return true;
}

/* ---- TLS: a self-signed server, a client that does not verify ---------- */

SSL_CTX *
server_ctx(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	EVP_PKEY *pk = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *nm;

	ck_assert(ctx != NULL && pk != NULL && x != NULL);
	ck_assert_int_eq(X509_set_version(x, 2), 1);
	ck_assert_int_eq(ASN1_INTEGER_set(X509_get_serialNumber(x), 1), 1);
	ck_assert(X509_gmtime_adj(X509_getm_notBefore(x), -3600) != NULL);
	ck_assert(X509_gmtime_adj(X509_getm_notAfter(x), 3600) != NULL);
	ck_assert_int_eq(X509_set_pubkey(x, pk), 1);
	nm = X509_get_subject_name(x);
	ck_assert_int_eq(X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC,
	    (const unsigned char *)"localhost", -1, -1, 0), 1);
	ck_assert_int_eq(X509_set_issuer_name(x, nm), 1);
	ck_assert_int_gt(X509_sign(x, pk, EVP_sha256()), 0);
	ck_assert_int_eq(SSL_CTX_use_certificate(ctx, x), 1);
	ck_assert_int_eq(SSL_CTX_use_PrivateKey(ctx, pk), 1);
	X509_free(x);
	EVP_PKEY_free(pk);
	return ctx;
}

/* One step of a handshake; true when done, else *ev what it waits for. */
bool
hs_step(SSL *s, bool client, short *ev)
{
	int rc = client ? SSL_connect(s) : SSL_accept(s), err;

	*ev = 0;
	if (rc == 1)
		return true;
	err = SSL_get_error(s, rc);
	ck_assert_msg(err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE,
	    "handshake: SSL error %d", err);
	*ev = err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
	return false;
}

/* Both sides' handshake, on the non-blocking sockets, within 5 s. */
void
handshake(SSL *c, int cfd, SSL *s, int sfd)
{
	struct pollfd p[2];
	double end = tu_now_ms() + 5000.0 * SLOW;
	bool cd = false, sd = false;

	while (!cd || !sd) {
		p[0].fd = cfd;
		p[1].fd = sfd;
		p[0].revents = p[1].revents = 0;
		p[0].events = p[1].events = 0;
		if (!cd)
			cd = hs_step(c, true, &p[0].events);
		if (!sd)
			sd = hs_step(s, false, &p[1].events);
		if (cd && sd)
			break;
		ck_assert_msg(tu_now_ms() < end, "no handshake within 5 s");
		(void)poll(p, 2, 100);
	}
}

/* ---- fixture ------------------------------------------------------------ */

/*
 * Connect, handshake, pipes for stdin and stdout, the relay given the
 * client's SSL; not started.
 */
void
tls_fx_init(struct fx *fx, int bufsz, bool read_ahead)
{
	fx_init(fx, K_PIPE, K_PIPE, bufsz);
	fx->sctx = server_ctx();
	fx->cctx = SSL_CTX_new(TLS_client_method());
	ck_assert(fx->cctx != NULL);
	SSL_CTX_set_verify(fx->cctx, SSL_VERIFY_NONE, NULL);
	fx->c = SSL_new(fx->cctx);
	fx->s = SSL_new(fx->sctx);
	ck_assert(fx->c != NULL && fx->s != NULL);
	ck_assert_int_eq(SSL_set_fd(fx->c, fx->sock), 1);
	ck_assert_int_eq(SSL_set_fd(fx->s, fx->peer), 1);
	if (read_ahead)
		SSL_set_read_ahead(fx->c, 1);
	handshake(fx->c, fx->sock, fx->s, fx->peer);
	fx->rn.o.tls = fx->c;
}

/* ---- the server's side -------------------------------------------------- */

/* What SSL_get_error says after rc: the poll event to wait for, or 0. */
short
srv_want(SSL *s, int rc, int *err)
{
	*err = SSL_get_error(s, rc);
	if (*err == SSL_ERROR_WANT_READ)
		return POLLIN;
	if (*err == SSL_ERROR_WANT_WRITE)
		return POLLOUT;
	return 0;
}

/* The server writes all of buf, within 5 s. */
void
srv_put(struct fx *fx, const void *buf, size_t len)
{
	const char *p = buf;
	size_t n;
	short ev;
	int rc, err;

	while (len > 0) {
		rc = SSL_write_ex(fx->s, p, len, &n);
		if (rc == 1) {
			p += n;
			len -= n;
			continue;
		}
		ev = srv_want(fx->s, rc, &err);
		ck_assert_msg(ev != 0, "server SSL_write: error %d", err);
		ck_assert_msg(wait_fd(fx->peer, ev, 5000),
		    "server SSL_write: stuck for 5 s");
	}
}


/*
 * The server reads into buf up to cap - 1 bytes (NUL-terminated), until
 * the client's close_notify, an error, or ms (times SLOW).  *got says how
 * many bytes; the return value why it stopped (SRV_MORE: cap reached).
 */
enum srv_end
srv_get(struct fx *fx, char *buf, size_t cap, int ms, size_t *got)
{
	double end = tu_now_ms() + ms * SLOW;
	enum srv_end how = SRV_MORE;
	size_t n;
	short ev;
	int rc, err;

	*got = 0;
	while (*got < cap - 1) {
		rc = SSL_read_ex(fx->s, buf + *got, cap - 1 - *got, &n);
		if (rc == 1) {
			*got += n;
			continue;
		}
		ev = srv_want(fx->s, rc, &err);
		if (err == SSL_ERROR_ZERO_RETURN) {
			how = SRV_NOTIFY;
			break;
		}
		if (ev == 0) {
			how = SRV_ERROR;
			ERR_clear_error();
			break;
		}
		if (tu_now_ms() >= end ||
		    !wait_fd(fx->peer, ev, (int)(end - tu_now_ms()) + 1)) {
			how = SRV_TIMEOUT;
			break;
		}
	}
	buf[*got] = '\0';
	return how;
}

/* After the client's close_notify: TCP's EOF follows within 2 s. */
void
srv_expect_tcp_eof(struct fx *fx)
{
	char c;

	ck_assert_msg(wait_fd(fx->peer, POLLIN, 2000), "no TCP EOF in 2 s");
	ck_assert_int_eq(read(fx->peer, &c, 1), 0);
}

/* The server's close_notify (one SSL_shutdown, room assumed). */
void
srv_close_notify(struct fx *fx)
{
	ck_assert_int_ge(SSL_shutdown(fx->s), 0);
}
