#!/bin/bash
# hecat's relay, end to end: stdin and stdout against real servers on
# loopback, the EOF rules, 64 MiB of random data both ways through both
# copy paths (splice between pipes, read/write with files), -q, -w, -d,
# --send-only, EPIPE, a reset, a signal, and -F with a real socketpair.
# Times come from the --trace file, from the event that starts what is
# timed (stdin's EOF for -q, the connection for the idle timeout), their
# upper bounds stretching with HECAT_TEST_SLOWDOWN (cli_lib.sh, "timing").
. "${srcdir:-.}/tests/cli_lib.sh"

# start_late VAR DELAY_MS close|hold: a server that reads a request line,
# answers "reply to: LINE" DELAY_MS later, then closes the connection
# (close) or keeps it open without another byte (hold).  hecat-listen has
# no such mode; the delay is the server's behaviour under test, not a
# wait of the suite's.
start_late() {
	start_server "$1" python3 -c '
import socket, sys, threading, time
delay, mode = float(sys.argv[1]) / 1000, sys.argv[2]
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
s.settimeout(300)
print("port", s.getsockname()[1], flush=True)
held = []
def serve(c):
    req = b""
    while not req.endswith(b"\n"):
        d = c.recv(4096)
        if not d:
            break
        req += d
    time.sleep(delay)
    c.sendall(b"reply to: " + req)
    if mode == "close":
        c.close()
    else:
        held.append(c)
while True:
    c = s.accept()[0]
    threading.Thread(target=serve, args=(c,), daemon=True).start()
' "$2" "$3"
}

# relay_gap FILE A B: ms from the relay event A to the relay event B (the
# first of each) in the JSON trace FILE, or "none" if either is missing.
relay_gap() {
	gap "$(ev_t "$1" ".ev == \"relay\" and .what == \"$2\"")" \
	    "$(ev_t "$1" ".ev == \"relay\" and .what == \"$3\"")"
}

# has_relay FILE WHAT: the trace FILE has the relay event WHAT.
has_relay() {
	jqok -s --arg w "$2" 'any(.[]; .ev == "relay" and .what == $w)' "$1"
}

T=$tmp/r.jsonl
# after FROM: ms from the relay event FROM (start, stdin_eof; winner: the
# connection) to hecat's summary, in the trace $T.
after() {
	local from
	if [ "$1" = winner ]; then
		from=$(ev_t "$T" '.ev == "winner"')
	else
		from=$(ev_t "$T" ".ev == \"relay\" and .what == \"$1\"")
	fi
	gap "$from" "$(ev_t "$T" '.ev == "summary"')"
}
# ended_by WHAT: the relay event WHAT (quit_timer, idle_timeout) is in $T.
ended_by() { has_relay "$T" "$1"; }

start_dns
start_server ECHO tests/hecat-listen -m echo -t 300
start_server EOFREPLY tests/hecat-listen -m eofreply -t 300
start_server CLOSE tests/hecat-listen -m close -t 300
start_server HOLD tests/hecat-listen -m hold -t 300
start_server GREET tests/hecat-listen -m greet -t 300

# A stdin that stays open: a FIFO we hold, fed by nothing.
mkfifo "$tmp/stdin"
exec 8<> "$tmp/stdin"

# Small round trip.
printf 'hello\n' > "$tmp/hello"
IN="$tmp/hello" hc "$DNS" dual.test "$ECHO"
check "echo: the line comes back, exit 0" eval 'rc_is 0 && out_is hello && [ ! -s "$tmp/err" ]'

# The server replies only after it sees EOF: the half-close.
printf 'abc' > "$tmp/abc"
IN="$tmp/abc" hc --trace "$T" "$DNS" dual.test "$EOFREPLY"
check "half-close: the reply after EOF arrives" eval 'rc_is 0 && out_is "got 3 bytes"'
ms=$(after stdin_eof)
check "half-close: within 1 s of stdin's EOF ($ms ms)" within "$ms" 0 1000
IN="$tmp/abc" hc -N "$DNS" dual.test "$EOFREPLY"
check "-N: the same (half-close is the default)" eval 'rc_is 0 && out_is "got 3 bytes"'
# The server never sees EOF, so never answers: -q, which waits for an
# answer, does not end it; the idle timeout does.
IN="$tmp/abc" hc --no-shutdown -q 0.3 --idle-timeout 1 --trace "$tmp/ns.jsonl" \
    "$DNS" dual.test "$EOFREPLY"
check "--no-shutdown: no half-close, no answer, exit 0" eval \
    'rc_is 0 && out_empty'
check "--no-shutdown: no answer, so not -q but the idle timeout ends it" eval \
    '! has_relay "$tmp/ns.jsonl" shutdown_wr &&
     has_relay "$tmp/ns.jsonl" idle_timeout &&
     ! has_relay "$tmp/ns.jsonl" quit_timer'

# The server closes first while stdin stays open: exit promptly.
IN="$tmp/stdin" hc --trace "$T" "$DNS" dual.test "$CLOSE"
check "peer closes first: exit 0 with its data" eval 'rc_is 0 && out_is bye'
ms=$(after winner)
check "peer closes first: within 1 s of connecting, stdin still open ($ms ms)" \
    within "$ms" 0 1000

# -q: after stdin EOF hecat waits for the peer's answer; -q N ends the
# session N after the answer's last byte if the peer never closes, and
# -q 0 (Debian's nc) only at the peer's EOF.  Times are measured in the
# trace, from the relay's stdin_eof.
printf 'req\n' > "$tmp/req"
start_late LATE 300 close
IN="$tmp/req" hc -q 0 --trace "$tmp/q0.jsonl" "$DNS" v4.test "$LATE"
check "-q 0: a reply 300 ms late arrives whole, exit 0" eval \
    'rc_is 0 && out_is "reply to: req"'
check "-q 0: the peer's EOF ends it, not the quit timer" eval \
    'has_relay "$tmp/q0.jsonl" peer_eof &&
     ! has_relay "$tmp/q0.jsonl" quit_timer'
check "-q 0: the peer's EOF 300 ms or more after stdin's" \
    within "$(relay_gap "$tmp/q0.jsonl" stdin_eof peer_eof)" 290 3000
# The same from a pipe (splice), as in: echo req | hecat -q 0 host port
printf 'req\n' | XDG_CACHE_HOME="$tmp/cache.pipe" timeout -s KILL 30 \
    "$HECAT" -q 0 "$DNS" v4.test "$LATE" > "$tmp/out" 2> "$tmp/err"
rc=$?
check "-q 0, stdin a pipe: the late reply arrives whole, exit 0" eval \
    'rc_is 0 && out_is "reply to: req"'

start_late LATEHOLD 600 hold
IN="$tmp/req" hc -q 0.3 --trace "$tmp/qn.jsonl" "$DNS" v4.test "$LATEHOLD"
check "-q 0.3, a reply 600 ms late, the peer never closes: the reply, exit 0" \
    eval 'rc_is 0 && out_is "reply to: req"'
check "-q 0.3, the peer never closes: the quit timer ends it" eval \
    'has_relay "$tmp/qn.jsonl" quit_timer &&
     ! has_relay "$tmp/qn.jsonl" peer_eof'
check "-q 0.3: 0.3 s after the reply, 0.85 s or more after stdin EOF" \
    within "$(relay_gap "$tmp/qn.jsonl" stdin_eof quit_timer)" 850 3000

IN="$tmp/abc" hc --no-shutdown -q 0.3 --trace "$tmp/qe.jsonl" \
    "$DNS" dual.test "$ECHO"
check "-q 0.3, an echo that never closes: the echo, exit 0" eval \
    'rc_is 0 && out_is abc && has_relay "$tmp/qe.jsonl" quit_timer'
check "-q 0.3, an echo that never closes: 0.3 s after it" \
    within "$(relay_gap "$tmp/qe.jsonl" stdin_eof quit_timer)" 290 2000

IN=/dev/null hc -q 0 --idle-timeout 0.5 --trace "$tmp/qh.jsonl" \
    "$DNS" dual.test "$HOLD"
check "-q 0, the peer silent and open: the idle timeout ends it, not -q" eval \
    'rc_is 0 && out_empty && has_relay "$tmp/qh.jsonl" idle_timeout &&
     ! has_relay "$tmp/qh.jsonl" quit_timer'
check "-q 0, the peer silent: not ended at stdin EOF" \
    within "$(relay_gap "$tmp/qh.jsonl" stdin_eof idle_timeout)" 450 3000

# -w idle: the idle time counts from the last byte moved, here the
# connection (stamped before the relay sets its clock; its own start event
# comes after).
IN="$tmp/stdin" hc --trace "$T" -w 0.4 "$DNS" dual.test "$HOLD"
ms=$(after winner)
check "-w 0.4: idle timeout, exit 0 ($ms ms)" eval \
    'rc_is 0 && within "$ms" 399 600 && ended_by idle_timeout'
IN="$tmp/stdin" hc --trace "$T" --idle-timeout 300ms "$DNS" dual.test "$HOLD"
ms=$(after winner)
check "--idle-timeout ($ms ms)" eval \
    'rc_is 0 && within "$ms" 299 500 && ended_by idle_timeout'

# -d never reads stdin; --send-only discards the peer's data.
IN="$tmp/hello" hc -d "$DNS" dual.test "$GREET"
check "-d: the greeting, stdin unread" eval 'rc_is 0 && grep -q "^hello from" "$tmp/out"'
IN="$tmp/hello" hc --recv-only "$DNS" dual.test "$GREET"
check "--recv-only is -d" eval 'rc_is 0 && grep -q "^hello from" "$tmp/out"'
IN="$tmp/hello" hc --send-only "$DNS" dual.test "$ECHO"
check "--send-only: nothing on stdout, exit 0" eval 'rc_is 0 && out_empty'

# 64 MiB of random data, up and down at once, through the echo server.
head -c 64M /dev/urandom > "$tmp/blob"
want=$(sha256sum < "$tmp/blob" | cut -d' ' -f1)
t0=${EPOCHREALTIME/./}
timeout 60 "$HECAT" "$DNS" dual.test "$ECHO" < "$tmp/blob" > "$tmp/blob.out" 2> "$tmp/err"
rc=$?
t1=${EPOCHREALTIME/./}
check "64 MiB both ways, files (read/write): sha256 equal" eval \
    '[ $rc -eq 0 ] && [ "$(sha256sum < "$tmp/blob.out" | cut -d" " -f1)" = "$want" ]'
echo "  files: $(( 64 * 1000000 / ((t1 - t0) + 1) )) MiB/s"
t0=${EPOCHREALTIME/./}
cat "$tmp/blob" | timeout 60 "$HECAT" -vv "$DNS" dual.test "$ECHO" 2> "$tmp/err" | cat > "$tmp/blob.out"
st=("${PIPESTATUS[@]}")
t1=${EPOCHREALTIME/./}
rc=${st[1]}
check "64 MiB both ways, pipes (splice): sha256 equal" eval \
    '[ $rc -eq 0 ] && [ "$(sha256sum < "$tmp/blob.out" | cut -d" " -f1)" = "$want" ]'
check "pipes use splice both ways" err_has "relay up=splice down=splice"
echo "  pipes: $(( 64 * 1000000 / ((t1 - t0) + 1) )) MiB/s"

# One way each: the server saves what comes up, sends what goes down.
start_server SAVE tests/hecat-listen -m save -f "$tmp/saved" -t 300
IN="$tmp/blob" hc "$DNS" dual.test "$SAVE"
stop_server "$SERVER_PID"
check "64 MiB up: sha256 equal" eval \
    'rc_is 0 && [ "$(sha256sum < "$tmp/saved" | cut -d" " -f1)" = "$want" ]'
start_server SEND tests/hecat-listen -m send -f "$tmp/blob" -t 300
IN="$tmp/stdin" timeout 60 "$HECAT" "$DNS" dual.test "$SEND" 2> "$tmp/err" | cat > "$tmp/down"
rc=${PIPESTATUS[0]}
check "64 MiB down (stdin left open): sha256 equal, exit 0" eval \
    '[ $rc -eq 0 ] && [ "$(sha256sum < "$tmp/down" | cut -d" " -f1)" = "$want" ]'

# The consumer of stdout leaves: EPIPE ends the relay cleanly.
IN="$tmp/stdin" timeout 30 "$HECAT" "$DNS" dual.test "$SEND" 2> "$tmp/err" | head -c 1000 > /dev/null
rc=${PIPESTATUS[0]}
check "stdout closed early: exit 0, no SIGPIPE death" eval 'rc_is 0'

# A reset mid-relay: exit 74.
start_server RESET tests/hecat-listen -m reset -t 300
IN="$tmp/hello" hc "$DNS" dual.test "$RESET"
check "peer reset: exit 74 with the reason" eval 'rc_is 74 && err_has "socket: Connection reset by peer"'

# A signal ends it at once; the status says which.
mkfifo "$tmp/trace"
exec 6<> "$tmp/trace"
timeout 30 "$HECAT" --trace "$tmp/trace" "$DNS" dual.test "$HOLD" \
    < "$tmp/stdin" > /dev/null 2> "$tmp/err" &
hpid=$!
pids+=("$hpid")
# Wait for the trace to say the relay runs (5 s at most per line, times
# HECAT_TEST_SLOWDOWN).
: > "$tmp/sig.jsonl"
while read -t $((5 * SLOWDOWN)) -r line <&6; do
	printf '%s\n' "$line" >> "$tmp/sig.jsonl"
	case $line in *'"what":"start"'*) break ;; esac
done
kill -TERM "$hpid"
wait "$hpid"
rc=$?
while read -t 1 -r line <&6; do
	printf '%s\n' "$line" >> "$tmp/sig.jsonl"
done
exec 6<&-
check "SIGTERM: killed by it (143)" rc_is 143
check "SIGTERM: the trace ends with its summary" jqok -s \
    '.[-1].ev == "summary" and .[-1].exit == 143 and .[-1].outcome == "signal"' "$tmp/sig.jsonl"

# ssh's way of leaving: its last bytes into our stdin, its pipes closed
# and SIGHUP, all in the same instant.  The bytes must still reach the
# server.  hecat is stopped while it happens, so that on resuming it finds
# the data, the EOF and the signal at once.
start_server SAVE2 tests/hecat-listen -m save -f "$tmp/saved2" -t 300
save2=$SERVER_PID
mkfifo "$tmp/in2" "$tmp/trace2"
exec 6<> "$tmp/trace2"
exec 5<> "$tmp/in2"
timeout 30 "$HECAT" --trace "$tmp/trace2" "$DNS" v4.test "$SAVE2" \
    < "$tmp/in2" > /dev/null 2> "$tmp/err" &
tpid=$!
pids+=("$tpid")
while read -t $((5 * SLOWDOWN)) -r line <&6; do
	case $line in *'"what":"start"'*) break ;; esac
done
hpid=$(pgrep -P "$tpid" | head -n 1)	# hecat, under timeout
kill -STOP "$hpid"
# Until it really is stopped (state T), 2 s at most.
for i in $(seq 200); do
	[ "$(awk '{print $3}' "/proc/$hpid/stat" 2>/dev/null)" = T ] && break
	read -t 0.01 -r _ <&6 || true
done
printf 'bye from ssh\n' >&5
exec 5>&-
kill -HUP "$hpid"
kill -CONT "$hpid"
wait "$tpid"
rc=$?
exec 6<&-
stop_server "$save2"
check "SIGHUP with stdin data pending: hecat dies of SIGHUP (129)" rc_is 129
check "SIGHUP with stdin data pending: the last bytes reached the server" \
    eval '[ "$(cat "$tmp/saved2" 2>/dev/null)" = "bye from ssh" ]'

# -F: the socket goes to ssh (here, hecat-fdrecv) over a socketpair.
timeout 30 tests/hecat-fdrecv -s abc "$HECAT" -F "$DNS" dual.test "$EOFREPLY" \
    > "$tmp/out" 2> "$tmp/err"
rc=$?
check "-F: the received socket works, hecat exits 0" eval 'rc_is 0 && out_is "got 3 bytes"'

finish
