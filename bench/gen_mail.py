#!/usr/bin/python3
"""A realistic mix of mail for the 無害化 benchmark, N messages into DIR
(DIR/NNNNNN-CLASS.eml), made with Python's email package, fixed seed.

Classes, by count (what a city's internet-facing mail gateway sees):
  jis     40 %  Japanese plain text in ISO-2022-JP, 1–6 KB (notices, replies)
  news    20 %  HTML-only newsletters, UTF-8 quoted-printable, 20–80 KB, with
                style, tables, lists, links and tracking images
  alt     25 %  multipart/alternative, text + HTML (Shift_JIS or UTF-8), 5–30 KB
  attach  15 %  text + one to three attachments (PDF, DOCX, XLSX, ZIP), base64,
                50 KB–1.5 MB (incompressible bytes, as real documents are)
Usage: gen_mail.py N DIR"""
import os, random, sys
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr

random.seed(11)
n, d = int(sys.argv[1]), sys.argv[2]
os.makedirs(d, exist_ok=True)

SENTENCES = [
    "いつもお世話になっております。", "株式会社サンプルの山田でございます。",
    "先日ご依頼いただいた見積書を送付いたします。", "ご確認のほど、よろしくお願いいたします。",
    "令和8年度の補助金申請について、締切は来月末となっております。",
    "添付の資料をご覧ください。", "ご不明な点がございましたら、お気軽にお問い合わせください。",
    "会議は本庁舎3階の第2会議室で行います。", "住民基本台帳の閲覧申請の件でご連絡いたしました。",
    "システム更新作業のため、サービスを一時停止いたします。",
    "次回の打合せは11月25日(水)14時からを予定しております。",
    "本メールは送信専用アドレスから配信しています。", "Please find the attached document for your review.",
]
NAMES = ["山田 太郎", "佐藤 花子", "鈴木 一郎", "高橋 美咲", "田中 健", "Newsletter Team"]

def text(lo, hi):
    out, size = [], random.randint(lo, hi)
    while sum(len(s.encode()) for s in out) < size:
        out.append(random.choice(SENTENCES) + ("\n" if random.random() < 0.4 else ""))
    return "".join(out) + "\n"

def html(lo, hi):
    parts, size = ['<html><head><meta charset="utf-8"><style>body{font-family:sans-serif}'
                   '.x{color:#333;padding:4px}td{border:1px solid #ccc}</style>'
                   '<script>var t=1;</script></head><body><div class="x">'], random.randint(lo, hi)
    while sum(len(p.encode()) for p in parts) < size:
        r = random.random()
        if r < 0.35:
            parts.append(f"<p>{random.choice(SENTENCES)}<b>{random.choice(SENTENCES)}</b></p>\n")
        elif r < 0.55:
            parts.append("<ul>" + "".join(f"<li>{random.choice(SENTENCES)}</li>" for _ in range(4)) + "</ul>\n")
        elif r < 0.7:
            parts.append("<table>" + "".join(f"<tr><td>項目{i}</td><td>{random.choice(SENTENCES)}</td></tr>"
                                             for i in range(5)) + "</table>\n")
        elif r < 0.85:
            parts.append(f'<a href="https://www{random.randint(1, 9)}.example.co.jp/campaign/{random.randint(1, 10**6)}'
                         f'?utm_source=mail">詳しくはこちら</a><br>\n')
        elif r < 0.93:
            parts.append(f'<img src="https://t.example.com/open/{random.randint(1, 10**9)}.gif" width="1" height="1">'
                         '<img src="https://img.example.com/banner.png" alt="秋のキャンペーン">\n')
        else:
            parts.append('<div style="display:none">preheader text 隠し</div><!-- tracking -->\n')
    parts.append("</div></body></html>\n")
    return "".join(parts)

def head(m, i, charset="utf-8"):
    m["Subject"] = Header(f"{random.choice(['ご案内', '見積書送付', '会議のお知らせ', 'メールマガジン'])} No.{i}", charset)
    m["From"] = formataddr((str(Header(random.choice(NAMES), charset)), f"sender{i % 97}@example.co.jp"))
    m["To"] = f"staff{i % 31}@city.example.lg.jp"
    if random.random() < 0.3:
        m["Cc"] = "soumu@city.example.lg.jp"
    m["Date"] = "Sun, 22 Nov 2026 10:00:00 +0900"
    m["Message-ID"] = f"<{i}.{random.randint(1, 10**9)}@example.co.jp>"
    m["X-Mailer"] = "bench"
    return m

ATT = [("見積書.pdf", "pdf", b"%PDF-1.7\n"), ("報告書.docx", "vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04"),
       ("集計.xlsx", "vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"), ("資料一式.zip", "zip", b"PK\x03\x04")]

for i in range(n):
    r = random.random()
    if r < 0.40:
        cls, m = "jis", head(MIMEText(text(1000, 6000), "plain", "iso-2022-jp"), i, "iso-2022-jp")
    elif r < 0.60:
        cls, m = "news", head(MIMEText(html(20000, 80000), "html", "utf-8"), i)
    elif r < 0.85:
        cs = random.choice(["utf-8", "shift_jis"])
        m = MIMEMultipart("alternative")
        m.attach(MIMEText(text(2000, 10000), "plain", cs))
        m.attach(MIMEText(html(3000, 20000), "html", cs))
        cls, m = "alt", head(m, i, cs)
    else:
        m = MIMEMultipart("mixed")
        m.attach(MIMEText(text(500, 3000), "plain", "iso-2022-jp"))
        for _ in range(random.randint(1, 3)):
            name, sub, magic = random.choice(ATT)
            a = MIMEApplication(magic + os.urandom(random.randint(40000, 500000)), sub)
            a.add_header("Content-Disposition", "attachment", filename=("utf-8", "", name))
            m.attach(a)
        cls, m = "attach", head(m, i)
    with open(f"{d}/{i:06d}-{cls}.eml", "wb") as f:
        f.write(m.as_bytes())
