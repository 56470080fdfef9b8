#!/usr/bin/env python3
"""A local SMTP sink for the tests (standard library only; smtpd is gone
from Python 3.12): accepts every message on 127.0.0.1 and keeps each in DIR
as N.eml, with its envelope in N.json ({"from", "to": [...]}).

usage: smtp_sink.py DIR PORTFILE [--refuse ADDRESS]...
Listens on a free port and writes it to PORTFILE once ready.  A recipient
given with --refuse is answered 550 (a relay that refuses one address).
"""
import asyncio
import json
import os
import sys


class Sink:
    def __init__(self, out, refuse):
        self.out = out
        self.refuse = set(refuse)
        self.count = 0

    async def session(self, reader, writer):
        def say(line):
            writer.write(line.encode() + b"\r\n")

        sender, rcpts = None, []
        say("220 sink ESMTP")
        await writer.drain()
        while True:
            line = await reader.readline()
            if not line:
                break
            cmd = line.decode("ascii", "replace").strip()
            verb = cmd.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                say("250-sink" if verb == "EHLO" else "250 sink")
                if verb == "EHLO":
                    say("250-8BITMIME")
                    say("250 SIZE 10485760")
            elif verb == "MAIL":
                sender, rcpts = cmd.split(":", 1)[1].strip().split(" ")[0].strip("<>"), []
                say("250 ok")
            elif verb == "RCPT":
                addr = cmd.split(":", 1)[1].strip().strip("<>")
                if addr in self.refuse:
                    say("550 5.1.1 no such user")
                else:
                    rcpts.append(addr)
                    say("250 ok")
            elif verb == "DATA":
                if not rcpts:
                    say("554 no valid recipients")
                    await writer.drain()
                    continue
                say("354 end with .")
                await writer.drain()
                lines = []
                while True:
                    l = await reader.readline()
                    if not l or l == b".\r\n":
                        break
                    lines.append(l[1:] if l.startswith(b"..") else l)
                self.count += 1
                base = os.path.join(self.out, str(self.count))
                with open(base + ".eml.tmp", "wb") as f:
                    f.write(b"".join(lines))
                with open(base + ".json", "w") as f:
                    json.dump({"from": sender, "to": rcpts}, f)
                os.rename(base + ".eml.tmp", base + ".eml")
                say("250 queued as %d" % self.count)
            elif verb in ("RSET", "NOOP"):
                say("250 ok")
            elif verb == "QUIT":
                say("221 bye")
                await writer.drain()
                break
            else:
                say("502 not implemented")
            await writer.drain()
        writer.close()


async def main():
    out, portfile = sys.argv[1], sys.argv[2]
    refuse = [sys.argv[i + 1] for i, a in enumerate(sys.argv) if a == "--refuse"]
    sink = Sink(out, refuse)
    server = await asyncio.start_server(sink.session, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    with open(portfile + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(portfile + ".tmp", portfile)
    async with server:
        await server.serve_forever()


asyncio.run(main())
