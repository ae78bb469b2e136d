#!/bin/bash
# tls.sh - TLS over loopback: relay throughput and CPU per GB, and the
# time from exec to the first byte of a server that speaks first, for
# hecat --tls against openssl s_client, ncat --ssl and socat OPENSSL:,
# and a TLS client with no relay and no pipe at all (raw).
#
#   bench/tls.sh [MiB [runs [first-runs]]]   defaults: 1024 MiB, 3 runs, 20
#
# The far end is one OpenSSL server, bench/tlsbench.c (built here with
# cc -O2), the same for every tool: TLS 1.3 with TLS_AES_256_GCM_SHA384
# only (so every client negotiates that or fails), no session tickets,
# a P-256 certificate for IP:127.0.0.1 and DNS:localhost from a CA made
# at run time; 1 MiB SSL_read/SSL_write calls.  It prints, per
# connection, the bytes, the cipher, the version, whether the client
# ended with close_notify or a bare TCP EOF, and its own CPU time.
#
# Part 1, throughput.  Each run moves MiB of zeros one way:
#   up    head -c SIZE /dev/zero | TOOL 127.0.0.1 PORT > /dev/null
#         into "tlsbench sink" (reads to EOF and discards);
#   down  TOOL 127.0.0.1 PORT < /dev/null | tlsbench count
#         from "tlsbench source" (sends SIZE bytes, then close_notify).
# Only the tool is timed (GNU time: wall, user, sys).  The byte count at
# the far end (up) or in the consumer (down) is checked on every run.
#
# Part 2, first byte.  "tlsbench hello" sends "hello\n" right after each
# handshake; "tlsbench first TOOL..." times from just before fork to the
# first byte on the tool's stdout (stdin /dev/null), FIRST runs per tool,
# the tools taking turns; the median is shown, and for hecat the split
# its --trace gives (TCP connect, TLS stage, ClientHello sent).
#
# The tools (TOOLS="..." picks some), every one verifying the server:
#   raw       tlsbench send/recv: OpenSSL from memory, no pipe, no relay
#   hecat     cmd/hecat --tls --tls-ca CA -n 127.0.0.1 PORT (-d down)
#   s_client  openssl s_client -quiet -no_ign_eof (up) / -quiet (down)
#             -connect 127.0.0.1:PORT -CAfile CA -verify_return_error
#             -verify_ip 127.0.0.1
#   ncat      ncat --ssl --ssl-verify --ssl-trustfile CA
#             --ssl-servername localhost --send-only/--recv-only
#             127.0.0.1 PORT (ncat 7.93 checks DNS names only: against
#             the IP it fails verification, so the name is given)
#   socat     socat -u STDIN OPENSSL:127.0.0.1:PORT,cafile=CA,verify=1
#             (and the reverse, OPENSSL:... STDOUT, down)
# and in part 2 also hecat-banner (--race-until banner).
#
# Output: Markdown tables on stdout, each run on stderr.  As root it
# installs socat, ncat, openssl and time if missing.  Traffic stays on
# loopback; every process started is stopped by PID; every wait is
# bounded; the helpers give up by themselves after 10 minutes.
set -eu -o pipefail
cd "$(dirname "$0")/.."

MIB=${1:-1024}
RUNS=${2:-3}
FIRST=${3:-20}
BYTES=$((MIB * 1024 * 1024))
TOOLS=${TOOLS:-"raw hecat s_client ncat socat"}
FTOOLS=${FTOOLS:-"raw hecat hecat-banner s_client ncat socat"}

have_tools() {
	command -v socat >/dev/null && command -v ncat >/dev/null &&
	    command -v openssl >/dev/null && [ -x /usr/bin/time ] &&
	    [ -e /usr/include/openssl/ssl.h ]
}
if ! have_tools; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "tls.sh: needs socat, ncat, openssl, libssl-dev and" \
		    "time (run as root to install them)" >&2
		exit 1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends socat ncat openssl libssl-dev time \
	    >/dev/null
	have_tools || { echo "tls.sh: tools still missing" >&2; exit 1; }
fi
[ -x cmd/hecat ] || { echo "tls.sh: build cmd/hecat first" >&2; exit 1; }

tmp=$(mktemp -d /tmp/tlsbench.XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

${CC:-cc} -O2 -std=c11 -D_GNU_SOURCE -o "$tmp/tlsbench" bench/tlsbench.c \
    -lssl -lcrypto
TB=$tmp/tlsbench

# A CA and a server certificate for 127.0.0.1 and localhost, P-256.
CA=$tmp/ca.pem
CERT=$tmp/server.pem
KEY=$tmp/server.key
gen_certs() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	    -nodes -keyout "$tmp/ca.key" -out "$CA" -days 2 \
	    -subj /CN=tlsbench-CA \
	    -addext basicConstraints=critical,CA:true \
	    -addext keyUsage=critical,keyCertSign,cRLSign
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$KEY" -out "$tmp/server.csr" -subj /CN=localhost
	printf '%s\n' 'subjectAltName=IP:127.0.0.1,DNS:localhost' \
	    'basicConstraints=CA:false' 'extendedKeyUsage=serverAuth' \
	    >"$tmp/ext"
	openssl x509 -req -in "$tmp/server.csr" -CA "$CA" \
	    -CAkey "$tmp/ca.key" -CAcreateserial -days 2 -out "$CERT" \
	    -extfile "$tmp/ext"
}
gen_certs >/dev/null 2>"$tmp/gen.err" ||
    { cat "$tmp/gen.err" >&2; exit 1; }

# server MODE [BYTES]: start a tlsbench server; sets SPID and PORT.
server() {
	rm -f "$tmp/port"
	"$TB" "$1" "$tmp/port" "$CERT" "$KEY" ${2:+"$2"} \
	    >"$tmp/server.out" 2>"$tmp/server.err" &
	SPID=$!
	pids+=("$SPID")
	for _ in $(seq 200); do		# 10 s at most
		[ -s "$tmp/port" ] && break
		sleep 0.05
	done
	[ -s "$tmp/port" ] || { echo "tls.sh: no $1 server" >&2; exit 1; }
	PORT=$(cat "$tmp/port")
}

# reap: wait for the server, 60 s at most, then stop it.
reap() {
	for _ in $(seq 600); do
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.1
	done
	kill "$SPID" 2>/dev/null || true
	wait "$SPID" 2>/dev/null || true
}

# cmd_for TOOL DIR: the command line, in CMD.
cmd_for() {
	local ver=(-CAfile "$CA" -verify_return_error -verify_ip 127.0.0.1)
	local nv=(--ssl --ssl-verify --ssl-trustfile "$CA"
	    --ssl-servername localhost)
	local so="OPENSSL:127.0.0.1:$PORT,cafile=$CA,verify=1"

	case "$1 $2" in
	"raw up")	CMD=("$TB" send 127.0.0.1 "$PORT" "$CA" "$BYTES") ;;
	"raw down")	CMD=("$TB" recv 127.0.0.1 "$PORT" "$CA") ;;
	"hecat up")	CMD=(cmd/hecat --tls --tls-ca "$CA" -n 127.0.0.1 "$PORT") ;;
	"hecat down")	CMD=(cmd/hecat --tls --tls-ca "$CA" -n -d 127.0.0.1
			    "$PORT") ;;
	"hecat-banner down")
			CMD=(cmd/hecat --tls --tls-ca "$CA" --race-until banner
			    -n -d 127.0.0.1 "$PORT") ;;
	# -quiet implies -ign_eof: at stdin EOF s_client would wait for the
	# server forever; -no_ign_eof (after -quiet) makes it close.
	"s_client up")	CMD=(openssl s_client -quiet -no_ign_eof
			    -connect "127.0.0.1:$PORT" "${ver[@]}") ;;
	"s_client down") CMD=(openssl s_client -quiet
			    -connect "127.0.0.1:$PORT" "${ver[@]}") ;;
	"ncat up")	CMD=(ncat "${nv[@]}" --send-only 127.0.0.1 "$PORT") ;;
	"ncat down")	CMD=(ncat "${nv[@]}" --recv-only 127.0.0.1 "$PORT") ;;
	"socat up")	CMD=(socat -u STDIN "$so") ;;
	"socat down")	CMD=(socat -u "$so" STDOUT) ;;
	*)		echo "tls.sh: no tool $1" >&2; exit 1 ;;
	esac
}

fail() {
	echo "tls.sh: $1" >&2
	cat "$tmp/err" "$tmp/server.err" >&2 2>/dev/null || true
	exit 1
}

# run_one TOOL DIR: one transfer; prints "wall user sys srvcpu cipher
# version end" (the tool's times, the far end's CPU and what it saw).
run_one() {
	local got st timed=(timeout 300 /usr/bin/time -f '%e %U %S'
	    -o "$tmp/time")

	: >"$tmp/err"
	if [ "$2" = up ]; then
		server sink
		cmd_for "$1" up
		st=0
		if [ "$1" = raw ]; then
			"${timed[@]}" "${CMD[@]}" </dev/null >/dev/null \
			    2>"$tmp/err" || st=$?
		else
			head -c "$BYTES" /dev/zero |
			    "${timed[@]}" "${CMD[@]}" >/dev/null \
			    2>"$tmp/err" || st=$?
		fi
		reap
		got=$(cut -d' ' -f1 "$tmp/server.out")
	else
		server source "$BYTES"
		cmd_for "$1" down
		st=0
		if [ "$1" = raw ]; then
			"${timed[@]}" "${CMD[@]}" </dev/null >"$tmp/count" \
			    2>"$tmp/err" || st=$?
		else
			"${timed[@]}" "${CMD[@]}" </dev/null 2>"$tmp/err" |
			    "$TB" count >"$tmp/count" || st=$?
		fi
		reap
		got=$(cat "$tmp/count")
	fi
	[ "$st" -eq 0 ] || fail "$1 $2: exit status $st"
	[ "$got" = "$BYTES" ] || fail "$1 $2: ${got:-0} bytes of $BYTES"
	echo "$(tail -n 1 "$tmp/time")" \
	    "$(cut -d' ' -f5 "$tmp/server.out")" \
	    "$(cut -d' ' -f2-4 "$tmp/server.out")"
}

# The machine, the tools, the kernel's TLS.
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
ulp=$(cat /proc/sys/net/ipv4/tcp_available_ulp 2>/dev/null || echo '?')
case " $ulp " in
*" tls "*) ktls="the kernel has the tls ULP (kTLS possible)" ;;
*)	ktls="no tls ULP in the kernel (\"$ulp\"): user-space TLS only" ;;
esac
echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC');" \
    "machine: $(nproc) CPUs, $cpu; Linux $(uname -r); $ktls"
echo "Tools: $(cmd/hecat --version 2>&1 | head -n 1);" \
    "$(openssl version);" \
    "socat $(socat -V | sed -n 's/^socat version \([^ ]*\).*/\1/p');" \
    "ncat $(dpkg-query -W -f '${Version}' ncat 2>/dev/null || echo '?')"
echo "Far end: tlsbench (OpenSSL), TLS 1.3 TLS_AES_256_GCM_SHA384 only," \
    "P-256 certificate; every client verifies it"

# What the generator gives through one pipe: a bound for "up".
head -c "$BYTES" /dev/zero |
    /usr/bin/time -f '%e' -o "$tmp/time" "$TB" count >/dev/null
ceiling=$(awk -v b="$BYTES" '{ printf "%.0f", b / 1e6 / $1 }' "$tmp/time")
echo "Transfer: $MIB MiB per run, median of $RUNS runs; generator alone" \
    "(head -c | count, one pipe, no TCP): $ceiling MB/s"
echo

# ---- Part 1: throughput ----------------------------------------------------
: >"$tmp/results"
for run in $(seq "$RUNS"); do		# the tools take turns
	for tool in $TOOLS; do
		for dir in up down; do
			echo "$tool $dir $(run_one "$tool" "$dir")" \
			    >>"$tmp/results"
			echo "tls.sh: $tool $dir run $run:" \
			    "$(tail -n 1 "$tmp/results" | cut -d' ' -f3-)" >&2
		done
	done
done

awk -v tools="$TOOLS" -v b="$BYTES" '
function median(a, n,   i, j, x) {
	for (i = 2; i <= n; i++)	# insertion sort
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			x = a[j]; a[j] = a[j - 1]; a[j - 1] = x
		}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{
	k = $1 SUBSEP $2
	n[k]++
	mbs[k, n[k]] = $3 > 0 ? b / 1e6 / $3 : 0
	cpu[k, n[k]] = ($4 + $5) / (b / 1e9)
	far[k, n[k]] = $6 / (b / 1e9)
	ciph[k] = $7 " " $8
	if (ends[k] == "")
		ends[k] = $9
	else if (index(ends[k], $9) == 0)
		ends[k] = ends[k] "/" $9
}
END {
	nt = split(tools, T, " ")
	for (ti = 1; ti <= nt; ti++)
		for (di = 1; di <= 2; di++) {
			k = T[ti] SUBSEP (di == 1 ? "up" : "down")
			delete x; delete y; delete z
			for (i = 1; i <= n[k]; i++) {
				x[i] = mbs[k, i]; y[i] = cpu[k, i]
				z[i] = far[k, i]
			}
			m[k] = median(x, n[k]); c[k] = median(y, n[k])
			f[k] = median(z, n[k])
		}
	raw = (("raw" SUBSEP "up") in m)
	printf "| tool | direction | MB/s (median) | CPU s per GB " \
	    "(user+sys) | far end CPU s per GB | negotiated (far end) | " \
	    "client ended with (up) |%s\n", raw ? " % of raw |" : ""
	printf "|---|---|---:|---:|---:|---|---|%s\n", raw ? "---:|" : ""
	for (ti = 1; ti <= nt; ti++)
		for (di = 1; di <= 2; di++) {
			d = di == 1 ? "up" : "down"
			k = T[ti] SUBSEP d
			printf "| %s | %s | %.0f | %.2f | %.2f | %s | %s |",
			    T[ti], d, m[k], c[k], f[k], ciph[k],
			    d == "up" ? ends[k] : "-"
			if (raw)
				printf " %.0f%% |", 100 * m[k] / m["raw" SUBSEP d]
			printf "\n"
		}
	# hecat against the best of the peers (raw is not a peer).
	for (di = 1; di <= 2; di++) {
		d = di == 1 ? "up" : "down"
		best = 0; who = ""
		for (ti = 1; ti <= nt; ti++) {
			if (T[ti] == "raw" || T[ti] == "hecat")
				continue
			k = T[ti] SUBSEP d
			if (m[k] > best) { best = m[k]; who = T[ti] }
		}
		k = "hecat" SUBSEP d
		if ((k in m) && best > 0)
			printf "\nhecat %s: %.0f MB/s, %.2fx the best peer " \
			    "(%s, %.0f MB/s); the goal is 1.5x\n", d, m[k],
			    m[k] / best, who, best
	}
}' "$tmp/results"
echo

# ---- Part 2: exec to first byte --------------------------------------------
server hello
# What each client says it negotiated (ncat -v does not say).
{
	cmd_for hecat down
	"${CMD[0]}" -v "${CMD[@]:1}" </dev/null 2>&1 >/dev/null |
	    grep '^hecat: TLS' |
	    sed 's/^/hecat -v: /' || true
	timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$CA" \
	    -verify_return_error -verify_ip 127.0.0.1 </dev/null 2>/dev/null |
	    grep -m 1 'Cipher is' | sed 's/^/s_client: /' || true
	timeout 10 socat -d -d -u "OPENSSL:127.0.0.1:$PORT,cafile=$CA,verify=1" \
	    STDOUT 2>&1 >/dev/null | grep 'SSL connection using' |
	    sed 's/^.* N /socat -d -d: /' || true
} >"$tmp/said"
sed 's/$/  /' "$tmp/said"
echo

: >"$tmp/first"
for run in $(seq "$FIRST"); do
	for tool in $FTOOLS; do
		case $tool in
		raw)	CMD=("$TB" recv 127.0.0.1 "$PORT" "$CA") ;;
		*)	cmd_for "$tool" down ;;
		esac
		case $tool in
		hecat*) CMD=("${CMD[0]}" --trace "$tmp/trace" "${CMD[@]:1}") ;;
		esac
		rm -f "$tmp/trace"
		read -r us nb st < <("$TB" first "${CMD[@]}" 2>"$tmp/err")
		[ "$st" = 0 ] || fail "first byte: $tool: exit status $st"
		# raw prints the count ("6\n"), the others the bytes.
		[ "$nb" -ge 2 ] || fail "first byte: $tool: $nb bytes"
		split="- - - -"
		if [ -s "$tmp/trace" ]; then
			split=$(sed -n \
			    -e 's/.*"ev":"stage_done".*"stage":"tcp","elapsed_ms":\([0-9.]*\).*/tcp \1/p' \
			    -e 's/.*"ev":"stage_done".*"stage":"tls","elapsed_ms":\([0-9.]*\).*/tls \1/p' \
			    -e 's/.*"detail":"ClientHello sent","elapsed_ms":\([0-9.]*\).*/hello \1/p' \
			    -e 's/.*"ev":"winner".*"connect_ms":\([0-9.]*\).*/win \1/p' \
			    "$tmp/trace" | awk '{ v[$1] = $2 } END {
				printf "%s %s %s %s", v["tcp"] == "" ? "-" : v["tcp"],
				    v["hello"] == "" ? "-" : v["hello"],
				    v["tls"] == "" ? "-" : v["tls"],
				    v["win"] == "" ? "-" : v["win"] }')
		fi
		echo "$tool $us $split" >>"$tmp/first"
	done
	echo "tls.sh: first byte run $run:" \
	    "$(tail -n "$(wc -w <<<"$FTOOLS")" "$tmp/first" |
	    awk '{ printf "%s %.1f ms; ", $1, $2 / 1000 }')" >&2
done
kill "$SPID" 2>/dev/null || true	# hello serves until stopped
wait "$SPID" 2>/dev/null || true

printf '%s\n' "Exec to first byte of a server that speaks first" \
    "(\"hello\" right after the handshake), median of $FIRST runs, ms:"
echo
awk -v tools="$FTOOLS" '
function median(a, n,   i, j, x) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			x = a[j]; a[j] = a[j - 1]; a[j - 1] = x
		}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function med(t, col,   i, c, x) {
	c = 0
	for (i = 1; i <= n[t]; i++)
		if (v[t, i, col] != "-")
			x[++c] = v[t, i, col]
	return c ? sprintf("%.2f", median(x, c)) : "-"
}
{
	n[$1]++
	v[$1, n[$1], 1] = $2 / 1000
	lo[$1] = (n[$1] == 1 || $2 / 1000 < lo[$1]) ? $2 / 1000 : lo[$1]
	hi[$1] = (n[$1] == 1 || $2 / 1000 > hi[$1]) ? $2 / 1000 : hi[$1]
	for (i = 3; i <= 6; i++)
		v[$1, n[$1], i - 1] = $i
}
END {
	printf "| tool | first byte (median) | min–max | hecat trace: TCP " \
	    "connect | ClientHello sent (in TLS stage) | TLS stage | " \
	    "winner (connect_ms) |\n|---|---:|---:|---:|---:|---:|---:|\n"
	nt = split(tools, T, " ")
	for (ti = 1; ti <= nt; ti++) {
		t = T[ti]
		printf "| %s | %s | %.2f–%.2f | %s | %s | %s | %s |\n", t,
		    med(t, 1), lo[t], hi[t], med(t, 2), med(t, 3), med(t, 4),
		    med(t, 5)
	}
}' "$tmp/first"
