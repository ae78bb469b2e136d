/*
 * listen.c - hecat-listen, the shell tests' TCP server.
 *
 *	hecat-listen [-a ADDR]... [-p PORT] [-m greet|echo] [-t SECONDS]
 *
 * Listens on every ADDR (default 127.0.0.1, and ::1 where it exists) on
 * one port (default: one the kernel picks), prints "port N" on stdout when
 * ready, and serves until SIGTERM or for SECONDS (default 60) at most, so
 * a forgotten server cannot outlive its test for long.
 *
 *	greet	write "hello from ADDR\n" (the address the client reached)
 *		and close
 *	echo	send back what arrives, until the client's EOF
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
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

static volatile sig_atomic_t stop;

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
	    "[-m greet|echo] [-t seconds]\n");
	exit(EX_USAGE);
}

/* Listen on addr:port; returns the descriptor and the port, or -1. */
static int
listen_on(const char *addr, uint16_t *port)
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
	    listen(fd, 64) == -1) {
		close(fd);
		return -1;
	}
	len = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &len);
	*port = ntohs(ss.ss_family == AF_INET6 ? sin6->sin6_port :
	    sin->sin_port);
	return fd;
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
	if (write(fd, line, (size_t)n) != n)
		perror("hecat-listen: write");
	close(fd);
}

int
main(int argc, char *argv[])
{
	struct pollfd pfd[MAXFD];
	const char *addrs[8];
	int naddrs = 0, nlisten = 0, nfd, i, ch, seconds = 60;
	uint16_t port = 0;
	bool echo = false;
	time_t end;
	char buf[16384];
	ssize_t n;

	while ((ch = getopt(argc, argv, "a:m:p:t:")) != -1) {
		switch (ch) {
		case 'a':
			if (naddrs == 8)
				usage();
			addrs[naddrs++] = optarg;
			break;
		case 'm':
			if (strcmp(optarg, "echo") == 0)
				echo = true;
			else if (strcmp(optarg, "greet") != 0)
				usage();
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
	if (optind != argc || seconds <= 0)
		usage();
	if (naddrs == 0) {
		addrs[naddrs++] = "127.0.0.1";
		addrs[naddrs++] = "::1";	/* skipped if absent */
	}
	for (i = 0; i < naddrs; i++) {
		int fd = listen_on(addrs[i], &port);

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
	printf("port %u\n", port);
	fflush(stdout);

	nfd = nlisten;
	end = time(NULL) + seconds;
	while (!stop && time(NULL) < end) {
		if (poll(pfd, (nfds_t)nfd, 200) <= 0)
			continue;
		for (i = 0; i < nfd; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (i < nlisten) {
				int c = accept4(pfd[i].fd, NULL, NULL,
				    SOCK_CLOEXEC);

				if (c == -1)
					continue;
				if (!echo)
					greet(c);
				else if (nfd < MAXFD) {
					pfd[nfd].fd = c;
					pfd[nfd++].events = POLLIN;
				} else
					close(c);
				continue;
			}
			n = read(pfd[i].fd, buf, sizeof(buf));
			if (n > 0 && write(pfd[i].fd, buf, (size_t)n) == n)
				continue;
			close(pfd[i].fd);
			pfd[i--] = pfd[--nfd];
		}
	}
	return EX_OK;
}
