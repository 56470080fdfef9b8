#!/usr/bin/env bash
# The authorisation matrix: every route × every role of mic-standard, each cell
# asserted (allow = 2xx, deny = 403), from the roles' `access` in the policy.
. "$(dirname "$0")/lib.sh"

export MAMORI_DB="$TMP/m.db" MAMORI_ACTOR=test:admin
"$MAMORI" init --policy "$SRCDIR/policies/mic-standard.yaml" >/dev/null && ok || not_ok "init"
"$MAMORI" asset import "$SRCDIR/examples/assets.csv" >/dev/null && ok || not_ok "import"
roles="ciso chief-officer security-officer security-manager system-manager system-staff staff contractor auditor"
# victim: a staff account of 税務課 that every account manager administers
"$MAMORI" user add victim --role staff --department zeimu --password-stdin <<<"pw-victim" || not_ok "user victim"
for r in $roles; do
	"$MAMORI" user add "u-$r" --role "$r" --department zeimu --password-stdin <<<"pw-$r" || not_ok "user $r"
	"$MAMORI" asset add --name "廃棄予定 $r" --kind information --department zeimu --c 1 --i 1 --a 1 \
		>"$TMP/id.$r" || not_ok "asset for $r"
	# an incident victim reports, for this role to read, comment and accept
	"$MAMORI" incident report --by victim --set summary="$r の確認用" >"$TMP/inc.$r" || not_ok "incident for $r"
done
# records: one each, with a file; the victim's, and who may see it by the library's rule (the CLI's)
printf 'evidence\n' >"$TMP/evidence.txt"
for r in $roles victim; do
	u="u-$r"; [ "$r" = victim ] && u=victim
	"$MAMORI" incident report --by "$u" --set summary="報告 $r" >"$TMP/rec.$r" || not_ok "record of $r"
	"$MAMORI" record attach "$(cat "$TMP/rec.$r")" "$TMP/evidence.txt" --by "$u" --json >"$TMP/file.$r" || not_ok "file of $r"
done
for r in $roles; do
	"$MAMORI" record show "$(cat "$TMP/rec.victim")" --by "u-$r" >/dev/null 2>&1 && echo "$r"
done >"$TMP/sees-victim"
# the registers of issue 19: a terminal in use, a cloud service in use, and for each role a
# terminal the victim asks to register, for this role to approve (二人制: not the victim)
"$MAMORI" user add cio2 --role chief-officer >/dev/null || not_ok "user cio2"
"$MAMORI" record new terminal --by victim --set terminal_id=PC-M --set kind=pc --set segment=lgwan \
    --set issued=yes --set mfa=no >/dev/null && "$MAMORI" record move TRM-000001 in-use --by cio2 >/dev/null || not_ok "terminal"
"$MAMORI" record new cloud-service --by victim --set name=CS-M --set provider=p --set max_confidentiality=2 \
    --set segment=lgwan --set contract=c >/dev/null && "$MAMORI" record move CS-000001 in-use --by cio2 >/dev/null ||
    not_ok "cloud service"
for r in $roles; do
	"$MAMORI" record new terminal --by victim --set "terminal_id=PC-$r" --set kind=pc --set segment=lgwan \
	    --set issued=yes --set mfa=no >"$TMP/trm.$r" || not_ok "terminal for $r"
done
for r in $roles; do
	"$MAMORI" record show "$(cat "$TMP/trm.$r")" --by "u-$r" >/dev/null 2>&1 && echo "$r"
done >"$TMP/sees-terminal"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$MAMORI" serve --listen "127.0.0.1:$port" --web "$SRCDIR/web" >"$TMP/out.s" 2>"$TMP/err.s" &
pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/api/health" && break; sleep 0.1; done

/usr/bin/python3 - "$port" "$TMP" "$roles" "$MAMORI" "$SRCDIR" <<'PY' && ok || not_ok "authorisation matrix"
import hashlib, http.cookiejar, json, subprocess, sys, urllib.request
port, tmp, roles, mamori, srcdir = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4], sys.argv[5]
base = f"http://127.0.0.1:{port}"
ALL = set(roles)
WRITE = ALL - {"auditor"}
DISPOSE = {"ciso", "chief-officer", "security-officer", "security-manager", "system-manager"}
EVERY_DEPT = {"ciso", "chief-officer", "auditor"}
# access.manage in mic-standard: chief-officer [users, policy], system-manager [users]; inherited upwards
USERS = {"ciso", "chief-officer", "security-officer", "security-manager", "system-manager"}
POLICY = {"ciso", "chief-officer"}
# records (docs/records.md): an incident of 税務課 is seen by the roles its steps name
# and those above them (of its 課 where the scope is department) and by those who read
# every 課; it is accepted by the roles its step names.  One it may not see answers 404.
SEE_INCIDENT = {"ciso", "chief-officer", "security-officer", "security-manager", "auditor"}
ACCEPT = {"ciso", "chief-officer", "security-officer", "security-manager"}
# a record is seen by whom the library's rule says (mamori record show --by); others get 404, as for none
SEES_VICTIM = set(open(f"{tmp}/sees-victim").read().split())
assert "auditor" in SEES_VICTIM and "staff" not in SEES_VICTIM, SEES_VICTIM
vrec = open(f"{tmp}/rec.victim").read().strip()
vfile = json.load(open(f"{tmp}/file.victim"))["num"]
policy = open(f"{srcdir}/policies/mic-standard.yaml", encoding="utf-8").read()
csv_row = "資産名,種別,所管課,機密性,完全性,可用性\n取込 {role},情報,税務課,1,1,1\n"
req = json.dumps({"subject": {}, "action": "read", "resource": {}})  # the subject is the account asking
SEES_TERMINAL = set(open(f"{tmp}/sees-terminal").read().split())
# the terminal register's step: the roles it names (of the 課 for a role of scope department)
REGISTER_TERMINAL = {"system-manager", "security-manager", "chief-officer"}
on_terminal = json.dumps({"subject": {"terminal": {"id": "PC-M"}}, "action": "read", "resource": {}})
to_cloud = json.dumps({"subject": {"terminal": {"segment": "lgwan"}}, "action": "store",
                       "resource": {"classification": {"confidentiality": 2}}, "context": {"service": "CS-M"}})
term_new = json.dumps({"fields": {"terminal_id": "T-{role}", "kind": "pc", "segment": "lgwan", "issued": "yes",
                                  "mfa": "no"}})
new = {"name": "新規", "kind": "information", "department": "zeimu", "confidentiality": 1, "integrity": 1, "availability": 1}
routes = [  # method, path, body, roles allowed
    ("GET", "/api/me", None, ALL), ("GET", "/api/policy", None, ALL), ("GET", "/api/policy/render", None, ALL),
    ("POST", "/api/policy/validate", "mamori-policy: 1\n", ALL), ("POST", "/api/decide", req, ALL),
    ("POST", "/api/decide/batch", req + "\n", ALL), ("GET", "/api/assets", None, ALL),
    ("GET", "/api/assets/A-000003", None, ALL), ("GET", "/api/assets/A-000001", None, EVERY_DEPT),
    ("POST", "/api/assets", json.dumps(new, ensure_ascii=False), WRITE),
    ("POST", "/api/assets/{mine}/dispose", json.dumps({"method": "shred", "by": "x", "date": "2026-11-22"}), DISPOSE),
    ("GET", "/api/log/head", None, ALL), ("GET", "/api/log/verify", None, ALL),
    ("PUT", "/api/policy", policy, POLICY),
    ("PATCH", "/api/assets/{mine}", json.dumps({"location": "書庫"}, ensure_ascii=False), WRITE),
    ("POST", "/api/assets/import", csv_row, WRITE), ("GET", "/api/assets/export?format=csv", None, ALL),
    ("GET", "/api/assets/export?format=xlsx", None, ALL),
    ("GET", "/api/log", None, EVERY_DEPT), ("GET", "/api/log/proof?seq=1", None, EVERY_DEPT),
    ("GET", "/api/users", None, USERS),
    ("POST", "/api/users", json.dumps({"name": "n-{role}", "role": "staff", "department": "zeimu"}), USERS),
    ("GET", "/api/users/victim", None, USERS),
    ("GET", "/api/users/victim/holdings", None, USERS),
    ("POST", "/api/users/victim/move", json.dumps({"department": "zeimu"}), USERS),
    ("POST", "/api/users/victim/disable", None, USERS),
    ("POST", "/api/users/victim/retire", json.dumps({"reason": "退職 {role}"}, ensure_ascii=False), USERS),
    ("POST", "/api/users/victim/enable", None, USERS),
    ("POST", "/api/users/victim/email", json.dumps({"email": "victim@example.lg.jp"}), USERS),
    ("POST", "/api/users/victim/password", json.dumps({"password": "pw-victim"}), USERS),
    ("POST", "/api/users/victim/mfa/enroll", None, USERS), ("POST", "/api/users/victim/mfa/reset", None, USERS),
    ("GET", "/api/users/victim/tokens", None, USERS),
    ("POST", "/api/users/victim/tokens", json.dumps({"scope": "read", "days": 1}), USERS),
    ("DELETE", "/api/users/victim/tokens/{tok}", None, USERS),
    ("GET", "/api/records", None, ALL), ("GET", "/api/records/incident", None, ALL),
    ("POST", "/api/records/incident", json.dumps({"fields": {"summary": "{role} の報告"}}, ensure_ascii=False), ALL),
    ("GET", "/api/records/incident/{inc}", None, SEE_INCIDENT, 404),
    ("POST", "/api/records/incident/{inc}/comments", json.dumps({"text": "確認しました"}, ensure_ascii=False),
     SEE_INCIDENT, 404),
    ("POST", "/api/records/incident/{inc}/moves", json.dumps({"to": "accepted"}), ACCEPT,
     {r: 403 if r in SEE_INCIDENT else 404 for r in ALL}),
    ("GET", "/api/notices", None, ALL),
    ("GET", "/api/training", None, ALL), ("POST", "/api/training/reminders", None, POLICY),
    # a record's files: one's own record, and the victim's (a denial is 404 there: "{v…}")
    ("POST", "/api/records/incident/{rec}/files?name=%E8%A8%BC%E6%8B%A0.txt", "evidence", ALL),
    ("GET", "/api/records/incident/{rec}/files", None, ALL),
    ("GET", "/api/records/incident/{rec}/files/{file}", None, ALL),
    ("POST", "/api/records/incident/{vrec}/files?name=x.txt", "x", SEES_VICTIM),
    ("GET", "/api/records/incident/{vrec}/files", None, SEES_VICTIM),
    ("GET", "/api/records/incident/{vrec}/files/{vfile}", None, SEES_VICTIM),
    # the registers the decision point reads (issue 19): every account asks; a register's records
    # are made by anyone (not in force before the step), approved by the roles the step names
    ("POST", "/api/decide", on_terminal, ALL), ("POST", "/api/decide", to_cloud, ALL),
    ("GET", "/api/records/terminal", None, ALL), ("GET", "/api/records/cloud-service", None, ALL),
    ("GET", "/api/records/sns-account", None, ALL), ("POST", "/api/records/terminal", term_new, ALL),
    ("GET", "/api/records/terminal?format=csv", None, ALL),
    ("GET", "/api/records/terminal/{trm}", None, SEES_TERMINAL, 404),
    ("POST", "/api/records/terminal/{trm}/moves", json.dumps({"to": "in-use"}), REGISTER_TERMINAL,
     {r: 403 if r in SEES_TERMINAL else 404 for r in ALL}),
    ("POST", "/api/logout", None, ALL),
]
cells = bad = 0
for role in roles:
    jar = http.cookiejar.CookieJar()
    op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    r = op.open(urllib.request.Request(base + "/api/login", json.dumps({"username": f"u-{role}", "password": f"pw-{role}"}).encode(), method="POST"))
    csrf = json.load(r)["csrf"]
    mine = open(f"{tmp}/id.{role}").read().strip()
    tok = ""
    inc = open(f"{tmp}/inc.{role}").read().strip()
    rec = open(f"{tmp}/rec.{role}").read().strip()
    fnum = json.load(open(f"{tmp}/file.{role}"))["num"]
    trm = open(f"{tmp}/trm.{role}").read().strip()
    for method, path, body, allowed, *deny in routes:
        # how a refusal answers: 403, or 404 where the route hides what the asker may not see
        deny = deny[0] if deny else (404 if "{vrec}" in path else 403)
        deny = deny.get(role) if isinstance(deny, dict) else deny
        if "{tok}" in path:  # a token of victim's to try to revoke (a new password revoked the earlier ones)
            out = subprocess.run([mamori, "user", "token", "victim", "--scope", "read"], capture_output=True, check=True)
            tok = hashlib.sha256(out.stdout.strip()).hexdigest()[:16]
        body = body.replace("{role}", role) if body else body
        url = path.replace("{mine}", mine).replace("{tok}", tok).replace("{rec}", rec).replace("{file}", str(fnum))
        url = url.replace("{vrec}", vrec).replace("{vfile}", str(vfile)).replace("{inc}", inc).replace("{trm}", trm)
        rq = urllib.request.Request(base + url, body.encode() if body else None, method=method)
        if method != "GET":
            rq.add_header("X-CSRF-Token", csrf)
        try:
            status = op.open(rq).status
        except urllib.error.HTTPError as e:
            status = e.code
        want_allow = role in allowed
        got_allow = 200 <= status < 300 or (path == "/api/policy/validate" and status == 422)
        cells += 1
        if want_allow != got_allow or (not got_allow and status != deny):
            bad += 1
            print(f"{role:18} {method} {path}: {status}, expected {'allow' if want_allow else deny}")
print(f"authorisation matrix: {cells} cells ({len(roles)} roles × {len(routes)} routes), {bad} wrong")
sys.exit(1 if bad else 0)
PY
kill -TERM "$pid"; wait "$pid"
finish
