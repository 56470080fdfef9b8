#!/usr/bin/env bash
# `policy render`: the rendered むつ市議会 policy reproduces every numbered heading
# and every definition of its source; HTML output is well-formed and escaped; a
# policy without `document:` renders the guideline's standard structure.
. "$(dirname "$0")/lib.sh"

seed="$SRCDIR/../shared/seeds/000_ad7b315b7eccea1a.txt"
if [ -f "$seed" ]; then ok; else not_ok "source policy $seed not found (shared/ must sit beside the repo)"; fi

"$MAMORI" policy render "$SRCDIR/policies/mutsu-council.yaml" >"$TMP/mutsu.md" && ok || not_ok "render mutsu"
/usr/bin/python3 - "$seed" "$TMP/mutsu.md" <<'PY' && ok || not_ok "mutsu: headings of the source missing from the rendering"
import re, sys
def norm(s):
    return re.sub(r"[\s\u3000#]", "", s)
src = open(sys.argv[1], encoding="utf-8").read().splitlines()
out = norm(open(sys.argv[2], encoding="utf-8").read())
want = []
for line in src:
    t = line.strip()
    if t.startswith("#"):
        want.append(t)
    elif re.match(r"^\(\d+\)\s*\S", t) and len(t) < 40:      # "(7) 運用"
        want.append(t)
    elif re.match(r"^- \(\d+\) ", t):                        # threats
        want.append(t[2:])
missing = [w for w in want if norm(w) not in out]
for m in missing:
    print("missing:", m, file=sys.stderr)
print(f"{len(want) - len(missing)} of {len(want)} source headings present", file=sys.stderr)
sys.exit(1 if missing or len(want) < 50 else 0)
PY

# every policy renders to HTML that an HTML parser accepts
for f in "$SRCDIR"/policies/*.yaml; do
	"$MAMORI" policy render --format html "$f" >"$TMP/p.html" && ok || not_ok "render html $f"
	xmllint --html --noout "$TMP/p.html" 2>"$TMP/lint" && [ ! -s "$TMP/lint" ] && ok ||
		{ not_ok "$(basename "$f"): HTML not well-formed"; head -5 "$TMP/lint" >&2; }
done

# text is escaped: a definition with markup renders as text, not markup
sed 's|^  - { number: (1), term: ネットワーク, text: .*|  - { number: (1), term: "<b>ネットワーク</b>", text: "A \& B <script>alert(1)</script>", clause: x }|' \
	"$SRCDIR/policies/mic-standard.yaml" >"$TMP/esc.yaml"
grep -q '<script>' "$TMP/esc.yaml" && ok || not_ok "escape fixture not made"
"$MAMORI" policy render --format html "$TMP/esc.yaml" >"$TMP/esc.html" && ok || not_ok "render escape fixture"
grep -q '<script' "$TMP/esc.html" && not_ok "raw <script> in HTML" || ok
expect_grep "$TMP/esc.html" '&lt;b&gt;ネットワーク&lt;/b&gt;' "escaped term"
expect_grep "$TMP/esc.html" 'A &amp; B &lt;script&gt;' "escaped text"

# without document: the standard structure 1–8
sed '/^document:/,$d' "$SRCDIR/policies/mic-standard.yaml" >"$TMP/nodoc.yaml"
"$MAMORI" policy render "$TMP/nodoc.yaml" >"$TMP/nodoc.md" && ok || not_ok "render without document"
for h in "## 1 目的" "## 2 定義" "## 3 対象とする脅威" "## 4 適用範囲" "## 5 遵守義務" \
	"## 6 情報セキュリティ対策" "## 7 情報セキュリティ監査及び自己点検の実施" "## 8 情報セキュリティポリシーの見直し"; do
	expect_grep "$TMP/nodoc.md" "^$h\$" "standard structure"
done
finish
