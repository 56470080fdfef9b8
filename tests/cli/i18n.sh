#!/usr/bin/env bash
# Messages in Japanese and English: the CLI follows LANG (Japanese under
# ja_JP.UTF-8 whether or not that locale is generated here, English under C),
# and po/ja.po translates every message the sources mark — a message present in
# one language only fails here.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/i.db" MAMORI_ACTOR=test:admin
"$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml" >/dev/null && ok || not_ok "init"

LANG=C LC_ALL= expect_exit 1 "English: unknown user" -- "$MAMORI" user disable nobody
expect_grep "$TMP/err" "no user nobody" "English message under LANG=C"
LANG=ja_JP.UTF-8 LC_ALL= expect_exit 1 "Japanese: unknown user" -- "$MAMORI" user disable nobody
expect_grep "$TMP/err" "利用者 nobody は登録されていません" "Japanese message under LANG=ja_JP.UTF-8"
LANG=C LC_ALL=ja_JP.UTF-8 expect_exit 2 "LC_ALL before LANG" -- "$MAMORI" nothing
expect_grep "$TMP/err" "コマンド 'nothing' はありません" "LC_ALL=ja_JP.UTF-8 wins over LANG=C"
LANG=ja_JP.UTF-8 LC_ALL= expect_exit 0 "Japanese usage" -- "$MAMORI" --help
expect_grep "$TMP/out" "情報資産管理台帳" "the command list in Japanese"

# counts agree in number, in both languages; import problems speak Japanese too
printf '資産名,種別,所管課,機密性,完全性,可用性\n住民票,information,shimin,3,2,2\n' >"$TMP/one.csv"
LANG=C LC_ALL= expect_exit 0 "one asset" -- "$MAMORI" asset import --dry-run "$TMP/one.csv"
expect_grep "$TMP/out" "one.csv: 1 asset would be imported" "English singular"
LANG=ja_JP.UTF-8 LC_ALL= expect_exit 0 "一件" -- "$MAMORI" asset import "$TMP/one.csv"
expect_grep "$TMP/out" "one.csv: 1件を取り込みました" "Japanese count"
printf 'タイトル\n資産名,種別,所管課,機密性,完全性,可用性,備考\n' >"$TMP/t.csv"
LANG=ja_JP.UTF-8 LC_ALL= expect_exit 0 "title row" -- "$MAMORI" asset import --dry-run "$TMP/t.csv"
expect_grep "$TMP/err" "見出し行は 2 行目です" "an import warning in Japanese"

# every source file is in po/POTFILES (a file left out loses its messages' translations)
(cd "$SRCDIR" && find src -name '*.c' | sort) >"$TMP/sources"
sort "$SRCDIR/po/POTFILES" | comm -23 "$TMP/sources" - >"$TMP/missing"
[ ! -s "$TMP/missing" ] && ok || not_ok "po/POTFILES lacks: $(tr '\n' ' ' <"$TMP/missing")"
# every message the sources mark is in po/ja.po and translated there
if command -v xgettext >/dev/null && command -v msgcmp >/dev/null; then
	(cd "$SRCDIR" && xgettext --keyword=_ --keyword=N_ --keyword=P_:1,2 --keyword=mamori_error_set:3 \
		--keyword=cli_usage_error:1 --keyword=mamori_diags_add:6 --keyword=http_error:5 \
		--keyword=server_error_diags:4 --keyword=server_forbid:3 \
		--keyword=check_report:4 --keyword=ym_error:3 --from-code=UTF-8 -f po/POTFILES -o "$TMP/now.pot") && ok || not_ok "xgettext"
	msgcmp "$SRCDIR/po/ja.po" "$TMP/now.pot" 2>"$TMP/cmp" && ok || { not_ok "messages missing from po/ja.po (run: ninja -C build mamori-update-po)"; head -20 "$TMP/cmp" >&2; }
	msgfmt --check --statistics -o /dev/null "$SRCDIR/po/ja.po" 2>"$TMP/stat" && ok || not_ok "msgfmt --check"
	grep -q 'untranslated\|fuzzy' "$TMP/stat" && { not_ok "po/ja.po: $(cat "$TMP/stat")"; } || ok
else
	not_ok "xgettext/msgcmp missing (install gettext)"
fi
finish
