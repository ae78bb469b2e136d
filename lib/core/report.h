/*
 * report.h - the end of a dial in words: the one ledger of failed
 * attempts, and what is built from it (the one-line message naming each
 * address tried and its reason, and the result's per-address failures).
 *
 * Pure: it reads the engine's addresses and queries, nothing else.
 */
#ifndef HECAT_REPORT_H
#define HECAT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "hecat.h"
#include "ip.h"

#define HECAT__REPORT_MAXLOG	64	/* failed attempts a message names */
#define HECAT__DETAILLEN	96

/* One failed attempt. */
struct hecat__fail {
	struct hecat__ip	ip;		/* dialed */
	struct hecat__ip	orig;		/* NAT64: the IPv4 address ip
						   stands for; family 0 if none */
	uint16_t		port;
	int			stage;		/* enum hecat_stage */
	int			error;		/* errno; ETIMEDOUT: timed out */
	char			detail[HECAT__DETAILLEN]; /* a stage's words */
};

/* The ledger: the first HECAT__REPORT_MAXLOG failures, and their count. */
struct hecat__report {
	struct hecat__fail	*log;
	size_t			 nlog, cap;
	size_t			 nfailed;
};

/* Note a failed attempt (detail NULL or ""; kept as far as memory goes). */
void	hecat__report_fail(struct hecat__report *, const struct hecat__ip *,
	    const struct hecat__ip *orig, uint16_t port, int stage, int error,
	    const char *detail);
void	hecat__report_free(struct hecat__report *);

/* What a message says besides the failures. */
struct hecat__report_ctx {
	const char		*given;		/* the host as given */
	const char		*early;		/* why the dial ended before
						   its race (NULL: it ran);
						   HECAT_E_INVAL: the input */
	bool			 literal;	/* no DNS was asked */
	bool			 endpoints;	/* hecat_connect_ip(): the head
						   names the endpoints */
	const struct sockaddr_storage *eps;	/* those endpoints */
	size_t			 neps;
	const uint16_t		*ports;		/* the ports asked for */
	size_t			 nports;
	int			 family;	/* the options' */
	unsigned		 timeout_ms;
	const struct hecat__engine *e;		/* NULL: no engine */
	char			 via[HECAT__IP_FMTLEN + 300];
						/* "socks5 proxy host:port"
						   the dial went through; ""
						   for none */
	bool			 dns_proxy;	/* the queries were for the
						   proxy's name */
};

/*
 * The one-line message for a dial that ended with status (enum
 * hecat_err), in buf of len bytes (cut with "..." if it must be).
 */
void	hecat__report_message(const struct hecat__report *,
	    const struct hecat__report_ctx *, int status, char *buf,
	    size_t len);

/*
 * Every address the engine knows, in the order of its last plan, with
 * its attempts and its last failure (port: that failure's, else port0;
 * past the ledger's first failures, the engine's account).
 * Returns the count and the array in *out (free it), 0 and NULL when
 * there is none or no memory.
 */
size_t	hecat__report_failures(const struct hecat__report *,
	    const struct hecat__engine *, uint16_t port0,
	    struct hecat_failure **out);

/* "Connection refused", "timed out", "banner: closed before sending". */
void	hecat__report_reason(const struct hecat__fail *, char *buf,
	    size_t len);

#endif /* HECAT_REPORT_H */
