#!/usr/bin/env python3
"""make_xlsx.py DIR — writes the workbooks tests/cli/asset_xlsx.sh imports.

They are made the way Excel writes them (shared strings with their ふりがな,
styles with date formats, rows and cells left out when empty, rich text,
_xHHHH_ escapes, several sheets), by hand with zipfile, so that the test does
not depend on mamori's own writer.
"""
import os
import sys
import zipfile
from xml.sax.saxutils import escape

NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
RNS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
PKG = 'http://schemas.openxmlformats.org/package/2006/relationships'
T_DOC = RNS + '/officeDocument'
T_SHEET = RNS + '/worksheet'
T_SST = RNS + '/sharedStrings'
T_STYLES = RNS + '/styles'


def col_name(c):
    s = ''
    while c:
        c, r = divmod(c - 1, 26)
        s = chr(65 + r) + s
    return s


class Book:
    def __init__(self, date1904=False):
        self.sheets = []          # (name, xml)
        self.strings = []         # (text, phonetic)
        self.index = {}
        self.date1904 = date1904

    def sst(self, text, ruby=None):
        key = (text, ruby)
        if key not in self.index:
            self.index[key] = len(self.strings)
            self.strings.append(key)
        return self.index[key]

    def sheet(self, name, rows, omit_refs=False):
        """rows: {row number: {column number: cell}}; a cell is
        ('s', text[, ruby]) shared, ('n', value[, style]), ('inline', xml of <is>),
        ('str', text), ('raw', xml of the whole <c>)."""
        out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
               f'<worksheet xmlns="{NS}" xmlns:r="{RNS}"><sheetData>']
        for r in sorted(rows):
            out.append(f'<row r="{r}">' if not omit_refs else '<row>')
            for c in sorted(rows[r]):
                cell = rows[r][c]
                ref = '' if omit_refs else f' r="{col_name(c)}{r}"'
                kind = cell[0]
                if kind == 's':
                    i = self.sst(cell[1], cell[2] if len(cell) > 2 else None)
                    out.append(f'<c{ref} t="s"><v>{i}</v></c>')
                elif kind == 'n':
                    style = f' s="{cell[2]}"' if len(cell) > 2 else ''
                    out.append(f'<c{ref}{style}><v>{cell[1]}</v></c>')
                elif kind == 'inline':
                    out.append(f'<c{ref} t="inlineStr"><is>{cell[1]}</is></c>')
                elif kind == 'str':
                    out.append(f'<c{ref} t="str"><f>A1</f><v>{escape(cell[1])}</v></c>')
                elif kind == 'raw':
                    out.append(cell[1].replace('REF', ref))
            out.append('</row>')
        out.append('</sheetData></worksheet>')
        self.sheets.append((name, ''.join(out)))

    def write(self, path, doctype=''):
        with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
            over = ''.join(
                f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                for i in range(len(self.sheets)))
            z.writestr('[Content_Types].xml',
                       '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                       'package/2006/content-types"><Default Extension="rels" ContentType="application/'
                       'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
                       'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
                       '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                       + over + '</Types>')
            z.writestr('_rels/.rels', f'<?xml version="1.0"?><Relationships xmlns="{PKG}">'
                       f'<Relationship Id="rId1" Type="{T_DOC}" Target="xl/workbook.xml"/></Relationships>')
            sheets = ''.join(f'<sheet name="{escape(n)}" sheetId="{i + 1}" r:id="rId{i + 10}"/>'
                             for i, (n, _) in enumerate(self.sheets))
            pr = '<workbookPr date1904="1"/>' if self.date1904 else '<workbookPr/>'
            z.writestr('xl/workbook.xml', f'<?xml version="1.0"?><workbook xmlns="{NS}" xmlns:r="{RNS}">'
                       f'{pr}<sheets>{sheets}</sheets></workbook>')
            rels = ''.join(f'<Relationship Id="rId{i + 10}" Type="{T_SHEET}" Target="worksheets/sheet{i + 1}.xml"/>'
                           for i in range(len(self.sheets)))
            rels += f'<Relationship Id="rId2" Type="{T_SST}" Target="/xl/sharedStrings.xml"/>'
            rels += f'<Relationship Id="rId3" Type="{T_STYLES}" Target="styles.xml"/>'
            z.writestr('xl/_rels/workbook.xml.rels',
                       f'<?xml version="1.0"?><Relationships xmlns="{PKG}">{rels}</Relationships>')
            # cell formats: 0 General, 1 built-in date 14, 2 a Japanese date 「yyyy年m月d日」,
            # 3 a number with a yen sign in brackets (not a date), 4 date and time (22)
            z.writestr('xl/styles.xml',
                       f'<?xml version="1.0"?><styleSheet xmlns="{NS}"><numFmts count="2">'
                       '<numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
                       '<numFmt numFmtId="177" formatCode="[$¥-411]#,##0;[Red]\\-[$¥-411]#,##0"/></numFmts>'
                       '<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>'
                       '<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="176"/>'
                       '<xf numFmtId="177"/><xf numFmtId="22"/></cellXfs></styleSheet>')
            si = []
            for text, ruby in self.strings:
                if ruby:
                    si.append(f'<si><t>{escape(text)}</t><rPh sb="0" eb="{len(text)}"><t>{escape(ruby)}</t>'
                              '</rPh><phoneticPr fontId="1"/></si>')
                else:
                    space = ' xml:space="preserve"' if text != text.strip() else ''
                    si.append(f'<si><t{space}>{escape(text)}</t></si>')
            z.writestr('xl/sharedStrings.xml', f'<?xml version="1.0"?><sst xmlns="{NS}" count="{len(si)}" '
                       f'uniqueCount="{len(si)}">' + ''.join(si) + '</sst>')
            for i, (_, xml) in enumerate(self.sheets):
                z.writestr(f'xl/worksheets/sheet{i + 1}.xml', xml.replace('?>', '?>' + doctype, 1))


HEAD = ['資産名', '種別', '所管課', 'ネットワーク区分', '機密性', '完全性', '可用性', '説明', '状態', '廃棄日',
        '廃棄方法', '廃棄実施者', '保存期間']


def header(cols=HEAD):
    return {i + 1: ('s', h) for i, h in enumerate(cols)}


def ledger(d):
    b = Book()
    rows = {1: header()}
    # row 2: the name with its ふりがな, levels as numbers, a description with a
    # line break (LF in the XML) and a carriage return written as _x000D_
    rows[2] = {1: ('s', '住民基本台帳', 'ジュウミンキホンダイチョウ'), 2: ('s', '情報'), 3: ('s', '市民課'),
               4: ('s', 'マイナンバー利用事務系'), 5: ('n', '3'), 6: ('n', '2'), 7: ('n', '2', 0),
               8: ('s', '一行目_x000D_\n二行目, "引用"'), 13: ('s', '永年')}
    # row 3 left out (empty in Excel); row 4: rich text inline, the segment's id
    rows[4] = {1: ('inline', '<r><t>例規集</t></r><r><rPr><b/></rPr><t xml:space="preserve"> 原稿</t></r>'
                             '<rPh sb="0" eb="3"><t>レイキシュウ</t></rPh>'),
               2: ('s', 'information'), 3: ('s', 'soumu'), 4: ('s', 'lgwan'), 5: ('n', '1'), 6: ('n', '1'),
               7: ('n', '1', 3)}
    # row 5: disposed, the date typed into a date cell (46327 = 2026-11-01)
    rows[5] = {1: ('s', '旧システム記録媒体'), 2: ('s', '情報'), 3: ('s', '総務課'), 5: ('n', '1'), 6: ('n', '1'),
               7: ('n', '1'), 9: ('s', '廃棄済'), 10: ('n', '46327', 1), 11: ('s', 'delete'),
               12: ('s', '山田'), 13: ('n', '46328', 2)}
    # row 6: a date and time in a text column, a formula's string result, _x005F_
    rows[6] = {1: ('str', '計算_x005F_x0041_結果'), 2: ('s', '情報'), 3: ('s', '総務課'), 5: ('n', '1'),
               6: ('n', '1'), 7: ('n', '1'), 13: ('n', '46327.75', 4)}
    b.sheet('台帳', rows)
    # cells without references: every one is written, in order
    b.sheet('記入例', {1: header(HEAD[:7]), 2: {1: ('s', '記入例の資産'), 2: ('s', '情報'), 3: ('s', '総務課'),
                                                4: ('s', 'LGWAN接続系'), 5: ('n', '1'), 6: ('n', '1'),
                                                7: ('n', '1')}}, omit_refs=True)
    b.write(os.path.join(d, 'ledger.xlsx'))

    # three bad rows (5, 7, 8 in Excel's numbering) and a good one: nothing may be imported
    b = Book()
    good = lambda name: {1: ('s', name), 2: ('s', '情報'), 3: ('s', '総務課'), 5: ('n', '1'), 6: ('n', '1'),
                         7: ('n', '1')}
    rows = {1: header(), 2: good('良い行'), 5: {**good('課が違う'), 3: ('s', '秘書課')},
            7: {**good('レベル違い'), 5: ('n', '4')}, 8: {**good('x'), 1: ('s', '')}}
    b.sheet('台帳', rows)
    b.write(os.path.join(d, 'bad.xlsx'))

    # the 1904 date system: day 0 is 1904-01-01
    b = Book(date1904=True)
    b.sheet('台帳', {1: header(), 2: {1: ('s', '1904年式'), 2: ('s', '情報'), 3: ('s', '総務課'), 5: ('n', '1'),
                                      6: ('n', '1'), 7: ('n', '1'), 13: ('n', '0', 1)}})
    b.write(os.path.join(d, 'date1904.xlsx'))

    # a DOCTYPE in the sheet: refused before anything is read
    b = Book()
    b.sheet('台帳', {1: header()})
    b.write(os.path.join(d, 'doctype.xlsx'), doctype='<!DOCTYPE x [<!ENTITY a "aaaa">]>')

    # a shared string that does not exist
    b = Book()
    b.sheet('台帳', {1: header(), 2: {1: ('raw', '<cREF t="s"><v>99</v></c>')}})
    b.write(os.path.join(d, 'badref.xlsx'))

    # not a workbook: a Word document's package, an .xls, a truncated zip
    with zipfile.ZipFile(os.path.join(d, 'word.xlsx'), 'w') as z:
        z.writestr('[Content_Types].xml', '<Types/>')
        z.writestr('word/document.xml', '<document/>')
    with open(os.path.join(d, 'old.xls'), 'wb') as f:
        f.write(bytes([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) + bytes(504))
    with open(os.path.join(d, 'ledger.xlsx'), 'rb') as f:
        data = f.read()
    with open(os.path.join(d, 'truncated.xlsx'), 'wb') as f:
        f.write(data[:len(data) // 2])


if __name__ == '__main__':
    ledger(sys.argv[1])
