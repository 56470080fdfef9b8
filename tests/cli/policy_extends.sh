#!/usr/bin/env bash
# `extends`: a town adds its own 課 to the parent's (merged by id); a 課 of the
# same id replaces the parent's; an inherited 課 of a body the child left out of
# its scope is not inherited; `policy check --json` reports each file's problems.
. "$(dirname "$0")/lib.sh"

cp "$SRCDIR/policies/mic-standard.yaml" "$TMP/"
cat >"$TMP/town.yaml" <<'YAML'
mamori-policy: 1
id: town
title: 〇〇町情報セキュリティポリシー
version: test
extends: mic-standard
organisation:
  name: 〇〇町
  kind: town
  clause: 基本方針 4(1)
  bodies:
    - { id: internal, title: 内部部局, clause: 第1条 }
    - { id: committees, title: 行政委員会, clause: 第1条 }
    - { id: fire, title: 消防本部, clause: 第1条 }
  departments:
    - { id: kikaku, title: 企画課, body: internal }
    - { id: zeimu, title: 税務住民課, body: internal }
YAML
depts() { /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(x["id"]+"="+x["title"] for x in d["organisation"]["departments"]))'; }

expect_exit 0 "a town's own 課 checks" -- "$MAMORI" policy check "$TMP/town.yaml"
"$MAMORI" policy show --json "$TMP/town.yaml" | depts >"$TMP/d"
expect_grep "$TMP/d" "soumu=総務課" "the parent's 課 kept"
expect_grep "$TMP/d" "kikaku=企画課" "the town's own 課 added"
expect_grep "$TMP/d" "zeimu=税務住民課" "a 課 of the same id replaced"
grep -q "zeimu=税務課" "$TMP/d" && not_ok "the parent's zeimu still there" || ok
expect_grep "$TMP/d" "shoubou=" "a 課 of a body in scope (消防本部) inherited"
"$MAMORI" policy show --json "$TMP/town.yaml" | /usr/bin/python3 -c 'import json,sys; o=json.load(sys.stdin)["organisation"]; assert o["name"]=="〇〇町" and len(o["bodies"])==3, o' && ok || not_ok "the organisation's name and bodies are the town's"

# the town's bodies in scope without 消防本部: 消防本部総務課 is not inherited
sed -i '/- { id: fire, title: 消防本部, clause: 第1条 }/d' "$TMP/town.yaml"
expect_exit 0 "bodies of its own" -- "$MAMORI" policy check "$TMP/town.yaml"
"$MAMORI" policy show --json "$TMP/town.yaml" | depts >"$TMP/d"
grep -q "shoubou=" "$TMP/d" && not_ok "a 課 of a body out of scope inherited" || ok
expect_grep "$TMP/d" "kyouiku=教育総務課" "a 課 of a body in scope inherited"

# the town's own 課 of a body out of scope is an error with its line
sed -i 's/- { id: kikaku, title: 企画課, body: internal }/- { id: kikaku, title: 企画課, body: fire }/' "$TMP/town.yaml"
expect_exit 1 "own 課 of an unknown body" -- "$MAMORI" policy check "$TMP/town.yaml"
expect_grep "$TMP/err" "town.yaml:[0-9]*:.*department 'kikaku' refers to unknown body 'fire'" "the error names the town's line"

# policy check --json: one object, each file's problems with their positions
expect_exit 1 "check --json" -- "$MAMORI" policy check --json "$TMP/mic-standard.yaml" "$TMP/town.yaml"
/usr/bin/python3 - "$TMP/out" <<'PY' && ok || not_ok "check --json shape"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is False and len(d["files"]) == 2, d
good, bad = d["files"]
assert good["ok"] and good["policy"] == "mic-standard" and good["problems"] == [], good
assert not bad["ok"] and bad["policy"] is None, bad
p = [x for x in bad["problems"] if "kikaku" in x["message"]][0]
assert p["severity"] == "error" and p["line"] > 0 and p["column"] > 0 and p["file"].endswith("town.yaml"), p
PY

# policy new: a starter file on mic-standard that checks, with the parent's bodies and 課 named
expect_exit 0 "policy new" -- "$MAMORI" policy new --name 〇〇町 --id sample-town --out "$TMP/new.yaml"
expect_grep "$TMP/err" "new.yaml: a starter policy for 〇〇町 on mic-standard; it checks" "says it checks"
expect_exit 0 "the starter checks" -- "$MAMORI" policy check "$TMP/new.yaml"
expect_grep "$TMP/new.yaml" '^title: "〇〇町情報セキュリティポリシー"$' "title"
expect_grep "$TMP/new.yaml" "^  kind: town$" "kind from 町"
expect_grep "$TMP/new.yaml" "^  timezone: Asia/Tokyo$" "the zone"
expect_grep "$TMP/new.yaml" "{ id: internal, title: \"内部部局\"" "the parent's bodies to edit"
expect_grep "$TMP/new.yaml" "#   総務課 (soumu)" "the inherited 課 listed"
"$MAMORI" policy show --json "$TMP/new.yaml" | depts >"$TMP/d"
expect_grep "$TMP/d" "soumu=総務課" "the parent's 課 inherited"
expect_exit 1 "policy new does not overwrite" -- "$MAMORI" policy new --name 〇〇町 --out "$TMP/new.yaml"
expect_grep "$TMP/err" "exists already; give --force" "says how"
expect_exit 0 "--force replaces" -- "$MAMORI" policy new --name △△村 --out "$TMP/new.yaml" --force
expect_grep "$TMP/new.yaml" "^  kind: village$" "kind from 村"
expect_exit 0 "to standard output" -- "$MAMORI" policy new --name ××市議会 --extends "$TMP/mic-standard.yaml"
expect_grep "$TMP/out" "^  kind: council$" "kind from 議会"
expect_exit 2 "no name" -- "$MAMORI" policy new
expect_exit 2 "a bad id" -- "$MAMORI" policy new --name x町 --id 'Bad Id'
expect_exit 1 "an unknown parent" -- "$MAMORI" policy new --name x町 --extends no-such-policy --out "$TMP/x.yaml"
expect_grep "$TMP/err" "extends 'no-such-policy': no such policy" "names the missing parent"
[ ! -e "$TMP/x.yaml" ] && ok || not_ok "nothing written when the parent is missing"

# records: extends adds a field to a kind of the parent, rewords one, adds a kind
cat >"$TMP/rec.yaml" <<'EOF2'
mamori-policy: 1
id: rec-town
title: 記録の町
version: "1"
extends: mic-standard
records:
  - id: incident
    fields:
      - { id: place, title: 発生場所, type: text }
      - { id: summary, title: 事案の概要 }
  - id: sns-post
    title: SNS 投稿の承認
    clause: 基本方針 6(8)
    fields: [{ id: body, title: 投稿内容, type: longtext, required: true }]
    states:
      - { id: draft, title: 下書き, initial: true }
      - { id: posted, title: 投稿済み, final: true }
    transitions:
      - { id: post, title: 承認して投稿, from: draft, to: posted, by: [security-manager], second_person: true, clause: 基本方針 6(8) }
  - id: half-new
    fields: [{ id: x, title: X }]
EOF2
cp "$SRCDIR/policies/mic-standard.yaml" "$TMP/"
expect_exit 1 "a new kind without title, clause, states; a new field without type" -- "$MAMORI" policy check "$TMP/rec.yaml"
expect_grep "$TMP/err" "rec.yaml:20:5: error: records 'half-new': missing required key 'title'" "new kind: title"
expect_grep "$TMP/err" "records 'half-new': missing required key 'states'" "new kind: states"
expect_grep "$TMP/err" "records 'half-new': field 'x': missing required key 'type'" "new field: type"
sed -i '/half-new/,$d' "$TMP/rec.yaml"
expect_exit 0 "records extended" -- "$MAMORI" policy check "$TMP/rec.yaml"
"$MAMORI" policy show --json "$TMP/rec.yaml" | /usr/bin/python3 -c '
import json, sys
r = {k["id"]: k for k in json.load(sys.stdin)["records"]}
f = {x["id"]: x for x in r["incident"]["fields"]}
assert list(r)[:3] == ["incident", "take-out", "exception"] and list(r)[-1] == "sns-post", list(r)
assert {"cloud-service", "sns-account", "terminal", "contractor", "media", "course", "attendance", "self-check", "audit", "finding", "risk", "review"} <= set(r), list(r)
assert f["place"]["type"] == "text" and f["summary"]["title"] == "事案の概要", f
assert f["summary"]["type"] == "longtext" and f["summary"]["required"] is True, f["summary"]
assert r["incident"]["title"] == "情報セキュリティインシデント報告" and len(r["incident"]["states"]) == 6
' && ok || not_ok "the parent's kind gained a field, kept its own, the new kind added"
finish
