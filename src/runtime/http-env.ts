/**
 * Settings of the HTTP surface's credentials (docs/operations.md#dashboard-and-status):
 * how long a dashboard session lasts, whether its cookie is `Secure`, and
 * the token /metrics asks for.
 */
import { DockhandError } from "../model/index.js";
import { readDurationVar } from "./duration-var.js";

export interface HttpEnv {
  /** DOCKHAND_SESSION_TTL: a dashboard session ends this long after its login. */
  sessionTtlMs: number;
  /** False only with DOCKHAND_INSECURE_COOKIES=1 (plain-HTTP setups: the demo, tests). */
  secureCookies: boolean;
  /** DOCKHAND_METRICS_TOKEN: the Bearer token /metrics asks for; unset: /metrics is open. */
  metricsToken?: string;
}

export const HTTP_ENV_DEFAULTS = {
  DOCKHAND_SESSION_TTL: "12h",
} as const;

/** A session shorter than this is a typo, not a policy. */
const MIN_SESSION_TTL_MS = 60_000;

export function readHttpEnv(env: NodeJS.ProcessEnv = process.env): HttpEnv {
  const metricsToken = (env.DOCKHAND_METRICS_TOKEN ?? "").trim();
  return {
    sessionTtlMs: readDurationVar(
      env,
      "DOCKHAND_SESSION_TTL",
      HTTP_ENV_DEFAULTS.DOCKHAND_SESSION_TTL,
      MIN_SESSION_TTL_MS,
    ),
    secureCookies: !readFlag(env, "DOCKHAND_INSECURE_COOKIES"),
    ...(metricsToken ? { metricsToken } : {}),
  };
}

function readFlag(env: NodeJS.ProcessEnv, name: string): boolean {
  const text = (env[name] ?? "").trim().toLowerCase();
  if (text === "1" || text === "true") return true;
  if (text === "" || text === "0" || text === "false") return false;
  throw new DockhandError("DOCKHAND_E_USAGE", `${name} must be 1 (on) or 0 (off), got "${env[name]}"`);
}
