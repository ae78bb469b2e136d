/*
 * clock.c - the library's clock (clock.h), and hecat_clock_ns().
 */
#include "config.h"

#include <time.h>

#include "clock.h"
#include "hecat.h"

uint64_t
hecat__now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * UINT64_C(1000000000) +
	    (uint64_t)ts.tv_nsec;
}

uint64_t
hecat_clock_ns(void)
{
	return hecat__now();
}
