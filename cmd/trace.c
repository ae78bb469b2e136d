/*
 * trace.c - hecat's stderr lines and JSON Lines trace (see trace.h).
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

#define ADDRLEN		(NI_MAXHOST + 16)
#define MAXFAIL		32

struct failure {
	char		addr[NI_MAXHOST];
	unsigned	port;
	int		error;
};

struct out {
	int		 verbose;
	FILE		*json;			/* NULL: no --trace */
	bool		 json_close;		/* fclose it at the end */
	uint64_t	 t0;			/* CLOCK_MONOTONIC, ns */
	const struct options *opts;

	/* For the summary. */
	double		 resolve_ms;		/* first usable answer; -1 */
	double		 connect_ms;		/* -1 until a winner */
	unsigned	 attempts;
	char		 win_addr[NI_MAXHOST];
	unsigned	 win_port;
	int		 win_family;
	char		 local_addr[NI_MAXHOST];
	unsigned	 local_port;
	struct failure	 fail[MAXFAIL];
	size_t		 nfail;
	bool		 relaying;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double
since_ms(const struct out *o, uint64_t t)
{
	return t > o->t0 ? (double)(t - o->t0) / 1e6 : 0.0;
}

/* "2001:db8::1" and its port, numerically; false if not IP. */
static bool
sa_text(const struct sockaddr *sa, socklen_t len, char *host, size_t hlen,
    unsigned *port)
{
	char serv[NI_MAXSERV];

	if (sa == NULL || getnameinfo(sa, len, host, (socklen_t)hlen, serv,
	    sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(host, hlen, "?");
		*port = 0;
		return false;
	}
	*port = (unsigned)strtoul(serv, NULL, 10);
	return true;
}

static socklen_t
sa_len(const struct sockaddr *sa)
{
	return sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
}

/* "[2001:db8::1]:443" or "192.0.2.1:443". */
static const char *
endpoint(const struct sockaddr *sa, char *buf, size_t len)
{
	char h[NI_MAXHOST];
	unsigned port;

	if (sa == NULL) {
		snprintf(buf, len, "-");
		return buf;
	}
	sa_text(sa, sa_len(sa), h, sizeof(h), &port);
	snprintf(buf, len, sa->sa_family == AF_INET6 ? "[%s]:%u" : "%s:%u",
	    h, port);
	return buf;
}

static const char *
famname(int family)
{
	return family == AF_INET6 ? "inet6" : family == AF_INET ? "inet" :
	    "any";
}

/* The families dialed, first first: inet6,inet or "inet6","inet". */
static const char *
families(const struct options *op, const char *q, const char *sep)
{
	static char buf[64];
	int first = op->family != AF_UNSPEC ? op->family :
	    op->prefer == AF_INET ? AF_INET : AF_INET6;

	if (op->family != AF_UNSPEC)
		snprintf(buf, sizeof(buf), "%s%s%s", q, famname(first), q);
	else
		snprintf(buf, sizeof(buf), "%s%s%s%s%s%s%s", q,
		    famname(first), q, sep, q, famname(first == AF_INET ?
		    AF_INET6 : AF_INET), q);
	return buf;
}

static const char *
errname(int err)
{
	const char *n = strerrorname_np(err);

	return n != NULL ? n : "E?";
}

/* ---- stderr ----------------------------------------------------------- */

/* A -vv line: "hecat: +12.3ms ...". */
static void
vv(const struct out *o, uint64_t t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
vv(const struct out *o, uint64_t t, const char *fmt, ...)
{
	va_list ap;

	if (o->verbose < 2)
		return;
	fprintf(stderr, "hecat: +%.1fms ", since_ms(o, t));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * s with every byte that is not printable ASCII or part of well-formed
 * UTF-8 written as \xNN: control characters (a newline, an escape
 * sequence), C1 controls and stray bytes.  What the user or the network
 * put in a host, a port or a path cannot break the line in two or talk
 * to the terminal.
 */
static void
put_escaped(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, i;

	while (*p != '\0') {
		if (*p >= 0x20 && *p < 0x7f) {
			fputc(*p++, f);
			continue;
		}
		n = *p >= 0xc2 && *p <= 0xdf ? 2 : (*p & 0xf0) == 0xe0 ? 3 :
		    *p >= 0xf0 && *p <= 0xf4 ? 4 : 0;
		for (i = 1; i < n && (p[i] & 0xc0) == 0x80; i++)
			;
		if (n > 0 && i == n && !(p[0] == 0xc2 && p[1] < 0xa0)) {
			fwrite(p, 1, n, f);
			p += n;
			continue;
		}
		fprintf(f, "\\x%02x", *p++);
	}
}

void
out_error(struct out *o, const char *fmt, ...)
{
	char line[8192];
	va_list ap;

	(void)o;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fputs("hecat: ", stderr);
	put_escaped(stderr, line);
	fputc('\n', stderr);
}

/* ---- JSON ----------------------------------------------------------------- */

/* A JSON string; invalid UTF-8 becomes U+FFFD. */
static void
jstr(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, i;

	if (s == NULL) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	while (*p != '\0') {
		if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p++);
			continue;
		}
		if (*p < 0x20) {
			fprintf(f, "\\u%04x", *p++);
			continue;
		}
		if (*p < 0x80) {
			fputc(*p++, f);
			continue;
		}
		n = (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 :
		    (*p & 0xf8) == 0xf0 ? 4 : 0;
		for (i = 1; i < n && (p[i] & 0xc0) == 0x80; i++)
			;
		if (n == 0 || i < n) {
			fputs("\\ufffd", f);
			p++;
			continue;
		}
		fwrite(p, 1, n, f);
		p += n;
	}
	fputc('"', f);
}

/* Start an event object: {"v":1,"ev":"...","t_ms":...; end with jend(). */
static FILE *
jbegin(const struct out *o, const char *ev, uint64_t t)
{
	if (o->json == NULL)
		return NULL;
	fprintf(o->json, "{\"v\":1,\"ev\":");
	jstr(o->json, ev);
	fprintf(o->json, ",\"t_ms\":%.3f", since_ms(o, t));
	return o->json;
}

static void
jend(FILE *f)
{
	fputs("}\n", f);
	fflush(f);		/* a crash still leaves a usable prefix */
}

static void
jkey_str(FILE *f, const char *k, const char *v)
{
	fprintf(f, ",\"%s\":", k);
	jstr(f, v);
}

static void
jerr(FILE *f, int err)
{
	if (err == 0) {
		fputs(",\"errno\":null,\"error\":null", f);
		return;
	}
	jkey_str(f, "errno", errname(err));
	jkey_str(f, "error", strerror(err));
}

static void
jaddrs(FILE *f, const char *key, const struct sockaddr_storage *ss,
    size_t n)
{
	char h[NI_MAXHOST];
	unsigned port;
	size_t i;

	fprintf(f, ",\"%s\":[", key);
	for (i = 0; i < n; i++) {
		sa_text((const struct sockaddr *)&ss[i],
		    sa_len((const struct sockaddr *)&ss[i]), h, sizeof(h),
		    &port);
		if (i > 0)
			fputc(',', f);
		jstr(f, h);
	}
	fputc(']', f);
}

/* ---- setup ---------------------------------------------------------------- */

static FILE *
open_trace(const char *path, bool *close_it, char *err, size_t errlen)
{
	FILE *f;
	long fd;
	char *end;
	int nfd;

	*close_it = false;
	if (strcmp(path, "-") == 0)
		return stderr;
	if (strncmp(path, "fd:", 3) == 0) {
		errno = 0;
		fd = strtol(path + 3, &end, 10);
		if (path[3] == '\0' || *end != '\0' || errno != 0 || fd < 0 ||
		    fd > 65535) {
			snprintf(err, errlen, "--trace: '%s': not a descriptor "
			    "number", path);
			return NULL;
		}
		if (fcntl((int)fd, F_GETFD) == -1 ||
		    (nfd = fcntl((int)fd, F_DUPFD_CLOEXEC, 3)) == -1 ||
		    (f = fdopen(nfd, "w")) == NULL) {
			snprintf(err, errlen, "--trace: '%s': %s", path,
			    strerror(errno));
			return NULL;
		}
		*close_it = true;
		return f;
	}
	if ((f = fopen(path, "we")) == NULL) {
		snprintf(err, errlen, "--trace: '%s': %s", path,
		    strerror(errno));
		return NULL;
	}
	*close_it = true;
	return f;
}

static void
json_start(struct out *o, int argc, char *argv[])
{
	const struct options *op = o->opts;
	char wall[64], frac[32];
	struct timespec ts;
	struct tm tm;
	FILE *f;
	size_t i;
	int k;

	if ((f = jbegin(o, "start", o->t0)) == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(wall, sizeof(wall), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(frac, sizeof(frac), ".%03dZ", (int)(ts.tv_nsec / 1000000));
	strncat(wall, frac, sizeof(wall) - strlen(wall) - 1);
	jkey_str(f, "tool", "hecat");
	jkey_str(f, "version", PACKAGE_VERSION);
	fprintf(f, ",\"pid\":%ld", (long)getpid());
	jkey_str(f, "wall", wall);
	jkey_str(f, "host", op->host);
	fprintf(f, ",\"port\":%u,\"ports\":[", op->nports > 0 ?
	    op->ports[0] : 0);
	for (i = 0; i < op->nports; i++)
		fprintf(f, "%s%u", i ? "," : "", op->ports[i]);
	fprintf(f, "],\"proto\":\"tcp\",\"families\":[%s]",
	    families(op, "\"", ","));
	fprintf(f, ",\"params\":{\"attempt_delay_ms\":%u,"
	    "\"resolution_delay_ms\":%u,\"attempt_timeout_ms\":%u,"
	    "\"connect_timeout_ms\":", op->attempt_delay_ms,
	    op->resolution_delay_ms, op->attempt_timeout_ms);
	if (op->connect_timeout_ms == OPT_NONE)
		fputs("null", f);
	else
		fprintf(f, "%ld", op->connect_timeout_ms);
	fprintf(f, ",\"first_family_count\":%u,\"resolve_timeout_ms\":%u,"
	    "\"resolve_retries\":%u,\"mode\":\"race\"}", op->first_family_count,
	    op->resolve_timeout_ms, op->resolve_retries);
	fputs(",\"argv\":[", f);
	for (k = 0; k < argc; k++) {
		if (k > 0)
			fputc(',', f);
		jstr(f, argv[k]);
	}
	fputc(']', f);
	jend(f);
}

struct out *
out_new(const struct options *opts, int argc, char *argv[], char *err,
    size_t errlen)
{
	struct out *o;

	if ((o = calloc(1, sizeof(*o))) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	o->verbose = opts->verbose;
	o->opts = opts;
	o->t0 = now_ns();
	o->resolve_ms = -1;
	o->connect_ms = -1;
	if (opts->trace_path != NULL &&
	    (o->json = open_trace(opts->trace_path, &o->json_close, err,
	    errlen)) == NULL) {
		free(o);
		return NULL;
	}
	json_start(o, argc, argv);
	return o;
}

void
out_free(struct out *o)
{
	if (o == NULL)
		return;
	if (o->json != NULL && o->json_close)
		fclose(o->json);
	free(o);
}

/* ---- the dial ---------------------------------------------------------- */

static const char *
port_list(const struct options *op, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < op->nports && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%u",
		    i ? "," : "", op->ports[i]);
	return buf;
}

/* "2001:db8::1,192.0.2.1": addresses only, comma-separated. */
static const char *
addr_list(const struct sockaddr_storage *ss, size_t n, char *buf,
    size_t len)
{
	char h[NI_MAXHOST];
	unsigned port;
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++) {
		sa_text((const struct sockaddr *)&ss[i],
		    sa_len((const struct sockaddr *)&ss[i]), h, sizeof(h),
		    &port);
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    i ? "," : "", h);
	}
	return buf;
}

/* " nat64=192.0.2.1" when the attempt's address was synthesized. */
static const char *
nat64_note(const struct hecat_trace *t, char *buf, size_t len)
{
	char h[NI_MAXHOST];
	unsigned port;

	buf[0] = '\0';
	if (t->orig != NULL) {
		sa_text(t->orig, t->origlen, h, sizeof(h), &port);
		snprintf(buf, len, " nat64=%s", h);
	}
	return buf;
}

/*
 * " name=NAME" when a query is not for the host being dialled (the NAT64
 * prefix query, ipv4only.arpa.); nothing for the host's own.  The library
 * names every query in QUERY, ANSWER and QUERY_CANCEL.
 */
static const char *
other_name(const struct hecat_trace *t, char *buf, size_t len)
{
	buf[0] = '\0';
	if (strcmp(t->name, t->host) != 0)
		snprintf(buf, len, " name=%s", t->name);
	return buf;
}

static void
dial_vv(struct out *o, const struct hecat_trace *t)
{
	char ep[ADDRLEN], list[1024], ports[256], nat[ADDRLEN + 8], sec[32];
	char note[64];
	double el = (double)t->elapsed_ns / 1e6;

	switch (t->kind) {
	case HECAT_TRACE_START:
		vv(o, t->t_ns, "dial host=%s port%s=%s families=%s", t->host,
		    o->opts->nports > 1 ? "s" : "", port_list(o->opts, ports,
		    sizeof(ports)), families(o->opts, "", ","));
		break;
	case HECAT_TRACE_QUERY:
		vv(o, t->t_ns, "query family=%s name=%s try=%u",
		    famname(t->family), t->name, t->tries);
		break;
	case HECAT_TRACE_ANSWER:
		other_name(t, nat, sizeof(nat));
		/* What validation said, when DNSSEC was asked for. */
		sec[0] = '\0';
		if (t->dnssec != HECAT_DNSSEC_NONE)
			snprintf(sec, sizeof(sec), " dnssec=%s",
			    hecat_dnssec_name(t->dnssec));
		if (t->status == HECAT_DNS_OK)
			vv(o, t->t_ns, "answer family=%s%s count=%zu addrs=%s"
			    "%s time=%.1fms", famname(t->family), nat,
			    t->naddrs, addr_list(t->addrs, t->naddrs, list,
			    sizeof(list)), sec, el);
		else
			vv(o, t->t_ns, "answer family=%s%s status=%s%s "
			    "time=%.1fms", famname(t->family), nat,
			    hecat_dns_status_name(t->status), sec, el);
		break;
	case HECAT_TRACE_QUERY_CANCEL:
		vv(o, t->t_ns, "query family=%s%s abandoned",
		    famname(t->family), other_name(t, nat, sizeof(nat)));
		break;
	case HECAT_TRACE_NETWORK:
		if (t->net_id != 0)
			snprintf(note, sizeof(note), "on net=%016" PRIx64,
			    t->net_id);
		vv(o, t->t_ns, "network inet6=%s inet=%s nat64=%s history=%s",
		    t->net_inet6 ? "yes" : "no", t->net_inet ? "yes" : "no",
		    strcmp(t->reason, "nat64") == 0 ? "on" : "off",
		    t->net_id != 0 ? note : "off");
		break;
	case HECAT_TRACE_HISTORY: {
		unsigned port;

		sa_text(t->addr, t->addrlen, ep, sizeof(ep), &port);
		note[0] = '\0';
		if (t->rtt_ns != 0)
			snprintf(note, sizeof(note), " rtt=%.1fms",
			    (double)t->rtt_ns / 1e6);
		if (strcmp(t->reason, "failed") == 0)
			vv(o, t->t_ns, "history addr=%s failed=%s age=%llds%s "
			    "(moved back)", ep, t->error != 0 ?
			    errname(t->error) : "lost", (long long)t->age_s,
			    note);
		else
			vv(o, t->t_ns, "history addr=%s%s", ep, note);
		break;
	}
	case HECAT_TRACE_NAT64:
		vv(o, t->t_ns, "nat64 prefix=%s source=%s",
		    t->prefix != NULL ? t->prefix : "none", t->reason);
		break;
	case HECAT_TRACE_DESYNTH: {
		unsigned port;

		sa_text(t->addr, t->addrlen, ep, sizeof(ep), &port);
		sa_text(t->orig, t->origlen, list, sizeof(list), &port);
		vv(o, t->t_ns, "desynthesize addr=%s is=%s", ep, list);
		break;
	}
	case HECAT_TRACE_RD_WAIT:
		if (strcmp(t->reason, "history") == 0)
			vv(o, t->t_ns, "resolution-delay wait=%.0fms for=%s "
			    "(history: every address so far failed recently)",
			    (double)t->wait_ns / 1e6, famname(t->family));
		else
			vv(o, t->t_ns, "resolution-delay wait=%.0fms for=%s "
			    "(%s answered first)", (double)t->wait_ns / 1e6,
			    famname(t->family),
			    t->family == AF_INET6 ? "A" : "AAAA");
		break;
	case HECAT_TRACE_ORDER:
		vv(o, t->t_ns, "candidates order=%s port%s=%s",
		    addr_list(t->addrs, t->naddrs, list, sizeof(list)),
		    o->opts->nports > 1 ? "s" : "", port_list(o->opts, ports,
		    sizeof(ports)));
		break;
	case HECAT_TRACE_ATTEMPT:
		note[0] = '\0';
		if (t->delay_learned)
			snprintf(note, sizeof(note), " delay=%.1fms (rtt "
			    "history)", (double)t->delay_ns / 1e6);
		vv(o, t->t_ns, "attempt id=%u addr=%s start reason=%s%s%s",
		    t->id, endpoint(t->addr, ep, sizeof(ep)), t->reason,
		    nat64_note(t, nat, sizeof(nat)), note);
		break;
	case HECAT_TRACE_ATTEMPT_FAILED:
		vv(o, t->t_ns, "attempt id=%u addr=%s failed errno=%s (%s) "
		    "after=%.1fms%s", t->id, endpoint(t->addr, ep, sizeof(ep)),
		    errname(t->error), strerror(t->error), el,
		    strcmp(t->reason, "error") == 0 ? "" :
		    strcmp(t->reason, "timeout") == 0 ? " (attempt timeout)" :
		    " (deadline)");
		break;
	case HECAT_TRACE_ATTEMPT_CANCELLED:
		vv(o, t->t_ns, "attempt id=%u addr=%s cancelled (%s, %.1fms "
		    "in flight)", t->id, endpoint(t->addr, ep, sizeof(ep)),
		    strcmp(t->reason, "lost") == 0 ? "lost race" : t->reason,
		    el);
		break;
	case HECAT_TRACE_CONNECTED:
		vv(o, t->t_ns, "attempt id=%u addr=%s connected rtt=%.1fms "
		    "local=%s", t->id, endpoint(t->addr, ep, sizeof(ep)), el,
		    endpoint(t->local, list, sizeof(list)));
		break;
	case HECAT_TRACE_DONE:
		if (t->status == HECAT_OK)
			vv(o, t->t_ns, "winner id=%u addr=%s family=%s "
			    "connect=%.1fms", t->id, endpoint(t->addr, ep,
			    sizeof(ep)), famname(t->addr->sa_family),
			    since_ms(o, t->t_ns));
		else
			vv(o, t->t_ns, "dial failed: %s",
			    hecat_strerror(t->status));
		break;
	}
}

static const char *
attempt_result(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return "refused";
	case ENETUNREACH:
	case EHOSTUNREACH:
		return "unreachable";
	case ETIMEDOUT:
		return "timeout";
	case ECONNRESET:
		return "reset";
	default:
		return "error";
	}
}

/* The fields that name an attempt: "id", "addr", "port". */
static void
jattempt(FILE *f, const struct hecat_trace *t)
{
	char h[NI_MAXHOST];
	unsigned port;

	sa_text(t->addr, t->addrlen, h, sizeof(h), &port);
	fprintf(f, ",\"id\":%u", t->id);
	jkey_str(f, "addr", h);
	fprintf(f, ",\"port\":%u", port);
}

static void
dial_json(struct out *o, const struct hecat_trace *t)
{
	char h[NI_MAXHOST];
	unsigned port;
	FILE *f;
	size_t i;

	switch (t->kind) {
	case HECAT_TRACE_QUERY:
		if ((f = jbegin(o, "resolve_start", t->t_ns)) == NULL)
			return;
		jkey_str(f, "family", famname(t->family));
		jkey_str(f, "source", "dns");
		jkey_str(f, "name", t->name);
		fprintf(f, ",\"try\":%u", t->tries);
		break;
	case HECAT_TRACE_ANSWER:
		if ((f = jbegin(o, "resolve_done", t->t_ns)) == NULL)
			return;
		jkey_str(f, "family", famname(t->family));
		jkey_str(f, "name", t->name);
		jaddrs(f, "addrs", t->addrs, t->naddrs);
		fprintf(f, ",\"elapsed_ms\":%.3f",
		    (double)t->elapsed_ns / 1e6);
		jkey_str(f, "status", hecat_dns_status_name(t->status));
		if (t->dnssec != HECAT_DNSSEC_NONE)
			jkey_str(f, "dnssec", hecat_dnssec_name(t->dnssec));
		break;
	case HECAT_TRACE_QUERY_CANCEL:
		if ((f = jbegin(o, "resolve_cancel", t->t_ns)) == NULL)
			return;
		jkey_str(f, "family", famname(t->family));
		jkey_str(f, "name", t->name);
		break;
	case HECAT_TRACE_NETWORK:
		if ((f = jbegin(o, "network", t->t_ns)) == NULL)
			return;
		fprintf(f, ",\"inet6\":%s,\"inet\":%s,\"nat64\":%s",
		    t->net_inet6 ? "true" : "false",
		    t->net_inet ? "true" : "false",
		    strcmp(t->reason, "nat64") == 0 ? "true" : "false");
		if (t->net_id != 0)
			fprintf(f, ",\"history\":true,\"net\":\"%016"
			    PRIx64 "\"", t->net_id);
		else
			fputs(",\"history\":false", f);
		break;
	case HECAT_TRACE_HISTORY:
		if ((f = jbegin(o, "history", t->t_ns)) == NULL)
			return;
		sa_text(t->addr, t->addrlen, h, sizeof(h), &port);
		jkey_str(f, "addr", h);
		if (t->rtt_ns != 0)
			fprintf(f, ",\"rtt_ms\":%.3f", (double)t->rtt_ns / 1e6);
		else
			fputs(",\"rtt_ms\":null", f);
		fprintf(f, ",\"failed\":%s",
		    strcmp(t->reason, "failed") == 0 ? "true" : "false");
		if (strcmp(t->reason, "failed") == 0) {
			jerr(f, t->error);
			fprintf(f, ",\"age_s\":%lld", (long long)t->age_s);
		}
		break;
	case HECAT_TRACE_NAT64:
		if ((f = jbegin(o, "nat64_prefix", t->t_ns)) == NULL)
			return;
		if (t->prefix != NULL)
			jkey_str(f, "prefix", t->prefix);
		else
			fputs(",\"prefix\":null", f);
		jkey_str(f, "source", t->reason);
		break;
	case HECAT_TRACE_DESYNTH:
		if ((f = jbegin(o, "desynthesize", t->t_ns)) == NULL)
			return;
		sa_text(t->addr, t->addrlen, h, sizeof(h), &port);
		jkey_str(f, "addr", h);
		sa_text(t->orig, t->origlen, h, sizeof(h), &port);
		jkey_str(f, "ipv4", h);
		break;
	case HECAT_TRACE_RD_WAIT:
		if ((f = jbegin(o, "resolution_delay", t->t_ns)) == NULL)
			return;
		jkey_str(f, "family", famname(t->family));
		fprintf(f, ",\"wait_ms\":%.3f", (double)t->wait_ns / 1e6);
		jkey_str(f, "reason", t->reason);
		break;
	case HECAT_TRACE_ORDER:
		if ((f = jbegin(o, "candidates", t->t_ns)) == NULL)
			return;
		/* Address by address, every port of each in turn. */
		fputs(",\"order\":[", f);
		for (i = 0; i < t->naddrs; i++) {
			const struct sockaddr *sa =
			    (const struct sockaddr *)&t->addrs[i];
			size_t k;

			sa_text(sa, sa_len(sa), h, sizeof(h), &port);
			for (k = 0; k < o->opts->nports; k++) {
				fprintf(f, "%s{\"addr\":", i || k ? "," : "");
				jstr(f, h);
				fprintf(f, ",\"port\":%u,\"family\":\"%s\"}",
				    o->opts->ports[k], famname(sa->sa_family));
			}
		}
		fputc(']', f);
		break;
	case HECAT_TRACE_ATTEMPT:
		if ((f = jbegin(o, "attempt_start", t->t_ns)) == NULL)
			return;
		jattempt(f, t);
		jkey_str(f, "family", famname(t->addr->sa_family));
		jkey_str(f, "reason", t->reason);
		fprintf(f, ",\"delay_ms\":%.3f,\"delay_learned\":%s",
		    (double)t->delay_ns / 1e6,
		    t->delay_learned ? "true" : "false");
		if (t->orig != NULL) {
			sa_text(t->orig, t->origlen, h, sizeof(h), &port);
			jkey_str(f, "nat64_for", h);
		}
		if (o->opts->has_source) {
			sa_text((const struct sockaddr *)&o->opts->source,
			    o->opts->source_len, h, sizeof(h), &port);
			jkey_str(f, "src", h);
		} else
			fputs(",\"src\":null", f);
		break;
	case HECAT_TRACE_ATTEMPT_FAILED:
	case HECAT_TRACE_ATTEMPT_CANCELLED:
	case HECAT_TRACE_CONNECTED:
		if ((f = jbegin(o, "attempt_end", t->t_ns)) == NULL)
			return;
		jattempt(f, t);
		jkey_str(f, "result", t->kind == HECAT_TRACE_CONNECTED ?
		    "connected" : t->kind == HECAT_TRACE_ATTEMPT_CANCELLED ?
		    "cancelled" : attempt_result(t->error));
		if (t->reason != NULL)
			jkey_str(f, "reason", t->reason);
		jerr(f, t->error);
		fprintf(f, ",\"elapsed_ms\":%.3f", (double)t->elapsed_ns / 1e6);
		if (t->kind == HECAT_TRACE_CONNECTED && t->local != NULL) {
			sa_text(t->local, t->locallen, h, sizeof(h), &port);
			jkey_str(f, "local", h);
		}
		break;
	case HECAT_TRACE_DONE:
		if (t->status != HECAT_OK ||
		    (f = jbegin(o, "winner", t->t_ns)) == NULL)
			return;
		jattempt(f, t);
		jkey_str(f, "family", famname(t->addr->sa_family));
		jkey_str(f, "local_addr", o->local_addr);
		fprintf(f, ",\"local_port\":%u,\"connect_ms\":%.3f",
		    o->local_port, since_ms(o, t->t_ns));
		break;
	default:
		return;
	}
	jend(f);
}

/* nc's failure line: "connect to HOST (ADDR) port P (tcp) failed: ...". */
static void
v_failed(const struct out *o, const struct hecat_trace *t)
{
	char h[NI_MAXHOST];
	unsigned port;

	if (o->verbose < 1 || o->verbose >= 2)
		return;		/* -vv says it in the timeline */
	sa_text(t->addr, t->addrlen, h, sizeof(h), &port);
	fprintf(stderr, "hecat: connect to %s", t->host);
	if (!o->opts->host_numeric)
		fprintf(stderr, " (%s)", h);
	fprintf(stderr, " port %u (tcp) failed: %s\n", port,
	    t->error == ETIMEDOUT ? "Operation timed out" :
	    strerror(t->error));
}

void
out_dial_event(const struct hecat_trace *t, void *arg)
{
	struct out *o = arg;
	unsigned port;

	switch (t->kind) {
	case HECAT_TRACE_ANSWER:
		if (t->status == HECAT_DNS_OK && o->resolve_ms < 0)
			o->resolve_ms = since_ms(o, t->t_ns);
		break;
	case HECAT_TRACE_ATTEMPT:
		o->attempts++;
		break;
	case HECAT_TRACE_ATTEMPT_FAILED:
		v_failed(o, t);
		break;
	case HECAT_TRACE_CONNECTED:
		if (t->local != NULL)
			sa_text(t->local, t->locallen, o->local_addr,
			    sizeof(o->local_addr), &o->local_port);
		break;
	case HECAT_TRACE_DONE:
		if (t->status == HECAT_OK) {
			o->connect_ms = since_ms(o, t->t_ns);
			o->win_family = t->addr->sa_family;
			sa_text(t->addr, t->addrlen, o->win_addr,
			    sizeof(o->win_addr), &port);
			o->win_port = port;
		}
		break;
	default:
		break;
	}
	dial_vv(o, t);
	dial_json(o, t);
}

void
out_dial_result(struct out *o, const struct hecat_result *r)
{
	struct servent *se;
	size_t i;

	for (i = 0; i < r->nfailures && o->nfail < MAXFAIL; i++) {
		const struct sockaddr *sa =
		    (const struct sockaddr *)&r->failures[i].addr;
		struct failure *f = &o->fail[o->nfail];

		if (r->failures[i].error == 0)
			continue;
		sa_text(sa, sa_len(sa), f->addr, sizeof(f->addr), &f->port);
		f->error = r->failures[i].error;
		o->nfail++;
	}
	if (r->err != HECAT_OK) {
		out_error(o, "%s", r->message);
		return;
	}
	if (o->verbose < 1)
		return;
	se = getservbyport(htons((uint16_t)o->win_port), "tcp");
	/* nc's line, so "grep succeeded" scripts keep working. */
	fprintf(stderr, "Connection to %s", o->opts->host);
	if (!o->opts->host_numeric)
		fprintf(stderr, " (%s)", o->win_addr);
	fprintf(stderr, " %u port [tcp/%s] succeeded! via=%s time=%.1fms\n",
	    o->win_port, se != NULL ? se->s_name : "*",
	    o->win_family == AF_INET6 ? "ipv6" : "ipv4", o->connect_ms);
}

/* ---- the relay and the end ----------------------------------------------- */

static const char *
relay_what(enum relay_event ev)
{
	switch (ev) {
	case RELAY_START:
		return "start";
	case RELAY_STDIN_EOF:
		return "stdin_eof";
	case RELAY_SHUTDOWN_WR:
		return "shutdown_wr";
	case RELAY_SEND_DONE:
		return "send_done";
	case RELAY_PEER_EOF:
		return "peer_eof";
	case RELAY_STDOUT_CLOSED:
		return "stdout_closed";
	case RELAY_IDLE_TIMEOUT:
		return "idle_timeout";
	case RELAY_QUIT_TIMER:
		return "quit_timer";
	case RELAY_SIGNAL:
		return "signal";
	case RELAY_ERROR:
		return "error";
	}
	return "?";
}

void
out_relay_event(enum relay_event ev, const char *detail, void *arg)
{
	struct out *o = arg;
	uint64_t t = now_ns();
	FILE *f;

	switch (ev) {
	case RELAY_START:
		vv(o, t, "relay %s", detail != NULL ? detail : "");
		break;
	case RELAY_STDIN_EOF:
		vv(o, t, "stdin eof");
		break;
	case RELAY_SHUTDOWN_WR:
		vv(o, t, "half-close sent (shutdown SHUT_WR)");
		break;
	case RELAY_PEER_EOF:
		vv(o, t, "peer eof; closing stdout");
		break;
	default:
		vv(o, t, "%s%s%s", relay_what(ev), detail != NULL ? " " : "",
		    detail != NULL ? detail : "");
		break;
	}
	if ((f = jbegin(o, "relay", t)) == NULL)
		return;
	jkey_str(f, "what", relay_what(ev));
	jkey_str(f, "detail", detail);
	jend(f);
}

void
out_summary(struct out *o, int status, const char *outcome,
    const struct relay_result *rr)
{
	uint64_t t = now_ns(), sent = rr ? rr->sent : 0, recv = rr ? rr->received :
	    0;
	FILE *f;
	size_t i;

	if (o->verbose >= 2)
		vv(o, t, "done exit=%d sent=%llu received=%llu "
		    "duration=%.1fms", status, (unsigned long long)sent,
		    (unsigned long long)recv, since_ms(o, t));
	else if (o->verbose == 1)
		fprintf(stderr, "hecat: done exit=%d sent=%llu received=%llu "
		    "duration=%.1fms\n", status, (unsigned long long)sent,
		    (unsigned long long)recv, since_ms(o, t));
	if ((f = jbegin(o, "summary", t)) == NULL)
		return;
	fprintf(f, ",\"exit\":%d", status);
	jkey_str(f, "outcome", outcome);
	if (o->resolve_ms >= 0)
		fprintf(f, ",\"resolve_ms\":%.3f", o->resolve_ms);
	else
		fputs(",\"resolve_ms\":null", f);
	if (o->connect_ms >= 0)
		fprintf(f, ",\"connect_ms\":%.3f", o->connect_ms);
	else
		fputs(",\"connect_ms\":null", f);
	fprintf(f, ",\"total_ms\":%.3f", since_ms(o, t));
	if (o->connect_ms >= 0) {
		fputs(",\"winner\":{\"addr\":", f);
		jstr(f, o->win_addr);
		fprintf(f, ",\"port\":%u,\"family\":\"%s\"}", o->win_port,
		    famname(o->win_family));
	} else
		fputs(",\"winner\":null", f);
	fprintf(f, ",\"attempts\":%u,\"failures\":[", o->attempts);
	for (i = 0; i < o->nfail; i++) {
		fprintf(f, "%s{\"addr\":", i ? "," : "");
		jstr(f, o->fail[i].addr);
		fprintf(f, ",\"port\":%u,\"errno\":", o->fail[i].port);
		jstr(f, errname(o->fail[i].error));
		fputc('}', f);
	}
	fprintf(f, "],\"bytes_sent\":%llu,\"bytes_received\":%llu",
	    (unsigned long long)sent, (unsigned long long)recv);
	if (o->connect_ms >= 0) {
		jkey_str(f, "remote_addr", o->win_addr);
		fprintf(f, ",\"remote_port\":%u", o->win_port);
		jkey_str(f, "local_addr", o->local_addr);
		fprintf(f, ",\"local_port\":%u,\"ip_version\":%d",
		    o->local_port, o->win_family == AF_INET6 ? 6 : 4);
	} else
		fputs(",\"remote_addr\":null,\"remote_port\":null,"
		    "\"local_addr\":null,\"local_port\":null,"
		    "\"ip_version\":null", f);
	jend(f);
}
