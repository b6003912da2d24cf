import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * Files that measure time or load (dropped requests under a route swap, a
 * proxy's latency while YAML parses, requests served during swaps, a burst
 * of webhooks) run one at a time after the rest, so that other files' CPU use
 * cannot make them fail and their load cannot slow the others' health checks.
 */
const ALONE = [
  "test/e2e/webhook-burst.test.ts",
  "test/integration/proxy/route-swap-under-load.test.ts",
  "test/integration/proxy/builtin-proxy-resilience.test.ts",
  "test/integration/rollout/zero-drop.test.ts",
  "test/integration/docker/check-host.test.ts",
  "test/security/yaml-bombs.test.ts",
  "test/security/yaml-parse-thread.test.ts",
];

/**
 * The longest files (a minute or more here) start first, so the shared run
 * does not end waiting on one that started last. vitest orders by the
 * durations of an earlier run when it has them; a fresh clone has none.
 */
const LONGEST = [
  "test/e2e/dockhand-image.test.ts",
  "test/integration/cli/status-logs-apply.test.ts",
  "test/e2e/crash-recovery.test.ts",
  "test/integration/cli/npm-pack.test.ts",
  "test/integration/docker/health.test.ts",
  "test/e2e/dashboard.test.ts",
  "test/e2e/push-deploys.test.ts",
  "test/security/preview-trust.test.ts",
  "test/e2e/stack-crash.test.ts",
  "test/integration/promotion/promotion.test.ts",
  "test/integration/rollout/rollback.test.ts",
  "test/integration/github/previews.test.ts",
  "test/e2e/stack.test.ts",
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const index = LONGEST.findIndex((path) => file.moduleId.endsWith(path));
      return index === -1 ? LONGEST.length : index;
    };
    return sorted
      .map((file, order) => ({ file, order }))
      .sort((a, b) => rank(a.file) - rank(b.file) || a.order - b.order)
      .map((e) => e.file);
  }
}

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Everything else shares the test bed safely: each file has its own instance label,
    // Redis prefix, ports and containers (test/integration/rollout/rollout-fixtures.ts).
    // Most of a file's time is spent waiting on engines, so three share two cores well.
    maxWorkers: 3,
    sequence: { sequencer: LongestFirst },
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
