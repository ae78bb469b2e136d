/*
 * check_waterfall.c - the waterfall (cmd/waterfall.c) drawn from fixed
 * traces, compared byte for byte with golden files in tests/golden/:
 * three races (a healthy TLS dial; twelve addresses with IPv6 blackholed;
 * everything blackholed until a 10 s deadline), each in UTF-8 and in
 * ASCII, 80 and 120 columns wide.  HECAT_GOLDEN_UPDATE=1 rewrites the
 * files instead (then read them, and commit what is right).  And the
 * style's choices: COLUMNS, the locale's character set, NO_COLOR.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "trace_impl.h"
#include "waterfall.h"

#define T0	1000000000ULL		/* the clock at the dial's start */

/* One race being written: events go straight into w. */
struct race {
	struct waterfall	*w;
	struct sockaddr_storage	 ss;
	struct sockaddr_storage	 addrs[4];
};

static uint64_t
at(double ms)
{
	return T0 + (uint64_t)(ms * 1e6 + 0.5);
}

static void
put(struct race *r, struct hecat_trace *t, double ms)
{
	t->t_ns = at(ms);
	t->since_ns = t->t_ns - T0;
	wf_event(r->w, t);
}

static const struct sockaddr *
addr(struct race *r, const char *ip, unsigned port)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&r->ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&r->ss;

	memset(&r->ss, 0, sizeof(r->ss));
	if (strchr(ip, ':') != NULL) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		ck_assert_int_eq(inet_pton(AF_INET6, ip, &s6->sin6_addr), 1);
	} else {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		ck_assert_int_eq(inet_pton(AF_INET, ip, &s4->sin_addr), 1);
	}
	return (const struct sockaddr *)&r->ss;
}

static void
dial_start(struct race *r, double ms)
{
	struct hecat_trace t = { .kind = HECAT_TRACE_DIAL_START };

	put(r, &t, ms);
}

static void
query(struct race *r, double ms, int family, const char *name)
{
	struct hecat_trace t = { .kind = HECAT_TRACE_RESOLVE_START };

	t.family = family;
	t.name = name;
	t.tries = 1;
	put(r, &t, ms);
}

static void
answer(struct race *r, double ms, int family, const char *name, size_t n)
{
	struct hecat_trace t = { .kind = HECAT_TRACE_RESOLVE_DONE };

	t.family = family;
	t.name = name;
	t.status = n > 0 ? HECAT_DNS_OK : HECAT_DNS_NODATA;
	t.addrs = r->addrs;
	t.naddrs = n;
	put(r, &t, ms);
}

static void
rdelay(struct race *r, double ms, double wait_ms)
{
	struct hecat_trace t = { .kind = HECAT_TRACE_RESOLUTION_DELAY };

	t.family = AF_INET6;
	t.wait_ns = (uint64_t)(wait_ms * 1e6);
	put(r, &t, ms);
}

static void
start(struct race *r, double ms, unsigned id, const char *ip, unsigned port,
    double delay_ms)
{
	struct hecat_trace t = { .kind = HECAT_TRACE_ATTEMPT_START };

	t.id = id;
	t.addr = addr(r, ip, port);
	t.delay_ns = (uint64_t)(delay_ms * 1e6);
	put(r, &t, ms);
}

static void
stage(struct race *r, double ms, unsigned id, int st, bool done)
{
	struct hecat_trace t = { .kind = done ? HECAT_TRACE_STAGE_DONE :
	    HECAT_TRACE_STAGE_START };

	t.id = id;
	t.stage = st;
	put(r, &t, ms);
}

static void
end(struct race *r, double ms, unsigned id, int result, int error, int why)
{
	struct hecat_trace t = { .kind = HECAT_TRACE_ATTEMPT_END };

	t.id = id;
	t.result = result;
	t.error = error;
	t.why = why;
	put(r, &t, ms);
}

static void
winner(struct race *r, double ms, unsigned id)
{
	struct hecat_trace t = { .kind = HECAT_TRACE_WINNER };

	t.id = id;
	put(r, &t, ms);
}

/* A TLS dial on a healthy dual-stack network. */
static void
race_healthy(struct race *r)
{
	dial_start(r, 0);
	query(r, 0.1, AF_INET6, "example.com");
	query(r, 0.1, AF_INET, "example.com");
	answer(r, 0.6, AF_INET6, "example.com", 2);
	start(r, 0.7, 1, "2001:db8::1", 443, 250);
	answer(r, 0.8, AF_INET, "example.com", 1);
	stage(r, 1.9, 1, HECAT_STAGE_TCP, true);
	stage(r, 1.9, 1, HECAT_STAGE_TLS, false);
	stage(r, 6.3, 1, HECAT_STAGE_TLS, true);
	end(r, 6.3, 1, HECAT_ATTEMPT_CONNECTED, 0, 0);
	winner(r, 6.3, 1);
}

/*
 * Twelve addresses, IPv6 blackholed: A answers first, the Resolution
 * Delay runs out before AAAA comes; IPv4 refused but the sixth; every
 * attempt 250 ms after the one before; the IPv6 ones lose when #11
 * connects, and the twelfth address is never tried.
 */
static void
race_twelve(struct race *r)
{
	static const char *const v6[] = { "2001:db8::1", "2001:db8::2",
	    "2001:db8::3", "2001:db8::4", "2001:db8::5", "2001:db8::6" };
	static const char *const v4[] = { "192.0.2.1", "192.0.2.2",
	    "192.0.2.3", "192.0.2.4", "192.0.2.5", "192.0.2.6" };
	double t = 51;
	unsigned id, i;

	dial_start(r, 0);
	query(r, 0.2, AF_INET6, "many.example");
	query(r, 0.2, AF_INET, "many.example");
	answer(r, 1.0, AF_INET, "many.example", 6);
	rdelay(r, 1.0, 50);
	start(r, 51, 1, v4[0], 22, 250);
	end(r, 51.4, 1, HECAT_ATTEMPT_FAILED, ECONNREFUSED, HECAT_WHY_ERROR);
	answer(r, 60, AF_INET6, "many.example", 6);
	for (id = 2, i = 0; id <= 11; id++) {
		t = id == 2 ? 61.4 : t + 250;
		if (id % 2 == 0)
			start(r, t, id, v6[i], 22, 250);
		else {
			start(r, t, id, v4[++i > 5 ? 5 : i], 22, 250);
			if (id != 11)
				end(r, t + 0.3, id, HECAT_ATTEMPT_FAILED,
				    ECONNREFUSED, HECAT_WHY_ERROR);
		}
	}
	end(r, 2320, 11, HECAT_ATTEMPT_CONNECTED, 0, 0);	/* at 2311.4 */
	for (id = 2; id <= 10; id += 2)
		end(r, 2320, id, HECAT_ATTEMPT_CANCELLED, 0, HECAT_WHY_LOST);
	winner(r, 2320, 11);
}

/* Everything blackholed: attempts until the 10 s deadline ends them. */
static void
race_dead(struct race *r)
{
	unsigned id;

	dial_start(r, 0);
	query(r, 0.1, AF_INET6, "dead.example");
	query(r, 0.1, AF_INET, "dead.example");
	answer(r, 0.5, AF_INET6, "dead.example", 2);
	answer(r, 0.6, AF_INET, "dead.example", 2);
	start(r, 0.6, 1, "2001:db8::d1", 80, 250);
	start(r, 250.6, 2, "192.0.2.91", 80, 250);
	start(r, 500.6, 3, "2001:db8::d2", 80, 250);
	start(r, 750.6, 4, "192.0.2.92", 80, 250);
	for (id = 1; id <= 4; id++)
		end(r, 10000, id, HECAT_ATTEMPT_FAILED, ETIMEDOUT,
		    HECAT_WHY_DEADLINE);
}

static const struct {
	const char	*name;
	void		(*write)(struct race *);
} races[] = {
	{ "healthy", race_healthy },
	{ "twelve", race_twelve },
	{ "dead", race_dead },
};

/* The drawing of race i in a style, as a string (free it). */
static char *
draw(size_t i, bool utf8, int width, size_t *len)
{
	struct race r;
	struct wf_style st = { width, utf8, false };
	char *buf = NULL;
	FILE *f;

	memset(&r, 0, sizeof(r));
	ck_assert_ptr_nonnull(r.w = wf_new());
	races[i].write(&r);
	ck_assert_ptr_nonnull(f = open_memstream(&buf, len));
	wf_render(r.w, f, &st);
	ck_assert_int_eq(fclose(f), 0);
	wf_free(r.w);
	return buf;
}

static void
golden(size_t i, bool utf8, int width)
{
	const char *dir = getenv("srcdir");
	char path[512], *got, *want;
	size_t len, wlen;
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/golden/waterfall_%s_%s_%d.txt",
	    dir != NULL ? dir : ".", races[i].name, utf8 ? "utf8" : "ascii",
	    width);
	got = draw(i, utf8, width, &len);
	if (getenv("HECAT_GOLDEN_UPDATE") != NULL) {
		ck_assert_ptr_nonnull(f = fopen(path, "w"));
		ck_assert_uint_eq(fwrite(got, 1, len, f), len);
		ck_assert_int_eq(fclose(f), 0);
	}
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	ck_assert_int_ge(n = ftell(f), 0);
	rewind(f);
	wlen = (size_t)n;
	ck_assert_ptr_nonnull(want = malloc(wlen + 1));
	ck_assert_uint_eq(fread(want, 1, wlen, f), wlen);
	fclose(f);
	want[wlen] = '\0';
	ck_assert_msg(len == wlen && memcmp(got, want, len) == 0,
	    "%s differs; drawn now:\n%s", path, got);
	free(want);
	free(got);
}

/* _i: race i / 4, UTF-8 or ASCII, 80 or 120 columns. */
START_TEST(goldens)
{
	golden((size_t)_i / 4, _i % 2 == 0, _i / 2 % 2 == 0 ? 80 : 120);
}
END_TEST

/* No line is wider than the style allows (in characters). */
START_TEST(width_kept)
{
	size_t len, i;
	int cols = 0;
	char *s = draw((size_t)_i, true, 80, &len);

	for (i = 0; i < len; i++) {
		if (s[i] == '\n') {
			ck_assert_int_le(cols, 80);
			cols = 0;
		} else if (((unsigned char)s[i] & 0xc0) != 0x80)
			cols++;		/* not a UTF-8 continuation byte */
	}
	free(s);
}
END_TEST

/* Twelve addresses: a row each, and the Resolution Delay's mark. */
START_TEST(rows_and_marks)
{
	size_t len;
	char *s = draw(1, false, 120, &len);

	ck_assert_ptr_nonnull(strstr(s, "#11 192.0.2.6:22"));
	ck_assert_ptr_null(strstr(s, "#12"));
	ck_assert_ptr_nonnull(strstr(s, "won "));
	ck_assert_ptr_nonnull(strstr(s, "lost "));
	ck_assert_ptr_nonnull(strstr(s, "refused "));
	ck_assert_ptr_nonnull(strchr(s, 'R'));
	ck_assert_ptr_nonnull(strchr(s, '|'));		/* attempt delay */
	free(s);
}
END_TEST

/* The 10 s deadline is compressed: the first 750 ms keep their width. */
START_TEST(idle_compressed)
{
	size_t len;
	char *s = draw(2, false, 80, &len), *l2, *l4;

	ck_assert_ptr_nonnull(strchr(s, '/'));		/* a break */
	l2 = strstr(s, "#2 ");
	l4 = strstr(s, "#4 ");
	ck_assert_ptr_nonnull(l2);
	ck_assert_ptr_nonnull(l4);
	/* #4 starts 500 ms after #2: several columns later, not one. */
	ck_assert_int_ge((int)(strchr(l4, 'x') - l4) -
	    (int)(strchr(l2, 'x') - l2), 6);
	free(s);
}
END_TEST

START_TEST(style_from_environment)
{
	struct wf_style st;

	setenv("COLUMNS", "132", 1);
	setenv("LC_ALL", "", 1);
	setenv("LC_CTYPE", "", 1);
	setenv("LANG", "en_GB.UTF-8", 1);
	unsetenv("NO_COLOR");
	wf_style_for(-1, &st);
	ck_assert_int_eq(st.width, 132);
	ck_assert(st.utf8);
	ck_assert(!st.color);		/* not a terminal */
	setenv("COLUMNS", "12", 1);	/* too narrow: ignored */
	setenv("LC_ALL", "C", 1);
	wf_style_for(-1, &st);
	ck_assert_int_eq(st.width, 80);
	ck_assert(!st.utf8);
	setenv("LC_ALL", "C.utf8", 1);
	wf_style_for(-1, &st);
	ck_assert(st.utf8);
}
END_TEST

/*
 * A loser watched after the race (--follow-losers): its row runs on to
 * its end, its last cell says how (full: connected late), and its
 * outcome says how long after the winner.
 */
START_TEST(watched_loser)
{
	struct wf_style st = { 80, false, false };
	struct hecat_trace t = { .kind = HECAT_TRACE_LOSER };
	struct race r;
	char *buf = NULL, *row, *eol;
	size_t len;
	FILE *f;

	memset(&r, 0, sizeof(r));
	ck_assert_ptr_nonnull(r.w = wf_new());
	dial_start(&r, 0);
	start(&r, 1, 1, "2001:db8::1", 443, 250);
	start(&r, 251, 2, "192.0.2.1", 443, 250);
	end(&r, 252, 2, HECAT_ATTEMPT_CONNECTED, 0, 0);
	end(&r, 252, 1, HECAT_ATTEMPT_CANCELLED, 0, HECAT_WHY_LOST);
	winner(&r, 252, 2);
	t.id = 1;
	t.result = HECAT_ATTEMPT_CONNECTED;
	t.after_ns = 150000000;
	put(&r, &t, 402);
	ck_assert_ptr_nonnull(f = open_memstream(&buf, &len));
	wf_render(r.w, f, &st);
	ck_assert_int_eq(fclose(f), 0);
	wf_free(r.w);
	ck_assert_ptr_nonnull(row = strstr(buf, "#1 [2001:db8::1]:443"));
	ck_assert_ptr_nonnull(eol = strchr(row, '\n'));
	*eol = '\0';
	ck_assert_ptr_nonnull(strstr(row, " late +150.0ms"));
	/* Lost (light) to the end of the axis, where it connected (full). */
	ck_assert_ptr_nonnull(strstr(row, "-= late"));
	ck_assert_ptr_nonnull(strstr(eol + 1, "won "));
	free(buf);
}
END_TEST

START_TEST(nothing_to_draw)
{
	struct waterfall *w = wf_new();
	struct wf_style st = { 80, true, false };
	char *buf = NULL;
	size_t len;
	FILE *f;

	ck_assert_ptr_nonnull(w);
	ck_assert_ptr_nonnull(f = open_memstream(&buf, &len));
	wf_render(w, f, &st);
	fclose(f);
	ck_assert_uint_eq(len, 0);
	free(buf);
	wf_free(w);
}
END_TEST

static Suite *
waterfall_suite(void)
{
	Suite *s = suite_create("waterfall");
	TCase *tc = tcase_create("draw");

	tcase_add_loop_test(tc, goldens, 0, 12);
	tcase_add_loop_test(tc, width_kept, 0, 3);
	tcase_add_test(tc, rows_and_marks);
	tcase_add_test(tc, idle_compressed);
	tcase_add_test(tc, style_from_environment);
	tcase_add_test(tc, nothing_to_draw);
	tcase_add_test(tc, watched_loser);
	suite_add_tcase(s, tc);
	return s;
}

const struct check_def check_def = { waterfall_suite, NULL };
