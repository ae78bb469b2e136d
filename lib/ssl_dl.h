/*
 * ssl_dl.h - OpenSSL, loaded when TLS is first needed.
 *
 * libssl and libcrypto cost a program about 2.6 ms at exec (their
 * relocations and start-up), more than the rest of a dial to an address
 * literal (docs/benchmarks.md section 9).  So neither libhecat nor hecat
 * links them: the first TLS dial dlopen()s libssl (which brings libcrypto),
 * and the calls below go through pointers filled from it.  Dials without
 * TLS never load OpenSSL for it (a name's DNS loads it anyway, inside
 * getdns).  The library's TLS stage and the command's TLS relay and trace
 * share it: this is the one internal header the command includes.
 *
 * Include this instead of the OpenSSL headers: after it, SSL_new() and
 * friends name the loaded functions, so the code reads as usual.  Call
 * hecat__ssl_load() before the first of them; an SSL * handed out was made
 * after it, so code that holds one may call them freely.
 */
#ifndef HECAT_SSL_DL_H
#define HECAT_SSL_DL_H

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Every OpenSSL function libhecat and hecat call (macros expand to some). */
#define HECAT__SSL_FUNCS(X)						\
	X(ASN1_STRING_get0_data)					\
	X(ASN1_STRING_length)						\
	X(ASN1_TIME_to_tm)						\
	X(BIO_ctrl)							\
	X(BIO_f_buffer)							\
	X(BIO_free)							\
	X(BIO_int_ctrl)							\
	X(BIO_new)							\
	X(BIO_push)							\
	X(BIO_read)							\
	X(BIO_s_mem)							\
	X(BIO_test_flags)						\
	X(BIO_up_ref)							\
	X(ERR_clear_error)						\
	X(ERR_error_string_n)						\
	X(ERR_peek_error)						\
	X(ERR_peek_last_error)						\
	X(ERR_reason_error_string)					\
	X(GENERAL_NAMES_free)						\
	X(OPENSSL_sk_num)						\
	X(OPENSSL_sk_value)						\
	X(SSL_CIPHER_get_name)						\
	X(SSL_CTX_check_private_key)					\
	X(SSL_CTX_ctrl)							\
	X(SSL_CTX_dane_enable)						\
	X(SSL_CTX_free)							\
	X(SSL_CTX_load_verify_file)					\
	X(SSL_CTX_new)							\
	X(SSL_CTX_set_alpn_protos)					\
	X(SSL_CTX_set_default_passwd_cb)				\
	X(SSL_CTX_set_default_verify_paths)				\
	X(SSL_CTX_set_options)						\
	X(SSL_CTX_set_verify)						\
	X(SSL_CTX_use_PrivateKey_file)					\
	X(SSL_CTX_use_certificate_chain_file)				\
	X(SSL_ctrl)							\
	X(SSL_dane_enable)						\
	X(SSL_dane_set_flags)						\
	X(SSL_dane_tlsa_add)						\
	X(SSL_do_handshake)						\
	X(SSL_free)							\
	X(SSL_free_buffers)						\
	X(SSL_get0_alpn_selected)					\
	X(SSL_get0_dane_authority)					\
	X(SSL_get0_dane_tlsa)						\
	X(SSL_get0_param)						\
	X(SSL_get0_peer_certificate)					\
	X(SSL_get0_peername)						\
	X(SSL_get_current_cipher)					\
	X(SSL_get_error)						\
	X(SSL_get_ex_data)						\
	X(SSL_get_ex_data_X509_STORE_CTX_idx)				\
	X(SSL_get_peer_cert_chain)					\
	X(SSL_get_verify_mode)						\
	X(SSL_get_verify_result)					\
	X(SSL_get_version)						\
	X(SSL_get_wbio)							\
	X(SSL_has_pending)						\
	X(SSL_new)							\
	X(SSL_peek)							\
	X(SSL_read_ex)							\
	X(SSL_session_reused)						\
	X(SSL_set0_wbio)						\
	X(SSL_set1_host)						\
	X(SSL_set_connect_state)					\
	X(SSL_set_default_read_buffer_len)				\
	X(SSL_set_ex_data)						\
	X(SSL_set_fd)							\
	X(SSL_set_hostflags)						\
	X(SSL_set_read_ahead)						\
	X(SSL_shutdown)							\
	X(SSL_write_ex)							\
	X(TLS_client_method)						\
	X(X509_NAME_print_ex)						\
	X(X509_STORE_CTX_get_current_cert)				\
	X(X509_STORE_CTX_get_error)					\
	X(X509_STORE_CTX_get_ex_data)					\
	X(X509_VERIFY_PARAM_set1_ip_asc)				\
	X(X509_cmp_current_time)					\
	X(X509_get0_notAfter)						\
	X(X509_get_ext_d2i)						\
	X(X509_get_issuer_name)						\
	X(X509_get_subject_name)					\
	X(X509_verify_cert_error_string)

struct hecat__ssl_api {
#define HECAT__SSL_PTR(f)	__typeof__(f) *f;
	HECAT__SSL_FUNCS(HECAT__SSL_PTR)
#undef HECAT__SSL_PTR
};

extern struct hecat__ssl_api hecat__ssl;

/*
 * Load OpenSSL, once per process.  Returns 0, or -1 when it cannot be
 * loaded (then hecat__ssl_error() says why).  Thread-safe.
 */
int		 hecat__ssl_load(void);
const char	*hecat__ssl_error(void);

/* From here on, the OpenSSL names are the loaded functions. */
#ifndef HECAT__SSL_DL_IMPL
#define ASN1_STRING_get0_data	(*hecat__ssl.ASN1_STRING_get0_data)
#define ASN1_STRING_length	(*hecat__ssl.ASN1_STRING_length)
#define ASN1_TIME_to_tm	(*hecat__ssl.ASN1_TIME_to_tm)
#define BIO_ctrl	(*hecat__ssl.BIO_ctrl)
#define BIO_f_buffer	(*hecat__ssl.BIO_f_buffer)
#define BIO_free	(*hecat__ssl.BIO_free)
#define BIO_int_ctrl	(*hecat__ssl.BIO_int_ctrl)
#define BIO_new	(*hecat__ssl.BIO_new)
#define BIO_push	(*hecat__ssl.BIO_push)
#define BIO_read	(*hecat__ssl.BIO_read)
#define BIO_s_mem	(*hecat__ssl.BIO_s_mem)
#define BIO_test_flags	(*hecat__ssl.BIO_test_flags)
#define BIO_up_ref	(*hecat__ssl.BIO_up_ref)
#define ERR_clear_error	(*hecat__ssl.ERR_clear_error)
#define ERR_error_string_n	(*hecat__ssl.ERR_error_string_n)
#define ERR_peek_error	(*hecat__ssl.ERR_peek_error)
#define ERR_peek_last_error	(*hecat__ssl.ERR_peek_last_error)
#define ERR_reason_error_string	(*hecat__ssl.ERR_reason_error_string)
#define GENERAL_NAMES_free	(*hecat__ssl.GENERAL_NAMES_free)
#define OPENSSL_sk_num	(*hecat__ssl.OPENSSL_sk_num)
#define OPENSSL_sk_value	(*hecat__ssl.OPENSSL_sk_value)
#define SSL_CIPHER_get_name	(*hecat__ssl.SSL_CIPHER_get_name)
#define SSL_CTX_check_private_key	(*hecat__ssl.SSL_CTX_check_private_key)
#define SSL_CTX_ctrl	(*hecat__ssl.SSL_CTX_ctrl)
#define SSL_CTX_dane_enable	(*hecat__ssl.SSL_CTX_dane_enable)
#define SSL_CTX_free	(*hecat__ssl.SSL_CTX_free)
#define SSL_CTX_load_verify_file	(*hecat__ssl.SSL_CTX_load_verify_file)
#define SSL_CTX_new	(*hecat__ssl.SSL_CTX_new)
#define SSL_CTX_set_alpn_protos	(*hecat__ssl.SSL_CTX_set_alpn_protos)
#define SSL_CTX_set_default_passwd_cb \
	(*hecat__ssl.SSL_CTX_set_default_passwd_cb)
#define SSL_CTX_set_default_verify_paths \
	(*hecat__ssl.SSL_CTX_set_default_verify_paths)
#define SSL_CTX_set_options	(*hecat__ssl.SSL_CTX_set_options)
#define SSL_CTX_set_verify	(*hecat__ssl.SSL_CTX_set_verify)
#define SSL_CTX_use_PrivateKey_file \
	(*hecat__ssl.SSL_CTX_use_PrivateKey_file)
#define SSL_CTX_use_certificate_chain_file \
	(*hecat__ssl.SSL_CTX_use_certificate_chain_file)
#define SSL_ctrl	(*hecat__ssl.SSL_ctrl)
#define SSL_dane_enable	(*hecat__ssl.SSL_dane_enable)
#define SSL_dane_set_flags	(*hecat__ssl.SSL_dane_set_flags)
#define SSL_dane_tlsa_add	(*hecat__ssl.SSL_dane_tlsa_add)
#define SSL_do_handshake	(*hecat__ssl.SSL_do_handshake)
#define SSL_free	(*hecat__ssl.SSL_free)
#define SSL_free_buffers	(*hecat__ssl.SSL_free_buffers)
#define SSL_get0_alpn_selected	(*hecat__ssl.SSL_get0_alpn_selected)
#define SSL_get0_dane_authority	(*hecat__ssl.SSL_get0_dane_authority)
#define SSL_get0_dane_tlsa	(*hecat__ssl.SSL_get0_dane_tlsa)
#define SSL_get0_param	(*hecat__ssl.SSL_get0_param)
#define SSL_get0_peer_certificate	(*hecat__ssl.SSL_get0_peer_certificate)
#define SSL_get0_peername	(*hecat__ssl.SSL_get0_peername)
#define SSL_get_current_cipher	(*hecat__ssl.SSL_get_current_cipher)
#define SSL_get_error	(*hecat__ssl.SSL_get_error)
#define SSL_get_ex_data	(*hecat__ssl.SSL_get_ex_data)
#define SSL_get_ex_data_X509_STORE_CTX_idx \
	(*hecat__ssl.SSL_get_ex_data_X509_STORE_CTX_idx)
#define SSL_get_peer_cert_chain	(*hecat__ssl.SSL_get_peer_cert_chain)
#define SSL_get_verify_mode	(*hecat__ssl.SSL_get_verify_mode)
#define SSL_get_verify_result	(*hecat__ssl.SSL_get_verify_result)
#define SSL_get_version	(*hecat__ssl.SSL_get_version)
#define SSL_get_wbio	(*hecat__ssl.SSL_get_wbio)
#define SSL_has_pending	(*hecat__ssl.SSL_has_pending)
#define SSL_new	(*hecat__ssl.SSL_new)
#define SSL_peek	(*hecat__ssl.SSL_peek)
#define SSL_read_ex	(*hecat__ssl.SSL_read_ex)
#define SSL_session_reused	(*hecat__ssl.SSL_session_reused)
#define SSL_set0_wbio	(*hecat__ssl.SSL_set0_wbio)
#define SSL_set1_host	(*hecat__ssl.SSL_set1_host)
#define SSL_set_connect_state	(*hecat__ssl.SSL_set_connect_state)
#define SSL_set_default_read_buffer_len \
	(*hecat__ssl.SSL_set_default_read_buffer_len)
#define SSL_set_ex_data	(*hecat__ssl.SSL_set_ex_data)
#define SSL_set_fd	(*hecat__ssl.SSL_set_fd)
#define SSL_set_hostflags	(*hecat__ssl.SSL_set_hostflags)
#define SSL_set_read_ahead	(*hecat__ssl.SSL_set_read_ahead)
#define SSL_shutdown	(*hecat__ssl.SSL_shutdown)
#define SSL_write_ex	(*hecat__ssl.SSL_write_ex)
#define TLS_client_method	(*hecat__ssl.TLS_client_method)
#define X509_NAME_print_ex	(*hecat__ssl.X509_NAME_print_ex)
#define X509_STORE_CTX_get_current_cert \
	(*hecat__ssl.X509_STORE_CTX_get_current_cert)
#define X509_STORE_CTX_get_error	(*hecat__ssl.X509_STORE_CTX_get_error)
#define X509_STORE_CTX_get_ex_data \
	(*hecat__ssl.X509_STORE_CTX_get_ex_data)
#define X509_VERIFY_PARAM_set1_ip_asc \
	(*hecat__ssl.X509_VERIFY_PARAM_set1_ip_asc)
#define X509_cmp_current_time	(*hecat__ssl.X509_cmp_current_time)
#define X509_get0_notAfter	(*hecat__ssl.X509_get0_notAfter)
#define X509_get_ext_d2i	(*hecat__ssl.X509_get_ext_d2i)
#define X509_get_issuer_name	(*hecat__ssl.X509_get_issuer_name)
#define X509_get_subject_name	(*hecat__ssl.X509_get_subject_name)
#define X509_verify_cert_error_string \
	(*hecat__ssl.X509_verify_cert_error_string)
#endif /* HECAT__SSL_DL_IMPL */

#endif /* HECAT_SSL_DL_H */
