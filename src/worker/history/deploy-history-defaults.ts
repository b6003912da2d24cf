/** Defaults of the deploy history (deploy-history.ts), in one place. */
export const DEPLOY_HISTORY_DEFAULTS = {
  /** Finished deploys kept in `deploys:recent`. */
  keepRecent: 50,
  /** Audit records kept (approximately: Redis trims streams in whole nodes). */
  keepAudit: 1_000,
  /** A running sync not heard from for this long belongs to a worker that died; it is dropped. */
  staleAfterMs: 15 * 60_000,
  /** Upper bounds (seconds) of the deploy duration histogram. */
  durationBuckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800],
} as const;
