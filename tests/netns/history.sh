#!/bin/bash
# Connection history (RFC 8305 sections 4 and 5) on a real network: a
# client namespace whose IPv6 path to the server is blackholed.  The
# first dial races and learns; the next ones go to IPv4 at once; of two
# IPv4 addresses the one used before goes first (R-4.4).  History
# stays with its network (R-4.5: change the default routes and the dial
# races again), --no-history neither reads nor writes it, a corrupt file
# is replaced, and concurrent hecat processes share the file.  Times come
# from the trace, from the AAAA answer or the first query, the upper
# bounds stretching with HECAT_TEST_SLOWDOWN (cli_lib.sh, "timing").
# Root only: SKIP otherwise.
. "${srcdir:-.}/tests/cli_lib.sh"
. "${srcdir:-.}/tests/netns/lib.sh"
ns_require
trap 'ns_down; cleanup' EXIT

# Network A: default routes through the server's end of the link.
ns_bh6_up veth

# Every run of this file shares one history (cli_lib.sh's hc and hn give
# each run its own otherwise).
export HC_CACHE="$tmp/hcache"
HFILE="$HC_CACHE/hecat/history"

dial() {
	hn -z --trace "$tmp/t.jsonl" "$@" "$PORT"
}

# expect NAME WINNER ORDER FROM LO HI: exit 0, the winner, the attempt
# order, and the connect time in [LO, HI] ms from event FROM (lib.sh's
# ev_ms: query, the first query sent, or inet6, the AAAA answer, when a
# race's first attempt starts), HI stretching as within does.
expect() {
	local name=$1 win=$2 order=$3 from=$4 lo=$5 hi=$6 got_w got_o ms
	got_w=$(winner_addr)
	got_o=$(attempt_order)
	ms=$(since "$from")
	if [ "$rc" -eq 0 ] && [ "$got_w" = "$win" ] &&
	    [ "$got_o" = "$order" ] && within "$ms" "$lo" "$hi"; then
		pass "$name (${ms} ms after $from)"
	else
		fail "$name" "want winner=$win order='$order' in [$lo,$hi] ms after $from (x$SLOWDOWN); got rc=$rc winner=$got_w order='$got_o' $ms ms"
	fi
}

# ---- IPv6 blackholed ---------------------------------------------------
dial bh6.test
expect "first dial: races, IPv4 after one attempt delay" \
    $V4OK "$V6BH $V4OK" inet6 249 400
check "the history file: versioned, mode 0600, the two addresses" eval \
    '[ "$(head -n 1 "$HFILE")" = "hecat-history 1" ] &&
     [ "$(stat -c %a "$HFILE")" = 600 ] &&
     grep -q " $V6BH 0 0 0 1 0 " "$HFILE" &&
     grep -q " $V4OK [0-9]* [0-9]* 1 0 " "$HFILE"'

dial bh6.test
expect "R-4.3 second dial: IPv4 first, no attempt delay" $V4OK "$V4OK" \
    query 0 50
check "the trace says why: the IPv6 address lost, moved back" eval \
    '[ "$(tq "[.[] | select(.ev == \"history\" and .addr == \"$V6BH\")][0].failed")" = true ]'
check "A was waited for, past the failed AAAA address" eval \
    '[ "$(tq "[.[] | select(.ev == \"resolution_delay\")][0].reason")" = history ]'
check "the IPv4 attempt's delay is learned (100 ms, the floor)" eval \
    '[ "$(tq "[.[] | select(.ev == \"attempt_start\")][0].delay_learned")" = true ] &&
     [ "$(tq "[.[] | select(.ev == \"attempt_start\")][0].delay_ms")" = 100 ]'

ok=0
for i in 1 2 3 4 5; do
	dial bh6.test
	[ "$rc" -eq 0 ] && [ "$(attempt_order)" = "$V4OK" ] &&
	    within "$(since query)" 0 50 && ok=$((ok + 1))
done
check "later dials: 5 of 5 over IPv4 at once" eval '[ $ok -eq 5 ]'
neta=$(tq '[.[] | select(.ev == "network")][0].net // "none"')

sum=$(sha256sum < "$HFILE")
dial --no-history bh6.test
expect "--no-history: races again" $V4OK "$V6BH $V4OK" inet6 249 400
check "--no-history: the file untouched, no history event" eval \
    '[ "$(sha256sum < "$HFILE")" = "$sum" ] &&
     [ "$(tq "[.[] | select(.ev == \"history\")] | length")" = 0 ] &&
     [ "$(tq "[.[] | select(.ev == \"network\")][0].history")" = false ]'

# ---- R-4.4: an address used before goes first ------------------------------
# two4.test answers $V4OK2 then $V4OK; only $V4OK was used on this network.
dial --no-history two4.test
expect "R-4.4 without history: the DNS order" $V4OK2 "$V4OK2" query 0 50
dial two4.test
expect "R-4.4 with history: the address used before first" $V4OK "$V4OK" \
    query 0 50

# ---- R-4.5: another network ----------------------------------------------
ip -n "$NS_C" route replace default via 192.0.2.3
ip -n "$NS_C" -6 route replace default via 2001:db8:1::3
dial bh6.test
expect "R-4.5 another network (default routes changed): races again" \
    $V4OK "$V6BH $V4OK" inet6 249 400
netb=$(tq '[.[] | select(.ev == "network")][0].net // "none"')
check "R-4.5 the two networks have two names" eval \
    '[ "$neta" != none ] && [ "$netb" != none ] && [ "$neta" != "$netb" ]'
ip -n "$NS_C" route replace default via 192.0.2.2
ip -n "$NS_C" -6 route replace default via 2001:db8:1::2
dial bh6.test
expect "back on the first network: its history again, IPv4 first" \
    $V4OK "$V4OK" query 0 50

# ---- a healthy network ---------------------------------------------------
dial healthy.test
expect "healthy: IPv6 first" $V6OK "$V6OK" query 0 50
dial healthy.test
expect "healthy, with history: IPv6 first still" $V6OK "$V6OK" query 0 50
check "healthy: the delay after it is learned" eval \
    '[ "$(tq "[.[] | select(.ev == \"attempt_start\")][0].delay_learned")" = true ]'

# ---- the file ---------------------------------------------------------------
printf 'hecat-history 1\nnot a record\n\001\002\n' > "$HFILE"
dial bh6.test
expect "a corrupt file: ignored, the dial races" $V4OK "$V6BH $V4OK" \
    inet6 249 400
check "a corrupt file: replaced by a good one" eval \
    '[ "$(head -n 1 "$HFILE")" = "hecat-history 1" ] &&
     ! grep -q "not a record" "$HFILE" && grep -q " $V6BH " "$HFILE"'

# Eight hecat processes at once on one file: every one exits 0 and the
# file is whole after (every line a record, both addresses there once).
# None waits for another's lock, so some connects may not be kept: how
# many were is told, not checked.
v4succ() { awk -v a="$V4OK" '$2 == a { print $5 }' "$HFILE"; }
succ0=$(v4succ)
cpids=()
for i in 1 2 3 4 5 6 7 8; do
	XDG_CACHE_HOME=$HC_CACHE timeout -s KILL 30 \
	    ip netns exec "$NS_C" "$HECAT" -z bh6.test "$PORT" \
	    < /dev/null > /dev/null 2> "$tmp/err.$i" &
	cpids+=($!)
done
bad=0
for p in "${cpids[@]}"; do
	wait "$p" || bad=$((bad + 1))
done
check "8 concurrent processes: all connect" eval '[ $bad -eq 0 ]'
echo "# 8 concurrent processes: $(( $(v4succ) - succ0 )) of 8 connects kept"
check "8 concurrent processes: the file is whole" eval \
    '[ "$(head -n 1 "$HFILE")" = "hecat-history 1" ] &&
     [ "$(tail -n +2 "$HFILE" | awk "NF != 9" | wc -l)" -eq 0 ] &&
     [ "$(grep -c " $V6BH " "$HFILE")" -eq 1 ] &&
     [ "$(grep -c " $V4OK " "$HFILE")" -eq 1 ]'
check "no temporary file left beside it" eval \
    '[ "$(ls "$HC_CACHE/hecat" | grep -vc "^history\(\.lock\)\?$")" -eq 0 ]'

finish
