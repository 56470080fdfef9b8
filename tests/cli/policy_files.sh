#!/usr/bin/env bash
# Every policy in policies/ validates, renders in both formats, and round-trips
# through `show --json`: the JSON is itself a valid policy that shows the same.
. "$(dirname "$0")/lib.sh"

cd "$SRCDIR/policies" || exit 1

# The JSON Schema in docs/ is what `policy schema` generates from the loader's tables.
"$MAMORI" policy schema >"$TMP/schema.json" && ok || not_ok "policy schema"
cmp -s "$TMP/schema.json" "$SRCDIR/docs/policy.schema.json" && ok ||
	not_ok "docs/policy.schema.json is stale: regenerate with 'mamori policy schema > docs/policy.schema.json'"

# validate_schema JSON: the resolved policy satisfies the JSON Schema editors use.
validate_schema() {
	/usr/bin/python3 - "$SRCDIR/docs/policy.schema.json" "$1" <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
errors = list(jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(sys.argv[2]))))
for e in errors[:5]:
    print("schema:", list(e.path), e.message, file=sys.stderr)
sys.exit(1 if errors else 0)
PY
}
for f in *.yaml; do
	expect_exit 0 "$f: check" -- "$MAMORI" policy check "$f"
	expect_exit 0 "$f: render markdown" -- "$MAMORI" policy render "$f"
	[ -s "$TMP/out" ] && ok || not_ok "$f: empty markdown"
	expect_exit 0 "$f: render html" -- "$MAMORI" policy render --format html "$f"
	expect_grep "$TMP/out" "<html" "$f: html"
	expect_exit 0 "$f: show" -- "$MAMORI" policy show "$f"
	"$MAMORI" policy show --json "$f" >"$TMP/a.json" 2>"$TMP/err" && ok || not_ok "$f: show --json"
	"$MAMORI" policy show --json "$TMP/a.json" >"$TMP/b.json" 2>"$TMP/err" && ok || { not_ok "$f: reload of json"; cat "$TMP/err" >&2; }
	cmp -s "$TMP/a.json" "$TMP/b.json" && ok || not_ok "$f: json round trip differs"
	validate_schema "$TMP/a.json" && ok || not_ok "$f: does not satisfy docs/policy.schema.json"
done
finish
