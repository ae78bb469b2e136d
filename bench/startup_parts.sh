#!/bin/bash
# startup_parts.sh - where a one-shot dial of a name spends its time
# before the first DNS query, part by part, and the floor under it.
#
#   bench/startup_parts.sh [runs]      default: 50 runs per measurement
#
# hecat dials bench.test (tests/hecat-dnsd on 127.0.0.1: AAAA ::1, A
# 127.0.0.1) to a listener on loopback, with --trace, RUNS times; the
# parts come from the trace's own timestamps (t_ms, from hecat's start
# in main()) and the run's wall time (bash's EPOCHREALTIME around it):
#
#   outside the trace   wall - the summary's t_ms: exec, the dynamic
#                       loader (libevent), exit
#   main to dial        dial_start: option parsing, files named by
#                       options, the instance (resolv.conf, hosts path)
#   network identity    network - dial_start: connectivity and the
#                       network's id, the history file
#   getdns load         the resolver event's load_ms (dlopen of
#                       libgetdns.so.10 and what it pulls in)
#   getdns context      the resolver event's elapsed_ms (context create
#                       and its set-up: OpenSSL's configuration, the trust
#                       anchor file, our event loop, upstreams)
#   the rest            first resolve_start - dial_start - the above
#   dial to query       first resolve_start - dial_start, all of it
#
# and, for the floor, small C programs built here, each RUNS times:
#
#   exec, no libs       int main(void) { return 0; }
#   exec, with libs     the same linked with libevent_core, libssl,
#                       libcrypto (what hecat's binary loaded at exec
#                       until OpenSSL was loaded on demand)
#   dlopen alone        dlopen("libgetdns.so.10", RTLD_NOW) in a trivial
#                       program: the floor the issue names
#   dlopen, OpenSSL in  the same in a program already linked with libssl
#                       and libcrypto (part of the cost moved to exec)
#   context alone       getdns_context_create(&ctx, 0) after that dlopen
#
# Output: a Markdown table (median, min, max in ms) on stdout; progress
# on stderr.  Loopback only; the servers are stopped by PID at exit.
set -u -o pipefail
cd "$(dirname "$0")/.." || exit 1

RUNS=${1:-50}
HECAT=${HECAT:-cmd/hecat}
for f in "$HECAT" tests/hecat-listen tests/hecat-dnsd; do
	if [ ! -x "$f" ]; then
		echo "startup_parts.sh: $f missing: build first" \
		    "(make && make check TESTS=)" >&2
		exit 1
	fi
done
command -v jq >/dev/null ||
    { echo "startup_parts.sh: needs jq" >&2; exit 1; }
[ -e /usr/include/openssl/ssl.h ] ||
    { echo "startup_parts.sh: needs libssl-dev" >&2; exit 1; }

. tests/cli_lib.sh
trap 'exit 130' INT TERM

start_server PORT tests/hecat-listen -a 127.0.0.1 -a ::1 -m greet -t 1800
cat > "$tmp/rules" <<'EOF'
bench.test A 127.0.0.1
bench.test AAAA ::1
EOF
start_server DPORT tests/hecat-dnsd "$tmp/rules"

# ---- the floor programs ----------------------------------------------------
cat > "$tmp/triv.c" <<'EOF'
int main(void) { return 0; }
EOF
cat > "$tmp/floor.c" <<'EOF'
#include <dlfcn.h>
#include <stdio.h>
#include <time.h>

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int
main(void)
{
	int (*create)(void **, int);
	void *h, *ctx = NULL;
	double t0, t1, t2;

	t0 = now();
	if ((h = dlopen("libgetdns.so.10", RTLD_NOW | RTLD_LOCAL)) == NULL) {
		fprintf(stderr, "%s\n", dlerror());
		return 1;
	}
	t1 = now();
	*(void **)&create = dlsym(h, "getdns_context_create");
	if (create == NULL || create(&ctx, 0) != 0)
		return 1;
	t2 = now();
	printf("%.3f %.3f\n", t1 - t0, t2 - t1);
	return 0;
}
EOF
CC=${CC:-cc}
$CC -O2 -o "$tmp/triv" "$tmp/triv.c" &&
    $CC -O2 -o "$tmp/triv_libs" "$tmp/triv.c" -Wl,--no-as-needed \
    -levent_core -lssl -lcrypto &&
    $CC -O2 -o "$tmp/floor" "$tmp/floor.c" -ldl &&
    $CC -O2 -o "$tmp/floor_ssl" "$tmp/floor.c" -ldl -Wl,--no-as-needed \
    -lssl -lcrypto || { echo "startup_parts.sh: cc failed" >&2; exit 1; }

# stats: "median min max" of the numbers on stdin.
stats() {
	sort -n | awk '{ a[NR] = $1 } END {
	    if (NR == 0) { print "- - -"; exit }
	    med = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
	    printf "%.2f %.2f %.2f\n", med, a[1], a[NR] }'
}

# wall_of CMD...: RUNS wall times (ms) of CMD, one per line, after 5
# warm-up runs.
wall_of() {
	local t0 t1 i
	for i in 1 2 3 4 5; do "$@" >/dev/null 2>&1; done
	for i in $(seq "$RUNS"); do
		t0=$EPOCHREALTIME
		"$@" >/dev/null 2>&1
		t1=$EPOCHREALTIME
		awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }'
	done
}

# ---- hecat -----------------------------------------------------------------
echo "startup_parts.sh: hecat, $RUNS runs" >&2
: >"$tmp/parts"
for i in $(seq $((RUNS + 5))); do
	rm -f "$tmp/t.jsonl"
	t0=$EPOCHREALTIME
	"$HECAT" -z --dns-server "127.0.0.1:$DPORT" --trace "$tmp/t.jsonl" \
	    bench.test "$PORT" </dev/null >/dev/null 2>&1 ||
	    { echo "startup_parts.sh: hecat failed" >&2; exit 1; }
	t1=$EPOCHREALTIME
	[ "$i" -le 5 ] && continue		# warm-up
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) * 1000 }')
	jq -r -s --argjson w "$wall" '
	    def t(e): [.[] | select(.ev == e)][0].t_ms;
	    [.[] | select(.ev == "resolver")][0] as $r |
	    [$w - .[-1].t_ms, t("dial_start"),
	     t("network") - t("dial_start"), $r.load_ms, $r.elapsed_ms,
	     t("resolve_start") - t("dial_start") - (t("network") -
	     t("dial_start")) - $r.load_ms - $r.elapsed_ms,
	     t("resolve_start") - t("dial_start"), .[-1].connect_ms, $w] |
	    map(tostring) | join(" ")' "$tmp/t.jsonl" >>"$tmp/parts"
done

names=("outside the trace (exec, loader, exit)" "main to dial"
    "network identity, history" "getdns load" "getdns context"
    "the rest (to the first query)" "**dial to first query**"
    "connect_ms (hecat's start to connected)" "**wall, exec to exit**")
echo "| part | median ms | min | max |"
echo "|---|---:|---:|---:|"
for k in "${!names[@]}"; do
	read -r med lo hi < <(awk -v c=$((k + 1)) '{ print $c }' \
	    "$tmp/parts" | stats)
	echo "| ${names[$k]} | $med | $lo | $hi |"
done

# ---- the floor --------------------------------------------------------------
echo "startup_parts.sh: the floor programs" >&2
row() { read -r med lo hi < <(stats); echo "| $1 | $med | $lo | $hi |"; }
wall_of "$tmp/triv" | row "floor: exec of a trivial program (wall)"
wall_of "$tmp/triv_libs" | row "floor: the same linked with libevent, libssl, libcrypto (wall)"
for p in floor floor_ssl; do
	for i in 1 2 3; do "$tmp/$p" >/dev/null; done
	for i in $(seq "$RUNS"); do "$tmp/$p"; done >"$tmp/$p.out"
done
awk '{ print $1 }' "$tmp/floor.out" |
    row "**floor: dlopen(libgetdns.so.10) in a trivial program**"
awk '{ print $1 }' "$tmp/floor_ssl.out" |
    row "floor: the same, OpenSSL already loaded (as in hecat)"
awk '{ print $2 }' "$tmp/floor_ssl.out" |
    row "getdns_context_create alone, after that"
wall_of "$HECAT" -z -n 127.0.0.1 "$PORT" | row "hecat -z literal (wall)"
wall_of nc -z 127.0.0.1 "$PORT" | row "nc -z literal (wall)"
