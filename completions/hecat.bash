# bash completion for hecat(1): options, their values, hosts, ports.
# Installed as "hecat" in bash-completion's completionsdir, where it is
# loaded on demand; or source it from ~/.bashrc.  Self-contained: it does
# not need the bash-completion package's helpers.

_hecat()
{
	local cur prev i n opts
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()

	# --option=value: complete the value as if it were the next word.
	if [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		cur=${cur#*=}
	fi

	case $prev in
	--trace|--qlog|--trust-anchor|--root-hints|--dns-tls-ca|--tls-ca|\
	--tls-cert|--tls-key|--proxy-password-file)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--prefer)
		COMPREPLY=($(compgen -W "4 6" -- "$cur"))
		return ;;
	--race-until)
		COMPREPLY=($(compgen -W "tcp proxy tls banner" -- "$cur"))
		return ;;
	--proxy-resolve)
		COMPREPLY=($(compgen -W "local remote" -- "$cur"))
		return ;;
	-X)
		COMPREPLY=($(compgen -W "4 5 connect" -- "$cur"))
		return ;;
	--proxy)
		COMPREPLY=($(compgen -W "socks5h:// socks5:// socks4a:// \
		    socks4:// http://" -- "$cur"))
		return ;;
	-s)
		COMPREPLY=($(compgen -W "$(_hecat_addrs)" -- "$cur"))
		return ;;
	-x)
		COMPREPLY=($(compgen -A hostname -- "$cur"))
		return ;;
	-P|-p|-q|-w|--attempt-delay|--attempt-timeout|--connect-timeout|\
	--dns-server|--dns-tls|--first-family-count|--follow-losers|\
	--idle-timeout|\
	--nat64-prefix|--resolution-delay|--resolve-retries|\
	--resolve-timeout|--tls-alpn|--tls-name)
		return ;;		# a value of the user's own
	esac

	if [[ $cur == -* ]]; then
		opts="-4 -6 -c -d -F -h -N -n -P -p -q -s -v -w -X -x -z
		    --attempt-delay --attempt-timeout --connect-timeout
		    --dns-server --dns-tls --dns-tls-ca --dnssec
		    --first-family-count --follow-losers --help --idle-timeout
		    --nat64-prefix
		    --no-history --no-nat64 --no-shutdown --prefer --proxy
		    --proxy-password-file --proxy-resolve --qlog --race-until
		    --recursive --recv-only --resolution-delay
		    --resolve-retries --resolve-timeout --root-hints
		    --send-only --tls --tls-alpn --tls-ca --tls-cert --tls-key
		    --tls-name --tls-no-verify --trace --trust-anchor
		    --version --waterfall"
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi

	# Operands: the host first, then ports.  Count those before this word.
	n=0
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--*=*|-[46cdFhNnvz]*) ;;
		-P|-p|-q|-s|-w|-X|-x|--attempt-delay|--attempt-timeout|\
		--connect-timeout|--dns-server|--dns-tls|--dns-tls-ca|\
		--first-family-count|--idle-timeout|--nat64-prefix|--prefer|\
		--proxy|--proxy-password-file|--proxy-resolve|--race-until|\
		--resolution-delay|--resolve-retries|--resolve-timeout|\
		--root-hints|--tls-alpn|--tls-ca|--tls-cert|--tls-key|\
		--tls-name|--trace|--trust-anchor)
			((i++)) ;;	# its value is the next word
		-*) ;;
		*) ((n++)) ;;
		esac
	done
	if ((n == 0)); then
		COMPREPLY=($(compgen -A hostname -- "$cur"))
	else
		COMPREPLY=($(compgen -W "$(_hecat_services)" -- "$cur"))
	fi
}

# The TCP service names of /etc/services.
_hecat_services()
{
	[[ -r /etc/services ]] &&
	    awk '$1 !~ /^#/ && $2 ~ /\/tcp$/ { print $1 }' /etc/services
}

# The host's own addresses (for -s).
_hecat_addrs()
{
	command -v ip >/dev/null 2>&1 &&
	    ip -o addr show 2>/dev/null | awk '{ sub(/\/.*/, "", $4); print $4 }'
}

complete -F _hecat hecat
