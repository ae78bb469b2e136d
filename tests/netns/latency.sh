#!/bin/bash
# Happy Eyeballs on slow paths, through the user-space delay line
# (tests/netns/hecat-delayline): scenario 11 (IPv6 slower than the attempt
# delay but working, IPv4 dead: the first IPv6 attempt still wins) and
# scenario 12, the sweeps in the manner of he-webtester: IPv6 latency
# against the attempt delay, and AAAA lateness against the Resolution
# Delay; hecat must switch family where its delays say.  Times come from
# the trace, from the answer that starts each schedule, the upper bounds
# stretching with HECAT_TEST_SLOWDOWN (cli_lib.sh, "timing").  Root only.
. "${srcdir:-.}/tests/cli_lib.sh"
. "${srcdir:-.}/tests/netns/lib.sh"
ns_require
trap 'ns_down; cleanup' EXIT

# Addresses: tests/netns/lib.sh.
NS_DELAY6=400 NS_DELAY4=0 ns_up delay
ns_addr $V6OK accept;	ns_addr $V4OK accept
ns_addr $V4BH blackhole
{
	echo "slow6.test AAAA $V6OK"
	echo "slow6.test A $V4BH"
	echo "race.test AAAA $V6OK"
	echo "race.test A $V4OK"
	for d in 0 20 40 60 80 150 500 1000; do
		echo "late$d.test AAAA $V6OK delay=$d"
		echo "late$d.test A $V4OK"
	done
} > "$tmp/zone"
ns_servers greet

dial() {
	hn -z --trace "$tmp/t.jsonl" "$@" "$PORT"
}

# 11. IPv6 +400 ms but working, IPv4 blackholed: the IPv4 attempt at
# 250 ms does not stop the IPv6 one, which connects 400 ms after it
# started (it started when AAAA came: lib.sh, ev_ms).
dial slow6.test
check "11 IPv6 +400 ms wins over a dead IPv4" eval \
    '[ "$(winner_addr)" = "$V6OK" ] && [ "$(attempt_order)" = "$V6OK $V4BH" ] && within "$(since inet6)" 399 600'
check "11 the IPv4 attempt started at 250 ms and was cancelled" eval \
    'staggered inet6 250 300 && jqok -s "([.[] | select(.ev == \"attempt_start\")][1].reason == \"attempt_delay\") and any(.[]; .ev == \"attempt_end\" and .result == \"cancelled\" and .reason == \"lost\")" "$tmp/t.jsonl"'

# 12a. Attempt-delay sweep: IPv6 latency L, IPv4 20 ms, from the IPv6
# attempt's start (when AAAA came).  IPv4 starts at 250 ms and connects at
# 270; IPv6 connects at L.  So IPv6 wins for L < 270, IPv4 beyond, and the
# connect time is min(L, 270).
echo "# attempt-delay sweep: IPv6 latency, winner, connect time"
for l in 0 100 200 240 300 400 600 1000; do
	ns_delay_set "$l" 20
	dial race.test
	w=$(winner_addr)
	ms=$(since inet6)
	echo "#   v6+${l}ms: winner=$w connect=${ms}ms after AAAA"
	if [ "$l" -lt 270 ]; then
		want=$V6OK lo=$l hi=$((l + 30))
	else
		want=$V4OK lo=269 hi=300
	fi
	check "12a IPv6 +${l} ms: $([ "$want" = "$V6OK" ] && echo IPv6 || echo IPv4) wins" \
	    eval '[ "$w" = "$want" ] && within "$ms" "$lo" "$hi"'
done

# 12b. Resolution-delay sweep: AAAA D ms late, no latency.  Before 50 ms
# the AAAA answer leads and IPv6 wins at once when it comes; from 50 ms
# IPv4 goes the Resolution Delay after the A answer.  At 40 and 60 ms the
# answer and the delay's end are 10 ms apart, less than a loaded machine
# may be late to either (15 ms seen), so there the trace says which came
# first and hecat must follow it: IPv6 if its answer was in before any
# attempt started, and then 0 to 50 ms after A's (within the delay, the
# upper bound stretching), else IPv4 the Resolution Delay after A.
aaaa_first() {
	[ "$(tq '(map(.ev == "resolve_done" and .family == "inet6") |
	    index(true)) as $a | (map(.ev == "attempt_start") | index(true))
	    as $s | $a != null and $s != null and $a < $s')" = true ]
}
ns_delay_set 0 0
echo "# resolution-delay sweep: AAAA lateness, winner, connect time"
for d in 0 20 40 60 80 150 500 1000; do
	dial "late$d.test"
	w=$(winner_addr)
	in_time=true
	if [ "$d" -eq 40 ] || [ "$d" -eq 60 ]; then
		want=$V4OK
		if aaaa_first; then
			want=$V6OK
			in_time="within $(since inet inet6) 0 50"
		fi
	elif [ "$d" -lt 50 ]; then
		want=$V6OK
	else
		want=$V4OK
	fi
	if [ "$want" = "$V6OK" ]; then
		from=inet6 lo=0 hi=30
	else
		from=inet lo=49 hi=80
	fi
	ms=$(since $from)
	echo "#   AAAA+${d}ms: winner=$w connect=${ms}ms after $from" \
	    "(AAAA $(since inet inet6) ms after A)"
	check "12b AAAA +${d} ms: $([ "$want" = "$V6OK" ] && echo IPv6 || echo IPv4) wins" \
	    eval '[ "$w" = "$want" ] && $in_time && within "$ms" "$lo" "$hi"'
done

finish
