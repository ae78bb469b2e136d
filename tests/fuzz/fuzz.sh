#!/bin/sh
# fuzz.sh - build hecat's fuzz targets with clang's libFuzzer and run them.
#
#	tests/fuzz/fuzz.sh [SECONDS]		(or: make fuzz FUZZ_SECONDS=...)
#
# Run from a configured build directory (config.h).  Every target is built
# from the library's sources (not the libtool objects) with
# -fsanitize=fuzzer,address,undefined into tests/fuzz/build/, then run for
# SECONDS (60) on a scratch copy of its committed corpus, with its
# dictionary if it has one.  Prints each target's executions, speed,
# final coverage (cov: and ft:) and any crash; exits 1 if one crashed.
#
# Environment:
#   FUZZ_TARGETS	the targets (default: all six)
#   FUZZ_MERGE=1	add the inputs that bring new coverage to the
#			committed corpus (-merge=1)
#   FUZZ_MINIMIZE=1	rebuild the committed corpus as the smallest set
#			with the coverage of it and the new inputs
#   FUZZ_JOBS		targets run at once (1)
#   FUZZ_CC		the compiler (clang)
#   FUZZ_FLAGS		more libFuzzer flags (e.g. -max_len=8192)
#   FUZZ_SRCDIR, FUZZ_BUILDDIR, LIBEVENT_CFLAGS, LIBEVENT_LIBS,
#   GETDNS_CFLAGS, GETDNS_LIBS, FUZZ_LIBS	set by make fuzz; otherwise
#			the script's own tree, the current directory, and
#			pkg-config.
set -eu

seconds=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "${FUZZ_SRCDIR:-$here/../..}" && pwd)
builddir=$(cd "${FUZZ_BUILDDIR:-.}" && pwd)
targets=${FUZZ_TARGETS:-}
[ -n "$targets" ] ||
    targets="options duration_port hosts dns_reply engine proxy"
cc=${FUZZ_CC:-clang}
jobs=${FUZZ_JOBS:-1}
out=$builddir/tests/fuzz/build

if [ ! -f "$builddir/config.h" ]; then
	echo "fuzz.sh: no config.h in $builddir: run configure first" >&2
	exit 2
fi
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "fuzz.sh: $cc not found (install clang and libclang-rt-dev)" >&2
	exit 2
fi
: "${LIBEVENT_CFLAGS=$(pkg-config --cflags libevent_core)}"
: "${LIBEVENT_LIBS=$(pkg-config --libs libevent_core)}"
: "${GETDNS_CFLAGS=$(pkg-config --cflags getdns)}"
: "${GETDNS_LIBS=$(pkg-config --libs getdns)}"
: "${FUZZ_LIBS=-ldl}"
: "${OPENSSL_LIBS=$(pkg-config --libs libssl libcrypto)}"

san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
cflags="-g -O1 -fno-omit-frame-pointer $san -std=c11 -Wall -Wextra"
cppflags="-I$builddir -I$srcdir/lib -I$srcdir/lib/core -I$srcdir/lib/io \
    -I$srcdir/lib/stage -I$srcdir/cmd -I$srcdir/tests -I$srcdir/tests/fuzz"

# ---- build ------------------------------------------------------------------
mkdir -p "$out/obj"
echo "fuzz.sh: building in $out"
objs=
for src in "$srcdir"/lib/*/*.c "$srcdir"/cmd/options.c \
    "$srcdir"/cmd/options_proxy.c; do
	obj=$out/obj/$(basename "$src" .c).o
	# shellcheck disable=SC2086
	$cc $cflags -fsanitize=fuzzer-no-link $cppflags $LIBEVENT_CFLAGS \
	    $GETDNS_CFLAGS -c "$src" -o "$obj"
	objs="$objs $obj"
done
rm -f "$out/libfuzzhecat.a"
# shellcheck disable=SC2086
ar rcs "$out/libfuzzhecat.a" $objs

for t in $targets; do
	# The engine's model is shared with tests/check_engine_random.c.
	extra=
	[ "$t" = engine ] && extra=$srcdir/tests/engine_model.c
	# shellcheck disable=SC2086
	$cc $cflags -fsanitize=fuzzer $cppflags $GETDNS_CFLAGS \
	    "$srcdir/tests/fuzz/fuzz_$t.c" $extra -o "$out/fuzz_$t" \
	    "$out/libfuzzhecat.a" $LIBEVENT_LIBS $GETDNS_LIBS $OPENSSL_LIBS \
	    $FUZZ_LIBS -lpthread
done

# ---- run --------------------------------------------------------------------
run() {
	t=$1
	corpus=$srcdir/tests/fuzz/corpus/$t
	scratch=$out/corpus-$t
	log=$out/fuzz_$t.log
	dict=
	[ -f "$srcdir/tests/fuzz/dict/$t.dict" ] &&
	    dict=-dict=$srcdir/tests/fuzz/dict/$t.dict
	rm -rf "$scratch"
	mkdir -p "$scratch" "$out/crashes" "$corpus"
	rm -f "$out/crashes/$t-"*
	cp "$corpus"/* "$scratch"/ 2>/dev/null || :
	rc=0
	# shellcheck disable=SC2086
	"$out/fuzz_$t" -max_total_time="$seconds" -timeout=10 \
	    -print_final_stats=1 -artifact_prefix="$out/crashes/$t-" \
	    $dict ${FUZZ_FLAGS:-} "$scratch" >"$log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	last=$(grep -E '^#[0-9]+' "$log" | tail -1 |
	    sed -n 's/.*\(cov: [0-9]* ft: [0-9]*\).*/\1/p')
	ncorp=$(ls "$scratch" | wc -l)
	printf '%-14s %12s execs %8s exec/s  %-22s corpus %s\n' "$t" \
	    "${execs:-?}" "${speed:-?}" "${last:-cov: ? ft: ?}" "$ncorp"
	if [ "$rc" -ne 0 ]; then
		echo "fuzz.sh: $t FAILED (exit $rc), see $log:" >&2
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*invariant violated|.*runtime error|artifact_prefix|Test unit written)' \
		    "$log" | head -20 >&2
		return 1
	fi
	if [ "${FUZZ_MINIMIZE:-0}" = 1 ]; then
		rm -rf "$out/min-$t"
		mkdir -p "$out/min-$t"
		"$out/fuzz_$t" -merge=1 "$out/min-$t" "$corpus" "$scratch" \
		    >>"$log" 2>&1
		rm -f "$corpus"/*
		cp "$out/min-$t"/* "$corpus"/
		echo "  $t: corpus minimized to $(ls "$corpus" | wc -l) files"
	elif [ "${FUZZ_MERGE:-0}" = 1 ]; then
		before=$(ls "$corpus" | wc -l)
		"$out/fuzz_$t" -merge=1 "$corpus" "$scratch" >>"$log" 2>&1
		echo "  $t: corpus $before -> $(ls "$corpus" | wc -l) files"
	fi
	return 0
}

echo "fuzz.sh: $seconds s per target:" $targets
failed=0
if [ "$jobs" -le 1 ]; then
	for t in $targets; do
		run "$t" || failed=1
	done
else
	# Up to $jobs at once; each prints its own line when it ends.
	set -- $targets
	while [ $# -gt 0 ]; do
		pids=
		i=0
		while [ $# -gt 0 ] && [ $i -lt "$jobs" ]; do
			run "$1" &
			pids="$pids $!"
			shift
			i=$((i + 1))
		done
		for p in $pids; do
			wait "$p" || failed=1
		done
	done
fi
for t in $targets; do
	ls "$out/crashes/$t-"* 2>/dev/null | sed 's/^/crash: /' || :
done
exit $failed
