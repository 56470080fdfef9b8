#!/usr/bin/env bash
# `mamori backup` and `mamori restore` (docs/service.md, "Backup and restore"):
# a backup taken while writers go on holds every change acknowledged before it
# began, its records' files and quarantine; the restore refuses to overwrite,
# refuses an archive changed by one byte, an entry added or removed, and a
# trail that does not extend a saved signed head; the restored store's
# `log verify` passes; --auto keeps the newest backup.keep archives.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/m.db" MAMORI_ACTOR="cli:operator" MAMORI_CONFIG=/dev/null
expect_exit 0 "init" -- "$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml"
expect_exit 0 "user tanaka" -- "$MAMORI" user add tanaka --role staff --department soumu
expect_exit 0 "report" -- "$MAMORI" incident report --by tanaka --set summary="USBメモリを紛失した"
id=$(cat "$TMP/out")
head -c 100000 /dev/urandom >"$TMP/photo.png"
expect_exit 0 "attach" -- "$MAMORI" record attach "$id" "$TMP/photo.png" --by tanaka
mkdir -p "$TMP/q/ab" && printf 'original mail\n' >"$TMP/q/ab/original.eml"
expect_exit 0 "a head saved before" -- "$MAMORI" log head --out "$TMP/head-before.txt"

# the load: two writers adding assets without pause, each acknowledged id noted
writer() {
	while [ ! -e "$TMP/stop" ]; do
		"$MAMORI" asset add --name "load$1" --kind information --department soumu \
			--c 1 --i 1 --a 1 >>"$TMP/acked.$1" 2>>"$TMP/writer.err" || break
	done
}
writer 1 & w1=$!
writer 2 & w2=$!
# until each writer has had changes acknowledged (slow under a sanitizer)
for _ in $(seq 600); do
	[ "$(cat "$TMP/acked.1" 2>/dev/null | wc -l)" -ge 2 ] && [ "$(cat "$TMP/acked.2" 2>/dev/null | wc -l)" -ge 2 ] && break
	sleep 0.1
done
cat "$TMP"/acked.* >"$TMP/acked-before" 2>/dev/null
expect_exit 0 "backup while writers write" -- "$MAMORI" backup --out "$TMP/b.tar" --quarantine "$TMP/q"
cp "$TMP/out" "$TMP/backup.out"
# and the writers go on after it
n=$(cat "$TMP"/acked.* | wc -l)
for _ in $(seq 600); do [ "$(cat "$TMP"/acked.* | wc -l)" -gt "$((n + 1))" ] && break; sleep 0.1; done
touch "$TMP/stop"
wait $w1 $w2
[ -s "$TMP/acked-before" ] && ok || not_ok "the writers wrote before the backup"
[ ! -s "$TMP/writer.err" ] && ok || { not_ok "a writer failed"; head "$TMP/writer.err" >&2; }
expect_grep "$TMP/backup.out" "manifest SHA-256 [0-9a-f]\{64\}" "backup prints the manifest's hash"
[ "$(stat -c %a "$TMP/b.tar")" = 600 ] && ok || not_ok "the archive is private"
expect_exit 1 "never overwrites a backup" -- "$MAMORI" backup --out "$TMP/b.tar"
tar tf "$TMP/b.tar" >"$TMP/list"
expect_grep "$TMP/list" '^store.db$' "archive: the store"
expect_grep "$TMP/list" '^store.db.pub$' "archive: the public key"
expect_grep "$TMP/list" '^store.db.files/' "archive: the records' files"
expect_grep "$TMP/list" '^quarantine/ab/original.eml$' "archive: the quarantine"
expect_grep "$TMP/list" '^MANIFEST$' "archive: the manifest"
grep -q 'key$' "$TMP/list" && not_ok "a private key in the archive" || ok

# restore: verified, complete, and nothing acknowledged before the backup lost
expect_exit 0 "restore" -- "$MAMORI" restore "$TMP/b.tar" --db "$TMP/r/r.db" --head "$TMP/head-before.txt" \
	--quarantine "$TMP/r/q"
expect_grep "$TMP/out" "verified: ok" "restore says the trail verified"
expect_exit 0 "the restored trail verifies" -- "$MAMORI" log verify --db "$TMP/r/r.db" --head "$TMP/head-before.txt"
expect_exit 0 "list restored" -- "$MAMORI" asset list --db "$TMP/r/r.db" --json
lost=0
while read -r a; do grep -q "\"$a\"" "$TMP/out" || lost=$((lost + 1)); done <"$TMP/acked-before"
[ "$lost" -eq 0 ] && ok || not_ok "$lost acknowledged assets lost"
[ "$(stat -c %a "$TMP/r/r.db")" = 600 ] && ok || not_ok "the restored store is private"
cmp -s "$TMP/q/ab/original.eml" "$TMP/r/q/ab/original.eml" && ok || not_ok "the quarantine restored"
expect_exit 0 "the record's file reads back" -- "$MAMORI" record show "$id" --db "$TMP/r/r.db"
expect_exit 1 "restore never overwrites" -- "$MAMORI" restore "$TMP/b.tar" --db "$TMP/r/r.db"
expect_grep "$TMP/err" "never overwrites" "says why"
expect_exit 2 "restore needs --db" -- "$MAMORI" restore "$TMP/b.tar"

# a changed byte, an extra entry, a missing entry: refused, nothing left behind
python3 - "$TMP/b.tar" "$TMP/bad1.tar" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
# a byte of the first entry's content (the store), not of a header
b[512 + 100] ^= 1
open(sys.argv[2], "wb").write(b)
PY
expect_exit 1 "a changed byte" -- "$MAMORI" restore "$TMP/bad1.tar" --db "$TMP/x/x.db"
expect_grep "$TMP/err" "does not match its SHA-256" "names the entry"
(cd "$TMP" && mkdir -p ex && tar xf b.tar -C ex && printf 'x' >ex/extra &&
	{ grep -v MANIFEST list; echo extra; echo MANIFEST; } >list2 && tar cf bad2.tar -C ex -T list2)
expect_exit 1 "an extra entry" -- "$MAMORI" restore "$TMP/bad2.tar" --db "$TMP/x/x.db"
expect_grep "$TMP/err" "not in the manifest" "names the extra entry"
(cd "$TMP" && tar cf bad3.tar -C ex store.db MANIFEST)
expect_exit 1 "a missing entry" -- "$MAMORI" restore "$TMP/bad3.tar" --db "$TMP/x/x.db"
[ -z "$(ls -A "$TMP/x" 2>/dev/null)" ] && ok || not_ok "a refused restore leaves nothing: $(ls -A "$TMP/x")"

# a saved head the backup's trail does not extend (a head of a later, longer trail)
expect_exit 0 "a head after the backup" -- "$MAMORI" log head --out "$TMP/head-after.txt"
expect_exit 1 "a trail that does not extend the saved head" -- \
	"$MAMORI" restore "$TMP/b.tar" --db "$TMP/x/x.db" --head "$TMP/head-after.txt"
[ ! -e "$TMP/x/x.db" ] && ok || not_ok "nothing restored"

# sealed to a recipient: unreadable without the secret key, with the private keys inside
expect_exit 0 "keygen" -- "$MAMORI" backup keygen --out "$TMP/bk"
[ "$(stat -c %a "$TMP/bk")" = 600 ] && ok || not_ok "the secret key is private"
expect_exit 0 "a sealed backup" -- "$MAMORI" backup --out "$TMP/s.tar" --to "$TMP/bk.pub" --quarantine "$TMP/q"
expect_grep "$TMP/out" "sealed to" "says it is sealed"
tar tf "$TMP/s.tar" >/dev/null 2>&1 && not_ok "a sealed archive reads as tar" || ok
# the whole summary, not "USB": three bytes turn up by chance in a few hundred KB of ciphertext (1 run in 30)
grep -qa "USBメモリを紛失した" "$TMP/s.tar" && not_ok "the sealed archive holds clear text" || ok
grep -qa "USBメモリを紛失した" "$TMP/b.tar" && ok || not_ok "the plain archive does hold it (the check above can fail)"
expect_exit 2 "a sealed restore needs the key" -- "$MAMORI" restore "$TMP/s.tar" --db "$TMP/s/s.db"
expect_grep "$TMP/err" "--identity" "says which option"
expect_exit 0 "keygen, another" -- "$MAMORI" backup keygen --out "$TMP/other"
expect_exit 1 "the wrong key" -- "$MAMORI" restore "$TMP/s.tar" --db "$TMP/s/s.db" --identity "$TMP/other"
head -c -100 "$TMP/s.tar" >"$TMP/cut.tar"
expect_exit 1 "a sealed archive cut short" -- "$MAMORI" restore "$TMP/cut.tar" --db "$TMP/s/s.db" --identity "$TMP/bk"
python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[len(b)//2]^=1; open(sys.argv[2],"wb").write(b)' \
	"$TMP/s.tar" "$TMP/flip.tar"
expect_exit 1 "a sealed archive changed" -- "$MAMORI" restore "$TMP/flip.tar" --db "$TMP/s/s.db" --identity "$TMP/bk"
[ ! -e "$TMP/s/s.db" ] && ok || not_ok "nothing restored from a bad sealed archive"
expect_exit 0 "the sealed restore" -- "$MAMORI" restore "$TMP/s.tar" --db "$TMP/s/s.db" --identity "$TMP/bk" \
	--head "$TMP/head-before.txt"
grep -q "private keys are not" "$TMP/out" && not_ok "a sealed restore asks for the keys" || ok
cmp -s "$TMP/m.db.key" "$TMP/s/s.db.key" && ok || not_ok "the signing key restored"
[ "$(stat -c %a "$TMP/s/s.db.key")" = 600 ] && ok || not_ok "the restored key is private"
# the restored store signs heads that verify under its public key
expect_exit 0 "a change in the restored store" -- "$MAMORI" asset add --db "$TMP/s/s.db" --name 復元後 --kind information \
	--department soumu --c 1 --i 1 --a 1
expect_exit 0 "a head signed with the restored key" -- "$MAMORI" log head --db "$TMP/s/s.db"
expect_exit 0 "and it verifies" -- "$MAMORI" log verify --db "$TMP/s/s.db"

# --auto: into backup.dir, the newest backup.keep kept
printf 'backup.dir = %s\nbackup.keep = 2\n' "$TMP/auto" >"$TMP/auto.conf"
for i in 1 2 3; do
	MAMORI_CONFIG="$TMP/auto.conf" "$MAMORI" backup --auto >/dev/null 2>>"$TMP/auto.err" || not_ok "auto $i"
	sleep 1.1	# the names hold the second
done
[ "$(ls "$TMP/auto" | grep -c '^mamori-.*\.tar$')" -eq 2 ] && ok || not_ok "retention: $(ls "$TMP/auto")"
finish
