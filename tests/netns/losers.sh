#!/bin/bash
# What the losers would have done (--follow-losers): after the race, the
# attempts still connecting are watched, not closed, and each ends in a
# "loser" event: connected late through a slow IPv6 path (the delay
# line), silent on a blackholed one, refused.  The relay is not held up
# by the watch; -vv says a verdict per family, the waterfall draws the
# watch, and history learns that a late connect is not a failure.  Times
# come from the trace's own stamps, relative to the winner (cli_lib.sh,
# "timing").  Root only: SKIP otherwise.
. "${srcdir:-.}/tests/cli_lib.sh"
. "${srcdir:-.}/tests/netns/lib.sh"
ns_require
trap 'ns_down; cleanup' EXIT

# IPv6 400 ms away, IPv4 at once: IPv4 wins at the 250 ms attempt delay
# and IPv6 connects about 150 ms later.
NS_DELAY6=400 NS_DELAY4=0 ns_up delay
ns_addr $V6OK accept;	ns_addr $V4OK accept
ns_addr $V6BH blackhole
ns_addr $V6RF refuse
cat > "$tmp/zone" <<ZONE
slow6.test AAAA $V6OK
slow6.test A $V4OK
bh6.test AAAA $V6BH
bh6.test A $V4OK
ZONE
ns_servers greet

loser() { tq "[.[] | select(.ev == \"loser\")] | .[${2:-0}].$1 // \"none\""; }

# 1. A slow IPv6 path: the loser connects, about 150 ms after the winner.
hn -z --follow-losers 2s --trace "$tmp/t.jsonl" slow6.test "$PORT"
check "1 IPv4 wins, the IPv6 attempt is watched" eval \
    '[ "$(winner_addr)" = "$V4OK" ] && [ "$(tq ".[] | select(.ev == \"winner\") | .following")" = 1 ]'
check "1 the IPv6 loser connected, 150 ms after the winner" eval \
    '[ "$(loser result)" = connected ] && [ "$(loser addr)" = "$V6OK" ] &&
     within "$(loser after_ms)" 140 300 && [ "$(loser following)" = 0 ]'
check "1 the loser's end comes after the winner, in the trace's order" eval \
    'jqok -s "(map(.ev) | index(\"winner\")) < (map(.ev) | index(\"loser\"))" "$tmp/t.jsonl"'
check "1 hecat exits once the loser is watched out, not before" \
    jqok -s '(.[] | select(.ev == "loser") | .t_ms) <= (.[-1].t_ms)' "$tmp/t.jsonl"

# The same, -vv: a line for the loser and the verdict for its family.
hn -z -vv --follow-losers 2s slow6.test "$PORT"
check "1 -vv: the loser's line and IPv6's verdict" eval \
    'err_has "loser id=1 addr=\[$V6OK\]:$PORT connected \+[0-9.]+ms after the winner" &&
     err_has "IPv6 would have connected \+[0-9.]+ms after the winner$"'

# 2. IPv6 blackholed: no answer until the watch ends, 300 ms after.
hn -z --follow-losers 300ms --trace "$tmp/t.jsonl" bh6.test "$PORT"
check "2 the blackholed loser: no answer in the 300 ms watched" eval \
    '[ "$(loser result)" = no_answer ] && [ "$(loser errno)" = ETIMEDOUT ] &&
     within "$(loser after_ms)" 299 400'
hn -z -vv --follow-losers 300ms bh6.test "$PORT"
check "2 -vv: IPv6: no answer (blackholed?)" \
    err_has "IPv6: no answer in 300ms \(blackholed\?\)$"
LANG=C COLUMNS=80 hn -z --waterfall --follow-losers 300ms bh6.test "$PORT"
check "2 the waterfall draws the watch: silent, then the winner" eval \
    'grep -Eq "^#1 \[$V6BH\]:$PORT .* silent \+[0-9.]+ms$" "$tmp/err" &&
     grep -Eq "^#2 $V4OK:$PORT .* won [0-9.]+ms$" "$tmp/err"'
# -vvv watches for 500 ms on its own.
LANG=C hn -zvvv bh6.test "$PORT"
check "2 -vvv follows the losers for 500 ms" \
    err_has "IPv6: no answer in 500ms \(blackholed\?\)$"

# 3. Without --follow-losers nothing is watched (no loser events).
hn -z --trace "$tmp/t.jsonl" bh6.test "$PORT"
check "3 off by default: the loser is cancelled, no loser event" eval \
    '[ "$(loser result)" = none ] && [ "$(tq ".[] | select(.ev == \"winner\") | .following // 0")" = 0 ]'

# 4. The relay is not held up: the winner's greeting comes through before
# the loser's end is known.
hn --follow-losers 2s --trace "$tmp/t.jsonl" slow6.test "$PORT"
check "4 the relay ran on the winner before the loser's end" eval \
    'rc_is 0 && grep -q "^hello from $V4OK" "$tmp/out" &&
     jqok -s "(map(.ev) | index(\"relay\")) < (map(.ev) | index(\"loser\"))" "$tmp/t.jsonl"'

# 5. History: a loser that connected late is no failure; one closed as
# lost with a head start counts as lost.  The next dial's trace says what
# history knows of the IPv6 address.
HC_CACHE=$tmp/hist1 hn -z --follow-losers 2s slow6.test "$PORT"
HC_CACHE=$tmp/hist1 hn -z --trace "$tmp/t.jsonl" slow6.test "$PORT"
check "5 history: the late IPv6 connect is an RTT, not a failure" \
    jqok -s "any(.[]; .ev == \"history\" and .addr == \"$V6OK\" and .failed == false and .rtt_ms > 0)" "$tmp/t.jsonl"
HC_CACHE=$tmp/hist2 hn -z slow6.test "$PORT"
HC_CACHE=$tmp/hist2 hn -z --trace "$tmp/t.jsonl" slow6.test "$PORT"
check "5 history without the watch: the IPv6 loser counts as failed" \
    jqok -s "any(.[]; .ev == \"history\" and .addr == \"$V6OK\" and .failed == true)" "$tmp/t.jsonl"

# 6. Bad values: one line naming the option, exit 64.
hn --follow-losers 2x slow6.test "$PORT"
check "6 --follow-losers 2x: usage error" eval \
    'rc_is 64 && err_lines 1 && err_has "^hecat: --follow-losers: invalid duration .2x."'
hn --follow-losers 61s slow6.test "$PORT"
check "6 --follow-losers 61s: too long" eval \
    'rc_is 64 && err_has "^hecat: --follow-losers: .61s. is too long"'
finish
