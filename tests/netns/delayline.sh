#!/bin/bash
# The delay line (tests/netns/hecat-delayline, ns_up delay) on its own:
# TCP connect times over it are the configured one-way delays, for each
# family; new delays take effect at once without a restart (ns_delay_set),
# the return direction too; the DNS server's address is never delayed; a
# bad rules file leaves the old rules; an ICMPv6 unreachable comes back
# through it and fails the connect at once (not after the 1 s SYN
# retransmit, as over a veth); and nothing is left behind.  Times are
# hecat's own, from the trace: the attempt's (attempt_end's elapsed_ms,
# from its start) and the query's (resolve_done's); each window's upper
# bound stretches with HECAT_TEST_SLOWDOWN (cli_lib.sh, "timing").
# Root only: SKIP otherwise.
. "${srcdir:-.}/tests/cli_lib.sh"
. "${srcdir:-.}/tests/netns/lib.sh"
ns_require
trap 'ns_down; cleanup' EXIT

# Addresses: tests/netns/lib.sh.
NS_DELAY_LOG=$tmp/delay.log
NS_DELAY6=300 NS_DELAY4=50 ns_up delay
ns_addr $V6OK accept;	ns_addr $V4OK accept
ns_addr $V6UR unreachable
cat > "$tmp/zone" <<ZONE
dual.test AAAA $V6OK
dual.test A $V4OK
ZONE
ns_servers greet

# attempt_took RESULT: elapsed_ms of the first attempt that ended so.
attempt_took() {
	tq --arg r "$1" '[.[] | select(.ev == "attempt_end" and
	    .result == $r)][0].elapsed_ms // "none"'
}

# dial NAME ADDR WANT_MS [hecat options]: connect to ADDR; the attempt
# (the SYN's way out and the SYN-ACK's back) takes WANT_MS to 30 ms more.
dial() {
	local name=$1 addr=$2 want=$3 ms
	shift 3
	hn -z -n --trace "$tmp/t.jsonl" "$@" "$addr" "$PORT"
	ms=$(attempt_took connected)
	if [ "$rc" -eq 0 ] && [ "$(winner_addr)" = "$addr" ] &&
	    within "$ms" "$want" $((want + 30)); then
		pass "$name ($ms ms)"
	else
		fail "$name" "want rc=0, the attempt connected in" \
		    "[$want,$((want + 30))] ms (x$SLOWDOWN); got $ms ms"
	fi
}

# 1. The delays it was started with.
dial "IPv6 300 ms" $V6OK 300
dial "IPv4 50 ms" $V4OK 50
check "the log has the SYN, delayed 300 ms" \
    grep -Eq "^[0-9.]+ c>s 2001:db8:1::1 > $V6OK tcp [0-9]+ \+300$" \
    "$NS_DELAY_LOG"
check "the log has the SYN-ACK, not delayed" \
    grep -Eq "^[0-9.]+ s>c $V6OK > 2001:db8:1::1 tcp [0-9]+ \+0$" \
    "$NS_DELAY_LOG"
hn -n -w 3 $V6OK "$PORT"
check "data crosses it" eval 'rc_is 0 && out_is "hello from $V6OK"'

# 2. New delays, no restart.
ns_delay_set 100 250
dial "changed: IPv6 100 ms" $V6OK 100
dial "changed: IPv4 250 ms" $V4OK 250

# 3. The DNS server (198.51.100.53/32) is not delayed with 198.51.100/24.
hn -z --trace "$tmp/t.jsonl" dual.test "$PORT"
a_ms=$(tq '[.[] | select(.ev == "resolve_done" and .family == "inet")]
    | .[0].elapsed_ms // -1')
check "DNS not delayed with its /24 ($a_ms ms)" eval \
    'rc_is 0 && within "$a_ms" 0 50'

# 4. The return direction, by the server's address.
ns_delay_set 50 0 100 30
dial "return delay: IPv6 50 + 100 ms" $V6OK 150
dial "return delay: IPv4 0 + 30 ms" $V4OK 30

# 5. A bad rules file is refused (it says "bad rule" on stderr); the
# rules stay.
echo "2001:db8:2::/64 soon" > "$tmp/delays"
NS_DELAY_GEN=$((NS_DELAY_GEN + 1))
kill -HUP "$NS_DELAY_PID"
line=
read -t $((5 * SLOWDOWN)) -r line <&"$NS_DELAY_FD"
check "a bad rules file: reload failed" \
    test "$line" = "reload failed $NS_DELAY_GEN"
dial "... and the old delays stay" $V6OK 150

# 6. ICMPv6 unreachable: the error crosses the delay line, and the
# connect fails when it arrives (over a veth it would wait for the SYN's
# retransmit, ~1 s).
ns_delay_set 100 0
hn -z -n -w 3 --trace "$tmp/t.jsonl" $V6UR "$PORT"
ms=$(attempt_took unreachable)
check "ICMPv6 unreachable, 100 ms away: fails when it comes ($ms ms)" eval \
    'rc_is 1 && err_has "No route to host" && within "$ms" 100 150'
ns_delay_set 0 0
hn -z -n -w 3 --trace "$tmp/t.jsonl" $V6UR "$PORT"
ms=$(attempt_took unreachable)
check "ICMPv6 unreachable, no delay: fails at once ($ms ms)" eval \
    'rc_is 1 && err_has "No route to host" && within "$ms" 0 100 &&
    faster_than 500'

# 7. It ends at SIGTERM, cleanly, and nothing is left.
kill "$NS_DELAY_PID"
st=0
wait "$NS_DELAY_PID" || st=$?
check "SIGTERM: exit 0" test "$st" -eq 0
check "nothing dropped, no write errors" \
    eval '! grep -Eq "[1-9][0-9]* (dropped|write errors)" "$NS_DELAY_LOG"'
ns_down
check "the namespaces are gone" \
    eval '! ip netns list | grep -Eq "^hc-$$-(c|s)( |$)"'
check "no delay line left" eval '! kill -0 "$NS_DELAY_PID" 2>/dev/null'

finish
