/*
 * check_relay_tls.c - the relay (cmd/relay.c) over TLS (opts->tls).
 *
 * Each test dials a loopback TCP connection (127.0.0.1, port 0), does a
 * TLS 1.3 handshake on it in-process (the server's certificate is
 * self-signed, made at run time; the client does not verify, which is
 * the library's job), hands relay() the client's SSL in a thread, and
 * plays the server from the test with a non-blocking SSL, poll(2) and
 * deadlines; stdin and stdout are pipes or regular files.  Nothing
 * waits with sleep(); a wait that must time out is a bounded poll.
 *
 * HECAT_TEST_SLOWDOWN=N divides the bulk sizes by N and stretches the
 * upper bounds of the timing windows (see tu_slowdown() in testutil.c).
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

#include "check_main.h"
#include "relay.h"
#include "testutil.h"
#include "relay_fx.h"
#include "relay_tls_fx.h"

/* ---- the tests ---------------------------------------------------------- */

/* Whether stdin's and stdout's pipes have grown to 1 MiB (relay_copy.c). */
static bool
pipes_grown(const struct fx *fx)
{
	ck_assert_int_eq(fcntl(fx->in, F_GETPIPE_SZ), 1 << 20);
	ck_assert_int_eq(fcntl(fx->out_r, F_GETPIPE_SZ), 1 << 20);
	return true;
}

/*
 * 8 MiB each way at once, checked byte by byte at both ends: pipes
 * (_i 0), regular files (_i 1), pipes and small socket buffers, so that
 * SSL_write waits for the socket mid-record and the relay's write buffer
 * for the socket (_i 2).  Then stdin's EOF -> close_notify -> the server
 * answers it with its own -> status 0.  The pipes grow to 1 MiB while the
 * relay runs and get their sizes back after.
 */
START_TEST(bulk_8mib_both_ways)
{
	static unsigned char buf[BLOCK], back[BLOCK];
	struct fx fx;
	struct stream up_tx, up_rx, down_tx, down_rx;
	struct pollfd p[3];
	uint64_t len = 8ULL * 1024 * 1024 / (uint64_t)SLOW;
	double end;
	const unsigned char *d;
	bool files = _i == 1, srv_notified = false, srv_closed = false,
	    out_eof = false, in_done = false, grown = false;
	int in_size = -1, out_size = -1;
	short srd = POLLIN, swr = POLLOUT;
	size_t n, k;
	ssize_t w;
	int rc, err;

	tls_fx_init(&fx, _i == 2 ? 16384 : 0, false);
	stream_init(&up_tx, 11);
	stream_init(&up_rx, 11);
	stream_init(&down_tx, 22);
	stream_init(&down_rx, 22);
	if (files) {
		fx_files(&fx, true, true);
		while (up_tx.done < len) {
			k = stream_next(&up_tx, &d, (size_t)(len - up_tx.done));
			ck_assert_int_eq(write(fx.in_w, d, k), (ssize_t)k);
			stream_skip(&up_tx, k);
		}
		in_done = true;
	} else {
		in_size = fcntl(fx.in, F_GETPIPE_SZ);
		out_size = fcntl(fx.out_r, F_GETPIPE_SZ);
		ck_assert_int_lt(in_size, 1 << 20);
	}
	run_start(&fx.rn);
	end = tu_now_ms() + 30000.0 * SLOW;
	while (!(srv_closed && (files || out_eof)) ||
	    (files && fx.rn.started && !run_wait(&fx.rn, 0))) {
		ck_assert_msg(tu_now_ms() < end, "bulk: not done in 30 s "
		    "(up %llu, down %llu)", (unsigned long long)up_rx.done,
		    (unsigned long long)down_tx.done);
		/* stdin */
		if (!in_done) {
			k = stream_next(&up_tx, &d, (size_t)(len - up_tx.done));
			w = write(fx.in_w, d, k);
			if (w > 0)
				stream_skip(&up_tx, (size_t)w);
			if (up_tx.done == len) {
				xclose(&fx.in_w);
				in_done = true;
			}
		}
		/* the server reads */
		if (!srv_notified) {
			rc = SSL_read_ex(fx.s, buf, sizeof(buf), &n);
			if (rc == 1) {
				ck_assert_msg(stream_check(&up_rx, buf, n),
				    "up: wrong bytes at %llu",
				    (unsigned long long)up_rx.done);
				/* Data came through: the relay is set up. */
				if (!files && !grown)
					grown = pipes_grown(&fx);
			} else {
				srd = srv_want(fx.s, rc, &err);
				if (err == SSL_ERROR_ZERO_RETURN)
					srv_notified = true;
				else
					ck_assert_msg(srd != 0,
					    "server read: error %d", err);
			}
		}
		/* the server writes */
		if (down_tx.done < len) {
			k = stream_next(&down_tx, &d,
			    (size_t)(len - down_tx.done));
			if (k > 16384)
				k = 16384;
			rc = SSL_write_ex(fx.s, d, k, &n);
			if (rc == 1)
				stream_skip(&down_tx, n);
			else {
				swr = srv_want(fx.s, rc, &err);
				ck_assert_msg(swr != 0,
				    "server write: error %d", err);
			}
		} else if (srv_notified && !srv_closed) {
			srv_close_notify(&fx);
			srv_closed = true;
		}
		/* stdout */
		if (!files && !out_eof) {
			w = read(fx.out_r, back, sizeof(back));
			if (w > 0)
				ck_assert_msg(stream_check(&down_rx, back,
				    (size_t)w), "down: wrong bytes at %llu",
				    (unsigned long long)down_rx.done);
			else if (w == 0)
				out_eof = true;
		}
		p[0].fd = in_done ? -1 : fx.in_w;
		p[0].events = POLLOUT;
		p[1].fd = fx.peer;
		p[1].events = (short)((srv_notified ? 0 : srd) |
		    (down_tx.done < len ? swr : 0));
		p[2].fd = files || out_eof ? -1 : fx.out_r;
		p[2].events = POLLIN;
		p[0].revents = p[1].revents = p[2].revents = 0;
		(void)poll(p, 3, 20);
	}
	run_end(&fx.rn, 5000);
	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert_uint_eq(up_rx.done, len);
	ck_assert_uint_eq(fx.rn.res.sent, len);
	ck_assert_uint_eq(fx.rn.res.received, len);
	ck_assert(!fx.rn.res.spliced_up && !fx.rn.res.spliced_down);
	ck_assert_str_eq(ev_detail(&fx.rn, RELAY_START),
	    "up=copy down=copy socket=tls");
	ck_assert_str_eq(ev_detail(&fx.rn, RELAY_SHUTDOWN_WR), "close_notify");
	ck_assert_str_eq(ev_detail(&fx.rn, RELAY_STDOUT_CLOSED), "peer eof");
	if (files) {
		/* The file holds the server's stream, whole. */
		for (n = 0; (w = pread(fx.out_r, back, sizeof(back),
		    (off_t)n)) > 0; n += (size_t)w)
			ck_assert(stream_check(&down_rx, back, (size_t)w));
	}
	ck_assert_uint_eq(down_rx.done, len);
	if (!files) {
		ck_assert(grown);
		ck_assert_int_eq(fcntl(fx.in, F_GETPIPE_SZ), in_size);
		ck_assert_int_eq(fcntl(fx.out_r, F_GETPIPE_SZ), out_size);
	}
	fx_free(&fx);
}
END_TEST

/*
 * stdin's EOF: the server reads the data, then close_notify, then TCP's
 * EOF; it can still send, and the client gets it; its close_notify then
 * ends the relay, status 0, stdout closed.
 */
START_TEST(stdin_eof_sends_close_notify_then_reads_on)
{
	struct fx fx;
	char buf[256];
	size_t got;
	bool eof;

	tls_fx_init(&fx, 0, false);
	run_start(&fx.rn);
	put(fx.in_w, "request\n", 8);
	xclose(&fx.in_w);
	ck_assert_int_eq(srv_get(&fx, buf, sizeof(buf), 2000, &got),
	    SRV_NOTIFY);
	ck_assert_str_eq(buf, "request\n");
	srv_expect_tcp_eof(&fx);
	SRV_PUTS(&fx, "reply after close_notify\n");
	ck_assert_uint_eq(get(fx.out_r, buf, 26, 2000, &eof), 25);
	ck_assert_str_eq(buf, "reply after close_notify\n");
	ck_assert(!run_wait(&fx.rn, 0));
	srv_close_notify(&fx);
	get(fx.out_r, buf, sizeof(buf), 2000, &eof);
	ck_assert(eof);
	run_end(&fx.rn, 2000);
	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert_ptr_null(fx.rn.res.where);
	ck_assert_str_eq(fx.rn.res.reason, "");
	ck_assert_uint_eq(fx.rn.res.sent, 8);
	ck_assert_uint_eq(fx.rn.res.received, 25);
	ck_assert(HAS(&fx.rn, RELAY_SHUTDOWN_WR));
	ck_assert_int_lt(ev_index(&fx.rn, RELAY_SHUTDOWN_WR),
	    ev_index(&fx.rn, RELAY_PEER_EOF));
	ck_assert_str_eq(ev_detail(&fx.rn, RELAY_STDOUT_CLOSED), "peer eof");
	fx_free(&fx);
}
END_TEST

/*
 * The server's close_notify while stdin is open: the relay ends, status
 * 0, stdout closed after the data; and it answers with its own
 * close_notify (a clean end), which the server reads.
 */
START_TEST(server_close_notify_ends_relay)
{
	struct fx fx;
	char buf[64];
	size_t got;
	bool eof;

	tls_fx_init(&fx, 0, false);
	run_start(&fx.rn);
	SRV_PUTS(&fx, "bye\n");
	srv_close_notify(&fx);
	ck_assert_uint_eq(get(fx.out_r, buf, sizeof(buf), 2000, &eof), 4);
	ck_assert_str_eq(buf, "bye\n");
	ck_assert(eof);
	run_end(&fx.rn, 2000);
	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert_uint_eq(fx.rn.res.received, 4);
	ck_assert(HAS(&fx.rn, RELAY_PEER_EOF));
	ck_assert(!HAS(&fx.rn, RELAY_STDIN_EOF));
	ck_assert_int_eq(srv_get(&fx, buf, sizeof(buf), 2000, &got),
	    SRV_NOTIFY);
	ck_assert_uint_eq(got, 0);
	fx_free(&fx);
}
END_TEST

/*
 * TCP's EOF without close_notify is a truncation: status 74, "socket",
 * EPROTO, the reason says so; what came before it is on stdout, which
 * is not closed as at an EOF.
 */
START_TEST(tcp_eof_without_close_notify_is_truncation)
{
	struct fx fx;
	char buf[64], want[160];
	bool eof;

	tls_fx_init(&fx, 0, false);
	run_start(&fx.rn);
	SRV_PUTS(&fx, "partial");
	ck_assert_uint_eq(get(fx.out_r, buf, 8, 2000, &eof), 7);
	ck_assert_int_eq(shutdown(fx.peer, SHUT_WR), 0);
	run_end(&fx.rn, 2000);
	ck_assert_int_eq(fx.rn.status, 74);
	ck_assert_str_eq(fx.rn.res.where, "socket");
	ck_assert_int_eq(fx.rn.res.error, EPROTO);
	ck_assert_str_eq(fx.rn.res.reason, "TLS: connection closed without "
	    "close_notify (truncated)");
	snprintf(want, sizeof(want), "socket: %s", fx.rn.res.reason);
	ck_assert_str_eq(ev_detail(&fx.rn, RELAY_ERROR), want);
	ck_assert(!HAS(&fx.rn, RELAY_PEER_EOF));
	ck_assert(!HAS(&fx.rn, RELAY_STDOUT_CLOSED));
	ck_assert_uint_eq(fx.rn.res.received, 7);
	/* No close_notify after an error: the server sees only the EOF. */
	fx_free(&fx);
}
END_TEST

/* Bytes that are not TLS: 74, "socket", EPROTO, "TLS: " and a reason. */
START_TEST(garbage_is_tls_error)
{
	struct fx fx;

	tls_fx_init(&fx, 0, false);
	run_start(&fx.rn);
	put(fx.peer, "this is no TLS record at all\r\n\r\n", 32);
	run_end(&fx.rn, 2000);
	ck_assert_int_eq(fx.rn.status, 74);
	ck_assert_str_eq(fx.rn.res.where, "socket");
	ck_assert_int_eq(fx.rn.res.error, EPROTO);
	ck_assert_msg(strncmp(fx.rn.res.reason, "TLS: ", 5) == 0 &&
	    strlen(fx.rn.res.reason) > 5 &&
	    strchr(fx.rn.res.reason, '\n') == NULL, "reason: %s",
	    fx.rn.res.reason);
	fx_free(&fx);
}
END_TEST

/* A reset is ECONNRESET, as without TLS. */
START_TEST(reset_is_econnreset)
{
	struct fx fx;
	struct linger lg = { 1, 0 };
	char buf[16];
	bool eof;

	tls_fx_init(&fx, 0, false);
	run_start(&fx.rn);
	SRV_PUTS(&fx, "pong");
	ck_assert_uint_eq(get(fx.out_r, buf, 5, 2000, &eof), 4);
	ck_assert_int_eq(setsockopt(fx.peer, SOL_SOCKET, SO_LINGER, &lg,
	    sizeof(lg)), 0);
	xclose(&fx.peer);
	run_end(&fx.rn, 2000);
	ck_assert_int_eq(fx.rn.status, 74);
	ck_assert_str_eq(fx.rn.res.where, "socket");
	ck_assert_int_eq(fx.rn.res.error, ECONNRESET);
	ck_assert_str_eq(fx.rn.res.reason, strerror(ECONNRESET));
	fx_free(&fx);
}
END_TEST

/*
 * OpenSSL's buffered plaintext: the server sends 14 records in one burst
 * and then nothing.  The relay reads ahead (OpenSSL takes what the
 * socket has, several records at once), so the socket can be empty
 * while OpenSSL still holds whole records: they must reach stdout
 * although poll sees nothing more to read.  A relay that waits for poll
 * after each SSL_read fails here.  _i 0 and 1: records of 4,000 bytes,
 * the relay's buffer never full; 2 and 3: 10,000 bytes with stdout a
 * pipe nobody reads until the burst is sent (the relay full, a record
 * half-read, its rest held by OpenSSL).  Odd _i: stdout a regular file
 * (for 2 and 3: read when the relay has written it all).  Then the relay
 * waits quietly (no spin on what OpenSSL holds).
 */
START_TEST(pending_records_are_read)
{
	static char data[140000 + 1], back[140000 + 1];
	size_t rec = _i < 2 ? 4000 : 10000, len = 14 * rec, i;
	struct fx fx;
	struct stat st;
	double end;
	bool eof;

	for (i = 0; i < len; i++)
		data[i] = (char)('a' + i % 23);
	tls_fx_init(&fx, 0, false);
	if (_i % 2 == 1)
		fx_files(&fx, false, true);
	run_start(&fx.rn);
	for (i = 0; i < len; i += rec)
		srv_put(&fx, data + i, rec);
	if (_i % 2 == 0) {
		ck_assert_uint_eq(get(fx.out_r, back, len + 1, 2000, &eof),
		    len);
		ck_assert(!eof);
	} else {
		end = tu_now_ms() + 2000.0 * SLOW;
		do {
			ck_assert_int_eq(fstat(fx.out_r, &st), 0);
			if (st.st_size == (off_t)len)
				break;
			(void)wait_fd(fx.rn.done[0], POLLIN, 5);
		} while (tu_now_ms() < end);
		ck_assert_int_eq(st.st_size, (off_t)len);
		ck_assert_int_eq(pread(fx.out_r, back, len, 0), (ssize_t)len);
	}
	ck_assert_mem_eq(back, data, len);
	assert_waits_quietly(&fx.rn);
	ck_assert_uint_eq(fx.rn.res.received, len);
	srv_close_notify(&fx);
	run_end(&fx.rn, 2000);
	ck_assert_int_eq(fx.rn.status, 0);
	fx_free(&fx);
}
END_TEST

/*
 * -q: stdin's EOF, the server answers and stays silent: the relay ends
 * quit_ms after the answer, status 0, the answer on stdout.
 */
START_TEST(quit_timer_after_answer)
{
	struct fx fx;
	char buf[64];
	size_t got;
	double t0;
	bool eof;

	tls_fx_init(&fx, 0, false);
	fx.rn.o.quit_ms = 200;
	run_start(&fx.rn);
	put(fx.in_w, "q\n", 2);
	xclose(&fx.in_w);
	ck_assert_int_eq(srv_get(&fx, buf, sizeof(buf), 2000, &got),
	    SRV_NOTIFY);
	t0 = tu_now_ms();
	SRV_PUTS(&fx, "answer\n");
	ck_assert_uint_eq(get(fx.out_r, buf, 8, 2000, &eof), 7);
	run_end(&fx.rn, 2000);
	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert(HAS(&fx.rn, RELAY_QUIT_TIMER));
	ck_assert_double_ge(fx.rn.t_end - t0, 200.0);
	ck_assert_double_le(fx.rn.t_end - t0, tu_upper(200, 1200));
	/* A clean end: the server gets nothing more, no error. */
	fx_free(&fx);
}
END_TEST

/* The idle timeout: nothing either way for idle_ms ends it, status 0. */
START_TEST(idle_timeout)
{
	struct fx fx;
	char buf[16];
	bool eof;
	double t0;

	tls_fx_init(&fx, 0, false);
	fx.rn.o.idle_ms = 200;
	run_start(&fx.rn);
	SRV_PUTS(&fx, "hi");
	t0 = tu_now_ms();
	ck_assert_uint_eq(get(fx.out_r, buf, 3, 2000, &eof), 2);
	run_end(&fx.rn, 2000);
	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert(HAS(&fx.rn, RELAY_IDLE_TIMEOUT));
	ck_assert_double_ge(fx.rn.t_end - t0, 190.0);
	ck_assert_double_le(fx.rn.t_end - t0, tu_upper(200, 1200));
	fx_free(&fx);
}
END_TEST

/*
 * send_only: what the server sends is read (counted) and dropped; stdin's
 * EOF sends close_notify and ends the relay.
 */
START_TEST(send_only)
{
	struct fx fx;
	char buf[64];
	size_t got;

	tls_fx_init(&fx, 0, false);
	fx.rn.o.send_only = true;
	run_start(&fx.rn);
	SRV_PUTS(&fx, "dropped");
	put(fx.in_w, "upload", 6);
	xclose(&fx.in_w);
	ck_assert_int_eq(srv_get(&fx, buf, sizeof(buf), 2000, &got),
	    SRV_NOTIFY);
	ck_assert_str_eq(buf, "upload");
	srv_expect_tcp_eof(&fx);
	run_end(&fx.rn, 2000);
	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert(HAS(&fx.rn, RELAY_SEND_DONE));
	ck_assert_uint_eq(fx.rn.res.sent, 6);
	ck_assert_uint_le(fx.rn.res.received, 7);
	ck_assert_int_eq(read(fx.out_r, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, EAGAIN);
	fx_free(&fx);
}
END_TEST

/* no_stdin: stdin is never read; the server's data and EOF end it. */
START_TEST(no_stdin)
{
	struct fx fx;
	char buf[64];
	bool eof;
	int unread = 0;

	tls_fx_init(&fx, 0, false);
	fx.rn.o.no_stdin = true;
	put(fx.in_w, "never read", 10);
	run_start(&fx.rn);
	SRV_PUTS(&fx, "down only\n");
	srv_close_notify(&fx);
	ck_assert_uint_eq(get(fx.out_r, buf, sizeof(buf), 2000, &eof), 10);
	ck_assert(eof);
	run_end(&fx.rn, 2000);
	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert_uint_eq(fx.rn.res.sent, 0);
	ck_assert_int_eq(ioctl(fx.in, FIONREAD, &unread), 0);
	ck_assert_int_eq(unread, 10);
	fx_free(&fx);
}
END_TEST

/* no_shutdown: stdin's EOF sends neither close_notify nor SHUT_WR. */
START_TEST(no_shutdown)
{
	struct fx fx;
	char buf[64];
	size_t got;
	bool eof;

	tls_fx_init(&fx, 0, false);
	fx.rn.o.no_shutdown = true;
	run_start(&fx.rn);
	put(fx.in_w, "x", 1);
	xclose(&fx.in_w);
	ck_assert_int_eq(srv_get(&fx, buf, 2, 2000, &got), SRV_MORE);
	ck_assert_int_eq(srv_get(&fx, buf, sizeof(buf), 300, &got),
	    SRV_TIMEOUT);
	ck_assert(!HAS(&fx.rn, RELAY_SHUTDOWN_WR));
	SRV_PUTS(&fx, "still open\n");
	srv_close_notify(&fx);
	ck_assert_uint_eq(get(fx.out_r, buf, sizeof(buf), 2000, &eof), 11);
	run_end(&fx.rn, 2000);
	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert(HAS(&fx.rn, RELAY_STDIN_EOF));
	ck_assert(!HAS(&fx.rn, RELAY_SHUTDOWN_WR));
	fx_free(&fx);
}
END_TEST

/*
 * A signal with stdin's last words already in its pipe (ssh's goodbye,
 * then SIGHUP): the relay ends at once, yet those words reach the server
 * through TLS, followed by close_notify; status 0, res->signal.
 */
START_TEST(signal_flushes_stdin)
{
	struct fx fx;
	char buf[64];
	size_t got;

	tls_fx_init(&fx, 0, false);
	put(fx.in_w, "goodbye", 7);
	fake_signal(&fx.rn, SIGHUP);
	run_start(&fx.rn);
	run_end(&fx.rn, 2000);
	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert_int_eq(fx.rn.res.signal, SIGHUP);
	ck_assert_int_eq(srv_get(&fx, buf, sizeof(buf), 2000, &got),
	    SRV_NOTIFY);
	ck_assert_str_eq(buf, "goodbye");
	ck_assert_uint_eq(fx.rn.res.sent, 7);
	fx_free(&fx);
}
END_TEST

/*
 * stdout's reader gone: status 0, and a clean end for the server too
 * (close_notify).
 */
START_TEST(stdout_gone)
{
	struct fx fx;
	char buf[64];
	size_t got;

	tls_fx_init(&fx, 0, false);
	run_start(&fx.rn);
	xclose(&fx.out_r);
	SRV_PUTS(&fx, "nobody reads this\n");
	run_end(&fx.rn, 2000);
	ck_assert_int_eq(fx.rn.status, 0);
	ck_assert(HAS(&fx.rn, RELAY_STDOUT_CLOSED));
	ck_assert_int_eq(srv_get(&fx, buf, sizeof(buf), 2000, &got),
	    SRV_NOTIFY);
	fx_free(&fx);
}
END_TEST

static Suite *
relay_tls_suite(void)
{
	Suite *s = suite_create("relay_tls");
	TCase *tc;

	tc = tcase_create("eof");
	tcase_add_test(tc, stdin_eof_sends_close_notify_then_reads_on);
	tcase_add_test(tc, server_close_notify_ends_relay);
	tcase_add_test(tc, tcp_eof_without_close_notify_is_truncation);
	tcase_add_test(tc, send_only);
	tcase_add_test(tc, no_stdin);
	tcase_add_test(tc, no_shutdown);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, garbage_is_tls_error);
	tcase_add_test(tc, reset_is_econnreset);
	tcase_add_test(tc, signal_flushes_stdin);
	tcase_add_test(tc, stdout_gone);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);

	tc = tcase_create("timers");
	tcase_add_test(tc, quit_timer_after_answer);
	tcase_add_test(tc, idle_timeout);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);

	tc = tcase_create("bulk");
	tcase_add_loop_test(tc, pending_records_are_read, 0, 4);
	tcase_add_loop_test(tc, bulk_8mib_both_ways, 0, 3);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

const struct check_def check_def = { relay_tls_suite, check_ignore_sigpipe };
