#!/usr/bin/env bash
# The server answers in the language each request asks for (Accept-Language:
# ja or en, q-values honoured), whatever its own LANG or LANGUAGE: a failed
# login, an invalid asset, policy replacements with diagnostics (an invalid
# file, conflicts with the register), an import with problems, a request
# without a session — in English and in Japanese, with Content-Language; two
# clients at once asking for different languages get each their own (the
# language is the request's thread's, not the process's); without a Japanese
# locale the server says so once and answers in its own language.
. "$(dirname "$0")/lib.sh"

# Japanese needs the LC_MESSAGES locale ja_JP.UTF-8 or C.UTF-8 (src/server/lang.h)
if ! locale -a 2>/dev/null | grep -qix 'ja_JP.utf8\|C.utf8'; then
	echo "neither ja_JP.UTF-8 nor C.UTF-8 is installed (bash scripts/install-deps.sh generates ja_JP.UTF-8)"
	[ "${CI:-}" = true ] && exit 1
	exit 77
fi

export MAMORI_DB="$TMP/l.db" MAMORI_ACTOR=test:admin
"$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml" >/dev/null && ok || not_ok "init"
"$MAMORI" asset import "$SRCDIR/examples/assets.csv" >/dev/null && ok || not_ok "import"
"$MAMORI" user add admin --role chief-officer --department johoseisaku --password-stdin <<<"pw-admin" >/dev/null ||
	not_ok "user admin"
sed 's/id: zeimu, title: 税務課/id: zeisei, title: 税政課/' "$SRCDIR/policies/mic-standard.yaml" >"$TMP/conflict.yaml"
printf 'mamori-policy: 1\nid: x\n' >"$TMP/invalid.yaml"
printf '資産名,種別,所管課,機密性,完全性,可用性\n住民票,information,shimin,9,2,2\n' >"$TMP/bad.csv"
printf '{"name":"x","kind":"information","department":"税務課","confidentiality":9,"integrity":1,"availability":1}' \
	>"$TMP/asset.json"

pid=
# serve ENV…: starts a server on a free port with ENV added; sets B and pid
serve() {
	local port
	port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	env "$@" "$MAMORI" serve --listen "127.0.0.1:$port" --web "$SRCDIR/web" >"$TMP/serve.out" 2>"$TMP/serve.err" &
	pid=$!
	B="http://127.0.0.1:$port"
	for _ in $(seq 100); do curl -s -o /dev/null "$B/api/health" && break; sleep 0.1; done
}
stop() { kill -TERM "$pid"; wait "$pid" && ok || not_ok "server stops cleanly ($*)"; }
login() {
	curl -s -c "$TMP/jar" -d '{"username":"admin","password":"pw-admin"}' "$B/api/login" >"$TMP/login.json"
	csrf=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf"])' "$TMP/login.json")
}
# ask KIND ACCEPT-LANGUAGE OUT: one request of KIND, headers and body into OUT
ask() {
	local h=(-s -D "$3.h" -o "$3" -b "$TMP/jar" -H "X-CSRF-Token: $csrf")
	[ -n "$2" ] && h+=(-H "Accept-Language: $2")
	case $1 in
	login) curl "${h[@]}" -d '{"username":"nobody","password":"wrong"}' "$B/api/login" ;;
	asset) curl "${h[@]}" -H 'Content-Type: application/json' --data-binary @"$TMP/asset.json" "$B/api/assets" ;;
	policy) curl "${h[@]}" -X PUT --data-binary @"$TMP/conflict.yaml" "$B/api/policy" ;;
	invalid) curl "${h[@]}" -X PUT --data-binary @"$TMP/invalid.yaml" "$B/api/policy" ;;
	session) curl -s -D "$3.h" -o "$3" ${2:+-H "Accept-Language: $2"} "$B/api/assets" ;;
	import) curl "${h[@]}" --data-binary @"$TMP/bad.csv" "$B/api/assets/import?dry_run=1" ;;
	esac
}
# what each answer says, in English and in Japanese
declare -A en=([login]='"message":"login failed (after' [asset]='is not valid under policy mic-standard'
	[policy]="unknown department 'zeimu'" [import]='row 2, column 機密性: level'
	[invalid]="\"line\":1,\"column\":1,\"message\":\"policy: missing required key 'title'\""
	[session]='"message":"log in first (POST /api/login)"')
declare -A ja=([login]='"message":"ログインできませんでした' [asset]='のもとで正しくありません'
	[policy]="課 'zeimu' はありません" [import]='2 行目, 機密性 列: 機密性 のレベル'
	[invalid]="\"line\":1,\"column\":1,\"message\":\"policy: 必須のキー 'title' がありません\""
	[session]='"message":"先にログインしてください（POST /api/login）"')
# expect KIND LANG OUT WHAT: OUT says en[KIND] or ja[KIND], and Content-Language LANG
expect() {
	local want other
	if [ "$2" = en ]; then want=${en[$1]} other=${ja[$1]}; else want=${ja[$1]} other=${en[$1]}; fi
	if grep -qF -- "$want" "$3" && ! grep -qF -- "$other" "$3" &&
		grep -qi "^Content-Language: $2"$'\r'"\?$" "$3.h"; then ok; else
		not_ok "$4: $1 not in $2"
		sed 's/^/  | /' "$3.h" "$3" | head -12 >&2
	fi
}

# a server whose own language is English (LANG=C.UTF-8): each request its own
serve
login
for al in 'en:en' 'ja:ja' 'en-US,en;q=0.9:en' 'ja;q=0.1, en;q=0.9:en' 'ja-JP,ja;q=0.9,en;q=0.8:ja' \
	'fr, ja;q=0.5:ja' 'en;q=0, ja:ja' 'fr:en' 'ja;q=0:en' '*:en' ':en' 'JA:ja' 'en;q=1.0, ja;q=1:en' \
	'en;q=2, ja:ja' 'da, en-gb;q=0.8, ja;q=0.7:en'; do
	h=${al%:*} want=${al##*:}
	for kind in asset policy invalid import session; do
		ask "$kind" "$h" "$TMP/a"
		expect "$kind" "$want" "$TMP/a" "Accept-Language '$h'"
	done
done
# a failed login (four only: the address may fail eight times before it waits)
for al in 'en:en' 'ja:ja' 'en-US,en;q=0.9:en' 'ja;q=0.1, en;q=0.9:en'; do
	ask login "${al%:*}" "$TMP/a"
	expect login "${al##*:}" "$TMP/a" "Accept-Language '${al%:*}'"
done

# two clients at once, each alternating ja and en in opposite order: every
# answer in the language of its own request, never the other's
mkdir "$TMP/c"
loop() {
	local i kind l
	for i in $(seq 8); do
		for kind in asset policy invalid import; do
			if [ $(((i + $1) % 2)) -eq 0 ]; then l=ja; else l=en; fi
			ask "$kind" "$l" "$TMP/c/$1-$i-$kind-$l"
		done
	done
}
loop 0 & l0=$!
loop 1 & l1=$!
wait "$l0" "$l1"
n=0
for f in "$TMP"/c/*-??; do
	b=${f##*/} l=${b##*-} k=${b%-*}
	expect "${k##*-}" "$l" "$f" "concurrent $b"
	n=$((n + 1))
done
[ "$n" -eq 64 ] && ok || not_ok "64 concurrent answers, not $n"
stop "LANG=C.UTF-8"

# a server whose own language is Japanese answers Japanese when not asked
# otherwise; an operator's LANGUAGE chooses the server's language but does not
# override a request's
serve LANG=ja_JP.UTF-8 LANGUAGE=
login
for al in ':ja' 'fr:ja' 'en:en' 'ja:ja'; do
	ask asset "${al%:*}" "$TMP/a"
	expect asset "${al##*:}" "$TMP/a" "LANG=ja_JP.UTF-8, Accept-Language '${al%:*}'"
done
stop "LANG=ja_JP.UTF-8"
serve LANG=C.UTF-8 LANGUAGE=en
login
for al in ':en' 'ja:ja' 'en:en'; do
	ask import "${al%:*}" "$TMP/a"
	expect import "${al##*:}" "$TMP/a" "LANGUAGE=en, Accept-Language '${al%:*}'"
done
stop "LANGUAGE=en"
serve LANG=ja_JP.UTF-8 LANGUAGE=ja
login
ask import en "$TMP/a"
expect import en "$TMP/a" "LANGUAGE=ja, Accept-Language 'en'"
stop "LANGUAGE=ja"

# without ja_JP.UTF-8 (LOCPATH: a locale directory holding only C.UTF-8) Japanese still works
mkdir "$TMP/loc"
cutf8=$(ls -d /usr/lib/locale/C.utf8 /usr/lib/locale/C.UTF-8 2>/dev/null | head -1)
if [ -n "$cutf8" ]; then
	ln -s "$cutf8" "$TMP/loc/C.utf8"
	# glibc keeps a copy of LOCPATH for each locale it loads and never frees it (not ours)
	printf 'leak:__argz_add_sep\n' >"$TMP/lsan.supp"
	serve LOCPATH="$TMP/loc" LSAN_OPTIONS="suppressions=$TMP/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
	login
	ask policy ja "$TMP/a"
	expect policy ja "$TMP/a" "C.UTF-8 only"
	stop "C.UTF-8 only"
	! grep -q 'no ja_JP' "$TMP/serve.err" && ok || not_ok "no warning when C.UTF-8 serves"
fi
# (glibc finds C.UTF-8 whatever LOCPATH says, so a server with no Japanese
# locale at all is tested in tests/unit/test_lang.c)
finish
