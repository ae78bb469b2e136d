#!/bin/bash
# Scenario 13 over TLS: ssh through hecat --tls, to an OpenSSH server
# behind a TLS terminator.  In the server namespace, sshd listens on
# 127.0.0.1 only; stunnel4 (started here, in the foreground, with its own
# configuration in $tmp, stopped by PID) terminates TLS on port 443 and
# connects to it.  Its certificate, for ssh.test and bh.test, is signed
# by a CA made at test time with openssl; hecat trusts that CA alone
# (--tls-ca) and verifies the name it dialled (the host operand, %h).
#
#   ssh.test  AAAA 2001:db8:2::22: TCP is accepted on port 443 by a
#             listener that never says a word (hecat-listen -m hold): the
#             IPv6 attempt connects at once, then waits for a ServerHello
#             that never comes
#             A 198.51.100.22: stunnel
#   bh.test   AAAA 2001:db8:2::23: stunnel, but nftables drops the SYNs
#             A 198.51.100.23: stunnel
#
# With --race-until tls (the default with --tls) an attempt wins when TLS
# is up and verified, so on ssh.test the IPv6 attempt, connected but
# silent, does not win: the IPv4 attempt starts one attempt delay (250
# ms) after it, and wins.  Checked from hecat's own trace (--trace in
# the ProxyCommand; timed by the trace's timestamps, the upper bounds
# stretching with HECAT_TEST_SLOWDOWN, cli_lib.sh "timing"): the order,
# the reason, the gap, the winner, the tls stage done on the winner's
# attempt and begun (never done) on the IPv6 one.  Then: a login (ssh
# ... true), 100 MB up and 100 MB down with matching SHA-256 sums, the
# same race with --race-until banner (the first byte through TLS, sshd's
# banner), bh.test (a blackholed IPv6: the same race, decided by TCP),
# a name the certificate does not have (--tls-name: verification fails,
# ssh fails cleanly), and -F with --tls under ProxyUseFdpass: a usage
# error (exit 64, one line), ssh failing at once.
#
# Root only, and needs sshd, ssh, stunnel4 and openssl: SKIP otherwise.
. "${srcdir:-.}/tests/cli_lib.sh"
. "${srcdir:-.}/tests/netns/lib.sh"
. "${srcdir:-.}/tests/proxy_lib.sh"
. "${srcdir:-.}/tests/netns/ssh_lib.sh"

ssh_require
STUNNEL=$(command -v stunnel4 || command -v stunnel) || {
	echo "SKIP: needs stunnel4"
	exit 77
}
command -v openssl >/dev/null || {
	echo "SKIP: needs openssl"
	exit 77
}
ns_require

trap 'ns_down; cleanup' EXIT

V6=2001:db8:2::22		# ssh.test: TCP accepted, TLS never answered
V4=198.51.100.22		# ssh.test: stunnel
B6=2001:db8:2::23		# bh.test: stunnel, SYNs dropped
B4=198.51.100.23		# bh.test: stunnel
NAME=ssh.test
BNAME=bh.test
TLS_PORT=443

ns_up veth
ns_addr $V6 refuse		# the silent listener's, below
ns_addr $V4 refuse		# stunnel's
ns_addr $B6 blackhole
ns_addr $B4 refuse
cat > "$tmp/zone" <<ZONE
$NAME AAAA $V6
$NAME A $V4
$BNAME AAAA $B6
$BNAME A $B4
ZONE
ns_servers greet		# hecat-dnsd only: no address is "accept"
# The silent TLS server: accepts, never reads, never writes.
ns_start "$NS_S" HOLD_PORT tests/hecat-listen -a "$V6" -p "$TLS_PORT" \
    -m hold -t 600

# sshd, on the server's loopback only: reached through stunnel.
if ! ssh_setup "$NAME,$BNAME" 127.0.0.1; then
	rc=1
	fail "sshd -t accepts the configuration"
	finish
	exit 1
fi
if ! ssh_start 127.0.0.1; then
	rc=1
	cp "$tmp/sshd.log" "$tmp/err"
	fail "sshd listens on 127.0.0.1:$SSH_PORT (server namespace)"
	finish
	exit 1
fi
pass "sshd listens on 127.0.0.1:$SSH_PORT (server namespace)"

# The CA and the server's certificate (P-256 keys: quick to make).
CA=$tmp/ca.pem
mkcert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	    -nodes -keyout "$tmp/ca.key" -out "$CA" -days 2 \
	    -subj "/CN=hecat ssh_tls test CA" &&
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	    -nodes -keyout "$tmp/server.key" -out "$tmp/server.csr" \
	    -subj "/CN=$NAME" &&
	printf '%s\n' "subjectAltName=DNS:$NAME,DNS:$BNAME" \
	    "basicConstraints=critical,CA:FALSE" \
	    "keyUsage=critical,digitalSignature" \
	    "extendedKeyUsage=serverAuth" > "$tmp/server.ext" &&
	openssl x509 -req -in "$tmp/server.csr" -CA "$CA" \
	    -CAkey "$tmp/ca.key" -CAcreateserial -days 2 \
	    -extfile "$tmp/server.ext" -out "$tmp/server.pem"
}
if ! mkcert > "$tmp/err" 2>&1; then
	rc=1
	fail "openssl makes the CA and the server certificate"
	finish
	exit 1
fi

# stunnel: in the foreground (its log on stderr), no PID file, one
# service with three listening addresses; the TLS is stunnel's default
# (TLS 1.2 and 1.3).  ip netns exec execs it in place: $! is stunnel's
# own PID, stopped by ns_down.  Ready when it listens on every address
# (ss, proxy_lib.sh's px_wait_ready: polled every 10 ms, 5 s at most
# times HECAT_TEST_SLOWDOWN; the blackholed one cannot be connected to).
cat > "$tmp/stunnel.conf" <<EOF
foreground = yes
syslog = no
pid =
debug = 5
[ssh]
accept = $V4:$TLS_PORT
accept = $B6:$TLS_PORT
accept = $B4:$TLS_PORT
connect = 127.0.0.1:$SSH_PORT
cert = $tmp/server.pem
key = $tmp/server.key
EOF
ip netns exec "$NS_S" "$STUNNEL" "$tmp/stunnel.conf" \
    < /dev/null > "$tmp/stunnel.log" 2>&1 &
STUNNEL_PID=$!
ns_pids+=("$STUNNEL_PID")
if ! px_wait_ready "$NS_S" "$TLS_PORT" "$tmp/stunnel.log" '' \
    "$STUNNEL_PID" "$V4" "$B6" "$B4"; then
	rc=1
	cp "$tmp/stunnel.log" "$tmp/err"
	fail "stunnel listens on $V4, [$B6] and $B4 port $TLS_PORT"
	finish
	exit 1
fi
pass "stunnel listens on $V4, [$B6] and $B4 port $TLS_PORT"

ssh_data

# sshc TRACE FDPASS COMMAND...: ssh to $HOST (default ssh.test) through
# hecat --tls, its trace in TRACE, $XOPTS added to hecat's options.
sshc() {
	local trace=$1 fdpass=$2 pc
	shift 2
	pc="$HECAT_ABS --tls --tls-ca $CA --connect-timeout 5 --trace $trace ${XOPTS:-} %h $TLS_PORT"
	ssh_run "$pc" "$fdpass" "${HOST:-$NAME}" "$@"
}

# tq_t TRACE JQ: jq -r -s JQ over TRACE.
tq_t() { jq -r -s "$2" "$1"; }

# attempt_id TRACE ADDR: the id of the attempt to ADDR ("none").
attempt_id() {
	tq_t "$1" "[.[] | select(.ev == \"attempt_start\" and .addr == \"$2\")][0].id // \"none\""
}

# race_tls NAME TRACE A6 A4 STAGE6: the trace shows A6 first, A4 one
# attempt delay later (reason attempt_delay): at least 249 ms after the
# AAAA answer that started A6's attempt (the lower bound is never
# stretched; A6's attempt_start can be stamped a little after the
# engine started it, ev_ms in netns/lib.sh), at most 300 ms (stretched)
# after A6's attempt_start, the gap between the two attempt_starts
# reported; A4 the winner; on A4's attempt, the tls stage done, and
# the "winner" after it; on A6's attempt, the last stage reached is
# STAGE6 (tls: it connected and began TLS, which never ended; tcp:
# blackholed) and no tls stage_done.
race_tls() {
	local name=$1 t=$2 a6=$3 a4=$4 st6=$5 order why aaaa s6 s4 from_a gap64
	local win id4 id6 tls4 winat last6 done6 begun6 want_begun begun_ok
	order=$(tq_t "$t" '[.[] | select(.ev == "attempt_start") | .addr] | join(" ")')
	why=$(tq_t "$t" '[.[] | select(.ev == "attempt_start")][1].reason // "none"')
	aaaa=$(ev_t "$t" '.ev == "resolve_done" and .family == "inet6"')
	s6=$(ev_t "$t" '.ev == "attempt_start"' 0)
	s4=$(ev_t "$t" '.ev == "attempt_start"' 1)
	from_a=$(gap "$aaaa" "$s4")
	gap64=$(gap "$s6" "$s4")
	win=$(tq_t "$t" '[.[] | select(.ev == "winner")][0].addr // "none"')
	id4=$(attempt_id "$t" "$a4")
	id6=$(attempt_id "$t" "$a6")
	tls4=none
	[ "$id4" = none ] ||
	    tls4=$(ev_t "$t" ".ev == \"stage_done\" and .stage == \"tls\" and .id == $id4 and .addr == \"$a4\"")
	winat=$(ev_t "$t" '.ev == "winner"')
	done6=$(ev_t "$t" ".ev == \"stage_done\" and .stage == \"tls\" and .addr == \"$a6\"")
	begun6=$(ev_t "$t" ".ev == \"stage_start\" and .stage == \"tls\" and .addr == \"$a6\"")
	last6=$(tq_t "$t" "[.[] | select(.ev == \"attempt_end\" and .addr == \"$a6\")][0].stage // \"none\"")
	# tls begun on A6 (before A4's attempt started) if it got that far.
	want_begun=none begun_ok=
	if [ "$st6" = tls ]; then
		want_begun=any
		[ "$begun6" != none ] && at_least "$(gap "$begun6" "$s4")" 0 &&
		    begun_ok=1
	else
		[ "$begun6" = none ] && begun_ok=1
	fi
	if [ "$order" = "$a6 $a4" ] && [ "$why" = attempt_delay ] &&
	    at_least "$from_a" 249 && no_later "$gap64" 250 300 &&
	    [ "$win" = "$a4" ] && [ "$tls4" != none ] &&
	    at_least "$(gap "$tls4" "$winat")" 0 &&
	    [ "$done6" = none ] && [ "$last6" = "$st6" ] &&
	    [ -n "$begun_ok" ]; then
		pass "$name: $a6 first (its last stage $last6), $a4 $gap64 ms later ($from_a after AAAA), won with tls done"
	else
		fail "$name" "want order '$a6 $a4', 2nd reason attempt_delay >= 249 ms after AAAA and <= 300 ms (x$SLOWDOWN) after the 1st, winner $a4 with a tls stage_done before the winner, $a6 ending in stage $st6 with no tls stage_done (tls begun before $a4 started: $want_begun); got order '$order', reason $why $gap64 ms after ($from_a after AAAA), winner $win, $a4 tls done at $tls4 (winner at $winat), $a6 tls begun at $begun6, done at $done6, last stage $last6 (ids $id6, $id4)"
		echo "  trace:"
		sed 's/^/    /' "$t"
	fi
}

# One login: ssh ... true.
sshc "$tmp/t.login" no true
check "login to $NAME over TLS: ssh ... true exits 0" rc_is 0
check "login: nothing on stderr" eval '[ ! -s "$tmp/err" ]'
race_tls "login's dial" "$tmp/t.login" "$V6" "$V4" tls
check "login: hecat is gone after ssh" no_lingering "$tmp/t.login"
check "login: stunnel served it" grep -q 'Service \[ssh\] accepted connection from 192.0.2.1' "$tmp/stunnel.log"

# A command's output.
sshc "$tmp/t.cmd" no 'echo ok; id -u'
check "ssh over TLS runs a command (exit 0, 'ok' and uid 0)" \
    eval 'rc_is 0 && out_is "$(printf "ok\n0")"'

# 100 MB up, summed on the far side.
IN=$tmp/data sshc "$tmp/t.up" no "cat > $tmp/up && sha256sum < $tmp/up"
up_ms=$elapsed
check "${MB} MB up through TLS in ${up_ms} ms, checksums match" \
    eval 'rc_is 0 && out_is "$SUM  -"'
check "nothing on stderr (up)" eval '[ ! -s "$tmp/err" ]'
race_tls "upload's dial" "$tmp/t.up" "$V6" "$V4" tls
check "hecat is gone after ssh (up)" no_lingering "$tmp/t.up"
check "upload: the trace counts ${MB} MB sent" \
    jqok -s --argjson n $((MB * 1048576)) \
    '.[-1] | .ev == "summary" and .bytes_sent >= $n' "$tmp/t.up"
rm -f "$tmp/up"

# 100 MB down.
OUT=$tmp/down IN=/dev/null sshc "$tmp/t.down" no "cat $tmp/data"
down_ms=$elapsed
got=$(sha256sum < "$tmp/down" | cut -d' ' -f1)
check "${MB} MB down through TLS in ${down_ms} ms, checksums match" \
    eval 'rc_is 0 && [ "$got" = "$SUM" ]'
check "nothing on stderr (down)" eval '[ ! -s "$tmp/err" ]'
race_tls "download's dial" "$tmp/t.down" "$V6" "$V4" tls
check "hecat is gone after ssh (down)" no_lingering "$tmp/t.down"
check "download: the trace counts ${MB} MB received" \
    jqok -s --argjson n $((MB * 1048576)) \
    '.[-1] | .ev == "summary" and .bytes_received >= $n' "$tmp/t.down"
rm -f "$tmp/down"
echo "# ${MB} MB up ${up_ms} ms, down ${down_ms} ms (whole ssh run, over TLS)"

# --race-until banner: the attempt wins at the first byte through TLS
# (sshd's "SSH-2.0-..." via stunnel); ssh still gets the whole banner.
XOPTS="--race-until banner" sshc "$tmp/t.banner" no true
check "--race-until banner: login exits 0" rc_is 0
race_tls "--race-until banner's dial" "$tmp/t.banner" "$V6" "$V4" tls
check "--race-until banner: the banner stage done on the winner" \
    jqok -s --arg a "$V4" 'any(.[]; .ev == "stage_done" and .stage == "banner" and .addr == $a)' \
    "$tmp/t.banner"

# bh.test: IPv6 blackholed (nftables), stunnel on both; TCP decides.
HOST=$BNAME sshc "$tmp/t.bh" no true
check "login to $BNAME (IPv6 blackholed) over TLS exits 0" rc_is 0
race_tls "$BNAME's dial" "$tmp/t.bh" "$B6" "$B4" tcp

# A name the certificate does not have: verification fails on every
# attempt, hecat says so and exits non-zero, ssh fails (255), at once.
XOPTS="--tls-name wrong.test" sshc "$tmp/t.wrong" no true
check "--tls-name wrong.test: ssh fails (255)" rc_is 255
check "--tls-name wrong.test: hecat's error names the certificate's name" \
    err_has 'certificate is not valid for wrong\.test'
check "--tls-name wrong.test: hecat failed, nobody won" \
    jqok -s '.[-1] | .ev == "summary" and .exit != 0 and .winner == null' \
    "$tmp/t.wrong"
check "--tls-name wrong.test: the IPv4 attempt failed in the tls stage" \
    jqok -s --arg a "$V4" 'any(.[]; .ev == "attempt_end" and .addr == $a and .stage == "tls" and .result != "connected")' \
    "$tmp/t.wrong"
check "--tls-name wrong.test: no hang (${elapsed} ms)" faster_than 10000
echo "# --tls-name wrong.test: ssh's stderr:"
sed 's/^/#   /' "$tmp/err"
jq -c 'select(.ev == "attempt_end" or .ev == "summary" or .ev == "dial_failed")' "$tmp/t.wrong" | sed 's/^/#   /'

# -F with --tls: a usage error.  hecat alone first: exit 64, one line,
# no dial (nothing in the trace but what precedes one, if anything).
hn -F --tls --tls-ca "$CA" --trace "$tmp/t.F" "$NAME" "$TLS_PORT"
check "-F --tls: exit 64" rc_is 64
check "-F --tls: one line on stderr" err_lines 1
check "-F --tls: nothing on stdout" out_empty
check "-F --tls: no attempt made" eval \
    '[ ! -s "$tmp/t.F" ] || ! jqok -s "any(.[]; .ev == \"attempt_start\")" "$tmp/t.F"'
msg=$(cat "$tmp/err")

# Then as ssh's ProxyCommand with ProxyUseFdpass: a wrapper records
# hecat's status; ssh fails cleanly (255, hecat's line on its stderr),
# at once.
cat > "$tmp/pcwrap" <<EOF
#!/bin/sh
"$HECAT_ABS" "\$@"
s=\$?
echo \$s > "$tmp/pcwrap.rc"
exit \$s
EOF
chmod 755 "$tmp/pcwrap"
rm -f "$tmp/pcwrap.rc"
ssh_run "$tmp/pcwrap -F --tls --tls-ca $CA --trace $tmp/t.Fssh %h $TLS_PORT" \
    yes "$NAME" true
check "ProxyUseFdpass + -F --tls: ssh fails (255)" rc_is 255
check "ProxyUseFdpass + -F --tls: hecat exited 64" \
    eval '[ "$(cat "$tmp/pcwrap.rc" 2>/dev/null)" = 64 ]'
check "ProxyUseFdpass + -F --tls: hecat's one line reached ssh's stderr" \
    eval 'grep -qxF -- "$msg" "$tmp/err"'
check "ProxyUseFdpass + -F --tls: no hang (${elapsed} ms)" faster_than 5000
echo "# -F --tls says: $msg"

finish
