/*
 * getdns_dl.h - getdns, loaded when first needed.
 *
 * libgetdns pulls in libunbound, OpenSSL, GnuTLS's nettle and gmp, and
 * libidn2: loading them costs a program about 1.7 ms before main(), more
 * than the whole of a dial to an address literal.  So libhecat does not
 * link getdns; the first name that needs DNS (or IDN conversion) dlopen()s
 * it, and the calls below go through pointers filled from it.  Dials of
 * literals and of hosts-file names never load it.
 *
 * Include this instead of <getdns/getdns.h>: after it, getdns_general()
 * and friends name the loaded functions, so the code reads as usual.
 */
#ifndef HECAT_GETDNS_DL_H
#define HECAT_GETDNS_DL_H

#include <getdns/getdns.h>
#include <getdns/getdns_extra.h>

/* Every getdns function libhecat calls. */
#define HECAT__GETDNS_FUNCS(X)						\
	X(getdns_cancel_callback)					\
	X(getdns_context_create)					\
	X(getdns_context_destroy)					\
	X(getdns_context_set_append_name)				\
	X(getdns_context_set_dns_root_servers)				\
	X(getdns_context_set_dns_transport_list)			\
	X(getdns_context_set_dnssec_trust_anchors)			\
	X(getdns_context_set_eventloop)					\
	X(getdns_context_set_resolution_type)				\
	X(getdns_context_set_timeout)					\
	X(getdns_context_set_tls_authentication)			\
	X(getdns_context_set_tls_ca_file)				\
	X(getdns_context_set_trust_anchors_verify_CA)			\
	X(getdns_context_set_upstream_recursive_servers)		\
	X(getdns_convert_ulabel_to_alabel)				\
	X(getdns_dict_create)						\
	X(getdns_dict_destroy)						\
	X(getdns_dict_get_bindata)					\
	X(getdns_dict_get_int)						\
	X(getdns_dict_get_list)						\
	X(getdns_dict_set_bindata)					\
	X(getdns_dict_set_int)						\
	X(getdns_fp2rr_list)						\
	X(getdns_general)						\
	X(getdns_list_create)						\
	X(getdns_list_destroy)						\
	X(getdns_list_get_dict)						\
	X(getdns_list_get_length)					\
	X(getdns_list_set_dict)

struct hecat__getdns_api {
#define HECAT__GETDNS_PTR(f)	__typeof__(f) *f;
	HECAT__GETDNS_FUNCS(HECAT__GETDNS_PTR)
#undef HECAT__GETDNS_PTR
};

extern struct hecat__getdns_api hecat__getdns;

/*
 * Load getdns, once per process.  Returns 0, or -1 when it cannot be
 * loaded (then hecat__getdns_error() says why).
 */
int		 hecat__getdns_load(void);
const char	*hecat__getdns_error(void);

/* From here on, the getdns names are the loaded functions. */
#ifndef HECAT__GETDNS_DL_IMPL
#define getdns_cancel_callback	(*hecat__getdns.getdns_cancel_callback)
#define getdns_context_create	(*hecat__getdns.getdns_context_create)
#define getdns_context_destroy	(*hecat__getdns.getdns_context_destroy)
#define getdns_context_set_append_name \
	(*hecat__getdns.getdns_context_set_append_name)
#define getdns_context_set_dns_root_servers \
	(*hecat__getdns.getdns_context_set_dns_root_servers)
#define getdns_context_set_dns_transport_list \
	(*hecat__getdns.getdns_context_set_dns_transport_list)
#define getdns_context_set_dnssec_trust_anchors \
	(*hecat__getdns.getdns_context_set_dnssec_trust_anchors)
#define getdns_context_set_eventloop \
	(*hecat__getdns.getdns_context_set_eventloop)
#define getdns_context_set_resolution_type \
	(*hecat__getdns.getdns_context_set_resolution_type)
#define getdns_context_set_timeout \
	(*hecat__getdns.getdns_context_set_timeout)
#define getdns_context_set_tls_authentication \
	(*hecat__getdns.getdns_context_set_tls_authentication)
#define getdns_context_set_tls_ca_file \
	(*hecat__getdns.getdns_context_set_tls_ca_file)
#define getdns_context_set_trust_anchors_verify_CA \
	(*hecat__getdns.getdns_context_set_trust_anchors_verify_CA)
#define getdns_context_set_upstream_recursive_servers \
	(*hecat__getdns.getdns_context_set_upstream_recursive_servers)
#define getdns_convert_ulabel_to_alabel \
	(*hecat__getdns.getdns_convert_ulabel_to_alabel)
#define getdns_dict_create	(*hecat__getdns.getdns_dict_create)
#define getdns_dict_destroy	(*hecat__getdns.getdns_dict_destroy)
#define getdns_dict_get_bindata	(*hecat__getdns.getdns_dict_get_bindata)
#define getdns_dict_get_int	(*hecat__getdns.getdns_dict_get_int)
#define getdns_dict_get_list	(*hecat__getdns.getdns_dict_get_list)
#define getdns_dict_set_bindata	(*hecat__getdns.getdns_dict_set_bindata)
#define getdns_dict_set_int	(*hecat__getdns.getdns_dict_set_int)
#define getdns_fp2rr_list	(*hecat__getdns.getdns_fp2rr_list)
#define getdns_general		(*hecat__getdns.getdns_general)
#define getdns_list_create	(*hecat__getdns.getdns_list_create)
#define getdns_list_destroy	(*hecat__getdns.getdns_list_destroy)
#define getdns_list_get_dict	(*hecat__getdns.getdns_list_get_dict)
#define getdns_list_get_length	(*hecat__getdns.getdns_list_get_length)
#define getdns_list_set_dict	(*hecat__getdns.getdns_list_set_dict)
#endif /* !HECAT__GETDNS_DL_IMPL */

#endif /* HECAT_GETDNS_DL_H */
