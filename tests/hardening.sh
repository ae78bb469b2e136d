#!/bin/bash
# The binary's hardening and the environment policy.
#
# With hardening on (configure's default), cmd/hecat and libhecat.so must
# be position independent, fully RELRO (GNU_RELRO + BIND_NOW), built with
# the stack protector, and, unless the sanitizers replace it, with
# _FORTIFY_SOURCE (the __*_chk entry points are imported).  Then: no
# environment variable changes what hecat does (hecat(1), ENVIRONMENT):
# the resolver's LOCALDOMAIN, RES_OPTIONS and HOSTALIASES, libevent's
# EVENT_* and getdns's own are ignored.
. "${srcdir:-.}/tests/cli_lib.sh"

lib=lib/.libs/libhecat.so

# ---- hardening ---------------------------------------------------------------
if [ -z "${HARDEN_CFLAGS:-}" ]; then
	echo "SKIP: hardening: configured with --disable-hardening"
elif ! command -v readelf > /dev/null; then
	echo "SKIP: hardening: readelf not found (binutils)"
else
	for f in "$HECAT" "$lib"; do
		[ -f "$f" ] || continue
		readelf -hW "$f" > "$tmp/h" 2> "$tmp/err"
		readelf -lW "$f" > "$tmp/l" 2>> "$tmp/err"
		readelf -dW "$f" > "$tmp/d" 2>> "$tmp/err"
		readelf --dyn-syms -W "$f" > "$tmp/s" 2>> "$tmp/err"
		check "$f: position independent (ELF type DYN)" \
		    grep -q 'Type: *DYN' "$tmp/h"
		check "$f: RELRO segment" grep -q GNU_RELRO "$tmp/l"
		check "$f: bound now (full RELRO)" \
		    grep -Eq '\((FLAGS|FLAGS_1)\).*NOW' "$tmp/d"
		check "$f: no executable stack" eval \
		    "grep GNU_STACK '$tmp/l' | grep -vq RWE"
		check "$f: stack protector" \
		    grep -q '__stack_chk_fail' "$tmp/s"
		case $HARDEN_CFLAGS in
		*_FORTIFY_SOURCE=*)
			check "$f: _FORTIFY_SOURCE (__*_chk imported)" \
			    grep -Eq ' __[a-z0-9_]+_chk(@|$)' "$tmp/s"
			;;
		esac
	done
	if [ "$HECAT" = cmd/hecat ]; then
		check "cmd/hecat: no TEXTREL" eval "! grep -q TEXTREL '$tmp/d'"
	fi
fi

# ---- environment -------------------------------------------------------------
start_dns
start_server PORT tests/hecat-listen -m greet -t 120

# What a run says, less its timings (slow6.test: its AAAA comes 200 ms
# late, so the order of events is fixed): the -vv timeline with the +N.NNNms
# stamps, times and durations taken out, and the exit status.
shape() {
	printf 'exit=%s\n' "$rc"
	sed -E -e 's/^hecat: \+[0-9.]+ms /hecat: /' \
	    -e 's/(time|rtt|connect|duration|elapsed|wait|load|context)=[0-9.]+m?s/\1=T/g' \
	    -e 's/id=[0-9]+ //' -e 's/ local=[^ ]*//' "$tmp/err" | sort
}

hc -zvv "$DNS" slow6.test "$PORT"
shape > "$tmp/plain"
check "environment: baseline dial succeeds" rc_is 0

# Every variable that could plausibly reach us through the C library,
# libevent or getdns; hecat.1 says none of them matters.
envs=(
	LOCALDOMAIN=test
	RES_OPTIONS="ndots:15 attempts:5 timeout:30 inet6 rotate"
	HOSTALIASES=/nonexistent
	EVENT_NOEPOLL=1 EVENT_NOPOLL=1 EVENT_NOSELECT=1
	EVENT_SHOW_METHOD=1 EVENT_PRECISE_TIMER=0
	GETDNS_DEBUG=1
	HECAT_ATTEMPT_DELAY=2000 HECAT_DNS_SERVER=192.0.2.1
	# Proxies are asked for with -x or --proxy, never by the
	# environment (as with nc); HECAT_PROXY_PASSWORD is read only for
	# a proxy user given on the command line.
	ALL_PROXY=socks5h://192.0.2.1:1080 all_proxy=socks5h://192.0.2.1:1080
	http_proxy=http://192.0.2.1:3128 https_proxy=http://192.0.2.1:3128
	SOCKS_PROXY=192.0.2.1:1080 SOCKS5_SERVER=192.0.2.1:1080
	HECAT_PROXY_PASSWORD=unused
)
t0=${EPOCHREALTIME/./}
env "${envs[@]}" timeout -s KILL 30 "$HECAT" -zvv "$DNS" slow6.test "$PORT" \
    < /dev/null > "$tmp/out" 2> "$tmp/err"
rc=$?
shape > "$tmp/env"
check "environment: same exit status and timeline with resolver, libevent and getdns variables set" \
    diff "$tmp/plain" "$tmp/env"
check "environment: libevent's EVENT_SHOW_METHOD ignored" \
    eval '! err_has "libevent using"'
check "environment: nothing on stdout" out_empty

# A single-label name: with LOCALDOMAIN honoured it would become
# dual.test and connect; ignored, the search list is resolv.conf's and
# the name is not found.
hc -z "$DNS" --resolve-timeout 1s dual "$PORT"
base=$rc
LOCALDOMAIN=test RES_OPTIONS=ndots:0 hc -z "$DNS" --resolve-timeout 1s dual "$PORT"
check "environment: LOCALDOMAIN does not add a search domain (exit $base both ways)" \
    eval '[ "$rc" -eq "$base" ] && [ "$rc" -ne 0 ]'

finish
