/**
 * `dockhand rollback <app>` (issue 4): puts the app back on its previous
 * version (the newest one kept, stopped, on the hosts), with the same health
 * gates and draining as a rollout, then holds periodic sync for the app
 * until a commit changes it. The hold is kept in Redis; `dockhand status`
 * shows it too.
 */
import pino from "pino";
import { parseDeployRepo } from "../config/index.js";
import { createDockerHosts } from "../docker/index.js";
import { type AppSpec, DockhandError, routeKey } from "../model/index.js";
import { resolvedDesired } from "../planner/index.js";
import { RedisRouteStore } from "../proxy/index.js";
import { type RollbackResult, rollBackApp } from "../worker/rollout/roll-back-app.js";
import type { RolloutContext } from "../worker/rollout/rollout-context.js";
import { type ResolvedSecrets, resolveSecrets } from "../worker/secrets/resolve-secrets.js";
import { err, out } from "./cli-io.js";
import { connectRedis } from "./connect-redis.js";
import type { DockhandEnv } from "./env.js";
import type { RepoFlags } from "./load-state.js";
import { openDeployRepo } from "./open-deploy-repo.js";
import { redisFor, redisPrefix, routesSnapshotFile } from "./redis-for.js";
import { rolloutDeps } from "./rollout-deps.js";

export interface RollbackFlags extends RepoFlags {
  env?: string;
}

export async function commandRollback(env: DockhandEnv, app: string, flags: RollbackFlags): Promise<number> {
  const repo = await openDeployRepo(env, flags);
  const snapshot = await repo.snapshot(flags.ref);
  const sha = snapshot.source.sha;
  const desired = parseDeployRepo(snapshot);
  const redis = await redisFor(env);
  const connection = connectRedis(redis.url);
  const routes = new RedisRouteStore({
    redis: connection.duplicate(),
    prefix: redisPrefix(env),
    snapshotFile: routesSnapshotFile(env),
  });
  const docker = createDockerHosts(desired.hosts);
  try {
    const deps = rolloutDeps(env, connection);
    const secrets = await resolveSecrets(desired, deps.secrets);
    const observed = await docker.observe(env.instance);
    // The hold compares against what syncs plan: with the app's references resolved, as a sync resolves them.
    const resolved = { ...secrets, desired: resolvedDesired(secrets.desired, observed, { instance: env.instance }) };
    const spec = appToRollBack(resolved, app, flags.env ?? "production", sha);
    const containers = observed.hosts
      .flatMap((h) => h.containers)
      .filter((c) => c.app === spec.name && c.env === spec.env);
    const stored = (await routes.load()).routes.find((r) => r.app === spec.name && r.env === spec.env);
    const ctx: RolloutContext = {
      docker,
      repo,
      routes,
      hosts: new Map(resolved.desired.hosts.map((h) => [h.name, h])),
      instance: env.instance,
      sha,
      log: pino({ level: env.logLevel === "info" ? "warn" : env.logLevel }, pino.destination(2)),
      proxies: deps.proxies,
      secrets: resolved.values,
      onStep: (e) => {
        if (e.phase !== "start") out(`  ${e.phase === "done" ? "✓" : "✗"} ${e.step}  (${e.durationMs} ms)`);
      },
    };
    const result = await rollBackApp(spec, containers, ctx, stored);
    if (result.outcome.status !== "succeeded") return reportFailure(result);
    const at = Date.now();
    await deps.holds.set({
      app,
      env: spec.env,
      heldSpecHash: spec.specHash,
      specHash: result.to.specHash,
      commit: sha,
      at,
    });
    out(describeRollback(result, sha));
    return 0;
  } finally {
    await docker.close();
    await routes.close();
    connection.disconnect();
    await redis.stop();
  }
}

/** The app as the deploy repo has it now (its hash is what the hold waits to see change). */
function appToRollBack(resolved: ResolvedSecrets, app: string, appEnv: string, sha: string): AppSpec {
  const spec = resolved.desired.apps.find((a) => a.name === app && a.env === appEnv);
  if (!spec) {
    const known = resolved.desired.apps.map((a) => a.name).join(", ") || "none";
    const message = `no app ${app} (${appEnv}) in the deploy repo at ${sha.slice(0, 12)}; apps: ${known}`;
    throw new DockhandError("DOCKHAND_E_USAGE", message);
  }
  const problem = resolved.problems.get(routeKey(appEnv, app));
  if (problem) throw new DockhandError("DOCKHAND_E_PLAN", problem);
  return spec;
}

function describeRollback({ outcome, to }: RollbackResult, sha: string): string {
  const hosts = [...new Set(to.containers.map((c) => c.host))].sort().join(", ");
  return [
    `${outcome.app} (${outcome.env}) rolled back in ${(outcome.durationMs / 1000).toFixed(1)} s to version ${to.specHash.slice(0, 8)}` +
      ` (deployed from commit ${to.commit.slice(0, 12)}, kept since ${new Date(to.retiredAt).toISOString()}):` +
      ` ${to.containers.length} ${to.containers.length === 1 ? "container" : "containers"} on ${hosts}.`,
    `Hold: periodic sync leaves ${outcome.app} alone until a commit changes it` +
      ` (the deploy repo at ${sha.slice(0, 12)} still asks for the version rolled back from).`,
  ].join("\n");
}

function reportFailure({ outcome }: RollbackResult): number {
  const error = outcome.error;
  err(
    `${outcome.app}/${outcome.env}: rollback ${outcome.status}: ${outcome.failedStep ?? ""} failed: ${error?.message}`,
  );
  if (error?.logsTail) err(error.logsTail.replace(/^/gm, "    | "));
  err(
    outcome.status === "rolledBack" ? "Nothing changed: the app runs as before." : "The app may be partly rolled back.",
  );
  return 1;
}
