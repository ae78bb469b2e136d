/*
 * engine_script.h - drive the engine with a script in virtual time.
 *
 * A script is one line per step, each starting with a time in ms:
 *
 *   % KEY VALUE                configuration, before "start":
 *                              rd cad cad-min cad-max attempt-timeout
 *                              deadline
 *                              resolve-timeout (ms), retries fafc inflight
 *                              max-addrs (counts), family prefer (4|6),
 *                              notes on (match rd-wait and order notes)
 *   T start host PORT...       a dial to a name
 *   T start ip EP...           a dial to endpoints: 192.0.2.1:80, [::1]:80
 *   T answer inet6|inet ADDR...      positive answer
 *   T answer inet6|inet nodata|nxdomain|servfail|timeout|error
 *   T ok ID | T fail ID ERRNAME      attempt results
 *   T abort                    the caller cancels
 *   T > ACTION                 the next action, emitted at exactly T
 *   T quiet                    nothing happens up to T
 *   ? deadline T|never         next_deadline() now
 *   ? ADDR attempts=N failures=N error=ERRNAME|none
 *   ? order ADDR...            the planned order now
 *
 * Addresses may carry their source after '@' ("2001:db8::1@-" has none,
 * "2001:db8::1@2001:db8::99" that one); by default the source is the
 * address itself.  Then what connection history says of them, after '~':
 * "~rtt=30" (ms: the RTT sort rule), "~rto=60" (ms: the attempt delay
 * after it), "~failed" (moved back): "[2001:db8::1]:80~failed~rto=40".  Before an event at T, timers up to T fire; every action
 * they or earlier events emitted must have been matched by "> ACTION"
 * lines.  Actions print as:
 *
 *   query inet6 [try=N]   query-cancel inet   rd-wait inet6 50ms
 *   order ADDR...         attempt ID ADDR:PORT first|delay|failed|answer
 *   cancel ID lost|timeout|deadline|abort
 *   done ok ID ADDR:PORT  done nohost|noaddr|dns|connect|timeout|cancelled
 */
#ifndef ENGINE_SCRIPT_H
#define ENGINE_SCRIPT_H

#include "engine.h"

struct script;

/* Run a script; a mismatch fails the current check test with the line. */
struct script	*script_run(const char *name, const char *text);
struct hecat__engine *script_engine(struct script *);
void		 script_free(struct script *);

/* Run a script and free it. */
#define RUN(text)	script_free(script_run(__func__, (text)))

/* errno names used in scripts, and back. */
int		 script_errno(const char *);
const char	*script_errname(int);

#endif /* ENGINE_SCRIPT_H */
