#!/usr/bin/env bash
# Installs the Debian 12 packages mamori needs to build and test, and generates
# the ja_JP.UTF-8 locale its Japanese messages use.
# Idempotent: packages already present are left alone, apt-get update runs
# only when something is missing, and the locale is generated only when absent.
# Usage: scripts/install-deps.sh [--tests | --print-test-packages]
set -euo pipefail

build_pkgs=(
  build-essential meson ninja-build pkg-config clang
  libsqlite3-dev libpq-dev libfyaml-dev libcjson-dev libsodium-dev nettle-dev
  libmicrohttpd-dev liboath-dev libqrencode-dev libxlsxwriter-dev libcurl4-openssl-dev
  libgmime-3.0-dev libxml2-dev libmilter-dev gettext
  libpoppler-glib-dev libcairo2-dev libzip-dev libjpeg62-turbo-dev libunistring-dev
  libsystemd-dev locales
  # the reports as PDF (mamori report, src/lib/report_pdf.c): pango, and a Japanese font
  libpango1.0-dev fonts-ipaexfont
)
# Intel's multi-buffer library (the audit trail's leaves hashed two at a time,
# src/lib/hashbatch.c) exists for amd64 only; elsewhere nettle hashes alone.
if [ "$(dpkg --print-architecture)" = amd64 ]; then
  build_pkgs+=(libipsec-mb-dev)
fi
# nftables and iproute2: tests/cli/net_*.sh load the rendered ruleset (nft -c,
# and in network namespaces as root); graphviz: `mamori net render --format svg`;
# debhelper, dpkg-dev, lintian: the Debian package (scripts/package.sh);
# systemd: systemd-analyze for the units (tests/cli/service_units.sh);
# poppler-utils: tests/cli/report.sh reads the reports back (pdftotext) and
# draws them for a reviewer (pdftoppm); postgresql-15: the server of the
# throwaway clusters the suites unit-pg and cli-pg run on (tests/pg/cluster.sh;
# psql comes with it)
test_pkgs=(
  libcmocka-dev sqlite3 postgresql-15 python3 python3-jsonschema python3-yaml curl libxml2-utils
  postfix chromium fonts-noto-cjk
  nftables iproute2 graphviz poppler-utils
  debhelper dpkg-dev lintian systemd
)

# --print-test-packages: list the test-only packages (CI hides them from the
# demo's build to prove that the main job needs none of them)
if [ "${1:-}" = "--print-test-packages" ]; then
  printf '%s\n' "${test_pkgs[@]}"
  exit 0
fi

want=("${build_pkgs[@]}")
if [ "${1:-}" = "--tests" ]; then
  want+=("${test_pkgs[@]}")
  # the browser tests' driver runs on Node.js (>= 20 for playwright-core;
  # Debian's nodejs where the machine has none)
  command -v node >/dev/null || want+=(nodejs npm)
fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# web_test_driver: playwright-core for tests/web, from the lockfile (npm ci),
# only when what is installed is not what the lockfile names
web_test_driver() {
  local web want_v have_v
  web="$(cd "$(dirname "$0")/.." && pwd)/tests/web"
  want_v=$(sed -n 's/.*"playwright-core": "\([0-9.]*\)".*/\1/p' "$web/package.json")
  have_v=$(sed -n 's/.*"version": "\([0-9.]*\)".*/\1/p' "$web/node_modules/playwright-core/package.json" 2>/dev/null | head -1 || true)
  if [ "$want_v" != "$have_v" ]; then
    echo "install-deps: npm ci in tests/web (playwright-core $want_v)"
    (cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

install_packages() {
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-deps: all ${#want[@]} packages present"
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages: ${missing[*]}" >&2
    echo "install-deps: run as root (or with sudo) to install them" >&2
    exit 3
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Postfix only for the milter's end-to-end test, which runs its own private
  # instance: install it unconfigured, so that no system MTA is set up or started
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# japanese_locale: ja_JP.UTF-8, for mamori's Japanese messages (the CLI under
# LANG=ja_JP.UTF-8, the server's answers to Accept-Language: ja).  Both also
# manage with C.UTF-8 where it is missing (src/lib/i18n.c, src/server/lang.h),
# so without root this only says how to generate it.  Debian's way: the line
# in /etc/locale.gen, then locale-gen (which keeps it across upgrades).
japanese_locale() {
  if locale -a 2>/dev/null | grep -qix 'ja_JP.utf8'; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: the ja_JP.UTF-8 locale is not generated (mamori speaks Japanese through C.UTF-8);" \
      "as root: bash scripts/install-deps.sh, or: localedef -i ja_JP -f UTF-8 ja_JP.UTF-8" >&2
    return 0
  fi
  echo "install-deps: generating the ja_JP.UTF-8 locale"
  if command -v locale-gen >/dev/null && [ -f /etc/locale.gen ]; then
    if ! grep -q '^ja_JP.UTF-8 UTF-8' /etc/locale.gen; then
      if grep -q '^# *ja_JP.UTF-8 UTF-8' /etc/locale.gen; then
        sed -i 's/^# *ja_JP.UTF-8 UTF-8/ja_JP.UTF-8 UTF-8/' /etc/locale.gen
      else
        echo 'ja_JP.UTF-8 UTF-8' >>/etc/locale.gen
      fi
    fi
    locale-gen >/dev/null
  else
    localedef -i ja_JP -f UTF-8 ja_JP.UTF-8
  fi
}

install_packages
japanese_locale
if [ "${1:-}" = "--tests" ]; then
  web_test_driver
fi
