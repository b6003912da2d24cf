import pino from "pino";
import { createDockerHosts } from "../docker/index.js";
import { type DeployOutcome, planHasChanges } from "../model/index.js";
import { renderPlanText } from "../planner/index.js";
import { RedisRouteStore } from "../proxy/index.js";
import { runSync } from "../worker/run-sync.js";
import { confirm, err, out, useColor } from "./cli-io.js";
import { connectRedis } from "./connect-redis.js";
import type { DockhandEnv } from "./env.js";
import type { RepoFlags } from "./load-state.js";
import { openDeployRepo } from "./open-deploy-repo.js";
import { redisFor, redisPrefix, routesSnapshotFile } from "./redis-for.js";

/** Plans, shows the plan, and (with --yes or a "y") applies it, printing each step as it goes. */
export async function commandApply(env: DockhandEnv, flags: RepoFlags & { yes?: boolean }): Promise<number> {
  const redis = await redisFor(env);
  const routes = new RedisRouteStore({
    redis: connectRedis(redis.url),
    prefix: redisPrefix(env),
    snapshotFile: routesSnapshotFile(env),
  });
  const log = pino({ level: env.logLevel === "info" ? "warn" : env.logLevel }, pino.destination(2));
  try {
    const outcome = await runSync(
      { trigger: "cli", env: "production", sha: flags.ref },
      {
        repo: await openDeployRepo(env, flags),
        dockerFor: (hosts) => createDockerHosts(hosts),
        routes,
        instance: env.instance,
        log,
        approve: async (plan) => {
          out(renderPlanText(plan, { color: useColor() }));
          if (!planHasChanges(plan)) return true;
          if (flags.yes) return true;
          if (!process.stdin.isTTY) {
            err("dockhand apply changes the hosts: pass --yes to apply without asking");
            return false;
          }
          return confirm("Apply this plan?");
        },
        onStep: (event) => {
          if (event.phase === "start") return;
          const mark = event.phase === "done" ? "✓" : "✗";
          out(`  ${mark} ${event.app}/${event.env}  ${event.step}  (${event.durationMs} ms)`);
        },
      },
    );
    if (outcome.declined) return 1;
    printOutcome(outcome);
    return outcome.status === "failed" ? 1 : 0;
  } finally {
    await routes.close();
    await redis.stop();
  }
}

function printOutcome(outcome: DeployOutcome): void {
  if (outcome.error) {
    err(outcome.error.message);
    return;
  }
  for (const app of outcome.apps) {
    if (app.status === "noop") continue;
    const line = `${app.app}/${app.env}: ${app.status} in ${(app.durationMs / 1000).toFixed(1)} s`;
    if (!app.error) {
      out(line);
      continue;
    }
    err(`${line}: ${app.failedStep ?? "plan"} failed: ${app.error.message}`);
    if (app.error.logsTail) err(app.error.logsTail.replace(/^/gm, "    | "));
  }
  out(`Deploy ${outcome.status} at ${outcome.sha.slice(0, 12)}.`);
}
