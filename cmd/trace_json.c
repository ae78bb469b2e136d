/*
 * trace_json.c - hecat's JSON Lines trace, schema version 1: every line
 * an object {"v":1,"ev":NAME,"t_ms":...}, NAME the trace kind's one name
 * (hecat_trace_name()), the "start" object first and the "summary" one
 * last.  One function per trace kind writes the fields after "t_ms".
 * The schema only grows: fields and events are added, never renamed.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "trace_impl.h"

/* A JSON string; invalid UTF-8 becomes U+FFFD; NULL is null. */
void
json_str(FILE *f, const char *s)
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

FILE *
json_begin(const struct out *o, const char *ev, uint64_t t)
{
	if (o->json == NULL)
		return NULL;
	fprintf(o->json, "{\"v\":1,\"ev\":");
	json_str(o->json, ev);
	fprintf(o->json, ",\"t_ms\":%.3f", since_ms(o, t));
	return o->json;
}

void
json_end(FILE *f)
{
	fputs("}\n", f);
	fflush(f);		/* a crash still leaves a usable prefix */
}

void
json_key_str(FILE *f, const char *k, const char *v)
{
	fprintf(f, ",\"%s\":", k);
	json_str(f, v);
}

static void
json_ms(FILE *f, const char *k, uint64_t ns)
{
	fprintf(f, ",\"%s\":%.3f", k, (double)ns / 1e6);
}

static void
json_err(FILE *f, int err)
{
	if (err == 0) {
		fputs(",\"errno\":null,\"error\":null", f);
		return;
	}
	json_key_str(f, "errno", errname(err));
	json_key_str(f, "error", strerror(err));
}

static void
json_addr(FILE *f, const char *k, const struct sockaddr *sa, socklen_t len)
{
	char h[NI_MAXHOST];
	unsigned port;

	sa_text(sa, len, h, sizeof(h), &port);
	json_key_str(f, k, h);
}

static void
json_addrs(FILE *f, const char *key, const struct sockaddr_storage *ss,
    size_t n)
{
	size_t i;

	fprintf(f, ",\"%s\":[", key);
	for (i = 0; i < n; i++) {
		char h[NI_MAXHOST];
		unsigned port;

		sa_text((const struct sockaddr *)&ss[i],
		    sa_len((const struct sockaddr *)&ss[i]), h, sizeof(h),
		    &port);
		if (i > 0)
			fputc(',', f);
		json_str(f, h);
	}
	fputc(']', f);
}

/*
 * Through a proxy: "via" (its protocol), "target" (the host's address,
 * or its name) and "target_port".
 */
static void
json_via(FILE *f, const struct hecat_trace *t)
{
	if (t->via == HECAT_PROXY_NONE)
		return;
	json_key_str(f, "via", hecat_proxy_name(t->via));
	if (t->target != NULL)
		json_addr(f, "target", t->target, t->targetlen);
	else
		json_key_str(f, "target", t->host);
	fprintf(f, ",\"target_port\":%u", t->target_port);
}

/* The fields that name an attempt: "id", "addr", "port". */
static void
json_attempt(FILE *f, const struct hecat_trace *t)
{
	char h[NI_MAXHOST];
	unsigned port;

	sa_text(t->addr, t->addrlen, h, sizeof(h), &port);
	fprintf(f, ",\"id\":%u", t->id);
	json_key_str(f, "addr", h);
	fprintf(f, ",\"port\":%u", port);
}

void
json_dial_start(const struct out *o, FILE *f, const struct hecat_trace *t)
{
	char fam[64];
	size_t i;

	(void)o;
	json_key_str(f, "host", t->host);
	fputs(",\"ports\":[", f);
	for (i = 0; i < t->nports; i++)
		fprintf(f, "%s%u", i ? "," : "", t->ports[i]);
	fprintf(f, "],\"families\":[%s]", families(t->family, t->prefer, "\"",
	    ",", fam, sizeof(fam)));
}

void
json_network(const struct out *o, FILE *f, const struct hecat_trace *t)
{
	(void)o;
	fprintf(f, ",\"inet6\":%s,\"inet\":%s,\"nat64\":%s",
	    t->net_inet6 ? "true" : "false", t->net_inet ? "true" : "false",
	    t->why == HECAT_WHY_NAT64 ? "true" : "false");
	if (t->net_id != 0)
		fprintf(f, ",\"history\":true,\"net\":\"%016" PRIx64 "\"",
		    t->net_id);
	else
		fputs(",\"history\":false", f);
}

void
json_history(const struct out *o, FILE *f, const struct hecat_trace *t)
{
	(void)o;
	json_addr(f, "addr", t->addr, t->addrlen);
	if (t->rtt_ns != 0)
		json_ms(f, "rtt_ms", t->rtt_ns);
	else
		fputs(",\"rtt_ms\":null", f);
	fprintf(f, ",\"failed\":%s", t->why == HECAT_WHY_FAILED ? "true" :
	    "false");
	if (t->why == HECAT_WHY_FAILED) {
		json_err(f, t->error);
		fprintf(f, ",\"age_s\":%lld", (long long)t->age_s);
	}
}

void
json_nat64_prefix(const struct out *o, FILE *f, const struct hecat_trace *t)
{
	(void)o;
	json_key_str(f, "prefix", t->prefix);
	json_key_str(f, "source", hecat_why_name(t->why));
}

void
json_resolve_start(const struct out *o, FILE *f, const struct hecat_trace *t)
{
	(void)o;
	json_key_str(f, "family", famname(t->family));
	json_key_str(f, "source", "dns");
	json_key_str(f, "name", t->name);
	fprintf(f, ",\"try\":%u", t->tries);
}

void
json_resolve_done(const struct out *o, FILE *f, const struct hecat_trace *t)
{
	(void)o;
	json_key_str(f, "family", famname(t->family));
	json_key_str(f, "name", t->name);
	json_addrs(f, "addrs", t->addrs, t->naddrs);
	json_ms(f, "elapsed_ms", t->elapsed_ns);
	json_key_str(f, "status", hecat_dns_status_name(t->status));
	if (t->dnssec != HECAT_DNSSEC_NONE)
		json_key_str(f, "dnssec", hecat_dnssec_name(t->dnssec));
}

void
json_resolve_cancel(const struct out *o, FILE *f, const struct hecat_trace *t)
{
	(void)o;
	json_key_str(f, "family", famname(t->family));
	json_key_str(f, "name", t->name);
}

void
json_desynthesize(const struct out *o, FILE *f, const struct hecat_trace *t)
{
	(void)o;
	json_addr(f, "addr", t->addr, t->addrlen);
	json_addr(f, "ipv4", t->orig, t->origlen);
}

void
json_resolution_delay(const struct out *o, FILE *f,
    const struct hecat_trace *t)
{
	(void)o;
	json_key_str(f, "family", famname(t->family));
	json_ms(f, "wait_ms", t->wait_ns);
	json_key_str(f, "reason", hecat_why_name(t->why));
}

/* Address by address, every port of each in turn. */
void
json_candidates(const struct out *o, FILE *f, const struct hecat_trace *t)
{
	char h[NI_MAXHOST];
	unsigned port;
	size_t i, k;

	(void)o;
	fputs(",\"order\":[", f);
	for (i = 0; i < t->naddrs; i++) {
		const struct sockaddr *sa =
		    (const struct sockaddr *)&t->addrs[i];

		sa_text(sa, sa_len(sa), h, sizeof(h), &port);
		for (k = 0; k < t->nports; k++) {
			fprintf(f, "%s{\"addr\":", i || k ? "," : "");
			json_str(f, h);
			fprintf(f, ",\"port\":%u,\"family\":\"%s\"}",
			    t->ports[k], famname(sa->sa_family));
		}
	}
	fputc(']', f);
}

void
json_attempt_start(const struct out *o, FILE *f, const struct hecat_trace *t)
{
	(void)o;
	json_attempt(f, t);
	json_key_str(f, "family", famname(t->addr->sa_family));
	json_key_str(f, "reason", hecat_why_name(t->why));
	json_ms(f, "delay_ms", t->delay_ns);
	fprintf(f, ",\"delay_learned\":%s", t->delay_learned ? "true" :
	    "false");
	if (t->orig != NULL)
		json_addr(f, "nat64_for", t->orig, t->origlen);
	if (t->source != NULL)
		json_addr(f, "src", t->source, t->sourcelen);
	else
		fputs(",\"src\":null", f);
	json_via(f, t);
}

/* stage_start, stage_step and stage_done. */
void
json_stage(const struct out *o, FILE *f, const struct hecat_trace *t)
{
	bool proxy = t->stage == HECAT_STAGE_SOCKS5 ||
	    t->stage == HECAT_STAGE_SOCKS4 ||
	    t->stage == HECAT_STAGE_HTTP_CONNECT;

	(void)o;
	json_attempt(f, t);
	json_key_str(f, "stage", hecat_stage_name(t->stage));
	if (t->kind == HECAT_TRACE_STAGE_STEP)
		json_key_str(f, "detail", t->detail);
	if (t->kind != HECAT_TRACE_STAGE_START)
		json_ms(f, "elapsed_ms", t->elapsed_ns);
	if (t->local != NULL)
		json_addr(f, "local", t->local, t->locallen);
	if (t->kind == HECAT_TRACE_STAGE_DONE && proxy) {
		fprintf(f, ",\"reply\":%d", t->status);
		if (t->bound != NULL)
			json_addr(f, "bound", t->bound, t->boundlen);
	}
}

void
json_attempt_end(const struct out *o, FILE *f, const struct hecat_trace *t)
{
	(void)o;
	json_attempt(f, t);
	json_key_str(f, "result", attempt_word(t));
	if (t->why != HECAT_WHY_NONE)
		json_key_str(f, "reason", hecat_why_name(t->why));
	json_key_str(f, "stage", hecat_stage_name(t->stage));
	json_err(f, t->error);
	if (t->detail != NULL)
		json_key_str(f, "detail", t->detail);
	json_ms(f, "elapsed_ms", t->elapsed_ns);
	if (t->local != NULL)
		json_addr(f, "local", t->local, t->locallen);
}

void
json_winner(const struct out *o, FILE *f, const struct hecat_trace *t)
{
	char h[NI_MAXHOST];
	unsigned port = 0;

	json_attempt(f, t);
	json_key_str(f, "family", famname(t->addr->sa_family));
	if (t->local != NULL)
		sa_text(t->local, t->locallen, h, sizeof(h), &port);
	json_key_str(f, "local_addr", t->local != NULL ? h : "");
	fprintf(f, ",\"local_port\":%u,\"connect_ms\":%.3f", port,
	    since_ms(o, t->t_ns));
	json_via(f, t);
	if (t->bound != NULL)
		json_addr(f, "bound", t->bound, t->boundlen);
	if (t->following > 0)
		fprintf(f, ",\"following\":%u", t->following);
}

void
json_loser(const struct out *o, FILE *f, const struct hecat_trace *t)
{
	(void)o;
	json_attempt(f, t);
	json_key_str(f, "family", famname(t->family));
	json_key_str(f, "result", t->result == HECAT_ATTEMPT_CONNECTED ?
	    "connected" : t->why == HECAT_WHY_TIMEOUT ? "no_answer" :
	    attempt_word(t));
	json_err(f, t->error);
	json_ms(f, "elapsed_ms", t->elapsed_ns);
	json_ms(f, "after_ms", t->after_ns);
	fprintf(f, ",\"following\":%u", t->following);
}

void
json_dial_failed(const struct out *o, FILE *f, const struct hecat_trace *t)
{
	(void)o;
	json_key_str(f, "status", hecat_strerror(t->status));
	json_key_str(f, "message", t->detail);
}

void
json_tlsa(const struct out *o, FILE *f, const struct hecat_trace *t)
{
	(void)o;
	json_key_str(f, "name", t->name);
	json_key_str(f, "status", hecat_dns_status_name(t->status));
	if (t->dnssec != HECAT_DNSSEC_NONE)
		json_key_str(f, "dnssec", hecat_dnssec_name(t->dnssec));
	json_key_str(f, "records", t->detail);
	json_ms(f, "elapsed_ms", t->elapsed_ns);
}

void
json_resolver(const struct out *o, FILE *f, const struct hecat_trace *t)
{
	(void)o;
	json_key_str(f, "name", t->name);
	json_ms(f, "load_ms", t->load_ns);
	json_ms(f, "elapsed_ms", t->elapsed_ns);
}

void
json_start(const struct out *o, const struct options *op, int argc,
    char *argv[])
{
	const struct hecat_opts *d = &op->dial;
	char wall[64], frac[32], fam[64];
	struct timespec ts;
	struct tm tm;
	FILE *f;
	size_t i;
	int k;

	if ((f = json_begin(o, "start", o->t0)) == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(wall, sizeof(wall), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(frac, sizeof(frac), ".%03dZ", (int)(ts.tv_nsec / 1000000));
	strncat(wall, frac, sizeof(wall) - strlen(wall) - 1);
	json_key_str(f, "tool", "hecat");
	json_key_str(f, "version", PACKAGE_VERSION);
	fprintf(f, ",\"pid\":%ld", (long)getpid());
	json_key_str(f, "wall", wall);
	json_key_str(f, "host", op->host);
	fprintf(f, ",\"port\":%u,\"ports\":[", op->nports > 0 ?
	    op->ports[0] : 0);
	for (i = 0; i < op->nports; i++)
		fprintf(f, "%s%u", i ? "," : "", op->ports[i]);
	fprintf(f, "],\"proto\":\"tcp\",\"families\":[%s]",
	    families(d->family, d->prefer, "\"", ",", fam, sizeof(fam)));
	fprintf(f, ",\"params\":{\"attempt_delay_ms\":%u,"
	    "\"resolution_delay_ms\":%u,\"attempt_timeout_ms\":%u,"
	    "\"connect_timeout_ms\":", d->attempt_delay_ms,
	    d->resolution_delay_ms, d->attempt_timeout_ms);
	if (d->timeout_ms == 0)
		fputs("null", f);
	else
		fprintf(f, "%u", d->timeout_ms);
	fprintf(f, ",\"first_family_count\":%u,\"resolve_timeout_ms\":%u,"
	    "\"resolve_retries\":%u,\"race_until\":\"%s\",\"mode\":\"race\"}",
	    d->first_family_count, d->resolve_timeout_ms, d->resolve_retries,
	    d->race_until == HECAT_STAGE_TCP && d->proxy != HECAT_PROXY_NONE ?
	    "proxy" : hecat_stage_name(d->race_until));
	if (d->proxy == HECAT_PROXY_NONE)
		fputs(",\"proxy\":null", f);
	else {
		fprintf(f, ",\"proxy\":{\"type\":\"%s\",\"host\":",
		    hecat_proxy_name(d->proxy));
		json_str(f, d->proxy_host);
		fprintf(f, ",\"port\":%u,\"resolve\":\"%s\",\"user\":",
		    d->proxy_port != 0 ? d->proxy_port :
		    d->proxy == HECAT_PROXY_HTTP ? 3128 : 1080,
		    d->proxy_resolve == HECAT_PROXY_RESOLVE_LOCAL ? "local" :
		    "remote");
		json_str(f, d->proxy_user);
		fputc('}', f);
	}
	fputs(",\"argv\":[", f);
	for (k = 0; k < argc; k++) {
		if (k > 0)
			fputc(',', f);
		json_str(f, argv[k]);
	}
	fputc(']', f);
	json_end(f);
}

void
json_summary(const struct out *o, uint64_t t, int status, const char *outcome,
    unsigned long long sent, unsigned long long recv)
{
	char h[NI_MAXHOST];
	unsigned port;
	FILE *f;
	size_t i, n = 0;

	if ((f = json_begin(o, "summary", t)) == NULL)
		return;
	fprintf(f, ",\"exit\":%d", status);
	json_key_str(f, "outcome", outcome);
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
		json_str(f, o->win_addr);
		fprintf(f, ",\"port\":%u,\"family\":\"%s\"}", o->win_port,
		    famname(o->win_family));
	} else
		fputs(",\"winner\":null", f);
	fprintf(f, ",\"attempts\":%u,\"failures\":[", o->attempts);
	for (i = 0; i < o->nfailures; i++) {
		const struct sockaddr *sa =
		    (const struct sockaddr *)&o->failures[i].addr;

		if (o->failures[i].error == 0)
			continue;
		sa_text(sa, sa_len(sa), h, sizeof(h), &port);
		fprintf(f, "%s{\"addr\":", n++ ? "," : "");
		json_str(f, h);
		fprintf(f, ",\"port\":%u,\"errno\":", port);
		json_str(f, errname(o->failures[i].error));
		fputc('}', f);
	}
	fprintf(f, "],\"bytes_sent\":%llu,\"bytes_received\":%llu", sent,
	    recv);
	if (o->connect_ms >= 0) {
		json_key_str(f, "remote_addr", o->win_addr);
		fprintf(f, ",\"remote_port\":%u", o->win_port);
		json_key_str(f, "local_addr", o->local_addr);
		fprintf(f, ",\"local_port\":%u,\"ip_version\":%d",
		    o->local_port, o->win_family == AF_INET6 ? 6 : 4);
	} else
		fputs(",\"remote_addr\":null,\"remote_port\":null,"
		    "\"local_addr\":null,\"local_port\":null,"
		    "\"ip_version\":null", f);
	json_end(f);
}
