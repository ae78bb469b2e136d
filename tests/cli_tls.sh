#!/bin/bash
# The command's TLS (--tls, -c) against real servers on loopback
# (tests/tls_lib.sh): openssl s_server, socat OPENSSL-LISTEN and stunnel,
# with certificates made at test time by a CA of our own.  Verification
# (a good chain, an IP literal against IP SANs, a wrong name and
# --tls-name, expired, self-signed, --tls-no-verify, the system's store),
# ALPN, client certificates (TLS 1.2: refused in the handshake; TLS 1.3:
# after it), servers that close mid-handshake, never speak TLS or speak
# something else, usage errors, no connection left open by a loser,
# data both ways through the session, -d/-q/--send-only/-z, and the race:
# until tls (the default), until tcp (TLS on the winner only, after the
# race) and until banner through TLS.  The fakes (a server that accepts
# and closes mid-handshake) are hostile peers that no real server
# imitates.  Root only (tls_lib.sh runs its servers with proxy_lib.sh's
# machinery): SKIP otherwise.
. "${srcdir:-.}/tests/cli_lib.sh"
. "${srcdir:-.}/tests/proxy_lib.sh"
. "${srcdir:-.}/tests/tls_lib.sh"

tls_require
tls_make_pki
P=$TLS_DIR
CA=(--tls-ca "$P/ca.pem")

start_dns
start_s_server GOOD				# -rev: each line reversed
start_s_server GOOD6 -a ::1
start_s_server WRONG -c wrong
start_s_server EXPIRED -c expired
start_s_server SELF -c self
start_s_server ALPN -- -alpn h2
start_s_server CC13 -- -Verify 1 -CAfile "$P/clientca.pem"
start_s_server CC12 -- -tls1_2 -Verify 1 -CAfile "$P/clientca.pem"
start_socat_tls ECHO -- EXEC:cat
start_socat_tls BANNER -- SYSTEM:'echo hi; exec cat'
start_socat_tls HI -- SYSTEM:'echo hi'
start_server PLAIN tests/hecat-listen -m echo -t 600
start_stunnel STUN -t "127.0.0.1:$PLAIN"
start_server HOLD tests/hecat-listen -m hold -t 600
start_server GREET tests/hecat-listen -m greet -t 600

# tls_steps FILE: the tls stage's step details of the trace FILE, one a
# line.
tls_steps() {
	jq -r 'select(.ev == "stage_step" and .stage == "tls") | .detail' "$1"
}
steps_have() { tls_steps "$tmp/t.jsonl" | grep -Eq -- "$1"; }

# ---- verification -----------------------------------------------------------
hc -v "${CA[@]}" --tls --trace "$tmp/t.jsonl" localhost "$GOOD"
check "a good chain: exit 0, -v says verified for localhost" eval \
    'rc_is 0 && err_has "^hecat: TLS TLSv1\.3 [A-Z0-9_]+, ALPN none: the server is verified for localhost$"'
check "-v: the TLS line comes after nc's succeeded! line" eval \
    '[ "$(grep -n "succeeded!" "$tmp/err" | cut -d: -f1)" -lt \
       "$(grep -n "^hecat: TLS " "$tmp/err" | cut -d: -f1)" ]'
check "the trace: tls stage_start, stage_done, the attempt counted at tls" \
    jqok -s 'any(.[]; .ev == "stage_start" and .stage == "tls") and
        any(.[]; .ev == "stage_done" and .stage == "tls") and
        any(.[]; .ev == "attempt_end" and .result == "connected" and
            .stage == "tls")' "$tmp/t.jsonl"
check "the trace's steps: ClientHello with SNI, version, certificate, verified" \
    eval 'steps_have "^ClientHello sent, SNI localhost$" &&
    steps_have "^TLSv1\.3 [A-Z0-9_]+, ALPN none, new session$" &&
    steps_have "^certificate: subject CN=localhost, issuer CN=hecat test CA, notAfter [0-9]{4}-[0-9]{2}-[0-9]{2}, SAN DNS:localhost,DNS:tls\.test,IP:127\.0\.0\.1,IP:::1$" &&
    steps_have "^verified: CA \($P/ca\.pem\) for localhost$"'
check "the trace: the steps in the handshake's order" eval \
    '[ "$(tls_steps "$tmp/t.jsonl" | awk "{ print \$1 }" | tr "\n" " ")" = "ClientHello TLSv1.3 certificate: verified: " ]'

hc -vv -c "${CA[@]}" localhost "$GOOD"
check "-c is --tls; -vv shows the tls stage's steps" eval \
    'rc_is 0 && err_has "stage=tls ClientHello sent" &&
     err_has "stage=tls verified: CA .* for localhost" &&
     err_has "stage=tls done"'

hc -v --tls "${CA[@]}" --trace "$tmp/t.jsonl" 127.0.0.1 "$GOOD"
check "an IP literal, 127.0.0.1: verified by the IP SAN, no SNI" eval \
    'rc_is 0 && err_has "the server is verified for its IP address$" &&
     steps_have "^ClientHello sent$" && steps_have "^verified: .* for 127\.0\.0\.1$"'
if have_ipv6; then
	hc -v --tls "${CA[@]}" "[::1]" "$GOOD6"
	check "an IP literal, [::1]: verified by the IP SAN" eval \
	    'rc_is 0 && err_has "the server is verified for its IP address$"'
	hc --tls "${CA[@]}" ::1 "$GOOD"
	check "nothing listens on ::1 at that port: refused, exit 1" eval \
	    'rc_is 1 && err_has "Connection refused"'
fi

hc --tls "${CA[@]}" localhost "$WRONG"
check "a wrong name: exit 76, one line naming the name" eval \
    'rc_is 76 && err_lines 1 &&
     err_has "^hecat: localhost port $WRONG: connect failed: 127\.0\.0\.1:$WRONG \(TLS: certificate is not valid for localhost\)$"'
hc --tls "${CA[@]}" 127.0.0.1 "$WRONG"
check "an IP literal not in the certificate: exit 76, the address named" \
    eval 'rc_is 76 && err_has "\(TLS: certificate is not valid for 127\.0\.0\.1\)$"'
hc -v --tls "${CA[@]}" --tls-name wrong.example --trace "$tmp/t.jsonl" localhost \
    "$WRONG"
check "--tls-name fixes the mismatch: SNI and verification for it" eval \
    'rc_is 0 && err_has "the server is verified for wrong\.example$" &&
     steps_have "^ClientHello sent, SNI wrong\.example$"'
hc --tls "${CA[@]}" --tls-name wrong.example localhost "$GOOD"
check "--tls-name a name the certificate lacks: exit 76" eval \
    'rc_is 76 && err_has "\(TLS: certificate is not valid for wrong\.example\)$"'

hc --tls "${CA[@]}" localhost "$EXPIRED"
check "expired: exit 76, notAfter said" eval \
    'rc_is 76 && err_lines 1 &&
     err_has "\(TLS: certificate has expired \(notAfter 2020-01-02\)\)$"'
hc --tls "${CA[@]}" localhost "$SELF"
check "self-signed, not trusted: exit 76" eval \
    'rc_is 76 && err_has "\(TLS: certificate verify failed: self-signed certificate\)$"'
hc -v --tls --tls-no-verify --trace "$tmp/t.jsonl" localhost "$SELF"
check "self-signed with --tls-no-verify: exit 0, a WARNING with -v" eval \
    'rc_is 0 && err_has "^hecat: TLS TLSv1\.3 .*: WARNING: the server is NOT verified \(--tls-no-verify\)" &&
     ! err_has "is verified"'
check "--tls-no-verify: the trace says so at the ClientHello and at the end" \
    eval 'steps_have "^ClientHello sent, SNI localhost, verification off$" &&
     steps_have "^NOT verified \(verification off\): "'
hc -v --tls --tls-no-verify localhost "$WRONG"
check "--tls-no-verify, wrong name: exit 0, the WARNING says what would fail" \
    eval 'rc_is 0 && err_has "WARNING: the server is NOT verified \(--tls-no-verify\); it would have failed: "'
hc --tls localhost "$GOOD"
check "no --tls-ca: the system's store does not trust the test CA, exit 76" \
    eval 'rc_is 76 && err_has "\(TLS: certificate verify failed: unable to get local issuer certificate\)$"'
hc --tls --tls-ca "$P/clientca.pem" localhost "$GOOD"
check "--tls-ca is the only trust: another CA's file, exit 76" rc_is 76

# ---- ALPN ---------------------------------------------------------------------
hc -v --tls "${CA[@]}" --tls-alpn h2,http/1.1 --trace "$tmp/t.jsonl" localhost "$ALPN"
check "ALPN: h2 offered and chosen (-v and the trace)" eval \
    'rc_is 0 && err_has ", ALPN h2: the server is verified" &&
     steps_have "^ClientHello sent, SNI localhost, ALPN offered$" &&
     steps_have "^TLSv1\.3 [A-Z0-9_]+, ALPN h2, new session$"'
# OpenSSL 3.0's s_server -alpn refuses a client whose protocols it does
# not have (a fatal no_application_protocol alert, as RFC 7301 says).
hc --tls "${CA[@]}" --tls-alpn http/1.1 localhost "$ALPN"
check "ALPN mismatch (s_server -alpn h2, offered http/1.1): alert, exit 76" \
    eval 'rc_is 76 && err_has "\(TLS: the server refused: alert \"no application protocol\"\)$"'
# A server without ALPN ignores the offer: no protocol, no failure.
hc -v --tls "${CA[@]}" --tls-alpn h2 --trace "$tmp/t.jsonl" localhost "$ECHO"
check "ALPN offered to a server without it (socat): ALPN none, exit 0" \
    eval 'rc_is 0 && steps_have ", ALPN none, new session$" &&
    err_has ", ALPN none: the server is verified"'

# ---- client certificates ----------------------------------------------------------
hc --tls "${CA[@]}" localhost "$CC12"
check "TLS 1.2, a client certificate required, none: alert, exit 76" eval \
    'rc_is 76 && err_has "\(TLS: the server refused: alert \"handshake failure\"\)$"'
hc -v --tls "${CA[@]}" --tls-cert "$P/client.pem" --tls-key "$P/client.key" \
    localhost "$CC12"
check "TLS 1.2, --tls-cert and --tls-key: exit 0" eval \
    'rc_is 0 && err_has "^hecat: TLS TLSv1\.2 .*verified for localhost$"'
# TLS 1.3: the client's certificate goes after the server's Finished, so
# the handshake is done on our side; the server's alert is what the
# first read gets.
hc -v --tls "${CA[@]}" localhost "$CC13"
check "TLS 1.3, a client certificate required, none: the alert, exit 74" \
    eval 'rc_is 74 && err_has "alert certificate required"'
printf 'abc\n' > "$tmp/abc"
IN=$tmp/abc hc --tls "${CA[@]}" --tls-cert "$P/client-both.pem" \
    localhost "$CC13"
check "TLS 1.3, --tls-cert with its key in the same file: data, exit 0" \
    eval 'rc_is 0 && out_is cba'
hc --tls "${CA[@]}" --tls-cert "$P/client.pem" --tls-key "$P/wrong.key" localhost \
    "$CC13"
check "a key that is not the certificate's: exit 64, before any dial" eval \
    'rc_is 64 && err_lines 1 && err_has "TLS: cannot use key .*wrong\.key: key values mismatch$"'

# ---- servers that do not speak TLS, or stop ------------------------------------
# hostile VAR MODE: a fake server on 127.0.0.1: "eof" reads the
# ClientHello and closes; "partial" answers with the first bytes of a
# ServerHello record and closes; "rst" reads it and resets.
hostile() {
	start_server "$1" python3 -c '
import socket, struct, sys
mode = sys.argv[1]
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
print("port", s.getsockname()[1], flush=True)
while True:
    c = s.accept()[0]
    try:
        c.recv(4096)
        if mode == "partial":
            c.sendall(b"\x16\x03\x03\x00\x7a\x02\x00\x00\x76\x03\x03")
        if mode == "rst":
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack("ii", 1, 0))
        else:
            c.shutdown(socket.SHUT_WR)
            c.recv(4096)
    except OSError:
        pass
    c.close()
' "$2"
}
hostile HEOF eof
hc --tls "${CA[@]}" localhost "$HEOF"
check "a server that closes after the ClientHello: exit 76, said so" eval \
    'rc_is 76 && err_lines 1 &&
     err_has "\(TLS: the server closed the connection in the handshake\)$"'
hostile HPART partial
hc --tls "${CA[@]}" localhost "$HPART"
check "a server that closes mid-ServerHello: exit 76, said so" eval \
    'rc_is 76 && err_has "\(TLS: the server closed the connection in the handshake\)$"'
hostile HRST rst
hc --tls "${CA[@]}" localhost "$HRST"
check "a server that resets in the handshake: exit 76, the reset said" eval \
    'rc_is 76 && err_has "\(TLS: Connection reset by peer\)$"'
hc --tls "${CA[@]}" --attempt-timeout 1 localhost "$HOLD"
check "TCP accepted, TLS never spoken: timed out at 1 s, exit 75" eval \
    'rc_is 75 && err_lines 1 && err_has "127\.0\.0\.1:$HOLD \(TLS: timed out\)$" &&
     slower_than 990 && faster_than 3000'
hc --tls "${CA[@]}" localhost "$GREET"
check "a plain-text server: wrong version number, exit 76" eval \
    'rc_is 76 && err_has "\(TLS: the server does not speak TLS \(wrong version number\)\)$"'

# ---- usage ----------------------------------------------------------------
for opt in "--tls-name x" "--tls-ca $P/ca.pem" "--tls-cert $P/client.pem" \
    "--tls-key $P/client.key" "--tls-alpn h2" --tls-no-verify \
    "--race-until tls"; do
	# shellcheck disable=SC2086
	hc $opt localhost "$GOOD"
	check "${opt%% /*} without --tls: exit 64, one line" eval \
	    'rc_is 64 && err_lines 1 && err_has "needs --tls \(-c\)"'
done
hc -F --tls "${CA[@]}" localhost "$GOOD"
check "-F with --tls: exit 64" eval 'rc_is 64 && err_has "exclude each other"'
for alpn in "" "h2,,x" "h2," "a b" "$(printf '%0300d' 0)"; do
	hc --tls "${CA[@]}" --tls-alpn "$alpn" localhost "$GOOD"
	check "--tls-alpn '${alpn:0:12}': exit 64" eval \
	    'rc_is 64 && err_has "^hecat: --tls-alpn: "'
done
hc --tls --tls-ca "$tmp/nonexistent.pem" localhost "$GOOD"
check "--tls-ca a missing file: exit 64, the file named" eval \
    'rc_is 64 && err_has "nonexistent\.pem"'
hc --tls --tls-cert "$tmp/nonexistent.pem" localhost "$GOOD"
check "--tls-cert a missing file: exit 64" rc_is 64
hc --tls --tls-key "$P/client.key" localhost "$GOOD"
check "--tls-key without --tls-cert: exit 64" rc_is 64
hc --tls --tls-no-verify "${CA[@]}" localhost "$GOOD"
check "--tls-no-verify with --tls-ca: exit 64" rc_is 64
hc --tls --tls-name "" localhost "$GOOD"
check "--tls-name empty: exit 64" rc_is 64
hc --tls --race-until proxy localhost "$GOOD"
check "--tls --race-until proxy without a proxy: exit 64" rc_is 64
echo "not a certificate" > "$tmp/junk.pem"
hc --tls --tls-ca "$tmp/junk.pem" localhost "$GOOD"
check "--tls-ca a file with no certificate: exit 64, the file named" eval \
    'rc_is 64 && err_lines 1 && err_has "TLS: cannot use CA file .*junk\.pem: "'

# ---- data through the session --------------------------------------------------
printf 'hello\nworld\n' > "$tmp/hw"
IN=$tmp/hw hc --tls "${CA[@]}" localhost "$GOOD"
check "lines to s_server -rev: each back reversed, exit 0" eval \
    'rc_is 0 && out_is "$(printf "olleh\ndlrow")"'
head -c 4M /dev/urandom > "$tmp/blob"
want=$(sha256sum < "$tmp/blob")
IN=$tmp/blob hc -v --tls "${CA[@]}" localhost "$ECHO"
check "4 MiB up and back through socat's TLS echo, intact" eval \
    'rc_is 0 && [ "$(sha256sum < "$tmp/out")" = "$want" ] &&
     err_has "sent=4194304 received=4194304"'
IN=$tmp/blob hc --tls "${CA[@]}" 127.0.0.1 "$STUN"
check "4 MiB up and back through stunnel in front of hecat-listen, intact" \
    eval 'rc_is 0 && [ "$(sha256sum < "$tmp/out")" = "$want" ]'
hc -d --tls "${CA[@]}" localhost "$HI"
check "-d: what a TLS server sends first, then its close_notify: exit 0" \
    eval 'rc_is 0 && out_is hi'
printf 'hello\n' > "$tmp/hello"
IN=$tmp/hello hc --send-only --tls "${CA[@]}" localhost "$GOOD"
check "--send-only: the reply is discarded, the dial ends at stdin's EOF" \
    eval 'rc_is 0 && out_empty'
IN=$tmp/hello hc --no-shutdown -q 0.3 --tls "${CA[@]}" localhost "$GOOD"
check "--no-shutdown -q 0.3: the reply, then exit 0 once it is quiet" eval \
    'rc_is 0 && out_is olleh && faster_than 5000'
hc -zv --tls "${CA[@]}" --trace "$tmp/t.jsonl" localhost "$GOOD"
check "-z: the handshake, verified, no data" eval \
    'rc_is 0 && out_empty && err_has "verified for localhost" &&
     steps_have "^verified: "'

# ---- the race -----------------------------------------------------------------
# dual.test: ::1 then 127.0.0.1 (start_dns), one port: a plain-text
# server on ::1 (TLS fails there at once), a real TLS server on
# 127.0.0.1.
if have_ipv6; then
	start_s_server DUAL4
	start_server DUAL6 tests/hecat-listen -a ::1 -p "$DUAL4" -m greet -t 600
	DUAL6_PID=$SERVER_PID
	hc -v --tls "${CA[@]}" --tls-name localhost --trace "$tmp/t.jsonl" "$DNS" \
	    dual.test "$DUAL4"
	check "race until tls: ::1 fails TLS, 127.0.0.1 wins, exit 0" eval \
	    'rc_is 0 && jqok -s "[.[] | select(.ev == \"attempt_end\")] |
	        (.[0].addr == \"::1\" and .[0].stage == \"tls\" and
	         .[0].result != \"connected\") and
	        (.[1].addr == \"127.0.0.1\" and .[1].result == \"connected\")" \
	        "$tmp/t.jsonl" &&
	     [ "$(jq -rs ".[-1].winner.addr" "$tmp/t.jsonl")" = 127.0.0.1 ]'
	hc --tls "${CA[@]}" --tls-name localhost --race-until tcp \
	    --trace "$tmp/t.jsonl" "$DNS" dual.test "$DUAL4"
	check "race until tcp: ::1 wins the race, its TLS fails: exit 76" eval \
	    'rc_is 76 && err_has "\[::1\]:$DUAL4 \(TLS: the server does not speak TLS"'
	check "race until tcp: one attempt; its tls stage starts after it connected" \
	    jqok -s '([.[] | select(.ev == "attempt_start")] | length == 1) and
	        ([.[] | select(.ev == "attempt_end" and .addr == "::1")] |
	         .[0].result == "connected" and .[1].stage == "tls" and
	         .[1].result != "connected") and
	        ((map(select(.ev == "attempt_end" and .result == "connected"))[0].t_ms)
	         <= (map(select(.ev == "stage_start" and .stage == "tls"))[0].t_ms))' \
	    "$tmp/t.jsonl"

	# No connection left behind: while the relay runs (stdin held open),
	# hecat holds one TCP connection, the winner's, and no more
	# descriptors than a dial without a loser.  held_fds ARGS...: sets
	# conns (hecat's TCP sockets, in any state: a leaked loser's would be
	# in CLOSE-WAIT), peers (their remote ends), fds (its open
	# descriptors), rc.
	held_fds() {
		local fifo=$tmp/hold.fifo tpid pid= end
		conns=0 peers='' fds=0
		rm -f "$fifo"
		mkfifo "$fifo"
		XDG_CACHE_HOME=$tmp/cache.fd timeout -s KILL 30 "$HECAT" -v \
		    --tls "${CA[@]}" --tls-name localhost "$DNS" "$@" \
		    < "$fifo" > "$tmp/out" 2> "$tmp/err" &
		tpid=$!
		pids+=("$tpid")
		exec 8> "$fifo"
		end=$(( ${EPOCHREALTIME/./} / 1000 + 5000 * SLOWDOWN ))
		until grep -q "^hecat: TLS " "$tmp/err"; do
			kill -0 "$tpid" 2>/dev/null &&
			    [ $(( ${EPOCHREALTIME/./} / 1000 )) -lt "$end" ] ||
			    break
			sleep 0.01	# between polls only
		done
		# hecat is timeout's one child.
		read -r pid < "/proc/$tpid/task/$tpid/children" 2>/dev/null
		if [ -n "$pid" ]; then
			conns=$(ss -tanpH 2>/dev/null |
			    grep -c "pid=$pid,")
			peers=$(ss -tanpH 2>/dev/null |
			    awk -v p="pid=$pid," 'index($0, p) { print $5 }')
			fds=$(find "/proc/$pid/fd" -mindepth 1 2>/dev/null |
			    wc -l)
		fi
		exec 8>&-
		wait "$tpid"
		rc=$?
	}
	held_fds dual.test "$DUAL4"
	fds_loser=$fds
	check "a TLS loser's socket is closed: one connection, to the winner" \
	    eval 'rc_is 0 && [ "$conns" -eq 1 ] && [ "$peers" = "127.0.0.1:$DUAL4" ]'
	held_fds v4.test "$DUAL4"
	fds_plain=$fds
	check "no descriptor more than a dial without a loser ($fds_loser vs $fds_plain)" \
	    eval 'rc_is 0 && [ "$conns" -eq 1 ] && [ "$fds_loser" -le "$fds_plain" ]'
	# Its port is DUAL4's: gone first, so that stopping DUAL4 finds the
	# port free.
	stop_server "$DUAL6_PID"
fi

hc -v --tls "${CA[@]}" --race-until banner --trace "$tmp/t.jsonl" localhost "$BANNER"
check "race until banner through TLS: a server that speaks first, exit 0" \
    eval 'rc_is 0 && out_is hi &&
    jqok -s "any(.[]; .ev == \"stage_done\" and .stage == \"banner\")" \
        "$tmp/t.jsonl"'
hc --tls "${CA[@]}" --race-until banner --attempt-timeout 1 localhost "$GOOD"
check "race until banner through TLS: a server that waits, timed out, 75" \
    eval 'rc_is 75 && err_has "\(banner: timed out\)$" && faster_than 3000'

finish
