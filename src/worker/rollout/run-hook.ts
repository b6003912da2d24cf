/**
 * hooks.beforeDeploy (issue 4): a one-off container of the new image, with
 * the app's env and secrets, runs before any slot rolls. A non-zero exit
 * fails the rollout before any traffic moves, with the hook's output.
 */
import { type AppChange, RolloutError } from "../../model/index.js";
import { hookContainerSpec } from "./container-spec.js";
import type { RolloutContext } from "./rollout-context.js";

export const BEFORE_DEPLOY = "before-deploy";

export async function runBeforeDeploy(change: AppChange, ctx: RolloutContext, host: string): Promise<void> {
  const spec = change.spec;
  const command = spec?.hooks?.beforeDeploy;
  if (!spec || !command) return;
  const oneOff = hookContainerSpec(ctx, spec, BEFORE_DEPLOY, command);
  const result = await ctx.docker.runOnce(host, oneOff, spec.hooks?.timeoutMs ?? 0, ctx.signal);
  // The hook has the app's secrets: ctx.log masks their values (runSync hands it a SecretMask's logger).
  for (const line of result.output.split("\n")) if (line) ctx.log.info({ hook: BEFORE_DEPLOY, output: line }, "hook");
  if (result.exitCode === 0) return;
  const message = `hook beforeDeploy of ${spec.name} (${command.join(" ")}) exited with code ${result.exitCode} on host ${host}; nothing was rolled`;
  throw new RolloutError("DOCKHAND_E_HOOK", message, { app: spec.name, step: "hook", logsTail: result.output });
}
