/*
 * histstore.h - the built-in history stores (histstore.c): one in memory,
 * one in a file shared between processes.
 */
#ifndef HECAT_HISTSTORE_H
#define HECAT_HISTSTORE_H

#include <stdint.h>

#include "hecat.h"

/* Outcomes a file store keeps while another process holds the lock. */
#define HECAT__HIST_PEND_MAX	128

/* Their hecat_store and argument constructors (NULL on ENOMEM). */
extern const struct hecat_store hecat__store_mem;
extern const struct hecat_store hecat__store_file;
void	*hecat__store_mem_new(void);
void	*hecat__store_file_new(const char *path);

/*
 * The file store and the caller's event loop, which the library never
 * blocks:
 *
 * record folds its outcomes into the file under an flock(2) on
 * PATH.lock that it only tries (LOCK_EX | LOCK_NB).  When another
 * process holds it, record returns at once and the outcomes are put off
 * (HECAT__HIST_PEND_MAX at most, the oldest dropped beyond that): the
 * next record tries again and writes them with its own, and freeing the
 * store tries once more.  Those still put off then are lost, as are
 * outcomes whose write fails otherwise (history is a cache).
 *
 * lookup takes no lock: writers rename a whole new file into place, so
 * it reads the file as one writer or another left it (again only when it
 * changed), and folds in this instance's outcomes still put off.
 */

/* What a file store did with the outcomes it was given. */
struct hecat__fstats {
	uint64_t	written;	/* in a file renamed into place */
	uint64_t	pending;	/* put off, not written yet */
	uint64_t	dropped;	/* given up */
	uint64_t	busy;		/* tries that found the lock held */
};

void	hecat__store_file_stats(void *, struct hecat__fstats *);
/* hecat__store_file.free, telling what it did in *st (unless NULL). */
void	hecat__store_file_close(void *, struct hecat__fstats *st);

#endif /* HECAT_HISTSTORE_H */
