#!/usr/bin/env bash
# `mamori net check POLICY [RULESET.json]`: a ruleset loaded from `net render`
# matches its policy (exit 0); edited — a port added, a rule deleted, an accept
# added, a set's network changed, an accept moved after the drops, the table
# gone — each drift is reported with its clause and the exit is 1.  The ruleset
# is loaded by nft in a network namespace made for the test (root, nft and ip
# needed: exit 77 without them) and read back as `nft -j list ruleset` prints it,
# from a file and from the running ruleset.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root (a network namespace for nft)"; exit 77; fi
for tool in nft ip; do
	command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed (scripts/install-deps.sh --tests)"; exit 77; }
done
NS="m$(($$ % 100000))-check"
ip netns add "$NS" 2>"$TMP/netns.err" || { echo "SKIP: cannot make a network namespace: $(cat "$TMP/netns.err")"; exit 77; }
trap 'ip netns del "$NS" 2>/dev/null; rm -rf "$TMP"' EXIT

POLICY="$SRCDIR/policies/mic-standard.yaml"
nsx() { ip netns exec "$NS" "$@"; }
"$MAMORI" net render "$POLICY" >"$TMP/r.nft" || { not_ok "net render"; finish; exit 1; }
nsx nft -f "$TMP/r.nft" || { not_ok "nft -f"; finish; exit 1; }
nsx nft -j list ruleset >"$TMP/r.json"

expect_exit 0 "the rendered ruleset matches" -- "$MAMORI" net check "$POLICY" "$TMP/r.json"
expect_grep "$TMP/out" "as policy mic-standard says" "says so"
expect_exit 0 "the running ruleset matches" -- nsx "$MAMORI" net check "$POLICY"
# counters that counted do not matter
expect_exit 1 "another policy's ruleset drifts" -- "$MAMORI" net check "$SRCDIR/policies/ichikawa.yaml" "$TMP/r.json"
expect_grep "$TMP/out" "^drift: set seg_koumu_v4 (segment koumu, 10.40.0.0/16) is missing \[基本方針 2(12)①\]" "a missing set, with the segment's clause"

# edits of the JSON, one at a time
edit() { # NAME PYTHON-ON-rules/sets: writes $TMP/NAME.json
	/usr/bin/python3 - "$TMP/r.json" "$TMP/$1.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
items = d["nftables"]
rules = [o["rule"] for o in items if "rule" in o]
sets = {o["set"]["name"]: o["set"] for o in items if "set" in o}
def by_comment(c):
    return next(r for r in rules if r.get("comment", "").startswith(c))
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)
PY
}
edit port 'by_comment("flow internet>lgwan mail via mail-gw")["expr"][2]["match"]["right"]["set"].append(2525)'
expect_exit 1 "a port added" -- "$MAMORI" net check "$POLICY" "$TMP/port.json"
expect_grep "$TMP/out" "^drift: flow internet>lgwan mail via mail-gw: 基本方針 2(12), 6(3)②: the rule is 'ip saddr @seg_internet_v4 ip daddr { 10.20.0.25 } tcp dport { 25, 587, 2525 } counter accept'; the policy says 'ip saddr @seg_internet_v4 ip daddr { 10.20.0.25 } tcp dport { 25, 587 } counter accept' \[基本方針 2(12), 6(3)②\]$" "the changed rule and its clause"
expect_grep "$TMP/err" "differs from policy mic-standard in 1 places" "one drift"

edit deleted 'items.remove(next(o for o in items if o.get("rule", {}).get("comment", "").startswith("deny internet>lgwan")))'
expect_exit 1 "a drop deleted" -- "$MAMORI" net check "$POLICY" "$TMP/deleted.json"
expect_grep "$TMP/out" "^drift: deny internet>lgwan: 基本方針 6(3)②: the rule is missing ('ip saddr @seg_internet_v4 ip daddr @seg_lgwan_v4 counter log prefix \"mamori deny internet>lgwan 基本方針 6(3)②: \" drop') \[基本方針 6(3)②\]$" "the missing drop and its clause"

edit added 'import copy; r = copy.deepcopy(by_comment("flow internet>lgwan mail")); r["expr"][1]["match"]["right"] = "10.20.0.10"; r["comment"] = "temporary"; items.insert(5, {"rule": r})'
expect_exit 1 "an accept added" -- "$MAMORI" net check "$POLICY" "$TMP/added.json"
expect_grep "$TMP/out" "^drift: rule 'ip saddr @seg_internet_v4 ip daddr { 10.20.0.10 } tcp dport { 25, 587 } counter accept' (temporary) is not in the policy$" "the extra accept"

edit setnet 'sets["seg_lgwan_v4"]["elem"] = [{"prefix": {"addr": "10.20.0.0", "len": 15}}]'
expect_exit 1 "a set's network changed" -- "$MAMORI" net check "$POLICY" "$TMP/setnet.json"
expect_grep "$TMP/out" "^drift: set seg_lgwan_v4 (segment lgwan) holds 10.20.0.0/15; the policy says 10.20.0.0/16 \[基本方針 2(9)\]$" "the set and the segment's clause"

edit order 'r = next(o for o in items if o.get("rule", {}).get("comment", "").startswith("flow internet>lgwan mail")); items.remove(r); items.append(r)'
expect_exit 1 "an accept after the drops" -- "$MAMORI" net check "$POLICY" "$TMP/order.json"
expect_grep "$TMP/out" "^drift: flow internet>lgwan mail via mail-gw: 基本方針 2(12), 6(3)②: the rule comes after a drop" "the misplaced accept"

edit nocounter 'e = by_comment("deny mynumber>lgwan")["expr"]; e[:] = [x for x in e if "counter" not in x]'
expect_exit 1 "a drop without its counter" -- "$MAMORI" net check "$POLICY" "$TMP/nocounter.json"
expect_grep "$TMP/out" "^drift: deny mynumber>lgwan: 基本方針 6(3)①: the rule is 'ip saddr @seg_mynumber_v4 ip daddr @seg_lgwan_v4 log prefix" "the counter missing"

edit policydrop 'next(o["chain"] for o in items if "chain" in o)["policy"] = "drop"'
expect_exit 1 "a chain policy changed" -- "$MAMORI" net check "$POLICY" "$TMP/policydrop.json"
expect_grep "$TMP/out" "^drift: chain forward has policy drop" "the chain's policy"

# the running ruleset, edited with nft itself
sed 's/tcp dport { 3389 }/tcp dport { 3389, 5900 }/' "$TMP/r.nft" >"$TMP/vnc.nft"
nsx nft -f "$TMP/vnc.nft" || not_ok "nft -f the edited ruleset"
expect_exit 1 "the running ruleset drifts" -- nsx "$MAMORI" net check "$POLICY"
expect_grep "$TMP/out" "^drift: flow internet>lgwan screen-transfer via screen-gw: 基本方針 2(12), 6(3)②: the rule is '.* tcp dport { 3389, 5900 } counter accept'" "the running rule's drift"
nsx nft delete table inet mamori
expect_exit 1 "no table" -- nsx "$MAMORI" net check "$POLICY"
expect_grep "$TMP/out" "^drift: table inet mamori is not loaded: nothing is enforced$" "the table missing"

echo '{"not": "nft"}' >"$TMP/bad.json"
expect_exit 1 "not a ruleset" -- "$MAMORI" net check "$POLICY" "$TMP/bad.json"
expect_grep "$TMP/err" "not a ruleset as 'nft -j list ruleset' prints it" "says why"
expect_exit 3 "no such file" -- "$MAMORI" net check "$POLICY" "$TMP/none.json"
expect_exit 2 "no policy" -- "$MAMORI" net check
finish
