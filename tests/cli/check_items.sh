#!/usr/bin/env bash
# The checklist derived from the policy itself (docs/review.md): every policy in
# policies/ gives its items (counts printed), each with id, text, clause and
# applies_to; ids come from element ids; review.checklist rewords, drops and
# adds (and policy check points at a bad entry's line); replacing the store's
# policy changes the checklist and keeps the ids of what survives.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/m.db" MAMORI_ACTOR="cli:operator" LANG=C.UTF-8

# ---- all seven policies
for f in "$SRCDIR"/policies/*.yaml; do
	name=$(basename "$f" .yaml)
	expect_exit 0 "$name: check items" -- "$MAMORI" check items --json --policy "$f"
	/usr/bin/python3 - "$TMP/out" "$name" <<'PY' && ok || not_ok "$name: every item has id, text, clause, applies_to"
import json, re, sys
items = json.load(open(sys.argv[1]))
ids = [i["id"] for i in items]
assert len(items) > 20, len(items)
assert len(ids) == len(set(ids)), "duplicate ids"
for i in items:
    assert re.fullmatch(r"[a-z][a-z0-9-]*(\.[a-z0-9-]+)+", i["id"]), i["id"]
    assert i["text"] and i["clause"], i
    assert isinstance(i["applies_to"], list), i
    assert i["source"] in ("restriction", "segment", "role", "measure", "record", "policy"), i
src = {}
for i in items:
    src[i["source"]] = src.get(i["source"], 0) + 1
print("checklist %-14s %3d items %s" % (sys.argv[2], len(items), json.dumps(src, sort_keys=True)))
PY
done

# ---- the ids and the texts of mic-standard
expect_exit 0 "mic-standard items" -- "$MAMORI" check items --json --policy "$SRCDIR/policies/mic-standard.yaml"
cp "$TMP/out" "$TMP/mic.json"
/usr/bin/python3 - "$TMP/mic.json" <<'PY' && ok || not_ok "mic-standard: one item per restriction, requirement, duty, measure, workflow"
import json, sys
items = {i["id"]: i for i in json.load(open(sys.argv[1]))}
r = items["restriction.confidentiality.3.encrypt-in-transit"]
assert r["text"].startswith("機密性3の情報資産: 情報の送信"), r
assert r["clause"] == "対策基準 2.1" and "security-manager" in r["applies_to"] and r["department"], r
s = items["segment.lgwan.path-separation"]
assert s["clause"] == "基本方針 6(3)②" and s["applies_to"] == ["chief-officer", "system-manager"], s
d = items["role.security-manager.duty.4"]
assert "持ち出す場合及び廃棄する場合の許可" in d["text"] and d["applies_to"] == ["security-manager"], d
m = items["measure.physical"]
assert m["text"].startswith("物理的セキュリティ: ") and m["applies_to"] == [] and not m["department"], m
w = items["record.take-out"]
assert w["clause"] == "対策基準 5.1" and "security-manager" in w["applies_to"], w
assert items["role.ciso.duty.1"]["department"] is False
n = {}
for i in items.values():
    n[i["source"]] = n.get(i["source"], 0) + 1
# 8+6 機密性, 4 完全性, 3 可用性; 3+1+2 requirements; 9 measures; 8 kinds
assert n["restriction"] == 21 and n["segment"] == 6 and n["measure"] == 9 and n["record"] == 15, n
PY
expect_exit 0 "text form" -- "$MAMORI" check items --policy "$SRCDIR/policies/mic-standard.yaml"
expect_grep "$TMP/out" "^segment.mynumber.mfa	マイナンバー利用事務系: 端末への多要素認証の導入	（基本方針 6(3)①）	chief-officer,system-manager$" "a line per item"
expect_grep "$TMP/out" "^71 items from policy mic-standard$" "the count"

# ---- review.checklist: reword, drop, add; and its checks
cat >"$TMP/town.yaml" <<'Y'
mamori-policy: 1
id: town
title: 町の情報セキュリティポリシー
version: "1"
extends: mic-standard
review:
  checklist:
    - { id: measure.outsourcing, text: 委託契約に情報セキュリティ要件を明記しているか, clause: 町 実施手順 8 }
    - { id: role.ciso.duty.1, drop: true }
    - { id: local.usb-ledger, text: USBメモリの管理台帳を備えているか, clause: 町 実施手順 3, applies_to: [security-manager] }
Y
cp "$SRCDIR/policies/mic-standard.yaml" "$TMP/"
expect_exit 0 "town: policy check" -- "$MAMORI" policy check "$TMP/town.yaml"
expect_exit 0 "town: items" -- "$MAMORI" check items --json --policy "$TMP/town.yaml"
/usr/bin/python3 - "$TMP/out" <<'PY' && ok || not_ok "review.checklist reworded, dropped and added"
import json, sys
items = json.load(open(sys.argv[1]))
by = {i["id"]: i for i in items}
assert len(items) == 71, len(items)
assert by["measure.outsourcing"]["text"] == "委託契約に情報セキュリティ要件を明記しているか"
assert by["measure.outsourcing"]["clause"] == "町 実施手順 8"
assert "role.ciso.duty.1" not in by
last = items[-1]
assert last["id"] == "local.usb-ledger" and last["source"] == "policy" and last["applies_to"] == ["security-manager"], last
assert last["department"] is True, last
PY
cat >"$TMP/bad.yaml" <<'Y'
mamori-policy: 1
id: bad
title: 町
version: "1"
extends: mic-standard
review:
  checklist:
    - { id: local.no-text }
    - { id: role.nobody.duty.1, drop: true }
    - { id: measure.physical, applies_to: [mayor] }
  risk:
    clause: 基本方針 8
    accept: 30
    likelihood: [{ level: 1, title: 低 }, { level: 3, title: 高 }]
    impact: [{ level: 1, title: 小 }, { level: 2, title: 大 }]
Y
expect_exit 1 "bad checklist and scales" -- "$MAMORI" policy check "$TMP/bad.yaml"
cat "$TMP/out" "$TMP/err" >"$TMP/both"
expect_grep "$TMP/both" "bad.yaml:8:9: error: review.checklist 'local.no-text': a new item needs text and clause" "a new item without text, at its line"
expect_grep "$TMP/both" "bad.yaml:9:9: error: review.checklist 'role.nobody.duty.1': drop names no item" "a drop of nothing"
expect_grep "$TMP/both" "bad.yaml:10:9: error: review.checklist 'measure.physical': applies_to 'mayor' is neither a role nor a department" "an unknown role"
expect_grep "$TMP/both" "review.risk.likelihood: the levels must run from 1 to 2 without a gap; 2 is missing" "a gap in a scale"
expect_grep "$TMP/both" "review.risk.accept 30 is above the highest score 4" "accept beyond the scales"

# ---- the store's checklist follows the policy it holds
expect_exit 0 "init" -- "$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml"
expect_exit 0 "items of the store" -- "$MAMORI" check items --json
/usr/bin/python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); assert a==b' "$TMP/out" "$TMP/mic.json" \
	&& ok || not_ok "the store's policy gives the same checklist as the file"
sed -e 's/^    clause: 基本方針 6(9)$/&\n  - { id: log-review, number: (10), title: ログの確認, text: 操作ログを定期的に確認する。, clause: 基本方針 6(10) }/' \
    "$SRCDIR/policies/mic-standard.yaml" >"$TMP/mic2.yaml"
expect_exit 0 "replace the policy" -- "$MAMORI" policy replace "$TMP/mic2.yaml"
expect_exit 0 "items after replace" -- "$MAMORI" check items --json
/usr/bin/python3 - "$TMP/mic.json" "$TMP/out" <<'PY' && ok || not_ok "the new policy's measure is a new item; the others keep their ids"
import json, sys
old = [i["id"] for i in json.load(open(sys.argv[1]))]
new = [i["id"] for i in json.load(open(sys.argv[2]))]
assert set(new) - set(old) == {"measure.log-review"}, set(new) - set(old)
assert set(old) <= set(new)
PY
finish
