#!/usr/bin/env bash
# GET /api/stats (the web UI's ホーム): counts by 課 × 機密性 that agree with
# the register, only the departments the role reads, assets without an owner
# (and GET /api/assets?owner=none listing them), the trail's size and newest head.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/s.db" MAMORI_ACTOR=test:admin
"$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml" >/dev/null && ok || not_ok "init"
"$MAMORI" asset import "$SRCDIR/examples/assets.csv" >/dev/null && ok || not_ok "import"
"$MAMORI" asset add --name 持ち主のない資料 --kind 情報 --department 税務課 --c 2 --i 1 --a 1 >/dev/null && ok || not_ok "asset without owner"
"$MAMORI" asset dispose A-000003 --method shred --by 山田 --witness 佐藤 >/dev/null && ok || not_ok "dispose"
"$MAMORI" log head >/dev/null && ok || not_ok "head"
"$MAMORI" user add boss --role ciso --password-stdin <<<'pw-boss' >/dev/null
"$MAMORI" user add tanaka --role staff --department 税務課 --password-stdin <<<'pw-tanaka' >/dev/null

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$MAMORI" serve --listen "127.0.0.1:$port" >"$TMP/serve.out" 2>"$TMP/serve.err" &
pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/api/health" && break; sleep 0.1; done
B="http://127.0.0.1:$port"
c() { local jar=$1; shift; curl -s -b "$TMP/$jar" -c "$TMP/$jar" "$@"; }
c b -X POST -d '{"username":"boss","password":"pw-boss"}' "$B/api/login" >/dev/null
c t -X POST -d '{"username":"tanaka","password":"pw-tanaka"}' "$B/api/login" >/dev/null
c b "$B/api/stats" >"$TMP/boss.json"
c t "$B/api/stats" >"$TMP/tanaka.json"
c b "$B/api/assets?limit=10000" >"$TMP/all.json"
c b "$B/api/assets?owner=none&status=active" >"$TMP/noowner.json"
[ "$(c b -o /dev/null -w '%{http_code}' "$B/api/assets?owner=someone")" = 400 ] && ok || not_ok "owner is none or absent"

/usr/bin/python3 - "$TMP" <<'PY' && ok || not_ok "stats agree with the register"
import json, sys, collections
d = sys.argv[1]
boss, tanaka = json.load(open(f"{d}/boss.json")), json.load(open(f"{d}/tanaka.json"))
assets = [a for a in json.load(open(f"{d}/all.json"))["assets"] if a["status"] == "active"]
want = collections.Counter((a["department"], a["confidentiality"]) for a in assets)
got = {(x["department"], lvl): n for x in boss["departments"] for lvl, n in x["levels"].items() if n}
assert got == dict(want), (got, want)
assert {x["department"]: x["title"] for x in boss["departments"]}["zeimu"] == "税務課"
assert boss["without_owner"] == sum(1 for a in assets if not a.get("role")) == 1, boss["without_owner"]
assert [x["department"] for x in tanaka["departments"]] == ["zeimu"], tanaka["departments"]
noowner = json.load(open(f"{d}/noowner.json"))
assert [a["name"] for a in noowner["assets"]] == ["持ち主のない資料"], noowner
assert sorted(x["level"] for x in boss["levels"]) == [1, 2, 3] and {x["level"]: x["title"] for x in boss["levels"]}[3] == "機密性3", boss["levels"]
assert boss["quarantine"] is None, boss
t = boss["trail"]
assert t["head"]["signature_ok"] is True and t["head"]["size"] <= t["events"] and t["events"] >= 23, t
assert t["head"]["events_since"] == t["events"] - t["head"]["size"]
PY

# the totals a reader keeps for a filter (asset_list.c) follow every change:
# one worker thread, so the same reader answers before and after
kill -TERM "$pid"; wait "$pid"
"$MAMORI" serve --listen "127.0.0.1:$port" --threads 1 >"$TMP/serve.out" 2>"$TMP/serve.err" &
pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/api/health" && break; sleep 0.1; done
c b -X POST -d '{"username":"boss","password":"pw-boss"}' "$B/api/login" >/dev/null
total() { c b "$B/api/assets?department=zeimu&c=%3E%3D2&status=active&limit=1${1:-}" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'; }
t0=$(total); [ "$(total)" = "$t0" ] && ok || not_ok "the same total twice"
"$MAMORI" asset add --name 増えた資料 --kind 情報 --department 税務課 --role security-manager --c 3 --i 1 --a 1 >/dev/null
[ "$(total)" = "$((t0 + 1))" ] && ok || not_ok "an asset added by another process counts at once ($t0 → $(total))"
first=$(c b "$B/api/assets?department=zeimu&c=%3E%3D2&status=active&limit=1" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["assets"][0]["id"])')
[ "$(total "&after=$first")" = "$((t0 + 1))" ] && ok || not_ok "a later page has the same total"
"$MAMORI" asset dispose "$first" --method shred --by 山田 --witness 佐藤 >/dev/null
[ "$(total)" = "$t0" ] && ok || not_ok "a disposed asset leaves the total at once"
kill -TERM "$pid"; wait "$pid"
finish
