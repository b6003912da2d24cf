#!/usr/bin/env bash
# Installs exactly the npm dependencies of package-lock.json (`npm ci`) when the
# lock changed since the last install or node_modules is missing. Idempotent
# and quick when up to date: the lock's hash is kept in node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.dockhand-lock-sha
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
if [ -L node_modules ]; then
  # `npm ci` empties node_modules first: through a link it would empty the
  # install another checkout shares.
  echo "node_modules links to $(readlink -f node_modules), installed from another package-lock.json;" >&2
  echo "not reinstalling through the link: run npm ci where it points, or remove the link" >&2
  exit 1
fi
echo "installing npm dependencies (npm ci)"
# The lock lists every platform's optional packages (biome, esbuild, rolldown
# binaries), so `npm ci` installs it as it is and never rewrites it.
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
