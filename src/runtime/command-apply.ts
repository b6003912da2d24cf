import { hostname, userInfo } from "node:os";
import pino from "pino";
import { createDockerHosts } from "../docker/index.js";
import { type DeployOutcome, type Plan, planHasChanges } from "../model/index.js";
import { renderPlanText } from "../planner/index.js";
import { RedisRouteStore } from "../proxy/index.js";
import { DeployHistory } from "../worker/history/deploy-history.js";
import { runSync } from "../worker/sync/run-sync.js";
import { createProgress, type Progress } from "./apply-progress.js";
import { confirm, err, out, useColor } from "./cli-io.js";
import { connectRedis } from "./connect-redis.js";
import type { DockhandEnv } from "./env.js";
import type { RepoFlags } from "./load-state.js";
import { openDeployRepo } from "./open-deploy-repo.js";
import { redisFor, redisPrefix, routesSnapshotFile } from "./redis-for.js";
import { rolloutDeps } from "./rollout-deps.js";

export interface ApplyFlags extends RepoFlags {
  yes?: boolean;
  /** One JSON event per line on stdout (plan, step, outcome) instead of text. */
  json?: boolean;
  /** Try again apps whose rollout failed at this commit (issue 4). */
  retry?: boolean;
  /** Let slots with per-slot volumes move hosts, leaving their data behind. */
  allowDataMove?: boolean;
}

/**
 * Plans, shows the plan, and (with --yes or a "y") applies it, showing each
 * step as it goes (apply-progress.ts). The deploy is recorded in the deploy
 * history like a server's, with the CLI's user as who asked.
 */
export async function commandApply(env: DockhandEnv, flags: ApplyFlags): Promise<number> {
  const began = Date.now();
  const redis = await redisFor(env);
  const connection = connectRedis(redis.url);
  const routes = new RedisRouteStore({
    redis: connection,
    prefix: redisPrefix(env),
    snapshotFile: routesSnapshotFile(env),
  });
  const history = new DeployHistory(connectRedis(redis.url), {
    prefix: redisPrefix(env),
    onError: (e) => err(`warning: deploy history not written: ${e.message}`),
  });
  const run = history.begin({ env: "production", actor: { trigger: "cli", user: whoAmI() }, sha: flags.ref });
  const mode = flags.json ? "json" : process.stdout.isTTY ? "tty" : "plain";
  const progress = createProgress(mode, process.stdout, useColor());
  const log = pino({ level: env.logLevel === "info" ? "warn" : env.logLevel }, pino.destination(2));
  let outcome: DeployOutcome | undefined;
  try {
    outcome = await runSync(
      {
        trigger: "cli",
        env: "production",
        sha: flags.ref,
        ...(flags.retry ? { retry: true } : {}),
        ...(flags.allowDataMove ? { allowDataMove: true } : {}),
      },
      {
        repo: await openDeployRepo(env, flags),
        dockerFor: (hosts) => createDockerHosts(hosts),
        routes,
        instance: env.instance,
        log,
        ...rolloutDeps(env, connection),
        approve: async (plan) => {
          const approved = await approve(plan, flags, progress);
          if (approved) run.planned(plan);
          return approved;
        },
        onStep: (event) => {
          run.step(event);
          progress.step(event);
        },
      },
    );
    await run.finish(outcome);
    if (outcome.declined) return 1;
    report(outcome, flags.json === true);
    return outcome.status === "failed" ? 1 : 0;
  } catch (error) {
    await run.failed(error);
    throw error;
  } finally {
    progress.done(outcome, Date.now() - began);
    await closeAll(routes, history, redis.stop);
  }
}

async function approve(plan: Plan, flags: ApplyFlags, progress: Progress): Promise<boolean> {
  if (flags.json) progress.plan(plan);
  else out(renderPlanText(plan, { color: useColor() }));
  if (!planHasChanges(plan)) return true;
  if (flags.yes) return true;
  if (!process.stdin.isTTY || flags.json) {
    err("dockhand apply changes the hosts: pass --yes to apply without asking");
    return false;
  }
  return confirm("Apply this plan?");
}

async function closeAll(routes: RedisRouteStore, history: DeployHistory, stopRedis: () => Promise<void>) {
  await routes.close();
  history.redis.disconnect();
  await stopRedis();
}

/** `user@host`, for the audit record of who applied a plan. */
function whoAmI(): string {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return `unknown@${hostname()}`;
  }
}

/** Failures go to stderr, with the failing container's last lines; the summary line follows (apply-progress.ts). */
function report(outcome: DeployOutcome, json: boolean): void {
  if (outcome.error) {
    err(outcome.error.message);
    return;
  }
  if (json) return;
  for (const app of outcome.apps) {
    if (!app.error) continue;
    const line = `${app.app}/${app.env}: ${app.status} in ${(app.durationMs / 1000).toFixed(1)} s`;
    err(`${line}: ${app.failedStep ?? "plan"} failed: ${app.error.message}`);
    if (app.error.logsTail) err(app.error.logsTail.replace(/^/gm, "    | "));
  }
}
