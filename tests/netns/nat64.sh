#!/bin/bash
# NAT64 (RFC 8305 section 7, HEv3): hecat in an IPv6-only client namespace
# whose only way out is an IPv6 default route to the server namespace.
# That namespace stands in for the NAT64: the synthesized addresses are on
# its lo with listeners behind them (the translation itself is not under
# test), and its DNS server, on IPv6, answers ipv4only.arpa (RFC 7050).
# Then the client gets its IPv4 back, and none of it may happen.
# Root only: SKIP otherwise.
. "${srcdir:-.}/tests/cli_lib.sh"
. "${srcdir:-.}/tests/netns/lib.sh"
ns_require
trap 'ns_down; cleanup' EXIT

V4=198.51.100.10		# the IPv4 server, as A answers and literals say
V4B=198.51.100.11
WKP6=64:ff9b::c633:640a		# $V4 through the Well-Known Prefix
WKP6B=64:ff9b::c633:640b
NATIVE6=2001:db8:2::10
REFUSE6=2001:db8:2::30		# no listener: refused
DNS6=2001:db8:2::53

# Each RFC 6052 length: LEN PREFIX, $V4 synthesized, 192.0.0.170 likewise.
LENGTHS="32 40 48 56 64 96"
declare -A PFX SYN WKA
PFX[32]=2001:db8::/32		SYN[32]=2001:db8:c633:640a::
WKA[32]=2001:db8:c000:aa::
PFX[40]=2001:db8:100::/40	SYN[40]=2001:db8:1c6:3364:a::
WKA[40]=2001:db8:1c0:0:aa::
PFX[48]=2001:db8:122::/48	SYN[48]=2001:db8:122:c633:64:a00::
WKA[48]=2001:db8:122:c000:0:aa00::
PFX[56]=2001:db8:122:300::/56	SYN[56]=2001:db8:122:3c6:33:640a::
WKA[56]=2001:db8:122:3c0:0:aa::
PFX[64]=2001:db8:122:344::/64	SYN[64]=2001:db8:122:344:c6:3364:a00:0
WKA[64]=2001:db8:122:344:c0:0:aa00:0
PFX[96]=2001:db8:122:344::/96	SYN[96]=2001:db8:122:344::c633:640a
WKA[96]=2001:db8:122:344::c000:aa

ns_up veth
for a in $WKP6 $WKP6B $NATIVE6 $V4; do
	ns_addr $a accept
done
ns_addr $REFUSE6 refuse
for l in $LENGTHS; do
	ns_addr "${SYN[$l]}" accept
done
cat > "$tmp/zone" <<ZONE
ipv4only.arpa AAAA 64:ff9b::c000:aa 64:ff9b::c000:ab
v4only.test A $V4
v4only.test AAAA nodata
dns64.test AAAA $WKP6B
dns64.test A $V4B
mixed.test AAAA $WKP6 $NATIVE6
mixed.test A $V4
ZONE
ns_servers greet
# The DNS server on IPv6, and the client's resolv.conf pointing at it.
ns_addr $DNS6 dns
ns_start "$NS_S" DNSPORT tests/hecat-dnsd -a $DNS6 -p 53 "$tmp/zone"
echo "nameserver $DNS6" > "/etc/netns/$NS_C/resolv.conf"
# One more per prefix length, each answering ipv4only.arpa with it.
for l in $LENGTHS; do
	ns_addr "2001:db8:2::5$((l / 8))" dns
	printf 'ipv4only.arpa AAAA %s\n' "${WKA[$l]}" > "$tmp/zone$l"
	ns_start "$NS_S" DNSPORT tests/hecat-dnsd -a "2001:db8:2::5$((l / 8))" \
	    -p 53 "$tmp/zone$l"
done
# A server that knows no prefix.
ns_addr 2001:db8:2::60 dns
printf 'ipv4only.arpa AAAA nodata\n' > "$tmp/zone-none"
ns_start "$NS_S" DNSPORT tests/hecat-dnsd -a 2001:db8:2::60 -p 53 \
    "$tmp/zone-none"
# A server that drops ipv4only.arpa: the prefix query would only time
# out, after its retries (about 4 s).
ns_addr 2001:db8:2::61 dns
printf 'ipv4only.arpa * drop\nnx.test * nxdomain\n' > "$tmp/zone-drop"
ns_start "$NS_S" DNSPORT tests/hecat-dnsd -a 2001:db8:2::61 -p 53 \
    "$tmp/zone-drop"

# IPv6 only: the client's IPv4 goes, an IPv6 default route comes.
ipv6_only() {
	ip -n "$NS_C" addr del 192.0.2.1/24 dev hc0
	ip -n "$NS_C" -4 route flush table main
	ip -n "$NS_C" -6 route replace default via 2001:db8:1::2
}
dual_stack() {
	ip -n "$NS_C" addr add 192.0.2.1/24 dev hc0
	ip -n "$NS_C" route add 198.51.100.0/24 via 192.0.2.2
	ip -n "$NS_S" route replace 192.0.2.0/24 dev hc1 2>/dev/null || true
}

# dial HOST [hecat options]: -z with the JSON trace and -vv.
dial() {
	local host=$1
	shift
	hn -zvv --trace "$tmp/t.jsonl" "$@" "$host" "$PORT"
}
ev() { tq --arg e "$1" "[.[] | select(.ev == \$e)] | $2"; }

ipv6_only

# 1. An IPv4 literal (R-7.1): prefix discovered, RFC 6052 synthesis.
dial $V4
check "1 literal: connects" rc_is 0
check "1 literal: to the synthesized address" \
    eval '[ "$(winner_addr)" = "$WKP6" ]'
check "1 literal: network detected IPv6-only" \
    eval '[ "$(ev network ".[0] | [.inet6, .inet, .nat64] | join(\" \")")" = "true false true" ]'
check "1 literal: ipv4only.arpa asked over DNS" \
    eval '[ "$(ev resolve_start ".[0].name")" = "ipv4only.arpa." ]'
check "1 literal: the prefix, discovered" \
    eval '[ "$(ev nat64_prefix ".[0] | .prefix + \" \" + .source")" = "64:ff9b::/96 discovered" ]'
check "1 literal: the attempt says what it stands for" \
    eval '[ "$(ev attempt_start ".[0].nat64_for")" = "$V4" ]'
check "1 literal: -vv lines for detection, discovery, synthesis" eval \
    'err_has "network inet6=yes inet=no nat64=on" &&
     err_has "nat64 prefix=64:ff9b::/96 source=discovered" &&
     err_has "attempt id=1 addr=\[$WKP6\]:$PORT start reason=first nat64=$V4"'

# 2. An A-only name (V1/V14): A asked, synthesized locally.
dial v4only.test
check "2 A-only name: connects through NAT64" \
    eval 'rc_is 0 && [ "$(winner_addr)" = "$WKP6" ]'
check "2 A-only name: A and AAAA asked, and the prefix" \
    eval '[ "$(ev resolve_start "map(.name + \"/\" + .family) | sort | join(\" \")")" = "ipv4only.arpa./inet6 v4only.test/inet v4only.test/inet6" ]'
# The same as qlog (--qlog, HEv3 events): the prefix discovered, the
# address synthesized from the A answer, the attempt saying so.
Q=$tmp/q.sqlog
dial v4only.test --qlog "$Q"
qj() { jq -r -s --seq "$@" "$Q" | tr -d '\036'; }
check "2 qlog: valid, the prefix discovered (RFC 7050)" eval \
    'qlog_valid "$Q" &&
     [ "$(qj "[.[] | select(.name == \"hev3:nat64_prefix_discovered\")][0].data | .prefix + \"/\" + (.prefix_length | tostring) + \" \" + .source")" = "64:ff9b::/96 rfc7050_discovery" ]'
check "2 qlog: the synthesized address discovered, and attempted" eval \
    '[ "$(qj "[.[] | select(.name == \"hev3:candidate_discovered\" and .data.source == \"nat64_synthesis\")][0].data.target.address")" = "$WKP6" ] &&
     [ "$(qj "[.[] | select(.name == \"hev3:attempt_started\")][0].data.synthesized_from")" = "$V4" ]'

# 3. DNS64 answers (V14): de-synthesized before sorting, re-synthesized
# to connect; native IPv6 sorts first.
dial dns64.test
check "3 DNS64: connects to the synthesized address" \
    eval 'rc_is 0 && [ "$(winner_addr)" = "$WKP6B" ]'
check "3 DNS64: the AAAA is de-synthesized" \
    eval '[ "$(ev desynthesize ".[0] | .addr + \" \" + .ipv4")" = "$WKP6B $V4B" ]'
check "3 DNS64: the -vv line says so" \
    err_has "desynthesize addr=$WKP6B is=$V4B\$"
check "3 DNS64: it is planned as IPv4" eval \
    '[ "$(ev candidates ".[-1].order | map(.addr + \"/\" + .family) | join(\" \")")" = "$V4B/inet" ]'
# History (issue 8) across de-synthesis: the next dial's AAAA answer,
# looked up before it is de-synthesized, finds what the first learned.
HC_CACHE=$tmp/cache.dns64 dial dns64.test
HC_CACHE=$tmp/cache.dns64 dial dns64.test
check "3 DNS64 + history: the AAAA's address has the first dial's RTT" \
    eval '[ "$(ev history "map(select(.addr == \"$WKP6B\" and .rtt_ms != null)) | length")" = 1 ]'
dial mixed.test
check "3 DNS64 + native: native IPv6 first, the synthesized one as IPv4" \
    eval 'rc_is 0 && [ "$(ev candidates ".[-1].order | map(.addr) | join(\" \")")" = "$NATIVE6 $V4" ] &&
	  [ "$(winner_addr)" = "$NATIVE6" ]'

# 4. Every RFC 6052 prefix length, discovered from its own DNS server.
for l in $LENGTHS; do
	dial $V4 --dns-server "[2001:db8:2::5$((l / 8))]:53"
	check "4 /$l: prefix ${PFX[$l]} discovered" \
	    eval '[ "$(ev nat64_prefix ".[0].prefix")" = "${PFX[$l]}" ]'
	check "4 /$l: connects to ${SYN[$l]}" \
	    eval 'rc_is 0 && [ "$(winner_addr)" = "${SYN[$l]}" ]'
done

# 5. --nat64-prefix: no discovery, the prefix given.
dial $V4 --nat64-prefix "${PFX[48]}"
check "5 --nat64-prefix: used, not discovered" eval \
    'rc_is 0 && [ "$(winner_addr)" = "${SYN[48]}" ] &&
     [ "$(ev nat64_prefix ".[0].source")" = option ] &&
     [ "$(ev resolve_start "length")" = 0 ]'
dial v4only.test --nat64-prefix "${PFX[48]}"
check "5 --nat64-prefix: an A-only name too" \
    eval 'rc_is 0 && [ "$(winner_addr)" = "${SYN[48]}" ]'

# 6. No prefix to be found: IPv4 is tried as it is and fails clearly.
dial $V4 --dns-server "[2001:db8:2::60]:53"
check "6 no prefix: exit 1, the reason named" eval \
    'rc_is 1 && err_has "$V4:$PORT \(Network is unreachable\)" &&
     [ "$(ev nat64_prefix ".[0].source")" = none ]'
# -n: no DNS, so no discovery either.
dial $V4 -n
check "6 -n: no discovery, no DNS" eval \
    'rc_is 1 && [ "$(ev resolve_start "length")" = 0 ]'
dial $V4 --no-nat64
check "6 --no-nat64: no discovery, IPv4 as it is" eval \
    'rc_is 1 && [ "$(ev network ".[0].nat64")" = false ] &&
     [ "$(ev resolve_start "length")" = 0 ]'
dial $V4 -6
check "6 -6: an IPv4 literal is a usage error, NAT64 or not" eval 'rc_is 64 && err_has "not an IPv6 address"'

# 7. ipv4only.arpa dropped: the prefix query delays IPv4 addresses only,
# never a failure once none can come.  Judged from the trace: the end
# (the summary) against the last answer or attempt, not process start.
# since EV: ms from the last EV event to the summary.
since() {
	tq --arg e "$1" '(.[-1].t_ms) - ([.[] | select(.ev == $e) | .t_ms] | max)'
}
dial nx.test --dns-server "[2001:db8:2::61]:53"
check "7 prefix dropped, NXDOMAIN: exit 68" rc_is 68
check "7 prefix dropped, NXDOMAIN: ipv4only.arpa asked, then cancelled" eval \
    '[ "$(ev resolve_start "map(select(.name == \"ipv4only.arpa.\")) | length")" -ge 1 ] &&
     [ "$(ev resolve_cancel "map(.name) | join(\" \")")" = ipv4only.arpa. ] &&
     [ "$(ev resolve_done "map(.name + \"/\" + .status) | sort | join(\" \")")" = "nx.test/NXDOMAIN nx.test/NXDOMAIN" ]'
check "7 prefix dropped, NXDOMAIN: fails at once after the answers" \
    eval 'within "$(since resolve_done)" 0 250'
LD_DEBUG=files LD_DEBUG_OUTPUT=$tmp/ld dial $REFUSE6 \
    --dns-server "[2001:db8:2::61]:53"
check "7 prefix dropped, refused IPv6 literal: exit 1" eval \
    'rc_is 1 && [ "$(ev attempt_end ".[0].result")" = refused ]'
# IPv6-only, but with no IPv4 address to reach this dial uses no NAT64.
check "7 prefix dropped, refused IPv6 literal: IPv6-only, yet no DNS" eval \
    '[ "$(ev network ".[0].inet6")" = true ] &&
     [ "$(ev network ".[0].inet")" = false ] &&
     [ "$(ev network ".[0].nat64")" = false ] &&
     [ "$(ev resolve_start "length")" = 0 ]'
check "7 prefix dropped, refused IPv6 literal: getdns not loaded" eval \
    'ls "$tmp"/ld.* > /dev/null && ! grep -q libgetdns "$tmp"/ld.*'
check "7 prefix dropped, refused IPv6 literal: fails at once" \
    eval 'within "$(since attempt_end)" 0 250'

# 8. Dual stack again: none of this may trigger.
dual_stack
dial $V4
check "8 dual stack: literal connects over IPv4" \
    eval 'rc_is 0 && [ "$(winner_addr)" = "$V4" ]'
check "8 dual stack: detected, NAT64 off, no discovery" eval \
    '[ "$(ev network ".[0] | [.inet6, .inet, .nat64] | join(\" \")")" = "true true false" ] &&
     [ "$(ev resolve_start "length")" = 0 ] && [ "$(ev nat64_prefix "length")" = 0 ]'
dial dns64.test
check "8 dual stack: DNS64 answers are left alone" eval \
    'rc_is 0 && [ "$(ev desynthesize "length")" = 0 ] &&
     [ "$(ev resolve_start "map(.name) | index(\"ipv4only.arpa.\")")" = null ]'

finish
