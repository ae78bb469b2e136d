/*
 * replay.c - run a fuzz target over saved inputs, without libFuzzer: what
 * make check does with the committed corpora (tests/fuzz/corpus/TARGET/),
 * and how to replay a crash file found by make fuzz with a plain build.
 *
 *	replay_TARGET [FILE | DIRECTORY ...]
 *
 * Each FILE, and each regular file of each DIRECTORY, is read into a
 * buffer of its exact size (so an over-read shows under the sanitizers)
 * and handed to LLVMFuzzerTestOneInput().  Without arguments the corpus
 * is $srcdir/tests/fuzz/corpus/TARGET (srcdir: "." unless set).  Prints
 * how many inputs ran; exits 1 when there were none or one could not be
 * read.  A broken invariant aborts, as under libFuzzer.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#ifndef FUZZ_TARGET
#error "FUZZ_TARGET (the target's name, a string) must be defined"
#endif

static size_t	ninputs;
static int	failed;

static void
run_file(const char *path)
{
	FILE *f;
	uint8_t *buf;
	struct stat st;
	size_t len;

	if ((f = fopen(path, "rb")) == NULL || fstat(fileno(f), &st) == -1) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		if (f != NULL)
			fclose(f);
		failed = 1;
		return;
	}
	len = (size_t)st.st_size;
	/* Exactly len bytes (one for an empty file, which is not passed). */
	if ((buf = malloc(len > 0 ? len : 1)) == NULL ||
	    fread(buf, 1, len, f) != len) {
		fprintf(stderr, "replay: %s: cannot read\n", path);
		free(buf);
		fclose(f);
		failed = 1;
		return;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	ninputs++;
}

static void
run_dir(const char *dir)
{
	struct dirent **ents;
	struct stat st;
	char path[4096];
	int i, n;

	if ((n = scandir(dir, &ents, NULL, alphasort)) == -1) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		failed = 1;
		return;
	}
	for (i = 0; i < n; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir,
		    ents[i]->d_name) < (int)sizeof(path) &&
		    stat(path, &st) == 0 && S_ISREG(st.st_mode))
			run_file(path);
		free(ents[i]);
	}
	free(ents);
}

static void
run_path(const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		failed = 1;
	} else if (S_ISDIR(st.st_mode))
		run_dir(path);
	else
		run_file(path);
}

int
main(int argc, char *argv[])
{
	char corpus[4096];
	const char *srcdir;
	int i;

	if (argc > 1) {
		for (i = 1; i < argc; i++)
			run_path(argv[i]);
		printf("replay_%s: %zu inputs replayed from %d argument%s\n",
		    FUZZ_TARGET, ninputs, argc - 1, argc > 2 ? "s" : "");
	} else {
		if ((srcdir = getenv("srcdir")) == NULL || *srcdir == '\0')
			srcdir = ".";
		snprintf(corpus, sizeof(corpus), "%s/tests/fuzz/corpus/%s",
		    srcdir, FUZZ_TARGET);
		run_path(corpus);
		printf("replay_%s: %zu inputs replayed from %s\n",
		    FUZZ_TARGET, ninputs, corpus);
	}
	if (ninputs == 0) {
		fprintf(stderr, "replay_%s: no input\n", FUZZ_TARGET);
		return 1;
	}
	return failed;
}
