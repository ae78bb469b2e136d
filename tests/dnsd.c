/*
 * dnsd.c - the test suite's own DNS server (see dnsd.h).
 *
 * One UDP socket and one TCP listener on the same port, both on the
 * caller's event base.  Every message goes through handle_msg(): parse the
 * header and the question, log it, look the question up in the rules
 * (lookup()), write the answer (build_answer()), then send it at once,
 * later from a timer (a struct pending), or never (drop).
 *
 * Wire format by hand (RFC 1035 section 4): the question is read with
 * compression pointers followed backwards only and a bounded number of
 * hops; answer owners are compression pointers to the question or to the
 * previous CNAME's target.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/event.h>
#include <event2/util.h>

#include "dnsd.h"

#define MAXLINKS	32	/* CNAMEs followed per answer */
#define MAXADDRS	64	/* addresses per rule */
#define MAXCONNS	64	/* TCP connections at once */
#define MAXPENDING	4096	/* delayed answers at once */
#define MAXMSG		65535	/* a DNS message over TCP */
#define MAXOUT		(1024 * 1024)	/* unsent TCP output per connection */
#define MAXDELAY	3600000	/* ms */
#define MAXTTL		4294967295UL
#define MAXCOUNT	4096	/* count=: records in one answer */
#define MAXLINE		4096	/* a rule */
#define EDNS_SIZE	1232	/* our EDNS UDP size, and the UDP answer cap */
#define DEFAULT_TTL	60

#define T_A		1
#define T_CNAME		5
#define T_OPT		41
#define T_AAAA		28
#define C_IN		1

#define RC_NOERROR	0
#define RC_FORMERR	1
#define RC_SERVFAIL	2
#define RC_NXDOMAIN	3
#define RC_NOTIMP	4
#define RC_REFUSED	5

enum action {
	ACT_ADDRS,
	ACT_CNAME,
	ACT_NODATA,
	ACT_NXDOMAIN,
	ACT_SERVFAIL,
	ACT_REFUSED,
	ACT_DROP
};

/* garbage=: how the answer is spoilt. */
enum garbage {
	G_NONE,
	G_SHORT,	/* cut to 7 octets: less than a header */
	G_COUNTS,	/* ANCOUNT says 65535 */
	G_CUT		/* ends inside its last record */
};

struct rule {
	char		name[256];	/* canonical: lower case, no dot */
	uint16_t	type;		/* 0: "*" */
	enum action	action;
	size_t		naddrs;
	uint8_t		addrs[MAXADDRS][16];
	uint16_t	atypes[MAXADDRS];	/* T_A or T_AAAA, per address */
	char		target[256];	/* ACT_CNAME, canonical */
	unsigned	delay_ms;
	bool		tc;
	uint32_t	ttl;
	/* Hostile answers (see dnsd.h). */
	char		owner[256];	/* owner=, canonical; "" none */
	bool		has_owner;
	unsigned	count;		/* count=; 0: the addresses given */
	bool		wrongtype;
	bool		loop;
	enum garbage	garbage;
	bool		badid, fromport;
	size_t		nforge;
	uint8_t		forge[MAXADDRS][16];
	uint16_t	ftypes[MAXADDRS];
};

struct conn;

/* An answer waiting for its delay. */
struct pending {
	LIST_ENTRY(pending) entry;
	struct dnsd	*d;
	struct conn	*conn;		/* NULL: UDP to peer */
	struct sockaddr_storage peer;
	socklen_t	peerlen;
	struct event	*ev;
	uint64_t	due_ns;		/* CLOCK_MONOTONIC */
	unsigned	rearms;
	size_t		len;
	uint8_t		msg[];
};

struct conn {
	LIST_ENTRY(conn) entry;
	struct dnsd	*d;
	evutil_socket_t	fd;
	struct event	*rev;
	struct event	*wev;
	bool		eof;		/* peer sent FIN: close when done */
	size_t		npending;
	size_t		inlen;
	uint8_t		in[2 + MAXMSG];
	uint8_t		*out;
	size_t		outoff, outlen, outcap;
};

struct dnsd {
	struct event_base *base;
	uint16_t	port;
	evutil_socket_t	ufd, tfd;
	evutil_socket_t	ufd2;		/* fromport: another UDP port */
	struct event	*uev, *tev;

	struct rule	*rules;
	size_t		nrules, caprules;

	struct dnsd_query *log;
	size_t		nlog, caplog;
	void		(*cb)(const struct dnsd_query *, void *);
	void		*cbarg;

	LIST_HEAD(, conn) conns;
	size_t		nconns;
	LIST_HEAD(, pending) pendings;
	size_t		npendings;

	uint8_t		ibuf[MAXMSG];	/* one UDP message in */
	uint8_t		obuf[MAXMSG];	/* one answer out */
	uint8_t		fbuf[MAXMSG];	/* one forged answer out */
};

/* A question, as read from a message. */
struct question {
	uint16_t	id;
	uint16_t	flags;
	uint8_t		wire[255];	/* the name, original case */
	size_t		wirelen;
	char		name[256];	/* canonical text */
	uint16_t	type;
	uint16_t	class;
	bool		edns;
	uint16_t	udpsize;	/* the client's EDNS size */
};

/* What the rules say to a question. */
struct lookup {
	const struct rule *first;	/* the question name's rule, or NULL */
	int		rcode;
	bool		drop;
	bool		tc;
	unsigned long	delay_ms;
	size_t		nlinks;
	const struct rule *links[MAXLINKS];	/* CNAMEs, in order */
	const struct rule *final;		/* address records, or NULL */
};

static const struct {
	const char	*name;
	uint16_t	type;
} types[] = {
	{ "A", 1 }, { "NS", 2 }, { "CNAME", 5 }, { "SOA", 6 },
	{ "PTR", 12 }, { "MX", 15 }, { "TXT", 16 }, { "AAAA", 28 },
	{ "SRV", 33 }, { "OPT", 41 }, { "DS", 43 }, { "DNSKEY", 48 },
	{ "SVCB", 64 }, { "HTTPS", 65 }, { "ANY", 255 }
};

static const struct {
	const char	*word;
	enum action	action;
} keywords[] = {
	{ "nodata", ACT_NODATA },
	{ "nxdomain", ACT_NXDOMAIN },
	{ "servfail", ACT_SERVFAIL },
	{ "refused", ACT_REFUSED },
	{ "drop", ACT_DROP }
};

static void	conn_close(struct conn *);
static int	forge_parse(struct rule *, const char *);

/* ---- names and types ----------------------------------------------------- */

/*
 * Write the text name src into dst[256] in canonical form: lower case,
 * without one trailing dot ("." alone is the root, ""). Returns 0, or -1
 * when it is no valid name: empty, an empty label, a label longer than 63
 * octets, more than 253 characters, or characters outside printable ASCII.
 */
static int
name_canon(char *dst, const char *src)
{
	size_t len = strlen(src), i, label = 0;

	if (len == 0)
		return -1;
	if (strcmp(src, ".") == 0) {
		dst[0] = '\0';
		return 0;
	}
	if (src[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c == '.') {
			if (label == 0)
				return -1;
			label = 0;
		} else if (c < 0x21 || c > 0x7e || ++label > 63)
			return -1;
		dst[i] = (char)tolower(c);
	}
	if (label == 0)
		return -1;
	dst[len] = '\0';
	return 0;
}

/* The wire form of a canonical name into out[255]; returns its length. */
static size_t
name_wire(uint8_t *out, const char *name)
{
	size_t n = 0;
	const char *p = name, *dot;

	while (*p != '\0') {
		size_t l;

		dot = strchr(p, '.');
		l = dot != NULL ? (size_t)(dot - p) : strlen(p);
		out[n++] = (uint8_t)l;
		memcpy(out + n, p, l);
		n += l;
		p += l;
		if (*p == '.')
			p++;
	}
	out[n++] = 0;
	return n;
}

const char *
dnsd_type_name(uint16_t type, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].type == type) {
			snprintf(buf, len, "%s", types[i].name);
			return buf;
		}
	snprintf(buf, len, "TYPE%u", (unsigned)type);
	return buf;
}

/*
 * Parse a rule's TYPE: a name from types[], "TYPEnn" or "*" (0).  Returns
 * 0, or -1.
 */
static int
type_parse(const char *s, uint16_t *type)
{
	unsigned long v;
	char *end;
	size_t i;

	if (strcmp(s, "*") == 0) {
		*type = 0;
		return 0;
	}
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcasecmp(s, types[i].name) == 0 &&
		    types[i].type != T_OPT) {
			*type = types[i].type;
			return 0;
		}
	if (strncasecmp(s, "TYPE", 4) != 0 || !isdigit((unsigned char)s[4]))
		return -1;
	errno = 0;
	v = strtoul(s + 4, &end, 10);
	if (*end != '\0' || errno != 0 || v == 0 || v > 65535 || v == T_OPT)
		return -1;
	*type = (uint16_t)v;
	return 0;
}

/* ---- rules --------------------------------------------------------------- */

/* A decimal number in [0, max] after prefix; 0, or -1. */
static int
number_parse(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (*end != '\0' || errno != 0 || *out > max)
		return -1;
	return 0;
}

/*
 * Parse one rule line into r.  Returns 0, 1 for a line with nothing but
 * blanks and a comment, or -1 with the reason in err.
 */
static int
rule_parse(struct rule *r, const char *line, char *err, size_t errlen)
{
	char buf[MAXLINE], *tok[4 + MAXADDRS + 16], *p, *hash, *save;
	size_t ntok = 0, i, nact = 0;
	const char *act[MAXADDRS + 1];
	unsigned long v;

	memset(r, 0, sizeof(*r));
	r->ttl = DEFAULT_TTL;
	if (strlen(line) >= sizeof(buf)) {
		snprintf(err, errlen, "line too long");
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", line);
	if ((hash = strchr(buf, '#')) != NULL)
		*hash = '\0';
	for (p = strtok_r(buf, " \t\r\n", &save); p != NULL;
	    p = strtok_r(NULL, " \t\r\n", &save)) {
		if (ntok == sizeof(tok) / sizeof(tok[0])) {
			snprintf(err, errlen, "too many fields");
			return -1;
		}
		tok[ntok++] = p;
	}
	if (ntok == 0)
		return 1;
	if (ntok < 3) {
		snprintf(err, errlen, "want NAME TYPE ACTION");
		return -1;
	}
	if (name_canon(r->name, tok[0]) == -1) {
		snprintf(err, errlen, "bad name \"%s\"", tok[0]);
		return -1;
	}
	if (type_parse(tok[1], &r->type) == -1) {
		snprintf(err, errlen, "bad type \"%s\"", tok[1]);
		return -1;
	}

	/* Options, wherever they are; the rest is the action. */
	for (i = 2; i < ntok; i++) {
		if (strncmp(tok[i], "delay=", 6) == 0) {
			if (number_parse(tok[i] + 6, MAXDELAY, &v) == -1) {
				snprintf(err, errlen, "bad delay \"%s\"",
				    tok[i]);
				return -1;
			}
			r->delay_ms = (unsigned)v;
		} else if (strncmp(tok[i], "ttl=", 4) == 0) {
			if (number_parse(tok[i] + 4, MAXTTL, &v) == -1) {
				snprintf(err, errlen, "bad ttl \"%s\"", tok[i]);
				return -1;
			}
			r->ttl = (uint32_t)v;
		} else if (strcmp(tok[i], "tc") == 0)
			r->tc = true;
		else if (strncmp(tok[i], "owner=", 6) == 0) {
			if (name_canon(r->owner, tok[i] + 6) == -1) {
				snprintf(err, errlen, "bad owner \"%s\"",
				    tok[i]);
				return -1;
			}
			r->has_owner = true;
		} else if (strncmp(tok[i], "count=", 6) == 0) {
			if (number_parse(tok[i] + 6, MAXCOUNT, &v) == -1 ||
			    v == 0) {
				snprintf(err, errlen, "bad count \"%s\"",
				    tok[i]);
				return -1;
			}
			r->count = (unsigned)v;
		} else if (strncmp(tok[i], "garbage=", 8) == 0) {
			if (strcmp(tok[i] + 8, "short") == 0)
				r->garbage = G_SHORT;
			else if (strcmp(tok[i] + 8, "counts") == 0)
				r->garbage = G_COUNTS;
			else if (strcmp(tok[i] + 8, "cut") == 0)
				r->garbage = G_CUT;
			else {
				snprintf(err, errlen, "bad garbage \"%s\" "
				    "(short, counts, cut)", tok[i]);
				return -1;
			}
		} else if (strncmp(tok[i], "forge=", 6) == 0) {
			if (forge_parse(r, tok[i] + 6) == -1) {
				snprintf(err, errlen, "bad forge \"%s\"",
				    tok[i]);
				return -1;
			}
		} else if (strcmp(tok[i], "wrongtype") == 0)
			r->wrongtype = true;
		else if (strcmp(tok[i], "loop") == 0)
			r->loop = true;
		else if (strcmp(tok[i], "badid") == 0)
			r->badid = true;
		else if (strcmp(tok[i], "fromport") == 0)
			r->fromport = true;
		else if (nact == MAXADDRS) {
			snprintf(err, errlen, "more than %d addresses",
			    MAXADDRS);
			return -1;
		} else
			act[nact++] = tok[i];
	}
	if (nact == 0) {
		snprintf(err, errlen, "no action");
		return -1;
	}
	if (r->nforge > 0 && !r->badid && !r->fromport) {
		snprintf(err, errlen, "forge= needs badid or fromport");
		return -1;
	}

	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strcasecmp(act[0], keywords[i].word) == 0)
			break;
	if (i < sizeof(keywords) / sizeof(keywords[0])) {
		if (nact > 1) {
			snprintf(err, errlen, "\"%s\" takes nothing after it",
			    act[0]);
			return -1;
		}
		r->action = keywords[i].action;
		if (r->has_owner || r->count > 0 || r->wrongtype || r->loop) {
			snprintf(err, errlen, "owner=, count=, wrongtype and "
			    "loop need addresses");
			return -1;
		}
		return 0;
	}

	switch (r->type) {
	case T_A:
	case T_AAAA:
		r->action = ACT_ADDRS;
		for (i = 0; i < nact; i++) {
			int af = r->type == T_A ? AF_INET : AF_INET6;

			r->atypes[i] = r->type;
			if (inet_pton(af, act[i], r->addrs[i]) == 1)
				continue;
			/* wrongtype: the other family's records too. */
			r->atypes[i] = r->type == T_A ? T_AAAA : T_A;
			if (!r->wrongtype || inet_pton(af == AF_INET ?
			    AF_INET6 : AF_INET, act[i], r->addrs[i]) != 1) {
				snprintf(err, errlen, "bad %s address \"%s\"",
				    r->type == T_A ? "IPv4" : "IPv6", act[i]);
				return -1;
			}
		}
		r->naddrs = nact;
		return 0;
	case T_CNAME:
		if (nact > 1) {
			snprintf(err, errlen, "CNAME takes one target");
			return -1;
		}
		if (name_canon(r->target, act[0]) == -1) {
			snprintf(err, errlen, "bad target \"%s\"", act[0]);
			return -1;
		}
		r->action = ACT_CNAME;
		return 0;
	default:
		snprintf(err, errlen, "\"%s\" is none of nodata, nxdomain, "
		    "servfail, refused, drop", act[0]);
		return -1;
	}
}

/* forge=ADDR[,ADDR...]: IPv4 or IPv6 addresses into r.  0, or -1. */
static int
forge_parse(struct rule *r, const char *list)
{
	char buf[MAXLINE], *a, *save;

	snprintf(buf, sizeof(buf), "%s", list);
	r->nforge = 0;
	for (a = strtok_r(buf, ",", &save); a != NULL;
	    a = strtok_r(NULL, ",", &save)) {
		if (r->nforge == MAXADDRS)
			return -1;
		if (inet_pton(AF_INET, a, r->forge[r->nforge]) == 1)
			r->ftypes[r->nforge] = T_A;
		else if (inet_pton(AF_INET6, a, r->forge[r->nforge]) == 1)
			r->ftypes[r->nforge] = T_AAAA;
		else
			return -1;
		r->nforge++;
	}
	return r->nforge > 0 ? 0 : -1;
}

/* Store r, replacing the rule for the same name and type.  0, or -1. */
static int
rule_add(struct dnsd *d, const struct rule *r)
{
	struct rule *n;
	size_t i;

	for (i = 0; i < d->nrules; i++)
		if (d->rules[i].type == r->type &&
		    strcmp(d->rules[i].name, r->name) == 0) {
			d->rules[i] = *r;
			return 0;
		}
	if (d->nrules == d->caprules) {
		size_t cap = d->caprules == 0 ? 16 : d->caprules * 2;

		if ((n = reallocarray(d->rules, cap, sizeof(*n))) == NULL)
			return -1;
		d->rules = n;
		d->caprules = cap;
	}
	d->rules[d->nrules++] = *r;
	return 0;
}

int
dnsd_rule(struct dnsd *d, const char *line)
{
	struct rule r;
	char err[256];
	int rc;

	if ((rc = rule_parse(&r, line, err, sizeof(err))) == -1) {
		fprintf(stderr, "dnsd: rule \"%s\": %s\n", line, err);
		return -1;
	}
	if (rc == 1)
		return 0;
	if (rule_add(d, &r) == -1) {
		fprintf(stderr, "dnsd: rule \"%s\": %s\n", line,
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
dnsd_load(struct dnsd *d, const char *path)
{
	struct rule r;
	char line[MAXLINE + 2], err[256];
	unsigned long lineno = 0;
	FILE *f;
	int rc, ret = -1;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "dnsd: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			fprintf(stderr, "dnsd: %s:%lu: line too long\n", path,
			    lineno);
			goto out;
		}
		if ((rc = rule_parse(&r, line, err, sizeof(err))) == -1) {
			fprintf(stderr, "dnsd: %s:%lu: %s\n", path, lineno,
			    err);
			goto out;
		}
		if (rc == 0 && rule_add(d, &r) == -1) {
			fprintf(stderr, "dnsd: %s:%lu: %s\n", path, lineno,
			    strerror(errno));
			goto out;
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "dnsd: %s: read error\n", path);
		goto out;
	}
	ret = 0;
out:
	fclose(f);
	return ret;
}

/* ---- answering ----------------------------------------------------------- */

/* Does any rule name this name? */
static bool
name_known(const struct dnsd *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->nrules; i++)
		if (strcmp(d->rules[i].name, name) == 0)
			return true;
	return false;
}

/*
 * The rule answering (name, type): the exact type's, else the CNAME with a
 * target (not for a CNAME question), else "*".  NULL when none.
 */
static const struct rule *
rule_find(const struct dnsd *d, const char *name, uint16_t type)
{
	const struct rule *exact = NULL, *cname = NULL, *star = NULL, *r;
	size_t i;

	for (i = 0; i < d->nrules; i++) {
		r = &d->rules[i];
		if (strcmp(r->name, name) != 0)
			continue;
		if (r->type == type)
			exact = r;
		else if (r->type == T_CNAME && r->action == ACT_CNAME &&
		    type != T_CNAME)
			cname = r;
		else if (r->type == 0)
			star = r;
	}
	if (exact != NULL)
		return exact;
	return cname != NULL ? cname : star;
}

/* Follow the rules for question (name, type) into lk. */
static void
lookup(const struct dnsd *d, const char *qname, uint16_t type,
    struct lookup *lk)
{
	const struct rule *r;
	const char *name = qname;

	memset(lk, 0, sizeof(*lk));
	for (;;) {
		if (!name_known(d, name)) {
			lk->rcode = RC_NXDOMAIN;
			return;
		}
		if ((r = rule_find(d, name, type)) == NULL)
			return;			/* NODATA */
		if (lk->first == NULL)
			lk->first = r;
		lk->delay_ms += r->delay_ms;
		lk->tc = lk->tc || r->tc;
		switch (r->action) {
		case ACT_ADDRS:
			lk->final = r;
			return;
		case ACT_CNAME:
			if (lk->nlinks == MAXLINKS) {
				lk->nlinks = 0;
				lk->rcode = RC_SERVFAIL;
				return;
			}
			lk->links[lk->nlinks++] = r;
			if (type == T_CNAME)
				return;
			name = r->target;
			break;
		case ACT_NODATA:
			return;
		case ACT_NXDOMAIN:
			lk->rcode = RC_NXDOMAIN;
			return;
		case ACT_SERVFAIL:
		case ACT_REFUSED:
			lk->nlinks = 0;
			lk->rcode = r->action == ACT_SERVFAIL ? RC_SERVFAIL :
			    RC_REFUSED;
			return;
		case ACT_DROP:
			lk->drop = true;
			return;
		}
	}
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Write a resource record's fixed part at out; returns its length (10). */
static size_t
put_rrhead(uint8_t *out, uint16_t type, uint32_t ttl, uint16_t rdlen)
{
	put16(out, type);
	put16(out + 2, C_IN);
	put16(out + 4, (uint16_t)(ttl >> 16));
	put16(out + 6, (uint16_t)ttl);
	put16(out + 8, rdlen);
	return 10;
}

/*
 * Write the header and the question (if q->wirelen) of an answer with
 * rcode into out[MAXMSG].  Returns the length.
 */
static size_t
build_head(uint8_t *out, const struct question *q, int rcode, bool tc)
{
	uint16_t flags;

	/* QR, opcode and RD copied, AA, RA. */
	flags = (uint16_t)(0x8000 | (q->flags & 0x7900) | 0x0400 | 0x0080 |
	    rcode);
	if (tc)
		flags |= 0x0200;
	put16(out, q->id);
	put16(out + 2, flags);
	put16(out + 4, q->wirelen > 0 ? 1 : 0);
	put16(out + 6, 0);
	put16(out + 8, 0);
	put16(out + 10, 0);
	if (q->wirelen == 0)
		return 12;
	memcpy(out + 12, q->wire, q->wirelen);
	put16(out + 12 + q->wirelen, q->type);
	put16(out + 14 + q->wirelen, q->class);
	return 16 + q->wirelen;
}

/* Append an OPT record of size EDNS_SIZE at out[len]; the new length. */
static size_t
put_opt(uint8_t *out, size_t len)
{
	out[len] = 0;			/* the root */
	put16(out + len + 1, T_OPT);
	put16(out + len + 3, EDNS_SIZE);
	memset(out + len + 5, 0, 6);	/* ext-rcode, version, flags, rdlen */
	put16(out + 10, (uint16_t)(get16(out + 10) + 1));
	return len + 11;
}

/* The address after a (len 4 or 16 octets), wrapping around. */
static void
addr_next(uint8_t *a, size_t len)
{
	while (len-- > 0)
		if (++a[len] != 0)
			break;
}

/*
 * Write the answer to q according to lk into out[MAXMSG], truncated for
 * UDP when the rules say so or it does not fit.  Returns the length.
 */
static size_t
build_answer(uint8_t *out, const struct question *q, const struct lookup *lk,
    bool tcp)
{
	size_t len, i, limit, an = 0, nrec, alen, need;
	uint16_t owner = 12, rdlen, atype = T_A, named = 0;
	const struct rule *r;
	uint8_t addr[16];

	len = build_head(out, q, lk->rcode, false);
	if (!tcp && lk->tc)
		goto truncate;
	/* At most 32 CNAMEs of 12 + 255: far below MAXMSG. */
	for (i = 0; i < lk->nlinks; i++) {
		r = lk->links[i];
		out[len] = (uint8_t)(0xc0 | owner >> 8);
		out[len + 1] = (uint8_t)owner;
		len += 2;
		rdlen = (uint16_t)name_wire(out + len + 10, r->target);
		len += put_rrhead(out + len, T_CNAME, r->ttl, rdlen);
		owner = (uint16_t)len;
		len += rdlen;
		an++;
	}
	/*
	 * The address records: the rule's, then with count= more, each the
	 * previous one plus 1, as many as fit in MAXMSG (with room for the
	 * OPT).  Owned by the question or the last CNAME's target (a
	 * pointer), or by owner= (written out once, then pointed to); with
	 * loop, the first one's owner is a label and a pointer back to that
	 * label, a name without end.
	 */
	if ((r = lk->final) != NULL) {
		nrec = r->count > 0 ? r->count : r->naddrs;
		for (i = 0; i < nrec; i++) {
			if (i < r->naddrs) {
				atype = r->atypes[i];
				memcpy(addr, r->addrs[i], 16);
			} else
				addr_next(addr, atype == T_A ? 4 : 16);
			alen = atype == T_A ? 4 : 16;
			need = 2 + 10 + alen + 11;
			if (r->has_owner && named == 0)
				need += strlen(r->owner) + 2;
			else if (r->loop && i == 0)
				need += 2;
			if (len + need > MAXMSG)
				break;
			if (r->loop && i == 0) {
				/* "x" then a pointer to the "x": a loop. */
				out[len] = 1;
				out[len + 1] = 'x';
				out[len + 2] = (uint8_t)(0xc0 | len >> 8);
				out[len + 3] = (uint8_t)len;
				len += 4;
			} else if (r->has_owner && named == 0) {
				named = (uint16_t)len;
				len += name_wire(out + len, r->owner);
			} else {
				uint16_t o = r->has_owner ? named : owner;

				out[len] = (uint8_t)(0xc0 | o >> 8);
				out[len + 1] = (uint8_t)o;
				len += 2;
			}
			len += put_rrhead(out + len, atype, r->ttl,
			    (uint16_t)alen);
			memcpy(out + len, addr, alen);
			len += alen;
			an++;
		}
	}
	put16(out + 6, (uint16_t)an);
	if (q->edns)
		len = put_opt(out, len);
	if (tcp)
		return len;
	limit = 512;
	if (q->edns && q->udpsize > limit)
		limit = q->udpsize < EDNS_SIZE ? q->udpsize : EDNS_SIZE;
	if (len <= limit)
		return len;
truncate:
	len = build_head(out, q, lk->rcode, true);
	if (q->edns)
		len = put_opt(out, len);
	return len;
}

/*
 * Read the name at msg[*off] (compression pointers followed backwards, at
 * most 16 of them): its wire form in original case, uncompressed, into
 * wire[255], its canonical text into text[256].  Moves *off past the name
 * as it stands in the message.  Returns the wire length, or -1 when the
 * name is malformed or not printable ASCII.
 */
static int
read_name(const uint8_t *msg, size_t len, size_t *off, uint8_t *wire,
    char *text)
{
	size_t pos = *off, end = 0, wlen = 0, tlen = 0, ptr, i;
	int hops = 0;
	uint8_t c;

	for (;;) {
		if (pos >= len)
			return -1;
		c = msg[pos];
		if ((c & 0xc0) == 0xc0) {
			if (pos + 1 >= len || ++hops > 16)
				return -1;
			ptr = (size_t)(c & 0x3f) << 8 | msg[pos + 1];
			if (ptr >= pos)
				return -1;
			if (end == 0)
				end = pos + 2;
			pos = ptr;
			continue;
		}
		if ((c & 0xc0) != 0)
			return -1;		/* extended label types */
		if (c == 0)
			break;
		if (pos + 1 + c > len || wlen + 1 + c + 1 > 255)
			return -1;
		wire[wlen++] = c;
		if (tlen > 0)
			text[tlen++] = '.';
		for (i = 0; i < c; i++) {
			uint8_t ch = msg[pos + 1 + i];

			if (ch < 0x21 || ch > 0x7e || ch == '.')
				return -1;
			wire[wlen++] = ch;
			text[tlen++] = (char)tolower(ch);
		}
		pos += 1 + c;
	}
	wire[wlen++] = 0;
	text[tlen] = '\0';
	*off = end != 0 ? end : pos + 1;
	return (int)wlen;
}

/* Skip the name at msg[*off] without reading it; 0, or -1. */
static int
skip_name(const uint8_t *msg, size_t len, size_t *off)
{
	size_t pos = *off;
	int labels;

	for (labels = 0; labels < 128; labels++) {
		if (pos >= len)
			return -1;
		if ((msg[pos] & 0xc0) == 0xc0) {
			if (pos + 2 > len)
				return -1;
			*off = pos + 2;
			return 0;
		}
		if ((msg[pos] & 0xc0) != 0)
			return -1;
		if (msg[pos] == 0) {
			*off = pos + 1;
			return 0;
		}
		pos += 1 + msg[pos];
	}
	return -1;
}

/*
 * Look for an EDNS0 OPT record after the question, at msg[off]; a broken
 * record section only means no EDNS.
 */
static void
read_edns(const uint8_t *msg, size_t len, size_t off, struct question *q)
{
	size_t start;
	unsigned n, i, skip;

	skip = (unsigned)get16(msg + 6) + get16(msg + 8);
	n = skip + get16(msg + 10);
	for (i = 0; i < n && i < 64; i++) {
		start = off;
		if (skip_name(msg, len, &off) == -1 || off + 10 > len)
			return;
		if (i >= skip && msg[start] == 0 &&
		    get16(msg + off) == T_OPT) {
			q->edns = true;
			q->udpsize = get16(msg + off + 2);
			return;
		}
		off += 10 + get16(msg + off + 8);
	}
}

/* ---- sending ------------------------------------------------------------- */

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Try to send what c has queued.  Returns 0, or -1 when the connection
 * failed (the caller closes it).
 */
static int
conn_flush(struct conn *c)
{
	ssize_t n;

	while (c->outoff < c->outlen) {
		n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
		    MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (event_add(c->wev, NULL) == -1)
				return -1;
			return 0;
		}
		if (n <= 0)
			return -1;
		c->outoff += (size_t)n;
	}
	c->outoff = c->outlen = 0;
	event_del(c->wev);
	return 0;
}

/* Queue msg on c with its length and send; 0, or -1 (caller closes). */
static int
conn_send(struct conn *c, const uint8_t *msg, size_t len)
{
	uint8_t *n;
	size_t need;

	if (c->outoff > 0) {
		memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
		c->outlen -= c->outoff;
		c->outoff = 0;
	}
	need = c->outlen + 2 + len;
	if (need > MAXOUT)
		return -1;
	if (need > c->outcap) {
		size_t cap = c->outcap == 0 ? 4096 : c->outcap;

		while (cap < need)
			cap *= 2;
		if ((n = realloc(c->out, cap)) == NULL)
			return -1;
		c->out = n;
		c->outcap = cap;
	}
	put16(c->out + c->outlen, (uint16_t)len);
	memcpy(c->out + c->outlen + 2, msg, len);
	c->outlen += 2 + len;
	return conn_flush(c);
}

/* After an answer went out on c: close it if it failed or is done. */
static void
conn_check(struct conn *c, int rc)
{
	if (rc == -1 || (c->eof && c->npending == 0 && c->outlen == 0))
		conn_close(c);
}

static void
pending_free(struct pending *p)
{
	LIST_REMOVE(p, entry);
	p->d->npendings--;
	if (p->conn != NULL)
		p->conn->npending--;
	event_free(p->ev);
	free(p);
}

/*
 * Arm p's timer for the time left until p->due_ns, rounded up to the
 * microsecond.  Returns what evtimer_add() does.
 */
static int
pending_arm(struct pending *p)
{
	struct timeval tv;
	uint64_t now = now_ns(), us;

	us = p->due_ns > now ? (p->due_ns - now + 999) / 1000 : 0;
	tv.tv_sec = (time_t)(us / 1000000);
	tv.tv_usec = (suseconds_t)(us % 1000000);
	/* Count from now, not from the loop's cached time. */
	event_base_update_cache_time(p->d->base);
	return evtimer_add(p->ev, &tv);
}

static void
pending_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pending *p = arg;
	struct dnsd *d = p->d;
	struct conn *c = p->conn;
	int rc;

	(void)fd;
	(void)what;
	/*
	 * libevent's clock may be coarse (CLOCK_MONOTONIC_COARSE), firing a
	 * few milliseconds early by ours: never answer before the delay.
	 */
	if (now_ns() < p->due_ns && p->rearms++ < 64 && pending_arm(p) == 0)
		return;
	if (c == NULL) {
		(void)sendto(d->ufd, p->msg, p->len, 0,
		    (struct sockaddr *)&p->peer, p->peerlen);
		pending_free(p);
		return;
	}
	rc = conn_send(c, p->msg, p->len);
	pending_free(p);
	conn_check(c, rc);
}

/*
 * Send the answer in msg[0..len) now (delay 0) or later.  For TCP (c not
 * NULL) returns what conn_send() does; 0 otherwise.
 */
static int
answer_send(struct dnsd *d, struct conn *c, const struct sockaddr *peer,
    socklen_t peerlen, const uint8_t *msg, size_t len, unsigned long delay)
{
	struct pending *p;

	if (delay == 0) {
		if (c != NULL)
			return conn_send(c, msg, len);
		(void)sendto(d->ufd, msg, len, 0, peer, peerlen);
		return 0;
	}
	if (d->npendings >= MAXPENDING ||
	    (p = calloc(1, sizeof(*p) + len)) == NULL)
		return 0;
	p->d = d;
	p->conn = c;
	if (c == NULL) {
		memcpy(&p->peer, peer, peerlen);
		p->peerlen = peerlen;
	}
	p->len = len;
	memcpy(p->msg, msg, len);
	p->due_ns = now_ns() + (uint64_t)delay * 1000000;
	if ((p->ev = evtimer_new(d->base, pending_cb, p)) == NULL) {
		free(p);
		return 0;
	}
	if (pending_arm(p) == -1) {
		event_free(p->ev);
		free(p);
		return 0;
	}
	LIST_INSERT_HEAD(&d->pendings, p, entry);
	d->npendings++;
	if (c != NULL)
		c->npending++;
	return 0;
}

/* Append q to the query log and tell the callback. */
static void
log_query(struct dnsd *d, const struct question *q, bool tcp)
{
	struct dnsd_query *e, *n;

	if (d->nlog == d->caplog) {
		size_t cap = d->caplog == 0 ? 64 : d->caplog * 2;

		if ((n = reallocarray(d->log, cap, sizeof(*n))) == NULL)
			return;
		d->log = n;
		d->caplog = cap;
	}
	e = &d->log[d->nlog++];
	memset(e, 0, sizeof(*e));
	e->t_ns = now_ns();
	memcpy(e->name, q->name, sizeof(e->name));
	e->type = q->type;
	e->tcp = tcp;
	if (d->cb != NULL)
		d->cb(e, d->cbarg);
}

/* The garbage= of the first rule on lk's chain that has one. */
static enum garbage
lk_garbage(const struct lookup *lk)
{
	size_t i;

	if (lk->first != NULL && lk->first->garbage != G_NONE)
		return lk->first->garbage;
	for (i = 0; i < lk->nlinks; i++)
		if (lk->links[i]->garbage != G_NONE)
			return lk->links[i]->garbage;
	return lk->final != NULL ? lk->final->garbage : G_NONE;
}

/* Spoil the answer msg[0..len) as garbage= says; returns the new length. */
static size_t
spoil(uint8_t *msg, size_t len, const struct question *q,
    const struct lookup *lk)
{
	size_t end;

	switch (lk_garbage(lk)) {
	case G_SHORT:
		return len < 7 ? len : 7;
	case G_COUNTS:
		put16(msg + 6, 0xffff);
		return len;
	case G_CUT:
		/* Without the OPT, and 2 octets short of the last record. */
		end = q->edns && len >= 12 + 11 ? len - 11 : len;
		return end > 14 ? end - 2 : 12;
	default:
		return len;
	}
}

/*
 * badid, fromport: a forged answer to q over UDP, at once, before the
 * real one: with the forge= addresses (else the real answer's records),
 * its ID changed (badid), from another port (fromport).
 */
static void
send_forged(struct dnsd *d, const struct question *q,
    const struct lookup *lk, const struct sockaddr *peer, socklen_t peerlen)
{
	const struct rule *f = lk->first;
	struct rule fake;
	struct lookup fl;
	struct question fq = *q;
	size_t n;
	int fd = d->ufd;

	if (f->nforge > 0) {
		memset(&fake, 0, sizeof(fake));
		fake.type = q->type;
		fake.action = ACT_ADDRS;
		fake.ttl = DEFAULT_TTL;
		fake.naddrs = f->nforge;
		memcpy(fake.addrs, f->forge, sizeof(fake.addrs));
		memcpy(fake.atypes, f->ftypes, sizeof(fake.atypes));
		memset(&fl, 0, sizeof(fl));
		fl.final = &fake;
	} else {
		fl = *lk;
		fl.rcode = lk->drop ? RC_NOERROR : lk->rcode;
	}
	fl.tc = false;
	if (f->badid)
		fq.id = (uint16_t)(q->id ^ 0x5a5a);
	n = build_answer(d->fbuf, &fq, &fl, false);
	if (f->fromport) {
		if (d->ufd2 == -1)
			d->ufd2 = socket(peer->sa_family, SOCK_DGRAM |
			    SOCK_CLOEXEC, 0);
		fd = d->ufd2;
	}
	if (fd != -1)
		(void)sendto(fd, d->fbuf, n, 0, peer, peerlen);
}

/*
 * Answer the message msg[0..len) from peer (UDP) or on c (TCP).  Returns
 * -1 when the TCP connection failed, else 0.
 */
static int
handle_msg(struct dnsd *d, struct conn *c, const struct sockaddr *peer,
    socklen_t peerlen, const uint8_t *msg, size_t len)
{
	struct question q;
	struct lookup lk;
	size_t off = 12, n;
	int wl;

	if (len < 12 || (msg[2] & 0x80) != 0)
		return 0;			/* no header, or a response */
	memset(&q, 0, sizeof(q));
	q.id = get16(msg);
	q.flags = get16(msg + 2);
	if ((q.flags & 0x7800) != 0) {
		n = build_head(d->obuf, &q, RC_NOTIMP, false);
		return answer_send(d, c, peer, peerlen, d->obuf, n, 0);
	}
	if (get16(msg + 4) != 1 ||
	    (wl = read_name(msg, len, &off, q.wire, q.name)) == -1 ||
	    off + 4 > len) {
		n = build_head(d->obuf, &q, RC_FORMERR, false);
		return answer_send(d, c, peer, peerlen, d->obuf, n, 0);
	}
	q.wirelen = (size_t)wl;
	q.type = get16(msg + off);
	q.class = get16(msg + off + 2);
	read_edns(msg, len, off + 4, &q);
	log_query(d, &q, c != NULL);

	if (q.class != C_IN) {
		n = build_head(d->obuf, &q, RC_REFUSED, false);
		if (q.edns)
			n = put_opt(d->obuf, n);
		return answer_send(d, c, peer, peerlen, d->obuf, n, 0);
	}
	lookup(d, q.name, q.type, &lk);
	if (c == NULL && lk.first != NULL &&
	    (lk.first->badid || lk.first->fromport))
		send_forged(d, &q, &lk, peer, peerlen);
	if (lk.drop)
		return 0;
	n = build_answer(d->obuf, &q, &lk, c != NULL);
	n = spoil(d->obuf, n, &q, &lk);
	return answer_send(d, c, peer, peerlen, d->obuf, n, lk.delay_ms);
}

/* ---- sockets ------------------------------------------------------------- */

static void
udp_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dnsd *d = arg;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	ssize_t n;
	int i;

	(void)what;
	for (i = 0; i < 32; i++) {
		peerlen = sizeof(peer);
		n = recvfrom(fd, d->ibuf, sizeof(d->ibuf), 0,
		    (struct sockaddr *)&peer, &peerlen);
		if (n == -1 && errno == EINTR)
			continue;
		if (n < 0)
			return;
		(void)handle_msg(d, NULL, (struct sockaddr *)&peer, peerlen,
		    d->ibuf, (size_t)n);
	}
}

static void
conn_close(struct conn *c)
{
	struct dnsd *d = c->d;
	struct pending *p, *next;

	for (p = LIST_FIRST(&d->pendings); p != NULL; p = next) {
		next = LIST_NEXT(p, entry);
		if (p->conn == c)
			pending_free(p);
	}
	LIST_REMOVE(c, entry);
	d->nconns--;
	event_free(c->rev);
	event_free(c->wev);
	evutil_closesocket(c->fd);
	free(c->out);
	free(c);
}

static void
conn_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	size_t msglen, used = 0;
	ssize_t n;
	int rc = 0;

	(void)what;
	n = recv(fd, c->in + c->inlen, sizeof(c->in) - c->inlen, 0);
	if (n == -1 && (errno == EINTR || errno == EAGAIN ||
	    errno == EWOULDBLOCK))
		return;
	if (n < 0) {
		conn_close(c);
		return;
	}
	if (n == 0) {
		c->eof = true;
		event_del(c->rev);
		conn_check(c, 0);
		return;
	}
	c->inlen += (size_t)n;
	while (rc == 0 && c->inlen - used >= 2) {
		msglen = get16(c->in + used);
		if (c->inlen - used < 2 + msglen)
			break;
		rc = handle_msg(c->d, c, NULL, 0, c->in + used + 2, msglen);
		used += 2 + msglen;
	}
	if (rc == -1) {
		conn_close(c);
		return;
	}
	memmove(c->in, c->in + used, c->inlen - used);
	c->inlen -= used;
}

static void
conn_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	(void)what;
	conn_check(c, conn_flush(c));
}

static void
accept_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dnsd *d = arg;
	struct conn *c;
	evutil_socket_t s;
	int i;

	(void)what;
	for (i = 0; i < 16; i++) {
		if ((s = accept(fd, NULL, NULL)) == -1)
			return;
		if (d->nconns >= MAXCONNS ||
		    evutil_make_socket_nonblocking(s) == -1 ||
		    evutil_make_socket_closeonexec(s) == -1 ||
		    (c = calloc(1, sizeof(*c))) == NULL) {
			evutil_closesocket(s);
			continue;
		}
		c->d = d;
		c->fd = s;
		c->rev = event_new(d->base, s, EV_READ | EV_PERSIST,
		    conn_read_cb, c);
		c->wev = event_new(d->base, s, EV_WRITE | EV_PERSIST,
		    conn_write_cb, c);
		if (c->rev == NULL || c->wev == NULL ||
		    event_add(c->rev, NULL) == -1) {
			if (c->rev != NULL)
				event_free(c->rev);
			if (c->wev != NULL)
				event_free(c->wev);
			evutil_closesocket(s);
			free(c);
			continue;
		}
		LIST_INSERT_HEAD(&d->conns, c, entry);
		d->nconns++;
	}
}

/* A non-blocking, close-on-exec socket bound to sa; the fd, or -1. */
static evutil_socket_t
bound_socket(const struct sockaddr *sa, socklen_t salen, int socktype)
{
	evutil_socket_t s;
	int on = 1, save;

	if ((s = socket(sa->sa_family, socktype, 0)) == -1)
		return -1;
	if (evutil_make_socket_nonblocking(s) == -1 ||
	    evutil_make_socket_closeonexec(s) == -1)
		goto fail;
	if (sa->sa_family == AF_INET6 && setsockopt(s, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) == -1)
		goto fail;
	if (socktype == SOCK_STREAM && setsockopt(s, SOL_SOCKET,
	    SO_REUSEADDR, &on, sizeof(on)) == -1)
		goto fail;
	if (bind(s, sa, salen) == -1)
		goto fail;
	if (socktype == SOCK_STREAM && listen(s, 64) == -1)
		goto fail;
	return s;
fail:
	save = errno;
	evutil_closesocket(s);
	errno = save;
	return -1;
}

/*
 * Bind UDP, then TCP on the same port; with port 0 retry a few times when
 * the ephemeral port is taken for TCP.  Returns 0, or -1 with errno.
 */
static int
listen_both(struct dnsd *d, struct sockaddr_storage *ss, socklen_t sslen)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	in_port_t want = ss->ss_family == AF_INET ? sin->sin_port :
	    sin6->sin6_port;
	socklen_t len;
	int tries, save;

	for (tries = 0; tries < 16; tries++) {
		if (ss->ss_family == AF_INET)
			sin->sin_port = want;
		else
			sin6->sin6_port = want;
		if ((d->ufd = bound_socket((struct sockaddr *)ss, sslen,
		    SOCK_DGRAM)) == -1)
			return -1;
		len = sslen;
		if (getsockname(d->ufd, (struct sockaddr *)ss, &len) == -1)
			goto fail;
		d->port = ntohs(ss->ss_family == AF_INET ? sin->sin_port :
		    sin6->sin6_port);
		if ((d->tfd = bound_socket((struct sockaddr *)ss, sslen,
		    SOCK_STREAM)) != -1)
			return 0;
		if (errno != EADDRINUSE || want != 0)
			goto fail;
		evutil_closesocket(d->ufd);
		d->ufd = -1;
	}
	errno = EADDRINUSE;
	return -1;
fail:
	save = errno;
	evutil_closesocket(d->ufd);
	d->ufd = -1;
	errno = save;
	return -1;
}

struct dnsd *
dnsd_new(struct event_base *base, const char *addr, uint16_t port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t sslen;
	struct dnsd *d;
	int save;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sslen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sslen = sizeof(*sin6);
	} else {
		errno = EINVAL;
		return NULL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->base = base;
	d->ufd = d->tfd = d->ufd2 = -1;
	LIST_INIT(&d->conns);
	LIST_INIT(&d->pendings);
	if (listen_both(d, &ss, sslen) == -1)
		goto fail;
	d->uev = event_new(base, d->ufd, EV_READ | EV_PERSIST, udp_cb, d);
	d->tev = event_new(base, d->tfd, EV_READ | EV_PERSIST, accept_cb, d);
	if (d->uev == NULL || d->tev == NULL || event_add(d->uev, NULL) == -1 ||
	    event_add(d->tev, NULL) == -1) {
		errno = ENOMEM;
		goto fail;
	}
	return d;
fail:
	save = errno;
	dnsd_free(d);
	errno = save;
	return NULL;
}

uint16_t
dnsd_port(const struct dnsd *d)
{
	return d->port;
}

void
dnsd_on_query(struct dnsd *d, void (*cb)(const struct dnsd_query *, void *),
    void *arg)
{
	d->cb = cb;
	d->cbarg = arg;
}

size_t
dnsd_nqueries(const struct dnsd *d)
{
	return d->nlog;
}

const struct dnsd_query *
dnsd_query(const struct dnsd *d, size_t i)
{
	return i < d->nlog ? &d->log[i] : NULL;
}

static size_t
count(const struct dnsd *d, const char *name, uint16_t type, bool tcp_only)
{
	char canon[256];
	size_t i, n = 0;

	if (name_canon(canon, name) == -1)
		return 0;
	for (i = 0; i < d->nlog; i++)
		if (d->log[i].type == type && (d->log[i].tcp || !tcp_only) &&
		    strcmp(d->log[i].name, canon) == 0)
			n++;
	return n;
}

size_t
dnsd_count(const struct dnsd *d, const char *name, uint16_t type)
{
	return count(d, name, type, false);
}

size_t
dnsd_count_tcp(const struct dnsd *d, const char *name, uint16_t type)
{
	return count(d, name, type, true);
}

void
dnsd_free(struct dnsd *d)
{
	if (d == NULL)
		return;
	while (!LIST_EMPTY(&d->conns))
		conn_close(LIST_FIRST(&d->conns));
	while (!LIST_EMPTY(&d->pendings))
		pending_free(LIST_FIRST(&d->pendings));
	if (d->uev != NULL)
		event_free(d->uev);
	if (d->tev != NULL)
		event_free(d->tev);
	if (d->ufd != -1)
		evutil_closesocket(d->ufd);
	if (d->ufd2 != -1)
		evutil_closesocket(d->ufd2);
	if (d->tfd != -1)
		evutil_closesocket(d->tfd);
	free(d->rules);
	free(d->log);
	free(d);
}
