/*
 * hecat.h - libhecat, a Happy Eyeballs (RFC 8305) dialer on libevent.
 *
 * This is the installed header.  It includes no libevent or getdns header;
 * the types it needs from them are declared opaque.
 */
#ifndef HECAT_H
#define HECAT_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Error codes.  Every libhecat function that can fail returns one of these
 * (0 or negative); hecat_strerror() describes them.
 */
enum hecat_err {
	HECAT_OK = 0,
	HECAT_E_NOHOST = -1,	/* the name does not exist or has no address */
	HECAT_E_NOADDR = -2,	/* no address of the allowed family */
	HECAT_E_DNS = -3,	/* resolution failed (SERVFAIL, timeout, ...) */
	HECAT_E_CONNECT = -4,	/* every attempt failed */
	HECAT_E_TIMEOUT = -5,	/* the dial's deadline passed */
	HECAT_E_CANCELLED = -6,	/* the dial was cancelled */
	HECAT_E_SYSTEM = -7,	/* out of memory, descriptors, ...; see errno */
	HECAT_E_INVAL = -8	/* invalid argument */
};

/*
 * The outcome of one DNS query, as a resolver reports it.  NODATA (the
 * name exists, without records of that type) and NXDOMAIN are final;
 * SERVFAIL, TIMEOUT and ERROR are transient and may be retried.
 */
enum hecat_dns_status {
	HECAT_DNS_OK = 0,	/* one or more addresses */
	HECAT_DNS_NODATA,	/* no record of that type */
	HECAT_DNS_NXDOMAIN,	/* the name does not exist */
	HECAT_DNS_SERVFAIL,	/* the server failed */
	HECAT_DNS_TIMEOUT,	/* no answer in time */
	HECAT_DNS_ERROR		/* anything else: network, malformed reply */
};

/* The library's version, e.g. "0.1.0". */
const char	*hecat_version(void);

/* A static, human-readable description of an enum hecat_err value. */
const char	*hecat_strerror(int err);

/* A static name for an enum hecat_dns_status value, e.g. "NXDOMAIN". */
const char	*hecat_dns_status_name(int status);

#ifdef __cplusplus
}
#endif

#endif /* HECAT_H */
