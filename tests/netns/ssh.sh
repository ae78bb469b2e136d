#!/bin/bash
# Scenario 13: ssh through hecat with IPv6 blackholed.  A real OpenSSH
# server in the server namespace listens on both families; SYNs to its
# IPv6 address are dropped.  ssh in the client namespace uses hecat as its
# ProxyCommand, both as a relay (ProxyCommand hecat %h %p) and passing the
# socket back (ProxyUseFdpass yes, hecat -F).  Each way: a command's
# output, 100 MB up and 100 MB down with matching SHA-256 sums, and from
# hecat's own trace, the first attempt to the IPv6 address, the IPv4
# attempt one attempt delay later, and the IPv4 address winning shortly
# after.  hecat resolves the name through the namespace's resolv.conf
# (the default path); ssh itself resolves nothing.  Root only, and needs
# sshd and ssh: SKIP otherwise.
#
# Then the same through a SOCKS5 proxy (danted, in the server namespace,
# named proxy.test: its IPv6 address blackholed too): hecat races the
# proxy's addresses (IPv4 wins one attempt delay after IPv6), then,
# resolving ssh.test itself (socks5://), races its addresses through the
# proxy (the proxy's connect to the IPv6 address hangs; IPv4 wins one
# attempt delay later): Happy Eyeballs through the proxy.  And -X 5 with a
# literal: the engine itself races proxy.test's addresses.  Without
# danted, those checks SKIP.
. "${srcdir:-.}/tests/cli_lib.sh"
. "${srcdir:-.}/tests/netns/lib.sh"
. "${srcdir:-.}/tests/proxy_lib.sh"
. "${srcdir:-.}/tests/netns/ssh_lib.sh"

ssh_require
ns_require

trap 'ns_down; cleanup' EXIT

V6=2001:db8:2::22
V4=198.51.100.22
NAME=ssh.test

P6=2001:db8:2::100
P4=198.51.100.100
PNAME=proxy.test

ns_up veth
ns_addr $V6 blackhole
ns_addr $V4 accept
ns_addr $P6 blackhole
ns_addr $P4 refuse		# no listener but danted's
cat > "$tmp/zone" <<ZONE
$NAME AAAA $V6
$NAME A $V4
$PNAME AAAA $P6
$PNAME A $P4
ZONE
ns_servers greet		# hecat-dnsd; no hecat-listen on port 22

# Keys and configuration, all in $tmp (ssh_lib.sh).
if ! ssh_setup "$NAME" "$V6" "$V4"; then
	rc=1
	fail "sshd -t accepts the configuration"
	finish
	exit 1
fi
# Ready when sshd has said it listens on both addresses (the IPv6 one
# cannot be probed, its SYNs are dropped); then a connect to the IPv4
# address must succeed.
if ! ssh_start "$V6" "$V4" ||
    ! timeout -s KILL $((5 * SLOWDOWN)) ip netns exec "$NS_C" "$HECAT" -z -n \
    "$V4" "$SSH_PORT" 2>/dev/null; then
	rc=1
	cp "$tmp/sshd.log" "$tmp/err"
	fail "sshd listens on [$V6]:$SSH_PORT and $V4:$SSH_PORT"
	finish
	exit 1
fi
pass "sshd listens on [$V6]:$SSH_PORT and $V4:$SSH_PORT"

ssh_data

# sshc TRACE FDPASS COMMAND [ssh args...]: ssh in the client namespace
# through hecat (with $VIA's options, if set: a proxy), stdin from $IN
# (or /dev/null), stdout to $tmp/out (or $OUT), stderr to $tmp/err; sets
# rc and elapsed (ms).
sshc() {
	local trace=$1 fdpass=$2 pc
	shift 2
	pc="$HECAT_ABS --connect-timeout 5 --trace $trace ${VIA:-}"
	[ "$fdpass" = yes ] && pc="$HECAT_ABS -F --connect-timeout 5 --trace $trace ${VIA:-}"
	ssh_run "$pc %h %p" "$fdpass" "$NAME" "$@"
}

# race_ok NAME TRACE: the trace shows IPv6 first, IPv4 one attempt delay
# later ("attempt_delay"), IPv4 the winner; timed from the AAAA answer,
# when the IPv6 attempt started (tests/netns/lib.sh, ev_ms): IPv4 starts
# 250 to 300 ms after it and connects 250 to 400 ms after it (the upper
# bounds stretching with HECAT_TEST_SLOWDOWN).
race_ok() {
	local name=$1 t=$2 order why aaaa at ms win
	order=$(jq -r -s '[.[] | select(.ev == "attempt_start") | .addr] | join(" ")' "$t")
	why=$(jq -r -s '[.[] | select(.ev == "attempt_start")][1].reason // "none"' "$t")
	aaaa=$(ev_t "$t" '.ev == "resolve_done" and .family == "inet6"')
	at=$(gap "$aaaa" "$(ev_t "$t" '.ev == "attempt_start"' 1)")
	win=$(jq -r -s '[.[] | select(.ev == "winner")][0].addr // "none"' "$t")
	ms=$(gap "$aaaa" "$(ev_t "$t" '.ev == "winner"')")
	if [ "$order" = "$V6 $V4" ] && [ "$why" = attempt_delay ] &&
	    within "$at" 249 300 && [ "$win" = "$V4" ] &&
	    within "$ms" 249 400; then
		pass "$name: IPv6 first, IPv4 $at ms after AAAA, connected $ms ms after"
	else
		fail "$name" "want order '$V6 $V4', 2nd reason attempt_delay [249,300] ms after AAAA, winner $V4 [249,400] ms after (x$SLOWDOWN); got order '$order', reason $why at $at ms, winner $win at $ms ms"
		echo "  trace:"
		sed 's/^/    /' "$t"
	fi
	echo "# $name: connected ${ms} ms after the AAAA answer"
}

# race_pair NAME TRACE COND A6 A4 FIELD: among the events of TRACE for
# which the jq condition COND holds, the attempts went to A6 then A4
# (their FIELD: addr, or target through a proxy), the second one attempt
# delay after the first (timed from COND's AAAA answer, which started
# the first: 249 to 300 ms), and A4 won within 400 ms of that answer.
race_pair() {
	local name=$1 t=$2 cond=$3 a6=$4 a4=$5 field=$6 order why aaaa at ms win
	order=$(jq -r -s "[.[] | select($cond and .ev == \"attempt_start\") | .$field] | join(\" \")" "$t")
	why=$(jq -r -s "[.[] | select($cond and .ev == \"attempt_start\")][1].reason // \"none\"" "$t")
	aaaa=$(ev_t "$t" "$cond and .ev == \"resolve_done\" and .family == \"inet6\"")
	at=$(gap "$aaaa" "$(ev_t "$t" "$cond and .ev == \"attempt_start\"" 1)")
	win=$(jq -r -s "[.[] | select($cond and .ev == \"winner\")][0].$field // \"none\"" "$t")
	ms=$(gap "$aaaa" "$(ev_t "$t" "$cond and .ev == \"winner\"")")
	if [ "$order" = "$a6 $a4" ] && [ "$why" = attempt_delay ] &&
	    within "$at" 249 300 && [ "$win" = "$a4" ] &&
	    within "$ms" 249 400; then
		pass "$name: $a6 first, $a4 $at ms after AAAA, won $ms ms after"
	else
		fail "$name" "want order '$a6 $a4', 2nd reason attempt_delay [249,300] ms after AAAA, winner $a4 [249,400] ms after (x$SLOWDOWN); got order '$order', reason $why at $at ms, winner $win at $ms ms"
		echo "  trace:"
		sed 's/^/    /' "$t"
	fi
}

# race_of NAME TRACE: the race(s) of the dial ssh asked hecat for.
race_of() {
	if [ -z "$VIA" ]; then
		race_ok "$1" "$2"
		return
	fi
	race_pair "$1, to the proxy" "$2" '.proxy_race == true' \
	    "$P6" "$P4" addr
	race_pair "$1, through it" "$2" '(.proxy_race | not)' \
	    "$V6" "$V4" target
}

if command -v danted >/dev/null || [ -x /usr/sbin/danted ]; then
	start_danted PX -n "$NS_S" -a "$P6" -a "$P4"
	modes="relay fdpass proxy-relay proxy-fdpass"
else
	echo "# SKIP: the proxy modes: no danted (dante-server)"
	modes="relay fdpass"
fi

for mode in $modes; do
	fd=no
	VIA=
	case $mode in *fdpass) fd=yes ;; esac
	case $mode in proxy-*) VIA="--proxy socks5://$PNAME:$PX" ;; esac

	# A command, its output and status.
	IN=/dev/null sshc "$tmp/t.$mode.cmd" $fd 'echo ok; id -u'
	check "$mode: ssh runs a command (exit 0, 'ok' and uid 0)" \
	    eval 'rc_is 0 && out_is "$(printf "ok\n0")"'
	check "$mode: nothing on stderr" eval '[ ! -s "$tmp/err" ]'
	race_of "$mode: command's dial" "$tmp/t.$mode.cmd"
	check "$mode: hecat is gone after ssh" no_lingering "$tmp/t.$mode.cmd"
	if [ $fd = yes ]; then
		check "$mode: hecat exited 0 after passing the socket" \
		    jqok -s '.[-1] | .ev == "summary" and .exit == 0 and .outcome == "connected"' \
		    "$tmp/t.$mode.cmd"
	fi

	# 100 MB up, summed on the far side.
	IN=$tmp/data sshc "$tmp/t.$mode.up" $fd \
	    "cat > $tmp/up && sha256sum < $tmp/up"
	up_ms=$elapsed
	check "$mode: ${MB} MB up in ${up_ms} ms, checksums match" \
	    eval 'rc_is 0 && out_is "$SUM  -"'
	check "$mode: nothing on stderr (up)" eval '[ ! -s "$tmp/err" ]'
	race_of "$mode: upload's dial" "$tmp/t.$mode.up"
	check "$mode: hecat is gone after ssh (up)" no_lingering "$tmp/t.$mode.up"
	rm -f "$tmp/up"

	# 100 MB down.
	OUT=$tmp/down IN=/dev/null sshc "$tmp/t.$mode.down" $fd "cat $tmp/data"
	down_ms=$elapsed
	got=$(sha256sum < "$tmp/down" | cut -d' ' -f1)
	check "$mode: ${MB} MB down in ${down_ms} ms, checksums match" \
	    eval 'rc_is 0 && [ "$got" = "$SUM" ]'
	check "$mode: nothing on stderr (down)" eval '[ ! -s "$tmp/err" ]'
	race_of "$mode: download's dial" "$tmp/t.$mode.down"
	check "$mode: hecat is gone after ssh (down)" no_lingering "$tmp/t.$mode.down"
	rm -f "$tmp/down"
	echo "# $mode: ${MB} MB up ${up_ms} ms, down ${down_ms} ms (whole ssh run)"
done

if [ -n "${PX:-}" ]; then
	# -X 5 with a literal: the engine races proxy.test's own addresses.
	hn -z -X 5 -x "$PNAME:$PX" --trace "$tmp/t.jsonl" "$V4" "$SSH_PORT"
	check "-X 5 -x $PNAME: connected through the proxy" rc_is 0
	race_pair "-X 5 -x $PNAME" "$tmp/t.jsonl" 'true' "$P6" "$P4" addr
fi

finish
