#!/usr/bin/env bash
# docker-compose (Debian's package) to validate compose.yaml in the tests
# (test/integration/cli/compose-file.test.ts runs `docker-compose config`).
# Installs only when missing; a second run is instant.
set -euo pipefail
if command -v docker-compose >/dev/null 2>&1; then
  exit 0
fi
echo "installing docker-compose (apt)"
export DEBIAN_FRONTEND=noninteractive
# The test bed's script updated the package lists moments ago on a fresh machine; do it again only when stale.
if [ -z "$(find /var/lib/apt/lists -maxdepth 0 -mmin -60 2>/dev/null | head -1)" ]; then
  apt-get -o DPkg::Lock::Timeout=600 update -qq
fi
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends docker-compose >/dev/null
docker-compose version --short
