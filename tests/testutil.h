/*
 * testutil.h - what the loopback suites share: listeners on port 0,
 * bounded event loops, descriptor and heap counts, a trace recorder.
 */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hecat.h"

struct event_base;

/* A base with a precise monotonic timer, as hecat's own command uses. */
struct event_base *tu_base(void);

/* Whether ::1 can be bound here (IPv6 cases skip when it cannot). */
bool		tu_have_ipv6(void);

/*
 * A TCP listener on addr ("127.0.0.1", "::1"; IPv6 with IPV6_V6ONLY) and
 * port (0: any).  Returns the descriptor, the port in *port.
 */
int		tu_listen(const char *addr, uint16_t port, uint16_t *out);

/*
 * A port with listeners on both 127.0.0.1 and ::1 (when want4/want6),
 * and none on the other: an address without a listener refuses at once.
 * Returns the port; the descriptors go to fd4 and fd6 (-1 when not made).
 */
uint16_t	tu_listen_pair(bool want4, bool want6, int *fd4, int *fd6);

/* Accept one pending connection on fd and close it; false if none. */
bool		tu_accept_close(int fd);

/* Run base until *flag turns true or ms pass; returns *flag. */
bool		tu_run_until(struct event_base *, const bool *flag,
		    unsigned ms);

/* Run base for ms, whatever happens. */
void		tu_run_for(struct event_base *, unsigned ms);

/* Open descriptors of this process, and heap bytes in use. */
int		tu_count_fds(void);
size_t		tu_heap_in_use(void);
const char	*tu_tcache_hint(void);

/*
 * Start tests/hecat-dnsd with rules (one per line) in a process of its
 * own; returns its port, its pid in *pid (kill and reap it with
 * tu_stop_process), or 0 if it did not start within 5 s.
 */
uint16_t	tu_spawn_dnsd(const char *rules, pid_t *pid);
void		tu_stop_process(pid_t);

/* Write text to a new temporary file; returns its path (free it). */
char		*tu_tempfile(const char *text);

/*
 * How much slower than normal this run may be: HECAT_TEST_SLOWDOWN (a
 * whole number, default 1; .ci/run sets 4 for the sanitizers, 20 for
 * valgrind).  Upper bounds of timing windows stretch with it, lower
 * bounds never do: tu_upper(lo, hi) is lo + (hi - lo) * tu_slowdown().
 */
int		tu_slowdown(void);
double		tu_upper(double lo, double hi);

/*
 * A timing window for check tests: v in [lo, tu_upper(lo, hi)] ms, or
 * the trace td is shown and the test fails.  (check.h included first.)
 */
#define ASSERT_BETWEEN(v, lo, hi, td) do {				\
	double v_ = (v), hi_ = tu_upper((lo), (hi));			\
	if (v_ < (lo) || v_ > hi_)					\
		tu_dump(td);						\
	ck_assert_msg(v_ >= (lo) && v_ <= hi_,				\
	    "%s = %.1f ms, not in [%d, %.0f]", #v, v_, (lo), hi_);	\
} while (0)

/* Milliseconds of CLOCK_MONOTONIC. */
double		tu_now_ms(void);

/* ---- dial results and traces ---------------------------------------------- */

#define TU_MAXEV	256

struct tu_event {
	enum hecat_trace_kind	kind;
	double			ms;		/* since the dial began */
	int			family;
	char			addr[80];	/* "[::1]:80", "127.0.0.1:80" */
	char			reason[24];	/* hecat_why_name() */
	int			result;		/* ATTEMPT_END */
	int			stage;
	char			detail[96];
	int			error;
	int			status;
	size_t			naddrs;
	unsigned		tries;		/* QUERY */
	int			shared;		/* QUERY */
};

struct tu_dial {
	bool			done;
	int			err;
	int			fd;
	char			addr[80];	/* the winner */
	int			family;
	char			message[1024];
	int			aaaa_status, a_status;
	unsigned		attempts;
	size_t			nfailures;
	int			errors[16];	/* failures' errno, in order */
	int			stages[16];	/* ... and the stage of each */
	void			*tls;		/* the winner's TLS session */
	double			elapsed_ms;
	struct tu_event		ev[TU_MAXEV];
	size_t			nev;
};

/* hecat_dial_cb and hecat_trace_cb that fill a struct tu_dial. */
void		tu_dial_cb(const struct hecat_result *, void *);
void		tu_trace_cb(const struct hecat_trace *, void *);

/* Options with tracing into td. */
void		tu_opts(struct hecat_opts *, struct tu_dial *);

/* The nth event of kind (from 0), or NULL. */
const struct tu_event *tu_find(const struct tu_dial *,
		    enum hecat_trace_kind, size_t nth);
size_t		tu_count(const struct tu_dial *, enum hecat_trace_kind);
/* The nth ATTEMPT_END event of result (enum hecat_attempt_result). */
const struct tu_event *tu_find_end(const struct tu_dial *, int result,
		    size_t nth);

/*
 * When (ms since the dial began) the nth event of kind for family
 * (AF_INET6, AF_INET; 0: any) came; fails the running check test, with
 * the trace, if there was none.  Timing windows take the difference of
 * two: a schedule is judged from the event that starts it (the first
 * query sent, the answer that came, the previous attempt), never from the
 * dial's start, which includes setting getdns up.
 */
double		tu_ms(const struct tu_dial *, enum hecat_trace_kind,
		    int family, size_t nth);
/* When the dial ended: its WINNER or DIAL_FAILED event (ms). */
double		tu_done_ms(const struct tu_dial *);

/* Print the trace to stderr (for a failing test's log). */
void		tu_dump(const struct tu_dial *);

/*
 * A library test's world: the in-process DNS server with rules
 * (NULL-terminated), a hosts file and a resolv.conf (NULL: empty) for the
 * built-in resolver, an instance using them, and listeners on 127.0.0.1
 * and ::1 (as asked) sharing a port.  tu_env_up() fails the running check
 * test on any error.
 */
struct tu_env {
	struct event_base	*base;
	struct dnsd		*dns;
	struct hecat		*h;
	char			 ns[64];
	char			*hosts;
	char			*resolv;
	uint16_t		 port;		/* the listener pair */
	int			 fd4, fd6;
};

void		tu_env_up(struct tu_env *, const char *const *rules,
		    const char *hosts, const char *resolv, bool listen4,
		    bool listen6);
void		tu_env_down(struct tu_env *);

#endif /* TESTUTIL_H */
