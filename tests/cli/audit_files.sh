#!/usr/bin/env bash
# Files at rest: under umask 022 every file mamori writes for a store — the
# store, its -wal and -shm, the signing and secrets keys, published heads, a
# head written with --out, exports of the register — is its owner's alone (the
# public key and the published heads excepted, 0644 and 0640); a store that
# others may read is refused with the chmod to run; a TOTP secret is nowhere
# in the store's files in clear.
. "$(dirname "$0")/lib.sh"

umask 022
DB="$TMP/s/m.db"
mkdir "$TMP/s" "$TMP/heads"
export MAMORI_DB="$DB" MAMORI_ACTOR=test:admin MAMORI_HEADS_OUT="$TMP/heads"
"$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml" >/dev/null && ok || not_ok "init"
"$MAMORI" asset add --name 住民記録 --kind information --department soumu --c 3 --i 2 --a 2 >/dev/null || not_ok "asset add"
expect_exit 0 "user add" -- "$MAMORI" user add tanaka --role 職員等 --department 税務課 --password-stdin <<<'秘密のパスワード'
expect_exit 0 "mfa enroll" -- "$MAMORI" user mfa enroll tanaka
secret=$(sed -n 's/.*secret=\([A-Z2-7]*\).*/\1/p' "$TMP/out")
[ ${#secret} = 32 ] && ok || not_ok "the secret is shown once at enrolment"
expect_exit 0 "log head --out" -- "$MAMORI" log head --out "$TMP/s/head.txt"
expect_exit 0 "export csv" -- "$MAMORI" asset export --format csv --out "$TMP/s/register.csv"
expect_exit 0 "export xlsx" -- "$MAMORI" asset export --format xlsx --out "$TMP/s/register.xlsx"
# an export over an existing file that others could read takes the private mode too
printf 'old\n' >"$TMP/s/again.csv"; chmod 644 "$TMP/s/again.csv"
expect_exit 0 "export over an existing file" -- "$MAMORI" asset export --format csv --force --out "$TMP/s/again.csv"

# while a connection is open the -wal and -shm exist: hold one with a reader
/usr/bin/python3 - "$DB" "$TMP" <<'PY' && ok || not_ok "modes of the files mamori made"
import os, sqlite3, stat, sys
db, tmp = sys.argv[1], sys.argv[2]
c = sqlite3.connect(db)
c.execute("SELECT count(*) FROM audit_event").fetchone()
want = {".pub": 0o644, ".heads": 0o640}
bad = []
seen = 0
for root in (os.path.join(tmp, "s"), os.path.join(tmp, "heads")):
    for name in sorted(os.listdir(root)):
        path = os.path.join(root, name)
        mode = stat.S_IMODE(os.stat(path).st_mode)
        expect = next((m for suffix, m in want.items() if name.endswith(suffix)), 0o600)
        seen += 1
        if mode != expect:
            bad.append(f"{path}: {mode:04o}, expected {expect:04o}")
for side in ("-wal", "-shm"):
    if not os.path.exists(db + side):
        bad.append(f"{db}{side} missing while a connection is open")
c.close()
print(f"{seen} files checked", file=sys.stderr)
for b in bad:
    print("  " + b, file=sys.stderr)
sys.exit(1 if bad or seen < 10 else 0)
PY

# the TOTP secret is sealed: not in the store's files in clear, not in the trail
if grep -qa -- "$secret" "$DB" "$DB"-wal 2>/dev/null; then not_ok "the TOTP secret is in the store in clear"; else ok; fi
expect_exit 0 "log show" -- "$MAMORI" log show
if grep -q -- "$secret" "$TMP/out"; then not_ok "the TOTP secret is in the trail"; else ok; fi
/usr/bin/python3 -c 'import sqlite3,sys; v=sqlite3.connect(sys.argv[1]).execute("SELECT totp_secret FROM user WHERE name=?", ("tanaka",)).fetchone()[0]; sys.exit(0 if v.startswith("x1:") else 1)' "$DB" && ok || not_ok "the stored secret is sealed (x1:…)"

# a store that others may read is refused, with the command that fixes it
chmod 644 "$DB"
expect_exit 3 "world-readable store refused" -- "$MAMORI" asset list
expect_grep "$TMP/err" "chmod 600 $DB $DB-wal $DB-shm" "the chmod to run named"
chmod 660 "$DB"
expect_exit 3 "group-writable store refused" -- "$MAMORI" log verify
chmod 640 "$DB"
expect_exit 0 "a store its group may read is opened" -- "$MAMORI" log verify --heads "$TMP/heads"
chmod 600 "$DB"
# the secrets key is kept like the signing key
chmod 644 "$DB.totp-key"
expect_exit 0 "user list needs no secret" -- "$MAMORI" user list
expect_exit 3 "enrolment refused with a readable secrets key" -- "$MAMORI" user mfa enroll tanaka
expect_grep "$TMP/err" "chmod 600 $DB.totp-key" "secrets key fix named"
finish
