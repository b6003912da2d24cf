#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what is missing (npm
# packages, the test bed's Docker engines, Redis, nginx, Caddy), then runs the
# static checks and every test. Safe to run again: everything is idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

# The run fails when it changed package-lock.json (scripts/check-lock.sh).
lock_before=$(mktemp)
cp package-lock.json "$lock_before"

bash scripts/ensure-deps.sh
bash scripts/check-lock.sh "$lock_before" "installing the dependencies"
bash scripts/testbed/up.sh
bash scripts/ensure-chromium.sh && bash scripts/ensure-compose.sh

echo "== typecheck, lint, import directions"
npx tsc -p tsconfig.json --noEmit
npx biome check src test scripts bench
npx depcruise src --config .dependency-cruiser.cjs

echo "== tests"
results=$(mktemp)
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@" || status=$?
# A closing line any CI can read, whatever the runner prints.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$results" || true
rm -f "$results"
bash scripts/check-lock.sh "$lock_before" "the tests"
rm -f "$lock_before"
exit "$status"
