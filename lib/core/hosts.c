/*
 * hosts.c - a hosts(5) file (see hosts.h).
 *
 * The text is parsed once into an array of (name, address) entries, each
 * name normalized on the way in: ASCII lower case, one trailing dot
 * removed.  The array is then sorted by name and address so duplicates
 * sit side by side and are dropped, and sorted again by name and file
 * order.  A lookup is a binary search for the first entry of the name and
 * a walk over the entries that follow.
 *
 * The input may come from an attacker and is not NUL-terminated: lines
 * are scanned in place between pointers, a token is copied only into a
 * buffer its length has been checked against, a line ends early at '#'
 * or at a NUL byte, and io/sysfiles.c reads a file up to 64 MiB at most.
 *
 * Choices hosts(5) leaves open: an address is a bare literal (no
 * brackets); an IPv6 zone ("fe80::1%eth0", "fe80::1%2") must name an
 * existing interface or the line is skipped; an IPv4-mapped address stays
 * IPv6; a name with control characters is skipped; a file longer than
 * 64 MiB is cut after its last whole line within it.
 *
 * Memory: the table, its entry array and its name pool; nothing else.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hosts.h"
#include "textfile.h"

#define HOSTS_MAXNAME	253		/* longest name, final dot excluded */
#define HOSTS_ADDRLEN	64		/* longest address token, with NUL */

struct hent {
	const char	*name;		/* into the pool, once parsed */
	size_t		 off;		/* the name's offset in the pool */
	size_t		 seq;		/* file order */
	struct hecat__ip ip;
};

struct hecat__hosts {
	struct hent	*ents;
	size_t		 nents, cap;
	char		*pool;		/* NUL-terminated normalized names */
	size_t		 plen, pcap;
};

/*
 * Grow arr (*cap elements of size sz) to hold at least need elements,
 * starting at first elements.  Returns the array, perhaps moved, or NULL
 * when out of memory or the size would overflow (arr is then unchanged).
 */
static void *
grow(void *arr, size_t *cap, size_t need, size_t sz, size_t first)
{
	size_t ncap = *cap;
	void *p;

	if (need <= *cap)
		return arr;
	if (ncap == 0)
		ncap = first;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return NULL;
		ncap *= 2;
	}
	if (ncap > SIZE_MAX / sz)
		return NULL;
	if ((p = realloc(arr, ncap * sz)) == NULL)
		return NULL;
	*cap = ncap;
	return p;
}

/*
 * Add the name token t[0..n) with address ip.  A name that is empty, too
 * long or holds control characters is skipped.  Returns 0, or -1 when out
 * of memory.
 */
static int
add_name(struct hecat__hosts *h, const char *t, size_t n,
    const struct hecat__ip *ip)
{
	struct hent *e;
	char *pool;
	size_t i;

	if (n > 0 && t[n - 1] == '.')
		n--;
	if (n == 0 || n > HOSTS_MAXNAME)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
			return 0;

	if ((e = grow(h->ents, &h->cap, h->nents + 1, sizeof(*e), 64)) == NULL)
		return -1;
	h->ents = e;
	if (h->plen > SIZE_MAX - n - 1 ||
	    (pool = grow(h->pool, &h->pcap, h->plen + n + 1, 1, 4096)) == NULL)
		return -1;
	h->pool = pool;

	e = &h->ents[h->nents];
	memset(e, 0, sizeof(*e));
	e->off = h->plen;
	e->seq = h->nents;
	e->ip = *ip;
	for (i = 0; i < n; i++)
		h->pool[h->plen++] = hecat__lower(t[i]);
	h->pool[h->plen++] = '\0';
	h->nents++;
	return 0;
}

/*
 * Parse one line, [p, end) with comments already cut off.  A line whose
 * first field is not an address literal is skipped.  Returns 0, or -1
 * when out of memory.
 */
static int
parse_line(struct hecat__hosts *h, const char *p, const char *end)
{
	char a[HOSTS_ADDRLEN];
	struct hecat__ip ip;
	const char *t;
	size_t n;

	if ((t = hecat__next_token(&p, end, &n)) == NULL)
		return 0;
	/* hosts(5) has bare literals; hecat__ip_parse would take "[::1]". */
	if (n >= sizeof(a) || *t == '[')
		return 0;
	memcpy(a, t, n);
	a[n] = '\0';
	if (hecat__ip_parse(&ip, a) == -1)
		return 0;
	while ((t = hecat__next_token(&p, end, &n)) != NULL)
		if (add_name(h, t, n, &ip) == -1)
			return -1;
	return 0;
}

static int
ip_cmp(const struct hecat__ip *x, const struct hecat__ip *y)
{
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->scope_id != y->scope_id)
		return x->scope_id < y->scope_id ? -1 : 1;
	return memcmp(x->a, y->a, sizeof(x->a));
}

/* Order by name, then address, then file order. */
static int
cmp_name_ip(const void *xv, const void *yv)
{
	const struct hent *x = xv, *y = yv;
	int c;

	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	if ((c = ip_cmp(&x->ip, &y->ip)) != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Order by name, then file order. */
static int
cmp_name_seq(const void *xv, const void *yv)
{
	const struct hent *x = xv, *y = yv;
	int c;

	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Turn the parsed entries into the lookup table: point them at their
 * names, drop every (name, address) pair but its first, and order them by
 * name and file order.
 */
static void
finish(struct hecat__hosts *h)
{
	size_t i, n;

	if (h->nents == 0)
		return;
	for (i = 0; i < h->nents; i++)
		h->ents[i].name = h->pool + h->ents[i].off;
	qsort(h->ents, h->nents, sizeof(*h->ents), cmp_name_ip);
	for (i = 1, n = 1; i < h->nents; i++) {
		if (strcmp(h->ents[i].name, h->ents[n - 1].name) == 0 &&
		    ip_cmp(&h->ents[i].ip, &h->ents[n - 1].ip) == 0)
			continue;
		h->ents[n++] = h->ents[i];
	}
	h->nents = n;
	qsort(h->ents, h->nents, sizeof(*h->ents), cmp_name_seq);
}

struct hecat__hosts *
hecat__hosts_parse(const char *buf, size_t len)
{
	struct hecat__hosts *h;
	const char *p, *end, *eol, *next;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		goto nomem;
	if (buf == NULL) {
		buf = "";
		len = 0;
	}
	next = buf;
	end = buf + len;
	while ((p = hecat__next_line(&next, end, &eol)) != NULL)
		if (parse_line(h, p, hecat__content_end(p, eol, "#")) == -1)
			goto nomem;
	finish(h);
	return h;
nomem:
	hecat__hosts_free(h);
	errno = ENOMEM;
	return NULL;
}

void
hecat__hosts_free(struct hecat__hosts *h)
{
	if (h == NULL)
		return;
	free(h->ents);
	free(h->pool);
	free(h);
}

/*
 * Returns -1 when the name is not in the table, else the number of its
 * addresses of family written to out (at most max).  AF_UNSPEC, beyond
 * hosts.h, matches both families.
 */
ssize_t
hecat__hosts_find(const struct hecat__hosts *h, const char *name, int family,
    struct hecat__ip *out, size_t max)
{
	char key[HOSTS_MAXNAME + 1];
	size_t n, i, lo, hi, mid, cnt;

	if (h == NULL || name == NULL)
		return -1;
	n = strnlen(name, HOSTS_MAXNAME + 2);
	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0 || n > HOSTS_MAXNAME)
		return -1;
	for (i = 0; i < n; i++)
		key[i] = hecat__lower(name[i]);
	key[n] = '\0';

	lo = 0;
	hi = h->nents;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(h->ents[mid].name, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == h->nents || strcmp(h->ents[lo].name, key) != 0)
		return -1;

	cnt = 0;
	for (i = lo; i < h->nents && cnt < max; i++) {
		if (strcmp(h->ents[i].name, key) != 0)
			break;
		if (family == AF_UNSPEC || h->ents[i].ip.family == family)
			out[cnt++] = h->ents[i].ip;
	}
	return (ssize_t)cnt;
}
