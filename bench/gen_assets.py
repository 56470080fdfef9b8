#!/usr/bin/python3
"""Writes a realistic 情報資産管理台帳 CSV (Japanese headers) with N rows to stdout:
departments, kinds and segments of mic-standard, levels skewed as real registers are
(most assets 機密性2), Japanese names and places.  Usage: gen_assets.py N [--cp932]"""
import random, sys

n = int(sys.argv[1])
random.seed(1)
depts = ["総務課", "情報政策課", "市民課", "税務課", "福祉課", "教育総務課", "消防本部総務課"]
kinds = ["情報", "情報システム", "電磁的記録媒体", "印刷した文書", "システム関連文書", "設備"]
segs = ["マイナンバー利用事務系", "LGWAN接続系", "インターネット接続系", ""]
things = ["台帳", "申請書", "決裁文書", "名簿", "記録", "データ", "システム", "報告書", "原稿", "契約書"]
places = ["本庁舎サーバ室", "書庫", "共有フォルダ", "金庫", "データセンタ", "執務室キャビネット（施錠）"]
out = ["資産名,種別,説明,所管課,ネットワーク区分,保管場所,機密性,完全性,可用性,保存期間"]
for i in range(n):
    c = random.choices([1, 2, 3], [25, 55, 20])[0]
    out.append(",".join([
        f"{random.choice(depts)[:-1]}{random.choice(things)}{i}",
        random.choice(kinds), "" if i % 3 else f'"令和{i % 8 + 1}年度分, 原本"',
        random.choice(depts), random.choice(segs), random.choice(places),
        str(c), str(random.choice([1, 2])), str(random.choice([1, 2])), random.choice(["1年", "5年", "常用"]),
    ]))
text = "\r\n".join(out) + "\r\n"
sys.stdout.buffer.write(text.encode("cp932" if "--cp932" in sys.argv else "utf-8"))
