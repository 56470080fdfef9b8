#!/usr/bin/env bash
# 無害化 of mail and PDF against what still got through after sanitize_hostile.sh
# (tests/sanitize/make_mail_pdf_attacks.py): bare URLs mail clients still linked
# (after "_" or "@", Japanese and full-width hosts, "ftp.…", UNC paths), names
# with format characters outside the old list, and PDFs whose actions sit in an
# object stream the scan could not read (another filter, encryption).
. "$(dirname "$0")/lib.sh"
export LSAN_OPTIONS="suppressions=$SRCDIR/tests/sanitize/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

C="$TMP/corpus"; O="$TMP/o"; mkdir -p "$C" "$O"
/usr/bin/python3 "$SRCDIR/tests/sanitize/make_mail_pdf_attacks.py" "$C" && ok || not_ok "corpus"

# ---- 5. mail: bare URLs in text and in HTML text nodes, names
for f in urls names; do
	expect_exit 0 "mail $f" -- "$MAMORI" sanitize mail <"$C/$f.eml"
	cp "$TMP/out" "$O/$f.out"
done
/usr/bin/python3 - "$O" <<'PY' && ok || not_ok "mail: bare URLs defanged"
import email, email.policy, re, sys
o = sys.argv[1]
bad = []
def check(c, what):
    if not c: bad.append(what)
def body(name):
    m = email.message_from_bytes(open(f"{o}/{name}.out", "rb").read(), policy=email.policy.default)
    return m.get_content()
text = body("urls").split("----------------------------------------\n", 1)[1]
plain, html = text.split("HTML:", 1)
for url in ("_hxxps://evil[.]example[.]com/u1", "-hxxp://evil[.]example[.]com/u2", "@hxxps://evil[.]example[.]com/u3",
            "hxxps://例え[.]テスト/u4", "hxxps://ｅｖｉｌ[.]example[.]com/u5", "ftp[.]evil[.]example[.]com/u6",
            "[\\\\]evil[.]example[.]com\\share\\u7.exe", "[\\\\]192[.]168[.]10[.]20\\c$\\u8",
            "hxxps://evil[.]example[.]com/u9を見てください。"):
    check(url in plain, f"text/plain: {url} missing in {plain!r}")
    check(url in html, f"HTML text: {url} missing in {html!r}")
check(not re.search(r"(?i)https?://|ftp\.evil|(?<!\[)\\\\", text), f"urls: a live URL or UNC path left: {text!r}")
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
/usr/bin/python3 - "$O" <<'PY' && ok || not_ok "mail: names with format characters escaped"
import email, email.policy, re, sys
o = sys.argv[1]
bad = []
def check(c, what):
    if not c: bad.append(what)
m = email.message_from_bytes(open(f"{o}/names.out", "rb").read(), policy=email.policy.default)
notice = m.get_content().split("----------------------------------------\n", 1)[0]
for name in ("report<U+206E>.pdf", "soft<U+00AD>hyphen.exe", "tag<U+E0041><U+E007F>.exe", "mongol<U+180E>.exe",
             "note<U+FFF9>a<U+FFFB>b.exe", "blank<U+3164>.exe"):
    check(re.search(r"^  \d\. " + re.escape(name) + r"  \[", notice, re.M), f"names: {name} not on its line in {notice!r}")
check(not re.search("[\u206e\u00ad\U000e0041\U000e007f\u180e\ufff9\ufffb\u3164]", notice), f"names: a character left raw: {notice!r}")
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY

# ---- 6. PDF: never "nothing removed" for an /OpenAction script in an object stream
for f in objstm-hex objstm-rc4 objstm-flate2 objstm-untyped objstm-space objstm-endobj; do
	expect_exit 0 "$f.pdf" -- "$MAMORI" sanitize file --json "$C/$f.pdf" "$O/$f.pdf"
	cp "$TMP/out" "$O/$f.json"
	expect_exit 0 "$f.pdf, text report" -- "$MAMORI" sanitize file "$C/$f.pdf" "$O/$f-2.pdf"
	cp "$TMP/out" "$O/$f.txt"
	grep -q "nothing removed" "$TMP/out" && not_ok "$f.pdf: reported as nothing removed" || ok
done
# what the scan cannot read is listed as such; what it can, by name
expect_grep "$O/objstm-hex.txt" "/ObjStm  \[object stream the check could not read" "objstm-hex: the unread object stream listed"
expect_grep "$O/objstm-rc4.txt" "/Encrypt  \[encrypted PDF whose compressed objects the check could not read" "objstm-rc4: the encrypted objects listed"
for f in objstm-flate2 objstm-untyped objstm-space objstm-endobj; do
	expect_grep "$O/$f.txt" "/OpenAction  \[action run when the document is opened" "$f: /OpenAction listed"
	expect_grep "$O/$f.txt" "/JS  \[JavaScript action" "$f: /JS listed"
done
/usr/bin/python3 - "$O" <<'PY' && ok || not_ok "PDF: JSON reports and outputs"
import json, sys
o = sys.argv[1]
bad = []
want = {"objstm-hex": "/ObjStm", "objstm-rc4": "/Encrypt", "objstm-flate2": "/OpenAction",
        "objstm-untyped": "/OpenAction", "objstm-space": "/OpenAction", "objstm-endobj": "/OpenAction"}
for f, key in want.items():
    got = [r["name"] for r in json.load(open(f"{o}/{f}.json"))["removed"]]
    if key not in got:
        bad.append(f"{f}: {key} not in the JSON report: {got}")
    d = open(f"{o}/{f}.pdf", "rb").read()
    for w in (b"/JavaScript", b"/JS", b"/OpenAction", b"/ObjStm", b"evil"):
        if w in d:
            bad.append(f"{f}.pdf: {w} in the output")
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
finish
