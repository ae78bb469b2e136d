/*
 * hecat - a Happy Eyeballs (RFC 8305) netcat-style dialer.
 *
 * For now only --version and --help: the dial and the relay arrive with
 * the library's adapter and the command's options.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "hecat.h"

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: hecat [--version] [-h] host port [port ...]\n");
}

int
main(int argc, char *argv[])
{
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("hecat %s (libhecat %s)\n", PACKAGE_VERSION,
		    hecat_version());
		return EX_OK;
	}
	if (argc == 2 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return EX_OK;
	}
	fprintf(stderr, "hecat: dialing is not implemented yet\n");
	usage(stderr);
	return EX_USAGE;
}
