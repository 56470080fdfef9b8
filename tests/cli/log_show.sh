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
[ "$(count --since "${yesterday}T15:00:00Z")" -ge 0 ] && ok || not_ok "RFC 3339"
expect_exit 0 "--json keeps UTC" -- "$MAMORI" log show --json
expect_grep "$TMP/out" '"time":"20[0-9T:.-]*Z"' "--json: UTC"
expect_exit 2 "--since yesterday (a word)" -- "$MAMORI" log show --since yesterday
expect_grep "$TMP/err" "--since 'yesterday' is an event number or a time: 2025-04-01" "says what it reads"
expect_exit 2 "--until 2026-02-30" -- "$MAMORI" log show --until 2026-02-30
finish
