# cli_lib.sh - what the command's shell suites share.  Source it.
#
# Servers start on port 0 and say "port N" on a FIFO that the suite reads
# with a deadline; every hecat run has a timeout; everything started is
# killed by PID at exit.  Each case prints "PASS: name" or "FAIL: name"
# with what went wrong; the script fails if any case did.

set -u
: "${srcdir:=.}"
HECAT=${HECAT:-cmd/hecat}
tmp=$(mktemp -d /tmp/hecat-cli.XXXXXX)
# Connection history: never the user's, and none carried from one case
# to the next (hc and hn give each run a fresh one; a case that wants
# history across runs sets HC_CACHE to a directory of its own).
export XDG_CACHE_HOME="$tmp/cache"
hc_runs=0
pids=()
passes=0
fails=0

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# start_server VAR command...: run a server that prints "port N" first;
# sets VAR to N and SERVER_PID to its pid.  Fails the suite if the line
# does not come within SERVER_WAIT seconds (5).
start_server() {
	local var=$1 fifo line
	shift
	fifo="$tmp/fifo.$RANDOM.$RANDOM"
	mkfifo "$fifo"
	"$@" > "$fifo" &
	SERVER_PID=$!
	pids+=("$SERVER_PID")
	exec 9< "$fifo"
	if ! read -t "${SERVER_WAIT:-5}" -r line <&9 ||
	    [ "${line%% *}" != port ]; then
		echo "FAIL: server did not start: $*"
		exit 1
	fi
	exec 9<&-
	rm -f "$fifo"
	printf -v "$var" '%s' "${line#port }"
}

stop_server() {
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# hc ARGS...: run hecat with stdin from /dev/null (or $IN), capturing
# stdout in $tmp/out and stderr in $tmp/err; sets rc and elapsed (ms).
hc() {
	local t0 t1
	hc_runs=$((hc_runs + 1))
	t0=${EPOCHREALTIME/./}
	XDG_CACHE_HOME=${HC_CACHE:-$tmp/cache.$hc_runs} \
	    timeout -s KILL 30 "$HECAT" "$@" < "${IN:-/dev/null}" \
	    > "$tmp/out" 2> "$tmp/err"
	rc=$?
	t1=${EPOCHREALTIME/./}
	elapsed=$(( (t1 - t0) / 1000 ))
}

pass() {
	echo "PASS: $1"
	passes=$((passes + 1))
}

fail() {
	echo "FAIL: $1"
	shift
	[ $# -gt 0 ] && echo "  $*"
	echo "  exit status: ${rc:-?}; stderr:"
	sed 's/^/    /' "$tmp/err" 2>/dev/null | head -n 40
	echo "  stdout:"
	head -c 2000 "$tmp/out" 2>/dev/null | sed 's/^/    /'
	fails=$((fails + 1))
}

# check NAME CONDITION...: pass if the command succeeds.
check() {
	local name=$1
	shift
	if "$@"; then
		pass "$name"
	else
		fail "$name" "failed: $*"
	fi
}

# Helpers for conditions.
rc_is() { [ "$rc" -eq "$1" ]; }
err_has() { grep -Eq -- "$1" "$tmp/err"; }
out_is() { [ "$(cat "$tmp/out")" = "$1" ]; }
out_empty() { [ ! -s "$tmp/out" ]; }
err_lines() { [ "$(wc -l < "$tmp/err")" -eq "$1" ]; }
faster_than() { [ "$elapsed" -lt "$1" ]; }
jqok() { jq -e "$@" > /dev/null; }
slower_than() { [ "$elapsed" -ge "$1" ]; }

finish() {
	echo "# $passes passed, $fails failed"
	[ "$fails" -eq 0 ]
}

# The suite's DNS server, with rules for the names the suites use.
start_dns() {
	cat > "$tmp/rules" <<'EOF'
dual.test AAAA ::1
dual.test A 127.0.0.1
v4.test A 127.0.0.1
v4.test AAAA nodata
v6.test AAAA ::1
v6.test A nodata
slow6.test AAAA ::1 delay=200
slow6.test A 127.0.0.1
nx.test * nxdomain
sf.test * servfail
silent.test * drop
EOF
	start_server DNSPORT tests/hecat-dnsd "$tmp/rules"
	DNS="--dns-server=127.0.0.1:$DNSPORT"
}

have_ipv6() {
	[ -f /proc/net/if_inet6 ] && grep -q '^0\{31\}1 ' /proc/net/if_inet6
}
