#!/bin/bash
# --qlog: real races written as qlog (JSON-SEQ, the HEv3 events of
# draft-kuehlewind-happy-qlog), each file validated by tests/qlog_check.py
# against docs/qlog/hev3-00.schema.json (written from the draft's CDDL)
# and the draft's conformance rules, then its content checked: healthy
# dual stack, IPv6 blackholed with its loser watched, IPv6 refused,
# everything blackholed until the deadline, NXDOMAIN.  --trace keeps its
# own schema alongside.  Root only: SKIP otherwise.
. "${srcdir:-.}/tests/cli_lib.sh"
. "${srcdir:-.}/tests/netns/lib.sh"
ns_require

trap 'ns_down; cleanup' EXIT

ns_up delay
ns_scenarios_addrs
ns_servers greet

Q=$tmp/q.sqlog
# valid: the file passes the schema and the conformance rules.
valid() { qlog_valid "$Q"; }
# qq FILTER: jq over the file's records (RFC 7464), as one array.
qq() { jq -r -s --seq "$@" "$Q" 2> /dev/null | tr -d '\036'; }
outcome() { qq "[.[] | select(.name == \"hev3:attempt_outcome\" and .data.attempt_id == \"$1\")][0].data.$2 // \"none\""; }

# 1. Healthy: the whole story, in order, and the IPv6 winner.
hn -z --qlog "$Q" healthy.test "$PORT"
check "1 healthy: the qlog is valid" valid
# How many of each (the answers may come in either order, and A after
# the attempt: then a re-sort), and the order that the race fixes.
check "1 healthy: the events, their counts and their order" eval \
    'jqok -s --seq "map(.name // \"header\") as \$n | (\$n | map(select(. == \"hev3:dns_query_started\")) | length) == 2 and
       (\$n | map(select(. == \"hev3:dns_query_finished\")) | length) == 2 and
       (\$n | map(select(. == \"hev3:candidate_discovered\")) | length) == 2 and
       (\$n | map(select(. == \"hev3:attempt_started\")) | length) == 1 and
       \$n[1] == \"hev3:config_set\" and \$n[-1] == \"hev3:metrics\" and \$n[-2] == \"hev3:connection_selected\" and
       (\$n | index(\"hev3:candidates_sorted\")) < (\$n | index(\"hev3:attempt_started\")) and
       (\$n | index(\"hev3:attempt_started\")) < (\$n | index(\"hev3:attempt_outcome\"))" "$Q"'
check "1 healthy: the header names the draft's schema, hev3-00" \
    jqok -s --seq '.[0].trace.event_schemas == ["urn:ietf:params:qlog:events:hev3-00"] and .[0].trace.vantage_point.type == "client"' "$Q"
check "1 healthy: IPv6 selected, its address and port" eval \
    '[ "$(qq "[.[] | select(.name == \"hev3:attempt_started\")][0].data.target | .address + \" \" + (.port | tostring) + \" \" + .family")" = "$V6OK $PORT ipv6" ] &&
     jqok -s --seq "[.[] | select(.name == \"hev3:metrics\")][0].data | .outcome == \"success\" and .first_success_family == \"ipv6\" and .attempts_total == 1" "$Q"'
check "1 healthy: the policy says what hecat used" \
    jqok -s --seq '[.[] | select(.name == "hev3:config_set")][0].data.policy | .resolution_delay_ms == 50 and .connection_attempt_delay_ms == 250 and .success_definition == "tcp_connected"' "$Q"

# 2. IPv6 blackholed, the loser watched 300 ms: the timer fires, IPv4
# wins, and the IPv6 attempt's one outcome comes after the selection.
hn -z --follow-losers 300ms --qlog "$Q" --trace "$tmp/t.jsonl" bh6.test "$PORT"
check "2 bh6: the qlog is valid" valid
check "2 bh6: the attempt timer fired before the IPv4 attempt" \
    jqok -s --seq 'map(.name) | index("hev3:next_attempt_timer_fired") < (indices("hev3:attempt_started")[1])' "$Q"
check "2 bh6: IPv6 watched out: timeout, 300 ms after the selection" eval \
    '[ "$(outcome 1 result)" = timeout ] && [ "$(outcome 1 watched)" = true ] &&
     [ "$(outcome 1 error_code)" = ETIMEDOUT ] && within "$(outcome 1 after_selected_ms)" 299 400 &&
     [ "$(outcome 2 result)" = success ] &&
     jqok -s --seq "map(.name) | index(\"hev3:connection_selected\") < rindex(\"hev3:attempt_outcome\")" "$Q"'
check "2 bh6: metrics last, two attempts, one success" \
    jqok -s --seq '.[-1].name == "hev3:metrics" and (.[-1].data | .attempts_total == 2 and .attempts_success == 1 and .attempts_failure == 1 and .first_success_family == "ipv4")' "$Q"
check "2 bh6: --trace keeps its schema (v 1) beside --qlog" \
    jqok -s 'all(.[]; .v == 1) and any(.[]; .ev == "loser")' "$tmp/t.jsonl"

# 3. IPv6 refused: a failure with its errno.
hn -z --qlog "$Q" rf6.test "$PORT"
check "3 rf6: valid, the refusal's error code" eval \
    'valid && [ "$(outcome 1 result)" = failure ] && [ "$(outcome 1 error_code)" = ECONNREFUSED ]'

# 4. Everything blackholed until -w: every attempt timed out, aborted.
hn -z -w 1.2 --qlog "$Q" dead.test "$PORT"
check "4 dead: valid, every attempt timed out, the session aborted" eval \
    'rc_is 75 && valid &&
     jqok -s --seq "([.[] | select(.name == \"hev3:attempt_outcome\") | .data.result] | unique) == [\"timeout\"] and any(.[]; .name == \"hev3:connection_aborted\") and .[-1].data.outcome == \"aborted\"" "$Q"'

# 5. NXDOMAIN: negative answers, then aborted; no attempt.
hn -z --qlog "$Q" nx.test "$PORT"
check "5 nx: valid, NXDOMAIN negative, aborted without attempts" eval \
    'rc_is 68 && valid &&
     jqok -s --seq "([.[] | select(.name == \"hev3:dns_query_finished\") | .data | .answer_type + \" \" + .error_code] | unique) == [\"negative NXDOMAIN\"] and .[-1].data.attempts_total == 0" "$Q"'

# 6. A file that cannot be written: one line, exit 64, no dial.
hn -z --qlog /nonexistent/q.sqlog healthy.test "$PORT"
check "6 an unwritable --qlog: usage error naming it" eval \
    'rc_is 64 && err_lines 1 && err_has "^hecat: --qlog: ./nonexistent/q.sqlog.: No such file or directory"'
finish
