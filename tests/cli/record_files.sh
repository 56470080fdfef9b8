#!/usr/bin/env bash
# A record's files (docs/records.md, "Files"): attached by someone who sees the
# record, kept once beside the store under their SHA-256, listed, read back
# byte for byte; a Japanese name kept, a path's directories dropped, a control
# character refused; the size limit; a closed record's files frozen; a damaged
# copy found on reading; every file an event of the record's trail, which
# verifies.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/m.db" MAMORI_ACTOR="cli:operator" LANG=C.UTF-8
expect_exit 0 "init" -- "$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml"
expect_exit 0 "user tanaka" -- "$MAMORI" user add tanaka --role staff --department soumu
expect_exit 0 "user suzuki" -- "$MAMORI" user add suzuki --role staff --department soumu
expect_exit 0 "user kanri" -- "$MAMORI" user add kanri --role security-manager --department soumu
expect_exit 0 "report" -- "$MAMORI" incident report --by tanaka --set summary="USBメモリを紛失した"
id=$(cat "$TMP/out")

# a photo-like binary and a text with a Japanese name
head -c 300000 /dev/urandom >"$TMP/photo.bin"
printf '\x89PNG\r\n\x1a\n' | cat - "$TMP/photo.bin" >"$TMP/紛失届 写真.png"
printf '紛失の経緯: 12月5日 帰庁時に気づいた\n' >"$TMP/経緯.txt"

expect_exit 0 "attach a photo" -- "$MAMORI" record attach "$id" "$TMP/紛失届 写真.png" --by tanaka --json
/usr/bin/python3 - "$TMP/out" "$TMP/紛失届 写真.png" <<'PY' && ok || not_ok "attach --json: num, sha256, size"
import hashlib, json, os, sys
d = json.load(open(sys.argv[1]))
data = open(sys.argv[2], "rb").read()
assert d == {"num": 1, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}, d
PY
sha=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sha256"])' "$TMP/out")
[ -f "$TMP/m.db.files/${sha:0:2}/$sha" ] && ok || not_ok "kept beside the store under its SHA-256"
[ "$(stat -c %a "$TMP/m.db.files/${sha:0:2}/$sha")" = 600 ] && ok || not_ok "the copy is the operator's only (0600)"
expect_exit 0 "the manager attaches, named" -- "$MAMORI" record attach "$id" "$TMP/経緯.txt" --by kanri --name '../../etc/経緯（報告用）.txt'
expect_grep "$TMP/out" "file 2: 経緯（報告用）.txt (text/plain" "a path's directories dropped, the type recognised"
# the same content again: a second file of the record, one copy beside the store
expect_exit 0 "the same content again" -- "$MAMORI" record attach "$id" "$TMP/紛失届 写真.png" --by kanri --name 写し.png
[ "$(find "$TMP/m.db.files" -type f | wc -l)" = 2 ] && ok || not_ok "the same content is kept once"
[ -z "$(find "$TMP/m.db.files" -name '.tmp-*')" ] && ok || not_ok "no temporary file left"

expect_exit 0 "files" -- "$MAMORI" record files "$id" --json
/usr/bin/python3 - "$TMP/out" <<'PY' && ok || not_ok "files --json"
import json, sys
f = json.load(open(sys.argv[1]))
assert [x["num"] for x in f] == [1, 2, 3], f
assert [x["name"] for x in f] == ["紛失届 写真.png", "経緯（報告用）.txt", "写し.png"], f
assert [x["by"] for x in f] == ["tanaka", "kanri", "kanri"], f
assert f[0]["type"] == "image/png" and f[0]["sha256"] == f[2]["sha256"], f
assert f[0]["created"].endswith("Z"), f
PY
expect_exit 0 "files, for people" -- "$MAMORI" record files "$id"
expect_grep "$TMP/out" "紛失届 写真.png" "the list names the files"
expect_grep "$TMP/out" "JST" "times in Tokyo time"
expect_exit 0 "read back" -- "$MAMORI" record file "$id" 1 --out "$TMP/back.png" --by tanaka
cmp -s "$TMP/back.png" "$TMP/紛失届 写真.png" && ok || not_ok "read back identical"
expect_exit 0 "read back to stdout" -- "$MAMORI" record file "$id" 2 --out -
cmp -s "$TMP/out" "$TMP/経緯.txt" && ok || not_ok "read back to stdout identical"
expect_exit 1 "no such file of the record" -- "$MAMORI" record file "$id" 9 --out "$TMP/x"
expect_grep "$TMP/err" "has no file 9" "the missing file named"

# the record carries them, its history names them
expect_exit 0 "show --json" -- "$MAMORI" record show "$id" --json
/usr/bin/python3 - "$TMP/out" <<'PY' && ok || not_ok "show --json: files and their events"
import json, sys
r = json.load(open(sys.argv[1]))
assert [f["num"] for f in r["files"]] == [1, 2, 3], r["files"]
assert set(r["files"][0]) == {"num", "name", "type", "size", "sha256", "by", "created"}, r["files"][0]
ev = [h for h in r["history"] if h["action"] == "record.file"]
assert [(e["by"], e["file"], e["name"]) for e in ev] == [("tanaka", 1, "紛失届 写真.png"),
    ("kanri", 2, "経緯（報告用）.txt"), ("kanri", 3, "写し.png")], ev
assert ev[0]["sha256"] == r["files"][0]["sha256"] and ev[0]["size"] == r["files"][0]["size"], ev
PY
expect_exit 0 "show" -- "$MAMORI" record show "$id"
expect_grep "$TMP/out" "record.file: 紛失届 写真.png (file 1)" "the history line of a file"

# who may, what may not
expect_exit 1 "another 職員 may not see the record" -- "$MAMORI" record attach "$id" "$TMP/経緯.txt" --by suzuki
expect_grep "$TMP/err" "suzuki may not see record" "the refusal says why"
expect_exit 1 "nor read its files" -- "$MAMORI" record file "$id" 1 --out "$TMP/x" --by suzuki
expect_exit 1 "nor list them" -- "$MAMORI" record files "$id" --by suzuki
expect_exit 1 "unknown account" -- "$MAMORI" record attach "$id" "$TMP/経緯.txt" --by nobody
expect_exit 1 "unknown record" -- "$MAMORI" record attach INC-999999 "$TMP/経緯.txt" --by tanaka
expect_exit 2 "attach without --by" -- "$MAMORI" record attach "$id" "$TMP/経緯.txt"
expect_exit 3 "a file that is not there" -- "$MAMORI" record attach "$id" "$TMP/nothing" --by tanaka
expect_exit 1 "a control character in the name" -- "$MAMORI" record attach "$id" "$TMP/経緯.txt" --by tanaka --name $'a\nb.txt'
expect_grep "$TMP/err" "control character (U+000A)" "the character named"
expect_exit 1 "a right-to-left override in the name" -- "$MAMORI" record attach "$id" "$TMP/経緯.txt" --by tanaka --name $'invoice\u202efdp.exe'
expect_exit 1 "an empty file" -- "$MAMORI" record attach "$id" /dev/null --by tanaka --name empty.txt
expect_exit 1 "a bad content type" -- "$MAMORI" record attach "$id" "$TMP/経緯.txt" --by tanaka --type 'text plain'
expect_exit 0 "a given content type" -- "$MAMORI" record attach "$id" "$TMP/経緯.txt" --by tanaka --type 'Text/Markdown; charset=UTF-8' --json
expect_exit 0 "its type" -- "$MAMORI" record files "$id" --json
/usr/bin/python3 -c 'import json,sys; f=json.load(open(sys.argv[1])); assert f[-1]["type"]=="text/markdown", f[-1]' "$TMP/out" && ok || not_ok "the given type kept, lower case, without parameters"

# the size limit, set in the store's configuration
expect_exit 0 "the default limit" -- "$MAMORI" record file-limit
expect_grep "$TMP/out" "record.file_max_bytes = 20971520" "20 MiB unless configured"
expect_exit 0 "a limit of 100000 bytes" -- "$MAMORI" record file-limit 100000
expect_exit 1 "a file over the limit" -- "$MAMORI" record attach "$id" "$TMP/photo.bin" --by tanaka
expect_grep "$TMP/err" "larger than the limit of 100000 bytes" "the limit named"
expect_exit 2 "a limit that is not a number" -- "$MAMORI" record file-limit lots
before=$("$MAMORI" record files "$id" --json | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$before" = 4 ] && ok || not_ok "refusals added nothing ($before files)"

# a closed (withdrawn) record's files no longer change
expect_exit 0 "report 2" -- "$MAMORI" incident report --by tanaka --set summary="誤報"
id2=$(cat "$TMP/out")
expect_exit 0 "withdraw" -- "$MAMORI" record move "$id2" withdrawn --by tanaka
expect_exit 1 "no file for a closed record" -- "$MAMORI" record attach "$id2" "$TMP/経緯.txt" --by tanaka
expect_grep "$TMP/err" "a final state" "the refusal says why"

# the trail: every file an event, intact
expect_exit 0 "log show" -- "$MAMORI" log show --object "$id" --json
/usr/bin/python3 - "$TMP/out" <<'PY' && ok || not_ok "the record.file events in the trail"
import json, sys
ev = [e for e in (json.loads(l) for l in open(sys.argv[1]) if l.strip()) if e["action"] == "record.file"]
assert len(ev) == 4, ev
assert all(e["actor"] == "cli:operator" and e["body"]["after"]["sha256"] for e in ev), ev
assert [e["body"]["after"]["name"] for e in ev][:2] == ["紛失届 写真.png", "経緯（報告用）.txt"], ev
PY
expect_exit 0 "log verify" -- "$MAMORI" log verify

# a copy changed beside the store is found when read, naming the file
chmod u+w "$TMP/m.db.files/${sha:0:2}/$sha"
printf 'X' | dd of="$TMP/m.db.files/${sha:0:2}/$sha" bs=1 seek=100 conv=notrunc 2>/dev/null
expect_exit 1 "a changed copy" -- "$MAMORI" record file "$id" 1 --out "$TMP/x"
expect_grep "$TMP/err" "file 1 of $id (紛失届 写真.png)" "the error names the file"
expect_grep "$TMP/err" "SHA-256" "and what no longer matches"
# attaching the same content again repairs the copy
"$MAMORI" record file-limit 20971520 >/dev/null
expect_exit 0 "the same content again" -- "$MAMORI" record attach "$id" "$TMP/紛失届 写真.png" --by tanaka
expect_exit 0 "read back after the repair" -- "$MAMORI" record file "$id" 1 --out "$TMP/back2.png"
cmp -s "$TMP/back2.png" "$TMP/紛失届 写真.png" && ok || not_ok "the damaged copy was replaced"
rm "$TMP/m.db.files/${sha:0:2}/$sha"
expect_exit 1 "a removed copy" -- "$MAMORI" record file "$id" 1 --out "$TMP/x"
expect_grep "$TMP/err" "removed beside the store" "a missing copy is an error too"

# ---- file fields: a field of type file is filled by attaching to it, and a state may require it
cp "$SRCDIR/policies/mic-standard.yaml" "$TMP/"
cat >"$TMP/files.yaml" <<'EOF2'
mamori-policy: 1
id: file-town
title: 証拠の町
version: "1"
extends: mic-standard
records:
  - id: media-loss
    title: 媒体紛失の届出
    prefix: ML
    clause: 対策基準 5.3
    fields:
      - { id: summary, title: 概要, type: text, required: true }
      - { id: evidence, title: 証拠, type: file, multiple: true, required: true }
      - { id: report, title: 報告書, type: file }
    states:
      - { id: open, title: 届出, initial: true, clause: 対策基準 5.3 }
      - { id: closed, title: 完了, final: true, requires: [evidence], clause: 対策基準 5.3 }
    transitions:
      - { id: close, title: 完了とする, from: open, to: closed, by: [reporter], clause: 対策基準 5.3 }
EOF2
export MAMORI_DB="$TMP/f.db"
expect_exit 0 "file fields: init" -- "$MAMORI" init --policy "$TMP/files.yaml"
"$MAMORI" user add tanaka --role staff --department soumu >/dev/null
expect_exit 1 "a file field takes no value" -- "$MAMORI" record new media-loss --by tanaka --set summary=x --set evidence=1
expect_grep "$TMP/err" "a file field is filled by attaching a file to it" "the refusal says how"
expect_exit 0 "made without its required file" -- "$MAMORI" record new media-loss --by tanaka --set summary="USB メモリ紛失"
ml=$(cat "$TMP/out")
expect_exit 1 "the state requires the file" -- "$MAMORI" record move "$ml" closed --by tanaka
expect_grep "$TMP/err" "証拠" "the missing file field named"
printf 'photo\n' >"$TMP/p1.txt"; printf 'photo 2\n' >"$TMP/p2.txt"; printf 'report\n' >"$TMP/r1.txt"; printf 'report 2\n' >"$TMP/r2.txt"
expect_exit 1 "not a file field" -- "$MAMORI" record attach "$ml" "$TMP/p1.txt" --by tanaka --field summary
expect_grep "$TMP/err" "summary is not a file field of 媒体紛失の届出" "names the field and the kind"
expect_exit 0 "into 証拠 by its title" -- "$MAMORI" record attach "$ml" "$TMP/p1.txt" --by tanaka --field 証拠
expect_exit 0 "a second into evidence" -- "$MAMORI" record attach "$ml" "$TMP/p2.txt" --by tanaka --field evidence
expect_exit 0 "a report" -- "$MAMORI" record attach "$ml" "$TMP/r1.txt" --by tanaka --field report
expect_exit 0 "a newer report" -- "$MAMORI" record attach "$ml" "$TMP/r2.txt" --by tanaka --field report
expect_exit 0 "show" -- "$MAMORI" record show "$ml" --json
/usr/bin/python3 - "$TMP/out" <<'PY' && ok || not_ok "a multiple file field lists its files, a single one holds the newest; the events name the field"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["fields"]["evidence"] == [1, 2] and r["fields"]["report"] == 4, r["fields"]
assert [f["name"] for f in r["files"]] == ["p1.txt", "p2.txt", "r1.txt", "r2.txt"], r["files"]
fields = [h.get("field") for h in r["history"] if h["action"] == "record.file"]
assert fields == ["evidence", "evidence", "report", "report"], r["history"]
PY
expect_exit 0 "now the state may be entered" -- "$MAMORI" record move "$ml" closed --by tanaka
expect_exit 0 "log verify" -- "$MAMORI" log verify
finish
