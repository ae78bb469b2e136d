#!/usr/bin/env python3
"""load_asyncio.py - bench/load.c's workload for Python asyncio.

    load_asyncio.py [-b] [-L] [-c CONC] [-n DIALS] [-s EVERY] [-w WARMUP]
                    [-d DELAY] -p PORT HOST...

DIALS dials (default 100,000) of the HOSTs in turn, each
asyncio.open_connection(HOST, PORT, happy_eyeballs_delay=DELAY) (0.25,
the value the asyncio documentation recommends), at most CONC at once
(default 1) through an asyncio.Semaphore; with -b in bursts of CONC
started together and all waited for.  Each connection is closed at once
(writer.close(), then wait_closed()); with -L with an RST (SO_LINGER 0).
Name resolution is the event loop's: getaddrinfo(AF_UNSPEC) in the
default thread pool, so glibc's resolver (nsswitch, /etc/hosts,
resolv.conf).

Every EVERY dials (default 10,000) nothing is in flight and a line is
printed: the rate and latencies of that stretch, the descriptors open and
the resident set (VmRSS, KiB).  The last line is the summary, in
bench/load.c's format:

    RESULT dials=N ok=N fail=N secs=S rate=R fds0=F fds1=F rss0=K rss1=K
        p50_ms=X p99_ms=X max_ms=X
"""
import argparse
import array
import asyncio
import os
import socket
import struct
import sys
import time

LINGER0 = struct.pack("ii", 1, 0)


def count_fds():
    return len(os.listdir("/proc/self/fd")) - 1


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


class Run:
    def __init__(self, args):
        self.a = args
        self.seq = 0
        self.ok = 0
        self.fail = 0
        self.first_error = None
        # Latencies (ms), preallocated so that they do not grow the RSS.
        self.lat = array.array("d", bytes(8 * args.every))
        self.nlat = 0

    async def one(self, host, sem):
        try:
            t0 = time.monotonic()
            try:
                _, w = await asyncio.wait_for(
                    asyncio.open_connection(
                        host, self.a.port,
                        happy_eyeballs_delay=self.a.delay), 30)
            except (OSError, asyncio.TimeoutError) as e:
                self.fail += 1
                if self.first_error is None:
                    self.first_error = f"{host}: {type(e).__name__}: {e}"
                return
            if self.nlat < len(self.lat):
                self.lat[self.nlat] = (time.monotonic() - t0) * 1000
                self.nlat += 1
            self.ok += 1
            if self.a.rst:
                w.get_extra_info("socket").setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, LINGER0)
            w.close()
            try:
                await w.wait_closed()
            except OSError:
                pass
        finally:
            sem.release()

    async def stretch(self, n):
        """n dials, all finished on return.  A task is made as a slot of
        the semaphore frees: at most CONC exist at once."""
        sem = asyncio.Semaphore(self.a.conc)
        done = 0
        while done < n:
            k = min(self.a.conc, n - done) if self.a.burst else n - done
            for _ in range(k):
                await sem.acquire()
                host = self.a.hosts[self.seq % len(self.a.hosts)]
                self.seq += 1
                asyncio.create_task(self.one(host, sem))
            # Every slot back: nothing in flight.
            for _ in range(self.a.conc):
                await sem.acquire()
            for _ in range(self.a.conc):
                sem.release()
            done += k


def pct(v, q):
    return v[min(len(v) - 1, int(len(v) * q))] if v else 0.0


async def main(a):
    r = Run(a)
    print(f"# asyncio (Python {sys.version.split()[0]}): {a.dials} dials of "
          f"{' '.join(a.hosts)} port {a.port}, {a.conc} "
          f"{'at once in bursts' if a.burst else 'in flight'}, "
          f"warm-up {a.warmup}, sample every {a.every}, "
          f"happy_eyeballs_delay={a.delay}", flush=True)
    done = 0
    while done < a.warmup:
        k = min(a.every, a.warmup - done)
        await r.stretch(k)
        done += k
    r.ok = r.fail = 0
    alllat = array.array("d", bytes(8 * a.dials))
    nall = 0
    fds0, rss0 = count_fds(), rss_kib()
    fds1, rss1 = fds0, rss0
    print(f"{'dials':>9} {'secs':>7} {'dials/s':>8} {'us/dial':>8} "
          f"{'p50_ms':>8} {'p99_ms':>8} {'max_ms':>8} {'fds':>5} "
          f"{'rss_kib':>10} {'growth':>8}")
    print(f"{0:>9} {'-':>7} {'-':>8} {'-':>8} {'-':>8} {'-':>8} {'-':>8} "
          f"{fds0:>5} {rss0:>10} {0:>+8}", flush=True)
    total = 0.0
    done = 0
    while done < a.dials:
        k = min(a.every, a.dials - done)
        r.nlat = 0
        t0 = time.monotonic()
        await r.stretch(k)
        secs = time.monotonic() - t0
        total += secs
        done += k
        fds1, rss1 = count_fds(), rss_kib()
        alllat[nall:nall + r.nlat] = r.lat[:r.nlat]
        nall += r.nlat
        lat = sorted(r.lat[:r.nlat])
        print(f"{done:>9} {secs:>7.2f} {k / secs:>8.0f} "
              f"{secs * 1e6 / k:>8.1f} {pct(lat, .5):>8.3f} "
              f"{pct(lat, .99):>8.3f} {lat[-1] if lat else 0:>8.3f} "
              f"{fds1:>5} {rss1:>10} {rss1 - rss0:>+8}", flush=True)
    alllat = sorted(alllat[:nall])
    print(f"RESULT dials={r.ok + r.fail} ok={r.ok} fail={r.fail} "
          f"secs={total:.3f} rate={(r.ok + r.fail) / total:.0f} "
          f"fds0={fds0} fds1={fds1} rss0={rss0} rss1={rss1} "
          f"p50_ms={pct(alllat, .5):.3f} p99_ms={pct(alllat, .99):.3f} "
          f"max_ms={alllat[-1] if alllat else 0:.3f}", flush=True)
    if r.fail:
        print(f"load_asyncio: {r.fail} dials failed; first: "
              f"{r.first_error}", file=sys.stderr)
    return 0 if r.fail == 0 else 1


if __name__ == "__main__":
    p = argparse.ArgumentParser(description="asyncio dials under load")
    p.add_argument("-b", dest="burst", action="store_true")
    p.add_argument("-L", dest="rst", action="store_true")
    p.add_argument("-c", dest="conc", type=int, default=1)
    p.add_argument("-n", dest="dials", type=int, default=100000)
    p.add_argument("-s", dest="every", type=int, default=10000)
    p.add_argument("-w", dest="warmup", type=int, default=None)
    p.add_argument("-d", dest="delay", type=float, default=0.25)
    p.add_argument("-p", dest="port", type=int, required=True)
    p.add_argument("hosts", nargs="+")
    a = p.parse_args()
    if a.warmup is None:
        a.warmup = max(1000, 2 * a.conc)
    a.every = min(a.every, a.dials)
    sys.exit(asyncio.run(main(a)))
