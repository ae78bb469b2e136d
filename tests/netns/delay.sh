# tests/netns/delay.sh - the delay line's part of lib.sh (sourced by it).
#
# ns_up delay joins the namespaces by TUN devices, hc0 in the client and
# hc1 in the server, and starts tests/netns/hecat-delayline between them
# (ns_delay_start).  The delays are one way, client to server, by the
# servers' prefix; the DNS server's address has none, so that DNS timing
# is made by hecat-dnsd's rules only.  They live in a rules file that
# ns_delay_set rewrites; the delay line reads it again at SIGHUP and says
# "reloaded N" on its stdout, which we read (with a deadline) from a FIFO
# kept open on $NS_DELAY_FD.
#
#   NS_DELAY_LOG=FILE   log every packet there (hecat-delayline -l)
#   NS_DELAY_SECONDS=N  the delay line's lifetime (default 600 s, as the
#                       listeners'; it also ends with the script)

NS_DELAYLINE=${NS_DELAYLINE:-tests/netns/hecat-delayline}
NS_DELAY_PID=
NS_DELAY_FD=
NS_DELAY_GEN=0

# ns_delay_rules V6MS V4MS [V6RET V4RET]: write the rules file.  The
# return delays (server to client, by the server's address) default to 0.
ns_delay_rules() {
	cat > "$tmp/delays.new" <<EOF
2001:db8:2::/64 $1
198.51.100.0/24 $2
$DNS_ADDR/32 0
return 2001:db8:2::/64 ${3:-0}
return 198.51.100.0/24 ${4:-0}
return $DNS_ADDR/32 0
EOF
	mv -f "$tmp/delays.new" "$tmp/delays"
}

# ns_delay_start V6MS V4MS: the delay line between $NS_C and $NS_S, with
# V6MS on the way to 2001:db8:2::/64 and V4MS to 198.51.100.0/24; returns
# when it runs.  ns_down stops it.
ns_delay_start() {
	local fifo=$tmp/delayline.fifo line

	ns_delay_rules "$1" "$2"
	if [ -n "$NS_DELAY_FD" ]; then
		exec {NS_DELAY_FD}<&-
	fi
	NS_DELAY_GEN=0
	mkfifo "$fifo"
	"$NS_DELAYLINE" -c "$NS_C" -s "$NS_S" -i hc0 -o hc1 \
	    -f "$tmp/delays" -t "${NS_DELAY_SECONDS:-600}" \
	    ${NS_DELAY_LOG:+-l "$NS_DELAY_LOG"} > "$fifo" &
	NS_DELAY_PID=$!
	ns_pids+=("$NS_DELAY_PID")
	pids+=("$NS_DELAY_PID")
	exec {NS_DELAY_FD}< "$fifo"
	rm -f "$fifo"
	if ! read -t $((5 * SLOWDOWN)) -r line <&"$NS_DELAY_FD" ||
	    [ "$line" != ready ]; then
		echo "FAIL: the delay line did not start"
		exit 1
	fi
}

# ns_delay_set V6MS V4MS [V6RET V4RET]: new delays (as ns_delay_start;
# the return ones, server to client, default to 0); returns once the
# delay line has them, so the next packet gets them.
ns_delay_set() {
	local line

	ns_delay_rules "$@"
	NS_DELAY_GEN=$((NS_DELAY_GEN + 1))
	kill -HUP "$NS_DELAY_PID"
	if ! read -t $((5 * SLOWDOWN)) -r line <&"$NS_DELAY_FD" ||
	    [ "$line" != "reloaded $NS_DELAY_GEN" ]; then
		echo "FAIL: the delay line did not take the new delays ($*):" \
		    "${line:-no answer}"
		exit 1
	fi
}
