#!/usr/bin/env python3
"""he_asyncio.py - Python asyncio's Happy Eyeballs, for bench/connect.sh.

    he_asyncio.py HOST PORT [TIMEOUT_S [DELAY_S]]

asyncio.open_connection(HOST, PORT, happy_eyeballs_delay=DELAY_S) (0.25,
the value the asyncio documentation recommends and aiohttp uses),
bounded by asyncio.wait_for(TIMEOUT_S) (default 5; 0: no bound).  Name resolution is
the event loop's: one getaddrinfo(AF_UNSPEC) in a thread, so it waits
for both A and AAAA.  Prints one line on stdout,

    connect_ms=12.345 addr=2001:db8:2::10 family=inet6

timed from just before open_connection to its return (the interpreter's
start-up is not in it), and exits 0; on failure prints
"connect_ms=... error=..." and exits 1.
"""
import asyncio
import socket
import sys
import time


async def main(host, port, timeout, delay):
    t0 = time.monotonic()
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, happy_eyeballs_delay=delay),
            timeout if timeout > 0 else None)
    except (OSError, asyncio.TimeoutError) as e:
        ms = (time.monotonic() - t0) * 1000
        print(f"connect_ms={ms:.3f} error={type(e).__name__}: {e}")
        return 1
    ms = (time.monotonic() - t0) * 1000
    sock = writer.get_extra_info("socket")
    peer = writer.get_extra_info("peername")
    fam = "inet6" if sock.family == socket.AF_INET6 else "inet"
    print(f"connect_ms={ms:.3f} addr={peer[0]} family={fam}")
    writer.close()
    try:
        await writer.wait_closed()
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: he_asyncio.py HOST PORT [TIMEOUT_S [DELAY_S]]")
    sys.exit(asyncio.run(main(
        sys.argv[1], int(sys.argv[2]),
        float(sys.argv[3]) if len(sys.argv) > 3 else 5.0,
        float(sys.argv[4]) if len(sys.argv) > 4 else 0.25)))
