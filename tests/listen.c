/*
 * listen.c - hecat-listen, the shell tests' TCP server.
 *
 *	hecat-listen [-a ADDR]... [-p PORT] [-m MODE] [-f FILE] [-n BYTES]
 *		     [-t SECONDS]
 *
 * Listens on every ADDR (default 127.0.0.1, and ::1 where it exists) on
 * one port (default: one the kernel picks), prints "port N" on stdout when
 * ready, and serves until SIGTERM or for SECONDS (default 60) at most, so
 * a forgotten server cannot outlive its test for long.  MODE is what each
 * connection gets:
 *
 *	greet	 "hello from ADDR\n" (the address the client reached), close
 *	echo	 everything back, until the client's EOF
 *	eofreply read until the client's EOF, then "got N bytes\n", close
 *	close	 "bye\n" and close at once, without reading
 *	save	 append everything received to FILE, close at EOF
 *	send	 the contents of FILE, then close
 *	hold	 accept and hold the connection open, never reading
 *	reset	 wait for the client's first BYTES bytes (default 1), then
 *		 reset (RST)
 *	http	 read a request up to its blank line, answer it with a
 *		 small HTTP/1.0 page naming the address reached, close
 *	sendreset wait for the client's first byte, send BYTES bytes
 *		 (default 65536) without reading more, then reset (RST)
 *	greetreset "hello\n" and reset (RST) at once, without reading
 *	flood	 send without end and never read, until the client goes
 *	full	 never accept: the listen queue (backlog 0) is filled by a
 *		 connection of the server's own, so that the kernel drops
 *		 clients' SYNs and their connects hang
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#define MAXFD	64

enum mode {
	M_GREET,
	M_ECHO,
	M_EOFREPLY,
	M_CLOSE,
	M_SAVE,
	M_SEND,
	M_HOLD,
	M_RESET,
	M_HTTP,
	M_SENDRESET,
	M_FLOOD,
	M_FULL,
	M_GREETRESET
};

static volatile sig_atomic_t stop;
static time_t deadline;			/* -t */
static unsigned long long nbytes;	/* -n; 0: the mode's default */

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: hecat-listen [-a addr]... [-p port] "
	    "[-m greet|echo|eofreply|close|save|send|hold|reset|http|"
	    "sendreset|flood|full|greetreset] [-f file] [-n bytes] "
	    "[-t seconds]\n");
	exit(EX_USAGE);
}

/* Listen on addr:port; returns the descriptor and the port, or -1. */
static int
listen_on(const char *addr, uint16_t *port, int backlog)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(*port);
		len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(*port);
		len = sizeof(*sin6);
	} else
		return -1;
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, backlog) == -1) {
		close(fd);
		return -1;
	}
	len = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &len);
	*port = ntohs(ss.ss_family == AF_INET6 ? sin6->sin6_port :
	    sin->sin_port);
	return fd;
}

/* Write all of buf; false on error. */
static bool
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			return false;
		}
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

static void
greet(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char a[INET6_ADDRSTRLEN] = "?", line[128];
	int n;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		inet_ntop(ss.ss_family, ss.ss_family == AF_INET6 ?
		    (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr :
		    (void *)&((struct sockaddr_in *)&ss)->sin_addr, a,
		    sizeof(a));
	n = snprintf(line, sizeof(line), "hello from %s\n", a);
	write_all(fd, line, (size_t)n);
}

/* A tiny HTTP/1.0 server: the request's head, then one page. */
static void
http(int fd)
{
	char req[8192], page[256], head[256], a[INET6_ADDRSTRLEN] = "?";
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	size_t got = 0;
	ssize_t n;
	int plen, hlen;

	while (got < sizeof(req) - 1 &&
	    (n = read(fd, req + got, sizeof(req) - 1 - got)) > 0) {
		got += (size_t)n;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL ||
		    strstr(req, "\n\n") != NULL)
			break;
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		inet_ntop(ss.ss_family, ss.ss_family == AF_INET6 ?
		    (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr :
		    (void *)&((struct sockaddr_in *)&ss)->sin_addr, a,
		    sizeof(a));
	plen = snprintf(page, sizeof(page), "hello from %s\n", a);
	hlen = snprintf(head, sizeof(head), "HTTP/1.0 200 OK\r\n"
	    "Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n", plen);
	write_all(fd, head, (size_t)hlen);
	write_all(fd, page, (size_t)plen);
}

/* Read fd to EOF, into save (or nowhere); returns the byte count. */
static unsigned long long
drain(int fd, int save)
{
	char buf[65536];
	unsigned long long total = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		total += (unsigned long long)n;
		if (save != -1 && !write_all(save, buf, (size_t)n))
			break;
	}
	return total;
}

static void
send_file(int fd, const char *path)
{
	char buf[65536];
	ssize_t n;
	int in;

	if ((in = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		perror(path);
		return;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (!write_all(fd, buf, (size_t)n))
			break;
	close(in);
}

/* Close c with a reset (RST) instead of a FIN. */
static void
reset_close(int c)
{
	struct linger lg = { 1, 0 };

	setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(c);
}

/* flood: write until the client goes, a signal, or the deadline. */
static void
flood(int c)
{
	static char buf[65536];
	struct pollfd p;
	ssize_t n;

	memset(buf, 'x', sizeof(buf));
	while (!stop && time(NULL) < deadline) {
		p.fd = c;
		p.events = POLLOUT;
		if (poll(&p, 1, 200) <= 0)
			continue;
		if ((n = write(c, buf, sizeof(buf))) == -1 && errno != EINTR &&
		    errno != EAGAIN)
			break;
	}
}

/*
 * Fill the listen queue of fd (backlog 0) with one connection of our
 * own, never accepted; returns its descriptor, or -1.
 */
static int
fill_queue(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int c;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	if (ss.ss_family == AF_INET &&
	    ((struct sockaddr_in *)&ss)->sin_addr.s_addr == htonl(INADDR_ANY))
		((struct sockaddr_in *)&ss)->sin_addr.s_addr =
		    htonl(INADDR_LOOPBACK);
	if (ss.ss_family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(
	    &((struct sockaddr_in6 *)&ss)->sin6_addr))
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
	if ((c = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(c, (struct sockaddr *)&ss, len) == -1) {
		close(c);
		return -1;
	}
	return c;
}

/*
 * Serve one connection in a mode that needs no loop of its own; returns
 * true when the connection is finished (closed).
 */
static bool
serve(int c, enum mode mode, const char *file)
{
	char line[64];
	int n, save;

	switch (mode) {
	case M_GREET:
		greet(c);
		break;
	case M_EOFREPLY:
		n = snprintf(line, sizeof(line), "got %llu bytes\n",
		    drain(c, -1));
		write_all(c, line, (size_t)n);
		break;
	case M_CLOSE:
		write_all(c, "bye\n", 4);
		break;
	case M_SAVE:
		save = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		    0644);
		drain(c, save);
		if (save != -1)
			close(save);
		break;
	case M_SEND:
		send_file(c, file);
		break;
	case M_HTTP:
		http(c);
		break;
	case M_RESET: {
		/* A zero linger time: close sends RST, not FIN. */
		unsigned long long want = nbytes > 0 ? nbytes : 1, got = 0;
		char buf[65536];
		ssize_t r;

		while (got < want) {
			r = read(c, buf, want - got < sizeof(buf) ?
			    (size_t)(want - got) : sizeof(buf));
			if (r == -1 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += (unsigned long long)r;
		}
		reset_close(c);
		return true;
	}
	case M_SENDRESET: {
		unsigned long long left = nbytes > 0 ? nbytes : 65536;
		char buf[65536];
		size_t k;

		while (read(c, buf, 1) == -1 && errno == EINTR)
			;
		memset(buf, 'r', sizeof(buf));
		while (left > 0) {
			k = left < sizeof(buf) ? (size_t)left : sizeof(buf);
			if (!write_all(c, buf, k))
				break;
			left -= k;
		}
		reset_close(c);
		return true;
	}
	case M_FLOOD:
		flood(c);
		break;
	case M_GREETRESET:
		write_all(c, "hello\n", 6);
		reset_close(c);
		return true;
	default:
		return false;		/* echo, hold: polled */
	}
	close(c);
	return true;
}

int
main(int argc, char *argv[])
{
	static const char *modes[] = { "greet", "echo", "eofreply", "close",
	    "save", "send", "hold", "reset", "http", "sendreset", "flood",
	    "full", "greetreset" };
	struct pollfd pfd[MAXFD];
	const char *addrs[16], *file = NULL;
	int naddrs = 0, nlisten = 0, nfd, i, ch, seconds = 60, filler = -1;
	enum mode mode = M_GREET;
	uint16_t port = 0;
	size_t k;
	time_t end;
	char buf[65536];
	ssize_t n;

	while ((ch = getopt(argc, argv, "a:f:m:n:p:t:")) != -1) {
		switch (ch) {
		case 'a':
			if (naddrs == 16)
				usage();
			addrs[naddrs++] = optarg;
			break;
		case 'f':
			file = optarg;
			break;
		case 'm':
			for (k = 0; k < sizeof(modes) / sizeof(modes[0]); k++)
				if (strcmp(optarg, modes[k]) == 0)
					break;
			if (k == sizeof(modes) / sizeof(modes[0]))
				usage();
			mode = (enum mode)k;
			break;
		case 'n':
			nbytes = strtoull(optarg, NULL, 10);
			break;
		case 'p':
			port = (uint16_t)atoi(optarg);
			break;
		case 't':
			seconds = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || seconds <= 0 ||
	    ((mode == M_SAVE || mode == M_SEND) && file == NULL))
		usage();
	if (naddrs == 0) {
		addrs[naddrs++] = "127.0.0.1";
		addrs[naddrs++] = "::1";	/* skipped if absent */
	}
	for (i = 0; i < naddrs; i++) {
		int fd = listen_on(addrs[i], &port, mode == M_FULL ? 0 : 64);

		if (fd == -1) {
			if (strcmp(addrs[i], "::1") == 0 && i > 0)
				continue;
			fprintf(stderr, "hecat-listen: %s port %u: %s\n",
			    addrs[i], port, strerror(errno));
			return EX_OSERR;
		}
		pfd[nlisten].fd = fd;
		pfd[nlisten++].events = POLLIN;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	end = deadline = time(NULL) + seconds;
	if (mode == M_FULL) {
		/* Fill every queue, then only wait: nothing is accepted. */
		for (i = 0; i < nlisten; i++)
			if ((filler = fill_queue(pfd[i].fd)) == -1) {
				fprintf(stderr, "hecat-listen: cannot fill the "
				    "queue: %s\n", strerror(errno));
				return EX_OSERR;
			}
		printf("port %u\n", port);
		fflush(stdout);
		while (!stop && time(NULL) < end)
			poll(NULL, 0, 200);
		return EX_OK;
	}
	printf("port %u\n", port);
	fflush(stdout);

	nfd = nlisten;
	while (!stop && time(NULL) < end) {
		if (poll(pfd, (nfds_t)nfd, 200) <= 0)
			continue;
		for (i = 0; i < nfd; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (i < nlisten) {
				int c = accept4(pfd[i].fd, NULL, NULL,
				    SOCK_CLOEXEC);

				if (c == -1 || serve(c, mode, file))
					continue;
				if (nfd == MAXFD) {
					close(c);
					continue;
				}
				pfd[nfd].fd = c;
				pfd[nfd++].events = mode == M_ECHO ? POLLIN : 0;
				continue;
			}
			if (mode == M_ECHO && (pfd[i].revents & POLLIN) &&
			    (n = read(pfd[i].fd, buf, sizeof(buf))) > 0 &&
			    write_all(pfd[i].fd, buf, (size_t)n))
				continue;
			close(pfd[i].fd);
			pfd[i--] = pfd[--nfd];
		}
	}
	return EX_OK;
}
