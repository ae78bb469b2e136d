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
# does not come within SERVER_WAIT seconds (5 times HECAT_TEST_SLOWDOWN).
start_server() {
	local var=$1 fifo line
	shift
	fifo="$tmp/fifo.$RANDOM.$RANDOM"
	mkfifo "$fifo"
	"$@" > "$fifo" &
	SERVER_PID=$!
	pids+=("$SERVER_PID")
	exec 9< "$fifo"
	if ! read -t "${SERVER_WAIT:-$((5 * SLOWDOWN))}" -r line <&9 ||
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
jqok() { jq -e "$@" > /dev/null; }
# qlog_valid FILE: a --qlog file passes tests/qlog_check.py (the HEv3
# schema and the draft's rules), with a python3 that has jsonschema.
qlog_valid() {
	local p
	for p in python3 /usr/bin/python3; do
		if "$p" -c 'import jsonschema' 2> /dev/null; then
			"$p" "${srcdir:-.}/tests/qlog_check.py" "$1"
			return
		fi
	done
	echo "  no python3 with jsonschema (Debian: python3-jsonschema)"
	return 1
}

# ---- timing -----------------------------------------------------------------
# A schedule is judged by the trace's own timestamps ("t_ms" on every
# --trace event, the "+12.3ms" of -vv), relative to the event that starts
# it: the first query sent, the previous attempt started, the answer
# arrived, stdin's EOF.  Never from the start of the process or the dial:
# that includes loading and setting up getdns, tens to hundreds of ms
# under the sanitizers or a loaded machine.
#
# HECAT_TEST_SLOWDOWN=N (a whole number, default 1; .ci/run's sanitizer
# pass sets 4, its valgrind pass 20) stretches upper bounds only: a
# window [LO, HI] becomes [LO, LO + (HI - LO) * N].  A lower bound is what
# RFC 8305 or the option says (the attempt delay, the Resolution Delay,
# -q), less at most 1 ms for timer granularity, and never scaled.  Times
# measured for their own sake belong in bench/.
SLOWDOWN=${HECAT_TEST_SLOWDOWN:-1}
case $SLOWDOWN in
''|*[!0-9]*|0) SLOWDOWN=1 ;;
esac

# within X LO HI: LO <= X <= LO + (HI - LO) * SLOWDOWN (decimal ms); false
# if X is not a number (an event that did not happen).
within() {
	awk -v x="$1" -v lo="$2" -v hi="$3" -v s="$SLOWDOWN" 'BEGIN {
	    if (x !~ /^-?[0-9]+(\.[0-9]+)?$/) exit 1
	    exit !(x + 0 >= lo && x + 0 <= lo + (hi - lo) * s) }'
}

# Each half alone, where the two ends of a window count from different
# events (scenarios.sh, 10): at_least X LO is LO <= X; no_later X AT HI
# is X <= AT + (HI - AT) * SLOWDOWN (no later than HI where the schedule
# says AT).
at_least() { within "$1" "$2" 1e12; }
no_later() {
	awk -v x="$1" -v at="$2" -v hi="$3" -v s="$SLOWDOWN" 'BEGIN {
	    if (x !~ /^-?[0-9]+(\.[0-9]+)?$/) exit 1
	    exit !(x + 0 <= at + (hi - at) * s) }'
}

# ev_t FILE COND [N]: "t_ms" of the Nth (from 0) event of the JSON Lines
# trace FILE for which the jq condition COND holds; "none" if none.
# Events are chosen by their "ev" and fields, never by line number.
ev_t() {
	jq -r -s --argjson n "${3:-0}" \
	    "[.[] | select($2)][\$n].t_ms // \"none\"" "$1"
}

# gap FROM TO: TO - FROM in ms, or "none" if either is.
gap() {
	awk -v a="$1" -v b="$2" 'BEGIN {
	    if (a == "none" || b == "none" || a == "" || b == "") print "none"
	    else printf "%.3f\n", b - a }'
}

# vv_t PATTERN: the "+12.3ms" stamp of the first -vv line in $tmp/err
# that matches the extended regex PATTERN (after the stamp); "none".
vv_t() {
	sed -nE "s/^hecat: \+([0-9.]+)ms ($1).*/\1/p" "$tmp/err" | head -n 1 |
	    grep . || echo none
}

# Whole runs, for what is about a whole run (-w, "no hang"): elapsed is
# set by hc.  The upper bound stretches, the lower one does not.
faster_than() { [ "$elapsed" -lt $(( $1 * SLOWDOWN )) ]; }
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
