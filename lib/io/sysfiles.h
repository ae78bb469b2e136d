/*
 * sysfiles.h - the system's files read (sysfiles.c).
 */
#ifndef HECAT_SYSFILES_H
#define HECAT_SYSFILES_H

#include <stddef.h>

#include "hosts.h"
#include "resolvconf.h"

/*
 * Read up to cap bytes of the file at path into a new buffer (*bufp,
 * *lenp; free it).  A longer file is cut after its last whole line within
 * cap bytes.  Never blocks on a FIFO or device: what is not there yet
 * counts as the end.  Returns 0, or -1 with errno (EISDIR for a
 * directory).
 */
int		hecat__read_file(const char *path, size_t cap, char **bufp,
		    size_t *lenp);

/*
 * Read and parse a hosts file (64 MiB at most).  A missing or unreadable
 * file gives an empty table.  Returns NULL only with errno ENOMEM.
 */
struct hecat__hosts *hecat__hosts_load(const char *path);

/*
 * Read and parse resolv.conf (1 MiB at most); a missing file gives the
 * defaults.  Returns 0, or -1 with errno for a file that exists but
 * cannot be read.
 */
int		hecat__resolvconf_load(struct hecat__resolvconf *,
		    const char *path);

#endif /* HECAT_SYSFILES_H */
