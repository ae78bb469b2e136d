/*
 * waterfall.c - the race drawn on a terminal (see waterfall.h).
 *
 * Rows, in the order they began: "AAAA name" and "A name" for each query
 * try, "#N address" for each attempt, and under an attempt " > stage" for
 * each stage after TCP's connect (a proxy's, TLS, the banner).  A bar runs
 * from a row's start to its end; its glyph says how it ended: answered or
 * won (full), failed (shaded), cancelled or lost (light); a lost attempt
 * watched after the race (--follow-losers) runs on to its end, whose last
 * cell says how it ended (connected: full; failed: shaded).  An attempt's
 * Connection Attempt Delay ends at a mark on its row ('|' over the bar),
 * the Resolution Delay at an 'R' on the axis.
 *
 * The time axis: every start, end and mark cuts it into segments, each as
 * wide as its duration -- except a wait of a second or more while nothing
 * happens (an attempt left to time out), longer than four median segments
 * and than a quarter of the whole, which is drawn four medians wide (or
 * an eighth of the rest, if more), with a break mark on the axis and in
 * the bars that cross it.  So a 10 s timeout does not squeeze the first
 * 300 ms into one column, and a 250 ms attempt delay is drawn as it is.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/socket.h>

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "trace_impl.h"
#include "waterfall.h"

#define MAXROWS		64	/* later rows are counted, not drawn */
#define LABEL_MAX	26	/* the label column, at most */
#define OUTCOME_MAX	20	/* the outcome column, at most */
#define IDLE_MIN	1000000000ULL	/* ns: shorter is never compressed */

enum state { S_OPEN, S_GOOD, S_WON, S_BAD, S_GONE };

struct row {
	char		 label[64];
	char		 outcome[64];
	uint64_t	 start, end;	/* end 0: still open at the end */
	uint64_t	 mark;		/* the attempt delay's end, or 0 */
	enum state	 state;
	enum state	 tail;		/* a watched loser's end: its last
					   cell (S_OPEN: none) */
	unsigned	 id;		/* attempts and stages */
	int		 stage;		/* stages; -1 for an attempt */
	int		 family;	/* queries */
	bool		 proxy_race;
};

struct waterfall {
	struct row	 rows[MAXROWS];
	size_t		 nrows;
	size_t		 dropped;
	uint64_t	 t0, tmax;
	uint64_t	 rd_mark;	/* the Resolution Delay's end, or 0 */
};

/* Cell kinds, drawn per character set. */
enum cell { C_BLANK, C_GOOD, C_WON, C_BAD, C_GONE, C_OPEN, C_MARK, C_BREAK,
	C_AXIS, C_TICK, C_RD, C_NCELLS };

static const char *const glyph_utf8[C_NCELLS] = {
	" ", "\xe2\x96\x93", "\xe2\x96\x88", "\xe2\x96\x92", "\xe2\x96\x91",
	"\xe2\x96\x92", "\xe2\x94\x82", "\xe2\x89\x88", "\xe2\x94\x80",
	"\xe2\x94\xbc", "R"
};	/* ' ' ▓ █ ▒ ░ ▒ │ ≈ ─ ┼ R */
static const char *const glyph_ascii[C_NCELLS] = {
	" ", "=", "#", "x", "-", "~", "|", "/", "-", "+", "R"
};
static const char *const colour[C_NCELLS] = {
	NULL, "\033[36m", "\033[32m", "\033[31m", "\033[2m", "\033[33m",
	NULL, NULL, NULL, NULL, "\033[1m"
};

struct waterfall *
wf_new(void)
{
	return calloc(1, sizeof(struct waterfall));
}

void
wf_free(struct waterfall *w)
{
	free(w);
}

static struct row *
add_row(struct waterfall *w, uint64_t t)
{
	struct row *r;

	if (w->nrows == MAXROWS) {
		w->dropped++;
		return NULL;
	}
	r = &w->rows[w->nrows++];
	memset(r, 0, sizeof(*r));
	r->start = t;
	r->stage = -1;
	return r;
}

/* The newest open row of an attempt (stage -1) or of one of its stages. */
static struct row *
find(struct waterfall *w, unsigned id, int stage, bool proxy_race)
{
	size_t i;

	for (i = w->nrows; i-- > 0;)
		if (w->rows[i].id == id && w->rows[i].stage == stage &&
		    w->rows[i].proxy_race == proxy_race &&
		    w->rows[i].family == 0)
			return &w->rows[i];
	return NULL;
}

static struct row *
find_query(struct waterfall *w, int family)
{
	size_t i;

	for (i = w->nrows; i-- > 0;)
		if (w->rows[i].family == family && w->rows[i].state == S_OPEN)
			return &w->rows[i];
	return NULL;
}

/* ns as milliseconds with one decimal, "12.3ms", in integers (bounded). */
static const char *
fmt_ms(uint64_t ns, char *buf, size_t len)
{
	unsigned long long tenths = (unsigned long long)((ns + 50000) / 100000);

	snprintf(buf, len, "%llu.%llums", tenths / 10, tenths % 10);
	return buf;
}

static void
close_row(struct row *r, uint64_t t, enum state s, const char *outcome)
{
	char ms[32];

	if (r == NULL || r->state != S_OPEN)
		return;
	r->end = t > r->start ? t : r->start;
	r->state = s;
	snprintf(r->outcome, sizeof(r->outcome), "%.20s %s", outcome,
	    fmt_ms(r->end - r->start, ms, sizeof(ms)));
}

static void
on_query(struct waterfall *w, const struct hecat_trace *t)
{
	struct row *r;
	char what[48];
	int fam = t->family == AF_INET6 ? 6 : 4;

	if (t->kind == HECAT_TRACE_RESOLVE_START) {
		if ((r = add_row(w, t->t_ns)) == NULL)
			return;
		r->family = fam;
		snprintf(r->label, sizeof(r->label), "%s %s%s",
		    t->family == AF_INET6 ? "AAAA" : "A", t->name,
		    t->tries > 1 ? " (again)" : "");
		return;
	}
	r = find_query(w, fam);
	if (t->kind == HECAT_TRACE_RESOLVE_CANCEL)
		close_row(r, t->t_ns, S_GONE, "cancelled");
	else if (t->status == HECAT_DNS_OK && t->naddrs > 0) {
		snprintf(what, sizeof(what), "%zu addr%s", t->naddrs,
		    t->naddrs == 1 ? "" : "s");
		close_row(r, t->t_ns, S_GOOD, what);
	} else
		close_row(r, t->t_ns, S_BAD, hecat_dns_status_name(t->status));
}

static void
on_attempt(struct waterfall *w, const struct hecat_trace *t)
{
	struct row *r, *st;
	char ep[80], ms[32];
	const char *word;
	size_t i;

	switch (t->kind) {
	case HECAT_TRACE_ATTEMPT_START:
		if ((r = add_row(w, t->t_ns)) == NULL)
			return;
		r->id = t->id;
		r->proxy_race = t->proxy_race != 0;
		r->mark = t->delay_ns > 0 ? t->t_ns + t->delay_ns : 0;
		snprintf(r->label, sizeof(r->label), "%s#%u %s",
		    t->proxy_race ? "proxy " : "", t->id,
		    endpoint(t->addr, ep, sizeof(ep)));
		break;
	case HECAT_TRACE_STAGE_START:
		if ((r = add_row(w, t->t_ns)) == NULL)
			return;
		r->id = t->id;
		r->stage = t->stage;
		r->proxy_race = t->proxy_race != 0;
		snprintf(r->label, sizeof(r->label), "  > %s",
		    hecat_stage_name(t->stage));
		break;
	case HECAT_TRACE_STAGE_DONE:
		if (t->stage != HECAT_STAGE_TCP)
			close_row(find(w, t->id, t->stage, t->proxy_race != 0),
			    t->t_ns, S_GOOD, "ok");
		break;
	case HECAT_TRACE_ATTEMPT_END:
		r = find(w, t->id, -1, t->proxy_race != 0);
		word = attempt_word(t);
		if (t->result == HECAT_ATTEMPT_CANCELLED && t->why ==
		    HECAT_WHY_LOST)
			word = "lost";
		/* A stage still open ended with its attempt. */
		for (i = 0; i < w->nrows; i++) {
			st = &w->rows[i];
			if (st->id == t->id && st->stage >= 0 &&
			    st->proxy_race == (t->proxy_race != 0))
				close_row(st, t->t_ns, t->result ==
				    HECAT_ATTEMPT_FAILED ? S_BAD : S_GONE, word);
		}
		close_row(r, t->t_ns, t->result == HECAT_ATTEMPT_CONNECTED ?
		    S_GOOD : t->result == HECAT_ATTEMPT_FAILED ? S_BAD :
		    S_GONE, word);
		break;
	case HECAT_TRACE_LOSER:		/* watched after the race */
		if ((r = find(w, t->id, -1, false)) == NULL)
			break;
		r->end = t->t_ns;
		r->tail = t->result == HECAT_ATTEMPT_CONNECTED ? S_GOOD :
		    t->why == HECAT_WHY_TIMEOUT ? S_GONE : S_BAD;
		snprintf(r->outcome, sizeof(r->outcome), "%s +%s",
		    t->result == HECAT_ATTEMPT_CONNECTED ? "late" :
		    t->why == HECAT_WHY_TIMEOUT ? "silent" : attempt_word(t),
		    fmt_ms(t->after_ns, ms, sizeof(ms)));
		break;
	case HECAT_TRACE_WINNER:
		if ((r = find(w, t->id, -1, t->proxy_race != 0)) != NULL &&
		    !t->proxy_race) {
			r->state = S_WON;
			snprintf(r->outcome, sizeof(r->outcome), "won %s",
			    fmt_ms(t->t_ns - r->start, ms, sizeof(ms)));
		}
		break;
	default:
		break;
	}
}

void
wf_event(struct waterfall *w, const struct hecat_trace *t)
{
	if (w->t0 == 0)
		w->t0 = t->t_ns;
	if (t->t_ns > w->tmax)
		w->tmax = t->t_ns;
	switch (t->kind) {
	case HECAT_TRACE_RESOLVE_START:
	case HECAT_TRACE_RESOLVE_DONE:
	case HECAT_TRACE_RESOLVE_CANCEL:
		if (!t->proxy_race && t->family != 0 &&
		    strcmp(t->name != NULL ? t->name : "", "ipv4only.arpa.")
		    != 0)
			on_query(w, t);
		break;
	case HECAT_TRACE_RESOLUTION_DELAY:
		w->rd_mark = t->t_ns + t->wait_ns;
		break;
	default:
		on_attempt(w, t);
		break;
	}
}

/* ---- drawing ---------------------------------------------------------- */

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The axis: the segment bounds and each one's drawn weight. */
struct axis {
	uint64_t	 cut[4 * MAXROWS + 4];
	double		 at[4 * MAXROWS + 4];	/* its column, fractional */
	bool		 broken[4 * MAXROWS + 4];	/* segment i..i+1 */
	size_t		 n;
	int		 width;
};

static void
axis_make(const struct waterfall *w, uint64_t tmax, int width, struct axis *a)
{
	uint64_t d[4 * MAXROWS + 4], med, cap, rest;
	double total = 0, x = 0;
	size_t i, n = 0, nd = 0;

	a->cut[n++] = w->t0;
	a->cut[n++] = tmax;
	if (w->rd_mark > w->t0 && w->rd_mark < tmax)
		a->cut[n++] = w->rd_mark;
	for (i = 0; i < w->nrows; i++) {
		a->cut[n++] = w->rows[i].start;
		a->cut[n++] = w->rows[i].end != 0 ? w->rows[i].end : tmax;
		if (w->rows[i].mark > w->t0 && w->rows[i].mark < tmax)
			a->cut[n++] = w->rows[i].mark;
	}
	qsort(a->cut, n, sizeof(a->cut[0]), cmp_u64);
	for (i = 1, a->n = 1; i < n; i++)	/* unique */
		if (a->cut[i] != a->cut[a->n - 1])
			a->cut[a->n++] = a->cut[i];
	for (i = 0; i + 1 < a->n; i++)
		d[nd++] = a->cut[i + 1] - a->cut[i];
	{
		uint64_t s[4 * MAXROWS + 4];

		memcpy(s, d, nd * sizeof(d[0]));
		qsort(s, nd, sizeof(s[0]), cmp_u64);
		med = nd > 0 ? s[nd / 2] : 1;
	}
	/*
	 * Compressed: a wait of a second or more while nothing happens,
	 * long against the others and against the whole; drawn as wide as
	 * four median segments, or an eighth of the rest if that is more.
	 */
	cap = 4 * (med > 0 ? med : 1);
	for (i = 0, rest = 0; i < nd; i++) {
		a->broken[i] = nd > 1 && d[i] > cap && d[i] >= IDLE_MIN &&
		    d[i] > (tmax - w->t0) / 4;
		rest += a->broken[i] ? 0 : d[i];
	}
	if (cap < rest / 8)
		cap = rest / 8;
	for (i = 0; i < nd; i++)
		total += (double)(a->broken[i] ? cap : d[i]);
	a->width = width;
	for (i = 0; i < a->n; i++) {
		a->at[i] = total > 0 ? x / total * (width - 1) : 0;
		if (i < nd)
			x += (double)(a->broken[i] ? cap : d[i]);
	}
}

/* The column of time t on the axis. */
static int
col(const struct axis *a, uint64_t t)
{
	size_t i;
	double f;

	for (i = 0; i + 1 < a->n; i++)
		if (t <= a->cut[i + 1]) {
			f = t <= a->cut[i] ? 0 : (double)(t - a->cut[i]) /
			    (double)(a->cut[i + 1] - a->cut[i]);
			return (int)(a->at[i] + f * (a->at[i + 1] - a->at[i]) +
			    0.5);
		}
	return a->width - 1;
}

/* Whether column c lies inside a compressed segment. */
static bool
in_break(const struct axis *a, int c)
{
	size_t i;

	for (i = 0; i + 1 < a->n; i++)
		if (a->broken[i] && c > (int)(a->at[i] + 0.5) &&
		    c < (int)(a->at[i + 1] + 0.5))
			return (int)((a->at[i] + a->at[i + 1]) / 2 + 0.5) == c;
	return false;
}

static void
put_cells(FILE *f, const enum cell *cells, int n, const struct wf_style *s)
{
	const char *const *g = s->utf8 ? glyph_utf8 : glyph_ascii;
	enum cell cur = C_BLANK;
	int i;

	for (i = 0; i < n; i++) {
		if (s->color && cells[i] != cur) {
			if (cur != C_BLANK && colour[cur] != NULL)
				fputs("\033[0m", f);
			if (colour[cells[i]] != NULL)
				fputs(colour[cells[i]], f);
			cur = cells[i];
		}
		fputs(g[cells[i]], f);
	}
	if (s->color && cur != C_BLANK && colour[cur] != NULL)
		fputs("\033[0m", f);
}

/* text cut or padded to exactly n columns (ASCII only in labels). */
static void
put_field(FILE *f, const char *text, int n)
{
	int len = (int)strlen(text);

	if (len > n)
		fprintf(f, "%.*s~", n - 1, text);
	else
		fprintf(f, "%-*s", n, text);
}

void
wf_render(const struct waterfall *w, FILE *f, const struct wf_style *s)
{
	static const enum cell by_state[] = { C_OPEN, C_GOOD, C_WON, C_BAD,
	    C_GONE };
	enum cell cells[512];
	struct axis a;
	const struct row *r;
	uint64_t tmax = w->tmax;
	int lw = 8, ow = 8, bw, c, c0, c1;
	size_t i;
	char end[32];

	if (w->nrows == 0)
		return;
	for (i = 0; i < w->nrows; i++) {
		r = &w->rows[i];
		if ((int)strlen(r->label) > lw)
			lw = (int)strlen(r->label);
		if ((int)strlen(r->outcome) > ow)
			ow = (int)strlen(r->outcome);
		if (r->end > tmax)
			tmax = r->end;
	}
	lw = lw > LABEL_MAX ? LABEL_MAX : lw;
	ow = ow > OUTCOME_MAX ? OUTCOME_MAX : ow;
	bw = s->width - lw - ow - 2;
	if (bw > (int)(sizeof(cells) / sizeof(cells[0])))
		bw = (int)(sizeof(cells) / sizeof(cells[0]));
	if (bw < 10)
		bw = 10;
	axis_make(w, tmax, bw, &a);

	fprintf(f, "hecat: waterfall, %s from the dial's start\n",
	    fmt_ms(tmax - w->t0, end, sizeof(end)));
	for (i = 0; i < w->nrows; i++) {
		r = &w->rows[i];
		for (c = 0; c < bw; c++)
			cells[c] = C_BLANK;
		c0 = col(&a, r->start);
		c1 = col(&a, r->end != 0 ? r->end : tmax);
		for (c = c0; c <= c1 && c < bw; c++)
			cells[c] = in_break(&a, c) ? C_BREAK :
			    by_state[r->state];
		if (r->tail != S_OPEN && c1 < bw)
			cells[c1] = by_state[r->tail];
		if (r->mark != 0 && r->mark <= tmax)
			cells[col(&a, r->mark)] = C_MARK;
		put_field(f, r->label, lw);
		fputc(' ', f);
		put_cells(f, cells, bw, s);
		fputc(' ', f);
		fprintf(f, "%.*s\n", OUTCOME_MAX, r->outcome[0] != '\0' ?
		    r->outcome : "open");
	}
	/* The axis: its ends, the compressed stretches, the RD mark. */
	for (c = 0; c < bw; c++)
		cells[c] = in_break(&a, c) ? C_BREAK : C_AXIS;
	cells[0] = cells[bw - 1] = C_TICK;
	if (w->rd_mark != 0 && w->rd_mark <= tmax)
		cells[col(&a, w->rd_mark)] = C_RD;
	put_field(f, "", lw);
	fputc(' ', f);
	put_cells(f, cells, bw, s);
	fputc('\n', f);
	fmt_ms(tmax - w->t0, end, sizeof(end));
	fprintf(f, "%*s0ms%*s\n", lw + 1, "", bw - 3, end);
	if (w->dropped > 0)
		fprintf(f, "(%zu more rows not drawn)\n", w->dropped);
}

/* Whether a locale name says UTF-8 ("en_US.UTF-8", "C.utf8"). */
static bool
utf8_locale(const char *v)
{
	const char *dot = v != NULL ? strchr(v, '.') : NULL;

	return dot != NULL && (strncasecmp(dot + 1, "utf-8", 5) == 0 ||
	    strncasecmp(dot + 1, "utf8", 4) == 0);
}

void
wf_style_for(int fd, struct wf_style *s)
{
	const char *cols = getenv("COLUMNS"), *lc;
	struct winsize ws;
	long n;
	char *endp;

	s->width = 80;
	if (cols != NULL && (n = strtol(cols, &endp, 10)) >= 40 &&
	    *endp == '\0' && n <= 500)
		s->width = (int)n;
	else if (isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col >= 40)
		s->width = ws.ws_col > 500 ? 500 : ws.ws_col;
	if ((lc = getenv("LC_ALL")) == NULL || *lc == '\0')
		if ((lc = getenv("LC_CTYPE")) == NULL || *lc == '\0')
			lc = getenv("LANG");
	s->utf8 = utf8_locale(lc);
	lc = getenv("NO_COLOR");
	s->color = isatty(fd) && (lc == NULL || *lc == '\0');
}
