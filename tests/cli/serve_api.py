"""HTTP checks of tests/cli/serve_api.sh: argv = port, tmp dir, source dir.

Prints one line per failed check and `checks: N, failed: M`; exits 1 on any failure.
"""
import base64, csv, hashlib, hmac, http.cookiejar, io, json, struct, sys, time, urllib.error, urllib.request, zipfile
import yaml

port, tmp, srcdir = sys.argv[1], sys.argv[2], sys.argv[3]
BASE = f"http://127.0.0.1:{port}"
checks = failed = 0


def check(cond, what):
    global checks, failed
    checks += 1
    if not cond:
        failed += 1
        print("FAIL:", what)
    return cond


class Client:
    def __init__(self, user=None, password=None, totp=None, token=None):
        self.op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.csrf, self.token = None, token
        if user:
            st, body, _ = self.call("POST", "/api/login", {"username": user, "password": password or f"pw-{user}", "totp": totp})
            check(st == 200, f"login {user}: {st} {body}")
            self.csrf = body.get("csrf") if isinstance(body, dict) else None

    def call(self, method, path, body=None, raw=None, csrf=True, headers=None):
        data = raw if raw is not None else (json.dumps(body, ensure_ascii=False).encode() if body is not None else None)
        rq = urllib.request.Request(BASE + path, data, method=method)
        if self.csrf and csrf and method != "GET":
            rq.add_header("X-CSRF-Token", self.csrf)
        if self.token:
            rq.add_header("Authorization", "Bearer " + self.token)
        for k, v in (headers or {}).items():
            rq.add_header(k, v)
        try:
            r = self.op.open(rq)
            status, payload, hdrs = r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            status, payload, hdrs = e.code, e.read(), e.headers
        if (hdrs.get("Content-Type") or "").startswith("application/json"):
            return status, json.loads(payload), hdrs
        return status, payload, hdrs


def err(body):
    return body.get("error", {}) if isinstance(body, dict) else {}


def totp(secret):
    key = base64.b32decode(secret)
    n = int(time.time()) // 30
    h = hmac.new(key, struct.pack(">Q", n), "sha1").digest()
    o = h[-1] & 15
    return "%06d" % ((struct.unpack(">I", h[o:o + 4])[0] & 0x7fffffff) % 1000000)


admin, sysmgr, tanaka, kansa = Client("admin"), Client("sysmgr"), Client("tanaka"), Client("kansa")
anon = Client()

# ---- the policy -------------------------------------------------------------
src = open(f"{srcdir}/policies/mic-standard.yaml", encoding="utf-8").read()
st, b, _ = tanaka.call("PUT", "/api/policy", raw=src.encode())
check(st == 403 and err(b).get("code") == "forbidden", f"staff may not replace the policy: {st}")
st, b, _ = admin.call("PUT", "/api/policy", raw=src.encode(), csrf=False)
check(st == 403 and err(b).get("field") == "X-CSRF-Token", f"PUT without CSRF: {st}")
st, b, _ = anon.call("PUT", "/api/policy", raw=src.encode())
check(st == 401, f"PUT without a session: {st}")
st, b, _ = admin.call("PUT", "/api/policy", raw=b"")
check(st == 400 and err(b).get("code") == "malformed", f"empty policy: {st} {b}")
st, b, _ = admin.call("PUT", "/api/policy", raw="mamori-policy: 1\nid: x\ntitle: [unclosed\n".encode())
d = err(b).get("diagnostics", [])
check(st == 422 and d and all(x["line"] > 0 and x["column"] > 0 for x in d), f"invalid policy: 422 with line/col: {st} {b}")
bad = src.replace("id: zeimu, title: 税務課, body: internal", "id: zeizei, title: 税政課, body: internal")
st, b, _ = admin.call("PUT", "/api/policy", raw=bad.encode())
objs = {x.get("object") for x in err(b).get("diagnostics", [])}
check(st == 409 and {"A-000003", "A-000004", "tanaka", "sysmgr"} <= objs, f"policy dropping 税務課: 409 listing assets and users: {st} {objs}")
check(all("税務課" not in (x.get("object") or "") for x in err(b).get("diagnostics", [])), "conflicts name objects")
st, b, _ = admin.call("GET", "/api/policy")
check(st == 200 and any(dp["id"] == "zeimu" for dp in b["organisation"]["departments"]), "refused policies change nothing")
# a valid replacement: a new version in which 職員等 read every department
doc = yaml.safe_load(src)
doc["version"] = "API 改訂 1"
for r in doc["roles"]:
    if r["id"] == "staff":
        r["access"]["scope"] = "all"
        r["access"]["actions"] = ["read"]
st, b, _ = admin.call("PUT", "/api/policy", raw=json.dumps(doc, ensure_ascii=False).encode())
check(st == 200 and b.get("id") == "mic-standard" and b.get("version") == "API 改訂 1", f"replace: {st} {b}")
st, b, _ = tanaka.call("GET", "/api/policy")
check(st == 200 and b.get("version") == "API 改訂 1", "the new policy is in force")
st, b, _ = tanaka.call("GET", "/api/assets")
check(st == 200 and b["count"] == kansa.call("GET", "/api/assets")[1]["count"] > 2, f"the new role access applies at once (staff reads all): {b.get('count')}")
st, b, _ = tanaka.call("GET", "/api/policy/render?format=markdown")
check(st == 200 and "API 改訂 1" in b.decode(), "render shows the new version")
# a session asks as its own account: the subject's id, roles, department and mfa are tanaka's
ask = {"subject": {"roles": ["staff"], "department": "zeimu", "terminal": {"segment": "lgwan", "issued": True}},
       "action": "read", "resource": {"classification": {"confidentiality": 1}, "department": "shimin", "segment": "lgwan"}}
st, b, _ = tanaka.call("POST", "/api/decide", ask)
check(st == 200 and b.get("decision") == "allow", f"the decision point uses the new policy: {b}")
doc["version"] = "API 改訂 2"
for r in doc["roles"]:
    if r["id"] == "staff":
        r["access"]["scope"] = "department"
        r["access"]["actions"] = ["read", "write", "copy", "print", "send", "store"]
st, b, _ = admin.call("PUT", "/api/policy", raw=yaml.safe_dump(doc, allow_unicode=True).encode())
check(st == 200 and b.get("version") == "API 改訂 2", f"replace again (YAML): {st} {b}")
st, b, _ = tanaka.call("GET", "/api/assets")
check(b.get("count") == 2, f"staff back to its department: {b.get('count')}")
st, b, _ = tanaka.call("POST", "/api/decide", ask)
check(st == 200 and b.get("decision") == "deny", f"…and so the decision point: {b}")
st, b, _ = tanaka.call("POST", "/api/policy/validate", raw=b"mamori-policy: 1\nid: 1bad\n")
check(st == 422 and all("line" in x and "column" in x for x in b["diagnostics"]), "validate answers with line and column")

# ---- assets: edit --------------------------------------------------------------
st, b, _ = tanaka.call("PATCH", "/api/assets/A-000003", {"location": "書庫B", "confidentiality": 2})
check(st == 200 and b.get("location") == "書庫B" and b.get("confidentiality") == "2", f"edit own asset: {st} {b}")
st, b, _ = tanaka.call("GET", "/api/assets/A-000003")
check(b.get("location") == "書庫B" and b.get("name") == "個人住民税課税台帳", "edit kept the other fields")
st, b, _ = tanaka.call("PATCH", "/api/assets/A-000001", {"location": "x"})
check(st == 403, f"edit another department's asset: {st}")
st, b, _ = tanaka.call("PATCH", "/api/assets/A-000003", {"department": "市民課"})
check(st == 403, f"move an asset to another department: {st}")
st, b, _ = tanaka.call("PATCH", "/api/assets/A-000003", {"integrity": 9})
check(st == 422 and any("out of range" in d["message"] for d in err(b).get("diagnostics", [])), f"invalid level: {st} {b}")
for field, value in (("id", "A-000009"), ("status", "disposed"), ("disposed_date", "2026-01-01"), ("created", "x")):
    st, b, _ = tanaka.call("PATCH", "/api/assets/A-000003", {field: value})
    check(st == 400 and err(b).get("field") == field, f"{field} cannot be edited: {st} {b}")
st, b, _ = tanaka.call("PATCH", "/api/assets/A-000003", {"colour": "red"})
check(st == 400 and err(b).get("field") == "colour", f"unknown field: {st}")
st, b, _ = tanaka.call("PATCH", "/api/assets/A-000003", {})
check(st == 400, f"empty edit: {st}")
st, b, _ = tanaka.call("PATCH", "/api/assets/A-099999", {"location": "x"})
check(st == 404, f"edit unknown asset: {st}")
st, b, _ = tanaka.call("PATCH", "/api/assets/A-000003", raw=b"{not json")
check(st == 400 and err(b).get("code") == "malformed", f"malformed JSON: {st}")
st, b, _ = tanaka.call("PATCH", "/api/assets/A-000003", {"location": "x"}, csrf=False)
check(st == 403, f"edit without CSRF: {st}")
st, b, _ = kansa.call("PATCH", "/api/assets/A-000003", {"location": "x"})
check(st == 403, f"auditor may not edit: {st}")

# ---- assets: import ---------------------------------------------------------------
def count_all():
    return kansa.call("GET", "/api/assets")[1]["count"]


n0 = count_all()
good = "資産名,種別,所管課,機密性,完全性,可用性\r\n滞納整理簿,情報,税務課,2,2,1\r\n申告書控,情報,zeimu,2,1,1\r\n"
st, b, _ = tanaka.call("POST", "/api/assets/import?dry_run=1", raw=good.encode())
check(st == 200 and b.get("rows") == 2 and b.get("imported") == 0 and count_all() == n0, f"dry run: {st} {b}")
st, b, _ = tanaka.call("POST", "/api/assets/import", raw=b"\xef\xbb\xbf" + good.encode())
check(st == 201 and b.get("imported") == 2 and count_all() == n0 + 2, f"import UTF-8 with BOM: {st} {b}")
st, b, _ = tanaka.call("POST", "/api/assets/import", raw=good.replace("滞納整理簿", "納税通知控").encode("cp932"))
check(st == 201 and b.get("imported") == 2, f"import CP932: {st} {b}")
st, b, _ = tanaka.call("POST", "/api/assets/import?encoding=utf-8", raw=good.encode("cp932"))
check(st == 422, f"CP932 forced as UTF-8: {st}")
bad_rows = "資産名,種別,所管課,機密性,完全性,可用性\n正しい行,情報,税務課,1,1,1\n悪い行,円盤,税務課,7,1,1\n,情報,税務課,1,1,1\n"
n1 = count_all()
st, b, _ = tanaka.call("POST", "/api/assets/import", raw=bad_rows.encode())
rows = sorted({x["row"] for x in err(b).get("diagnostics", [])})
check(st == 422 and rows == [3, 4] and count_all() == n1, f"bad rows: 422 with their rows, nothing imported: {st} {rows}")
check(any("円盤" in x["message"] for x in err(b).get("diagnostics", [])), "the diagnostic says what is wrong")
other = "資産名,種別,所管課,機密性,完全性,可用性\n自課の資産,情報,税務課,1,1,1\n他課の資産,情報,市民課,1,1,1\n"
st, b, _ = tanaka.call("POST", "/api/assets/import", raw=other.encode())
rows = [x["row"] for x in err(b).get("diagnostics", [])]
check(st == 403 and rows == [3] and count_all() == n1, f"a row of another department: 403 naming the row, nothing imported: {st} {b}")
st, b, _ = tanaka.call("POST", "/api/assets/import", raw=b"")
check(st == 400, f"empty import: {st}")
st, b, _ = tanaka.call("POST", "/api/assets/import?encoding=latin1", raw=good.encode())
check(st == 400 and err(b).get("field") == "encoding", f"unknown encoding: {st}")
st, b, _ = kansa.call("POST", "/api/assets/import", raw=good.encode())
check(st == 403, f"auditor may not import: {st}")
big = good.encode() + b"x" * (17 * 1024 * 1024)
st, b, _ = tanaka.call("POST", "/api/assets/import", raw=big)
check(st == 413 and err(b).get("code") == "too-large", f"too large: {st}")

# an XLSX workbook as Excel writes it (tests/cli/make_xlsx.py), its rows numbered as in Excel
sys.path.insert(0, srcdir + "/tests/cli")
import make_xlsx
book = make_xlsx.Book()
book.sheet("台帳", {1: make_xlsx.header(make_xlsx.HEAD[:7]),
                    2: {1: ("s", "固定資産課税台帳", "コテイシサンカゼイダイチョウ"), 2: ("s", "情報"), 3: ("s", "税務課"),
                        5: ("n", "2"), 6: ("n", "2"), 7: ("n", "1")},
                    4: {1: ("s", "償却資産申告書"), 2: ("s", "情報"), 3: ("s", "zeimu"), 5: ("n", "2"), 6: ("n", "1"),
                        7: ("n", "1")}})
book.sheet("他課", {1: make_xlsx.header(make_xlsx.HEAD[:7]),
                    2: {1: ("s", "他課の資産"), 2: ("s", "情報"), 3: ("s", "市民課"), 4: ("s", "lgwan"), 5: ("n", "1"),
                        6: ("n", "1"), 7: ("n", "1")}})
book.write(tmp + "/upload.xlsx")
xlsx = open(tmp + "/upload.xlsx", "rb").read()
n1 = count_all()
st, b, _ = tanaka.call("POST", "/api/assets/import", raw=xlsx)
check(st == 201 and b.get("imported") == 2 and count_all() == n1 + 2, f"import an XLSX workbook: {st} {b}")
names = [a["name"] for a in kansa.call("GET", "/api/assets?q=%E5%9B%BA%E5%AE%9A%E8%B3%87%E7%94%A3")[1]["assets"]]
check(names == ["固定資産課税台帳"] * 2, f"the workbook's names, without their ふりがな: {names}")
st, b, _ = tanaka.call("POST", "/api/assets/import?sheet=%E4%BB%96%E8%AA%B2", raw=xlsx)
rows = [x["row"] for x in err(b).get("diagnostics", [])]
check(st == 403 and rows == [2] and count_all() == n1 + 2, f"?sheet= another sheet, of another department: 403 naming Excel's row: {st} {b}")
st, b, _ = tanaka.call("POST", "/api/assets/import?sheet=x", raw=xlsx)
msgs = [x["message"] for x in err(b).get("diagnostics", [])]
check(st == 422 and len(msgs) == 1 and "台帳, 他課" in msgs[0], f"?sheet= unknown: 422 naming the sheets: {st} {b}")
st, b, _ = tanaka.call("POST", "/api/assets/import?encoding=cp932", raw=xlsx)
check(st == 400 and err(b).get("field") == "encoding", f"?encoding= with a workbook: 400: {st} {b}")
st, b, _ = tanaka.call("POST", "/api/assets/import", raw=xlsx[: len(xlsx) // 2])
check(st == 422 and "upload.xlsx" in err(b).get("message", ""), f"a workbook cut short: 422: {st} {b}")

# ---- assets: export -----------------------------------------------------------------
st, b, h = tanaka.call("GET", "/api/assets/export?format=csv")
check(st == 200 and b.startswith(b"\xef\xbb\xbf") and "attachment" in (h.get("Content-Disposition") or ""), f"CSV export: {st}")
rows = list(csv.reader(io.StringIO(b.decode("utf-8-sig"))))
check(rows and rows[0][0] == "資産番号" and len(rows) > 2 and all(r[4] == "税務課" for r in rows[1:]), "staff exports only its department (by its title)")
st, b, _ = tanaka.call("GET", "/api/assets/export?format=csv&c=%3E%3D3")
rows = list(csv.reader(io.StringIO(b.decode("utf-8-sig"))))
check(st == 200 and len(rows) >= 2 and all(r[8] == "3" for r in rows[1:]), f"export takes the list's filters: {len(rows)}")
st, b, h = kansa.call("GET", "/api/assets/export?format=xlsx")
ok_xlsx = False
if st == 200:
    z = zipfile.ZipFile(io.BytesIO(b))
    sheet = z.read("xl/worksheets/sheet1.xml").decode()
    ok_xlsx = sheet.count("<row ") == count_all() + 1
check(ok_xlsx and "spreadsheetml" in (h.get("Content-Type") or ""), f"XLSX export of every asset for the auditor: {st}")
st, b, _ = tanaka.call("GET", "/api/assets/export?format=pdf")
check(st == 400 and err(b).get("field") == "format", f"unknown format: {st}")
st, b, _ = tanaka.call("GET", "/api/assets/export?c=9x")
check(st == 400 and err(b).get("field") == "c", f"bad filter: {st}")

# ---- assets: pages -------------------------------------------------------------------
# limit/after walk the list page by page: together the pages are the whole list,
# every page carries the total, the last one has no next
st, whole, _ = kansa.call("GET", "/api/assets")
check(st == 200 and whole["total"] == whole["count"] == len(whole["assets"]) and whole["next"] is None,
      f"the whole list in one page (under 1,000): {whole.get('count')} {whole.get('total')} {whole.get('next')}")
ids, after, pages = [], None, 0
while True:
    st, b, _ = kansa.call("GET", "/api/assets?limit=4" + (f"&after={after}" if after else ""))
    if not check(st == 200 and b["total"] == whole["total"] and len(b["assets"]) <= 4, f"page {pages}: {st} {b}"):
        break
    ids += [a["id"] for a in b["assets"]]
    pages += 1
    after = b["next"]
    if after is None:
        break
    check(after == b["assets"][-1]["id"], "next is the page's last id")
check(ids == [a["id"] for a in whole["assets"]] and pages == (whole["total"] + 3) // 4,
      f"pages of 4 make the whole list: {pages} pages, {len(ids)} ids")
st, b, _ = kansa.call("GET", "/api/assets?department=zeimu&c=%3E%3D2&limit=1")
check(st == 200 and len(b["assets"]) == 1 and b["total"] >= 2 and b["next"] == b["assets"][0]["id"],
      f"a filtered page: {b}")
# a department-scoped role counts and pages its own department only
st, b, _ = tanaka.call("GET", "/api/assets?limit=1")
mine = [a for a in whole["assets"] if a["department"] == "zeimu"]
check(st == 200 and b["total"] == len(mine) and b["assets"][0]["department"] == "zeimu", f"staff's total is its department's: {b}")
st, b, _ = tanaka.call("GET", "/api/assets?department=shimin")
check(st == 200 and b["count"] == 0 and b["total"] == 0 and b["next"] is None, f"staff asking for another department: {b}")
for q, field in (("limit=0", "limit"), ("limit=10001", "limit"), ("limit=x", "limit"), ("limit=5&after=A-999999", "after")):
    st, b, _ = kansa.call("GET", "/api/assets?" + q)
    check(st == 400 and err(b).get("field") == field, f"{q}: 400 naming {field}: {st} {b}")

# ---- accounts -----------------------------------------------------------------------
st, b, _ = tanaka.call("GET", "/api/users")
check(st == 403, f"staff may not list accounts: {st}")
st, b, _ = tanaka.call("POST", "/api/users", {"name": "x", "role": "staff", "department": "zeimu"})
check(st == 403, f"staff may not create accounts: {st}")
st, b, _ = admin.call("POST", "/api/users", {"name": "suzuki", "role": "職員等", "department": "税務課", "password": "pw-suzuki"})
check(st == 201 and b.get("role") == "staff" and b.get("department") == "zeimu" and b.get("password") is True, f"create (titles resolved): {st} {b}")
check("pw-suzuki" not in json.dumps(b), "no password in the answer")
suzuki = Client("suzuki")
st, b, _ = suzuki.call("GET", "/api/me")
check(st == 200 and b["user"]["name"] == "suzuki", "the new account logs in")
st, b, _ = admin.call("POST", "/api/users", {"name": "suzuki", "role": "staff", "department": "zeimu"})
check(st == 409, f"duplicate account: {st}")
st, b, _ = admin.call("POST", "/api/users", {"name": "Bad Name", "role": "staff", "department": "zeimu"})
check(st == 400 and err(b).get("field") == "name", f"bad name: {st} {b}")
st, b, _ = admin.call("POST", "/api/users", {"name": "x1", "role": "wizard"})
check(st == 422 and err(b).get("field") == "role", f"unknown role: {st}")
st, b, _ = admin.call("POST", "/api/users", {"name": "x2", "role": "staff", "department": "宇宙課"})
check(st == 422 and err(b).get("field") == "department", f"unknown department: {st}")
st, b, _ = admin.call("POST", "/api/users", {"name": "x3", "role": "staff", "department": "zeimu", "password": ""})
check(st == 422 and err(b).get("field") == "password", f"empty password: {st} {b}")
st, b, _ = admin.call("POST", "/api/users", {"name": "x4"})
check(st == 400, f"role missing: {st}")
st, b, _ = admin.call("POST", "/api/users", {"name": "x5", "role": "staff", "admin": True})
check(st == 400 and err(b).get("field") == "admin", f"unknown member: {st}")
st, b, _ = admin.call("POST", "/api/users", {"name": "boss", "role": "ciso"})
check(st == 403, f"chief-officer may not create a CISO (a role above its own): {st}")
st, b, _ = admin.call("POST", "/api/users", {"name": "kansa2", "role": "auditor"})
check(st == 403, f"chief-officer may not create auditors (they report to the CISO): {st}")
# a department's 情報システム管理者: its own department, its own role and below
st, b, _ = sysmgr.call("GET", "/api/users")
names = {u["name"] for u in b.get("users", [])}
check(st == 200 and names == {"sysmgr", "tanaka", "suzuki"}, f"system-manager lists its department's lower accounts: {names}")
st, b, _ = sysmgr.call("POST", "/api/users", {"name": "yamada", "role": "staff", "department": "zeimu", "password": "pw-yamada"})
check(st == 201, f"system-manager creates staff in its department: {st}")
st, b, _ = sysmgr.call("POST", "/api/users", {"name": "kimura", "role": "staff", "department": "shimin"})
check(st == 403, f"…not in another department: {st}")
st, b, _ = sysmgr.call("POST", "/api/users", {"name": "kimura", "role": "staff"})
check(st == 403, f"…not without a department: {st}")
st, b, _ = sysmgr.call("POST", "/api/users", {"name": "kimura", "role": "security-manager", "department": "zeimu"})
check(st == 403, f"…not a role above its own: {st}")
st, b, _ = sysmgr.call("GET", "/api/users/sato")
check(st == 403, f"system-manager may not see another department's account: {st}")
st, b, _ = sysmgr.call("POST", "/api/users/admin/disable")
check(st == 403, f"system-manager may not disable its superior: {st}")
st, b, _ = admin.call("GET", "/api/users/nobody")
check(st == 404, f"unknown account: {st}")
st, b, _ = admin.call("GET", "/api/users/tanaka")
check(st == 200 and b.get("role") == "staff" and set(b) == {"name", "role", "department", "email", "password", "password_temporary", "mfa", "disabled", "failures", "created"},
      f"one account, no secrets: {b}")
# disable ends the sessions at once; enable lets the account in again
st, b, _ = admin.call("POST", "/api/users/suzuki/disable")
check(st == 200 and b.get("disabled") is True, f"disable: {st} {b}")
st, b, _ = suzuki.call("GET", "/api/me")
check(st == 401, f"a disabled account's session ends: {st}")
st, _, _ = Client().call("POST", "/api/login", {"username": "suzuki", "password": "pw-suzuki"})
check(st == 401, f"a disabled account cannot log in: {st}")
st, b, _ = admin.call("POST", "/api/users/suzuki/enable")
check(st == 200 and b.get("disabled") is False, f"enable: {st}")
# password reset
st, b, _ = admin.call("POST", "/api/users/suzuki/password", {"password": "新しい合言葉"})
check(st == 200, f"password reset: {st}")
st, _, _ = Client().call("POST", "/api/login", {"username": "suzuki", "password": "pw-suzuki"})
check(st == 401, "the old password no longer works")
Client("suzuki", "新しい合言葉")
st, b, _ = admin.call("POST", "/api/users/suzuki/password", {"password": ""})
check(st == 422 and err(b).get("field") == "password", f"empty password refused: {st}")
st, b, _ = admin.call("POST", "/api/users/suzuki/password", {})
check(st == 400, f"password missing: {st}")
# MFA: enrol (secret shown once), login needs the code, reset removes it
st, b, _ = admin.call("POST", "/api/users/suzuki/mfa/enroll")
secret = b.get("secret", "") if isinstance(b, dict) else ""
check(st == 200 and len(secret) == 32 and b.get("uri", "").startswith("otpauth://totp/"), f"MFA enrol: {st} {b}")
st, b, _ = Client().call("POST", "/api/login", {"username": "suzuki", "password": "新しい合言葉"})
check(st == 401 and "one-time code" in err(b).get("message", ""), f"login now needs the code: {st} {b}")
Client("suzuki", "新しい合言葉", totp(secret))
st, b, _ = admin.call("GET", "/api/users/suzuki")
check(b.get("mfa") is True, "the account shows MFA")
st, b, _ = admin.call("POST", "/api/users/suzuki/mfa/reset")
check(st == 200, f"MFA reset: {st}")
Client("suzuki", "新しい合言葉")
# API tokens: issued once, listed by id only, revoked
st, b, _ = admin.call("POST", "/api/users/tanaka/tokens", {"scope": "read", "days": 1})
tok, tid = (b.get("token"), b.get("id")) if isinstance(b, dict) else (None, None)
check(st == 201 and tok and len(tok) == 64 and tid == hashlib.sha256(tok.encode()).hexdigest()[:16], f"issue a token: {st} {b}")
st, b, _ = Client(token=tok).call("GET", "/api/assets")
check(st == 200 and b["count"] >= 2, "the token reads")
st, b, _ = Client(token=tok).call("PATCH", "/api/assets/A-000003", {"location": "x"})
check(st == 403, f"a read token may not write: {st}")
st, b, _ = admin.call("GET", "/api/users/tanaka/tokens")
check(st == 200 and [t["id"] for t in b["tokens"]] == [tid] and tok not in json.dumps(b), f"tokens listed by id only: {b}")
st, b, _ = admin.call("POST", "/api/users/tanaka/tokens", {"scope": "admin"})
check(st == 400 and err(b).get("field") == "scope", f"bad scope: {st}")
st, b, _ = admin.call("POST", "/api/users/tanaka/tokens", {"scope": "read", "days": 0})
check(st == 400 and err(b).get("field") == "days", f"bad days: {st}")
st, b, _ = admin.call("DELETE", "/api/users/tanaka/tokens/zz")
check(st == 400, f"bad token id: {st}")
st, b, _ = admin.call("DELETE", "/api/users/tanaka/tokens/0123456789abcdef")
check(st == 404, f"unknown token id: {st}")
st, b, _ = admin.call("DELETE", f"/api/users/tanaka/tokens/{tid}")
check(st == 200, f"revoke: {st} {b}")
st, b, _ = Client(token=tok).call("GET", "/api/assets")
check(st == 401, f"a revoked token is refused: {st}")
st, b, _ = tanaka.call("POST", "/api/users/tanaka/tokens", {"scope": "write"})
check(st == 403, f"staff may not issue tokens, not even its own: {st}")

# ---- the audit trail --------------------------------------------------------------
st, b, _ = tanaka.call("GET", "/api/log")
check(st == 403, f"staff may not read the trail: {st}")
st, b, _ = kansa.call("GET", "/api/log?action=policy.replace")
ev = b.get("events", []) if isinstance(b, dict) else []
check(st == 200 and len(ev) == 2 and all(e["actor"] == "web:admin@127.0.0.1" for e in ev), f"policy replacements in the trail: {ev}")
check(ev and ev[-1]["body"]["before"]["version"] == "API 改訂 1" and ev[-1]["body"]["after"]["version"] == "API 改訂 2", "before and after versions")
st, b, _ = kansa.call("GET", "/api/log?limit=3")
check(st == 200 and b["count"] == 3 and b["next"] == 4 and [e["seq"] for e in b["events"]] == [1, 2, 3], f"paging: {b.get('next')}")
st, b2, _ = kansa.call("GET", f"/api/log?since={b['next']}&limit=1")
check(b2["events"][0]["seq"] == 4, "next page")
st, b, _ = kansa.call("GET", "/api/log?actor=web:tanaka@127.0.0.1&action=asset.edit")
check(st == 200 and b["count"] >= 1 and b["events"][0]["object_id"] == "A-000003", "edits by tanaka")
st, b, _ = kansa.call("GET", "/api/log?limit=0")
check(st == 400 and err(b).get("field") == "limit", f"bad limit: {st}")
st, b, _ = kansa.call("GET", "/api/log?limit=100000")
check(st == 400, f"limit too large: {st}")
st, b, _ = kansa.call("GET", "/api/log/head")
head = b.decode()
size = int([l for l in head.splitlines() if l.startswith("size:")][0].split()[1])
st, b, _ = kansa.call("GET", "/api/log/proof?seq=5")
check(st == 200 and b.decode().startswith("mamori inclusion proof v1") and f"size: {size}" in b.decode(), f"inclusion proof in the latest head: {st} {b}")
open(f"{tmp}/head.txt", "w").write(head)
open(f"{tmp}/inclusion.txt", "wb").write(b)
st, b, _ = kansa.call("GET", f"/api/log/proof?seq=2&size={size - 1}")
check(st == 200 and f"size: {size - 1}" in b.decode(), f"inclusion proof in an older tree: {st} {b}")
st, b, _ = kansa.call("GET", f"/api/log/proof?old=1&new={size}")
check(st == 200 and b.decode().startswith("mamori consistency proof v1"), f"consistency proof: {st} {b}")
st, b, _ = kansa.call("GET", f"/api/log/proof?old=1&new={size + 1000}")
check(st == 400 and err(b).get("field") == "new", f"consistency beyond the log: {st}")
st, b, _ = kansa.call("GET", f"/api/log/proof?seq=1&size={size + 1000}")
check(st == 400 and err(b).get("field") == "size" and "past the end" in err(b).get("message", ""),
      f"inclusion in a tree past the end is a bad request, not a damaged trail: {st} {b}")
st, b, _ = kansa.call("GET", "/api/log/proof?seq=999999")
check(st == 404, f"proof of an event beyond the log: {st}")
st, b, _ = kansa.call("GET", "/api/log/proof")
check(st == 400, f"proof without parameters: {st}")
st, b, _ = kansa.call("GET", "/api/log/proof?seq=1&old=1&new=2")
check(st == 400, f"both kinds at once: {st}")
st, b, _ = kansa.call("GET", "/api/log/proof?seq=x")
check(st == 400 and err(b).get("field") == "seq", f"seq not a number: {st}")
st, b, _ = tanaka.call("GET", "/api/log/proof?seq=1")
check(st == 403, f"staff may not fetch proofs: {st}")
st, b, _ = kansa.call("GET", "/api/log/verify")
check(st == 200 and b.get("intact") is True, "trail intact")

# ---- replacing the policy while requests are served ----------------------------------
# readers never see an error or a half-swapped policy; the server survives (ASan / TSan
# builds report any race or use after free here)
import threading
seen = []


own_ask = dict(ask, subject={"terminal": {"segment": "lgwan", "issued": True}})  # kansa asks as kansa


def reader():
    c = Client("kansa")
    for _ in range(20):
        for path in ("/api/assets/A-000003", "/api/assets?c=%3E%3D2", "/api/policy/render?format=markdown"):
            st, b, _ = c.call("GET", path)
            seen.append(st)
        st, b, _ = c.call("POST", "/api/decide", own_ask)
        seen.append(st)


def writer():
    for _ in range(STRESS_PUTS):
        st, b, _ = admin.call("PUT", "/api/policy", raw=json.dumps(doc, ensure_ascii=False).encode())
        seen.append(st)


STRESS_PUTS = 10
threads = [threading.Thread(target=reader) for _ in range(3)] + [threading.Thread(target=writer)]
[t.start() for t in threads]
[t.join() for t in threads]
check(len(seen) == 3 * 20 * 4 + STRESS_PUTS and set(seen) == {200}, f"requests during replacements: {sorted(set(seen))}")

print(f"checks: {checks}, failed: {failed}")
sys.exit(1 if failed else 0)
