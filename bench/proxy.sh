#!/bin/bash
# proxy.sh - time to connect through a proxy whose IPv6 address is
# blackholed: hecat against OpenBSD nc and ncat, through a SOCKS5 proxy
# (danted) and an HTTP CONNECT proxy (tinyproxy).
#
#   bench/proxy.sh              root only (network namespaces)
#
# The network is tests/netns/lib.sh's, set up as tests/netns/ssh.sh does
# for its proxy checks: a client and a server namespace, documentation
# addresses, hecat-dnsd at 198.51.100.53 named by the client namespace's
# resolv.conf.  In the server namespace danted and tinyproxy
# (tests/proxy_lib.sh: start_danted, start_tinyproxy) each listen, on one
# port each, on four addresses:
#
#   proxy.test    AAAA 2001:db8:2::100  nftables drops its SYNs (blackhole)
#                 A    198.51.100.100   works
#   proxyok.test  AAAA 2001:db8:2::101  works (the healthy reference)
#                 A    198.51.100.101   works
#
# The target is hecat-listen (-m greet) on 198.51.100.10 port 8080, given
# as that literal: only the proxy's name is resolved, by each tool in the
# client namespace (hecat's own resolver, glibc's getaddrinfo for nc and
# ncat), and the proxy connects to the target.  Every tool does a
# zero-I/O connect (-z) through the proxy:
#
#   hecat       cmd/hecat -z -w CTO -X 5|connect -x PROXY:PORT
#                   --trace FILE 198.51.100.10 8080
#               (a fresh connection history each run)
#   hecat-hist  the same, all runs of a row sharing one history, after
#               one dial to learn from (not timed)
#   nc          nc -v -z -w CTO -X 5|connect -x PROXY:PORT 198.51.100.10 8080
#   ncat        ncat -v -z --wait CTO --proxy PROXY:PORT
#                   --proxy-type socks5|http 198.51.100.10 8080
#
# nc -z through a proxy does the whole handshake (the proxy logs the
# connect to the target) and fails when the proxy reports the target
# refused; ncat -z through a proxy reads the target's greeting too.  Which
# of the proxy's addresses a run reached is read from the proxy's own log
# (the client's source address on the accepted connection), the same way
# for every tool; for hecat the trace's winner must agree.
#
# Every tool gets the same connect budget, CTO seconds (default 5), as its
# own option (hecat -w, nc -w, ncat --wait); CTO=0 gives every tool its
# defaults.  Every run is capped by `timeout -s KILL CAP` (default 20 s);
# a capped run shows as ">=20 s (capped)".  Wall time is taken inside the
# client namespace around `timeout ... TOOL` (bash's EPOCHREALTIME), so
# `ip netns exec` is not in it; hecat's own connect time (--trace
# connect_ms) is shown too.
#
# Environment: RUNS (10) runs per tool and row; a tool whose first run in
# a row takes SLOW_MS (4000) or more gets SLOW_RUNS (3) runs in all.
# TOOLS ("hecat hecat-hist nc ncat"), PROXIES ("socks5 http") and CASES
# ("bh6 healthy") pick a subset.  LINK: veth (default) or delay (the TUN
# delay line, tests/netns/hecat-delayline, at 0 ms).
#
# Output: Markdown on stdout, one table per row and an overall one, then
# the raw runs; progress on stderr.  As root it installs what is missing
# (apt-get).  Traffic stays inside the two namespaces; they, the proxies,
# the servers and every process started are removed or killed by PID at
# exit.
set -u -o pipefail
cd "$(dirname "$0")/.." || exit 1

RUNS=${RUNS:-10}
SLOW_RUNS=${SLOW_RUNS:-3}
SLOW_MS=${SLOW_MS:-4000}
CTO=${CTO:-5}
CAP=${CAP:-20}
LINK=${LINK:-veth}
export NS_DELAY_SECONDS=${NS_DELAY_SECONDS:-7200}
TOOLS=${TOOLS:-"hecat hecat-hist nc ncat"}
PROXIES=${PROXIES:-"socks5 http"}
CASES=${CASES:-"bh6 healthy"}
HECAT=${HECAT:-cmd/hecat}

if [ "$(id -u)" -ne 0 ]; then
	echo "proxy.sh: needs root (network namespaces)" >&2
	exit 1
fi
for f in "$HECAT" tests/hecat-dnsd tests/hecat-listen; do
	if [ ! -x "$f" ]; then
		echo "proxy.sh: $f missing: build first (make && make check TESTS=)" >&2
		exit 1
	fi
done
case $LINK in
veth) ;;
delay)	[ -x tests/netns/hecat-delayline ] || {
		echo "proxy.sh: LINK=delay needs tests/netns/hecat-delayline (make check TESTS=)" >&2
		exit 1; } ;;
*)	echo "proxy.sh: LINK is veth or delay" >&2; exit 1 ;;
esac

# Packages, installed when missing.
need=()
{ command -v nc >/dev/null && nc -h 2>&1 | grep -q OpenBSD; } ||
    need+=(netcat-openbsd)
command -v ncat >/dev/null || need+=(ncat)
{ command -v danted >/dev/null || [ -x /usr/sbin/danted ]; } ||
    need+=(dante-server)
command -v tinyproxy >/dev/null || need+=(tinyproxy-bin)
command -v jq >/dev/null || need+=(jq)
command -v nft >/dev/null || need+=(nftables)
command -v ip >/dev/null && command -v ss >/dev/null || need+=(iproute2)
if [ ${#need[@]} -gt 0 ]; then
	echo "proxy.sh: installing ${need[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends "${need[@]}" >/dev/null ||
	    { echo "proxy.sh: apt-get install failed" >&2; exit 1; }
fi

. tests/cli_lib.sh
. tests/netns/lib.sh
. tests/proxy_lib.sh
ns_require
px_require danted tinyproxy jq
trap 'ns_down; cleanup' EXIT
trap 'exit 130' INT TERM

# --- the network ------------------------------------------------------------
P6=2001:db8:2::100	# proxy.test, blackholed
P4=198.51.100.100	# proxy.test
H6=2001:db8:2::101	# proxyok.test
H4=198.51.100.101	# proxyok.test
TARGET=$V4OK		# 198.51.100.10 (tests/netns/lib.sh)

ns_up "$LINK"
if [ "$LINK" = veth ]; then
	# Default routes through the link, as ns_bh6_up gives them: a
	# network that connection history can name.
	ip -n "$NS_C" route add default via 192.0.2.2
	ip -n "$NS_C" -6 route add default via 2001:db8:1::2
fi
ns_addr $P6 blackhole
ns_addr $P4 refuse		# no listener but the proxies
ns_addr $H6 refuse
ns_addr $H4 refuse
ns_addr "$TARGET" refuse	# the listener is started below
cat > "$tmp/zone" <<ZONE
proxy.test AAAA $P6
proxy.test A $P4
proxyok.test AAAA $H6
proxyok.test A $H4
ZONE
# The target lives 2 h at most; it and the DNS server are killed by PID
# at exit (ns_down).
ns_start "$NS_S" LISTEN_PORT tests/hecat-listen -a "$TARGET" -p "$PORT" \
    -m greet -t 7200
ns_start "$NS_S" DNS_PORT tests/hecat-dnsd -a "$DNS_ADDR" -p 53 "$tmp/zone"
echo "proxy.sh: starting danted and tinyproxy" >&2
start_danted SX -n "$NS_S" -a $P6 -a $P4 -a $H6 -a $H4
start_tinyproxy HX -n "$NS_S" -a $P6 -a $P4 -a $H6 -a $H4

declare -A cname=([bh6]="IPv6 blackholed" [healthy]="healthy dual stack")
declare -A chost=([bh6]=proxy.test [healthy]=proxyok.test)
declare -A cideal=([bh6]=250 [healthy]=0)
declare -A cfam=([bh6]=IPv4 [healthy]=IPv6)
declare -A pname=([socks5]="SOCKS5 (danted)" [http]="HTTP CONNECT (tinyproxy)")
declare -A pport=([socks5]=$SX [http]=$HX)
declare -A plog=([socks5]=$SX_LOG [http]=$HX_LOG)

# cmd_for TOOL PROXY HOST: the command line, in CMD.
cmd_for() {
	local w=() x=5 t=socks5 hp="$3:${pport[$2]}"
	[ "$2" = http ] && x=connect t=http
	case $1 in
	hecat|hecat-hist)
		[ "$CTO" != 0 ] && w=(-w "$CTO")
		CMD=("$HECAT" -z "${w[@]}" -X "$x" -x "$hp" --trace "$tmp/t.jsonl"
		    "$TARGET" "$PORT") ;;
	nc)
		[ "$CTO" != 0 ] && w=(-w "$CTO")
		CMD=(nc -v -z "${w[@]}" -X "$x" -x "$hp" "$TARGET" "$PORT") ;;
	ncat)
		[ "$CTO" != 0 ] && w=(--wait "$CTO")
		CMD=(ncat -v -z "${w[@]}" --proxy "$hp" --proxy-type "$t"
		    "$TARGET" "$PORT") ;;
	esac
}

# seen_fams PROXY OFFSET: the families of the client addresses the proxy
# logged accepting after byte OFFSET of its log ("IPv4", "IPv6", "IPv6
# IPv4" or nothing).  danted: "tcp/connect [: CLIENT.PORT PROXY.PORT ->
# TARGET..." once it reached the target; tinyproxy: "Connect (file
# descriptor N): CLIENT" when it accepts.
seen_fams() {
	tail -c +$(($2 + 1)) "${plog[$1]}" | awk -v kind="$1" '
	    kind == "socks5" && /tcp\/connect \[: / {
		s = $0; sub(/.*tcp\/connect \[: /, "", s); sub(/ .*/, "", s)
		f[index(s, ":") ? "IPv6" : "IPv4"] = 1 }
	    kind == "http" && /Connect \(file descriptor [0-9]+\): / {
		s = $NF; f[index(s, ":") ? "IPv6" : "IPv4"] = 1 }
	    END { o = ""; if (f["IPv6"]) o = "IPv6"
		if (f["IPv4"]) o = o (o == "" ? "" : "+") "IPv4"; print o }'
}

# run_one TOOL PROXY HOST: one run in the client namespace; sets rc,
# wall (ms), tms (hecat's connect_ms, or -) and fam (the family of the
# proxy address reached, from the proxy's log, or -).
run_one() {
	local off t cache
	cmd_for "$1" "$2" "$3"
	rm -f "$tmp/t.jsonl"
	off=$(stat -c %s "${plog[$2]}")
	hc_runs=$((hc_runs + 1))
	cache=$tmp/cache.$hc_runs
	[ "$1" = hecat-hist ] && cache=$HIST
	# shellcheck disable=SC2016
	XDG_CACHE_HOME=$cache nsc bash -c 't0=$EPOCHREALTIME
	    timeout -s KILL "$1" "${@:4}" </dev/null >"$2" 2>"$3"
	    rc=$?
	    echo "$rc $t0 $EPOCHREALTIME"' \
	    bash "$CAP" "$tmp/out" "$tmp/err" "${CMD[@]}" >"$tmp/time"
	read -r rc t < <(awk '{ printf "%d %.3f\n", $1, ($3 - $2) * 1000 }' \
	    "$tmp/time")
	wall=$t
	tms=-
	fam=
	# The proxy logs from its own processes: up to 1 s for the line of a
	# run that connected.
	for _ in $(seq 100); do
		fam=$(seen_fams "$2" "$off")
		[ -n "$fam" ] || [ "$rc" -ne 0 ] && break
		sleep 0.01
	done
	case $1 in
	hecat*)
		if [ -s "$tmp/t.jsonl" ] && [ "$rc" -eq 0 ]; then
			tms=$(jq -r -s '.[-1].connect_ms // "-"' "$tmp/t.jsonl")
			t=$(jq -r -s '.[-1].winner.family // "-"' "$tmp/t.jsonl")
			case $t in inet6) t=IPv6 ;; inet) t=IPv4 ;; esac
			[ "$t" = "$fam" ] || echo "proxy.sh: $1 $2 $3: the" \
			    "trace's winner is $t, the proxy saw '$fam'" >&2
		fi ;;
	esac
	[ "$rc" -ne 0 ] && [ -z "$fam" ] && fam=-
	[ -n "$fam" ] || fam=-
	[ -n "$tms" ] || tms=-
}

# The floor under every wall time: the runner with /bin/true.
: >"$tmp/floor"
for _ in 1 2 3 4 5; do
	# shellcheck disable=SC2016
	nsc bash -c 't0=$EPOCHREALTIME; timeout -s KILL 5 true
	    echo "$t0 $EPOCHREALTIME"' | awk '{ printf "%.3f\n", ($2 - $1) * 1000 }' \
	    >>"$tmp/floor"
done
floor=$(sort -n "$tmp/floor" | sed -n 3p)

# Every row: PROXY CASE; the tools take turns within a run.
: >"$tmp/results"
for px in $PROXIES; do
	for c in $CASES; do
		host=${chost[$c]}
		declare -A want=()
		for tool in $TOOLS; do
			want[$tool]=$RUNS
		done
		HIST=$tmp/hist.$px.$c
		if [[ " $TOOLS " == *" hecat-hist "* ]]; then
			# The dial that history learns from, not counted.
			run_one hecat-hist "$px" "$host"
			echo "proxy.sh: $px $c: hecat-hist: learning dial:" \
			    "rc=$rc wall=${wall}ms proxy=$fam" >&2
		fi
		for run in $(seq "$RUNS"); do
			for tool in $TOOLS; do
				[ "$run" -le "${want[$tool]}" ] || continue
				run_one "$tool" "$px" "$host"
				echo "$px $c $tool $run $rc $wall $tms $fam" \
				    >>"$tmp/results"
				echo "proxy.sh: $px $c: $tool run $run: rc=$rc" \
				    "wall=${wall}ms tool=${tms}ms proxy=$fam" >&2
				if [ "$run" -eq 1 ] && awk -v w="$wall" \
				    -v s="$SLOW_MS" 'BEGIN { exit !(w >= s) }'; then
					want[$tool]=$((SLOW_RUNS < RUNS ? SLOW_RUNS : RUNS))
				fi
			done
		done
		unset want
	done
done

# --- the report ---------------------------------------------------------
ver() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo '?'; }
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) CPUs, $cpu;" \
    "Linux $(uname -r); link: $LINK"
echo "Versions: hecat $("$HECAT" --version 2>&1 | awk 'NR == 1 {print $2}');" \
    "netcat-openbsd $(ver netcat-openbsd); ncat $(ver ncat);" \
    "dante-server $(ver dante-server); tinyproxy $(ver tinyproxy-bin);" \
    "glibc $(ver libc6)"
echo "Connect budget: ${CTO} s per tool (0: the tools' defaults); cap: ${CAP} s" \
    "per run; runs: $RUNS ($SLOW_RUNS when the first run took ≥ $SLOW_MS ms)"
echo "Runner floor (timeout + /bin/true, wall, median of 5): $floor ms;" \
    "target: $TARGET port $PORT; proxies: SOCKS5 port $SX, HTTP port $HX"
echo

awk -v cap="$CAP" -v tools="$TOOLS" -v pxs="$PROXIES" -v cases="$CASES" \
    -v names="bh6=${cname[bh6]}|healthy=${cname[healthy]}" \
    -v hosts="bh6=${chost[bh6]}|healthy=${chost[healthy]}" \
    -v ideals="bh6=${cideal[bh6]}|healthy=${cideal[healthy]}" \
    -v fams="bh6=${cfam[bh6]}|healthy=${cfam[healthy]}" \
    -v pnames="socks5=${pname[socks5]}|http=${pname[http]}" '
function map(s, m,   n, i, kv, a) {
	n = split(s, a, "|")
	for (i = 1; i <= n; i++) {
		split(a[i], kv, "="); m[kv[1]] = kv[2]
	}
}
function sort_(a, n,   i, j, x) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			x = a[j]; a[j] = a[j - 1]; a[j - 1] = x
		}
}
function median(a, n) {
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function ms(x) {
	if (x >= cap * 1000 - 1)
		return "≥" cap " s (capped)"
	if (x >= 1000)
		return sprintf("%.2f s", x / 1000)
	return sprintf("%.1f ms", x)
}
BEGIN {
	map(names, N); map(hosts, H); map(ideals, I); map(fams, F)
	map(pnames, P)
	nt = split(tools, T, " "); np = split(pxs, X, " ")
	nc = split(cases, C, " ")
}
{
	k = $1 SUBSEP $2 SUBSEP $3
	n[k]++
	wall[k, n[k]] = $6
	if ($5 == 0) ok[k]++
	if ($7 != "-") { ntm[k]++; tm[k, ntm[k]] = $7 }
	via[k, $8]++
}
END {
	for (pi = 1; pi <= np; pi++) for (ci = 1; ci <= nc; ci++) {
		p = X[pi]; c = C[ci]
		printf "### %s proxy, %s (`%s`)\n\n", P[p], N[c], H[c]
		if (c == "bh6")
			printf "RFC 8305 ideal: the IPv4 proxy address one attempt delay (250 ms) after the IPv6 one, plus the proxy handshake.\n\n"
		else
			printf "RFC 8305 ideal: the IPv6 proxy address at once, plus the proxy handshake.\n\n"
		print "| tool | connected | wall median | wall min–max | wall p90 | hecat connect_ms (median) | proxy address reached |"
		print "|---|---:|---:|---:|---:|---:|---|"
		for (ti = 1; ti <= nt; ti++) {
			t = T[ti]; k = p SUBSEP c SUBSEP t
			if (!n[k]) continue
			delete a
			for (i = 1; i <= n[k]; i++) a[i] = wall[k, i]
			sort_(a, n[k])
			med = median(a, n[k]); mw[k] = med
			p90 = a[int(n[k] * 0.9 + 0.5) < 1 ? 1 : int(n[k] * 0.9 + 0.5)]
			tr = "—"
			if (ntm[k]) {
				delete b
				for (i = 1; i <= ntm[k]; i++) b[i] = tm[k, i]
				sort_(b, ntm[k])
				tr = ms(median(b, ntm[k]))
			}
			f = ""
			if (via[k, "IPv6"]) f = f "IPv6 " via[k, "IPv6"] " "
			if (via[k, "IPv4"]) f = f "IPv4 " via[k, "IPv4"] " "
			if (via[k, "IPv6+IPv4"]) f = f "both " via[k, "IPv6+IPv4"] " "
			if (via[k, "-"]) f = f "none " via[k, "-"] " "
			printf "| %s | %d/%d | %s | %s – %s | %s | %s | %s|\n", t,
			    ok[k], n[k], ms(med), ms(a[1]), ms(a[n[k]]), ms(p90),
			    tr, f
		}
		print ""
	}
	print "### Overall: wall-time medians (ms; ✗ = did not connect, ⌛ = capped)\n"
	line = "| tool |"; sep = "|---|"
	for (pi = 1; pi <= np; pi++) for (ci = 1; ci <= nc; ci++) {
		line = line " " X[pi] ", " C[ci] " |"; sep = sep "---:|"
	}
	print line; print sep
	line = "| ideal (before the handshake) |"
	for (pi = 1; pi <= np; pi++) for (ci = 1; ci <= nc; ci++)
		line = line " " I[C[ci]] " |"
	print line
	for (ti = 1; ti <= nt; ti++) {
		t = T[ti]; line = "| " t " |"
		for (pi = 1; pi <= np; pi++) for (ci = 1; ci <= nc; ci++) {
			k = X[pi] SUBSEP C[ci] SUBSEP t
			if (!n[k]) { line = line " |"; continue }
			v = sprintf("%.0f", mw[k])
			if (mw[k] >= cap * 1000 - 1) v = "≥" cap * 1000 " ⌛"
			else if (ok[k] == 0) v = v " ✗"
			else if (ok[k] < n[k]) v = v " (" ok[k] "/" n[k] ")"
			line = line " " v " |"
		}
		print line
	}
	print ""
	print "bh6: proxy.test, IPv6 address blackholed, IPv4 works; healthy: proxyok.test, both work."
}' "$tmp/results"
echo
echo "Raw runs (proxy case tool run exit wall_ms hecat_connect_ms proxy_family):"
echo
echo '```'
cat "$tmp/results"
echo '```'
