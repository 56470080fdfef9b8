#!/usr/bin/python3
"""Builds the 無害化 test corpus into DIR: each message the issue names, made with
Python's email package so the bytes are what real mailers send."""
import sys, io, zipfile
from email.header import Header
from email.utils import formataddr
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.mime.application import MIMEApplication
from email.mime.message import MIMEMessage

d = sys.argv[1]
def head(m, subject, charset="utf-8"):
    m["Subject"] = Header(subject, charset)
    m["From"] = formataddr((str(Header("山田 太郎", charset)), "yamada@example.jp"))
    m["To"] = "soumu@city.example.lg.jp"
    m["Date"] = "Sun, 22 Nov 2026 10:00:00 +0900"
    m["Message-ID"] = f"<{subject.encode().hex()[:16]}@example.jp>"
    m["X-Mailer"] = "evil/1.0"
    return m
def save(name, m):
    open(f"{d}/{name}.eml", "wb").write(m.as_bytes())

save("jis-plain", head(MIMEText("こんにちは。\n住民票の写しを送付します。\n", "plain", "iso-2022-jp"), "住民票の件", "iso-2022-jp"))
save("html-only", head(MIMEText('<html><head><style>p{color:red}</style><script>alert("x")</script></head><body>'
     '<p>会議の<b>案内</b>です。</p><div style="display: none">隠しテキスト</div><!-- 秘密のコメント -->'
     '<ul><li>日時: 明日</li><li>場所: 本庁舎</li></ul><table><tr><td>項目</td><td>内容</td></tr></table>'
     '<a href="https://evil.example.com/login">ログイン</a><img src="https://t.example.com/p.gif" width="1" height="1">'
     '</body></html>', "html", "utf-8"), "会議の案内"))
alt = MIMEMultipart("alternative"); alt.attach(MIMEText("平文の本文です。", "plain", "utf-8")); alt.attach(MIMEText("<p>HTMLの本文</p>", "html", "utf-8"))
save("alternative", head(alt, "代替"))
mixed = MIMEMultipart("mixed"); mixed.attach(MIMEText("資料を添付します。", "plain", "utf-8"))
pdf = MIMEApplication(b"%PDF-1.4\n%fake pdf for the test\n", "pdf"); pdf.add_header("Content-Disposition", "attachment", filename=("utf-8", "", "資料 2026.pdf")); mixed.attach(pdf)
save("with-pdf", head(mixed, "資料送付"))
mixed = MIMEMultipart("mixed"); mixed.attach(MIMEText("マクロ付きです。", "plain", "utf-8"))
doc = MIMEApplication(b"PK\x03\x04 docm with vbaProject.bin", "vnd.ms-word.document.macroEnabled.12"); doc.add_header("Content-Disposition", "attachment", filename="請求書.docm"); mixed.attach(doc)
save("docm-macro", head(mixed, "請求書"))
buf = io.BytesIO(); z = zipfile.ZipFile(buf, "w"); z.writestr("a.txt", "hello"); z.close()
mixed = MIMEMultipart("mixed"); mixed.attach(MIMEText("zipです", "plain", "utf-8"))
zp = MIMEApplication(buf.getvalue(), "zip"); zp.add_header("Content-Disposition", "attachment", filename="files.zip"); mixed.attach(zp)
save("zip", head(mixed, "zip"))
buf = io.BytesIO(); z = zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED); z.writestr("bomb.bin", b"\0" * (50 << 20)); z.close()
mixed = MIMEMultipart("mixed"); mixed.attach(MIMEText("爆弾", "plain", "utf-8"))
zp = MIMEApplication(buf.getvalue(), "zip"); zp.add_header("Content-Disposition", "attachment", filename="bomb.zip"); mixed.attach(zp)
save("zip-bomb", head(mixed, "bomb"))
inner = head(MIMEText("転送元の本文", "plain", "utf-8"), "元のメール")
outer = MIMEMultipart("mixed"); outer.attach(MIMEText("転送します。", "plain", "utf-8")); outer.attach(MIMEMessage(inner))
save("nested-rfc822", head(outer, "転送"))
lie = MIMEText("x", "plain", "utf-8"); lie.set_payload("嘘の文字コードです。".encode("cp932")); lie.replace_header("Content-Transfer-Encoding", "8bit") if "Content-Transfer-Encoding" in lie else lie.add_header("Content-Transfer-Encoding", "8bit")
save("lying-charset", head(lie, "文字コード"))
many = MIMEMultipart("mixed")
for i in range(1200):
    many.attach(MIMEText(f"part {i}", "plain", "utf-8"))
save("too-many-parts", head(many, "多すぎる"))
