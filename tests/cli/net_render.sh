#!/usr/bin/env bash
# `mamori net render`: every policy in policies/ renders an nftables ruleset
# that `nft -c -f` accepts (skipped, exit 77, where nft is missing or may not
# check: it needs CAP_NET_ADMIN), with one accept per allowed flow and family
# citing its clause, a counter on every rule and a drop logged with a prefix
# naming the pair; the dot picture and, with Graphviz, the SVG.
. "$(dirname "$0")/lib.sh"

NFT=$(command -v nft || true)
if [ -z "$NFT" ]; then echo "SKIP: nft is not installed (scripts/install-deps.sh --tests)"; exit 77; fi
if ! "$NFT" -c -f - <<<'table inet mamori_probe { }' >/dev/null 2>&1; then
	echo "SKIP: nft -c cannot check here (it needs root or CAP_NET_ADMIN)"; exit 77
fi

for f in "$SRCDIR"/policies/*.yaml; do
	b=$(basename "$f" .yaml)
	expect_exit 0 "$b renders" -- "$MAMORI" net render "$f"
	cp "$TMP/out" "$TMP/$b.nft"
	if "$NFT" -c -f "$TMP/$b.nft" 2>"$TMP/nft.err"; then ok; else
		not_ok "$b: nft -c refuses the ruleset"; sed 's/^/  | /' "$TMP/nft.err" | head -20 >&2
	fi
done

r="$TMP/mic-standard.nft"
expect_grep "$r" '^table inet mamori {' "one inet table"
expect_grep "$r" 'set seg_lgwan_v4 {' "a set per segment and family"
expect_grep "$r" 'elements = { fd00:20::/48 }' "IPv6 networks"
expect_grep "$r" 'type filter hook forward priority filter; policy accept;' "the forward chain"
# one accept per flow and family: mic-standard has 4 flows, each with IPv4 and IPv6
[ "$(grep -c ' accept comment "flow ' "$r")" -eq 8 ] && ok || not_ok "8 accepts, got $(grep -c ' accept comment "flow ' "$r")"
expect_grep "$r" 'ip saddr @seg_internet_v4 ip daddr { 10.20.0.25 } tcp dport { 25, 587 } counter accept comment "flow internet>lgwan mail via mail-gw: 基本方針 2(12), 6(3)②"' "mail to the gateway only, with its clause"
expect_grep "$r" 'ip saddr @seg_lgwan_v4 ip daddr { 10.30.0.89 } tcp dport { 3389 } counter accept' "画面転送: LGWAN terminals connect to the screen server"
expect_grep "$r" 'ip saddr @seg_internet_v4 ip daddr @seg_lgwan_v4 counter log prefix "mamori deny internet>lgwan 基本方針 6(3)②: " drop comment "deny internet>lgwan: 基本方針 6(3)②"' "a drop logged with the pair and the clause"
expect_grep "$r" 'ip saddr @seg_mynumber_v4 counter log prefix "mamori deny mynumber>any 基本方針 6(3)①: " drop' "an isolated segment talks to nothing"
# every rule of the chain counts, except the conntrack shortcuts
[ "$(grep -E '^\s+(ip|ip6) ' "$r" | grep -vc ' counter ')" -eq 0 ] && ok || not_ok "a rule without a counter"
# ichikawa's school segments: no flow, so only drops between them
expect_grep "$TMP/ichikawa.nft" 'ip saddr @seg_koumu_v4 ip daddr @seg_gakushu_v4 counter log prefix "mamori deny koumu>gakushu' "school segments separated"
expect_grep "$TMP/ichikawa.nft" 'set seg_koumu_external_v4' "a set name from an id with '-'"
# loading twice replaces the table (the delete at the top)
grep -q '^delete table inet mamori$' "$r" && ok || not_ok "the ruleset does not replace an earlier table"

# a comment longer than nft keeps (127 bytes) is cut at a character, not inside one
sed 's/^    clause: 基本方針 2(12), 6(3)②$/    clause: 基本方針 2(12), 6(3)②、とても長い条項の引用がここに続きます。とても長い条項の引用がここに続きます。とても長い条項の引用/' \
	"$SRCDIR/policies/mic-standard.yaml" >"$TMP/long.yaml"
expect_exit 0 "a long clause renders" -- "$MAMORI" net render "$TMP/long.yaml"
if "$NFT" -c -f "$TMP/out" 2>"$TMP/nft.err"; then ok; else not_ok "nft refuses long comments"; head -5 "$TMP/nft.err" >&2; fi
python3 -c 'import sys; open(sys.argv[1], encoding="utf-8").read()' "$TMP/out" && ok || not_ok "the cut left broken UTF-8"

# a policy with no networks has nothing to render
grep -v 'sanitization: file-disarm' "$SRCDIR/tests/policy-invalid/duplicate-flow.yaml" >"$TMP/nonet.yaml"
expect_exit 0 "a policy without networks checks" -- "$MAMORI" policy check "$TMP/nonet.yaml"
expect_exit 1 "no networks: refused" -- "$MAMORI" net render "$TMP/nonet.yaml"
expect_grep "$TMP/err" "gives no segment 'networks:'" "says why"
expect_exit 2 "a bad format" -- "$MAMORI" net render --format png "$SRCDIR/policies/mic-standard.yaml"

# the picture
expect_exit 0 "dot" -- "$MAMORI" net render --format dot "$SRCDIR/policies/mic-standard.yaml"
expect_grep "$TMP/out" '^digraph mamori {' "a digraph"
expect_grep "$TMP/out" 'subgraph "cluster_lgwan"' "a cluster per segment"
expect_grep "$TMP/out" '"seg:internet" -> "gw:mail-gw"' "an edge per flow, to its gateway"
if command -v dot >/dev/null; then
	expect_exit 0 "svg" -- "$MAMORI" net render --format svg "$SRCDIR/policies/mic-standard.yaml"
	expect_grep "$TMP/out" '<svg' "an SVG"
	expect_grep "$TMP/out" 'メール無害化ゲートウェイ' "naming the gateways"
else
	echo "note: graphviz is not installed; the SVG is not tested"
fi
finish
