#!/usr/bin/env bash
# `log show`: times in the organisation's zone; --since / --until take an event
# number (since), a date in any form an office writes (a date as --until takes
# in the whole day), a local time or RFC 3339; anything else is refused.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/l.db"
"$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml" >/dev/null
"$MAMORI" asset add --name a --kind 情報 --department 総務課 --c 1 --i 1 --a 1 >/dev/null
"$MAMORI" asset add --name b --kind 情報 --department 総務課 --c 1 --i 1 --a 1 >/dev/null
today=$(TZ=Asia/Tokyo date +%Y-%m-%d)
yesterday=$(TZ=Asia/Tokyo date -d yesterday +%Y-%m-%d)
tomorrow=$(TZ=Asia/Tokyo date -d tomorrow +%Y-%m-%d)
count() { "$MAMORI" log show --json "$@" | wc -l; }

expect_exit 0 "log show" -- "$MAMORI" log show
expect_grep "$TMP/out" "^     1  $today [0-9:]* JST  " "times in Tokyo"
[ "$(count)" = 3 ] && ok || not_ok "three events"
[ "$(count --since 2)" = 2 ] && ok || not_ok "--since an event number"
[ "$(count --since "$today")" = 3 ] && ok || not_ok "--since today (a date in Tokyo)"
[ "$(count --since "$tomorrow")" = 0 ] && ok || not_ok "--since tomorrow"
[ "$(count --until "$today")" = 3 ] && ok || not_ok "--until today takes in the whole day"
[ "$(count --until "$yesterday")" = 0 ] && ok || not_ok "--until yesterday"
y=${today%%-*}; rest=${today#*-}; m=$((10#${rest%%-*})); d=$((10#${today##*-}))
[ "$(count --since "令和$((y - 2018))年${m}月${d}日")" = 3 ] && ok || not_ok "--since in 和暦"
[ "$(count --since "$today 00:00" --until "$today 23:59:59")" = 3 ] && ok || not_ok "local times"
[ "$(count --since "${today}T00:00:00+09:00")" = 3 ] && ok || not_ok "RFC 3339 with an offset"
[ "$(count --since "${tomorrow}T00:00:00+09:00")" = 0 ] && ok || not_ok "RFC 3339 after the events"
[ "$(count --until "${today}T00:00:00+09:00")" = 0 ] && ok || not_ok "RFC 3339 --until before the events"
[ "$(count --since "$(echo "$today 00:00" | sed 'y/0123456789: -/０１２３４５６７８９：　－/')")" = 3 ] &&
	ok || not_ok "a local time typed in full width"
expect_exit 0 "--json keeps UTC" -- "$MAMORI" log show --json
expect_grep "$TMP/out" '"time":"20[0-9T:.-]*Z"' "--json: UTC"
expect_exit 2 "--since yesterday (a word)" -- "$MAMORI" log show --since yesterday
expect_grep "$TMP/err" "--since 'yesterday' is an event number or a time: 2025-04-01" "says what it reads"
expect_exit 2 "--until 2026-02-30" -- "$MAMORI" log show --until 2026-02-30
expect_exit 2 "--since 2026-02-30 10:00 (no such day)" -- "$MAMORI" log show --since "2026-02-30 10:00"
expect_exit 2 "--until 2026-04-31T10:00:00Z (no such day)" -- "$MAMORI" log show --until 2026-04-31T10:00:00Z
expect_grep "$TMP/err" "--until '2026-04-31T10:00:00Z' is a time: 2025-04-01" "says what it reads"

# the zone is the store's policy's organisation.timezone, not Tokyo's
cp "$SRCDIR/policies/mic-standard.yaml" "$TMP/mic-standard.yaml"
cat >"$TMP/hst.yaml" <<'YAML'
mamori-policy: 1
id: hst-town
title: HST町情報セキュリティポリシー
version: test
extends: mic-standard
organisation:
  name: HST町
  timezone: Pacific/Honolulu
  clause: 基本方針 4(1)
  bodies: [{ id: internal, title: 内部部局, clause: 第1条 }]
YAML
export MAMORI_DB="$TMP/h.db"
"$MAMORI" init --policy "$TMP/hst.yaml" >/dev/null
"$MAMORI" asset add --name a --kind 情報 --department 総務課 --c 1 --i 1 --a 1 >/dev/null
hst_today=$(TZ=Pacific/Honolulu date +%Y-%m-%d)
hst_tomorrow=$(TZ=Pacific/Honolulu date -d tomorrow +%Y-%m-%d)
expect_exit 0 "log show in Honolulu" -- "$MAMORI" log show
expect_grep "$TMP/out" "^     1  $hst_today [0-9:]* HST  " "times in the policy's zone"
[ "$(count --since "$hst_today")" = 2 ] && ok || not_ok "--since a date in the policy's zone"
[ "$(count --since "$hst_tomorrow")" = 0 ] && ok || not_ok "--since the next day in the policy's zone"
[ "$(count --until "$hst_today")" = 2 ] && ok || not_ok "--until a date in the policy's zone"
expect_exit 2 "a bad bound names the zone" -- "$MAMORI" log show --since tomorrow
expect_grep "$TMP/err" "(in Pacific/Honolulu)" "the zone in the message"
finish
