/*
 * fuzz.h - what the fuzz targets share: the libFuzzer entry point, and a
 * check that makes libFuzzer (or the replay driver) report a broken
 * invariant as a crash, with the condition that failed.
 */
#ifndef HECAT_FUZZ_H
#define HECAT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Every target defines it; libFuzzer or tests/fuzz/replay.c call it. */
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void __attribute__((noreturn))
fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: invariant violated: %s\n", file, line, what);
	fflush(stderr);
	abort();
}

/* An invariant of the code under test: abort() when it does not hold. */
#define FUZZ_ASSERT(cond) do {						\
	if (!(cond))							\
		fuzz_fail(__FILE__, __LINE__, #cond);			\
} while (0)

#endif /* HECAT_FUZZ_H */
