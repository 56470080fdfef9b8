#!/usr/bin/env bash
# `mamori decide`: exit codes, batch order and error lines, --explain, and every
# response valid against docs/decide-response.schema.json.
. "$(dirname "$0")/lib.sh"

P="$SRCDIR/tests/decide/fixture.yaml"
allow='{"subject":{"id":"u1","roles":["staff"],"department":"soumu","terminal":{"segment":"lgwan","issued":true}},"action":"read","resource":{"classification":{"confidentiality":2},"department":"soumu","segment":"lgwan"}}'
deny='{"subject":{"id":"u1","roles":["staff"],"department":"soumu","terminal":{"segment":"lgwan","issued":false}},"action":"read","resource":{"classification":{"confidentiality":3},"department":"soumu","segment":"lgwan"}}'
unknown='{"subject":{"roles":["staf"]},"action":"read","resource":{}}'

echo "$allow" >"$TMP/allow.json"
expect_exit 0 "allow exits 0" -- "$MAMORI" decide --policy "$P" "$TMP/allow.json"
expect_grep "$TMP/out" '"decision":"allow"' "allow response"
expect_exit 1 "deny exits 1" -- "$MAMORI" decide --policy "$P" - <<<"$deny"
expect_grep "$TMP/out" '"id":"issued-terminal-only"' "deny names the restriction"
expect_grep "$TMP/out" '"clause":"対策基準 5"' "deny cites the clause"
expect_exit 2 "unknown id exits 2" -- "$MAMORI" decide --policy "$P" - <<<"$unknown"
expect_grep "$TMP/out" '"field":"subject.roles\[0\]"' "error names the field"
expect_exit 2 "no policy is a usage error" -- "$MAMORI" decide "$TMP/allow.json"
expect_exit 3 "missing request file" -- "$MAMORI" decide --policy "$P" "$TMP/none.json"
expect_exit 1 "invalid policy is refused" -- "$MAMORI" decide --policy "$SRCDIR/tests/cli/lib.sh" "$TMP/allow.json"

# --explain: the trace in Japanese and English on stderr
expect_exit 1 "explain" -- "$MAMORI" decide --policy "$P" --explain - <<<"$deny"
expect_grep "$TMP/err" '結論 / decision: 拒否 deny' "explain concludes"
expect_grep "$TMP/err" '拒否 / deny: 支給以外の端末での作業の原則禁止' "explain names the rule"

# --batch: one line out per line in, errors carry their line number, blank lines skipped
printf '%s\n%s\n{not json\n\n%s\n' "$allow" "$deny" "$unknown" >"$TMP/req.jsonl"
expect_exit 0 "batch" -- "$MAMORI" decide --policy "$P" --batch <"$TMP/req.jsonl"
[ "$(wc -l <"$TMP/out")" -eq 4 ] && ok || not_ok "batch: 4 lines expected, got $(wc -l <"$TMP/out")"
sed -n 1p "$TMP/out" | grep -q '"decision":"allow"' && ok || not_ok "batch line 1"
sed -n 2p "$TMP/out" | grep -q '"decision":"deny"' && ok || not_ok "batch line 2"
sed -n 3p "$TMP/out" | grep -q '"code":"malformed".*"line":3' && ok || not_ok "batch line 3 names line 3"
sed -n 4p "$TMP/out" | grep -q '"code":"unknown-id".*"line":5' && ok || not_ok "batch line 4 names line 5"
cp "$TMP/out" "$TMP/responses.jsonl"

# with a store: the store's policy, and requests that name assets of the register
"$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml" --db "$TMP/d.db" >/dev/null && ok || not_ok "init"
"$MAMORI" asset import --db "$TMP/d.db" "$SRCDIR/examples/assets.csv" >/dev/null && ok || not_ok "import examples"
asset_req='{"subject":{"roles":["staff"],"department":"shimin","mfa":true,"terminal":{"segment":"mynumber","issued":true}},"action":"read","resource":{"asset":"A-000002"}}'
expect_exit 0 "decide on a registered asset" -- "$MAMORI" decide --db "$TMP/d.db" - <<<"$asset_req"
expect_exit 1 "the same without mfa" -- "$MAMORI" decide --db "$TMP/d.db" - <<<"${asset_req/\"mfa\":true/\"mfa\":false}"
expect_grep "$TMP/out" '"id":"mfa"' "mfa reason"
expect_exit 2 "unknown asset" -- "$MAMORI" decide --db "$TMP/d.db" - <<<'{"subject":{"roles":["staff"]},"action":"read","resource":{"asset":"A-999999"}}'
expect_grep "$TMP/out" '"field":"resource.asset"' "unknown asset names the field"

# decision logging: mic-standard says decision_log: denials — the denial is in the
# audit trail with its request and answer, the allow is not, and the trail verifies
"$MAMORI" log show --db "$TMP/d.db" --json >"$TMP/dlog"
grep -c '"action":"decide.deny"' "$TMP/dlog" | grep -qx 1 && ok || not_ok "one denial logged"
grep -q '"action":"decide.allow"' "$TMP/dlog" && not_ok "allow logged under 'denials'" || ok
grep -q '"object_id":"A-000002".*"reasons":\[{"clause":"基本方針 6(3)①","id":"mfa"' "$TMP/dlog" && ok || not_ok "logged denial carries request and answer"
printf '%s\n%s\n' "$asset_req" "${asset_req/\"mfa\":true/\"mfa\":false}" | "$MAMORI" decide --db "$TMP/d.db" --batch >"$TMP/b2" && ok || not_ok "batch with a store"
[ "$(wc -l <"$TMP/b2")" -eq 2 ] && ok || not_ok "batch with a store answers every line"
expect_exit 0 "trail intact after decision logging" -- "$MAMORI" log verify --db "$TMP/d.db"
expect_grep "$TMP/out" 'ok: 24 events' "init, 20 imports, and the 3 refusals (2 denials, 1 unknown asset)"

/usr/bin/python3 - "$SRCDIR/docs/decide-response.schema.json" "$TMP/responses.jsonl" \
    "$SRCDIR/docs/decide-request.schema.json" "$allow" "$deny" <<'PY' && ok || not_ok "responses/requests vs JSON Schema"
import json, sys, jsonschema
resp = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
req = jsonschema.Draft202012Validator(json.load(open(sys.argv[3])))
bad = 0
for line in open(sys.argv[2]):
    for e in resp.iter_errors(json.loads(line)):
        print("response:", e.message, file=sys.stderr); bad += 1
for r in sys.argv[4:]:
    for e in req.iter_errors(json.loads(r)):
        print("request:", e.message, file=sys.stderr); bad += 1
sys.exit(1 if bad else 0)
PY
finish
