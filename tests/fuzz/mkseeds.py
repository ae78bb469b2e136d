#!/usr/bin/env python3
"""mkseeds.py - write the hand-made seeds of the fuzz corpora.

    tests/fuzz/mkseeds.py [--dnsd tests/hecat-dnsd] [CORPUSDIR]

Writes seed-* files into CORPUSDIR/<target>/ (default: tests/fuzz/corpus
beside this script).  With --dnsd, also asks the test DNS server (started
here on 127.0.0.1 with rules below) real questions over UDP and TCP and
keeps its replies as dns_reply seeds (real-*).  The committed corpora are
these seeds plus what make fuzz found, minimized (see README.md).
"""
import os
import socket
import struct
import subprocess
import sys
import tempfile

# ---- options: words, newline-separated -----------------------------------

OPTIONS = {
    'plain': 'example.com\n80',
    'many-ports': 'host\n1\n2\n3\n443\nhttp\nhttps\nssh\ndomain',
    'verbose-wait': '-v\n-w\n2.5\n::1\nhttp\n443',
    'source': '-s\n192.0.2.1\n-p\n5000\nexample.com\n22',
    'source-zone': '-s\nfe80::1%lo\n-6\nfe80::2%1\n22',
    'knobs': '--attempt-delay\n5ms\n--resolution-delay\n0\n'
             '--connect-timeout\n1m\n--idle-timeout\n150ms\n'
             '--attempt-timeout\n3\nhost\n1',
    'knobs2': '--first-family-count\n64\n--resolve-retries\n10\n'
              '--resolve-timeout\n0.5\n--prefer\n6\n-6\nh\n1',
    'equals': '--attempt-delay=3s\n--prefer=4\n-q0\nh\n1',
    'quit-never': '-q\n-1\n-n\n127.0.0.1\n80',
    'dns-trace': '--dns-server\n[::1]:5353,192.0.2.53\n--trace\n-\nh\n1',
    'modes': '--no-shutdown\n-N\n-d\n-F\nh\n1',
    'cluster': '-vvvz4\n192.0.2.7\n7',
    'help': '--help',
    'version': 'h\n--version',
    'dashdash': '--\n-weird\n80',
    'conflict-46': '-4\n-6\nh\n1',
    'conflict-zF': '-z\n-F\nh\n1',
    'conflict-prefer': '--prefer\n4\n-6\nh\n1',
    'conflict-send': '--recv-only\n--send-only\nh\n1',
    'bad-port': 'host\n65536',
    'bad-service': '-n\nhost\nhttp',
    'missing-value': 'h\n1\n-w',
    'unknown-long': '--frobnicate\nh\n1',
    'trailing-dot': 'a.\n1',
    'long-host': 'x' * 254 + '\n1',
    'empty-host': '\n1',
    'nul-separated': '-v\0-w\0001s\0example.com\0https',
}

# ---- durations and addresses: one string ----------------------------------

DURATION_PORT = [
    '2', '2.5', '150ms', '1m', '1440m', '86400', '86400.0001', '86400000ms',
    '0.0000001ms', '-1', '-', '--1', '-2.5m', '1.s', '.5', '1e3', '01.50s',
    '127.0.0.1', '0.0.0.0', '::1', '[::1]', '[fe80::1%lo]', 'fe80::1%1',
    '::ffff:192.0.2.1', '2001:db8::1%4294967295', '[::1]:5353',
    '192.0.2.1:53', '192.0.2.1:0', '1.2.3.4:65536', '[::1]x', 'fe80::1%',
    '[192.0.2.1]', '1.2.3', '1.2.3.4.5', '2001:db8::1:53',
]

# ---- hosts and resolv.conf: one text ---------------------------------------

HOSTS = {
    'debian-hosts': '127.0.0.1\tlocalhost\n127.0.1.1\tdebian\n\n'
                    '# The following lines are desirable for IPv6\n'
                    '::1     localhost ip6-localhost ip6-loopback\n'
                    'ff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n',
    'odd-hosts': '192.0.2.1 Web web. WEB www.example.com. # a comment\r\n'
                 '192.0.2.1 web\n2001:db8::1 web\n192.0.2.2 web\n'
                 'fe80::1%lo link-local\nfe80::2%nosuchif gone\n'
                 '[::1] bracketed\nnot-an-address name\n'
                 '10.0.0.1\v\fctl\x01name ok\x00after-nul\n'
                 '::ffff:10.0.0.1 mapped',
    'resolv': 'nameserver 192.0.2.53\nnameserver 2001:db8::53\n'
              'nameserver fe80::53%lo\nnameserver [::1]\n'
              'search example.com corp.example. ..bad a.b\n'
              'options ndots:2 timeout:3 attempts:4 rotate\n',
    'resolv-limits': ''.join('nameserver 192.0.2.%d\n' % i for i in range(20))
                     + 'domain first.example\n'
                     + 'search ' + ' '.join('d%d.example' % i
                                            for i in range(10)) + '\n'
                     + 'options ndots:99 timeout:0 attempts:100000000\n'
                     + '; comment\n#nameserver 192.0.2.99\n'
                     + 'nameserver\t192.0.2.200 ignored\n'
                     + 'search ' + 'a' * 64 + '.example ' + ('b' * 63 + '.')
                     * 4 + 'c\n',
    'resolv-crlf': 'domain example.org\r\nnameserver 127.0.0.53\r\n'
                   'options edns0 trust-ad ndots:0\r\nsearch x;y\r\n',
}

# ---- DNS replies: a control byte, then the message --------------------------

A, NS, CNAME, SOA, AAAA, OPT = 1, 2, 5, 6, 28, 41


def name(n):
    out = b''
    for label in n.rstrip('.').split('.'):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b'\0'


def rr(owner, typ, rdata, ttl=60, cls=1):
    if isinstance(owner, str):
        owner = name(owner)
    return owner + struct.pack('>HHIH', typ, cls, ttl, len(rdata)) + rdata


def msg(qname, qtype, answers=(), authority=(), additional=(), rcode=0,
        flags=0x8180, qid=0x1234):
    q = name(qname) + struct.pack('>HH', qtype, 1)
    return (struct.pack('>HHHHHH', qid, flags | rcode, 1, len(answers),
                        len(authority), len(additional)) + q +
            b''.join(answers) + b''.join(authority) + b''.join(additional))


def a(s):
    return socket.inet_pton(socket.AF_INET, s)


def aaaa(s):
    return socket.inet_pton(socket.AF_INET6, s)


def soa():
    return (name('ns.example.com') + name('hostmaster.example.com') +
            struct.pack('>IIIII', 1, 3600, 600, 86400, 60))


def dns_seeds():
    s = {}
    W = 'www.example.com'
    s['a'] = (0x00, msg(W, A, [rr(W, A, a('192.0.2.1')),
                               rr(W, A, a('192.0.2.2'))]))
    s['aaaa'] = (0x01, msg(W, AAAA, [rr(W, AAAA, aaaa('2001:db8::1')),
                                     rr(W, AAAA, aaaa('2001:db8::2'))]))
    s['a-max2'] = (0x20, s['a'][1])
    chain = [rr(W, CNAME, name('a.example.net')),
             rr('a.example.net', CNAME, name('B.Example.NET')),
             rr('b.example.net', A, a('198.51.100.7'))]
    s['cname-chain'] = (0x00, msg(W, A, chain))
    s['cname-reversed'] = (0x00, msg(W, A, chain[::-1]))
    s['cname-loop'] = (0x00, msg(W, A, [
        rr(W, CNAME, name('x.example')), rr('x.example', CNAME, name(W)),
        rr('x.example', A, a('192.0.2.9'))]))
    long_chain = [rr('c%d.example' % i if i else W, CNAME,
                     name('c%d.example' % (i + 1))) for i in range(20)]
    s['cname-20'] = (0x00, msg(W, A, long_chain +
                               [rr('c20.example', A, a('192.0.2.20')),
                                rr('c10.example', A, a('192.0.2.10'))]))
    s['other-owner'] = (0x00, msg(W, A, [rr('evil.example', A,
                                            a('203.0.113.66')),
                                         rr(W, A, a('192.0.2.1'))]))
    s['wrong-type'] = (0x01, msg(W, AAAA, [rr(W, A, a('192.0.2.1')),
                                           rr(W, AAAA, b'\x20\x01' * 7)]))
    s['bad-rdlength'] = (0x00, msg(W, A, [rr(W, A, b'\xc0\x00\x02\x01\x00'),
                                          rr(W, A, a('192.0.2.3'))]))
    # Compression: owners point at the question's name (offset 12).
    s['compressed'] = (0x00, msg(W, A, [
        rr(b'\xc0\x0c', CNAME, b'\x03cdn\xc0\x10'),
        rr(b'\x03cdn\xc0\x10', A, a('192.0.2.44')),
        rr(b'\xc0\x0c', A, a('192.0.2.45'))]))
    s['pointer-loop'] = (0x00, msg(W, A, [rr(b'\xc0\x21', A, a('192.0.2.1'))]))
    s['nxdomain'] = (0x00, msg('nx.example.com', A, [],
                               [rr('example.com', SOA, soa())], rcode=3))
    s['nodata'] = (0x01, msg(W, AAAA, [], [rr('example.com', SOA, soa())]))
    s['servfail'] = (0x00, msg(W, A, [], rcode=2))
    s['refused'] = (0x01, msg(W, AAAA, [], rcode=5))
    s['timeout-cb'] = (0x04, s['a'][1])
    s['error-cb'] = (0x06, s['a'][1])
    s['all-timeout'] = (0x08, s['a'][1])
    s['truncated-tc'] = (0x00, msg(W, A, [], flags=0x8380))
    s['cut-short'] = (0x00, s['a'][1][:-7])
    s['edns'] = (0x00, msg(W, A, [rr(W, A, a('192.0.2.1'))], additional=[
        rr(b'\0', OPT, b'', ttl=0, cls=1232)]))
    s['hundreds'] = (0x00, msg(W, A, [rr(b'\xc0\x0c', A,
                                         bytes([10, 0, i >> 8, i & 255]))
                                      for i in range(300)]))
    s['hundreds-aaaa'] = (0x01, msg(W, AAAA, [
        rr(b'\xc0\x0c', AAAA, aaaa('2001:db8::%x' % i)) for i in range(200)]))
    return s


DNSD_RULES = """
www.example.com A 192.0.2.1 192.0.2.2
www.example.com AAAA 2001:db8::1
alias.example.com CNAME www.example.com
deep.example.com CNAME alias.example.com
many.example.com A %s
tc.example.com A 192.0.2.9 tc
fail.example.com * servfail
no.example.com * refused
v4only.example.com A 192.0.2.4
""" % ' '.join('10.1.0.%d' % i for i in range(1, 65))


def dnsd_seeds(dnsd):
    with tempfile.NamedTemporaryFile('w', suffix='.rules',
                                     delete=False) as f:
        f.write(DNSD_RULES)
    p = subprocess.Popen([dnsd, f.name], stdout=subprocess.PIPE, text=True)
    try:
        port = int(p.stdout.readline().split()[1])
        out = {}
        for qn, qt, tcp in [('www.example.com', A, False),
                            ('www.example.com', AAAA, False),
                            ('deep.example.com', A, False),
                            ('deep.example.com', AAAA, False),
                            ('many.example.com', A, True),
                            ('many.example.com', A, False),
                            ('tc.example.com', A, False),
                            ('nx.example.com', A, False),
                            ('v4only.example.com', AAAA, False),
                            ('fail.example.com', A, False),
                            ('no.example.com', AAAA, False)]:
            q = msg(qn, qt, flags=0x0100)
            if tcp:
                s = socket.create_connection(('127.0.0.1', port), timeout=5)
                s.sendall(struct.pack('>H', len(q)) + q)
                n = struct.unpack('>H', s.recv(2))[0]
                r = b''
                while len(r) < n:
                    r += s.recv(n - len(r))
            else:
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.settimeout(5)
                s.sendto(q, ('127.0.0.1', port))
                r = s.recv(65535)
            s.close()
            key = '%s-%s%s' % (qn.split('.')[0], 'aaaa' if qt == AAAA
                               else 'a', '-tcp' if tcp else '')
            out[key] = (1 if qt == AAAA else 0, r)
        return out
    finally:
        p.terminate()
        p.wait()
        os.unlink(f.name)


# ---- engine: see the top of fuzz_engine.c --------------------------------------

def cfg(flags=0x40, rd=50, ad=250, at=9999, dl=0, rt=999, retries=3,
        ffc=1, inflight=8, addrs=7, t0=0x100, hist=(0, 0, 0, 0)):
    return (bytes([flags]) + struct.pack('>HHHHH', rd, ad, at, dl, rt) +
            bytes([retries | ffc << 4, inflight | addrs << 4]) +
            struct.pack('>H', t0) + bytes(hist))


def rec(addr, rtt=0, failed=False):
    """A history byte: pool address, RTT class (0-3), failed recently."""
    return addr | rtt << 5 | (0x80 if failed else 0)


ENGINE = {
    'happy-v6': cfg() + bytes([1, 0]) +
                bytes([4, 0, 2, 0, 1, 5, 0, 2, 6, 7, 6, 0, 0]),
    'a-first-rd': cfg() + bytes([1, 0]) +
                  bytes([5, 0, 1, 6, 0, 40, 4, 0, 1, 0, 6, 0, 1, 0, 200,
                         6, 1, 0]),
    'all-fail': cfg(inflight=2) + bytes([2, 0, 1]) +
                bytes([4, 0, 3, 0, 1, 2, 5, 0, 3, 6, 7, 8] +
                      [6, 0, 1, 2] * 12),
    'deadline': cfg(flags=0x00, dl=120) + bytes([0, 0]) +
                bytes([4, 0, 1, 0, 1, 3, 232]),
    'abort': cfg() + bytes([0, 0]) + bytes([5, 0, 1, 6, 138, 4, 0, 1, 0]),
    'ip-mode': cfg(flags=0x41) + bytes([3, 0, 0, 6, 1, 1, 0, 0, 1]) +
               bytes([6, 0, 1, 0, 255, 132, 6, 0, 0]),
    'transient': cfg(retries=2) + bytes([0, 0]) +
                 bytes([4, 5, 4, 6, 5, 7, 2, 2, 4, 0, 1, 3, 5, 0, 1, 9]),
    'spurious': cfg() + bytes([0, 0]) +
                bytes([7, 0, 0, 7, 50, 0, 4, 0, 1, 0, 4, 0, 1, 1, 7, 1, 0,
                       6, 0, 9, 7, 1, 0]),
    'late-timers': cfg(flags=0x00, dl=30000, at=300, rt=100) +
                   bytes([1, 0]) + bytes([3, 0, 10, 4, 0, 2, 0, 1, 3, 1, 0,
                                          3, 0, 5]),
    'bad-family': cfg(inflight=0x80),
    'v4-only-cfg': cfg(flags=0x44) + bytes([0, 0]) +
                   bytes([5, 0, 2, 6, 7, 4, 0, 1, 0, 6, 0, 1, 6, 0, 0]),
    # History: 2001:db8::1 failed, 2001:db8::2 and 192.0.2.1 with RTTs.
    'history-failed': cfg(hist=(0, rec(0, failed=True), rec(1, 1),
                                rec(6, 2))) + bytes([1, 0]) +
                      bytes([4, 0, 2, 0, 1, 5, 0, 2, 6, 7, 6, 0, 0]),
    'history-all-fail': cfg(inflight=2, hist=(0x31, rec(0, 3), rec(7, 1),
                                              rec(1, 2, True))) +
                        bytes([2, 0, 1]) +
                        bytes([4, 0, 3, 0, 1, 2, 5, 0, 3, 6, 7, 8] +
                              [6, 0, 1, 2] * 12),
}


# ---- proxies: a control byte, piece lengths, a reply (fuzz_proxy.c) --------

def px(reply, cuts=(), align=0, long=False):
    """The input for a reply, scanned in pieces of cuts (a byte each)."""
    if isinstance(reply, str):
        reply = reply.encode('latin-1')
    return (bytes([align | (8 if long else 0) | len(cuts) << 4]) +
            bytes(cuts) + reply)


KIB4 = 0xf3             # a piece length byte: 4 KiB
APP = 'SSH-2.0-x\r\n'
OK10 = 'HTTP/1.0 200 OK\r\n\r\n'


def long_tail(k):
    """After fuzz_proxy.c's 16128-byte pad: a line, then the end at
    16128 + k + 7 (16384, the cap, when k is 249)."""
    return 'Y: ' + 'y' * k + '\r\n\r\n' + APP


PROXY = {
    's5-ipv4': px(b'\x05\x00\x00\x01\xc0\x00\x02\x07\x04\x38' +
                  APP.encode()),
    's5-ipv4-none': px(b'\x05\x00\x00\x01' + bytes(6), align=1),
    's5-ipv6': px(b'\x05\x00\x00\x04' + bytes.fromhex(
        '20010db8000000000000000000000007') + b'\x01\xbb' + APP.encode(),
        align=1),
    's5-ipv6-none': px(b'\x05\x00\x00\x04' + bytes(18), align=3),
    's5-name1': px(b'\x05\x00\x00\x03\x01x\x00\x50' + APP.encode()),
    's5-name2': px(b'\x05\x00\x00\x03\x02xy\x00\x50', align=2),
    's5-name255': px(b'\x05\x00\x00\x03\xff' + b'n' * 255 + b'\x00\x50'),
    's5-name0': px(b'\x05\x00\x00\x03\x00\x00\x50'),
    's5-refused': px(b'\x05\x05\x00\x01' + bytes(6)),
    's5-unassigned': px(b'\x05\x2a\x00\x01' + bytes(6)),
    's5-bad-version': px(b'\x04\x00\x00\x01' + bytes(6)),
    's5-bad-rsv': px(b'\x05\x00\x01\x01' + bytes(6)),
    's5-bad-atyp': px(b'\x05\x00\x00\x02' + bytes(6)),
    's5-short': px(b'\x05\x00\x00\x01'),
    's5-method-none': px(b'\x05\xff'),
    's5-auth-ok': px(b'\x01\x00'),
    's4-granted': px(b'\x00\x5a\x1f\x90\xc0\x00\x02\x09' + APP.encode(),
                     align=5),
    's4-granted-none': px(b'\x00\x5a' + bytes(6)),
    's4-rejected': px(b'\x00\x5b' + bytes(6)),
    's4-vn4': px(b'\x04\x5a' + bytes(6)),
    'http-ok': px(OK10 + APP),
    'http-ok-bytewise': px(OK10 + APP, cuts=[1]),
    'http-ok-pieces': px('HTTP/1.1 200 Connection established\r\n'
                         'Via: 1.1 proxy\r\n\r\n' + APP, cuts=[3, 0, 5, 17]),
    'http-bare-lf': px('HTTP/1.1 200 OK\nVia: p\n\n\r\n\r\n', cuts=[2]),
    'http-mixed-ends': px('HTTP/1.1 200 OK\r\nA: b\n\r\r\nbody'),
    'http-empty-first': px('\n\nHTTP/1.1 200 OK\r\n\r\n'),
    'http-407': px('HTTP/1.1 407 Proxy Authentication Required\r\n'
                   'Proxy-Authenticate: Basic realm="proxy"\r\n'
                   'Content-Length: 0\r\n\r\n', cuts=[40, 1]),
    'http-502': px('HTTP/1.0 502 Bad Gateway\n\n<html>'),
    'http-no-reason': px('HTTP/1.1 200\r\n\r\n'),
    'http-bad-status': px('HTTP/1.1 20x OK\r\n\r\n'),
    'http-2': px('HTTP/2 200\r\n\r\n'),
    'http-long-line': px('HTTP/1.1 200 ' + 'r' * 300 + '\r\n\r\n',
                         cuts=[100]),
    'http-no-end': px('HTTP/1.1 200 OK\r\nX: y\r\n\r'),
    'http-cr-lines': px('HTTP/1.1 200 OK\r\n\rX\r\n\r\r\n'),
    'name-http-ok': px('example.com'),
    'name-space': px('a b\r\nX-Evil: 1'),
    'name-bracket': px('[::1]'),
    'long-at-cap': px(long_tail(249), long=True),
    'long-past-cap': px(long_tail(250), long=True),
    'long-at-cap-4k': px(long_tail(249), cuts=[KIB4], long=True),
    'long-past-cap-4k': px(long_tail(250), cuts=[KIB4, 1], long=True),
    'long-no-end': px('Y: ' + 'y' * 300, cuts=[KIB4 + 12], long=True),
}


def write(d, fname, data):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, fname), 'wb') as f:
        f.write(data)


def main():
    args = sys.argv[1:]
    dnsd = None
    if len(args) >= 2 and args[0] == '--dnsd':
        dnsd = args[1]
        args = args[2:]
    top = args[0] if args else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), 'corpus')
    for k, v in OPTIONS.items():
        write(os.path.join(top, 'options'), 'seed-' + k, v.encode())
    for i, v in enumerate(DURATION_PORT):
        write(os.path.join(top, 'duration_port'), 'seed-%02d' % i,
              v.encode())
    for k, v in HOSTS.items():
        write(os.path.join(top, 'hosts'), 'seed-' + k, v.encode())
    seeds = dns_seeds()
    if dnsd:
        seeds.update({'real-' + k: v for k, v in dnsd_seeds(dnsd).items()})
    for k, (ctl, m) in seeds.items():
        write(os.path.join(top, 'dns_reply'),
              k if k.startswith('real-') else 'seed-' + k,
              bytes([ctl]) + m)
    for k, v in ENGINE.items():
        write(os.path.join(top, 'engine'), 'seed-' + k, v)
    for k, v in PROXY.items():
        write(os.path.join(top, 'proxy'), 'seed-' + k, v)


if __name__ == '__main__':
    main()
