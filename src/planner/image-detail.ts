import type { Step } from "../model/index.js";

/**
 * How an app's image gets to its hosts, in one line for the rendered plans:
 * `build on alpha; push to registry.example.com:5000; pull on beta, gamma`.
 * Undefined when nothing is built, pushed or shipped (plain pulls of an
 * `image:` show in the JSON plan only, as before registries).
 */
export function imageDetail(steps: readonly Step[]): string | undefined {
  if (!steps.some((s) => s.kind === "build" || s.kind === "push" || s.kind === "ship")) return undefined;
  const parts: string[] = [];
  const pulls: string[] = [];
  const ships = new Map<string, string[]>();
  for (const step of steps) {
    if (step.kind === "build") parts.push(`build ${step.image} on ${step.host}`);
    else if (step.kind === "push") parts.push(`push from ${step.host} to ${registryPart(step.image)}`);
    else if (step.kind === "pull") pulls.push(step.host);
    else if (step.kind === "ship") ships.set(step.from, [...(ships.get(step.from) ?? []), step.to]);
  }
  for (const [from, to] of ships) parts.push(`ship ${from} → ${to.join(", ")}`);
  if (pulls.length > 0) parts.push(`pull on ${pulls.join(", ")}`);
  return parts.join("; ");
}

function registryPart(image: string): string {
  const slash = image.indexOf("/");
  return slash < 0 ? "docker.io" : image.slice(0, slash);
}
