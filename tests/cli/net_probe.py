#!/usr/bin/env python3
"""net_probe.py — the TCP ends of tests/cli/net_namespaces.sh.

  net_probe.py listen READYFILE PORT...   accept (and close) on every address, IPv4 and
                                          IPv6, on each port; READYFILE is written once
                                          all are bound
  net_probe.py probe TIMEOUT              read "SRC DST PORT" lines; connect from SRC to
                                          DST:PORT, all at once, each within TIMEOUT
                                          seconds; print "SRC DST PORT ok|drop|refused"
"""
import socket
import sys
import threading


def listen(ready, ports):
    socks = []
    for port in ports:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind(("::", int(port)))
        s.listen(64)
        socks.append(s)
    with open(ready, "w") as f:
        f.write("ready\n")

    def serve(s):
        while True:
            c, _ = s.accept()
            c.close()

    threads = [threading.Thread(target=serve, args=(s,), daemon=True) for s in socks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def probe(timeout):
    jobs = [line.split() for line in sys.stdin if line.strip()]
    results = [None] * len(jobs)

    def one(i, src, dst, port):
        fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.bind((src, 0))
            s.connect((dst, int(port)))
            results[i] = "ok"
        except socket.timeout:
            results[i] = "drop"
        except ConnectionRefusedError:
            results[i] = "refused"
        except OSError as e:
            results[i] = "error:%s" % e.errno
        finally:
            s.close()

    threads = [threading.Thread(target=one, args=(i, *j)) for i, j in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for j, r in zip(jobs, results):
        print(*j, r)


if __name__ == "__main__":
    if sys.argv[1] == "listen":
        listen(sys.argv[2], sys.argv[3:])
    else:
        probe(float(sys.argv[2]))
