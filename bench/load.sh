#!/bin/bash
# load.sh - dials under load and over time: libhecat (bench/hecat-load)
# against Python asyncio (bench/load_asyncio.py) and Go's net.Dialer
# (bench/load_go.go), same machine, same listeners, same DNS server.
#
#   bench/load.sh [DIALS]        root only (a network namespace)
#
# Everything runs in a network namespace of its own (ip netns, "hl-PID"):
# its loopback carries the listeners and the DNS server, and its
# ephemeral ports and TIME_WAIT table start empty.  /etc/netns/hl-PID/
# gives it a resolv.conf naming 127.0.0.1 and a hosts file without the
# test names, so all three resolve the ordinary way through the suite's
# DNS server (tests/hecat-dnsd on 127.0.0.1 port 53: dual.test AAAA ::1
# and A 127.0.0.1): hecat-load with the built-in resolver (resolv.conf,
# hosts, getdns), asyncio with glibc's getaddrinfo in its thread pool, Go
# with its pure-Go resolver (GODEBUG=netdns=go).  asyncio's
# happy_eyeballs_delay and Go's FallbackDelay are 0.25 s, hecat's
# attempt delay is its default, 250 ms.
#
# Each workload is DIALS dials (default 100,000) per tool, sampled every
# 10,000 with nothing in flight; a fresh listener (hecat-load listen:
# accept and close, 127.0.0.1 and ::1, one port) and, for the DNS rows, a
# fresh DNS server for every tool and workload.  Sockets are closed with
# an RST (SO_LINGER 0) except in the "FIN" row: with a normal close the
# ~28,000 ephemeral ports towards one listener fill with TIME_WAIT and
# the kernel's search for a reusable one sets the pace (see
# docs/benchmarks.md).  hecat-load runs with -C (it checks descriptors and
# heap flat: at most 64 KiB of growth).
#
# Output: Markdown on stdout (rates, latencies, flatness, then every
# hecat sample table); progress on stderr.  Environment: ROWS picks
# workloads (seq-fin seq-lit seq-dns c50-lit c50-dns b1000-lit
# b1000-dns), TOOLS picks tools (hecat asyncio go).  UDP datagrams the
# DNS server's socket dropped (its buffer is the kernel's default, 208
# KiB) are shown next to the rate: before libhecat shared identical
# queries in flight (lib/coalesce.c) a burst of 1,000 dials of a name was
# 2,000 queries at once, and most were dropped.  Every run is
# bounded by timeout(1); every server is killed by PID; the namespace and
# its /etc/netns directory are removed at exit.
set -u -o pipefail
cd "$(dirname "$0")/.." || exit 1

DIALS=${1:-100000}
EVERY=$(( DIALS < 10000 ? DIALS : 10000 ))
ROWS=${ROWS:-"seq-fin seq-lit seq-dns c50-lit c50-dns b1000-lit b1000-dns"}
TOOLS=${TOOLS:-"hecat asyncio go"}
LOAD=bench/hecat-load
PY=/usr/bin/python3

if [ "$(id -u)" -ne 0 ]; then
	echo "load.sh: needs root (a network namespace)" >&2
	exit 1
fi
for f in "$LOAD" tests/hecat-dnsd; do
	if [ ! -x "$f" ]; then
		echo "load.sh: $f missing: build first (make && make check TESTS=)" >&2
		exit 1
	fi
done
need=()
[ -x "$PY" ] || need+=(python3)
command -v go >/dev/null || need+=(golang-go)
if [ ${#need[@]} -gt 0 ]; then
	echo "load.sh: installing ${need[*]}" >&2
	apt-get install -y "${need[@]}" >&2 || exit 1
fi

. tests/cli_lib.sh		# tmp, pids, cleanup, start_server, stop_server
SERVER_WAIT=10
NS=hl-$$
trap 'ip netns del "$NS" 2>/dev/null; rm -rf "/etc/netns/$NS"; cleanup' EXIT
trap 'exit 130' INT TERM

echo "load.sh: building bench/load_go.go" >&2
GOCACHE=$tmp/gocache GO111MODULE=off go build -o "$tmp/load_go" \
    bench/load_go.go || { echo "load.sh: go build failed" >&2; exit 1; }

ip netns add "$NS" || exit 1
mkdir -p "/etc/netns/$NS"
printf 'nameserver 127.0.0.1\n' > "/etc/netns/$NS/resolv.conf"
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost\n' > \
    "/etc/netns/$NS/hosts"
ip -n "$NS" link set lo up
nsx() { ip netns exec "$NS" "$@"; }
# ::1 appears on lo once it is up (no DAD on loopback): 5 s at most.
for ((i = 0; i < 50; i++)); do
	nsx ip -6 addr show dev lo 2>/dev/null | grep -q '::1/128' && break
	sleep 0.1
done
printf 'dual.test AAAA ::1\ndual.test A 127.0.0.1\n' > "$tmp/rules"

# UDP datagrams dropped for a full receive buffer, in the namespace; and
# at the DNS server's socket (port 53) alone.
udp_drops() {
	nsx awk '/^Udp:/ && $2 ~ /^[0-9]/ { print $6 }' /proc/net/snmp
}
dns_drops() {
	nsx awk '$2 ~ /:0035$/ { n += $NF } END { print n + 0 }' /proc/net/udp
}

# The workloads: conc, burst?, close, hosts.
row_desc() {
	case $1 in
	seq-fin) echo "1 at a time, 127.0.0.1, FIN close" ;;
	seq-lit) echo "1 at a time, 127.0.0.1" ;;
	seq-dns) echo "1 at a time, dual.test (DNS)" ;;
	c50-lit) echo "50 in flight, 127.0.0.1 and ::1" ;;
	c50-dns) echo "50 in flight, dual.test (DNS)" ;;
	b1000-lit) echo "bursts of 1,000 at once, 127.0.0.1 and ::1" ;;
	b1000-dns) echo "bursts of 1,000 at once, dual.test (DNS)" ;;
	esac
}
row_args() {
	case $1 in
	seq-fin) echo "-c 1 127.0.0.1" ;;
	seq-lit) echo "-L -c 1 127.0.0.1" ;;
	seq-dns) echo "-L -c 1 dual.test" ;;
	c50-lit) echo "-L -c 50 127.0.0.1 ::1" ;;
	c50-dns) echo "-L -c 50 dual.test" ;;
	b1000-lit) echo "-L -b -c 1000 127.0.0.1 ::1" ;;
	b1000-dns) echo "-L -b -c 1000 dual.test" ;;
	esac
}

# field FILE KEY: KEY=VALUE from the RESULT line.
field() {
	sed -n "s/^RESULT .*[ ]$2=\([^ ]*\).*/\1/p" "$1" | tail -n 1
}

declare -A rate p50 p99 note
for row in $ROWS; do
	for tool in $TOOLS; do
		out="$tmp/$row.$tool"
		# ip netns exec execs the server: SERVER_PID is its own.
		start_server LPORT ip netns exec "$NS" "$LOAD" listen -t 3600
		lpid=$SERVER_PID
		dpid=
		case $row in *-dns)
			start_server DPORT ip netns exec "$NS" tests/hecat-dnsd \
			    -a 127.0.0.1 -p 53 "$tmp/rules"
			dpid=$SERVER_PID ;;
		esac
		# shellcheck disable=SC2046
		case $tool in
		hecat)
			cmd=("$LOAD" dial -C -n "$DIALS" -s "$EVERY") ;;
		asyncio)
			cmd=("$PY" bench/load_asyncio.py -n "$DIALS" -s "$EVERY") ;;
		go)
			cmd=(env GODEBUG=netdns=go "$tmp/load_go" -n "$DIALS" \
			    -s "$EVERY") ;;
		esac
		drops0=$(udp_drops)
		echo "load.sh: $row $tool: ${cmd[*]} -p $LPORT $(row_args "$row")" >&2
		t0=${EPOCHREALTIME/./}
		# shellcheck disable=SC2046
		timeout -s KILL 1800 ip netns exec "$NS" "${cmd[@]}" \
		    -p "$LPORT" $(row_args "$row") > "$out" 2> "$out.err"
		rc=$?
		t1=${EPOCHREALTIME/./}
		drops=$(( $(udp_drops) - drops0 ))
		ddrops=$(dns_drops)
		stop_server "$lpid"
		[ -n "$dpid" ] && stop_server "$dpid"
		k="$row.$tool"
		rate[$k]=$(field "$out" rate)
		p50[$k]=$(field "$out" p50_ms)
		p99[$k]=$(field "$out" p99_ms)
		note[$k]=""
		[ "$rc" -ne 0 ] && note[$k]+=" exit $rc"
		fails=$(field "$out" fail)
		[ -n "$fails" ] && [ "$fails" != 0 ] && note[$k]+=" $fails failed"
		[ "$drops" -gt 0 ] && note[$k]+=" $drops UDP drops, $ddrops of them at the DNS server"
		echo "load.sh: $row $tool: ${rate[$k]:-?} dials/s, $(( (t1 - t0) / 1000 )) ms${note[$k]}" >&2
		sed 's/^/    /' "$out.err" | head -n 5 >&2
	done
done

# table CELL HEAD ALIGN: a Markdown table with a row per workload; per
# tool the header HEAD (TOOL in it is the tool's name), the alignment
# ALIGN, and what "CELL ROW TOOL" prints.
table() {
	local row t
	printf '| workload |'
	for t in $TOOLS; do printf ' %s |' "${2//TOOL/$t}"; done
	echo
	printf '|---|'
	for t in $TOOLS; do printf -- "$3"; done
	echo
	for row in $ROWS; do
		printf '| %s |' "$(row_desc "$row")"
		for t in $TOOLS; do printf ' %s |' "$("$1" "$row" "$t")"; done
		echo
	done
}
rate_cell() {
	local k="$1.$2"
	printf '%s%s' "${rate[$k]:-—}" "${note[$k]:+ (${note[$k]# })}"
}
latency_cell() {
	printf '%s / %s' "${p50[$1.$2]:-—}" "${p99[$1.$2]:-—}"
}
flat_cell() {
	local f="$tmp/$1.$2" m0 m1 u=B
	if [ "$2" = asyncio ]; then
		m0=$(field "$f" rss0); m1=$(field "$f" rss1); u=KiB
	else
		m0=$(field "$f" heap0); m1=$(field "$f" heap1)
	fi
	printf '%s → %s | %s → %s %s (%+d)' "$(field "$f" fds0)" \
	    "$(field "$f" fds1)" "${m0:-?}" "${m1:-?}" "$u" \
	    "$(( ${m1:-0} - ${m0:-0} ))"
}

echo "## Dials per second ($DIALS dials per cell)"
echo
table rate_cell TOOL '---:|'
echo
echo "## Latency of one dial, p50 / p99 (ms)"
echo
table latency_cell TOOL '---:|'
echo
echo "## Descriptors and memory, first sample → last"
echo
echo "hecat: heap in use (mallinfo2 uordblks + hblkhd); asyncio: VmRSS;"
echo "Go: HeapAlloc after a GC."
echo
table flat_cell 'TOOL fds | TOOL memory' '---:|---:|'
if [[ " $TOOLS " == *" hecat "* ]]; then
	echo
	echo "## hecat-load samples"
	for row in $ROWS; do
		echo
		echo "### $(row_desc "$row")"
		echo
		echo '```'
		grep -v '^RESULT' "$tmp/$row.hecat"
		cat "$tmp/$row.hecat.err"
		echo '```'
	done
fi
