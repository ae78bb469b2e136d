/*
 * fuzz_hosts.c - the configuration files: hosts(5) (lib/hosts.c) and
 * resolv.conf(5) (lib/resolvconf.c), both parsed from the raw input (not
 * NUL-terminated, any bytes).
 *
 * Hosts: the table is compared with a model built here by the rules of
 * hosts.h, written out naively: for names of the input (and a few fixed
 * ones, in other cases and with a final dot), every lookup must return
 * exactly the model's addresses of the family, in file order, without
 * duplicates.
 *
 * resolv.conf: the name servers and options are compared with a model
 * too; the search list is checked for what resolvconf.h promises, and
 * the search candidates of the same names for glibc's order, no
 * duplicates, and names of at most 253 characters.
 */
#include "config.h"

#include <sys/socket.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hosts.h"
#include "ip.h"
#include "resolvconf.h"

#define MAXNAME		253
#define MAXQUERY	24		/* names looked up per input */
#define MAXOUT		16		/* addresses asked per lookup */
#define MAXCAND		(HECAT__RESOLV_MAXSEARCH + 1)

/* ---- the input as lines and tokens -------------------------------------------- */

static bool
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* The end of line [p, eol) once comments (any of cmt) or a NUL cut it. */
static const char *
cut(const char *p, const char *eol, const char *cmt)
{
	for (; p < eol; p++)
		if (*p == '\0' || strchr(cmt, *p) != NULL)
			break;
	return p;
}

/* The next token of [*pp, end), or NULL; its length in *n. */
static const char *
token(const char **pp, const char *end, size_t *n)
{
	const char *p = *pp, *t;

	while (p < end && blank(*p))
		p++;
	for (t = p; p < end && !blank(*p); p++)
		continue;
	*pp = p;
	*n = (size_t)(p - t);
	return *n > 0 ? t : NULL;
}

/* The next line of [*pp, end), or NULL; its end in *eol. */
static const char *
line(const char **pp, const char *end, const char **eol)
{
	const char *p = *pp;

	if (p >= end)
		return NULL;
	if ((*eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
		*eol = end;
	*pp = *eol < end ? *eol + 1 : end;
	return p;
}

/* Parse t[0..n) as an address, as both files do: no brackets. */
static bool
address(const char *t, size_t n, struct hecat__ip *ip)
{
	char a[64];

	if (n >= sizeof(a) || *t == '[')
		return false;
	memcpy(a, t, n);
	a[n] = '\0';
	return hecat__ip_parse(ip, a) == 0;
}

/* ---- the names looked up ------------------------------------------------------ */

struct queries {
	char	name[MAXQUERY][MAXNAME + 16];
	size_t	n;
};

static void
add_query(struct queries *q, const char *t, size_t n)
{
	if (q->n == MAXQUERY)
		return;
	if (n >= sizeof(q->name[0]))
		n = sizeof(q->name[0]) - 1;
	memcpy(q->name[q->n], t, n);
	q->name[q->n][n] = '\0';
	q->n++;
}

/* A few fixed names, then tokens of the input as they are. */
static void
queries_make(struct queries *q, const char *buf, size_t len)
{
	static const char *fixed[] = { "localhost", "LOCALHOST.", "",
	    ".", "a", "example.com" };
	const char *next = buf, *end = buf + len, *p, *eol, *t;
	char upper[MAXNAME + 16];
	size_t i, n;

	q->n = 0;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		add_query(q, fixed[i], strlen(fixed[i]));
	while (q->n < MAXQUERY && (p = line(&next, end, &eol)) != NULL) {
		eol = cut(p, eol, "");
		while ((t = token(&p, eol, &n)) != NULL) {
			add_query(q, t, n);
			/* The same name in upper case, with a final dot. */
			if (n + 1 < sizeof(upper) && q->n < MAXQUERY) {
				for (i = 0; i < n; i++)
					upper[i] = t[i] >= 'a' && t[i] <= 'z' ?
					    (char)(t[i] - 'a' + 'A') : t[i];
				upper[n] = '.';
				add_query(q, upper, n + 1);
			}
		}
	}
}

/* ---- hosts -------------------------------------------------------------------- */

#define HMODEL_MAX	4096

struct hmodel {
	struct {
		char		 name[MAXNAME + 1];
		struct hecat__ip ip;
	}	 ent[HMODEL_MAX];
	size_t	 n;
	bool	 full;		/* too big to model: lookups not compared */
};

static void
hmodel_add(struct hmodel *m, const char *t, size_t n,
    const struct hecat__ip *ip)
{
	size_t i;

	if (n > 0 && t[n - 1] == '.')
		n--;
	if (n == 0 || n > MAXNAME)
		return;
	for (i = 0; i < n; i++)
		if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
			return;
	if (m->n == HMODEL_MAX) {
		m->full = true;
		return;
	}
	for (i = 0; i < n; i++)
		m->ent[m->n].name[i] = lower(t[i]);
	m->ent[m->n].name[n] = '\0';
	m->ent[m->n].ip = *ip;
	m->n++;
}

static void
hmodel_parse(struct hmodel *m, const char *buf, size_t len)
{
	const char *next = buf, *end = buf + len, *p, *eol, *t;
	struct hecat__ip ip;
	size_t n;

	while ((p = line(&next, end, &eol)) != NULL) {
		eol = cut(p, eol, "#");
		if ((t = token(&p, eol, &n)) == NULL || !address(t, n, &ip))
			continue;
		while ((t = token(&p, eol, &n)) != NULL)
			hmodel_add(m, t, n, &ip);
	}
}

/*
 * The model's answer for name: -1 if unknown, else the number of distinct
 * addresses of family (AF_UNSPEC: both) in file order, written to out up
 * to max.
 */
static ssize_t
hmodel_find(const struct hmodel *m, const char *name, int family,
    struct hecat__ip *out, size_t max)
{
	char key[MAXNAME + 2];
	size_t n = strlen(name), i, j, cnt = 0;
	bool known = false;

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0 || n > MAXNAME)
		return -1;
	for (i = 0; i < n; i++)
		key[i] = lower(name[i]);
	key[n] = '\0';
	for (i = 0; i < m->n && cnt < max; i++) {
		if (strcmp(m->ent[i].name, key) != 0)
			continue;
		known = true;
		if (family != AF_UNSPEC && m->ent[i].ip.family != family)
			continue;
		/* Only the first of equal addresses counts. */
		for (j = 0; j < cnt; j++)
			if (hecat__ip_equal(&out[j], &m->ent[i].ip))
				break;
		if (j == cnt)
			out[cnt++] = m->ent[i].ip;
	}
	return known ? (ssize_t)cnt : -1;
}

static void
check_hosts(const char *buf, size_t len, const struct queries *q)
{
	static const int fams[] = { AF_INET, AF_INET6, AF_UNSPEC };
	struct hecat__ip got[MAXOUT], want[MAXOUT];
	static struct hmodel m;
	struct hecat__hosts *h;
	ssize_t r, w, r1;
	size_t i, f, k;

	if ((h = hecat__hosts_parse(buf, len)) == NULL)
		return;			/* ENOMEM */
	m.n = 0;
	m.full = false;
	hmodel_parse(&m, buf, len);

	for (i = 0; i < q->n; i++)
		for (f = 0; f < sizeof(fams) / sizeof(fams[0]); f++) {
			r = hecat__hosts_find(h, q->name[i], fams[f], got,
			    MAXOUT);
			FUZZ_ASSERT(r >= -1 && r <= MAXOUT);
			for (k = 0; k < (size_t)(r > 0 ? r : 0); k++)
				FUZZ_ASSERT(fams[f] == AF_UNSPEC ?
				    got[k].family == AF_INET ||
				    got[k].family == AF_INET6 :
				    got[k].family == fams[f]);
			/* max = 1: the first of the same answer. */
			r1 = hecat__hosts_find(h, q->name[i], fams[f], want,
			    1);
			FUZZ_ASSERT(r1 == (r > 1 ? 1 : r));
			if (r1 == 1)
				FUZZ_ASSERT(hecat__ip_equal(&want[0], &got[0]));
			if (m.full)
				continue;
			w = hmodel_find(&m, q->name[i], fams[f], want, MAXOUT);
			FUZZ_ASSERT(r == w);
			for (k = 0; k < (size_t)(r > 0 ? r : 0); k++)
				FUZZ_ASSERT(hecat__ip_equal(&got[k], &want[k]));
		}
	/* NULL and empty tables know nothing. */
	FUZZ_ASSERT(hecat__hosts_find(NULL, "localhost", AF_INET, got,
	    MAXOUT) == -1);
	FUZZ_ASSERT(hecat__hosts_find(h, NULL, AF_INET, got, MAXOUT) == -1);
	hecat__hosts_free(h);
}

/* ---- resolv.conf ------------------------------------------------------------- */

/* A line [p, eol) that is kw, a blank, then the rest (in *rest). */
static bool
keyword(const char *p, const char *eol, const char *kw, const char **rest)
{
	size_t n = strlen(kw);

	if ((size_t)(eol - p) < n + 1 || memcmp(p, kw, n) != 0 ||
	    !blank(p[n]))
		return false;
	*rest = p + n;
	return true;
}

/* "name:N" with N all digits (saturating); the value, or -1. */
static long
option(const char *t, size_t n, const char *name)
{
	size_t k = strlen(name), i;
	long v = 0;

	if (n <= k || memcmp(t, name, k) != 0)
		return -1;
	for (i = k; i < n; i++) {
		if (t[i] < '0' || t[i] > '9')
			return -1;
		if (v < 1000000)
			v = v * 10 + (t[i] - '0');
	}
	return v;
}

static long
clamp(long v, long lo, long hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* What resolv.conf's name servers and options should be. */
static void
rmodel_parse(struct hecat__resolvconf *m, const char *buf, size_t len)
{
	const char *next = buf, *end = buf + len, *p, *eol, *rest, *t;
	struct hecat__ip ip;
	size_t n;
	long v;

	memset(m, 0, sizeof(*m));
	m->ndots = 1;
	m->timeout = 5;
	m->attempts = 2;
	while ((p = line(&next, end, &eol)) != NULL) {
		eol = cut(p, eol, "#;");
		if (keyword(p, eol, "nameserver", &rest)) {
			if ((t = token(&rest, eol, &n)) != NULL &&
			    m->nns < HECAT__RESOLV_MAXNS && address(t, n, &ip)) {
				m->ns[m->nns].ip = ip;
				m->ns[m->nns].port = 53;
				m->nns++;
			}
		} else if (keyword(p, eol, "options", &rest)) {
			while ((t = token(&rest, eol, &n)) != NULL) {
				if ((v = option(t, n, "ndots:")) >= 0)
					m->ndots = (unsigned)clamp(v, 0, 15);
				else if ((v = option(t, n, "timeout:")) >= 0)
					m->timeout = (unsigned)clamp(v, 1, 30);
				else if ((v = option(t, n, "attempts:")) >= 0)
					m->attempts = (unsigned)clamp(v, 1, 5);
			}
		}
	}
	if (m->nns == 0) {
		m->ns[0].ip.family = AF_INET;
		m->ns[0].ip.a[0] = 127;
		m->ns[0].ip.a[3] = 1;
		m->ns[0].port = 53;
		m->nns = 1;
	}
}

/* 1 to 253 characters, labels of 1 to 63, no control characters. */
static bool
name_ok(const char *s, size_t n)
{
	size_t i, label = 0;

	if (n == 0 || n > MAXNAME)
		return false;
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
		if (s[i] != '.')
			label++;
		else if (label == 0)
			return false;
		else
			label = 0;
		if (label > 63)
			return false;
	}
	return label > 0;
}

static bool
same_name(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (lower(*a) != lower(*b))
			return false;
	return *a == *b;
}

static void
check_candidates(const struct hecat__resolvconf *rc, const char *name)
{
	char cand[MAXCAND][HECAT__NAMELEN], few[MAXCAND][HECAT__NAMELEN];
	size_t n, k, i, j, base_len, dots = 0, base_at = MAXCAND, len;
	bool absolute;

	n = hecat__resolvconf_candidates(rc, name, cand, MAXCAND);
	FUZZ_ASSERT(n <= MAXCAND);
	base_len = strlen(name);
	absolute = base_len > 0 && name[base_len - 1] == '.';
	if (absolute)
		base_len--;
	if (!name_ok(name, base_len)) {
		FUZZ_ASSERT(n == 0);
		return;
	}
	for (i = 0; i < base_len; i++)
		dots += name[i] == '.';
	if (absolute)
		FUZZ_ASSERT(n == 1);

	for (i = 0; i < n; i++) {
		len = strnlen(cand[i], HECAT__NAMELEN);
		FUZZ_ASSERT(len >= 1 && len <= MAXNAME);
		FUZZ_ASSERT(name_ok(cand[i], len));
		for (j = 0; j < i; j++)
			FUZZ_ASSERT(!same_name(cand[i], cand[j]));
		/* The name itself, or the name and a search domain. */
		FUZZ_ASSERT(strncmp(cand[i], name, base_len) == 0);
		if (len == base_len) {
			base_at = i;
			continue;
		}
		FUZZ_ASSERT(absolute == false);
		FUZZ_ASSERT(cand[i][base_len] == '.');
		for (k = 0; k < rc->nsearch; k++)
			if (strcmp(cand[i] + base_len + 1, rc->search[k]) == 0)
				break;
		FUZZ_ASSERT(k < rc->nsearch);
	}
	/* glibc's order: the name first with ndots dots, else last. */
	FUZZ_ASSERT(base_at < n);
	FUZZ_ASSERT(base_at == (dots >= rc->ndots ? 0 : n - 1));

	/* Fewer wanted: the first of the same list. */
	k = n > 1 ? n - 1 : 0;
	FUZZ_ASSERT(hecat__resolvconf_candidates(rc, name, few, k) == k);
	for (i = 0; i < k; i++)
		FUZZ_ASSERT(strcmp(few[i], cand[i]) == 0);
}

static void
check_resolvconf(const char *buf, size_t len, const struct queries *q)
{
	struct hecat__resolvconf rc, m;
	size_t i, n;

	hecat__resolvconf_parse(&rc, buf, len);
	rmodel_parse(&m, buf, len);

	FUZZ_ASSERT(rc.nns == m.nns);
	for (i = 0; i < rc.nns; i++) {
		FUZZ_ASSERT(hecat__ip_equal(&rc.ns[i].ip, &m.ns[i].ip));
		FUZZ_ASSERT(rc.ns[i].port == 53);
	}
	FUZZ_ASSERT(rc.ndots == m.ndots);
	FUZZ_ASSERT(rc.timeout == m.timeout);
	FUZZ_ASSERT(rc.attempts == m.attempts);

	/* The search list: good names, none empty, zeros after. */
	FUZZ_ASSERT(rc.nsearch <= HECAT__RESOLV_MAXSEARCH);
	for (i = 0; i < HECAT__RESOLV_MAXSEARCH; i++) {
		n = strnlen(rc.search[i], HECAT__NAMELEN);
		FUZZ_ASSERT(n < HECAT__NAMELEN);
		if (i < rc.nsearch)
			FUZZ_ASSERT(name_ok(rc.search[i], n));
		else
			FUZZ_ASSERT(n == 0);
	}

	for (i = 0; i < q->n; i++)
		check_candidates(&rc, q->name[i]);
}

/* ---- the target --------------------------------------------------------------- */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct queries q;
	const char *buf = (const char *)data;

	queries_make(&q, buf, size);
	check_hosts(buf, size, &q);
	check_resolvconf(buf, size, &q);
	return 0;
}
