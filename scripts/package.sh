#!/usr/bin/env bash
# Builds mamori's Debian package from this tree (dpkg-buildpackage -us -uc -b,
# tests disabled), checks it with lintian (errors fail; warnings are printed
# and must be the ones the README justifies), installs it with apt-get, and
# runs the installed mamori: `policy check` on the installed policies, the
# account, the directories and the configuration the package made.
# Usage: scripts/package.sh [--keep DIR]   (the .deb is left in DIR)
# Exits 77 (skipped) when not root or dpkg-buildpackage is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD

if [ "$(id -u)" -ne 0 ]; then
	echo "package: SKIPPED: not root (apt-get install of the package needs root)"; exit 77
fi
if ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null; then
	echo "package: SKIPPED: dpkg-buildpackage or debhelper missing (bash scripts/install-deps.sh --tests)"; exit 77
fi

# this check installs and purges the package: never on a server that runs mamori
if dpkg-query -W -f='${Status}' mamori 2>/dev/null | grep -q "install ok installed" || [ -e /var/lib/mamori ] ||
   [ -e /etc/mamori ]; then
	echo "package: SKIPPED: mamori is installed here, or /var/lib/mamori or /etc/mamori exists (a server's own: not touched)"
	exit 77
fi

work=$(mktemp -d /tmp/mamori-package.XXXXXX)
trap 'rm -rf "$work"' EXIT
version=$(dpkg-parsechangelog -l debian/changelog -S Version)
tree="$work/mamori-$version"
mkdir -p "$tree"
# the tracked and new files of this tree, not its build directories
git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -xf - -C "$tree"

echo "package: dpkg-buildpackage -us -uc -b"
(cd "$tree" && DEB_BUILD_OPTIONS="parallel=2 nocheck" dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1) || {
	tail -60 "$work/build.log"; echo "package: FAILED: dpkg-buildpackage"; exit 1; }
deb=$(ls "$work"/mamori_*.deb)
echo "package: built $(basename "$deb") ($(du -h "$deb" | cut -f1))"

echo "package: lintian"
lintian --tag-display-limit 0 "$work"/mamori_*.changes >"$work/lintian.log" 2>&1 || true
cat "$work/lintian.log"
if grep -q '^E: ' "$work/lintian.log"; then
	echo "package: FAILED: lintian reports errors"; exit 1
fi
# every warning must be one the README lists (section "本番環境への導入")
while read -r tag; do
	grep -q -- "\`$tag\`" "$src/README.md" || { echo "package: FAILED: lintian warning $tag is not justified in README.md"; exit 1; }
done < <(sed -n 's/^W: [^ ]* [^:]*: \([a-z0-9-]*\).*/\1/p' "$work/lintian.log" | sort -u)

echo "package: apt-get install ./$(basename "$deb")"
(cd "$work" && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "./$(basename "$deb")" \
	>"$work/install.log" 2>&1) || { tail -30 "$work/install.log"; echo "package: FAILED: install"; exit 1; }

fail=0
check() { local what=$1; shift; if "$@"; then echo "package: ok: $what"; else echo "package: FAILED: $what"; fail=1; fi; }
check "the installed mamori checks the installed policies" /usr/bin/mamori policy check /usr/share/mamori/policies/*.yaml
check "mamori-full beside it" test -x /usr/bin/mamori-full
check "the web UI installed" test -f /usr/share/mamori/web/index.html
check "man pages" test -f /usr/share/man/man1/mamori.1.gz
check "the account _mamori" getent passwd _mamori
check "/var/lib/mamori 0750 _mamori" test "$(stat -c '%a %U' /var/lib/mamori)" = "750 _mamori"
check "/etc/mamori and its configuration" test -f /etc/mamori/mamori.conf
check "the configuration is read" sh -c '/usr/bin/mamori config show | grep -q "^store = /var/lib/mamori/mamori.db"'
check "the units installed" test -f /lib/systemd/system/mamori.service -a -f /lib/systemd/system/mamori-backup.timer
# a store as the service would make it, and a backup by the service's account
check "init as _mamori" runuser -u _mamori -- /usr/bin/mamori init --policy /usr/share/mamori/policies/mic-standard.yaml
check "backup --auto as _mamori" runuser -u _mamori -- /usr/bin/mamori backup --auto
check "the installed serve starts as the unit starts it" sh -c '
	runuser -u _mamori -- /usr/bin/mamori serve --config /etc/mamori/mamori.conf --listen 127.0.0.1:18089 >/tmp/mamori-pkg-serve.log 2>&1 &
	pid=$!; for i in $(seq 50); do curl -sf -o /dev/null http://127.0.0.1:18089/api/health && break; sleep 0.2; done
	curl -sf -o /dev/null http://127.0.0.1:18089/api/health; rc=$?; kill -TERM $pid; wait $pid; exit $rc'
if [ "${1:-}" = --keep ] && [ -n "${2:-}" ]; then cp "$deb" "$2/"; fi

# leave the machine as it was: the package, and the store and account it made for the check
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq mamori >/dev/null 2>&1 || true
rm -rf /var/lib/mamori /etc/mamori
deluser --quiet --system _mamori >/dev/null 2>&1 || true
delgroup --quiet --system _mamori >/dev/null 2>&1 || true
[ "$fail" -eq 0 ] && echo "package: ok" || echo "package: FAILED"
exit "$fail"
