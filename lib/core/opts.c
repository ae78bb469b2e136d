/*
 * opts.c - hecat_opts and hecat_config: initialisation, the size rule
 * that lets them grow, and the checks of their values (see opts.h).
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "opts.h"

/*
 * The structs of the first release ended here: a smaller size is a
 * struct nobody initialised (hecat_opts o = {0}).
 */
#define OPTS_MIN	offsetof(struct hecat_opts, race_until)
#define CONFIG_MIN	(offsetof(struct hecat_config, root_hints) + \
			    sizeof(const char *))

static uint64_t
ms(unsigned v)
{
	return (uint64_t)v * HECAT__NS_PER_MS;
}

static unsigned
to_ms(uint64_t ns)
{
	return (unsigned)(ns / HECAT__NS_PER_MS);
}

/* The engine's defaults (engine.c has the one list), in milliseconds. */
void
hecat__opts_defaults(struct hecat_opts *o)
{
	struct hecat__engine_cfg c;

	hecat__engine_cfg_default(&c);
	memset(o, 0, sizeof(*o));
	o->size = sizeof(*o);
	o->resolution_delay_ms = to_ms(c.resolution_delay);
	o->attempt_delay_ms = to_ms(c.attempt_delay);
	o->attempt_timeout_ms = to_ms(c.attempt_timeout);
	o->timeout_ms = to_ms(c.deadline);
	o->resolve_timeout_ms = to_ms(c.resolve_timeout);
	o->resolve_retries = c.resolve_retries;
	o->first_family_count = c.first_family_count;
	o->max_inflight = c.max_inflight;
	o->family = c.family;
	o->prefer = c.prefer;
	o->history = HECAT_HISTORY_ON;
	o->attempt_delay_min_ms = to_ms(c.attempt_delay_min);
	o->attempt_delay_max_ms = to_ms(c.attempt_delay_max);
	o->race_until = HECAT_STAGE_TCP;
}

void
hecat_opts_init_(struct hecat_opts *o, size_t size)
{
	struct hecat_opts def;

	hecat__opts_defaults(&def);
	if (size > sizeof(def)) {
		memset(o, 0, size);
		size = sizeof(def);
	}
	memcpy(o, &def, size);
	o->size = (uint32_t)size;
}

void
hecat_config_init_(struct hecat_config *c, size_t size)
{
	struct hecat_config def;

	memset(&def, 0, sizeof(def));
	def.size = sizeof(def);
	if (size > sizeof(def)) {
		memset(c, 0, size);
		size = sizeof(def);
	}
	memcpy(c, &def, size);
	c->size = (uint32_t)size;
}

static bool
family_ok(int f)
{
	return f == AF_UNSPEC || f == AF_INET || f == AF_INET6;
}

/* A proxy's settings: a known type with a host, a known resolution. */
static bool
proxy_ok(const struct hecat_opts *o)
{
	if (o->proxy == HECAT_PROXY_NONE)
		return true;
	return (o->proxy == HECAT_PROXY_SOCKS5 ||
	    o->proxy == HECAT_PROXY_SOCKS4 || o->proxy == HECAT_PROXY_HTTP) &&
	    o->proxy_host != NULL && o->proxy_host[0] != '\0' &&
	    (o->proxy_resolve == HECAT_PROXY_RESOLVE_REMOTE ||
	    o->proxy_resolve == HECAT_PROXY_RESOLVE_LOCAL) &&
	    (o->proxy_password == NULL || o->proxy_user != NULL);
}

uint16_t
hecat__proxy_port(const struct hecat_opts *o)
{
	if (o->proxy_port != 0)
		return o->proxy_port;
	return o->proxy == HECAT_PROXY_HTTP ? 3128 : 1080;
}

int
hecat__opts_take(struct hecat_opts *out, const struct hecat_opts *base,
    const struct hecat_opts *in)
{
	*out = *base;
	if (in != NULL) {
		if (in->size < OPTS_MIN) {
			errno = EINVAL;
			return -1;
		}
		/* An older program's struct leaves base's newer fields. */
		memcpy(out, in, in->size < sizeof(*out) ? in->size :
		    sizeof(*out));
	}
	out->size = sizeof(*out);
	if (!family_ok(out->family) || !family_ok(out->prefer) ||
	    (out->nat64 != HECAT_NAT64_AUTO && out->nat64 != HECAT_NAT64_OFF) ||
	    (out->history != HECAT_HISTORY_ON &&
	    out->history != HECAT_HISTORY_OFF) ||
	    (out->race_until != HECAT_STAGE_TCP &&
	    out->race_until != HECAT_STAGE_BANNER &&
	    (out->race_until != HECAT_STAGE_TLS || !out->tls)) ||
	    (out->tls != 0 && out->tls != 1) ||
	    (out->tls_key_file != NULL && out->tls_cert_file == NULL) ||
	    (out->source != NULL && out->source_len == 0) ||
	    !proxy_ok(out)) {
		errno = EINVAL;
		return -1;
	}
	if (out->max_inflight == 0)
		out->max_inflight = 1;
	return 0;
}

int
hecat__config_take(struct hecat_config *out, const struct hecat_config *in)
{
	hecat_config_init(out);
	if (in == NULL)
		return 0;
	if (in->size < CONFIG_MIN) {
		errno = EINVAL;
		return -1;
	}
	memcpy(out, in, in->size < sizeof(*out) ? in->size : sizeof(*out));
	out->size = sizeof(*out);
	return 0;
}

void
hecat__opts_engine_cfg(const struct hecat_opts *o, struct hecat__engine_cfg *c)
{
	hecat__engine_cfg_default(c);
	c->resolution_delay = ms(o->resolution_delay_ms);
	c->attempt_delay = ms(o->attempt_delay_ms);
	c->attempt_timeout = ms(o->attempt_timeout_ms);
	c->deadline = ms(o->timeout_ms);
	c->resolve_timeout = ms(o->resolve_timeout_ms);
	c->resolve_retries = o->resolve_retries;
	c->first_family_count = o->first_family_count;
	c->max_inflight = o->max_inflight;
	c->family = o->family;
	c->prefer = o->prefer;
	c->attempt_delay_min = ms(o->attempt_delay_min_ms);
	c->attempt_delay_max = ms(o->attempt_delay_max_ms);
}
