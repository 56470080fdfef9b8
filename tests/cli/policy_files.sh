#!/usr/bin/env bash
# Every policy in policies/ validates, renders in both formats, and round-trips
# through `show --json`: the JSON is itself a valid policy that shows the same.
. "$(dirname "$0")/lib.sh"

cd "$SRCDIR/policies" || exit 1
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
done
finish
