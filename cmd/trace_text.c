/*
 * trace_text.c - the trace on stderr: nc's -v lines and the -vv Happy
 * Eyeballs timeline, one line per event, each stamped "+12.3ms" since
 * hecat started.  One function per trace kind; trace.c's table says which
 * kind gets which.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "trace_impl.h"

void
vv_line(const struct out *o, uint64_t t, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hecat: +%.1fms %s", since_ms(o, t), o->prefix);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static double
ms(uint64_t ns)
{
	return (double)ns / 1e6;
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
 * prefix query, ipv4only.arpa.); nothing for the host's own.
 */
static const char *
other_name(const struct hecat_trace *t, char *buf, size_t len)
{
	buf[0] = '\0';
	if (strcmp(t->name, t->host) != 0)
		snprintf(buf, len, " name=%s", t->name);
	return buf;
}

void
text_dial_start(const struct out *o, const struct hecat_trace *t)
{
	char ports[256], fam[64];

	vv_line(o, t->t_ns, "dial host=%s port%s=%s families=%s", t->host,
	    t->nports > 1 ? "s" : "", port_list(t->ports, t->nports, ports,
	    sizeof(ports)), families(t->family, t->prefer, "", ",", fam,
	    sizeof(fam)));
}

void
text_network(const struct out *o, const struct hecat_trace *t)
{
	char note[64];

	if (t->net_id != 0)
		snprintf(note, sizeof(note), "on net=%016" PRIx64, t->net_id);
	vv_line(o, t->t_ns, "network inet6=%s inet=%s nat64=%s history=%s",
	    t->net_inet6 ? "yes" : "no", t->net_inet ? "yes" : "no",
	    t->why == HECAT_WHY_NAT64 ? "on" : "off",
	    t->net_id != 0 ? note : "off");
}

void
text_history(const struct out *o, const struct hecat_trace *t)
{
	char a[NI_MAXHOST], note[64];
	unsigned port;

	sa_text(t->addr, t->addrlen, a, sizeof(a), &port);
	note[0] = '\0';
	if (t->rtt_ns != 0)
		snprintf(note, sizeof(note), " rtt=%.1fms", ms(t->rtt_ns));
	if (t->why == HECAT_WHY_FAILED)
		vv_line(o, t->t_ns, "history addr=%s failed=%s age=%llds%s "
		    "(moved back)", a, t->error != 0 ? errname(t->error) :
		    "lost", (long long)t->age_s, note);
	else
		vv_line(o, t->t_ns, "history addr=%s%s", a, note);
}

void
text_nat64_prefix(const struct out *o, const struct hecat_trace *t)
{
	vv_line(o, t->t_ns, "nat64 prefix=%s source=%s",
	    t->prefix != NULL ? t->prefix : "none", hecat_why_name(t->why));
}

void
text_resolve_start(const struct out *o, const struct hecat_trace *t)
{
	vv_line(o, t->t_ns, "query family=%s name=%s try=%u",
	    famname(t->family), t->name, t->tries);
}

void
text_resolve_done(const struct out *o, const struct hecat_trace *t)
{
	char name[NI_MAXHOST + 8], list[1024], sec[32];

	other_name(t, name, sizeof(name));
	/* What validation said, when DNSSEC was asked for. */
	sec[0] = '\0';
	if (t->dnssec != HECAT_DNSSEC_NONE)
		snprintf(sec, sizeof(sec), " dnssec=%s",
		    hecat_dnssec_name(t->dnssec));
	if (t->status == HECAT_DNS_OK)
		vv_line(o, t->t_ns, "answer family=%s%s count=%zu addrs=%s%s "
		    "time=%.1fms", famname(t->family), name, t->naddrs,
		    addr_list(t->addrs, t->naddrs, list, sizeof(list)), sec,
		    ms(t->elapsed_ns));
	else
		vv_line(o, t->t_ns, "answer family=%s%s status=%s%s "
		    "time=%.1fms", famname(t->family), name,
		    hecat_dns_status_name(t->status), sec, ms(t->elapsed_ns));
}

void
text_resolve_cancel(const struct out *o, const struct hecat_trace *t)
{
	char name[NI_MAXHOST + 8];

	vv_line(o, t->t_ns, "query family=%s%s abandoned", famname(t->family),
	    other_name(t, name, sizeof(name)));
}

void
text_desynthesize(const struct out *o, const struct hecat_trace *t)
{
	char a[NI_MAXHOST], v4[NI_MAXHOST];
	unsigned port;

	sa_text(t->addr, t->addrlen, a, sizeof(a), &port);
	sa_text(t->orig, t->origlen, v4, sizeof(v4), &port);
	vv_line(o, t->t_ns, "desynthesize addr=%s is=%s", a, v4);
}

void
text_resolution_delay(const struct out *o, const struct hecat_trace *t)
{
	if (t->why == HECAT_WHY_HISTORY)
		vv_line(o, t->t_ns, "resolution-delay wait=%.0fms for=%s "
		    "(history: every address so far failed recently)",
		    ms(t->wait_ns), famname(t->family));
	else
		vv_line(o, t->t_ns, "resolution-delay wait=%.0fms for=%s "
		    "(%s answered first)", ms(t->wait_ns), famname(t->family),
		    t->family == AF_INET6 ? "A" : "AAAA");
}

void
text_candidates(const struct out *o, const struct hecat_trace *t)
{
	char list[1024], ports[256];

	vv_line(o, t->t_ns, "candidates order=%s port%s=%s",
	    addr_list(t->addrs, t->naddrs, list, sizeof(list)),
	    t->nports > 1 ? "s" : "", port_list(t->ports, t->nports, ports,
	    sizeof(ports)));
}

/* " target=[2001:db8::1]:22" (or the host's name): through a proxy. */
static const char *
target_note(const struct hecat_trace *t, char *buf, size_t len)
{
	char ep[ADDRLEN];

	buf[0] = '\0';
	if (t->via == HECAT_PROXY_NONE)
		return buf;
	if (t->target != NULL)
		snprintf(buf, len, " target=%s", endpoint(t->target, ep,
		    sizeof(ep)));
	else
		snprintf(buf, len, " target=%s:%u", t->host, t->target_port);
	return buf;
}

void
text_attempt_start(const struct out *o, const struct hecat_trace *t)
{
	char ep[ADDRLEN], nat[NI_MAXHOST + 8], note[64], tgt[NI_MAXHOST + 32];

	note[0] = '\0';
	if (t->delay_learned)
		snprintf(note, sizeof(note), " delay=%.1fms (rtt history)",
		    ms(t->delay_ns));
	vv_line(o, t->t_ns, "attempt id=%u addr=%s start reason=%s%s%s%s",
	    t->id, endpoint(t->addr, ep, sizeof(ep)), hecat_why_name(t->why),
	    nat64_note(t, nat, sizeof(nat)), note, target_note(t, tgt,
	    sizeof(tgt)));
}

void
text_stage_start(const struct out *o, const struct hecat_trace *t)
{
	vv_line(o, t->t_ns, "attempt id=%u stage=%s start", t->id,
	    hecat_stage_name(t->stage));
}

void
text_stage_step(const struct out *o, const struct hecat_trace *t)
{
	vv_line(o, t->t_ns, "attempt id=%u stage=%s %s", t->id,
	    hecat_stage_name(t->stage), t->detail != NULL ? t->detail : "");
}

void
text_stage_done(const struct out *o, const struct hecat_trace *t)
{
	char ep[ADDRLEN], local[ADDRLEN], bound[ADDRLEN + 8];

	if (t->stage == HECAT_STAGE_TCP)
		vv_line(o, t->t_ns, "attempt id=%u addr=%s connected "
		    "rtt=%.1fms local=%s", t->id, endpoint(t->addr, ep,
		    sizeof(ep)), ms(t->elapsed_ns), endpoint(t->local, local,
		    sizeof(local)));
	else if (t->stage == HECAT_STAGE_BANNER || t->stage == HECAT_STAGE_TLS)
		vv_line(o, t->t_ns, "attempt id=%u stage=%s done time=%.1fms",
		    t->id, hecat_stage_name(t->stage), ms(t->elapsed_ns));
	else {
		bound[0] = '\0';
		if (t->bound != NULL)
			snprintf(bound, sizeof(bound), " bound=%s",
			    endpoint(t->bound, ep, sizeof(ep)));
		vv_line(o, t->t_ns, "attempt id=%u stage=%s done time=%.1fms "
		    "reply=%d%s", t->id, hecat_stage_name(t->stage),
		    ms(t->elapsed_ns), t->status, bound);
	}
}

/* What a failed attempt's reason is in words. */
static const char *
failure_words(const struct hecat_trace *t)
{
	if (t->detail != NULL)
		return t->detail;
	return t->error == ETIMEDOUT ? "Operation timed out" :
	    strerror(t->error);
}

void
text_attempt_end(const struct out *o, const struct hecat_trace *t)
{
	char ep[ADDRLEN], stage[32];

	switch (t->result) {
	case HECAT_ATTEMPT_FAILED:
		stage[0] = '\0';
		if (t->stage != HECAT_STAGE_TCP)
			snprintf(stage, sizeof(stage), " stage=%s",
			    hecat_stage_name(t->stage));
		vv_line(o, t->t_ns, "attempt id=%u addr=%s failed errno=%s "
		    "(%s) after=%.1fms%s%s", t->id, endpoint(t->addr, ep,
		    sizeof(ep)), errname(t->error), t->detail != NULL ?
		    t->detail : strerror(t->error), ms(t->elapsed_ns), stage,
		    t->why == HECAT_WHY_TIMEOUT ? (t->stage == HECAT_STAGE_TCP ?
		    " (attempt timeout)" : " (timeout)") :
		    t->why == HECAT_WHY_DEADLINE ? " (deadline)" : "");
		break;
	case HECAT_ATTEMPT_CANCELLED:
		vv_line(o, t->t_ns, "attempt id=%u addr=%s cancelled (%s, "
		    "%.1fms in flight)", t->id, endpoint(t->addr, ep,
		    sizeof(ep)), t->why == HECAT_WHY_LOST ? "lost race" :
		    hecat_why_name(t->why), ms(t->elapsed_ns));
		break;
	default:
		break;		/* its stages said it */
	}
}

/* nc's failure line: "connect to HOST (ADDR) port P (tcp) failed: ...". */
void
text_attempt_failed_v(const struct out *o, const struct hecat_trace *t)
{
	struct sockaddr_storage ss;
	char a[NI_MAXHOST];
	unsigned port;

	(void)o;
	if (t->result != HECAT_ATTEMPT_FAILED)
		return;
	sa_text(t->addr, t->addrlen, a, sizeof(a), &port);
	fprintf(stderr, "hecat: connect to %s", t->host);
	if (t->via != HECAT_PROXY_NONE) {
		/* The host, and the proxy the attempt went through. */
		char ep[ADDRLEN], tgt[ADDRLEN];

		if (t->target != NULL && hecat_sockaddr_parse(t->host, 0,
		    &ss) == 0)
			fprintf(stderr, " (%s)", sa_text(t->target,
			    t->targetlen, tgt, sizeof(tgt), &port) ? tgt : "?");
		fprintf(stderr, " port %u via proxy %s (tcp) failed: %s%s%s\n",
		    t->target_port, endpoint(t->addr, ep, sizeof(ep)),
		    t->stage != HECAT_STAGE_TCP ? hecat_stage_name(t->stage) :
		    "", t->stage != HECAT_STAGE_TCP ? ": " : "",
		    failure_words(t));
		return;
	}
	if (hecat_sockaddr_parse(t->host, 0, &ss) == 0)
		fprintf(stderr, " (%s)", a);
	fprintf(stderr, " port %u (tcp) failed: %s%s%s\n", port,
	    t->stage != HECAT_STAGE_TCP ? hecat_stage_name(t->stage) : "",
	    t->stage != HECAT_STAGE_TCP ? ": " : "", failure_words(t));
}

void
text_winner(const struct out *o, const struct hecat_trace *t)
{
	char ep[ADDRLEN];

	char tgt[NI_MAXHOST + 32];

	vv_line(o, t->t_ns, "winner id=%u addr=%s family=%s connect=%.1fms%s%s",
	    t->id, endpoint(t->addr, ep, sizeof(ep)),
	    famname(t->addr->sa_family), since_ms(o, t->t_ns),
	    t->via != HECAT_PROXY_NONE ? " via proxy" : "",
	    target_note(t, tgt, sizeof(tgt)));
}

void
text_dial_failed(const struct out *o, const struct hecat_trace *t)
{
	vv_line(o, t->t_ns, "dial failed: %s", hecat_strerror(t->status));
}

void
text_tlsa(const struct out *o, const struct hecat_trace *t)
{
	vv_line(o, t->t_ns, "tlsa name=%s status=%s%s%s%s%s time=%.1fms",
	    t->name, hecat_dns_status_name(t->status),
	    t->dnssec != HECAT_DNSSEC_NONE ? " dnssec=" : "",
	    t->dnssec != HECAT_DNSSEC_NONE ? hecat_dnssec_name(t->dnssec) :
	    "", t->detail != NULL ? " records=" : "",
	    t->detail != NULL ? t->detail : "", ms(t->elapsed_ns));
}

void
text_resolver(const struct out *o, const struct hecat_trace *t)
{
	vv_line(o, t->t_ns, "resolver %s load=%.1fms context=%.1fms",
	    t->name, ms(t->load_ns), ms(t->elapsed_ns));
}

void
text_loser(const struct out *o, const struct hecat_trace *t)
{
	char ep[ADDRLEN];

	endpoint(t->addr, ep, sizeof(ep));
	if (t->result == HECAT_ATTEMPT_CONNECTED)
		vv_line(o, t->t_ns, "loser id=%u addr=%s connected +%.1fms "
		    "after the winner (attempt %.1fms)", t->id, ep,
		    ms(t->after_ns), ms(t->elapsed_ns));
	else if (t->why == HECAT_WHY_TIMEOUT)
		vv_line(o, t->t_ns, "loser id=%u addr=%s no answer %.1fms "
		    "after the winner (attempt %.1fms)", t->id, ep,
		    ms(t->after_ns), ms(t->elapsed_ns));
	else
		vv_line(o, t->t_ns, "loser id=%u addr=%s failed errno=%s (%s) "
		    "+%.1fms after the winner", t->id, ep, errname(t->error),
		    strerror(t->error), ms(t->after_ns));
}

void
text_verdicts(const struct out *o, uint64_t t)
{
	static const char *const name[2] = { "IPv6", "IPv4" };
	const struct verdict *v;
	int i;

	for (i = 0; i < 2; i++) {
		v = &o->verdict[i];
		if (v->n == 0)
			continue;
		if (v->connected)
			vv_line(o, t, "%s would have connected +%.1fms after "
			    "the winner", name[i], ms(v->connect_after));
		else if (v->silent)	/* the time watched, as asked */
			vv_line(o, t, "%s: no answer in %ums (blackholed?)",
			    name[i], o->follow_ms);
		else
			vv_line(o, t, "%s would have failed: %s (%s) +%.1fms "
			    "after the winner", name[i], errname(v->error),
			    strerror(v->error), ms(v->error_after));
	}
}
