#!/usr/bin/env bash
# docs/openapi.yaml documents exactly the routes the server registers.
. "$(dirname "$0")/lib.sh"

"$MAMORI" serve --routes | sort >"$TMP/server" && ok || not_ok "serve --routes"
/usr/bin/python3 - "$SRCDIR/docs/openapi.yaml" <<'PY' | sort >"$TMP/doc"
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
assert doc["openapi"].startswith("3.1"), "OpenAPI 3.1"
for path, ops in doc["paths"].items():
    for method in ops:
        if method in ("get", "post", "put", "patch", "delete"):
            print(method.upper(), path)
PY
[ -s "$TMP/doc" ] && ok || not_ok "no paths read from docs/openapi.yaml"
if diff -u "$TMP/doc" "$TMP/server" >"$TMP/diff"; then ok; else
	not_ok "routes and docs/openapi.yaml differ (- documented only, + served only)"; cat "$TMP/diff" >&2
fi
finish
