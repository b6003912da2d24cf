/**
 * From an app's spec to what the Docker port creates: a slot's container (env
 * plus secret values, labels, command, limits, volumes) or a deploy hook's
 * one-off container. Secret values enter here and go nowhere but the engine.
 */
import { randomBytes } from "node:crypto";
import {
  type AppSpec,
  type ContainerMount,
  type ContainerSpec,
  containerLabels,
  DEFAULT_INSTANCE,
  LABELS,
  type OneOffSpec,
  routeKey,
} from "../../model/index.js";
import type { RolloutContext } from "./rollout-context.js";

/** Label of a hook's one-off container; it has no `dockhand.managed`, so it is never taken for a slot. */
export const HOOK_LABEL = "dockhand.hook";

type Ctx = Pick<RolloutContext, "instance" | "sha" | "secrets">;

function prefixed(instance: string, name: string): string {
  return instance === DEFAULT_INSTANCE ? name : `${instance}-${name}`;
}

/** `<app>-<env>-<name>-<slot>`, or `<app>-<env>-<name>` for a shared volume; prefixed like container names. */
export function volumeName(instance: string, app: AppSpec, name: string, slot: number | undefined): string {
  const base = `${app.name}-${app.env}-${name}${slot === undefined ? "" : `-${slot}`}`;
  return prefixed(instance, base);
}

/** A hook has no slot: slot-scoped volumes are not mounted; shared ones and binds are. */
function mounts(ctx: Ctx, app: AppSpec, slot: number | undefined): ContainerMount[] {
  const labels = {
    [LABELS.managed]: "true",
    [LABELS.instance]: ctx.instance,
    [LABELS.app]: app.name,
    [LABELS.env]: app.env,
  };
  const out: ContainerMount[] = [];
  for (const v of app.volumes ?? []) {
    if (v.kind === "bind") out.push({ kind: "bind", source: v.source, target: v.target, readOnly: true });
    else if (v.shared || slot !== undefined) {
      const source = volumeName(ctx.instance, app, v.name, v.shared ? undefined : slot);
      out.push({ kind: "volume", source, target: v.target, readOnly: v.readOnly, labels });
    }
  }
  return out;
}

function environment(ctx: Ctx, app: AppSpec): Record<string, string> {
  return { ...app.environment, ...(ctx.secrets?.get(routeKey(app.env, app.name)) ?? {}) };
}

function stopTimeoutSeconds(app: AppSpec | undefined): number | undefined {
  return app?.stopTimeoutMs === undefined ? undefined : Math.ceil(app.stopTimeoutMs / 1000);
}

export function slotContainerSpec(ctx: Ctx, app: AppSpec, container: { name: string; slot: number }): ContainerSpec {
  const labels = containerLabels({
    instance: ctx.instance,
    app: app.name,
    env: app.env,
    slot: container.slot,
    specHash: app.specHash,
    commit: ctx.sha,
    specFields: app.specFields,
  });
  return {
    name: container.name,
    image: app.image,
    ...(app.port !== undefined ? { port: app.port } : {}),
    ...(app.hostPort !== undefined ? { hostPort: app.hostPort } : {}),
    environment: environment(ctx, app),
    labels,
    ...(app.command ? { command: app.command } : {}),
    ...(app.resources ? { resources: app.resources } : {}),
    ...(app.volumes?.length ? { mounts: mounts(ctx, app, container.slot) } : {}),
    ...(app.stopTimeoutMs !== undefined ? { stopTimeoutSeconds: stopTimeoutSeconds(app) } : {}),
  };
}

export function hookContainerSpec(ctx: Ctx, app: AppSpec, hook: string, command: string[]): OneOffSpec {
  const suffix = randomBytes(3).toString("hex");
  return {
    name: prefixed(ctx.instance, `${app.name}-${app.env}-${hook}-${app.specHash.slice(0, 8)}-${suffix}`),
    image: app.image,
    command,
    environment: environment(ctx, app),
    labels: {
      [LABELS.instance]: ctx.instance,
      [LABELS.app]: app.name,
      [LABELS.env]: app.env,
      [LABELS.commit]: ctx.sha,
      [HOOK_LABEL]: hook,
    },
    ...(app.resources ? { resources: app.resources } : {}),
    ...(app.volumes?.length ? { mounts: mounts(ctx, app, undefined) } : {}),
  };
}
