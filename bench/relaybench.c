/*
 * relaybench.c - the driver bench/relay.sh builds: cmd/relay.c's relay
 * between stdin/stdout and a loopback TCP connection, and the bench's
 * own ends, the same for every tool measured.
 *
 *   relaybench relay [-d] [-n] addr port
 *		connect to addr (numeric IPv4) and relay stdin/stdout;
 *		-d: do not read stdin (hecat -d), -n: no splice
 *   relaybench sink portfile
 *		listen on 127.0.0.1 (port 0, written to portfile), take one
 *		connection, read it to EOF and discard; print the bytes
 *   relaybench source portfile bytes
 *		likewise, but send bytes zero bytes, then close
 *   relaybench count
 *		read stdin to EOF; print the bytes
 *   relaybench send addr port bytes
 *		connect to addr and write bytes zero bytes straight from
 *		memory into the socket, then close: the "raw" row's up
 *   relaybench recv addr port
 *		connect to addr, read the socket to EOF and discard; print
 *		the bytes: the "raw" row's down
 *
 * The servers give up after 10 minutes (alarm), so none is left behind.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "relay.h"

#define CHUNK	(1024 * 1024)

static char buf[CHUNK];

static void
die(const char *what)
{
	fprintf(stderr, "relaybench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
usage(void)
{
	fprintf(stderr, "usage: relaybench relay [-d] [-n] addr port\n"
	    "       relaybench sink portfile\n"
	    "       relaybench source portfile bytes\n"
	    "       relaybench count\n"
	    "       relaybench send addr port bytes\n"
	    "       relaybench recv addr port\n");
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

/* Write all of len bytes; returns 0, or -1 with errno. */
static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Listen on 127.0.0.1, port 0; write the port to portfile (atomically,
 * through a rename); accept one connection.  Returns it.
 */
static int
serve_one(const char *portfile)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char tmp[4096];
	FILE *fp;
	int l, c, one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((l = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		die("socket");
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(l, 1) == -1 ||
	    getsockname(l, (struct sockaddr *)&sin, &len) == -1)
		die("listen");
	snprintf(tmp, sizeof(tmp), "%s.tmp", portfile);
	if ((fp = fopen(tmp, "w")) == NULL)
		die(tmp);
	fprintf(fp, "%u\n", ntohs(sin.sin_port));
	if (fclose(fp) != 0 || rename(tmp, portfile) == -1)
		die(portfile);
	alarm(600);
	if ((c = accept(l, NULL, NULL)) == -1)
		die("accept");
	close(l);
	return c;
}

/* Read fd to EOF; returns the bytes. */
static unsigned long long
drain(int fd)
{
	unsigned long long total = 0;
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n == 0)
			return total;
		if (n == -1) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		total += (unsigned long long)n;
	}
}

/* Write n zero bytes to fd. */
static void
fill(int fd, unsigned long long n)
{
	size_t k;

	while (n > 0) {
		k = n < sizeof(buf) ? (size_t)n : sizeof(buf);
		if (write_all(fd, buf, k) == -1)
			die("write");
		n -= k;
	}
}

/* A blocking TCP connection to addr (numeric IPv4), port. */
static int
dial(const char *addr, const char *port)
{
	struct sockaddr_in sin;
	int s;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)number(port));
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		usage();
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    connect(s, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		die("connect");
	return s;
}

static int
do_relay(int argc, char *argv[])
{
	struct relay_opts o;
	struct relay_result res;
	int ch, s;

	memset(&o, 0, sizeof(o));
	o.quit_ms = -1;
	o.idle_ms = -1;
	o.sigfd = -1;
	while ((ch = getopt(argc, argv, "dn")) != -1) {
		switch (ch) {
		case 'd':
			o.no_stdin = true;
			break;
		case 'n':
			o.no_splice = true;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2)
		usage();
	s = dial(argv[optind], argv[optind + 1]);
	if (fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK) == -1)
		die("fcntl");
	signal(SIGPIPE, SIG_IGN);
	relay(s, STDIN_FILENO, STDOUT_FILENO, &o, &res);
	if (res.status != 0)
		fprintf(stderr, "relaybench: %s: %s\n",
		    res.where != NULL ? res.where : "relay",
		    strerror(res.error));
	close(s);
	return res.status;
}

int
main(int argc, char *argv[])
{
	int c;

	if (argc < 2)
		usage();
	if (strcmp(argv[1], "relay") == 0)
		return do_relay(argc - 1, argv + 1);
	if (strcmp(argv[1], "sink") == 0 && argc == 3) {
		c = serve_one(argv[2]);
		printf("%llu\n", drain(c));
		close(c);
		return 0;
	}
	if (strcmp(argv[1], "source") == 0 && argc == 4) {
		c = serve_one(argv[2]);
		fill(c, number(argv[3]));
		close(c);
		return 0;
	}
	if (strcmp(argv[1], "send") == 0 && argc == 5) {
		c = dial(argv[2], argv[3]);
		fill(c, number(argv[4]));
		close(c);
		return 0;
	}
	if (strcmp(argv[1], "recv") == 0 && argc == 4) {
		c = dial(argv[2], argv[3]);
		printf("%llu\n", drain(c));
		close(c);
		return 0;
	}
	if (strcmp(argv[1], "count") == 0 && argc == 2) {
		printf("%llu\n", drain(STDIN_FILENO));
		return 0;
	}
	usage();
	return 64;
}
