/*
 * resolve_getdns.c - the built-in resolver: /etc/hosts, then getdns.
 *
 * One query asks one record type (AAAA or A) for one name, as RFC 8305
 * needs; getdns_address() would wait for both.  getdns runs as a stub
 * resolver (Debian's defaults to full recursion) on the caller's libevent
 * base, with the name servers of resolv.conf or of the configuration.
 *
 * A name the hosts file knows is answered from it alone, for both
 * families, as glibc's "files dns" does.  Otherwise the candidates of the
 * search list (glibc's ndots rule) are asked in turn: an NXDOMAIN moves on
 * to the next candidate; an answer, a NODATA (the name exists) or an error
 * ends the search, so AAAA and A always settle on the same name.
 *
 * Answers are checked (dnsreply.c): only the records of the question's
 * name, following its CNAME chain, count.
 *
 * Secure DNS (hecat_config): with dnssec, getdns validates every answer
 * (in stub mode it fetches the DS and DNSKEY records itself) and one
 * that is not secure fails its query as BOGUS, INSECURE or INDETERMINATE;
 * the hosts file is still believed, as the system resolver does.  With
 * dns_tls, the upstreams are asked over TLS alone, with the certificate
 * checked against the name given (RFC 8310 strict).  With recursive,
 * getdns resolves from the root servers (or the hints given) down.
 */
#include "config.h"

#include <sys/stat.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "clock.h"
#include "dnsreply.h"
#include "getdns_dl.h"
#include "hosts.h"
#include "resolvconf.h"
#include "resolver.h"
#include "sysfiles.h"

#define MAXANSWER	64	/* addresses taken from one answer */
#define MAXCAND		(HECAT__RESOLV_MAXSEARCH + 1)
#define SYSTEM_ANCHOR	"/usr/share/dns/root.key"	/* Debian's dns-root-data */

struct gresolver {
	struct event_base		*base;
	getdns_context			*ctx;
	struct hecat__getdns_loop	*loop;
	struct hecat__resolvconf	 rc;
	char				*hosts_path;	/* NULL: none */
	struct hecat__hosts		*hosts;
	struct timespec			 hosts_mtime;
	off_t				 hosts_size;
	bool				 hosts_read;
	getdns_dict			*ext;		/* every query's
							   extensions; NULL:
							   none */
	bool				 dnssec;
	bool				 recursive;
	bool				 tls;		/* rc.ns over TLS */
	char				 tls_name[HECAT__RESOLV_MAXNS]
					     [HECAT__NAMELEN];	/* "": none */
	char				*trust_anchor;	/* NULL: getdns's */
	char				*tls_ca;
	char				*root_hints;
	char				 failure[320];	/* why getdns could
							   not be set up */
	bool				 made;		/* by the last query */
	uint64_t			 load_ns;	/* ... in that time */
	uint64_t			 setup_ns;
};

struct gquery {
	struct gresolver	*r;
	int			 family;
	hecat_resolve_cb	 done;
	void			*arg;
	char			 cand[MAXCAND][HECAT__NAMELEN];
	size_t			 ncand, cur;
	getdns_transaction_t	 txid;
	bool			 inflight;	/* a getdns query is out */
	bool			 in_general;	/* inside getdns_general() */
	bool			 early;		/* it answered from inside */
	int			 early_status;
	int			 early_sec;	/* enum hecat_dnssec */
	size_t			 nearly;
	struct sockaddr_storage	 early_addrs[MAXANSWER];
};

/* The handle of a query answered before gr_start() returned. */
static char answered_already;

/* ---- hosts file ------------------------------------------------------------ */

/* The hosts table, re-read when the file changed. */
static const struct hecat__hosts *
hosts_table(struct gresolver *r)
{
	struct hecat__hosts *fresh;
	struct stat st;

	if (r->hosts_path == NULL)
		return NULL;
	if (stat(r->hosts_path, &st) == -1)
		memset(&st, 0, sizeof(st));
	if (r->hosts_read && st.st_mtim.tv_sec == r->hosts_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == r->hosts_mtime.tv_nsec &&
	    st.st_size == r->hosts_size)
		return r->hosts;
	if ((fresh = hecat__hosts_load(r->hosts_path)) == NULL)
		return r->hosts;		/* ENOMEM: keep the old one */
	hecat__hosts_free(r->hosts);
	r->hosts = fresh;
	r->hosts_mtime = st.st_mtim;
	r->hosts_size = st.st_size;
	r->hosts_read = true;
	return r->hosts;
}

/* ---- queries ------------------------------------------------------------------ */

static bool	query_next(struct gquery *);
static int	context_up(struct gresolver *);

static void
query_finish(struct gquery *q, int status, int sec,
    const struct sockaddr_storage *addrs, size_t n)
{
	hecat_resolve_cb done = q->done;
	void *arg = q->arg;

	free(q);
	done(HECAT_DNS_WITH_DNSSEC(status, sec), addrs, n, arg);
}

/*
 * With DNSSEC required, an answer that did not validate as secure fails
 * its query, whatever it said; failures of the server (SERVFAIL, timeout)
 * stay what they are, unless getdns dropped replies it found bogus or
 * insecure.
 */
static int
dnssec_verdict(int st, int sec)
{
	bool answered = st == HECAT_DNS_OK || st == HECAT_DNS_NODATA ||
	    st == HECAT_DNS_NXDOMAIN;

	if (sec == HECAT_DNSSEC_SECURE ||
	    (!answered && sec != HECAT_DNSSEC_BOGUS &&
	    sec != HECAT_DNSSEC_INSECURE))
		return st;
	switch (sec) {
	case HECAT_DNSSEC_BOGUS:
		return HECAT_DNS_BOGUS;
	case HECAT_DNSSEC_INSECURE:
		return HECAT_DNS_INSECURE;
	default:
		return HECAT_DNS_INDETERMINATE;	/* or not validated at all */
	}
}

static void
getdns_answer_cb(getdns_context *ctx, getdns_callback_type_t cbt,
    getdns_dict *resp, void *userarg, getdns_transaction_t txid)
{
	struct gquery *q = userarg;
	struct sockaddr_storage addrs[MAXANSWER];
	size_t n;
	int st, sec = HECAT_DNSSEC_NONE;

	(void)ctx;
	(void)txid;
	if (cbt == GETDNS_CALLBACK_CANCEL) {
		/* From getdns_cancel_callback(): the query is gone. */
		getdns_dict_destroy(resp);
		return;
	}
	q->inflight = false;
	st = hecat__dns_response_status(cbt, resp, q->family, addrs, MAXANSWER, &n);
	if (q->r->dnssec) {
		sec = hecat__dns_response_dnssec(cbt, resp);
		if ((st = dnssec_verdict(st, sec)) != HECAT_DNS_OK)
			n = 0;
	}
	getdns_dict_destroy(resp);
	if (q->in_general) {
		/* Called back from inside getdns_general(): let it finish. */
		q->early = true;
		q->early_status = st;
		q->early_sec = sec;
		q->nearly = n;
		memcpy(q->early_addrs, addrs, n * sizeof(addrs[0]));
		return;
	}
	if (st == HECAT_DNS_NXDOMAIN && q->cur + 1 < q->ncand) {
		q->cur++;
		query_next(q);
		return;
	}
	query_finish(q, st, sec, addrs, n);
}

/*
 * Ask getdns for the current candidate, and the next ones as long as the
 * answers come back at once with NXDOMAIN.  Returns true while a query is
 * out, false once done has been called (and q freed).
 */
static bool
query_next(struct gquery *q)
{
	getdns_return_t rc;

	for (;;) {
		q->inflight = true;
		q->in_general = true;
		q->early = false;
		rc = getdns_general(q->r->ctx, q->cand[q->cur],
		    q->family == AF_INET6 ? GETDNS_RRTYPE_AAAA :
		    GETDNS_RRTYPE_A, q->r->ext, q, &q->txid, getdns_answer_cb);
		q->in_general = false;
		if (rc != GETDNS_RETURN_GOOD) {
			query_finish(q, rc == GETDNS_RETURN_BAD_DOMAIN_NAME ?
			    HECAT_DNS_NXDOMAIN : HECAT_DNS_ERROR,
			    HECAT_DNSSEC_NONE, NULL, 0);
			return false;
		}
		if (!q->early)
			return true;
		if (q->early_status != HECAT_DNS_NXDOMAIN ||
		    q->cur + 1 == q->ncand) {
			query_finish(q, q->early_status, q->early_sec,
			    q->early_addrs, q->nearly);
			return false;
		}
		q->cur++;
	}
}

/* Answer from the hosts file if it knows the name; true if it did. */
static bool
query_hosts(struct gquery *q, const char *host)
{
	const struct hecat__hosts *hosts = hosts_table(q->r);
	struct hecat__ip ips[MAXANSWER];
	struct sockaddr_storage addrs[MAXANSWER];
	ssize_t n, i;

	if (hosts == NULL ||
	    (n = hecat__hosts_find(hosts, host, q->family, ips, MAXANSWER)) ==
	    -1)
		return false;
	for (i = 0; i < n; i++)
		hecat__ip_to_sa(&ips[i], 0, &addrs[i]);
	query_finish(q, n > 0 ? HECAT_DNS_OK : HECAT_DNS_NODATA,
	    HECAT_DNSSEC_NONE, addrs, (size_t)n);
	return true;
}

static void *
gr_start(void *rarg, int family, const char *host, hecat_resolve_cb done,
    void *done_arg)
{
	struct gresolver *r = rarg;
	struct gquery *q;

	r->failure[0] = '\0';		/* only this start's is told */
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->r = r;
	q->family = family;
	q->done = done;
	q->arg = done_arg;
	if (query_hosts(q, host))
		return &answered_already;
	if (context_up(r) == -1) {
		free(q);
		return NULL;		/* the query counts as failed */
	}
	q->ncand = hecat__resolvconf_candidates(&r->rc, host, q->cand,
	    MAXCAND);
	if (q->ncand == 0) {
		query_finish(q, HECAT_DNS_NXDOMAIN, HECAT_DNSSEC_NONE, NULL,
		    0);
		return &answered_already;
	}
	return query_next(q) ? (void *)q : (void *)&answered_already;
}

static void
gr_cancel(void *rarg, void *query)
{
	struct gquery *q = query;

	(void)rarg;
	if (query == &answered_already)
		return;
	if (q->inflight)
		getdns_cancel_callback(q->r->ctx, q->txid);
	free(q);
}

static void
gr_free(void *rarg)
{
	struct gresolver *r = rarg;

	if (r == NULL)
		return;
	if (r->ctx != NULL)
		getdns_context_destroy(r->ctx);
	if (r->ext != NULL)
		getdns_dict_destroy(r->ext);
	hecat__getdns_loop_free(r->loop);
	hecat__hosts_free(r->hosts);
	free(r->hosts_path);
	free(r->trust_anchor);
	free(r->tls_ca);
	free(r->root_hints);
	free(r);
}

const char *
hecat__getdns_failure(void *rarg)
{
	struct gresolver *r = rarg;

	return r->failure[0] != '\0' ? r->failure : NULL;
}

bool
hecat__getdns_made(void *rarg, uint64_t *load_ns, uint64_t *setup_ns)
{
	struct gresolver *r = rarg;
	bool made = r->made;

	r->made = false;
	*load_ns = r->load_ns;
	*setup_ns = r->setup_ns;
	return made;
}

const struct hecat_resolver hecat__getdns_resolver = {
	sizeof(struct hecat_resolver),
	gr_start,
	gr_cancel,
	gr_free,
};

/* ---- TLSA (DANE) ----------------------------------------------------------------- */

/*
 * A TLSA query: DANE (RFC 6698) for a TLS dial, asked only when answers
 * are validated (hecat_config.dnssec).  An answer that comes from inside
 * getdns_general() waits for it to return.
 */
struct tquery {
	struct gresolver	*r;
	hecat__tlsa_cb		 done;
	void			*arg;
	getdns_transaction_t	 txid;
	bool			 inflight;
	bool			 in_general;
	getdns_callback_type_t	 early_cbt;	/* an answer from inside */
	getdns_dict		*early;
	bool			 answered;
};

static void
tlsa_finish(struct tquery *q, getdns_callback_type_t cbt, getdns_dict *resp)
{
	struct hecat__tlsa *recs;
	hecat__tlsa_cb done = q->done;
	void *arg = q->arg;
	size_t n = 0;
	int st, sec;

	if ((recs = calloc(HECAT__TLSA_MAX, sizeof(*recs))) == NULL)
		st = HECAT_DNS_ERROR;
	else
		st = hecat__dns_response_tlsa(cbt, resp, recs, HECAT__TLSA_MAX,
		    &n);
	sec = hecat__dns_response_dnssec(cbt, resp);
	if ((st = dnssec_verdict(st, sec)) != HECAT_DNS_OK)
		n = 0;
	if (resp != NULL)
		getdns_dict_destroy(resp);
	free(q);
	done(HECAT_DNS_WITH_DNSSEC(st, sec), recs, n, arg);
	free(recs);
}

static void
tlsa_answer_cb(getdns_context *ctx, getdns_callback_type_t cbt,
    getdns_dict *resp, void *userarg, getdns_transaction_t txid)
{
	struct tquery *q = userarg;

	(void)ctx;
	(void)txid;
	if (cbt == GETDNS_CALLBACK_CANCEL) {
		getdns_dict_destroy(resp);
		return;
	}
	q->inflight = false;
	if (q->in_general) {
		q->answered = true;
		q->early_cbt = cbt;
		q->early = resp;
		return;
	}
	tlsa_finish(q, cbt, resp);
}

void *
hecat__getdns_tlsa(void *rarg, const char *name, hecat__tlsa_cb done,
    void *arg)
{
	struct gresolver *r = rarg;
	struct tquery *q;
	getdns_return_t rc;

	if (!r->dnssec) {
		errno = ENOTSUP;
		return NULL;
	}
	if (context_up(r) == -1 || (q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->r = r;
	q->done = done;
	q->arg = arg;
	q->inflight = q->in_general = true;
	rc = getdns_general(r->ctx, name, GETDNS_RRTYPE_TLSA, r->ext, q,
	    &q->txid, tlsa_answer_cb);
	q->in_general = false;
	if (rc != GETDNS_RETURN_GOOD) {
		free(q);
		errno = EINVAL;
		return NULL;
	}
	if (q->answered) {
		tlsa_finish(q, q->early_cbt, q->early);
		return &answered_already;
	}
	return q;
}

void
hecat__getdns_tlsa_cancel(void *rarg, void *query)
{
	struct tquery *q = query;

	(void)rarg;
	if (query == NULL || query == &answered_already)
		return;
	if (q->inflight)
		getdns_cancel_callback(q->r->ctx, q->txid);
	free(q);
}

/* ---- setup -------------------------------------------------------------------- */

/*
 * "ADDR[:PORT] ..." (spaces or commas) into r->rc's name servers; with
 * tls, "ADDR[:PORT]#NAME ...", port 853 by default.
 */
static int
parse_nameservers(struct gresolver *r, const char *spec, bool tls)
{
	const char *why;
	int n;

	if ((n = hecat__nameservers_parse(spec, tls, r->rc.ns, r->tls_name,
	    HECAT__RESOLV_MAXNS, &why)) == -1) {
		errno = EINVAL;
		return -1;
	}
	r->rc.nns = (size_t)n;
	return 0;
}

static int
set_upstreams(struct gresolver *r)
{
	getdns_list *list;
	getdns_dict *d;
	getdns_bindata type, data, name;
	uint8_t tbuf[4], abuf[16];
	getdns_return_t rc = GETDNS_RETURN_GOOD;
	size_t i;

	if ((list = getdns_list_create()) == NULL)
		return -1;
	for (i = 0; i < r->rc.nns && rc == GETDNS_RETURN_GOOD; i++) {
		const struct hecat__nameserver *ns = &r->rc.ns[i];
		bool v6 = ns->ip.family == AF_INET6;

		if ((d = getdns_dict_create()) == NULL) {
			rc = GETDNS_RETURN_MEMORY_ERROR;
			break;
		}
		memcpy(tbuf, v6 ? "IPv6" : "IPv4", 4);
		memcpy(abuf, ns->ip.a, 16);
		type.data = tbuf;
		type.size = 4;
		data.data = abuf;
		data.size = v6 ? 16 : 4;
		rc = getdns_dict_set_bindata(d, "address_type", &type);
		if (rc == GETDNS_RETURN_GOOD)
			rc = getdns_dict_set_bindata(d, "address_data", &data);
		if (rc == GETDNS_RETURN_GOOD)
			rc = getdns_dict_set_int(d, r->tls ? "tls_port" : "port",
			    ns->port);
		if (rc == GETDNS_RETURN_GOOD && r->tls &&
		    r->tls_name[i][0] != '\0') {
			name.data = (uint8_t *)r->tls_name[i];
			name.size = strlen(r->tls_name[i]);
			rc = getdns_dict_set_bindata(d, "tls_auth_name", &name);
		}
		if (rc == GETDNS_RETURN_GOOD)
			rc = getdns_list_set_dict(list, i, d);
		getdns_dict_destroy(d);
	}
	if (rc == GETDNS_RETURN_GOOD)
		rc = getdns_context_set_upstream_recursive_servers(r->ctx, list);
	getdns_list_destroy(list);
	return rc == GETDNS_RETURN_GOOD ? 0 : -1;
}

void *
hecat__getdns_new(struct event_base *base, const struct hecat_config *cfg)
{
	struct gresolver *r;
	const char *path;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->base = base;
	/* An unreadable resolv.conf means the defaults, as for glibc. */
	path = cfg->resolv_conf != NULL ? cfg->resolv_conf : "/etc/resolv.conf";
	(void)hecat__resolvconf_load(&r->rc, path);
	if (cfg->nameservers != NULL && parse_nameservers(r, cfg->nameservers,
	    false) == -1)
		goto fail;
	if (cfg->dns_tls != NULL) {
		r->tls = true;
		if (parse_nameservers(r, cfg->dns_tls, true) == -1)
			goto fail;
	}
	path = cfg->hosts != NULL ? cfg->hosts : "/etc/hosts";
	if (*path != '\0' && (r->hosts_path = strdup(path)) == NULL)
		goto fail;
	r->dnssec = cfg->dnssec != 0;
	r->recursive = cfg->recursive != 0;
	/* The system's anchor, when there is one: getdns would otherwise
	   look for its own, and might try to fetch one. */
	path = cfg->trust_anchor;
	if (path == NULL && r->dnssec && access(SYSTEM_ANCHOR, R_OK) == 0)
		path = SYSTEM_ANCHOR;
	/* The files are read at the first query; fail now if we cannot. */
	if ((path != NULL && (access(path, R_OK) == -1 ||
	    (r->trust_anchor = strdup(path)) == NULL)) ||
	    (cfg->dns_tls_ca != NULL && (access(cfg->dns_tls_ca, R_OK) == -1 ||
	    (r->tls_ca = strdup(cfg->dns_tls_ca)) == NULL)) ||
	    (cfg->root_hints != NULL && (access(cfg->root_hints, R_OK) == -1 ||
	    (r->root_hints = strdup(cfg->root_hints)) == NULL)))
		goto fail;
	return r;
fail:
	gr_free(r);
	return NULL;
}

/*
 * The records of a zone file (trust anchors, root hints) as a list of
 * getdns rr_dicts; NULL when it cannot be read or holds none.
 */
static getdns_list *
zone_file_records(const char *path)
{
	getdns_list *list = NULL;
	size_t n = 0;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	if (getdns_fp2rr_list(fp, &list, NULL, 3600) != GETDNS_RETURN_GOOD ||
	    getdns_list_get_length(list, &n) != GETDNS_RETURN_GOOD || n == 0) {
		if (list != NULL)
			getdns_list_destroy(list);
		list = NULL;
	}
	fclose(fp);
	return list;
}

/* Install the records of path with set(); 0 or -1. */
static int
set_from_zone_file(getdns_context *ctx, const char *path,
    getdns_return_t (*set)(getdns_context *, getdns_list *))
{
	getdns_list *list;
	getdns_return_t rc;

	if ((list = zone_file_records(path)) == NULL)
		return -1;
	rc = set(ctx, list);
	getdns_list_destroy(list);
	return rc == GETDNS_RETURN_GOOD ? 0 : -1;
}

/* Note why getdns could not be set up (the first reason); returns -1. */
static int
setup_failed(struct gresolver *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
setup_failed(struct gresolver *r, const char *fmt, ...)
{
	va_list ap;

	if (r->failure[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(r->failure, sizeof(r->failure), fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* DNSSEC, TLS and recursion, as configured; 0 or -1. */
static int
secure_setup(struct gresolver *r)
{
	getdns_transport_list_t tls = GETDNS_TRANSPORT_TLS;

	if (r->tls && (getdns_context_set_dns_transport_list(r->ctx, 1, &tls) !=
	    GETDNS_RETURN_GOOD ||
	    getdns_context_set_tls_authentication(r->ctx,
	    GETDNS_AUTHENTICATION_REQUIRED) != GETDNS_RETURN_GOOD ||
	    (r->tls_ca != NULL && getdns_context_set_tls_ca_file(r->ctx,
	    r->tls_ca) != GETDNS_RETURN_GOOD)))
		return setup_failed(r, "getdns: cannot set up DNS over TLS");
	if (r->recursive && r->root_hints != NULL &&
	    set_from_zone_file(r->ctx, r->root_hints,
	    getdns_context_set_dns_root_servers) == -1)
		return setup_failed(r, "root hints '%s': no usable record",
		    r->root_hints);
	if (!r->dnssec)
		return 0;
	/*
	 * An empty CA for the anchors' signature turns off getdns's
	 * fetching of the root anchors from the web: libhecat sends no
	 * traffic but the queries asked for.
	 */
	if (getdns_context_set_trust_anchors_verify_CA(r->ctx, "") !=
	    GETDNS_RETURN_GOOD ||
	    (r->trust_anchor != NULL && set_from_zone_file(r->ctx,
	    r->trust_anchor, getdns_context_set_dnssec_trust_anchors) == -1))
		return setup_failed(r, "trust anchor '%s': no usable DS or "
		    "DNSKEY record", r->trust_anchor != NULL ? r->trust_anchor :
		    "(built in)");
	/* All statuses: a bogus reply is kept, so that we can say so. */
	if ((r->ext = getdns_dict_create()) == NULL ||
	    getdns_dict_set_int(r->ext, "dnssec_return_status",
	    GETDNS_EXTENSION_TRUE) != GETDNS_RETURN_GOOD ||
	    getdns_dict_set_int(r->ext, "dnssec_return_all_statuses",
	    GETDNS_EXTENSION_TRUE) != GETDNS_RETURN_GOOD)
		return setup_failed(r, "getdns: cannot set up DNSSEC");
	return 0;
}

/*
 * The getdns context, made at the first query: dials of literals and of
 * hosts-file names never pay for it.  Returns 0 or -1.
 */
static int
context_up(struct gresolver *r)
{
	uint64_t t0, t1;

	if (r->ctx != NULL)
		return 0;
	t0 = hecat__now();
	if (hecat__getdns_load() == -1)
		return setup_failed(r, "cannot load getdns: %s",
		    hecat__getdns_error());
	t1 = hecat__now();
	/* Not from the OS: we read resolv.conf ourselves (search, ndots). */
	if (getdns_context_create(&r->ctx, 0) != GETDNS_RETURN_GOOD) {
		r->ctx = NULL;
		return setup_failed(r, "getdns: cannot create a context");
	}
	/*
	 * Recursion talks to every server on the way down: the adapter
	 * cannot know them, so it checks no sources (getdns's recursion,
	 * libunbound, checks its answers itself).
	 */
	if ((r->loop = hecat__getdns_loop_attach(r->ctx, r->base,
	    r->recursive ? NULL : &r->rc)) == NULL ||
	    getdns_context_set_resolution_type(r->ctx, r->recursive ?
	    GETDNS_RESOLUTION_RECURSING : GETDNS_RESOLUTION_STUB) !=
	    GETDNS_RETURN_GOOD ||
	    getdns_context_set_append_name(r->ctx, GETDNS_APPEND_NAME_NEVER) !=
	    GETDNS_RETURN_GOOD ||
	    getdns_context_set_timeout(r->ctx, (uint64_t)r->rc.timeout * 1000 *
	    r->rc.attempts) != GETDNS_RETURN_GOOD ||
	    (!r->recursive && set_upstreams(r) == -1) ||
	    secure_setup(r) == -1) {
		setup_failed(r, "getdns: cannot set up its context");
		getdns_context_destroy(r->ctx);
		r->ctx = NULL;
		hecat__getdns_loop_free(r->loop);
		r->loop = NULL;
		if (r->ext != NULL)
			getdns_dict_destroy(r->ext);
		r->ext = NULL;
		return -1;
	}
	/* Timed for the trace (HECAT_TRACE_RESOLVER). */
	r->made = true;
	r->load_ns = t1 - t0;
	r->setup_ns = hecat__now() - t1;
	return 0;
}
