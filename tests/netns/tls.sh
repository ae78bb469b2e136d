#!/bin/bash
# Racing until the connection is usable, in namespaces (tests/netns/lib.sh):
# a dual-stack name whose IPv6 address accepts TCP and then says nothing
# (hecat-listen -m hold), and whose IPv4 address runs a real TLS server
# (openssl s_server, tests/tls_lib.sh, a certificate for the name made at
# test time).
#
#   --tls (the race until tls): the IPv6 attempt connects but does not
#     count; the IPv4 attempt starts one attempt delay (250 ms) after it,
#     finishes its handshake and wins; data goes through the session.
#   --tls --race-until tcp: IPv6 wins the race at TCP, IPv4 is never
#     tried; the handshake runs on the winner after the race, times out
#     (--attempt-timeout 1) and the dial fails, exit 75.
#   --race-until banner, no TLS: the same with a server that speaks first
#     on IPv4 and a silent one on IPv6; and the race until tcp for
#     contrast (IPv6 wins, nothing comes).
#
# Times come from the trace's own timestamps (cli_lib.sh, "timing"): the
# IPv4 attempt at least 250 ms after the AAAA answer that started the
# IPv6 one (the lower bound, never scaled: lib.sh's ev_ms says why it is
# counted from the answer), and at most 300 ms (stretched by
# HECAT_TEST_SLOWDOWN) after the IPv6 attempt_start.  Root only, and
# needs openssl (and the rest of tls_lib.sh's servers): SKIP otherwise.
. "${srcdir:-.}/tests/cli_lib.sh"
. "${srcdir:-.}/tests/netns/lib.sh"
. "${srcdir:-.}/tests/proxy_lib.sh"
. "${srcdir:-.}/tests/tls_lib.sh"

ns_require
tls_require
trap 'ns_down; cleanup' EXIT

V6=2001:db8:2::10	# TLS: accepts, silent
V4=198.51.100.10	# TLS: s_server
B6=2001:db8:2::11	# banner: accepts, silent
B4=198.51.100.11	# banner: greets
TPORT=443

ns_up veth
# No hecat-listen from ns_servers on these: each gets its own below.
for a in $V6 $V4 $B6 $B4; do
	ns_addr "$a" refuse
done
cat > "$tmp/zone" <<ZONE
tls.test AAAA $V6
tls.test A $V4
banner.test AAAA $B6
banner.test A $B4
ZONE
ns_servers greet		# the DNS server only

tls_make_pki
CA=(--tls-ca "$TLS_DIR/ca.pem")
ns_start "$NS_S" HOLD6 tests/hecat-listen -a "$V6" -p "$TPORT" -m hold -t 600
start_s_server TLS4 -n "$NS_S" -a "$V4" -p "$TPORT" -c ns4
ns_start "$NS_S" BHOLD6 tests/hecat-listen -a "$B6" -p "$TPORT" -m hold -t 600
ns_start "$NS_S" BGREET4 tests/hecat-listen -a "$B4" -p "$TPORT" -m greet -t 600

# ev_of COND [N]: t_ms of the Nth (from 0) trace event matching COND.
ev_of() { ev_t "$tmp/t.jsonl" "$@"; }

# second_at_delay: the second attempt one attempt delay after the first:
# at least 249 ms after the AAAA answer (the first attempt's start), at
# most 300 ms (stretching) after the first attempt_start.
second_at_delay() {
	local from_answer from_first
	from_answer=$(gap "$(ev_ms inet6)" "$(attempt_ms 1)")
	from_first=$(gap "$(attempt_ms 0)" "$(attempt_ms 1)")
	if at_least "$from_answer" 249 && no_later "$from_first" 250 300; then
		return 0
	fi
	echo "  the IPv4 attempt: $from_answer ms after the AAAA answer (want >= 249)," \
	    "$from_first ms after the IPv6 attempt (want <= 300, x$SLOWDOWN)"
	return 1
}

# ---- the race until TLS --------------------------------------------------------
printf 'hello\n' > "$tmp/hello"
IN=$tmp/hello hn -v --tls "${CA[@]}" --trace "$tmp/t.jsonl" tls.test "$TPORT"
check "race until tls: exit 0, IPv4 wins, the reply through TLS" eval \
    'rc_is 0 && [ "$(winner_addr)" = "$V4" ] && out_is olleh &&
     err_has "the server is verified for tls\.test$"'
check "race until tls: IPv6 first, then IPv4" eval \
    '[ "$(attempt_order)" = "$V6 $V4" ]'
check "race until tls: the IPv6 attempt connected (TCP) and started TLS" \
    jqok -s --arg a "$V6" 'any(.[]; .ev == "stage_done" and
        .stage == "tcp" and .addr == $a) and any(.[]; .ev == "stage_start"
        and .stage == "tls" and .addr == $a) and
        ([.[] | select(.ev == "attempt_end" and .addr == $a and
        .result == "connected")] | length == 0)' "$tmp/t.jsonl"
check "race until tls: the IPv6 TCP connect came before the IPv4 attempt" \
    eval '[ "$(gap "$(ev_of ".ev == \"stage_done\" and .stage == \"tcp\" and .addr == \"$V6\"")" "$(attempt_ms 1)" | cut -c1)" != - ]'
check "race until tls: the IPv4 attempt one attempt delay after the IPv6 one" \
    second_at_delay
check "race until tls: IPv4 counted at tls, verified for the name" \
    jqok -s --arg a "$V4" 'any(.[]; .ev == "attempt_end" and .addr == $a
        and .result == "connected" and .stage == "tls") and
        any(.[]; .ev == "stage_step" and .addr == $a and
        .detail == "verified: CA ('"$TLS_DIR"'/ca.pem) for tls.test")' \
    "$tmp/t.jsonl"
check "race until tls: the winner's handshake done soon after its start" \
    no_later "$(gap "$(attempt_ms 1)" "$(ev_ms winner)")" 0 100

# ---- the race until TCP, TLS after it ----------------------------------------------
hn --tls "${CA[@]}" --race-until tcp --attempt-timeout 1 --trace "$tmp/t.jsonl" \
    tls.test "$TPORT"
check "race until tcp: IPv6 wins the race, its TLS times out: exit 75" eval \
    'rc_is 75 && err_lines 1 && err_has "\[$V6\]:$TPORT \(TLS: timed out\)$"'
check "race until tcp: IPv4 never tried" eval \
    '[ "$(attempt_order)" = "$V6" ]'
check "race until tcp: the tls stage runs on IPv6, after it connected" \
    jqok -s --arg a "$V6" '([.[] | select(.ev == "stage_start" and
        .stage == "tls")] | length == 1 and .[0].addr == $a) and
        (map(select(.ev == "attempt_end" and .addr == $a and
        .result == "connected"))[0].t_ms <= map(select(.ev ==
        "stage_start" and .stage == "tls"))[0].t_ms) and
        any(.[]; .ev == "attempt_end" and .addr == $a and .stage == "tls"
        and .result != "connected")' "$tmp/t.jsonl"
check "race until tcp: the handshake timed out 1 s after it started" eval \
    'within "$(gap "$(ev_of ".ev == \"stage_start\" and .stage == \"tls\"")" "$(ev_ms end)")" 999 1300'

# ---- the race until a banner, no TLS ------------------------------------------------
hn --race-until banner --trace "$tmp/t.jsonl" banner.test "$TPORT"
check "race until banner: exit 0, IPv4's greeting" eval \
    'rc_is 0 && [ "$(winner_addr)" = "$B4" ] && out_is "hello from $B4"'
check "race until banner: IPv6 connected first, and did not count" \
    eval '[ "$(attempt_order)" = "$B6 $B4" ] &&
    jqok -s --arg a "$B6" "any(.[]; .ev == \"stage_done\" and
        .stage == \"tcp\" and .addr == \$a)" "$tmp/t.jsonl"'
check "race until banner: the IPv4 attempt one attempt delay after the IPv6 one" \
    second_at_delay
hn -d --idle-timeout 1 --trace "$tmp/t.jsonl" banner.test "$TPORT"
check "race until tcp (the default): the silent IPv6 server wins, nothing comes" \
    eval '[ "$(winner_addr)" = "$B6" ] && [ "$(attempt_order)" = "$B6" ] &&
    out_empty'

finish
