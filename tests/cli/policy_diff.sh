#!/usr/bin/env bash
# `mamori policy diff` (見直し): what a new policy changes, by element id, with
# clauses — a 課 removed, a role's actions narrowed, a 取扱制限 dropped, a
# deadline and a review interval changed; reordering changes nothing; the
# store's policy compared with a file; exit 0 same, 1 different or invalid, 2 usage, 3 unreadable.
. "$(dirname "$0")/lib.sh"

cp "$SRCDIR/policies/mic-standard.yaml" "$TMP/old.yaml"
/usr/bin/python3 - "$TMP/old.yaml" "$TMP/new.yaml" "$TMP/reordered.yaml" <<'PY'
import sys
old = open(sys.argv[1], encoding="utf-8").read()
def edit(s, a, b):
    assert a in s, a
    return s.replace(a, b, 1)
s = edit(old, "access: { scope: department, actions: [all]", "access: { scope: department, actions: [read, write]")
s = edit(s, "    - { id: shimin, title: 市民課, body: internal }\n", "")
s = edit(s, "{ id: reported, title: 報告, initial: true, deadline: 30m", "{ id: reported, title: 報告, initial: true, deadline: 15m")
s = edit(s, "    interval_months: 12\n    clause: 基本方針 7, 対策基準 9.1", "    interval_months: 6\n    clause: 基本方針 7, 対策基準 9.1")
i = s.index("title: 機密性2")
j = s.index("            - { id: trusted-network", i)
s = s[:j] + s[s.index("\n", j) + 1:]
open(sys.argv[2], "w", encoding="utf-8").write(s)
# the same policy with two 課 swapped
a, b = "    - { id: shimin, title: 市民課, body: internal }\n", "    - { id: zeimu, title: 税務課, body: internal }\n"
open(sys.argv[3], "w", encoding="utf-8").write(edit(old, a + b, b + a))
PY
expect_exit 0 "the same policy" -- "$MAMORI" policy diff "$TMP/old.yaml" "$TMP/old.yaml"
[ ! -s "$TMP/out" ] && ok || not_ok "nothing printed for the same policy"
expect_exit 0 "order is not a change" -- "$MAMORI" policy diff "$TMP/old.yaml" "$TMP/reordered.yaml"
expect_exit 1 "a changed policy" -- "$MAMORI" policy diff "$TMP/old.yaml" "$TMP/new.yaml"
expect_grep "$TMP/out" '^- organisation 課 市民課（shimin）  （基本方針 4(1)）$' "a 課 removed, with its clause"
expect_grep "$TMP/out" '^- 役割 情報セキュリティ責任者（security-officer） access actions: "all"  （対策基準 1(3)）$' "a role loses an action"
expect_grep "$TMP/out" '^+ 役割 情報セキュリティ責任者（security-officer） access actions: "write"' "and gains one"
expect_grep "$TMP/out" '^- classification 分類 機密性（confidentiality） 区分 機密性2（2） 取扱制限 trusted-network「信頼のできるネットワーク回線の選択」  （対策基準 2.1）$' \
	"機密性2 loses a 取扱制限, named by its text"
expect_grep "$TMP/out" '^~ 記録の種類 情報セキュリティインシデント報告（incident） 状態 報告（reported） deadline: "30m" → "15m"  （対策基準 5.3）$' \
	"a deadline changed"
expect_grep "$TMP/out" '^~ review audit interval_months: 12 → 6  （基本方針 7, 対策基準 9.1）$' "the review interval changed"
[ "$(wc -l <"$TMP/out")" -eq 7 ] && ok || not_ok "exactly the seven changes ($(wc -l <"$TMP/out"))"
expect_exit 1 "as JSON" -- "$MAMORI" policy diff --json "$TMP/old.yaml" "$TMP/new.yaml"
/usr/bin/python3 - "$TMP/out" <<'PY' && ok || not_ok "JSON: op, path, before/after, clause"
import json, sys
c = {(x["op"], x["path"]): x for x in json.load(open(sys.argv[1]))}
assert c[("removed", "organisation.departments[shimin]")]["before"]["title"] == "市民課", c
x = c[("changed", "records[incident].states[reported].deadline")]
assert x["before"] == "30m" and x["after"] == "15m" and x["clause"] == "対策基準 5.3", x
assert c[("added", "roles[security-officer].access.actions")]["after"] in ("read", "write")
assert ("removed", "classification.axes[confidentiality].levels[2].restrictions[trusted-network]") in c
PY

# the store's policy against a file
export MAMORI_DB="$TMP/m.db" MAMORI_ACTOR=test:diff
"$MAMORI" init --policy "$TMP/old.yaml" >/dev/null && ok || not_ok "init"
expect_exit 0 "the store's policy, unchanged" -- "$MAMORI" policy diff "$TMP/old.yaml"
expect_exit 1 "the store's policy against the new one" -- "$MAMORI" policy diff "$TMP/new.yaml"
[ "$(wc -l <"$TMP/out")" -eq 7 ] && ok || not_ok "the same seven changes from the store"

# bad input
expect_exit 2 "one file and --db too many" -- "$MAMORI" policy diff --db "$TMP/m.db" "$TMP/old.yaml" "$TMP/new.yaml"
expect_exit 2 "no file" -- "$MAMORI" policy diff
printf 'mamori-policy: 1\nid: x\n' >"$TMP/bad.yaml"
expect_exit 1 "an invalid new policy" -- "$MAMORI" policy diff "$TMP/old.yaml" "$TMP/bad.yaml"
expect_grep "$TMP/err" "bad.yaml:" "its problems named with the file"
expect_exit 3 "a missing file (an environment error, as policy check)" -- "$MAMORI" policy diff "$TMP/old.yaml" "$TMP/none.yaml"
finish
