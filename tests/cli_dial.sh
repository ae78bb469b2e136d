#!/bin/bash
# hecat's dial: -z, the -v and -vv lines, the JSON trace, the options that
# shape the race, and the exit status of every way a dial can end.  Real
# listeners on 127.0.0.1 and ::1, the suite's DNS server on loopback.
# Times: from -vv's own stamps, upper bounds stretching with
# HECAT_TEST_SLOWDOWN (cli_lib.sh, "timing").
. "${srcdir:-.}/tests/cli_lib.sh"

start_dns
start_server PORT tests/hecat-listen -m greet -t 120
# A port with nothing listening: a server started and stopped.
start_server CLOSED tests/hecat-listen -t 120
stop_server "$SERVER_PID"

# -z: race, report, close, exit.
hc -z "$DNS" dual.test "$PORT"
check "-z open port: exit 0, silent" eval 'rc_is 0 && out_empty && [ ! -s "$tmp/err" ]'
hc -z "$DNS" dual.test "$CLOSED"
check "-z closed port: exit 1" rc_is 1
check "-z closed port: one line names host, port and each address" eval \
    'err_lines 1 && err_has "^hecat: dual.test port $CLOSED: .*127.0.0.1:$CLOSED \(Connection refused\)"'
check "-z closed port: nothing on stdout" out_empty

# -v: nc's lines, so "grep succeeded" scripts keep working.
hc -zv "$DNS" dual.test "$PORT"
# nc's sentence exactly, ending in "succeeded!" (grep 'succeeded!$'),
# then hecat's own line: the family and the time.
if have_ipv6; then
	check "-v: nc's success line, IPv6 first, nothing after its !" err_has \
	    "^Connection to dual.test \(::1\) $PORT port \[tcp/[^]]*\] succeeded!$"
	check "-v: hecat's line after it: via=ipv6 time=" eval \
	    'grep -A1 "succeeded!$" "$tmp/err" | tail -n 1 | grep -Eq "^hecat: via=ipv6 time=[0-9.]+ms$"'
else
	check "-v: nc's success line, nothing after its !" err_has \
	    "^Connection to dual.test \(127.0.0.1\) $PORT port \[tcp/[^]]*\] succeeded!$"
	check "-v: hecat's line after it: via=ipv4 time=" eval \
	    'grep -A1 "succeeded!$" "$tmp/err" | tail -n 1 | grep -Eq "^hecat: via=ipv4 time=[0-9.]+ms$"'
fi
check "-v: the done line" err_has "^hecat: done exit=0 sent=0 received=0 duration="
hc -zv "$DNS" 127.0.0.1 "$PORT"
check "-v: no (ADDR) for a literal" err_has "^Connection to 127.0.0.1 $PORT port"
hc -zv "$DNS" dual.test "$CLOSED"
check "-v: a line per failed attempt" eval \
    'err_has "^hecat: connect to dual.test \(127.0.0.1\) port $CLOSED \(tcp\) failed: Connection refused"'

# -vv: the timeline.
hc -zvv "$DNS" slow6.test "$PORT"
check "-vv: queries sent" err_has '^hecat: \+[0-9.]+ms query family=inet6 name=slow6.test try=1$'
check "-vv: answers" err_has '^hecat: \+[0-9.]+ms answer family=inet count=1 addrs=127.0.0.1 time='
check "-vv: the Resolution Delay" err_has 'resolution-delay wait=50ms for=inet6'
check "-vv: candidates" err_has "candidates order=127.0.0.1 port=$PORT"
check "-vv: the attempt and its reason" err_has "attempt id=1 addr=127.0.0.1:$PORT start reason=first"
check "-vv: connected" err_has "attempt id=1 addr=127.0.0.1:$PORT connected rtt="
check "-vv: the winner" err_has "winner id=1 addr=127.0.0.1:$PORT family=inet connect="
check "-vv: the AAAA query abandoned" err_has "query family=inet6 abandoned"
check "-vv: done" err_has '^hecat: \+[0-9.]+ms done exit=0'
# The Resolution Delay, by -vv's own stamps: from the A answer to the
# attempt, 50 ms and not less (the upper bound stretching with
# HECAT_TEST_SLOWDOWN: cli_lib.sh, "timing").
ms=$(gap "$(vv_t "answer family=inet ")" "$(vv_t "attempt id=1 .*start")")
check "-vv: at 50 ms after the A answer, not before ($ms ms)" \
    within "$ms" 49 150

# The JSON Lines trace.
hc -z --trace "$tmp/trace.jsonl" "$DNS" slow6.test "$CLOSED" "$PORT"
check "--trace: exit 0 over the second port" rc_is 0
check "--trace: every line is JSON of version 1" \
    jqok -s 'length > 5 and all(.v == 1)' "$tmp/trace.jsonl"
check "--trace: start first, summary last" \
    jqok -s '.[0].ev == "start" and .[-1].ev == "summary"' "$tmp/trace.jsonl"
check "--trace: the start object" jqok -s --argjson p "$PORT" \
    '.[0] | .tool == "hecat" and .host == "slow6.test" and (.ports | index($p)) != null and .params.attempt_delay_ms == 250 and (.argv | length) > 3' \
    "$tmp/trace.jsonl"
check "--trace: the resolver set up once, just before the first query" jqok -s \
    '(map(.ev) | index("resolver")) + 1 == (map(.ev) | index("resolve_start")) and ([.[] | select(.ev == "resolver")] | length == 1 and .[0].name == "getdns" and .[0].load_ms >= 0 and .[0].elapsed_ms > 0)' \
    "$tmp/trace.jsonl"
hc -z --trace "$tmp/lit.jsonl" -n 127.0.0.1 "$PORT"
check "--trace: a literal dial never sets the resolver up" jqok -s \
    'length > 3 and all(.ev != "resolver" and .ev != "resolve_start")' \
    "$tmp/lit.jsonl"
check "--trace: attempts in order with reasons" jqok -s \
    '[.[] | select(.ev == "attempt_start") | .reason] == ["first", "previous_failed"]' \
    "$tmp/trace.jsonl"
check "--trace: the refused attempt" jqok -s --argjson c "$CLOSED" \
    'any(.[]; .ev == "attempt_end" and .port == $c and .result == "refused" and .errno == "ECONNREFUSED")' \
    "$tmp/trace.jsonl"
check "--trace: the summary" jqok -s --argjson p "$PORT" \
    '.[-1] | .exit == 0 and .outcome == "connected" and .winner.port == $p and .ip_version == 4 and .attempts == 2 and (.failures | length) == 1 and .resolve_ms > 0 and .connect_ms >= .resolve_ms' \
    "$tmp/trace.jsonl"
hc -z --trace - "$DNS" nx.test "$PORT"
check "--trace -: to stderr, summary with exit 68" eval \
    'grep "^{" "$tmp/err" | jq -e -s ".[-1].ev == \"summary\" and .[-1].exit == 68 and .[-1].outcome == \"no_host\"" >/dev/null'
exec 7> "$tmp/fd7.jsonl"
hc -z --trace fd:7 "$DNS" 127.0.0.1 "$PORT"
exec 7>&-
check "--trace fd:N" jqok -s '.[-1].exit == 0' "$tmp/fd7.jsonl"

# Options that shape the race.
if have_ipv6; then
	hc -zv -4 "$DNS" dual.test "$PORT"
	check "-4: IPv4 only" eval 'rc_is 0 && err_has "via=ipv4"'
	hc -zv -6 "$DNS" dual.test "$PORT"
	check "-6: IPv6 only" eval 'rc_is 0 && err_has "via=ipv6"'
	hc -zv --prefer 4 "$DNS" dual.test "$PORT"
	check "--prefer 4" eval 'rc_is 0 && err_has "via=ipv4"'
	hc -zv -s ::1 "$DNS" dual.test "$PORT"
	check "-s ::1: its family" eval 'rc_is 0 && err_has "via=ipv6"'
	hc -zv "$DNS" "[::1]" "$PORT"
	check "bracketed IPv6 literal" eval 'rc_is 0 && err_has "via=ipv6"'
	hc -z -6 "$DNS" v4.test "$PORT"
	check "-6 on an IPv4-only name: exit 68" rc_is 68
fi
hc -zv -s 127.0.0.1 "$DNS" dual.test "$PORT"
check "-s 127.0.0.1: its family" eval 'rc_is 0 && err_has "via=ipv4"'
LPORT=$((20000 + RANDOM % 20000))
hc -z -p "$LPORT" --trace "$tmp/p.jsonl" "$DNS" v4.test "$PORT"
check "-p: the local port" jqok -s --argjson l "$LPORT" \
    '.[-1].local_port == $l' "$tmp/p.jsonl"
hc -z -n "$DNS" 127.0.0.1 "$PORT"
check "-n with a literal" rc_is 0
hc -zv "$DNS" 127.0.0.1 tcpmux
check "a service name for the port" eval 'rc_is 1 && err_has "port 1[: ]"'
hc "$DNS" 127.0.0.1 "$PORT" -z
check "options after operands" eval 'rc_is 0 && out_empty'
hc -z -N "$DNS" 127.0.0.1 "$PORT"
check "-N is accepted" rc_is 0
hc -z --trace "$tmp/knobs.jsonl" --attempt-delay 30ms --resolution-delay 0 \
    --first-family-count 2 --attempt-timeout 2s --resolve-timeout 300ms \
    --resolve-retries 1 --connect-timeout 5 "$DNS" v4.test "$CLOSED" "$PORT"
check "the Happy Eyeballs knobs are taken" jqok -s \
    '.[0].params | .attempt_delay_ms == 30 and .resolution_delay_ms == 0 and .first_family_count == 2 and .attempt_timeout_ms == 2000 and .resolve_timeout_ms == 300 and .resolve_retries == 1 and .connect_timeout_ms == 5000' \
    "$tmp/knobs.jsonl"
hc -zvv --resolution-delay 150ms "$DNS" slow6.test "$PORT"
ms=$(gap "$(vv_t "answer family=inet ")" "$(vv_t "attempt id=1 .*start")")
check "--resolution-delay 150ms: IPv4 150 ms after the A answer ($ms ms)" \
    eval 'err_has "resolution-delay wait=150ms" && within "$ms" 149 250'
hc -zv --attempt-delay 5ms "$DNS" v4.test "$PORT"
check "--attempt-delay 5ms: clamped to 10ms, said at -v" eval \
    'rc_is 0 && err_has "attempt-delay clamped to 10ms"'

# Exit statuses.
hc -z "$DNS" nx.test "$PORT"
check "NXDOMAIN: exit 68, one line" eval 'rc_is 68 && err_lines 1 && err_has "nx.test port $PORT: no address associated with name \(AAAA: NXDOMAIN, A: NXDOMAIN\)"'
hc -z --resolve-retries 0 "$DNS" sf.test "$PORT"
check "SERVFAIL: exit 75" eval 'rc_is 75 && err_has "SERVFAIL"'
hc -z --resolve-timeout 100ms --resolve-retries 0 "$DNS" silent.test "$PORT"
check "DNS timeout: exit 75" eval 'rc_is 75 && err_has "name resolution failed \(AAAA: TIMEOUT, A: TIMEOUT\)"'
hc -z -w 0.3 "$DNS" silent.test "$PORT"
# -w is a deadline for the whole run: timed as one (hc), the upper bound
# stretching.
check "-w deadline: exit 75 after 0.3 s" eval 'rc_is 75 && err_has "timed out after 300 ms" && slower_than 290 && faster_than 3000'
hc -z --connect-timeout 300ms "$DNS" silent.test "$PORT"
check "--connect-timeout: exit 75" rc_is 75

# 71: out of descriptors.  The descriptors this shell leaves open count,
# so try limits from the smallest up; one of them must fail cleanly with
# 71, and none may fail any other way than 71 or the refusal (1).
got71=0
bad=""
for n in $(seq 4 16); do
	( ulimit -n "$n"; exec timeout 10 "$HECAT" -z "$DNS" 127.0.0.1 "$CLOSED" ) \
	    > /dev/null 2> "$tmp/err"
	r=$?
	case $r in
	71) got71=1; err_lines 1 || bad="$bad n=$n:lines" ;;
	1) ;;
	*) bad="$bad n=$n:$r" ;;
	esac
done
check "out of descriptors: exit 71, one line" eval '[ $got71 -eq 1 ] && [ -z "$bad" ]'

# 77: EACCES/EPERM, from a "prohibit" route in a network namespace of our
# own (root only).
if [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then
	unshare -n bash -c 'ip link set lo up && ip route add prohibit 192.0.2.1/32 &&
	    exec timeout 10 "$0" -z --dns-server 127.0.0.1:9 192.0.2.1 80' \
	    "$HECAT" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	check "EACCES: exit 77" eval 'rc_is 77 && err_has "192.0.2.1:80 \(Permission denied\)"'
else
	echo "SKIP: exit 77 needs root and network namespaces"
fi

finish
