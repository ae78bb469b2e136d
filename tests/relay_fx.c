/*
 * relay_fx.c - the relay's test ground (see relay_fx.h): what
 * check_relay.c and check_relay_tls.c both stand on.
 *
 * Every helper fails the test (ck_assert) rather than return an error,
 * and every wait is a poll(2) with a deadline stretched by SLOW.
 */
#include "config.h"

#include <sys/signalfd.h>
#include <sys/socket.h>
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

#include <openssl/ssl.h>

#include "relay.h"
#include "testutil.h"
#include "relay_fx.h"

/* ---- data: a xorshift64* stream ----------------------------------------- */

/* The next n bytes of the stream whose state is *s, at p. */
void
gen_fill(uint64_t *s, unsigned char *p, size_t n)
{
	uint64_t v;
	size_t k;

	while (n > 0) {
		*s ^= *s >> 12;
		*s ^= *s << 25;
		*s ^= *s >> 27;
		v = *s * 0x2545f4914f6cdd1dULL;
		k = n < 8 ? n : 8;
		memcpy(p, &v, k);
		p += k;
		n -= k;
	}
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
 * A loopback TCP connection: *a (for the relay, non-blocking as relay.h
 * wants) and *b (the peer, non-blocking).  bufsz > 0 limits the peer's
 * receive buffer and a's send buffer (no autotuning).
 */
void
tcp_pair(int *a, int *b, int bufsz)
{
	struct sockaddr_in sin;
	uint16_t port;
	int l = tu_listen("127.0.0.1", 0, &port);

	ck_assert_int_ge(l, 0);
	if (bufsz > 0)		/* accepted sockets inherit it */
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
 * (times SLOW).  Returns the bytes read (buf is NUL-terminated); *eof
 * says whether EOF was read.
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

/* Two connected descriptors; the test's end (*t) is non-blocking. */
void
make_ends(enum kind k, bool relay_reads, int *relay_end, int *t)
{
	int p[2];

	if (k == K_PIPE)
		ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	else
		ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC,
		    0, p), 0);
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
	char path[] = "/tmp/hecat-relay-XXXXXX";
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

/* ---- the relay in a thread ---------------------------------------------- */

/* The relay's opts->event: keep the first MAXEV events, in order. */
void
record(enum relay_event ev, const char *detail, void *arg)
{
	struct run *rn = arg;

	if (detail == NULL)
		rn->null_detail = true;
	if (rn->nev == MAXEV)
		return;
	rn->ev[rn->nev] = ev;
	snprintf(rn->detail[rn->nev], sizeof(rn->detail[0]), "%s",
	    detail != NULL ? detail : "(null)");
	rn->nev++;
}

static void *
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

/*
 * A run of relay(sock, in, out) with no quit or idle timeout, the abort
 * pipe as its sigfd, and record() taking its events; not started.
 */
void
run_init(struct run *rn, int sock, int in, int out)
{
	memset(rn, 0, sizeof(*rn));
	rn->sock = sock;
	rn->in = in;
	rn->out = out;
	ck_assert_int_eq(pipe2(rn->done, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(rn->abort, O_CLOEXEC), 0);
	rn->o.quit_ms = -1;
	rn->o.idle_ms = -1;
	rn->o.sigfd = rn->abort[0];
	rn->o.event = record;
	rn->o.arg = rn;
}

void
run_start(struct run *rn)
{
	ck_assert_int_eq(pthread_create(&rn->th, NULL, run_main, rn), 0);
	rn->started = true;
}

/* Whether relay() returns within ms (times SLOW); joins it if so. */
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

/*
 * relay() must return within ms (times SLOW), having given every event a
 * detail.  If it does not, it is stopped as by SIGTERM (when its sigfd
 * is still the abort pipe) before the test fails.
 */
void
run_end(struct run *rn, int ms)
{
	if (!run_wait(rn, ms)) {
		if (rn->o.sigfd == rn->abort[0]) {
			fake_signal(rn, SIGTERM);
			(void)run_wait(rn, 5000);
		}
		ck_abort_msg("relay did not end within %d ms", ms * SLOW);
	}
	ck_assert_msg(!rn->null_detail, "an event had a NULL detail");
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

/* The n events evs[] happened, in this order. */
void
ev_order(const struct run *rn, const enum relay_event *evs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		ck_assert_msg(HAS(rn, evs[i]), "event %d missing", evs[i]);
		if (i > 0)
			ck_assert_int_lt(ev_index(rn, evs[i - 1]),
			    ev_index(rn, evs[i]));
	}
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

/*
 * The relay, still running, waits 300 ms without using the CPU (< 30 ms
 * of it): no busy loop on a level-triggered event.
 */
void
assert_waits_quietly(struct run *rn)
{
	double cpu = run_cpu_ms(rn);

	ck_assert_msg(!run_wait(rn, 300), "the relay ended");
	cpu = run_cpu_ms(rn) - cpu;
	ck_assert_msg(cpu < 30.0 * SLOW, "busy: %.1f ms of CPU in 300 ms",
	    cpu);
}

/* ---- fixture: the relay's descriptors and the test's other ends --------- */

/* A TCP pair, stdin's and stdout's ends; the relay not started. */
void
fx_init(struct fx *fx, enum kind kin, enum kind kout, int bufsz)
{
	memset(fx, 0, sizeof(*fx));
	fx->nfds = tu_count_fds();
	tcp_pair(&fx->sock, &fx->peer, bufsz);
	make_ends(kin, true, &fx->in, &fx->in_w);
	make_ends(kout, false, &fx->out, &fx->out_r);
	run_init(&fx->rn, fx->sock, fx->in, fx->out);
}

/* Swap stdin and/or stdout's ends for regular files. */
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

/*
 * Close what is left; no descriptor may have leaked or gone missing.  At
 * peer EOF the relay closes stdout (unless stdout is stdin too); it
 * closes neither the socket nor stdin.
 */
void
fx_free(struct fx *fx)
{
	struct run *rn = &fx->rn;

	ck_assert_msg(!rn->started, "relay still running");
	if (HAS(rn, RELAY_STDOUT_CLOSED) && strcmp(ev_detail(rn,
	    RELAY_STDOUT_CLOSED), "peer eof") == 0 && rn->out != rn->in) {
		errno = 0;
		ck_assert_msg(fcntl(fx->out, F_GETFD) == -1 && errno == EBADF,
		    "the relay did not close stdout at peer EOF");
		fx->out = -1;
	}
	ck_assert_int_ne(fcntl(fx->sock, F_GETFD), -1);
	ck_assert_int_ne(fcntl(fx->in, F_GETFD), -1);
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
	xclose(&rn->done[0]);
	xclose(&rn->done[1]);
	xclose(&rn->abort[0]);
	xclose(&rn->abort[1]);
	ck_assert_int_eq(tu_count_fds(), fx->nfds);
}
