#!/usr/bin/env bash
# The registers the decision point reads, over HTTP (docs/records.md,
# "Registers the decision point reads"): a terminal registered and approved
# through the API counts in the next POST /api/decide (no restart); a claim
# the register contradicts is a deny naming it; an unknown terminal or service
# is a 400 naming the field, in a batch that line's answer; a cloud service's
# level and an SNS account's are applied; the registers export as files.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/r.db" MAMORI_ACTOR=test:admin LANG=C.UTF-8
"$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml" >/dev/null && ok || not_ok "init"
"$MAMORI" asset import "$SRCDIR/examples/assets.csv" >/dev/null && ok || not_ok "assets"
for u in "tanaka staff soumu" "sys system-manager soumu" "cio chief-officer soumu"; do
	set -- $u
	"$MAMORI" user add "$1" --role "$2" --department "$3" --password-stdin <<<"pw-$1" >/dev/null
done
"$MAMORI" user token sys --scope gateway >"$TMP/gw" && ok || not_ok "a gateway token"

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
B="http://127.0.0.1:$port"
"$MAMORI" serve --listen "127.0.0.1:$port" >"$TMP/serve.out" 2>"$TMP/serve.err" &
pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "$B/api/health" && break; sleep 0.1; done

c() { local jar=$1; shift; curl -s -b "$TMP/$jar" -c "$TMP/$jar" -o "$TMP/body" -w '%{http_code}' "$@"; }
csrf() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf"])' "$TMP/body"; }
j() { /usr/bin/python3 -c "import json,sys; d=json.load(open('$TMP/body')); $1"; }
for u in tanaka sys cio; do
	c "$u" -X POST -d "{\"username\":\"$u\",\"password\":\"pw-$u\"}" "$B/api/login" >/dev/null
	eval "csrf_$u=\$(csrf)"
done
post() { local u=$1 path=$2 body=$3 t; eval "t=\$csrf_$u"; c "$u" -X POST -H "X-CSRF-Token: $t" -d "$body" "$B$path"; }
gw() { curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $(cat "$TMP/gw")" -d "$2" "$B$1"; }

# ---- a terminal through the API ----
on() { printf '{"subject":{"id":"tanaka","roles":["staff"],"department":"soumu","terminal":%s},"action":"read","resource":{"asset":"A-000008"}}' "$1"; }
[ "$(gw /api/decide "$(on '{"id":"PC-0001"}')")" = 400 ] && ok || not_ok "an unknown terminal: 400"
j 'assert d["error"]["field"] == "subject.terminal.id", d' && ok || not_ok "naming subject.terminal.id"
[ "$(post tanaka /api/records/terminal '{"fields":{"terminal_id":"PC-0001","kind":"PC","segment":"lgwan","issued":"支給端末","mfa":"no"}}')" = 201 ] &&
    ok || not_ok "register a terminal"
[ "$(post tanaka /api/records/terminal/TRM-000001/moves '{"to":"in-use"}')" = 403 ] && ok || not_ok "not by the requester"
[ "$(post sys /api/records/terminal/TRM-000001/moves '{"to":"in-use"}')" = 200 ] && ok || not_ok "approved by the 情報システム管理者"
[ "$(gw /api/decide "$(on '{"id":"PC-0001"}')")" = 200 ] && ok || not_ok "decide on it"
j 'assert d["decision"] == "allow", d' && ok || not_ok "known at once, judged on the register (issued, lgwan)"
[ "$(gw /api/decide "$(on '{"id":"PC-0001","issued":false,"segment":"internet"}')")" = 200 ] && ok || not_ok "decide with wrong claims"
j 'r = [x for x in d["reasons"] if x["id"] == "terminal-mismatch"]; assert d["decision"] == "deny" and "segment is lgwan in the register, not internet" in r[0]["text"] and "issued is true" in r[0]["text"], d' &&
    ok || not_ok "terminal-mismatch names both claims"
# a session asks for itself: its terminal is still the register's
[ "$(post tanaka /api/decide '{"subject":{"terminal":{"id":"PC-0001"}},"action":"read","resource":{"asset":"A-000008"}}')" = 200 ] &&
    j 'assert d["decision"] == "allow", d' && ok || not_ok "a session's own request on a registered terminal"
printf '%s\n%s\n' "$(on '{"id":"PC-0001"}')" "$(on '{"id":"PC-0404"}')" >"$TMP/batch"
[ "$(curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $(cat "$TMP/gw")" --data-binary @"$TMP/batch" "$B/api/decide/batch")" = 200 ] &&
    ok || not_ok "a batch"
sed -n 1p "$TMP/body" | grep -q '"decision":"allow"' && sed -n 2p "$TMP/body" | grep -q '"field":"subject.terminal.id"' && ok ||
    not_ok "the batch's unknown terminal is its line's error"
[ "$(post sys /api/records/terminal/TRM-000001/moves '{"to":"retired"}')" = 200 ] && ok || not_ok "retired"
[ "$(gw /api/decide "$(on '{"id":"PC-0001"}')")" = 400 ] && ok || not_ok "a retired terminal is no longer in the register"

# ---- a cloud service and an SNS account ----
[ "$(post tanaka /api/records/cloud-service '{"fields":{"name":"共有ストレージA","provider":"例","max_confidentiality":2,"segment":"lgwan","contract":"第1号"}}')" = 201 ] &&
    ok || not_ok "a cloud service"
[ "$(post cio /api/records/cloud-service/CS-000001/moves '{"to":"in-use"}')" = 200 ] && ok || not_ok "approved"
store='{"subject":{"id":"tanaka","roles":["staff"],"department":"soumu","terminal":{"segment":"lgwan","issued":true}},"action":"store","resource":{"asset":"A-000008"},"context":{"service":"共有ストレージA"}}'
[ "$(gw /api/decide "$store")" = 200 ] && j 'assert d["decision"] == "deny" and d["reasons"][-1]["id"] == "limit-exceeded" and d["reasons"][-1]["clause"] == "基本方針 6(8)", d' &&
    ok || not_ok "機密性3 is not stored in a service of level 2"
[ "$(gw /api/decide "${store/A-000008/A-000007}")" = 200 ] && j 'assert d["decision"] == "allow", d' && ok || not_ok "機密性2 is"
[ "$(gw /api/decide "${store/共有ストレージA/ストレージZ}")" = 400 ] && j 'assert d["error"]["field"] == "context.service", d' &&
    ok || not_ok "an unknown service: 400 naming context.service"
[ "$(post tanaka /api/records/sns-account '{"fields":{"service":"X","account":"@city","manager":"tanaka","max_confidentiality":1}}')" = 201 ] &&
    ok || not_ok "an SNS account"
[ "$(post cio /api/records/sns-account/SNS-000001/moves '{"to":"in-use"}')" = 200 ] && ok || not_ok "opened"
pub='{"subject":{"id":"tanaka","roles":["staff"],"department":"soumu"},"action":"publish","resource":{"asset":"A-000013"},"context":{"service":"@city"}}'
[ "$(gw /api/decide "$pub")" = 200 ] && j 'assert d["decision"] == "deny" and any(r["id"] == "limit-exceeded" for r in d["reasons"]), d' &&
    ok || not_ok "a classified asset is not published through the account"

# ---- the registers as files (an @ first is written with a ' before it, for Excel) ----
for k in terminal cloud-service sns-account; do
	[ "$(c cio "$B/api/records/$k?format=csv")" = 200 ] && ok || not_ok "export $k"
done
grep -q "^SNS-000001,運用中,tanaka,.*,X,\"'@city\",tanaka," "$TMP/body" && ok || { not_ok "the SNS account's row"; cat "$TMP/body" >&2; }
[ "$(c cio "$B/api/records/terminal?format=xlsx")" = 200 ] && head -c 2 "$TMP/body" | grep -q PK && ok || not_ok "xlsx"

kill "$pid"; wait "$pid" 2>/dev/null
"$MAMORI" log verify >/dev/null && ok || not_ok "the trail verifies"
finish
