import type { PlanContext } from "./plan-context.js";

/** Hosts the plan cannot act on, said plainly so nobody mistakes silence for health. */
export function hostWarnings(ctx: PlanContext): string[] {
  const warnings: string[] = [];
  for (const name of ctx.hostNames) {
    const host = ctx.hosts.get(name);
    if (!host || host.reachable) continue;
    const why = host.error ? ` (${host.error})` : "";
    if (host.spec) {
      warnings.push(
        `host ${name} unreachable${why}: its containers are presumed alive and left alone; ` +
          "slots without a reachable container are placed on other hosts while it is down",
      );
    } else {
      warnings.push(`host ${name} removed from dockhand.yaml but unreachable${why}: its containers are left alone`);
    }
  }
  return warnings;
}
