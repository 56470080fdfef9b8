#!/usr/bin/python3
"""The decision table: cases written from the texts of the source policies, each
citing the sentence it comes from, run through `mamori decide --batch` against
the policies they name.  Each case's request is laid over the table's
`defaults` for that policy (and the case's `request_for` it).  A case passes when the decision matches and every
reason / obligation id it names is present (and, with `exact`, no other).

Usage: decide_table.py MAMORI SRCDIR TABLE.yaml
Prints one FAIL line per failing case, then `N passed, N failed`."""
import json
import subprocess
import sys

import yaml


def deep_merge(base, over):
    out = dict(base)
    for k, v in (over or {}).items():
        out[k] = deep_merge(out.get(k, {}), v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def main():
    mamori, srcdir, table_path = sys.argv[1:4]
    table = yaml.safe_load(open(table_path, encoding="utf-8"))
    defaults = table.get("defaults", {})
    cases = table["cases"]
    by_policy = {}
    for n, case in enumerate(cases):
        if "cite" not in case or not case["cite"].strip():
            print(f"FAIL case {n} ({case.get('name')}): no 'cite' (the sentence it comes from)")
            continue
        for policy, expect in case["expect"].items():
            # the policy's defaults, the case's request, then its per-policy overrides
            request = deep_merge(defaults.get(policy, {}), case.get("request", {}))
            request = deep_merge(request, case.get("request_for", {}).get(policy, {}))
            by_policy.setdefault(policy, []).append((n, case, request, expect))

    passed = failed = 0
    for policy, items in by_policy.items():
        path = f"{srcdir}/policies/{policy}.yaml"
        lines = "".join(json.dumps(req, ensure_ascii=False) + "\n" for _, _, req, _ in items)
        run = subprocess.run([mamori, "decide", "--policy", path, "--batch"], input=lines.encode(),
                             capture_output=True)
        out = run.stdout.decode().splitlines()
        if run.returncode != 0 or len(out) != len(items):
            print(f"FAIL {policy}: mamori exited {run.returncode}, {len(out)} answers for {len(items)} "
                  f"requests: {run.stderr.decode()[:500]}")
            failed += len(items)
            continue
        for (n, case, req, expect), line in zip(items, out):
            got = json.loads(line)
            problems = check(expect, got)
            if problems:
                failed += 1
                print(f"FAIL case {n} '{case.get('name', '')}' under {policy}: {'; '.join(problems)}\n"
                      f"     cite: {case['cite']}\n     got: {line}")
            else:
                passed += 1
    print(f"{len(cases)} cases, {passed + failed} checks")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def check(expect, got):
    if isinstance(expect, str):
        expect = {"decision": expect}
    problems = []
    if "error" in expect:
        if "error" not in got or got["error"]["field"] != expect["error"]:
            problems.append(f"expected an error on field {expect['error']}")
        return problems
    if "error" in got:
        return [f"unexpected error {got['error']}"]
    if got["decision"] != expect["decision"]:
        problems.append(f"decision {got['decision']}, expected {expect['decision']}")
    for key in ("reasons", "obligations"):
        ids = [item["id"] for item in got[key]]
        for want in expect.get(key, []):
            if want not in ids:
                problems.append(f"{key} lack {want} (have {ids})")
        for unwanted in expect.get("not_" + key, []):
            if unwanted in ids:
                problems.append(f"{key} should not have {unwanted}")
        if expect.get("exact") and sorted(ids) != sorted(expect.get(key, [])):
            problems.append(f"{key} are {ids}, expected exactly {expect.get(key, [])}")
        for item in got[key]:
            if not item.get("clause"):
                problems.append(f"{key} item {item['id']} has no clause")
    if got["decision"] == "deny" and not got["reasons"]:
        problems.append("a deny without reasons")
    return problems


if __name__ == "__main__":
    sys.exit(main())
