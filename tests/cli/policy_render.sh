#!/usr/bin/env bash
# `policy render` (the comparison with the published source: policy_render_seed.sh):
# the HTML of every policy
# is well-formed, holds only the renderer's own tags and escapes every text; Markdown
# tables survive '|' and newlines in cells; a policy without `document:` renders
# the guideline's standard structure 1–8; the footer names the policy's SHA-256.
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

# --- 6. footer: the SHA-256 of the policy file; write errors are reported -------
sum=$(sha256sum "$FIX/escape.yaml" | cut -d' ' -f1)
expect_grep "$TMP/esc.md" "^render-escape · 1 <i> · SHA-256 $sum\$" "footer hash"
if [ -w /dev/full ]; then
	"$MAMORI" policy render "$FIX/escape.yaml" >/dev/full 2>"$TMP/err"
	[ $? -eq 3 ] && ok || not_ok "render to /dev/full: exit status is not 3"
	expect_grep "$TMP/err" "cannot write the rendering of .*escape.yaml" "write error message"
fi
finish
