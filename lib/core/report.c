/*
 * report.c - the ledger of failed attempts and the end-of-dial message
 * and per-address failures built from it (see report.h).
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define MAXNAMED	16	/* ports or endpoints a head names */

void
hecat__report_fail(struct hecat__report *r, const struct hecat__ip *ip,
    const struct hecat__ip *orig, uint16_t port, int stage, int error,
    const char *detail)
{
	struct hecat__fail *f;
	size_t cap;

	r->nfailed++;
	if (r->nlog == HECAT__REPORT_MAXLOG)
		return;
	if (r->nlog == r->cap) {
		cap = r->cap == 0 ? 4 : r->cap * 2;
		if ((f = reallocarray(r->log, cap, sizeof(*f))) == NULL)
			return;		/* counted, not named */
		r->log = f;
		r->cap = cap;
	}
	f = &r->log[r->nlog++];
	memset(f, 0, sizeof(*f));
	f->ip = *ip;
	if (orig != NULL)
		f->orig = *orig;
	f->port = port;
	f->stage = stage;
	f->error = error;
	if (detail != NULL)
		snprintf(f->detail, sizeof(f->detail), "%s", detail);
}

void
hecat__report_free(struct hecat__report *r)
{
	free(r->log);
	memset(r, 0, sizeof(*r));
}

void
hecat__report_reason(const struct hecat__fail *f, char *buf, size_t len)
{
	const char *what = f->detail[0] != '\0' ? f->detail :
	    f->error == ETIMEDOUT ? "timed out" : strerror(f->error);

	if (f->stage == HECAT_STAGE_TCP)
		snprintf(buf, len, "%s", what);
	else
		snprintf(buf, len, "%s: %s", f->stage == HECAT_STAGE_TLS ?
		    "TLS" : hecat_stage_name(f->stage), what);
}

/* ---- the message ------------------------------------------------------- */

struct strbuf {
	char	*s;
	size_t	 len, off;
};

static void
sb_printf(struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (sb->off >= sb->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(sb->s + sb->off, sb->len - sb->off, fmt, ap);
	va_end(ap);
	if (n > 0)
		sb->off += (size_t)n;
}

/*
 * The head of the message: the host and its ports, each port once and
 * at most MAXNAMED of them (1,024 five-digit ports would fill the
 * message before it says what went wrong); for hecat_connect_ip() the
 * endpoints themselves.
 */
static void
sb_head(struct strbuf *sb, const struct hecat__report_ctx *c)
{
	char a[HECAT__IP_FMTLEN + 8];
	struct hecat__ip ip;
	size_t i, j, named = 0, distinct = 0;

	if (c->endpoints) {
		for (i = 0; i < c->neps; i++) {
			for (j = 0; j < i; j++)
				if (memcmp(&c->eps[j], &c->eps[i],
				    sizeof(c->eps[i])) == 0)
					break;
			if (j < i)
				continue;
			if (distinct++ >= MAXNAMED)
				continue;
			hecat__ip_from_sa(&ip, (const struct sockaddr *)
			    &c->eps[i]);
			hecat__ip_fmt_port(&ip, hecat__sa_port(
			    (const struct sockaddr *)&c->eps[i]), a, sizeof(a));
			sb_printf(sb, "%s%s", named++ ? ", " : "", a);
		}
		if (distinct > MAXNAMED)
			sb_printf(sb, " and %zu more", distinct - MAXNAMED);
		return;
	}
	for (i = 0; i < c->nports; i++) {
		for (j = 0; j < i && c->ports[j] != c->ports[i]; j++)
			;
		distinct += j == i;
	}
	sb_printf(sb, "%s port%s ", c->given, distinct > 1 ? "s" : "");
	for (i = 0; i < c->nports; i++) {
		for (j = 0; j < i && c->ports[j] != c->ports[i]; j++)
			;
		if (j < i || named >= MAXNAMED)
			continue;
		sb_printf(sb, "%s%u", named++ ? "," : "", c->ports[i]);
	}
	if (distinct > MAXNAMED)
		sb_printf(sb, " and %zu more", distinct - MAXNAMED);
	if (c->via[0] != '\0')
		sb_printf(sb, " via %s", c->via);
}

static const char *
dns_text(const struct hecat__report_ctx *c, int family)
{
	enum hecat_dns_status st;

	switch (hecat__engine_query(c->e, family, &st)) {
	case HECAT__Q_DONE:
		return hecat_dns_status_name(st);
	case HECAT__Q_UNUSED:
		return "not asked";
	default:
		return "no answer";
	}
}

/* Each failed attempt, in order, with its reason. */
static void
sb_failures(struct strbuf *sb, const struct hecat__report *r)
{
	char a[HECAT__IP_FMTLEN + 8], why[HECAT__DETAILLEN + 64];
	size_t i;

	for (i = 0; i < r->nlog; i++) {
		hecat__ip_fmt_port(&r->log[i].ip, r->log[i].port, a, sizeof(a));
		hecat__report_reason(&r->log[i], why, sizeof(why));
		sb_printf(sb, "%s %s (%s)", i ? "," : ":", a, why);
	}
	if (r->nfailed > r->nlog)
		sb_printf(sb, ", and %zu more", r->nfailed - r->nlog);
}

void
hecat__report_message(const struct hecat__report *r,
    const struct hecat__report_ctx *c, int status, char *buf, size_t len)
{
	struct strbuf sb = { buf, len, 0 };
	size_t nf = 0, tried = 0, i;
	struct hecat__addr_info info;

	buf[0] = '\0';
	if (c->early != NULL && status == HECAT_E_INVAL) {
		sb_printf(&sb, "'%s': %s", c->given, c->early);
		return;
	}
	if (c->e != NULL) {
		nf = hecat__engine_naddrs(c->e);
		for (i = 0; i < nf; i++) {
			hecat__engine_addr(c->e, i, &info);
			tried += info.attempts > 0;
		}
	}
	sb_head(&sb, c);
	if (c->early != NULL || status == HECAT_E_SYSTEM) {
		/* getdns unusable, the proxy unreachable: the reason. */
		sb_printf(&sb, ": %s", c->early != NULL ? c->early :
		    hecat_strerror(status));
		return;
	}
	switch (status) {
	case HECAT_E_NOHOST:
	case HECAT_E_DNS:
		sb_printf(&sb, ": %s%s (AAAA: %s, A: %s)",
		    c->dns_proxy ? "the proxy's name: " : "",
		    status == HECAT_E_NOHOST ? "no address associated with name"
		    : "name resolution failed", dns_text(c, AF_INET6),
		    dns_text(c, AF_INET));
		return;
	case HECAT_E_DNSSEC:
		sb_printf(&sb, ": DNSSEC validation failed (AAAA: %s, A: %s)",
		    dns_text(c, AF_INET6), dns_text(c, AF_INET));
		return;
	case HECAT_E_NOADDR:
		sb_printf(&sb, ": no %s address", c->family == AF_INET ? "IPv4" :
		    c->family == AF_INET6 ? "IPv6" : "usable");
		return;
	case HECAT_E_CANCELLED:
		sb_printf(&sb, ": cancelled");
		return;
	case HECAT_E_TIMEOUT:
		sb_printf(&sb, ": timed out after %u ms", c->timeout_ms);
		if (tried == 0 && !c->literal && c->e != NULL)
			sb_printf(&sb, " (AAAA: %s, A: %s)",
			    dns_text(c, AF_INET6), dns_text(c, AF_INET));
		break;
	default:
		if (r->nfailed == 1)
			sb_printf(&sb, ": connect failed");
		else
			sb_printf(&sb, ": all %zu attempts failed", r->nfailed);
		break;
	}
	sb_failures(&sb, r);
	if (tried < nf && status == HECAT_E_TIMEOUT)
		sb_printf(&sb, "; %zu address%s not tried", nf - tried,
		    nf - tried == 1 ? "" : "es");
	if (sb.off >= len && len > 4)
		strcpy(buf + len - 4, "...");
}

/* ---- per address ----------------------------------------------------------- */

size_t
hecat__report_failures(const struct hecat__report *r,
    const struct hecat__engine *e, uint16_t port0, struct hecat_failure **out)
{
	struct hecat__addr_info info;
	const struct hecat__fail *last;
	struct hecat_failure *f;
	size_t *idx, n, i, k;

	*out = NULL;
	if (e == NULL || (n = hecat__engine_naddrs(e)) == 0)
		return 0;
	idx = calloc(n, sizeof(*idx));
	f = calloc(n, sizeof(*f));
	if (idx == NULL || f == NULL) {
		free(idx);
		free(f);
		return 0;
	}
	n = hecat__engine_order(e, idx, n);
	for (i = 0; i < n; i++) {
		hecat__engine_addr(e, idx[i], &info);
		last = NULL;
		for (k = 0; k < r->nlog && r->nfailed == r->nlog; k++)
			if (hecat__ip_equal(r->log[k].orig.family != 0 ?
			    &r->log[k].orig : &r->log[k].ip, &info.dst.ip))
				last = &r->log[k];
		hecat__ip_to_sa(&info.dst.ip, last != NULL ? last->port :
		    info.error != 0 ? info.error_port : port0, &f[i].addr);
		f[i].attempts = info.attempts;
		f[i].error = last != NULL ? last->error : info.error;
		f[i].stage = last != NULL ? last->stage : HECAT_STAGE_TCP;
	}
	free(idx);
	*out = f;
	return n;
}
