#!/bin/bash
# The command against bad input (docs/robustness.md): operands with
# control characters, 1024 and 1025 ports, hostile DNS answers from the
# suite's DNS server, and descriptors running out (ulimit -n) in a race.
# Loopback only; every DNS question goes to tests/hecat-dnsd.  "No hang"
# bounds a whole run, stretching with HECAT_TEST_SLOWDOWN (cli_lib.sh).
. "${srcdir:-.}/tests/cli_lib.sh"

start_dns
start_server PORT tests/hecat-listen -m greet -t 120
# Listens on 127.0.0.1 and 127.0.0.2: a forged 127.0.0.2 would be reached.
start_server PORT2 tests/hecat-listen -a 127.0.0.1 -a 127.0.0.2 -m greet -t 120
# Every 127/8 address, a full listen queue: connects there hang.
start_server FULL tests/hecat-listen -a 0.0.0.0 -m full -t 120

# ---- malformed operands -------------------------------------------------
# (tests/cli_usage.sh has the unknown options, bad values and operands.)
hc -n $'bad\nhost\e[31m' 80
check "control characters in host: exit 64" rc_is 64
check "control characters in host: one line, escaped" eval \
    'err_lines 1 && grep -Fq "host '"'"'bad\\x0ahost\\x1b[31m'"'"'" "$tmp/err"'
hc -n 127.0.0.1 $'8\r0'
check "control character in port: exit 64, one escaped line" eval \
    'rc_is 64 && err_lines 1 && grep -Fq "port '"'"'8\\x0d0'"'"'" "$tmp/err"'
hc -n 'h€llo' 80
check "UTF-8 in host: kept as is" eval 'rc_is 64 && grep -Fq "h€llo" "$tmp/err"'

# ---- a huge number of ports -----------------------------------------------
# Ports that refuse: 1024 of them bound on 127.0.0.1 without a listener
# by a process of the test's own, held for the test's life, so that no
# other program can start listening on one of them meanwhile.
start_server HOLDER python3 -c '
import socket, sys, time
socks = []
for _ in range(1024):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
with open(sys.argv[1], "w") as f:
    f.write(" ".join(str(s.getsockname()[1]) for s in socks) + "\n")
print("port 0", flush=True)
time.sleep(300)
' "$tmp/closed"
read -r -a closed < "$tmp/closed"
hc -z --attempt-delay 10ms "$DNS" v4.test "${closed[@]}"
check "1024 closed ports: exit 1" rc_is 1
check "1024 closed ports: one line, 16 ports named, then the count" eval \
    'err_lines 1 && err_has "^hecat: v4.test ports ${closed[0]},${closed[1]},.*,${closed[15]} and 1008 more: all 1024 attempts failed: "'
check "1024 closed ports: the line stays short" eval \
    '[ "$(wc -c < "$tmp/err")" -lt 5000 ]'
hc -zv --attempt-delay 10ms "$DNS" v4.test "${closed[@]:0:1023}" "$PORT"
check "1024 ports, the last one open: exit 0, connected to it" eval \
    'rc_is 0 && err_has "^Connection to v4.test \(127.0.0.1\) $PORT port"'
hc -z "$DNS" v4.test "${closed[@]}" "$PORT"
check "1025 ports: usage error 64" eval \
    'rc_is 64 && err_lines 1 && err_has "^hecat: 1025 ports: at most 1024"'

# ---- hostile DNS ------------------------------------------------------------
cat > "$tmp/hostile" <<'EOF'
own.test A 127.0.0.1 owner=other.test
own.test AAAA ::1 owner=other.test
wt.test A 127.0.0.1 ::1 wrongtype
wt.test AAAA 127.0.0.2 wrongtype
ttl0.test A 127.0.0.1 ttl=0
ttl0.test AAAA nodata
ttlmax.test A 127.0.0.1 ttl=4294967295
ttlmax.test AAAA nodata
many.test A 127.0.0.1 count=500
many.test AAAA nodata
huge.test AAAA ::1 count=4096
huge.test A nodata
loop.test A 127.0.0.1 loop
loop.test AAAA ::1 loop
short.test * servfail garbage=short
counts.test A 127.0.0.1 garbage=counts
counts.test AAAA nodata
cut.test A 127.0.0.1 garbage=cut
cut.test AAAA nodata
bid.test A 127.0.0.1 badid forge=127.0.0.2 delay=100
bid.test AAAA nodata
fp.test A 127.0.0.1 fromport forge=127.0.0.2 delay=100
fp.test AAAA nodata
zero.test A 0.0.0.0
zero.test AAAA ::
mapped.test A 224.0.0.1 255.255.255.255
mapped.test AAAA ::ffff:127.0.0.1 ff02::1
EOF
start_server HDNSPORT tests/hecat-dnsd "$tmp/hostile"
HDNS="--dns-server=127.0.0.1:$HDNSPORT"
FAST="--resolve-timeout=300ms --resolve-retries=1"

hc -z "$HDNS" $FAST own.test "$PORT2"
check "answers owned by another name: exit 68, no host" eval \
    'rc_is 68 && err_lines 1 && err_has "^hecat: own.test port $PORT2: no address associated with name \(AAAA: NODATA, A: NODATA\)"'
hc -zv "$HDNS" $FAST wt.test "$PORT2"
check "records of the wrong type: ignored, the A record used" eval \
    'rc_is 0 && err_has "\(127.0.0.1\) $PORT2 port" && ! err_has "127.0.0.2|::1"'
hc -zv "$HDNS" $FAST ttl0.test "$PORT"
check "TTL 0: connects" eval 'rc_is 0 && err_has "\(127.0.0.1\) $PORT port"'
hc -zv "$HDNS" $FAST ttlmax.test "$PORT"
check "TTL 2^32-1: connects" eval 'rc_is 0 && err_has "\(127.0.0.1\) $PORT port"'
hc -zv "$HDNS" $FAST many.test "$PORT"
check "500 addresses (TC, then TCP): connects to the first" eval \
    'rc_is 0 && err_has "\(127.0.0.1\) $PORT port"'
if have_ipv6; then
	hc -zv "$HDNS" $FAST huge.test "$PORT"
	check "4096 addresses in a 64 KiB answer: connects to the first" eval \
	    'rc_is 0 && err_has "\(::1\) $PORT port"'
fi
hc -z "$HDNS" $FAST loop.test "$PORT"
check "compression loop: no hang, exit 68" eval 'rc_is 68 && faster_than 5000'
hc -z "$HDNS" $FAST short.test "$PORT"
check "7-octet answer: ignored, the tries time out, exit 75" eval \
    'rc_is 75 && err_lines 1 && faster_than 5000'
hc -zv "$HDNS" $FAST counts.test "$PORT"
check "ANCOUNT 65535 with one record: connects" eval 'rc_is 0'
hc -z "$HDNS" $FAST cut.test "$PORT"
check "answer cut inside its record: exit 68" eval 'rc_is 68 && err_lines 1'
hc -zv "$HDNS" $FAST bid.test "$PORT2"
check "forged answer with a wrong ID: ignored, the real one used" eval \
    'rc_is 0 && err_has "\(127.0.0.1\) $PORT2 port" && ! err_has 127.0.0.2'
hc -zv "$HDNS" $FAST fp.test "$PORT2"
check "forged answer from a wrong port: ignored, the real one used" eval \
    'rc_is 0 && err_has "\(127.0.0.1\) $PORT2 port" && ! err_has 127.0.0.2'
hc -zv "$HDNS" $FAST zero.test "$PORT"
check "0.0.0.0 and :: in answers: not dialed (not the local host), exit 68" \
    eval 'rc_is 68 && ! err_has succeeded'
hc -zv "$HDNS" $FAST mapped.test "$PORT"
check "multicast, broadcast, IPv4-mapped in answers: not dialed, exit 68" \
    eval 'rc_is 68 && ! err_has succeeded'

# ---- descriptors running out ------------------------------------------------
cat > "$tmp/em" <<'EOF'
em.test A 127.0.0.10 count=20
em.test AAAA nodata
EOF
start_server EMDNS tests/hecat-dnsd "$tmp/em"
# 20 addresses whose connects hang, 12 descriptors: a few attempts get one,
# the rest fail with EMFILE mid-race; the ones in flight time out.
# ulimit_hc N ARGS...: hc under ulimit -n N (the redirections are made
# before the limit, in the subshell).  Descriptors above 2 that the shell
# inherited (from make, or a CI runner) are closed first: each would take
# one of the N.
ulimit_hc() {
	local n=$1
	shift
	(
		for fd in /proc/self/fd/*; do
			fd=${fd##*/}
			[ "$fd" -gt 2 ] && eval "exec $fd>&-" 2> /dev/null
		done
		ulimit -n "$n" && exec timeout -s KILL 30 "$HECAT" "$@"
	) < /dev/null > "$tmp/out" 2> "$tmp/err"
	rc=$?
}
ulimit_hc 12 -z --attempt-delay 10ms --attempt-timeout 300ms \
    --dns-server=127.0.0.1:$EMDNS em.test "$FULL"
check "ulimit -n 12, 20 addresses: exit 75, one line" eval \
    'rc_is 75 && err_lines 1 && err_has "^hecat: em.test port $FULL: all 20 attempts failed: "'
check "ulimit -n 12: the line says EMFILE and timed out" eval \
    'err_has "\(Too many open files\)" && err_has "\(timed out\)"'
ulimit_hc 16 -zv "$DNS" dual.test "$PORT"
check "ulimit -n 16, a working dial: exit 0" rc_is 0
# Every limit from 4 to 16: a clear line and 71 (no descriptor) or 75
# (an attempt got one, and timed out); never a crash or a hang.
bad=
saw71=
for n in 4 5 6 7 8 9 10 11 12 13 14 15 16; do
	ulimit_hc "$n" -z --attempt-timeout 300ms -n 127.0.0.10 "$FULL"
	case $rc in
	71) grep -q "^hecat: .*Too many open files" "$tmp/err" || bad="$bad $n"
	    grep -q "(Too many open files)" "$tmp/err" && saw71=$n ;;
	75) grep -q "^hecat: .*(timed out)" "$tmp/err" || bad="$bad $n" ;;
	*) bad="$bad $n(rc=$rc)" ;;
	esac
done
check "ulimit -n 4..16: always 71 or 75 with its reason" eval '[ -z "$bad" ]'
check "ulimit -n: an attempt without a descriptor exits 71" eval \
    '[ -n "$saw71" ]'

# ---- a server that accepts, greets and resets at once --------------------
# Whether the reset arrives before or after hecat handles the connect, the
# connection was accepted: the greeting is delivered, then the reset is
# an I/O error (74).  Twenty dials, so that both orders happen.
start_server GR tests/hecat-listen -m greetreset -t 120
ok=0
for i in $(seq 20); do
	hc -n 127.0.0.1 "$GR"
	[ "$rc" -eq 74 ] && [ "$(cat "$tmp/out")" = hello ] &&
	    grep -q "reset by peer" "$tmp/err" && ok=$((ok + 1))
done
check "accept, greet, reset: 20 of 20 deliver the greeting, then exit 74" \
    eval '[ "$ok" -eq 20 ]'

# ---- getdns that cannot be loaded ----------------------------------------
# A file that is no library, then a library that is not getdns, found
# first under getdns's name: the dial says what failed and why, once,
# and exits 71 (EX_OSERR); a literal needs no getdns and is unharmed.
mkdir "$tmp/nogetdns" "$tmp/notgetdns"
: > "$tmp/nogetdns/libgetdns.so.10"
libm=$(ldconfig -p | awk '/libm\.so\.6 .*x86-64|libm\.so\.6 / { print $NF; exit }')
cp "$libm" "$tmp/notgetdns/libgetdns.so.10"
LD_LIBRARY_PATH=$tmp/nogetdns hc "$DNS" v4.test "$PORT"
check "getdns not loadable: exit 71, one line saying why" eval \
    'rc_is 71 && err_lines 1 && err_has "^hecat: v4.test port $PORT: cannot load getdns: .*libgetdns\.so\.10"'
LD_LIBRARY_PATH=$tmp/notgetdns hc "$DNS" v4.test "$PORT"
check "not getdns: exit 71, the symbol it lacks named" eval \
    'rc_is 71 && err_lines 1 && err_has "^hecat: v4.test port $PORT: cannot load getdns: libgetdns\.so\.10: no symbol getdns_"'
LD_LIBRARY_PATH=$tmp/nogetdns hc -z 127.0.0.1 "$PORT"
check "getdns not loadable: a literal still dials" rc_is 0

# ---- OpenSSL, loaded only for TLS --------------------------------------------
# A dial without --tls never loads libssl (not linked: lib/io/ssl_dl.c);
# --tls does, at its first attempt.  Under libssl's name, a file that is
# no library, then one that is not libssl: exit 71, one line saying why.
LD_DEBUG=files LD_DEBUG_OUTPUT=$tmp/ldplain hc -z 127.0.0.1 "$PORT"
check "no --tls: libssl never loaded" eval \
    'rc_is 0 && ls "$tmp"/ldplain.* > /dev/null && ! grep -q "file=libssl" "$tmp"/ldplain.*'
LD_DEBUG=files LD_DEBUG_OUTPUT=$tmp/ldtls hc -z --tls --tls-no-verify \
    127.0.0.1 "$PORT"
check "--tls: libssl loaded (the greeting server is no TLS: exit 76)" eval \
    'rc_is 76 && grep -q "file=libssl" "$tmp"/ldtls.*'
mkdir "$tmp/nossl" "$tmp/notssl"
: > "$tmp/nossl/libssl.so.3"
cp "$libm" "$tmp/notssl/libssl.so.3"
LD_LIBRARY_PATH=$tmp/nossl hc -z --tls 127.0.0.1 "$PORT"
check "OpenSSL not loadable: exit 71, one line saying why" eval \
    'rc_is 71 && err_lines 1 && err_has "^hecat: 127\.0\.0\.1 port $PORT: cannot load OpenSSL: .*libssl\.so\.3"'
LD_LIBRARY_PATH=$tmp/notssl hc -z --tls 127.0.0.1 "$PORT"
check "not libssl: exit 71, the symbol it lacks named" eval \
    'rc_is 71 && err_lines 1 && err_has "^hecat: 127\.0\.0\.1 port $PORT: cannot load OpenSSL: libssl\.so\.3: no symbol [A-Z]"'
LD_LIBRARY_PATH=$tmp/nossl hc -z 127.0.0.1 "$PORT"
check "OpenSSL not loadable: a dial without --tls is unharmed" rc_is 0

finish
