/*
 * histstore.h - the built-in history stores (histstore.c): one in memory,
 * one in a file shared between processes.
 */
#ifndef HECAT_HISTSTORE_H
#define HECAT_HISTSTORE_H

#include "hecat.h"

/*
 * Their hecat_store and argument constructors (NULL on ENOMEM).
 *
 * Both run on the caller's event loop, and the library never blocks
 * it.  The file store's record tries the lock (flock LOCK_EX | LOCK_NB
 * on PATH.lock): held by another process, the update is skipped, not
 * waited for.  Its lookup takes no lock at all: writers rename a whole
 * new file into place, so a reader sees the old file or the new one.
 */
extern const struct hecat_store hecat__store_mem;
extern const struct hecat_store hecat__store_file;
void	*hecat__store_mem_new(void);
void	*hecat__store_file_new(const char *path);

#endif /* HECAT_HISTSTORE_H */
