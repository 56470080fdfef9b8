#!/usr/bin/env python3
"""Builds the mails and PDFs of tests/cli/sanitize_mail_pdf_attacks.sh into DIR:
what still got through the mail and PDF 無害化 after issue 15 (the h-sanitize
branch and tests/cli/sanitize_hostile.sh).  Standard library only.

  urls.eml           bare URLs that mail clients link and the defanging missed: after
                     "_", "-" or "@" ("_https://…" is a link in Thunderbird), with a
                     host in Japanese or full-width letters (left whole, scheme and
                     all), "ftp.…" (completed to ftp:// like "www."), a UNC path
                     \\\\host\\share (Outlook links it; opening it sends the NTLM hash);
                     in text/plain and in HTML text nodes
  names.eml          attachment names with format characters outside the old list:
                     U+206E, U+00AD, tag characters (U+E0041), U+180E, U+FFF9, and a
                     Hangul filler U+3164 (a letter that shows as nothing)
  objstm-hex.pdf     the catalog's /OpenAction JavaScript inside an object stream
                     behind [/ASCIIHexDecode /FlateDecode]
  objstm-flate2.pdf  … behind [/FlateDecode /FlateDecode] (inflated once, still compressed)
  objstm-rc4.pdf     the same in a plain Flate object stream of a PDF encrypted with
                     an empty user password (RC4, 40 bits): poppler opens it without
                     asking, the stream is ciphertext to a scan
  objstm-untyped.pdf an object stream without /Type /ObjStm (poppler needs only /N
                     and /First)
  objstm-space.pdf   "stream" followed by spaces before its end of line (poppler
                     skips to the next line)
  objstm-endobj.pdf  a string holding "endobj" between /Type /ObjStm and the stream
                     (a scan of names took it for the end of the object)
"""
import binascii
import email.policy
import hashlib
import os
import struct
import sys
import zlib
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

URL_TEXT = ("A _https://evil.example.com/u1 B -http://evil.example.com/u2 C @https://evil.example.com/u3\n"
            "D https://例え.テスト/u4 E https://ｅｖｉｌ.example.com/u5 F ftp.evil.example.com/u6\n"
            "G \\\\evil.example.com\\share\\u7.exe H \\\\192.168.10.20\\c$\\u8 "
            "I https://evil.example.com/u9を見てください。\n")


def head(m, subject):
    m["Subject"] = subject
    m["From"] = "yamada@example.jp"
    m["To"] = "soumu@city.example.lg.jp"
    m["Date"] = "Sun, 22 Nov 2026 10:00:00 +0900"
    m["Message-ID"] = "<%s@example.jp>" % subject
    return m


def build_mail(out):
    def save(name, m):
        open(os.path.join(out, name + ".eml"), "wb").write(m.as_bytes(policy=email.policy.SMTP))
    mixed = MIMEMultipart("mixed")
    mixed.attach(MIMEText("本文:\n" + URL_TEXT, "plain", "utf-8"))
    html = "<html><body><p>HTML:</p>" + "".join(
        "<p>%s</p>" % l.replace("&", "&amp;").replace("<", "&lt;") for l in URL_TEXT.splitlines()) + "</body></html>"
    mixed.attach(MIMEText(html, "html", "utf-8"))
    save("urls", head(mixed, "urls"))
    mixed = MIMEMultipart("mixed")
    mixed.attach(MIMEText("添付をご確認ください。", "plain", "utf-8"))
    for fname in ("report\u206e.pdf", "soft\u00adhyphen.exe", "tag\U000E0041\U000E007F.exe", "mongol\u180e.exe",
                  "note\ufff9a\ufffbb.exe", "blank\u3164.exe"):
        a = MIMEApplication(b"payload " + fname.encode(), "octet-stream")
        a.add_header("Content-Disposition", "attachment", filename=("utf-8", "", fname))
        mixed.attach(a)
    save("names", head(mixed, "names"))


# ---- PDF ---------------------------------------------------------------------------
def rc4(key, data):
    s, j, out = list(range(256)), 0, bytearray()
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) & 255
        s[i], s[j] = s[j], s[i]
    i = j = 0
    for b in data:
        i = (i + 1) & 255
        j = (j + s[i]) & 255
        s[i], s[j] = s[j], s[i]
        out.append(b ^ s[(s[i] + s[j]) & 255])
    return bytes(out)


PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def objstm_pdf(filters=b"/FlateDecode", encrypt=False, typed=True, keyword=b"stream\n", extra=b""):
    """Objects 1 (catalog, /OpenAction 5 0 R) and 5 (the JavaScript) in the object
    stream 6 (without /Type /ObjStm unless typed; extra after /First; its data
    after keyword); pages
    and content plain; an xref stream 7; with encrypt, the standard security
    handler (V 1, R 2, empty passwords) as object 8."""
    page = b"0 0 0 rg 100 100 100 100 re f\n"
    inner = [(1, b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>"),
             (5, b"<< /S /JavaScript /JS (app.launchURL\\('https://evil.example.com/'\\);) >>")]
    hd, body = b"", b""
    for num, o in inner:
        hd += b"%d %d " % (num, len(body))
        body += o + b"\n"
    stm = zlib.compress(hd + body)
    if filters == b"[/ASCIIHexDecode /FlateDecode]":
        stm = binascii.hexlify(stm) + b">"
    elif filters == b"[/FlateDecode /FlateDecode]":
        stm = zlib.compress(stm)
    ident = hashlib.md5(b"mamori objstm").digest()
    key = None
    if encrypt:
        o = rc4(hashlib.md5(PAD).digest()[:5], PAD)
        key = hashlib.md5(PAD + o + struct.pack("<i", -4) + ident).digest()[:5]
        u = rc4(key, PAD)

    def crypt(num, data):
        if key is None:
            return data
        return rc4(hashlib.md5(key + struct.pack("<I", num)[:3] + b"\0\0").digest()[:10], data)
    page = crypt(4, page)
    stm = crypt(6, stm)
    plain = {2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
             3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
             4: b"<< /Length %d >>\nstream\n%s\nendstream" % (len(page), page),
             6: b"<< %s/N %d /First %d %s/Filter %s /Length %d >>\n%s%s\nendstream"
                % (b"/Type /ObjStm " if typed else b"", len(inner), len(hd), extra, filters, len(stm), keyword, stm)}
    if encrypt:
        plain[8] = b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -4 >>" % (o.hex().encode(), u.hex().encode())
    data = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(plain):
        offsets[num] = len(data)
        data += b"%d 0 obj\n%s\nendobj\n" % (num, plain[num])
    size = 9 if encrypt else 8
    offsets[7] = len(data)
    rows = b""
    for num in range(size):
        if num == 0:
            rows += struct.pack(">BIH", 0, 0, 65535)
        elif num in (1, 5):
            rows += struct.pack(">BIH", 2, 6, [n for n, _ in inner].index(num))
        else:
            rows += struct.pack(">BIH", 1, offsets[num], 0)
    xs = zlib.compress(rows)
    extra = b"/Encrypt 8 0 R /ID [<%s> <%s>] " % (ident.hex().encode(), ident.hex().encode()) if encrypt else b""
    data += (b"7 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R %s/Filter /FlateDecode /Length %d >>\n"
             b"stream\n%s\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % (size, extra, len(xs), xs, offsets[7]))
    return bytes(data)


def build_pdf(out):
    def write(name, data):
        open(os.path.join(out, name), "wb").write(data)
    write("objstm-hex.pdf", objstm_pdf(filters=b"[/ASCIIHexDecode /FlateDecode]"))
    write("objstm-flate2.pdf", objstm_pdf(filters=b"[/FlateDecode /FlateDecode]"))
    write("objstm-rc4.pdf", objstm_pdf(encrypt=True))
    write("objstm-untyped.pdf", objstm_pdf(typed=False))
    write("objstm-space.pdf", objstm_pdf(keyword=b"stream  \r\n"))
    write("objstm-endobj.pdf", objstm_pdf(extra=b"/Note (endobj) "))


if __name__ == "__main__":
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    build_mail(d)
    build_pdf(d)
