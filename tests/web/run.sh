#!/usr/bin/env bash
# tests/web: the browser tests (node:test files *.test.mjs), headless Debian
# chromium driven by playwright-core from tests/web/node_modules.
# Skipped (77) when chromium, node or playwright-core are missing — except in
# CI (CI=true), where scripts/install-deps.sh --tests installs them and a
# missing one is a failure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
missing=
command -v node >/dev/null || missing+=" node"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || missing+=" chromium"
[ -d "$here/node_modules/playwright-core" ] || missing+=" playwright-core (npm ci in tests/web)"
if [ -n "$missing" ]; then
	echo "web tests need:$missing (bash scripts/install-deps.sh --tests installs them)"
	[ "${CI:-}" = true ] && exit 1
	exit 77
fi
# MAMORI_WEB_TESTS=skip: a CI pass that has run them in another build already
if [ "${MAMORI_WEB_TESTS:-}" = skip ]; then
	echo "web tests skipped (MAMORI_WEB_TESTS=skip)"
	exit 77
fi
export SRCDIR=${SRCDIR:-$(cd "$here/../.." && pwd)}
files=("$here"/*.test.mjs)
[ -n "${MAMORI_WEB_ONLY:-}" ] && files=("$here/$MAMORI_WEB_ONLY.test.mjs")
exec node --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
