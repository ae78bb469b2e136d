/*
 * relay_tls_fx.c - the ground check_relay_tls.c's tests stand on (see
 * relay_tls_fx.h).
 */
#include "config.h"
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include "relay.h"
#include "testutil.h"
#include "relay_tls_fx.h"

/* ---- data: a xorshift64* stream, made and checked a block at a time ---- */


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
	uint64_t v;
	size_t i;

	if (s->pos == BLOCK) {
		for (i = 0; i < BLOCK; i += 8) {
			s->seed ^= s->seed >> 12;
			s->seed ^= s->seed << 25;
			s->seed ^= s->seed >> 27;
			v = s->seed * 0x2545f4914f6cdd1dULL;
			memcpy(s->blk + i, &v, 8);
		}
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

/* ---- descriptors -------------------------------------------------------- */

void
set_nonblock(int fd)
{
	ck_assert_int_ne(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK),
	    -1);
}

void
xclose(int *fd)
{
	if (*fd != -1)
		close(*fd);
	*fd = -1;
}

/*
 * A loopback TCP connection: *a for the relay, *b the server's, both
 * non-blocking.  bufsz > 0 limits b's receive and a's send buffer.
 */
void
tcp_pair(int *a, int *b, int bufsz)
{
	struct sockaddr_in sin;
	uint16_t port;
	int l = tu_listen("127.0.0.1", 0, &port);

	ck_assert_int_ge(l, 0);
	if (bufsz > 0)
		ck_assert_int_eq(setsockopt(l, SOL_SOCKET, SO_RCVBUF, &bufsz,
		    sizeof(bufsz)), 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*a = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(*a, 0);
	if (bufsz > 0)
		ck_assert_int_eq(setsockopt(*a, SOL_SOCKET, SO_SNDBUF, &bufsz,
		    sizeof(bufsz)), 0);
	ck_assert_int_eq(connect(*a, (struct sockaddr *)&sin, sizeof(sin)), 0);
	set_nonblock(*a);
	*b = accept4(l, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	ck_assert_int_ge(*b, 0);
	close(l);
}

/* Wait up to ms (times SLOW) for events on fd; true if they came. */
bool
wait_fd(int fd, short events, int ms)
{
	struct pollfd p = { fd, events, 0 };
	double end = tu_now_ms() + ms * SLOW;
	int n;

	for (;;) {
		n = poll(&p, 1, (int)(end - tu_now_ms()) + 1);
		if (n == 1)
			return true;
		if ((n == 0 || errno != EINTR) && tu_now_ms() >= end)
			return false;
	}
}

/* Write all of s to the non-blocking fd, within 2 s. */
void
put(int fd, const void *s, size_t len)
{
	const char *p = s;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else {
			ck_assert_msg(n == -1 && errno == EAGAIN,
			    "write: %s", strerror(errno));
			ck_assert_msg(wait_fd(fd, POLLOUT, 2000),
			    "write: no room within 2 s");
		}
	}
}

/*
 * Read from the non-blocking fd into buf until EOF, cap - 1 bytes, or ms
 * (times SLOW).  Returns the bytes read (buf NUL-terminated); *eof says
 * whether EOF was read.
 */
size_t
get(int fd, char *buf, size_t cap, int ms, bool *eof)
{
	double end = tu_now_ms() + ms * SLOW;
	size_t got = 0;
	ssize_t n;

	*eof = false;
	while (got < cap - 1) {
		n = read(fd, buf + got, cap - 1 - got);
		if (n > 0)
			got += (size_t)n;
		else if (n == 0) {
			*eof = true;
			break;
		} else {
			ck_assert_msg(errno == EAGAIN, "read: %s",
			    strerror(errno));
			if (tu_now_ms() >= end ||
			    !wait_fd(fd, POLLIN, (int)(end - tu_now_ms()) + 1))
				break;
		}
	}
	buf[got] = '\0';
	return got;
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

/* ---- the relay in a thread ---------------------------------------------- */



void
record(enum relay_event ev, const char *detail, void *arg)
{
	struct run *rn = arg;

	if (rn->nev == MAXEV)
		return;
	rn->ev[rn->nev] = ev;
	snprintf(rn->detail[rn->nev], sizeof(rn->detail[0]), "%s",
	    detail != NULL ? detail : "(null)");
	rn->nev++;
}

void *
run_main(void *arg)
{
	struct run *rn = arg;
	char c = 0;

	rn->status = relay(rn->sock, rn->in, rn->out, &rn->o, &rn->res);
	rn->t_end = tu_now_ms();
	if (write(rn->done[1], &c, 1) != 1)
		abort();
	return NULL;
}

void
run_start(struct run *rn)
{
	ck_assert_int_eq(pthread_create(&rn->th, NULL, run_main, rn), 0);
	rn->started = true;
}

bool
run_wait(struct run *rn, int ms)
{
	if (!rn->started)
		return true;
	if (!wait_fd(rn->done[0], POLLIN, ms))
		return false;
	pthread_join(rn->th, NULL);
	rn->started = false;
	return true;
}

/* Stop the relay the way a signal would (a signalfd_siginfo on sigfd). */
void
fake_signal(struct run *rn, int sig)
{
	struct signalfd_siginfo si;

	memset(&si, 0, sizeof(si));
	si.ssi_signo = (uint32_t)sig;
	ck_assert_int_eq(write(rn->abort[1], &si, sizeof(si)),
	    (ssize_t)sizeof(si));
}

/* relay() must return within ms (times SLOW). */
void
run_end(struct run *rn, int ms)
{
	if (!run_wait(rn, ms)) {
		fake_signal(rn, SIGTERM);
		(void)run_wait(rn, 5000);
		ck_abort_msg("relay did not end within %d ms", ms * SLOW);
	}
	ck_assert_int_eq(rn->status, rn->res.status);
}

int
ev_index(const struct run *rn, enum relay_event ev)
{
	size_t i;

	for (i = 0; i < rn->nev; i++)
		if (rn->ev[i] == ev)
			return (int)i;
	return -1;
}

const char *
ev_detail(const struct run *rn, enum relay_event ev)
{
	int i = ev_index(rn, ev);

	return i == -1 ? "(no such event)" : rn->detail[i];
}

/* CPU time the relay's thread has used, in ms. */
double
run_cpu_ms(const struct run *rn)
{
	struct timespec ts;
	clockid_t cid;

	ck_assert_int_eq(pthread_getcpuclockid(rn->th, &cid), 0);
	ck_assert_int_eq(clock_gettime(cid, &ts), 0);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The relay, still running, waits 300 ms using < 30 ms of CPU. */
void
assert_waits_quietly(struct run *rn)
{
	double cpu = run_cpu_ms(rn);

	ck_assert_msg(!run_wait(rn, 300), "the relay ended");
	cpu = run_cpu_ms(rn) - cpu;
	ck_assert_msg(cpu < 30.0 * SLOW, "busy: %.1f ms of CPU in 300 ms",
	    cpu);
}

/* ---- fixture ------------------------------------------------------------ */


void
make_pipe(bool relay_reads, int *relay_end, int *t)
{
	int p[2];

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	*relay_end = relay_reads ? p[0] : p[1];
	*t = relay_reads ? p[1] : p[0];
	set_nonblock(*t);	/* the relay's end stays blocking */
}

/*
 * An unlinked temporary file: returns a descriptor on it open with flags,
 * and in *rfd another one, read-only, with its own offset.
 */
int
temp_fd(int flags, int *rfd)
{
	char path[] = "/tmp/hecat-relaytls-XXXXXX";
	int fd = mkstemp(path), wfd;

	ck_assert_int_ge(fd, 0);
	*rfd = open(path, O_RDONLY | O_CLOEXEC);
	wfd = open(path, flags | O_CLOEXEC);
	unlink(path);
	close(fd);
	ck_assert_int_ge(*rfd, 0);
	ck_assert_int_ge(wfd, 0);
	return wfd;
}

/* Connect, handshake, pipes for stdin and stdout; the relay not started. */
void
fx_init(struct fx *fx, int bufsz, bool read_ahead)
{
	memset(fx, 0, sizeof(*fx));
	fx->nfds = tu_count_fds();
	tcp_pair(&fx->sock, &fx->peer, bufsz);
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
	make_pipe(true, &fx->in, &fx->in_w);
	make_pipe(false, &fx->out, &fx->out_r);

	fx->rn.sock = fx->sock;
	fx->rn.in = fx->in;
	fx->rn.out = fx->out;
	ck_assert_int_eq(pipe2(fx->rn.done, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(fx->rn.abort, O_CLOEXEC), 0);
	fx->rn.o.quit_ms = -1;
	fx->rn.o.idle_ms = -1;
	fx->rn.o.sigfd = fx->rn.abort[0];
	fx->rn.o.tls = fx->c;
	fx->rn.o.event = record;
	fx->rn.o.arg = &fx->rn;
}

/* Swap stdin and/or stdout's pipes for regular files. */
void
fx_files(struct fx *fx, bool in, bool out)
{
	if (in) {
		xclose(&fx->in);
		xclose(&fx->in_w);
		fx->in_w = temp_fd(O_WRONLY, &fx->in);
		fx->rn.in = fx->in;
	}
	if (out) {
		xclose(&fx->out);
		xclose(&fx->out_r);
		fx->out = temp_fd(O_WRONLY, &fx->out_r);
		fx->rn.out = fx->out;
	}
}

void
fx_free(struct fx *fx)
{
	ck_assert_msg(!fx->rn.started, "relay still running");
	if (HAS(&fx->rn, RELAY_STDOUT_CLOSED) &&
	    strcmp(ev_detail(&fx->rn, RELAY_STDOUT_CLOSED), "peer eof") == 0) {
		errno = 0;
		ck_assert_msg(fcntl(fx->out, F_GETFD) == -1 && errno == EBADF,
		    "the relay did not close stdout at peer EOF");
		fx->out = -1;
	}
	ck_assert_int_ne(fcntl(fx->sock, F_GETFD), -1);
	SSL_free(fx->c);
	SSL_free(fx->s);
	SSL_CTX_free(fx->cctx);
	SSL_CTX_free(fx->sctx);
	xclose(&fx->sock);
	xclose(&fx->peer);
	xclose(&fx->in);
	xclose(&fx->in_w);
	xclose(&fx->out);
	xclose(&fx->out_r);
	xclose(&fx->rn.done[0]);
	xclose(&fx->rn.done[1]);
	xclose(&fx->rn.abort[0]);
	xclose(&fx->rn.abort[1]);
	ck_assert_int_eq(tu_count_fds(), fx->nfds);
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
