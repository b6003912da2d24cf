/**
 * The spec hash names everything that shapes a container: equal hashes mean
 * the running container is already right.
 */
import {
  type AppSpec,
  canonicalJson,
  digestOf,
  fieldDigest,
  type ResourcesSpec,
  type VolumeSpec,
} from "../model/index.js";

export { canonicalJson };

/**
 * What shapes the container. To add a field (secret digests, resources, volumes,
 * command), add it here as optional: a field left undefined is omitted from the
 * canonical JSON, so every hash computed before the field existed stays the same.
 */
export interface SpecHashParts {
  image: string;
  /** Absent for a worker (no port). */
  port?: number;
  /** A fixed published port: Docker cannot change a container's publishing. */
  hostPort?: number;
  environment: Record<string, string>;
  /** Secret name to a keyed digest of its value (never the value): rotating a secret rolls the app. */
  secrets?: Record<string, string>;
  resources?: ResourcesSpec;
  volumes?: VolumeSpec[];
  command?: string[];
  /** Whole seconds, as Docker keeps it. */
  stopTimeout?: number;
}

/** What a secret hashes as before its value was read (`dockhand validate`, a plan without DOCKHAND_SECRETS_DIR). */
export const UNRESOLVED_SECRET = "unresolved";

type ShapingFields = Pick<
  AppSpec,
  "image" | "port" | "hostPort" | "environment" | "secrets" | "resources" | "volumes" | "command"
>;

/** The parts of an app that shape its container; fields the app leaves out stay out, so old hashes hold. */
export function specHashParts(
  app: ShapingFields & { stopTimeoutMs?: number },
  secretDigests: Record<string, string> = {},
): SpecHashParts {
  const secrets = app.secrets?.length
    ? Object.fromEntries(app.secrets.map((name) => [name, secretDigests[name] ?? UNRESOLVED_SECRET]))
    : undefined;
  return {
    image: app.image,
    port: app.port,
    hostPort: app.hostPort,
    environment: app.environment,
    secrets,
    resources: app.resources,
    volumes: app.volumes?.length ? app.volumes : undefined,
    command: app.command,
    stopTimeout: app.stopTimeoutMs === undefined ? undefined : Math.ceil(app.stopTimeoutMs / 1000),
  };
}

/** The app with its hash and field digests computed over the secrets' keyed digests (read by the worker). */
export function withSecretDigests(spec: AppSpec, secretDigests: Record<string, string>): AppSpec {
  const parts = specHashParts(spec, secretDigests);
  return { ...spec, specHash: computeSpecHash(parts), specFields: computeSpecFields(parts) };
}

export function computeSpecHash(parts: SpecHashParts): string {
  return digestOf(parts);
}

/** Map members are one field each (`env.GREETING`); what is hashed under another name is named here. */
const FIELD_PREFIX: Record<string, string> = { environment: "env", secrets: "secret" };

/**
 * A short digest per field, stored on the container, so a plan can say
 * `env GREETING changed` while showing no value (secrets stay secret: only a
 * digest of a digest ever leaves the machine).
 */
export function computeSpecFields(parts: SpecHashParts): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(parts)) {
    if (value === undefined) continue;
    const prefix = FIELD_PREFIX[key];
    if (prefix && value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [name, member] of Object.entries(value)) fields[`${prefix}.${name}`] = fieldDigest(member);
    } else {
      fields[key] = fieldDigest(value);
    }
  }
  return fields;
}
