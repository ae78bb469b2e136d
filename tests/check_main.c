/*
 * check_main.c - main() for every check suite: runs the suite its file
 * defines (check_def) with the check library's environment (CK_RUN_SUITE,
 * CK_RUN_CASE, CK_FORK, CK_VERBOSITY, ...) and exits non-zero when a test
 * failed.
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>

#include "check_main.h"

void
check_ignore_sigpipe(void)
{
	signal(SIGPIPE, SIG_IGN);
}

int
main(void)
{
	SRunner *sr;
	int failed;

	if (check_def.before != NULL)
		check_def.before();
	sr = srunner_create(check_def.suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
