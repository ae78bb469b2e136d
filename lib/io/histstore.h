/*
 * histstore.h - the built-in history stores (histstore.c): one in memory,
 * one in a file shared between processes.
 */
#ifndef HECAT_HISTSTORE_H
#define HECAT_HISTSTORE_H

#include "hecat.h"

/* Their hecat_store and argument constructors (NULL on ENOMEM). */
extern const struct hecat_store hecat__store_mem;
extern const struct hecat_store hecat__store_file;
void	*hecat__store_mem_new(void);
void	*hecat__store_file_new(const char *path);

#endif /* HECAT_HISTSTORE_H */
