/*
 * testutil.c - loopback test helpers (see testutil.h).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <event2/event.h>

#include "dnsd.h"
#include "testutil.h"

struct event_base *
tu_base(void)
{
	struct event_config *cfg = event_config_new();
	struct event_base *base;

	if (cfg == NULL)
		return NULL;
	event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER);
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	return base;
}

static socklen_t
make_sa(const char *addr, uint16_t port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		return sizeof(*sin);
	}
	if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		return sizeof(*sin6);
	}
	return 0;
}

/*
 * A TCP socket bound to addr and port (IPv6 only for IPv6), listening if
 * asked.  A bound socket that does not listen refuses connections and
 * keeps anybody else from listening there.
 */
static int
bound(const char *addr, uint16_t port, bool listening, uint16_t *out)
{
	struct sockaddr_storage ss;
	socklen_t len = make_sa(addr, port, &ss);
	int fd, one = 1;

	if (len == 0 || (fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    (listening && listen(fd, 128) == -1)) {
		close(fd);
		return -1;
	}
	len = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &len);
	if (out != NULL)
		*out = ntohs(ss.ss_family == AF_INET6 ?
		    ((struct sockaddr_in6 *)&ss)->sin6_port :
		    ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

int
tu_listen(const char *addr, uint16_t port, uint16_t *out)
{
	return bound(addr, port, true, out);
}

bool
tu_have_ipv6(void)
{
	int fd = bound("::1", 0, false, NULL);

	if (fd == -1)
		return false;
	close(fd);
	return true;
}

uint16_t
tu_listen_pair(bool want4, bool want6, int *fd4, int *fd6)
{
	bool v6 = tu_have_ipv6();
	uint16_t port = 0;
	int tries, a, b = -1;

	for (tries = 0; tries < 50; tries++) {
		if ((a = bound("127.0.0.1", 0, want4, &port)) == -1)
			return 0;
		if (!v6 || (b = bound("::1", port, want6, NULL)) != -1) {
			*fd4 = a;
			*fd6 = b;
			return port;
		}
		close(a);	/* the port is taken on ::1: another */
	}
	return 0;
}

bool
tu_accept_close(int fd)
{
	int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK);

	if (c == -1)
		return false;
	close(c);
	return true;
}

static void
tu_stop_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	*(bool *)arg = true;
}

bool
tu_run_until(struct event_base *base, const bool *flag, unsigned ms)
{
	struct timeval tv = { (time_t)(ms / 1000),
	    (suseconds_t)((ms % 1000) * 1000) };
	bool expired = false;
	struct event *ev = evtimer_new(base, tu_stop_cb, &expired);

	evtimer_add(ev, &tv);
	while (!*flag && !expired)
		if (event_base_loop(base, EVLOOP_ONCE) == -1)
			break;
	event_free(ev);
	return *flag;
}

void
tu_run_for(struct event_base *base, unsigned ms)
{
	bool never = false;

	tu_run_until(base, &never, ms);
}

int
tu_count_fds(void)
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
	return n - 1;		/* not the directory's own descriptor */
}

size_t
tu_heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	/* Small blocks in the arena, large ones mmap()ed. */
	return mi.uordblks + mi.hblkhd;
}

/*
 * For a failed heap check: glibc's per-thread cache keeps freed blocks
 * that mallinfo2() counts as in use; make check turns it off.
 */
const char *
tu_tcache_hint(void)
{
	const char *t = getenv("GLIBC_TUNABLES");

	if (t != NULL && strstr(t, "glibc.malloc.tcache_count=0") != NULL)
		return "";
	return " (glibc's tcache is on: run with "
	    "GLIBC_TUNABLES=glibc.malloc.tcache_count=0, as make check does)";
}

uint16_t
tu_spawn_dnsd(const char *rules, pid_t *pid)
{
	char *path = tu_tempfile(rules), line[64] = "";
	struct pollfd pfd;
	int p[2], port = 0;
	ssize_t n;
	size_t off = 0;
	double end;

	*pid = -1;
	if (path == NULL || pipe2(p, O_CLOEXEC) == -1) {
		free(path);
		return 0;
	}
	if ((*pid = fork()) == 0) {
		dup2(p[1], STDOUT_FILENO);
		execl("tests/hecat-dnsd", "hecat-dnsd", path, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	/* Wait for "port N\n", 5 s at most. */
	pfd.fd = p[0];
	pfd.events = POLLIN;
	end = tu_now_ms() + 5000;
	while (*pid > 0 && strchr(line, '\n') == NULL && off < sizeof(line) - 1 &&
	    tu_now_ms() < end) {
		if (poll(&pfd, 1, (int)(end - tu_now_ms()) + 1) <= 0)
			continue;
		if ((n = read(p[0], line + off, sizeof(line) - 1 - off)) <= 0)
			break;
		off += (size_t)n;
		line[off] = '\0';
	}
	close(p[0]);
	unlink(path);
	free(path);
	if (sscanf(line, "port %d", &port) != 1 || port <= 0 || port > 65535) {
		tu_stop_process(*pid);
		*pid = -1;
		return 0;
	}
	return (uint16_t)port;
}

void
tu_stop_process(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

char *
tu_tempfile(const char *text)
{
	char *path = strdup("/tmp/hecat-test-XXXXXX");
	int fd;
	size_t len = strlen(text);

	if (path == NULL || (fd = mkstemp(path)) == -1) {
		free(path);
		return NULL;
	}
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

int
tu_slowdown(void)
{
	const char *s = getenv("HECAT_TEST_SLOWDOWN");
	int n = s != NULL ? atoi(s) : 1;

	return n >= 1 && n <= 1000 ? n : 1;
}

double
tu_upper(double lo, double hi)
{
	return lo + (hi - lo) * tu_slowdown();
}

double
tu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- results and traces ------------------------------------------------------ */

static void
fmt_sa(const struct sockaddr *sa, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	buf[0] = '\0';
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(s4->sin_port));
	}
}

void
tu_dial_cb(const struct hecat_result *r, void *arg)
{
	struct tu_dial *td = arg;
	size_t i;

	td->done = true;
	td->err = r->err;
	td->fd = r->fd;
	fmt_sa(r->addr, td->addr, sizeof(td->addr));
	td->family = r->addr != NULL ? r->addr->sa_family : 0;
	snprintf(td->message, sizeof(td->message), "%s",
	    r->message != NULL ? r->message : "");
	td->aaaa_status = r->aaaa_status;
	td->a_status = r->a_status;
	td->attempts = r->attempts;
	td->nfailures = r->nfailures;
	for (i = 0; i < r->nfailures && i < 16; i++) {
		td->errors[i] = r->failures[i].error;
		td->stages[i] = r->failures[i].stage;
	}
	td->tls = r->tls;
	td->elapsed_ms = (double)r->elapsed_ns / 1e6;
}

void
tu_trace_cb(const struct hecat_trace *t, void *arg)
{
	struct tu_dial *td = arg;
	struct tu_event *ev;

	if (td->nev == TU_MAXEV)
		return;
	ev = &td->ev[td->nev++];
	memset(ev, 0, sizeof(*ev));
	ev->kind = t->kind;
	ev->ms = (double)t->since_ns / 1e6;
	ev->family = t->family;
	fmt_sa(t->addr, ev->addr, sizeof(ev->addr));
	snprintf(ev->reason, sizeof(ev->reason), "%s",
	    hecat_why_name(t->why));
	ev->result = t->result;
	ev->stage = t->stage;
	if (t->detail != NULL)
		snprintf(ev->detail, sizeof(ev->detail), "%s", t->detail);
	ev->error = t->error;
	ev->status = t->status;
	ev->naddrs = t->naddrs;
	ev->tries = t->tries;
	ev->shared = t->shared;
}

void
tu_opts(struct hecat_opts *o, struct tu_dial *td)
{
	hecat_opts_init(o);
	memset(td, 0, sizeof(*td));
	td->fd = -1;
	o->trace = tu_trace_cb;
	o->trace_arg = td;
}

const struct tu_event *
tu_find(const struct tu_dial *td, enum hecat_trace_kind kind, size_t nth)
{
	size_t i;

	for (i = 0; i < td->nev; i++)
		if (td->ev[i].kind == kind && nth-- == 0)
			return &td->ev[i];
	return NULL;
}

const struct tu_event *
tu_find_end(const struct tu_dial *td, int result, size_t nth)
{
	size_t i;

	for (i = 0; i < td->nev; i++)
		if (td->ev[i].kind == HECAT_TRACE_ATTEMPT_END &&
		    td->ev[i].result == result && nth-- == 0)
			return &td->ev[i];
	return NULL;
}

double
tu_ms(const struct tu_dial *td, enum hecat_trace_kind kind, int family,
    size_t nth)
{
	size_t i, k = nth;

	for (i = 0; i < td->nev; i++)
		if (td->ev[i].kind == kind && (family == 0 ||
		    td->ev[i].family == family) && k-- == 0)
			return td->ev[i].ms;
	tu_dump(td);
	ck_abort_msg("no event %s (family %d) #%zu in the trace",
	    hecat_trace_name(kind), family, nth);
	return -1;
}

double
tu_done_ms(const struct tu_dial *td)
{
	size_t i;

	for (i = 0; i < td->nev; i++)
		if (td->ev[i].kind == HECAT_TRACE_WINNER ||
		    td->ev[i].kind == HECAT_TRACE_DIAL_FAILED)
			return td->ev[i].ms;
	tu_dump(td);
	ck_abort_msg("the dial's end is not in the trace");
	return -1;
}

size_t
tu_count(const struct tu_dial *td, enum hecat_trace_kind kind)
{
	size_t i, n = 0;

	for (i = 0; i < td->nev; i++)
		n += td->ev[i].kind == kind;
	return n;
}

void
tu_dump(const struct tu_dial *td)
{
	size_t i;

	for (i = 0; i < td->nev; i++) {
		const struct tu_event *e = &td->ev[i];

		fprintf(stderr, "  %8.3fms %-17s fam=%d %s %s %s err=%d "
		    "st=%d %s\n", e->ms, hecat_trace_name(e->kind), e->family,
		    e->addr, e->reason, e->kind == HECAT_TRACE_ATTEMPT_END ?
		    hecat_attempt_result_name(e->result) : "", e->error,
		    e->status, e->detail);
	}
	fprintf(stderr, "  result err=%d addr=%s msg=%s\n", td->err, td->addr,
	    td->message);
}

void
tu_env_up(struct tu_env *env, const char *const *rules, const char *hosts,
    const char *resolv, bool listen4, bool listen6)
{
	struct hecat_config cfg;

	memset(env, 0, sizeof(*env));
	env->fd4 = env->fd6 = -1;
	ck_assert_ptr_nonnull(env->base = tu_base());
	ck_assert_ptr_nonnull(env->dns = dnsd_new(env->base, "127.0.0.1", 0));
	for (; rules != NULL && *rules != NULL; rules++)
		ck_assert_msg(dnsd_rule(env->dns, *rules) == 0, "rule %s",
		    *rules);
	snprintf(env->ns, sizeof(env->ns), "127.0.0.1:%u",
	    dnsd_port(env->dns));
	ck_assert_ptr_nonnull(env->hosts = tu_tempfile(hosts ? hosts : ""));
	ck_assert_ptr_nonnull(env->resolv =
	    tu_tempfile(resolv ? resolv : ""));
	hecat_config_init(&cfg);
	cfg.nameservers = env->ns;
	cfg.hosts = env->hosts;
	cfg.resolv_conf = env->resolv;
	ck_assert_ptr_nonnull(env->h = hecat_new(env->base, &cfg));
	env->port = tu_listen_pair(listen4, listen6, &env->fd4, &env->fd6);
	ck_assert_uint_ne(env->port, 0);
}

void
tu_env_down(struct tu_env *env)
{
	hecat_free(env->h);
	dnsd_free(env->dns);
	event_base_free(env->base);
	if (env->fd4 != -1)
		close(env->fd4);
	if (env->fd6 != -1)
		close(env->fd6);
	unlink(env->hosts);
	unlink(env->resolv);
	free(env->hosts);
	free(env->resolv);
}
