/**
 * Container identity: every managed container
 * carries these labels, and dockhand never touches a container without them.
 */

export const LABELS = {
  managed: "dockhand.managed",
  instance: "dockhand.instance",
  env: "dockhand.env",
  app: "dockhand.app",
  slot: "dockhand.slot",
  spec: "dockhand.spec",
  commit: "dockhand.commit",
  /** Short digest per spec field (`image`, `port`, `env.NAME`, ...), so a plan can say which field changed. */
  specFields: "dockhand.spec.fields",
  /** On `dockhand hosts check`'s short-lived containers (never with `managed`): which check made it. */
  check: "dockhand.check",
} as const;

export const DEFAULT_INSTANCE = "default";

export interface ContainerIdentity {
  instance: string;
  app: string;
  env: string;
  slot: number;
  specHash: string;
  commit: string;
  specFields?: Record<string, string>;
}

export function containerLabels(id: ContainerIdentity): Record<string, string> {
  return {
    [LABELS.managed]: "true",
    [LABELS.instance]: id.instance,
    [LABELS.env]: id.env,
    [LABELS.app]: id.app,
    [LABELS.slot]: String(id.slot),
    [LABELS.spec]: id.specHash,
    [LABELS.commit]: id.commit,
    ...(id.specFields ? { [LABELS.specFields]: encodeSpecFields(id.specFields) } : {}),
  };
}

/** `field=digest` pairs joined by commas: compact, and readable in `docker inspect`. */
export function encodeSpecFields(fields: Record<string, string>): string {
  return Object.keys(fields)
    .sort()
    .map((key) => `${key}=${fields[key]}`)
    .join(",");
}

/** Undefined for a missing or malformed label: the planner then falls back to "spec changed". */
export function decodeSpecFields(text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  const fields: Record<string, string> = {};
  for (const pair of text.split(",")) {
    const at = pair.lastIndexOf("=");
    if (at <= 0) return undefined;
    fields[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return fields;
}

/**
 * Readable and unique per host: one slot of one spec of one app in one
 * environment. Installs other than the default prefix their instance, so two
 * dockhand installs can share engines without their names colliding.
 */
export function containerName(app: string, env: string, slot: number, specHash: string, instance?: string): string {
  const name = `${app}-${env}-${slot}-${specHash.slice(0, 8)}`;
  return instance === undefined || instance === DEFAULT_INSTANCE ? name : `${instance}-${name}`;
}

const RETIRED_RE = /^(.+)\.retired-(\d+)$/;

/**
 * A retired container's name: its own plus when it was retired. Labels cannot
 * change after creation; a name can, so the name is what marks it.
 */
export function retiredName(name: string, at: number): string {
  return `${name}.retired-${at}`;
}

/** The original name and retirement time of a retired container's name; undefined for any other name. */
export function parseRetiredName(name: string): { name: string; at: number } | undefined {
  const match = RETIRED_RE.exec(name);
  return match?.[1] && match[2] ? { name: match[1], at: Number(match[2]) } : undefined;
}
