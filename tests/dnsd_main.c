/* dnsd_main.c - STUB, to be written: the hecat-dnsd program. */
#include "config.h"

#include <stdio.h>

int
main(void)
{
	fprintf(stderr, "hecat-dnsd: not written yet\n");
	return 1;
}
