/*
 * options.h - hecat's command line, parsed and checked into one struct.
 */
#ifndef HECAT_OPTIONS_H
#define HECAT_OPTIONS_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OPT_NONE	(-1)		/* a duration not given or "never" */

struct options {
	/* What to dial. */
	const char	*host;
	uint16_t	*ports;			/* [nports], allocated */
	size_t		 nports;
	bool		 host_numeric;		/* host is an address literal */

	/* How: Happy Eyeballs (milliseconds), families, sources. */
	int		 family;		/* -4, -6: AF_INET, AF_INET6 */
	int		 prefer;		/* --prefer */
	bool		 numeric;		/* -n */
	unsigned	 resolution_delay_ms;
	unsigned	 attempt_delay_ms;	/* clamped to [10, 2000] */
	bool		 attempt_delay_clamped;
	unsigned	 attempt_timeout_ms;	/* 0: none */
	unsigned	 resolve_timeout_ms;	/* 0: none */
	unsigned	 resolve_retries;
	unsigned	 first_family_count;
	long		 connect_timeout_ms;	/* OPT_NONE: none */
	const char	*dns_server;		/* --dns-server */
	bool		 dnssec;		/* --dnssec */
	const char	*trust_anchor;		/* --trust-anchor */
	char		*dns_tls;		/* --dns-tls, each of them,
						   space-separated; allocated */
	const char	*dns_tls_ca;		/* --dns-tls-ca */
	bool		 recursive;		/* --recursive */
	const char	*root_hints;		/* --root-hints */
	bool		 has_source;		/* -s */
	struct sockaddr_storage source;
	socklen_t	 source_len;
	uint16_t	 source_port;		/* -p */
	const char	*nat64_prefix;		/* --nat64-prefix */
	bool		 no_nat64;		/* --no-nat64 */
	bool		 no_history;		/* --no-history */

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
	const char	*trace_path;		/* --trace */
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

/* The usage text for --help. */
const char *options_usage(void);

/*
 * Parse a duration: decimal seconds with an optional ms, s or m suffix
 * ("2", "2.5", "150ms", "1m").  negative_ok admits a leading '-' (then
 * the result is OPT_NONE, "never").  Returns 0 or -1.
 */
int	parse_duration(const char *s, bool negative_ok, long *ms);

#endif /* HECAT_OPTIONS_H */
