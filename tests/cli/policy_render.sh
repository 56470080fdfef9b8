#!/usr/bin/env bash
# `policy render` (the comparison with the published source: policy_render_seed.sh):
# the HTML of every policy
# is well-formed, holds only the renderer's own tags and escapes every text; Markdown
# tables survive '|' and newlines in cells; a policy without `document:` renders
# the guideline's standard structure 1–8; the footer names the policy's SHA-256;
# a level's published wording stands in its table and the restrictions the decision
# point applies stand apart, in 判定に用いる取扱制限; clauses inherited through
# `extends` name the policy they come from (ガイドライン 対策基準 2.1).
. "$(dirname "$0")/lib.sh"

FIX="$SRCDIR/tests/render"
mutsu="$SRCDIR/policies/mutsu-council.yaml"

# --- 2. HTML: well-formed, only our tags, every text escaped ---------------------
check_html() {
	/usr/bin/python3 - "$1" <<'PY'
import re, sys
from html.parser import HTMLParser
OURS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "h4", "h5",
        "h6", "p", "ul", "li", "table", "tr", "th", "td", "br"}
VOID = {"meta", "br"}
class Check(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.stack, self.errors, self.seen = [], [], set()
    def handle_starttag(self, tag, attrs):
        self.seen.add(tag)
        if tag not in OURS:
            self.errors.append(f"line {self.getpos()[0]}: <{tag}> is not a tag the renderer writes")
        if tag not in VOID:
            self.stack.append(tag)
    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"line {self.getpos()[0]}: </{tag}> closes <{self.stack[-1] if self.stack else ''}>")
        else:
            self.stack.pop()
text = open(sys.argv[1], encoding="utf-8").read()
c = Check()
c.feed(text)
c.close()
if not text.startswith("<!DOCTYPE html>\n<html lang=\"ja\">"):
    c.errors.append("does not start with <!DOCTYPE html><html lang=\"ja\">")
for need in ('<meta charset="utf-8">', "<title>", "<style>", "SHA-256 "):
    if need not in text:
        c.errors.append(f"{need} missing")
if c.stack:
    c.errors.append(f"unclosed: {c.stack}")
if re.search(r"&(?!(amp|lt|gt|quot|#39);)", text):
    c.errors.append("a bare '&' (unescaped text)")
for e in c.errors:
    print(e, file=sys.stderr)
sys.exit(1 if c.errors else 0)
PY
}
for f in "$SRCDIR"/policies/*.yaml "$FIX"/*.yaml; do
	name=$(basename "$f")
	"$MAMORI" policy render --format html "$f" >"$TMP/p.html" && ok || not_ok "render html $name"
	check_html "$TMP/p.html" && ok || not_ok "$name: HTML not well-formed or not escaped"
	if command -v xmllint >/dev/null; then
		xmllint --html --noout "$TMP/p.html" 2>"$TMP/lint" && [ ! -s "$TMP/lint" ] && ok ||
			{ not_ok "$name: xmllint rejects the HTML"; head -5 "$TMP/lint" >&2; }
	else
		not_ok "xmllint not installed (scripts/install-deps.sh --tests installs libxml2-utils)"
	fi
	grep -qi '<script' "$TMP/p.html" && not_ok "$name: raw <script in HTML" || ok
done

# markup in every kind of text renders as text
"$MAMORI" policy render --format html "$FIX/escape.yaml" >"$TMP/esc.html" && ok || not_ok "render escape.yaml"
for want in '<h3>(1) &lt;b&gt;ネットワーク&lt;/b&gt;</h3>' \
	'<p>A &amp; B &lt;script&gt;alert(1)&lt;/script&gt;</p>' \
	'<title>表示テスト &lt;b&gt;&amp;&lt;/b&gt; &#39;ポリシー&#39;</title>' \
	'<li>(1) 不正アクセス &lt;b&gt;&amp;&lt;/b&gt;　x &lt;script&gt;y&lt;/script&gt;</li>' \
	'<li>充て職：副市長 &amp; 総務部長</li>' \
	'<td>x | y<br>z &amp; &quot;w&quot;</td>' \
	'<td>・暗号化 &lt;b&gt;&amp;&lt;/b&gt; | 鍵</td>' \
	'<td>c &lt;b&gt;&amp;&lt;/b&gt;</td>' \
	'render-escape · 1 &lt;i&gt; · SHA-256'; do
	grep -qF -- "$want" "$TMP/esc.html" && ok || not_ok "escape.yaml: '$want' not in the HTML"
done

# --- 3. Markdown tables: '|' and newlines in cells do not break the table --------
for f in "$FIX"/*.yaml "$mutsu"; do
	"$MAMORI" policy render "$f" >"$TMP/t.md" && ok || not_ok "render $(basename "$f")"
	/usr/bin/python3 - "$TMP/t.md" <<'PY' && ok || not_ok "$(basename "$f"): a Markdown table row has the wrong number of cells"
import re, sys
cols, bad, rows = None, 0, 0
for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    if not line.startswith("|"):
        cols = None
        continue
    k = len(re.findall(r"(?<!\\)\|", line)) - 1
    rows += 1
    if cols is None:
        cols = k
    elif k != cols:
        print(f"line {n}: {k} cells, the head has {cols}: {line.strip()}", file=sys.stderr)
        bad += 1
sys.exit(1 if bad or rows == 0 else 0)
PY
done
"$MAMORI" policy render "$FIX/escape.yaml" >"$TMP/esc.md"
expect_grep "$TMP/esc.md" '^| 機密性2 <b> | x \\| y<br>z & "w" | ・暗号化 <b>&</b> \\| 鍵 |$' "markdown cell escaping"

# --- 4. without document: the guideline's standard structure --------------------
sed '/^document:/,$d' "$SRCDIR/policies/mic-standard.yaml" >"$TMP/nodoc.yaml"
grep -q '^document:' "$SRCDIR/policies/mic-standard.yaml" && ! grep -q '^document:' "$TMP/nodoc.yaml" &&
	ok || not_ok "nodoc fixture not made"
for f in "$TMP/nodoc.yaml" "$FIX/escape.yaml"; do
	"$MAMORI" policy render "$f" >"$TMP/std.md" && ok || not_ok "render $(basename "$f") without document"
	for h in "## 1 目的" "## 2 定義" "## 3 対象とする脅威" "## 4 適用範囲" "### (1) 行政機関の範囲" \
		"### (2) 情報資産の範囲" "## 5 職員等の遵守義務" "## 6 情報セキュリティ対策" \
		"## 7 情報セキュリティ監査及び自己点検の実施" "## 8 情報セキュリティポリシーの見直し" \
		"## 情報セキュリティ対策基準" "### 組織体制" "### 情報資産の分類"; do
		expect_grep "$TMP/std.md" "^$h\$" "$(basename "$f"): standard structure"
	done
done
"$MAMORI" policy render "$TMP/nodoc.yaml" >"$TMP/nodoc.md"
expect_grep "$TMP/nodoc.md" '^### (1) 組織体制$' "standard: measures under 6"
expect_grep "$TMP/nodoc.md" '^### (1) ネットワーク$' "standard: definitions under 2"
expect_grep "$TMP/nodoc.md" '^#### 機密性による情報資産の分類$' "standard: classification table"
expect_grep "$TMP/std.md" '^本基本方針は、テスト市 <b>&</b>が保有する' "standard: 目的 names the organisation"

# --- 5. a document: articles, paragraphs, items, includes, depth capped at 6 -----
"$MAMORI" policy render "$FIX/document.yaml" >"$TMP/doc.md" && ok || not_ok "render document.yaml"
expect_grep "$TMP/doc.md" '^## 第1条（趣旨）$' "article heading"
expect_grep "$TMP/doc.md" '^第二段落 & 続き。$' "second paragraph"
expect_grep "$TMP/doc.md" '^- ① 項目 <i>一</i>$' "items keep their numbering"
expect_grep "$TMP/doc.md" '^### (1) ネットワーク$' "include definitions"
expect_grep "$TMP/doc.md" '^- (1) 不正アクセス$' "include threats"
expect_grep "$TMP/doc.md" '^- 電磁的記録媒体　USBメモリ等$' "include asset_kinds"
expect_grep "$TMP/doc.md" '^- 報告先：最高情報セキュリティ責任者$' "include roles"
expect_grep "$TMP/doc.md" '^| 機密性2 | a \\| b<br>c | ・暗号化<br>・復元不可能な処理を施しての廃棄 |$' "include classification"
expect_grep "$TMP/doc.md" '^| インターネット接続系 | LGWAN接続系 | 電子メール | メール本文のテキスト化 | c |$' "include flows"
expect_grep "$TMP/doc.md" '^###### 深さ7$' "markdown depth capped at 6"
"$MAMORI" policy render --format html "$FIX/document.yaml" >"$TMP/doc.html" && ok || not_ok "render document.yaml html"
grep -q '<h7' "$TMP/doc.html" && not_ok "an <h7> in the HTML" || ok
expect_grep "$TMP/doc.html" '^<h6>深さ7</h6>$' "html depth capped at 6"
[ "$(grep -c '^<p>第' "$TMP/doc.html")" -eq 2 ] && ok || not_ok "document.yaml: two paragraphs in 第1条"

# --- 5b. published wording in the table, the decision point's reading apart ------
"$MAMORI" policy render "$FIX/published.yaml" >"$TMP/pub.md" && ok || not_ok "render published.yaml"
expect_grep "$TMP/pub.md" '^| 完全性2 | x | ・バックアップ、電子署名付与 <b>&</b> \\| 鍵 |$' "published: the table prints the published bullet"
expect_grep "$TMP/pub.md" '^## 付録 判定に用いる取扱制限$' "published: the appendix follows the document"
expect_grep "$TMP/pub.md" '^| 完全性2 | timely-recovery | 指定する時間以内の復旧（4時間） | 対策基準 <i>6</i> |$' "appendix row: id, standard title, hours, clause"
expect_grep "$TMP/pub.md" '^| 完全性1 |  | （なし） |  |$' "appendix: a level without restrictions"
"$MAMORI" policy render --format html "$FIX/published.yaml" >"$TMP/pub.html" && ok || not_ok "render published.yaml html"
for want in '<td>・バックアップ、電子署名付与 &lt;b&gt;&amp;&lt;/b&gt; | 鍵</td>' \
	'<h2>付録 判定に用いる取扱制限</h2>' '<td>対策基準 &lt;i&gt;6&lt;/i&gt;</td>'; do
	grep -qF -- "$want" "$TMP/pub.html" && ok || not_ok "published.yaml: '$want' not in the HTML"
done
# without published wording nothing changes: no appendix
for f in "$TMP/nodoc.yaml" "$FIX/escape.yaml" "$FIX/document.yaml" "$SRCDIR/policies/mic-standard.yaml"; do
	"$MAMORI" policy render "$f" | grep -q '判定に用いる取扱制限' &&
		not_ok "$(basename "$f"): an appendix without published wording" || ok
done

# むつ市議会: the appendix lists, per level, exactly the restrictions of the policy
"$MAMORI" policy render "$mutsu" >"$TMP/mutsu.md" && ok || not_ok "render mutsu"
"$MAMORI" policy show --json "$mutsu" >"$TMP/mutsu.json" && ok || not_ok "show mutsu --json"
expect_grep "$TMP/mutsu.md" '^## 付録 判定に用いる取扱制限$' "mutsu: appendix"
/usr/bin/python3 - "$TMP/mutsu.json" "$TMP/mutsu.md" <<'PY' && ok || not_ok "mutsu: the appendix is not the policy's restrictions"
import json, re, sys
p = json.load(open(sys.argv[1], encoding="utf-8"))
want = []
for a in p["classification"]["axes"]:
    for l in a["levels"]:
        rs = l.get("restrictions", [])
        want += [(l["title"], r["id"], r["clause"]) for r in rs] or [(l["title"], "", "")]
md = open(sys.argv[2], encoding="utf-8").read()
app = md[md.index("## 付録 判定に用いる取扱制限"):]
got = []
for line in app.splitlines():
    if line.startswith("| ") and not line.startswith("| 分類 |"):
        c = [x.strip() for x in re.split(r"(?<!\\)\|", line)[1:-1]]
        got.append((c[0], c[1], c[3]))
for w in want:
    if w not in got:
        print(f"missing from the appendix: {w}", file=sys.stderr)
for g in got:
    if g not in want:
        print(f"in the appendix, not in the policy: {g}", file=sys.stderr)
# 26 rows in all (機密性3 alone has 8): fewer means the parse went wrong
sys.exit(0 if got == want and len(want) >= 26 and ("機密性3", "issued-terminal-only", "対策基準 5") in got else 1)
PY
# the table shows the 機密性3 row as published (two bullets), the appendix its eight ids
[ "$(grep -c '^| 機密性3 | ' "$TMP/mutsu.md")" -eq 9 ] && ok || not_ok "mutsu: 機密性3 is one table row and eight appendix rows"

# --- 5c. inherited clauses name the policy they come from -------------------------
manazuru="$SRCDIR/policies/manazuru.yaml"
"$MAMORI" policy render "$manazuru" >"$TMP/manazuru.md" && ok || not_ok "render manazuru"
expect_grep "$TMP/manazuru.md" '^| 機密性3 | issued-terminal-only | 支給以外の端末での作業の原則禁止 | ガイドライン 対策基準 2.1 |$' "manazuru: inherited 取扱制限 cited as the guideline's"
expect_grep "$TMP/manazuru.md" '^| インターネット接続系 | ＬＧＷＡＮ接続系 | 電子メール | メール本文のテキスト化 | 第2条第12号, 第6条第3号イ |$' "manazuru: its own flows cited bare"
grep -E '\| 対策基準 [0-9]' "$TMP/manazuru.md" && not_ok "manazuru: a bare 対策基準 clause that is the guideline's" || ok
"$MAMORI" policy render "$SRCDIR/policies/mic-standard.yaml" >"$TMP/mic.md" && ok || not_ok "render mic-standard"
grep -q 'ガイドライン 対策基準' "$TMP/mic.md" && not_ok "mic-standard: its own clauses cited as inherited" || ok
expect_grep "$TMP/mic.md" '| 基本方針 2(12), 6(3)② |$' "mic-standard: own flow clauses bare"
# a parent without cited_as is named by its title
cat >"$TMP/child.yaml" <<EOF
mamori-policy: 1
id: render-child
title: 子
version: "1"
extends: $FIX/published.yaml
document:
  sections:
    - {title: 判定, include: restrictions}
EOF
"$MAMORI" policy render "$TMP/child.yaml" >"$TMP/child.md" && ok || not_ok "render child"
expect_grep "$TMP/child.md" '^| 完全性2 | backup | バックアップ | 公表文言テスト 対策基準 5 |$' "child: inherited clause named by the parent's title"
grep -q '判定に用いる取扱制限' "$TMP/child.md" && not_ok "child: the document places the restrictions, no second appendix" || ok

# --- 6. footer: the SHA-256 of the policy file; write errors are reported -------
sum=$(sha256sum "$FIX/escape.yaml" | cut -d' ' -f1)
expect_grep "$TMP/esc.md" "^render-escape · 1 <i> · SHA-256 $sum\$" "footer hash"
if [ -w /dev/full ]; then
	"$MAMORI" policy render "$FIX/escape.yaml" >/dev/full 2>"$TMP/err"
	[ $? -eq 3 ] && ok || not_ok "render to /dev/full: exit status is not 3"
	expect_grep "$TMP/err" "cannot write the rendering of .*escape.yaml" "write error message"
fi
# records (include: records): each kind's steps, who takes them, 二人制, the deadlines
expect_exit 0 "render records" -- "$MAMORI" policy render "$SRCDIR/policies/mic-standard.yaml"
expect_grep "$TMP/out" "^### 5 報告及び申請の手続" "records section"
expect_grep "$TMP/out" "^| 承認する | 申請 | 承認 | 情報セキュリティ管理者、情報セキュリティ責任者（申請者・直前の手続者以外） | 対策基準 5.1 |" "a step with who takes it and 二人制"
expect_grep "$TMP/out" "^| 期限切れ | 承認 | 期限切れ | （期日を過ぎると自動） | 基本方針 6(7) |" "an automatic step"
expect_grep "$TMP/out" "「報告」から30分以内に次の手続を行う。" "a deadline in words"
finish
