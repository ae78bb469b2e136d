# tests/tls_lib.sh - certificates and real TLS servers for the tests.
# Source it after tests/cli_lib.sh and tests/proxy_lib.sh (and after
# tests/netns/lib.sh, if used): the servers are started, waited for and
# stopped with proxy_lib.sh's machinery (px_*), so stop_proxy VAR stops
# one early and the suites' cleanup (or ns_down) stops every one still
# running, by PID.
#
#   tls_require          exit 77 (SKIP) unless root, openssl, socat,
#                        stunnel and python3 are there
#   tls_make_pki         the certificates below, made now, in $TLS_DIR
#   start_s_server VAR [-n NS] [-a ADDR] [-p PORT] [-c CERT] [-m rev|www]
#                  [-- OPTS...]
#                        openssl s_server: -rev (default; each line back
#                        reversed) or -www (an HTTP status page), plus
#                        OPTS (-Verify 1 -CAfile F, -alpn h2, ...)
#   start_socat_tls VAR [-n NS] [-a ADDR] [-p PORT] [-c CERT] -- ADDRESS
#                        socat OPENSSL-LISTEN (fork, no client
#                        certificate asked) to socat ADDRESS per
#                        connection: EXEC:cat is an echo,
#                        SYSTEM:'echo hi; exec cat' speaks first
#   start_stunnel VAR [-n NS] [-a ADDR] [-p PORT] [-c CERT] -t HOST:PORT
#                        stunnel in front of a plain TCP server
#   tls_stop VAR         stop_proxy VAR
#
# Each listens on one address (-a, default 127.0.0.1) on a port the
# kernel picks (port 0, read back from the socket with ss: nothing else
# can take it meanwhile) or on -p PORT (a second server on another
# address at a port the first one got: one port for a dual-stack
# name), is waited for a bounded time (PX_WAIT seconds)
# until it listens, and sets VAR to the port, VAR_PID, VAR_LOG as
# proxy_lib.sh does.  CERT names a pair in $TLS_DIR (NAME.pem, NAME.key;
# default server).
#
# The certificates ($TLS_DIR, in the suite's temp dir; EC P-256):
#   ca.pem         the test CA ("hecat test CA"), trusted only with
#                  --tls-ca: never installed anywhere
#   server         CN=localhost, SAN DNS:localhost, IP:127.0.0.1, IP:::1
#                  and DNS:tls.test (for the suites' DNS names); by ca
#   wrong          CN=wrong.example, SAN DNS:wrong.example; by ca
#   expired        as server, valid 2020-01-01 to 2020-01-02 only; by ca
#                  (openssl ca -startdate/-enddate: OpenSSL 3.0's req and
#                  x509 cannot set a date in the past)
#   self           self-signed, CN=localhost, the server's names
#   clientca.pem   a second CA, for client certificates only
#   client         CN=hecat test client, by clientca; client-both.pem
#                  holds the certificate and its key in one file
#   ns4, ns6       for tests/netns/tls.sh: SAN DNS:tls.test and
#                  198.51.100.10 / 2001:db8:2::10; by ca

TLS_DIR=$tmp/pki

tls_require() {
	px_require openssl socat stunnel python3
}

# tls_sign NAME SAN [CA]: a key and a certificate NAME.pem for
# CN=(the first DNS name of SAN) signed by CA (default ca), 2 days.
tls_sign() {
	local name=$1 san=$2 ca=${3:-ca} cn
	cn=${san#DNS:}
	cn=${cn%%,*}
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$name.key" -out "$name.csr" -subj "/CN=$cn" &&
	printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\n' "$san" \
	    > "$name.ext" &&
	openssl x509 -req -in "$name.csr" -CA "$ca.pem" -CAkey "$ca.key" \
	    -CAcreateserial -days 2 -extfile "$name.ext" -out "$name.pem"
}

tls_make_pki() {
	local san='DNS:localhost,DNS:tls.test,IP:127.0.0.1,IP:::1'
	mkdir -p "$TLS_DIR"
	(
		cd "$TLS_DIR" || exit 1
		set -e
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		    -nodes -keyout ca.key -out ca.pem -days 2 \
		    -subj '/CN=hecat test CA'
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		    -nodes -keyout clientca.key -out clientca.pem -days 2 \
		    -subj '/CN=hecat test client CA'
		tls_sign server "$san"
		tls_sign wrong DNS:wrong.example
		tls_sign ns4 DNS:tls.test,IP:198.51.100.10
		tls_sign ns6 DNS:tls.test,IP:2001:db8:2::10
		tls_sign client DNS:hecat-test-client clientca
		cat client.pem client.key > client-both.pem
		# Self-signed, with the server's names.
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		    -nodes -keyout self.key -out self.pem -days 2 \
		    -subj '/CN=localhost' -addext "subjectAltName=$san"
		# Expired: openssl ca sets both dates.
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		    -keyout expired.key -out expired.csr -subj '/CN=localhost'
		: > index.txt
		echo 1000 > serial
		cat > ca.cnf <<EOF
[ca]
default_ca = testca
[testca]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = anything
unique_subject = no
[anything]
commonName = supplied
[ext]
subjectAltName = $san
basicConstraints = CA:FALSE
EOF
		openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key \
		    -in expired.csr -out expired.pem -notext -extensions ext \
		    -startdate 20200101000000Z -enddate 20200102000000Z
	) > "$tmp/pki.log" 2>&1 || {
		sed 's/^/    /' "$tmp/pki.log" | tail -n 30
		echo "FAIL: tls_lib: making the certificates"
		exit 1
	}
}

# tls_args "$@": [-n NS] [-a ADDR] [-p PORT] [-c CERT] [-m MODE]
# [-t TARGET] [-- REST...] into tls_a_ns, tls_a_addr, tls_a_port,
# tls_a_cert, tls_a_mode, tls_a_target, tls_a_rest (array).
tls_args() {
	tls_a_ns= tls_a_addr=127.0.0.1 tls_a_port=0 tls_a_cert=server
	tls_a_mode=rev tls_a_target= tls_a_rest=()
	while [ $# -gt 0 ]; do
		case $1 in
		-n)	tls_a_ns=$2; shift ;;
		-a)	tls_a_addr=$2; shift ;;
		-p)	tls_a_port=$2; shift ;;
		-c)	tls_a_cert=$2; shift ;;
		-m)	tls_a_mode=$2; shift ;;
		-t)	tls_a_target=$2; shift ;;
		--)	shift; tls_a_rest=("$@"); break ;;
		*)	echo "FAIL: tls_lib: unknown argument: $1"; exit 1 ;;
		esac
		shift
	done
}

# tls_wait VAR KIND LOG READY_RE PID: PID listens (on the port the kernel
# gave it, read back) on $tls_a_addr, and LOG matches READY_RE; then
# registered as VAR.  Else the suite fails, with the log.
tls_wait() {
	local var=$1 kind=$2 log=$3 re=$4 pid=$5
	px_register "$var" "$tls_a_ns" 0 "$pid"
	px_a_ns=$tls_a_ns px_a_addrs=("$tls_a_addr")
	if px_poll "$pid" px_got_port "$tls_a_ns" "$pid" "$tls_a_addr" &&
	    px_wait_ready "$tls_a_ns" "$px_got" "$log" "$re" "$pid" \
	    "$tls_a_addr"; then
		px_started "$var" "$px_got" "$log" "$pid"
		# A port given (-p) is shared with a server on another
		# address: stopping this one waits for its processes to be
		# gone, not for the port to be free.
		[ "$tls_a_port" = 0 ] || unset "px_port[$var]"
		return 0
	fi
	px_fail "$kind" "$log"
}

# tls_bind ADDR: ADDR as the servers' options want it ([::1] for IPv6).
tls_bind() {
	case $1 in *:*) echo "[$1]" ;; *) echo "$1" ;; esac
}

start_s_server() {
	local var=$1 log
	shift
	tls_args "$@"
	px_begin "$var" s_server
	log=$px_d/s_server.log
	# -naccept is not given: it serves one connection after another
	# until stopped.  stdin /dev/null: nothing typed to send.
	px_spawn "$tls_a_ns" openssl s_server \
	    -accept "$(tls_bind "$tls_a_addr"):$tls_a_port" \
	    -cert "$TLS_DIR/$tls_a_cert.pem" -key "$TLS_DIR/$tls_a_cert.key" \
	    "-$tls_a_mode" "${tls_a_rest[@]}" < /dev/null > "$log" 2>&1 &
	tls_wait "$var" s_server "$log" '^ACCEPT' $!
}

start_socat_tls() {
	local var=$1 log pf=ip4
	shift
	tls_args "$@"
	px_begin "$var" socat
	log=$px_d/socat.log
	case $tls_a_addr in *:*) pf=ip6 ;; esac
	px_spawn "$tls_a_ns" socat -d \
	    "OPENSSL-LISTEN:$tls_a_port,bind=$(tls_bind "$tls_a_addr"),pf=$pf,fork,reuseaddr,cert=$TLS_DIR/$tls_a_cert.pem,key=$TLS_DIR/$tls_a_cert.key,verify=0" \
	    "${tls_a_rest[@]}" < /dev/null > "$log" 2>&1 &
	tls_wait "$var" socat "$log" '' $!
}

start_stunnel() {
	local var=$1 conf log
	shift
	tls_args "$@"
	px_begin "$var" stunnel
	conf=$px_d/stunnel.conf log=$px_d/stunnel.log
	cat > "$conf" <<EOF
foreground = yes
pid =
[hecat-test]
accept = $(tls_bind "$tls_a_addr"):$tls_a_port
connect = $tls_a_target
cert = $TLS_DIR/$tls_a_cert.pem
key = $TLS_DIR/$tls_a_cert.key
EOF
	px_spawn "$tls_a_ns" stunnel "$conf" < /dev/null > "$log" 2>&1 &
	tls_wait "$var" stunnel "$log" 'Configuration successful' $!
}

tls_stop() { stop_proxy "$1"; }
