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
# the document is valid OpenAPI 3.1 (when the validator is installed: python3-openapi-spec-validator)
if /usr/bin/python3 -c 'import openapi_spec_validator' 2>/dev/null; then
	/usr/bin/python3 - "$SRCDIR/docs/openapi.yaml" <<'PY' && ok || not_ok "docs/openapi.yaml is not valid OpenAPI 3.1"
import pathlib, sys, yaml
from openapi_spec_validator import validate
path = pathlib.Path(sys.argv[1]).resolve()
validate(yaml.safe_load(path.read_text(encoding="utf-8")), base_uri=path.as_uri())
PY
else
	echo "note: openapi_spec_validator not installed; document not validated" >&2
fi
finish
