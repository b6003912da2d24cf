import type { AppSpec, Step } from "../model/index.js";
import { normalizeImageRef } from "./image-ref.js";
import type { PlanContext } from "./plan-context.js";

/**
 * Get the app's image onto every host that will start one of its containers
 * (docs/deploy-repo.md#images-through-a-registry): `image:` apps pull on each host lacking it, once per
 * host; `build:` apps build once (only when no reachable host has the image
 * yet), then reach the other hosts through the registry when dockhand.yaml
 * has one (push once, pull per host), else by shipping engine to engine.
 * `targets` must be sorted and distinct.
 */
export function imageSteps(ctx: PlanContext, spec: AppSpec, targets: readonly string[]): Step[] {
  const wanted = normalizeImageRef(spec.image);
  const has = (name: string) => {
    const host = ctx.hosts.get(name);
    return host?.reachable === true && host.spec !== undefined && host.images.has(wanted);
  };
  const lacking = targets.filter((h) => !has(h));
  if (lacking.length === 0) return [];
  if (!spec.build) return lacking.map((host) => ({ kind: "pull", host, image: spec.image }));
  const steps: Step[] = [];
  let source = targets.find(has) ?? ctx.hostNames.find(has);
  let rest = lacking;
  if (source === undefined) {
    const [builder, ...others] = lacking as [string, ...string[]];
    const { context, dockerfile } = spec.build;
    steps.push({ kind: "build", host: builder, image: spec.image, context, dockerfile });
    source = builder;
    rest = others;
  }
  if (ctx.desired.registry === undefined) {
    for (const to of rest) steps.push({ kind: "ship", image: spec.image, from: source, to });
    return steps;
  }
  // Pushed even when no other host needs it yet, and again from a host that
  // has it: the planner cannot see the registry, and a push of layers it
  // already holds costs one round trip per layer, while a pull of an image an
  // earlier, failed push never delivered would fail the rollout.
  steps.push({ kind: "push", host: source, image: spec.image });
  for (const host of rest) steps.push({ kind: "pull", host, image: spec.image });
  return steps;
}
