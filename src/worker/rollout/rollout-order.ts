/**
 * Apps that others reference (`${apps.db.host}`) roll first, and their
 * dependents only once they are healthy (docs/rollouts.md#references-between-apps).
 * Config refuses cycles, so the order always exists.
 */
import { type AppChange, type AppOutcome, routeKey } from "../../model/index.js";

/** The route keys of the apps in `changes` that this one references. */
export function dependenciesOf(change: AppChange, keys: ReadonlySet<string>): string[] {
  const refs = Object.values(change.spec?.envRefs ?? {}).flat();
  const names = new Set(refs.flatMap((p) => (typeof p === "string" || p.app === change.app ? [] : [p.app])));
  return [...names].map((app) => routeKey(change.env, app)).filter((key) => keys.has(key));
}

/** The changes with every referenced app before its dependents; otherwise in plan order. */
export function rolloutOrder(changes: readonly AppChange[]): AppChange[] {
  const keys = new Set(changes.map((c) => routeKey(c.env, c.app)));
  const placed = new Set<string>();
  const ordered: AppChange[] = [];
  let rest = [...changes];
  while (rest.length > 0) {
    const ready = rest.filter((c) => dependenciesOf(c, keys).every((k) => placed.has(k)));
    // A cycle cannot come from a valid config; roll what is left in plan order rather than never.
    const next = ready.length > 0 ? ready : rest;
    for (const c of next) {
      ordered.push(c);
      placed.add(routeKey(c.env, c.app));
    }
    rest = rest.filter((c) => !next.includes(c));
  }
  return ordered;
}

/** Why a dependent must not roll: an app it references failed or was rolled back in this sync. */
export function blockedBy(change: AppChange, dependencies: ReadonlyArray<AppOutcome>): string | undefined {
  if (change.kind === "unchanged" || change.kind === "delete") return undefined;
  const failed = dependencies.find((o) => o.status === "failed" || o.status === "rolledBack");
  if (!failed) return undefined;
  const what = failed.status === "rolledBack" ? "was rolled back" : "failed";
  return `not rolled: app ${failed.app}, which its env references, ${what} in this sync; what runs stays`;
}
