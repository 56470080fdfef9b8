#!/usr/bin/env bash
# GET /api/assets?sort=…: the register sorted by name, time of change, 課,
# 種別 and the levels, either way, with filters, paged by a keyset cursor
# (sort key + id, ties by id): every page read in turn gives exactly the list
# one page of all of it gives, in the expected order, for a role that reads
# everything and one whose list is its department's.  A page after an asset
# renamed since its page was read still starts where that page ended; a bad
# sort or cursor is a 400.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/s.db" MAMORI_ACTOR=test:admin
"$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml" >/dev/null && ok || not_ok "init"
"$MAMORI" asset import "$SRCDIR/examples/assets.csv" >/dev/null && ok || not_ok "import"
# 300 more: names repeat (ties broken by id), every 課, 種別 and level
/usr/bin/python3 - "$TMP/more.csv" <<'PY'
import sys
deps = ["総務課", "情報政策課", "市民課", "税務課", "福祉課", "教育総務課", "消防本部総務課"]
kinds = ["情報", "情報システム", "紙文書", "電磁的記録媒体"]
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("資産名,種別,所管課,機密性,完全性,可用性\n")
    for n in range(300):
        name = ["台帳", "Backup", "帳票", "ｶﾅ名簿", "名簿"][n % 5] + str(n % 17)
        f.write(f"{name},{kinds[n % 4]},{deps[(n * 5) % 7]},{n % 3 + 1},{(n // 3) % 2 + 1},{(n // 7) % 2 + 1}\n")
PY
"$MAMORI" asset import "$TMP/more.csv" >/dev/null && ok || not_ok "import more"
"$MAMORI" user add boss --role auditor --password-stdin <<<'pw-boss' >/dev/null
"$MAMORI" user add tanaka --role staff --department 税務課 --password-stdin <<<'pw-tanaka' >/dev/null

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$MAMORI" serve --listen "127.0.0.1:$port" --rate off >"$TMP/serve.out" 2>"$TMP/serve.err" &
pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/api/health" && break; sleep 0.1; done
B="http://127.0.0.1:$port"
c() { local jar=$1; shift; curl -s -b "$TMP/$jar" -c "$TMP/$jar" "$@"; }
c b -X POST -d '{"username":"boss","password":"pw-boss"}' "$B/api/login" >/dev/null
c t -X POST -d '{"username":"tanaka","password":"pw-tanaka"}' "$B/api/login" >/dev/null
c b "$B/api/policy" >"$TMP/policy.json"

# pages of 7 against one page of everything and against the order computed here
/usr/bin/python3 - "$TMP" "$B" <<'PY' && ok || not_ok "sorted pages"
import json, sys, urllib.parse, urllib.request
tmp, base = sys.argv[1], sys.argv[2]
pol = json.load(open(f"{tmp}/policy.json"))
deps = [d["id"] for d in pol["organisation"]["departments"]]
kinds = [k["id"] for k in pol["asset_kinds"]]
def cookie(jar):
    for line in open(f"{tmp}/{jar}"):
        f = line.rstrip("\n").split("\t")
        if len(f) == 7:
            return f"{f[5]}={f[6]}"
cookies = {jar: cookie(jar) for jar in ["b", "t"]}
def get(jar, query):
    req = urllib.request.Request(f"{base}/api/assets?{urllib.parse.urlencode(query)}", headers={"Cookie": cookies[jar]})
    with urllib.request.urlopen(req) as r:
        return json.load(r)
num = lambda a: int(a["id"][2:])
keys = {
    "id": lambda a: (num(a),),
    "name": lambda a: (a["name"], num(a)),
    "updated": lambda a: (a["updated"], num(a)),
    "department": lambda a: (deps.index(a["department"]), num(a)),
    "kind": lambda a: (kinds.index(a["kind"]), num(a)),
    "c": lambda a: (int(a["confidentiality"]), num(a)),
    "integrity": lambda a: (int(a["integrity"]), num(a)),
    "availability": lambda a: (int(a["availability"]), num(a)),
}
filters = [{}, {"department": "zeimu"}, {"c": ">=2"}, {"q": "名簿1"}, {"kind": "information", "a": "<3"},
           {"department": "税務課", "c": "2"}]
checked = 0
for jar in ["b", "t"]:
    for sort, key in keys.items():
        for desc in [False, True]:
            for flt in filters:
                s = ("-" if desc else "") + sort
                whole = get(jar, {**flt, "sort": s, "limit": 10000})
                want = sorted(whole["assets"], key=key, reverse=desc)
                assert [a["id"] for a in whole["assets"]] == [a["id"] for a in want], (jar, s, flt)
                assert jar == "b" or all(a["department"] == "zeimu" for a in want), (s, flt)
                got, after, pages = [], None, 0
                while True:
                    q = {**flt, "sort": s, "limit": 7, **({"after": after} if after else {})}
                    page = get(jar, q)
                    assert "assets" in page, (q, page)
                    assert page["total"] == whole["total"], (q, page["total"], whole["total"])
                    got += page["assets"]
                    pages += 1
                    after = page["next"]
                    if after is None:
                        break
                    assert sort == "id" or after.startswith(page["assets"][-1]["id"] + ":"), after
                    assert pages < 100
                assert [a["id"] for a in got] == [a["id"] for a in want], (jar, s, flt, len(got), len(want))
                checked += 1
# the examples' 20 and the 300 more, less those filtered out: something was read
assert checked == 2 * len(keys) * 2 * len(filters)
assert len(get("b", {"sort": "name", "limit": 10000})["assets"]) == 320
PY

# a cursor carries the key: a page after an asset renamed since still starts after it
next=$(c b "$B/api/assets?sort=name&limit=3" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["next"])')
id=${next%%:*}
c b "$B/api/assets?sort=name&limit=10000" | /usr/bin/python3 -c 'import json,sys; print(" ".join(a["id"] for a in json.load(sys.stdin)["assets"][3:6]))' >"$TMP/want"
"$MAMORI" asset edit "$id" --name "ﾝﾝﾝ（最後の名前）" >/dev/null && ok || not_ok "rename"
c b -G --data-urlencode "after=$next" "$B/api/assets?sort=name&limit=3" |
    /usr/bin/python3 -c 'import json,sys; print(" ".join(a["id"] for a in json.load(sys.stdin)["assets"]))' >"$TMP/got"
cmp -s "$TMP/want" "$TMP/got" && ok || not_ok "the page after a renamed asset: $(cat "$TMP/got"), expected $(cat "$TMP/want")"
# a bare id under a sort starts after that asset's present key
c b "$B/api/assets?sort=name&limit=1&after=$id" | grep -q '"assets":\[\]' && ok || not_ok "after the last name, nothing"

code() { c b -o "$TMP/body" -w '%{http_code}' "$B/api/assets?$1"; }
[ "$(code 'sort=price')" = 400 ] && grep -q '"field":"sort"' "$TMP/body" && ok || not_ok "an unknown sort is a 400 naming sort"
[ "$(code 'sort=department&after=A-000001:nosuch')" = 400 ] && grep -q '"field":"after"' "$TMP/body" && ok || not_ok "a cursor with an unknown 課 is a 400"
[ "$(code 'sort=name&after=A-999999:x')" = 400 ] && ok || not_ok "a cursor of no asset is a 400"
kill -TERM "$pid"; wait "$pid"
finish
