/** Defaults of the executor, in one place (issue 4). */
export const ROLLOUT_DEFAULTS = {
  /**
   * Longest wait, after a route change, for every reporting proxy to serve it.
   * A proxy slower than this is presumed cut off: the rollout goes on (and says so).
   */
  propagationTimeoutMs: 5_000,
  /** How often a drain (and a propagation wait) asks the proxies again. */
  proxyPollMs: 50,
  /** Retired versions kept per app when the app does not say (rollout.retain). */
  retain: 3,
} as const;
