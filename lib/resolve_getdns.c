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
 */
#include "config.h"

#include <sys/stat.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "dnsreply.h"
#include "getdns_dl.h"
#include "hosts.h"
#include "internal.h"
#include "resolvconf.h"

#define MAXANSWER	64	/* addresses taken from one answer */
#define MAXCAND		(HECAT__RESOLV_MAXSEARCH + 1)

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
query_finish(struct gquery *q, int status,
    const struct sockaddr_storage *addrs, size_t n)
{
	hecat_resolve_cb done = q->done;
	void *arg = q->arg;

	free(q);
	done(status, addrs, n, arg);
}

static void
getdns_answer_cb(getdns_context *ctx, getdns_callback_type_t cbt,
    getdns_dict *resp, void *userarg, getdns_transaction_t txid)
{
	struct gquery *q = userarg;
	struct sockaddr_storage addrs[MAXANSWER];
	size_t n;
	int st;

	(void)ctx;
	(void)txid;
	if (cbt == GETDNS_CALLBACK_CANCEL) {
		/* From getdns_cancel_callback(): the query is gone. */
		getdns_dict_destroy(resp);
		return;
	}
	q->inflight = false;
	st = hecat__dns_response_status(cbt, resp, q->family, addrs, MAXANSWER, &n);
	getdns_dict_destroy(resp);
	if (q->in_general) {
		/* Called back from inside getdns_general(): let it finish. */
		q->early = true;
		q->early_status = st;
		q->nearly = n;
		memcpy(q->early_addrs, addrs, n * sizeof(addrs[0]));
		return;
	}
	if (st == HECAT_DNS_NXDOMAIN && q->cur + 1 < q->ncand) {
		q->cur++;
		query_next(q);
		return;
	}
	query_finish(q, st, addrs, n);
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
		    GETDNS_RRTYPE_A, NULL, q, &q->txid, getdns_answer_cb);
		q->in_general = false;
		if (rc != GETDNS_RETURN_GOOD) {
			query_finish(q, rc == GETDNS_RETURN_BAD_DOMAIN_NAME ?
			    HECAT_DNS_NXDOMAIN : HECAT_DNS_ERROR, NULL, 0);
			return false;
		}
		if (!q->early)
			return true;
		if (q->early_status != HECAT_DNS_NXDOMAIN ||
		    q->cur + 1 == q->ncand) {
			query_finish(q, q->early_status, q->early_addrs,
			    q->nearly);
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
	query_finish(q, n > 0 ? HECAT_DNS_OK : HECAT_DNS_NODATA, addrs,
	    (size_t)n);
	return true;
}

static void *
gr_start(void *rarg, int family, const char *host, hecat_resolve_cb done,
    void *done_arg)
{
	struct gresolver *r = rarg;
	struct gquery *q;

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
		query_finish(q, HECAT_DNS_NXDOMAIN, NULL, 0);
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
	hecat__getdns_loop_free(r->loop);
	hecat__hosts_free(r->hosts);
	free(r->hosts_path);
	free(r);
}

const struct hecat_resolver hecat__getdns_resolver = {
	gr_start,
	gr_cancel,
	gr_free,
};

/* ---- setup -------------------------------------------------------------------- */

/* "ADDR[:PORT] ..." (spaces or commas) into r->rc's name servers. */
static int
parse_nameservers(struct gresolver *r, const char *spec)
{
	char buf[1024], *tok, *save;

	if (strlen(spec) >= sizeof(buf)) {
		errno = EINVAL;
		return -1;
	}
	strcpy(buf, spec);
	r->rc.nns = 0;
	for (tok = strtok_r(buf, " ,\t", &save); tok != NULL;
	    tok = strtok_r(NULL, " ,\t", &save)) {
		if (r->rc.nns == HECAT__RESOLV_MAXNS)
			break;
		if (hecat__nameserver_parse(&r->rc.ns[r->rc.nns], tok) == -1)
			return -1;
		r->rc.nns++;
	}
	if (r->rc.nns == 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static int
set_upstreams(struct gresolver *r)
{
	getdns_list *list;
	getdns_dict *d;
	getdns_bindata type, data;
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
			rc = getdns_dict_set_int(d, "port", ns->port);
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
	if (cfg->nameservers != NULL && parse_nameservers(r, cfg->nameservers) ==
	    -1)
		goto fail;
	path = cfg->hosts != NULL ? cfg->hosts : "/etc/hosts";
	if (*path != '\0' && (r->hosts_path = strdup(path)) == NULL)
		goto fail;
	return r;
fail:
	gr_free(r);
	return NULL;
}

/*
 * The getdns context, made at the first query: dials of literals and of
 * hosts-file names never pay for it.  Returns 0 or -1.
 */
static int
context_up(struct gresolver *r)
{
	if (r->ctx != NULL)
		return 0;
	if (hecat__getdns_load() == -1)
		return -1;
	/* Not from the OS: we read resolv.conf ourselves (search, ndots). */
	if (getdns_context_create(&r->ctx, 0) != GETDNS_RETURN_GOOD) {
		r->ctx = NULL;
		return -1;
	}
	if ((r->loop = hecat__getdns_loop_attach(r->ctx, r->base, &r->rc)) ==
	    NULL ||
	    getdns_context_set_resolution_type(r->ctx,
	    GETDNS_RESOLUTION_STUB) != GETDNS_RETURN_GOOD ||
	    getdns_context_set_append_name(r->ctx, GETDNS_APPEND_NAME_NEVER) !=
	    GETDNS_RETURN_GOOD ||
	    getdns_context_set_timeout(r->ctx, (uint64_t)r->rc.timeout * 1000 *
	    r->rc.attempts) != GETDNS_RETURN_GOOD ||
	    set_upstreams(r) == -1) {
		getdns_context_destroy(r->ctx);
		r->ctx = NULL;
		hecat__getdns_loop_free(r->loop);
		r->loop = NULL;
		return -1;
	}
	return 0;
}
