#!/usr/bin/env bash
# `mamori user`: accounts on a temporary store, their errors, TOTP enrolment, and
# the audit trail never holding a password or a secret.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/u.db" MAMORI_ACTOR=test:admin
"$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml" >/dev/null && ok || not_ok "init"
expect_exit 0 "add with a Japanese password" -- "$MAMORI" user add tanaka --role 職員等 --department 税務課 --password-stdin <<<'秘密のパスワード'
expect_exit 0 "add an auditor without password" -- "$MAMORI" user add kansa --role auditor
expect_exit 1 "unknown role" -- "$MAMORI" user add x --role nobody
expect_grep "$TMP/err" "unknown role 'nobody'" "role error"
expect_exit 1 "unknown department" -- "$MAMORI" user add x --role staff --department 秘書課
expect_exit 1 "duplicate" -- "$MAMORI" user add tanaka --role staff
expect_exit 2 "bad name" -- "$MAMORI" user add 'Tanaka San' --role staff
expect_exit 2 "no role" -- "$MAMORI" user add y
expect_exit 2 "password without stdin flag, not a tty" -- "$MAMORI" user passwd tanaka </dev/null
expect_exit 0 "passwd" -- "$MAMORI" user passwd tanaka --password-stdin <<<'新しいパスワード'
expect_exit 0 "mfa enroll" -- "$MAMORI" user mfa enroll tanaka
expect_grep "$TMP/out" '^otpauth://totp/mamori:tanaka?secret=[A-Z2-7]\{32\}&issuer=mamori' "otpauth URI"
secret=$(sed -n 's/.*secret=\([A-Z2-7]*\).*/\1/p' "$TMP/out")
expect_exit 0 "list" -- "$MAMORI" user list
expect_grep "$TMP/out" 'tanaka .*password totp  *active' "list shows tanaka"
expect_grep "$TMP/out" 'kansa .*情報セキュリティ監査統括責任者 .*- .*-' "list shows the auditor"
expect_grep "$TMP/out" 'tanaka .*職員等 .*税務課' "list shows titles, not ids"
expect_exit 0 "list --json" -- "$MAMORI" user list --json
/usr/bin/python3 - "$TMP/out" <<'PY' && ok || not_ok "list --json: an array of accounts with ids"
import json, sys
users = {u["name"]: u for u in json.load(open(sys.argv[1]))}
t, k = users["tanaka"], users["kansa"]
assert t["role"] == "staff" and t["department"] == "zeimu" and t["totp"] and t["password"], t
assert k["role"] == "auditor" and k["department"] is None and not k["password"], k
assert not t["disabled"] and t["created"].endswith("Z"), t
PY
expect_exit 0 "disable" -- "$MAMORI" user disable tanaka
expect_exit 0 "mfa reset" -- "$MAMORI" user mfa reset tanaka
expect_exit 1 "disable unknown" -- "$MAMORI" user disable nobody
"$MAMORI" log show --json >"$TMP/log"
grep -q "$secret" "$TMP/log" && not_ok "TOTP secret in the audit trail" || ok
grep -q 'パスワード\|argon2' "$TMP/log" && not_ok "password in the audit trail" || ok
grep -c '"action":"user\.' "$TMP/log" | grep -qx 6 && ok || not_ok "six user events"
expect_exit 0 "trail verifies" -- "$MAMORI" log verify
finish
