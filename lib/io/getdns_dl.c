/*
 * getdns_dl.c - load getdns on first use (see getdns_dl.h).
 */
#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* This file fills the pointers: it needs the plain names. */
#define HECAT__GETDNS_DL_IMPL
#include "getdns_dl.h"

struct hecat__getdns_api hecat__getdns;

static pthread_once_t	 once = PTHREAD_ONCE_INIT;
static int		 loaded = -1;
static char		 why[256];

static void
load(void)
{
	void *h, *sym;
	const char *err;

	/* The soname configure found in what -lgetdns links to. */
	if ((h = dlopen(HECAT_GETDNS_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		err = dlerror();
		snprintf(why, sizeof(why), "%s", err != NULL ? err :
		    "cannot load " HECAT_GETDNS_SONAME);
		return;
	}
#define HECAT__GETDNS_SYM(f)						\
	if ((sym = dlsym(h, #f)) == NULL) {				\
		snprintf(why, sizeof(why), "%s: no symbol %s",		\
		    HECAT_GETDNS_SONAME, #f);				\
		dlclose(h);						\
		memset(&hecat__getdns, 0, sizeof(hecat__getdns));	\
		return;							\
	}								\
	memcpy(&hecat__getdns.f, &sym, sizeof(sym));
	HECAT__GETDNS_FUNCS(HECAT__GETDNS_SYM)
#undef HECAT__GETDNS_SYM
	loaded = 0;		/* kept loaded for the process's life */
}

int
hecat__getdns_load(void)
{
	pthread_once(&once, load);
	return loaded;
}

const char *
hecat__getdns_error(void)
{
	return why;
}
