/*
 * relay_tls_fx.h - what check_relay_tls.c's tests stand on: data streams
 * made and checked a block at a time, loopback TCP pairs, a TLS 1.3
 * handshake done in-process (a self-signed server made at run time), the
 * relay run in a thread, the fixture, and the server's side of it.
 */
#ifndef RELAY_TLS_FX_H
#define RELAY_TLS_FX_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "relay.h"

#define SLOW		tu_slowdown()
#define BLOCK		(64 * 1024)	/* the data streams' generator */

struct stream {
	uint64_t	 seed;
	unsigned char	 blk[BLOCK];
	size_t		 pos;		/* bytes of blk used */
	uint64_t	 done;
};

#define MAXEV	32

struct run {
	pthread_t		 th;
	bool			 started;
	int			 sock, in, out;
	struct relay_opts	 o;
	struct relay_result	 res;
	int			 status;
	double			 t_end;
	int			 done[2];	/* readable after relay() */
	int			 abort[2];	/* the default sigfd */
	enum relay_event	 ev[MAXEV];
	char			 detail[MAXEV][200];
	size_t			 nev;
};

struct fx {
	int		 sock, peer;	/* TCP: the relay's, the server's */
	SSL_CTX		*cctx, *sctx;
	SSL		*c, *s;		/* the relay's SSL, the server's */
	int		 in, in_w;	/* stdin: the relay's, the test's */
	int		 out, out_r;	/* stdout: the relay's, the test's */
	int		 nfds;
	struct run	 rn;
};

enum srv_end { SRV_MORE, SRV_NOTIFY, SRV_ERROR, SRV_TIMEOUT };

void	stream_init(struct stream *s, uint64_t seed);
size_t	stream_next(struct stream *s, const unsigned char **p, size_t n);
void	stream_skip(struct stream *s, size_t n);
bool	stream_check(struct stream *s, const unsigned char *data, size_t len);
void	set_nonblock(int fd);
void	xclose(int *fd);
void	tcp_pair(int *a, int *b, int bufsz);
bool	wait_fd(int fd, short events, int ms);
void	put(int fd, const void *s, size_t len);
size_t	get(int fd, char *buf, size_t cap, int ms, bool *eof);
SSL_CTX	*server_ctx(void);
bool	hs_step(SSL *s, bool client, short *ev);
void	handshake(SSL *c, int cfd, SSL *s, int sfd);
void	record(enum relay_event ev, const char *detail, void *arg);
void	*run_main(void *arg);
void	run_start(struct run *rn);
bool	run_wait(struct run *rn, int ms);
void	fake_signal(struct run *rn, int sig);
void	run_end(struct run *rn, int ms);
int	ev_index(const struct run *rn, enum relay_event ev);
const char *ev_detail(const struct run *rn, enum relay_event ev);
double	run_cpu_ms(const struct run *rn);
void	assert_waits_quietly(struct run *rn);
void	make_pipe(bool relay_reads, int *relay_end, int *t);
int	temp_fd(int flags, int *rfd);
void	fx_init(struct fx *fx, int bufsz, bool read_ahead);
void	fx_files(struct fx *fx, bool in, bool out);
void	fx_free(struct fx *fx);
short	srv_want(SSL *s, int rc, int *err);
void	srv_put(struct fx *fx, const void *buf, size_t len);
enum srv_end	srv_get(struct fx *fx, char *buf, size_t cap, int ms, size_t *got);
void	srv_expect_tcp_eof(struct fx *fx);
void	srv_close_notify(struct fx *fx);

#define HAS(rn, e)	(ev_index((rn), (e)) != -1)
#define SRV_PUTS(fx, s)	srv_put((fx), (s), strlen(s))

#endif /* RELAY_TLS_FX_H */
