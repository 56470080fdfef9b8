#!/usr/bin/env bash
# The risk register (docs/review.md): a risk per threat × asset group rated on the
# policy's scales (review.risk: 1–5, a rating off the scale refused), treated
# (低減 with measures and owner, then its residual rating), a finding and an
# incident linked to it, a 受容 above review.risk.accept flagged, and the heat map
# counting inherent and residual ratings.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/m.db" MAMORI_ACTOR="cli:operator" LANG=C.UTF-8
expect_exit 0 "init" -- "$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml"
expect_exit 0 "user chief" -- "$MAMORI" user add chief --role chief-officer --department johoseisaku
expect_exit 0 "user zkanri" -- "$MAMORI" user add zkanri --role security-manager --department zeimu
expect_exit 0 "user kanri" -- "$MAMORI" user add kanri --role security-manager --department soumu
expect_exit 0 "user tanaka" -- "$MAMORI" user add tanaka --role staff --department zeimu

expect_exit 1 "off the scale" -- "$MAMORI" record new risk --by chief --set threat=intentional \
	--set description=x --set likelihood=6 --set impact=3
expect_grep "$TMP/err" "likelihood: 6 is not a step of the scale (1 to 5, review.risk)" "scale checked"
expect_exit 0 "a risk" -- "$MAMORI" record new risk --by chief --set threat=intentional --set asset_kind=情報 \
	--set department=税務課 --set segment=mynumber --set description="課税台帳への不正アクセス" \
	--set likelihood=4 --set impact=5
expect_exit 0 "another" -- "$MAMORI" record new risk --by chief --set threat=disaster --set asset_kind=equipment \
	--set description="庁舎の浸水によるサーバ停止" --set likelihood=2 --set impact=2
expect_exit 0 "an incident" -- "$MAMORI" incident report --by tanaka --set summary="不審なログイン" --set threat=intentional
expect_exit 0 "a finding linked to the risk" -- "$MAMORI" record new finding --by chief --set department=zeimu \
	--set severity=high --set description="アクセスログを確認していない" --set risk=R-000001 --set incident=INC-000001
expect_exit 1 "treating needs treatment and owner" -- "$MAMORI" record move R-000001 treating --by zkanri
expect_exit 1 "another 課 may not treat" -- "$MAMORI" record move R-000001 treating --by kanri --set treatment=reduce --set owner=kanri
expect_exit 0 "treat: 低減" -- "$MAMORI" record move R-000001 treating --by zkanri --set treatment=低減 \
	--set owner=zkanri --set measures="多要素認証とログの定期確認" --set related="F-000001、INC-000001"
expect_exit 1 "treated needs the residual rating" -- "$MAMORI" record move R-000001 treated --by zkanri
expect_exit 1 "residual off the scale" -- "$MAMORI" record move R-000001 treated --by zkanri \
	--set residual_likelihood=0 --set residual_impact=5
expect_exit 0 "treated" -- "$MAMORI" record move R-000001 treated --by zkanri \
	--set residual_likelihood=2 --set residual_impact=4
expect_exit 0 "accept the other" -- "$MAMORI" record move R-000002 treating --by chief --set treatment=accept --set owner=chief
expect_exit 0 "matrix" -- "$MAMORI" check risks --json
/usr/bin/python3 - "$TMP/out" <<'PY' && ok || not_ok "the heat map: scales, cells, inherent and residual"
import json, sys
m = json.load(open(sys.argv[1]))
assert [s["title"] for s in m["likelihood"]] == ["ほとんどない", "低い", "中程度", "高い", "非常に高い"], m["likelihood"]
assert len(m["impact"]) == 5 and m["accept"] == 4 and len(m["cells"]) == 25
cell = {(c["likelihood"], c["impact"]): c for c in m["cells"]}
assert cell[(4, 5)]["inherent"] == 1 and cell[(4, 5)]["score"] == 20
assert cell[(2, 4)]["residual"] == 1 and cell[(2, 2)]["inherent"] == 1
assert sum(c["inherent"] for c in m["cells"]) == 2 and sum(c["residual"] for c in m["cells"]) == 1
r = {x["id"]: x for x in m["risks"]}
a = r["R-000001"]
assert (a["inherent"], a["residual"], a["treatment"], a["owner"], a["state"]) == (20, 8, "reduce", "zkanri", "treated"), a
assert a["threat_title"].startswith("不正アクセス") and a["related"] == "F-000001、INC-000001" and a["department"] == "zeimu", a
assert a["over_accept"] is False and r["R-000002"]["over_accept"] is False, r   # 2×2 = 4 may be accepted
PY
expect_exit 0 "accept above the limit" -- "$MAMORI" record new risk --by chief --set threat=infrastructure \
	--set description="停電" --set likelihood=3 --set impact=3 --set treatment=accept
expect_exit 0 "matrix text" -- "$MAMORI" check risks
expect_grep "$TMP/out" "^R-000003	特定	infrastructure	9	accepted above review.risk.accept$" "受容 above accept flagged"
expect_grep "$TMP/out" "^4	0/0	0/0	0/0	0/0	1/0$" "the row of likelihood 4"
expect_exit 0 "the finding names the risk" -- "$MAMORI" record show F-000001 --json
/usr/bin/python3 -c 'import json,sys; f=json.load(open(sys.argv[1]))["fields"]; assert f["risk"]=="R-000001" and f["incident"]=="INC-000001", f' "$TMP/out" \
	&& ok || not_ok "finding → risk and incident"
finish
