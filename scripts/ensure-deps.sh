#!/usr/bin/env bash
# Installs the npm dependencies when package-lock.json changed since the last
# install (or node_modules is missing). Idempotent and quick when up to date.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.dockhand-lock-sha
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "installing npm dependencies"
# Not `npm ci`: npm 11 here leaves other platforms' optional packages (biome,
# esbuild binaries) out of the lock file, and `npm ci` then refuses the lock as
# out of sync. `npm install` installs the same pinned versions from it.
npm install --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
