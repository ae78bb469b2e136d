#!/bin/bash
# The command's standard descriptors in odd states (docs/robustness.md):
# stdin /dev/null, closed or a terminal; stdout closed or a full pipe that
# is never read; stderr closed; and peers that reset mid-relay, after N
# bytes either way.  Loopback only, the suite's DNS server.
. "${srcdir:-.}/tests/cli_lib.sh"

start_dns
start_server ECHO tests/hecat-listen -m echo -t 120
start_server CLOSE tests/hecat-listen -m close -t 120
start_server GREET tests/hecat-listen -m greet -t 120
start_server FLOOD tests/hecat-listen -m flood -t 120
start_server SENDRESET tests/hecat-listen -m sendreset -n 65536 -t 120
start_server RESETN tests/hecat-listen -m reset -n 1048576 -t 120
start_server SAVE tests/hecat-listen -m save -f "$tmp/saved" -t 120
start_server CLOSED tests/hecat-listen -t 120
stop_server "$SERVER_PID"

# A stdin that stays open: a FIFO we hold, fed by nothing.
mkfifo "$tmp/stdin"
exec 8<> "$tmp/stdin"

# run_fds REDIRECTIONS ARGS...: hecat with the shell redirections given
# (such as "<&-"), stderr to $tmp/err unless they move it; sets rc.
run_fds() {
	local redir=$1
	shift
	eval 'timeout -s KILL 30 "$HECAT" "$@" > "$tmp/out" 2> "$tmp/err" '"$redir"
	rc=$?
}

# ---- stdin ----------------------------------------------------------------
IN=/dev/null hc "$DNS" dual.test "$ECHO"
check "stdin /dev/null: EOF at once, half-close, exit 0" eval \
    'rc_is 0 && out_empty && [ ! -s "$tmp/err" ]'
run_fds '<&-' "$DNS" dual.test "$ECHO"
check "stdin closed: exit 74, one line, no hang" eval \
    'rc_is 74 && err_lines 1 && err_has "^hecat: stdin: Bad file descriptor$"'
run_fds '<&-' -d "$DNS" dual.test "$CLOSE"
check "stdin closed with -d: never read, exit 0" eval 'rc_is 0 && out_is bye'
if command -v script > /dev/null; then
	# script(1) gives hecat a pseudo-terminal as stdin and stdout.
	timeout -s KILL 30 script -qec \
	    "$HECAT $DNS dual.test $CLOSE; echo rc=\$?" /dev/null \
	    < /dev/null > "$tmp/out" 2> "$tmp/err"
	rc=$?
	check "stdin a terminal: the peer's data, exit 0" eval \
	    'rc_is 0 && grep -q "^bye" "$tmp/out" && grep -q "^rc=0" "$tmp/out"'
else
	echo "SKIP: stdin a terminal: no script(1) for a pseudo-terminal"
fi

# ---- stdout ---------------------------------------------------------------
run_fds '>&-' "$DNS" dual.test "$GREET" < "$tmp/stdin"
check "stdout closed: exit 74, one line, no hang" eval \
    'rc_is 74 && err_lines 1 && err_has "^hecat: stdout: Bad file descriptor$"'
run_fds '>&-' -z "$DNS" dual.test "$GREET"
check "stdout closed with -z: no data, exit 0" rc_is 0

# A full pipe that is never read, a peer that sends without end: hecat
# stops reading the socket and waits; its memory stays small; a signal
# still ends it.
mkfifo "$tmp/full"
exec 7<> "$tmp/full"
timeout -s KILL 30 "$HECAT" "$DNS" dual.test "$FLOOD" < "$tmp/stdin" \
    > "$tmp/full" 2> "$tmp/err" &
hpid=$!
pids+=("$hpid")
# Wait (10 s at most, times HECAT_TEST_SLOWDOWN) for the pipe to be
# full: FIONREAD on our end.
python3 - 7 "$SLOWDOWN" <<'EOF'
import fcntl, select, struct, sys, termios, time
fd = int(sys.argv[1])
end = time.monotonic() + 10 * int(sys.argv[2])
while time.monotonic() < end:
    n = struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0" * 4))[0]
    if n >= 65536:
        sys.exit(0)
    select.select([], [], [], 0.02)
sys.exit(1)
EOF
full=$?
rss=$(awk '/^VmRSS:/ { print $2 }' /proc/$(pgrep -P "$hpid" -x hecat || echo "$hpid")/status 2>/dev/null)
check "stdout a full pipe: the pipe fills, hecat keeps running" eval \
    '[ "$full" -eq 0 ] && kill -0 "$hpid"'
check "stdout a full pipe: resident memory under 32 MiB (${rss:-?} KiB)" eval \
    '[ -n "$rss" ] && [ "$rss" -lt 32768 ]'
kill -TERM "$(pgrep -P "$hpid" -x hecat || echo "$hpid")"
wait "$hpid"
rc=$?
check "stdout a full pipe: SIGTERM ends it (143)" rc_is 143
exec 7<&-

# ---- stderr ---------------------------------------------------------------
printf 'hello\n' > "$tmp/hello"
run_fds '2>&-' "$DNS" dual.test "$SAVE" < "$tmp/hello"
check "stderr closed: exit 0, the peer gets stdin only" eval \
    'rc_is 0 && [ "$(cat "$tmp/saved")" = hello ]'
run_fds '2>&-' -z "$DNS" dual.test "$CLOSED"
check "stderr closed, a failed dial: exit 1 all the same" rc_is 1

# ---- resets mid-relay -------------------------------------------------------
run_fds '' "$DNS" v4.test "$SENDRESET" < "$tmp/hello"
check "peer sends 64 KiB then resets: exit 74, the reason" eval \
    'rc_is 74 && err_lines 1 && err_has "^hecat: socket: Connection reset by peer$"'
check "peer sends 64 KiB then resets: at most 64 KiB out" eval \
    '[ "$(wc -c < "$tmp/out")" -le 65536 ]'
head -c 4M /dev/zero > "$tmp/4m"
run_fds '' "$DNS" v4.test "$RESETN" < "$tmp/4m"
check "peer reads 1 MiB then resets: exit 74, the reason" eval \
    'rc_is 74 && err_lines 1 && err_has "^hecat: socket: (Connection reset by peer|Broken pipe)$"'

finish
