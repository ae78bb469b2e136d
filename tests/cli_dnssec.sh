#!/bin/bash
# Secure DNS: --dnssec against a real authoritative server (nsd) serving a
# root zone signed at test time (ldns-keygen, ldns-signzone), DANE (--tls
# with --dnssec: TLSA records in that zone, openssl s_server), DNS over TLS
# (--dns-tls) to a local unbound with a CA and certificate made by openssl
# at test time, and --recursive from root hints that name the local nsd.
# The library's own fields for each (struct hecat_config) are checked too,
# with tests/hecat-libdial: its error codes and ANSWER trace events.
#
# Every address is loopback, and every trust anchor, root hint and CA is
# one of ours, given explicitly: nothing here can reach the real root.
# Servers are waited for with queries polled against a deadline, and
# killed by PID at exit (cli_lib.sh).  A missing server binary skips the
# suite (77); scripts/setup installs them, so CI never skips.
. "${srcdir:-.}/tests/cli_lib.sh"

PATH=$PATH:/usr/sbin:/sbin
for b in nsd ldns-keygen ldns-signzone drill unbound openssl python3; do
	if ! command -v "$b" > /dev/null; then
		echo "SKIP: $b is not installed (scripts/setup installs it)"
		exit 77
	fi
done

# free_port: a port free for TCP and UDP on 127.0.0.1 (and ::1 when
# there is IPv6), as the kernel picks them.
free_port() {
	python3 - "$(have_ipv6 && echo 6)" <<'EOF'
import socket, sys
fams = [(socket.AF_INET, "127.0.0.1")]
if sys.argv[1] == "6":
    fams.append((socket.AF_INET6, "::1"))
for _ in range(100):
    t = socket.socket()
    t.bind(("127.0.0.1", 0))
    port = t.getsockname()[1]
    held = [t]
    try:
        for fam, addr in fams:
            for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                s = socket.socket(fam, kind)
                held.append(s)
                if (fam, kind) != (socket.AF_INET, socket.SOCK_STREAM):
                    s.bind((addr, port))
    except OSError:
        continue
    finally:
        for s in held:
            s.close()
    print(port)
    break
EOF
}

# wait_dns ADDR PORT NAME PID: poll NAME's A record at ADDR#PORT until it
# answers, for 10 s at most, while PID lives.  0 when it answered.
wait_dns() {
	local addr=$1 port=$2 name=$3 pid=$4 deadline
	deadline=$(( ${EPOCHREALTIME/./} + 10000000 ))
	while [ "${EPOCHREALTIME/./}" -lt "$deadline" ]; do
		kill -0 "$pid" 2>/dev/null || return 1
		if timeout 2 drill -p "$port" "@$addr" "$name" A 2>/dev/null |
		    grep -q "^$name"; then
			return 0
		fi
		sleep 0.05	# between polls only
	done
	return 1
}

z=$tmp/zones
mkdir -p "$z"
# The recursive case needs port 53 (root hints carry no port): on an
# address of 127/8 of our own, picked per run.
RADDR=127.53.$(( $$ % 250 + 1 )).1

# ---- DANE's servers' certificate and ports ------------------------------------
# A self-signed certificate for a name nobody dials: only DANE-EE (its
# key's digest in a secure TLSA record) can vouch for it.  TLSA on DP1:
# that digest; on DP2: another key's; on DP3: the digest, with its
# signature broken after signing (bogus).
(
	cd "$tmp" || exit 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout dane.key -out dane.pem -days 2 -subj "/CN=elsewhere.invalid" &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout other.key -out other.pem -days 2 -subj "/CN=other.invalid"
) > "$tmp/dane-openssl.log" 2>&1 || { cat "$tmp/dane-openssl.log"; echo "FAIL: openssl (DANE)"; exit 1; }
spki_sha256() {
	openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER |
	    openssl dgst -sha256 -hex | awk '{ print $NF }'
}
DANE_HASH=$(spki_sha256 "$tmp/dane.pem")
OTHER_HASH=$(spki_sha256 "$tmp/other.pem")
DP1=$(free_port) DP2=$(free_port) DP3=$(free_port)

# ---- the zones -----------------------------------------------------------
# A root zone holding the test names: good.example (signed), bogus.example
# (its signatures broken after signing), and a delegation without DS to
# unsigned.example (insecure).
cat > "$z/root.zone" <<EOF
\$ORIGIN .
\$TTL 3600
.			IN SOA	ns.root-test. hostmaster.root-test. 1 3600 900 604800 300
.			IN NS	ns.root-test.
ns.root-test.		IN A	$RADDR
good.example.		IN A	127.0.0.1
good.example.		IN AAAA	::1
bogus.example.		IN A	127.0.0.1
bogus.example.		IN AAAA	::1
_$DP1._tcp.good.example.	IN TLSA	3 1 1 $DANE_HASH
_$DP2._tcp.good.example.	IN TLSA	3 1 1 $OTHER_HASH
_$DP3._tcp.good.example.	IN TLSA	3 1 1 $DANE_HASH
unsigned.example.		IN NS	ns.unsigned.example.
ns.unsigned.example.	IN A	$RADDR
EOF
cat > "$z/unsigned.zone" <<EOF
\$ORIGIN unsigned.example.
\$TTL 3600
@	IN SOA	ns.unsigned.example. hostmaster.unsigned.example. 1 3600 900 604800 300
@	IN NS	ns.unsigned.example.
ns	IN A	$RADDR
www	IN A	127.0.0.1
www	IN AAAA	::1
EOF
(
	cd "$z" || exit 1
	ksk=$(ldns-keygen -a ECDSAP256SHA256 -k .) &&
	zsk=$(ldns-keygen -a ECDSAP256SHA256 .) &&
	# Signatures valid from an hour ago (as BIND's signer does): getdns
	# wants the inception strictly before now, so one signed this very
	# second is bogus for the rest of it.
	ldns-signzone -i "$(date -u -d '1 hour ago' +%Y%m%d%H%M%S)" \
	    -e "$(date -u -d '30 days' +%Y%m%d%H%M%S)" \
	    root.zone "$zsk" "$ksk" &&
	cp "$ksk.ds" root.ds && cp "$ksk.key" root.key &&
	# Another key, that signed nothing: a wrong trust anchor.
	other=$(ldns-keygen -a ECDSAP256SHA256 -k .) && cp "$other.ds" other.ds
) > "$tmp/sign.log" 2>&1 || { cat "$tmp/sign.log"; echo "FAIL: signing"; exit 1; }
# Break bogus.example's signatures (one base64 letter of each), keeping
# its addresses: loopback with or without validation.
awk -v dp3="_$DP3._tcp.good.example." '(($1 == "bogus.example." &&
    ($5 == "A" || $5 == "AAAA")) || ($1 == dp3 && $5 == "TLSA")) && $4 == "RRSIG" {
	s = $NF; c = substr(s, 10, 1) == "A" ? "B" : "A"
	$NF = substr(s, 1, 9) c substr(s, 11)
} { print }' "$z/root.zone.signed" > "$z/root.zone.bogus" &&
    mv "$z/root.zone.bogus" "$z/root.zone.signed"
printf '.\t3600000\tNS\tns.root-test.\nns.root-test.\t3600000\tA\t%s\n' \
    "$RADDR" > "$z/root.hints"

# ---- nsd ----------------------------------------------------------------------
# start_nsd WITH53: nsd on 127.0.0.1 and ::1 at a free port NSDPORT, and
# on $RADDR port 53 when WITH53 is yes.  0 once it answers.
start_nsd() {
	local try
	for try in 1 2 3; do
		NSDPORT=$(free_port)
		{
			echo "server:"
			echo "	ip-address: 127.0.0.1@$NSDPORT"
			have_ipv6 && echo "	ip-address: ::1@$NSDPORT"
			[ "$1" = yes ] && echo "	ip-address: $RADDR@53"
			cat <<EOF
	port: $NSDPORT
	username: ""
	chroot: ""
	zonesdir: "$z"
	database: ""
	pidfile: "$tmp/nsd.pid"
	xfrdfile: "$tmp/nsd.xfrd"
	zonelistfile: "$tmp/nsd.zonelist"
	logfile: "$tmp/nsd.log"
	server-count: 1
	verbosity: 1
remote-control:
	control-enable: no
zone:
	name: "."
	zonefile: "root.zone.signed"
zone:
	name: "unsigned.example."
	zonefile: "unsigned.zone"
EOF
		} > "$tmp/nsd.conf"
		nsd -d -c "$tmp/nsd.conf" > "$tmp/nsd.out" 2>&1 &
		NSD_PID=$!
		pids+=("$NSD_PID")
		if wait_dns 127.0.0.1 "$NSDPORT" good.example "$NSD_PID"; then
			return 0
		fi
		stop_server "$NSD_PID"
	done
	return 1
}

# All of 127/8 is local on Linux: RADDR needs no adding, but port 53
# needs root.
recursion=no
[ "$(id -u)" -eq 0 ] && recursion=yes
if ! start_nsd "$recursion"; then
	if [ "$recursion" = yes ]; then
		echo "# nsd cannot listen on $RADDR port 53: no recursive cases"
		recursion=no
		start_nsd no
	fi || { cat "$tmp/nsd.out" "$tmp/nsd.log"; echo "FAIL: nsd did not start"; exit 1; }
fi
DNS="--dns-server=127.0.0.1:$NSDPORT"
TA="--trust-anchor=$z/root.ds"

# lib ARGS...: one dial by tests/hecat-libdial, the same servers through
# libhecat's struct hecat_config (its output in $tmp/out).  lib_says
# STATUS DNSSEC ERR NAME: every ANSWER event said STATUS and DNSSEC (one
# at least: when AAAA connects first, the A query may be cancelled before
# its answer), and the dial ended with ERR NAME.
lib() {
	timeout -s KILL 30 tests/hecat-libdial "$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
}
lib_says() {
	grep -Eq "^answer inet6? $1 $2\$" "$tmp/out" &&
	    ! grep '^answer ' "$tmp/out" | grep -Evq " $1 $2\$" &&
	    [ "$(tail -n 1 "$tmp/out")" = "result $3 $4" ]
}
lib_answers() { [ "$(grep -c '^answer ' "$tmp/out")" -eq "$1" ]; }

start_server PORT tests/hecat-listen -m greet -t 120

# ---- DNSSEC, stub: getdns fetches DS and DNSKEY from nsd itself ----------
hc -z --dnssec "$TA" "$DNS" good.example "$PORT"
check "--dnssec: a signed name connects (exit 0)" eval \
    'rc_is 0 && out_empty && [ ! -s "$tmp/err" ]'
hc -zvv --dnssec "$TA" "$DNS" good.example "$PORT"
check "--dnssec -vv: the answer says dnssec=secure" err_has \
    '^hecat: \+[0-9.]+ms answer family=inet6? count=1 addrs=(::1|127\.0\.0\.1) dnssec=secure time='
hc -z --dnssec "$TA" "$DNS" --trace "$tmp/good.jsonl" good.example "$PORT"
check "--dnssec --trace: resolve_done has dnssec secure" jqok -s \
    'any(.[]; .ev == "resolve_done" and .status == "NOERROR" and .dnssec == "secure")' \
    "$tmp/good.jsonl"
hc -z --dnssec "--trust-anchor=$z/root.key" "$DNS" good.example "$PORT"
check "--dnssec: a DNSKEY trust anchor works as a DS one" rc_is 0
hc -zvv "$DNS" good.example "$PORT"
check "without --dnssec: no dnssec= on the answers" eval \
    'rc_is 0 && err_has "answer family" && ! err_has "dnssec="'

hc -z --dnssec "$TA" "$DNS" bogus.example "$PORT"
check "--dnssec: broken signatures exit 65" rc_is 65
check "--dnssec: bogus is one line naming host, port and reason" eval \
    'err_lines 1 && err_has "^hecat: bogus.example port $PORT: DNSSEC validation failed \(AAAA: BOGUS, A: BOGUS\)$" && out_empty'
hc -zvv --dnssec "$TA" "$DNS" bogus.example "$PORT"
check "--dnssec -vv: status=BOGUS dnssec=bogus" err_has \
    'answer family=inet6? status=BOGUS dnssec=bogus time='
check "--dnssec: bogus is final, not retried" eval '! err_has "try=2"'
hc -z --dnssec "$TA" "$DNS" --trace "$tmp/bogus.jsonl" bogus.example "$PORT"
check "--dnssec --trace: bogus answers and exit 65 in the summary" jqok -s \
    'any(.[]; .ev == "resolve_done" and .status == "BOGUS" and .dnssec == "bogus") and .[-1].exit == 65 and .[-1].outcome == "dnssec_failure"' \
    "$tmp/bogus.jsonl"
hc -z "$DNS" bogus.example "$PORT"
check "without --dnssec: the bogus name is not checked, connects" rc_is 0
# The same in qlog (--qlog, HEv3 events): dnssec_validated says it.
hc -z --dnssec "$TA" "$DNS" --qlog "$tmp/good.sqlog" good.example "$PORT"
check "--dnssec --qlog: valid, the answers dnssec_validated" eval \
    'qlog_valid "$tmp/good.sqlog" &&
     jqok -s --seq "[.[] | select(.name == \"hev3:dns_query_finished\" and .data.answer_type == \"positive\") | .data.dnssec_validated] | length > 0 and all" "$tmp/good.sqlog"'
hc -z --dnssec "$TA" "$DNS" --qlog "$tmp/bogus.sqlog" bogus.example "$PORT"
check "--dnssec --qlog: bogus answers are errors, not validated, aborted" eval \
    'qlog_valid "$tmp/bogus.sqlog" &&
     jqok -s --seq "[.[] | select(.name == \"hev3:dns_query_finished\") | .data | [.answer_type, .error_code, .dnssec_validated]] | unique == [[\"error\", \"BOGUS\", false]]" "$tmp/bogus.sqlog" &&
     jqok -s --seq ".[-1].data.outcome == \"aborted\"" "$tmp/bogus.sqlog"'

hc -z --dnssec "$TA" "$DNS" www.unsigned.example "$PORT"
check "--dnssec: an unsigned zone is refused (65, INSECURE)" eval \
    'rc_is 65 && err_lines 1 && err_has "^hecat: www.unsigned.example port $PORT: DNSSEC validation failed \(AAAA: INSECURE, A: INSECURE\)$"'
hc -zvv --dnssec "$TA" "$DNS" www.unsigned.example "$PORT"
check "--dnssec -vv: dnssec=insecure" err_has 'status=INSECURE dnssec=insecure'
hc -z "$DNS" www.unsigned.example "$PORT"
check "without --dnssec: the unsigned name connects" rc_is 0

hc -z --dnssec "--trust-anchor=$z/other.ds" "$DNS" good.example "$PORT"
check "--dnssec: an anchor that signed nothing makes good.example bogus" \
    eval 'rc_is 65 && err_has "DNSSEC validation failed \(AAAA: BOGUS, A: BOGUS\)"'

# The same through the library: config.dnssec, trust_anchor, nameservers.
LNS="127.0.0.1:$NSDPORT"
lib -d -a "$z/root.ds" -s "$LNS" good.example "$PORT"
check "library dnssec=1: secure answers, HECAT_OK" eval 'rc_is 0 &&
    lib_says NOERROR secure 0 HECAT_OK'
lib -d -a "$z/root.ds" -s "$LNS" bogus.example "$PORT"
check "library dnssec=1: BOGUS answers, HECAT_E_DNSSEC" eval 'rc_is 1 &&
    lib_says BOGUS bogus -9 HECAT_E_DNSSEC && lib_answers 2'
lib -d -a "$z/root.ds" -s "$LNS" www.unsigned.example "$PORT"
check "library dnssec=1: INSECURE answers, HECAT_E_DNSSEC" eval 'rc_is 1 &&
    lib_says INSECURE insecure -9 HECAT_E_DNSSEC && lib_answers 2'
lib -s "$LNS" bogus.example "$PORT"
check "library dnssec=0: nothing validated (none), HECAT_OK" eval 'rc_is 0 &&
    lib_says NOERROR none 0 HECAT_OK'

# ---- DNS over TLS: unbound with a CA of ours -------------------------------
(
	cd "$tmp" || exit 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout ca.key -out ca.pem -days 2 -subj "/CN=hecat test CA" &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout dot.key -out dot.csr -subj "/CN=dot.hecat.test" &&
	printf '%s\n' "subjectAltName=DNS:dot.hecat.test" \
	    "basicConstraints=CA:FALSE" "extendedKeyUsage=serverAuth" \
	    > dot.ext &&
	openssl x509 -req -in dot.csr -CA ca.pem -CAkey ca.key \
	    -CAcreateserial -out dot.pem -days 2 -extfile dot.ext
) > "$tmp/openssl.log" 2>&1 || { cat "$tmp/openssl.log"; echo "FAIL: openssl"; exit 1; }

# start_unbound: TLS on DOTPORT, plain DNS on a second port to poll;
# answers from local-data only ("." static: it never recurses).
start_unbound() {
	local try plain
	for try in 1 2 3; do
		DOTPORT=$(free_port)
		plain=$(free_port)
		cat > "$tmp/unbound.conf" <<EOF
server:
	interface: 127.0.0.1@$DOTPORT
	interface: 127.0.0.1@$plain
	tls-port: $DOTPORT
	tls-service-key: "$tmp/dot.key"
	tls-service-pem: "$tmp/dot.pem"
	chroot: ""
	username: ""
	directory: "$tmp"
	pidfile: ""
	do-daemonize: no
	use-syslog: no
	logfile: ""
	verbosity: 1
	module-config: "iterator"
	do-ip6: no
	access-control: 127.0.0.0/8 allow
	local-zone: "." static
	local-data: "good.dot.test. 60 IN A 127.0.0.1"
	local-data: "good.dot.test. 60 IN AAAA ::1"
remote-control:
	control-enable: no
EOF
		unbound -d -c "$tmp/unbound.conf" > "$tmp/unbound.out" 2>&1 &
		UNBOUND_PID=$!
		pids+=("$UNBOUND_PID")
		if wait_dns 127.0.0.1 "$plain" good.dot.test "$UNBOUND_PID"; then
			return 0
		fi
		stop_server "$UNBOUND_PID"
	done
	return 1
}
start_unbound || { cat "$tmp/unbound.out"; echo "FAIL: unbound did not start"; exit 1; }
CA="--dns-tls-ca=$tmp/ca.pem"

hc -zvv "--dns-tls=127.0.0.1:$DOTPORT#dot.hecat.test" "$CA" good.dot.test "$PORT"
check "--dns-tls: answers over TLS, connects" eval \
    'rc_is 0 && err_has "answer family=inet6? count=1 addrs=(::1|127\.0\.0\.1) time="'
hc -z "--dns-tls=127.0.0.1:$DOTPORT#dot.hecat.test" "--dns-tls=127.0.0.1:$DOTPORT#dot.hecat.test" \
    "$CA" good.dot.test "$PORT"
check "--dns-tls: may be given twice" rc_is 0
hc -z "--dns-tls=127.0.0.1:$DOTPORT#wrong.hecat.test" "$CA" good.dot.test "$PORT"
check "--dns-tls: a certificate for another name fails (75)" rc_is 75
check "--dns-tls: the wrong name is one line saying TLS authentication failed" \
    eval 'err_lines 1 && err_has "^hecat: good.dot.test port $PORT: name resolution failed .*TLS connection or its certificate authentication failed$" && out_empty'
hc -z "--dns-tls=127.0.0.1:$DOTPORT#dot.hecat.test" good.dot.test "$PORT"
check "--dns-tls: without our CA the certificate is not trusted (75)" rc_is 75
hc -z "--dns-tls=127.0.0.1:$PORT#dot.hecat.test" "$CA" good.dot.test "$PORT"
check "--dns-tls: a server that speaks no TLS fails (75)" rc_is 75
hc -z "--dns-tls=127.0.0.1:$NSDPORT#dot.hecat.test" "$CA" good.example "$PORT"
check "--dns-tls: never falls back to plain DNS" rc_is 75

# The same through the library: config.dns_tls and dns_tls_ca.
lib -t "127.0.0.1:$DOTPORT#dot.hecat.test" -c "$tmp/ca.pem" good.dot.test "$PORT"
check "library dns_tls: answers over TLS, HECAT_OK" eval 'rc_is 0 &&
    lib_says NOERROR none 0 HECAT_OK'
lib -t "127.0.0.1:$DOTPORT#wrong.hecat.test" -c "$tmp/ca.pem" good.dot.test "$PORT"
check "library dns_tls: another name fails the query, HECAT_E_DNS" eval \
    'rc_is 1 && grep -qx "result -3 HECAT_E_DNS" "$tmp/out" &&
     ! grep -q "NOERROR" "$tmp/out"'

# ---- full recursion from our root hints ----------------------------------------
if [ "$recursion" = yes ]; then
	RH="--root-hints=$z/root.hints"
	hc -zvv --recursive "$RH" --dnssec "--trust-anchor=$z/root.key" \
	    good.example "$PORT"
	check "--recursive --dnssec: secure from our root down" eval \
	    'rc_is 0 && err_has "answer family=inet6? count=1 addrs=(::1|127\.0\.0\.1) dnssec=secure"'
	hc -z --recursive "$RH" --dnssec "$TA" bogus.example "$PORT"
	check "--recursive --dnssec: bogus exits 65" eval \
	    'rc_is 65 && err_lines 1 && err_has "DNSSEC validation failed \(AAAA: BOGUS, A: BOGUS\)"'
	hc -z --recursive "$RH" --dnssec "$TA" www.unsigned.example "$PORT"
	check "--recursive --dnssec: through an insecure delegation exits 65" \
	    eval 'rc_is 65 && err_has "AAAA: INSECURE, A: INSECURE"'
	hc -z --recursive "$RH" www.unsigned.example "$PORT"
	check "--recursive: follows the delegation, connects" rc_is 0
	lib -r -h "$z/root.hints" -d -a "$z/root.key" good.example "$PORT"
	check "library recursive=1, root_hints, dnssec=1: secure, HECAT_OK" \
	    eval 'rc_is 0 && lib_says NOERROR secure 0 HECAT_OK'
else
	echo "# --recursive cases skipped: port 53 needs root"
fi

# ---- DANE -----------------------------------------------------------------------
# start_server_tls PORT CERT KEY: openssl s_server -www on 127.0.0.1:PORT,
# once it says ACCEPT (its output polled against a deadline).
start_server_tls() {
	local out="$tmp/s_server.$1" deadline
	openssl s_server -accept "127.0.0.1:$1" -cert "$2" -key "$3" -www \
	    -naccept 50 < /dev/null > "$out" 2>&1 &
	pids+=("$!")
	deadline=$(( ${EPOCHREALTIME/./} + 5000000 * SLOWDOWN ))
	until grep -qx ACCEPT "$out" 2>/dev/null; do
		if [ "${EPOCHREALTIME/./}" -ge "$deadline" ] ||
		    ! kill -0 "$!" 2>/dev/null; then
			cat "$out"
			echo "FAIL: s_server did not start on port $1"
			exit 1
		fi
		sleep 0.02	# between polls only
	done
}
# openssl s_server with the DANE certificate on DP1..DP3 (127.0.0.1 only:
# ::1 refuses, and the race moves on to IPv4; -4 where only the TLS
# failure may count, for exit 76).
for p in "$DP1" "$DP2" "$DP3"; do
	start_server_tls "$p" "$tmp/dane.pem" "$tmp/dane.key"
done
hc -zvv --tls --dnssec "$TA" "$DNS" good.example "$DP1"
check "DANE: a secure TLSA 3 1 1 record verifies a self-signed server (0)" \
    eval 'rc_is 0 && err_has "stage=tls verified: DANE-EE \(TLSA 3 1 1 of _$DP1\._tcp\.good\.example\)"'
check "DANE -vv: the TLSA answer, secure, with its record" err_has \
    "tlsa name=_$DP1\._tcp\.good\.example status=NOERROR dnssec=secure records=3 1 1 ${DANE_HASH:0:16}\.\.\. time="
hc -z --tls --dnssec "$TA" "$DNS" --trace "$tmp/dane.jsonl" good.example "$DP1"
check "DANE --trace: a tlsa event, secure, before the TLS stage passed" jqok -s \
    '(map(.ev == "tlsa" and .dnssec == "secure" and (.records | startswith("3 1 1 "))) | index(true)) < (map(.ev == "stage_done" and .stage == "tls") | index(true))' \
    "$tmp/dane.jsonl"
hc -z -4 --tls "$DNS" good.example "$DP1"
check "without --dnssec: no DANE, the self-signed server fails in TLS (76)" \
    eval 'rc_is 76 && err_has "TLS: certificate verify failed: self-signed certificate"'
hc -z -4 --tls --dnssec "$TA" "$DNS" good.example "$DP2"
check "DANE: a TLSA record for another key fails the server (76)" eval \
    'rc_is 76 && err_lines 1 && err_has "\(TLS: certificate verify failed: no matching DANE TLSA records\)$"'
hc -z -4 --tls --dnssec "$TA" "$DNS" good.example "$DP3"
check "DANE: bogus TLSA records fail every attempt, saying so (76)" eval \
    'rc_is 76 && err_has "\(TLS: DANE: the TLSA records did not validate \(DNSSEC bogus\)\)$"'
hc -z --tls --tls-no-verify --dnssec "$TA" "$DNS" --trace "$tmp/nov.jsonl" \
    good.example "$DP3"
check "--tls-no-verify: no TLSA question, connects" eval \
    'rc_is 0 && ! grep -q "\"ev\":\"tlsa\"" "$tmp/nov.jsonl"'

finish
