/* delayline.c - STUB, to be written: hecat-delayline. */
#include "config.h"

#include <stdio.h>

int
main(void)
{
	fprintf(stderr, "hecat-delayline: not written yet\n");
	return 1;
}
