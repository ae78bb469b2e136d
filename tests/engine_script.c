/*
 * engine_script.c - the virtual-time script driver (see engine_script.h).
 */
#include "config.h"

#include <sys/socket.h>

#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_script.h"

#define MAXPENDING	128
#define MAXTOK		64

struct pending {
	uint64_t	t;
	char		text[512];
};

struct script {
	const char		*name;
	int			 line;
	struct hecat__engine_cfg cfg;
	struct hecat__engine	*e;
	bool			 notes;
	uint64_t		 now;
	struct pending		 q[MAXPENDING];
	size_t			 qhead, qlen;
};

static const struct {
	const char	*name;
	int		 err;
} errnames[] = {
	{ "ECONNREFUSED", ECONNREFUSED },
	{ "ENETUNREACH", ENETUNREACH },
	{ "EHOSTUNREACH", EHOSTUNREACH },
	{ "ETIMEDOUT", ETIMEDOUT },
	{ "ECONNRESET", ECONNRESET },
	{ "EACCES", EACCES },
	{ "EPERM", EPERM },
	{ "EADDRNOTAVAIL", EADDRNOTAVAIL },
	{ "EADDRINUSE", EADDRINUSE },
	{ "EAFNOSUPPORT", EAFNOSUPPORT },
	{ "EMFILE", EMFILE },
};

int
script_errno(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (strcmp(errnames[i].name, name) == 0)
			return errnames[i].err;
	return -1;
}

const char *
script_errname(int err)
{
	size_t i;

	if (err == 0)
		return "none";
	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].err == err)
			return errnames[i].name;
	return "E?";
}

static void	script_fail(struct script *, const char *, ...)
		    __attribute__((format(printf, 2, 3), noreturn));

/* Fail the running check test, naming the script and its line. */
static void
script_fail(struct script *s, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ck_abort_msg("%s line %d: %s", s->name, s->line, msg);
	abort();	/* not reached: ck_abort_msg does not return */
}

/* ---- formatting --------------------------------------------------------- */

static const char *
famname(int family)
{
	return family == AF_INET6 ? "inet6" : family == AF_INET ? "inet" :
	    family == HECAT__PREF64 ? "pref64" : "?";
}

static const char *
whyname(int why)
{
	static const char *names[] = { "first", "delay", "failed", "answer" };

	return why >= 0 && why < 4 ? names[why] : "?";
}

static const char *
cancelname(int why)
{
	static const char *names[] = { "lost", "timeout", "deadline", "abort" };

	return why >= 0 && why < 4 ? names[why] : "?";
}

static const char *
statusname(int status)
{
	switch (status) {
	case HECAT_OK:
		return "ok";
	case HECAT_E_NOHOST:
		return "nohost";
	case HECAT_E_NOADDR:
		return "noaddr";
	case HECAT_E_DNS:
		return "dns";
	case HECAT_E_CONNECT:
		return "connect";
	case HECAT_E_TIMEOUT:
		return "timeout";
	case HECAT_E_CANCELLED:
		return "cancelled";
	case HECAT_E_DNSSEC:
		return "dnssec";
	}
	return "?";
}

static void
fmt_order(struct script *s, char *buf, size_t len)
{
	struct hecat__addr_info info;
	size_t order[256], n, i, off;
	char a[HECAT__IP_FMTLEN];

	n = hecat__engine_order(s->e, order, 256);
	off = (size_t)snprintf(buf, len, "order");
	for (i = 0; i < n && i < 256 && off < len; i++) {
		hecat__engine_addr(s->e, order[i], &info);
		off += (size_t)snprintf(buf + off, len - off, " %s",
		    hecat__ip_fmt(&info.dst.ip, a, sizeof(a)));
	}
}

static void
fmt_action(struct script *s, const struct hecat__action *a, char *buf,
    size_t len)
{
	char ep[HECAT__IP_FMTLEN + 8], v4[HECAT__IP_FMTLEN];

	switch (a->kind) {
	case HECAT__ACT_QUERY:
		if (a->tries > 1)
			snprintf(buf, len, "query %s try=%u",
			    famname(a->family), a->tries);
		else
			snprintf(buf, len, "query %s", famname(a->family));
		break;
	case HECAT__ACT_QUERY_CANCEL:
		snprintf(buf, len, "query-cancel %s", famname(a->family));
		break;
	case HECAT__ACT_RD_WAIT:
		snprintf(buf, len, "rd-wait %s %llums", famname(a->family),
		    (unsigned long long)(a->wait / HECAT__NS_PER_MS));
		break;
	case HECAT__ACT_ORDER:
		fmt_order(s, buf, len);
		break;
	case HECAT__ACT_ATTEMPT:
		snprintf(buf, len, "attempt %u %s %s%s%s", a->id,
		    hecat__ip_fmt_port(&a->ip, a->port, ep, sizeof(ep)),
		    whyname(a->why), a->orig.family != 0 ? " nat64=" : "",
		    a->orig.family != 0 ? hecat__ip_fmt(&a->orig, v4,
		    sizeof(v4)) : "");
		break;
	case HECAT__ACT_NAT64:
		if (a->plen == 0)
			snprintf(buf, len, "nat64 none");
		else {
			struct hecat__prefix64 p = { .ip = a->ip,
			    .len = a->plen };

			snprintf(buf, len, "nat64 %s",
			    hecat__nat64_prefix_fmt(&p, ep, sizeof(ep)));
		}
		break;
	case HECAT__ACT_DESYNTH:
		snprintf(buf, len, "desynth %s %s",
		    hecat__ip_fmt(&a->ip, ep, sizeof(ep)),
		    hecat__ip_fmt(&a->orig, v4, sizeof(v4)));
		break;
	case HECAT__ACT_CANCEL:
		snprintf(buf, len, "cancel %u %s", a->id, cancelname(a->why));
		break;
	case HECAT__ACT_DONE:
		if (a->status == HECAT_OK)
			snprintf(buf, len, "done ok %u %s%s%s", a->id,
			    hecat__ip_fmt_port(&a->ip, a->port, ep,
			    sizeof(ep)), a->orig.family != 0 ? " nat64=" : "",
			    a->orig.family != 0 ? hecat__ip_fmt(&a->orig, v4,
			    sizeof(v4)) : "");
		else
			snprintf(buf, len, "done %s", statusname(a->status));
		break;
	}
}

/* ---- the engine side ----------------------------------------------------- */

static void
collect(struct script *s)
{
	struct hecat__action a;
	struct pending *p;

	while (hecat__engine_next_action(s->e, &a)) {
		if (!s->notes && (a.kind == HECAT__ACT_ORDER ||
		    a.kind == HECAT__ACT_RD_WAIT))
			continue;
		if (s->qlen == MAXPENDING)
			script_fail(s, "too many unmatched actions");
		p = &s->q[(s->qhead + s->qlen++) % MAXPENDING];
		p->t = s->now;
		fmt_action(s, &a, p->text, sizeof(p->text));
	}
}

/* Fire the next timer if it is due by t; false if none is. */
static bool
fire_one(struct script *s, uint64_t t)
{
	uint64_t d = hecat__engine_next_deadline(s->e);

	if (d == HECAT__NEVER || d > t)
		return false;
	if (d < s->now)
		script_fail(s, "deadline %.3fms is in the past (now %.3fms)",
		    (double)d / 1e6, (double)s->now / 1e6);
	s->now = d;
	hecat__engine_on_timeout(s->e, d);
	collect(s);
	return true;
}

/* Fire every timer due by t, then move the clock to t. */
static void
advance(struct script *s, uint64_t t)
{
	int guard = 0;

	if (s->e == NULL)
		script_fail(s, "no dial started");
	if (t < s->now)
		script_fail(s, "time goes backwards");
	while (fire_one(s, t))
		if (++guard > 100000)
			script_fail(s, "timers fire forever before %.3fms",
			    (double)t / 1e6);
	s->now = t;
}

static void
expect_none(struct script *s)
{
	struct pending *p;

	if (s->qlen > 0) {
		p = &s->q[s->qhead];
		script_fail(s, "unexpected action at %.3fms: %s",
		    (double)p->t / 1e6, p->text);
	}
}

/* ---- parsing ------------------------------------------------------------- */

static uint64_t
parse_ms(struct script *s, const char *tok)
{
	char *end;
	double ms = strtod(tok, &end);

	if (*end != '\0' || ms < 0)
		script_fail(s, "bad time '%s'", tok);
	return (uint64_t)(ms * 1e6 + 0.5);
}

static unsigned long
parse_num(struct script *s, const char *tok)
{
	char *end;
	unsigned long v = strtoul(tok, &end, 10);

	if (*end != '\0')
		script_fail(s, "bad number '%s'", tok);
	return v;
}

static int
parse_family(struct script *s, const char *tok)
{
	if (strcmp(tok, "pref64") == 0)
		return HECAT__PREF64;
	if (strcmp(tok, "inet6") == 0 || strcmp(tok, "6") == 0)
		return AF_INET6;
	if (strcmp(tok, "inet") == 0 || strcmp(tok, "4") == 0)
		return AF_INET;
	script_fail(s, "bad family '%s'", tok);
	return 0;
}

/*
 * "~rtt=MS", "~rto=MS", "~failed" (any of them, in any order): what
 * connection history says of an address.
 */
static void
parse_history(struct script *s, char *hist, struct hecat__dst *d)
{
	char *p;

	while (hist != NULL) {
		if ((p = strchr(hist, '~')) != NULL)
			*p++ = '\0';
		if (strncmp(hist, "rtt=", 4) == 0)
			d->rtt = parse_ms(s, hist + 4);
		else if (strncmp(hist, "rto=", 4) == 0)
			d->rto = parse_ms(s, hist + 4);
		else if (strcmp(hist, "failed") == 0)
			d->failed = true;
		else
			script_fail(s, "bad history '%s'", hist);
		hist = p;
	}
}

/*
 * "ADDR[@SRC][~HISTORY]": SRC "-" for none, the address itself by
 * default; HISTORY as parse_history() takes it.
 */
static void
parse_dst(struct script *s, char *tok, struct hecat__dst *d)
{
	char *at, *hist = strchr(tok, '~');

	memset(d, 0, sizeof(*d));
	if (hist != NULL)
		*hist++ = '\0';
	parse_history(s, hist, d);
	at = strchr(tok, '@');

	if (at != NULL)
		*at++ = '\0';
	if (hecat__ip_parse(&d->ip, tok) == -1)
		script_fail(s, "bad address '%s'", tok);
	if (at == NULL)
		d->src = d->ip;
	else if (strcmp(at, "-") == 0)
		memset(&d->src, 0, sizeof(d->src));
	else if (hecat__ip_parse(&d->src, at) == -1)
		script_fail(s, "bad source '%s'", at);
}

/* "192.0.2.1:80[@SRC][~HISTORY]" or "[2001:db8::1]:80[@SRC][~HISTORY]". */
static void
parse_endpoint(struct script *s, char *tok, struct hecat__endpoint *ep)
{
	char *at, *colon, addr[128], *hist = strchr(tok, '~');
	size_t len;

	if (hist != NULL)
		*hist = '\0';
	if ((at = strchr(tok, '@')) != NULL)
		*at = '\0';
	if ((colon = strrchr(tok, ':')) == NULL ||
	    (tok[0] == '[' && colon[-1] != ']'))
		script_fail(s, "bad endpoint '%s'", tok);
	ep->port = (uint16_t)parse_num(s, colon + 1);
	len = (size_t)(colon - tok);
	if (len >= sizeof(addr))
		script_fail(s, "bad endpoint '%s'", tok);
	memcpy(addr, tok, len);
	addr[len] = '\0';
	if (at != NULL) {
		*at = '@';
		strncat(addr, at, sizeof(addr) - strlen(addr) - 1);
	}
	if (hist != NULL) {
		*hist = '~';
		strncat(addr, hist, sizeof(addr) - strlen(addr) - 1);
	}
	parse_dst(s, addr, &ep->dst);
}

static enum hecat_dns_status
parse_status(const char *tok, bool *ok)
{
	static const struct {
		const char		*name;
		enum hecat_dns_status	 st;
	} st[] = {
		{ "nodata", HECAT_DNS_NODATA },
		{ "nxdomain", HECAT_DNS_NXDOMAIN },
		{ "servfail", HECAT_DNS_SERVFAIL },
		{ "timeout", HECAT_DNS_TIMEOUT },
		{ "error", HECAT_DNS_ERROR },
		{ "bogus", HECAT_DNS_BOGUS },
		{ "insecure", HECAT_DNS_INSECURE },
		{ "indeterminate", HECAT_DNS_INDETERMINATE },
	};
	size_t i;

	for (i = 0; i < sizeof(st) / sizeof(st[0]); i++)
		if (strcmp(tok, st[i].name) == 0) {
			*ok = true;
			return st[i].st;
		}
	*ok = false;
	return HECAT_DNS_OK;
}

static void
config(struct script *s, char **tok, int ntok)
{
	const char *k;
	uint64_t ms;

	if (ntok != 3)
		script_fail(s, "config needs a key and a value");
	if (s->e != NULL)
		script_fail(s, "config after start");
	k = tok[1];
	if (strcmp(k, "notes") == 0) {
		s->notes = strcmp(tok[2], "on") == 0;
		return;
	}
	if (strcmp(k, "family") == 0) {
		s->cfg.family = parse_family(s, tok[2]);
		return;
	}
	if (strcmp(k, "prefer") == 0) {
		s->cfg.prefer = parse_family(s, tok[2]);
		return;
	}
	if (strcmp(k, "retries") == 0) {
		s->cfg.resolve_retries = (unsigned)parse_num(s, tok[2]);
		return;
	}
	if (strcmp(k, "fafc") == 0) {
		s->cfg.first_family_count = (unsigned)parse_num(s, tok[2]);
		return;
	}
	if (strcmp(k, "inflight") == 0) {
		s->cfg.max_inflight = (unsigned)parse_num(s, tok[2]);
		return;
	}
	if (strcmp(k, "nat64") == 0) {
		const char *why;

		if (strcmp(tok[2], "discover") == 0)
			s->cfg.nat64 = HECAT__NAT64_DISCOVER;
		else if (hecat__nat64_prefix_parse(&s->cfg.prefix64, tok[2],
		    &why) == 0)
			s->cfg.nat64 = HECAT__NAT64_KNOWN;
		else
			script_fail(s, "nat64 '%s': %s", tok[2], why);
		return;
	}
	if (strcmp(k, "max-addrs") == 0) {
		s->cfg.max_addrs = (unsigned)parse_num(s, tok[2]);
		return;
	}
	ms = parse_ms(s, tok[2]);
	if (strcmp(k, "rd") == 0)
		s->cfg.resolution_delay = ms;
	else if (strcmp(k, "cad") == 0)
		s->cfg.attempt_delay = ms;
	else if (strcmp(k, "cad-min") == 0)
		s->cfg.attempt_delay_min = ms;
	else if (strcmp(k, "cad-max") == 0)
		s->cfg.attempt_delay_max = ms;
	else if (strcmp(k, "attempt-timeout") == 0)
		s->cfg.attempt_timeout = ms;
	else if (strcmp(k, "deadline") == 0)
		s->cfg.deadline = ms;
	else if (strcmp(k, "resolve-timeout") == 0)
		s->cfg.resolve_timeout = ms;
	else
		script_fail(s, "unknown config '%s'", k);
}

static void
start(struct script *s, uint64_t t, char **tok, int ntok)
{
	struct hecat__endpoint eps[MAXTOK];
	uint16_t ports[MAXTOK];
	int i, n = 0;

	if (s->e != NULL)
		script_fail(s, "started twice");
	if (ntok < 4)
		script_fail(s, "start needs a mode and operands");
	if (strcmp(tok[2], "host") == 0) {
		for (i = 3; i < ntok; i++)
			ports[n++] = (uint16_t)parse_num(s, tok[i]);
		s->e = hecat__engine_new_host(&s->cfg, ports, (size_t)n);
	} else if (strcmp(tok[2], "ip") == 0) {
		for (i = 3; i < ntok; i++)
			parse_endpoint(s, tok[i], &eps[n++]);
		s->e = hecat__engine_new_ip(&s->cfg, eps, (size_t)n);
	} else
		script_fail(s, "bad start mode '%s'", tok[2]);
	if (s->e == NULL)
		script_fail(s, "engine_new failed: %s", strerror(errno));
	s->now = t;
	hecat__engine_start(s->e, t);
	collect(s);
}

static void
answer(struct script *s, char **tok, int ntok)
{
	struct hecat__dst dsts[MAXTOK];
	enum hecat_dns_status st;
	int family, i, n = 0;
	bool isst;

	if (ntok < 4)
		script_fail(s, "answer needs a family, addresses or status");
	family = parse_family(s, tok[2]);
	st = parse_status(tok[3], &isst);
	if (!isst)
		for (i = 3; i < ntok; i++)
			parse_dst(s, tok[i], &dsts[n++]);
	hecat__engine_on_answer(s->e, s->now, family, st, dsts, (size_t)n);
}

/* "> ACTION": match the next action, firing timers up to t for it. */
static void
expect(struct script *s, uint64_t t, const char *want)
{
	struct pending *p;

	while (s->qlen == 0 && fire_one(s, t))
		;
	if (s->qlen == 0)
		script_fail(s, "expected at %.3fms: %s; nothing happened (next "
		    "deadline %.3fms)", (double)t / 1e6, want,
		    (double)hecat__engine_next_deadline(s->e) / 1e6);
	p = &s->q[s->qhead];
	if (p->t != t || strcmp(p->text, want) != 0)
		script_fail(s, "expected at %.3fms: %s; got at %.3fms: %s",
		    (double)t / 1e6, want, (double)p->t / 1e6, p->text);
	s->qhead = (s->qhead + 1) % MAXPENDING;
	s->qlen--;
	if (t > s->now)
		s->now = t;
}

/* "? ...": look at the engine's state now. */
static void
check_state(struct script *s, char **tok, int ntok, const char *rest)
{
	struct hecat__addr_info info;
	struct hecat__ip ip;
	char buf[512];
	uint64_t d;
	size_t i;
	int j;

	if (ntok < 2)
		script_fail(s, "empty check");
	if (strcmp(tok[1], "deadline") == 0) {
		d = hecat__engine_next_deadline(s->e);
		if (ntok != 3)
			script_fail(s, "? deadline T|never");
		if (strcmp(tok[2], "never") == 0 ? d != HECAT__NEVER :
		    d != parse_ms(s, tok[2]))
			script_fail(s, "deadline is %.3fms, not %s",
			    (double)d / 1e6, tok[2]);
		return;
	}
	if (strcmp(tok[1], "order") == 0) {
		fmt_order(s, buf, sizeof(buf));
		if (strcmp(buf, rest) != 0)
			script_fail(s, "'%s', not '%s'", buf, rest);
		return;
	}
	if (hecat__ip_parse(&ip, tok[1]) == -1)
		script_fail(s, "bad check '%s'", tok[1]);
	for (i = 0; i < hecat__engine_naddrs(s->e); i++) {
		hecat__engine_addr(s->e, i, &info);
		if (hecat__ip_equal(&info.dst.ip, &ip))
			break;
	}
	if (i == hecat__engine_naddrs(s->e))
		script_fail(s, "address %s unknown", tok[1]);
	for (j = 2; j < ntok; j++) {
		char *eq = strchr(tok[j], '=');

		if (eq == NULL)
			script_fail(s, "bad check '%s'", tok[j]);
		*eq++ = '\0';
		if (strcmp(tok[j], "attempts") == 0 &&
		    info.attempts != parse_num(s, eq))
			script_fail(s, "%s attempts=%u", tok[1], info.attempts);
		else if (strcmp(tok[j], "failures") == 0 &&
		    info.failures != parse_num(s, eq))
			script_fail(s, "%s failures=%u", tok[1], info.failures);
		else if (strcmp(tok[j], "error") == 0 &&
		    strcmp(script_errname(info.error), eq) != 0)
			script_fail(s, "%s error=%s", tok[1],
			    script_errname(info.error));
	}
}

static void
step(struct script *s, char *line)
{
	char *tok[MAXTOK], *save, *rest, copy[1024];
	int ntok = 0;
	uint64_t t;

	snprintf(copy, sizeof(copy), "%s", line);
	for (tok[0] = strtok_r(line, " \t", &save); tok[ntok] != NULL;
	    tok[++ntok] = strtok_r(NULL, " \t", &save))
		if (ntok == MAXTOK - 1)
			script_fail(s, "too many words");
	if (ntok == 0 || tok[0][0] == '#')
		return;
	if (strcmp(tok[0], "%") == 0) {
		config(s, tok, ntok);
		return;
	}
	if (strcmp(tok[0], "?") == 0) {
		rest = copy + strspn(copy, "? \t");
		check_state(s, tok, ntok, rest);
		return;
	}
	if (ntok < 2)
		script_fail(s, "a time and a step, please");
	t = parse_ms(s, tok[0]);
	if (strcmp(tok[1], "start") == 0) {
		start(s, t, tok, ntok);
		return;
	}
	if (strcmp(tok[1], ">") == 0) {
		/* The action text is the rest of the line, as written. */
		rest = strchr(copy, '>') + 1;
		rest += strspn(rest, " \t");
		expect(s, t, rest);
		return;
	}
	advance(s, t);
	expect_none(s);
	if (strcmp(tok[1], "quiet") == 0)
		return;
	if (strcmp(tok[1], "answer") == 0)
		answer(s, tok, ntok);
	else if (strcmp(tok[1], "ok") == 0 && ntok == 3)
		hecat__engine_on_attempt(s->e, t,
		    (unsigned)parse_num(s, tok[2]), 0);
	else if (strcmp(tok[1], "fail") == 0 && ntok == 4) {
		int err = script_errno(tok[3]);

		if (err == -1)
			script_fail(s, "unknown errno '%s'", tok[3]);
		hecat__engine_on_attempt(s->e, t,
		    (unsigned)parse_num(s, tok[2]), err);
	} else if (strcmp(tok[1], "abort") == 0)
		hecat__engine_abort(s->e, t);
	else
		script_fail(s, "unknown step '%s'", tok[1]);
	collect(s);
}

struct script *
script_run(const char *name, const char *text)
{
	struct script *s;
	const char *p = text, *nl;
	char line[1024];
	size_t len;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		ck_abort_msg("out of memory");
	s->name = name;
	hecat__engine_cfg_default(&s->cfg);
	while (*p != '\0') {
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (len >= sizeof(line))
			ck_abort_msg("%s: line too long", name);
		memcpy(line, p, len);
		line[len] = '\0';
		s->line++;
		step(s, line);
		p += len + (nl != NULL);
	}
	expect_none(s);
	return s;
}

struct hecat__engine *
script_engine(struct script *s)
{
	return s->e;
}

void
script_free(struct script *s)
{
	if (s == NULL)
		return;
	hecat__engine_free(s->e);
	free(s);
}
