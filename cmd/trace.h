/*
 * trace.h - what hecat says on stderr and in its trace file:
 *
 *   -v      nc's lines: each failed attempt, "Connection to ... succeeded!"
 *           (with the family and time), and a closing byte/time summary;
 *   -vv     the Happy Eyeballs timeline, every line stamped "+12.3ms";
 *   --trace JSON Lines, schema version 1, the "summary" object last.
 *
 * stdout is never touched.  The formats are those of
 * ../shared/docs/ref/cli-conventions.md sections 6 and 7.
 */
#ifndef HECAT_TRACE_H
#define HECAT_TRACE_H

#include <stdint.h>

#include "hecat.h"
#include "options.h"
#include "relay.h"

struct out;

/*
 * Start the output for a run of opts (argv for the trace's "start"
 * object).  Returns NULL with a reason in err when the trace file cannot
 * be opened.
 */
struct out	*out_new(const struct options *opts, int argc, char *argv[],
		    char *err, size_t errlen);
void		 out_free(struct out *);

/* The libhecat trace callback (arg: the struct out). */
void		 out_dial_event(const struct hecat_trace *, void *arg);

/* The relay's event callback (arg: the struct out). */
void		 out_relay_event(enum relay_event, const char *detail,
		    void *arg);

/*
 * The dial's outcome: on failure the one line naming the host, the port
 * and every address's reason (always printed); on success nc's line (-v).
 */
void		 out_dial_result(struct out *, const struct hecat_result *);

/*
 * An error line, always printed: "hecat: ...", with control characters
 * and invalid UTF-8 escaped (\xNN), so that it stays one line.  The
 * struct out may be NULL.
 */
void		 out_error(struct out *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

/*
 * The end: the "done" line (-v) and the summary object (--trace).
 * outcome is one of "connected", "no_host", "all_failed", "timeout",
 * "usage", "io_error", "os_error", "no_permission".
 */
void		 out_summary(struct out *, int exit_status, const char *outcome,
		    const struct relay_result *);

#endif /* HECAT_TRACE_H */
