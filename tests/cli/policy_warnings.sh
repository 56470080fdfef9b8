#!/usr/bin/env bash
# A policy that is legal but suspicious is valid (exit 0) and each suspicion is
# printed as FILE:LINE:COL: warning: ...
. "$(dirname "$0")/lib.sh"

cd "$SRCDIR/tests/policy-warnings" || exit 1
expect_exit 0 "warnings do not invalidate" -- "$MAMORI" policy check suspicious.yaml
expect_grep "$TMP/out" 'ok (t, 2 warnings)' "summary counts warnings"
expect_grep "$TMP/err" '^suspicious.yaml:22:12: warning: .*level 3 lacks restriction .backup.' "higher level laxer than lower"
expect_grep "$TMP/err" '^suspicious.yaml:31:62: warning: .*without 無害化' "separated path without sanitization"

# `published` (the 取扱制限 as the table prints them): an empty list is no wording at
# all; wording at a level without restrictions is enforced by nothing
expect_exit 0 "published warnings do not invalidate" -- "$MAMORI" policy check published.yaml
expect_grep "$TMP/out" 'ok (t, 2 warnings)' "published: two warnings"
expect_grep "$TMP/err" "^published.yaml:24:11: warning: .*level 2: 'published' is empty" "empty published"
expect_grep "$TMP/err" "^published.yaml:26:71: warning: .*level 1: 'published' prints 取扱制限 but the level has no 'restrictions'" "published without restrictions"
finish
