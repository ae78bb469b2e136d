/*
 * clock.c - the library's clock (clock.h), and hecat_clock_ns().
 */
#include "config.h"

#include <sys/time.h>

#include <time.h>

#include <event2/event.h>

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

int
hecat__event_add_ns(struct event *ev, uint64_t ns)
{
	uint64_t us = (ns + 999) / 1000;
	struct timeval tv;

	tv.tv_sec = (time_t)(us / 1000000);
	tv.tv_usec = (suseconds_t)(us % 1000000);
	event_base_update_cache_time(event_get_base(ev));
	return event_add(ev, &tv);
}

uint64_t
hecat_clock_ns(void)
{
	return hecat__now();
}
