import type { AppSpec, Step } from "../model/index.js";
import { normalizeImageRef } from "./image-ref.js";
import type { PlanContext } from "./plan-context.js";

/**
 * Get the app's image onto every host that will start one of its containers
 * (DESIGN.md, "Images"): `image:` apps pull on each host lacking it; `build:`
 * apps build once (only when no reachable host has the image yet) and ship it
 * to the other hosts. `targets` must be sorted and distinct.
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
  let shipTo = lacking;
  if (source === undefined) {
    const [builder, ...rest] = lacking as [string, ...string[]];
    const { context, dockerfile } = spec.build;
    steps.push({ kind: "build", host: builder, image: spec.image, context, dockerfile });
    source = builder;
    shipTo = rest;
  }
  for (const to of shipTo) steps.push({ kind: "ship", image: spec.image, from: source, to });
  return steps;
}
