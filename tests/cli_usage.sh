#!/bin/bash
# hecat's usage errors: each exits 64 with exactly one line on stderr that
# names the input at fault, and writes nothing to stdout.
. "${srcdir:-.}/tests/cli_lib.sh"

# usage NAME PATTERN ARGS...: hecat ARGS fails with 64 and one line that
# matches PATTERN.
usage() {
	local name=$1 pattern=$2
	shift 2
	hc "$@"
	if rc_is 64 && err_lines 1 && err_has "$pattern" && out_empty; then
		pass "usage: $name"
	else
		fail "usage: $name" "want 64 and one line matching '$pattern'"
	fi
}

long=$(printf 'a%.0s' $(seq 1 250)).test

usage "no operands"		"missing host and port"
usage "host without port"	"missing port after host 'h'"	h
usage "unknown option"		"unknown option -k"		-k h 1
usage "unknown long option"	"unknown option --frobnicate"	--frobnicate h 1
usage "option without value"	"option -w needs a value"	h 1 -w
usage "long option without value" "option --trace needs a value" h 1 --trace
usage "port 0"			"port '0'"			h 0
usage "port 65536"		"port '65536'"			h 65536
usage "port abc with -n"	"port 'abc'.*-n"		-n 127.0.0.1 abc
usage "unknown service"		"port 'nosuchservice'"		h nosuchservice
usage "--trust-anchor without --dnssec" "--trust-anchor needs --dnssec" \
    --trust-anchor /dev/null h 1
usage "--trust-anchor unreadable" "--trust-anchor: '/nonexistent': No such file" \
    --dnssec --trust-anchor /nonexistent h 1
usage "--dns-tls without #NAME"	"--dns-tls: '127.0.0.1:853': no #NAME" \
    --dns-tls 127.0.0.1:853 h 1
usage "--dns-tls bad address"	"--dns-tls: 'nowhere#n': not ADDRESS" \
    --dns-tls 'nowhere#n' h 1
usage "--dns-tls and --dns-server" "--dns-tls and --dns-server exclude" \
    --dns-tls '127.0.0.1#n' --dns-server 127.0.0.1 h 1
usage "--dns-tls-ca without --dns-tls" "--dns-tls-ca needs --dns-tls" \
    --dns-tls-ca /dev/null h 1
usage "--root-hints without --recursive" "--root-hints needs --recursive" \
    --root-hints /dev/null h 1
usage "--recursive with --dns-server" "--recursive asks no name server" \
    --recursive --dns-server 127.0.0.1 h 1
usage "empty port"		"empty port"			h ""
usage "empty host"		"empty host"			"" 80
usage "254-character host"	"longer than 253"		"$long" 80
usage "-4 and -6"		"-4 and -6"			-4 -6 h 80
usage "-w abc"			"-w: invalid duration 'abc'"	-w abc h 80
usage "-w negative"		"-w: invalid duration '-1'"	-w -1 h 80
usage "-w 0"			"-w: '0' is too short"		-w 0 h 80
usage "-w 1e3"			"-w: invalid duration '1e3'"	-w 1e3 h 80
usage "-w with a bad suffix"	"-w: invalid duration '2h'"	-w 2h h 80
usage "-w beyond a day"		"-w: invalid duration"		-w 86401 h 80
usage "--attempt-delay 5x"	"--attempt-delay: invalid duration '5x'" \
				--attempt-delay 5x h 80
usage "--resolution-delay -5"	"--resolution-delay: invalid duration" \
				--resolution-delay -5 h 80
usage "-q abc"			"-q: invalid duration 'abc'"	-q abc h 80
usage "--prefer 5"		"--prefer: '5'"			--prefer 5 h 80
usage "--prefer against -4"	"--prefer 6 contradicts -4"	-4 --prefer 6 h 80
usage "--first-family-count 0"	"--first-family-count"		--first-family-count 0 h 80
usage "--resolve-retries 11"	"--resolve-retries"		--resolve-retries 11 h 80
usage "-z with -F"		"-z and -F"			-z -F h 80
usage "-d with --send-only"	"--send-only"			-d --send-only h 80
usage "-s not an address"	"-s: 'nohost': not an IP"	-s nohost h 80
usage "-s against -4"		"-s: the source is not an IPv4" -4 -s ::1 h 80
usage "-p 0"			"-p: port '0'"			-p 0 h 80
usage "-p 70000"		"-p: port '70000'"		-p 70000 h 80
usage "-n with a name"		"host 'h': not a numeric"	-n h 80
usage "literal of the other family" "not an IPv6 address"	-6 127.0.0.1 80
usage "-F without a socket"	"-F: stdout is not a unix-domain socket" \
				-F 127.0.0.1 80
usage "--trace unwritable"	"--trace: '/nonexistent/x'"	--trace /nonexistent/x 127.0.0.1 80
usage "--trace fd:x"		"--trace: 'fd:x'"		--trace fd:x 127.0.0.1 80
usage "--dns-server bogus"	"--dns-server 'bogus'"		--dns-server bogus -z 127.0.0.1 9
usage "bad host name"		"'bad name'.*not allowed"	--dns-server 127.0.0.1:9 "bad name" 80

# The proxy's options (hecat(1), Proxies); the password never from here.
unset HECAT_PROXY_PASSWORD
usage "-X 6"			"-X: '6': not 4, 5 or connect"	-X 6 -x p h 1
usage "-X without -x"		"-X needs -x"			-X 5 h 1
usage "-x and --proxy"		"--proxy and -x/-X exclude"	-x p --proxy socks5://p h 1
usage "--proxy ftp://"		"--proxy: 'ftp://p': not socks5h://" --proxy ftp://p h 1
usage "password in --proxy"	"no password in the URL"	--proxy socks5://a:b@p h 1
usage "-P without a proxy"	"-P needs a proxy"		-P a h 1
usage "-P without a password"	"proxy user 'a': no password"	-x p -P a h 1
usage "--proxy-password-file without a user" \
    "--proxy-password-file needs a user" -x p --proxy-password-file /dev/null h 1
usage "--race-until proxy without a proxy" \
    "--race-until proxy needs a proxy" --race-until proxy h 1
usage "IPv6 host through SOCKS4" "SOCKS4 reaches IPv4 addresses only" \
    -X 4 -x 127.0.0.1 ::1 1

hc --help
check "--help: usage on stdout, exit 0" \
    eval 'rc_is 0 && grep -q "^usage: hecat" "$tmp/out" && [ ! -s "$tmp/err" ]'
hc --version
check "--version: on stdout, exit 0" \
    eval 'rc_is 0 && grep -Eq "^hecat [0-9]" "$tmp/out" && [ ! -s "$tmp/err" ]'
hc -h
check "-h is --help" eval 'rc_is 0 && grep -q "^usage: hecat" "$tmp/out"'

finish
