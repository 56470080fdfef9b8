#!/usr/bin/env bash
# GET /api/me's `can` (what the web UI offers) against what the API then does:
# for one account of every role of mic-standard, each member must be true
# exactly when the route behind it answers (and false exactly when it answers
# 403), and the role and department come with their Japanese titles.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/c.db" MAMORI_ACTOR=test:admin
"$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml" >/dev/null && ok || not_ok "init"
"$MAMORI" asset import "$SRCDIR/examples/assets.csv" >/dev/null && ok || not_ok "import"
roles="ciso chief-officer security-officer security-manager system-manager system-staff staff contractor auditor"
for r in $roles; do
	dept=zeimu
	case $r in ciso|auditor) dept= ;; esac
	"$MAMORI" user add "u-$r" --role "$r" ${dept:+--department $dept} --password-stdin <<<"pw-$r" || not_ok "user $r"
done

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$MAMORI" serve --listen "127.0.0.1:$port" >"$TMP/serve.out" 2>"$TMP/serve.err" &
pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/api/health" && break; sleep 0.1; done

/usr/bin/python3 - "$port" $roles >"$TMP/py.out" 2>&1 <<'PY' && ok || { not_ok "can agrees with the API"; cat "$TMP/py.out" >&2; }
import http.cookiejar, json, sys, urllib.request, urllib.error
port, roles = sys.argv[1], sys.argv[2:]
base = f"http://127.0.0.1:{port}"
bad = []

def client(name):
    jar = http.cookiejar.CookieJar()
    op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    def call(method, path, body=None, csrf=None, ctype="application/json"):
        data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(base + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", ctype)
        if csrf:
            req.add_header("X-CSRF-Token", csrf)
        try:
            with op.open(req) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()
    st, b = call("POST", "/api/login", {"username": name, "password": "pw-" + name[2:]})
    assert st == 200, (name, st, b)
    return call, json.loads(b)["csrf"]

csv = "資産番号,資産名,種別,所管課,機密性,完全性,可用性\nA-000900,x,情報,税務課,1,1,1\n".encode()
titles = {"ciso": "最高情報セキュリティ責任者", "security-manager": "情報セキュリティ管理者", "staff": "職員等"}
for r in roles:
    call, csrf = client("u-" + r)
    st, b = call("GET", "/api/me")
    me = json.loads(b)
    can = me.get("can", {})
    if r in titles and me["user"].get("role_title") != titles[r]:
        bad.append(f"{r}: role_title {me['user'].get('role_title')}")
    if r not in ("ciso", "auditor") and me["user"].get("department_title") != "税務課":
        bad.append(f"{r}: department_title {me['user'].get('department_title')}")
    # each member against the route it stands for (403 = refused; anything else = the role may)
    probes = {
        "assets_read": call("GET", "/api/assets?limit=1")[0] != 403 and json.loads(call("GET", "/api/assets?limit=1")[1]).get("total", 0) > 0,
        "assets_import": call("POST", "/api/assets/import?dry_run=1", csv, csrf, "text/csv")[0] != 403,
        "log_read": call("GET", "/api/log?limit=1")[0] != 403,
        "users_manage": call("GET", "/api/users")[0] != 403,
        "policy_manage": call("POST", "/api/policy/validate", b"x: 1", csrf, "application/yaml")[0] is not None and
                         call("PUT", "/api/policy", b"{", csrf, "application/json")[0] != 403,
        "decide": True,
    }
    for k, v in probes.items():
        if can.get(k) is not v:
            bad.append(f"{r}: can.{k} = {can.get(k)} but the API says {v}")
    # write and dispose: an asset of 税務課
    st, _ = call("PATCH", "/api/assets/A-000003", {"location": "x"}, csrf)
    if can.get("assets_write") is not (st != 403):
        bad.append(f"{r}: can.assets_write = {can.get('assets_write')} but PATCH answered {st}")
    st, _ = call("POST", "/api/assets/A-000004/dispose", {"method": "bogus", "by": "x", "date": "2026-12-05"}, csrf)
    if can.get("assets_dispose") is not (st != 403):
        bad.append(f"{r}: can.assets_dispose = {can.get('assets_dispose')} but dispose answered {st}")
    # the training screen offers reminders on policy_manage (the route's need)
    st, _ = call("POST", "/api/training/reminders", {}, csrf)
    if can.get("policy_manage") is not (st != 403):
        bad.append(f"{r}: can.policy_manage = {can.get('policy_manage')} but reminders answered {st}")
    # the 利用者 screen offers 異動・退職 on users_manage: the routes' need
    st, _ = call("GET", "/api/users/u-staff/holdings")
    if can.get("users_manage") is not (st != 403):
        bad.append(f"{r}: can.users_manage = {can.get('users_manage')} but holdings answered {st}")
print("\n".join(bad) or "ok")
sys.exit(1 if bad else 0)
PY
kill -TERM "$pid"; wait "$pid"
finish
