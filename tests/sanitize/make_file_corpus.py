#!/usr/bin/env python3
"""Builds the corpus of `mamori sanitize file` tests (tests/cli/sanitize_file.sh).

Every file is made here from the standard library only (no PIL, no Office), so
that the tests know exactly what each input holds:

  sample.pdf          3 A4 pages, each with text, a black square at a known place,
                      an embedded file, a URI link and document JavaScript
  macro.docm          a Word document with a VBA project (vbaProject.bin, vbaData.xml)
                      and an external hyperlink
  extlink.xlsx        a workbook with an external link (externalLinks/), a formula
                      and a defined name reaching into it, and a calculation chain
  embedded.docx       a Word document with an embedded OLE object, an ActiveX
                      control and a remote template (attachedTemplate, External)
  macro.pptm          a presentation with a VBA project, an OLE object in a slide's
                      graphic frame and an external hyperlink on a shape
  plain.zip           an ordinary zip (refused)
  bomb.zip            10 MB of zeros in one entry (refused by the ratio limit)
  deep.docx           [Content_Types].xml nested 200 elements deep (XML depth limit)
  meta.png            4x3 pixels with tEXt, iTXt and eXIf chunks
  meta.jpg            tests/sanitize/files/base-16x8.jpg with EXIF (orientation 6),
                      XMP and a comment inserted
  cp932.txt, iso2022jp.txt, eucjp.txt, utf8bom.txt, utf16le.txt: one Japanese text
  page.html           HTML (refused as markup)
  program.pdf         a .pdf name on a Windows executable header (refused)
  picture.pdf         a .pdf name on a PNG (sanitized as PNG)
"""
import os
import struct
import sys
import zipfile
import zlib

out = sys.argv[1]
src = os.path.dirname(os.path.abspath(__file__))
os.makedirs(out, exist_ok=True)

TEXT = "住民票の写しを送付します。\r\n①②③ ｶﾀｶﾅ 髙橋・第3条\r\n"
TEXT_NO_NEC = "住民票の写しを送付します。\n第3条 高橋\n"


def write(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


# ---- PDF ------------------------------------------------------------------
def pdf(pages):
    objs = []

    def add(body):
        objs.append(body)
        return len(objs)

    catalog = add(None)
    pages_id = add(None)
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    js = add(b"<< /S /JavaScript /JS (app.alert\\('hello'\\);) >>")
    ef = add(b"<< /Type /EmbeddedFile /Length 12 >>\nstream\nMZ fake exe\n\nendstream")
    fs = add(b"<< /Type /Filespec /F (evil.exe) /UF (evil.exe) /EF << /F %d 0 R >> >>" % ef)
    kids = []
    for i in range(pages):
        content = (b"BT /F1 24 Tf 72 760 Td (SECRET TEXT PAGE %d) Tj ET\n"
                   b"0 0 0 rg 100 100 100 100 re f\n" % (i + 1))
        c = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        link = add(b"<< /Type /Annot /Subtype /Link /Rect [72 700 300 730] /Border [0 0 0] "
                   b"/A << /S /URI /URI (https://evil.example.com/x) >> >>")
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] "
                        b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R /Annots [%d 0 R] >>"
                        % (pages_id, font, c, link)))
    objs[catalog - 1] = (b"<< /Type /Catalog /Pages %d 0 R /OpenAction %d 0 R "
                         b"/Names << /EmbeddedFiles << /Names [(evil.exe) %d 0 R] >> "
                         b"/JavaScript << /Names [(a) %d 0 R] >> >> >>" % (pages_id, js, fs, js))
    objs[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    data = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs):
        offsets.append(len(data))
        data += b"%d 0 obj\n%s\nendobj\n" % (i + 1, body)
    xref = len(data)
    data += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offsets:
        data += b"%010d 00000 n \n" % o
    data += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, catalog, xref)
    return bytes(data)


write("sample.pdf", pdf(3))

# ---- OOXML ----------------------------------------------------------------
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ' \
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="%s/officeDocument" Target="%s"/></Relationships>')


def rels(*items):
    s = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">')
    for rid, typ, target, *ext in items:
        s += '<Relationship Id="%s" Type="%s" Target="%s"%s/>' % (
            rid, typ if typ.startswith("http") else R + "/" + typ, target,
            ' TargetMode="External"' if ext else "")
    return s + "</Relationships>"


def ctypes(defaults, overrides):
    s = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">')
    for ext, t in defaults:
        s += '<Default Extension="%s" ContentType="%s"/>' % (ext, t)
    for p, t in overrides:
        s += '<Override PartName="%s" ContentType="%s"/>' % (p, t)
    return s + "</Types>"


def makezip(name, entries):
    with zipfile.ZipFile(os.path.join(out, name), "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in entries:
            z.writestr(n, data)


BASE_DEFAULTS = [("rels", "application/vnd.openxmlformats-package.relationships+xml"), ("xml", "application/xml")]
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"

makezip("macro.docm", [
    ("[Content_Types].xml", ctypes(BASE_DEFAULTS + [("bin", "application/vnd.ms-office.vbaProject")], [
        ("/word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml"),
        ("/word/vbaData.xml", "application/vnd.ms-word.vbaData+xml")])),
    ("_rels/.rels", PKG_RELS % (R, "word/document.xml")),
    ("word/document.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
     '<w:document %s><w:body><w:p><w:r><w:t>マクロ付きの請求書です。</w:t></w:r></w:p>'
     '<w:p><w:hyperlink r:id="rId2"><w:r><w:t>ここをクリック</w:t></w:r></w:hyperlink></w:p>'
     '</w:body></w:document>' % W),
    ("word/_rels/document.xml.rels", rels(
        ("rId1", "http://schemas.microsoft.com/office/2006/relationships/vbaProject", "vbaProject.bin"),
        ("rId2", "hyperlink", "https://evil.example.com/login", True))),
    ("word/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"Sub AutoOpen()\nShell \"calc\"\nEnd Sub\n" * 20),
    ("word/_rels/vbaProject.bin.rels", rels(
        ("rId1", "http://schemas.microsoft.com/office/2006/relationships/wordVbaData", "vbaData.xml"))),
    ("word/vbaData.xml", '<?xml version="1.0"?><wne:vbaSuppData xmlns:wne="http://schemas.microsoft.com/office/word/2006/wordml"/>'),
])

SML = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="%s"' % R
makezip("extlink.xlsx", [
    ("[Content_Types].xml", ctypes(BASE_DEFAULTS, [
        ("/xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
        ("/xl/worksheets/sheet1.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"),
        ("/xl/externalLinks/externalLink1.xml",
         "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"),
        ("/xl/calcChain.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml")])),
    ("_rels/.rels", PKG_RELS % (R, "xl/workbook.xml")),
    ("xl/workbook.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
     '<workbook %s><sheets><sheet name="集計" sheetId="1" r:id="rId1"/></sheets>'
     '<externalReferences><externalReference r:id="rId2"/></externalReferences>'
     '<definedNames><definedName name="ext">[1]Sheet1!$A$1</definedName>'
     '<definedName name="local">集計!$A$1</definedName></definedNames></workbook>' % SML),
    ("xl/_rels/workbook.xml.rels", rels(
        ("rId1", "worksheet", "worksheets/sheet1.xml"),
        ("rId2", "externalLink", "externalLinks/externalLink1.xml"),
        ("rId3", "calcChain", "calcChain.xml"))),
    ("xl/worksheets/sheet1.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
     '<worksheet %s><sheetData><row r="1">'
     '<c r="A1"><v>1</v></c>'
     '<c r="B1"><f>[1]Sheet1!A1*2</f><v>42</v></c>'
     '<c r="C1"><f>A1*2</f><v>2</v></c>'
     '</row></sheetData></worksheet>' % SML),
    ("xl/externalLinks/externalLink1.xml", '<?xml version="1.0"?><externalLink %s>'
     '<externalBook r:id="rId1"><sheetNames><sheetName val="Sheet1"/></sheetNames></externalBook>'
     '</externalLink>' % SML),
    ("xl/externalLinks/_rels/externalLink1.xml.rels", rels(
        ("rId1", "externalLinkPath", "file:///\\\\server\\share\\secret.xlsx", True))),
    ("xl/calcChain.xml", '<?xml version="1.0"?><calcChain %s><c r="B1" i="1"/><c r="C1"/></calcChain>' % SML),
])

V = ('xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"')
makezip("embedded.docx", [
    ("[Content_Types].xml", ctypes(BASE_DEFAULTS + [
        ("bin", "application/vnd.openxmlformats-officedocument.oleObject"), ("png", "image/png")], [
        ("/word/document.xml", WORD_MAIN),
        ("/word/settings.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"),
        ("/word/activeX/activeX1.xml", "application/vnd.ms-office.activeX+xml"),
        ("/word/activeX/activeX1.bin", "application/vnd.ms-office.activeX")])),
    ("_rels/.rels", PKG_RELS % (R, "word/document.xml")),
    ("word/document.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
     '<w:document %s %s><w:body><w:p><w:r><w:t>埋め込みオブジェクトがあります。</w:t></w:r></w:p>'
     '<w:p><w:r><w:object><v:shape id="s1"><v:imagedata r:id="rId3"/></v:shape>'
     '<o:OLEObject Type="Embed" ProgID="Package" ShapeID="s1" r:id="rId4"/></w:object></w:r></w:p>'
     '<w:p><w:r><w:object><w:control r:id="rId5" w:name="CommandButton1"/></w:object></w:r></w:p>'
     '</w:body></w:document>' % (W, V)),
    ("word/_rels/document.xml.rels", rels(
        ("rId1", "settings", "settings.xml"),
        ("rId3", "image", "media/image1.png"),
        ("rId4", "oleObject", "embeddings/oleObject1.bin"),
        ("rId5", "control", "activeX/activeX1.xml"))),
    ("word/settings.xml", '<?xml version="1.0"?><w:settings %s><w:attachedTemplate r:id="rId1"/>'
     '<w:zoom w:percent="100"/></w:settings>' % W),
    ("word/_rels/settings.xml.rels", rels(
        ("rId1", "attachedTemplate", "https://evil.example.com/template.dotm", True))),
    ("word/media/image1.png", b"\x89PNG\r\n\x1a\npreview"),
    ("word/embeddings/oleObject1.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500),
    ("word/activeX/activeX1.xml", '<?xml version="1.0"?><ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/activeX" '
     'xmlns:r="%s" ax:classid="{D7053240-CE69-11CD-A777-00DD01143C57}" r:id="rId1"/>' % R),
    ("word/activeX/_rels/activeX1.xml.rels", rels(
        ("rId1", "http://schemas.microsoft.com/office/2006/relationships/activeXControlBinary", "activeX1.bin"))),
    ("word/activeX/activeX1.bin", b"\x01\x02activex"),
])

P = ('xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
     'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="%s"' % R)
makezip("macro.pptm", [
    ("[Content_Types].xml", ctypes(BASE_DEFAULTS + [("bin", "application/vnd.ms-office.vbaProject")], [
        ("/ppt/presentation.xml", "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml"),
        ("/ppt/slides/slide1.xml", "application/vnd.openxmlformats-officedocument.presentationml.slide+xml"),
        ("/ppt/embeddings/oleObject1.bin", "application/vnd.openxmlformats-officedocument.oleObject")])),
    ("_rels/.rels", PKG_RELS % (R, "ppt/presentation.xml")),
    ("ppt/presentation.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
     '<p:presentation %s><p:sldIdLst><p:sldId id="256" r:id="rId2"/></p:sldIdLst></p:presentation>' % P),
    ("ppt/_rels/presentation.xml.rels", rels(
        ("rId1", "http://schemas.microsoft.com/office/2006/relationships/vbaProject", "vbaProject.bin"),
        ("rId2", "slide", "slides/slide1.xml"))),
    ("ppt/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"Sub Auto_Open()" * 10),
    ("ppt/slides/slide1.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
     '<p:sld %s><p:cSld><p:spTree>'
     '<p:sp><p:txBody><a:p><a:r><a:rPr><a:hlinkClick r:id="rId3"/></a:rPr><a:t>議会資料</a:t></a:r></a:p></p:txBody></p:sp>'
     '<p:graphicFrame><p:xfrm/><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/presentationml/2006/ole">'
     '<p:oleObj progId="Package" r:id="rId2"><p:embed/></p:oleObj></a:graphicData></a:graphic></p:graphicFrame>'
     '</p:spTree></p:cSld></p:sld>' % P),
    ("ppt/slides/_rels/slide1.xml.rels", rels(
        ("rId2", "oleObject", "../embeddings/oleObject1.bin"),
        ("rId3", "hyperlink", "http://evil.example.com/", True))),
    ("ppt/embeddings/oleObject1.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\1" * 300),
])

makezip("plain.zip", [("readme.txt", "ただの zip です。\n"), ("data.csv", "a,b\n1,2\n")])
makezip("bomb.zip", [("[Content_Types].xml", ctypes(BASE_DEFAULTS, [])),
                     ("_rels/.rels", PKG_RELS % (R, "word/document.xml")),
                     ("word/document.xml", b"\0" * (10 << 20))])
deep = "<a>" * 200 + "</a>" * 200
makezip("deep.docx", [
    ("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
     + deep + "</Types>"),
    ("_rels/.rels", PKG_RELS % (R, "word/document.xml")),
    ("word/document.xml", '<w:document %s/>' % W)])


# ---- PNG ------------------------------------------------------------------
def chunk(t, data):
    return struct.pack(">I", len(data)) + t + data + struct.pack(">I", zlib.crc32(t + data) & 0xFFFFFFFF)


PIXELS = [[(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)],
          [(0, 0, 0), (10, 20, 30), (200, 100, 50), (1, 2, 3)],
          [(128, 128, 128), (255, 255, 0), (0, 255, 255), (255, 0, 255)]]
raw = b"".join(b"\0" + bytes(c for px in row for c in px) for row in PIXELS)
exif = b"MM\0*\0\0\0\x08\0\x01\x01\x10\0\x02\0\0\0\x06\0\0\0\x1aCanon\0"
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 3, 8, 2, 0, 0, 0))
       + chunk(b"tEXt", b"Comment\0secret location 35.68N 139.76E")
       + chunk(b"iTXt", "Author\0\0\0ja\0\0山田太郎".encode())
       + chunk(b"eXIf", exif)
       + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"") + b"TRAILING-DATA")
write("meta.png", png)
write("picture.pdf", png)

# ---- JPEG -----------------------------------------------------------------
base = open(os.path.join(src, "files", "base-16x8.jpg"), "rb").read()
assert base[:2] == b"\xff\xd8"
tiff = (b"MM\0*\0\0\0\x08" + b"\0\x02"
        + b"\x01\x12\0\x03\0\0\0\x01\0\x06\0\0"           # Orientation = 6 (rotate 90° CW)
        + b"\x01\x0f\0\x02\0\0\0\x06\0\0\0\x26"           # Make -> offset 38
        + b"\0\0\0\0" + b"Canon\0")
app1 = b"Exif\0\0" + tiff
xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>GPS 35.68N secret</x:xmpmeta>"
com = b"secret comment"


def seg(marker, data):
    return b"\xff" + bytes([marker]) + struct.pack(">H", len(data) + 2) + data


write("meta.jpg", base[:2] + seg(0xE1, app1) + seg(0xE1, xmp) + seg(0xFE, com) + base[2:])

# ---- text -----------------------------------------------------------------
write("cp932.txt", TEXT.encode("cp932"))
write("iso2022jp.txt", TEXT_NO_NEC.encode("iso2022_jp"))
write("eucjp.txt", TEXT_NO_NEC.encode("euc_jp"))
write("utf8bom.txt", b"\xef\xbb\xbf" + TEXT.encode())
write("utf16le.txt", b"\xff\xfe" + TEXT.encode("utf-16-le"))
write("expected-text.txt", TEXT.encode())
write("expected-text-no-nec.txt", TEXT_NO_NEC.encode())
write("page.html", "<!DOCTYPE html><html><body><script>alert(1)</script>本文</body></html>".encode())
write("program.pdf", b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0" + b"\0" * 48 + b"This program cannot be run in DOS mode")
