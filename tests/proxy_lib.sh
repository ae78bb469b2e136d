# tests/proxy_lib.sh - real proxies for the tests.  Source it after
# tests/cli_lib.sh (and after tests/netns/lib.sh, if used).
#
# Each start_* function runs one Debian proxy in the foreground, as root,
# on a free port of loopback (or of the addresses given, in a network
# namespace if asked), waits a bounded time until it listens, and
# registers it: stop_proxy VAR stops it early, and cli_lib.sh's cleanup
# (and netns/lib.sh's ns_down, which runs before it in the netns suites'
# traps) stops every one still running.  Stopping is by PID: SIGTERM to
# each process the proxy is made of (danted forks about 20; an ssh -D
# session has an sshd child), then a bounded wait until they are all gone
# and the port is free, SIGKILL for what is left after it.
#
#   start_danted     VAR [none|auth] [-n NS] [-a ADDR]... [-t SECONDS]
#   start_microsocks VAR [none|auth] [-n NS] [-a ADDR]...
#   start_tinyproxy  VAR [none|auth] [-n NS] [-a ADDR]... [-t SECONDS]
#   start_ssh_socks  VAR             [-n NS] [-a ADDR]...
#   stop_proxy       VAR
#   px_require       danted|microsocks|tinyproxy|ssh|PROGRAM...
#                    (exit 77, SKIP, unless root and all are there)
#   px_in NS CMD...  CMD in namespace NS ("" = this one)
#   px_free_port NS  a port no socket of NS uses (a closed port to test)
#
#   none|auth   auth: SOCKS5 username/password (RFC 1929; danted,
#               microsocks) or Basic (tinyproxy), the credentials
#               $PX_USER and $PX_PASS; none (the default): no auth
#   -n NS       run it in network namespace NS (ip netns exec), where
#               it also resolves names and connects; "" is this one
#   -a ADDR     listen on ADDR (repeatable); default 127.0.0.1 and ::1
#               (::1 if the namespace has it).  Every address gets the
#               same port: picked at random below the ephemeral range
#               (microsocks: the kernel's, -p 0, read back).  Readiness
#               is read from the sockets (ss), not from a connect, so an
#               address whose SYNs are dropped (ns_addr ADDR blackhole)
#               can be one of them
#   -t SECONDS  how long the proxy tries to connect to a target;
#               default 30.  danted: timeout.connect, a 1 s timer: REP
#               06 comes SECONDS to SECONDS + 1 s after the request
#               (2.0 or 3.0 s seen for 2).  tinyproxy: Timeout, 500 at
#               SECONDS; it is also its idle timeout on a tunnel.
#               microsocks and ssh -D have none (the kernel's SYN
#               retries, 2 min by default)
#
# Each sets VAR to the port, and VAR_PID (the proxy's PID; microsocks:
# one per address, space separated; ssh: the ssh -D client), VAR_LOG
# (its log), VAR_ADDRS (the addresses it listens on, space separated),
# VAR_MS (how long it took to start, ms); start_ssh_socks also
# VAR_SSHD_PID and VAR_SSHD_PORT (its sshd, on 127.0.0.1).  Starting
# a VAR that runs stops it first: a VAR names one proxy.  If a proxy
# does not listen within PX_WAIT seconds (5 times HECAT_TEST_SLOWDOWN),
# or exits (a port taken meanwhile: it is tried again on another port,
# PX_TRIES times in all), the suite fails there, with the log shown.
#
# PX_USER and PX_PASS (default hecatpx and pw-PID) may be set before
# the call; no white space or quotes.  No system user is made: danted
# checks a user against the system password file, so it runs in a mount
# namespace of its own (unshare -m) where copies of /etc/passwd and
# /etc/shadow with the user added are bind-mounted over the real ones;
# only that process sees them.
#
# What each one is (Debian 12's versions, behaviour as observed):
#   danted      dante-server 1.4.2: SOCKS5 and SOCKS4 (no 4a, answers
#               91); external: every interface of the namespace, the
#               source address picked by route, so it reaches loopback,
#               namespace and link addresses, both families
#   microsocks  1.0.3: SOCKS5 only; one process per address (one -i
#               each); reads each message with a single recv(), so a
#               client that pipelines the greeting and the request hangs
#   tinyproxy   1.11.1: HTTP CONNECT to any port; wrong credentials get
#               401, missing ones 407; no Allow lines (bookworm's 1.11.1
#               mistakes IPv6 clients after an IPv4 one: upstream #495)
#   ssh -D      OpenSSH 9.2: SOCKS4, SOCKS4a and SOCKS5 (no auth), the one
#               real SOCKS4a server in bookworm; a throwaway sshd on
#               127.0.0.1 with keys made in $tmp; on a failed connect it
#               closes without a reply

: "${PX_USER:=hecatpx}"
: "${PX_PASS:=pw-$$}"
PX_WAIT=${PX_WAIT:-$((5 * SLOWDOWN))}
PX_TRIES=${PX_TRIES:-5}
PX_STOP_WAIT=${PX_STOP_WAIT:-$((5 * SLOWDOWN))}
px_order=()			# VARs, in the order started
declare -gA px_pids=() px_ns=() px_port=()
px_n=0

# px_require WHAT...: exit 77 (SKIP) unless root and the programs exist.
px_require() {
	local w missing=
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: the proxies run as root (danted's password checks, namespaces)"
		exit 77
	fi
	for w in ss "$@"; do
		case $w in
		danted) command -v danted >/dev/null ||
			[ -x /usr/sbin/danted ] || missing="$missing dante-server"
			command -v unshare >/dev/null || missing="$missing util-linux"
			command -v openssl >/dev/null || missing="$missing openssl" ;;
		microsocks) command -v microsocks >/dev/null ||
			missing="$missing microsocks" ;;
		tinyproxy) command -v tinyproxy >/dev/null ||
			missing="$missing tinyproxy-bin" ;;
		ssh)	[ -x /usr/sbin/sshd ] || missing="$missing openssh-server"
			command -v ssh >/dev/null &&
			    command -v ssh-keygen >/dev/null ||
			    missing="$missing openssh-client" ;;
		ss)	command -v ss >/dev/null || missing="$missing iproute2" ;;
		*)	command -v "$w" >/dev/null || missing="$missing $w" ;;
		esac
	done
	if [ -n "$missing" ]; then
		echo "SKIP: needs$missing (scripts/setup installs them)"
		exit 77
	fi
}

# px_in NS command...: command in namespace NS ("" = this one).
px_in() {
	local ns=$1
	shift
	if [ -n "$ns" ]; then
		ip netns exec "$ns" "$@"
	else
		"$@"
	fi
}

# px_spawn NS command...: px_in for a command started with &: the
# subshell execs it (and ip netns exec execs too), so $! is its PID.
px_spawn() {
	local ns=$1
	shift
	if [ -n "$ns" ]; then
		exec ip netns exec "$ns" "$@"
	else
		exec "$@"
	fi
}

px_now_ms() { echo $(( ${EPOCHREALTIME/./} / 1000 )); }

# px_alive PID: the process exists and is not a zombie.
px_alive() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	[ "${s%% *}" != Z ] && [ "${s%% *}" != X ]
}

# px_descendants PID...: the PIDs given and all their descendants (from
# /proc: no procps needed).
px_descendants() {
	local f s pid ppid q i=0
	local -A kids=()
	for f in /proc/[0-9]*/stat; do
		read -r s 2>/dev/null < "$f" || continue
		pid=${s%% *} s=${s##*) } s=${s#* } ppid=${s%% *}
		kids[$ppid]+=" $pid"
	done
	q=("$@")
	while [ $i -lt ${#q[@]} ]; do
		echo "${q[i]}"
		# shellcheck disable=SC2206
		q+=(${kids[${q[i]}]:-})
		i=$((i + 1))
	done
}

# px_default_addrs NS: 127.0.0.1, and ::1 where the namespace has it.
px_default_addrs() {
	if px_in "$1" ip -6 -o addr show dev lo 2>/dev/null |
	    grep -q ' ::1/128'; then
		echo 127.0.0.1 ::1
	else
		echo 127.0.0.1
	fi
}

# px_free_port NS: a port that no socket of NS uses, picked at random
# below the namespace's ephemeral range (ip_local_port_range), where the
# kernel does not pick ports for port-0 listeners or outgoing
# connections.  Another process may take it before the proxy does, so
# the caller tries again if the proxy fails to bind.
px_free_port() {
	local lo hi p i
	read -r lo hi < <(px_in "$1" cat /proc/sys/net/ipv4/ip_local_port_range)
	hi=$(( ${lo:-32768} - 1 ))
	lo=10000
	[ "$hi" -gt $((lo + 1000)) ] || { lo=1024; hi=65535; }
	for i in 1 2 3 4 5 6 7 8 9 10; do
		p=$(( lo + SRANDOM % (hi - lo + 1) ))
		if [ -z "$(px_in "$1" ss -tanH "sport = :$p" 2>/dev/null)" ]; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# px_listens NS PID PORT ADDR...: PID holds a listening TCP socket on
# every ADDR:PORT.
px_listens() {
	local ns=$1 pid=$2 port=$3 a want=
	shift 3
	for a; do
		case $a in *:*) a="[$a]" ;; esac
		want="$want $a:$port"
	done
	px_in "$ns" ss -ltnpH 2>/dev/null | awk -v want="$want" -v pid="pid=$pid," '
	    index($0, pid) { have[$4] = 1 }
	    END {
		n = split(want, w, " ")
		for (i = 1; i <= n; i++) if (!(w[i] in have)) exit 1
	    }'
}

# px_port_of NS PID ADDR: the port PID listens on at ADDR (microsocks -p 0).
px_port_of() {
	local a=$3
	case $a in *:*) a="[$a]" ;; esac
	px_in "$1" ss -ltnpH 2>/dev/null | awk -v a="$a" -v pid="pid=$2," '
	    index($0, pid) { n = split($4, x, ":"); h = substr($4, 1,
		length($4) - length(x[n]) - 1); if (h == a) { print x[n]; exit } }'
}

# px_port_free NS PORT: nothing listens on PORT in NS (true if NS is gone).
px_port_free() {
	local out
	[ -z "$1" ] || ip netns pids "$1" >/dev/null 2>&1 || return 0
	out=$(px_in "$1" ss -ltnH "sport = :$2" 2>/dev/null) || return 0
	[ -z "$out" ]
}

# px_poll PID COMMAND...: run COMMAND every 10 ms until it succeeds
# (true), PID exits or PX_WAIT seconds have passed (false).
px_poll() {
	local pid=$1 end
	shift
	end=$(( $(px_now_ms) + PX_WAIT * 1000 ))
	while px_alive "$pid"; do
		"$@" && return 0
		[ "$(px_now_ms)" -lt "$end" ] || return 1
		sleep 0.01
	done
	return 1
}

# px_ready NS PORT LOG READY_RE PID ADDR...: PID listens on every
# ADDR:PORT and (if READY_RE is not empty) LOG has a line matching it.
px_ready() {
	local ns=$1 port=$2 log=$3 re=$4 pid=$5
	shift 5
	px_listens "$ns" "$pid" "$port" "$@" &&
	    { [ -z "$re" ] || grep -Eq -- "$re" "$log"; }
}

# px_wait_ready NS PORT LOG READY_RE PID ADDR...: px_ready, polled.
px_wait_ready() {
	px_poll "$5" px_ready "$@"
}

# px_register VAR NS PORT PID...: for stop_proxy and the cleanup; PORT
# 0 for none (yet).
px_register() {
	local var=$1
	[ -n "${px_pids[$var]+x}" ] || px_order+=("$var")
	px_ns[$var]=$2
	case "$3: ${px_port[$var]:-} " in
	0:*|"$3:"*" $3 "*) ;;
	*) px_port[$var]="${px_port[$var]:-} $3" ;;
	esac
	shift 3
	local p
	for p; do
		case " ${px_pids[$var]:-} " in
		*" $p "*) ;;
		*) px_pids[$var]="${px_pids[$var]:-} $p" ;;
		esac
	done
}

# px_kill_wait PID...: SIGTERM to the PIDs and all their descendants (all
# listed before any is signalled: once its parent is gone, a child is no
# longer found by its parent's PID), then wait until every one is gone, PX_STOP_WAIT seconds
# at most, then SIGKILL what is left and wait again; the PIDs that are
# our children are reaped.  False if something outlived SIGKILL.
px_kill_wait() {
	local all p left end sig=TERM round
	all=$(px_descendants "$@")
	for round in 1 2; do
		for p in $all; do
			kill -s $sig "$p" 2>/dev/null
		done
		end=$(( $(px_now_ms) + PX_STOP_WAIT * 1000 ))
		while :; do
			left=
			for p in $all; do
				px_alive "$p" && left="$left $p"
			done
			[ -n "$left" ] && [ "$(px_now_ms)" -lt "$end" ] ||
			    break
			sleep 0.01
		done
		[ -z "$left" ] && break
		echo "# proxy_lib: still running ${PX_STOP_WAIT} s after SIGTERM:$left; SIGKILL"
		all=$left sig=KILL
	done
	for p in "$@"; do
		wait "$p" 2>/dev/null
	done
	[ -z "$left" ]
}

# stop_proxy VAR: stop everything started as VAR, wait (bounded) until it
# is gone and its ports are free.
stop_proxy() {
	local var=$1 ns ports port end
	[ -n "${px_pids[$var]+x}" ] || return 0
	ns=${px_ns[$var]} ports=${px_port[$var]:-}
	# shellcheck disable=SC2086
	px_kill_wait ${px_pids[$var]}
	unset "px_pids[$var]"
	local o=() v
	for v in "${px_order[@]}"; do
		[ "$v" = "$var" ] || o+=("$v")
	done
	px_order=("${o[@]}")
	unset "px_port[$var]"
	end=$(( $(px_now_ms) + PX_STOP_WAIT * 1000 ))
	for port in $ports; do
		until px_port_free "$ns" "$port"; do
			if [ "$(px_now_ms)" -ge "$end" ]; then
				echo "# proxy_lib: port $port still in use after $var stopped"
				return 1
			fi
			sleep 0.01
		done
	done
}

# px_stop_all: every proxy still running, the last started first.
px_stop_all() {
	local i
	for (( i = ${#px_order[@]} - 1; i >= 0; i-- )); do
		stop_proxy "${px_order[i]}"
	done
	return 0
}

# cleanup (cli_lib.sh) and ns_down (netns/lib.sh), if defined, stop the
# proxies first: the traps that name them need no change.
px_wrap() {
	declare -F "$1" >/dev/null || return 0
	declare -F "px_orig_$1" >/dev/null && return 0
	eval "$(declare -f "$1" | sed "1s/^$1 /px_orig_$1 /")"
	eval "$1() { px_stop_all; px_orig_$1 \"\$@\"; }"
}
px_wrap cleanup
px_wrap ns_down

# px_args "$@": parse [none|auth] [-n NS] [-a ADDR]... [-t SECONDS] into
# px_a_mode, px_a_ns, px_a_addrs (array), px_a_timeout.
px_args() {
	px_a_mode=none px_a_ns= px_a_addrs=() px_a_timeout=30
	while [ $# -gt 0 ]; do
		case $1 in
		none|auth) px_a_mode=$1 ;;
		-n)	px_a_ns=$2; shift ;;
		-a)	px_a_addrs+=("$2"); shift ;;
		-t)	px_a_timeout=$2; shift ;;
		*)	echo "FAIL: proxy_lib: unknown argument: $1"; exit 1 ;;
		esac
		shift
	done
	# shellcheck disable=SC2207
	[ ${#px_a_addrs[@]} -gt 0 ] || px_a_addrs=($(px_default_addrs "$px_a_ns"))
}

# px_dir KIND: a fresh directory in $tmp for one proxy's files.
px_dir() {
	px_n=$((px_n + 1))
	px_d="$tmp/px.${1// /}.$px_n"
	mkdir -p "$px_d"
}

# px_started VAR PORT LOG PID...: it listens: register PORT (stop_proxy
# waits until it is free; a port is registered only once the proxy holds
# it), set VAR, VAR_PID, VAR_LOG, VAR_ADDRS, VAR_MS.
px_started() {
	local var=$1 port=$2 log=$3
	shift 3
	px_register "$var" "$px_a_ns" "$port"
	printf -v "$var" '%s' "$port"
	printf -v "${var}_PID" '%s' "$*"
	printf -v "${var}_LOG" '%s' "$log"
	printf -v "${var}_ADDRS" '%s' "${px_a_addrs[*]}"
	printf -v "${var}_MS" '%s' $(( $(px_now_ms) - px_t0 ))
}

# px_fail WHAT LOG: the proxy did not start: say so, show its log, end
# the suite (its EXIT trap stops what runs).
px_fail() {
	echo "FAIL: proxy $1 did not start (it exited, or did not listen within ${PX_WAIT} s; tries: ${PX_TRIES} at most, another only if its port was taken); its log:"
	sed 's/^/    /' "$2" 2>/dev/null | tail -n 30
	exit 1
}

# px_retry WHAT VAR LOG TRY: a start failed: stop what runs; try again
# (on another port) only if the port was taken (each program says so its
# own way), else fail now.
px_retry() {
	cp "$3" "$3.$4"
	stop_proxy "$2"
	grep -Eqi 'address already in use|could not create listening sockets' "$3" ||
	    px_fail "$1" "$3"
}

# px_begin VAR KIND ARGS...: what every start_* does first: stop what
# runs as VAR (a VAR names one proxy), parse ARGS, note the time, make
# the proxy's directory (px_d).
px_begin() {
	stop_proxy "$1"
	px_kind=$2
	shift 2
	px_args "$@"
	px_t0=$(px_now_ms)
	px_dir "$px_kind"
}

# ---- danted -------------------------------------------------------------------

start_danted() {
	local var=$1 try port pid a ifs conf log danted
	shift
	px_begin "$var" danted "$@"
	danted=$(command -v danted || echo /usr/sbin/danted)
	conf=$px_d/danted.conf log=$px_d/danted.log
	# Every interface of the namespace is an external one (lo included),
	# the source address chosen by route: targets on loopback, on the
	# namespace's own addresses and across its links, both families.
	# (Those with an address: danted refuses one without.)
	ifs=$(px_in "$px_a_ns" ip -o addr show | awk '!seen[$2]++ { print $2 }')
	if [ "$px_a_mode" = auth ]; then
		if getent passwd "$PX_USER" >/dev/null; then
			echo "FAIL: proxy_lib: PX_USER=$PX_USER is a user of this system"
			exit 1
		fi
		cp /etc/passwd "$px_d/passwd"
		cp /etc/shadow "$px_d/shadow"
		echo "$PX_USER:x:64999:65534::/nonexistent:/usr/sbin/nologin" \
		    >> "$px_d/passwd"
		echo "$PX_USER:$(openssl passwd -6 "$PX_PASS"):19000:0:99999:7:::" \
		    >> "$px_d/shadow"
		chmod 640 "$px_d/shadow"
	fi
	for try in $(seq "$PX_TRIES"); do
		port=$(px_free_port "$px_a_ns") ||
		    px_fail "$px_kind" /dev/null
		{
			echo "logoutput: stderr"
			for a in "${px_a_addrs[@]}"; do
				echo "internal: $a port = $port"
			done
			for a in $ifs; do
				echo "external: $a"
			done
			echo "external.rotation: route"
			if [ "$px_a_mode" = auth ]; then
				echo "socksmethod: username"
			else
				echo "socksmethod: none"
			fi
			cat <<EOF
clientmethod: none
user.privileged: root
user.unprivileged: nobody
timeout.connect: $px_a_timeout
timeout.negotiate: 10
client pass {
  from: 0/0 to: 0/0
  log: error
}
socks pass {
  from: 0/0 to: 0/0
  command: connect
  log: connect disconnect error
}
EOF
		} > "$conf"
		: > "$log"
		# unshare and sh exec in turn: $! is danted's PID.
		if [ "$px_a_mode" = auth ]; then
			px_spawn "$px_a_ns" unshare -m --propagation private sh -c \
			    'mount --bind "$1/passwd" /etc/passwd &&
			     mount --bind "$1/shadow" /etc/shadow &&
			     exec "$2" -f "$1/danted.conf" -p "$1/danted.pid"' \
			    sh "$px_d" "$danted" < /dev/null > "$log" 2>&1 &
		else
			px_spawn "$px_a_ns" "$danted" -f "$conf" -p "$px_d/danted.pid" \
			    < /dev/null > "$log" 2>&1 &
		fi
		pid=$!
		px_register "$var" "$px_a_ns" 0 "$pid"
		if px_wait_ready "$px_a_ns" "$port" "$log" \
		    'Dante/server.* running' "$pid" "${px_a_addrs[@]}"; then
			px_started "$var" "$port" "$log" "$pid"
			return 0
		fi
		px_retry "$px_kind" "$var" "$log" "$try"
	done
	px_fail "$px_kind" "$log"
}

# ---- microsocks ---------------------------------------------------------------

# px_got_port NS PID ADDR: px_got is the port PID listens on at ADDR.
px_got_port() {
	px_got=$(px_port_of "$@")
	[ -n "$px_got" ]
}

start_microsocks() {
	local var=$1 try port pid pids a log first
	shift
	px_begin "$var" microsocks "$@"
	log=$px_d/microsocks.log
	local auth=()
	[ "$px_a_mode" = auth ] && auth=(-u "$PX_USER" -P "$PX_PASS")
	for try in $(seq "$PX_TRIES"); do
		: > "$log"
		pids= port=0 first=1
		for a in "${px_a_addrs[@]}"; do
			px_spawn "$px_a_ns" microsocks -i "$a" -p "$port" "${auth[@]}" \
			    < /dev/null >> "$log" 2>&1 &
			pid=$!
			pids="$pids $pid"
			px_register "$var" "$px_a_ns" 0 "$pid"
			if [ -n "$first" ]; then
				# -p 0: the port is read back from its socket.
				first=
				px_poll "$pid" px_got_port "$px_a_ns" "$pid" "$a" ||
				    { port=; break; }
				port=$px_got
			fi
			px_wait_ready "$px_a_ns" "$port" "$log" "" "$pid" "$a" ||
			    { port=; break; }
		done
		if [ -n "$port" ]; then
			# shellcheck disable=SC2086
			px_started "$var" "$port" "$log" $pids
			return 0
		fi
		px_retry "$px_kind" "$var" "$log" "$try"
	done
	px_fail "$px_kind" "$log"
}

# ---- tinyproxy ----------------------------------------------------------------

start_tinyproxy() {
	local var=$1 try port pid a conf log
	shift
	px_begin "$var" tinyproxy "$@"
	conf=$px_d/tinyproxy.conf log=$px_d/tinyproxy.log
	for try in $(seq "$PX_TRIES"); do
		port=$(px_free_port "$px_a_ns") ||
		    px_fail "$px_kind" /dev/null
		# No comments on a line after a setting (a syntax error to
		# 1.11.1); no Allow lines (see above): every client allowed.
		{
			echo "Port $port"
			for a in "${px_a_addrs[@]}"; do
				echo "Listen $a"
			done
			echo "Timeout $px_a_timeout"
			echo "LogLevel Info"
			echo "PidFile \"$px_d/tinyproxy.pid\""
			echo "DisableViaHeader Yes"
			[ "$px_a_mode" = auth ] &&
			    echo "BasicAuth $PX_USER $PX_PASS"
		} > "$conf"
		: > "$log"
		# -d: the foreground; it logs to stdout.
		px_spawn "$px_a_ns" tinyproxy -d -c "$conf" \
		    < /dev/null > "$log" 2>&1 &
		pid=$!
		px_register "$var" "$px_a_ns" 0 "$pid"
		if px_wait_ready "$px_a_ns" "$port" "$log" \
		    'Accepting connections' "$pid" "${px_a_addrs[@]}"; then
			px_started "$var" "$port" "$log" "$pid"
			return 0
		fi
		px_retry "$px_kind" "$var" "$log" "$try"
	done
	px_fail "$px_kind" "$log"
}

# ---- ssh -D -------------------------------------------------------------------

start_ssh_socks() {
	local var=$1 try port sport spid pid a log fwd
	shift
	px_begin "$var" "ssh -D" "$@"
	[ "$px_a_mode" = none ] || { echo "FAIL: proxy_lib: ssh -D has no auth"; exit 1; }
	log=$px_d/ssh.log
	# sshd's privilege separation directory: made if missing and left
	# there (tests/netns/ssh.sh says why).
	mkdir -p -m 0755 /run/sshd
	ssh-keygen -q -t ed25519 -N '' -C pxhost -f "$px_d/hostkey"
	ssh-keygen -q -t ed25519 -N '' -C pxclient -f "$px_d/clientkey"
	cp "$px_d/clientkey.pub" "$px_d/authorized_keys"
	echo "pxsshd $(cut -d' ' -f1,2 "$px_d/hostkey.pub")" > "$px_d/known_hosts"
	for try in $(seq "$PX_TRIES"); do
		: > "$log"
		sport=$(px_free_port "$px_a_ns") || px_fail "$px_kind" /dev/null
		cat > "$px_d/sshd_config" <<EOF
ListenAddress 127.0.0.1:$sport
HostKey $px_d/hostkey
PidFile $px_d/sshd.pid
AuthorizedKeysFile $px_d/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
AllowTcpForwarding yes
X11Forwarding no
PrintMotd no
EOF
		px_spawn "$px_a_ns" /usr/sbin/sshd -D -e -f "$px_d/sshd_config" \
		    < /dev/null > "$px_d/sshd.log" 2>&1 &
		spid=$!
		px_register "$var" "$px_a_ns" 0 "$spid"
		if ! px_wait_ready "$px_a_ns" "$sport" "$px_d/sshd.log" "" \
		    "$spid" 127.0.0.1; then
			cat "$px_d/sshd.log" >> "$log"
			px_retry "$px_kind" "$var" "$log" "$try"
			continue
		fi
		px_register "$var" "$px_a_ns" "$sport"
		port=$(px_free_port "$px_a_ns") ||
		    px_fail "$px_kind" /dev/null
		fwd=()
		for a in "${px_a_addrs[@]}"; do
			case $a in *:*) a="[$a]" ;; esac
			fwd+=(-D "$a:$port")
		done
		px_spawn "$px_a_ns" env -u SSH_AUTH_SOCK ssh -N -F /dev/null \
		    -o BatchMode=yes -o IdentitiesOnly=yes \
		    -o IdentityAgent=none -i "$px_d/clientkey" -o User=root \
		    -o HostKeyAlias=pxsshd -o StrictHostKeyChecking=yes \
		    -o UserKnownHostsFile="$px_d/known_hosts" \
		    -o GlobalKnownHostsFile=/dev/null -o UpdateHostKeys=no \
		    -o CheckHostIP=no -o ExitOnForwardFailure=yes \
		    -o ServerAliveInterval=0 -o ConnectTimeout=$PX_WAIT \
		    -p "$sport" "${fwd[@]}" 127.0.0.1 \
		    < /dev/null >> "$log" 2>&1 &
		pid=$!
		px_register "$var" "$px_a_ns" 0 "$pid"
		if px_wait_ready "$px_a_ns" "$port" "$log" "" "$pid" \
		    "${px_a_addrs[@]}"; then
			px_started "$var" "$port" "$log" "$pid"
			printf -v "${var}_SSHD_PID" '%s' "$spid"
			printf -v "${var}_SSHD_PORT" '%s' "$sport"
			return 0
		fi
		cat "$px_d/sshd.log" >> "$log"
		px_retry "$px_kind" "$var" "$log" "$try"
	done
	px_fail "$px_kind" "$log"
}
