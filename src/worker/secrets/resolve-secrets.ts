/**
 * Secrets (issue 4): values come from the SecretSource (DOCKHAND_SECRETS_DIR),
 * never from the deploy repo. Each app's spec hash is recomputed over keyed
 * digests of its values, so rotating a secret rolls the app while no value
 * reaches a plan, a log or a label. A missing secret makes that app
 * unplannable; the other apps go on.
 */
import { withSecretDigests } from "../../config/index.js";
import { type AppSpec, type DesiredState, routeKey, type SecretSource } from "../../model/index.js";

export interface ResolvedSecrets {
  /** The desired state with every app's hash over its secrets' digests. */
  desired: DesiredState;
  /** Values per app, by routeKey(env, app): for the containers only. */
  values: Map<string, Record<string, string>>;
  /** Why an app cannot be planned (a missing secret), by routeKey(env, app). */
  problems: Map<string, string>;
}

export async function resolveSecrets(
  desired: DesiredState,
  source: SecretSource | undefined,
): Promise<ResolvedSecrets> {
  const values = new Map<string, Record<string, string>>();
  const problems = new Map<string, string>();
  const apps: AppSpec[] = [];
  for (const app of desired.apps) {
    const names = app.secrets ?? [];
    if (names.length === 0) {
      apps.push(app);
      continue;
    }
    const key = routeKey(app.env, app.name);
    const found: Record<string, string> = {};
    const digests: Record<string, string> = {};
    const missing: string[] = [];
    for (const name of names) {
      const value = source ? await source.read(app.name, name, app.env) : undefined;
      if (value === undefined) missing.push(name);
      else {
        found[name] = value;
        digests[name] = await (source as SecretSource).digest(value);
      }
    }
    if (missing.length > 0) problems.set(key, missingMessage(app, missing, source));
    else values.set(key, found);
    apps.push(withSecretDigests(app, digests));
  }
  return { desired: { ...desired, apps }, values, problems };
}

function missingMessage(app: AppSpec, missing: string[], source: SecretSource | undefined): string {
  const first = missing[0] ?? "";
  const which = missing.length === 1 ? `secret ${first}` : `secrets ${missing.join(", ")}`;
  const where = source
    ? `put it in ${source.where(app.name, first, app.env)}`
    : "set DOCKHAND_SECRETS_DIR to the directory that holds them";
  return `app ${app.name} (${app.file}): ${which} not found; ${where}`;
}
