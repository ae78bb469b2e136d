/* check_relay.c - STUB, to be written. */
#include "config.h"

#include <check.h>
#include <stdlib.h>

START_TEST(stub)
{
	ck_assert(1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("relay");
	TCase *tc = tcase_create("stub");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, stub);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
