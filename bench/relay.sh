#!/bin/bash
# relay.sh - relay throughput over loopback: hecat's relay with splice(2)
# and with its buffered copy, against socat, OpenBSD nc and ncat, and the
# machine's limit with no relay at all (raw).
#
#   bench/relay.sh [MiB [runs]]        defaults: 2048 MiB, 3 runs
#
# Each run moves MiB of zeros one way through one tool on 127.0.0.1:
#   up    head -c SIZE /dev/zero | TOOL 127.0.0.1 PORT > /dev/null
#         into "relaybench sink" (reads to EOF and discards);
#   down  TOOL 127.0.0.1 PORT < /dev/null | relaybench count
#         from "relaybench source" (sends SIZE bytes, then closes).
# Every tool gets the same generator, sink, source and consumer, and its
# own default buffer sizes.  Only the tool is timed (GNU time: wall, user,
# sys).  The byte count at the far end is checked on every run.
#
# The tools (TOOLS="..." picks some):
#   hecat         cmd/hecat -n (-d down): the command, dial included
#   hecat-splice  cmd/relay.c's relay(): splice(2) on the pipe side
#   hecat-copy    the same with no_splice: read/write, 64 KiB buffer
#   socat         socat -u STDIN TCP:... / socat -u TCP:... STDOUT
#   nc            nc -N ... (up) / nc -d ... (down), netcat-openbsd
#   ncat          ncat --send-only ... (up) / ncat --recv-only ... (down)
#   raw           no relay, no pipe: "relaybench send" writes SIZE bytes
#                 from memory straight into the socket (up), "relaybench
#                 recv" reads the socket and discards (down); the far
#                 ends are the same sink and source
# hecat-splice and hecat-copy are bench/relaybench.c (relay() behind a
# plain connect(), built here with cc -O2): the same code, with and
# without splice, for an A/B of the two paths.
#
# Output: a Markdown table, medians over the runs: MB/s (10^6 bytes per
# second of wall time) and the tool's user+sys CPU seconds per GB (10^9
# bytes).  As root it installs socat, netcat-openbsd, ncat and time if
# missing.
# Traffic stays on loopback; every process started is stopped by PID.
set -eu -o pipefail
cd "$(dirname "$0")/.."

MIB=${1:-2048}
RUNS=${2:-3}
BYTES=$((MIB * 1024 * 1024))
TOOLS=${TOOLS:-"raw hecat hecat-splice hecat-copy socat nc ncat"}

have_tools() {
	command -v socat >/dev/null && [ -x /usr/bin/time ] &&
	    command -v ncat >/dev/null &&
	    command -v nc >/dev/null && nc -h 2>&1 | grep -q OpenBSD
}
if ! have_tools; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "relay.sh: needs socat, netcat-openbsd, ncat and time" \
		    "(run as root to install them)" >&2
		exit 1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends socat netcat-openbsd ncat time >/dev/null
	have_tools || { echo "relay.sh: tools still missing" >&2; exit 1; }
fi

tmp=$(mktemp -d /tmp/relaybench.XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

printf '#define _GNU_SOURCE 1\n' >"$tmp/config.h"
${CC:-cc} -O2 -std=c11 -I"$tmp" -Icmd -o "$tmp/relaybench" \
    bench/relaybench.c cmd/relay.c cmd/relay_copy.c cmd/relay_splice.c \
    cmd/relay_state.c cmd/relay_tls.c -lssl -lcrypto
RB=$tmp/relaybench

# server MODE [BYTES]: start relaybench sink/source; sets SPID and PORT.
server() {
	rm -f "$tmp/port"
	"$RB" "$1" "$tmp/port" ${2:+"$2"} >"$tmp/server.out" &
	SPID=$!
	pids+=("$SPID")
	for _ in $(seq 200); do		# 10 s at most
		[ -s "$tmp/port" ] && break
		sleep 0.05
	done
	[ -s "$tmp/port" ] || { echo "relay.sh: no $1 server" >&2; exit 1; }
	PORT=$(cat "$tmp/port")
}

# reap: wait for the server, 60 s at most, then stop it.
reap() {
	for _ in $(seq 600); do
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.1
	done
	kill "$SPID" 2>/dev/null || true
	wait "$SPID" 2>/dev/null || true
}

# cmd_for TOOL DIR: the command line, in CMD.
cmd_for() {
	case "$1 $2" in
	"hecat up")		CMD=(cmd/hecat -n 127.0.0.1 "$PORT") ;;
	"hecat-splice up")	CMD=("$RB" relay 127.0.0.1 "$PORT") ;;
	"hecat-copy up")	CMD=("$RB" relay -n 127.0.0.1 "$PORT") ;;
	"socat up")		CMD=(socat -u STDIN "TCP:127.0.0.1:$PORT") ;;
	"nc up")		CMD=(nc -N 127.0.0.1 "$PORT") ;;
	"ncat up")		CMD=(ncat --send-only 127.0.0.1 "$PORT") ;;
	"raw up")		CMD=("$RB" send 127.0.0.1 "$PORT" "$BYTES") ;;
	"hecat down")		CMD=(cmd/hecat -n -d 127.0.0.1 "$PORT") ;;
	"hecat-splice down")	CMD=("$RB" relay -d 127.0.0.1 "$PORT") ;;
	"hecat-copy down")	CMD=("$RB" relay -d -n 127.0.0.1 "$PORT") ;;
	"socat down")		CMD=(socat -u "TCP:127.0.0.1:$PORT" STDOUT) ;;
	"nc down")		CMD=(nc -d 127.0.0.1 "$PORT") ;;
	"ncat down")		CMD=(ncat --recv-only 127.0.0.1 "$PORT") ;;
	"raw down")		CMD=("$RB" recv 127.0.0.1 "$PORT") ;;
	esac
}

# run_one TOOL DIR: one transfer; prints "wall user sys" of the tool.
run_one() {
	local got timed=(timeout 300 /usr/bin/time -f '%e %U %S' -o "$tmp/time")

	if [ "$1 $2" = "raw up" ]; then
		server sink
		cmd_for raw up
		"${timed[@]}" "${CMD[@]}" </dev/null >/dev/null
		reap
		got=$(cat "$tmp/server.out")
	elif [ "$1 $2" = "raw down" ]; then
		server source "$BYTES"
		cmd_for raw down
		"${timed[@]}" "${CMD[@]}" </dev/null >"$tmp/count"
		reap
		got=$(cat "$tmp/count")
	elif [ "$2" = up ]; then
		server sink
		cmd_for "$1" up
		head -c "$BYTES" /dev/zero | "${timed[@]}" "${CMD[@]}" >/dev/null
		reap
		got=$(cat "$tmp/server.out")
	else
		server source "$BYTES"
		cmd_for "$1" down
		"${timed[@]}" "${CMD[@]}" </dev/null | "$RB" count >"$tmp/count"
		reap
		got=$(cat "$tmp/count")
	fi
	if [ "$got" != "$BYTES" ]; then
		echo "relay.sh: $1 $2: $got bytes of $BYTES" >&2
		exit 1
	fi
	tail -n 1 "$tmp/time"
}

# What the generator gives through one pipe, no TCP: a bound for "up".
head -c "$BYTES" /dev/zero |
    /usr/bin/time -f '%e' -o "$tmp/time" "$RB" count >/dev/null
ceiling=$(awk -v b="$BYTES" '{ printf "%.0f", b / 1e6 / $1 }' "$tmp/time")

: >"$tmp/results"
for tool in $TOOLS; do
	for dir in up down; do
		for run in $(seq "$RUNS"); do
			echo "$tool $dir $(run_one "$tool" "$dir")" \
			    >>"$tmp/results"
			echo "relay.sh: $tool $dir run $run:" \
			    "$(tail -n 1 "$tmp/results" | cut -d' ' -f3-)" >&2
		done
	done
done

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC');" \
    "machine: $(nproc) CPUs, $cpu; Linux $(uname -r)"
echo "Transfer: $MIB MiB per run, median of $RUNS runs;" \
    "socat $(socat -V | sed -n 's/^socat version \([^ ]*\).*/\1/p');" \
    "nc: netcat-openbsd" \
    "$(dpkg-query -W -f '${Version}' netcat-openbsd 2>/dev/null || echo '?');" \
    "ncat $(dpkg-query -W -f '${Version}' ncat 2>/dev/null || echo '?')"
echo "Generator alone (head -c | count, one pipe, no TCP): $ceiling MB/s;" \
    "the up direction cannot beat it"
echo
# The table; "% of raw" when raw was measured.
awk -v tools="$TOOLS" -v b="$BYTES" '
function median(a, n,   i, j, x) {
	for (i = 2; i <= n; i++)	# insertion sort
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			x = a[j]; a[j] = a[j - 1]; a[j - 1] = x
		}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{
	k = $1 SUBSEP $2
	n[k]++
	mbs[k, n[k]] = $3 > 0 ? b / 1e6 / $3 : 0
	cpu[k, n[k]] = ($4 + $5) / (b / 1e9)
}
END {
	nt = split(tools, T, " ")
	for (ti = 1; ti <= nt; ti++)
		for (di = 1; di <= 2; di++) {
			k = T[ti] SUBSEP (di == 1 ? "up" : "down")
			delete x; delete y
			for (i = 1; i <= n[k]; i++) {
				x[i] = mbs[k, i]; y[i] = cpu[k, i]
			}
			m[k] = median(x, n[k]); c[k] = median(y, n[k])
		}
	raw = (("raw" SUBSEP "up") in m)
	printf "| tool | direction | MB/s (median) | CPU s per GB (user+sys) |%s\n",
	    raw ? " % of raw |" : ""
	printf "|---|---|---:|---:|%s\n", raw ? "---:|" : ""
	for (ti = 1; ti <= nt; ti++)
		for (di = 1; di <= 2; di++) {
			d = di == 1 ? "up" : "down"
			k = T[ti] SUBSEP d
			printf "| %s | %s | %.0f | %.2f |", T[ti], d, m[k], c[k]
			if (raw)
				printf " %.0f%% |", 100 * m[k] / m["raw" SUBSEP d]
			printf "\n"
		}
}' "$tmp/results"
