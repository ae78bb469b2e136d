#!/bin/bash
# The command through real proxies on loopback (tests/proxy_lib.sh):
# danted (SOCKS5, SOCKS4), microsocks (SOCKS5), tinyproxy (HTTP CONNECT)
# and ssh -D (SOCKS4a), each with and without credentials; nc's -X/-x/-P
# and every --proxy scheme; what a proxy refuses and how it says so;
# proxies that are down or hostile (a fake one: no real server imitates
# them); -F and a server that speaks first; data through the tunnel.
# Root only (the proxies run as root; danted's credentials need a mount
# namespace): SKIP otherwise.
. "${srcdir:-.}/tests/cli_lib.sh"
. "${srcdir:-.}/tests/proxy_lib.sh"

px_require danted microsocks tinyproxy ssh

start_server GREET tests/hecat-listen -m greet -t 300
start_server ECHO tests/hecat-listen -m echo -t 300
start_server CLOSEDSRV tests/hecat-listen -m greet -t 300
stop_server "$SERVER_PID"		# its port now refuses
CLOSED=$CLOSEDSRV
start_danted DANTE
start_danted DANTEA auth
start_microsocks MS
start_microsocks MSA auth
start_tinyproxy TP
start_tinyproxy TPA auth
start_ssh_socks SSHD
export HECAT_PROXY_PASSWORD=$PX_PASS

# greeted ADDR: stdout is the greeting of the listener, reached at ADDR.
greeted() { out_is "hello from $1"; }

# ---- SOCKS5 -------------------------------------------------------------
# -d: no half-close (microsocks ends both ways at the client's EOF).
hc -d -X 5 -x "127.0.0.1:$DANTE" localhost "$GREET"
check "-X 5 -x (danted): the proxy resolves localhost, greeting" eval \
    'rc_is 0 && grep -q "^hello from " "$tmp/out"'
hc -d -x "[::1]:$DANTE" --trace "$tmp/tb.jsonl" 127.0.0.1 "$GREET"
check "-x alone is SOCKS5; the proxy reached over IPv6" eval \
    'rc_is 0 && greeted 127.0.0.1'
check "the winner names the proxy, the target, and where danted bound" \
    jqok -s 'any(.[]; .ev == "winner" and .addr == "::1" and
        .target == "127.0.0.1" and .target_port == '"$GREET"' and
        .bound == "127.0.0.1")' "$tmp/tb.jsonl"
hc -d --proxy "socks5h://127.0.0.1:$MS" ::1 "$GREET"
check "socks5h:// (microsocks) to an IPv6 literal" eval \
    'rc_is 0 && greeted ::1'
hc -d -vv --trace "$tmp/t5.jsonl" --proxy "socks5://127.0.0.1:$MS" localhost \
    "$GREET"
check "socks5:// resolves here: the host's addresses through the proxy" \
    eval 'rc_is 0 && grep -q "^hello from " "$tmp/out" &&
    jqok -s "any(.[]; .ev == \"winner\" and (.proxy_race | not) and
        (.target == \"127.0.0.1\" or .target == \"::1\"))" "$tmp/t5.jsonl" &&
    err_has "attempt id=1 addr=127\.0\.0\.1:$MS start reason=first target="'
check "socks5://: the race to the proxy is traced as such" eval \
    'err_has "proxy race: winner id=1 addr=127\.0\.0\.1:$MS" &&
     jqok -s "any(.[]; .ev == \"winner\" and .proxy_race == true)" \
     "$tmp/t5.jsonl"'
check "the trace: the SOCKS5 steps, the reply, the winner via the proxy" \
    eval 'jqok -s "[.[] | select(.ev == \"stage_step\" and
        (.proxy_race | not)) | .detail] | index(\"CONNECT sent\") != null and
        index(\"reply 0: succeeded\") != null" "$tmp/t5.jsonl" &&
     jqok -s "any(.[]; .ev == \"winner\" and .via == \"socks5\" and
        (.proxy_race | not))" "$tmp/t5.jsonl"'

hc -d -P "$PX_USER" -x "127.0.0.1:$DANTEA" 127.0.0.1 "$GREET"
check "-P with HECAT_PROXY_PASSWORD: danted's username/password" eval \
    'rc_is 0 && greeted 127.0.0.1'
printf '%s\n' "$PX_PASS" > "$tmp/pw"
HECAT_PROXY_PASSWORD= hc -d --proxy-password-file "$tmp/pw" \
    --proxy "socks5h://$PX_USER@127.0.0.1:$MSA" 127.0.0.1 "$GREET"
check "user@ in the URL, --proxy-password-file (microsocks)" eval \
    'rc_is 0 && greeted 127.0.0.1'
HECAT_PROXY_PASSWORD=wrong hc -d -P "$PX_USER" -x "127.0.0.1:$DANTEA" \
    127.0.0.1 "$GREET"
check "a wrong password: exit 77, one line saying so" eval \
    'rc_is 77 && err_lines 1 && err_has "\(socks5: username/password refused\)$"'
hc -d -x "127.0.0.1:$DANTEA" 127.0.0.1 "$GREET"
check "no credentials for a proxy that wants them: exit 77" eval \
    'rc_is 77 && err_has "no acceptable authentication method"'
HECAT_PROXY_PASSWORD= hc -P "$PX_USER" -x "127.0.0.1:$DANTEA" 127.0.0.1 \
    "$GREET"
check "-P without a password anywhere: usage error before any dial" eval \
    'rc_is 64 && err_lines 1 && err_has "no password"'
hc -v -x "127.0.0.1:$DANTE" localhost "$CLOSED"
check "-v: nc's failure line names the host's port and the proxy" eval \
    'rc_is 1 && err_has "^hecat: connect to localhost port $CLOSED via proxy 127\.0\.0\.1:$DANTE \(tcp\) failed: socks5: reply 5: connection refused$"'
hc -vv -x "localhost:$DANTE" 127.0.0.1 "$GREET"
check "-vv: the candidates are the proxy's, on its port" eval \
    'err_has "candidates order=.*127\.0\.0\.1.* port=$DANTE$"'
hc -x "127.0.0.1:$DANTE" 127.0.0.1 "$CLOSED"
check "the target refuses: exit 1, SOCKS5's reply by name" eval \
    'rc_is 1 && err_lines 1 &&
     err_has "via socks5 proxy 127\.0\.0\.1:$DANTE: connect failed: 127\.0\.0\.1:$DANTE \(socks5: reply 5: connection refused\)"'

# ---- SOCKS4 and SOCKS4a ----------------------------------------------------
hc -d -X 4 -x "127.0.0.1:$DANTE" 127.0.0.1 "$GREET"
check "-X 4 (danted): SOCKS4 to an IPv4 literal" eval \
    'rc_is 0 && greeted 127.0.0.1'
hc -d -X 4 -x "127.0.0.1:$DANTE" localhost "$GREET"
check "-X 4 with a name is SOCKS4a: danted answers 91" eval \
    'rc_is 1 && err_has "\(socks4: reply 91: request rejected or failed\)"'
hc -d --proxy "socks4a://127.0.0.1:$SSHD" localhost "$GREET"
check "socks4a:// (ssh -D): the proxy resolves the name" eval \
    'rc_is 0 && grep -q "^hello from 127.0.0.1" "$tmp/out"'
hc -d --proxy "socks4://127.0.0.1:$SSHD" localhost "$GREET"
check "socks4:// resolves here, IPv4 only" eval \
    'rc_is 0 && greeted 127.0.0.1'
hc -X 4 -x "127.0.0.1:$DANTE" ::1 "$GREET"
check "SOCKS4 to an IPv6 literal: refused before any dial" eval \
    'rc_is 64 && err_has "SOCKS4 reaches IPv4 addresses only"'

# ---- HTTP CONNECT ------------------------------------------------------------
hc -d -X connect -x "127.0.0.1:$TP" ::1 "$GREET"
check "-X connect (tinyproxy): an IPv6 target in brackets" eval \
    'rc_is 0 && greeted ::1'
hc -d --proxy "http://$PX_USER@[::1]:$TPA" 127.0.0.1 "$GREET"
check "http:// with Basic credentials" eval 'rc_is 0 && greeted 127.0.0.1'
hc -d -X connect -x "127.0.0.1:$TPA" 127.0.0.1 "$GREET"
check "no credentials: 407, its status line verbatim, exit 77" eval \
    'rc_is 77 && err_lines 1 &&
     err_has "\(http_connect: HTTP/1\.[01] 407 Proxy Authentication Required\)"'
HECAT_PROXY_PASSWORD=wrong hc -d -P "$PX_USER" -X connect \
    -x "127.0.0.1:$TPA" 127.0.0.1 "$GREET"
check "a wrong password: 401, exit 77" eval \
    'rc_is 77 && err_has "HTTP/1\.[01] 401 Unauthorized"'
hc -X connect -x "127.0.0.1:$TP" 127.0.0.1 "$CLOSED"
check "the target refuses: tinyproxy's 500, exit 1" eval \
    'rc_is 1 && err_has "\(http_connect: HTTP/1\.[01] 500 Unable to connect\)"'

# ---- data, and -F through a proxy ----------------------------------------------
head -c 1M /dev/urandom > "$tmp/blob"
IN="$tmp/blob" hc -x "127.0.0.1:$DANTE" 127.0.0.1 "$ECHO"
check "1 MiB up and back through danted, intact" eval \
    'rc_is 0 && cmp -s "$tmp/blob" "$tmp/out"'
# tinyproxy closes both ways at the client's half-close: no half-close,
# and -q ends it once the echo has been silent for a while.
IN="$tmp/blob" hc --no-shutdown -q 0.5 -X connect -x "127.0.0.1:$TP" ::1 \
    "$ECHO"
check "1 MiB up and back through tinyproxy, intact" eval \
    'rc_is 0 && cmp -s "$tmp/blob" "$tmp/out"'
for via in "-X 5 -x 127.0.0.1:$DANTE" "-X connect -x 127.0.0.1:$TP" \
    "--proxy socks5h://127.0.0.1:$MS"; do
	# shellcheck disable=SC2086
	XDG_CACHE_HOME=$tmp/cache.F timeout 30 tests/hecat-fdrecv "$HECAT" -F \
	    $via 127.0.0.1 "$GREET" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	check "-F $via: the greeting whole on the passed socket" eval \
	    'rc_is 0 && greeted 127.0.0.1'
done

# ---- proxies that are down, or hostile ------------------------------------------
hc -x "127.0.0.1:$CLOSED" 127.0.0.1 "$GREET"
check "the proxy refuses the connection: exit 1" eval \
    'rc_is 1 && err_has "127\.0\.0\.1:$CLOSED \(Connection refused\)$"'
start_server FULL tests/hecat-listen -a 127.0.0.1 -m full -t 300
hc --attempt-timeout 300ms --proxy "socks5://127.0.0.1:$FULL" localhost \
    "$GREET"
check "socks5:// to a proxy whose connects hang: timed out, exit 75" eval \
    'rc_is 75 && err_has ": the proxy: .*\(timed out\)"'
hc --attempt-timeout 300ms -x "127.0.0.1:$FULL" localhost "$GREET"
check "-x to a proxy whose connects hang: timed out, exit 75" eval \
    'rc_is 75 && err_has "127\.0\.0\.1:$FULL \(timed out\)$"'
hc --proxy "socks5://127.0.0.1:$CLOSED" localhost "$GREET"
check "socks5:// to a proxy that refuses: exit 1, the race to it failed" \
    eval 'rc_is 1 && err_lines 1 &&
    err_has ": the proxy: 127\.0\.0\.1 port $CLOSED: connect failed: "'

# A fake proxy per behaviour (a real one would not do these).
hostile() {
	start_server "$1" python3 -c '
import socket, sys
mode = sys.argv[1]
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
print("port", s.getsockname()[1], flush=True)
held = []
while True:
    c = s.accept()[0]
    held.append(c)
    try:
        if mode.startswith("http"):
            c.recv(4096)
            if mode == "http-endless":
                c.sendall(b"HTTP/1.1 200 OK\r\n")
                for i in range(2000):
                    c.sendall(b"X-Pad: " + b"a" * 60 + b"\r\n")
            elif mode == "http-half":
                c.sendall(b"HTTP/1.1 200 OK\r\nX-A: b\r\n")
            elif mode == "http-junk":
                c.sendall(b"SSH-2.0-not-a-proxy\r\n\r\n")
            continue
        c.recv(16)
        if mode == "garbage":
            c.sendall(b"\x47\x45")
        elif mode == "short":
            c.sendall(b"\x05")
            c.close()
        elif mode == "badreply":
            c.sendall(b"\x05\x00")
            c.recv(300)
            c.sendall(b"\x05\x00\x00\x07\x00\x00\x00\x00\x00\x00")
    except OSError:
        pass
' "$2"
}
hostile HG garbage
hc -x "127.0.0.1:$HG" 127.0.0.1 "$GREET"
check "a proxy that speaks no SOCKS5: exit 1, said so" eval \
    'rc_is 1 && err_lines 1 && err_has "\(socks5: not a SOCKS5 proxy\)"'
hostile HS short
hc -x "127.0.0.1:$HS" 127.0.0.1 "$GREET"
check "a proxy that closes mid-reply: exit 1, said so" eval \
    'rc_is 1 && err_has "\(socks5: the proxy closed the connection\)"'
hostile HB badreply
hc -x "127.0.0.1:$HB" 127.0.0.1 "$GREET"
check "a malformed SOCKS5 reply (address type 7): exit 1" eval \
    'rc_is 1 && err_has "\(socks5: malformed SOCKS5 reply\)"'
hostile HE http-endless
hc -X connect -x "127.0.0.1:$HE" 127.0.0.1 "$GREET"
check "an HTTP reply head that never ends: cut at 16 KiB, exit 1" eval \
    'rc_is 1 && err_has "reply head is longer than 16 KiB"'
hostile HH http-half
hc -w 1 -X connect -x "127.0.0.1:$HH" 127.0.0.1 "$GREET"
check "an HTTP reply that stops mid-head: -w 1 ends it, exit 75" eval \
    'rc_is 75 && err_has "\(http_connect: timed out\)"'
hostile HJ http-junk
hc -X connect -x "127.0.0.1:$HJ" 127.0.0.1 "$GREET"
check "a server that is no HTTP proxy: exit 1" eval \
    'rc_is 1 && err_has "\(http_connect: not an HTTP reply\)"'

# ---- usage --------------------------------------------------------------------
hc --proxy "socks5h://u:secret@127.0.0.1:1" h 1
check "a password in the URL: refused (exit 64), never used" eval \
    'rc_is 64 && err_has "no password in the URL"'
hc --proxy "gopher://127.0.0.1:1" h 1
check "an unknown scheme: exit 64" rc_is 64
hc -X 5 h 1
check "-X without -x: exit 64" eval 'rc_is 64 && err_has "-X needs -x"'
hc --proxy "socks5h://127.0.0.1:1" -x 127.0.0.1:1 h 1
check "--proxy and -x together: exit 64" rc_is 64
hc -P "a:b" -X connect -x 127.0.0.1:1 h 1
check "an HTTP Basic user with a colon: exit 64" eval \
    'rc_is 64 && err_has "colon"'
hc -p 4000 --proxy "socks5://127.0.0.1:1" h 1
check "-p with local resolution through a proxy: exit 64" eval \
    'rc_is 64 && err_has "every attempt would go from one port"'
hc --race-until proxy h 1
check "--race-until proxy without a proxy: exit 64" rc_is 64

finish
