/*
 * ssl_dl.c - load OpenSSL on first use (see ssl_dl.h).
 */
#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* This file fills the pointers: it needs the plain names. */
#define HECAT__SSL_DL_IMPL
#include "ssl_dl.h"

struct hecat__ssl_api hecat__ssl;

static pthread_once_t	 once = PTHREAD_ONCE_INIT;
static int		 loaded = -1;
static char		 why[256];

static void
load(void)
{
	void *h, *sym;
	const char *err;

	/*
	 * libssl's soname, as configure found it; libcrypto comes with it
	 * (a dependency), and dlsym() on the handle searches both.
	 */
	if ((h = dlopen(HECAT_SSL_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		err = dlerror();
		snprintf(why, sizeof(why), "%s", err != NULL ? err :
		    "cannot load " HECAT_SSL_SONAME);
		return;
	}
#define HECAT__SSL_SYM(f)						\
	if ((sym = dlsym(h, #f)) == NULL) {				\
		snprintf(why, sizeof(why), "%s: no symbol %s",		\
		    HECAT_SSL_SONAME, #f);				\
		dlclose(h);						\
		memset(&hecat__ssl, 0, sizeof(hecat__ssl));		\
		return;							\
	}								\
	memcpy(&hecat__ssl.f, &sym, sizeof(sym));
	HECAT__SSL_FUNCS(HECAT__SSL_SYM)
#undef HECAT__SSL_SYM
	loaded = 0;		/* kept loaded for the process's life */
}

int
hecat__ssl_load(void)
{
	pthread_once(&once, load);
	return loaded;
}

const char *
hecat__ssl_error(void)
{
	return why;
}
