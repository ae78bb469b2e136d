# fish completion for hecat(1): installed in fish's
# vendor_completions.d, where it is loaded on demand.

# The TCP service names of /etc/services.
function __hecat_services
    test -r /etc/services
    and string match -rg '^([^#\s]+)\s+\d+/tcp' </etc/services
end

complete -c hecat -f
complete -c hecat -n '__fish_is_nth_token 1' -a '(__fish_print_hostnames)' -d host
complete -c hecat -n 'not __fish_is_nth_token 1' -a '(__hecat_services)' -d port

complete -c hecat -s 4 -d 'use IPv4 only'
complete -c hecat -s 6 -d 'use IPv6 only'
complete -c hecat -s c -l tls -d 'TLS over the connection, the server verified'
complete -c hecat -s d -l recv-only -d 'do not read stdin'
complete -c hecat -s F -d 'pass the connected socket to stdout and exit'
complete -c hecat -s h -l help -d 'print the help and exit'
complete -c hecat -s N -d 'accepted for nc; half-closing is the default'
complete -c hecat -s n -d 'numeric host and ports only'
complete -c hecat -s P -x -d 'the proxy user'
complete -c hecat -s p -x -d 'bind the local port'
complete -c hecat -s q -x -d 'after stdin EOF, exit once the peer is silent this long'
complete -c hecat -s s -x -d 'bind the local address'
complete -c hecat -s v -d 'verbose: -v nc-style lines, -vv the timeline'
complete -c hecat -s w -x -d 'deadline for the whole dial, and idle timeout'
complete -c hecat -s X -x -a '4 5 connect' -d 'the proxy protocol'
complete -c hecat -s x -x -a '(__fish_print_hostnames)' -d 'go through this proxy'
complete -c hecat -s z -d 'connect, report, close, exit: no data'

complete -c hecat -l attempt-delay -x -d 'between attempts (250ms)'
complete -c hecat -l attempt-timeout -x -d 'for each attempt (10s)'
complete -c hecat -l connect-timeout -x -d 'deadline for the whole dial'
complete -c hecat -l dns-server -x -d 'name server instead of resolv.conf'
complete -c hecat -l dns-tls -x -d 'ask this server over TLS: ADDR[:PORT]#NAME'
complete -c hecat -l dns-tls-ca -r -F -d 'CA certificates for --dns-tls'
complete -c hecat -l dnssec -d 'use only DNSSEC-validated answers'
complete -c hecat -l first-family-count -x -d 'addresses of the first family first'
complete -c hecat -l follow-losers -x -d 'after the race, watch the losing connects'
complete -c hecat -l idle-timeout -x -d 'end after this long without data'
complete -c hecat -l nat64-prefix -x -d 'the NAT64 prefix on an IPv6-only network'
complete -c hecat -l no-history -d 'neither use nor keep connection history'
complete -c hecat -l no-nat64 -d 'never reach IPv4 through NAT64'
complete -c hecat -l no-shutdown -d 'do not half-close the socket at stdin EOF'
complete -c hecat -l prefer -x -a '4 6' -d 'the family to try first'
complete -c hecat -l proxy -x -a 'socks5h:// socks5:// socks4a:// socks4:// http://' -d 'go through this proxy'
complete -c hecat -l proxy-password-file -r -F -d 'the proxy password, on the first line'
complete -c hecat -l proxy-resolve -x -a 'local remote' -d 'who resolves the host'
complete -c hecat -l race-until -x -a 'tcp proxy tls banner' -d 'when an attempt wins'
complete -c hecat -l recursive -d 'resolve from the root servers down'
complete -c hecat -l resolution-delay -x -d 'wait for AAAA after A (50ms)'
complete -c hecat -l resolve-retries -x -d 'tries after the first, per query (3)'
complete -c hecat -l resolve-timeout -x -d 'for each DNS try (1s)'
complete -c hecat -l root-hints -r -F -d 'the root servers for --recursive'
complete -c hecat -l send-only -d 'discard what the peer sends'
complete -c hecat -l tls-alpn -x -a 'h2,http/1.1 http/1.1 h2' -d 'offer these protocols (ALPN)'
complete -c hecat -l tls-ca -r -F -d 'trust these CAs, not the system store'
complete -c hecat -l tls-cert -r -F -d 'a client certificate (PEM)'
complete -c hecat -l tls-key -r -F -d 'the client certificate key (PEM)'
complete -c hecat -l tls-name -x -a '(__fish_print_hostnames)' -d 'the name for SNI and verification'
complete -c hecat -l tls-no-verify -d 'do not verify the server'
complete -c hecat -l trace -r -F -d 'JSON Lines trace to this file (- for stderr)'
complete -c hecat -l qlog -r -F -d 'the race as qlog, HEv3 events'
complete -c hecat -l trust-anchor -r -F -d 'DNSSEC trust anchors'
complete -c hecat -l version -d 'print the version and exit'
complete -c hecat -l waterfall -d 'draw the race on stderr when it ends'
