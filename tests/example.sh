#!/bin/bash
# The documented example programs, built against a staged "make install"
# exactly as the documents say:
#  - the README's, with nothing but <hecat.h> and "pkg-config --cflags
#    --libs libhecat": it dials the test DNS server's dual-stack name and
#    reads the greeting of the listener that won;
#  - libhecat(3)'s main example, with "pkg-config --cflags --libs libhecat
#    libevent_core" (it calls libevent itself): the same dial, raced until
#    the server's first byte (the banner stage), printing its first line;
#  - libhecat(3)'s hecat_dial_sync() example, with libhecat alone: built
#    only, since it dials a host on the Internet;
#  - libhecat(3)'s proxy example, like the main one: the same dial through
#    a SOCKS5 proxy, microsocks, when it is installed (built only
#    otherwise).
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
# The staged tree lives under DESTDIR: give pkg-config a copy of the .pc
# file whose prefix says where it went, as a packager would.  Other
# packages (libevent_core) still come from the system's own .pc files.
prefix=$(sed -n 's/^prefix=//p' "$pc")
mkdir "$tmp/pc"
sed "s|^prefix=.*|prefix=$tmp/root$prefix|" "$pc" > "$tmp/pc/libhecat.pc"
pkgconfig() {
	PKG_CONFIG_PATH="$tmp/pc${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}" \
	    pkg-config "$@"
}

# The C code of an example in a man page: the .Bd -literal display between
# the comment lines '.\" NAME:begin' and '.\" NAME:end', with roff's \e
# (a backslash) undone.  Any other escape would change the code: refuse it.
man_example() {
	local code
	code=$(sed -n "/^\\.\\\\\" $2:begin\$/,/^\\.\\\\\" $2:end\$/p" "$1" |
	    sed -e '1,/^\.Bd -literal/d' -e '/^\.Ed$/,$d')
	if [ -z "$code" ]; then
		echo "FAIL: no $2 example in $1" >&2
		exit 1
	fi
	if printf '%s\n' "$code" | grep -q '\\[^e]'; then
		printf 'FAIL: %s: %s: a roff escape other than \\e in the code\n' \
		    "$1" "$2" >&2
		exit 1
	fi
	printf '%s\n' "$code" | sed 's/\\e/\\/g'
}

# 2. The example, exactly as the README shows it.
sed -n '/<!-- example:begin -->/,/<!-- example:end -->/p' \
    "$srcdir/README.md" | sed -e '1,/^```c$/d' -e '/^```$/,$d' \
    > "$tmp/example.c"
# shellcheck disable=SC2046
# (A sanitizer build of the library needs the same runtime in the program.)
${CC:-cc} -std=c11 -Wall -Wextra -Werror ${SAN_CFLAGS:-} -o "$tmp/example" \
    "$tmp/example.c" $(pkgconfig --cflags --libs libhecat)

# libhecat(3)'s examples, linked as the page says.
man_example "$srcdir/man/libhecat.3" example > "$tmp/greet.c"
# shellcheck disable=SC2046,SC2086
${CC:-cc} -std=c11 -Wall -Wextra -Werror ${SAN_CFLAGS:-} -o "$tmp/greet" \
    "$tmp/greet.c" $(pkgconfig --cflags --libs libhecat libevent_core)
man_example "$srcdir/man/libhecat.3" example-sync > "$tmp/sync.c"
# shellcheck disable=SC2046,SC2086
${CC:-cc} -std=c11 -Wall -Wextra -Werror ${SAN_CFLAGS:-} -o "$tmp/sync" \
    "$tmp/sync.c" $(pkgconfig --cflags --libs libhecat)
man_example "$srcdir/man/libhecat.3" example-socks > "$tmp/socksdial.c"
# shellcheck disable=SC2046,SC2086
${CC:-cc} -std=c11 -Wall -Wextra -Werror ${SAN_CFLAGS:-} -o "$tmp/socksdial" \
    "$tmp/socksdial.c" $(pkgconfig --cflags --libs libhecat libevent_core)

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

# 5. The man page's example: the greeting's first line on stdout, and on
# stderr the winner's banner stage and its end.
out=$(LD_LIBRARY_PATH="$libdir" timeout 10 "$tmp/greet" dual.test \
    "$lport" "127.0.0.1:$dport" 2> "$tmp/greet.err")
echo "libhecat(3) example said: $out"
sed 's/^/  stderr: /' "$tmp/greet.err"
case "$out" in
"hello from ::1"|"hello from 127.0.0.1") ;;
*) echo "FAIL: libhecat(3) example: unexpected output"; exit 1 ;;
esac
if ! grep -Eq '^ +[0-9.]+ ms  #1 .* stage_done banner$' "$tmp/greet.err" ||
    ! grep -Eq '^ +[0-9.]+ ms  #1 .* attempt_end connected$' \
    "$tmp/greet.err"; then
	echo "FAIL: libhecat(3) example: no banner stage in its trace"
	exit 1
fi
echo "PASS: libhecat(3) examples"

# 6. The proxy example through microsocks on an ephemeral loopback port
# (read back from ss by its PID): the library resolves dual.test and races
# its addresses through the proxy, until the greeting.
if ! command -v microsocks >/dev/null || ! command -v ss >/dev/null; then
	echo "# libhecat(3) proxy example built, not run: no microsocks or ss"
	exit 0
fi
microsocks -i 127.0.0.1 -p 0 >/dev/null 2>&1 &
mpid=$!
pids+=("$mpid")
sport=
for _ in $(seq 50); do
	sport=$(ss -ltnpH | awk -v p="pid=$mpid," \
	    'index($0, p) { n = split($4, a, ":"); print a[n]; exit }')
	[ -n "$sport" ] && break
	sleep 0.1
done
if [ -z "$sport" ]; then
	echo "FAIL: microsocks did not start"
	exit 1
fi
out=$(env -u SOCKS_USER LD_LIBRARY_PATH="$libdir" timeout 10 \
    "$tmp/socksdial" dual.test "$lport" 127.0.0.1 "$sport" \
    "127.0.0.1:$dport" 2> "$tmp/socks.err")
echo "libhecat(3) proxy example said: $out"
sed 's/^/  stderr: /' "$tmp/socks.err"
case "$out" in
"hello from ::1"|"hello from 127.0.0.1") ;;
*) echo "FAIL: libhecat(3) proxy example: unexpected output"; exit 1 ;;
esac
if ! grep -Eq "^ +[0-9.]+ ms  proxy 127\.0\.0\.1:$sport\$" "$tmp/socks.err" ||
    ! grep -Eq '^ +[0-9.]+ ms  #[0-9]+ socks5: reply 0: succeeded$' \
    "$tmp/socks.err" ||
    ! grep -Eq "^connected to .* through 127\.0\.0\.1:$sport\$" \
    "$tmp/socks.err"; then
	echo "FAIL: libhecat(3) proxy example: no proxy race or handshake"
	exit 1
fi
echo "PASS: libhecat(3) proxy example"
