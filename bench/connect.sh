#!/bin/bash
# connect.sh - time to connect on broken networks: hecat against the
# tools people use (curl, OpenBSD nc, ncat, socat, Python asyncio, Go).
#
#   bench/connect.sh            root only (network namespaces)
#
# The network is tests/netns/scenarios.sh's (tests/netns/lib.sh: a client
# and a server namespace, documentation addresses, nftables blackhole /
# refuse / unreachable, hecat-dnsd at 198.51.100.53 with per-name delays
# and drops), and the names are its scenarios 1-9.  Every tool runs in the
# client namespace and resolves through the namespace's resolv.conf:
# glibc's getaddrinfo for curl, nc, ncat, socat and Python, Go's own
# resolver for Go, hecat's for hecat (no --dns-server: the same file).
#
# Every tool gets the same connect budget, CTO seconds (default 5), as its
# own option (hecat -w, curl --connect-timeout, nc -w, ncat --wait, socat
# connect-timeout=, Go Dialer.Timeout, asyncio.wait_for); CTO=0 gives
# every tool its defaults instead.  Every run is capped by
# `timeout -s KILL CAP` (default 20 s); a capped run shows as ">=20 s
# (capped)".  Wall time is taken inside the client namespace around
# `timeout ... TOOL` (bash's EPOCHREALTIME), so `ip netns exec` is not in
# it; the tool's own connect time is shown where it reports one (hecat
# --trace connect_ms, curl %{time_connect}, the Python and Go helpers).
#
# Environment: RUNS (5) runs per tool and scenario; a tool whose first
# run in a scenario takes SLOW_MS (4000) or more gets SLOW_RUNS (3) runs
# in all.  TOOLS and SCENARIOS (numbers) pick a subset.  LINK: delay (the
# default when tests/netns/hecat-delayline is built: TUN devices and the
# user-space delay line at 0 ms, so that ICMP errors come back after
# connect() returned, as over a real hop) or veth (scenario 4 is then
# distorted: see the note the script prints).
#
# Output: Markdown on stdout, one table per scenario and an overall one;
# progress on stderr.  As root it installs what is missing (apt-get).
# Traffic stays inside the two namespaces; they, the servers and every
# process started are removed or killed by PID at exit.
set -u -o pipefail
cd "$(dirname "$0")/.." || exit 1

RUNS=${RUNS:-5}
SLOW_RUNS=${SLOW_RUNS:-3}
SLOW_MS=${SLOW_MS:-4000}
CTO=${CTO:-5}
CAP=${CAP:-20}
if [ -z "${LINK:-}" ]; then
	LINK=veth
	[ -x tests/netns/hecat-delayline ] && LINK=delay
fi
export NS_DELAY_SECONDS=${NS_DELAY_SECONDS:-7200}
TOOLS=${TOOLS:-"hecat curl nc ncat socat python go"}
SCENARIOS=${SCENARIOS:-"1 2 3 4 5 6 7 8 9"}
HECAT=${HECAT:-cmd/hecat}

if [ "$(id -u)" -ne 0 ]; then
	echo "connect.sh: needs root (network namespaces)" >&2
	exit 1
fi
for f in "$HECAT" tests/hecat-dnsd tests/hecat-listen; do
	if [ ! -x "$f" ]; then
		echo "connect.sh: $f missing: build first (make && make check TESTS=)" >&2
		exit 1
	fi
done

# Packages, installed when missing.
need=()
command -v curl >/dev/null || need+=(curl)
{ command -v nc >/dev/null && nc -h 2>&1 | grep -q OpenBSD; } ||
    need+=(netcat-openbsd)
command -v ncat >/dev/null || need+=(ncat)
command -v socat >/dev/null || need+=(socat)
[ -x /usr/bin/python3 ] || need+=(python3)
command -v go >/dev/null || need+=(golang-go)
[ -x /usr/bin/time ] || need+=(time)
command -v jq >/dev/null || need+=(jq)
command -v nft >/dev/null || need+=(nftables)
command -v ip >/dev/null || need+=(iproute2)
command -v ping >/dev/null || need+=(iputils-ping)
if [ ${#need[@]} -gt 0 ]; then
	echo "connect.sh: installing ${need[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends "${need[@]}" >/dev/null ||
	    { echo "connect.sh: apt-get install failed" >&2; exit 1; }
fi
PY=/usr/bin/python3

. tests/cli_lib.sh
. tests/netns/lib.sh
ns_require
trap 'ns_down; cleanup' EXIT
trap 'exit 130' INT TERM

# The Go helper, built in the temporary directory.
echo "connect.sh: building bench/he_go.go" >&2
GOCACHE=$tmp/gocache GO111MODULE=off go build -o "$tmp/he_go" \
    bench/he_go.go || { echo "connect.sh: go build failed" >&2; exit 1; }

# --- the network: tests/netns/scenarios.sh's (tests/netns/lib.sh) ---------
ns_up "$LINK"
# The server's ICMP errors without the per-host rate limit: one client
# address dials ur6.test seven times in a row, and Linux's limit (a
# token bucket per destination, net.ipv6.icmp.ratelimit) would silently
# drop some of the ICMPv6 unreachables, making those runs look like
# scenario 2 (seen as Icmp6OutRateLimitHost in nstat).
nss sysctl -qw net.ipv6.icmp.ratelimit=0 net.ipv4.icmp_ratelimit=0
ns_scenarios_addrs
# The listener (greet: "hello from ADDR") lives 2 h at most; the DNS
# server is killed by PID at exit (ns_down).
ns_start "$NS_S" LISTEN_PORT tests/hecat-listen -a $V6OK -a $V4OK \
    -p "$PORT" -m greet -t 7200
ns_start "$NS_S" DNS_PORT tests/hecat-dnsd -a "$DNS_ADDR" -p 53 "$tmp/zone"

# Scenario N: name, host, what, RFC 8305 ideal (ms), ideal family.
cto_ms=$((CTO > 0 ? CTO * 1000 : CAP * 1000))
sc_name=([1]="healthy dual stack" "IPv6 blackholed" "IPv6 refused"
    "IPv6 unreachable (ICMPv6)" "AAAA 200 ms late" "AAAA never answered"
    "A 300 ms late, IPv6 blackholed" "3+3 addresses, 5 blackholed"
    "everything blackholed")
sc_host=([1]=healthy.test bh6.test rf6.test ur6.test late6.test
    noaaaa.test latea.test many.test dead.test)
sc_ideal=([1]=0 250 10 10 50 50 300 1250 "$cto_ms")
sc_fam=([1]=IPv6 IPv4 IPv4 IPv4 IPv4 IPv4 IPv4 IPv4 none)
sc_why=([1]="IPv6 at once"
    "IPv4 one attempt delay (250 ms) after IPv6"
    "IPv4 as soon as IPv6 is refused (10 ms minimum gap between attempts)"
    "IPv4 as soon as the ICMPv6 error comes (10 ms minimum gap)"
    "IPv4 after the resolution delay (50 ms)"
    "IPv4 after the resolution delay (50 ms)"
    "IPv4 as soon as A comes (300 ms)"
    "the 6th attempt, interleaved, 5 x 250 ms"
    "failure at the connect budget (${CTO} s)")

# cmd_for TOOL HOST: the command line, in CMD.
cmd_for() {
	local p=$PORT w=()
	case $1 in
	hecat)
		[ "$CTO" != 0 ] && w=(-w "$CTO")
		CMD=("$HECAT" -z "${w[@]}" --trace "$tmp/t.jsonl" "$2" "$p") ;;
	curl)
		[ "$CTO" != 0 ] && w=(--connect-timeout "$CTO")
		CMD=(curl -s -o /dev/null -w '%{time_connect} %{remote_ip}\n'
		    "${w[@]}" "telnet://$2:$p") ;;
	nc)
		[ "$CTO" != 0 ] && w=(-w "$CTO")
		CMD=(nc -v -z "${w[@]}" "$2" "$p") ;;
	ncat)
		[ "$CTO" != 0 ] && w=(--wait "$CTO")
		CMD=(ncat -v -z "${w[@]}" "$2" "$p") ;;
	socat)
		[ "$CTO" != 0 ] && w=(",connect-timeout=$CTO")
		CMD=(socat -d -d -u /dev/null "TCP:$2:$p${w[*]:-}") ;;
	python)
		CMD=("$PY" bench/he_asyncio.py "$2" "$p" "$CTO" 0.25) ;;
	go)
		CMD=("$tmp/he_go" "$2" "$p" "$CTO") ;;
	esac
}

# run_one TOOL HOST: one run in the client namespace; sets rc, wall (ms),
# tms (the tool's own connect time, ms, or -) and addr (winner or -).
run_one() {
	local t
	cmd_for "$1" "$2"
	rm -f "$tmp/t.jsonl"
	# shellcheck disable=SC2016
	nsc bash -c 't0=$EPOCHREALTIME
	    timeout -s KILL "$1" "${@:4}" </dev/null >"$2" 2>"$3"
	    rc=$?
	    echo "$rc $t0 $EPOCHREALTIME"' \
	    bash "$CAP" "$tmp/out" "$tmp/err" "${CMD[@]}" >"$tmp/time"
	read -r rc t < <(awk '{ printf "%d %.3f\n", $1, ($3 - $2) * 1000 }' \
	    "$tmp/time")
	wall=$t
	tms=-
	addr=-
	case $1 in
	hecat)
		if [ -s "$tmp/t.jsonl" ]; then
			tms=$(jq -r -s '.[-1] | if .exit == 0 then .connect_ms
			    else "-" end' "$tmp/t.jsonl")
			addr=$(jq -r -s '.[-1].winner.addr // "-"' \
			    "$tmp/t.jsonl")
		fi ;;
	curl)
		if [ "$rc" -eq 0 ]; then
			read -r t addr < "$tmp/out"
			tms=$(awk -v t="$t" 'BEGIN { printf "%.3f", t * 1000 }')
		fi ;;
	nc)
		addr=$(sed -n 's/^Connection to .* (\(.*\)) [0-9]* port.*succeeded.*/\1/p' \
		    "$tmp/err" | tail -n 1) ;;
	ncat)
		addr=$(sed -n 's/^Ncat: Connected to \(.*\):[0-9]*\.$/\1/p' \
		    "$tmp/err" | tail -n 1) ;;
	socat)
		[ "$rc" -eq 0 ] && addr=$(sed -n \
		    's/.* opening connection to AF=[0-9]* \[*\([^]]*\)\]*:[0-9]*$/\1/p' \
		    "$tmp/err" | tail -n 1) ;;
	python|go)
		if [ "$rc" -eq 0 ]; then
			tms=$(sed -n 's/^connect_ms=\([0-9.]*\).*/\1/p' "$tmp/out")
			addr=$(sed -n 's/.* addr=\([^ ]*\).*/\1/p' "$tmp/out")
		fi ;;
	esac
	[ "$rc" -ne 0 ] && addr=-
	[ -n "$addr" ] || addr=-
	[ -n "$tms" ] || tms=-
}

# The link's round trip (ping, median of 5), for the record.
rtt() {
	nsc ping -c 5 -i 0.2 -W 1 "$1" 2>/dev/null |
	    sed -n 's|.* = [0-9.]*/\([0-9.]*\)/.*|\1|p'
}
rtt4=-; rtt6=-
if command -v ping >/dev/null; then
	rtt4=$(rtt $V4OK); rtt6=$(rtt $V6OK)
fi

# The floor under every wall time: the runner with /bin/true.
: >"$tmp/floor"
for _ in 1 2 3 4 5; do
	# shellcheck disable=SC2016
	nsc bash -c 't0=$EPOCHREALTIME; timeout -s KILL 5 true
	    echo "$t0 $EPOCHREALTIME"' | awk '{ printf "%.3f\n", ($2 - $1) * 1000 }' \
	    >>"$tmp/floor"
done
floor=$(sort -n "$tmp/floor" | sed -n 3p)

: >"$tmp/results"
for s in $SCENARIOS; do
	host=${sc_host[$s]}
	declare -A want=()
	for tool in $TOOLS; do
		want[$tool]=$RUNS
	done
	for run in $(seq "$RUNS"); do
		for tool in $TOOLS; do
			[ "$run" -le "${want[$tool]}" ] || continue
			run_one "$tool" "$host"
			echo "$s $tool $run $rc $wall $tms $addr" >>"$tmp/results"
			echo "connect.sh: $s ${sc_name[$s]}: $tool run $run:" \
			    "rc=$rc wall=${wall}ms tool=${tms}ms winner=$addr" >&2
			if [ "$run" -eq 1 ] && awk -v w="$wall" -v s="$SLOW_MS" \
			    'BEGIN { exit !(w >= s) }'; then
				want[$tool]=$((SLOW_RUNS < RUNS ? SLOW_RUNS : RUNS))
			fi
		done
	done
	unset want
done

# --- the report ---------------------------------------------------------
ver() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo '?'; }
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) CPUs, $cpu;" \
    "Linux $(uname -r); link: $LINK"
echo "Versions: hecat $("$HECAT" --version 2>&1 | awk 'NR == 1 {print $2}');" \
    "curl $(curl --version | awk 'NR==1 {print $2}');" \
    "netcat-openbsd $(ver netcat-openbsd); ncat $(ver ncat);" \
    "socat $(socat -V | sed -n 's/^socat version \([^ ]*\).*/\1/p');" \
    "Python $("$PY" -c 'import platform; print(platform.python_version())');" \
    "$(go version | awk '{print $3}'); glibc $(ver libc6)"
echo "Connect budget: ${CTO} s per tool (0: the tools' defaults); cap: ${CAP} s" \
    "per run; runs: $RUNS ($SLOW_RUNS when the first run took ≥ $SLOW_MS ms)"
echo "Runner floor (timeout + /bin/true, wall, median of 5): $floor ms;" \
    "link round trip (ping, avg of 5): IPv4 ${rtt4:--} ms, IPv6 ${rtt6:--} ms"
echo

# report: the per-scenario and overall tables from $tmp/results.
report() {
	awk -v cap="$CAP" -v tools="$TOOLS" -v scen="$SCENARIOS" -v link="$LINK" \
	    -v names="$(printf '%s|' "${sc_name[@]}")" \
	    -v hosts="$(printf '%s|' "${sc_host[@]}")" \
	    -v ideals="$(printf '%s|' "${sc_ideal[@]}")" \
	    -v fams="$(printf '%s|' "${sc_fam[@]}")" \
	    -v whys="$(printf '%s|' "${sc_why[@]}")" '
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
	function family(a) {
		if (a == "-") return "none"
		return index(a, ":") ? "IPv6" : "IPv4"
	}
	BEGIN {
		split(names, N, "|"); split(hosts, H, "|")
		split(ideals, I, "|"); split(fams, F, "|"); split(whys, W, "|")
		nt = split(tools, T, " "); ns = split(scen, S, " ")
	}
	{
		k = $1 SUBSEP $2
		n[k]++
		wall[k, n[k]] = $5
		if ($4 == 0) ok[k]++
		if ($4 == 137) capped[k]++
		if ($6 != "-") { nt_[k]++; tm[k, nt_[k]] = $6 }
		fam[k, family($7)]++
	}
	END {
		for (si = 1; si <= ns; si++) {
			s = S[si]
			note = ""
			if (s == 4 && link == "veth")
				note = " (affected by veth, see below)"
			printf "### %s. %s (`%s`)%s\n\n", s, N[s], H[s], note
			printf "RFC 8305 ideal: %s, %s: %s.\n\n", ms(I[s]), F[s], W[s]
			print "| tool | connected | wall median | wall min–max | tool-reported connect (median) | winner family | vs ideal (median) |"
			print "|---|---:|---:|---:|---:|---|---:|"
			for (ti = 1; ti <= nt; ti++) {
				t = T[ti]; k = s SUBSEP t
				if (!n[k]) continue
				delete a
				for (i = 1; i <= n[k]; i++) a[i] = wall[k, i]
				sort_(a, n[k])
				med = median(a, n[k])
				mw[k] = med
				tr = "—"
				if (nt_[k]) {
					delete b
					for (i = 1; i <= nt_[k]; i++) b[i] = tm[k, i]
					sort_(b, nt_[k])
					tr = ms(median(b, nt_[k]))
				}
				f = ""
				if (fam[k, "IPv6"]) f = f "IPv6 " fam[k, "IPv6"] " "
				if (fam[k, "IPv4"]) f = f "IPv4 " fam[k, "IPv4"] " "
				if (fam[k, "none"]) f = f "none " fam[k, "none"] " "
				if (med >= cap * 1000 - 1)
					d = sprintf("≥ %+.0f ms", cap * 1000 - I[s])
				else
					d = sprintf("%+.1f ms", med - I[s])
				printf "| %s | %d/%d | %s | %s – %s | %s | %s| %s |\n",
				    t, ok[k], n[k], ms(med), ms(a[1]), ms(a[n[k]]),
				    tr, f, d
			}
			print ""
		}
		print "### Overall: wall-time medians (ms; ✗ = did not connect, ⌛ = capped)\n"
		line = "| tool |"; sep = "|---|"
		for (si = 1; si <= ns; si++) {
			line = line " " S[si] " |"; sep = sep "---:|"
		}
		print line; print sep
		line = "| RFC 8305 ideal |"
		for (si = 1; si <= ns; si++)
			line = line " " I[S[si]] (S[si] == 9 ? " ✗" : "") " |"
		print line
		for (ti = 1; ti <= nt; ti++) {
			t = T[ti]; line = "| " t " |"
			for (si = 1; si <= ns; si++) {
				k = S[si] SUBSEP t
				if (!n[k]) { line = line " |"; continue }
				c = sprintf("%.0f", mw[k])
				if (mw[k] >= cap * 1000 - 1) c = "≥" cap * 1000 " ⌛"
				else if (ok[k] == 0) c = c " ✗"
				else if (ok[k] < n[k]) c = c " (" ok[k] "/" n[k] ")"
				line = line " " c " |"
			}
			print line
		}
		print ""
		print "Scenarios: " 
		for (si = 1; si <= ns; si++)
			printf "%s. %s (%s)%s", S[si], N[S[si]], H[S[si]], si < ns ? "; " : ".\n"
	}' "$tmp/results"
}
report
if [ "$LINK" = veth ] && [[ " $SCENARIOS " == *" 4 "* ]]; then
	echo
	echo "Scenario 4 over veth: the ICMPv6 error for an IPv6 SYN is" \
	    "processed while connect() holds the socket lock, and the kernel" \
	    "reports it only at the SYN retransmit (1 s), so every tool sees" \
	    "the IPv6 attempt as blackholed, not unreachable.  Rerun with" \
	    "LINK=delay once the TUN delay line exists."
fi
echo
echo "Raw runs (scenario tool run exit wall_ms tool_ms winner):"
echo
echo '```'
cat "$tmp/results"
echo '```'
