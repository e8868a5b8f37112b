#!/bin/sh
# Installs the Debian 12 packages the build, the demo and the tests need,
# and with "bench" those the benchmarks need too (bench/run); with "deb"
# only those that "make deb" and "make test-deb" need (debian/control's
# Build-Depends, debhelper, lintian, mmdebstrap, and what the package test
# drives a login with).  Does nothing when they are all present; needs
# root otherwise.

set -eu

packages="
    build-essential pkg-config
    nginx nginx-dev
    liblasso3-dev libxmlsec1-dev libxml2-dev libssl-dev zlib1g-dev
    libglib2.0-dev libcmocka-dev libcurl4-openssl-dev libhiredis-dev
    redis-server redis-sentinel
    openssl curl ca-certificates xmlsec1
    libxml2-utils opensaml-schemas xmltooling-schemas
    python3 python3-pycurl python3-pysaml2 python3-lasso
    clang libclang-rt-14-dev valgrind
    chromium fonts-dejavu-core
"

if [ "${1:-}" = deb ]; then
    # the build (Build-Depends in debian/control), the packaging tools,
    # the throwaway Debian 12 root, the test's client and its keys
    packages="
    build-essential pkg-config debhelper dpkg-dev
    nginx nginx-dev
    liblasso3-dev libxmlsec1-dev libxml2-dev libssl-dev zlib1g-dev
    libglib2.0-dev libcurl4-openssl-dev libhiredis-dev
    lintian mmdebstrap debian-archive-keyring
    openssl python3 python3-pycurl
"
fi

if [ "${1:-}" = bench ]; then
    # wrk and hyperfine measure; Apache with mod_auth_mellon is the peer
    packages="$packages
    wrk hyperfine linux-perf strace apache2 libapache2-mod-auth-mellon"
fi

missing=""

for p in $packages; do
    if ! dpkg-query -W -f '${Status}' "$p" 2>/dev/null \
            | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done

if [ "${1:-}" != deb ]; then
    command -v node >/dev/null 2>&1 || missing="$missing nodejs npm"
fi

root=$(cd "$(dirname "$0")/.." && pwd)

e2e() {
    [ "${1:-}" != deb ] || return 0
    # playwright-core (no browser download: it drives Debian's chromium)
    if [ ! -d "$root/tests/e2e/node_modules/playwright-core" ]; then
        (cd "$root/tests/e2e" && npm ci --no-audit --no-fund)
    fi
}

if [ -z "$missing" ]; then
    e2e "${1:-}"
    exit 0
fi

if [ "$(id -u)" != 0 ]; then
    echo "missing packages:$missing" >&2
    echo "run 'make deps' as root, or: apt-get install$missing" >&2
    exit 1
fi

echo "installing:$missing"

export DEBIAN_FRONTEND=noninteractive
# the nginx package must not start a system nginx on port 80 here
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi

apt-get update -q || true
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
e2e "${1:-}"
