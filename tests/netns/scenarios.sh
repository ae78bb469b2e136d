#!/bin/bash
# Happy Eyeballs on broken networks: hecat in a client namespace against
# servers in a second one, with addresses that accept, refuse, drop SYNs
# (blackhole) or answer ICMP unreachable, and a DNS server that answers
# late, never, or with errors.  Each scenario checks the winner's family
# and address, the order of the attempts (from --trace), and a time
# window around the RFC 8305 schedule, from the trace's own timestamps and
# relative to the event that starts it (cli_lib.sh, "timing"): the lower
# bound is the schedule's, the upper one stretches with
# HECAT_TEST_SLOWDOWN.  Root only: SKIP otherwise.
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

# expect NAME RC WINNER ORDER FROM LO HI: exit status, winner address
# (or none), attempt order, and the time from event FROM (lib.sh's ev_ms:
# query, inet, inet6, dial) to the winner (the end if none won) in
# [LO, HI] ms (HI stretching as within does).
expect() {
	local name=$1 want_rc=$2 win=$3 order=$4 from=$5 lo=$6 hi=$7
	local got_w got_o ms
	got_w=$(winner_addr)
	got_o=$(attempt_order)
	ms=$(since "$from")
	if [ "$rc" -eq "$want_rc" ] && [ "$got_w" = "$win" ] &&
	    [ "$got_o" = "$order" ] && within "$ms" "$lo" "$hi"; then
		pass "$name (${ms} ms after $from)"
	else
		fail "$name" "want rc=$want_rc winner=$win order='$order' in [$lo,$hi] ms after $from (x$SLOWDOWN); got winner=$got_w order='$got_o' $ms ms"
	fi
}

# 1. Healthy dual stack: IPv6 at once, connected within 50 ms of the
# first query.
scenario healthy.test
expect "1 healthy dual stack: IPv6 at once" 0 $V6OK "$V6OK" query 0 50
# The default resolv.conf path (/etc/netns/NAME/resolv.conf) works too.
hn -z --trace "$tmp/t.jsonl" healthy.test "$PORT"
expect "1b the same through resolv.conf" 0 $V6OK "$V6OK" query 0 50

# 2. IPv6 blackholed: IPv4 one attempt delay (250 ms) after the IPv6
# attempt, which started when AAAA came; not before.
scenario bh6.test
expect "2 IPv6 blackholed: IPv4 after 250 ms" 0 $V4OK "$V6BH $V4OK" \
    inet6 249 400
check "2 the IPv4 attempt starts 250 ms after the IPv6 one" \
    staggered inet6 250 300
# The race drawn (--waterfall): the IPv6 attempt's row ends when the IPv4
# one wins, its attempt delay marked on it; -vvv adds it to the timeline.
LANG=C.UTF-8 COLUMNS=80 hn -z --waterfall bh6.test "$PORT"
cp "$tmp/err" "$tmp/waterfall"
check "2 --waterfall: IPv6 lost (its delay marked), IPv4 won" eval \
    'grep -Eq "^#1 \[$V6BH\]:$PORT +[^ ]*│.* lost [0-9.]+ms$" "$tmp/waterfall" &&
     grep -Eq "^#2 $V4OK:$PORT +.* won [0-9.]+ms$" "$tmp/waterfall" &&
     grep -Eq "^AAAA bh6\.test .* 1 addr [0-9.]+ms$" "$tmp/waterfall"'
check "2 --waterfall: no line wider than COLUMNS" eval \
    '[ "$(LC_ALL=C.UTF-8 wc -L < "$tmp/waterfall")" -le 80 ]'
LANG=C hn -zvvv bh6.test "$PORT"
# -vvv also watches the losers for 500 ms: the IPv6 row runs on, silent.
check "2 -vvv: the timeline, then the waterfall in ASCII" eval \
    'grep -q "^hecat: +[0-9.]*ms attempt id=2" "$tmp/err" &&
     grep -Eq "^#1 \[$V6BH\]:$PORT +[^ ]*\|.* silent \+" "$tmp/err" &&
     ! grep -q "│" "$tmp/err"'

# 3. IPv6 refused: IPv4 at once, with no 10 ms floor (nothing else is in
# flight: checklist R-5.10 as revised).
scenario rf6.test
expect "3 IPv6 refused: IPv4 at once" 0 $V4OK "$V6RF $V4OK" inet6 0 40
check "3 the IPv4 attempt starts as the refused one ends" at_once

# 4. IPv6 unreachable (ICMPv6): IPv4 at once.
scenario ur6.test
expect "4 IPv6 unreachable: IPv4 at once" 0 $V4OK "$V6UR $V4OK" inet6 0 40
check "4 the IPv4 attempt starts as the unreachable one ends" at_once
check "4 the ICMPv6 error is the failure" \
    jqok -s 'any(.[]; .ev == "attempt_end" and .result == "unreachable")' "$tmp/t.jsonl"

# 5. AAAA 200 ms late: IPv4 the Resolution Delay (50 ms) after A came.
scenario late6.test
expect "5 AAAA 200 ms late: IPv4 at 50 ms" 0 $V4OK "$V4OK" inet 49 150

# 6. AAAA never answered: IPv4 after the Resolution Delay.
scenario noaaaa.test
expect "6 AAAA never answered: IPv4 at 50 ms" 0 $V4OK "$V4OK" inet 49 150

# 7. A late (300 ms), IPv6 blackholed: IPv4 as soon as A arrives (not
# an attempt delay later).
scenario latea.test
expect "7 A late, IPv6 blackholed: IPv4 when A arrives" 0 $V4OK \
    "$V6BH $V4OK" inet 0 50
check "7 the IPv4 attempt starts because of the answer" \
    jqok -s '[.[] | select(.ev == "attempt_start")][1].reason == "answer"' "$tmp/t.jsonl"

# 8. Several of each, most blackholed: interleaved, each tried once, one
# attempt delay after the other.
scenario many.test
expect "8 most blackholed: interleaved, every address once" 0 $V4OK \
    "$V6BH $V4BH $V6BH2 $V4BH2 $V6BH3 $V4OK" inet6 1249 1500
check "8 every attempt 250 ms after the one before" staggered inet6 250 300

# 9. Everything blackholed: fail at the -w deadline, every address named.
# The deadline counts from the dial's start: its first event.
scenario dead.test -w 1.2
expect "9 all blackholed: exit 75 at the -w deadline" 75 none \
    "$V6BH $V4BH $V6BH2 $V4BH2" dial 1199 1500
check "9 every attempt 250 ms after the one before" staggered inet6 250 300
check "9 the error names every address" eval \
    'for a in "[$V6BH]" "$V4BH" "[$V6BH2]" "$V4BH2"; do grep -qF "$a:$PORT (timed out)" "$tmp/err" || exit 1; done'

# 10. DNS failures: distinct errors and exit statuses.
scenario nx.test
check "10 NXDOMAIN: exit 68" eval 'rc_is 68 && err_has "NXDOMAIN"'
scenario sf.test --resolve-retries 1
check "10 SERVFAIL: exit 75" eval 'rc_is 75 && err_has "SERVFAIL"'
# Two tries of 200 ms per family, timed out 400 ms after the queries
# went: not before, from the dial's start, where the library starts the
# first try's clock; not after 500 ms (stretching), from the first query
# sent (stamped once getdns is set up, so later than the clock started).
scenario silent.test --resolve-timeout 200ms --resolve-retries 1
check "10 DNS silent: exit 75, after two tries" eval \
    'rc_is 75 && err_has "name resolution failed \(AAAA: TIMEOUT, A: TIMEOUT\)" &&
     [ "$(tq "[.[] | select(.ev == \"resolve_start\") | .family + \"/\" + (.try | tostring)] | sort | join(\" \")")" = "inet/1 inet/2 inet6/1 inet6/2" ] &&
     at_least "$(since dial end)" 399 && no_later "$(since query end)" 400 500'

finish
