#!/usr/bin/env bash
# Chromium for the dashboard's browser test (test/e2e/dashboard.test.ts drives it
# with playwright-core). Installs Debian's package only when it is missing, so a
# second run is instant. Needs root and apt, like the test bed.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
echo "installing chromium (apt)"
export DEBIAN_FRONTEND=noninteractive
# Another apt run (the test bed's) may hold the lock: wait for it rather than fail.
# The test bed's script updated the package lists moments ago on a fresh machine; do it again only when stale.
if [ -z "$(find /var/lib/apt/lists -maxdepth 0 -mmin -60 2>/dev/null | head -1)" ]; then
  apt-get -o DPkg::Lock::Timeout=600 update -qq
fi
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium >/dev/null
/usr/bin/chromium --version
