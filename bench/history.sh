#!/bin/bash
# history.sh - what connection history buys: dials of a host whose IPv6
# is blackholed, and of a healthy dual-stack host, with history and with
# --no-history, in the network tests/netns/history.sh builds (a client
# and a server namespace, documentation addresses, nftables drops the
# SYNs to the blackholed IPv6 address, hecat-dnsd at 198.51.100.53).
#
#   bench/history.sh            root only (network namespaces)
#
# Environment: RUNS (30) dials per cell.  DELAY (0): one-way delay in ms
# on the link, through tests/netns/hecat-delayline (0 and unset: a veth
# pair).  Output: a Markdown table on stdout; progress on stderr.
# Traffic stays inside the two namespaces, which are removed at exit.
set -u -o pipefail
cd "$(dirname "$0")/.." || exit 1
RUNS=${RUNS:-30}
DELAY=${DELAY:-0}
HECAT=${HECAT:-cmd/hecat}

. tests/cli_lib.sh
. tests/netns/lib.sh
ns_require
trap 'ns_down; cleanup' EXIT

if [ "$DELAY" -gt 0 ]; then
	NS_DELAY6=$DELAY NS_DELAY4=$DELAY ns_bh6_up delay
else
	ns_bh6_up veth
fi

# cell HOST [--no-history]: RUNS dials after one to learn from, each
# with its connect time (trace) and wall time; prints
# "median p90 max wall_median v4_share".
cell() {
	local host=$1 i ms wall v4=0
	shift
	export HC_CACHE="$tmp/cache.$host.$#"
	rm -rf "$HC_CACHE"
	hn -z "$@" "$host" "$PORT"	# the first dial: history learns
	: > "$tmp/ms"
	: > "$tmp/wall"
	for ((i = 0; i < RUNS; i++)); do
		hn -z --trace "$tmp/t.jsonl" "$@" "$host" "$PORT"
		[ "$rc" -eq 0 ] || { echo "bench: $host: exit $rc" >&2; exit 1; }
		connect_ms >> "$tmp/ms"
		echo "$elapsed" >> "$tmp/wall"
		[ "$(winner_addr)" = $V4OK ] && v4=$((v4 + 1))
	done
	unset HC_CACHE
	sort -n "$tmp/ms" | awk -v n="$RUNS" -v v4="$v4" \
	    -v w="$(sort -n "$tmp/wall" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" \
	    '{ a[NR] = $1 } END { printf "%.1f %.1f %.1f %s %d/%d\n",
	    a[int((n + 1) / 2)], a[int(n * 0.9 + 0.5)], a[n], w, v4, n }'
}

row() {
	local name=$1 r
	shift
	echo "bench: $name" >&2
	r=$(cell "$@")
	set -- $r
	printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$1" "$2" "$3" \
	    "$4" "$5"
}

echo "### Connection history: $RUNS dials per row after one to learn from, link delay ${DELAY} ms"
echo
echo "| dials | connect median ms | p90 | max | wall median ms | over IPv4 |"
echo "|---|---:|---:|---:|---:|---:|"
row "IPv6 blackholed, --no-history" bh6.test --no-history
row "IPv6 blackholed, history" bh6.test
row "healthy, --no-history" healthy.test --no-history
row "healthy, history" healthy.test
