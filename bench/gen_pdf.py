#!/usr/bin/env python3
"""Writes an office-like PDF of N A4 pages for the rasterisation benchmark:
each page has a heading, 45 lines of body text, a ruled 6x8 table, and every
other page a 400x300 photo-like image (Flate-compressed RGB).
Usage: gen_pdf.py N OUT.pdf"""
import math, sys, zlib

n, path = int(sys.argv[1]), sys.argv[2]
objs = []
def add(b):
    objs.append(b)
    return len(objs)
catalog, pages_id = add(None), add(None)
font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
bold = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>")
w, h = 400, 300
pix = bytearray()
for y in range(h):
    for x in range(w):
        pix += bytes((int(128 + 127 * math.sin(x / 17.0)), int(128 + 127 * math.cos(y / 13.0)), (x * y) & 255))
img_data = zlib.compress(bytes(pix))
img = add(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 "
          b"/Filter /FlateDecode /Length %d >>\nstream\n" % (w, h, len(img_data)) + img_data + b"\nendstream")
words = ("information security policy asset classification confidentiality integrity availability "
         "network segment LGWAN internet sanitization audit trail incident response training").split()
kids = []
for p in range(n):
    c = bytearray(b"BT /F2 18 Tf 56 790 Td (Chapter %d: Information security measures) Tj ET\n" % (p + 1))
    for i in range(45):
        line = " ".join(words[(p * 7 + i * 3 + k) % len(words)] for k in range(11))
        c += b"BT /F1 10 Tf 56 %d Td (%s) Tj ET\n" % (760 - i * 12, line.encode())
    c += b"0.5 w\n"
    for r in range(9):
        c += b"56 %d m 540 %d l S\n" % (200 - r * 18, 200 - r * 18)
    for col in range(7):
        c += b"%d 56 m %d 200 l S\n" % (56 + col * 80, 56 + col * 80)
    res = b"/Font << /F1 %d 0 R /F2 %d 0 R >>" % (font, bold)
    if p % 2 == 0:
        c += b"q 200 0 0 150 340 20 cm /Im1 Do Q\n"
        res += b" /XObject << /Im1 %d 0 R >>" % img
    cs = zlib.compress(bytes(c))
    cid = add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(cs) + cs + b"\nendstream")
    kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << %s >> /Contents %d 0 R >>"
                    % (pages_id, res, cid)))
objs[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id
objs[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), n)
out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
offs = []
for i, b in enumerate(objs):
    offs.append(len(out))
    out += b"%d 0 obj\n" % (i + 1) + b + b"\nendobj\n"
x = len(out)
out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offs)
out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, catalog, x)
open(path, "wb").write(out)
