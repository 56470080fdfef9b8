#!/usr/bin/env python3
"""make_ledger.py DIR — a 情報資産管理台帳 as a 課 keeps it in Excel, written as
CP932 CSV (what Excel saves), UTF-8 CSV and XLSX (tests/cli/asset_ledger.sh).

A title and a date above the header, a blank row, columns the register does
not keep (No., 取扱者, 更新日, 備考), level words (高, 中, 低), ③ and Ⅱ,
半角カナ, full-width digits, a 課 with a space in it and trailing spaces."""
import csv
import io
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_xlsx import Book  # noqa: E402

ROWS = [
    ['令和7年度 情報資産管理台帳（税務課）'],
    ['作成日', '令和7年4月1日'],
    [],
    ['No.', '資産名', '種別', '所管課', 'ネットワーク区分', '機密性', '完全性', '可用性', '取扱者', '更新日', '備考'],
    ['1', '課税台帳 ', 'ｼｽﾃﾑ', '税務課\u3000', 'LGWAN系', '③', 'Ⅱ', '高', '山田', 'R7.4.1', '年1回見直し'],
    ['2', '納税通知書控え', '紙', '税務課', '', '中', '低', '１ ', '佐藤', '令和7年4月1日', ''],
    ['3', '滞納整理端末', '端末', '税務 課', 'インターネット系', '機密性３', '2', '低', '鈴木', '2025/4/1', '貸与'],
]


def csv_text(rows):
    out = io.StringIO()
    csv.writer(out, lineterminator='\r\n').writerows(rows)
    return out.getvalue()


def main(d):
    with open(os.path.join(d, 'ledger-cp932.csv'), 'wb') as f:
        f.write(csv_text(ROWS).encode('cp932'))
    with open(os.path.join(d, 'ledger-utf8.csv'), 'wb') as f:
        f.write(b'\xef\xbb\xbf' + csv_text(ROWS).encode('utf-8'))
    bad = [r[:] for r in ROWS]
    bad[4][5] = '特'
    with open(os.path.join(d, 'ledger-badlevel.csv'), 'wb') as f:
        f.write(csv_text(bad).encode('cp932'))
    b = Book()
    b.sheet('台帳', {r + 1: {c + 1: ('s', v) for c, v in enumerate(row) if v != ''}
                    for r, row in enumerate(ROWS) if row})
    b.write(os.path.join(d, 'ledger.xlsx'))


if __name__ == '__main__':
    main(sys.argv[1])
