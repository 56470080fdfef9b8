#!/usr/bin/python3
"""SMTP helpers for the milter end-to-end test (tests/cli/milter_postfix.sh).

  smtp_tool.py sink DIR PORTFILE     a tiny SMTP server on 127.0.0.1: each message it
                                     receives becomes DIR/N.eml (the DATA, unstuffed)
                                     and DIR/N.rcpt (one envelope recipient a line);
                                     the port it listens on is written to PORTFILE
  smtp_tool.py send [--no-size] PORT FROM RCPT... < message
                                     sends the message (--no-size: without declaring
                                     its SIZE); prints "250 accepted" and a line per
                                     refused recipient, or the refusal as "CODE TEXT";
                                     exits 0 when the message was accepted
  smtp_tool.py freeport              prints a free TCP port on 127.0.0.1
"""
import os
import smtplib
import socket
import socketserver
import sys
import threading


class Sink(socketserver.StreamRequestHandler):
    lock = threading.Lock()

    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        self.reply("220 sink.test ESMTP")
        rcpts = []
        while True:
            line = self.rfile.readline(4096)
            if not line:
                return
            cmd = line.decode("ascii", "replace").strip()
            verb = cmd[:4].upper()
            if verb == "EHLO":
                self.reply("250-sink.test")
                self.reply("250-8BITMIME")
                self.reply("250 SIZE 100000000")
            elif verb == "HELO":
                self.reply("250 sink.test")
            elif verb == "MAIL":
                rcpts = []
                self.reply("250 2.1.0 ok")
            elif verb == "RCPT":
                rcpts.append(cmd.split(":", 1)[1].strip().split(" ")[0].strip("<>"))
                self.reply("250 2.1.5 ok")
            elif verb == "DATA":
                self.reply("354 go ahead")
                data = bytearray()
                while True:
                    l = self.rfile.readline()
                    if not l or l in (b".\r\n", b".\n"):
                        break
                    data += l[1:] if l.startswith(b".") else l
                with Sink.lock:
                    n = len([f for f in os.listdir(self.server.dir) if f.endswith(".eml")])
                    base = os.path.join(self.server.dir, str(n + 1))
                    with open(base + ".rcpt.tmp", "w") as f:
                        f.write("\n".join(rcpts) + "\n")
                    with open(base + ".eml.tmp", "wb") as f:
                        f.write(bytes(data))
                    os.rename(base + ".rcpt.tmp", base + ".rcpt")
                    os.rename(base + ".eml.tmp", base + ".eml")
                self.reply("250 2.0.0 queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 ok")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 5.5.2 not implemented")


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    if sys.argv[1] == "sink":
        srv = Server(("127.0.0.1", 0), Sink)
        srv.dir = sys.argv[2]
        with open(sys.argv[3] + ".tmp", "w") as f:
            f.write(str(srv.server_address[1]))
        os.rename(sys.argv[3] + ".tmp", sys.argv[3])
        srv.serve_forever()
    elif sys.argv[1] == "send":
        args = sys.argv[2:]
        no_size = args[0] == "--no-size"
        if no_size:
            args = args[1:]
        port, sender, rcpts = int(args[0]), args[1], args[2:]
        # on the wire every line ends in CRLF (smtplib leaves bytes as they are)
        msg = sys.stdin.buffer.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        try:
            with smtplib.SMTP("127.0.0.1", port, local_hostname="client.test", timeout=60) as s:
                s.ehlo()
                if no_size:
                    s.esmtp_features.pop("size", None)
                refused = s.sendmail(sender, rcpts, msg)
                for r, (code, text) in refused.items():
                    print(f"refused {r}: {code} {text.decode(errors='replace')}")
                print("250 accepted")
        except smtplib.SMTPRecipientsRefused as e:
            for r, (code, text) in e.recipients.items():
                print(f"{code} {text.decode(errors='replace')}")
            sys.exit(1)
        except smtplib.SMTPResponseException as e:
            print(f"{e.smtp_code} {e.smtp_error.decode(errors='replace')}")
            sys.exit(1)
    elif sys.argv[1] == "freeport":
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])
        s.close()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
