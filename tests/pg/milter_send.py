#!/usr/bin/python3
"""The MTA's side of the milter protocol (version 6), for load on `mamori milter`
without an MTA (tests/pg/writers.sh).

  milter_send.py PORT COUNT THREADS RCPT   sends COUNT messages from the internet
                                           to RCPT through the milter on
                                           127.0.0.1:PORT, THREADS at a time, a
                                           connection each; prints one line:
                                           "accepted N rejected N tempfail N other N"

A message is accepted when the milter's last answer at its end is continue or
accept (its verdict is recorded in the store's audit trail before the milter
answers), rejected on reject or a 5xx reply (also recorded), tempfail on
tempfail or a 4xx reply (not recorded: the MTA would try again).
"""
import socket
import struct
import sys
import threading

SMFIF_ALL = 0x1FF  # every action an MTA may allow (add/change headers, replace body, ...)


def packet(cmd, data=b""):
    return struct.pack(">I", len(data) + 1) + cmd + data


def read_packet(f):
    head = f.read(4)
    if len(head) < 4:
        raise EOFError("the milter closed the connection")
    n = struct.unpack(">I", head)[0]
    body = f.read(n)
    if len(body) < n:
        raise EOFError("the milter closed the connection")
    return body[:1], body[1:]


class Session:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), 30)
        self.f = self.sock.makefile("rb")

    def send(self, cmd, data=b""):
        self.sock.sendall(packet(cmd, data))

    def ask(self, cmd, data=b""):
        """Sends a command, returns the milter's final answer (after modifications and progress)."""
        self.send(cmd, data)
        while True:
            c, d = read_packet(self.f)
            if c in (b"p", b"h", b"m", b"b", b"i", b"+", b"-", b"e", b"2", b"q", b"f"):
                continue  # progress, or a modification of the message
            return c, d

    def close(self):
        try:
            self.send(b"Q")
        except OSError:
            pass
        self.sock.close()


def z(*parts):
    return b"".join(p.encode() + b"\0" for p in parts)


def one(port, n, rcpt):
    s = Session(port)
    try:
        s.send(b"O", struct.pack(">III", 6, SMFIF_ALL, 0))
        c, _ = read_packet(s.f)
        if c != b"O":
            return "other"
        s.send(b"D", b"C" + z("j", "gateway.test", "{daemon_name}", "internet"))
        for cmd, data in ((b"C", b"client.test\0" + b"4" + struct.pack(">H", 25) + b"127.0.0.1\0"),
                          (b"H", z("client.test")),
                          (b"M", z("<sender@example.com>")),
                          (b"R", z("<%s>" % rcpt)),
                          (b"T", b"")):
            c, d = s.ask(cmd, data)
            if c != b"c":
                return verdict(c, d)
        headers = [("From", "sender@example.com"), ("To", rcpt), ("Subject", "load %d" % n),
                   ("Message-ID", "<load-%d-%d@example.com>" % (port, n)),
                   ("MIME-Version", "1.0"), ("Content-Type", "text/html; charset=utf-8")]
        for name, value in headers:
            c, d = s.ask(b"L", z(name, value))
            if c != b"c":
                return verdict(c, d)
        c, d = s.ask(b"N")
        if c != b"c":
            return verdict(c, d)
        body = ("<html><body><p>load test %d</p><a href=\"https://example.com/\">link</a></body></html>\r\n" % n)
        c, d = s.ask(b"B", body.encode())
        if c != b"c":
            return verdict(c, d)
        s.send(b"D", b"E" + z("i", "Q%05d%d" % (n, port)))
        c, d = s.ask(b"E")
        return verdict(c, d)
    finally:
        s.close()


def verdict(c, d):
    if c in (b"c", b"a"):
        return "accepted"
    if c == b"r":
        return "rejected"
    if c == b"t":
        return "tempfail"
    if c == b"y":
        return "rejected" if d[:1] == b"5" else "tempfail"
    return "other"


def main():
    port, count, threads, rcpt = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    counts = {"accepted": 0, "rejected": 0, "tempfail": 0, "other": 0}
    lock = threading.Lock()
    todo = iter(range(count))

    def worker():
        while True:
            with lock:
                n = next(todo, None)
            if n is None:
                return
            try:
                v = one(port, n, rcpt)
            except (OSError, EOFError) as e:
                print("milter_send: message %d: %s" % (n, e), file=sys.stderr)
                v = "other"
            with lock:
                counts[v] += 1

    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print(" ".join("%s %d" % (k, counts[k]) for k in ("accepted", "rejected", "tempfail", "other")))


if __name__ == "__main__":
    main()
