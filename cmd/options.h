/*
 * options.h - hecat's command line, parsed and checked into one struct.
 */
#ifndef HECAT_OPTIONS_H
#define HECAT_OPTIONS_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hecat.h"

#define OPT_NONE	(-1)		/* a duration not given or "never" */

struct options {
	/* What to dial. */
	const char	*host;
	uint16_t	*ports;			/* [nports], allocated */
	size_t		 nports;
	bool		 host_numeric;		/* host is an address literal */
	bool		 numeric;		/* -n */

	/*
	 * How: the library's own structs, filled in here.  dial.timeout_ms
	 * 0 is no deadline; dial.source points at source (-s).  cfg has the
	 * DNS options; connect.c adds the history file.
	 */
	struct hecat_opts	 dial;
	struct hecat_config	 cfg;
	struct sockaddr_storage	 source;
	char		*dns_tls;		/* cfg.dns_tls: each --dns-tls,
						   space-separated; allocated */
	bool		 attempt_delay_clamped;

	/* The proxy (options_proxy.c); dial.proxy_* point here. */
	char		*proxy_host;		/* allocated */
	char		*proxy_user;		/* allocated */
	char		*proxy_password;	/* allocated; zeroed when freed */
	const char	*proxy_password_file;
	int		 proxy_resolve;		/* --proxy-resolve */
	bool		 proxy_resolve_set;
	bool		 proxy_letters;		/* -x or -X */
	bool		 proxy_url;		/* --proxy */
	bool		 race_proxy;		/* --race-until proxy */
	bool		 race_set;		/* --race-until given */

	/* What then. */
	bool		 zero;			/* -z */
	bool		 fdpass;		/* -F */
	bool		 no_stdin;		/* -d, --recv-only */
	bool		 send_only;		/* --send-only */
	bool		 no_shutdown;		/* --no-shutdown */
	long		 quit_ms;		/* -q; OPT_NONE: never */
	long		 idle_timeout_ms;	/* OPT_NONE: none */

	/* Output. */
	int		 verbose;		/* -v count */
	bool		 waterfall;		/* --waterfall, or -vvv */
	const char	*trace_path;		/* --trace */
	const char	*qlog_path;		/* --qlog */
	bool		 help;
	bool		 version;
};

/*
 * Parse argv into opts.  Returns 0, or -1 with a one-line reason (naming
 * the option or operand at fault) in err.  --help and --version set their
 * flags and skip the checks of operands.
 */
int	options_parse(struct options *opts, int argc, char *argv[],
	    char *err, size_t errlen);
void	options_free(struct options *opts);

/*
 * options_proxy.c: -X, -x and --proxy as they come; then, once every
 * option is in, the proxy's settings checked and its password fetched.
 * Each returns 0, or -1 with a one-line reason in err.
 */
int	options_proxy_type(struct options *, const char *arg, char *err,
	    size_t errlen);
int	options_proxy_addr(struct options *, const char *arg, char *err,
	    size_t errlen);
int	options_proxy_url(struct options *, const char *url, char *err,
	    size_t errlen);
int	options_proxy_check(struct options *, char *err, size_t errlen);
/* A one-line reason into err, formatted; returns -1. */
int	options_fail(char *err, size_t errlen, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* options_tls.c: --tls and its options, checked once every option is in. */
int	options_tls_check(struct options *, char *err, size_t errlen);

/* The usage text for --help. */
const char *options_usage(void);

/*
 * Parse a duration: decimal seconds with an optional ms, s or m suffix
 * ("2", "2.5", "150ms", "1m").  negative_ok admits a leading '-' (then
 * the result is OPT_NONE, "never").  Returns 0 or -1.
 */
int	parse_duration(const char *s, bool negative_ok, long *ms);

#endif /* HECAT_OPTIONS_H */
