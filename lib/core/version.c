/*
 * version.c - the library's version, and the one name of each value of
 * its enums (errors, DNS statuses, trace kinds, reasons, stages).
 */
#include "config.h"

#include <stddef.h>

#include "hecat.h"

const char *
hecat_version(void)
{
	return PACKAGE_VERSION;
}

unsigned long
hecat_version_number(void)
{
	return HECAT_VERSION_NUMBER;
}

const char *
hecat_strerror(int err)
{
	switch (err) {
	case HECAT_OK:
		return "success";
	case HECAT_E_NOHOST:
		return "no address associated with name";
	case HECAT_E_NOADDR:
		return "no address of the requested family";
	case HECAT_E_DNS:
		return "name resolution failed";
	case HECAT_E_CONNECT:
		return "every connection attempt failed";
	case HECAT_E_TIMEOUT:
		return "timed out";
	case HECAT_E_CANCELLED:
		return "cancelled";
	case HECAT_E_SYSTEM:
		return "system error";
	case HECAT_E_INVAL:
		return "invalid argument";
	case HECAT_E_DNSSEC:
		return "DNSSEC validation failed";
	}
	return "unknown error";
}

const char *
hecat_dns_status_name(int status)
{
	switch (status) {
	case HECAT_DNS_OK:
		return "NOERROR";
	case HECAT_DNS_NODATA:
		return "NODATA";
	case HECAT_DNS_NXDOMAIN:
		return "NXDOMAIN";
	case HECAT_DNS_SERVFAIL:
		return "SERVFAIL";
	case HECAT_DNS_TIMEOUT:
		return "TIMEOUT";
	case HECAT_DNS_ERROR:
		return "ERROR";
	case HECAT_DNS_BOGUS:
		return "BOGUS";
	case HECAT_DNS_INSECURE:
		return "INSECURE";
	case HECAT_DNS_INDETERMINATE:
		return "INDETERMINATE";
	}
	return "UNKNOWN";
}

const char *
hecat_dnssec_name(int dnssec)
{
	switch (dnssec) {
	case HECAT_DNSSEC_SECURE:
		return "secure";
	case HECAT_DNSSEC_BOGUS:
		return "bogus";
	case HECAT_DNSSEC_INSECURE:
		return "insecure";
	case HECAT_DNSSEC_INDETERMINATE:
		return "indeterminate";
	}
	return "none";
}

/* A name from a table indexed by the enum's value; "?" past its end. */
static const char *
name_of(const char *const *names, size_t n, int v)
{
	return v >= 0 && (size_t)v < n && names[v] != NULL ? names[v] : "?";
}

#define NAME_OF(tab, v)	name_of((tab), sizeof(tab) / sizeof((tab)[0]), (v))

const char *
hecat_trace_name(int kind)
{
	static const char *const names[] = {
		[HECAT_TRACE_DIAL_START] = "dial_start",
		[HECAT_TRACE_NETWORK] = "network",
		[HECAT_TRACE_HISTORY] = "history",
		[HECAT_TRACE_NAT64_PREFIX] = "nat64_prefix",
		[HECAT_TRACE_RESOLVE_START] = "resolve_start",
		[HECAT_TRACE_RESOLVE_DONE] = "resolve_done",
		[HECAT_TRACE_RESOLVE_CANCEL] = "resolve_cancel",
		[HECAT_TRACE_DESYNTHESIZE] = "desynthesize",
		[HECAT_TRACE_RESOLUTION_DELAY] = "resolution_delay",
		[HECAT_TRACE_CANDIDATES] = "candidates",
		[HECAT_TRACE_ATTEMPT_START] = "attempt_start",
		[HECAT_TRACE_STAGE_START] = "stage_start",
		[HECAT_TRACE_STAGE_STEP] = "stage_step",
		[HECAT_TRACE_STAGE_DONE] = "stage_done",
		[HECAT_TRACE_ATTEMPT_END] = "attempt_end",
		[HECAT_TRACE_WINNER] = "winner",
		[HECAT_TRACE_DIAL_FAILED] = "dial_failed",
		[HECAT_TRACE_TLSA] = "tlsa",
		[HECAT_TRACE_RESOLVER] = "resolver",
		[HECAT_TRACE_LOSER] = "loser"
	};

	return NAME_OF(names, kind);
}

const char *
hecat_why_name(int why)
{
	static const char *const names[] = {
		[HECAT_WHY_NONE] = "",
		[HECAT_WHY_FIRST] = "first",
		[HECAT_WHY_ATTEMPT_DELAY] = "attempt_delay",
		[HECAT_WHY_PREVIOUS_FAILED] = "previous_failed",
		[HECAT_WHY_ANSWER] = "answer",
		[HECAT_WHY_ERROR] = "error",
		[HECAT_WHY_TIMEOUT] = "timeout",
		[HECAT_WHY_DEADLINE] = "deadline",
		[HECAT_WHY_LOST] = "lost",
		[HECAT_WHY_CANCELLED] = "cancelled",
		[HECAT_WHY_FIRST_ANSWER] = "first_answer",
		[HECAT_WHY_HISTORY] = "history",
		[HECAT_WHY_OPTION] = "option",
		[HECAT_WHY_CACHED] = "cached",
		[HECAT_WHY_DISCOVERED] = "discovered",
		[HECAT_WHY_NO_PREFIX] = "none",
		[HECAT_WHY_RTT] = "rtt",
		[HECAT_WHY_FAILED] = "failed",
		[HECAT_WHY_NATIVE] = "native",
		[HECAT_WHY_NAT64] = "nat64"
	};

	return NAME_OF(names, why);
}

const char *
hecat_stage_name(int stage)
{
	static const char *const names[] = {
		[HECAT_STAGE_TCP] = "tcp",
		[HECAT_STAGE_BANNER] = "banner",
		[HECAT_STAGE_SOCKS5] = "socks5",
		[HECAT_STAGE_SOCKS4] = "socks4",
		[HECAT_STAGE_HTTP_CONNECT] = "http_connect",
		[HECAT_STAGE_TLS] = "tls"
	};

	return NAME_OF(names, stage);
}

const char *
hecat_attempt_result_name(int result)
{
	static const char *const names[] = {
		[HECAT_ATTEMPT_CONNECTED] = "connected",
		[HECAT_ATTEMPT_FAILED] = "failed",
		[HECAT_ATTEMPT_CANCELLED] = "cancelled"
	};

	return NAME_OF(names, result);
}

const char *
hecat_proxy_name(int proxy)
{
	switch (proxy) {
	case HECAT_PROXY_NONE:
		return "none";
	case HECAT_PROXY_SOCKS5:
		return hecat_stage_name(HECAT_STAGE_SOCKS5);
	case HECAT_PROXY_SOCKS4:
		return hecat_stage_name(HECAT_STAGE_SOCKS4);
	case HECAT_PROXY_HTTP:
		return hecat_stage_name(HECAT_STAGE_HTTP_CONNECT);
	default:
		return "?";
	}
}
