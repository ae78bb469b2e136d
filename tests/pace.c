/*
 * pace.c - hecat-pace, the slow producer, slow consumer and socket
 * wrapper of tests/integrity.sh.
 *
 *	hecat-pace [-c MAXCHUNK] [-r MB_PER_S] [-P PAUSE_MS] [-e EVERY_KB]
 *	    [-S SEED]
 *	hecat-pace -s [pacing options] COMMAND [ARG]...
 *
 * The first form copies stdin to stdout in chunks of a random size
 * between 1 and MAXCHUNK bytes (default 65536), each read(2) asking for
 * the chunk and each write(2) writing what it got; at most MB_PER_S
 * megabytes (10^6) a second on average (default 0: no limit); and, after
 * about every EVERY_KB kilobytes (random, +-50%), a pause of PAUSE_MS
 * milliseconds (default 0: none).  Placed before a program it is a slow
 * producer, after it a slow consumer.  SEED (default 1) makes the chunk
 * sizes and pause points repeatable.
 *
 * With -s it runs COMMAND with its stdin and stdout on sockets (two
 * AF_UNIX socketpairs): our stdin goes into COMMAND's stdin socket (shut
 * down for writing at our EOF), and what COMMAND writes to its stdout
 * socket comes out on our stdout, paced as above.  Exits with COMMAND's
 * status (128 + signal if it died of one).
 *
 * A pause is a nanosleep: making a reader or a writer slow is the point.
 * Exit status 0, 1 on a read or write error, 64 on bad usage.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BUFSZ	(1024 * 1024)

struct pace {
	size_t		 maxchunk;
	double		 rate;		/* bytes per second; 0: none */
	unsigned	 pause_ms;
	uint64_t	 every;		/* bytes between pauses, on average */
	uint64_t	 rng;
	uint64_t	 total;		/* bytes through */
	uint64_t	 next_pause;	/* at this total */
	double		 t0;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
sleep_s(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* xorshift64*: repeatable, good enough for chunk sizes. */
static uint64_t
rnd(struct pace *p)
{
	p->rng ^= p->rng >> 12;
	p->rng ^= p->rng << 25;
	p->rng ^= p->rng >> 27;
	return p->rng * UINT64_C(2685821657736338717);
}

static void
plan_pause(struct pace *p)
{
	if (p->pause_ms > 0 && p->every > 0)
		p->next_pause = p->total + p->every / 2 + rnd(p) % p->every;
}

static size_t
chunk(struct pace *p)
{
	return 1 + (size_t)(rnd(p) % p->maxchunk);
}

/* After n more bytes: keep to the rate, pause when it is time. */
static void
account(struct pace *p, size_t n)
{
	p->total += n;
	if (p->rate > 0)
		sleep_s((double)p->total / p->rate - (now_s() - p->t0));
	if (p->pause_ms > 0 && p->every > 0 && p->total >= p->next_pause) {
		sleep_s(p->pause_ms / 1000.0);
		plan_pause(p);
	}
}

static bool
write_all(int fd, const char *buf, size_t len)
{
	struct pollfd pfd = { fd, POLLOUT, 0 };
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				poll(&pfd, 1, -1);
				continue;
			}
			return false;
		}
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

/* The first form: stdin to stdout, paced. */
static int
copy(struct pace *p, char *buf)
{
	ssize_t n;

	for (;;) {
		n = read(STDIN_FILENO, buf, chunk(p));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			perror("hecat-pace: read");
			return 1;
		}
		if (n == 0)
			return 0;
		if (!write_all(STDOUT_FILENO, buf, (size_t)n)) {
			perror("hecat-pace: write");
			return 1;
		}
		account(p, (size_t)n);
	}
}

/*
 * -s: COMMAND between two socketpairs.  Our stdin is fed to its stdin
 * socket in full (unpaced, in 64 KiB reads); its stdout socket is read
 * in paced chunks and copied to our stdout.  One poll loop.
 */
static int
wrap(struct pace *p, char *buf, char *argv[])
{
	int in[2], out[2], st, fl;
	pid_t pid;
	char *ibuf;
	size_t ioff = 0, ilen = 0;
	bool in_eof = false, out_eof = false;
	ssize_t n;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, out) == -1 ||
	    (ibuf = malloc(65536)) == NULL) {
		perror("hecat-pace");
		return 1;
	}
	if ((pid = fork()) == -1) {
		perror("hecat-pace: fork");
		return 1;
	}
	if (pid == 0) {
		dup2(in[1], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	close(in[1]);
	close(out[1]);
	fl = fcntl(in[0], F_GETFL);
	fcntl(in[0], F_SETFL, fl | O_NONBLOCK);
	signal(SIGPIPE, SIG_IGN);
	while (!out_eof) {
		struct pollfd pfd[3];
		nfds_t k = 0;
		int want_in = -1, want_sock = -1, want_out = -1;

		if (!in_eof && ilen == 0) {
			pfd[k].fd = STDIN_FILENO;
			pfd[k].events = POLLIN;
			want_in = (int)k++;
		}
		if (ilen > 0) {
			pfd[k].fd = in[0];
			pfd[k].events = POLLOUT;
			want_sock = (int)k++;
		}
		pfd[k].fd = out[0];
		pfd[k].events = POLLIN;
		want_out = (int)k++;
		if (poll(pfd, k, -1) == -1) {
			if (errno == EINTR)
				continue;
			perror("hecat-pace: poll");
			return 1;
		}
		if (want_in >= 0 && pfd[want_in].revents != 0) {
			n = read(STDIN_FILENO, ibuf, 65536);
			if (n > 0) {
				ioff = 0;
				ilen = (size_t)n;
			} else if (n == 0 || errno != EINTR) {
				in_eof = true;
				shutdown(in[0], SHUT_WR);
			}
		}
		if (want_sock >= 0 && pfd[want_sock].revents != 0) {
			n = write(in[0], ibuf + ioff, ilen - ioff);
			if (n > 0) {
				ioff += (size_t)n;
				if (ioff == ilen)
					ilen = 0;
			} else if (n == -1 && errno != EAGAIN &&
			    errno != EINTR) {
				/* It stopped reading: drop the rest. */
				ilen = 0;
				in_eof = true;
			}
		}
		if (pfd[want_out].revents != 0) {
			n = read(out[0], buf, chunk(p));
			if (n > 0) {
				if (!write_all(STDOUT_FILENO, buf, (size_t)n)) {
					perror("hecat-pace: write");
					kill(pid, SIGTERM);
					waitpid(pid, NULL, 0);
					return 1;
				}
				account(p, (size_t)n);
			} else if (n == 0 || errno != EINTR)
				out_eof = true;
		}
	}
	close(in[0]);
	close(out[0]);
	free(ibuf);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

static void
usage(void)
{
	fprintf(stderr, "usage: hecat-pace [-c maxchunk] [-r MB/s] "
	    "[-P pause_ms] [-e every_kb] [-S seed] [-s command [arg ...]]\n");
	exit(64);
}

int
main(int argc, char *argv[])
{
	struct pace p;
	bool sock = false;
	char *buf;
	int ch, rc;

	memset(&p, 0, sizeof(p));
	p.maxchunk = 65536;
	p.rng = 1;
	while ((ch = getopt(argc, argv, "+c:e:P:r:sS:")) != -1) {
		switch (ch) {
		case 'c':
			p.maxchunk = (size_t)strtoul(optarg, NULL, 10);
			break;
		case 'e':
			p.every = (uint64_t)strtoull(optarg, NULL, 10) * 1000;
			break;
		case 'P':
			p.pause_ms = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'r':
			p.rate = strtod(optarg, NULL) * 1e6;
			break;
		case 's':
			sock = true;
			break;
		case 'S':
			p.rng = (uint64_t)strtoull(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (p.maxchunk == 0 || p.maxchunk > BUFSZ || p.rate < 0 ||
	    (sock && optind == argc) || (!sock && optind != argc))
		usage();
	if (p.rng == 0)
		p.rng = 1;
	if ((buf = malloc(BUFSZ)) == NULL) {
		perror("hecat-pace");
		return 1;
	}
	p.t0 = now_s();
	plan_pause(&p);
	rc = sock ? wrap(&p, buf, argv + optind) : copy(&p, buf);
	free(buf);
	return rc;
}
