import { type AppSpec, digestOf, type EnvPart, fieldDigest, routeKey } from "../model/index.js";
import type { AppDraft } from "./draft.js";
import type { PlanContext } from "./plan-context.js";

export interface ResolvedSpecs {
  specs: Map<string, AppSpec>;
  /** Apps whose references name nothing that runs, by route key: an error on the app. */
  errors: Map<string, string>;
}

/**
 * `${apps.db.host}` and friends, from where the placed plan puts each app's
 * slots: the address of slot 0's host, the app's hostPort, every slot's
 * `address:hostPort`. The resolved values join the env; the spec hash and the
 * field digests cover them, so a dependent rolls (and the plan says `env
 * KV_HOST changed`) when what it references moves. An app whose own rollout
 * fails to plan keeps running where it is, and is referenced there.
 */
export function resolveReferences(
  ctx: PlanContext,
  specs: ReadonlyMap<string, AppSpec>,
  drafts: readonly AppDraft[],
): ResolvedSpecs {
  const byKey = new Map(drafts.map((d) => [d.key, d]));
  const out = new Map(specs);
  const errors = new Map<string, string>();
  for (const [key, spec] of specs) {
    if (!spec.envRefs) continue;
    const values: Record<string, string> = {};
    const problems: string[] = [];
    for (const [name, parts] of Object.entries(spec.envRefs)) {
      const text = parts.map((part) => resolvePart(ctx, byKey, spec.env, part));
      const missing = text.find((t) => typeof t !== "string");
      if (missing) problems.push(`env ${name}: ${missing.error}`);
      else values[name] = text.join("");
    }
    if (problems.length > 0) {
      errors.set(key, problems.join("; "));
      continue;
    }
    out.set(key, withResolved(spec, values));
  }
  return { specs: out, errors };
}

function withResolved(spec: AppSpec, values: Record<string, string>): AppSpec {
  const fields = Object.fromEntries(Object.entries(values).map(([name, value]) => [`env.${name}`, fieldDigest(value)]));
  return {
    ...spec,
    environment: { ...spec.environment, ...values },
    // The deploy repo's hash with what placement decided folded in: apps without references keep theirs.
    specHash: digestOf({ spec: spec.specHash, references: values }),
    specFields: { ...spec.specFields, ...fields },
  };
}

function resolvePart(
  ctx: PlanContext,
  drafts: ReadonlyMap<string, AppDraft>,
  env: string,
  part: EnvPart,
): string | { error: string } {
  if (typeof part === "string") return part;
  const written = `\${apps.${part.app}.${part.field}}`;
  const target = drafts.get(routeKey(env, part.app));
  const spec = target?.spec;
  if (!target || !spec) return { error: `${written}: app ${part.app} does not run in environment ${env}` };
  if (spec.hostPort === undefined) {
    return { error: `${written}: app ${part.app} has no hostPort in environment ${env}` };
  }
  if (part.field === "port") return String(spec.hostPort);
  const addresses = slotAddresses(ctx, target);
  if (part.field === "host") {
    const first = addresses[0];
    return first ?? { error: `${written}: app ${part.app} has no slot 0 on a known host (replicas: ${spec.replicas})` };
  }
  if (addresses.length < spec.replicas || addresses.includes(undefined)) {
    return { error: `${written}: not every slot of app ${part.app} has a known host` };
  }
  return addresses.map((address) => `${hostAndPort(address ?? "")}:${spec.hostPort}`).join(",");
}

/** Each slot's host address in slot order: where the plan puts it, or where it runs when the app cannot be planned. */
function slotAddresses(ctx: PlanContext, draft: AppDraft): Array<string | undefined> {
  return draft.slots.map((s) => {
    const host = draft.error === undefined ? (s.host ?? s.current?.host) : s.current?.host;
    return host === undefined ? undefined : ctx.hosts.get(host)?.spec?.address;
  });
}

/** An IPv6 address takes brackets before a port. */
function hostAndPort(address: string): string {
  return address.includes(":") ? `[${address}]` : address;
}
