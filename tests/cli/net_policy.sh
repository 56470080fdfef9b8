#!/usr/bin/env bash
# The network layer of a policy (docs/network.md): segments' networks and
# gateways and the flows' paths.  A policy that restates a segment or a flow
# without them keeps those of the policy it extends; one that writes its own
# replaces them, and the checks judge the merged result at the child's lines.
. "$(dirname "$0")/lib.sh"

show_net() {
	/usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
for s in d["segments"]:
    print("seg", s["id"], ",".join(s.get("networks", [])), ",".join(g["id"] for g in s.get("gateways", [])))
for f in d["flows"]:
    print("flow", f["from"], f["to"], f["channel"], f.get("via", "-"), ",".join(f.get("ports", [])))'
}

# every policy in policies/ checks, and the ones extending mic-standard keep its networks
for f in "$SRCDIR"/policies/*.yaml; do
	expect_exit 0 "$(basename "$f") checks" -- "$MAMORI" policy check "$f"
done
"$MAMORI" policy show --json "$SRCDIR/policies/ichikawa.yaml" | show_net >"$TMP/n"
expect_grep "$TMP/n" "^seg lgwan 10.20.0.0/16,fd00:20::/48 mail-gw,file-gw$" "a restated segment keeps the parent's networks and gateways"
expect_grep "$TMP/n" "^flow internet lgwan mail mail-gw $" "a restated flow keeps the parent's via"
expect_grep "$TMP/n" "^seg koumu 10.40.0.0/16" "ichikawa's school segments have networks of their own"

# a child that writes its own networks replaces the parent's
cp "$SRCDIR/policies/mic-standard.yaml" "$TMP/"
cat >"$TMP/town.yaml" <<'YAML'
mamori-policy: 1
id: town
title: 〇〇町情報セキュリティポリシー
version: test
extends: mic-standard
segments:
  - id: lgwan
    title: LGWAN接続系
    clause: 基本方針 2(9)
    networks: [172.16.20.0/24]
    gateways:
      - { id: mail-gw, channel: mail, addresses: [172.16.20.25], ports: [25], clause: 基本方針 2(12) }
      - { id: file-gw, channel: file-transfer, addresses: [172.16.20.80], ports: [443], clause: 基本方針 2(12) }
  - id: gakushu
    title: 学習系
    clause: 基本方針 2(12)③
    networks: [172.16.40.0/24]
flows:
  - { from: internet, to: lgwan, channel: mail, sanitization: mail-text, clause: 第5条, ports: [25] }
YAML
expect_exit 0 "a town's own networks check" -- "$MAMORI" policy check "$TMP/town.yaml"
"$MAMORI" policy show --json "$TMP/town.yaml" | show_net >"$TMP/n"
expect_grep "$TMP/n" "^seg lgwan 172.16.20.0/24 mail-gw,file-gw$" "the child's networks replace the parent's"
expect_grep "$TMP/n" "^seg internet 10.30.0.0/16,fd00:30::/48 mail-relay,screen-gw$" "an unrestated segment is the parent's"
expect_grep "$TMP/n" "^seg gakushu 172.16.40.0/24 $" "a new segment with networks"
expect_grep "$TMP/n" "^flow internet lgwan mail mail-gw 25$" "a restated flow's own ports, the parent's via"

# the child's network overlapping the parent's internet segment: reported at the child's line
sed -i 's#networks: \[172.16.40.0/24\]#networks: [10.30.1.0/24]#' "$TMP/town.yaml"
expect_exit 1 "an overlap across the extends chain" -- "$MAMORI" policy check "$TMP/town.yaml"
expect_grep "$TMP/err" "town.yaml:17:16: error: segment 'gakushu': network '10.30.1.0/24' overlaps network '10.30.0.0/16' of segment 'internet'" "the overlap at the child's line"
# the parent's gateway left outside the child's networks
sed -i 's#addresses: \[172.16.20.80\]#addresses: [10.20.0.80]#' "$TMP/town.yaml"
expect_exit 1 "a gateway outside its segment" -- "$MAMORI" policy check "$TMP/town.yaml"
expect_grep "$TMP/err" "gateway 'file-gw' of segment 'lgwan': address '10.20.0.80' is outside the segment's networks (172.16.20.0/24)" "the gateway outside"

# the JSON schema knows the keys
"$MAMORI" policy schema >"$TMP/schema.json"
for k in networks gateways via addresses ports; do
	expect_grep "$TMP/schema.json" "\"$k\"" "the schema has '$k'"
done
finish
