/*
 * delayline.c - hecat-delayline, the scenario network's link in user space.
 *
 *	hecat-delayline -c CLIENT_NS -s SERVER_NS [-i DEV] [-o DEV]
 *	    [-d PREFIX=MS]... [-r PREFIX=MS]... [-f FILE] [-l LOG]
 *	    [-q PACKETS] [-t SECONDS]
 *
 * Attaches to the TUN device DEV of -i (default hc0) in the network
 * namespace CLIENT_NS and to the one of -o (default hc1) in SERVER_NS
 * (names under /run/netns, as ip netns makes them, or paths), and moves
 * every packet read from one to the other, unchanged, after a delay:
 *
 *	-d PREFIX=MS	client to server, by the packet's destination
 *	-r PREFIX=MS	server to client, by the packet's source
 *
 * so "-d P=X -r P=Y" is a path of round trip X+Y ms to the servers in P.
 * PREFIX is ADDR or ADDR/LEN, IPv4 or IPv6; the longest prefix that
 * matches wins (of equal ones, the later); no match, or a packet that is
 * neither IPv4 nor IPv6, is not delayed.  The latency is made here
 * because tc netem is not there; and since the packets cross a user-space
 * hop, an ICMP error comes back to the client asynchronously, as from a
 * real network, and not while its socket is still busy in connect().
 *
 * -f FILE holds more rules, one a line ('#' starts a comment):
 *
 *	PREFIX MS		like -d
 *	return PREFIX MS	like -r
 *
 * It is read at the start and again at each SIGHUP; its rules replace
 * those of the previous reading (the -d and -r rules stay, before them).
 * Each SIGHUP is answered on stdout with "reloaded N", or "reload failed
 * N" (the old rules stay), N counting the SIGHUPs, once the new rules are
 * in force: a packet read after that line gets them.  Packets already
 * waiting keep the delay they got when they arrived.
 *
 * A packet leaves at its arrival (CLOCK_MONOTONIC) plus its delay.  Each
 * direction keeps the waiting packets in a heap ordered by that time and
 * then by arrival, so packets of one delay keep their order and a short
 * delay is not held behind a long one.  At most PACKETS (default 4096)
 * wait per direction; more are dropped and counted.  -l LOG writes a line
 * per packet:
 *
 *	T_MS c>s|s>c SRC > DST PROTO LEN +MS|drop
 *
 * and the counters at the end.  Prints "ready" on stdout when both devices
 * are attached; ends at SIGTERM or SIGINT, when its parent dies, or after
 * SECONDS (default 600), so that a forgotten delay line does not hold on
 * to the namespaces for long.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/if_tun.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#define MAXRULES	128		/* per rule set */
#define PKTMAX		65536		/* any IP packet */
#define BURST		64		/* reads per device per turn */
#define MS_MAX		600000u	/* the longest delay, 10 min */

enum dir {
	D_CS,			/* client to server, by destination */
	D_SC			/* server to client, by source */
};

struct rule {
	enum dir	dir;
	int		family;
	unsigned char	addr[16];	/* masked to plen */
	unsigned	plen;
	unsigned	ms;
};

struct ruleset {
	struct rule	r[MAXRULES];
	size_t		n;
};

struct pkt {
	uint64_t	due;		/* ns, CLOCK_MONOTONIC */
	uint64_t	seq;		/* arrival order */
	size_t		len;
	unsigned char	*data;
};

struct link {
	const char	*name;		/* "c>s" or "s>c" */
	enum dir	dir;
	int		in, out;	/* the TUN descriptors */
	struct pkt	*heap;
	size_t		n;
	uint64_t	seq;
	uint64_t	fwd, drops, errors;
};

static volatile sig_atomic_t stop, hup;
static struct ruleset cli_rules, file_rules;
static size_t qmax = 4096;
static FILE *logfp;
static uint64_t t0;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		hup = 1;
	else
		stop = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: hecat-delayline -c client_netns "
	    "-s server_netns [-i dev] [-o dev]\n"
	    "\t[-d prefix=ms]... [-r prefix=ms]... [-f file] [-l log] "
	    "[-q packets]\n\t[-t seconds]\n");
	exit(EX_USAGE);
}

/* Now, in ns of CLOCK_MONOTONIC. */
static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Parse a decimal number up to max; false if it is not one. */
static bool
parse_num(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno == 0 && *end == '\0' && *v <= max;
}

/* Parse "ADDR[/LEN]" into r (masked); false if it is not a prefix. */
static bool
parse_prefix(const char *s, struct rule *r)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	unsigned long plen;
	unsigned i, max;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	memset(r->addr, 0, sizeof(r->addr));
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, r->addr) == 1) {
		r->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, r->addr) == 1) {
		r->family = AF_INET6;
		max = 128;
	} else
		return false;
	plen = max;
	if (slash != NULL && !parse_num(slash, max, &plen))
		return false;
	r->plen = (unsigned)plen;
	for (i = r->plen; i < max; i++)
		r->addr[i / 8] &= (unsigned char)~(0x80u >> (i % 8));
	return true;
}

/* Add a rule to rs; false if rs is full. */
static bool
rule_add(struct ruleset *rs, enum dir d, const struct rule *r, unsigned ms)
{
	if (rs->n == MAXRULES)
		return false;
	rs->r[rs->n] = *r;
	rs->r[rs->n].dir = d;
	rs->r[rs->n].ms = ms;
	rs->n++;
	return true;
}

/* Parse a -d or -r argument, "PREFIX=MS", into rs; false if malformed. */
static bool
parse_arg(struct ruleset *rs, enum dir d, const char *arg)
{
	char buf[128], *eq;
	struct rule r;
	unsigned long ms;

	if (strlen(arg) >= sizeof(buf))
		return false;
	strcpy(buf, arg);
	if ((eq = strchr(buf, '=')) == NULL)
		return false;
	*eq++ = '\0';
	return parse_prefix(buf, &r) && parse_num(eq, MS_MAX, &ms) &&
	    rule_add(rs, d, &r, (unsigned)ms);
}

/*
 * Read the rules file into rs (emptied first); false, with a message on
 * stderr, if it cannot be read or a line is wrong.
 */
static bool
load_file(const char *path, struct ruleset *rs)
{
	char line[256], *w[4], *p, *save;
	unsigned long ms;
	struct rule r;
	enum dir d;
	FILE *f;
	unsigned lineno = 0;
	size_t nw;
	bool ok = true;

	rs->n = 0;
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "hecat-delayline: %s: %s\n", path,
		    strerror(errno));
		return false;
	}
	while (ok && fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		nw = 0;
		for (p = strtok_r(line, " \t\r\n", &save); p != NULL && nw < 4;
		    p = strtok_r(NULL, " \t\r\n", &save))
			w[nw++] = p;
		if (nw == 0)
			continue;
		d = D_CS;
		if (nw == 3 && strcmp(w[0], "return") == 0) {
			d = D_SC;
			w[0] = w[1];
			w[1] = w[2];
			nw = 2;
		}
		ok = nw == 2 && parse_prefix(w[0], &r) &&
		    parse_num(w[1], MS_MAX, &ms) &&
		    rule_add(rs, d, &r, (unsigned)ms);
	}
	if (ok && ferror(f))
		ok = false;
	fclose(f);
	if (!ok)
		fprintf(stderr, "hecat-delayline: %s:%u: bad rule\n", path,
		    lineno);
	return ok;
}

/* Whether addr (of family) is in r's prefix. */
static bool
rule_match(const struct rule *r, int family, const unsigned char *addr)
{
	unsigned full = r->plen / 8, rest = r->plen % 8;
	unsigned char mask;

	if (r->family != family || memcmp(r->addr, addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (unsigned char)(0xffu << (8 - rest));
	return (addr[full] & mask) == r->addr[full];
}

/*
 * The delay (ms) of a packet of direction d whose key address (the
 * destination client to server, the source server to client) is addr:
 * the longest matching prefix, the later of equal ones, or 0.
 */
static unsigned
lookup(enum dir d, int family, const unsigned char *addr)
{
	const struct ruleset *sets[2] = { &cli_rules, &file_rules };
	const struct rule *best = NULL, *r;
	size_t i, k;

	for (k = 0; k < 2; k++)
		for (i = 0; i < sets[k]->n; i++) {
			r = &sets[k]->r[i];
			if (r->dir == d && rule_match(r, family, addr) &&
			    (best == NULL || r->plen >= best->plen))
				best = r;
		}
	return best != NULL ? best->ms : 0;
}

/*
 * The family, source and destination of an IP packet; returns the family,
 * or 0 if the packet is neither a whole IPv4 nor IPv6 header.
 */
static int
pkt_addrs(const unsigned char *p, size_t len, const unsigned char **src,
    const unsigned char **dst, unsigned *proto)
{
	if (len >= 20 && p[0] >> 4 == 4) {
		*src = p + 12;
		*dst = p + 16;
		*proto = p[9];
		return AF_INET;
	}
	if (len >= 40 && p[0] >> 4 == 6) {
		*src = p + 8;
		*dst = p + 24;
		*proto = p[6];
		return AF_INET6;
	}
	return 0;
}

/* The packet's line in the log (ms < 0: dropped). */
static void
log_pkt(const struct link *l, uint64_t t, const unsigned char *p,
    size_t len, long ms)
{
	const unsigned char *src, *dst;
	char s[INET6_ADDRSTRLEN] = "?", d[INET6_ADDRSTRLEN] = "?";
	const char *pn;
	char pbuf[16];
	unsigned proto = 0;
	int family;

	if (logfp == NULL)
		return;
	if ((family = pkt_addrs(p, len, &src, &dst, &proto)) != 0) {
		inet_ntop(family, src, s, sizeof(s));
		inet_ntop(family, dst, d, sizeof(d));
	}
	switch (proto) {
	case 1:
		pn = "icmp";
		break;
	case 6:
		pn = "tcp";
		break;
	case 17:
		pn = "udp";
		break;
	case 58:
		pn = "icmp6";
		break;
	default:
		snprintf(pbuf, sizeof(pbuf), "proto%u", proto);
		pn = pbuf;
	}
	if (ms < 0)
		fprintf(logfp, "%.3f %s %s > %s %s %zu drop\n",
		    (double)(t - t0) / 1e6, l->name, s, d, pn, len);
	else
		fprintf(logfp, "%.3f %s %s > %s %s %zu +%ld\n",
		    (double)(t - t0) / 1e6, l->name, s, d, pn, len, ms);
}

/* Whether heap entry a leaves before b. */
static bool
before(const struct pkt *a, const struct pkt *b)
{
	return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void
heap_push(struct link *l, struct pkt pk)
{
	size_t i = l->n++, up;

	while (i > 0) {
		up = (i - 1) / 2;
		if (!before(&pk, &l->heap[up]))
			break;
		l->heap[i] = l->heap[up];
		i = up;
	}
	l->heap[i] = pk;
}

static void
heap_pop(struct link *l)
{
	struct pkt last = l->heap[--l->n];
	size_t i = 0, c;

	while ((c = 2 * i + 1) < l->n) {
		if (c + 1 < l->n && before(&l->heap[c + 1], &l->heap[c]))
			c++;
		if (!before(&l->heap[c], &last))
			break;
		l->heap[i] = l->heap[c];
		i = c;
	}
	if (l->n > 0)
		l->heap[i] = last;
}

/* Write one packet to l's output; counts what fails. */
static void
emit(struct link *l, const unsigned char *p, size_t len)
{
	ssize_t n;

	do
		n = write(l->out, p, len);
	while (n == -1 && errno == EINTR);
	if (n == (ssize_t)len)
		l->fwd++;
	else
		l->errors++;
}

/*
 * Read what l's input has (up to BURST packets) and queue it, or send it
 * at once if it has no delay and nothing waits; returns false on a read
 * error other than "nothing more".
 */
static bool
take(struct link *l, unsigned char *buf)
{
	const unsigned char *src, *dst;
	unsigned proto, ms;
	struct pkt pk;
	uint64_t t;
	ssize_t n;
	int i, family;

	for (i = 0; i < BURST; i++) {
		if ((n = read(l->in, buf, PKTMAX)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return true;
			fprintf(stderr, "hecat-delayline: read %s: %s\n",
			    l->name, strerror(errno));
			return false;
		}
		if (n == 0)
			return true;
		t = now_ns();
		ms = 0;
		if ((family = pkt_addrs(buf, (size_t)n, &src, &dst,
		    &proto)) != 0)
			ms = lookup(l->dir, family, l->dir == D_CS ? dst : src);
		if (ms == 0 && l->n == 0) {
			log_pkt(l, t, buf, (size_t)n, 0);
			emit(l, buf, (size_t)n);
			continue;
		}
		if (l->n == qmax || (pk.data = malloc((size_t)n)) == NULL) {
			log_pkt(l, t, buf, (size_t)n, -1);
			l->drops++;
			continue;
		}
		log_pkt(l, t, buf, (size_t)n, (long)ms);
		memcpy(pk.data, buf, (size_t)n);
		pk.len = (size_t)n;
		pk.due = t + (uint64_t)ms * 1000000u;
		pk.seq = l->seq++;
		heap_push(l, pk);
	}
	return true;
}

/* Send l's packets that are due at t. */
static void
release(struct link *l, uint64_t t)
{
	while (l->n > 0 && l->heap[0].due <= t) {
		emit(l, l->heap[0].data, l->heap[0].len);
		free(l->heap[0].data);
		heap_pop(l);
	}
}

/*
 * Open the network namespace NAME: a path if it has a '/', else under
 * /run/netns or /var/run/netns; returns the descriptor or -1.
 */
static int
ns_open(const char *name)
{
	static const char *dirs[] = { "/run/netns", "/var/run/netns" };
	char path[256];
	size_t i;
	int fd = -1;

	if (strchr(name, '/') != NULL)
		return open(name, O_RDONLY | O_CLOEXEC);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && fd == -1; i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	return fd;
}

/*
 * Attach to the existing TUN device dev in namespace ns (a TUN descriptor
 * belongs to the namespace it was opened in), then go back to the
 * namespace self; returns the non-blocking descriptor, or exits.
 */
static int
tun_attach(const char *ns, const char *dev, int self)
{
	struct ifreq ifr;
	int nsfd, fd;

	if ((nsfd = ns_open(ns)) == -1 || setns(nsfd, CLONE_NEWNET) == -1) {
		fprintf(stderr, "hecat-delayline: netns %s: %s\n", ns,
		    strerror(errno));
		exit(EX_OSERR);
	}
	close(nsfd);
	/* TUNSETIFF would make a new device: only an existing one will do. */
	if (strlen(dev) >= IFNAMSIZ || if_nametoindex(dev) == 0) {
		fprintf(stderr, "hecat-delayline: %s: no device %s\n", ns,
		    dev);
		exit(EX_OSERR);
	}
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, dev, IFNAMSIZ - 1);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	if ((fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)) ==
	    -1 || ioctl(fd, TUNSETIFF, &ifr) == -1) {
		fprintf(stderr, "hecat-delayline: %s: %s: %s\n", ns, dev,
		    strerror(errno));
		exit(EX_OSERR);
	}
	if (setns(self, CLONE_NEWNET) == -1) {
		fprintf(stderr, "hecat-delayline: back to own netns: %s\n",
		    strerror(errno));
		exit(EX_OSERR);
	}
	return fd;
}

/* Tell whoever waits on stdout how a reload went. */
static void
say(const char *what, unsigned n)
{
	printf("%s %u\n", what, n);
	fflush(stdout);
}

int
main(int argc, char *argv[])
{
	static unsigned char buf[PKTMAX];
	const char *cns = NULL, *sns = NULL, *cdev = "hc0", *sdev = "hc1";
	const char *file = NULL, *logpath = NULL;
	struct link links[2] = {
		{ .name = "c>s", .dir = D_CS },
		{ .name = "s>c", .dir = D_SC }
	};
	struct ruleset next;
	struct pollfd pfd[2];
	struct sigaction sa;
	struct timespec ts;
	sigset_t block, waitmask;
	unsigned long v, seconds = 600;
	uint64_t t, end, due;
	unsigned reloads = 0;
	pid_t parent;
	int ch, self, i, rc = 0;

	while ((ch = getopt(argc, argv, "c:d:f:i:l:o:q:r:s:t:")) != -1) {
		switch (ch) {
		case 'c':
			cns = optarg;
			break;
		case 'd':
		case 'r':
			if (!parse_arg(&cli_rules, ch == 'd' ? D_CS : D_SC,
			    optarg)) {
				fprintf(stderr, "hecat-delayline: bad rule "
				    "-%c %s\n", ch, optarg);
				usage();
			}
			break;
		case 'f':
			file = optarg;
			break;
		case 'i':
			cdev = optarg;
			break;
		case 'l':
			logpath = optarg;
			break;
		case 'o':
			sdev = optarg;
			break;
		case 'q':
			if (!parse_num(optarg, 1u << 20, &v) || v == 0)
				usage();
			qmax = v;
			break;
		case 's':
			sns = optarg;
			break;
		case 't':
			if (!parse_num(optarg, 86400, &v) || v == 0)
				usage();
			seconds = v;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || cns == NULL || sns == NULL)
		usage();
	if (file != NULL && !load_file(file, &file_rules))
		return EX_DATAERR;
	if (logpath != NULL) {
		if ((logfp = fopen(logpath, "w")) == NULL) {
			fprintf(stderr, "hecat-delayline: %s: %s\n", logpath,
			    strerror(errno));
			return EX_CANTCREAT;
		}
		setvbuf(logfp, NULL, _IOLBF, 0);
	}
	for (i = 0; i < 2; i++)
		if ((links[i].heap = calloc(qmax, sizeof(struct pkt))) ==
		    NULL) {
			fprintf(stderr, "hecat-delayline: out of memory\n");
			return EX_OSERR;
		}

	/*
	 * The signals are blocked but while waiting in ppoll(), so none is
	 * missed between a check of the flags and the wait.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGHUP);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	parent = getppid();
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		return 0;

	if ((self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "hecat-delayline: own netns: %s\n",
		    strerror(errno));
		return EX_OSERR;
	}
	links[D_CS].in = links[D_SC].out = tun_attach(cns, cdev, self);
	links[D_SC].in = links[D_CS].out = tun_attach(sns, sdev, self);
	close(self);
	pfd[0].fd = links[D_CS].in;
	pfd[1].fd = links[D_SC].in;
	pfd[0].events = pfd[1].events = POLLIN;

	t0 = now_ns();
	end = t0 + (uint64_t)seconds * 1000000000u;
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		if (hup) {
			hup = 0;
			reloads++;
			if (file != NULL && load_file(file, &next)) {
				file_rules = next;
				say("reloaded", reloads);
			} else
				say("reload failed", reloads);
		}
		t = now_ns();
		release(&links[0], t);
		release(&links[1], t);
		if (t >= end)
			break;
		due = end;
		for (i = 0; i < 2; i++)
			if (links[i].n > 0 && links[i].heap[0].due < due)
				due = links[i].heap[0].due;
		ts.tv_sec = (time_t)((due - t) / 1000000000u);
		ts.tv_nsec = (long)((due - t) % 1000000000u);
		if (ppoll(pfd, 2, &ts, &waitmask) == -1) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "hecat-delayline: ppoll: %s\n",
			    strerror(errno));
			rc = EX_OSERR;
			break;
		}
		for (i = 0; i < 2; i++) {
			if (pfd[i].revents & (POLLERR | POLLHUP | POLLNVAL)) {
				fprintf(stderr, "hecat-delayline: %s: device "
				    "gone\n", links[i].name);
				stop = 1;
				rc = EX_OSERR;
			} else if ((pfd[i].revents & POLLIN) &&
			    !take(&links[i], buf)) {
				stop = 1;
				rc = EX_OSERR;
			}
		}
	}

	for (i = 0; i < 2; i++) {
		if (logfp != NULL)
			fprintf(logfp, "# %s: %llu forwarded, %llu dropped, "
			    "%llu write errors, %zu left waiting\n",
			    links[i].name, (unsigned long long)links[i].fwd,
			    (unsigned long long)links[i].drops,
			    (unsigned long long)links[i].errors, links[i].n);
		if (links[i].drops > 0 || links[i].errors > 0)
			fprintf(stderr, "hecat-delayline: %s: %llu dropped, "
			    "%llu write errors\n", links[i].name,
			    (unsigned long long)links[i].drops,
			    (unsigned long long)links[i].errors);
		while (links[i].n > 0) {
			free(links[i].heap[0].data);
			heap_pop(&links[i]);
		}
		free(links[i].heap);
	}
	if (logfp != NULL)
		fclose(logfp);
	return rc;
}
