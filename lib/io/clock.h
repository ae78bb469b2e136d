/*
 * clock.h - the library's one clock, CLOCK_MONOTONIC in nanoseconds: the
 * engine's time, the trace's t_ns, every timer's reference.
 */
#ifndef HECAT_CLOCK_H
#define HECAT_CLOCK_H

#include <stdint.h>

#include "engine.h"

struct event;

uint64_t	hecat__now(void);

/*
 * Add ev (a timer, or a descriptor's event with a timeout) to time out ns
 * from now.  libevent counts a timeout from its loop's cached time, taken
 * before this turn's callbacks ran: on a loaded machine milliseconds ago,
 * and the event would fire that much early.  Returns event_add()'s.
 */
int		hecat__event_add_ns(struct event *ev, uint64_t ns);

static inline uint64_t
hecat__ms(unsigned ms)
{
	return (uint64_t)ms * HECAT__NS_PER_MS;
}

#endif /* HECAT_CLOCK_H */
