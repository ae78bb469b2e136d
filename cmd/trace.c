/*
 * trace.c - hecat's stderr lines and JSON Lines trace (see trace.h): the
 * output's state, the table that says how each kind of trace event is
 * rendered (-v, -vv, JSON), the dial's result, the relay's events and
 * the closing summary.
 */
#include "config.h"

#include <sys/socket.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace_impl.h"
#include "waterfall.h"

/*
 * Each kind of trace event: its -v line (nc's), its -vv timeline line
 * and its JSON Lines fields.  The JSON object's "ev" is the kind's one
 * name, hecat_trace_name().
 */
static const struct render renders[HECAT_TRACE_NKINDS] = {
	[HECAT_TRACE_DIAL_START] = { NULL, text_dial_start,
	    json_dial_start },
	[HECAT_TRACE_NETWORK] = { NULL, text_network, json_network },
	[HECAT_TRACE_HISTORY] = { NULL, text_history, json_history },
	[HECAT_TRACE_NAT64_PREFIX] = { NULL, text_nat64_prefix,
	    json_nat64_prefix },
	[HECAT_TRACE_RESOLVE_START] = { NULL, text_resolve_start,
	    json_resolve_start },
	[HECAT_TRACE_RESOLVE_DONE] = { NULL, text_resolve_done,
	    json_resolve_done },
	[HECAT_TRACE_RESOLVE_CANCEL] = { NULL, text_resolve_cancel,
	    json_resolve_cancel },
	[HECAT_TRACE_DESYNTHESIZE] = { NULL, text_desynthesize,
	    json_desynthesize },
	[HECAT_TRACE_RESOLUTION_DELAY] = { NULL, text_resolution_delay,
	    json_resolution_delay },
	[HECAT_TRACE_CANDIDATES] = { NULL, text_candidates,
	    json_candidates },
	[HECAT_TRACE_ATTEMPT_START] = { NULL, text_attempt_start,
	    json_attempt_start },
	[HECAT_TRACE_STAGE_START] = { NULL, text_stage_start, json_stage },
	[HECAT_TRACE_STAGE_STEP] = { NULL, text_stage_step, json_stage },
	[HECAT_TRACE_STAGE_DONE] = { NULL, text_stage_done, json_stage },
	[HECAT_TRACE_ATTEMPT_END] = { text_attempt_failed_v,
	    text_attempt_end, json_attempt_end },
	[HECAT_TRACE_WINNER] = { NULL, text_winner, json_winner },
	[HECAT_TRACE_DIAL_FAILED] = { NULL, text_dial_failed,
	    json_dial_failed },
	[HECAT_TRACE_TLSA] = { NULL, text_tlsa, json_tlsa },
	[HECAT_TRACE_RESOLVER] = { NULL, text_resolver, json_resolver },
	[HECAT_TRACE_LOSER] = { NULL, text_loser, json_loser }
};

static void
lock(struct out *o)
{
	if (o != NULL)
		pthread_mutex_lock(&o->lock);
}

static void
unlock(struct out *o)
{
	if (o != NULL)
		pthread_mutex_unlock(&o->lock);
}

void
out_error(struct out *o, const char *fmt, ...)
{
	char line[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	lock(o);
	fputs("hecat: ", stderr);
	put_escaped(stderr, line);
	fputc('\n', stderr);
	unlock(o);
}

/* ---- setup ---------------------------------------------------------------- */

/* --trace's or --qlog's file: a path, "-" for stderr, "fd:N". */
static FILE *
open_trace(const char *opt, const char *path, bool *close_it, char *err,
    size_t errlen)
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
			snprintf(err, errlen, "%s: '%s': not a descriptor "
			    "number", opt, path);
			return NULL;
		}
		if (fcntl((int)fd, F_GETFD) == -1 ||
		    (nfd = fcntl((int)fd, F_DUPFD_CLOEXEC, 3)) == -1 ||
		    (f = fdopen(nfd, "w")) == NULL) {
			snprintf(err, errlen, "%s: '%s': %s", opt, path,
			    strerror(errno));
			return NULL;
		}
		*close_it = true;
		return f;
	}
	if ((f = fopen(path, "we")) == NULL) {
		snprintf(err, errlen, "%s: '%s': %s", opt, path,
		    strerror(errno));
		return NULL;
	}
	*close_it = true;
	return f;
}

/* A qlog record, written whole (and flushed: a run cut short keeps it). */
static void
qlog_write(const char *rec, size_t len, void *arg)
{
	struct out *o = arg;

	if (fwrite(rec, 1, len, o->qlog_file) == len)
		fflush(o->qlog_file);
}

/* --qlog: its file, and the writer fed every trace event. */
static int
qlog_open(struct out *o, const char *path, int argc, char *argv[], char *err,
    size_t errlen)
{
	char line[1024];
	size_t n = 0;
	int i, w;

	if ((o->qlog_file = open_trace("--qlog", path, &o->qlog_close, err,
	    errlen)) == NULL)
		return -1;
	line[0] = '\0';
	for (i = 0; i < argc && n < sizeof(line); i++) {
		w = snprintf(line + n, sizeof(line) - n, "%s%s", i ? " " : "",
		    argv[i]);
		n += w > 0 ? (size_t)w : 0;
	}
	if ((o->qlog = hecat_qlog_new(qlog_write, o, "hecat", line)) == NULL) {
		snprintf(err, errlen, "--qlog: %s", strerror(errno));
		return -1;
	}
	return 0;
}

struct out *
out_new(const struct options *opts, int argc, char *argv[], char *err,
    size_t errlen)
{
	pthread_mutexattr_t ma;
	struct out *o;

	if ((o = calloc(1, sizeof(*o))) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	/* Recursive: out_dial_result() says its failure with out_error(). */
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&o->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	o->verbose = opts->verbose;
	o->follow_ms = opts->dial.follow_losers_ms;
	o->prefix = "";
	o->t0 = hecat_clock_ns();
	o->resolve_ms = -1;
	o->connect_ms = -1;
	if ((opts->waterfall || opts->verbose >= 3) &&
	    (o->wf = wf_new()) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		out_free(o);
		return NULL;
	}
	if (opts->trace_path != NULL &&
	    (o->json = open_trace("--trace", opts->trace_path, &o->json_close,
	    err, errlen)) == NULL) {
		out_free(o);
		return NULL;
	}
	if (opts->qlog_path != NULL && qlog_open(o, opts->qlog_path, argc, argv,
	    err, errlen) == -1) {
		out_free(o);
		return NULL;
	}
	json_start(o, opts, argc, argv);
	return o;
}

void
out_free(struct out *o)
{
	if (o == NULL)
		return;
	if (o->json != NULL && o->json_close)
		fclose(o->json);
	hecat_qlog_free(o->qlog);	/* the sessions left open end */
	if (o->qlog_file != NULL && o->qlog_close)
		fclose(o->qlog_file);
	wf_free(o->wf);
	free(o->failures);
	pthread_mutex_destroy(&o->lock);
	free(o);
}

/* The waterfall, once: when the race ends, or its watched losers do. */
static void
draw_waterfall(struct out *o)
{
	struct wf_style st;

	if (o->wf == NULL || o->wf_drawn)
		return;
	o->wf_drawn = true;
	wf_style_for(STDERR_FILENO, &st);
	wf_render(o->wf, stderr, &st);
}

/* A watched loser's end, for its family's verdict. */
static void
note_loser(struct out *o, const struct hecat_trace *t)
{
	struct verdict *v = &o->verdict[t->family == AF_INET6 ? 0 : 1];

	o->following = t->following;
	v->n++;
	if (t->result == HECAT_ATTEMPT_CONNECTED) {
		if (!v->connected || t->after_ns < v->connect_after)
			v->connect_after = t->after_ns;
		v->connected = true;
	} else if (t->why == HECAT_WHY_TIMEOUT) {
		v->silent = true;
	} else {
		v->error = t->error;
		v->error_after = t->after_ns;
	}
}

/* ---- the dial ---------------------------------------------------------- */

/* What the summary keeps of an event. */
static void
note(struct out *o, const struct hecat_trace *t)
{
	if (t->proxy_race)
		return;		/* the race to the proxy is not the dial's */
	switch (t->kind) {
	case HECAT_TRACE_RESOLVE_DONE:
		if (t->status == HECAT_DNS_OK && o->resolve_ms < 0)
			o->resolve_ms = since_ms(o, t->t_ns);
		break;
	case HECAT_TRACE_ATTEMPT_START:
		o->attempts++;
		o->via = t->via;
		break;
	case HECAT_TRACE_WINNER:
		o->connect_ms = since_ms(o, t->t_ns);
		o->via = t->via;
		o->target_port = t->target_port;
		o->win_family = t->addr->sa_family;
		sa_text(t->addr, t->addrlen, o->win_addr, sizeof(o->win_addr),
		    &o->win_port);
		if (t->local != NULL)
			sa_text(t->local, t->locallen, o->local_addr,
			    sizeof(o->local_addr), &o->local_port);
		o->following = t->following;
		break;
	case HECAT_TRACE_LOSER:
		note_loser(o, t);
		break;
	default:
		break;
	}
}

void
out_dial_event(const struct hecat_trace *t, void *arg)
{
	struct out *o = arg;
	const struct render *r;
	FILE *f;

	if ((unsigned)t->kind >= HECAT_TRACE_NKINDS)
		return;
	r = &renders[t->kind];
	lock(o);
	note(o, t);
	hecat_qlog_trace(t, o->qlog);
	if (o->wf != NULL)
		wf_event(o->wf, t);
	o->prefix = t->proxy_race ? "proxy race: " : "";
	if (o->verbose >= 2 && r->vv != NULL)
		r->vv(o, t);
	else if (o->verbose == 1 && r->v != NULL)
		r->v(o, t);
	if (r->json != NULL &&
	    (f = json_begin(o, hecat_trace_name(t->kind), t->t_ns)) != NULL) {
		r->json(o, f, t);
		if (t->proxy_race)
			fputs(",\"proxy_race\":true", f);
		json_end(f);
	}
	if (t->kind == HECAT_TRACE_LOSER && t->following == 0) {
		if (o->verbose >= 2)
			text_verdicts(o, t->t_ns);
		draw_waterfall(o);
	}
	unlock(o);
}

static void	dial_result(struct out *, const struct hecat_result *);

void
out_dial_result(struct out *o, const struct hecat_result *r)
{
	lock(o);
	dial_result(o, r);
	unlock(o);
}

static void
dial_result(struct out *o, const struct hecat_result *r)
{
	char h[NI_MAXHOST], ep[ADDRLEN];
	struct sockaddr_storage ss;
	struct servent *se;
	unsigned port;

	free(o->failures);
	o->nfailures = 0;
	if (r->nfailures > 0 && (o->failures = calloc(r->nfailures,
	    sizeof(*o->failures))) != NULL) {
		memcpy(o->failures, r->failures,
		    r->nfailures * sizeof(*r->failures));
		o->nfailures = r->nfailures;
	}
	/* The race, drawn before its end; after the losers, if watched. */
	if (o->following == 0)
		draw_waterfall(o);
	if (r->err != HECAT_OK) {
		out_error(o, "%s", r->message);
		return;
	}
	if (o->verbose < 1)
		return;
	se = getservbyport(htons((uint16_t)o->win_port), "tcp");
	/*
	 * nc's line, exactly, so that scripts that grep for it (even for
	 * 'succeeded!$') keep working; what hecat adds is a line of its own.
	 */
	fprintf(stderr, "Connection to %s", r->host);
	if (o->via != HECAT_PROXY_NONE) {
		/* Through a proxy: the host's address, if one was asked. */
		if (r->target != NULL && sa_text(r->target, r->targetlen, h,
		    sizeof(h), &port) && hecat_sockaddr_parse(r->host, 0,
		    &ss) == 0)
			fprintf(stderr, " (%s)", h);
		fprintf(stderr, " %u port [tcp/%s] succeeded!\n",
		    o->target_port, (se = getservbyport(htons((uint16_t)
		    o->target_port), "tcp")) != NULL ? se->s_name : "*");
		fprintf(stderr, "hecat: via=proxy proxy=%s time=%.1fms\n",
		    endpoint(r->addr, ep, sizeof(ep)), o->connect_ms);
	} else {
		if (hecat_sockaddr_parse(r->host, 0, &ss) == 0)
			fprintf(stderr, " (%s)", o->win_addr);
		fprintf(stderr, " %u port [tcp/%s] succeeded!\n", o->win_port,
		    se != NULL ? se->s_name : "*");
		fprintf(stderr, "hecat: via=%s time=%.1fms\n",
		    o->win_family == AF_INET6 ? "ipv6" : "ipv4", o->connect_ms);
	}
	if (r->tls != NULL)
		out_tls_line(o, r->tls);
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

static void	relay_event(struct out *, enum relay_event, const char *);

void
out_relay_event(enum relay_event ev, const char *detail, void *arg)
{
	struct out *o = arg;

	lock(o);
	relay_event(o, ev, detail);
	unlock(o);
}

static void
relay_event(struct out *o, enum relay_event ev, const char *detail)
{
	uint64_t t = hecat_clock_ns();
	FILE *f;

	if (o->verbose >= 2) {
		switch (ev) {
		case RELAY_START:
			vv_line(o, t, "relay %s", detail != NULL ? detail : "");
			break;
		case RELAY_STDIN_EOF:
			vv_line(o, t, "stdin eof");
			break;
		case RELAY_SHUTDOWN_WR:
			vv_line(o, t, "half-close sent (shutdown SHUT_WR)");
			break;
		case RELAY_PEER_EOF:
			vv_line(o, t, "peer eof; closing stdout");
			break;
		default:
			vv_line(o, t, "%s%s%s", relay_what(ev),
			    detail != NULL ? " " : "",
			    detail != NULL ? detail : "");
			break;
		}
	}
	if ((f = json_begin(o, "relay", t)) == NULL)
		return;
	json_key_str(f, "what", relay_what(ev));
	json_key_str(f, "detail", detail);
	json_end(f);
}

void
out_summary(struct out *o, int status, const char *outcome,
    const struct relay_result *rr)
{
	uint64_t t = hecat_clock_ns();
	unsigned long long sent = rr != NULL ? rr->sent : 0,
	    recv = rr != NULL ? rr->received : 0;

	lock(o);
	draw_waterfall(o);	/* if a watch was cut short */
	if (o->verbose >= 2)
		vv_line(o, t, "done exit=%d sent=%llu received=%llu "
		    "duration=%.1fms", status, sent, recv, since_ms(o, t));
	else if (o->verbose == 1)
		fprintf(stderr, "hecat: done exit=%d sent=%llu received=%llu "
		    "duration=%.1fms\n", status, sent, recv, since_ms(o, t));
	json_summary(o, t, status, outcome, sent, recv);
	unlock(o);
}
