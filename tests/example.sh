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
#    otherwise);
#  - libhecat(3)'s TLS example, with "pkg-config --cflags --libs libhecat
#    libevent_core libssl": the same dual-stack name, raced until a TLS
#    handshake has passed, against "openssl s_server -www" on an ephemeral
#    loopback port with a CA and certificate made here, then a GET through
#    the session; and a name the certificate does not hold, which must fail
#    in the TLS stage.  Built only when the openssl command is missing.
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
man_example "$srcdir/man/libhecat.3" example-tls > "$tmp/tlsget.c"
# shellcheck disable=SC2046,SC2086
${CC:-cc} -std=c11 -Wall -Wextra -Werror ${SAN_CFLAGS:-} -o "$tmp/tlsget" \
    "$tmp/tlsget.c" $(pkgconfig --cflags --libs libhecat libevent_core libssl)

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

# 6. The TLS example against openssl s_server -www on an ephemeral port
# (s_server says which: "ACCEPT [::]:PORT"), its certificate for dual.test
# from a CA made now; the example trusts that CA alone.
if ! command -v openssl >/dev/null; then
	echo "# libhecat(3) TLS example built, not run: no openssl"
else
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$tmp/ca.key" -out "$tmp/ca.pem" -days 2 \
	    -subj '/CN=hecat example CA' >/dev/null 2>&1
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$tmp/srv.key" -out "$tmp/srv.csr" -subj '/CN=dual.test' \
	    >/dev/null 2>&1
	printf 'subjectAltName=DNS:dual.test\n' > "$tmp/srv.ext"
	openssl x509 -req -in "$tmp/srv.csr" -CA "$tmp/ca.pem" \
	    -CAkey "$tmp/ca.key" -CAcreateserial -days 2 \
	    -extfile "$tmp/srv.ext" -out "$tmp/srv.pem" >/dev/null 2>&1
	openssl s_server -accept 0 -cert "$tmp/srv.pem" -key "$tmp/srv.key" \
	    -www -alpn http/1.1 < /dev/null > "$tmp/s_server.out" 2>&1 &
	pids+=($!)
	tport=
	for _ in $(seq 50); do
		tport=$(sed -n 's/^ACCEPT .*:\([0-9][0-9]*\)$/\1/p' \
		    "$tmp/s_server.out")
		[ -n "$tport" ] && break
		sleep 0.1
	done
	if [ -z "$tport" ]; then
		echo "FAIL: openssl s_server did not start"
		cat "$tmp/s_server.out"
		exit 1
	fi
	out=$(LD_LIBRARY_PATH="$libdir" timeout 10 "$tmp/tlsget" dual.test \
	    "$tport" "$tmp/ca.pem" "127.0.0.1:$dport" 2> "$tmp/tls.err")
	echo "libhecat(3) TLS example said: $out"
	sed 's/^/  stderr: /' "$tmp/tls.err"
	if [ "$out" != "HTTP/1.0 200 ok" ]; then
		echo "FAIL: libhecat(3) TLS example: unexpected output"
		exit 1
	fi
	if ! grep -Eq "^ +[0-9.]+ ms  #[0-9]+ tls: verified: CA \($tmp/ca\.pem\) for dual\.test\$" \
	    "$tmp/tls.err" ||
	    ! grep -Eq '^ +[0-9.]+ ms  #[0-9]+ tls: TLSv1\.[23] .*, ALPN http/1\.1, ' \
	    "$tmp/tls.err"; then
		echo "FAIL: libhecat(3) TLS example: no verified handshake in its trace"
		exit 1
	fi
	# The certificate holds dual.test, not 127.0.0.1: the attempt fails
	# in the TLS stage, and so does the dial.
	if LD_LIBRARY_PATH="$libdir" timeout 10 "$tmp/tlsget" 127.0.0.1 \
	    "$tport" "$tmp/ca.pem" > /dev/null 2> "$tmp/tls-bad.err"; then
		echo "FAIL: libhecat(3) TLS example: a name mismatch connected"
		exit 1
	fi
	sed 's/^/  stderr: /' "$tmp/tls-bad.err"
	if ! grep -q 'failed in tls: certificate is not valid for 127\.0\.0\.1$' \
	    "$tmp/tls-bad.err" ||
	    ! grep -q '(TLS: certificate is not valid for 127\.0\.0\.1)$' \
	    "$tmp/tls-bad.err"; then
		echo "FAIL: libhecat(3) TLS example: not a TLS name mismatch"
		exit 1
	fi
	echo "PASS: libhecat(3) TLS example"
fi

# 7. The proxy example through microsocks on an ephemeral loopback port
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
