/*
 * check_main.h - the one main() of the check suites (check_main.c).  Each
 * tests/check_*.c defines check_def, its suite and what to do first.
 */
#ifndef CHECK_MAIN_H
#define CHECK_MAIN_H

#include <check.h>

struct check_def {
	Suite	*(*suite)(void);	/* the suite's tests */
	void	 (*before)(void);	/* NULL, or run once before them */
};

/* Defined by each suite's file. */
extern const struct check_def check_def;

/* A before hook: ignore SIGPIPE, as hecat does. */
void	check_ignore_sigpipe(void);

#endif /* CHECK_MAIN_H */
