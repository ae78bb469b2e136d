/*
 * check_tls.c - the TLS stage on real loopback sockets, against a real
 * OpenSSL server in a thread of the test (its certificates made in
 * memory at the start): a verified session handed to the caller, the
 * reasons a handshake fails, the race until usable (a silent IPv6 server
 * loses to a TLS one on IPv4), TLS on the winner alone after the race
 * (race_until TCP), the banner read through TLS, a dial cancelled while
 * its winner shakes hands, and what the options refuse.
 *
 * Schedules are judged from the trace's own timestamps, relative to the
 * event that starts them; upper bounds stretch with HECAT_TEST_SLOWDOWN.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "check_main.h"
#include "hecat.h"
#include "testutil.h"

#define WAIT_MS		5000	/* the most any dial here may take */
#define GREETING	"hello through TLS\n"

static struct tu_env E;

#define SKIP_WITHOUT_IPV6() do {					\
	if (!tu_have_ipv6()) {						\
		fprintf(stderr, "SKIP %s: ::1 unavailable\n", __func__);\
		return;							\
	}								\
} while (0)

static const char *const dual_rules[] = { "dual.test AAAA ::1",
    "dual.test A 127.0.0.1", NULL };

/* ---- certificates ------------------------------------------------------------ */

/* A self-signed certificate for localhost, 127.0.0.1 and ::1. */
struct cert {
	EVP_PKEY	*key;
	X509		*x;
	char		 path[64];	/* its PEM, the client's CA file */
};

static void
cert_make(struct cert *c, long not_after_s)
{
	X509_NAME *name;
	X509_EXTENSION *ext;
	X509V3_CTX v3;
	FILE *f;
	int fd;

	ck_assert_ptr_nonnull(c->key = EVP_EC_gen("P-256"));
	ck_assert_ptr_nonnull(c->x = X509_new());
	X509_set_version(c->x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c->x), 1);
	X509_gmtime_adj(X509_getm_notBefore(c->x), -2 * 86400);
	X509_gmtime_adj(X509_getm_notAfter(c->x), not_after_s);
	X509_set_pubkey(c->x, c->key);
	name = X509_get_subject_name(c->x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"localhost", -1, -1, 0);
	X509_set_issuer_name(c->x, name);
	X509V3_set_ctx(&v3, c->x, c->x, NULL, NULL, 0);
	ck_assert_ptr_nonnull(ext = X509V3_EXT_conf_nid(NULL, &v3,
	    NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1"));
	X509_add_ext(c->x, ext, -1);
	X509_EXTENSION_free(ext);
	ck_assert_int_gt(X509_sign(c->x, c->key, EVP_sha256()), 0);
	snprintf(c->path, sizeof(c->path), "/tmp/check_tls.XXXXXX");
	ck_assert_int_ne(fd = mkstemp(c->path), -1);
	ck_assert_ptr_nonnull(f = fdopen(fd, "w"));
	ck_assert_int_eq(PEM_write_X509(f, c->x), 1);
	ck_assert_int_eq(fclose(f), 0);
}

static void
cert_free(struct cert *c)
{
	unlink(c->path);
	X509_free(c->x);
	EVP_PKEY_free(c->key);
}

/* ---- a TLS server in a thread ----------------------------------------------------- */

enum serve {
	SERVE_ECHO,		/* handshake, then echo until EOF */
	SERVE_GREET,		/* ... after sending GREETING */
	SERVE_SILENT		/* accept TCP, never answer */
};

struct tlsd {
	pthread_t	 th;
	int		 lfd;
	int		 stop[2];	/* a pipe: readable once it must end */
	enum serve	 how;
	SSL_CTX		*ctx;
	int		 held[8];	/* SILENT's connections */
	size_t		 nheld;
};

/* One connection, served blocking, each wait bounded by a timeout. */
static void
serve_one(struct tlsd *s, int c)
{
	struct timeval tv = { 5, 0 };
	char buf[4096];
	SSL *ssl;
	int n;

	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if ((ssl = SSL_new(s->ctx)) == NULL || SSL_set_fd(ssl, c) != 1 ||
	    SSL_accept(ssl) != 1)
		goto out;
	if (s->how == SERVE_GREET &&
	    SSL_write(ssl, GREETING, (int)strlen(GREETING)) <= 0)
		goto out;
	while ((n = SSL_read(ssl, buf, sizeof(buf))) > 0)
		if (SSL_write(ssl, buf, n) != n)
			break;
	SSL_shutdown(ssl);
out:
	SSL_free(ssl);
	close(c);
}

static void *
tlsd_main(void *arg)
{
	struct tlsd *s = arg;
	struct pollfd p[2];
	int c, i;

	for (i = 0; i < 32; i++) {		/* bounded: 32 connections */
		p[0].fd = s->lfd;
		p[0].events = POLLIN;
		p[1].fd = s->stop[0];
		p[1].events = POLLIN;
		if (poll(p, 2, WAIT_MS) <= 0 || p[1].revents != 0)
			break;
		if ((c = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC)) == -1)
			continue;
		fcntl(c, F_SETFL, fcntl(c, F_GETFL) & ~O_NONBLOCK);
		if (s->how == SERVE_SILENT && s->nheld < 8)
			s->held[s->nheld++] = c;
		else if (s->how == SERVE_SILENT)
			close(c);
		else
			serve_one(s, c);
	}
	return NULL;
}

static void
tlsd_up(struct tlsd *s, int lfd, enum serve how, const struct cert *c)
{
	memset(s, 0, sizeof(*s));
	s->lfd = lfd;
	s->how = how;
	ck_assert_int_eq(pipe2(s->stop, O_CLOEXEC), 0);
	ck_assert_ptr_nonnull(s->ctx = SSL_CTX_new(TLS_server_method()));
	ck_assert_int_eq(SSL_CTX_use_certificate(s->ctx, c->x), 1);
	ck_assert_int_eq(SSL_CTX_use_PrivateKey(s->ctx, c->key), 1);
	ck_assert_int_eq(pthread_create(&s->th, NULL, tlsd_main, s), 0);
}

static void
tlsd_down(struct tlsd *s)
{
	size_t i;

	ck_assert_int_eq(write(s->stop[1], "x", 1), 1);
	pthread_join(s->th, NULL);
	for (i = 0; i < s->nheld; i++)
		close(s->held[i]);
	close(s->stop[0]);
	close(s->stop[1]);
	SSL_CTX_free(s->ctx);
}

/* ---- dials --------------------------------------------------------------------- */

/* TLS options for td, trusting c alone, for the name localhost. */
static void
tls_opts(struct hecat_opts *o, struct tu_dial *td, const struct cert *c)
{
	tu_opts(o, td);
	o->tls = 1;
	o->race_until = HECAT_STAGE_TLS;
	o->tls_ca_file = c->path;
	o->tls_name = "localhost";
}

static void
dial(struct tu_dial *td, struct hecat_opts *o, const char *host)
{
	uint16_t port = E.port;

	ck_assert_ptr_nonnull(hecat_connect(E.h, host, &port, 1, o,
	    tu_dial_cb, td));
	ck_assert_msg(tu_run_until(E.base, &td->done, WAIT_MS),
	    "dial to %s did not end", host);
}

/* The winner's session echoes a line, and is closed. */
static void
echo_through(struct tu_dial *td, const char *first)
{
	char buf[64];
	int n;

	ck_assert_ptr_nonnull(td->tls);
	fcntl(td->fd, F_SETFL, fcntl(td->fd, F_GETFL) & ~O_NONBLOCK);
	if (first != NULL) {
		n = SSL_read(td->tls, buf, (int)strlen(first));
		ck_assert_int_eq(n, (int)strlen(first));
		ck_assert(memcmp(buf, first, (size_t)n) == 0);
	}
	ck_assert_int_eq(SSL_write(td->tls, "ping\n", 5), 5);
	ck_assert_int_eq(SSL_read(td->tls, buf, sizeof(buf)), 5);
	ck_assert(memcmp(buf, "ping\n", 5) == 0);
	SSL_shutdown(td->tls);
	SSL_free(td->tls);
	close(td->fd);
}

/* The detail of the n-th step of the TLS stage that starts with prefix. */
static bool
has_step(const struct tu_dial *td, const char *prefix)
{
	size_t i;

	for (i = 0; i < td->nev; i++)
		if (td->ev[i].kind == HECAT_TRACE_STAGE_STEP &&
		    td->ev[i].stage == HECAT_STAGE_TLS &&
		    strncmp(td->ev[i].detail, prefix, strlen(prefix)) == 0)
			return true;
	return false;
}

static const struct tu_event *
start_of(const struct tu_dial *td, size_t n)
{
	const struct tu_event *ev = tu_find(td, HECAT_TRACE_ATTEMPT_START, n);

	ck_assert_msg(ev != NULL, "no attempt %zu", n + 1);
	return ev;
}

/* ---- the tests ---------------------------------------------------------------- */

/* Verified for its name: the session comes with the socket, and works. */
START_TEST(tls_verified)
{
	struct cert c;
	struct tlsd s;
	struct hecat_opts o;
	struct tu_dial td;

	cert_make(&c, 86400);
	tu_env_up(&E, NULL, NULL, NULL, true, false);
	tlsd_up(&s, E.fd4, SERVE_ECHO, &c);
	tls_opts(&o, &td, &c);
	dial(&td, &o, "127.0.0.1");
	ck_assert_msg(td.err == HECAT_OK, "%s", td.message);
	ck_assert(has_step(&td, "ClientHello sent, SNI localhost"));
	ck_assert(has_step(&td, "TLSv1.3 "));
	ck_assert(has_step(&td, "certificate: subject CN=localhost"));
	ck_assert(has_step(&td, "verified: CA ("));
	ck_assert_int_eq(tu_find_end(&td, HECAT_ATTEMPT_CONNECTED, 0)->stage,
	    HECAT_STAGE_TLS);
	echo_through(&td, NULL);
	tlsd_down(&s);
	tu_env_down(&E);
	cert_free(&c);
}
END_TEST

/* An IP literal is checked against the certificate's IP addresses. */
START_TEST(tls_ip_literal)
{
	struct cert c;
	struct tlsd s;
	struct hecat_opts o;
	struct tu_dial td;

	cert_make(&c, 86400);
	tu_env_up(&E, NULL, NULL, NULL, true, false);
	tlsd_up(&s, E.fd4, SERVE_ECHO, &c);
	tls_opts(&o, &td, &c);
	o.tls_name = NULL;
	dial(&td, &o, "127.0.0.1");
	ck_assert_msg(td.err == HECAT_OK, "%s", td.message);
	ck_assert(has_step(&td, "verified: CA ("));
	ck_assert(!has_step(&td, "ClientHello sent, SNI"));
	echo_through(&td, NULL);
	tlsd_down(&s);
	tu_env_down(&E);
	cert_free(&c);
}
END_TEST

/* Another name: the attempt fails in TLS, saying for which name. */
START_TEST(tls_wrong_name)
{
	struct cert c;
	struct tlsd s;
	struct hecat_opts o;
	struct tu_dial td;

	cert_make(&c, 86400);
	tu_env_up(&E, NULL, NULL, NULL, true, false);
	tlsd_up(&s, E.fd4, SERVE_ECHO, &c);
	tls_opts(&o, &td, &c);
	o.tls_name = "other.example";
	dial(&td, &o, "127.0.0.1");
	ck_assert_int_eq(td.err, HECAT_E_CONNECT);
	ck_assert_ptr_null(td.tls);
	ck_assert_uint_eq(td.nfailures, 1);
	ck_assert_int_eq(td.errors[0], EKEYREJECTED);
	ck_assert_int_eq(td.stages[0], HECAT_STAGE_TLS);
	ck_assert_msg(strstr(td.message, "(TLS: certificate is not valid for "
	    "other.example)") != NULL, "message: %s", td.message);
	tlsd_down(&s);
	tu_env_down(&E);
	cert_free(&c);
}
END_TEST

/* Expired: the reason names the date it expired. */
START_TEST(tls_expired)
{
	struct cert c;
	struct tlsd s;
	struct hecat_opts o;
	struct tu_dial td;

	cert_make(&c, -86400);
	tu_env_up(&E, NULL, NULL, NULL, true, false);
	tlsd_up(&s, E.fd4, SERVE_ECHO, &c);
	tls_opts(&o, &td, &c);
	dial(&td, &o, "127.0.0.1");
	ck_assert_int_eq(td.err, HECAT_E_CONNECT);
	ck_assert_msg(strstr(td.message, "(TLS: certificate has expired "
	    "(notAfter 20") != NULL, "message: %s", td.message);
	tlsd_down(&s);
	tu_env_down(&E);
	cert_free(&c);
}
END_TEST

/*
 * The race until usable: IPv6 accepts TCP and never answers TLS; IPv4
 * runs TLS.  IPv4 starts one attempt delay after IPv6, and wins.
 */
START_TEST(tls_race_usable)
{
	struct cert c;
	struct tlsd s6, s4;
	struct hecat_opts o;
	struct tu_dial td;
	double gap;

	SKIP_WITHOUT_IPV6();
	cert_make(&c, 86400);
	tu_env_up(&E, dual_rules, NULL, NULL, true, true);
	tlsd_up(&s6, E.fd6, SERVE_SILENT, &c);
	tlsd_up(&s4, E.fd4, SERVE_ECHO, &c);
	tls_opts(&o, &td, &c);
	dial(&td, &o, "dual.test");
	ck_assert_msg(td.err == HECAT_OK, "%s", td.message);
	ck_assert_int_eq(td.family, AF_INET);
	ck_assert_int_eq(start_of(&td, 0)->family, AF_INET6);
	ck_assert_str_eq(start_of(&td, 1)->reason, "attempt_delay");
	gap = start_of(&td, 1)->ms - tu_ms(&td, HECAT_TRACE_RESOLVE_DONE,
	    AF_INET6, 0);
	ASSERT_BETWEEN(gap, 249, 400, &td);
	ck_assert_int_eq(tu_find_end(&td, HECAT_ATTEMPT_CANCELLED, 0)->stage,
	    HECAT_STAGE_TLS);
	echo_through(&td, NULL);
	tlsd_down(&s4);
	tlsd_down(&s6);
	tu_env_down(&E);
	cert_free(&c);
}
END_TEST

/*
 * Racing until TCP: the silent IPv6 server wins the race at once, TLS
 * runs on it alone, times out there, and the dial fails with it.
 */
START_TEST(tls_after_race_fails)
{
	const struct tu_event *won, *tls, *end;
	struct cert c;
	struct tlsd s6, s4;
	struct hecat_opts o;
	struct tu_dial td;

	SKIP_WITHOUT_IPV6();
	cert_make(&c, 86400);
	tu_env_up(&E, dual_rules, NULL, NULL, true, true);
	tlsd_up(&s6, E.fd6, SERVE_SILENT, &c);
	tlsd_up(&s4, E.fd4, SERVE_ECHO, &c);
	tls_opts(&o, &td, &c);
	o.race_until = HECAT_STAGE_TCP;
	o.stage_timeout_ms = 150;
	dial(&td, &o, "dual.test");
	ck_assert_int_eq(td.err, HECAT_E_CONNECT);
	ck_assert_ptr_null(td.tls);
	ck_assert_ptr_nonnull(won = tu_find_end(&td, HECAT_ATTEMPT_CONNECTED,
	    0));
	ck_assert_int_eq(won->family, AF_INET6);
	ck_assert_int_eq(won->stage, HECAT_STAGE_TCP);
	/* One TLS stage, the winner's, after its race was won. */
	ck_assert_uint_eq(tu_count(&td, HECAT_TRACE_STAGE_START), 1);
	ck_assert_ptr_nonnull(tls = tu_find(&td, HECAT_TRACE_STAGE_START, 0));
	ck_assert_int_eq(tls->stage, HECAT_STAGE_TLS);
	ck_assert(tls->ms >= won->ms);
	ck_assert_ptr_nonnull(end = tu_find_end(&td, HECAT_ATTEMPT_FAILED, 0));
	ck_assert_int_eq(end->stage, HECAT_STAGE_TLS);
	ck_assert_int_eq(end->error, ETIMEDOUT);
	ASSERT_BETWEEN(end->ms - tls->ms, 149, 300, &td);
	ck_assert_msg(strstr(td.message, "(TLS: timed out)") != NULL,
	    "message: %s", td.message);
	tlsd_down(&s4);
	tlsd_down(&s6);
	tu_env_down(&E);
	cert_free(&c);
}
END_TEST

/* Racing until TCP, a healthy winner: TLS after the race, and it works. */
START_TEST(tls_after_race_ok)
{
	struct cert c;
	struct tlsd s;
	struct hecat_opts o;
	struct tu_dial td;

	cert_make(&c, 86400);
	tu_env_up(&E, NULL, NULL, NULL, true, false);
	tlsd_up(&s, E.fd4, SERVE_ECHO, &c);
	tls_opts(&o, &td, &c);
	o.race_until = HECAT_STAGE_TCP;
	dial(&td, &o, "127.0.0.1");
	ck_assert_msg(td.err == HECAT_OK, "%s", td.message);
	ck_assert_int_eq(tu_find_end(&td, HECAT_ATTEMPT_CONNECTED, 0)->stage,
	    HECAT_STAGE_TCP);
	ck_assert(has_step(&td, "verified: CA ("));
	echo_through(&td, NULL);
	tlsd_down(&s);
	tu_env_down(&E);
	cert_free(&c);
}
END_TEST

/* The banner through TLS: peeked, so the session still holds it. */
START_TEST(tls_banner)
{
	struct cert c;
	struct tlsd s;
	struct hecat_opts o;
	struct tu_dial td;

	cert_make(&c, 86400);
	tu_env_up(&E, NULL, NULL, NULL, true, false);
	tlsd_up(&s, E.fd4, SERVE_GREET, &c);
	tls_opts(&o, &td, &c);
	o.race_until = HECAT_STAGE_BANNER;
	dial(&td, &o, "127.0.0.1");
	ck_assert_msg(td.err == HECAT_OK, "%s", td.message);
	ck_assert_int_eq(tu_find_end(&td, HECAT_ATTEMPT_CONNECTED, 0)->stage,
	    HECAT_STAGE_BANNER);
	echo_through(&td, GREETING);
	tlsd_down(&s);
	tu_env_down(&E);
	cert_free(&c);
}
END_TEST

/* Cancelled while the winner shakes hands: nothing left open. */
START_TEST(tls_cancel_after_race)
{
	struct cert c;
	struct tlsd s;
	struct hecat_opts o;
	struct tu_dial td;
	struct hecat_dial *d;
	uint16_t port;
	int fds;

	cert_make(&c, 86400);
	tu_env_up(&E, NULL, NULL, NULL, true, false);
	fds = tu_count_fds();
	tlsd_up(&s, E.fd4, SERVE_SILENT, &c);
	tls_opts(&o, &td, &c);
	o.race_until = HECAT_STAGE_TCP;
	port = E.port;
	ck_assert_ptr_nonnull(d = hecat_connect(E.h, "127.0.0.1", &port, 1,
	    &o, tu_dial_cb, &td));
	tu_run_for(E.base, 100);
	ck_assert(!td.done);
	ck_assert_uint_eq(tu_count(&td, HECAT_TRACE_STAGE_START), 1);
	hecat_dial_cancel(d);
	ck_assert(!td.done);
	tlsd_down(&s);		/* and the server's end */
	ck_assert_int_eq(tu_count_fds(), fds);
	tu_env_down(&E);
	cert_free(&c);
}
END_TEST

/* A CA file that does not load fails the dial, not the attempt. */
START_TEST(tls_bad_ca_file)
{
	struct cert c;
	struct tlsd s;
	struct hecat_opts o;
	struct tu_dial td;
	char *junk;

	cert_make(&c, 86400);
	ck_assert_ptr_nonnull(junk = tu_tempfile("not a certificate\n"));
	tu_env_up(&E, NULL, NULL, NULL, true, false);
	tlsd_up(&s, E.fd4, SERVE_ECHO, &c);
	tls_opts(&o, &td, &c);
	o.tls_ca_file = junk;
	dial(&td, &o, "127.0.0.1");
	ck_assert_int_eq(td.err, HECAT_E_INVAL);
	ck_assert_msg(strstr(td.message, "TLS: cannot use CA file ") != NULL,
	    "message: %s", td.message);
	tlsd_down(&s);
	tu_env_down(&E);
	unlink(junk);
	free(junk);
	cert_free(&c);
}
END_TEST

/* What the options refuse. */
START_TEST(tls_opts_refused)
{
	struct hecat_opts o;
	struct tu_dial td;
	uint16_t port = 9;

	tu_env_up(&E, NULL, NULL, NULL, false, false);
	tu_opts(&o, &td);
	o.race_until = HECAT_STAGE_TLS;		/* without tls */
	errno = 0;
	ck_assert_ptr_null(hecat_connect(E.h, "127.0.0.1", &port, 1, &o,
	    tu_dial_cb, &td));
	ck_assert_int_eq(errno, EINVAL);
	tu_opts(&o, &td);
	o.tls = 1;
	o.tls_key_file = "/nonexistent";	/* a key without a cert */
	ck_assert_ptr_null(hecat_connect(E.h, "127.0.0.1", &port, 1, &o,
	    tu_dial_cb, &td));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_str_eq(hecat_stage_name(HECAT_STAGE_TLS), "tls");
	tu_env_down(&E);
}
END_TEST

static Suite *
tls_suite(void)
{
	Suite *s = suite_create("tls");
	TCase *tc = tcase_create("tls");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, tls_verified);
	tcase_add_test(tc, tls_ip_literal);
	tcase_add_test(tc, tls_wrong_name);
	tcase_add_test(tc, tls_expired);
	tcase_add_test(tc, tls_race_usable);
	tcase_add_test(tc, tls_after_race_fails);
	tcase_add_test(tc, tls_after_race_ok);
	tcase_add_test(tc, tls_banner);
	tcase_add_test(tc, tls_cancel_after_race);
	tcase_add_test(tc, tls_bad_ca_file);
	tcase_add_test(tc, tls_opts_refused);
	suite_add_tcase(s, tc);
	return s;
}

const struct check_def check_def = { tls_suite, check_ignore_sigpipe };
