/*
 * version.c - version and error strings.
 */
#include "config.h"

#include "hecat.h"

const char *
hecat_version(void)
{
	return PACKAGE_VERSION;
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
