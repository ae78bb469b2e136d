/*
 * relay_fx.h - the relay's test ground, shared by check_relay.c and
 * check_relay_tls.c: descriptors, loopback TCP pairs, a xorshift64*
 * generator, the relay run in a thread and what it reported, and the
 * fixture that holds them all.
 */
#ifndef RELAY_FX_H
#define RELAY_FX_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "relay.h"
#include "testutil.h"

#define SLOW		tu_slowdown()
#define MAXEV		32	/* events a run records */

/* relay() in a thread, with the events it reported. */
struct run {
	pthread_t		 th;
	bool			 started;
	int			 sock, in, out;
	struct relay_opts	 o;
	struct relay_result	 res;
	int			 status;
	double			 t_end;		/* when relay() returned */
	int			 done[2];	/* readable after relay() */
	int			 abort[2];	/* the default sigfd */
	enum relay_event	 ev[MAXEV];
	char			 detail[MAXEV][200];
	size_t			 nev;
	bool			 null_detail;	/* an event had none */
};

/*
 * The relay's descriptors and the test's other ends.  Over TLS (see
 * relay_tls_fx.c) the SSLs too; NULL without.
 */
struct fx {
	int		 sock, peer;	/* TCP: the relay's, the peer */
	SSL_CTX		*cctx, *sctx;
	SSL		*c, *s;		/* the relay's SSL, the server's */
	int		 in, in_w;	/* stdin: the relay's, the test's */
	int		 out, out_r;	/* stdout: the relay's, the test's */
	int		 nfds;		/* open before the fixture */
	struct run	 rn;
};

/* What stands at stdin's or stdout's other end. */
enum kind { K_PIPE, K_SOCKPAIR };

void	gen_fill(uint64_t *s, unsigned char *p, size_t n);
void	set_nonblock(int fd);
void	xclose(int *fd);
void	tcp_pair(int *a, int *b, int bufsz);
bool	wait_fd(int fd, short events, int ms);
void	put(int fd, const void *s, size_t len);
size_t	get(int fd, char *buf, size_t cap, int ms, bool *eof);
void	make_ends(enum kind k, bool relay_reads, int *relay_end, int *t);
int	temp_fd(int flags, int *rfd);
void	record(enum relay_event ev, const char *detail, void *arg);
void	run_init(struct run *rn, int sock, int in, int out);
void	run_start(struct run *rn);
bool	run_wait(struct run *rn, int ms);
void	fake_signal(struct run *rn, int sig);
void	run_end(struct run *rn, int ms);
int	ev_index(const struct run *rn, enum relay_event ev);
const char *ev_detail(const struct run *rn, enum relay_event ev);
void	ev_order(const struct run *rn, const enum relay_event *evs, size_t n);
double	run_cpu_ms(const struct run *rn);
void	assert_waits_quietly(struct run *rn);
void	fx_init(struct fx *fx, enum kind kin, enum kind kout, int bufsz);
void	fx_files(struct fx *fx, bool in, bool out);
void	fx_free(struct fx *fx);

#define PUTS(fd, s)	put((fd), (s), strlen(s))
#define HAS(rn, e)	(ev_index((rn), (e)) != -1)

#endif /* RELAY_FX_H */
