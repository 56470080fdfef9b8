#!/usr/bin/env bash
# 無害化 against what an attacker sent (issue 15, items 1-6): each hostile document
# and mail of tests/sanitize/make_hostile_corpus.py is sanitized and the output
# checked — what must be gone is gone, what must stay stays, the package is
# consistent, and every removal is in the report (text and --json) or the notice.
. "$(dirname "$0")/lib.sh"
export LSAN_OPTIONS="suppressions=$SRCDIR/tests/sanitize/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

C="$TMP/corpus"; O="$TMP/o"; mkdir -p "$C" "$O"
/usr/bin/python3 "$SRCDIR/tests/sanitize/make_hostile_corpus.py" "$C" && ok || not_ok "corpus"
S() { "$MAMORI" sanitize file "$@"; }

# ---- OOXML: each is sanitized, with a text and a JSON report
for f in altchunk.docx macrosheet.xlsx orphans.docx; do
	expect_exit 0 "$f" -- S "$C/$f" "$O/$f"
	cp "$TMP/out" "$O/$f.txt"
	expect_exit 0 "$f --json" -- S --json "$C/$f" "$O/json-$f"
	cp "$TMP/out" "$O/$f.json"
	grep -q "nothing removed" "$O/$f.txt" && not_ok "$f: reported as nothing removed" || ok
done
expect_grep "$O/altchunk.docx.txt" "word/afchunk1.docm  \[imported document chunk" "altChunk: the docm chunk listed"
expect_grep "$O/macrosheet.xlsx.txt" "formula calling WEBSERVICE, IMAGE, RTD, HYPERLINK, CALL, REGISTER.ID, EXEC" "xlsx: the calling functions named"
expect_grep "$O/orphans.docx.txt" "word/invoice<U+202E>gnp.exe<U+000A>  fake line  \[part no relationship reaches" "orphans: a name with RLO and LF on one line, escaped"

/usr/bin/python3 - "$O" <<'PY' && ok || not_ok "OOXML output properties"
import json, posixpath, re, sys, zipfile
import xml.etree.ElementTree as ET
o = sys.argv[1]
bad = []
def check(c, what):
    if not c: bad.append(what)
RNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
def consistent(path):
    """Every part typed and reached by a relationship, every override and
    internal target existing, every r:* attribute naming a relationship."""
    z = zipfile.ZipFile(path)
    check(z.testzip() is None, f"{path}: CRCs")
    names = set(z.namelist())
    ct = ET.fromstring(z.read("[Content_Types].xml"))
    ns = "{http://schemas.openxmlformats.org/package/2006/content-types}"
    defaults = {d.get("Extension").lower(): d.get("ContentType") for d in ct.iter(ns + "Default")}
    overrides = {v.get("PartName")[1:]: v.get("ContentType") for v in ct.iter(ns + "Override")}
    for p in overrides:
        check(p in names, f"{path}: override for missing part {p}")
    for n in names - {"[Content_Types].xml"}:
        check(n in overrides or n.rsplit(".", 1)[-1].lower() in defaults, f"{path}: {n} has no content type")
    reached, todo = {"[Content_Types].xml", "_rels/.rels"}, [""]
    while todo:
        src = todo.pop()
        d, b = posixpath.split(src)
        rn = posixpath.join(d, "_rels", b + ".rels") if src else "_rels/.rels"
        if rn not in names:
            continue
        reached.add(rn)
        ids = set()
        for r in ET.fromstring(z.read(rn)):
            ids.add(r.get("Id"))
            check(r.get("TargetMode") != "External", f"{path}: {rn} {r.get('Id')} is external")
            t = r.get("Target")
            tgt = t[1:] if t.startswith("/") else posixpath.normpath(posixpath.join(posixpath.dirname(src), t))
            check(tgt in names, f"{path}: {rn} {r.get('Id')} points at missing {tgt}")
            if tgt in names and tgt not in reached:
                reached.add(tgt)
                todo.append(tgt)
        if src in names and src.endswith(".xml"):
            for el in ET.fromstring(z.read(src)).iter():
                for k, v in el.attrib.items():
                    if k.startswith("{%s}" % RNS):
                        check(v in ids, f"{path}: {src} {el.tag} points at missing relationship {v}")
    check(names <= reached, f"{path}: parts no relationship reaches: {sorted(names - reached)}")
    return z, names
def report(name):
    rep = json.load(open(f"{o}/{name}.json"))
    return [(r["name"], r["what"]) for r in rep["removed"]]
def reported(got, name, what):
    check(any(n == name and what in w for n, w in got), f"report: {name} / {what!r} missing; got {got}")

# 1. altChunk: elements, relationships and parts gone, the text around them kept
z, names = consistent(f"{o}/altchunk.docx")
check(not any("afchunk" in n for n in names), f"altchunk: chunk parts gone, left {sorted(names)}")
raw = "".join(z.read(n).decode("utf-8", "replace") for n in names)
check("altChunk" not in raw and "aFChunk" not in raw, "altchunk: no w:altChunk element or aFChunk relationship left")
for gone in ("calc", "script", "evil", "objemb", "DDEAUTO"):
    check(gone not in raw, f"altchunk: no trace of {gone!r}")
doc = z.read("word/document.xml").decode()
check("前文です。" in doc and "間の文です。" in doc and "後文です。" in doc, "altchunk: the document's own text kept")
check("ヘッダー" in z.read("word/header1.xml").decode(), "altchunk: the header's text kept")
got = report("altchunk.docx")
reported(got, "word/document.xml", "4 × imported document chunk (w:altChunk")
reported(got, "word/header1.xml", "imported document chunk (w:altChunk")
for part in ("word/afchunk1.docm", "word/afchunk2.rtf", "word/afchunk3.mht", "word/afchunk4.html"):
    reported(got, part, "imported document chunk")
for rid in ("document.xml.rels#rIdA1", "document.xml.rels#rIdA2", "document.xml.rels#rIdA3", "header1.xml.rels#rIdA4"):
    reported(got, "word/_rels/" + rid, "aFChunk")

# 2. Excel: macro sheets by root, relationship and without content type; names; calls
z, names = consistent(f"{o}/macrosheet.xlsx")
for gone in ("xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml", "xl/worksheets/sheet4.dat",
             "xl/webextensions/taskpanes.xml", "xl/webextensions/webextension1.xml"):
    check(gone not in names, f"xlsx: {gone} gone")
raw = "".join(z.read(n).decode("utf-8", "replace") for n in names)
check("macrosheet" not in raw.lower() and "webextension" not in raw.lower() and "evil" not in raw and "calc" not in raw,
      "xlsx: no trace of macro sheets, web extensions, URLs or commands")
wb = z.read("xl/workbook.xml").decode()
check('name="集計"' in wb and "Sheet2" not in wb.split("<definedNames")[0] and 'r:id="rId3"' not in wb,
      "xlsx: the macro sheets' <sheet> entries gone, the worksheet kept")
check("Auto_Open" not in wb and "Auto_Close" not in wb and 'name="run"' not in wb and 'name="macro1"' not in wb
      and 'name="local"' in wb, "xlsx: auto-run, macro and EXEC names gone, the plain name kept")
S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
sh = z.read("xl/worksheets/sheet1.xml").decode()
root = ET.fromstring(sh)
cells = {c.get("r"): c for c in root.iter(S + "c")}
def cell(r):
    c = cells[r]
    f, v = c.find(S + "f"), c.find(S + "v")
    return (f.text if f is not None else None), (v.text if v is not None else None)
for r, v in (("A1", "取得済み"), ("B1", "5"), ("A2", None), ("B2", "0"), ("A3", "#VALUE!"), ("B3", "7"), ("A4", "1"),
             ("A5", "2"), ("B4", "クリック")):
    check(cell(r) == (None, v), f"xlsx: {r} lost its formula, kept its value {v!r}: {cell(r)}")
check(cell("A6") == ("SUM(1,2)", "3") and cell("B6")[0] == '"WEBSERVICE(x)"&"CALL("' and cell("C6")[0] == "'EXEC(1)'!A1"
      and cell("D6")[0] == "IMAGES_TOTAL+1", f"xlsx: harmless formulas kept: {[cell(r) for r in ('A6', 'B6', 'C6', 'D6')]}")
check('sqref="C1"' not in sh and 'sqref="C2"' in sh and "C2&gt;1" in sh and "RTD" not in sh and "WEBSERVICE(\"" not in sh,
      "xlsx: conditional formats calling out gone, the harmless one kept")
dv = root.find(S + "dataValidations")
check(dv is not None and dv.get("count") == "1" and len(list(dv)) == 1 and list(dv)[0].get("sqref") == "D2",
      "xlsx: the data validation calling out gone, count 1, the harmless one kept")
check("extLst" not in sh and "x14:dataValidation" not in sh, "xlsx: the x14 data validation (and its emptied extLst) gone")
got = report("macrosheet.xlsx")
reported(got, "xl/worksheets/sheet1.xml", "9 × formula calling WEBSERVICE, IMAGE, RTD, HYPERLINK, CALL, REGISTER.ID, EXEC")
reported(got, "xl/worksheets/sheet1.xml", "2 × data validation rule")
reported(got, "xl/worksheets/sheet1.xml", "2 × conditional format rule")
reported(got, "xl/workbook.xml", "3 × name that runs a macro")
reported(got, "xl/workbook.xml", "formula calling EXEC")
reported(got, "xl/worksheets/sheet2.xml", "macro sheet")
reported(got, "xl/worksheets/sheet3.xml", "macro sheet")
reported(got, "xl/worksheets/sheet4.dat", "macro sheet")
reported(got, "xl/webextensions/taskpanes.xml", "web extension")
reported(got, "xl/webextensions/webextension1.xml", "web extension")

# 3. orphans and images
z, names = consistent(f"{o}/orphans.docx")
check(names == {"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/_rels/document.xml.rels",
                 "word/media/image1.png", "word/media/image6.png", "docProps/thumbnail.jpeg"},
      f"orphans: only the reached parts and the images that re-encode stay: {sorted(names)}")
png = z.read("word/media/image1.png")
check(png.startswith(b"\x89PNG") and b"tEXt" not in png and b"secret" not in png and b"PK\x03\x04" not in png
      and png.endswith(b"IEND\xaeB`\x82"), "orphans: the PNG re-encoded without its text chunk and trailing docm")
check(z.read("docProps/thumbnail.jpeg")[:3] == b"\xff\xd8\xff", "orphans: the JPEG thumbnail re-encoded")
doc = z.read("word/document.xml").decode()
check("svgBlip" not in doc and "96DAC541" not in doc and 'r:embed="rIdPng"' in doc and 'r:embed="rIdPng2"' in doc,
      "orphans: the SVG's extension gone, its PNG fallback kept")
check(doc.count("<a:blip") == 5 and doc.count("r:embed") == 2, "orphans: the dropped images' pictures kept without their reference")
got = report("orphans.docx")
reported(got, "word/media/image1.png", "PNG tEXt chunk (text metadata), re-encoded without it")
reported(got, "word/media/image1.png", "bytes after the end of the PNG")
reported(got, "word/media/image2.png", "not an image")
reported(got, "word/media/image3.svg", "not re-encoded")
reported(got, "word/media/image4.gif", "not re-encoded")
reported(got, "word/media/image5.png", "not its declared type")
reported(got, "word/media/image9.png", "macro (VBA project")
reported(got, "word/x.xlsm", "no relationship reaches")
reported(got, "word/sub.docm", "no relationship reaches")
reported(got, "word/_rels/nothing.xml.rels", "no relationship reaches")
reported(got, "word/invoice<U+202E>gnp.exe<U+000A>  fake line", "no relationship reaches")
if bad:
    print("\n".join(bad)); sys.exit(1)
PY

# a second pass over each result: nothing more to remove (the scrub is complete)
for f in altchunk.docx macrosheet.xlsx orphans.docx; do
	expect_exit 0 "$f, second pass" -- S "$O/$f" "$O/again-$f"
	expect_grep "$TMP/out" "nothing removed" "$f: a second pass removes nothing"
done

# ---- 6. PDF: what the rasterisation dropped is reported, never "nothing removed"
for f in openaction actions objstm; do
	expect_exit 0 "$f.pdf" -- S --json "$C/$f.pdf" "$O/$f.pdf"
	cp "$TMP/out" "$O/$f.pdf.json"
	expect_exit 0 "$f.pdf, text report" -- S "$C/$f.pdf" "$O/$f-2.pdf"
	grep -q "nothing removed" "$TMP/out" && not_ok "$f.pdf: reported as nothing removed" || ok
done
/usr/bin/python3 - "$O" <<'PY' && ok || not_ok "PDF reports"
import json, sys
o = sys.argv[1]
bad = []
def got(name):
    return [(r["name"], r["what"]) for r in json.load(open(f"{o}/{name}.pdf.json"))["removed"]]
def has(name, key, what):
    g = got(name)
    if not any(n == key and what in w for n, w in g):
        bad.append(f"{name}: {key} / {what!r} not reported: {g}")
has("openaction", "/OpenAction", "run when the document is opened")
has("openaction", "/JS", "JavaScript")
has("objstm", "/OpenAction", "run when the document is opened")
has("objstm", "/JS", "JavaScript")
has("actions", "/AA", "2 × additional actions")
has("actions", "cmd.exe", "starts a program")
has("actions", "hxxps://evil[.]example[.]com/u", "web address")
has("actions", "payload.exe", "file attached to a page")
has("actions", "form", "form field script")
has("actions", "/XFA", "XFA form")
for f in ("openaction", "actions", "objstm"):
    d = open(f"{o}/{f}.pdf", "rb").read()
    for w in (b"/JavaScript", b"/JS", b"/OpenAction", b"/AA", b"/Launch", b"/URI", b"/XFA", b"/EmbeddedFile"):
        if w in d:
            bad.append(f"{f}.pdf: {w} in the output")
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY

# ---- 4, 5. mail
for f in uuencode yenc binhex html-uuencode html-br-uuencode names html-urls; do
	expect_exit 0 "mail $f" -- "$MAMORI" sanitize mail <"$C/$f.eml"
	cp "$TMP/out" "$O/$f.out"
done
/usr/bin/python3 - "$O" "$C" <<'PY' && ok || not_ok "mail properties"
import email, email.policy, hashlib, re, sys
sys.path.insert(0, sys.argv[2] + "/..")
o = sys.argv[1]
bad = []
def check(c, what):
    if not c: bad.append(what)
def body(name):
    m = email.message_from_bytes(open(f"{o}/{name}.out", "rb").read(), policy=email.policy.default)
    check(m.get_content_type() == "text/plain" and not m.is_multipart(), f"{name}: one text/plain part")
    return m.get_content()
PAYLOAD = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256)) * 3 + b"This program cannot be run in DOS mode"
H = hashlib.sha256(PAYLOAD).hexdigest()
notice, text = body("uuencode").split("----------------------------------------\n", 1)
check(f"1. invoice.exe  [uuencode block in the text, {len(PAYLOAD)} bytes, SHA-256 {H}]" in notice, "uuencode: listed, decoded")
sh = hashlib.sha256(b"#!/bin/sh\nrm -rf ~\n").hexdigest()
check(f"2. run.sh  [begin-base64 (uuencode) block in the text, 19 bytes, SHA-256 {sh}]" in notice, "begin-base64: listed, decoded")
check(not re.search(r"^begin", text, re.M) and "\nend\n" not in text and "====" not in text and "M35J" not in text,
      f"uuencode: no block left in the text: {text!r}")
check("請求書を送ります。" in text and "よろしくお願いします。" in text and "removed file 1" in text, "uuencode: the text kept, the place marked")
notice, text = body("yenc").split("----------------------------------------\n", 1)
check(f"1. setup.exe  [yEnc block in the text, {len(PAYLOAD)} bytes, SHA-256 {H}]" in notice, f"yEnc: listed, decoded: {notice!r}")
check("=ybegin" not in text and "=yend" not in text and "after yenc" in text, "yEnc: no block left")
notice, text = body("binhex").split("----------------------------------------\n", 1)
check(f"1. Evil App  [BinHex 4.0 block in the text, {len(PAYLOAD)} bytes, SHA-256 {H}]" in notice, f"BinHex: listed, decoded: {notice!r}")
check("converted with BinHex" not in text and "after binhex" in text and not re.search(r"^:", text, re.M),
      f"BinHex: no block left: {text!r}")
for name, fname in (("html-uuencode", "html.exe"), ("html-br-uuencode", "br.exe")):
    notice, text = body(name).split("----------------------------------------\n", 1)
    check(f"1. {fname}  [uuencode block in the text" in notice, f"{name}: listed: {notice!r}")
    check("begin 644" not in text and "M35J" not in text and "以上" in text, f"{name}: no block left: {text!r}")
notice, text = body("names").split("----------------------------------------\n", 1)
lines = notice.split("\n")
check(sum(1 for l in lines if re.match(r"^  \d+\. ", l)) == 4, f"names: four notice lines, no fake one: {lines}")
check("  1. evil.pdf<U+000D><U+000A>  2. 安全な資料.pdf" in notice, "names: CR/LF shown escaped on the line")
check("  2. invoice<U+202E>fdp.exe  [" in notice, "names: RLO escaped")
check("a<U+2066>b<U+2069>c<U+200E>d<U+200F>e<U+061C>f<U+202A>g<U+202B>h<U+202C>i<U+202D>j<U+001B>[31mk<U+007F>l<U+2028>m"
      in notice, "names: bidi and control characters escaped")
check(not re.search("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\x1b\x7f\u2028]", notice), "names: no control left in the notice")
check("  4. hxxps://evil[.]example[.]com/x.pdf  [" in notice, "names: a URL as a name defanged")
for url in ("hxxps://evil[.]example[.]com/login?x=1", "hxxp://192[.]168[.]0[.]1/a.exe", "www[.]evil[.]example[.]org/path",
            "ftp[:]//files[.]evil[.]example[.]net/x", "hxxpS://EVIL[.]EXAMPLE[.]COM/UP"):
    check(url in text, f"names: bare URL defanged as {url}: {text!r}")
check(not re.search(r"(?i)https?://|ftp://|www\.evil", text), f"names: no live URL left: {text!r}")
text = body("html-urls")
for url in ("hxxps://evil[.]example[.]com/a", "hxxp://evil[.]example[.]com/split", "<hxxps://evil[.]example[.]com/href>",
            "www[.]evil[.]example[.]org"):
    check(url in text, f"html-urls: {url} in {text!r}")
check(not re.search(r"(?i)https?://|www\.evil|\[\[", text), f"html-urls: no live or twice-defanged URL: {text!r}")
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
finish
