#!/bin/bash
# load.sh - libhecat under load, the light variant of bench/load.sh:
# 100,000 dials one after another of the literals 127.0.0.1 and ::1,
# 20,000 of a name through tests/hecat-dnsd 100 at a time, and 10,000 in
# bursts of 1,000 at once, all on one event base (bench/hecat-load, the
# public API alone).  Each run must connect every dial and end with as
# many descriptors as it started with (sampled every 10,000 dials, with
# nothing in flight), at most 64 KiB more heap (mallinfo2), and no
# stretch taking more than 25 times the median stretch's time per dial
# (a loose bound: it catches costs that grow with the dials done, not
# the noise of a shared machine).
#
# Names go to the suite's DNS server on 127.0.0.1 alone: every run gets
# -D 127.0.0.1:PORT, no hosts file and an empty resolv.conf, so the
# system's resolver is never asked, not even for the literals' runs.
#
# glibc's per-thread cache is turned off for these runs
# (glibc.malloc.tcache_count=0): mallinfo2 counts the chunks it holds as
# in use, and with it on the heap figure wanders by a few KB as it fills.
# Sockets are closed with an RST (-L) so that the runs leave no TIME_WAIT
# behind for the other suites.  HECAT_TEST_SLOWDOWN divides the counts.
. "${srcdir:-.}/tests/cli_lib.sh"

LOAD=${LOAD:-bench/hecat-load}
slow=${HECAT_TEST_SLOWDOWN:-1}
[ "$slow" -ge 1 ] 2>/dev/null || slow=1
export GLIBC_TUNABLES=glibc.malloc.tcache_count=0

# run NAME ARGS...: one hecat-load run with -C, bounded in time.
run() {
	local name=$1 t0 t1
	shift
	t0=${EPOCHREALTIME/./}
	timeout -s KILL 120 "$LOAD" dial -C -L -F 25 -H "" -R /dev/null \
	    -D "127.0.0.1:$DNSPORT" "$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	t1=${EPOCHREALTIME/./}
	sed 's/^/  /' "$tmp/out" "$tmp/err"
	echo "  ($(( (t1 - t0) / 1000 )) ms)"
	check "$name" eval 'rc_is 0 && grep -q "^RESULT .* fail=0 " "$tmp/out"'
}

lits=127.0.0.1
have_ipv6 && lits="127.0.0.1 ::1"
start_dns

run "100,000 sequential dials of $lits: fds and heap flat" \
    -n $((100000 / slow)) -s $((10000 / slow)) $lits

run "20,000 dials of a DNS name, 100 at a time: fds and heap flat" \
    -c 100 -n $((20000 / slow)) -s $((5000 / slow)) dual.test

run "10,000 dials in bursts of 1,000 at once: fds and heap flat" \
    -b -c 1000 -n $((10000 / slow)) -s $((2000 / slow)) $lits

finish
