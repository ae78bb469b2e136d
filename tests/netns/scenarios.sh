#!/bin/bash
# Happy Eyeballs on broken networks: hecat in a client namespace against
# servers in a second one, with addresses that accept, refuse, drop SYNs
# (blackhole) or answer ICMP unreachable, and a DNS server that answers
# late, never, or with errors.  Each scenario checks the winner's family
# and address, the order of the attempts (from --trace), and a generous
# time window around the RFC 8305 schedule.  Root only: SKIP otherwise.
. "${srcdir:-.}/tests/cli_lib.sh"
. "${srcdir:-.}/tests/netns/lib.sh"
ns_require
trap 'ns_down; cleanup' EXIT

# Over the delay line at 0 ms: a real hop, so that ICMP errors come back
# after connect() returned, as on a network (over a veth an ICMPv6 error
# is handled while the socket is still locked in connect(), and Linux
# reports it only at the 1 s retransmission).
ns_up delay
ns_scenarios_addrs
ns_servers greet

# scenario NAME HOST [hecat options]: dial HOST with the trace.
scenario() {
	local host=$1
	shift
	hn -z --trace "$tmp/t.jsonl" "$@" "$host" "$PORT"
}

# expect NAME RC WINNER ORDER LO HI: exit status, winner address (or
# none), attempt order, and connect time (ms) in [LO, HI].
expect() {
	local name=$1 want_rc=$2 win=$3 order=$4 lo=$5 hi=$6 got_w got_o ms
	got_w=$(winner_addr)
	got_o=$(attempt_order)
	ms=$(tq '.[-1].total_ms')
	if [ "$rc" -eq "$want_rc" ] && [ "$got_w" = "$win" ] &&
	    [ "$got_o" = "$order" ] && within "$ms" "$lo" "$hi"; then
		pass "$name (${ms} ms)"
	else
		fail "$name" "want rc=$want_rc winner=$win order='$order' time in [$lo,$hi]; got winner=$got_w order='$got_o' time=$ms"
	fi
}

# 1. Healthy dual stack: IPv6 at once.
scenario healthy.test
expect "1 healthy dual stack: IPv6 at once" 0 $V6OK "$V6OK" 0 50
# The default resolv.conf path (/etc/netns/NAME/resolv.conf) works too.
hn -z --trace "$tmp/t.jsonl" healthy.test "$PORT"
expect "1b the same through resolv.conf" 0 $V6OK "$V6OK" 0 50

# 2. IPv6 blackholed: IPv4 after one attempt delay.
scenario bh6.test
expect "2 IPv6 blackholed: IPv4 after 250 ms" 0 $V4OK "$V6BH $V4OK" 245 400

# 3. IPv6 refused: IPv4 within a few ms (the 10 ms floor).
scenario rf6.test
expect "3 IPv6 refused: IPv4 at once" 0 $V4OK "$V6RF $V4OK" 9 60

# 4. IPv6 unreachable (ICMPv6): IPv4 within a few ms.
scenario ur6.test
expect "4 IPv6 unreachable: IPv4 at once" 0 $V4OK "$V6UR $V4OK" 9 60
check "4 the ICMPv6 error is the failure" \
    jqok -s 'any(.[]; .ev == "attempt_end" and .result == "unreachable")' "$tmp/t.jsonl"

# 5. AAAA 200 ms late: IPv4 after the Resolution Delay.
scenario late6.test
expect "5 AAAA 200 ms late: IPv4 at 50 ms" 0 $V4OK "$V4OK" 49 150

# 6. AAAA never answered: IPv4 after the Resolution Delay.
scenario noaaaa.test
expect "6 AAAA never answered: IPv4 at 50 ms" 0 $V4OK "$V4OK" 49 150

# 7. A late (300 ms), IPv6 blackholed: IPv4 as soon as A arrives.
scenario latea.test
expect "7 A late, IPv6 blackholed: IPv4 when A arrives" 0 $V4OK \
    "$V6BH $V4OK" 299 450
check "7 the IPv4 attempt starts because of the answer" \
    jqok -s '[.[] | select(.ev == "attempt_start")][1].reason == "answer"' "$tmp/t.jsonl"

# 8. Several of each, most blackholed: interleaved, each tried once.
scenario many.test
expect "8 most blackholed: interleaved, every address once" 0 $V4OK \
    "$V6BH $V4BH $V6BH2 $V4BH2 $V6BH3 $V4OK" 1245 1500

# 9. Everything blackholed: fail at the -w deadline, every address named.
scenario dead.test -w 1.2
expect "9 all blackholed: exit 75 at the -w deadline" 75 none \
    "$V6BH $V4BH $V6BH2 $V4BH2" 1195 1500
check "9 the error names every address" eval \
    'for a in "[$V6BH]" "$V4BH" "[$V6BH2]" "$V4BH2"; do grep -qF "$a:$PORT (timed out)" "$tmp/err" || exit 1; done'

# 10. DNS failures: distinct errors and exit statuses.
scenario nx.test
check "10 NXDOMAIN: exit 68" eval 'rc_is 68 && err_has "NXDOMAIN"'
scenario sf.test --resolve-retries 1
check "10 SERVFAIL: exit 75" eval 'rc_is 75 && err_has "SERVFAIL"'
scenario silent.test --resolve-timeout 200ms --resolve-retries 1
check "10 DNS silent: exit 75, after two tries" eval \
    'rc_is 75 && err_has "name resolution failed \(AAAA: TIMEOUT, A: TIMEOUT\)" && within $(tq ".[-1].total_ms") 395 800'

finish
