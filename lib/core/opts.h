/*
 * opts.h - the option and configuration structs as the library takes
 * them: defaults, the caller's part copied in by its recorded size, and
 * every value checked before a dial or an instance exists.
 */
#ifndef HECAT_OPTS_H
#define HECAT_OPTS_H

#include "engine.h"
#include "hecat.h"

/* The library's defaults. */
void	hecat__opts_defaults(struct hecat_opts *);

/*
 * out = base, then the caller's in on top (in NULL: base alone).
 * Returns 0, or -1 with errno EINVAL when in's size is not set (0, or
 * smaller than the first release's struct) or a value is out of range.
 */
int	hecat__opts_take(struct hecat_opts *out, const struct hecat_opts *base,
	    const struct hecat_opts *in);

/* The same for a configuration (in NULL: the defaults). */
int	hecat__config_take(struct hecat_config *out,
	    const struct hecat_config *in);

/* The proxy's port: the one given, else its type's (1080, 3128). */
uint16_t hecat__proxy_port(const struct hecat_opts *o);

/* The engine's configuration for options o. */
void	hecat__opts_engine_cfg(const struct hecat_opts *o,
	    struct hecat__engine_cfg *c);

#endif /* HECAT_OPTS_H */
