/*
 * tlsbench.c - the TLS ends bench/tls.sh builds: one OpenSSL server that
 * every client tool meets the same way, a raw TLS client with no relay
 * and no pipe, and a first-byte timer.
 *
 *   tlsbench sink portfile cert key
 *		listen on 127.0.0.1 (port 0, written to portfile), take one
 *		TLS connection, read it to EOF and discard; print
 *		"bytes cipher version end" (end: close_notify or eof)
 *   tlsbench source portfile cert key bytes
 *		likewise, but send bytes zero bytes, then close_notify;
 *		print "bytes cipher version sent cpu"
 *   tlsbench hello portfile cert key
 *		serve TLS connections one after the other until killed:
 *		"hello\n" right after each handshake, then close_notify
 *   tlsbench send addr port ca bytes
 *		connect to addr (numeric IPv4), verify against ca, write
 *		bytes zero bytes straight from memory, close_notify: the
 *		"raw" row's up
 *   tlsbench recv addr port ca
 *		likewise, read to close_notify and discard; print the bytes:
 *		the "raw" row's down
 *   tlsbench count
 *		read stdin to EOF; print the bytes (the down consumer)
 *   tlsbench first cmd [args...]
 *		run cmd (stdin /dev/null, stdout a pipe), print the
 *		microseconds from just before fork to its first byte of
 *		output, the bytes and its exit status; the rest is drained
 *
 * The server side offers TLS 1.3 with TLS_AES_256_GCM_SHA384 only, so
 * every client negotiates that or fails.  Plaintext moves in 1 MiB
 * SSL_read_ex/SSL_write_ex calls (OpenSSL makes 16 KiB records).  Every
 * mode gives up after 10 minutes (alarm), so none is left behind.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#define CHUNK	(1024 * 1024)

static char buf[CHUNK];

static void
die(const char *what)
{
	fprintf(stderr, "tlsbench: %s: %s\n", what,
	    errno != 0 ? strerror(errno) : "failed");
	ERR_print_errors_fp(stderr);
	exit(1);
}

static void
usage(void)
{
	fprintf(stderr, "usage: tlsbench sink portfile cert key\n"
	    "       tlsbench source portfile cert key bytes\n"
	    "       tlsbench hello portfile cert key\n"
	    "       tlsbench send addr port ca bytes\n"
	    "       tlsbench recv addr port ca\n"
	    "       tlsbench count\n"
	    "       tlsbench first cmd [args...]\n");
	exit(64);
}

static unsigned long long
number(const char *s)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s)
		usage();
	return n;
}

/* The server's context: TLS 1.3, one cipher suite, cert and key. */
static SSL_CTX *
server_ctx(const char *cert, const char *key)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL ||
	    !SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) ||
	    !SSL_CTX_set_ciphersuites(ctx, "TLS_AES_256_GCM_SHA384") ||
	    SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
		die("server context");
	/* No tickets: every client gets the same full handshake. */
	SSL_CTX_set_num_tickets(ctx, 0);
	return ctx;
}

/* Listen on 127.0.0.1, port 0; write the port to portfile (rename). */
static int
listen_port(const char *portfile)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char tmp[4096];
	FILE *fp;
	int l, one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((l = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		die("socket");
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(l, 16) == -1 ||
	    getsockname(l, (struct sockaddr *)&sin, &len) == -1)
		die("listen");
	snprintf(tmp, sizeof(tmp), "%s.tmp", portfile);
	if ((fp = fopen(tmp, "w")) == NULL)
		die(tmp);
	fprintf(fp, "%u\n", ntohs(sin.sin_port));
	if (fclose(fp) != 0 || rename(tmp, portfile) == -1)
		die(portfile);
	return l;
}

/* Accept one connection on l and shake hands; NULL if that failed. */
static SSL *
accept_tls(SSL_CTX *ctx, int l)
{
	SSL *ssl;
	int c;

	while ((c = accept(l, NULL, NULL)) == -1)
		if (errno != EINTR)
			die("accept");
	if ((ssl = SSL_new(ctx)) == NULL || !SSL_set_fd(ssl, c))
		die("SSL_new");
	if (SSL_accept(ssl) != 1) {
		ERR_clear_error();
		SSL_free(ssl);
		close(c);
		return NULL;
	}
	return ssl;
}

/*
 * Close: close_notify, SHUT_WR, then read the socket to EOF (5 s at
 * most), so that no unread byte turns the close into a reset.
 */
static void
close_tls(SSL *ssl)
{
	struct timeval tv = { 5, 0 };
	int fd = SSL_get_fd(ssl);

	SSL_shutdown(ssl);
	ERR_clear_error();
	shutdown(fd, SHUT_WR);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	SSL_free(ssl);
	close(fd);
}

/* Read ssl to its end; returns the bytes, *end says how it ended. */
static unsigned long long
drain_tls(SSL *ssl, const char **end)
{
	unsigned long long total = 0;
	size_t n;

	for (;;) {
		if (SSL_read_ex(ssl, buf, sizeof(buf), &n) == 1) {
			total += n;
			continue;
		}
		switch (SSL_get_error(ssl, 0)) {
		case SSL_ERROR_ZERO_RETURN:
			*end = "close_notify";
			break;
		default:
			*end = "eof";	/* without close_notify */
			break;
		}
		ERR_clear_error();
		return total;
	}
}

/* Write n zero bytes to ssl; returns 0, or -1. */
static int
fill_tls(SSL *ssl, unsigned long long n)
{
	size_t k, w;

	while (n > 0) {
		k = n < sizeof(buf) ? (size_t)n : sizeof(buf);
		if (SSL_write_ex(ssl, buf, k, &w) != 1)
			return -1;
		n -= w;
	}
	return 0;
}

static int
serve(int argc, char *argv[])
{
	const char *end = "sent";
	unsigned long long n = 0;
	size_t w;
	struct rusage ru;
	char cipher[64], version[16];
	SSL_CTX *ctx;
	SSL *ssl;
	int l;

	if (argc != (strcmp(argv[1], "source") == 0 ? 6 : 5))
		usage();
	ctx = server_ctx(argv[3], argv[4]);
	l = listen_port(argv[2]);
	alarm(600);
	if (strcmp(argv[1], "hello") == 0) {
		signal(SIGPIPE, SIG_IGN);
		for (;;) {
			if ((ssl = accept_tls(ctx, l)) == NULL)
				continue;
			SSL_write_ex(ssl, "hello\n", 6, &w);
			close_tls(ssl);
		}
	}
	if ((ssl = accept_tls(ctx, l)) == NULL)
		die("handshake");
	close(l);
	snprintf(cipher, sizeof(cipher), "%s", SSL_get_cipher_name(ssl));
	snprintf(version, sizeof(version), "%s", SSL_get_version(ssl));
	if (strcmp(argv[1], "sink") == 0)
		n = drain_tls(ssl, &end);
	else if (fill_tls(ssl, n = number(argv[5])) == -1)
		die("SSL_write");
	close_tls(ssl);
	getrusage(RUSAGE_SELF, &ru);
	printf("%llu %s %s %s %.3f\n", n, cipher, version, end,
	    ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
	SSL_CTX_free(ctx);
	return 0;
}

/* The raw client: connect, verify against ca, send or receive. */
static int
client(int argc, char *argv[])
{
	struct sockaddr_in sin;
	const char *end;
	SSL_CTX *ctx;
	SSL *ssl;
	int s, up = strcmp(argv[1], "send") == 0;

	if (argc != (up ? 6 : 5))
		usage();
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)number(argv[3]));
	if (inet_pton(AF_INET, argv[2], &sin.sin_addr) != 1)
		usage();
	alarm(600);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    connect(s, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		die("connect");
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    SSL_CTX_load_verify_locations(ctx, argv[4], NULL) != 1)
		die("client context");
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if ((ssl = SSL_new(ctx)) == NULL || !SSL_set_fd(ssl, s) ||
	    !X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), argv[2]) ||
	    SSL_connect(ssl) != 1)
		die("handshake");
	if (up) {
		if (fill_tls(ssl, number(argv[5])) == -1)
			die("SSL_write");
	} else
		printf("%llu\n", drain_tls(ssl, &end));
	SSL_shutdown(ssl);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(s);
	return 0;
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Time cmd from just before fork to its first byte on stdout. */
static int
first(int argc, char *argv[])
{
	unsigned long long total = 0;
	double t0, t1 = 0;
	ssize_t n;
	pid_t pid;
	int p[2], st, fd;

	if (argc < 3)
		usage();
	alarm(60);
	if (pipe(p) == -1)
		die("pipe");
	t0 = now_us();
	if ((pid = fork()) == -1)
		die("fork");
	if (pid == 0) {
		if ((fd = open("/dev/null", O_RDONLY)) == -1 ||
		    dup2(fd, 0) == -1 || dup2(p[1], 1) == -1)
			_exit(127);
		close(p[0]);
		close(p[1]);
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], buf, sizeof(buf))) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		if (total == 0)
			t1 = now_us();
		total += (unsigned long long)n;
	}
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			die("waitpid");
	printf("%.0f %llu %d\n", total > 0 ? t1 - t0 : -1.0, total,
	    WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc < 2)
		usage();
	if (strcmp(argv[1], "sink") == 0 || strcmp(argv[1], "source") == 0 ||
	    strcmp(argv[1], "hello") == 0)
		return serve(argc, argv);
	if (strcmp(argv[1], "send") == 0 || strcmp(argv[1], "recv") == 0)
		return client(argc, argv);
	if (strcmp(argv[1], "first") == 0)
		return first(argc, argv);
	if (strcmp(argv[1], "count") == 0 && argc == 2) {
		unsigned long long total = 0;
		ssize_t n;

		while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
			if (n == -1 && errno != EINTR)
				die("read");
			if (n > 0)
				total += (unsigned long long)n;
		}
		printf("%llu\n", total);
		return 0;
	}
	usage();
	return 64;
}
