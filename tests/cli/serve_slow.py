#!/usr/bin/env python3
"""serve_slow.py HOST PORT — issue 15 §12: an attacker on 20 loopback addresses
holds 1,000 connections that trickle header bytes (one a second, reconnecting
whatever the server closes); meanwhile GET /api/health from another address
must answer, every few seconds, each time within a bound.  Prints what it saw;
exits 1 when a health check failed.  Loopback only, bounded in time (~20 s)."""
import http.client
import socket
import sys
import threading
import time

HOST, PORT = sys.argv[1], int(sys.argv[2])
ADDRESSES = ["127.0.0.%d" % i for i in range(2, 22)]
PER_ADDRESS = 50                  # 20 × 50 = 1,000, under the per-address limit of 64
DURATION = 16                     # seconds of attack while health is checked
HEALTH_BOUND = 6.0                # seconds for one health check, retries included


def slow(src):
    s = socket.socket()
    s.settimeout(2)
    try:
        s.bind((src, 0))
        s.connect((HOST, PORT))
        s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        s.setblocking(False)
        return s
    except OSError:
        s.close()
        return None


def alive(s):
    try:
        s.send(b"a")
        return s.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def health(stop, results):
    time.sleep(3)                 # let the attack fill up first
    while not stop.is_set():
        t0 = time.monotonic()
        ok = False
        while time.monotonic() - t0 < HEALTH_BOUND and not ok:
            try:
                c = http.client.HTTPConnection(HOST, PORT, timeout=2, source_address=("127.0.0.1", 0))
                c.request("GET", "/api/health")
                ok = c.getresponse().status == 200
                c.close()
            except OSError:
                time.sleep(0.2)
        results.append((ok, time.monotonic() - t0))
        time.sleep(2)


def main():
    socks = [(a, slow(a)) for a in ADDRESSES for _ in range(PER_ADDRESS)]
    stop, results = threading.Event(), []
    t = threading.Thread(target=health, args=(stop, results))
    t.start()
    end, reconnects = time.monotonic() + DURATION, 0
    while time.monotonic() < end:
        for i, (a, s) in enumerate(socks):
            if s is None or not alive(s):
                if s is not None:
                    s.close()
                socks[i] = (a, slow(a))
                reconnects += 1
        time.sleep(1)
    held = sum(1 for _, s in socks if s is not None and alive(s))
    stop.set()
    t.join()
    for _, s in socks:
        if s is not None:
            s.close()
    worst = max((d for _, d in results), default=0)
    print("attack: %d connections from %d addresses, %d reconnects, %d still open at the end"
          % (len(socks), len(ADDRESSES), reconnects, held))
    print("health: %d checks, %d answered, slowest %.2f s" % (len(results), sum(ok for ok, _ in results), worst))
    sys.exit(0 if results and all(ok for ok, _ in results) else 1)


main()
