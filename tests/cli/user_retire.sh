#!/usr/bin/env bash
# Accounts through 異動・退職 (docs/records.md, "異動・退職"): a move changes the
# 課 and role and lists what stays behind; a retirement disables the account,
# revokes its tokens and lists what it still holds — assets of its role in its
# 課, open records it reported or approved, records of any kind whose account
# field names it — so that they can be handed over; a personnel change list
# checked all or nothing, with a dry run; every change in the trail; the same
# over HTTP for an administrator of the account only.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/m.db" MAMORI_ACTOR="cli:operator" LANG=C.UTF-8
expect_exit 0 "init" -- "$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml"
expect_exit 0 "assets" -- "$MAMORI" asset import "$SRCDIR/examples/assets.csv"
for u in "tanaka staff soumu" "suzuki staff soumu" "kanri security-manager soumu" "kanri2 security-manager soumu" \
	"zkanri security-manager zeimu" "sys system-manager soumu" "vendor1 contractor soumu"; do
	set -- $u
	"$MAMORI" user add "$1" --role "$2" --department "$3" --password-stdin <<<"pw-$1" >/dev/null || not_ok "user $1"
done
json() { /usr/bin/python3 -c "import json,sys; d=json.load(open('$TMP/out')); $1"; }

# what kanri holds: 総務課's assets of the 管理者 role, an incident reported, a take-out approved, a medium held
expect_exit 0 "incident" -- "$MAMORI" incident report --by kanri --set summary=テスト
expect_exit 0 "take-out" -- "$MAMORI" record new take-out --by tanaka --set assets=A-000013 --set purpose=説明会
expect_exit 0 "approve" -- "$MAMORI" record move T-000001 approved --by kanri --set from=2026-12-01 --set until=2026-12-10
expect_exit 0 "a medium" -- "$MAMORI" record new media --by suzuki --set label=USB-9 --set media_type=usb \
	--set department=soumu --set holder=kanri --set highest_class=c2
expect_exit 0 "a contract naming vendor1" -- "$MAMORI" record new contractor --by kanri2 --set contractor=A社 \
	--set scope=保守 --set department=soumu --set accounts=vendor1
expect_exit 0 "a closed one" -- "$MAMORI" incident report --by kanri --set summary=取下げ
expect_exit 0 "withdrawn" -- "$MAMORI" record move INC-000002 withdrawn --by kanri
expect_exit 0 "holdings" -- "$MAMORI" user holdings kanri --json
/usr/bin/python3 - "$TMP/out" "$SRCDIR/examples/assets.csv" <<'PY' && ok || not_ok "holdings: assets, open records and why"
import csv, json, sys
d = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2], encoding="utf-8")))
mine = [r["資産番号"] for r in rows if r["所管課"] == "総務課" and r["管理責任者"] == "情報セキュリティ管理者"]
assert mine and [a["id"] for a in d["assets"]] == mine, (d["assets"], mine)
assert d["others"] == 1, d      # kanri2 holds the role in 総務課 too
recs = {r["id"]: r["as"] for r in d["records"]}
assert recs == {"INC-000001": ["reporter"], "T-000001": ["approver"], "MD-000001": ["holder"]}, recs
PY

# ---- move
expect_exit 2 "move without a department" -- "$MAMORI" user move tanaka
expect_exit 1 "move to an unknown 課" -- "$MAMORI" user move tanaka --department 宇宙課
expect_grep "$TMP/err" "unknown department" "names the problem"
expect_exit 1 "move an unknown account" -- "$MAMORI" user move nobody --department zeimu
expect_exit 0 "move" -- "$MAMORI" user move tanaka --department 税務課 --json
json 'assert d["user"] == "tanaka" and d["department"] == "soumu" and [r["id"] for r in d["records"]] == ["T-000001"], d' \
	&& ok || not_ok "what tanaka held in 総務課"
expect_exit 0 "move with a role" -- "$MAMORI" user move suzuki --department zeimu --role 情報システム担当者
expect_grep "$TMP/out" "MD-000001" "the moved person's open records listed"
expect_exit 0 "list" -- "$MAMORI" user list --json
json 'u={x["name"]: (x["department"], x["role"], x["disabled"]) for x in d}; assert u["tanaka"] == ("zeimu", "staff", False) and u["suzuki"] == ("zeimu", "system-staff", False), u' \
	&& ok || not_ok "moved: 課 and role"
expect_exit 0 "trail" -- "$MAMORI" log show --object suzuki --json
expect_grep "$TMP/out" '"user.move"' "user.move in the trail"
expect_grep "$TMP/out" '"system-staff"' "the new role in the event"

# ---- retire
token=$("$MAMORI" user token kanri --scope read) && ok || not_ok "a token"
expect_exit 2 "retire without a reason" -- "$MAMORI" user retire kanri
expect_exit 0 "retire" -- "$MAMORI" user retire kanri --reason "令和8年12月31日 退職" --json
/usr/bin/python3 - "$TMP/out" <<'PY' && ok || not_ok "retire --json lists what to hand over"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["user"] == "kanri" and d["disabled"] is True, d
assert [r["id"] for r in d["records"]] == ["INC-000001", "T-000001", "MD-000001"], d["records"]
assert d["assets"] and d["others"] == 1, d
PY
expect_exit 0 "list" -- "$MAMORI" user list --json
json 'assert {x["name"]: x["disabled"] for x in d}["kanri"], d' && ok || not_ok "retired: disabled"
expect_exit 0 "trail" -- "$MAMORI" log show --object kanri --json
/usr/bin/python3 - "$TMP/out" <<'PY' && ok || not_ok "user.disable with the token revoked, user.retire with the reason and holdings"
import json, sys
text = open(sys.argv[1]).read()
ev = json.loads(text) if text.lstrip().startswith("[") else [json.loads(l) for l in text.splitlines() if l.strip()]
def after(e): return (e.get("body") or e)["after"]
dis = [after(e) for e in ev if e["action"] == "user.disable"]
ret = [after(e) for e in ev if e["action"] == "user.retire"]
assert dis and dis[-1]["tokens_revoked"] == 1 and dis[-1]["reason"] == "令和8年12月31日 退職", dis
assert ret and ret[-1]["records"] == ["INC-000001", "T-000001", "MD-000001"] and ret[-1]["assets"], ret
PY
expect_exit 1 "a retired account does not report" -- "$MAMORI" incident report --by kanri --set summary=x
expect_exit 0 "text output" -- "$MAMORI" user holdings vendor1
expect_grep "$TMP/out" "K-000001" "a contract's account field is a holding"

# ---- a personnel change list
printf '令和9年4月1日付 人事異動\n利用者,区分,課,役割,理由\nsys,異動,税務課,,\nvendor1,退職,,,契約終了\nnobody,異動,総務課,,\nzkanri,異動,宇宙課,,\nsuzuki,転勤,,,\n' >"$TMP/bad.csv"
expect_exit 1 "a list with problems" -- "$MAMORI" user changes "$TMP/bad.csv"
expect_grep "$TMP/err" "row 5, column 利用者: 'nobody' is not an account" "unknown account with its row"
expect_grep "$TMP/err" "row 6, column 課: '宇宙課'" "unknown 課 with its row"
expect_grep "$TMP/err" "row 7, column 区分: '転勤': write 異動 or 退職" "unknown change with its row"
expect_exit 0 "list" -- "$MAMORI" user list --json
json 'assert {x["name"]: x["department"] for x in d}["sys"] == "soumu", d' && ok || not_ok "all or nothing: nothing changed"
printf '利用者,区分,課,役割,理由\nsys,異動,税務課,,\nvendor1,退職,,,契約終了\n' | iconv -f UTF-8 -t CP932 >"$TMP/good.csv"
expect_exit 0 "dry run" -- "$MAMORI" user changes "$TMP/good.csv" --dry-run --json
json 'assert d["dry_run"] and [(c["user"], c["change"]) for c in d["changes"]] == [("sys", "move"), ("vendor1", "retire")] and d["changes"][1]["holdings"]["records"][0]["id"] == "K-000001", d' \
	&& ok || not_ok "dry run: the changes and the holdings"
expect_exit 0 "list" -- "$MAMORI" user list --json
json 'u={x["name"]: (x["department"], x["disabled"]) for x in d}; assert u["sys"] == ("soumu", False) and u["vendor1"] == ("soumu", False), u' \
	&& ok || not_ok "dry run changes nothing"
expect_exit 0 "apply" -- "$MAMORI" user changes "$TMP/good.csv"
expect_grep "$TMP/out" "2 changes made" "applied"
expect_exit 0 "list" -- "$MAMORI" user list --json
json 'u={x["name"]: (x["department"], x["disabled"]) for x in d}; assert u["sys"] == ("zeimu", False) and u["vendor1"][1], u' \
	&& ok || not_ok "moved and retired"

# ---- over HTTP
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
B="http://127.0.0.1:$port"
"$MAMORI" user add boss --role chief-officer --password-stdin <<<"pw-boss" >/dev/null
"$MAMORI" user add zk2 --role security-manager --department zeimu --password-stdin <<<"pw-zk2" >/dev/null
"$MAMORI" serve --listen "127.0.0.1:$port" >"$TMP/serve.out" 2>"$TMP/serve.err" &
pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "$B/api/health" && break; sleep 0.1; done
c() { local jar=$1; shift; curl -s -b "$TMP/$jar" -c "$TMP/$jar" -o "$TMP/out" -w '%{http_code}' "$@"; }
for u in boss zkanri tanaka; do
	c "$u" -X POST -d "{\"username\":\"$u\",\"password\":\"pw-$u\"}" "$B/api/login" >/dev/null
	eval "csrf_$u=\$(json 'print(d[\"csrf\"])')"
done
post() { local u=$1 path=$2 body=$3 t; eval "t=\$csrf_$u"; c "$u" -X POST -H "X-CSRF-Token: $t" -d "$body" "$B$path"; }
[ "$(post zkanri /api/users/suzuki/move '{"department":"soumu"}')" = 403 ] && ok || not_ok "zeimu's manager may not move someone to 総務課"
[ "$(post zkanri /api/users/suzuki/move '{"department":"宇宙課"}')" = 422 ] && ok || not_ok "unknown 課: 422"
[ "$(post zkanri /api/users/suzuki/move '{}')" = 400 ] && ok || not_ok "no department: 400"
[ "$(post boss /api/users/suzuki/move '{"department":"総務課","role":"staff"}')" = 200 ] && ok || not_ok "the 統括 moves suzuki"
json 'assert d["user"]["department"] == "soumu" and d["user"]["role"] == "staff" and [r["id"] for r in d["holdings"]["records"]] == ["MD-000001"], d' \
	&& ok || not_ok "the answer: the account now and what it held"
[ "$(c tanaka "$B/api/users/tanaka/holdings")" = 403 ] && ok || not_ok "a 職員 administers no account"
[ "$(c zkanri "$B/api/users/tanaka/holdings")" = 200 ] && ok || not_ok "tanaka's holdings to zeimu's manager"
[ "$(post zkanri /api/users/tanaka/retire '{"reason":""}')" = 400 ] && ok || not_ok "retire without reason: 400"
[ "$(post zkanri /api/users/tanaka/retire '{"reason":"退職"}')" = 200 ] && ok || not_ok "retire over HTTP"
json 'assert d["user"]["disabled"] and d["holdings"]["user"] == "tanaka", d' && ok || not_ok "retired, holdings"
[ "$(c tanaka "$B/api/me")" = 401 ] && ok || not_ok "the retired account's session ended"
kill -TERM "$pid"; wait "$pid"
expect_exit 0 "verify" -- "$MAMORI" log verify
finish
