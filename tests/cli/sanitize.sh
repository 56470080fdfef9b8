#!/usr/bin/env bash
# 無害化 of mail: each message of the corpus (tests/sanitize/make_corpus.py) is
# checked for exact properties of the output.
. "$(dirname "$0")/lib.sh"

C="$TMP/corpus"; Q="$TMP/q"; mkdir -p "$C"
/usr/bin/python3 "$SRCDIR/tests/sanitize/make_corpus.py" "$C" && ok || not_ok "corpus"
for f in jis-plain html-only alternative with-pdf docm-macro zip zip-bomb nested-rfc822 lying-charset; do
	expect_exit 0 "sanitize $f" -- "$MAMORI" sanitize mail --quarantine "$Q" --policy "$SRCDIR/policies/mic-standard.yaml" <"$C/$f.eml"
	cp "$TMP/out" "$TMP/$f.out"
done
expect_exit 1 "too many parts refused" -- "$MAMORI" sanitize mail --quarantine "$Q" <"$C/too-many-parts.eml"
expect_grep "$TMP/err" 'too many parts' "refusal says why"

# decode each output with Python's email package and check its properties
/usr/bin/python3 - "$TMP" "$C" "$Q" <<'PY' && ok || not_ok "output properties"
import email, email.policy, hashlib, os, re, stat, sys
tmp, corpus, q = sys.argv[1:4]
bad = []
def out(name):
    raw = open(f"{tmp}/{name}.out", "rb").read()
    m = email.message_from_bytes(raw, policy=email.policy.default)
    return raw, m, m.get_content()
def check(cond, what):
    if not cond: bad.append(what)
for name in ["jis-plain", "html-only", "alternative", "with-pdf", "docm-macro", "zip", "zip-bomb", "nested-rfc822", "lying-charset"]:
    raw, m, body = out(name)
    check(m.get_content_type() == "text/plain" and not m.is_multipart(), f"{name}: single text/plain")
    check(m.get_content_charset() == "utf-8", f"{name}: charset utf-8")
    check("X-Mailer" not in m, f"{name}: other headers dropped")
    check("original-sha256=" in str(m["X-Mamori-Sanitized"]).replace("\n", ""), f"{name}: X-Mamori-Sanitized")
    orig = open(f"{corpus}/{name}.eml", "rb").read()
    h = hashlib.sha256(orig).hexdigest()
    qp = f"{q}/{h}.eml"
    check(os.path.exists(qp) and open(qp, "rb").read() == orig, f"{name}: original quarantined byte-identical")
    check(os.path.exists(qp) and stat.S_IMODE(os.stat(qp).st_mode) == 0o600, f"{name}: quarantine mode 0600")
    check(str(m["Subject"]) != "" and str(m["From"]).endswith("<yamada@example.jp>"), f"{name}: From/Subject kept")
    check("山田 太郎" in str(m["From"]), f"{name}: From name decoded and re-encoded")
    body.encode("utf-8")
_, m, b = out("jis-plain")
check("住民票の写しを送付します。" in b and str(m["Subject"]) == "住民票の件", "jis: Japanese intact")
_, m, b = out("html-only")
check("<" not in b.replace("<hxxps", "") and "alert" not in b and "color:red" not in b, "html: no HTML, script or style left")
check("隠しテキスト" not in b and "秘密のコメント" not in b, "html: hidden element and comment dropped")
check("会議の案内です。" in b and "・日時: 明日" in b and "項目 | 内容" in b, "html: text, list and table legible")
check("hxxps://evil[.]example[.]com/login" in b and "https://" not in b, "html: link defanged")
_, m, b = out("alternative")
check("平文の本文です。" in b and "HTMLの本文" not in b, "alternative: the plain part chosen")
_, m, b = out("with-pdf")
check("資料を添付します。" in b and "資料 2026.pdf" in b and "application/pdf" in b, "pdf: listed with name and type")
pdf = b"%PDF-1.4\n%fake pdf for the test\n"
check(hashlib.sha256(pdf).hexdigest() in b and f"{len(pdf)} bytes" in b, "pdf: size and SHA-256")
_, m, b = out("docm-macro")
check("請求書.docm" in b and "macroEnabled" in b and "マクロ付きです。" in b, "docm: removed and listed")
_, m, b = out("zip")
check("files.zip" in b, "zip: listed")
_, m, b = out("zip-bomb")
check("bomb.zip" in b and "爆弾" in b, "zip bomb: listed, never unpacked")
_, m, b = out("nested-rfc822")
check("転送されたメール: 元のメール" in b and "転送元の本文" not in b and "転送します。" in b, "nested: forwarded message removed and named")
_, m, b = out("lying-charset")
check("嘘の文字コードです。" in b, "lying charset: text recovered as Japanese")
for p in bad:
    print("FAIL:", p)
print(f"{len(bad)} property failures")
sys.exit(1 if bad else 0)
PY
# never invalid UTF-8, whatever the bytes: 200 mangled messages
/usr/bin/python3 - "$MAMORI" "$C" <<'PY' && ok || not_ok "mangled input"
import random, subprocess, sys
mamori, corpus = sys.argv[1:3]
random.seed(3)
srcs = [open(f"{corpus}/{n}.eml", "rb").read() for n in ["jis-plain", "html-only", "with-pdf", "nested-rfc822", "lying-charset"]]
for i in range(200):
    b = bytearray(random.choice(srcs))
    for _ in range(random.randint(1, 40)):
        b[random.randrange(len(b))] = random.randrange(256)
    r = subprocess.run([mamori, "sanitize", "mail"], input=bytes(b), capture_output=True)
    if r.returncode not in (0, 1):
        print("crash or odd exit", r.returncode, r.stderr[:200]); sys.exit(1)
    if r.returncode == 0:
        import email
        m = email.message_from_bytes(r.stdout)
        m.get_payload(decode=True).decode("utf-8")   # raises on invalid UTF-8
print("200 mangled messages: no crash, all output valid UTF-8")
PY
# ISO-2022-JP with NEC special characters (Outlook's CP50221), which glibc's
# ISO-2022-JP refuses: decoded through CP932, no escape sequence left
printf 'From: a@example.jp\nSubject: t\nContent-Type: text/plain; charset=iso-2022-jp\n\n\033$B-!$3$s$K$A$O\033(B abc \033(I12\033(B\n\033$B#1-j\033(B\n' >"$TMP/cp50221.eml"
expect_exit 0 "sanitize CP50221" -- "$MAMORI" sanitize mail <"$TMP/cp50221.eml"
/usr/bin/python3 -c '
import email, sys
b = email.message_from_binary_file(open(sys.argv[1], "rb")).get_payload(decode=True).decode()
assert "①こんにちは abc ｱｲ\n１㈱\n" in b and "\x1b" not in b, repr(b)' "$TMP/out" && ok || not_ok "CP50221: NEC characters decoded"
finish
