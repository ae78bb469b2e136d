/*
 * clock.h - the library's one clock, CLOCK_MONOTONIC in nanoseconds: the
 * engine's time, the trace's t_ns, every timer's reference.
 */
#ifndef HECAT_CLOCK_H
#define HECAT_CLOCK_H

#include <stdint.h>

#include "engine.h"

uint64_t	hecat__now(void);

static inline uint64_t
hecat__ms(unsigned ms)
{
	return (uint64_t)ms * HECAT__NS_PER_MS;
}

#endif /* HECAT_CLOCK_H */
