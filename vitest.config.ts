import { defineConfig } from "vitest/config";

/**
 * Files that measure time or load (dropped requests under a route swap, a
 * proxy's latency while YAML parses, a burst of webhooks, kill -9 mid-rollout)
 * run one at a time after the rest, so that other files' CPU use cannot make
 * them fail and their load cannot slow the others' health checks.
 */
const ALONE = [
  "test/e2e/crash-recovery.test.ts",
  "test/e2e/stack-crash.test.ts",
  "test/e2e/two-workers.test.ts",
  "test/e2e/webhook-burst.test.ts",
  "test/integration/proxy/route-swap-under-load.test.ts",
  "test/integration/rollout/zero-drop.test.ts",
  "test/integration/docker/check-host.test.ts",
  "test/security/yaml-bombs.test.ts",
  "test/security/yaml-parse-thread.test.ts",
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Everything else shares the test bed safely: each file has its own instance label,
    // Redis prefix, ports and containers (test/integration/rollout/rollout-fixtures.ts).
    // Most of a file's time is spent waiting on engines, so three share two cores well.
    maxWorkers: 3,
    projects: [
      {
        extends: true,
        // Each project names its files: with extends, a list set at the root would be joined to the project's.
        test: { name: "shared", include: ["test/**/*.test.ts"], exclude: ALONE, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: "alone", include: ALONE, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
