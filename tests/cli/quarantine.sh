#!/usr/bin/env bash
# The quarantine of 無害化: originals kept with their metadata, listed and shown
# without reparsing, released only on a request by one account approved by
# another whose role permits `release` (二人制), both audit-logged; every refusal.
. "$(dirname "$0")/lib.sh"

C="$TMP/corpus"; Q="$TMP/q"; mkdir -p "$C"
export MAMORI_DB="$TMP/m.db" MAMORI_ACTOR="cli:operator"
unset MAMORI_QUARANTINE
/usr/bin/python3 "$SRCDIR/tests/sanitize/make_corpus.py" "$C" && ok || not_ok "corpus"
expect_exit 0 "init" -- "$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml"
expect_exit 0 "user tanaka" -- "$MAMORI" user add tanaka --role staff --department soumu
expect_exit 0 "user suzuki" -- "$MAMORI" user add suzuki --role staff --department soumu
expect_exit 0 "user kanri" -- "$MAMORI" user add kanri --role security-manager --department soumu
expect_exit 0 "user zeimu-kanri" -- "$MAMORI" user add zeimu-kanri --role security-manager --department zeimu
expect_exit 0 "user sys" -- "$MAMORI" user add sys --role system-manager --department soumu
expect_exit 0 "user ciso" -- "$MAMORI" user add ciso1 --role ciso
expect_exit 0 "user gone" -- "$MAMORI" user add gone --role security-manager --department soumu
expect_exit 0 "disable gone" -- "$MAMORI" user disable gone

sha() { sha256sum "$1" | cut -c1-64; }
PDF=$(sha "$C/with-pdf.eml"); DOCM=$(sha "$C/docm-macro.eml"); JIS=$(sha "$C/jis-plain.eml")
NEST=$(sha "$C/nested-rfc822.eml"); MANY=$(sha "$C/too-many-parts.eml")
for f in with-pdf docm-macro jis-plain nested-rfc822; do
	expect_exit 0 "sanitize $f" -- "$MAMORI" sanitize mail --quarantine "$Q" <"$C/$f.eml"
done
expect_exit 1 "refused mail" -- "$MAMORI" sanitize mail --quarantine "$Q" <"$C/too-many-parts.eml"
expect_grep "$TMP/err" 'the original is quarantined' "a refused original is kept"

# ---- list and show: from the metadata beside each original
expect_exit 2 "no directory" -- "$MAMORI" quarantine list
expect_grep "$TMP/err" 'MAMORI_QUARANTINE' "says how to name the directory"
expect_exit 0 "list" -- "$MAMORI" quarantine list --quarantine "$Q"
[ "$(grep -c '^[0-9a-f]\{12\}  ' "$TMP/out")" -eq 5 ] && ok || not_ok "list: 5 originals"
expect_grep "$TMP/out" "^${PDF:0:12}  .*sanitized .*  1  山田 太郎 <yamada@example.jp>  資料送付" "list: pdf mail line"
expect_grep "$TMP/out" "^${MANY:0:12}  .*refused .*多すぎる" "list: refused original"
expect_grep "$TMP/out" "^${JIS:0:12}  .*  0  .*住民票の件" "list: Japanese subject decoded"
expect_grep "$TMP/out" "^${PDF:0:12}  20[0-9-]* [0-9:]* JST  " "list: the time in Tokyo"
MAMORI_QUARANTINE="$Q" expect_exit 0 "list --json via env" -- "$MAMORI" quarantine list --json
/usr/bin/python3 - "$TMP/out" "$PDF" <<'PY' && ok || not_ok "list --json"
import json, sys
a = json.load(open(sys.argv[1]))
assert len(a) == 5, len(a)
m = [x for x in a if x["id"] == sys.argv[2]][0]
assert m["subject"] == "資料送付" and m["status"] == "sanitized" and m["size"] == 785, m
assert [p["name"] for p in m["attachments"]] == ["資料 2026.pdf"], m
assert m["attachments"][0]["type"] == "application/pdf" and m["attachments"][0]["size"] == 32
PY
expect_exit 0 "show by prefix" -- "$MAMORI" quarantine show "${DOCM:0:10}" --quarantine "$Q"
expect_grep "$TMP/out" "^id:          $DOCM" "show: full id"
expect_grep "$TMP/out" "請求書.docm  \[application/vnd.ms-word.document.macroEnabled.12, " "show: attachment"
expect_grep "$TMP/out" "^integrity:   ok" "show: integrity"
expect_grep "$TMP/out" "^subject:     請求書" "show: subject"
expect_exit 0 "show nested" -- "$MAMORI" quarantine show "$NEST" --quarantine "$Q"
expect_grep "$TMP/out" "転送されたメール: 元のメール  \[message/rfc822" "show: forwarded message listed"
expect_exit 0 "show refused" -- "$MAMORI" quarantine show "${MANY:0:8}" --quarantine "$Q"
expect_grep "$TMP/out" "^status:      refused — the message has too many parts" "show: why refused"
expect_exit 1 "show unknown id" -- "$MAMORI" quarantine show deadbeefdeadbeef --quarantine "$Q"
expect_grep "$TMP/err" 'no quarantined original deadbeefdeadbeef' "unknown id named"
expect_exit 1 "show short id" -- "$MAMORI" quarantine show abc --quarantine "$Q"
expect_grep "$TMP/err" 'at least its first 8 hex digits' "short id explained"
expect_exit 1 "show non-hex id" -- "$MAMORI" quarantine show ../../etc/passwd --quarantine "$Q"
expect_grep "$TMP/err" 'only hex digits' "non-hex id refused"
# an ambiguous prefix: two ids that share their first 8 digits are made by hand
cp "$Q/$JIS.eml" "$TMP/dup.eml"; printf 'x' >>"$TMP/dup.eml"
FAKE="${JIS:0:8}$(printf '%056d' 0)"; cp "$TMP/dup.eml" "$Q/$FAKE.eml"
expect_exit 1 "ambiguous prefix" -- "$MAMORI" quarantine show "${JIS:0:8}" --quarantine "$Q"
expect_grep "$TMP/err" 'names 2 originals' "ambiguous prefix explained"
expect_exit 1 "show file whose hash is not its name" -- "$MAMORI" quarantine show "$FAKE" --quarantine "$Q"
expect_grep "$TMP/out" "^status:      unknown" "no metadata: status unknown"
expect_grep "$TMP/err" 'TAMPERED' "mismatch reported"
rm -f "$Q/$FAKE.eml"

# ---- request
expect_exit 2 "request without reason" -- "$MAMORI" quarantine request "$PDF" --by tanaka --quarantine "$Q"
expect_exit 1 "request by an unknown account" -- "$MAMORI" quarantine request "$PDF" --by nobody --reason r --quarantine "$Q"
expect_grep "$TMP/err" "requester 'nobody' is not an account" "unknown requester named"
expect_exit 1 "request by a disabled account" -- "$MAMORI" quarantine request "$PDF" --by gone --reason r --quarantine "$Q"
expect_grep "$TMP/err" "requester 'gone' is disabled" "disabled requester named"
expect_exit 1 "request of an unknown id" -- "$MAMORI" quarantine request 0123456789abcdef --by tanaka --reason r --quarantine "$Q"
expect_exit 2 "blank reason" -- "$MAMORI" quarantine request "$PDF" --by tanaka --reason "  " --quarantine "$Q"
expect_exit 1 "release before any request" -- "$MAMORI" quarantine release "$PDF" --approver kanri --out "$TMP/x.eml" --quarantine "$Q"
expect_grep "$TMP/err" 'has no open request' "missing request explained"
[ ! -e "$TMP/x.eml" ] && ok || not_ok "nothing written without a request"
expect_exit 0 "request" -- "$MAMORI" quarantine request "${PDF:0:12}" --by tanaka --reason "原本のPDFが必要 (申請番号 12)" --quarantine "$Q"
expect_grep "$TMP/out" 'requested: event' "request acknowledged"
expect_exit 1 "second open request" -- "$MAMORI" quarantine request "$PDF" --by suzuki --reason again --quarantine "$Q"
expect_grep "$TMP/err" 'has an open request already' "open request conflict"

# ---- release: every refusal, then the release
rel() { "$MAMORI" quarantine release "$PDF" --quarantine "$Q" "$@"; }
expect_exit 1 "requester approves own request" -- rel --approver tanaka --out "$TMP/r.eml"
expect_grep "$TMP/err" '二人制' "same person refused (二人制)"
expect_exit 1 "disabled approver" -- rel --approver gone --out "$TMP/r.eml"
expect_grep "$TMP/err" "approver 'gone' is disabled" "disabled approver refused"
expect_exit 1 "unknown approver" -- rel --approver nobody --out "$TMP/r.eml"
expect_grep "$TMP/err" "approver 'nobody' is not an account" "unknown approver refused"
expect_exit 1 "role without release" -- rel --approver sys --out "$TMP/r.eml"
expect_grep "$TMP/err" "does not include the action 'release'" "role without release refused"
expect_exit 1 "staff cannot approve" -- rel --approver suzuki --out "$TMP/r.eml"
expect_exit 1 "manager of another department" -- rel --approver zeimu-kanri --out "$TMP/r.eml"
expect_grep "$TMP/err" "only for the department zeimu, and the requester 'tanaka' belongs to soumu" "department scope explained"
[ ! -e "$TMP/r.eml" ] && ok || not_ok "no file left by refusals"
expect_exit 2 "release without approver" -- rel --out "$TMP/r.eml"
: >"$TMP/exists.eml"
expect_exit 1 "release onto an existing file" -- rel --approver kanri --out "$TMP/exists.eml"
expect_grep "$TMP/err" 'File exists' "existing file refused before recording"
# a tampered original: one byte changed
cp "$Q/$PDF.eml" "$TMP/pdf.bak"
/usr/bin/python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[100]^=1; open(p,'wb').write(b)" "$Q/$PDF.eml"
expect_exit 1 "tampered original" -- rel --approver kanri --out "$TMP/r.eml"
expect_grep "$TMP/err" 'TAMPERED: the quarantined original .* has changed' "tampering reported"
[ ! -e "$TMP/r.eml" ] && ok || not_ok "tampered original not written"
expect_exit 1 "show of the tampered original" -- "$MAMORI" quarantine show "$PDF" --quarantine "$Q"
expect_grep "$TMP/out" '^integrity:   TAMPERED' "show reports tampering"
cp "$TMP/pdf.bak" "$Q/$PDF.eml"; chmod 600 "$Q/$PDF.eml"
expect_exit 0 "release" -- rel --approver kanri --out "$TMP/r.eml"
expect_grep "$TMP/err" 'SHA-256 checked' "release acknowledged"
cmp -s "$TMP/r.eml" "$C/with-pdf.eml" && ok || not_ok "released original byte-identical"
[ "$(stat -c %a "$TMP/r.eml")" = 600 ] && ok || not_ok "released file mode 0600"
expect_exit 1 "the request is used up" -- rel --approver kanri --out "$TMP/r2.eml"
expect_grep "$TMP/err" 'has no open request' "a release answers one request"
# to standard output, by a role with scope all (ciso), for another original
expect_exit 0 "request docm" -- "$MAMORI" quarantine request "$DOCM" --by suzuki --reason "マクロの確認" --quarantine "$Q"
"$MAMORI" quarantine release "$DOCM" --approver ciso1 --quarantine "$Q" >"$TMP/d.eml" 2>"$TMP/err" && ok || not_ok "release to stdout"
cmp -s "$TMP/d.eml" "$C/docm-macro.eml" && ok || not_ok "stdout release byte-identical"
# the original stays in quarantine after release
[ -e "$Q/$PDF.eml" ] && ok || not_ok "original stays quarantined"

# ---- the audit trail: both requests and both releases, in the verified log
expect_exit 0 "show with history" -- "$MAMORI" quarantine show "$PDF" --quarantine "$Q"
expect_grep "$TMP/out" "request  by tanaka: 原本のPDFが必要" "history: request"
expect_grep "$TMP/out" "release  approved by kanri for tanaka" "history: release"
expect_grep "$TMP/out" "^state:       released to tanaka by kanri" "state"
expect_exit 0 "list with state" -- "$MAMORI" quarantine list --quarantine "$Q"
expect_grep "$TMP/out" "^${DOCM:0:12}  .*\[released to suzuki by ciso1" "list: state from the trail"
expect_exit 0 "log verify" -- "$MAMORI" log verify
expect_exit 0 "log show" -- "$MAMORI" log show --json --object "$PDF"
/usr/bin/python3 - "$TMP/out" "$PDF" <<'PY' && ok || not_ok "events in log show"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
evs = lines[0] if len(lines) == 1 and isinstance(lines[0], list) else lines
acts = [(e["action"], e["object_type"], e["object_id"]) for e in evs]
assert acts == [("quarantine.request", "quarantine", sys.argv[2]), ("quarantine.release", "quarantine", sys.argv[2])], acts
req, rel = (json.loads(e["body"]) if isinstance(e["body"], str) else e["body"] for e in evs)
assert req["after"]["requester"] == "tanaka" and req["after"]["reason"] == "原本のPDFが必要 (申請番号 12)", req
assert rel["after"]["approver"] == "kanri" and rel["after"]["requester"] == "tanaka", rel
assert rel["after"]["request_seq"] == evs[0]["seq"] and rel["after"]["sha256"] == sys.argv[2], rel
assert all(e["actor"] == "cli:operator" for e in evs)
PY
# refusals record nothing: exactly two requests and two releases in the whole trail
expect_exit 0 "log show all" -- "$MAMORI" log show
[ "$(grep -c 'quarantine\.request' "$TMP/out")" -eq 2 ] && [ "$(grep -c 'quarantine\.release' "$TMP/out")" -eq 2 ] && ok ||
	not_ok "exactly 2 requests and 2 releases logged"
finish
