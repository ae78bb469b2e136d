/*
 * tcp.h - the TCP side of an attempt beyond its connect stage: what the
 * kernel measured, and the source address it would use (RFC 6724).
 */
#ifndef HECAT_TCP_H
#define HECAT_TCP_H

#include <sys/socket.h>

#include <stdint.h>

#include "ip.h"

/* The handshake's round trip as the kernel measured it (us); 0: none. */
uint32_t	hecat__tcp_rtt_us(int fd);

/*
 * The source address the kernel would use for dst (RFC 6724 Source(D)):
 * a UDP connect() on a fresh socket, bound to source's address if not
 * NULL, as the attempts are.  No packet is sent.  Leaves src zeroed
 * (unusable, RFC 6724 Rule 1) when there is none.
 */
void		hecat__tcp_probe_source(const struct hecat__ip *dst,
		    uint16_t port, const struct sockaddr *source,
		    struct hecat__ip *src);

#endif /* HECAT_TCP_H */
