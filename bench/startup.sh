#!/bin/bash
# startup.sh - start-up cost of a one-shot dial: wall time and peak RSS of
# `hecat -z` against `nc -z` (OpenBSD), loopback only.
#
#   bench/startup.sh [runs]            default: 200 runs per case
#
# The cases, each a connect-and-close to a local listener (hecat-listen
# -m greet on 127.0.0.1):
#   hecat literal    cmd/hecat -z -n 127.0.0.1 PORT
#   nc literal       nc -z 127.0.0.1 PORT
#   hecat localhost  cmd/hecat -z localhost PORT        (/etc/hosts)
#   nc localhost     nc -z localhost PORT               (/etc/hosts)
#   hecat DNS        cmd/hecat -z --dns-server 127.0.0.1:DPORT bench.test PORT
#                    (tests/hecat-dnsd on loopback: A 127.0.0.1, AAAA NODATA)
#   true             /bin/true: the cost of starting any process here
# nc cannot be pointed at a DNS server on another port, so the DNS case
# is hecat's alone.  /etc/hosts must map localhost to 127.0.0.1 (the
# script checks).
#
# Wall time: hyperfine (no shell, -N; 20 warm-up runs) when installed,
# otherwise a loop of the same number of runs timed with bash's
# EPOCHREALTIME; both give the median and mean +- sd in ms.  Peak RSS:
# GNU time's %M (max resident set, KiB) over 20 runs, the median.
# Output: a Markdown table on stdout, progress on stderr.  As root it
# installs hyperfine and time when missing.  Every server is killed by
# PID at exit.
set -u -o pipefail
cd "$(dirname "$0")/.." || exit 1

RUNS=${1:-200}
RSS_RUNS=20
HECAT=${HECAT:-cmd/hecat}

for f in "$HECAT" tests/hecat-listen tests/hecat-dnsd; do
	if [ ! -x "$f" ]; then
		echo "startup.sh: $f missing: build first (make && make check TESTS=)" >&2
		exit 1
	fi
done
need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
[ -x /usr/bin/time ] || need+=(time)
{ command -v nc >/dev/null && nc -h 2>&1 | grep -q OpenBSD; } ||
    need+=(netcat-openbsd)
command -v jq >/dev/null || need+=(jq)
if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" -eq 0 ]; then
	echo "startup.sh: installing ${need[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends "${need[@]}" >/dev/null || true
fi
for t in nc jq; do
	command -v $t >/dev/null || { echo "startup.sh: needs $t" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "startup.sh: needs GNU time" >&2; exit 1; }
if ! getent ahostsv4 localhost | grep -q '^127\.0\.0\.1 '; then
	echo "startup.sh: localhost does not resolve to 127.0.0.1" >&2
	exit 1
fi

. tests/cli_lib.sh
trap 'exit 130' INT TERM

start_server PORT tests/hecat-listen -a 127.0.0.1 -m greet -t 1800
cat > "$tmp/rules" <<'EOF'
bench.test A 127.0.0.1
bench.test AAAA nodata
EOF
start_server DPORT tests/hecat-dnsd "$tmp/rules"

names=("hecat literal" "nc literal" "hecat localhost" "nc localhost"
    "hecat DNS" "true")
cmds=("$HECAT -z -n 127.0.0.1 $PORT"
    "nc -z 127.0.0.1 $PORT"
    "$HECAT -z localhost $PORT"
    "nc -z localhost $PORT"
    "$HECAT -z --dns-server 127.0.0.1:$DPORT bench.test $PORT"
    "/bin/true")

# Each must work before it is timed.
for i in "${!cmds[@]}"; do
	# shellcheck disable=SC2086
	if ! timeout 10 ${cmds[$i]} </dev/null >/dev/null 2>&1; then
		echo "startup.sh: ${names[$i]} fails: ${cmds[$i]}" >&2
		exit 1
	fi
done

# wall I: "median mean sd min max" in ms for case I.
wall() {
	local i=$1 t0 t1
	if command -v hyperfine >/dev/null; then
		hyperfine -N --warmup 20 --runs "$RUNS" --style none \
		    --export-json "$tmp/h.json" "${cmds[$i]}" >/dev/null 2>&1 ||
		    return 1
		jq -r '.results[0] | [.median, .mean, .stddev, .min, .max] |
		    map(. * 1000) | map(tostring) | join(" ")' "$tmp/h.json"
		return
	fi
	: >"$tmp/loop"
	for _ in $(seq 20); do
		# shellcheck disable=SC2086
		${cmds[$i]} </dev/null >/dev/null 2>&1
	done
	for _ in $(seq "$RUNS"); do
		t0=$EPOCHREALTIME
		# shellcheck disable=SC2086
		${cmds[$i]} </dev/null >/dev/null 2>&1
		t1=$EPOCHREALTIME
		echo "$t0 $t1" >>"$tmp/loop"
	done
	awk '{ x = ($2 - $1) * 1000; print x }' "$tmp/loop" | sort -n |
	    awk '{ a[NR] = $1; s += $1; q += $1 * $1 }
	    END { m = s / NR
		med = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		print med, m, sqrt(q / NR - m * m), a[1], a[NR] }'
}

# rss I: the median peak RSS (KiB) of case I over RSS_RUNS runs.
rss() {
	local i=$1
	for _ in $(seq "$RSS_RUNS"); do
		# shellcheck disable=SC2086
		/usr/bin/time -f '%M' -o "$tmp/rss" ${cmds[$i]} </dev/null \
		    >/dev/null 2>&1
		cat "$tmp/rss"
	done | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

: >"$tmp/results"
for i in "${!cmds[@]}"; do
	echo "startup.sh: ${names[$i]}: ${cmds[$i]}" >&2
	w=$(wall "$i") || { echo "startup.sh: ${names[$i]} failed" >&2; exit 1; }
	r=$(rss "$i")
	echo "$i $w $r" >>"$tmp/results"
	echo "startup.sh:   wall median/mean/sd/min/max ms: $w; peak RSS $r KiB" >&2
done

ver() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo '?'; }
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) CPUs, $cpu;" \
    "Linux $(uname -r)"
echo "Versions: hecat $("$HECAT" --version 2>&1 | awk 'NR == 1 {print $2}');" \
    "netcat-openbsd $(ver netcat-openbsd); glibc $(ver libc6);" \
    "$(command -v hyperfine >/dev/null && hyperfine --version ||
        echo 'no hyperfine: bash loop')"
echo "Runs: $RUNS per case for wall time (20 warm-up), $RSS_RUNS for peak RSS"
echo
echo "| case | command | wall median (ms) | mean ± sd (ms) | min–max (ms) | peak RSS median (KiB) |"
echo "|---|---|---:|---:|---:|---:|"
while read -r i med mean sd min max r; do
	cmd=${cmds[$i]//127.0.0.1:$DPORT/127.0.0.1:DPORT}
	cmd=${cmd// $PORT/ PORT}
	# shellcheck disable=SC2016
	printf '| %s | `%s` | %.2f | %.2f ± %.2f | %.2f–%.2f | %d |\n' \
	    "${names[$i]}" "$cmd" "$med" "$mean" "$sd" "$min" "$max" "$r"
done <"$tmp/results"
echo
awk '{ m[$1] = $2; r[$1] = $7 }
    END {
	printf "hecat/nc, literal: wall %.2fx, RSS %.2fx; " \
	    "localhost: wall %.2fx, RSS %.2fx; " \
	    "less the cost of /bin/true (%.2f ms): literal %.2fx, localhost %.2fx\n",
	    m[0] / m[1], r[0] / r[1], m[2] / m[3], r[2] / r[3], m[5],
	    (m[0] - m[5]) / (m[1] - m[5]), (m[2] - m[5]) / (m[3] - m[5])
    }' "$tmp/results"
