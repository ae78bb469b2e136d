#!/bin/bash
# The proxies of tests/proxy_lib.sh work, proven with curl (hecat has no
# proxy support yet): danted (SOCKS5 with and without username/password,
# SOCKS4, no SOCKS4a), microsocks (SOCKS5, both ways), tinyproxy (HTTP
# CONNECT, Basic auth: 407 without credentials, 401 with wrong ones),
# ssh -D (SOCKS4a, SOCKS4, SOCKS5), each through 127.0.0.1 and ::1 to
# tests/hecat-listen -m http, whose page names the address reached; a
# proxy stopped is gone and its port free.  Then in network namespaces
# (tests/netns/lib.sh), where the proxies resolve names with the
# namespace's DNS server and reach the other namespace's addresses: a
# shortened connect timeout (-t) to a blackholed address, a proxy
# listening on an address whose SYNs are dropped (ready all the same), a
# proxy name whose IPv6 address is blackholed.  Root only (SKIP
# otherwise); the namespace part is skipped without namespaces.
. "${srcdir:-.}/tests/cli_lib.sh"
. "${srcdir:-.}/tests/netns/lib.sh"
. "${srcdir:-.}/tests/proxy_lib.sh"

px_require danted microsocks tinyproxy ssh curl
trap 'ns_down; cleanup' EXIT

# cu [-n NS] CURL_ARGS...: curl (in NS), no proxy from the environment,
# 10 s at most; stdout in $tmp/out, stderr in $tmp/err, sets rc and
# elapsed (ms).
cu() {
	local ns= t0 t1
	if [ "$1" = -n ]; then
		ns=$2
		shift 2
	fi
	t0=${EPOCHREALTIME/./}
	px_in "$ns" env -u http_proxy -u HTTP_PROXY -u https_proxy \
	    -u HTTPS_PROXY -u all_proxy -u ALL_PROXY -u no_proxy -u NO_PROXY \
	    timeout -s KILL 20 curl -sS --max-time 10 "$@" \
	    < /dev/null > "$tmp/out" 2> "$tmp/err"
	rc=$?
	t1=${EPOCHREALTIME/./}
	elapsed=$(( (t1 - t0) / 1000 ))
}

# The page, and a port where nothing listens.  (Run by hand after a
# plain make, the test servers are built first: make check builds them.)
for prog in tests/hecat-listen tests/hecat-dnsd; do
	if [ ! -x $prog ] && ! make -s $prog > /dev/null; then
		echo "FAIL: cannot build $prog"
		exit 1
	fi
done
start_server H tests/hecat-listen -m http -t 300
CLOSED=$(px_free_port "")
U=$PX_USER P=$PX_PASS
six=
have_ipv6 && six=1

# proves NAME CURL_ARGS... -- ADDR: through the proxy, the page of ADDR.
proves() {
	local name=$1 a=${*: -1}
	shift
	cu "${@:1:$#-2}"
	check "$name" eval 'rc_is 0 && out_is "hello from $a"'
}

# ---- danted -------------------------------------------------------------------
start_danted D
echo "# danted: port $D, ${D_MS} ms to start"
proves "danted: socks5h via 127.0.0.1 to 127.0.0.1" \
    --proxy "socks5h://127.0.0.1:$D" "http://127.0.0.1:$H/" -- 127.0.0.1
if [ -n "$six" ]; then
	proves "danted: socks5h via [::1] to [::1]" \
	    --proxy "socks5h://[::1]:$D" "http://[::1]:$H/" -- ::1
fi
cu --proxy "socks5h://127.0.0.1:$D" "http://localhost:$H/"
check "danted: socks5h, the name resolved by the proxy" \
    eval 'rc_is 0 && grep -Eqx "hello from (127\.0\.0\.1|::1)" "$tmp/out"'
proves "danted: socks4 to 127.0.0.1" \
    --proxy "socks4://127.0.0.1:$D" "http://127.0.0.1:$H/" -- 127.0.0.1
cu --proxy "socks4a://127.0.0.1:$D" "http://localhost:$H/"
check "danted: no SOCKS4a (request rejected, 91)" \
    eval 'rc_is 97 && err_has "\(91\)"'
cu --proxy "socks5h://127.0.0.1:$D" "http://127.0.0.1:$CLOSED/"
check "danted: a closed port is REP 05 (connection refused)" \
    eval 'rc_is 97 && err_has "\(5\)"'
check "danted: its log names the connection refused" \
    grep -q "127.0.0.1.$CLOSED.*Connection refused" "$D_LOG"

start_danted DA auth
echo "# danted (auth): port $DA, ${DA_MS} ms to start"
proves "danted auth: good user and password" \
    --proxy "socks5h://$U:$P@127.0.0.1:$DA" "http://127.0.0.1:$H/" -- 127.0.0.1
cu --proxy "socks5h://$U:wrong@127.0.0.1:$DA" "http://127.0.0.1:$H/"
check "danted auth: a wrong password is rejected" \
    eval 'rc_is 97 && err_has "User was rejected"'
cu --proxy "socks5h://nosuch:$P@127.0.0.1:$DA" "http://127.0.0.1:$H/"
check "danted auth: an unknown user is rejected" \
    eval 'rc_is 97 && err_has "User was rejected"'
cu --proxy "socks5h://127.0.0.1:$DA" "http://127.0.0.1:$H/"
check "danted auth: no credentials, no acceptable method" \
    eval 'rc_is 97 && err_has "No authentication method was acceptable"'
check "danted auth: the user exists for danted only" \
    eval '! getent passwd "$U" > /dev/null'

# Stopped: every process gone (about 20), the port free.
d_all=$(px_descendants $DA_PID)
t0=$(px_now_ms)
stop_proxy DA
d_ms=$(( $(px_now_ms) - t0 ))
d_left=
for p in $d_all; do
	px_alive "$p" && d_left="$d_left $p"
done
cu --proxy "socks5h://$U:$P@127.0.0.1:$DA" "http://127.0.0.1:$H/"
check "danted auth: stopped, its $(echo $d_all | wc -w) processes gone in $d_ms ms, the port refuses" \
    eval 'rc_is 7 && [ -z "$d_left" ] && [ -z "$(ss -ltnH "sport = :$DA")" ]'

# ---- microsocks ---------------------------------------------------------------
start_microsocks M
echo "# microsocks: port $M (pids $M_PID), ${M_MS} ms to start"
proves "microsocks: via 127.0.0.1 to 127.0.0.1" \
    --proxy "socks5h://127.0.0.1:$M" "http://127.0.0.1:$H/" -- 127.0.0.1
if [ -n "$six" ]; then
	proves "microsocks: via [::1] to [::1]" \
	    --proxy "socks5h://[::1]:$M" "http://[::1]:$H/" -- ::1
	check "microsocks: one process per address" \
	    eval '[ $(echo $M_PID | wc -w) -eq 2 ]'
fi
cu --proxy "socks4://127.0.0.1:$M" "http://127.0.0.1:$H/"
check "microsocks: no SOCKS4" eval '! rc_is 0'

start_microsocks MA auth
proves "microsocks auth: good user and password" \
    --proxy "socks5h://$U:$P@127.0.0.1:$MA" "http://127.0.0.1:$H/" -- 127.0.0.1
cu --proxy "socks5h://$U:wrong@127.0.0.1:$MA" "http://127.0.0.1:$H/"
check "microsocks auth: a wrong password is rejected" \
    eval 'rc_is 97 && err_has "User was rejected"'
cu --proxy "socks5h://127.0.0.1:$MA" "http://127.0.0.1:$H/"
check "microsocks auth: no credentials, no acceptable method" \
    eval 'rc_is 97 && err_has "No authentication method was acceptable"'

# ---- tinyproxy ----------------------------------------------------------------
start_tinyproxy T
echo "# tinyproxy: port $T, ${T_MS} ms to start"
proves "tinyproxy: CONNECT via 127.0.0.1 to 127.0.0.1" \
    -p --proxy "http://127.0.0.1:$T" "http://127.0.0.1:$H/" -- 127.0.0.1
check "tinyproxy: it was a CONNECT" \
    grep -q "CONNECT 127.0.0.1:$H " "$T_LOG"
if [ -n "$six" ]; then
	# After an IPv4 client: bookworm's ACL bug would refuse this one
	# if there were Allow lines.
	proves "tinyproxy: CONNECT via [::1] to [::1]" \
	    -p --proxy "http://[::1]:$T" "http://[::1]:$H/" -- ::1
fi
cu -p --proxy "http://127.0.0.1:$T" "http://127.0.0.1:$CLOSED/"
check "tinyproxy: a closed port is 500" \
    eval 'rc_is 56 && err_has "response 500"'

start_tinyproxy TA auth
proves "tinyproxy auth: good user and password" \
    -p --proxy "http://$U:$P@127.0.0.1:$TA" "http://127.0.0.1:$H/" -- 127.0.0.1
cu -p --proxy "http://127.0.0.1:$TA" "http://127.0.0.1:$H/"
check "tinyproxy auth: no credentials is 407" \
    eval 'rc_is 56 && err_has "response 407"'
cu -p --proxy "http://$U:wrong@127.0.0.1:$TA" "http://127.0.0.1:$H/"
check "tinyproxy auth: a wrong password is 401" \
    eval 'rc_is 56 && err_has "response 401"'

# ---- ssh -D -------------------------------------------------------------------
start_ssh_socks S
echo "# ssh -D: port $S (sshd $S_SSHD_PORT), ${S_MS} ms to start"
cu --proxy "socks4a://127.0.0.1:$S" "http://localhost:$H/"
check "ssh -D: socks4a, the name resolved by the proxy" \
    eval 'rc_is 0 && grep -Eqx "hello from (127\.0\.0\.1|::1)" "$tmp/out"'
proves "ssh -D: socks4 to 127.0.0.1" \
    --proxy "socks4://127.0.0.1:$S" "http://127.0.0.1:$H/" -- 127.0.0.1
if [ -n "$six" ]; then
	proves "ssh -D: socks5h via [::1] to [::1]" \
	    --proxy "socks5h://[::1]:$S" "http://[::1]:$H/" -- ::1
fi
cu --proxy "socks4a://127.0.0.1:$S" "http://127.0.0.1:$CLOSED/"
check "ssh -D: a closed port: no reply, closed" \
    eval 'rc_is 97 && err_has "connection to proxy closed"'

# ---- network namespaces -------------------------------------------------------
if [ "$(id -u)" -ne 0 ] || ! command -v nft >/dev/null ||
    ! ip netns add "hc-$$-probe" 2>/dev/null; then
	echo "SKIP: the namespace part: no network namespaces"
	finish
	exit
fi
ip netns del "hc-$$-probe"

PXV4=198.51.100.80
PXV6=2001:db8:2::80
ns_up veth
ns_addr $V6OK accept
ns_addr $V4OK accept
ns_addr $V6BH blackhole
ns_addr $PXV4 refuse		# the address only; the proxy listens there
ns_addr $PXV6 blackhole
cat > "$tmp/zone" <<ZONE
dual.test AAAA $V6OK
dual.test A $V4OK
proxy.test AAAA $PXV6
proxy.test A $PXV4
ZONE
ns_servers http

# danted in the client namespace: it resolves with the namespace's DNS
# server and reaches the server namespace over the link, both families.
start_danted NC -n "$NS_C" -t 2
echo "# danted in $NS_C: port $NC, ${NC_MS} ms to start"
proves "netns danted: to [$V6OK] across the link" -n "$NS_C" \
    --proxy "socks5h://127.0.0.1:$NC" "http://[$V6OK]:$PORT/" -- $V6OK
proves "netns danted: to $V4OK across the link" -n "$NS_C" \
    --proxy "socks5h://[::1]:$NC" "http://$V4OK:$PORT/" -- $V4OK
cu -n "$NS_C" --proxy "socks5h://127.0.0.1:$NC" "http://dual.test:$PORT/"
check "netns danted: a name of the namespace's DNS server" \
    eval 'rc_is 0 && grep -Eqx "hello from ($V6OK|$V4OK)" "$tmp/out"'
cu -n "$NS_C" --proxy "socks5h://127.0.0.1:$NC" "http://[$V6BH]:$PORT/"
check "netns danted -t 2: a blackholed target is REP 06 in 2 s (${elapsed} ms)" \
    eval 'rc_is 97 && err_has "\(6\)" && within "$elapsed" 1900 4500'

# tinyproxy in the server namespace on PXV4 and PXV6, whose SYNs are
# dropped: ready all the same (the sockets say so, not a connect).
start_tinyproxy NT -n "$NS_S" -a $PXV4 -a $PXV6 -t 2
echo "# tinyproxy in $NS_S on $NT_ADDRS: port $NT, ${NT_MS} ms to start"
proves "netns tinyproxy: via $PXV4" -n "$NS_C" \
    -p --proxy "http://$PXV4:$NT" "http://[$V6OK]:$PORT/" -- $V6OK
cu -n "$NS_C" --connect-timeout 1 -p --proxy "http://[$PXV6]:$NT" \
    "http://$V4OK:$PORT/"
check "netns tinyproxy: [$PXV6] is blackholed" rc_is 28
cu -n "$NS_C" -p --proxy "http://proxy.test:$NT" "http://$V4OK:$PORT/"
check "netns tinyproxy: proxy.test (blackholed IPv6), curl's Happy Eyeballs gets through" \
    eval 'rc_is 0 && out_is "hello from $V4OK"'
cu -n "$NS_C" -p --proxy "http://$PXV4:$NT" "http://[$V6BH]:$PORT/"
check "netns tinyproxy -t 2: a blackholed target is 500 in 2 s (${elapsed} ms)" \
    eval 'rc_is 56 && err_has "response 500" && within "$elapsed" 1900 4500'

start_microsocks NM auth -n "$NS_C"
proves "netns microsocks auth: a name of the namespace's DNS server" \
    -n "$NS_C" --proxy "socks5h://$U:$P@127.0.0.1:$NM" \
    "http://[$V6OK]:$PORT/" -- $V6OK

start_ssh_socks NS1 -n "$NS_C"
echo "# ssh -D in $NS_C: port $NS1, ${NS1_MS} ms to start"
cu -n "$NS_C" --proxy "socks4a://127.0.0.1:$NS1" "http://dual.test:$PORT/"
check "netns ssh -D: socks4a, a name of the namespace's DNS server" \
    eval 'rc_is 0 && grep -Eqx "hello from ($V6OK|$V4OK)" "$tmp/out"'

start_danted NDA auth -n "$NS_C"
proves "netns danted auth: in a namespace too" -n "$NS_C" \
    --proxy "socks5h://$U:$P@127.0.0.1:$NDA" "http://$V4OK:$PORT/" -- $V4OK

finish
