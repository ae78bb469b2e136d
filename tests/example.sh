#!/bin/bash
# The README's example program, built against a staged "make install" with
# nothing but <hecat.h> and "pkg-config --cflags --libs libhecat", dials
# the test DNS server's dual-stack name and reads the greeting of the
# listener that won.
set -eu
: "${srcdir:=.}"
tmp=$(mktemp -d /tmp/hecat-example.XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# Start a server whose first line is "port N"; sets $port.  Bounded: the
# read times out after 5 s instead of waiting for ever.
start_server() {
	local fifo="$tmp/fifo.$#.$RANDOM" line
	mkfifo "$fifo"
	"$@" > "$fifo" &
	pids+=($!)
	exec 3< "$fifo"
	if ! read -t 5 -r line <&3 || [ "${line%% *}" != port ]; then
		echo "FAIL: $1 did not start"
		exit 1
	fi
	exec 3<&-
	port=${line#port }
}

# 1. Install to a staging directory.
MAKEFLAGS= make -s install DESTDIR="$tmp/root" >/dev/null 2>&1
pc=$(find "$tmp/root" -name libhecat.pc | head -n 1)
libdir=$(dirname "$(find "$tmp/root" -name 'libhecat.so' | head -n 1)")
# The staged tree lives under DESTDIR: tell pkg-config where its prefix
# went, as a packager would.
prefix=$(sed -n 's/^prefix=//p' "$pc")
export PKG_CONFIG_PATH="$(dirname "$pc")"
pkgconfig() {
	pkg-config --define-variable=prefix="$tmp/root$prefix" "$@"
}

# 2. The example, exactly as the README shows it.
sed -n '/<!-- example:begin -->/,/<!-- example:end -->/p' \
    "$srcdir/README.md" | sed -e '1,/^```c$/d' -e '/^```$/,$d' \
    > "$tmp/example.c"
# shellcheck disable=SC2046
# (A sanitizer build of the library needs the same runtime in the program.)
${CC:-cc} -std=c11 -Wall -Wextra -Werror ${SAN_CFLAGS:-} -o "$tmp/example" \
    "$tmp/example.c" $(pkgconfig --cflags --libs libhecat)

# 3. A dual-stack listener and a DNS server that knows its name.
start_server tests/hecat-listen -m greet -t 30
lport=$port
printf 'dual.test AAAA ::1\ndual.test A 127.0.0.1\n' > "$tmp/rules"
start_server tests/hecat-dnsd "$tmp/rules"
dport=$port

# 4. Dial.
out=$(LD_LIBRARY_PATH="$libdir" timeout 10 "$tmp/example" dual.test \
    "$lport" "127.0.0.1:$dport")
echo "example said: $out"
case "$out" in
"hello from ::1"|"hello from 127.0.0.1") echo "PASS: README example" ;;
*) echo "FAIL: unexpected output"; exit 1 ;;
esac
