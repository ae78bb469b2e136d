# tests/netns/ssh_lib.sh - a real OpenSSH server in the scenario network
# and ssh through hecat: what tests/netns/ssh.sh and ssh_tls.sh share.
# Source it after tests/cli_lib.sh and tests/netns/lib.sh.
#
#   ssh_require         exit 77 (SKIP) unless sshd, ssh and ssh-keygen exist
#   ssh_setup NAMES ADDR...  keys and sshd_config in $tmp: sshd listens on
#                       each ADDR port $SSH_PORT; $tmp/known_hosts has the
#                       host key for NAMES (comma separated); true if
#                       sshd -t accepts the configuration
#   ssh_start ADDR...   sshd in the server namespace (stopped by PID with
#                       the namespaces, ns_down); true once it has logged
#                       that it listens on each ADDR, within 5 s (times
#                       HECAT_TEST_SLOWDOWN)
#   ssh_data            $tmp/data, $MB MB of random bytes; SUM its SHA-256
#   ssh_run PC FDPASS NAME [COMMAND...]  ssh in the client namespace to
#                       NAME port $SSH_PORT, ProxyCommand PC, ProxyUseFdpass
#                       FDPASS; stdin from $IN (or /dev/null), stdout to
#                       $tmp/out (or $OUT), stderr to $tmp/err; sets rc and
#                       elapsed (ms)
#   no_lingering TRACE  no hecat with --trace TRACE runs 2 s (times
#                       HECAT_TEST_SLOWDOWN) after ssh's exit

SSHD=/usr/sbin/sshd
: "${SSH_PORT:=22}"
: "${MB:=100}"
HECAT_ABS=$(cd "$(dirname "$HECAT")" && pwd)/$(basename "$HECAT")

# sshd's privilege separation directory: made if missing, and left
# there: every sshd child needs it, and another run of this test (or the
# system's sshd) may have one running.  Removing it under them makes their
# connections close at once ("kex_exchange_identification: Connection
# closed by remote host").
ssh_require() {
	if [ ! -x "$SSHD" ] || ! command -v ssh >/dev/null ||
	    ! command -v ssh-keygen >/dev/null; then
		echo "SKIP: needs OpenSSH ($SSHD, ssh, ssh-keygen)"
		exit 77
	fi
}

ssh_setup() {
	local names=$1 a
	shift
	mkdir -p -m 0755 /run/sshd
	ssh-keygen -q -t ed25519 -N '' -C hostkey -f "$tmp/hostkey"
	ssh-keygen -q -t ed25519 -N '' -C client -f "$tmp/clientkey"
	cp "$tmp/clientkey.pub" "$tmp/authorized_keys"
	echo "$names $(cut -d' ' -f1,2 "$tmp/hostkey.pub")" > "$tmp/known_hosts"
	{
		for a; do
			case $a in
			*:*) echo "ListenAddress [$a]:$SSH_PORT" ;;
			*) echo "ListenAddress $a:$SSH_PORT" ;;
			esac
		done
		cat <<EOF
HostKey $tmp/hostkey
PidFile $tmp/sshd.pid
AuthorizedKeysFile $tmp/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
X11Forwarding no
PrintMotd no
PrintLastLog no
Subsystem sftp internal-sftp
EOF
	} > "$tmp/sshd_config"
	"$SSHD" -t -f "$tmp/sshd_config" 2> "$tmp/err"
}

# Ready when sshd has said it listens on every address (it logs each
# once listen() is done; an address whose SYNs are dropped cannot be
# probed): its log followed as it grows (tail -f, woken by inotify).
ssh_start() {
	local logfd tailpid line end left=("$@") keep i
	# The log exists before tail -f opens it: the job's redirection is
	# done in the background, maybe after tail has started and given up.
	: > "$tmp/sshd.log"
	# ip netns exec execs sshd in place, so $! is sshd's own PID (not a
	# subshell's) and ns_down's kill reaches it.
	ip netns exec "$NS_S" "$SSHD" -D -e -f "$tmp/sshd_config" \
	    < /dev/null >> "$tmp/sshd.log" 2>&1 &
	SSHD_PID=$!
	ns_pids+=("$SSHD_PID")
	exec {logfd}< <(exec tail -n +1 -f "$tmp/sshd.log")
	tailpid=$!
	pids+=("$tailpid")
	end=$((SECONDS + 5 * SLOWDOWN))
	while [ ${#left[@]} -gt 0 ]; do
		[ "$SECONDS" -lt "$end" ] &&
		    read -t $((end - SECONDS)) -r line <&$logfd || break
		keep=()
		for i in "${left[@]}"; do
			case $line in
			*"Server listening on $i port $SSH_PORT"*) ;;
			*) keep+=("$i") ;;
			esac
		done
		left=("${keep[@]}")
	done
	kill "$tailpid" 2>/dev/null
	exec {logfd}<&-
	[ ${#left[@]} -eq 0 ]
}

ssh_data() {
	head -c ${MB}M /dev/urandom > "$tmp/data"
	SUM=$(sha256sum < "$tmp/data" | cut -d' ' -f1)
}

ssh_run() {
	local pc=$1 fdpass=$2 name=$3 t0 t1
	shift 3
	hc_runs=$((hc_runs + 1))
	t0=${EPOCHREALTIME/./}
	# Each ssh its own history (cli_lib.sh): every dial races afresh.
	env -u SSH_AUTH_SOCK XDG_CACHE_HOME="$tmp/cache.$hc_runs" \
	    timeout -s KILL 60 \
	    ip netns exec "$NS_C" ssh -F /dev/null \
	    -o BatchMode=yes -o IdentitiesOnly=yes -o IdentityAgent=none \
	    -i "$tmp/clientkey" -o User=root \
	    -o CheckHostIP=no -o StrictHostKeyChecking=yes \
	    -o UserKnownHostsFile="$tmp/known_hosts" \
	    -o GlobalKnownHostsFile=/dev/null \
	    -o UpdateHostKeys=no -o ConnectTimeout=10 \
	    -o ProxyUseFdpass="$fdpass" -o ProxyCommand="$pc" \
	    -p "$SSH_PORT" "$name" "$@" \
	    < "${IN:-/dev/null}" > "${OUT:-$tmp/out}" 2> "$tmp/err"
	rc=$?
	t1=${EPOCHREALTIME/./}
	elapsed=$(( (t1 - t0) / 1000 ))
}

# ssh sends SIGHUP to the ProxyCommand and does not wait for it: each
# hecat found is waited for through a pidfd, which wakes at its exit.
no_lingering() {
	local p
	for p in $(pgrep -f -- "--trace $1"); do
		python3 - "$p" $((2 * SLOWDOWN)) <<'EOF' || return 1
import os, select, sys
try:
    fd = os.pidfd_open(int(sys.argv[1]))
except ProcessLookupError:
    sys.exit(0)			# gone already
sys.exit(0 if select.select([fd], [], [], float(sys.argv[2]))[0] else 1)
EOF
	done
}
