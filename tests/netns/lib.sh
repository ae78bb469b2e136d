# tests/netns/lib.sh - the scenario network.  Source it (after cli_lib.sh).
# The trace helpers at the end time a schedule from the event that starts
# it (cli_lib.sh, "timing"; HECAT_TEST_SLOWDOWN stretches upper bounds).
#
# Two network namespaces of our own, made per run and removed at exit
# (even on failure):
#
#   client  "hc-PID-c"   hecat (and the peers, in the benchmark) run here
#   server  "hc-PID-s"   listeners, the DNS server, the path behaviours
#
# joined by a veth pair, or (ns_up delay) by TUN devices and the user-space
# delay line tests/netns/hecat-delayline.  Only documentation addresses:
#
#   link      192.0.2.1/24 + 2001:db8:1::1/64 (client)
#             192.0.2.2/24 + 2001:db8:1::2/64 (server)
#   servers   198.51.100.0/24 and 2001:db8:2::/64 on the server's lo,
#             routed from the client over the link
#   DNS       198.51.100.53 port 53 (the suite's hecat-dnsd); the client's
#             /etc/netns/NAME/resolv.conf points at it, so the default
#             resolv.conf path is the one under test
#
# Each server address gets a behaviour (ns_addr): accept (a listener on
# PORT), refuse (no listener: RST), blackhole (nftables drops its SYNs),
# unreachable (nftables rejects with an ICMP/ICMPv6 unreachable).  The
# rules live in the server namespace, so errors come back over the link,
# as they would on a real network.

. "${srcdir:-.}/tests/netns/delay.sh"

NS_C="hc-$$-c"
NS_S="hc-$$-s"
PORT=8080
DNS_ADDR=198.51.100.53
ns_pids=()
ns_listen=()		# addresses that accept

# Exit 77 (automake's SKIP) unless we can make namespaces.
ns_require() {
	if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null ||
	    ! command -v nft >/dev/null ||
	    ! ip netns add "hc-$$-probe" 2>/dev/null; then
		echo "SKIP: needs root and network namespaces (ip, nft)"
		exit 77
	fi
	ip netns del "hc-$$-probe"
}

nsc() { ip netns exec "$NS_C" "$@"; }
nss() { ip netns exec "$NS_S" "$@"; }

ns_down() {
	local p
	for p in "${ns_pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${ns_pids[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	ns_pids=()
	ip netns del "$NS_C" 2>/dev/null || true
	ip netns del "$NS_S" 2>/dev/null || true
	rm -rf "/etc/netns/$NS_C"
}

# ns_up [veth|delay]: the two namespaces and the link between them.
ns_up() {
	local ns link=${1:-veth} mac0 mac1

	ip netns add "$NS_C"
	ip netns add "$NS_S"
	for ns in "$NS_C" "$NS_S"; do
		# No DAD delay; no ICMP rate limit (a scenario may hit one
		# unreachable address many times a second).
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		    net.ipv6.conf.default.accept_dad=0 \
		    net.ipv6.icmp.ratelimit=0 net.ipv4.icmp_ratelimit=0
		ip -n "$ns" link set lo up
	done
	case $link in
	veth)
		ip link add hc0 netns "$NS_C" type veth peer name hc1 \
		    netns "$NS_S"
		ip -n "$NS_C" addr add 192.0.2.1/24 dev hc0
		ip -n "$NS_C" addr add 2001:db8:1::1/64 dev hc0 nodad
		ip -n "$NS_S" addr add 192.0.2.2/24 dev hc1
		ip -n "$NS_S" addr add 2001:db8:1::2/64 dev hc1 nodad
		ip -n "$NS_C" link set hc0 up
		ip -n "$NS_S" link set hc1 up
		# Permanent neighbours: no ARP or NDP to lose a first SYN
		# while the link comes up.
		mac0=$(ip -n "$NS_C" -br link show hc0 | awk '{print $3}')
		mac1=$(ip -n "$NS_S" -br link show hc1 | awk '{print $3}')
		ip -n "$NS_C" neigh replace 192.0.2.2 lladdr "$mac1" dev hc0 \
		    nud permanent
		ip -n "$NS_C" neigh replace 2001:db8:1::2 lladdr "$mac1" \
		    dev hc0 nud permanent
		ip -n "$NS_S" neigh replace 192.0.2.1 lladdr "$mac0" dev hc1 \
		    nud permanent
		ip -n "$NS_S" neigh replace 2001:db8:1::1 lladdr "$mac0" \
		    dev hc1 nud permanent
		ip -n "$NS_C" route add 198.51.100.0/24 via 192.0.2.2
		ip -n "$NS_C" -6 route add 2001:db8:2::/64 via 2001:db8:1::2
		;;
	delay)
		# TUN devices on both sides; hecat-delayline moves the packets.
		ip -n "$NS_C" tuntap add dev hc0 mode tun
		ip -n "$NS_S" tuntap add dev hc1 mode tun
		ip -n "$NS_C" addr add 192.0.2.1/32 dev hc0
		ip -n "$NS_C" addr add 2001:db8:1::1/128 dev hc0 nodad
		ip -n "$NS_S" addr add 192.0.2.2/32 dev hc1
		ip -n "$NS_S" addr add 2001:db8:1::2/128 dev hc1 nodad
		ip -n "$NS_C" link set hc0 up
		ip -n "$NS_S" link set hc1 up
		ip -n "$NS_C" route add 198.51.100.0/24 dev hc0
		ip -n "$NS_C" -6 route add 2001:db8:2::/64 dev hc0
		ip -n "$NS_S" route add 192.0.2.0/24 dev hc1
		ip -n "$NS_S" -6 route add 2001:db8:1::/64 dev hc1
		;;
	esac
	if [ "$link" = delay ]; then
		ns_delay_start "${NS_DELAY6:-0}" "${NS_DELAY4:-0}"
	fi
	nss nft add table inet hc
	nss nft add chain inet hc in '{ type filter hook input priority 0; }'
	ns_addr "$DNS_ADDR" dns
	mkdir -p "/etc/netns/$NS_C"
	echo "nameserver $DNS_ADDR" > "/etc/netns/$NS_C/resolv.conf"
}

# ns_addr ADDR accept|refuse|blackhole|unreachable|dns
ns_addr() {
	local a=$1 b=$2 fam=ip plen=32

	case $a in *:*) fam=ip6; plen=128 ;; esac
	nss ip addr add "$a/$plen" dev lo $( [ $fam = ip6 ] && echo nodad )
	case $b in
	accept)
		ns_listen+=("$a") ;;
	refuse|dns)
		;;
	blackhole)
		nss nft add rule inet hc in $fam daddr "$a" tcp flags syn drop ;;
	unreachable)
		if [ $fam = ip6 ]; then
			nss nft add rule inet hc in ip6 daddr "$a" tcp dport \
			    "$PORT" reject with icmpv6 type addr-unreachable
		else
			nss nft add rule inet hc in ip daddr "$a" tcp dport \
			    "$PORT" reject with icmp type host-unreachable
		fi ;;
	esac
}

# ns_start NS VAR command...: start_server (cli_lib.sh) inside NS.
ns_start() {
	local ns=$1 var=$2
	shift 2
	start_server "$var" ip netns exec "$ns" "$@"
	ns_pids+=("$SERVER_PID")
}

# ns_servers MODE: listeners (hecat-listen -m MODE) on every accepting
# address, the DNS server with the rules in $tmp/zone.
ns_servers() {
	local mode=${1:-greet} args=() a
	for a in "${ns_listen[@]}"; do
		args+=(-a "$a")
	done
	if [ ${#args[@]} -gt 0 ]; then
		ns_start "$NS_S" LISTEN_PORT tests/hecat-listen "${args[@]}" -p "$PORT" \
		    -m "$mode" -t 600
	fi
	ns_start "$NS_S" LISTEN_PORT tests/hecat-dnsd -a "$DNS_ADDR" -p 53 "$tmp/zone"
}

# hn ARGS...: hecat in the client namespace, like hc (cli_lib.sh).
hn() {
	local t0 t1
	hc_runs=$((hc_runs + 1))
	t0=${EPOCHREALTIME/./}
	XDG_CACHE_HOME=${HC_CACHE:-$tmp/cache.$hc_runs} \
	    timeout -s KILL 60 ip netns exec "$NS_C" "$HECAT" "$@" \
	    < "${IN:-/dev/null}" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	t1=${EPOCHREALTIME/./}
	elapsed=$(( (t1 - t0) / 1000 ))
}

# What the trace says (jq over $tmp/t.jsonl).  connect_ms is from hecat's
# start: for bench/ only; tests time from the events below (cli_lib.sh,
# "timing").
tq() { jq -r -s "$@" "$tmp/t.jsonl"; }
winner_addr() { tq '.[-1].winner.addr // "none"'; }
connect_ms() { tq '.[-1].connect_ms // -1'; }
attempt_order() { tq '[.[] | select(.ev == "attempt_start") | .addr] | join(" ")'; }
attempt_ms() { ev_t "$tmp/t.jsonl" '.ev == "attempt_start"' "${1:-0}"; }

# ev_ms WHAT: t_ms of an event of $tmp/t.jsonl that starts a schedule:
#   query     the first query sent (resolve_start)
#   inet6     the AAAA answer arrived (resolve_done), inet the A answer
#   dial      the dial began ("network", its first event): only for what
#             hecat times from there, the -w deadline and the first DNS
#             try (the library traces a query once sent, after setting
#             getdns up, but times it from the dial's start)
#   winner    the winning connection
#   end       the summary, hecat's last word
# An attempt started by an answer is stamped after the candidates event
# is written out, and on a loaded machine the scheduler may run another
# process during that write (6 ms seen), while the engine had started the
# attempt, and the clock for the next one, before.  So a lower bound after
# the first attempt counts from the answer that started it, which is
# stamped before; attempts started by the attempt-delay timer are stamped
# at once, and the next counts from their own attempt_start (staggered).
ev_ms() {
	case $1 in
	query)	ev_t "$tmp/t.jsonl" '.ev == "resolve_start"' ;;
	inet|inet6) ev_t "$tmp/t.jsonl" ".ev == \"resolve_done\" and .family == \"$1\"" ;;
	dial)	ev_t "$tmp/t.jsonl" '.ev == "network"' ;;
	winner)	ev_t "$tmp/t.jsonl" '.ev == "winner"' ;;
	end)	ev_t "$tmp/t.jsonl" '.ev == "summary"' ;;
	*)	echo none ;;
	esac
}

# since FROM [TO]: ms from event FROM to event TO (ev_ms names; TO
# defaults to the winner, or the end when nobody won).
since() {
	local to=${2:-}
	if [ -z "$to" ]; then
		to=winner
		[ "$(ev_ms winner)" = none ] && to=end
	fi
	gap "$(ev_ms "$1")" "$(ev_ms "$to")"
}

# at_once: the second attempt started within 2 ms (x SLOWDOWN) of the
# first one's end, as the engine does when nothing else is in flight
# (checklist R-5.10 as revised; the two are stamped in the same turn).
at_once() {
	local g
	g=$(gap "$(ev_t "$tmp/t.jsonl" '.ev == "attempt_end"' 0)" \
	    "$(attempt_ms 1)")
	within "$g" 0 2 || {
		echo "  the second attempt $g ms after the first's end" \
		    "(want 0 to 2, x$SLOWDOWN)"
		return 1
	}
}

# staggered FROM D HI: two attempts or more, each one Connection Attempt
# Delay D after the one before: the second D to HI ms (the window of
# within) after event FROM, the answer that started the first, and each
# later one D to HI ms after the one before.  D - 1 ms is the lower bound.
staggered() {
	local prev g t
	prev=$(ev_ms "$1")
	set -- "$2" "$3" $(tq '[.[] | select(.ev == "attempt_start") |
	    .t_ms] | .[1:] | map(tostring) | join(" ")')
	[ $# -ge 3 ] || return 1
	local d=$1 hi=$2
	shift 2
	for t; do
		g=$(gap "$prev" "$t")
		within "$g" $((d - 1)) "$hi" || {
			echo "  attempt $t ms: $g ms after the one before" \
			    "(want $((d - 1)) to $hi, x$SLOWDOWN)"
			return 1
		}
		prev=$t
	done
}

# ns_scenarios_addrs: after ns_up, the network of the RFC 8305 scenarios
# (tests/netns/scenarios.sh, bench/connect.sh): on the server side the
# addresses below with what they do, and $tmp/zone naming them.
V4BH=198.51.100.20
V6BH2=2001:db8:2::21
V4BH2=198.51.100.21
V6BH3=2001:db8:2::22
V6RF=2001:db8:2::30
V4RF=198.51.100.30
V6UR=2001:db8:2::40
V4UR=198.51.100.40
ns_scenarios_addrs() {
	ns_addr $V6OK accept;		ns_addr $V4OK accept
	ns_addr $V6BH blackhole;	ns_addr $V4BH blackhole
	ns_addr $V6BH2 blackhole;	ns_addr $V4BH2 blackhole
	ns_addr $V6BH3 blackhole
	ns_addr $V6RF refuse;		ns_addr $V4RF refuse
	ns_addr $V6UR unreachable;	ns_addr $V4UR unreachable
	cat > "$tmp/zone" <<ZONE
healthy.test AAAA $V6OK
healthy.test A $V4OK
bh6.test AAAA $V6BH
bh6.test A $V4OK
rf6.test AAAA $V6RF
rf6.test A $V4OK
ur6.test AAAA $V6UR
ur6.test A $V4OK
late6.test AAAA $V6OK delay=200
late6.test A $V4OK
noaaaa.test AAAA drop
noaaaa.test A $V4OK
latea.test AAAA $V6BH
latea.test A $V4OK delay=300
many.test AAAA $V6BH $V6BH2 $V6BH3
many.test A $V4BH $V4BH2 $V4OK
dead.test AAAA $V6BH $V6BH2
dead.test A $V4BH $V4BH2
nx.test * nxdomain
sf.test * servfail
silent.test * drop
ZONE
}

# ns_bh6_up [veth|delay]: the history network (tests/netns/history.sh,
# bench/history.sh).  V6OK and V4OK accept, V6BH is blackholed;
# healthy.test is V6OK + V4OK, bh6.test V6BH + V4OK.  Over a veth pair
# the client gets default routes through the link, so that it is on a
# network history can name.
V6OK=2001:db8:2::10
V4OK=198.51.100.10
V6BH=2001:db8:2::20
V4OK2=198.51.100.11
ns_bh6_up() {
	ns_up "${1:-veth}"
	if [ "${1:-veth}" = veth ]; then
		ip -n "$NS_C" route add default via 192.0.2.2
		ip -n "$NS_C" -6 route add default via 2001:db8:1::2
	fi
	ns_addr $V6OK accept
	ns_addr $V4OK accept
	ns_addr $V6BH blackhole
	ns_addr $V4OK2 accept
	cat > "$tmp/zone" <<ZONE
healthy.test AAAA $V6OK
healthy.test A $V4OK
bh6.test AAAA $V6BH
bh6.test A $V4OK
two4.test A $V4OK2 $V4OK
ZONE
	ns_servers greet
}
