/*
 * load.c - hecat-load: libhecat under load and over time, through the
 * public API alone (<hecat.h> and libevent).
 *
 *	hecat-load listen [-t SECONDS]
 *	hecat-load dial [-bCLq] [-c CONC] [-n DIALS] [-s EVERY]
 *	    [-w WARMUP] [-p PORT] [-D NAMESERVERS] [-H HOSTS] [-R RESOLVCONF]
 *	    [-F FACTOR] [-G BYTES] [-T SECONDS] HOST...
 *
 * listen: a TCP listener on 127.0.0.1 and ::1 (where it exists) on one
 * port, that accepts every connection and closes it at once.  Prints
 * "port N" when ready; runs until SIGTERM, or SECONDS (default 600).
 *
 * dial: DIALS dials (default 100,000) of the HOSTs in turn (literals or
 * names) on one event base, CONC at a time (default 1: one after
 * another).  Without -b the CONC stay in flight: each one that ends
 * starts the next.  With -b they go in bursts: CONC started at once,
 * all waited for, then the next burst.  Every EVERY dials (default
 * 10,000) nothing is left in flight and a sample is printed: the
 * descriptors open, the heap in use (mallinfo2: uordblks + hblkhd), the
 * rate and the latencies of that stretch.  WARMUP dials first (default
 * the larger of 1,000 and 2 x CONC) let libevent, getdns and the
 * allocator size their tables; the baseline sample follows them.
 *
 * The listener is -p PORT's (someone else's, e.g. "hecat-load listen"),
 * or without -p one forked here before anything else, so that neither
 * its descriptors nor its memory count in the samples.  -D, -H and -R
 * are hecat_config's nameservers, hosts and resolv_conf (default: the
 * system's files).
 *
 * Each connected socket is closed at once; with -L with an RST
 * (SO_LINGER 0) instead of a FIN.  A normal close leaves the port in
 * TIME_WAIT for 60 s, and once the ~28,000 ephemeral ports towards the
 * listener are all in TIME_WAIT, every connect() makes the kernel search
 * them for one old enough to reuse (net.ipv4.tcp_tw_reuse): that search,
 * not the library, then sets the pace (see docs/benchmarks.md).
 *
 * -C checks: the exit status is 1 unless every dial connected, every
 * sample has as many descriptors as the baseline, and the heap never
 * grew more than BYTES (-G, default 65,536) over it; with -F also
 * unless every stretch's time per dial is within FACTOR times the
 * median stretch's (time per dial stays flat; needs 3 stretches or
 * more, else it is not checked).  -T bounds each
 * stretch of EVERY dials (default 300 s): a stretch that does not end in
 * time fails the run.  -q prints the summary line alone.
 *
 * The last line is the summary, for scripts:
 *
 *	RESULT dials=N ok=N fail=N secs=S rate=R fds0=F fds1=F fdsbusy=F
 *	    heap0=B heap1=B heapmax=B growth=B p50_ms=X p99_ms=X max_ms=X
 *
 * fdsbusy is the most descriptors seen when the first dial of a stretch
 * ended (the others still resolving or connecting); fds0 and fds1 are
 * the first and last samples, heapmax the largest.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include <hecat.h>

#define EX_USAGE	64
#define EX_SOFTWARE	70
#define EX_OSERR	71
#define MAXHOSTS	16

/* ---- measures ------------------------------------------------------------- */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
count_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (dir == NULL)
		return -1;
	while ((de = readdir(dir)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	return n - 1;		/* not the directory's own */
}

static long long
heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return (long long)(mi.uordblks + mi.hblkhd);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* ---- the listener ------------------------------------------------------------ */

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* A non-blocking listener on addr:port (IPv6 only for ::1), or -1. */
static int
listener(const char *addr, uint16_t *port)
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
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		return -1;
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	/* As deep a queue as the kernel allows (net.core.somaxconn). */
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, 65535) == -1) {
		close(fd);
		return -1;
	}
	len = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &len);
	*port = ntohs(ss.ss_family == AF_INET6 ? sin6->sin6_port :
	    sin->sin_port);
	return fd;
}

/*
 * Listeners on 127.0.0.1 and ::1 on one port (::1 skipped where it cannot
 * be bound at all).  Returns the port, or 0.
 */
static uint16_t
listen_pair(int fds[2])
{
	uint16_t port, p6;
	int tries, probe;

	/* Whether ::1 exists: bind a probe on any port. */
	p6 = 0;
	probe = listener("::1", &p6);
	if (probe != -1)
		close(probe);
	for (tries = 0; tries < 50; tries++) {
		port = 0;
		if ((fds[0] = listener("127.0.0.1", &port)) == -1)
			return 0;
		fds[1] = -1;
		if (probe == -1 || (fds[1] = listener("::1", &port)) != -1)
			return port;
		close(fds[0]);		/* taken on ::1: another port */
	}
	return 0;
}

/* Accept and close until stop, or the end time; returns an exit status. */
static int
serve(int fds[2], unsigned seconds)
{
	struct pollfd pfd[2];
	nfds_t n = 0;
	double end = now_s() + seconds;
	int i, c;

	for (i = 0; i < 2; i++)
		if (fds[i] != -1) {
			pfd[n].fd = fds[i];
			pfd[n++].events = POLLIN;
		}
	while (!stop && now_s() < end) {
		if (poll(pfd, n, 200) <= 0)
			continue;
		for (i = 0; i < (int)n; i++) {
			if (pfd[i].revents == 0)
				continue;
			/* Everything queued; the queue is bounded. */
			while ((c = accept4(pfd[i].fd, NULL, NULL,
			    SOCK_CLOEXEC)) != -1)
				close(c);
		}
	}
	return 0;
}

static void
catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

static int
cmd_listen(int argc, char *argv[])
{
	unsigned seconds = 600;
	int fds[2], ch;
	uint16_t port;

	while ((ch = getopt(argc, argv, "t:")) != -1) {
		if (ch != 't' || (seconds = (unsigned)atoi(optarg)) == 0) {
			fprintf(stderr, "usage: hecat-load listen [-t SECONDS]\n");
			return EX_USAGE;
		}
	}
	if ((port = listen_pair(fds)) == 0) {
		perror("hecat-load: listen");
		return EX_OSERR;
	}
	catch_signals();
	printf("port %u\n", port);
	fflush(stdout);
	return serve(fds, seconds);
}

/* The listener in a child of ours; its pid in *pid, the port returned. */
static uint16_t
fork_listener(pid_t *pid)
{
	int fds[2];
	uint16_t port;

	if ((port = listen_pair(fds)) == 0)
		return 0;
	fflush(NULL);
	if ((*pid = fork()) == -1)
		return 0;
	if (*pid == 0) {
		catch_signals();
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		_exit(serve(fds, 3600));
	}
	close(fds[0]);
	if (fds[1] != -1)
		close(fds[1]);
	return port;
}

/* ---- dials --------------------------------------------------------------------- */

struct run {
	struct event_base	*base;
	struct hecat		*h;
	struct hecat_opts	 opts;
	const char		*hosts[MAXHOSTS];
	size_t			 nhosts;
	uint16_t		 port;
	unsigned		 conc;
	bool			 burst;
	bool			 rst;		/* close with RST (-L) */
	/* The current stretch. */
	unsigned long		 target;	/* dials to start in it */
	unsigned long		 started;
	unsigned long		 finished;
	unsigned long		 inflight;
	unsigned long		 seq;		/* dials started in all */
	bool			 recording;
	double			*lat;		/* [every] ms, this stretch */
	unsigned long		 nlat;
	/* In all. */
	unsigned long		 ok, fail;
	int			 errs[16];	/* by -err */
	char			 first_error[512];
	bool			 start_failed;
	int			 fds_busy;	/* most at a stretch's first end */
};

static void	dial_cb(const struct hecat_result *, void *);

static void
start_one(struct run *r)
{
	const char *host = r->hosts[r->seq++ % r->nhosts];

	r->started++;
	r->inflight++;
	if (hecat_connect(r->h, host, &r->port, 1, &r->opts, dial_cb, r) ==
	    NULL) {
		r->inflight--;
		r->fail++;
		r->finished++;
		r->start_failed = true;
		snprintf(r->first_error, sizeof(r->first_error),
		    "hecat_connect(%s): %s", host, strerror(errno));
	}
}

static void
dial_cb(const struct hecat_result *res, void *arg)
{
	static const struct linger rst = { 1, 0 };
	struct run *r = arg;

	r->inflight--;
	r->finished++;
	if (r->finished == 1) {
		/* The others are resolving or connecting: a busy moment. */
		int n = count_fds();

		if (n > r->fds_busy)
			r->fds_busy = n;
	}
	if (res->err == HECAT_OK) {
		r->ok++;
		if (r->rst)
			setsockopt(res->fd, SOL_SOCKET, SO_LINGER, &rst,
			    sizeof(rst));
		close(res->fd);
		if (r->recording && r->nlat < r->target)
			r->lat[r->nlat++] = (double)res->elapsed_ns / 1e6;
	} else {
		r->fail++;
		if (-res->err >= 0 && -res->err < 16)
			r->errs[-res->err]++;
		if (r->first_error[0] == '\0')
			snprintf(r->first_error, sizeof(r->first_error), "%s",
			    res->message != NULL ? res->message :
			    hecat_strerror(res->err));
	}
	if (r->finished == r->target) {
		event_base_loopbreak(r->base);
		return;
	}
	/* Keep CONC in flight; in bursts, wait for the whole burst. */
	if (!r->burst) {
		if (r->started < r->target)
			start_one(r);
	} else if (r->inflight == 0) {
		while (r->started < r->target && r->inflight < r->conc)
			start_one(r);
	}
}

static void
deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

/* Run n dials to the end (all finished); false if it took over limit s. */
static bool
stretch(struct run *r, unsigned long n, unsigned limit, bool record)
{
	struct timeval tv = { (time_t)limit, 0 };
	struct event *dl = evtimer_new(r->base, deadline_cb, r->base);
	bool done;

	r->target = n;
	r->started = r->finished = 0;
	r->recording = record;
	r->nlat = 0;
	evtimer_add(dl, &tv);
	while (r->started < n && r->inflight < r->conc)
		start_one(r);
	while (r->finished < n) {
		if (event_base_dispatch(r->base) == -1)
			break;
		if (!evtimer_pending(dl, NULL))
			break;		/* the deadline passed */
	}
	done = r->finished == n;
	event_free(dl);
	return done;
}

struct sample {
	unsigned long	dials;
	double		secs, rate, us_per_dial;
	double		p50, p99, max;
	int		fds;
	long long	heap;
};

static void
print_sample(const struct sample *s, long long heap0, bool head)
{
	if (head)
		printf("%9s %7s %8s %8s %8s %8s %8s %5s %10s %8s\n", "dials",
		    "secs", "dials/s", "us/dial", "p50_ms", "p99_ms", "max_ms",
		    "fds", "heap", "growth");
	if (s->dials == 0) {
		printf("%9lu %7s %8s %8s %8s %8s %8s %5d %10lld %+8d\n",
		    s->dials, "-", "-", "-", "-", "-", "-", s->fds, s->heap,
		    0);
		return;
	}
	printf("%9lu %7.2f %8.0f %8.1f %8.3f %8.3f %8.3f %5d %10lld %+8lld\n",
	    s->dials, s->secs, s->rate, s->us_per_dial, s->p50, s->p99,
	    s->max, s->fds, s->heap, s->heap - heap0);
	fflush(stdout);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: hecat-load listen [-t seconds]\n"
	    "       hecat-load dial [-bCLq] [-c conc] [-n dials] "
	    "[-s every] [-w warmup]\n"
	    "           [-p port] [-D nameservers] [-H hosts] "
	    "[-R resolvconf] [-F factor]\n"
	    "           [-G bytes] [-T seconds] host...\n");
	exit(EX_USAGE);
}

static unsigned long
number(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		usage();
	return v;
}

static int
cmd_dial(int argc, char *argv[])
{
	struct hecat_config cfg;
	struct event_config *ecfg;
	struct rlimit rl;
	struct run r;
	struct sample s, *samples;
	unsigned long dials = 100000, every = 10000, warmup = ULONG_MAX;
	unsigned long done, nsamples = 0, i, k, all_n = 0;
	unsigned limit = 300;
	long long growth_max = 65536, heapmax = 0;
	double t0, t1, total_s = 0, *all_lat, flat = 0, spread = 0, *per;
	bool check = false, quiet = false, bad = false;
	pid_t lpid = -1;
	int ch;

	memset(&r, 0, sizeof(r));
	r.conc = 1;
	hecat_config_init(&cfg);
	while ((ch = getopt(argc, argv, "bc:CD:F:G:H:Ln:p:qR:s:T:w:")) != -1) {
		switch (ch) {
		case 'b':
			r.burst = true;
			break;
		case 'c':
			r.conc = (unsigned)number(optarg);
			break;
		case 'C':
			check = true;
			break;
		case 'D':
			cfg.nameservers = optarg;
			break;
		case 'F':
			flat = (double)number(optarg);
			break;
		case 'G':
			growth_max = (long long)number(optarg);
			break;
		case 'H':
			cfg.hosts = optarg;
			break;
		case 'L':
			r.rst = true;
			break;
		case 'n':
			dials = number(optarg);
			break;
		case 'p':
			r.port = (uint16_t)number(optarg);
			break;
		case 'q':
			quiet = true;
			break;
		case 'R':
			cfg.resolv_conf = optarg;
			break;
		case 's':
			every = number(optarg);
			break;
		case 'T':
			limit = (unsigned)number(optarg);
			break;
		case 'w':
			warmup = number(optarg);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > MAXHOSTS || r.conc == 0 || every == 0 ||
	    dials == 0 || limit == 0)
		usage();
	for (; r.nhosts < (size_t)argc; r.nhosts++)
		r.hosts[r.nhosts] = argv[r.nhosts];
	if (warmup == ULONG_MAX)
		warmup = r.conc * 2 > 1000 ? r.conc * 2 : 1000;
	if (every > dials)
		every = dials;

	/*
	 * Descriptors: a dial holds at most one socket per attempt in
	 * flight, one per DNS query out, and for a moment a UDP socket to
	 * find its source address; 4 per dial is ample here.
	 */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	getrlimit(RLIMIT_NOFILE, &rl);
	if ((rlim_t)r.conc * 4 + 64 > rl.rlim_cur) {
		fprintf(stderr, "hecat-load: %u dials at once need about %u "
		    "descriptors; the limit is %llu\n", r.conc, r.conc * 4 + 64,
		    (unsigned long long)rl.rlim_cur);
		return EX_OSERR;
	}
	signal(SIGPIPE, SIG_IGN);
	if (r.port == 0 && (r.port = fork_listener(&lpid)) == 0) {
		perror("hecat-load: listener");
		return EX_OSERR;
	}

	/* Everything the run needs is allocated before the baseline. */
	ecfg = event_config_new();
	event_config_set_flag(ecfg, EVENT_BASE_FLAG_PRECISE_TIMER);
	r.base = event_base_new_with_config(ecfg);
	event_config_free(ecfg);
	if (r.base == NULL || (r.h = hecat_new(r.base, &cfg)) == NULL) {
		perror("hecat-load: hecat_new");
		return EX_OSERR;
	}
	hecat_opts_init(&r.opts);
	r.opts.timeout_ms = 30000;	/* no dial outlives its stretch */
	r.lat = calloc(every, sizeof(*r.lat));
	all_lat = calloc(dials, sizeof(*all_lat));
	samples = calloc(dials / every + 2, sizeof(*samples));
	if (r.lat == NULL || all_lat == NULL || samples == NULL) {
		perror("hecat-load");
		return EX_OSERR;
	}

	if (!quiet) {
		printf("# hecat-load %s: %lu dials of", hecat_version(), dials);
		for (i = 0; i < r.nhosts; i++)
			printf(" %s", r.hosts[i]);
		printf(" port %u, %u %s, warm-up %lu, sample every %lu; "
		    "RLIMIT_NOFILE %llu\n", r.port, r.conc, r.burst ?
		    "at once in bursts" : "in flight", warmup, every,
		    (unsigned long long)rl.rlim_cur);
		fflush(stdout);
	}
	for (done = 0; done < warmup; done += k) {
		k = warmup - done < every ? warmup - done : every;
		if (!stretch(&r, k, limit, false)) {
			fprintf(stderr, "hecat-load: warm-up: %lu of %lu dials "
			    "ended in %u s\n", r.finished, k, limit);
			bad = true;
			goto out;
		}
	}
	r.ok = r.fail = 0;
	memset(r.errs, 0, sizeof(r.errs));

	memset(&s, 0, sizeof(s));
	s.fds = count_fds();
	s.heap = heap_in_use();
	samples[nsamples++] = s;
	heapmax = s.heap;
	if (!quiet)
		print_sample(&s, samples[0].heap, true);
	for (done = 0; done < dials; done += k) {
		k = dials - done < every ? dials - done : every;
		t0 = now_s();
		if (!stretch(&r, k, limit, true)) {
			fprintf(stderr, "hecat-load: %lu of %lu dials ended in "
			    "%u s\n", r.finished, k, limit);
			bad = true;
			break;
		}
		t1 = now_s();
		total_s += t1 - t0;
		memset(&s, 0, sizeof(s));
		s.fds = count_fds();
		s.heap = heap_in_use();
		s.dials = done + k;
		s.secs = t1 - t0;
		s.rate = (double)k / s.secs;
		s.us_per_dial = s.secs * 1e6 / (double)k;
		memcpy(all_lat + all_n, r.lat, r.nlat * sizeof(*r.lat));
		all_n += r.nlat;
		if (r.nlat > 0) {
			qsort(r.lat, r.nlat, sizeof(*r.lat), cmp_double);
			s.p50 = r.lat[r.nlat / 2];
			s.p99 = r.lat[(r.nlat * 99) / 100];
			s.max = r.lat[r.nlat - 1];
		}
		if (s.heap > heapmax)
			heapmax = s.heap;
		samples[nsamples++] = s;
		if (!quiet)
			print_sample(&s, samples[0].heap, false);
	}
out:
	qsort(all_lat, all_n, sizeof(*all_lat), cmp_double);
	s = samples[nsamples > 0 ? nsamples - 1 : 0];
	printf("RESULT dials=%lu ok=%lu fail=%lu secs=%.3f rate=%.0f "
	    "fds0=%d fds1=%d fdsbusy=%d heap0=%lld heap1=%lld heapmax=%lld "
	    "growth=%lld p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n", r.ok + r.fail,
	    r.ok, r.fail, total_s, total_s > 0 ? (double)(r.ok + r.fail) /
	    total_s : 0, samples[0].fds, s.fds, r.fds_busy, samples[0].heap,
	    s.heap, heapmax,
	    heapmax - samples[0].heap,
	    all_n ? all_lat[all_n / 2] : 0, all_n ? all_lat[all_n * 99 / 100] :
	    0, all_n ? all_lat[all_n - 1] : 0);
	if (r.fail > 0) {
		fprintf(stderr, "hecat-load: %lu dials failed:", r.fail);
		for (i = 0; i < 16; i++)
			if (r.errs[i] > 0)
				fprintf(stderr, " %s x%d", hecat_strerror(-(int)i),
				    r.errs[i]);
		fprintf(stderr, "; first: %s\n", r.first_error);
	}
	if (check && !bad) {
		for (i = 1; i < nsamples; i++) {
			if (samples[i].fds != samples[0].fds) {
				fprintf(stderr, "hecat-load: CHECK FAILED: %d "
				    "descriptors after %lu dials, %d at the "
				    "start\n", samples[i].fds, samples[i].dials,
				    samples[0].fds);
				bad = true;
			}
			if (samples[i].heap - samples[0].heap > growth_max) {
				fprintf(stderr, "hecat-load: CHECK FAILED: heap "
				    "grew by %lld bytes in %lu dials (at most "
				    "%lld)\n", samples[i].heap - samples[0].heap,
				    samples[i].dials, growth_max);
				bad = true;
			}
		}
		if (flat > 0 && nsamples >= 4 &&
		    (per = calloc(nsamples, sizeof(*per))) != NULL) {
			/* Time per dial: every stretch against the median. */
			for (i = 1; i < nsamples; i++)
				per[i - 1] = samples[i].us_per_dial;
			qsort(per, nsamples - 1, sizeof(*per), cmp_double);
			t0 = per[(nsamples - 1) / 2];
			for (i = 1; i < nsamples; i++) {
				if (samples[i].us_per_dial / t0 > spread)
					spread = samples[i].us_per_dial / t0;
				if (samples[i].us_per_dial > flat * t0) {
					fprintf(stderr, "hecat-load: CHECK "
					    "FAILED: %.1f us per dial up to "
					    "%lu dials, %.0f times the median "
					    "stretch's %.1f us (at most %.0f)\n",
					    samples[i].us_per_dial,
					    samples[i].dials,
					    samples[i].us_per_dial / t0, t0,
					    flat);
					bad = true;
				}
			}
			free(per);
		}
		if (r.fail > 0 || r.ok != dials) {
			fprintf(stderr, "hecat-load: CHECK FAILED: %lu of %lu "
			    "dials connected\n", r.ok, dials);
			bad = true;
		}
		if (!bad)
			fprintf(stderr, "hecat-load: check passed: %lu dials, "
			    "%d descriptors throughout, heap growth at most "
			    "%lld bytes (limit %lld)", dials, samples[0].fds,
			    heapmax - samples[0].heap, growth_max);
		if (!bad && spread > 0)
			fprintf(stderr, ", slowest stretch %.1f times the "
			    "median's time per dial (limit %.0f)", spread, flat);
		if (!bad)
			fputc('\n', stderr);
	}
	hecat_free(r.h);
	event_base_free(r.base);
	free(r.lat);
	free(all_lat);
	free(samples);
	if (lpid > 0) {
		kill(lpid, SIGTERM);
		waitpid(lpid, NULL, 0);
	}
	return bad ? 1 : 0;
}

int
main(int argc, char *argv[])
{
	if (argc < 2)
		usage();
	if (strcmp(argv[1], "listen") == 0)
		return cmd_listen(argc - 1, argv + 1);
	if (strcmp(argv[1], "dial") == 0)
		return cmd_dial(argc - 1, argv + 1);
	usage();
	return EX_USAGE;
}
