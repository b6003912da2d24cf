#!/usr/bin/env bash
# Fails when package-lock.json differs from the copy taken before a step
# (scripts/test.sh: before installing, and before the tests), showing how.
# Nothing in a test run may rewrite the lock: a run that did would pass here
# and install something else on the next fresh clone.
#   check-lock.sh <copy of package-lock.json> <what ran since the copy>
set -euo pipefail
before=$1
step=$2
lock="$(dirname "$0")/../package-lock.json"
if cmp -s "$before" "$lock"; then
  exit 0
fi
echo "package-lock.json changed during this test run ($step); the change:" >&2
diff -u --label "package-lock.json before" --label "package-lock.json after" "$before" "$lock" | head -n 40 >&2 || true
echo "commit the lock as npm ci installs it (npm install --package-lock-only --ignore-scripts) and run again" >&2
exit 1
