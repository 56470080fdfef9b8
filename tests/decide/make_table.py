#!/usr/bin/python3
"""Writes table.yaml, the decision table: cases read off the texts of the source
policies (shared/seeds), each citing the sentence it comes from, with the answers
those sentences demand.  Kept as a generator because many sentences apply to every
action or policy alike; the expectations are written here by hand, never taken from
mamori's output.  Run: python3 tests/decide/make_table.py > tests/decide/table.yaml"""
import yaml

MUTSU = "000 むつ市議会 対策基準 5"
STD = ["mic-standard", "ichikawa", "manazuru"]          # these follow the standard tables
ALL = STD + ["mutsu-council"]

defaults = {p: {"subject": {"id": "u1", "roles": ["staff"], "department": "zeimu", "mfa": True,
                            "terminal": {"segment": "lgwan", "issued": True}},
                "resource": {"classification": {"confidentiality": 2, "integrity": 1, "availability": 1},
                             "department": "zeimu", "segment": "lgwan"}}
            for p in STD}
defaults["mutsu-council"] = {"subject": {"id": "g1", "roles": ["councillor"], "department": "gikai-jimukyoku",
                                         "mfa": True, "terminal": {"segment": "lgwan", "issued": True}},
                             "resource": {"classification": {"confidentiality": 2, "integrity": 1, "availability": 1},
                                          "department": "gikai-jimukyoku", "segment": "lgwan"}}
cases = []

def case(name, cite, request, expect, request_for=None):
    c = {"name": name, "cite": cite, "request": request, "expect": expect}
    if request_for:
        c["request_for"] = request_for
    cases.append(c)

def cls(c=2, i=1, a=1):
    return {"resource": {"classification": {"confidentiality": c, "integrity": i, "availability": a}}}

def merge(*ds):
    out = {}
    for d in ds:
        for k, v in d.items():
            out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out

unissued = {"subject": {"terminal": {"issued": False}}}
# 1. 機密性3: 支給以外の端末での作業の原則禁止
for act in ["read", "write", "copy", "print", "store"]:
    case(f"機密性3 {act} on a terminal not issued", f"{MUTSU} 機密性3 取扱制限「支給以外の端末での作業の原則禁止 （機密性3の情報資産に対して）」",
         merge({"action": act}, cls(3), unissued), {p: {"decision": "deny", "reasons": ["issued-terminal-only"]} for p in ALL})
    case(f"機密性3 {act} on an issued terminal", f"{MUTSU} 機密性3 取扱制限「支給以外の端末での作業の原則禁止」— on an issued terminal the work is allowed",
         merge({"action": act}, cls(3)), {p: {"decision": "allow", "not_reasons": ["issued-terminal-only"]} for p in ALL})
    case(f"機密性2 {act} on a terminal not issued", f"{MUTSU} 機密性2: the issued-terminal rule is listed for 機密性3 only",
         merge({"action": act}, cls(2), unissued), {p: "allow" for p in ALL})
# 2. 機密性3: 必要以上の複製及び配付禁止
for act in ["copy", "print"]:
    case(f"機密性3 {act} carries no-excess-copies", f"{MUTSU} 機密性3 取扱制限「必要以上の複製及び配付禁止」",
         merge({"action": act}, cls(3)), {p: {"decision": "allow", "obligations": ["no-excess-copies"]} for p in ALL})
    case(f"機密性1 {act} carries nothing", f"{MUTSU} 機密性1: 取扱制限 none",
         merge({"action": act}, cls(1)), {p: {"decision": "allow", "exact": True} for p in ALL})
# 3. 機密性2: 送信・運搬時の暗号化、信頼できる回線
for c in (2, 3):
    case(f"機密性{c} send within LGWAN: encrypt and trusted line", f"{MUTSU} 機密性2 取扱制限「情報の送信、情報資産の運搬・提供時における暗号化・パスワード設定や鍵付きケースへの格納」「信頼のできるネットワーク回線の選択」",
         merge({"action": "send"}, cls(c)), {p: {"decision": "allow", "obligations": ["encrypt-in-transit", "trusted-network"]} for p in ALL})
case("機密性1 send: no encryption required", f"{MUTSU} 機密性1「機密性2又は機密性3の情報資産以外の情報資産」: no 取扱制限",
     merge({"action": "send"}, cls(1)), {p: {"decision": "allow", "not_obligations": ["encrypt-in-transit"]} for p in ALL})
for c in (2, 3):
    case(f"機密性{c} store: restricted place, locked media", f"{MUTSU} 機密性2 取扱制限「保管場所の制限…」「電磁的記録媒体の施錠可能な場所への保管」",
         merge({"action": "store"}, cls(c)), {p: {"decision": "allow", "obligations": ["restricted-storage", "locked-media-storage"]} for p in ALL})
# 4. 廃棄
mgr = {"mic-standard": {"subject": {"roles": ["security-manager"]}}, "ichikawa": {"subject": {"roles": ["security-manager"]}},
       "manazuru": {"subject": {"roles": ["security-manager"]}}, "mutsu-council": {"subject": {"roles": ["chief-officer"]}}}
for c in (2, 3):
    case(f"機密性{c} dispose: irreversibly", f"{MUTSU} 機密性2 取扱制限「復元不可能な処理を施しての廃棄」; 対策基準 6「各分類 2 以上の情報資産については…復元不可能な方法で廃棄する」",
         merge({"action": "dispose"}, cls(c)), {p: {"decision": "allow", "obligations": ["irreversible-disposal"]} for p in ALL}, mgr)
case("機密性1 完全性2 dispose: むつ市議会 requires irreversible disposal, the standard does not",
     "000 むつ市議会 対策基準 6「各分類 2 以上の情報資産については、適切に保管し不要となった場合は、復元不可能な方法で廃棄する」 (every axis), against the guideline's table (機密性 only)",
     merge({"action": "dispose"}, cls(1, 2, 1)),
     {**{p: {"decision": "allow", "not_obligations": ["irreversible-disposal"]} for p in STD},
      "mutsu-council": {"decision": "allow", "obligations": ["irreversible-disposal"]}}, mgr)
case("機密性1 可用性2 dispose: むつ市議会 requires irreversible disposal",
     "000 むつ市議会 対策基準 6「各分類 2 以上の情報資産については…復元不可能な方法で廃棄する」",
     merge({"action": "dispose"}, cls(1, 1, 2)),
     {**{p: {"decision": "allow", "not_obligations": ["irreversible-disposal"]} for p in STD},
      "mutsu-council": {"decision": "allow", "obligations": ["irreversible-disposal"]}}, mgr)
case("職員 may not dispose", "mic-standard 対策基準 1(4): 情報資産の…廃棄を許可する is the 情報セキュリティ管理者's duty",
     merge({"action": "dispose"}, cls(1)), {p: {"decision": "deny", "reasons": ["role-not-permitted"]} for p in STD})
# 5. 完全性2 / 可用性2
for act, obl in [("write", ["backup"]), ("store", ["backup"]), ("send", ["electronic-signature"])]:
    case(f"完全性2 {act}", f"{MUTSU} 完全性2 取扱制限「バックアップ、電子署名付与」",
         merge({"action": act}, cls(1, 2, 1)), {p: {"decision": "allow", "obligations": obl} for p in ALL})
    case(f"完全性1 {act}: no integrity obligations", f"{MUTSU} 完全性1「完全性 2 情報資産以外の情報資産」",
         merge({"action": act}, cls(1, 1, 1)), {p: {"decision": "allow", "not_obligations": ["backup", "electronic-signature"]} for p in ALL})
case("可用性2 store: backup and recovery in time", f"{MUTSU} 可用性2 取扱制限「バックアップ、指定する時間以内の復旧」",
     merge({"action": "store"}, cls(1, 1, 2)), {p: {"decision": "allow", "obligations": ["backup", "timely-recovery", "locked-media-storage"]} for p in ALL})
case("完全性2 take out: rules for processing outside", f"{MUTSU} 完全性2 取扱制限「外部で情報処理を行う際の安全管理措置の規定」",
     merge({"action": "take_out"}, cls(1, 2, 1)), {p: {"decision": "allow", "obligations": ["external-processing-rules"]} for p in STD}, {p: mgr[p] for p in STD})
# 6. マイナンバー利用事務系
mn = {"subject": {"terminal": {"segment": "mynumber"}}, "resource": {"segment": "mynumber"}}
for act in ["read", "write", "print", "store"]:
    case(f"マイナンバー利用事務系 {act} without MFA", "基本方針 6(3)①「端末への多要素認証の導入」 (all five sources)",
         merge({"action": act}, cls(2), mn, {"subject": {"mfa": False}}), {p: {"decision": "deny", "reasons": ["mfa"]} for p in ALL})
    case(f"マイナンバー利用事務系 {act} with MFA", "基本方針 6(3)① — with multi-factor authentication the work inside the segment is allowed",
         merge({"action": act}, cls(2), mn), {p: "allow" for p in ALL})
for dest in ["lgwan", "internet"]:
    for ch in ["mail", "file-transfer", "web"]:
        case(f"マイナンバー利用事務系 → {dest} by {ch}", "基本方針 6(3)①「原則として、他の領域との通信をできないようにした上で」",
             merge({"action": "send", "context": {"channel": ch, "destination_segment": dest}}, cls(2), mn),
             {p: {"decision": "deny", "reasons": ["flow-denied"]} for p in ALL})
    case(f"{dest} → マイナンバー利用事務系", "基本方針 6(3)①「他の領域との通信をできないように」 — nothing enters either",
         merge({"action": "send", "context": {"channel": "file-transfer", "destination_segment": "mynumber"},
                "subject": {"terminal": {"segment": dest}}, "resource": {"segment": dest}}, cls(1)),
         {p: {"decision": "deny", "reasons": ["flow-denied"]} for p in ALL})
case("マイナンバー利用事務系 take out", "基本方針 6(3)①「端末からの情報持ち出し不可設定」",
     merge({"action": "take_out"}, cls(2), mn), {p: {"decision": "deny", "reasons": ["no-take-out"]} for p in ALL}, mgr)
case("read a マイナンバー asset from LGWAN", "基本方針 6(3)① — no communication with other segments",
     merge({"action": "read", "resource": {"segment": "mynumber"}, "context": {"channel": "screen-transfer"}}, cls(2)),
     {p: {"decision": "deny", "reasons": ["flow-denied"]} for p in ALL})
# 7. LGWAN ⇄ インターネット: 無害化通信
inet = {"subject": {"terminal": {"segment": "internet"}}, "resource": {"segment": "internet"}}
case("internet mail into LGWAN: text-ified", "基本方針 2(12)「インターネットメール本文のテキスト化…安全が確保された通信」; 6(3)②「両システム間で通信する場合には、無害化通信を実施する」",
     merge({"action": "send", "context": {"channel": "mail", "destination_segment": "lgwan"}}, cls(1), inet),
     {p: {"decision": "allow", "obligations": ["mail-text"]} for p in ALL})
case("LGWAN mail to the internet: text-ified", "基本方針 6(3)②「両システム間で通信する場合には、無害化通信を実施する」",
     merge({"action": "send", "context": {"channel": "mail", "destination_segment": "internet"}}, cls(1)),
     {p: {"decision": "allow", "obligations": ["mail-text"]} for p in ALL})
case("internet file into LGWAN: disarmed", "基本方針 6(3)② 無害化通信 (file)",
     merge({"action": "transfer", "context": {"channel": "file-transfer", "destination_segment": "lgwan"}}, cls(1), inet),
     {p: {"decision": "allow", "obligations": ["file-disarm"]} for p in ALL}, {p: {"subject": {"roles": ["system-staff"]}} for p in STD} | {"mutsu-council": {"subject": {"roles": ["security-staff"]}}})
case("viewing the internet from LGWAN by screen transfer", "基本方針 2(12)「端末への画面転送等により…安全が確保された通信」",
     merge({"action": "read", "resource": {"segment": "internet"}, "context": {"channel": "screen-transfer"}}, cls(1)),
     {p: {"decision": "allow", "obligations": ["screen-only"]} for p in ALL})
for ch in ["web", "api", "media"]:
    case(f"LGWAN → internet by {ch}", "基本方針 2(11)「安全が確保された通信だけを許可」; 6(3)② 通信経路の分割",
         merge({"action": "send", "context": {"channel": ch, "destination_segment": "internet"}}, cls(1)),
         {p: {"decision": "deny", "reasons": ["flow-denied"]} for p in ALL})
    case(f"internet → LGWAN by {ch}", "基本方針 2(11) 通信経路の分割: only 無害化通信 crosses",
         merge({"action": "send", "context": {"channel": ch, "destination_segment": "lgwan"}}, cls(1), inet),
         {p: {"decision": "deny", "reasons": ["flow-denied"]} for p in ALL})
case("LGWAN → internet with no channel named", "基本方針 2(11): a flow that is not shown safe is not allowed",
     merge({"action": "send", "context": {"destination_segment": "internet"}}, cls(1)),
     {p: {"decision": "deny", "reasons": ["flow-denied"]} for p in ALL})
case("internet mail passes the security cloud", "001 市川市 6(3)③「自治体情報セキュリティクラウドの導入等を実施する」",
     merge({"action": "send", "context": {"channel": "mail", "destination_segment": "lgwan"}}, cls(1), inet),
     {**{p: {"decision": "allow", "obligations": ["security-cloud", "monitoring"]} for p in STD},
      "mutsu-council": {"decision": "allow", "obligations": ["monitoring"], "not_obligations": ["security-cloud"]}})
# 8. 公表
pub = {p: {"subject": {"roles": ["security-manager"]}} for p in STD} | {"mutsu-council": {"subject": {"roles": ["chief-officer"]}}}
for c in (2, 3):
    case(f"publish 機密性{c}", f"{MUTSU} 機密性2「直ちに一般公表することを前提としていない情報資産」",
         merge({"action": "publish"}, cls(c)), {p: {"decision": "deny", "reasons": ["classified-not-public"]} for p in ALL}, pub)
case("publish 機密性1", f"{MUTSU} 機密性1: no restriction on publication",
     merge({"action": "publish"}, cls(1)), {p: "allow" for p in ALL}, pub)
case("publish 機密性1 完全性2: signed", f"{MUTSU} 完全性2 取扱制限「電子署名付与」",
     merge({"action": "publish"}, cls(1, 2, 1)), {p: {"decision": "allow", "obligations": ["electronic-signature"]} for p in ALL}, pub)
# 9. roles and departments
for act in ["write", "copy", "send", "store", "dispose"]:
    case(f"auditor {act}", "基本方針 7 情報セキュリティ監査: the auditor checks, and changes nothing (mic-standard access: read)",
         merge({"action": act}, cls(1)), {p: {"decision": "deny", "reasons": ["role-not-permitted"]} for p in ALL},
         {p: {"subject": {"roles": ["auditor"]}} for p in ALL})
case("auditor reads another department's asset", "基本方針 7: the audit covers every department",
     merge({"action": "read", "resource": {"department": "soumu"}}, cls(2)), {p: "allow" for p in STD},
     {p: {"subject": {"roles": ["auditor"]}} for p in STD})
for act in ["read", "write", "send"]:
    case(f"職員 {act} on another department's asset", "mic-standard 対策基準 1(4): 情報セキュリティ管理者 is responsible for the assets of their own 課; 職員等 handle their department's",
         merge({"action": act, "resource": {"department": "soumu"}}, cls(1)), {p: {"decision": "deny", "reasons": ["role-not-permitted"]} for p in STD})
    case(f"CISO {act} on any department's asset", "mic-standard 対策基準 1(1): CISO has authority over all information assets",
         merge({"action": act, "resource": {"department": "soumu"}}, cls(1)), {p: "allow" for p in STD},
         {p: {"subject": {"roles": ["ciso"]}} for p in STD})
case("職員 takes an asset out", "mic-standard 対策基準 1(4): taking assets out needs the 情報セキュリティ管理者's permission",
     merge({"action": "take_out"}, cls(2)), {p: {"decision": "deny", "reasons": ["role-not-permitted"]} for p in STD})
case("情報セキュリティ管理者 takes a 機密性2 asset out", "対策基準 5 機密性2「…運搬…時における暗号化…」「外部で情報処理を行う際の安全管理措置」",
     merge({"action": "take_out"}, cls(2)), {p: {"decision": "allow", "obligations": ["encrypt-in-transit", "external-processing-rules", "locked-media-storage"]} for p in STD},
     {p: {"subject": {"roles": ["security-manager"]}} for p in STD})
case("a subject with no role", "基本方針 5 遵守義務: every 職員等 acts in a role", merge({"action": "read", "subject": {"roles": []}}, cls(1)),
     {p: {"decision": "deny", "reasons": ["no-role"]} for p in ALL})
case("議員 read the council's asset", "000 むつ市議会 対策基準 2「本対策基準の対象者は議員とする」",
     merge({"action": "read"}, cls(2)), {"mutsu-council": "allow"})
case("議員 is not a role of the city policies", "000 むつ市議会 vs 001/002: 議員 is the council's 対象者 only",
     merge({"action": "read"}, cls(1)), {p: {"error": "subject.roles[0]"} for p in STD}, {p: {"subject": {"roles": ["councillor"]}} for p in STD})
case("情報セキュリティ担当者 of the council does daily system work", "000 むつ市議会 対策基準 4(2)「情報システムの開発並びに設定、運用、更新等の日常的な作業」",
     merge({"action": "write"}, cls(2)), {"mutsu-council": "allow"}, {"mutsu-council": {"subject": {"roles": ["security-staff"]}}})
case("統括責任者 has every authority", "000 むつ市議会 対策基準 4(1)②「…情報セキュリティ対策に関する権限及び責任を有し」",
     merge({"action": "dispose"}, cls(3)), {"mutsu-council": {"decision": "allow", "obligations": ["irreversible-disposal"]}},
     {"mutsu-council": {"subject": {"roles": ["chief-officer"]}}})
# 10. 市川市: the school network (校内ネットワーク)
for src, dst in [("koumu", "gakushu"), ("gakushu", "koumu"), ("koumu", "koumu-external"), ("koumu-external", "internet"), ("koumu", "lgwan")]:
    case(f"市川市 {src} → {dst}", "001 市川市 2(12) 校内ネットワーク ①–③: the 基本方針 allows no flow between them (対策基準 non-public) — default deny",
         merge({"action": "send", "context": {"channel": "file-transfer", "destination_segment": dst},
                "subject": {"terminal": {"segment": src}}, "resource": {"segment": src}}, cls(1)),
         {"ichikawa": {"decision": "deny", "reasons": ["flow-denied"]}, "mic-standard": {"error": "subject.terminal.segment"}})
case("市川市 学習系 read inside the segment", "001 市川市 2(12)③「当該情報に教員及び児童生徒がアクセスすることが想定されている情報」",
     merge({"action": "read", "subject": {"terminal": {"segment": "gakushu"}}, "resource": {"segment": "gakushu"}}, cls(1)),
     {"ichikawa": "allow"})
# 12. obligations by level and action, exactly (the standard tables as むつ市議会 対策基準 5 gives them)
expected = {
    1: {a: [] for a in ["read", "write", "copy", "print", "send", "store"]},
    2: {"read": [], "write": [], "copy": [], "print": [], "send": ["encrypt-in-transit", "trusted-network"],
        "store": ["restricted-storage", "locked-media-storage"]},
    3: {"read": [], "write": [], "copy": ["no-excess-copies"], "print": ["no-excess-copies"],
        "send": ["encrypt-in-transit", "trusted-network", "no-excess-copies"], "store": ["restricted-storage", "locked-media-storage"]},
}
for c, acts in expected.items():
    for act, obl in acts.items():
        case(f"機密性{c} {act}: exactly these obligations", f"{MUTSU} 機密性{c} 取扱制限 (the rows of the table that bind '{act}')",
             merge({"action": act}, cls(c)), {p: {"decision": "allow", "obligations": obl, "exact": True} for p in ALL})
for c, obl in [(1, []), (2, ["encrypt-in-transit", "external-processing-rules", "locked-media-storage"]),
               (3, ["encrypt-in-transit", "external-processing-rules", "locked-media-storage"])]:
    case(f"管理者 takes 機密性{c} out: exactly these obligations", f"{MUTSU} 機密性2 取扱制限「…運搬…暗号化…」「外部で情報処理を行う際の安全管理措置の規定」「電磁的記録媒体の施錠可能な場所への保管」",
         merge({"action": "take_out"}, cls(c)), {p: {"decision": "allow", "obligations": obl, "exact": True} for p in STD},
         {p: {"subject": {"roles": ["security-manager"]}} for p in STD})
case("完全性2 可用性2 store: exactly backup, locked media, recovery", f"{MUTSU} 完全性2「バックアップ」「電磁的記録媒体の施錠可能な場所への保管」; 可用性2「指定する時間以内の復旧」",
     merge({"action": "store"}, cls(1, 2, 2)), {p: {"decision": "allow", "obligations": ["backup", "locked-media-storage", "timely-recovery"], "exact": True} for p in ALL})
case("管理者 disposes of 機密性1: nothing required", f"{MUTSU} 機密性1: no 取扱制限",
     merge({"action": "dispose"}, cls(1)), {p: {"decision": "allow", "exact": True} for p in ALL}, mgr)
for c in (1, 2, 3):
    case(f"internet mail of 機密性{c} into LGWAN", "基本方針 6(3)② 無害化通信, with the 取扱制限 of the level",
         merge({"action": "send", "context": {"channel": "mail", "destination_segment": "lgwan"}}, cls(c), inet),
         {p: {"decision": "allow", "obligations": ["mail-text"] + (["encrypt-in-transit"] if c > 1 else [])} for p in ALL})
    case(f"screen transfer of 機密性{c} from the internet", "基本方針 2(12)「端末への画面転送等」",
         merge({"action": "read", "resource": {"segment": "internet"}, "context": {"channel": "screen-transfer"}}, cls(c)),
         {p: {"decision": "allow", "obligations": ["screen-only"]} for p in ALL})
    case(f"auditor reads 機密性{c}", "基本方針 7 情報セキュリティ監査",
         merge({"action": "read"}, cls(c)), {p: "allow" for p in ALL}, {p: {"subject": {"roles": ["auditor"]}} for p in ALL})
for act in ["read", "write", "send", "store"]:
    case(f"LGWAN接続系 {act} without MFA", "基本方針 6(3)②: LGWAN接続系 requires 通信経路の分割, not 多要素認証",
         merge({"action": act, "subject": {"mfa": False}}, cls(1)), {p: "allow" for p in ALL})
for ch in ["mail", "file-transfer", "web"]:
    case(f"send within LGWAN by {ch}", "基本方針 2(11): separation is between segments; inside LGWAN接続系 no flow rule applies",
         merge({"action": "send", "context": {"channel": ch, "destination_segment": "lgwan"}}, cls(1)), {p: "allow" for p in ALL})
case("CISO publishes 機密性1", "mic-standard 対策基準 1(1)", merge({"action": "publish"}, cls(1)), {p: "allow" for p in STD},
     {p: {"subject": {"roles": ["ciso"]}} for p in STD})
for field, req in [("resource.asset", {"resource": {"asset": "A-000001", "classification": None, "department": None, "segment": None}}),
                   ("subject.roles[1]", {"subject": {"roles": ["staff", "intern"]}}),
                   ("resource.classification.integrity", cls(1, 3, 1)),
                   ("subject.roles[0]", {"subject": {"roles": ["staf"]}}),
                   ("context.destination_segment", {"context": {"destination_segment": "dmz"}})]:
    case(f"unknown {field}", "docs/decide.md: an unknown id is an error that names the field, never a silent allow",
         merge({"action": "read"}, req), {p: {"error": field} for p in ALL},
         {"mutsu-council": {"subject": {"roles": ["councillor", "intern"]}}} if field == "subject.roles[1]" else None)
case("議員 takes an asset out", "000 むつ市議会 対策基準 7: tablets are lent (貸与); taking assets out is not among 議員's tasks in the text",
     merge({"action": "take_out"}, cls(1)), {"mutsu-council": {"decision": "deny", "reasons": ["role-not-permitted"]}})
case("外部委託事業者 works on the council's asset", "000 むつ市議会 前文: the policy binds 議員及び外部委託事業者",
     merge({"action": "write"}, cls(1)), {"mutsu-council": "allow"}, {"mutsu-council": {"subject": {"roles": ["contractor"]}}})
case("市川市 校務系 without MFA", "001 市川市 2(12)①: 校務系 is defined, its requirements are in the non-public 教育情報セキュリティ対策基準",
     merge({"action": "read", "subject": {"mfa": False, "terminal": {"segment": "koumu"}}, "resource": {"segment": "koumu"}}, cls(2)),
     {"ichikawa": "allow"})

# 11. unknown ids are errors, never a silent allow
for field, req in [("action", {"action": "delete"}), ("subject.terminal.segment", {"subject": {"terminal": {"segment": "dmz"}}}),
                   ("resource.segment", {"resource": {"segment": "cloud"}}), ("context.channel", {"context": {"channel": "fax"}}),
                   ("subject.department", {"subject": {"department": "nowhere"}}),
                   ("resource.classification.confidentiality", cls(4))]:
    case(f"unknown {field}", "docs/decide.md: an unknown id is an error that names the field, never a silent allow",
         merge({"action": "read"}, req), {p: {"error": field} for p in ALL})

print("# Generated by tests/decide/make_table.py from the source policies' sentences; edit that file.")
print(yaml.safe_dump({"defaults": defaults, "cases": cases}, allow_unicode=True, sort_keys=False, width=200))
