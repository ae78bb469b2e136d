/*
 * relay_tls_fx.h - what check_relay_tls.c's tests stand on, beyond the
 * relay's common ground (relay_fx.h): data streams made and checked a
 * block at a time, a TLS 1.3 handshake done in-process (a self-signed
 * server made at run time), the fixture over TLS, and the server's side
 * of it.
 */
#ifndef RELAY_TLS_FX_H
#define RELAY_TLS_FX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "relay.h"
#include "relay_fx.h"

#define BLOCK		(64 * 1024)	/* the data streams' generator */

struct stream {
	uint64_t	 seed;
	unsigned char	 blk[BLOCK];
	size_t		 pos;		/* bytes of blk used */
	uint64_t	 done;
};

enum srv_end { SRV_MORE, SRV_NOTIFY, SRV_ERROR, SRV_TIMEOUT };

void	stream_init(struct stream *s, uint64_t seed);
size_t	stream_next(struct stream *s, const unsigned char **p, size_t n);
void	stream_skip(struct stream *s, size_t n);
bool	stream_check(struct stream *s, const unsigned char *data, size_t len);
SSL_CTX	*server_ctx(void);
bool	hs_step(SSL *s, bool client, short *ev);
void	handshake(SSL *c, int cfd, SSL *s, int sfd);
void	tls_fx_init(struct fx *fx, int bufsz, bool read_ahead);
short	srv_want(SSL *s, int rc, int *err);
void	srv_put(struct fx *fx, const void *buf, size_t len);
enum srv_end	srv_get(struct fx *fx, char *buf, size_t cap, int ms,
	    size_t *got);
void	srv_expect_tcp_eof(struct fx *fx);
void	srv_close_notify(struct fx *fx);

#define SRV_PUTS(fx, s)	srv_put((fx), (s), strlen(s))

#endif /* RELAY_TLS_FX_H */
