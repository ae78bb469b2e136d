/*
 * check_history.c - connection history (core/history.c and the stores
 * of io/histstore.c): RFC 6298 smoothing, what a record means for a
 * dial (failures moved back for 10 minutes, RTTs believed for 7 days),
 * the file format and what is not it, the size bound, and the file
 * store shared by processes: written by one, read by another, rewritten
 * when corrupt, never waiting for a lock another process holds (what it
 * puts off, and loses), and 8 writers at once accounted for.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "histstore.h"
#include "history.h"
#include "netinfo.h"

#define NET	UINT64_C(0x1234567890abcdef)
#define NOW	INT64_C(1800000000)

static struct hecat_hist_obs
obs(const char *addr, int event, uint32_t rtt_us, int err, int64_t t)
{
	struct hecat_hist_obs o;
	struct hecat__ip ip;

	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(hecat__ip_parse(&ip, addr), 0);
	hecat__ip_to_sa(&ip, 0, &o.addr);
	o.event = event;
	o.rtt_us = rtt_us;
	o.error = err;
	o.t = t;
	return o;
}

static struct hecat_hist
lookup(const struct hecat_store *st, void *arg, uint64_t net,
    const char *addr)
{
	struct hecat_hist h;
	struct hecat__ip ip;

	memset(&h, 0, sizeof(h));
	ck_assert_int_eq(hecat__ip_parse(&ip, addr), 0);
	hecat__ip_to_sa(&ip, 0, &h.addr);
	st->lookup(arg, net, &h, 1);
	return h;
}

/* RFC 6298 section 2: the first sample, then alpha 1/8, beta 1/4. */
START_TEST(R_5_6_smoothing)
{
	struct hecat_hist h;
	struct hecat_hist_obs o = obs("192.0.2.1", HECAT_HIST_CONNECTED,
	    8000, 0, NOW);

	memset(&h, 0, sizeof(h));
	hecat_hist_apply(&h, &o);
	ck_assert_uint_eq(h.srtt_us, 8000);
	ck_assert_uint_eq(h.rttvar_us, 4000);
	o.rtt_us = 16000;
	hecat_hist_apply(&h, &o);
	/* rttvar = 3/4 4000 + 1/4 8000; srtt = 7/8 8000 + 1/8 16000 */
	ck_assert_uint_eq(h.rttvar_us, 5000);
	ck_assert_uint_eq(h.srtt_us, 9000);
	ck_assert_uint_eq(h.successes, 2);
	o.event = HECAT_HIST_FAILED;
	o.error = ETIMEDOUT;
	hecat_hist_apply(&h, &o);
	ck_assert_uint_eq(h.failures, 1);
	ck_assert_int_eq(h.error, ETIMEDOUT);
	/* A connect clears the failures; a lost race is one with error 0. */
	o.event = HECAT_HIST_LOST;
	hecat_hist_apply(&h, &o);
	ck_assert_uint_eq(h.failures, 2);
	ck_assert_int_eq(h.error, 0);
	o.event = HECAT_HIST_CONNECTED;
	hecat_hist_apply(&h, &o);
	ck_assert_uint_eq(h.failures, 0);
}
END_TEST

/* The RTO: srtt + max(1 ms, 4 rttvar), in ns; failures for 10 min. */
START_TEST(view_rules)
{
	struct hecat_hist h;
	struct hecat__hview v;

	memset(&h, 0, sizeof(h));
	h.srtt_us = 20000;
	h.rttvar_us = 5000;
	h.successes = 3;
	h.t_success = NOW;
	hecat__hist_view(&h, NOW + 10, &v);
	ck_assert_uint_eq(v.rtt, 20000000);
	ck_assert_uint_eq(v.rto, 40000000);
	ck_assert(!v.failed);
	h.rttvar_us = 10;			/* G, 1 ms, wins */
	hecat__hist_view(&h, NOW, &v);
	ck_assert_uint_eq(v.rto, 21000000);
	/* An RTT older than 7 days is not believed. */
	hecat__hist_view(&h, NOW + HECAT__HIST_RTT_TTL, &v);
	ck_assert_uint_eq(v.rtt, 0);
	ck_assert_uint_eq(v.rto, 0);

	h.failures = 1;
	h.t_failure = NOW;
	hecat__hist_view(&h, NOW + HECAT__HIST_FAIL_TTL - 1, &v);
	ck_assert(v.failed);
	ck_assert_int_eq(v.age, HECAT__HIST_FAIL_TTL - 1);
	hecat__hist_view(&h, NOW + HECAT__HIST_FAIL_TTL, &v);
	ck_assert(!v.failed);
	/* A clock that went back: age 0, not negative. */
	hecat__hist_view(&h, NOW - 100, &v);
	ck_assert(v.failed);
	ck_assert_int_eq(v.age, 0);
}
END_TEST

/* one network's history is not another's. */
START_TEST(R_4_5_per_network)
{
	void *m = hecat__store_mem_new();
	struct hecat_hist_obs o = obs("2001:db8::1", HECAT_HIST_FAILED, 0,
	    ETIMEDOUT, NOW);
	struct hecat_hist h;

	ck_assert_ptr_nonnull(m);
	hecat__store_mem.record(m, NET, &o, 1);
	h = lookup(&hecat__store_mem, m, NET, "2001:db8::1");
	ck_assert_uint_eq(h.failures, 1);
	h = lookup(&hecat__store_mem, m, NET + 1, "2001:db8::1");
	ck_assert_uint_eq(h.failures, 0);
	ck_assert_int_eq(h.t_failure, 0);
	h = lookup(&hecat__store_mem, m, NET, "2001:db8::2");
	ck_assert_uint_eq(h.failures, 0);
	hecat__store_mem.free(m);
}
END_TEST

START_TEST(format_roundtrip)
{
	struct hecat__htab t = { NULL, 0, 0 }, u = { NULL, 0, 0 };
	struct hecat_hist_obs o[3];
	struct hecat__hent *e;
	struct hecat__ip ip;
	char *text;
	size_t len;

	o[0] = obs("2001:db8::1", HECAT_HIST_CONNECTED, 1234, 0, NOW);
	o[1] = obs("192.0.2.1", HECAT_HIST_FAILED, 0, ECONNREFUSED, NOW + 1);
	o[2] = obs("192.0.2.1", HECAT_HIST_CONNECTED, 99, 0, NOW + 2);
	ck_assert_int_eq(hecat__htab_apply(&t, NET, o, 3), 0);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_ptr_nonnull(text = hecat__htab_format(&t, &len));
	ck_assert_int_eq(hecat__htab_parse(&u, text, len), 0);
	ck_assert_uint_eq(u.n, 2);
	hecat__ip_parse(&ip, "192.0.2.1");
	ck_assert_ptr_nonnull(e = hecat__htab_find(&u, NET, &ip));
	ck_assert_uint_eq(e->h.srtt_us, 99);
	ck_assert_uint_eq(e->h.successes, 1);
	ck_assert_uint_eq(e->h.failures, 0);
	ck_assert_int_eq(e->h.t_failure, NOW + 1);
	ck_assert_int_eq(e->h.error, ECONNREFUSED);
	free(text);
	hecat__htab_clear(&t);
	hecat__htab_clear(&u);
}
END_TEST

/* Not ours, or corrupt: rejected whole, the table left empty. */
START_TEST(format_rejects)
{
	static const char *const bad[] = {
		"",
		"hecat-history 2\n",
		"hecat-history 1 \n",
		"# hecat-history 1\n",
		"hecat-history 1\n1234567890abcdef ::1 1 1 1 0 5 0\n",
		"hecat-history 1\n1234567890abcdef ::1 1 1 1 0 5 0 0 9\n",
		"hecat-history 1\n1234567890abcdeg ::1 1 1 1 0 5 0 0\n",
		"hecat-history 1\n234567890abcdef ::1 1 1 1 0 5 0 0\n",
		"hecat-history 1\n1234567890abcdef ::g 1 1 1 0 5 0 0\n",
		"hecat-history 1\n1234567890abcdef fe80::1%1 1 1 1 0 5 0 0\n",
		"hecat-history 1\n1234567890abcdef ::1 4294967296 1 1 0 5 0 0\n",
		"hecat-history 1\n1234567890abcdef ::1 -1 1 1 0 5 0 0\n",
		("hecat-history 1\n1234567890abcdef ::1 1 1 1 0 5 0 0\n"
		    "1234567890abcdef ::1 2 2 2 0 6 0 0\n"),
		"hecat-history 1\n1234567890abcdef ::1 1 1 1 0 5 0 0\n\n",
		"hecat-history 1\n1234567890abcdef ::1 1 1 1 0 5 0 0\0\n",
	};
	static const size_t badlen[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 52 };
	struct hecat__htab t = { NULL, 0, 0 };
	size_t i, len;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = badlen[i] != 0 ? badlen[i] : strlen(bad[i]);
		ck_assert_msg(hecat__htab_parse(&t, bad[i], len) == -1 &&
		    t.n == 0, "accepted case %zu", i);
	}
	ck_assert_int_eq(hecat__htab_parse(&t, "hecat-history 1\n"
	    "1234567890abcdef ::1 1 1 1 0 5 0 0\n", 51), 0);
	ck_assert_uint_eq(t.n, 1);
	hecat__htab_clear(&t);
}
END_TEST

/* At most 512 records, the most recently touched; 30 days at most. */
START_TEST(size_bound)
{
	struct hecat__htab t = { NULL, 0, 0 };
	struct hecat_hist_obs o;
	char a[64];
	int i;

	for (i = 0; i < 700; i++) {
		snprintf(a, sizeof(a), "2001:db8::%x", i + 1);
		o = obs(a, HECAT_HIST_CONNECTED, 100, 0, NOW + i);
		ck_assert_int_eq(hecat__htab_apply(&t, NET, &o, 1), 0);
	}
	hecat__htab_prune(&t, NOW + 700);
	ck_assert_uint_eq(t.n, HECAT__HIST_MAX);
	for (i = 0; i < (int)t.n; i++)
		ck_assert_int_ge(t.v[i].h.t_success, NOW + 700 - 512);
	hecat__htab_prune(&t, NOW + 699 + HECAT__HIST_MAX_AGE - 10);
	ck_assert_uint_eq(t.n, 10);	/* NOW + 690 .. NOW + 699 */
	hecat__htab_clear(&t);
}
END_TEST

static char dir[64];

static void
dir_up(void)
{
	snprintf(dir, sizeof(dir), "/tmp/check_history.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
dir_down(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* One process writes (making the directories), another reads. */
START_TEST(file_shared)
{
	char path[128];
	struct hecat_hist_obs o[2];
	struct hecat_hist h;
	struct stat st;
	void *w, *r;

	dir_up();
	snprintf(path, sizeof(path), "%s/a/b/history", dir);
	ck_assert_ptr_nonnull(w = hecat__store_file_new(path));
	ck_assert_ptr_nonnull(r = hecat__store_file_new(path));
	h = lookup(&hecat__store_file, r, NET, "2001:db8::1");
	ck_assert_int_eq(h.t_failure, 0);
	o[0] = obs("2001:db8::1", HECAT_HIST_LOST, 0, 0, time(NULL));
	o[1] = obs("192.0.2.1", HECAT_HIST_CONNECTED, 700, 0, time(NULL));
	hecat__store_file.record(w, NET, o, 2);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	h = lookup(&hecat__store_file, r, NET, "2001:db8::1");
	ck_assert_uint_eq(h.failures, 1);
	h = lookup(&hecat__store_file, r, NET, "192.0.2.1");
	ck_assert_uint_eq(h.srtt_us, 700);
	/* The reader sees the writer's next change. */
	o[1].rtt_us = 1500;
	hecat__store_file.record(w, NET, &o[1], 1);
	h = lookup(&hecat__store_file, r, NET, "192.0.2.1");
	ck_assert_uint_eq(h.successes, 2);
	hecat__store_file.free(w);
	hecat__store_file.free(r);
	dir_down();
}
END_TEST

/* A corrupt file is ignored, then replaced by the next write. */
START_TEST(file_corrupt_rewritten)
{
	char path[128];
	struct hecat_hist_obs o;
	struct hecat_hist h;
	FILE *f;
	void *s;
	char line[64];

	dir_up();
	snprintf(path, sizeof(path), "%s/history", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("hecat-history 1\n1234567890abcdef 2001:db8::1 5 5 5 0 5 0 0\n"
	    "\x01\x02 garbage\n", f);
	fclose(f);
	ck_assert_ptr_nonnull(s = hecat__store_file_new(path));
	h = lookup(&hecat__store_file, s, NET, "2001:db8::1");
	ck_assert_uint_eq(h.successes, 0);
	o = obs("192.0.2.7", HECAT_HIST_FAILED, 0, EHOSTUNREACH, time(NULL));
	hecat__store_file.record(s, NET, &o, 1);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	ck_assert_str_eq(line, "hecat-history 1\n");
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	ck_assert_ptr_nonnull(strstr(line, " 192.0.2.7 "));
	ck_assert_ptr_null(fgets(line, sizeof(line), f));
	fclose(f);
	hecat__store_file.free(s);
	dir_down();
}
END_TEST

/*
 * How much slower than normal this run may be, as testutil.c's
 * tu_slowdown() reads it (this suite does not link testutil.c).
 */
static int
slowdown(void)
{
	const char *s = getenv("HECAT_TEST_SLOWDOWN");
	int n = s != NULL ? atoi(s) : 1;

	return n >= 1 && n <= 1000 ? n : 1;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* What a store call may take with the lock held elsewhere. */
#define PROMPT_MS	(100.0 * slowdown())
/* How long the holder keeps the lock if never told to let go. */
#define HOLD_MS		(2000 * slowdown())

/*
 * Another process to hold the history file's lock: a child, forked
 * before the test allocates anything (its exit must not count the
 * test's memory as leaked), that takes an flock(LOCK_EX) on PATH.lock
 * when told on a pipe, says so on another, and lets go when the first
 * closes (or after HOLD_MS, so that a store that waits for the lock
 * fails its test instead of hanging it).
 */
struct holder {
	pid_t	pid;
	int	cmd;			/* 'L': lock; closed: let go */
	int	ack;
};

static void
holder_start(struct holder *hd, const char *path)
{
	char lock[160], c;
	int cmd[2], ack[2];

	snprintf(lock, sizeof(lock), "%s.lock", path);
	ck_assert_int_eq(pipe(cmd), 0);
	ck_assert_int_eq(pipe(ack), 0);
	ck_assert_int_ne(hd->pid = fork(), -1);
	if (hd->pid == 0) {
		struct pollfd pfd = { cmd[0], POLLIN, 0 };
		int fd;

		close(cmd[1]);
		close(ack[0]);
		if (read(cmd[0], &c, 1) != 1)
			_exit(0);	/* let go before taking it */
		fd = open(lock, O_RDWR | O_CREAT, 0600);
		c = fd != -1 && flock(fd, LOCK_EX) == 0 ? 'L' : 'E';
		if (write(ack[1], &c, 1) != 1)
			_exit(1);
		(void)poll(&pfd, 1, HOLD_MS);
		_exit(0);		/* and the lock goes with it */
	}
	close(cmd[0]);
	close(ack[1]);
	hd->cmd = cmd[1];
	hd->ack = ack[0];
}

static void
holder_lock(struct holder *hd)
{
	char c = 'L';

	ck_assert_int_eq(write(hd->cmd, &c, 1), 1);
	ck_assert_int_eq(read(hd->ack, &c, 1), 1);
	ck_assert_int_eq(c, 'L');
}

static void
holder_release(struct holder *hd)
{
	int status;

	close(hd->cmd);
	close(hd->ack);
	ck_assert_int_eq(waitpid(hd->pid, &status, 0), hd->pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* The file's bytes (free them). */
static char *
slurp(const char *path)
{
	static char buf[8192];
	FILE *f;
	size_t n;

	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	ck_assert(!ferror(f) && feof(f));
	fclose(f);
	buf[n] = '\0';
	return strdup(buf);
}

/*
 * The library never blocks its caller's event loop: with the lock held
 * by another process, record returns at once and the update is put off
 * (the file unchanged; the writer's own lookups see it); once the lock
 * is free, the next record lands, with the outcome put off.
 */
START_TEST(file_record_lock_busy)
{
	char path[128], *before, *after;
	struct hecat_hist_obs o1, o2, o3;
	struct hecat__fstats st;
	struct hecat_hist h;
	struct holder hd;
	double t0, ms;
	void *w, *r;

	dir_up();
	snprintf(path, sizeof(path), "%s/history", dir);
	holder_start(&hd, path);
	ck_assert_ptr_nonnull(w = hecat__store_file_new(path));
	ck_assert_ptr_nonnull(r = hecat__store_file_new(path));
	o1 = obs("192.0.2.1", HECAT_HIST_CONNECTED, 700, 0, time(NULL));
	o2 = obs("2001:db8::2", HECAT_HIST_FAILED, 0, ETIMEDOUT, time(NULL));
	o3 = obs("192.0.2.3", HECAT_HIST_CONNECTED, 900, 0, time(NULL));
	hecat__store_file.record(w, NET, &o1, 1);
	before = slurp(path);

	holder_lock(&hd);
	t0 = now_ms();
	hecat__store_file.record(w, NET, &o2, 1);
	ms = now_ms() - t0;
	ck_assert_msg(ms < PROMPT_MS, "record waited %.1f ms for the lock",
	    ms);
	after = slurp(path);
	ck_assert_str_eq(after, before);
	free(after);
	h = lookup(&hecat__store_file, r, NET, "2001:db8::2");
	ck_assert_uint_eq(h.failures, 0);
	h = lookup(&hecat__store_file, w, NET, "2001:db8::2");
	ck_assert_uint_eq(h.failures, 1);
	ck_assert_int_eq(h.error, ETIMEDOUT);
	hecat__store_file_stats(w, &st);
	ck_assert_uint_eq(st.written, 1);
	ck_assert_uint_eq(st.pending, 1);
	ck_assert_uint_eq(st.busy, 1);
	holder_release(&hd);

	hecat__store_file.record(w, NET, &o3, 1);
	h = lookup(&hecat__store_file, r, NET, "192.0.2.3");
	ck_assert_uint_eq(h.srtt_us, 900);
	h = lookup(&hecat__store_file, r, NET, "192.0.2.1");
	ck_assert_uint_eq(h.srtt_us, 700);
	h = lookup(&hecat__store_file, r, NET, "2001:db8::2");
	ck_assert_uint_eq(h.failures, 1);
	hecat__store_file_stats(w, &st);
	ck_assert_uint_eq(st.written, 3);
	ck_assert_uint_eq(st.pending, 0);
	ck_assert_uint_eq(st.dropped, 0);
	free(before);
	hecat__store_file.free(w);
	hecat__store_file.free(r);
	dir_down();
}
END_TEST

/*
 * Lookup takes no lock (a writer renames a whole new file into place):
 * with the lock held elsewhere it answers at once, from the file.
 */
START_TEST(file_lookup_lock_busy)
{
	char path[128];
	struct hecat_hist_obs o;
	struct hecat_hist h;
	struct holder hd;
	double t0, ms;
	void *w, *r;

	dir_up();
	snprintf(path, sizeof(path), "%s/history", dir);
	holder_start(&hd, path);
	ck_assert_ptr_nonnull(w = hecat__store_file_new(path));
	ck_assert_ptr_nonnull(r = hecat__store_file_new(path));
	o = obs("2001:db8::7", HECAT_HIST_CONNECTED, 1234, 0, time(NULL));
	hecat__store_file.record(w, NET, &o, 1);

	holder_lock(&hd);
	t0 = now_ms();
	h = lookup(&hecat__store_file, r, NET, "2001:db8::7");
	ms = now_ms() - t0;
	ck_assert_msg(ms < PROMPT_MS, "lookup waited %.1f ms for the lock",
	    ms);
	ck_assert_uint_eq(h.srtt_us, 1234);
	holder_release(&hd);
	hecat__store_file.free(w);
	hecat__store_file.free(r);
	dir_down();
}
END_TEST

/*
 * Freeing the store tries the lock once more: outcomes put off are
 * written if it is free, lost (the file unchanged) if it is still held;
 * either way at once.
 */
START_TEST(file_put_off_free)
{
	char path[128], *before, *after;
	struct hecat_hist_obs o1, o2;
	struct hecat__fstats st;
	struct hecat_hist h;
	struct holder hd;
	double t0, ms;
	void *w, *r;

	dir_up();
	snprintf(path, sizeof(path), "%s/history", dir);
	holder_start(&hd, path);
	o1 = obs("192.0.2.1", HECAT_HIST_CONNECTED, 700, 0, time(NULL));
	o2 = obs("192.0.2.2", HECAT_HIST_CONNECTED, 800, 0, time(NULL));
	ck_assert_ptr_nonnull(w = hecat__store_file_new(path));
	hecat__store_file.record(w, NET, &o1, 1);
	hecat__store_file.free(w);
	before = slurp(path);

	/* Still held: lost. */
	ck_assert_ptr_nonnull(w = hecat__store_file_new(path));
	holder_lock(&hd);
	hecat__store_file.record(w, NET, &o2, 1);
	t0 = now_ms();
	hecat__store_file_close(w, &st);
	ms = now_ms() - t0;
	ck_assert_msg(ms < PROMPT_MS, "free waited %.1f ms for the lock",
	    ms);
	ck_assert_uint_eq(st.written, 0);
	ck_assert_uint_eq(st.pending, 0);
	ck_assert_uint_eq(st.dropped, 1);
	ck_assert_uint_eq(st.busy, 2);
	after = slurp(path);
	ck_assert_str_eq(after, before);
	free(after);

	/* Free by then: written. */
	ck_assert_ptr_nonnull(w = hecat__store_file_new(path));
	hecat__store_file.record(w, NET, &o2, 1);
	holder_release(&hd);
	hecat__store_file_close(w, &st);
	ck_assert_uint_eq(st.written, 1);
	ck_assert_uint_eq(st.dropped, 0);
	ck_assert_ptr_nonnull(r = hecat__store_file_new(path));
	h = lookup(&hecat__store_file, r, NET, "192.0.2.2");
	ck_assert_uint_eq(h.srtt_us, 800);
	hecat__store_file.free(r);
	free(before);
	dir_down();
}
END_TEST

/* What is put off is bounded: the newest HECAT__HIST_PEND_MAX. */
START_TEST(file_put_off_bound)
{
	enum { N = HECAT__HIST_PEND_MAX + 72 };
	struct hecat_hist_obs o[N];
	struct hecat__fstats st;
	struct hecat_hist h;
	struct holder hd;
	char path[128], a[64];
	void *w, *r;
	int i;

	dir_up();
	snprintf(path, sizeof(path), "%s/history", dir);
	holder_start(&hd, path);
	for (i = 0; i < N; i++) {
		snprintf(a, sizeof(a), "2001:db8::%x", i + 1);
		o[i] = obs(a, HECAT_HIST_CONNECTED, 100, 0, time(NULL));
	}
	ck_assert_ptr_nonnull(w = hecat__store_file_new(path));
	holder_lock(&hd);
	/* 150 at once (22 over), then one at a time (50 more over). */
	hecat__store_file.record(w, NET, o, 150);
	for (i = 150; i < N; i++)
		hecat__store_file.record(w, NET, &o[i], 1);
	hecat__store_file_stats(w, &st);
	ck_assert_uint_eq(st.pending, HECAT__HIST_PEND_MAX);
	ck_assert_uint_eq(st.dropped, N - HECAT__HIST_PEND_MAX);
	ck_assert_uint_eq(st.busy, 1 + N - 150);
	holder_release(&hd);
	hecat__store_file_close(w, &st);
	ck_assert_uint_eq(st.written, HECAT__HIST_PEND_MAX);

	ck_assert_ptr_nonnull(r = hecat__store_file_new(path));
	for (i = 0; i < N; i++) {
		snprintf(a, sizeof(a), "2001:db8::%x", i + 1);
		h = lookup(&hecat__store_file, r, NET, a);
		ck_assert_uint_eq(h.successes, i < N - HECAT__HIST_PEND_MAX ?
		    0 : 1);
	}
	hecat__store_file.free(r);
	dir_down();
}
END_TEST

/*
 * Concurrent hecat processes: 8 children record 50 connects each to the
 * same address, all let go at once.  The lock is only tried, so a writer
 * that finds it held puts its outcomes off to its next record or to its
 * free, and loses those its last try cannot write.  What the lock still
 * guarantees: no write undoes another's (the file holds exactly the
 * outcomes the writers wrote), each outcome is written or counted lost,
 * at least one lands, and the file stays whole.
 */
START_TEST(file_concurrent_writers)
{
	enum { KIDS = 8, EACH = 50 };
	struct hecat__fstats st;
	struct hecat_hist h;
	char path[128], c;
	pid_t pid[KIDS];
	int i, k, status, go[2], res[2];
	uint64_t written = 0, lost = 0;
	void *s;

	dir_up();
	snprintf(path, sizeof(path), "%s/history", dir);
	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_eq(pipe(res), 0);
	for (k = 0; k < KIDS; k++) {
		ck_assert_int_ne(pid[k] = fork(), -1);
		if (pid[k] == 0) {
			struct hecat_hist_obs o = obs("2001:db8::5",
			    HECAT_HIST_CONNECTED, 100, 0, time(NULL));
			void *w = hecat__store_file_new(path);

			close(go[1]);
			close(res[0]);
			if (w == NULL || read(go[0], &c, 1) != 0)
				_exit(1);	/* EOF: all are forked */
			for (i = 0; i < EACH; i++)
				hecat__store_file.record(w, NET, &o, 1);
			hecat__store_file_close(w, &st);
			if (write(res[1], &st, sizeof(st)) != sizeof(st))
				_exit(1);
			_exit(0);
		}
	}
	close(go[0]);
	close(go[1]);
	close(res[1]);
	for (k = 0; k < KIDS; k++) {
		ck_assert_int_eq(read(res[0], &st, sizeof(st)), sizeof(st));
		ck_assert_uint_eq(st.written + st.dropped, EACH);
		ck_assert_uint_eq(st.pending, 0);
		written += st.written;
		lost += st.dropped;
	}
	close(res[0]);
	for (k = 0; k < KIDS; k++) {
		ck_assert_int_eq(waitpid(pid[k], &status, 0), pid[k]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	ck_assert_ptr_nonnull(s = hecat__store_file_new(path));
	h = lookup(&hecat__store_file, s, NET, "2001:db8::5");
	ck_assert_uint_eq(h.successes, written);
	ck_assert_uint_ge(written, 1);
	fprintf(stderr, "file_concurrent_writers: %" PRIu64 " of %d kept, "
	    "%" PRIu64 " lost to a held lock\n", written, KIDS * EACH, lost);
	hecat__store_file.free(s);
	dir_down();
}
END_TEST

/* The network's identity is stable from one reading to the next. */
START_TEST(network_id_stable)
{
	ck_assert_uint_eq(hecat__network_id(), hecat__network_id());
}
END_TEST

static Suite *
history_suite(void)
{
	Suite *s = suite_create("history");
	TCase *tc;

	tc = tcase_create("records");
	tcase_add_test(tc, R_5_6_smoothing);
	tcase_add_test(tc, view_rules);
	tcase_add_test(tc, R_4_5_per_network);
	suite_add_tcase(s, tc);

	tc = tcase_create("file");
	tcase_add_test(tc, format_roundtrip);
	tcase_add_test(tc, format_rejects);
	tcase_add_test(tc, size_bound);
	tcase_add_test(tc, file_shared);
	tcase_add_test(tc, file_corrupt_rewritten);
	tcase_add_test(tc, file_record_lock_busy);
	tcase_add_test(tc, file_lookup_lock_busy);
	tcase_add_test(tc, file_put_off_free);
	tcase_add_test(tc, file_put_off_bound);
	tcase_add_test(tc, file_concurrent_writers);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("network");
	tcase_add_test(tc, network_id_stable);
	suite_add_tcase(s, tc);
	return s;
}

const struct check_def check_def = { history_suite, NULL };
