/*
 * tlsa.h - a TLSA record (RFC 6698): what DANE checks a server's
 * certificate against, as the resolver found it and the TLS stage uses it.
 */
#ifndef HECAT_TLSA_H
#define HECAT_TLSA_H

#include <stdint.h>

#define HECAT__TLSA_MAX		8	/* records kept per name */
#define HECAT__TLSA_MAXDATA	2048	/* a full certificate fits */

struct hecat__tlsa {
	uint8_t		usage;		/* 0 PKIX-TA ... 3 DANE-EE */
	uint8_t		selector;	/* 0 certificate, 1 its public key */
	uint8_t		mtype;		/* 0 exact, 1 SHA-256, 2 SHA-512 */
	uint16_t	len;
	uint8_t		data[HECAT__TLSA_MAXDATA];
};

#endif /* HECAT_TLSA_H */
