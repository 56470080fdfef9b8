#!/usr/bin/env bash
# 無害化 of hostile OOXML documents (tests/sanitize/make_ooxml_attacks.py), one
# class per section: Word's altChunk (a whole document inside the document);
# Excel's macro sheets whatever their content type says, auto-run names, web
# extensions and functions that fetch or call (in cells, names, data validation
# and conditional formatting); parts that no relationship reaches and images
# that are not what they say; elements whose relationship went.  Every output
# must be a consistent package whose every part a relationship reaches, in
# which no relationship attribute points at nothing and no element that needs
# one is left without it, and a second pass must find nothing.
. "$(dirname "$0")/lib.sh"

C="$TMP/corpus"; O="$TMP/o"; mkdir -p "$C" "$O"
/usr/bin/python3 "$SRCDIR/tests/sanitize/make_ooxml_attacks.py" "$C" && ok || not_ok "corpus"
S() { "$MAMORI" sanitize file "$@"; }

for f in altchunk.docx macrosheet.xlsx calls.xlsx orphans.docx dangling.xlsx dangling.docx dangling.pptx hidden.xlsx; do
	expect_exit 0 "$f" -- S --json "$C/$f" "$O/$f"
	cp "$TMP/out" "$O/$f.json"
	expect_exit 0 "$f: second pass" -- S "$O/$f" "$O/again-$f"
	expect_grep "$TMP/out" "nothing removed" "$f: a second pass finds nothing"
done
expect_exit 1 "a main document reached only by an external relationship" -- S "$C/external-main.docx" "$O/external-main.docx"
expect_grep "$TMP/err" "refused: the main document word/document.xml" "external main document: refused, not written without it"
# every XML part kept is read as XML: one that is not well-formed is never copied unread
expect_exit 1 "a custom XML part that is not well-formed" -- S "$C/malformed.docx" "$O/malformed.docx"
expect_grep "$TMP/err" "refused: XML part customXml/item1.xml, line 2" "malformed part: refused, naming the part and line"
expect_exit 0 "altchunk.docx, text report" -- S "$C/altchunk.docx" "$O/altchunk2.docx"
expect_grep "$TMP/out" "word/document.xml  \[5 × imported document chunk (w:altChunk" "altChunk: the elements are reported"

/usr/bin/python3 - "$O" <<'PY' && ok || not_ok "OOXML attacks: output properties"
import json, posixpath, sys, zipfile
import xml.etree.ElementTree as ET
o = sys.argv[1]
bad = []
def check(c, what):
    if not c: bad.append(what)
PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
def load(name):
    """The output, checked for consistency: every part typed and reached by a
    relationship, every internal target present, nothing external."""
    z = zipfile.ZipFile(f"{o}/{name}")
    names = set(z.namelist())
    ct = ET.fromstring(z.read("[Content_Types].xml"))
    ns = "{http://schemas.openxmlformats.org/package/2006/content-types}"
    defaults = {d.get("Extension").lower() for d in ct.iter(ns + "Default")}
    overrides = {v.get("PartName")[1:] for v in ct.iter(ns + "Override")}
    check(overrides <= names, f"{name}: overrides of missing parts {overrides - names}")
    reached, todo = {"[Content_Types].xml", "_rels/.rels"}, [""]
    while todo:
        src = todo.pop()
        d, b = posixpath.split(src)
        rn = posixpath.join(d, "_rels", b + ".rels")
        if rn not in names:
            continue
        reached.add(rn)
        for r in ET.fromstring(z.read(rn)):
            check(r.get("TargetMode") != "External", f"{name}: {rn} {r.get('Id')} is external")
            t = r.get("Target")
            tgt = t[1:] if t.startswith("/") else posixpath.normpath(posixpath.join(d, t))
            check(tgt in names, f"{name}: {rn} {r.get('Id')} points at missing {tgt}")
            if tgt in names and tgt not in reached:
                reached.add(tgt)
                todo.append(tgt)
    check(names == reached, f"{name}: parts no relationship reaches: {sorted(names - reached)}")
    for n in names - {"[Content_Types].xml"}:
        check(n in overrides or n.rsplit(".", 1)[-1].lower() in defaults, f"{name}: {n} has no content type")
    for n in sorted(names):
        if n.endswith(".xml") and "/_rels/" not in "/" + n and n != "[Content_Types].xml":
            references(name, z, names, n)
    rep = json.load(open(f"{o}/{name}.json"))
    return z, names, rep
R_NS = ("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}",
        "{http://purl.oclc.org/ooxml/officeDocument/relationships}")
SM = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
X14 = "{http://schemas.microsoft.com/office/spreadsheetml/2009/9/main}"
WM = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DM = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
# elements whose relationship attribute the schema requires (ECMA-376 and the
# x14 extensions): left without it, Office repairs the file
NEEDS_REL = {SM + e for e in ("customPr", "drawing", "legacyDrawing", "legacyDrawingHF", "picture", "tablePart",
                              "pivotCache", "sheet", "externalReference", "control")} | {
    X14 + "slicer", X14 + "slicerCache", WM + "headerReference", WM + "footerReference", WM + "subDoc",
    WM + "attachedTemplate", DM + "snd", DM + "wavAudioFile", DM + "videoFile", DM + "audioFile",
    "{http://schemas.openxmlformats.org/drawingml/2006/chart}chart",
    "{http://schemas.openxmlformats.org/presentationml/2006/main}sldId"}
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# containers that must hold an element
NONEMPTY = {SM + e for e in ("customProperties", "pivotCaches", "oleObjects", "controls", "externalReferences")} | {
    X14 + "slicerList", X14 + "slicerCaches"}
def references(name, z, names, part):
    """No relationship attribute in a kept part points at a relationship its
    .rels does not hold, no element that needs one is without it, no container
    that must hold something is empty, and a count says how many it holds."""
    d, b = posixpath.split(part)
    rn = posixpath.join(d, "_rels", b + ".rels")
    ids = {r.get("Id") for r in ET.fromstring(z.read(rn))} if rn in names else set()
    for e in ET.fromstring(z.read(part)).iter():
        if not isinstance(e.tag, str):
            continue
        rel = [(k, v) for k, v in e.attrib.items() if k.startswith(R_NS) or
               k == "{urn:schemas-microsoft-com:office:office}relid"]
        for k, v in rel:
            check(v == "" or v in ids, f"{name}: {part}: <{e.tag}> {k}={v!r} points at no relationship")
        check(e.tag not in NEEDS_REL or rel, f"{name}: {part}: <{e.tag}> left without its relationship")
        kids = [c for c in e if isinstance(c.tag, str)]
        check(e.tag not in NONEMPTY and not e.tag.endswith("}extLst") and not
              (e.tag.endswith("}ext") and e.get("uri")) and e.tag not in (MC + "Choice", MC + "Fallback")
              or kids, f"{name}: {part}: <{e.tag}> left empty")
        check(e.tag != MC + "AlternateContent" or any(c.tag == MC + "Choice" for c in kids),
              f"{name}: {part}: mc:AlternateContent without a Choice")
        if e.tag == SM + "tableParts":
            check(e.get("count") == str(len(kids)), f"{name}: {part}: tableParts count {e.get('count')} for {len(kids)}")
def removed(rep, name, what):
    return any(r["name"] == name and what in r["what"] for r in rep["removed"])
def everything(z):
    return b"".join(z.read(n) for n in z.namelist())

def altchunk():
    """1. altChunk: the elements, their relationships and the chunks go"""
    z, names, rep = load("altchunk.docx")
    blob = everything(z)
    for gone in (b"altChunk", b"chunk-", b"DDEAUTO", b"objemb", b"<script", b"evil", b"aFChunk", b"calc"):
        check(gone not in blob, f"altchunk: {gone!r} left in the output")
    check(names == {"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/_rels/document.xml.rels",
                    "word/header1.xml", "word/_rels/header1.xml.rels"}, f"altchunk: parts left {sorted(names)}")
    doc = z.read("word/document.xml").decode()
    for t in ("body-before", "body-middle", "cell-text", "body-after"):
        check(t in doc, f"altchunk: the document's own text {t} kept")
    check("header-text" in z.read("word/header1.xml").decode(), "altchunk: the header's text kept")
    for part in ("word/afchunk1.docx", "word/afchunk2.docm", "word/chunks/afchunk3.rtf", "word/afchunk4.mht",
                 "word/chunk5.htm", "word/afchunk6.htm"):
        check(any(r["name"] == part for r in rep["removed"]), f"altchunk: {part} reported")
    check(removed(rep, "word/document.xml", "5 × imported document chunk"), "altchunk: 5 elements reported in the body")
    check(removed(rep, "word/header1.xml", "imported document chunk"), "altchunk: the header's chunk reported")

def macrosheet():
    """2. Excel: macro sheets, auto-run names, web extensions"""
    z, names, rep = load("macrosheet.xlsx")
    blob = everything(z)
    for gone in (b"EXEC", b"macrosheet", b"Auto_Open", b"auto_close", b"webextension", b"taskpane", b"evil"):
        check(gone not in blob, f"macrosheet: {gone!r} left in the output")
    for part, why in (("xl/worksheets/sheet2.xml", "root element"), ("xl/worksheets/sheet3.xml", "macro sheet"),
                      ("xl/worksheets/sheet4.dat", ""), ("xl/webextensions/taskpanes.xml", "web extension"),
                      ("xl/webextensions/webextension1.xml", "web extension")):
        check(part not in names and removed(rep, part, why), f"macrosheet: {part} gone and reported ({why})")
    wb = z.read("xl/workbook.xml").decode()
    check(wb.count("<sheet ") == 1 and 'name="表"' in wb and 'name="keep_me"' in wb, "macrosheet: the real sheet and name kept")
    check(any(r["name"] == "xl/workbook.xml" and r["what"].startswith("2 × ") and "Auto_Open" in r["what"]
              for r in rep["removed"]), "macrosheet: the two auto-run names reported")
    check("SUM(A1,1)" in z.read("xl/worksheets/sheet1.xml").decode(), "macrosheet: the real sheet's formula kept")

def calls():
    """2. Excel: functions that fetch or call"""
    z, names, rep = load("calls.xlsx")
    sh = z.read("xl/worksheets/sheet1.xml").decode()
    S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    root = ET.fromstring(sh)
    fs = {c.get("r"): (c.find(S + "f"), c.find(S + "v")) for c in root.iter(S + "c")}
    for cell, value in (("A1", "x"), ("A2", "y"), ("A3", "0"), ("A4", "0"), ("A5", "0"), ("A6", "0"), ("A7", "0"),
                        ("A8", "開く"), ("A9", "0"), ("A10", "z"), ("A11", "11"), ("A12", "12")):
        f, v = fs[cell]
        check(f is None and v is not None and v.text == value, f"calls: {cell} lost its formula, kept {value!r}")
    check(fs["A13"][0] is not None and fs["B13"][0].text == "SUM(1,2)" and "#表!A1" in fs["C13"][0].text,
          "calls: a name in a string, SUM and an internal HYPERLINK kept")
    check("evil" not in sh and "RTD" not in sh, "calls: no trace of the calls in the sheet")
    check(sh.count("<conditionalFormatting") == 1 and "C1&gt;1" in sh, "calls: the harmless conditional format kept, the other gone")
    check(sh.count("<dataValidation ") == 1 and 'count="1"' in sh and "はい,いいえ" in sh,
          "calls: the harmless validation kept (count 1), the other gone")
    check("extLst" not in sh and "x14:dataValidation" not in sh, "calls: the x14 validation and its empty containers gone")
    wb = z.read("xl/workbook.xml").decode()
    check('name="leak"' not in wb and 'name="ev"' not in wb and 'name="range_ok"' in wb, "calls: calling names gone, range kept")
    check("xl/calcChain.xml" not in names, "calls: the calculation chain went with the formulas")
    what = [r["what"] for r in rep["removed"] if r["name"] == "xl/worksheets/sheet1.xml"]
    check(any(w.startswith("12 × formula calling") and "WEBSERVICE" in w and "EXEC" in w and "RTD" in w and "_xll." in w
              and "HYPERLINK" in w for w in what), f"calls: the sheet's twelve calling cells reported, got {what}")
    check(any(w.startswith("2 × data validation rule") for w in what) and any(w.startswith("conditional format rule")
              for w in what), f"calls: the rules reported, got {what}")

def orphans():
    """3. orphaned parts and images"""
    z, names, rep = load("orphans.docx")
    check(names == {"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/_rels/document.xml.rels",
                    "word/media/image3.png", "word/media/image4.jpeg"}, f"orphans: parts left {sorted(names)}")
    blob = everything(z)
    for gone in (b"\xd0\xcf\x11\xe0", b"PK\x03\x04", b"AutoOpen", b"<script", b"png-secret", b"secret-comment", b"orphan-xml"):
        check(gone not in blob, f"orphans: {gone!r} left in the output")
    for part, why in (("word/media/image1.png", "macro"), ("word/sub.docm", "embedded"),
                      ("word/x.xlsm", "no relationship reaches"), ("customXml/item9.xml", "no relationship reaches"),
                      ("word/media/image2.svg", "SVG"), ("word/media/image5.gif", "not re-encoded"),
                      ("word/media/image6.png", "not its declared type"), ("word/media/image7.png", "image"),
                      ("word/media/image8.bin", "not an image"), ("word/pic.dat", "not an image"),
                      ("word/blob.bin", "not checked")):
        check(removed(rep, part, why), f"orphans: {part} reported ({why})")
    p3 = z.read("word/media/image3.png")
    check(p3.startswith(b"\x89PNG") and b"tEXt" not in p3 and p3.endswith(b"IEND\xaeB`\x82"),
          "orphans: the PNG re-encoded, no text, nothing after its end")
    check(removed(rep, "word/media/image3.png", "tEXt") and removed(rep, "word/media/image3.png", "after the end of the PNG"),
          "orphans: the PNG's text chunk and trailing docm reported")
    p4 = z.read("word/media/image4.jpeg")
    check(p4.startswith(b"\xff\xd8") and b"secret" not in p4 and removed(rep, "word/media/image4.jpeg", "JPEG metadata"),
          "orphans: the JPEG re-encoded without its comment")
    doc = z.read("word/document.xml").decode()
    check('r:embed="rIdI3"' in doc and 'r:embed="rIdI4"' in doc and "rIdI2" not in doc and "rIdI6" not in doc,
          "orphans: the kept images still shown, the dropped ones unlinked")

def dangling():
    """elements whose relationship went: the element goes where it needs the
    relationship, only the attribute where it does not (text and frames stay)"""
    z, names, rep = load("dangling.xlsx")
    sh, wb = z.read("xl/worksheets/sheet1.xml").decode(), z.read("xl/workbook.xml").decode()
    for gone in ("customPr", "customProperties", "<drawing", "legacyDrawing", "<picture", "rIdT2", "slicer", "extLst",
                 "oleObject", "AlternateContent"):
        check(gone not in sh, f"dangling.xlsx: {gone} left in the sheet")
    check('<hyperlink ref="A1"/>' in sh and 'paperSize="9"' in sh and 'r:id="rIdT1"' in sh and "sheet-text" in sh,
          "dangling.xlsx: the hyperlink, the page setup, the kept table and the text stay")
    check("pivotCache" not in wb and "slicerCache" not in wb and "extLst" not in wb and 'r:id="rId1"' in wb,
          "dangling.xlsx: the pivot cache and slicer cache entries gone with their containers, the sheet kept")
    check("xl/tables/table1.xml" in names and "xl/customProperty1.bin" not in names, "dangling.xlsx: parts")
    z, names, rep = load("dangling.docx")
    doc = z.read("word/document.xml").decode()
    check("headerReference" not in doc and 'r:id="rIdFt"' in doc, "dangling.docx: the header reference gone, the footer kept")
    check("c:chart" not in doc and "w:drawing" not in doc and "before-chart" in doc, "dangling.docx: the chart's drawing gone, the text kept")
    check("<w:hyperlink>" in doc and "link-text" in doc, "dangling.docx: the hyperlink keeps its text")
    z, names, rep = load("dangling.pptx")
    sl = z.read("ppt/slides/slide1.xml").decode()
    check("a:snd" not in sl and "a:hlinkClick" in sl and "slide-text" in sl and "ppt/media/s.wav" not in names,
          "dangling.pptx: the click sound gone, the click action and the text kept")

def hidden():
    """what a search of the bytes misses, the XML parser reads: every call goes"""
    z, names, rep = load("hidden.xlsx")
    check(b"evil.example.com" not in everything(z), "hidden.xlsx: a call left in the output")
    s1 = z.read("xl/worksheets/sheet1.xml").decode()
    check("<f>" not in s1 and "cfRule" not in s1 and "dataValidation" not in s1,
          "hidden.xlsx: formulas split by a processing instruction gone (cell, format, validation)")
    check(removed(rep, "xl/worksheets/sheet1.xml", "formula calling WEBSERVICE"), "hidden.xlsx: sheet1's call reported")
    check(removed(rep, "xl/worksheets/sheet2.xml", "2 × formula calling"), "hidden.xlsx: the comment and CDATA forms reported")
    for n in ("xl/worksheets/sheet3.xml", "xl/worksheets/sheet4.xml"):
        b = z.read(n)
        check(b.startswith(b'<?xml version="1.0" encoding="UTF-8"'), f"hidden.xlsx: {n} written anew in UTF-8")
    check("表" in z.read("xl/worksheets/sheet4.xml").decode(), "hidden.xlsx: the Shift_JIS sheet's text kept")

for section in (altchunk, macrosheet, calls, orphans, dangling, hidden):
    try:
        section()
    except Exception as e:
        bad.append(f"{section.__name__}: {e!r}")
if bad:
    print("\n".join(bad)); sys.exit(1)
PY
finish
