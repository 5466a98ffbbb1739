#!/bin/sh
# Makes (once) the Debian 12 root that test/e2e/agent-service-systemd.test.ts boots with systemd-nspawn: systemd,
# dbus and this host's Node.js (Debian 12's own nodejs, 18, is too old for the agent). For the tests only.
#   sh packaging/test/container-root.sh [CACHE_DIR]     (default /var/cache/tender-test; 3 to 6 minutes the first time)
set -eu
cache=${1:-${TENDER_TEST_CONTAINER_CACHE:-/var/cache/tender-test}}
root="$cache/debian12-systemd"
if [ -f "$root/.tender-ready" ]; then echo "container root ready: $root"; exit 0; fi
command -v debootstrap >/dev/null 2>&1 || { echo "debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }
node=$(command -v node)
rm -rf "$root"
mkdir -p "$cache"
debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,ca-certificates,iproute2,procps \
  bookworm "$root" "${TENDER_TEST_DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$cache/debootstrap.log" 2>&1 \
  || { echo "debootstrap failed; see $cache/debootstrap.log" >&2; rm -rf "$root"; exit 1; }
install -m 0755 "$node" "$root/usr/local/bin/node"
date -u > "$root/.tender-ready"
echo "container root ready: $root"
