/*
 * history.h - connection history: what past dials on this network taught
 * about each address (RFC 8305 sections 4 and 5), the table the stores
 * keep it in and the history file's text (history.c, no I/O).  The
 * stores themselves are io/histstore.h's.
 */
#ifndef HECAT_HISTORY_H
#define HECAT_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hecat.h"
#include "ip.h"

#define HECAT__HIST_MAX		512		/* addresses a store keeps */
#define HECAT__HIST_FAIL_TTL	600		/* s a failure moves back */
#define HECAT__HIST_RTT_TTL	(7 * 86400)	/* s an RTT is believed */
#define HECAT__HIST_MAX_AGE	(30 * 86400)	/* s before it is dropped */
#define HECAT__HIST_FILE_MAX	(128 * 1024)	/* bytes of file read */

/* What a record means for a dial now (wall-clock seconds). */
struct hecat__hview {
	uint64_t	rtt;		/* ns; 0: unknown */
	uint64_t	rto;		/* ns: srtt + 4 rttvar (RFC 6298) */
	bool		failed;		/* failed or lost, recently */
	int64_t		age;		/* s since that failure */
};

void	hecat__hist_view(const struct hecat_hist *, int64_t now,
	    struct hecat__hview *);

/* Records of every network, as the stores keep them. */
struct hecat__hent {
	uint64_t		net;
	struct hecat__ip	ip;
	struct hecat_hist	h;
};

struct hecat__htab {
	struct hecat__hent	*v;
	size_t			 n, cap;
};

void	hecat__htab_clear(struct hecat__htab *);
/* The record of ip on net, or NULL. */
struct hecat__hent *hecat__htab_find(struct hecat__htab *, uint64_t net,
	    const struct hecat__ip *);
/* A store's lookup: fill recs[0..n) with what tab knows of them on net. */
void	hecat__htab_lookup(struct hecat__htab *, uint64_t net,
	    struct hecat_hist *recs, size_t n);
/* Fold outcomes in (new records as needed); -1 on ENOMEM. */
int	hecat__htab_apply(struct hecat__htab *, uint64_t net,
	    const struct hecat_hist_obs *, size_t n);
/*
 * Drop records untouched for HECAT__HIST_MAX_AGE, then the least
 * recently touched beyond HECAT__HIST_MAX.
 */
void	hecat__htab_prune(struct hecat__htab *, int64_t now);

/* An outcome on a network, kept until a store can write it. */
struct hecat__hobs {
	uint64_t		net;
	struct hecat_hist_obs	o;
};

/*
 * Fold those of obs[0..nobs) that are on net, in order, into the records
 * of recs[0..n) they concern: what a table would hold once they are
 * applied to it (the same addresses kept).
 */
void	hecat__hist_fold(struct hecat_hist *recs, size_t n, uint64_t net,
	    const struct hecat__hobs *obs, size_t nobs);

/*
 * The file format, version 1: a line "hecat-history 1", then one line
 * per record: "NET ADDR SRTT_US RTTVAR_US SUCCESSES FAILURES T_SUCCESS
 * T_FAILURE ERROR" (NET 16 hex digits, the rest decimal).  Parsing
 * replaces tab's contents; returns 0, or -1 when the text is not that
 * (another version, or corrupt): tab is then empty.
 */
int	hecat__htab_parse(struct hecat__htab *, const char *buf, size_t len);
/* The text of tab in that format (free it), or NULL on ENOMEM. */
char	*hecat__htab_format(const struct hecat__htab *, size_t *lenp);

#endif /* HECAT_HISTORY_H */
