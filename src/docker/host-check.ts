/**
 * What `dockhand hosts check` finds on one host: a verdict per check, each
 * failure with its fix, and the numbers behind them (docs/operations.md#checking-the-hosts).
 */

export const HOST_CHECKS = [
  "reachable",
  "authenticated",
  "engine",
  "storage",
  "disk",
  "clock",
  "containers",
  "address",
] as const;
export type CheckName = (typeof HOST_CHECKS)[number];

/** `warn` never fails the host; `skip` means an earlier failure left nothing to check. */
export type CheckStatus = "pass" | "warn" | "fail" | "skip";

export interface CheckResult {
  check: CheckName;
  status: CheckStatus;
  /** What was found, or why it failed. */
  detail: string;
  /** What to do about a failure or warning. */
  fix?: string;
}

/** The measured values, for scripts (`--json`); absent when the check could not measure them. */
export interface HostFacts {
  /** `unix`, `tcp`, `tcp+tls`, `ssh`: how dockhand talks to the engine. */
  transport: string;
  latencyMs?: number;
  engineVersion?: string;
  apiVersion?: string;
  storageDriver?: string;
  dataRoot?: string;
  freeBytes?: number;
  sizeBytes?: number;
  /** Engine clock minus this machine's clock, at the middle of the request. */
  clockSkewMs?: number;
  /** Running or stopped containers of this dockhand instance, not counting kept old versions. */
  containers?: number;
  capacity: number;
  /** The URL the address check fetched. */
  addressUrl?: string;
}

export interface HostCheck {
  host: string;
  endpoint: string;
  /** No check failed (warnings allowed). */
  ok: boolean;
  durationMs: number;
  facts: HostFacts;
  checks: CheckResult[];
}

export function pass(check: CheckName, detail: string): CheckResult {
  return { check, status: "pass", detail };
}

export function fail(check: CheckName, detail: string, fix: string): CheckResult {
  return { check, status: "fail", detail, fix };
}

export function warn(check: CheckName, detail: string, fix: string): CheckResult {
  return { check, status: "warn", detail, fix };
}

export function skip(check: CheckName, detail: string): CheckResult {
  return { check, status: "skip", detail };
}
