#!/usr/bin/env bash
# 無害化 of files: each file of the corpus (tests/sanitize/make_file_corpus.py) is
# sanitized and the output checked for exact properties with Python: PDF pages
# are images only, OOXML packages lose macros, objects, ActiveX, external
# links, Word fields that run or fetch something (their text kept), data
# connections, query tables, printer settings and DDE formulas, and stay
# consistent, images lose their metadata, text becomes UTF-8;
# the refused types and every limit are refused with their own message.
. "$(dirname "$0")/lib.sh"
# under ASan: fontconfig (loaded by poppler) keeps its global font cache until exit
export LSAN_OPTIONS="suppressions=$SRCDIR/tests/sanitize/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

C="$TMP/corpus"; O="$TMP/o"; mkdir -p "$C" "$O"
/usr/bin/python3 "$SRCDIR/tests/sanitize/make_file_corpus.py" "$C" && ok || not_ok "corpus"
S() { "$MAMORI" sanitize file "$@"; }

# ---- PDF
expect_exit 0 "pdf" -- S "$C/sample.pdf" "$O/sample.pdf"
expect_grep "$TMP/err" "text cannot be searched or copied" "pdf: the notice says the text is lost"
expect_grep "$TMP/out" "/EmbeddedFile  \[embedded files (添付ファイル; /EmbeddedFile)\]" "pdf: the attachment is reported"
expect_grep "$TMP/out" "JavaScript" "pdf: the script is reported"
expect_exit 0 "pdf at 72 dpi" -- S --dpi 72 "$C/sample.pdf" "$O/sample72.pdf"
expect_exit 1 "pdf page limit" -- S --max-pages 2 "$C/sample.pdf" "$O/x.pdf"
expect_grep "$TMP/err" "limit hit: the PDF has 3 pages, over the page limit of 2" "pdf: page limit named"
expect_exit 1 "pdf pixel limit" -- S --max-pixels 100000 "$C/sample.pdf" "$O/x.pdf"
expect_grep "$TMP/err" "limit hit: page 1 would be 1240x1755 pixels" "pdf: pixel limit named"
head -c 400 "$C/sample.pdf" >"$C/truncated.pdf"
expect_exit 1 "damaged pdf" -- S "$C/truncated.pdf" "$O/x.pdf"
expect_grep "$TMP/err" "refused: damaged PDF" "damaged pdf: says why"
# an EmbeddedFiles name tree naming a file by a string: poppler-glib 22.02 followed
# a NULL listing it, and the sanitizer crashed (found by fuzz_pdf)
cp "$SRCDIR/tests/sanitize/pdf-embeddedfiles-string.pdf" "$C/"
expect_exit 1 "pdf whose embedded file is a string" -- S "$C/pdf-embeddedfiles-string.pdf" "$O/x.pdf"
expect_grep "$TMP/err" "refused: damaged PDF" "refused, not crashed"

/usr/bin/python3 - "$O" <<'PY' && ok || not_ok "pdf output properties"
import re, sys, zlib
o = sys.argv[1]
bad = []
def check(c, what):
    if not c: bad.append(what)
def parse(path):
    d = open(path, "rb").read()
    objs = {}
    for m in re.finditer(rb"(\d+) 0 obj(.*?)endobj", d, re.S):
        objs[int(m.group(1))] = m.group(2)
    return d, objs
def stream(body, objs):
    m = re.search(rb"stream\r?\n(.*)endstream", body, re.S)
    raw = m.group(1)
    lm = re.search(rb"/Length (\d+)( 0 R)?", body)
    n = int(objs[int(lm.group(1))].strip()) if lm.group(2) else int(lm.group(1))
    raw = raw[:n]
    return zlib.decompress(raw) if b"/FlateDecode" in body else raw
for name, dpi in (("sample.pdf", 150), ("sample72.pdf", 72)):
    d, objs = parse(f"{o}/{name}")
    pages = [k for k, b in objs.items() if re.search(rb"/Type /Page\b(?!s)", b)]
    check(len(pages) == 3, f"{name}: 3 pages, got {len(pages)}")
    for bad_word in (b"/Font", b"/JavaScript", b"/EmbeddedFile", b"/URI", b"/Annots", b"SECRET", b"evil"):
        check(bad_word not in d, f"{name}: {bad_word} gone")
    images = []
    for k, b in objs.items():
        if b"stream" not in b:
            continue
        s = stream(b, objs)
        if b"/Subtype /Image" in b:
            w = int(re.search(rb"/Width (\d+)", b).group(1)); h = int(re.search(rb"/Height (\d+)", b).group(1))
            nc = 1 if b"/DeviceGray" in b else 3
            images.append((w, h, nc, s))
        else:
            check(not re.search(rb"\bBT\b|\bTj\b|\bTJ\b", s), f"{name}: object {k} has no text operators")
    check(len(images) == 3, f"{name}: one image per page, got {len(images)}")
    ew, eh = -(-595 * dpi // 72), -(-842 * dpi // 72)
    for w, h, nc, s in images:
        check((w, h) == (ew, eh), f"{name}: image {w}x{h}, expected {ew}x{eh}")
        check(len(s) == w * h * nc, f"{name}: image data size")
        px = lambda x, y: s[(y * w + x) * nc]
        f = dpi / 72
        # the black square of 100..200 pt (from the bottom) and white paper around it
        check(px(int(150 * f), int((842 - 150) * f)) == 0, f"{name}: square is black")
        check(px(int(50 * f), int(50 * f)) == 255, f"{name}: paper is white")
        # the text at the top left was drawn: some dark pixels in its box
        box = [px(x, y) for y in range(int(60 * f), int(85 * f)) for x in range(int(72 * f), int(300 * f))]
        check(min(box) < 100, f"{name}: the text was rendered into the image")
if bad:
    print("\n".join(bad)); sys.exit(1)
PY

# ---- OOXML
expect_exit 0 "docm" -- S --json "$C/macro.docm" "$O/macro.docx"
cp "$TMP/out" "$O/macro.json"
expect_grep "$TMP/err" "the result has no macros: give it the extension .docx" "docm: notice on the extension"
expect_exit 0 "docm, named docm" -- S "$C/macro.docm" "$O/macro.docm"
expect_grep "$TMP/err" "warning: .*macro.docm ends in .docm but holds a docx" "docm: warns about the output's extension"
expect_grep "$TMP/out" "word/vbaProject.bin  \[macro (VBA project / マクロ), 728 bytes\]" "docm: report lists the macro"
expect_exit 0 "xlsx with external link" -- S "$C/extlink.xlsx" "$O/extlink.xlsx"
expect_grep "$TMP/out" "xl/externalLinks/externalLink1.xml" "xlsx: report lists the external link"
expect_exit 0 "docx with embedded object" -- S "$C/embedded.docx" "$O/embedded.docx"
expect_grep "$TMP/out" "hxxps://evil\[.\]example\[.\]com/template.dotm" "docx: remote template reported, defanged"
expect_exit 0 "pptm" -- S "$C/macro.pptm" "$O/macro.pptx"
expect_grep "$TMP/out" "pptm → pptx" "pptm: becomes a pptx"
expect_exit 0 "docx with fields" -- S --json "$C/fields.docx" "$O/fields.docx"
cp "$TMP/out" "$O/fields.json"
expect_exit 0 "docx with fields, text report" -- S "$C/fields.docx" "$O/fields2.docx"
expect_grep "$TMP/out" "word/header1.xml  \[DDEAUTO field (starts a program when opened" "fields: header's DDEAUTO reported"
expect_grep "$TMP/out" "word/document.xml  \[2 × INCLUDETEXT field" "fields: both INCLUDETEXT fields reported"
expect_exit 0 "xlsx with connections" -- S --json "$C/connections.xlsx" "$O/connections.xlsx"
cp "$TMP/out" "$O/connections.json"
expect_exit 4 "plain zip refused" -- S "$C/plain.zip" "$O/plain.zip"
expect_grep "$TMP/err" "a zip archive that is not an Office document" "plain zip: says why"
expect_exit 1 "zip bomb refused" -- S "$C/bomb.zip" "$O/bomb.docx"
expect_grep "$TMP/err" "limit hit: zip entry word/document.xml expands .* (ratio over 100:1)" "zip bomb: ratio named"
expect_exit 1 "deep XML refused" -- S "$C/deep.docx" "$O/deep.docx"
expect_grep "$TMP/err" "limit hit: XML part \[Content_Types\].xml nests deeper than 128" "deep XML: limit named"
expect_exit 1 "entry limit" -- S --max-entries 3 "$C/macro.docm" "$O/x.docx"
expect_grep "$TMP/err" "limit hit: the zip has 7 entries, over the limit of 3" "entry limit named"
expect_exit 1 "total size limit" -- S --max-total 1000 "$C/extlink.xlsx" "$O/x.xlsx"
expect_grep "$TMP/err" "limit hit: the zip's entries add up to over 1000 bytes" "total size limit named"
for f in plain.zip bomb.docx deep.docx x.docx x.xlsx x.pdf; do
	[ ! -e "$O/$f" ] && ok || not_ok "refused $f: no output written"
done

/usr/bin/python3 - "$O" <<'PY' && ok || not_ok "OOXML output properties"
import json, posixpath, re, sys, zipfile
import xml.etree.ElementTree as ET
o = sys.argv[1]
bad = []
def check(c, what):
    if not c: bad.append(what)
RNS = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",)
def consistent(path):
    """Every part typed, every override and internal target existing, no
    external target, every r:* attribute naming a relationship of its part."""
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
    for t in list(defaults.values()) + list(overrides.values()):
        check("macroEnabled" not in t and "vbaProject" not in t and "oleObject" not in t and "activeX" not in t,
              f"{path}: content type {t}")
    for n in names:
        if not n.endswith(".rels"):
            continue
        d, base = posixpath.split(n)
        src = posixpath.join(posixpath.dirname(d), base[:-5])
        ids = set()
        for r in ET.fromstring(z.read(n)):
            ids.add(r.get("Id"))
            check(r.get("TargetMode") != "External", f"{path}: {n} {r.get('Id')} is external")
            t = r.get("Target")
            tgt = t[1:] if t.startswith("/") else posixpath.normpath(posixpath.join(posixpath.dirname(src), t))
            check(tgt in names, f"{path}: {n} {r.get('Id')} points at missing {tgt}")
        if src in names and src.endswith(".xml"):
            for el in ET.fromstring(z.read(src)).iter():
                for k, v in el.attrib.items():
                    if k.startswith("{%s}" % RNS[0]):
                        check(v in ids, f"{path}: {src} {el.tag} points at missing relationship {v}")
    return z, names, overrides
WML = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
for name in ("macro.docx", "macro.docm"):
    z, names, ov = consistent(f"{o}/{name}")
    check(not any("vba" in n.lower() for n in names), f"{name}: vbaProject.bin and vbaData.xml gone")
    check(ov.get("word/document.xml") == "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
          f"{name}: main content type is macro-free")
    doc = z.read("word/document.xml").decode()
    check("マクロ付きの請求書です。" in doc and "ここをクリック" in doc, f"{name}: text kept, link text kept")
    check("evil" not in "".join(z.read(n).decode("utf-8", "replace") for n in names), f"{name}: no trace of the link")
rep = json.load(open(f"{o}/macro.json"))
check(rep["type"] == "docm" and rep["output_type"] == "docx", "json: types")
check({"name": "word/vbaProject.bin", "size": 728, "what": "macro (VBA project / マクロ)"} in rep["removed"], "json: macro listed")
check(any("hxxps://evil[.]example[.]com/login" in r["what"] for r in rep["removed"]), "json: external hyperlink listed")

z, names, ov = consistent(f"{o}/extlink.xlsx")
check(not any("externallink" in n.lower() or "calcchain" in n.lower() for n in names), "xlsx: external link and calc chain gone")
wb = z.read("xl/workbook.xml").decode()
check("externalReference" not in wb and "[1]" not in wb and 'name="local"' in wb, "xlsx: external references and names gone, local name kept")
sh = z.read("xl/worksheets/sheet1.xml").decode()
check('<c r="B1"><v>42</v></c>' in sh and "<f>A1*2</f>" in sh, "xlsx: external formula became its value, local formula kept")

z, names, ov = consistent(f"{o}/embedded.docx")
check(not any("embeddings/" in n or "activeX" in n for n in names), "docx: embeddings and activeX gone")
check("word/media/image1.png" in names, "docx: the preview image kept")
doc = z.read("word/document.xml").decode()
check("OLEObject" not in doc and "w:control" not in doc and 'r:id="rId3"' in doc, "docx: object and control gone, image reference kept")
check("attachedTemplate" not in z.read("word/settings.xml").decode(), "docx: remote template gone")

z, names, ov = consistent(f"{o}/macro.pptx")
check(not any("vba" in n.lower() or "embeddings/" in n for n in names), "pptx: macro and embedded object gone")
check(ov.get("ppt/presentation.xml") == "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
      "pptx: main content type is macro-free")
sl = z.read("ppt/slides/slide1.xml").decode()
check("graphicFrame" not in sl and "oleObj" not in sl, "pptx: the OLE graphic frame gone")
check("議会資料" in sl and "<a:hlinkClick/>" in sl, "pptx: shape text kept, its link cut")

# Word fields: the dangerous ones gone from every part, their text still shown
DANGER = re.compile(r"\b(DDE|DDEAUTO|INCLUDETEXT|INCLUDE|INCLUDEPICTURE|IMPORT|LINK|DATABASE|QUOTE)\b", re.I)
z, names, ov = consistent(f"{o}/fields.docx")
check(not any("printersettings" in n.lower() for n in names), "fields: printer settings gone")
shown, instrs = "", {}
for n in sorted(names):
    if not n.endswith(".xml"):
        continue
    raw = z.read(n).decode()
    check("cmd" not in raw and "evil" not in raw and "secret" not in raw, f"fields: {n}: no trace of a command, URL or source")
    root = ET.fromstring(raw)
    instrs[n] = "".join(e.text or "" for e in root.iter() if e.tag in (WML + "instrText", WML + "delInstrText"))
    check(not DANGER.search(instrs[n]), f"fields: {n}: instructions left: {instrs[n]!r}")
    for e in root.iter(WML + "fldSimple"):
        check(not DANGER.search(e.get(WML + "instr")), f"fields: {n}: fldSimple {e.get(WML + 'instr')!r} left")
    kinds = [e.get(WML + "fldCharType") for e in root.iter(WML + "fldChar")]
    check(kinds.count("begin") == kinds.count("end") == kinds.count("separate"), f"fields: {n}: unbalanced {kinds}")
    shown += "".join(e.text or "" for e in root.iter() if e.tag in (WML + "t", WML + "delText"))
for text in ("本文の始まり。", "単純フィールドの表示", "複合フィールドの表示", "画像の代わり", "二段落目の結果",
             "組み立てた名前の表示", "途中を組み立てた名前の表示", "IFの表示", "削除されたリンク", "一つのランの表示", "ページ 1", "3", "市のサイト",
             "テキストボックスの表示", "本文の終わり。", "ヘッダーの表示"):
    check(text in shown, f"fields: displayed text {text!r} kept")
check("取込み" not in shown and "DDE" not in shown and "E" not in shown, "fields: the results of fields inside a removed instruction went with it")
check(instrs["word/document.xml"] == ' PAGE  HYPERLINK "https://www.example.jp/" ', f"fields: PAGE and HYPERLINK kept: {instrs['word/document.xml']!r}")
doc = z.read("word/document.xml").decode()
check('w:instr=" NUMPAGES "' in doc, "fields: the harmless fldSimple kept")
check("printerSettings" not in doc and "headerReference" in doc, "fields: w:printerSettings gone, the header kept")
check("mailMerge" not in z.read("word/settings.xml").decode(), "fields: mail merge source gone")
rep = json.load(open(f"{o}/fields.json"))
got = [(r["name"], r["what"].split(" (")[0]) for r in rep["removed"]]
for item in [("word/document.xml", "DDE field"), ("word/document.xml", "2 × DDEAUTO field"),
             ("word/document.xml", "2 × INCLUDETEXT field"), ("word/document.xml", "INCLUDEPICTURE field"),
             ("word/document.xml", "LINK field"), ("word/document.xml", "2 × field whose name another field makes"),
             ("word/document.xml", "field instruction outside a field"), ("word/header1.xml", "DDEAUTO field"),
             ("word/settings.xml", "mail merge data source"),
             ("word/printerSettings/printerSettings1.bin", "printer settings")]:
    check(item in got, f"fields json: {item} reported, got {got}")

# Excel: data connection, query table, printer settings and DDE formulas gone
z, names, ov = consistent(f"{o}/connections.xlsx")
for gone in ("xl/connections.xml", "xl/queryTables/queryTable1.xml", "xl/printerSettings/printerSettings1.bin", "xl/calcChain.xml"):
    check(gone not in names, f"connections: {gone} gone")
ct = z.read("[Content_Types].xml").decode()
check("connections" not in ct and "queryTable" not in ct and "printerSettings" not in ct, "connections: their content types gone")
raw = "".join(z.read(n).decode() for n in names)
check("cmd" not in raw and "MSEXCEL" not in raw and "evil" not in raw and "DSN" not in raw, "connections: no trace of DDE or the sources")
sh = z.read("xl/worksheets/sheet1.xml").decode()
check('<c r="A1"><v>0</v></c>' in sh and '<c r="C1"><v>7</v></c>' in sh and '<c r="C2"><v>8</v></c>' in sh,
      "connections: DDE formulas (and the cell sharing one) became their values")
check('<f>"a|b"&amp;"c"</f>' in sh and "<f>SUM(1,2)</f>" in sh, "connections: a | in a string is no DDE, other formulas kept")
check("r:id" not in sh.split("<pageSetup")[1].split("/>")[0], "connections: pageSetup lost its printer settings")
tb = z.read("xl/tables/table1.xml").decode()
check("tableType" not in tb and "connectionId" not in tb and "queryTableFieldId" not in tb and 'name="値"' in tb,
      "connections: the query's table became an ordinary table")
wb = z.read("xl/workbook.xml").decode()
check('name="dde"' not in wb and 'name="ExternalData_1"' in wb, "connections: DDE name gone, range name kept")
rep = json.load(open(f"{o}/connections.json"))
got = [(r["name"], r["what"].split(" (")[0]) for r in rep["removed"]]
for item in [("xl/connections.xml", "data connection"), ("xl/queryTables/queryTable1.xml", "query table"),
             ("xl/printerSettings/printerSettings1.bin", "printer settings"), ("xl/worksheets/sheet1.xml", "3 × DDE formula"),
             ("xl/workbook.xml", "DDE formula"), ("xl/calcChain.xml", "calculation chain")]:
    check(item in got, f"connections json: {item} reported, got {got}")
if bad:
    print("\n".join(bad)); sys.exit(1)
PY

# parts in another encoding: the names and the "|" that mark a field or a DDE formula do
# not appear in their bytes as themselves, so they must be read as XML all the same
/usr/bin/python3 - "$C" <<'PY' && ok || not_ok "make UTF-16 and UTF-7 variants"
import re, sys, zipfile
c = sys.argv[1]
def variant(src, dst, part, encode):
    zi, zo = zipfile.ZipFile(f"{c}/{src}"), zipfile.ZipFile(f"{c}/{dst}", "w", zipfile.ZIP_DEFLATED)
    for n in zi.namelist():
        data = zi.read(n)
        zo.writestr(n, encode(data.decode("utf-8")) if n == part else data)
    zo.close()
def utf16(x):
    return b"\xff\xfe" + re.sub(r'encoding="[^"]*"', 'encoding="UTF-16"', x).encode("utf-16-le")
def utf7(x):    # Python leaves "|" direct: written +AHw- (legal UTF-7), no "|" byte is left
    y = re.sub(r'encoding="[^"]*"', 'encoding="UTF-7"', x).encode("utf-7").replace(b"|", b"+AHw-")
    assert b"|" not in y
    return y
variant("fields.docx", "fields-utf16.docx", "word/document.xml", utf16)
variant("connections.xlsx", "dde-utf7.xlsx", "xl/worksheets/sheet1.xml", utf7)
PY
expect_exit 0 "a docx whose document is UTF-16" -- S "$C/fields-utf16.docx" "$O/fields-utf16.docx"
expect_grep "$TMP/out" "word/document.xml  \[.*DDEAUTO field" "UTF-16 document: its DDEAUTO field found"
expect_exit 0 "an xlsx whose sheet is UTF-7" -- S "$C/dde-utf7.xlsx" "$O/dde-utf7.xlsx"
/usr/bin/python3 - "$O" <<'PY' && ok || not_ok "no field or DDE formula left in the re-encoded parts"
import re, sys, zipfile
import xml.etree.ElementTree as ET
o = sys.argv[1]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
doc = ET.fromstring(zipfile.ZipFile(f"{o}/fields-utf16.docx").read("word/document.xml"))
instr = " ".join((e.text or "") for e in doc.iter(W + "instrText")) + " ".join(
    e.get(W + "instr", "") for e in doc.iter(W + "fldSimple"))
bad = re.findall(r"\b(?:DDE|DDEAUTO|INCLUDETEXT|INCLUDEPICTURE|IMPORT|LINK)\b", instr.upper())
sheet = zipfile.ZipFile(f"{o}/dde-utf7.xlsx").read("xl/worksheets/sheet1.xml")
if b"UTF-7" in sheet[:100]:
    bad.append("the sheet was copied as it came")
else:
    bad += [f.text for f in ET.fromstring(sheet).iter(S + "f") if f.text and "cmd" in f.text]
print(bad, file=sys.stderr)
sys.exit(1 if bad else 0)
PY

# ---- images
expect_exit 0 "png" -- S "$C/meta.png" "$O/meta.png"
expect_grep "$TMP/out" "tEXt  \[PNG tEXt chunk (text metadata), 38 bytes\]" "png: text chunk reported"
expect_exit 0 "jpeg" -- S "$C/meta.jpg" "$O/meta.jpg"
expect_grep "$TMP/out" "APP1 EXIF" "jpeg: EXIF reported"
expect_exit 0 "png named .pdf: decided by content" -- S "$C/picture.pdf" "$O/picture.out"
expect_grep "$TMP/out" "png → png" "png named .pdf: treated as PNG"
head -c 60 "$C/meta.png" >"$C/truncated.png"
expect_exit 1 "damaged png" -- S "$C/truncated.png" "$O/x.png"
/usr/bin/python3 - "$O" <<'PY' && ok || not_ok "image output properties"
import struct, sys, zlib
o = sys.argv[1]
bad = []
def check(c, what):
    if not c: bad.append(what)
def chunks(d):
    i, out = 8, []
    while i < len(d):
        n = struct.unpack(">I", d[i:i + 4])[0]
        out.append((d[i + 4:i + 8], d[i + 8:i + 8 + n]))
        i += 12 + n
    return out
def decode(d):
    ch = chunks(d)
    w, h, depth, ctype = struct.unpack(">IIBB", ch[0][1][:10])
    nc = {2: 3, 6: 4}[ctype]
    raw = zlib.decompress(b"".join(c for t, c in ch if t == b"IDAT"))
    rows, prev, i = [], bytearray(w * nc), 0
    for y in range(h):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + w * nc]); i += 1 + w * nc
        for x in range(len(line)):
            a = line[x - nc] if x >= nc else 0
            b = prev[x]; c = prev[x - nc] if x >= nc else 0
            p = a + b - c
            pred = [0, a, b, (a + b) // 2, a if abs(p - a) <= abs(p - b) and abs(p - a) <= abs(p - c) else b if abs(p - b) <= abs(p - c) else c][f]
            line[x] = (line[x] + pred) & 255
        rows.append([tuple(line[x * nc:x * nc + 3]) for x in range(w)]); prev = line
    return w, h, rows
d = open(f"{o}/meta.png", "rb").read()
types = [t for t, _ in chunks(d)]
check(all(t in (b"IHDR", b"IDAT", b"IEND", b"bKGD") for t in types), f"png: only IHDR/IDAT/IEND (and cairo's own bKGD), got {types}")
check(b"secret" not in d and "山田".encode() not in d and b"Canon" not in d and b"TRAILING" not in d, "png: no metadata bytes left")
PIXELS = [[(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)],
          [(0, 0, 0), (10, 20, 30), (200, 100, 50), (1, 2, 3)],
          [(128, 128, 128), (255, 255, 0), (0, 255, 255), (255, 0, 255)]]
w, h, rows = decode(d)
check((w, h) == (4, 3) and rows == PIXELS, "png: the same pixels")
check(open(f"{o}/picture.out", "rb").read() == d, "png named .pdf: same result as meta.png")
j = open(f"{o}/meta.jpg", "rb").read()
i, markers, size = 2, [], None
while i < len(j) and j[i] == 0xFF and j[i + 1] != 0xDA:
    m = j[i + 1]; n = struct.unpack(">H", j[i + 2:i + 4])[0]
    markers.append(m)
    if m in (0xC0, 0xC1, 0xC2):
        size = struct.unpack(">HH", j[i + 5:i + 9])[::-1]
    i += 2 + n
check(not any(m in (0xE1, 0xED, 0xFE) or 0xE2 <= m <= 0xEF for m in markers), f"jpeg: no APP1..15 or COM, got {[hex(m) for m in markers]}")
check(b"secret" not in j and b"Canon" not in j and b"Exif" not in j, "jpeg: no metadata bytes left")
check(size == (8, 16), f"jpeg: EXIF orientation 6 applied (16x8 → 8x16), got {size}")
if bad:
    print("\n".join(bad)); sys.exit(1)
PY

# ---- text
for f in cp932 utf8bom utf16le; do
	expect_exit 0 "text $f" -- S "$C/$f.txt" "$O/$f.txt"
	cmp -s "$O/$f.txt" "$C/expected-text.txt" && ok || not_ok "text $f: UTF-8 identical to the original text"
done
for f in iso2022jp eucjp; do
	expect_exit 0 "text $f" -- S "$C/$f.txt" "$O/$f.txt"
	cmp -s "$O/$f.txt" "$C/expected-text-no-nec.txt" && ok || not_ok "text $f: UTF-8 identical to the original text"
done
S "$C/cp932.txt" "$O/x.txt" | grep -q "CP932 → UTF-8" && ok || not_ok "cp932: detected as CP932"
S "$C/iso2022jp.txt" "$O/x.txt" | grep -q "ISO-2022-JP → UTF-8" && ok || not_ok "iso-2022-jp: detected"
S "$C/eucjp.txt" "$O/x.txt" | grep -q "EUC-JP → UTF-8" && ok || not_ok "euc-jp: detected"
printf 'ok \x82\xa0 \xff\xfe broken \x82' >"$C/broken.txt"
expect_exit 0 "broken text" -- S "$C/broken.txt" "$O/broken.txt"
/usr/bin/python3 -c "import sys; open(sys.argv[1],'rb').read().decode('utf-8')" "$O/broken.txt" && ok || not_ok "broken text: output is valid UTF-8"
expect_grep "$TMP/err" "U+FFFD" "broken text: notice names the replacement"

printf 'log \x1b[31mred\x1b[0m 日本語\n' >"$C/escapes.txt"
expect_exit 0 "UTF-8 with terminal escapes" -- S "$C/escapes.txt" "$O/escapes.txt"
[ "$(cat "$O/escapes.txt")" = "log [31mred[0m 日本語" ] && ok || not_ok "escapes: UTF-8 kept, ESC dropped"

# ---- refused types, limits, atomic output
{ printf '\xff\xfe'; printf '<html><script>x</script></html>' | iconv -t UTF-16LE; } >"$C/utf16.html"
expect_exit 4 "UTF-16 html refused" -- S "$C/utf16.html" "$O/utf16.txt"
expect_grep "$TMP/err" "markup" "UTF-16 html: refused as markup after decoding"
expect_exit 4 "html refused" -- S "$C/page.html" "$O/page.txt"
expect_grep "$TMP/err" "markup (HTML, XML, SVG or RTF)" "html: says why"
expect_exit 4 "executable named .pdf refused" -- S "$C/program.pdf" "$O/program.pdf"
expect_grep "$TMP/err" "an executable program" "executable: decided by content"
head -c 3000 /dev/urandom >"$C/random.bin"; printf '\0' >>"$C/random.bin"
expect_exit 4 "binary refused" -- S "$C/random.bin" "$O/random.out"
expect_exit 4 "json on refusal" -- S --json "$C/plain.zip" "$O/plain.zip"
/usr/bin/python3 -c "import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if r['unsupported_type'] and r['type']=='zip' and 'not an Office' in r['refused'] else 1)" "$TMP/out" && ok || not_ok "json on refusal: unsupported_type and reason"
expect_exit 1 "input size limit" -- S --max-input 100 "$C/sample.pdf" "$O/x.pdf"
expect_grep "$TMP/err" "limit hit: .*sample.pdf is 2180 bytes, over the input size limit of 100 bytes" "input size limit named"
printf 'old\n' >"$O/keep.out"
expect_exit 4 "refusal keeps an existing output" -- S "$C/plain.zip" "$O/keep.out"
[ "$(cat "$O/keep.out")" = "old" ] && ok || not_ok "existing output untouched on refusal"
ls -A "$O" | grep -q 'mamori-' && not_ok "temporary files left behind: $(ls -A "$O" | grep mamori-)" || ok
[ "$(stat -c %a "$O/sample.pdf")" = 600 ] && ok || not_ok "output mode 0600"
expect_exit 3 "missing input" -- S "$C/nope.pdf" "$O/x.pdf"
expect_exit 2 "dpi out of range" -- S --dpi 5 "$C/sample.pdf" "$O/x.pdf"
expect_exit 2 "missing OUT" -- S "$C/sample.pdf"
finish
